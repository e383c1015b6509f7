package crm

import (
	"context"
	"sort"
)

// Periods lists the v2 customer periods (the statuses except "closed") by
// sort. Seed 001: "These methods are only available to the account
// administrator". Errors: forbidden, unprocessable (periodicity mode off).
func (s *Service) Periods(ctx context.Context, actor Actor) ([]Period, error) {
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	var out []Period
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		if err := requireMode(ctx, tx, CustomersPeriodicity); err != nil {
			return err
		}
		statuses, err := tx.CustomerStatuses(ctx)
		if err != nil {
			return err
		}
		out = periodsOf(statuses)
		return nil
	})
	return out, err
}

func periodsOf(statuses []CustomerStatus) []Period {
	out := []Period{}
	for _, st := range statuses {
		if p, ok := PeriodOf(st); ok {
			out = append(out, p)
		}
	}
	for i := range out {
		p := &out[i]
		if p.Type != PeriodBefore || p.Days <= 0 {
			continue
		}
		for _, q := range out {
			if q.Type == PeriodBefore && q.Days > 0 && (q.Sort > p.Sort || q.Sort == p.Sort && q.ID >= p.ID) {
				p.BeforeBuy += q.Days
			}
		}
	}
	return out
}

// ReplacePeriods applies v2's full-list update: listed periods with an id are
// changed, those without are created, and regular periods left out are
// deleted, their customers moving on by the life-cycle rules. System periods
// left out are kept (they cannot be deleted); the "after" period accepts only
// edits. At most MaxBeforePeriods periods before the purchase.
// Errors: forbidden, invalid, unprocessable.
func (s *Service) ReplacePeriods(ctx context.Context, actor Actor, in []PeriodInput) ([]Period, error) {
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	var v violations
	for i, p := range in {
		p.validate(&v, i)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	var out []Period
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := requireMode(ctx, tx, CustomersPeriodicity); err != nil {
			return err
		}
		statuses, err := tx.CustomerStatuses(ctx)
		if err != nil {
			return err
		}
		byID := map[int64]CustomerStatus{}
		for _, st := range statuses {
			byID[st.ID] = st
		}
		listed := map[int64]bool{}
		var changed, created []CustomerStatus
		for i, p := range in {
			st, ok := byID[p.ID]
			switch {
			case p.ID == 0:
				st = CustomerStatus{Type: StatusRegular, Color: StatusColors[0], Sort: 1000 + i, Conditions: []byte(`[]`)}
			case !ok || st.Type == StatusClosed:
				v.add(i, "id", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			case listed[p.ID]:
				v.add(i, "id", ViolationInvalid, "The period is listed more than once.")
				continue
			}
			listed[p.ID] = true
			if p.Days != nil {
				st.PeriodDays = *p.Days
			}
			if p.Color != nil {
				st.Color = *p.Color
			}
			if p.Sort != nil {
				st.Sort = *p.Sort
			}
			if p.ID == 0 {
				st.Name = periodName(st.PeriodDays)
				created = append(created, st)
			} else {
				changed = append(changed, st)
			}
		}
		var deleted []int64
		before := len(created)
		for _, st := range statuses {
			switch {
			case listed[st.ID]:
				if st.Type != StatusDidNotPurchase {
					before++
				}
			case st.Type == StatusRegular:
				deleted = append(deleted, st.ID)
			case st.Type != StatusClosed && st.Type != StatusDidNotPurchase:
				before++ // a system period left out stays
			}
		}
		if before > MaxBeforePeriods {
			v.add(0, "update", ViolationRange, "At most 10 periods before the purchase are allowed.")
		}
		if err := v.err(); err != nil {
			return err
		}
		for i := range changed {
			if err := tx.UpdateCustomerStatus(ctx, &changed[i]); err != nil {
				return err
			}
		}
		for i := range created {
			if err := tx.InsertCustomerStatus(ctx, &created[i]); err != nil {
				return err
			}
		}
		for _, id := range deleted {
			if err := tx.DeleteCustomerStatus(ctx, id); err != nil {
				return err
			}
		}
		if statuses, err = tx.CustomerStatuses(ctx); err != nil {
			return err
		}
		if err := relifeAll(ctx, tx, statuses, deleted); err != nil {
			return err
		}
		out = periodsOf(statuses)
		sort.SliceStable(out, func(i, j int) bool { return out[i].Sort < out[j].Sort })
		return nil
	})
	return out, err
}
