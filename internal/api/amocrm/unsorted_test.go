package amocrm_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of amoCRM's unsorted over inbound requests (Envybox leads): the
// documented examples, the cross-dialect views and every error path.

const unsortedAPI = "/api/v4/leads/unsorted"

// uidPath is the item path of an inbound request id.
func uidPath(id int64) string { return unsortedAPI + "/" + crm.UnsortedUID(id) }

// mainPipelineStatuses is the id of the account's main lead pipeline and its
// statuses by name.
func mainPipelineStatuses(t *testing.T, a account) (int64, map[string]int64) {
	t.Helper()
	r := a.api.Get(t, pipelinesPath).HAL(200)
	for _, p := range r.List("_embedded.pipelines") {
		if p.Get("is_main") != true {
			continue
		}
		statuses := map[string]int64{}
		for _, s := range p.List("_embedded.statuses") {
			statuses[s.Str("name")] = s.Int("id")
		}
		return p.Int("id"), statuses
	}
	t.Fatal("no main pipeline")
	return 0, nil
}

// formExample is the documented forms example (core reference §9.7) in
// pipeline pid, with the contact's phone and the form's id as given.
func formExample(pid int64, requestID, phone string) string {
	return fmt.Sprintf(`[{"request_id":%q,"source_name":"Space Ltd","source_uid":"a1fee7c0fc436088e64ba2e8822ba2b3","pipeline_id":%d,"created_at":1590830520,
  "_embedded":{"leads":[{"name":"Maintenance","visitor_uid":"5692210d-58d0-468c-acb2-dce7f93eef87","price":5000,
                         "custom_fields_values":[{"field_id":284785,"values":[{"value":"Extra field"}]}],
                         "_embedded":{"tags":[{"name":"Example tag"}]}}],
               "contacts":[{"name":"234","first_name":"123213","last_name":"234",
                            "custom_fields_values":[{"field_code":"PHONE","values":[{"value":%q}]}]}],
               "companies":[{"name":"Space Ltd"}]},
  "metadata":{"ip":"123.222.2.22","form_id":"a1fee7c0fc436088e64ba2e8822ba2b3ewrw","form_sent_at":1590830520,
              "form_name":"Request form","form_page":"https://example.com/?utm_source=google&utm_campaign=spring","referer":"https://www.google.com/search?q=x"}}]`,
		requestID, pid, phone)
}

// addForm posts one form item and returns its request (Envybox lead) id.
func addForm(t *testing.T, a account, pid int64, phone string) int64 {
	t.Helper()
	uid := a.api.Post(t, unsortedAPI+"/forms", formExample(pid, "0", phone)).HAL(200).Str("_embedded.unsorted.0.uid")
	id, ok := crm.ParseUnsortedUID(uid)
	if !ok {
		t.Fatalf("uid %q is not crmd's", uid)
	}
	return id
}

// envyboxLead records a lead through Envybox lead/set and returns its id.
func envyboxLead(t *testing.T, env *crmtest.Env, a account, values string) int64 {
	t.Helper()
	return envyboxCall(t, env, a, "lead/set/", `{"method":"create","values":`+values+`}`).Int("id")
}

// envyboxLeadGet reads a lead through Envybox lead/get.
func envyboxLeadGet(t *testing.T, env *crmtest.Env, a account, id int64) *crmtest.Reply {
	t.Helper()
	return envyboxCall(t, env, a, "lead/get/", fmt.Sprintf(`{"lead_id":%d}`, id))
}

var hexUID = regexp.MustCompile(`^[0-9a-f]{40}$`)

