package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
	"github.com/crmd/crmd/internal/store"
)

// The tests' dialects. The limiter knows none by itself; these carry the
// values crmd's dialects declare (server.LimitDialects tests those), so the
// scenarios below read as the real ones.
var (
	testAmoCRM = ratelimit.Dialect{Name: "amocrm", Defaults: ratelimit.Limits{PerSecond: 7},
		Block: &ratelimit.BlockRule{After: 10, For: 15 * time.Minute}}
	testUIS      = ratelimit.Dialect{Name: "uis", Defaults: ratelimit.Limits{PerMinute: 200, PerDay: 3500}}
	testEnvybox  = ratelimit.Dialect{Name: "envybox", Defaults: ratelimit.Limits{PerSecond: 10, PerMinute: 300}}
	testDialects = []ratelimit.Dialect{testAmoCRM, testUIS, testEnvybox}
)

// limitClock is a settable clock.
type limitClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *limitClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *limitClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func limitN(n int64) *int64 { return &n }

// limitFixture opens a database with a fake clock and one account.
func limitFixture(t *testing.T, dsn string, t0 time.Time) (*store.DB, *ratelimit.Limiter, *limitClock, auth.AccountCredentials) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &limitClock{now: t0}
	db.Now = clock.Now
	a, err := auth.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Limits"})
	if err != nil {
		t.Fatal(err)
	}
	return db, ratelimit.NewLimiter(db, db.Now, testDialects...), clock, creds
}

