package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// searchAccount makes an account with four more users on db.
func searchAccount(tb testing.TB, db *store.DB) (crm.Actor, []int64) {
	ctx := context.Background()
	a, err := auth.New(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Search"})
	if err != nil {
		tb.Fatal(err)
	}
	users := []int64{creds.UserID}
	for range 4 {
		u, err := a.CreateUser(ctx, crm.NewUser{AccountID: creds.AccountID, Name: "Seller", Role: crm.RoleMember})
		if err != nil {
			tb.Fatal(err)
		}
		users = append(users, u.UserID)
	}
	return crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}, users
}

// TestDealSearchOpenTasks: next_task and the row's task are the nearest
// task that is not done; a done task, even an earlier one, does not count.
func TestDealSearchOpenTasks(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		actor, _ := searchAccount(t, db)
		svc := crm.NewService(db)
		name := "Клиент"
		clients, err := svc.AddContacts(ctx, actor, []crm.NewContact{{Name: &name}})
		if err != nil {
			t.Fatal(err)
		}
		msk, _ := time.LoadLocation("Europe/Moscow")
		due := time.Date(2024, 3, 20, 10, 0, 0, 0, msk)
		d, err := svc.CreateDeal(ctx, actor, crm.NewDeal{ClientID: clients[0].ID, Name: "С задачей", Task: &crm.NewTask{Text: "Открытая", Time: due}})
		if err != nil {
			t.Fatal(err)
		}
		done := time.Date(2024, 3, 15, 10, 0, 0, 0, msk).Unix()
		if err := db.ExecRaw(ctx, `INSERT INTO tasks (account_id, deal_id, text, due_at, user_id, employee_id, department_id, success, created_at, updated_at)
			VALUES (?, ?, 'Сделанная', ?, ?, 0, 0, ?, ?, ?)`, actor.AccountID, d.ID, done, actor.UserID, true, done, done); err != nil {
			t.Fatal(err)
		}
		search := func(day string) []int64 {
			page, err := svc.FilterDeals(ctx, actor, crm.DealFilter{Dates: []crm.DateFilter{{Select: crm.SelectNextTask,
				Period: crm.DatePeriod{Type: crm.DateOneDate, Start: day}}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Rows) > 0 && (page.Rows[0].Task == nil || page.Rows[0].Task.Text != "Открытая") {
				t.Errorf("task %+v", page.Rows[0].Task)
			}
			return page.AllIDs
		}
		if got := search("2024-03-15"); len(got) != 0 {
			t.Errorf("the done task's day: %v", got)
		}
		if got := search("2024-03-20"); len(got) != 1 || got[0] != d.ID {
			t.Errorf("the open task's day: %v", got)
		}
	})
}

