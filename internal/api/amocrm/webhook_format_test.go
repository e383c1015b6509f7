package amocrm_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/api/amocrm"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of amoCRM's webhook bodies (companion §8.2, core §12): changes made
// through the API, their events read back from the history as the
// deliverer reads them (crm.EventsOf, one write call at a time), and the
// form amocrm.WebhookFormat makes of them, key by key.

// hookTrail reads an account's write calls after a mark.
type hookTrail struct {
	env  *crmtest.Env
	a    account
	mark int64
}

func newTrail(t *testing.T, env *crmtest.Env, a account) *hookTrail {
	h := &hookTrail{env: env, a: a}
	h.calls(t) // moves the mark past what the account has
	return h
}

// calls returns the events written since the last look, as one write
// call (the tests make one API request between looks; the history reads
// used here do not carry the entries' batch, which the outbox read does —
// TestV4WebhookDelivered checks that grouping), and moves the mark. None
// when nothing was written.
func (h *hookTrail) calls(t *testing.T) [][]crm.Event {
	t.Helper()
	entries, err := h.env.Server.Service.History(context.Background(), h.a.actor(), crm.HistoryQuery{
		EntityTypes: append(slices.Clone(crm.HistoryEntities), crm.EntityInbound), Limit: crm.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(entries)
	var call []crm.Event
	for _, e := range entries {
		if e.ID <= h.mark {
			continue
		}
		h.mark = e.ID
		for _, ev := range crm.EventsOf(e) {
			if len(call) > 0 {
				ev.Batch = call[0].Batch
			}
			call = append(call, ev)
		}
	}
	if call == nil {
		return nil
	}
	return [][]crm.Event{call}
}

// call is the write call since the last look.
func (h *hookTrail) call(t *testing.T) []crm.Event {
	t.Helper()
	calls := h.calls(t)
	if len(calls) != 1 {
		t.Fatalf("no write call")
	}
	return calls[0]
}

// form is the body a webhook subscribed to names gets of events; nil when
// it gets none.
func (h *hookTrail) form(t *testing.T, events []crm.Event, names ...string) url.Values {
	t.Helper()
	hook := crm.Webhook{ID: 1, AccountID: h.a.AccountID, Kind: crm.WebhookAmoCRM, Events: names}
	list, err := amocrm.WebhookFormat{Service: h.env.Server.Service}.Deliveries(context.Background(), hook, events)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		return nil
	}
	if len(list) != 1 {
		t.Fatalf("%d deliveries, want one per write call", len(list))
	}
	d := list[0]
	if d.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("content type %q", d.ContentType)
	}
	if want := string(events[0].Entity) + ":" + itoa(events[0].EntityID); d.RecordKey == "" || len(d.EventIDs) == 0 || len(d.EventIDs) != len(d.EventTypes) {
		t.Errorf("delivery %+v: want a record key (like %s) and its events", d, want)
	}
	form, err := url.ParseQuery(string(d.Body))
	if err != nil {
		t.Fatalf("body is not a form: %v: %s", err, d.Body)
	}
	for k, v := range form {
		if len(v) != 1 {
			t.Errorf("key %s repeated: %v", k, v)
		}
	}
	return form
}

