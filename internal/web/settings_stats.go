package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Custom statistics (/settings/statistics): Envybox stat/custom's report
// definitions, written with a form instead of crmd report create's JSON
// file. The form is a view of crm.ReportDefinition: the name, the date the
// range applies to, the row groupings in order, and per column its name,
// operation (count, or the sum of a numeric field), kind (one value, or
// one per member of a dimension) and one condition. Saving is
// crm.Service.CreateReport or UpdateReport, so the validation and its
// errors are the CLI's and the API's. A report made from JSON with more
// than the form shows (several conditions on a column) is listed and shown
// but not editable here, rather than saved with parts dropped.
//
// The report itself (/reports/custom/{id}, report_custom.go's template)
// is crm.Service.EvaluateReport over a pipeline and days of the account's
// time zone, the call and day arithmetic stat/custom makes, as a table.

// statisticsRoutes registers the custom statistics' screens.
func (h *handler) statisticsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /settings/statistics", h.adminOnly(h.statisticsPage))
	mux.Handle("GET /settings/statistics/new", h.adminOnly(h.newStatisticPage))
	mux.Handle("POST /settings/statistics", h.adminOnly(h.saveStatistic))
	mux.Handle("GET /settings/statistics/{id}", h.adminOnly(h.editStatisticPage))
	mux.Handle("POST /settings/statistics/{id}", h.adminOnly(h.saveStatistic))
	mux.Handle("GET /reports/custom/{id}", h.adminOnly(h.customReport))
}

// statsMinRows and statsNewColumns are how many grouping selects and blank
// column rows the form offers beyond the report's own.
const (
	statsMinRows    = 3
	statsNewColumns = 2
)

// statsOption is one choice of a select.
type statsOption struct {
	Value, Label string
}

// statsStage is a deal stage of the date filter's choice.
type statsStage struct {
	ID    int64
	Label string
}

// statsColumnForm is one column row of the form.
type statsColumnForm struct {
	Index int
	ID    int64
	// On says the column is part of the report: ticked for the report's
	// columns, unticked for the blank rows.
	On         bool
	Name       string
	Op         string // "count" or "sum:<element>:<field id>"
	Kind       string // "static" or a dimension option (a dynamic column)
	CondDim    string // "" or a dimension option
	CondValues string // comma-separated
}

// statsForm is the editor's values.
type statsForm struct {
	ID         int64
	Name       string
	DateFilter string
	DateStages map[int64]bool
	DateField  int64
	Rows       []string
	Columns    []statsColumnForm
}

// statsEditorData is the editor's content.
type statsEditorData struct {
	Form     statsForm
	Editable bool
	Error    string
	Saved    bool
	// The choices: dimensions (groupings, dynamic columns, conditions),
	// sums, date filters, deal stages and deal date fields.
	Dims        []statsOption
	Sums        []statsOption
	DateFilters []statsOption
	Stages      []statsStage
	DateFields  []statsOption
}

// statisticsData is the list's content.
type statisticsData struct {
	Reports []crm.Report
}

func (h *handler) statisticsPage(w http.ResponseWriter, r *http.Request, v *view) {
	list, err := h.svc.Reports(r.Context(), v.Actor)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	v.Title, v.Tab = v.T("settings.nav.statistics"), "statistics"
	h.render(w, r, http.StatusOK, "settings_statistics", v, statisticsData{Reports: list})
}

func (h *handler) newStatisticPage(w http.ResponseWriter, r *http.Request, v *view) {
	f := statsForm{DateFilter: string(crm.ReportDateCreated), DateStages: map[int64]bool{}}
	f.Columns = []statsColumnForm{{On: true, Op: "count", Kind: "static"}}
	h.renderStatsEditor(w, r, v, http.StatusOK, statsEditorData{Form: f, Editable: true})
}

func (h *handler) editStatisticPage(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := settingsPathID(r, v, "id")
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	rep, err := h.svc.Report(r.Context(), v.Actor, id)
	if err != nil {
		h.renderError(w, r, v, statsNotFound(v, err))
		return
	}
	f, editable := formOfReport(rep)
	h.renderStatsEditor(w, r, v, http.StatusOK, statsEditorData{Form: f, Editable: editable, Saved: r.URL.Query().Get("saved") != ""})
}

