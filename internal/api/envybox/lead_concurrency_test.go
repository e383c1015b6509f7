package envybox_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestLeadConcurrentSubmissions submits one contact 50 times at once, 25
// through lead/workset and 25 through lead/set, in three spellings of the
// phone: exactly one lead is the parent, and every other has it as parent.
func TestLeadConcurrentSubmissions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Concurrent")
		spellings := []string{"+7 (499) 322-97-10", "84993229710", "74993229710"}
		replies := make([]*crmtest.Reply, 50)
		var wg sync.WaitGroup
		for i := range replies {
			wg.Go(func() {
				path := "lead/set/"
				if i%2 == 0 {
					path = "lead/workset/"
				}
				replies[i] = a.post(t, path, fmt.Sprintf(`{"method": "create", "values": {"name": "Клиент %d", "phone": %q}}`,
					i, spellings[i%3]))
			})
		}
		wg.Wait()

		leads := a.ok(t, "lead/list/", `{"limit": 50}`).Equal("leads.count", "50")
		var parents []string
		result := leads.List("leads.result")
		for _, l := range result {
			if l.Get("parent_id") == "0" {
				parents = append(parents, l.Str("id"))
			}
		}
		if len(parents) != 1 {
			t.Fatalf("%d parent leads %v, want exactly 1", len(parents), parents)
		}
		for _, l := range result {
			if l.Get("id") != parents[0] && l.Get("parent_id") != parents[0] {
				t.Errorf("lead %v has parent_id %v, want %s", l.Get("id"), l.Get("parent_id"), parents[0])
			}
			l.Equal("phone", "74993229710")
		}
		for i, r := range replies {
			success(r)
			if i%2 == 0 {
				continue
			}
			if id, parent := r.Int("id"), r.Int("parent_id"); fmt.Sprint(id) != parents[0] && fmt.Sprint(parent) != parents[0] {
				t.Errorf("lead/set replied id %d parent_id %d; the parent is %s", id, parent, parents[0])
			}
		}
		// lead/search finds the parent.
		a.ok(t, "lead/search/", `{"phone": "84993229710"}`).Equal("leads.id", parents[0])
	})
}

// TestLeadConcurrentStart starts one lead from 10 goroutines at once:
// exactly one start succeeds, the others are told the lead is taken, and
// exactly one deal exists.
func TestLeadConcurrentStart(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Start race")
		id := a.lead(t, "Гонка", "74993229710", "race@example.com")
		replies := make([]*crmtest.Reply, 10)
		var wg sync.WaitGroup
		for i := range replies {
			wg.Go(func() {
				replies[i] = a.post(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, id, a.admin))
			})
		}
		wg.Wait()
		var dealID int64
		ok, taken := 0, 0
		for _, r := range replies {
			if r.Status == http.StatusOK {
				ok++
				dealID = success(r).Int("result.deal_id")
			} else {
				taken++
				refused(t, r, http.StatusConflict, "Лид уже взят в работу")
			}
		}
		if ok != 1 || taken != 9 {
			t.Fatalf("%d starts succeeded and %d were refused, want 1 and 9", ok, taken)
		}
		a.getLead(t, id).Equal("deals", ids(dealID))
		list, total, err := env.Server.Service.Deals(context.Background(), a.actor, crm.DealQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].ID != dealID {
			t.Errorf("%d deals in the account, want the one deal %d", total, dealID)
		}
		if len(list) == 1 && (len(list[0].InboundIDs) != 1 || list[0].InboundIDs[0] != id) {
			t.Errorf("deal linked to leads %v, want [%d]", list[0].InboundIDs, id)
		}
	})
}