// wantForm checks that form has exactly want's keys with want's values; a
// value "*" only has to be there.
func wantForm(t *testing.T, what string, form url.Values, want map[string]string) {
	t.Helper()
	var extra, missing []string
	for k := range form {
		if _, ok := want[k]; !ok {
			extra = append(extra, k+"="+form.Get(k))
		}
	}
	for k, v := range want {
		got, ok := form[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case v != "*" && got[0] != v:
			t.Errorf("%s: %s = %q, want %q", what, k, got[0], v)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	if len(extra) > 0 || len(missing) > 0 {
		t.Errorf("%s: unexpected keys %v, missing keys %v", what, extra, missing)
	}
}

// accountKeys are the account block every body ends with.
func accountKeys(a account, want map[string]string) map[string]string {
	want["account[subdomain]"] = a.Subdomain
	want["account[id]"] = itoa(a.AccountID)
	want["account[_links][self]"] = "https://" + a.Subdomain + ".amocrm.ru"
	return want
}

// leadKeys are a lead item's keys under prefix with the values the API
// reads of it now.
func leadKeys(t *testing.T, a account, prefix string, id int64, want map[string]string) {
	t.Helper()
	l := a.api.Get(t, "/api/v4/leads/"+itoa(id)).HAL(200)
	set := func(k, v string) { want[prefix+k] = v }
	set("[id]", itoa(id))
	set("[name]", l.Str("name"))
	set("[status_id]", itoa(l.Int("status_id")))
	set("[price]", itoa(l.Int("price")))
	set("[responsible_user_id]", itoa(l.Int("responsible_user_id")))
	set("[last_modified]", itoa(l.Int("updated_at")))
	set("[modified_user_id]", itoa(l.Int("updated_by")))
	set("[created_user_id]", itoa(l.Int("created_by")))
	set("[date_create]", itoa(l.Int("created_at")))
	set("[pipeline_id]", itoa(l.Int("pipeline_id")))
	set("[account_id]", itoa(a.AccountID))
	set("[created_at]", itoa(l.Int("created_at")))
	set("[updated_at]", itoa(l.Int("updated_at")))
	for j, tag := range l.List("_embedded.tags") {
		set(fmt.Sprintf("[tags][%d][id]", j), itoa(tag.Int("id")))
		set(fmt.Sprintf("[tags][%d][name]", j), tag.Str("name"))
	}
}

var localTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)

// TestV4WebhookBodies makes changes through the API and checks the body
// each subscription gets of each write call.
func TestV4WebhookBodies(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Bodies", "")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		pipeline, first, second := mainPipeline(t, a.api)
		fields := a.api.Post(t, "/api/v4/leads/custom_fields",
			`[{"name":"Source","type":"select","enums":[{"value":"Site","sort":1}]},{"name":"Event date","type":"date","code":"EVENT_DATE"}]`).
			HAL(201).List("_embedded.custom_fields")
		source, date := fields[0].Int("id"), fields[1].Int("id")
		site := fields[0].List("enums")[0].Int("id")
		trail := newTrail(t, env, a)

		// A lead added with a tag and custom fields: leads[add] only, to
		// the add_lead subscription; update_lead alone gets nothing.
		lead := a.api.Post(t, "/api/v4/leads", fmt.Sprintf(`[{"name":"Seminar","price":22500,"status_id":%d,
			"custom_fields_values":[{"field_id":%d,"values":[{"enum_id":%d}]},{"field_id":%d,"values":[{"value":1542067200}]}],
			"_embedded":{"tags":[{"name":"repeat request"}]}}]`, first, source, site, date)).HAL(200).Int("_embedded.leads.0.id")
		added := trail.call(t)
		want := map[string]string{
			"leads[add][0][custom_fields][0][id]":               itoa(source),
			"leads[add][0][custom_fields][0][name]":             "Source",
			"leads[add][0][custom_fields][0][values][0][value]": "Site",
			"leads[add][0][custom_fields][0][values][0][enum]":  itoa(site),
			"leads[add][0][custom_fields][1][id]":               itoa(date),
			"leads[add][0][custom_fields][1][name]":             "Event date",
			"leads[add][0][custom_fields][1][code]":             "EVENT_DATE",
			"leads[add][0][custom_fields][1][values][0]":        "1542067200",
		}
		leadKeys(t, a, "leads[add][0]", lead, want)
		wantForm(t, "leads[add]", trail.form(t, added, "add_lead", "update_lead", "status_lead"), accountKeys(a, want))
		if want["leads[add][0][tags][0][name]"] != "repeat request" || want["leads[add][0][status_id]"] != itoa(first) {
			t.Errorf("the lead as read: %v", want)
		}
		if f := trail.form(t, added, "update_lead", "add_contact"); f != nil {
			t.Errorf("update_lead got a creation: %v", f)
		}

		// A stage move: leads[status] with old_status_id to status_lead,
		// leads[update] to update_lead, each only what it subscribed to.
		a.api.Patch(t, "/api/v4/leads/"+itoa(lead), fmt.Sprintf(`{"status_id":%d}`, second)).HAL(200)
		moved := trail.call(t)
		want = map[string]string{"leads[status][0][old_status_id]": itoa(first)}
		leadKeys(t, a, "leads[status][0]", lead, want)
		for k, v := range map[string]string{"[custom_fields][0][id]": itoa(source), "[custom_fields][0][name]": "Source",
			"[custom_fields][0][values][0][value]": "Site", "[custom_fields][0][values][0][enum]": itoa(site),
			"[custom_fields][1][id]": itoa(date), "[custom_fields][1][name]": "Event date", "[custom_fields][1][code]": "EVENT_DATE",
			"[custom_fields][1][values][0]": "1542067200"} {
			want["leads[status][0]"+k] = v
		}
		wantForm(t, "leads[status]", trail.form(t, moved, "status_lead"), accountKeys(a, want))
		both := trail.form(t, moved, "status_lead", "update_lead")
		if both.Get("leads[update][0][id]") != itoa(lead) || both.Get("leads[update][0][status_id]") != itoa(second) ||
			both.Get("leads[status][0][status_id]") != itoa(second) || both.Has("leads[update][0][old_status_id]") {
			t.Errorf("status_lead and update_lead: %v", both)
		}
		if f := trail.form(t, moved, "update_lead"); f.Has("leads[status][0][id]") || !f.Has("leads[update][0][id]") {
			t.Errorf("update_lead alone: %v", f)
		}
		if f := trail.form(t, moved, "add_lead", "responsible_lead"); f != nil {
			t.Errorf("add_lead got a stage move: %v", f)
		}

		// A responsible change: leads[responsible] with the old user.
		a.api.Patch(t, "/api/v4/leads/"+itoa(lead), fmt.Sprintf(`{"responsible_user_id":%d}`, member.UserID)).HAL(200)
		reassigned := trail.form(t, trail.call(t), "responsible_lead", "update_lead")
		if reassigned.Get("leads[responsible][0][old_responsible_user_id]") != itoa(a.UserID) ||
			reassigned.Get("leads[responsible][0][responsible_user_id]") != itoa(member.UserID) ||
			reassigned.Get("leads[update][0][responsible_user_id]") != itoa(member.UserID) {
			t.Errorf("leads[responsible]: %v", reassigned)
		}

		// A note on the lead: leads[note][0][note][…], legacy type 4.
		note := a.api.Post(t, "/api/v4/leads/"+itoa(lead)+"/notes", `[{"note_type":"common","params":{"text":"Note to lead"}}]`).
			HAL(200).Int("_embedded.notes.0.id")
		noted := trail.call(t)
		form := trail.form(t, noted, "note_lead")
		p := "leads[note][0][note]"
		wantForm(t, "leads[note]", form, accountKeys(a, map[string]string{p + "[id]": itoa(note), p + "[text]": "Note to lead",
			p + "[note_type]": "4", p + "[element_id]": itoa(lead), p + "[element_type]": "2", p + "[created_by]": itoa(a.UserID),
			p + "[modified_by]": itoa(a.UserID), p + "[main_user_id]": "*", p + "[group_id]": "0", p + "[account_id]": itoa(a.AccountID),
			p + "[date_create]": "*", p + "[timestamp_x]": "*", p + "[attachement]": ""}))
		if !localTime.MatchString(form.Get(p+"[date_create]")) || !localTime.MatchString(form.Get(p+"[timestamp_x]")) {
			t.Errorf("note times: %v", form)
		}
		if f := trail.form(t, noted, "note_contact", "update_lead"); f != nil {
			t.Errorf("note_contact got a lead's note: %v", f)
		}

		// A task on the lead, then completed with a result: task[add],
		// then task[update] with status 1 and action_close 1; times in the
		// account's zone (Europe/Moscow).
		task := addTask(t, a.api, fmt.Sprintf(`{"task_type_id":2,"text":"Meet","complete_till":1588885140,"entity_id":%d,"entity_type":"leads"}`, lead))
		form = trail.form(t, trail.call(t), "add_task")
		moscow, _ := time.LoadLocation("Europe/Moscow")
		tp := "task[add][0]"
		wantForm(t, "task[add]", form, accountKeys(a, map[string]string{tp + "[id]": itoa(task), tp + "[element_id]": itoa(lead),
			tp + "[element_type]": "2", tp + "[task_type]": "2", tp + "[date_create]": "*", tp + "[last_modified]": "*",
			tp + "[complete_till]": time.Unix(1588885140, 0).In(moscow).Format(time.DateTime), tp + "[text]": "Meet", tp + "[status]": "0",
			tp + "[responsible_user_id]": itoa(a.UserID), tp + "[created_user_id]": itoa(a.UserID), tp + "[account_id]": itoa(a.AccountID)}))
		if form.Get(tp+"[complete_till]") != "2020-05-07 23:59:00" || !localTime.MatchString(form.Get(tp+"[date_create]")) {
			t.Errorf("task times: %v", form)
		}
		a.api.Patch(t, taskPath(task), `{"is_completed":true,"result":{"text":"Reached the client"}}`).HAL(200)
		form = trail.form(t, trail.call(t), "update_task")
		tp = "task[update][0]"
		if form.Get(tp+"[id]") != itoa(task) || form.Get(tp+"[status]") != "1" || form.Get(tp+"[action_close]") != "1" ||
			form.Get(tp+"[result][text]") != "Reached the client" || form.Has("task[update][1][id]") {
			t.Errorf("task[update]: %v", form)
		}
		a.api.Patch(t, taskPath(task), `{"text":"Met"}`).HAL(200)
		if form = trail.form(t, trail.call(t), "update_task"); form.Get(tp+"[action_close]") != "0" || form.Get(tp+"[text]") != "Met" {
			t.Errorf("task[update] of an edit: %v", form)
		}

		// A contact and a company: both under contacts[add], told apart by
		// type; PHONE with its enum id.
		contact := a.api.Post(t, "/api/v4/contacts", `[{"name":"Контакт","custom_fields_values":[{"field_code":"PHONE","values":[{"value":"+76665554433","enum_code":"WORK"}]}]}]`).
			HAL(200).Int("_embedded.contacts.0.id")
		form = trail.form(t, trail.call(t), "add_contact")
		c := a.api.Get(t, "/api/v4/contacts/"+itoa(contact)).HAL(200)
		phone := c.List("custom_fields_values")[0]
		cp := "contacts[add][0]"
		wantForm(t, "contacts[add]", form, accountKeys(a, map[string]string{cp + "[id]": itoa(contact), cp + "[name]": "Контакт",
			cp + "[responsible_user_id]": itoa(a.UserID), cp + "[date_create]": itoa(c.Int("created_at")),
			cp + "[last_modified]": itoa(c.Int("updated_at")), cp + "[created_user_id]": itoa(a.UserID),
			cp + "[modified_user_id]": itoa(c.Int("updated_by")), cp + "[account_id]": itoa(a.AccountID),
			cp + "[custom_fields][0][id]": itoa(phone.Int("field_id")), cp + "[custom_fields][0][name]": phone.Str("field_name"),
			cp + "[custom_fields][0][code]": "PHONE", cp + "[custom_fields][0][values][0][value]": phone.Str("values.0.value"),
			cp + "[custom_fields][0][values][0][enum]": itoa(phone.Int("values.0.enum_id")),
			cp + "[created_at]":                        itoa(c.Int("created_at")), cp + "[updated_at]": itoa(c.Int("updated_at")), cp + "[type]": "contact"}))
		// Linking the contact to the lead updates both, in one POST; the
		// contact carries linked_leads_id, keyed by the lead id.
		a.api.Post(t, "/api/v4/leads/"+itoa(lead)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"}]`, contact)).HAL(200)
		if linked := trail.form(t, trail.call(t), "update_contact", "update_lead"); linked.Get("leads[update][0][id]") != itoa(lead) ||
			linked.Get("contacts[update][0][id]") != itoa(contact) || linked.Get("contacts[update][0][linked_leads_id]["+itoa(lead)+"][ID]") != itoa(lead) {
			t.Errorf("a link's update: %v", linked)
		}
		a.api.Patch(t, "/api/v4/contacts/"+itoa(contact), `{"name":"Контакт 2"}`).HAL(200)
		if f := trail.form(t, trail.call(t), "update_contact"); f.Get("contacts[update][0][id]") != itoa(contact) ||
			f.Get("contacts[update][0][name]") != "Контакт 2" || f.Get("contacts[update][0][type]") != "contact" ||
			f.Get("contacts[update][0][linked_leads_id]["+itoa(lead)+"][ID]") != itoa(lead) {
			t.Errorf("contacts[update]: %v", f)
		}
		company := addV4Company(t, a.api, "Tallinsky-Auto")
		companyCall := trail.call(t)
		if form = trail.form(t, companyCall, "add_company"); form.Get("contacts[add][0][id]") != itoa(company) ||
			form.Get("contacts[add][0][type]") != "company" {
			t.Errorf("a company's contacts[add]: %v", form)
		}
		if f := trail.form(t, companyCall, "add_contact"); f != nil {
			t.Errorf("add_contact got a company: %v", f)
		}

		// An unsorted form: unsorted[add] to add_lead (amoCRM has no
		// unsorted subscription); accepting it: unsorted[delete] with
		// action accept and what was made, and the lead in the same POST.
		uid := addForm(t, a, pipeline, "+79990001122")
		form = trail.form(t, trail.call(t), "add_lead")
		up := "unsorted[add][0]"
		if form.Get(up+"[uid]") != crm.UnsortedUID(uid) || form.Get(up+"[category]") != "forms" ||
			form.Get(up+"[source_data][form_name]") != "Request form" || form.Get(up+"[pipeline_id]") != itoa(pipeline) ||
			form.Get(up+"[data][leads][0][name]") != "Maintenance" || form.Get(up+"[data][contacts][0][custom_fields][0][values][0][value]") != "79990001122" {
			t.Errorf("unsorted[add]: %v", form)
		}
		deal := a.api.Post(t, uidPath(uid)+"/accept", "").HAL(200).Int("_embedded.leads.0.id")
		accepted := trail.call(t)
		form = trail.form(t, accepted, "add_lead", "add_contact")
		dp := "unsorted[delete][0]"
		if form.Get(dp+"[action]") != "accept" || form.Get(dp+"[uid]") != crm.UnsortedUID(uid) ||
			form.Get(dp+"[accept_result][leads][0]") != itoa(deal) || form.Get(dp+"[category]") != "forms" {
			t.Errorf("unsorted[delete]: %v", form)
		}
		// The client acceptance makes comes in the same POST, linked to the
		// lead.
		client := form.Get(dp + "[accept_result][contacts][0]")
		if form.Get("leads[add][0][id]") != itoa(deal) || client == "" || form.Get("contacts[add][0][id]") != client ||
			form.Get("contacts[add][0][linked_leads_id]["+itoa(deal)+"][ID]") != itoa(deal) || form.Get("contacts[add][0][type]") != "contact" {
			t.Errorf("the accepted item's lead and contact: %v", form)
		}
		declined := addForm(t, a, pipeline, "+79990003344")
		trail.calls(t)
		a.api.Do(t, "DELETE", uidPath(declined)+"/decline", "").HAL(200)
		if form = trail.form(t, trail.call(t), "add_lead"); form.Get(dp+"[action]") != "decline" || form.Has(dp+"[accept_result][leads][0]") {
			t.Errorf("a declined item: %v", form)
		}

		// The talk and chat template names are accepted and never fire.
		if f := trail.form(t, accepted, "add_talk", "update_talk", "add_chat_template_review"); f != nil {
			t.Errorf("talk names fired: %v", f)
		}
	})
}