// TestUnsortedFormsExample replays the documented forms example: the
// answer of §9.4, the item of §9.2 read back, and the request Envybox sees.
func TestUnsortedFormsExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Unsorted", "")
		pid, _ := mainPipelineStatuses(t, a)
		nothing(a.api.Get(t, unsortedAPI))

		r := a.api.Post(t, unsortedAPI+"/forms", formExample(pid, "123", "+7912321323")).HAL(200).
			Keys("", "_total_items", "_embedded").Equal("_total_items", 1).
			Keys("_embedded.unsorted.0", "uid", "account_id", "request_id", "_links", "_embedded").
			Equal("_embedded.unsorted.0.request_id", "123").Equal("_embedded.unsorted.0.account_id", a.AccountID).
			EqualJSON("_embedded.unsorted.0._embedded", `{"leads":[],"contacts":[],"companies":[]}`)
		uid := r.Str("_embedded.unsorted.0.uid")
		if !hexUID.MatchString(uid) {
			t.Fatalf("uid %q: want 40 hex digits", uid)
		}
		id, _ := crm.ParseUnsortedUID(uid)
		r.Equal("_embedded.unsorted.0._links.self.href", env.URL+unsortedAPI+"/"+uid)
		masks := []crmtest.Mask{crmtest.MaskText(uid, "UID"), crmtest.MaskPath("**.account_id", "account"),
			crmtest.MaskPath("pipeline_id", "pipeline")}
		r.Golden("unsorted_add_example", masks...)

		item := a.api.Get(t, unsortedAPI+"/"+uid).HAL(200).
			Keys("", "uid", "source_uid", "source_name", "category", "pipeline_id", "created_at", "metadata", "account_id", "_links", "_embedded").
			Equal("uid", uid).Equal("source_uid", "a1fee7c0fc436088e64ba2e8822ba2b3").Equal("source_name", "Space Ltd").
			Equal("category", "forms").Equal("pipeline_id", pid).Equal("created_at", 1590830520).Equal("account_id", a.AccountID).
			Equal("_links.self.href", env.URL+unsortedAPI+"/"+uid).
			EqualJSON("_embedded", `{"leads":[],"contacts":[],"companies":[]}`).Golden("unsorted_form_example", masks...)
		// The metadata keeps the documented keys with their types; the
		// lead's visitor_uid fills the form's.
		item.EqualJSON("metadata", `{"ip":"123.222.2.22","form_id":"a1fee7c0fc436088e64ba2e8822ba2b3ewrw","form_sent_at":1590830520,
			"form_name":"Request form","form_page":"https://example.com/?utm_source=google&utm_campaign=spring",
			"referer":"https://www.google.com/search?q=x","visitor_uid":"5692210d-58d0-468c-acb2-dce7f93eef87"}`)
		a.api.Get(t, unsortedAPI).HAL(200).Equal("_embedded.unsorted.*.uid", []string{uid}).Equal("_total_items", 1)

		// Envybox sees the request: the contact's name and phone, the
		// form's name as the comment, the page's UTM marks, the tag, open.
		envyboxLeadGet(t, env, a, id).Equal("result.name", "234").Equal("result.phone", "7912321323").
			Equal("result.status", "2").Equal("result.deals", []string{}).
			Equal("result.values.service.comment.value", "Request form").
			Equal("result.values.service.utm_source.value", "google").Equal("result.values.service.utm_campaign.value", "spring")
		envyboxCall(t, env, a, "lead/list/", `{}`).Equal("leads.count", "1").Equal("leads.result.0.id", fmt.Sprint(id))
	})
}

// TestUnsortedSIPExample replays the documented call: the metadata's type
// drift (a numeric phone, a string duration) is read, and emitted with the
// declared types.
func TestUnsortedSIPExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Calls", "")
		r := a.api.Post(t, unsortedAPI+"/sip", `[{"source_name":"UIS","source_uid":"uis-1","created_at":1583156937,
			"metadata":{"from":"7999999999","phone":7999999999,"called_at":1583156916,"duration":"0","link":"https://rec/1.mp3",
			"service_code":"uis_widget","uniq":"call-1","is_call_event_needed":true,"call_responsible":null}}]`).HAL(200)
		id, _ := crm.ParseUnsortedUID(r.Str("_embedded.unsorted.0.uid"))
		a.api.Get(t, uidPath(id)).HAL(200).Equal("category", "sip").Equal("source_name", "UIS").Equal("created_at", 1583156937).
			EqualJSON("metadata", `{"from":"7999999999","phone":"7999999999","called_at":1583156916,"duration":0,
				"link":"https://rec/1.mp3","service_code":"uis_widget","uniq":"call-1","call_responsible":null}`)
		// The caller's phone is the request's phone.
		envyboxLeadGet(t, env, a, id).Equal("result.phone", "7999999999")
		a.api.Get(t, unsortedAPI+"?filter[category][]=sip").HAL(200).Equal("_embedded.unsorted.*.category", []string{"sip"})
		nothing(a.api.Get(t, unsortedAPI+"?filter[category][]=forms"))

		// A call is recorded once per source: a resent call is refused,
		// even once accepted, and so is a batch holding one call twice; the
		// same uniq from another source is another call.
		call := func(source, uniq, rid string) string {
			return fmt.Sprintf(`{"request_id":%q,"source_name":"UIS","source_uid":%q,"metadata":{"phone":"79990000001","called_at":1,
				"duration":5,"service_code":"uis","uniq":%q}}`, rid, source, uniq)
		}
		v := crmtest.Violated
		a.api.Post(t, unsortedAPI+"/sip", "["+call("uis-1", "call-1", "again")+"]").WantViolations(v("again", "InvalidValue", "metadata.uniq"))
		a.api.Post(t, unsortedAPI+"/sip", "["+call("uis-1", "call-2", "a")+","+call("uis-1", "call-2", "b")+"]").
			WantViolations(v("b", "InvalidValue", "metadata.uniq"))
		a.api.Post(t, uidPath(id)+"/accept", "").HAL(200)
		a.api.Post(t, unsortedAPI+"/sip", "["+call("uis-1", "call-1", "0")+"]").WantViolations(v("0", "InvalidValue", "metadata.uniq"))
		other := a.api.Post(t, unsortedAPI+"/sip", "["+call("uis-2", "call-1", "0")+"]").HAL(200).Str("_embedded.unsorted.0.uid")
		a.api.Get(t, unsortedAPI).HAL(200).Equal("_embedded.unsorted.*.uid", []string{other})
	})
}

