package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// StageTotals reads the deal counts and price sums that triggers on deals
// keep per stage (migration 0020): every write of a deal, whatever Go code
// made it, corrects them in its own transaction, so the board reads a few
// rows instead of counting the pipeline's deals.
func (t *tenantTx) StageTotals(ctx context.Context, pipelineID int64) ([]crm.StageTotal, error) {
	rows, err := t.query(ctx, `SELECT stage_id, pipeline_id, deal_count, price_sum FROM stage_totals
		WHERE account_id = ? AND pipeline_id = ?`, t.accountID, pipelineID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.StageTotal{}
	for rows.Next() {
		var st crm.StageTotal
		if err := rows.Scan(&st.StageID, &st.PipelineID, &st.Deals, &st.PriceSum); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
