package amocrm_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the amoCRM v4 customer statuses API (seed 000), run over
// real HTTP on SQLite and on PostgreSQL.

const stPath = "/api/v4/customers/statuses"

// stStatusKeys are exactly the keys of a status in seed 000's list and get
// examples; the PATCH example adds request_id.
var stStatusKeys = []string{"_links", "account_id", "color", "conditions", "id", "is_default", "name", "sort", "type"}

// stSystem is what a new account's system statuses look like (seed 000 list
// example; "Expected purchase" has type 1 per the type table).
var stSystem = []struct {
	name       string
	sort       int64
	color      string
	typ        int64
	conditions string
}{
	{"Recently purchased", 0, "#ccff66", 4, `[]`},
	{"Expected purchase", 2, "#99ccff", 1, `[[{"type":"before_purchase","match":{"value":0},"conditions":[{"value":0}]}]]`},
	{"Did not purchase", 4, "#fd5598", 2, `[]`},
	{"Closed", 5, "#d5d8db", 3, `[[{"type":"after_today","match":{"value":60},"conditions":[{"value":60}]}]]`},
}

// stSetMode switches the customers mode and requires success.
func stSetMode(t testing.TB, env *crmtest.Env, token, mode string, enabled bool) {
	t.Helper()
	resp := env.Do(t, http.MethodPatch, "/api/v4/customers/mode", token, fmt.Sprintf(`{"mode":%q,"is_enabled":%t}`, mode, enabled))
	stHAL(t, resp, http.StatusOK)
}

// stNewAccount creates an account with periodicity mode on.
func stNewAccount(t testing.TB, env *crmtest.Env, name string) (accountID int64, token string) {
	t.Helper()
	creds := env.NewAccount(t, name)
	stSetMode(t, env, creds.AmoCRMToken, "periodicity", true)
	return creds.AccountID, creds.AmoCRMToken
}

// stHAL checks a success response: the status, exactly application/hal+json,
// a JSON object without a top-level "status" key.
func stHAL(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d; body: %s", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/hal+json" {
		t.Errorf("Content-Type %q, want exactly application/hal+json", ct)
	}
	obj := resp.Object(t)
	if _, ok := obj["status"]; ok {
		t.Errorf("success body has a top-level \"status\" key: %s", resp.Body)
	}
	return obj
}

// stProblem checks an error response: the status, exactly
// application/problem+json and the title/type/status/detail members.
func stProblem(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d; body: %s", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want exactly application/problem+json", ct)
	}
	obj := resp.Object(t)
	stWant(t, obj, "title", http.StatusText(status))
	stWant(t, obj, "type", "https://httpstatus.es/"+strconv.Itoa(status))
	stWant(t, obj, "status", int64(status))
	if d, ok := obj["detail"].(string); !ok || d == "" {
		t.Errorf("problem detail = %#v, want a non-empty string", obj["detail"])
	}
	if _, ok := obj["validation-errors"]; ok && status != http.StatusBadRequest {
		t.Errorf("a %d problem carries validation-errors: %s", status, resp.Body)
	}
	return obj
}

type stViolation struct{ requestID, code, path string }

// stViolations checks a 400 validation problem and returns its errors, with
// every member's type checked.
func stViolations(t testing.TB, resp *crmtest.Response) []stViolation {
	t.Helper()
	obj := stProblem(t, resp, http.StatusBadRequest)
	stWant(t, obj, "detail", "Request validation failed")
	groups, ok := obj["validation-errors"].([]any)
	if !ok || len(groups) == 0 {
		t.Fatalf("validation-errors missing or empty: %s", resp.Body)
	}
	var out []stViolation
	for _, g := range groups {
		gm, ok := g.(map[string]any)
		if !ok {
			t.Fatalf("validation-errors item is not an object: %s", resp.Body)
		}
		rid, ok := gm["request_id"].(string)
		if !ok {
			t.Errorf("validation-errors request_id is %#v, want a string", gm["request_id"])
		}
		errs, ok := gm["errors"].([]any)
		if !ok || len(errs) == 0 {
			t.Fatalf("validation-errors item without errors: %s", resp.Body)
		}
		for _, e := range errs {
			em, ok := e.(map[string]any)
			if !ok {
				t.Fatalf("validation error is not an object: %s", resp.Body)
			}
			code, _ := em["code"].(string)
			path, okPath := em["path"].(string)
			detail, _ := em["detail"].(string)
			if code == "" || !okPath || detail == "" {
				t.Errorf("validation error %v lacks code, path or detail", em)
			}
			out = append(out, stViolation{requestID: rid, code: code, path: path})
		}
	}
	return out
}

// stWantViolation requires a 400 naming (requestID, path) with code.
func stWantViolation(t testing.TB, resp *crmtest.Response, want stViolation) []stViolation {
	t.Helper()
	got := stViolations(t, resp)
	if !slices.Contains(got, want) {
		t.Errorf("validation errors %+v do not contain %+v; body: %s", got, want, resp.Body)
	}
	return got
}

// stInt reads an integer JSON number.
func stInt(t testing.TB, m map[string]any, key string) int64 {
	t.Helper()
	n, ok := m[key].(json.Number)
	if !ok {
		t.Fatalf("%q = %#v (%T), want an integer; in %v", key, m[key], m[key], m)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%q = %s, want an integer", key, n)
	}
	return i
}

