package auth

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Listing and revoking integrations, the disconnect hook's signature, and
// the subdomain lookup (amocrm-v4-core.md §11.6, §11.7; companion §8.2).

// The disconnect hook is signed as amoCRM signs it: hex HMAC-SHA256 keyed
// by the client secret over client_uuid + "|" + account_id. crmd keeps the
// secret only as a hash, which cannot key an HMAC; keeping the secret
// itself would let whoever reads the database use it at the token endpoint.
// So at creation crmd keeps what HMAC makes of the key before any message:
// the SHA-256 states after absorbing key⊕ipad and key⊕opad (RFC 2104). They
// finish an HMAC of any message exactly as the secret would, yet are not
// the secret (SHA-256 cannot be run backwards to it), so a leaked database
// lets one forge a disconnect hook of that integration, which is the hook
// receiver's business, but not obtain tokens.

// hmacKey is the signing key kept for a secret: the two states, inner then
// outer, in crypto/sha256's binary encoding (stable across Go versions, as
// package hash promises of the standard library's hashes).
func hmacKey(secret string) ([]byte, error) {
	key := []byte(secret)
	if len(key) > sha256.BlockSize {
		h := sha256.Sum256(key)
		key = h[:]
	}
	var out []byte
	for _, pad := range []byte{0x36, 0x5c} {
		block := make([]byte, sha256.BlockSize)
		copy(block, key)
		for i := range block {
			block[i] ^= pad
		}
		h := sha256.New()
		h.Write(block)
		state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("keep the HMAC state: %w", err)
		}
		out = append(out, state...)
	}
	return out, nil
}

// hmacWithKey is HMAC-SHA256(secret, msg) from hmacKey(secret).
func hmacWithKey(key []byte, msg string) ([]byte, error) {
	if len(key) == 0 || len(key)%2 != 0 {
		return nil, errors.New("no HMAC signing key")
	}
	half := len(key) / 2
	inner, outer := sha256.New(), sha256.New()
	if err := inner.(encoding.BinaryUnmarshaler).UnmarshalBinary(key[:half]); err != nil {
		return nil, fmt.Errorf("HMAC signing key: %w", err)
	}
	if err := outer.(encoding.BinaryUnmarshaler).UnmarshalBinary(key[half:]); err != nil {
		return nil, fmt.Errorf("HMAC signing key: %w", err)
	}
	inner.Write([]byte(msg))
	outer.Write(inner.Sum(nil))
	return outer.Sum(nil), nil
}

// DisconnectHookURL is the disconnect hook request of an integration of an
// account: rawURL with client_uuid, account_id and signature set (its own
// query kept), and client_id with client_uuid's value, since amoCRM's
// registration page names the parameter so (§11.7).
func DisconnectHookURL(rawURL, clientID string, accountID int64, key []byte) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	account := strconv.FormatInt(accountID, 10)
	sig, err := hmacWithKey(key, clientID+"|"+account)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("client_uuid", clientID)
	q.Set("client_id", clientID)
	q.Set("account_id", account)
	q.Set("signature", hex.EncodeToString(sig))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ListIntegrations lists an account's integrations, oldest first.
// Errors: not found (account).
func (a *Authority) ListIntegrations(ctx context.Context, accountID int64) ([]crm.IntegrationListing, error) {
	var out []crm.IntegrationListing
	err := a.store.View(ctx, accountID, func(tx crm.Tx) (err error) {
		if _, err := tx.Account(ctx); err != nil {
			return err
		}
		out, err = tx.Integrations(ctx)
		return err
	})
	return out, err
}

// Revocation is a revoked integration and its disconnect hook request.
type Revocation struct {
	Integration crm.Integration
	// HookURL is the signed disconnect hook request to send ("" when the
	// integration has no disconnect URL, or no signing key: made before
	// crmd kept one).
	HookURL string
}

// RevokeIntegration revokes one of an account's integrations: in one
// transaction its codes and refresh tokens stop working and its access
// tokens are deleted, and it is given no grant from then on; every crmd
// process on the database refuses them from the next request (the
// revocation advances the account's authentication epoch, see actorCache). Sending the hook is the caller's (it needs an
// HTTP client with an address policy). Errors: not found (account or
// integration), conflict (already revoked).
func (a *Authority) RevokeIntegration(ctx context.Context, accountID int64, clientID string) (Revocation, error) {
	var out Revocation
	err := a.store.Update(ctx, accountID, func(tx crm.Tx) (err error) {
		if out.Integration, err = tx.Integration(ctx, clientID); err != nil {
			return err
		}
		if err := tx.RevokeIntegration(ctx, out.Integration.ID); err != nil {
			return err
		}
		out.Integration.RevokedAt = tx.Now()
		return nil
	})
	if err != nil {
		return Revocation{}, err
	}
	a.seen.clear()
	if in := out.Integration; in.DisconnectURL != "" && len(in.SigningKey) > 0 {
		if out.HookURL, err = DisconnectHookURL(in.DisconnectURL, in.ClientID, in.AccountID, in.SigningKey); err != nil {
			return out, fmt.Errorf("revoked, but the disconnect hook cannot be signed: %w", err)
		}
	}
	return out, nil
}

