package crm

import (
	"context"
	"strings"
)

// normalizeList checks the paging and order of a contacts or companies
// list and trims the search text (a blank one searches nothing).
func normalizeList(q *ListQuery) error {
	p := Page{Number: 1, Limit: q.Limit}
	if err := p.normalize(); err != nil {
		return err
	}
	q.Limit = p.Limit
	if q.Offset < 0 {
		return Invalid(Violation{Path: "page", Code: ViolationRange, Detail: "This value should be 1 or more."})
	}
	switch q.OrderBy {
	case "", "id", "updated_at":
	default:
		return Invalid(Violation{Path: "order", Code: ViolationChoice, Detail: "The order must be by id or updated_at."})
	}
	q.Search = strings.TrimSpace(q.Search)
	return nil
}

// Contacts lists contacts matching q (ListQuery). Errors: invalid (paging,
// order).
func (s *Service) Contacts(ctx context.Context, actor Actor, q ListQuery) ([]Contact, int, error) {
	return listBy(ctx, s, actor, q, Tx.Contacts)
}

// listBy normalizes q and reads one page of a list with list, and the
// number of records q selects.
func listBy[T any](ctx context.Context, s *Service, actor Actor, q ListQuery,
	list func(Tx, context.Context, ListQuery) ([]T, int, error)) ([]T, int, error) {
	if err := normalizeList(&q); err != nil {
		return nil, 0, err
	}
	var out []T
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, total, err = list(tx, ctx, q)
		return err
	})
	return out, total, err
}

// Contact returns one contact. Errors: not found.
func (s *Service) Contact(ctx context.Context, actor Actor, id int64) (Contact, error) {
	return read(ctx, s, actor, func(tx Tx) (Contact, error) { return tx.Contact(ctx, id) })
}

func userSet(ctx context.Context, tx Tx) (map[int64]bool, error) {
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	set := make(map[int64]bool, len(users))
	for _, u := range users {
		set[u.ID] = true
	}
	return set, nil
}

// Companies lists companies matching q (ListQuery). Errors: invalid
// (paging, order).
func (s *Service) Companies(ctx context.Context, actor Actor, q ListQuery) ([]Company, int, error) {
	return listBy(ctx, s, actor, q, Tx.Companies)
}

// Company returns one company. Errors: not found.
func (s *Service) Company(ctx context.Context, actor Actor, id int64) (Company, error) {
	return read(ctx, s, actor, func(tx Tx) (Company, error) { return tx.Company(ctx, id) })
}
