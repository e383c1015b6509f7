package crm

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CreateReport stores a new custom statistic. Errors: forbidden (not an
// administrator), invalid.
func (s *Service) CreateReport(ctx context.Context, actor Actor, def ReportDefinition) (Report, error) {
	if err := actor.requireAdmin(); err != nil {
		return Report{}, err
	}
	var out Report
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		rc, err := loadReportContext(ctx, tx)
		if err != nil {
			return err
		}
		r, err := rc.build(def, nil)
		if err != nil {
			return err
		}
		if err := tx.InsertReport(ctx, &r); err != nil {
			return err
		}
		out, err = tx.Report(ctx, r.ID)
		return err
	})
	return out, err
}

// UpdateReport replaces a custom statistic's name, settings and columns.
// Columns given with the id of one of the report's columns keep it; the
// report's columns left out are deleted. Errors: forbidden, not found
// (CodeReportNotFound), invalid.
func (s *Service) UpdateReport(ctx context.Context, actor Actor, id int64, def ReportDefinition) (Report, error) {
	if err := actor.requireAdmin(); err != nil {
		return Report{}, err
	}
	var out Report
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		old, err := tx.Report(ctx, id)
		if KindOf(err) == KindNotFound {
			return Fail(CodeReportNotFound)
		}
		if err != nil {
			return err
		}
		rc, err := loadReportContext(ctx, tx)
		if err != nil {
			return err
		}
		r, err := rc.build(def, &old)
		if err != nil {
			return err
		}
		r.ID, r.CreatedAt = old.ID, old.CreatedAt
		if err := tx.UpdateReport(ctx, &r); err != nil {
			return err
		}
		out, err = tx.Report(ctx, id)
		return err
	})
	return out, err
}

// Report returns one custom statistic. Errors: not found (CodeReportNotFound).
func (s *Service) Report(ctx context.Context, actor Actor, id int64) (Report, error) {
	var out Report
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.Report(ctx, id)
		if KindOf(err) == KindNotFound {
			return Fail(CodeReportNotFound)
		}
		return err
	})
	return out, err
}

// Reports lists the account's custom statistics.
func (s *Service) Reports(ctx context.Context, actor Actor) ([]Report, error) {
	return read(ctx, s, actor, func(tx Tx) ([]Report, error) { return tx.Reports(ctx) })
}

// EvaluateReport computes a custom statistic over the deals of a pipeline
// whose report date (settings.typeDateFilter) is in the range. The deals
// are grouped and aggregated in the database: one query for the rows, one
// per column. Errors: not found (CodeReportNotFound, CodePipelineNotFound,
// CodeFieldNotFound for a field deleted since the report was defined).
func (s *Service) EvaluateReport(ctx context.Context, actor Actor, id int64, rng ReportRange) (ReportResult, error) {
	var out ReportResult
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		r, err := tx.Report(ctx, id)
		if KindOf(err) == KindNotFound {
			return Fail(CodeReportNotFound)
		}
		if err != nil {
			return err
		}
		p, err := tx.Pipeline(ctx, rng.PipelineID)
		if KindOf(err) == KindNotFound || err == nil && p.Kind != PipelineDeal {
			return Fail(CodePipelineNotFound)
		}
		if err != nil {
			return err
		}
		rc, err := loadReportContext(ctx, tx)
		if err != nil {
			return err
		}
		out, err = rc.evaluate(ctx, tx, r, rng)
		return err
	})
	return out, err
}

// reportContext is the account's reference data reports are checked
// against.
type reportContext struct {
	fields map[EntityType]map[int64]CustomField
	stages map[int64]bool // deal stages
}

func loadReportContext(ctx context.Context, tx Tx) (*reportContext, error) {
	rc := &reportContext{fields: map[EntityType]map[int64]CustomField{}, stages: map[int64]bool{}}
	for _, e := range []EntityType{EntityDeal, EntityContact} {
		list, err := tx.AllCustomFields(ctx, e)
		if err != nil {
			return nil, err
		}
		rc.fields[e] = map[int64]CustomField{}
		for _, f := range list {
			rc.fields[e][f.ID] = f
		}
	}
	pipelines, err := tx.Pipelines(ctx, PipelineDeal)
	if err != nil {
		return nil, err
	}
	for _, p := range pipelines {
		for _, st := range p.Stages {
			rc.stages[st.ID] = true
		}
	}
	return rc, nil
}

// elementEntity maps crm_element_id to the entity reports read.
func elementEntity(e ReportInt) (EntityType, bool) {
	switch {
	case !e.Valid:
		return "", false
	case e.V == ReportElementDeal:
		return EntityDeal, true
	case e.V == ReportElementClient:
		return EntityContact, true
	}
	return "", false
}

