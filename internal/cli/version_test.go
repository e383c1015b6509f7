package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestVersionBinary builds crmd as the Dockerfile does (CGO_ENABLED=0,
// -trimpath, -ldflags with -s -w and -X) from a git repository made of
// this source, and runs crmd version: the stamped version, the revision
// go build recorded with +dirty for an untracked file, and its commit
// time; then, at a tag and clean, the tag is the version. The source is
// copied because go build records nothing in a git worktree (whose .git
// is a file), which is how this repository is often checked out. Skipped
// with -short, or without git.
func TestVersionBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds crmd twice")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git: go build records no revision without it")
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	src := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, dir := range []string{"cmd", "internal"} {
		if err := os.CopyFS(filepath.Join(src, dir), os.DirFS(filepath.Join(root, dir))); err != nil {
			t.Fatal(err)
		}
	}
	sh := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	sh("git", "init", "-q")
	sh("git", "add", ".")
	sh("git", "-c", "user.name=crmd test", "-c", "user.email=test@crmd.invalid", "commit", "-q", "-m", "test build")
	rev := sh("git", "rev-parse", "HEAD")
	secs, err := strconv.ParseInt(sh("git", "log", "-1", "--format=%ct"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	when := time.Unix(secs, 0).UTC().Format(time.RFC3339)

	// -buildvcs=true: this machine's go env may say false.
	build := func(ldflags string) string {
		t.Helper()
		bin := filepath.Join(t.TempDir(), "crmd")
		sh("go", "build", "-buildvcs=true", "-trimpath", "-ldflags="+ldflags, "-o", bin, "./cmd/crmd")
		return sh(bin, "version")
	}
	if err := os.WriteFile(filepath.Join(src, "untracked.txt"), []byte("not committed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := build("-s -w -X github.com/crmd/crmd/internal/cli.Version=v1.2.3")
	if want := "crmd v1.2.3 (commit " + rev + "+dirty, " + when + ", " + runtime.Version() + ")"; got != want {
		t.Errorf("stamped, uncommitted changes:\n got %s\nwant %s", got, want)
	}

	if err := os.Remove(filepath.Join(src, "untracked.txt")); err != nil {
		t.Fatal(err)
	}
	sh("git", "tag", "v1.5.0")
	got = build("-s -w")
	if want := "crmd v1.5.0 (commit " + rev + ", " + when + ", " + runtime.Version() + ")"; got != want {
		t.Errorf("unstamped, clean, at a tag:\n got %s\nwant %s", got, want)
	}
}
