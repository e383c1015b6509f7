package amocrm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v4 customer transactions (companion §2). The answers in the
// examples' shapes are golden files, testdata/transaction_*.golden.json.

// companionTransactionExample is the POST body example of companion §2.3.
const companionTransactionExample = `[{"price":123,"created_by":0,"comment":"c","_embedded":{"catalog_elements":[{"id":1677,"metadata":{"catalog_id":1079,"quantity":10}}]}}]`

// transactionMasks mask a transaction's times of writing, which are now.
var transactionMasks = []crmtest.Mask{crmtest.MaskPath("**.created_at", "time"), crmtest.MaskPath("**.updated_at", "time")}

// checkTotals checks a customer's purchase totals.
func checkTotals(t testing.TB, api *crmtest.Client, id int64, ltv, count, avg int) *crmtest.Reply {
	t.Helper()
	return api.Get(t, customerPath(id)).HAL(200).Equal("ltv", ltv).Equal("purchases_count", count).Equal("average_check", avg)
}

// TestV4Transactions replays §2.3's example and walks a customer's purchases
// through add, list, get and delete, checking the customer's totals.
func TestV4Transactions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Purchases", "periodicity")
		api := acc.api
		ids := addCustomers(t, api, `[{"name":"Buyer","next_date":1900000000},{"name":"Other","next_date":1900000000}]`)
		cust, other := ids[0], ids[1]
		base := customerPath(cust) + "/transactions"
		all := customersPath + "/transactions"
		before := time.Now().Unix()

		// The answer: _embedded and _links; items of _links, customer_id, id
		// and request_id.
		t1 := api.Post(t, base, companionTransactionExample).HAL(200).Golden("transaction_add_example").Int("_embedded.transactions.0.id")
		checkTotals(t, api, cust, 123, 1, 123)

		// next_price and next_date sent with a purchase become the customer's.
		t2 := api.Post(t, base, `[{"price":77,"next_price":500,"next_date":1950000000,"completed_at":1700000000,"request_id":"r"}]`).HAL(200).
			Equal("_embedded.transactions.0.request_id", "r").Int("_embedded.transactions.0.id")
		checkTotals(t, api, cust, 200, 2, 100).Equal("next_price", 500).Equal("next_date", 1950000000)
		otherT := api.Post(t, customerPath(other)+"/transactions", `[{"price":1000},{"price":2000,"comment":"second"}]`).HAL(200).
			Int("_embedded.transactions.0.id")
		checkTotals(t, api, other, 3000, 2, 1500)

		// The list of one customer's purchases, newest first, in §2.2's
		// example's shape (less the catalog elements crmd does not keep; the
		// example's comment is null, as t2's is).
		api.Get(t, fmt.Sprintf("%s?filter[id][0]=%d", base, t2)).HAL(200).Golden("transaction_list_example", transactionMasks...)
		// The first: the example's values, completed now by the token's user.
		list := api.Get(t, base).HAL(200).Equal("_embedded.transactions.*.id", []int64{t2, t1}).
			GoldenAt("_embedded.transactions.1", "transaction_first", append(transactionMasks, crmtest.MaskPath("completed_at", "time"))...)
		first := list.Sub("_embedded.transactions.1").
			Equal("account_id", acc.AccountID).Equal("updated_by", acc.UserID).Equal("customer_id", cust)
		if ts := first.Int("completed_at"); ts < before-1 || ts > time.Now().Unix()+1 {
			t.Errorf("completed_at %d, want now", ts)
		}
		list.Equal("_embedded.transactions.0.comment", nil).Equal("_embedded.transactions.0.completed_at", 1700000000).
			Equal("_embedded.transactions.0.created_by", acc.UserID)

		// The account-wide list, its filters and paging.
		if n := len(api.Get(t, all).HAL(200).Equal("_total_items", 4).List("_embedded.transactions")); n != 4 {
			t.Errorf("all transactions: %d items, want 4", n)
		}
		for query, want := range map[string][]int64{
			fmt.Sprintf("?filter[id]=%d", t1):                           {t1},
			fmt.Sprintf("?filter[id][]=%d&filter[id][]=%d", t1, otherT): {otherT, t1},
			fmt.Sprintf("?filter[id][0]=%d", t2):                        {t2},
		} {
			api.Get(t, all+query).HAL(200).Equal("_embedded.transactions.*.id", want)
		}
		// Another customer's transaction is not in this customer's list.
		nothing(api.Get(t, fmt.Sprintf("%s?filter[id]=%d", base, otherT)))
		api.Get(t, all+"?limit=3").HAL(200).Equal("_links.next.href", env.URL+all+"?page=2&limit=3")
		if p2 := api.Get(t, all+"?limit=3&page=2").HAL(200).Equal("_page", 2); len(p2.List("_embedded.transactions")) != 1 || p2.Has("_links.next") {
			t.Errorf("page 2: %s", p2.Body)
		}
		for _, q := range []string{"?limit=251", "?filter[customer_id]=1", "?filter[id]=x", "?page=0"} {
			api.Get(t, all+q).Problem(400)
		}

		// One transaction by either path; another customer's path does not find it.
		api.Get(t, fmt.Sprintf("%s/%d", all, t1)).HAL(200).Equal("", first.V)
		api.Get(t, fmt.Sprintf("%s/%d", base, t1)).HAL(200).Equal("", first.V)
		nothing(api.Get(t, fmt.Sprintf("%s/transactions/%d", customerPath(other), t1)))
		nothing(api.Get(t, all+"/99999999"))
		api.Delete(t, fmt.Sprintf("%s/transactions/%d", customerPath(other), t1)).Problem(404)

		// Deleting purchases recomputes the totals.
		api.Delete(t, fmt.Sprintf("%s/%d", all, t1)).HAL(204)
		checkTotals(t, api, cust, 77, 1, 77)
		api.Delete(t, fmt.Sprintf("%s/%d", base, t2)).HAL(204)
		checkTotals(t, api, cust, 0, 0, 0)
		api.Delete(t, fmt.Sprintf("%s/%d", all, t1)).Problem(404)
		checkTotals(t, api, other, 3000, 2, 1500)
		nothing(api.Get(t, base))
	})
}