// field resolves a field of the deal or its client: a custom field of the
// account first, else a service field. The problem is empty when found.
func (rc *reportContext) field(element, value ReportInt) (ReportDim, string) {
	entity, ok := elementEntity(element)
	if !ok {
		return ReportDim{}, "crm_element_id must be 3 (deal) or 2 (client)."
	}
	if !value.Valid {
		return ReportDim{}, "value must be the id of a field."
	}
	if f, ok := rc.fields[entity][value.V]; ok {
		return ReportDim{Kind: ReportByField, Entity: entity, FieldID: f.ID, Enum: f.Type.HasEnums()}, ""
	}
	if f, ok := ServiceFieldByID(entity, value.V); ok {
		return ReportDim{Kind: ReportByField, Entity: entity, FieldID: f.ID, Service: true}, ""
	}
	return ReportDim{}, fmt.Sprintf("%d is not a field of a %s.", value.V, map[EntityType]string{EntityDeal: "deal", EntityContact: "client"}[entity])
}

// dim resolves a dimension code (and for a field, its element and id).
func (rc *reportContext) dim(code ReportDimension, element, value ReportInt) (ReportDim, string) {
	switch code {
	case ReportByResponsible, ReportByStage, ReportByInboxType, ReportByDepartment, ReportByStatus:
		return ReportDim{Kind: code}, ""
	case ReportByField:
		return rc.field(element, value)
	}
	return ReportDim{}, fmt.Sprintf("%d is not a grouping: 1 responsible, 2 stage, 3 inbox type, 4 field, 5 department, 6 stage status.", code)
}

// sumField resolves the field a sum column adds up: a numeric custom field.
func (rc *reportContext) sumField(op ReportOperation) (ReportDim, string) {
	d, problem := rc.field(op.Element, op.Value)
	if problem != "" {
		return d, problem
	}
	if d.Service || rc.fields[d.Entity][d.FieldID].Type != FieldNumeric {
		return d, "A sum needs a numeric custom field."
	}
	return d, ""
}

// dynamicDim resolves a dynamic column's dimension.
func (rc *reportContext) dynamicDim(dv ReportDynamic) (ReportDim, string) {
	if dv.Element.Valid {
		return rc.field(dv.Element, dv.Value)
	}
	if !dv.Value.Valid || dv.Value.V == int64(ReportByField) {
		return ReportDim{}, "dynamicValue.value must be a grouping code (1, 2, 3, 5, 6) or, with crm_element_id, a field id."
	}
	return rc.dim(ReportDimension(dv.Value.V), ReportInt{}, ReportInt{})
}

// conditionFilter resolves a calcConditions item into a filter, normalising
// its values: integers for id dimensions, texts for textual fields.
func (rc *reportContext) conditionFilter(c *ReportCondition) (ReportFilter, string) {
	d, problem := rc.dim(c.Type, c.Element, c.Value)
	if problem != "" {
		return ReportFilter{}, problem
	}
	if len(c.Values) == 0 {
		return ReportFilter{}, "values must list at least one value."
	}
	f := ReportFilter{Dim: d}
	norm := make([]ReportValue, len(c.Values))
	for i, v := range c.Values {
		if d.Textual() {
			s, ok := reportText(v)
			if !ok {
				return ReportFilter{}, "values must be strings or numbers."
			}
			f.Texts, norm[i] = append(f.Texts, s), ReportText(s)
			continue
		}
		n, ok := reportInteger(v)
		if !ok {
			return ReportFilter{}, "values must be integer ids."
		}
		f.Ints, norm[i] = append(f.Ints, n), ReportNumber(float64(n))
	}
	c.Values = norm
	if c.Type != ReportByField {
		c.Element, c.Value = ReportInt{}, ReportInt{}
	}
	return f, ""
}

// reportText reads a condition value of a textual field: a text, or a
// number written out.
func reportText(v ReportValue) (string, bool) {
	switch v.Kind {
	case ReportValueText:
		return v.Text, true
	case ReportValueNumber:
		return strconv.FormatFloat(v.Number, 'f', -1, 64), true
	}
	return "", false
}

