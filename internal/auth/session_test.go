package auth_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestUISPasswordHash: PBKDF2 hashes are salted and checked exactly.
func TestUISPasswordHash(t *testing.T) {
	h1, err := auth.HashPassword("пароль-123")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := auth.HashPassword("пароль-123")
	if h1 == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !strings.HasPrefix(h1, "pbkdf2-sha256$600000$") {
		t.Errorf("hash %q", h1)
	}
	if !auth.CheckPassword(h1, "пароль-123") || !auth.CheckPassword(h2, "пароль-123") {
		t.Error("the right password is refused")
	}
	parts := strings.Split(h1, "$")
	for name, h := range map[string]string{
		"wrong password": "", "other scheme": "bcrypt$" + strings.Join(parts[1:], "$"),
		"bad iterations": strings.Join([]string{parts[0], "x", parts[2], parts[3]}, "$"),
		"bad salt":       strings.Join([]string{parts[0], parts[1], "!!", parts[3]}, "$"),
		"other salt":     strings.Join([]string{parts[0], parts[1], strings.Split(h2, "$")[2], parts[3]}, "$"),
		"truncated":      strings.Join(parts[:3], "$"),
	} {
		pw := "пароль-123"
		if name == "wrong password" {
			h, pw = h1, "пароль-124"
		}
		if auth.CheckPassword(h, pw) {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestUISLoginSessions: passwords, login by id or email, sessions that
// expire by the store's clock, logout.
func TestUISLoginSessions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		env.Server.DB.Now = func() time.Time { return now }
		a := env.Server.Authority
		acc := env.NewAccount(t, "Auth")
		other := env.NewAccount(t, "Other")
		mk := func(accountID int64, email string) auth.UserCredentials {
			u, err := a.CreateUser(ctx, crm.NewUser{AccountID: accountID, Name: "U", Role: crm.RoleMember, Email: email})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		u := mk(acc.AccountID, "Shared@Example.com")
		twin := mk(other.AccountID, "shared@example.com")

		if err := a.SetPassword(ctx, u.UserID, "short"); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("short password: %v", err)
		}
		if err := a.SetPassword(ctx, twin.UserID+1000, "long enough"); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("no such user: %v", err)
		}
		if _, err := a.Login(ctx, "shared@example.com", "first password", ""); err != auth.ErrWrongLogin {
			t.Errorf("login before any password: %v", err)
		}
		for _, step := range []struct {
			user int64
			pw   string
		}{{u.UserID, "first password"}, {twin.UserID, "second password"}} {
			if err := a.SetPassword(ctx, step.user, step.pw); err != nil {
				t.Fatal(err)
			}
		}
		// One email, two accounts: the password tells them apart.
		for _, tc := range []struct {
			login, pw string
			want      int64
		}{
			{"shared@example.com", "first password", u.UserID},
			{"SHARED@example.com ", "second password", twin.UserID},
			{strconv.FormatInt(twin.UserID, 10), "second password", twin.UserID},
		} {
			actor, err := a.Login(ctx, tc.login, tc.pw, "")
			if err != nil || actor.UserID != tc.want || actor.Role != crm.RoleMember {
				t.Errorf("login %q: %+v %v, want user %d", tc.login, actor, err, tc.want)
			}
		}
		if _, err := a.Login(ctx, strconv.FormatInt(u.UserID, 10), "second password", ""); err != auth.ErrWrongLogin {
			t.Errorf("another user's password: %v", err)
		}
		// The same password for both: ambiguous, refused (log in by id).
		if err := a.SetPassword(ctx, twin.UserID, "first password"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Login(ctx, "shared@example.com", "first password", ""); err != auth.ErrWrongLogin {
			t.Errorf("ambiguous login: %v", err)
		}

		actor, _ := a.Login(ctx, strconv.FormatInt(u.UserID, 10), "first password", "")
		token, expires, err := a.StartSession(ctx, actor)
		if err != nil || !expires.Equal(now.Add(auth.SessionTTL)) || auth.SessionTTL != time.Hour {
			t.Fatalf("session %q %v %v", token, expires, err)
		}
		if got, err := a.UISToken(ctx, token); err != nil || got != actor {
			t.Errorf("session token: %+v %v", got, err)
		}
		if got, err := a.UISToken(ctx, u.UISAccessToken); err != nil || got.UserID != u.UserID {
			t.Errorf("permanent token: %+v %v", got, err)
		}
		if _, err := a.UISToken(ctx, "nope"); crm.KindOf(err) != crm.KindUnauthorized || auth.IsExpired(err) {
			t.Errorf("unknown token: %v", err)
		}
		now = now.Add(time.Hour)
		if _, err := a.UISToken(ctx, token); !auth.IsExpired(err) {
			t.Errorf("after an hour: %v, want expired", err)
		}
		if err := a.Logout(ctx, token); !auth.IsExpired(err) {
			t.Errorf("logout after an hour: %v, want expired", err)
		}
		token, _, _ = a.StartSession(ctx, actor)
		if err := a.Logout(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := a.UISToken(ctx, token); crm.KindOf(err) != crm.KindUnauthorized || auth.IsExpired(err) {
			t.Errorf("after logout: %v, want unauthorized", err)
		}
		if err := a.Logout(ctx, u.UISAccessToken); err != nil {
			t.Errorf("logout with a permanent key: %v", err)
		}
		if _, err := a.UISToken(ctx, u.UISAccessToken); err != nil {
			t.Errorf("permanent key after logout: %v", err)
		}
	})
}
