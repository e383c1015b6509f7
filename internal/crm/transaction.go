package crm

import (
	"context"
	"time"
)

// Transaction is one purchase of a customer.
type Transaction struct {
	ID          int64
	AccountID   int64
	CustomerID  int64
	Price       int64
	Comment     string
	CompletedAt time.Time
	CreatedBy   int64
	UpdatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NewTransaction is a purchase to record. NextPrice and NextDate, when given,
// become the customer's expectation for the next purchase.
type NewTransaction struct {
	CustomerID  int64
	Price       *int64
	Comment     string
	CompletedAt *time.Time // default: now
	NextPrice   *int64
	NextDate    *time.Time
	CreatedBy   *int64
}

// TransactionComment replaces the comment of a transaction (v2 update).
type TransactionComment struct {
	TransactionID int64
	Comment       *string
}

// TransactionQuery selects transactions.
type TransactionQuery struct {
	IDs         []int64
	CustomerIDs []int64
	Limit       int
	Offset      int
}

// TransactionStore keeps customers' transactions (purchases).
type TransactionStore interface {
	InsertTransaction(ctx context.Context, t *Transaction) error
	Transaction(ctx context.Context, id int64) (Transaction, error)
	Transactions(ctx context.Context, q TransactionQuery) ([]Transaction, int, error)
	DeleteTransaction(ctx context.Context, id int64) error
	SetTransactionComment(ctx context.Context, id int64, comment string) error
	// PurchaseTotals sums a customer's transactions.
	PurchaseTotals(ctx context.Context, customerID int64) (sum, count int64, last time.Time, err error)
}
