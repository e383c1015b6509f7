package amocrm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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

// cxEnvybox calls an Envybox method of the account with key and returns the
// id in result.<what>.id (client/create) or fails the test.
func cxEnvybox(t *testing.T, env *crmtest.Env, key, path, request string) *crmtest.Response {
	t.Helper()
	resp := env.Do(t, "POST", "/openapi/v1/"+path+"?api_key="+key, "", `{"request": `+request+`}`)
	if resp.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", path, request, resp.Status, resp.Body)
	}
	return resp
}

// cxClient makes an Envybox client (an amoCRM contact) with phones and
// emails and returns its id.
func cxClient(t *testing.T, env *crmtest.Env, key, request string) int64 {
	t.Helper()
	var out struct {
		Result struct {
			Client struct {
				ID int64 `json:"id"`
			} `json:"client"`
		} `json:"result"`
	}
	if err := json.Unmarshal(cxEnvybox(t, env, key, "client/create/", request).Body, &out); err != nil || out.Result.Client.ID == 0 {
		t.Fatalf("client/create: %v", err)
	}
	return out.Result.Client.ID
}

// cxList lists path with the raw query string and returns the ids.
func cxList(t *testing.T, env *crmtest.Env, tok, path, key, query string) []int64 {
	t.Helper()
	return v4IDs(t, v4Items(t, v4Do(t, env, "GET", path+"?"+query, tok, "", 200), key))
}

