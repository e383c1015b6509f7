package crm

import (
	"context"
	"time"
)

// Inbound is an inbound request (Envybox "заявка"/"лид"): a contact that
// reached the business and waits to be taken to work, when it becomes a
// client and a deal.
type Inbound struct {
	ID        int64
	AccountID int64
	// ParentID is the first inbound request with the same phone or email
	// (0 when this one is the first): requests from one contact merge into it.
	ParentID   int64
	PipelineID int64
	StageID    int64
	// DealPipelineID and DealStageID say where the deal is created when the
	// request is taken to work (DealStageID 0: the pipeline's first stage).
	DealPipelineID int64
	DealStageID    int64
	Responsible
	OldEmployeeID int64
	InboxTypeID   int64
	// ClientID is the client the request was attached to when taken to work.
	ClientID int64
	// Name, Phone (normalized) and Email (lower-cased) repeat the service
	// values for matching and listing.
	Name           string
	Phone          string
	Email          string
	StageUpdatedAt time.Time
	ClosedAt       time.Time // zero until taken to work
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Loaded with the request.
	Stage       Stage
	DealIDs     []int64
	Values      []ServiceValue
	Fields      []FieldValue
	ContactData []ContactData
}

// TakenToWork reports whether the request has been taken to work.
func (l Inbound) TakenToWork() bool { return !l.ClosedAt.IsZero() }

// ContactData is one typed contact entry (phone, email, messenger, note …)
// of a client or of an inbound request.
type ContactData struct {
	ID        int64
	AccountID int64
	OwnerType EntityType // EntityContact or EntityInbound
	OwnerID   int64
	// Kind is Envybox's string type: phone, email, work_phone, home_phone,
	// mobile_phone, viber, instagram, whatsapp, telegram, vkontakte,
	// facebook, skype, note, position.
	Kind string
	// Value is normalized for phones and emails.
	Value     string
	Addon     string // extension of a work_phone
	Primary   bool
	Note      string
	Birthday  string // YYYY-MM-DD
	Group     int64  // the contact person the entry belongs to (0: the client itself)
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ContactKinds are the contact data types Envybox accepts on inbound
// requests, plus the phone/email/mobile_phone that callers also send.
var ContactKinds = []string{"viber", "instagram", "whatsapp", "telegram", "vkontakte", "facebook", "skype",
	"note", "position", "work_phone", "home_phone", "mobile_phone", "phone", "email"}

// ValidContactKind reports whether k is a contact data type.
func ValidContactKind(k string) bool {
	for _, c := range ContactKinds {
		if c == k {
			return true
		}
	}
	return false
}

// contactDataMax is the longest value of a contact data entry of kind k: a
// note is free text, every other kind one line.
func contactDataMax(k string) int {
	if k == "note" {
		return MaxLongText
	}
	return MaxShortText
}

// IsPhoneKind reports whether entries of kind k are phone numbers.
func IsPhoneKind(k string) bool {
	// fax and other_phone are amoCRM's FAX and OTHER phones (contact_card.go).
	return k == "phone" || k == "work_phone" || k == "home_phone" || k == "mobile_phone" || k == "fax" || k == "other_phone"
}

// NewInbound is an inbound request to record.
type NewInbound struct {
	// DealPipelineID: the deal pipeline of the future deal (0: primary).
	DealPipelineID int64
	EmployeeID     int64
	InboxTypeID    int64 // 0: the default inbox type
	Region         string
	TimeZone       string // UTC±HH:MM
	Tags           []string
	RecordLink     string
	// Values are service values by name_id (name, phone, email, comment,
	// utm_*, google_client_id, yandex_client_id).
	Values      map[string]string
	Custom      []CustomValueInput
	ContactData []ContactData
}

// CustomValueInput writes one custom field value by field id (Envybox's
// input_id with value_type_id 2).
type CustomValueInput struct {
	FieldID int64
	Value   any
}

// FieldWrite is one write of Envybox's update…Value methods: a service
// (Service true, value_type_id 1) or custom field by id.
type FieldWrite struct {
	FieldID int64
	Service bool
	Value   any
}

// InboundQuery selects inbound requests.
type InboundQuery struct {
	Keyword  string
	StageIDs []int64
	// DateField is "created", "updated", "closed" or "stage_changed".
	DateField string
	Dates     Range
	// NotTakenOnly keeps requests not yet taken to work; Phone/Email match
	// contact data (normalized).
	NotTakenOnly bool
	Phone        string
	Email        string
	// AfterID keeps requests with a larger id: those recorded after the
	// one with that id. Every write of an account holds the account's
	// write lock until it commits, so ids become visible in increasing
	// order: a read that has seen id N will not later meet a smaller new
	// one. (The web inbox's live list follows events instead: see
	// Service.InboundsAdded.)
	AfterID int64
	// BeforeID, when not 0, keeps requests with a smaller id: the next
	// page, newest first, after a page that ended at that id (an export
	// pages so, and rows that arrive meanwhile do not shift its pages).
	BeforeID int64
	// IDs, when not empty, keeps those requests only.
	IDs    []int64
	Limit  int
	Offset int
}

// StartResult is what taking an inbound request to work made.
type StartResult struct {
	InboundID  int64
	ClientID   int64
	DealID     int64
	NewClient  bool
	UserID     int64
	EmployeeID int64
}

// InboundStore keeps inbound requests (Envybox leads) and their links to
// deals.
type InboundStore interface {
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
}
