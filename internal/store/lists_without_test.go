package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestListsWithoutParts: Service.Deals and Service.Leads asked to leave
// parts of the rows unread (DealQuery.Without, LeadQuery.Without: what
// Envybox's deal/list and amoCRM's leads do not show) give the rows the
// plain call gives with exactly those parts cleared, for every part and
// every combination, on deals that have each part (requests linked,
// service and custom values, tags, a main and other contacts, a loss
// reason) and deals that have none.
func TestListsWithoutParts(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		a := newAccount(t, db, "Without")
		svc := crm.NewService(db)
		actor := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		name := "Заметка"
		fields, err := svc.AddCustomFields(ctx, actor, crm.EntityDeal, []crm.NewCustomField{{Name: &name, Type: crm.FieldText}})
		if err != nil {
			t.Fatal(err)
		}
		reason, err := svc.AddLossReason(ctx, actor, "Дорого", 10)
		if err != nil {
			t.Fatal(err)
		}
		var contacts []int64
		for i := range 3 {
			c, err := svc.CreateClient(ctx, actor, crm.NewClient{Name: fmt.Sprintf("Контакт %d", i)})
			if err != nil {
				t.Fatal(err)
			}
			contacts = append(contacts, c.ID)
		}
		// Deals from requests: linked requests and service values.
		for i := range 2 {
			l, err := svc.CreateInbound(ctx, actor, crm.NewInbound{Values: map[string]string{"name": fmt.Sprintf("Лид %d", i),
				"phone": fmt.Sprintf("7900000000%d", i), "utm_source": "google"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.StartInbound(ctx, actor, l.ID, crm.Responsible{}); err != nil {
				t.Fatal(err)
			}
		}
		// Leads with custom values, tags, contacts and a loss reason, and
		// one with nothing.
		note := func(s string) []crm.FieldValueInput {
			return []crm.FieldValueInput{{FieldID: fields[0].ID, Values: []crm.ValueInput{{Value: s, HasValue: true}}}}
		}
		tags := []crm.TagRef{{Name: "VIP"}, {Name: "Второй"}}
		deal := func(s string) *string { return &s }
		if _, err := svc.AddLeads(ctx, actor, []crm.LeadInput{
			{Name: deal("Богатая"), Fields: note("строка"), Tags: &tags,
				Contacts: []crm.LeadContact{{ID: contacts[0], IsMain: true}, {ID: contacts[2]}, {ID: contacts[1]}},
				Status:   &crm.LeadStatusRef{Status: crm.StageLost}, LossReasonID: &reason.ID},
			{Name: deal("Пустая")},
			{Name: deal("Второй контакт"), Contacts: []crm.LeadContact{{ID: contacts[1]}}, Fields: note("другая"),
				Status: &crm.LeadStatusRef{Status: crm.StageLost}, LossReasonID: &reason.ID},
		}); err != nil {
			t.Fatal(err)
		}

		full, total, err := svc.Deals(ctx, actor, crm.DealQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var has crm.DealPart
		for _, d := range full {
			has |= part(len(d.InboundIDs) > 0, crm.DealPartInbounds) | part(len(d.Values) > 0, crm.DealPartServiceValues) |
				part(len(d.Fields) > 0, crm.DealPartFields) | part(len(d.Tags) > 0, crm.DealPartTags)
		}
		dealParts := crm.DealPartInbounds | crm.DealPartServiceValues | crm.DealPartFields | crm.DealPartTags
		if total != 5 || len(full) != 5 || has != dealParts {
			t.Fatalf("fixture: %d deals of %d, parts %b, want 5 with %b", len(full), total, has, dealParts)
		}
		for without := crm.DealPart(1); without <= dealParts; without++ {
			if without&^dealParts != 0 {
				continue
			}
			got, gotTotal, err := svc.Deals(ctx, actor, crm.DealQuery{Limit: 50, Without: without})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]crm.Deal, len(full))
			for i, d := range full {
				if without&crm.DealPartInbounds != 0 {
					d.InboundIDs = nil
				}
				if without&crm.DealPartServiceValues != 0 {
					d.Values = nil
				}
				if without&crm.DealPartFields != 0 {
					d.Fields = nil
				}
				if without&crm.DealPartTags != 0 {
					d.Tags = nil
				}
				want[i] = d
			}
			if gotTotal != total || !reflect.DeepEqual(got, want) {
				t.Errorf("Deals without %b:\n got %+v\nwant %+v", without, got, want)
			}
		}

		leads, _, err := svc.Leads(ctx, actor, crm.LeadQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var others, lost int
		for _, l := range leads {
			others += len(l.Contacts)
			if l.LossReason != nil {
				lost++
			}
		}
		if len(leads) != 5 || others < 4 || lost != 2 {
			t.Fatalf("fixture: %d leads, %d contacts, %d loss reasons", len(leads), others, lost)
		}
		for _, without := range []crm.DealPart{crm.DealPartContacts, crm.DealPartLossReason, crm.DealPartContacts | crm.DealPartLossReason} {
			got, _, err := svc.Leads(ctx, actor, crm.LeadQuery{Limit: 50, Without: without})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]crm.Lead, len(leads))
			for i, l := range leads {
				if without&crm.DealPartContacts != 0 {
					l.Contacts = nil
				}
				if without&crm.DealPartLossReason != 0 {
					l.LossReason = nil
				}
				want[i] = l
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Leads without %b:\n got %+v\nwant %+v", without, got, want)
			}
		}
	})
}

// part is p when ok, else none.
func part(ok bool, p crm.DealPart) crm.DealPart {
	if ok {
		return p
	}
	return 0
}
