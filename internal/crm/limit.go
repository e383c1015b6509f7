package crm

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// Request limits: one mechanism for every API dialect.
//
// Requests are counted per caller (LimitKey: account, dialect and the
// credential's user) in fixed windows of a second, a minute and a day. The
// counters live in the database (LimitStore), so several crmd processes on one
// PostgreSQL (or one SQLite file) share them and a limit holds in total, not
// per process. Each dialect only translates a refused LimitState into its own
// answer: amoCRM 429 (403 while blocked), UIS limit_exceeded and
// metadata.limits, Envybox 429 in its envelope.
//
// Windows are fixed and aligned to the Unix epoch: a second starts on a whole
// second, a minute on a whole minute, a day at 00:00 UTC. A fixed window lets
// a client send up to twice the limit around a window's edge; that is the
// price of one counter row per window instead of a log of request times.

// LimitDialect names the API dialect a request came through; each has its own
// default limits.
type LimitDialect string

// The dialects whose requests are limited.
const (
	LimitAmoCRM  LimitDialect = "amocrm"
	LimitUIS     LimitDialect = "uis"
	LimitEnvybox LimitDialect = "envybox"
)

// Valid reports whether d is a known dialect.
func (d LimitDialect) Valid() bool {
	return d == LimitAmoCRM || d == LimitUIS || d == LimitEnvybox
}

// LimitWindow is the length of a fixed counting window.
type LimitWindow string

// The counting windows, shortest first.
const (
	WindowSecond LimitWindow = "second"
	WindowMinute LimitWindow = "minute"
	WindowDay    LimitWindow = "day"
)

// LimitWindows lists the windows, shortest first.
var LimitWindows = []LimitWindow{WindowSecond, WindowMinute, WindowDay}

// Duration is the window's length.
func (w LimitWindow) Duration() time.Duration {
	switch w {
	case WindowSecond:
		return time.Second
	case WindowMinute:
		return time.Minute
	case WindowDay:
		return 24 * time.Hour
	}
	panic("crm: unknown limit window " + string(w))
}

// Start returns the start of the window that contains t (UTC, aligned to the
// Unix epoch).
func (w LimitWindow) Start(t time.Time) time.Time {
	secs := int64(w.Duration() / time.Second)
	u := t.Unix()
	start := u - u%secs
	if u < 0 && u%secs != 0 {
		start -= secs
	}
	return time.Unix(start, 0).UTC()
}

// Limits is the number of requests allowed in each window; 0 means the
// window is not limited (and not counted).
type Limits struct {
	PerSecond int64 `json:"per_second"`
	PerMinute int64 `json:"per_minute"`
	PerDay    int64 `json:"per_day"`
}

// Of returns the limit of one window.
func (l Limits) Of(w LimitWindow) int64 {
	switch w {
	case WindowSecond:
		return l.PerSecond
	case WindowMinute:
		return l.PerMinute
	case WindowDay:
		return l.PerDay
	}
	return 0
}

// DefaultLimits returns a dialect's limits unless the account overrides them:
//
//   - amoCRM: 7 requests per second, as its documentation says; no minute or
//     day limit is documented.
//   - UIS: 200 points per minute and 3500 per day (every method costs 1
//     point), the values of UIS's own sales-funnel guide; UIS has no
//     per-second limit.
//   - Envybox documents no limit; crmd's choice is 10 per second and 300 per
//     minute (5 per second sustained), no day limit.
func DefaultLimits(d LimitDialect) Limits {
	switch d {
	case LimitAmoCRM:
		return Limits{PerSecond: 7}
	case LimitUIS:
		return Limits{PerMinute: 200, PerDay: 3500}
	case LimitEnvybox:
		return Limits{PerSecond: 10, PerMinute: 300}
	}
	return Limits{}
}

// LimitBlock is the rule that blocks an account after repeated violations:
// when more than After requests of the account through the dialect are
// refused within one clock minute, every request through that dialect is
// refused (Blocked) for the next For.
type LimitBlock struct {
	After int64
	For   time.Duration
}

// BlockRule returns the dialect's blocking rule; ok is false for dialects
// that do not block. Only amoCRM documents one ("after repeated violations
// the account is blocked and every request answers 403") without numbers;
// crmd's choice is more than 10 refused requests in a minute → blocked for 15
// minutes.
func BlockRule(d LimitDialect) (rule LimitBlock, ok bool) {
	if d == LimitAmoCRM {
		return LimitBlock{After: 10, For: 15 * time.Minute}, true
	}
	return LimitBlock{}, false
}

