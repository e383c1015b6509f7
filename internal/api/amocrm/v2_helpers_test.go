package amocrm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Helpers of the amoCRM v2 black-box tests (seed 001). Everything goes over
// real HTTP; the service is used only to create what v2 cannot (custom
// fields, contacts, companies, users).

// v2tAccount is an account with customers in periodicity mode.
type v2tAccount struct {
	env       *crmtest.Env
	accountID int64
	userID    int64
	token     string
}

func (a *v2tAccount) actor() crm.Actor {
	return crm.Actor{AccountID: a.accountID, UserID: a.userID, Role: crm.RoleAdmin}
}

// v2tNew creates an account (time zone: the default Europe/Moscow) with
// customers in periodicity mode.
func v2tNew(t testing.TB, env *crmtest.Env, name string) *v2tAccount {
	t.Helper()
	return v2tNewIn(t, env, name, "")
}

func v2tNewIn(t testing.TB, env *crmtest.Env, name, zone string) *v2tAccount {
	t.Helper()
	creds, err := env.Server.Authority.CreateAccount(context.Background(), crm.NewAccount{Name: name, TimeZone: zone})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	a := &v2tAccount{env: env, accountID: creds.AccountID, userID: creds.UserID, token: creds.AmoCRMToken}
	resp := env.Do(t, http.MethodPatch, "/api/v4/customers/mode", a.token, `{"mode":"periodicity","is_enabled":true}`)
	if resp.Status != http.StatusOK {
		t.Fatalf("enable periodicity: %d %s", resp.Status, resp.Body)
	}
	return a
}

func (a *v2tAccount) do(t testing.TB, method, path, body string) *crmtest.Response {
	t.Helper()
	return a.env.Do(t, method, path, a.token, body)
}

// v2tTimestamp checks the Runtime-Timestamp header: Unix seconds of now.
func v2tTimestamp(t testing.TB, resp *crmtest.Response) {
	t.Helper()
	ts, err := strconv.ParseInt(resp.Header.Get("Runtime-Timestamp"), 10, 64)
	if err != nil {
		t.Errorf("Runtime-Timestamp %q is not Unix seconds", resp.Header.Get("Runtime-Timestamp"))
		return
	}
	if d := time.Now().Unix() - ts; d < -5 || d > 5 {
		t.Errorf("Runtime-Timestamp %d is %ds away from now", ts, d)
	}
}

// v2tOK checks a v2 success: 200, exactly application/hal+json,
// Runtime-Timestamp, top-level keys _links and _embedded only, and
// _links.self = {href: self (relative), method}. It returns _embedded.
func v2tOK(t testing.TB, resp *crmtest.Response, self, method string) map[string]any {
	t.Helper()
	if resp.Status != http.StatusOK {
		t.Fatalf("status %d, want 200; body: %s", resp.Status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/hal+json" {
		t.Errorf("Content-Type %q, want application/hal+json", ct)
	}
	v2tTimestamp(t, resp)
	obj := resp.Object(t)
	v2tKeys(t, obj, "body", "_embedded", "_links")
	v2tSelf(t, obj, self, method)
	return v2tObj(t, obj["_embedded"], "_embedded")
}

// v2tNoContent checks amoCRM v2's empty list: 204 and no body.
func v2tNoContent(t testing.TB, resp *crmtest.Response) {
	t.Helper()
	if resp.Status != http.StatusNoContent {
		t.Fatalf("status %d, want 204; body: %s", resp.Status, resp.Body)
	}
	if len(resp.Body) != 0 {
		t.Errorf("204 has a body: %q", resp.Body)
	}
	v2tTimestamp(t, resp)
}

// v2tError checks v2's error envelope {"response":{"error","error_code",
// "server_time"}} with the status and returns the error text.
func v2tError(t testing.TB, resp *crmtest.Response, status int, code string) string {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d; body: %s", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	v2tTimestamp(t, resp)
	obj := resp.Object(t)
	v2tKeys(t, obj, "error body", "response")
	r := v2tObj(t, obj["response"], "response")
	v2tKeys(t, r, "response", "error", "error_code", "server_time")
	msg, ok := r["error"].(string)
	if !ok || msg == "" {
		t.Errorf("error = %#v, want a message", r["error"])
	}
	if r["error_code"] != code {
		t.Errorf("error_code = %#v, want %q", r["error_code"], code)
	}
	if st := v2tInt(t, r["server_time"], "server_time"); time.Now().Unix()-st > 5 {
		t.Errorf("server_time %d is not now", st)
	}
	return msg
}

// v2tBad checks a 400 whose message contains every part of want.
func v2tBad(t testing.TB, resp *crmtest.Response, want ...string) string {
	t.Helper()
	msg := v2tError(t, resp, http.StatusBadRequest, "400")
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
	return msg
}

func v2tSelf(t testing.TB, obj map[string]any, href, method string) {
	t.Helper()
	links := v2tObj(t, obj["_links"], "_links")
	v2tKeys(t, links, "_links", "self")
	self := v2tObj(t, links["self"], "_links.self")
	v2tKeys(t, self, "_links.self", "href", "method")
	if self["href"] != href || self["method"] != method {
		t.Errorf("_links.self = %v, want {href:%q method:%q}", self, href, method)
	}
}

func v2tObj(t testing.TB, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %#v, want an object", what, v)
	}
	return m
}

func v2tArr(t testing.TB, v any, what string) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %#v, want an array", what, v)
	}
	return a
}

