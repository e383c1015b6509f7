package amocrm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of users and roles (core §8) and X-Context-User-ID (core §1.4). A
// user list with every with= value is a golden file,
// testdata/users_list.golden.json.

const (
	usersPath = "/api/v4/users"
	rolesPath = "/api/v4/roles"
)

// newUser adds a user with profile details to the account.
func newUser(t testing.TB, env *crmtest.Env, accountID int64, n crm.NewUser) auth.UserCredentials {
	t.Helper()
	n.AccountID = accountID
	creds, err := env.Server.Authority.CreateUser(context.Background(), n)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return creds
}

// TestV4Users checks GET /api/v4/users and /users/{id}: the envelope with
// _total_items and _page_count, the user model and its with= fields, the
// rights of an administrator and a member, paging and 204s.
func TestV4Users(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Users", "")
		olga := newUser(t, env, acc.AccountID, crm.NewUser{Name: "Ольга", Surname: "Иванова", Email: "olga@example.ru",
			Phone: "101", Role: crm.RoleMember})
		member := env.AmoCRM(olga.AmoCRMToken)

		list := acc.api.Get(t, usersPath+"?with=role,group,uuid,amojo_id,user_rank,phone_number").HAL(200).Golden("users_list").
			Keys("", "_total_items", "_page", "_page_count", "_links", "_embedded").
			Equal("_total_items", 2).Equal("_page", 1).Equal("_page_count", 1).
			Equal("_embedded.users.*.id", []int64{acc.UserID, olga.UserID})
		admin, user := list.Sub("_embedded.users.0"), list.Sub("_embedded.users.1")
		admin.Equal("rights.is_admin", true).Equal("_embedded.roles", []any{}).Equal("_embedded.groups", []any{})
		user.Equal("name", "Ольга Иванова").Equal("email", "olga@example.ru").Equal("lang", "ru").Equal("phone_number", "101").
			Equal("uuid", nil).Equal("amojo_id", nil).Equal("user_rank", nil).
			Equal("rights.is_admin", false).Equal("rights.is_active", true).Equal("rights.is_free", false).
			Equal("rights.group_id", nil).Equal("rights.role_id", nil).
			Equal("_links.self.href", env.URL+usersPath+"/"+itoa(olga.UserID))
		admin.Equal("phone_number", nil) // the administrator has no phone
		// Both may do everything with records: crmd restricts no one by
		// ownership, group or status.
		for _, u := range []crmtest.JSON{admin, user} {
			for _, entity := range []string{"leads", "contacts", "companies"} {
				u.Equal("rights."+entity, map[string]any{"view": "A", "edit": "A", "add": "A", "delete": "A", "export": "A"})
			}
			u.Equal("rights.tasks", map[string]any{"edit": "A", "delete": "A"}).
				Equal("rights.mail_access", false).Equal("rights.catalog_access", false)
		}
		// status_rights: every status of every lead pipeline, the unsorted
		// status without export.
		pipelines := acc.api.Get(t, pipelinesPath).HAL(200)
		var want []any
		for _, p := range pipelines.List("_embedded.pipelines") {
			for _, st := range p.List("_embedded.statuses") {
				rights := map[string]any{"view": "A", "edit": "A", "delete": "A", "export": "A"}
				if st.Int("type") == 1 {
					delete(rights, "export")
				}
				want = append(want, map[string]any{"entity_type": "leads", "pipeline_id": p.Int("id"), "status_id": st.Int("id"), "rights": rights})
			}
		}
		if len(want) == 0 {
			t.Fatal("the account has no lead statuses to check status_rights with")
		}
		user.Equal("rights.status_rights", want)

		// Without with=, none of its fields and no _embedded.
		acc.api.Get(t, usersPath+"/"+itoa(olga.UserID)).HAL(200).Keys("", "id", "name", "email", "lang", "rights", "_links").
			Keys("rights", "leads", "contacts", "companies", "tasks", "mail_access", "catalog_access", "status_rights",
				"is_admin", "is_free", "is_active", "group_id", "role_id")
		acc.api.Get(t, usersPath+"/"+itoa(acc.UserID)+"?with=role").HAL(200).Equal("_embedded", map[string]any{"roles": []any{}})

		// A member reads the users too (core §8's [inferred]).
		member.Get(t, usersPath).HAL(200).Equal("_total_items", 2)
		member.Get(t, usersPath+"/"+itoa(acc.UserID)).HAL(200).Equal("name", "Administrator")

		// Paging.
		acc.api.Get(t, usersPath+"?limit=1").HAL(200).Equal("_embedded.users.*.id", []int64{acc.UserID}).
			Equal("_page_count", 2).Equal("_links.next.href", env.URL+usersPath+"?page=2&limit=1")
		last := acc.api.Get(t, usersPath+"?limit=1&page=2&with=role").HAL(200).Equal("_embedded.users.*.id", []int64{olga.UserID}).
			Equal("_links.prev.href", env.URL+usersPath+"?page=1&limit=1&with=role")
		if last.Has("_links.next") {
			t.Errorf("the last page links a next page: %s", last.Body)
		}
		nothing(acc.api.Get(t, usersPath+"?limit=1&page=3"))

		// Errors.
		nothing(acc.api.Get(t, usersPath+"/99999999"))
		acc.api.Get(t, usersPath+"/x").Problem(404)
		acc.api.Get(t, usersPath+"?limit=300").WantViolations(crmtest.Violated("0", "OutOfRange", "limit"))
		acc.api.Get(t, usersPath+"?page=0").WantViolations(crmtest.Violated("0", "OutOfRange", "page"))
		acc.api.Get(t, usersPath+"?limit=x").WantViolations(crmtest.Violated("0", "InvalidType", "limit"))
		acc.api.Get(t, usersPath+"?filter[id]=1").WantViolations(crmtest.Violated("0", "FieldNotExpected", "filter[id]"))
		for _, c := range badClients(env, acc) {
			c.api.Get(t, usersPath).Problem(401)
			c.api.Get(t, usersPath+"/"+itoa(acc.UserID)).Problem(401)
		}
		acc.api.Delete(t, usersPath+"/"+itoa(olga.UserID)).Problem(405)
		r := acc.api.Patch(t, usersPath, `[]`).Problem(405)
		if got := r.Header.Get("Allow"); got != "GET, POST" {
			t.Errorf("Allow %q, want GET, POST", got)
		}

		// Another account's user is nobody here.
		other := newAccount(t, env, "Other", "")
		nothing(other.api.Get(t, usersPath+"/"+itoa(olga.UserID)))
		other.api.Get(t, usersPath).HAL(200).Equal("_embedded.users.*.id", []int64{other.UserID})
	})
}

