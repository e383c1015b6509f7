package crm

import "context"

// CustomerStatuses lists the account's customer statuses by sort.
// Errors: unprocessable (periodicity mode off).
func (s *Service) CustomerStatuses(ctx context.Context, actor Actor) ([]CustomerStatus, error) {
	var out []CustomerStatus
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if err := requireMode(ctx, tx, CustomersPeriodicity); err != nil {
			return err
		}
		out, err = tx.CustomerStatuses(ctx)
		return err
	})
	return out, err
}

// CustomerStatus returns one status. Errors: not found, unprocessable.
func (s *Service) CustomerStatus(ctx context.Context, actor Actor, id int64) (CustomerStatus, error) {
	var out CustomerStatus
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if err := requireMode(ctx, tx, CustomersPeriodicity); err != nil {
			return err
		}
		out, err = tx.CustomerStatus(ctx, id)
		return err
	})
	return out, err
}

// AddCustomerStatuses adds statuses of type 0 in one all-or-nothing batch.
// Errors: forbidden, invalid, unprocessable, limit.
func (s *Service) AddCustomerStatuses(ctx context.Context, actor Actor, in []NewCustomerStatus) ([]CustomerStatus, error) {
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one status must be given.")
	}
	for i, n := range in {
		n.validate(&v, i)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out := make([]CustomerStatus, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := requireMode(ctx, tx, CustomersPeriodicity); err != nil {
			return err
		}
		n, err := tx.CountCustomerStatuses(ctx)
		if err != nil {
			return err
		}
		if n+len(in) > MaxCustomerStatuses {
			return statusLimitError()
		}
		for i, n := range in {
			st := CustomerStatus{Name: *n.Name, Sort: *n.Sort, Color: StatusColors[0], Type: StatusRegular, Conditions: []byte(`[]`)}
			if n.Color != nil {
				st.Color = *n.Color
			}
			if err := tx.InsertCustomerStatus(ctx, &st); err != nil {
				return err
			}
			out[i] = st
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCustomerStatus changes a status (system ones too: they may be
// renamed and recoloured). Errors: forbidden, invalid, not found, unprocessable.
func (s *Service) UpdateCustomerStatus(ctx context.Context, actor Actor, id int64, p CustomerStatusPatch) (CustomerStatus, error) {
	if err := actor.requireAdmin(); err != nil {
		return CustomerStatus{}, err
	}
	var v violations
	p.validate(&v)
	if err := v.err(); err != nil {
		return CustomerStatus{}, err
	}
	var st CustomerStatus
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) (err error) {
		if err := requireMode(ctx, tx, CustomersPeriodicity); err != nil {
			return err
		}
		if st, err = tx.CustomerStatus(ctx, id); err != nil {
			return err
		}
		p.apply(&st)
		return tx.UpdateCustomerStatus(ctx, &st)
	})
	return st, err
}

// DeleteCustomerStatus deletes a status that is not a system one.
// Errors: forbidden, not found, invalid (a system status), unprocessable.
func (s *Service) DeleteCustomerStatus(ctx context.Context, actor Actor, id int64) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := requireMode(ctx, tx, CustomersPeriodicity); err != nil {
			return err
		}
		st, err := tx.CustomerStatus(ctx, id)
		if err != nil {
			return err
		}
		if st.IsDefault {
			return Errorf(KindInvalid, "System statuses cannot be deleted")
		}
		if err := tx.DeleteCustomerStatus(ctx, id); err != nil {
			return err
		}
		// Its customers move on by the life-cycle rules.
		statuses, err := tx.CustomerStatuses(ctx)
		if err != nil {
			return err
		}
		return relifeAll(ctx, tx, statuses, []int64{id})
	})
}
