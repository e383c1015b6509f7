package amocrm_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of amoCRM API v2 customer periods (seed 001).

// The seed's update example; its id is replaced with a period of this account.
const v2tSeedPeriodUpdate = `{"update":[{"period":"5","id":"15563","color":"#000000","sort":"1"}]}`

// v2tPeriod is the comparable part of a listed period.
type v2tPeriod struct {
	id        int64
	typ       string
	period    int64
	color     string
	sort      int64
	beforeBuy int64 // -1: absent
	afterBuy  int64 // -1: absent
}

// v2tCheckPeriods checks every item's shape (keys, the get link) and
// returns them in order.
func v2tCheckPeriods(t testing.TB, items []map[string]any) []v2tPeriod {
	t.Helper()
	var out []v2tPeriod
	for _, it := range items {
		p := v2tPeriod{id: v2tInt(t, it["id"], "id"), period: v2tInt(t, it["period"], "period"), sort: v2tInt(t, it["sort"], "sort"),
			beforeBuy: -1, afterBuy: -1}
		p.typ, _ = it["type"].(string)
		p.color, _ = it["color"].(string)
		keys := []string{"id", "type", "period", "color", "sort", "_links"}
		switch p.typ {
		case "after":
			keys = append(keys, "after_buy")
			p.afterBuy = v2tInt(t, it["after_buy"], "after_buy")
		case "before":
			if _, ok := it["before_buy"]; ok {
				keys = append(keys, "before_buy")
				p.beforeBuy = v2tInt(t, it["before_buy"], "before_buy")
			}
		default:
			t.Errorf("period type %q, want before or after", p.typ)
		}
		v2tKeys(t, it, "period", keys...)
		v2tGetLink(t, it, "/api/v2/customers_periods")
		out = append(out, p)
	}
	return out
}

func v2tPostPeriods(t testing.TB, a *v2tAccount, body string) []v2tPeriod {
	t.Helper()
	emb := v2tOK(t, a.do(t, http.MethodPost, "/api/v2/customers_periods", body), "/api/v2/customers_periods", "post")
	v2tKeys(t, emb, "_embedded", "items")
	return v2tCheckPeriods(t, v2tItems(t, emb))
}

func v2tFindPeriod(t testing.TB, list []v2tPeriod, id int64) v2tPeriod {
	t.Helper()
	for _, p := range list {
		if p.id == id {
			return p
		}
	}
	t.Fatalf("period %d not in %+v", id, list)
	return v2tPeriod{}
}

// TestV2PeriodsSeedExamples replays the seed's period examples: the list,
// the update with "#000000", and the PHP example's full list.
func TestV2PeriodsSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Periods")

		// A new account: "recently purchased" and "expected purchase" before,
		// "did not purchase" after (60 days, #fd5598 as in the seed).
		initial := v2tCheckPeriods(t, v2tPeriods(t, a))
		if len(initial) != 3 {
			t.Fatalf("%d periods, want 3: %+v", len(initial), initial)
		}
		recently, expected, after := initial[0], initial[1], initial[2]
		if recently.typ != "before" || recently.period != 0 || recently.beforeBuy != -1 {
			t.Errorf("recently purchased = %+v", recently)
		}
		if expected.typ != "before" || expected.period != 7 || expected.beforeBuy != 7 || expected.afterBuy != -1 {
			t.Errorf("expected purchase = %+v", expected)
		}
		if after.typ != "after" || after.period != 60 || after.afterBuy != 60 || after.color != "#fd5598" || after.beforeBuy != -1 {
			t.Errorf("after period = %+v", after)
		}

		// Create a regular period (no id), then the seed's update of it.
		list := v2tPostPeriods(t, a, `{"update":[{"period":10,"color":"#fffd7f","sort":1}]}`)
		if len(list) != 4 {
			t.Fatalf("%d periods after adding one, want 4: %+v", len(list), list)
		}
		var regular int64
		for _, p := range list {
			if p.id != recently.id && p.id != expected.id && p.id != after.id {
				regular = p.id
			}
		}
		list = v2tPostPeriods(t, a, strings.ReplaceAll(v2tSeedPeriodUpdate, "15563", v2tItoa(regular)))
		got := v2tFindPeriod(t, list, regular)
		if got.typ != "before" || got.period != 5 || got.color != "#000000" || got.sort != 1 {
			t.Errorf("updated period = %+v, want before, 5 days, #000000, sort 1", got)
		}
		// Days before the purchase add up from the purchase day: expected
		// purchase (7) is nearest, so the 5-day period reaches 12.
		if got.beforeBuy != 12 {
			t.Errorf("before_buy = %d, want 12", got.beforeBuy)
		}
		if len(list) != 4 {
			t.Errorf("system periods left out must stay: %+v", list)
		}
		if after2 := v2tFindPeriod(t, list, after.id); after2 != after {
			t.Errorf("the after period changed: %+v -> %+v", after, after2)
		}
		// The list answers the same.
		if fmt.Sprint(v2tCheckPeriods(t, v2tPeriods(t, a))) != fmt.Sprint(list) {
			t.Errorf("GET differs from the POST answer")
		}

		// The PHP example: a new period and two existing ones by id.
		second := v2tPostPeriods(t, a, fmt.Sprintf(`{"update":[{"id":%d,"period":5,"color":"#000000","sort":1},{"period":60,"color":"#ccc8f9","sort":3}]}`, regular))
		var other int64
		for _, p := range second {
			if p.period == 60 && p.typ == "before" {
				other = p.id
			}
		}
		body := fmt.Sprintf(`{"update":[{"period":10,"color":"#fffd7f","sort":0},{"id":%d,"period":20,"color":"#ffdc7f","sort":1},{"id":"%d","period":"60","color":"#ccc8f9","sort":"2"}]}`,
			regular, other)
		list = v2tPostPeriods(t, a, body)
		if len(list) != 6 {
			t.Fatalf("%d periods, want 6: %+v", len(list), list)
		}
		if p := v2tFindPeriod(t, list, regular); p.period != 20 || p.color != "#ffdc7f" {
			t.Errorf("period %d = %+v", regular, p)
		}
		// Sorted by sort in the answer.
		for i := 1; i < len(list); i++ {
			if list[i].sort < list[i-1].sort {
				t.Errorf("periods not in sort order: %+v", list)
			}
		}

		// A regular period left out is deleted; the after period is editable.
		list = v2tPostPeriods(t, a, fmt.Sprintf(`{"update":[{"id":%d,"period":20,"color":"#ffdc7f","sort":1},{"id":%d,"period":30,"color":"#fd5598","sort":4}]}`,
			regular, after.id))
		if len(list) != 4 {
			t.Errorf("%d periods, want 4 (two regular ones deleted): %+v", len(list), list)
		}
		if p := v2tFindPeriod(t, list, after.id); p.period != 30 || p.afterBuy != 30 {
			t.Errorf("after period = %+v, want 30 days", p)
		}
		// An empty full list deletes every regular period.
		list = v2tPostPeriods(t, a, `{"update":[]}`)
		if len(list) != 3 {
			t.Errorf("%d periods after an empty list, want the 3 system ones", len(list))
		}
	})
}

