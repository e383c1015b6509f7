package amocrm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of amoCRM API v2 transactions (seed 001). The seed's list
// is a golden file, testdata/v2_transactions_seed.golden.json.

const (
	seedV2TransactionAdd = `{"add":[{"customer_id":"466791","date":"1507582800","price":"15000","comment":"Everything went well",
"next_date":"1508878800","next_price":"20000"}]}`
	seedV2TransactionComment = `{"update":[{"transaction_id":"5396","comment":"Draw up a contract"}]}`
	seedV2TransactionDelete  = `{"delete":["4589","4588","4587"]}`
)

// transactionItem is a written transaction as v2 answers it: exactly id and
// _links, as the seed's add and update examples.
func transactionItem(id int64) map[string]any {
	return map[string]any{"id": id, "_links": selfLink(v2TransactionsPath+"?id="+itoa(id), "get")}
}

// v2Transactions lists transactions; 204 is an empty list.
func v2Transactions(t testing.TB, api *crmtest.Client, query string) crmtest.JSON {
	t.Helper()
	r := api.Get(t, v2TransactionsPath+query)
	if r.Status == 204 {
		v2NoContent(t, r)
		return crmtest.Value(t, []any{})
	}
	return v2OK(t, r, v2TransactionsPath, "get").Sub("items")
}

// v2AddTransaction adds one transaction (fields is the inside of the item
// object) and returns its id.
func v2AddTransaction(t testing.TB, api *crmtest.Client, fields string) int64 {
	t.Helper()
	emb := v2OK(t, api.Post(t, v2TransactionsPath, `{"add":[{`+fields+`}]}`), v2TransactionsPath, "post")
	id := emb.Int("items.0.id")
	emb.Equal("items", []any{transactionItem(id)})
	return id
}

// TestV2TransactionsSeedExamples replays the seed's transaction examples:
// add, the comment update, the list by customer_id and the delete.
func TestV2TransactionsSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Transactions", "")
		cust := v2AddCustomer(t, a.api, `"name":"Catherine","next_date":1508000000,"next_price":1`)
		start := time.Now().Unix()

		// Add: items [{id,_links}] exactly.
		emb := v2OK(t, a.api.Post(t, v2TransactionsPath, strings.ReplaceAll(seedV2TransactionAdd, "466791", itoa(cust))), v2TransactionsPath, "post").
			Keys("", "items")
		first := emb.Int("items.0.id")
		emb.Equal("items", []any{transactionItem(first)})
		// The purchase moved the customer on to next_date/next_price.
		v2Customer(t, a.api, cust).Equal("next_date", 1508878800).Equal("next_price", 20000)

		// The list example's second transaction.
		second := v2AddTransaction(t, a.api, fmt.Sprintf(`"customer_id":%d,"date":1508360400,"price":55555`, cust))

		// Comment update: items [{id,_links}].
		v2OK(t, a.api.Post(t, v2TransactionsPath, strings.ReplaceAll(seedV2TransactionComment, "5396", itoa(first))), v2TransactionsPath, "post").
			Keys("", "items").Equal("items", []any{transactionItem(first)})

		// The list example: ?limit_rows=50&customer_id=…, newest first, made
		// now by the token's user.
		list := v2Transactions(t, a.api, fmt.Sprintf("?limit_rows=50&customer_id=%d", cust)).
			Equal("*.id", []int64{second, first}).Equal("*.created_by", []int64{a.UserID, a.UserID}).
			Golden("v2_transactions_seed", crmtest.MaskPath("*.created_at", "time"), crmtest.MaskPath("*.updated_at", "time"))
		for _, tr := range list.List("") {
			if ca := tr.Int("created_at"); ca < start-2 || ca > time.Now().Unix()+2 {
				t.Errorf("created_at %d, want now", ca)
			}
			tr.Int("updated_at")
		}

		// Delete (the seed's three ids: two of ours and an unknown one).
		body := strings.NewReplacer("4589", itoa(first), "4588", itoa(second), "4587", "999999999").Replace(seedV2TransactionDelete)
		v2OK(t, a.api.Post(t, v2TransactionsPath, body), v2TransactionsPath, "post").
			Equal("", map[string]any{"items": map[string]any{"deleted": []any{map[string]any{"id": first}, map[string]any{"id": second}}}})
		v2NoContent(t, a.api.Get(t, fmt.Sprintf("%s?customer_id=%d", v2TransactionsPath, cust))) // none left
	})
}