// TestUnsortedFromEnvybox: leads made through Envybox lead/set and the
// website widget are unsorted forms named after their inbox type; taking
// one to work through Envybox (lead/start) removes it from unsorted.
func TestUnsortedFromEnvybox(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Both", "")
		pid, _ := mainPipelineStatuses(t, a)
		apiLead := envyboxLead(t, env, a, `{"name":"Ivan","phone":"+7 (999) 111-22-33"}`)
		resp := env.Do(t, http.MethodPost, fmt.Sprintf("/widget/v1/%d/lead", a.AccountID), "", `{"name":"Olga","email":"olga@example.com"}`)
		if resp.Status != http.StatusOK {
			t.Fatalf("widget: HTTP %d: %s", resp.Status, resp.Body)
		}
		list := a.api.Get(t, unsortedAPI).HAL(200).Equal("_total_items", 2)
		items := list.List("_embedded.unsorted")
		if items[0].Str("uid") != crm.UnsortedUID(apiLead) {
			t.Fatalf("first item %s, want lead %d", items[0].Str("uid"), apiLead)
		}
		widgetID, _ := crm.ParseUnsortedUID(items[1].Str("uid"))
		for _, it := range items {
			it.Equal("category", "forms").Equal("source_name", "Добавлен вручную").Equal("source_uid", nil).
				Equal("pipeline_id", pid).Equal("metadata.form_name", "Добавлен вручную").Equal("metadata.form_sent_at", it.Int("created_at"))
		}
		// lead/start takes the API lead to work: it leaves unsorted, and
		// amoCRM can no longer accept or decline it.
		envyboxCall(t, env, a, "lead/start/", fmt.Sprintf(`{"lead_id":%d,"user_id":%d}`, apiLead, a.UserID))
		nothing(a.api.Get(t, uidPath(apiLead)))
		a.api.Get(t, unsortedAPI).HAL(200).Equal("_embedded.unsorted.*.uid", []string{crm.UnsortedUID(widgetID)})
		a.api.Post(t, uidPath(apiLead)+"/accept", "").Problem(400)
		a.api.Do(t, http.MethodDelete, uidPath(apiLead)+"/decline", "").Problem(400)
		a.api.Get(t, unsortedAPI+"/summary").HAL(200).Equal("total", 2).Equal("accepted", 1).Equal("declined", 0).
			Equal("categories.forms.total", 2).Equal("categories.sip.total", 0)
	})
}

// TestUnsortedAccept: accepting through amoCRM is lead/start: Envybox sees
// the deal (named after the amoCRM lead, in the status given) with the
// request linked, and the client; the request's history has the acceptance.
func TestUnsortedAccept(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Accept", "")
		pid, statuses := mainPipelineStatuses(t, a)
		id := addForm(t, a, pid, "+79120000001")
		inWork := statuses["В работе"]
		r := a.api.Post(t, uidPath(id)+"/accept", fmt.Sprintf(`{"user_id":%d,"status_id":%d}`, a.UserID, inWork)).HAL(200).
			Keys("", "uid", "pipeline_id", "category", "created_at", "_embedded").
			Equal("uid", crm.UnsortedUID(id)).Equal("pipeline_id", pid).Equal("category", "forms").Equal("created_at", 1590830520).
			Equal("_embedded.companies", []any{})
		dealID, clientID := r.Int("_embedded.leads.0.id"), r.Int("_embedded.contacts.0.id")
		r.Golden("unsorted_accept", crmtest.MaskText(crm.UnsortedUID(id), "UID"), crmtest.MaskPath("pipeline_id", "pipeline"),
			crmtest.MaskPath("_embedded.*.*.id", "id"), crmtest.MaskText("/"+itoa(dealID), "/DEAL"), crmtest.MaskText("/"+itoa(clientID), "/CLIENT"))
		r.Equal("_embedded.leads.0._links.self.href", env.URL+"/api/v4/leads/"+itoa(dealID)).
			Equal("_embedded.contacts.0._links.self.href", env.URL+"/api/v4/contacts/"+itoa(clientID))
		// The amoCRM lead is the deal, with the form's lead name and price.
		a.api.Get(t, "/api/v4/leads/"+itoa(dealID)).HAL(200).Equal("name", "Maintenance").Equal("price", 5000).
			Equal("status_id", inWork)

		deal := envyboxCall(t, env, a, "deal/get/", fmt.Sprintf(`{"deal_id":%d}`, dealID)).
			Equal("result.name", "Maintenance").Equal("result.connected_lead_id", []string{fmt.Sprint(id)})
		if fmt.Sprint(deal.Get("result.stage_id")) != fmt.Sprint(inWork) || fmt.Sprint(deal.Get("result.client_id")) != fmt.Sprint(clientID) {
			t.Errorf("deal stage %v client %v, want %d and %d", deal.Get("result.stage_id"), deal.Get("result.client_id"), inWork, clientID)
		}
		envyboxLeadGet(t, env, a, id).Equal("result.status", "1").Equal("result.deals", []string{fmt.Sprint(dealID)})
		a.api.Get(t, "/api/v4/contacts/"+itoa(clientID)).HAL(200).Equal("name", "234")
		types := env.Envybox(a.EnvyboxAPIKey).Get(t, fmt.Sprintf("/openapi/v1/lead/log/list/?lead_id=%d", id)).Expect(200).Get("result.*.type_id")
		if !strings.Contains(fmt.Sprint(types), "22") {
			t.Errorf("lead history types %v: no acceptance (22)", types)
		}

		// It has left unsorted; accepting or declining again is a 400.
		nothing(a.api.Get(t, uidPath(id)))
		nothing(a.api.Get(t, unsortedAPI))
		a.api.Post(t, uidPath(id)+"/accept", `{}`).Problem(400)
		a.api.Do(t, http.MethodDelete, uidPath(id)+"/decline", "").Problem(400)
		a.api.Post(t, uidPath(id)+"/link", fmt.Sprintf(`{"link":{"entity_id":%d,"entity_type":"leads"}}`, dealID)).Problem(400)

		// 142 accepts into the won status; no body at all is accepted
		// (the caller acts, the pipeline's first stage after unsorted).
		won := addForm(t, a, pid, "+79120000002")
		wonDeal := a.api.Post(t, uidPath(won)+"/accept", `{"status_id":142}`).HAL(200).Int("_embedded.leads.0.id")
		wd := envyboxCall(t, env, a, "deal/get/", fmt.Sprintf(`{"deal_id":%d}`, wonDeal))
		if fmt.Sprint(wd.Get("result.stage_id")) != fmt.Sprint(a.stageOfStatus(t, env, crm.StageWon)) {
			t.Errorf("deal accepted with 142 is in stage %v", wd.Get("result.stage_id"))
		}
		plain := addForm(t, a, pid, "+79120000003")
		a.api.Post(t, uidPath(plain)+"/accept", "").HAL(200).Equal("_embedded.leads.0.id", wonDeal+1)

		a.api.Get(t, unsortedAPI+"/summary").HAL(200).Equal("total", 3).Equal("accepted", 3).Equal("declined", 0)
	})
}

