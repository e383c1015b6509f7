package uis_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestUISGetSalesFunnelDefault: a new account's deal pipeline, made by crmd
// and not through UIS, answers to its id as ext_id; its stages map 2001 and
// 2002 to in_process, 2003 to success and 2004 to failed, sorted by order.
func TestUISGetSalesFunnelDefault(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Default")
		data, meta := funnels(t, env, a.token, nil)
		if len(data) != 1 {
			t.Fatalf("data %v", data)
		}
		f := data[0].(map[string]any)
		id := f["ext_id"].(string)
		pl := pipelineID(t, env, a, id)
		var stages []any
		for _, st := range pl.Stages {
			stages = append(stages, map[string]any{"stage_ext_id": strconv.FormatInt(st.ID, 10), "stage_name": st.Name,
				"stage_status": map[crm.StageStatus]string{2001: "in_process", 2002: "in_process", 2003: "success", 2004: "failed"}[st.Status],
				"stage_order":  fmt.Sprint(st.Position)})
		}
		want := map[string]any{"ext_id": strconv.FormatInt(pl.ID, 10), "name": "Основная воронка", "stages": stages}
		if diff := diff(want, normalize(f)); diff != "" {
			t.Errorf("funnel :\n%s", diff)
		}
		if jsonText(meta["total_items"]) != "1" {
			t.Errorf("total_items %v", meta["total_items"])
		}
		if l, isObj := meta["limits"].(map[string]any); !isObj || len(l) != 0 {
			t.Errorf("limits %v, want {} (limits are off)", meta["limits"])
		}
	})
}

// normalize turns json.Numbers into strings for comparison.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = normalize(x)
		}
		return out
	case []any:
		out := []any{}
		for _, x := range v {
			out = append(out, normalize(x))
		}
		return out
	case fmt.Stringer:
		return v.String()
	}
	return v
}

// TestUISWorkedExample replays the funnel of UIS's "Инструкция по загрузке
// сделок из CRM": created with in_process orders 10–40 and no order for the
// closing stages, read back by filter exactly as the guide prints it.
func TestUISWorkedExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		// The first account's default pipeline has id 1, so its ext_id is
		// "1" and the guide's ext_id "1" would be a duplicate there: use a
		// second account (see docs/uis.md).
		newAccount(t, env, "First")
		a := newAccount(t, env, "Example")
		body := `{"jsonrpc":"2.0","id":"number","method":"create.sales_funnel","params":{"access_token":"` + a.token + `",
			"ext_id":"1","name":"Основная воронка","stages":{
			"in_process":[{"ext_id":"1","name":"Новая сделка","order":10},{"ext_id":"2","name":"Подготовка Документов","order":20},
			              {"ext_id":"3","name":"Счет на предоплату","order":30},{"ext_id":"4","name":"Финальный счет","order":40}],
			"success":{"ext_id":"1000","name":"Успешно реализовано"},
			"failed":{"ext_id":"10001","name":"Сделка провалена"}}}}`
		reply := post(t, env, body)
		if reply["id"] != "number" {
			t.Errorf("id %v", reply["id"])
		}
		res := ok(t, reply)
		if diff := diff(map[string]any{"ext_id": "1"}, res["data"]); diff != "" {
			t.Errorf("create data :\n%s", diff)
		}
		data, meta := funnels(t, env, a.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": "1"}})
		want := []any{map[string]any{"ext_id": "1", "name": "Основная воронка", "stages": []any{
			map[string]any{"stage_name": "Новая сделка", "stage_ext_id": "1", "stage_status": "in_process", "stage_order": "10"},
			map[string]any{"stage_name": "Подготовка Документов", "stage_ext_id": "2", "stage_status": "in_process", "stage_order": "20"},
			map[string]any{"stage_name": "Счет на предоплату", "stage_ext_id": "3", "stage_status": "in_process", "stage_order": "30"},
			map[string]any{"stage_name": "Финальный счет", "stage_ext_id": "4", "stage_status": "in_process", "stage_order": "40"},
			map[string]any{"stage_name": "Успешно реализовано", "stage_ext_id": "1000", "stage_status": "success", "stage_order": "10010"},
			map[string]any{"stage_name": "Сделка провалена", "stage_ext_id": "10001", "stage_status": "failed", "stage_order": "10020"},
		}}}
		if diff := diff(want, normalize(data)); diff != "" {
			t.Errorf("get :\n%s", diff)
		}
		if jsonText(meta["total_items"]) != "1" {
			t.Errorf("total_items %v", meta["total_items"])
		}
	})
}

