package crm

import (
	"context"
	"time"
)

// MaxSegments is the number of customer segments an account may have
// ("не более 100 сегментов").
const MaxSegments = 100

// Segment is a dynamic group of customers used in the segments mode; a
// customer may be in several segments at once.
type Segment struct {
	ID        int64
	AccountID int64
	Name      string
	Color     string
	// PriceTypes are the ids of catalog price fields available to the
	// segment (amoCRM's available_products_price_types).
	PriceTypes []int64
	// CustomersCount is computed from the customers linked to the segment.
	CustomersCount int
	Fields         []FieldValue
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SegmentColors is the palette of segment colours (seed 000): hex without '#'.
var SegmentColors = []string{
	"10599d", "2176ff", "006acc", "07a0c3", "247ba0", "177e89", "046e8f", "598381",
	"0c7c59", "495f41", "00a44b", "08605f", "bf2600", "06d6a0", "e14945", "79b473",
	"ae003f", "a2ad59", "cd0f53", "8e936d", "832161", "2e5339", "bf126f", "6f7c12",
	"ff5376", "dd1c1a", "bb304e", "631d76", "9d2b32", "4a001f", "b118c8", "6a0f49",
	"6610f2", "b38a58", "8963ba", "4b3666", "932f6d", "6b2d5c", "6461a0", "4f517d",
}

// NewSegment is a segment to add.
type NewSegment struct {
	Name       *string
	Color      *string
	PriceTypes []int64
	Fields     []FieldValueInput
}

// SegmentPatch changes a segment; nil fields stay. Fields lists only the
// fields to change: the ones not mentioned keep their values.
type SegmentPatch struct {
	Name       *string
	Color      *string
	PriceTypes *[]int64
	Fields     []FieldValueInput
	HasFields  bool
}

func validatePriceTypes(v *violations, ids []int64) {
	for i, id := range ids {
		if id <= 0 {
			v.add(0, "available_products_price_types."+itoa(i), ViolationRange, "This value should be a positive id.")
		}
	}
}

func (n NewSegment) validate(v *violations) {
	validateName(v, 0, "name", n.Name, true)
	if n.Color != nil && !validColor(SegmentColors, *n.Color) {
		v.add(0, "color", ViolationChoice, "The value you selected is not a valid choice.")
	}
	validatePriceTypes(v, n.PriceTypes)
}

func (p SegmentPatch) validate(v *violations) {
	if p.Name == nil && p.Color == nil && p.PriceTypes == nil && !p.HasFields {
		v.add(0, "", ViolationRequired, "At least one of name, color, available_products_price_types or custom_fields_values must be given.")
		return
	}
	validateName(v, 0, "name", p.Name, false)
	if p.Color != nil && !validColor(SegmentColors, *p.Color) {
		v.add(0, "color", ViolationChoice, "The value you selected is not a valid choice.")
	}
	if p.PriceTypes != nil {
		validatePriceTypes(v, *p.PriceTypes)
	}
}

// SegmentStore keeps the account's customer segments.
type SegmentStore interface {
	// Segments returns one page of segments (without Fields) and the total count.
	Segments(ctx context.Context, page Page) ([]Segment, int, error)
	Segment(ctx context.Context, id int64) (Segment, error)
	CountSegments(ctx context.Context) (int, error)
	InsertSegment(ctx context.Context, s *Segment) error
	UpdateSegment(ctx context.Context, s *Segment) error
	DeleteSegment(ctx context.Context, id int64) error
}
