package crm

import "context"

// DealPageQuery selects deals by where they are alone, with no filter: a
// stage's (StageID), a pipeline's (PipelineID), both (the stage within
// the pipeline), or with neither the account's. Limit and Offset cut a
// page from them, newest first.
type DealPageQuery struct {
	PipelineID int64
	StageID    int64
	Limit      int // 0: DefaultPageLimit
	Offset     int
	// Brief asks for brief rows (BriefRows): what a card shows.
	Brief bool
}

// DealPage returns a page of the deals q selects, newest first, with what
// a search row shows: the rows FilterDeals returns for a filter of the
// same stage or pipeline. It reads the page alone, neither the ids of the
// other deals nor their number: a deal board's unfiltered column knows
// its count from StageTotals, and at 100,000 deals collecting every id of
// a stage cost several times what its first 50 cards did.
// Errors: invalid (a negative offset).
func (s *Service) DealPage(ctx context.Context, actor Actor, q DealPageQuery) ([]DealSearchRow, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultPageLimit
	}
	if q.Offset < 0 {
		return nil, Invalid(Violation{Path: "offset", Code: ViolationRange, Rule: RuleOffsetNegative, Detail: "The offset must not be negative."})
	}
	return read(ctx, s, actor, func(tx Tx) ([]DealSearchRow, error) {
		deals, err := tx.DealPage(ctx, q)
		if err != nil {
			return nil, err
		}
		if q.Brief {
			return loadBriefRows(ctx, tx, deals)
		}
		return loadSearchRows(ctx, tx, deals)
	})
}
