package auth

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM OAuth 2.0 (amocrm-v4-core.md §11, companion §0.2): integrations of
// an account, authorization codes given on the consent page (or by crmd
// integration authorize), and the token endpoint's two grants. Access tokens
// are the same JWTs as long-lived tokens, with the integration's client_id
// as aud and a 24-hour life, so the amoCRM dialect takes them unchanged.

// The lifetimes amoCRM gives its OAuth secrets.
const (
	OAuthCodeTTL    = 20 * time.Minute
	OAuthAccessTTL  = 24 * time.Hour
	OAuthRefreshTTL = 90 * 24 * time.Hour // "3 months"
)

// oauthRetention is how long an expired code or refresh token is kept, so
// that a client using it late is told it expired (or was revoked) rather
// than that it is unknown; then it is deleted when a new grant is issued,
// as sessions are (sessionRetention).
const oauthRetention = 7 * 24 * time.Hour

// IntegrationCredentials are a new integration's id and secret, the secret
// shown only once.
type IntegrationCredentials struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// secretAlphabet is amoCRM's: client secrets are 64 alphanumeric characters.
const secretAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NewIntegration is an integration to register.
type NewIntegration struct {
	Name        string
	RedirectURI string
	// DisconnectURL is the optional disconnect hook, called when the
	// integration is revoked (amocrm-v4-core.md §11.7).
	DisconnectURL string
}

// CreateIntegration registers an integration of an account. The redirect URI
// and the disconnect URL (if any) must be absolute http or https URLs.
// Errors: invalid, not found (account).
func (a *Authority) CreateIntegration(ctx context.Context, accountID int64, n NewIntegration) (IntegrationCredentials, error) {
	name := strings.TrimSpace(n.Name)
	var vs []crm.Violation
	if name == "" || utf8.RuneCountInString(name) > 255 {
		vs = append(vs, crm.Violation{Path: "name", Detail: "must be 1 to 255 characters"})
	}
	if !httpURL(n.RedirectURI) {
		vs = append(vs, crm.Violation{Path: "redirect-uri", Detail: "must be an absolute http or https URL without a fragment"})
	}
	if n.DisconnectURL != "" && !httpURL(n.DisconnectURL) {
		vs = append(vs, crm.Violation{Path: "disconnect-url", Detail: "must be an absolute http or https URL without a fragment"})
	}
	if len(vs) > 0 {
		return IntegrationCredentials{}, crm.Invalid(vs...)
	}
	clientID, err := newUUID()
	if err != nil {
		return IntegrationCredentials{}, err
	}
	b, err := randomBytes(64)
	if err != nil {
		return IntegrationCredentials{}, err
	}
	for i, v := range b {
		// 256 = 4·62 + 8: the first 8 letters are a little likelier, which
		// leaves the secret well over 350 bits.
		b[i] = secretAlphabet[int(v)%len(secretAlphabet)]
	}
	out := IntegrationCredentials{ClientID: clientID, ClientSecret: string(b)}
	key, err := hmacKey(out.ClientSecret)
	if err != nil {
		return IntegrationCredentials{}, err
	}
	err = a.store.Update(ctx, accountID, func(tx crm.Tx) error {
		in := crm.Integration{ClientID: clientID, SecretHash: hash(out.ClientSecret), Name: name, RedirectURI: n.RedirectURI,
			DisconnectURL: n.DisconnectURL, SigningKey: key}
		return tx.InsertIntegration(ctx, &in)
	})
	return out, err
}

// httpURL reports whether s is an absolute http or https URL with a host
// and no fragment.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Fragment == ""
}

// ConsentTarget is what the consent page shows and redirects to.
type ConsentTarget struct {
	Integration crm.Integration
	Account     crm.Account
}

// errNoIntegration is an unknown client_id, or one of another account: to a
// user the two look the same, so that client_ids of other accounts cannot be
// probed.
var errNoIntegration = crm.Errorf(crm.KindNotFound, "Integration not found")

// ErrIntegrationRevoked refuses a grant to a revoked integration (crmd
// integration revoke): it is of kind forbidden.
var ErrIntegrationRevoked = crm.Errorf(crm.KindForbidden, "Integration has been revoked")

// Consent finds the integration a consent page names, for the signed-in
// actor: only an integration of the actor's own account (an integration
// belongs to one account). Errors: not found, ErrIntegrationRevoked.
func (a *Authority) Consent(ctx context.Context, actor crm.Actor, clientID string) (ConsentTarget, error) {
	var out ConsentTarget
	err := a.store.View(ctx, actor.AccountID, func(tx crm.Tx) (err error) {
		if out.Integration, err = tx.Integration(ctx, clientID); err != nil {
			return err
		}
		out.Account, err = tx.Account(ctx)
		return err
	})
	if crm.KindOf(err) == crm.KindNotFound {
		return ConsentTarget{}, errNoIntegration
	}
	if err == nil && !out.Integration.RevokedAt.IsZero() {
		return ConsentTarget{}, ErrIntegrationRevoked
	}
	return out, err
}

