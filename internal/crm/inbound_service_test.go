package crm_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

func newEnvAccount(t *testing.T, dsn string) (*store.DB, *store.DB, crm.Actor) {
	t.Helper()
	ctx := context.Background()
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	a, err := auth.New(ctx, dbs[0])
	if err != nil {
		t.Fatal(err)
	}
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Inbound"})
	if err != nil {
		t.Fatal(err)
	}
	return dbs[0], dbs[1], crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
}

// TestInboundDeduplication submits one contact 50 times at once, spelled
// differently, from two store handles (two processes): every request but
// the first has the first as parent.
func TestInboundDeduplication(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db1, db2, admin := newEnvAccount(t, dsn)
		services := []*crm.Service{crm.NewService(db1), crm.NewService(db2)}
		spellings := []string{"+7 (499) 322-97-10", "84993229710", "74993229710"}
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := services[i%2].CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{
					"name": "Test", "phone": spellings[i%3]}})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		list, total, err := services[0].Inbounds(ctx, admin, crm.InboundQuery{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if total != 50 {
			t.Fatalf("%d requests, want 50", total)
		}
		var parents []int64
		for _, l := range list {
			if l.ParentID == 0 {
				parents = append(parents, l.ID)
			}
		}
		if len(parents) != 1 {
			t.Fatalf("%d parent requests, want 1", len(parents))
		}
		for _, l := range list {
			if l.ID != parents[0] && l.ParentID != parents[0] {
				t.Errorf("request %d has parent %d, want %d", l.ID, l.ParentID, parents[0])
			}
			if l.Phone != "74993229710" {
				t.Errorf("phone stored as %q", l.Phone)
			}
		}
		// A different email on the same contact is still the same contact.
		other, err := services[0].CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"email": "TEAM@callbackkiller.com"}})
		if err != nil || other.ParentID != 0 {
			t.Fatalf("a new contact: parent %d, %v", other.ParentID, err)
		}
		again, err := services[0].CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"email": "team@CallbackKiller.com "}})
		if err != nil || again.ParentID != other.ID {
			t.Fatalf("same email: parent %d, want %d (%v)", again.ParentID, other.ID, err)
		}
	})
}

// TestInboundBatchFailures submits leads at once, every fifth of them
// invalid, so that concurrent ones share transactions (the store's write
// path): exactly the invalid ones fail, every valid one is recorded once,
// and each contact still has one parent.
func TestInboundBatchFailures(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		const n = 60
		errs := make([]error, n)
		before := db.WriteStats()
		// Two waves, the second right after the first, whose callers come
		// back together.
		for wave := range 2 {
			var wg sync.WaitGroup
			for i := wave * n / 2; i < (wave+1)*n/2; i++ {
				wg.Go(func() {
					in := crm.NewInbound{Values: map[string]string{"name": "Test", "phone": fmt.Sprintf("7499322970%d", i%3)}}
					if i%5 == 0 {
						in.TimeZone = "Europe/Moscow" // invalid: not UTC±HH:MM
					}
					_, errs[i] = svc.CreateInbound(ctx, admin, in)
				})
			}
			wg.Wait()
		}
		if after := db.WriteStats(); after.Calls-before.Calls != n-n/5 || after.Commits-before.Commits >= n-n/5 {
			t.Errorf("%d leads committed in %d transactions: want %d, sharing some", after.Calls-before.Calls,
				after.Commits-before.Commits, n-n/5)
		}
		for i, err := range errs {
			if wantInvalid := i%5 == 0; wantInvalid != (crm.KindOf(err) == crm.KindInvalid) || (!wantInvalid && err != nil) {
				t.Errorf("lead %d: %v", i, err)
			}
		}
		list, total, err := svc.Inbounds(ctx, admin, crm.InboundQuery{Limit: 100})
		if err != nil || total != n-n/5 {
			t.Fatalf("%d requests (%v), want %d", total, err, n-n/5)
		}
		parents := map[string]int64{}
		for _, l := range list {
			if l.ParentID == 0 {
				if parents[l.Phone] != 0 {
					t.Errorf("phone %s has two parents", l.Phone)
				}
				parents[l.Phone] = l.ID
			}
		}
		for _, l := range list {
			if p := parents[l.Phone]; p == 0 || (l.ID != p && l.ParentID != p) {
				t.Errorf("request %d (%s) has parent %d, want %d", l.ID, l.Phone, l.ParentID, p)
			}
		}
	})
}