// stageOfStatus is the id of the main deal pipeline's stage with status st.
func (a account) stageOfStatus(t *testing.T, env *crmtest.Env, st crm.StageStatus) int64 {
	t.Helper()
	var out int64
	err := env.Server.DB.View(t.Context(), a.AccountID, func(tx crm.Tx) error {
		all, err := tx.AllPipelines(t.Context())
		for _, p := range all {
			if p.Kind == crm.PipelineDeal && p.Primary {
				s, _ := p.StageByStatus(st)
				out = s.ID
			}
		}
		return err
	})
	if err != nil || out == 0 {
		t.Fatalf("stage of status %d: %v", st, err)
	}
	return out
}

// TestUnsortedDedup: an amoCRM item goes through Envybox's intake, so a
// second request of the same phone becomes a child of the first (parent_id),
// whichever dialect made either.
func TestUnsortedDedup(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Dedup", "")
		pid, _ := mainPipelineStatuses(t, a)
		first := addForm(t, a, pid, "+79990001122")
		second := envyboxLead(t, env, a, `{"name":"Again","phone":"79990001122"}`)
		third := addForm(t, a, pid, "8 999 000-11-22")
		envyboxLeadGet(t, env, a, first).Equal("result.parent_id", "0")
		envyboxLeadGet(t, env, a, second).Equal("result.parent_id", fmt.Sprint(first))
		envyboxLeadGet(t, env, a, third).Equal("result.parent_id", fmt.Sprint(first))
		a.api.Get(t, unsortedAPI).HAL(200).Equal("_total_items", 3)
	})
}

// TestUnsortedDecline: a declined request is closed without a deal:
// Envybox shows it processed, with the decline in its history, and
// lead/start refuses it; it has left unsorted.
func TestUnsortedDecline(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Decline", "")
		pid, _ := mainPipelineStatuses(t, a)
		id := addForm(t, a, pid, "+79120000009")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		a.api.Do(t, http.MethodDelete, uidPath(id)+"/decline", fmt.Sprintf(`{"user_id":%d}`, member.UserID)).HAL(200).
			Keys("", "uid", "pipeline_id", "category", "created_at", "_embedded").Equal("uid", crm.UnsortedUID(id)).
			EqualJSON("_embedded", `{"leads":[],"contacts":[],"companies":[]}`)
		envyboxLeadGet(t, env, a, id).Equal("result.status", "1").Equal("result.deals", []string{}).Equal("result.link_client_id", nil)
		log := env.Envybox(a.EnvyboxAPIKey).Get(t, fmt.Sprintf("/openapi/v1/lead/log/list/?lead_id=%d", id)).Expect(200)
		found := false
		for _, e := range log.List("result") {
			if fmt.Sprint(e.Get("type_id")) == "21" {
				found = true
				if fmt.Sprint(e.Get("employee_id")) != fmt.Sprint(member.UserID) {
					t.Errorf("decline entry by %v, want employee %d", e.Get("employee_id"), member.UserID)
				}
			}
		}
		if !found {
			t.Errorf("no decline entry (21) in %s", log.Body)
		}
		env.Envybox(a.EnvyboxAPIKey).Post(t, "/openapi/v1/lead/start/", fmt.Sprintf(`{"request":{"lead_id":%d,"user_id":%d}}`, id, a.UserID)).Expect(409)
		nothing(a.api.Get(t, uidPath(id)))
		a.api.Post(t, uidPath(id)+"/accept", "").Problem(400)
		a.api.Do(t, http.MethodDelete, uidPath(id)+"/decline", "").Problem(400)
		a.api.Get(t, unsortedAPI+"/summary").HAL(200).Equal("total", 1).Equal("accepted", 0).Equal("declined", 1).Equal("average_sort_time", 0)
	})
}

