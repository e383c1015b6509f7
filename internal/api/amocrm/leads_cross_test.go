package amocrm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
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
		if n := len(api.Get(t, leadsPath).HAL(200).List("_embedded.leads")); n != 2 {
			t.Errorf("%d leads after the refused requests, want 2", n)
		}
		api.Get(t, "/api/v4/contacts").HAL(200).Equal("_total_items", 2)
	})
}

// dealStages returns the account's main deal pipeline's stages by status.
func dealStages(t *testing.T, env *crmtest.Env, a account) map[crm.StageStatus]crm.Stage {
	t.Helper()
	out := map[crm.StageStatus]crm.Stage{}
	err := env.Server.DB.View(context.Background(), a.AccountID, func(tx crm.Tx) error {
		list, err := tx.Pipelines(context.Background(), crm.PipelineDeal)
		for _, st := range list[0].Stages {
			if _, ok := out[st.Status]; !ok {
				out[st.Status] = st
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// uisCall calls a UIS Data API method of the account and returns the
// JSON-RPC reply.
func uisCall(t *testing.T, env *crmtest.Env, a account, method string, params map[string]any) crmtest.JSON {
	t.Helper()
	params["access_token"] = a.UISAccessToken
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		t.Fatal(err)
	}
	resp := env.Do(t, "POST", "/v2.0", "", string(body))
	if resp.Status != 200 {
		t.Fatalf("UIS %s: HTTP %d %s", method, resp.Status, resp.Body)
	}
	return crmtest.Value(t, resp.JSON(t))
}

// TestV4LeadsCrossDialect: a lead made through amoCRM is read and edited
// through Envybox's deal methods and holds its UIS funnel; an Envybox deal
// is read and patched as an amoCRM lead. One record, three views.
func TestV4LeadsCrossDialect(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Cross", "")
		api := acc.api
		stages := dealStages(t, env, acc)
		field := api.Post(t, "/api/v4/leads/custom_fields", `[{"name":"Source","type":"text"}]`).HAL(201).
			Int("_embedded.custom_fields.0.id")
		contact := addV4Contact(t, api, "Ivan")

		// amoCRM → Envybox.
		lead := addLeads(t, api, fmt.Sprintf(`[{"name":"From amo","price":1500,"_embedded":{"contacts":[{"id":%d}]},
			"custom_fields_values":[{"field_id":%d,"values":[{"value":"site"}]}]}]`, contact, field))[0]
		got := envyboxCall(t, env, acc, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, lead))
		got.Equal("result.name", "From amo").Equal("result.client_id", itoa(contact)).
			Equal("result.stage_id", itoa(stages[crm.StageNew].ID)).Equal("result.status_id", "2001")
		envyboxCall(t, env, acc, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"fields":[
			{"input_id":%d,"value":"fair","value_type_id":2},{"input_id":%d,"value":"Renamed in Envybox","value_type_id":1}]}`,
			lead, contact, field, crm.FieldDealName))
		envyboxCall(t, env, acc, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"stage_id":%d}`,
			lead, contact, stages[crm.StageWon].ID))
		won := api.Get(t, leadPath(lead)+"?with=contacts").HAL(200).Equal("status_id", 142).Equal("price", 1500).
			Equal("name", "Renamed in Envybox").Equal(valueOf(field)+".values.0.value", "fair").
			Equal("_embedded.contacts.*.id", []int64{contact})
		if won.Int("closed_at") == 0 {
			t.Errorf("a lead won through Envybox has no closed_at")
		}
		// Envybox's deal list shows it with its client's name.
		envyboxCall(t, env, acc, "deal/list/", `{}`).Equal("result.*.client_name", []string{"Ivan"})
		// UIS: the lead's funnel holds a deal and cannot be deleted (with
		// a second funnel, so that it is not refused as the last one).
		api.Post(t, pipelinesPath, `[{"name":"Second","sort":20,"is_main":false,"is_unsorted_on":false,"_embedded":{"statuses":[{"name":"Open","sort":10}]}}]`).HAL(200)
		key := itoa(won.Int("pipeline_id"))
		reply := uisCall(t, env, acc, "delete.sales_funnel", map[string]any{"ext_id": key})
		reply.Equal("error.data.mnemonic", "dependency_error")
		funnel := uisCall(t, env, acc, "get.sales_funnel", map[string]any{})
		funnel.Equal("result.data.0.ext_id", key)

		// A lead without contacts: Envybox shows no client.
		bare := addLeads(t, api, `[{"name":"No contact"}]`)[0]
		envyboxCall(t, env, acc, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, bare)).Equal("result.client_id", nil)
		envyboxCall(t, env, acc, "deal/list/", `{}`).Equal("result.*.client_name", []any{nil, "Ivan"})
		// The filtered deal list (deal search rows) too.
		envyboxCall(t, env, acc, "deal/list/", `{"filter": {"inputs": {}}}`).Equal("result.*.client_id", []any{nil, contact}).
			Equal("result.0.phone", "") // as for a client without phones

		// Envybox → amoCRM.
		client := envyboxClient(t, env, acc, `{"name": "Пётр", "phones": ["+7 900 111-22-33"]}`)
		deal := envyboxCall(t, env, acc, "deal/create/", fmt.Sprintf(`{"client_id": %d, "name": "From Envybox"}`, client)).Int("result.deal.id")
		api.Get(t, leadPath(deal)+"?with=contacts").HAL(200).Equal("name", "From Envybox").Equal("price", 0).Equal("created_by", acc.UserID).
			Equal("status_id", stages[crm.StageNew].ID).Equal("_embedded.contacts.*.id", []int64{client}).
			Equal("_embedded.contacts.*.is_main", []bool{true}).Equal("closed_at", nil)
		reason := api.Get(t, lossReasonsPath).HAL(200).Int("_embedded.loss_reasons.0.id")
		api.Patch(t, leadPath(deal), fmt.Sprintf(`{"name":"Patched by amo","price":900,"status_id":143,"loss_reason_id":%d}`, reason)).HAL(200)
		envyboxCall(t, env, acc, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, deal)).Equal("result.name", "Patched by amo").
			Equal("result.stage_id", itoa(stages[crm.StageLost].ID)).Equal("result.status_id", "2004").Equal("result.client_id", itoa(client))
		// The history: created (Envybox), then amoCRM's stage move and
		// field changes, each in the one history.
		want := []int{crm.LogDealCreated, crm.LogDealStage, crm.LogDealUpdated}
		if got := historyTypes(t, env, acc, crm.EntityDeal, deal); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("history %v, want %v", got, want)
		}
		// Envybox's stage rule holds through amoCRM: a pipeline that does
		// not allow changing stages by hand refuses the move (403).
		err := env.Server.DB.Update(context.Background(), acc.AccountID, func(tx crm.Tx) error {
			p, err := tx.Pipeline(context.Background(), stages[crm.StageNew].PipelineID)
			if err != nil {
				return err
			}
			p.AllowManualStageChange = false
			return tx.UpdatePipeline(context.Background(), &p)
		})
		if err != nil {
			t.Fatal(err)
		}
		api.Patch(t, leadPath(deal), fmt.Sprintf(`{"status_id":%d}`, stages[crm.StageInWork].ID)).Problem(403)
		api.Patch(t, leadPath(deal), `{"price":1000}`).HAL(200)
	})
}
