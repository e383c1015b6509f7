package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestDashboardBucketsUnionMatchesCase: the dashboard's counts over time
// buckets written as one range a bucket (bucketUnion: the leads' days and
// the won and lost months of every default window) give what the one
// range with a CASE of the bounds gives (the plain path, which windows of
// more than bucketUnionMax buckets still take), with deals closed and
// requests taken in on the buckets' edges, a second before them and
// outside the window, in two pipelines, for windows of one day to a year.
func TestDashboardBucketsUnionMatchesCase(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a := newAccount(t, db, "Buckets")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		ref, err := svc.Reference(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		client, err := svc.CreateClient(ctx, admin, crm.NewClient{Name: "Клиент"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		var times []time.Time
		for m := -14; m <= 0; m++ {
			edge := time.Date(now.Year(), now.Month()+time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			times = append(times, edge, edge.Add(-time.Second), edge.Add(36*time.Hour+time.Duration(m)*time.Minute))
		}
		for d := -40; d <= 0; d++ {
			day := today.AddDate(0, 0, d)
			times = append(times, day, day.Add(-time.Second), day.Add(13*time.Hour))
		}
		in, deal := ref.InboundPipelines[0], ref.DealPipelines[0]
		err = db.Bulk(ctx, admin.AccountID, func(bk *store.Bulk) error {
			var ds []crm.Deal
			var ls []crm.Inbound
			for i, at := range times {
				p := ref.DealPipelines[i%len(ref.DealPipelines)]
				st := p.Stages[(i/2)%len(p.Stages)]
				d := crm.Deal{Name: fmt.Sprint("Сделка ", i), ClientID: client.ID, PipelineID: p.ID, StageID: st.ID, Price: int64(i * 100),
					Responsible: crm.Responsible{UserID: admin.UserID}, CreatedAt: at.Add(-time.Hour)}
				if st.Status == crm.StageWon || st.Status == crm.StageLost {
					d.ClosedAt = at
				}
				ds = append(ds, d)
				ls = append(ls, crm.Inbound{PipelineID: in.ID, StageID: in.Stages[0].ID, DealPipelineID: deal.ID, DealStageID: deal.Stages[0].ID,
					Responsible: crm.Responsible{UserID: admin.UserID}, InboxTypeID: ref.InboxTypes[i%len(ref.InboxTypes)].ID,
					Name: fmt.Sprint("Лид ", i), CreatedAt: at, UpdatedAt: at, StageUpdatedAt: at})
			}
			if err := bk.Deals(ds); err != nil {
				return err
			}
			return bk.Inbounds(ls)
		})
		if err != nil {
			t.Fatal(err)
		}
		compared := 0
		for _, p := range ref.DealPipelines {
			for _, days := range []int{1, 30, 61, 62, 63, 200, 366} {
				q := crm.DashboardQuery{PipelineID: p.ID, From: today.AddDate(0, 0, 1-days), To: today}
				var got [2]crm.Dashboard
				for i, max := range []int{62, 0} {
					store.SetBucketUnionMax(t, max)
					if got[i], err = svc.Dashboard(ctx, admin, q); err != nil {
						t.Fatal(err)
					}
				}
				store.SetBucketUnionMax(t, 62)
				if !reflect.DeepEqual(got[0], got[1]) {
					t.Errorf("pipeline %d, %d days: by bucket\n%+v\nwith a CASE\n%+v", p.ID, days, got[0], got[1])
				}
				for _, m := range got[0].Months {
					compared += int(m.Won + m.Lost)
				}
				for _, d := range got[0].LeadDays {
					for _, n := range d.Counts {
						compared += int(n)
					}
				}
			}
		}
		if compared < 100 {
			t.Errorf("only %d deals and leads compared: the data missed the windows", compared)
		}
	})
}