// stWant compares m[key] with want (string, bool or int64).
func stWant(t testing.TB, m map[string]any, key string, want any) {
	t.Helper()
	got, ok := m[key]
	if !ok {
		t.Errorf("key %q missing in %v", key, m)
		return
	}
	switch w := want.(type) {
	case int64:
		n, ok := got.(json.Number)
		if i, err := n.Int64(); !ok || err != nil || i != w {
			t.Errorf("%q = %#v, want %d", key, got, w)
		}
	default:
		if got != want {
			t.Errorf("%q = %#v, want %#v", key, got, want)
		}
	}
}

// stHref returns m._links.self.href.
func stHref(t testing.TB, m map[string]any) string {
	t.Helper()
	links, _ := m["_links"].(map[string]any)
	self, _ := links["self"].(map[string]any)
	href, ok := self["href"].(string)
	if !ok {
		t.Fatalf("no _links.self.href in %v", m)
	}
	return href
}

// stJSONEqual compares a decoded JSON value with a JSON literal.
func stJSONEqual(t testing.TB, what string, got any, want string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(want))
	dec.UseNumber()
	var w any
	if err := dec.Decode(&w); err != nil {
		t.Fatalf("bad want literal %s: %v", want, err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("%s = %s, want %s", what, g, want)
	}
}

func stKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// stCheckStatus checks one status model against the seed's shape: exactly the
// documented keys (plus request_id when withRequestID), their types, the
// account and an absolute self link.
func stCheckStatus(t testing.TB, env *crmtest.Env, s map[string]any, accountID int64, withRequestID bool) {
	t.Helper()
	want := stStatusKeys
	if withRequestID {
		want = append(slices.Clone(stStatusKeys), "request_id")
		sort.Strings(want)
	}
	if got := stKeys(s); !slices.Equal(got, want) {
		t.Errorf("status keys %v, want %v", got, want)
	}
	id := stInt(t, s, "id")
	if id <= 0 {
		t.Errorf("id = %d, want > 0", id)
	}
	if _, ok := s["name"].(string); !ok {
		t.Errorf("name = %#v, want a string", s["name"])
	}
	stInt(t, s, "sort")
	stInt(t, s, "type")
	if _, ok := s["is_default"].(bool); !ok {
		t.Errorf("is_default = %#v, want a bool", s["is_default"])
	}
	if _, ok := s["conditions"].([]any); !ok {
		t.Errorf("conditions = %#v, want an array", s["conditions"])
	}
	if c, ok := s["color"].(string); !ok || !strings.HasPrefix(c, "#") {
		t.Errorf("color = %#v, want a #-colour", s["color"])
	}
	stWant(t, s, "account_id", accountID)
	if href, want := stHref(t, s), env.URL+stPath+"/"+strconv.FormatInt(id, 10); href != want {
		t.Errorf("_links.self.href = %q, want %q", href, want)
	}
}

// stList lists the statuses, checking the collection envelope and every item.
func stList(t testing.TB, env *crmtest.Env, token string, accountID int64) []map[string]any {
	t.Helper()
	obj := stHAL(t, env.Do(t, http.MethodGet, stPath, token, ""), http.StatusOK)
	if got := stKeys(obj); !slices.Equal(got, []string{"_embedded", "_links", "_total_items"}) {
		t.Errorf("list keys %v, want _embedded, _links, _total_items", got)
	}
	if href := stHref(t, obj); href != env.URL+stPath {
		t.Errorf("list _links.self.href = %q, want %q", href, env.URL+stPath)
	}
	emb, _ := obj["_embedded"].(map[string]any)
	raw, ok := emb["statuses"].([]any)
	if !ok {
		t.Fatalf("_embedded.statuses missing: %v", obj)
	}
	stWant(t, obj, "_total_items", int64(len(raw)))
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		s, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("status %d is not an object", i)
		}
		stCheckStatus(t, env, s, accountID, false)
		out[i] = s
	}
	return out
}

// stByName finds a status by name, or nil.
func stByName(list []map[string]any, name string) map[string]any {
	for _, s := range list {
		if s["name"] == name {
			return s
		}
	}
	return nil
}

// stIDPath is the item path of a status.
func stIDPath(t testing.TB, s map[string]any) string {
	t.Helper()
	return stPath + "/" + strconv.FormatInt(stInt(t, s, "id"), 10)
}

