package web_test

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// exportLink is the href of the page's export link of a format.
func exportLink(t *testing.T, body, format string) string {
	t.Helper()
	m := regexp.MustCompile(`id="export-` + format + `" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s export link on the page:\n%s", format, body)
	}
	return html.UnescapeString(m[1])
}

// idsIn are the numbers of the page's matches of re, in order, once each.
func idsIn(body, re string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(body, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// csvIDs reads an export's CSV and returns its first column (the ids).
func csvIDs(t *testing.T, p page) []string {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("export: HTTP %d: %s", p.Status, p.Body)
	}
	body, ok := strings.CutPrefix(p.Body, "\ufeff")
	if !ok {
		t.Fatal("the CSV has no BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[0])
	}
	return out
}

// TestExportLists: each list page links its export with its filters, and
// the file has exactly the page's records; a member's tasks are their own.
func TestExportLists(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Export")
		m.signIn(t)
		maria := m.newUser(t, crm.RoleMember, "Maria")
		maria.signIn(t)
		svc := m.service()
		for i := range 6 {
			c := m.newClient(t, fmt.Sprintf("Client %d", i), []string{fmt.Sprintf("+7 999 000-00-%02d", i)}, nil)
			d := crm.NewDeal{Name: fmt.Sprintf("Deal %d", i), ClientID: c.ID, Task: &crm.NewTask{Text: fmt.Sprintf("Call %d", i)}}
			if i%2 == 0 {
				d.Name += " Alpha"
				d.Responsible = crm.Responsible{EmployeeID: maria.UserID}
			}
			if _, err := svc.CreateDeal(ctx, m.Actor, d); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateInbound(ctx, m.Actor, crm.NewInbound{Values: map[string]string{
				"name": fmt.Sprintf("Lead %d", i), "phone": fmt.Sprintf("+7 912 000-00-%02d", i)}}); err != nil {
				t.Fatal(err)
			}
		}
		today := time.Now().In(m.Actor.Location()).Format(time.DateOnly)

		// Deals, table view, filtered by keyword.
		p := m.get(t, "/deals?view=table&pipeline=all&q=alpha")
		expect(t, p, http.StatusOK, "Export CSV", "Export XLSX")
		want := idsIn(p.Body, `<td data-label="Name"><a href="/deals/(\d+)"`)
		link := exportLink(t, p.Body, "csv")
		if !strings.HasPrefix(link, "/export/deals?") || !strings.Contains(link, "q=alpha") || !strings.Contains(link, "format=csv") {
			t.Errorf("deals export link %q does not carry the filter", link)
		}
		file := m.get(t, link)
		if got := csvIDs(t, file); len(want) != 3 || !slices.Equal(got, want) {
			t.Errorf("deals export %v, the table shows %v", got, want)
		}
		if cd := file.Header.Get("Content-Disposition"); cd != `attachment; filename="deals-`+today+`.csv"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		if ct := file.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}

		// The XLSX of the same.
		file = m.get(t, exportLink(t, p.Body, "xlsx"))
		if file.Status != http.StatusOK || !strings.HasPrefix(file.Header.Get("Content-Type"), "application/vnd.openxmlformats") ||
			!strings.HasSuffix(file.Header.Get("Content-Disposition"), `.xlsx"`) {
			t.Fatalf("xlsx: HTTP %d %v", file.Status, file.Header)
		}
		if _, err := zip.NewReader(strings.NewReader(file.Body), int64(len(file.Body))); err != nil {
			t.Errorf("the xlsx is no zip: %v", err)
		}

		// Leads, all of them.
		p = m.get(t, "/leads?status=all")
		want = idsIn(p.Body, `<tr id="row-(\d+)"`)
		if got := csvIDs(t, m.get(t, exportLink(t, p.Body, "csv"))); len(want) != 6 || !slices.Equal(got, want) {
			t.Errorf("leads export %v, the inbox shows %v", got, want)
		}
		// Clients, searched.
		p = m.get(t, "/clients?q=client+3")
		want = idsIn(p.Body, `<tr id="client-(\d+)"`)
		if got := csvIDs(t, m.get(t, exportLink(t, p.Body, "csv"))); len(want) != 1 || !slices.Equal(got, want) {
			t.Errorf("clients export %v, the list shows %v", got, want)
		}
		// Tasks: everyone's for the administrator, the member's own for the
		// member, even when the member asks for everyone's.
		p = m.get(t, "/tasks?who=all")
		want = idsIn(p.Body, `<li class="task-row" id="task-(\d+)"`)
		if got := csvIDs(t, m.get(t, exportLink(t, p.Body, "csv"))); len(want) != 6 || !slices.Equal(got, want) {
			t.Errorf("tasks export %v, the list shows %v", got, want)
		}
		p = maria.get(t, "/tasks")
		want = idsIn(p.Body, `<li class="task-row" id="task-(\d+)"`)
		if got := csvIDs(t, maria.get(t, exportLink(t, p.Body, "csv"))); len(want) != 3 || !slices.Equal(got, want) {
			t.Errorf("the member's tasks export %v, the member's list shows %v", got, want)
		}
		if got := csvIDs(t, maria.get(t, "/export/tasks?who=all")); !slices.Equal(got, want) {
			t.Errorf("a member's export of everyone's tasks %v, want the member's own %v", got, want)
		}
		// A member exports the deals the member sees: all of them.
		if got, all := csvIDs(t, maria.get(t, "/export/deals?view=table&pipeline=all")),
			csvIDs(t, m.get(t, "/export/deals?view=table&pipeline=all")); len(got) != 6 || !slices.Equal(got, all) {
			t.Errorf("the member's deals %v, the administrator's %v", got, all)
		}
	})
}

