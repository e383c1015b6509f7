package envybox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// The JSON of custom statistics definitions (crm.Report): the "settings"
// and "tableColumns[].settings" that stat/custom answers with, and the
// definition file of `crmd report create|update --file` and `report show`
// (docs/envybox-stats.md). The file is Envybox's shape plus a name — a
// column can be copied from an answer — so the CLI decodes it here rather
// than through a format of its own: one codec keeps what stat/custom
// echoes, what `show` prints and what `update` takes back the same.

// ParseReportDefinition decodes a definition file; unknown members are
// refused so that a misspelt key is not silently ignored. Errors: invalid
// (at the path "file").
func ParseReportDefinition(data []byte) (crm.ReportDefinition, error) {
	var d reportDefinition
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return crm.ReportDefinition{}, crm.Invalid(crm.Violation{Path: "file", Code: crm.ViolationInvalid,
			Detail: "The report definition is not valid JSON of the documented shape: " + err.Error()})
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return crm.ReportDefinition{}, crm.Invalid(crm.Violation{Path: "file", Code: crm.ViolationInvalid,
			Detail: "The report definition must be one JSON object."})
	}
	return d.domain(), nil
}

// WriteReportDefinition writes a report as a definition file, indented:
// what ParseReportDefinition takes back.
func WriteReportDefinition(w io.Writer, r crm.Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(reportDefinitionOf(r.Definition()))
}

// reportInt is an optional integer of a definition: Envybox writes these
// as numbers, numeric strings ("2") or null; "" is null too.
type reportInt crm.ReportInt

// UnmarshalJSON accepts a number, a numeric string, "" or null.
func (r *reportInt) UnmarshalJSON(b []byte) error {
	*r = reportInt{}
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fmt.Errorf("%s is not an integer", string(b))
		}
		n = int64(f)
	}
	*r = reportInt{V: n, Valid: true}
	return nil
}

// MarshalJSON writes a number or null.
func (r reportInt) MarshalJSON() ([]byte, error) {
	if !r.Valid {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatInt(r.V, 10)), nil
}

// reportIntText is a reportInt that Envybox writes as a string
// (dynamicValue.value: "2").
type reportIntText struct{ reportInt }

// MarshalJSON writes a string or null.
func (r reportIntText) MarshalJSON() ([]byte, error) {
	if !r.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(strconv.FormatInt(r.V, 10))
}

// reportDefinition is the definition file.
type reportDefinition struct {
	Name         string         `json:"name"`
	Settings     reportSettings `json:"settings"`
	TableColumns []reportColumn `json:"tableColumns"`
}

// reportColumn is a tableColumns item of the file: the other members of a
// column of a stat/custom answer (crm_id, custom_stat_id, times) are
// accepted and ignored, so a column can be copied from an answer.
type reportColumn struct {
	ID       int64                `json:"id,omitempty"`
	Settings reportColumnSettings `json:"settings"`

	CrmID        json.RawMessage `json:"crm_id,omitempty"`
	CustomStatID json.RawMessage `json:"custom_stat_id,omitempty"`
	CreatedAt    json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt    json.RawMessage `json:"updated_at,omitempty"`
	DeletedAt    json.RawMessage `json:"deleted_at,omitempty"`
}

// reportSettings are a report's "settings".
type reportSettings struct {
	RowParams      []reportRowParam `json:"rowParams"`
	TypeDateFilter string           `json:"typeDateFilter"`
	// RowShowConditions are only counted: crmd refuses any.
	RowShowConditions     []json.RawMessage `json:"rowShowConditions"`
	DateStages            []reportInt       `json:"dateStages"`
	TypeDateFilterInputID reportInt         `json:"typeDateFilterInputId"`
}

// MarshalJSON writes the settings in Envybox's shape: empty lists as [],
// typeDateFilterInputId as a string ("" when none).
func (s reportSettings) MarshalJSON() ([]byte, error) {
	input := ""
	if s.TypeDateFilterInputID.Valid {
		input = strconv.FormatInt(s.TypeDateFilterInputID.V, 10)
	}
	return json.Marshal(struct {
		RowParams             []reportRowParam  `json:"rowParams"`
		TypeDateFilter        string            `json:"typeDateFilter"`
		RowShowConditions     []json.RawMessage `json:"rowShowConditions"`
		DateStages            []reportInt       `json:"dateStages"`
		TypeDateFilterInputID string            `json:"typeDateFilterInputId"`
	}{nonNil(s.RowParams), s.TypeDateFilter, nonNil(s.RowShowConditions), nonNil(s.DateStages), input})
}

