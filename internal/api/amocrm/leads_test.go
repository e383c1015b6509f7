package amocrm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

const (
	leadsPath       = "/api/v4/leads"
	lossReasonsPath = "/api/v4/leads/loss_reasons"
)

func leadPath(id int64) string { return leadsPath + "/" + itoa(id) }

// addLeads posts a batch of leads and returns their ids.
func addLeads(t testing.TB, api *crmtest.Client, body string) []int64 {
	t.Helper()
	return idsOf(api.Post(t, leadsPath, body).HAL(200).List("_embedded.leads"))
}

// mainPipeline returns the account's main lead pipeline id and its first
// open status after the unsorted one... the stage a lead added without a
// status starts in, and another open status.
func mainPipeline(t testing.TB, api *crmtest.Client) (pipelineID, first, second int64) {
	t.Helper()
	p := api.Get(t, pipelinesPath).HAL(200).List("_embedded.pipelines")[0]
	var open []int64
	for _, s := range p.List("_embedded.statuses") {
		if id := s.Int("id"); id != 142 && id != 143 {
			open = append(open, id)
		}
	}
	return p.Int("id"), open[0], open[1]
}

// addV4Contact posts one contact and returns its id.
func addV4Contact(t testing.TB, api *crmtest.Client, name string) int64 {
	t.Helper()
	return api.Post(t, "/api/v4/contacts", `[{"name":"`+name+`"}]`).HAL(200).List("_embedded.contacts")[0].Int("id")
}

// addV4Company posts one company and returns its id.
func addV4Company(t testing.TB, api *crmtest.Client, name string) int64 {
	t.Helper()
	return api.Post(t, "/api/v4/companies", `[{"name":"`+name+`"}]`).HAL(200).List("_embedded.companies")[0].Int("id")
}

