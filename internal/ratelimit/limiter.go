package ratelimit

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/obs"
)

// Limiter decides whether a request of a registered dialect may be served.
// A nil *Limiter means limits are switched off: Allow admits everything and
// counts nothing. It is safe for concurrent use.
//
// Cost per request: one primary-key SELECT (the account's override and
// block) and one upsert statement that increments the 1–3 limited windows'
// counters and returns them. A refused request costs one more upsert (the
// refund, so refused requests do not use up the allowance) and, for a
// dialect with a blocking rule, one more for the violation counter and
// rarely one to store the block. A request while blocked costs only the
// SELECT. Once a minute per process, one DELETE removes expired windows.
type Limiter struct {
	store    Store
	now      func() time.Time
	dialects []Dialect // registration order, for messages
	// nextSweep is the Unix second after which expired counters are deleted.
	nextSweep atomic.Int64
}

// NewLimiter returns a Limiter over store for the given dialects. now is the
// clock of Now (the store's, so that tests control time); time.Now when nil.
// A dialect without a name or registered twice is a wiring mistake and
// panics.
func NewLimiter(store Store, now func() time.Time, dialects ...Dialect) *Limiter {
	if now == nil {
		now = time.Now
	}
	for i, d := range dialects {
		if d.Name == "" {
			panic("ratelimit: a dialect without a name")
		}
		if _, dup := Find(dialects[:i], d.Name); dup {
			panic("ratelimit: dialect " + d.Name + " registered twice")
		}
	}
	return &Limiter{store: store, now: now, dialects: append([]Dialect(nil), dialects...)}
}

// Enabled reports whether limits are on.
func (l *Limiter) Enabled() bool { return l != nil }

// Now reads the limiter's clock.
func (l *Limiter) Now() time.Time {
	if l == nil {
		return time.Now()
	}
	return l.now()
}

// Dialects returns the registered dialects' names, in registration order.
func (l *Limiter) Dialects() []string {
	if l == nil {
		return nil
	}
	return Names(l.dialects)
}

// dialect returns the registered dialect of that name.
func (l *Limiter) dialect(name string) (Dialect, bool) { return Find(l.dialects, name) }

// Limits returns the limits in force for the account and dialect.
func (l *Limiter) Limits(ctx context.Context, accountID int64, dialect string) (Limits, error) {
	d, ok := l.dialect(dialect)
	if !ok {
		return Limits{}, crm.Errorf(crm.KindInvalid, "unknown dialect %q", dialect)
	}
	stored, err := l.store.AccountLimits(ctx, accountID, dialect)
	if err != nil {
		return Limits{}, err
	}
	return stored.Override.Apply(d.Defaults), nil
}

// SetLimits stores the account's own limits for a dialect and returns the
// limits now in force. A value of 0 means no limit for that window; a nil
// field keeps the default. Errors: invalid, not_found.
func (l *Limiter) SetLimits(ctx context.Context, accountID int64, dialect string, o Override) (Limits, error) {
	var v []crm.Violation
	if _, ok := l.dialect(dialect); !ok {
		v = append(v, crm.Violation{Path: "dialect", Code: crm.ViolationChoice,
			Detail: "The dialect must be " + oneOf(l.Dialects()) + "."})
	}
	for _, f := range []struct {
		path string
		n    *int64
	}{{"per-second", o.PerSecond}, {"per-minute", o.PerMinute}, {"per-day", o.PerDay}} {
		if f.n != nil && *f.n < 0 {
			v = append(v, crm.Violation{Path: f.path, Code: crm.ViolationRange, Detail: "The limit must be 0 (no limit) or more."})
		}
	}
	if len(v) > 0 {
		return Limits{}, crm.Invalid(v...)
	}
	if err := l.store.SetLimitOverride(ctx, accountID, dialect, o); err != nil {
		return Limits{}, err
	}
	return l.Limits(ctx, accountID, dialect)
}