// TestV2PeriodsRules: at most 10 periods before the purchase, bad input,
// the periodicity mode.
func TestV2PeriodsRules(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Period rules")
		newPeriods := func(n int) string {
			var items []string
			for i := 0; i < n; i++ {
				items = append(items, fmt.Sprintf(`{"period":%d,"color":"#fffeb2","sort":%d}`, i+1, i+1))
			}
			return `{"update":[` + strings.Join(items, ",") + `]}`
		}
		// Two system periods are before the purchase: 8 more make 10.
		if list := v2tPostPeriods(t, a, newPeriods(8)); len(list) != 11 {
			t.Errorf("%d periods, want 11 (10 before + after)", len(list))
		}
		before := v2tJSON(t, v2tPeriods(t, a))
		v2tBad(t, a.do(t, http.MethodPost, "/api/v2/customers_periods", newPeriods(9)), "update: ", "10")

		expected := v2tPeriodID(t, a, "before")
		for _, tc := range []struct{ name, body, want string }{
			{"malformed", `{"update":[`, "not valid JSON"},
			{"missing update", `{}`, "update: "},
			{"update not an array", `{"update":{"period":1}}`, "update: "},
			{"bad colour", `{"update":[{"period":5,"color":"red"}]}`, "update.0.color: "},
			{"zero days", `{"update":[{"period":0}]}`, "update.0.period: "},
			{"days not a number", `{"update":[{"period":"five"}]}`, "update.0.period: "},
			{"new without days", `{"update":[{"color":"#000000"}]}`, "update.0.period: "},
			{"unknown id", `{"update":[{"id":999999,"period":5}]}`, "update.0.id: "},
			{"listed twice", fmt.Sprintf(`{"update":[{"id":%d},{"id":%d}]}`, expected, expected), "update.1.id: "},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v2tBad(t, a.do(t, http.MethodPost, "/api/v2/customers_periods", tc.body), tc.want)
			})
		}
		if after := v2tJSON(t, v2tPeriods(t, a)); after != before {
			t.Errorf("rejected requests changed the periods")
		}

		// Periods exist only in the periodicity mode.
		seg := env.NewAccount(t, "Segments mode")
		if resp := env.Do(t, http.MethodPatch, "/api/v4/customers/mode", seg.AmoCRMToken, `{"mode":"segments","is_enabled":true}`); resp.Status != http.StatusOK {
			t.Fatalf("segments mode: %d %s", resp.Status, resp.Body)
		}
		v2tError(t, env.Do(t, http.MethodGet, "/api/v2/customers_periods", seg.AmoCRMToken, ""), http.StatusUnprocessableEntity, "422")
		v2tError(t, env.Do(t, http.MethodPost, "/api/v2/customers_periods", seg.AmoCRMToken, `{"update":[{"period":5}]}`), http.StatusUnprocessableEntity, "422")
	})
}