// LimitOverride is an account's own limits for one dialect; a nil field
// keeps the dialect's default.
type LimitOverride struct {
	PerSecond *int64
	PerMinute *int64
	PerDay    *int64
}

// Apply returns l with the override's fields put in.
func (o LimitOverride) Apply(l Limits) Limits {
	if o.PerSecond != nil {
		l.PerSecond = *o.PerSecond
	}
	if o.PerMinute != nil {
		l.PerMinute = *o.PerMinute
	}
	if o.PerDay != nil {
		l.PerDay = *o.PerDay
	}
	return l
}

// AccountLimits is what the store keeps per account and dialect.
type AccountLimits struct {
	Override LimitOverride
	// BlockedUntil is when a block for repeated violations ends; zero when
	// the account was never blocked.
	BlockedUntil time.Time
}

// LimitKey names whose requests are counted together.
type LimitKey struct {
	AccountID int64
	Dialect   LimitDialect
	// Caller identifies the credential within the account, for example
	// "user:5" (ActorLimitKey). Blocks apply to the whole account.
	Caller string
}

// ActorLimitKey is the key of an authenticated caller: its user's
// credentials of one dialect share their counters.
func ActorLimitKey(d LimitDialect, a Actor) LimitKey {
	return LimitKey{AccountID: a.AccountID, Dialect: d, Caller: "user:" + strconv.FormatInt(a.UserID, 10)}
}

// LimitCounter names one counter row: a key within the account, a window
// and the window's start.
type LimitCounter struct {
	Key    string
	Window LimitWindow
	Start  time.Time
}

// End is when the counter's window ends; the row is useless after it.
func (c LimitCounter) End() time.Time { return c.Start.Add(c.Window.Duration()) }

// WindowState is one window's counter as a request left it.
type WindowState struct {
	Window LimitWindow
	// Limit is the number of requests the window allows.
	Limit int64
	// Used is the number of requests admitted in the window so far,
	// this one included when it was admitted.
	Used int64
	// Remaining is Limit-Used, never below 0.
	Remaining int64
	// Start is the window's start; Reset is the time left until it ends
	// (UIS's *_reset, in whole seconds rounded up).
	Start time.Time
	Reset time.Duration
}

// ResetSeconds is Reset in whole seconds, rounded up.
func (w WindowState) ResetSeconds() int64 {
	return int64((w.Reset + time.Second - 1) / time.Second)
}

// LimitState is the outcome of Limiter.Allow.
type LimitState struct {
	// Enabled is false when limits are switched off: nothing was counted,
	// Allowed is true and Windows is empty (UIS answers "limits": {}).
	Enabled bool
	// Allowed says whether the request may be served.
	Allowed bool
	// Exceeded is the window whose limit refused the request; when several
	// were exceeded, the longest. Empty when allowed or blocked.
	Exceeded LimitWindow
	// Blocked is true when the request was refused because the account is
	// blocked for repeated violations, until BlockedUntil.
	Blocked      bool
	BlockedUntil time.Time
	// Windows are the limited windows, shortest first. They are empty when
	// Blocked (nothing is counted then).
	Windows []WindowState

	key LimitKey
	now time.Time
}

// Window returns the state of one window; ok is false when it is not limited.
func (s LimitState) Window(w LimitWindow) (ws WindowState, ok bool) {
	for _, x := range s.Windows {
		if x.Window == w {
			return x, true
		}
	}
	return WindowState{}, false
}

// ExceededWindow returns the state of the window that refused the request.
func (s LimitState) ExceededWindow() (WindowState, bool) {
	if s.Exceeded == "" {
		return WindowState{}, false
	}
	return s.Window(s.Exceeded)
}

// RetryAfter is how long the caller should wait before trying again: until
// the block ends or the exceeded window ends; 0 when allowed.
func (s LimitState) RetryAfter() time.Duration {
	switch {
	case s.Blocked:
		return s.BlockedUntil.Sub(s.now)
	case s.Exceeded != "":
		w, _ := s.ExceededWindow()
		return w.Reset
	}
	return 0
}

