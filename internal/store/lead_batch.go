package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// The multi-row writes of a batch of new leads (crm.RowBatchStore). A
// 250-lead amoCRM batch wrote each deal, its name, its stage entry, its
// history entries and its tag links row by row: some 2,500 statements, each
// a round trip on PostgreSQL and a statement step on SQLite. These write
// the same rows, with the same ids in the same order, through Bulk's
// multi-row INSERTs (bulk.go), chunked under both databases' limits on
// bound parameters.

// InsertDeals is InsertDeal for many deals: their ids are drawn in order
// from the sequence the single-row insert uses, so they are the ids one
// InsertDeal per deal would have given.
func (t *tenantTx) InsertDeals(ctx context.Context, ds []*crm.Deal) error {
	b := &Bulk{t: t, ctx: ctx}
	return b.withIDs("deals", dealInsertColumns, len(ds),
		func(i int, id int64) {
			d := ds[i]
			d.ID, d.AccountID, d.CreatedAt, d.UpdatedAt = id, t.accountID, t.now, t.now
			t.dirtyDeal(id)
		},
		func(i int, dst []any) []any { return append(dst, dealArgs(ds[i])...) })
}

// InsertLogs is InsertLog for many entries, in order: the first entry of
// the call (none written before) has no batch, the others name it.
func (t *tenantTx) InsertLogs(ctx context.Context, es []*crm.LogEntry) error {
	b := &Bulk{t: t, ctx: ctx}
	return b.withIDs("logs", `entity_type, entity_id, type_id, data, user_id, employee_id, created_at, batch_id`, len(es),
		func(i int, id int64) {
			e := es[i]
			if len(e.Data) == 0 {
				e.Data = []byte(`{}`)
			}
			e.ID, e.AccountID, e.CreatedAt, e.Batch = id, t.accountID, t.now, t.logBatch
			if t.logBatch == 0 {
				t.logBatch = id
			}
		},
		func(i int, dst []any) []any {
			e := es[i]
			return append(dst, string(e.EntityType), e.EntityID, e.TypeID, string(e.Data), e.UserID, e.EmployeeID, unix(t.now), nullID(e.Batch))
		})
}

// RecordStages is RecordStage for many entries, in order.
func (t *tenantTx) RecordStages(ctx context.Context, rows []crm.StageEntry) error {
	b := &Bulk{t: t, ctx: ctx}
	return b.insertRows("deal_stage_history", `deal_id, stage_id, entered_at`, len(rows), func(i int, dst []any) []any {
		return append(dst, rows[i].DealID, rows[i].StageID, unix(rows[i].At))
	})
}

// AddServiceValues is SetServiceValue for values their entities do not
// have yet (its UPDATE would change nothing): the INSERTs alone, in order.
func (t *tenantTx) AddServiceValues(ctx context.Context, rows []crm.ServiceValueWrite) error {
	b := &Bulk{t: t, ctx: ctx}
	return b.insertRows("service_values", `entity_type, entity_id, field_id, value, created_at`, len(rows), func(i int, dst []any) []any {
		r := &rows[i]
		t.dirtyEntity(string(r.Entity), r.EntityID)
		return append(dst, string(r.Entity), r.EntityID, r.FieldID, r.Value, unix(t.now))
	})
}

// AddFieldValues is SetFieldValues for entities that have no values of
// the fields written (its DELETEs would remove nothing), in order.
func (t *tenantTx) AddFieldValues(ctx context.Context, rows []crm.FieldValuesWrite) error {
	var flat []FieldValue
	for _, r := range rows {
		t.dirtyEntity(string(r.Entity), r.EntityID)
		for _, fv := range r.Values {
			for pos, v := range fv.Values {
				flat = append(flat, FieldValue{Entity: r.Entity, EntityID: r.EntityID, FieldID: fv.FieldID, Position: pos, Value: v})
			}
		}
	}
	return (&Bulk{t: t, ctx: ctx}).FieldValues(flat)
}

// AddEntityTags is SetEntityTags for entities that have no tags (its
// DELETE would remove nothing): the links in order, then each tag once
// into its type's dictionary, in the order first named.
func (t *tenantTx) AddEntityTags(ctx context.Context, rows []crm.EntityTagsWrite) error {
	var links []EntityTag
	byEntity := map[crm.EntityType][]int64{}
	seen := map[crm.EntityType]map[int64]bool{}
	var entities []crm.EntityType
	for _, r := range rows {
		if seen[r.Entity] == nil {
			seen[r.Entity] = map[int64]bool{}
			entities = append(entities, r.Entity)
		}
		for pos, tag := range r.TagIDs {
			links = append(links, EntityTag{Entity: r.Entity, EntityID: r.EntityID, TagID: tag, Position: pos})
			if !seen[r.Entity][tag] {
				seen[r.Entity][tag] = true
				byEntity[r.Entity] = append(byEntity[r.Entity], tag)
			}
		}
	}
	if err := (&Bulk{t: t, ctx: ctx}).EntityTags(links); err != nil {
		return err
	}
	for _, e := range entities {
		if err := t.putInDictionary(ctx, e, byEntity[e]); err != nil {
			return err
		}
	}
	return nil
}

// AddContactData is InsertContactData for each row, in order.
func (t *tenantTx) AddContactData(ctx context.Context, rows []*crm.ContactData) error {
	b := &Bulk{t: t, ctx: ctx}
	return b.withIDs("contact_data", contactDataInsertColumns, len(rows),
		func(i int, id int64) {
			c := rows[i]
			t.dirtyEntity(string(c.OwnerType), c.OwnerID)
			c.ID, c.AccountID, c.CreatedAt, c.UpdatedAt = id, t.accountID, t.now, t.now
		},
		func(i int, dst []any) []any { return append(dst, contactDataArgs(rows[i])...) })
}
