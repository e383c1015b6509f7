package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/store"
)

const backupUsage = `  crmd backup  --db DSN --out FILE [--json]      a verified copy of a SQLite database, taken while
                                                  crmd serves it; FILE must not exist. For PostgreSQL
                                                  it prints the pg_dump and pg_restore commands and
                                                  exits 1, as it wrote nothing
`

// errNoBackup is what crmd backup returns on PostgreSQL after printing the
// pg_dump way: exit status 1, so a scheduled job pointed at PostgreSQL
// fails where it can be seen instead of looking like it made a backup.
var errNoBackup = errors.New("no backup was written: crmd backs up SQLite only; back PostgreSQL up with pg_dump as printed above")

// backup is "crmd backup": store.BackupSQLite for SQLite, the pg_dump
// commands for PostgreSQL.
func (m *Main) backup(ctx context.Context, args []string) error {
	fs := m.flags("backup")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	out := fs.String("out", "", "the backup `FILE` to create; it must not exist (required for SQLite; the dump's name for PostgreSQL)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	dialect, target, err := store.ParseDSN(*dsn)
	if err != nil {
		return fmt.Errorf("%w: --db: %w", errUsage, terse(err))
	}
	if dialect == store.DialectPostgres {
		return m.backupPostgres(target, *out, *asJSON)
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required: the backup file to create", errUsage)
	}
	start := time.Now()
	res, err := store.BackupSQLite(ctx, target, *out)
	if err != nil {
		return terse(err)
	}
	took := time.Since(start)
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{
			"dialect": "sqlite", "method": "vacuum_into", "path": res.Path, "bytes": res.Bytes,
			"schema_version": res.SchemaVersion, "crmd_schema_version": res.LatestVersion,
			"accounts": res.Accounts, "deals": res.Deals, "integrity_check": res.Integrity,
			"duration_ms": took.Milliseconds(), "copy_ms": res.Copy.Milliseconds(), "verify_ms": res.Verify.Milliseconds(),
		})
	}
	version := fmt.Sprint(res.SchemaVersion)
	if res.SchemaVersion == res.LatestVersion {
		version += " (the newest this crmd knows)"
	} else {
		version += fmt.Sprintf(" (this crmd knows up to %d and migrates the copy when it serves it)", res.LatestVersion)
	}
	fmt.Fprintf(m.Stdout, `crmd: backup written to %s and verified
  size:             %s (%d bytes)
  schema version:   %s
  accounts:         %d
  deals:            %d
  integrity_check:  %s
  took:             %s (copy %s, verification %s)
`, res.Path, megabytes(res.Bytes), res.Bytes, version, res.Accounts, res.Deals, res.Integrity,
		took.Round(time.Millisecond), res.Copy.Round(time.Millisecond), res.Verify.Round(time.Millisecond))
	return nil
}

// terseError is a domain error printed by its message alone: on a terminal
// "conflict: FILE already exists" says its kind twice. Its kind stays
// reachable through Unwrap.
type terseError struct{ err error }

func (e terseError) Error() string {
	d, _ := crm.AsError(e.err)
	return d.Message
}

func (e terseError) Unwrap() error { return e.err }

// terse wraps err in terseError when it is a domain error itself.
func terse(err error) error {
	if d, ok := err.(*crm.Error); ok && len(d.Violations) == 0 {
		return terseError{err}
	}
	return err
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// backupPostgres prints how to back up and restore the PostgreSQL database
// at dsn with pg_dump's custom format, and returns errNoBackup. The
// commands carry the DSN without its password, which the terminal, a
// scheduler's mail or a log would otherwise keep.
func (m *Main) backupPostgres(dsn, out string, asJSON bool) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("%w: --db: not a PostgreSQL URL: %v", errUsage, err)
	}
	_, hadPassword := u.User.Password()
	if hadPassword {
		u.User = url.User(u.User.Username())
	}
	if out == "" {
		out = "crmd.dump"
	}
	conn := u.String()
	dump := "pg_dump --format=custom --file=" + shellQuote(out) + " --dbname=" + shellQuote(conn)
	restore := "pg_restore --clean --if-exists --no-owner --single-transaction --dbname=" + shellQuote(conn) + " " + shellQuote(out)
	if asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(map[string]any{
			"dialect": "postgres", "backup_written": false, "pg_dump": dump, "pg_restore": restore,
			"password_left_out": hadPassword,
		}); err != nil {
			return err
		}
		return errNoBackup
	}
	var note string
	if hadPassword {
		note = "# The DSN's password is left out of these lines: give it in PGPASSWORD or ~/.pgpass.\n"
	}
	fmt.Fprintf(m.Stdout, `crmd backup copies SQLite databases only. PostgreSQL has its own consistent online
backup, pg_dump: it reads one snapshot while crmd goes on serving. Back up with

  %s

(the custom format is compressed and lets pg_restore pick what to restore; use a
pg_dump at least as new as the server). To restore: stop every crmd process, then

  %s

and start crmd again (it applies any newer migrations). To restore into a new, empty
database instead, create it (createdb) and leave out --clean --if-exists.
%s`, dump, restore, note)
	return errNoBackup
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// characters.
func shellQuote(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@,+=", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
