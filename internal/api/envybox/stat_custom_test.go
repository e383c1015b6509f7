package envybox_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/api/envybox"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// statScene is an account with deals to report on. The account's zone is
// Moscow (UTC+3); the clock runs in UTC.
//
//	deal  created (UTC)        responsible      inbox  stage  sum     list  utm     client  name
//	D1    2021-02-01 10:00     admin            I1     new    1500    A     google  Анна    Окна
//	D2    2021-02-02 10:00     employee         I2     won*   2500.5  B     -       Анна    Двери
//	D3    2021-03-01 10:00     employee         I2     new    -       A     google  Борис   Окна
//	D6    2021-01-21 21:30     admin+dept       I1     new    -       -     -       Борис   Пол
//	D7    2021-04-22 21:30 (Apr 23 in Moscow: after the range)
//	D8    2021-01-21 20:30 (Jan 21 in Moscow: before the range)
//	D4    2021-05-01 10:00 (after the range)
//	D5    2021-02-01 10:00 in another pipeline
//
// * D2 was created in "В работе" and won on 2021-04-10 10:00 UTC. D1 has
// the date field set to 2021-06-01 12:00 Moscow time. Анна lives in Москва.
type statScene struct {
	*account
	clock                   *clock
	ctx                     context.Context
	employee, dept          int64
	inbox1, inbox2          int64
	pipeline, other         crm.Pipeline
	sum, list, date, city   int64
	enumA, enumB            int64
	d1, d2, d3, d5, d6      int64
	stNew, stWork, stWon    int64
	clientAnna, clientBoris int64
	dealPipelineKindInbound int64
	otherAccount            *account
}

