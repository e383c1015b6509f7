package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// statForm is the editor's form with one column set by cols: each entry
// is name, operation, kind, condition dimension, condition values.
func statForm(name string, rows []string, cols ...[5]string) url.Values {
	f := url.Values{"name": {name}, "date_filter": {"created"}, "rows": rows, "columns": {strconv.Itoa(len(cols))}}
	for i, c := range cols {
		p := fmt.Sprintf("col%d_", i)
		f.Set(p+"on", "1")
		f.Set(p+"name", c[0])
		f.Set(p+"op", c[1])
		f.Set(p+"kind", c[2])
		f.Set(p+"cond", c[3])
		f.Set(p+"values", c[4])
	}
	return f
}

var (
	tableRow  = regexp.MustCompile(`(?s)<tr( class="totals" data-total="true")?>(.*?)</tr>`)
	tableCell = regexp.MustCompile(`<td class="num" data-key="([^"]+)"(?: data-member="([^"]*)")?>([^<]*)</td>`)
)

// reportTable reads the report page's table as stat/custom's data: one
// object per row, "<id>_column" → a number, or member → number for a
// dynamic column, and "total": true on the last.
func reportTable(t *testing.T, body string) []map[string]any {
	t.Helper()
	start := strings.Index(body, `<tbody>`)
	if start < 0 {
		t.Fatalf("no report table:\n%s", body)
	}
	var out []map[string]any
	for _, tr := range tableRow.FindAllStringSubmatch(body[start:], -1) {
		row := map[string]any{}
		if tr[1] != "" {
			row["total"] = true
		}
		for _, td := range tableCell.FindAllStringSubmatch(tr[2], -1) {
			n, err := strconv.ParseFloat(td[3], 64)
			if err != nil {
				t.Fatalf("cell %q", td[0])
			}
			if strings.Contains(td[0], "data-member=") {
				split, _ := row[td[1]].(map[string]any)
				if split == nil {
					split = map[string]any{}
					row[td[1]] = split
				}
				split[html.UnescapeString(td[2])] = n
			} else {
				row[td[1]] = n
			}
		}
		out = append(out, row)
	}
	return out
}

// apiNumbers is stat/custom's data with the grouping keys left out (the
// page names them) and every number a float64; a dynamic column's members
// of value 0 are kept, as the page shows a 0 where another row has one.
func apiNumbers(t *testing.T, data []any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, item := range data {
		row := map[string]any{}
		for k, val := range item.(map[string]any) {
			switch {
			case k == "total":
				row[k] = true
			case strings.HasSuffix(k, "_column"):
				switch x := val.(type) {
				case json.Number:
					f, _ := x.Float64()
					row[k] = f
				case map[string]any:
					split := map[string]any{}
					for mk, mv := range x {
						f, _ := mv.(json.Number).Float64()
						split[mk] = f
					}
					row[k] = split
				default:
					t.Fatalf("column %s: %T", k, val)
				}
			}
		}
		out = append(out, row)
	}
	return out
}

// dropZeros removes the zero members the page shows for a dynamic column
// where another row has the member and stat/custom leaves it out.
func dropZeros(rows []map[string]any) {
	for _, row := range rows {
		for _, val := range row {
			if split, ok := val.(map[string]any); ok {
				for k, n := range split {
					if n == 0.0 {
						delete(split, k)
					}
				}
			}
		}
	}
}

