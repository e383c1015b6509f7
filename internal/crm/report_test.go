package crm

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestReportIntJSON: report ids arrive as numbers, numeric strings, "" or
// null.
func TestReportIntJSON(t *testing.T) {
	for in, want := range map[string]ReportInt{
		`12`: ReportIntOf(12), `"12"`: ReportIntOf(12), `" 7 "`: ReportIntOf(7), `3.0`: ReportIntOf(3),
		`null`: {}, `""`: {},
	} {
		var got ReportInt
		if err := json.Unmarshal([]byte(in), &got); err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{`"x"`, `1.5`, `true`, `[]`} {
		var got ReportInt
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("%s: accepted as %+v", in, got)
		}
	}
	b, _ := json.Marshal(ReportDynamic{Value: ReportIntText{ReportIntOf(2)}})
	if string(b) != `{"crm_element_id":null,"value":"2"}` {
		t.Errorf("dynamicValue %s", b)
	}
	b, _ = json.Marshal(ReportSettings{TypeDateFilter: "created"})
	if string(b) != `{"rowParams":[],"typeDateFilter":"created","rowShowConditions":[],"dateStages":[],"typeDateFilterInputId":""}` {
		t.Errorf("settings %s", b)
	}
	b, _ = json.Marshal([]ReportRowParam{{Type: 1, Element: ReportIntOf(3)}, {Type: 4, Element: ReportIntOf(3), Value: ReportIntOf(200)}})
	if string(b) != `[{"type":1},{"crm_element_id":3,"value":200,"type":4}]` {
		t.Errorf("rowParams %s", b)
	}
}

// TestParseReportDefinition: the format is strict about member names but
// takes the members a stat/custom answer's columns carry.
func TestParseReportDefinition(t *testing.T) {
	d, err := ParseReportDefinition([]byte(`{"name": "a", "settings": {"rowParams": [{"type": 1}], "typeDateFilter": "created"},
		"tableColumns": [{"id": 2, "crm_id": 1, "custom_stat_id": 1, "created_at": "2021-04-22 12:56:36", "updated_at": null,
		"deleted_at": null, "settings": {"typeColumn": 1, "operationParams": {"type": 1}}}]}`))
	if err != nil || d.TableColumns[0].ID != 2 || d.Settings.RowParams[0].Type != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	for _, bad := range []string{`{"name": "a", "colour": 1}`, `{"settings": {"rowParam": []}}`, `{"name": "a"} {}`, `[]`, `{"name": 1}`} {
		if _, err := ParseReportDefinition([]byte(bad)); KindOf(err) != KindInvalid {
			t.Errorf("%s: %v, want invalid", bad, err)
		}
	}
}

// TestReportTree: rows nest by level with subtotals, missing keys first.
func TestReportTree(t *testing.T) {
	cols := []ReportColumn{{ID: 1, Settings: ReportColumnSettings{TypeColumn: ReportStaticColumn}},
		{ID: 2, Settings: ReportColumnSettings{TypeColumn: ReportDynamicColumn}}}
	key := func(n int64) ReportKey { return ReportKey{Int: n} }
	row := func(a, b int64, v float64, split string) ReportRow {
		return ReportRow{Keys: []ReportKey{key(a), key(b)}, Cells: []ReportCell{{Value: v}, {Split: map[string]float64{split: v}}}}
	}
	rows := []ReportRow{row(2, 5, 1, "x"), row(1, 7, 2, "y"), row(2, 3, 4, "x"), {Keys: []ReportKey{{Null: true}, key(1)},
		Cells: []ReportCell{{Value: 8}, {Split: map[string]float64{}}}}}
	sortRows(rows)
	r := ReportResult{Report: Report{Columns: cols}, Rows: rows}
	tree := r.Tree()
	if len(tree) != 3 || !tree[0].Keys[0].Null || tree[1].Keys[0].Int != 1 || tree[2].Keys[0].Int != 2 {
		t.Fatalf("tree %+v", tree)
	}
	two := tree[2]
	if len(two.Keys) != 1 || two.Cells[0].Value != 5 || !reflect.DeepEqual(two.Cells[1].Split, map[string]float64{"x": 5}) {
		t.Errorf("node 2: %+v", two)
	}
	if len(two.Children) != 2 || two.Children[0].Keys[1].Int != 3 || two.Children[1].Keys[1].Int != 5 || two.Children[0].Children != nil {
		t.Errorf("node 2 children: %+v", two.Children)
	}
	if (ReportKey{Null: true}).String() != "0" || (ReportKey{Null: true, Textual: true}).String() != "" || key(5).String() != "5" {
		t.Error("member keys")
	}
}