// Authorize gives an authorization code of the user for the integration
// clientID names; the user must be of the integration's account. Errors:
// not found (integration, or user not of its account),
// ErrIntegrationRevoked.
func (a *Authority) Authorize(ctx context.Context, userID int64, clientID string) (string, error) {
	in, err := a.oauth.IntegrationByClientID(ctx, clientID)
	if crm.KindOf(err) == crm.KindNotFound {
		return "", errNoIntegration
	}
	if err != nil {
		return "", err
	}
	code, err := oauthSecret()
	if err != nil {
		return "", err
	}
	var now time.Time
	err = a.store.Update(ctx, in.AccountID, func(tx crm.Tx) error {
		now = tx.Now()
		// Read again in the transaction: the account's writes are
		// serialized, so a revocation is either seen here or sweeps
		// this code with the others.
		if in, err := tx.Integration(ctx, clientID); err != nil {
			return err
		} else if !in.RevokedAt.IsZero() {
			return ErrIntegrationRevoked
		}
		g := crm.OAuthGrant{IntegrationID: in.ID, UserID: userID, Hash: hash(code), ExpiresAt: now.Add(OAuthCodeTTL)}
		return tx.InsertOAuthGrant(ctx, crm.GrantCode, &g)
	})
	if err != nil {
		return "", err
	}
	if err := a.oauth.DeleteExpiredOAuthGrants(ctx, now.Add(-oauthRetention)); err != nil {
		return "", fmt.Errorf("delete old OAuth grants: %w", err)
	}
	return code, nil
}

// oauthSecret is a code or refresh token: opaque, beginning def50200 as
// amoCRM's do (clients are told to store them as text of any length).
func oauthSecret() (string, error) {
	b, err := randomBytes(32)
	if err != nil {
		return "", err
	}
	return "def50200" + hex.EncodeToString(b), nil
}

// TokenRequest is the body of POST /oauth2/access_token.
type TokenRequest struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	GrantType    string `json:"grant_type"`
	Code         string `json:"code"`
	RefreshToken string `json:"refresh_token"`
	RedirectURI  string `json:"redirect_uri"`
}

