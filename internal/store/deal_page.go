package store

import (
	"context"
	"sort"

	"github.com/crmd/crmd/internal/crm"
)

// DealPage reads a page of a stage's, a pipeline's or the account's deals,
// newest first. Unlike SearchDeals it does not collect the ids of every
// deal selected: the index on (account_id, stage_id) — or pipeline_id, or
// the account's own — holds each deal's id in order beside its key on
// SQLite, so the page's ids come from walking that index backwards and
// skipping Offset entries, without reading a row of the table (at 100,000
// deals a stage's every id cost the board ~10 ms a column, the page under
// one). INDEXED BY keeps SQLite, which has no statistics, on that index
// rather than one that would need a sort; PostgreSQL, with them, chooses
// between that index and walking the primary key backwards.
func (t *tenantTx) DealPage(ctx context.Context, q crm.DealPageQuery) ([]crm.Deal, error) {
	f := &filter{}
	f.add(`d.account_id = ?`, t.accountID)
	index := `deals_account`
	if q.PipelineID != 0 {
		f.add(`d.pipeline_id = ?`, q.PipelineID)
		index = `deals_pipeline`
	}
	order := `d.id DESC`
	if q.StageID != 0 {
		// A column: the board's hand order (deal_rank.go), which is
		// newest first for cards never placed by hand.
		f.add(`d.stage_id = ?`, q.StageID)
		index, order = `deals_stage_rank`, dealRank+` DESC, d.id DESC`
	}
	from := ` FROM deals d`
	if t.db.dialect.name() == "sqlite" {
		from += ` INDEXED BY ` + index
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	rows, err := t.query(ctx, `SELECT d.id`+from+` WHERE `+f.sql()+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(f.args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, limit)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []crm.Deal{}, nil
	}
	deals, err := t.dealsByID(ctx, ids)
	if err != nil || q.StageID == 0 {
		return deals, err
	}
	// dealsByID answers newest first; a column keeps its rank order.
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	sort.Slice(deals, func(i, j int) bool { return at[deals[i].ID] < at[deals[j].ID] })
	return deals, nil
}
