package amocrm_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of a customer's updated_at as its version (issue 11, item 3): a
// sent updated_at is a precondition in v4 PATCH and v2 update alike, and
// the stored value becomes max(now, previous + 1 s) whatever the client
// sends. The server's clock is frozen where exact values are checked.

// pcYear2100 is 2100-01-01T00:00:00Z.
const pcYear2100 = 4102444800

// pcClock freezes the server's clock at the current second and returns it.
func pcClock(env *crmtest.Env) (*limitClock, int64) {
	t0 := time.Now().UTC().Truncate(time.Second)
	return newLimitClock(env, t0), t0.Unix()
}

// pcUpdatedAt reads a customer's updated_at through v4.
func pcUpdatedAt(t testing.TB, env *crmtest.Env, token string, id int64) int64 {
	t.Helper()
	return sgIntOf(t, v4Get(t, env, token, id, ""), "updated_at")
}

// pcPatch sends a v4 PATCH of one customer at /{id}.
func pcPatch(t testing.TB, env *crmtest.Env, token string, id int64, body string) *crmtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPatch, fmt.Sprintf("%s/%d", v4Customers, id), token, body)
}

// pcConflict checks a v4 stale answer: a 409 problem whose validation-errors
// name exactly the wanted request ids, each at path updated_at.
func pcConflict(t testing.TB, resp *crmtest.Response, requestIDs ...string) {
	t.Helper()
	p := sgProblem(t, resp, http.StatusConflict)
	if d, _ := p["detail"].(string); len(d) < len("Last modified date is older than in database") ||
		d[:len("Last modified date is older than in database")] != "Last modified date is older than in database" {
		t.Errorf("detail %q, want amoCRM's stale text first", p["detail"])
	}
	var got []string
	for _, item := range sgArr(t, p["validation-errors"], "validation-errors") {
		it := sgObj(t, item, "validation-errors item")
		rid, _ := it["request_id"].(string)
		got = append(got, rid)
		for _, e := range sgArr(t, it["errors"], "errors") {
			eo := sgObj(t, e, "error")
			if eo["code"] != "Conflict" || eo["path"] != "updated_at" {
				t.Errorf("request %s: error %v, want code Conflict at updated_at", rid, eo)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(requestIDs) {
		t.Errorf("stale request ids %v, want %v", got, requestIDs)
	}
}

// pcV2Update posts one v2 update of a customer and returns _embedded.
func pcV2Update(t testing.TB, env *crmtest.Env, token string, id, seen int64, fields string) map[string]any {
	t.Helper()
	resp := env.Do(t, http.MethodPost, "/api/v2/customers", token,
		fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,%s}]}`, id, seen, fields))
	return v2tOK(t, resp, "/api/v2/customers", "post")
}

// pcV2Stale checks that a v2 answer refused the update of id as stale.
func pcV2Stale(t testing.TB, emb map[string]any, id int64) {
	t.Helper()
	if items := v2tItems(t, emb); len(items) != 0 {
		t.Errorf("stale v2 update applied: items %v", items)
	}
	errs := v2tObj(t, emb["errors"], "errors")
	v2tWant(t, v2tObj(t, errs["update"], "errors.update"), v2tItoa(id), "Last modified date is older than in database")
}

// TestCustomerPreconditionV4ThenV2 is the reproduction: v4 and v2 both
// write the version U1 they read; the second writer must be refused, not
// silently overwrite the first.
func TestCustomerPreconditionV4ThenV2(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "V4 then V2", "segments").AmoCRMToken
		id := v4AddCustomer(t, env, tok, `{"name":"Original","next_price":1}`)
		u1 := pcUpdatedAt(t, env, tok, id)

		one := sgMust(t, pcPatch(t, env, tok, id, fmt.Sprintf(`{"name":"By v4","updated_at":%d}`, u1)), http.StatusOK)
		u2 := sgIntOf(t, one, "updated_at")
		if u2 <= u1 {
			t.Errorf("v4 PATCH kept updated_at %d (read %d): the version did not move on", u2, u1)
		}

		pcV2Stale(t, pcV2Update(t, env, tok, id, u1, `"name":"By v2","next_price":99`), id)
		c := v4Get(t, env, tok, id, "")
		if c["name"] != "By v4" || sgIntOf(t, c, "next_price") != 1 || sgIntOf(t, c, "updated_at") != u2 {
			t.Errorf("after the stale v2 update: name %v, next_price %v, updated_at %v; want By v4, 1, %d",
				c["name"], c["next_price"], c["updated_at"], u2)
		}

		// The other way round: v2 first, then v4 based on the same read.
		pcV2Update(t, env, tok, id, u2, `"name":"By v2"`)
		pcConflict(t, pcPatch(t, env, tok, id, fmt.Sprintf(`{"name":"By v4 again","updated_at":%d}`, u2)), "0")
		if got := v4Get(t, env, tok, id, "")["name"]; got != "By v2" {
			t.Errorf("name %v after the stale v4 PATCH, want By v2", got)
		}
	})
}

// TestCustomerPreconditionVersion: whatever updated_at a PATCH sends, or
// none, the stored one becomes max(now, previous + 1), in the answer and on
// a re-read; POST may date a customer in the past but not in the future.
func TestCustomerPreconditionVersion(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Version", "segments").AmoCRMToken
		clock, t0 := pcClock(env)
		id := v4AddCustomer(t, env, tok, `{"name":"V"}`)
		if got := pcUpdatedAt(t, env, tok, id); got != t0 {
			t.Fatalf("new customer updated_at %d, want now %d", got, t0)
		}

		steps := []struct {
			name, body string
			advance    time.Duration
			want       int64
		}{
			// Year 2100 is no version a client may choose: previous + 1.
			{"updated_at in 2100", fmt.Sprintf(`{"name":"V1","updated_at":%d}`, pcYear2100), 0, t0 + 1},
			// Without updated_at a PATCH still works and moves it on.
			{"no updated_at", `{"name":"V2"}`, 0, t0 + 2},
			{"the current updated_at", fmt.Sprintf(`{"name":"V3","updated_at":%d}`, t0+2), 0, t0 + 3},
			// Once the clock is ahead, it is now.
			{"later, no updated_at", `{"name":"V4"}`, 10 * time.Second, t0 + 10},
			{"later, updated_at in 2100", fmt.Sprintf(`{"name":"V5","updated_at":%d}`, pcYear2100), 5 * time.Second, t0 + 15},
		}
		for _, s := range steps {
			clock.Add(s.advance)
			one := sgMust(t, pcPatch(t, env, tok, id, s.body), http.StatusOK)
			if got := sgIntOf(t, one, "updated_at"); got != s.want {
				t.Errorf("%s: answer updated_at %d, want %d", s.name, got, s.want)
			}
			if got := pcUpdatedAt(t, env, tok, id); got != s.want {
				t.Errorf("%s: stored updated_at %d, want %d", s.name, got, s.want)
			}
		}

		// The batch PATCH follows the same rule.
		resp := v4Do(t, env, http.MethodPatch, v4Customers, tok, fmt.Sprintf(`[{"id":%d,"updated_at":%d,"name":"V6"}]`, id, pcYear2100), 200)
		if got := sgIntOf(t, v4Items(t, resp, "customers")[0], "updated_at"); got != t0+16 {
			t.Errorf("batch PATCH with 2100: updated_at %d, want %d", got, t0+16)
		}

		// v2 cannot set it either: an update based on a version "from
		// the future" is not stale, and the version is the server's.
		pcV2Update(t, env, tok, id, pcYear2100, `"name":"V7"`)
		if got := pcUpdatedAt(t, env, tok, id); got != t0+17 {
			t.Errorf("v2 update with 2100: updated_at %d, want %d", got, t0+17)
		}

		// POST keeps a past updated_at (imports), not a future one.
		past := v4AddCustomer(t, env, tok, `{"name":"Imported","created_at":1500000000,"updated_at":1500000100}`)
		if got := pcUpdatedAt(t, env, tok, past); got != 1500000100 {
			t.Errorf("POST with a past updated_at stored %d", got)
		}
		future := v4AddCustomer(t, env, tok, fmt.Sprintf(`{"name":"Ahead","updated_at":%d}`, pcYear2100))
		if got, now := pcUpdatedAt(t, env, tok, future), t0+15; got != now {
			t.Errorf("POST with updated_at in 2100 stored %d, want now %d", got, now)
		}
		resp2 := env.Do(t, http.MethodPost, "/api/v2/customers", tok, fmt.Sprintf(`{"add":[{"name":"Ahead v2","updated_at":%d}]}`, pcYear2100))
		added := v2tItems(t, v2tOK(t, resp2, "/api/v2/customers", "post"))
		if got := pcUpdatedAt(t, env, tok, v2tInt(t, added[0]["id"], "id")); got != t0+15 {
			t.Errorf("v2 add with updated_at in 2100 stored %d, want now %d", got, t0+15)
		}
	})
}

// TestCustomerPreconditionStale: an updated_at older than the stored one —
// past, 0 or negative — is a 409 conflict and changes nothing.
func TestCustomerPreconditionStale(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Stale v4", "segments").AmoCRMToken
		id := v4AddCustomer(t, env, tok, `{"name":"Kept","next_price":5}`)
		u := pcUpdatedAt(t, env, tok, id)
		for _, seen := range []int64{u - 1, 1500000000, 0, -1, -9999999999} {
			pcConflict(t, pcPatch(t, env, tok, id, fmt.Sprintf(`{"name":"Lost","updated_at":%d}`, seen)), "0")
			pcConflict(t, pcPatch(t, env, tok, id, fmt.Sprintf(`{"next_price":7,"updated_at":%d,"request_id":"mine"}`, seen)), "mine")
			pcConflict(t, env.Do(t, http.MethodPatch, v4Customers, tok, fmt.Sprintf(`[{"id":%d,"name":"Lost","updated_at":%d}]`, id, seen)), "0")
		}
		c := v4Get(t, env, tok, id, "")
		if c["name"] != "Kept" || sgIntOf(t, c, "next_price") != 5 || sgIntOf(t, c, "updated_at") != u {
			t.Errorf("stale PATCHes changed the customer: %v", c)
		}

		// v2: 0 is stale too, and an empty updated_at is a missing one,
		// not an update without a precondition.
		pcV2Stale(t, pcV2Update(t, env, tok, id, 0, `"name":"Lost"`), id)
		v2tBad(t, env.Do(t, http.MethodPost, "/api/v2/customers", tok, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":"","name":"Lost"}]}`, id)),
			"update.0.updated_at: ")
		v2tBad(t, env.Do(t, http.MethodPost, "/api/v2/customers", tok, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":null,"name":"Lost"}]}`, id)),
			"update.0.updated_at: ")
		if got := v4Get(t, env, tok, id, "")["name"]; got != "Kept" {
			t.Errorf("stale v2 updates changed the name to %v", got)
		}
	})
}

