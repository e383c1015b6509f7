package amocrm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v4 events (core §7) on SQLite and PostgreSQL: the history
// crmd writes (deal created, stage, responsible, tags, comments, calls,
// tasks) and the change entries of history.go that other writers record,
// written here through the store, read as amoCRM events with their
// filters.

const eventsPath = "/api/v4/events"

// record writes a history entry through the store, as a writer of
// history.go's change entries does, and returns its id.
func record(t testing.TB, env *crmtest.Env, a activity, entity crm.EntityType, id int64, typeID int, data crm.HistoryData, by int64) int64 {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	e := crm.LogEntry{EntityType: entity, EntityID: id, TypeID: typeID, Data: raw, UserID: by}
	if err := env.Server.DB.Update(context.Background(), a.AccountID, func(tx crm.Tx) error { return tx.InsertLog(context.Background(), &e) }); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// eventTypesOf lists the events' types, newest first.
func eventTypesOf(r *crmtest.Reply) []string {
	var out []string
	for _, ev := range r.List("_embedded.events") {
		out = append(out, ev.Str("type"))
	}
	return out
}

// TestV4EventsWritten: what crmd's own writes record, read as events.
func TestV4EventsWritten(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Events")
		svc, ctx := env.Server.Service, context.Background()
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		pipelines, err := svc.DealPipelines(ctx, a.actor())
		if err != nil {
			t.Fatal(err)
		}
		var pipeline crm.Pipeline
		for _, p := range pipelines {
			if p.Primary {
				pipeline = p
			}
		}
		first, won := pipeline.Stages[0], crm.Stage{}
		for _, st := range pipeline.Stages {
			if st.Status == crm.StageWon {
				won = st
			}
		}
		if err := svc.ChangeDealStage(ctx, a.actor(), a.dealID, 0, won.ID, crm.Responsible{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetDealResponsible(ctx, a.actor(), a.dealID, crm.Responsible{EmployeeID: member.UserID}); err != nil {
			t.Fatal(err)
		}
		a.envy(t, "deal/tag/addDealTags", fmt.Sprintf(`{"deal_id":%d,"tags":["vip","hot"]}`, a.dealID))
		a.envy(t, "deal/createComment", fmt.Sprintf(`{"deal_id":%d,"comment":"Called"}`, a.dealID))
		a.envy(t, "deal/log/create", fmt.Sprintf(`{"deal_id":%d,"type_id":2009,"data":{"direction":2,"status":1,"from":"100","to":"+79990000000"}}`, a.dealID))
		task := addTask(t, a.api, fmt.Sprintf(`{"text":"Call","complete_till":1900000000,"entity_type":"leads","entity_id":%d}`, a.dealID))
		a.api.Patch(t, taskPath(task), `{"text":"Call again","complete_till":1900000600,"task_type_id":2}`).HAL(200)
		a.api.Patch(t, taskPath(task), `{"is_completed":true,"result":{"text":"Done"}}`).HAL(200)

		all := a.api.Get(t, eventsPath).HAL(200)
		types := eventTypesOf(all)
		wantTail := []string{"task_result_added", "task_completed", "task_text_changed", "task_deadline_changed", "task_type_changed",
			"task_added", "outgoing_call", "common_note_added", "entity_tag_added", "entity_responsible_changed", "lead_status_changed"}
		if len(types) < len(wantTail) || strings.Join(types[:len(wantTail)], ",") != strings.Join(wantTail, ",") {
			t.Fatalf("event types %v, want %v first", types, wantTail)
		}
		// The client was made first (contact_added), then its deal.
		if oldest := strings.Join(types[len(types)-2:], ","); oldest != "lead_added,contact_added" {
			t.Errorf("oldest events %q, want lead_added,contact_added", oldest)
		}
		byType := map[string]crmtest.JSON{}
		for _, ev := range all.List("_embedded.events") {
			if _, seen := byType[ev.Str("type")]; !seen {
				byType[ev.Str("type")] = ev
			}
		}
		// core §7.1's example: lead_added with its note, nothing before.
		added := byType["lead_added"]
		added.Equal("entity_type", "lead").Equal("entity_id", a.dealID).Equal("value_before", []any{}).
			Equal("value_after", []any{map[string]any{"note": map[string]any{"id": json.Number(added.Str("id"))}}}).
			Equal("_embedded.entity", map[string]any{"id": a.dealID, "_links": map[string]any{"self": map[string]any{"href": env.URL + "/api/v4/leads/" + itoa(a.dealID)}}})
		status := byType["lead_status_changed"]
		status.Equal("entity_type", "lead").Equal("entity_id", a.dealID).Equal("account_id", a.AccountID).
			Equal("value_before", []any{map[string]any{"lead_status": map[string]any{"id": first.ID, "pipeline_id": pipeline.ID}}}).
			Equal("value_after", []any{map[string]any{"lead_status": map[string]any{"id": 142, "pipeline_id": pipeline.ID}}}).
			Equal("_embedded.entity.id", a.dealID).Equal("_embedded.entity._links.self.href", env.URL+"/api/v4/leads/"+itoa(a.dealID)).
			Equal("_links.self.href", env.URL+eventsPath+"/"+status.Str("id")).
			Keys("", "id", "type", "entity_id", "entity_type", "created_by", "created_at", "value_after", "value_before", "account_id", "_links", "_embedded")
		byType["entity_responsible_changed"].Equal("value_after", []any{map[string]any{"responsible_user": map[string]any{"id": member.UserID}}}).
			Equal("created_by", a.UserID)
		byType["entity_tag_added"].Equal("value_after", []any{map[string]any{"tag": map[string]any{"name": "vip"}}, map[string]any{"tag": map[string]any{"name": "hot"}}}).
			Equal("value_before", []any{})
		comment := byType["common_note_added"]
		comment.Equal("value_after", []any{map[string]any{"note": map[string]any{"id": json.Number(comment.Str("id"))}}})
		byType["task_added"].Equal("entity_type", "task").Equal("entity_id", task).Equal("value_after", []any{}).Equal("value_before", []any{}).
			Equal("_embedded.entity._links.self.href", env.URL+taskPath(task))
		byType["task_text_changed"].Equal("value_before", []any{map[string]any{"task": map[string]any{"text": "Call"}}}).
			Equal("value_after", []any{map[string]any{"task": map[string]any{"text": "Call again"}}})
		byType["task_deadline_changed"].Equal("value_after", []any{map[string]any{"task_deadline": map[string]any{"timestamp": 1900000600}}})
		byType["task_type_changed"].Equal("value_before", []any{map[string]any{"task_type": map[string]any{"id": 1}}}).
			Equal("value_after", []any{map[string]any{"task_type": map[string]any{"id": 2}}})
		result := byType["task_result_added"]
		result.Equal("value_after", []any{map[string]any{"note": map[string]any{"id": json.Number(result.Str("id"))}}})

		// One task update with three changes is three events: the entry's
		// id, then <id>-1 and <id>-2; each reads by its id.
		text := byType["task_text_changed"].Str("id")
		a.api.Get(t, eventsPath+"/"+text).HAL(200).Equal("type", "task_text_changed")
		a.api.Get(t, eventsPath+"/"+text+"-1").HAL(200).Equal("type", "task_deadline_changed")
		a.api.Get(t, eventsPath+"/"+text+"-2").HAL(200).Equal("type", "task_type_changed").Equal("id", text+"-2")
		nothing(a.api.Get(t, eventsPath+"/"+text+"-3"))
		nothing(a.api.Get(t, eventsPath+"/999999"))
		nothing(a.api.Get(t, eventsPath+"/01pz58t6p04ymgsgfbmfyfy1mf"))
		a.api.Get(t, eventsPath+"/"+status.Str("id")+"?with=lead_name").HAL(200).Equal("_embedded.entity.name", "Deal")

		// Filters.
		for query, want := range map[string][]string{
			"?filter[type]=lead_status_changed":                                                        {"lead_status_changed"},
			"?filter[type]=task_added,task_completed":                                                  {"task_completed", "task_added"},
			"?filter[type][]=incoming_call&filter[type][]=outgoing_call":                               {"outgoing_call"},
			"?filter[entity]=task":                                                                     {"task_result_added", "task_completed", "task_text_changed", "task_deadline_changed", "task_type_changed", "task_added"},
			fmt.Sprintf("?filter[entity]=task&filter[entity_id]=%d&filter[type]=task_completed", task): {"task_completed"},
			"?filter[entity]=lead&filter[entity_id]=999999":                                            nil,
			"?filter[entity]=catalog_5":                                                                nil,
			"?filter[type]=lead_deleted":                                                               nil,
			fmt.Sprintf("?filter[value_after][leads_statuses][0][pipeline_id]=%d&filter[value_after][leads_statuses][0][status_id]=142", pipeline.ID): {"lead_status_changed"},
			"?filter[value_after][leads_statuses][0][status_id]=143":                                                                                  nil,
			fmt.Sprintf("?filter[value_before][leads_statuses][0][status_id]=%d", first.ID):                                                           {"lead_status_changed"},
			fmt.Sprintf("?filter[value_after][responsible_user_id]=%d,5", member.UserID):                                                              {"entity_responsible_changed"},
			"?filter[value_after][responsible_user_id]=5":                                                                                             nil,
			fmt.Sprintf("?filter[id]=%s&filter[type]=lead_status_changed", status.Str("id")):                                                          {"lead_status_changed"},
			fmt.Sprintf("?filter[id][]=%s-1&filter[id][]=%s", text, comment.Str("id")):                                                                {"task_deadline_changed", "common_note_added"},
			fmt.Sprintf("?filter[created_by]=%d&filter[type]=task_added", member.UserID):                                                              nil,
			fmt.Sprintf("?filter[created_by][]=%d&filter[type]=task_added", a.UserID):                                                                 {"task_added"},
			"?filter[created_at]=4000000000":                                                                                                          nil,
			"?filter[created_at]=1,4000000000&filter[type]=task_added":                                                                                {"task_added"},
			"?filter[created_at][from]=1&filter[created_at][to]=4000000000&filter[type]=task_added":                                                   {"task_added"},
			"?filter[created_at][to]=1": nil,
		} {
			r := a.api.Get(t, eventsPath+query)
			if want == nil {
				nothing(r)
				continue
			}
			if got := eventTypesOf(r.HAL(200)); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s: %v, want %v", query, got, want)
			}
		}

		// Paging: limit ≤100; next only while there is more.
		page := a.api.Get(t, eventsPath+"?limit=2&filter[entity]=task").HAL(200).Equal("_page", 1)
		if got := eventTypesOf(page); strings.Join(got, ",") != "task_result_added,task_completed" {
			t.Errorf("page 1: %v", got)
		}
		page.Equal("_links.next.href", env.URL+eventsPath+"?page=2&limit=2&filter%5Bentity%5D=task")
		last := a.api.Get(t, eventsPath+"?limit=2&page=3&filter[entity]=task").HAL(200)
		if last.Has("_links.next") || !last.Has("_links.prev") {
			t.Errorf("last page links: %s", last.Body)
		}
		nothing(a.api.Get(t, eventsPath+"?limit=2&page=4&filter[entity]=task"))

		// Refusals.
		ten := strings.Repeat("1,", 10) + "1"
		for query, path := range map[string]string{
			"?limit=101":           "limit",
			"?filter[entity_id]=1": "filter[entity_id]",
			"?filter[entity]=lead,contact&filter[entity_id]=1":      "filter[entity_id]",
			"?filter[entity]=lead&filter[entity_id]=" + ten:         "filter[entity_id]",
			"?filter[created_by]=" + ten:                            "filter[created_by]",
			"?filter[type]=lead_exploded":                           "filter[type]",
			"?filter[type]=custom_field_5_value_changed,lead_added": "filter[type]",
			"?filter[entity]=unsorted":                              "filter[entity]",
			"?filter[id]=abc":                                       "filter[id]",
			"?filter[created_at]=1,2,3":                             "filter[created_at]",
			"?filter[value_after][custom_field_values]=1":           "filter[value_after][custom_field_values]",
			"?filter[value_after][leads_statuses][0][color]=1":      "filter[value_after][leads_statuses][0][color]",
			"?filter[note]=1":                                       "filter[note]",
		} {
			wantViolationAt(t, a.api.Get(t, eventsPath+query), query, path)
		}
		for _, c := range badClients(env, a.account) {
			c.api.Get(t, eventsPath).Problem(401)
		}
		other := newAccount(t, env, "Other", "")
		nothing(other.api.Get(t, eventsPath+"/"+status.Str("id")))
		nothing(other.api.Get(t, eventsPath+"?filter[type]=lead_status_changed"))
	})
}

