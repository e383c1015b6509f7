package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// AmoCRMTokenTTL is how long an amoCRM token issued by crmd lives: like an
// amoCRM long-lived token at its longest (5 years), since crmd has no OAuth
// refresh flow and a server operator hands the token to an integration once.
const AmoCRMTokenTTL = 5 * 365 * 24 * time.Hour

// jwtKeyName names the installation secret that signs amoCRM tokens; it lives
// in the database so that every crmd process on one database agrees on it.
const jwtKeyName = "amocrm_jwt_hs256"

// Authority issues and verifies credentials over a crm.Store.
type Authority struct {
	store crm.Store
	// epochs reads accounts' authentication epochs (the Store's), one
	// read for the requests that arrive together (epoch.go).
	epochs epochReads
	key    []byte
	now    func() time.Time
	seen   actorCache
	oauth  crm.OAuthLookup
	throttle
}

// Store is what an Authority works over: crmd's store, which also keeps
// the failed-login counts (LoginFailureStore). Asking for both in the type
// means a store that could not throttle logins does not compile in.
type Store interface {
	crm.Store
	LoginFailureStore
	crm.OAuthLookup
	// AuthEpoch is an account's authentication epoch, which every
	// revocation advances (see actorCache). KindNotFound when there is no
	// such account.
	AuthEpoch(ctx context.Context, accountID int64) (int64, error)
}

// clock is a store that tells the time (store.DB does): tokens then expire
// by the clock that stamps the rows, which tests can move.
type clock interface{ Clock() time.Time }

// New loads (or creates, on first use) the signing key and returns an
// Authority.
func New(ctx context.Context, store Store) (*Authority, error) {
	key, err := store.InstanceSecret(ctx, jwtKeyName, func() ([]byte, error) { return randomBytes(32) })
	if err != nil {
		return nil, err
	}
	a := &Authority{store: store, key: key, now: time.Now}
	if c, ok := store.(clock); ok {
		a.now = c.Clock
	}
	a.oauth, a.epochs.read = store, store.AuthEpoch
	a.failures, a.checkers = store, make(chan struct{}, passwordCheckers())
	return a, nil
}

// AccountCredentials are the secrets of a freshly created account, shown once.
type AccountCredentials struct {
	AccountID      int64  `json:"account_id"`
	Subdomain      string `json:"subdomain"`
	UserID         int64  `json:"user_id"`
	AmoCRMToken    string `json:"amocrm_token"`
	EnvyboxAPIKey  string `json:"envybox_api_key"`
	UISAccessToken string `json:"uis_access_token"`
}

// UserCredentials are the secrets of a freshly created user, shown once.
type UserCredentials struct {
	UserID         int64  `json:"user_id"`
	AmoCRMToken    string `json:"amocrm_token"`
	UISAccessToken string `json:"uis_access_token"`
}

// CreateAccount creates an account, its administrator, the account's seed
// records and every dialect's credential, all in one transaction.
// Errors: invalid, conflict (subdomain taken).
func (a *Authority) CreateAccount(ctx context.Context, n crm.NewAccount) (AccountCredentials, error) {
	if err := n.Normalize(); err != nil {
		return AccountCredentials{}, err
	}
	uuid, err := newUUID()
	if err != nil {
		return AccountCredentials{}, err
	}
	acc := crm.Account{Name: n.Name, Subdomain: n.Subdomain, UUID: uuid, TimeZone: n.TimeZone, CustomersMode: crm.CustomersDisabled}
	var out AccountCredentials
	err = a.store.CreateAccount(ctx, &acc, func(tx crm.Tx) error {
		admin := crm.User{Name: n.AdminName, Role: crm.RoleAdmin}
		if err := tx.InsertUser(ctx, &admin); err != nil {
			return err
		}
		if err := crm.SeedAccount(ctx, tx); err != nil {
			return err
		}
		out = AccountCredentials{AccountID: acc.ID, Subdomain: acc.Subdomain, UserID: admin.ID}
		if out.AmoCRMToken, out.UISAccessToken, err = a.issueUserSecrets(ctx, tx, admin); err != nil {
			return err
		}
		// The Envybox key belongs to the account; it acts as the
		// administrator who created the account.
		out.EnvyboxAPIKey, err = a.issueOpaque(ctx, tx, crm.CredentialEnvybox, admin.ID)
		return err
	})
	return out, err
}

