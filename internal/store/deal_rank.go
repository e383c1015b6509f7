package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/crmd/crmd/internal/crm"
)

// dealRank is a deal's rank on the board (crm.DealRankStore): its
// position, or its id times crm.DealRankGap when never placed by hand.
// Written exactly as the deals_stage_rank index (migration 0031) is, so
// both databases read a column's order from that index.
const dealRank = `COALESCE(d.position, d.id * 1048576)`

func (t *tenantTx) DealRank(ctx context.Context, id int64) (rank, stageID int64, err error) {
	err = t.queryRow(ctx, `SELECT `+dealRank+`, d.stage_id FROM deals d WHERE d.account_id = ? AND d.id = ?`, t.accountID, id).
		Scan(&rank, &stageID)
	return rank, stageID, notFound(err, "Deal")
}

func (t *tenantTx) DealRankNext(ctx context.Context, stageID, rank, except int64, above bool) (int64, bool, error) {
	cmp, order := `<`, `DESC`
	if above {
		cmp, order = `>`, `ASC`
	}
	from := ` FROM deals d`
	if t.db.dialect.name() == "sqlite" {
		from += ` INDEXED BY deals_stage_rank`
	}
	var next int64
	err := t.queryRow(ctx, `SELECT `+dealRank+from+` WHERE d.account_id = ? AND d.stage_id = ? AND `+dealRank+` `+cmp+` ? AND d.id <> ?
		ORDER BY `+dealRank+` `+order+` LIMIT 1`, t.accountID, stageID, rank, except).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return next, err == nil, err
}

func (t *tenantTx) SetDealRank(ctx context.Context, id, rank int64) error {
	_, err := t.exec(ctx, `UPDATE deals SET position = ? WHERE account_id = ? AND id = ?`, rank, t.accountID, id)
	return err
}

func (t *tenantTx) RaiseDealRanks(ctx context.Context, stageID, from, by, except int64) error {
	_, err := t.exec(ctx, `UPDATE deals SET position = COALESCE(position, id * 1048576) + ?
		WHERE account_id = ? AND stage_id = ? AND COALESCE(position, id * 1048576) >= ? AND id <> ?`,
		by, t.accountID, stageID, from, except)
	return err
}

var _ crm.DealRankStore = (*tenantTx)(nil)
