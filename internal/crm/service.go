package crm

import (
	"context"
)

// Service is the entry point of the domain: every dialect calls it with the
// authenticated Actor and gets entities or an *Error back. Methods that list
// their error kinds return exactly those kinds besides internal failures.
type Service struct {
	store Store
	// intake is told of leads taken in (intake.go); nil: nobody.
	intake IntakeFunc
}

// NewService returns a Service over store.
func NewService(store Store) *Service { return &Service{store: store} }

// Store returns the underlying store. The server and the dialects reach the
// domain through the methods alone (Administrator, Ping); tests use this
// to arrange and inspect what no method exposes.
func (s *Service) Store() Store { return s.store }

// SeedAccount creates the records every new account starts with: the system
// customer statuses, the default deal pipeline, the inbound pipeline and
// the default inbox type. It runs inside the transaction that creates the
// account.
// The same reference data is given to accounts that existed before it by
// migration 0003: keep the two in step.
func SeedAccount(ctx context.Context, tx Tx) error {
	for _, st := range systemStatuses() {
		st.IsDefault = true
		if err := tx.InsertCustomerStatus(ctx, &st); err != nil {
			return err
		}
	}
	for _, p := range defaultPipelines() {
		if err := tx.InsertPipeline(ctx, &p); err != nil {
			return err
		}
	}
	if err := seedLossReasons(ctx, tx); err != nil { // lead.go; migration 0014 for older accounts
		return err
	}
	return tx.InsertInboxType(ctx, &InboxType{Name: "Добавлен вручную", Type: 1, IsDefault: true})
}

// read runs one read in a read-only transaction of the actor's account and
// returns its result: the shape of every plain getter of the service.
func read[T any](ctx context.Context, s *Service, actor Actor, fn func(Tx) (T, error)) (T, error) {
	var out T
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

// largeBatch is the most records a batch write may carry and still run
// behind other calls in a shared transaction (inside a savepoint, whose
// statement journal costs each statement as much as the call wrote
// before it): a larger batch goes through Store.UpdateBatch. A handful of
// records costs little in a savepoint and gains the shared COMMIT.
const largeBatch = 10

// updateRecords runs a write of n records: through UpdateBatch when n is
// more than largeBatch, else through Update.
func (s *Service) updateRecords(ctx context.Context, accountID int64, n int, fn func(Tx) error) error {
	if n > largeBatch {
		return s.store.UpdateBatch(ctx, accountID, fn)
	}
	return s.store.Update(ctx, accountID, fn)
}

// Account returns the caller's account.
func (s *Service) Account(ctx context.Context, actor Actor) (Account, error) {
	return read(ctx, s, actor, func(tx Tx) (Account, error) { return tx.Account(ctx) })
}

// SetCustomersMode switches the customers feature: enabling a mode selects it;
// disabling the mode in force switches customers off; disabling a mode that is
// not in force changes nothing. Errors: forbidden, invalid.
func (s *Service) SetCustomersMode(ctx context.Context, actor Actor, mode CustomersMode, enabled bool) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	if mode != CustomersSegments && mode != CustomersPeriodicity {
		return Invalid(Violation{Path: "mode", Code: ViolationChoice, Detail: "The value you selected is not a valid choice."})
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		a, err := tx.Account(ctx)
		if err != nil {
			return err
		}
		switch {
		case enabled:
			return tx.SetCustomersMode(ctx, mode)
		case a.CustomersMode == mode:
			return tx.SetCustomersMode(ctx, CustomersDisabled)
		}
		return nil
	})
}

// SetAccountCurrency sets the currency of the account's prices
// (administrators only); code is an ISO 4217 code such as "RUB" or "USD".
// Amounts are kept as they are: the currency names their money, it does not
// convert them. Errors: forbidden, invalid (not three upper-case latin
// letters).
func (s *Service) SetAccountCurrency(ctx context.Context, actor Actor, code string) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	if !ValidCurrency(code) {
		return Invalid(Violation{Path: "currency", Code: ViolationInvalid,
			Detail: "The currency must be an ISO 4217 code: three upper-case latin letters such as RUB or USD."})
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error { return tx.SetCurrency(ctx, code) })
}

// requireMode refuses the call unless the account uses mode.
func requireMode(ctx context.Context, tx Tx, mode CustomersMode) error {
	a, err := tx.Account(ctx)
	if err != nil {
		return err
	}
	if a.CustomersMode == mode {
		return nil
	}
	if mode == CustomersPeriodicity {
		return Errorf(KindUnprocessable, "Customers periodicity mode is not enabled")
	}
	return Errorf(KindUnprocessable, "Customers segmentation mode is not enabled")
}