// TestStartInboundOnce starts one request from many goroutines and two
// processes: exactly one deal, and everyone else is told it is taken.
func TestStartInboundOnce(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db1, db2, admin := newEnvAccount(t, dsn)
		services := []*crm.Service{crm.NewService(db1), crm.NewService(db2)}
		l, err := services[0].CreateInbound(ctx, admin, crm.NewInbound{Tags: []string{"тег1"},
			Values: map[string]string{"name": "Test", "phone": "74993229710", "email": "team@callbackkiller.com", "utm_source": "ads"}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var started []crm.StartResult
		taken := 0
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := services[i%2].StartInbound(ctx, admin, l.ID, crm.Responsible{UserID: admin.UserID})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					started = append(started, res)
				case crm.KindOf(err) == crm.KindConflict && err.(*crm.Error).Code == crm.CodeInboundTaken:
					taken++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if len(started) != 1 || taken != 11 {
			t.Fatalf("%d starts, %d refusals; want 1 and 11", len(started), taken)
		}
		res := started[0]
		if !res.NewClient {
			t.Error("the first start should make a new client")
		}
		deals, total, err := services[0].Deals(ctx, admin, crm.DealQuery{})
		if err != nil || total != 1 || deals[0].ID != res.DealID || deals[0].ClientID != res.ClientID {
			t.Fatalf("deals %+v (%d, %v)", deals, total, err)
		}
		if len(deals[0].Tags) != 1 || deals[0].Tags[0].Name != "тег1" || len(deals[0].InboundIDs) != 1 {
			t.Errorf("deal tags %+v, requests %v", deals[0].Tags, deals[0].InboundIDs)
		}
		got, err := services[0].Inbound(ctx, admin, l.ID)
		if err != nil || got.Stage.Status != crm.InboundNewClient || !got.TakenToWork() || len(got.DealIDs) != 1 {
			t.Fatalf("request after start: %+v, %v", got, err)
		}
		// A second request of the same contact attaches to the existing client.
		l2, err := services[0].CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"phone": "8 (499) 322-97-10"}})
		if err != nil {
			t.Fatal(err)
		}
		res2, err := services[0].StartInbound(ctx, admin, l2.ID, crm.Responsible{})
		if err != nil || res2.NewClient || res2.ClientID != res.ClientID || res2.DealID == res.DealID {
			t.Fatalf("second request: %+v, %v", res2, err)
		}
		got2, err := services[0].Inbound(ctx, admin, l2.ID)
		if err != nil || got2.Stage.Status != crm.InboundExistingClient {
			t.Fatalf("second request's stage %+v, %v", got2.Stage, err)
		}
		if _, err := services[0].StartInbound(ctx, admin, 99999, crm.Responsible{}); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("unknown request: %v", err)
		}
	})
}

// TestCreateInboundReturnsStored checks that the request CreateInbound
// returns, built from what it wrote rather than read back, is the request
// as stored: values, custom values, contact data, stage and all.
func TestCreateInboundReturnsStored(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		name := "Источник"
		fields, err := svc.AddCustomFields(ctx, admin, crm.EntityInbound, []crm.NewCustomField{
			{Name: &name, Type: crm.FieldSelect, Enums: []crm.EnumInput{{Value: "Сайт"}, {Value: "Звонок"}}},
			{Name: &name, Type: crm.FieldText},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []crm.NewInbound{
			{Values: map[string]string{"phone": "8 (499) 322-97-10"}},
			{Values: map[string]string{"name": " Иван ", "phone": "+7 499 322-97-10", "email": "Team@CallbackKiller.com",
				"comment": "перезвонить", "utm_source": "google", "utm_medium": "cpc", "yandex_client_id": "42"},
				Region: "Москва", TimeZone: "UTC+05:00", EmployeeID: admin.UserID, Tags: []string{"VIP", "Опт"},
				Custom:      []crm.CustomValueInput{{FieldID: fields[1].ID, Value: "текст"}, {FieldID: fields[0].ID, Value: float64(fields[0].Enums[1].ID)}},
				ContactData: []crm.ContactData{{Kind: "whatsapp", Value: "79001234567"}, {Kind: "work_phone", Value: "8 900 123-45-67", Addon: "12"}}},
		} {
			created, err := svc.CreateInbound(ctx, admin, n)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := svc.Inbound(ctx, admin, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(created, stored) {
				t.Errorf("CreateInbound returned\n%+v\nbut stored is\n%+v", created, stored)
			}
		}
	})
}

// TestInboundsAfterID: AfterID keeps the requests recorded after one, with
// their total, and combines with the other filters (the inbox's live poll).
func TestInboundsAfterID(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		var ids []int64
		for i, name := range []string{"First", "Second", "Third"} {
			l, err := svc.CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{
				"name": name, "phone": fmt.Sprintf("7900123450%d", i)}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		for _, c := range []struct {
			q    crm.InboundQuery
			want []int64
		}{
			{crm.InboundQuery{AfterID: ids[0]}, []int64{ids[2], ids[1]}},
			{crm.InboundQuery{AfterID: ids[2]}, nil},
			{crm.InboundQuery{AfterID: ids[0], Keyword: "third"}, []int64{ids[2]}},
			{crm.InboundQuery{AfterID: ids[0], Limit: 1, Offset: 1}, []int64{ids[1]}},
		} {
			list, total, err := svc.Inbounds(ctx, admin, c.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, l := range list {
				got = append(got, l.ID)
			}
			wantTotal := len(c.want)
			if c.q.Limit == 1 {
				wantTotal = 2
			}
			if !reflect.DeepEqual(got, c.want) || total != wantTotal {
				t.Errorf("%+v: %v (total %d), want %v (total %d)", c.q, got, total, c.want, wantTotal)
			}
		}
	})
}
