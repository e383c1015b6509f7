package amocrm_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v4 notes (core §6) on SQLite and PostgreSQL: the documents'
// example, each stored type on each entity type, the same notes as
// Envybox's deal comments and calls, the list's filters, every refusal.

// notesOf is the notes path of an entity type, or of one entity.
func notesOf(entity string, id int64) string {
	if id == 0 {
		return "/api/v4/" + entity + "/notes"
	}
	return "/api/v4/" + entity + "/" + itoa(id) + "/notes"
}

// TestV4NotesExample replays core §6.3's request (less the geolocation
// note, a type crmd does not store, which fails the whole batch) and its
// answer, and reads the call back through amoCRM and Envybox.
func TestV4NotesExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Notes")
		call := fmt.Sprintf(`{"entity_id":%d,"note_type":"call_in","responsible_user_id":%d,
			"params":{"uniq":"8f52d38a-5fb3-406d-93a3-a4832dc28f8b","duration":60,"source":"onlinePBX","link":"https://example.com","phone":"+79999999999"}}`,
			a.dealID, a.UserID)
		geo := fmt.Sprintf(`{"entity_id":%d,"note_type":"geolocation","responsible_user_id":%d,
			"params":{"text":"Note with geolocation","address":"Pushkin st.","longitude":"53.714816","latitude":"91.423146"}}`, a.dealID, a.UserID)
		a.api.Post(t, notesOf("leads", 0), "["+call+","+geo+"]").WantViolations(crmtest.Violated("1", "NotSupportedChoice", "note_type"))
		nothing(a.api.Get(t, notesOf("leads", 0)))

		r := a.api.Post(t, notesOf("leads", 0), "["+call+"]").HAL(200).Keys("", "_links", "_embedded").
			Keys("_embedded.notes.0", "id", "entity_id", "request_id", "_links")
		id := r.Int("_embedded.notes.0.id")
		r.Equal("_links.self.href", env.URL+notesOf("leads", 0)).Equal("_embedded.notes.0.entity_id", a.dealID).
			Equal("_embedded.notes.0.request_id", "0").
			Equal("_embedded.notes.0._links.self.href", env.URL+notesOf("leads", a.dealID)+"/"+itoa(id))

		note := a.api.Get(t, notesOf("leads", a.dealID)+"/"+itoa(id)).HAL(200).Keys("", "id", "entity_id", "created_by", "updated_by",
			"created_at", "updated_at", "responsible_user_id", "group_id", "note_type", "params", "account_id", "is_pinned", "_links")
		note.Equal("note_type", "call_in").Equal("entity_id", a.dealID).Equal("responsible_user_id", a.UserID).Equal("created_by", a.UserID).
			Equal("params", map[string]any{"uniq": "8f52d38a-5fb3-406d-93a3-a4832dc28f8b", "duration": 60, "source": "onlinePBX",
				"link": "https://example.com", "phone": "+79999999999"}).Equal("account_id", a.AccountID).Equal("group_id", 0)
		a.api.Get(t, notesOf("leads", 0)+"/"+itoa(id)).HAL(200).Equal("id", id)

		// The same record is Envybox's call entry on the deal (2009).
		log := a.envybox.Get(t, fmt.Sprintf("/openapi/v1/deal/log/list/?deal_id=%d&limit=50", a.dealID)).Envelope(200, "success")
		entry := log.Sub("result.0")
		entry.Equal("id", id).Equal("type_id", 2009).Equal("data.direction", 1).Equal("data.from", "+79999999999").
			Equal("data.record_link", "https://example.com").Equal("data.duration_bill", 60)

		// And its event.
		a.api.Get(t, eventsPath+"/"+itoa(id)).HAL(200).Equal("type", "incoming_call").Equal("entity_type", "lead").
			Equal("value_after", []any{map[string]any{"note": map[string]any{"id": id}}})
	})
}

