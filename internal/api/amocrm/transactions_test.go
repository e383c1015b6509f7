package amocrm_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// v4CompanionTransactionExample is the POST body example of companion §2.3.
const v4CompanionTransactionExample = `[{"price":123,"created_by":0,"comment":"c","_embedded":{"catalog_elements":[{"id":1677,"metadata":{"catalog_id":1079,"quantity":10}}]}}]`

// v4CompanionTransactionList is the list example of §2.2 without
// _embedded.catalog_elements, which crmd does not keep.
const v4CompanionTransactionList = `{"_page":1,"_links":{"self":{"href":"http://ex.amocrm.ru/api/v4/customers/transactions?filter%5Bid%5D%5B0%5D=134643&page=1&limit=50"}},
 "_embedded":{"transactions":[{"id":134643,"price":123,"comment":null,"completed_at":1591005900,
   "customer_id":1000000158,"created_by":939801,"updated_by":939801,"created_at":1591005900,
   "updated_at":1591005900,"is_deleted":false,"account_id":17079858,
   "_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/customers/1000000158/transactions/134643"}},
   "_embedded":{"customer":{"id":1000000158,"_links":{"self":{"href":"https://ex.amocrm.ru/api/v4/customers/1000000158"}}}}}]}}`

// v4TransactionKeys are the keys of a transaction (§2.1, without catalog elements).
var v4TransactionKeys = []string{"_embedded", "_links", "account_id", "comment", "completed_at", "created_at", "created_by",
	"customer_id", "id", "is_deleted", "price", "updated_at", "updated_by"}

// v4Totals checks a customer's purchase totals.
func v4Totals(t testing.TB, env *crmtest.Env, token string, id, ltv, count, avg int64) map[string]any {
	t.Helper()
	c := v4Get(t, env, token, id, "")
	got := []int64{sgIntOf(t, c, "ltv"), sgIntOf(t, c, "purchases_count"), sgIntOf(t, c, "average_check")}
	if want := []int64{ltv, count, avg}; !reflect.DeepEqual(got, want) {
		t.Errorf("customer %d ltv/purchases_count/average_check %v, want %v", id, got, want)
	}
	return c
}

