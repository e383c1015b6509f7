package envybox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// taskKeys are the members of a full task (E23, E25, E40).
var taskKeys = []string{"id", "crm_element_id", "element_id", "crm_id", "type_id", "priority", "time", "end_time", "duration", "user_id",
	"from_employee_id", "to_employee_id", "to_department_id", "comment", "success", "required", "no_time", "it_reaction", "is_overdue",
	"created_at", "updated_at", "deleted_at"}

// taskTypes are their JSON types, as the examples show them.
var taskTypes = map[string]string{"id": "n", "crm_element_id": "n", "element_id": "n", "crm_id": "n", "type_id": "n", "priority": "n",
	"time": "s", "end_time": "null", "duration": "null", "user_id": "n", "from_employee_id": "n", "to_employee_id": "n",
	"to_department_id": "n", "comment": "s", "success": "n", "required": "n", "no_time": "n", "it_reaction": "n", "is_overdue": "n",
	"created_at": "s", "updated_at": "s", "deleted_at": "null"}

// taskActiveKeys are the twelve members of E24's task.
var taskActiveKeys = []string{"crm_id", "crm_element_id", "element_id", "user_id", "from_employee_id", "to_employee_id",
	"to_department_id", "comment", "time", "updated_at", "created_at", "id"}

// taskMSK renders a time as the account (Moscow) shows it.
func taskMSK(t time.Time) string {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return t.In(loc).Format(time.DateTime)
}

