package crm

import (
	"context"
	"time"
)

// Store is the persistence the domain needs. internal/store implements it on
// SQLite and PostgreSQL. Everything that touches an account's records goes
// through a Tx obtained from View or Update, which is bound to one account:
// tenant isolation is a property of the Tx, not of each caller.
//
// Errors: methods return *Error of KindNotFound for missing rows and
// KindConflict for unique-key clashes; anything else is internal.
type Store interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// View runs fn in a read-only transaction scoped to one account.
	View(ctx context.Context, accountID int64, fn func(Tx) error) error
	// Update runs fn in a read-write transaction scoped to one account.
	// Updates of one account are serialized (the account row is locked), so
	// checks such as "at most 30 statuses" cannot be raced past. If fn
	// returns an error nothing is written.
	Update(ctx context.Context, accountID int64, fn func(Tx) error) error
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

	// --- UIS sessions, passwords and agents (internal/store/session.go) ---

	// SetUserPassword stores (or replaces) the password hash of a user,
	// under the user's own account. KindNotFound when there is no such user.
	SetUserPassword(ctx context.Context, userID int64, hash string) error
	// PasswordsByLogin returns the password hashes of the users a login
	// names: the user with that id when login is all digits, otherwise the
	// users whose email equals login case-insensitively. Users without a
	// password are left out.
	PasswordsByLogin(ctx context.Context, login string) ([]UserPassword, error)
	// SessionByHash finds a session by the hash of its token, expired or
	// not. KindNotFound when there is none.
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	// DeleteExpiredSessions deletes the sessions of every account that
	// expired before t.
	DeleteExpiredSessions(ctx context.Context, t time.Time) error
	// LinkAgent lets the agent account act for the client account.
	// KindNotFound when either account does not exist, KindConflict when
	// they are linked already.
	LinkAgent(ctx context.Context, agentAccountID, clientAccountID int64) error
	// AgentClients lists the client accounts of an agent account (none:
	// the account is not an agent).
	AgentClients(ctx context.Context, agentAccountID int64) ([]int64, error)
	// AgentClientUser returns the user with this id when it belongs to one
	// of the agent's client accounts. KindNotFound otherwise.
	AgentClientUser(ctx context.Context, agentAccountID, userID int64) (User, error)
	// --- end of UIS sessions, passwords and agents ---
}

