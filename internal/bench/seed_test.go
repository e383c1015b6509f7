package bench

import (
	"context"
	"strconv"
	"testing"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestSeed: what the bulk path wrote reads back through the service as
// records made through the API would, and rows made afterwards through the
// service take fresh ids.
func TestSeed(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		const deals = 2_500 // more than one bulk statement, less than a batch
		ds, err := Seed(ctx, db, deals, DefaultShape, func(s string) { t.Log(s) })
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"deals": deals, "clients": deals / 2, "leads": deals / 2, "customers": deals / 10,
			"transactions": deals / 10 * 3, "tasks": deals / 4, "field values": deals + deals/2}
		for kind, n := range want {
			if ds.Counts[kind] != n {
				t.Errorf("%s: seeded %d, want %d", kind, ds.Counts[kind], n)
			}
		}
		actor := crm.Actor{AccountID: ds.AccountID, UserID: ds.Creds.UserID, Role: crm.RoleAdmin, TimeZone: crm.DefaultTimeZone}
		svc := crm.NewService(db)
		_, total, err := svc.Deals(ctx, actor, crm.DealQuery{Limit: 1})
		if err != nil || total != deals {
			t.Fatalf("deal count %d (%v), want %d", total, err, deals)
		}
		fam, err := svc.Deal(ctx, actor, ds.DealIDs[0], false)
		if err != nil {
			t.Fatal(err)
		}
		d := fam.Deal
		if d.ClientID != ds.ClientIDs[0] || d.Name != "Поставка мебели 0" || len(d.Fields) != 2 || len(d.Values) == 0 {
			t.Errorf("first deal %+v", d)
		}
		c, err := svc.Customer(ctx, actor, ds.CustomerIDs[1])
		if err != nil {
			t.Fatal(err)
		}
		if c.PurchasesCount != 3 || c.LTV != c.AverageCheck*3 || len(c.Contacts) != 1 {
			t.Errorf("customer %+v", c)
		}
		trs, n, err := svc.Transactions(ctx, actor, crm.TransactionQuery{CustomerIDs: []int64{c.ID}})
		if err != nil || n != 3 || len(trs) != 3 {
			t.Errorf("transactions of a customer: %d %v", n, err)
		}
		lead, err := svc.Inbound(ctx, actor, ds.LeadIDs[0])
		if err != nil || lead.Phone != phoneOf(0) {
			t.Errorf("lead %+v %v", lead, err)
		}
		// The board scenarios' pipeline holds the most deals, as counted
		// by the store; the administrator signs in with the password.
		pipelines, err := svc.DealPipelines(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		most, inBoard := 0, 0
		for _, p := range pipelines {
			totals, err := svc.StageTotals(ctx, actor, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, st := range totals {
				n += int(st.Deals)
			}
			most = max(most, n)
			if p.ID == ds.BoardPipeline {
				inBoard = n
			}
		}
		if ds.BoardDeals == 0 || inBoard != ds.BoardDeals || inBoard != most {
			t.Errorf("board pipeline %d: %d deals said, %d counted; the largest pipeline holds %d", ds.BoardPipeline, ds.BoardDeals, inBoard, most)
		}
		a, err := auth.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if who, err := a.Login(ctx, strconv.FormatInt(ds.Creds.UserID, 10), ds.Password, "127.0.0.1"); err != nil || who.UserID != ds.Creds.UserID {
			t.Errorf("sign in with the seeded password: %+v %v", who, err)
		}
		// A client made now takes an id after every seeded one.
		name := "После посева"
		made, err := svc.AddContacts(ctx, actor, []crm.NewContact{{Name: &name}})
		if err != nil {
			t.Fatal(err)
		}
		if last := ds.ClientIDs[len(ds.ClientIDs)-1]; made[0].ID <= last {
			t.Errorf("new contact id %d, last seeded %d", made[0].ID, last)
		}
	})
}
