package transfer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/transfer"
)

func newAccount(t *testing.T, dsn string) (*crm.Service, crm.Actor) {
	t.Helper()
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
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Import"})
	if err != nil {
		t.Fatal(err)
	}
	return crm.NewService(db), crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
}

func run(t *testing.T, svc *crm.Service, actor crm.Actor, data []byte, opt transfer.ImportOptions) transfer.Report {
	t.Helper()
	rep, err := transfer.Import(context.Background(), svc, actor, bytes.NewReader(data), int64(len(data)), opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func clientCount(t *testing.T, svc *crm.Service, actor crm.Actor) int {
	t.Helper()
	page, err := svc.Clients(context.Background(), actor, crm.ClientQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

func counts(r transfer.Report) [4]int { return [4]int{r.Total, r.New, r.Duplicates, r.Errors} }

// clientsCSV has two new clients, a duplicate of the first by phone
// (spelt otherwise), one of the second by email (in capitals), a row
// with a malformed email and one with a phone of no digits.
const clientsCSV = `Имя;Телефон;E-mail;Компания;Комментарий
Иван Петров;+7 (499) 322-97-10;ivan@example.ru;ООО Ромашка;первый звонок
Анна;89001112233;anna@example.ru;;
Иван П.;84993229710;ivan.second@example.ru;;повторно
Анна Смирнова;;ANNA@Example.RU;ООО Ромашка;
Плохой;;not-an-email;;
Без цифр;звонить вечером;;;

Последний;+7 900 000-00-01;;;
`

func TestImportClients(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		svc, admin := newAccount(t, dsn)
		opt := transfer.ImportOptions{Kind: crm.ImportClients, Header: true, DryRun: true}
		var progress [][2]int
		opt.Progress = func(done, total int) { progress = append(progress, [2]int{done, total}) }
		dry := run(t, svc, admin, []byte(clientsCSV), opt)
		if got := clientCount(t, svc, admin); got != 0 {
			t.Fatalf("the dry run wrote %d clients", got)
		}
		want := [4]int{7, 3, 2, 2}
		if counts(dry) != want {
			t.Errorf("dry run total/new/dup/err = %v, want %v", counts(dry), want)
		}
		if d := cmp.Diff([][2]int{{0, 7}, {7, 7}}, progress); d != "" {
			t.Errorf("progress (-want +got):\n%s", d)
		}
		opt.DryRun, opt.Progress = false, nil
		rep := run(t, svc, admin, []byte(clientsCSV), opt)
		if counts(rep) != want {
			t.Errorf("import total/new/dup/err = %v, want %v", counts(rep), want)
		}
		if got := clientCount(t, svc, admin); got != 3 {
			t.Errorf("clients = %d, want 3", got)
		}
		// The duplicate merged into Иван: his name kept, the new email
		// added, the phone not twice.
		page, err := svc.Clients(ctx, admin, crm.ClientQuery{Keyword: "ivan.second@example.ru", Limit: 5})
		if err != nil || len(page.Clients) != 1 {
			t.Fatalf("clients with the merged email: %v %v", page.Clients, err)
		}
		ivan := page.Clients[0]
		var data []string
		for _, d := range ivan.ContactData {
			data = append(data, d.Kind+":"+d.Value)
		}
		if ivan.Name != "Иван Петров" || !cmp.Equal(data, []string{"phone:74993229710", "email:ivan@example.ru", "email:ivan.second@example.ru"}) {
			t.Errorf("merged client %q %v", ivan.Name, data)
		}
		companies, err := svc.ClientCompanies(ctx, admin, ivan.ID)
		if err != nil || len(companies) != 1 || companies[0].Name != "ООО Ромашка" {
			t.Errorf("Иван's companies %v %v", companies, err)
		}
		// Анна's duplicate row named the same company: it is one company.
		all, total, err := svc.Companies(ctx, admin, crm.ListQuery{Limit: 10})
		if err != nil || total != 1 {
			t.Errorf("companies %v (%d) %v", all, total, err)
		}
		var buf bytes.Buffer
		if err := transfer.WriteErrors(&buf, rep.Header, rep.RowErrors); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
			t.Error("the errors file has no byte-order mark")
		}
		records, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		wantCSV := [][]string{
			{"row", "column", "error", "Имя", "Телефон", "E-mail", "Компания", "Комментарий"},
			{"6", "E-mail", "The email is malformed.", "Плохой", "", "not-an-email", "", ""},
			{"7", "Телефон", "A phone must contain digits.", "Без цифр", "звонить вечером", "", "", ""},
		}
		if d := cmp.Diff(wantCSV, records); d != "" {
			t.Errorf("errors CSV (-want +got):\n%s", d)
		}
		// Imported again, every good row is a duplicate.
		again := run(t, svc, admin, []byte(clientsCSV), opt)
		if counts(again) != [4]int{7, 0, 5, 2} || clientCount(t, svc, admin) != 3 {
			t.Errorf("again: %v, %d clients", counts(again), clientCount(t, svc, admin))
		}
	})
}

// TestImportBadRowInBatch puts refused rows among good ones in one batch
// and across batches: every good row is written once, the bad ones not
// at all.
func TestImportBadRowInBatch(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		svc, admin := newAccount(t, dsn)
		var b strings.Builder
		b.WriteString("name,phone,email\n")
		for i := range 25 {
			email := fmt.Sprintf("c%d@example.com", i)
			if i%7 == 3 {
				email = "broken@"
			}
			fmt.Fprintf(&b, "Client %d,+7 900 100-%02d-00,%s\n", i, i, email)
		}
		rep := run(t, svc, admin, []byte(b.String()), transfer.ImportOptions{Kind: crm.ImportClients, Header: true, BatchSize: 10})
		if counts(rep) != [4]int{25, 21, 0, 4} {
			t.Errorf("counts %v", counts(rep))
		}
		if got := clientCount(t, svc, admin); got != 21 {
			t.Errorf("clients = %d, want 21", got)
		}
		for _, e := range rep.RowErrors {
			page, err := svc.Clients(context.Background(), admin, crm.ClientQuery{Keyword: e.Cells[0], Limit: 2})
			if err != nil || page.Total != 0 {
				t.Errorf("refused row %d left %d clients (%v)", e.Row, page.Total, err)
			}
		}
	})
}

