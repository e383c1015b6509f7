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

// AddContacts creates contacts in one all-or-nothing batch. Errors: invalid.
func (s *Service) AddContacts(ctx context.Context, actor Actor, in []NewContact) ([]Contact, error) {
	out := make([]Contact, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		users, err := userSet(ctx, tx)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one contact must be given.")
		}
		for i, n := range in {
			c := Contact{FirstName: strings.TrimSpace(n.FirstName), LastName: strings.TrimSpace(n.LastName),
				ResponsibleUserID: actor.UserID, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
			if n.Name != nil {
				c.Name = strings.TrimSpace(*n.Name)
			}
			if c.Name == "" {
				c.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
			}
			name := c.Name
			validateName(&v, i, "name", &name, true)
			if n.ResponsibleUserID != nil {
				if !users[*n.ResponsibleUserID] {
					v.add(i, "responsible_user_id", ViolationChoice, "The value you selected is not a valid choice.")
				}
				c.ResponsibleUserID = *n.ResponsibleUserID
			}
			if len(v) > 0 {
				continue
			}
			if err := tx.InsertContact(ctx, &c); err != nil {
				return err
			}
			out[i] = c
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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

// AddCompanies creates companies in one all-or-nothing batch. Errors: invalid.
func (s *Service) AddCompanies(ctx context.Context, actor Actor, in []NewCompany) ([]Company, error) {
	out := make([]Company, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		users, err := userSet(ctx, tx)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one company must be given.")
		}
		for i, n := range in {
			validateName(&v, i, "name", n.Name, true)
			c := Company{ResponsibleUserID: actor.UserID, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
			if n.Name != nil {
				c.Name = strings.TrimSpace(*n.Name)
			}
			if n.ResponsibleUserID != nil {
				if !users[*n.ResponsibleUserID] {
					v.add(i, "responsible_user_id", ViolationChoice, "The value you selected is not a valid choice.")
				}
				c.ResponsibleUserID = *n.ResponsibleUserID
			}
			if len(v) > 0 {
				continue
			}
			if err := tx.InsertCompany(ctx, &c); err != nil {
				return err
			}
			out[i] = c
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