// v2tInt reads a JSON number (never a string: v2 answers numbers).
func v2tInt(t testing.TB, v any, what string) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%s is %#v, want a JSON number", what, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %s, want an integer", what, n)
	}
	return i
}

func v2tKeys(t testing.TB, m map[string]any, what string, want ...string) {
	t.Helper()
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s has keys %v, want %v", what, got, want)
	}
}

// v2tWant compares m[key] with want (ints compare as JSON numbers).
func v2tWant(t testing.TB, m map[string]any, key string, want any) {
	t.Helper()
	got := m[key]
	switch w := want.(type) {
	case int:
		want = json.Number(strconv.Itoa(w))
	case int64:
		want = json.Number(strconv.FormatInt(w, 10))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", key, got, want)
	}
}

// v2tItems returns _embedded.items as objects.
func v2tItems(t testing.TB, emb map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, it := range v2tArr(t, emb["items"], "_embedded.items") {
		out = append(out, v2tObj(t, it, fmt.Sprintf("items[%d]", i)))
	}
	return out
}

// v2tGetLink checks m["_links"] = {self:{href, method:"get"}}.
func v2tGetLink(t testing.TB, m map[string]any, href string) {
	t.Helper()
	v2tSelf(t, m, href, "get")
}

func v2tIDs(t testing.TB, items []map[string]any) []int64 {
	t.Helper()
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = v2tInt(t, it["id"], "id")
	}
	return out
}

func v2tItoa(i int64) string { return strconv.FormatInt(i, 10) }

// v2tAdd adds one customer through v2 (fields is the inside of the item
// object) and returns its id.
func v2tAdd(t testing.TB, a *v2tAccount, fields string) int64 {
	t.Helper()
	emb := v2tOK(t, a.do(t, http.MethodPost, "/api/v2/customers", `{"add":[{`+fields+`}]}`), "/api/v2/customers", "post")
	items := v2tItems(t, emb)
	if len(items) != 1 {
		t.Fatalf("add answered %d items", len(items))
	}
	return v2tInt(t, items[0]["id"], "id")
}

// v2tCustomer reads one customer through GET ?id=.
func v2tCustomer(t testing.TB, a *v2tAccount, id int64) map[string]any {
	t.Helper()
	items := v2tItems(t, v2tOK(t, a.do(t, http.MethodGet, "/api/v2/customers?id="+v2tItoa(id), ""), "/api/v2/customers", "get"))
	if len(items) != 1 {
		t.Fatalf("GET ?id=%d answered %d items", id, len(items))
	}
	return items[0]
}

// v2tList lists customers with a query string; 204 is an empty list.
func v2tList(t testing.TB, a *v2tAccount, query string) []int64 {
	t.Helper()
	resp := a.do(t, http.MethodGet, "/api/v2/customers"+query, "")
	if resp.Status == http.StatusNoContent {
		v2tNoContent(t, resp)
		return []int64{}
	}
	return v2tIDs(t, v2tItems(t, v2tOK(t, resp, "/api/v2/customers", "get")))
}

func v2tSameIDs(t testing.TB, what string, got []int64, want ...int64) {
	t.Helper()
	if want == nil {
		want = []int64{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: ids %v, want %v", what, got, want)
	}
}

// v2tContact and v2tCompany create linked records through the service.
func v2tContact(t testing.TB, a *v2tAccount, name string) int64 {
	t.Helper()
	out, err := a.env.Server.Service.AddContacts(context.Background(), a.actor(), []crm.NewContact{{Name: &name}})
	if err != nil {
		t.Fatalf("add contact: %v", err)
	}
	return out[0].ID
}

func v2tCompany(t testing.TB, a *v2tAccount, name string) int64 {
	t.Helper()
	out, err := a.env.Server.Service.AddCompanies(context.Background(), a.actor(), []crm.NewCompany{{Name: &name}})
	if err != nil {
		t.Fatalf("add company: %v", err)
	}
	return out[0].ID
}

// v2tField creates a customer custom field; enums are its choices. It
// returns the field id and the enum ids by value.
func v2tField(t testing.TB, a *v2tAccount, name string, typ crm.FieldType, enums ...string) (int64, map[string]int64) {
	t.Helper()
	nf := crm.NewCustomField{Name: &name, Type: typ}
	for _, e := range enums {
		nf.Enums = append(nf.Enums, crm.EnumInput{Value: e})
	}
	out, err := a.env.Server.Service.AddCustomFields(context.Background(), a.actor(), crm.EntityCustomer, []crm.NewCustomField{nf})
	if err != nil {
		t.Fatalf("add field %q: %v", name, err)
	}
	ids := map[string]int64{}
	for _, e := range out[0].Enums {
		ids[e.Value] = e.ID
	}
	return out[0].ID, ids
}

// v2tPeriods lists the periods through v2.
func v2tPeriods(t testing.TB, a *v2tAccount) []map[string]any {
	t.Helper()
	return v2tItems(t, v2tOK(t, a.do(t, http.MethodGet, "/api/v2/customers_periods", ""), "/api/v2/customers_periods", "get"))
}

// v2tPeriodID returns the id of the period with the given type and sort
// position among the periods listed (the first "before" one by default).
func v2tPeriodID(t testing.TB, a *v2tAccount, typ string) int64 {
	t.Helper()
	for _, p := range v2tPeriods(t, a) {
		if p["type"] == typ {
			return v2tInt(t, p["id"], "period id")
		}
	}
	t.Fatalf("no %s period", typ)
	return 0
}

// v2tJSON is a stable text of a value, to compare records.
func v2tJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
