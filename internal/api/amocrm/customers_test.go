package amocrm_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v4 customers API (companion §1, §3, §4) and its contacts,
// companies and transactions. Whole customers and the answers to the
// companion's examples are golden files, testdata/customer_*.golden.json.

// customerMasks mask a customer's times of writing, which are now.
var customerMasks = []crmtest.Mask{crmtest.MaskPath("**.created_at", "time"), crmtest.MaskPath("**.updated_at", "time")}

// companionPostExample is the POST /api/v4/customers request example of
// §1.5; FIELD, TAG and SEGMENT stand for 294479, 107721 and 81.
const companionPostExample = `[{"name":"C1","created_by":0,"custom_fields_values":[{"field_id":FIELD,"values":[{"value":"text"}]}],"tags_to_add":[{"id":TAG}]},
 {"name":"C2","_embedded":{"tags":[{"name":"VIP"}],"segments":[{"id":SEGMENT}]}}]`

// anyStatuses returns two different customer status ids of the account.
func anyStatuses(t testing.TB, a account) (int64, int64) {
	t.Helper()
	ids := idsOf(a.api.Get(t, statusesPath).HAL(200).List("_embedded.statuses"))
	slices.Sort(ids)
	if len(ids) < 2 {
		t.Fatalf("the account has %d statuses, want at least 2", len(ids))
	}
	return ids[0], ids[1]
}

// tagNames returns the names of a customer's tags, sorted.
func tagNames(t testing.TB, c crmtest.JSON) []string {
	t.Helper()
	names := []string{}
	for _, tag := range c.List("_embedded.tags") {
		names = append(names, tag.Str("name"))
	}
	slices.Sort(names)
	return names
}

