package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/web/chart"
)

// The reports dashboard (/reports): five charts of crm.Service.Dashboard,
// drawn as SVG on the server (package chart says why), each with its
// numbers in a table right under it and a CSV download of that table
// (/reports/<chart>.csv with the page's query). The page's state is its
// query: from and to (YYYY-MM-DD, the account's days; the last 30 days by
// default) and pipeline (a deal pipeline id; the primary one by default).
//
// Every user of the account sees it: the domain lets members read every
// deal, task and customer through the APIs, so the page adds no rule.
// A malformed query is a 400 with the workspace's error page, so that a
// bookmarked or hand-edited address says what is wrong with it.

// reportCharts are the dashboard's charts in page order; each is also the
// name of its CSV download.
var reportCharts = []string{"funnel", "leads", "won-lost", "managers", "customers"}

// reportRoutes registers the dashboard's routes.
func (h *handler) reportRoutes(mux *http.ServeMux) {
	mux.Handle("GET /reports", h.signedIn(h.reports))
	for _, name := range reportCharts {
		mux.Handle("GET /reports/"+name+".csv", h.signedIn(func(w http.ResponseWriter, r *http.Request, v *view) {
			h.reportCSV(w, r, v, name)
		}))
	}
}

// reportCell is one cell of a chart's table: Text as the page shows it,
// Raw as the CSV has it (a number without grouping or currency, so that a
// spreadsheet reads it as one). Series names the chart series the cell is
// the value of, for the bars that draw it.
type reportCell struct {
	Text   string
	Raw    string
	Num    bool
	Series string
}

// reportRow is a row of a chart's table; Label is its first cell's, the
// category its bars are drawn at.
type reportRow struct {
	Label string
	Cells []reportCell
}

// reportChart is one chart of the page with its table.
type reportChart struct {
	Name    string // the reportCharts entry
	Title   string
	Caption string // what the numbers are of
	SVG     template.HTML
	Head    []string
	Rows    []reportRow
	Empty   string // the text in place of the table when it has no rows
	CSV     string // the download's address
}

// reportsData is the dashboard's content.
type reportsData struct {
	Dashboard crm.Dashboard
	From, To  string // the window as the date inputs hold it
	Pipeline  int64
	Charts    []reportChart
}

// parseReportQuery reads the page's query. Errors: invalid, worded for the
// page (a 400).
func parseReportQuery(v *view, q url.Values) (crm.DashboardQuery, error) {
	var out crm.DashboardQuery
	for key := range q {
		switch key {
		case "from", "to", "pipeline":
		default:
			return out, crm.Errorf(crm.KindInvalid, "%s", v.T("reports.bad_param", key))
		}
	}
	day := func(key string) (time.Time, error) {
		s := strings.TrimSpace(q.Get(key))
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, s, v.loc)
		if err != nil {
			return t, crm.Errorf(crm.KindInvalid, "%s", v.T("reports.bad_date", key, s))
		}
		return t, nil
	}
	var err error
	if out.From, err = day("from"); err != nil {
		return out, err
	}
	if out.To, err = day("to"); err != nil {
		return out, err
	}
	if p := strings.TrimSpace(q.Get("pipeline")); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return out, crm.Errorf(crm.KindInvalid, "%s", v.T("reports.bad_pipeline", p))
		}
		out.PipelineID = id
	}
	from, to, err := out.Window(v.now, v.loc)
	switch {
	case err == nil:
	case to.Before(from):
		return out, crm.Errorf(crm.KindInvalid, "%s", v.T("reports.bad_order"))
	default:
		return out, crm.Errorf(crm.KindInvalid, "%s", v.T("reports.too_long", crm.MaxDashboardDays))
	}
	return out, nil
}

// dashboard reads the query and the dashboard, answering the errors
// itself (false then).
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request, v *view) (reportsData, bool) {
	v.Section, v.Title = "reports", v.T("nav.reports")
	q, err := parseReportQuery(v, r.URL.Query())
	if err == nil {
		var d crm.Dashboard
		if d, err = h.svc.Dashboard(r.Context(), v.Actor, q); err == nil {
			return newReportsData(v, d), true
		}
	}
	if crm.KindOf(err) == crm.KindInvalid {
		v.Title = v.T("error.title")
		h.render(w, r, http.StatusBadRequest, "error", v, errorData{Status: http.StatusBadRequest, Message: errorMessage(err)})
		return reportsData{}, false
	}
	h.renderError(w, r, v, err)
	return reportsData{}, false
}

