package amocrm_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v4 customers API (companion §1, §3, §4) and its contacts,
// companies and transactions. Helpers are prefixed v4; the sg… helpers of
// segments_test.go (status, content type, problem and validation checks) are
// shared.

const v4Customers = "/api/v4/customers"

// v4CustomerKeys are exactly the keys of the customer model (companion §1.2).
var v4CustomerKeys = []string{"_embedded", "_links", "account_id", "average_check", "closest_task_at", "created_at",
	"created_by", "custom_fields_values", "id", "is_deleted", "ltv", "name", "next_date", "next_price", "periodicity",
	"purchases_count", "responsible_user_id", "status_id", "updated_at", "updated_by"}

// v4CompanionListExample is the GET /api/v4/customers example of §1.3.
const v4CompanionListExample = `{"_page":1,
 "_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/customers?limit=2&with=contacts&page=1"},
           "next":{"href":"https://ex.amocrm.ru/api/v4/customers?limit=2&with=contacts&page=2"}},
 "_embedded":{"customers":[{
   "id":1,"name":"1","next_price":214,"next_date":1589058000,"responsible_user_id":504141,
   "status_id":4740028,"periodicity":0,"created_by":504141,"updated_by":504141,
   "created_at":1582117365,"updated_at":1589651187,"closest_task_at":null,"is_deleted":false,
   "custom_fields_values":null,"ltv":1231454,"purchases_count":11,"average_check":111950,
   "account_id":28805383,"_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/customers/1"}},
   "_embedded":{"segments":[{"id":43,"_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/customers/segments/43"}}}],
                "tags":[],
                "contacts":[{"id":9820781,"is_main":true,"_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/contacts/9820781"}}}]}}]}}`

// v4CompanionPostExample is the POST /api/v4/customers request example of
// §1.5; FIELD, TAG and SEGMENT stand for 294479, 107721 and 81.
const v4CompanionPostExample = `[{"name":"C1","created_by":0,"custom_fields_values":[{"field_id":FIELD,"values":[{"value":"text"}]}],"tags_to_add":[{"id":TAG}]},
 {"name":"C2","_embedded":{"tags":[{"name":"VIP"}],"segments":[{"id":SEGMENT}]}}]`

// v4CompanionPostResponse is the 200 answer example of §1.5.
const v4CompanionPostResponse = `{"_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/customers"}},
 "_embedded":{"customers":[{"id":134957,"request_id":"0","_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/customers/134957"}}}]}}`

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

// v4List lists customers with query and returns the envelope and the ids.
func v4List(t testing.TB, env *crmtest.Env, token, query string) (map[string]any, []int64) {
	t.Helper()
	page := v4Do(t, env, "GET", v4Customers+query, token, "", 200)
	return page, v4IDs(t, v4Items(t, page, "customers"))
}

// v4Equal compares a decoded JSON value with a Go value through JSON.
func v4Equal(t testing.TB, what string, got any, want string) {
	t.Helper()
	var g, w any
	b, _ := json.Marshal(got)
	json.Unmarshal(b, &g)
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want %s: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, b, want)
	}
}

// v4Self returns _links.self.href.
func v4Self(t testing.TB, m map[string]any) string {
	t.Helper()
	return sgHref(t, m, "self")
}

func v4Itoa(i int64) string { return strconv.FormatInt(i, 10) }

// v4Statuses returns the account's customer status ids by name.
func v4Statuses(t testing.TB, env *crmtest.Env, token string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, s := range v4Items(t, v4Do(t, env, "GET", "/api/v4/customers/statuses", token, "", 200), "statuses") {
		out[s["name"].(string)] = sgIntOf(t, s, "id")
	}
	return out
}

// v4AnyStatuses returns two different status ids of the account.
func v4AnyStatuses(t testing.TB, env *crmtest.Env, token string) (int64, int64) {
	t.Helper()
	var ids []int64
	for _, id := range v4Statuses(t, env, token) {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) < 2 {
		t.Fatalf("the account has %d statuses, want at least 2", len(ids))
	}
	return ids[0], ids[1]
}

// v4TagNames returns the names of a customer's tags, sorted.
func v4TagNames(t testing.TB, c map[string]any) []string {
	t.Helper()
	names := []string{}
	for _, tag := range sgArr(t, sgObj(t, c["_embedded"], "_embedded")["tags"], "tags") {
		names = append(names, sgObj(t, tag, "tag")["name"].(string))
	}
	slices.Sort(names)
	return names
}

// ---------------------------------------------------------------------------

