package amocrm_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestV4LeadsComplex replays §2.7's example (its sorted item): a lead with
// a new contact (PHONE and EMAIL values) and a new company, linked to each
// other; an existing contact by id; and the refusals.
func TestV4LeadsComplex(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Complex", "")
		api := acc.api
		pipeline, first, _ := mainPipeline(t, api)
		known := addV4Contact(t, api, "Known")
		reply := api.Post(t, "/api/v4/leads/complex", fmt.Sprintf(`[{"name":"Deal","price":3422,"created_at":1608905348,"responsible_user_id":%d,
			"status_id":%d,"pipeline_id":%d,"request_id":"qweasd",
			"_embedded":{"contacts":[{"first_name":"Ekaterina","created_at":1608905348,"responsible_user_id":%d,"updated_by":0,
				"custom_fields_values":[{"field_code":"EMAIL","values":[{"enum_code":"WORK","value":"example@example.com"}]},
				                        {"field_code":"PHONE","values":[{"enum_code":"WORK","value":"+79123456789"}]}]}],
			"companies":[{"name":"Horns & Hooves LLC"}]}},
			{"name":"Second","_embedded":{"contacts":[{"id":%d}]}}]`, acc.UserID, first, pipeline, acc.UserID, known)).Expect(200)
		reply.Keys("0", "id", "contact_id", "company_id", "request_id", "merged").
			Equal("*.request_id", [][]string{{"qweasd"}, {"1"}}).Equal("*.merged", []bool{false, false}).
			Equal("1.contact_id", known).Equal("1.company_id", nil)
		lead, contact, company := reply.Int("0.id"), reply.Int("0.contact_id"), reply.Int("0.company_id")
		api.Get(t, leadPath(lead)+"?with=contacts").HAL(200).Equal("name", "Deal").Equal("price", 3422).Equal("created_at", 1608905348).
			Equal("status_id", first).Equal("_embedded.contacts.*.id", []int64{contact}).Equal("_embedded.companies.*.id", []int64{company})
		api.Get(t, "/api/v4/contacts/"+itoa(contact)).HAL(200).Equal("name", "Ekaterina")
		api.Get(t, "/api/v4/companies/"+itoa(company)).HAL(200).Equal("name", "Horns & Hooves LLC")
		api.Get(t, leadPath(reply.Int("1.id"))+"?with=contacts").HAL(200).Equal("_embedded.contacts.*.id", []int64{known})
		// Envybox finds the new contact by its phone as a client whose deal
		// is the lead, and sees the new company as the client's.
		found := envyboxCall(t, env, acc, "deal/search/", `{"phone": "+7 912 345-67-89"}`)
		found.Equal("clients.*.id", []string{itoa(contact)}).Equal("clients.0.deals_for_event.*.id", []string{itoa(lead)})
		env.Envybox(acc.EnvyboxAPIKey).Get(t, "/openapi/v1/client/"+itoa(contact)+"/getCompanies/").Expect(200).
			Equal("result.companies.*.id", []int64{company})

		v := crmtest.Violated
		api.Post(t, "/api/v4/leads/complex", fmt.Sprintf(`[{"request_id":"qweasd","_embedded":{"contacts":[{"first_name":"E","responsible_user_id":99999999}]}}]`)).
			WantViolations(v("qweasd", "NotSupportedChoice", "_embedded.contacts.0.responsible_user_id"))
		api.Post(t, "/api/v4/leads/complex", `[{"_embedded":{"contacts":[{"id":99999999}]}}]`).
			WantViolations(v("0", "NotSupportedChoice", "_embedded.contacts.0.id"))
		api.Post(t, "/api/v4/leads/complex", `[{"_embedded":{"companies":[{"name":" "}]}}]`).
			WantViolations(v("0", "NotBlank", "_embedded.companies.0.name"))
		api.Post(t, "/api/v4/leads/complex", `[{"_embedded":{"metadata":{"category":"forms"}}}]`).
			WantViolations(v("0", "FieldNotExpected", "_embedded.metadata"))
		api.Post(t, "/api/v4/leads/complex", `[{"_embedded":{"contacts":[{"name":"a"},{"name":"b"}]}}]`).
			WantViolations(v("0", "InvalidValue", "_embedded.contacts"))
		many := "["
		for i := 0; i < 51; i++ {
			if i > 0 {
				many += ","
			}
			many += `{}`
		}
		api.Post(t, "/api/v4/leads/complex", many+"]").Problem(400)
		// Nothing of the refused requests was written.
		api.Get(t, leadsPath).HAL(200).Equal("_total_items", 2)
		api.Get(t, "/api/v4/contacts").HAL(200).Equal("_total_items", 2)
	})
}