// stSnapshot is the list as canonical JSON, to prove a request changed nothing.
func stSnapshot(t testing.TB, env *crmtest.Env, token string, accountID int64) string {
	t.Helper()
	b, err := json.Marshal(stList(t, env, token, accountID))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stAddN adds n statuses named prefix+i in one batch and requires success.
func stAddN(t testing.TB, env *crmtest.Env, token, prefix string, n int) []int64 {
	t.Helper()
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"name":"%s%d","sort":%d}`, prefix, i, 100+i)
	}
	obj := stHAL(t, env.Do(t, http.MethodPost, stPath, token, "["+strings.Join(items, ",")+"]"), http.StatusOK)
	emb, _ := obj["_embedded"].(map[string]any)
	raw, _ := emb["statuses"].([]any)
	if len(raw) != n {
		t.Fatalf("added %d statuses, want %d", len(raw), n)
	}
	ids := make([]int64, n)
	for i, r := range raw {
		ids[i] = stInt(t, r.(map[string]any), "id")
	}
	return ids
}

// TestStatusesSeedExamples replays every request example of seed 000's status
// sections in order and checks each response field by field.
func TestStatusesSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Seed Statuses")

		// List: a new account has exactly the four system statuses.
		list := stList(t, env, token, accountID)
		if len(list) != len(stSystem) {
			t.Fatalf("new account has %d statuses, want %d", len(list), len(stSystem))
		}
		for i, want := range stSystem {
			s := list[i]
			stWant(t, s, "name", want.name)
			stWant(t, s, "sort", want.sort)
			stWant(t, s, "color", want.color)
			stWant(t, s, "type", want.typ)
			stWant(t, s, "is_default", true)
			stJSONEqual(t, want.name+" conditions", s["conditions"], want.conditions)
		}

		// Add: the exact request example.
		resp := env.Do(t, http.MethodPost, stPath, token, `[
    {
        "name": "Новый статус",
        "sort": 100,
        "color": "#fffeb2"
    },
    {
        "name": "Новый статус 2",
        "sort": 200,
        "color": "#fffeb2"
    }
]`)
		obj := stHAL(t, resp, http.StatusOK)
		if got := stKeys(obj); !slices.Equal(got, []string{"_embedded", "_links", "_total_items"}) {
			t.Errorf("add response keys %v", got)
		}
		stWant(t, obj, "_total_items", int64(2))
		if href := stHref(t, obj); href != env.URL+stPath {
			t.Errorf("add _links.self.href = %q, want %q", href, env.URL+stPath)
		}
		emb, _ := obj["_embedded"].(map[string]any)
		created, _ := emb["statuses"].([]any)
		if len(created) != 2 {
			t.Fatalf("add returned %d statuses, want 2: %s", len(created), resp.Body)
		}
		var ids []int64
		for i, c := range created {
			cm := c.(map[string]any)
			if got := stKeys(cm); !slices.Equal(got, []string{"_links", "id", "request_id"}) {
				t.Errorf("created item keys %v, want _links, id, request_id", got)
			}
			id := stInt(t, cm, "id")
			stWant(t, cm, "request_id", strconv.Itoa(i))
			if href, want := stHref(t, cm), fmt.Sprintf("%s%s/%d", env.URL, stPath, id); href != want {
				t.Errorf("created _links.self.href = %q, want %q", href, want)
			}
			ids = append(ids, id)
		}
		if ids[0] == ids[1] {
			t.Fatalf("both created statuses have id %d", ids[0])
		}

		// Get by id: each new status as added, type 0, not default.
		for i, want := range []struct {
			name string
			sort int64
		}{{"Новый статус", 100}, {"Новый статус 2", 200}} {
			s := stHAL(t, env.Do(t, http.MethodGet, fmt.Sprintf("%s/%d", stPath, ids[i]), token, ""), http.StatusOK)
			stCheckStatus(t, env, s, accountID, false)
			stWant(t, s, "id", ids[i])
			stWant(t, s, "name", want.name)
			stWant(t, s, "sort", want.sort)
			stWant(t, s, "color", "#fffeb2")
			stWant(t, s, "type", int64(0))
			stWant(t, s, "is_default", false)
			stJSONEqual(t, "conditions", s["conditions"], `[]`)
		}
		// A system status by id too.
		sys := stHAL(t, env.Do(t, http.MethodGet, stIDPath(t, list[1]), token, ""), http.StatusOK)
		stCheckStatus(t, env, sys, accountID, false)
		stJSONEqual(t, "system status by id", any(sys), stMustJSON(t, list[1]))

		// The list now has six statuses ordered by sort.
		list = stList(t, env, token, accountID)
		if len(list) != 6 {
			t.Fatalf("list has %d statuses after adding 2, want 6", len(list))
		}
		var sorts []int64
		for _, s := range list {
			sorts = append(sorts, stInt(t, s, "sort"))
		}
		if !slices.IsSorted(sorts) {
			t.Errorf("list is not ordered by sort: %v", sorts)
		}

		// Edit: the exact request example.
		path := fmt.Sprintf("%s/%d", stPath, ids[0])
		resp = env.Do(t, http.MethodPatch, path, token, `{
    "name": "Новое название для статуса",
    "color": "#c1e0ff"
}`)
		s := stHAL(t, resp, http.StatusOK)
		stCheckStatus(t, env, s, accountID, true)
		stWant(t, s, "id", ids[0])
		stWant(t, s, "name", "Новое название для статуса")
		stWant(t, s, "color", "#c1e0ff")
		stWant(t, s, "sort", int64(100)) // unchanged
		stWant(t, s, "type", int64(0))
		stWant(t, s, "is_default", false)
		stWant(t, s, "request_id", "0")
		stJSONEqual(t, "conditions", s["conditions"], `[]`)
		got := stHAL(t, env.Do(t, http.MethodGet, path, token, ""), http.StatusOK)
		stWant(t, got, "name", "Новое название для статуса")
		stWant(t, got, "color", "#c1e0ff")
		stWant(t, got, "sort", int64(100))

		// Delete: 204 with an empty body; the status is gone.
		resp = env.Do(t, http.MethodDelete, path, token, "")
		if resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
			t.Fatalf("DELETE: status %d body %q, want 204 and empty", resp.Status, resp.Body)
		}
		stProblem(t, env.Do(t, http.MethodGet, path, token, ""), http.StatusNotFound)
		stProblem(t, env.Do(t, http.MethodDelete, path, token, ""), http.StatusNotFound)
		list = stList(t, env, token, accountID)
		if len(list) != 5 || stByName(list, "Новое название для статуса") != nil || stByName(list, "Новый статус 2") == nil {
			t.Errorf("after delete the list is %v", list)
		}
	})
}

func stMustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStatusesRequestIDAndDefaults: request_id is echoed or the index; the
// colour defaults to one of the palette; added statuses are type 0 and not
// default whatever the body says.
func TestStatusesRequestIDAndDefaults(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Request Ids")
		obj := stHAL(t, env.Do(t, http.MethodPost, stPath, token,
			`[{"name":"A","sort":10,"request_id":"first"},{"name":"B","sort":11},{"name":"C","sort":12,"request_id":"third","type":4,"is_default":true}]`),
			http.StatusOK)
		emb, _ := obj["_embedded"].(map[string]any)
		created, _ := emb["statuses"].([]any)
		if len(created) != 3 {
			t.Fatalf("created %d, want 3", len(created))
		}
		for i, want := range []string{"first", "1", "third"} {
			stWant(t, created[i].(map[string]any), "request_id", want)
		}
		list := stList(t, env, token, accountID)
		for _, name := range []string{"A", "B", "C"} {
			s := stByName(list, name)
			if s == nil {
				t.Fatalf("status %s not listed", name)
			}
			stWant(t, s, "type", int64(0))
			stWant(t, s, "is_default", false)
			if c, _ := s["color"].(string); !slices.Contains(crm.StatusColors, c) {
				t.Errorf("status %s has colour %q, not from the palette", name, c)
			}
			if _, ok := s["request_id"]; ok {
				t.Errorf("request_id was stored: %v", s)
			}
		}

		path := stIDPath(t, stByName(list, "A"))
		s := stHAL(t, env.Do(t, http.MethodPatch, path, token, `{"sort":42,"request_id":"edit-1"}`), http.StatusOK)
		stWant(t, s, "request_id", "edit-1")
		stWant(t, s, "sort", int64(42))
		stWant(t, s, "name", "A")
		s = stHAL(t, env.Do(t, http.MethodGet, path, token, ""), http.StatusOK)
		if _, ok := s["request_id"]; ok {
			t.Errorf("GET after PATCH shows request_id: %v", s)
		}
	})
}

// stAuthCases are ways of presenting bad credentials.
var stAuthCases = []struct {
	name    string
	token   string
	headers []string
}{
	{"no header", "", nil},
	{"wrong token", "not-a-token", nil},
	{"forged JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2NvdW50X2lkIjoxLCJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl", nil},
	{"bearer without token", "", []string{"Authorization: Bearer"}},
	{"lowercase scheme, wrong token", "", []string{"Authorization: bearer nope"}},
	{"basic scheme", "", []string{"Authorization: Basic dXNlcjpwYXNz"}},
	{"token without scheme", "", nil}, // filled in with the real token below
}

// TestStatusesUnauthorized: every status endpoint answers 401 without a valid
// bearer token, and nothing is written.
func TestStatusesUnauthorized(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Unauthorized")
		ids := stAddN(t, env, token, "Mine", 1)
		item := fmt.Sprintf("%s/%d", stPath, ids[0])
		before := stSnapshot(t, env, token, accountID)
		endpoints := []struct{ method, path, body string }{
			{http.MethodGet, stPath, ""},
			{http.MethodGet, item, ""},
			{http.MethodPost, stPath, `[{"name":"Intruder","sort":1}]`},
			{http.MethodPatch, item, `{"name":"Intruder"}`},
			{http.MethodDelete, item, ""},
		}
		for _, ep := range endpoints {
			for _, c := range stAuthCases {
				t.Run(ep.method+" "+ep.path+" "+c.name, func(t *testing.T) {
					headers := c.headers
					if c.name == "token without scheme" {
						headers = []string{"Authorization: " + token}
					}
					p := stProblem(t, env.Do(t, ep.method, ep.path, c.token, ep.body, headers...), http.StatusUnauthorized)
					stWant(t, p, "detail", "Неверный логин или пароль")
					stWant(t, p, "title", "Unauthorized")
				})
			}
		}
		if after := stSnapshot(t, env, token, accountID); after != before {
			t.Errorf("unauthorized requests changed the statuses:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestStatusesMemberForbidden: a member may read but not write (403), and the
// refused writes change nothing.
func TestStatusesMemberForbidden(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, admin := stNewAccount(t, env, "Members")
		member := env.NewUser(t, accountID, crm.RoleMember).AmoCRMToken
		ids := stAddN(t, env, admin, "Custom", 1)
		item := fmt.Sprintf("%s/%d", stPath, ids[0])
		before := stSnapshot(t, env, admin, accountID)

		if got := stList(t, env, member, accountID); len(got) != 5 {
			t.Errorf("member lists %d statuses, want 5", len(got))
		}
		s := stHAL(t, env.Do(t, http.MethodGet, item, member, ""), http.StatusOK)
		stCheckStatus(t, env, s, accountID, false)
		stWant(t, s, "name", "Custom0")

		systemItem := stIDPath(t, stList(t, env, admin, accountID)[0])
		for _, c := range []struct{ name, method, path, body string }{
			{"add", http.MethodPost, stPath, `[{"name":"By member","sort":1,"color":"#fffeb2"}]`},
			{"edit", http.MethodPatch, item, `{"name":"By member"}`},
			{"edit system", http.MethodPatch, systemItem, `{"color":"#fffeb2"}`},
			{"delete", http.MethodDelete, item, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				stProblem(t, env.Do(t, c.method, c.path, member, c.body), http.StatusForbidden)
			})
		}
		if after := stSnapshot(t, env, admin, accountID); after != before {
			t.Errorf("forbidden requests changed the statuses:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestStatusesNotFound: unknown ids, another account's ids and malformed ids
// are 404 for get, edit and delete, and nothing changes on either account.
func TestStatusesNotFound(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountA, tokenA := stNewAccount(t, env, "Owner A")
		accountB, tokenB := stNewAccount(t, env, "Other B")
		idsB := stAddN(t, env, tokenB, "B", 1)
		systemB := stInt(t, stList(t, env, tokenB, accountB)[0], "id")
		beforeA := stSnapshot(t, env, tokenA, accountA)
		beforeB := stSnapshot(t, env, tokenB, accountB)

		for _, c := range []struct{ name, id string }{
			{"unknown id", "987654321"},
			{"other account's status", strconv.FormatInt(idsB[0], 10)},
			{"other account's system status", strconv.FormatInt(systemB, 10)},
			{"non-numeric", "abc"},
			{"zero", "0"},
			{"negative", "-1"},
			{"fraction", "1.5"},
			{"overflow", "99999999999999999999999"},
		} {
			path := stPath + "/" + c.id
			t.Run(c.name, func(t *testing.T) {
				stProblem(t, env.Do(t, http.MethodGet, path, tokenA, ""), http.StatusNotFound)
				stProblem(t, env.Do(t, http.MethodPatch, path, tokenA, `{"name":"Hijacked"}`), http.StatusNotFound)
				stProblem(t, env.Do(t, http.MethodDelete, path, tokenA, ""), http.StatusNotFound)
			})
		}
		if after := stSnapshot(t, env, tokenA, accountA); after != beforeA {
			t.Errorf("account A changed:\nbefore %s\nafter  %s", beforeA, after)
		}
		if after := stSnapshot(t, env, tokenB, accountB); after != beforeB {
			t.Errorf("account B changed through A's token:\nbefore %s\nafter  %s", beforeB, after)
		}
	})
}

// TestStatusesValidation: malformed and invalid bodies are 400 problems with
// validation-errors naming the item by request_id and the field by path; a
// refused request writes nothing.
func TestStatusesValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Validation")
		ids := stAddN(t, env, token, "Target", 1)
		item := fmt.Sprintf("%s/%d", stPath, ids[0])
		before := stSnapshot(t, env, token, accountID)

		// Bodies that do not parse as JSON: 400 without validation-errors.
		for _, c := range []struct{ name, method, path, body string }{
			{"POST truncated", http.MethodPost, stPath, `[{"name":"x","sort":1`},
			{"POST garbage", http.MethodPost, stPath, `not json`},
			{"POST trailing data", http.MethodPost, stPath, `[{"name":"x","sort":1}] []`},
			{"POST whitespace only", http.MethodPost, stPath, "   "},
			{"PATCH truncated", http.MethodPatch, item, `{"name":`},
			{"PATCH two objects", http.MethodPatch, item, `{"name":"a"}{"name":"b"}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := stProblem(t, env.Do(t, c.method, c.path, token, c.body), http.StatusBadRequest)
				if _, ok := p["validation-errors"]; ok {
					t.Errorf("a parse error carries validation-errors: %v", p)
				}
			})
		}
		t.Run("POST empty body", func(t *testing.T) {
			stProblem(t, env.Do(t, http.MethodPost, stPath, token, ""), http.StatusBadRequest)
		})

		for _, c := range []struct {
			name   string
			method string
			path   string
			body   string
			want   stViolation
		}{
			{"POST object, not array", http.MethodPost, stPath, `{"name":"x","sort":1}`, stViolation{"0", "InvalidType", ""}},
			{"POST empty array", http.MethodPost, stPath, `[]`, stViolation{"0", "FieldMissing", ""}},
			{"POST item not an object", http.MethodPost, stPath, `["x"]`, stViolation{"0", "InvalidType", ""}},
			{"POST sort string", http.MethodPost, stPath, `[{"name":"x","sort":"x"}]`, stViolation{"0", "InvalidType", "sort"}},
			{"POST sort fraction", http.MethodPost, stPath, `[{"name":"x","sort":1.5}]`, stViolation{"0", "InvalidType", "sort"}},
			{"POST sort overflow", http.MethodPost, stPath, `[{"name":"x","sort":99999999999}]`, stViolation{"0", "InvalidType", "sort"}},
			{"POST name number", http.MethodPost, stPath, `[{"name":5,"sort":1}]`, stViolation{"0", "InvalidType", "name"}},
			{"POST color number", http.MethodPost, stPath, `[{"name":"x","sort":1,"color":1}]`, stViolation{"0", "InvalidType", "color"}},
			{"POST request_id number", http.MethodPost, stPath, `[{"name":"x","sort":1,"request_id":7}]`, stViolation{"0", "InvalidType", "request_id"}},
			{"POST missing name", http.MethodPost, stPath, `[{"sort":1}]`, stViolation{"0", "FieldMissing", "name"}},
			{"POST null name", http.MethodPost, stPath, `[{"name":null,"sort":1}]`, stViolation{"0", "FieldMissing", "name"}},
			{"POST blank name", http.MethodPost, stPath, `[{"name":"  ","sort":1}]`, stViolation{"0", "NotBlank", "name"}},
			{"POST missing sort", http.MethodPost, stPath, `[{"name":"x"}]`, stViolation{"0", "FieldMissing", "sort"}},
			{"POST colour not in palette", http.MethodPost, stPath, `[{"name":"x","sort":1,"color":"#000000"}]`, stViolation{"0", "NotSupportedChoice", "color"}},
			{"POST colour without #", http.MethodPost, stPath, `[{"name":"x","sort":1,"color":"fffeb2"}]`, stViolation{"0", "NotSupportedChoice", "color"}},
			{"POST system colour", http.MethodPost, stPath, `[{"name":"x","sort":1,"color":"#ccff66"}]`, stViolation{"0", "NotSupportedChoice", "color"}},
			{"POST request_id echoed", http.MethodPost, stPath, `[{"name":"x","sort":1,"request_id":"mine","color":"#bad"}]`, stViolation{"mine", "NotSupportedChoice", "color"}},
			{"POST second item by index", http.MethodPost, stPath, `[{"name":"ok","sort":1},{"name":"bad"}]`, stViolation{"1", "FieldMissing", "sort"}},
			{"PATCH no fields", http.MethodPatch, item, `{}`, stViolation{"0", "FieldMissing", ""}},
			{"PATCH only request_id", http.MethodPatch, item, `{"request_id":"r-1"}`, stViolation{"r-1", "FieldMissing", ""}},
			{"PATCH only nulls", http.MethodPatch, item, `{"name":null,"sort":null,"color":null}`, stViolation{"0", "FieldMissing", ""}},
			{"PATCH array body", http.MethodPatch, item, `[{"name":"x"}]`, stViolation{"0", "InvalidType", ""}},
			{"PATCH sort string", http.MethodPatch, item, `{"sort":"x"}`, stViolation{"0", "InvalidType", "sort"}},
			{"PATCH name bool", http.MethodPatch, item, `{"name":true}`, stViolation{"0", "InvalidType", "name"}},
			{"PATCH blank name", http.MethodPatch, item, `{"name":""}`, stViolation{"0", "NotBlank", "name"}},
			{"PATCH colour not in palette", http.MethodPatch, item, `{"color":"#123456","request_id":"colour"}`, stViolation{"colour", "NotSupportedChoice", "color"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				stWantViolation(t, env.Do(t, c.method, c.path, token, c.body), c.want)
			})
		}

		t.Run("several items, each under its own request_id", func(t *testing.T) {
			got := stViolations(t, env.Do(t, http.MethodPost, stPath, token,
				`[{"name":"ok","sort":1},{"request_id":"r1"},{"name":"y","sort":2,"color":"nope"}]`))
			want := []stViolation{{"r1", "FieldMissing", "name"}, {"r1", "FieldMissing", "sort"}, {"2", "NotSupportedChoice", "color"}}
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("validation errors %+v lack %+v", got, w)
				}
			}
			for _, g := range got {
				if g.requestID == "0" {
					t.Errorf("the valid item 0 is reported: %+v", g)
				}
			}
		})

		if after := stSnapshot(t, env, token, accountID); after != before {
			t.Errorf("refused requests changed the statuses:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestStatusesBatchAllOrNothing: one bad item in a batch of three creates none.
func TestStatusesBatchAllOrNothing(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Batch")
		before := stSnapshot(t, env, token, accountID)
		for _, bad := range []string{
			`{"name":"Batch 2","sort":"x"}`,
			`{"name":"Batch 2","sort":2,"color":"#000000"}`,
			`{"sort":2}`,
			`"not an object"`,
		} {
			t.Run(bad, func(t *testing.T) {
				body := `[{"name":"Batch 1","sort":1},` + bad + `,{"name":"Batch 3","sort":3}]`
				got := stViolations(t, env.Do(t, http.MethodPost, stPath, token, body))
				for _, g := range got {
					if g.requestID != "1" {
						t.Errorf("violation for item %q, only item 1 is bad: %+v", g.requestID, got)
					}
				}
			})
		}
		if after := stSnapshot(t, env, token, accountID); after != before {
			t.Errorf("a refused batch wrote statuses:\nbefore %s\nafter  %s", before, after)
		}
		// The same batch without the bad item goes through whole.
		stAddN(t, env, token, "Batch ", 3)
		if got := len(stList(t, env, token, accountID)); got != 7 {
			t.Errorf("after a good batch of 3 there are %d statuses, want 7", got)
		}
	})
}