// TestV4CustomersCompanionExample replays §1.5's POST example and checks the
// answer and the customers it made against §1.3's model.
func TestV4CustomersCompanionExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := v4Account(t, env, "Example", "segments")
		tok := acc.AmoCRMToken
		field := v4Items(t, v4Do(t, env, "POST", "/api/v4/customers/custom_fields", tok, `[{"name":"Note","type":"text"}]`, 201), "custom_fields")[0]
		// The fields API is registered for customers (it is under /customers/custom_fields).
		if got := v4Self(t, field); got != env.URL+"/api/v4/customers/custom_fields/"+sgID(t, field) {
			t.Errorf("field self %s", got)
		}
		segment := sgAddSegment(t, env, tok, `{"name":"S81"}`)
		// An existing tag for tags_to_add by id.
		seedTagCustomer := v4AddCustomer(t, env, tok, `{"name":"tag seed","_embedded":{"tags":[{"name":"Existing"}]}}`)
		tags := sgArr(t, v4Get(t, env, tok, seedTagCustomer, "")["_embedded"].(map[string]any)["tags"], "tags")
		tagID := sgIntOf(t, sgObj(t, tags[0], "tag"), "id")

		body := strings.NewReplacer("FIELD", sgID(t, field), "TAG", v4Itoa(tagID), "SEGMENT", sgID(t, segment)).Replace(v4CompanionPostExample)
		resp := v4Do(t, env, "POST", v4Customers, tok, body, 200)
		sgShape(t, "POST", sgDecode(t, v4CompanionPostResponse), resp)
		if got := sgKeys(resp); !reflect.DeepEqual(got, []string{"_embedded", "_links"}) {
			t.Errorf("POST answer keys %v, want _embedded and _links only", got)
		}
		if got := v4Self(t, resp); got != env.URL+v4Customers {
			t.Errorf("POST self %s", got)
		}
		items := v4Items(t, resp, "customers")
		if len(items) != 2 {
			t.Fatalf("POST answered %d items, want 2", len(items))
		}
		for i, it := range items {
			if got := sgKeys(it); !reflect.DeepEqual(got, []string{"_links", "id", "request_id"}) {
				t.Errorf("item %d keys %v", i, got)
			}
			if it["request_id"] != strconv.Itoa(i) {
				t.Errorf("item %d request_id %v, want %q", i, it["request_id"], strconv.Itoa(i))
			}
			if got, want := v4Self(t, it), env.URL+v4Customers+"/"+sgID(t, it); got != want {
				t.Errorf("item %d self %s, want %s", i, got, want)
			}
		}

		c1 := v4Get(t, env, tok, sgIntOf(t, items[0], "id"), "")
		v4Equal(t, "C1 custom_fields_values", c1["custom_fields_values"],
			`[{"field_id":`+sgID(t, field)+`,"field_name":"Note","field_code":null,"field_type":"text","values":[{"value":"text"}]}]`)
		v4Equal(t, "C1 tags", c1["_embedded"].(map[string]any)["tags"], fmt.Sprintf(`[{"id":%d,"name":"Existing","color":null}]`, tagID))
		if sgIntOf(t, c1, "created_by") != 0 {
			t.Errorf("C1 created_by %v, want 0 (robot)", c1["created_by"])
		}
		v4Equal(t, "C1 segments", c1["_embedded"].(map[string]any)["segments"], `[]`)

		c2 := v4Get(t, env, tok, sgIntOf(t, items[1], "id"), "")
		if got := v4TagNames(t, c2); !reflect.DeepEqual(got, []string{"VIP"}) {
			t.Errorf("C2 tags %v, want [VIP]", got)
		}
		v4Equal(t, "C2 segments", c2["_embedded"].(map[string]any)["segments"],
			fmt.Sprintf(`[{"id":%s,"_links":{"self":{"href":"%s/api/v4/customers/segments/%s"}}}]`, sgID(t, segment), env.URL, sgID(t, segment)))
		if c2["custom_fields_values"] != nil {
			t.Errorf("C2 custom_fields_values %v, want null", c2["custom_fields_values"])
		}
		if got := sgKeys(c2["_embedded"].(map[string]any)); !reflect.DeepEqual(got, []string{"segments", "tags"}) {
			t.Errorf("_embedded keys without with: %v", got)
		}
		if by := sgIntOf(t, c2, "created_by"); by != acc.UserID {
			t.Errorf("C2 created_by %d, want the token's user %d", by, acc.UserID)
		}

		// The list example of §1.3, kind for kind (with=contacts after linking one).
		contact := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/contacts", tok, `[{"name":"P"}]`, 200), "contacts"))[0]
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/link", v4Customers, sgIntOf(t, items[1], "id")), tok,
			fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}}]`, contact), 200)
		page, _ := v4List(t, env, tok, fmt.Sprintf("?limit=2&with=contacts&filter[id]=%d", sgIntOf(t, items[1], "id")))
		// The example's customer has a status and a next_date; in segments
		// mode this one has neither, so compare those keys' kinds leniently.
		want := sgDecode(t, v4CompanionListExample).(map[string]any)
		wc := want["_embedded"].(map[string]any)["customers"].([]any)[0].(map[string]any)
		wc["next_date"] = nil
		delete(want["_links"].(map[string]any), "next")
		sgShape(t, "list", want, page)
		for _, c := range v4Items(t, page, "customers") {
			if got := sgKeys(c); !reflect.DeepEqual(got, v4CustomerKeys) {
				t.Errorf("customer keys %v, want %v", got, v4CustomerKeys)
			}
		}
	})
}

// TestV4CustomerModel checks every field of a customer written with every
// writable field, and the defaults of a minimal one.
func TestV4CustomerModel(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := v4Account(t, env, "Model", "periodicity")
		tok := acc.AmoCRMToken
		other := env.NewUser(t, acc.AccountID, crm.RoleMember)
		s1, _ := v4AnyStatuses(t, env, tok)

		before := time.Now().Unix()
		minimal := v4AddCustomer(t, env, tok, `{"name":"  Minimal  ","next_date":1900000000}`)
		c := v4Get(t, env, tok, minimal, "")
		sgOK(t, env.Do(t, "GET", v4Customers+"/"+v4Itoa(minimal), tok, ""), 200)
		if got := sgKeys(c); !reflect.DeepEqual(got, v4CustomerKeys) {
			t.Errorf("keys %v, want %v", got, v4CustomerKeys)
		}
		checks := map[string]any{"id": minimal, "name": "Minimal", "next_price": 0, "next_date": 1900000000,
			"responsible_user_id": acc.UserID, "periodicity": 0, "created_by": acc.UserID, "updated_by": acc.UserID,
			"closest_task_at": nil, "is_deleted": false, "custom_fields_values": nil, "ltv": 0, "purchases_count": 0,
			"average_check": 0, "account_id": acc.AccountID}
		for k, want := range checks {
			b, _ := json.Marshal(want)
			v4Equal(t, k, c[k], string(b))
		}
		for _, k := range []string{"created_at", "updated_at"} {
			if ts := sgIntOf(t, c, k); ts < before-1 || ts > time.Now().Unix()+1 {
				t.Errorf("%s %d is not now", k, ts)
			}
		}
		if got, want := v4Self(t, c), env.URL+v4Customers+"/"+v4Itoa(minimal); got != want {
			t.Errorf("self %s, want %s", got, want)
		}
		v4Equal(t, "_embedded", c["_embedded"], `{"segments":[],"tags":[]}`)

		full := v4AddCustomer(t, env, tok, fmt.Sprintf(`{"name":"Full","next_price":500,"next_date":1900000000,
			"responsible_user_id":%d,"status_id":%d,"periodicity":30,"created_by":0,"updated_by":%d,
			"created_at":1600000000,"updated_at":1600000100,"request_id":"mine"}`, other.UserID, s1, other.UserID))
		c = v4Get(t, env, tok, full, "")
		checks = map[string]any{"name": "Full", "next_price": 500, "next_date": 1900000000, "responsible_user_id": other.UserID,
			"status_id": s1, "periodicity": 30, "created_by": 0, "updated_by": other.UserID, "created_at": 1600000000,
			"updated_at": 1600000100}
		for k, want := range checks {
			b, _ := json.Marshal(want)
			v4Equal(t, k, c[k], string(b))
		}

		// next_date 0 means "no expected purchase": null on read.
		sgOK(t, env.Do(t, "PATCH", v4Customers+"/"+v4Itoa(full), tok, `{"next_date":0}`), 200)
		if got := v4Get(t, env, tok, full, "")["next_date"]; got != nil {
			t.Errorf("next_date after 0: %v, want null", got)
		}
	})
}

// v4FilterFixture makes three customers with distinct attributes in
// periodicity mode and returns their ids, two users and two statuses.
type v4FilterFixture struct {
	a, b, c      int64
	user1, user2 int64
	s1, s2       int64
}

func v4MakeFilterFixture(t testing.TB, env *crmtest.Env, acc auth.AccountCredentials) v4FilterFixture {
	t.Helper()
	tok := acc.AmoCRMToken
	f := v4FilterFixture{user1: acc.UserID, user2: env.NewUser(t, acc.AccountID, crm.RoleMember).UserID}
	f.s1, f.s2 = v4AnyStatuses(t, env, tok)
	ids := v4AddCustomers(t, env, tok, fmt.Sprintf(`[
		{"name":"Alpha","next_price":100,"next_date":1900000000,"status_id":%d,"updated_at":1610000000},
		{"name":"Beta","next_price":200,"next_date":1900100000,"status_id":%d,"responsible_user_id":%d,"created_by":0,
		 "updated_by":%d,"created_at":1600000000,"updated_at":1620000000},
		{"name":"Gamma beta","next_price":300,"next_date":1900200000,"status_id":%d,"responsible_user_id":%d,
		 "created_at":1700000000,"updated_at":1630000000}]`, f.s1, f.s2, f.user2, f.user2, f.s1, f.user2))
	f.a, f.b, f.c = ids[0], ids[1], ids[2]
	return f
}

// TestV4CustomersFilters runs every filter of §1.3 in each of its forms.
func TestV4CustomersFilters(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := v4Account(t, env, "Filters", "periodicity")
		tok := acc.AmoCRMToken
		f := v4MakeFilterFixture(t, env, acc)
		a, b, c := f.a, f.b, f.c
		s := v4Itoa
		cases := []struct {
			query string
			want  []int64
		}{
			{"", []int64{a, b, c}},
			{"?filter[id]=" + s(a), []int64{a}},
			{"?filter[id][]=" + s(a) + "&filter[id][]=" + s(b), []int64{a, b}},
			{"?filter[id][0]=" + s(a) + "&filter[id][1]=" + s(c), []int64{a, c}},
			{"?filter[name]=Beta", []int64{b}},
			{"?filter[name][]=Alpha&filter[name][]=Beta", []int64{a, b}},
			{"?filter[name][0]=Gamma%20beta", []int64{c}},
			{"?query=beta", []int64{b, c}},
			{"?query=ALPH", []int64{a}},
			{"?query=zzz", []int64{}},
			{"?filter[status_id]=" + s(f.s2), []int64{b}},
			{"?filter[status_id][]=" + s(f.s1), []int64{a, c}},
			{"?filter[responsible_user_id]=" + s(f.user2), []int64{b, c}},
			{"?filter[responsible_user_id][0]=" + s(f.user1), []int64{a}},
			{"?filter[created_by]=0", []int64{b}},
			{"?filter[created_by][]=" + s(f.user1), []int64{a, c}},
			{"?filter[updated_by]=" + s(f.user2), []int64{b}},
			{"?filter[updated_by][]=" + s(f.user1) + "&filter[updated_by][]=" + s(f.user2), []int64{a, b, c}},
			{"?filter[created_at][from]=1650000000", []int64{a, c}},
			{"?filter[created_at][to]=1650000000", []int64{b}},
			{"?filter[created_at][from]=1600000000&filter[created_at][to]=1700000000", []int64{b, c}},
			{"?filter[updated_at][from]=1615000000", []int64{b, c}},
			{"?filter[updated_at][to]=1620000000", []int64{a, b}},
			{"?filter[next_date][from]=1900050000", []int64{b, c}},
			{"?filter[next_date][from]=1900050000&filter[next_date][to]=1900150000", []int64{b}},
			{"?filter[next_price][from]=150&filter[next_price][to]=250", []int64{b}},
			{"?filter[next_price][to]=200", []int64{a, b}},
			{"?filter[closest_task_at][from]=1", []int64{}},
			{"?filter[name]=Beta&filter[responsible_user_id]=" + s(f.user2), []int64{b}},
			{"?order[id]=desc", []int64{c, b, a}},
			{"?order[id]=asc", []int64{a, b, c}},
			{"?order[created_at]=asc", []int64{b, c, a}},
			{"?order[created_at]=desc", []int64{a, c, b}},
			{"?order[updated_at]=desc", []int64{c, b, a}},
			{"?order[next_date]=desc", []int64{c, b, a}},
			{"?order[next_date]=ASC&filter[id][]=" + s(c) + "&filter[id][]=" + s(a), []int64{a, c}},
		}
		for _, tc := range cases {
			page, got := v4List(t, env, tok, tc.query)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("GET %s: ids %v, want %v", tc.query, got, tc.want)
			}
			if total := sgIntOf(t, page, "_total_items"); total != int64(len(tc.want)) {
				t.Errorf("GET %s: _total_items %d, want %d", tc.query, total, len(tc.want))
			}
		}

		bad := []struct{ query, path string }{
			{"?filter[id]=x", "filter[id]"},
			{"?filter[id][]=1.5", "filter[id][]"},
			{"?filter[created_at][from]=yesterday", "filter[created_at][from]"},
			{"?filter[unknown]=1", "filter[unknown]"},
			{"?filter[custom_fields_values][1][]=x", "filter[custom_fields_values][1][]"},
			{"?order[name]=asc", "order[name]"},
			{"?order[id]=up", "order[id]"},
			{"?limit=251", "limit"},
			{"?limit=0", "limit"},
			{"?page=0", "page"},
			{"?page=-1", "page"},
			{"?limit=x", "limit"},
		}
		for _, tc := range bad {
			resp := env.Do(t, "GET", v4Customers+tc.query, tok, "")
			p := sgProblem(t, resp, http.StatusBadRequest)
			if !strings.Contains(string(resp.Body), `"path":"`+tc.path+`"`) {
				t.Errorf("GET %s: %v lacks path %q", tc.query, p, tc.path)
			}
		}
	})
}

// TestV4CustomersPaging checks the paginated envelope and its links.
func TestV4CustomersPaging(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Paging", "segments").AmoCRMToken
		// An empty list is 200 with an empty array (the dialect's decision, not 204).
		page, ids := v4List(t, env, tok, "")
		if len(ids) != 0 || sgIntOf(t, page, "_total_items") != 0 || sgIntOf(t, page, "_page") != 1 {
			t.Errorf("empty list: %v", page)
		}
		if got := v4Self(t, page); got != env.URL+v4Customers+"?page=1&limit=50" {
			t.Errorf("default self %s", got)
		}
		all := v4AddCustomers(t, env, tok, `[{"name":"1"},{"name":"2"},{"name":"3"},{"name":"4"},{"name":"5"}]`)
		base := env.URL + v4Customers
		type want struct {
			ids                     []int64
			next, prev, first, last string
		}
		cases := []struct {
			query string
			page  int64
			want  want
		}{
			{"?limit=2", 1, want{all[:2], base + "?page=2&limit=2", "", "", ""}},
			{"?limit=2&page=2", 2, want{all[2:4], base + "?page=3&limit=2", base + "?page=1&limit=2", base + "?page=1&limit=2", ""}},
			{"?page=3&limit=2", 3, want{all[4:], "", base + "?page=2&limit=2", base + "?page=1&limit=2", ""}},
			{"?page=2&limit=2&with=contacts", 2, want{all[2:4], base + "?page=3&limit=2&with=contacts", base + "?page=1&limit=2&with=contacts", base + "?page=1&limit=2&with=contacts", ""}},
			{"?page=9&limit=2", 9, want{[]int64{}, "", base + "?page=3&limit=2", base + "?page=1&limit=2", ""}},
			{"?limit=250", 1, want{all, "", "", "", ""}},
		}
		for _, tc := range cases {
			page, ids := v4List(t, env, tok, tc.query)
			if !reflect.DeepEqual(ids, tc.want.ids) {
				t.Errorf("%s: ids %v, want %v", tc.query, ids, tc.want.ids)
			}
			if sgIntOf(t, page, "_page") != tc.page || sgIntOf(t, page, "_total_items") != 5 {
				t.Errorf("%s: _page %v _total_items %v", tc.query, page["_page"], page["_total_items"])
			}
			links := sgObj(t, page["_links"], "_links")
			for rel, href := range map[string]string{"next": tc.want.next, "prev": tc.want.prev, "first": tc.want.first, "last": tc.want.last} {
				l, ok := links[rel]
				switch {
				case href == "" && ok:
					t.Errorf("%s: unexpected %s link %v", tc.query, rel, l)
				case href != "" && (!ok || l.(map[string]any)["href"] != href):
					t.Errorf("%s: %s link %v, want %s", tc.query, rel, l, href)
				}
			}
		}
		page, _ = v4List(t, env, tok, "?limit=2")
		if got := sgIntOf(t, page, "_page_count"); got != 3 {
			t.Errorf("_page_count %d, want 3", got)
		}
		if got := v4Self(t, page); got != base+"?page=1&limit=2" {
			t.Errorf("self %s", got)
		}
	})
}

// TestV4CustomersWith checks with=contacts, companies and catalog_elements on
// the list and on one customer.
func TestV4CustomersWith(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "With", "segments").AmoCRMToken
		id := v4AddCustomer(t, env, tok, `{"name":"Linked"}`)
		bare := v4AddCustomer(t, env, tok, `{"name":"Bare"}`)
		contacts := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/contacts", tok, `[{"name":"C1"},{"name":"C2"}]`, 200), "contacts"))
		company := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/companies", tok, `[{"name":"Co"}]`, 200), "companies"))[0]
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/link", v4Customers, id), tok, fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"contacts"},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"to_entity_id":%d,"to_entity_type":"companies"}]`, contacts[0], contacts[1], company), 200)

		wantContacts := fmt.Sprintf(`[{"id":%d,"is_main":false,"_links":{"self":{"href":"%s/api/v4/contacts/%d"}}},
			{"id":%d,"is_main":true,"_links":{"self":{"href":"%s/api/v4/contacts/%d"}}}]`,
			contacts[0], env.URL, contacts[0], contacts[1], env.URL, contacts[1])
		wantCompanies := fmt.Sprintf(`[{"id":%d,"_links":{"self":{"href":"%s/api/v4/companies/%d"}}}]`, company, env.URL, company)
		cases := []struct {
			with      string
			contacts  string
			companies string
		}{
			{"", "", ""},
			{"?with=contacts", wantContacts, ""},
			{"?with=companies", "", wantCompanies},
			{"?with=contacts,companies", wantContacts, wantCompanies},
			{"?with=catalog_elements", "", ""},
			{"?with=companies,catalog_elements,contacts", wantContacts, wantCompanies},
		}
		for _, tc := range cases {
			one := v4Get(t, env, tok, id, tc.with)
			page, _ := v4List(t, env, tok, tc.with+map[bool]string{true: "?", false: "&"}[tc.with == ""]+"filter[id]="+v4Itoa(id))
			for what, c := range map[string]map[string]any{"one": one, "list": v4Items(t, page, "customers")[0]} {
				emb := sgObj(t, c["_embedded"], "_embedded")
				for key, want := range map[string]string{"contacts": tc.contacts, "companies": tc.companies} {
					got, ok := emb[key]
					if want == "" {
						if ok {
							t.Errorf("%s %s: unexpected %s %v", what, tc.with, key, got)
						}
						continue
					}
					v4Equal(t, what+" "+tc.with+" "+key, got, want)
				}
				if _, ok := emb["catalog_elements"]; ok {
					t.Errorf("%s %s: catalog_elements embedded", what, tc.with)
				}
			}
		}
		// Asked for but none: empty arrays.
		emb := v4Get(t, env, tok, bare, "?with=contacts,companies")["_embedded"]
		v4Equal(t, "bare _embedded", emb, `{"segments":[],"tags":[],"contacts":[],"companies":[]}`)
	})
}

