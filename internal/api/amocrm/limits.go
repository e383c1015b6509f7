package amocrm

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// limit counts the request against the caller's amoCRM request limits
// (crm.Limiter; at most 7 per second unless the account says otherwise) and
// returns the problem to answer when it is refused: 429 Too Many Requests
// over the limit, 403 Forbidden while the account is blocked for repeated
// violations (companion spec §0.6, §0.7). Both carry Retry-After in seconds,
// which amoCRM is not known to send; it is crmd's courtesy to clients.
func (h *handler) limit(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if !h.limiter.Enabled() {
		return nil
	}
	st, err := h.limiter.Allow(r.Context(), crm.ActorLimitKey(crm.LimitAmoCRM, actor), h.limiter.Now())
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