func TestLimitWindowStart(t *testing.T) {
	at := time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)
	tests := []struct {
		w    ratelimit.Window
		want time.Time
	}{
		{ratelimit.WindowSecond, time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)},
		{ratelimit.WindowMinute, time.Date(2026, 3, 14, 15, 9, 0, 0, time.UTC)},
		{ratelimit.WindowDay, time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(string(tt.w), func(t *testing.T) {
			if got := tt.w.Start(at); !got.Equal(tt.want) {
				t.Errorf("Start = %v, want %v", got, tt.want)
			}
			// A time in another zone names the same instant.
			if got := tt.w.Start(at.In(time.FixedZone("MSK", 3*3600))); !got.Equal(tt.want) {
				t.Errorf("Start in MSK = %v, want %v", got, tt.want)
			}
			if got := tt.w.Start(tt.want); !got.Equal(tt.want) {
				t.Errorf("a window's own start = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLimiterRegistry: the limiter serves the dialects it was given, in
// their order, and refuses any other name instead of leaving it unlimited.
func TestLimiterRegistry(t *testing.T) {
	lim := ratelimit.NewLimiter(nil, nil, testDialects...)
	if got := lim.Dialects(); len(got) != 3 || got[0] != "amocrm" || got[1] != "uis" || got[2] != "envybox" {
		t.Errorf("Dialects = %v", got)
	}
	if _, err := lim.Allow(context.Background(), ratelimit.Key{AccountID: 1, Dialect: "bitrix", Caller: "user:1"}, time.Now()); err == nil {
		t.Error("an unregistered dialect was admitted")
	}
	_, err := lim.SetLimits(context.Background(), 1, "bitrix", ratelimit.Override{})
	if e, ok := crm.AsError(err); !ok || len(e.Violations) != 1 || e.Violations[0].Detail != "The dialect must be amocrm, uis or envybox." {
		t.Errorf("unknown dialect: %v", err)
	}
	var off *ratelimit.Limiter
	if off.Dialects() != nil {
		t.Error("a switched-off limiter names dialects")
	}
	for name, dialects := range map[string][]ratelimit.Dialect{
		"twice":   {testUIS, testUIS},
		"no name": {{Defaults: ratelimit.Limits{PerSecond: 1}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			ratelimit.NewLimiter(nil, nil, dialects...)
		}()
	}
}

// TestLimitWindows walks one caller through the second, minute and day
// windows with a fake clock.
func TestLimitWindows(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		t0 := time.Date(2026, 5, 1, 23, 58, 10, 200_000_000, time.UTC)
		_, lim, clock, creds := limitFixture(t, dsn, t0)
		if _, err := lim.SetLimits(ctx, creds.AccountID, testEnvybox.Name,
			ratelimit.Override{PerSecond: limitN(3), PerMinute: limitN(5), PerDay: limitN(7)}); err != nil {
			t.Fatal(err)
		}
		key := ratelimit.Key{AccountID: creds.AccountID, Dialect: testEnvybox.Name, Caller: "user:1"}
		allow := func(want bool, exceeded ratelimit.Window) ratelimit.State {
			t.Helper()
			st, err := lim.Allow(ctx, key, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !st.Enabled || st.Allowed != want || st.Exceeded != exceeded || st.Blocked {
				t.Fatalf("at %s: allowed %v exceeded %q blocked %v, want %v %q", clock.Now().Format(time.TimeOnly), st.Allowed, st.Exceeded, st.Blocked, want, exceeded)
			}
			return st
		}
		used := func(st ratelimit.State, w ratelimit.Window, used, remaining int64, reset time.Duration) {
			t.Helper()
			ws, ok := st.Window(w)
			if !ok || ws.Used != used || ws.Remaining != remaining || ws.Reset != reset {
				t.Errorf("%s window %+v (ok %v), want used %d remaining %d reset %v", w, ws, ok, used, remaining, reset)
			}
		}

		st := allow(true, "")
		used(st, ratelimit.WindowSecond, 1, 2, 800*time.Millisecond)
		used(st, ratelimit.WindowMinute, 1, 4, 49800*time.Millisecond)
		used(st, ratelimit.WindowDay, 1, 6, 109800*time.Millisecond)
		if ws, _ := st.Window(ratelimit.WindowMinute); ws.ResetSeconds() != 50 {
			t.Errorf("minute ResetSeconds = %d, want 50", ws.ResetSeconds())
		}
		allow(true, "")
		allow(true, "")
		st = allow(false, ratelimit.WindowSecond)
		used(st, ratelimit.WindowSecond, 3, 0, 800*time.Millisecond) // the refused request is not counted
		if st.RetryAfter() != 800*time.Millisecond {
			t.Errorf("RetryAfter = %v", st.RetryAfter())
		}

		clock.Add(time.Second) // 23:58:11.2: a new second, the same minute
		allow(true, "")
		st = allow(true, "")
		used(st, ratelimit.WindowMinute, 5, 0, 48800*time.Millisecond)
		st = allow(false, ratelimit.WindowMinute)
		used(st, ratelimit.WindowSecond, 2, 1, 800*time.Millisecond)
		used(st, ratelimit.WindowMinute, 5, 0, 48800*time.Millisecond)

		clock.Add(time.Minute) // 23:59:11.2
		allow(true, "")
		st = allow(true, "")
		used(st, ratelimit.WindowDay, 7, 0, 48800*time.Millisecond)
		allow(false, ratelimit.WindowDay)
		clock.Add(time.Minute) // 00:00:11.2, a new day
		st = allow(true, "")
		used(st, ratelimit.WindowDay, 1, 6, 24*time.Hour-11200*time.Millisecond)

		// Another caller of the same account has counters of its own.
		other := key
		other.Caller = "user:2"
		if st, err := lim.Allow(ctx, other, clock.Now()); err != nil || !st.Allowed {
			t.Fatalf("another caller: %+v %v", st, err)
		}
	})
}

// TestLimitBlock: more than 10 refused amoCRM requests within a minute block
// the account for 15 minutes.
func TestLimitBlock(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		_, lim, clock, creds := limitFixture(t, dsn, t0)
		key := ratelimit.Key{AccountID: creds.AccountID, Dialect: testAmoCRM.Name, Caller: "user:1"}
		var allowed, refused int
		for i := 0; i < 7+11; i++ {
			st, err := lim.Allow(ctx, key, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if st.Blocked {
				t.Fatalf("blocked after %d requests", i)
			}
			if st.Allowed {
				allowed++
			} else {
				refused++
			}
		}
		if allowed != 7 || refused != 11 {
			t.Fatalf("allowed %d refused %d, want 7 and 11", allowed, refused)
		}
		clock.Add(time.Second)
		other := key
		other.Caller = "user:2" // the block is the account's, not the caller's
		st, err := lim.Allow(ctx, other, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !st.Blocked || st.Allowed || !st.BlockedUntil.Equal(t0.Add(15*time.Minute)) || st.RetryAfter() != 15*time.Minute-time.Second {
			t.Fatalf("after the 11th violation: %+v", st)
		}
		clock.Add(15*time.Minute - time.Second - 1) // just before the block ends
		if st, _ := lim.Allow(ctx, key, clock.Now()); !st.Blocked {
			t.Fatalf("block ended early: %+v", st)
		}
		clock.Add(1)
		if st, err := lim.Allow(ctx, key, clock.Now()); err != nil || !st.Allowed {
			t.Fatalf("after the block: %+v %v", st, err)
		}
		// Ten violations within a minute do not block.
		clock.Add(time.Minute)
		for i := 0; i < 7+10; i++ {
			lim.Allow(ctx, key, clock.Now())
		}
		clock.Add(time.Second)
		if st, _ := lim.Allow(ctx, key, clock.Now()); st.Blocked || !st.Allowed {
			t.Fatalf("blocked after ten violations: %+v", st)
		}
	})
}

func TestLimitRefund(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		_, lim, clock, creds := limitFixture(t, dsn, time.Date(2026, 5, 1, 10, 0, 30, 0, time.UTC))
		key := ratelimit.Key{AccountID: creds.AccountID, Dialect: testUIS.Name, Caller: "user:1"}
		st, err := lim.Allow(ctx, key, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := st.Window(ratelimit.WindowSecond); ok || len(st.Windows) != 2 {
			t.Fatalf("UIS windows: %+v", st.Windows)
		}
		if ws, _ := st.Window(ratelimit.WindowMinute); ws.Used != 1 || ws.Limit != 200 || ws.Remaining != 199 || ws.ResetSeconds() != 30 {
			t.Errorf("minute: %+v", ws)
		}
		st, err = lim.Refund(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if ws, _ := st.Window(ratelimit.WindowDay); ws.Used != 0 || ws.Remaining != 3500 {
			t.Errorf("day after refund: %+v", ws)
		}
		st, _ = lim.Allow(ctx, key, clock.Now())
		if ws, _ := st.Window(ratelimit.WindowDay); ws.Used != 1 {
			t.Errorf("day after refund and another request: %+v", ws)
		}
	})
}

func TestLimitOffAndSettings(t *testing.T) {
	ctx := context.Background()
	var off *ratelimit.Limiter
	st, err := off.Allow(ctx, ratelimit.Key{AccountID: 1, Dialect: testAmoCRM.Name}, time.Now())
	if err != nil || !st.Allowed || st.Enabled || len(st.Windows) != 0 {
		t.Fatalf("switched off: %+v %v", st, err)
	}
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		_, lim, _, creds := limitFixture(t, dsn, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
		if _, err := lim.SetLimits(ctx, creds.AccountID, "bitrix", ratelimit.Override{}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("unknown dialect: %v", err)
		}
		if _, err := lim.SetLimits(ctx, creds.AccountID, testUIS.Name, ratelimit.Override{PerDay: limitN(-1)}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("negative limit: %v", err)
		}
		if _, err := lim.SetLimits(ctx, creds.AccountID+100, testUIS.Name, ratelimit.Override{}); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("unknown account: %v", err)
		}
		got, err := lim.SetLimits(ctx, creds.AccountID, testUIS.Name, ratelimit.Override{PerMinute: limitN(0), PerDay: limitN(10000)})
		if err != nil || got != (ratelimit.Limits{PerDay: 10000}) {
			t.Fatalf("set UIS limits: %+v %v", got, err)
		}
		// A later override replaces the whole override.
		got, err = lim.SetLimits(ctx, creds.AccountID, testUIS.Name, ratelimit.Override{PerSecond: limitN(2)})
		if err != nil || got != (ratelimit.Limits{PerSecond: 2, PerMinute: 200, PerDay: 3500}) {
			t.Fatalf("second override: %+v %v", got, err)
		}
		if got, _ := lim.Limits(ctx, creds.AccountID, testAmoCRM.Name); got != testAmoCRM.Defaults {
			t.Errorf("amoCRM limits changed with UIS's: %+v", got)
		}
	})
}

// TestLimitSharedAcrossConnections: two stores on one database (as two
// processes) racing for one key admit exactly the limit in total.
func TestLimitSharedAcrossConnections(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		db1, _, _, creds := limitFixture(t, dsn, t0)
		db2, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		fixed := func() time.Time { return t0 }
		lims := []*ratelimit.Limiter{ratelimit.NewLimiter(db1, fixed, testDialects...), ratelimit.NewLimiter(db2, fixed, testDialects...)}
		if _, err := lims[0].SetLimits(ctx, creds.AccountID, testEnvybox.Name, ratelimit.Override{PerSecond: limitN(25), PerMinute: limitN(0)}); err != nil {
			t.Fatal(err)
		}
		key := ratelimit.Key{AccountID: creds.AccountID, Dialect: testEnvybox.Name, Caller: "user:1"}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					st, err := lims[g%2].Allow(ctx, key, t0)
					if err != nil {
						t.Error(err)
						return
					}
					if st.Allowed {
						admitted.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if admitted.Load() != 25 {
			t.Fatalf("admitted %d of 80, want 25", admitted.Load())
		}
	})
}
