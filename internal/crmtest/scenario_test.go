package crmtest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLookup(t *testing.T) {
	doc := ParseJSON(t, `{"_embedded":{"segments":[{"id":1,"name":"a"},{"id":2,"name":null}]},"n":"x"}`)
	doc.Equal("_embedded.segments.1.id", 2).
		Equal("_embedded.segments.*.id", []int64{1, 2}).
		EqualJSON("_embedded.segments.0", `{"name":"a","id":1}`).
		Keys("_embedded.segments.0", "name", "id").
		Equal("_embedded.segments.id=2.name", nil)
	if got := doc.Int("_embedded.segments.0.id"); got != 1 {
		t.Errorf("Int = %d", got)
	}
	if !doc.Has("_embedded.segments.1.name") || doc.Has("_embedded.segments.2") || doc.Has("n.x") || doc.Has("_embedded.segments.id=3") {
		t.Error("Has")
	}
	if len(doc.List("_embedded.segments")) != 2 || doc.Str("n") != "x" {
		t.Error("List or Str")
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"a.b", "a.b", true},
		{"a.*", "a.b", true},
		{"a.*", "a.b.c", false},
		{"**.id", "id", true},
		{"**.id", "x.0.id", true},
		{"**.id", "x.0.ids", false},
		{"x.**", "x", true},
	} {
		if got := match(splitPath(c.pattern), splitPath(c.path)); got != c.want {
			t.Errorf("match(%q, %q) = %v", c.pattern, c.path, got)
		}
	}
}

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	masks := []Mask{MaskPath("**.created_at", "time"), MaskText("http://127.0.0.1:1", "http://crmd")}
	*update = true
	Golden(t, "x", []byte(`{"a":[{"created_at":5,"href":"http://127.0.0.1:1/a"}]}`), masks...)
	*update = false
	b, err := os.ReadFile(filepath.Join("testdata", "x.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": [\n    {\n      \"created_at\": \"<time: number>\",\n      \"href\": \"http://crmd/a\"\n    }\n  ]\n}\n"
	if string(b) != want {
		t.Errorf("golden file:\n%s\nwant:\n%s", b, want)
	}
	Golden(t, "x", []byte(`{"a":[{"created_at":7,"href":"http://127.0.0.1:1/a"}]}`), masks...)
}