func newStatScene(t *testing.T, env *crmtest.Env) *statScene {
	t.Helper()
	ctx := context.Background()
	clock := setClock(env, utc("2021-01-01 09:00:00"))
	f := &statScene{account: newAccount(t, env, "Stats"), clock: clock, ctx: ctx}
	svc := f.svc
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Ids kept apart from the other dimensions' (admin 1, inbox types 1 and 3).
	for range 3 {
		env.NewUser(t, f.id, crm.RoleMember)
	}
	f.employee = env.NewUser(t, f.id, crm.RoleMember).UserID
	dep, err := svc.AddDepartment(ctx, f.actor, "Продажи")
	must(err)
	f.dept = dep.ID
	must(env.Server.DB.Update(ctx, f.id, func(tx crm.Tx) error {
		types, err := tx.InboxTypes(ctx)
		if err != nil {
			return err
		}
		f.inbox1 = types[0].ID
		unused := crm.InboxType{Name: "Звонок", Type: 2, Editable: true}
		if err := tx.InsertInboxType(ctx, &unused); err != nil {
			return err
		}
		it := crm.InboxType{Name: "Сайт", Type: 2, Editable: true}
		if err := tx.InsertInboxType(ctx, &it); err != nil {
			return err
		}
		f.inbox2 = it.ID
		pipelines, err := tx.Pipelines(ctx, crm.PipelineInbound)
		f.dealPipelineKindInbound = pipelines[0].ID
		return err
	}))
	pipes, err := svc.DealPipelines(ctx, f.actor)
	must(err)
	f.pipeline = pipes[0]
	f.stNew, f.stWork, f.stWon = f.pipeline.Stages[0].ID, f.pipeline.Stages[1].ID, f.pipeline.Stages[2].ID
	f.other, err = svc.AddPipeline(ctx, f.actor, crm.Pipeline{Name: "Другая", AllowManualStageChange: true,
		Stages: []crm.Stage{{Name: "Новая", Status: crm.StageNew}, {Name: "Успех", Status: crm.StageWon}, {Name: "Отказ", Status: crm.StageLost}}})
	must(err)
	name := func(s string) *string { return &s }
	fields, err := svc.AddCustomFields(ctx, f.actor, crm.EntityDeal, []crm.NewCustomField{
		{Name: name("Сумма"), Type: crm.FieldNumeric},
		{Name: name("Источник"), Type: crm.FieldSelect, Enums: []crm.EnumInput{{Value: "Реклама"}, {Value: "Друзья"}}},
		{Name: name("Дата встречи"), Type: crm.FieldDate},
	})
	must(err)
	f.sum, f.list, f.date = fields[0].ID, fields[1].ID, fields[2].ID
	f.enumA, f.enumB = fields[1].Enums[0].ID, fields[1].Enums[1].ID
	cfields, err := svc.AddCustomFields(ctx, f.actor, crm.EntityContact, []crm.NewCustomField{{Name: name("Город"), Type: crm.FieldText}})
	must(err)
	f.city = cfields[0].ID
	anna, err := svc.CreateClient(ctx, f.actor, crm.NewClient{Name: "Анна", Phones: []string{"79990000001"}})
	must(err)
	boris, err := svc.CreateClient(ctx, f.actor, crm.NewClient{Name: "Борис", Phones: []string{"79990000002"}})
	must(err)
	f.clientAnna, f.clientBoris = anna.ID, boris.ID
	must(svc.UpdateClientValues(ctx, f.actor, anna.ID, crm.Responsible{}, []crm.FieldWrite{{FieldID: f.city, Value: "Москва"}}))

	deal := func(at string, n crm.NewDeal) int64 {
		t.Helper()
		clock.Set(utc(at))
		d, err := svc.CreateDeal(ctx, f.actor, n)
		must(err)
		return d.ID
	}
	admin := crm.Responsible{UserID: f.admin}
	employee := crm.Responsible{UserID: f.admin, EmployeeID: f.employee}
	meeting := time.Date(2021, 6, 1, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600)).Unix()
	f.d1 = deal("2021-02-01 10:00:00", crm.NewDeal{Name: "Окна", ClientID: anna.ID, Responsible: admin, InboxTypeID: f.inbox1,
		Values: []crm.FieldWrite{{FieldID: f.sum, Value: "1500"}, {FieldID: f.list, Value: float64(f.enumA)},
			{FieldID: 2005, Service: true, Value: "google"}, {FieldID: f.date, Value: float64(meeting)}}})
	f.d2 = deal("2021-02-02 10:00:00", crm.NewDeal{Name: "Двери", ClientID: anna.ID, Responsible: employee, InboxTypeID: f.inbox2,
		StageID: f.stWork, Values: []crm.FieldWrite{{FieldID: f.sum, Value: 2500.5}, {FieldID: f.list, Value: fmt.Sprint(f.enumB)}}})
	f.d3 = deal("2021-03-01 10:00:00", crm.NewDeal{Name: "Окна", ClientID: boris.ID, Responsible: employee, InboxTypeID: f.inbox2,
		Values: []crm.FieldWrite{{FieldID: f.list, Value: float64(f.enumA)}, {FieldID: 2005, Service: true, Value: "google"}}})
	f.d6 = deal("2021-01-21 21:30:00", crm.NewDeal{Name: "Пол", ClientID: boris.ID,
		Responsible: crm.Responsible{UserID: f.admin, DepartmentID: f.dept}, InboxTypeID: f.inbox1})
	deal("2021-04-22 21:30:00", crm.NewDeal{Name: "D7", ClientID: boris.ID, Responsible: admin})
	deal("2021-01-21 20:30:00", crm.NewDeal{Name: "D8", ClientID: boris.ID, Responsible: admin})
	deal("2021-05-01 10:00:00", crm.NewDeal{Name: "D4", ClientID: boris.ID, Responsible: admin})
	f.d5 = deal("2021-02-01 10:00:00", crm.NewDeal{Name: "D5", ClientID: boris.ID, Responsible: admin, PipelineID: f.other.ID})
	clock.Set(utc("2021-04-10 10:00:00"))
	must(svc.ChangeDealStage(ctx, f.actor, f.d2, 0, f.stWon, admin))
	clock.Set(utc("2021-04-22 12:56:36"))

	f.otherAccount = newAccount(t, env, "Other")
	return f
}

// report stores a definition (JSON in the documented shape), with
// %[n]-style placeholders filled from args.
func (f *statScene) report(t *testing.T, def string) crm.Report {
	t.Helper()
	d, err := envybox.ParseReportDefinition([]byte(def))
	if err != nil {
		t.Fatalf("definition: %v\n%s", err, def)
	}
	r, err := f.svc.CreateReport(f.ctx, f.actor, d)
	if err != nil {
		t.Fatalf("create report: %v\n%s", err, def)
	}
	return r
}

// countReport is a report grouping by rowParams with one count column.
func (f *statScene) countReport(t *testing.T, rowParams string, extra ...string) crm.Report {
	t.Helper()
	settings := `"rowParams": ` + rowParams
	for _, e := range extra {
		settings += ", " + e
	}
	return f.report(t, `{"name": "Счёт", "settings": {`+settings+`}, "tableColumns": [{"settings": {"staticColumnName": "Сделок",
		"operationParams": {"type": 1, "crm_element_id": null, "value": null}, "dynamicValue": {"crm_element_id": null, "value": null},
		"typeColumn": 1, "calcConditions": [], "showConditions": []}}]}`)
}

// stat posts stat/custom with the given request.
func (f *statScene) stat(t *testing.T, request string) *crmtest.Reply {
	t.Helper()
	return f.post(t, "stat/custom/", request)
}