// TestStatusesModeDisabled: every status endpoint is 422 unless periodicity
// mode is on, and refused writes change nothing.
func TestStatusesModeDisabled(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		creds := env.NewAccount(t, "Mode Off")
		token := creds.AmoCRMToken

		// Learn the ids while the mode is on, then switch it off.
		stSetMode(t, env, token, "periodicity", true)
		ids := stAddN(t, env, token, "Kept", 1)
		custom := fmt.Sprintf("%s/%d", stPath, ids[0])
		system := stIDPath(t, stList(t, env, token, creds.AccountID)[0])
		before := stSnapshot(t, env, token, creds.AccountID)

		for _, mode := range []struct {
			name  string
			apply func(t *testing.T)
		}{
			{"disabled", func(t *testing.T) { stSetMode(t, env, token, "periodicity", false) }},
			{"segments", func(t *testing.T) { stSetMode(t, env, token, "segments", true) }},
		} {
			t.Run(mode.name, func(t *testing.T) {
				mode.apply(t)
				for _, c := range []struct{ name, method, path, body string }{
					{"list", http.MethodGet, stPath, ""},
					{"get", http.MethodGet, custom, ""},
					{"get system", http.MethodGet, system, ""},
					{"add", http.MethodPost, stPath, `[{"name":"While off","sort":1}]`},
					{"edit", http.MethodPatch, custom, `{"name":"While off"}`},
					{"delete", http.MethodDelete, custom, ""},
				} {
					t.Run(c.name, func(t *testing.T) {
						stProblem(t, env.Do(t, c.method, c.path, token, c.body), http.StatusUnprocessableEntity)
					})
				}
			})
		}
		stSetMode(t, env, token, "periodicity", true)
		if after := stSnapshot(t, env, token, creds.AccountID); after != before {
			t.Errorf("requests refused with 422 changed the statuses:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestStatusesModeDisabledNewAccount: a brand-new account has customers
// disabled, so even listing is 422.
func TestStatusesModeDisabledNewAccount(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := env.NewAccount(t, "Fresh").AmoCRMToken
		stProblem(t, env.Do(t, http.MethodGet, stPath, token, ""), http.StatusUnprocessableEntity)
		stProblem(t, env.Do(t, http.MethodPost, stPath, token, `[{"name":"x","sort":1}]`), http.StatusUnprocessableEntity)
	})
}

// TestStatusesLimit: at most 30 statuses including the 4 system ones; a batch
// that would cross the limit writes nothing.
func TestStatusesLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Limit")
		count := func() int { t.Helper(); return len(stList(t, env, token, accountID)) }

		stAddN(t, env, token, "First", 24)
		if got := count(); got != 28 {
			t.Fatalf("after 24 added there are %d statuses, want 28", got)
		}
		before := stSnapshot(t, env, token, accountID)
		stProblem(t, env.Do(t, http.MethodPost, stPath, token,
			`[{"name":"Over 1","sort":1},{"name":"Over 2","sort":2},{"name":"Over 3","sort":3}]`), http.StatusUnprocessableEntity)
		if after := stSnapshot(t, env, token, accountID); after != before {
			t.Fatalf("a batch crossing the limit wrote statuses:\nbefore %s\nafter  %s", before, after)
		}

		last := stAddN(t, env, token, "Last", 2) // 26 added + 4 system = 30
		if got := count(); got != crm.MaxCustomerStatuses {
			t.Fatalf("after 26 added there are %d statuses, want 30", got)
		}
		before = stSnapshot(t, env, token, accountID)
		stProblem(t, env.Do(t, http.MethodPost, stPath, token, `[{"name":"The 27th","sort":1}]`), http.StatusUnprocessableEntity)
		if after := stSnapshot(t, env, token, accountID); after != before {
			t.Fatalf("the 27th status was written:\nbefore %s\nafter  %s", before, after)
		}

		// Edits are not creates: the full account can still be edited.
		stHAL(t, env.Do(t, http.MethodPatch, fmt.Sprintf("%s/%d", stPath, last[0]), token, `{"name":"Renamed at the limit"}`), http.StatusOK)

		// Deleting one frees a place for exactly one more.
		resp := env.Do(t, http.MethodDelete, fmt.Sprintf("%s/%d", stPath, last[1]), token, "")
		if resp.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", resp.Status, resp.Body)
		}
		stAddN(t, env, token, "Refill", 1)
		stProblem(t, env.Do(t, http.MethodPost, stPath, token, `[{"name":"Again","sort":1}]`), http.StatusUnprocessableEntity)
		if got := count(); got != crm.MaxCustomerStatuses {
			t.Errorf("finally %d statuses, want 30", got)
		}
	})
}

