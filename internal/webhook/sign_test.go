package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/webhook"
)

// signCase is one received request and whether a receiver must accept it.
type signCase struct {
	Name      string `json:"name"`
	Secret    string `json:"secret"`
	Timestamp string `json:"timestamp"`
	Signature string `json:"signature"`
	Body      string `json:"body"`
	Now       int64  `json:"now"`
	Want      bool   `json:"want"`
}

// signCases signs with an HMAC computed here, apart from webhook.Sign, as
// docs/webhooks.md describes it: HMAC-SHA256(secret, timestamp "." body).
func signCases() []signCase {
	const secret = "whsec_5f1c9a0e3b7d4c2a8e6f0b1d3c5a7e9f2b4d6f8a0c2e4a6c8e0a2c4e6a8c0e2a"
	body := `{"id":"48213","type":"lead.updated","lead":{"name":"Заказ с сайта"}}`
	now := int64(1796281749)
	sign := func(secret, ts, body string) string {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "." + body))
		return "v1=" + hex.EncodeToString(mac.Sum(nil))
	}
	ts := strconv.FormatInt(now-2, 10)
	good := sign(secret, ts, body)
	stale, future := strconv.FormatInt(now-301, 10), strconv.FormatInt(now+301, 10)
	return []signCase{
		{"genuine", secret, ts, good, body, now, true},
		{"at the tolerance's edge", secret, strconv.FormatInt(now-300, 10), sign(secret, strconv.FormatInt(now-300, 10), body), body, now, true},
		{"one of several signatures", secret, ts, "v1=" + strings.Repeat("0", 64) + ", " + good, body, now, true},
		{"body changed", secret, ts, good, strings.Replace(body, "lead.updated", "lead.deleted", 1), now, false},
		{"body with a space added", secret, ts, good, body + " ", now, false},
		{"another secret", "whsec_other", ts, good, body, now, false},
		{"timestamp changed", secret, strconv.FormatInt(now-1, 10), good, body, now, false},
		{"too old", secret, stale, sign(secret, stale, body), body, now, false},
		{"from the future", secret, future, sign(secret, future, body), body, now, false},
		{"no scheme", secret, ts, strings.TrimPrefix(good, "v1="), body, now, false},
		{"upper-case hex", secret, ts, "v1=" + strings.ToUpper(strings.TrimPrefix(good, "v1=")), body, now, false},
		{"not a timestamp", secret, "soon", sign(secret, "soon", body), body, now, false},
		{"no signature", secret, ts, "", body, now, false},
	}
}

// TestSignAndVerify: webhook.Sign is the HMAC docs/webhooks.md describes,
// and webhook.Verify accepts exactly the genuine, fresh requests.
func TestSignAndVerify(t *testing.T) {
	for _, c := range signCases() {
		if c.Name == "genuine" {
			if got := "v1=" + webhook.Sign(c.Secret, c.Timestamp, []byte(c.Body)); got != c.Signature {
				t.Errorf("Sign: %s, computed apart %s", got, c.Signature)
			}
		}
		got := webhook.Verify(c.Secret, c.Timestamp, c.Signature, []byte(c.Body), time.Unix(c.Now, 0), 5*time.Minute)
		if got != c.Want {
			t.Errorf("%s: Verify = %v, want %v", c.Name, got, c.Want)
		}
	}
}

// snippet returns the code block of docs/webhooks.md between the markers
// <!-- verify-LANG:begin --> and <!-- verify-LANG:end -->.
func snippet(t *testing.T, lang string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "<!-- verify-"+lang+":begin -->")
	block, _, ok2 := strings.Cut(rest, "<!-- verify-"+lang+":end -->")
	if !ok || !ok2 {
		t.Fatalf("docs/webhooks.md has no verify-%s markers", lang)
	}
	block = strings.TrimSpace(block)
	first, body, _ := strings.Cut(block, "\n")
	if !strings.HasPrefix(first, "```") || !strings.HasSuffix(body, "```") {
		t.Fatalf("the verify-%s markers hold no code block: %q", lang, block)
	}
	return strings.TrimSuffix(body, "```")
}

// runSnippet runs a program made of a snippet and a driver that reads the
// cases as JSON on standard input and prints one true or false per line.
func runSnippet(t *testing.T, name string, args []string, cases []signCase) []string {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	return strings.Fields(string(out))
}

func checkSnippet(t *testing.T, cases []signCase, got []string) {
	t.Helper()
	if len(got) != len(cases) {
		t.Fatalf("%d answers for %d cases: %v", len(got), len(cases), got)
	}
	for i, c := range cases {
		if got[i] != strconv.FormatBool(c.Want) {
			t.Errorf("%s: %s, want %v", c.Name, got[i], c.Want)
		}
	}
}

// TestDocGoSnippet compiles and runs the Go verification of
// docs/webhooks.md against the cases.
func TestDocGoSnippet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	code := snippet(t, "go")
	imports, fn, ok := strings.Cut(code, ")\n")
	if !ok || !strings.HasPrefix(imports, "import (") {
		t.Fatalf("the Go snippet does not start with an import block: %q", code)
	}
	program := "package main\n\n" + imports + "\t\"encoding/json\"\n\t\"fmt\"\n\t\"os\"\n)\n" + fn + `
func main() {
	var cases []struct {
		Secret, Timestamp, Signature, Body string
		Now                                int64
	}
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	for _, c := range cases {
		fmt.Println(verified(c.Secret, c.Timestamp, c.Signature, []byte(c.Body), time.Unix(c.Now, 0)))
	}
}
`
	dir := t.TempDir()
	for name, text := range map[string]string{"go.mod": "module verify\n\ngo 1.22\n", "main.go": program} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cases := signCases()
	checkSnippet(t, cases, runSnippet(t, goTool, []string{"run", "-C", dir, "."}, cases))
}

// TestDocPythonSnippet runs the Python verification of docs/webhooks.md
// against the cases; skipped where python3 is missing.
func TestDocPythonSnippet(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	program := snippet(t, "python") + `

import json
import sys

for c in json.load(sys.stdin):
    ok = verified(c["secret"], c["timestamp"], c["signature"], c["body"].encode(), now=c["now"])
    print("true" if ok else "false")
`
	file := filepath.Join(t.TempDir(), "verify.py")
	if err := os.WriteFile(file, []byte(program), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := signCases()
	checkSnippet(t, cases, runSnippet(t, python, []string{file}, cases))
}