// statsNotFound words an unknown report for the user.
func statsNotFound(v *view, err error) error {
	if crm.CodeOf(err) == crm.CodeReportNotFound {
		return crm.Errorf(crm.KindNotFound, "%s", v.T("stats.not_found"))
	}
	return err
}

// renderStatsEditor fills the editor's choices and pads the form with
// blank grouping selects and column rows.
func (h *handler) renderStatsEditor(w http.ResponseWriter, r *http.Request, v *view, status int, d statsEditorData) {
	ctx := r.Context()
	if err := h.statsChoices(ctx, v, &d); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	for len(d.Form.Rows) < statsMinRows {
		d.Form.Rows = append(d.Form.Rows, "")
	}
	if d.Editable {
		for range statsNewColumns {
			d.Form.Columns = append(d.Form.Columns, statsColumnForm{Op: "count", Kind: "static"})
		}
	}
	for i := range d.Form.Columns {
		d.Form.Columns[i].Index = i
	}
	v.Tab = "statistics"
	if d.Form.ID != 0 {
		v.Title = d.Form.Name
	} else {
		v.Title = v.T("stats.new")
	}
	h.render(w, r, status, "settings_statistic", v, d)
}

// dimOption is a dimension's option value: "d<code>" for the built-ins,
// "f<element>:<field id>" for a field.
func dimOption(code crm.ReportDimension, element, value crm.ReportInt) string {
	if code == crm.ReportByField {
		return fmt.Sprintf("f%d:%d", element.V, value.V)
	}
	return fmt.Sprintf("d%d", code)
}

var (
	dimPattern = regexp.MustCompile(`^(?:d(\d+)|f(\d+):(\d+))$`)
	sumPattern = regexp.MustCompile(`^sum:(\d+):(\d+)$`)
)

// parseDimOption reads a dimension option back.
func parseDimOption(s string) (crm.ReportDimension, crm.ReportInt, crm.ReportInt, bool) {
	m := dimPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, crm.ReportInt{}, crm.ReportInt{}, false
	}
	if m[1] != "" {
		code, _ := strconv.ParseInt(m[1], 10, 64)
		return crm.ReportDimension(code), crm.ReportInt{}, crm.ReportInt{}, true
	}
	el, _ := strconv.ParseInt(m[2], 10, 64)
	id, _ := strconv.ParseInt(m[3], 10, 64)
	return crm.ReportByField, crm.ReportIntOf(el), crm.ReportIntOf(id), true
}

// builtinDims are the dimension codes other than fields, in the
// documentation's order.
var builtinDims = []crm.ReportDimension{crm.ReportByResponsible, crm.ReportByStage, crm.ReportByInboxType,
	crm.ReportByDepartment, crm.ReportByStatus}

