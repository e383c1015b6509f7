package crm

import (
	"context"
)

// The calls behind the workspace's pipeline settings that the APIs have no
// single request for: a hand order of pipelines and stages written at once,
// and deleting a pipeline or stage whose deals move to a stage the
// administrator picks.

// ValidStageColor reports whether c is one of amoCRM's status colours
// (StatusColors), the palette a person picks a stage colour from. Colours
// written through Envybox (CSS "rgb(…)") stay valid on stages that have
// them; this only decides what a picker offers and accepts.
func ValidStageColor(c string) bool { return validColor(StatusColors, c) }

// ReorderPipelines puts the account's deal pipelines in the order ids
// gives (administrators only): their sorts become 10, 20, … in one
// transaction, so amoCRM's, Envybox's and UIS's lists follow it. ids must
// name every deal pipeline exactly once.
// Errors: forbidden, invalid (a pipeline missing, repeated or unknown).
func (s *Service) ReorderPipelines(ctx context.Context, actor Actor, ids []int64) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		list, err := tx.Pipelines(ctx, PipelineDeal)
		if err != nil {
			return err
		}
		byID := map[int64]Pipeline{}
		for _, p := range list {
			byID[p.ID] = p
		}
		if !sameIDs(ids, len(list), func(id int64) bool { _, ok := byID[id]; return ok }) {
			return Invalid(Violation{Path: "order", Code: ViolationInvalid, Detail: "The order must name every pipeline once."})
		}
		for i, id := range ids {
			p := byID[id]
			if p.Sort == 10*(i+1) {
				continue
			}
			p.Sort = 10 * (i + 1)
			if err := tx.UpdatePipeline(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReorderStages puts a deal pipeline's open stages in the order ids gives
// (administrators only): their positions become 10, 20, … in one
// transaction. The won and lost stages keep their places after them. ids
// must name every open stage of the pipeline exactly once.
// Errors: forbidden, not found, invalid (a stage missing, repeated,
// unknown or closing).
func (s *Service) ReorderStages(ctx context.Context, actor Actor, pipelineID int64, ids []int64) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		p, err := dealPipeline(ctx, tx, pipelineID)
		if err != nil {
			return err
		}
		open := map[int64]Stage{}
		for _, st := range p.Stages {
			if !st.Status.Closing() {
				open[st.ID] = st
			}
		}
		if !sameIDs(ids, len(open), func(id int64) bool { _, ok := open[id]; return ok }) {
			return Invalid(Violation{Path: "order", Code: ViolationInvalid, Detail: "The order must name every open stage of the pipeline once."})
		}
		for i, id := range ids {
			st := open[id]
			if st.Position == 10*(i+1) {
				continue
			}
			st.Position = 10 * (i + 1)
			if err := tx.UpdateStage(ctx, &st); err != nil {
				return err
			}
		}
		return nil
	})
}

// sameIDs reports whether ids holds n distinct ids, each known.
func sameIDs(ids []int64, n int, known func(int64) bool) bool {
	if len(ids) != n {
		return false
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] || !known(id) {
			return false
		}
		seen[id] = true
	}
	return true
}

// DeleteStageMovingDeals deletes an open stage under DeleteStage's rules,
// first moving its deals to the stage to (administrators only), which may
// be in any deal pipeline, the won and lost stages included. With to zero
// it is DeleteStage without moving: a stage with deals is refused.
// Errors: forbidden, not found (pipeline, stage or target), invalid (a
// closing or the last open stage, the stage itself as target), conflict
// (has deals and no target).
func (s *Service) DeleteStageMovingDeals(ctx context.Context, actor Actor, pipelineID, stageID, to int64) error {
	if to == 0 {
		return s.DeleteStage(ctx, actor, pipelineID, stageID, false)
	}
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	if to == stageID {
		return Invalid(Violation{Path: "move_to", Code: ViolationInvalid, Detail: "The deals must move to another stage."})
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		st, _, err := deletableStage(ctx, tx, pipelineID, stageID)
		if err != nil {
			return err
		}
		target, err := dealStage(ctx, tx, to)
		if err != nil {
			return err
		}
		if err := tx.MoveDeals(ctx, st.ID, target); err != nil {
			return err
		}
		return tx.DeleteStage(ctx, st.ID)
	})
}

// dealStage finds a stage of any deal pipeline by id. Errors: not found.
func dealStage(ctx context.Context, tx Tx, id int64) (Stage, error) {
	list, err := tx.Pipelines(ctx, PipelineDeal)
	if err != nil {
		return Stage{}, err
	}
	for _, p := range list {
		if st, ok := p.StageByID(id); ok {
			return st, nil
		}
	}
	return Stage{}, Invalid(Violation{Path: "move_to", Code: ViolationInvalid, Detail: "The stage to move the deals to was not found."})
}

// DeletePipelineMovingDeals deletes a deal pipeline under DeletePipeline's
// rules, first moving its deals to another pipeline (administrators only):
// open deals go to the stage to, which must be an open stage of another
// deal pipeline; won and lost deals go to that pipeline's won and lost
// stage, so that closed deals stay closed. With to zero it is
// DeletePipeline: a pipeline with deals is refused. Envybox requests bound
// to the pipeline still refuse it: they would lose the pipeline their
// deals are made in.
// Errors: forbidden, not found, invalid (target not an open stage of
// another pipeline), conflict (the last pipeline; requests bound to it).
func (s *Service) DeletePipelineMovingDeals(ctx context.Context, actor Actor, id, to int64) error {
	if to == 0 {
		return s.DeletePipeline(ctx, actor, id)
	}
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		p, all, err := deletablePipeline(ctx, tx, id)
		if err != nil {
			return err
		}
		target, err := dealStage(ctx, tx, to)
		if err != nil {
			return err
		}
		if target.PipelineID == id || target.Status.Closing() {
			return Invalid(Violation{Path: "move_to", Code: ViolationInvalid,
				Detail: "The deals must move to an open stage of another pipeline."})
		}
		var dest Pipeline
		for _, other := range all {
			if other.ID == target.PipelineID {
				dest = other
			}
		}
		requests, err := tx.CountInboundsFor(ctx, id)
		if err != nil {
			return err
		}
		if requests > 0 {
			return Errorf(KindConflict, "A pipeline that requests are bound to cannot be deleted")
		}
		for _, st := range p.Stages {
			to := target
			if st.Status.Closing() {
				if closing, ok := dest.StageByStatus(st.Status); ok {
					to = closing
				}
			}
			if err := tx.MoveDeals(ctx, st.ID, to); err != nil {
				return err
			}
		}
		if err := tx.DeletePipeline(ctx, id); err != nil {
			return err
		}
		if p.Primary {
			dest.Primary = true
			return tx.UpdatePipeline(ctx, &dest)
		}
		return nil
	})
}
