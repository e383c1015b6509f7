package wiretext

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/crm"
)

func TestJSON(t *testing.T) {
	cases := []struct {
		name string
		body string
		path []string // nil: no fault
		code string
	}{
		{"plain", `[{"name":"Сделка","tags":["a","b"],"n":1.5,"ok":true,"x":null}]`, nil, ""},
		{"tab, LF and CR allowed", `{"comment":"a\tb\nc\r\nd"}`, nil, ""},
		{"paired surrogates", `{"name":"\ud83d\ude00 \u00e9"}`, nil, ""},
		{"U+FFFD as sent is text", `{"name":"\ufffd �"}`, nil, ""},
		{"escaped NUL", `[{"name":"a\u0000b"}]`, []string{"0", "name"}, crm.ViolationControl},
		{"backspace escape", `{"request":{"values":{"name":"\b"}}}`, []string{"request", "values", "name"}, crm.ViolationControl},
		{"raw DEL", "{\"name\":\"a\x7fb\"}", []string{"name"}, crm.ViolationControl},
		{"C1 control", `{"name":"a` + "\u0085" + `"}`, []string{"name"}, crm.ViolationControl},
		{"escaped C1", `{"name":"\u009b"}`, []string{"name"}, crm.ViolationControl},
		{"invalid UTF-8", "{\"name\":\"\xff\xfe\"}", []string{"name"}, crm.ViolationEncoding},
		{"lone high surrogate", `{"a":[1,{"b":"x\ud800y"}]}`, []string{"a", "1", "b"}, crm.ViolationEncoding},
		{"lone low surrogate", `{"b":"\udc00"}`, []string{"b"}, crm.ViolationEncoding},
		{"high then non-low", `{"b":"\ud800\u0041"}`, []string{"b"}, crm.ViolationEncoding},
		{"bad key", `{"na\u0001me":"x"}`, []string{"na\x01me"}, crm.ViolationControl},
		{"second item", `[{"name":"ok"},{"name":"\u0000"}]`, []string{"1", "name"}, crm.ViolationControl},
		{"top-level string", `"\u0000"`, []string{}, crm.ViolationControl},
		{"not JSON after a good string", `{"a":"b",}`, nil, ""},
		{"truncated", `{"a":"\u00`, nil, ""},
		{"empty", ``, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := JSON([]byte(c.body))
			if c.path == nil {
				if f != nil {
					t.Fatalf("fault %+v, want none", f)
				}
				return
			}
			if f == nil {
				t.Fatalf("no fault, want %s at %q", c.code, c.path)
			}
			if f.Code != c.code || !reflect.DeepEqual(f.Path, c.path) && !(len(f.Path) == 0 && len(c.path) == 0) {
				t.Fatalf("fault %s at %q, want %s at %q", f.Code, f.Path, c.code, c.path)
			}
			if f.Detail == "" {
				t.Fatal("fault without detail")
			}
		})
	}
}

func TestQuery(t *testing.T) {
	cases := []struct {
		raw  string
		path string // "": no fault
		code string
	}{
		{"filter[name]=Иван&page=2", "", ""},
		{"query=%D0%98%D0%B2%D0%B0%D0%BD+%09tab", "", ""},
		{"filter[name]=%ff%fe", "filter[name]", crm.ViolationEncoding},
		{"page=1&query=a%00b", "query", crm.ViolationControl},
		{"a%01=1", "a\x01", crm.ViolationControl},
		{"bad=%zz&ok=1", "", ""}, // a malformed escape is skipped, as url.ParseQuery drops it
	}
	for _, c := range cases {
		f := Query(c.raw)
		switch {
		case c.path == "" && f != nil:
			t.Errorf("%q: fault %+v, want none", c.raw, f)
		case c.path != "" && (f == nil || f.Dotted() != c.path || f.Code != c.code):
			t.Errorf("%q: fault %+v, want %s at %q", c.raw, f, c.code, c.path)
		}
	}
}

// FuzzJSON checks that the scanner never panics and that whatever valid
// JSON it passes decodes into storable text only.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`[{"name":"a\u0000b"}]`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud800"}`, `{"a":[1,2,{"b":null}]}`,
		"{\"a\":\"\xff\"}", `{"request":{"keyword":"%_\\"}}`, `"x"`, `[[[[`, `{"a":"\u`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fault := JSON(body)
		if fault != nil || !json.Valid(body) {
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("valid JSON with invalid UTF-8 passed: %q", body)
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return
		}
		walk(t, v)
	})
}

func walk(t *testing.T, v any) {
	switch x := v.(type) {
	case string:
		if bad := crm.TextViolation(x); bad != nil {
			t.Fatalf("passed a refused string %q: %s", x, bad.Detail)
		}
	case []any:
		for _, e := range x {
			walk(t, e)
		}
	case map[string]any:
		for k, e := range x {
			walk(t, k)
			walk(t, e)
		}
	}
}