// TestV4Leads replays §2.5's and §2.6's documented examples and reads the
// leads back by id and in the list.
func TestV4Leads(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Leads", "")
		api := acc.api
		nothing(api.Get(t, leadsPath))
		pipeline, first, second := mainPipeline(t, api)
		field := api.Post(t, "/api/v4/leads/custom_fields", `[{"name":"Note","type":"text"}]`).HAL(201).
			List("_embedded.custom_fields")[0].Int("id")
		// A tag to name by id, as the example does.
		tagged := addLeads(t, api, `[{"name":"Tagger","_embedded":{"tags":[{"name":"Known"}]}}]`)[0]
		tag := api.Get(t, leadPath(tagged)).HAL(200).Int("_embedded.tags.0.id")

		// §2.5's request example; the PHP client sends price as 20000.0.
		before := time.Now().Unix()
		reply := api.Post(t, leadsPath, fmt.Sprintf(`[{"name":"Deal 1","created_by":0,"price":20000.0,
			"custom_fields_values":[{"field_id":%d,"values":[{"value":"Our first client"}]}],
			"tags_to_add":[{"name":"First tag"},{"id":%d}]},
			{"name":"Deal 2","price":10000,"_embedded":{"tags":[{"id":%d}]}}]`, field, tag, tag)).HAL(200)
		reply.Keys("", "_links", "_embedded").Keys("_embedded.leads.0", "id", "request_id", "_links").
			Equal("_embedded.leads.*.request_id", []string{"0", "1"}).
			Equal("_links.self.href", env.URL+leadsPath)
		ids := idsOf(reply.List("_embedded.leads"))
		l := api.Get(t, leadPath(ids[0])).HAL(200).
			Keys("", "id", "name", "price", "responsible_user_id", "group_id", "status_id", "pipeline_id", "loss_reason_id",
				"source_id", "created_by", "updated_by", "created_at", "updated_at", "closed_at", "closest_task_at", "is_deleted",
				"custom_fields_values", "score", "account_id", "_links", "_embedded").
			Keys("_embedded", "tags", "companies").
			Equal("name", "Deal 1").Equal("price", 20000).Equal("created_by", 0).Equal("updated_by", acc.UserID).
			Equal("responsible_user_id", acc.UserID).Equal("pipeline_id", pipeline).Equal("status_id", first).
			Equal("closed_at", nil).Equal("loss_reason_id", nil).Equal("is_deleted", false).Equal("account_id", acc.AccountID).
			Equal("_embedded.tags.*.name", []string{"First tag", "Known"}).Equal("_embedded.companies", []any{}).
			Equal(valueOf(field)+".values.0.value", "Our first client").
			Equal("_links.self.href", env.URL+leadPath(ids[0]))
		if ts := l.Int("created_at"); ts < before-1 || ts > time.Now().Unix()+1 {
			t.Errorf("created_at %d", ts)
		}
		api.Get(t, leadPath(ids[1])).HAL(200).Equal("price", 10000).Equal("_embedded.tags.*.id", []int64{tag}).
			Equal("custom_fields_values", nil)

		// §2.6's request example: to lost with a reason and a close date,
		// swapping tags; the second lead gets a new price and stage and
		// loses every tag.
		reason := api.Get(t, lossReasonsPath).HAL(200).Int("_embedded.loss_reasons.0.id")
		api.Patch(t, leadsPath, fmt.Sprintf(`[{"id":%d,"pipeline_id":%d,"status_id":143,"closed_at":1589297221,"loss_reason_id":%d,"updated_by":0,
			"tags_to_add":[{"name":"Tag 2"}],"tags_to_delete":[{"name":"First tag"}]},
			{"id":%d,"price":50000,"pipeline_id":%d,"status_id":%d,"_embedded":{"tags":null}}]`, ids[0], pipeline, reason, ids[1], pipeline, second)).
			HAL(200).Keys("_embedded.leads.0", "id", "updated_at", "request_id", "_links").
			Equal("_embedded.leads.*.id", ids).Equal("_embedded.leads.*.request_id", []string{"0", "1"})
		api.Get(t, leadPath(ids[0])+"?with=loss_reason").HAL(200).Equal("status_id", 143).Equal("closed_at", 1589297221).
			Equal("loss_reason_id", reason).Equal("updated_by", 0).Equal("_embedded.tags.*.name", []string{"Known", "Tag 2"}).
			Equal("_embedded.loss_reason.*.id", []int64{reason}).
			Keys("_embedded.loss_reason.0", "id", "name", "sort", "created_at", "updated_at", "_links")
		api.Get(t, leadPath(ids[1])).HAL(200).Equal("price", 50000).Equal("status_id", second).Equal("_embedded.tags", []any{})

		// Back to an open status: no close date, no loss reason. The single
		// PATCH answers one object with request_id "0".
		api.Patch(t, leadPath(ids[0]), fmt.Sprintf(`{"status_id":%d}`, first)).HAL(200).
			Keys("", "id", "updated_at", "request_id", "_links").Equal("request_id", "0").Equal("id", ids[0])
		api.Get(t, leadPath(ids[0])).HAL(200).Equal("closed_at", nil).Equal("loss_reason_id", nil).Equal("status_id", first)
		// Won without a close date closes it now.
		api.Patch(t, leadPath(ids[0]), `{"status_id":142,"request_id":"w"}`).HAL(200).Equal("request_id", "w")
		if ts := api.Get(t, leadPath(ids[0])).HAL(200).Equal("status_id", 142).Int("closed_at"); ts < before-1 {
			t.Errorf("closed_at %d after winning", ts)
		}

		// The list: all leads by id, filters, order, query.
		all := append([]int64{tagged}, ids...)
		// §1.2's envelope: _page and _links, no total; next only while
		// more follow, first and prev after the first page.
		api.Get(t, leadsPath).HAL(200).Equal("_embedded.leads.*.id", all).Equal("_page", 1).Keys("", "_page", "_links", "_embedded").
			Keys("_links", "self")
		api.Get(t, leadsPath+"?limit=2&page=2").HAL(200).Keys("_links", "self", "first", "prev").Equal("_embedded.leads.*.id", ids[1:])
		api.Get(t, leadsPath+"?order[id]=desc").HAL(200).Equal("_embedded.leads.*.id", []int64{ids[1], ids[0], tagged})
		api.Get(t, leadsPath+"?limit=1&page=2").HAL(200).Equal("_embedded.leads.*.id", ids[:1]).
			Equal("_links.next.href", env.URL+leadsPath+"?page=3&limit=1")
		api.Get(t, fmt.Sprintf("%s?filter[statuses][0][pipeline_id]=%d&filter[statuses][0][status_id]=142", leadsPath, pipeline)).HAL(200).
			Equal("_embedded.leads.*.id", ids[:1])
		api.Get(t, fmt.Sprintf("%s?filter[statuses][0][pipeline_id]=%d&filter[statuses][0][status_id]=%d&filter[statuses][1][pipeline_id]=%d&filter[statuses][1][status_id]=142",
			leadsPath, pipeline, second, pipeline)).HAL(200).Equal("_embedded.leads.*.id", ids)
		api.Get(t, leadsPath+"?filter[price][from]=20000").HAL(200).Equal("_embedded.leads.*.id", ids)
		api.Get(t, leadsPath+"?filter[price][from]=20000&filter[price][to]=30000").HAL(200).Equal("_embedded.leads.*.id", ids[:1])
		api.Get(t, leadsPath+"?filter[name]=Deal%202").HAL(200).Equal("_embedded.leads.*.id", ids[1:])
		api.Get(t, fmt.Sprintf("%s?filter[id][]=%d&filter[id][]=%d", leadsPath, tagged, ids[1])).HAL(200).Equal("_embedded.leads.*.id", []int64{tagged, ids[1]})
		api.Get(t, fmt.Sprintf("%s?filter[responsible_user_id]=%d&filter[created_by]=0", leadsPath, acc.UserID)).HAL(200).Equal("_embedded.leads.*.id", ids[:1])
		api.Get(t, fmt.Sprintf("%s?filter[pipeline_id]=%d&filter[closed_at][from]=1", leadsPath, pipeline)).HAL(200).Equal("_embedded.leads.*.id", ids[:1])
		api.Get(t, leadsPath+"?query=first%20CLIENT").HAL(200).Equal("_embedded.leads.*.id", ids[:1])
		api.Get(t, leadsPath+"?query=deal").HAL(200).Equal("_embedded.leads.*.id", ids)
		nothing(api.Get(t, leadsPath+"?query=nothing-like-this"))
		nothing(api.Get(t, leadsPath+"?page=9"))

		// What crmd cannot serve is refused, not ignored.
		v := crmtest.Violated
		api.Get(t, leadsPath+"?with=catalog_elements").WantViolations(v("0", "NotSupportedChoice", "with"))
		api.Get(t, leadPath(ids[0])+"?with=only_deleted").WantViolations(v("0", "NotSupportedChoice", "with"))
		api.Get(t, leadsPath+"?filter[custom_fields_values][1]=x").Problem(400)
		api.Get(t, leadsPath+"?filter[statuses][0][pipeline_id]=1").Problem(400)
		api.Get(t, leadsPath+"?filter[colour]=red").Problem(400)
		api.Get(t, leadsPath+"?limit=251").Problem(400)
		nothing(api.Get(t, leadPath(99999999)))
		env.AmoCRM("").Get(t, leadsPath).Problem(401)
	})
}

