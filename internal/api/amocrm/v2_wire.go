package amocrm

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The wire pieces every amoCRM v2 endpoint shares: the HAL envelope with
// relative links, the response headers, lenient readers for v2's numbers
// sent as strings, and query-string parsing (id lists, row limits, dates).

// v2Link is a v2 link: a RELATIVE href and the HTTP method, as in seed 001.
type v2Link struct {
	Href   string `json:"href"`
	Method string `json:"method"`
}

type v2Links struct {
	Self v2Link `json:"self"`
}

func v2Get(href string) v2Links { return v2Links{Self: v2Link{Href: href, Method: "get"}} }

// v2Envelope is every v2 success body: {"_links":{"self":…},"_embedded":…}.
type v2Envelope struct {
	Links    v2Links `json:"_links"`
	Embedded any     `json:"_embedded"`
}

// v2Headers sets the headers every v2 response carries (seed 001:
// "Runtime-Timestamp: 1508320306").
func v2Headers(w http.ResponseWriter) {
	w.Header().Set("Runtime-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
}

// writeV2 answers 200 with the v2 envelope as application/hal+json; self
// names the endpoint and the request's method, relative as in the seed.
func writeV2(w http.ResponseWriter, r *http.Request, self string, embedded any) {
	v2Headers(w)
	writeHAL(w, http.StatusOK, v2Envelope{
		Links:    v2Links{Self: v2Link{Href: self, Method: strings.ToLower(r.Method)}},
		Embedded: embedded,
	})
}

// writeV2Empty answers a GET list that has nothing to return: amoCRM v2
// answers 204 No Content with an empty body (and so no Content-Type).
func writeV2Empty(w http.ResponseWriter) {
	v2Headers(w)
	w.WriteHeader(http.StatusNoContent)
}

func v2IDHref(base string, ids ...int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return base + "?id=" + strings.Join(parts, ",")
}

// unixOr0 is a time as v2 renders it: Unix seconds, 0 for "none".
func unixOr0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// --- request bodies ---

// v2Body reads a v2 write body: a JSON object whose sections (add, update,
// delete) are read by the endpoint.
func v2Body(r *http.Request) (map[string]any, error) {
	body, err := readJSON(r)
	if err != nil {
		return nil, err
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return nil, newProblem(http.StatusBadRequest, "The request body should be a JSON object.")
	}
	return obj, nil
}

// v2Section returns a section of the body as an array; present is false
// when it is absent, null or empty. A section that is not an array is a
// type error.
func v2Section(obj map[string]any, key string, errs *v2Errors) (items []any, present bool) {
	v, ok := obj[key]
	if !ok || v == nil {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		errs.add(key, crm.ViolationType, "This value should be of type array.")
		return nil, false
	}
	return a, len(a) > 0
}

// v2Number converts a JSON number or a numeric string (v2 sends "504141")
// to an int64. ok is false for anything else; empty reports "" or
// whitespace, which v2 clients send for "nothing".
func v2Number(v any) (n int64, ok, empty bool) {
	switch x := v.(type) {
	case json.Number:
		n, ok = asInt(x)
		return n, ok, false
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0, false, true
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			n, ok = asInt(json.Number(s))
			return n, ok, false
		}
		return n, true, false
	}
	return 0, false, false
}

// v2Int64 reads an integer sent as a JSON number or a numeric string; an
// empty string counts as absent.
func v2Int64(rd reader, key string) *int64 {
	v, ok := rd.obj[key]
	if !ok || v == nil {
		return nil
	}
	n, ok, empty := v2Number(v)
	if empty {
		return nil
	}
	if !ok {
		addType(rd.errs, rd.item, rd.path(key), "int")
		return nil
	}
	return &n
}

// v2Int reads a 32-bit integer leniently (periodicity, sort, period days).
func v2Int(rd reader, key string) *int {
	p := v2Int64(rd, key)
	if p == nil {
		return nil
	}
	if *p > math.MaxInt32 || *p < math.MinInt32 {
		addType(rd.errs, rd.item, rd.path(key), "int")
		return nil
	}
	i := int(*p)
	return &i
}

