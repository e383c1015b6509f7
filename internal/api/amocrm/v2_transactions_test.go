package amocrm_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of amoCRM API v2 transactions (seed 001).

const (
	v2tSeedTransactionAdd = `{"add":[{"customer_id":"466791","date":"1507582800","price":"15000","comment":"Everything went well",
"next_date":"1508878800","next_price":"20000"}]}`
	v2tSeedTransactionComment = `{"update":[{"transaction_id":"5396","comment":"Draw up a contract"}]}`
	v2tSeedTransactionDelete  = `{"delete":["4589","4588","4587"]}`
)

// v2tTransactionKeys are exactly the keys of a transaction in the seed's list example.
var v2tTransactionKeys = []string{"id", "created_by", "created_at", "updated_at", "account_id", "updated_by", "is_deleted",
	"comment", "price", "date", "customer", "_links"}

// v2tCheckTransactionItem checks a written transaction: exactly id and
// _links, as the seed's add and update examples.
func v2tCheckTransactionItem(t testing.TB, it map[string]any) int64 {
	t.Helper()
	v2tKeys(t, it, "transaction item", "id", "_links")
	id := v2tInt(t, it["id"], "id")
	v2tGetLink(t, it, "/api/v2/transactions?id="+v2tItoa(id))
	return id
}

func v2tTransactions(t testing.TB, a *v2tAccount, query string) []map[string]any {
	t.Helper()
	resp := a.do(t, http.MethodGet, "/api/v2/transactions"+query, "")
	if resp.Status == http.StatusNoContent {
		v2tNoContent(t, resp)
		return nil
	}
	return v2tItems(t, v2tOK(t, resp, "/api/v2/transactions", "get"))
}

func v2tAddTransaction(t testing.TB, a *v2tAccount, fields string) int64 {
	t.Helper()
	items := v2tItems(t, v2tOK(t, a.do(t, http.MethodPost, "/api/v2/transactions", `{"add":[{`+fields+`}]}`), "/api/v2/transactions", "post"))
	if len(items) != 1 {
		t.Fatalf("add answered %d items", len(items))
	}
	return v2tCheckTransactionItem(t, items[0])
}

