package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Bulk loads many rows into one account inside one write transaction. Rows
// go in multi-row INSERT statements with their ids reserved up front, so a
// batch of thousands costs a few statements instead of thousands of
// round trips, and none of the service's per-item reads and checks run.
//
// It is the path for seeding (the benchmark) and for imports: the caller
// hands over rows that are already consistent (stage ids of the right
// pipeline, existing clients, service values a create would have written).
// Tenant isolation holds as everywhere else in the store: every row is
// written with the transaction's account id, whatever the struct says.
type Bulk struct {
	t   *tenantTx
	ctx context.Context
	buf []any
}

// Bulk runs fn in one write transaction of the account: everything fn loads
// lands together or not at all, with the deals' search texts brought up to
// date at the end as after any write (deal_search.go).
// On PostgreSQL a large load should call Bulk.Analyze in its first batches. Keep one call to some tens of thousands of
// rows; a seed of millions is many calls.
func (db *DB) Bulk(ctx context.Context, accountID int64, fn func(*Bulk) error) error {
	return db.Update(ctx, accountID, func(tx crm.Tx) error {
		return fn(&Bulk{t: tx.(*tenantTx), ctx: ctx})
	})
}

// bulkMaxParams keeps one statement under both databases' limits on bound
// parameters (SQLite 32,766; PostgreSQL 65,535).
const bulkMaxParams = 30_000

// bulkMaxRows caps rows per statement: beyond a few hundred rows a longer
// statement saves nothing measurable and costs memory to build.
const bulkMaxRows = 500

// columnCount counts the columns of a comma-separated column list.
func columnCount(columns string) int { return strings.Count(columns, ",") + 1 }

// insertRows writes n rows into table. args appends row i's values, in
// columns' order without account_id, to dst; account_id is added last.
func (b *Bulk) insertRows(table, columns string, n int, args func(i int, dst []any) []any) error {
	if n == 0 {
		return nil
	}
	cols := columnCount(columns) + 1
	per := min(bulkMaxRows, bulkMaxParams/cols)
	row := "(" + placeholders(cols) + ")"
	var stmt *sql.Stmt
	stmtRows := 0
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	for start := 0; start < n; start += per {
		k := min(per, n-start)
		if k != stmtRows {
			if stmt != nil {
				stmt.Close()
			}
			q := `INSERT INTO ` + table + ` (` + columns + `, account_id) VALUES ` + strings.Repeat(row+", ", k-1) + row
			var err error
			if stmt, err = b.t.tx.PrepareContext(b.ctx, b.t.db.dialect.rebind(q)); err != nil {
				return err
			}
			stmtRows = k
		}
		b.buf = b.buf[:0]
		for i := start; i < start+k; i++ {
			b.buf = append(args(i, b.buf), b.t.accountID)
		}
		if _, err := stmt.ExecContext(b.ctx, b.buf...); err != nil {
			return err
		}
	}
	return nil
}

// reserveIDs returns n fresh ids of table, taken from the same sequence the
// single-row inserts use, so bulk rows and later rows never collide.
func (b *Bulk) reserveIDs(table string, n int) ([]int64, error) {
	return b.t.db.dialect.reserveIDs(b.ctx, b.t.tx, table, n)
}

// stamp fills zero creation and update times with the transaction's clock.
func (b *Bulk) stamp(created, updated *time.Time) {
	if created.IsZero() {
		*created = b.t.now
	}
	if updated.IsZero() {
		*updated = *created
	}
}

// withIDs reserves ids for n rows, hands each to set, then inserts the rows
// with their ids as the first column.
func (b *Bulk) withIDs(table, columns string, n int, set func(i int, id int64), args func(i int, dst []any) []any) error {
	ids, err := b.reserveIDs(table, n)
	if err != nil {
		return err
	}
	for i, id := range ids {
		set(i, id)
	}
	return b.insertRows(table, "id, "+columns, n, func(i int, dst []any) []any {
		return args(i, append(dst, ids[i]))
	})
}

// Contacts inserts clients (amoCRM contacts), setting each one's ID.
func (b *Bulk) Contacts(cs []crm.Contact) error {
	return b.withIDs("contacts", contactInsertColumns, len(cs),
		func(i int, id int64) {
			cs[i].ID, cs[i].AccountID = id, b.t.accountID
			b.stamp(&cs[i].CreatedAt, &cs[i].UpdatedAt)
		},
		func(i int, dst []any) []any { return append(dst, contactArgs(&cs[i])...) })
}

