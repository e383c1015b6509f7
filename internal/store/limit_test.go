package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
)

func TestLimitStore(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acc := newAccount(t, db, "Limits").AccountID
		t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		counters := []ratelimit.Counter{
			{Key: "uis:user:1", Window: ratelimit.WindowSecond, Start: t0},
			{Key: "uis:user:1", Window: ratelimit.WindowMinute, Start: t0},
			{Key: "uis:user:1", Window: ratelimit.WindowDay, Start: t0},
		}
		add := func(delta int64, cs []ratelimit.Counter, want ...int64) {
			t.Helper()
			got, err := db.AddLimitCounts(ctx, acc, cs, delta)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("add %d: %v, want %v", delta, got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("add %d: %v, want %v", delta, got, want)
				}
			}
		}
		add(1, counters, 1, 1, 1)
		add(1, counters[1:], 2, 2)
		add(1, counters, 2, 3, 3)
		add(-1, counters, 1, 2, 2)
		add(-1, counters[:1], 0)
		add(-1, counters[:1], 0) // never below 0
		fresh := ratelimit.Counter{Key: "uis:user:2", Window: ratelimit.WindowSecond, Start: t0}
		add(-1, []ratelimit.Counter{fresh}, 0) // a missing counter is created at 0

		// Expired windows go; the day window is still running.
		if err := db.DeleteExpiredLimitCounts(ctx, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		add(0, counters, 0, 0, 2)

		// Overrides and blocks share a row without overwriting each other.
		got, err := db.AccountLimits(ctx, acc, "uis")
		if err != nil || got.Override != (ratelimit.Override{}) || !got.BlockedUntil.IsZero() {
			t.Fatalf("nothing stored: %+v %v", got, err)
		}
		ten := int64(10)
		if err := db.SetLimitOverride(ctx, acc, "uis", ratelimit.Override{PerDay: &ten}); err != nil {
			t.Fatal(err)
		}
		if err := db.BlockLimits(ctx, acc, "uis", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.BlockLimits(ctx, acc, "uis", t0.Add(time.Minute)); err != nil { // an earlier end does not shorten it
			t.Fatal(err)
		}
		zero := int64(0)
		if err := db.SetLimitOverride(ctx, acc, "uis", ratelimit.Override{PerSecond: &zero, PerDay: &ten}); err != nil {
			t.Fatal(err)
		}
		got, err = db.AccountLimits(ctx, acc, "uis")
		if err != nil || got.Override.PerSecond == nil || *got.Override.PerSecond != 0 || got.Override.PerMinute != nil ||
			got.Override.PerDay == nil || *got.Override.PerDay != 10 || !got.BlockedUntil.Equal(t0.Add(time.Hour)) {
			t.Fatalf("stored: %+v %v", got, err)
		}
		if other, _ := db.AccountLimits(ctx, acc, "amocrm"); other != (ratelimit.AccountLimits{}) {
			t.Errorf("another dialect: %+v", other)
		}
		if err := db.SetLimitOverride(ctx, acc+1000, "uis", ratelimit.Override{}); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("unknown account: %v", err)
		}
	})
}
