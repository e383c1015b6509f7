package crm

import (
	"context"
	"time"
)

// Store is the persistence the domain needs. internal/store implements it on
// SQLite and PostgreSQL. Everything that touches an account's records goes
// through a Tx obtained from View or Update, which is bound to one account:
// tenant isolation is a property of the Tx, not of each caller. The few
// calls that are not bound to one account (finding a credential, the
// accounts background jobs visit, login, agents) are the Store's own.
//
// Errors: methods return *Error of KindNotFound for missing rows and
// KindConflict for unique-key clashes; anything else is internal.
type Store interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// View runs fn in a read-only transaction scoped to one account.
	View(ctx context.Context, accountID int64, fn func(Tx) error) error
	// ViewOne is View for a fn that reads with one statement, which is
	// consistent on its own: it runs without BEGIN and COMMIT (on SQLite
	// they were 11–17 % of a read by id's store time). A fn that makes a
	// second statement, or writes, fails with an error and its results
	// must be dropped: one statement is what makes the read consistent.
	ViewOne(ctx context.Context, accountID int64, fn func(Tx) error) error
	// Update runs fn in a read-write transaction scoped to one account.
	// Updates of one account are serialized (the account row is locked), so
	// checks such as "at most 30 statuses" cannot be raced past. Concurrent
	// Updates may share one database commit, but each is all or nothing: if
	// fn returns an error nothing of it is written.
	Update(ctx context.Context, accountID int64, fn func(Tx) error) error
	// UpdateBatch is Update for a call that writes many rows at once (a
	// batch of records): it never shares a transaction with the calls
	// before it, which would cost SQLite a statement journal walked at
	// every statement's end (see store.DB.UpdateBatch).
	UpdateBatch(ctx context.Context, accountID int64, fn func(Tx) error) error
	// CreateAccount inserts a, sets its ID, and runs fn scoped to the new
	// account in the same transaction. A clashing subdomain is KindConflict.
	CreateAccount(ctx context.Context, a *Account, fn func(Tx) error) error
	// CountAccounts returns the number of accounts (0 on a fresh database).
	CountAccounts(ctx context.Context) (int, error)
	// AccountIDs lists every account, for background jobs.
	AccountIDs(ctx context.Context) ([]int64, error)
	// CredentialByHash finds a live credential of the given kind by the hash
	// of its secret. KindNotFound when there is none.
	CredentialByHash(ctx context.Context, kind CredentialKind, hash []byte) (Credential, error)
	// InstanceSecret returns the named installation-wide secret, creating it
	// with generate on first use; concurrent first uses agree on one value.
	InstanceSecret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)

	LoginStore
	AgentStore
}

// Tx is a transaction bound to one account. Every method reads and writes
// only that account's rows. It is composed of one port per aggregate,
// each declared beside its entity.
type Tx interface {
	// AccountID is the account this transaction is bound to.
	AccountID() int64
	// Now is the transaction's fixed clock reading, in UTC.
	Now() time.Time

	AccountStore
	CustomerStatusStore
	SegmentStore
	CustomFieldStore
	ContactStore
	ContactCardStore
	TagStore
	TagDictionaryStore
	CustomerStore
	TransactionStore
	PipelineStore
	InboundStore
	UnsortedStore
	ServiceValueStore
	DealStore
	LeadStore
	TaskStore
	HistoryStore
	EventStore
	ReportStore
	DashboardStore
	SessionStore
	IntegrationStore
	WebhookStore
	DealRankStore
	RowBatchStore
}
