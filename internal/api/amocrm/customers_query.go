package amocrm

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// v4Page reads page and limit with the v4 list defaults: page 1, limit 50,
// and a limit of at most 250 (companion §0.3). The limit is checked here
// rather than in the domain because the domain's customer and transaction
// queries also serve v2, whose limit_rows goes up to 500.
func v4Page(r *http.Request) (crm.Page, error) {
	p, err := readPage(r)
	if err != nil {
		return p, err
	}
	if p.Number == 0 {
		p.Number = 1
	}
	if p.Limit == 0 {
		p.Limit = crm.DefaultPageLimit
	}
	var errs []crm.Violation
	if p.Number < 1 {
		errs = append(errs, crm.Violation{Path: "page", Code: crm.ViolationRange, Detail: "This value should be 1 or more."})
	}
	if p.Limit < 1 || p.Limit > crm.MaxPageLimit {
		errs = append(errs, crm.Violation{Path: "limit", Code: crm.ViolationRange,
			Detail: "This value should be between 1 and " + strconv.Itoa(crm.MaxPageLimit) + "."})
	}
	return p, violationsErr(errs)
}

// v4Paged is the paginated envelope of a v4 list. Besides self and next it
// carries first and prev on pages after the first, as the leads-api example
// does (companion §0.3), and the _total_items/_page_count the list
// envelope has.
func v4Paged(r *http.Request, p crm.Page, total int, key string, items any) pagedCollection {
	out := paged(r, p, total, key, items, false)
	if p.Number > 1 {
		out.Links.First = pageURL(r, 1, p.Limit)
	}
	return out
}

// queryReader reads a v4 list's filter[…] and order[…] parameters (companion
// §0.9): one value (filter[id]=1), a list (filter[id][]=1&filter[id][]=2 or
// filter[id][0]=1&filter[id][1]=2) or a range (filter[x][from]/[to]).
// Parameters that no reader method consumed are reported by done, so that a
// filter crmd does not support is an error instead of a silently wider list.
type queryReader struct {
	q    url.Values
	used map[string]bool
	errs []crm.Violation
}

func newQueryReader(r *http.Request) *queryReader {
	return &queryReader{q: r.URL.Query(), used: map[string]bool{}}
}

// statusPair is one pipeline/stage pair of a stage filter; 0 is "not given"
// (a pair without status_id means the whole pipeline).
type statusPair struct{ pipeline, status int64 }

// statusPairs reads name[N][pipeline_id] and name[N][status_id], the
// indexed form the PHP client's TasksFilter and EventsFilter send stage
// filters in, into one pair per N (in no particular order: callers match
// any of them). Any other member or a non-int is a violation naming the
// key. Empty when none is given.
func (qr *queryReader) statusPairs(name string) []statusPair {
	pairs := map[string]*statusPair{}
	for key, values := range qr.q {
		rest, ok := strings.CutPrefix(key, name+"[")
		if !ok {
			continue
		}
		qr.used[key] = true
		idx, member, _ := strings.Cut(rest, "][")
		member = strings.TrimSuffix(member, "]")
		n, err := strconv.ParseInt(strings.TrimSpace(values[0]), 10, 64)
		if err != nil || (member != "pipeline_id" && member != "status_id") {
			qr.violate(key, crm.ViolationInvalid, key+": pipeline_id or status_id, an int.")
			continue
		}
		p := pairs[idx]
		if p == nil {
			p = &statusPair{}
			pairs[idx] = p
		}
		if member == "pipeline_id" {
			p.pipeline = n
		} else {
			p.status = n
		}
	}
	out := make([]statusPair, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, *p)
	}
	return out
}

