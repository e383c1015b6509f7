package store

import (
	"context"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// A deal keyword (Envybox deal/list) matches the deal's name, its client's
// name, the service and custom values of both and the client's contact
// data. Asking that of every deal in a date window meant six lookups and
// six Unicode foldings per deal: ~130 ms of CPU per page at 100,000 deals,
// ten times that at a million. deals.search_text holds the same texts,
// folded and joined by newlines, so the question becomes one substring test
// per deal, answered from an index that carries the text (SQLite; see
// migration 0011).
//
// The store keeps it: every write of a text it is made of marks the deal,
// or the client whose deals it feeds, and Update recomputes the marked
// deals in one statement just before it commits, inside the same
// transaction, so a search never sees a deal's text out of step with the
// deal.

// searchDirt records what a transaction changed that deal texts are made of.
type searchDirt struct {
	all     bool // a field or an option changed under every deal
	deals   map[int64]bool
	clients map[int64]bool
}

func (t *tenantTx) dirtyDeal(id int64) {
	if t.search.deals == nil {
		t.search.deals = map[int64]bool{}
	}
	t.search.deals[id] = true
}

func (t *tenantTx) dirtyClient(id int64) {
	if t.search.clients == nil {
		t.search.clients = map[int64]bool{}
	}
	t.search.clients[id] = true
}

// dirtyEntity marks what a value of entity id feeds.
func (t *tenantTx) dirtyEntity(entity string, id int64) {
	switch entity {
	case string(crm.EntityDeal):
		t.dirtyDeal(id)
	case string(crm.EntityContact):
		t.dirtyClient(id)
	}
}

// dirtyAll marks every deal when values of a whole field of entity change.
func (t *tenantTx) dirtyAll(entity crm.EntityType) {
	if entity == crm.EntityDeal || entity == crm.EntityContact {
		t.search.all = true
	}
}

// dealSearchText is the SQL expression of a deal's search text; d names
// the deals row.
func (t *tenantTx) dealSearchText() string {
	nl, agg := t.db.dialect.newline(), t.db.dialect.joinLines
	// One lookup per owner, not one with an OR: without statistics (a
	// fresh database, a bulk load) SQLite answered the OR by scanning the
	// account's every value, per deal.
	values := func(table, entity, owner string) string {
		return `COALESCE((SELECT ` + agg("x.value") + ` FROM ` + table + ` x WHERE x.account_id = deals.account_id AND x.entity_type = '` +
			entity + `' AND x.entity_id = ` + owner + `), '')`
	}
	return t.db.dialect.fold(`deals.name || ` + nl + ` || COALESCE((SELECT c.name FROM contacts c WHERE c.account_id = deals.account_id AND c.id = deals.client_id), '')
		|| ` + nl + ` || ` + values("service_values", "leads", "deals.id") + ` || ` + nl + ` || ` + values("service_values", "contacts", "deals.client_id") + `
		|| ` + nl + ` || ` + values("field_values", "leads", "deals.id") + ` || ` + nl + ` || ` + values("field_values", "contacts", "deals.client_id") + `
		|| ` + nl + ` || COALESCE((SELECT ` + agg("cd.value") + ` FROM contact_data cd WHERE cd.account_id = deals.account_id
			AND cd.owner_type = 'contacts' AND cd.owner_id = deals.client_id), '')`)
}

// flushSearch recomputes the search texts a transaction made stale.
func (t *tenantTx) flushSearch(ctx context.Context) error {
	d := &t.search
	if !d.all && len(d.deals) == 0 && len(d.clients) == 0 {
		return nil
	}
	set := `UPDATE deals SET search_text = ` + t.dealSearchText() + ` WHERE account_id = ?`
	if d.all {
		_, err := t.exec(ctx, set, t.accountID)
		t.search = searchDirt{}
		return err
	}
	for _, batch := range []struct {
		column string
		ids    map[int64]bool
	}{{"id", d.deals}, {"client_id", d.clients}} {
		ids := make([]int64, 0, len(batch.ids))
		for id := range batch.ids {
			ids = append(ids, id)
		}
		for len(ids) > 0 {
			n := min(len(ids), 500)
			args := []any{t.accountID}
			for _, id := range ids[:n] {
				args = append(args, id)
			}
			if _, err := t.exec(ctx, set+` AND `+batch.column+` IN (`+placeholders(n)+`)`, args...); err != nil {
				return err
			}
			ids = ids[n:]
		}
	}
	t.search = searchDirt{}
	return nil
}

// keywordMatch is the deal filter for a folded keyword; d names deals. A
// keyword holding a newline could match across two of the joined texts, so
// it takes the exact, slower path instead.
func (t *tenantTx) keywordMatch(kw string) (string, bool) {
	if strings.Contains(kw, "\n") {
		return "", false
	}
	return t.db.dialect.contains("d.search_text"), true
}