// statsChoices lists the choices the account's fields and stages make.
func (h *handler) statsChoices(ctx context.Context, v *view, d *statsEditorData) error {
	for _, code := range builtinDims {
		d.Dims = append(d.Dims, statsOption{dimOption(code, crm.ReportInt{}, crm.ReportInt{}), v.T(fmt.Sprintf("stats.dim.%d", code))})
	}
	for _, ent := range []struct {
		entity  crm.EntityType
		element int64
		label   string
	}{{crm.EntityDeal, crm.ReportElementDeal, v.T("stats.deal")}, {crm.EntityContact, crm.ReportElementClient, v.T("common.client")}} {
		fields, _, _, err := h.svc.CustomFields(ctx, v.Actor, ent.entity, crm.FieldQuery{Page: crm.Page{Limit: crm.MaxPageLimit}})
		if err != nil {
			return err
		}
		for _, f := range fields {
			opt := fmt.Sprintf("f%d:%d", ent.element, f.ID)
			d.Dims = append(d.Dims, statsOption{opt, ent.label + ": " + f.Name})
			if f.Type == crm.FieldNumeric {
				d.Sums = append(d.Sums, statsOption{fmt.Sprintf("sum:%d:%d", ent.element, f.ID), v.T("stats.sum_of", ent.label+": "+f.Name)})
			}
			if ent.entity == crm.EntityDeal && (f.Type == crm.FieldDate || f.Type == crm.FieldDateTime) {
				d.DateFields = append(d.DateFields, statsOption{strconv.FormatInt(f.ID, 10), f.Name})
			}
		}
		for _, f := range crm.ServiceFieldsOf(ent.entity) {
			d.Dims = append(d.Dims, statsOption{fmt.Sprintf("f%d:%d", ent.element, f.ID), ent.label + ": " + f.Name})
		}
	}
	for _, f := range []crm.ReportDateFilter{crm.ReportDateCreated, crm.ReportDateClosed, crm.ReportDateStageChanged,
		crm.ReportDateStageTransition, crm.ReportDateInput} {
		d.DateFilters = append(d.DateFilters, statsOption{string(f), v.T(dateFilterKey(f))})
	}
	pipelines, err := h.svc.DealPipelines(ctx, v.Actor)
	if err != nil {
		return err
	}
	for _, p := range pipelines {
		for _, st := range p.Stages {
			d.Stages = append(d.Stages, statsStage{st.ID, p.Name + ": " + st.Name})
		}
	}
	return nil
}

// formOfReport is a stored report as the form shows it, and whether the
// form can show all of it.
func formOfReport(r crm.Report) (statsForm, bool) {
	st := r.Settings
	f := statsForm{ID: r.ID, Name: r.Name, DateFilter: string(st.TypeDateFilter), DateStages: map[int64]bool{}, DateField: st.TypeDateFilterInputID.V}
	if f.DateFilter == "" {
		f.DateFilter = string(crm.ReportDateCreated)
	}
	for _, s := range st.DateStages {
		f.DateStages[s.V] = true
	}
	for _, p := range st.RowParams {
		f.Rows = append(f.Rows, dimOption(p.Type, p.Element, p.Value))
	}
	editable := true
	for _, c := range r.Columns {
		cs := c.Settings
		col := statsColumnForm{ID: c.ID, On: true, Name: cs.StaticColumnName, Op: "count", Kind: "static"}
		if cs.OperationParams.Type == crm.ReportSum {
			col.Op = fmt.Sprintf("sum:%d:%d", cs.OperationParams.Element.V, cs.OperationParams.Value.V)
		}
		if cs.TypeColumn == crm.ReportDynamicColumn {
			if cs.DynamicValue.Element.Valid {
				col.Kind = dimOption(crm.ReportByField, cs.DynamicValue.Element, cs.DynamicValue.Value)
			} else {
				col.Kind = dimOption(crm.ReportDimension(cs.DynamicValue.Value.V), crm.ReportInt{}, crm.ReportInt{})
			}
		}
		switch len(cs.CalcConditions) {
		case 0:
		case 1:
			cond := cs.CalcConditions[0]
			col.CondDim = dimOption(cond.Type, cond.Element, cond.Value)
			vals := make([]string, len(cond.Values))
			for i, val := range cond.Values {
				if val.Kind == crm.ReportValueNumber {
					vals[i] = strconv.FormatFloat(val.Number, 'f', -1, 64)
				} else {
					vals[i] = val.Text
				}
			}
			col.CondValues = strings.Join(vals, ", ")
		default:
			editable = false
		}
		f.Columns = append(f.Columns, col)
	}
	return f, editable
}

