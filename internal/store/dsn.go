package store

import (
	"regexp"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// The dialects a DSN can name (ParseDSN).
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// schemeURL matches a DSN that is a URL of some scheme ("mysql://…"):
// anything else without the prefixes crmd knows is a SQLite path, so
// without this check such a DSN became a directory named "mysql:" holding
// a new, empty SQLite database.
var schemeURL = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// ParseDSN tells which database a DSN names: "postgres://…" and
// "postgresql://…" are PostgreSQL and come back whole; "sqlite:PATH" and a
// bare PATH are SQLite and come back as the path. A URL of any other scheme
// is refused (KindInvalid) rather than taken for a file name.
func ParseDSN(dsn string) (dialect, target string, err error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return DialectPostgres, dsn, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		return DialectSQLite, strings.TrimPrefix(dsn, "sqlite:"), nil
	case schemeURL.MatchString(dsn):
		scheme, _, _ := strings.Cut(dsn, "://")
		return "", "", crm.Errorf(crm.KindInvalid,
			"database DSN of scheme %q: crmd speaks SQLite (sqlite:PATH or a bare PATH) and PostgreSQL (postgres://…)", scheme)
	}
	return DialectSQLite, dsn, nil
}
