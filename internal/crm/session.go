package crm

import (
	"context"
	"time"
)

// CredentialKind says which dialect a credential authenticates.
type CredentialKind string

// The credential kinds.
const (
	CredentialAmoCRM  CredentialKind = "amocrm"  // bearer JWT, per user
	CredentialEnvybox CredentialKind = "envybox" // api_key, per account
	CredentialUIS     CredentialKind = "uis"     // access_token, per user
)

// Credential is a secret bound to an account (and for amoCRM and UIS, to a
// user). Only a hash of the secret is kept.
type Credential struct {
	ID        int64
	AccountID int64
	UserID    int64 // 0 for account-wide credentials (Envybox api_key)
	Kind      CredentialKind
	Hash      []byte
	ExpiresAt time.Time // zero: does not expire
	// IntegrationID is the OAuth integration an access token was issued
	// to (0: none), whose revocation deletes it.
	IntegrationID int64
	CreatedAt     time.Time
}

// SessionKind says what a session was opened for.
type SessionKind string

// The session kinds. A session of one kind never authenticates the other.
const (
	// SessionUIS is a UIS login.user session: its token is an access_token.
	SessionUIS SessionKind = "uis"
	// SessionWeb is a web workspace sign-in: its token is a browser cookie.
	SessionWeb SessionKind = "web"
)

// Session is a login session (UIS login.user, or a web workspace sign-in):
// an expiring secret bound to a user. Only a hash of the secret is kept.
type Session struct {
	ID        int64
	AccountID int64
	UserID    int64
	// Kind is SessionUIS when empty.
	Kind      SessionKind
	Hash      []byte
	ExpiresAt time.Time
	CreatedAt time.Time
}

// UserPassword is the stored password hash of a user (a PBKDF2 hash in the
// format internal/auth writes).
type UserPassword struct {
	AccountID int64
	UserID    int64
	Hash      string
}

// LoginStore keeps what UIS login.user needs across accounts: users'
// password hashes, found by login, and the sessions they open.
type LoginStore interface {
	// SetUserPassword stores (or replaces) the password hash of a user,
	// under the user's own account. KindNotFound when there is no such user.
	SetUserPassword(ctx context.Context, userID int64, hash string) error
	// PasswordsByLogin returns the password hashes of the users a login
	// names: the user with that id when login is all digits, otherwise the
	// users whose email equals login case-insensitively. Users without a
	// password are left out.
	PasswordsByLogin(ctx context.Context, login string) ([]UserPassword, error)
	// SessionByHash finds a session by the hash of its token, expired or
	// not. KindNotFound when there is none.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// DeleteExpiredSessions deletes the sessions of every account that
	// expired before t.
	DeleteExpiredSessions(ctx context.Context, t time.Time) error
}

// SessionStore keeps login sessions of the account's users.
type SessionStore interface {
	// InsertSession stores a session of one of the account's users and sets
	// its id, account and creation time.
	InsertSession(ctx context.Context, s *Session) error
	// DeleteSession deletes one of the account's sessions. KindNotFound when
	// there is no such session.
	DeleteSession(ctx context.Context, id int64) error
	// EndUserSessions deletes every web and UIS session of one of the
	// account's users but the one with id keep (0 keeps none), and has
	// every crmd process forget what it remembers of them (the account's
	// authentication epoch).
	EndUserSessions(ctx context.Context, userID, keep int64) error
}
