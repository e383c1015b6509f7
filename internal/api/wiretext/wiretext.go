// Package wiretext finds the text in a request that crmd refuses to store:
// invalid UTF-8, unpaired UTF-16 surrogate escapes, and control characters
// other than tab, line feed and carriage return (the rule is the domain's,
// crm.TextViolation).
//
// Every dialect runs its query string and body through it where it decodes
// them, before any value reaches the domain, and answers a Fault in its own
// error format. It works on the wire form because that is where the evidence
// is: encoding/json silently turns invalid UTF-8 and lone surrogates into
// U+FFFD, so after decoding an altered value can no longer be told from one
// the client meant.
package wiretext

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/crm"
)

// Fault is the first refused text of a request.
type Fault struct {
	// Path locates the text: for a JSON body the object keys and array
	// indexes from the root ("0", "name"), for a query string or a form the
	// parameter's name. When the fault is in an object key or a parameter
	// name, the path ends with that key.
	Path []string
	// Code is crm.ViolationEncoding or crm.ViolationControl.
	Code string
	// Detail explains the fault in English.
	Detail string
}

// Dotted is the path joined with dots ("0.custom_fields_values.1.value").
func (f *Fault) Dotted() string { return strings.Join(f.Path, ".") }

// Violation returns the fault as a domain violation of item, at path.
func (f *Fault) Violation(item int, path string) crm.Violation {
	return crm.Violation{Item: item, Path: path, Code: f.Code, Detail: f.Detail}
}

// Query checks every name and value of a raw (still escaped) query string
// or form body. Pairs whose escapes are malformed are skipped, as
// net/url.ParseQuery-based readers skip them.
func Query(raw string) *Fault {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			continue
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			continue
		}
		for _, s := range [2]string{key, value} {
			if v := crm.TextViolation(s); v != nil {
				return &Fault{Path: []string{key}, Code: v.Code, Detail: v.Detail}
			}
		}
	}
	return nil
}

// maxDepth bounds nesting as encoding/json does; a deeper document is not
// scanned further (the dialect's parser refuses it).
const maxDepth = 10000

// JSON checks every string of a JSON document, object keys included. A
// document that is not valid JSON is checked only up to the point where it
// stops being JSON: the dialect's own parser then reports the syntax error.
func JSON(body []byte) *Fault {
	s := &scanner{data: body}
	s.value(0)
	return s.fault
}

// scanner walks one JSON document, keeping the path to where it is.
type scanner struct {
	data  []byte
	pos   int
	path  []string
	fault *Fault
}

// value scans one value; false stops the walk (a fault, or not JSON).
func (s *scanner) value(depth int) bool {
	s.space()
	if s.pos >= len(s.data) {
		return false
	}
	switch s.data[s.pos] {
	case '{':
		return depth < maxDepth && s.object(depth+1)
	case '[':
		return depth < maxDepth && s.array(depth+1)
	case '"':
		_, ok := s.text(nil)
		return ok
	}
	// A number or a literal: its syntax is the parser's business.
	for s.pos < len(s.data) && !delimiter(s.data[s.pos]) {
		s.pos++
	}
	return true
}

func (s *scanner) object(depth int) bool {
	s.pos++ // {
	s.space()
	if s.at('}') {
		s.pos++
		return true
	}
	for {
		s.space()
		if !s.at('"') {
			return false
		}
		key, ok := s.text(func(key string) []string { return append(s.path, key) })
		if !ok {
			return false
		}
		s.space()
		if !s.at(':') {
			return false
		}
		s.pos++
		if more, ok := s.member(key, depth, '}'); !more {
			return ok
		}
	}
}

func (s *scanner) array(depth int) bool {
	s.pos++ // [
	s.space()
	if s.at(']') {
		s.pos++
		return true
	}
	for i := 0; ; i++ {
		if more, ok := s.member(strconv.Itoa(i), depth, ']'); !more {
			return ok
		}
	}
}

// member scans the value of an object member or array element named name,
// then the comma or the closing bracket after it. more: another member
// follows; ok (when not more): the container ended well.
func (s *scanner) member(name string, depth int, closing byte) (more, ok bool) {
	s.path = append(s.path, name)
	ok = s.value(depth)
	s.path = s.path[:len(s.path)-1]
	if !ok {
		return false, false
	}
	s.space()
	switch {
	case s.at(','):
		s.pos++
		return true, true
	case s.at(closing):
		s.pos++
		return false, true
	}
	return false, false
}

// text scans the string at s.pos and returns it decoded. A refused string
// records the fault at the path (keyPath, when given, builds the path of a
// fault in an object key from the decoded key) and stops the walk.
func (s *scanner) text(keyPath func(key string) []string) (string, bool) {
	s.pos++ // opening quote
	start := s.pos
	var buf []byte // the decoded text once an escape was met; nil before
	var bad *crm.Violation
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			var out string
			if buf == nil {
				out = string(s.data[start:s.pos])
			} else {
				out = string(append(buf, s.data[start:s.pos]...))
			}
			s.pos++
			if bad == nil {
				bad = crm.TextViolation(out)
			}
			if bad != nil {
				path := s.path
				if keyPath != nil {
					path = keyPath(out)
				}
				s.fault = &Fault{Path: append([]string(nil), path...), Code: bad.Code, Detail: bad.Detail}
				return out, false
			}
			return out, true
		case c == '\\':
			buf = append(buf, s.data[start:s.pos]...)
			if s.pos+1 >= len(s.data) {
				return "", false
			}
			esc := s.data[s.pos+1]
			s.pos += 2
			switch esc {
			case '"', '\\', '/':
				buf = append(buf, esc)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					var paired bool
					r, paired = s.lowSurrogate(r)
					if !paired && bad == nil {
						bad = &crm.Violation{Code: crm.ViolationEncoding,
							Detail: "This value holds an unpaired UTF-16 surrogate escape; it is not valid Unicode text."}
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", false
			}
			start = s.pos
		case c < 0x20:
			return "", false // a raw control byte is not JSON
		default:
			s.pos++
		}
	}
	return "", false
}

// hex4 reads the four hex digits of a \u escape.
func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	s.pos += 4
	return r, true
}

// lowSurrogate completes the high surrogate hi with the \u escape that
// follows it. It reports false (and U+FFFD) for a surrogate without its
// pair, leaving the next escape to be read on its own.
func (s *scanner) lowSurrogate(hi rune) (rune, bool) {
	if hi >= 0xdc00 || s.pos+6 > len(s.data) || s.data[s.pos] != '\\' || s.data[s.pos+1] != 'u' {
		return utf8.RuneError, false
	}
	save := s.pos
	s.pos += 2
	lo, ok := s.hex4()
	if !ok || lo < 0xdc00 || lo > 0xdfff {
		s.pos = save
		return utf8.RuneError, false
	}
	return utf16.DecodeRune(hi, lo), true
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) at(c byte) bool { return s.pos < len(s.data) && s.data[s.pos] == c }

func delimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}
