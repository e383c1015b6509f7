package crm

import (
	"context"
	"time"
)

// Customer is a repeat-purchase customer (amoCRM "покупатель"). One record
// serves amoCRM v2 and v4: v2's period_id and v4's status_id are StatusID.
type Customer struct {
	ID                int64
	AccountID         int64
	Name              string
	NextPrice         int64
	NextDate          time.Time // zero: no expected purchase date
	ResponsibleUserID int64
	// StatusID is the customer's status (v4) or period (v2).
	StatusID int64
	// LifecycleStatusID is the status the life-cycle rules last computed. A
	// status set by hand is kept until the rules compute a different one.
	LifecycleStatusID int64
	// Periodicity is the expected number of days between purchases; a
	// purchase without a next_date moves next_date on by it.
	Periodicity   int
	CreatedBy     int64 // 0: the robot/API
	UpdatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ClosestTaskAt time.Time // zero: no open task
	// Purchase totals, maintained from transactions.
	LTV            int64
	PurchasesCount int64
	AverageCheck   int64
	LastPurchaseAt time.Time // zero: never purchased
	CompanyID      int64     // 0: none

	// Loaded with the customer; not columns of its own.
	Contacts   []ContactLink
	SegmentIDs []int64
	Tags       []Tag
	Fields     []FieldValue
}

// MainContactID is the id of the customer's main contact, or 0.
func (c *Customer) MainContactID() int64 {
	for _, l := range c.Contacts {
		if l.IsMain {
			return l.ContactID
		}
	}
	return 0
}

// staleText opens the explanation of a write based on an older version of
// a record than the stored one (CodeStaleUpdate). It is amoCRM's sentence
// for it, which v4 shows in its conflict's detail; v2 answers each stale
// item with a text of its own.
const staleText = "Last modified date is older than in database"

// staleFor reports whether a write based on the version seen (nil: the
// client named none) must be refused because the customer changed since.
// It is the one precondition rule of every customer write that names a
// version, in both amoCRM generations.
func (c *Customer) staleFor(seen *time.Time) bool {
	return seen != nil && seen.Before(c.UpdatedAt)
}

// touch records a change by the user by, made at now. updated_at is the
// customer's version, so it becomes max(now, previous + 1 s): it only ever
// increases, by at least the wire's one-second resolution, so that a client
// that read the previous version is refused even within the same second,
// and no client can move it into the future or the past.
func (c *Customer) touch(now time.Time, by int64) {
	next := now.Truncate(time.Second)
	if !next.After(c.UpdatedAt) {
		next = c.UpdatedAt.Add(time.Second)
	}
	c.UpdatedAt, c.UpdatedBy = next, by
}

// ContactLink is a customer's link to a contact.
type ContactLink struct {
	ContactID int64
	IsMain    bool
}

// CustomerInput is a customer write, shared by add and update and by both
// API generations. A nil pointer means "not given".
type CustomerInput struct {
	// ID names the customer to update (ignored on add).
	ID int64
	// SeenUpdatedAt, on update, is the updated_at the client read before
	// making its change (v2 requires it; v4 sends it as updated_at): a
	// precondition, not a value to store. If the stored customer is newer,
	// the item is refused as a conflict, so that two integrations editing
	// one customer lose nothing. nil: no precondition.
	SeenUpdatedAt *time.Time

	Name              *string
	NextPrice         *int64
	NextDate          *time.Time
	ResponsibleUserID *int64
	StatusID          *int64
	Periodicity       *int
	CreatedBy         *int64
	UpdatedBy         *int64
	CreatedAt         *time.Time
	// UpdatedAt is honoured on add only (imports keep their history), and
	// never later than now. An update ignores it: the stored updated_at is
	// the customer's version, which only the server moves (see touch).
	UpdatedAt *time.Time
	Fields    []FieldValueInput

	// Tags replaces the whole tag set when not nil (v2 "tags", v4
	// _embedded.tags; an empty list removes all tags).
	Tags *[]TagRef
	// TagsToAdd and TagsToDelete change the set incrementally (v4).
	TagsToAdd    []TagRef
	TagsToDelete []TagRef

	// AddContactIDs links contacts (v2 contacts_id); the first becomes the
	// main contact when the customer has none.
	AddContactIDs []int64
	// CompanyID links a company, replacing the current one.
	CompanyID *int64
	// UnlinkContactIDs and UnlinkCompanyID detach (v2 unlink).
	UnlinkContactIDs []int64
	UnlinkCompanyID  *int64
	// SegmentIDs replaces the customer's segments when not nil (v4
	// _embedded.segments).
	SegmentIDs *[]int64
}

