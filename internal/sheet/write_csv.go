package sheet

import (
	"bufio"
	"io"
	"strings"
)

// utf8BOM opens a CSV file: without it Excel reads a UTF-8 file in the
// system's ANSI code page (Windows-1251 on a Russian Windows), and every
// Cyrillic letter comes out as two wrong ones. Other readers skip it.
const utf8BOM = "\ufeff"

// csvWriter writes RFC 4180 CSV: comma-separated, CRLF line ends, a field
// quoted when it holds a comma, a quote, a line break or leading or
// trailing space, with quotes doubled inside.
type csvWriter struct {
	w       *bufio.Writer
	started bool
}

// NewCSVWriter returns a Writer of CSV on w: UTF-8 with a byte-order mark,
// RFC 4180 quoting, and every cell that a spreadsheet would run as a
// formula made inert (see Inert).
func NewCSVWriter(w io.Writer) Writer {
	return &csvWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// WriteRow writes one record.
func (c *csvWriter) WriteRow(cells []string) error {
	if !c.started {
		c.started = true
		if _, err := c.w.WriteString(utf8BOM); err != nil {
			return err
		}
	}
	for i, cell := range cells {
		if i > 0 {
			c.w.WriteByte(',')
		}
		cell = Inert(cell)
		if needsQuotes(cell) {
			c.w.WriteByte('"')
			c.w.WriteString(strings.ReplaceAll(cell, `"`, `""`))
			c.w.WriteByte('"')
		} else {
			c.w.WriteString(cell)
		}
	}
	_, err := c.w.WriteString("\r\n")
	return err
}

// Close writes what is buffered; an empty table still gets its BOM, so
// that a header-less file is still read as UTF-8.
func (c *csvWriter) Close() error {
	if !c.started {
		c.started = true
		if _, err := c.w.WriteString(utf8BOM); err != nil {
			return err
		}
	}
	return c.w.Flush()
}

func needsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' || s[len(s)-1] == ' ' || s[len(s)-1] == '\t' {
		return true
	}
	return strings.ContainsAny(s, ",\"\r\n")
}

// Inert makes a cell that a spreadsheet would read as a formula plain
// text, by putting an apostrophe before it. Excel, LibreOffice and Google
// Sheets run a CSV cell that starts with "=", "+", "-" or "@" (and, after
// a tab or carriage return, those too) as a formula, so a lead named
// =HYPERLINK(...) or =cmd|... would run when an administrator opens the
// export (CSV injection, OWASP). The apostrophe is what those programs
// themselves use to mark text: Excel hides it when the cell is shown. The
// cost is that a genuine value starting with one of them — a phone
// written "+7 999 …", a negative amount — shows with the apostrophe in a
// plain text editor; numbers crmd writes itself ("-500") are left alone,
// since a number cannot run. XLSX cells need none of this: the writer
// marks every text cell as a string, which is never evaluated.
func Inert(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if isNumber(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// isNumber reports whether s is a plain decimal number ("-12", "+7",
// "-3.5"): harmless as a formula, and the value a spreadsheet should see.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i = 1
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}