// TestCustomerPreconditionTwoPatches: two v4 integrations PATCH with the
// same read updated_at, even within one second: the second is refused.
func TestCustomerPreconditionTwoPatches(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Two patches", "segments").AmoCRMToken
		pcClock(env) // both writes in the same second
		id := v4AddCustomer(t, env, tok, `{"name":"Shared"}`)
		u1 := pcUpdatedAt(t, env, tok, id)
		sgMust(t, pcPatch(t, env, tok, id, fmt.Sprintf(`{"name":"First","updated_at":%d}`, u1)), http.StatusOK)
		pcConflict(t, pcPatch(t, env, tok, id, fmt.Sprintf(`{"name":"Second","updated_at":%d,"request_id":"second"}`, u1)), "second")
		pcConflict(t, env.Do(t, http.MethodPatch, v4Customers, tok,
			fmt.Sprintf(`[{"id":%d,"name":"Second","updated_at":%d,"request_id":"second"}]`, id, u1)), "second")
		if got := v4Get(t, env, tok, id, "")["name"]; got != "First" {
			t.Errorf("name %v, want First", got)
		}
	})
}

// TestCustomerPreconditionBatch: one stale item refuses a PATCH batch as a
// whole: nothing is written, and only the stale items are named.
// Validation errors come before the conflict.
func TestCustomerPreconditionBatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Batch", "segments").AmoCRMToken
		ids := v4AddCustomers(t, env, tok, `[{"name":"A"},{"name":"B"},{"name":"C"}]`)
		a, b, c := ids[0], ids[1], ids[2]
		ua, ub, uc := pcUpdatedAt(t, env, tok, a), pcUpdatedAt(t, env, tok, b), pcUpdatedAt(t, env, tok, c)
		before := map[int64]string{}
		for _, id := range ids {
			before[id] = v2tJSON(t, v4Get(t, env, tok, id, ""))
		}
		unchanged := func(what string) {
			t.Helper()
			for _, id := range ids {
				if got := v2tJSON(t, v4Get(t, env, tok, id, "")); got != before[id] {
					t.Errorf("%s changed customer %d:\nwas %s\nnow %s", what, id, before[id], got)
				}
			}
		}

		pcConflict(t, env.Do(t, http.MethodPatch, v4Customers, tok, fmt.Sprintf(`[
			{"id":%d,"name":"A2","updated_at":%d,"request_id":"a"},
			{"id":%d,"name":"B2","updated_at":%d,"request_id":"b"},
			{"id":%d,"name":"C2","request_id":"c"}]`, a, ua, b, ub-1, c)), "b")
		unchanged("a batch with one stale item")

		// Two stale items, one with its index as request id.
		pcConflict(t, env.Do(t, http.MethodPatch, v4Customers, tok, fmt.Sprintf(`[
			{"id":%d,"name":"A2","updated_at":%d},
			{"id":%d,"name":"B2","updated_at":%d},
			{"id":%d,"name":"C2","updated_at":1,"request_id":"c"}]`, a, ua-1, b, ub, c)), "0", "c")
		unchanged("a batch with two stale items")

		// Bad input and a stale item: the 400 comes first.
		sgViolations(t, env.Do(t, http.MethodPatch, v4Customers, tok, fmt.Sprintf(`[
			{"id":%d,"name":"","updated_at":%d,"request_id":"a"},
			{"id":%d,"name":"B2","updated_at":1,"request_id":"b"}]`, a, ua, b)), sgViolation{"a", "NotBlank", "name"})
		unchanged("a batch with bad input and a stale item")

		// With every updated_at current, the batch applies.
		resp := v4Do(t, env, http.MethodPatch, v4Customers, tok, fmt.Sprintf(`[
			{"id":%d,"name":"A2","updated_at":%d},{"id":%d,"name":"B2","updated_at":%d},{"id":%d,"name":"C2","updated_at":%d}]`,
			a, ua, b, ub, c, uc), 200)
		for i, it := range v4Items(t, resp, "customers") {
			id, was := ids[i], []int64{ua, ub, uc}[i]
			if got := sgIntOf(t, it, "updated_at"); got <= was || got != pcUpdatedAt(t, env, tok, id) {
				t.Errorf("customer %d: answer updated_at %d, was %d, stored %d", id, got, was, pcUpdatedAt(t, env, tok, id))
			}
		}
	})
}