// TestV4LeadsErrors checks that bad input gets amoCRM's validation errors
// naming the item and path, and writes nothing.
func TestV4LeadsErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Lead errors", "")
		api := acc.api
		v := crmtest.Violated
		id := addLeads(t, api, `[{"name":"Kept","price":5}]`)[0]
		api.Post(t, leadsPath, `[{"name":"ok"},{"request_id":"bad","status_id":99999999}]`).WantViolations(v("bad", "NotSupportedChoice", "status_id"))
		api.Post(t, leadsPath, `[{"pipeline_id":99999999}]`).WantViolations(v("0", "NotSupportedChoice", "pipeline_id"))
		api.Post(t, leadsPath, `[{"status_id":143,"loss_reason_id":99999999}]`).WantViolations(v("0", "NotSupportedChoice", "loss_reason_id"))
		api.Post(t, leadsPath, `[{"price":"many"}]`).WantViolations(v("0", "InvalidType", "price"))
		api.Post(t, leadsPath, `[{"price":10.5}]`).WantViolations(v("0", "InvalidType", "price"))
		api.Post(t, leadsPath, `[{"price":-1}]`).WantViolations(v("0", "OutOfRange", "price"))
		api.Post(t, leadsPath, `[{"responsible_user_id":99999999}]`).WantViolations(v("0", "NotSupportedChoice", "responsible_user_id"))
		api.Post(t, leadsPath, `[{"_embedded":{"contacts":[{"id":99999999}]}}]`).WantViolations(v("0", "NotSupportedChoice", "_embedded.contacts.0.id"))
		api.Post(t, leadsPath, `[{"_embedded":{"companies":[{"id":99999999}]}}]`).WantViolations(v("0", "NotSupportedChoice", "_embedded.companies.0.id"))
		api.Post(t, leadsPath, `[{"custom_fields_values":[{"field_id":99999999,"values":[{"value":"x"}]}]}]`).
			WantViolations(v("0", "NotSupportedChoice", "custom_fields_values.0.field_id"))
		api.Post(t, leadsPath, `[{"_embedded":{"tags":[{"id":99999999}]}}]`).WantViolations(v("0", "NotSupportedChoice", "_embedded.tags.0.id"))
		api.Post(t, leadsPath, `[]`).WantViolations(v("0", "FieldMissing", ""))
		api.Post(t, leadsPath, `{"name":"not an array"}`).Problem(400)
		many := "["
		for i := 0; i < 251; i++ {
			if i > 0 {
				many += ","
			}
			many += `{}`
		}
		api.Post(t, leadsPath, many+"]").Problem(400)
		api.Patch(t, leadsPath, `[{"name":"no id"}]`).WantViolations(v("0", "FieldMissing", "id"))
		api.Patch(t, leadsPath, fmt.Sprintf(`[{"id":%d,"name":"changed"},{"id":99999999,"request_id":"gone"}]`, id)).
			WantViolations(v("gone", "NotSupportedChoice", "id"))
		api.Patch(t, leadPath(99999999), `{"name":"x"}`).Problem(404)
		api.Patch(t, leadPath(id), `{"status_id":"won"}`).WantViolations(v("0", "InvalidType", "status_id"))
		// Nothing of the refused batches was written.
		api.Get(t, leadsPath).HAL(200).Equal("_embedded.leads.*.id", []int64{id})
		api.Get(t, leadPath(id)).HAL(200).Equal("name", "Kept").Equal("price", 5)
		// An empty object makes a lead with the defaults.
		empty := addLeads(t, api, `[{}]`)[0]
		api.Get(t, leadPath(empty)).HAL(200).Equal("name", "").Equal("price", 0).Equal("created_by", acc.UserID)
	})
}

