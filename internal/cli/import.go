package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/transfer"
)

const importUsage = `  crmd import --db DSN --account ID --kind clients|deals|leads --file F [--map 'col=field,…']
               [--no-header] [--dry-run] [--errors OUT.csv] [--json]
                   import a CSV (UTF-8, with or without BOM, or Windows-1251) or XLSX file;
                   columns map to fields by their headers unless --map says (col: header,
                   number or letter; field: name phone email company comment deal_name
                   price pipeline stage responsible cf:ID skip); a row whose phone or email
                   a client has merges into it (a lead becomes the earlier one's child);
                   each row all or nothing; --errors writes the refused rows as CSV
`

// importRows runs crmd import.
func (m *Main) importRows(ctx context.Context, args []string) error {
	fs := m.flags("import")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	kind := fs.String("kind", "", "what rows become: clients, deals or leads (required)")
	file := fs.String("file", "", "the CSV or XLSX `FILE` (required)")
	spec := fs.String("map", "", "column mapping over the suggested one: `col=field,…`")
	noHeader := fs.Bool("no-header", false, "the first row is data, not column names")
	dry := fs.Bool("dry-run", false, "report what would happen, write nothing")
	errorsOut := fs.String("errors", "", "write the refused rows to this CSV `FILE`")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *file == "" || *kind == "" {
		return fmt.Errorf("%w: --account, --kind and --file are required", errUsage)
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := crm.NewService(db)
	opt := transfer.ImportOptions{Kind: crm.ImportKind(*kind), Header: !*noHeader, DryRun: *dry}
	if *spec != "" {
		if opt.Mapping, err = m.importMapping(ctx, svc, admin, f, st.Size(), opt, *spec); err != nil {
			return describe(err)
		}
	}
	if tty, ok := m.Stderr.(*os.File); ok && importIsTerminal(tty) && !*asJSON {
		opt.Progress = func(done, total int) {
			fmt.Fprintf(m.Stderr, "\r%d / %d rows (%d%%)", done, total, importPercent(done, total))
		}
		defer fmt.Fprintln(m.Stderr)
	}
	rep, err := transfer.Import(ctx, svc, admin, f, st.Size(), opt)
	if err != nil {
		if rep.Done > 0 {
			fmt.Fprintf(m.Stderr, "stopped after %d of %d rows\n", rep.Done, rep.Total)
		}
		return describe(err)
	}
	if *errorsOut != "" {
		if err := importWriteFile(*errorsOut, func(w io.Writer) error { return transfer.WriteErrors(w, rep.Header, rep.RowErrors) }); err != nil {
			return err
		}
	}
	if *asJSON {
		type rowError struct {
			Row     int    `json:"row"`
			Column  string `json:"column,omitempty"`
			Message string `json:"message"`
		}
		out := struct {
			Kind       string     `json:"kind"`
			DryRun     bool       `json:"dry_run"`
			Format     string     `json:"format"`
			Encoding   string     `json:"encoding,omitempty"`
			Mapping    string     `json:"mapping"`
			Total      int        `json:"total"`
			Imported   int        `json:"imported"`
			New        int        `json:"new"`
			Duplicates int        `json:"duplicates"`
			Errors     int        `json:"errors"`
			RowErrors  []rowError `json:"row_errors"`
		}{Kind: *kind, DryRun: *dry, Format: string(rep.Info.Format), Encoding: string(rep.Info.Encoding), Mapping: rep.Mapping.String(),
			Total: rep.Total, Imported: rep.New + rep.Duplicates, New: rep.New, Duplicates: rep.Duplicates, Errors: rep.Errors,
			RowErrors: []rowError{}}
		for _, e := range rep.RowErrors {
			out.RowErrors = append(out.RowErrors, rowError{e.Row, e.Column, e.Message})
		}
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	verb := "imported"
	if *dry {
		verb = "dry run: would import"
	}
	fmt.Fprintf(m.Stdout, "%s %d of %d rows: %d new, %d duplicates merged; %d errors\n", verb, rep.New+rep.Duplicates, rep.Total, rep.New, rep.Duplicates, rep.Errors)
	fmt.Fprintf(m.Stdout, "mapping: %s\n", rep.Mapping)
	for i, e := range rep.RowErrors {
		if i == 20 {
			fmt.Fprintf(m.Stdout, "… %d more (--errors FILE writes them all)\n", len(rep.RowErrors)-i)
			break
		}
		col := ""
		if e.Column != "" {
			col = " [" + e.Column + "]"
		}
		fmt.Fprintf(m.Stdout, "row %d%s: %s\n", e.Row, col, e.Message)
	}
	return nil
}

// importMapping reads the header (unless there is none) and applies spec
// over the mapping suggested from it.
func (m *Main) importMapping(ctx context.Context, svc *crm.Service, admin crm.Actor, f io.ReaderAt, size int64, opt transfer.ImportOptions, spec string) (transfer.Mapping, error) {
	im, err := svc.NewImporter(ctx, admin, opt.Kind)
	if err != nil {
		return nil, err
	}
	_, rows, err := transfer.Preview(f, size, 1)
	if err != nil {
		return nil, err
	}
	header := rows[0]
	var base transfer.Mapping
	if opt.Header {
		base = transfer.Suggest(opt.Kind, header, im.Fields())
	} else {
		// No names: columns are numbers or letters only.
		header = make([]string, len(rows[0]))
	}
	return transfer.ParseMapping(spec, header, base, opt.Kind, im.Fields())
}

func importPercent(done, total int) int {
	if total == 0 {
		return 100
	}
	return done * 100 / total
}

// importIsTerminal reports whether f is a character device (a terminal), where
// a progress line redrawn with \r reads well.
func importIsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// importWriteFile writes a file through fn, removing it when fn fails.
func importWriteFile(name string, fn func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	return f.Close()
}
