package ratelimit

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/crmd/crmd/internal/obs"
)

// Check is one caller's counter with fixed limits, for intakes whose limits
// are not a dialect's configurable ones (the website widget).
type Check struct {
	Key    string
	Limits Limits
}

// FixedLimiter counts requests against fixed limits in the shared counters,
// so the limits hold across processes like the Limiter's. It is safe for
// concurrent use.
type FixedLimiter struct {
	store     Store
	nextSweep atomic.Int64
}

// NewFixedLimiter returns a FixedLimiter over store.
func NewFixedLimiter(store Store) *FixedLimiter { return &FixedLimiter{store: store} }

// Allow counts one request of an account against every check's limited
// windows in one statement and returns how long to wait when a limit
// refuses it (0: allowed). A refused request is given back, so it does not
// use up the allowance. The error is an internal failure only.
func (f *FixedLimiter) Allow(ctx context.Context, accountID int64, checks []Check, now time.Time) (time.Duration, error) {
	var counters []Counter
	var limits []int64
	for _, w := range Windows {
		for _, c := range checks {
			if n := c.Limits.Of(w); n > 0 {
				counters = append(counters, Counter{Key: c.Key, Window: w, Start: w.Start(now)})
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
		obs.NoteRefusal(ctx, obs.RefusalLimit)
	}
	return retry, nil
}
