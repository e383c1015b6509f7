package envybox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/api/wiretext"
	"github.com/crmd/crmd/internal/crm"
)

// MaxBodyBytes is the largest request body accepted (1 MiB).
const MaxBodyBytes = 1 << 20

// params are a method's parameters: the members of {"request": {...}} for
// POST, merged over the query string (the field-definition GETs take either).
type params map[string]any

// readParams decodes the request's parameters; query is its parsed query
// string (r.URL.Query(), which the caller already needed for the key).
func readParams(r *http.Request, query url.Values) (params, error) {
	if fault := wiretext.Query(r.URL.RawQuery); fault != nil {
		return nil, textFault(fault)
	}
	p := params{}
	for k, v := range query {
		if k == "api_key" || len(v) == 0 {
			continue
		}
		if strings.HasSuffix(k, "[]") {
			list := make([]any, len(v))
			for i, s := range v {
				list[i] = s
			}
			p[strings.TrimSuffix(k, "[]")] = list
			continue
		}
		p[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, badRequest("Не удалось прочитать тело запроса")
	}
	if len(body) > MaxBodyBytes {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, message: "Тело запроса больше 1 МБ"}
	}
	req, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	for k, v := range req {
		p[k] = v
	}
	return p, nil
}

// parseBody decodes a {"request": {...}} body; an empty body has no
// parameters. It is the decoder the fuzz test drives.
func parseBody(body []byte) (params, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return params{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var outer map[string]any
	if err := dec.Decode(&outer); err != nil {
		return nil, badRequest("Неверный JSON в теле запроса")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("Неверный JSON в теле запроса")
	}
	if fault := wiretext.JSON(body); fault != nil {
		if len(fault.Path) > 0 && fault.Path[0] == "request" {
			fault.Path = fault.Path[1:] // parameters are named without the envelope
		}
		return nil, textFault(fault)
	}
	raw, ok := outer["request"]
	if !ok {
		return nil, badRequest("Параметры нужно передать в теле запроса вида {\"request\": {...}}")
	}
	req, ok := raw.(map[string]any)
	if !ok {
		return nil, badRequest("request должен быть объектом")
	}
	return params(req), nil
}

// has reports whether the parameter was given (and not null).
func (p params) has(key string) bool { v, ok := p[key]; return ok && v != nil }

// int reads an integer given as a JSON number or a numeric string (Envybox
// examples use both); absent or empty gives 0.
func (p params) int(key string) (int64, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return 0, nil
	}
	n, ok := toInt(v)
	if !ok {
		return 0, badRequest(fmt.Sprintf("Параметр %s должен быть числом", key))
	}
	return n, nil
}

// required reads an integer that must be given and not 0.
func (p params) required(key string) (int64, error) {
	n, err := p.int(key)
	if err == nil && n == 0 {
		err = badRequest("Не указан " + key)
	}
	return n, err
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		f, err := x.Float64()
		if err != nil || f != float64(int64(f)) {
			return 0, false
		}
		return int64(f), true
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0, true
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	case float64:
		return int64(x), x == float64(int64(x))
	}
	return 0, false
}

// ints reads an integer or an array of integers ("число или массив").
func (p params) ints(key string) ([]int64, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	out := make([]int64, 0, len(list))
	for _, x := range list {
		n, ok := toInt(x)
		if !ok {
			return nil, badRequest(fmt.Sprintf("Параметр %s должен быть числом или массивом чисел", key))
		}
		if n != 0 {
			out = append(out, n)
		}
	}
	return out, nil
}

// str reads a string; numbers are accepted and written out.
func (p params) str(key string) (string, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return "", nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	return "", badRequest(fmt.Sprintf("Параметр %s должен быть строкой", key))
}

// object reads a nested object parameter.
func (p params) object(key string) (params, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest(fmt.Sprintf("Параметр %s должен быть объектом", key))
	}
	return params(m), nil
}

// list reads an array parameter.
func (p params) list(key string) ([]any, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, badRequest(fmt.Sprintf("Параметр %s должен быть массивом", key))
	}
	return l, nil
}

// plain converts json.Number into float64 or string for the domain.
func plain(v any) any {
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return f
		}
		return n.String()
	}
	return v
}

// day parses a "YYYY-MM-DD" date in the account's time zone; end selects
// the last second of that day.
func day(s string, loc *time.Location, end bool) (int64, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), loc)
	if err != nil {
		return 0, badRequest("Дата должна быть в формате YYYY-MM-DD: " + s)
	}
	if end {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t.Unix(), nil
}

// dateRange reads date_start/date_end into a range.
func (p params) dateRange(loc *time.Location) (crm.Range, error) {
	var r crm.Range
	for _, side := range []struct {
		key string
		end bool
		dst **int64
	}{{"date_start", false, &r.From}, {"date_end", true, &r.To}} {
		s, err := p.str(side.key)
		if err != nil || s == "" {
			if err != nil {
				return r, err
			}
			continue
		}
		n, err := day(s, loc, side.end)
		if err != nil {
			return r, err
		}
		*side.dst = &n
	}
	return r, nil
}

// page reads limit/offset: 0 or absent means 50, and 50 is the cap.
func (p params) page() (limit, offset int, err error) {
	l, err := p.int("limit")
	if err != nil {
		return 0, 0, err
	}
	o, err := p.int("offset")
	if err != nil {
		return 0, 0, err
	}
	if l < 0 || o < 0 {
		return 0, 0, badRequest("limit и offset не могут быть отрицательными")
	}
	if l == 0 || l > 50 {
		l = 50
	}
	return int(l), int(o), nil
}

// nextOffset is the offset of the next page, or -1 at the end.
func nextOffset(offset, limit, total int) int {
	if offset+limit >= total {
		return -1
	}
	return offset + limit
}

// textFaultReasons words wiretext's faults as Envybox answers parameter errors.
var textFaultReasons = map[string]string{
	crm.ViolationEncoding: "текст не в кодировке UTF-8",
	crm.ViolationControl:  "недопустимый управляющий символ (из управляющих разрешены только табуляция и перевод строки)",
}

// textFault answers text crmd refuses to store (wiretext) as Envybox's 400
// for a malformed parameter, naming the parameter.
func textFault(fault *wiretext.Fault) error {
	return badRequest(msgInvalidRequest + ": " + fault.Dotted() + ": " + textFaultReasons[fault.Code])
}
