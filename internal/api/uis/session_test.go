package uis_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestUISSessions: login.user by email or id opens a one-hour session whose
// token works like the user's key until it expires (by the store's clock);
// logout.user ends it.
func TestUISSessions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		base := time.Now().UTC().Truncate(time.Second)
		now := base
		env.Server.DB.Now = func() time.Time { return now }

		a := newAccount(t, env, "Sessions")
		u, err := env.Server.Authority.CreateUser(ctx, crm.NewUser{AccountID: a.id, Name: "Anna", Role: crm.RoleMember, Email: "Anna@Example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Server.Authority.SetPassword(ctx, u.UserID, "correct horse"); err != nil {
			t.Fatal(err)
		}
		if err := env.Server.Authority.SetPassword(ctx, a.admin, "admin password"); err != nil {
			t.Fatal(err)
		}

		login := func(login, password any) map[string]any {
			return call(t, env, "", "login.user", map[string]any{"login": login, "password": password})
		}
		data := ok(t, login("anna@example.com", "correct horse"))["data"].(map[string]any)
		token, _ := data["access_token"].(string)
		if token == "" || token == u.UISAccessToken {
			t.Fatalf("login data %v", data)
		}
		if jsonText(data["expire_at"]) != strconv.FormatInt(base.Add(time.Hour).Unix(), 10) {
			t.Errorf("expire_at %v, want now + 1 h (%d)", data["expire_at"], base.Add(time.Hour).Unix())
		}
		if jsonText(data["app_id"]) != strconv.FormatInt(a.id, 10) {
			t.Errorf("app_id %v, want the account %d", data["app_id"], a.id)
		}

		// The session acts as the member: it reads, and may not create.
		funnels(t, env, token, nil)
		wantErr(t, call(t, env, token, "create.sales_funnel", funnel("x", "X", "a")), -32003, "forbidden", "")
		// By id, as the administrator, it may.
		admin := ok(t, login(strconv.FormatInt(a.admin, 10), "admin password"))["data"].(map[string]any)["access_token"].(string)
		okCall(t, env, admin, "create.sales_funnel", funnel("x", "X", "a"))

		t.Run("wrong credentials", func(t *testing.T) {
			for _, tc := range [][2]any{{"anna@example.com", "wrong horse"}, {"nobody@example.com", "correct horse"},
				{strconv.FormatInt(u.UserID, 10), "admin password"}, {strconv.FormatInt(a.id+1000, 10), "x"}, {"", ""}} {
				e := wantErr(t, login(tc[0], tc[1]), -32001, "auth_error", "")
				if e.message != "Login or password is wrong" {
					t.Errorf("message %q", e.message)
				}
			}
			// A user without a password cannot log in.
			m := env.NewUser(t, a.id, crm.RoleMember)
			wantErr(t, login(strconv.FormatInt(m.UserID, 10), ""), -32001, "auth_error", "")
		})
		t.Run("params", func(t *testing.T) {
			wantErr(t, call(t, env, "", "login.user", map[string]any{"login": "anna@example.com"}), -32602, "required_parameter_missed", "password")
			wantErr(t, call(t, env, "", "login.user", map[string]any{"password": "x"}), -32602, "required_parameter_missed", "login")
			wantErr(t, login(5, "x"), -32602, "data_type_error", "login")
			wantErr(t, call(t, env, "", "login.user", map[string]any{"login": "a", "password": "b", "app_id": 1}), -32602, "unexpected_parameters", "app_id")
		})

		t.Run("expiry", func(t *testing.T) {
			now = base.Add(59 * time.Minute)
			funnels(t, env, token, nil)
			now = base.Add(time.Hour)
			e := wantErr(t, call(t, env, token, "get.sales_funnel", nil), -32001, "access_token_expired", "access_token")
			if e.message != "Access token has been expired" {
				t.Errorf("message %q", e.message)
			}
			wantErr(t, call(t, env, token, "logout.user", nil), -32001, "access_token_expired", "access_token")
			// Permanent keys do not expire.
			funnels(t, env, u.UISAccessToken, nil)
			// A new login gives a new hour.
			fresh := ok(t, login("ANNA@example.com", "correct horse"))["data"].(map[string]any)
			if jsonText(fresh["expire_at"]) != strconv.FormatInt(now.Add(time.Hour).Unix(), 10) {
				t.Errorf("expire_at %v", fresh["expire_at"])
			}
			token = fresh["access_token"].(string)
			funnels(t, env, token, nil)
			// Long-expired sessions are swept at a later login; then the
			// token is merely unknown.
			old := token
			now = now.Add(8 * 24 * time.Hour)
			ok(t, login("anna@example.com", "correct horse"))
			wantErr(t, call(t, env, old, "get.sales_funnel", nil), -32001, "access_token_invalid", "access_token")
		})

		t.Run("logout", func(t *testing.T) {
			s := ok(t, login("anna@example.com", "correct horse"))["data"].(map[string]any)["access_token"].(string)
			if d := okCall(t, env, s, "logout.user", nil); len(d.(map[string]any)) != 0 {
				t.Errorf("logout data %v, want {}", d)
			}
			wantErr(t, call(t, env, s, "get.sales_funnel", nil), -32001, "access_token_invalid", "access_token")
			wantErr(t, call(t, env, s, "logout.user", nil), -32001, "access_token_invalid", "access_token")
			// Logging out with a permanent key changes nothing.
			okCall(t, env, u.UISAccessToken, "logout.user", nil)
			funnels(t, env, u.UISAccessToken, nil)
			wantErr(t, call(t, env, u.UISAccessToken, "logout.user", map[string]any{"user_id": 1}), -32602, "unexpected_parameters", "user_id")
			wantErr(t, call(t, env, "", "logout.user", nil), -32602, "required_parameter_missed", "access_token")
		})
	})
}

