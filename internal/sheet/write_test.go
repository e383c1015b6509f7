package sheet_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/sheet"
)

func TestCSVQuotingBOMAndFormulas(t *testing.T) {
	var b bytes.Buffer
	w, err := sheet.NewWriter(&b, sheet.CSV, []sheet.Column{{Name: "Имя"}, {Name: "Сумма", Numeric: true}})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"Иван, \"Ромашка\"", "-500"},
		{"line\nbreak", "12.5"},
		{"=HYPERLINK(\"http://x\")", "+1"},
		{"+7 (999) cmd", "@SUM(A1)"},
		{"-2+3", " padded "},
		{"", "plain"},
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeffИмя,Сумма\r\n") {
		t.Fatalf("no BOM and header first: %q", out[:min(len(out), 40)])
	}
	want := "\ufeffИмя,Сумма\r\n" +
		"\"Иван, \"\"Ромашка\"\"\",-500\r\n" +
		"\"line\nbreak\",12.5\r\n" +
		"\"'=HYPERLINK(\"\"http://x\"\")\",+1\r\n" +
		"'+7 (999) cmd,'@SUM(A1)\r\n" +
		"'-2+3,\" padded \"\r\n" +
		",plain\r\n"
	if out != want {
		t.Errorf("csv:\n got %q\nwant %q", out, want)
	}
	// A standard reader gets the cells back (the BOM aside).
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got[1][0] != "Иван, \"Ромашка\"" || got[2][0] != "line\nbreak" || got[3][0] != "'=HYPERLINK(\"http://x\")" {
		t.Errorf("read back: %q", got)
	}
}

func TestInert(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "abc": "abc", "=1+1": "'=1+1", "+cmd": "'+cmd", "-cmd": "'-cmd", "@x": "'@x",
		"\t=1": "'\t=1", "\r=1": "'\r=1", "-12": "-12", "+7": "+7", "-3.5": "-3.5", "-": "'-", "1=1": "1=1",
	} {
		if got := sheet.Inert(in); got != want {
			t.Errorf("Inert(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmptyCSVHasBOM(t *testing.T) {
	var b bytes.Buffer
	w := sheet.NewCSVWriter(&b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b.String() != "\ufeff" {
		t.Errorf("empty csv = %q", b.String())
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]sheet.Format{"": sheet.CSV, "csv": sheet.CSV, "XLSX": sheet.XLSX} {
		if got, err := sheet.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := sheet.ParseFormat("ods"); err == nil || !strings.Contains(err.Error(), "csv or xlsx") {
		t.Errorf("ParseFormat(ods) = %v, want an error naming the formats", err)
	}
}

// xlsxCell is a cell as the sheet's XML has it.
type xlsxCell struct {
	Ref    string `xml:"r,attr"`
	Type   string `xml:"t,attr"`
	Style  string `xml:"s,attr"`
	Value  string `xml:"v"`
	Inline string `xml:"is>t"`
}

type xlsxSheet struct {
	Rows []struct {
		R     string     `xml:"r,attr"`
		Cells []xlsxCell `xml:"c"`
	} `xml:"sheetData>row"`
}

// readXLSX opens a workbook written by the writer as a spreadsheet
// program would: every part parses as XML, the relationships lead to
// the sheet, and the sheet's cells come back.
func readXLSX(t *testing.T, data []byte) xlsxSheet {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = body
		// Every part is well-formed XML.
		d := xml.NewDecoder(bytes.NewReader(body))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	var types struct {
		Overrides []struct {
			PartName string `xml:"PartName,attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal(parts["[Content_Types].xml"], &types); err != nil {
		t.Fatal(err)
	}
	for _, o := range types.Overrides {
		if _, ok := parts[strings.TrimPrefix(o.PartName, "/")]; !ok {
			t.Errorf("content types name %s, which is not in the zip", o.PartName)
		}
	}
	var rels struct {
		Rel []struct {
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(parts["_rels/.rels"], &rels); err != nil || len(rels.Rel) != 1 || rels.Rel[0].Target != "xl/workbook.xml" {
		t.Fatalf("package relationships: %+v %v", rels, err)
	}
	if err := xml.Unmarshal(parts["xl/_rels/workbook.xml.rels"], &rels); err != nil {
		t.Fatal(err)
	}
	var s xlsxSheet
	for _, r := range rels.Rel {
		if strings.HasPrefix(r.Target, "worksheets/") {
			if err := xml.Unmarshal(parts["xl/"+r.Target], &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatal("no worksheet in the workbook's relationships")
	return s
}

func TestXLSXRoundTrip(t *testing.T) {
	var b bytes.Buffer
	cols := []sheet.Column{{Name: "Название"}, {Name: "Бюджет", Numeric: true}, {Name: "Заметка"}}
	w, err := sheet.NewWriter(&b, sheet.XLSX, cols)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"Сделка <1> & \"ко\"", "1500", "=1+1"},
		{"  пробелы  ", "-2.5", "x\x01y"},
		{"", "не число", "перенос\nстроки"},
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := readXLSX(t, b.Bytes())
	if len(s.Rows) != 4 {
		t.Fatalf("rows = %d, want 4", len(s.Rows))
	}
	head := s.Rows[0].Cells
	if len(head) != 3 || head[0].Inline != "Название" || head[0].Style != "1" || head[2].Ref != "C1" {
		t.Errorf("header = %+v", head)
	}
	r1 := s.Rows[1].Cells
	if r1[0].Inline != "Сделка <1> & \"ко\"" || r1[0].Type != "inlineStr" {
		t.Errorf("text cell = %+v", r1[0])
	}
	if r1[1].Type != "" || r1[1].Value != "1500" {
		t.Errorf("number cell = %+v, want a number", r1[1])
	}
	if r1[2].Inline != "=1+1" || r1[2].Type != "inlineStr" {
		t.Errorf("formula-like cell = %+v, want text as written", r1[2])
	}
	r2 := s.Rows[2].Cells
	if r2[0].Inline != "  пробелы  " || r2[1].Value != "-2.5" || r2[2].Inline != "x\uFFFDy" {
		t.Errorf("row 3 = %+v", r2)
	}
	r3 := s.Rows[3].Cells
	if len(r3) != 2 || r3[0].Ref != "B4" || r3[0].Type != "inlineStr" || r3[0].Inline != "не число" || r3[1].Inline != "перенос\nстроки" {
		t.Errorf("row 4 = %+v (an empty cell is left out; a non-number in a numeric column is text)", r3)
	}
}

func TestXLSXColumnNames(t *testing.T) {
	var b bytes.Buffer
	w := sheet.NewXLSXWriter(&b, nil, sheet.XLSXOptions{})
	row := make([]string, 703)
	for i := range row {
		row[i] = "x"
	}
	if err := w.WriteRow(row); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cells := readXLSX(t, b.Bytes()).Rows[0].Cells
	for i, want := range map[int]string{0: "A1", 25: "Z1", 26: "AA1", 51: "AZ1", 52: "BA1", 701: "ZZ1", 702: "AAA1"} {
		if cells[i].Ref != want {
			t.Errorf("column %d = %s, want %s", i, cells[i].Ref, want)
		}
	}
}

func TestXLSXRowLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million rows")
	}
	w := sheet.NewXLSXWriter(io.Discard, nil, sheet.XLSXOptions{})
	for i := 0; i < sheet.MaxXLSXRows; i++ {
		if err := w.WriteRow([]string{"1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteRow([]string{"1"}); !errors.Is(err, sheet.ErrTooManyRows) {
		t.Fatalf("row past the limit: %v", err)
	}
}