// TestV2TransactionsForms: "comments" as the table names it, mixed
// sections, the list's id/customer_id/limit parameters and bad input.
func TestV2TransactionsForms(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Transaction forms", "")
		c1 := v2AddCustomer(t, a.api, `"name":"c1","next_date":1508000000`)
		c2 := v2AddCustomer(t, a.api, `"name":"c2","next_date":1508000000`)
		var ids []int64
		for i := 0; i < 4; i++ {
			ids = append(ids, v2AddTransaction(t, a.api, fmt.Sprintf(`"customer_id":"%d","price":"%d","date":%d`, c1, 100+i, 1500000000+i)))
		}
		t2 := v2AddTransaction(t, a.api, fmt.Sprintf(`"customer_id":%d,"price":7`, c2))
		if d := v2Transactions(t, a.api, "?id="+itoa(t2)).Int("0.date"); time.Now().Unix()-d > 5 {
			t.Errorf("date defaults to now, got %d", d)
		}

		// "comments" (the parameter table's name) works like "comment".
		v2OK(t, a.api.Post(t, v2TransactionsPath, fmt.Sprintf(`{"update":[{"transaction_id":%d,"comments":"via comments"}]}`, ids[0])), v2TransactionsPath, "post")
		v2Transactions(t, a.api, "?id="+itoa(ids[0])).Equal("0.comment", "via comments")

		// Mixed: add, update and delete; deleted under _embedded.deleted.
		body := fmt.Sprintf(`{"add":[{"customer_id":%d,"price":1}],"update":[{"transaction_id":"%d","comment":"c"}],"delete":[%d]}`, c2, ids[1], t2)
		emb := v2OK(t, a.api.Post(t, v2TransactionsPath, body), v2TransactionsPath, "post").Keys("", "items", "deleted")
		added := emb.Int("items.0.id")
		emb.Equal("items", []any{transactionItem(added), transactionItem(ids[1])}).Equal("deleted.*.id", []int64{t2})

		// List parameters (newest first).
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{added, ids[3], ids[2], ids[1], ids[0]}},
			{"?customer_id=" + itoa(c1), []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"?customer_id=" + itoa(c2), []int64{added}},
			{fmt.Sprintf("?customer_id[]=%d&customer_id[]=%d", c1, c2), []int64{added, ids[3], ids[2], ids[1], ids[0]}},
			{fmt.Sprintf("?id=%d", ids[2]), []int64{ids[2]}},
			{fmt.Sprintf("?id[]=%d&id[]=%d", ids[0], ids[3]), []int64{ids[3], ids[0]}},
			{fmt.Sprintf("?id=%d,%d&customer_id=%d", ids[0], added, c1), []int64{ids[0]}},
			{fmt.Sprintf("?customer_id=%d&limit_rows=2", c1), []int64{ids[3], ids[2]}},
			{fmt.Sprintf("?customer_id=%d&limit_rows=2&limit_offset=2", c1), []int64{ids[1], ids[0]}},
			{fmt.Sprintf("?customer_id=%d&limit_offset=2", c1), []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"?customer_id=999999", []int64{}},
			{"?id=999999", []int64{}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				v2Transactions(t, a.api, tc.query).Equal("*.id", tc.want)
			})
		}

		// Bad queries and bodies.
		for _, q := range []struct{ query, want string }{
			{"?limit_rows=501", "limit_rows"}, {"?limit_rows=-1", "limit_rows"}, {"?customer_id=x", "customer_id"}, {"?id=0", "id"},
		} {
			v2Bad(t, a.api.Get(t, v2TransactionsPath+q.query), q.want)
		}
		before := v2Transactions(t, a.api, "")
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
				v2Bad(t, a.api.Post(t, v2TransactionsPath, tc.body), tc.want)
			})
		}
		crmtest.Equal(t, "transactions after rejected requests", v2Transactions(t, a.api, "").V, before.V)
	})
}