// TestV4Transactions replays §2.3's example and walks a customer's purchases
// through add, list, get and delete, checking the customer's totals.
func TestV4Transactions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := v4Account(t, env, "Purchases", "periodicity")
		tok := acc.AmoCRMToken
		ids := v4AddCustomers(t, env, tok, `[{"name":"Buyer","next_date":1900000000},{"name":"Other","next_date":1900000000}]`)
		cust, other := ids[0], ids[1]
		base := fmt.Sprintf("%s/%d/transactions", v4Customers, cust)
		before := time.Now().Unix()

		resp := v4Do(t, env, "POST", base, tok, v4CompanionTransactionExample, 200)
		if got := sgKeys(resp); !reflect.DeepEqual(got, []string{"_embedded", "_links"}) {
			t.Errorf("POST answer keys %v", got)
		}
		if got := v4Self(t, resp); got != env.URL+base {
			t.Errorf("POST self %s", got)
		}
		items := v4Items(t, resp, "transactions")
		if len(items) != 1 {
			t.Fatalf("POST answered %v", resp)
		}
		t1 := sgIntOf(t, items[0], "id")
		if got := sgKeys(items[0]); !reflect.DeepEqual(got, []string{"_links", "customer_id", "id", "request_id"}) {
			t.Errorf("item keys %v", got)
		}
		if sgIntOf(t, items[0], "customer_id") != cust || items[0]["request_id"] != "0" {
			t.Errorf("item %v", items[0])
		}
		if got, want := v4Self(t, items[0]), fmt.Sprintf("%s%s/%d", env.URL, base, t1); got != want {
			t.Errorf("item self %s, want %s", got, want)
		}
		v4Totals(t, env, tok, cust, 123, 1, 123)

		// next_price and next_date sent with a purchase become the customer's.
		items = v4Items(t, v4Do(t, env, "POST", base, tok,
			`[{"price":77,"next_price":500,"next_date":1950000000,"completed_at":1700000000,"request_id":"r"}]`, 200), "transactions")
		t2 := sgIntOf(t, items[0], "id")
		if items[0]["request_id"] != "r" {
			t.Errorf("request_id %v", items[0]["request_id"])
		}
		c := v4Totals(t, env, tok, cust, 200, 2, 100)
		if sgIntOf(t, c, "next_price") != 500 || sgIntOf(t, c, "next_date") != 1950000000 {
			t.Errorf("next_price/next_date after the purchase: %v %v", c["next_price"], c["next_date"])
		}
		otherT := sgIntOf(t, v4Items(t, v4Do(t, env, "POST", fmt.Sprintf("%s/%d/transactions", v4Customers, other), tok,
			`[{"price":1000},{"price":2000,"comment":"second"}]`, 200), "transactions")[0], "id")
		v4Totals(t, env, tok, other, 3000, 2, 1500)

		// The list of one customer's purchases, newest first, against §2.2's example.
		// (The example's comment is null, as t2's is.)
		sgShape(t, "list", sgDecode(t, v4CompanionTransactionList), v4Do(t, env, "GET", fmt.Sprintf("%s?filter[id][0]=%d", base, t2), tok, "", 200))
		page := v4Do(t, env, "GET", base, tok, "", 200)
		list := v4Items(t, page, "transactions")
		if got := v4IDs(t, list); !reflect.DeepEqual(got, []int64{t2, t1}) {
			t.Fatalf("customer's transactions %v, want [%d %d]", got, t2, t1)
		}
		for _, tr := range list {
			if got := sgKeys(tr); !reflect.DeepEqual(got, v4TransactionKeys) {
				t.Errorf("transaction keys %v", got)
			}
		}
		first := list[1]
		v4Equal(t, "first transaction", map[string]any{"price": first["price"], "comment": first["comment"], "customer_id": first["customer_id"],
			"created_by": first["created_by"], "is_deleted": first["is_deleted"], "account_id": first["account_id"]},
			fmt.Sprintf(`{"price":123,"comment":"c","customer_id":%d,"created_by":0,"is_deleted":false,"account_id":%d}`, cust, acc.AccountID))
		if ts := sgIntOf(t, first, "completed_at"); ts < before-1 || ts > time.Now().Unix()+1 {
			t.Errorf("completed_at %d, want now", ts)
		}
		if sgIntOf(t, first, "updated_by") != acc.UserID {
			t.Errorf("updated_by %v", first["updated_by"])
		}
		v4Equal(t, "first _embedded", first["_embedded"], fmt.Sprintf(`{"customer":{"id":%d,"_links":{"self":{"href":"%s/api/v4/customers/%d"}}}}`, cust, env.URL, cust))
		if got, want := v4Self(t, first), fmt.Sprintf("%s%s/%d", env.URL, base, t1); got != want {
			t.Errorf("self %s, want %s", got, want)
		}
		second := list[0]
		if second["comment"] != nil || sgIntOf(t, second, "completed_at") != 1700000000 || sgIntOf(t, second, "created_by") != acc.UserID {
			t.Errorf("second transaction %v", second)
		}

		// The account-wide list, its filters and paging.
		allPage := v4Do(t, env, "GET", v4Customers+"/transactions", tok, "", 200)
		if got := len(v4Items(t, allPage, "transactions")); got != 4 || sgIntOf(t, allPage, "_total_items") != 4 {
			t.Errorf("all transactions: %d items, total %v", got, allPage["_total_items"])
		}
		for query, want := range map[string][]int64{
			fmt.Sprintf("?filter[id]=%d", t1):                           {t1},
			fmt.Sprintf("?filter[id][]=%d&filter[id][]=%d", t1, otherT): {otherT, t1},
			fmt.Sprintf("?filter[id][0]=%d", t2):                        {t2},
		} {
			got := v4IDs(t, v4Items(t, v4Do(t, env, "GET", v4Customers+"/transactions"+query, tok, "", 200), "transactions"))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %v, want %v", query, got, want)
			}
		}
		got := v4IDs(t, v4Items(t, v4Do(t, env, "GET", fmt.Sprintf("%s?filter[id]=%d", base, otherT), tok, "", 200), "transactions"))
		if len(got) != 0 {
			t.Errorf("another customer's transaction in this customer's list: %v", got)
		}
		p1 := v4Do(t, env, "GET", v4Customers+"/transactions?limit=3", tok, "", 200)
		if next := sgHref(t, p1, "next"); next != env.URL+v4Customers+"/transactions?page=2&limit=3" {
			t.Errorf("next %s", next)
		}
		p2 := v4Do(t, env, "GET", v4Customers+"/transactions?limit=3&page=2", tok, "", 200)
		if n := len(v4Items(t, p2, "transactions")); n != 1 || sgIntOf(t, p2, "_page") != 2 {
			t.Errorf("page 2: %v", p2)
		}
		if _, ok := p2["_links"].(map[string]any)["next"]; ok {
			t.Errorf("last page has next")
		}
		for _, q := range []string{"?limit=251", "?filter[customer_id]=1", "?filter[id]=x", "?page=0"} {
			sgProblem(t, env.Do(t, "GET", v4Customers+"/transactions"+q, tok, ""), http.StatusBadRequest)
		}

		// One transaction by either path; another customer's path does not find it.
		a := v4Do(t, env, "GET", fmt.Sprintf("%s/transactions/%d", v4Customers, t1), tok, "", 200)
		b := v4Do(t, env, "GET", fmt.Sprintf("%s/%d", base, t1), tok, "", 200)
		if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, first) {
			t.Errorf("GET by id differ:\n%v\n%v\n%v", a, b, first)
		}
		sgProblem(t, env.Do(t, "GET", fmt.Sprintf("%s/%d/transactions/%d", v4Customers, other, t1), tok, ""), 404)
		sgProblem(t, env.Do(t, "GET", fmt.Sprintf("%s/transactions/99999999", v4Customers), tok, ""), 404)
		sgProblem(t, env.Do(t, "DELETE", fmt.Sprintf("%s/%d/transactions/%d", v4Customers, other, t1), tok, ""), 404)

		// Deleting purchases recomputes the totals.
		v4Do(t, env, "DELETE", fmt.Sprintf("%s/transactions/%d", v4Customers, t1), tok, "", 204)
		v4Totals(t, env, tok, cust, 77, 1, 77)
		v4Do(t, env, "DELETE", fmt.Sprintf("%s/%d", base, t2), tok, "", 204)
		v4Totals(t, env, tok, cust, 0, 0, 0)
		sgProblem(t, env.Do(t, "DELETE", fmt.Sprintf("%s/transactions/%d", v4Customers, t1), tok, ""), 404)
		v4Totals(t, env, tok, other, 3000, 2, 1500)
		if got := v4Items(t, v4Do(t, env, "GET", base, tok, "", 200), "transactions"); len(got) != 0 {
			t.Errorf("transactions left: %v", got)
		}
	})
}

