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
		a := ltNewAccount(t, env, "Concurrent")
		spellings := []string{"+7 (499) 322-97-10", "84993229710", "74993229710"}
		type reply struct{ id, parent int64 }
		var (
			mu      sync.Mutex
			replies []reply
			wg      sync.WaitGroup
		)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				path := "lead/set/"
				if i%2 == 0 {
					path = "lead/workset/"
				}
				resp := ltPost(t, env, a.key, path, fmt.Sprintf(`{"method": "create", "values": {"name": "Клиент %d", "phone": %q}}`,
					i, spellings[i%3]))
				if resp.Status != http.StatusOK {
					t.Errorf("%s: HTTP %d %s", path, resp.Status, resp.Body)
					return
				}
				if path == "lead/set/" {
					obj := resp.Object(t)
					mu.Lock()
					replies = append(replies, reply{ltNum(t, obj, "id"), ltNum(t, obj, "parent_id")})
					mu.Unlock()
				}
			}()
		}
		wg.Wait()

		leads := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{"limit": 50}`)), "leads")
		if leads["count"] != "50" {
			t.Fatalf("count %v, want 50", leads["count"])
		}
		var parents []string
		result := ltList(t, leads, "result")
		for _, it := range result {
			if l := it.(map[string]any); l["parent_id"] == "0" {
				parents = append(parents, l["id"].(string))
			}
		}
		if len(parents) != 1 {
			t.Fatalf("%d parent leads %v, want exactly 1", len(parents), parents)
		}
		for _, it := range result {
			l := it.(map[string]any)
			if l["id"] != parents[0] && l["parent_id"] != parents[0] {
				t.Errorf("lead %v has parent_id %v, want %s", l["id"], l["parent_id"], parents[0])
			}
			if l["phone"] != "74993229710" {
				t.Errorf("lead %v phone %v", l["id"], l["phone"])
			}
		}
		if len(replies) != 25 {
			t.Fatalf("%d lead/set replies, want 25", len(replies))
		}
		for _, r := range replies {
			if fmt.Sprint(r.id) != parents[0] && fmt.Sprint(r.parent) != parents[0] {
				t.Errorf("lead/set replied id %d parent_id %d; the parent is %s", r.id, r.parent, parents[0])
			}
		}
		// lead/search finds the parent.
		if f := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/search/", `{"phone": "84993229710"}`)), "leads"); f["id"] != parents[0] {
			t.Errorf("search found %v, want %s", f["id"], parents[0])
		}
	})
}

// TestLeadConcurrentStart starts one lead from 10 goroutines at once:
// exactly one start succeeds, the others are told the lead is taken, and
// exactly one deal exists.
func TestLeadConcurrentStart(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Start race")
		id := ltLead(t, env, a.key, "Гонка", "74993229710", "race@example.com")
		var (
			mu     sync.Mutex
			ok     int
			taken  int
			dealID int64
			wg     sync.WaitGroup
		)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, id, a.admin))
				obj := resp.Object(t)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case resp.Status == http.StatusOK:
					ok++
					dealID = ltNum(t, obj["result"].(map[string]any), "deal_id")
				case resp.Status == http.StatusConflict && obj["message"] == "Лид уже взят в работу":
					taken++
				default:
					t.Errorf("HTTP %d %s", resp.Status, resp.Body)
				}
			}()
		}
		wg.Wait()
		if ok != 1 || taken != 9 {
			t.Fatalf("%d starts succeeded and %d were refused, want 1 and 9", ok, taken)
		}
		deals := ltList(t, ltGet(t, env, a.key, id), "deals")
		if len(deals) != 1 || deals[0] != fmt.Sprint(dealID) {
			t.Errorf("lead deals %v, want [%d]", deals, dealID)
		}
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
