package crmtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites golden files from what the tests produce:
// go test ./internal/api/amocrm -run TestX -update.
var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// written names the golden files rewritten in this run: a second Golden
// call for the same name (the other backend) compares against the first.
var written sync.Map

// A Mask rewrites a part of a JSON document that differs from run to run
// (ids, times, the server's address) before it meets its golden file. It
// gets the dotted path of every value, outermost first, and returns the
// value to keep; a value it changes is not descended into.
type Mask func(path string, v any) any

// MaskPath replaces every value whose path matches pattern with the string
// "<as: kind>", kind being the value's JSON kind, so that the golden file
// still says what the value was. In pattern, "*" matches one path segment
// and "**" any number of them: "**.created_at", "_embedded.items.*.id".
func MaskPath(pattern, as string) Mask {
	pat := splitPath(pattern)
	return func(path string, v any) any {
		if !match(pat, splitPath(path)) {
			return v
		}
		return "<" + as + ": " + Kind(v) + ">"
	}
}

// MaskText replaces old with as inside every string value.
func MaskText(old, as string) Mask {
	return func(_ string, v any) any {
		if s, ok := v.(string); ok && old != "" {
			return strings.ReplaceAll(s, old, as)
		}
		return v
	}
}

// Golden compares the JSON document got, masked, with
// testdata/<name>.golden.json and reports a cmp.Diff on mismatch. Run the
// test with -update to write the file from got instead; review it before
// committing. Both backends of one test compare with the same file.
func Golden(t testing.TB, name string, got []byte, masks ...Mask) {
	t.Helper()
	v := ParseJSON(t, string(got)).V
	v = applyMasks(masks, "", v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatalf("golden %s: encode: %v", name, err)
	}
	file := filepath.Join("testdata", name+".golden.json")
	if *update {
		if _, again := written.LoadOrStore(file, true); !again {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	want, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden file %s is missing: run the test with -update to write it; got:\n%s", file, buf.Bytes())
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ParseJSON(t, string(want)).V, ParseJSON(t, buf.String()).V); diff != "" {
		t.Errorf("%s differs (-golden +got); if the change is right, rerun with -update:\n%s", file, diff)
	}
}

// applyMasks runs the masks over v and its members, outermost first.
func applyMasks(masks []Mask, path string, v any) any {
	for _, m := range masks {
		next := m(path, v)
		if !sameLeaf(next, v) {
			return next
		}
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch c := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(c))
		for k, e := range c {
			out[k] = applyMasks(masks, join(k), e)
		}
		return out
	case []any:
		out := make([]any, len(c))
		for i, e := range c {
			out[i] = applyMasks(masks, join(strconv.Itoa(i)), e)
		}
		return out
	}
	return v
}

// sameLeaf reports whether a mask left v alone; masks return containers
// unchanged or replace them, so only leaves need comparing.
func sameLeaf(a, b any) bool {
	switch a.(type) {
	case map[string]any, []any:
		_, bm := b.(map[string]any)
		_, ba := b.([]any)
		return (bm || ba) && Kind(a) == Kind(b)
	}
	return a == b
}

// splitPath splits a dotted path into its segments; "" has none.
func splitPath(path string) []string {
	if path == "" {
		return nil
	}
	return strings.Split(path, ".")
}

// match matches path segments against a pattern with "*" and "**".
func match(pat, segs []string) bool {
	if len(pat) == 0 {
		return len(segs) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if match(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 || pat[0] != "*" && pat[0] != segs[0] {
		return false
	}
	return match(pat[1:], segs[1:])
}
