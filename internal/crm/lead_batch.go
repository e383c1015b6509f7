package crm

import (
	"context"
	"time"
)

// A batch of new leads (amoCRM's POST /api/v4/leads, up to 250 a request,
// and /leads/complex) wrote each lead's rows one statement at a time: the
// deal, its name (an UPDATE finding nothing, then an INSERT), its stage
// entry, its history entries, its tag links (after a DELETE of the links a
// new deal cannot have) and dictionary entry, its custom values: nine
// statements for a lead with a tag, 2,250 a batch — on PostgreSQL as many
// round trips. addLeads now validates every lead first, inserts the deals
// in multi-row statements, runs each lead's remaining writes against
// rowBuffer, which holds back the rows those writes add, and writes them
// per table in multi-row statements. A complex batch does the same for its
// new contacts' phones, emails and history entries, and links the leads to
// the contacts and companies it made without looking them up. The rows,
// their ids and their order are those of the row-by-row path
// (TestLeadBatchRowsMatch compares every table): ids come from each
// table's sequence in the order the rows would have been inserted, and the
// buffer keeps that order.

// RowBatchStore writes rows of many records in multi-row statements, for a
// batch of new leads. Each method is what its row-by-row counterpart does
// for rows that do not exist yet, in the order given.
type RowBatchStore interface {
	// InsertDeals is InsertDeal for each deal, in order.
	InsertDeals(ctx context.Context, ds []*Deal) error
	// InsertLogs is InsertLog for each entry, in order.
	InsertLogs(ctx context.Context, es []*LogEntry) error
	// RecordStages is RecordStage for each entry, in order.
	RecordStages(ctx context.Context, rows []StageEntry) error
	// AddServiceValues is SetServiceValue for values not set yet.
	AddServiceValues(ctx context.Context, rows []ServiceValueWrite) error
	// AddFieldValues is SetFieldValues for entities without values of
	// the fields given.
	AddFieldValues(ctx context.Context, rows []FieldValuesWrite) error
	// AddEntityTags is SetEntityTags for entities without tags.
	AddEntityTags(ctx context.Context, rows []EntityTagsWrite) error
	// AddContactData is InsertContactData for each row, in order.
	AddContactData(ctx context.Context, rows []*ContactData) error
}

// StageEntry is one row of a deal's stage history: it entered StageID At.
type StageEntry struct {
	DealID, StageID int64
	At              time.Time
}

// ServiceValueWrite is one SetServiceValue call.
type ServiceValueWrite struct {
	Entity   EntityType
	EntityID int64
	FieldID  int64
	Value    string
}

// FieldValuesWrite is one SetFieldValues call.
type FieldValuesWrite struct {
	Entity   EntityType
	EntityID int64
	Values   []FieldValue
}

// EntityTagsWrite is one SetEntityTags call.
type EntityTagsWrite struct {
	Entity   EntityType
	EntityID int64
	TagIDs   []int64
}

// rowByRowLeads makes addLeads write lead by lead, as before the multi-row
// path: the tests compare the two.
var rowByRowLeads = false

// rowBuffer is a Tx that holds back the rows a batch's writes add for the
// deals it created (fresh) — and, whoever they are for, history entries,
// stage entries and contact data (phones, emails), which nothing in the
// batch reads back — and writes them per table in flush. A write it
// cannot hold back (another entity's, or a second one of the same kind for
// one deal, whose row-by-row form would find the first) flushes what it
// holds first, so each table gets its rows in the order they were written.
// Reads of what it holds are answered without the store only where the
// answer is known (a fresh deal has no custom values); the lead code reads
// nothing else it writes.
type rowBuffer struct {
	Tx
	fresh  map[int64]bool
	logs   []*LogEntry
	stages []StageEntry
	names  []ServiceValueWrite
	values []FieldValuesWrite
	tags   []EntityTagsWrite
	// contactData are the phones and emails of the contacts a complex
	// batch made.
	contactData []*ContactData
	// named, valued and tagged are the fresh deals whose service value,
	// custom values or tags are held.
	named  map[[2]int64]bool
	valued map[int64]bool
	tagged map[int64]bool
}

// newRowBuffer returns a rowBuffer over tx for the deals just inserted.
func newRowBuffer(tx Tx, deals []*Deal) *rowBuffer {
	b := &rowBuffer{Tx: tx, fresh: make(map[int64]bool, len(deals)), named: map[[2]int64]bool{}, valued: map[int64]bool{}, tagged: map[int64]bool{}}
	for _, d := range deals {
		b.fresh[d.ID] = true
	}
	return b
}

