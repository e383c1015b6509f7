package transfer

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/sheet"
)

// ImportOptions is what to import and how.
type ImportOptions struct {
	Kind crm.ImportKind
	// Header says the first row names the columns (and is not imported).
	Header bool
	// Mapping gives columns their fields; nil: Suggest's, from the header.
	Mapping Mapping
	// DryRun reports what would happen and writes nothing.
	DryRun bool
	// Progress, when set, is told after each batch how many data rows
	// are done out of total.
	Progress func(done, total int)
	// BatchSize is how many rows share a transaction (default 100).
	BatchSize int
	// Keep is how many of the first rows' outcomes the report lists
	// (default 20), for a preview.
	Keep int
}

// RowError is a row refused: its number in the file (as a spreadsheet
// shows it, the header being row 1), the columns at fault (names or
// letters, ", "-joined; empty when the row as a whole is at fault), the
// reason, and the row's cells, so the errors file can be corrected and
// imported again.
type RowError struct {
	Row     int
	Column  string
	Message string
	Cells   []string
}

// RowOutcome is what became of one row, for a preview.
type RowOutcome struct {
	Row     int
	Outcome crm.ImportOutcome
	Cells   []string
	Message string // the refusal of a failed row
}

// Report is an import's (or a dry run's) result: exact counts over the
// file's data rows, the first rows' outcomes and every refused row.
type Report struct {
	Info       sheet.Info
	Header     []string
	Mapping    Mapping
	DryRun     bool
	Total      int // data rows in the file
	Done       int // data rows processed (Total unless interrupted)
	New        int
	Duplicates int
	Errors     int
	First      []RowOutcome
	RowErrors  []RowError
}

// Open reads a table file for import, turning the sheet package's
// refusals into invalid errors a person can act on.
func Open(ra io.ReaderAt, size int64) (*sheet.Reader, error) {
	r, err := sheet.Open(ra, size)
	if err != nil {
		return nil, fileErr(err)
	}
	return r, nil
}

func fileErr(err error) error {
	if errors.Is(err, sheet.ErrFormat) {
		return crm.Errorf(crm.KindInvalid, "The file cannot be read: %s", strings.TrimPrefix(err.Error(), sheet.ErrFormat.Error()+": "))
	}
	return err
}

// Preview returns the file's first n rows and what it was read as.
// Errors: invalid (an unreadable file or an empty one).
func Preview(ra io.ReaderAt, size int64, n int) (sheet.Info, [][]string, error) {
	r, err := Open(ra, size)
	if err != nil {
		return sheet.Info{}, nil, err
	}
	defer r.Close()
	var rows [][]string
	for len(rows) < n {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return r.Info(), nil, fileErr(err)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return r.Info(), nil, crm.Errorf(crm.KindInvalid, "The file has no rows.")
	}
	return r.Info(), rows, nil
}

