package uis

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
)

// params is a JSON object of request parameters (the request's params, or an
// object nested in them) with the dotted path of where it sits, for naming
// fields in errors. Its accessors check types strictly: a number where a
// string is documented is data_type_error, as UIS says.
type params struct {
	raw  map[string]json.RawMessage
	path string // "" for the request's params; "stages.success" for a nested one
}

// jsonKind is the JSON type of a raw value: one of "string", "number",
// "object", "array", "bool", "null".
func jsonKind(raw json.RawMessage) string {
	b := bytes.TrimLeft(raw, " \t\r\n")
	if len(b) == 0 {
		return "null"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// asSent is a raw value as the caller sent it, for error.data.value: a
// string's text, or any other value's compact JSON.
func asSent(raw json.RawMessage) string {
	if jsonKind(raw) == "string" {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// decodeObject parses raw as a JSON object of params at path.
func decodeObject(raw json.RawMessage, path string) (params, error) {
	if jsonKind(raw) != "object" {
		return params{}, failValue(mnDataType, path, asSent(raw))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return params{}, failValue(mnDataType, path, asSent(raw))
	}
	return params{raw: m, path: path}, nil
}

// at is the path of a member.
func (p params) at(name string) string {
	if p.path == "" {
		return name
	}
	return p.path + "." + name
}

// itemPath is the path of an array item.
func itemPath(path string, i int) string { return path + "." + strconv.Itoa(i) }

// only refuses members other than the allowed ones (unexpected_parameters,
// naming the first in sorted order).
func (p params) only(allowed ...string) error {
	var extra []string
	for k := range p.raw {
		if !slices.Contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	slices.Sort(extra)
	return failValue(mnUnexpected, p.at(extra[0]), extra[0])
}

// lookup returns a member; a member that is null counts as absent.
func (p params) lookup(name string) (json.RawMessage, bool) {
	raw, ok := p.raw[name]
	if !ok || jsonKind(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// has reports whether a member is present and not null.
func (p params) has(name string) bool {
	_, ok := p.lookup(name)
	return ok
}

// missing is the error for an absent required member.
func (p params) missing(name string) error { return fail(mnRequired, p.at(name)) }

// str reads a string member; ok is false when it is absent.
func (p params) str(name string, required bool) (s string, ok bool, err error) {
	raw, ok := p.lookup(name)
	if !ok {
		if required {
			return "", false, p.missing(name)
		}
		return "", false, nil
	}
	if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
		return "", false, failValue(mnDataType, p.at(name), asSent(raw))
	}
	return s, true, nil
}

// key reads a required, non-empty string member such as an ext_id.
func (p params) key(name string) (string, error) {
	s, _, err := p.str(name, true)
	if err == nil && s == "" {
		err = failValue(mnInvalidValue, p.at(name), s)
	}
	return s, err
}

// integer reads a whole-number member; ok is false when it is absent.
// digitString also accepts a string of digits (UIS types user_id as a number
// on most pages and as a string on one).
func (p params) integer(name string, required, digitString bool) (n int64, ok bool, err error) {
	raw, ok := p.lookup(name)
	if !ok {
		if required {
			return 0, false, p.missing(name)
		}
		return 0, false, nil
	}
	text := asSent(raw)
	switch kind := jsonKind(raw); {
	case kind == "number", kind == "string" && digitString:
	default:
		return 0, false, failValue(mnDataType, p.at(name), text)
	}
	n, err = strconv.ParseInt(text, 10, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange {
			return 0, false, failValue(mnInvalidValue, p.at(name), text)
		}
		return 0, false, failValue(mnDataType, p.at(name), text)
	}
	return n, true, nil
}

// object reads an object member; ok is false when it is absent.
func (p params) object(name string, required bool) (params, bool, error) {
	raw, ok := p.lookup(name)
	if !ok {
		if required {
			return params{}, false, p.missing(name)
		}
		return params{}, false, nil
	}
	obj, err := decodeObject(raw, p.at(name))
	return obj, err == nil, err
}

// array reads an array member; ok is false when it is absent.
func (p params) array(name string, required bool) ([]json.RawMessage, bool, error) {
	raw, ok := p.lookup(name)
	if !ok {
		if required {
			return nil, false, p.missing(name)
		}
		return nil, false, nil
	}
	var items []json.RawMessage
	if jsonKind(raw) != "array" || json.Unmarshal(raw, &items) != nil {
		return nil, false, failValue(mnDataType, p.at(name), asSent(raw))
	}
	return items, true, nil
}
