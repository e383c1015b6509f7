package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Custom statistics (Envybox stat/custom, E41): a Report is a stored
// definition of a table over the deals of one pipeline. Its rows group the
// deals (settings.rowParams), its columns aggregate them (tableColumns: a
// count or a sum, one value or one value per member of a dimension), and
// settings.typeDateFilter says which date the requested range applies to.
// Envybox never defines its numeric codes; crmd's are below and in
// docs/envybox-stats.md, which is the definition format's reference.

// Dimension codes: rowParams[].type, dynamicValue.value (with
// crm_element_id null) and calcConditions[].type.
const (
	ReportByResponsible = 1 // the deal's responsible: its employee, else its administrator; 0 nobody
	ReportByStage       = 2 // the deal's stage id
	ReportByInboxType   = 3 // the deal's inbox type id (0: none)
	ReportByField       = 4 // a field of the deal or its client (crm_element_id, value = field id)
	ReportByDepartment  = 5 // the deal's responsible department id (0: none)
	ReportByStatus      = 6 // the status of the deal's stage: 2001 new … 2004 lost
)

// Operation codes: operationParams.type.
const (
	ReportCount = 1 // the number of deals
	ReportSum   = 2 // the sum of a numeric custom field of the deal or its client
)

// Column kinds: typeColumn.
const (
	ReportStaticColumn  = 1 // one value per row
	ReportDynamicColumn = 2 // one value per member of dynamicValue's dimension
)

// Entity codes: crm_element_id (Envybox §1.6).
const (
	ReportElementClient = 2
	ReportElementDeal   = 3
)

// Date filters: settings.typeDateFilter.
const (
	ReportDateCreated         = "created"          // the deal was created in the range
	ReportDateClosed          = "closed"           // the deal reached a won or lost stage in the range
	ReportDateStageChanged    = "stage_changed"    // the deal's last stage change is in the range
	ReportDateStageTransition = "stage_transition" // the deal entered one of dateStages (any stage when empty) in the range
	ReportDateInput           = "input"            // the deal's date field typeDateFilterInputId is in the range
)

// Definition limits.
const (
	MaxReportRows    = 10
	MaxReportColumns = 50
	MaxReportName    = 255
)

// MsgReportNotFound is the error text of an unknown stat_id.
const MsgReportNotFound = "Статистика не найдена"

// MsgPipelineNotFound is the error text of an unknown deal pipeline.
const MsgPipelineNotFound = "Воронка не найдена"

// ReportInt is an optional integer of a report definition: Envybox writes
// these as numbers, numeric strings ("2") or null; "" is null too.
type ReportInt struct {
	V     int64
	Valid bool
}

// ReportIntOf returns a set ReportInt.
func ReportIntOf(v int64) ReportInt { return ReportInt{V: v, Valid: true} }

// UnmarshalJSON accepts a number, a numeric string, "" or null.
func (r *ReportInt) UnmarshalJSON(b []byte) error {
	*r = ReportInt{}
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
	*r = ReportInt{V: n, Valid: true}
	return nil
}

// MarshalJSON writes a number or null.
func (r ReportInt) MarshalJSON() ([]byte, error) {
	if !r.Valid {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatInt(r.V, 10)), nil
}

// ReportIntText is a ReportInt that Envybox writes as a string
// (dynamicValue.value: "2").
type ReportIntText struct{ ReportInt }

// MarshalJSON writes a string or null.
func (r ReportIntText) MarshalJSON() ([]byte, error) {
	if !r.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(strconv.FormatInt(r.V, 10))
}