// AccountHost is an account's host as amoCRM's referer and subdomain
// lookup name it ("example.amocrm.ru"): the subdomain on host (the host
// crmd is reached at: --public-url's, or the request's Host, port
// included), unless host already is the account's own.
func AccountHost(host, subdomain string) string {
	host = strings.ToLower(host)
	if strings.HasPrefix(host, subdomain+".") {
		return host
	}
	return subdomain + "." + host
}

// AccountDomain is the answer of amoCRM's subdomain lookup.
type AccountDomain struct {
	ID             int64  `json:"id"`
	Subdomain      string `json:"subdomain"`
	Domain         string `json:"domain"`
	TopLevelDomain string `json:"top_level_domain"`
}

// NewAccountDomain is the lookup's answer for an account reached at host
// (see AccountHost): top_level_domain is the host name's last label
// ("ru" of example.amocrm.ru, "localhost" of localhost:8080).
func NewAccountDomain(acc crm.Account, host string) AccountDomain {
	domain := AccountHost(host, acc.Subdomain)
	name := domain
	if h, _, err := net.SplitHostPort(domain); err == nil {
		name = h
	}
	tld := name[strings.LastIndexByte(name, '.')+1:]
	return AccountDomain{ID: acc.ID, Subdomain: acc.Subdomain, Domain: domain, TopLevelDomain: tld}
}

// unauthorizedToken is the subdomain lookup's answer to a bad token: the
// token endpoint's body, status 401.
func unauthorizedToken(hint string) *OAuthError { return badRequest(401, hint) }

// AccountByRefreshToken finds the account of a live refresh token, for
// GET /oauth2/account/current/subdomain (X-Refresh-Token) from the client
// address from. A refused lookup is an *OAuthError of status 401 (hints as
// the token endpoint's: "Invalid refresh token", "Token has been revoked",
// "Token has expired"), or an *OAuthLimitError; other errors are internal.
func (a *Authority) AccountByRefreshToken(ctx context.Context, token, from string) (crm.Account, error) {
	charged, err := a.chargeOAuth(ctx, "", from)
	if err != nil {
		return crm.Account{}, err
	}
	acc, err := a.accountByRefreshToken(ctx, token)
	a.settleOAuth(ctx, charged, err)
	return acc, err
}

func (a *Authority) accountByRefreshToken(ctx context.Context, token string) (crm.Account, error) {
	if token == "" {
		return crm.Account{}, unauthorizedToken("Invalid refresh token")
	}
	g, err := a.oauth.OAuthGrantByHash(ctx, crm.GrantRefresh, hash(token))
	if crm.KindOf(err) == crm.KindNotFound {
		return crm.Account{}, unauthorizedToken("Invalid refresh token")
	}
	if err != nil {
		return crm.Account{}, err
	}
	if !g.Used.IsZero() {
		return crm.Account{}, unauthorizedToken("Token has been revoked")
	}
	if !a.now().Before(g.ExpiresAt) {
		return crm.Account{}, unauthorizedToken("Token has expired")
	}
	var acc crm.Account
	err = a.store.View(ctx, g.AccountID, func(tx crm.Tx) (err error) {
		acc, err = tx.Account(ctx)
		return err
	})
	if crm.KindOf(err) == crm.KindNotFound {
		return crm.Account{}, unauthorizedToken("Invalid refresh token")
	}
	return acc, err
}

// AccountByAccessToken finds the account of an amoCRM bearer token (an
// OAuth access token or a long-lived one), for the deprecated GET
// /oauth2/account/subdomain. Refusals as AccountByRefreshToken's, the hint
// "Invalid access token".
func (a *Authority) AccountByAccessToken(ctx context.Context, token, from string) (crm.Account, error) {
	charged, err := a.chargeOAuth(ctx, "", from)
	if err != nil {
		return crm.Account{}, err
	}
	var acc crm.Account
	actor, err := a.AmoCRM(ctx, token)
	if crm.KindOf(err) == crm.KindUnauthorized {
		err = unauthorizedToken("Invalid access token")
	}
	if err == nil {
		err = a.store.View(ctx, actor.AccountID, func(tx crm.Tx) (err error) {
			acc, err = tx.Account(ctx)
			return err
		})
	}
	a.settleOAuth(ctx, charged, err)
	return acc, err
}