// TestV4CustomersPatch checks PATCH of a batch and of one customer.
func TestV4CustomersPatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Patch", "segments").AmoCRMToken
		ids := v4AddCustomers(t, env, tok, `[{"name":"A","next_price":1},{"name":"B","next_price":2}]`)
		a, b := ids[0], ids[1]
		before := sgIntOf(t, v4Get(t, env, tok, a, ""), "updated_at")

		resp := v4Do(t, env, "PATCH", v4Customers, tok, fmt.Sprintf(`[{"id":%d,"name":"A2","request_id":"x"},{"id":%d,"next_price":5,"periodicity":7}]`, a, b), 200)
		if got := sgKeys(resp); !reflect.DeepEqual(got, []string{"_embedded", "_links"}) {
			t.Errorf("PATCH answer keys %v", got)
		}
		if got := v4Self(t, resp); got != env.URL+v4Customers {
			t.Errorf("PATCH self %s", got)
		}
		items := v4Items(t, resp, "customers")
		for i, want := range []struct {
			id  int64
			rid string
		}{{a, "x"}, {b, "1"}} {
			it := items[i]
			if got := sgKeys(it); !reflect.DeepEqual(got, []string{"_links", "id", "request_id", "updated_at"}) {
				t.Errorf("item %d keys %v", i, got)
			}
			if sgIntOf(t, it, "id") != want.id || it["request_id"] != want.rid {
				t.Errorf("item %d = %v, want id %d request_id %q", i, it, want.id, want.rid)
			}
			if got := v4Self(t, it); got != env.URL+v4Customers+"/"+v4Itoa(want.id) {
				t.Errorf("item %d self %s", i, got)
			}
			c := v4Get(t, env, tok, want.id, "")
			if sgIntOf(t, it, "updated_at") != sgIntOf(t, c, "updated_at") {
				t.Errorf("item %d updated_at %v, stored %v", i, it["updated_at"], c["updated_at"])
			}
		}
		if got := sgIntOf(t, items[0], "updated_at"); got <= before {
			t.Errorf("updated_at %d did not move on from %d", got, before)
		}
		ca, cb := v4Get(t, env, tok, a, ""), v4Get(t, env, tok, b, "")
		if ca["name"] != "A2" || sgIntOf(t, ca, "next_price") != 1 {
			t.Errorf("A after PATCH: %v", ca)
		}
		if cb["name"] != "B" || sgIntOf(t, cb, "next_price") != 5 || sgIntOf(t, cb, "periodicity") != 7 {
			t.Errorf("B after PATCH: %v", cb)
		}

		// One object at /{id}: the item alone, no envelope.
		one := v4Do(t, env, "PATCH", v4Customers+"/"+v4Itoa(a), tok, `{"name":"A3"}`, 200)
		if got := sgKeys(one); !reflect.DeepEqual(got, []string{"_links", "id", "request_id", "updated_at"}) {
			t.Errorf("single PATCH keys %v", got)
		}
		if sgIntOf(t, one, "id") != a || one["request_id"] != "0" {
			t.Errorf("single PATCH answer %v", one)
		}
		if got := v4Get(t, env, tok, a, "")["name"]; got != "A3" {
			t.Errorf("name after single PATCH %v", got)
		}
		one = v4Do(t, env, "PATCH", v4Customers+"/"+v4Itoa(a), tok, `{"next_price":9,"request_id":"r"}`, 200)
		if one["request_id"] != "r" {
			t.Errorf("single PATCH request_id %v", one["request_id"])
		}

		// Errors: missing id, unknown id, a missing customer at /{id}, a bad body.
		sgViolations(t, env.Do(t, "PATCH", v4Customers, tok, `[{"name":"no id"}]`), sgViolation{"0", "FieldMissing", "id"})
		sgViolations(t, env.Do(t, "PATCH", v4Customers, tok, fmt.Sprintf(`[{"id":%d,"name":"ok"},{"id":99999999,"request_id":"q"}]`, a)),
			sgViolation{"q", "NotSupportedChoice", "id"})
		if got := v4Get(t, env, tok, a, "")["name"]; got != "A3" {
			t.Errorf("a failed batch changed A: %v", got)
		}
		sgProblem(t, env.Do(t, "PATCH", v4Customers+"/99999999", tok, `{"name":"x"}`), 404)
		sgProblem(t, env.Do(t, "PATCH", v4Customers+"/abc", tok, `{"name":"x"}`), 404)
		sgViolations(t, env.Do(t, "PATCH", v4Customers+"/"+v4Itoa(a), tok, `{"name":""}`), sgViolation{"0", "NotBlank", "name"})
		sgViolations(t, env.Do(t, "PATCH", v4Customers+"/"+v4Itoa(a), tok, `{"next_price":"many","request_id":"z"}`), sgViolation{"z", "InvalidType", "next_price"})
		sgViolations(t, env.Do(t, "PATCH", v4Customers, tok, `{"id":1}`), sgViolation{"0", "InvalidType", ""})
		sgViolations(t, env.Do(t, "PATCH", v4Customers, tok, `[]`), sgViolation{"0", "FieldMissing", ""})
	})
}

