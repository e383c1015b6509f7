package store

import (
	"context"
	"slices"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// keptSearch is the count of a search the kept totals (deal_created_totals,
// migration 0033) answer exactly, if it is one: stages, pipelines, the
// responsible (users, departments, nobody) and at most one window of
// creation times. Every other criterion (a keyword, tags, fields, inbox
// types, lead stages, other dates, the client's first deal) names
// something the totals do not keep, and a keyed page (BeforeID) has no
// total to count.
func keptSearch(q crm.DealSearchQuery) (keptCount, bool) {
	if strings.TrimSpace(q.Keyword) != "" || len(q.TagIDs)+len(q.LeadStageIDs)+len(q.Fields) > 0 ||
		q.FirstDealOfClient || q.BeforeID != 0 || q.PageOnly {
		return keptCount{}, false
	}
	return ownKept(q)
}

// SearchDealsTotal answers a search whose caller shows its total but not
// its ids (the web board, its columns and the deal table). SearchDeals
// reads the id of every match to count them: a board column of one stage
// and one responsible over three years was ~1,000 ids out of ~10,000
// index entries, each entry a row read to learn its responsible, once per
// column, nine columns a board. When keptSearch says the totals can
// answer, the total is summed from them (countKept) and the page is read
// alone, newest first, through the index dealPageWalk names: the same
// WHERE clause as SearchDeals', so the same rows, only not every match.
func (t *tenantTx) SearchDealsTotal(ctx context.Context, q crm.DealSearchQuery) (int, []crm.Deal, error) {
	k, ok := keptSearch(q)
	if !ok {
		ids, deals, err := t.SearchDeals(ctx, q)
		return len(ids), deals, err
	}
	total, err := t.countKept(ctx, k)
	if err != nil {
		return 0, nil, err
	}
	if q.Offset >= total {
		return total, []crm.Deal{}, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	f, _, err := t.searchWhere(ctx, q)
	if err != nil {
		return 0, nil, err
	}
	index, err := t.dealPageWalk(ctx, k, total, q.Offset+limit)
	if err != nil {
		return 0, nil, err
	}
	from := ` FROM deals d`
	if index != "" {
		from += ` INDEXED BY ` + index
	}
	order := `d.id DESC`
	if t.db.dialect.name() == "postgres" && len(k.stageIDs) == 0 && len(k.pipelineIDs) == 1 {
		f, order = pipelineWalk(f), `d.pipeline_id DESC, d.id DESC`
	}
	// The page's ids and their rows in one statement, as Tx.Deals reads
	// its page: the ids then the rows by id were two statements, the
	// second with fifty arguments bound.
	rows, err := t.query(ctx, `SELECT `+dealColumns+dealFrom+` WHERE d.id IN (SELECT d.id`+from+` WHERE `+f.sql()+
		` ORDER BY `+order+` LIMIT ? OFFSET ?) ORDER BY d.id DESC`, t.db.dialect.planEachCall(append(f.args, limit, q.Offset))...)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	deals := make([]crm.Deal, 0, min(limit, total-q.Offset))
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return 0, nil, err
		}
		deals = append(deals, d)
	}
	return total, deals, rows.Err()
}

// pipelineWalk rewrites a PostgreSQL page of one pipeline without a
// stage (the web's deal table) so that only deals_pipeline (account,
// pipeline, id, created_at) serves its order, as dealPageWalk names that
// index to SQLite: the pipeline as a range of one value, which PostgreSQL
// does not fold into a constant as it does "= ?", and the order by
// pipeline then id, the same rows in the same order. Planned for its
// values PostgreSQL walked the primary key backwards instead, reading
// every deal newer than the window from the table — at a million deals
// the table filtered by a responsible and a window read 89,169 rows and
// 99,528 buffers for its 50 (37 ms warm, 2.1 s cold); the pipeline's
// index skips the other pipeline and the deals outside the window in
// the index, 1,216 buffers.
func pipelineWalk(f *filter) *filter {
	const cond = `d.pipeline_id IN (?)`
	i := slices.Index(f.where, cond)
	if i < 0 {
		return f
	}
	at := 0
	for _, w := range f.where[:i] {
		at += strings.Count(w, "?")
	}
	out := &filter{where: slices.Clone(f.where), args: slices.Clone(f.args)}
	out.where[i] = `d.pipeline_id >= ? AND d.pipeline_id <= ?`
	out.args = slices.Insert(out.args, at, f.args[at])
	return out
}
