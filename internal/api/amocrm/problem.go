package amocrm

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

// problem is an RFC 7807 body as amoCRM sends it.
type problem struct {
	ValidationErrors []validationError `json:"validation-errors,omitempty"`
	Title            string            `json:"title"`
	Type             string            `json:"type"`
	Status           int               `json:"status"`
	Detail           string            `json:"detail"`
}

type validationError struct {
	RequestID string       `json:"request_id"`
	Errors    []fieldError `json:"errors"`
}

type fieldError struct {
	Code   string `json:"code"`
	Path   string `json:"path"`
	Detail string `json:"detail"`
}

func newProblem(status int, detail string) *problem {
	return &problem{Title: http.StatusText(status), Type: "https://httpstatus.es/" + strconv.Itoa(status), Status: status, Detail: detail}
}

func (p *problem) Error() string { return p.Detail }

// kindStatus is the one table from domain error kinds to amoCRM statuses.
var kindStatus = map[crm.Kind]int{
	crm.KindInvalid:      http.StatusBadRequest,
	crm.KindNotFound:     http.StatusNotFound,
	crm.KindForbidden:    http.StatusForbidden,
	crm.KindUnauthorized: http.StatusUnauthorized,
	crm.KindConflict:     http.StatusConflict,
	// amoCRM documents 422 "data can't be processed" both for a disabled
	// customers mode and for POST /customers/statuses; an account limit
	// reached is the plausible cause of the latter.
	crm.KindUnprocessable: http.StatusUnprocessableEntity,
	crm.KindLimit:         http.StatusUnprocessableEntity,
}

// violationCodes maps domain violation codes to amoCRM's validation codes.
// NotSupportedChoice is documented; InvalidType, FieldMissing and
// FieldNotExpected are seen in real responses; the rest follow their style.
var violationCodes = map[string]string{
	crm.ViolationRequired:   "FieldMissing",
	crm.ViolationBlank:      "NotBlank",
	crm.ViolationType:       "InvalidType",
	crm.ViolationChoice:     "NotSupportedChoice",
	crm.ViolationUnexpected: "FieldNotExpected",
	crm.ViolationTooLong:    "InvalidLength",
	crm.ViolationRange:      "OutOfRange",
	crm.ViolationInvalid:    "InvalidValue",
	crm.ViolationEncoding:   "InvalidValue",
	crm.ViolationControl:    "InvalidValue",
}

// problemFor turns an error into the problem to send, or nil for an internal
// error. Validation errors name items by the request ids an itemsError
// carries, or by their index.
func problemFor(err error) *problem {
	var requestIDs []string
	var items *itemsError
	if errors.As(err, &items) {
		requestIDs = items.requestIDs
	}
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	e, ok := crm.AsError(err)
	if !ok {
		return nil
	}
	status, ok := kindStatus[e.Kind]
	if !ok {
		return nil
	}
	if e.Kind != crm.KindInvalid || len(e.Violations) == 0 {
		return newProblem(status, e.Message)
	}
	p = newProblem(status, "Request validation failed")
	byItem := map[int]int{}
	for _, v := range e.Violations {
		i, seen := byItem[v.Item]
		if !seen {
			rid := strconv.Itoa(v.Item)
			if v.Item < len(requestIDs) && requestIDs[v.Item] != "" {
				rid = requestIDs[v.Item]
			}
			i = len(p.ValidationErrors)
			byItem[v.Item] = i
			p.ValidationErrors = append(p.ValidationErrors, validationError{RequestID: rid})
		}
		p.ValidationErrors[i].Errors = append(p.ValidationErrors[i].Errors,
			fieldError{Code: violationCodes[v.Code], Path: v.Path, Detail: v.Detail})
	}
	return p
}

// writeError answers err as a problem; errors that are not the client's
// fault are logged and answered 500 without detail.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemFor(err)
	if p == nil {
		log.ErrorContext(r.Context(), "amocrm: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		p = newProblem(http.StatusInternalServerError, "Internal server error")
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p *problem) {
	// Exactly application/problem+json, no charset, as amoCRM sends it.
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// writeV4Error answers a v4 error as writeError does, except that a GET whose
// error is a missing entity answers amoCRM's 204 with an empty body and no
// Content-Type (companion §0.4: a GET by id of a missing entity, and a list
// under a missing parent, are "nothing found"). PATCH and DELETE of a
// missing id keep 404, and so do unknown paths (problems the handlers or the
// router make themselves, which are no domain KindNotFound).
func writeV4Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if r.Method == http.MethodGet && crm.KindOf(err) == crm.KindNotFound {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeError(w, r, log, err)
}

// writeList answers a v4 list: 200 with body as application/hal+json, or,
// when the list has nothing to return (n == 0, also a page past the last),
// amoCRM's 204 with an empty body and no Content-Type (companion §0.4).
func writeList(w http.ResponseWriter, n int, body any) {
	if n == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeHAL(w, http.StatusOK, body)
}

// writeHAL answers a success body as application/hal+json.
func writeHAL(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/hal+json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(body)
}
