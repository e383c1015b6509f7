package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Custom statistics (Envybox stat/custom): the stored definitions and the
// aggregation that evaluates them. internal/crm validates definitions
// before they get here; the settings columns hold them as JSON of the
// store's own types below.

// The settings columns keep the member names and value kinds of Envybox's
// definition shape, which every row since migration 0009 has, so that rows
// of earlier crmd versions read and earlier versions read new rows. Rows
// written before this encoding have ids as numeric strings in places
// (typeDateFilterInputId "" or "12", dynamicValue.value "2") and carry
// rowShowConditions and showConditions, always empty: storedInt reads both
// forms, and the empty lists are not written.

// reportSettingsJSON is custom_stats.settings.
type reportSettingsJSON struct {
	RowParams             []reportDimJSON `json:"rowParams"`
	TypeDateFilter        string          `json:"typeDateFilter"`
	DateStages            []storedInt     `json:"dateStages"`
	TypeDateFilterInputID storedInt       `json:"typeDateFilterInputId"`
}

// reportDimJSON is a dimension or an operation: its code and, for a
// field, the entity (crm_element_id) and the field id.
type reportDimJSON struct {
	Type    int       `json:"type"`
	Element storedInt `json:"crm_element_id"`
	Value   storedInt `json:"value"`
}

// reportColumnJSON is custom_stat_columns.settings.
type reportColumnJSON struct {
	StaticColumnName string        `json:"staticColumnName"`
	OperationParams  reportDimJSON `json:"operationParams"`
	DynamicValue     struct {
		Element storedInt `json:"crm_element_id"`
		Value   storedInt `json:"value"`
	} `json:"dynamicValue"`
	TypeColumn     int                   `json:"typeColumn"`
	CalcConditions []reportConditionJSON `json:"calcConditions"`
}

// reportConditionJSON is a column condition; its values are numbers (ids)
// or strings (texts).
type reportConditionJSON struct {
	reportDimJSON
	Values []storedValue `json:"values"`
}

// storedInt is an optional integer: a number or null (read also as a
// numeric string, "" being null).
type storedInt crm.ReportInt

// MarshalJSON writes a number or null.
func (n storedInt) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte(`null`), nil
	}
	return strconv.AppendInt(nil, n.V, 10), nil
}

// UnmarshalJSON reads a number, a numeric string, "" or null.
func (n *storedInt) UnmarshalJSON(b []byte) error {
	*n = storedInt{}
	text := string(b)
	if text == `null` {
		return nil
	}
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		if text = strings.TrimSpace(text); text == "" {
			return nil
		}
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("stored report id %s: %w", b, err)
	}
	*n = storedInt{V: v, Valid: true}
	return nil
}

// storedValue is a condition value: a number or a string.
type storedValue crm.ReportValue

// MarshalJSON writes a number or a string (null for neither, which
// validation never lets through).
func (v storedValue) MarshalJSON() ([]byte, error) {
	switch v.Kind {
	case crm.ReportValueNumber:
		return json.Marshal(v.Number)
	case crm.ReportValueText:
		return json.Marshal(v.Text)
	}
	return []byte(`null`), nil
}

// UnmarshalJSON reads a number or a string.
func (v *storedValue) UnmarshalJSON(b []byte) error {
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	switch y := x.(type) {
	case float64:
		*v = storedValue(crm.ReportNumber(y))
	case string:
		*v = storedValue(crm.ReportText(y))
	default:
		*v = storedValue{}
	}
	return nil
}

func encodeReportSettings(s crm.ReportSettings) (string, error) {
	row := reportSettingsJSON{RowParams: make([]reportDimJSON, 0, len(s.RowParams)), TypeDateFilter: string(s.TypeDateFilter),
		DateStages: make([]storedInt, 0, len(s.DateStages)), TypeDateFilterInputID: storedInt(s.TypeDateFilterInputID)}
	for _, p := range s.RowParams {
		row.RowParams = append(row.RowParams, reportDimJSON{Type: int(p.Type), Element: storedInt(p.Element), Value: storedInt(p.Value)})
	}
	for _, id := range s.DateStages {
		row.DateStages = append(row.DateStages, storedInt(id))
	}
	b, err := json.Marshal(row)
	return string(b), err
}

