package amocrm_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestV4Links links contacts (one main), a company and a segment to a
// customer, lists them and unlinks them. The links list's shape against
// companion §3's example is testdata/customer_links.golden.json.
func TestV4Links(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Links", "segments")
		cust := addCustomer(t, a.api, `{"name":"Linked"}`)
		contacts := idsOf(a.api.Post(t, "/api/v4/contacts", `[{"name":"C1"},{"name":"C2"}]`).HAL(200).List("_embedded.contacts"))
		c1, c2 := contacts[0], contacts[1]
		companies := idsOf(a.api.Post(t, "/api/v4/companies", `[{"name":"Co1"},{"name":"Co2"}]`).HAL(200).List("_embedded.companies"))
		seg := a.api.Post(t, segmentsPath, `{"name":"Seg"}`).HAL(200).Int("id")
		links := customerPath(cust) + "/links"
		self := env.URL + links

		nothing(a.api.Get(t, links))
		want := fmt.Sprintf(`[
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[2]d,"to_entity_type":"contacts","metadata":{"main_contact":false}},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[3]d,"to_entity_type":"contacts","metadata":{"main_contact":true}},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[4]d,"to_entity_type":"companies","metadata":null},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[5]d,"to_entity_type":"segments","metadata":null}]`,
			cust, c1, c2, companies[0], seg)
		a.api.Post(t, customerPath(cust)+"/link", fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":false}},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"to_entity_id":%d,"to_entity_type":"companies"},
			{"to_entity_id":%d,"to_entity_type":"segments","metadata":null}]`, c1, c2, companies[0], seg)).HAL(200).
			Equal("_links.self.href", self).EqualJSON("_embedded.links", want).Equal("_total_items", 4)

		// The example holds a contact link: the contact links in its shape.
		a.api.Get(t, links+"?filter[to_entity_type]=contacts").HAL(200).Golden("customer_links")
		a.api.Get(t, links).HAL(200).EqualJSON("_embedded.links", want).Equal("_links.self.href", self)
		for query, n := range map[string]int{
			"?filter[to_entity_type]=contacts":                                             2,
			"?filter[to_entity_type]=companies":                                            1,
			fmt.Sprintf("?filter[to_entity_type]=contacts&filter[to_entity_id]=%d", c2):    1,
			fmt.Sprintf("?filter[to_entity_type]=segments&filter[to_entity_id][]=%d", seg): 1,
		} {
			if got := len(a.api.Get(t, links+query).HAL(200).List("_embedded.links")); got != n {
				t.Errorf("links%s: %d, want %d", query, got, n)
			}
		}
		// filter[to_entity_id] alone matches any type with that id.
		sameID := 0
		for _, l := range a.api.Get(t, links).HAL(200).List("_embedded.links") {
			if l.Int("to_entity_id") == c1 {
				sameID++
			}
		}
		if got := len(a.api.Get(t, fmt.Sprintf("%s?filter[to_entity_id]=%d", links, c1)).HAL(200).List("_embedded.links")); got != sameID {
			t.Errorf("filter[to_entity_id]=%d: %d links, want %d", c1, got, sameID)
		}
		a.api.Get(t, links+"?filter[to_catalog_id]=1").Problem(400)

		// The customer shows the same links.
		a.api.Get(t, customerPath(cust)+"?with=contacts,companies").HAL(200).
			Equal("_embedded.companies.*.id", []int64{companies[0]}).Equal("_embedded.segments.*.id", []int64{seg})

		// Another company replaces the one (a customer has at most one);
		// making c1 main moves the flag.
		a.api.Post(t, customerPath(cust)+"/link", fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"companies"},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"main_contact":true}}]`, companies[1], c1)).HAL(200)
		a.api.Get(t, links+"?filter[to_entity_type]=companies").HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{companies[1]})
		a.api.Get(t, links+"?filter[to_entity_type]=contacts").HAL(200).EqualJSON("_embedded.links", fmt.Sprintf(`[
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[2]d,"to_entity_type":"contacts","metadata":{"main_contact":true}},
			{"entity_id":%[1]d,"entity_type":"customers","to_entity_id":%[3]d,"to_entity_type":"contacts","metadata":{"main_contact":false}}]`, cust, c1, c2))

		// Unlink: 204 and no body; the remaining contact becomes main.
		a.api.Post(t, customerPath(cust)+"/unlink", fmt.Sprintf(`[
			{"to_entity_id":%d,"to_entity_type":"contacts"},
			{"to_entity_id":%d,"to_entity_type":"companies"},
			{"to_entity_id":%d,"to_entity_type":"segments"}]`, c1, companies[1], seg)).HAL(204)
		a.api.Get(t, links).HAL(200).EqualJSON("_embedded.links", fmt.Sprintf(`[
			{"entity_id":%d,"entity_type":"customers","to_entity_id":%d,"to_entity_type":"contacts","metadata":{"main_contact":true}}]`, cust, c2))
		a.api.Post(t, customerPath(cust)+"/unlink", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, c2)).HAL(204)
		nothing(a.api.Get(t, links))
		// The contacts themselves are not deleted.
		a.api.Get(t, fmt.Sprintf("/api/v4/contacts/%d", c1)).HAL(200)
	})
}