// LimitStore keeps limit counters, overrides and blocks. Its methods are not
// bound to a transaction: each is one statement, so a counter holds across
// processes without any lock held between statements.
type LimitStore interface {
	// AccountLimits returns what is stored for the account and dialect; the
	// zero value when nothing is.
	AccountLimits(ctx context.Context, accountID int64, dialect LimitDialect) (AccountLimits, error)
	// SetLimitOverride stores the account's override for dialect, keeping a
	// block in force. KindNotFound when the account does not exist.
	SetLimitOverride(ctx context.Context, accountID int64, dialect LimitDialect, o LimitOverride) error
	// BlockLimits refuses the account's requests through dialect until
	// until; a later block already stored is kept.
	BlockLimits(ctx context.Context, accountID int64, dialect LimitDialect, until time.Time) error
	// AddLimitCounts adds delta to each counter atomically, in one statement,
	// creating missing ones (at delta, or 0 when delta is negative; a count
	// never goes below 0), and returns the new counts in the order of
	// counters.
	AddLimitCounts(ctx context.Context, accountID int64, counters []LimitCounter, delta int64) ([]int64, error)
	// DeleteExpiredLimitCounts deletes the counters of every account whose
	// windows ended at or before t.
	DeleteExpiredLimitCounts(ctx context.Context, t time.Time) error
}

// Limiter decides whether a request may be served. A nil *Limiter means
// limits are switched off: Allow admits everything and counts nothing.
// It is safe for concurrent use.
//
// Cost per request: one primary-key SELECT (the account's override and
// block) and one upsert statement that increments the 1–3 limited windows'
// counters and returns them. A refused request costs one more upsert (the
// refund, so refused requests do not use up the allowance) and, for a
// dialect with a blocking rule, one more for the violation counter and
// rarely one to store the block. A request while blocked costs only the
// SELECT. Once a minute per process, one DELETE removes expired windows.
type Limiter struct {
	store LimitStore
	now   func() time.Time
	// nextSweep is the Unix second after which expired counters are deleted.
	nextSweep atomic.Int64
}

// NewLimiter returns a Limiter over store. now is the clock of Now (the
// store's, so that tests control time); time.Now when nil.
func NewLimiter(store LimitStore, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{store: store, now: now}
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

// Limits returns the limits in force for the account and dialect.
func (l *Limiter) Limits(ctx context.Context, accountID int64, dialect LimitDialect) (Limits, error) {
	if !dialect.Valid() {
		return Limits{}, Errorf(KindInvalid, "unknown dialect %q", dialect)
	}
	stored, err := l.store.AccountLimits(ctx, accountID, dialect)
	if err != nil {
		return Limits{}, err
	}
	return stored.Override.Apply(DefaultLimits(dialect)), nil
}

// SetLimits stores the account's own limits for a dialect and returns the
// limits now in force. A value of 0 means no limit for that window; a nil
// field keeps the default. Errors: invalid, not_found.
func (l *Limiter) SetLimits(ctx context.Context, accountID int64, dialect LimitDialect, o LimitOverride) (Limits, error) {
	var v violations
	if !dialect.Valid() {
		v.add(0, "dialect", ViolationChoice, "The dialect must be amocrm, uis or envybox.")
	}
	for _, f := range []struct {
		path string
		n    *int64
	}{{"per-second", o.PerSecond}, {"per-minute", o.PerMinute}, {"per-day", o.PerDay}} {
		if f.n != nil && *f.n < 0 {
			v.add(0, f.path, ViolationRange, "The limit must be 0 (no limit) or more.")
		}
	}
	if err := v.err(); err != nil {
		return Limits{}, err
	}
	if err := l.store.SetLimitOverride(ctx, accountID, dialect, o); err != nil {
		return Limits{}, err
	}
	return l.Limits(ctx, accountID, dialect)
}

// Allow counts a request of key at now and says whether it may be served.
// The error is an internal failure only; a refusal is a LimitState with
// Allowed false.
func (l *Limiter) Allow(ctx context.Context, key LimitKey, now time.Time) (LimitState, error) {
	if l == nil {
		return LimitState{Allowed: true}, nil
	}
	l.sweep(ctx, now)
	st := LimitState{Enabled: true, key: key, now: now}
	stored, err := l.store.AccountLimits(ctx, key.AccountID, key.Dialect)
	if err != nil {
		return st, fmt.Errorf("read account limits: %w", err)
	}
	if now.Before(stored.BlockedUntil) {
		st.Blocked, st.BlockedUntil = true, stored.BlockedUntil
		return st, nil
	}
	limits := stored.Override.Apply(DefaultLimits(key.Dialect))
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
		if err := l.violation(ctx, key, now); err != nil {
			return st, err
		}
	}
	st.Windows = windowStates(counters, counts, limits, now)
	return st, nil
}