// data posts stat/custom and returns result.data.
func (f *statScene) data(t *testing.T, r crm.Report, pipeline int64, start, end, show string) []any {
	t.Helper()
	reply := success(f.stat(t, fmt.Sprintf(`{"stat_id": %d, "pipeline_id": %d, "start_date": %s, "end_date": %s, "show_type": %q}`,
		r.ID, pipeline, start, end, show)))
	reply.List("result.data")
	return reply.At("result.data").([]any)
}

// fill replaces {name} placeholders with values.
func fill(text string, values map[string]any) string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		text = strings.ReplaceAll(text, "{"+k+"}", fmt.Sprint(values[k]))
	}
	return text
}

func (f *statScene) vars(r crm.Report) map[string]any {
	v := map[string]any{
		"admin": f.admin, "employee": f.employee, "dept": f.dept, "I1": f.inbox1, "I2": f.inbox2,
		"SUM": f.sum, "LIST": f.list, "CITY": f.city, "A": f.enumA, "B": f.enumB,
		"new": f.stNew, "work": f.stWork, "won": f.stWon, "crm": f.id, "stat": r.ID,
	}
	for i, c := range r.Columns {
		v[fmt.Sprintf("C%d", i+1)] = c.ID
	}
	return v
}

// The E41 example's report, over this account's fields: rows by
// responsible (1), inbox type (3), the deal field "Сумма" (as 200 in the
// example) and utm_source (2005); a static column summing "Сумма" and a
// dynamic column counting deals per stage.
const exampleReportE41 = `{
  "name": "Пример E41",
  "settings": {
    "rowParams": [
      { "type": 1 },
      { "type": 3 },
      { "crm_element_id": 3, "value": {SUM}, "type": 4 },
      { "crm_element_id": 3, "value": 2005, "type": 4 }
    ],
    "typeDateFilter": "created",
    "rowShowConditions": [],
    "dateStages": [],
    "typeDateFilterInputId": ""
  },
  "tableColumns": [
    {
      "settings": {
        "staticColumnName": "4yyuyy",
        "operationParams": { "type": 2, "crm_element_id": 3, "value": {SUM} },
        "dynamicValue": { "crm_element_id": null, "value": null },
        "typeColumn": 1,
        "calcConditions": [],
        "showConditions": []
      }
    },
    {
      "settings": {
        "typeColumn": 2,
        "operationParams": { "type": 1, "crm_element_id": null, "value": null },
        "dynamicValue": { "crm_element_id": null, "value": "2" },
        "staticColumnName": "",
        "calcConditions": [],
        "showConditions": []
      }
    }
  ]
}`

// TestStatCustomExample replays E41's request against the example's
// report and checks the whole answer: data rows with N_value, E_F and
// C_column keys, the total row, tableColumns and settings.
func TestStatCustomExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		f := newStatScene(t, env)
		r := f.report(t, fill(exampleReportE41, map[string]any{"SUM": f.sum}))
		v := f.vars(r)
		resp := f.stat(t, fmt.Sprintf(`{
			"stat_id": %d,
			"pipeline_id": %d,
			"start_date": "2021-01-22",
			"end_date": "2021-04-22",
			"show_type": "table"
		}`, r.ID, f.pipeline.ID))
		success(resp).Keys("", "result", "status_code", "message").Keys("result", "data", "tableColumns", "settings")
		resp.EqualJSON("result.data", fill(`[
			{"1_value": {admin}, "3_value": {I1}, "3_{SUM}": null, "3_2005": null, "{C1}_column": 0, "{C2}_column": {"{new}": 1}},
			{"1_value": {admin}, "3_value": {I1}, "3_{SUM}": "1500", "3_2005": "google", "{C1}_column": 1500, "{C2}_column": {"{new}": 1}},
			{"1_value": {employee}, "3_value": {I2}, "3_{SUM}": null, "3_2005": "google", "{C1}_column": 0, "{C2}_column": {"{new}": 1}},
			{"1_value": {employee}, "3_value": {I2}, "3_{SUM}": "2500.5", "3_2005": null, "{C1}_column": 2500.5, "{C2}_column": {"{won}": 1}},
			{"total": true, "{C1}_column": 4000.5, "{C2}_column": {"{new}": 3, "{won}": 1}}
		]`, v))
		resp.EqualJSON("result.tableColumns", fill(`[
			{"id": {C1}, "crm_id": {crm}, "custom_stat_id": {stat}, "created_at": "2021-04-22 15:56:36",
			 "updated_at": "2021-04-22 15:56:36", "deleted_at": null, "settings": {
				"staticColumnName": "4yyuyy",
				"operationParams": {"type": 2, "crm_element_id": 3, "value": {SUM}},
				"dynamicValue": {"crm_element_id": null, "value": null},
				"typeColumn": 1, "calcConditions": [], "showConditions": []}},
			{"id": {C2}, "crm_id": {crm}, "custom_stat_id": {stat}, "created_at": "2021-04-22 15:56:36",
			 "updated_at": "2021-04-22 15:56:36", "deleted_at": null, "settings": {
				"typeColumn": 2,
				"operationParams": {"type": 1, "crm_element_id": null, "value": null},
				"dynamicValue": {"crm_element_id": null, "value": "2"},
				"staticColumnName": "", "calcConditions": [], "showConditions": []}}
		]`, v))
		resp.EqualJSON("result.settings", fill(`{
			"rowParams": [
				{"type": 1}, {"type": 3},
				{"crm_element_id": 3, "value": {SUM}, "type": 4},
				{"crm_element_id": 3, "value": 2005, "type": 4}
			],
			"typeDateFilter": "created", "rowShowConditions": [], "dateStages": [], "typeDateFilterInputId": ""
		}`, v))
		// Without the trailing slash, and with ids as strings.
		resp = success(f.post(t, "stat/custom", fmt.Sprintf(`{"stat_id": "%d",
			"pipeline_id": "%d", "start_date": "2021-01-22", "end_date": "2021-04-22", "show_type": "table"}`, r.ID, f.pipeline.ID)))
		if got := resp.List("result.data"); len(got) != 5 {
			t.Errorf("%d rows, want 5", len(got))
		}
	})
}

