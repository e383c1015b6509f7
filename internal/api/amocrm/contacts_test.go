package amocrm_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

var (
	v4ContactKeys = []string{"_links", "account_id", "created_at", "created_by", "first_name", "id", "last_name", "name",
		"responsible_user_id", "updated_at", "updated_by"}
	v4CompanyKeys = []string{"_links", "account_id", "created_at", "created_by", "id", "name", "responsible_user_id",
		"updated_at", "updated_by"}
)

// TestV4Contacts checks the minimal contacts API: POST, GET list and by id.
// It works whatever the customers mode.
func TestV4Contacts(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Contacts")
		tok := acc.AmoCRMToken
		other := env.NewUser(t, acc.AccountID, crm.RoleMember)
		const path = "/api/v4/contacts"
		page := v4Do(t, env, "GET", path, tok, "", 200)
		if len(v4Items(t, page, "contacts")) != 0 || sgIntOf(t, page, "_total_items") != 0 {
			t.Errorf("empty contacts list %v", page)
		}
		before := time.Now().Unix()
		resp := v4Do(t, env, "POST", path, tok, fmt.Sprintf(`[{"name":"Ivan Petrov"},
			{"first_name":"Anna","last_name":"Smirnova","responsible_user_id":%d,"request_id":"x"}]`, other.UserID), 200)
		if got := sgKeys(resp); !reflect.DeepEqual(got, []string{"_embedded", "_links"}) {
			t.Errorf("POST keys %v", got)
		}
		if got := v4Self(t, resp); got != env.URL+path {
			t.Errorf("POST self %s", got)
		}
		items := v4Items(t, resp, "contacts")
		for i, rid := range []string{"0", "x"} {
			if got := sgKeys(items[i]); !reflect.DeepEqual(got, []string{"_links", "id", "request_id"}) {
				t.Errorf("item keys %v", got)
			}
			if items[i]["request_id"] != rid || v4Self(t, items[i]) != env.URL+path+"/"+sgID(t, items[i]) {
				t.Errorf("item %d: %v", i, items[i])
			}
		}
		ids := v4IDs(t, items)
		anna := v4Do(t, env, "GET", fmt.Sprintf("%s/%d", path, ids[1]), tok, "", 200)
		if got := sgKeys(anna); !reflect.DeepEqual(got, v4ContactKeys) {
			t.Errorf("contact keys %v", got)
		}
		v4Equal(t, "contact", map[string]any{"id": anna["id"], "name": anna["name"], "first_name": anna["first_name"],
			"last_name": anna["last_name"], "responsible_user_id": anna["responsible_user_id"], "created_by": anna["created_by"],
			"updated_by": anna["updated_by"], "account_id": anna["account_id"], "self": v4Self(t, anna)},
			fmt.Sprintf(`{"id":%d,"name":"Anna Smirnova","first_name":"Anna","last_name":"Smirnova","responsible_user_id":%d,
			"created_by":%d,"updated_by":%d,"account_id":%d,"self":"%s%s/%d"}`,
				ids[1], other.UserID, acc.UserID, acc.UserID, acc.AccountID, env.URL, path, ids[1]))
		if ts := sgIntOf(t, anna, "created_at"); ts < before-1 || ts > time.Now().Unix()+1 {
			t.Errorf("created_at %d", ts)
		}
		ivan := v4Do(t, env, "GET", fmt.Sprintf("%s/%d", path, ids[0]), tok, "", 200)
		if ivan["name"] != "Ivan Petrov" || sgIntOf(t, ivan, "responsible_user_id") != acc.UserID {
			t.Errorf("contact %v", ivan)
		}

		page = v4Do(t, env, "GET", path, tok, "", 200)
		if got := v4IDs(t, v4Items(t, page, "contacts")); !reflect.DeepEqual(got, ids) {
			t.Errorf("list %v, want %v", got, ids)
		}
		page = v4Do(t, env, "GET", path+"?limit=1&page=2", tok, "", 200)
		if got := v4IDs(t, v4Items(t, page, "contacts")); !reflect.DeepEqual(got, ids[1:]) || sgIntOf(t, page, "_total_items") != 2 {
			t.Errorf("page 2: %v", page)
		}
		if got := sgHref(t, page, "prev"); got != env.URL+path+"?page=1&limit=1" {
			t.Errorf("prev %s", got)
		}
		page = v4Do(t, env, "GET", fmt.Sprintf("%s?filter[id][]=%d", path, ids[1]), tok, "", 200)
		if got := v4IDs(t, v4Items(t, page, "contacts")); !reflect.DeepEqual(got, ids[1:]) {
			t.Errorf("filter[id]: %v", got)
		}

		sgViolations(t, env.Do(t, "POST", path, tok, `[{"first_name":" "}]`), sgViolation{"0", "NotBlank", "name"})
		sgViolations(t, env.Do(t, "POST", path, tok, `[{"name":"ok"},{"name":"x","responsible_user_id":99999999,"request_id":"r"}]`),
			sgViolation{"r", "NotSupportedChoice", "responsible_user_id"})
		sgViolations(t, env.Do(t, "POST", path, tok, `[{"name":5}]`), sgViolation{"0", "InvalidType", "name"})
		sgViolations(t, env.Do(t, "POST", path, tok, `[]`), sgViolation{"0", "FieldMissing", ""})
		sgProblem(t, env.Do(t, "POST", path, tok, `[{"name":"`+strings.Repeat("x", 1<<20)+`"}]`), http.StatusRequestEntityTooLarge)
		sgProblem(t, env.Do(t, "POST", path, tok, `[`), http.StatusBadRequest)
		sgProblem(t, env.Do(t, "GET", path+"?limit=300", tok, ""), http.StatusBadRequest)
		sgProblem(t, env.Do(t, "GET", path+"/99999999", tok, ""), http.StatusNotFound)
		sgProblem(t, env.Do(t, "GET", path, "", ""), http.StatusUnauthorized)
		if got := sgIntOf(t, v4Do(t, env, "GET", path, tok, "", 200), "_total_items"); got != 2 {
			t.Errorf("failed POSTs added contacts: %d", got)
		}
	})
}

