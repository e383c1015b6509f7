package amocrm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/api/wiretext"
	"github.com/crmd/crmd/internal/crm"
)

// MaxBodyBytes is the largest request body accepted (1 MiB).
const MaxBodyBytes = 1 << 20

// readJSON reads and parses the request body into generic JSON values
// (numbers as json.Number), so that type errors can be reported per field
// with amoCRM's paths instead of failing the whole decode.
func readJSON(r *http.Request) (any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, newProblem(http.StatusBadRequest, "Could not read the request body")
	}
	if len(body) > MaxBodyBytes {
		return nil, newProblem(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body is larger than %d bytes", MaxBodyBytes))
	}
	return parseJSON(body)
}

// parseJSON parses one JSON document; it is the decoder the fuzz test drives.
func parseJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newProblem(http.StatusBadRequest, "Request body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, newProblem(http.StatusBadRequest, "Request body is not valid JSON: "+jsonErrorText(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, newProblem(http.StatusBadRequest, "Request body is not valid JSON: unexpected data after the top-level value")
	}
	if fault := wiretext.JSON(body); fault != nil {
		return nil, textFault(v, fault)
	}
	return v, nil
}

// textFault answers refused text in a body as a validation error of the
// item holding it: in a batch (a top-level array) the item its index names,
// by the request_id the client gave it; otherwise item 0.
func textFault(body any, fault *wiretext.Fault) error {
	item, path := 0, fault.Path
	requestID := singleRequestID(body)
	if list, ok := body.([]any); ok && len(path) > 0 {
		item, _ = strconv.Atoi(path[0])
		path = path[1:]
		requestID = strconv.Itoa(item)
		if item < len(list) {
			requestID = singleRequestID(list[item])
			if requestID == "0" {
				requestID = strconv.Itoa(item)
			}
		}
	}
	ids := make([]string, item+1)
	ids[item] = requestID
	return withItems(crm.Invalid(fault.Violation(item, strings.Join(path, "."))), ids)
}

// queryFault answers refused text in the query string.
func queryFault(fault *wiretext.Fault) error {
	return newProblem(http.StatusBadRequest, "Query parameter "+fault.Dotted()+": "+fault.Detail)
}

func jsonErrorText(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

// reader pulls typed fields out of one decoded JSON object, collecting a
// violation for each field of the wrong type. Absent and null fields read as nil.
type reader struct {
	obj    map[string]any
	item   int
	prefix string
	errs   *[]crm.Violation
}

// newReader checks that v is an object; if not it records a type violation
// at prefix and returns a reader with no fields.
func newReader(v any, item int, prefix string, errs *[]crm.Violation) reader {
	obj, ok := v.(map[string]any)
	if !ok {
		addType(errs, item, prefix, "object")
	}
	return reader{obj: obj, item: item, prefix: prefix, errs: errs}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func addType(errs *[]crm.Violation, item int, path, want string) {
	*errs = append(*errs, crm.Violation{Item: item, Path: path, Code: crm.ViolationType, Want: want,
		Detail: "This value should be of type " + want + "."})
}

func (r reader) path(key string) string { return join(r.prefix, key) }

func (r reader) has(key string) bool {
	v, ok := r.obj[key]
	return ok && v != nil
}

func (r reader) str(key string) *string {
	v, ok := r.obj[key]
	if !ok || v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		addType(r.errs, r.item, r.path(key), "string")
		return nil
	}
	return &s
}

func (r reader) bool(key string) *bool {
	v, ok := r.obj[key]
	if !ok || v == nil {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		addType(r.errs, r.item, r.path(key), "bool")
		return nil
	}
	return &b
}

func asInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		// Accept 5.0 but not 5.5 or numbers beyond int64.
		f, ferr := n.Float64()
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		i = int64(f)
	}
	return i, true
}

func (r reader) int64(key string) *int64 {
	v, ok := r.obj[key]
	if !ok || v == nil {
		return nil
	}
	i, ok := asInt(v)
	if !ok {
		addType(r.errs, r.item, r.path(key), "int")
		return nil
	}
	return &i
}

