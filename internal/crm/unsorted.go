package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// amoCRM's unsorted (неразобранное) is not a record of its own: an unsorted
// item IS an inbound request (Envybox's lead) not yet taken to work. What
// amoCRM says of it beyond Envybox's lead — its category, the integration's
// source and the per-category metadata — is an UnsortedSource beside the
// request. Accepting an item is taking the request to work (StartInbound),
// so both dialects see one client and one deal; declining it closes the
// request without a deal.

// The unsorted categories (amoCRM §9.1). Only sip and forms can be created
// through the API; chats and mail come from channels crmd does not have.
const (
	UnsortedSIP   = "sip"
	UnsortedForms = "forms"
	UnsortedChats = "chats"
	UnsortedMail  = "mail"
)

// UnsortedCategories are the categories in amoCRM's order (the summary's keys).
var UnsortedCategories = []string{UnsortedSIP, UnsortedMail, UnsortedForms, UnsortedChats}

// UnsortedSource is what amoCRM knows of an inbound request beyond
// Envybox's lead. A request made through Envybox or the website widget has
// none stored: DefaultUnsortedSource describes it.
type UnsortedSource struct {
	InboundID  int64
	Category   string
	SourceUID  string // "": none (null)
	SourceName string
	// Metadata is the category's metadata object (amoCRM §9.7) as JSON,
	// with the declared types.
	Metadata json.RawMessage
	// LeadName is the name the amoCRM lead (the deal) gets when the item is
	// accepted; "" names the deal after the request, as lead/start does.
	LeadName string
	// LeadPrice is the price the amoCRM lead gets when accepted.
	LeadPrice int64
	// CallUniq is a call's id (sip metadata.uniq); "" for none.
	CallUniq   string
	DeclinedAt time.Time // zero unless declined
	DeclinedBy int64     // the user who declined
}

// Declined reports whether the item was declined.
func (s UnsortedSource) Declined() bool { return !s.DeclinedAt.IsZero() }

// DefaultUnsortedSource is the source of a request that has none stored:
// a web form (Envybox's widget and API leads are forms in amoCRM's terms)
// named after its inbox type, sent when the request was made.
func DefaultUnsortedSource(l Inbound, inboxName string) UnsortedSource {
	md, _ := json.Marshal(map[string]any{
		"form_id": "", "form_name": inboxName, "form_page": "", "ip": "",
		"form_sent_at": l.CreatedAt.Unix(), "referer": "", "visitor_uid": nil,
	})
	return UnsortedSource{InboundID: l.ID, Category: UnsortedForms, SourceName: inboxName, Metadata: md}
}

// Unsorted is an inbound request as an amoCRM unsorted item.
type Unsorted struct {
	Inbound
	Source UnsortedSource
}

// unsortedUIDLength is the length of an unsorted uid: 40 hex digits, the
// shortest amoCRM's uids come in (§9.1).
const unsortedUIDLength = 40

// UnsortedUID is the uid of the inbound request id: the id in lowercase hex,
// zero-padded to 40 digits. It is derived, not stored, so that it is stable,
// the same for a request made through any dialect, and names the one id a
// record has (an Envybox lead id converts to its uid and back) — yet it has
// the 40-hex-digit shape amoCRM's clients expect of a uid.
func UnsortedUID(id int64) string {
	return fmt.Sprintf("%0*x", unsortedUIDLength, id)
}

// ParseUnsortedUID reads an uid made by UnsortedUID; ok is false for any
// other string (which then names no item).
func ParseUnsortedUID(uid string) (id int64, ok bool) {
	if len(uid) != unsortedUIDLength {
		return 0, false
	}
	for _, c := range uid {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(uid[unsortedUIDLength-16:], 16, 64)
	for _, c := range uid[:unsortedUIDLength-16] {
		if c != '0' {
			return 0, false
		}
	}
	if err != nil || n == 0 || n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// NewUnsorted is an unsorted item to create (POST /api/v4/leads/unsorted/sip
// or /forms): an inbound request recorded as Envybox's lead/set records one,
// with its amoCRM source.
type NewUnsorted struct {
	Inbound    NewInbound
	Category   string // sip or forms
	SourceUID  string
	SourceName string
	Metadata   json.RawMessage
	LeadName   string
	LeadPrice  int64 // the lead's price, given to the deal on acceptance
	// CallUniq is a call's id (sip metadata.uniq): a call is recorded once
	// per source_uid.
	CallUniq string
	// CreatedAt, when not zero, is when the request arrived (amoCRM's
	// created_at); zero: now.
	CreatedAt time.Time
}

// UnsortedQuery selects pending unsorted items (requests not taken to work
// and not declined).
type UnsortedQuery struct {
	IDs         []int64
	Categories  []string
	PipelineIDs []int64 // deal pipelines
	// OrderBy is "created_at", "updated_at" or "" (by id); Desc reverses it.
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int
}

// UnsortedSummaryQuery selects the requests a summary counts.
type UnsortedSummaryQuery struct {
	IDs         []int64
	PipelineIDs []int64
	// Window bounds the creation (for total and categories), acceptance and
	// decline times counted, in Unix seconds.
	Window Range
}

// UnsortedSummary is amoCRM's unsorted summary (§9.6).
type UnsortedSummary struct {
	Total, Accepted, Declined int
	// AverageSortTime is the mean time from arrival to acceptance, in seconds.
	AverageSortTime int64
	Categories      map[string]int
}

// UnsortedAccept says how an item is accepted: who acts (and becomes the
// deal's responsible; 0: the caller) and where the deal starts: a stage by
// id, or the stage of a status (won or lost); neither: the deal pipeline's
// first stage after its unsorted status.
type UnsortedAccept struct {
	UserID      int64
	StageID     int64
	StageStatus StageStatus
}

// UnsortedResult is what accepting, declining or linking an item made.
type UnsortedResult struct {
	Unsorted
	DealID   int64 // 0 when declined
	ClientID int64 // 0 when declined
}

// UnsortedStore keeps the amoCRM side of inbound requests.
type UnsortedStore interface {
	// SaveUnsortedSource inserts or replaces the source of a request.
	SaveUnsortedSource(ctx context.Context, s UnsortedSource) error
	// UnsortedCallExists reports whether a call of the source is recorded.
	UnsortedCallExists(ctx context.Context, sourceUID, callUniq string) (bool, error)
	// UnsortedSources returns the stored sources of requests by id.
	UnsortedSources(ctx context.Context, ids []int64) (map[int64]UnsortedSource, error)
	// PendingInbounds lists requests neither taken to work nor declined,
	// with their total. A request without a stored source is a form.
	PendingInbounds(ctx context.Context, q UnsortedQuery) ([]Inbound, int, error)
	// UnsortedSummary counts requests for the summary.
	UnsortedSummary(ctx context.Context, q UnsortedSummaryQuery) (UnsortedSummary, error)
}
