package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/bench"
	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// ackedLead is one lead a writer created: when its request was sent and
// when its success answer was read.
type ackedLead struct {
	id          int64
	name        string
	sent, acked time.Time
}

// postLead creates one deal through amoCRM's POST /api/v4/leads and returns
// its id once crmd has answered 200.
func postLead(client *http.Client, base, token, name string) (int64, error) {
	body, _ := json.Marshal([]map[string]string{{"name": name}})
	req, err := http.NewRequest("POST", base+"/api/v4/leads", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var r struct {
		Embedded struct {
			Leads []struct {
				ID int64 `json:"id"`
			} `json:"leads"`
		} `json:"_embedded"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &r) != nil || len(r.Embedded.Leads) != 1 || r.Embedded.Leads[0].ID == 0 {
		return 0, fmt.Errorf("POST /api/v4/leads: %d %s", resp.StatusCode, b)
	}
	return r.Embedded.Leads[0].ID, nil
}

// getLead reads a deal by id: the status (200, or amoCRM's 204 for none)
// and the body.
func getLead(t *testing.T, base, token string, id int64) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v4/leads/%d", base, id), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// integrityCheck runs PRAGMA integrity_check on a SQLite file, read-only,
// independently of crmd backup's own check.
func integrityCheck(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check of %s: %q %v", path, res, err)
	}
}

// countRows counts a table's rows in a SQLite file, read-only.
func countRows(t *testing.T, path, table string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupUnderWrites backs a SQLite database up while four clients
// create deals through the amoCRM API, then serves the copy with crmd serve:
// every deal whose creation was acknowledged before the backup began is
// there, none sent after the backup ended is, and the copy's integrity
// holds before and after serving it.
func TestBackupUnderWrites(t *testing.T) {
	dsn := crmtest.NewDSN(t, crmtest.SQLite)
	path := strings.TrimPrefix(dsn, "sqlite:")
	env := crmtest.Start(t, dsn)
	// Some thousands of deals make the copy and its check take long
	// enough for many writes to land while the backup runs.
	if _, err := bench.Seed(context.Background(), env.Server.DB, 5000, bench.DefaultShape, nil); err != nil {
		t.Fatalf("seed: %v", err)
	}
	creds := env.NewAccount(t, "Backup under writes")
	token := creds.AmoCRMToken
	seededDeals := countRows(t, path, "deals")
	accounts, err := env.Server.DB.CountAccounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu     sync.Mutex
		acked  []ackedLead
		sentAt []time.Time // every request sent, acknowledged or not
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("Сделка писателя %d № %d", w, i)
				sent := time.Now()
				mu.Lock()
				sentAt = append(sentAt, sent)
				mu.Unlock()
				id, err := postLead(env.Client, env.URL, token, name)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				done := time.Now()
				mu.Lock()
				acked = append(acked, ackedLead{id: id, name: name, sent: sent, acked: done})
				mu.Unlock()
			}
		})
	}
	ackCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	waitFor := func(n int) {
		deadline := time.Now().Add(30 * time.Second)
		for ackCount() < n {
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("the writers made %d deals in 30 s, want %d", ackCount(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(200)

	out := filepath.Join(t.TempDir(), "crmd-backup.db")
	began := time.Now()
	stdout, err := run(t, nil, "backup", "--db", dsn, "--out", out, "--json")
	ended := time.Now()
	if err != nil {
		close(stop)
		wg.Wait()
		t.Fatalf("backup: %v", err)
	}
	waitFor(ackCount() + 100) // and some sent after the backup ended
	close(stop)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	var before, during, after []ackedLead
	for _, a := range acked {
		switch {
		case a.acked.Before(began):
			before = append(before, a)
		case a.sent.After(ended):
			after = append(after, a)
		case a.acked.Before(ended):
			during = append(during, a)
		}
	}
	sentByEnd := 0
	for _, s := range sentAt {
		if s.Before(ended) {
			sentByEnd++
		}
	}
	t.Logf("backup took %s; deals acknowledged before it began: %d, while it ran: %d, sent after it ended: %d",
		ended.Sub(began).Round(time.Millisecond), len(before), len(during), len(after))
	if len(during) == 0 {
		t.Errorf("no write was acknowledged while the backup ran: the test did not back up under writes")
	}
	if len(after) == 0 {
		t.Fatal("no deal was sent after the backup ended")
	}

	var rep struct {
		Dialect           string `json:"dialect"`
		Method            string `json:"method"`
		Path              string `json:"path"`
		Bytes             int64  `json:"bytes"`
		SchemaVersion     int    `json:"schema_version"`
		CrmdSchemaVersion int    `json:"crmd_schema_version"`
		Accounts          int64  `json:"accounts"`
		Deals             int64  `json:"deals"`
		Integrity         string `json:"integrity_check"`
		DurationMS        *int64 `json:"duration_ms"`
		CopyMS            *int64 `json:"copy_ms"`
		VerifyMS          *int64 `json:"verify_ms"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil || dec.More() {
		t.Fatalf("backup --json printed %q (%v)", stdout, err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dialect != "sqlite" || rep.Method != "vacuum_into" || rep.Path != out || rep.Bytes != fi.Size() ||
		rep.Integrity != "ok" || rep.SchemaVersion == 0 || rep.SchemaVersion != rep.CrmdSchemaVersion ||
		rep.Accounts != int64(accounts) || rep.DurationMS == nil || rep.CopyMS == nil || rep.VerifyMS == nil {
		t.Errorf("backup report %s (the file has %d bytes, the database %d accounts)", stdout, fi.Size(), accounts)
	}
	// The copy holds at least the deals acknowledged before it began and
	// at most those sent before it ended.
	if low, high := seededDeals+int64(len(before)), seededDeals+int64(sentByEnd); rep.Deals < low || rep.Deals > high {
		t.Errorf("the backup holds %d deals, want between %d and %d", rep.Deals, low, high)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup's mode is %v, want 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("the backup's directory holds %v, want the backup alone", entries)
	}
	integrityCheck(t, out)

	// crmd serve on the copy, as a restore would run it; without request
	// limits, as the test reads hundreds of deals at once.
	restored := startServe(t, "sqlite:"+out, "CRMD_LIMITS", "false")
	for _, a := range before {
		code, body := getLead(t, restored.url, token, a.id)
		if code != 200 || !strings.Contains(body, fmt.Sprintf(`"name":%q`, a.name)) {
			t.Fatalf("deal %d (%s), acknowledged %s before the backup began, read from the copy: %d %s",
				a.id, a.name, began.Sub(a.acked), code, body)
		}
	}
	for _, a := range after {
		if code, body := getLead(t, restored.url, token, a.id); code != http.StatusNoContent {
			t.Fatalf("deal %d (%s), sent after the backup ended, is in the copy: %d %s", a.id, a.name, code, body)
		}
	}
	// The copy is a working database: it takes writes.
	if _, err := postLead(http.DefaultClient, restored.url, token, "После восстановления"); err != nil {
		t.Errorf("a write to the restored copy: %v", err)
	}
	restored.stop(t)
	integrityCheck(t, out)
}

// TestBackupRefusals: a backup of an idle database prints its report; the
// command refuses to overwrite a file, a missing source (without creating
// it), a file that is no crmd database, a DSN of another database, and a
// missing --out; a refused backup leaves nothing behind.
func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "crmd.db")
	if _, err := run(t, nil, "account", "create", "--db", src, "--name", "Idle"); err != nil {
		t.Fatal(err)
	}
	backups := filepath.Join(dir, "backups")
	if err := os.Mkdir(backups, 0o755); err != nil {
		t.Fatal(err)
	}
	onlyThese := func(want ...string) {
		t.Helper()
		entries, err := os.ReadDir(backups)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("the backups directory holds %q, want %q", got, want)
		}
	}

	// No server runs: the database's -wal and -shm are gone, and the
	// read-only open must still read it.
	out := filepath.Join(backups, "one.db")
	stdout, err := run(t, nil, "backup", "--db", "sqlite:"+src, "--out", out)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	for _, want := range []string{"crmd: backup written to " + out + " and verified", "accounts:         1\n",
		"deals:            0\n", "integrity_check:  ok\n", "(the newest this crmd knows)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("backup printed %q, want %q in it", stdout, want)
		}
	}
	if !regexp.MustCompile(`size: +[0-9.]+ MB \(\d+ bytes\)`).MatchString(stdout) {
		t.Errorf("no size in %q", stdout)
	}
	first, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}

	refuse := func(want string, args ...string) error {
		t.Helper()
		_, err := run(t, nil, append([]string{"backup"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("backup %q: err = %v, want %q", args, err, want)
		}
		return err
	}
	// Overwrite: refused, the file untouched, no temporary left.
	if err := refuse("already exists: crmd backup never overwrites a file", "--db", src, "--out", out); cli.IsUsage(err) {
		t.Errorf("overwrite refused as a usage error: %v", err)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, first) {
		t.Error("the refused backup changed the existing file")
	}
	onlyThese("one.db")

	missing := filepath.Join(dir, "missing.db")
	refuse("no database at "+missing, "--db", missing, "--out", filepath.Join(backups, "two.db"))
	if _, err := os.Stat(missing); err == nil {
		t.Error("backing a missing database up created it")
	}
	onlyThese("one.db")

	plain := filepath.Join(dir, "plain.db")
	db, err := sql.Open("sqlite", plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	refuse("is not a crmd database", "--db", plain, "--out", filepath.Join(backups, "two.db"))
	text := filepath.Join(dir, "text.db")
	if err := os.WriteFile(text, []byte("not a database at all, but long enough to be read as one"), 0o644); err != nil {
		t.Fatal(err)
	}
	refuse("file is not a database", "--db", text, "--out", filepath.Join(backups, "two.db"))
	refuse("no such file or directory", "--db", src, "--out", filepath.Join(dir, "nowhere", "two.db"))
	onlyThese("one.db")

	for _, dsn := range []string{"mysql://crmd@localhost/crmd", "sqlserver://sa@localhost"} {
		if err := refuse(`crmd speaks SQLite (sqlite:PATH or a bare PATH) and PostgreSQL (postgres://…)`,
			"--db", dsn, "--out", filepath.Join(backups, "two.db")); !cli.IsUsage(err) {
			t.Errorf("--db %s: %v, want a usage error", dsn, err)
		}
	}
	if err := refuse("--out is required", "--db", src); !cli.IsUsage(err) {
		t.Errorf("no --out: %v, want a usage error", err)
	}
	onlyThese("one.db")
	if _, err := os.Stat(filepath.Join(".", "mysql:")); err == nil {
		t.Error("a mysql:// DSN made a directory")
	}
}

// TestBackupPostgres: for PostgreSQL, crmd backup writes nothing and exits
// with an error (not a usage error), after printing pg_dump and pg_restore
// command lines built from the DSN without its password. The printed lines
// are then run as printed: the dump restores the database as it was.
func TestBackupPostgres(t *testing.T) {
	t.Run("instructions", func(t *testing.T) {
		dsn := "postgres://crm:s3cret@db.example.com:6432/crmd?sslmode=require"
		out, err := run(t, nil, "backup", "--db", dsn, "--out", "/var/backups/crmd nightly.dump")
		if err == nil || cli.IsUsage(err) || !strings.Contains(err.Error(), "no backup was written") {
			t.Errorf("backup on PostgreSQL: err = %v, want the no-backup error", err)
		}
		for _, want := range []string{
			`pg_dump --format=custom --file='/var/backups/crmd nightly.dump' --dbname='postgres://crm@db.example.com:6432/crmd?sslmode=require'`,
			`pg_restore --clean --if-exists --no-owner --single-transaction --dbname='postgres://crm@db.example.com:6432/crmd?sslmode=require' '/var/backups/crmd nightly.dump'`,
			"stop every crmd process",
			"password is left out of these lines: give it in PGPASSWORD or ~/.pgpass",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("backup printed\n%s\nwant %q in it", out, want)
			}
		}
		if strings.Contains(out, "s3cret") {
			t.Errorf("the password was printed: %s", out)
		}

		out, err = run(t, nil, "backup", "--db", "postgresql://localhost/crmd", "--json")
		if err == nil || cli.IsUsage(err) {
			t.Errorf("backup --json on PostgreSQL: err = %v", err)
		}
		var rep map[string]any
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("not JSON: %q", out)
		}
		want := map[string]any{
			"dialect": "postgres", "backup_written": false, "password_left_out": false,
			"pg_dump":    "pg_dump --format=custom --file=crmd.dump --dbname=postgresql://localhost/crmd",
			"pg_restore": "pg_restore --clean --if-exists --no-owner --single-transaction --dbname=postgresql://localhost/crmd crmd.dump",
		}
		if fmt.Sprint(rep) != fmt.Sprint(want) {
			t.Errorf("backup --json printed %v, want %v", rep, want)
		}
	})

	t.Run("dump and restore", func(t *testing.T) {
		dsn := crmtest.NewDSN(t, crmtest.Postgres)
		for _, tool := range []string{"pg_dump", "pg_restore"} {
			if _, err := exec.LookPath(tool); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s is not installed (CI=true requires it)", tool)
				}
				t.Skipf("%s is not installed: the printed commands are not run", tool)
			}
		}
		srv := startServe(t, dsn)
		token := regexp.MustCompile(`amoCRM bearer token:\s+(\S+)`).FindStringSubmatch(srv.out.String())[1]
		kept, err := postLead(http.DefaultClient, srv.url, token, "До резервной копии")
		if err != nil {
			t.Fatal(err)
		}
		srv.stop(t)

		dump := filepath.Join(t.TempDir(), "crmd.dump")
		out, err := run(t, nil, "backup", "--db", dsn, "--out", dump, "--json")
		if err == nil {
			t.Fatal("backup on PostgreSQL succeeded")
		}
		var rep struct {
			Dump    string `json:"pg_dump"`
			Restore string `json:"pg_restore"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("not JSON: %q", out)
		}
		shell := func(line string) {
			t.Helper()
			if b, err := exec.Command("sh", "-c", line).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", line, err, b)
			}
		}
		shell(rep.Dump)

		srv = startServe(t, dsn)
		lost, err := postLead(http.DefaultClient, srv.url, token, "После резервной копии")
		if err != nil {
			t.Fatal(err)
		}
		srv.stop(t)
		shell(rep.Restore)

		srv = startServe(t, dsn)
		defer srv.stop(t)
		if code, body := getLead(t, srv.url, token, kept); code != 200 || !strings.Contains(body, "До резервной копии") {
			t.Errorf("the deal made before the dump, after the restore: %d %s", code, body)
		}
		if code, body := getLead(t, srv.url, token, lost); code != http.StatusNoContent {
			t.Errorf("the deal made after the dump, after the restore: %d %s", code, body)
		}
	})
}