// TestStatusesSystemStatuses: system statuses cannot be deleted (400) and stay;
// they may be renamed and keep their type and is_default.
func TestStatusesSystemStatuses(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "System")
		list := stList(t, env, token, accountID)
		before := stSnapshot(t, env, token, accountID)
		for _, s := range list {
			t.Run(s["name"].(string), func(t *testing.T) {
				p := stProblem(t, env.Do(t, http.MethodDelete, stIDPath(t, s), token, ""), http.StatusBadRequest)
				if d, _ := p["detail"].(string); !strings.Contains(strings.ToLower(d), "system") {
					t.Errorf("detail %q does not say why", d)
				}
				stHAL(t, env.Do(t, http.MethodGet, stIDPath(t, s), token, ""), http.StatusOK)
			})
		}
		if after := stSnapshot(t, env, token, accountID); after != before {
			t.Errorf("refused deletes changed the statuses:\nbefore %s\nafter  %s", before, after)
		}

		closed := list[3]
		s := stHAL(t, env.Do(t, http.MethodPatch, stIDPath(t, closed), token, `{"name":"Закрыт","color":"#e6e8ea"}`), http.StatusOK)
		stWant(t, s, "name", "Закрыт")
		stWant(t, s, "color", "#e6e8ea")
		stWant(t, s, "type", int64(3))
		stWant(t, s, "is_default", true)
		stJSONEqual(t, "conditions after rename", s["conditions"], stSystem[3].conditions)
	})
}

