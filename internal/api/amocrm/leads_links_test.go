package amocrm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// envyboxDealClient is Envybox's deal/get client_id of a deal.
func envyboxDealClient(t *testing.T, env *crmtest.Env, a account, dealID int64) any {
	t.Helper()
	return envyboxCall(t, env, a, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, dealID)).Get("result.client_id")
}

// TestV4LeadLinks links contacts and companies to a lead, from the lead's
// side and the contact's, reads them from every side and unlinks them
// (core §4): the main contact is the Envybox deal's client throughout.
func TestV4LeadLinks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Lead links", "")
		api := acc.api
		lead := addLeads(t, api, `[{"name":"Linked"}]`)[0]
		a, b, c := addV4Contact(t, api, "A"), addV4Contact(t, api, "B"), addV4Contact(t, api, "C")
		x, y := addV4Company(t, api, "X"), addV4Company(t, api, "Y")
		links := leadPath(lead) + "/links"
		nothing(api.Get(t, links))
		if got := envyboxDealClient(t, env, acc, lead); got != nil {
			t.Errorf("Envybox client_id of a lead without contacts: %v, want null", got)
		}

		// The first contact becomes main; is_main moves it to B.
		api.Post(t, leadPath(lead)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"to_entity_id":%d,"to_entity_type":"companies","metadata":null}]`, a, b, x)).HAL(200).
			Equal("_links.self.href", env.URL+links).
			EqualJSON("_embedded.links", fmt.Sprintf(`[
				{"entity_id":%[1]d,"entity_type":"leads","to_entity_id":%[2]d,"to_entity_type":"contacts","metadata":{"main_contact":false}},
				{"entity_id":%[1]d,"entity_type":"leads","to_entity_id":%[3]d,"to_entity_type":"contacts","metadata":{"main_contact":true}},
				{"entity_id":%[1]d,"entity_type":"leads","to_entity_id":%[4]d,"to_entity_type":"companies","metadata":null}]`, lead, a, b, x))
		api.Get(t, links).HAL(200).Equal("_total_items", 3).Equal("_embedded.links.*.to_entity_id", []int64{b, a, x})
		api.Get(t, links+"?filter[to_entity_type]=companies").HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{x})
		api.Get(t, leadPath(lead)+"?with=contacts").HAL(200).Equal("_embedded.contacts.*.id", []int64{b, a}).
			Equal("_embedded.companies.*.id", []int64{x})
		if got := envyboxDealClient(t, env, acc, lead); got != itoa(b) {
			t.Errorf("Envybox client_id %v, want the main contact %d", got, b)
		}
		// Symmetric: the contact and the company see the lead.
		api.Get(t, "/api/v4/contacts/"+itoa(a)+"/links").HAL(200).EqualJSON("_embedded.links",
			fmt.Sprintf(`[{"entity_id":%d,"entity_type":"contacts","to_entity_id":%d,"to_entity_type":"leads","metadata":{"main_contact":false}}]`, a, lead))
		api.Get(t, "/api/v4/companies/"+itoa(x)+"/links").HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{lead})
		// Linking again changes nothing; a second company replaces the first.
		api.Post(t, leadPath(lead)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"},{"to_entity_id":%d,"to_entity_type":"companies"}]`, a, y)).HAL(200).
			Equal("_embedded.links.*.to_entity_id", []int64{a, y})
		api.Get(t, links).HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{b, a, y})

		// Unlinking the main contact promotes the oldest other one.
		api.Post(t, leadPath(lead)+"/unlink", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, b)).Expect(204).Empty()
		api.Get(t, leadPath(lead)+"?with=contacts").HAL(200).Equal("_embedded.contacts.*.id", []int64{a}).
			Equal("_embedded.contacts.*.is_main", []bool{true})
		if got := envyboxDealClient(t, env, acc, lead); got != itoa(a) {
			t.Errorf("Envybox client_id %v after unlinking the main contact, want %d", got, a)
		}
		// Unlinking what is not linked is no error.
		api.Post(t, leadPath(lead)+"/unlink", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"},{"to_entity_id":%d,"to_entity_type":"companies"}]`, c, x)).Expect(204)
		api.Post(t, leadPath(lead)+"/unlink", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"},{"to_entity_id":%d,"to_entity_type":"companies"}]`, a, y)).Expect(204)
		nothing(api.Get(t, links))
		if got := envyboxDealClient(t, env, acc, lead); got != nil {
			t.Errorf("Envybox client_id %v after unlinking every contact, want null", got)
		}
		// The lead's history: created, then each link and unlink.
		want := []int{crm.LogDealCreated, crm.LogDealLinked, crm.LogDealLinked, crm.LogDealLinked, crm.LogDealUnlinked, crm.LogDealLinked,
			crm.LogDealUnlinked, crm.LogDealUnlinked, crm.LogDealUnlinked}
		if got := historyTypes(t, env, acc, crm.EntityDeal, lead); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("history %v, want %v", got, want)
		}

		// From the contact's side, in bulk, and contact ↔ company.
		api.Post(t, "/api/v4/contacts/link", fmt.Sprintf(`[{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"leads"},
			{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"companies"}]`, c, lead, c, x)).HAL(200).
			Equal("_embedded.links.*.entity_id", []int64{c, c}).Equal("_embedded.links.0.metadata.main_contact", true)
		api.Get(t, leadPath(lead)+"?with=contacts").HAL(200).Equal("_embedded.contacts.*.id", []int64{c})
		api.Get(t, "/api/v4/companies/"+itoa(x)+"/links?filter[to_entity_type]=contacts").HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{c})
		env.Envybox(acc.EnvyboxAPIKey).Get(t, "/openapi/v1/client/"+itoa(c)+"/getCompanies/").Expect(200).
			Equal("result.companies.*.id", []int64{x})
		other := addLeads(t, api, `[{"name":"Other"}]`)[0]
		api.Get(t, fmt.Sprintf("/api/v4/leads/links?filter[entity_id][]=%d&filter[entity_id][]=%d", lead, other)).HAL(200).
			Equal("_embedded.links.*.entity_id", []int64{lead})
		api.Post(t, "/api/v4/companies/unlink", fmt.Sprintf(`[{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"contacts"}]`, x, c)).Expect(204)
		nothing(api.Get(t, "/api/v4/companies/"+itoa(x)+"/links"))

		// Refusals.
		v := crmtest.Violated
		api.Post(t, leadPath(lead)+"/link", `[{"to_entity_id":1,"to_entity_type":"catalog_elements","metadata":{"catalog_id":1,"quantity":1}}]`).
			WantViolations(v("0", "NotSupportedChoice", "to_entity_type"))
		api.Post(t, leadPath(lead)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"leads"}]`, other)).
			WantViolations(v("0", "NotSupportedChoice", "to_entity_type"))
		api.Post(t, leadPath(lead)+"/link", `[{"to_entity_id":99999999,"to_entity_type":"contacts","request_id":"r"}]`).
			WantViolations(v("r", "NotSupportedChoice", "to_entity_id"))
		api.Post(t, "/api/v4/contacts/"+itoa(a)+"/link", `[{"to_entity_id":1,"to_entity_type":"customers"}]`).Problem(400)
		api.Post(t, leadPath(lead)+"/link", `[{"to_entity_type":"contacts"}]`).WantViolations(v("0", "FieldMissing", "to_entity_id"))
		api.Post(t, "/api/v4/leads/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, a)).
			WantViolations(v("0", "FieldMissing", "entity_id"))
		api.Post(t, leadPath(99999999)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, a)).Problem(404)
		nothing(api.Get(t, leadPath(99999999)+"/links"))
		api.Get(t, "/api/v4/leads/links").WantViolations(v("0", "FieldMissing", "filter[entity_id]"))
		api.Get(t, leadPath(lead)+"/linkz").Problem(404)
		// The refused writes changed nothing.
		api.Get(t, links).HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{c})
	})
}

// TestV4ContactCustomerLinks links a customer from the contact's and the
// company's side: the customer's own links show them.
func TestV4ContactCustomerLinks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Customer links", "segments")
		api := acc.api
		cust := addCustomer(t, api, `{"name":"Buyer"}`)
		a, x := addV4Contact(t, api, "A"), addV4Company(t, api, "X")
		api.Post(t, "/api/v4/contacts/"+itoa(a)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"customers"}]`, cust)).HAL(200).
			EqualJSON("_embedded.links", fmt.Sprintf(`[{"entity_id":%d,"entity_type":"contacts","to_entity_id":%d,"to_entity_type":"customers","metadata":{"main_contact":true}}]`, a, cust))
		api.Post(t, "/api/v4/companies/"+itoa(x)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"customers"}]`, cust)).HAL(200)
		api.Get(t, customerPath(cust)+"/links").HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{a, x}).
			Equal("_embedded.links.0.metadata.main_contact", true)
		api.Post(t, "/api/v4/contacts/"+itoa(a)+"/unlink", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"customers"}]`, cust)).Expect(204)
		api.Get(t, customerPath(cust)+"/links").HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{x})

		// The customers' bulk endpoints: the same links the per-id list shows.
		b := addV4Contact(t, api, "B")
		seg := api.Post(t, segmentsPath, `{"name":"Seg"}`).HAL(200).Int("id")
		other := addCustomer(t, api, `{"name":"Other"}`)
		api.Post(t, "/api/v4/customers/link", fmt.Sprintf(`[{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"contacts"},
			{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"segments"}]`, cust, a, cust, b, other, seg)).HAL(200).
			Equal("_embedded.links.*.entity_id", []int64{cust, cust, other}).
			Equal("_embedded.links.0.metadata.main_contact", false).Equal("_embedded.links.1.metadata.main_contact", true).
			Equal("_embedded.links.2.metadata", nil)
		perID := api.Get(t, customerPath(cust)+"/links").HAL(200).Equal("_embedded.links.*.to_entity_id", []int64{a, b, x})
		api.Get(t, fmt.Sprintf("/api/v4/customers/links?filter[entity_id][]=%d&filter[entity_id][]=%d", cust, other)).HAL(200).
			Equal("_embedded.links.*.to_entity_id", []int64{a, b, x, seg}).
			Equal("_embedded.links.0", perID.Get("_embedded.links.0")).Equal("_embedded.links.1", perID.Get("_embedded.links.1"))
		api.Post(t, "/api/v4/customers/unlink", fmt.Sprintf(`[{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"segments"}]`, other, seg)).Expect(204)
		nothing(api.Get(t, customerPath(other)+"/links"))
		api.Post(t, "/api/v4/customers/link", fmt.Sprintf(`[{"entity_id":%d,"to_entity_id":99999999,"to_entity_type":"segments"}]`, cust)).
			WantViolations(crmtest.Violated("0", "NotSupportedChoice", "to_entity_id"))
	})
}

