package sheet

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// Limits on what an XLSX file may unpack to. The worksheet is streamed,
// so its limit only refuses absurd files; the shared strings are held in
// memory, so theirs bounds the reader's memory.
const (
	MaxSharedStrings = 128 << 20 // bytes of xl/sharedStrings.xml, unpacked
	MaxSheet         = 4 << 30   // bytes of the worksheet, unpacked
	MaxSmallPart     = 16 << 20  // the workbook, its relations and the styles
	// MaxRatio is the largest unpacked-to-packed size ratio of a part
	// above 1 MiB: real worksheets pack some 5 to 30 times; a zip bomb
	// packs thousands of times.
	MaxRatio = 200
)

// openXLSX opens the workbook's first sheet. Cells come as text: shared
// and inline strings as written, numbers in Go's shortest form, booleans
// as TRUE/FALSE, and numbers in a date format converted from Excel's
// serial days to "2006-01-02" (or "2006-01-02 15:04:05" when the time of
// day is not midnight), which is how crm reads dates given as text.
func openXLSX(ra io.ReaderAt, size int64) (*Reader, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, formatErr("not a valid XLSX (zip) file: %v", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	sheetPath, err := firstSheet(files)
	if err != nil {
		return nil, err
	}
	var shared []string
	if f := files["xl/sharedStrings.xml"]; f != nil {
		if shared, err = readSharedStrings(f); err != nil {
			return nil, err
		}
	}
	dates := map[int]bool{}
	if f := files["xl/styles.xml"]; f != nil {
		if dates, err = readDateStyles(f); err != nil {
			return nil, err
		}
	}
	f := files[sheetPath]
	if f == nil {
		return nil, formatErr("the workbook names sheet %s, which the file lacks", sheetPath)
	}
	rc, err := openPart(f, MaxSheet)
	if err != nil {
		return nil, err
	}
	sr := &sheetReader{dec: xml.NewDecoder(rc), shared: shared, dates: dates}
	return &Reader{info: Info{Format: XLSX}, next: sr.next, done: rc.Close}, nil
}

// limitedPart is a zip entry's reader that fails once more than max
// bytes come out, whatever the entry's header claims.
type limitedPart struct {
	io.ReadCloser
	left int64
	name string
}

func (p *limitedPart) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	p.left -= int64(n)
	if p.left < 0 {
		return n, formatErr("%s unpacks to more than the limit (a zip bomb?)", p.name)
	}
	return n, err
}

// openPart opens one entry, refusing it when its declared size is over
// max or its packing ratio is a zip bomb's.
func openPart(f *zip.File, limit int64) (io.ReadCloser, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, formatErr("%s unpacks to %d bytes, more than the %d allowed", f.Name, f.UncompressedSize64, limit)
	}
	if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > MaxRatio*max(f.CompressedSize64, 1) {
		return nil, formatErr("%s packs %d times (a zip bomb?); refused", f.Name, f.UncompressedSize64/max(f.CompressedSize64, 1))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, formatErr("%s: %v", f.Name, err)
	}
	return &limitedPart{ReadCloser: rc, left: limit, name: f.Name}, nil
}

// firstSheet finds the part of the workbook's first sheet through
// xl/workbook.xml and its relations, falling back to sheet1.xml.
func firstSheet(files map[string]*zip.File) (string, error) {
	const fallback = "xl/worksheets/sheet1.xml"
	wb := files["xl/workbook.xml"]
	rels := files["xl/_rels/workbook.xml.rels"]
	if wb == nil || rels == nil {
		if files[fallback] != nil {
			return fallback, nil
		}
		return "", formatErr("the file is a zip archive but not an XLSX workbook")
	}
	var book struct {
		Sheets []struct {
			RID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(wb, &book); err != nil {
		return "", err
	}
	var rel struct {
		List []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(rels, &rel); err != nil {
		return "", err
	}
	if len(book.Sheets) == 0 {
		return "", formatErr("the workbook has no sheets")
	}
	for _, r := range rel.List {
		if r.ID != book.Sheets[0].RID {
			continue
		}
		if strings.HasPrefix(r.Target, "/") {
			return strings.TrimPrefix(r.Target, "/"), nil
		}
		return path.Join("xl", r.Target), nil
	}
	if files[fallback] != nil {
		return fallback, nil
	}
	return "", formatErr("the workbook's first sheet is not in the file")
}

func decodePart(f *zip.File, v any) error {
	rc, err := openPart(f, MaxSmallPart)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return partErr(f.Name, err)
	}
	return nil
}

func partErr(name string, err error) error {
	if errors.Is(err, ErrFormat) {
		return err
	}
	return formatErr("%s: %v", name, err)
}

// readSharedStrings reads the shared string table: each <si>'s text, its
// rich-text runs joined (phonetic hints left out).
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := openPart(f, MaxSharedStrings)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var out []string
	var b strings.Builder
	inSI, inT, skip := false, false, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, partErr(f.Name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "rPh":
				skip++
			case "t":
				inT = inSI && skip == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				out = append(out, b.String())
				inSI = false
			case "rPh":
				skip--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	}
}

// readDateStyles returns the cell style indexes (cellXfs) whose number
// format shows a date: the built-in formats 14–22 and 45–47, or a custom
// format with day, month or year letters outside quotes and brackets.
func readDateStyles(f *zip.File) (map[int]bool, error) {
	var st struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := decodePart(f, &st); err != nil {
		return nil, err
	}
	custom := map[int]bool{}
	for _, nf := range st.NumFmts {
		custom[nf.ID] = isDateFormat(nf.Code)
	}
	out := map[int]bool{}
	for i, xf := range st.Xfs {
		id := xf.NumFmtID
		if (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || custom[id] {
			out[i] = true
		}
	}
	return out, nil
}

func isDateFormat(code string) bool {
	quoted, bracket := false, false
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case bracket:
		case r == 'd' || r == 'm' || r == 'y':
			return true
		}
	}
	return false
}