// taskDeal creates a deal through deal/create with the given extra
// members and returns its id.
func (e *dealEnv) taskDeal(t *testing.T, clientID int64, extra string) int64 {
	t.Helper()
	d := dealObj(t, dealObj(t, e.post(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"name": "Сделка", "client_id": %d%s}`, clientID, extra)),
		"result"), "deal")
	id, _ := d["id"].(json.Number).Int64()
	return id
}

// updateTask calls deal/updatetask and returns result.task.
func (e *dealEnv) updateTask(t *testing.T, req string) map[string]any {
	t.Helper()
	obj := e.post(t, "/openapi/v1/deal/updatetask/", req)
	dealKeys(t, "reply", obj, "result", "status_code", "message")
	r := dealObj(t, obj, "result")
	dealKeys(t, "result", r, "task")
	task := dealObj(t, r, "task")
	dealKeys(t, "task", task, taskKeys...)
	dealTypes(t, "task", task, taskTypes)
	return task
}

// dealTasks calls deal/getTasks and returns result.
func (e *dealEnv) dealTasks(t *testing.T, dealID int64) []any {
	t.Helper()
	obj := e.post(t, "/openapi/v1/deal/getTasks/", fmt.Sprintf(`{"deal_id": %d}`, dealID))
	dealKeys(t, "reply", obj, "result", "status_code", "message")
	list := dealArr(t, obj, "result")
	for i, x := range list {
		task := x.(map[string]any)
		dealKeys(t, fmt.Sprintf("result[%d]", i), task, taskKeys...)
		dealTypes(t, fmt.Sprintf("result[%d]", i), task, taskTypes)
	}
	return list
}

// taskIDs are the ids of rendered tasks.
func taskIDs(list []any) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, string(x.(map[string]any)["id"].(json.Number)))
	}
	return out
}

func TestTaskUpdate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()
		member := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		dealID := e.taskDeal(t, e.plainClient(t, "Клиент"), "")
		if g := e.get(t, dealID); g["with_event"] != "0" {
			t.Fatalf("with_event before any task = %v", g["with_event"])
		}

		// The document's request: the deal has no task, so one is created
		// for the employee; the time is Unix seconds.
		task := e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": 1539899001, "comment": "Связаться с клиентом", "employee_id": %d}`,
			dealID, member.UserID))
		dealWant(t, "task", task, map[string]any{
			"crm_element_id": 3, "element_id": dealID, "crm_id": e.actor.AccountID, "type_id": 1, "priority": 0,
			"time": "2018-10-19 00:43:21", "end_time": nil, "duration": nil, "user_id": e.actor.UserID, "from_employee_id": 0,
			"to_employee_id": member.UserID, "to_department_id": 0, "comment": "Связаться с клиентом", "success": 0, "required": 0,
			"no_time": 0, "it_reaction": 0, "is_overdue": 1, "created_at": "2024-03-11 01:30:00", "updated_at": "2024-03-11 01:30:00",
			"deleted_at": nil,
		})
		employeeTask := task["id"]
		if g := e.get(t, dealID); g["with_event"] != "1" {
			t.Errorf("with_event after updatetask = %v", g["with_event"])
		}

		// The same employee again: that task changes; ids may be strings.
		e.clock.set(dealStart.Add(time.Hour))
		due := dealStart.Add(48 * time.Hour)
		task = e.updateTask(t, fmt.Sprintf(`{"deal_id": "%d", "time": "%d", "employee_id": "%d"}`, dealID, due.Unix(), member.UserID))
		dealWant(t, "task", task, map[string]any{"id": employeeTask, "time": taskMSK(due), "comment": "Связаться с клиентом",
			"is_overdue": 0, "created_at": "2024-03-11 01:30:00", "updated_at": "2024-03-11 02:30:00"})

		// A comment alone keeps the time.
		task = e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "comment": "Перезвонить после обеда", "employee_id": %d}`, dealID, member.UserID))
		dealWant(t, "task", task, map[string]any{"id": employeeTask, "time": taskMSK(due), "comment": "Перезвонить после обеда"})

		// No assignee: the deal's responsible (nobody: the administrator)
		// gets a new task; a comment alone makes it due in 24 hours.
		task = e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "comment": "Отправить КП"}`, dealID))
		adminTask := task["id"]
		if adminTask == employeeTask {
			t.Fatalf("the administrator's task is the employee's: %v", task)
		}
		dealWant(t, "task", task, map[string]any{"time": taskMSK(dealStart.Add(25 * time.Hour)), "comment": "Отправить КП",
			"to_employee_id": 0, "to_department_id": 0, "user_id": e.actor.UserID})
		// "employee_id": 0 is the administrator: the same task.
		task = e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": 0}`, dealID, due.Add(time.Hour).Unix()))
		dealWant(t, "task", task, map[string]any{"id": adminTask, "time": taskMSK(due.Add(time.Hour)), "comment": "Отправить КП"})

		// A department.
		dep, err := env.Server.Service.AddDepartment(ctx, e.actor, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		task = e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "department_id": %d}`, dealID, due.Unix(), dep.ID))
		dealWant(t, "task", task, map[string]any{"to_employee_id": 0, "to_department_id": dep.ID, "comment": ""})
		if got := e.dealTasks(t, dealID); len(got) != 3 {
			t.Errorf("deal/getTasks after three assignees: %v", got)
		}

		// A deal whose responsible is an employee: the task is theirs.
		dealB := e.taskDeal(t, e.plainClient(t, "Второй"), fmt.Sprintf(`, "employee_id": %d`, member.UserID))
		task = e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d}`, dealB, due.Unix()))
		dealWant(t, "task", task, map[string]any{"to_employee_id": member.UserID, "element_id": dealB, "comment": ""})

		// Errors.
		e.fail(t, "/openapi/v1/deal/updatetask/", `{"time": 1539899001}`, http.StatusBadRequest, "Не указан deal_id")
		e.fail(t, "/openapi/v1/deal/updatetask/", `{"deal_id": 999999, "time": 1539899001}`, http.StatusNotFound, "Сделка не найдена")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusInternalServerError, "Неверный request")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "  ", "employee_id": %d}`, dealID, member.UserID),
			http.StatusInternalServerError, "Неверный request")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "time": "завтра"}`, dealID), http.StatusBadRequest,
			"Параметр time должен быть числом")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "time": -5}`, dealID), http.StatusBadRequest,
			"Параметр time должен быть меткой времени Unix в секундах")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "time": 1539899001000}`, dealID), http.StatusBadRequest,
			"Параметр time должен быть меткой времени Unix в секундах")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": ["x"]}`, dealID), http.StatusBadRequest,
			"Параметр comment должен быть строкой")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "x", "employee_id": 999999}`, dealID),
			http.StatusBadRequest, "Неверный request: employee_id: employee_id is not an employee of this CRM.")
		e.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "x", "department_id": 999999}`, dealID),
			http.StatusBadRequest, "Неверный request: department_id: department_id is not a department of this CRM.")
		// Another account's deal is not found.
		other := dealAccount(t, env, e.clock, "Other tasks CRM")
		other.fail(t, "/openapi/v1/deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "x"}`, dealID), http.StatusNotFound,
			"Сделка не найдена")
		if got := e.dealTasks(t, dealID); len(got) != 3 {
			t.Errorf("failed calls changed the tasks: %v", got)
		}
	})
}

func TestTaskGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()
		first := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		second := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		clientID := e.plainClient(t, "Клиент")

		// {"request": {"deal_id": 1}} on a deal without tasks: null.
		empty := e.taskDeal(t, clientID, "")
		obj := e.post(t, "/openapi/v1/deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, empty))
		dealKeys(t, "reply", obj, "result", "status_code", "message")
		r := dealObj(t, obj, "result")
		dealKeys(t, "result", r, "task")
		if r["task"] != nil {
			t.Errorf("task of a deal without tasks = %v, want null", r["task"])
		}

		// deal/create's task for the responsible employee is the active task.
		due := dealStart.Add(10 * 24 * time.Hour)
		dealID := e.taskDeal(t, clientID, fmt.Sprintf(`, "employee_id": %d, "task": {"text": "Связаться с клиентом", "time": %d}`,
			first.UserID, due.Unix()))
		// Another employee's task, due earlier, is not the responsible's.
		other := e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": %d}`, dealID, dealStart.Add(time.Hour).Unix(), second.UserID))
		r = dealObj(t, e.post(t, "/openapi/v1/deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, dealID)), "result")
		task := dealObj(t, r, "task")
		dealKeys(t, "task", task, taskActiveKeys...)
		dealTypes(t, "task", task, map[string]string{"crm_id": "n", "crm_element_id": "n", "element_id": "n", "user_id": "n",
			"from_employee_id": "n", "to_employee_id": "n", "to_department_id": "n", "comment": "s", "time": "s", "updated_at": "s",
			"created_at": "s", "id": "n"})
		dealWant(t, "task", task, map[string]any{"crm_id": e.actor.AccountID, "crm_element_id": 3, "element_id": dealID,
			"user_id": e.actor.UserID, "from_employee_id": 0, "to_employee_id": first.UserID, "to_department_id": 0,
			"comment": "Связаться с клиентом", "time": taskMSK(due), "created_at": "2024-03-11 01:30:00", "updated_at": "2024-03-11 01:30:00"})

		// A new responsible: their task is the active one.
		if _, err := env.Server.Service.SetDealResponsible(ctx, e.actor, dealID, crm.Responsible{EmployeeID: second.UserID}); err != nil {
			t.Fatal(err)
		}
		task = dealObj(t, dealObj(t, e.post(t, "/openapi/v1/deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, dealID)), "result"), "task")
		dealWant(t, "task", task, map[string]any{"id": other["id"], "to_employee_id": second.UserID})

		// A closed task is not active.
		id, _ := other["id"].(json.Number).Int64()
		if _, err := env.Server.Service.CompleteTask(ctx, e.actor, id); err != nil {
			t.Fatal(err)
		}
		r = dealObj(t, e.post(t, "/openapi/v1/deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, dealID)), "result")
		if r["task"] != nil {
			t.Errorf("task after closing = %v, want null", r["task"])
		}

		e.fail(t, "/openapi/v1/deal/getTask/", `{}`, http.StatusBadRequest, "Не указан deal_id")
		e.fail(t, "/openapi/v1/deal/getTask/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
		e.fail(t, "/openapi/v1/deal/getTask/", `{"deal_id": "x"}`, http.StatusBadRequest, "Параметр deal_id должен быть числом")
	})
}

func TestTaskGetTasks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()
		member := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		dealID := e.taskDeal(t, e.plainClient(t, "Клиент"), "")

		// {"request": {"deal_id": 570389}} on a deal without tasks: [].
		if got := e.dealTasks(t, dealID); len(got) != 0 {
			t.Errorf("tasks of a new deal = %v", got)
		}

		// The document's state: two open tasks, one an employee's, one the
		// administrator's, with an empty comment; the earliest due first.
		late, early := dealStart.Add(72*time.Hour), dealStart.Add(2*time.Hour)
		a := e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": %d}`, dealID, late.Unix(), member.UserID))
		b := e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d}`, dealID, early.Unix()))
		list := e.dealTasks(t, dealID)
		if got, want := fmt.Sprint(taskIDs(list)), fmt.Sprint([]any{b["id"], a["id"]}); got != want {
			t.Fatalf("deal/getTasks ids %s, want %s", got, want)
		}
		dealWant(t, "result[0]", list[0].(map[string]any), map[string]any{"element_id": dealID, "crm_element_id": 3, "type_id": 1,
			"time": taskMSK(early), "to_employee_id": 0, "to_department_id": 0, "comment": "", "success": 0, "is_overdue": 0})
		dealWant(t, "result[1]", list[1].(map[string]any), map[string]any{"time": taskMSK(late), "to_employee_id": member.UserID})

		// is_overdue follows the clock.
		e.clock.set(dealStart.Add(3 * time.Hour))
		list = e.dealTasks(t, dealID)
		dealWant(t, "result[0]", list[0].(map[string]any), map[string]any{"is_overdue": 1})
		dealWant(t, "result[1]", list[1].(map[string]any), map[string]any{"is_overdue": 0})

		// Closed tasks are not listed.
		id, _ := b["id"].(json.Number).Int64()
		if _, err := env.Server.Service.CompleteTask(ctx, e.actor, id); err != nil {
			t.Fatal(err)
		}
		if got := taskIDs(e.dealTasks(t, dealID)); fmt.Sprint(got) != fmt.Sprint([]any{a["id"]}) {
			t.Errorf("after closing: %v", got)
		}

		e.fail(t, "/openapi/v1/deal/getTasks/", `{}`, http.StatusBadRequest, "Не указан deal_id")
		e.fail(t, "/openapi/v1/deal/getTasks/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
	})
}

// TestTaskDealSync: a deal's with_event and nearest task time follow its
// open tasks; deal/create's task goes through the same code.
func TestTaskDealSync(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()
		dep, err := env.Server.Service.AddDepartment(ctx, e.actor, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		closest := func(id int64) (string, time.Time) {
			t.Helper()
			fam, err := env.Server.Service.Deal(ctx, e.actor, id, false)
			if err != nil {
				t.Fatal(err)
			}
			return e.get(t, id)["with_event"].(string), fam.Deal.ClosestTaskAt
		}

		// task {}: the default task, for the deal's department, due in 24 hours.
		dealID := e.taskDeal(t, e.plainClient(t, "Клиент"), fmt.Sprintf(`, "department_id": %d, "task": {}`, dep.ID))
		list := e.dealTasks(t, dealID)
		if len(list) != 1 {
			t.Fatalf("tasks after deal/create: %v", list)
		}
		def := dealStart.Add(24 * time.Hour)
		dealWant(t, "default task", list[0].(map[string]any), map[string]any{"comment": "Связаться с клиентом", "time": taskMSK(def),
			"to_department_id": dep.ID, "to_employee_id": 0, "user_id": e.actor.UserID, "from_employee_id": 0})
		if ev, at := closest(dealID); ev != "1" || !at.Equal(def) {
			t.Errorf("after deal/create: with_event %s, closest %v, want 1, %v", ev, at, def)
		}

		// An earlier task becomes the nearest; moving it later gives way.
		early := dealStart.Add(5 * time.Hour)
		task := e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": 0}`, dealID, early.Unix()))
		if _, at := closest(dealID); !at.Equal(early) {
			t.Errorf("closest %v, want %v", at, early)
		}
		later := dealStart.Add(48 * time.Hour)
		e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": 0}`, dealID, later.Unix()))
		if _, at := closest(dealID); !at.Equal(def) {
			t.Errorf("closest %v, want %v", at, def)
		}

		// Closing every task clears both.
		id, _ := task["id"].(json.Number).Int64()
		if _, err := env.Server.Service.CompleteTask(ctx, e.actor, id); err != nil {
			t.Fatal(err)
		}
		id, _ = list[0].(map[string]any)["id"].(json.Number).Int64()
		closed, err := env.Server.Service.CompleteTask(ctx, e.actor, id)
		if err != nil || !closed.Success {
			t.Fatal(closed, err)
		}
		if ev, at := closest(dealID); ev != "0" || !at.IsZero() {
			t.Errorf("after closing: with_event %s, closest %v", ev, at)
		}
		if _, err := env.Server.Service.CompleteTask(ctx, e.actor, 999999); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("closing an unknown task: %v", err)
		}
	})
}

