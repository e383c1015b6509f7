package crm

import (
	"context"
	"time"
)

// lifecycleBatch is how many customers one life-cycle transaction moves, so
// that the account lock is never held for long.
const lifecycleBatch = 500

// relifeAll recomputes the status of every customer of the account, inside
// tx. Customers whose status was deleted (orphans) get the computed one
// even when it equals the last computed status.
func relifeAll(ctx context.Context, tx Tx, statuses []CustomerStatus, deleted []int64) error {
	gone := map[int64]bool{}
	for _, id := range deleted {
		gone[id] = true
	}
	var after int64
	for {
		list, _, err := tx.Customers(ctx, CustomerQuery{AfterID: after, Limit: lifecycleBatch, NoTotal: true})
		if err != nil {
			return err
		}
		for i := range list {
			c := &list[i]
			changed := applyLifecycle(statuses, c, tx.Now())
			if gone[c.StatusID] {
				c.StatusID, changed = c.LifecycleStatusID, true
			}
			if changed {
				if err := tx.UpdateCustomer(ctx, c); err != nil {
					return err
				}
			}
		}
		if len(list) < lifecycleBatch {
			return nil
		}
		after = list[len(list)-1].ID
	}
}

// AdvanceLifecycles moves every customer of every account whose status the
// passage of time has changed. It is idempotent, so several crmd processes
// may run it. It returns how many customers moved.
func (s *Service) AdvanceLifecycles(ctx context.Context) (int, error) {
	accounts, err := s.store.AccountIDs(ctx)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, id := range accounts {
		n, err := s.advanceAccount(ctx, id)
		moved += n
		if err != nil {
			return moved, err
		}
	}
	return moved, nil
}

func (s *Service) advanceAccount(ctx context.Context, accountID int64) (int, error) {
	moved := 0
	var after int64
	for {
		var n, done int
		err := s.store.Update(ctx, accountID, func(tx Tx) error {
			statuses, err := tx.CustomerStatuses(ctx)
			if err != nil {
				return err
			}
			list, _, err := tx.Customers(ctx, CustomerQuery{AfterID: after, Limit: lifecycleBatch, NoTotal: true})
			if err != nil {
				return err
			}
			n, done = 0, len(list)
			for i := range list {
				if applyLifecycle(statuses, &list[i], tx.Now()) {
					if err := tx.UpdateCustomer(ctx, &list[i]); err != nil {
						return err
					}
					n++
				}
				after = list[i].ID
			}
			return nil
		})
		moved += n
		if err != nil || done < lifecycleBatch {
			return moved, err
		}
	}
}

// RunLifecycle calls AdvanceLifecycles every interval until ctx ends,
// reporting errors to onError.
func (s *Service) RunLifecycle(ctx context.Context, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.AdvanceLifecycles(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