// readStatsForm reads the posted form into its values and the definition
// they make. Options that are not the form's own are refused in the
// user's words; everything else is the domain's to judge.
func readStatsForm(r *http.Request, v *view, id int64) (statsForm, crm.ReportDefinition, error) {
	pf := r.PostForm
	f := statsForm{ID: id, Name: pf.Get("name"), DateFilter: pf.Get("date_filter"), DateStages: map[int64]bool{}}
	def := crm.ReportDefinition{Name: f.Name}
	bad := func() error { return crm.Errorf(crm.KindInvalid, "%s", v.T("stats.bad_form")) }
	def.Settings.TypeDateFilter = crm.ReportDateFilter(f.DateFilter)
	var err error
	if f.DateField, err = formID(pf.Get("date_field")); err != nil {
		return f, def, bad()
	}
	if f.DateField != 0 {
		def.Settings.TypeDateFilterInputID = crm.ReportIntOf(f.DateField)
	}
	for _, s := range pf["date_stages"] {
		sid, err := formID(s)
		if err != nil || sid == 0 {
			return f, def, bad()
		}
		f.DateStages[sid] = true
		def.Settings.DateStages = append(def.Settings.DateStages, crm.ReportIntOf(sid))
	}
	if f.DateFilter != string(crm.ReportDateStageTransition) {
		// The stages apply to the stage_transition filter only; ticked
		// under another they would be stored unused.
		def.Settings.DateStages = nil
	}
	for _, row := range pf["rows"] {
		f.Rows = append(f.Rows, row)
		if row == "" {
			continue
		}
		code, el, val, ok := parseDimOption(row)
		if !ok {
			return f, def, bad()
		}
		def.Settings.RowParams = append(def.Settings.RowParams, crm.ReportRowParam{Type: code, Element: el, Value: val})
	}
	n, err := strconv.Atoi(pf.Get("columns"))
	if err != nil || n < 0 || n > crm.MaxReportColumns+statsNewColumns {
		return f, def, bad()
	}
	for i := range n {
		key := func(name string) string { return fmt.Sprintf("col%d_%s", i, name) }
		col := statsColumnForm{On: pf.Get(key("on")) != "", Name: pf.Get(key("name")), Op: pf.Get(key("op")), Kind: pf.Get(key("kind")),
			CondDim: pf.Get(key("cond")), CondValues: pf.Get(key("values"))}
		if col.ID, err = formID(pf.Get(key("id"))); err != nil {
			return f, def, bad()
		}
		f.Columns = append(f.Columns, col)
		if !col.On {
			continue
		}
		cs := crm.ReportColumnSettings{StaticColumnName: strings.TrimSpace(col.Name), TypeColumn: crm.ReportStaticColumn}
		switch m := sumPattern.FindStringSubmatch(col.Op); {
		case col.Op == "count":
			cs.OperationParams.Type = crm.ReportCount
		case m != nil:
			el, _ := strconv.ParseInt(m[1], 10, 64)
			fid, _ := strconv.ParseInt(m[2], 10, 64)
			cs.OperationParams = crm.ReportOperation{Type: crm.ReportSum, Element: crm.ReportIntOf(el), Value: crm.ReportIntOf(fid)}
		default:
			return f, def, bad()
		}
		if col.Kind != "static" {
			code, el, val, ok := parseDimOption(col.Kind)
			if !ok {
				return f, def, bad()
			}
			cs.TypeColumn = crm.ReportDynamicColumn
			if code == crm.ReportByField {
				cs.DynamicValue = crm.ReportDynamic{Element: el, Value: val}
			} else {
				cs.DynamicValue = crm.ReportDynamic{Value: crm.ReportIntOf(int64(code))}
			}
		}
		if col.CondDim != "" {
			code, el, val, ok := parseDimOption(col.CondDim)
			if !ok {
				return f, def, bad()
			}
			cond := crm.ReportCondition{Type: code, Element: el, Value: val}
			for _, s := range strings.Split(col.CondValues, ",") {
				if s = strings.TrimSpace(s); s != "" {
					cond.Values = append(cond.Values, crm.ReportText(s))
				}
			}
			cs.CalcConditions = []crm.ReportCondition{cond}
		}
		def.TableColumns = append(def.TableColumns, crm.ReportColumnDefinition{ID: col.ID, Settings: cs})
	}
	return f, def, nil
}