// int reads an int that must fit in 32 bits (sort orders and the like).
func (r reader) int(key string) *int {
	p := r.int64(key)
	if p == nil {
		return nil
	}
	if *p > math.MaxInt32 || *p < math.MinInt32 {
		addType(r.errs, r.item, r.path(key), "int")
		return nil
	}
	i := int(*p)
	return &i
}

func (r reader) array(key string) ([]any, bool) {
	v, ok := r.obj[key]
	if !ok || v == nil {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		addType(r.errs, r.item, r.path(key), "array")
		return nil, false
	}
	return a, true
}

func (r reader) int64s(key string) *[]int64 {
	a, ok := r.array(key)
	if !ok {
		return nil
	}
	out := make([]int64, 0, len(a))
	for i, v := range a {
		n, ok := asInt(v)
		if !ok {
			addType(r.errs, r.item, fmt.Sprintf("%s.%d", r.path(key), i), "int")
			continue
		}
		out = append(out, n)
	}
	return &out
}

// fieldValues reads custom_fields_values. present is false when the key is
// absent or null.
func (r reader) fieldValues(key string) (out []crm.FieldValueInput, present bool) {
	a, ok := r.array(key)
	if !ok {
		return nil, false
	}
	for i, raw := range a {
		fr := newReader(raw, r.item, fmt.Sprintf("%s.%d", r.path(key), i), r.errs)
		var in crm.FieldValueInput
		if id := fr.int64("field_id"); id != nil {
			in.FieldID = *id
		}
		if code := fr.str("field_code"); code != nil {
			in.FieldCode = *code
		}
		values, ok := fr.array("values")
		in.Clear = !ok || len(values) == 0
		for j, rv := range values {
			vr := newReader(rv, r.item, fmt.Sprintf("%s.values.%d", fr.prefix, j), r.errs)
			var v crm.ValueInput
			if val, ok := vr.obj["value"]; ok && val != nil {
				v.HasValue = true
				v.Value = plainValue(val)
			}
			if id := vr.int64("enum_id"); id != nil {
				v.EnumID = *id
			}
			if code := vr.str("enum_code"); code != nil {
				v.EnumCode = *code
			}
			in.Values = append(in.Values, v)
		}
		out = append(out, in)
	}
	return out, true
}

// plainValue converts json.Number to float64 so that the domain sees plain Go
// scalars; objects and arrays pass through and fail the domain's type checks.
func plainValue(v any) any {
	if n, ok := v.(json.Number); ok {
		f, err := n.Float64()
		if err != nil {
			return string(n)
		}
		return f
	}
	return v
}

// violationsErr returns the collected type violations as a domain error.
func violationsErr(errs []crm.Violation) error {
	if len(errs) == 0 {
		return nil
	}
	return crm.Invalid(errs...)
}

// singleBody is a decoded single-object request body (PATCH …/{id}, POST of
// one segment) with its request id: the one sent, or "0".
type singleBody struct {
	reader
	requestID string
	// sentRequestID says whether the client sent request_id itself.
	sentRequestID bool
}

// readSingle reads the body as one object; type errors collect in the reader.
func readSingle(r *http.Request) (*singleBody, error) {
	body, err := readJSON(r)
	if err != nil {
		return nil, err
	}
	b := &singleBody{requestID: singleRequestID(body), reader: newReader(body, 0, "", new([]crm.Violation))}
	_, b.sentRequestID = b.obj["request_id"]
	b.str("request_id") // only to type-check it
	return b, nil
}

// wrap names the item by its request id in validation errors.
func (b *singleBody) wrap(err error) error { return withItems(err, []string{b.requestID}) }

// decodeErr is the type errors found while reading the body, if any.
func (b *singleBody) decodeErr() error { return b.wrap(violationsErr(*b.errs)) }

// singleRequestID is the request id of a single-object write: the given one,
// or "0" as for the first item of a batch.
func singleRequestID(body any) string {
	if obj, ok := body.(map[string]any); ok {
		if rid, ok := obj["request_id"].(string); ok {
			return rid
		}
	}
	return "0"
}