// TestV4LeadContacts links contacts and a company on POST: the main
// contact is the deal's client, the others follow in order.
func TestV4LeadContacts(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Lead contacts", "")
		api := acc.api
		ann, bob := addV4Contact(t, api, "Ann"), addV4Contact(t, api, "Bob")
		co := addV4Company(t, api, "Horns")
		id := addLeads(t, api, fmt.Sprintf(`[{"name":"L","_embedded":{"contacts":[{"id":%d},{"id":%d,"is_main":true}],"companies":[{"id":%d}]}}]`, ann, bob, co))[0]
		api.Get(t, leadPath(id)+"?with=contacts").HAL(200).
			Equal("_embedded.contacts.*.id", []int64{bob, ann}).Equal("_embedded.contacts.*.is_main", []bool{true, false}).
			Equal("_embedded.contacts.0._links.self.href", env.URL+"/api/v4/contacts/"+itoa(bob)).
			Equal("_embedded.companies.*.id", []int64{co})
		// Without with=contacts there is no contacts key.
		api.Get(t, leadPath(id)).HAL(200).Keys("_embedded", "tags", "companies")
		api.Get(t, leadsPath+"?with=contacts").HAL(200).Equal("_embedded.leads.0._embedded.contacts.*.id", []int64{bob, ann})
		// A lead without contacts has none, and no contact was made for it.
		bare := addLeads(t, api, `[{"name":"Alone"}]`)[0]
		api.Get(t, leadPath(bare)+"?with=contacts").HAL(200).Equal("_embedded.contacts", []any{})
		api.Get(t, "/api/v4/contacts").HAL(200).Equal("_total_items", 2)
		api.Patch(t, leadsPath, fmt.Sprintf(`[{"id":%d,"_embedded":{"contacts":[{"id":%d}]}}]`, bare, ann)).HAL(200)
		api.Get(t, leadPath(bare)+"?with=contacts").HAL(200).Equal("_embedded.contacts", []any{})
		api.Post(t, leadsPath, `[{"_embedded":{"companies":[{"id":1},{"id":2}]}}]`).Problem(400)
	})
}

