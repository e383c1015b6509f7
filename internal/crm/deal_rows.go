package crm

import (
	"context"
)

// DealRows returns the next page of a deal search, newest first, keyed by
// f.BeforeID (0: the first page) rather than an offset, and without the
// ids or the number of the other matches FilterDeals collects. Reading a
// whole search page by page so costs about one pass over the matches,
// however many there are: an offset would make each page skip all before
// it, and FilterDeals' every id would be read again for each page. The
// rows are those FilterDeals returns for the same filter.
// Errors: invalid (as FilterDeals; an offset is refused: the page is keyed).
func (s *Service) DealRows(ctx context.Context, actor Actor, f DealFilter) ([]DealSearchRow, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultPageLimit
	}
	if f.Offset != 0 {
		return nil, Invalid(Violation{Path: "offset", Code: ViolationRange, Rule: RuleOffsetNegative,
			Detail: "A keyed page takes no offset."})
	}
	return read(ctx, s, actor, func(tx Tx) ([]DealSearchRow, error) {
		q, err := resolveAccountDealFilter(ctx, tx, f)
		if err != nil {
			return nil, err
		}
		q.PageOnly = true
		_, deals, err := tx.SearchDeals(ctx, q)
		if err != nil {
			return nil, err
		}
		return loadSearchRows(ctx, tx, deals)
	})
}