// Report is a stored custom statistic.
type Report struct {
	ID        int64
	AccountID int64
	Name      string
	Settings  ReportSettings
	Columns   []ReportColumn // in display order
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReportSettings are a report's rows and date filter (Envybox "settings").
type ReportSettings struct {
	RowParams      []ReportRowParam `json:"rowParams"`
	TypeDateFilter string           `json:"typeDateFilter"`
	// RowShowConditions must be empty: Envybox never describes them.
	RowShowConditions []json.RawMessage `json:"rowShowConditions"`
	// DateStages are the stages of the stage_transition filter.
	DateStages []ReportInt `json:"dateStages"`
	// TypeDateFilterInputID is the deal date field of the input filter.
	TypeDateFilterInputID ReportInt `json:"typeDateFilterInputId"`
}

// MarshalJSON writes the settings in Envybox's shape: empty lists as [],
// typeDateFilterInputId as a string ("" when none).
func (s ReportSettings) MarshalJSON() ([]byte, error) {
	input := ""
	if s.TypeDateFilterInputID.Valid {
		input = strconv.FormatInt(s.TypeDateFilterInputID.V, 10)
	}
	return json.Marshal(struct {
		RowParams             []ReportRowParam  `json:"rowParams"`
		TypeDateFilter        string            `json:"typeDateFilter"`
		RowShowConditions     []json.RawMessage `json:"rowShowConditions"`
		DateStages            []ReportInt       `json:"dateStages"`
		TypeDateFilterInputID string            `json:"typeDateFilterInputId"`
	}{nonNil(s.RowParams), s.TypeDateFilter, nonNil(s.RowShowConditions), nonNil(s.DateStages), input})
}

// ReportRowParam is one row grouping: {"type": n}, or {"type": 4,
// "crm_element_id": e, "value": field id} for a field.
type ReportRowParam struct {
	Type    int       `json:"type"`
	Element ReportInt `json:"crm_element_id"`
	Value   ReportInt `json:"value"`
}

// MarshalJSON leaves crm_element_id and value out of built-in groupings.
func (p ReportRowParam) MarshalJSON() ([]byte, error) {
	if p.Type != ReportByField {
		return json.Marshal(struct {
			Type int `json:"type"`
		}{p.Type})
	}
	return json.Marshal(struct {
		Element ReportInt `json:"crm_element_id"`
		Value   ReportInt `json:"value"`
		Type    int       `json:"type"`
	}{p.Element, p.Value, p.Type})
}

// Key is the member of a data row that carries this grouping's value:
// "<type>_value", or "<crm_element_id>_<field id>" for a field.
func (p ReportRowParam) Key() string {
	if p.Type == ReportByField {
		return fmt.Sprintf("%d_%d", p.Element.V, p.Value.V)
	}
	return fmt.Sprintf("%d_value", p.Type)
}

// ReportColumn is one column of a report.
type ReportColumn struct {
	ID        int64
	AccountID int64
	ReportID  int64
	Settings  ReportColumnSettings
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Key is the member of a data row that carries the column: "<id>_column".
func (c ReportColumn) Key() string { return fmt.Sprintf("%d_column", c.ID) }

// ReportColumnSettings are a column's definition (Envybox "settings" of a
// tableColumns item).
type ReportColumnSettings struct {
	StaticColumnName string          `json:"staticColumnName"`
	OperationParams  ReportOperation `json:"operationParams"`
	DynamicValue     ReportDynamic   `json:"dynamicValue"`
	TypeColumn       int             `json:"typeColumn"`
	// CalcConditions restrict the deals the column counts (all must hold).
	CalcConditions []ReportCondition `json:"calcConditions"`
	// ShowConditions must be empty: Envybox never describes them.
	ShowConditions []json.RawMessage `json:"showConditions"`
}

// MarshalJSON writes empty lists as [].
func (s ReportColumnSettings) MarshalJSON() ([]byte, error) {
	type plain ReportColumnSettings
	p := plain(s)
	p.CalcConditions, p.ShowConditions = nonNil(p.CalcConditions), nonNil(p.ShowConditions)
	return json.Marshal(p)
}

// ReportOperation is what a column computes: count (type 1) or the sum
// (type 2) of the field value of the entity crm_element_id.
type ReportOperation struct {
	Type    int       `json:"type"`
	Element ReportInt `json:"crm_element_id"`
	Value   ReportInt `json:"value"`
}

// ReportDynamic is the dimension a dynamic column is split by: a built-in
// dimension code in value (crm_element_id null), or a field.
type ReportDynamic struct {
	Element ReportInt     `json:"crm_element_id"`
	Value   ReportIntText `json:"value"`
}

// ReportCondition restricts a column to the deals whose dimension (type, and
// for a field crm_element_id and value) is one of values: ids for built-in
// dimensions and list fields, texts for other fields.
type ReportCondition struct {
	Type    int       `json:"type"`
	Element ReportInt `json:"crm_element_id"`
	Value   ReportInt `json:"value"`
	Values  []any     `json:"values"`
}

// MarshalJSON leaves crm_element_id and value out of built-in dimensions.
func (c ReportCondition) MarshalJSON() ([]byte, error) {
	values := nonNil(c.Values)
	if c.Type != ReportByField {
		return json.Marshal(struct {
			Type   int   `json:"type"`
			Values []any `json:"values"`
		}{c.Type, values})
	}
	return json.Marshal(struct {
		Type    int       `json:"type"`
		Element ReportInt `json:"crm_element_id"`
		Value   ReportInt `json:"value"`
		Values  []any     `json:"values"`
	}{c.Type, c.Element, c.Value, values})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ReportDefinition is a report as an administrator writes it (crmd report
// create|update --file): the name, Envybox's settings and its tableColumns.
// Columns carrying the id of an existing column of the report keep it (and
// so their "<id>_column" key); the other members of a tableColumns item
// that stat/custom answers (crm_id, custom_stat_id, times) are accepted and
// ignored, so a column can be copied from an answer.
type ReportDefinition struct {
	Name         string                   `json:"name"`
	Settings     ReportSettings           `json:"settings"`
	TableColumns []ReportColumnDefinition `json:"tableColumns"`
}

// ReportColumnDefinition is one column of a ReportDefinition.
type ReportColumnDefinition struct {
	ID       int64                `json:"id,omitempty"`
	Settings ReportColumnSettings `json:"settings"`

	CrmID        json.RawMessage `json:"crm_id,omitempty"`
	CustomStatID json.RawMessage `json:"custom_stat_id,omitempty"`
	CreatedAt    json.RawMessage `json:"created_at,omitempty"`
	UpdatedAt    json.RawMessage `json:"updated_at,omitempty"`
	DeletedAt    json.RawMessage `json:"deleted_at,omitempty"`
}

// Definition returns the report as a definition (what --file takes).
func (r Report) Definition() ReportDefinition {
	d := ReportDefinition{Name: r.Name, Settings: r.Settings, TableColumns: []ReportColumnDefinition{}}
	for _, c := range r.Columns {
		d.TableColumns = append(d.TableColumns, ReportColumnDefinition{ID: c.ID, Settings: c.Settings})
	}
	return d
}

// ParseReportDefinition decodes a definition; unknown members are refused
// so that a misspelt key is not silently ignored. Errors: invalid.
func ParseReportDefinition(data []byte) (ReportDefinition, error) {
	var d ReportDefinition
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, Invalid(Violation{Path: "file", Code: ViolationInvalid, Detail: "The report definition is not valid JSON of the documented shape: " + err.Error()})
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return d, Invalid(Violation{Path: "file", Code: ViolationInvalid, Detail: "The report definition must be one JSON object."})
	}
	return d, nil
}

// ReportDim is one dimension of a report query, resolved against the
// account's fields.
type ReportDim struct {
	Kind int // a ReportBy* code
	// For ReportByField: the entity (EntityDeal or EntityContact), the field
	// id, whether it is a service field (service_values; deal 2001 and
	// client 1001 are the names) and whether its values are list options
	// (keyed by option id; the first value of a multi-valued field).
	Entity  EntityType
	FieldID int64
	Service bool
	Enum    bool
}

// Textual reports whether the dimension's values are texts (fields that
// are not lists); the others are integer ids.
func (d ReportDim) Textual() bool { return d.Kind == ReportByField && !d.Enum }

// ReportFilter keeps the deals whose dimension is one of Ints (integer
// dimensions) or Texts (textual ones).
type ReportFilter struct {
	Dim   ReportDim
	Ints  []int64
	Texts []string
}

// ReportQuery is one aggregation over the deals of a pipeline, grouped in
// the database.
type ReportQuery struct {
	PipelineID int64
	// DateFilter is a ReportDate* value; Dates the inclusive range in Unix
	// seconds.
	DateFilter   string
	DateStageIDs []int64
	DateFieldID  int64
	Dates        Range
	GroupBy      []ReportDim
	Filters      []ReportFilter
	// Sum, when set, sums that numeric field (a ReportByField dimension);
	// otherwise deals are counted.
	Sum *ReportDim
}

// ReportKey is the value of one dimension of a group.
type ReportKey struct {
	Null    bool // no value (a field the deal does not fill)
	Textual bool
	Int     int64
	Text    string
}

// String is the key of a dynamic column's member: the id, the text, "0"
// for a missing id and "" for a missing text.
func (k ReportKey) String() string {
	switch {
	case k.Textual:
		return k.Text
	case k.Null:
		return "0"
	}
	return strconv.FormatInt(k.Int, 10)
}

// JSONValue is the key as a data row shows it: a number, a string or null.
func (k ReportKey) JSONValue() any {
	switch {
	case k.Null:
		return nil
	case k.Textual:
		return k.Text
	}
	return k.Int
}

// compareKeys orders keys: missing first, then ids by value, texts
// lexicographically.
func compareKeys(a, b ReportKey) int {
	switch {
	case a.Null != b.Null:
		if a.Null {
			return -1
		}
		return 1
	case a.Textual:
		return strings.Compare(a.Text, b.Text)
	case a.Int < b.Int:
		return -1
	case a.Int > b.Int:
		return 1
	}
	return 0
}

func compareKeyLists(a, b []ReportKey) int {
	for i := range min(len(a), len(b)) {
		if c := compareKeys(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// ReportGroup is one group of a ReportQuery: its keys (in GroupBy order)
// and the count or sum.
type ReportGroup struct {
	Keys  []ReportKey
	Value float64
}

// ReportRange is what a report is evaluated for: a deal pipeline and an
// inclusive range of Unix seconds.
type ReportRange struct {
	PipelineID int64
	From, To   int64
}

// ReportResult is an evaluated report.
type ReportResult struct {
	Report Report
	// Rows are the groups of deals, ordered by their keys.
	Rows []ReportRow
	// Total holds the column totals (Keys empty).
	Total ReportRow
}

// ReportRow is one row: its keys (one per row grouping; in a tree, those
// of its level and the levels above) and one cell per column.
type ReportRow struct {
	Keys     []ReportKey
	Cells    []ReportCell
	Children []ReportRow // tree nodes above the last level
}

// ReportCell is a column's value in a row: Value for a static column,
// Split (member key → value) for a dynamic one.
type ReportCell struct {
	Value float64
	Split map[string]float64
}

func (c *ReportCell) add(o ReportCell) {
	c.Value += o.Value
	if o.Split != nil && c.Split == nil {
		c.Split = map[string]float64{}
	}
	for k, v := range o.Split {
		c.Split[k] += v
	}
}

// newCells returns empty cells for the columns.
func newCells(cols []ReportColumn) []ReportCell {
	cells := make([]ReportCell, len(cols))
	for i, c := range cols {
		if c.Settings.TypeColumn == ReportDynamicColumn {
			cells[i].Split = map[string]float64{}
		}
	}
	return cells
}

// Tree nests the rows by grouping level: a node per distinct key of the
// first grouping, holding the subtotals of its rows and, unless it is at
// the last level, its children by the next grouping. Counts and sums add
// up exactly because every deal is in exactly one row.
func (r ReportResult) Tree() []ReportRow {
	return nest(r.Rows, 0, r.Report.Columns)
}

func nest(rows []ReportRow, level int, cols []ReportColumn) []ReportRow {
	if len(rows) == 0 || level >= len(rows[0].Keys) {
		return rows
	}
	var out []ReportRow
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && compareKeys(rows[j].Keys[level], rows[i].Keys[level]) == 0 {
			j++
		}
		node := ReportRow{Keys: rows[i].Keys[:level+1], Cells: newCells(cols)}
		for _, row := range rows[i:j] {
			for c := range node.Cells {
				node.Cells[c].add(row.Cells[c])
			}
		}
		if level+1 < len(rows[i].Keys) {
			node.Children = nest(rows[i:j], level+1, cols)
		}
		out = append(out, node)
		i = j
	}
	return out
}

// sortRows orders rows by their keys.
func sortRows(rows []ReportRow) {
	sort.SliceStable(rows, func(i, j int) bool { return compareKeyLists(rows[i].Keys, rows[j].Keys) < 0 })
}