func TestImportEncodingsAndXLSX(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		svc, admin := newAccount(t, dsn)
		text := "ФИО\tТелефон\nЁжиков Пётр\t+7 911 222-33-44\n"
		cp, err := charmap.Windows1251.NewEncoder().String(text)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{
			"utf8":   []byte(strings.ReplaceAll(strings.ReplaceAll(text, "Пётр", "Иван"), "911", "912")),
			"bom":    append([]byte("\ufeff"), strings.ReplaceAll(strings.ReplaceAll(text, "Пётр", "Олег"), "911", "913")...),
			"cp1251": []byte(cp),
			"xlsx":   xlsx(t, [][]string{{"ФИО", "Телефон"}, {"Ёжиков Ян", "79144556677"}}),
		}
		want := map[string]string{"utf8": "Ёжиков Иван", "bom": "Ёжиков Олег", "cp1251": "Ёжиков Пётр", "xlsx": "Ёжиков Ян"}
		for name, data := range files {
			rep := run(t, svc, admin, data, transfer.ImportOptions{Kind: crm.ImportClients, Header: true})
			if counts(rep) != [4]int{1, 1, 0, 0} {
				t.Errorf("%s: counts %v, errors %v", name, counts(rep), rep.RowErrors)
			}
			page, err := svc.Clients(context.Background(), admin, crm.ClientQuery{Keyword: want[name], Limit: 2})
			if err != nil || page.Total != 1 {
				t.Errorf("%s: client %q not found (%v)", name, want[name], err)
			}
		}
	})
}

