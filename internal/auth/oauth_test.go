package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestOAuthGrantRetention: an expired code or refresh token is still known
// (its own "expired" answer) for a week, and is deleted once a grant issued
// after that week sweeps it, after which it is simply unknown.
func TestOAuthGrantRetention(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		env.Server.DB.Now = func() time.Time { return now }
		a := env.Server.Authority
		acc := env.NewAccount(t, "OAuth")
		creds, err := a.CreateIntegration(ctx, acc.AccountID, auth.NewIntegration{Name: "App", RedirectURI: "https://app.example/cb"})
		if err != nil {
			t.Fatal(err)
		}
		authorize := func() string {
			t.Helper()
			code, err := a.Authorize(ctx, acc.UserID, creds.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			return code
		}
		request := func(grant, value string) auth.TokenRequest {
			r := auth.TokenRequest{ClientID: creds.ClientID, ClientSecret: creds.ClientSecret, GrantType: grant,
				RedirectURI: "https://app.example/cb"}
			if grant == "authorization_code" {
				r.Code = value
			} else {
				r.RefreshToken = value
			}
			return r
		}
		refusedWith := func(what string, r auth.TokenRequest, hint string) {
			t.Helper()
			_, err := a.Token(ctx, r, "")
			var refused *auth.OAuthError
			if !errors.As(err, &refused) || refused.Hint != hint {
				t.Errorf("%s: %v, want the hint %q", what, err, hint)
			}
		}
		week := 7 * 24 * time.Hour

		code := authorize()
		pair, err := a.Token(ctx, request("authorization_code", authorize()), "")
		if err != nil {
			t.Fatal(err)
		}
		start := now

		now = start.Add(auth.OAuthCodeTTL + week - time.Hour)
		authorize() // sweeps: the code expired less than a week ago
		refusedWith("a code expired for days", request("authorization_code", code), "Authorization code has expired")
		now = start.Add(auth.OAuthCodeTTL + week + time.Hour)
		authorize() // sweeps it
		refusedWith("a code expired over a week ago", request("authorization_code", code), "Cannot decrypt the authorization code")

		now = start.Add(auth.OAuthRefreshTTL + week - time.Hour)
		if _, err := a.Token(ctx, request("authorization_code", authorize()), ""); err != nil {
			t.Fatal(err)
		}
		refusedWith("a refresh token expired for days", request("refresh_token", pair.RefreshToken), "Token has expired")
		now = start.Add(auth.OAuthRefreshTTL + week + time.Hour)
		if _, err := a.Token(ctx, request("authorization_code", authorize()), ""); err != nil {
			t.Fatal(err)
		}
		refusedWith("a refresh token expired over a week ago", request("refresh_token", pair.RefreshToken), "Invalid refresh token")
	})
}