// TokenPair is the 200 answer of POST /oauth2/access_token.
type TokenPair struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// OAuthError is a refused token request, in amoCRM's answer's fields.
type OAuthError struct {
	Hint   string `json:"hint"`
	Title  string `json:"title"`
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func (e *OAuthError) Error() string { return e.Title + ": " + e.Detail + " (" + e.Hint + ")" }

const oauthErrorType = "https://developers.amocrm.ru/v3/errors/OAuthProblemJson"

// badRequest is amoCRM's answer to invalid parameters (status 400 unless
// amoCRM was seen answering otherwise).
func badRequest(status int, hint string) *OAuthError {
	return &OAuthError{Hint: hint, Title: "Некорректный запрос", Type: oauthErrorType, Status: status,
		Detail: "В запросе отсутствует ряд параметров или параметры невалидны"}
}

// badClient is amoCRM's answer to a failed client authentication.
func badClient(hint string) *OAuthError {
	return &OAuthError{Hint: hint, Title: "Некорректный клиент", Type: oauthErrorType, Status: 401,
		Detail: "Авторизация клиента не прошла"}
}

// Token answers a token request from the client address from (host or
// host:port; "" unknown): the authorization_code or refresh_token grant.
// A refused request is an *OAuthError, one refused for too many refusals
// before it an *OAuthLimitError (oauth_limit.go); other errors are
// internal.
func (a *Authority) Token(ctx context.Context, r TokenRequest, from string) (TokenPair, error) {
	charged, err := a.chargeOAuth(ctx, r.ClientID, from)
	if err != nil {
		return TokenPair{}, err
	}
	pair, err := a.token(ctx, r)
	a.settleOAuth(ctx, charged, err)
	return pair, err
}

func (a *Authority) token(ctx context.Context, r TokenRequest) (TokenPair, error) {
	for _, f := range []struct{ name, value string }{{"grant_type", r.GrantType}, {"client_id", r.ClientID}} {
		if f.value == "" {
			return TokenPair{}, badRequest(400, "Check the `"+f.name+"` parameter")
		}
	}
	if r.GrantType != "authorization_code" && r.GrantType != "refresh_token" {
		return TokenPair{}, badRequest(400, "Unsupported grant type")
	}
	for _, f := range []struct{ name, value string }{{"client_secret", r.ClientSecret}, {"redirect_uri", r.RedirectURI}} {
		if f.value == "" {
			return TokenPair{}, badRequest(400, "Check the `"+f.name+"` parameter")
		}
	}
	in, err := a.oauth.IntegrationByClientID(ctx, r.ClientID)
	if crm.KindOf(err) == crm.KindNotFound {
		return TokenPair{}, badClient("Check the `client_id` parameter")
	}
	if err != nil {
		return TokenPair{}, err
	}
	if subtle.ConstantTimeCompare(hash(r.ClientSecret), in.SecretHash) != 1 {
		return TokenPair{}, badClient("Check the `client_secret` parameter")
	}
	if r.RedirectURI != in.RedirectURI {
		return TokenPair{}, badRequest(400, "Redirect URI is not associated with client")
	}
	if !in.RevokedAt.IsZero() {
		// Revocation marked every grant used: say so, as for each of them.
		if r.GrantType == "authorization_code" {
			return TokenPair{}, badRequest(400, "Authorization code has been revoked")
		}
		return TokenPair{}, badRequest(401, "Token has been revoked")
	}
	if r.GrantType == "authorization_code" {
		if r.Code == "" {
			return TokenPair{}, badRequest(400, "Check the `code` parameter")
		}
		return a.redeem(ctx, in, crm.GrantCode, r.Code)
	}
	if r.RefreshToken == "" {
		return TokenPair{}, badRequest(400, "Check the `refresh_token` parameter")
	}
	return a.redeem(ctx, in, crm.GrantRefresh, r.RefreshToken)
}

// errGrantUsed is a grant another request used first, inside the
// transaction that would have used it.
var errGrantUsed = errors.New("grant already used")

// redeem uses a code or refresh token once and issues a new pair.
func (a *Authority) redeem(ctx context.Context, in crm.Integration, kind crm.OAuthGrantKind, secret string) (TokenPair, error) {
	unknown, expired, used := badRequest(400, "Cannot decrypt the authorization code"),
		badRequest(400, "Authorization code has expired"), badRequest(400, "Authorization code has been revoked")
	if kind == crm.GrantRefresh {
		unknown, expired, used = badRequest(400, "Invalid refresh token"),
			badRequest(401, "Token has expired"), badRequest(401, "Token has been revoked")
	}
	g, err := a.oauth.OAuthGrantByHash(ctx, kind, hash(secret))
	if crm.KindOf(err) == crm.KindNotFound || (err == nil && g.IntegrationID != in.ID) {
		return TokenPair{}, unknown
	}
	if err != nil {
		return TokenPair{}, err
	}
	if !g.Used.IsZero() {
		return TokenPair{}, used
	}
	pair := TokenPair{TokenType: "Bearer", ExpiresIn: int(OAuthAccessTTL / time.Second)}
	if pair.RefreshToken, err = oauthSecret(); err != nil {
		return TokenPair{}, err
	}
	var now time.Time
	err = a.store.Update(ctx, g.AccountID, func(tx crm.Tx) error {
		now = tx.Now()
		if !now.Before(g.ExpiresAt) {
			return expired
		}
		// A revocation committed since the integration was read has
		// marked this grant used too; UseOAuthGrant below then fails.
		if err := tx.UseOAuthGrant(ctx, kind, g.ID); crm.KindOf(err) == crm.KindNotFound {
			return errGrantUsed
		} else if err != nil {
			return err
		}
		u, err := tx.User(ctx, g.UserID)
		if err != nil {
			return err
		}
		if pair.AccessToken, err = a.issueJWT(ctx, tx, u, in, OAuthAccessTTL); err != nil {
			return err
		}
		next := crm.OAuthGrant{IntegrationID: in.ID, UserID: u.ID, Hash: hash(pair.RefreshToken), ExpiresAt: tx.Now().Add(OAuthRefreshTTL)}
		return tx.InsertOAuthGrant(ctx, crm.GrantRefresh, &next)
	})
	switch {
	case errors.Is(err, errGrantUsed):
		return TokenPair{}, used
	case crm.KindOf(err) == crm.KindNotFound: // the user or integration is gone
		return TokenPair{}, unknown
	case err != nil:
		return TokenPair{}, err
	}
	if err := a.oauth.DeleteExpiredOAuthGrants(ctx, now.Add(-oauthRetention)); err != nil {
		return TokenPair{}, fmt.Errorf("delete old OAuth grants: %w", err)
	}
	return pair, nil
}