// TestV4WebhookDelivered is the whole way: a webhook subscribed through the
// API, a lead added through the API, and the receiver gets leads[add] of
// it, form-encoded, with amoCRM's account block.
func TestV4WebhookDelivered(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.StartWebhooks(t, dsn)
		a := newAccount(t, env, "Delivered", "")
		type got struct {
			contentType string
			body        string
		}
		bodies := make(chan got, 16)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			bodies <- got{r.Header.Get("Content-Type"), string(b)}
		}))
		defer receiver.Close()
		a.api.Post(t, webhooksPath, fmt.Sprintf(`{"destination":%q,"settings":["add_lead"]}`, receiver.URL+"/amo")).HAL(201)
		receive := func() url.Values {
			t.Helper()
			select {
			case g := <-bodies:
				form, err := url.ParseQuery(g.body)
				if err != nil || !strings.HasPrefix(g.contentType, "application/x-www-form-urlencoded") ||
					form.Get("account[subdomain]") != a.Subdomain || form.Get("account[id]") != itoa(a.AccountID) {
					t.Errorf("received %s: %s", g.contentType, g.body)
				}
				return form
			case <-time.After(15 * time.Second):
				t.Fatal("nothing was delivered")
			}
			return nil
		}
		lead := a.api.Post(t, "/api/v4/leads", `[{"name":"Webhook"}]`).HAL(200).Int("_embedded.leads.0.id")
		if form := receive(); form.Get("leads[add][0][id]") != itoa(lead) || form.Get("leads[add][0][name]") != "Webhook" {
			t.Errorf("leads[add]: %v", form)
		}
		// One POST per write call: acceptance's unsorted[delete] and the
		// lead it made arrive together.
		pipeline, _, _ := mainPipeline(t, a.api)
		uid := addForm(t, a, pipeline, "+79990005566")
		if form := receive(); form.Get("unsorted[add][0][uid]") != crm.UnsortedUID(uid) {
			t.Errorf("unsorted[add]: %v", form)
		}
		deal := a.api.Post(t, uidPath(uid)+"/accept", "").HAL(200).Int("_embedded.leads.0.id")
		if form := receive(); form.Get("unsorted[delete][0][action]") != "accept" || form.Get("leads[add][0][id]") != itoa(deal) {
			t.Errorf("acceptance: %v", form)
		}
	})
}