func decodeReportSettings(text string) (crm.ReportSettings, error) {
	var row reportSettingsJSON
	if err := json.Unmarshal([]byte(text), &row); err != nil {
		return crm.ReportSettings{}, err
	}
	s := crm.ReportSettings{TypeDateFilter: crm.ReportDateFilter(row.TypeDateFilter), TypeDateFilterInputID: crm.ReportInt(row.TypeDateFilterInputID)}
	for _, p := range row.RowParams {
		s.RowParams = append(s.RowParams, crm.ReportRowParam{Type: crm.ReportDimension(p.Type), Element: crm.ReportInt(p.Element), Value: crm.ReportInt(p.Value)})
	}
	for _, id := range row.DateStages {
		s.DateStages = append(s.DateStages, crm.ReportInt(id))
	}
	return s, nil
}

func encodeReportColumn(s crm.ReportColumnSettings) (string, error) {
	row := reportColumnJSON{StaticColumnName: s.StaticColumnName, TypeColumn: int(s.TypeColumn),
		OperationParams: reportDimJSON{Type: int(s.OperationParams.Type), Element: storedInt(s.OperationParams.Element),
			Value: storedInt(s.OperationParams.Value)},
		CalcConditions: make([]reportConditionJSON, 0, len(s.CalcConditions))}
	row.DynamicValue.Element, row.DynamicValue.Value = storedInt(s.DynamicValue.Element), storedInt(s.DynamicValue.Value)
	for _, c := range s.CalcConditions {
		rc := reportConditionJSON{reportDimJSON: reportDimJSON{Type: int(c.Type), Element: storedInt(c.Element), Value: storedInt(c.Value)},
			Values: make([]storedValue, len(c.Values))}
		for i, v := range c.Values {
			rc.Values[i] = storedValue(v)
		}
		row.CalcConditions = append(row.CalcConditions, rc)
	}
	b, err := json.Marshal(row)
	return string(b), err
}

func decodeReportColumn(text string) (crm.ReportColumnSettings, error) {
	var row reportColumnJSON
	if err := json.Unmarshal([]byte(text), &row); err != nil {
		return crm.ReportColumnSettings{}, err
	}
	s := crm.ReportColumnSettings{StaticColumnName: row.StaticColumnName, TypeColumn: crm.ReportColumnType(row.TypeColumn),
		OperationParams: crm.ReportOperation{Type: crm.ReportOperationType(row.OperationParams.Type),
			Element: crm.ReportInt(row.OperationParams.Element), Value: crm.ReportInt(row.OperationParams.Value)},
		DynamicValue: crm.ReportDynamic{Element: crm.ReportInt(row.DynamicValue.Element), Value: crm.ReportInt(row.DynamicValue.Value)}}
	for _, c := range row.CalcConditions {
		dc := crm.ReportCondition{Type: crm.ReportDimension(c.Type), Element: crm.ReportInt(c.Element), Value: crm.ReportInt(c.Value)}
		for _, v := range c.Values {
			dc.Values = append(dc.Values, crm.ReportValue(v))
		}
		s.CalcConditions = append(s.CalcConditions, dc)
	}
	return s, nil
}

