package crm

import "fmt"

// Period is amoCRM v2's view of a customer status ("customers_periods"): the
// statuses before the purchase are "before" periods, "did not purchase" is
// the "after" period, and "closed" is not a period.
type Period struct {
	ID    int64
	Type  string // "before" or "after"
	Days  int
	Color string
	Sort  int
	// BeforeBuy, for a before period with days, is how many days before
	// the purchase its window reaches: its days plus those of the periods
	// nearer the purchase (seed 001: "calculated by adding this parameter
	// for all periods from the purchase day"). Nearer means a higher sort,
	// the order LifecycleStatus uses.
	BeforeBuy int
}

// The v2 period types.
const (
	PeriodBefore = "before"
	PeriodAfter  = "after"
)

// MaxBeforePeriods is v2's limit of periods before the purchase ("10
// periods, including recently bought …").
const MaxBeforePeriods = 10

// PeriodOf returns the v2 period a status is, or false for "closed".
func PeriodOf(s CustomerStatus) (Period, bool) {
	p := Period{ID: s.ID, Type: PeriodBefore, Days: s.PeriodDays, Color: s.Color, Sort: s.Sort}
	switch s.Type {
	case StatusClosed:
		return Period{}, false
	case StatusDidNotPurchase:
		p.Type = PeriodAfter
	}
	return p, true
}

// PeriodInput is one period of v2's full-list update; ID 0 creates a period.
type PeriodInput struct {
	ID    int64
	Days  *int
	Color *string
	Sort  *int
}

var hexColor = func(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

func (p PeriodInput) validate(v *violations, item int) {
	if p.ID == 0 && p.Days == nil {
		v.add(item, "period", ViolationRequired, "This field is missing.")
	}
	if p.Days != nil && (*p.Days < 1 || *p.Days > 3650) {
		v.add(item, "period", ViolationRange, "The period must be between 1 and 3650 days.")
	}
	// v2's own example sends "#000000", outside the v4 palette: v2 takes
	// any #rrggbb colour.
	if p.Color != nil && !hexColor(*p.Color) {
		v.add(item, "color", ViolationInvalid, "The colour must look like #rrggbb.")
	}
}

func periodName(days int) string { return fmt.Sprintf("%d days", days) }
