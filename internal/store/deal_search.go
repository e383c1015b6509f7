package store

import (
	"context"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

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

// empty reports whether d marks nothing.
func (d *searchDirt) empty() bool {
	return !d.all && len(d.deals) == 0 && len(d.clients) == 0
}

// merge adds the marks of o to d.
func (d *searchDirt) merge(o searchDirt) {
	d.all = d.all || o.all
	for id := range o.deals {
		if d.deals == nil {
			d.deals = map[int64]bool{}
		}
		d.deals[id] = true
	}
	for id := range o.clients {
		if d.clients == nil {
			d.clients = map[int64]bool{}
		}
		d.clients[id] = true
	}
}

// flushGroupSearch recomputes, before a keyword read inside a shared write
// transaction, the search texts the calls before this one marked: the
// write path recomputes them once before COMMIT (writer.go), and a keyword
// read in between must not see them stale. They stay marked: if this call
// fails, its savepoint's rollback undoes the recomputation too.
func (t *tenantTx) flushGroupSearch(ctx context.Context) error {
	if t.group == nil {
		return nil
	}
	d := t.group.search[t.accountID]
	if d == nil {
		return nil
	}
	return t.recomputeSearch(ctx, d)
}

// recomputeSearch recomputes the search texts of the deals d marks.
func (t *tenantTx) recomputeSearch(ctx context.Context, d *searchDirt) error {
	if d.empty() {
		return nil
	}
	set := `UPDATE deals SET search_text = ` + t.dealSearchText() + ` WHERE account_id = ?`
	if d.all {
		_, err := t.exec(ctx, set, t.accountID)
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

// keywordIndex is whether keyword lists use the trigram indexes of
// migration 0035; tests turn it off to compare with the plain scan.
var keywordIndex = true

// A keyword at a million deals matches ~9 % of them, and its creation
// window (a month: ~27,000 deals) another ~3 %; either alone leaves tens of
// thousands of deals to test. SQLite's deal_search_trigrams (migration 0035)
// indexes the search texts' trigrams under a document number that orders
// the deals by creation hour before their id:
//
//	doc = (hour of created_at + trigramHourBias) << 40 | id
//
// so one FTS5 query takes the deals holding every trigram of the keyword
// AND created within the window's hours, both at once: proportional to the
// matches, not to the window or to the keyword alone. The id is the low 40
// bits, so no table maps documents back to deals. Triggers on deals keep
// the index (in the transaction of the write, whichever path wrote). Since
// migration 0044 the index keeps positions, so the keyword is asked as one
// phrase, which matches exactly the texts holding it; the candidates are
// then tested for the rest (account, window to the second, pipeline,
// stage) in deals_search_owner, without reading their rows — at a million
// deals those reads, one table page per candidate, were most of a
// keyword list's time. The hour is clamped into 22 bits (±239 years around 1970), which
// keeps the order and the documents distinct for ids below 2^40.
//
// PostgreSQL has no document order to range over, so its GIN index
// (deals_search_keys) keys each trigram by the creation week instead
// ("week:trigram", crmd_deal_search_keys): a month's window asks five
// weeks' keys, whose posting lists hold only that week's deals. A plain
// pg_trgm index was measured first: its bitmap of a surname's ~9 % of the
// deals cost more than the window it was to narrow.
const (
	trigramIDBits   = 40
	trigramIDMask   = 1<<trigramIDBits - 1
	trigramHourBias = 1 << 21
)

// trigramDoc is the first (last false) or last document number of the
// creation hour of unix second at; it must agree with the triggers'
// expression in migration 0035 (SQLite's integer division truncates
// toward zero, as Go's does).
func trigramDoc(at int64, last bool) int64 {
	hour := min(max(at/3600, -trigramHourBias), trigramHourBias-1) + trigramHourBias
	doc := hour << trigramIDBits
	if last {
		doc |= trigramIDMask
	}
	return doc
}

// keywordTrigrams are the distinct trigrams of kw, taken by character as
// SQLite's trigram tokenizer and crmd_deal_search_keys (PostgreSQL) take
// them, or none for a keyword of fewer than three characters, which a
// trigram index cannot serve. Both indexes answer an AND of trigrams, a
// superset of the substring matches; at most 12 are asked, spread over the
// keyword, as more only add posting lists to read.
func keywordTrigrams(kw string) []string {
	runes := []rune(kw)
	n := len(runes) - 2
	if n < 1 {
		return nil
	}
	const most = 12
	seen := map[string]bool{}
	var out []string
	for i := range min(n, most) {
		at := i
		if n > most {
			at = i * (n - 1) / (most - 1)
		}
		if tri := string(runes[at : at+3]); !seen[tri] {
			seen[tri] = true
			out = append(out, tri)
		}
	}
	return out
}

// A PostgreSQL key (crmd_deal_search_keys, migration 0035) is a creation
// week and a trigram; a window of more weeks than trigramWeeks (a quarter)
// is scanned as before rather than asked week by week.
const (
	trigramWeek  = 7 * 24 * 3600
	trigramWeeks = 14
)

// trigramSource is the FROM … WHERE of a keyword list answered through
// the trigram index, up to the list's own conditions (which the caller
// appends, with their arguments after these), or ok false when the index
// does not serve this list: a keyword under three characters, or a list
// that other conditions narrow better (a client's or a parent's deals, a
// window on another date: the index would yield every match of the
// keyword). On PostgreSQL the window must also be closed and at most
// trigramWeeks long. exact says the index itself tests the substring (its
// candidates are the matches), so the search text need not be read.
func (t *tenantTx) trigramSource(kw string, q crm.DealQuery) (fromWhere string, args []any, exact, ok bool) {
	if !keywordIndex || len(q.ClientIDs) > 0 || len(q.ParentIDs) > 0 || (q.DateField != "" && q.DateField != "created") {
		return "", nil, false, false
	}
	if utf8.RuneCountInString(kw) < 3 {
		return "", nil, false, false
	}
	if t.db.dialect.name() == "postgres" {
		trigrams := keywordTrigrams(kw)
		if q.Dates.From == nil || q.Dates.To == nil || *q.Dates.To < *q.Dates.From ||
			*q.Dates.To/trigramWeek-*q.Dates.From/trigramWeek >= trigramWeeks {
			return "", nil, false, false
		}
		// One containment per week, each a scan of the expression index;
		// PostgreSQL ORs their bitmaps.
		var weeks []string
		var args []any
		for w := *q.Dates.From / trigramWeek; w <= *q.Dates.To/trigramWeek; w++ {
			keys := make([]string, len(trigrams))
			for i, tri := range trigrams {
				keys[i] = `"` + arrayEscaper.Replace(strconv.FormatInt(w, 10)+":"+tri) + `"`
			}
			weeks = append(weeks, `crmd_deal_search_keys(d.created_at, d.search_text) @> CAST(? AS TEXT[])`)
			args = append(args, "{"+strings.Join(keys, ",")+"}")
		}
		return ` FROM deals d WHERE (` + strings.Join(weeks, ` OR `) + `) AND `, args, false, true
	}
	first, last := trigramDoc(math.MinInt64, false), trigramDoc(math.MaxInt64, true)
	if q.Dates.From != nil {
		first = trigramDoc(*q.Dates.From, false)
	}
	if q.Dates.To != nil {
		last = trigramDoc(*q.Dates.To, true)
	}
	// The keyword as one phrase: with positions (migration 0044) FTS5's
	// trigram tokenizer matches a phrase only where its trigrams stand
	// side by side, i.e. exactly where the keyword is a substring of the
	// text (case folded already on both sides). CROSS JOIN keeps the
	// order: the index first, then each candidate's entry in
	// deals_search_owner, which holds what a keyword list also tests
	// (account, creation second, pipeline, stage) under the deal's id, so
	// no row of deals is read; a condition on another column would read
	// the row after the entry, slower but the same answer.
	phrase := `"` + strings.ReplaceAll(kw, `"`, `""`) + `"`
	return ` FROM deal_search_trigrams s CROSS JOIN deals d INDEXED BY deals_search_owner ON d.id = (s.rowid & ` + strconv.Itoa(trigramIDMask) + `)
		WHERE s.deal_search_trigrams MATCH ? AND s.rowid >= ? AND s.rowid <= ? AND `,
		[]any{phrase, first, last}, true, true
}

// arrayEscaper escapes an element of a PostgreSQL array literal inside
// its double quotes.
var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