func (t *tenantTx) InsertReport(ctx context.Context, r *crm.Report) error {
	settings, err := encodeReportSettings(r.Settings)
	if err != nil {
		return err
	}
	r.AccountID, r.CreatedAt, r.UpdatedAt = t.accountID, t.now, t.now
	if r.ID, err = t.insert(ctx, `INSERT INTO custom_stats (account_id, name, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		t.accountID, r.Name, settings, unix(t.now), unix(t.now)); err != nil {
		return err
	}
	for i := range r.Columns {
		if err := t.insertReportColumn(ctx, r.ID, i, &r.Columns[i]); err != nil {
			return err
		}
	}
	return nil
}

func (t *tenantTx) insertReportColumn(ctx context.Context, reportID int64, position int, c *crm.ReportColumn) error {
	settings, err := encodeReportColumn(c.Settings)
	if err != nil {
		return err
	}
	c.AccountID, c.ReportID, c.CreatedAt, c.UpdatedAt = t.accountID, reportID, t.now, t.now
	c.ID, err = t.insert(ctx, `INSERT INTO custom_stat_columns (account_id, custom_stat_id, position, settings, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.accountID, reportID, position, settings, unix(t.now), unix(t.now))
	return err
}

func (t *tenantTx) UpdateReport(ctx context.Context, r *crm.Report) error {
	settings, err := encodeReportSettings(r.Settings)
	if err != nil {
		return err
	}
	r.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE custom_stats SET name = ?, settings = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		r.Name, settings, unix(t.now), t.accountID, r.ID)
	if err := affected(res, err, "Report"); err != nil {
		return err
	}
	old, err := t.reportColumns(ctx, []int64{r.ID})
	if err != nil {
		return err
	}
	existing := map[int64]crm.ReportColumn{}
	for _, c := range old[r.ID] {
		existing[c.ID] = c
	}
	kept := map[int64]bool{}
	for i := range r.Columns {
		c := &r.Columns[i]
		prev, ok := existing[c.ID]
		if c.ID == 0 || !ok || kept[c.ID] {
			if err := t.insertReportColumn(ctx, r.ID, i, c); err != nil {
				return err
			}
			continue
		}
		kept[c.ID] = true
		// A column keeps its updated_at unless its settings change; both
		// sides are compared in this encoding, whichever wrote the row.
		settings, err := encodeReportColumn(c.Settings)
		if err != nil {
			return err
		}
		prevSettings, err := encodeReportColumn(prev.Settings)
		if err != nil {
			return err
		}
		updated := prev.UpdatedAt
		if settings != prevSettings {
			updated = t.now
		}
		if _, err := t.exec(ctx, `UPDATE custom_stat_columns SET position = ?, settings = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
			i, settings, unix(updated), t.accountID, c.ID); err != nil {
			return err
		}
	}
	for id := range existing {
		if kept[id] {
			continue
		}
		if _, err := t.exec(ctx, `DELETE FROM custom_stat_columns WHERE account_id = ? AND id = ?`, t.accountID, id); err != nil {
			return err
		}
	}
	return nil
}

func (t *tenantTx) Report(ctx context.Context, id int64) (crm.Report, error) {
	list, err := t.reports(ctx, ` AND id = ?`, id)
	if err != nil {
		return crm.Report{}, err
	}
	if len(list) == 0 {
		return crm.Report{}, crm.Errorf(crm.KindNotFound, "Report not found")
	}
	return list[0], nil
}

func (t *tenantTx) Reports(ctx context.Context) ([]crm.Report, error) {
	return t.reports(ctx, ``)
}

func (t *tenantTx) reports(ctx context.Context, cond string, args ...any) ([]crm.Report, error) {
	rows, err := t.query(ctx, `SELECT id, name, settings, created_at, updated_at FROM custom_stats WHERE account_id = ?`+cond+` ORDER BY id`,
		append([]any{t.accountID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.Report
	var ids []int64
	for rows.Next() {
		r := crm.Report{AccountID: t.accountID}
		var settings string
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Name, &settings, &created, &updated); err != nil {
			return nil, err
		}
		if r.Settings, err = decodeReportSettings(settings); err != nil {
			return nil, fmt.Errorf("report %d: settings: %w", r.ID, err)
		}
		r.CreatedAt, r.UpdatedAt = fromUnix(created), fromUnix(updated)
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(ids) == 0 {
		return out, nil
	}
	cols, err := t.reportColumns(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Columns = cols[out[i].ID]
	}
	return out, nil
}

func (t *tenantTx) reportColumns(ctx context.Context, reportIDs []int64) (map[int64][]crm.ReportColumn, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.in(`custom_stat_id`, reportIDs)
	rows, err := t.query(ctx, `SELECT id, custom_stat_id, settings, created_at, updated_at FROM custom_stat_columns WHERE `+f.sql()+
		` ORDER BY custom_stat_id, position, id`, f.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]crm.ReportColumn{}
	for rows.Next() {
		c := crm.ReportColumn{AccountID: t.accountID}
		var settings string
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.ReportID, &settings, &created, &updated); err != nil {
			return nil, err
		}
		if c.Settings, err = decodeReportColumn(settings); err != nil {
			return nil, fmt.Errorf("report column %d: settings: %w", c.ID, err)
		}
		c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
		out[c.ReportID] = append(out[c.ReportID], c)
	}
	return out, rows.Err()
}

// reportSQL assembles one aggregation: the joins its field dimensions need
// (each once) and their arguments, in the order they appear in the text.
type reportSQL struct {
	t        *tenantTx
	joins    []string
	joinArgs []any
	aliases  map[crm.ReportDim]string
	contacts bool
}

// dim returns the SQL expression of a dimension, adding the join it needs.
// Missing field values are NULL (an empty text counts as missing).
func (b *reportSQL) dim(d crm.ReportDim) string {
	switch d.Kind {
	case crm.ReportByResponsible:
		return `CASE WHEN d.employee_id <> 0 THEN d.employee_id ELSE d.user_id END`
	case crm.ReportByStage:
		return `d.stage_id`
	case crm.ReportByInboxType:
		return `d.inbox_type_id`
	case crm.ReportByDepartment:
		return `d.department_id`
	case crm.ReportByStatus:
		return `s.status`
	}
	owner := `d.id`
	if d.Entity == crm.EntityContact {
		owner = `d.client_id`
	}
	switch {
	case d.Service && d.Entity == crm.EntityDeal && d.FieldID == crm.FieldDealName:
		return `NULLIF(d.name, '')`
	case d.Service && d.Entity == crm.EntityContact && d.FieldID == crm.FieldClientName:
		if !b.contacts {
			b.contacts = true
			// LEFT: a lead without a client counts under "no value".
			b.joins = append(b.joins, ` LEFT JOIN contacts c ON c.id = d.client_id AND c.account_id = d.account_id`)
		}
		return `NULLIF(c.name, '')`
	}
	key := crm.ReportDim{Kind: crm.ReportByField, Entity: d.Entity, FieldID: d.FieldID, Service: d.Service}
	alias, ok := b.aliases[key]
	if !ok {
		alias = fmt.Sprintf("f%d", len(b.aliases))
		b.aliases[key] = alias
		if d.Service {
			b.joins = append(b.joins, fmt.Sprintf(` LEFT JOIN service_values %[1]s ON %[1]s.account_id = d.account_id
				AND %[1]s.entity_type = ? AND %[1]s.entity_id = %[2]s AND %[1]s.field_id = ?`, alias, owner))
		} else {
			b.joins = append(b.joins, fmt.Sprintf(` LEFT JOIN field_values %[1]s ON %[1]s.account_id = d.account_id
				AND %[1]s.entity_type = ? AND %[1]s.entity_id = %[2]s AND %[1]s.field_id = ? AND %[1]s.position = 0`, alias, owner))
		}
		b.joinArgs = append(b.joinArgs, string(d.Entity), d.FieldID)
	}
	if d.Enum {
		return alias + `.enum_id`
	}
	return `NULLIF(` + alias + `.value, '')`
}

// number converts a stored numeric value (canonical decimal text) for SUM;
// on PostgreSQL a value that is not a number is left out instead of failing
// the cast.
func (b *reportSQL) number(expr string) string {
	if b.t.db.dialect.name() == "postgres" {
		return `CASE WHEN ` + expr + ` ~ '^-{0,1}[0-9]+(\.[0-9]+){0,1}$' THEN CAST(` + expr + ` AS DOUBLE PRECISION) END`
	}
	return `CAST(` + expr + ` AS REAL)`
}

// integer converts a stored Unix time (decimal text of a date field).
func (b *reportSQL) integer(expr string) string {
	if b.t.db.dialect.name() == "postgres" {
		return `CASE WHEN ` + expr + ` ~ '^-{0,1}[0-9]+$' THEN CAST(` + expr + ` AS BIGINT) END`
	}
	return `CAST(` + expr + ` AS INTEGER)`
}

func (t *tenantTx) ReportGroups(ctx context.Context, q crm.ReportQuery) ([]crm.ReportGroup, error) {
	b := &reportSQL{t: t, aliases: map[crm.ReportDim]string{}}
	sel := make([]string, 0, len(q.GroupBy)+1)
	groupBy := make([]string, 0, len(q.GroupBy))
	for i, d := range q.GroupBy {
		sel = append(sel, b.dim(d))
		groupBy = append(groupBy, fmt.Sprint(i+1))
	}
	measure := `COUNT(*)`
	if q.Sum != nil {
		measure = `COALESCE(SUM(` + b.number(b.dim(*q.Sum)) + `), 0)`
	}
	sel = append(sel, measure)

	f := &filter{}
	f.add(`d.account_id = ?`, t.accountID)
	f.add(`d.pipeline_id = ?`, q.PipelineID)
	switch q.DateFilter {
	case crm.ReportDateStageTransition:
		sub := &filter{}
		sub.add(`h.account_id = d.account_id AND h.deal_id = d.id`)
		sub.in(`h.stage_id`, q.DateStageIDs)
		sub.between(`h.entered_at`, q.Dates)
		f.add(`EXISTS (SELECT 1 FROM deal_stage_history h WHERE `+sub.sql()+`)`, sub.args...)
	case crm.ReportDateInput:
		sub := &filter{}
		sub.add(`fd.account_id = d.account_id AND fd.entity_type = ? AND fd.entity_id = d.id AND fd.field_id = ?`, string(crm.EntityDeal), q.DateFieldID)
		sub.between(b.integer(`fd.value`), q.Dates)
		f.add(`EXISTS (SELECT 1 FROM field_values fd WHERE `+sub.sql()+`)`, sub.args...)
	default:
		col := dateColumn("d", string(q.DateFilter))
		if col == "" {
			return nil, fmt.Errorf("report date filter %q", q.DateFilter)
		}
		f.between(col, q.Dates)
	}
	for _, flt := range q.Filters {
		expr := b.dim(flt.Dim)
		if flt.Dim.Textual() {
			args := make([]any, len(flt.Texts))
			for i, s := range flt.Texts {
				args[i] = s
			}
			f.add(expr+` IN (`+placeholders(len(args))+`)`, args...)
			continue
		}
		args := make([]any, len(flt.Ints))
		for i, n := range flt.Ints {
			args[i] = n
		}
		f.add(`COALESCE(`+expr+`, 0) IN (`+placeholders(len(args))+`)`, args...)
	}

	query := `SELECT ` + strings.Join(sel, `, `) + ` FROM deals d JOIN stages s ON s.id = d.stage_id AND s.account_id = d.account_id` +
		strings.Join(b.joins, ``) + ` WHERE ` + f.sql()
	if len(groupBy) > 0 {
		query += ` GROUP BY ` + strings.Join(groupBy, `, `)
	}
	rows, err := t.query(ctx, query, append(b.joinArgs, f.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.ReportGroup
	for rows.Next() {
		ints := make([]sql.NullInt64, len(q.GroupBy))
		texts := make([]sql.NullString, len(q.GroupBy))
		dest := make([]any, 0, len(q.GroupBy)+1)
		for i, d := range q.GroupBy {
			if d.Textual() {
				dest = append(dest, &texts[i])
			} else {
				dest = append(dest, &ints[i])
			}
		}
		var value sql.NullFloat64
		dest = append(dest, &value)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		g := crm.ReportGroup{Keys: make([]crm.ReportKey, len(q.GroupBy)), Value: value.Float64}
		for i, d := range q.GroupBy {
			if d.Textual() {
				g.Keys[i] = crm.ReportKey{Textual: true, Null: !texts[i].Valid, Text: texts[i].String}
			} else {
				g.Keys[i] = crm.ReportKey{Null: !ints[i].Valid, Int: ints[i].Int64}
			}
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
