package sheet

import (
	"fmt"
	"io"
	"strings"
)

// Writer writes a table one row at a time. Rows go out as they are
// written (through a buffer), so the writer holds one row, never the
// file. Close finishes the file (the XLSX's closing parts) and flushes;
// it does not close the underlying io.Writer, which the caller owns.
type Writer interface {
	WriteRow(cells []string) error
	Close() error
}

// Format is a table file format.
type Format string

// The formats a table can be written in.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format name ("csv" or "xlsx", any case; "" is
// CSV); anything else is an error naming the formats there are.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "csv":
		return CSV, nil
	case "xlsx":
		return XLSX, nil
	}
	return "", fmt.Errorf("unknown format %q: use csv or xlsx", s)
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Column describes a column of a table: its header and whether its cells
// are numbers (an XLSX writes those as numbers, so that a spreadsheet
// sums them; CSV has no types).
type Column struct {
	Name    string
	Numeric bool
}

// NewWriter starts a table in format f on w, with a header row of the
// columns' names.
func NewWriter(w io.Writer, f Format, cols []Column) (Writer, error) {
	var out Writer
	switch f {
	case CSV:
		out = NewCSVWriter(w)
	case XLSX:
		out = NewXLSXWriter(w, cols, XLSXOptions{BoldHeader: true})
	default:
		return nil, fmt.Errorf("unknown format %q: use csv or xlsx", f)
	}
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Name
	}
	if err := out.WriteRow(head); err != nil {
		return nil, err
	}
	return out, nil
}