// treeReport groups by responsible and stage, with a count, a count of the
// deals from inbox type I2 (calcConditions), the sum of "Сумма" per inbox
// type and a count per option of the list field.
const treeReport = `{"name": "Дерево", "settings": {"rowParams": [{"type": 1}, {"type": 2}], "typeDateFilter": "created"},
	"tableColumns": [
	{"settings": {"staticColumnName": "Сделок", "typeColumn": 1, "operationParams": {"type": 1},
		"dynamicValue": {"crm_element_id": null, "value": null}, "calcConditions": [], "showConditions": []}},
	{"settings": {"staticColumnName": "С сайта", "typeColumn": 1, "operationParams": {"type": 1},
		"calcConditions": [{"type": 3, "values": [{I2}]}]}},
	{"settings": {"typeColumn": 2, "operationParams": {"type": 2, "crm_element_id": 3, "value": "{SUM}"},
		"dynamicValue": {"crm_element_id": null, "value": 3}}},
	{"settings": {"typeColumn": 2, "operationParams": {"type": 1, "crm_element_id": null, "value": null},
		"dynamicValue": {"crm_element_id": 3, "value": "{LIST}"}}}
	]}`

// TestStatCustomTableAndTree: the same report as a flat table and as a
// tree of subtotals; count and sum columns, static and dynamic, and a
// column restricted by calcConditions.
func TestStatCustomTableAndTree(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		f := newStatScene(t, env)
		r := f.report(t, fill(treeReport, map[string]any{"SUM": f.sum, "I2": f.inbox2, "LIST": f.list}))
		v := f.vars(r)
		table := f.data(t, r, f.pipeline.ID, `"2021-01-22"`, `"2021-04-22"`, "table")
		equalJSON(t, "table", table, fill(`[
			{"1_value": {admin}, "2_value": {new}, "{C1}_column": 2, "{C2}_column": 0, "{C3}_column": {"{I1}": 1500}, "{C4}_column": {"0": 1, "{A}": 1}},
			{"1_value": {employee}, "2_value": {new}, "{C1}_column": 1, "{C2}_column": 1, "{C3}_column": {"{I2}": 0}, "{C4}_column": {"{A}": 1}},
			{"1_value": {employee}, "2_value": {won}, "{C1}_column": 1, "{C2}_column": 1, "{C3}_column": {"{I2}": 2500.5}, "{C4}_column": {"{B}": 1}},
			{"total": true, "{C1}_column": 4, "{C2}_column": 2, "{C3}_column": {"{I1}": 1500, "{I2}": 2500.5}, "{C4}_column": {"0": 1, "{A}": 2, "{B}": 1}}
		]`, v))
		tree := f.data(t, r, f.pipeline.ID, `"2021-01-22"`, `"2021-04-22"`, "tree")
		equalJSON(t, "tree", tree, fill(`[
			{"1_value": {admin}, "{C1}_column": 2, "{C2}_column": 0, "{C3}_column": {"{I1}": 1500}, "{C4}_column": {"0": 1, "{A}": 1},
			 "children": [
				{"1_value": {admin}, "2_value": {new}, "{C1}_column": 2, "{C2}_column": 0, "{C3}_column": {"{I1}": 1500}, "{C4}_column": {"0": 1, "{A}": 1}}
			 ]},
			{"1_value": {employee}, "{C1}_column": 2, "{C2}_column": 2, "{C3}_column": {"{I2}": 2500.5}, "{C4}_column": {"{A}": 1, "{B}": 1},
			 "children": [
				{"1_value": {employee}, "2_value": {new}, "{C1}_column": 1, "{C2}_column": 1, "{C3}_column": {"{I2}": 0}, "{C4}_column": {"{A}": 1}},
				{"1_value": {employee}, "2_value": {won}, "{C1}_column": 1, "{C2}_column": 1, "{C3}_column": {"{I2}": 2500.5}, "{C4}_column": {"{B}": 1}}
			 ]},
			{"total": true, "{C1}_column": 4, "{C2}_column": 2, "{C3}_column": {"{I1}": 1500, "{I2}": 2500.5}, "{C4}_column": {"0": 1, "{A}": 2, "{B}": 1}}
		]`, v))
		// The stored definition echoes normalised: ids as numbers, lists as [].
		obj := success(f.stat(t, fmt.Sprintf(`{"stat_id": %d, "pipeline_id": %d, "start_date": "2021-01-22", "end_date": "2021-04-22",
			"show_type": "tree"}`, r.ID, f.pipeline.ID)))
		obj.EqualJSON("result.tableColumns.1.settings", fill(`{"staticColumnName": "С сайта",
			"operationParams": {"type": 1, "crm_element_id": null, "value": null}, "dynamicValue": {"crm_element_id": null, "value": null},
			"typeColumn": 1, "calcConditions": [{"type": 3, "values": [{I2}]}], "showConditions": []}`, v))
		obj.EqualJSON("result.tableColumns.2.settings", fill(`{"staticColumnName": "",
			"operationParams": {"type": 2, "crm_element_id": 3, "value": {SUM}}, "dynamicValue": {"crm_element_id": null, "value": "3"},
			"typeColumn": 2, "calcConditions": [], "showConditions": []}`, v))
		// No deals in the range: only the total row.
		empty := f.data(t, r, f.pipeline.ID, `"2020-01-01"`, `"2020-01-31"`, "tree")
		equalJSON(t, "empty", empty, fill(`[{"total": true, "{C1}_column": 0, "{C2}_column": 0, "{C3}_column": {}, "{C4}_column": {}}]`, v))
	})
}

