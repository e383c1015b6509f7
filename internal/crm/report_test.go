package crm

import (
	"reflect"
	"testing"
)

// TestReportConditionValues: a condition's values are read by its
// dimension (ids: whole numbers or numeric texts; texts: texts or numbers
// written out) and normalised to that reading; other values are refused
// in the dimension's words.
func TestReportConditionValues(t *testing.T) {
	rc := &reportContext{fields: map[EntityType]map[int64]CustomField{EntityDeal: {7: {ID: 7, Type: FieldText}}}}
	c := ReportCondition{Type: ReportByStage, Element: ReportIntOf(3), Values: []ReportValue{ReportNumber(5), ReportText(" 6 ")}}
	f, problem := rc.conditionFilter(&c)
	if problem != "" || !reflect.DeepEqual(f.Ints, []int64{5, 6}) || c.Element.Valid ||
		!reflect.DeepEqual(c.Values, []ReportValue{ReportNumber(5), ReportNumber(6)}) {
		t.Errorf("ids: %+v %q, condition %+v", f, problem, c)
	}
	c = ReportCondition{Type: ReportByField, Element: ReportIntOf(3), Value: ReportIntOf(7), Values: []ReportValue{ReportText("Окна"), ReportNumber(2.5)}}
	f, problem = rc.conditionFilter(&c)
	if problem != "" || !reflect.DeepEqual(f.Texts, []string{"Окна", "2.5"}) || !c.Element.Valid ||
		!reflect.DeepEqual(c.Values, []ReportValue{ReportText("Окна"), ReportText("2.5")}) {
		t.Errorf("texts: %+v %q, condition %+v", f, problem, c)
	}
	for _, tc := range []struct {
		c    ReportCondition
		want string
	}{
		{ReportCondition{Type: ReportByStage, Values: []ReportValue{ReportNumber(1.5)}}, "values must be integer ids."},
		{ReportCondition{Type: ReportByStage, Values: []ReportValue{ReportText("x")}}, "values must be integer ids."},
		{ReportCondition{Type: ReportByStage, Values: []ReportValue{{}}}, "values must be integer ids."},
		{ReportCondition{Type: ReportByField, Element: ReportIntOf(3), Value: ReportIntOf(7), Values: []ReportValue{{}}}, "values must be strings or numbers."},
		{ReportCondition{Type: ReportByStage}, "values must list at least one value."},
	} {
		if _, problem := rc.conditionFilter(&tc.c); problem != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, problem, tc.want)
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