// TestExportRefusals: an unknown list or format and a bad filter are
// clear errors in the user's language, not a file; signed out, the
// sign-in page.
func TestExportRefusals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Export")
		p := m.get(t, "/export/deals")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Errorf("signed out: HTTP %d to %q", p.Status, p.Location)
		}
		m.signIn(t)
		p = m.get(t, "/export/contacts?format=csv")
		expect(t, p, http.StatusNotFound, "There is no list &#34;contacts&#34; to export")
		p = m.get(t, "/export/deals?format=ods")
		expect(t, p, http.StatusUnprocessableEntity, "Unknown export format &#34;ods&#34;: choose CSV or XLSX.")
		if cd := p.Header.Get("Content-Disposition"); cd != "" {
			t.Errorf("a refusal is an attachment: %q", cd)
		}
		p = m.get(t, "/export/deals?pipeline=x")
		expect(t, p, http.StatusUnprocessableEntity)
		p = m.get(t, "/export/tasks?who=nobody")
		expect(t, p, http.StatusUnprocessableEntity)
		p = m.do(t, http.MethodGet, "/export/deals?format=xls", nil, "Accept-Language", "ru")
		if p.Status != http.StatusUnprocessableEntity {
			t.Errorf("HTTP %d", p.Status)
		}
	})
}

// TestExportCustomers: the customers list links its export with its
// search and status, and the file has the rows the list shows.
func TestExportCustomers(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Export customers")
		m.signIn(t)
		m.setCustomersMode(t, crm.CustomersPeriodicity)
		next := time.Now().AddDate(0, 0, 10)
		for i := range 4 {
			m.newCustomer(t, fmt.Sprintf("Buyer %d", i), next, int64(1000*(i+1)))
		}
		statuses, err := m.service().CustomerStatuses(context.Background(), m.Actor)
		if err != nil || len(statuses) == 0 {
			t.Fatalf("statuses %v, %v", statuses, err)
		}
		p := m.get(t, "/customers?view=list&q=buyer")
		expect(t, p, http.StatusOK, "Export CSV")
		want := idsIn(p.Body, `<tr id="customer-(\d+)"`)
		link := exportLink(t, p.Body, "csv")
		if !strings.HasPrefix(link, "/export/customers?") || !strings.Contains(link, "q=buyer") {
			t.Errorf("customers export link %q does not carry the search", link)
		}
		if got := csvIDs(t, m.get(t, link)); len(want) != 4 || !slices.Equal(got, want) {
			t.Errorf("customers export %v, the list shows %v", got, want)
		}
		// Filtered by a status the customers are not in: the list and the
		// file are both empty.
		var other int64
		for _, s := range statuses {
			if p := m.get(t, fmt.Sprintf("/customers?view=list&status=%d", s.ID)); len(idsIn(p.Body, `<tr id="customer-(\d+)"`)) == 0 {
				other = s.ID
				link = exportLink(t, p.Body, "csv")
				break
			}
		}
		if other == 0 {
			t.Fatal("every status has customers")
		}
		if !strings.Contains(link, fmt.Sprintf("status=%d", other)) {
			t.Errorf("the export link %q does not carry the status", link)
		}
		if got := csvIDs(t, m.get(t, link)); len(got) != 0 {
			t.Errorf("customers of an empty status exported: %v", got)
		}
	})
}