// CustomerLink is one link of a customer to a contact, company or segment
// (amoCRM v4 links API).
type CustomerLink struct {
	ToType EntityType // EntityContact, EntityCompany or EntitySegment
	ToID   int64
	// IsMain marks the main contact.
	IsMain bool
}

// Range is an inclusive range of Unix seconds; nil ends are open.
type Range struct {
	From *int64
	To   *int64
}

// Empty reports whether the range restricts nothing.
func (r Range) Empty() bool { return r.From == nil && r.To == nil }

// CustomerQuery selects customers. Empty fields do not filter.
type CustomerQuery struct {
	IDs                []int64
	Names              []string
	ResponsibleUserIDs []int64
	StatusIDs          []int64
	CreatedBy          []int64
	UpdatedBy          []int64
	CreatedAt          Range
	UpdatedAt          Range
	NextDate           Range
	NextPrice          Range
	ClosestTaskAt      Range
	// Search matches a substring of the name (v4 "query").
	Search string
	// AfterID selects customers with a larger id (batch scans).
	AfterID int64
	// OrderBy is "id" (default), "created_at", "updated_at" or "next_date".
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int

	// SegmentIDs selects the customers in any of these segments (the
	// workspace's list in the segments mode).
	SegmentIDs []int64

	// NoTotal is for a caller that shows no total (amoCRM v2's list, a
	// lookup by ids, the lifecycle's batch scans): the store reads the
	// page alone and returns 0 for the total, sparing a count of every
	// match — for a batch scan every customer after the batch, once a
	// batch.
	NoTotal bool
}

// CustomerResult is the outcome of one item of a batch update.
type CustomerResult struct {
	Customer Customer
	// Conflict is set when the item was refused because the stored customer
	// is newer than the client's updated_at; Customer is then the stored one.
	Conflict bool
}

// DeletedCustomer names a deleted customer (v2 answers id and name).
type DeletedCustomer struct {
	ID   int64
	Name string
}

// MaxV2Rows is amoCRM v2's system limit on limit_rows.
const MaxV2Rows = 500

// CustomerStore keeps customers and their links to contacts and segments.
type CustomerStore interface {
	// InsertCustomer stores c's own columns and sets its id.
	InsertCustomer(ctx context.Context, c *Customer) error
	// UpdateCustomer stores c's own columns.
	UpdateCustomer(ctx context.Context, c *Customer) error
	// Customer returns a customer's own columns (no links, tags or fields).
	Customer(ctx context.Context, id int64) (Customer, error)
	// CustomerWithParts returns a customer with its contacts, segments,
	// tags and custom values, and the account's customers mode, in one
	// read (one statement). A missing customer is KindNotFound, and then
	// the mode is not read.
	CustomerWithParts(ctx context.Context, id int64) (Customer, CustomersMode, error)
	// Customers returns the customers q selects (own columns) and the total
	// number matching q regardless of Limit and Offset (0 with q.NoTotal).
	Customers(ctx context.Context, q CustomerQuery) ([]Customer, int, error)
	DeleteCustomer(ctx context.Context, id int64) error
	CustomerContacts(ctx context.Context, ids []int64) (map[int64][]ContactLink, error)
	SetCustomerContacts(ctx context.Context, id int64, links []ContactLink) error
	CustomerSegments(ctx context.Context, ids []int64) (map[int64][]int64, error)
	SetCustomerSegments(ctx context.Context, id int64, segmentIDs []int64) error
}