// TestV4NotesEnvybox: Envybox's comments and calls are notes; a note's
// edit is Envybox's entry's.
func TestV4NotesEnvybox(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Both")
		a.envy(t, "deal/createComment", fmt.Sprintf(`{"deal_id":%d,"comment":"From Envybox"}`, a.dealID))
		a.envy(t, "deal/log/create", fmt.Sprintf(`{"deal_id":%d,"type_id":2009,"data":{"direction":2,"status":2,"from":"100","to":"+7 999 000-00-00","comment":"busy"}}`, a.dealID))
		list := a.api.Get(t, notesOf("leads", a.dealID)).HAL(200)
		list.Equal("_embedded.notes.*.note_type", []string{"common", "call_out"}).
			Equal("_embedded.notes.0.params", map[string]any{"text": "From Envybox"}).
			Equal("_embedded.notes.1.params.phone", "+7 999 000-00-00").Equal("_embedded.notes.1.params.call_status", 7).
			Equal("_embedded.notes.1.params.call_result", "busy")
		comment := list.Int("_embedded.notes.0.id")
		// source is the inbox type's name Envybox writes with the call.
		inbox := a.envybox.Get(t, fmt.Sprintf("/openapi/v1/deal/log/list/?deal_id=%d", a.dealID)).Envelope(200, "success").Str("result.0.data.inbox_name")
		list.Equal("_embedded.notes.1.params.source", inbox)

		// Editing the comment through amoCRM: the bare answer; Envybox reads
		// the new text.
		edit := a.api.Patch(t, notesOf("leads", a.dealID)+"/"+itoa(comment), `{"note_type":"common","params":{"text":"Edited"}}`).HAL(200)
		edit.Keys("", "id", "entity_id", "updated_at", "request_id", "_links").Equal("id", comment).Equal("entity_id", a.dealID).Equal("request_id", "0")
		log := a.envybox.Get(t, fmt.Sprintf("/openapi/v1/deal/log/list/?deal_id=%d", a.dealID)).Envelope(200, "success")
		log.Equal("result.id="+itoa(comment)+".data.comment", "Edited")
		a.api.Get(t, notesOf("leads", a.dealID)+"/"+itoa(comment)).HAL(200).Equal("params.text", "Edited").Equal("updated_by", a.UserID)

		// A service message is a comment for Envybox.
		svc := a.api.Post(t, notesOf("leads", a.dealID), `[{"note_type":"service_message","params":{"service":"Robot","text":"Sent an invoice"}}]`).
			HAL(200).Int("_embedded.notes.0.id")
		a.envybox.Get(t, fmt.Sprintf("/openapi/v1/deal/log/list/?deal_id=%d", a.dealID)).Envelope(200, "success").
			Equal("result.0.id", svc).Equal("result.0.type_id", 2010).Equal("result.0.data.comment", "Sent an invoice")
		a.api.Get(t, eventsPath+"/"+itoa(svc)).HAL(200).Equal("type", "service_note_added")
		a.api.Get(t, eventsPath+"/"+itoa(comment)).HAL(200).Equal("type", "common_note_added")
	})
}

