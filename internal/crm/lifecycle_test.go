package crm

import (
	"testing"
	"time"
)

func lifecycleStatuses() []CustomerStatus {
	return []CustomerStatus{
		{ID: 1, Type: StatusRecentlyPurchased, Sort: 0},
		{ID: 5, Type: StatusRegular, Sort: 1, PeriodDays: 20},
		{ID: 2, Type: StatusExpectedPurchase, Sort: 2, PeriodDays: 7},
		{ID: 3, Type: StatusDidNotPurchase, Sort: 4, PeriodDays: 60},
		{ID: 4, Type: StatusClosed, Sort: 5},
		{ID: 6, Type: StatusRegular, Sort: 100}, // no period: never computed
	}
}

func TestLifecycleStatus(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := func(days float64) time.Time { return now.Add(time.Duration(days * float64(day))) }
	tests := []struct {
		name     string
		customer Customer
		want     int64
	}{
		{"no next date", Customer{}, 1},
		{"far ahead", Customer{NextDate: at(30)}, 1},
		{"in the regular window", Customer{NextDate: at(20)}, 5},
		{"regular window's far edge", Customer{NextDate: at(27)}, 5},
		{"just outside every window", Customer{NextDate: at(27.5)}, 1},
		{"expected purchase", Customer{NextDate: at(3)}, 2},
		{"expected window's edge", Customer{NextDate: at(7)}, 2},
		{"due now", Customer{NextDate: now}, 2},
		{"a day late", Customer{NextDate: at(-1)}, 3},
		{"sixty days late", Customer{NextDate: at(-60)}, 3},
		{"past the after period", Customer{NextDate: at(-61)}, 4},
		{"bought on the expected day", Customer{NextDate: at(-5), LastPurchaseAt: at(-5)}, 1},
		{"bought before the expected day", Customer{NextDate: at(3), LastPurchaseAt: at(-10)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LifecycleStatus(lifecycleStatuses(), tt.customer, now); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
}

func TestApplyLifecycleKeepsManualStatus(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := Customer{NextDate: now.Add(30 * day)}
	if !applyLifecycle(lifecycleStatuses(), &c, now) || c.StatusID != 1 {
		t.Fatalf("first computation: %+v", c)
	}
	c.StatusID = 6 // set by hand
	if applyLifecycle(lifecycleStatuses(), &c, now.Add(day)) || c.StatusID != 6 {
		t.Fatalf("a manual status was overridden while the rules agree: %+v", c)
	}
	if !applyLifecycle(lifecycleStatuses(), &c, now.Add(25*day)) || c.StatusID != 2 {
		t.Fatalf("the rules did not take over when the window changed: %+v", c)
	}
}