// ContactData inserts phones, emails and other contact rows, setting IDs.
func (b *Bulk) ContactData(cd []crm.ContactData) error {
	return b.withIDs("contact_data", contactDataInsertColumns, len(cd),
		func(i int, id int64) {
			b.t.dirtyEntity(string(cd[i].OwnerType), cd[i].OwnerID)
			cd[i].ID, cd[i].AccountID = id, b.t.accountID
			b.stamp(&cd[i].CreatedAt, &cd[i].UpdatedAt)
		},
		func(i int, dst []any) []any { return append(dst, contactDataArgs(&cd[i])...) })
}

// Deals inserts deals, setting IDs. Unlike UpdateDeal it writes
// closest_task_at and with_event as given, so a seed with tasks states them
// itself instead of a sync per deal.
func (b *Bulk) Deals(ds []crm.Deal) error {
	return b.withIDs("deals", dealInsertColumns+`, closest_task_at`, len(ds),
		func(i int, id int64) {
			b.t.dirtyDeal(id)
			ds[i].ID, ds[i].AccountID = id, b.t.accountID
			b.stamp(&ds[i].CreatedAt, &ds[i].UpdatedAt)
		},
		func(i int, dst []any) []any {
			return append(append(dst, dealArgs(&ds[i])...), nullTime(ds[i].ClosestTaskAt))
		})
}

// StageEntry is one row of a deal's stage history: it entered StageID At.
type StageEntry struct {
	DealID, StageID int64
	At              time.Time
}

// StageHistory inserts stage-history rows.
func (b *Bulk) StageHistory(rows []StageEntry) error {
	return b.insertRows("deal_stage_history", `deal_id, stage_id, entered_at`, len(rows), func(i int, dst []any) []any {
		return append(dst, rows[i].DealID, rows[i].StageID, unix(rows[i].At))
	})
}

// Inbounds inserts inbound requests (Envybox leads), setting IDs.
func (b *Bulk) Inbounds(ls []crm.Inbound) error {
	return b.withIDs("inbounds", inboundInsertColumns, len(ls),
		func(i int, id int64) {
			ls[i].ID, ls[i].AccountID = id, b.t.accountID
			b.stamp(&ls[i].CreatedAt, &ls[i].UpdatedAt)
			if ls[i].StageUpdatedAt.IsZero() {
				ls[i].StageUpdatedAt = ls[i].CreatedAt
			}
		},
		func(i int, dst []any) []any { return append(dst, inboundArgs(&ls[i])...) })
}

// InboundDeal links an inbound request to the deal it became.
type InboundDeal struct{ InboundID, DealID int64 }

// InboundDeals inserts inbound-to-deal links.
func (b *Bulk) InboundDeals(rows []InboundDeal) error {
	return b.insertRows("inbound_deals", `inbound_id, deal_id`, len(rows), func(i int, dst []any) []any {
		return append(dst, rows[i].InboundID, rows[i].DealID)
	})
}

// ServiceValue is one built-in (service) field value of an entity.
type ServiceValue struct {
	Entity   crm.EntityType
	EntityID int64
	FieldID  int64
	Value    string
	At       time.Time // zero: the transaction's clock
}

// ServiceValues inserts service values; at most one per entity and field.
func (b *Bulk) ServiceValues(rows []ServiceValue) error {
	return b.insertRows("service_values", `entity_type, entity_id, field_id, value, created_at`, len(rows), func(i int, dst []any) []any {
		r := &rows[i]
		b.t.dirtyEntity(string(r.Entity), r.EntityID)
		at := r.At
		if at.IsZero() {
			at = b.t.now
		}
		return append(dst, string(r.Entity), r.EntityID, r.FieldID, r.Value, unix(at))
	})
}

// FieldValue is one value of a custom field of an entity; a multi-valued
// field has one row per value, numbered by Position.
type FieldValue struct {
	Entity   crm.EntityType
	EntityID int64
	FieldID  int64
	Position int
	Value    crm.Value
}

