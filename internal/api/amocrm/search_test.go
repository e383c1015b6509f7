package amocrm_test

import (
	"net/url"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestV4CustomersQueryLiteral checks that query is a literal substring on
// both databases: "%", "_" and "\" used to be LIKE wildcards ("%" dropped,
// so query=% listed every customer, and "_" any character) and "\" an
// escape on PostgreSQL only.
func TestV4CustomersQueryLiteral(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Literal", "segments")
		ids := addCustomers(t, a.api, `[{"name":"plain"},{"name":"under_score"},{"name":"100% sure"},
			{"name":"back\\slash"},{"name":"50%_off\\x"},{"name":"50a_off"},{"name":"Ёлка Иванова"}]`)
		under, pct, back, all, decoy, cyr := ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"_", []int64{under, all, decoy}},
			{"r_s", []int64{under}},
			{"%", []int64{pct, all}},
			{`\`, []int64{back, all}},
			{`50%_off\`, []int64{all}},
			{`50%_OFF\X`, []int64{all}},
			{"%%", []int64{}},
			{"%_", []int64{all}},
			{"_%", []int64{}},
			{"ИВАНОВ", []int64{cyr}},
			{"ёлка", []int64{cyr}},
		} {
			if r := a.api.Get(t, customersPath+"?query="+url.QueryEscape(tc.query)); len(tc.want) == 0 {
				nothing(r)
			} else {
				r.HAL(200).Equal("_embedded.customers.*.id", tc.want)
			}
		}
		// Nothing found is an empty list: 204, no body.
		nothing(a.api.Get(t, customersPath+"?query=%25%25"))
	})
}