// TestCustomerPreconditionLinks: a link changes what a v2 update writes
// (company, contacts), so it moves the version on like any write.
func TestCustomerPreconditionLinks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Links version", "segments").AmoCRMToken
		pcClock(env)
		id := v4AddCustomer(t, env, tok, `{"name":"Linked"}`)
		companies := v4IDs(t, v4Items(t, v4Do(t, env, "POST", "/api/v4/companies", tok, `[{"name":"Co1"},{"name":"Co2"}]`, 200), "companies"))
		u1 := pcUpdatedAt(t, env, tok, id)
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/link", v4Customers, id), tok,
			fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"companies"}]`, companies[0]), 200)
		u2 := pcUpdatedAt(t, env, tok, id)
		if u2 != u1+1 {
			t.Errorf("link: updated_at %d -> %d, want %d", u1, u2, u1+1)
		}
		pcV2Stale(t, pcV2Update(t, env, tok, id, u1, fmt.Sprintf(`"company_id":%d`, companies[1])), id)
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/unlink", v4Customers, id), tok,
			fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"companies"}]`, companies[0]), http.StatusNoContent)
		if u3 := pcUpdatedAt(t, env, tok, id); u3 != u2+1 {
			t.Errorf("unlink: updated_at %d -> %d, want %d", u2, u3, u2+1)
		}
	})
}

// TestCustomerPreconditionTransactions: adding a purchase moves the
// version on and never back.
func TestCustomerPreconditionTransactions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Transactions version", "segments").AmoCRMToken
		pcClock(env)
		id := v4AddCustomer(t, env, tok, `{"name":"Buyer"}`)
		sgMust(t, pcPatch(t, env, tok, id, `{"name":"Buyer 2"}`), http.StatusOK)
		u1 := pcUpdatedAt(t, env, tok, id)
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/transactions", v4Customers, id), tok, `[{"price":10}]`, 200)
		if u2 := pcUpdatedAt(t, env, tok, id); u2 != u1+1 {
			t.Errorf("transaction: updated_at %d -> %d, want %d", u1, u2, u1+1)
		}
	})
}