// TestV4CustomersTags checks §1.6's tag semantics: _embedded.tags replaces,
// null clears, tags_to_add and tags_to_delete edit.
func TestV4CustomersTags(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Tags", "segments").AmoCRMToken
		id := v4AddCustomer(t, env, tok, `{"name":"T","_embedded":{"tags":[{"name":"a"},{"name":"b"}]}}`)
		path := v4Customers + "/" + v4Itoa(id)
		check := func(step string, want ...string) {
			t.Helper()
			if want == nil {
				want = []string{}
			}
			if got := v4TagNames(t, v4Get(t, env, tok, id, "")); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: tags %v, want %v", step, got, want)
			}
		}
		check("created", "a", "b")
		tagID := func(name string) int64 {
			t.Helper()
			for _, tag := range v4Get(t, env, tok, id, "")["_embedded"].(map[string]any)["tags"].([]any) {
				if tag.(map[string]any)["name"] == name {
					return sgIntOf(t, tag.(map[string]any), "id")
				}
			}
			t.Fatalf("no tag %q", name)
			return 0
		}
		aID := tagID("a")
		v4Do(t, env, "PATCH", path, tok, `{"tags_to_add":[{"name":"c"}]}`, 200)
		check("tags_to_add", "a", "b", "c")
		v4Do(t, env, "PATCH", path, tok, `{"tags_to_delete":[{"name":"b"}]}`, 200)
		check("tags_to_delete by name", "a", "c")
		v4Do(t, env, "PATCH", path, tok, fmt.Sprintf(`{"tags_to_delete":[{"id":%d}],"tags_to_add":[{"name":"d"}]}`, aID), 200)
		check("tags_to_delete by id with tags_to_add", "c", "d")
		v4Do(t, env, "PATCH", path, tok, `{"name":"untouched tags"}`, 200)
		check("PATCH without tags", "c", "d")
		v4Do(t, env, "PATCH", path, tok, fmt.Sprintf(`{"_embedded":{"tags":[{"name":"x"},{"id":%d}]}}`, aID), 200)
		check("_embedded.tags replaces", "a", "x")
		v4Do(t, env, "PATCH", v4Customers, tok, fmt.Sprintf(`[{"id":%d,"_embedded":{"tags":null}}]`, id), 200)
		check("_embedded.tags null clears")
		v4Do(t, env, "PATCH", path, tok, `{"_embedded":{"tags":[{"name":"y"}]}}`, 200)
		v4Do(t, env, "PATCH", path, tok, `{"_embedded":{"tags":[]}}`, 200)
		check("_embedded.tags [] clears")

		sgViolations(t, env.Do(t, "PATCH", path, tok, `{"_embedded":{"tags":[{"id":99999999}]}}`),
			sgViolation{"0", "NotSupportedChoice", "_embedded.tags.0.id"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"n","tags_to_add":[{}]}]`),
			sgViolation{"0", "FieldMissing", "tags_to_add.0"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"n","tags_to_add":[{"id":"one"}]}]`),
			sgViolation{"0", "InvalidType", "tags_to_add.0.id"})
	})
}