// TestV4ContactsQuery checks amoCRM's query on contacts: a literal,
// case-insensitive substring of the name, first and last names, values
// and contact data, phones in any spelling. It used to be ignored: every
// contact came back, and an integration looking a contact up by phone
// linked the first one.
func TestV4ContactsQuery(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Query")
		tok := acc.AmoCRMToken
		const path = "/api/v4/contacts"
		ivan := cxClient(t, env, acc.EnvyboxAPIKey, `{"name": "Ivan Petrov", "phone": "+7 (499) 322-97-10", "email": "Ivan.Petrov@Example.com"}`)
		anna := cxClient(t, env, acc.EnvyboxAPIKey, `{"name": "Анна Смирнова", "phones": ["8 912 345-67-89"], "emails": ["anna@example.ru"]}`)
		amo := v4IDs(t, v4Items(t, v4Do(t, env, "POST", path, tok,
			`[{"first_name":"Olga","last_name":"50%_off\\x"},{"name":"Olga 50a_off"}]`, 200), "contacts"))
		olga, decoy := amo[0], amo[1]
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"petr", []int64{ivan}},
			{"СМИРНОВ", []int64{anna}},
			{"olga", []int64{olga, decoy}},
			{"+7 (499) 322-97-10", []int64{ivan}},
			{"84993229710", []int64{ivan}},
			{"74993229710", []int64{ivan}},
			{"322-97-10", []int64{ivan}},
			{"+79123456789", []int64{anna}},
			{"8 (912) 345 67 89", []int64{anna}},
			{"IVAN.PETROV@example", []int64{ivan}},
			{"@example", []int64{ivan, anna}},
			{"_", []int64{olga, decoy}},
			{"%", []int64{olga}},
			{`50%_off\`, []int64{olga}},
			{"no such", []int64{}},
			{" ", []int64{ivan, anna, olga, decoy}},
		} {
			if got := cxList(t, env, tok, path, "contacts", "query="+url.QueryEscape(tc.query)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("query %q: %v, want %v", tc.query, got, tc.want)
			}
		}
		// A query matching nothing is the dialect's empty list: 200, no items.
		page := v4Do(t, env, "GET", path+"?query=nobody", tok, "", 200)
		if len(v4Items(t, page, "contacts")) != 0 || sgIntOf(t, page, "_total_items") != 0 {
			t.Errorf("empty answer %v", page)
		}
		// query combines with the filters, and the next link keeps it.
		if got := cxList(t, env, tok, path, "contacts", fmt.Sprintf("query=example&filter[id]=%d", anna)); !reflect.DeepEqual(got, []int64{anna}) {
			t.Errorf("query and filter[id]: %v", got)
		}
		page = v4Do(t, env, "GET", path+"?query=example&limit=1", tok, "", 200)
		if got := sgHref(t, page, "next"); got != env.URL+path+"?page=2&limit=1&query=example" {
			t.Errorf("next %s", got)
		}
	})
}

// TestV4CompaniesQuery checks query on companies: name and legal details.
// crmd's companies carry no phones or emails (those are their clients').
func TestV4CompaniesQuery(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Query")
		tok := acc.AmoCRMToken
		const path = "/api/v4/companies"
		amo := v4IDs(t, v4Items(t, v4Do(t, env, "POST", path, tok, `[{"name":"Acme 100%"},{"name":"Acme_Initech"},{"name":"AcmeXInitech"}]`, 200), "companies"))
		pct, under, decoy := amo[0], amo[1], amo[2]
		client := cxClient(t, env, acc.EnvyboxAPIKey, `{"name": "Клиент"}`)
		cxEnvybox(t, env, acc.EnvyboxAPIKey, fmt.Sprintf("client/%d/addCompany/", client), `{"short_name": "Сбербанк",
			"full_name": "ПАО \"Сбербанк России\"", "inn": 7707083893, "kpp": "773601001", "ogrn": "1027700132195"}`)
		all := cxList(t, env, tok, path, "companies", "")
		if len(all) != 4 {
			t.Fatalf("companies %v", all)
		}
		sber := all[3]
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"acme", []int64{pct, under, decoy}},
			{"%", []int64{pct}},
			{"e_i", []int64{under}},
			{"СБЕРБАНК", []int64{sber}},
			{"россии", []int64{sber}},
			{"7707083893", []int64{sber}},
			{"nothing", []int64{}},
		} {
			if got := cxList(t, env, tok, path, "companies", "query="+url.QueryEscape(tc.query)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("query %q: %v, want %v", tc.query, got, tc.want)
			}
		}
	})
}

// TestV4ContactsListParameters checks the other parameters amoCRM defines
// for the contacts and companies lists: each is served or refused with a
// reason, none ignored; undefined ones are ignored as amoCRM does.
func TestV4ContactsListParameters(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Params")
		tok := acc.AmoCRMToken
		other := env.NewUser(t, acc.AccountID, crm.RoleMember)
		for _, entity := range []string{"contacts", "companies"} {
			path := "/api/v4/" + entity
			ids := v4IDs(t, v4Items(t, v4Do(t, env, "POST", path, tok,
				fmt.Sprintf(`[{"name":"One"},{"name":"Two","responsible_user_id":%d},{"name":"Three"}]`, other.UserID), 200), entity))
			for _, tc := range []struct {
				query string
				want  []int64
			}{
				{"filter[name]=Two", ids[1:2]},
				{"filter[name][]=One&filter[name][]=Three", []int64{ids[0], ids[2]}},
				{fmt.Sprintf("filter[responsible_user_id]=%d", other.UserID), ids[1:2]},
				{fmt.Sprintf("filter[responsible_user_id][]=%d", acc.UserID), []int64{ids[0], ids[2]}},
				{fmt.Sprintf("filter[created_by][0]=%d", acc.UserID), ids},
				{fmt.Sprintf("filter[updated_by]=%d", other.UserID), []int64{}},
				{"filter[created_at][from]=1", ids},
				{"filter[updated_at][to]=1", []int64{}},
				{"order[id]=desc", []int64{ids[2], ids[1], ids[0]}},
				{"order[updated_at]=desc", []int64{ids[2], ids[1], ids[0]}},
				{"order[updated_at]=asc&filter[name]=Two", ids[1:2]},
				{"with=unknown&foo=bar", ids},
			} {
				if got := cxList(t, env, tok, path, entity, tc.query); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s?%s: %v, want %v", entity, tc.query, got, tc.want)
				}
			}
			for _, tc := range []struct {
				query string
				want  sgViolation
			}{
				{"filter[closest_task_at][from]=1", sgViolation{"0", "FieldNotExpected", "filter[closest_task_at][from]"}},
				{"filter[custom_fields_values][5][]=x", sgViolation{"0", "FieldNotExpected", "filter[custom_fields_values][5][]"}},
				{"order[created_at]=asc", sgViolation{"0", "FieldNotExpected", "order[created_at]"}},
				{"order[id]=up", sgViolation{"0", "NotSupportedChoice", "order[id]"}},
				{"with=leads", sgViolation{"0", "NotSupportedChoice", "with"}},
				{"with=catalog_elements,customers", sgViolation{"0", "NotSupportedChoice", "with"}},
				{"with=only_deleted", sgViolation{"0", "NotSupportedChoice", "with"}},
			} {
				sgViolations(t, env.Do(t, "GET", path+"?"+tc.query, tok, ""), tc.want)
			}
			sgViolations(t, env.Do(t, "GET", fmt.Sprintf("%s/%d?with=customers", path, ids[0]), tok, ""), sgViolation{"0", "NotSupportedChoice", "with"})
			v4Do(t, env, "GET", fmt.Sprintf("%s/%d?with=unknown", path, ids[0]), tok, "", 200)
		}
		sgViolations(t, env.Do(t, "GET", "/api/v4/companies?with=contacts", tok, ""), sgViolation{"0", "NotSupportedChoice", "with"})
	})
}
