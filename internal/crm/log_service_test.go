package crm_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestLogConcurrentTags adds overlapping tag names to one deal from two
// store handles (two processes) at once: every name ends up once on the
// deal and once among the tag records, and the history names each tag in
// exactly one "tags added" entry.
func TestLogConcurrentTags(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db1, db2, admin := newEnvAccount(t, dsn)
		services := []*crm.Service{crm.NewService(db1), crm.NewService(db2)}
		l, err := services[0].CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"name": "Test", "phone": "74993229710"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := services[0].StartInbound(ctx, admin, l.ID, crm.Responsible{})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				names := []string{"общий", fmt.Sprintf("тег%d", i%5), strings.ToUpper(fmt.Sprintf("тег%d", (i+1)%5))}
				if err := services[i%2].AddDealTags(ctx, admin, res.DealID, names); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()

		fam, err := services[0].Deal(ctx, admin, res.DealID, false)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tg := range fam.Deal.Tags {
			names = append(names, strings.ToLower(tg.Name))
		}
		sort.Strings(names)
		if got := strings.Join(names, ","); got != "общий,тег0,тег1,тег2,тег3,тег4" {
			t.Errorf("deal tags %s", got)
		}
		lines, total, err := services[0].Logs(ctx, admin, crm.LogQuery{EntityType: crm.EntityDeal, EntityID: res.DealID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, line := range lines {
			if line.TypeID != crm.LogDealTagsAdded {
				continue
			}
			if line.Author == nil || line.Author.ID != admin.UserID {
				t.Errorf("tags entry author %v", line.Author)
			}
			text := string(line.Data)
			for _, n := range []string{"общий", "тег0", "тег1", "тег2", "тег3", "тег4"} {
				if strings.Contains(strings.ToLower(text), `"`+n+`"`) {
					seen[n]++
				}
			}
		}
		if len(seen) != 6 {
			t.Errorf("tags named in the history %v (of %d entries)", seen, total)
		}
		for n, c := range seen {
			if c != 1 {
				t.Errorf("tag %s named in %d entries", n, c)
			}
		}
	})
}

// TestLogQueryTypes filters a history by type and refuses entity types
// without one.
func TestLogQueryTypes(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		l, err := svc.CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"name": "Test", "phone": "74993229710"}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := svc.AddLog(ctx, admin, crm.EntityInbound, l.ID, crm.NewLog{TypeID: crm.LogInboundComment, Comment: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		lines, total, err := svc.Logs(ctx, admin, crm.LogQuery{EntityType: crm.EntityInbound, EntityID: l.ID, TypeIDs: []int{crm.LogInboundCreated}})
		if err != nil || total != 1 || len(lines) != 1 || lines[0].TypeID != crm.LogInboundCreated || lines[0].Author != nil {
			t.Errorf("created entries %v total %d err %v", lines, total, err)
		}
		lines, total, err = svc.Logs(ctx, admin, crm.LogQuery{EntityType: crm.EntityInbound, EntityID: l.ID, Limit: 2, Offset: 1})
		if err != nil || total != 4 || len(lines) != 2 || string(lines[0].Data) == "" || lines[0].TypeID != crm.LogInboundComment {
			t.Errorf("page %v total %d err %v", lines, total, err)
		}
		if _, _, err := svc.Logs(ctx, admin, crm.LogQuery{EntityType: crm.EntityContact, EntityID: 1}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("contact history: %v, want invalid", err)
		}
		if _, err := svc.AddLog(ctx, admin, crm.EntityInbound, l.ID, crm.NewLog{TypeID: crm.LogInboundAttached}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("adding a system entry: %v, want invalid", err)
		}
	})
}