// InsertLog holds e back; its id is set when flush writes it.
func (b *rowBuffer) InsertLog(_ context.Context, e *LogEntry) error {
	b.logs = append(b.logs, e)
	return nil
}

// InsertContactData holds c back; its id is set when flush writes it.
func (b *rowBuffer) InsertContactData(_ context.Context, c *ContactData) error {
	b.contactData = append(b.contactData, c)
	return nil
}

// RecordStage holds the entry back.
func (b *rowBuffer) RecordStage(_ context.Context, dealID, stageID int64, at time.Time) error {
	b.stages = append(b.stages, StageEntry{DealID: dealID, StageID: stageID, At: at})
	return nil
}

// SetServiceValue holds back a fresh deal's first value of a field.
func (b *rowBuffer) SetServiceValue(ctx context.Context, entity EntityType, id, fieldID int64, value string) error {
	key := [2]int64{id, fieldID}
	if entity != EntityDeal || !b.fresh[id] || b.named[key] {
		if err := b.flush(ctx); err != nil {
			return err
		}
		return b.Tx.SetServiceValue(ctx, entity, id, fieldID, value)
	}
	b.named[key] = true
	b.names = append(b.names, ServiceValueWrite{Entity: entity, EntityID: id, FieldID: fieldID, Value: value})
	return nil
}

// SetFieldValues holds back a fresh deal's first custom values.
func (b *rowBuffer) SetFieldValues(ctx context.Context, entity EntityType, id int64, values []FieldValue) error {
	if entity != EntityDeal || !b.fresh[id] || b.valued[id] {
		if err := b.flush(ctx); err != nil {
			return err
		}
		return b.Tx.SetFieldValues(ctx, entity, id, values)
	}
	b.valued[id] = true
	b.values = append(b.values, FieldValuesWrite{Entity: entity, EntityID: id, Values: values})
	return nil
}

// FieldValues answers for fresh deals without values held: they have none.
func (b *rowBuffer) FieldValues(ctx context.Context, entity EntityType, ids []int64) (map[int64][]FieldValue, error) {
	known := entity == EntityDeal
	for _, id := range ids {
		known = known && b.fresh[id] && !b.valued[id]
	}
	if known {
		return map[int64][]FieldValue{}, nil
	}
	if err := b.flush(ctx); err != nil {
		return nil, err
	}
	return b.Tx.FieldValues(ctx, entity, ids)
}

// SetEntityTags holds back a fresh deal's first tag links.
func (b *rowBuffer) SetEntityTags(ctx context.Context, entity EntityType, id int64, tagIDs []int64) error {
	if entity != EntityDeal || !b.fresh[id] || b.tagged[id] {
		if err := b.flush(ctx); err != nil {
			return err
		}
		return b.Tx.SetEntityTags(ctx, entity, id, tagIDs)
	}
	b.tagged[id] = true
	b.tags = append(b.tags, EntityTagsWrite{Entity: entity, EntityID: id, TagIDs: tagIDs})
	return nil
}

// EntityTags reads after writing what b holds.
func (b *rowBuffer) EntityTags(ctx context.Context, entity EntityType, ids []int64) (map[int64][]Tag, error) {
	if err := b.flush(ctx); err != nil {
		return nil, err
	}
	return b.Tx.EntityTags(ctx, entity, ids)
}

// flush writes what b holds, table by table.
func (b *rowBuffer) flush(ctx context.Context) error {
	if len(b.names) > 0 {
		if err := b.Tx.AddServiceValues(ctx, b.names); err != nil {
			return err
		}
		b.names = nil
	}
	if len(b.stages) > 0 {
		if err := b.Tx.RecordStages(ctx, b.stages); err != nil {
			return err
		}
		b.stages = nil
	}
	if len(b.contactData) > 0 {
		if err := b.Tx.AddContactData(ctx, b.contactData); err != nil {
			return err
		}
		b.contactData = nil
	}
	if len(b.logs) > 0 {
		if err := b.Tx.InsertLogs(ctx, b.logs); err != nil {
			return err
		}
		b.logs = nil
	}
	if len(b.values) > 0 {
		if err := b.Tx.AddFieldValues(ctx, b.values); err != nil {
			return err
		}
		b.values = nil
	}
	if len(b.tags) > 0 {
		if err := b.Tx.AddEntityTags(ctx, b.tags); err != nil {
			return err
		}
		b.tags = nil
	}
	return nil
}