func (h *handler) saveStatistic(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = settingsPathID(r, v, "id"); err != nil {
			h.renderError(w, r, v, err)
			return
		}
		old, err := h.svc.Report(ctx, v.Actor, id)
		if err != nil {
			h.renderError(w, r, v, statsNotFound(v, err))
			return
		}
		if _, editable := formOfReport(old); !editable {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("stats.not_editable")))
			return
		}
	}
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("stats.bad_form")))
		return
	}
	f, def, err := readStatsForm(r, v, id)
	if err == nil {
		var rep crm.Report
		if id == 0 {
			rep, err = h.svc.CreateReport(ctx, v.Actor, def)
		} else {
			rep, err = h.svc.UpdateReport(ctx, v.Actor, id, def)
		}
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/settings/statistics/%d?saved=1", rep.ID), http.StatusSeeOther)
			return
		}
	}
	if crm.KindOf(err) != crm.KindInvalid {
		h.renderError(w, r, v, statsNotFound(v, err))
		return
	}
	// The blank rows come back with the form; those the user left blank
	// are dropped so as not to be doubled.
	f.Columns = slices.DeleteFunc(f.Columns, func(c statsColumnForm) bool { return !c.On && c.ID == 0 && c.Name == "" })
	h.renderStatsEditor(w, r, v, http.StatusUnprocessableEntity, statsEditorData{Form: f, Editable: true, Error: statsError(v, err)})
}

var violationPath = regexp.MustCompile(`^(tableColumns|settings\.rowParams)\.(\d+)`)

// statsError words a definition's violations with the form's names for
// where they are: "Column 2: …", "Grouping 1: …".
func statsError(v *view, err error) string {
	e, ok := crm.AsError(err)
	if !ok || len(e.Violations) == 0 {
		return errorMessage(err)
	}
	var parts []string
	for _, vio := range e.Violations {
		where := ""
		if m := violationPath.FindStringSubmatch(vio.Path); m != nil {
			n, _ := strconv.Atoi(m[2])
			if m[1] == "tableColumns" {
				where = v.T("stats.column_n", n+1) + ": "
			} else {
				where = v.T("stats.row_n", n+1) + ": "
			}
		}
		parts = append(parts, where+vio.Detail)
	}
	return strings.Join(parts, " ")
}

// reportHeader is a column of the report's table: a static column, or one
// member of a dynamic column.
type reportHeader struct {
	Key    string // the column's "<id>_column"
	Member string // the dynamic member's key ("" for a static column)
	Label  string
	// Empty marks the one header of a dynamic column no row has a member
	// of: a placeholder, not a value of stat/custom's.
	Empty   bool
	Dynamic bool
	col     int
}

// reportLine is a row of the report's table.
type reportLine struct {
	Keys   []string
	Cells  []reportCellView
	Totals bool
}

// reportCellView is a cell, with its number as stat/custom writes it.
type reportCellView struct {
	Key, Member string
	Value       string
	Empty       bool
	// Dynamic says Member is a member's key ("" is the key of a missing
	// text).
	Dynamic bool
}

// customReportData is the report page's content.
type customReportData struct {
	Report    crm.Report
	Pipelines []crm.Pipeline
	Pipeline  int64
	From, To  string
	Groupings []string
	// Spans are each column's number of headers (the members of a dynamic
	// one), for the header's first line.
	Spans   []reportSpan
	Headers []reportHeader
	Lines   []reportLine
	Error   string
}

// reportSpan is a column's first-line header.
type reportSpan struct {
	Label string
	Span  int
	// Static columns take both header lines.
	Static bool
}

