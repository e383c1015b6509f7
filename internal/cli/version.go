package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Commit is the source revision the binary was built from. Builds from a
// git checkout need not set it: go build records the revision itself and
// BuildInfo reads it. Builds without the repository's history (a container
// build whose context leaves out .git, a source tarball) set it with
// -ldflags "-X github.com/crmd/crmd/internal/cli.Commit=…"; set, it wins.
var Commit = ""

// Build describes the running binary, for crmd version and the start log.
type Build struct {
	// Version is Version when stamped with -ldflags; otherwise the main
	// module's version as go build records it (a tag such as v1.2.3 when
	// the checkout is at one, or a pseudo-version), or "dev".
	Version string
	// Commit is the revision, with "+dirty" when the checkout had
	// uncommitted changes; "unknown" when the build recorded none.
	Commit string
	// Time is the revision's commit time (RFC 3339), "" when unknown.
	Time string
	// Go is the toolchain that built the binary.
	Go string
}

// BuildInfo reads the running binary's Build.
func BuildInfo() Build {
	info, _ := debug.ReadBuildInfo()
	return buildFrom(Version, Commit, info)
}

// buildFrom is BuildInfo over explicit inputs, for tests: version and
// commit are the -ldflags variables, info what debug.ReadBuildInfo gave
// (nil when the binary carries none).
func buildFrom(version, commit string, info *debug.BuildInfo) Build {
	b := Build{Version: version, Commit: commit, Go: runtime.Version()}
	if info == nil {
		if b.Commit == "" {
			b.Commit = "unknown"
		}
		return b
	}
	if info.GoVersion != "" {
		b.Go = info.GoVersion
	}
	// "(devel)" is what go build records without version control
	// information; go test binaries record "".
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			b.Time = s.Value
		}
	}
	switch {
	case b.Commit != "":
		// Stamped by hand: the stamp is the whole truth, and the
		// recorded time, if any, may belong to another checkout.
		b.Time = ""
	case revision != "":
		b.Commit = revision
		if modified == "true" {
			b.Commit += "+dirty"
		}
	default:
		b.Commit = "unknown"
	}
	return b
}

// String is the one line crmd version prints:
//
//	crmd v1.2.3 (commit 0123…+dirty, 2025-12-03T04:46:00Z, go1.26.8)
func (b Build) String() string {
	parts := []string{"commit " + b.Commit}
	if b.Time != "" {
		parts = append(parts, b.Time)
	}
	parts = append(parts, b.Go)
	return fmt.Sprintf("crmd %s (%s)", b.Version, strings.Join(parts, ", "))
}