// Allow counts a request of key at now and says whether it may be served.
// The error is an internal failure only (a dialect nobody registered is
// one); a refusal is a State with Allowed false.
func (l *Limiter) Allow(ctx context.Context, key Key, now time.Time) (State, error) {
	if l == nil {
		return State{Allowed: true}, nil
	}
	d, ok := l.dialect(key.Dialect)
	if !ok {
		// Counting nothing would switch the dialect's limits off unnoticed.
		return State{}, fmt.Errorf("ratelimit: dialect %q is not registered", key.Dialect)
	}
	l.sweep(ctx, now)
	st := State{Enabled: true, key: key, now: now}
	stored, err := l.store.AccountLimits(ctx, key.AccountID, key.Dialect)
	if err != nil {
		return st, fmt.Errorf("read account limits: %w", err)
	}
	if now.Before(stored.BlockedUntil) {
		st.Blocked, st.BlockedUntil = true, stored.BlockedUntil
		obs.NoteRefusal(ctx, obs.RefusalBlocked)
		return st, nil
	}
	limits := stored.Override.Apply(d.Defaults)
	counters := key.counters(limits, now)
	st.Allowed = true
	if len(counters) == 0 {
		return st, nil
	}
	counts, err := l.store.AddLimitCounts(ctx, key.AccountID, counters, 1)
	if err != nil {
		return st, fmt.Errorf("count request: %w", err)
	}
	for i, c := range counters {
		if counts[i] > limits.Of(c.Window) {
			st.Allowed, st.Exceeded = false, c.Window
		}
	}
	if !st.Allowed {
		// The refused request does not use up the allowance.
		if counts, err = l.store.AddLimitCounts(ctx, key.AccountID, counters, -1); err != nil {
			return st, fmt.Errorf("uncount refused request: %w", err)
		}
		if err := l.violation(ctx, d, key, now); err != nil {
			return st, err
		}
	}
	st.Windows = windowStates(counters, counts, limits, now)
	if !st.Allowed {
		// Every dialect answers a refused State with its limit error; the
		// request's observer (the server's metrics) counts it here, once
		// for all of them.
		obs.NoteRefusal(ctx, obs.RefusalLimit)
	}
	return st, nil
}

// Refund gives back what Allow charged for an admitted request, for dialects
// that charge only successful requests (UIS), and returns the state with the
// counters after the refund. A state that was not admitted or not counted is
// returned as it is.
func (l *Limiter) Refund(ctx context.Context, st State) (State, error) {
	if l == nil || !st.Enabled || !st.Allowed || len(st.Windows) == 0 {
		return st, nil
	}
	counters := make([]Counter, len(st.Windows))
	limits := Limits{}
	for i, w := range st.Windows {
		counters[i] = Counter{Key: st.key.counterKey(), Window: w.Window, Start: w.Start}
		switch w.Window {
		case WindowSecond:
			limits.PerSecond = w.Limit
		case WindowMinute:
			limits.PerMinute = w.Limit
		case WindowDay:
			limits.PerDay = w.Limit
		}
	}
	counts, err := l.store.AddLimitCounts(ctx, st.key.AccountID, counters, -1)
	if err != nil {
		return st, fmt.Errorf("refund request: %w", err)
	}
	st.Windows = windowStates(counters, counts, limits, st.now)
	return st, nil
}

// violation counts a refused request towards the dialect's blocking rule and
// stores a block when the rule says so.
func (l *Limiter) violation(ctx context.Context, d Dialect, key Key, now time.Time) error {
	if d.Block == nil {
		return nil
	}
	c := Counter{Key: key.Dialect + ":violations", Window: WindowMinute, Start: WindowMinute.Start(now)}
	counts, err := l.store.AddLimitCounts(ctx, key.AccountID, []Counter{c}, 1)
	if err != nil {
		return fmt.Errorf("count violation: %w", err)
	}
	if counts[0] > d.Block.After {
		if err := l.store.BlockLimits(ctx, key.AccountID, key.Dialect, now.Add(d.Block.For)); err != nil {
			return fmt.Errorf("block account: %w", err)
		}
	}
	return nil
}

// sweepEvery is how often one process deletes expired counters.
const sweepEvery = 60

// sweep deletes expired counters at most once a minute per process. A
// failure is not the request's problem: the next sweep retries.
func (l *Limiter) sweep(ctx context.Context, now time.Time) {
	sweepExpired(ctx, l.store, &l.nextSweep, now)
}

// sweepExpired deletes expired counters at most once every sweepEvery
// seconds per process; next holds the Unix second of the next sweep.
func sweepExpired(ctx context.Context, store Store, next *atomic.Int64, now time.Time) {
	at := next.Load()
	if now.Unix() < at || !next.CompareAndSwap(at, now.Unix()+sweepEvery) {
		return
	}
	_ = store.DeleteExpiredLimitCounts(ctx, now)
}

// DialectPolicies returns the registered dialects' policies, in
// registration order: what the settings page shows as the defaults.
func (l *Limiter) DialectPolicies() []Dialect {
	if l == nil {
		return nil
	}
	return append([]Dialect(nil), l.dialects...)
}

// Stored returns what the account stores for a dialect: its own limits
// (nil fields keep the defaults) and any block. Errors: invalid (unknown
// dialect).
func (l *Limiter) Stored(ctx context.Context, accountID int64, dialect string) (AccountLimits, error) {
	if _, ok := l.dialect(dialect); !ok {
		return AccountLimits{}, crm.Errorf(crm.KindInvalid, "unknown dialect %q", dialect)
	}
	return l.store.AccountLimits(ctx, accountID, dialect)
}
