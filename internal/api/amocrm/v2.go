package amocrm

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// v2Routes are the amoCRM API v2 endpoints of seed 001. Authentication is
// the same Bearer token as v4 (the authed wrapper); errors are answered in
// v2's envelope by writeV2Error.
func (h *handler) v2Routes() []route {
	return []route{
		{"POST /api/v2/customers", h.v2PostCustomers},
		{"GET /api/v2/customers", h.v2ListCustomers},
		{"POST /api/v2/transactions", h.v2PostTransactions},
		{"GET /api/v2/transactions", h.v2ListTransactions},
		{"POST /api/v2/customers_periods", h.v2PostPeriods},
		{"GET /api/v2/customers_periods", h.v2ListPeriods},
	}
}

// v2ErrorBody is amoCRM v2's error envelope for a request that failed as a
// whole. Seed 001 does not show it; this is the shape amoCRM's v1/v2 APIs
// answer errors with: {"response":{"error":…,"error_code":…,"server_time":…}}.
type v2ErrorBody struct {
	Response v2Error `json:"response"`
}

type v2Error struct {
	Error      string `json:"error"`
	ErrorCode  string `json:"error_code"`
	ServerTime int64  `json:"server_time"`
}

// v2ErrorCodes are the legacy numeric codes amoCRM documents for these
// situations (110: not authorized; 244: no rights; 404: not found); the
// others use the HTTP status.
var v2ErrorCodes = map[int]string{
	http.StatusUnauthorized: "110",
	http.StatusForbidden:    "244",
}

// writeV2Error answers an error in amoCRM v2's format: the HTTP status of the
// v4 mapping, and one message that lists every violation as
// "path: detail" (paths prefixed by the batch item's index).
func writeV2Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemFor(err)
	if p == nil {
		log.ErrorContext(r.Context(), "amocrm v2: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		p = newProblem(http.StatusInternalServerError, "Internal server error")
	}
	msg := p.Detail
	if len(p.ValidationErrors) > 0 {
		var parts []string
		for _, ve := range p.ValidationErrors {
			for _, fe := range ve.Errors {
				path := fe.Path
				if ve.RequestID != "" {
					path = strings.TrimSuffix(ve.RequestID+"."+fe.Path, ".")
				}
				parts = append(parts, path+": "+fe.Detail)
			}
		}
		msg = strings.Join(parts, "; ")
	}
	code, ok := v2ErrorCodes[p.Status]
	if !ok {
		code = strconv.Itoa(p.Status)
	}
	now := time.Now().Unix()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Runtime-Timestamp", strconv.FormatInt(now, 10))
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(v2ErrorBody{Response: v2Error{Error: msg, ErrorCode: code, ServerTime: now}})
}
