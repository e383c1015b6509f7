package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
)

func readAll(t testing.TB, data []byte) (Info, [][]string, []int, error) {
	t.Helper()
	r, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Info{}, nil, nil, err
	}
	defer r.Close()
	var rows [][]string
	var nums []int
	for {
		row, err := r.Read()
		if err == io.EOF {
			return r.Info(), rows, nums, nil
		}
		if err != nil {
			return r.Info(), rows, nums, err
		}
		rows = append(rows, row)
		nums = append(nums, r.Row())
	}
}

func cp1251(t *testing.T, s string) []byte {
	b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	want := [][]string{{"Имя", "Телефон", "Email"}, {"Иванов, Иван", "+7 (499) 322-97-10", "ivan@example.ru"}, {"Пётр", "", ""}}
	semi := "Имя;Телефон;Email\r\n\"Иванов, Иван\";+7 (499) 322-97-10;ivan@example.ru\r\nПётр;;\r\n"
	comma := "Имя,Телефон,Email\n\"Иванов, Иван\",+7 (499) 322-97-10,ivan@example.ru\nПётр,,\n"
	tab := "Имя\tТелефон\tEmail\n\"Иванов, Иван\"\t+7 (499) 322-97-10\tivan@example.ru\nПётр\t\t"
	for _, tc := range []struct {
		name  string
		data  []byte
		enc   Encoding
		delim rune
	}{
		{"utf8 semicolon", []byte(semi), UTF8, ';'},
		{"utf8 comma", []byte(comma), UTF8, ','},
		{"utf8 tab", []byte(tab), UTF8, '\t'},
		{"bom semicolon", append([]byte("\xef\xbb\xbf"), semi...), UTF8BOM, ';'},
		{"bom comma", append([]byte("\xef\xbb\xbf"), comma...), UTF8BOM, ','},
		{"cp1251 semicolon", cp1251(t, semi), CP1251, ';'},
		{"cp1251 tab", cp1251(t, tab), CP1251, '\t'},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, rows, nums, err := readAll(t, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != CSV || info.Encoding != tc.enc || info.Delimiter != tc.delim {
				t.Errorf("info = %+v, want csv %s %q", info, tc.enc, tc.delim)
			}
			if d := cmp.Diff(want, rows); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			if d := cmp.Diff([]int{1, 2, 3}, nums); d != "" {
				t.Errorf("row numbers (-want +got):\n%s", d)
			}
		})
	}
}

// A commas-in-text file separated by semicolons must not be taken for
// comma-separated, nor a quoted line break end a line.
func TestGuessDelimiterQuoteAware(t *testing.T) {
	head := "name;comment\n\"a, b, c\";\"x,\ny, z\"\nd;e\n"
	if got := guessDelimiter([]byte(head)); got != ';' {
		t.Errorf("guessDelimiter = %q, want ';'", got)
	}
	if got := guessDelimiter([]byte("one column\nsecond\n")); got != ',' {
		t.Errorf("one column: %q, want ','", got)
	}
}

