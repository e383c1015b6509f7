package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/transfer"
)

// crmd export: a whole list of an account as CSV or XLSX, the same file
// the workspace's export links make (package transfer), with no filter:
// every lead (new and taken), every deal of every pipeline, every client
// and customer, every task (open and completed).

const exportUsage = `  crmd export --db DSN --account ID --kind leads|deals|clients|customers|tasks
              [--format csv|xlsx] [--lang en|ru] --out FILE
                   the list's every record as CSV (UTF-8 with BOM) or XLSX; --out - writes
                   to stdout; the format defaults to the file's extension, else csv
`

// export runs crmd export.
func (m *Main) export(ctx context.Context, args []string) error {
	fs := m.flags("export")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	kindName := fs.String("kind", "", "the list: leads, deals, clients, customers or tasks (required)")
	formatName := fs.String("format", "", "csv or xlsx (default: the --out file's extension, else csv)")
	lang := fs.String("lang", "en", "language of the headers and statuses: en or ru")
	out := fs.String("out", "", "the `FILE` to write; - for stdout (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *kindName == "" || *out == "" {
		return fmt.Errorf("%w: --account, --kind and --out are required", errUsage)
	}
	kind, err := transfer.ParseKind(*kindName)
	if err != nil {
		return fmt.Errorf("%w: --kind: %v", errUsage, err)
	}
	if *formatName == "" && strings.EqualFold(filepath.Ext(*out), ".xlsx") {
		*formatName = "xlsx"
	}
	format, err := transfer.ParseFormat(*formatName)
	if err != nil {
		return fmt.Errorf("%w: --format: %v", errUsage, err)
	}
	if *lang != "en" && *lang != "ru" {
		return fmt.Errorf("%w: --lang: %q is neither en nor ru", errUsage, *lang)
	}
	// ^C ends the export cleanly: the partial file is removed.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()

	req := transfer.Request{Kind: kind, Format: format, Lang: *lang}
	tty := isTerminal(m.Stderr)
	if tty {
		req.Progress = func(n int) { fmt.Fprintf(m.Stderr, "\rexported %d rows", n) }
	}
	exporter := transfer.NewExporter(crm.NewService(db))
	var n int
	if *out == "-" {
		n, err = exporter.Export(ctx, admin, m.Stdout, req)
	} else {
		n, err = exportFile(ctx, exporter, admin, *out, req)
	}
	if tty {
		fmt.Fprintln(m.Stderr)
	}
	if err != nil {
		return describe(err)
	}
	where := *out
	if where == "-" {
		where = "stdout"
	}
	fmt.Fprintf(m.Stderr, "exported %d %s to %s (%s)\n", n, kind, where, format)
	return nil
}

// exportFile writes the export to a temporary file beside path and renames
// it into place when it is whole: a failed or interrupted export leaves no
// partial file where the whole one was expected (nor clobbers an older one).
func exportFile(ctx context.Context, e *transfer.Exporter, actor crm.Actor, path string, req transfer.Request) (int, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	n, err := e.Export(ctx, actor, f, req)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return n, err
	}
	return n, nil
}

// isTerminal reports whether w is a terminal (a character device), where
// a progress line that rewrites itself is welcome; a file or a pipe gets
// the final summary only.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
