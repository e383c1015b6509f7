package crm

import (
	"sort"
	"time"
)

// The life-cycle defaults of a new account.
const (
	// DefaultExpectedDays: a customer is "expected purchase" this many days
	// before its next_date.
	DefaultExpectedDays = 7
	// DefaultAfterDays: a customer stays "did not purchase" this many days
	// after its next_date, then is "closed" (amoCRM's v2 example: 60, and
	// the "Closed" condition after_today 60 of seed 000).
	DefaultAfterDays = 60
)

const day = 24 * time.Hour

// LifecycleStatus returns the id of the status the rules put customer c in at
// now, given the account's statuses. The rules (docs/customers.md):
//
//  1. No next_date, or a purchase on or after next_date (the expected
//     purchase happened and no new date is known): "recently purchased".
//  2. next_date has passed: "did not purchase" for the "after" period's days,
//     then "closed".
//  3. Otherwise the run-up to next_date is split into windows: the statuses
//     before the purchase that have a period (expected purchase and regular
//     ones), nearest to the purchase first (highest sort first), each
//     covering its PeriodDays. The customer is in the window that holds the
//     days left until next_date.
//  4. Further away than every window: "recently purchased".
//
// It returns 0 when the account lacks the status a rule needs.
func LifecycleStatus(statuses []CustomerStatus, c Customer, now time.Time) int64 {
	byType := map[StatusType]CustomerStatus{}
	var before []CustomerStatus
	for _, s := range statuses {
		if s.Type != StatusRegular {
			if _, seen := byType[s.Type]; !seen {
				byType[s.Type] = s
			}
		}
		if (s.Type == StatusRegular || s.Type == StatusExpectedPurchase) && s.PeriodDays > 0 {
			before = append(before, s)
		}
	}
	recently := byType[StatusRecentlyPurchased].ID
	if c.NextDate.IsZero() || (!c.LastPurchaseAt.IsZero() && !c.LastPurchaseAt.Before(c.NextDate)) {
		return recently
	}
	if now.After(c.NextDate) {
		after := byType[StatusDidNotPurchase]
		days := after.PeriodDays
		if days <= 0 {
			days = DefaultAfterDays
		}
		if now.Sub(c.NextDate) > time.Duration(days)*day {
			return byType[StatusClosed].ID
		}
		return after.ID
	}
	sort.SliceStable(before, func(i, j int) bool {
		if before[i].Sort != before[j].Sort {
			return before[i].Sort > before[j].Sort
		}
		return before[i].ID > before[j].ID
	})
	left := c.NextDate.Sub(now)
	var window time.Duration
	for _, s := range before {
		window += time.Duration(s.PeriodDays) * day
		if left <= window {
			return s.ID
		}
	}
	return recently
}

// applyLifecycle recomputes c's status at now. A status set by hand (StatusID
// differing from the last computed one) stays until the rules compute a new
// status; then the rules win.
func applyLifecycle(statuses []CustomerStatus, c *Customer, now time.Time) bool {
	computed := LifecycleStatus(statuses, *c, now)
	if computed == c.LifecycleStatusID {
		return false
	}
	c.LifecycleStatusID = computed
	c.StatusID = computed
	return true
}
