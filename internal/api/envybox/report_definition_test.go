package envybox

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/crmd/crmd/internal/crm"
)

// TestReportIntJSON: report ids arrive as numbers, numeric strings, "" or
// null, and leave in the shapes stat/custom answers with.
func TestReportIntJSON(t *testing.T) {
	for in, want := range map[string]crm.ReportInt{
		`12`: crm.ReportIntOf(12), `"12"`: crm.ReportIntOf(12), `" 7 "`: crm.ReportIntOf(7), `3.0`: crm.ReportIntOf(3),
		`null`: {}, `""`: {},
	} {
		var got reportInt
		if err := json.Unmarshal([]byte(in), &got); err != nil || crm.ReportInt(got) != want {
			t.Errorf("%s: %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{`"x"`, `1.5`, `true`, `[]`} {
		var got reportInt
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("%s: accepted as %+v", in, got)
		}
	}
	b, _ := json.Marshal(reportColumnSettingsOf(crm.ReportColumnSettings{DynamicValue: crm.ReportDynamic{Value: crm.ReportIntOf(2)}}).DynamicValue)
	if string(b) != `{"crm_element_id":null,"value":"2"}` {
		t.Errorf("dynamicValue %s", b)
	}
	b, _ = json.Marshal(reportSettingsOf(crm.ReportSettings{TypeDateFilter: "created"}))
	if string(b) != `{"rowParams":[],"typeDateFilter":"created","rowShowConditions":[],"dateStages":[],"typeDateFilterInputId":""}` {
		t.Errorf("settings %s", b)
	}
	b, _ = json.Marshal(reportSettingsOf(crm.ReportSettings{RowParams: []crm.ReportRowParam{{Type: 1, Element: crm.ReportIntOf(3)},
		{Type: 4, Element: crm.ReportIntOf(3), Value: crm.ReportIntOf(200)}}}).RowParams)
	if string(b) != `[{"type":1},{"crm_element_id":3,"value":200,"type":4}]` {
		t.Errorf("rowParams %s", b)
	}
	b, _ = json.Marshal(reportColumnSettingsOf(crm.ReportColumnSettings{CalcConditions: []crm.ReportCondition{
		{Type: 3, Element: crm.ReportIntOf(3), Values: []crm.ReportValue{crm.ReportNumber(5)}},
		{Type: 4, Element: crm.ReportIntOf(2), Value: crm.ReportIntOf(9), Values: []crm.ReportValue{crm.ReportText("Москва")}}}}).CalcConditions)
	if string(b) != `[{"type":3,"values":[5]},{"type":4,"crm_element_id":2,"value":9,"values":["Москва"]}]` {
		t.Errorf("calcConditions %s", b)
	}
}

// TestParseReportDefinition: the format is strict about member names but
// takes the members a stat/custom answer's columns carry; condition values
// keep their form for the domain to judge.
func TestParseReportDefinition(t *testing.T) {
	d, err := ParseReportDefinition([]byte(`{"name": "a", "settings": {"rowParams": [{"type": 1}], "typeDateFilter": "created"},
		"tableColumns": [{"id": 2, "crm_id": 1, "custom_stat_id": 1, "created_at": "2021-04-22 12:56:36", "updated_at": null,
		"deleted_at": null, "settings": {"typeColumn": 1, "operationParams": {"type": 1},
		"calcConditions": [{"type": 2, "values": [5, "6", true, null]}], "showConditions": [{}]}}]}`))
	if err != nil || d.TableColumns[0].ID != 2 || d.Settings.RowParams[0].Type != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	cs := d.TableColumns[0].Settings
	if want := []crm.ReportValue{crm.ReportNumber(5), crm.ReportText("6"), {}, {}}; !reflect.DeepEqual(cs.CalcConditions[0].Values, want) ||
		cs.ShowConditions != 1 || cs.TypeColumn != crm.ReportStaticColumn || cs.OperationParams.Type != crm.ReportCount {
		t.Errorf("column settings %+v", cs)
	}
	for _, bad := range []string{`{"name": "a", "colour": 1}`, `{"settings": {"rowParam": []}}`, `{"name": "a"} {}`, `[]`, `{"name": 1}`} {
		if _, err := ParseReportDefinition([]byte(bad)); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("%s: %v, want invalid", bad, err)
		}
	}
}

// TestReportDefinitionRoundTrip: what WriteReportDefinition prints parses
// back into the same definition.
func TestReportDefinitionRoundTrip(t *testing.T) {
	r := crm.Report{Name: "Сделки по менеджерам", Settings: crm.ReportSettings{
		RowParams: []crm.ReportRowParam{{Type: crm.ReportByResponsible},
			{Type: crm.ReportByField, Element: crm.ReportIntOf(crm.ReportElementDeal), Value: crm.ReportIntOf(2005)}},
		TypeDateFilter: crm.ReportDateStageTransition, DateStages: []crm.ReportInt{crm.ReportIntOf(7)}},
		Columns: []crm.ReportColumn{{ID: 4, Settings: crm.ReportColumnSettings{StaticColumnName: "Сумма", TypeColumn: crm.ReportDynamicColumn,
			OperationParams: crm.ReportOperation{Type: crm.ReportSum, Element: crm.ReportIntOf(3), Value: crm.ReportIntOf(200)},
			DynamicValue:    crm.ReportDynamic{Value: crm.ReportIntOf(2)},
			CalcConditions: []crm.ReportCondition{{Type: crm.ReportByField, Element: crm.ReportIntOf(2), Value: crm.ReportIntOf(9),
				Values: []crm.ReportValue{crm.ReportText("Москва")}}}}}}}
	var buf bytes.Buffer
	if err := WriteReportDefinition(&buf, r); err != nil {
		t.Fatal(err)
	}
	got, err := ParseReportDefinition(buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if want := r.Definition(); !reflect.DeepEqual(got, want) {
		t.Errorf("parsed back\n%+v\nwant\n%+v\n%s", got, want, buf.String())
	}
}
