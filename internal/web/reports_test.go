package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// reportFixture is an account with leads, deals, tasks and customers made
// through the domain calls behind the APIs, with the numbers the
// dashboard must show for them.
type reportFixture struct {
	admin, anna *member
	today       time.Time // local midnight
}

// newReportFixture makes: 5 leads (3 from the amoCRM unsorted source
// "Site form", one of them yesterday; 2 Envybox leads of the default
// inbox type today); 5 deals in the primary pipeline (New 1000 and In
// work 2000 of Anna's, won 5000 by Anna now, lost 700 by the
// administrator now, won 3000 by the administrator two months back);
// Anna's two overdue tasks (one completed) and one the administrator has
// for tomorrow.
func newReportFixture(t *testing.T, env *crmtest.Env) reportFixture {
	t.Helper()
	ctx := context.Background()
	admin := newAccount(t, env, "Reports")
	admin.signIn(t)
	anna := admin.newUser(t, crm.RoleMember, "Anna Manager")
	anna.signIn(t)
	svc := admin.service()
	loc := admin.Actor.Location()
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)

	for i, at := range []time.Time{today.AddDate(0, 0, -1).Add(12 * time.Hour), {}, {}} {
		phone := "+7999000110" + string(rune('0'+i))
		if _, err := svc.CreateUnsorted(ctx, admin.Actor, []crm.NewUnsorted{{Category: "forms", SourceUID: "site", SourceName: "Site form",
			Inbound: crm.NewInbound{Values: map[string]string{"name": "Form lead", "phone": phone}}, LeadName: "Form", CreatedAt: at}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		if _, err := svc.CreateInbound(ctx, admin.Actor, crm.NewInbound{Values: map[string]string{"name": "Envybox lead",
			"phone": "+7999000220" + string(rune('0'+i))}}); err != nil {
			t.Fatal(err)
		}
	}

	pipes, err := svc.DealPipelines(ctx, admin.Actor)
	if err != nil {
		t.Fatal(err)
	}
	var inWork int64
	for _, s := range pipes[0].Stages {
		if s.Status == crm.StageInWork {
			inWork = s.ID
		}
	}
	twoMonthsBack := time.Date(today.Year(), today.Month()-2, 15, 12, 0, 0, 0, loc)
	lead := func(name string, price, who int64, status crm.LeadStatusRef, closed time.Time) crm.LeadInput {
		in := crm.LeadInput{Name: &name, Price: &price, ResponsibleUserID: &who}
		if status != (crm.LeadStatusRef{}) {
			in.Status = &status
		}
		if !closed.IsZero() {
			in.ClosedAt = &closed
		}
		return in
	}
	if _, err := svc.AddLeads(ctx, admin.Actor, []crm.LeadInput{
		lead("New", 1000, anna.UserID, crm.LeadStatusRef{}, time.Time{}),
		lead("Working", 2000, anna.UserID, crm.LeadStatusRef{StageID: inWork}, time.Time{}),
		lead("Won now", 5000, anna.UserID, crm.LeadStatusRef{Status: crm.StageWon}, time.Time{}),
		lead("Lost now", 700, admin.UserID, crm.LeadStatusRef{Status: crm.StageLost}, time.Time{}),
		lead("Won before", 3000, admin.UserID, crm.LeadStatusRef{Status: crm.StageWon}, twoMonthsBack),
	}); err != nil {
		t.Fatal(err)
	}

	anna1 := admin.newTask(t, "Call back", now.Add(-2*time.Hour), anna.UserID, "", 0)
	_ = anna1
	done := admin.newTask(t, "Done", now.Add(-3*time.Hour), anna.UserID, "", 0)
	if _, err := svc.CompleteTask(ctx, admin.Actor, done.ID); err != nil {
		t.Fatal(err)
	}
	admin.newTask(t, "Tomorrow", now.Add(24*time.Hour), admin.UserID, "", 0)
	return reportFixture{admin: admin, anna: anna, today: today}
}

var (
	tableRE = regexp.MustCompile(`(?s)<table class="list report-table" id="table-([a-z-]+)">(.*?)</table>`)
	rowRE   = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	cellRE  = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	timeRE  = regexp.MustCompile(`<time datetime="([^"]+)">`)
	tagRE   = regexp.MustCompile(`<[^>]+>`)
)

// reportTables reads the page's data tables: chart name to rows of cells,
// the header first; a cell holding a <time> reads as its datetime.
func reportTables(t *testing.T, body string) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, m := range tableRE.FindAllStringSubmatch(body, -1) {
		var rows [][]string
		for _, r := range rowRE.FindAllStringSubmatch(m[2], -1) {
			var cells []string
			for _, c := range cellRE.FindAllStringSubmatch(r[1], -1) {
				if tm := timeRE.FindStringSubmatch(c[1]); tm != nil {
					cells = append(cells, tm[1])
					continue
				}
				cells = append(cells, html.UnescapeString(tagRE.ReplaceAllString(c[1], "")))
			}
			rows = append(rows, cells)
		}
		out[m[1]] = rows
	}
	return out
}

