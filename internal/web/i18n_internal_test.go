package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMessages: every message key the templates and the code name exists,
// and every message has both its English and its Russian text.
func TestMessages(t *testing.T) {
	for key, texts := range messages {
		for i, text := range texts {
			if strings.TrimSpace(text) == "" {
				t.Errorf("message %q has no text in language %d", key, i)
			}
		}
	}
	// Keys are written as literals: {{$.T "board.move"}}, v.T("deal.saved"),
	// v.T(kindKey(...)) aside (its keys are checked where they are built).
	used := regexp.MustCompile(`\bT "([a-z_]+\.[a-z0-9_.]+)"|\.T\("([a-z_]+\.[a-z0-9_.]+)"`)
	var files []string
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, name := range append(files, code...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		var b []byte
		if strings.HasPrefix(name, "templates/") {
			b, err = templateFS.ReadFile(name)
		} else {
			b, err = os.ReadFile(name)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			seen++
			if _, ok := messages[key]; !ok {
				t.Errorf("%s names message %q, which no catalog defines", name, key)
			}
		}
	}
	if seen < 100 {
		t.Errorf("only %d message uses found: the pattern no longer matches how keys are written", seen)
	}
}