// TestV4CustomersCompanionExample replays §1.5's POST example and checks the
// answer and the customers it made against §1.3's model (golden files).
func TestV4CustomersCompanionExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Example", "segments")
		// The fields API is registered for customers (it is under /customers/custom_fields).
		field := a.api.Post(t, "/api/v4/customers/custom_fields", `[{"name":"Note","type":"text"}]`).HAL(201).Sub("_embedded.custom_fields.0")
		field.Equal("_links.self.href", env.URL+"/api/v4/customers/custom_fields/"+itoa(field.Int("id")))
		segment := a.api.Post(t, segmentsPath, `{"name":"S81"}`).HAL(200).Int("id")
		// An existing tag for tags_to_add by id.
		seedTagCustomer := addCustomer(t, a.api, `{"name":"tag seed","_embedded":{"tags":[{"name":"Existing"}]}}`)
		tagID := a.api.Get(t, customerPath(seedTagCustomer)).HAL(200).Int("_embedded.tags.0.id")

		// The answer: _embedded and _links only, items of _links, id and
		// request_id.
		body := strings.NewReplacer("FIELD", itoa(field.Int("id")), "TAG", itoa(tagID), "SEGMENT", itoa(segment)).Replace(companionPostExample)
		items := a.api.Post(t, customersPath, body).HAL(200).Golden("customer_add_example").List("_embedded.customers")

		// C1: the value, the existing tag, created_by 0 (robot), no segments.
		a.api.Get(t, customerPath(items[0].Int("id"))).HAL(200).Golden("customer_example_c1", customerMasks...)
		// C2: the new tag, the segment, custom_fields_values null, created_by
		// the token's user; without with=, _embedded has segments and tags only.
		a.api.Get(t, customerPath(items[1].Int("id"))).HAL(200).Golden("customer_example_c2", customerMasks...).
			Equal("created_by", a.UserID)

		// The list example of §1.3 (with=contacts after linking one); in
		// segments mode this customer has no status and no next_date.
		contact := a.api.Post(t, "/api/v4/contacts", `[{"name":"P"}]`).HAL(200).Int("_embedded.contacts.0.id")
		a.api.Post(t, customerPath(items[1].Int("id"))+"/link",
			fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}}]`, contact)).HAL(200)
		a.api.Get(t, fmt.Sprintf("%s?limit=2&with=contacts&filter[id]=%d", customersPath, items[1].Int("id"))).HAL(200).
			Golden("customer_list_example", customerMasks...)
	})
}

// TestV4CustomerModel checks every field of a customer written with every
// writable field, and the defaults of a minimal one.
func TestV4CustomerModel(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Model", "periodicity")
		other := env.NewUser(t, a.AccountID, crm.RoleMember)
		s1, _ := anyStatuses(t, a)

		before := time.Now().Unix()
		minimal := addCustomer(t, a.api, `{"name":"  Minimal  ","next_date":1900000000}`)
		c := a.api.Get(t, customerPath(minimal)).HAL(200).Golden("customer_minimal", customerMasks...).
			Equal("id", minimal).Equal("responsible_user_id", a.UserID).Equal("created_by", a.UserID).
			Equal("updated_by", a.UserID).Equal("account_id", a.AccountID)
		for _, k := range []string{"created_at", "updated_at"} {
			if ts := c.Int(k); ts < before-1 || ts > time.Now().Unix()+1 {
				t.Errorf("%s %d is not now", k, ts)
			}
		}

		full := addCustomer(t, a.api, fmt.Sprintf(`{"name":"Full","next_price":500,"next_date":1900000000,
			"responsible_user_id":%d,"status_id":%d,"periodicity":30,"created_by":0,"updated_by":%d,
			"created_at":1600000000,"updated_at":1600000100,"request_id":"mine"}`, other.UserID, s1, other.UserID))
		a.api.Get(t, customerPath(full)).HAL(200).Golden("customer_full").
			Equal("responsible_user_id", other.UserID).Equal("updated_by", other.UserID).Equal("status_id", s1)

		// next_date 0 means "no expected purchase": null on read.
		a.api.Patch(t, customerPath(full), `{"next_date":0}`).HAL(200)
		a.api.Get(t, customerPath(full)).HAL(200).Equal("next_date", nil)
	})
}

// filterFixture is three customers with distinct attributes in periodicity
// mode, two users and two statuses.
type filterFixture struct {
	a, b, c      int64
	user1, user2 int64
	s1, s2       int64
}

func makeFilterFixture(t testing.TB, env *crmtest.Env, acc account) filterFixture {
	t.Helper()
	f := filterFixture{user1: acc.UserID, user2: env.NewUser(t, acc.AccountID, crm.RoleMember).UserID}
	f.s1, f.s2 = anyStatuses(t, acc)
	ids := addCustomers(t, acc.api, fmt.Sprintf(`[
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
		acc := newAccount(t, env, "Filters", "periodicity")
		f := makeFilterFixture(t, env, acc)
		a, b, c := f.a, f.b, f.c
		s := itoa
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
			t.Run("GET "+tc.query, func(t *testing.T) {
				r := acc.api.Get(t, customersPath+tc.query)
				if len(tc.want) == 0 {
					nothing(r)
					return
				}
				r.HAL(200).Equal("_embedded.customers.*.id", tc.want).Equal("_total_items", len(tc.want))
			})
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
			t.Run("GET "+tc.query, func(t *testing.T) {
				if !slices.ContainsFunc(acc.api.Get(t, customersPath+tc.query).Violations(), func(v crmtest.Violation) bool { return v.Path == tc.path }) {
					t.Errorf("no violation at %q", tc.path)
				}
			})
		}
	})
}

// TestV4CustomersPaging checks the paginated envelope and its links.
func TestV4CustomersPaging(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Paging", "segments")
		base := env.URL + customersPath
		// An empty list is amoCRM's 204 with no body (companion §0.4).
		nothing(a.api.Get(t, customersPath))
		all := addCustomers(t, a.api, `[{"name":"1"},{"name":"2"},{"name":"3"},{"name":"4"},{"name":"5"}]`)
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
			t.Run(tc.query, func(t *testing.T) {
				if len(tc.want.ids) == 0 { // a page past the last: 204, no body
					nothing(a.api.Get(t, customersPath+tc.query))
					return
				}
				page := a.api.Get(t, customersPath+tc.query).HAL(200).
					Equal("_embedded.customers.*.id", tc.want.ids).Equal("_page", tc.page).Equal("_total_items", 5)
				for rel, href := range map[string]string{"next": tc.want.next, "prev": tc.want.prev, "first": tc.want.first, "last": tc.want.last} {
					switch {
					case href == "" && page.Has("_links."+rel):
						t.Errorf("unexpected %s link %v", rel, page.At("_links."+rel))
					case href != "":
						page.Equal("_links."+rel+".href", href)
					}
				}
			})
		}
		a.api.Get(t, customersPath+"?limit=2").HAL(200).Equal("_page_count", 3).Equal("_links.self.href", base+"?page=1&limit=2")
	})
}