// plain is a cell as a number reads: without grouping, currency or spaces.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '.' || r == '%' || r == '-' {
			return r
		}
		return -1
	}, s)
}

// reportCSV downloads a chart's CSV and checks its headers.
func reportCSV(t *testing.T, m *member, path string) [][]string {
	t.Helper()
	p := m.get(t, path)
	if p.Status != http.StatusOK {
		t.Fatalf("%s: HTTP %d: %s", path, p.Status, p.Body)
	}
	if ct := p.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("%s: Content-Disposition %q", path, cd)
	}
	if !strings.HasPrefix(p.Body, "\ufeff") {
		t.Fatalf("%s: no byte order mark: %q", path, p.Body[:min(20, len(p.Body))])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// sameTable checks that a CSV holds the page table's numbers: the same
// header, rows and cells, numbers compared without their formatting.
func sameTable(t *testing.T, name string, table, recs [][]string) {
	t.Helper()
	if len(table) != len(recs) {
		t.Fatalf("%s: table has %d rows, CSV %d:\n%q\n%q", name, len(table), len(recs), table, recs)
	}
	for i := range table {
		if len(table[i]) != len(recs[i]) {
			t.Fatalf("%s row %d: table %q, CSV %q", name, i, table[i], recs[i])
		}
		for j := range table[i] {
			a, b := table[i][j], recs[i][j]
			if i > 0 && j > 0 {
				a, b = plain(a), plain(b)
			}
			if a != b {
				t.Errorf("%s row %d cell %d: table %q, CSV %q", name, i, j, table[i][j], recs[i][j])
			}
		}
	}
}

// TestReportsDashboard: every series of the dashboard against records made
// through the domain, on the page and in its CSV, for the administrator
// and a member alike; customers switched off and on.
func TestReportsDashboard(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		f := newReportFixture(t, env)
		admin := f.admin
		svc := admin.service()

		p := admin.get(t, "/reports")
		expect(t, p, http.StatusOK, `<h1>Reports</h1>`, `id="chart-leads"`, `id="chart-funnel"`, `id="chart-won-lost"`,
			`id="chart-managers"`, `<title id="chart-funnel-title">`, "Customers are switched off for this account.",
			`id="csv-leads" href="/reports/leads.csv?`)
		if strings.Contains(p.Body, `id="chart-customers"`) {
			t.Error("a customers chart while customers are off")
		}
		tables := reportTables(t, p.Body)
		for _, name := range []string{"leads", "funnel", "won-lost", "managers"} {
			recs := reportCSV(t, admin, "/reports/"+name+".csv")
			sameTable(t, name, tables[name], recs)
		}
		if recs := reportCSV(t, admin, "/reports/customers.csv"); len(recs) != 1 {
			t.Errorf("customers CSV while off: %q", recs)
		}

		// Leads: 30 days, the last today; Site form (3) before the inbox type (2).
		leads := reportCSV(t, admin, "/reports/leads.csv")
		if got := leads[0]; strings.Join(got, "|") != "Day|Site form|Добавлен вручную|Total" {
			t.Errorf("leads header %q", got)
		}
		if len(leads) != 31 {
			t.Fatalf("leads rows %d, want 30 days", len(leads)-1)
		}
		yesterday, today := leads[29], leads[30]
		if today[0] != f.today.Format(time.DateOnly) || strings.Join(today[1:], "|") != "2|2|4" ||
			strings.Join(yesterday[1:], "|") != "1|0|1" {
			t.Errorf("leads yesterday %q today %q", yesterday, today)
		}
		for _, r := range leads[1:29] {
			if r[3] != "0" {
				t.Errorf("leads on %s: %q", r[0], r)
			}
		}

		// The funnel: the stage totals, and reached as documented.
		funnel := reportCSV(t, admin, "/reports/funnel.csv")
		want := [][]string{
			{"Stage", "Deals", "Amount", "Share of deals", "Reached", "Reached amount", "Of first stage"},
			{"Новая", "1", "1000", "20.0%", "5", "11700", "100.0%"},
			{"В работе", "1", "2000", "20.0%", "3", "10000", "60.0%"},
			{"Успешно реализована", "2", "8000", "40.0%", "2", "8000", "40.0%"},
			{"Не реализована", "1", "700", "20.0%", "1", "700", "20.0%"},
		}
		if strings.Join(flat(funnel), "|") != strings.Join(flat(want), "|") {
			t.Errorf("funnel\n got %q\nwant %q", funnel, want)
		}
		pipes, err := svc.DealPipelines(ctx, admin.Actor)
		if err != nil {
			t.Fatal(err)
		}
		totals, err := svc.StageTotals(ctx, admin.Actor, pipes[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range totals {
			if funnel[i+1][1] != itoa(st.Deals) || funnel[i+1][2] != itoa(st.PriceSum) {
				t.Errorf("funnel stage %d: %q, StageTotals %+v", i, funnel[i+1], st)
			}
		}

		// Won and lost: this month and two months back of 12.
		months := reportCSV(t, admin, "/reports/won-lost.csv")
		if len(months) != 13 {
			t.Fatalf("months %d", len(months)-1)
		}
		if got := strings.Join(months[12], "|"); got != f.today.Format("2006-01")+"|1|5000|1|700" {
			t.Errorf("this month %q", got)
		}
		if got := strings.Join(months[10], "|"); got != f.today.AddDate(0, 0, -f.today.Day()+1).AddDate(0, -2, 0).Format("2006-01")+"|1|3000|0|0" {
			t.Errorf("two months back %q", got)
		}

		// Managers: the administrator's won deal is older than the window.
		managers := reportCSV(t, admin, "/reports/managers.csv")
		rows := map[string]string{}
		for _, r := range managers[1:] {
			rows[r[0]] = strings.Join(r[1:], "|")
		}
		if rows["Anna Manager"] != "1|5000|2|3000|1" {
			t.Errorf("Anna: %q (%q)", rows["Anna Manager"], managers)
		}
		if len(managers) != 3 {
			t.Errorf("managers %q", managers)
		}

		// A member sees the same dashboard.
		mp := f.anna.get(t, "/reports")
		expect(t, mp, http.StatusOK, `id="chart-managers"`)
		if got := reportTables(t, mp.Body)["managers"]; strings.Join(flat(got), "|") != strings.Join(flat(tables["managers"]), "|") {
			t.Errorf("member's managers table %q, administrator's %q", got, tables["managers"])
		}

		// Customers on: counts per status, the CSV equal to the table.
		statuses := f.addCustomers(t)
		p = admin.get(t, "/reports")
		expect(t, p, http.StatusOK, `id="chart-customers"`)
		customers := reportCSV(t, admin, "/reports/customers.csv")
		sameTable(t, "customers", reportTables(t, p.Body)["customers"], customers)
		counts := map[string]string{}
		var all int
		for _, r := range customers[1:] {
			counts[r[0]] = r[1]
			all++
		}
		if all != len(statuses) || counts[statuses[0].Name] != "2" || counts[statuses[1].Name] != "1" {
			t.Errorf("customers %q", customers)
		}
	})
}

// addCustomers switches customers on (periodicity) and adds two customers
// of the first status and one of the second; it returns the statuses.
func (f reportFixture) addCustomers(t *testing.T) []crm.CustomerStatus {
	t.Helper()
	ctx := context.Background()
	svc := f.admin.service()
	if err := svc.SetCustomersMode(ctx, f.admin.Actor, crm.CustomersPeriodicity, true); err != nil {
		t.Fatal(err)
	}
	statuses, err := svc.CustomerStatuses(ctx, f.admin.Actor)
	if err != nil {
		t.Fatal(err)
	}
	var in []crm.CustomerInput
	for i, st := range []int64{statuses[0].ID, statuses[0].ID, statuses[1].ID} {
		name, status, next := "Customer "+string(rune('A'+i)), st, f.today.AddDate(0, 1, 0)
		in = append(in, crm.CustomerInput{Name: &name, StatusID: &status, NextDate: &next})
	}
	if _, err := svc.AddCustomers(ctx, f.admin.Actor, in); err != nil {
		t.Fatal(err)
	}
	return statuses
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

// TestReportsQuery: the window and pipeline in the query, malformed ones a
// 400 page, an unknown pipeline a 404, and an account without records a
// page of zeros.
func TestReportsQuery(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Empty reports")
		admin.signIn(t)

		p := admin.get(t, "/reports")
		expect(t, p, http.StatusOK, `id="chart-leads"`, "No data for this period", "Customers are switched off")
		for name, rows := range reportTables(t, p.Body) {
			for _, r := range rows[1:] {
				for _, c := range r[1:] {
					if n := plain(c); n != "0" && n != "0.0%" {
						t.Errorf("%s: %q in an empty account", name, r)
					}
				}
			}
		}
		for _, name := range []string{"leads", "funnel", "won-lost", "managers", "customers"} {
			reportCSV(t, admin, "/reports/"+name+".csv")
		}

		p = admin.get(t, "/reports?from=2026-01-01&to=2026-01-07")
		expect(t, p, http.StatusOK, `value="2026-01-01"`, `value="2026-01-07"`)
		if n := len(reportTables(t, p.Body)["leads"]); n != 8 {
			t.Errorf("a 7-day window has %d leads rows", n-1)
		}
		if recs := reportCSV(t, admin, "/reports/leads.csv?from=2026-01-01&to=2026-01-07"); len(recs) != 8 || recs[7][0] != "2026-01-07" {
			t.Errorf("CSV of a 7-day window: %q", recs)
		}

		for q, msg := range map[string]string{
			"from=yesterday":                "“yesterday” is not a date for “from”",
			"to=2026-13-01":                 "“2026-13-01” is not a date for “to”",
			"from=2026-02-01&to=2026-01-01": "The period ends before it starts.",
			"from=2024-01-01&to=2026-01-01": "The period is too long: at most 366 days.",
			"pipeline=abc":                  "“abc” is not a pipeline number.",
			"pipeline=-3":                   "“-3” is not a pipeline number.",
			"colour=red":                    "The report has no parameter “colour”.",
		} {
			for _, path := range []string{"/reports?", "/reports/funnel.csv?"} {
				p := admin.get(t, path+q)
				expect(t, p, http.StatusBadRequest, html.EscapeString(msg))
			}
		}
		p = admin.get(t, "/reports?pipeline=999999")
		if p.Status != http.StatusNotFound {
			t.Errorf("unknown pipeline: HTTP %d", p.Status)
		}
	})
}
