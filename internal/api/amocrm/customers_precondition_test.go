package amocrm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of a customer's updated_at as its version (issue 11, item 3): a
// sent updated_at is a precondition in v4 PATCH and v2 update alike, and
// the stored value becomes max(now, previous + 1 s) whatever the client
// sends. The server's clock is frozen where exact values are checked.

// year2100 is 2100-01-01T00:00:00Z.
const year2100 = 4102444800

// freezeClock freezes the server's clock at the current second and returns it.
func freezeClock(env *crmtest.Env) (*limitClock, int64) {
	t0 := time.Now().UTC().Truncate(time.Second)
	return newLimitClock(env, t0), t0.Unix()
}

// updatedAt reads a customer's updated_at through v4.
func updatedAt(t testing.TB, api *crmtest.Client, id int64) int64 {
	t.Helper()
	return api.Get(t, customerPath(id)).HAL(200).Int("updated_at")
}

// conflict checks a v4 stale answer: a 409 problem whose validation-errors
// name exactly the wanted request ids, each with code Conflict at path
// updated_at.
func conflict(t testing.TB, r *crmtest.Reply, requestIDs ...string) {
	t.Helper()
	if d := r.Problem(409).Str("detail"); !strings.HasPrefix(d, staleText) {
		t.Errorf("detail %q, want amoCRM's stale text first", d)
	}
	r.Equal("validation-errors.*.request_id", requestIDs)
	for _, item := range r.List("validation-errors") {
		for _, e := range item.List("errors") {
			if e.Get("code") != "Conflict" || e.Get("path") != "updated_at" {
				t.Errorf("request %v: error %v, want code Conflict at updated_at", item.Get("request_id"), e.V)
			}
		}
	}
}

