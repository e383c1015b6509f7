package amocrm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// The segments tests' former helpers (prefix sg), still used by the files
// not yet converted to crmtest's scenario helper; they go with their last
// user.

const sgSegmentsPath = segmentsPath

// sgKind names the JSON kind of a decoded value; integers are told apart from
// other numbers.
func sgKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return "int"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func sgObj(t testing.TB, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want object, got %s %v", what, sgKind(v), v)
	}
	return m
}

func sgArr(t testing.TB, v any, what string) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: want array, got %s %v", what, sgKind(v), v)
	}
	return a
}

func sgInt(t testing.TB, v any, what string) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%s: want int, got %s %v", what, sgKind(v), v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s: want int, got %v", what, n)
	}
	return i
}

// sgIntOf reads an int key of an object.
func sgIntOf(t testing.TB, m map[string]any, key string) int64 {
	t.Helper()
	return sgInt(t, m[key], key)
}

// sgOK checks a success status and the exact HAL content type.
func sgOK(t testing.TB, resp *crmtest.Response, status int) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	if status == http.StatusNoContent {
		if len(resp.Body) != 0 {
			t.Errorf("204 with a body: %q", resp.Body)
		}
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/hal+json" {
		t.Errorf("Content-Type %q, want application/hal+json", ct)
	}
}

// sgMust checks a success status and returns the body object, which must not
// carry a top-level status key.
func sgMust(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	sgOK(t, resp, status)
	m := resp.Object(t)
	if _, ok := m["status"]; ok {
		t.Errorf("success body has a top-level status key: %s", resp.Body)
	}
	return m
}

// sgProblem checks an application/problem+json answer with the given status
// and returns it.
func sgProblem(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want exactly application/problem+json", ct)
	}
	p := resp.Object(t)
	if got := p["title"]; got != http.StatusText(status) {
		t.Errorf("title %v, want %q", got, http.StatusText(status))
	}
	if got, want := p["type"], "https://httpstatus.es/"+strconv.Itoa(status); got != want {
		t.Errorf("type %v, want %q", got, want)
	}
	if got := sgIntOf(t, p, "status"); got != int64(status) {
		t.Errorf("status field %d, want %d", got, status)
	}
	if d, ok := p["detail"].(string); !ok || d == "" {
		t.Errorf("detail %v, want a non-empty string", p["detail"])
	}
	return p
}

// sgViolation is one expected entry of validation-errors.
type sgViolation struct {
	requestID, code, path string
}

// sgViolations checks a 400 answer and that its validation-errors contain
// every wanted (request_id, code, path).
func sgViolations(t testing.TB, resp *crmtest.Response, want ...sgViolation) {
	t.Helper()
	p := sgProblem(t, resp, http.StatusBadRequest)
	var got []sgViolation
	for _, item := range sgArr(t, p["validation-errors"], "validation-errors") {
		it := sgObj(t, item, "validation-errors item")
		rid, ok := it["request_id"].(string)
		if !ok {
			t.Errorf("validation-errors request_id %v, want a string", it["request_id"])
		}
		for _, e := range sgArr(t, it["errors"], "errors") {
			eo := sgObj(t, e, "error")
			code, _ := eo["code"].(string)
			path, _ := eo["path"].(string)
			if d, ok := eo["detail"].(string); !ok || d == "" {
				t.Errorf("error %v has no detail", eo)
			}
			got = append(got, sgViolation{rid, code, path})
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("validation-errors %+v lack %+v; body %s", got, w, resp.Body)
		}
	}
}

// sgSetMode switches the customers mode of the account.
func sgSetMode(t testing.TB, env *crmtest.Env, token, mode string, enabled bool) {
	t.Helper()
	resp := env.Do(t, http.MethodPatch, "/api/v4/customers/mode", token, fmt.Sprintf(`{"mode":%q,"is_enabled":%t}`, mode, enabled))
	sgOK(t, resp, http.StatusOK)
}

const v4Customers = "/api/v4/customers"

// v4CustomerKeys are exactly the keys of the customer model (companion §1.2).
var v4CustomerKeys = []string{"_embedded", "_links", "account_id", "average_check", "closest_task_at", "created_at",
	"created_by", "custom_fields_values", "id", "is_deleted", "ltv", "name", "next_date", "next_price", "periodicity",
	"purchases_count", "responsible_user_id", "status_id", "updated_at", "updated_by"}

// v4Account creates an account with customers in mode ("" leaves them
// disabled) and returns its credentials.
func v4Account(t testing.TB, env *crmtest.Env, name, mode string) auth.AccountCredentials {
	t.Helper()
	acc := env.NewAccount(t, name)
	if mode != "" {
		sgSetMode(t, env, acc.AmoCRMToken, mode, true)
	}
	return acc
}

// v4Do sends a request, checks the status and the success content type, and
// returns the body object (nil for 204).
func v4Do(t testing.TB, env *crmtest.Env, method, path, token, body string, status int) map[string]any {
	t.Helper()
	resp := env.Do(t, method, path, token, body)
	if status == http.StatusNoContent {
		sgOK(t, resp, status)
		return nil
	}
	return sgMust(t, resp, status)
}

// v4Items returns _embedded[key] as objects.
func v4Items(t testing.TB, m map[string]any, key string) []map[string]any {
	t.Helper()
	emb := sgObj(t, m["_embedded"], "_embedded")
	var out []map[string]any
	for _, it := range sgArr(t, emb[key], "_embedded."+key) {
		out = append(out, sgObj(t, it, key+" item"))
	}
	return out
}

// v4IDs returns the ids of items.
func v4IDs(t testing.TB, items []map[string]any) []int64 {
	t.Helper()
	out := []int64{}
	for _, it := range items {
		out = append(out, sgIntOf(t, it, "id"))
	}
	return out
}

// v4AddCustomers posts a batch of customers and returns their ids.
func v4AddCustomers(t testing.TB, env *crmtest.Env, token, body string) []int64 {
	t.Helper()
	return v4IDs(t, v4Items(t, v4Do(t, env, "POST", v4Customers, token, body, 200), "customers"))
}

// v4AddCustomer posts one customer object and returns its id.
func v4AddCustomer(t testing.TB, env *crmtest.Env, token, object string) int64 {
	t.Helper()
	return v4AddCustomers(t, env, token, "["+object+"]")[0]
}

// v4Get reads one customer.
func v4Get(t testing.TB, env *crmtest.Env, token string, id int64, query string) map[string]any {
	t.Helper()
	return v4Do(t, env, "GET", fmt.Sprintf("%s/%d%s", v4Customers, id, query), token, "", 200)
}

// The v2 tests' former helpers (prefix v2t), likewise.

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

func v2tItoa(i int64) string { return strconv.FormatInt(i, 10) }

// v2tJSON is a stable text of a value, to compare records.
func v2tJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
