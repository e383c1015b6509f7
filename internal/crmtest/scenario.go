package crmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The scenario helper: a small fluent API for black-box API tests.
//
//	api := env.AmoCRM(token)
//	seg := api.Post(t, "/api/v4/customers/segments", body).HAL(200)
//	seg.Equal("name", "Сегмент").Equal("custom_fields_values.0.field_id", fieldID)
//	api.Get(t, "/api/v4/customers/segments/999").Problem(404)
//	api.Post(t, path, `[{}]`).WantViolations(crmtest.Violated("0", "FieldMissing", "name"))
//
// Values are decoded with numbers as json.Number. A path is a dotted list of
// object keys and array indexes ("_embedded.segments.0.id"); "" is the whole
// value and "*" stands for every element of an array or every member of an
// object, so "_embedded.segments.*.id" is the array of the segments' ids;
// "key=value" stands for the first element of an array whose member key
// reads value ("custom_fields_values.field_id=12.values").
// Comparisons go through JSON, so want may be any Go value (int64, []string,
// a struct with json tags) and mismatches are reported as cmp.Diff.

// Client sends requests to an Env as one credential of one dialect.
type Client struct {
	env     *Env
	token   string   // bearer token (amoCRM, UIS)
	key     string   // Envybox api_key, sent in the query
	headers []string // extra "Key: Value" headers
}

// AmoCRM returns a client that sends token as the amoCRM bearer token.
func (e *Env) AmoCRM(token string) *Client { return &Client{env: e, token: token} }

// Envybox returns a client that sends key as the Envybox api_key query
// parameter.
func (e *Env) Envybox(key string) *Client { return &Client{env: e, key: key} }

// With returns a copy of the client that also sends these "Key: Value"
// headers.
func (c *Client) With(headers ...string) *Client {
	d := *c
	d.headers = append(slices.Clone(c.headers), headers...)
	return &d
}

// Do sends a request and returns its reply; body "" sends none.
func (c *Client) Do(t testing.TB, method, path, body string) *Reply {
	t.Helper()
	return newReply(t, c.env, c.env.Do(t, method, c.path(path), c.token, body, c.headers...))
}

// path adds the Envybox api_key to a path.
func (c *Client) path(p string) string {
	if c.key == "" {
		return p
	}
	if strings.Contains(p, "?") {
		return p + "&api_key=" + c.key
	}
	return p + "?api_key=" + c.key
}

// Get sends a GET.
func (c *Client) Get(t testing.TB, path string) *Reply {
	t.Helper()
	return c.Do(t, http.MethodGet, path, "")
}

// Post sends a POST with a JSON body.
func (c *Client) Post(t testing.TB, path, body string) *Reply {
	t.Helper()
	return c.Do(t, http.MethodPost, path, body)
}

// Patch sends a PATCH with a JSON body.
func (c *Client) Patch(t testing.TB, path, body string) *Reply {
	t.Helper()
	return c.Do(t, http.MethodPatch, path, body)
}

// Delete sends a DELETE.
func (c *Client) Delete(t testing.TB, path string) *Reply {
	t.Helper()
	return c.Do(t, http.MethodDelete, path, "")
}

// Race sends every body to path at once with c's credential and returns
// the replies in order, once all are answered; check them on the test's
// goroutine.
func (c *Client) Race(t testing.TB, method, path string, bodies []string) []*Reply {
	t.Helper()
	resps := make([]*Response, len(bodies))
	errs := make([]error, len(bodies))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Go(func() {
			<-start
			resps[i], errs[i] = c.env.send(method, c.path(path), c.token, body, c.headers)
		})
	}
	close(start)
	wg.Wait()
	replies := make([]*Reply, len(bodies))
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		replies[i] = newReply(t, c.env, resps[i])
	}
	return replies
}

// Reply is a response under test. Its JSON methods (At, Int, Equal, …) read
// the body; every check fails the test that sent the request.
type Reply struct {
	*Response
	JSON
	env *Env
}

func newReply(t testing.TB, env *Env, resp *Response) *Reply {
	r := &Reply{Response: resp, env: env, JSON: JSON{t: t}}
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		r.JSON.err = "the body is empty"
		return r
	}
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.UseNumber()
	if err := dec.Decode(&r.V); err != nil {
		r.JSON.err = "the body is not JSON (" + err.Error() + "): " + string(resp.Body)
	}
	return r
}