// TestUnsortedLink: linking attaches the request to an existing lead: the
// deal Envybox sees has both requests, and the item has left unsorted.
func TestUnsortedLink(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Link", "")
		pid, _ := mainPipelineStatuses(t, a)
		first := addForm(t, a, pid, "+79120000011")
		dealID := a.api.Post(t, uidPath(first)+"/accept", "").HAL(200).Int("_embedded.leads.0.id")
		second := envyboxLead(t, env, a, `{"name":"Ivan","email":"ivan@example.com"}`)
		a.api.Post(t, uidPath(second)+"/link", fmt.Sprintf(`{"user_id":%d,"link":{"entity_id":%d,"entity_type":"leads","metadata":{"contact_id":1}}}`,
			a.UserID, dealID)).HAL(200).Keys("", "uid", "_embedded").Equal("uid", crm.UnsortedUID(second)).
			Equal("_embedded.leads.*.id", []int64{dealID})
		envyboxCall(t, env, a, "deal/get/", fmt.Sprintf(`{"deal_id":%d}`, dealID)).
			Equal("result.connected_lead_id", []string{fmt.Sprint(first), fmt.Sprint(second)})
		envyboxLeadGet(t, env, a, second).Equal("result.status", "1").Equal("result.deals", []string{fmt.Sprint(dealID)})
		nothing(a.api.Get(t, unsortedAPI))
	})
}

// TestUnsortedList checks the list's filters, order and paging.
func TestUnsortedList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "List", "")
		pid, _ := mainPipelineStatuses(t, a)
		other := a.api.Post(t, pipelinesPath, `[{"name":"Second","sort":20,"is_main":false,"is_unsorted_on":true,
			"_embedded":{"statuses":[{"name":"Step","sort":10}]}}]`).HAL(200).Int("_embedded.pipelines.0.id")
		x := addForm(t, a, pid, "+79120000021")
		y := a.api.Post(t, unsortedAPI+"/forms", strings.Replace(formExample(other, "0", "+79120000022"), `"created_at":1590830520`, `"created_at":1590830000`, 1)).
			HAL(200).Str("_embedded.unsorted.0.uid")
		z := envyboxLead(t, env, a, `{"phone":"79120000023"}`)
		X, Z := crm.UnsortedUID(x), crm.UnsortedUID(z)

		a.api.Get(t, unsortedAPI).HAL(200).Equal("_embedded.unsorted.*.uid", []string{X, y, Z})
		a.api.Get(t, unsortedAPI+"?order[created_at]=asc").HAL(200).Equal("_embedded.unsorted.*.uid", []string{y, X, Z})
		a.api.Get(t, unsortedAPI+"?order[created_at]=desc").HAL(200).Equal("_embedded.unsorted.*.uid", []string{Z, X, y})
		a.api.Get(t, unsortedAPI+"?order[updated_at]=asc").HAL(200).Equal("_embedded.unsorted.*.uid", []string{X, y, Z})
		a.api.Get(t, unsortedAPI+"?filter[pipeline_id]="+itoa(other)).HAL(200).Equal("_embedded.unsorted.*.uid", []string{y})
		a.api.Get(t, unsortedAPI+"?filter[uid]="+Z).HAL(200).Equal("_embedded.unsorted.*.uid", []string{Z})
		a.api.Get(t, unsortedAPI+"?filter[uid][]="+Z+"&filter[uid][]="+X).HAL(200).Equal("_embedded.unsorted.*.uid", []string{X, Z})
		a.api.Get(t, unsortedAPI+"?filter%5Buid%5D%5B0%5D="+y).HAL(200).Equal("_embedded.unsorted.*.uid", []string{y})
		nothing(a.api.Get(t, unsortedAPI+"?filter[uid]=nonsense"))
		a.api.Get(t, unsortedAPI+"?filter[category][]=forms&filter[category][]=sip").HAL(200).Equal("_total_items", 3)
		nothing(a.api.Get(t, unsortedAPI+"?filter[category]=chats,mail"))
		page := a.api.Get(t, unsortedAPI+"?limit=2&order[created_at]=asc").HAL(200).Equal("_embedded.unsorted.*.uid", []string{y, X}).
			Equal("_page", 1)
		next := page.Str("_links.next.href")
		if !strings.Contains(next, "page=2") || !strings.Contains(next, "order%5Bcreated_at%5D=asc") {
			t.Errorf("next %q", next)
		}
		a.api.Get(t, strings.TrimPrefix(next, env.URL)).HAL(200).Equal("_embedded.unsorted.*.uid", []string{Z}).Has("_links.prev")
		nothing(a.api.Get(t, unsortedAPI+"?limit=2&page=3"))

		// The summary: filters by pipeline, uid and creation window.
		a.api.Get(t, unsortedAPI+"/summary").HAL(200).Keys("", "total", "accepted", "declined", "average_sort_time", "categories").
			Equal("total", 3).Keys("categories", "sip", "mail", "forms", "chats").Equal("categories.forms.total", 3)
		a.api.Get(t, unsortedAPI+"/summary?filter[pipeline_id]="+itoa(other)).HAL(200).Equal("total", 1)
		a.api.Get(t, unsortedAPI+"/summary?filter[uid][]="+X+"&filter[uid][]="+Z).HAL(200).Equal("total", 2)
		a.api.Get(t, unsortedAPI+"/summary?filter[created_at][from]=1590830000&filter[created_at][to]=1590830100").HAL(200).Equal("total", 1)
		a.api.Get(t, unsortedAPI+"/summary?filter[created_at]=1590830100").HAL(200).Equal("total", 2)
	})
}