// FieldValues inserts custom field values.
func (b *Bulk) FieldValues(rows []FieldValue) error {
	return b.insertRows("field_values", `entity_type, entity_id, field_id, position, value, enum_id, subtype`, len(rows), func(i int, dst []any) []any {
		r := &rows[i]
		b.t.dirtyEntity(string(r.Entity), r.EntityID)
		return append(dst, string(r.Entity), r.EntityID, r.FieldID, r.Position, r.Value.Text, nullID(r.Value.EnumID), r.Value.Subtype)
	})
}

// EntityTag puts a tag on an entity.
type EntityTag struct {
	Entity   crm.EntityType
	EntityID int64
	TagID    int64
	Position int
}

// EntityTags inserts tag links.
func (b *Bulk) EntityTags(rows []EntityTag) error {
	return b.insertRows("entity_tags", `entity_type, entity_id, tag_id, position`, len(rows), func(i int, dst []any) []any {
		r := &rows[i]
		return append(dst, string(r.Entity), r.EntityID, r.TagID, r.Position)
	})
}

// Tasks inserts deal tasks, setting IDs. The deals' closest_task_at is the
// caller's to state (see Deals).
func (b *Bulk) Tasks(ts []crm.Task) error {
	return b.withIDs("tasks", taskInsertColumns, len(ts),
		func(i int, id int64) {
			ts[i].ID, ts[i].AccountID = id, b.t.accountID
			b.stamp(&ts[i].CreatedAt, &ts[i].UpdatedAt)
		},
		func(i int, dst []any) []any { return append(dst, taskArgs(&ts[i])...) })
}

// Customers inserts customers, setting IDs; their contacts and segments go
// through CustomerContacts and CustomerSegments.
func (b *Bulk) Customers(cs []crm.Customer) error {
	return b.withIDs("customers", customerInsertColumns, len(cs),
		func(i int, id int64) {
			cs[i].ID, cs[i].AccountID = id, b.t.accountID
			b.stamp(&cs[i].CreatedAt, &cs[i].UpdatedAt)
		},
		func(i int, dst []any) []any { return append(dst, customerArgs(&cs[i])...) })
}

// CustomerContact links a contact to a customer.
type CustomerContact struct {
	CustomerID, ContactID int64
	IsMain                bool
	Position              int
}

// CustomerContacts inserts customer-contact links.
func (b *Bulk) CustomerContacts(rows []CustomerContact) error {
	return b.insertRows("customer_contacts", `customer_id, contact_id, is_main, position`, len(rows), func(i int, dst []any) []any {
		r := &rows[i]
		return append(dst, r.CustomerID, r.ContactID, r.IsMain, r.Position)
	})
}

// CustomerSegment puts a customer in a segment.
type CustomerSegment struct{ CustomerID, SegmentID int64 }

// CustomerSegments inserts segment memberships.
func (b *Bulk) CustomerSegments(rows []CustomerSegment) error {
	return b.insertRows("customer_segments", `customer_id, segment_id`, len(rows), func(i int, dst []any) []any {
		b.t.dirtySegment(rows[i].SegmentID)
		return append(dst, rows[i].CustomerID, rows[i].SegmentID)
	})
}

// Transactions inserts customer purchases, setting IDs. The customers'
// LTV, purchase count, average check and last purchase are the caller's to
// state (see Customers), as the service would have computed them.
func (b *Bulk) Transactions(ts []crm.Transaction) error {
	return b.withIDs("transactions", transactionInsertColumns, len(ts),
		func(i int, id int64) {
			ts[i].ID, ts[i].AccountID = id, b.t.accountID
			b.stamp(&ts[i].CreatedAt, &ts[i].UpdatedAt)
		},
		func(i int, dst []any) []any { return append(dst, transactionArgs(&ts[i])...) })
}

// Analyze refreshes PostgreSQL's statistics inside the load's transaction,
// before the search texts are computed at its end. With the statistics of
// an empty or small account its planner took indexes that cover a column
// too few and read the whole account for every deal (20,000 deals took
// 76 s); a loader should call it after its first batches. SQLite's plans
// for the load do not depend on statistics, and its ANALYZE reads whole
// tables, so there it does nothing.
func (b *Bulk) Analyze() error {
	if b.t.db.dialect.name() != "postgres" {
		return nil
	}
	_, err := b.t.exec(b.ctx, `ANALYZE`)
	return err
}

// Analyze refreshes the planner's statistics after a load, as autovacuum
// would some time later on PostgreSQL; SQLite's planner uses them too.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}
