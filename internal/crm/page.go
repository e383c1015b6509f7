package crm

import "fmt"

// Page selects one page of a list. Number is 1-based.
type Page struct {
	Number int
	Limit  int
}

// Paging defaults shared by the list endpoints (amoCRM: 50 by default, at most 250).
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 250
)

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Limit }

// PageCount is the number of pages needed for total rows (at least 1).
func (p Page) PageCount(total int) int {
	if total == 0 {
		return 1
	}
	return (total + p.Limit - 1) / p.Limit
}

// normalize fills defaults and rejects values out of range.
func (p *Page) normalize() error {
	var v violations
	if p.Number == 0 {
		p.Number = 1
	}
	if p.Limit == 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Number < 1 {
		v.add(0, "page", ViolationRange, "This value should be 1 or more.")
	}
	if p.Limit < 1 || p.Limit > MaxPageLimit {
		v.add(0, "limit", ViolationRange, fmt.Sprintf("This value should be between 1 and %d.", MaxPageLimit))
	}
	return v.err()
}
