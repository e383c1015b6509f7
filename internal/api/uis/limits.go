package uis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

// Request limits. ratelimit.Limiter counts every request of a credential's user
// (one UIS point each: "Все операции — 1") in a minute and a day window;
// UIS charges only successful requests ("Баллы списываются только за
// успешные запросы"), so a request that fails after being admitted is
// refunded. An agent's requests count against the agent's own user, whoever
// it acts for.

// limitName keys UIS's counters and overrides in the store and names the
// dialect to crmd limits set.
const limitName = "uis"

// RateLimits is UIS's request-limit policy, for whoever wires the limiter
// (ratelimit.NewLimiter): 200 points per minute and 3500 per day (every
// method costs 1 point), the values of UIS's own sales-funnel guide. UIS has
// no per-second limit and documents no blocking.
func RateLimits() ratelimit.Dialect {
	return ratelimit.Dialect{Name: limitName, Defaults: ratelimit.Limits{PerMinute: 200, PerDay: 3500}}
}

// admit counts a request of the caller; a refusal is limit_exceeded with the
// exceeded window and its limit in data.params (and the message).
func (h *handler) admit(ctx context.Context, caller crm.Actor) (ratelimit.State, error) {
	if h.limiter == nil {
		return ratelimit.State{Allowed: true}, nil
	}
	st, err := h.limiter.Allow(ctx, ratelimit.ActorKey(limitName, caller), h.limiter.Now())
	if err != nil {
		return st, fmt.Errorf("uis: count request: %w", err)
	}
	if st.Allowed {
		return st, nil
	}
	e := fail(mnLimit, "")
	if w, ok := st.ExceededWindow(); ok {
		e.params = map[string]any{"limit_type": string(w.Window), "limit_max_value": w.Limit}
	}
	return st, &limitError{rpcError: e, state: st}
}

// limitError is limit_exceeded with the counters, for error.data.metadata.
type limitError struct {
	*rpcError
	state ratelimit.State
}

func (e *limitError) Unwrap() error { return e.rpcError }

// limitMeta is the metadata of a limit_exceeded error (nil for other errors).
func limitMeta(err error) map[string]any {
	var le *limitError
	if errors.As(err, &le) {
		return metadata(le.state, nil)
	}
	return nil
}

// refund gives back the point of a request that failed.
func (h *handler) refund(ctx context.Context, st ratelimit.State) ratelimit.State {
	out, err := h.limiter.Refund(ctx, st)
	if err != nil {
		h.log.ErrorContext(ctx, "uis: refund request", "err", err)
		return st
	}
	return out
}

// limitsOut is metadata.limits: the day and minute counters, or {} when
// limits are off ("кроме случаев когда лимиты не учитываются"). A window
// the account does not limit is left out.
func limitsOut(st ratelimit.State) map[string]any {
	out := map[string]any{}
	for _, w := range st.Windows {
		var prefix string
		switch w.Window {
		case ratelimit.WindowDay:
			prefix = "day"
		case ratelimit.WindowMinute:
			prefix = "minute"
		default:
			continue // UIS has no per-second limit to report
		}
		out[prefix+"_limit"] = w.Limit
		out[prefix+"_remaining"] = w.Remaining
		out[prefix+"_reset"] = w.ResetSeconds()
	}
	return out
}

// metadata is result.metadata: limits, and total_items for get methods.
func metadata(st ratelimit.State, total *int) map[string]any {
	m := map[string]any{"limits": limitsOut(st)}
	if total != nil {
		m["total_items"] = *total
	}
	return m
}

// loginLimited is the Authenticator's refusal of a login attempt after too
// many failed ones (auth.LoginLimitError), known by its method so that the
// dialect need not import auth: whether the login's count refused it (else
// the client address's), the limit and the window it counts in.
type loginLimited interface {
	LoginLimit() (perLogin bool, limit int64, window time.Duration)
}

// loginLimitError answers a login refused for too many failures with
// limit_exceeded (-32029), the one UIS error of the group "Ошибки связанные
// с лимитами": clients already read it as "wait, then retry", which is what
// the caller has to do. auth_error would say the password is wrong, even
// when it is right, and invite the next guess; access_token_blocked speaks
// of a token, and a login has none yet. The message's placeholders carry
// the window and the limit ("Limit per 15 minutes has been exceeded. Value
// of current limit per 15 minutes is 10"); field is "login" when the
// login's count refused the attempt, null when the address's did. There is
// no metadata: the caller is not authenticated.
func loginLimitError(l loginLimited) *rpcError {
	perLogin, limit, window := l.LoginLimit()
	e := fail(mnLimit, "")
	if perLogin {
		e.field = "login"
	}
	e.params = map[string]any{"limit_type": windowName(window), "limit_max_value": limit}
	return e
}

// windowName names a window the way the limit_exceeded message reads
// best: "hour", "15 minutes", "90 seconds".
func windowName(d time.Duration) string {
	unit, n := "second", int64((d+time.Second-1)/time.Second)
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		unit, n = "hour", int64(d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		unit, n = "minute", int64(d/time.Minute)
	}
	if n == 1 {
		return unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}