// TestStatCustomGroupings covers each grouping kind: department, stage
// status, a list field (option ids), the deal name, the client's name and
// a client custom field; and a report without row groupings.
func TestStatCustomGroupings(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		f := newStatScene(t, env)
		for _, c := range []struct {
			name, rowParams, want string
		}{
			{"department", `[{"type": 5}]`, `[{"5_value": 0, "{C1}_column": 3}, {"5_value": {dept}, "{C1}_column": 1}]`},
			{"stage status", `[{"type": 6}]`, `[{"6_value": 2001, "{C1}_column": 3}, {"6_value": 2003, "{C1}_column": 1}]`},
			{"inbox type", `[{"type": 3}]`, `[{"3_value": {I1}, "{C1}_column": 2}, {"3_value": {I2}, "{C1}_column": 2}]`},
			{"list field", `[{"type": 4, "crm_element_id": 3, "value": {LIST}}]`,
				`[{"3_{LIST}": null, "{C1}_column": 1}, {"3_{LIST}": {A}, "{C1}_column": 2}, {"3_{LIST}": {B}, "{C1}_column": 1}]`},
			{"deal name", `[{"type": 4, "crm_element_id": 3, "value": 2001}]`,
				`[{"3_2001": "Двери", "{C1}_column": 1}, {"3_2001": "Окна", "{C1}_column": 2}, {"3_2001": "Пол", "{C1}_column": 1}]`},
			{"client name", `[{"type": 4, "crm_element_id": 2, "value": 1001}]`,
				`[{"2_1001": "Анна", "{C1}_column": 2}, {"2_1001": "Борис", "{C1}_column": 2}]`},
			{"client field", `[{"type": 4, "crm_element_id": 2, "value": "{CITY}"}]`,
				`[{"2_{CITY}": null, "{C1}_column": 2}, {"2_{CITY}": "Москва", "{C1}_column": 2}]`},
			{"no grouping", `[]`, `[{"{C1}_column": 4}]`},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := f.countReport(t, fill(c.rowParams, f.vars(crm.Report{})))
				v := f.vars(r)
				data := f.data(t, r, f.pipeline.ID, `"2021-01-22"`, `"2021-04-22"`, "table")
				equalJSON(t, "rows", data[:len(data)-1], fill(c.want, v))
				equalJSON(t, "total", data[len(data)-1], fill(`{"total": true, "{C1}_column": 4}`, v))
			})
		}
	})
}

// count evaluates a one-count-column report without groupings and
// returns the total.
func (f *statScene) count(t *testing.T, r crm.Report, pipeline int64, start, end string) string {
	t.Helper()
	data := f.data(t, r, pipeline, start, end, "table")
	return fmt.Sprint(data[len(data)-1].(map[string]any)[r.Columns[0].Key()])
}

