package amocrm_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// v4CompanionLinksExample is the link response example of companion §3.
const v4CompanionLinksExample = `{"_total_items":2,"_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/leads/14158851/links"}},
 "_embedded":{"links":[{"entity_id":14158851,"entity_type":"leads","to_entity_id":457282,"to_entity_type":"contacts","metadata":{"main_contact":true}}]}}`

// v4Links reads a customer's links.
func v4Links(t testing.TB, env *crmtest.Env, token string, id int64, query string) (map[string]any, []map[string]any) {
	t.Helper()
	m := v4Do(t, env, "GET", fmt.Sprintf("%s/%d/links%s", v4Customers, id, query), token, "", 200)
	return m, v4Items(t, m, "links")
}

// TestV4Links links contacts (one main), a company and a segment to a
// customer, lists them and unlinks them.
func TestV4Links(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Links", "segments").AmoCRMToken
		cust := v4AddCustomer(t, env, tok, `{"name":"Linked"}`)
		contacts := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/contacts", tok, `[{"name":"C1"},{"name":"C2"}]`, 200), "contacts"))
		c1, c2 := contacts[0], contacts[1]
		companies := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/companies", tok, `[{"name":"Co1"},{"name":"Co2"}]`, 200), "companies"))
		seg := sgIntOf(t, sgAddSegment(t, env, tok, `{"name":"Seg"}`), "id")
		self := fmt.Sprintf("%s%s/%d/links", env.URL, v4Customers, cust)

		_, none := v4Links(t, env, tok, cust, "")
		if len(none) != 0 {
			t.Errorf("links of a new customer: %v", none)
		}
		resp := v4Do(t, env, "POST", fmt.Sprintf("%s/%d/link", v4Customers, cust), tok, fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":false}},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"to_entity_id":%d,"to_entity_type":"companies"},
			{"to_entity_id":%d,"to_entity_type":"segments","metadata":null}]`, c1, c2, companies[0], seg), 200)
		if got := v4Self(t, resp); got != self {
			t.Errorf("link self %s, want %s", got, self)
		}
		want := fmt.Sprintf(`[
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[2]d,"to_entity_type":"contacts","metadata":{"main_contact":false}},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[3]d,"to_entity_type":"contacts","metadata":{"main_contact":true}},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[4]d,"to_entity_type":"companies","metadata":null},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[5]d,"to_entity_type":"segments","metadata":null}]`,
			cust, c1, c2, companies[0], seg)
		v4Equal(t, "link answer links", resp["_embedded"].(map[string]any)["links"], want)
		if sgIntOf(t, resp, "_total_items") != 4 {
			t.Errorf("_total_items %v", resp["_total_items"])
		}

		// The example holds a contact link; compare the contact links' shape with it.
		m, _ := v4Links(t, env, tok, cust, "?filter[to_entity_type]=contacts")
		sgShape(t, "links", sgDecode(t, v4CompanionLinksExample), m)
		m, links := v4Links(t, env, tok, cust, "")
		v4Equal(t, "links", links, want)
		if got := v4Self(t, m); got != self {
			t.Errorf("links self %s", got)
		}
		for query, n := range map[string]int{
			"?filter[to_entity_type]=contacts":                                             2,
			"?filter[to_entity_type]=companies":                                            1,
			fmt.Sprintf("?filter[to_entity_type]=contacts&filter[to_entity_id]=%d", c2):    1,
			fmt.Sprintf("?filter[to_entity_type]=segments&filter[to_entity_id][]=%d", seg): 1,
		} {
			if _, got := v4Links(t, env, tok, cust, query); len(got) != n {
				t.Errorf("links%s: %d, want %d", query, len(got), n)
			}
		}
		// filter[to_entity_id] alone matches any type with that id.
		sameID := 0
		for _, l := range links {
			if sgIntOf(t, l, "to_entity_id") == c1 {
				sameID++
			}
		}
		if _, got := v4Links(t, env, tok, cust, fmt.Sprintf("?filter[to_entity_id]=%d", c1)); len(got) != sameID {
			t.Errorf("filter[to_entity_id]=%d: %d links, want %d", c1, len(got), sameID)
		}
		sgProblem(t, env.Do(t, "GET", fmt.Sprintf("%s/%d/links?filter[to_catalog_id]=1", v4Customers, cust), tok, ""), http.StatusBadRequest)

		// The customer shows the same links.
		emb := v4Get(t, env, tok, cust, "?with=contacts,companies")["_embedded"].(map[string]any)
		if got := v4IDs(t, []map[string]any{emb["companies"].([]any)[0].(map[string]any)}); !reflect.DeepEqual(got, []int64{companies[0]}) {
			t.Errorf("companies %v", got)
		}
		if got := len(emb["segments"].([]any)); got != 1 {
			t.Errorf("segments %v", emb["segments"])
		}

		// Another company replaces the one (a customer has at most one);
		// making c1 main moves the flag.
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/link", v4Customers, cust), tok, fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"companies"},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"main_contact":true}}]`, companies[1], c1), 200)
		_, links = v4Links(t, env, tok, cust, "?filter[to_entity_type]=companies")
		if len(links) != 1 || sgIntOf(t, links[0], "to_entity_id") != companies[1] {
			t.Errorf("company links %v", links)
		}
		_, links = v4Links(t, env, tok, cust, "?filter[to_entity_type]=contacts")
		v4Equal(t, "contacts after moving main", links, fmt.Sprintf(`[
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[2]d,"to_entity_type":"contacts","metadata":{"main_contact":true}},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[3]d,"to_entity_type":"contacts","metadata":{"main_contact":false}}]`, cust, c1, c2))

		// Unlink: 204 and no body; the remaining contact becomes main.
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/unlink", v4Customers, cust), tok, fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"contacts"},
			{"to_entity_id":%d,"to_entity_type":"companies"},
			{"to_entity_id":%d,"to_entity_type":"segments"}]`, c1, companies[1], seg), 204)
		_, links = v4Links(t, env, tok, cust, "")
		v4Equal(t, "links after unlink", links, fmt.Sprintf(`[
			{"entity_id":%d,"entity_type":"customers","to_entity_id":%d,"to_entity_type":"contacts","metadata":{"main_contact":true}}]`, cust, c2))
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/unlink", v4Customers, cust), tok, fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, c2), 204)
		if _, links = v4Links(t, env, tok, cust, ""); len(links) != 0 {
			t.Errorf("links after unlinking all: %v", links)
		}
		// The contacts themselves are not deleted.
		v4Do(t, env, "GET", fmt.Sprintf("/api/v4/contacts/%d", c1), tok, "", 200)
	})
}

// TestV4LinksErrors checks the link endpoints' validation and not-found paths.
func TestV4LinksErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Link errors", "segments").AmoCRMToken
		cust := v4AddCustomer(t, env, tok, `{"name":"L"}`)
		contact := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/contacts", tok, `[{"name":"C"}]`, 200), "contacts"))[0]
		path := fmt.Sprintf("%s/%d/link", v4Customers, cust)
		ok := fmt.Sprintf(`{"to_entity_id":%d,"to_entity_type":"contacts"}`, contact)
		for _, tc := range []struct {
			body string
			want sgViolation
		}{
			{`[{"to_entity_id":1,"to_entity_type":"leads"}]`, sgViolation{"0", "NotSupportedChoice", "to_entity_type"}},
			{`[{"to_entity_id":1,"to_entity_type":"catalog_elements"}]`, sgViolation{"0", "NotSupportedChoice", "to_entity_type"}},
			{`[{"to_entity_id":1}]`, sgViolation{"0", "NotSupportedChoice", "to_entity_type"}},
			{`[` + ok + `,{"to_entity_id":99999999,"to_entity_type":"contacts","request_id":"x"}]`, sgViolation{"x", "NotSupportedChoice", "to_entity_id"}},
			{`[{"to_entity_id":99999999,"to_entity_type":"companies"}]`, sgViolation{"0", "NotSupportedChoice", "to_entity_id"}},
			{`[{"to_entity_id":99999999,"to_entity_type":"segments"}]`, sgViolation{"0", "NotSupportedChoice", "to_entity_id"}},
			{`[{"to_entity_type":"contacts"}]`, sgViolation{"0", "NotSupportedChoice", "to_entity_id"}},
			{`[{"to_entity_id":"one","to_entity_type":"contacts"}]`, sgViolation{"0", "InvalidType", "to_entity_id"}},
			{`[{"to_entity_id":1,"to_entity_type":"contacts","metadata":{"is_main":"yes"}}]`, sgViolation{"0", "InvalidType", "metadata.is_main"}},
			{`{"to_entity_id":1}`, sgViolation{"0", "InvalidType", ""}},
		} {
			sgViolations(t, env.Do(t, "POST", path, tok, tc.body), tc.want)
			sgViolations(t, env.Do(t, "POST", fmt.Sprintf("%s/%d/unlink", v4Customers, cust), tok, tc.body), tc.want)
		}
		if _, links := v4Links(t, env, tok, cust, ""); len(links) != 0 {
			t.Errorf("failed requests linked %v", links)
		}
		sgProblem(t, env.Do(t, "POST", path, tok, `[{`), http.StatusBadRequest)
		sgProblem(t, env.Do(t, "POST", v4Customers+"/99999999/link", tok, "["+ok+"]"), http.StatusNotFound)
		sgProblem(t, env.Do(t, "POST", v4Customers+"/99999999/unlink", tok, "["+ok+"]"), http.StatusNotFound)
		sgProblem(t, env.Do(t, "GET", v4Customers+"/99999999/links", tok, ""), http.StatusNotFound)
		sgProblem(t, env.Do(t, "POST", path, "", "["+ok+"]"), http.StatusUnauthorized)
		sgProblem(t, env.Do(t, "GET", fmt.Sprintf("%s/%d/links", v4Customers, cust), "nope", ""), http.StatusUnauthorized)
	})
}