// TestSettingsStatistics: the editor makes and changes a report with the
// domain's validation errors, and the report page's table holds the
// numbers stat/custom answers.
func TestSettingsStatistics(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Stats")
		m.signIn(t)
		ctx := context.Background()
		stages := m.stages(t)
		pipeline := m.pipelineID(t)
		api := env.AmoCRM(m.creds.AmoCRMToken)
		margin := api.Post(t, "/api/v4/leads/custom_fields", `[{"name":"Margin","type":"numeric"}]`).HAL(http.StatusCreated).
			Int("_embedded.custom_fields.0.id")
		note := api.Post(t, "/api/v4/leads/custom_fields", `[{"name":"Note","type":"text"}]`).HAL(http.StatusCreated).
			Int("_embedded.custom_fields.0.id")
		expect(t, m.get(t, "/settings/statistics"), http.StatusOK, "No reports yet.", `aria-current="page">Custom statistics`)
		expect(t, m.get(t, "/settings/statistics/new"), http.StatusOK, `id="stat-form"`,
			fmt.Sprintf(`value="sum:3:%d"`, margin), "Sum of Deal: Margin", `value="d1"`, fmt.Sprintf(`value="f3:%d"`, note))

		sum := fmt.Sprintf("sum:3:%d", margin)
		// The domain's validation, worded for the form.
		for _, c := range []struct {
			form url.Values
			want string
		}{
			{statForm("", nil, [5]string{"Deals", "count", "static"}), "A report needs a name."},
			{statForm("R", nil, [5]string{"Deals", fmt.Sprintf("sum:3:%d", note), "static"}), "Column 1: A sum needs a numeric custom field."},
			{statForm("R", nil, [5]string{"Deals", "count", "static", "d6", ""}), "Column 1: values must list at least one value."},
			{statForm("R", nil, [5]string{"Deals", "count", "static", "d2", "first"}), "Column 1: values must be integer ids."},
			{statForm("R", []string{"d1", "d1"}, [5]string{"Deals", "count", "static"}), "Grouping 2: The report already groups by this."},
			{statForm("R", []string{"f3:999999"}, [5]string{"Deals", "count", "static"}), "Grouping 1: 999999 is not a field of a deal."},
			{statForm("R", []string{"zz"}, [5]string{"Deals", "count", "static"}), "not among its options"},
			{statForm("R", nil, [5]string{"Deals", "median", "static"}), "not among its options"},
		} {
			p := m.post(t, "/settings/statistics", c.form)
			expect(t, p, http.StatusUnprocessableEntity, html.EscapeString(c.want), `id="stat-error"`)
		}
		input := statForm("R", nil, [5]string{"Deals", "count", "static"})
		input.Set("date_filter", "input")
		expect(t, m.post(t, "/settings/statistics", input), http.StatusUnprocessableEntity,
			"The input date filter needs the id of a date field of deals.")
		if list, err := m.service().Reports(ctx, m.Actor); err != nil || len(list) != 0 {
			t.Fatalf("refused forms made reports: %v %v", list, err)
		}

		// A report: by responsible and stage status; a count, a sum, a
		// count split by stage, and the won deals only.
		p := m.post(t, "/settings/statistics", statForm("By manager", []string{"d1", "d6", ""},
			[5]string{"Deals", "count", "static"}, [5]string{"Margin", sum, "static"},
			[5]string{"", "count", "d2"}, [5]string{"Won", "count", "static", "d6", "2003"}))
		if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "?saved=1") {
			t.Fatalf("create: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		reports, err := m.service().Reports(ctx, m.Actor)
		if err != nil || len(reports) != 1 {
			t.Fatalf("reports: %v %v", reports, err)
		}
		rep := reports[0]
		if rep.Name != "By manager" || len(rep.Settings.RowParams) != 2 || len(rep.Columns) != 4 ||
			rep.Columns[1].Settings.OperationParams.Value.V != margin || rep.Columns[2].Settings.TypeColumn != crm.ReportDynamicColumn ||
			len(rep.Columns[3].Settings.CalcConditions) != 1 {
			t.Errorf("stored %+v", rep)
		}
		edit := m.get(t, p.Location)
		expect(t, edit, http.StatusOK, "Report saved.", `value="By manager"`, fmt.Sprintf(`value="%s" selected`, sum),
			`value="2003"`, fmt.Sprintf("%d_column", rep.Columns[0].ID))
		expect(t, m.get(t, "/settings/statistics"), http.StatusOK, "By manager", "Deals, Margin, Column 3, Won",
			fmt.Sprintf(`href="/reports/custom/%d"`, rep.ID))

		// Deals in three stages, with margins.
		for i, st := range []int64{stages[0], stages[0], stages[1], stages[len(stages)-2]} {
			api.Post(t, "/api/v4/leads", fmt.Sprintf(`[{"name":"D%d","price":100,"status_id":%d,"pipeline_id":%d,
				"custom_fields_values":[{"field_id":%d,"values":[{"value":"%d"}]}]}]`, i, st, pipeline, margin, 10*(i+1))).HAL(http.StatusOK)
		}
		today := time.Now().In(m.Actor.Location()).Format(time.DateOnly)
		page := m.get(t, fmt.Sprintf("/reports/custom/%d?pipeline=%d&from=%s&to=%s", rep.ID, pipeline, today, today))
		expect(t, page, http.StatusOK, "By manager", `id="report-table"`, "Administrator", "Total", "Margin")
		got := reportTable(t, page.Body)
		reply := env.Envybox(m.creds.EnvyboxAPIKey).Post(t, "/openapi/v1/stat/custom/", fmt.Sprintf(
			`{"request": {"stat_id": %d, "pipeline_id": %d, "start_date": %q, "end_date": %q, "show_type": "table"}}`, rep.ID, pipeline, today, today))
		want := apiNumbers(t, reply.At("result.data").([]any))
		dropZeros(got)
		if len(want) < 2 {
			t.Fatalf("stat/custom: %v", want)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("the page's table differs from stat/custom (-api +page):\n%s", diff)
		}
		if total := got[len(got)-1]; total[rep.Columns[0].Key()] != 4.0 || total[rep.Columns[1].Key()] != 100.0 {
			t.Errorf("totals %v", total)
		}
		// Yesterday has no deals: a total row of zeros, as the API's.
		yesterday := time.Now().In(m.Actor.Location()).AddDate(0, 0, -1).Format(time.DateOnly)
		expect(t, m.get(t, fmt.Sprintf("/reports/custom/%d?from=%s&to=%s", rep.ID, yesterday, yesterday)), http.StatusOK, "No deals in the range.")

		// The page's errors.
		expect(t, m.get(t, fmt.Sprintf("/reports/custom/%d?from=%s&to=%s", rep.ID, today, yesterday)), http.StatusUnprocessableEntity,
			"The start date is after the end date.")
		expect(t, m.get(t, fmt.Sprintf("/reports/custom/%d?from=yesterday", rep.ID)), http.StatusUnprocessableEntity, "Dates are days")
		expect(t, m.get(t, fmt.Sprintf("/reports/custom/%d?pipeline=999999", rep.ID)), http.StatusNotFound, "No deal pipeline has this id.")
		expect(t, m.get(t, fmt.Sprintf("/reports/custom/%d?pipeline=x", rep.ID)), http.StatusUnprocessableEntity)
		expect(t, m.get(t, "/reports/custom/999999"), http.StatusNotFound, "No such report.")
		expect(t, m.get(t, "/settings/statistics/999999"), http.StatusNotFound, "No such report.")
		expect(t, m.post(t, "/settings/statistics/999999", statForm("R", nil)), http.StatusNotFound, "No such report.")

		// Edit: the first column keeps its id, the fourth is dropped, a
		// new one is added.
		f := statForm("By manager, v2", []string{"d1"}, [5]string{"Deals", "count", "static"}, [5]string{"Margin", sum, "static"},
			[5]string{"", "count", "d2"}, [5]string{"Won", "count", "static", "d6", "2003"}, [5]string{"Lost", "count", "static", "d6", "2004"})
		for i := range 4 {
			f.Set(fmt.Sprintf("col%d_id", i), itoa(rep.Columns[i].ID))
		}
		f.Del("col3_on")
		up := m.post(t, fmt.Sprintf("/settings/statistics/%d", rep.ID), f)
		if up.Status != http.StatusSeeOther {
			t.Fatalf("update: HTTP %d: %s", up.Status, up.Body)
		}
		after, err := m.service().Report(ctx, m.Actor, rep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Name != "By manager, v2" || len(after.Columns) != 4 || after.Columns[0].ID != rep.Columns[0].ID ||
			after.Columns[3].Settings.StaticColumnName != "Lost" || after.Columns[3].ID == rep.Columns[3].ID {
			t.Errorf("after update: %+v", after)
		}
		// A column id that is not the report's is the domain's error.
		f.Set("col0_id", "999999")
		expect(t, m.post(t, fmt.Sprintf("/settings/statistics/%d", rep.ID), f), http.StatusUnprocessableEntity,
			"Column 1: Column 999999 is not a column of this report.")

		// A report from JSON with more than the form shows is not edited
		// here.
		two := crm.ReportDefinition{Name: "Two conditions", TableColumns: []crm.ReportColumnDefinition{{Settings: crm.ReportColumnSettings{
			OperationParams: crm.ReportOperation{Type: crm.ReportCount}, TypeColumn: crm.ReportStaticColumn,
			CalcConditions: []crm.ReportCondition{{Type: crm.ReportByStatus, Values: []crm.ReportValue{crm.ReportNumber(2001)}},
				{Type: crm.ReportByStage, Values: []crm.ReportValue{crm.ReportNumber(float64(stages[0]))}}}}}}}
		twoRep, err := m.service().CreateReport(ctx, m.Actor, two)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, m.get(t, fmt.Sprintf("/settings/statistics/%d", twoRep.ID)), http.StatusOK, `id="stat-not-editable"`, "<fieldset disabled>")
		expect(t, m.post(t, fmt.Sprintf("/settings/statistics/%d", twoRep.ID), statForm("x", nil, [5]string{"a", "count", "static"})),
			http.StatusUnprocessableEntity, "crmd report update")
		if r, _ := m.service().Report(ctx, m.Actor, twoRep.ID); r.Name != "Two conditions" {
			t.Errorf("the refused update changed the report: %+v", r)
		}
	})
}
