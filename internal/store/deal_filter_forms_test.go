package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestDealSearchFieldForms runs field conditions of every owner (deal,
// client, linked lead) and kind (option, checkbox, text, service value,
// name) once as sets and once probed per deal (SQLite, own criteria
// present; see searchWhere): the same deals either way, and not none.
func TestDealSearchFieldForms(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		actor, _ := searchAccount(t, db)
		svc := crm.NewService(db)
		str := func(s string) *string { return &s }
		dealFields, err := svc.AddCustomFields(ctx, actor, crm.EntityDeal, []crm.NewCustomField{
			{Name: str("Источник"), Type: crm.FieldSelect, Enums: []crm.EnumInput{{Value: "Сайт"}, {Value: "Звонок"}, {Value: "Почта"}}},
			{Name: str("Оплачено"), Type: crm.FieldCheckbox},
			{Name: str("Заметка"), Type: crm.FieldText},
		})
		if err != nil {
			t.Fatal(err)
		}
		clientFields, err := svc.AddCustomFields(ctx, actor, crm.EntityContact, []crm.NewCustomField{{Name: str("Город"), Type: crm.FieldText}})
		if err != nil {
			t.Fatal(err)
		}
		leadFields, err := svc.AddCustomFields(ctx, actor, crm.EntityInbound, []crm.NewCustomField{{Name: str("Канал"), Type: crm.FieldText}})
		if err != nil {
			t.Fatal(err)
		}
		source, paid, note := dealFields[0], dealFields[1], dealFields[2]
		// Clients without deals, so that no deal has its client's id.
		for range 5 {
			if _, err := svc.CreateClient(ctx, actor, crm.NewClient{Name: "Без сделок"}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 12 {
			// Every third deal comes from a lead (with its own values and
			// UTM tags), the others are made for a client.
			var dealID, clientID int64
			if i%3 == 0 {
				l, err := svc.CreateInbound(ctx, actor, crm.NewInbound{Values: map[string]string{"name": fmt.Sprintf("Лид %d", i),
					"phone": fmt.Sprintf("7900000000%d", i%10), "utm_source": []string{"google", "yandex"}[i%2]},
					Custom: []crm.CustomValueInput{{FieldID: leadFields[0].ID, Value: []string{"чат", "форма"}[i%2]}}})
				if err != nil {
					t.Fatal(err)
				}
				res, err := svc.StartInbound(ctx, actor, l.ID, crm.Responsible{})
				if err != nil {
					t.Fatal(err)
				}
				dealID, clientID = res.DealID, res.ClientID
			} else {
				c, err := svc.CreateClient(ctx, actor, crm.NewClient{Name: fmt.Sprintf("Клиент %d", i)})
				if err != nil {
					t.Fatal(err)
				}
				if err := svc.UpdateClientValues(ctx, actor, c.ID, crm.Responsible{}, []crm.FieldWrite{
					{FieldID: clientFields[0].ID, Value: []string{"Москва", "Казань"}[i%2]}}); err != nil {
					t.Fatal(err)
				}
				d, err := svc.CreateDeal(ctx, actor, crm.NewDeal{ClientID: c.ID, Name: fmt.Sprintf("Сделка %d", i)})
				if err != nil {
					t.Fatal(err)
				}
				dealID, clientID = d.ID, c.ID
			}
			writes := []crm.FieldWrite{{FieldID: source.ID, Value: float64(source.Enums[i%3].ID)}, {FieldID: note.ID, Value: fmt.Sprintf("заметка %d", i%4)}}
			if i%2 == 0 {
				writes = append(writes, crm.FieldWrite{FieldID: paid.ID, Value: true})
			}
			if err := svc.UpdateDealValues(ctx, actor, dealID, clientID, writes); err != nil {
				t.Fatal(err)
			}
		}
		// The window is read in the account's time zone (Moscow by
		// default), where "today" is already tomorrow in UTC's late
		// evening: a day either side keeps every deal in it at any hour.
		now := time.Now()
		created := crm.DateFilter{Select: crm.SelectCreated, Period: crm.DatePeriod{Type: crm.DatePeriodRange,
			Start: now.AddDate(0, 0, -1).Format(time.DateOnly), End: now.AddDate(0, 0, 1).Format(time.DateOnly)}}
		conditions := map[string]crm.FieldCondition{
			"deal option":      {Entity: crm.EntityDeal, FieldID: source.ID, Value: crm.ListOperand(crm.NumberOperand(float64(source.Enums[1].ID)))},
			"deal checked":     {Entity: crm.EntityDeal, FieldID: paid.ID, Value: crm.BoolOperand(true)},
			"deal not checked": {Entity: crm.EntityDeal, FieldID: paid.ID, Value: crm.BoolOperand(false)},
			"deal text":        {Entity: crm.EntityDeal, FieldID: note.ID, Value: crm.TextOperand("заметка 1")},
			"deal utm":         {Entity: crm.EntityDeal, Service: true, FieldID: 2005, Value: crm.TextOperand("yandex")},
			"client text":      {Entity: crm.EntityContact, FieldID: clientFields[0].ID, Value: crm.TextOperand("казань")},
			"client name":      {Entity: crm.EntityContact, Service: true, FieldID: 1001, Value: crm.TextOperand("клиент 1")},
			"lead text":        {Entity: crm.EntityInbound, FieldID: leadFields[0].ID, Value: crm.TextOperand("форма")},
			"lead utm":         {Entity: crm.EntityInbound, Service: true, FieldID: 5, Value: crm.TextOperand("google")},
			"lead phone":       {Entity: crm.EntityInbound, Service: true, FieldID: 2, Value: crm.TextOperand("79000000006")},
		}
		for name, c := range conditions {
			t.Run(name, func(t *testing.T) {
				search := func(candidates int) []int64 {
					store.SetPerDealCandidates(t, candidates)
					page, err := svc.FilterDeals(ctx, actor, crm.DealFilter{Fields: []crm.FieldCondition{c}, Dates: []crm.DateFilter{created}})
					if err != nil {
						t.Fatal(err)
					}
					return page.AllIDs
				}
				sets, probes := search(0), search(1000)
				if len(sets) == 0 || !slices.Equal(sets, probes) {
					t.Errorf("as sets %v, probed per deal %v", sets, probes)
				}
			})
		}
	})
}