// TestV2TransactionsSeedExamples replays the seed's transaction examples:
// add, the comment update, the list by customer_id and the delete.
func TestV2TransactionsSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Transactions")
		cust := v2tAdd(t, a, `"name":"Catherine","next_date":1508000000,"next_price":1`)
		start := time.Now().Unix()

		// Add: items [{id,_links}] exactly.
		emb := v2tOK(t, a.do(t, http.MethodPost, "/api/v2/transactions", strings.ReplaceAll(v2tSeedTransactionAdd, "466791", v2tItoa(cust))),
			"/api/v2/transactions", "post")
		v2tKeys(t, emb, "_embedded", "items")
		items := v2tItems(t, emb)
		if len(items) != 1 {
			t.Fatalf("add answered %d items", len(items))
		}
		first := v2tCheckTransactionItem(t, items[0])
		// The purchase moved the customer on to next_date/next_price.
		c := v2tCustomer(t, a, cust)
		v2tWant(t, c, "next_date", 1508878800)
		v2tWant(t, c, "next_price", 20000)

		// The list example's second transaction.
		second := v2tAddTransaction(t, a, fmt.Sprintf(`"customer_id":%d,"date":1508360400,"price":55555`, cust))

		// Comment update: items [{id,_links}].
		emb = v2tOK(t, a.do(t, http.MethodPost, "/api/v2/transactions", strings.ReplaceAll(v2tSeedTransactionComment, "5396", v2tItoa(first))),
			"/api/v2/transactions", "post")
		v2tKeys(t, emb, "_embedded", "items")
		items = v2tItems(t, emb)
		if len(items) != 1 || v2tCheckTransactionItem(t, items[0]) != first {
			t.Fatalf("comment update answered %v", items)
		}

		// The list example: ?limit_rows=50&customer_id=…, newest first.
		list := v2tTransactions(t, a, fmt.Sprintf("?limit_rows=50&customer_id=%d", cust))
		if got := v2tIDs(t, list); len(got) != 2 || got[0] != second || got[1] != first {
			t.Fatalf("list ids %v, want [%d %d]", got, second, first)
		}
		for i, want := range []struct {
			id          int64
			comment     string
			price, date int64
		}{{second, "", 55555, 1508360400}, {first, "Draw up a contract", 15000, 1507582800}} {
			tr := list[i]
			v2tKeys(t, tr, "transaction", v2tTransactionKeys...)
			v2tWant(t, tr, "id", want.id)
			v2tWant(t, tr, "created_by", a.userID)
			if ca := v2tInt(t, tr["created_at"], "created_at"); ca < start-2 || ca > time.Now().Unix()+2 {
				t.Errorf("created_at %d, want now", ca)
			}
			v2tInt(t, tr["updated_at"], "updated_at")
			v2tWant(t, tr, "account_id", a.accountID)
			v2tWant(t, tr, "updated_by", a.userID)
			v2tWant(t, tr, "is_deleted", false)
			v2tWant(t, tr, "comment", want.comment)
			v2tWant(t, tr, "price", want.price)
			v2tWant(t, tr, "date", want.date)
			cu := v2tObj(t, tr["customer"], "customer")
			v2tKeys(t, cu, "customer", "id", "_links")
			v2tWant(t, cu, "id", cust)
			v2tGetLink(t, cu, "/api/v2/customers?id="+v2tItoa(cust))
			v2tGetLink(t, tr, "/api/v2/transactions?id="+v2tItoa(want.id))
		}

		// Delete (the seed's three ids: two of ours and an unknown one).
		body := strings.NewReplacer("4589", v2tItoa(first), "4588", v2tItoa(second), "4587", "999999999").Replace(v2tSeedTransactionDelete)
		emb = v2tOK(t, a.do(t, http.MethodPost, "/api/v2/transactions", body), "/api/v2/transactions", "post")
		v2tKeys(t, emb, "_embedded", "items")
		inner := v2tObj(t, emb["items"], "_embedded.items")
		v2tKeys(t, inner, "_embedded.items", "deleted")
		deleted := v2tArr(t, inner["deleted"], "deleted")
		if len(deleted) != 2 {
			t.Fatalf("deleted %v, want 2", deleted)
		}
		for i, id := range []int64{first, second} {
			d := v2tObj(t, deleted[i], "deleted")
			v2tKeys(t, d, "deleted", "id")
			v2tWant(t, d, "id", id)
		}
		if list := v2tTransactions(t, a, fmt.Sprintf("?customer_id=%d", cust)); list != nil {
			t.Errorf("transactions left after delete: %v", list)
		}
	})
}

