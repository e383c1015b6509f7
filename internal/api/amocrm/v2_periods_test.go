package amocrm_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of amoCRM API v2 customer periods (seed 001). The seed's
// lists are golden files, testdata/v2_periods_*.golden.json.

// The seed's update example; its id is replaced with a period of this account.
const seedV2PeriodUpdate = `{"update":[{"period":"5","id":"15563","color":"#000000","sort":"1"}]}`

// checkPeriods checks every period's shape: its keys (after_buy for the
// after period, before_buy where a before period has one) and the get link.
func checkPeriods(t testing.TB, items crmtest.JSON) crmtest.JSON {
	t.Helper()
	for _, p := range items.List("") {
		keys := []string{"id", "type", "period", "color", "sort", "_links"}
		switch typ := p.Str("type"); typ {
		case "after":
			keys = append(keys, "after_buy")
		case "before":
			if p.Has("before_buy") {
				keys = append(keys, "before_buy")
			}
		default:
			t.Errorf("period type %q, want before or after", typ)
		}
		p.Keys("", keys...).Equal("_links", selfLink(v2PeriodsPath, "get"))
		p.Int("id")
		p.Int("period")
		p.Int("sort")
	}
	return items
}

// postPeriods posts a full list of periods and returns the answer's items.
func postPeriods(t testing.TB, api *crmtest.Client, body string) crmtest.JSON {
	t.Helper()
	return checkPeriods(t, v2OK(t, api.Post(t, v2PeriodsPath, body), v2PeriodsPath, "post").Keys("", "items").Sub("items"))
}

// TestV2PeriodsSeedExamples replays the seed's period examples: the list,
// the update with "#000000", and the PHP example's full list.
func TestV2PeriodsSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Periods", "")

		// A new account: "recently purchased" and "expected purchase" before,
		// "did not purchase" after (60 days, #fd5598 as in the seed).
		initial := checkPeriods(t, v2Periods(t, a.api)).Golden("v2_periods_new")
		ids := idsOf(initial.List(""))
		after := initial.Sub("type=after")

		// Create a regular period (no id), then the seed's update of it.
		list := postPeriods(t, a.api, `{"update":[{"period":10,"color":"#fffd7f","sort":1}]}`)
		var regular int64
		for _, id := range idsOf(list.List("")) {
			if !slices.Contains(ids, id) {
				regular = id
			}
		}
		if n := len(list.List("")); n != 4 || regular == 0 {
			t.Fatalf("%d periods after adding one, want 4: %v", n, list.V)
		}
		// The regular period is before, 5 days, #000000, sort 1; days before
		// the purchase add up from the purchase day: expected purchase (7)
		// is nearest, so the 5-day period reaches 12. The system periods left
		// out stay, the after period unchanged.
		list = postPeriods(t, a.api, strings.ReplaceAll(seedV2PeriodUpdate, "15563", itoa(regular))).Golden("v2_periods_seed_update")
		list.Equal("id="+itoa(regular)+".period", 5).Equal("id="+itoa(after.Int("id")), after.V)
		// The list answers the same.
		crmtest.Equal(t, "GET after POST", checkPeriods(t, v2Periods(t, a.api)).V, list.V)

		// The PHP example: a new period and two existing ones by id.
		second := postPeriods(t, a.api, fmt.Sprintf(`{"update":[{"id":%d,"period":5,"color":"#000000","sort":1},{"period":60,"color":"#ccc8f9","sort":3}]}`, regular))
		var other int64
		for _, p := range second.List("") {
			if p.Int("period") == 60 && p.Str("type") == "before" {
				other = p.Int("id")
			}
		}
		body := fmt.Sprintf(`{"update":[{"period":10,"color":"#fffd7f","sort":0},{"id":%d,"period":20,"color":"#ffdc7f","sort":1},{"id":"%d","period":"60","color":"#ccc8f9","sort":"2"}]}`,
			regular, other)
		list = postPeriods(t, a.api, body)
		if n := len(list.List("")); n != 6 {
			t.Fatalf("%d periods, want 6: %v", n, list.V)
		}
		list.Equal("id="+itoa(regular)+".period", 20).Equal("id="+itoa(regular)+".color", "#ffdc7f")
		// Sorted by sort in the answer.
		var sorts []int64
		for _, p := range list.List("") {
			sorts = append(sorts, p.Int("sort"))
		}
		if !slices.IsSorted(sorts) {
			t.Errorf("periods not in sort order: %v", sorts)
		}

		// A regular period left out is deleted; the after period is editable.
		list = postPeriods(t, a.api, fmt.Sprintf(`{"update":[{"id":%d,"period":20,"color":"#ffdc7f","sort":1},{"id":%d,"period":30,"color":"#fd5598","sort":4}]}`,
			regular, after.Int("id")))
		if n := len(list.List("")); n != 4 {
			t.Errorf("%d periods, want 4 (two regular ones deleted): %v", n, list.V)
		}
		list.Equal("id="+itoa(after.Int("id"))+".period", 30).Equal("id="+itoa(after.Int("id"))+".after_buy", 30)
		// An empty full list deletes every regular period.
		if n := len(postPeriods(t, a.api, `{"update":[]}`).List("")); n != 3 {
			t.Errorf("%d periods after an empty list, want the 3 system ones", n)
		}
	})
}

// TestV2PeriodsRules: at most 10 periods before the purchase, bad input,
// the periodicity mode.
func TestV2PeriodsRules(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Period rules", "")
		newPeriods := func(n int) string {
			var items []string
			for i := 0; i < n; i++ {
				items = append(items, fmt.Sprintf(`{"period":%d,"color":"#fffeb2","sort":%d}`, i+1, i+1))
			}
			return `{"update":[` + strings.Join(items, ",") + `]}`
		}
		// Two system periods are before the purchase: 8 more make 10.
		if n := len(postPeriods(t, a.api, newPeriods(8)).List("")); n != 11 {
			t.Errorf("%d periods, want 11 (10 before + after)", n)
		}
		before := v2Periods(t, a.api)
		v2Bad(t, a.api.Post(t, v2PeriodsPath, newPeriods(9)), "update: ", "10")

		expected := v2PeriodID(t, a.api, "before")
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
				v2Bad(t, a.api.Post(t, v2PeriodsPath, tc.body), tc.want)
			})
		}
		crmtest.Equal(t, "periods after rejected requests", v2Periods(t, a.api).V, before.V)

		// Periods exist only in the periodicity mode.
		seg := newAccount(t, env, "Segments mode", "segments").api
		v2Error(t, seg.Get(t, v2PeriodsPath), 422, "422")
		v2Error(t, seg.Post(t, v2PeriodsPath, `{"update":[{"period":5}]}`), 422, "422")
	})
}