// TestV4LeadResponsibleAndHistory: a member made responsible is the Envybox
// deal's employee (the administrator stays its user), and a PATCH writes one
// LogDealUpdated entry naming every field it changed, before and after.
func TestV4LeadResponsibleAndHistory(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Responsible", "")
		api := acc.api
		member := env.NewUser(t, acc.AccountID, crm.RoleMember)
		field := api.Post(t, "/api/v4/leads/custom_fields", `[{"name":"Note","type":"text"}]`).HAL(201).Int("_embedded.custom_fields.0.id")
		lead := addLeads(t, api, fmt.Sprintf(`[{"name":"Old","price":1,"responsible_user_id":%d}]`, member.UserID))[0]
		api.Get(t, leadPath(lead)).HAL(200).Equal("responsible_user_id", member.UserID)
		envyboxCall(t, env, acc, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, lead)).
			Equal("result.employee_id", itoa(member.UserID)).Equal("result.user_id", itoa(acc.UserID))
		api.Get(t, fmt.Sprintf("%s?filter[responsible_user_id]=%d", leadsPath, member.UserID)).HAL(200).Equal("_embedded.leads.*.id", []int64{lead})
		nothing(api.Get(t, fmt.Sprintf("%s?filter[responsible_user_id]=%d", leadsPath, acc.UserID)))

		api.Patch(t, leadPath(lead), fmt.Sprintf(`{"name":"New","price":2,"responsible_user_id":%d,
			"custom_fields_values":[{"field_id":%d,"values":[{"value":"x"}]}]}`, acc.UserID, field)).HAL(200)
		api.Get(t, leadPath(lead)).HAL(200).Equal("responsible_user_id", acc.UserID)
		var data crm.HistoryData
		err := env.Server.DB.View(context.Background(), acc.AccountID, func(tx crm.Tx) error {
			list, _, err := tx.Logs(context.Background(), crm.LogQuery{EntityType: crm.EntityDeal, EntityID: lead,
				TypeIDs: []int{crm.LogDealUpdated}, Limit: 10})
			if err != nil || len(list) != 1 {
				return fmt.Errorf("%d updated entries, %v", len(list), err)
			}
			data, err = crm.DecodeHistory(list[0])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range data.Changes {
			got[c.Field] = string(c.Before) + " → " + string(c.After)
		}
		want := map[string]string{"name": `"Old" → "New"`, "price": `1 → 2`,
			"responsible_user_id":       fmt.Sprintf("%d → %d", member.UserID, acc.UserID),
			fmt.Sprintf("cf:%d", field): `[] → [{"value":"x"}]`}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("changes %v, want %v", got, want)
		}
	})
}