// TestUnsortedErrors checks every refusal: bodies, parameters, unknown and
// malformed uids, credentials and other accounts.
func TestUnsortedErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Errors", "")
		pid, _ := mainPipelineStatuses(t, a)
		v := crmtest.Violated
		forms := unsortedAPI + "/forms"
		good := `"source_name":"Site","source_uid":"s1","metadata":{"form_id":"f","form_name":"F","form_page":"https://x","ip":"1.1.1.1","form_sent_at":1},
			"_embedded":{"contacts":[{"name":"N","custom_fields_values":[{"field_code":"EMAIL","values":[{"value":"n@example.com"}]}]}]}`

		// Bodies.
		a.api.Post(t, forms, `[{"source_uid":"s1","metadata":{}}]`).WantViolations(v("0", "FieldMissing", "metadata.form_id"),
			v("0", "FieldMissing", "metadata.form_name"), v("0", "FieldMissing", "metadata.form_page"), v("0", "FieldMissing", "metadata.ip"),
			v("0", "FieldMissing", "metadata.form_sent_at"))
		a.api.Post(t, forms, `[{"source_name":"S","source_uid":"s1"}]`).WantViolations(v("0", "FieldMissing", "metadata"))
		a.api.Post(t, forms, `[{`+good+`,"request_id":"r1"},{"request_id":"r2","source_uid":"s","metadata":{"form_id":"f","form_name":"F","form_page":"p","ip":"i","form_sent_at":"soon"}}]`).
			WantViolations(v("r2", "InvalidType", "metadata.form_sent_at"))
		a.api.Post(t, forms, `[{`+good+`,"source_name":" "}]`).WantViolations(v("0", "FieldMissing", "source_name"))
		a.api.Post(t, forms, `[{`+good+`,"source_uid":""}]`).WantViolations(v("0", "FieldMissing", "source_uid"))
		a.api.Post(t, forms, `[{`+good+`,"pipeline_id":"x"}]`).WantViolations(v("0", "InvalidType", "pipeline_id"))
		a.api.Post(t, forms, `[{`+good+`,"pipeline_id":99999999}]`).WantViolations(v("0", "NotSupportedChoice", "pipeline_id"))
		a.api.Post(t, forms, `[{`+good+`,"created_at":-5}]`).WantViolations(v("0", "OutOfRange", "created_at"))
		a.api.Post(t, forms, `[{"source_name":"S","source_uid":"s1","metadata":{"form_id":"f","form_name":"F","form_page":"p","ip":"i","form_sent_at":1}}]`).
			WantViolations(v("0", "FieldMissing", "_embedded.contacts.0.custom_fields_values"))
		a.api.Post(t, forms, `[{`+strings.Replace(good, `"_embedded":{`, `"_embedded":{"leads":[{"name":"a"},{"name":"b"}],`, 1)+`}]`).
			WantViolations(v("0", "OutOfRange", "_embedded.leads"))
		a.api.Post(t, forms, `[{`+strings.Replace(good, `"_embedded":{`, `"_embedded":{"leads":[{"_embedded":{"tags":[{"id":5}]}}]`+`,`, 1)+`}]`).
			WantViolations(v("0", "FieldMissing", "_embedded.leads.0._embedded.tags.0.name"))
		a.api.Post(t, forms, `[{`+strings.Replace(good, `"N"`, `"`+strings.Repeat("x", 300)+`"`, 1)+`}]`).
			WantViolations(v("0", "InvalidLength", "_embedded.contacts.0.name"))
		a.api.Post(t, forms, `{}`).WantViolations(v("0", "InvalidType", ""))
		a.api.Post(t, forms, `[]`).WantViolations(v("0", "FieldMissing", ""))
		a.api.Post(t, forms, `[`).Problem(400)
		a.api.Post(t, forms, "["+strings.Repeat(`{},`, 250)+"{}]").Problem(400)
		a.api.Post(t, unsortedAPI+"/sip", `[{"source_name":"UIS","source_uid":"u","metadata":{"phone":"79990000000","called_at":1,"duration":"long","service_code":"x"}}]`).
			WantViolations(v("0", "InvalidType", "metadata.duration"), v("0", "FieldMissing", "metadata.uniq"))
		a.api.Post(t, unsortedAPI+"/chats", `[{}]`).Problem(400)
		a.api.Post(t, unsortedAPI+"/mail", `[{}]`).Problem(400)
		// All or nothing: a bad second item writes neither.
		a.api.Post(t, forms, `[{`+good+`},{`+good+`,"pipeline_id":99999999,"request_id":"bad"}]`).WantViolations(v("bad", "NotSupportedChoice", "pipeline_id"))
		nothing(a.api.Get(t, unsortedAPI))
		envyboxCall(t, env, a, "lead/list/", `{}`).Equal("leads.count", "0")

		// Bodies of the wrong shapes are refused, never a 500.
		for _, body := range []string{`[null]`, `[5]`, `[{"_embedded":"x"}]`, `[{"metadata":[]}]`, `[{"metadata":{"form_sent_at":1.5}}]`,
			`[{"_embedded":{"leads":"x","contacts":[5],"companies":[null]}}]`,
			`[{"_embedded":{"leads":[{"name":{},"_embedded":{"tags":"x"}}],"contacts":[{"first_name":[],"custom_fields_values":[{"values":[{"value":{"a":1}}]}]}]}}]`,
			`[{"_embedded":{"contacts":[{"custom_fields_values":"x"}]}}]`, `[{"source_uid":{},"request_id":7}]`} {
			a.api.Post(t, forms, body).Problem(400)
		}
		for _, body := range []string{`null`, `[]`, `5`, `{"status_id":1.5}`} {
			a.api.Post(t, uidPath(1)+"/accept", body).Problem(400)
		}

		// Unknown and malformed uids: GET 204, actions 404.
		id := addForm(t, a, pid, "+79120000031")
		for _, uid := range []string{crm.UnsortedUID(id + 1000), "nothex", strings.Repeat("f", 40), strings.Repeat("0", 40), crm.UnsortedUID(id) + "0"} {
			nothing(a.api.Get(t, unsortedAPI+"/"+uid))
			a.api.Post(t, unsortedAPI+"/"+uid+"/accept", "").Problem(404)
			a.api.Do(t, http.MethodDelete, unsortedAPI+"/"+uid+"/decline", "").Problem(404)
			a.api.Post(t, unsortedAPI+"/"+uid+"/link", `{"link":{"entity_id":1,"entity_type":"leads"}}`).Problem(404)
		}
		// Upper-case hex names the same item.
		a.api.Get(t, unsortedAPI+"/"+strings.ToUpper(crm.UnsortedUID(id))).HAL(200).Equal("uid", crm.UnsortedUID(id))

		// Accept, decline and link parameters.
		path := uidPath(id)
		a.api.Post(t, path+"/accept", `{"status_id":99999999}`).WantViolations(v("0", "NotSupportedChoice", "status_id"))
		a.api.Post(t, path+"/accept", `{"status_id":-1}`).WantViolations(v("0", "NotSupportedChoice", "status_id"))
		a.api.Post(t, path+"/accept", `{"user_id":99999999}`).WantViolations(v("0", "NotSupportedChoice", "user_id"))
		a.api.Post(t, path+"/accept", `{"user_id":"me"}`).WantViolations(v("0", "InvalidType", "user_id"))
		a.api.Post(t, path+"/accept", `[`).Problem(400)
		a.api.Do(t, http.MethodDelete, path+"/decline", `{"user_id":99999999}`).WantViolations(v("0", "NotSupportedChoice", "user_id"))
		a.api.Post(t, path+"/link", `{}`).WantViolations(v("0", "FieldMissing", "link"))
		a.api.Post(t, path+"/link", `{"link":{}}`).WantViolations(v("0", "FieldMissing", "link.entity_id"), v("0", "FieldMissing", "link.entity_type"))
		a.api.Post(t, path+"/link", `{"link":{"entity_id":1,"entity_type":"customers"}}`).WantViolations(v("0", "NotSupportedChoice", "link.entity_type"))
		a.api.Post(t, path+"/link", `{"link":{"entity_id":1,"entity_type":"contacts"}}`).WantViolations(v("0", "NotSupportedChoice", "link.entity_type"))
		a.api.Post(t, path+"/link", `{"link":{"entity_id":99999999,"entity_type":"leads"}}`).WantViolations(v("0", "NotSupportedChoice", "link.entity_id"))
		a.api.Get(t, path).HAL(200) // every refusal left it pending

		// Query parameters.
		a.api.Get(t, unsortedAPI+"?filter[category]=calls").Problem(400)
		a.api.Get(t, unsortedAPI+"?filter[status]=1").Problem(400)
		a.api.Get(t, unsortedAPI+"?filter[pipeline_id]=x").Problem(400)
		a.api.Get(t, unsortedAPI+"?order[created_at]=up").Problem(400)
		a.api.Get(t, unsortedAPI+"?limit=300").Problem(400)
		a.api.Get(t, unsortedAPI+"?page=0").Problem(400)
		a.api.Get(t, unsortedAPI+"/summary?filter[created_at]=x").Problem(400)
		a.api.Get(t, unsortedAPI+"/summary?filter[created_at]=1&filter[created_at][from]=2").Problem(400)
		a.api.Get(t, unsortedAPI+"/summary?filter[category]=sip").Problem(400)

		// Credentials and isolation: another account sees nothing.
		env.AmoCRM("").Get(t, unsortedAPI).Problem(401)
		env.AmoCRM("").Post(t, path+"/accept", "").Problem(401)
		b := newAccount(t, env, "Other", "")
		nothing(b.api.Get(t, path))
		nothing(b.api.Get(t, unsortedAPI))
		b.api.Post(t, path+"/accept", "").Problem(404)
		b.api.Do(t, http.MethodDelete, path+"/decline", "").Problem(404)
		b.api.Get(t, unsortedAPI+"/summary").HAL(200).Equal("total", 0)
		a.api.Get(t, path).HAL(200)
	})
}