func TestTaskList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()
		member := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		dep, err := env.Server.Service.AddDepartment(ctx, e.actor, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation("Europe/Moscow")
		clientID := e.plainClient(t, "Клиент")
		dealA, dealB := e.taskDeal(t, clientID, ""), e.taskDeal(t, clientID, "")

		// Tasks at known Moscow times:
		//   t1 2017-07-10 00:00:00 member (deal A)  — the document's request
		//   t2 2024-03-11 00:30:00 admin  (deal A)  — 2024-03-10 21:30 UTC
		//   t3 2024-03-11 23:59:59 admin  (deal B)
		//   t4 2024-03-12 00:00:00 department (deal B)
		//   t5 2024-03-13 12:00:00 member (deal B), closed
		at := func(s string) time.Time {
			tm, err := time.ParseInLocation(time.DateTime, s, loc)
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		mk := func(dealID int64, when, who string) string {
			t.Helper()
			task := e.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "comment": "%s"%s}`, dealID, at(when).Unix(), when, who))
			return string(task["id"].(json.Number))
		}
		m := fmt.Sprintf(`, "employee_id": %d`, member.UserID)
		t1 := mk(dealA, "2017-07-10 00:00:00", m)
		t2 := mk(dealA, "2024-03-11 00:30:00", "")
		t3 := mk(dealB, "2024-03-11 23:59:59", "")
		t4 := mk(dealB, "2024-03-12 00:00:00", fmt.Sprintf(`, "department_id": %d`, dep.ID))
		t5 := mk(dealB, "2024-03-13 12:00:00", m)
		id5, _ := json.Number(t5).Int64()
		if _, err := env.Server.Service.CompleteTask(ctx, e.actor, id5); err != nil {
			t.Fatal(err)
		}
		// Another account's task is never listed.
		other := dealAccount(t, env, e.clock, "Other tasks CRM")
		otherDeal := other.taskDeal(t, other.plainClient(t, "Чужой"), "")
		other.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d}`, otherDeal, at("2024-03-11 12:00:00").Unix()))

		list := func(req string) (ids []string, obj map[string]any) {
			t.Helper()
			obj = e.post(t, "/openapi/v1/task/list/", req)
			dealKeys(t, "reply", obj, "result", "count", "limit", "offset", "status_code", "message")
			dealTypes(t, "reply", obj, map[string]string{"result": "a", "count": "n", "limit": "n", "offset": "n"})
			rows := dealArr(t, obj, "result")
			for i, x := range rows {
				dealKeys(t, fmt.Sprintf("result[%d]", i), x.(map[string]any), taskKeys...)
				dealTypes(t, fmt.Sprintf("result[%d]", i), x.(map[string]any), taskTypes)
			}
			return taskIDs(rows), obj
		}
		check := func(req string, want ...string) map[string]any {
			t.Helper()
			ids, obj := list(req)
			if fmt.Sprint(ids) != fmt.Sprint(want) {
				t.Errorf("task/list %s: ids %v, want %v", req, ids, want)
			}
			return obj
		}

		// The document's request, with our employee.
		obj := check(fmt.Sprintf(`{"limit": 50, "offset": 0, "datetime_start": "2017-07-10 00:00:00", "datetime_end": "2017-07-10 00:00:00",
			"success": 0, "employee_id": %d}`, member.UserID), t1)
		dealWant(t, "reply", obj, map[string]any{"count": 1, "limit": 50, "offset": -1})
		dealWant(t, "result[0]", dealArr(t, obj, "result")[0].(map[string]any), map[string]any{"crm_element_id": 3, "element_id": dealA,
			"crm_id": e.actor.AccountID, "time": "2017-07-10 00:00:00", "to_employee_id": member.UserID, "success": 0, "is_overdue": 1,
			"comment": "2017-07-10 00:00:00"})

		// No filter: every task of the account, the earliest due first.
		obj = check(`{}`, t1, t2, t3, t4, t5)
		dealWant(t, "reply", obj, map[string]any{"count": 5, "limit": 50, "offset": -1})
		check(`{"success": 0}`, t1, t2, t3, t4)
		obj = check(`{"success": "1"}`, t5)
		dealWant(t, "closed", dealArr(t, obj, "result")[0].(map[string]any), map[string]any{"success": 1, "is_overdue": 0})
		// employee_id 0: the administrator's tasks, not the department's.
		check(`{"employee_id": 0}`, t2, t3)
		check(fmt.Sprintf(`{"employee_id": %d}`, member.UserID), t1, t5)
		check(fmt.Sprintf(`{"employee_id": "%d", "success": 1}`, member.UserID), t5)
		check(`{"employee_id": 999999}`)

		// Periods are in the account's time zone, both ends included.
		check(`{"datetime_start": "2024-03-11 00:00:00", "datetime_end": "2024-03-11 23:59:59"}`, t2, t3)
		check(`{"datetime_start": "2024-03-11 00:30:00", "datetime_end": "2024-03-12 00:00:00"}`, t2, t3, t4)
		check(`{"datetime_start": "2024-03-11 00:30:01"}`, t3, t4, t5)
		check(`{"datetime_end": "2024-03-11 00:29:59"}`, t1)
		check(`{"datetime_start": "2024-03-11", "datetime_end": "2024-03-11"}`, t2, t3)

		// Pages: limit 0–50 (0: 50); offset is the next one, -1 at the end.
		obj = check(`{"limit": 2}`, t1, t2)
		dealWant(t, "page 1", obj, map[string]any{"count": 5, "limit": 2, "offset": 2})
		obj = check(`{"limit": 2, "offset": 2}`, t3, t4)
		dealWant(t, "page 2", obj, map[string]any{"offset": 4})
		obj = check(`{"limit": 2, "offset": 4}`, t5)
		dealWant(t, "page 3", obj, map[string]any{"offset": -1})
		obj = check(`{"limit": 0, "offset": 9}`)
		dealWant(t, "past the end", obj, map[string]any{"count": 5, "limit": 50, "offset": -1})

		// is_overdue with the clock: t2 (00:30 MSK) is overdue from 00:30:01.
		e.clock.set(at("2024-03-11 00:30:00"))
		obj = check(`{"datetime_start": "2024-03-11 00:30:00", "datetime_end": "2024-03-11 00:30:00"}`, t2)
		dealWant(t, "due now", dealArr(t, obj, "result")[0].(map[string]any), map[string]any{"is_overdue": 0})
		e.clock.set(at("2024-03-11 00:30:01"))
		obj = check(`{"datetime_start": "2024-03-11 00:30:00", "datetime_end": "2024-03-11 00:30:00"}`, t2)
		dealWant(t, "a second late", dealArr(t, obj, "result")[0].(map[string]any), map[string]any{"is_overdue": 1})

		// Errors.
		for _, c := range []struct{ req, msg string }{
			{`{"limit": 51}`, "Параметр limit: допустимые значения 0 - 50"},
			{`{"limit": -1}`, "Параметр limit: допустимые значения 0 - 50"},
			{`{"offset": -1}`, "Параметр offset не может быть отрицательным"},
			{`{"success": 2}`, "Параметр success: допустимые значения 0 (открыта), 1 (закрыта)"},
			{`{"success": "да"}`, "Параметр success должен быть числом"},
			{`{"employee_id": -1}`, "Параметр employee_id не может быть отрицательным"},
			{`{"datetime_start": "10.07.2017"}`, "Параметр datetime_start должен быть в формате YYYY-MM-DD HH:MM:SS"},
			{`{"datetime_end": "2017-07-10T00:00:00"}`, "Параметр datetime_end должен быть в формате YYYY-MM-DD HH:MM:SS"},
		} {
			e.fail(t, "/openapi/v1/task/list/", c.req, http.StatusBadRequest, c.msg)
		}
		resp := env.Do(t, http.MethodPost, "/openapi/v1/task/list/?api_key=wrong", "", `{"request": {}}`)
		dealWantError(t, resp.Status, resp.Object(t), http.StatusUnauthorized, "Неправильный ключ api")
	})
}