// TestV4TransactionsNextDate checks that a purchase without next_date moves
// next_date on by the customer's periodicity (the domain's rule), and that
// one with next_date sets it.
func TestV4TransactionsNextDate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Next date", "periodicity").AmoCRMToken
		now := time.Now().Unix()
		id := v4AddCustomer(t, env, tok, fmt.Sprintf(`{"name":"P","next_date":%d,"periodicity":30}`, now-86400))
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/transactions", v4Customers, id), tok, fmt.Sprintf(`[{"price":10,"completed_at":%d}]`, now), 200)
		if got := sgIntOf(t, v4Get(t, env, tok, id, ""), "next_date"); got != now+30*86400 {
			t.Errorf("next_date %d, want %d (completed_at + 30 days)", got, now+30*86400)
		}
		v4Do(t, env, "POST", fmt.Sprintf("%s/%d/transactions", v4Customers, id), tok, `[{"price":10,"next_date":2000000000}]`, 200)
		if got := sgIntOf(t, v4Get(t, env, tok, id, ""), "next_date"); got != 2000000000 {
			t.Errorf("next_date %d, want 2000000000", got)
		}
	})
}

// TestV4TransactionsErrors checks validation, 404 and 422 of the
// transactions endpoints.
func TestV4TransactionsErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tok := v4Account(t, env, "Purchase errors", "segments").AmoCRMToken
		id := v4AddCustomer(t, env, tok, `{"name":"P"}`)
		base := fmt.Sprintf("%s/%d/transactions", v4Customers, id)
		sgViolations(t, env.Do(t, "POST", base, tok, `[{"comment":"no price"}]`), sgViolation{"0", "FieldMissing", "price"})
		sgViolations(t, env.Do(t, "POST", base, tok, `[{"price":1},{"price":"ten","request_id":"b"}]`), sgViolation{"b", "InvalidType", "price"})
		sgViolations(t, env.Do(t, "POST", base, tok, `[{"price":-5,"next_price":-1}]`),
			sgViolation{"0", "OutOfRange", "price"}, sgViolation{"0", "OutOfRange", "next_price"})
		sgViolations(t, env.Do(t, "POST", base, tok, `[{"price":5,"created_by":99999999}]`), sgViolation{"0", "NotSupportedChoice", "created_by"})
		sgViolations(t, env.Do(t, "POST", base, tok, `[{"price":5,"comment":7,"completed_at":"today"}]`),
			sgViolation{"0", "InvalidType", "comment"}, sgViolation{"0", "InvalidType", "completed_at"})
		sgViolations(t, env.Do(t, "POST", base, tok, `{"price":5}`), sgViolation{"0", "InvalidType", ""})
		sgViolations(t, env.Do(t, "POST", base, tok, `[]`), sgViolation{"0", "FieldMissing", ""})
		sgProblem(t, env.Do(t, "POST", base, tok, `[{"price":`), http.StatusBadRequest)
		sgProblem(t, env.Do(t, "POST", base, tok, `[{"comment":"`+strings.Repeat("x", 1<<20)+`"}]`), http.StatusRequestEntityTooLarge)
		sgProblem(t, env.Do(t, "POST", v4Customers+"/99999999/transactions", tok, `[{"price":1}]`), http.StatusNotFound)
		sgProblem(t, env.Do(t, "POST", v4Customers+"/x/transactions", tok, `[{"price":1}]`), http.StatusNotFound)
		v4Totals(t, env, tok, id, 0, 0, 0)
		for _, p := range []string{v4Customers + "/transactions", base, v4Customers + "/transactions/1"} {
			sgProblem(t, env.Do(t, "GET", p, "", ""), http.StatusUnauthorized)
		}
		sgProblem(t, env.Do(t, "DELETE", v4Customers+"/transactions/1", "bad", ""), http.StatusUnauthorized)

		sgSetMode(t, env, tok, "segments", false)
		for _, p := range []struct{ method, path, body string }{
			{"GET", v4Customers + "/transactions", ""},
			{"GET", v4Customers + "/transactions/1", ""},
			{"POST", base, `[{"price":1}]`},
			{"DELETE", v4Customers + "/transactions/1", ""},
		} {
			sgProblem(t, env.Do(t, p.method, p.path, tok, p.body), http.StatusUnprocessableEntity)
		}
	})
}
