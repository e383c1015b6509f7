package crm_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestLeadBatchRowsMatch makes the same batches of new leads (plain and
// complex, with tags, custom values, contacts, a company, closed stages,
// given dates, and one over the multi-row statements' row cap) in two fresh
// databases, one through the row-by-row path and one through the
// multi-row one, at the same clock, and compares what they added to every
// table, ids included, and what the service answered.
func TestLeadBatchRowsMatch(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, _ string) {
		backend := crmtest.SQLite
		if strings.HasSuffix(t.Name(), "postgres") {
			backend = crmtest.Postgres
		}
		var added [2]map[string][]string
		var answers [2]string
		for i, rowByRow := range []bool{true, false} {
			crm.SetRowByRowLeads(t, rowByRow)
			dsn := crmtest.NewDSN(t, backend)
			db, _, admin := newEnvAccount(t, dsn)
			db.Now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }
			before := tableRows(t, dsn)
			answers[i] = leadBatches(t, crm.NewService(db), admin)
			added[i] = rowsAdded(before, tableRows(t, dsn))
		}
		if answers[0] != answers[1] {
			t.Errorf("answers differ:\nrow by row %s\nmulti-row  %s", answers[0], answers[1])
		}
		tables := map[string]bool{}
		for _, m := range added {
			for table := range m {
				tables[table] = true
			}
		}
		for table := range tables {
			want, got := added[0][table], added[1][table]
			if !slices.Equal(want, got) {
				t.Errorf("%s: the row-by-row path added %d rows, the multi-row one %d; first differences:\n%s", table, len(want), len(got), firstDiff(want, got))
			}
		}
		for _, table := range []string{"deals", "logs", "entity_tags", "service_values", "field_values", "deal_stage_history", "deal_contacts", "contacts", "contact_data", "companies"} {
			if len(added[1][table]) == 0 {
				t.Errorf("the batches added no row to %s: the test does not cover it", table)
			}
		}
	})
}