// v2Time reads a Unix timestamp leniently; 0 is "no date" (the zero time),
// which is how v2 renders an absent date.
func v2Time(rd reader, key string) *time.Time {
	p := v2Int64(rd, key)
	if p == nil {
		return nil
	}
	var t time.Time
	if *p != 0 {
		t = time.Unix(*p, 0).UTC()
	}
	return &t
}

// v2Str reads a string; numbers are taken as their text (v2 clients mix them).
func v2Str(rd reader, key string) *string {
	v, ok := rd.obj[key]
	if !ok || v == nil {
		return nil
	}
	switch x := v.(type) {
	case string:
		return &x
	case json.Number:
		s := string(x)
		return &s
	}
	addType(rd.errs, rd.item, rd.path(key), "string")
	return nil
}

// v2IDs reads a list of ids: a JSON array of numbers or numeric strings, a
// single id, or a comma-separated string ("delete: the array of ids
// separated by commas").
func v2IDs(v any, item int, path string, errs *[]crm.Violation) []int64 {
	var raw []any
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		raw = x
	case string:
		for _, part := range strings.Split(x, ",") {
			if strings.TrimSpace(part) != "" {
				raw = append(raw, part)
			}
		}
	default:
		raw = []any{x}
	}
	out := make([]int64, 0, len(raw))
	for i, e := range raw {
		n, ok, _ := v2Number(e)
		if !ok {
			addType(errs, item, fmt.Sprintf("%s.%d", path, i), "int")
			continue
		}
		out = append(out, n)
	}
	return out
}

// --- errors ---

// v2Errors collects validation errors with their full v2 paths
// ("add.0.name", "update.2.custom_fields.0.id"), so that writeV2Error can
// name them in one readable message.
type v2Errors struct {
	list []fieldError
}

func (e *v2Errors) add(path, code, detail string) {
	e.list = append(e.list, fieldError{Code: violationCodes[code], Path: path, Detail: detail})
}

// addViolations takes domain or decode violations of one section: their
// Item is the index in the section and their paths are renamed to v2's
// names by rename (nil keeps them).
func (e *v2Errors) addViolations(section string, vs []crm.Violation, rename func(string) string) {
	for _, v := range vs {
		path := v.Path
		if rename != nil {
			path = rename(path)
		}
		full := strings.TrimSuffix(section+"."+strconv.Itoa(v.Item)+"."+path, ".")
		if section == "" || path == section {
			// Not about one item: the section itself ("update: at most 10 …").
			full = path
		}
		e.list = append(e.list, fieldError{Code: violationCodes[v.Code], Path: full, Detail: v.Detail})
	}
}

func (e *v2Errors) err() error {
	if len(e.list) == 0 {
		return nil
	}
	return v2Invalid(e.list...)
}

// v2Invalid is a 400 whose violations carry full paths (no request id), so
// that writeV2Error prints them as they are.
func v2Invalid(list ...fieldError) error {
	p := newProblem(http.StatusBadRequest, "Request validation failed")
	p.ValidationErrors = []validationError{{Errors: list}}
	return p
}

// v2SectionErr re-prefixes the violations of a domain error for one body
// section (a batch item N's "name" becomes "add.N.name"); other errors pass.
func v2SectionErr(section string, err error, rename func(string) string) error {
	e, ok := crm.AsError(err)
	if !ok || e.Kind != crm.KindInvalid || len(e.Violations) == 0 {
		return err
	}
	var errs v2Errors
	errs.addViolations(section, e.Violations, rename)
	return errs.err()
}

// v2Bad is a 400 naming one query parameter.
func v2Bad(param, detail string) error {
	return v2Invalid(fieldError{Code: violationCodes[crm.ViolationInvalid], Path: param, Detail: detail})
}

// --- query strings ---

// v2QueryValues collects every value of a list parameter however PHP-style
// clients spell it: name=1,2, name[]=1&name[]=2, name[0]=1; comma lists are
// split. present reports whether any spelling of the parameter was sent.
func v2QueryValues(q url.Values, name string) (values []string, present bool) {
	for key, vs := range q {
		if key != name && !(strings.HasPrefix(key, name+"[") && strings.HasSuffix(key, "]") &&
			!strings.Contains(key[len(name)+1:len(key)-1], "[")) {
			continue
		}
		present = true
		for _, v := range vs {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					values = append(values, part)
				}
			}
		}
	}
	return values, present
}