// TestV4NotesEntities: each entity type keeps its own notes; every stored
// type; the list's filters and order.
func TestV4NotesEntities(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Entities")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		cust := addCustomer(t, a.api, `{"name":"Buyer","next_date":1900000000}`)
		for _, c := range []struct {
			entity string
			id     int64
			event  string
		}{{"contacts", a.contactID, "contact"}, {"companies", a.companyID, "company"}, {"customers", cust, "customer"}, {"leads", a.dealID, "lead"}} {
			t.Run(c.entity, func(t *testing.T) {
				r := a.api.Post(t, notesOf(c.entity, c.id), fmt.Sprintf(`[
					{"note_type":"common","params":{"text":"Hello"},"request_id":"c"},
					{"note_type":"call_out","params":{"phone":"+100","duration":5,"call_status":4,"call_result":"sold","call_responsible":"Operator"},"created_by":%[1]d},
					{"note_type":"extended_service_message","params":{"service":"Bot","text":"Long"},"responsible_user_id":%[1]d},
					{"note_type":"call_in","params":{"phone":"+200","link":"http://rec.example/1.mp3","call_responsible":%[2]d},"is_need_to_trigger_digital_pipeline":false}]`,
					member.UserID, a.UserID)).HAL(200).Equal("_embedded.notes.*.request_id", []string{"c", "1", "2", "3"})
				ids := idsOf(r.List("_embedded.notes"))
				list := a.api.Get(t, notesOf(c.entity, c.id)).HAL(200).Equal("_embedded.notes.*.id", ids).
					Equal("_embedded.notes.*.note_type", []string{"common", "call_out", "extended_service_message", "call_in"})
				list.Equal("_embedded.notes.1.params", map[string]any{"uniq": "", "duration": 5, "source": "", "link": "", "phone": "+100",
					"call_status": 4, "call_result": "sold", "call_responsible": "Operator"}).
					Equal("_embedded.notes.1.created_by", member.UserID).Equal("_embedded.notes.1.responsible_user_id", member.UserID).
					Equal("_embedded.notes.2.created_by", a.UserID).Equal("_embedded.notes.2.responsible_user_id", member.UserID).
					Equal("_embedded.notes.2.params", map[string]any{"service": "Bot", "text": "Long"}).
					Equal("_embedded.notes.3.params.call_responsible", a.UserID).Equal("_embedded.notes.3.params.link", "http://rec.example/1.mp3")
				for query, want := range map[string][]int64{
					"?filter[note_type]=call_in":                                    {ids[3]},
					"?filter[note_type][]=call_in&filter[note_type][]=call_out":     {ids[1], ids[3]},
					"?filter[note_type]=common":                                     {ids[0]},
					"?filter[note_type]=common&limit=1&page=1":                      {ids[0]},
					"?filter[id][]=" + itoa(ids[2]):                                 {ids[2]},
					"?order[id]=desc":                                               {ids[3], ids[2], ids[1], ids[0]},
					"?order[updated_at]=asc":                                        {ids[0], ids[1], ids[2], ids[3]},
					"?filter[updated_at]=1":                                         ids,
					"?filter[updated_at][from]=1&filter[updated_at][to]=4000000000": ids,
					"?limit=2&page=2":                                               {ids[2], ids[3]},
				} {
					a.api.Get(t, notesOf(c.entity, c.id)+query).HAL(200).Equal("_embedded.notes.*.id", want)
				}
				a.api.Get(t, notesOf(c.entity, 0)+"?filter[entity_id][]="+itoa(c.id)+"&filter[note_type]=call_out").HAL(200).
					Equal("_embedded.notes.*.id", []int64{ids[1]})
				for _, query := range []string{"?filter[note_type]=sms_in", "?filter[updated_at]=4000000000", "?limit=2&page=3",
					"?filter[note_type]=call_in&page=2&limit=1", "?filter[entity_id]=999999"} {
					path := notesOf(c.entity, c.id)
					if query == "?filter[entity_id]=999999" {
						path = notesOf(c.entity, 0)
					}
					nothing(a.api.Get(t, path+query))
				}
				nothing(a.api.Get(t, notesOf(c.entity, 999999)))
				a.api.Get(t, eventsPath+"/"+itoa(ids[0])).HAL(200).Equal("type", "common_note_added").Equal("entity_type", c.event)
				a.api.Get(t, eventsPath+"/"+itoa(ids[1])).HAL(200).Equal("type", "outgoing_call")
				// Notes of one entity type are not another's.
				other := "leads"
				if c.entity == "leads" {
					other = "contacts"
				}
				nothing(a.api.Get(t, notesOf(other, 0)+"/"+itoa(ids[0])))
				nothing(a.api.Get(t, notesOf(c.entity, c.id+1000)+"/"+itoa(ids[0])))
			})
		}
	})
}