// keys returns the sorted query keys of filter[name] that select values
// (not ranges): filter[name], filter[name][] and filter[name][N].
func (qr *queryReader) keys(name string) []string {
	base := "filter[" + name + "]"
	var out []string
	for key := range qr.q {
		if key == base {
			out = append(out, key)
			continue
		}
		rest, ok := strings.CutPrefix(key, base)
		if !ok || !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") {
			continue
		}
		inner := rest[1 : len(rest)-1]
		if _, err := strconv.Atoi(inner); inner == "" || err == nil {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

// strs reads filter[name] as one string or a list; empty values are skipped.
func (qr *queryReader) strs(name string) []string {
	var out []string
	for _, key := range qr.keys(name) {
		qr.used[key] = true
		for _, v := range qr.q[key] {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// ints reads filter[name] as one int or a list of ints.
func (qr *queryReader) ints(name string) []int64 {
	var out []int64
	for _, key := range qr.keys(name) {
		qr.used[key] = true
		for _, v := range qr.q[key] {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				addType(&qr.errs, 0, key, "int")
				continue
			}
			out = append(out, n)
		}
	}
	return out
}

// rng reads filter[name][from] and filter[name][to] (Unix seconds or plain ints).
func (qr *queryReader) rng(name string) crm.Range {
	var out crm.Range
	for _, end := range []string{"from", "to"} {
		key := "filter[" + name + "][" + end + "]"
		v := strings.TrimSpace(qr.q.Get(key))
		if _, ok := qr.q[key]; !ok || v == "" {
			qr.used[key] = qr.used[key] || ok
			continue
		}
		qr.used[key] = true
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			addType(&qr.errs, 0, key, "int")
			continue
		}
		if end == "from" {
			out.From = &n
		} else {
			out.To = &n
		}
	}
	return out
}

// order reads order[field]=asc|desc for one of fields; at most one order
// parameter is accepted. It returns "" when none is given.
func (qr *queryReader) order(fields ...string) (field string, desc bool) {
	for key, values := range qr.q {
		name, ok := strings.CutPrefix(key, "order[")
		if !ok || !strings.HasSuffix(name, "]") {
			continue
		}
		name = strings.TrimSuffix(name, "]")
		known := false
		for _, f := range fields {
			known = known || f == name
		}
		if !known {
			continue // reported by done
		}
		qr.used[key] = true
		if field != "" {
			qr.errs = append(qr.errs, crm.Violation{Path: key, Code: crm.ViolationInvalid, Detail: "Only one order parameter may be given."})
			continue
		}
		switch strings.ToLower(strings.TrimSpace(values[0])) {
		case "asc":
			field = name
		case "desc":
			field, desc = name, true
		default:
			qr.errs = append(qr.errs, crm.Violation{Path: key, Code: crm.ViolationChoice, Detail: "The order must be asc or desc."})
		}
	}
	return field, desc
}

// refuse marks every filter[name]… parameter as read and refused: amoCRM
// defines it, crmd cannot serve it, and detail says why.
func (qr *queryReader) refuse(name, detail string) {
	base := "filter[" + name + "]"
	var keys []string
	for key := range qr.q {
		if key == base || strings.HasPrefix(key, base+"[") {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	for _, key := range keys {
		qr.used[key] = true
		qr.errs = append(qr.errs, crm.Violation{Path: key, Code: crm.ViolationUnexpected, Detail: detail})
	}
}

// refuseWith records a violation for each with value in unserved (value →
// why crmd cannot serve it).
func (qr *queryReader) refuseWith(unserved map[string]string) {
	qr.errs = append(qr.errs, unservedWith(qr.q, unserved)...)
}

// refuseWith refuses the with values in unserved for a request that reads
// no other parameter (GET by id).
func refuseWith(r *http.Request, unserved map[string]string) error {
	return violationsErr(unservedWith(r.URL.Query(), unserved))
}

func unservedWith(q url.Values, unserved map[string]string) []crm.Violation {
	var out []crm.Violation
	seen := map[string]bool{}
	for _, v := range q["with"] {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if detail, ok := unserved[part]; ok && !seen[part] {
				seen[part] = true
				out = append(out, crm.Violation{Path: "with", Code: crm.ViolationChoice, Detail: "with=" + part + ": " + detail})
			}
		}
	}
	return out
}

// done reports the type errors found and every filter[…] or order[…]
// parameter that was not read.
func (qr *queryReader) done() error {
	var unknown []string
	for key := range qr.q {
		if (strings.HasPrefix(key, "filter[") || strings.HasPrefix(key, "order[")) && !qr.used[key] {
			unknown = append(unknown, key)
		}
	}
	sort.Strings(unknown)
	for _, key := range unknown {
		qr.errs = append(qr.errs, crm.Violation{Path: key, Code: crm.ViolationUnexpected, Detail: "This parameter is not supported."})
	}
	return violationsErr(qr.errs)
}

// withSet is the comma-separated with=… parameter. Unknown values are
// ignored: amoCRM documents no error for them.
type withSet map[string]bool

func readWith(r *http.Request) withSet {
	out := withSet{}
	for _, v := range r.URL.Query()["with"] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out[part] = true
			}
		}
	}
	return out
}
