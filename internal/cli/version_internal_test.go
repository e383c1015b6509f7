package cli

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestBuildFrom: what crmd version says for each kind of build: the
// -ldflags stamps win, the module version go build records stands in for
// an unstamped Version, the revision carries +dirty for uncommitted
// changes, and a build that recorded nothing says so.
func TestBuildFrom(t *testing.T) {
	const rev = "3f27f9b947ba5c2d0bbef61ef24eb604ee26564f"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "-trimpath", Value: "true"}, {Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2025-12-03T04:46:23Z"}, {Key: "vcs.modified", Value: modified}}
	}
	info := func(mainVersion string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/crmd/crmd", Version: mainVersion}, Settings: settings}
	}
	for _, c := range []struct {
		name            string
		version, commit string
		info            *debug.BuildInfo
		want            string
	}{
		{"no build information", "dev", "", nil, "crmd dev (commit unknown, " + runtime.Version() + ")"},
		{"go build outside a repository", "dev", "", info("(devel)", nil), "crmd dev (commit unknown, go1.26.8)"},
		{"go test binary", "dev", "", info("", nil), "crmd dev (commit unknown, go1.26.8)"},
		{"a clean checkout", "dev", "", info("(devel)", vcs("false")),
			"crmd dev (commit " + rev + ", 2025-12-03T04:46:23Z, go1.26.8)"},
		{"uncommitted changes", "dev", "", info("(devel)", vcs("true")),
			"crmd dev (commit " + rev + "+dirty, 2025-12-03T04:46:23Z, go1.26.8)"},
		{"a checkout at a tag", "dev", "", info("v1.4.0", vcs("false")),
			"crmd v1.4.0 (commit " + rev + ", 2025-12-03T04:46:23Z, go1.26.8)"},
		{"a pseudo-version", "dev", "", info("v0.0.0-20251203044623-3f27f9b947ba+dirty", vcs("true")),
			"crmd v0.0.0-20251203044623-3f27f9b947ba+dirty (commit " + rev + "+dirty, 2025-12-03T04:46:23Z, go1.26.8)"},
		{"-X Version wins over the tag", "v1.2.3", "", info("v1.4.0", vcs("true")),
			"crmd v1.2.3 (commit " + rev + "+dirty, 2025-12-03T04:46:23Z, go1.26.8)"},
		{"-X Commit in a build without .git", "v1.2.3", "0123abcd", info("(devel)", nil),
			"crmd v1.2.3 (commit 0123abcd, go1.26.8)"},
		{"-X Commit wins over the recorded revision", "v1.2.3", "0123abcd", info("(devel)", vcs("true")),
			"crmd v1.2.3 (commit 0123abcd, go1.26.8)"},
	} {
		if got := buildFrom(c.version, c.commit, c.info).String(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
