package auth

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/obs"
)

// Passwords and login sessions (UIS login.user / logout.user).
//
// A user may have a password (set with `crmd user password`); logging in with
// it opens a session whose token works like the user's permanent UIS
// access_token until it expires. The login is the user's id or email.

// SessionTTL is how long a session lives: UIS says "Время жизни сессии 1 час".
const SessionTTL = time.Hour

// sessionRetention is how long an expired session is kept, so that a caller
// using it late is told it expired rather than that it is unknown.
const sessionRetention = 7 * 24 * time.Hour

// MinPasswordLength is the shortest password crmd accepts, in characters.
const MinPasswordLength = 8

// Password hashing: PBKDF2-HMAC-SHA256 with a random 16-byte salt and the
// iteration count OWASP recommends (2023), stored as
// "pbkdf2-sha256$ITERATIONS$SALT$KEY" (salt and key base64, unpadded).
const (
	passwordScheme     = "pbkdf2-sha256"
	passwordIterations = 600_000
	passwordKeyLength  = 32
	passwordSaltLength = 16
	// maxLoginCandidates bounds the hashes one login attempt checks when
	// several users share an email.
	maxLoginCandidates = 5
)

// ErrSessionExpired is returned for the token of a session that has expired.
var ErrSessionExpired = &crm.Error{Kind: crm.KindUnauthorized, Message: "Access token has been expired"}

// ErrWrongLogin is returned when the login or the password is wrong.
var ErrWrongLogin = &crm.Error{Kind: crm.KindUnauthorized, Message: "Login or password is wrong"}

// HashPassword returns the stored form of a password.
func HashPassword(password string) (string, error) {
	salt, err := randomBytes(passwordSaltLength)
	if err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, passwordIterations, passwordKeyLength)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", passwordScheme, passwordIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a hash HashPassword made.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != passwordScheme {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10*passwordIterations {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when a login names nobody, so that an unknown login
// takes as long to refuse as a wrong password.
// It is made on first use, not at start-up: hashing takes a tenth of a second.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("crmd dummy password")
	if err != nil {
		return ""
	}
	return h
})

// SetPassword sets (or replaces) a user's password.
// Errors: invalid (too short), not found (no such user).
func (a *Authority) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	h, err := HashPassword(password)
	if err != nil {
		return err
	}
	return a.store.SetUserPassword(ctx, userID, h)
}

// Login checks a login (a user's id, or email) and password sent from the
// client address from ("host:port" as the transport saw it, or a bare
// host; "" when not known) and returns the user as an actor. When several
// users with a password share the email, the one whose password matches is
// chosen; if more than one matches, the login is refused (log in by id).
//
// Failed attempts are throttled by the LoginPolicy (throttle.go): an
// attempt over it is refused before any password is checked, whether or
// not its password is right. Errors: unauthorized (ErrWrongLogin), limit
// (*LoginLimitError), and ctx's error when the caller gave up while its
// check waited for a free checker.
func (a *Authority) Login(ctx context.Context, login, password, from string) (crm.Actor, error) {
	login = strings.TrimSpace(login)
	var candidates []crm.UserPassword
	if login != "" && password != "" {
		var err error
		if candidates, err = a.store.PasswordsByLogin(ctx, login); err != nil {
			return crm.Actor{}, err
		}
	}
	if len(candidates) > maxLoginCandidates {
		candidates = candidates[:maxLoginCandidates]
	}
	var charge loginCharge
	if p := a.policy(); p.on() {
		var err error
		if charge, err = a.chargeLogin(ctx, p, login, candidates, from); err != nil {
			if _, limited := errors.AsType[*LoginLimitError](err); limited {
				obs.NoteRefusal(ctx, obs.RefusalLogin)
			}
			return crm.Actor{}, err
		}
	}
	actor, err := a.login(ctx, candidates, password)
	// Settling must outlive a request that went away: its charge is
	// given back exactly when no password was found wrong.
	settleCtx := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		a.settle(settleCtx, charge, userKey(actor.UserID))
	case !errors.Is(err, ErrWrongLogin):
		a.settle(settleCtx, charge, "")
	}
	return actor, err
}

// login checks the password against the candidates (against a dummy hash
// when there are none, so that an unknown login takes as long to refuse).
func (a *Authority) login(ctx context.Context, candidates []crm.UserPassword, password string) (crm.Actor, error) {
	if len(candidates) == 0 {
		if _, err := a.checkPassword(ctx, dummyHash(), password); err != nil {
			return crm.Actor{}, err
		}
		return crm.Actor{}, ErrWrongLogin
	}
	var match *crm.UserPassword
	for i, c := range candidates {
		ok, err := a.checkPassword(ctx, c.Hash, password)
		if err != nil {
			return crm.Actor{}, err
		}
		if ok {
			if match != nil {
				return crm.Actor{}, ErrWrongLogin
			}
			match = &candidates[i]
		}
	}
	if match == nil {
		return crm.Actor{}, ErrWrongLogin
	}
	actor := crm.Actor{AccountID: match.AccountID, UserID: match.UserID}
	err := a.store.View(ctx, match.AccountID, func(tx crm.Tx) error {
		u, err := tx.User(ctx, match.UserID)
		if err != nil {
			return err
		}
		if !u.Active() {
			return crm.Errorf(crm.KindNotFound, "deactivated")
		}
		acc, err := tx.Account(ctx)
		actor.Role, actor.TimeZone = u.Role, acc.TimeZone
		return err
	})
	if crm.KindOf(err) == crm.KindNotFound {
		return crm.Actor{}, ErrWrongLogin
	}
	return actor, err
}

