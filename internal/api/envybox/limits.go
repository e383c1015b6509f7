package envybox

import (
	"net/http"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

// limitName keys Envybox's counters and overrides in the store and names
// the dialect to crmd limits set.
const limitName = "envybox"

// RateLimits is Envybox's request-limit policy, for whoever wires the
// limiter (ratelimit.NewLimiter). Envybox documents no limit; crmd's choice
// is 10 per second and 300 per minute (5 per second sustained), no day
// limit, and no blocking for repeated violations.
func RateLimits() ratelimit.Dialect {
	return ratelimit.Dialect{Name: limitName, Defaults: ratelimit.Limits{PerSecond: 10, PerMinute: 300}}
}

// msgTooManyRequests is crmd's text for a refused request: Envybox documents
// no request limit, so the text and the status are crmd's choice.
const msgTooManyRequests = "Превышен лимит запросов"

// limit counts the request against the caller's Envybox request limits
// (RateLimits: 10 per second and 300 per minute unless the account
// says otherwise) and returns the error to answer when it is refused: HTTP
// 429 with {"status_code": 429, "message": "Превышен лимит запросов"} and
// Retry-After in seconds.
func (h *handler) limit(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if !h.limiter.Enabled() {
		return nil
	}
	st, err := h.limiter.Allow(r.Context(), ratelimit.ActorKey(limitName, actor), h.limiter.Now())
	if err != nil || st.Allowed {
		return err
	}
	wait := max(int64((st.RetryAfter()+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(wait, 10))
	return &apiError{status: http.StatusTooManyRequests, message: msgTooManyRequests}
}
