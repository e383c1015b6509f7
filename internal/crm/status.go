package crm

import (
	"context"
	"time"
)

// StatusType is the role of a customer status in the periodicity mode.
type StatusType int

// The status types documented by amoCRM. Only StatusRegular can be created
// through the API; the others are the system statuses every account has.
const (
	StatusRegular           StatusType = 0
	StatusExpectedPurchase  StatusType = 1
	StatusDidNotPurchase    StatusType = 2
	StatusClosed            StatusType = 3
	StatusRecentlyPurchased StatusType = 4
)

// MaxCustomerStatuses is the number of statuses an account may have,
// system statuses included ("не более 30 статусов, включая системные").
const MaxCustomerStatuses = 30

// CustomerStatus is a stage a repeat-purchase customer is in when the account
// uses the periodicity mode.
type CustomerStatus struct {
	ID        int64
	AccountID int64
	Name      string
	Sort      int
	// IsDefault marks the system statuses, which cannot be deleted.
	IsDefault bool
	Color     string
	Type      StatusType
	// Conditions is the raw JSON array of transition conditions. The API
	// cannot change conditions (amoCRM: "недоступно редактирование и
	// создание условий через API"), so crmd keeps them opaque.
	Conditions []byte
	// PeriodDays is the length of the status's window in the customer life
	// cycle (amoCRM v2 "period"): for statuses before the purchase, how many
	// days of the run-up to next_date it covers; for "did not purchase"
	// (v2's "after" period), how long a customer stays before "closed".
	PeriodDays int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// StatusColors is the palette of customer status colours (seed 000).
var StatusColors = []string{
	"#fffeb2", "#fffd7f", "#fff000", "#ffeab2", "#ffdc7f", "#ffce5a", "#ffdbdb",
	"#ffc8c8", "#ff8f92", "#d6eaff", "#c1e0ff", "#98cbff", "#ebffb1", "#deff81",
	"#87f2c0", "#f9deff", "#f3beff", "#ccc8f9", "#eb93ff", "#f2f3f4", "#e6e8ea",
}

// systemStatuses are created with every account. Names, sorts, colours and
// conditions follow seed 000's list example; its "Expected purchase" has type 3
// there, a documentation slip: the type table says 1 means "expected purchase".
func systemStatuses() []CustomerStatus {
	return []CustomerStatus{
		{Name: "Recently purchased", Sort: 0, Color: "#ccff66", Type: StatusRecentlyPurchased, Conditions: []byte(`[]`)},
		{Name: "Expected purchase", Sort: 2, Color: "#99ccff", Type: StatusExpectedPurchase, PeriodDays: DefaultExpectedDays,
			Conditions: []byte(`[[{"type":"before_purchase","match":{"value":0},"conditions":[{"value":0}]}]]`)},
		{Name: "Did not purchase", Sort: 4, Color: "#fd5598", Type: StatusDidNotPurchase, PeriodDays: DefaultAfterDays, Conditions: []byte(`[]`)},
		{Name: "Closed", Sort: 5, Color: "#d5d8db", Type: StatusClosed,
			Conditions: []byte(`[[{"type":"after_today","match":{"value":60},"conditions":[{"value":60}]}]]`)},
	}
}

// NewCustomerStatus is a status to add. Pointers distinguish "absent" from zero.
type NewCustomerStatus struct {
	Name  *string
	Sort  *int
	Color *string
}

// CustomerStatusPatch changes a status; nil fields stay as they are.
type CustomerStatusPatch struct {
	Name  *string
	Sort  *int
	Color *string
}

func validColor(palette []string, c string) bool {
	for _, p := range palette {
		if p == c {
			return true
		}
	}
	return false
}

func (n NewCustomerStatus) validate(v *violations, item int) {
	validateName(v, item, "name", n.Name, true)
	if n.Sort == nil {
		v.add(item, "sort", ViolationRequired, "This field is missing.")
	}
	if n.Color != nil && !validColor(StatusColors, *n.Color) {
		v.add(item, "color", ViolationChoice, "The value you selected is not a valid choice.")
	}
}

func (p CustomerStatusPatch) validate(v *violations) {
	if p.Name == nil && p.Sort == nil && p.Color == nil {
		v.add(0, "", ViolationRequired, "At least one of name, sort or color must be given.")
		return
	}
	validateName(v, 0, "name", p.Name, false)
	if p.Color != nil && !validColor(StatusColors, *p.Color) {
		v.add(0, "color", ViolationChoice, "The value you selected is not a valid choice.")
	}
}

func (p CustomerStatusPatch) apply(s *CustomerStatus) {
	if p.Name != nil {
		s.Name = *p.Name
	}
	if p.Sort != nil {
		s.Sort = *p.Sort
	}
	if p.Color != nil {
		s.Color = *p.Color
	}
}

func statusLimitError() error {
	return Errorf(KindLimit, "Too many customer statuses: an account can have at most %d, system statuses included", MaxCustomerStatuses)
}

// CustomerStatusStore keeps the account's customer statuses.
type CustomerStatusStore interface {
	CustomerStatuses(ctx context.Context) ([]CustomerStatus, error)
	CustomerStatus(ctx context.Context, id int64) (CustomerStatus, error)
	CountCustomerStatuses(ctx context.Context) (int, error)
	InsertCustomerStatus(ctx context.Context, s *CustomerStatus) error
	UpdateCustomerStatus(ctx context.Context, s *CustomerStatus) error
	DeleteCustomerStatus(ctx context.Context, id int64) error
}