// StartSession opens a session for the actor's user and returns its token
// (shown only now; crmd keeps its hash) and when it expires. It also deletes
// sessions that expired long ago.
func (a *Authority) StartSession(ctx context.Context, actor crm.Actor) (token string, expiresAt time.Time, err error) {
	return a.startSession(ctx, actor, crm.SessionUIS, SessionTTL, 20)
}

// startSession opens a session of a kind that lives ttl, with a token of
// size random bytes, and deletes sessions of every kind that expired long
// ago.
func (a *Authority) startSession(ctx context.Context, actor crm.Actor, kind crm.SessionKind, ttl time.Duration, size int) (token string, expiresAt time.Time, err error) {
	b, err := randomBytes(size)
	if err != nil {
		return "", time.Time{}, err
	}
	token = hex.EncodeToString(b)
	var now time.Time
	err = a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
		now = tx.Now()
		s := crm.Session{UserID: actor.UserID, Kind: kind, Hash: hash(token), ExpiresAt: now.Add(ttl)}
		expiresAt = s.ExpiresAt
		if err := tx.InsertSession(ctx, &s); err != nil {
			return err
		}
		if kind == crm.SessionWeb {
			// The users page shows when each user last signed in.
			return tx.NoteSignIn(ctx, actor.UserID)
		}
		return nil
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if err := a.store.DeleteExpiredSessions(ctx, now.Add(-sessionRetention)); err != nil {
		return "", time.Time{}, fmt.Errorf("delete old sessions: %w", err)
	}
	return token, expiresAt, nil
}

// UISToken authenticates a UIS access_token: a permanent key, or the token
// of a session that has not expired (by the store's clock).
// Errors: unauthorized (ErrSessionExpired for an expired session).
func (a *Authority) UISToken(ctx context.Context, token string) (crm.Actor, error) {
	actor, _, err := a.uisToken(ctx, token)
	return actor, err
}

// uisToken is UISToken that also returns the session (ID 0 for a permanent key).
func (a *Authority) uisToken(ctx context.Context, token string) (crm.Actor, crm.Session, error) {
	actor, err := a.UIS(ctx, token)
	if crm.KindOf(err) != crm.KindUnauthorized {
		return actor, crm.Session{}, err
	}
	return a.liveSession(ctx, token, crm.SessionUIS, ErrSessionExpired, errUnauthorized)
}

// liveSession finds the session of a kind a token names and its user as an
// actor (with the user's current role and the account's time zone).
// Errors: expired for a session past its time, unknown for no such
// session, one of another kind (a browser's cookie is no access_token, nor
// the reverse) or one whose user is gone.
func (a *Authority) liveSession(ctx context.Context, token string, kind crm.SessionKind, expired, unknown error) (crm.Actor, crm.Session, error) {
	l, err := a.liveSessionOf(ctx, token, kind, expired, unknown)
	return l.Actor, l.session, err
}

// SignedIn is who a live session belongs to: the actor, and the user and
// account it was read from, which a page shows.
type SignedIn struct {
	Actor   crm.Actor
	User    crm.User
	Account crm.Account
	session crm.Session
}

// liveSessionOf is liveSession with the user and account read on the way.
func (a *Authority) liveSessionOf(ctx context.Context, token string, kind crm.SessionKind, expired, unknown error) (SignedIn, error) {
	s, err := a.store.SessionByHash(ctx, hash(token))
	if crm.KindOf(err) == crm.KindNotFound || (err == nil && s.Kind != kind) {
		return SignedIn{}, unknown
	}
	if err != nil {
		return SignedIn{}, err
	}
	out := SignedIn{Actor: crm.Actor{AccountID: s.AccountID, UserID: s.UserID}, session: s}
	err = a.store.View(ctx, s.AccountID, func(tx crm.Tx) error {
		if !tx.Now().Before(s.ExpiresAt) {
			return expired
		}
		var err error
		if out.User, err = tx.User(ctx, s.UserID); err != nil {
			return err
		}
		if !out.User.Active() {
			// Deactivation deletes the sessions; this holds if one
			// was opened concurrently.
			return unknown
		}
		out.Account, err = tx.Account(ctx)
		out.Actor.Role, out.Actor.TimeZone = out.User.Role, out.Account.TimeZone
		return err
	})
	if crm.KindOf(err) == crm.KindNotFound {
		return SignedIn{}, unknown
	}
	if err != nil {
		return SignedIn{}, err
	}
	return out, nil
}

// Logout ends the session a token names. A permanent key is left alone (it
// is not a session; logging out with it changes nothing).
// Errors: unauthorized (ErrSessionExpired for an expired session).
func (a *Authority) Logout(ctx context.Context, token string) error {
	actor, s, err := a.uisToken(ctx, token)
	if err != nil || s.ID == 0 {
		return err
	}
	err = a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error { return tx.DeleteSession(ctx, s.ID) })
	if crm.KindOf(err) == crm.KindNotFound {
		// Logged out concurrently: the session is gone either way.
		return nil
	}
	return err
}

// IsExpired reports whether err says a session expired.
func IsExpired(err error) bool { return errors.Is(err, ErrSessionExpired) }
