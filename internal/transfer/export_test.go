package transfer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/sheet"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/transfer"
)

// fixture is an account with records of every kind.
type fixture struct {
	svc    *crm.Service
	admin  crm.Actor
	member crm.Actor
	city   crm.CustomField
}

// newFixture makes an account in the time zone Asia/Yekaterinburg (UTC+5)
// with a deal text field "Город", 7 clients with a deal each (and each
// deal's default task), two deals of them with the word "Ромашка", 5
// leads and 4 customers. The export's page is made 3 rows, so that every
// list spans pages.
func newFixture(t *testing.T, dsn string) fixture {
	t.Helper()
	t.Cleanup(transfer.SetPageSize(3))
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err := auth.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Export", TimeZone: "Asia/Yekaterinburg"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.CreateUser(ctx, crm.NewUser{AccountID: creds.AccountID, Name: "Мария", Role: crm.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{svc: crm.NewService(db), admin: crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin},
		member: crm.Actor{AccountID: creds.AccountID, UserID: u.UserID, Role: crm.RoleMember}}
	name := "Город"
	fields, err := f.svc.AddCustomFields(ctx, f.admin, crm.EntityDeal, []crm.NewCustomField{{Name: &name, Type: crm.FieldText}})
	if err != nil {
		t.Fatal(err)
	}
	f.city = fields[0]
	for i := range 7 {
		c, err := f.svc.CreateClient(ctx, f.admin, crm.NewClient{Name: fmt.Sprintf("Клиент %d", i),
			Phones: []string{fmt.Sprintf("+7 999 000-00-%02d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		deal := crm.NewDeal{Name: fmt.Sprintf("Сделка %d", i), ClientID: c.ID, Task: &crm.NewTask{Text: fmt.Sprintf("Позвонить %d", i)},
			Values: []crm.FieldWrite{{FieldID: f.city.ID, Value: "=Екатеринбург"}}}
		if i%3 == 0 {
			deal.Name += " Ромашка"
		}
		if i == 1 {
			deal.Responsible = crm.Responsible{EmployeeID: u.UserID}
		}
		if _, err := f.svc.CreateDeal(ctx, f.admin, deal); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := f.svc.CreateInbound(ctx, f.admin, crm.NewInbound{Values: map[string]string{
			"name": fmt.Sprintf("Заявка %d", i), "phone": fmt.Sprintf("+7 912 000-00-%02d", i), "comment": "Перезвоните, \"срочно\""}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.SetCustomersMode(ctx, f.admin, crm.CustomersPeriodicity, true); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		n, price, next := fmt.Sprintf("Покупатель %d", i), int64(1000*i), time.Date(2027, 1, 10+i, 0, 0, 0, 0, time.UTC)
		if _, err := f.svc.AddCustomers(ctx, f.admin, []crm.CustomerInput{{Name: &n, NextPrice: &price, NextDate: &next}}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// export runs an export and reads the CSV back (the BOM checked and
// dropped).
func (f fixture) export(t *testing.T, actor crm.Actor, req transfer.Request) [][]string {
	t.Helper()
	req.Format = sheet.CSV
	var b bytes.Buffer
	n, err := transfer.NewExporter(f.svc).Export(context.Background(), actor, &b, req)
	if err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(b.String(), "\ufeff")
	if !ok {
		t.Fatal("the CSV does not start with a BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if n != len(rows)-1 {
		t.Errorf("Export says %d rows, the file has %d", n, len(rows)-1)
	}
	return rows
}

// idColumn is the first column of the rows after the header.
func idColumn(t *testing.T, rows [][]string) []int64 {
	t.Helper()
	var out []int64
	for _, r := range rows[1:] {
		id, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			t.Fatalf("id %q: %v", r[0], err)
		}
		out = append(out, id)
	}
	return out
}

// TestExportEqualsLists: each kind's export has exactly the records the
// list's query returns, in its order, over several pages.
func TestExportEqualsLists(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)

		// Deals, unfiltered and by keyword, against the deal search.
		for _, df := range []crm.DealFilter{{}, {Keyword: "ромашка"}, {UserIDs: []int64{f.member.UserID}}} {
			df.Limit = 1000
			want, err := f.svc.FilterDeals(ctx, f.admin, df)
			if err != nil {
				t.Fatal(err)
			}
			got := idColumn(t, f.export(t, f.admin, transfer.Request{Kind: transfer.Deals, Deals: df}))
			if !slices.Equal(got, want.AllIDs) || len(got) == 0 {
				t.Errorf("deals %+v: exported %v, the list has %v", df, got, want.AllIDs)
			}
		}
		// Leads, all and by keyword.
		for _, q := range []crm.InboundQuery{{}, {Keyword: "заявка 3"}, {NotTakenOnly: true}} {
			q.Limit = 1000
			want, _, err := f.svc.Inbounds(ctx, f.admin, q)
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []int64
			for _, l := range want {
				wantIDs = append(wantIDs, l.ID)
			}
			got := idColumn(t, f.export(t, f.admin, transfer.Request{Kind: transfer.Leads, Leads: q}))
			if !slices.Equal(got, wantIDs) || len(got) == 0 {
				t.Errorf("leads %+v: exported %v, the list has %v", q, got, wantIDs)
			}
		}
		// Clients.
		for _, q := range []crm.ClientQuery{{}, {Keyword: "клиент 4"}, {Keyword: "8 999 000 00 02"}} {
			q.Limit = 1000
			want, err := f.svc.Clients(ctx, f.admin, q)
			if err != nil {
				t.Fatal(err)
			}
			got := idColumn(t, f.export(t, f.admin, transfer.Request{Kind: transfer.Clients, Clients: q}))
			if !slices.Equal(got, want.AllIDs) || len(got) == 0 {
				t.Errorf("clients %+v: exported %v, the list has %v", q, got, want.AllIDs)
			}
		}
		// Tasks: everyone's open ones, and one user's.
		open := false
		for _, q := range []crm.TaskQuery{{Success: &open}, {Success: &open, Responsibles: []int64{f.member.UserID}}} {
			q.Limit = 1000
			want, _, err := f.svc.Tasks(ctx, f.admin, q)
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []int64
			for _, x := range want {
				wantIDs = append(wantIDs, x.ID)
			}
			got := idColumn(t, f.export(t, f.admin, transfer.Request{Kind: transfer.Tasks, Tasks: q}))
			if !slices.Equal(got, wantIDs) || len(got) == 0 {
				t.Errorf("tasks %+v: exported %v, the list has %v", q, got, wantIDs)
			}
		}
		// Customers.
		for _, q := range []crm.CustomerQuery{{}, {Search: "покупатель 2"}} {
			q.Limit = 250
			want, _, err := f.svc.Customers(ctx, f.admin, q)
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []int64
			for _, c := range want {
				wantIDs = append(wantIDs, c.ID)
			}
			got := idColumn(t, f.export(t, f.admin, transfer.Request{Kind: transfer.Customers, Customers: q}))
			if !slices.Equal(got, wantIDs) || len(got) == 0 {
				t.Errorf("customers %+v: exported %v, the list has %v", q, got, wantIDs)
			}
		}
	})
}

// TestExportCells: the header in the user's language with the custom
// field as the account named it, cells as the lists show them, times in
// the account's zone, a formula-like value made inert.
func TestExportCells(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		rows := f.export(t, f.admin, transfer.Request{Kind: transfer.Deals, Lang: "ru", Deals: crm.DealFilter{Keyword: "Сделка 1"}})
		head := []string{"ID", "Название", "Воронка", "Этап", "Бюджет", "Клиент", "Ответственный", "Теги", "Создано", "Закрыто",
			"Ближайшая задача", "Город"}
		if !slices.Equal(rows[0], head) {
			t.Errorf("header %q, want %q", rows[0], head)
		}
		if len(rows) != 2 {
			t.Fatalf("rows %q", rows)
		}
		page, err := f.svc.FilterDeals(ctx, f.admin, crm.DealFilter{Keyword: "Сделка 1"})
		if err != nil || len(page.Rows) != 1 {
			t.Fatal(page, err)
		}
		d := page.Rows[0]
		loc, _ := time.LoadLocation("Asia/Yekaterinburg")
		want := map[int]string{1: "Сделка 1", 4: "0", 5: "Клиент 1", 6: "Мария", 8: d.CreatedAt.In(loc).Format("2006-01-02 15:04"),
			10: d.Task.Time.In(loc).Format("2006-01-02 15:04"), 11: "'=Екатеринбург"}
		for i, w := range want {
			if rows[1][i] != w {
				t.Errorf("column %s = %q, want %q", rows[0][i], rows[1][i], w)
			}
		}
		if rows[1][2] == "" || rows[1][3] == "" {
			t.Errorf("pipeline or stage empty: %q", rows[1])
		}

		leads := f.export(t, f.admin, transfer.Request{Kind: transfer.Leads, Leads: crm.InboundQuery{Keyword: "Заявка 2"}})
		if leads[0][1] != "Name" || len(leads) != 2 || leads[1][1] != "Заявка 2" || leads[1][2] != "'"+crm.FormatPhone("79120000002") ||
			leads[1][4] != "Перезвоните, \"срочно\"" || leads[1][6] != "New" {
			t.Errorf("lead rows %q", leads)
		}
		clients := f.export(t, f.admin, transfer.Request{Kind: transfer.Clients, Clients: crm.ClientQuery{Keyword: "Клиент 3"}})
		if len(clients) != 2 || clients[1][1] != "Клиент 3" || clients[1][2] == "" {
			t.Errorf("client rows %q", clients)
		}
		tasks := f.export(t, f.admin, transfer.Request{Kind: transfer.Tasks, Lang: "ru"})
		if tasks[1][3] != "Сделка" || !strings.HasPrefix(tasks[1][4], "Сделка ") || tasks[1][6] != "Открыта" {
			t.Errorf("task rows %q", tasks)
		}
		customers := f.export(t, f.admin, transfer.Request{Kind: transfer.Customers, Customers: crm.CustomerQuery{Search: "Покупатель 3"}})
		if len(customers) != 2 || customers[1][1] != "Покупатель 3" || customers[1][3] != "3000" || customers[1][4] != "2027-01-13" || customers[1][2] == "" {
			t.Errorf("customer rows %q", customers)
		}
	})
}

// TestExportMember: a member exports what the member's lists show (the
// domain gives members every deal, lead and client; the tasks list is
// their own, which the web's query says).
func TestExportMember(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		admin := idColumn(t, f.export(t, f.admin, transfer.Request{Kind: transfer.Deals}))
		member := idColumn(t, f.export(t, f.member, transfer.Request{Kind: transfer.Deals}))
		if !slices.Equal(admin, member) {
			t.Errorf("member's deals %v, administrator's %v", member, admin)
		}
		open := false
		mine := f.export(t, f.member, transfer.Request{Kind: transfer.Tasks, Tasks: crm.TaskQuery{Success: &open, Responsibles: []int64{f.member.UserID}}})
		if len(mine) != 2 {
			t.Errorf("the member's open tasks: %q, want the one deal's", mine)
		}
	})
}