// v2QueryIDs reads a list of positive ids (see v2QueryValues).
func v2QueryIDs(q url.Values, name string) ([]int64, bool, error) {
	values, present := v2QueryValues(q, name)
	out := make([]int64, 0, len(values))
	for _, v := range values {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, true, v2Bad(name, fmt.Sprintf("%q is not an id: ids are positive integers.", v))
		}
		out = append(out, n)
	}
	return out, present, nil
}

// v2Rows reads limit_rows and limit_offset: limit_rows defaults to and may
// not exceed amoCRM's system limit of 500 (a larger value is an error, not
// silently cut); limit_offset works only together with limit_rows, as the
// seed documents, and is ignored without it.
func v2Rows(q url.Values) (limit, offset int, err error) {
	limit = crm.MaxV2Rows
	s := strings.TrimSpace(q.Get("limit_rows"))
	if s == "" {
		return limit, 0, nil
	}
	n, perr := strconv.Atoi(s)
	if perr != nil || n < 1 || n > crm.MaxV2Rows {
		return 0, 0, v2Bad("limit_rows", fmt.Sprintf("limit_rows must be an integer from 1 to %d (the system limit).", crm.MaxV2Rows))
	}
	limit = n
	if s := strings.TrimSpace(q.Get("limit_offset")); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 0 {
			return 0, 0, v2Bad("limit_offset", "limit_offset must be an integer of 0 or more.")
		}
		offset = n
	}
	return limit, offset, nil
}

// v2DateFormats is what a v2 date filter accepts: the seed's example
// (filter[date][from]=10.10.2017, DD.MM.YYYY), the documented "MM / HH /
// YYYY" read as MM/DD/YYYY, and a Unix timestamp.
const v2DateFormats = "DD.MM.YYYY (10.10.2017), MM/DD/YYYY (10/31/2017) or a Unix timestamp"

// v2QueryDate reads a date filter bound. Calendar days are days of the
// account's time zone: a from bound is the start of its day, a to bound the
// last second of it. A Unix timestamp is taken as the exact second.
func v2QueryDate(q url.Values, key string, loc *time.Location, end bool) (*int64, error) {
	s := strings.TrimSpace(q.Get(key))
	if s == "" {
		return nil, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return &n, nil
	}
	var day time.Time
	var err error
	switch {
	case strings.Contains(s, "."):
		day, err = time.ParseInLocation("2.1.2006", s, loc)
	case strings.Contains(s, "/"):
		day, err = time.ParseInLocation("1/2/2006", strings.ReplaceAll(s, " ", ""), loc)
	default:
		err = fmt.Errorf("unknown format")
	}
	if err != nil {
		return nil, v2Bad(key, fmt.Sprintf("%q is not a date: use %s.", s, v2DateFormats))
	}
	if end {
		day = day.AddDate(0, 0, 1).Add(-time.Second)
	}
	u := day.Unix()
	return &u, nil
}

// v2DateRange reads the from/to pair of a date filter (filter[date],
// filter[next_date]); from after to is an error.
func v2DateRange(q url.Values, prefix string, loc *time.Location) (crm.Range, error) {
	var rg crm.Range
	var err error
	if rg.From, err = v2QueryDate(q, prefix+"[from]", loc, false); err != nil {
		return rg, err
	}
	if rg.To, err = v2QueryDate(q, prefix+"[to]", loc, true); err != nil {
		return rg, err
	}
	if rg.From != nil && rg.To != nil && *rg.From > *rg.To {
		return rg, v2Bad(prefix, prefix+"[from] is after "+prefix+"[to].")
	}
	return rg, nil
}

// v2Location is the account's time zone, for calendar-day filters.
func (h *handler) v2Location(r *http.Request, actor crm.Actor) (*time.Location, error) {
	a, err := h.svc.Account(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil || a.TimeZone == "" {
		return time.UTC, nil
	}
	return loc, nil
}
