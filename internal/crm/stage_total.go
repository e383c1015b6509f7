package crm

import "context"

// StageTotal is what a deal board shows at the head of a stage's column:
// how many deals the stage holds and what they are worth together. The
// store keeps these figures as deals are written (migration 0020), so
// reading them costs the same at 100 deals and at 100,000.
type StageTotal struct {
	// StageID is the stage the figures are of.
	StageID int64
	// PipelineID is the stage's pipeline.
	PipelineID int64
	// Deals is the number of deals on the stage.
	Deals int64
	// PriceSum is the sum of those deals' prices (Deal.Price), in whole
	// units of the account's currency (Account.Currency).
	PriceSum int64
}

// StageTotals returns one total per stage of a deal pipeline, in the
// pipeline's stage order (Pipeline.Stages), with zeros for a stage without
// deals. The figures cover every deal of the stage: they are unfiltered.
// Errors: not found (no deal pipeline has the id).
func (s *Service) StageTotals(ctx context.Context, actor Actor, pipelineID int64) ([]StageTotal, error) {
	return read(ctx, s, actor, func(tx Tx) ([]StageTotal, error) {
		p, err := dealPipeline(ctx, tx, pipelineID)
		if err != nil {
			return nil, err
		}
		kept, err := tx.StageTotals(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		byStage := make(map[int64]StageTotal, len(kept))
		for _, t := range kept {
			byStage[t.StageID] = t
		}
		out := make([]StageTotal, len(p.Stages))
		for i, st := range p.Stages {
			t := byStage[st.ID]
			out[i] = StageTotal{StageID: st.ID, PipelineID: p.ID, Deals: t.Deals, PriceSum: t.PriceSum}
		}
		return out, nil
	})
}