// TestExportRefusals: an unknown kind or format is an invalid-input error
// naming what there is, and nothing is written.
func TestExportRefusals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		var b bytes.Buffer
		for _, req := range []transfer.Request{{Kind: "contacts", Format: sheet.CSV}, {Kind: transfer.Deals, Format: "ods"}} {
			_, err := transfer.NewExporter(f.svc).Export(context.Background(), f.admin, &b, req)
			if crm.KindOf(err) != crm.KindInvalid || !strings.Contains(err.Error(), "use ") {
				t.Errorf("%+v: %v, want an invalid-input error naming the choices", req, err)
			}
		}
		if b.Len() != 0 {
			t.Errorf("a refused export wrote %d bytes", b.Len())
		}
		if _, err := transfer.ParseKind("bogus"); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("transfer.ParseKind: %v", err)
		}
		if _, err := transfer.ParseFormat("pdf"); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("transfer.ParseFormat: %v", err)
		}
	})
}

// TestExportXLSX: the deals as a workbook: it opens, the budget is a
// number, every deal is a row.
func TestExportXLSX(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		var b bytes.Buffer
		n, err := transfer.NewExporter(f.svc).Export(context.Background(), f.admin, &b, transfer.Request{Kind: transfer.Deals, Format: sheet.XLSX})
		if err != nil || n != 7 {
			t.Fatal(n, err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Rows []struct {
				Cells []struct {
					Type   string `xml:"t,attr"`
					Value  string `xml:"v"`
					Inline string `xml:"is>t"`
				} `xml:"c"`
			} `xml:"sheetData>row"`
		}
		for _, zf := range zr.File {
			if zf.Name != "xl/worksheets/sheet1.xml" {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			if err := xml.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
		}
		if len(s.Rows) != 8 {
			t.Fatalf("rows %d, want a header and 7 deals", len(s.Rows))
		}
		if c := s.Rows[1].Cells[4]; c.Type != "" || c.Value != "0" {
			t.Errorf("budget cell %+v, want the number 0", c)
		}
		if c := s.Rows[1].Cells[len(s.Rows[1].Cells)-1]; c.Inline != "=Екатеринбург" {
			t.Errorf("custom field cell %+v, want the text as written (an XLSX string never runs)", c)
		}
	})
}