// CreateUser adds a user to an account and issues the user's credentials.
// Errors: invalid, not found (account).
func (a *Authority) CreateUser(ctx context.Context, n crm.NewUser) (UserCredentials, error) {
	if err := n.Normalize(); err != nil {
		return UserCredentials{}, err
	}
	var out UserCredentials
	err := a.store.Update(ctx, n.AccountID, func(tx crm.Tx) (err error) {
		u := crm.User{Name: n.Name, Role: n.Role, Surname: n.Surname, Email: n.Email, Profession: n.Profession, Phone: n.Phone}
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		out.UserID = u.ID
		out.AmoCRMToken, out.UISAccessToken, err = a.issueUserSecrets(ctx, tx, u)
		return err
	})
	return out, err
}

func (a *Authority) issueUserSecrets(ctx context.Context, tx crm.Tx, u crm.User) (amo, uis string, err error) {
	if amo, err = a.issueJWT(ctx, tx, u, crm.Integration{}, AmoCRMTokenTTL); err != nil {
		return "", "", err
	}
	uis, err = a.issueOpaque(ctx, tx, crm.CredentialUIS, u.ID)
	return amo, uis, err
}

func (a *Authority) issueOpaque(ctx context.Context, tx crm.Tx, kind crm.CredentialKind, userID int64) (string, error) {
	b, err := randomBytes(20)
	if err != nil {
		return "", err
	}
	secret := hex.EncodeToString(b)
	c := crm.Credential{UserID: userID, Kind: kind, Hash: hash(secret)}
	return secret, tx.InsertCredential(ctx, &c)
}

