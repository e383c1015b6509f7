package crm

import (
	"context"
	"fmt"
)

// MaxBulkDeals caps how many deals one bulk change touches. The change
// runs in one transaction, which holds the database's writer (SQLite's
// only one) for as long as it runs: past this a user is asked to narrow
// the filter rather than keep everyone else's writes waiting.
const MaxBulkDeals = 10000

// bulkCap is the cap in force: MaxBulkDeals, lowered by tests, which
// cannot afford ten thousand deals to see the refusal.
var bulkCap = MaxBulkDeals

// DealBulkChange is what a bulk change does to every selected deal:
// exactly one of its parts is set.
type DealBulkChange struct {
	// StageID moves each deal to this stage; every deal must be in the
	// stage's pipeline.
	StageID int64
	// Status (StageWon or StageLost) moves each deal to its own
	// pipeline's won or lost stage.
	Status StageStatus
	// ResponsibleUserID makes this user responsible for each deal.
	ResponsibleUserID int64
	// AddTags adds tags by name (missing ones are created); RemoveTagIDs
	// takes tags off.
	AddTags      []string
	RemoveTagIDs []int64
}

// DealSelection is which deals a bulk change applies to: the deals IDs
// names, or, when Filter is set, every deal the filter matches when the
// change runs (its Limit and Offset are ignored).
type DealSelection struct {
	IDs    []int64
	Filter *DealFilter
}

// BulkDealError names the deal that stopped a bulk change; nothing of
// the change was written. Err is the deal's own error, so KindOf and
// CodeOf see through it.
type BulkDealError struct {
	DealID int64
	Name   string
	Err    error
}

func (e *BulkDealError) Error() string {
	return fmt.Sprintf("deal %d (%s): %v", e.DealID, e.Name, e.Err)
}

// Unwrap returns the deal's own error.
func (e *BulkDealError) Unwrap() error { return e.Err }

// BulkUpdateDeals applies one change to many deals, all or nothing: each
// deal goes through the same rules and writes the same history entries
// (so the same webhooks) as UpdateLeads does for it alone, and the first
// deal refused rolls the whole change back. It returns how many deals were
// selected. The caller may do in bulk exactly what it may do deal by deal.
// Errors: invalid (CodeMissingInput: no change or no deals;
// CodeBulkTooMany: more than MaxBulkDeals; the filter's violations), and
// a *BulkDealError wrapping the first deal's refusal (not found, invalid,
// forbidden CodeStageChangeLocked).
func (s *Service) BulkUpdateDeals(ctx context.Context, actor Actor, sel DealSelection, ch DealBulkChange) (int, error) {
	in, err := ch.leadInput()
	if err != nil {
		return 0, err
	}
	if sel.Filter == nil {
		if len(sel.IDs) == 0 {
			return 0, Fail(CodeMissingInput)
		}
		if len(sel.IDs) > bulkCap {
			return 0, Fail(CodeBulkTooMany)
		}
	}
	var n int
	err = s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ids := uniqueIDs(sel.IDs)
		if sel.Filter != nil {
			if ids, err = bulkFilterIDs(ctx, tx, *sel.Filter); err != nil {
				return err
			}
		}
		if len(ids) == 0 {
			return Fail(CodeMissingInput)
		}
		if len(ids) > bulkCap {
			return Fail(CodeBulkTooMany)
		}
		lc, err := loadLeadContext(ctx, tx)
		if err != nil {
			return err
		}
		// Tags named to add are found or created once, not once a deal.
		if len(in.TagsToAdd) > 0 {
			var v violations
			tagIDs, err := resolveTags(ctx, tx, &v, 0, "tags_to_add", in.TagsToAdd)
			if err != nil {
				return err
			}
			if err := v.err(); err != nil {
				return err
			}
			in.TagsToAdd = in.TagsToAdd[:0]
			for _, id := range tagIDs {
				in.TagsToAdd = append(in.TagsToAdd, TagRef{ID: id})
			}
		}
		for _, id := range ids {
			d, err := tx.Deal(ctx, id)
			if KindOf(err) == KindNotFound {
				return &BulkDealError{DealID: id, Err: Fail(CodeDealNotFound)}
			}
			if err != nil {
				return err
			}
			var v violations
			if err := writeLead(ctx, tx, lc, &v, 0, &d, in, false, actor); err != nil {
				if KindOf(err) == "" {
					return err
				}
				return &BulkDealError{DealID: id, Name: d.Name, Err: err}
			}
			if err := v.err(); err != nil {
				return &BulkDealError{DealID: id, Name: d.Name, Err: err}
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// leadInput is the change as the lead update every deal goes through.
func (ch DealBulkChange) leadInput() (LeadInput, error) {
	var in LeadInput
	parts := 0
	if ch.StageID != 0 {
		parts++
		in.Status = &LeadStatusRef{StageID: ch.StageID}
	}
	if ch.Status != 0 {
		parts++
		if ch.Status != StageWon && ch.Status != StageLost {
			return in, Fail(CodeUnknownOption)
		}
		in.Status = &LeadStatusRef{Status: ch.Status}
	}
	if ch.ResponsibleUserID != 0 {
		parts++
		id := ch.ResponsibleUserID
		in.ResponsibleUserID = &id
	}
	if len(ch.AddTags) > 0 {
		parts++
		for _, name := range ch.AddTags {
			in.TagsToAdd = append(in.TagsToAdd, TagRef{Name: name})
		}
	}
	if len(ch.RemoveTagIDs) > 0 {
		parts++
		for _, id := range ch.RemoveTagIDs {
			in.TagsToDelete = append(in.TagsToDelete, TagRef{ID: id})
		}
	}
	switch parts {
	case 0:
		return in, Fail(CodeMissingInput)
	case 1:
		return in, nil
	default:
		return in, Errorf(KindInvalid, "A bulk change does one thing at a time.")
	}
}

// bulkFilterIDs is every deal f matches, read in the transaction that
// changes them: what the user saw counted may have moved since.
func bulkFilterIDs(ctx context.Context, tx Tx, f DealFilter) ([]int64, error) {
	f.Limit, f.Offset = 1, 0
	q, err := resolveAccountDealFilter(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	ids, _, err := tx.SearchDeals(ctx, q)
	return ids, err
}

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
