// Package ratelimit limits requests: one mechanism for every API dialect and
// for the website widget's intake.
//
// Requests are counted per caller (Key: account, dialect and the
// credential's user) in fixed windows of a second, a minute and a day. The
// counters live in the database (Store), so several crmd processes on one
// PostgreSQL (or one SQLite file) share them and a limit holds in total, not
// per process. Each dialect only translates a refused State into its own
// answer: amoCRM 429 (403 while blocked), UIS limit_exceeded and
// metadata.limits, Envybox 429 in its envelope.
//
// The package knows no dialect by name. Each dialect declares its own
// defaults and blocking rule as a Dialect, and whoever wires the server (or
// the CLI) registers them with NewLimiter; the limiter counts under
// whatever name a dialect gives and refuses names nobody registered.
//
// Windows are fixed and aligned to the Unix epoch: a second starts on a whole
// second, a minute on a whole minute, a day at 00:00 UTC. A fixed window lets
// a client send up to twice the limit around a window's edge; that is the
// price of one counter row per window instead of a log of request times.
package ratelimit

import (
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Window is the length of a fixed counting window.
type Window string

// The counting windows, shortest first.
const (
	WindowSecond Window = "second"
	WindowMinute Window = "minute"
	WindowDay    Window = "day"
)

// Windows lists the windows, shortest first.
var Windows = []Window{WindowSecond, WindowMinute, WindowDay}

// Duration is the window's length.
func (w Window) Duration() time.Duration {
	switch w {
	case WindowSecond:
		return time.Second
	case WindowMinute:
		return time.Minute
	case WindowDay:
		return 24 * time.Hour
	}
	panic("ratelimit: unknown window " + string(w))
}

// Start returns the start of the window that contains t (UTC, aligned to the
// Unix epoch).
func (w Window) Start(t time.Time) time.Time {
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
func (l Limits) Of(w Window) int64 {
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

// BlockRule blocks an account after repeated violations: when more than
// After requests of the account through the dialect are refused within one
// clock minute, every request through that dialect is refused (Blocked) for
// the next For.
type BlockRule struct {
	After int64
	For   time.Duration
}

// Dialect is one API dialect's limiting policy, declared by the dialect
// itself and registered with NewLimiter.
type Dialect struct {
	// Name keys the dialect's counters, overrides and blocks in the store
	// and names it to operators (crmd limits set --dialect). It must not
	// change once data is stored under it.
	Name string
	// Defaults are the limits unless the account overrides them.
	Defaults Limits
	// Block is the rule that blocks an account after repeated violations;
	// nil for a dialect that never blocks.
	Block *BlockRule
}

// Find returns the dialect of that name among dialects.
func Find(dialects []Dialect, name string) (Dialect, bool) {
	for _, d := range dialects {
		if d.Name == name {
			return d, true
		}
	}
	return Dialect{}, false
}

// Names lists the dialects' names in their order.
func Names(dialects []Dialect) []string {
	out := make([]string, len(dialects))
	for i, d := range dialects {
		out[i] = d.Name
	}
	return out
}

// Override is an account's own limits for one dialect; a nil field keeps
// the dialect's default.
type Override struct {
	PerSecond *int64
	PerMinute *int64
	PerDay    *int64
}

// Apply returns l with the override's fields put in.
func (o Override) Apply(l Limits) Limits {
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
	Override Override
	// BlockedUntil is when a block for repeated violations ends; zero when
	// the account was never blocked.
	BlockedUntil time.Time
}

// Key names whose requests are counted together.
type Key struct {
	AccountID int64
	// Dialect is the registered Dialect.Name the request came through.
	Dialect string
	// Caller identifies the credential within the account, for example
	// "user:5" (ActorKey). Blocks apply to the whole account.
	Caller string
}

// ActorKey is the key of an authenticated caller: its user's credentials of
// one dialect share their counters.
func ActorKey(dialect string, a crm.Actor) Key {
	return Key{AccountID: a.AccountID, Dialect: dialect, Caller: "user:" + strconv.FormatInt(a.UserID, 10)}
}

// counterKey is the counters' key column: the dialect and the caller.
func (k Key) counterKey() string { return k.Dialect + ":" + k.Caller }

// counters are the key's counters at now for the limited windows.
func (k Key) counters(limits Limits, now time.Time) []Counter {
	var out []Counter
	for _, w := range Windows {
		if limits.Of(w) > 0 {
			out = append(out, Counter{Key: k.counterKey(), Window: w, Start: w.Start(now)})
		}
	}
	return out
}

// Counter names one counter row: a key within the account, a window and
// the window's start.
type Counter struct {
	Key    string
	Window Window
	Start  time.Time
}

// End is when the counter's window ends; the row is useless after it.
func (c Counter) End() time.Time { return c.Start.Add(c.Window.Duration()) }

// WindowState is one window's counter as a request left it.
type WindowState struct {
	Window Window
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

// State is the outcome of Limiter.Allow.
type State struct {
	// Enabled is false when limits are switched off: nothing was counted,
	// Allowed is true and Windows is empty (UIS answers "limits": {}).
	Enabled bool
	// Allowed says whether the request may be served.
	Allowed bool
	// Exceeded is the window whose limit refused the request; when several
	// were exceeded, the longest. Empty when allowed or blocked.
	Exceeded Window
	// Blocked is true when the request was refused because the account is
	// blocked for repeated violations, until BlockedUntil.
	Blocked      bool
	BlockedUntil time.Time
	// Windows are the limited windows, shortest first. They are empty when
	// Blocked (nothing is counted then).
	Windows []WindowState

	key Key
	now time.Time
}

// Window returns the state of one window; ok is false when it is not limited.
func (s State) Window(w Window) (ws WindowState, ok bool) {
	for _, x := range s.Windows {
		if x.Window == w {
			return x, true
		}
	}
	return WindowState{}, false
}

// ExceededWindow returns the state of the window that refused the request.
func (s State) ExceededWindow() (WindowState, bool) {
	if s.Exceeded == "" {
		return WindowState{}, false
	}
	return s.Window(s.Exceeded)
}

// RetryAfter is how long the caller should wait before trying again: until
// the block ends or the exceeded window ends; 0 when allowed.
func (s State) RetryAfter() time.Duration {
	switch {
	case s.Blocked:
		return s.BlockedUntil.Sub(s.now)
	case s.Exceeded != "":
		w, _ := s.ExceededWindow()
		return w.Reset
	}
	return 0
}

func windowStates(counters []Counter, counts []int64, limits Limits, now time.Time) []WindowState {
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

// oneOf renders names as "a, b or c" for a message.
func oneOf(names []string) string {
	switch len(names) {
	case 0:
		return "(none registered)"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
