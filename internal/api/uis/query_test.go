package uis_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// queryFixture makes funnels with these ext_ids and names (besides the
// account's default funnel, which is deleted).
var queryFixture = [][2]string{
	{"a1", "Продажи Москва"},
	{"a2", "Продажи СПб"},
	{"b1", "Опт"},
	{"b2", "опт регионы"},
	{"c1", "Розница_100%"},
}

func queryAccount(t *testing.T, env *crmtest.Env) account {
	t.Helper()
	a := newAccount(t, env, "Query")
	def, _ := funnels(t, env, a.token, nil)
	for _, f := range queryFixture {
		okCall(t, env, a.token, "create.sales_funnel", funnel(f[0], f[1], "new"))
	}
	okCall(t, env, a.token, "delete.sales_funnel", map[string]any{"ext_id": def[0].(map[string]any)["ext_id"]})
	return a
}

// TestUISFilters: simple filters with every string operator, trees three
// levels deep, and the documented errors.
func TestUISFilters(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := queryAccount(t, env)
		simple := func(field, op string, value any) map[string]any {
			return map[string]any{"field": field, "operator": op, "value": value}
		}
		tree := func(cond string, filters ...any) map[string]any {
			if filters == nil {
				filters = []any{}
			}
			return map[string]any{"condition": cond, "filters": filters}
		}
		cases := []struct {
			name   string
			filter any
			want   []string
		}{
			{"empty", map[string]any{}, []string{"a1", "a2", "b1", "b2", "c1"}},
			{"=", simple("ext_id", "=", "b1"), []string{"b1"}},
			{"= is case-sensitive", simple("name", "=", "опт"), []string{}},
			{"!=", simple("ext_id", "!=", "b1"), []string{"a1", "a2", "b2", "c1"}},
			{"= null", simple("name", "=", nil), []string{}},
			{"!= null", simple("name", "!=", nil), []string{"a1", "a2", "b1", "b2", "c1"}},
			{"is_null", map[string]any{"field": "ext_id", "operator": "is_null"}, []string{}},
			{"is_not_null", map[string]any{"field": "ext_id", "operator": "is_not_null", "value": nil}, []string{"a1", "a2", "b1", "b2", "c1"}},
			{"like prefix", simple("name", "like", "Продажи%"), []string{"a1", "a2"}},
			{"like is case-sensitive", simple("name", "like", "продажи%"), []string{}},
			{"ilike folds Cyrillic", simple("name", "ilike", "%ОПТ%"), []string{"b1", "b2"}},
			{"like _", simple("ext_id", "like", "_1"), []string{"a1", "b1", "c1"}},
			{"like escaped %", simple("name", "like", `%100\%`), []string{"c1"}},
			{"like escaped _", simple("name", "like", `Розница\_%`), []string{"c1"}},
			{"not_like", simple("name", "not_like", "%Продажи%"), []string{"b1", "b2", "c1"}},
			{"not_ilike", simple("name", "not_ilike", "опт%"), []string{"a1", "a2", "c1"}},
			{"regexp", simple("ext_id", "regexp", "^[ab]2$"), []string{"a2", "b2"}},
			{"regexp unanchored", simple("name", "regexp", "СПб|регион"), []string{"a2", "b2"}},
			{"in", simple("ext_id", "in", []any{"a1", "c1", "zz"}), []string{"a1", "c1"}},
			{"in empty", simple("ext_id", "in", []any{}), []string{}},
			{"not_in", simple("ext_id", "not_in", []any{"a1", "c1"}), []string{"a2", "b1", "b2"}},
			{"or", tree("or", simple("ext_id", "=", "a1"), simple("ext_id", "=", "b2")), []string{"a1", "b2"}},
			{"and", tree("and", simple("name", "ilike", "%опт%"), simple("ext_id", "like", "%2")), []string{"b2"}},
			{"condition defaults to and", map[string]any{"filters": []any{simple("ext_id", "like", "a%"), simple("ext_id", "like", "%2")}}, []string{"a2"}},
			{"empty filters", tree("or"), []string{"a1", "a2", "b1", "b2", "c1"}},
			// ((ext_id = a1 or ext_id = a2) and (name like %СПб or name like %Москва)) or ext_id = c1 or (name ilike опт% and ext_id != b1)
			{"three levels", tree("or",
				tree("and",
					tree("or", simple("ext_id", "=", "a1"), simple("ext_id", "=", "a2")),
					tree("or", simple("name", "like", "%СПб"), simple("name", "like", "%Москва"))),
				simple("ext_id", "=", "c1"),
				tree("and", simple("name", "ilike", "опт%"), simple("ext_id", "!=", "b1")),
			), []string{"a1", "a2", "b2", "c1"}},
			// (ext_id in (a1, b1, c1)) and ((name like Продажи% and (ext_id = a1 or ext_id = a2)) or name = Опт)
			{"three levels, and at the top", tree("and",
				simple("ext_id", "in", []any{"a1", "b1", "c1"}),
				tree("or",
					tree("and", simple("name", "like", "Продажи%"), tree("or", simple("ext_id", "=", "a1"), simple("ext_id", "=", "a2"))),
					simple("name", "=", "Опт")),
			), []string{"a1", "b1"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				data, meta := funnels(t, env, a.token, map[string]any{"filter": tc.filter})
				if d := diff(tc.want, extIDs(data)); d != "" {
					t.Errorf("filter %s:\n%s", jsonString(t, tc.filter), d)
				}
				if jsonText(meta["total_items"]) != fmt.Sprint(len(tc.want)) {
					t.Errorf("total_items %v, want %d", meta["total_items"], len(tc.want))
				}
			})
		}

		errCases := []struct {
			name     string
			filter   any
			mnemonic string
			field    string
		}{
			{"stages", simple("stages", "=", "x"), "filter_prohibited", "filter.field"},
			{"stage_name", simple("stage_name", "=", "x"), "filter_prohibited", "filter.field"},
			{"unknown field", simple("bar", "=", "x"), "unexpected_parameters", "filter.field"},
			{"nested prohibited", tree("or", simple("ext_id", "=", "a1"), tree("and", simple("stage_status", "=", "success"))), "filter_prohibited", "filter.filters.1.filters.0.field"},
			{"number operator", simple("name", ">", "a"), "invalid_parameter_value", "filter.operator"},
			{"jsquery", simple("name", "jsquery", "a"), "invalid_parameter_value", "filter.operator"},
			{"overlap", simple("name", "overlap", "a"), "invalid_parameter_value", "filter.operator"},
			{"unknown operator", simple("name", "not in", []any{"a"}), "invalid_parameter_value", "filter.operator"},
			{"bad regexp", simple("name", "regexp", "(["), "invalid_parameter_value", "filter.value"},
			{"bad condition", tree("xor", simple("ext_id", "=", "a1")), "invalid_parameter_value", "filter.condition"},
			{"filter an array", []any{}, "data_type_error", "filter"},
			{"filters not an array", map[string]any{"filters": map[string]any{}}, "data_type_error", "filter.filters"},
			{"value a number", simple("ext_id", "=", 1), "data_type_error", "filter.value"},
			{"in a string", simple("ext_id", "in", "a1"), "data_type_error", "filter.value"},
			{"in with a number", simple("ext_id", "in", []any{"a1", 2}), "data_type_error", "filter.value"},
			{"like without value", map[string]any{"field": "name", "operator": "like"}, "required_parameter_missed", "filter.value"},
			{"is_null with a value", simple("name", "is_null", "x"), "invalid_parameter_value", "filter.value"},
			{"no operator", map[string]any{"field": "name", "value": "x"}, "required_parameter_missed", "filter.operator"},
			{"no field", map[string]any{"operator": "=", "value": "x"}, "required_parameter_missed", "filter.field"},
			{"unknown member", map[string]any{"field": "name", "operator": "=", "value": "x", "condition": "and"}, "unexpected_parameters", "filter.condition"},
		}
		for _, tc := range errCases {
			t.Run("error "+tc.name, func(t *testing.T) {
				e := wantErr(t, call(t, env, a.token, "get.sales_funnel", map[string]any{"filter": tc.filter}), -32602, tc.mnemonic, tc.field)
				if tc.mnemonic == "filter_prohibited" && e.message != "Filter by parameter is prohibited" {
					t.Errorf("message %q", e.message)
				}
			})
		}
	})
}