// reportRowParam is a rowParams item: {"type": n}, or {"type": 4,
// "crm_element_id": e, "value": field id} for a field.
type reportRowParam struct {
	Type    int       `json:"type"`
	Element reportInt `json:"crm_element_id"`
	Value   reportInt `json:"value"`
}

// MarshalJSON leaves crm_element_id and value out of built-in groupings.
func (p reportRowParam) MarshalJSON() ([]byte, error) {
	if crm.ReportDimension(p.Type) != crm.ReportByField {
		return json.Marshal(struct {
			Type int `json:"type"`
		}{p.Type})
	}
	return json.Marshal(struct {
		Element reportInt `json:"crm_element_id"`
		Value   reportInt `json:"value"`
		Type    int       `json:"type"`
	}{p.Element, p.Value, p.Type})
}

// reportColumnSettings are a column's "settings".
type reportColumnSettings struct {
	StaticColumnName string            `json:"staticColumnName"`
	OperationParams  reportOperation   `json:"operationParams"`
	DynamicValue     reportDynamic     `json:"dynamicValue"`
	TypeColumn       int               `json:"typeColumn"`
	CalcConditions   []reportCondition `json:"calcConditions"`
	// ShowConditions are only counted: crmd refuses any.
	ShowConditions []json.RawMessage `json:"showConditions"`
}

// MarshalJSON writes empty lists as [].
func (s reportColumnSettings) MarshalJSON() ([]byte, error) {
	type plain reportColumnSettings
	p := plain(s)
	p.CalcConditions, p.ShowConditions = nonNil(p.CalcConditions), nonNil(p.ShowConditions)
	return json.Marshal(p)
}

// reportOperation is "operationParams".
type reportOperation struct {
	Type    int       `json:"type"`
	Element reportInt `json:"crm_element_id"`
	Value   reportInt `json:"value"`
}

// reportDynamic is "dynamicValue".
type reportDynamic struct {
	Element reportInt     `json:"crm_element_id"`
	Value   reportIntText `json:"value"`
}

// reportCondition is a calcConditions item. Values are kept as decoded
// (a number is a float64): which of them the dimension takes is the
// domain's call, and it names the others.
type reportCondition struct {
	Type    int       `json:"type"`
	Element reportInt `json:"crm_element_id"`
	Value   reportInt `json:"value"`
	Values  []any     `json:"values"`
}