// TestV4EventsHistoryMap: every change entry type of history.go, written
// through the store as the leads, contacts and unsorted writers write
// them, and what each becomes.
func TestV4EventsHistoryMap(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Map")
		svc, ctx := env.Server.Service, context.Background()
		name := "Size"
		fields, err := svc.AddCustomFields(ctx, a.actor(), crm.EntityContact, []crm.NewCustomField{{Name: &name, Type: crm.FieldSelect,
			Enums: []crm.EnumInput{{Value: "S"}, {Value: "L"}}}})
		if err != nil {
			t.Fatal(err)
		}
		field := fields[0]
		small, large := field.Enums[0].ID, field.Enums[1].ID
		cf := "cf:" + itoa(field.ID)
		pipelines, err := svc.DealPipelines(ctx, a.actor())
		if err != nil {
			t.Fatal(err)
		}
		p := pipelines[0]
		var open, lost crm.Stage
		for _, st := range p.Stages {
			switch st.Status {
			case crm.StageLost:
				lost = st
			case crm.StageNew:
				open = st
			}
		}
		u := a.UserID
		type entry struct {
			entity crm.EntityType
			id     int64
			typeID int
			data   crm.HistoryData
		}
		status := func(st crm.Stage) map[string]int64 { return map[string]int64{"pipeline_id": p.ID, "status_id": st.ID} }
		entries := []entry{
			{crm.EntityContact, a.contactID, crm.LogContactCreated, crm.HistoryData{}},
			{crm.EntityCompany, a.companyID, crm.LogCompanyCreated, crm.HistoryData{}},
			{crm.EntityContact, a.contactID, crm.LogContactUpdated, crm.HistoryData{Changes: []crm.FieldChange{
				crm.NewFieldChange("name", "Old", "New"),
				crm.NewFieldChange(cf, []map[string]any{{"enum_id": small, "value": "S"}}, []map[string]any{{"enum_id": large, "value": "L"}}),
				crm.NewFieldChange("responsible_user_id", u, u+1000),
				crm.NewFieldChange("birthday_of_cat", 1, 2), // no event for it
			}}},
			{crm.EntityDeal, a.dealID, crm.LogDealUpdated, crm.HistoryData{Changes: []crm.FieldChange{
				crm.NewFieldChange("price", 100, 155),
				crm.NewFieldChange("status", status(open), status(lost)),
			}}},
			{crm.EntityDeal, a.dealID, crm.LogDealLinked, crm.HistoryData{Link: &crm.HistoryLink{EntityType: crm.EntityContact, EntityID: a.contactID}}},
			{crm.EntityDeal, a.dealID, crm.LogDealUnlinked, crm.HistoryData{Link: &crm.HistoryLink{EntityType: crm.EntityCompany, EntityID: a.companyID}}},
			{crm.EntityContact, a.contactID, crm.LogContactLinked, crm.HistoryData{Link: &crm.HistoryLink{EntityType: crm.EntityCustomer, EntityID: 7}}},
			{crm.EntityCompany, a.companyID, crm.LogCompanyUnlinked, crm.HistoryData{Link: &crm.HistoryLink{EntityType: crm.EntityDeal, EntityID: a.dealID}}},
			{crm.EntityDeal, a.dealID, crm.LogDealTagsDeleted, crm.HistoryData{Tags: []string{"old"}}},
			{crm.EntityContact, a.contactID, crm.LogContactTagsAdded, crm.HistoryData{Tags: []string{"a"}}},
			{crm.EntityContact, a.contactID, crm.LogContactTagsDeleted, crm.HistoryData{Tags: []string{"a"}}},
			{crm.EntityCompany, a.companyID, crm.LogCompanyTagsAdded, crm.HistoryData{Tags: []string{"b"}}},
			{crm.EntityCompany, a.companyID, crm.LogCompanyTagsDeleted, crm.HistoryData{Tags: []string{"b"}}},
			{crm.EntityCompany, a.companyID, crm.LogCompanyUpdated, crm.HistoryData{Changes: []crm.FieldChange{crm.NewFieldChange("name", "A", "B")}}},
			{crm.EntityContact, a.contactID, crm.LogContactUnlinked, crm.HistoryData{Link: &crm.HistoryLink{EntityType: crm.EntityDeal, EntityID: a.dealID}}},
			{crm.EntityCompany, a.companyID, crm.LogCompanyLinked, crm.HistoryData{Link: &crm.HistoryLink{EntityType: crm.EntityContact, EntityID: a.contactID}}},
			{crm.EntityInbound, 1, crm.LogInboundDeclined, crm.HistoryData{}},
			{crm.EntityInbound, 1, crm.LogInboundAcceptedTo, crm.HistoryData{Link: &crm.HistoryLink{EntityType: crm.EntityDeal, EntityID: a.dealID}}},
		}
		ids := make([]int64, len(entries))
		for i, e := range entries {
			ids[i] = record(t, env, a, e.entity, e.id, e.typeID, e.data, u)
		}
		get := func(id string) *crmtest.Reply { return a.api.Get(t, eventsPath+"/"+id).HAL(200) }
		note := func(id int64) []any { return []any{map[string]any{"note": map[string]any{"id": id}}} }
		get(itoa(ids[0])).Equal("type", "contact_added").Equal("entity_type", "contact").Equal("value_after", note(ids[0])).
			Equal("_embedded.entity._links.self.href", env.URL+"/api/v4/contacts/"+itoa(a.contactID))
		get(itoa(ids[1])).Equal("type", "company_added").Equal("entity_type", "company")
		get(itoa(ids[2])).Equal("type", "name_field_changed").
			Equal("value_before", []any{map[string]any{"name_field_value": map[string]any{"value": "Old"}}}).
			Equal("value_after", []any{map[string]any{"name_field_value": map[string]any{"value": "New"}}})
		get(itoa(ids[2])+"-1").Equal("type", "custom_field_value_changed").
			Equal("value_before", []any{map[string]any{"custom_field_value": map[string]any{"field_id": field.ID, "field_type": 4, "enum_id": small, "text": "S"}}}).
			Equal("value_after", []any{map[string]any{"custom_field_value": map[string]any{"field_id": field.ID, "field_type": 4, "enum_id": large, "text": "L"}}})
		get(itoa(ids[2])+"-2").Equal("type", "entity_responsible_changed").
			Equal("value_after", []any{map[string]any{"responsible_user": map[string]any{"id": u + 1000}}})
		nothing(a.api.Get(t, eventsPath+"/"+itoa(ids[2])+"-3"))
		get(itoa(ids[3])).Equal("type", "sale_field_changed").
			Equal("value_after", []any{map[string]any{"sale_field_value": map[string]any{"value": "155"}}})
		get(itoa(ids[3])+"-1").Equal("type", "lead_status_changed").
			Equal("value_before", []any{map[string]any{"lead_status": map[string]any{"id": open.ID, "pipeline_id": p.ID}}}).
			Equal("value_after", []any{map[string]any{"lead_status": map[string]any{"id": 143, "pipeline_id": p.ID}}})
		link := func(key, typ string, id int64) []any {
			return []any{map[string]any{key: map[string]any{"entity": map[string]any{"type": typ, "id": id}}}}
		}
		get(itoa(ids[4])).Equal("type", "contact_linked").Equal("value_after", link("link", "contact", a.contactID)).Equal("value_before", []any{})
		get(itoa(ids[5])).Equal("type", "company_unlinked").Equal("value_after", link("unlink", "company", a.companyID))
		get(itoa(ids[6])).Equal("type", "customer_linked").Equal("value_after", link("link", "customer", 7))
		get(itoa(ids[7])).Equal("type", "lead_unlinked").Equal("value_after", link("unlink", "lead", a.dealID))
		tag := func(name string) []any { return []any{map[string]any{"tag": map[string]any{"name": name}}} }
		get(itoa(ids[8])).Equal("type", "entity_tag_deleted").Equal("value_after", tag("old"))
		get(itoa(ids[9])).Equal("type", "entity_tag_added").Equal("entity_type", "contact").Equal("value_after", tag("a"))
		get(itoa(ids[10])).Equal("type", "entity_tag_deleted").Equal("entity_type", "contact")
		get(itoa(ids[11])).Equal("type", "entity_tag_added").Equal("entity_type", "company").Equal("value_after", tag("b"))
		get(itoa(ids[12])).Equal("type", "entity_tag_deleted").Equal("entity_type", "company")
		get(itoa(ids[13])).Equal("type", "name_field_changed").Equal("entity_type", "company")
		get(itoa(ids[14])).Equal("type", "lead_unlinked").Equal("entity_type", "contact")
		get(itoa(ids[15])).Equal("type", "contact_linked").Equal("entity_type", "company")
		// Unsorted entries are Envybox's only.
		nothing(a.api.Get(t, eventsPath+"/"+itoa(ids[16])))
		nothing(a.api.Get(t, eventsPath+"/"+itoa(ids[17])))

		// The custom field's own type alias and its enum filter.
		alias := fmt.Sprintf("?filter[type]=custom_field_%d_value_changed", field.ID)
		a.api.Get(t, eventsPath+alias).HAL(200).Equal("_embedded.events.*.id", []string{itoa(ids[2]) + "-1"})
		a.api.Get(t, eventsPath+alias+"&filter[value_after][custom_field_values]="+itoa(large)).HAL(200).Equal("_embedded.events.*.id", []string{itoa(ids[2]) + "-1"})
		nothing(a.api.Get(t, eventsPath+alias+"&filter[value_after][custom_field_values]="+itoa(small)))
		nothing(a.api.Get(t, fmt.Sprintf("%s?filter[type]=custom_field_%d_value_changed", eventsPath, field.ID+1)))
		a.api.Get(t, eventsPath+"?filter[type]=sale_field_changed&filter[value_after][value]=155").HAL(200).Equal("_embedded.events.*.type", []string{"sale_field_changed"})
		a.api.Get(t, eventsPath+"?filter[type]=contact_linked,lead_unlinked&filter[entity]=lead").HAL(200).Equal("_embedded.events.*.type", []string{"contact_linked"})
		a.api.Get(t, fmt.Sprintf("%s?filter[entity]=contact&filter[entity_id]=%d&with=contact_name", eventsPath, a.contactID)).HAL(200).
			Equal("_embedded.events.0.type", "lead_unlinked").Equal("_embedded.events.0._embedded.entity.name", "Client")
	})
}

// TestV4EventTypes: the dictionary in English and Russian.
func TestV4EventTypes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Types", "")
		en := a.api.Get(t, eventsPath+"/types?language_code=en").HAL(200).Equal("_total_items", 60)
		en.Equal("_embedded.events_types.0", map[string]any{"key": "lead_added", "type": 1, "lang": "New deal"})
		en.Equal("_embedded.events_types.key=lead_deleted", map[string]any{"key": "lead_deleted", "type": 7, "lang": "Deal deleted"})
		a.api.Get(t, eventsPath+"/types?language_code=ru").HAL(200).Equal("_embedded.events_types.0.lang", "Новая сделка")
		a.api.Get(t, eventsPath+"/types").HAL(200).Equal("_embedded.events_types.0.lang", "New deal")
		codes := map[int64]bool{}
		for _, it := range en.List("_embedded.events_types") {
			if codes[it.Int("type")] {
				t.Errorf("type %d twice", it.Int("type"))
			}
			codes[it.Int("type")] = true
		}
		a.api.Get(t, eventsPath+"/types?language_code=de").WantViolations(crmtest.Violated("0", "NotSupportedChoice", "language_code"))
	})
}
