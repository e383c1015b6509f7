package sheet

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The XLSX writer is crmd's own, over archive/zip and the few parts of
// SpreadsheetML (ECMA-376) a one-sheet workbook needs: the content types,
// the package and workbook relationships, the workbook, a style sheet
// (for the bold header) and the sheet. Text cells are inline strings
// (t="inlineStr"), not entries of a shared-strings table: a shared table
// must be complete before the file closes, so a writer keeps every
// distinct string in memory until the end — a million rows' worth. With
// inline strings each row is written and forgotten, and the zip entry of
// the sheet streams (zip.Writer writes sizes after the data). Excel,
// LibreOffice and Google Sheets all read inline strings.

// MaxXLSXRows is the most rows a worksheet holds (Excel's limit, 2^20):
// a longer table must go out as CSV.
const MaxXLSXRows = 1 << 20

// maxCellRunes is the most characters an Excel cell holds; a longer text
// is cut there rather than make Excel call the file damaged.
const maxCellRunes = 32767

// ErrTooManyRows is returned by an XLSX Writer asked for a row past
// MaxXLSXRows.
var ErrTooManyRows = errors.New("sheet: more rows than an XLSX worksheet holds (1,048,576); export as CSV")

// XLSXOptions tunes the XLSX writer.
type XLSXOptions struct {
	// BoldHeader draws the first row in bold.
	BoldHeader bool
	// Modified is the workbook's time in the zip entries (zero: now).
	Modified time.Time
}

type xlsxWriter struct {
	zw    *zip.Writer
	sheet *bufio.Writer
	cols  []Column
	opt   XLSXOptions
	row   int
	err   error
	ref   []byte // scratch for cell references
}

// NewXLSXWriter returns a Writer of a one-sheet XLSX workbook on w. A cell
// of a Numeric column that reads as a number is written as a number; every
// other cell as text (never a formula). The first row written is the
// header, bold when opt.BoldHeader says so.
func NewXLSXWriter(w io.Writer, cols []Column, opt XLSXOptions) Writer {
	x := &xlsxWriter{zw: zip.NewWriter(w), cols: cols, opt: opt}
	if x.opt.Modified.IsZero() {
		x.opt.Modified = time.Now()
	}
	x.err = x.start()
	return x
}

// start writes the fixed parts and opens the sheet's entry, which stays
// open (the last entry of the zip) while rows stream into it.
func (x *xlsxWriter) start() error {
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", xlsxContentTypes},
		{"_rels/.rels", xlsxRootRels},
		{"xl/workbook.xml", xlsxWorkbook},
		{"xl/_rels/workbook.xml.rels", xlsxWorkbookRels},
		{"xl/styles.xml", xlsxStyles},
	} {
		f, err := x.zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: x.opt.Modified})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, xml.Header+p.body); err != nil {
			return err
		}
	}
	f, err := x.zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, Modified: x.opt.Modified})
	if err != nil {
		return err
	}
	x.sheet = bufio.NewWriterSize(f, 64<<10)
	x.sheet.WriteString(xml.Header)
	x.sheet.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	if x.opt.BoldHeader {
		// The header stays in view while the rows scroll.
		x.sheet.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	}
	_, err = x.sheet.WriteString(`<sheetData>`)
	return err
}

// WriteRow writes one row.
func (x *xlsxWriter) WriteRow(cells []string) error {
	if x.err != nil {
		return x.err
	}
	if x.row >= MaxXLSXRows {
		return ErrTooManyRows
	}
	x.row++
	w := x.sheet
	n := strconv.Itoa(x.row)
	w.WriteString(`<row r="`)
	w.WriteString(n)
	w.WriteString(`">`)
	header := x.row == 1
	for i, cell := range cells {
		if cell == "" {
			continue // an empty cell is no cell
		}
		x.ref = appendColumnName(x.ref[:0], i)
		x.ref = append(x.ref, n...)
		w.WriteString(`<c r="`)
		w.Write(x.ref)
		if header && x.opt.BoldHeader {
			w.WriteString(`" s="1`)
		}
		if !header && i < len(x.cols) && x.cols[i].Numeric && isNumber(cell) {
			w.WriteString(`"><v>`)
			w.WriteString(strings.TrimPrefix(cell, "+"))
			w.WriteString(`</v></c>`)
			continue
		}
		w.WriteString(`" t="inlineStr"><is><t xml:space="preserve">`)
		if utf8.RuneCountInString(cell) > maxCellRunes {
			cell = string([]rune(cell)[:maxCellRunes])
		}
		if err := xml.EscapeText(w, []byte(cell)); err != nil {
			x.err = err
			return err
		}
		w.WriteString(`</t></is></c>`)
	}
	_, err := w.WriteString(`</row>`)
	if err != nil {
		x.err = err
	}
	return err
}

// Close ends the sheet and writes the zip's directory.
func (x *xlsxWriter) Close() error {
	if x.err != nil {
		return x.err
	}
	x.sheet.WriteString(`</sheetData></worksheet>`)
	if err := x.sheet.Flush(); err != nil {
		return err
	}
	x.err = errors.New("sheet: writer closed")
	return x.zw.Close()
}

// appendColumnName appends the letters of the 0-based column i: A … Z,
// AA … AZ, BA …
func appendColumnName(b []byte, i int) []byte {
	var tmp [4]byte
	k := len(tmp)
	for i++; i > 0; i = (i - 1) / 26 {
		k--
		tmp[k] = byte('A' + (i-1)%26)
	}
	return append(b, tmp[k:]...)
}

const (
	xlsxContentTypes = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`</Types>`
	xlsxRootRels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`</Relationships>`
	xlsxWorkbook = `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	xlsxWorkbookRels = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`</Relationships>`
	// xlsxStyles has two cell formats: 0 plain, 1 bold (the header).
	xlsxStyles = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
		`</styleSheet>`
)