// TestV4CustomersSegments checks that a segment's customers_count follows
// the customers that join it through POST, PATCH and links.
func TestV4CustomersSegments(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Segments", "segments").AmoCRMToken
		seg := sgAddSegment(t, env, tok, `{"name":"VIP"}`)
		segID := sgID(t, seg)
		count := func(step string, want int64) {
			t.Helper()
			if got := sgIntOf(t, sgGetSegment(t, env, tok, segID), "customers_count"); got != want {
				t.Errorf("%s: customers_count %d, want %d", step, got, want)
			}
		}
		count("new", 0)
		ids := v4AddCustomers(t, env, tok, `[{"name":"1","_embedded":{"segments":[{"id":`+segID+`}]}},{"name":"2","_embedded":{"segments":[{"id":`+segID+`}]}},{"name":"3"}]`)
		count("two joined", 2)
		v4Do(t, env, "PATCH", v4Customers+"/"+v4Itoa(ids[0]), tok, `{"_embedded":{"segments":[]}}`, 200)
		count("one left by PATCH", 1)
		v4Do(t, env, "PATCH", v4Customers, tok, fmt.Sprintf(`[{"id":%d,"_embedded":{"segments":[{"id":%s}]}}]`, ids[2], segID), 200)
		count("one joined by PATCH", 2)
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/link", v4Customers, ids[0]), tok, `[{"to_entity_id":`+segID+`,"to_entity_type":"segments"}]`, 200)
		count("one joined by link", 3)
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/unlink", v4Customers, ids[1]), tok, `[{"to_entity_id":`+segID+`,"to_entity_type":"segments"}]`, 204)
		count("one left by unlink", 2)
		if _, got := v4List(t, env, tok, "?order[id]=asc"); len(got) != 3 {
			t.Errorf("list %v", got)
		}
		segs := v4Get(t, env, tok, ids[2], "")["_embedded"].(map[string]any)["segments"]
		v4Equal(t, "segments", segs, fmt.Sprintf(`[{"id":%s,"_links":{"self":{"href":"%s/api/v4/customers/segments/%s"}}}]`, segID, env.URL, segID))
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"x","_embedded":{"segments":[{"id":99999999}]}}]`),
			sgViolation{"0", "NotSupportedChoice", "_embedded.segments.0.id"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"x","_embedded":{"segments":[{}]}}]`),
			sgViolation{"0", "FieldMissing", "_embedded.segments.0.id"})
	})
}