// TestV4LeadsIsolation: another account's leads, contacts and companies are
// not this one's, to read, edit or link.
func TestV4LeadsIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		mine, theirs := newAccount(t, env, "Mine", ""), newAccount(t, env, "Theirs", "")
		lead := addLeads(t, theirs.api, `[{"name":"Secret"}]`)[0]
		contact, company := addV4Contact(t, theirs.api, "Them"), addV4Company(t, theirs.api, "Their Co")
		own := addLeads(t, mine.api, `[{"name":"Own"}]`)[0]
		v := crmtest.Violated
		nothing(mine.api.Get(t, leadPath(lead)))
		nothing(mine.api.Get(t, leadPath(lead)+"/links"))
		mine.api.Get(t, leadsPath).HAL(200).Equal("_embedded.leads.*.id", []int64{own})
		mine.api.Patch(t, leadPath(lead), `{"name":"Stolen"}`).Problem(404)
		mine.api.Patch(t, leadsPath, fmt.Sprintf(`[{"id":%d,"name":"Stolen"}]`, lead)).WantViolations(v("0", "NotSupportedChoice", "id"))
		mine.api.Post(t, leadsPath, fmt.Sprintf(`[{"_embedded":{"contacts":[{"id":%d}],"companies":[{"id":%d}]}}]`, contact, company)).
			WantViolations(v("0", "NotSupportedChoice", "_embedded.contacts.0.id"), v("0", "NotSupportedChoice", "_embedded.companies.0.id"))
		mine.api.Post(t, leadPath(own)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact)).
			WantViolations(v("0", "NotSupportedChoice", "to_entity_id"))
		mine.api.Post(t, "/api/v4/leads/link", fmt.Sprintf(`[{"entity_id":%d,"to_entity_id":%d,"to_entity_type":"companies"}]`, lead, company)).
			WantViolations(v("0", "NotSupportedChoice", "entity_id"), v("0", "NotSupportedChoice", "to_entity_id"))
		nothing(mine.api.Get(t, fmt.Sprintf("/api/v4/leads/links?filter[entity_id]=%d", lead)))
		theirs.api.Get(t, leadPath(lead)).HAL(200).Equal("name", "Secret")
	})
}
