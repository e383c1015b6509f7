package crm

import (
	"context"
	"time"
)

// Transactions returns the transactions q selects and the total.
// Errors: unprocessable (customers disabled).
func (s *Service) Transactions(ctx context.Context, actor Actor, q TransactionQuery) ([]Transaction, int, error) {
	var out []Transaction
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if err := customersOn(ctx, tx); err != nil {
			return err
		}
		out, total, err = tx.Transactions(ctx, q)
		return err
	})
	return out, total, err
}

// AddTransactions records purchases in one all-or-nothing batch. Each moves
// its customer on: next_price/next_date are taken over (or next_date is
// advanced by the customer's periodicity), the purchase totals are
// recomputed and the life-cycle status follows.
// Errors: invalid, unprocessable.
func (s *Service) AddTransactions(ctx context.Context, actor Actor, in []NewTransaction) ([]Transaction, error) {
	out := make([]Transaction, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCustomerContext(ctx, tx)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one transaction must be given.")
		}
		for i, n := range in {
			if n.Price == nil {
				v.add(i, "price", ViolationRequired, "This field is missing.")
			} else if *n.Price < 0 {
				v.add(i, "price", ViolationRange, "This value should be 0 or more.")
			}
			if n.NextPrice != nil && *n.NextPrice < 0 {
				v.add(i, "next_price", ViolationRange, "This value should be 0 or more.")
			}
			if n.CreatedBy != nil && *n.CreatedBy != 0 && !cc.users[*n.CreatedBy] {
				v.add(i, "created_by", ViolationChoice, "The value you selected is not a valid choice.")
			}
			c, err := tx.Customer(ctx, n.CustomerID)
			if KindOf(err) == KindNotFound {
				v.add(i, "customer_id", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
			if err != nil {
				return err
			}
			if len(v) > 0 {
				continue
			}
			t := Transaction{CustomerID: c.ID, Price: *n.Price, Comment: n.Comment, CompletedAt: tx.Now(),
				CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
			if n.CompletedAt != nil {
				t.CompletedAt = *n.CompletedAt
			}
			if n.CreatedBy != nil {
				t.CreatedBy = *n.CreatedBy
			}
			if err := tx.InsertTransaction(ctx, &t); err != nil {
				return err
			}
			out[i] = t
			if n.NextPrice != nil {
				c.NextPrice = *n.NextPrice
			}
			switch {
			case n.NextDate != nil:
				c.NextDate = *n.NextDate
			case c.Periodicity > 0 && !t.CompletedAt.Before(c.NextDate):
				c.NextDate = t.CompletedAt.Add(time.Duration(c.Periodicity) * day)
			}
			if err := refreshCustomer(ctx, tx, cc.statuses, &c, actor); err != nil {
				return err
			}
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// refreshCustomer recomputes c's purchase totals and life-cycle status and stores it.
func refreshCustomer(ctx context.Context, tx Tx, statuses []CustomerStatus, c *Customer, actor Actor) error {
	sum, count, last, err := tx.PurchaseTotals(ctx, c.ID)
	if err != nil {
		return err
	}
	c.LTV, c.PurchasesCount, c.LastPurchaseAt = sum, count, last
	c.AverageCheck = 0
	if count > 0 {
		c.AverageCheck = sum / count
	}
	applyLifecycle(statuses, c, tx.Now())
	c.touch(tx.Now(), actor.UserID)
	return tx.UpdateCustomer(ctx, c)
}

// DeleteTransactions deletes transactions and updates their customers'
// totals. Unknown ids are skipped; the deleted ids are returned.
// Errors: unprocessable.
func (s *Service) DeleteTransactions(ctx context.Context, actor Actor, ids []int64) ([]int64, error) {
	deleted := []int64{}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCustomerContext(ctx, tx)
		if err != nil {
			return err
		}
		touched := map[int64]bool{}
		for _, id := range ids {
			t, err := tx.Transaction(ctx, id)
			if KindOf(err) == KindNotFound {
				continue
			}
			if err != nil {
				return err
			}
			if err := tx.DeleteTransaction(ctx, id); err != nil {
				return err
			}
			deleted = append(deleted, id)
			touched[t.CustomerID] = true
		}
		for id := range touched {
			c, err := tx.Customer(ctx, id)
			if err != nil {
				return err
			}
			if err := refreshCustomer(ctx, tx, cc.statuses, &c, actor); err != nil {
				return err
			}
		}
		return nil
	})
	return deleted, err
}

// DeleteTransaction deletes one transaction. Errors: not found, unprocessable.
func (s *Service) DeleteTransaction(ctx context.Context, actor Actor, id int64) error {
	deleted, err := s.DeleteTransactions(ctx, actor, []int64{id})
	if err == nil && len(deleted) == 0 {
		return Errorf(KindNotFound, "Transaction %d not found", id)
	}
	return err
}

// SetTransactionComments replaces comments (v2 update); the transactions
// themselves are not otherwise changed. All-or-nothing.
// Errors: invalid, unprocessable.
func (s *Service) SetTransactionComments(ctx context.Context, actor Actor, in []TransactionComment) ([]Transaction, error) {
	out := make([]Transaction, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := customersOn(ctx, tx); err != nil {
			return err
		}
		var v violations
		for i, c := range in {
			if c.Comment == nil {
				v.add(i, "comment", ViolationRequired, "This field is missing.")
			}
			t, err := tx.Transaction(ctx, c.TransactionID)
			if KindOf(err) == KindNotFound {
				v.add(i, "transaction_id", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
			if err != nil {
				return err
			}
			if len(v) > 0 {
				continue
			}
			if err := tx.SetTransactionComment(ctx, t.ID, *c.Comment); err != nil {
				return err
			}
			t.Comment = *c.Comment
			out[i] = t
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
