package crm

import (
	"context"
	"time"
)

// Deal is a sale in progress in a deal pipeline (amoCRM's "lead", Envybox's
// "сделка", UIS's deal). A deal made through Envybox or from an inbound
// request belongs to one client; a lead made through amoCRM may have no
// contact, and then ClientID is 0 (lead.go).
type Deal struct {
	ID        int64
	AccountID int64
	Name      string
	// ClientID is the deal's client, which amoCRM shows as the lead's main
	// contact; 0: none.
	ClientID   int64
	PipelineID int64
	StageID    int64
	Responsible
	OldEmployeeID int64
	InboxTypeID   int64
	// ItReaction marks a deal waiting for a reaction (sent to the inbox).
	ItReaction bool
	// WithEvent marks a deal with an open task.
	WithEvent bool
	// ClosestTaskAt is the time of the deal's nearest open task (Envybox
	// task_time); zero: none. Kept in step by the task code (task_service.go).
	ClosestTaskAt  time.Time
	ParentDealID   int64
	StageUpdatedAt time.Time
	ClosedAt       time.Time // set on reaching a won or lost stage
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Price is amoCRM's budget, whole currency units.
	Price int64
	// CreatedBy and UpdatedBy are users; 0: the API or a robot.
	CreatedBy int64
	UpdatedBy int64
	// LossReasonID is kept while the deal is on a lost stage; 0: none.
	LossReasonID int64
	// CompanyID is the lead's one company; 0: none.
	CompanyID int64

	// Loaded with the deal.
	Stage      Stage
	ClientName string
	InboundIDs []int64
	Values     []ServiceValue
	Fields     []FieldValue
	Tags       []Tag
}

// NewDeal is a deal to create for an existing client.
type NewDeal struct {
	Name       string
	ClientID   int64
	PipelineID int64 // 0: the primary deal pipeline
	StageID    int64 // 0: the pipeline's first stage
	Responsible
	InboxTypeID int64 // 0: the default inbox type
	// Task, when not nil, creates a task with the deal (an empty one is the
	// default task).
	Task   *NewTask
	Values []FieldWrite
	Tags   []string
}

// NewTask is a task to create.
type NewTask struct {
	Text string
	Time time.Time // zero: a default due time
}

// DealQuery selects deals.
type DealQuery struct {
	Keyword     string
	PipelineIDs []int64
	StageIDs    []int64
	ClientIDs   []int64
	ParentIDs   []int64 // deals made from these deals
	// DateField is "created", "updated", "closed", "stage_changed" or
	// "stage_transition" (with DateStageIDs).
	DateField    string
	Dates        Range
	DateStageIDs []int64
	Limit        int
	Offset       int
	// Without names the parts of the rows (DealPartInbounds,
	// DealPartServiceValues, DealPartFields, DealPartTags) the caller will
	// not show: Service.Deals leaves them unread, a statement each for the
	// page. Zero reads every part. The store's search ignores it.
	Without DealPart
}

// LogEntry is one line of an inbound request's or deal's history.
type LogEntry struct {
	ID         int64
	AccountID  int64
	EntityType EntityType // EntityInbound or EntityDeal
	EntityID   int64
	TypeID     int
	// Data is the type-specific JSON object.
	Data       []byte
	UserID     int64
	EmployeeID int64
	CreatedAt  time.Time
	// UpdatedAt and UpdatedBy are the last edit of an entry that can be
	// edited (a note); zero: never edited.
	UpdatedAt time.Time
	UpdatedBy int64
	// Batch is the id of the first entry the same write call made, 0 when
	// this entry is that first one (see EventsOf).
	Batch int64
}

// Log entry types. 9/10 and 2009/2010 are Envybox's documented call and
// comment types; 14 is its "attached to client"; the others are crmd's
// system entries, listed in docs/envybox.md.
const (
	LogInboundCreated  = 1
	LogInboundCall     = 9
	LogInboundComment  = 10
	LogInboundAttached = 14
	LogDealCreated     = 2001
	LogDealStage       = 2002
	LogDealResponsible = 2003
	LogDealCall        = 2009
	LogDealComment     = 2010
	LogDealLeadLinked  = 2014
)

