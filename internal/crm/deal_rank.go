package crm

import (
	"context"
	"math"
)

// The deal board's hand order. Each column (a stage) shows its cards by
// rank, highest first; one order for the whole team, so a manager can set
// priorities. A rank is sparse: a deal never placed by hand ranks as its
// id times DealRankGap (newest first, as before there was an order), and a
// card dropped between two others takes the midpoint of theirs, so a drop
// writes the one row it moves. When two neighbours have no integer left
// between them (about twenty drops into the same gap), every card of the
// column ranked at or above the upper one is raised by a gap first: the
// order stays, and one statement makes the room.

// DealRankGap is the room between two deals' default ranks.
const DealRankGap = 1 << 20

// DealRankStore keeps where cards are placed within their columns.
type DealRankStore interface {
	// DealRank returns a deal's rank and stage. Errors: not found.
	DealRank(ctx context.Context, id int64) (rank, stageID int64, err error)
	// DealRankNext returns the rank of the nearest card of the stage
	// above rank (higher) or below it, leaving out the deal except; ok is
	// false at the column's end.
	DealRankNext(ctx context.Context, stageID, rank, except int64, above bool) (next int64, ok bool, err error)
	// SetDealRank places a deal at rank.
	SetDealRank(ctx context.Context, id, rank int64) error
	// RaiseDealRanks adds by to the rank of every card of the stage ranked
	// at or above from, leaving out the deal except.
	RaiseDealRanks(ctx context.Context, stageID, from, by, except int64) error
}

// PlaceDeal puts a deal's card on the board: into stage stageID (0: the
// deal's own), right below the card aboveID, or with aboveID 0 right above
// the card belowID, or with neither at the top. A change of stage goes
// through the rules and history ChangeDealStage applies, in the same
// transaction. A neighbour that is not in the stage (the board changed
// under the user) is not a place: the card goes to the top. The caller may
// place any deal it may move.
// Errors: not found (CodeDealNotFound), invalid (CodeStageNotFound),
// forbidden (CodeStageChangeLocked, for a change of stage).
func (s *Service) PlaceDeal(ctx context.Context, actor Actor, dealID, stageID, aboveID, belowID int64, by Responsible) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		d, err := tx.Deal(ctx, dealID)
		if KindOf(err) == KindNotFound {
			return Fail(CodeDealNotFound)
		}
		if err != nil {
			return err
		}
		if stageID != 0 && stageID != d.StageID {
			p, err := tx.Pipeline(ctx, d.PipelineID)
			if err != nil {
				return err
			}
			if !p.AllowManualStageChange {
				return Fail(CodeStageChangeLocked)
			}
			stage, ok := p.StageByID(stageID)
			if !ok {
				return Fail(CodeStageNotFound)
			}
			if err := moveDeal(ctx, tx, &d, stage, by); err != nil {
				return err
			}
		}
		rank, err := placeRank(ctx, tx, d.ID, d.StageID, aboveID, belowID)
		if err != nil {
			return err
		}
		return tx.SetDealRank(ctx, d.ID, rank)
	})
}

// placeRank is the rank that puts deal id right below aboveID, or right
// above belowID, or at the top of the stage, making room when the two
// neighbours have none between them.
func placeRank(ctx context.Context, tx Tx, id, stageID, aboveID, belowID int64) (int64, error) {
	neighbour := func(n int64) (int64, bool, error) {
		if n == 0 || n == id {
			return 0, false, nil
		}
		rank, stage, err := tx.DealRank(ctx, n)
		if KindOf(err) == KindNotFound || (err == nil && stage != stageID) {
			return 0, false, nil
		}
		return rank, err == nil, err
	}
	hi, hasHi, err := neighbour(aboveID)
	if err != nil {
		return 0, err
	}
	var lo int64
	hasLo := false
	switch {
	case hasHi:
		if lo, hasLo, err = tx.DealRankNext(ctx, stageID, hi, id, false); err != nil {
			return 0, err
		}
	default:
		if lo, hasLo, err = neighbour(belowID); err != nil {
			return 0, err
		}
		if hasLo {
			hi, hasHi, err = tx.DealRankNext(ctx, stageID, lo, id, true)
		} else {
			// The top: above the column's highest card, the nearest
			// below the greatest rank there is.
			lo, hasLo, err = tx.DealRankNext(ctx, stageID, math.MaxInt64, id, false)
		}
		if err != nil {
			return 0, err
		}
	}
	switch {
	case hasHi && hasLo:
		if hi-lo < 2 {
			if err := tx.RaiseDealRanks(ctx, stageID, hi, DealRankGap, id); err != nil {
				return 0, err
			}
			hi += DealRankGap
		}
		return lo + (hi-lo)/2, nil
	case hasHi:
		return hi - DealRankGap, nil
	case hasLo:
		return lo + DealRankGap, nil
	default:
		return id * DealRankGap, nil
	}
}
