package crm

import (
	"strings"
	"testing"
)

func TestTextViolation(t *testing.T) {
	for _, s := range []string{"", "Иван Петров", "a\tb\nc\r\n", "\ufffd", "😀", "\u00a0nbsp"} {
		if v := TextViolation(s); v != nil {
			t.Errorf("%q refused: %s", s, v.Detail)
		}
	}
	for s, code := range map[string]string{
		"a\x00b": ViolationControl, "\x1b[31m": ViolationControl, "\x7f": ViolationControl,
		"\u0085": ViolationControl, "\u009f": ViolationControl, "\xff\xfe": ViolationEncoding,
		"ok\xc3": ViolationEncoding, "\xed\xa0\x80": ViolationEncoding, // a surrogate encoded as UTF-8
	} {
		v := TextViolation(s)
		if v == nil || v.Code != code {
			t.Errorf("%q: got %+v, want %s", s, v, code)
		}
	}
}

func TestCheckTextLength(t *testing.T) {
	var v violations
	v.checkText(0, "name", strings.Repeat("я", MaxNameLength), MaxNameLength)
	if len(v) != 0 {
		t.Fatalf("255 characters refused: %+v", v)
	}
	v.checkText(2, "name", strings.Repeat("я", MaxNameLength+1), MaxNameLength)
	if len(v) != 1 || v[0].Code != ViolationTooLong || v[0].Item != 2 || v[0].Path != "name" {
		t.Fatalf("256 characters: %+v", v)
	}
}
