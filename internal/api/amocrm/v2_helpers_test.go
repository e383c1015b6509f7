package amocrm_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Fixtures of the amoCRM v2 black-box tests (seed 001). Everything goes over
// real HTTP through crmtest's scenario helper; the service is used only to
// create what v2 cannot (custom fields, contacts, companies, users).

// Paths of the v2 API.
const (
	v2CustomersPath    = "/api/v2/customers"
	v2TransactionsPath = "/api/v2/transactions"
	v2PeriodsPath      = "/api/v2/customers_periods"
)

// staleText is amoCRM's message for an update based on an old updated_at.
const staleText = "Last modified date is older than in database"

// newV2Account creates an account in time zone zone ("": the default
// Europe/Moscow) with customers in periodicity mode.
func newV2Account(t testing.TB, env *crmtest.Env, name, zone string) account {
	t.Helper()
	creds, err := env.Server.Authority.CreateAccount(context.Background(), crm.NewAccount{Name: name, TimeZone: zone})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	a := account{AccountCredentials: creds, api: env.AmoCRM(creds.AmoCRMToken)}
	setMode(t, a.api, "periodicity", true)
	return a
}

// checkTimestamp checks the Runtime-Timestamp header: Unix seconds of now.
func checkTimestamp(t testing.TB, r *crmtest.Reply) {
	t.Helper()
	ts, err := strconv.ParseInt(r.Header.Get("Runtime-Timestamp"), 10, 64)
	if err != nil {
		t.Errorf("Runtime-Timestamp %q is not Unix seconds", r.Header.Get("Runtime-Timestamp"))
		return
	}
	if d := time.Now().Unix() - ts; d < -5 || d > 5 {
		t.Errorf("Runtime-Timestamp %d is %ds away from now", ts, d)
	}
}

// selfLink is v2's _links: a relative href and the method.
func selfLink(href, method string) map[string]any {
	return map[string]any{"self": map[string]any{"href": href, "method": method}}
}

// v2OK checks a v2 success: 200, exactly application/hal+json,
// Runtime-Timestamp, top-level _links and _embedded only, and _links.self =
// {href: self (relative), method}. It returns _embedded.
func v2OK(t testing.TB, r *crmtest.Reply, self, method string) crmtest.JSON {
	t.Helper()
	r.Expect(200).ContentType("application/hal+json")
	checkTimestamp(t, r)
	return r.Keys("", "_embedded", "_links").Equal("_links", selfLink(self, method)).Sub("_embedded")
}

// v2NoContent checks v2's empty list: 204 and no body.
func v2NoContent(t testing.TB, r *crmtest.Reply) {
	t.Helper()
	r.Expect(204).Empty()
	checkTimestamp(t, r)
}

// v2Error checks v2's error envelope {"response":{"error","error_code",
// "server_time"}} with the status and code, and returns the error text.
func v2Error(t testing.TB, r *crmtest.Reply, status int, code string) string {
	t.Helper()
	r.Expect(status).ContentType("application/json")
	checkTimestamp(t, r)
	r.Keys("", "response").Keys("response", "error", "error_code", "server_time").Equal("response.error_code", code)
	msg := r.Str("response.error")
	if msg == "" {
		t.Errorf("error is empty")
	}
	if st := r.Int("response.server_time"); time.Now().Unix()-st > 5 {
		t.Errorf("server_time %d is not now", st)
	}
	return msg
}

// v2Bad checks a 400 whose message contains every part of want.
func v2Bad(t testing.TB, r *crmtest.Reply, want ...string) string {
	t.Helper()
	msg := v2Error(t, r, 400, "400")
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
	return msg
}

// v2AddCustomer adds one customer through v2 (fields is the inside of the
// item object) and returns its id.
func v2AddCustomer(t testing.TB, api *crmtest.Client, fields string) int64 {
	t.Helper()
	items := v2OK(t, api.Post(t, v2CustomersPath, `{"add":[{`+fields+`}]}`), v2CustomersPath, "post").List("items")
	if len(items) != 1 {
		t.Fatalf("add answered %d items", len(items))
	}
	return items[0].Int("id")
}

// v2Customer reads one customer through GET ?id=.
func v2Customer(t testing.TB, api *crmtest.Client, id int64) crmtest.JSON {
	t.Helper()
	items := v2OK(t, api.Get(t, v2CustomersPath+"?id="+itoa(id)), v2CustomersPath, "get").List("items")
	if len(items) != 1 {
		t.Fatalf("GET ?id=%d answered %d items", id, len(items))
	}
	return items[0]
}

// v2Customers lists customers with a query string; 204 is an empty list.
func v2Customers(t testing.TB, api *crmtest.Client, query string) []int64 {
	t.Helper()
	r := api.Get(t, v2CustomersPath+query)
	if r.Status == 204 {
		v2NoContent(t, r)
		return []int64{}
	}
	return idsOf(v2OK(t, r, v2CustomersPath, "get").List("items"))
}

// v2Periods lists the periods through v2.
func v2Periods(t testing.TB, api *crmtest.Client) crmtest.JSON {
	t.Helper()
	return v2OK(t, api.Get(t, v2PeriodsPath), v2PeriodsPath, "get").Sub("items")
}

// v2PeriodID returns the id of the first period of the type.
func v2PeriodID(t testing.TB, api *crmtest.Client, typ string) int64 {
	t.Helper()
	return v2Periods(t, api).Int("type=" + typ + ".id")
}

// addContact, addCompany and addField create records v2 cannot, through
// the service.
func addContact(t testing.TB, env *crmtest.Env, a account, name string) int64 {
	t.Helper()
	out, err := env.Server.Service.AddContacts(context.Background(), a.actor(), []crm.NewContact{{Name: &name}})
	if err != nil {
		t.Fatalf("add contact: %v", err)
	}
	return out[0].ID
}

func addCompany(t testing.TB, env *crmtest.Env, a account, name string) int64 {
	t.Helper()
	out, err := env.Server.Service.AddCompanies(context.Background(), a.actor(), []crm.NewCompany{{Name: &name}})
	if err != nil {
		t.Fatalf("add company: %v", err)
	}
	return out[0].ID
}

// addField creates a customer custom field; enums are its choices. It
// returns the field id and the enum ids by value.
func addField(t testing.TB, env *crmtest.Env, a account, name string, typ crm.FieldType, enums ...string) (int64, map[string]int64) {
	t.Helper()
	nf := crm.NewCustomField{Name: &name, Type: typ}
	for _, e := range enums {
		nf.Enums = append(nf.Enums, crm.EnumInput{Value: e})
	}
	out, err := env.Server.Service.AddCustomFields(context.Background(), a.actor(), crm.EntityCustomer, []crm.NewCustomField{nf})
	if err != nil {
		t.Fatalf("add field %q: %v", name, err)
	}
	ids := map[string]int64{}
	for _, e := range out[0].Enums {
		ids[e.Value] = e.ID
	}
	return out[0].ID, ids
}