// v2Update posts one v2 update of a customer based on version seen and
// returns _embedded.
func v2Update(t testing.TB, api *crmtest.Client, id, seen int64, fields string) crmtest.JSON {
	t.Helper()
	return v2OK(t, api.Post(t, v2CustomersPath, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,%s}]}`, id, seen, fields)), v2CustomersPath, "post")
}

// v2Stale checks that a v2 answer refused the update of id as stale.
func v2Stale(t testing.TB, emb crmtest.JSON, id int64) {
	t.Helper()
	emb.EqualJSON("items", `[]`).Equal("errors.update."+itoa(id), staleText)
}

// TestCustomerPreconditionV4ThenV2 is the reproduction: v4 and v2 both
// write the version U1 they read; the second writer must be refused, not
// silently overwrite the first.
func TestCustomerPreconditionV4ThenV2(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "V4 then V2", "segments").api
		id := addCustomer(t, api, `{"name":"Original","next_price":1}`)
		u1 := updatedAt(t, api, id)

		u2 := api.Patch(t, customerPath(id), fmt.Sprintf(`{"name":"By v4","updated_at":%d}`, u1)).HAL(200).Int("updated_at")
		if u2 <= u1 {
			t.Errorf("v4 PATCH kept updated_at %d (read %d): the version did not move on", u2, u1)
		}

		v2Stale(t, v2Update(t, api, id, u1, `"name":"By v2","next_price":99`), id)
		api.Get(t, customerPath(id)).HAL(200).Equal("name", "By v4").Equal("next_price", 1).Equal("updated_at", u2)

		// The other way round: v2 first, then v4 based on the same read.
		v2Update(t, api, id, u2, `"name":"By v2"`)
		conflict(t, api.Patch(t, customerPath(id), fmt.Sprintf(`{"name":"By v4 again","updated_at":%d}`, u2)), "0")
		api.Get(t, customerPath(id)).HAL(200).Equal("name", "By v2")
	})
}

// TestCustomerPreconditionVersion: whatever updated_at a PATCH sends, or
// none, the stored one becomes max(now, previous + 1), in the answer and on
// a re-read; POST may date a customer in the past but not in the future.
func TestCustomerPreconditionVersion(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Version", "segments").api
		clock, t0 := freezeClock(env)
		id := addCustomer(t, api, `{"name":"V"}`)
		if got := updatedAt(t, api, id); got != t0 {
			t.Fatalf("new customer updated_at %d, want now %d", got, t0)
		}

		steps := []struct {
			name, body string
			advance    time.Duration
			want       int64
		}{
			// Year 2100 is no version a client may choose: previous + 1.
			{"updated_at in 2100", fmt.Sprintf(`{"name":"V1","updated_at":%d}`, year2100), 0, t0 + 1},
			// Without updated_at a PATCH still works and moves it on.
			{"no updated_at", `{"name":"V2"}`, 0, t0 + 2},
			{"the current updated_at", fmt.Sprintf(`{"name":"V3","updated_at":%d}`, t0+2), 0, t0 + 3},
			// Once the clock is ahead, it is now.
			{"later, no updated_at", `{"name":"V4"}`, 10 * time.Second, t0 + 10},
			{"later, updated_at in 2100", fmt.Sprintf(`{"name":"V5","updated_at":%d}`, year2100), 5 * time.Second, t0 + 15},
		}
		for _, s := range steps {
			clock.Add(s.advance)
			if got := api.Patch(t, customerPath(id), s.body).HAL(200).Int("updated_at"); got != s.want {
				t.Errorf("%s: answer updated_at %d, want %d", s.name, got, s.want)
			}
			if got := updatedAt(t, api, id); got != s.want {
				t.Errorf("%s: stored updated_at %d, want %d", s.name, got, s.want)
			}
		}

		// The batch PATCH follows the same rule.
		api.Patch(t, customersPath, fmt.Sprintf(`[{"id":%d,"updated_at":%d,"name":"V6"}]`, id, year2100)).HAL(200).
			Equal("_embedded.customers.0.updated_at", t0+16)

		// v2 cannot set it either: an update based on a version "from
		// the future" is not stale, and the version is the server's.
		v2Update(t, api, id, year2100, `"name":"V7"`)
		if got := updatedAt(t, api, id); got != t0+17 {
			t.Errorf("v2 update with 2100: updated_at %d, want %d", got, t0+17)
		}

		// POST keeps a past updated_at (imports), not a future one.
		past := addCustomer(t, api, `{"name":"Imported","created_at":1500000000,"updated_at":1500000100}`)
		if got := updatedAt(t, api, past); got != 1500000100 {
			t.Errorf("POST with a past updated_at stored %d", got)
		}
		future := addCustomer(t, api, fmt.Sprintf(`{"name":"Ahead","updated_at":%d}`, year2100))
		if got, now := updatedAt(t, api, future), t0+15; got != now {
			t.Errorf("POST with updated_at in 2100 stored %d, want now %d", got, now)
		}
		added := v2OK(t, api.Post(t, v2CustomersPath, fmt.Sprintf(`{"add":[{"name":"Ahead v2","updated_at":%d}]}`, year2100)), v2CustomersPath, "post")
		if got := updatedAt(t, api, added.Int("items.0.id")); got != t0+15 {
			t.Errorf("v2 add with updated_at in 2100 stored %d, want now %d", got, t0+15)
		}
	})
}

// TestCustomerPreconditionStale: an updated_at older than the stored one —
// past, 0 or negative — is a 409 conflict and changes nothing.
func TestCustomerPreconditionStale(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Stale v4", "segments").api
		id := addCustomer(t, api, `{"name":"Kept","next_price":5}`)
		u := updatedAt(t, api, id)
		for _, seen := range []int64{u - 1, 1500000000, 0, -1, -9999999999} {
			conflict(t, api.Patch(t, customerPath(id), fmt.Sprintf(`{"name":"Lost","updated_at":%d}`, seen)), "0")
			conflict(t, api.Patch(t, customerPath(id), fmt.Sprintf(`{"next_price":7,"updated_at":%d,"request_id":"mine"}`, seen)), "mine")
			conflict(t, api.Patch(t, customersPath, fmt.Sprintf(`[{"id":%d,"name":"Lost","updated_at":%d}]`, id, seen)), "0")
		}
		api.Get(t, customerPath(id)).HAL(200).Equal("name", "Kept").Equal("next_price", 5).Equal("updated_at", u)

		// v2: 0 is stale too, and an empty updated_at is a missing one,
		// not an update without a precondition.
		v2Stale(t, v2Update(t, api, id, 0, `"name":"Lost"`), id)
		v2Bad(t, api.Post(t, v2CustomersPath, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":"","name":"Lost"}]}`, id)), "update.0.updated_at: ")
		v2Bad(t, api.Post(t, v2CustomersPath, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":null,"name":"Lost"}]}`, id)), "update.0.updated_at: ")
		api.Get(t, customerPath(id)).HAL(200).Equal("name", "Kept")
	})
}

// TestCustomerPreconditionTwoPatches: two v4 integrations PATCH with the
// same read updated_at, even within one second: the second is refused.
func TestCustomerPreconditionTwoPatches(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Two patches", "segments").api
		freezeClock(env) // both writes in the same second
		id := addCustomer(t, api, `{"name":"Shared"}`)
		u1 := updatedAt(t, api, id)
		api.Patch(t, customerPath(id), fmt.Sprintf(`{"name":"First","updated_at":%d}`, u1)).HAL(200)
		conflict(t, api.Patch(t, customerPath(id), fmt.Sprintf(`{"name":"Second","updated_at":%d,"request_id":"second"}`, u1)), "second")
		conflict(t, api.Patch(t, customersPath, fmt.Sprintf(`[{"id":%d,"name":"Second","updated_at":%d,"request_id":"second"}]`, id, u1)), "second")
		api.Get(t, customerPath(id)).HAL(200).Equal("name", "First")
	})
}