// excelEpoch is day 0 of Excel's 1900 date system as it counts in
// practice (1899-12-30, absorbing its phantom 29 February 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelDate renders serial days as a date, or a date and time.
func excelDate(serial float64) string {
	secs := math.Round(serial * 86400)
	t := excelEpoch.Add(time.Duration(secs) * time.Second)
	if int64(secs)%86400 == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.DateTime)
}

// sheetReader walks a worksheet's XML token by token.
type sheetReader struct {
	dec    *xml.Decoder
	shared []string
	dates  map[int]bool
	last   int // the last row number returned
}

// maxColumns bounds a row's width: XLSX allows 16,384 columns (XFD).
const maxColumns = 16384

func (s *sheetReader) next() ([]string, int, error) {
	for {
		tok, err := s.dec.Token()
		if err == io.EOF {
			return nil, s.last, io.EOF
		}
		if err != nil {
			return nil, s.last, partErr("the worksheet", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
			n := s.last + 1
			if v := attr(se, "r"); v != "" {
				if r, err := strconv.Atoi(v); err == nil && r > s.last {
					n = r
				}
			}
			cells, err := s.row()
			if err != nil {
				return nil, s.last, err
			}
			s.last = n
			return cells, n, nil
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// row reads the cells up to </row>.
func (s *sheetReader) row() ([]string, error) {
	var cells []string
	col := 0
	for {
		tok, err := s.dec.Token()
		if err != nil {
			return nil, partErr("the worksheet", err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "row" {
				return cells, nil
			}
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			if ref := attr(t, "r"); ref != "" {
				if c, ok := columnIndex(ref); ok {
					col = c
				}
			}
			if col >= maxColumns {
				return nil, formatErr("a row has more than %d columns", maxColumns)
			}
			val, err := s.cell(t)
			if err != nil {
				return nil, err
			}
			for len(cells) < col {
				cells = append(cells, "")
			}
			cells = append(cells, val)
			col++
		}
	}
}

// cell reads one <c> element's value as text.
func (s *sheetReader) cell(c xml.StartElement) (string, error) {
	typ, style := attr(c, "t"), -1
	if v := attr(c, "s"); v != "" {
		style, _ = strconv.Atoi(v)
	}
	var v, inline strings.Builder
	where := ""
	for {
		tok, err := s.dec.Token()
		if err != nil {
			return "", partErr("the worksheet", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				where = "v"
			case "t":
				if where != "rPh" {
					where = "t"
				}
			case "rPh":
				where = "rPh"
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "c":
				return s.value(typ, style, v.String(), inline.String())
			case "v", "t", "rPh":
				where = ""
			}
		case xml.CharData:
			switch where {
			case "v":
				v.Write(t)
			case "t":
				inline.Write(t)
			}
		}
	}
}

func (s *sheetReader) value(typ string, style int, v, inline string) (string, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(s.shared) {
			return "", formatErr("a cell names shared string %q, which the file lacks", v)
		}
		return s.shared[i], nil
	case "inlineStr":
		return inline, nil
	case "b":
		if strings.TrimSpace(v) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	case "str", "e":
		return v, nil
	}
	// A number ("n" or no type).
	v = strings.TrimSpace(v)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v, nil
	}
	if s.dates[style] && f >= 0 && f < 2958466 { // up to 9999-12-31
		return excelDate(f), nil
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// columnIndex turns a cell reference's letters ("AB12") into a 0-based
// column.
func columnIndex(ref string) (int, bool) {
	col := 0
	n := 0
	for _, r := range ref {
		if r < 'A' || r > 'Z' {
			break
		}
		col = col*26 + int(r-'A'+1)
		n++
		if col > maxColumns {
			return 0, false
		}
	}
	if n == 0 {
		return 0, false
	}
	return col - 1, true
}