// TestV4CustomersWith checks with=contacts, companies and catalog_elements on
// the list and on one customer.
func TestV4CustomersWith(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "With", "segments")
		id := addCustomer(t, a.api, `{"name":"Linked"}`)
		bare := addCustomer(t, a.api, `{"name":"Bare"}`)
		contacts := idsOf(a.api.Post(t, "/api/v4/contacts", `[{"name":"C1"},{"name":"C2"}]`).HAL(200).List("_embedded.contacts"))
		company := a.api.Post(t, "/api/v4/companies", `[{"name":"Co"}]`).HAL(200).Int("_embedded.companies.0.id")
		a.api.Post(t, customerPath(id)+"/link", fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"contacts"},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"to_entity_id":%d,"to_entity_type":"companies"}]`, contacts[0], contacts[1], company)).HAL(200)

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
			t.Run(tc.with, func(t *testing.T) {
				sep := map[bool]string{true: "?", false: "&"}[tc.with == ""]
				one := a.api.Get(t, customerPath(id)+tc.with).HAL(200).Sub("")
				listed := a.api.Get(t, customersPath+tc.with+sep+"filter[id]="+itoa(id)).HAL(200).Sub("_embedded.customers.0")
				for what, c := range map[string]crmtest.JSON{"one": one, "list": listed} {
					for key, want := range map[string]string{"contacts": tc.contacts, "companies": tc.companies} {
						if want == "" {
							if c.Has("_embedded." + key) {
								t.Errorf("%s: unexpected %s %v", what, key, c.At("_embedded."+key))
							}
							continue
						}
						c.EqualJSON("_embedded."+key, want)
					}
					if c.Has("_embedded.catalog_elements") {
						t.Errorf("%s: catalog_elements embedded", what)
					}
				}
			})
		}
		// Asked for but none: empty arrays.
		a.api.Get(t, customerPath(bare)+"?with=contacts,companies").HAL(200).
			EqualJSON("_embedded", `{"segments":[],"tags":[],"contacts":[],"companies":[]}`)
	})
}

// TestV4CustomersPatch checks PATCH of a batch and of one customer.
func TestV4CustomersPatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Patch", "segments")
		ids := addCustomers(t, acc.api, `[{"name":"A","next_price":1},{"name":"B","next_price":2}]`)
		a, b := ids[0], ids[1]
		before := acc.api.Get(t, customerPath(a)).HAL(200).Int("updated_at")

		// The answer: _embedded and _links; items of _links, id, request_id
		// and the stored updated_at.
		resp := acc.api.Patch(t, customersPath, fmt.Sprintf(`[{"id":%d,"name":"A2","request_id":"x"},{"id":%d,"next_price":5,"periodicity":7}]`, a, b)).HAL(200).
			Golden("customer_patch_batch", customerMasks...)
		for i, id := range []int64{a, b} {
			resp.Equal(fmt.Sprintf("_embedded.customers.%d.updated_at", i), acc.api.Get(t, customerPath(id)).HAL(200).At("updated_at"))
		}
		if got := resp.Int("_embedded.customers.0.updated_at"); got <= before {
			t.Errorf("updated_at %d did not move on from %d", got, before)
		}
		acc.api.Get(t, customerPath(a)).HAL(200).Equal("name", "A2").Equal("next_price", 1)
		acc.api.Get(t, customerPath(b)).HAL(200).Equal("name", "B").Equal("next_price", 5).Equal("periodicity", 7)

		// One object at /{id}: the item alone, no envelope.
		acc.api.Patch(t, customerPath(a), `{"name":"A3"}`).HAL(200).
			Keys("", "_links", "id", "request_id", "updated_at").Equal("id", a).Equal("request_id", "0")
		acc.api.Get(t, customerPath(a)).HAL(200).Equal("name", "A3")
		acc.api.Patch(t, customerPath(a), `{"next_price":9,"request_id":"r"}`).HAL(200).Equal("request_id", "r")

		// Errors: missing id, unknown id, a missing customer at /{id}, a bad body.
		v := crmtest.Violated
		acc.api.Patch(t, customersPath, `[{"name":"no id"}]`).WantViolations(v("0", "FieldMissing", "id"))
		acc.api.Patch(t, customersPath, fmt.Sprintf(`[{"id":%d,"name":"ok"},{"id":99999999,"request_id":"q"}]`, a)).
			WantViolations(v("q", "NotSupportedChoice", "id"))
		acc.api.Get(t, customerPath(a)).HAL(200).Equal("name", "A3") // the failed batch changed nothing
		acc.api.Patch(t, customersPath+"/99999999", `{"name":"x"}`).Problem(404)
		acc.api.Patch(t, customersPath+"/abc", `{"name":"x"}`).Problem(404)
		acc.api.Patch(t, customerPath(a), `{"name":""}`).WantViolations(v("0", "NotBlank", "name"))
		acc.api.Patch(t, customerPath(a), `{"next_price":"many","request_id":"z"}`).WantViolations(v("z", "InvalidType", "next_price"))
		acc.api.Patch(t, customersPath, `{"id":1}`).WantViolations(v("0", "InvalidType", ""))
		acc.api.Patch(t, customersPath, `[]`).WantViolations(v("0", "FieldMissing", ""))
	})
}

// TestV4CustomersTags checks §1.6's tag semantics: _embedded.tags replaces,
// null clears, tags_to_add and tags_to_delete edit.
func TestV4CustomersTags(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Tags", "segments")
		id := addCustomer(t, a.api, `{"name":"T","_embedded":{"tags":[{"name":"a"},{"name":"b"}]}}`)
		path := customerPath(id)
		check := func(step string, want ...string) {
			t.Helper()
			if want == nil {
				want = []string{}
			}
			crmtest.Equal(t, step+": tags", tagNames(t, a.api.Get(t, path).HAL(200).JSON), want)
		}
		check("created", "a", "b")
		aID := a.api.Get(t, path).HAL(200).Int("_embedded.tags.name=a.id")
		a.api.Patch(t, path, `{"tags_to_add":[{"name":"c"}]}`).HAL(200)
		check("tags_to_add", "a", "b", "c")
		a.api.Patch(t, path, `{"tags_to_delete":[{"name":"b"}]}`).HAL(200)
		check("tags_to_delete by name", "a", "c")
		a.api.Patch(t, path, fmt.Sprintf(`{"tags_to_delete":[{"id":%d}],"tags_to_add":[{"name":"d"}]}`, aID)).HAL(200)
		check("tags_to_delete by id with tags_to_add", "c", "d")
		a.api.Patch(t, path, `{"name":"untouched tags"}`).HAL(200)
		check("PATCH without tags", "c", "d")
		a.api.Patch(t, path, fmt.Sprintf(`{"_embedded":{"tags":[{"name":"x"},{"id":%d}]}}`, aID)).HAL(200)
		check("_embedded.tags replaces", "a", "x")
		a.api.Patch(t, customersPath, fmt.Sprintf(`[{"id":%d,"_embedded":{"tags":null}}]`, id)).HAL(200)
		check("_embedded.tags null clears")
		a.api.Patch(t, path, `{"_embedded":{"tags":[{"name":"y"}]}}`).HAL(200)
		a.api.Patch(t, path, `{"_embedded":{"tags":[]}}`).HAL(200)
		check("_embedded.tags [] clears")

		v := crmtest.Violated
		a.api.Patch(t, path, `{"_embedded":{"tags":[{"id":99999999}]}}`).WantViolations(v("0", "NotSupportedChoice", "_embedded.tags.0.id"))
		a.api.Post(t, customersPath, `[{"name":"n","tags_to_add":[{}]}]`).WantViolations(v("0", "FieldMissing", "tags_to_add.0"))
		a.api.Post(t, customersPath, `[{"name":"n","tags_to_add":[{"id":"one"}]}]`).WantViolations(v("0", "InvalidType", "tags_to_add.0.id"))
	})
}

// TestV4CustomersSegments checks that a segment's customers_count follows
// the customers that join it through POST, PATCH and links.
func TestV4CustomersSegments(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Segments", "segments")
		segID := itoa(a.api.Post(t, segmentsPath, `{"name":"VIP"}`).HAL(200).Int("id"))
		count := func(want int) {
			t.Helper()
			a.api.Get(t, segmentsPath+"/"+segID).HAL(200).Equal("customers_count", want)
		}
		count(0) // new
		ids := addCustomers(t, a.api, `[{"name":"1","_embedded":{"segments":[{"id":`+segID+`}]}},{"name":"2","_embedded":{"segments":[{"id":`+segID+`}]}},{"name":"3"}]`)
		count(2) // two joined
		a.api.Patch(t, customerPath(ids[0]), `{"_embedded":{"segments":[]}}`).HAL(200)
		count(1) // one left by PATCH
		a.api.Patch(t, customersPath, fmt.Sprintf(`[{"id":%d,"_embedded":{"segments":[{"id":%s}]}}]`, ids[2], segID)).HAL(200)
		count(2) // one joined by PATCH
		a.api.Post(t, customerPath(ids[0])+"/link", `[{"to_entity_id":`+segID+`,"to_entity_type":"segments"}]`).HAL(200)
		count(3) // one joined by link
		a.api.Post(t, customerPath(ids[1])+"/unlink", `[{"to_entity_id":`+segID+`,"to_entity_type":"segments"}]`).HAL(204)
		count(2) // one left by unlink
		a.api.Get(t, customersPath+"?order[id]=asc").HAL(200).Equal("_embedded.customers.*.id", ids)
		a.api.Get(t, customerPath(ids[2])).HAL(200).
			EqualJSON("_embedded.segments", fmt.Sprintf(`[{"id":%s,"_links":{"self":{"href":"%s/api/v4/customers/segments/%s"}}}]`, segID, env.URL, segID))
		a.api.Post(t, customersPath, `[{"name":"x","_embedded":{"segments":[{"id":99999999}]}}]`).
			WantViolations(crmtest.Violated("0", "NotSupportedChoice", "_embedded.segments.0.id"))
		a.api.Post(t, customersPath, `[{"name":"x","_embedded":{"segments":[{}]}}]`).
			WantViolations(crmtest.Violated("0", "FieldMissing", "_embedded.segments.0.id"))
	})
}

// TestV4CustomersCustomFields registers fields at /api/v4/customers/custom_fields
// and writes and reads customer values of each kind, smart_address included.
func TestV4CustomersCustomFields(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Fields", "segments")
		const path = "/api/v4/customers/custom_fields"
		created := a.api.Post(t, path, `[{"name":"Text","type":"text","code":"NOTE"},
			{"name":"Pick","type":"select","enums":[{"value":"one","sort":1},{"value":"two","sort":2}]},
			{"name":"Address","type":"smart_address"},{"name":"Day","type":"date"},{"name":"Flag","type":"checkbox"}]`).HAL(201).
			Equal("_embedded.custom_fields.*.entity_type", []string{"customers", "customers", "customers", "customers", "customers"})
		fields := created.List("_embedded.custom_fields")
		text, pick, addr, day, flag := fields[0].Int("id"), fields[1].Int("id"), fields[2].Int("id"), fields[3].Int("id"), fields[4].Int("id")
		if n := len(a.api.Get(t, path).HAL(200).List("_embedded.custom_fields")); n != 5 {
			t.Errorf("list has %d fields", n)
		}
		a.api.Get(t, path+"/"+itoa(text)).HAL(200).Equal("name", "Text")
		a.api.Patch(t, path+"/"+itoa(text), `{"name":"Text 2"}`).HAL(201)
		two := fields[1].Int("enums.value=two.id")

		id := addCustomer(t, a.api, fmt.Sprintf(`{"name":"F","custom_fields_values":[
			{"field_code":"NOTE","values":[{"value":"hello"}]},
			{"field_id":%d,"values":[{"enum_id":%d}]},
			{"field_id":%d,"values":[{"value":"Moscow","enum_id":3},{"value":"101000","enum_code":"zip"}]},
			{"field_id":%d,"values":[{"value":1700000000}]},
			{"field_id":%d,"values":[{"value":true}]}]}`, pick, two, addr, day, flag))
		a.api.Get(t, customerPath(id)).HAL(200).EqualJSON("custom_fields_values", fmt.Sprintf(`[
			{"field_id":%d,"field_name":"Text 2","field_code":"NOTE","field_type":"text","values":[{"value":"hello"}]},
			{"field_id":%d,"field_name":"Pick","field_code":null,"field_type":"select","values":[{"value":"two","enum_id":%d}]},
			{"field_id":%d,"field_name":"Address","field_code":null,"field_type":"smart_address","values":[
				{"value":"Moscow","enum_id":3,"enum_code":"city"},{"value":"101000","enum_id":5,"enum_code":"zip"}]},
			{"field_id":%d,"field_name":"Day","field_code":null,"field_type":"date","values":[{"value":1700000000}]},
			{"field_id":%d,"field_name":"Flag","field_code":null,"field_type":"checkbox","values":[{"value":true}]}]`,
			text, pick, two, addr, day, flag))

		// Clearing every field leaves custom_fields_values null.
		a.api.Patch(t, customerPath(id), fmt.Sprintf(`{"custom_fields_values":[
			{"field_id":%d,"values":null},{"field_id":%d,"values":[]},{"field_id":%d,"values":null},
			{"field_id":%d,"values":null},{"field_id":%d,"values":null}]}`, text, pick, addr, day, flag)).HAL(200)
		a.api.Get(t, customerPath(id)).HAL(200).Equal("custom_fields_values", nil)

		// Validation paths name the item by request_id and the value inside it.
		v := crmtest.Violated
		a.api.Post(t, customersPath, `[{"name":"ok"},{"name":"bad","request_id":"second",
			"custom_fields_values":[{"field_id":99999999,"values":[{"value":"v"}]}]}]`).
			WantViolations(v("second", "NotSupportedChoice", "custom_fields_values.0.field_id"))
		a.api.Post(t, customersPath, `[{"name":"bad","custom_fields_values":[{"field_id":99999999,"values":[{"value":"v"}]}]}]`).
			WantViolations(v("0", "NotSupportedChoice", "custom_fields_values.0.field_id"))
		a.api.Post(t, customersPath, fmt.Sprintf(`[{"name":"bad","custom_fields_values":[{"field_id":%d,"values":[{"value":"x","enum_id":9}]}]}]`, addr)).
			WantViolations(v("0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_id"))
		a.api.Post(t, customersPath, fmt.Sprintf(`[{"name":"bad","custom_fields_values":[{"field_id":%d,"values":[{"value":"three"}]}]}]`, pick)).
			WantViolations(v("0", "NotSupportedChoice", "custom_fields_values.0.values.0.value"))
		a.api.Get(t, customersPath).HAL(200).Equal("_embedded.customers.*.id", []int64{id}) // failed batches created none

		a.api.Delete(t, path+"/"+itoa(text)).HAL(204)
		nothing(a.api.Get(t, path+"/"+itoa(text)))
	})
}

// TestV4CustomersErrors checks 401, 404, 400 (validation, malformed JSON,
// batch size), 413 and 422.
func TestV4CustomersErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Errors", "periodicity")
		id := addCustomer(t, a.api, `{"name":"X","next_date":1900000000}`)
		one := customerPath(id)
		paths := []struct{ method, path, body string }{
			{"GET", customersPath, ""},
			{"POST", customersPath, `[{"name":"n","next_date":1900000000}]`},
			{"PATCH", customersPath, `[{"id":1}]`},
			{"GET", one, ""},
			{"PATCH", one, `{"name":"n"}`},
			{"GET", one + "/transactions", ""},
			{"POST", one + "/transactions", `[{"price":1}]`},
			{"GET", customersPath + "/transactions", ""},
			{"GET", one + "/links", ""},
			{"POST", one + "/link", `[]`},
			{"GET", "/api/v4/contacts", ""},
			{"POST", "/api/v4/companies", `[{"name":"c"}]`},
			{"GET", "/api/v4/customers/custom_fields", ""},
		}
		for _, p := range paths {
			for _, token := range []string{"", "wrong"} {
				env.AmoCRM(token).Do(t, p.method, p.path, p.body).Problem(401)
			}
		}
		// A missing customer or transaction is "nothing found"; a path that
		// names no entity (a malformed id, an unknown sub-resource) is a 404.
		for _, p := range []string{"/99999999", "/99999999/transactions", "/99999999/links", "/transactions/99999999"} {
			nothing(a.api.Get(t, customersPath+p))
		}
		for _, p := range []string{"/abc", "/0", "/1/nothing"} {
			a.api.Get(t, customersPath+p).Problem(404)
		}
		v := crmtest.Violated
		a.api.Post(t, customersPath, `[{"next_date":1900000000}]`).WantViolations(v("0", "FieldMissing", "name"))
		a.api.Post(t, customersPath, `[{"name":"no date","request_id":"r"}]`).WantViolations(v("r", "FieldMissing", "next_date"))
		a.api.Post(t, customersPath, `[{"name":"x","next_date":"tomorrow","next_price":"a"}]`).
			WantViolations(v("0", "InvalidType", "next_date"), v("0", "InvalidType", "next_price"))
		a.api.Post(t, customersPath, `[{"name":"x","next_date":1900000000,"status_id":99999999,"responsible_user_id":99999999}]`).
			WantViolations(v("0", "NotSupportedChoice", "status_id"), v("0", "NotSupportedChoice", "responsible_user_id"))
		a.api.Post(t, customersPath, `[{"name":"x","next_date":1900000000,"next_price":-1}]`).WantViolations(v("0", "OutOfRange", "next_price"))
		a.api.Post(t, customersPath, `{"name":"not an array"}`).WantViolations(v("0", "InvalidType", ""))
		a.api.Post(t, customersPath, `["str"]`).WantViolations(v("0", "InvalidType", ""))
		for _, body := range []string{`[{"name":`, `[{"name":"x"}] trailing`, ``} {
			a.api.Post(t, customersPath, body).Problem(400)
		}
		var many []string
		for i := 0; i < 251; i++ {
			many = append(many, `{"name":"n","next_date":1900000000}`)
		}
		a.api.Post(t, customersPath, "["+strings.Join(many, ",")+"]").Problem(400)
		big := `[{"name":"` + strings.Repeat("x", 1<<20) + `"}]`
		a.api.Post(t, customersPath, big).Problem(413)
		a.api.Patch(t, one, big).Problem(413)
		a.api.Get(t, customersPath).HAL(200).Equal("_embedded.customers.*.id", []int64{id}) // failed requests left none
		a.api.Delete(t, one).Problem(405)

		// A new account has customers disabled: 422 everywhere customers are.
		off := newAccount(t, env, "Disabled", "")
		for _, p := range []struct{ method, path, body string }{
			{"GET", customersPath, ""},
			{"POST", customersPath, `[{"name":"n"}]`},
			{"PATCH", customersPath, `[{"id":1,"name":"n"}]`},
			{"GET", customersPath + "/1", ""},
			{"GET", customersPath + "/transactions", ""},
			{"GET", customersPath + "/1/transactions", ""},
			{"GET", customersPath + "/1/links", ""},
			{"POST", customersPath + "/1/link", `[{"to_entity_id":1,"to_entity_type":"contacts"}]`},
		} {
			off.api.Do(t, p.method, p.path, p.body).Problem(422)
		}
		// Turning customers off keeps them but refuses access.
		setMode(t, a.api, "periodicity", false)
		a.api.Get(t, one).Problem(422)
	})
}

// TestV4CustomersRoutes checks that the customers patterns and the older
// customers/statuses, customers/segments and custom_fields ones route apart.
func TestV4CustomersRoutes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Routes", "segments")
		custID := addCustomer(t, a.api, `{"name":"R"}`)
		id := itoa(custID)
		seg := itoa(a.api.Post(t, segmentsPath, `{"name":"S"}`).HAL(200).Int("id"))
		for path, key := range map[string]string{
			customersPath:                              "customers",
			customersPath + "/segments":                "segments",
			customersPath + "/transactions":            "transactions",
			customersPath + "/custom_fields":           "custom_fields",
			customersPath + "/segments/custom_fields":  "custom_fields",
			customersPath + "/" + id + "/transactions": "transactions",
			customersPath + "/" + id + "/links":        "links",
			"/api/v4/contacts":                         "contacts",
			"/api/v4/companies":                        "companies",
		} {
			// An empty list is 204; a route reaching another handler would
			// answer a problem or another body.
			if r := a.api.Get(t, path); r.Status == 204 {
				nothing(r)
			} else {
				r.HAL(200).At("_embedded." + key)
			}
		}
		a.api.Get(t, customersPath+"/segments/"+seg).HAL(200).Equal("name", "S")
		setMode(t, a.api, "periodicity", true)
		a.api.Get(t, customersPath+"/statuses").HAL(200).At("_embedded.statuses")
		a.api.Get(t, customerPath(custID)).HAL(200).Equal("name", "R")
		for _, p := range []string{"/statuses/links", "/segments/transactions", "/transactions/links", "/custom_fields/transactions", "/" + id + "/unknown"} {
			a.api.Get(t, customersPath+p).Problem(404)
		}
	})
}

// TestV4CustomersIsolation checks that one account's token reaches none of
// another account's customers, transactions, links, contacts or companies.
func TestV4CustomersIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "A", "segments").api
		b := newAccount(t, env, "B", "segments").api
		cust := addCustomer(t, a, `{"name":"A secret"}`)
		tr := a.Post(t, customerPath(cust)+"/transactions", `[{"price":10}]`).HAL(200).Int("_embedded.transactions.0.id")
		contact := a.Post(t, "/api/v4/contacts", `[{"name":"A contact"}]`).HAL(200).Int("_embedded.contacts.0.id")
		company := a.Post(t, "/api/v4/companies", `[{"name":"A company"}]`).HAL(200).Int("_embedded.companies.0.id")
		a.Post(t, customerPath(cust)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact)).HAL(200)
		bCust := addCustomer(t, b, `{"name":"B own"}`)
		snapshot := func() string {
			return string(a.Get(t, customerPath(cust)+"?with=contacts,companies").Body) + string(a.Get(t, customersPath+"/transactions").Body)
		}
		before := snapshot()

		for _, c := range []struct {
			method, path, body string
			status             int
		}{
			{"GET", customerPath(cust), "", 204},
			{"PATCH", customerPath(cust), `{"name":"stolen"}`, 404},
			{"GET", customerPath(cust) + "/transactions", "", 204},
			{"POST", customerPath(cust) + "/transactions", `[{"price":1}]`, 404},
			{"GET", fmt.Sprintf("%s/transactions/%d", customersPath, tr), "", 204},
			{"GET", fmt.Sprintf("%s/transactions/%d", customerPath(cust), tr), "", 204},
			{"DELETE", fmt.Sprintf("%s/transactions/%d", customersPath, tr), "", 404},
			{"DELETE", fmt.Sprintf("%s/transactions/%d", customerPath(cust), tr), "", 404},
			{"GET", customerPath(cust) + "/links", "", 204},
			{"POST", customerPath(cust) + "/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact), 404},
			{"POST", customerPath(cust) + "/unlink", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact), 404},
			{"GET", fmt.Sprintf("/api/v4/contacts/%d", contact), "", 204},
			{"GET", fmt.Sprintf("/api/v4/companies/%d", company), "", 204},
			// B may not attach A's contact or company to its own customer.
			{"POST", customerPath(bCust) + "/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact), 400},
			{"POST", customerPath(bCust) + "/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"companies"}]`, company), 400},
			{"PATCH", customersPath, fmt.Sprintf(`[{"id":%d,"name":"stolen"}]`, cust), 400},
		} {
			nothingOr(b.Do(t, c.method, c.path, c.body), c.status)
		}
		for _, p := range []string{customersPath, customersPath + "/transactions", "/api/v4/contacts", "/api/v4/companies"} {
			body := string(b.Get(t, p).Body)
			for _, secret := range []string{"A secret", "A contact", "A company", `"id":` + itoa(tr)} {
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
		a := newAccount(t, env, "Round trip", "periodicity")
		id := a.api.Post(t, "/api/v2/customers", `{"add":[{"name":"X","next_date":"1900000000"}]}`).Expect(200).Int("_embedded.items.0.id")

		a.api.Get(t, customerPath(id)).HAL(200).Equal("name", "X").Equal("next_date", 1900000000)
		a.api.Patch(t, customerPath(id), `{"name":"Y","next_price":700}`).HAL(200)
		a.api.Get(t, customersPath+"?filter[name]=Y").HAL(200).Equal("_embedded.customers.*.id", []int64{id})
		if r := a.api.Get(t, "/api/v2/customers?id="+itoa(id)).Expect(200); !strings.Contains(string(r.Body), `"Y"`) || !strings.Contains(string(r.Body), "700") {
			t.Errorf("v2 read after the v4 PATCH: %s", r.Body)
		}
		a.api.Post(t, "/api/v2/customers", fmt.Sprintf(`{"delete":[%d]}`, id)).Expect(200)
		nothing(a.api.Get(t, customerPath(id)))
		nothing(a.api.Get(t, customersPath))
	})
}