// Expect fails the test at once unless the HTTP status is status.
func (r *Reply) Expect(status int) *Reply {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("HTTP %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// ContentType checks the Content-Type header exactly.
func (r *Reply) ContentType(want string) *Reply {
	r.t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != want {
		r.t.Errorf("Content-Type %q, want %q", ct, want)
	}
	return r
}

// Empty checks that the body is empty.
func (r *Reply) Empty() *Reply {
	r.t.Helper()
	if len(r.Body) != 0 {
		r.t.Errorf("HTTP %d with a body: %q", r.Status, r.Body)
	}
	return r
}

// HAL checks an amoCRM success: the status and, unless it is 204 (which must
// have an empty body), exactly application/hal+json and a JSON body without a
// top-level "status" member (which only problems carry).
func (r *Reply) HAL(status int) *Reply {
	r.t.Helper()
	r.Expect(status)
	if status == http.StatusNoContent {
		return r.Empty()
	}
	r.ContentType("application/hal+json")
	if m, ok := r.Value().V.(map[string]any); ok {
		if _, has := m["status"]; has {
			r.t.Errorf("success body has a top-level \"status\" member: %s", r.Body)
		}
	}
	return r
}

// Problem checks an amoCRM error: the status, exactly
// application/problem+json, title and type for the status, the status
// member, a non-empty detail, and no validation-errors unless the status is
// 400 or 409 (a conflict names its items). Check the detail itself with
// Equal("detail", …).
func (r *Reply) Problem(status int) *Reply {
	r.t.Helper()
	r.Expect(status).ContentType("application/problem+json")
	r.Equal("title", http.StatusText(status))
	r.Equal("type", "https://httpstatus.es/"+strconv.Itoa(status))
	r.Equal("status", status)
	if d, _ := r.Get("detail").(string); d == "" {
		r.t.Errorf("problem detail %#v, want a non-empty string; body: %s", r.Get("detail"), r.Body)
	}
	if r.Has("validation-errors") && status != http.StatusBadRequest && status != http.StatusConflict {
		r.t.Errorf("a %d problem carries validation-errors: %s", status, r.Body)
	}
	return r
}

// Violation is one amoCRM validation error: the request_id of the item it
// names, its code and path.
type Violation struct {
	RequestID string `json:"request_id"`
	Code      string `json:"code"`
	Path      string `json:"path"`
}

// Violated is Violation{requestID, code, path}, short for test tables (vet
// wants another package's struct literals keyed).
func Violated(requestID, code, path string) Violation {
	return Violation{RequestID: requestID, Code: code, Path: path}
}

// Violations checks an amoCRM validation problem — 400, detail "Request
// validation failed", validation-errors non-empty with a string request_id,
// and errors that each have a code, a path and a detail — and returns its
// errors in order.
func (r *Reply) Violations() []Violation {
	r.t.Helper()
	r.Problem(http.StatusBadRequest).Equal("detail", "Request validation failed")
	groups := r.List("validation-errors")
	if len(groups) == 0 {
		r.t.Fatalf("validation-errors is empty: %s", r.Body)
	}
	var out []Violation
	for _, g := range groups {
		rid, ok := g.Get("request_id").(string)
		if !ok {
			r.t.Errorf("validation-errors request_id %#v, want a string", g.Get("request_id"))
		}
		errs := g.List("errors")
		if len(errs) == 0 {
			r.t.Fatalf("a validation-errors item has no errors: %s", r.Body)
		}
		for _, e := range errs {
			code, _ := e.Get("code").(string)
			path, okPath := e.Get("path").(string)
			detail, _ := e.Get("detail").(string)
			if code == "" || !okPath || detail == "" {
				r.t.Errorf("validation error %v lacks a code, path or detail", e.V)
			}
			out = append(out, Violation{RequestID: rid, Code: code, Path: path})
		}
	}
	return out
}

// WantViolations checks a validation problem (Violations) that contains every
// wanted violation, among possibly others.
func (r *Reply) WantViolations(want ...Violation) *Reply {
	r.t.Helper()
	got := r.Violations()
	for _, w := range want {
		if !slices.Contains(got, w) {
			r.t.Errorf("validation errors %+v lack %+v; body: %s", got, w, r.Body)
		}
	}
	return r
}

// Envelope checks an Envybox reply: the HTTP status, a status_code member
// that is the same number, and the message exactly ("success" for a success).
func (r *Reply) Envelope(status int, message string) *Reply {
	r.t.Helper()
	r.Expect(status)
	if _, ok := r.At("status_code").(json.Number); !ok {
		r.t.Errorf("status_code %#v is not a number; body: %s", r.Get("status_code"), r.Body)
	}
	return r.Equal("status_code", status).Equal("message", message)
}

// Golden compares the body with testdata/<name>.golden.json (see Golden);
// the server's base URL in strings reads as "http://crmd".
func (r *Reply) Golden(name string, masks ...Mask) *Reply {
	r.t.Helper()
	Golden(r.t, name, r.Body, append([]Mask{MaskText(r.env.URL, "http://crmd")}, masks...)...)
	return r
}

// GoldenAt is Golden for the value at path alone.
func (r *Reply) GoldenAt(path, name string, masks ...Mask) *Reply {
	r.t.Helper()
	b, err := json.Marshal(r.At(path))
	if err != nil {
		r.t.Fatalf("%s: %v", path, err)
	}
	Golden(r.t, name, b, append([]Mask{MaskText(r.env.URL, "http://crmd")}, masks...)...)
	return r
}

// Value returns the decoded body, failing the test if it is not JSON.
func (r *Reply) Value() JSON {
	r.t.Helper()
	if r.JSON.err != "" {
		r.t.Fatalf("HTTP %d: %s", r.Status, r.JSON.err)
	}
	return r.JSON
}

// Equal, At and friends of a Reply first require a JSON body.

// At returns the value at path; see JSON.At.
func (r *Reply) At(path string) any { r.t.Helper(); return r.Value().At(path) }

// Get returns the value at path or nil; see JSON.Get.
func (r *Reply) Get(path string) any { r.t.Helper(); return r.Value().Get(path) }

// Has reports whether path exists; see JSON.Has.
func (r *Reply) Has(path string) bool { r.t.Helper(); return r.Value().Has(path) }

// Int returns the integer at path; see JSON.Int.
func (r *Reply) Int(path string) int64 { r.t.Helper(); return r.Value().Int(path) }

// Str returns the string at path; see JSON.Str.
func (r *Reply) Str(path string) string { r.t.Helper(); return r.Value().Str(path) }

// Obj returns the object at path; see JSON.Obj.
func (r *Reply) Obj(path string) map[string]any { r.t.Helper(); return r.Value().Obj(path) }

// List returns the array at path; see JSON.List.
func (r *Reply) List(path string) []JSON { r.t.Helper(); return r.Value().List(path) }

// Sub returns the value at path; see JSON.Sub.
func (r *Reply) Sub(path string) JSON { r.t.Helper(); return r.Value().Sub(path) }

// Equal compares the value at path with want; see JSON.Equal.
func (r *Reply) Equal(path string, want any) *Reply {
	r.t.Helper()
	r.Value().Equal(path, want)
	return r
}

// EqualJSON compares the value at path with a JSON text; see JSON.EqualJSON.
func (r *Reply) EqualJSON(path, want string) *Reply {
	r.t.Helper()
	r.Value().EqualJSON(path, want)
	return r
}

// Keys checks the member names of the object at path; see JSON.Keys.
func (r *Reply) Keys(path string, want ...string) *Reply {
	r.t.Helper()
	r.Value().Keys(path, want...)
	return r
}

// JSON is a decoded JSON value (numbers as json.Number) bound to a test;
// lookups that fail fail the test at once.
type JSON struct {
	t   testing.TB
	V   any
	err string
}

// Value binds a decoded JSON value (or any Go value, after a trip through
// JSON) to t.
func Value(t testing.TB, v any) JSON { return JSON{t: t, V: Normalize(t, v)} }

// ParseJSON decodes a JSON text, failing t if it is not JSON.
func ParseJSON(t testing.TB, text string) JSON {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON (%v): %s", err, text)
	}
	return JSON{t: t, V: v}
}

// Sub returns the value at path, bound to the same test.
func (j JSON) Sub(path string) JSON {
	j.t.Helper()
	return JSON{t: j.t, V: j.At(path)}
}

// At returns the value at path, failing the test if there is none.
func (j JSON) At(path string) any {
	j.t.Helper()
	v, err := lookup(j.V, path)
	if err != "" {
		j.t.Fatalf("%s: %s; in %s", path, err, compact(j.V))
	}
	return v
}

// Get returns the value at path, or nil if there is none.
func (j JSON) Get(path string) any {
	v, _ := lookup(j.V, path)
	return v
}

// Has reports whether there is a value (null included) at path.
func (j JSON) Has(path string) bool {
	_, err := lookup(j.V, path)
	return err == ""
}

// Int returns the JSON integer at path.
func (j JSON) Int(path string) int64 {
	j.t.Helper()
	v := j.At(path)
	n, ok := v.(json.Number)
	if !ok {
		j.t.Fatalf("%s is %s %s, want an integer", path, Kind(v), compact(v))
	}
	i, err := n.Int64()
	if err != nil {
		j.t.Fatalf("%s is %s, want an integer", path, n)
	}
	return i
}

// Str returns the JSON string at path.
func (j JSON) Str(path string) string {
	j.t.Helper()
	v := j.At(path)
	s, ok := v.(string)
	if !ok {
		j.t.Fatalf("%s is %s %s, want a string", path, Kind(v), compact(v))
	}
	return s
}

// Obj returns the JSON object at path.
func (j JSON) Obj(path string) map[string]any {
	j.t.Helper()
	v := j.At(path)
	m, ok := v.(map[string]any)
	if !ok {
		j.t.Fatalf("%s is %s %s, want an object", path, Kind(v), compact(v))
	}
	return m
}

// List returns the elements of the JSON array at path.
func (j JSON) List(path string) []JSON {
	j.t.Helper()
	v := j.At(path)
	a, ok := v.([]any)
	if !ok {
		j.t.Fatalf("%s is %s %s, want an array", path, Kind(v), compact(v))
	}
	out := make([]JSON, len(a))
	for i, e := range a {
		out[i] = JSON{t: j.t, V: e}
	}
	return out
}

// Golden compares the value with testdata/<name>.golden.json (see Golden);
// unlike Reply.Golden it masks no address, so add MaskText for absolute links.
func (j JSON) Golden(name string, masks ...Mask) JSON {
	j.t.Helper()
	b, err := json.Marshal(j.V)
	if err != nil {
		j.t.Fatalf("golden %s: %v", name, err)
	}
	Golden(j.t, name, b, masks...)
	return j
}

// Equal compares the value at path with want, both taken through JSON, and
// reports a cmp.Diff on mismatch.
func (j JSON) Equal(path string, want any) JSON {
	j.t.Helper()
	Equal(j.t, path, j.At(path), want)
	return j
}

// EqualJSON compares the value at path with the JSON text want.
func (j JSON) EqualJSON(path, want string) JSON {
	j.t.Helper()
	Equal(j.t, path, j.At(path), ParseJSON(j.t, want).V)
	return j
}

// Keys checks that the object at path has exactly these members.
func (j JSON) Keys(path string, want ...string) JSON {
	j.t.Helper()
	got := Keys(j.Obj(path))
	want = slices.Clone(want)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		j.t.Errorf("%s: members differ (-want +got):\n%s", nameOf(path), diff)
	}
	return j
}