// TestV4CustomersCustomFields registers fields at /api/v4/customers/custom_fields
// and writes and reads customer values of each kind, smart_address included.
func TestV4CustomersCustomFields(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Fields", "segments").AmoCRMToken
		const path = "/api/v4/customers/custom_fields"
		created := v4Items(t, v4Do(t, env, "POST", path, tok, `[{"name":"Text","type":"text","code":"NOTE"},
			{"name":"Pick","type":"select","enums":[{"value":"one","sort":1},{"value":"two","sort":2}]},
			{"name":"Address","type":"smart_address"},{"name":"Day","type":"date"},{"name":"Flag","type":"checkbox"}]`, 201), "custom_fields")
		if len(created) != 5 {
			t.Fatalf("created %d fields", len(created))
		}
		text, pick, addr, day, flag := created[0], created[1], created[2], created[3], created[4]
		for _, f := range created {
			if f["entity_type"] != "customers" {
				t.Errorf("field entity_type %v", f["entity_type"])
			}
		}
		list := v4Do(t, env, "GET", path, tok, "", 200)
		if got := len(v4Items(t, list, "custom_fields")); got != 5 {
			t.Errorf("list has %d fields", got)
		}
		got := v4Do(t, env, "GET", path+"/"+sgID(t, text), tok, "", 200)
		if got["name"] != "Text" {
			t.Errorf("GET field %v", got)
		}
		v4Do(t, env, "PATCH", path+"/"+sgID(t, text), tok, `{"name":"Text 2"}`, 201)
		two := sgEnumID(t, pick, "two")

		id := v4AddCustomer(t, env, tok, fmt.Sprintf(`{"name":"F","custom_fields_values":[
			{"field_code":"NOTE","values":[{"value":"hello"}]},
			{"field_id":%s,"values":[{"enum_id":%d}]},
			{"field_id":%s,"values":[{"value":"Moscow","enum_id":3},{"value":"101000","enum_code":"zip"}]},
			{"field_id":%s,"values":[{"value":1700000000}]},
			{"field_id":%s,"values":[{"value":true}]}]}`, sgID(t, pick), two, sgID(t, addr), sgID(t, day), sgID(t, flag)))
		c := v4Get(t, env, tok, id, "")
		v4Equal(t, "custom_fields_values", c["custom_fields_values"], fmt.Sprintf(`[
			{"field_id":%s,"field_name":"Text 2","field_code":"NOTE","field_type":"text","values":[{"value":"hello"}]},
			{"field_id":%s,"field_name":"Pick","field_code":null,"field_type":"select","values":[{"value":"two","enum_id":%d}]},
			{"field_id":%s,"field_name":"Address","field_code":null,"field_type":"smart_address","values":[
				{"value":"Moscow","enum_id":3,"enum_code":"city"},{"value":"101000","enum_id":5,"enum_code":"zip"}]},
			{"field_id":%s,"field_name":"Day","field_code":null,"field_type":"date","values":[{"value":1700000000}]},
			{"field_id":%s,"field_name":"Flag","field_code":null,"field_type":"checkbox","values":[{"value":true}]}]`,
			sgID(t, text), sgID(t, pick), two, sgID(t, addr), sgID(t, day), sgID(t, flag)))

		// Clearing every field leaves custom_fields_values null.
		v4Do(t, env, "PATCH", v4Customers+"/"+v4Itoa(id), tok, fmt.Sprintf(`{"custom_fields_values":[
			{"field_id":%s,"values":null},{"field_id":%s,"values":[]},{"field_id":%s,"values":null},
			{"field_id":%s,"values":null},{"field_id":%s,"values":null}]}`,
			sgID(t, text), sgID(t, pick), sgID(t, addr), sgID(t, day), sgID(t, flag)), 200)
		if got := v4Get(t, env, tok, id, "")["custom_fields_values"]; got != nil {
			t.Errorf("custom_fields_values after clearing: %v", got)
		}

		// Validation paths name the item by request_id and the value inside it.
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"ok"},{"name":"bad","request_id":"second",
			"custom_fields_values":[{"field_id":99999999,"values":[{"value":"v"}]}]}]`),
			sgViolation{"second", "NotSupportedChoice", "custom_fields_values.0.field_id"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"bad","custom_fields_values":[{"field_id":99999999,"values":[{"value":"v"}]}]}]`),
			sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.field_id"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, fmt.Sprintf(`[{"name":"bad","custom_fields_values":[{"field_id":%s,"values":[{"value":"x","enum_id":9}]}]}]`, sgID(t, addr))),
			sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_id"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, fmt.Sprintf(`[{"name":"bad","custom_fields_values":[{"field_id":%s,"values":[{"value":"three"}]}]}]`, sgID(t, pick))),
			sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.values.0.value"})
		if _, ids := v4List(t, env, tok, ""); len(ids) != 1 {
			t.Errorf("failed batches created customers: %v", ids)
		}

		v4Do(t, env, "DELETE", path+"/"+sgID(t, text), tok, "", 204)
		sgProblem(t, env.Do(t, "GET", path+"/"+sgID(t, text), tok, ""), 404)
	})
}

