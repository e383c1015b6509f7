package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/store"
)

func TestParseDSN(t *testing.T) {
	for _, c := range []struct{ dsn, dialect, target string }{
		{"crmd.db", store.DialectSQLite, "crmd.db"},
		{"/var/lib/crmd/crmd.db", store.DialectSQLite, "/var/lib/crmd/crmd.db"},
		{"sqlite:/var/lib/crmd/crmd.db", store.DialectSQLite, "/var/lib/crmd/crmd.db"},
		{"sqlite:data/crmd.db", store.DialectSQLite, "data/crmd.db"},
		{"odd:name.db", store.DialectSQLite, "odd:name.db"}, // a path, not a URL
		{"postgres://u@h/db?sslmode=disable", store.DialectPostgres, "postgres://u@h/db?sslmode=disable"},
		{"postgresql://u@h/db", store.DialectPostgres, "postgresql://u@h/db"},
	} {
		dialect, target, err := store.ParseDSN(c.dsn)
		if err != nil || dialect != c.dialect || target != c.target {
			t.Errorf("ParseDSN(%q) = %q, %q, %v; want %q, %q", c.dsn, dialect, target, err, c.dialect, c.target)
		}
	}
	for _, dsn := range []string{"mysql://u@h/db", "sqlserver://sa@h", "http://example.com/crmd.db"} {
		if _, _, err := store.ParseDSN(dsn); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("ParseDSN(%q): %v, want an invalid error", dsn, err)
		}
	}
}

// TestOpenRefusesOtherSchemes: a DSN of another database is refused, not
// taken for a path (it made a directory "mysql:" holding a new database).
func TestOpenRefusesOtherSchemes(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := store.Open(context.Background(), "mysql://crmd@localhost/crmd"); crm.KindOf(err) != crm.KindInvalid {
		t.Errorf("Open(mysql://…): %v, want an invalid error", err)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("Open(mysql://…) left %v behind", entries)
	}
}