// Tx is a transaction bound to one account. Every method reads and writes
// only that account's rows.
type Tx interface {
	// AccountID is the account this transaction is bound to.
	AccountID() int64
	// Now is the transaction's fixed clock reading, in UTC.
	Now() time.Time

	Account(ctx context.Context) (Account, error)
	SetCustomersMode(ctx context.Context, mode CustomersMode) error

	InsertUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (User, error)
	InsertCredential(ctx context.Context, c *Credential) error

	CustomerStatuses(ctx context.Context) ([]CustomerStatus, error)
	CustomerStatus(ctx context.Context, id int64) (CustomerStatus, error)
	CountCustomerStatuses(ctx context.Context) (int, error)
	InsertCustomerStatus(ctx context.Context, s *CustomerStatus) error
	UpdateCustomerStatus(ctx context.Context, s *CustomerStatus) error
	DeleteCustomerStatus(ctx context.Context, id int64) error

	// Segments returns one page of segments (without Fields) and the total count.
	Segments(ctx context.Context, page Page) ([]Segment, int, error)
	Segment(ctx context.Context, id int64) (Segment, error)
	CountSegments(ctx context.Context) (int, error)
	InsertSegment(ctx context.Context, s *Segment) error
	UpdateSegment(ctx context.Context, s *Segment) error
	DeleteSegment(ctx context.Context, id int64) error

	// CustomFields returns a page of an entity type's fields and the total.
	CustomFields(ctx context.Context, entity EntityType, q FieldQuery) ([]CustomField, int, error)
	// AllCustomFields returns every field of an entity type, for validation.
	AllCustomFields(ctx context.Context, entity EntityType) ([]CustomField, error)
	CustomField(ctx context.Context, entity EntityType, id int64) (CustomField, error)
	CountCustomFields(ctx context.Context, entity EntityType) (int, error)
	// InsertCustomField stores f and its enums, setting their ids.
	InsertCustomField(ctx context.Context, f *CustomField) error
	// UpdateCustomField stores f; enums with id 0 are inserted, enums of the
	// field missing from f.Enums are deleted together with values choosing them.
	UpdateCustomField(ctx context.Context, f *CustomField) error
	// DeleteCustomField deletes the field and all its values.
	DeleteCustomField(ctx context.Context, entity EntityType, id int64) error

	// Users lists the account's users.
	Users(ctx context.Context) ([]User, error)

	InsertContact(ctx context.Context, c *Contact) error
	Contact(ctx context.Context, id int64) (Contact, error)
	// Contacts returns a window of contacts by id and the total.
	Contacts(ctx context.Context, q ListQuery) ([]Contact, int, error)
	InsertCompany(ctx context.Context, c *Company) error
	Company(ctx context.Context, id int64) (Company, error)
	Companies(ctx context.Context, q ListQuery) ([]Company, int, error)

	Tag(ctx context.Context, id int64) (Tag, error)
	// EnsureTag returns the tag with this name (case-insensitively),
	// creating it if needed.
	EnsureTag(ctx context.Context, name string) (Tag, error)
	// EntityTags returns the tags of the given entities.
	EntityTags(ctx context.Context, entity EntityType, ids []int64) (map[int64][]Tag, error)
	// SetEntityTags replaces an entity's tags.
	SetEntityTags(ctx context.Context, entity EntityType, id int64, tagIDs []int64) error

	// InsertCustomer stores c's own columns and sets its id.
	InsertCustomer(ctx context.Context, c *Customer) error
	// UpdateCustomer stores c's own columns.
	UpdateCustomer(ctx context.Context, c *Customer) error
	// Customer returns a customer's own columns (no links, tags or fields).
	Customer(ctx context.Context, id int64) (Customer, error)
	// Customers returns the customers q selects (own columns) and the total
	// number matching q regardless of Limit and Offset.
	Customers(ctx context.Context, q CustomerQuery) ([]Customer, int, error)
	DeleteCustomer(ctx context.Context, id int64) error
	CustomerContacts(ctx context.Context, ids []int64) (map[int64][]ContactLink, error)
	SetCustomerContacts(ctx context.Context, id int64, links []ContactLink) error
	CustomerSegments(ctx context.Context, ids []int64) (map[int64][]int64, error)
	SetCustomerSegments(ctx context.Context, id int64, segmentIDs []int64) error

	InsertTransaction(ctx context.Context, t *Transaction) error
	Transaction(ctx context.Context, id int64) (Transaction, error)
	Transactions(ctx context.Context, q TransactionQuery) ([]Transaction, int, error)
	DeleteTransaction(ctx context.Context, id int64) error
	SetTransactionComment(ctx context.Context, id int64, comment string) error
	// PurchaseTotals sums a customer's transactions.
	PurchaseTotals(ctx context.Context, customerID int64) (sum, count int64, last time.Time, err error)

	InsertDepartment(ctx context.Context, d *Department) error
	Departments(ctx context.Context) ([]Department, error)
	Department(ctx context.Context, id int64) (Department, error)
	InsertInboxType(ctx context.Context, t *InboxType) error
	InboxTypes(ctx context.Context) ([]InboxType, error)
	// InsertPipeline stores p and its stages, setting their ids.
	InsertPipeline(ctx context.Context, p *Pipeline) error
	// Pipelines returns the pipelines of a kind with their stages.
	Pipelines(ctx context.Context, kind PipelineKind) ([]Pipeline, error)
	// AllPipelines returns the pipelines of every kind with their stages,
	// in the order Pipelines returns those of one kind (two queries where
	// a Pipelines call per kind is two each).
	AllPipelines(ctx context.Context) ([]Pipeline, error)
	Pipeline(ctx context.Context, id int64) (Pipeline, error)
	Stage(ctx context.Context, id int64) (Stage, error)
	UpdatePipeline(ctx context.Context, p *Pipeline) error
	// DeletePipeline deletes a pipeline with its stages.
	DeletePipeline(ctx context.Context, id int64) error
	InsertStage(ctx context.Context, s *Stage) error
	UpdateStage(ctx context.Context, s *Stage) error
	DeleteStage(ctx context.Context, id int64) error
	// CountDealsIn counts the deals of a pipeline and/or stage (0: any).
	CountDealsIn(ctx context.Context, pipelineID, stageID int64) (int, error)
	// CountInboundsFor counts the inbound requests in a pipeline or bound
	// for it as their deal pipeline.
	CountInboundsFor(ctx context.Context, pipelineID int64) (int, error)
	// MoveDeals moves every deal of a stage to another stage.
	MoveDeals(ctx context.Context, fromStage int64, to Stage) error

	InsertInbound(ctx context.Context, l *Inbound) error
	UpdateInbound(ctx context.Context, l *Inbound) error
	// Inbound returns a request's own columns and its stage.
	Inbound(ctx context.Context, id int64) (Inbound, error)
	Inbounds(ctx context.Context, q InboundQuery) ([]Inbound, int, error)
	// InboundParent returns the id of the first request (one without a
	// parent) whose phone or email matches, or 0.
	InboundParent(ctx context.Context, phone, email string) (int64, error)
	InboundDeals(ctx context.Context, ids []int64) (map[int64][]int64, error)
	DealInbounds(ctx context.Context, ids []int64) (map[int64][]int64, error)
	LinkInboundDeal(ctx context.Context, inboundID, dealID int64) error

	InsertContactData(ctx context.Context, c *ContactData) error
	ContactData(ctx context.Context, owner EntityType, ids []int64) (map[int64][]ContactData, error)
	// ContactsByPhoneOrEmail returns the ids of clients with a matching
	// phone or email entry, oldest first.
	ContactsByPhoneOrEmail(ctx context.Context, phone, email string) ([]int64, error)

	ServiceValues(ctx context.Context, entity EntityType, ids []int64) (map[int64][]ServiceValue, error)
	SetServiceValue(ctx context.Context, entity EntityType, id, fieldID int64, value string) error
	// InsertServiceValues stores the first service values of an entity
	// (one that has none of these fields yet, such as a record just
	// inserted) in one statement, and sets their ids, entity id and
	// creation time. A field that already has a value is KindConflict.
	InsertServiceValues(ctx context.Context, entity EntityType, id int64, values []ServiceValue) error

	InsertDeal(ctx context.Context, d *Deal) error
	UpdateDeal(ctx context.Context, d *Deal) error
	// Deal returns a deal's own columns, its stage and its client's name.
	Deal(ctx context.Context, id int64) (Deal, error)
	Deals(ctx context.Context, q DealQuery) ([]Deal, int, error)
	// RecordStage notes that a deal entered a stage (for date filters).
	RecordStage(ctx context.Context, dealID, stageID int64, at time.Time) error

	InsertLog(ctx context.Context, e *LogEntry) error

	// FieldValues returns the custom field values of the given entities.
	FieldValues(ctx context.Context, entity EntityType, ids []int64) (map[int64][]FieldValue, error)
	// SetFieldValues replaces the values of the fields named in values
	// (a FieldValue with no Values deletes that field's values).
	SetFieldValues(ctx context.Context, entity EntityType, id int64, values []FieldValue) error

	// ClientIDs returns the ids of every client (contact) q selects, newest
	// first; q.Limit and q.Offset are ignored (the caller pages).
	ClientIDs(ctx context.Context, q ClientQuery) ([]int64, error)
	// UpdateClientName stores a client's name and who changed it, and sets
	// its updated_at to now. KindNotFound when there is no such contact.
	UpdateClientName(ctx context.Context, id int64, name string, by int64) error
	// InsertContactPerson stores a contact person of a client and sets its id.
	InsertContactPerson(ctx context.Context, p *ContactPerson) error
	// ContactPersons returns the contact persons of the given clients,
	// oldest first.
	ContactPersons(ctx context.Context, clientIDs []int64) (map[int64][]ContactPerson, error)
	// SetCompanyLegal stores a company's legal details (requisites).
	// KindNotFound when there is no such company.
	SetCompanyLegal(ctx context.Context, companyID int64, d LegalDetails) error
	// LinkClientCompany attaches a company to a client; primary marks the
	// client's main company.
	LinkClientCompany(ctx context.Context, clientID, companyID int64, primary bool) error
	// ClientCompanies returns the companies attached to a client with their
	// legal details, the primary one first, then in the order attached.
	ClientCompanies(ctx context.Context, clientID int64) ([]ClientCompany, error)

	// --- UIS sessions (internal/store/session.go) ---

	// InsertSession stores a session of one of the account's users and sets
	// its id, account and creation time.
	InsertSession(ctx context.Context, s *Session) error
	// DeleteSession deletes one of the account's sessions. KindNotFound when
	// there is no such session.
	DeleteSession(ctx context.Context, id int64) error
	// --- end of UIS sessions ---

	// --- history (logs) (internal/store/log.go) ---

	// Logs returns one page of an entity's history, newest first, and the
	// number of entries q selects regardless of Limit and Offset.
	Logs(ctx context.Context, q LogQuery) ([]LogEntry, int, error)
	// --- end of history (logs) ---

	// --- tasks (internal/crm/task.go, internal/store/task.go) ---

	// InsertTask stores a deal's task and sets its id, account and times.
	InsertTask(ctx context.Context, t *Task) error
	// UpdateTask stores a task's own columns and sets its updated_at.
	// KindNotFound when there is no such task.
	UpdateTask(ctx context.Context, t *Task) error
	// Task returns one task. KindNotFound when there is none.
	Task(ctx context.Context, id int64) (Task, error)
	// Tasks returns the tasks q selects, the earliest due first (then by
	// id), and the number q selects regardless of Limit and Offset.
	Tasks(ctx context.Context, q TaskQuery) ([]Task, int, error)
	// SyncDealTasks sets a deal's with_event and closest_task_at from its
	// open tasks.
	SyncDealTasks(ctx context.Context, dealID int64) error
	// --- end of tasks ---

	// --- deal filter (internal/crm/deal_filter.go, internal/store/deal_filter.go) ---

	// SearchDeals runs a deal search in the database: the ids of every
	// deal q selects, newest first, and the deals of the page q.Limit and
	// q.Offset cut from them (own columns, stage and client name).
	SearchDeals(ctx context.Context, q DealSearchQuery) ([]int64, []Deal, error)
	// DealSearchExtras returns, per deal, its nearest open task, its latest
	// comment entry and its latest linked lead's creation time.
	DealSearchExtras(ctx context.Context, dealIDs []int64) (map[int64]DealSearchExtra, error)
	// ClientsCompanies returns the companies of the given clients, each
	// client's primary one first, then in the order attached.
	ClientsCompanies(ctx context.Context, clientIDs []int64) (map[int64][]ClientCompany, error)
	// --- end of deal filter ---

	// --- reports (internal/crm/report.go, internal/store/report.go) ---

	// InsertReport stores a custom statistic with its columns and sets
	// their ids, account and times.
	InsertReport(ctx context.Context, r *Report) error
	// UpdateReport stores a report's name and settings and replaces its
	// columns: those whose id is one of the report's keep it, the others are
	// inserted, and the report's columns missing from r are deleted.
	// KindNotFound when there is no such report.
	UpdateReport(ctx context.Context, r *Report) error
	// Report returns a report with its columns. KindNotFound when there is
	// none.
	Report(ctx context.Context, id int64) (Report, error)
	// Reports lists the account's reports with their columns, by id.
	Reports(ctx context.Context) ([]Report, error)
	// ReportGroups counts or sums the deals q selects, grouped by
	// q.GroupBy, in the database (GROUP BY); one group per distinct key.
	ReportGroups(ctx context.Context, q ReportQuery) ([]ReportGroup, error)
	// --- end of reports ---
}