// TestV4NotesRefusals: every refused write and query; a refused batch
// writes nothing.
func TestV4NotesRefusals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Refusals")
		lead := notesOf("leads", a.dealID)
		note := a.api.Post(t, lead, `[{"note_type":"common","params":{"text":"Keep"}}]`).HAL(200).Int("_embedded.notes.0.id")
		call := a.api.Post(t, lead, `[{"note_type":"call_in","params":{"phone":"+1"}}]`).HAL(200).Int("_embedded.notes.0.id")
		for name, c := range map[string]struct {
			path, body string
			want       crmtest.Violation
		}{
			"no text":          {lead, `[{"note_type":"common","params":{}}]`, crmtest.Violated("0", "FieldMissing", "params.text")},
			"no params":        {lead, `[{"note_type":"common"}]`, crmtest.Violated("0", "FieldMissing", "params.text")},
			"no type":          {lead, `[{"params":{"text":"x"}}]`, crmtest.Violated("0", "FieldMissing", "note_type")},
			"sms":              {lead, `[{"note_type":"sms_in","params":{"text":"x","phone":"1"}}]`, crmtest.Violated("0", "NotSupportedChoice", "note_type")},
			"attachment":       {lead, `[{"note_type":"attachment","params":{"file_uuid":"x","file_name":"a"}}]`, crmtest.Violated("0", "NotSupportedChoice", "note_type")},
			"type type":        {lead, `[{"note_type":4,"params":{"text":"x"}}]`, crmtest.Violated("0", "InvalidType", "note_type")},
			"params type":      {lead, `[{"note_type":"common","params":"x"}]`, crmtest.Violated("0", "InvalidType", "params")},
			"text type":        {lead, `[{"note_type":"common","params":{"text":5}}]`, crmtest.Violated("0", "InvalidType", "params.text")},
			"no service":       {lead, `[{"note_type":"service_message","params":{"text":"x"}}]`, crmtest.Violated("0", "FieldMissing", "params.service")},
			"no phone":         {lead, `[{"note_type":"call_out","params":{"duration":1}}]`, crmtest.Violated("0", "FieldMissing", "params.phone")},
			"bad link":         {lead, `[{"note_type":"call_out","params":{"phone":"1","link":"ftp://x"}}]`, crmtest.Violated("0", "InvalidValue", "params.link")},
			"negative":         {lead, `[{"note_type":"call_out","params":{"phone":"1","duration":-5}}]`, crmtest.Violated("0", "OutOfRange", "params.duration")},
			"call status 9":    {lead, `[{"note_type":"call_out","params":{"phone":"1","call_status":9}}]`, crmtest.Violated("0", "NotSupportedChoice", "params.call_status")},
			"call status 0":    {lead, `[{"note_type":"call_out","params":{"phone":"1","call_status":0}}]`, crmtest.Violated("0", "NotSupportedChoice", "params.call_status")},
			"responsible type": {lead, `[{"note_type":"call_out","params":{"phone":"1","call_responsible":[1]}}]`, crmtest.Violated("0", "InvalidType", "params.call_responsible")},
			"unknown user":     {lead, `[{"note_type":"common","params":{"text":"x"},"responsible_user_id":999999}]`, crmtest.Violated("0", "NotSupportedChoice", "responsible_user_id")},
			"unknown author":   {lead, `[{"note_type":"common","params":{"text":"x"},"created_by":999999}]`, crmtest.Violated("0", "NotSupportedChoice", "created_by")},
			"no entity":        {notesOf("leads", 0), `[{"note_type":"common","params":{"text":"x"},"request_id":"r"}]`, crmtest.Violated("r", "FieldMissing", "entity_id")},
			"missing entity":   {notesOf("contacts", 0), `[{"entity_id":999999,"note_type":"common","params":{"text":"x"}}]`, crmtest.Violated("0", "NotSupportedChoice", "entity_id")},
			"missing in path":  {notesOf("companies", 999999), `[{"note_type":"common","params":{"text":"x"}}]`, crmtest.Violated("0", "NotSupportedChoice", "entity_id")},
			"second bad":       {lead, `[{"note_type":"common","params":{"text":"ok"}},{"note_type":"common","params":{"text":" "}}]`, crmtest.Violated("1", "FieldMissing", "params.text")},
			"empty":            {lead, `[]`, crmtest.Violated("0", "FieldMissing", "")},
			"not array":        {lead, `{"note_type":"common"}`, crmtest.Violated("0", "InvalidType", "")},
		} {
			t.Run(name, func(t *testing.T) {
				a.api.Post(t, c.path, c.body).WantViolations(c.want)
			})
		}
		a.api.Get(t, lead).HAL(200).Equal("_embedded.notes.*.id", []int64{note, call}) // nothing new

		for name, c := range map[string]struct {
			path, body string
			want       crmtest.Violation
		}{
			"no id":        {lead, `[{"params":{"text":"x"}}]`, crmtest.Violated("0", "FieldMissing", "id")},
			"unknown id":   {lead, `[{"id":999999,"params":{"text":"x"}}]`, crmtest.Violated("0", "NotSupportedChoice", "id")},
			"other entity": {notesOf("leads", a.dealID+1000), fmt.Sprintf(`[{"id":%d,"params":{"text":"x"}}]`, note), crmtest.Violated("0", "NotSupportedChoice", "id")},
			"type change":  {lead, fmt.Sprintf(`[{"id":%d,"note_type":"call_in","params":{"phone":"1"}}]`, note), crmtest.Violated("0", "InvalidValue", "note_type")},
			"move":         {notesOf("leads", 0), fmt.Sprintf(`[{"id":%d,"entity_id":%d,"params":{"text":"x"}}]`, note, a.dealID+1), crmtest.Violated("0", "InvalidValue", "entity_id")},
			"twice":        {lead, fmt.Sprintf(`[{"id":%d,"params":{"text":"x"}},{"id":%d,"params":{"text":"y"}}]`, note, note), crmtest.Violated("1", "InvalidValue", "id")},
			"blank":        {lead, fmt.Sprintf(`[{"id":%d,"params":{"text":"x"}},{"id":%d,"params":{"phone":""}}]`, note, call), crmtest.Violated("1", "FieldMissing", "params.phone")},
		} {
			t.Run("patch "+name, func(t *testing.T) {
				a.api.Patch(t, c.path, c.body).WantViolations(c.want)
			})
		}
		a.api.Get(t, lead+"/"+itoa(note)).HAL(200).Equal("params.text", "Keep")
		// The batch PATCH, on the path without an entity, echoes request ids.
		a.api.Patch(t, notesOf("leads", 0), fmt.Sprintf(`[{"id":%d,"params":{"text":"New"},"request_id":"n"},{"id":%d,"params":{"phone":"+2","duration":3}}]`, note, call)).
			HAL(200).Equal("_embedded.notes.*.request_id", []string{"n", "1"}).Equal("_embedded.notes.*.entity_id", []int64{a.dealID, a.dealID})
		a.api.Get(t, lead+"/"+itoa(call)).HAL(200).Equal("params.phone", "+2").Equal("params.duration", 3).Equal("note_type", "call_in")
		a.api.Patch(t, notesOf("leads", 0)+"/"+itoa(note), `{"params":{"text":"Single"},"request_id":"s"}`).HAL(200).Equal("request_id", "s")
		a.api.Patch(t, lead+"/999999", `{"params":{"text":"x"}}`).Problem(404)
		a.api.Patch(t, notesOf("contacts", a.contactID)+"/"+itoa(note), `{"params":{"text":"x"}}`).Problem(404)
		nothing(a.api.Get(t, lead+"/999999"))

		// Bad paths and queries.
		a.api.Get(t, "/api/v4/leads/abc/notes").Problem(404)
		a.api.Get(t, "/api/v4/leads/5/things").Problem(404)
		a.api.Get(t, "/api/v4/catalogs/notes").Problem(404)
		a.api.Delete(t, lead+"/"+itoa(note)).Problem(405)
		for query, path := range map[string]string{
			"?filter[note_type]=letter": "filter[note_type]",
			"?filter[entity_id]=1":      "filter[entity_id]",
			"?order[created_at]=asc":    "order[created_at]",
			"?filter[id]=x":             "filter[id]",
			"?limit=300":                "limit",
		} {
			wantViolationAt(t, a.api.Get(t, lead+query), query, path)
		}
		for _, c := range badClients(env, a.account) {
			c.api.Get(t, lead).Problem(401)
		}
		other := newAccount(t, env, "Other", "")
		nothing(other.api.Get(t, notesOf("leads", 0)))
		nothing(other.api.Get(t, notesOf("leads", 0)+"/"+itoa(note)))
		other.api.Patch(t, lead+"/"+itoa(note), `{"params":{"text":"x"}}`).Problem(404)
		other.api.Post(t, lead, `[{"note_type":"common","params":{"text":"x"}}]`).WantViolations(crmtest.Violated("0", "NotSupportedChoice", "entity_id"))
	})
}
