package amocrm_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestReadByIDMatchesList: a lead and a customer read by id (one statement,
// outside a transaction: crm.Store.ViewOne) are the same JSON, value for
// value, as the item the list gives for the same id (both render through
// the same struct, so equal values are equal bytes) (the plain reads, one statement per part), for
// rich records — custom fields of several types and values, tags, the main
// and other contacts, a company, a loss reason, segments — with every with=
// the item takes, on both databases.
func TestReadByIDMatchesList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "By id", "segments")
		api := a.api
		pipeline, _, _ := mainPipeline(t, api)
		fields := idsOf(api.Post(t, "/api/v4/leads/custom_fields", `[{"name":"Note","type":"text"},
			{"name":"Size","type":"numeric","code":"SIZE"},{"name":"Many","type":"multiselect","enums":[{"value":"A"},{"value":"B"},{"value":"C"}]}]`).
			HAL(201).List("_embedded.custom_fields"))
		enums := idsOf(api.Get(t, "/api/v4/leads/custom_fields/"+itoa(fields[2])).HAL(200).List("enums"))
		contacts := idsOf(api.Post(t, "/api/v4/contacts", `[{"name":"Главный"},{"name":"Второй"},{"name":"Третий"}]`).HAL(200).
			List("_embedded.contacts"))
		company := addV4Company(t, api, "ООО Ромашка")
		reason := api.Get(t, lossReasonsPath).HAL(200).Int("_embedded.loss_reasons.1.id")
		leads := addLeads(t, api, fmt.Sprintf(`[{"name":"Богатая \"сделка\" <1>","price":150000,
			"custom_fields_values":[{"field_id":%d,"values":[{"value":"строка & текст"}]},{"field_id":%d,"values":[{"value":"42"}]},
				{"field_id":%d,"values":[{"enum_id":%d},{"enum_id":%d}]}],
			"_embedded":{"tags":[{"name":"VIP"},{"name":"Второй тег"}],"contacts":[{"id":%d,"is_main":true},{"id":%d},{"id":%d}],
				"companies":[{"id":%d}]}},
			{"name":"Пустая"}]`, fields[0], fields[1], fields[2], enums[2], enums[0], contacts[0], contacts[2], contacts[1], company))
		api.Patch(t, leadsPath, fmt.Sprintf(`[{"id":%d,"pipeline_id":%d,"status_id":143,"loss_reason_id":%d}]`, leads[0], pipeline, reason)).HAL(200)
		for _, id := range leads {
			for _, with := range []string{"", "contacts", "loss_reason", "contacts,loss_reason,is_price_modified_by_robot"} {
				one := api.Get(t, leadPath(id)+"?with="+with).HAL(200).Body
				list := api.Get(t, fmt.Sprintf("%s?filter[id]=%d&with=%s", leadsPath, id, with)).HAL(200).
					At("_embedded.leads.0")
				sameItem(t, fmt.Sprintf("lead %d with=%s", id, with), one, list)
			}
		}

		segment := api.Post(t, segmentsPath, `{"name":"Сегмент"}`).HAL(200).Int("id")
		cfield := api.Post(t, "/api/v4/customers/custom_fields", `[{"name":"Комментарий","type":"textarea"}]`).HAL(201).
			Int("_embedded.custom_fields.0.id")
		customer := addCustomer(t, api, fmt.Sprintf(`{"name":"Покупатель","next_price":500,
			"custom_fields_values":[{"field_id":%d,"values":[{"value":"две\nстроки"}]}],
			"_embedded":{"tags":[{"name":"Постоянный"}],"segments":[{"id":%d}]}}`, cfield, segment))
		api.Post(t, customerPath(customer)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"to_entity_id":%d,"to_entity_type":"companies"}]`, contacts[1], contacts[0], company)).HAL(200)
		bare := addCustomer(t, api, `{"name":"Без всего"}`)
		for _, id := range []int64{customer, bare} {
			for _, with := range []string{"", "contacts", "companies", "contacts,companies"} {
				one := api.Get(t, customerPath(id)+"?with="+with).HAL(200).Body
				list := api.Get(t, fmt.Sprintf("%s?filter[id]=%d&with=%s", customersPath, id, with)).HAL(200).
					At("_embedded.customers.0")
				sameItem(t, fmt.Sprintf("customer %d with=%s", id, with), one, list)
			}
		}
		// Customers off: the same refusal as before, for a customer that
		// exists and for one that does not.
		setMode(t, api, "segments", false)
		api.Get(t, customerPath(customer)).Expect(422)
		api.Get(t, customerPath(99999999)).Expect(422)
	})
}

// sameItem compares a read by id's body with the list's item, both decoded
// and encoded again the same way.
func sameItem(t *testing.T, what string, one []byte, item any) {
	t.Helper()
	var decoded any
	if err := json.Unmarshal(one, &decoded); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	enc := func(v any) []byte {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if got, want := enc(decoded), enc(item); !bytes.Equal(got, want) {
		t.Errorf("%s: by id\n%s\nlist item\n%s", what, got, want)
	}
}
