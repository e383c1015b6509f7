package amocrm_test

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestV4CustomersQueryLiteral checks that query is a literal substring on
// both databases: "%", "_" and "\" used to be LIKE wildcards ("%" dropped,
// so query=% listed every customer, and "_" any character) and "\" an
// escape on PostgreSQL only.
func TestV4CustomersQueryLiteral(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := v4Account(t, env, "Literal", "segments")
		tok := acc.AmoCRMToken
		ids := v4AddCustomers(t, env, tok, `[{"name":"plain"},{"name":"under_score"},{"name":"100% sure"},
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
			_, got := v4List(t, env, tok, "?query="+url.QueryEscape(tc.query))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("query %q: %v, want %v", tc.query, got, tc.want)
			}
		}
		// Nothing found is this dialect's empty list: 200, no items.
		page, got := v4List(t, env, tok, "?query=%25%25")
		if len(got) != 0 || sgIntOf(t, page, "_total_items") != 0 {
			t.Errorf("empty answer %v", page)
		}
	})
}
