package amocrm_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v4 contacts and companies APIs (contacts_cards_test.go has
// the writes of fields, tags and links and the cross-dialect tests). A contact's and a
// company's full shape are golden files, testdata/contact.golden.json and
// testdata/company.golden.json.

// contactMasks mask the times of writing, which are now.
var contactMasks = []crmtest.Mask{crmtest.MaskPath("created_at", "time"), crmtest.MaskPath("updated_at", "time")}

// envyboxCall calls an Envybox method of the account with {"request":
// request} and requires HTTP 200.
func envyboxCall(t *testing.T, env *crmtest.Env, a account, method, request string) *crmtest.Reply {
	t.Helper()
	return env.Envybox(a.EnvyboxAPIKey).Post(t, "/openapi/v1/"+method, `{"request": `+request+`}`).Expect(200)
}

// envyboxClient makes an Envybox client (an amoCRM contact) with phones and
// emails and returns its id.
func envyboxClient(t *testing.T, env *crmtest.Env, a account, request string) int64 {
	t.Helper()
	return envyboxCall(t, env, a, "client/create/", request).Int("result.client.id")
}

// TestV4Contacts checks the contacts API's basics: POST, GET list and by id.
// It works whatever the customers mode.
func TestV4Contacts(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Contacts", "")
		other := env.NewUser(t, acc.AccountID, crm.RoleMember)
		const path = "/api/v4/contacts"
		nothing(acc.api.Get(t, path))
		before := time.Now().Unix()
		// The answer: _embedded and _links; items of _links, id and request_id.
		ids := idsOf(acc.api.Post(t, path, fmt.Sprintf(`[{"name":"Ivan Petrov"},
			{"first_name":"Anna","last_name":"Smirnova","responsible_user_id":%d,"request_id":"x"}]`, other.UserID)).HAL(200).
			Golden("contacts_add").List("_embedded.contacts"))
		// Anna: named from her first and last names, another user
		// responsible, created and updated by the token's user.
		anna := acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[1])).HAL(200).Golden("contact", contactMasks...).
			Equal("responsible_user_id", other.UserID).Equal("created_by", acc.UserID).Equal("updated_by", acc.UserID).Equal("account_id", acc.AccountID)
		if ts := anna.Int("created_at"); ts < before-1 || ts > time.Now().Unix()+1 {
			t.Errorf("created_at %d", ts)
		}
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).Equal("name", "Ivan Petrov").Equal("responsible_user_id", acc.UserID)

		acc.api.Get(t, path).HAL(200).Equal("_embedded.contacts.*.id", ids)
		acc.api.Get(t, path+"?limit=1&page=2").HAL(200).Equal("_embedded.contacts.*.id", ids[1:]).Equal("_total_items", 2).
			Equal("_links.prev.href", env.URL+path+"?page=1&limit=1")
		acc.api.Get(t, fmt.Sprintf("%s?filter[id][]=%d", path, ids[1])).HAL(200).Equal("_embedded.contacts.*.id", ids[1:])

		v := crmtest.Violated
		acc.api.Post(t, path, `[{"first_name":" "}]`).WantViolations(v("0", "NotBlank", "name"))
		acc.api.Post(t, path, `[{"name":"ok"},{"name":"x","responsible_user_id":99999999,"request_id":"r"}]`).
			WantViolations(v("r", "NotSupportedChoice", "responsible_user_id"))
		acc.api.Post(t, path, `[{"name":5}]`).WantViolations(v("0", "InvalidType", "name"))
		acc.api.Post(t, path, `[]`).WantViolations(v("0", "FieldMissing", ""))
		acc.api.Post(t, path, `[{"name":"`+strings.Repeat("x", 1<<20)+`"}]`).Problem(413)
		acc.api.Post(t, path, `[`).Problem(400)
		acc.api.Get(t, path+"?limit=300").Problem(400)
		nothing(acc.api.Get(t, path+"/99999999"))
		env.AmoCRM("").Get(t, path).Problem(401)
		acc.api.Get(t, path).HAL(200).Equal("_total_items", 2) // the failed POSTs added none
	})
}

// TestV4Companies checks the companies API's basics.
func TestV4Companies(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Companies", "")
		const path = "/api/v4/companies"
		ids := idsOf(acc.api.Post(t, path, `[{"name":"Acme","request_id":"a"},{"name":"Initech"}]`).HAL(200).
			Equal("_embedded.companies.*.request_id", []string{"a", "1"}).List("_embedded.companies"))
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).Golden("company", contactMasks...).
			Equal("responsible_user_id", acc.UserID).Equal("account_id", acc.AccountID).Equal("created_by", acc.UserID)
		acc.api.Get(t, path+"?limit=1").HAL(200).Equal("_embedded.companies.*.id", ids[:1]).Equal("_links.next.href", env.URL+path+"?page=2&limit=1")
		acc.api.Post(t, path, `[{"responsible_user_id":1}]`).WantViolations(crmtest.Violated("0", "FieldMissing", "name"))
		acc.api.Post(t, path, `[{"name":""}]`).WantViolations(crmtest.Violated("0", "NotBlank", "name"))
		nothing(acc.api.Get(t, path+"/99999999"))
		acc.api.Get(t, path+"/x").Problem(404)
		env.AmoCRM("bad").Post(t, path, `[{"name":"x"}]`).Problem(401)
	})
}