// TestStatCustomDates: the range is whole days in the account's time zone
// (or Unix timestamps), and typeDateFilter picks the date it applies to.
func TestStatCustomDates(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		f := newStatScene(t, env)
		created := f.countReport(t, `[]`)
		// D6 (21:30 UTC on Jan 21) is Jan 22 in Moscow, D8 (20:30 UTC) is
		// still Jan 21; D7 (21:30 UTC on Apr 22) is Apr 23.
		if n := f.count(t, created, f.pipeline.ID, `"2021-01-22"`, `"2021-04-22"`); n != "4" {
			t.Errorf("created Jan 22 – Apr 22: %s deals, want 4 (D1, D2, D3, D6)", n)
		}
		if n := f.count(t, created, f.pipeline.ID, `"2021-01-21"`, `"2021-01-21"`); n != "1" {
			t.Errorf("created Jan 21: %s deals, want 1 (D8)", n)
		}
		if n := f.count(t, created, f.pipeline.ID, `"2021-04-23"`, `"2021-04-23"`); n != "1" {
			t.Errorf("created Apr 23: %s deals, want 1 (D7)", n)
		}
		// Unix timestamps, used as they are: 2021-01-21 21:00 UTC to 22:00 UTC holds D6.
		from := time.Date(2021, 1, 21, 21, 0, 0, 0, time.UTC).Unix()
		if n := f.count(t, created, f.pipeline.ID, fmt.Sprint(from), fmt.Sprintf(`"%d"`, from+3600)); n != "1" {
			t.Errorf("created in a Unix range: %s deals, want 1 (D6)", n)
		}
		// Another pipeline: D5 only.
		if n := f.count(t, created, f.other.ID, `"2021-01-01"`, `"2021-12-31"`); n != "1" {
			t.Errorf("other pipeline: %s deals, want 1 (D5)", n)
		}
		closed := f.countReport(t, `[]`, `"typeDateFilter": "closed"`)
		if n := f.count(t, closed, f.pipeline.ID, `"2021-04-01"`, `"2021-04-30"`); n != "1" {
			t.Errorf("closed in April: %s deals, want 1 (D2)", n)
		}
		if n := f.count(t, closed, f.pipeline.ID, `"2021-02-01"`, `"2021-02-28"`); n != "0" {
			t.Errorf("closed in February: %s deals, want 0", n)
		}
		changed := f.countReport(t, `[]`, `"typeDateFilter": "stage_changed"`)
		if n := f.count(t, changed, f.pipeline.ID, `"2021-04-10"`, `"2021-04-10"`); n != "1" {
			t.Errorf("stage changed on Apr 10: %s deals, want 1 (D2)", n)
		}
		transition := f.countReport(t, `[]`, `"typeDateFilter": "stage_transition"`, fmt.Sprintf(`"dateStages": ["%d"]`, f.stWork))
		if n := f.count(t, transition, f.pipeline.ID, `"2021-02-02"`, `"2021-02-02"`); n != "1" {
			t.Errorf("entered В работе on Feb 2: %s deals, want 1 (D2)", n)
		}
		if n := f.count(t, transition, f.pipeline.ID, `"2021-04-10"`, `"2021-04-10"`); n != "0" {
			t.Errorf("entered В работе on Apr 10: %s deals, want 0", n)
		}
		input := f.countReport(t, `[]`, `"typeDateFilter": "input"`, fmt.Sprintf(`"typeDateFilterInputId": "%d"`, f.date))
		if n := f.count(t, input, f.pipeline.ID, `"2021-06-01"`, `"2021-06-01"`); n != "1" {
			t.Errorf("meeting on Jun 1: %s deals, want 1 (D1)", n)
		}
		if n := f.count(t, input, f.pipeline.ID, `"2021-06-02"`, `"2021-06-30"`); n != "0" {
			t.Errorf("meeting after Jun 1: %s deals, want 0", n)
		}
		obj := success(f.stat(t, fmt.Sprintf(`{"stat_id": %d, "pipeline_id": %d, "start_date": "2021-06-01", "end_date": "2021-06-01",
			"show_type": "table"}`, input.ID, f.pipeline.ID)))
		obj.EqualJSON("result.settings", fmt.Sprintf(`{"rowParams": [],
			"typeDateFilter": "input", "rowShowConditions": [], "dateStages": [], "typeDateFilterInputId": "%d"}`, f.date))
	})
}