// TestUISSortFieldsPaging: sort on ext_id and name, fields subsets, and
// limit and offset up to their maxima.
func TestUISSortFieldsPaging(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := queryAccount(t, env)
		ids := func(params map[string]any) []string {
			t.Helper()
			data, _ := funnels(t, env, a.token, params)
			return extIDs(data)
		}
		sortBy := func(keys ...map[string]any) map[string]any {
			var list []any
			for _, k := range keys {
				list = append(list, k)
			}
			return map[string]any{"sort": list}
		}
		for name, tc := range map[string]struct {
			params map[string]any
			want   []string
		}{
			"no sort: creation order": {nil, []string{"a1", "a2", "b1", "b2", "c1"}},
			"ext_id desc":             {sortBy(map[string]any{"field": "ext_id", "order": "desc"}), []string{"c1", "b2", "b1", "a2", "a1"}},
			"name, default asc":       {sortBy(map[string]any{"field": "name"}), []string{"b1", "a1", "a2", "c1", "b2"}},
			"Cyrillic asс":            {sortBy(map[string]any{"field": "ext_id", "order": "asс"}), []string{"a1", "a2", "b1", "b2", "c1"}},
			"two keys": {sortBy(map[string]any{"field": "name", "order": "desc"}, map[string]any{"field": "ext_id"}),
				[]string{"b2", "c1", "a2", "a1", "b1"}},
		} {
			t.Run(name, func(t *testing.T) {
				if d := diff(tc.want, ids(tc.params)); d != "" {
					t.Error(d)
				}
			})
		}
		for name, tc := range map[string]struct {
			sort     any
			mnemonic string
			field    string
		}{
			"stages":        {[]any{map[string]any{"field": "stages"}}, "sort_prohibited", "sort.0.field"},
			"stage_order":   {[]any{map[string]any{"field": "name"}, map[string]any{"field": "stage_order"}}, "sort_prohibited", "sort.1.field"},
			"unknown":       {[]any{map[string]any{"field": "id"}}, "unexpected_parameters", "sort.0.field"},
			"bad order":     {[]any{map[string]any{"field": "name", "order": "up"}}, "invalid_parameter_value", "sort.0.order"},
			"not an array":  {map[string]any{"field": "name"}, "data_type_error", "sort"},
			"item a string": {[]any{"name"}, "data_type_error", "sort.0"},
			"no field":      {[]any{map[string]any{"order": "asc"}}, "required_parameter_missed", "sort.0.field"},
		} {
			t.Run("error "+name, func(t *testing.T) {
				e := wantErr(t, call(t, env, a.token, "get.sales_funnel", map[string]any{"sort": tc.sort}), -32602, tc.mnemonic, tc.field)
				if tc.mnemonic == "sort_prohibited" && e.message != "Sort by parameter is prohibited" {
					t.Errorf("message %q", e.message)
				}
			})
		}

		t.Run("fields", func(t *testing.T) {
			filter := map[string]any{"field": "ext_id", "operator": "=", "value": "b1"}
			for name, tc := range map[string]struct {
				fields []any
				want   any
			}{
				"name":       {[]any{"name"}, map[string]any{"name": "Опт"}},
				"ext_id":     {[]any{"ext_id", "ext_id"}, map[string]any{"ext_id": "b1"}},
				"stage keys": {[]any{"ext_id", "stage_name"}, map[string]any{"ext_id": "b1", "stages": []any{map[string]any{"stage_name": "new"}, map[string]any{"stage_name": "Won"}, map[string]any{"stage_name": "Lost"}}}},
				"stages": {[]any{"stages"}, map[string]any{"stages": []any{
					map[string]any{"stage_ext_id": "b1-new", "stage_name": "new", "stage_status": "in_process", "stage_order": "10"},
					map[string]any{"stage_ext_id": "b1-won", "stage_name": "Won", "stage_status": "success", "stage_order": "10010"},
					map[string]any{"stage_ext_id": "b1-lost", "stage_name": "Lost", "stage_status": "failed", "stage_order": "10020"}}}},
				"empty list: all": {[]any{}, map[string]any{"ext_id": "b1", "name": "Опт", "stages": []any{
					map[string]any{"stage_ext_id": "b1-new", "stage_name": "new", "stage_status": "in_process", "stage_order": "10"},
					map[string]any{"stage_ext_id": "b1-won", "stage_name": "Won", "stage_status": "success", "stage_order": "10010"},
					map[string]any{"stage_ext_id": "b1-lost", "stage_name": "Lost", "stage_status": "failed", "stage_order": "10020"}}}},
			} {
				t.Run(name, func(t *testing.T) {
					data, _ := funnels(t, env, a.token, map[string]any{"filter": filter, "fields": tc.fields})
					if d := diff([]any{tc.want}, normalize(data)); d != "" {
						t.Error(d)
					}
				})
			}
			wantErr(t, call(t, env, a.token, "get.sales_funnel", map[string]any{"fields": []any{"name", "foo"}}), -32602, "unexpected_parameters", "fields.1")
			wantErr(t, call(t, env, a.token, "get.sales_funnel", map[string]any{"fields": "name"}), -32602, "data_type_error", "fields")
			wantErr(t, call(t, env, a.token, "get.sales_funnel", map[string]any{"fields": []any{1}}), -32602, "data_type_error", "fields.0")
		})

		t.Run("paging", func(t *testing.T) {
			page := func(limit, offset any) ([]string, string) {
				p := map[string]any{}
				if limit != nil {
					p["limit"] = limit
				}
				if offset != nil {
					p["offset"] = offset
				}
				data, meta := funnels(t, env, a.token, p)
				return extIDs(data), jsonText(meta["total_items"])
			}
			for name, tc := range map[string]struct {
				limit, offset any
				want          []string
			}{
				"defaults":         {nil, nil, []string{"a1", "a2", "b1", "b2", "c1"}},
				"limit 2":          {2, nil, []string{"a1", "a2"}},
				"limit 2 offset 2": {2, 2, []string{"b1", "b2"}},
				"offset past end":  {nil, 5, []string{}},
				"limit 0: count":   {0, nil, []string{}},
				"maximum limit":    {10000, nil, []string{"a1", "a2", "b1", "b2", "c1"}},
				"maximum offset":   {10000, 100000, []string{}},
			} {
				t.Run(name, func(t *testing.T) {
					got, total := page(tc.limit, tc.offset)
					if d := diff(tc.want, got); d != "" {
						t.Error(d)
					}
					if total != "5" {
						t.Errorf("total_items %s, want 5", total)
					}
				})
			}
			for name, tc := range map[string]struct {
				params   map[string]any
				mnemonic string
				field    string
			}{
				"limit over 10000":   {map[string]any{"limit": 10001}, "invalid_parameter_value", "limit"},
				"negative limit":     {map[string]any{"limit": -1}, "invalid_parameter_value", "limit"},
				"offset over 100000": {map[string]any{"offset": 100001}, "invalid_parameter_value", "offset"},
				"negative offset":    {map[string]any{"offset": -5}, "invalid_parameter_value", "offset"},
				"limit a string":     {map[string]any{"limit": "10"}, "data_type_error", "limit"},
				"limit a fraction":   {map[string]any{"limit": 1.5}, "data_type_error", "limit"},
				"huge offset":        {map[string]any{"offset": 1e30}, "data_type_error", "offset"},
			} {
				t.Run("error "+name, func(t *testing.T) {
					e := wantErr(t, call(t, env, a.token, "get.sales_funnel", tc.params), -32602, tc.mnemonic, tc.field)
					if e.value == nil {
						t.Errorf("no value in %v", e)
					}
				})
			}
		})
	})
}
