package envybox

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// E41 stat/custom evaluates a stored custom statistic (crm.Report; how
// reports are defined: docs/envybox-stats.md) for a deal pipeline and a
// date range in the account's time zone.

// statRoutes serve the statistics methods.
func (h *handler) statRoutes() []route {
	return []route{
		{"POST /openapi/v1/stat/custom/", h.statCustom},
	}
}

// statCustom is E41. start_date and end_date are "YYYY-MM-DD" days in the
// account's time zone (the range covers both whole days); the document
// also types them "int", so an integer (or all-digit string) is taken as a
// Unix timestamp, used as it is.
func (h *handler) statCustom(ctx context.Context, c *call) (map[string]any, error) {
	statID, err := c.req.required("stat_id")
	if err != nil {
		return nil, err
	}
	pipelineID, err := c.req.required("pipeline_id")
	if err != nil {
		return nil, err
	}
	from, err := statDate(c, "start_date", false)
	if err != nil {
		return nil, err
	}
	to, err := statDate(c, "end_date", true)
	if err != nil {
		return nil, err
	}
	if from > to {
		return nil, badRequest("start_date позже end_date")
	}
	showType, err := c.req.str("show_type")
	if err != nil {
		return nil, err
	}
	showType = strings.TrimSpace(showType)
	switch showType {
	case "":
		return nil, badRequest("Не указан show_type")
	case "table", "tree":
	default:
		return nil, badRequest("show_type должен быть table или tree")
	}
	res, err := h.svc.EvaluateReport(ctx, c.actor, statID, crm.ReportRange{PipelineID: pipelineID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	r := res.Report
	rows := res.Rows
	if showType == "tree" {
		rows = res.Tree()
	}
	data := make([]any, 0, len(rows)+1)
	for _, row := range rows {
		data = append(data, statRow(r, row))
	}
	total := statCells(r, res.Total)
	total["total"] = true
	data = append(data, total)
	columns := make([]any, 0, len(r.Columns))
	for _, col := range r.Columns {
		columns = append(columns, map[string]any{
			"id":             col.ID,
			"crm_id":         r.AccountID,
			"custom_stat_id": r.ID,
			"created_at":     at(col.CreatedAt, c.loc),
			"updated_at":     at(col.UpdatedAt, c.loc),
			"deleted_at":     nil,
			"settings":       reportColumnSettingsOf(col.Settings),
		})
	}
	return map[string]any{"result": map[string]any{"data": data, "tableColumns": columns, "settings": reportSettingsOf(r.Settings)}}, nil
}

var allDigits = regexp.MustCompile(`^\d+$`)

// statDate reads start_date or end_date as Unix seconds.
func statDate(c *call, key string, end bool) (int64, error) {
	v, ok := c.req[key]
	if !ok || v == nil {
		return 0, badRequest("Не указан " + key)
	}
	if n, isNum := v.(json.Number); isNum {
		ts, err := n.Int64()
		if err != nil {
			return 0, badRequest("Параметр " + key + " должен быть датой YYYY-MM-DD или меткой времени Unix")
		}
		return ts, nil
	}
	s, err := c.req.str(key)
	if err != nil {
		return 0, err
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, badRequest("Не указан " + key)
	case allDigits.MatchString(s):
		ts, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, badRequest("Параметр " + key + " должен быть датой YYYY-MM-DD или меткой времени Unix")
		}
		return ts, nil
	}
	return day(s, c.loc, end)
}

// statRow renders a data row (or tree node): the grouping keys it has,
// its columns, and a tree node's children.
func statRow(r crm.Report, row crm.ReportRow) map[string]any {
	out := statCells(r, row)
	for i, k := range row.Keys {
		p := r.Settings.RowParams[i]
		if p.Type == crm.ReportByField {
			out[p.Key()] = statKey(k)
		} else {
			out[p.Key()] = k.Int
		}
	}
	if row.Children != nil {
		children := make([]any, 0, len(row.Children))
		for _, ch := range row.Children {
			children = append(children, statRow(r, ch))
		}
		out["children"] = children
	}
	return out
}

// statKey is a field grouping's value as a data row shows it: a number,
// a string or null.
func statKey(k crm.ReportKey) any {
	switch {
	case k.Null:
		return nil
	case k.Textual:
		return k.Text
	}
	return k.Int
}

// statCells renders the "<id>_column" members: a number for a static
// column, an object of member key → number for a dynamic one.
func statCells(r crm.Report, row crm.ReportRow) map[string]any {
	out := make(map[string]any, len(r.Columns)+len(row.Keys)+1)
	for i, col := range r.Columns {
		cell := row.Cells[i]
		if col.Settings.TypeColumn != crm.ReportDynamicColumn {
			out[col.Key()] = statNumber(cell.Value)
			continue
		}
		split := make(map[string]any, len(cell.Split))
		for k, v := range cell.Split {
			split[k] = statNumber(v)
		}
		out[col.Key()] = split
	}
	return out
}

// statNumber writes whole numbers as integers.
func statNumber(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}
