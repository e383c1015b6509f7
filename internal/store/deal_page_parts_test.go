package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestPagePartsMatchSeparateReads: a page of Tx.Deals and Tx.Leads read
// with its parts in the page's statement (DealQuery.Parts,
// LeadQuery.Parts) is the page read without them, with each part then
// read a statement at a time (DealInbounds, ServiceValues, FieldValues,
// EntityTags, as crm's loadDealDetails and loadLeads did), value for
// value: for every combination of parts, through each path a page takes
// (the kept count with the page walk, the plain count, the keyword
// list), on deals with hostile text (quotes, backslashes, JSON and HTML
// syntax, tabs and line breaks, Cyrillic, emoji, empty and blank values),
// many custom fields with several values each, enums, and deals with no
// part at all; on both databases.
func TestPagePartsMatchSeparateReads(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		a := newAccount(t, db, "Parts")
		svc := crm.NewService(db)
		actor := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		hostile := []string{`"quoted" 'single' \back\slash`, `{"json":[1,2]}`, "tab\tnew\nline\r", `</script><b>&amp;`,
			"Сделка «ёлка» — 🎄 emoji", "", " ", `\u0000 literal`, "ends with backslash \\"}
		var fields []crm.CustomField
		for i := range 12 {
			name := fmt.Sprintf("Поле %d %s", i, hostile[i%len(hostile)])
			typ := crm.FieldText
			var enums []crm.EnumInput
			switch i % 4 {
			case 1:
				typ = crm.FieldNumeric
			case 2:
				typ = crm.FieldMultiselect
				enums = []crm.EnumInput{{Value: `A "1"`, Code: "c_1"}, {Value: "Б\\2"}, {Value: "🎄"}}
			}
			f, err := svc.AddCustomFields(ctx, actor, crm.EntityDeal, []crm.NewCustomField{{Name: &name, Type: typ, Code: fmt.Sprintf("C%d", i), Enums: enums}})
			if err != nil {
				t.Fatal(err)
			}
			fields = append(fields, f...)
		}
		// Deals from requests: linked requests and service values.
		for i := range 3 {
			l, err := svc.CreateInbound(ctx, actor, crm.NewInbound{Values: map[string]string{"name": "Лид " + hostile[i],
				"phone": fmt.Sprintf("7900000000%d", i), "utm_source": hostile[(i+3)%len(hostile)], "comment": hostile[(i+4)%len(hostile)]}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.StartInbound(ctx, actor, l.ID, crm.Responsible{}); err != nil {
				t.Fatal(err)
			}
		}
		str := func(s string) *string { return &s }
		var leads []crm.LeadInput
		for i := range 40 {
			in := crm.LeadInput{Name: str(fmt.Sprintf("%d %s", i, hostile[i%len(hostile)]))}
			if i%5 != 4 { // every fifth deal has no part at all
				for j, f := range fields {
					if (i+j)%3 == 0 {
						continue
					}
					var values []crm.ValueInput
					switch f.Type {
					case crm.FieldNumeric:
						values = []crm.ValueInput{{Value: fmt.Sprint(i*10 + j), HasValue: true}}
					case crm.FieldMultiselect:
						values = []crm.ValueInput{{EnumID: f.Enums[(i+j)%3].ID}, {EnumID: f.Enums[(i+j+1)%3].ID}}
					default:
						values = []crm.ValueInput{{Value: hostile[(i+j)%len(hostile)] + fmt.Sprint(j), HasValue: true}}
					}
					in.Fields = append(in.Fields, crm.FieldValueInput{FieldID: f.ID, Values: values})
				}
				tags := []crm.TagRef{{Name: "тег " + hostile[i%len(hostile)]}, {Name: fmt.Sprintf("t%d", i%4)}}
				in.Tags = &tags
			}
			leads = append(leads, in)
		}
		added, err := svc.AddLeads(ctx, actor, leads)
		if err != nil {
			t.Fatal(err)
		}
		pipelineID, stageID := added[0].PipelineID, added[0].StageID
		from, to := time.Now().Add(-time.Hour).Unix(), time.Now().Add(time.Hour).Unix()
		window := crm.Range{From: &from, To: &to}

		dealParts := crm.DealPartInbounds | crm.DealPartServiceValues | crm.DealPartFields | crm.DealPartTags
		queries := []crm.DealQuery{
			{Limit: 50},
			{Limit: 7, Offset: 3},
			{StageIDs: []int64{stageID}, DateField: "created", Dates: window, Limit: 50},
			{PipelineIDs: []int64{pipelineID}, DateField: "updated", Dates: window, Limit: 20, Offset: 1},
			{Keyword: "сделка", Limit: 50},
			{Keyword: "лид", Limit: 50},
		}
		var has crm.DealPart
		for _, q := range queries {
			for parts := crm.DealPart(0); parts <= dealParts; parts++ {
				if parts&^dealParts != 0 {
					continue
				}
				var got, want []crm.Deal
				var gotTotal, wantTotal int
				err := db.View(ctx, a.AccountID, func(tx crm.Tx) (err error) {
					withParts := q
					withParts.Parts = parts
					if got, gotTotal, err = tx.Deals(ctx, withParts); err != nil {
						return err
					}
					if want, wantTotal, err = tx.Deals(ctx, q); err != nil {
						return err
					}
					return separateReads(ctx, tx, want, parts)
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatalf("query %+v: no deals", q)
				}
				for _, d := range want {
					has |= part(len(d.InboundIDs) > 0, crm.DealPartInbounds) | part(len(d.Values) > 0, crm.DealPartServiceValues) |
						part(len(d.Fields) > 0, crm.DealPartFields) | part(len(d.Tags) > 0, crm.DealPartTags)
				}
				if gotTotal != wantTotal || !reflect.DeepEqual(got, want) {
					t.Errorf("Deals %+v with parts %b:\n got %d %+v\nwant %d %+v", q, parts, gotTotal, got, wantTotal, want)
				}
			}
		}
		if has != dealParts {
			t.Fatalf("fixture: parts %b, want %b", has, dealParts)
		}

		leadParts := crm.DealPartFields | crm.DealPartTags
		for _, q := range []crm.LeadQuery{
			{Limit: 50},
			{Limit: 9, Offset: 4, Desc: true},
			{Statuses: []crm.LeadStatusRef{{PipelineID: pipelineID, StageID: stageID}}, CreatedAt: window,
				ResponsibleUserIDs: []int64{a.UserID}, Limit: 50},
			{OrderBy: "created_at", Limit: 50},
			{Search: "ёлка", Limit: 50},
		} {
			for _, parts := range []crm.DealPart{0, crm.DealPartFields, crm.DealPartTags, leadParts} {
				var got, want []crm.Deal
				var gotMore, wantMore bool
				err := db.View(ctx, a.AccountID, func(tx crm.Tx) (err error) {
					withParts := q
					withParts.Parts = parts
					if got, gotMore, err = tx.Leads(ctx, withParts); err != nil {
						return err
					}
					if want, wantMore, err = tx.Leads(ctx, q); err != nil {
						return err
					}
					return separateReads(ctx, tx, want, parts)
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatalf("lead query %+v: no leads", q)
				}
				if gotMore != wantMore || !reflect.DeepEqual(got, want) {
					t.Errorf("Leads %+v with parts %b:\n got %+v\nwant %+v", q, parts, got, want)
				}
			}
		}
	})
}

// separateReads fills the parts of list named in parts a statement each,
// as crm's loadDealDetails does.
func separateReads(ctx context.Context, tx crm.Tx, list []crm.Deal, parts crm.DealPart) error {
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	var (
		inbounds map[int64][]int64
		values   map[int64][]crm.ServiceValue
		fields   map[int64][]crm.FieldValue
		tags     map[int64][]crm.Tag
		err      error
	)
	if parts&crm.DealPartInbounds != 0 {
		if inbounds, err = tx.DealInbounds(ctx, ids); err != nil {
			return err
		}
	}
	if parts&crm.DealPartServiceValues != 0 {
		if values, err = tx.ServiceValues(ctx, crm.EntityDeal, ids); err != nil {
			return err
		}
	}
	if parts&crm.DealPartFields != 0 {
		if fields, err = tx.FieldValues(ctx, crm.EntityDeal, ids); err != nil {
			return err
		}
	}
	if parts&crm.DealPartTags != 0 {
		if tags, err = tx.EntityTags(ctx, crm.EntityDeal, ids); err != nil {
			return err
		}
	}
	for i := range list {
		d := &list[i]
		d.InboundIDs, d.Values, d.Fields, d.Tags = inbounds[d.ID], values[d.ID], fields[d.ID], tags[d.ID]
	}
	return nil
}