func (h *handler) customReport(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id, err := settingsPathID(r, v, "id")
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	rep, err := h.svc.Report(ctx, v.Actor, id)
	if err != nil {
		h.renderError(w, r, v, statsNotFound(v, err))
		return
	}
	d := customReportData{Report: rep}
	if d.Pipelines, err = h.svc.DealPipelines(ctx, v.Actor); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	q := r.URL.Query()
	// By default: the primary pipeline, this month to today.
	for _, p := range d.Pipelines {
		if p.Primary || d.Pipeline == 0 {
			d.Pipeline = p.ID
		}
	}
	today := v.now
	d.From, d.To = q.Get("from"), q.Get("to")
	if d.From == "" {
		d.From = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, v.loc).Format(time.DateOnly)
	}
	if d.To == "" {
		d.To = today.Format(time.DateOnly)
	}
	v.Section, v.Title = "reports", rep.Name
	status := http.StatusOK
	fail := func(err error) {
		if errorStatus(err) == http.StatusInternalServerError {
			h.internalError(w, r, err)
			return
		}
		d.Error, status = errorMessage(err), errorStatus(err)
		h.render(w, r, status, "report_custom", v, d)
	}
	if p := q.Get("pipeline"); p != "" {
		if d.Pipeline, err = strconv.ParseInt(p, 10, 64); err != nil || d.Pipeline <= 0 {
			fail(crm.Errorf(crm.KindInvalid, "%s", v.T("stats.bad_pipeline")))
			return
		}
	}
	from, err1 := time.ParseInLocation(time.DateOnly, d.From, v.loc)
	to, err2 := time.ParseInLocation(time.DateOnly, d.To, v.loc)
	switch {
	case err1 != nil || err2 != nil:
		fail(crm.Errorf(crm.KindInvalid, "%s", v.T("stats.bad_date")))
		return
	case from.After(to):
		fail(crm.Errorf(crm.KindInvalid, "%s", v.T("stats.from_after_to")))
		return
	}
	// Whole days of the account's time zone, as stat/custom reads
	// start_date and end_date.
	res, err := h.svc.EvaluateReport(ctx, v.Actor, id, crm.ReportRange{PipelineID: d.Pipeline, From: from.Unix(),
		To: to.Add(24*time.Hour - time.Second).Unix()})
	if err != nil {
		switch crm.CodeOf(err) {
		case crm.CodePipelineNotFound:
			err = crm.Errorf(crm.KindNotFound, "%s", v.T("stats.pipeline_not_found"))
		case crm.CodeFieldNotFound:
			err = crm.Errorf(crm.KindNotFound, "%s", v.T("stats.field_gone"))
		}
		fail(err)
		return
	}
	names, err := h.reportNames(ctx, v, d.Pipelines)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.tabulate(v, &d, res, names)
	h.render(w, r, status, "report_custom", v, d)
}

// reportNames names the ids a report's keys hold: users, stages, stage
// statuses and list options.
type reportNames struct {
	users, stages, options map[int64]string
}

func (h *handler) reportNames(ctx context.Context, v *view, pipelines []crm.Pipeline) (reportNames, error) {
	n := reportNames{users: map[int64]string{}, stages: map[int64]string{}, options: map[int64]string{}}
	users, err := h.svc.AccountUsers(ctx, v.Actor)
	if err != nil {
		return n, err
	}
	for _, u := range users {
		n.users[u.ID] = u.Name
	}
	for _, p := range pipelines {
		for _, st := range p.Stages {
			n.stages[st.ID] = st.Name
		}
	}
	for _, e := range []crm.EntityType{crm.EntityDeal, crm.EntityContact} {
		fields, _, _, err := h.svc.CustomFields(ctx, v.Actor, e, crm.FieldQuery{Page: crm.Page{Limit: crm.MaxPageLimit}})
		if err != nil {
			return n, err
		}
		for _, f := range fields {
			for _, en := range f.Enums {
				n.options[en.ID] = en.Value
			}
		}
	}
	return n, nil
}

// label names one key of a dimension: the id's name where there is one,
// the id itself otherwise, "—" for none.
func (n reportNames) label(v *view, dim crm.ReportDimension, enum bool, key string) string {
	if key == "" {
		return v.T("common.none")
	}
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return key
	}
	var name string
	switch {
	case dim == crm.ReportByResponsible:
		name = n.users[id]
	case dim == crm.ReportByStage:
		name = n.stages[id]
	case dim == crm.ReportByStatus && id >= 2001 && id <= 2004:
		name = v.T(fmt.Sprintf("stats.status.%d", id))
	case dim == crm.ReportByField && enum:
		name = n.options[id]
	}
	if id == 0 && dim != crm.ReportByField {
		return v.T("common.none")
	}
	if name == "" {
		return key
	}
	return name
}

