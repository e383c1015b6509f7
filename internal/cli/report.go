package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/crmd/crmd/internal/api/envybox"
	"github.com/crmd/crmd/internal/crm"
)

// Custom statistics (Envybox stat/custom): an administrator defines the
// reports the API evaluates. The definition format is docs/envybox-stats.md:
// Envybox's own shape (a column can be copied from a stat/custom answer),
// so the file is read and written by the Envybox dialect's codec.

const reportUsage = `  crmd report create --db DSN --account ID --file report.json [--json]
  crmd report update --db DSN --account ID --id STAT_ID --file report.json [--json]
  crmd report show   --db DSN --account ID --id STAT_ID   print the definition (JSON)
  crmd report list   --db DSN --account ID [--json]
                   custom statistics of Envybox stat/custom (docs/envybox-stats.md)
`

// report dispatches the report subcommands.
func (m *Main) report(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return m.reportWrite(ctx, "create", args[1:])
		case "update":
			return m.reportWrite(ctx, "update", args[1:])
		case "show":
			return m.reportShow(ctx, args[1:])
		case "list":
			return m.reportList(ctx, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, reportUsage)
	return fmt.Errorf("%w: crmd report create|update|show|list", errUsage)
}

func (m *Main) reportWrite(ctx context.Context, verb string, args []string) error {
	fs := m.flags("report " + verb)
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	id := fs.Int64("id", 0, "the report's stat_id (update)")
	file := fs.String("file", "", "the definition, a JSON `FILE` (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *file == "" {
		return fmt.Errorf("%w: --account and --file are required", errUsage)
	}
	if verb == "update" && *id <= 0 {
		return fmt.Errorf("%w: --id is required", errUsage)
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	def, err := envybox.ParseReportDefinition(data)
	if err != nil {
		return describe(err)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := crm.NewService(db)
	var r crm.Report
	if verb == "create" {
		r, err = svc.CreateReport(ctx, admin, def)
	} else {
		r, err = svc.UpdateReport(ctx, admin, *id, def)
	}
	if err != nil {
		return describe(err)
	}
	ids := make([]int64, len(r.Columns))
	for i, c := range r.Columns {
		ids[i] = c.ID
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"stat_id": r.ID, "column_ids": ids})
	}
	fmt.Fprintf(m.Stdout, "report %d (%s): columns %v\n", r.ID, r.Name, ids)
	return nil
}

func (m *Main) reportShow(ctx context.Context, args []string) error {
	fs := m.flags("report show")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	id := fs.Int64("id", 0, "the report's stat_id (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *id <= 0 {
		return fmt.Errorf("%w: --account and --id are required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := crm.NewService(db).Report(ctx, admin, *id)
	if err != nil {
		return describe(err)
	}
	return envybox.WriteReportDefinition(m.Stdout, r)
}

func (m *Main) reportList(ctx context.Context, args []string) error {
	fs := m.flags("report list")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 {
		return fmt.Errorf("%w: --account is required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := crm.NewService(db).Reports(ctx, admin)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		out := make([]map[string]any, 0, len(list))
		for _, r := range list {
			out = append(out, map[string]any{"stat_id": r.ID, "name": r.Name, "columns": len(r.Columns)})
		}
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	for _, r := range list {
		fmt.Fprintf(m.Stdout, "%d\t%s\t%d columns\n", r.ID, r.Name, len(r.Columns))
	}
	return nil
}