// TestV4WebhookFormatEdges checks a record gone before its event is sent
// (the body carries the event's id), account[_links][self] on a configured
// public URL, and a deleted customer's payload.
func TestV4WebhookFormatEdges(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Edges", "")
		ctx := context.Background()
		public, _ := url.Parse("https://crm.example.com")
		f := amocrm.WebhookFormat{Service: env.Server.Service, PublicURL: public}
		hook := crm.Webhook{ID: 1, AccountID: a.AccountID, Kind: crm.WebhookAmoCRM, Events: []string{"add_lead", "delete_customer", "add_task"}}
		events := []crm.Event{
			{ID: 10, AccountID: a.AccountID, Type: crm.EventLeadAdded, Entity: crm.EntityDeal, EntityID: 999999, Batch: 10},
			{ID: 11, AccountID: a.AccountID, Type: crm.EventCustomerDeleted, Entity: crm.EntityCustomer, EntityID: 77, Batch: 10},
			{ID: 12, AccountID: a.AccountID, Type: crm.EventTaskAdded, Entity: crm.EntityTask, EntityID: 888888, Batch: 10},
			{ID: 13, AccountID: a.AccountID, Type: crm.EventContactAdded, Entity: crm.EntityContact, EntityID: 5, Batch: 10},
		}
		list, err := f.Deliveries(ctx, hook, events)
		if err != nil || len(list) != 1 {
			t.Fatalf("deliveries %v, %v", list, err)
		}
		d := list[0]
		if d.RecordKey != "leads:999999" || !slices.Equal(d.EventIDs, []int64{10, 11, 12}) ||
			!slices.Equal(d.EventTypes, []string{"lead.added", "customer.deleted", "task.added"}) {
			t.Errorf("delivery %+v", d)
		}
		form, err := url.ParseQuery(string(d.Body))
		if err != nil {
			t.Fatal(err)
		}
		wantForm(t, "gone records", form, map[string]string{"leads[add][0][id]": "999999", "customers[delete][0][id]": "77",
			"task[add][0][id]": "888888", "account[subdomain]": a.Subdomain, "account[id]": itoa(a.AccountID),
			"account[_links][self]": "https://" + a.Subdomain + ".crm.example.com"})
		// The sections keep the order of their first events; account last.
		if !strings.HasPrefix(string(d.Body), "leads%5Badd%5D%5B0%5D%5Bid%5D=999999&customers%5Bdelete%5D") ||
			!strings.Contains(string(d.Body), "&account%5Bsubdomain%5D=") {
			t.Errorf("body order: %s", d.Body)
		}
		if list, err := f.Deliveries(ctx, crm.Webhook{AccountID: a.AccountID, Events: []string{"update_task"}}, events); err != nil || len(list) != 0 {
			t.Errorf("an unsubscribed hook got %v, %v", list, err)
		}
	})
}
