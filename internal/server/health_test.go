package server_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestReadyz: /readyz is 200 on a reachable database holding every
// migration of the binary, 503 with a short reason when a migration is
// missing (a backup restored from before an upgrade), when the schema is
// gone, and when the database is unreachable; /healthz stays 200 all
// along, since the process still serves.
func TestReadyz(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		o := startObserved(t, dsn, cli.ServerConfig{})
		check := func(what string, status int, body string) {
			t.Helper()
			r := o.do("GET", "/readyz", "")
			if r.status != status || !strings.HasPrefix(r.body, body) {
				t.Errorf("%s: /readyz %d %q, want %d %q…", what, r.status, r.body, status, body)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: /readyz Cache-Control %q", what, r.header.Get("Cache-Control"))
			}
			if h := o.do("GET", "/healthz", ""); h.status != 200 || h.body != "ok\n" {
				t.Errorf("%s: /healthz %d %q, want 200 ok", what, h.status, h.body)
			}
		}
		check("migrated", 200, "ok\n")

		// Versions and names are the binary's own: written into the
		// statements, they spare the two drivers' placeholder styles.
		raw := rawDB(t, dsn)
		ctx := context.Background()
		var latest int
		if err := raw.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&latest); err != nil {
			t.Fatal(err)
		}
		var name string
		if err := raw.QueryRowContext(ctx, `SELECT name FROM schema_migrations WHERE version = `+strconv.Itoa(latest)).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = `+strconv.Itoa(latest)); err != nil {
			t.Fatal(err)
		}
		check("the newest migration missing", 503, "not ready: database not migrated: 1 migration(s) of this binary pending, from "+fmt.Sprintf("%04d", latest)+"\n")
		if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (`+strconv.Itoa(latest)+`, '`+name+`', 0)`); err != nil {
			t.Fatal(err)
		}
		check("migrated again", 200, "ok\n")
		if _, err := raw.ExecContext(ctx, `DROP TABLE schema_migrations`); err != nil {
			t.Fatal(err)
		}
		check("no schema", 503, "not ready: database not migrated: ")
		if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		raw.Close()

		o.srv.DB.Close()
		check("the database closed", 503, "not ready: database unreachable\n")
	})
}