// TestStatusesContentTypeOnBodylessRequests: GET and DELETE accept a
// Content-Type: application/json header without a body.
func TestStatusesContentTypeOnBodylessRequests(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Headers")
		ids := stAddN(t, env, token, "Doomed", 1)
		item := fmt.Sprintf("%s/%d", stPath, ids[0])
		const ct = "Content-Type: application/json"

		obj := stHAL(t, env.Do(t, http.MethodGet, stPath, token, "", ct), http.StatusOK)
		stWant(t, obj, "_total_items", int64(5))
		s := stHAL(t, env.Do(t, http.MethodGet, item, token, "", ct), http.StatusOK)
		stWant(t, s, "name", "Doomed0")
		resp := env.Do(t, http.MethodDelete, item, token, "", ct)
		if resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
			t.Fatalf("DELETE with Content-Type: %d %q, want 204 and empty", resp.Status, resp.Body)
		}
		if got := len(stList(t, env, token, accountID)); got != 4 {
			t.Errorf("%d statuses after delete, want 4", got)
		}
	})
}

// TestStatusesOversizedBody: a body over 1 MiB is a 413 problem and writes
// nothing, even when it is valid JSON.
func TestStatusesOversizedBody(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Big")
		ids := stAddN(t, env, token, "Small", 1)
		item := fmt.Sprintf("%s/%d", stPath, ids[0])
		before := stSnapshot(t, env, token, accountID)
		pad := strings.Repeat(" ", 1<<20)

		stProblem(t, env.Do(t, http.MethodPost, stPath, token, `[{"name":"Huge","sort":1}`+pad+`]`), http.StatusRequestEntityTooLarge)
		stProblem(t, env.Do(t, http.MethodPatch, item, token, `{"name":"Huge"`+pad+`}`), http.StatusRequestEntityTooLarge)
		if after := stSnapshot(t, env, token, accountID); after != before {
			t.Errorf("oversized requests changed the statuses:\nbefore %s\nafter  %s", before, after)
		}
		// Just under the limit is accepted.
		body := `[{"name":"Almost","sort":1}]`
		body = body[:len(body)-1] + strings.Repeat(" ", (1<<20)-len(body)) + "]"
		if len(body) != 1<<20 {
			t.Fatalf("body is %d bytes", len(body))
		}
		stHAL(t, env.Do(t, http.MethodPost, stPath, token, body), http.StatusOK)
	})
}

