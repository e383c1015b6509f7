package auth

import (
	"context"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Web workspace sessions.
//
// Signing in to the web workspace checks the same password as UIS
// login.user (Login, with its throttling) and opens a session of kind
// crm.SessionWeb, kept in the database like UIS sessions so that every crmd
// process on one database knows it and signing out ends it everywhere.

// WebSessionTTL is how long a web sign-in lasts. A sales team works in the
// CRM all day, every day: a month spares them signing in each morning, as
// the hosted CRMs do, while a lost cookie still stops working on its own.
const WebSessionTTL = 30 * 24 * time.Hour

// errNoWebSession refuses a cookie that names no live web session.
var errNoWebSession = crm.Errorf(crm.KindUnauthorized, "not signed in")

// StartWebSession opens a web session for the actor's user and returns its
// token (the cookie's value, shown only now) and when it expires.
func (a *Authority) StartWebSession(ctx context.Context, actor crm.Actor) (token string, expiresAt time.Time, err error) {
	return a.startSession(ctx, actor, crm.SessionWeb, WebSessionTTL, 24)
}

// WebSession authenticates a web session's token: the session's user as an
// actor, with the user's current role. Errors: unauthorized (unknown,
// expired, ended, or a UIS session's token).
func (a *Authority) WebSession(ctx context.Context, token string) (crm.Actor, error) {
	actor, _, err := a.webSession(ctx, token)
	return actor, err
}

// WebSignedIn is WebSession with the user and the account the session was
// checked against, so that a page need not read them again.
func (a *Authority) WebSignedIn(ctx context.Context, token string) (SignedIn, error) {
	if token == "" {
		return SignedIn{}, errNoWebSession
	}
	return a.liveSessionOf(ctx, token, crm.SessionWeb, errNoWebSession, errNoWebSession)
}

func (a *Authority) webSession(ctx context.Context, token string) (crm.Actor, crm.Session, error) {
	if token == "" {
		return crm.Actor{}, crm.Session{}, errNoWebSession
	}
	// Expired or unknown, the browser is simply not signed in.
	return a.liveSession(ctx, token, crm.SessionWeb, errNoWebSession, errNoWebSession)
}

// EndWebSession ends the web session a token names. A token that names no
// live web session is already signed out: not an error.
func (a *Authority) EndWebSession(ctx context.Context, token string) error {
	actor, s, err := a.webSession(ctx, token)
	if crm.KindOf(err) == crm.KindUnauthorized {
		return nil
	}
	if err != nil {
		return err
	}
	err = a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error { return tx.DeleteSession(ctx, s.ID) })
	if crm.KindOf(err) == crm.KindNotFound {
		return nil
	}
	return err
}

// passwordAlphabet leaves out characters read alike (0/O, 1/l/I), as the
// password is read off a terminal and typed into a sign-in form.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a random password of 16 characters (about 93
// bits), for a user who has none yet, such as the first administrator.
func GeneratePassword() (string, error) {
	b, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	out := make([]byte, len(b))
	for i, v := range b {
		// 256 is not a multiple of the alphabet's length: the first
		// characters are a little likelier, which costs under a bit.
		out[i] = passwordAlphabet[int(v)%len(passwordAlphabet)]
	}
	return string(out), nil
}