// TestV4LinksErrors checks the link endpoints' validation and not-found paths.
func TestV4LinksErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Link errors", "segments")
		cust := addCustomer(t, a.api, `{"name":"L"}`)
		contact := a.api.Post(t, "/api/v4/contacts", `[{"name":"C"}]`).HAL(200).Int("_embedded.contacts.0.id")
		path := customerPath(cust) + "/link"
		ok := fmt.Sprintf(`{"to_entity_id":%d,"to_entity_type":"contacts"}`, contact)
		v := crmtest.Violated
		for _, tc := range []struct {
			body string
			want crmtest.Violation
		}{
			{`[{"to_entity_id":1,"to_entity_type":"leads"}]`, v("0", "NotSupportedChoice", "to_entity_type")},
			{`[{"to_entity_id":1,"to_entity_type":"catalog_elements"}]`, v("0", "NotSupportedChoice", "to_entity_type")},
			{`[{"to_entity_id":1}]`, v("0", "NotSupportedChoice", "to_entity_type")},
			{`[` + ok + `,{"to_entity_id":99999999,"to_entity_type":"contacts","request_id":"x"}]`, v("x", "NotSupportedChoice", "to_entity_id")},
			{`[{"to_entity_id":99999999,"to_entity_type":"companies"}]`, v("0", "NotSupportedChoice", "to_entity_id")},
			{`[{"to_entity_id":99999999,"to_entity_type":"segments"}]`, v("0", "NotSupportedChoice", "to_entity_id")},
			{`[{"to_entity_type":"contacts"}]`, v("0", "NotSupportedChoice", "to_entity_id")},
			{`[{"to_entity_id":"one","to_entity_type":"contacts"}]`, v("0", "InvalidType", "to_entity_id")},
			{`[{"to_entity_id":1,"to_entity_type":"contacts","metadata":{"is_main":"yes"}}]`, v("0", "InvalidType", "metadata.is_main")},
			{`{"to_entity_id":1}`, v("0", "InvalidType", "")},
		} {
			a.api.Post(t, path, tc.body).WantViolations(tc.want)
			a.api.Post(t, customerPath(cust)+"/unlink", tc.body).WantViolations(tc.want)
		}
		nothing(a.api.Get(t, customerPath(cust)+"/links")) // failed requests linked nothing
		a.api.Post(t, path, `[{`).Problem(400)
		a.api.Post(t, customersPath+"/99999999/link", "["+ok+"]").Problem(404)
		a.api.Post(t, customersPath+"/99999999/unlink", "["+ok+"]").Problem(404)
		nothing(a.api.Get(t, customersPath+"/99999999/links"))
		env.AmoCRM("").Post(t, path, "["+ok+"]").Problem(401)
		env.AmoCRM("nope").Get(t, customerPath(cust)+"/links").Problem(401)
	})
}