// tabulate lays an evaluated report out as the table's headers and lines:
// a static column is one header, a dynamic one a header per member any
// row has, in key order.
func (h *handler) tabulate(v *view, d *customReportData, res crm.ReportResult, names reportNames) {
	r := res.Report
	isEnum := func(key crm.ReportKey) bool { return !key.Textual }
	for _, p := range r.Settings.RowParams {
		d.Groupings = append(d.Groupings, v.T(fmt.Sprintf("stats.dim.%d", p.Type)))
	}
	for i, col := range r.Columns {
		name := col.Settings.StaticColumnName
		if name == "" {
			name = v.T("stats.column_n", i+1)
		}
		if col.Settings.TypeColumn != crm.ReportDynamicColumn {
			d.Headers = append(d.Headers, reportHeader{Key: col.Key(), Label: name, col: i})
			d.Spans = append(d.Spans, reportSpan{Label: name, Span: 1, Static: true})
			continue
		}
		members := map[string]bool{}
		for _, row := range append(slices.Clone(res.Rows), res.Total) {
			for k := range row.Cells[i].Split {
				members[k] = true
			}
		}
		keys := make([]string, 0, len(members))
		for k := range members {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool {
			x, ex := strconv.ParseInt(keys[a], 10, 64)
			y, ey := strconv.ParseInt(keys[b], 10, 64)
			if ex == nil && ey == nil {
				return x < y
			}
			return keys[a] < keys[b]
		})
		dv := col.Settings.DynamicValue
		dim, enum := crm.ReportDimension(dv.Value.V), false
		if dv.Element.Valid {
			dim, enum = crm.ReportByField, true
		}
		for _, k := range keys {
			d.Headers = append(d.Headers, reportHeader{Key: col.Key(), Member: k, Label: names.label(v, dim, enum, k), Dynamic: true, col: i})
		}
		d.Spans = append(d.Spans, reportSpan{Label: name, Span: max(len(keys), 1)})
		if len(keys) == 0 {
			d.Headers = append(d.Headers, reportHeader{Key: col.Key(), Label: "—", Empty: true, Dynamic: true, col: i})
		}
	}
	line := func(row crm.ReportRow, total bool) reportLine {
		l := reportLine{Totals: total}
		for i, k := range row.Keys {
			p := r.Settings.RowParams[i]
			switch {
			case k.Null:
				l.Keys = append(l.Keys, v.T("common.none"))
			case k.Textual:
				l.Keys = append(l.Keys, k.Text)
			default:
				l.Keys = append(l.Keys, names.label(v, p.Type, isEnum(k), k.String()))
			}
		}
		for _, hd := range d.Headers {
			cell := row.Cells[hd.col]
			val, dynamic := cell.Value, r.Columns[hd.col].Settings.TypeColumn == crm.ReportDynamicColumn
			if dynamic {
				val = cell.Split[hd.Member]
			}
			l.Cells = append(l.Cells, reportCellView{Key: hd.Key, Member: hd.Member, Empty: hd.Empty, Dynamic: dynamic,
				Value: strconv.FormatFloat(val, 'f', -1, 64)})
		}
		return l
	}
	for _, row := range res.Rows {
		d.Lines = append(d.Lines, line(row, false))
	}
	d.Lines = append(d.Lines, line(res.Total, true))
}