// TestV4ContactsIsolation checks that contacts and companies stay in their account.
func TestV4ContactsIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "A", "").api
		b := newAccount(t, env, "B", "").api
		contact := a.Post(t, "/api/v4/contacts", `[{"name":"A person"}]`).HAL(200).Int("_embedded.contacts.0.id")
		company := a.Post(t, "/api/v4/companies", `[{"name":"A firm"}]`).HAL(200).Int("_embedded.companies.0.id")
		nothing(b.Get(t, fmt.Sprintf("/api/v4/contacts/%d", contact)))
		nothing(b.Get(t, fmt.Sprintf("/api/v4/companies/%d", company)))
		for _, p := range []string{"/api/v4/contacts", "/api/v4/companies", fmt.Sprintf("/api/v4/contacts?filter[id]=%d", contact)} {
			nothing(b.Get(t, p))
		}
	})
}

// TestV4ContactsQuery checks amoCRM's query on contacts: a literal,
// case-insensitive substring of the name, first and last names, values
// and contact data, phones in any spelling. It used to be ignored: every
// contact came back, and an integration looking a contact up by phone
// linked the first one.
func TestV4ContactsQuery(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Query", "")
		const path = "/api/v4/contacts"
		ivan := envyboxClient(t, env, acc, `{"name": "Ivan Petrov", "phone": "+7 (499) 322-97-10", "email": "Ivan.Petrov@Example.com"}`)
		anna := envyboxClient(t, env, acc, `{"name": "Анна Смирнова", "phones": ["8 912 345-67-89"], "emails": ["anna@example.ru"]}`)
		amo := idsOf(acc.api.Post(t, path, `[{"first_name":"Olga","last_name":"50%_off\\x"},{"name":"Olga 50a_off"}]`).HAL(200).List("_embedded.contacts"))
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
			if r := acc.api.Get(t, path+"?query="+url.QueryEscape(tc.query)); len(tc.want) == 0 {
				nothing(r)
			} else {
				r.HAL(200).Equal("_embedded.contacts.*.id", tc.want)
			}
		}
		// A query matching nothing is an empty list: 204, no body.
		nothing(acc.api.Get(t, path+"?query=nobody"))
		// query combines with the filters, and the next link keeps it.
		acc.api.Get(t, fmt.Sprintf("%s?query=example&filter[id]=%d", path, anna)).HAL(200).Equal("_embedded.contacts.*.id", []int64{anna})
		acc.api.Get(t, path+"?query=example&limit=1").HAL(200).Equal("_links.next.href", env.URL+path+"?page=2&limit=1&query=example")
	})
}

// TestV4CompaniesQuery checks query on companies: name and legal details.
// crmd's companies carry no phones or emails (those are their clients').
func TestV4CompaniesQuery(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Query", "")
		const path = "/api/v4/companies"
		amo := idsOf(acc.api.Post(t, path, `[{"name":"Acme 100%"},{"name":"Acme_Initech"},{"name":"AcmeXInitech"}]`).HAL(200).List("_embedded.companies"))
		pct, under, decoy := amo[0], amo[1], amo[2]
		client := envyboxClient(t, env, acc, `{"name": "Клиент"}`)
		envyboxCall(t, env, acc, fmt.Sprintf("client/%d/addCompany/", client), `{"short_name": "Сбербанк",
			"full_name": "ПАО \"Сбербанк России\"", "inn": 7707083893, "kpp": "773601001", "ogrn": "1027700132195"}`)
		all := idsOf(acc.api.Get(t, path).HAL(200).List("_embedded.companies"))
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
			if r := acc.api.Get(t, path+"?query="+url.QueryEscape(tc.query)); len(tc.want) == 0 {
				nothing(r)
			} else {
				r.HAL(200).Equal("_embedded.companies.*.id", tc.want)
			}
		}
	})
}

// TestV4ContactsListParameters checks the other parameters amoCRM defines
// for the contacts and companies lists: each is served or refused with a
// reason, none ignored; undefined ones are ignored as amoCRM does.
func TestV4ContactsListParameters(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Params", "")
		other := env.NewUser(t, acc.AccountID, crm.RoleMember)
		for _, entity := range []string{"contacts", "companies"} {
			path := "/api/v4/" + entity
			ids := idsOf(acc.api.Post(t, path, fmt.Sprintf(`[{"name":"One"},{"name":"Two","responsible_user_id":%d},{"name":"Three"}]`, other.UserID)).
				HAL(200).List("_embedded." + entity))
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
				if r := acc.api.Get(t, path+"?"+tc.query); len(tc.want) == 0 {
					nothing(r)
				} else {
					r.HAL(200).Equal("_embedded."+entity+".*.id", tc.want)
				}
			}
			for _, tc := range []struct {
				query string
				want  crmtest.Violation
			}{
				{"filter[closest_task_at][from]=1", crmtest.Violated("0", "FieldNotExpected", "filter[closest_task_at][from]")},
				{"filter[custom_fields_values][5][]=x", crmtest.Violated("0", "FieldNotExpected", "filter[custom_fields_values][5][]")},
				{"order[created_at]=asc", crmtest.Violated("0", "FieldNotExpected", "order[created_at]")},
				{"order[id]=up", crmtest.Violated("0", "NotSupportedChoice", "order[id]")},
				{"with=catalog_elements,customers", crmtest.Violated("0", "NotSupportedChoice", "with")},
				{"with=only_deleted", crmtest.Violated("0", "NotSupportedChoice", "with")},
			} {
				acc.api.Get(t, path+"?"+tc.query).WantViolations(tc.want)
			}
			acc.api.Get(t, fmt.Sprintf("%s/%d?with=catalog_elements", path, ids[0])).WantViolations(crmtest.Violated("0", "NotSupportedChoice", "with"))
			acc.api.Get(t, fmt.Sprintf("%s/%d?with=unknown", path, ids[0])).HAL(200)
		}
	})
}