// TestUnsortedAcceptDefaults: without status_id an item's deal starts in
// its pipeline's first stage after the unsorted status; names sent as
// numbers (as the document's own example does) are read as text; and
// concurrent accepts of one item make one deal.
func TestUnsortedAcceptDefaults(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Defaults", "")
		p := a.api.Post(t, pipelinesPath, `[{"name":"Triage","sort":20,"is_main":false,"is_unsorted_on":true,
			"_embedded":{"statuses":[{"name":"Step","sort":10}]}}]`).HAL(200)
		pid := p.Int("_embedded.pipelines.0.id")
		var step int64
		for _, s := range p.List("_embedded.pipelines.0._embedded.statuses") {
			if s.Str("name") == "Step" {
				step = s.Int("id")
			}
		}
		uid := a.api.Post(t, unsortedAPI+"/forms", fmt.Sprintf(`[{"source_name":"Site","source_uid":"s","pipeline_id":%d,
			"metadata":{"form_id":1,"form_name":"F","form_page":"https://x","ip":"1.1.1.1","form_sent_at":"1590830520"},
			"_embedded":{"contacts":[{"first_name":123213,"last_name":234,
				"custom_fields_values":[{"field_code":"PHONE","values":[{"value":79120000041},{"value":"+7 912 000-00-42"}]},
					{"field_code":"EMAIL","values":[{"value":"A@Example.com"}]}]}]}}]`, pid)).HAL(200).Str("_embedded.unsorted.0.uid")
		id, _ := crm.ParseUnsortedUID(uid)
		a.api.Get(t, uidPath(id)).HAL(200).Equal("metadata.form_id", "1").Equal("metadata.form_sent_at", 1590830520).Equal("pipeline_id", pid)
		lead := envyboxLeadGet(t, env, a, id).Equal("result.name", "123213 234").Equal("result.phone", "79120000041").
			Equal("result.email", "a@example.com")
		if lead.Get("result.deal_pipeline_id") != itoa(pid) {
			t.Errorf("deal_pipeline_id %v, want %d", lead.Get("result.deal_pipeline_id"), pid)
		}

		replies := a.api.Race(t, http.MethodPost, uidPath(id)+"/accept", []string{"", "", "", ""})
		if count(replies, 200) != 1 || count(replies, 400) != 3 {
			t.Fatalf("concurrent accepts answered %v, want one 200 and three 400", statuses(replies))
		}
		var dealID, clientID int64
		for _, r := range replies {
			if r.Status == 200 {
				dealID, clientID = r.Int("_embedded.leads.0.id"), r.Int("_embedded.contacts.0.id")
			}
		}
		deal := envyboxCall(t, env, a, "deal/get/", fmt.Sprintf(`{"deal_id":%d}`, dealID))
		if fmt.Sprint(deal.Get("result.stage_id")) != fmt.Sprint(step) {
			t.Errorf("deal stage %v, want Step %d", deal.Get("result.stage_id"), step)
		}
		envyboxLeadGet(t, env, a, id).Equal("result.deals", []string{fmt.Sprint(dealID)})
		// The second phone became contact data, which the client made on
		// acceptance has beside the first phone and the email.
		client := envyboxCall(t, env, a, "client/get/", fmt.Sprintf(`{"client_id":%d}`, clientID))
		for _, want := range []string{"79120000041", "79120000042", "a@example.com"} {
			if !strings.Contains(string(client.Body), want) {
				t.Errorf("client lacks %s: %s", want, client.Body)
			}
		}
	})
}
