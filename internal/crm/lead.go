package crm

import (
	"context"
	"time"
)

// An amoCRM lead is a deal (deal.go): the same record Envybox shows as a
// deal and UIS counts in its funnels. What amoCRM adds lives beside the
// deal's Envybox columns:
//
//   - price, created_by, updated_by, loss_reason_id and the lead's one
//     company are columns of the deal;
//   - the lead's contacts: the main contact is the deal's client (Envybox's
//     client), the others sit in a link table in the order linked. A lead
//     made through amoCRM without contacts has no client (ClientID 0):
//     Envybox renders such a deal with client_id null, and no contact is
//     made up for it;
//   - status 142/143 are the pipeline's won and lost stages (StageWon,
//     StageLost): reaching one closes the deal (closed_at), leaving it opens
//     it again, as moveDeal does for every dialect;
//   - responsible_user_id is the deal's employee when it has one, otherwise
//     its administrator user (Responsible).

// LossReason is a reason a lead was lost (amoCRM loss_reasons), per
// account. Every account starts with DefaultLossReasons.
type LossReason struct {
	ID        int64
	AccountID int64
	Name      string
	Sort      int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultLossReasons are the loss reasons every account is created with
// (migration 0014 gave existing accounts the same list). amoCRM documents
// no API that writes them; an administrator edits them in the database or
// through a later API.
var DefaultLossReasons = []LossReason{
	{Name: "Дорого", Sort: 100000},
	{Name: "Не устроили условия", Sort: 200000},
	{Name: "Выбрали конкурента", Sort: 300000},
	{Name: "Потребность пропала", Sort: 400000},
}

// LeadContact names a contact of a lead in a write; IsMain makes it the
// lead's main contact (the deal's client).
type LeadContact struct {
	ID     int64
	IsMain bool
}

// LeadStatusRef names a stage in a lead write or filter: a stage id, or
// (Status set, StageID 0) the pipeline's won or lost stage, which amoCRM
// calls 142 and 143 in every pipeline.
type LeadStatusRef struct {
	PipelineID int64 // 0: the lead's pipeline (writes), any (filters)
	StageID    int64
	Status     StageStatus // StageWon or StageLost, with StageID 0
}

// LeadInput is one lead of an amoCRM write (add or update). A nil pointer
// means "not given".
type LeadInput struct {
	ID                int64 // the lead to update (ignored on add)
	Name              *string
	Price             *int64
	PipelineID        *int64
	Status            *LeadStatusRef // the stage, within PipelineID or the lead's pipeline
	ResponsibleUserID *int64
	CreatedBy         *int64
	UpdatedBy         *int64
	CreatedAt         *time.Time
	UpdatedAt         *time.Time
	ClosedAt          *time.Time
	LossReasonID      *int64
	Fields            []FieldValueInput
	// Tags replaces the whole tag set when not nil (_embedded.tags; an
	// empty list removes every tag); TagsToAdd and TagsToDelete edit it.
	Tags         *[]TagRef
	TagsToAdd    []TagRef
	TagsToDelete []TagRef
	// Contacts and CompanyID link existing records (add only).
	Contacts  []LeadContact
	CompanyID *int64
}

// LeadQuery selects leads (GET /api/v4/leads). Empty fields do not filter.
type LeadQuery struct {
	IDs                []int64
	Names              []string
	Price              Range
	Statuses           []LeadStatusRef
	PipelineIDs        []int64
	CreatedBy          []int64
	UpdatedBy          []int64
	ResponsibleUserIDs []int64
	CreatedAt          Range
	UpdatedAt          Range
	ClosedAt           Range
	ClosestTaskAt      Range
	// Search is a literal, case-insensitive substring of the lead's name,
	// service and custom field values, or the lead's id written out.
	Search string
	// OrderBy is "id" (the default), "created_at" or "updated_at", ties
	// broken by id.
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int
	// Without names the parts of a lead the caller will not show:
	// DealPartContacts (Lead.Contacts, only shown with=contacts) and
	// DealPartLossReason (Lead.LossReason, with=loss_reason); Service.Leads
	// leaves them unread. Zero reads every part. The store's search
	// ignores it.
	Without DealPart
}

// Lead is a deal with what an amoCRM lead shows besides it.
type Lead struct {
	Deal
	// Contacts are the lead's contacts, the main one (the client) first.
	Contacts []ContactLink
	// LossReason is the deal's loss reason, loaded when it has one.
	LossReason *LossReason
}

// LeadStore keeps what amoCRM leads add to deals.
type LeadStore interface {
	// Leads returns the page of deals q selects (own columns, stage,
	// client name) and whether more follow it.
	Leads(ctx context.Context, q LeadQuery) ([]Deal, bool, error)
	// DealContacts returns the extra contacts (not the client) of deals, in
	// the order linked.
	DealContacts(ctx context.Context, dealIDs []int64) (map[int64][]int64, error)
	// SetDealContacts replaces a deal's extra contacts.
	SetDealContacts(ctx context.Context, dealID int64, contactIDs []int64) error
	// DealsOfContacts returns, per contact, the deals it is linked to as
	// client or extra contact, oldest first.
	DealsOfContacts(ctx context.Context, contactIDs []int64) (map[int64][]int64, error)
	// DealsOfCompanies returns, per company, the deals it is the company of.
	DealsOfCompanies(ctx context.Context, companyIDs []int64) (map[int64][]int64, error)
	// CompanyClients returns, per company, the clients (contacts) it is
	// attached to, in the order attached.
	CompanyClients(ctx context.Context, companyIDs []int64) (map[int64][]int64, error)
	// ContactCustomers and CompanyCustomers return, per contact or
	// company, the customers linked to it.
	ContactCustomers(ctx context.Context, contactIDs []int64) (map[int64][]int64, error)
	CompanyCustomers(ctx context.Context, companyIDs []int64) (map[int64][]int64, error)
	// UnlinkClientCompany detaches a company from a client; when it was
	// the primary one, the client's oldest remaining company becomes
	// primary.
	UnlinkClientCompany(ctx context.Context, clientID, companyID int64) error
	// SetDealUpdatedAt dates a deal's last change (an import's
	// updated_at); UpdateDeal always dates it now.
	SetDealUpdatedAt(ctx context.Context, id int64, at time.Time) error
	InsertLossReason(ctx context.Context, r *LossReason) error
	LossReasons(ctx context.Context) ([]LossReason, error)
	LossReason(ctx context.Context, id int64) (LossReason, error)
}

// seedLossReasons gives a new account DefaultLossReasons.
func seedLossReasons(ctx context.Context, tx Tx) error {
	for _, r := range DefaultLossReasons {
		if err := tx.InsertLossReason(ctx, &r); err != nil {
			return err
		}
	}
	return nil
}