// Equal compares got with want, both taken through JSON (so int64(5) equals
// json.Number("5") and a []int64 equals a decoded array), and reports the
// difference as cmp.Diff under the name what.
func Equal(t testing.TB, what string, got, want any) bool {
	t.Helper()
	if diff := cmp.Diff(Normalize(t, want), Normalize(t, got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", nameOf(what), diff)
		return false
	}
	return true
}

// Normalize takes v through JSON: the result holds only map[string]any,
// []any, string, json.Number, bool and nil.
func Normalize(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("cannot encode %#v as JSON: %v", v, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return out
}

// Keys returns the sorted member names of an object.
func Keys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Kind names the JSON kind of a decoded value: object, array, string,
// number, bool or null.
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("Go %T", v)
}

// lookup walks path through v; err says why it could not.
func lookup(v any, path string) (any, string) {
	if path == "" {
		return v, ""
	}
	seg, rest, _ := strings.Cut(path, ".")
	if seg == "*" {
		var out []any
		switch c := v.(type) {
		case []any:
			for _, e := range c {
				got, err := lookup(e, rest)
				if err != "" {
					return nil, err
				}
				out = append(out, got)
			}
		case map[string]any:
			for _, k := range Keys(c) {
				got, err := lookup(c[k], rest)
				if err != "" {
					return nil, k + "." + err
				}
				out = append(out, got)
			}
		default:
			return nil, "* applied to " + Kind(v)
		}
		if out == nil {
			out = []any{}
		}
		return out, ""
	}
	if key, want, ok := strings.Cut(seg, "="); ok {
		a, isArray := v.([]any)
		if !isArray {
			return nil, "cannot select " + strconv.Quote(seg) + " in " + Kind(v)
		}
		for _, e := range a {
			if m, ok := e.(map[string]any); ok && m[key] != nil && fmt.Sprint(m[key]) == want {
				return lookup(e, rest)
			}
		}
		return nil, "no element with " + seg
	}
	switch c := v.(type) {
	case map[string]any:
		e, ok := c[seg]
		if !ok {
			return nil, "no member " + strconv.Quote(seg)
		}
		return lookup(e, rest)
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(c) {
			return nil, "no element " + seg + " in an array of " + strconv.Itoa(len(c))
		}
		return lookup(c[i], rest)
	}
	return nil, "cannot take " + strconv.Quote(seg) + " of " + Kind(v)
}

func nameOf(path string) string {
	if path == "" {
		return "value"
	}
	return path
}

// compact renders a value as short JSON for messages.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}