// CredentialKind says which dialect a credential authenticates.
type CredentialKind string

// The credential kinds.
const (
	CredentialAmoCRM  CredentialKind = "amocrm"  // bearer JWT, per user
	CredentialEnvybox CredentialKind = "envybox" // api_key, per account
	CredentialUIS     CredentialKind = "uis"     // access_token, per user
)

// Credential is a secret bound to an account (and for amoCRM and UIS, to a
// user). Only a hash of the secret is kept.
type Credential struct {
	ID        int64
	AccountID int64
	UserID    int64 // 0 for account-wide credentials (Envybox api_key)
	Kind      CredentialKind
	Hash      []byte
	ExpiresAt time.Time // zero: does not expire
	CreatedAt time.Time
}

// --- UIS sessions and passwords ---

// Session is a login session (UIS login.user): an expiring secret bound to a
// user. Only a hash of the secret is kept.
type Session struct {
	ID        int64
	AccountID int64
	UserID    int64
	Hash      []byte
	ExpiresAt time.Time
	CreatedAt time.Time
}

// UserPassword is the stored password hash of a user (a PBKDF2 hash in the
// format internal/auth writes).
type UserPassword struct {
	AccountID int64
	UserID    int64
	Hash      string
}

// --- end of UIS sessions and passwords ---
