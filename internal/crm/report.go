package crm

import (
	"context"
	"fmt"
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
// docs/envybox-stats.md, which is the definition format's reference. The
// types below are the definition as values; its JSON is the Envybox
// dialect's (internal/api/envybox, which the CLI's --file shares) and the
// store's own.

// ReportDimension is what rows are grouped by, a dynamic column is split
// by or a column condition restricts: rowParams[].type,
// dynamicValue.value (with crm_element_id null) and calcConditions[].type.
// Codes outside the list below are kept so that validation can name them.
type ReportDimension int

// The dimensions.
const (
	ReportByResponsible ReportDimension = 1 // the deal's responsible: its employee, else its administrator; 0 nobody
	ReportByStage       ReportDimension = 2 // the deal's stage id
	ReportByInboxType   ReportDimension = 3 // the deal's inbox type id (0: none)
	ReportByField       ReportDimension = 4 // a field of the deal or its client (crm_element_id, value = field id)
	ReportByDepartment  ReportDimension = 5 // the deal's responsible department id (0: none)
	ReportByStatus      ReportDimension = 6 // the status of the deal's stage: 2001 new … 2004 lost
)

// ReportOperationType is what a column computes: operationParams.type.
type ReportOperationType int

// The operations.
const (
	ReportCount ReportOperationType = 1 // the number of deals
	ReportSum   ReportOperationType = 2 // the sum of a numeric custom field of the deal or its client
)

// ReportColumnType is a column's kind: typeColumn.
type ReportColumnType int

// The column kinds.
const (
	ReportStaticColumn  ReportColumnType = 1 // one value per row
	ReportDynamicColumn ReportColumnType = 2 // one value per member of dynamicValue's dimension
)

// Entity codes: crm_element_id (Envybox §1.6), the values of a ReportInt.
const (
	ReportElementClient = 2
	ReportElementDeal   = 3
)

// ReportDateFilter is the date of a deal the evaluated range applies to:
// settings.typeDateFilter.
type ReportDateFilter string

// The date filters.
const (
	ReportDateCreated         ReportDateFilter = "created"          // the deal was created in the range
	ReportDateClosed          ReportDateFilter = "closed"           // the deal reached a won or lost stage in the range
	ReportDateStageChanged    ReportDateFilter = "stage_changed"    // the deal's last stage change is in the range
	ReportDateStageTransition ReportDateFilter = "stage_transition" // the deal entered one of dateStages (any stage when empty) in the range
	ReportDateInput           ReportDateFilter = "input"            // the deal's date field typeDateFilterInputId is in the range
)

// Definition limits.
const (
	MaxReportRows    = 10
	MaxReportColumns = 50
	MaxReportName    = 255
)

// ReportInt is an optional integer of a report definition (an id or a
// code that may be left out).
type ReportInt struct {
	V     int64
	Valid bool
}

// ReportIntOf returns a set ReportInt.
func ReportIntOf(v int64) ReportInt { return ReportInt{V: v, Valid: true} }

// ReportValueKind is what a column condition's value was written as.
type ReportValueKind int

// The kinds of condition values. The zero kind is a value that is neither
// a number nor a text (a flag, a list, null): validation refuses it with
// the dimension's own words, so the decoder keeps it rather than failing.
const (
	ReportValueInvalid ReportValueKind = iota
	ReportValueNumber
	ReportValueText
)

// ReportValue is one value of a column condition: an id (a number, or a
// numeric text) or a text. Validation normalises it to the dimension's
// kind: a whole Number for id dimensions and list fields, a Text for the
// other fields.
type ReportValue struct {
	Kind   ReportValueKind
	Number float64
	Text   string
}

// ReportNumber is a number condition value.
func ReportNumber(n float64) ReportValue { return ReportValue{Kind: ReportValueNumber, Number: n} }

// ReportText is a text condition value.
func ReportText(s string) ReportValue { return ReportValue{Kind: ReportValueText, Text: s} }

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
	RowParams      []ReportRowParam
	TypeDateFilter ReportDateFilter // "" is ReportDateCreated
	// RowShowConditions is how many row show conditions were given: it
	// must be 0, as Envybox never describes them.
	RowShowConditions int
	// DateStages are the stages of the stage_transition filter.
	DateStages []ReportInt
	// TypeDateFilterInputID is the deal date field of the input filter.
	TypeDateFilterInputID ReportInt
}