// reportInteger reads a condition value of an id dimension: a whole number
// a float64 holds exactly, or a numeric text.
func reportInteger(v ReportValue) (int64, bool) {
	switch v.Kind {
	case ReportValueNumber:
		x := v.Number
		return int64(x), x == math.Trunc(x) && math.Abs(x) <= 1<<53
	case ReportValueText:
		n, err := strconv.ParseInt(strings.TrimSpace(v.Text), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// build validates a definition into a report (old: the report it updates).
func (rc *reportContext) build(def ReportDefinition, old *Report) (Report, error) {
	var v violations
	add := func(path, code, detail string) { v.add(0, path, code, detail) }
	r := Report{Name: strings.TrimSpace(def.Name), Settings: def.Settings}
	switch {
	case r.Name == "":
		add("name", ViolationRequired, "A report needs a name.")
	case utf8.RuneCountInString(r.Name) > MaxReportName:
		add("name", ViolationTooLong, fmt.Sprintf("The name is longer than %d characters.", MaxReportName))
	}
	st := &r.Settings
	if len(st.RowParams) > MaxReportRows {
		add("settings.rowParams", ViolationRange, fmt.Sprintf("A report has at most %d row groupings.", MaxReportRows))
	}
	seen := map[string]bool{}
	for i := range st.RowParams {
		p := &st.RowParams[i]
		path := fmt.Sprintf("settings.rowParams.%d", i)
		if _, problem := rc.dim(p.Type, p.Element, p.Value); problem != "" {
			add(path, ViolationChoice, problem)
			continue
		}
		if p.Type != ReportByField {
			p.Element, p.Value = ReportInt{}, ReportInt{}
		}
		if seen[p.Key()] {
			add(path, ViolationInvalid, "The report already groups by this.")
		}
		seen[p.Key()] = true
	}
	if st.TypeDateFilter == "" {
		st.TypeDateFilter = ReportDateCreated
	}
	switch st.TypeDateFilter {
	case ReportDateCreated, ReportDateClosed, ReportDateStageChanged, ReportDateStageTransition:
		st.TypeDateFilterInputID = ReportInt{}
	case ReportDateInput:
		f, ok := rc.fields[EntityDeal][st.TypeDateFilterInputID.V]
		if !st.TypeDateFilterInputID.Valid || !ok || (f.Type != FieldDate && f.Type != FieldDateTime) {
			add("settings.typeDateFilterInputId", ViolationChoice, "The input date filter needs the id of a date field of deals.")
		}
	default:
		add("settings.typeDateFilter", ViolationChoice, "typeDateFilter must be created, closed, stage_changed, stage_transition or input.")
	}
	for i, id := range st.DateStages {
		if !id.Valid || !rc.stages[id.V] {
			add(fmt.Sprintf("settings.dateStages.%d", i), ViolationChoice, "Not a deal stage of this CRM.")
		}
	}
	if st.RowShowConditions > 0 {
		add("settings.rowShowConditions", ViolationUnexpected, "Row show conditions are not supported; leave the list empty.")
	}
	if len(def.TableColumns) > MaxReportColumns {
		add("tableColumns", ViolationRange, fmt.Sprintf("A report has at most %d columns.", MaxReportColumns))
	}
	oldColumns := map[int64]bool{}
	if old != nil {
		for _, c := range old.Columns {
			oldColumns[c.ID] = true
		}
	}
	kept := map[int64]bool{}
	for i, cd := range def.TableColumns {
		path := fmt.Sprintf("tableColumns.%d", i)
		col := ReportColumn{Settings: cd.Settings}
		if old != nil && cd.ID != 0 {
			switch {
			case !oldColumns[cd.ID]:
				add(path+".id", ViolationChoice, fmt.Sprintf("Column %d is not a column of this report.", cd.ID))
			case kept[cd.ID]:
				add(path+".id", ViolationInvalid, fmt.Sprintf("Column %d is given twice.", cd.ID))
			}
			col.ID, kept[cd.ID] = cd.ID, true
		}
		cs := &col.Settings
		switch cs.OperationParams.Type {
		case ReportCount:
			cs.OperationParams.Element, cs.OperationParams.Value = ReportInt{}, ReportInt{}
		case ReportSum:
			if _, problem := rc.sumField(cs.OperationParams); problem != "" {
				add(path+".settings.operationParams", ViolationChoice, problem)
			}
		default:
			add(path+".settings.operationParams.type", ViolationChoice, "The operation must be 1 (count) or 2 (sum of a field).")
		}
		switch cs.TypeColumn {
		case ReportStaticColumn:
			cs.DynamicValue = ReportDynamic{}
		case ReportDynamicColumn:
			if _, problem := rc.dynamicDim(cs.DynamicValue); problem != "" {
				add(path+".settings.dynamicValue", ViolationChoice, problem)
			}
		default:
			add(path+".settings.typeColumn", ViolationChoice, "typeColumn must be 1 (static) or 2 (dynamic).")
		}
		for j := range cs.CalcConditions {
			if _, problem := rc.conditionFilter(&cs.CalcConditions[j]); problem != "" {
				add(fmt.Sprintf("%s.settings.calcConditions.%d", path, j), ViolationInvalid, problem)
			}
		}
		if cs.ShowConditions > 0 {
			add(path+".settings.showConditions", ViolationUnexpected, "Column show conditions are not supported; leave the list empty.")
		}
		r.Columns = append(r.Columns, col)
	}
	return r, v.err()
}

// query is the part of a report query every aggregation shares.
func (rc *reportContext) query(r Report, rng ReportRange) (ReportQuery, error) {
	st := r.Settings
	q := ReportQuery{PipelineID: rng.PipelineID, DateFilter: st.TypeDateFilter, Dates: Range{From: &rng.From, To: &rng.To}}
	if q.DateFilter == "" {
		q.DateFilter = ReportDateCreated
	}
	switch q.DateFilter {
	case ReportDateStageTransition:
		for _, id := range st.DateStages {
			q.DateStageIDs = append(q.DateStageIDs, id.V)
		}
	case ReportDateInput:
		if _, ok := rc.fields[EntityDeal][st.TypeDateFilterInputID.V]; !ok {
			return q, Fail(CodeFieldNotFound)
		}
		q.DateFieldID = st.TypeDateFilterInputID.V
	}
	for _, p := range st.RowParams {
		d, problem := rc.dim(p.Type, p.Element, p.Value)
		if problem != "" {
			return q, Fail(CodeFieldNotFound)
		}
		q.GroupBy = append(q.GroupBy, d)
	}
	return q, nil
}

// evaluate runs the report's queries and assembles the rows.
func (rc *reportContext) evaluate(ctx context.Context, tx Tx, r Report, rng ReportRange) (ReportResult, error) {
	out := ReportResult{Report: r, Total: ReportRow{Cells: newCells(r.Columns)}}
	base, err := rc.query(r, rng)
	if err != nil {
		return out, err
	}
	groups, err := tx.ReportGroups(ctx, base)
	if err != nil {
		return out, err
	}
	rows := map[string]*ReportRow{}
	var order []*ReportRow
	rowOf := func(keys []ReportKey) *ReportRow {
		k := encodeKeys(keys)
		row, ok := rows[k]
		if !ok {
			row = &ReportRow{Keys: keys, Cells: newCells(r.Columns)}
			rows[k] = row
			order = append(order, row)
		}
		return row
	}
	for _, g := range groups {
		if len(base.GroupBy) == 0 && g.Value == 0 {
			continue // no deals at all: no row
		}
		rowOf(g.Keys)
	}
	for i, col := range r.Columns {
		cs := col.Settings
		q := base
		q.GroupBy = append([]ReportDim(nil), base.GroupBy...)
		if cs.TypeColumn == ReportDynamicColumn {
			d, problem := rc.dynamicDim(cs.DynamicValue)
			if problem != "" {
				return out, Fail(CodeFieldNotFound)
			}
			q.GroupBy = append(q.GroupBy, d)
		}
		if cs.OperationParams.Type == ReportSum {
			d, problem := rc.sumField(cs.OperationParams)
			if problem != "" {
				return out, Fail(CodeFieldNotFound)
			}
			q.Sum = &d
		}
		for j := range cs.CalcConditions {
			c := cs.CalcConditions[j]
			f, problem := rc.conditionFilter(&c)
			if problem != "" {
				return out, Fail(CodeFieldNotFound)
			}
			q.Filters = append(q.Filters, f)
		}
		groups, err := tx.ReportGroups(ctx, q)
		if err != nil {
			return out, err
		}
		n := len(base.GroupBy)
		for _, g := range groups {
			if len(base.GroupBy) == 0 && len(q.GroupBy) == 0 && len(order) == 0 {
				continue // no deals at all
			}
			cell := &rowOf(g.Keys[:n]).Cells[i]
			if cs.TypeColumn == ReportDynamicColumn {
				cell.Split[g.Keys[n].String()] += g.Value
			} else {
				cell.Value += g.Value
			}
		}
	}
	for _, row := range order {
		out.Rows = append(out.Rows, *row)
		for i := range row.Cells {
			out.Total.Cells[i].add(row.Cells[i])
		}
	}
	sortRows(out.Rows)
	return out, nil
}

// encodeKeys is a map key for a list of keys.
func encodeKeys(keys []ReportKey) string {
	var b strings.Builder
	for _, k := range keys {
		switch {
		case k.Null:
			b.WriteString("n;")
		case k.Textual:
			fmt.Fprintf(&b, "t%d:%s;", len(k.Text), k.Text)
		default:
			fmt.Fprintf(&b, "i%d;", k.Int)
		}
	}
	return b.String()
}