// benchDeals is the scale of BenchmarkDealSearch (CRMD_BENCH_DEALS,
// default 100,000).
func benchDeals() int {
	if n, err := strconv.Atoi(os.Getenv("CRMD_BENCH_DEALS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var (
	benchFirst = []string{"Иван", "Пётр", "Анна", "Мария", "Олег", "Сергей", "Елена", "Ольга", "Дмитрий", "Наталья",
		"Алексей", "Татьяна", "Андрей", "Ирина", "Максим", "Светлана", "Никита", "Юлия", "Павел", "Ксения"}
	benchLast     = []string{"Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев"}
	benchProducts = []string{"Поставка мебели", "Ремонт офиса", "Оптовый заказ", "Доставка", "Монтаж", "Консультация", "Подписка"}
)

// seedDeals writes n deals for n/2 clients straight through the store in
// batches (the bulk path: no per-item validation): each client has a name
// from 20 × 11 name pairs, a phone and every third an email; each deal a
// product name with its service value, one of the options of source (a
// select field) in turn, one of the four stages with its stage history,
// one of the users, and a creation time 15 minutes after the previous one
// (about three years in all), set afterwards in one UPDATE.
func seedDeals(b *testing.B, db *store.DB, actor crm.Actor, users []int64, stages []crm.Stage, inbox int64, source crm.CustomField, n int) {
	ctx := context.Background()
	start := time.Now()
	const batch = 5000
	var clientIDs []int64
	for done := 0; done < n/2; done += batch {
		err := db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
			for i := done; i < min(done+batch, n/2); i++ {
				c := crm.Contact{Name: fmt.Sprintf("%s %s %d", benchFirst[i%len(benchFirst)], benchLast[i%len(benchLast)], i),
					CreatedBy: actor.UserID, UpdatedBy: actor.UserID, ResponsibleUserID: actor.UserID}
				if err := tx.InsertContact(ctx, &c); err != nil {
					return err
				}
				clientIDs = append(clientIDs, c.ID)
				if err := tx.InsertContactData(ctx, &crm.ContactData{OwnerType: crm.EntityContact, OwnerID: c.ID, Kind: "phone",
					Value: fmt.Sprintf("7900%07d", i), Primary: true}); err != nil {
					return err
				}
				if i%3 == 0 {
					if err := tx.InsertContactData(ctx, &crm.ContactData{OwnerType: crm.EntityContact, OwnerID: c.ID, Kind: "email",
						Value: fmt.Sprintf("client%d@example.com", i), Primary: true}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for done := 0; done < n; done += batch {
		err := db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
			for i := done; i < min(done+batch, n); i++ {
				st := stages[i%len(stages)]
				d := crm.Deal{Name: fmt.Sprintf("%s %d", benchProducts[i%len(benchProducts)], i), ClientID: clientIDs[i/2],
					PipelineID: st.PipelineID, StageID: st.ID, Responsible: crm.Responsible{UserID: actor.UserID, EmployeeID: users[i%len(users)]},
					InboxTypeID: inbox}
				if err := tx.InsertDeal(ctx, &d); err != nil {
					return err
				}
				if err := tx.SetServiceValue(ctx, crm.EntityDeal, d.ID, 2001, d.Name); err != nil {
					return err
				}
				if err := tx.RecordStage(ctx, d.ID, st.ID, tx.Now()); err != nil {
					return err
				}
				option := source.Enums[i%len(source.Enums)]
				if err := tx.SetFieldValues(ctx, crm.EntityDeal, d.ID, []crm.FieldValue{{FieldID: source.ID,
					Values: []crm.Value{{Text: option.Value, EnumID: option.ID}}}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	base := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	if err := db.ExecRaw(ctx, `UPDATE deals SET created_at = ? + id * 900, updated_at = ? + id * 900, stage_updated_at = ? + id * 900
		WHERE account_id = ?`, base, base, base, actor.AccountID); err != nil {
		b.Fatal(err)
	}
	if err := db.ExecRaw(ctx, `UPDATE deal_stage_history SET entered_at = ? + deal_id * 900 WHERE account_id = ?`, base, actor.AccountID); err != nil {
		b.Fatal(err)
	}
	// Statistics, as autovacuum gathers them after a bulk load on
	// PostgreSQL; without them its planner guesses index choices.
	if err := db.ExecRaw(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d deals and %d clients in %s", n, n/2, time.Since(start).Round(time.Millisecond))
}

// benchAccount opens a fresh database of backend (closed when b ends) with
// searchAccount's account, and returns it with the account's users, a
// service and its pipelines: what the deal benchmarks start from.
func benchAccount(b *testing.B, backend crmtest.Backend) (*store.DB, crm.Actor, []int64, *crm.Service, []crm.Pipeline) {
	ctx := context.Background()
	db, err := store.Open(ctx, crmtest.NewDSN(b, backend))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	actor, users := searchAccount(b, db)
	svc := crm.NewService(db)
	pipelines, err := svc.DealPipelines(ctx, actor)
	if err != nil {
		b.Fatal(err)
	}
	return db, actor, users, svc, pipelines
}

// BenchmarkDealSearch measures the Envybox deal search (E15) at scale, on
// each backend, against a baseline measured in the same run: the plain
// deal/list page (svc.Deals: count and 50 rows with their details). Every
// search case is a whole page as the API answers it: all matching ids, the
// count and 50 rows with client, contacts, companies, task, last comment
// and values.
// Run: go test -run '^$' -bench DealSearch -benchtime 20x ./internal/store
func BenchmarkDealSearch(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, actor, users, svc, pipelines := benchAccount(b, backend)
			stages := pipelines[0].Stages
			ref, err := svc.Reference(ctx, actor)
			if err != nil {
				b.Fatal(err)
			}
			name := "Источник"
			var options []crm.EnumInput
			for _, o := range []string{"Сайт", "Звонок", "Выставка", "Рекомендация", "Директ", "Google Ads", "Email", "Партнёр"} {
				options = append(options, crm.EnumInput{Value: o})
			}
			fields, err := svc.AddCustomFields(ctx, actor, crm.EntityDeal, []crm.NewCustomField{{Name: &name, Type: crm.FieldSelect, Enums: options}})
			if err != nil {
				b.Fatal(err)
			}
			source := fields[0]
			n := benchDeals()
			seedDeals(b, db, actor, users, stages, ref.InboxTypes[0].ID, source, n)
			inWork := stages[1].ID
			// 90 days in the middle of the creation dates (a quarter of
			// the three years at 100,000 deals).
			mid := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n/2) * 900 * time.Second)
			span := min(45*24*time.Hour, time.Duration(n/4)*900*time.Second)
			quarter := crm.DateFilter{Select: crm.SelectCreated, Period: crm.DatePeriod{Type: crm.DatePeriodRange,
				Start: mid.Add(-span).Format(time.DateOnly), End: mid.Add(span).Format(time.DateOnly)}}
			month := crm.DateFilter{Select: crm.SelectCreated, Period: crm.DatePeriod{Type: crm.DatePeriodRange,
				Start: mid.Format(time.DateOnly), End: mid.Add(29 * 24 * time.Hour).Format(time.DateOnly)}}
			cases := []struct {
				name string
				f    crm.DealFilter
			}{
				{"keyword-date-stage", crm.DealFilter{Keyword: "иван", Dates: []crm.DateFilter{quarter}, StageIDs: []int64{inWork}}},
				{"date-stage", crm.DealFilter{Dates: []crm.DateFilter{quarter}, StageIDs: []int64{inWork}}},
				{"keyword", crm.DealFilter{Keyword: "иван"}},
				{"phone-keyword", crm.DealFilter{Keyword: fmt.Sprintf("7900%07d", n/4)}},
				{"responsible-first-deal", crm.DealFilter{UserIDs: users[1:2], FirstDealOfClient: true}},
				{"no-filter-all-ids", crm.DealFilter{}},
				// An option of a select field (an eighth of the deals) in a
				// month of creation dates, as crmdbench's field filter asks.
				{"option-month", crm.DealFilter{Fields: []crm.FieldCondition{{Entity: crm.EntityDeal, FieldID: source.ID,
					Value: crm.ListOperand(crm.NumberOperand(float64(source.Enums[2].ID)))}}, Dates: []crm.DateFilter{month}}},
				{"option", crm.DealFilter{Fields: []crm.FieldCondition{{Entity: crm.EntityDeal, FieldID: source.ID,
					Value: crm.ListOperand(crm.NumberOperand(float64(source.Enums[2].ID)))}}}},
			}
			b.Run("baseline-deal-list-page", func(b *testing.B) {
				for b.Loop() {
					list, total, err := svc.Deals(ctx, actor, crm.DealQuery{Limit: 50})
					if err != nil || total != n || len(list) != 50 {
						b.Fatalf("%d of %d, %v", len(list), total, err)
					}
				}
			})
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					var total int
					for b.Loop() {
						c.f.Limit = 50
						page, err := svc.FilterDeals(ctx, actor, c.f)
						if err != nil {
							b.Fatal(err)
						}
						if page.Total == 0 || len(page.Rows) == 0 {
							b.Fatalf("empty page of %d", page.Total)
						}
						total = page.Total
					}
					b.ReportMetric(float64(total), "matches")
				})
			}
		})
	}
}