func (h *handler) reports(w http.ResponseWriter, r *http.Request, v *view) {
	data, ok := h.dashboard(w, r, v)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "reports", v, data)
}

// reportCSV answers one chart's table as CSV: UTF-8 with a byte order mark,
// which is what makes Excel read UTF-8 rather than the system code page.
func (h *handler) reportCSV(w http.ResponseWriter, r *http.Request, v *view, name string) {
	data, ok := h.dashboard(w, r, v)
	if !ok {
		return
	}
	var c reportChart
	for _, c = range data.Charts {
		if c.Name == name {
			break
		}
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Write(c.Head)
	for _, row := range c.Rows {
		rec := make([]string, len(row.Cells))
		for i, cell := range row.Cells {
			rec[i] = cell.Raw
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		h.internalError(w, r, err)
		return
	}
	file := fmt.Sprintf("%s_%s_%s.csv", name, data.From, data.To)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// Cells of the tables.
func textCell(s string) reportCell { return reportCell{Text: s, Raw: s} }

func (v *view) countCell(n int64, series string) reportCell {
	return reportCell{Text: v.Number(int(n)), Raw: strconv.FormatInt(n, 10), Num: true, Series: series}
}

func (v *view) moneyCell(n int64, series string) reportCell {
	return reportCell{Text: v.Money(n), Raw: strconv.FormatInt(n, 10), Num: true, Series: series}
}

func shareCell(f float64) reportCell {
	s := strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
	return reportCell{Text: s, Raw: s, Num: true}
}

// newReportsData lays the dashboard out as charts and tables.
func newReportsData(v *view, d crm.Dashboard) reportsData {
	data := reportsData{Dashboard: d, From: d.From.Format(time.DateOnly), To: d.To.Format(time.DateOnly), Pipeline: d.Pipeline.ID}
	query := url.Values{"from": {data.From}, "to": {data.To}}
	if d.Pipeline.ID != 0 {
		query.Set("pipeline", strconv.FormatInt(d.Pipeline.ID, 10))
	}
	money := func(n int64) string { return v.Money(n) }
	count := func(n int64) string { return v.Number(int(n)) }
	window := v.T("reports.window", v.Date(d.From), v.Date(d.To))
	add := func(c reportChart, bars chart.Bars) {
		bars.ID, bars.Title, bars.Desc, bars.Empty = "chart-"+c.Name, c.Title, c.Caption, v.T("reports.no_data")
		for _, row := range c.Rows {
			bars.Labels = append(bars.Labels, row.Label)
		}
		for si := range bars.Series {
			for _, row := range c.Rows {
				var n int64
				for _, cell := range row.Cells {
					if cell.Series == bars.Series[si].Name {
						n, _ = strconv.ParseInt(cell.Raw, 10, 64)
					}
				}
				bars.Series[si].Values = append(bars.Series[si].Values, n)
			}
		}
		c.SVG = bars.SVG()
		c.CSV = "/reports/" + c.Name + ".csv?" + query.Encode()
		data.Charts = append(data.Charts, c)
	}

	// 1. The pipeline's funnel, the first and widest: the board's numbers.
	reached := v.T("reports.reached")
	funnel := reportChart{Name: "funnel", Title: v.T("reports.funnel", d.Pipeline.Name), Caption: v.T("reports.funnel_caption"),
		Head: []string{v.T("common.stage"), v.T("reports.deals_now"), v.T("reports.sum_now"), v.T("reports.stage_share"),
			reached, v.T("reports.reached_sum"), v.T("reports.conversion")}, Empty: v.T("reports.no_pipeline")}
	for _, s := range d.Funnel {
		funnel.Rows = append(funnel.Rows, reportRow{Label: s.Stage.Name, Cells: []reportCell{textCell(s.Stage.Name),
			v.countCell(s.Deals, ""), v.moneyCell(s.PriceSum, ""), shareCell(s.StageShare),
			v.countCell(s.Reached, reached), v.moneyCell(s.ReachedSum, ""), shareCell(s.Share)}})
	}
	add(funnel, chart.Bars{Series: []chart.Series{{Name: reached}}, Horizontal: true, Format: count,
		Note: func(_, li int) string { return shareCell(d.Funnel[li].Share).Text }})

	// 2. Leads per day by source.
	leads := reportChart{Name: "leads", Title: v.T("reports.leads"), Caption: v.T("reports.leads_caption") + " " + window,
		Head: []string{v.T("reports.day")}}
	var series []chart.Series
	names := make([]string, len(d.Sources))
	for i, s := range d.Sources {
		names[i] = s
		if s == "" {
			names[i] = v.T("reports.no_source")
		}
		leads.Head = append(leads.Head, names[i])
		series = append(series, chart.Series{Name: names[i]})
	}
	leads.Head = append(leads.Head, v.T("reports.total"))
	for _, day := range d.LeadDays {
		row := reportRow{Label: v.shortDay(day.Day)}
		row.Cells = append(row.Cells, reportCell{Text: row.Label, Raw: day.Day.Format(time.DateOnly)})
		for i, n := range day.Counts {
			row.Cells = append(row.Cells, v.countCell(n, names[i]))
		}
		row.Cells = append(row.Cells, v.countCell(day.Total(), ""))
		leads.Rows = append(leads.Rows, row)
	}
	add(leads, chart.Bars{Series: series, Stacked: true, Format: count})

	// 3. Won and lost amounts per month.
	wonSum, lostSum := v.T("reports.won_sum"), v.T("reports.lost_sum")
	months := reportChart{Name: "won-lost", Title: v.T("reports.won_lost"), Caption: v.T("reports.won_lost_caption", crm.DashboardMonths, d.Pipeline.Name),
		Head: []string{v.T("reports.month"), v.T("reports.won"), wonSum, v.T("reports.lost"), lostSum}}
	for _, m := range d.Months {
		label := m.Month.Format("01.2006")
		months.Rows = append(months.Rows, reportRow{Label: label, Cells: []reportCell{{Text: label, Raw: m.Month.Format("2006-01")},
			v.countCell(m.Won, ""), v.moneyCell(m.WonSum, wonSum), v.countCell(m.Lost, ""), v.moneyCell(m.LostSum, lostSum)}})
	}
	add(months, chart.Bars{Series: []chart.Series{{Name: wonSum, Color: "#009E73"}, {Name: lostSum, Color: "#D55E00"}},
		Format: money})

	// 4. Per-manager results.
	won, open, overdue := v.T("reports.won"), v.T("reports.open"), v.T("reports.overdue")
	managers := reportChart{Name: "managers", Title: v.T("reports.managers"), Caption: v.T("reports.managers_caption", v.Date(d.From), v.Date(d.To), d.Pipeline.Name),
		Head: []string{v.T("reports.manager"), won, v.T("reports.won_sum"), open, v.T("reports.open_sum"), overdue}}
	for _, m := range d.Managers {
		name := m.Name
		if m.UserID == 0 {
			name = v.T("common.nobody")
		}
		managers.Rows = append(managers.Rows, reportRow{Label: name, Cells: []reportCell{textCell(name),
			v.countCell(m.Won, won), v.moneyCell(m.WonSum, ""), v.countCell(m.Open, open), v.moneyCell(m.OpenSum, ""),
			v.countCell(m.OverdueTasks, overdue)}})
	}
	add(managers, chart.Bars{Series: []chart.Series{{Name: won, Color: "#009E73"}, {Name: open, Color: "#0072B2"},
		{Name: overdue, Color: "#D55E00"}}, Horizontal: true, Format: count})

	// 5. Customers by status.
	customersName := v.T("reports.customers_count")
	customers := reportChart{Name: "customers", Title: v.T("reports.customers"), Caption: v.T("reports.customers_caption"),
		Head: []string{v.T("reports.status"), customersName, v.T("reports.share")}, Empty: v.T("reports.customers_off")}
	if !d.CustomersOff {
		var all int64
		for _, c := range d.Customers {
			all += c.Customers
		}
		for _, c := range d.Customers {
			name := c.Status.Name
			if name == "" {
				name = "#" + strconv.FormatInt(c.Status.ID, 10)
			}
			share := 0.0
			if all > 0 {
				share = float64(c.Customers) / float64(all)
			}
			customers.Rows = append(customers.Rows, reportRow{Label: name, Cells: []reportCell{textCell(name),
				v.countCell(c.Customers, customersName), shareCell(share)}})
		}
	}
	bars := chart.Bars{Series: []chart.Series{{Name: customersName, Color: "#CC79A7"}}, Horizontal: true, Format: count}
	add(customers, bars)
	if d.CustomersOff {
		data.Charts[len(data.Charts)-1].SVG = ""
	}
	return data
}

// shortDay is a day as an axis label: "03.12", "Dec 3".
func (v *view) shortDay(t time.Time) string {
	if v.Lang == "ru" {
		return t.Format("02.01")
	}
	return t.Format("Jan 2")
}

// reportMessages are the dashboard's texts.
var reportMessages = catalog{
	"reports.title":             {"Reports", "Отчёты"},
	"reports.bad_param":         {"The report has no parameter “%s”.", "У отчёта нет параметра «%s»."},
	"reports.bad_date":          {"“%[2]s” is not a date for “%[1]s”: write it as YYYY-MM-DD.", "«%[2]s» — не дата для «%[1]s»: укажите её как ГГГГ-ММ-ДД."},
	"reports.bad_pipeline":      {"“%s” is not a pipeline number.", "«%s» — не номер воронки."},
	"reports.bad_order":         {"The period ends before it starts.", "Период заканчивается раньше, чем начинается."},
	"reports.too_long":          {"The period is too long: at most %d days.", "Период слишком длинный: не больше %d дней."},
	"reports.window":            {"from %s to %s", "с %s по %s"},
	"reports.show":              {"Show", "Показать"},
	"reports.to":                {"To", "По"},
	"reports.csv":               {"Download CSV", "Скачать CSV"},
	"reports.no_data":           {"No data for this period", "Нет данных за этот период"},
	"reports.table":             {"Data table", "Таблица данных"},
	"reports.total":             {"Total", "Всего"},
	"reports.day":               {"Day", "День"},
	"reports.leads":             {"Leads per day by source", "Заявки по дням и источникам"},
	"reports.leads_caption":     {"Inbound leads of the whole account by their source channel,", "Входящие заявки всего аккаунта по каналам,"},
	"reports.no_source":         {"No source", "Без источника"},
	"reports.funnel":            {"Stage conversion: %s", "Конверсия по этапам: %s"},
	"reports.funnel_caption":    {"The pipeline's deals now, of all dates: on each stage, and those that got that far (every deal for the first stage; on the stage or further on, not lost, for the others), as a share of the first stage.", "Сделки воронки сейчас, за всё время: на каждом этапе и дошедшие до него (для первого этапа — все; для остальных — на этапе или дальше, кроме проигранных), в доле от первого этапа."},
	"reports.no_pipeline":       {"The account has no deal pipeline.", "В аккаунте нет воронки сделок."},
	"reports.deals_now":         {"Deals", "Сделок"},
	"reports.sum_now":           {"Amount", "Сумма"},
	"reports.stage_share":       {"Share of deals", "Доля сделок"},
	"reports.reached":           {"Reached", "Дошли"},
	"reports.reached_sum":       {"Reached amount", "Сумма дошедших"},
	"reports.conversion":        {"Of first stage", "От первого этапа"},
	"reports.won_lost":          {"Won and lost per month", "Выиграно и проиграно по месяцам"},
	"reports.won_lost_caption":  {"The last %d months, by the month a deal of %s was closed.", "Последние %d месяцев, по месяцу закрытия сделки воронки «%s»."},
	"reports.month":             {"Month", "Месяц"},
	"reports.won":               {"Won", "Выиграно"},
	"reports.won_sum":           {"Won amount", "Сумма выигранных"},
	"reports.lost":              {"Lost", "Проиграно"},
	"reports.lost_sum":          {"Lost amount", "Сумма проигранных"},
	"reports.managers":          {"Results by manager", "Результаты менеджеров"},
	"reports.managers_caption":  {"Deals won from %s to %s and open now in %s; overdue tasks now, of every pipeline.", "Сделки, выигранные с %s по %s и открытые сейчас в воронке «%s»; просроченные задачи сейчас, по всем воронкам."},
	"reports.manager":           {"Manager", "Менеджер"},
	"reports.open":              {"Open", "В работе"},
	"reports.open_sum":          {"Open amount", "Сумма в работе"},
	"reports.overdue":           {"Overdue tasks", "Просроченные задачи"},
	"reports.customers":         {"Customers by status", "Покупатели по статусам"},
	"reports.customers_caption": {"Every customer of the account, now.", "Все покупатели аккаунта, сейчас."},
	"reports.customers_off":     {"Customers are switched off for this account.", "Покупатели в этом аккаунте выключены."},
	"reports.customers_count":   {"Customers", "Покупателей"},
	"reports.status":            {"Status", "Статус"},
	"reports.share":             {"Share", "Доля"},
}