// TestV4LossReasons reads the loss reasons every account starts with and
// one added through the domain (amoCRM documents no API that writes them).
func TestV4LossReasons(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Loss", "")
		names := make([]string, len(crm.DefaultLossReasons))
		for i, r := range crm.DefaultLossReasons {
			names[i] = r.Name
		}
		list := acc.api.Get(t, lossReasonsPath).HAL(200).Equal("_embedded.loss_reasons.*.name", names).
			Equal("_total_items", len(names)).Keys("_embedded.loss_reasons.0", "id", "name", "sort", "created_at", "updated_at", "_links")
		first := list.Int("_embedded.loss_reasons.0.id")
		acc.api.Get(t, lossReasonsPath+"/"+itoa(first)).HAL(200).Equal("name", names[0]).Equal("sort", 100000).
			Equal("_links.self.href", env.URL+lossReasonsPath+"/"+itoa(first))
		r, err := env.Server.Service.AddLossReason(t.Context(), acc.actor(), " Too late ", 50)
		if err != nil {
			t.Fatal(err)
		}
		acc.api.Get(t, lossReasonsPath).HAL(200).Equal("_embedded.loss_reasons.0.name", "Too late")
		acc.api.Get(t, lossReasonsPath+"/"+itoa(r.ID)).HAL(200).Equal("sort", 50)
		if _, err := env.Server.Service.AddLossReason(t.Context(), acc.actor(), " ", 1); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("a blank loss reason: %v", err)
		}
		nothing(acc.api.Get(t, lossReasonsPath+"/99999999"))
		// Another account's reasons are not this one's.
		other := newAccount(t, env, "Other", "")
		nothing(other.api.Get(t, lossReasonsPath+"/"+itoa(r.ID)))
	})
}

// TestV4LeadCustomFields serves the lead custom fields (companion §4) over
// the deal fields Envybox shows as deal inputs, with the generic handlers.
func TestV4LeadCustomFields(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Lead fields", "")
		api := acc.api
		const path = "/api/v4/leads/custom_fields"
		id := api.Post(t, path, `[{"name":"Budget note","type":"text","request_id":"f"}]`).HAL(201).
			Equal("_embedded.custom_fields.0.entity_type", "leads").Equal("_embedded.custom_fields.0.request_id", "f").
			Int("_embedded.custom_fields.0.id")
		api.Get(t, path+"/"+itoa(id)).HAL(200).Equal("name", "Budget note").Equal("entity_type", "leads")
		api.Patch(t, path+"/"+itoa(id), `{"name":"Note"}`).HAL(201) // as every custom field PATCH answers (customfields.go)
		api.Get(t, path).HAL(200).Equal("_embedded.custom_fields.*.id", []int64{id})
		// The same field is not a customer's or a contact's.
		api.Get(t, "/api/v4/customers/custom_fields/"+itoa(id)).HAL(204)
		lead := addLeads(t, api, fmt.Sprintf(`[{"custom_fields_values":[{"field_id":%d,"values":[{"value":"v"}]}]}]`, id))[0]
		api.Get(t, leadPath(lead)).HAL(200).Equal(valueOf(id)+".field_name", "Note")
		// Envybox lists it among the deal inputs.
		found := false
		main := env.Envybox(acc.EnvyboxAPIKey).Get(t, "/openapi/v1/main/data/").Expect(200)
		for _, f := range main.List("result.deal.custom_fields") {
			found = found || f.Str("id") == itoa(id)
		}
		if !found {
			t.Errorf("Envybox main/data does not list lead field %d", id)
		}
		api.Delete(t, path+"/"+itoa(id)).Expect(204)
		nothing(api.Get(t, path))
		api.Get(t, leadPath(lead)).HAL(200).Equal("custom_fields_values", nil)
	})
}