// DealPart names a part of a deal that DealWithParts reads with it; parts
// combine with |.
type DealPart uint8

// The parts of a deal a read by id can ask for.
const (
	// DealPartInbounds is Deal.InboundIDs, the requests linked to it.
	DealPartInbounds DealPart = 1 << iota
	// DealPartServiceValues is Deal.Values.
	DealPartServiceValues
	// DealPartFields is Deal.Fields, its custom field values.
	DealPartFields
	// DealPartTags is Deal.Tags.
	DealPartTags
	// DealPartContacts is the ids of its contacts besides the main one
	// (DealLinks.Contacts).
	DealPartContacts
	// DealPartLossReason is its loss reason (DealLinks.LossReason).
	DealPartLossReason
)

// DealLinks are the parts DealWithParts reads that Deal has no field for.
type DealLinks struct {
	// Contacts are the ids of the deal's contacts other than its main
	// one, in their order (DealPartContacts); nil when it has none.
	Contacts []int64
	// LossReason is the deal's loss reason (DealPartLossReason); nil when
	// it has none or the reason no longer exists.
	LossReason *LossReason
}

// DealStore keeps deals, the stages they passed through, their history,
// and the deal search.
type DealStore interface {
	InsertDeal(ctx context.Context, d *Deal) error
	UpdateDeal(ctx context.Context, d *Deal) error
	// MoveDeal writes what a stage change changes of a deal: its pipeline,
	// stage, stage date, closing date and update time; its other columns
	// stay as stored.
	MoveDeal(ctx context.Context, d *Deal) error
	// PatchDeal writes what UpdateDeal does, but only the columns of d
	// that differ from stored (the deal as read in this transaction) and
	// its update time: a change of a few columns costs what they do.
	PatchDeal(ctx context.Context, d, stored *Deal) error
	// Deal returns a deal's own columns, its stage and its client's name.
	Deal(ctx context.Context, id int64) (Deal, error)
	// DealWithParts returns what Deal does with the parts named in parts
	// filled, in one read (one statement, one round trip); the parts Deal
	// has no field for (contacts, loss reason) come in DealLinks.
	DealWithParts(ctx context.Context, id int64, parts DealPart) (Deal, DealLinks, error)
	Deals(ctx context.Context, q DealQuery) ([]Deal, int, error)
	// RecordStage notes that a deal entered a stage (for date filters).
	RecordStage(ctx context.Context, dealID, stageID int64, at time.Time) error
	// StageTotals returns the kept totals of the stages of a pipeline that
	// have ever held a deal, in no particular order; a stage missing from
	// the list holds none. They are read, not counted: the store keeps
	// them as deals are written.
	StageTotals(ctx context.Context, pipelineID int64) ([]StageTotal, error)
	// SearchDeals runs a deal search in the database: the ids of every
	// deal q selects, newest first, and the deals of the page q.Limit and
	// q.Offset cut from them (own columns, stage and client name). With
	// q.PageOnly it reads the page alone and returns no ids.
	SearchDeals(ctx context.Context, q DealSearchQuery) ([]int64, []Deal, error)
	// SearchDealsTotal is SearchDeals for a caller that needs the number of
	// matches, not their ids: the same total (the ids' number) and page.
	// The store may count from totals it keeps instead of reading every
	// match; a search those cannot answer exactly is run as SearchDeals.
	SearchDealsTotal(ctx context.Context, q DealSearchQuery) (int, []Deal, error)
	// DealPage returns the deals of the page q cuts from a stage's, a
	// pipeline's or the account's deals, newest first (own columns, stage
	// and client name), reading no deal outside the page.
	DealPage(ctx context.Context, q DealPageQuery) ([]Deal, error)
	// DealSearchExtras returns, per deal, its nearest open task, its latest
	// comment entry and its latest linked lead's creation time.
	DealSearchExtras(ctx context.Context, dealIDs []int64) (map[int64]DealSearchExtra, error)
	InsertLog(ctx context.Context, e *LogEntry) error
	// Logs returns one page of an entity's history, newest first, and the
	// number of entries q selects regardless of Limit and Offset.
	Logs(ctx context.Context, q LogQuery) ([]LogEntry, int, error)
}
