package envybox

import (
	"net/http"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// msgTooManyRequests is crmd's text for a refused request: Envybox documents
// no request limit, so the text and the status are crmd's choice.
const msgTooManyRequests = "Превышен лимит запросов"

// limit counts the request against the caller's Envybox request limits
// (crm.DefaultLimits: 10 per second and 300 per minute unless the account
// says otherwise) and returns the error to answer when it is refused: HTTP
// 429 with {"status_code": 429, "message": "Превышен лимит запросов"} and
// Retry-After in seconds.
func (h *handler) limit(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if !h.limiter.Enabled() {
		return nil
	}
	st, err := h.limiter.Allow(r.Context(), crm.ActorLimitKey(crm.LimitEnvybox, actor), h.limiter.Now())
	if err != nil || st.Allowed {
		return err
	}
	wait := max(int64((st.RetryAfter()+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(wait, 10))
	return &apiError{status: http.StatusTooManyRequests, message: msgTooManyRequests}
}