// jwtClaims are the claims of an amoCRM token, named as amoCRM names them
// (account_id, and the user in sub) plus standard ones.
type jwtClaims struct {
	ID        string   `json:"jti"`
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	AccountID int64    `json:"account_id"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	ExpiresAt int64    `json:"exp"`
	Scopes    []string `json:"scopes"`
	// Audience is the client_id of the integration an OAuth access token
	// was issued to (amoCRM's aud); long-lived tokens have none.
	Audience string `json:"aud,omitempty"`
}

var jwtHeader = b64([]byte(`{"typ":"JWT","alg":"HS256"}`))

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// issueJWT issues an amoCRM token of u that lives ttl: a long-lived one
// (the zero integration) or an OAuth access token of the integration, its
// client_id the audience, stored as the integration's so that revoking the
// integration deletes it.
func (a *Authority) issueJWT(ctx context.Context, tx crm.Tx, u crm.User, in crm.Integration, ttl time.Duration) (string, error) {
	jti, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	now := tx.Now()
	claims := jwtClaims{
		ID: hex.EncodeToString(jti), Issuer: "crmd", Subject: strconv.FormatInt(u.ID, 10), AccountID: u.AccountID,
		IssuedAt: now.Unix(), NotBefore: now.Unix(), ExpiresAt: now.Add(ttl).Unix(),
		Scopes: []string{"crm"}, Audience: in.ClientID,
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := jwtHeader + "." + b64(payload)
	token := signing + "." + b64(a.sign(signing))
	c := crm.Credential{UserID: u.ID, Kind: crm.CredentialAmoCRM, Hash: hash(token), ExpiresAt: time.Unix(claims.ExpiresAt, 0),
		IntegrationID: in.ID}
	return token, tx.InsertCredential(ctx, &c)
}

func (a *Authority) sign(s string) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

var errUnauthorized = crm.Errorf(crm.KindUnauthorized, "Unauthorized")

// AmoCRM authenticates an amoCRM bearer token. Errors: unauthorized.
func (a *Authority) AmoCRM(ctx context.Context, token string) (crm.Actor, error) {
	if token == "" {
		return crm.Actor{}, errUnauthorized
	}
	// A token remembered in the actor cache passed every check below when
	// it was remembered (only this function remembers amoCRM tokens, and
	// the key is the hash of the whole token, signature included), and the
	// entry ends no later than the token's exp and is not used before the
	// moment it was checked (so after nbf): checking the signature and
	// decoding the claims again would only repeat that. What can change
	// meanwhile — a revocation — the epoch check in remembered catches.
	key := hash(token)
	now := a.now()
	if actor, ok, err := a.remembered(ctx, crm.CredentialAmoCRM, key, now); ok || err != nil {
		return actor, err
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return crm.Actor{}, errUnauthorized
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, a.sign(parts[0]+"."+parts[1])) {
		return crm.Actor{}, errUnauthorized
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims jwtClaims
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		return crm.Actor{}, errUnauthorized
	}
	if now := now.Unix(); now >= claims.ExpiresAt || now < claims.NotBefore {
		return crm.Actor{}, errUnauthorized
	}
	// The signature proves crmd made the token; the stored hash proves it
	// has not been revoked (its user or account deleted, or the OAuth
	// integration it was issued to revoked).
	return a.lookup(ctx, crm.CredentialAmoCRM, key, now)
}

// Envybox authenticates an Envybox api_key. Errors: unauthorized.
func (a *Authority) Envybox(ctx context.Context, key string) (crm.Actor, error) {
	return a.actor(ctx, crm.CredentialEnvybox, key)
}

// UIS authenticates a UIS access_token. Errors: unauthorized.
func (a *Authority) UIS(ctx context.Context, token string) (crm.Actor, error) {
	return a.actor(ctx, crm.CredentialUIS, token)
}

func (a *Authority) actor(ctx context.Context, kind crm.CredentialKind, secret string) (crm.Actor, error) {
	if secret == "" {
		return crm.Actor{}, errUnauthorized
	}
	key := hash(secret)
	now := a.now()
	if actor, ok, err := a.remembered(ctx, kind, key, now); ok || err != nil {
		return actor, err
	}
	return a.lookup(ctx, kind, key, now)
}

// remembered returns the actor the actor cache holds for a credential,
// ok only if nothing of the account was revoked since it was remembered:
// by this process or by any other on the database (the account's epoch,
// read after the call, is still the one read with it). Not ok and no
// error: the credential must be looked up.
func (a *Authority) remembered(ctx context.Context, kind crm.CredentialKind, key []byte, now time.Time) (crm.Actor, bool, error) {
	actor, epoch, ok := a.seen.get(kind, key, now)
	if !ok {
		return crm.Actor{}, false, nil
	}
	current, err := a.epochs.get(ctx, actor.AccountID)
	if crm.KindOf(err) == crm.KindNotFound {
		return crm.Actor{}, false, errUnauthorized
	}
	if err != nil {
		return crm.Actor{}, false, err
	}
	return actor, current == epoch, nil
}

// lookup authenticates a credential by its stored hash key (the credential,
// its user and account) and remembers the actor with the account's epoch.
func (a *Authority) lookup(ctx context.Context, kind crm.CredentialKind, key []byte, now time.Time) (crm.Actor, error) {
	c, err := a.store.CredentialByHash(ctx, kind, key)
	if crm.KindOf(err) == crm.KindNotFound {
		return crm.Actor{}, errUnauthorized
	}
	if err != nil {
		return crm.Actor{}, err
	}
	// The epoch to remember must be read before the credential that is
	// remembered: a revocation between the two reads then shows as a
	// newer epoch on the next request. So the credential is read again.
	epoch, err := a.epochs.get(ctx, c.AccountID)
	if err == nil {
		c, err = a.store.CredentialByHash(ctx, kind, key)
	}
	if crm.KindOf(err) == crm.KindNotFound {
		return crm.Actor{}, errUnauthorized
	}
	if err != nil {
		return crm.Actor{}, err
	}
	actor := crm.Actor{AccountID: c.AccountID, UserID: c.UserID}
	err = a.store.View(ctx, c.AccountID, func(tx crm.Tx) error {
		u, err := tx.User(ctx, c.UserID)
		if err != nil {
			return err
		}
		if !u.Active() {
			return errUnauthorized
		}
		acc, err := tx.Account(ctx)
		actor.Role, actor.TimeZone = u.Role, acc.TimeZone
		return err
	})
	if k := crm.KindOf(err); k == crm.KindNotFound || k == crm.KindUnauthorized {
		return crm.Actor{}, errUnauthorized
	}
	if err == nil {
		a.seen.put(kind, key, actor, epoch, now, c.ExpiresAt)
	}
	return actor, err
}

func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("read random bytes: %w", err)
	}
	return b, nil
}

func newUUID() (string, error) {
	b, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