// TestStatusesConcurrentLimit: 20 clients each adding 2 statuses at once can
// not push the account past 30; each request either succeeds whole or is 422.
func TestStatusesConcurrentLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		accountID, token := stNewAccount(t, env, "Race")
		const clients = 20
		type result struct {
			status int
			ct     string
			body   []byte
			err    error
		}
		results := make([]result, clients)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`[{"name":"Race %d a","sort":%d},{"name":"Race %d b","sort":%d}]`, i, 2*i, i, 2*i+1)
				req, err := http.NewRequest(http.MethodPost, env.URL+stPath, strings.NewReader(body))
				if err != nil {
					results[i].err = err
					return
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				<-start
				resp, err := env.Client.Do(req)
				if err != nil {
					results[i].err = err
					return
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				results[i] = result{status: resp.StatusCode, ct: resp.Header.Get("Content-Type"), body: b, err: err}
			}()
		}
		close(start)
		wg.Wait()

		ok := 0
		var created []int64
		for i, r := range results {
			if r.err != nil {
				t.Fatalf("client %d: %v", i, r.err)
			}
			switch r.status {
			case http.StatusOK:
				ok++
				obj := stHAL(t, &crmtest.Response{Status: r.status, Header: http.Header{"Content-Type": {r.ct}}, Body: r.body}, http.StatusOK)
				emb, _ := obj["_embedded"].(map[string]any)
				items, _ := emb["statuses"].([]any)
				if len(items) != 2 {
					t.Errorf("client %d: created %d statuses, want 2", i, len(items))
				}
				for _, it := range items {
					created = append(created, stInt(t, it.(map[string]any), "id"))
				}
			case http.StatusUnprocessableEntity:
				stProblem(t, &crmtest.Response{Status: r.status, Header: http.Header{"Content-Type": {r.ct}}, Body: r.body}, http.StatusUnprocessableEntity)
			default:
				t.Errorf("client %d: status %d, want 200 or 422: %s", i, r.status, bytes.TrimSpace(r.body))
			}
		}
		list := stList(t, env, token, accountID)
		if len(list) > crm.MaxCustomerStatuses {
			t.Fatalf("%d statuses after the race, the limit is %d", len(list), crm.MaxCustomerStatuses)
		}
		if want := len(stSystem) + 2*ok; len(list) != want {
			t.Errorf("%d statuses listed, but %d requests succeeded (want %d)", len(list), ok, want)
		}
		// 26 free places, 2 per request: exactly 13 fit.
		if ok != 13 {
			t.Errorf("%d requests succeeded, want 13", ok)
		}
		listed := map[int64]bool{}
		for _, s := range list {
			listed[stInt(t, s, "id")] = true
		}
		for _, id := range created {
			if !listed[id] {
				t.Errorf("status %d was reported created but is not listed", id)
			}
		}
	})
}
