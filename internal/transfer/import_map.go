package transfer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Field is where a column's cells go: one of the Field constants, "cf:ID"
// for a custom field, or Skip.
type Field string

// The fields a column maps to.
const (
	Skip        Field = ""
	Name        Field = "name"
	Phone       Field = "phone"
	Email       Field = "email"
	Company     Field = "company"
	Comment     Field = "comment"
	DealName    Field = "deal_name"
	Price       Field = "price"
	Pipeline    Field = "pipeline"
	Stage       Field = "stage"
	Responsible Field = "responsible"
)

// CustomField is the Field of custom field id.
func CustomField(id int64) Field { return Field("cf:" + strconv.FormatInt(id, 10)) }

// CustomID returns the custom field id of f, if it is one.
func (f Field) CustomID() (int64, bool) {
	s, ok := strings.CutPrefix(string(f), "cf:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// Mapping gives each column, by position, its field.
type Mapping []Field

// FieldsOf lists the fields rows of kind may fill, built-in first, then
// the custom fields defs.
func FieldsOf(kind crm.ImportKind, defs []crm.CustomField) []Field {
	var out []Field
	switch kind {
	case crm.ImportClients:
		out = []Field{Name, Phone, Email, Company, Comment, Responsible}
	case crm.ImportDeals:
		out = []Field{Name, Phone, Email, Company, DealName, Price, Pipeline, Stage, Comment, Responsible}
	case crm.ImportLeads:
		out = []Field{Name, Phone, Email, Comment, Pipeline, Responsible}
	}
	for _, d := range defs {
		out = append(out, CustomField(d.ID))
	}
	return out
}

// headerWords are the header texts, in Russian and English, lower-cased,
// that suggest each field; a header containing one of them (or equal to
// a short one) maps to it. Order matters: "deal name" is a deal's name
// before it is a name.
var headerWords = []struct {
	field Field
	exact []string
	parts []string
}{
	{DealName, []string{"сделка", "deal", "lead"}, []string{"название сделки", "сделка:", "deal name", "lead name", "наименование сделки"}},
	{Price, []string{"сумма", "бюджет", "цена", "price", "budget", "amount", "sale"}, []string{"бюджет", "сумма", "price", "budget", "amount"}},
	{Pipeline, []string{"воронка", "pipeline", "funnel"}, []string{"воронк", "pipeline"}},
	{Stage, []string{"этап", "статус", "stage", "status"}, []string{"этап", "stage", "статус сделки"}},
	{Responsible, []string{"ответственный", "менеджер", "responsible", "manager", "owner"}, []string{"ответственн", "менеджер", "responsible", "manager"}},
	{Company, []string{"компания", "организация", "company", "organization"}, []string{"компани", "организац", "company", "organi"}},
	{Email, []string{"email", "e-mail", "почта", "mail"}, []string{"email", "e-mail", "почт"}},
	{Phone, []string{"телефон", "тел", "тел.", "phone", "tel", "мобильный", "mobile"}, []string{"телефон", "phone", "мобильн", "mobile"}},
	{Comment, []string{"комментарий", "примечание", "заметка", "comment", "note", "notes"}, []string{"коммент", "примечан", "comment", "note"}},
	{Name, []string{"имя", "фио", "name", "клиент", "контакт", "client", "contact", "full name"}, []string{"фио", "имя", "name", "контакт"}},
}

// Suggest maps header to fields of kind by the headers' words: a header
// naming a custom field maps to it; a field is suggested once, to its
// first column; other columns are skipped.
func Suggest(kind crm.ImportKind, header []string, defs []crm.CustomField) Mapping {
	allowed := map[Field]bool{}
	for _, f := range FieldsOf(kind, defs) {
		allowed[f] = true
	}
	used := map[Field]bool{}
	out := make(Mapping, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		f := suggestOne(h, defs)
		if f != Skip && allowed[f] && !used[f] {
			out[i], used[f] = f, true
		}
	}
	return out
}

func suggestOne(h string, defs []crm.CustomField) Field {
	for _, d := range defs {
		if strings.EqualFold(strings.TrimSpace(d.Name), h) || (d.Code != "" && strings.EqualFold(d.Code, h)) {
			return CustomField(d.ID)
		}
	}
	for _, w := range headerWords {
		for _, e := range w.exact {
			if h == e {
				return w.field
			}
		}
	}
	for _, w := range headerWords {
		for _, p := range w.parts {
			if strings.Contains(h, p) {
				return w.field
			}
		}
	}
	return Skip
}

// ParseMapping reads a mapping written "column=field,…" (the command
// line's --map), over a suggested one: a column is a header's text, a
// 1-based number or a spreadsheet letter (A, B, … AA); a field is a Field
// name, "cf:ID", or "skip". Errors: invalid.
func ParseMapping(spec string, header []string, base Mapping, kind crm.ImportKind, defs []crm.CustomField) (Mapping, error) {
	out := make(Mapping, len(header))
	copy(out, base)
	allowed := map[Field]bool{}
	for _, f := range FieldsOf(kind, defs) {
		allowed[f] = true
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		col, field, ok := strings.Cut(part, "=")
		if !ok {
			return nil, crm.Errorf(crm.KindInvalid, "Mapping %q: write column=field.", part)
		}
		i, ok := columnOf(strings.TrimSpace(col), header)
		if !ok {
			return nil, crm.Errorf(crm.KindInvalid, "Mapping %q: the file has no column %q.", part, col)
		}
		f := Field(strings.ToLower(strings.TrimSpace(field)))
		if f == "skip" || f == "-" {
			f = Skip
		}
		if f != Skip && !allowed[f] {
			return nil, crm.Errorf(crm.KindInvalid, "Mapping %q: %q is not a field of %s (%s).", part, field, kind, fieldNames(kind, defs))
		}
		out[i] = f
	}
	return out, nil
}

func fieldNames(kind crm.ImportKind, defs []crm.CustomField) string {
	var names []string
	for _, f := range FieldsOf(kind, defs) {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// columnOf finds a column by header text, number or letters.
func columnOf(col string, header []string) (int, bool) {
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), col) {
			return i, true
		}
	}
	if n, err := strconv.Atoi(col); err == nil {
		return n - 1, n >= 1 && n <= len(header)
	}
	n := 0
	for _, r := range strings.ToUpper(col) {
		if r < 'A' || r > 'Z' {
			return 0, false
		}
		n = n*26 + int(r-'A'+1)
	}
	return n - 1, n >= 1 && n <= len(header)
}

// ColumnName is how an error names column i: its header, else its letter.
func ColumnName(header []string, i int) string {
	if i < len(header) && strings.TrimSpace(header[i]) != "" {
		return strings.TrimSpace(header[i])
	}
	return ColumnLetter(i)
}

// ColumnLetter is column i's spreadsheet letter: 0 is A, 26 is AA.
func ColumnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// Check refuses a mapping that fills a field twice. Errors: invalid.
func (m Mapping) Check(header []string) error {
	seen := map[Field]int{}
	for i, f := range m {
		if f == Skip {
			continue
		}
		if j, ok := seen[f]; ok {
			return crm.Errorf(crm.KindInvalid, "Columns %s and %s both go to %s: choose one.", ColumnName(header, j), ColumnName(header, i), f)
		}
		seen[f] = i
	}
	if len(seen) == 0 {
		return crm.Errorf(crm.KindInvalid, "No column is mapped to a field: nothing would be imported.")
	}
	return nil
}

// record builds a row's ImportRecord.
func (m Mapping) record(cells []string) crm.ImportRecord {
	var r crm.ImportRecord
	for i, f := range m {
		if f == Skip || i >= len(cells) {
			continue
		}
		v := cells[i]
		switch f {
		case Name:
			r.Name = v
		case Phone:
			r.Phone = v
		case Email:
			r.Email = v
		case Company:
			r.Company = v
		case Comment:
			r.Comment = v
		case DealName:
			r.DealName = v
		case Price:
			r.Price = v
		case Pipeline:
			r.Pipeline = v
		case Stage:
			r.Stage = v
		case Responsible:
			r.Responsible = v
		default:
			if id, ok := f.CustomID(); ok {
				r.Custom = append(r.Custom, crm.CustomValueInput{FieldID: id, Value: v})
			}
		}
	}
	return r
}

// column finds the column a violation path ("phone", "cf:12.0.value")
// names.
func (m Mapping) column(path string) (int, bool) {
	for i, f := range m {
		if f == Skip {
			continue
		}
		if path == string(f) || strings.HasPrefix(path, string(f)+".") {
			return i, true
		}
	}
	if path == "cf" || strings.HasPrefix(path, "cf.") {
		for i, f := range m {
			if _, ok := f.CustomID(); ok {
				return i, true
			}
		}
	}
	return 0, false
}

// String writes m as ParseMapping reads it, by column letter.
func (m Mapping) String() string {
	var parts []string
	for i, f := range m {
		if f != Skip {
			parts = append(parts, fmt.Sprintf("%s=%s", ColumnLetter(i), f))
		}
	}
	return strings.Join(parts, ",")
}
