package auth

import (
	"context"
	"encoding/hex"
	"fmt"
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
	b, err := randomBytes(24)
	if err != nil {
		return "", time.Time{}, err
	}
	token = hex.EncodeToString(b)
	var now time.Time
	err = a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
		now = tx.Now()
		s := crm.Session{UserID: actor.UserID, Kind: crm.SessionWeb, Hash: hash(token), ExpiresAt: now.Add(WebSessionTTL)}
		expiresAt = s.ExpiresAt
		return tx.InsertSession(ctx, &s)
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if err := a.store.DeleteExpiredSessions(ctx, now.Add(-sessionRetention)); err != nil {
		return "", time.Time{}, fmt.Errorf("delete old sessions: %w", err)
	}
	return token, expiresAt, nil
}

// WebSession authenticates a web session's token: the session's user as an
// actor, with the user's current role. Errors: unauthorized (unknown,
// expired, ended, or a UIS session's token).
func (a *Authority) WebSession(ctx context.Context, token string) (crm.Actor, error) {
	actor, _, err := a.webSession(ctx, token)
	return actor, err
}

func (a *Authority) webSession(ctx context.Context, token string) (crm.Actor, crm.Session, error) {
	if token == "" {
		return crm.Actor{}, crm.Session{}, errNoWebSession
	}
	s, err := a.store.SessionByHash(ctx, hash(token))
	if crm.KindOf(err) == crm.KindNotFound || (err == nil && s.Kind != crm.SessionWeb) {
		return crm.Actor{}, crm.Session{}, errNoWebSession
	}
	if err != nil {
		return crm.Actor{}, crm.Session{}, err
	}
	actor := crm.Actor{AccountID: s.AccountID, UserID: s.UserID}
	err = a.store.View(ctx, s.AccountID, func(tx crm.Tx) error {
		if !tx.Now().Before(s.ExpiresAt) {
			return errNoWebSession
		}
		u, err := tx.User(ctx, s.UserID)
		if err != nil {
			return err
		}
		acc, err := tx.Account(ctx)
		actor.Role, actor.TimeZone = u.Role, acc.TimeZone
		return err
	})
	if crm.KindOf(err) == crm.KindNotFound {
		return crm.Actor{}, crm.Session{}, errNoWebSession
	}
	if err != nil {
		return crm.Actor{}, crm.Session{}, err
	}
	return actor, s, nil
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