// TestUISAgents: an agent's user acts for a user of one of its client
// accounts, named by user_id, which agents must send and nobody else may.
func TestUISAgents(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		agent := newAccount(t, env, "Agent")
		client := newAccount(t, env, "Client")
		other := newAccount(t, env, "Other")
		member := env.NewUser(t, client.id, crm.RoleMember)
		svc := env.Server.Service
		if err := svc.LinkAgent(ctx, agent.id, client.id); err != nil {
			t.Fatal(err)
		}
		if err := svc.LinkAgent(ctx, agent.id, client.id); crm.KindOf(err) != crm.KindConflict {
			t.Errorf("linking twice: %v, want conflict", err)
		}
		if err := svc.LinkAgent(ctx, agent.id, agent.id); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("linking to itself: %v, want invalid", err)
		}
		if err := svc.LinkAgent(ctx, agent.id, other.id+100); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("linking to no account: %v, want not found", err)
		}
		as := func(userID any, method string, params map[string]any) map[string]any {
			if params == nil {
				params = map[string]any{}
			}
			if userID != nil {
				params["user_id"] = userID
			}
			return call(t, env, agent.token, method, params)
		}

		// An agent must name a user.
		e := wantErr(t, as(nil, "get.sales_funnel", nil), -32602, "required_parameter_missed", "user_id")
		if e.message != "The required parameter has been missed" {
			t.Errorf("message %q", e.message)
		}
		// Acting as the client's administrator, it sees and changes the client's funnels.
		mine, _ := funnels(t, env, client.token, nil)
		got := ok(t, as(client.admin, "get.sales_funnel", nil))["data"].([]any)
		if d := diff(extIDs(mine), extIDs(got)); d != "" {
			t.Errorf("agent sees other funnels than the client:\n%s", d)
		}
		ok(t, as(client.admin, "create.sales_funnel", funnel("by-agent", "By agent", "a")))
		if data, _ := funnels(t, env, client.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": "by-agent"}}); len(data) != 1 {
			t.Errorf("the client does not see the agent's funnel")
		}
		if data, _ := funnels(t, env, other.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": "by-agent"}}); len(data) != 0 {
			t.Errorf("another account sees the agent's funnel")
		}
		// user_id as a string of digits (one UIS page types it so).
		ok(t, as(strconv.FormatInt(client.admin, 10), "get.sales_funnel", nil))
		// Acting as a member, it has the member's rights.
		wantErr(t, as(member.UserID, "create.sales_funnel", funnel("m", "M", "a")), -32003, "forbidden", "")
		ok(t, as(member.UserID, "get.sales_funnel", nil))

		// Users outside its clients are forbidden.
		for name, id := range map[string]int64{"another account's user": other.admin, "its own user": agent.admin, "no such user": other.admin + 1000} {
			t.Run(name, func(t *testing.T) {
				e := wantErr(t, as(id, "get.sales_funnel", nil), -32003, "forbidden", "user_id")
				if jsonText(e.value) != strconv.FormatInt(id, 10) {
					t.Errorf("value %v", e.value)
				}
			})
		}
		wantErr(t, as("abc", "get.sales_funnel", nil), -32602, "data_type_error", "user_id")
		wantErr(t, as(0, "get.sales_funnel", nil), -32602, "invalid_parameter_value", "user_id")
		wantErr(t, as(true, "get.sales_funnel", nil), -32602, "data_type_error", "user_id")

		// A client (not an agent) may not send user_id, not even its own.
		wantErr(t, call(t, env, client.token, "get.sales_funnel", map[string]any{"user_id": client.admin}), -32003, "forbidden", "user_id")

		// An agent's session works the same way.
		if err := env.Server.Authority.SetPassword(ctx, agent.admin, "agent password"); err != nil {
			t.Fatal(err)
		}
		s := ok(t, call(t, env, "", "login.user", map[string]any{"login": strconv.FormatInt(agent.admin, 10), "password": "agent password"}))["data"].(map[string]any)
		if jsonText(s["app_id"]) != strconv.FormatInt(agent.id, 10) {
			t.Errorf("app_id %v", s["app_id"])
		}
		token := s["access_token"].(string)
		wantErr(t, call(t, env, token, "get.sales_funnel", nil), -32602, "required_parameter_missed", "user_id")
		ok(t, call(t, env, token, "get.sales_funnel", map[string]any{"user_id": client.admin}))
	})
}