// TestStatCustomErrors: missing and bad parameters, unknown reports and
// pipelines, another account's report.
func TestStatCustomErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		f := newStatScene(t, env)
		r := f.countReport(t, `[{"type": 1}]`)
		ok := func(k, v string) string {
			m := map[string]string{"stat_id": fmt.Sprint(r.ID), "pipeline_id": fmt.Sprint(f.pipeline.ID),
				"start_date": `"2021-01-22"`, "end_date": `"2021-04-22"`, "show_type": `"table"`}
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
			var parts []string
			for key, val := range m {
				parts = append(parts, fmt.Sprintf("%q: %s", key, val))
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
		for _, c := range []struct {
			request string
			status  int
			msg     string
		}{
			{ok("stat_id", ""), 400, "Не указан stat_id"},
			{ok("pipeline_id", ""), 400, "Не указан pipeline_id"},
			{ok("start_date", ""), 400, "Не указан start_date"},
			{ok("end_date", `""`), 400, "Не указан end_date"},
			{ok("show_type", ""), 400, "Не указан show_type"},
			{ok("show_type", `"chart"`), 400, "show_type должен быть table или tree"},
			{ok("start_date", `"22.01.2021"`), 400, "Дата должна быть в формате YYYY-MM-DD: 22.01.2021"},
			{ok("end_date", `"2021-01-01"`), 400, "start_date позже end_date"},
			{ok("stat_id", "999999"), 404, wantReportNotFound},
			{ok("pipeline_id", "999999"), 404, wantPipelineNotFound},
			{ok("pipeline_id", fmt.Sprint(f.dealPipelineKindInbound)), 404, wantPipelineNotFound},
		} {
			refused(t, f.stat(t, c.request), c.status, c.msg)
		}
		// Another account sees neither the report nor the pipeline.
		f.otherAccount.fail(t, "stat/custom/", fmt.Sprintf(`{"stat_id": %d, "pipeline_id": %d, "start_date": "2021-01-22",
			"end_date": "2021-04-22", "show_type": "table"}`, r.ID, f.otherAccount.pipeline.ID), 404, wantReportNotFound)
		f.as("wrong").fail(t, "stat/custom/", `{}`, 401, "Неправильный ключ api")
		// A field deleted after the report was defined.
		cr := f.countReport(t, fmt.Sprintf(`[{"type": 4, "crm_element_id": 3, "value": %d}]`, f.list))
		if err := f.svc.DeleteCustomField(f.ctx, f.actor, crm.EntityDeal, f.list); err != nil {
			t.Fatal(err)
		}
		refused(t, f.stat(t, fmt.Sprintf(`{"stat_id": %d, "pipeline_id": %d, "start_date": "2021-01-22", "end_date": "2021-04-22",
			"show_type": "table"}`, cr.ID, f.pipeline.ID)), 404, wantFieldNotFound)
	})
}

