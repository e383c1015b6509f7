package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestImportCommand: crmd import's dry run writes nothing, the import
// counts new clients, duplicates and errors, --map overrides the
// suggested mapping and --errors writes the refused rows.
func TestImportCommand(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Import", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var acc struct {
			AccountID int64 `json:"account_id"`
		}
		if err := json.Unmarshal([]byte(out), &acc); err != nil {
			t.Fatalf("account create: %q", out)
		}
		account := fmt.Sprint(acc.AccountID)
		dir := t.TempDir()
		file := filepath.Join(dir, "clients.csv")
		// "Кто" is no header the suggestion knows: --map names it.
		text := "Кто;Телефон;Почта\nИван;+7 499 322-97-10;ivan@example.ru\nИван снова;84993229710;\nОльга;;olga@\nПётр;+7 900 1;\n"
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		type result struct {
			DryRun     bool   `json:"dry_run"`
			Mapping    string `json:"mapping"`
			Total      int    `json:"total"`
			Imported   int    `json:"imported"`
			New        int    `json:"new"`
			Duplicates int    `json:"duplicates"`
			Errors     int    `json:"errors"`
			RowErrors  []struct {
				Row    int    `json:"row"`
				Column string `json:"column"`
			} `json:"row_errors"`
		}
		args := []string{"import", "--db", dsn, "--account", account, "--kind", "clients", "--file", file, "--map", "Кто=name", "--json"}
		for _, dry := range []bool{true, false} {
			a := args
			if dry {
				a = append(a, "--dry-run")
			}
			out, err := run(t, nil, a...)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			var r result
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("import printed %q", out)
			}
			if r.DryRun != dry || r.Mapping != "A=name,B=phone,C=email" || r.Total != 4 || r.Imported != 3 || r.New != 2 || r.Duplicates != 1 || r.Errors != 1 ||
				len(r.RowErrors) != 1 || r.RowErrors[0].Row != 4 || r.RowErrors[0].Column != "Почта" {
				t.Errorf("dry %v: %s", dry, out)
			}
		}
		// Everything is there now: the same file again is duplicates,
		// in words this time, with the errors file.
		errorsFile := filepath.Join(dir, "errors.csv")
		out, err = run(t, nil, "import", "--db", dsn, "--account", account, "--kind", "clients", "--file", file, "--map", "A=name", "--errors", errorsFile)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "imported 3 of 4 rows: 0 new, 3 duplicates merged; 1 errors") || !strings.Contains(out, "row 4 [Почта]: The email is malformed.") {
			t.Errorf("import printed %q", out)
		}
		data, err := os.ReadFile(errorsFile)
		if err != nil {
			t.Fatal(err)
		}
		if want := "\ufeffrow,column,error,Кто,Телефон,Почта\n4,Почта,The email is malformed.,Ольга,,olga@\n"; string(data) != want {
			t.Errorf("errors file %q, want %q", data, want)
		}
		for _, bad := range [][]string{
			{"import", "--db", dsn, "--account", account, "--kind", "clients"},
			{"import", "--db", dsn, "--account", account, "--kind", "clients", "--file", file, "--map", "Z=name"},
			{"import", "--db", dsn, "--account", account, "--kind", "customers", "--file", file},
		} {
			if _, err := run(t, nil, bad...); err == nil {
				t.Errorf("%v: no error", bad)
			} else if bad[len(bad)-1] == "clients" && !cli.IsUsage(err) {
				t.Errorf("%v: %v, want a usage error", bad, err)
			}
		}
	})
}