// ReportRowParam is one row grouping: a built-in dimension, or
// ReportByField with the entity (Element, a crm_element_id) and the field
// id (Value).
type ReportRowParam struct {
	Type    ReportDimension
	Element ReportInt
	Value   ReportInt
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
	StaticColumnName string
	OperationParams  ReportOperation
	DynamicValue     ReportDynamic
	TypeColumn       ReportColumnType
	// CalcConditions restrict the deals the column counts (all must hold).
	CalcConditions []ReportCondition
	// ShowConditions is how many column show conditions were given: it
	// must be 0, as Envybox never describes them.
	ShowConditions int
}

// ReportOperation is what a column computes: count, or the sum of the
// field Value of the entity Element (a crm_element_id).
type ReportOperation struct {
	Type    ReportOperationType
	Element ReportInt
	Value   ReportInt
}

// ReportDynamic is the dimension a dynamic column is split by: a built-in
// dimension code in Value (Element not set), or a field (Element the
// crm_element_id, Value the field id).
type ReportDynamic struct {
	Element ReportInt
	Value   ReportInt
}

// ReportCondition restricts a column to the deals whose dimension (Type,
// and for a field Element and Value) is one of Values: ids for built-in
// dimensions and list fields, texts for other fields.
type ReportCondition struct {
	Type    ReportDimension
	Element ReportInt
	Value   ReportInt
	Values  []ReportValue
}

// ReportDefinition is a report as an administrator writes it (crmd report
// create|update --file): the name, Envybox's settings and its tableColumns.
// Columns carrying the id of an existing column of the report keep it (and
// so their "<id>_column" key).
type ReportDefinition struct {
	Name         string
	Settings     ReportSettings
	TableColumns []ReportColumnDefinition
}

// ReportColumnDefinition is one column of a ReportDefinition; ID is 0 for
// a new column.
type ReportColumnDefinition struct {
	ID       int64
	Settings ReportColumnSettings
}

// Definition returns the report as a definition (what --file takes).
func (r Report) Definition() ReportDefinition {
	d := ReportDefinition{Name: r.Name, Settings: r.Settings, TableColumns: []ReportColumnDefinition{}}
	for _, c := range r.Columns {
		d.TableColumns = append(d.TableColumns, ReportColumnDefinition{ID: c.ID, Settings: c.Settings})
	}
	return d
}

// ReportDim is one dimension of a report query, resolved against the
// account's fields.
type ReportDim struct {
	Kind ReportDimension
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
	// DateFilter is the date Dates, the inclusive range in Unix seconds,
	// applies to.
	DateFilter   ReportDateFilter
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

// ReportStore keeps custom statistics (reports) and computes their groups.
type ReportStore interface {
	// InsertReport stores a custom statistic with its columns and sets
	// their ids, account and times.
	InsertReport(ctx context.Context, r *Report) error
	// UpdateReport stores a report's name and settings and replaces its
	// columns: those whose id is one of the report's keep it, the others are
	// inserted, and the report's columns missing from r are deleted.
	// KindNotFound when there is no such report.
	UpdateReport(ctx context.Context, r *Report) error
	// Report returns a report with its columns. KindNotFound when there is
	// none.
	Report(ctx context.Context, id int64) (Report, error)
	// Reports lists the account's reports with their columns, by id.
	Reports(ctx context.Context) ([]Report, error)
	// ReportGroups counts or sums the deals q selects, grouped by
	// q.GroupBy, in the database (GROUP BY); one group per distinct key.
	ReportGroups(ctx context.Context, q ReportQuery) ([]ReportGroup, error)
}