// MarshalJSON leaves crm_element_id and value out of built-in dimensions.
func (c reportCondition) MarshalJSON() ([]byte, error) {
	values := nonNil(c.Values)
	if crm.ReportDimension(c.Type) != crm.ReportByField {
		return json.Marshal(struct {
			Type   int   `json:"type"`
			Values []any `json:"values"`
		}{c.Type, values})
	}
	return json.Marshal(struct {
		Type    int       `json:"type"`
		Element reportInt `json:"crm_element_id"`
		Value   reportInt `json:"value"`
		Values  []any     `json:"values"`
	}{c.Type, c.Element, c.Value, values})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// domain is the definition in the domain's terms.
func (d reportDefinition) domain() crm.ReportDefinition {
	out := crm.ReportDefinition{Name: d.Name, Settings: d.Settings.domain()}
	for _, c := range d.TableColumns {
		out.TableColumns = append(out.TableColumns, crm.ReportColumnDefinition{ID: c.ID, Settings: c.Settings.domain()})
	}
	return out
}

func (s reportSettings) domain() crm.ReportSettings {
	out := crm.ReportSettings{TypeDateFilter: crm.ReportDateFilter(s.TypeDateFilter), RowShowConditions: len(s.RowShowConditions),
		TypeDateFilterInputID: crm.ReportInt(s.TypeDateFilterInputID)}
	for _, p := range s.RowParams {
		out.RowParams = append(out.RowParams, crm.ReportRowParam{Type: crm.ReportDimension(p.Type), Element: crm.ReportInt(p.Element),
			Value: crm.ReportInt(p.Value)})
	}
	for _, id := range s.DateStages {
		out.DateStages = append(out.DateStages, crm.ReportInt(id))
	}
	return out
}

func (s reportColumnSettings) domain() crm.ReportColumnSettings {
	out := crm.ReportColumnSettings{
		StaticColumnName: s.StaticColumnName,
		OperationParams: crm.ReportOperation{Type: crm.ReportOperationType(s.OperationParams.Type),
			Element: crm.ReportInt(s.OperationParams.Element), Value: crm.ReportInt(s.OperationParams.Value)},
		DynamicValue:   crm.ReportDynamic{Element: crm.ReportInt(s.DynamicValue.Element), Value: crm.ReportInt(s.DynamicValue.Value.reportInt)},
		TypeColumn:     crm.ReportColumnType(s.TypeColumn),
		ShowConditions: len(s.ShowConditions),
	}
	for _, c := range s.CalcConditions {
		dc := crm.ReportCondition{Type: crm.ReportDimension(c.Type), Element: crm.ReportInt(c.Element), Value: crm.ReportInt(c.Value)}
		for _, v := range c.Values {
			switch x := v.(type) {
			case float64:
				dc.Values = append(dc.Values, crm.ReportNumber(x))
			case string:
				dc.Values = append(dc.Values, crm.ReportText(x))
			default:
				// A flag, a list, an object or null: the domain refuses it
				// in the words of the condition's dimension.
				dc.Values = append(dc.Values, crm.ReportValue{})
			}
		}
		out.CalcConditions = append(out.CalcConditions, dc)
	}
	return out
}

// reportDefinitionOf is a definition as the file writes it.
func reportDefinitionOf(d crm.ReportDefinition) reportDefinition {
	out := reportDefinition{Name: d.Name, Settings: reportSettingsOf(d.Settings), TableColumns: []reportColumn{}}
	for _, c := range d.TableColumns {
		out.TableColumns = append(out.TableColumns, reportColumn{ID: c.ID, Settings: reportColumnSettingsOf(c.Settings)})
	}
	return out
}

// reportSettingsOf is a report's settings as stat/custom and the file
// write them. Show conditions, which a stored report never has, are
// written as the empty list.
func reportSettingsOf(s crm.ReportSettings) reportSettings {
	out := reportSettings{TypeDateFilter: string(s.TypeDateFilter), TypeDateFilterInputID: reportInt(s.TypeDateFilterInputID)}
	for _, p := range s.RowParams {
		out.RowParams = append(out.RowParams, reportRowParam{Type: int(p.Type), Element: reportInt(p.Element), Value: reportInt(p.Value)})
	}
	for _, id := range s.DateStages {
		out.DateStages = append(out.DateStages, reportInt(id))
	}
	return out
}

// reportColumnSettingsOf is a column's settings as stat/custom and the
// file write them.
func reportColumnSettingsOf(s crm.ReportColumnSettings) reportColumnSettings {
	out := reportColumnSettings{
		StaticColumnName: s.StaticColumnName,
		OperationParams: reportOperation{Type: int(s.OperationParams.Type), Element: reportInt(s.OperationParams.Element),
			Value: reportInt(s.OperationParams.Value)},
		DynamicValue: reportDynamic{Element: reportInt(s.DynamicValue.Element), Value: reportIntText{reportInt(s.DynamicValue.Value)}},
		TypeColumn:   int(s.TypeColumn),
	}
	for _, c := range s.CalcConditions {
		wc := reportCondition{Type: int(c.Type), Element: reportInt(c.Element), Value: reportInt(c.Value), Values: make([]any, len(c.Values))}
		for i, v := range c.Values {
			switch v.Kind {
			case crm.ReportValueNumber:
				wc.Values[i] = v.Number
			case crm.ReportValueText:
				wc.Values[i] = v.Text
			}
		}
		out.CalcConditions = append(out.CalcConditions, wc)
	}
	return out
}