// UTF-8 validity is judged over the whole file, across read blocks: a
// Cyrillic letter cut by a block boundary is still UTF-8, and one
// Windows-1251 byte far down the file makes it Windows-1251.
func TestValidUTF8AcrossBlocks(t *testing.T) {
	long := strings.Repeat("a", 64<<10-1) + "Ж" + strings.Repeat("b", 100)
	if ok, _ := validUTF8(strings.NewReader(long)); !ok {
		t.Error("a rune across blocks judged invalid")
	}
	bad := strings.Repeat("a;b\n", 40000) + "\xc6;x\n"
	if ok, _ := validUTF8(strings.NewReader(bad)); ok {
		t.Error("a CP1251 byte at the end judged valid")
	}
	_, rows, _, err := readAll(t, []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	if last := rows[len(rows)-1]; last[0] != "Ж" {
		t.Errorf("last row = %q, want Ж (CP1251 0xC6)", last)
	}
}

// xlsxFile builds an XLSX archive from parts; nil parts get defaults.
func xlsxFile(t testing.TB, sheet string, shared []string, styles string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	put("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	put("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Клиенты" sheetId="1" r:id="rId7"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/></Relationships>`)
	if shared != nil {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		for _, s := range shared {
			b.WriteString(s)
		}
		b.WriteString(`</sst>`)
		put("xl/sharedStrings.xml", b.String())
	}
	if styles != "" {
		put("xl/styles.xml", styles)
	}
	put("xl/worksheets/data.xml", `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+sheet+`</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const testStyles = `<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\ hh:mm"/><numFmt numFmtId="165" formatCode="&quot;₽&quot;#,##0"/></numFmts>
<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>`

func TestXLSX(t *testing.T) {
	shared := []string{`<si><t>Имя</t></si>`, `<si><t>Телефон</t></si>`, `<si><r><t>Ива</t></r><r><t xml:space="preserve">нов </t></r><rPh><t>イ</t></rPh></si>`}
	sheet := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Дата</t></is></c><c r="D1" t="inlineStr"><is><t>Сумма</t></is></c></row>` +
		`<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>74993229710</v></c><c r="C2" s="1"><v>45658</v></c><c r="D2" s="3"><v>1500.5</v></c></row>` +
		`<row r="4"><c r="B4" t="b"><v>1</v></c><c r="D4" s="2"><v>45658.5</v></c><c r="E4" t="str"><v>=A1</v></c></row>` +
		`<row><c t="inlineStr"><is><t>без ссылки</t></is></c><c><v>1E-3</v></c></row>`
	info, rows, nums, err := readAll(t, xlsxFile(t, sheet, shared, testStyles))
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != XLSX {
		t.Errorf("format %s", info.Format)
	}
	want := [][]string{
		{"Имя", "Телефон", "Дата", "Сумма"},
		{"Иванов ", "74993229710", "2025-01-01", "1500.5"},
		{"", "TRUE", "", "2025-01-01 12:00:00", "=A1"},
		{"без ссылки", "0.001"},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{1, 2, 4, 5}, nums); d != "" {
		t.Errorf("row numbers (-want +got):\n%s", d)
	}
}

func TestXLSXRefusals(t *testing.T) {
	// A zip bomb: a sheet of 50 MiB of one byte packs about a thousand
	// times.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 50 {
		w.Write(chunk)
	}
	zw.Close()
	if _, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len())); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("zip bomb: %v", err)
	}
	for name, data := range map[string][]byte{
		"broken zip":       []byte("PK\x03\x04 not really"),
		"zip without book": zipOf(t, "a.txt", "x"),
		"bad shared index": xlsxFile(t, `<row r="1"><c t="s"><v>9</v></c></row>`, []string{`<si><t>a</t></si>`}, ""),
		"bad xml":          xlsxFile(t, `<row r="1"><c t="s"><v>0</c></row>`, []string{`<si><t>a</t></si>`}, ""),
	} {
		_, _, _, err := readAll(t, data)
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
}

func zipOf(t testing.TB, name, body string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name)
	io.WriteString(w, body)
	zw.Close()
	return buf.Bytes()
}

func TestExcelDate(t *testing.T) {
	for serial, want := range map[float64]string{61: "1900-03-01", 45658: "2025-01-01", 45658.75: "2025-01-01 18:00:00"} {
		if got := excelDate(serial); got != want {
			t.Errorf("excelDate(%v) = %s, want %s", serial, got, want)
		}
	}
}

// FuzzCSV checks that no input panics the CSV reader or loops: it
// either reads rows or fails with an error.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{"a;b\n1;2\n", "\xef\xbb\xbfa,b\n\"x\"\"y\",2", "\"unterminated\n", "\xc6\xc7;\xe0\n", "a\tb\r\n\r\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data)
	})
}

// FuzzXLSX does the same for the XLSX reader, seeded with small
// workbooks whose sheets the fuzzer then mutates.
func FuzzXLSX(f *testing.F) {
	f.Add(xlsxFile(f, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>1.5</v></c></row>`, []string{`<si><t>a</t></si>`}, testStyles))
	f.Add(xlsxFile(f, `<row r="2"><c r="ZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>`, nil, ""))
	f.Add(zipOf(f, "xl/worksheets/sheet1.xml", `<worksheet><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data)
	})
}

func fuzzRead(t *testing.T, data []byte) {
	r, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return
	}
	defer r.Close()
	for i := 0; ; i++ {
		row, err := r.Read()
		if err != nil {
			return
		}
		if len(row) > maxColumns+1 {
			t.Fatalf("row %d has %d cells", i, len(row))
		}
		if i > len(data)+1 {
			t.Fatal(fmt.Sprintf("more rows (%d) than bytes", i))
		}
	}
}