// TestV4TransactionsNextDate checks that a purchase without next_date moves
// next_date on by the customer's periodicity (the domain's rule), and that
// one with next_date sets it.
func TestV4TransactionsNextDate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Next date", "periodicity").api
		now := time.Now().Unix()
		id := addCustomer(t, api, fmt.Sprintf(`{"name":"P","next_date":%d,"periodicity":30}`, now-86400))
		api.Post(t, customerPath(id)+"/transactions", fmt.Sprintf(`[{"price":10,"completed_at":%d}]`, now)).HAL(200)
		api.Get(t, customerPath(id)).HAL(200).Equal("next_date", now+30*86400) // completed_at + 30 days
		api.Post(t, customerPath(id)+"/transactions", `[{"price":10,"next_date":2000000000}]`).HAL(200)
		api.Get(t, customerPath(id)).HAL(200).Equal("next_date", 2000000000)
	})
}

// TestV4TransactionsErrors checks validation, 404 and 422 of the
// transactions endpoints.
func TestV4TransactionsErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		api := newAccount(t, env, "Purchase errors", "segments").api
		id := addCustomer(t, api, `{"name":"P"}`)
		base := customerPath(id) + "/transactions"
		v := crmtest.Violated
		api.Post(t, base, `[{"comment":"no price"}]`).WantViolations(v("0", "FieldMissing", "price"))
		api.Post(t, base, `[{"price":1},{"price":"ten","request_id":"b"}]`).WantViolations(v("b", "InvalidType", "price"))
		api.Post(t, base, `[{"price":-5,"next_price":-1}]`).WantViolations(v("0", "OutOfRange", "price"), v("0", "OutOfRange", "next_price"))
		api.Post(t, base, `[{"price":5,"created_by":99999999}]`).WantViolations(v("0", "NotSupportedChoice", "created_by"))
		api.Post(t, base, `[{"price":5,"comment":7,"completed_at":"today"}]`).
			WantViolations(v("0", "InvalidType", "comment"), v("0", "InvalidType", "completed_at"))
		api.Post(t, base, `{"price":5}`).WantViolations(v("0", "InvalidType", ""))
		api.Post(t, base, `[]`).WantViolations(v("0", "FieldMissing", ""))
		api.Post(t, base, `[{"price":`).Problem(400)
		api.Post(t, base, `[{"comment":"`+strings.Repeat("x", 1<<20)+`"}]`).Problem(413)
		api.Post(t, customersPath+"/99999999/transactions", `[{"price":1}]`).Problem(404)
		api.Post(t, customersPath+"/x/transactions", `[{"price":1}]`).Problem(404)
		checkTotals(t, api, id, 0, 0, 0)
		for _, p := range []string{customersPath + "/transactions", base, customersPath + "/transactions/1"} {
			env.AmoCRM("").Get(t, p).Problem(401)
		}
		env.AmoCRM("bad").Delete(t, customersPath+"/transactions/1").Problem(401)

		setMode(t, api, "segments", false)
		for _, p := range []struct{ method, path, body string }{
			{"GET", customersPath + "/transactions", ""},
			{"GET", customersPath + "/transactions/1", ""},
			{"POST", base, `[{"price":1}]`},
			{"DELETE", customersPath + "/transactions/1", ""},
		} {
			api.Do(t, p.method, p.path, p.body).Problem(422)
		}
	})
}