// TestUISCreateSalesFunnelErrors: every rule of create.sales_funnel is
// answered with its documented mnemonic and the field it is about.
func TestUISCreateSalesFunnelErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Create")
		okCall(t, env, a.token, "create.sales_funnel", funnel("f1", "Funnel", "a", "b"))
		with := func(mod func(p map[string]any)) map[string]any {
			p := funnel("f2", "Funnel 2", "a", "b")
			mod(p)
			return p
		}
		stages := func(p map[string]any) map[string]any { return p["stages"].(map[string]any) }
		open := func(p map[string]any, i int) map[string]any {
			return stages(p)["in_process"].([]any)[i].(map[string]any)
		}
		many := func(n int) []any {
			var out []any
			for i := range n {
				out = append(out, map[string]any{"ext_id": fmt.Sprint("s", i), "name": fmt.Sprint("S", i), "order": i})
			}
			return out
		}
		cases := []struct {
			name     string
			params   map[string]any
			mnemonic string
			field    string
		}{
			{"ext_id taken", funnel("f1", "Again", "x"), "duplicate_entity", "ext_id"},
			{"stage ext_id twice", with(func(p map[string]any) { open(p, 1)["ext_id"] = open(p, 0)["ext_id"] }), "duplicate_entity", "stages.in_process.1.ext_id"},
			{"success ext_id as an open one", with(func(p map[string]any) { stages(p)["success"].(map[string]any)["ext_id"] = open(p, 0)["ext_id"] }), "duplicate_entity", "stages.success.ext_id"},
			{"order over 10000", with(func(p map[string]any) { open(p, 0)["order"] = 10001 }), "invalid_parameter_value", "stages.in_process.0.order"},
			{"order negative", with(func(p map[string]any) { open(p, 1)["order"] = -1 }), "invalid_parameter_value", "stages.in_process.1.order"},
			{"order missing", with(func(p map[string]any) { delete(open(p, 0), "order") }), "required_parameter_missed", "stages.in_process.0.order"},
			{"order a string", with(func(p map[string]any) { open(p, 0)["order"] = "10" }), "data_type_error", "stages.in_process.0.order"},
			{"no in_process stage", with(func(p map[string]any) { stages(p)["in_process"] = []any{} }), "invalid_parameter_value", "stages.in_process"},
			{"101 in_process stages", with(func(p map[string]any) { stages(p)["in_process"] = many(101) }), "invalid_parameter_value", "stages.in_process"},
			{"no success", with(func(p map[string]any) { delete(stages(p), "success") }), "required_parameter_missed", "stages.success"},
			{"no failed", with(func(p map[string]any) { delete(stages(p), "failed") }), "required_parameter_missed", "stages.failed"},
			{"no stages", with(func(p map[string]any) { delete(p, "stages") }), "required_parameter_missed", "stages"},
			{"stages an array", with(func(p map[string]any) { p["stages"] = []any{} }), "data_type_error", "stages"},
			{"unknown stage group", with(func(p map[string]any) { stages(p)["won"] = map[string]any{} }), "unexpected_parameters", "stages.won"},
			{"unknown stage member", with(func(p map[string]any) { open(p, 0)["color"] = "red" }), "unexpected_parameters", "stages.in_process.0.color"},
			{"blank name", with(func(p map[string]any) { p["name"] = " " }), "invalid_parameter_value", "name"},
			{"blank stage name", with(func(p map[string]any) { open(p, 1)["name"] = "" }), "invalid_parameter_value", "stages.in_process.1.name"},
			{"no name", with(func(p map[string]any) { delete(p, "name") }), "required_parameter_missed", "name"},
			{"empty ext_id", with(func(p map[string]any) { p["ext_id"] = "" }), "invalid_parameter_value", "ext_id"},
			{"ext_id a number", with(func(p map[string]any) { p["ext_id"] = 5 }), "data_type_error", "ext_id"},
			{"unknown parameter", with(func(p map[string]any) { p["color"] = "red" }), "unexpected_parameters", "color"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantErr(t, call(t, env, a.token, "create.sales_funnel", tc.params), -32602, tc.mnemonic, tc.field)
			})
		}
		// Nothing above was created.
		if data, _ := funnels(t, env, a.token, nil); len(data) != 2 {
			t.Errorf("%d funnels after refused creates, want 2", len(data))
		}

		t.Run("100 in_process stages", func(t *testing.T) {
			okCall(t, env, a.token, "create.sales_funnel", with(func(p map[string]any) { stages(p)["in_process"] = many(100) }))
			data, _ := funnels(t, env, a.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": "f2"}})
			if n := len(data[0].(map[string]any)["stages"].([]any)); n != 102 {
				t.Errorf("%d stages, want 102", n)
			}
			// A 101st in_process stage is over the limit.
			wantErr(t, call(t, env, a.token, "create.sales_funnel_stages", map[string]any{"sales_funnel_ext_id": "f2", "ext_id": "s100", "name": "S", "order": 5}),
				-32602, "data_limit_exceeded", "")
		})

		t.Run("member may not", func(t *testing.T) {
			m := env.NewUser(t, a.id, crm.RoleMember)
			e := wantErr(t, call(t, env, m.UISAccessToken, "create.sales_funnel", funnel("f9", "F9", "a")), -32003, "forbidden", "")
			if e.message != "Permission denied" {
				t.Errorf("message %q", e.message)
			}
			// Reading is allowed.
			funnels(t, env, m.UISAccessToken, nil)
		})

		t.Run("50 funnels at most", func(t *testing.T) {
			have, _ := funnels(t, env, a.token, nil)
			for i := len(have); i < crm.MaxPipelines; i++ {
				okCall(t, env, a.token, "create.sales_funnel", funnel(fmt.Sprint("n", i), fmt.Sprint("N", i), "a"))
			}
			e := wantErr(t, call(t, env, a.token, "create.sales_funnel", funnel("over", "Over", "a")), -32602, "data_limit_exceeded", "")
			if e.message != "A new data limit has been exceeded" {
				t.Errorf("message %q", e.message)
			}
		})
	})
}