// TestV4CustomersErrors checks 401, 404, 400 (validation, malformed JSON,
// batch size), 413 and 422.
func TestV4CustomersErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := v4Account(t, env, "Errors", "periodicity")
		tok := acc.AmoCRMToken
		id := v4AddCustomer(t, env, tok, `{"name":"X","next_date":1900000000}`)
		paths := []struct{ method, path, body string }{
			{"GET", v4Customers, ""},
			{"POST", v4Customers, `[{"name":"n","next_date":1900000000}]`},
			{"PATCH", v4Customers, `[{"id":1}]`},
			{"GET", v4Customers + "/" + v4Itoa(id), ""},
			{"PATCH", v4Customers + "/" + v4Itoa(id), `{"name":"n"}`},
			{"GET", v4Customers + "/" + v4Itoa(id) + "/transactions", ""},
			{"POST", v4Customers + "/" + v4Itoa(id) + "/transactions", `[{"price":1}]`},
			{"GET", v4Customers + "/transactions", ""},
			{"GET", v4Customers + "/" + v4Itoa(id) + "/links", ""},
			{"POST", v4Customers + "/" + v4Itoa(id) + "/link", `[]`},
			{"GET", "/api/v4/contacts", ""},
			{"POST", "/api/v4/companies", `[{"name":"c"}]`},
			{"GET", "/api/v4/customers/custom_fields", ""},
		}
		for _, p := range paths {
			for _, token := range []string{"", "wrong"} {
				sgProblem(t, env.Do(t, p.method, p.path, token, p.body), http.StatusUnauthorized)
			}
		}
		for _, p := range []string{"/99999999", "/abc", "/0", "/99999999/transactions", "/99999999/links", "/transactions/99999999", "/1/nothing"} {
			sgProblem(t, env.Do(t, "GET", v4Customers+p, tok, ""), http.StatusNotFound)
		}
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"next_date":1900000000}]`), sgViolation{"0", "FieldMissing", "name"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"no date","request_id":"r"}]`), sgViolation{"r", "FieldMissing", "next_date"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"x","next_date":"tomorrow","next_price":"a"}]`),
			sgViolation{"0", "InvalidType", "next_date"}, sgViolation{"0", "InvalidType", "next_price"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"x","next_date":1900000000,"status_id":99999999,"responsible_user_id":99999999}]`),
			sgViolation{"0", "NotSupportedChoice", "status_id"}, sgViolation{"0", "NotSupportedChoice", "responsible_user_id"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `[{"name":"x","next_date":1900000000,"next_price":-1}]`),
			sgViolation{"0", "OutOfRange", "next_price"})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `{"name":"not an array"}`), sgViolation{"0", "InvalidType", ""})
		sgViolations(t, env.Do(t, "POST", v4Customers, tok, `["str"]`), sgViolation{"0", "InvalidType", ""})
		for _, body := range []string{`[{"name":`, `[{"name":"x"}] trailing`, ``} {
			sgProblem(t, env.Do(t, "POST", v4Customers, tok, body), http.StatusBadRequest)
		}
		var many []string
		for i := 0; i < 251; i++ {
			many = append(many, `{"name":"n","next_date":1900000000}`)
		}
		sgProblem(t, env.Do(t, "POST", v4Customers, tok, "["+strings.Join(many, ",")+"]"), http.StatusBadRequest)
		big := `[{"name":"` + strings.Repeat("x", 1<<20) + `"}]`
		sgProblem(t, env.Do(t, "POST", v4Customers, tok, big), http.StatusRequestEntityTooLarge)
		sgProblem(t, env.Do(t, "PATCH", v4Customers+"/"+v4Itoa(id), tok, big), http.StatusRequestEntityTooLarge)
		if _, ids := v4List(t, env, tok, ""); !reflect.DeepEqual(ids, []int64{id}) {
			t.Errorf("failed requests left customers: %v", ids)
		}
		resp := env.Do(t, "DELETE", v4Customers+"/"+v4Itoa(id), tok, "")
		sgProblem(t, resp, http.StatusMethodNotAllowed)

		// A new account has customers disabled: 422 everywhere customers are.
		off := env.NewAccount(t, "Disabled").AmoCRMToken
		for _, p := range []struct{ method, path, body string }{
			{"GET", v4Customers, ""},
			{"POST", v4Customers, `[{"name":"n"}]`},
			{"PATCH", v4Customers, `[{"id":1,"name":"n"}]`},
			{"GET", v4Customers + "/1", ""},
			{"GET", v4Customers + "/transactions", ""},
			{"GET", v4Customers + "/1/transactions", ""},
			{"GET", v4Customers + "/1/links", ""},
			{"POST", v4Customers + "/1/link", `[{"to_entity_id":1,"to_entity_type":"contacts"}]`},
		} {
			sgProblem(t, env.Do(t, p.method, p.path, off, p.body), http.StatusUnprocessableEntity)
		}
		// Turning customers off keeps them but refuses access.
		sgSetMode(t, env, tok, "periodicity", false)
		sgProblem(t, env.Do(t, "GET", v4Customers+"/"+v4Itoa(id), tok, ""), http.StatusUnprocessableEntity)
	})
}

// TestV4CustomersRoutes checks that the customers patterns and the older
// customers/statuses, customers/segments and custom_fields ones route apart.
func TestV4CustomersRoutes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Routes", "segments").AmoCRMToken
		custID := v4AddCustomer(t, env, tok, `{"name":"R"}`)
		id := v4Itoa(custID)
		seg := sgID(t, sgAddSegment(t, env, tok, `{"name":"S"}`))
		for path, key := range map[string]string{
			v4Customers:                              "customers",
			v4Customers + "/segments":                "segments",
			v4Customers + "/transactions":            "transactions",
			v4Customers + "/custom_fields":           "custom_fields",
			v4Customers + "/segments/custom_fields":  "custom_fields",
			v4Customers + "/" + id + "/transactions": "transactions",
			v4Customers + "/" + id + "/links":        "links",
			"/api/v4/contacts":                       "contacts",
			"/api/v4/companies":                      "companies",
		} {
			m := v4Do(t, env, "GET", path, tok, "", 200)
			if _, ok := sgObj(t, m["_embedded"], path)[key]; !ok {
				t.Errorf("GET %s: no _embedded.%s in %v", path, key, m)
			}
		}
		if got := v4Do(t, env, "GET", v4Customers+"/segments/"+seg, tok, "", 200)["name"]; got != "S" {
			t.Errorf("segment by id: %v", got)
		}
		sgSetMode(t, env, tok, "periodicity", true)
		if _, ok := v4Do(t, env, "GET", v4Customers+"/statuses", tok, "", 200)["_embedded"].(map[string]any)["statuses"]; !ok {
			t.Errorf("GET /customers/statuses has no statuses")
		}
		if got := v4Get(t, env, tok, custID, "")["name"]; got != "R" {
			t.Errorf("customer by id: %v", got)
		}
		for _, p := range []string{"/statuses/links", "/segments/transactions", "/transactions/links", "/custom_fields/transactions", "/" + id + "/unknown"} {
			sgProblem(t, env.Do(t, "GET", v4Customers+p, tok, ""), http.StatusNotFound)
		}
	})
}