// TestV4Companies checks the minimal companies API.
func TestV4Companies(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Companies")
		tok := acc.AmoCRMToken
		const path = "/api/v4/companies"
		items := v4Items(t, v4Do(t, env, "POST", path, tok, `[{"name":"Acme","request_id":"a"},{"name":"Initech"}]`, 200), "companies")
		if items[0]["request_id"] != "a" || items[1]["request_id"] != "1" {
			t.Errorf("items %v", items)
		}
		ids := v4IDs(t, items)
		co := v4Do(t, env, "GET", fmt.Sprintf("%s/%d", path, ids[0]), tok, "", 200)
		if got := sgKeys(co); !reflect.DeepEqual(got, v4CompanyKeys) {
			t.Errorf("company keys %v", got)
		}
		if co["name"] != "Acme" || sgIntOf(t, co, "responsible_user_id") != acc.UserID || sgIntOf(t, co, "account_id") != acc.AccountID ||
			sgIntOf(t, co, "created_by") != acc.UserID || v4Self(t, co) != fmt.Sprintf("%s%s/%d", env.URL, path, ids[0]) {
			t.Errorf("company %v", co)
		}
		page := v4Do(t, env, "GET", path+"?limit=1", tok, "", 200)
		if got := v4IDs(t, v4Items(t, page, "companies")); !reflect.DeepEqual(got, ids[:1]) || sgHref(t, page, "next") != env.URL+path+"?page=2&limit=1" {
			t.Errorf("page 1 %v", page)
		}
		sgViolations(t, env.Do(t, "POST", path, tok, `[{"responsible_user_id":1}]`), sgViolation{"0", "FieldMissing", "name"})
		sgViolations(t, env.Do(t, "POST", path, tok, `[{"name":""}]`), sgViolation{"0", "NotBlank", "name"})
		sgProblem(t, env.Do(t, "GET", path+"/99999999", tok, ""), http.StatusNotFound)
		sgProblem(t, env.Do(t, "GET", path+"/x", tok, ""), http.StatusNotFound)
		sgProblem(t, env.Do(t, "POST", path, "bad", `[{"name":"x"}]`), http.StatusUnauthorized)
	})
}

// TestV4ContactsIsolation checks that contacts and companies stay in their account.
func TestV4ContactsIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := env.NewAccount(t, "A").AmoCRMToken
		b := env.NewAccount(t, "B").AmoCRMToken
		contact := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/contacts", a, `[{"name":"A person"}]`, 200), "contacts"))[0]
		company := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/companies", a, `[{"name":"A firm"}]`, 200), "companies"))[0]
		sgProblem(t, env.Do(t, "GET", fmt.Sprintf("/api/v4/contacts/%d", contact), b, ""), 404)
		sgProblem(t, env.Do(t, "GET", fmt.Sprintf("/api/v4/companies/%d", company), b, ""), 404)
		for _, p := range []string{"/api/v4/contacts", "/api/v4/companies", fmt.Sprintf("/api/v4/contacts?filter[id]=%d", contact)} {
			page := v4Do(t, env, "GET", p, b, "", 200)
			if sgIntOf(t, page, "_total_items") != 0 {
				t.Errorf("B's %s: %v", p, page)
			}
		}
	})
}
