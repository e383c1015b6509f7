package crm

import (
	"strings"
	"testing"
)

func TestResolveFieldValues(t *testing.T) {
	defs := []CustomField{
		{ID: 1, Name: "Text", Type: FieldText},
		{ID: 2, Name: "Flag", Code: "MYSUPERCHECKBOX", Type: FieldCheckbox},
		{ID: 3, Name: "List", Type: FieldSelect, Enums: []Enum{{ID: 10, Value: "One", Code: "ONE"}, {ID: 11, Value: "Two"}}},
		{ID: 4, Name: "Multi", Type: FieldMultiselect, Enums: []Enum{{ID: 20, Value: "A"}, {ID: 21, Value: "B"}}},
		{ID: 5, Name: "Number", Type: FieldNumeric},
		{ID: 6, Name: "Day", Type: FieldDate},
		{ID: 7, Name: "Site", Type: FieldURL},
	}
	val := func(v any) ValueInput { return ValueInput{Value: v, HasValue: true} }
	tests := []struct {
		name     string
		in       FieldValueInput
		want     []Value // nil when an error is expected
		wantPath string
		wantCode string
	}{
		{"text", FieldValueInput{FieldID: 1, Values: []ValueInput{val("hi")}}, []Value{{Text: "hi"}}, "", ""},
		{"text from a number", FieldValueInput{FieldID: 1, Values: []ValueInput{val(12424.0)}}, []Value{{Text: "12424"}}, "", ""},
		{"checkbox by code", FieldValueInput{FieldCode: "mysupercheckbox", Values: []ValueInput{val(true)}}, []Value{{Text: "1"}}, "", ""},
		{"checkbox given a string", FieldValueInput{FieldID: 2, Values: []ValueInput{val("yes")}}, nil, "cf.0.values.0.value", ViolationType},
		{"select by enum_id", FieldValueInput{FieldID: 3, Values: []ValueInput{{EnumID: 11}}}, []Value{{Text: "Two", EnumID: 11}}, "", ""},
		{"select by value", FieldValueInput{FieldID: 3, Values: []ValueInput{val("One")}}, []Value{{Text: "One", EnumID: 10, EnumCode: "ONE"}}, "", ""},
		{"select by enum_code", FieldValueInput{FieldID: 3, Values: []ValueInput{{EnumCode: "one"}}}, []Value{{Text: "One", EnumID: 10, EnumCode: "ONE"}}, "", ""},
		{"select foreign enum", FieldValueInput{FieldID: 3, Values: []ValueInput{{EnumID: 20}}}, nil, "cf.0.values.0.enum_id", ViolationChoice},
		{"select unknown text", FieldValueInput{FieldID: 3, Values: []ValueInput{val("Three")}}, nil, "cf.0.values.0.value", ViolationChoice},
		{"select two values", FieldValueInput{FieldID: 3, Values: []ValueInput{{EnumID: 10}, {EnumID: 11}}}, nil, "cf.0.values", ViolationInvalid},
		{"multiselect two values", FieldValueInput{FieldID: 4, Values: []ValueInput{{EnumID: 20}, {EnumID: 21}}}, []Value{{Text: "A", EnumID: 20}, {Text: "B", EnumID: 21}}, "", ""},
		{"numeric string with comma", FieldValueInput{FieldID: 5, Values: []ValueInput{val("1,5")}}, []Value{{Text: "1.5"}}, "", ""},
		{"numeric garbage", FieldValueInput{FieldID: 5, Values: []ValueInput{val("lots")}}, nil, "cf.0.values.0.value", ViolationType},
		{"date unix", FieldValueInput{FieldID: 6, Values: []ValueInput{val(1577836800.0)}}, []Value{{Text: "1577836800"}}, "", ""},
		{"date RFC 3339", FieldValueInput{FieldID: 6, Values: []ValueInput{val("2020-01-01T00:00:00Z")}}, []Value{{Text: "1577836800"}}, "", ""},
		{"date garbage", FieldValueInput{FieldID: 6, Values: []ValueInput{val("tomorrow")}}, nil, "cf.0.values.0.value", ViolationInvalid},
		{"url", FieldValueInput{FieldID: 7, Values: []ValueInput{val("https://example.com")}}, []Value{{Text: "https://example.com"}}, "", ""},
		{"unknown field", FieldValueInput{FieldID: 99, Values: []ValueInput{val("x")}}, nil, "cf.0.field_id", ViolationChoice},
		{"unknown code", FieldValueInput{FieldCode: "NOPE", Values: []ValueInput{val("x")}}, nil, "cf.0.field_code", ViolationChoice},
		{"no field", FieldValueInput{Values: []ValueInput{val("x")}}, nil, "cf.0.field_id", ViolationRequired},
		{"enum on a text field", FieldValueInput{FieldID: 1, Values: []ValueInput{{EnumID: 10}}}, nil, "cf.0.values.0.enum_id", ViolationUnexpected},
		{"missing value", FieldValueInput{FieldID: 1, Values: []ValueInput{{}}}, nil, "cf.0.values.0.value", ViolationRequired},
		{"clear", FieldValueInput{FieldID: 1, Clear: true}, []Value{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v violations
			got := resolveFieldValues(&v, 0, "cf", defs, []FieldValueInput{tt.in})
			if tt.want == nil {
				if len(v) == 0 {
					t.Fatalf("no violation, got %+v", got)
				}
				if v[0].Path != tt.wantPath || v[0].Code != tt.wantCode {
					t.Fatalf("violation %+v, want %s at %s", v[0], tt.wantCode, tt.wantPath)
				}
				return
			}
			if len(v) > 0 {
				t.Fatalf("unexpected violations %+v", v)
			}
			if len(got) != 1 || len(got[0].Values) != len(tt.want) {
				t.Fatalf("got %+v, want values %+v", got, tt.want)
			}
			for i := range tt.want {
				if got[0].Values[i] != tt.want[i] {
					t.Errorf("value %d = %+v, want %+v", i, got[0].Values[i], tt.want[i])
				}
			}
		})
	}
}