// Refund gives back what Allow charged for an admitted request, for dialects
// that charge only successful requests (UIS), and returns the state with the
// counters after the refund. A state that was not admitted or not counted is
// returned as it is.
func (l *Limiter) Refund(ctx context.Context, st LimitState) (LimitState, error) {
	if l == nil || !st.Enabled || !st.Allowed || len(st.Windows) == 0 {
		return st, nil
	}
	counters := make([]LimitCounter, len(st.Windows))
	limits := Limits{}
	for i, w := range st.Windows {
		counters[i] = LimitCounter{Key: st.key.counterKey(), Window: w.Window, Start: w.Start}
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
func (l *Limiter) violation(ctx context.Context, key LimitKey, now time.Time) error {
	rule, ok := BlockRule(key.Dialect)
	if !ok {
		return nil
	}
	c := LimitCounter{Key: string(key.Dialect) + ":violations", Window: WindowMinute, Start: WindowMinute.Start(now)}
	counts, err := l.store.AddLimitCounts(ctx, key.AccountID, []LimitCounter{c}, 1)
	if err != nil {
		return fmt.Errorf("count violation: %w", err)
	}
	if counts[0] > rule.After {
		if err := l.store.BlockLimits(ctx, key.AccountID, key.Dialect, now.Add(rule.For)); err != nil {
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
func sweepExpired(ctx context.Context, store LimitStore, next *atomic.Int64, now time.Time) {
	at := next.Load()
	if now.Unix() < at || !next.CompareAndSwap(at, now.Unix()+sweepEvery) {
		return
	}
	_ = store.DeleteExpiredLimitCounts(ctx, now)
}

// LimitCheck is one caller's counter with fixed limits, for intakes whose
// limits are not a dialect's configurable ones (the website widget).
type LimitCheck struct {
	Key    string
	Limits Limits
}

// FixedLimiter counts requests against fixed limits in the shared counters,
// so the limits hold across processes like the Limiter's.
type FixedLimiter struct {
	store     LimitStore
	nextSweep atomic.Int64
}

// NewFixedLimiter returns a FixedLimiter over store.
func NewFixedLimiter(store LimitStore) *FixedLimiter { return &FixedLimiter{store: store} }

// Allow counts one request of an account against every check's limited
// windows in one statement and returns how long to wait when a limit
// refuses it (0: allowed). A refused request is given back, so it does not
// use up the allowance. The error is an internal failure only.
func (f *FixedLimiter) Allow(ctx context.Context, accountID int64, checks []LimitCheck, now time.Time) (time.Duration, error) {
	var counters []LimitCounter
	var limits []int64
	for _, w := range LimitWindows {
		for _, c := range checks {
			if n := c.Limits.Of(w); n > 0 {
				counters = append(counters, LimitCounter{Key: c.Key, Window: w, Start: w.Start(now)})
				limits = append(limits, n)
			}
		}
	}
	if len(counters) == 0 {
		return 0, nil
	}
	sweepExpired(ctx, f.store, &f.nextSweep, now)
	counts, err := f.store.AddLimitCounts(ctx, accountID, counters, 1)
	if err != nil {
		return 0, err
	}
	var retry time.Duration
	for i, c := range counters {
		if counts[i] > limits[i] {
			retry = max(retry, c.End().Sub(now), time.Second)
		}
	}
	if retry > 0 {
		if _, err := f.store.AddLimitCounts(ctx, accountID, counters, -1); err != nil {
			return 0, err
		}
	}
	return retry, nil
}

// counterKey is the counters' key column: the dialect and the caller.
func (k LimitKey) counterKey() string { return string(k.Dialect) + ":" + k.Caller }

// counters are the key's counters at now for the limited windows.
func (k LimitKey) counters(limits Limits, now time.Time) []LimitCounter {
	var out []LimitCounter
	for _, w := range LimitWindows {
		if limits.Of(w) > 0 {
			out = append(out, LimitCounter{Key: k.counterKey(), Window: w, Start: w.Start(now)})
		}
	}
	return out
}

func windowStates(counters []LimitCounter, counts []int64, limits Limits, now time.Time) []WindowState {
	out := make([]WindowState, len(counters))
	for i, c := range counters {
		limit := limits.Of(c.Window)
		out[i] = WindowState{
			Window: c.Window, Limit: limit, Used: counts[i], Remaining: max(limit-counts[i], 0),
			Start: c.Start, Reset: max(c.End().Sub(now), 0),
		}
	}
	return out
}