// TestV4UserWritesRefused checks that POST /api/v4/users and the role
// writes answer 403 (not served, see users.go) to every user, after
// authentication and before the body is read, and write nothing.
func TestV4UserWritesRefused(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Writes", "")
		member := acc.member(t, env)
		// §8.2's documented POST body.
		body := `[{"name":"Example user","email":"example@mail.com","password":"Example1","lang":"en",
			"rights":{"leads":{"view":"A","edit":"A","add":"A","delete":"A","export":"A"},"is_admin":false},"request_id":"0"}]`
		for _, api := range []*crmtest.Client{acc.api, member} {
			detail := api.Post(t, usersPath, body).Problem(403).Str("detail")
			if detail != "Access denied: users and roles are managed by crmd's administrator (crmd user create), not through the API" {
				t.Errorf("detail %q", detail)
			}
			api.Post(t, usersPath, `not json`).Problem(403)
			api.Post(t, rolesPath, `[{"name":"Manager","rights":{}}]`).Problem(403)
			api.Patch(t, rolesPath+"/1", `{"name":"x"}`).Problem(403)
			api.Delete(t, rolesPath+"/1").Problem(403)
		}
		env.AmoCRM("bad").Post(t, usersPath, body).Problem(401)
		env.AmoCRM("bad").Delete(t, rolesPath+"/1").Problem(401)
		acc.api.Get(t, usersPath).HAL(200).Equal("_total_items", 2)
	})
}

// TestV4Roles checks GET /api/v4/roles[/{id}]: crmd has no roles, so an
// administrator gets amoCRM's 204; a member gets §8's 403.
func TestV4Roles(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Roles", "")
		member := acc.member(t, env)
		nothing(acc.api.Get(t, rolesPath))
		nothing(acc.api.Get(t, rolesPath+"?with=users&page=1&limit=10"))
		nothing(acc.api.Get(t, rolesPath+"/1"))
		nothing(acc.api.Get(t, rolesPath+"/1?with=users"))
		acc.api.Get(t, rolesPath+"?limit=0").WantViolations(crmtest.Violated("0", "OutOfRange", "limit"))
		acc.api.Get(t, rolesPath+"?filter[name]=x").WantViolations(crmtest.Violated("0", "FieldNotExpected", "filter[name]"))
		acc.api.Get(t, rolesPath+"/x").Problem(404)
		member.Get(t, rolesPath).Problem(403)
		member.Get(t, rolesPath+"/1").Problem(403)
		env.AmoCRM("").Get(t, rolesPath).Problem(401)
	})
}

