package crm_test

import (
	"testing"

	"github.com/crmd/crmd/internal/crm"
)

// TestNoteOf reads Envybox's call and comment entries as amoCRM notes and
// leaves every other entry alone.
func TestNoteOf(t *testing.T) {
	for _, c := range []struct {
		name string
		e    crm.LogEntry
		ok   bool
		want crm.Note
	}{
		{"deal comment", crm.LogEntry{EntityType: crm.EntityDeal, TypeID: crm.LogDealComment, Data: []byte(`{"comment":"Hi","inbox_name":"Site"}`), UserID: 3},
			true, crm.Note{Kind: crm.NoteCommon, Text: "Hi", CreatedBy: 3}},
		{"service message", crm.LogEntry{EntityType: crm.EntityCompany, TypeID: crm.LogCompanyComment, Data: []byte(`{"comment":"Sent","note_type":"service_message","service":"Bot"}`), EmployeeID: 4, UserID: 3},
			true, crm.Note{Kind: crm.NoteService, Text: "Sent", Service: "Bot", CreatedBy: 4}},
		{"callback", crm.LogEntry{EntityType: crm.EntityDeal, TypeID: crm.LogDealCall, Data: []byte(`{"direction":3,"status":7,"from":"100","to":"+7999","comment":"missed","duration_bill":12,"inbox_name":"PBX"}`)},
			true, crm.Note{Kind: crm.NoteCallOut, Call: crm.CallNote{Phone: "+7999", Status: 6, Result: "missed", Duration: 12, Source: "PBX"}}},
		{"amoCRM call", crm.LogEntry{EntityType: crm.EntityCustomer, TypeID: crm.LogCustomerCall, Data: []byte(`{"direction":1,"status":1,"from":"+1","to":"","call_status":2,"uniq":"u","source":"","created_by":9}`), UserID: 3},
			true, crm.Note{Kind: crm.NoteCallIn, Call: crm.CallNote{Phone: "+1", Status: 2, Uniq: "u"}, CreatedBy: 9}},
		{"deal created", crm.LogEntry{EntityType: crm.EntityDeal, TypeID: crm.LogDealCreated, Data: []byte(`{}`)}, false, crm.Note{}},
		{"inbound comment", crm.LogEntry{EntityType: crm.EntityInbound, TypeID: crm.LogInboundComment, Data: []byte(`{"comment":"x"}`)}, false, crm.Note{}},
		{"a deal's number on a contact", crm.LogEntry{EntityType: crm.EntityContact, TypeID: crm.LogDealComment, Data: []byte(`{"comment":"x"}`)}, false, crm.Note{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := crm.NoteOf(c.e)
			if ok != c.ok {
				t.Fatalf("NoteOf ok %v, want %v", ok, c.ok)
			}
			if !ok {
				return
			}
			got.LogEntry, c.want.LogEntry = crm.LogEntry{}, crm.LogEntry{}
			if got.Kind != c.want.Kind || got.Text != c.want.Text || got.Service != c.want.Service || got.Call != c.want.Call || got.CreatedBy != c.want.CreatedBy {
				t.Errorf("note\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
