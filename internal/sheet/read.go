package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Encoding names the character encoding a CSV file was read in.
type Encoding string

// The encodings Open tells apart.
const (
	UTF8    Encoding = "utf-8"
	UTF8BOM Encoding = "utf-8-bom"
	CP1251  Encoding = "windows-1251"
)

// Info describes what Open found a file to be.
type Info struct {
	Format   Format
	Encoding Encoding // CSV only
	// Delimiter is the CSV field separator: ',', ';' or '\t'.
	Delimiter rune
}

// ErrFormat is wrapped by every error about a file that is not a table
// Open can read (a broken archive, a missing sheet, a zip bomb), so a
// caller can tell the file's fault from its own.
var ErrFormat = errors.New("sheet: unreadable file")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Reader yields a table file's rows one at a time. Rows may differ in
// length; cells are text (see the XLSX reader for numbers and dates).
type Reader struct {
	info Info
	next func() ([]string, int, error)
	row  int
	done func() error
}

// Info says what the file was read as.
func (r *Reader) Info() Info { return r.info }

// Read returns the next row, or io.EOF after the last.
func (r *Reader) Read() ([]string, error) {
	cells, n, err := r.next()
	if err != nil {
		return nil, err
	}
	r.row = n
	return cells, nil
}

// Row is the 1-based number of the row Read returned last, as a
// spreadsheet program numbers it (an XLSX row's own number; a CSV
// record's position, a header included).
func (r *Reader) Row() int { return r.row }

// Close releases what the reader holds open.
func (r *Reader) Close() error {
	if r.done == nil {
		return nil
	}
	return r.done()
}

// Open reads the file in ra (size bytes long) as XLSX when it is a zip
// archive, else as CSV, detecting the CSV's encoding and delimiter. The
// file is read as a stream: only the XLSX shared strings are held.
func Open(ra io.ReaderAt, size int64) (*Reader, error) {
	var magic [4]byte
	n, err := ra.ReadAt(magic[:], 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if n == 4 && bytes.Equal(magic[:], []byte("PK\x03\x04")) {
		return openXLSX(ra, size)
	}
	return openCSV(ra, size)
}