// leadBatches makes the test's batches and returns the service's answers.
func leadBatches(t *testing.T, svc *crm.Service, admin crm.Actor) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	name := "Источник"
	fields, err := svc.AddCustomFields(ctx, admin, crm.EntityDeal, []crm.NewCustomField{{Name: &name, Type: crm.FieldText}})
	if err != nil {
		t.Fatal(err)
	}
	reason, err := svc.AddLossReason(ctx, admin, "Дорого", 1)
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	num := func(n int64) *int64 { return &n }

	// Complex leads: new contacts with phones, new companies.
	complex := make([]crm.ComplexLead, 12)
	for i := range complex {
		complex[i] = crm.ComplexLead{Lead: crm.LeadInput{Name: str(fmt.Sprintf("Комплекс %d", i)), Price: num(int64(100 * i))},
			Contact: &crm.ComplexParty{FirstName: "Иван", LastName: fmt.Sprint(i), Phones: []string{fmt.Sprintf("+7900%07d", i)}}}
		if i%3 == 0 {
			complex[i].Company = &crm.ComplexParty{Name: str(fmt.Sprintf("ООО %d", i))}
		}
		if i%4 == 1 {
			complex[i].Contact.Emails = []string{fmt.Sprintf("Ivan%d@Example.com", i), "second@example.com"}
			complex[i].Contact.Phones = append(complex[i].Contact.Phones, "8 (900) 111-22-33")
		}
	}
	made, err := svc.AddComplexLeads(ctx, admin, complex)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(&out, made)
	// An existing contact and company, named by id.
	again, err := svc.AddComplexLeads(ctx, admin, []crm.ComplexLead{
		{Lead: crm.LeadInput{Name: str("Снова 1")}, Contact: &crm.ComplexParty{ID: made[1].ContactID}, Company: &crm.ComplexParty{ID: made[0].CompanyID}},
		{Lead: crm.LeadInput{Name: str("Снова 2")}, Contact: &crm.ComplexParty{FirstName: "Пётр", Emails: []string{"p@example.com"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(&out, again)

	// Plain leads with everything a lead may carry.
	at := time.Date(2025, 11, 5, 8, 30, 0, 0, time.UTC)
	leads := make([]crm.LeadInput, 40)
	for i := range leads {
		l := crm.LeadInput{Name: str(fmt.Sprintf(" Сделка %d ", i)), Price: num(int64(1000 + i))}
		switch i % 5 {
		case 0:
			tags := []crm.TagRef{{Name: "опт"}, {Name: fmt.Sprintf("т%d", i%3)}, {Name: "опт"}}
			l.Tags = &tags
			l.TagsToAdd = []crm.TagRef{{Name: "новый"}}
		case 1:
			l.TagsToAdd = []crm.TagRef{{Name: "розница"}}
			l.Fields = []crm.FieldValueInput{{FieldID: fields[0].ID, Values: []crm.ValueInput{{Value: fmt.Sprint("сайт ", i), HasValue: true}}}}
			l.Contacts = []crm.LeadContact{{ID: made[i%12].ContactID}, {ID: made[(i+1)%12].ContactID, IsMain: true}}
		case 2:
			l.Status = &crm.LeadStatusRef{Status: crm.StageLost}
			l.LossReasonID = &reason.ID
			l.ClosedAt, l.CreatedAt = &at, &at
			l.CompanyID = &made[0].CompanyID
		case 3:
			l.Status = &crm.LeadStatusRef{Status: crm.StageWon}
			l.UpdatedAt, l.CreatedAt = &at, &at
			l.Contacts = []crm.LeadContact{{ID: made[3].ContactID}}
			l.Fields = []crm.FieldValueInput{{FieldID: fields[0].ID, Values: []crm.ValueInput{{Value: "звонок", HasValue: true}}}}
		case 4:
			l.ResponsibleUserID = &admin.UserID
			tags := []crm.TagRef{}
			l.Tags = &tags
		}
		leads[i] = l
	}
	got, err := svc.AddLeads(ctx, admin, leads)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range got {
		fmt.Fprintf(&out, "%d %s %v %v %v %d %d|", l.ID, l.Name, l.Tags, l.UpdatedAt.Unix(), l.ClosedAt.Unix(), l.Stage.ID, l.ClientID)
	}
	stamps, err := svc.AddLeadStamps(ctx, admin, leads[:3])
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(&out, stamps)

	// More leads than one multi-row statement takes (bulk.go's row cap).
	many := make([]crm.LeadInput, 620)
	for i := range many {
		tags := []crm.TagRef{{Name: "много"}}
		many[i] = crm.LeadInput{Name: str(fmt.Sprint("Много ", i)), Tags: &tags}
	}
	stamps, err = svc.AddLeadStamps(ctx, admin, many)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(&out, stamps)
	return out.String()
}

// tableRows reads every row of every table of the database at dsn, each
// as text, sorted per table. PostgreSQL's logs.tx (the writing
// transaction's id) is left out: it differs between any two databases.
func tableRows(t *testing.T, dsn string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var db *sql.DB
	var err error
	list := `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = sql.Open("sqlite", path)
		list = `SELECT name FROM sqlite_master WHERE type = 'table'`
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.QueryContext(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		if strings.HasPrefix(table, "deal_search_trigrams_") {
			// SQLite's trigram index's own tables: their bytes record how
			// its segments were flushed. What it answers is compared below.
			continue
		}
		if table == "deal_search_trigrams" {
			for _, word := range []string{"сде", "мно", "ива", "ооо"} {
				var ids []int64
				rows, err := db.QueryContext(ctx, `SELECT rowid FROM deal_search_trigrams WHERE deal_search_trigrams MATCH ? ORDER BY rowid`, `"`+word+`"`)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, id)
				}
				rows.Close()
				out[table] = append(out[table], fmt.Sprint(word, ids))
			}
			continue
		}
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			var b strings.Builder
			for i, v := range vals {
				if cols[i] == "tx" && table == "logs" {
					continue
				}
				if s, ok := v.([]byte); ok {
					v = string(s)
				}
				fmt.Fprintf(&b, "%s=%v ", cols[i], v)
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

// rowsAdded is, per table, the rows of after that before lacks (as a
// multiset), and the rows before had that after lacks, marked "-".
func rowsAdded(before, after map[string][]string) map[string][]string {
	out := map[string][]string{}
	for table, rows := range after {
		count := map[string]int{}
		for _, r := range before[table] {
			count[r]++
		}
		for _, r := range rows {
			if count[r] > 0 {
				count[r]--
				continue
			}
			out[table] = append(out[table], r)
		}
		for r, n := range count {
			for range n {
				out[table] = append(out[table], "-"+r)
			}
		}
		slices.Sort(out[table])
	}
	return out
}

// firstDiff shows the first rows where want and got differ.
func firstDiff(want, got []string) string {
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			return fmt.Sprintf("row %d\n want %s\n got  %s", i, w, g)
		}
	}
	return ""
}