// xlsx builds a workbook of inline strings.
func xlsx(t *testing.T, rows [][]string) []byte {
	var sheet strings.Builder
	for i, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, i+1)
		for _, c := range row {
			fmt.Fprintf(&sheet, `<c t="inlineStr"><is><t>%s</t></is></c>`, c)
		}
		sheet.WriteString(`</row>`)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+sheet.String()+`</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportDeals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		svc, admin := newAccount(t, dsn)
		pipelines, err := svc.DealPipelines(ctx, admin)
		if err != nil || len(pipelines) == 0 {
			t.Fatal(pipelines, err)
		}
		p := pipelines[0]
		second := p.Stages[1]
		users, err := svc.AccountUsers(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		csvText := "Client,Phone,Deal,Budget,Pipeline,Stage,Manager\n" +
			fmt.Sprintf("Acme,+7 495 000-00-01,First order,\"1 500,60\",%s,%s,%s\n", p.Name, second.Name, users[0].Email) +
			"Acme again,+7 495 000-00-01,Second order,200,,,\n" +
			fmt.Sprintf("Bad,+7 495 000-00-02,Third,100,%s,No such stage,\n", p.Name) +
			"Worse,+7 495 000-00-03,Fourth,a lot,,,\n" +
			"Nobody,+7 495 000-00-04,Fifth,,,,nobody@example.com\n"
		rep := run(t, svc, admin, []byte(csvText), transfer.ImportOptions{Kind: crm.ImportDeals, Header: true})
		if counts(rep) != [4]int{5, 1, 1, 3} {
			t.Errorf("counts %v %v", counts(rep), rep.RowErrors)
		}
		if d := cmp.Diff(transfer.Mapping{transfer.Name, transfer.Phone, transfer.DealName, transfer.Price, transfer.Pipeline, transfer.Stage, transfer.Responsible}, rep.Mapping); d != "" {
			t.Errorf("suggested mapping (-want +got):\n%s", d)
		}
		var cols []string
		for _, e := range rep.RowErrors {
			cols = append(cols, fmt.Sprint(e.Row, " ", e.Column))
		}
		if d := cmp.Diff([]string{"4 Stage", "5 Budget", "6 Manager"}, cols); d != "" {
			t.Errorf("error columns (-want +got):\n%s", d)
		}
		deals, total, err := svc.Deals(ctx, admin, crm.DealQuery{Limit: 10})
		if err != nil || total != 2 {
			t.Fatalf("deals %d %v", total, err)
		}
		byName := map[string]crm.Deal{}
		for _, d := range deals {
			byName[d.Name] = d
		}
		first, second2 := byName["First order"], byName["Second order"]
		if first.Price != 1501 || first.StageID != second.ID || first.ClientID == 0 || first.ClientID != second2.ClientID {
			t.Errorf("deals %+v %+v", first, second2)
		}
		if clientCount(t, svc, admin) != 1 {
			t.Errorf("clients %d, want 1", clientCount(t, svc, admin))
		}
	})
}

// TestImportLeads records leads as lead/set does: a lead whose phone or
// email an earlier one has is its child, a duplicate.
func TestImportLeads(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		svc, admin := newAccount(t, dsn)
		if _, err := svc.CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"name": "Earlier", "phone": "74993229710"}}); err != nil {
			t.Fatal(err)
		}
		text := "name,phone,email,note\nA,8 (499) 322-97-10,,from the site\nB,,b@example.com,\nC,,B@EXAMPLE.COM,\nD,,,\n"
		dry := run(t, svc, admin, []byte(text), transfer.ImportOptions{Kind: crm.ImportLeads, Header: true, DryRun: true})
		rep := run(t, svc, admin, []byte(text), transfer.ImportOptions{Kind: crm.ImportLeads, Header: true})
		for _, r := range []transfer.Report{dry, rep} {
			if counts(r) != [4]int{4, 1, 2, 1} {
				t.Errorf("dry %v: counts %v %v", r.DryRun, counts(r), r.RowErrors)
			}
		}
		list, total, err := svc.Inbounds(ctx, admin, crm.InboundQuery{Limit: 10})
		if err != nil || total != 4 {
			t.Fatalf("leads %d %v", total, err)
		}
		parents := map[string]bool{}
		for _, l := range list {
			parents[l.Name] = l.ParentID != 0
		}
		if d := cmp.Diff(map[string]bool{"Earlier": false, "A": true, "B": false, "C": true}, parents); d != "" {
			t.Errorf("has a parent (-want +got):\n%s", d)
		}
	})
}

func TestMapping(t *testing.T) {
	defs := []crm.CustomField{{ID: 42, Name: "Источник"}}
	for _, tc := range []struct {
		kind   crm.ImportKind
		header []string
		want   transfer.Mapping
	}{
		{crm.ImportClients, []string{"ФИО", "Мобильный телефон", "Эл. почта", "Организация", "Примечание", "Источник", "Прочее"},
			transfer.Mapping{transfer.Name, transfer.Phone, transfer.Email, transfer.Company, transfer.Comment, "cf:42", ""}},
		{crm.ImportDeals, []string{"Deal name", "Contact name", "Phone", "E-mail", "Amount", "Pipeline", "Status", "Responsible user"},
			transfer.Mapping{transfer.DealName, transfer.Name, transfer.Phone, transfer.Email, transfer.Price, transfer.Pipeline, transfer.Stage, transfer.Responsible}},
		// A lead has no company nor price; a second phone column is skipped.
		{crm.ImportLeads, []string{"Name", "Phone", "Phone 2", "Company", "Budget"},
			transfer.Mapping{transfer.Name, transfer.Phone, "", "", ""}},
	} {
		got := transfer.Suggest(tc.kind, tc.header, defs)
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s %v (-want +got):\n%s", tc.kind, tc.header, d)
		}
	}
	header := []string{"ФИО", "Тел", "Прочее"}
	base := transfer.Suggest(crm.ImportClients, header, defs)
	m, err := transfer.ParseMapping("Прочее=cf:42, 2=skip, A=comment", header, base, crm.ImportClients, defs)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(transfer.Mapping{transfer.Comment, "", "cf:42"}, m); d != "" {
		t.Errorf("parsed (-want +got):\n%s", d)
	}
	if m.String() != "A=comment,C=cf:42" {
		t.Errorf("String() = %q", m.String())
	}
	for _, bad := range []string{"D=name", "A", "A=price", "A=cf:7"} {
		if _, err := transfer.ParseMapping(bad, header, base, crm.ImportClients, defs); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("%q: err %v", bad, err)
		}
	}
	if err := (transfer.Mapping{transfer.Name, transfer.Name}).Check(header); crm.KindOf(err) != crm.KindInvalid {
		t.Errorf("twice mapped: %v", err)
	}
}

func TestImportRefusals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		svc, admin := newAccount(t, dsn)
		member := admin
		member.Role = crm.RoleMember
		data := []byte("name\nA\n")
		if _, err := transfer.Import(ctx, svc, member, bytes.NewReader(data), int64(len(data)), transfer.ImportOptions{Kind: crm.ImportClients}); crm.KindOf(err) != crm.KindForbidden {
			t.Errorf("member: %v", err)
		}
		bomb := []byte("PK\x03\x04garbage")
		if _, err := transfer.Import(ctx, svc, admin, bytes.NewReader(bomb), int64(len(bomb)), transfer.ImportOptions{Kind: crm.ImportClients}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("broken xlsx: %v", err)
		}
		if _, err := transfer.Import(ctx, svc, admin, bytes.NewReader(data), int64(len(data)), transfer.ImportOptions{Kind: "customers"}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("unknown kind: %v", err)
		}
		if _, err := transfer.Import(ctx, svc, admin, bytes.NewReader(data), int64(len(data)), transfer.ImportOptions{Kind: crm.ImportClients, Header: true, Mapping: transfer.Mapping{""}}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("nothing mapped: %v", err)
		}
	})
}