// TestUISUpdateDeleteSalesFunnel: renaming, and deleting only an empty funnel
// that is not the last one.
func TestUISUpdateDeleteSalesFunnel(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Update")
		okCall(t, env, a.token, "create.sales_funnel", funnel("f1", "Funnel", "a"))

		if d := okCall(t, env, a.token, "update.sales_funnel", map[string]any{"ext_id": "f1", "name": "Renamed"}); len(d.(map[string]any)) != 0 {
			t.Errorf("update data %v, want {}", d)
		}
		data, _ := funnels(t, env, a.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": "f1"}, "fields": []any{"name"}})
		if diff := diff([]any{map[string]any{"name": "Renamed"}}, data); diff != "" {
			t.Errorf("after rename :\n%s", diff)
		}
		wantErr(t, call(t, env, a.token, "update.sales_funnel", map[string]any{"ext_id": "nope", "name": "X"}), -32602, "entity_not_found", "ext_id")
		wantErr(t, call(t, env, a.token, "update.sales_funnel", map[string]any{"ext_id": "f1"}), -32602, "required_parameter_missed", "name")
		wantErr(t, call(t, env, a.token, "update.sales_funnel", map[string]any{"ext_id": "f1", "name": ""}), -32602, "invalid_parameter_value", "name")
		wantErr(t, call(t, env, a.token, "update.sales_funnel", map[string]any{"ext_id": "f1", "name": "X", "stages": []any{}}), -32602, "unexpected_parameters", "stages")

		// A funnel with a deal cannot go.
		pl := pipelineID(t, env, a, "f1")
		addDeal(t, env, a, pl.ID, pl.Stages[0].ID)
		e := wantErr(t, call(t, env, a.token, "delete.sales_funnel", map[string]any{"ext_id": "f1"}), -32602, "dependency_error", "ext_id")
		if e.message != "You have interdependet entities" {
			t.Errorf("message %q", e.message)
		}
		wantErr(t, call(t, env, a.token, "delete.sales_funnel", map[string]any{"ext_id": "nope"}), -32602, "entity_not_found", "ext_id")

		// The default funnel is empty: it goes; then f1 is the last one.
		def, _ := funnels(t, env, a.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "!=", "value": "f1"}})
		defKey := def[0].(map[string]any)["ext_id"].(string)
		okCall(t, env, a.token, "delete.sales_funnel", map[string]any{"ext_id": defKey})
		okCall(t, env, a.token, "create.sales_funnel", funnel("f2", "Second", "a"))
		okCall(t, env, a.token, "delete.sales_funnel", map[string]any{"ext_id": "f2"})
		if data, _ := funnels(t, env, a.token, nil); len(data) != 1 {
			t.Fatalf("funnels %v", extIDs(data))
		}
		// Deleting the last funnel is forbidden (-32602, the delete verb's).
		e = wantErr(t, call(t, env, a.token, "delete.sales_funnel", map[string]any{"ext_id": "f1"}), -32602, "forbidden", "ext_id")
		if e.message != "Permission denied" {
			t.Errorf("message %q", e.message)
		}
	})
}

