package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestExportCommand: crmd export writes a list to a file (CSV, or XLSX by
// the extension) or to stdout, says what it wrote when stderr is no
// terminal, and refuses an unknown kind or format before touching a file.
func TestExportCommand(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Export", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var acc struct {
			AccountID int64 `json:"account_id"`
		}
		if err := json.Unmarshal([]byte(out), &acc); err != nil {
			t.Fatal(out)
		}
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		svc := crm.NewService(db)
		admin, err := svc.Administrator(ctx, acc.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			c, err := svc.CreateClient(ctx, admin, crm.NewClient{Name: fmt.Sprintf("Клиент %d", i)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateDeal(ctx, admin, crm.NewDeal{Name: fmt.Sprintf("Сделка, %d", i), ClientID: c.ID}); err != nil {
				t.Fatal(err)
			}
		}
		account := fmt.Sprint(acc.AccountID)
		dir := t.TempDir()
		exportCmd := func(args ...string) (string, string, error) {
			var o, e bytes.Buffer
			m := &cli.Main{Stdout: &o, Stderr: &e, Getenv: func(string) string { return "" }}
			err := m.Run(ctx, append([]string{"export", "--db", dsn, "--account", account}, args...))
			return o.String(), e.String(), err
		}

		file := filepath.Join(dir, "deals.csv")
		_, stderr, err := exportCmd("--kind", "deals", "--lang", "ru", "--out", file)
		if err != nil {
			t.Fatal(err)
		}
		if stderr != "exported 3 deals to "+file+" (csv)\n" {
			t.Errorf("stderr %q, want the summary alone (no progress line off a terminal)", stderr)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
		if err != nil || !bytes.HasPrefix(data, []byte("\ufeff")) {
			t.Fatalf("csv: %v %q", err, data)
		}
		if len(rows) != 4 || rows[0][1] != "Название" || rows[1][1] != "Сделка, 2" || rows[3][1] != "Сделка, 0" {
			t.Errorf("rows %q", rows)
		}

		xlsx := filepath.Join(dir, "deals.xlsx")
		if _, _, err := exportCmd("--kind", "deals", "--out", xlsx); err != nil {
			t.Fatal(err)
		}
		if r, err := zip.OpenReader(xlsx); err != nil {
			t.Errorf("xlsx by extension: %v", err)
		} else {
			r.Close()
		}

		stdout, _, err := exportCmd("--kind", "clients", "--out", "-")
		if err != nil || !strings.HasPrefix(stdout, "\ufeffID,Name,Phone") {
			t.Errorf("stdout: %q %v", stdout, err)
		}

		for _, bad := range [][]string{
			{"--kind", "contacts", "--out", filepath.Join(dir, "x.csv")},
			{"--kind", "deals", "--format", "ods", "--out", filepath.Join(dir, "x.csv")},
			{"--kind", "deals"},
		} {
			if _, _, err := exportCmd(bad...); !cli.IsUsage(err) {
				t.Errorf("%q: %v, want a usage error", bad, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "x.csv")); !os.IsNotExist(err) {
			t.Errorf("a refused export made its file: %v", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 2 {
			t.Errorf("files left in the directory: %v", entries)
		}
	})
}