// TestStatReportDefinitions: what the definition format refuses, and an
// update that keeps, adds and drops columns.
func TestStatReportDefinitions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		f := newStatScene(t, env)
		count := `{"settings": {"typeColumn": 1, "operationParams": {"type": 1}}}`
		for _, c := range []struct{ def, path string }{
			{`{"settings": {"rowParams": []}, "tableColumns": []}`, "name"},
			{`{"name": "x", "settings": {"rowParams": [{"type": 9}]}, "tableColumns": []}`, "settings.rowParams.0"},
			{`{"name": "x", "settings": {"rowParams": [{"type": 1}, {"type": 1}]}, "tableColumns": []}`, "settings.rowParams.1"},
			{`{"name": "x", "settings": {"rowParams": [{"type": 4, "crm_element_id": 1, "value": 2}]}, "tableColumns": []}`, "settings.rowParams.0"},
			{`{"name": "x", "settings": {"rowParams": [{"type": 4, "crm_element_id": 3, "value": 987654}]}, "tableColumns": []}`, "settings.rowParams.0"},
			{`{"name": "x", "settings": {"typeDateFilter": "someday"}, "tableColumns": []}`, "settings.typeDateFilter"},
			{`{"name": "x", "settings": {"typeDateFilter": "input", "typeDateFilterInputId": "{SUM}"}, "tableColumns": []}`, "settings.typeDateFilterInputId"},
			{`{"name": "x", "settings": {"dateStages": [987654]}, "tableColumns": []}`, "settings.dateStages.0"},
			{`{"name": "x", "settings": {"rowShowConditions": [{"any": 1}]}, "tableColumns": []}`, "settings.rowShowConditions"},
			{`{"name": "x", "settings": {}, "tableColumns": [{"settings": {"typeColumn": 3, "operationParams": {"type": 1}}}]}`, "tableColumns.0.settings.typeColumn"},
			{`{"name": "x", "settings": {}, "tableColumns": [{"settings": {"typeColumn": 1, "operationParams": {"type": 7}}}]}`, "tableColumns.0.settings.operationParams.type"},
			{`{"name": "x", "settings": {}, "tableColumns": [{"settings": {"typeColumn": 1, "operationParams": {"type": 2, "crm_element_id": 3, "value": {LIST}}}}]}`, "tableColumns.0.settings.operationParams"},
			{`{"name": "x", "settings": {}, "tableColumns": [{"settings": {"typeColumn": 2, "operationParams": {"type": 1}, "dynamicValue": {"value": "4"}}}]}`, "tableColumns.0.settings.dynamicValue"},
			{`{"name": "x", "settings": {}, "tableColumns": [{"settings": {"typeColumn": 1, "operationParams": {"type": 1}, "calcConditions": [{"type": 2, "values": ["x"]}]}}]}`, "tableColumns.0.settings.calcConditions.0"},
			{`{"name": "x", "settings": {}, "tableColumns": [{"settings": {"typeColumn": 1, "operationParams": {"type": 1}, "showConditions": [{}]}}]}`, "tableColumns.0.settings.showConditions"},
		} {
			d, err := envybox.ParseReportDefinition([]byte(fill(c.def, f.vars(crm.Report{}))))
			if err != nil {
				t.Fatalf("%s: parse: %v", c.def, err)
			}
			_, err = f.svc.CreateReport(f.ctx, f.actor, d)
			e, isDomain := crm.AsError(err)
			if !isDomain || e.Kind != crm.KindInvalid || len(e.Violations) == 0 || e.Violations[0].Path != c.path {
				t.Errorf("%s: error %v, want a violation at %s", c.def, err, c.path)
			}
		}
		if _, err := envybox.ParseReportDefinition([]byte(`{"name": "x", "setings": {}}`)); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("a misspelt member: %v, want invalid", err)
		}
		member := crm.Actor{AccountID: f.id, UserID: f.employee, Role: crm.RoleMember}
		if _, err := f.svc.CreateReport(f.ctx, member, crm.ReportDefinition{Name: "x"}); crm.KindOf(err) != crm.KindForbidden {
			t.Errorf("a member creating a report: %v, want forbidden", err)
		}

		r := f.report(t, `{"name": "Три", "settings": {}, "tableColumns": [`+count+`, `+count+`, `+count+`]}`)
		keep, drop := r.Columns[0].ID, r.Columns[1].ID
		def, err := envybox.ParseReportDefinition([]byte(fmt.Sprintf(`{"name": "Два", "settings": {"rowParams": [{"type": 6}]},
			"tableColumns": [{"settings": {"typeColumn": 2, "operationParams": {"type": 1}, "dynamicValue": {"value": "1"}}},
			{"id": %d, "crm_id": 1, "custom_stat_id": 1, "created_at": "2021-01-01 00:00:00", "updated_at": null, "deleted_at": null,
			 "settings": {"typeColumn": 1, "operationParams": {"type": 1}}}]}`, keep)))
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(utc("2021-04-23 08:00:00"))
		up, err := f.svc.UpdateReport(f.ctx, f.actor, r.ID, def)
		if err != nil {
			t.Fatal(err)
		}
		if up.Name != "Два" || len(up.Columns) != 2 || up.Columns[1].ID != keep || up.Columns[0].ID == drop || up.Columns[0].ID == keep {
			t.Fatalf("updated report %+v", up)
		}
		if !up.Columns[1].UpdatedAt.Equal(r.Columns[0].UpdatedAt) || up.Columns[0].CreatedAt.Equal(r.Columns[0].CreatedAt) {
			t.Errorf("column times: kept %v/%v, new %v", up.Columns[1].UpdatedAt, r.Columns[0].UpdatedAt, up.Columns[0].CreatedAt)
		}
		data := f.data(t, up, f.pipeline.ID, `"2021-01-22"`, `"2021-04-22"`, "table")
		equalJSON(t, "updated report", data, fill(`[
			{"6_value": 2001, "{C1}_column": {"{admin}": 2, "{employee}": 1}, "{C2}_column": 3},
			{"6_value": 2003, "{C1}_column": {"{employee}": 1}, "{C2}_column": 1},
			{"total": true, "{C1}_column": {"{admin}": 2, "{employee}": 2}, "{C2}_column": 4}]`, f.vars(up)))
		if _, err := f.svc.UpdateReport(f.ctx, f.actor, 999999, def); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("updating an unknown report: %v", err)
		}
		bad, _ := envybox.ParseReportDefinition([]byte(fmt.Sprintf(`{"name": "x", "settings": {}, "tableColumns": [{"id": %d, "settings": %s}]}`,
			drop, `{"typeColumn": 1, "operationParams": {"type": 1}}`)))
		if _, err := f.svc.UpdateReport(f.ctx, f.actor, r.ID, bad); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("a deleted column's id: %v, want invalid", err)
		}
		var buf bytes.Buffer
		if err := envybox.WriteReportDefinition(&buf, up); err != nil {
			t.Fatal(err)
		}
		if _, err := envybox.ParseReportDefinition(buf.Bytes()); err != nil {
			t.Errorf("the definition of a stored report does not parse back: %v\n%s", err, buf.String())
		}
	})
}
