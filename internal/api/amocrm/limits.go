package amocrm

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

// limitName keys amoCRM's counters, overrides and blocks in the store and
// names the dialect to crmd limits set.
const limitName = "amocrm"

// RateLimits is amoCRM's request-limit policy, for whoever wires the
// limiter (ratelimit.NewLimiter): 7 requests per second, as amoCRM's
// documentation says; no minute or day limit is documented. amoCRM also
// documents that "after repeated violations the account is blocked and every
// request answers 403", without numbers; crmd's choice is more than 10
// refused requests in a minute → blocked for 15 minutes.
func RateLimits() ratelimit.Dialect {
	return ratelimit.Dialect{
		Name:     limitName,
		Defaults: ratelimit.Limits{PerSecond: 7},
		Block:    &ratelimit.BlockRule{After: 10, For: 15 * time.Minute},
	}
}

// limit counts the request against the caller's amoCRM request limits
// (RateLimits; at most 7 per second unless the account says otherwise) and
// returns the problem to answer when it is refused: 429 Too Many Requests
// over the limit, 403 Forbidden while the account is blocked for repeated
// violations (companion spec §0.6, §0.7). Both carry Retry-After in seconds,
// which amoCRM is not known to send; it is crmd's courtesy to clients.
func (h *handler) limit(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if !h.limiter.Enabled() {
		return nil
	}
	st, err := h.limiter.Allow(r.Context(), ratelimit.ActorKey(limitName, actor), h.limiter.Now())
	if err != nil || st.Allowed {
		return err
	}
	w.Header().Set("Retry-After", retryAfter(st.RetryAfter()))
	if st.Blocked {
		return newProblem(http.StatusForbidden, fmt.Sprintf(
			"API access is blocked until %s for repeated violations of the request limit",
			st.BlockedUntil.UTC().Format(time.RFC3339)))
	}
	ws, _ := st.ExceededWindow()
	return newProblem(http.StatusTooManyRequests, fmt.Sprintf(
		"Too many requests: the limit is %d requests per %s", ws.Limit, ws.Window))
}

// retryAfter renders a wait as whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10)
}