// TestV4ContextUser checks X-Context-User-ID (core §1.4): an
// administrator's token acts as the named user, with that user's rights;
// an unknown user is amoCRM's authorization error; a member may not act
// as anyone else.
func TestV4ContextUser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Context", "segments")
		olga := newUser(t, env, acc.AccountID, crm.NewUser{Name: "Olga", Role: crm.RoleMember})
		second := newUser(t, env, acc.AccountID, crm.NewUser{Name: "Second admin", Role: crm.RoleAdmin})
		as := func(api *crmtest.Client, id any) *crmtest.Client {
			return api.With(fmt.Sprintf("X-Context-User-ID: %v", id))
		}
		asOlga := as(acc.api, olga.UserID)

		// The call runs as Olga: the account names her, what she writes is hers.
		asOlga.Get(t, accountPath).HAL(200).Equal("current_user_id", olga.UserID)
		id := addCustomer(t, asOlga, `{"name":"Hers"}`)
		acc.api.Get(t, customerPath(id)).HAL(200).Equal("created_by", olga.UserID).Equal("responsible_user_id", olga.UserID)
		// With her rights: a member may not change pipelines.
		asOlga.Post(t, pipelinesPath, `[{"name":"P"}]`).Problem(403)
		asOlga.Get(t, rolesPath).Problem(403)
		// Another administrator keeps administrator rights.
		as(acc.api, second.UserID).Get(t, accountPath).HAL(200).Equal("current_user_id", second.UserID)
		nothing(as(acc.api, second.UserID).Get(t, rolesPath))
		// An empty header is no header; naming oneself changes nothing.
		as(acc.api, "").Get(t, accountPath).HAL(200).Equal("current_user_id", acc.UserID)
		as(acc.api, acc.UserID).Get(t, accountPath).HAL(200).Equal("current_user_id", acc.UserID)
		member := env.AmoCRM(olga.AmoCRMToken)
		as(member, olga.UserID).Get(t, accountPath).HAL(200).Equal("current_user_id", olga.UserID)

		// Unknown users are refused as a bad token is, whatever the path.
		other := newAccount(t, env, "Other", "")
		for _, bad := range []any{99999999, "x", 0, -1, other.UserID} {
			as(acc.api, bad).Get(t, accountPath).Problem(401).Equal("detail", "Неверный логин или пароль")
			as(acc.api, bad).Post(t, customersPath, `[{"name":"never"}]`).Problem(401)
			v2Error(t, as(acc.api, bad).Get(t, v2CustomersPath), 401, "110") // amoCRM's "wrong login" code
		}
		// A member's token may not act as another user.
		as(member, acc.UserID).Get(t, accountPath).Problem(403)
		as(member, 99999999).Get(t, accountPath).Problem(403)
		// Nothing was written by the refused calls.
		acc.api.Get(t, customersPath).HAL(200).Equal("_embedded.customers.*.id", []int64{id})
	})
}

// TestV4UserExampleShape checks a user against core §8.2's example: the
// same keys in the model (with=role,group), in rights, in a status_rights
// entry and in the list envelope.
func TestV4UserExampleShape(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Shape", "")
		example := crmtest.ParseJSON(t, `{"id":123123,"name":"Example user","email":"example2@mail.com","lang":"en",
 "rights":{"leads":{"view":"A","edit":"A","add":"A","delete":"A","export":"A"},
           "contacts":{"view":"A","edit":"A","add":"A","delete":"A","export":"A"},
           "companies":{"view":"A","edit":"A","add":"A","delete":"A","export":"A"},
           "tasks":{"edit":"A","delete":"A"},"mail_access":false,"catalog_access":false,
           "status_rights":[{"entity_type":"leads","pipeline_id":2194576,"status_id":30846277,
                             "rights":{"view":"A","edit":"A","delete":"A"}}],
           "is_admin":false,"is_free":false,"is_active":true,"group_id":null,"role_id":null},
 "_links":{"self":{"href":"https://example.amocrm.ru/api/v4/users/123123"}},
 "_embedded":{"roles":[{"id":3141,"name":"Manager","_links":{"self":{"href":"https://example.amocrm.ru/api/v4/roles/3141"}}}],
              "groups":[{"id":267688,"name":"Managers"}]}}`)
		olga := newUser(t, env, acc.AccountID, crm.NewUser{Name: "Olga", Role: crm.RoleMember})
		for _, id := range []int64{acc.UserID, olga.UserID} {
			got := acc.api.Get(t, usersPath+"/"+itoa(id)+"?with=role,group").HAL(200)
			for _, path := range []string{"", "rights", "rights.leads", "rights.contacts", "rights.companies", "rights.tasks",
				"rights.status_rights.0", "_links", "_embedded"} {
				got.Keys(path, crmtest.Keys(example.Obj(path))...)
			}
		}
		// §8.2's list envelope.
		env.AmoCRM(olga.AmoCRMToken).Get(t, usersPath).HAL(200).Keys("", "_total_items", "_page", "_page_count", "_links", "_embedded").Keys("_embedded", "users")
	})
}