var settingsStatsMessages = catalog{
	"stats.intro":                 {"Reports for Envybox stat/custom (docs/envybox-stats.md): rows group a pipeline's deals, columns count them or sum a field.", "Отчёты для stat/custom Envybox (docs/envybox-stats.md): строки группируют сделки воронки, столбцы считают их или суммируют поле."},
	"stats.none":                  {"No reports yet.", "Отчётов пока нет."},
	"stats.new":                   {"New report", "Новый отчёт"},
	"stats.edit":                  {"Edit", "Изменить"},
	"stats.view":                  {"Show", "Показать"},
	"stats.columns":               {"Columns", "Столбцы"},
	"stats.columns_count":         {"%d columns", "Столбцов: %d"},
	"stats.id":                    {"stat_id", "stat_id"},
	"stats.saved":                 {"Report saved.", "Отчёт сохранён."},
	"stats.not_found":             {"No such report.", "Такого отчёта нет."},
	"stats.not_editable":          {"This report's definition goes beyond the form (several conditions on a column): change it with crmd report update.", "Определение отчёта шире формы (несколько условий у столбца): измените его через crmd report update."},
	"stats.bad_form":              {"The form has a choice that is not among its options; reload the page.", "В форме выбран вариант, которого нет в списке; перезагрузите страницу."},
	"stats.date_filter":           {"The dates apply to", "Период применяется к"},
	"stats.date.created":          {"when the deal was created", "дате создания сделки"},
	"stats.date.closed":           {"when the deal was won or lost", "дате закрытия сделки"},
	"stats.date.stage_changed":    {"the deal's last stage change", "последней смене этапа"},
	"stats.date.stage_transition": {"when the deal entered one of these stages (any, if none)", "входу сделки в один из этапов (в любой, если не выбраны)"},
	"stats.date.input":            {"a date field of the deal", "полю-дате сделки"},
	"stats.date_stages":           {"Stages (for entering a stage)", "Этапы (для входа в этап)"},
	"stats.date_field":            {"Date field (for a date field)", "Поле-дата (для поля сделки)"},
	"stats.rows":                  {"Rows grouped by, in order", "Строки группируются по, по порядку"},
	"stats.row_n":                 {"Grouping %d", "Группировка %d"},
	"stats.no_grouping":           {"— none —", "— нет —"},
	"stats.column_n":              {"Column %d", "Столбец %d"},
	"stats.column_on":             {"In the report", "В отчёте"},
	"stats.column_name":           {"Name", "Название"},
	"stats.operation":             {"Computes", "Считает"},
	"stats.count":                 {"Number of deals", "Число сделок"},
	"stats.sum_of":                {"Sum of %s", "Сумма: %s"},
	"stats.kind":                  {"Values", "Значения"},
	"stats.static":                {"One per row", "Одно на строку"},
	"stats.split_by":              {"Split by %s", "По: %s"},
	"stats.condition":             {"Only deals where", "Только сделки, где"},
	"stats.condition_values":      {"is one of (comma-separated ids or texts)", "одно из (id или тексты через запятую)"},
	"stats.any":                   {"— all deals —", "— все сделки —"},
	"stats.save":                  {"Save report", "Сохранить отчёт"},
	"stats.deal":                  {"Deal", "Сделка"},
	"stats.dim.1":                 {"Responsible", "Ответственный"},
	"stats.dim.2":                 {"Stage", "Этап"},
	"stats.dim.3":                 {"Inbox type", "Тип обращения"},
	"stats.dim.4":                 {"Field", "Поле"},
	"stats.dim.5":                 {"Department", "Отдел"},
	"stats.dim.6":                 {"Stage status", "Статус этапа"},
	"stats.status.2001":           {"New", "Новая"},
	"stats.status.2002":           {"In work", "В работе"},
	"stats.status.2003":           {"Won", "Успешно"},
	"stats.status.2004":           {"Lost", "Провалена"},
	"stats.show":                  {"Show", "Показать"},
	"stats.total":                 {"Total", "Итого"},
	"stats.bad_pipeline":          {"Choose a pipeline from the list.", "Выберите воронку из списка."},
	"stats.bad_date":              {"Dates are days: YYYY-MM-DD.", "Даты — дни в формате ГГГГ-ММ-ДД."},
	"stats.from_after_to":         {"The start date is after the end date.", "Начальная дата позже конечной."},
	"stats.pipeline_not_found":    {"No deal pipeline has this id.", "Нет воронки сделок с таким id."},
	"stats.field_gone":            {"A field of the report has been deleted since it was defined: edit the report.", "Поле отчёта удалено после его создания: измените отчёт."},
	"stats.same_as_api":           {"The numbers POST /openapi/v1/stat/custom/ answers for stat_id %d with these dates.", "Те же числа, что POST /openapi/v1/stat/custom/ отвечает для stat_id %d с этими датами."},
	"stats.back":                  {"All reports", "Все отчёты"},
	"stats.no_rows":               {"No deals in the range.", "Нет сделок за период."},
}

// dateFilterKey is the message naming a date filter ("stats.date.<filter>",
// each defined in settingsStatsMessages).
func dateFilterKey(f crm.ReportDateFilter) string { return "stats.date." + string(f) }
