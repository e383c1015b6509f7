package crm

import (
	"context"
	"time"
)

// Integration is an amoCRM OAuth 2.0 integration of one account: an outside
// application that users of the account may let act for them. Its secret is
// kept only as a hash.
type Integration struct {
	ID          int64
	AccountID   int64
	ClientID    string // a UUID, as amoCRM's "Integration ID"
	SecretHash  []byte
	Name        string
	RedirectURI string
	// DisconnectURL is the disconnect hook called when the integration is
	// revoked; "" for none.
	DisconnectURL string
	// SigningKey signs the disconnect hook as the secret would (the HMAC
	// states of auth's choosing), without being the secret; nil for
	// integrations made before crmd kept it.
	SigningKey []byte
	// RevokedAt is when the integration was revoked (zero: it is not):
	// a revoked integration is given no grant and its tokens are gone.
	RevokedAt time.Time
	CreatedAt time.Time
}

// IntegrationListing is an integration as crmd integration list shows it:
// with the number of its grants still usable (codes not yet exchanged and
// refresh tokens not yet used, neither expired).
type IntegrationListing struct {
	Integration
	LiveGrants int
}

// OAuthGrant is an authorization code or a refresh token: a user's grant to
// an integration, kept as the hash of its secret. Used is when a code was
// exchanged or a refresh token rotated (zero while it is live).
type OAuthGrant struct {
	ID            int64
	AccountID     int64
	IntegrationID int64
	UserID        int64
	Hash          []byte
	ExpiresAt     time.Time
	Used          time.Time
	CreatedAt     time.Time
}

// OAuthGrantKind tells authorization codes from refresh tokens.
type OAuthGrantKind string

// The OAuth grant kinds.
const (
	GrantCode    OAuthGrantKind = "code"
	GrantRefresh OAuthGrantKind = "refresh_token"
)

// IntegrationStore keeps the account's integrations and the grants its users
// gave them.
type IntegrationStore interface {
	// InsertIntegration stores an integration and sets its id, account and
	// creation time. KindConflict when the client_id is taken.
	InsertIntegration(ctx context.Context, in *Integration) error
	// Integration returns one of the account's integrations by client_id.
	Integration(ctx context.Context, clientID string) (Integration, error)
	// InsertOAuthGrant stores a code or refresh token of one of the
	// account's users for one of its integrations.
	InsertOAuthGrant(ctx context.Context, kind OAuthGrantKind, g *OAuthGrant) error
	// UseOAuthGrant marks a live grant used. KindNotFound when it is not the
	// account's or was already used: only one caller can ever use a grant.
	UseOAuthGrant(ctx context.Context, kind OAuthGrantKind, id int64) error
	// Integrations lists the account's integrations, oldest first.
	Integrations(ctx context.Context) ([]IntegrationListing, error)
	// RevokeIntegration marks one of the account's integrations revoked
	// and, in the same transaction, marks its codes used and its refresh
	// tokens revoked and deletes its access tokens. KindNotFound when it is
	// not the account's, KindConflict when it was revoked already.
	RevokeIntegration(ctx context.Context, id int64) error
}

// OAuthLookup finds integrations and grants before anyone knows the account:
// a token request names only a client_id and a code or refresh token.
type OAuthLookup interface {
	// IntegrationByClientID finds an integration of any account.
	IntegrationByClientID(ctx context.Context, clientID string) (Integration, error)
	// OAuthGrantByHash finds a code or refresh token, used or expired or not.
	OAuthGrantByHash(ctx context.Context, kind OAuthGrantKind, hash []byte) (OAuthGrant, error)
	// DeleteExpiredOAuthGrants deletes the codes and refresh tokens of every
	// account that expired before t, used or not.
	DeleteExpiredOAuthGrants(ctx context.Context, t time.Time) error
}