// countRows counts the file's rows, blank ones left out, so progress
// has a total: a pass over the file, far cheaper than writing it.
func countRows(ra io.ReaderAt, size int64) (int, error) {
	r, err := Open(ra, size)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := 0
	for {
		row, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fileErr(err)
		}
		if !blank(row) {
			n++
		}
	}
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Import reads the file in ra and imports its rows into the actor's
// account: each row all or nothing, refused rows reported with their
// reason and not stopping the others. Blank rows are skipped. A dry run
// writes nothing and counts as the import would, a row whose phone or
// email an earlier row of the file brought in being a duplicate.
// Errors: forbidden (not an administrator), invalid (the file or the
// mapping), or the database's; a report of the rows done so far comes
// with a database error or ctx ending.
func Import(ctx context.Context, svc *crm.Service, actor crm.Actor, ra io.ReaderAt, size int64, opt ImportOptions) (Report, error) {
	rep := Report{DryRun: opt.DryRun}
	im, err := svc.NewImporter(ctx, actor, opt.Kind)
	if err != nil {
		return rep, err
	}
	total, err := countRows(ra, size)
	if err != nil {
		return rep, err
	}
	r, err := Open(ra, size)
	if err != nil {
		return rep, err
	}
	defer r.Close()
	rep.Info = r.Info()
	if opt.Header {
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return rep, fileErr(err)
			}
			if !blank(row) {
				rep.Header = row
				total--
				break
			}
		}
	}
	rep.Total = total
	m := opt.Mapping
	if m == nil {
		m = Suggest(opt.Kind, rep.Header, im.Fields())
	}
	rep.Mapping = m
	if err := m.Check(rep.Header); err != nil {
		return rep, err
	}
	batchSize, keep := opt.BatchSize, opt.Keep
	if batchSize <= 0 {
		batchSize = 100
	}
	if keep <= 0 {
		keep = 20
	}
	seen := map[string]bool{} // a dry run's phones and emails so far
	var batch []crm.ImportRecord
	var rows [][]string
	var nums []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := im.Import(ctx, batch, opt.DryRun)
		for i, x := range res {
			rep.count(m, x, nums[i], rows[i], opt.DryRun, seen, keep)
		}
		batch, rows, nums = batch[:0], rows[:0], nums[:0]
		if opt.Progress != nil {
			opt.Progress(rep.Done, rep.Total)
		}
		return err
	}
	if opt.Progress != nil {
		opt.Progress(0, rep.Total)
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rep, fileErr(err)
		}
		if blank(row) {
			continue
		}
		batch, rows, nums = append(batch, m.record(row)), append(rows, row), append(nums, r.Row())
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}

// count adds one row's result to the report.
func (rep *Report) count(m Mapping, x crm.ImportResult, num int, cells []string, dry bool, seen map[string]bool, keep int) {
	rep.Done++
	out := RowOutcome{Row: num, Outcome: x.Outcome}
	if dry && x.Outcome == crm.ImportNew && (seen["p"+x.Phone] && x.Phone != "" || seen["e"+x.Email] && x.Email != "") {
		out.Outcome = crm.ImportDuplicate
	}
	if dry && x.Outcome != crm.ImportFailed {
		if x.Phone != "" {
			seen["p"+x.Phone] = true
		}
		if x.Email != "" {
			seen["e"+x.Email] = true
		}
	}
	switch out.Outcome {
	case crm.ImportNew:
		rep.New++
	case crm.ImportDuplicate:
		rep.Duplicates++
	default:
		rep.Errors++
		e := rowError(m, rep.Header, num, x.Err)
		e.Cells = append([]string(nil), cells...)
		out.Message = e.Message
		if e.Column != "" {
			out.Message = e.Column + ": " + e.Message
		}
		rep.RowErrors = append(rep.RowErrors, e)
	}
	if len(rep.First) < keep {
		out.Cells = append([]string(nil), cells...)
		rep.First = append(rep.First, out)
	}
}

// rowError words a row's refusal: each violation's column and detail.
func rowError(m Mapping, header []string, num int, err error) RowError {
	e := RowError{Row: num}
	ce, ok := crm.AsError(err)
	if !ok {
		e.Message = err.Error()
		return e
	}
	if len(ce.Violations) == 0 {
		e.Message = ce.Message
		return e
	}
	var cols, msgs []string
	for _, v := range ce.Violations {
		if i, ok := m.column(v.Path); ok {
			name := ColumnName(header, i)
			if !contains(cols, name) {
				cols = append(cols, name)
			}
		}
		msgs = append(msgs, v.Detail)
	}
	e.Column, e.Message = strings.Join(cols, ", "), strings.Join(msgs, " ")
	return e
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteErrors writes refused rows as CSV, UTF-8 with a byte-order mark
// (so Excel reads Cyrillic right): the row number, the columns at fault
// and the reason, then the row's own cells under the file's header, so
// the file can be corrected and imported again.
func WriteErrors(w io.Writer, header []string, errs []RowError) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"row", "column", "error"}, header...)); err != nil {
		return err
	}
	for _, e := range errs {
		if err := cw.Write(append([]string{itoa(e.Row), e.Column, e.Message}, e.Cells...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa(n int) string { return strconv.Itoa(n) }