// TestV4CustomersIsolation checks that one account's token reaches none of
// another account's customers, transactions, links, contacts or companies.
func TestV4CustomersIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v4Account(t, env, "A", "segments").AmoCRMToken
		b := v4Account(t, env, "B", "segments").AmoCRMToken
		cust := v4AddCustomer(t, env, a, `{"name":"A secret"}`)
		tr := sgIntOf(t, v4Items(t, v4Do(t, env, "POST", fmt.Sprintf("%s/%d/transactions", v4Customers, cust), a, `[{"price":10}]`, 200), "transactions")[0], "id")
		contact := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/contacts", a, `[{"name":"A contact"}]`, 200), "contacts"))[0]
		company := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/companies", a, `[{"name":"A company"}]`, 200), "companies"))[0]
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/link", v4Customers, cust), a, fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact), 200)
		bCust := v4AddCustomer(t, env, b, `{"name":"B own"}`)
		snapshot := func() string {
			return string(env.Do(t, "GET", fmt.Sprintf("%s/%d?with=contacts,companies", v4Customers, cust), a, "").Body) +
				string(env.Do(t, "GET", v4Customers+"/transactions", a, "").Body)
		}
		before := snapshot()

		for _, c := range []struct {
			method, path, body string
			status             int
		}{
			{"GET", fmt.Sprintf("%s/%d", v4Customers, cust), "", 404},
			{"PATCH", fmt.Sprintf("%s/%d", v4Customers, cust), `{"name":"stolen"}`, 404},
			{"GET", fmt.Sprintf("%s/%d/transactions", v4Customers, cust), "", 404},
			{"POST", fmt.Sprintf("%s/%d/transactions", v4Customers, cust), `[{"price":1}]`, 404},
			{"GET", fmt.Sprintf("%s/transactions/%d", v4Customers, tr), "", 404},
			{"GET", fmt.Sprintf("%s/%d/transactions/%d", v4Customers, cust, tr), "", 404},
			{"DELETE", fmt.Sprintf("%s/transactions/%d", v4Customers, tr), "", 404},
			{"DELETE", fmt.Sprintf("%s/%d/transactions/%d", v4Customers, cust, tr), "", 404},
			{"GET", fmt.Sprintf("%s/%d/links", v4Customers, cust), "", 404},
			{"POST", fmt.Sprintf("%s/%d/link", v4Customers, cust), fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact), 404},
			{"POST", fmt.Sprintf("%s/%d/unlink", v4Customers, cust), fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact), 404},
			{"GET", fmt.Sprintf("/api/v4/contacts/%d", contact), "", 404},
			{"GET", fmt.Sprintf("/api/v4/companies/%d", company), "", 404},
			// B may not attach A's contact or company to its own customer.
			{"POST", fmt.Sprintf("%s/%d/link", v4Customers, bCust), fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact), 400},
			{"POST", fmt.Sprintf("%s/%d/link", v4Customers, bCust), fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"companies"}]`, company), 400},
			{"PATCH", v4Customers, fmt.Sprintf(`[{"id":%d,"name":"stolen"}]`, cust), 400},
		} {
			sgProblem(t, env.Do(t, c.method, c.path, b, c.body), c.status)
		}
		for _, p := range []string{v4Customers, v4Customers + "/transactions", "/api/v4/contacts", "/api/v4/companies"} {
			body := string(env.Do(t, "GET", p, b, "").Body)
			for _, secret := range []string{"A secret", "A contact", "A company", `"id":` + v4Itoa(tr)} {
				if strings.Contains(body, secret) {
					t.Errorf("B's %s shows A's %s: %s", p, secret, body)
				}
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("A's records changed:\n%s\n%s", before, after)
		}
	})
}

// TestV4CustomersV2RoundTrip serves one customer through both generations:
// added by v2, read and changed by v4, seen changed by v2, deleted by v2.
func TestV4CustomersV2RoundTrip(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Round trip", "periodicity").AmoCRMToken
		resp := env.Do(t, "POST", "/api/v2/customers", tok, `{"add":[{"name":"X","next_date":"1900000000"}]}`)
		if resp.Status != 200 {
			t.Fatalf("v2 add: %d %s", resp.Status, resp.Body)
		}
		items := sgArr(t, sgObj(t, resp.Object(t)["_embedded"], "_embedded")["items"], "items")
		id := sgIntOf(t, sgObj(t, items[0], "item"), "id")

		c := v4Get(t, env, tok, id, "")
		if c["name"] != "X" || sgIntOf(t, c, "next_date") != 1900000000 {
			t.Errorf("v4 read of the v2 customer: %v", c)
		}
		v4Do(t, env, "PATCH", v4Customers+"/"+v4Itoa(id), tok, `{"name":"Y","next_price":700}`, 200)
		if _, ids := v4List(t, env, tok, "?filter[name]=Y"); !reflect.DeepEqual(ids, []int64{id}) {
			t.Errorf("v4 list after PATCH: %v", ids)
		}
		resp = env.Do(t, "GET", "/api/v2/customers?id="+v4Itoa(id), tok, "")
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"Y"`) || !strings.Contains(string(resp.Body), "700") {
			t.Errorf("v2 read after the v4 PATCH: %d %s", resp.Status, resp.Body)
		}
		resp = env.Do(t, "POST", "/api/v2/customers", tok, fmt.Sprintf(`{"delete":[%d]}`, id))
		if resp.Status != 200 {
			t.Fatalf("v2 delete: %d %s", resp.Status, resp.Body)
		}
		sgProblem(t, env.Do(t, "GET", v4Customers+"/"+v4Itoa(id), tok, ""), http.StatusNotFound)
		if _, ids := v4List(t, env, tok, ""); len(ids) != 0 {
			t.Errorf("v4 list after the v2 delete: %v", ids)
		}
	})
}