// TestUISSalesFunnelStages: create, update and delete stages with every rule.
func TestUISSalesFunnelStages(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Stages")
		okCall(t, env, a.token, "create.sales_funnel", funnel("f", "Funnel", "a", "b"))
		stages := func() []any {
			data, _ := funnels(t, env, a.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": "f"},
				"fields": []any{"stage_ext_id", "stage_order"}})
			return normalize(data[0].(map[string]any)["stages"]).([]any)
		}
		st := func(key string, order int) any {
			return map[string]any{"stage_ext_id": key, "stage_order": strconv.Itoa(order)}
		}
		create := func(p map[string]any) map[string]any {
			return call(t, env, a.token, "create.sales_funnel_stages", p)
		}

		d := ok(t, create(map[string]any{"sales_funnel_ext_id": "f", "ext_id": "mid", "name": "Middle", "order": 15}))["data"]
		if diff := diff(map[string]any{"ext_id": "mid"}, d); diff != "" {
			t.Errorf("create data :\n%s", diff)
		}
		want := []any{st("f-a", 10), st("mid", 15), st("f-b", 20), st("f-won", 10010), st("f-lost", 10020)}
		if diff := diff(want, stages()); diff != "" {
			t.Errorf("stages :\n%s", diff)
		}

		wantErr(t, create(map[string]any{"sales_funnel_ext_id": "f", "ext_id": "mid", "name": "Again", "order": 16}), -32602, "duplicate_entity", "ext_id")
		wantErr(t, create(map[string]any{"sales_funnel_ext_id": "nope", "ext_id": "x", "name": "X", "order": 16}), -32602, "entity_not_found", "sales_funnel_ext_id")
		wantErr(t, create(map[string]any{"sales_funnel_ext_id": "f", "ext_id": "x", "name": "X", "order": 10001}), -32602, "invalid_parameter_value", "order")
		wantErr(t, create(map[string]any{"sales_funnel_ext_id": "f", "ext_id": "x", "name": "X"}), -32602, "required_parameter_missed", "order")
		wantErr(t, create(map[string]any{"sales_funnel_ext_id": "f", "ext_id": "x", "order": 1}), -32602, "required_parameter_missed", "name")
		wantErr(t, create(map[string]any{"sales_funnel_ext_id": "f", "name": "X", "order": 1}), -32602, "required_parameter_missed", "ext_id")
		wantErr(t, create(map[string]any{"ext_id": "x", "name": "X", "order": 1}), -32602, "required_parameter_missed", "sales_funnel_ext_id")
		wantErr(t, create(map[string]any{"sales_funnel_ext_id": "f", "ext_id": "x", "name": "X", "order": 1, "status": "success"}), -32602, "unexpected_parameters", "status")

		update := func(p map[string]any) map[string]any {
			p["sales_funnel_ext_id"] = "f"
			return call(t, env, a.token, "update.sales_funnel_stages", p)
		}
		ok(t, update(map[string]any{"ext_id": "mid", "order": 25, "name": "Later"}))
		want = []any{st("f-a", 10), st("f-b", 20), st("mid", 25), st("f-won", 10010), st("f-lost", 10020)}
		if diff := diff(want, stages()); diff != "" {
			t.Errorf("stages after update :\n%s", diff)
		}
		// success and failed can be renamed, not moved.
		ok(t, update(map[string]any{"ext_id": "f-won", "name": "Won!"}))
		wantErr(t, update(map[string]any{"ext_id": "f-won", "order": 30}), -32602, "invalid_parameter_value", "order")
		wantErr(t, update(map[string]any{"ext_id": "mid", "order": 10001}), -32602, "invalid_parameter_value", "order")
		wantErr(t, update(map[string]any{"ext_id": "mid"}), -32602, "required_parameter_missed", "name")
		wantErr(t, update(map[string]any{"ext_id": "mid", "name": ""}), -32602, "invalid_parameter_value", "name")
		wantErr(t, update(map[string]any{"ext_id": "nope", "name": "X"}), -32602, "entity_not_found", "ext_id")

		del := func(key string) map[string]any {
			return call(t, env, a.token, "delete.sales_funnel_stages", map[string]any{"sales_funnel_ext_id": "f", "ext_id": key})
		}
		wantErr(t, del("f-won"), -32602, "forbidden", "ext_id")
		wantErr(t, del("f-lost"), -32602, "forbidden", "ext_id")
		wantErr(t, del("nope"), -32602, "entity_not_found", "ext_id")
		pl := pipelineID(t, env, a, "f")
		b, _ := pl.StageByKey("f-b")
		addDeal(t, env, a, pl.ID, b.ID)
		wantErr(t, del("f-b"), -32602, "dependency_error", "ext_id")
		ok(t, del("mid"))
		ok(t, del("f-a"))
		// f-b is the last in_process stage now.
		wantErr(t, del("f-b"), -32602, "forbidden", "ext_id")
		want = []any{st("f-b", 20), st("f-won", 10010), st("f-lost", 10020)}
		if diff := diff(want, stages()); diff != "" {
			t.Errorf("stages after deletes :\n%s", diff)
		}
	})
}
