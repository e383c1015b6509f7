package crm_test

import (
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// TestDashboardWindow: the default window is the 30 days ending today in
// the account's zone, days are local midnights (one across a clock change
// is still one day), and a reversed or too long window is invalid.
func TestDashboardWindow(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	// 23:30 UTC on 30 March 2026 is already 31 March in Berlin (UTC+2).
	now := time.Date(2026, 3, 30, 23, 30, 0, 0, time.UTC)
	from, to, err := crm.DashboardQuery{}.Window(now, berlin)
	if err != nil || !to.Equal(time.Date(2026, 3, 31, 0, 0, 0, 0, berlin)) || !from.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, berlin)) {
		t.Errorf("default window %v – %v, %v", from, to, err)
	}
	// 29 March 2026 is 23 hours long in Berlin; the window still has two days.
	q := crm.DashboardQuery{From: time.Date(2026, 3, 29, 15, 0, 0, 0, berlin), To: time.Date(2026, 3, 30, 0, 0, 0, 0, berlin)}
	if from, to, err = q.Window(now, berlin); err != nil || to.AddDate(0, 0, 1).Sub(from) != 47*time.Hour {
		t.Errorf("window over the clock change %v – %v, %v", from, to, err)
	}
	if _, _, err := (crm.DashboardQuery{From: time.Date(2026, 3, 2, 0, 0, 0, 0, berlin), To: time.Date(2026, 3, 1, 0, 0, 0, 0, berlin)}).Window(now, berlin); crm.KindOf(err) != crm.KindInvalid {
		t.Errorf("reversed window: %v", err)
	}
	year := crm.DashboardQuery{From: time.Date(2025, 1, 1, 0, 0, 0, 0, berlin), To: time.Date(2026, 1, 1, 0, 0, 0, 0, berlin)}
	if _, _, err := year.Window(now, berlin); err != nil {
		t.Errorf("366 days: %v", err)
	}
	year.To = year.To.AddDate(0, 0, 1)
	if _, _, err := year.Window(now, berlin); crm.KindOf(err) != crm.KindInvalid {
		t.Errorf("367 days: %v", err)
	}
}