// TestCustomerPreconditionBatch: one stale item refuses a PATCH batch as a
// whole: nothing is written, and only the stale items are named.
// Validation errors come before the conflict.
func TestCustomerPreconditionBatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Batch", "segments").api
		ids := addCustomers(t, api, `[{"name":"A"},{"name":"B"},{"name":"C"}]`)
		a, b, c := ids[0], ids[1], ids[2]
		ua, ub, uc := updatedAt(t, api, a), updatedAt(t, api, b), updatedAt(t, api, c)
		before := map[int64]any{}
		for _, id := range ids {
			before[id] = api.Get(t, customerPath(id)).HAL(200).V
		}
		unchanged := func(what string) {
			t.Helper()
			for _, id := range ids {
				crmtest.Equal(t, fmt.Sprintf("customer %d after %s", id, what), api.Get(t, customerPath(id)).HAL(200).V, before[id])
			}
		}

		conflict(t, api.Patch(t, customersPath, fmt.Sprintf(`[
			{"id":%d,"name":"A2","updated_at":%d,"request_id":"a"},
			{"id":%d,"name":"B2","updated_at":%d,"request_id":"b"},
			{"id":%d,"name":"C2","request_id":"c"}]`, a, ua, b, ub-1, c)), "b")
		unchanged("a batch with one stale item")

		// Two stale items, one with its index as request id.
		conflict(t, api.Patch(t, customersPath, fmt.Sprintf(`[
			{"id":%d,"name":"A2","updated_at":%d},
			{"id":%d,"name":"B2","updated_at":%d},
			{"id":%d,"name":"C2","updated_at":1,"request_id":"c"}]`, a, ua-1, b, ub, c)), "0", "c")
		unchanged("a batch with two stale items")

		// Bad input and a stale item: the 400 comes first.
		api.Patch(t, customersPath, fmt.Sprintf(`[
			{"id":%d,"name":"","updated_at":%d,"request_id":"a"},
			{"id":%d,"name":"B2","updated_at":1,"request_id":"b"}]`, a, ua, b)).WantViolations(crmtest.Violated("a", "NotBlank", "name"))
		unchanged("a batch with bad input and a stale item")

		// With every updated_at current, the batch applies.
		items := api.Patch(t, customersPath, fmt.Sprintf(`[
			{"id":%d,"name":"A2","updated_at":%d},{"id":%d,"name":"B2","updated_at":%d},{"id":%d,"name":"C2","updated_at":%d}]`,
			a, ua, b, ub, c, uc)).HAL(200).List("_embedded.customers")
		for i, it := range items {
			id, was := ids[i], []int64{ua, ub, uc}[i]
			if got, stored := it.Int("updated_at"), updatedAt(t, api, id); got <= was || got != stored {
				t.Errorf("customer %d: answer updated_at %d, was %d, stored %d", id, got, was, stored)
			}
		}
	})
}

// TestCustomerPreconditionLinks: a link changes what a v2 update writes
// (company, contacts), so it moves the version on like any write.
func TestCustomerPreconditionLinks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Links version", "segments").api
		freezeClock(env)
		id := addCustomer(t, api, `{"name":"Linked"}`)
		companies := idsOf(api.Post(t, "/api/v4/companies", `[{"name":"Co1"},{"name":"Co2"}]`).HAL(200).List("_embedded.companies"))
		u1 := updatedAt(t, api, id)
		api.Post(t, customerPath(id)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"companies"}]`, companies[0])).HAL(200)
		u2 := updatedAt(t, api, id)
		if u2 != u1+1 {
			t.Errorf("link: updated_at %d -> %d, want %d", u1, u2, u1+1)
		}
		v2Stale(t, v2Update(t, api, id, u1, fmt.Sprintf(`"company_id":%d`, companies[1])), id)
		api.Post(t, customerPath(id)+"/unlink", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"companies"}]`, companies[0])).HAL(204)
		if u3 := updatedAt(t, api, id); u3 != u2+1 {
			t.Errorf("unlink: updated_at %d -> %d, want %d", u2, u3, u2+1)
		}
	})
}

// TestCustomerPreconditionTransactions: adding a purchase moves the
// version on and never back.
func TestCustomerPreconditionTransactions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Transactions version", "segments").api
		freezeClock(env)
		id := addCustomer(t, api, `{"name":"Buyer"}`)
		api.Patch(t, customerPath(id), `{"name":"Buyer 2"}`).HAL(200)
		u1 := updatedAt(t, api, id)
		api.Post(t, customerPath(id)+"/transactions", `[{"price":10}]`).HAL(200)
		if u2 := updatedAt(t, api, id); u2 != u1+1 {
			t.Errorf("transaction: updated_at %d -> %d, want %d", u1, u2, u1+1)
		}
	})
}