// TestV2TransactionsForms: "comments" as the table names it, mixed
// sections, the list's id/customer_id/limit parameters and bad input.
func TestV2TransactionsForms(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Transaction forms")
		c1 := v2tAdd(t, a, `"name":"c1","next_date":1508000000`)
		c2 := v2tAdd(t, a, `"name":"c2","next_date":1508000000`)
		var ids []int64
		for i := 0; i < 4; i++ {
			ids = append(ids, v2tAddTransaction(t, a, fmt.Sprintf(`"customer_id":"%d","price":"%d","date":%d`, c1, 100+i, 1500000000+i)))
		}
		t2 := v2tAddTransaction(t, a, fmt.Sprintf(`"customer_id":%d,"price":7`, c2))
		if d := v2tInt(t, v2tTransactions(t, a, "?id="+v2tItoa(t2))[0]["date"], "date"); time.Now().Unix()-d > 5 {
			t.Errorf("date defaults to now, got %d", d)
		}

		// "comments" (the parameter table's name) works like "comment".
		v2tOK(t, a.do(t, http.MethodPost, "/api/v2/transactions", fmt.Sprintf(`{"update":[{"transaction_id":%d,"comments":"via comments"}]}`, ids[0])),
			"/api/v2/transactions", "post")
		v2tWant(t, v2tTransactions(t, a, "?id="+v2tItoa(ids[0]))[0], "comment", "via comments")

		// Mixed: add, update and delete; deleted under _embedded.deleted.
		body := fmt.Sprintf(`{"add":[{"customer_id":%d,"price":1}],"update":[{"transaction_id":"%d","comment":"c"}],"delete":[%d]}`, c2, ids[1], t2)
		emb := v2tOK(t, a.do(t, http.MethodPost, "/api/v2/transactions", body), "/api/v2/transactions", "post")
		v2tKeys(t, emb, "_embedded", "items", "deleted")
		items := v2tItems(t, emb)
		if len(items) != 2 || v2tCheckTransactionItem(t, items[1]) != ids[1] {
			t.Errorf("items %v, want the added one then %d", items, ids[1])
		}
		added := v2tCheckTransactionItem(t, items[0])
		if d := v2tArr(t, emb["deleted"], "deleted"); len(d) != 1 || v2tInt(t, v2tObj(t, d[0], "deleted")["id"], "id") != t2 {
			t.Errorf("deleted %v, want [%d]", d, t2)
		}

		// List parameters (newest first).
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{added, ids[3], ids[2], ids[1], ids[0]}},
			{"?customer_id=" + v2tItoa(c1), []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"?customer_id=" + v2tItoa(c2), []int64{added}},
			{fmt.Sprintf("?customer_id[]=%d&customer_id[]=%d", c1, c2), []int64{added, ids[3], ids[2], ids[1], ids[0]}},
			{fmt.Sprintf("?id=%d", ids[2]), []int64{ids[2]}},
			{fmt.Sprintf("?id[]=%d&id[]=%d", ids[0], ids[3]), []int64{ids[3], ids[0]}},
			{fmt.Sprintf("?id=%d,%d&customer_id=%d", ids[0], added, c1), []int64{ids[0]}},
			{fmt.Sprintf("?customer_id=%d&limit_rows=2", c1), []int64{ids[3], ids[2]}},
			{fmt.Sprintf("?customer_id=%d&limit_rows=2&limit_offset=2", c1), []int64{ids[1], ids[0]}},
			{fmt.Sprintf("?customer_id=%d&limit_offset=2", c1), []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"?customer_id=999999", nil},
			{"?id=999999", nil},
		} {
			t.Run(tc.query, func(t *testing.T) {
				got := v2tIDs(t, v2tTransactions(t, a, tc.query))
				if fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
					t.Errorf("ids %v, want %v", got, tc.want)
				}
			})
		}

		// Bad queries and bodies.
		for _, q := range []struct{ query, want string }{
			{"?limit_rows=501", "limit_rows"}, {"?limit_rows=-1", "limit_rows"}, {"?customer_id=x", "customer_id"}, {"?id=0", "id"},
		} {
			v2tBad(t, a.do(t, http.MethodGet, "/api/v2/transactions"+q.query, ""), q.want)
		}
		before := v2tJSON(t, v2tTransactions(t, a, ""))
		for _, tc := range []struct{ name, body, want string }{
			{"malformed", `{"add":`, "not valid JSON"},
			{"no section", `{"add":[]}`, "add, update or delete"},
			{"missing customer", `{"add":[{"price":1}]}`, "add.0.customer_id: "},
			{"unknown customer", `{"add":[{"customer_id":999999,"price":1}]}`, "add.0.customer_id: "},
			{"missing price", fmt.Sprintf(`{"add":[{"customer_id":%d,"price":1},{"customer_id":%d}]}`, c1, c1), "add.1.price: "},
			{"negative price", fmt.Sprintf(`{"add":[{"customer_id":%d,"price":-1}]}`, c1), "add.0.price: "},
			{"price not a number", fmt.Sprintf(`{"add":[{"customer_id":%d,"price":"lots"}]}`, c1), "add.0.price: "},
			{"unknown transaction", `{"update":[{"transaction_id":999999,"comment":"x"}]}`, "update.0.transaction_id: "},
			{"missing transaction id", `{"update":[{"comment":"x"}]}`, "update.0.transaction_id: "},
			{"missing comment", fmt.Sprintf(`{"update":[{"transaction_id":%d}]}`, ids[0]), "update.0.comment: "},
			{"bad delete", `{"delete":[{"id":1}]}`, "delete.0: "},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v2tBad(t, a.do(t, http.MethodPost, "/api/v2/transactions", tc.body), tc.want)
			})
		}
		if after := v2tJSON(t, v2tTransactions(t, a, "")); after != before {
			t.Errorf("rejected requests changed the transactions")
		}
	})
}