func TestDuplicateFieldInOneWrite(t *testing.T) {
	var v violations
	defs := []CustomField{{ID: 1, Type: FieldText}}
	resolveFieldValues(&v, 2, "custom_fields_values", defs, []FieldValueInput{
		{FieldID: 1, Values: []ValueInput{{Value: "a", HasValue: true}}},
		{FieldID: 1, Values: []ValueInput{{Value: "b", HasValue: true}}},
	})
	if len(v) != 1 || v[0].Item != 2 || v[0].Path != "custom_fields_values.1.field_id" {
		t.Fatalf("violations %+v", v)
	}
}

func TestNewCustomFieldValidation(t *testing.T) {
	name := "Field"
	blank := "  "
	long := strings.Repeat("я", 256)
	tests := []struct {
		name string
		in   NewCustomField
		path string
		code string
	}{
		{"no name", NewCustomField{Type: FieldText}, "name", ViolationRequired},
		{"blank name", NewCustomField{Name: &blank, Type: FieldText}, "name", ViolationBlank},
		{"long name", NewCustomField{Name: &long, Type: FieldText}, "name", ViolationTooLong},
		{"no type", NewCustomField{Name: &name}, "type", ViolationRequired},
		{"type not for segments", NewCustomField{Name: &name, Type: "multitext"}, "type", ViolationChoice},
		{"select without enums", NewCustomField{Name: &name, Type: FieldSelect}, "enums", ViolationRequired},
		{"enums on text", NewCustomField{Name: &name, Type: FieldText, Enums: []EnumInput{{Value: "x"}}}, "enums", ViolationUnexpected},
		{"duplicate enum", NewCustomField{Name: &name, Type: FieldSelect, Enums: []EnumInput{{Value: "x"}, {Value: "x"}}}, "enums.1.value", ViolationInvalid},
		{"bad code", NewCustomField{Name: &name, Type: FieldText, Code: "с пробелом"}, "code", ViolationInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v violations
			tt.in.validate(&v, 0, EntitySegment)
			if len(v) == 0 || v[0].Path != tt.path || v[0].Code != tt.code {
				t.Fatalf("violations %+v, want %s at %s", v, tt.code, tt.path)
			}
		})
	}
	var v violations
	ok := NewCustomField{Name: &name, Type: FieldRadiobutton, Enums: []EnumInput{{Value: "a"}, {Value: "b"}}}
	ok.validate(&v, 0, EntitySegment)
	if len(v) != 0 {
		t.Fatalf("valid field rejected: %+v", v)
	}
}

func TestBuildEnumsKeepsKnownIDs(t *testing.T) {
	var v violations
	sort := 7
	got := buildEnums(&v, 0, []Enum{{ID: 5, Value: "old"}}, []EnumInput{{ID: 5, Value: "renamed"}, {Value: "new", Sort: &sort}, {ID: 99, Value: "stranger"}})
	if len(v) != 1 || v[0].Path != "enums.2.id" {
		t.Fatalf("violations %+v", v)
	}
	if got[0].ID != 5 || got[0].Value != "renamed" || got[1].ID != 0 || got[1].Sort != 7 {
		t.Fatalf("enums %+v", got)
	}
}
