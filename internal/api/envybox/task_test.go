package envybox_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the task methods (E23–E25, E40) on SQLite and
// PostgreSQL; the clock starts at dealStart.

// taskKinds are the members of a full task (E23, E25, E40) and their JSON
// kinds, as the examples show them.
var taskKinds = map[string]string{"id": "number", "crm_element_id": "number", "element_id": "number", "crm_id": "number",
	"type_id": "number", "priority": "number", "time": "string", "end_time": "null", "duration": "null", "user_id": "number",
	"from_employee_id": "number", "to_employee_id": "number", "to_department_id": "number", "comment": "string", "success": "number",
	"required": "number", "no_time": "number", "it_reaction": "number", "is_overdue": "number", "created_at": "string",
	"updated_at": "string", "deleted_at": "null"}

// createDeal creates a deal of a client through deal/create, with the
// given extra members, and returns its id.
func (a *account) createDeal(t testing.TB, clientID int64, extra string) int64 {
	t.Helper()
	return a.ok(t, "deal/create/", fmt.Sprintf(`{"name": "Сделка", "client_id": %d%s}`, clientID, extra)).Int("result.deal.id")
}

// updateTask calls deal/updatetask and returns result.task, a full task.
func (a *account) updateTask(t testing.TB, request string) crmtest.JSON {
	t.Helper()
	task := a.ok(t, "deal/updatetask/", request).Keys("", "result", "status_code", "message").Keys("result", "task").Sub("result.task")
	shape(t, "task", task, taskKinds)
	return task
}

// tasks calls deal/getTasks and returns result, full tasks.
func (a *account) tasks(t testing.TB, dealID int64) *crmtest.Reply {
	t.Helper()
	r := a.ok(t, "deal/getTasks/", fmt.Sprintf(`{"deal_id": %d}`, dealID)).Keys("", "result", "status_code", "message")
	for i, task := range r.List("result") {
		shape(t, fmt.Sprintf("result[%d]", i), task, taskKinds)
	}
	return r
}

func TestTaskUpdate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		member := env.NewUser(t, a.id, crm.RoleMember)
		dealID := a.createDeal(t, a.plainClient(t, "Клиент"), "")
		a.getDeal(t, dealID).Equal("with_event", "0")

		// The document's request: the deal has no task, so one is created
		// for the employee; the time is Unix seconds.
		task := a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": 1539899001, "comment": "Связаться с клиентом", "employee_id": %d}`,
			dealID, member.UserID))
		has(t, "task", task, map[string]any{
			"crm_element_id": 3, "element_id": dealID, "crm_id": a.id, "type_id": 1, "priority": 0,
			"time": "2018-10-19 00:43:21", "end_time": nil, "duration": nil, "user_id": a.admin, "from_employee_id": 0,
			"to_employee_id": member.UserID, "to_department_id": 0, "comment": "Связаться с клиентом", "success": 0, "required": 0,
			"no_time": 0, "it_reaction": 0, "is_overdue": 1, "created_at": "2024-03-11 01:30:00", "updated_at": "2024-03-11 01:30:00",
			"deleted_at": nil,
		})
		employeeTask := task.At("id")
		a.getDeal(t, dealID).Equal("with_event", "1")

		// The same employee again: that task changes; ids may be strings.
		clock.Set(dealStart.Add(time.Hour))
		due := dealStart.Add(48 * time.Hour)
		task = a.updateTask(t, fmt.Sprintf(`{"deal_id": "%d", "time": "%d", "employee_id": "%d"}`, dealID, due.Unix(), member.UserID))
		has(t, "task", task, map[string]any{"id": employeeTask, "time": inMSK(due), "comment": "Связаться с клиентом",
			"is_overdue": 0, "created_at": "2024-03-11 01:30:00", "updated_at": "2024-03-11 02:30:00"})

		// A comment alone keeps the time.
		task = a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "comment": "Перезвонить после обеда", "employee_id": %d}`, dealID, member.UserID))
		has(t, "task", task, map[string]any{"id": employeeTask, "time": inMSK(due), "comment": "Перезвонить после обеда"})

		// No assignee: the deal's responsible (nobody: the administrator)
		// gets a new task; a comment alone makes it due in 24 hours.
		task = a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "comment": "Отправить КП"}`, dealID))
		adminTask := task.At("id")
		if adminTask == employeeTask {
			t.Fatalf("the administrator's task is the employee's: %v", task.V)
		}
		has(t, "task", task, map[string]any{"time": inMSK(dealStart.Add(25 * time.Hour)), "comment": "Отправить КП",
			"to_employee_id": 0, "to_department_id": 0, "user_id": a.admin})
		// "employee_id": 0 is the administrator: the same task.
		task = a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": 0}`, dealID, due.Add(time.Hour).Unix()))
		has(t, "task", task, map[string]any{"id": adminTask, "time": inMSK(due.Add(time.Hour)), "comment": "Отправить КП"})

		// A department.
		dep := a.department(t, "Продажи")
		task = a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "department_id": %d}`, dealID, due.Unix(), dep))
		has(t, "task", task, map[string]any{"to_employee_id": 0, "to_department_id": dep, "comment": ""})
		if n := len(a.tasks(t, dealID).List("result")); n != 3 {
			t.Errorf("deal/getTasks after three assignees: %d tasks", n)
		}

		// A deal whose responsible is an employee: the task is theirs.
		dealB := a.createDeal(t, a.plainClient(t, "Второй"), fmt.Sprintf(`, "employee_id": %d`, member.UserID))
		task = a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d}`, dealB, due.Unix()))
		has(t, "task", task, map[string]any{"to_employee_id": member.UserID, "element_id": dealB, "comment": ""})

		// Errors.
		a.fail(t, "deal/updatetask/", `{"time": 1539899001}`, http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/updatetask/", `{"deal_id": 999999, "time": 1539899001}`, http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusInternalServerError, "Неверный request")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "  ", "employee_id": %d}`, dealID, member.UserID),
			http.StatusInternalServerError, "Неверный request")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "time": "завтра"}`, dealID), http.StatusBadRequest,
			"Параметр time должен быть числом")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "time": -5}`, dealID), http.StatusBadRequest,
			"Параметр time должен быть меткой времени Unix в секундах")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "time": 1539899001000}`, dealID), http.StatusBadRequest,
			"Параметр time должен быть меткой времени Unix в секундах")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": ["x"]}`, dealID), http.StatusBadRequest,
			"Параметр comment должен быть строкой")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "x", "employee_id": 999999}`, dealID),
			http.StatusBadRequest, "Неверный request: employee_id: employee_id is not an employee of this CRM.")
		a.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "x", "department_id": 999999}`, dealID),
			http.StatusBadRequest, "Неверный request: department_id: department_id is not a department of this CRM.")
		// Another account's deal is not found.
		other := newAccount(t, env, "Other tasks CRM")
		other.fail(t, "deal/updatetask/", fmt.Sprintf(`{"deal_id": %d, "comment": "x"}`, dealID), http.StatusNotFound, "Сделка не найдена")
		if n := len(a.tasks(t, dealID).List("result")); n != 3 {
			t.Errorf("failed calls changed the tasks: %d tasks", n)
		}
	})
}

func TestTaskGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		first := env.NewUser(t, a.id, crm.RoleMember)
		second := env.NewUser(t, a.id, crm.RoleMember)
		clientID := a.plainClient(t, "Клиент")

		// {"request": {"deal_id": 1}} on a deal without tasks: null.
		empty := a.createDeal(t, clientID, "")
		a.ok(t, "deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, empty)).Keys("", "result", "status_code", "message").
			Keys("result", "task").Equal("result.task", nil)

		// deal/create's task for the responsible employee is the active
		// task: E24's twelve members, newer typing.
		due := dealStart.Add(10 * 24 * time.Hour)
		dealID := a.createDeal(t, clientID, fmt.Sprintf(`, "employee_id": %d, "task": {"text": "Связаться с клиентом", "time": %d}`,
			first.UserID, due.Unix()))
		// Another employee's task, due earlier, is not the responsible's.
		other := a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": %d}`, dealID, dealStart.Add(time.Hour).Unix(), second.UserID))
		golden(t, "task_get_e24", a.ok(t, "deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, dealID)).Sub("result.task"),
			maskAs("crm_id", "account", a.id), maskAs("element_id", "deal", dealID), maskAs("user_id", "admin", a.admin),
			maskAs("to_employee_id", "first employee", first.UserID), maskIDs("id"))

		// A new responsible: their task is the active one.
		if _, err := env.Server.Service.SetDealResponsible(t.Context(), a.actor, dealID, crm.Responsible{EmployeeID: second.UserID}); err != nil {
			t.Fatal(err)
		}
		has(t, "task", a.ok(t, "deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, dealID)).Sub("result.task"),
			map[string]any{"id": other.At("id"), "to_employee_id": second.UserID})

		// A closed task is not active.
		if _, err := env.Server.Service.CompleteTask(t.Context(), a.actor, other.Int("id")); err != nil {
			t.Fatal(err)
		}
		a.ok(t, "deal/getTask/", fmt.Sprintf(`{"deal_id": %d}`, dealID)).Equal("result.task", nil)

		a.fail(t, "deal/getTask/", `{}`, http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/getTask/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/getTask/", `{"deal_id": "x"}`, http.StatusBadRequest, "Параметр deal_id должен быть числом")
	})
}

func TestTaskGetTasks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		member := env.NewUser(t, a.id, crm.RoleMember)
		dealID := a.createDeal(t, a.plainClient(t, "Клиент"), "")

		// {"request": {"deal_id": 570389}} on a deal without tasks: [].
		a.tasks(t, dealID).Equal("result", []any{})

		// The document's state: two open tasks, one an employee's, one the
		// administrator's, with an empty comment; the earliest due first.
		late, early := dealStart.Add(72*time.Hour), dealStart.Add(2*time.Hour)
		lateTask := a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": %d}`, dealID, late.Unix(), member.UserID))
		earlyTask := a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d}`, dealID, early.Unix()))
		r := a.tasks(t, dealID).Equal("result.*.id", []any{earlyTask.At("id"), lateTask.At("id")})
		has(t, "result[0]", r.Sub("result.0"), map[string]any{"element_id": dealID, "crm_element_id": 3, "type_id": 1,
			"time": inMSK(early), "to_employee_id": 0, "to_department_id": 0, "comment": "", "success": 0, "is_overdue": 0})
		has(t, "result[1]", r.Sub("result.1"), map[string]any{"time": inMSK(late), "to_employee_id": member.UserID})

		// is_overdue follows the clock.
		clock.Set(dealStart.Add(3 * time.Hour))
		a.tasks(t, dealID).Equal("result.*.is_overdue", []int{1, 0})

		// Closed tasks are not listed.
		if _, err := env.Server.Service.CompleteTask(t.Context(), a.actor, earlyTask.Int("id")); err != nil {
			t.Fatal(err)
		}
		a.tasks(t, dealID).Equal("result.*.id", []any{lateTask.At("id")})

		a.fail(t, "deal/getTasks/", `{}`, http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/getTasks/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
	})
}

// TestTaskDealSync: a deal's with_event and nearest task time follow its
// open tasks; deal/create's task goes through the same code.
func TestTaskDealSync(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := t.Context()
		dep := a.department(t, "Продажи")
		closest := func(id int64) (string, time.Time) {
			t.Helper()
			fam, err := env.Server.Service.Deal(ctx, a.actor, id, false)
			if err != nil {
				t.Fatal(err)
			}
			return a.getDeal(t, id).Str("with_event"), fam.Deal.ClosestTaskAt
		}

		// task {}: the default task, for the deal's department, due in 24 hours.
		dealID := a.createDeal(t, a.plainClient(t, "Клиент"), fmt.Sprintf(`, "department_id": %d, "task": {}`, dep))
		list := a.tasks(t, dealID).List("result")
		if len(list) != 1 {
			t.Fatalf("tasks after deal/create: %d", len(list))
		}
		def := dealStart.Add(24 * time.Hour)
		has(t, "default task", list[0], map[string]any{"comment": "Связаться с клиентом", "time": inMSK(def),
			"to_department_id": dep, "to_employee_id": 0, "user_id": a.admin, "from_employee_id": 0})
		if ev, at := closest(dealID); ev != "1" || !at.Equal(def) {
			t.Errorf("after deal/create: with_event %s, closest %v, want 1, %v", ev, at, def)
		}

		// An earlier task becomes the nearest; moving it later gives way.
		early := dealStart.Add(5 * time.Hour)
		task := a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": 0}`, dealID, early.Unix()))
		if _, at := closest(dealID); !at.Equal(early) {
			t.Errorf("closest %v, want %v", at, early)
		}
		later := dealStart.Add(48 * time.Hour)
		a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "employee_id": 0}`, dealID, later.Unix()))
		if _, at := closest(dealID); !at.Equal(def) {
			t.Errorf("closest %v, want %v", at, def)
		}

		// Closing every task clears both.
		if _, err := env.Server.Service.CompleteTask(ctx, a.actor, task.Int("id")); err != nil {
			t.Fatal(err)
		}
		closed, err := env.Server.Service.CompleteTask(ctx, a.actor, list[0].Int("id"))
		if err != nil || !closed.Success {
			t.Fatal(closed, err)
		}
		if ev, at := closest(dealID); ev != "0" || !at.IsZero() {
			t.Errorf("after closing: with_event %s, closest %v", ev, at)
		}
		if _, err := env.Server.Service.CompleteTask(ctx, a.actor, 999999); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("closing an unknown task: %v", err)
		}
	})
}

// TestTaskList replays E40: the account's tasks by state, employee and
// period, paged, the earliest due first.
func TestTaskList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		member := env.NewUser(t, a.id, crm.RoleMember)
		dep := a.department(t, "Продажи")
		clientID := a.plainClient(t, "Клиент")
		dealA, dealB := a.createDeal(t, clientID, ""), a.createDeal(t, clientID, "")

		// Tasks at known Moscow times:
		//   t1 2017-07-10 00:00:00 member (deal A)  — the document's request
		//   t2 2024-03-11 00:30:00 admin  (deal A)  — 2024-03-10 21:30 UTC
		//   t3 2024-03-11 23:59:59 admin  (deal B)
		//   t4 2024-03-12 00:00:00 department (deal B)
		//   t5 2024-03-13 12:00:00 member (deal B), closed
		at := func(s string) time.Time {
			tm, err := time.ParseInLocation(time.DateTime, s, msk)
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		mk := func(dealID int64, when, who string) int64 {
			t.Helper()
			return a.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d, "comment": "%s"%s}`, dealID, at(when).Unix(), when, who)).Int("id")
		}
		m := fmt.Sprintf(`, "employee_id": %d`, member.UserID)
		t1 := mk(dealA, "2017-07-10 00:00:00", m)
		t2 := mk(dealA, "2024-03-11 00:30:00", "")
		t3 := mk(dealB, "2024-03-11 23:59:59", "")
		t4 := mk(dealB, "2024-03-12 00:00:00", fmt.Sprintf(`, "department_id": %d`, dep))
		t5 := mk(dealB, "2024-03-13 12:00:00", m)
		if _, err := env.Server.Service.CompleteTask(t.Context(), a.actor, t5); err != nil {
			t.Fatal(err)
		}
		// Another account's task is never listed.
		other := newAccount(t, env, "Other tasks CRM")
		otherDeal := other.createDeal(t, other.plainClient(t, "Чужой"), "")
		other.updateTask(t, fmt.Sprintf(`{"deal_id": %d, "time": %d}`, otherDeal, at("2024-03-11 12:00:00").Unix()))

		// check lists tasks: full tasks, the envelope's members numbers.
		check := func(req string, want ...int64) *crmtest.Reply {
			t.Helper()
			r := a.ok(t, "task/list/", req).Keys("", "result", "count", "limit", "offset", "status_code", "message")
			kinds(t, "reply", r, map[string]string{"result": "array", "count": "number", "limit": "number", "offset": "number"})
			for i, task := range r.List("result") {
				shape(t, fmt.Sprintf("result[%d]", i), task, taskKinds)
			}
			crmtest.Equal(t, "task/list "+req, r.At("result.*.id"), append([]int64{}, want...))
			return r
		}

		// The document's request, with our employee.
		r := check(fmt.Sprintf(`{"limit": 50, "offset": 0, "datetime_start": "2017-07-10 00:00:00", "datetime_end": "2017-07-10 00:00:00",
			"success": 0, "employee_id": %d}`, member.UserID), t1)
		has(t, "reply", r, map[string]any{"count": 1, "limit": 50, "offset": -1})
		has(t, "result[0]", r.Sub("result.0"), map[string]any{"crm_element_id": 3, "element_id": dealA,
			"crm_id": a.id, "time": "2017-07-10 00:00:00", "to_employee_id": member.UserID, "success": 0, "is_overdue": 1,
			"comment": "2017-07-10 00:00:00"})

		// No filter: every task of the account, the earliest due first.
		r = check(`{}`, t1, t2, t3, t4, t5)
		has(t, "reply", r, map[string]any{"count": 5, "limit": 50, "offset": -1})
		check(`{"success": 0}`, t1, t2, t3, t4)
		r = check(`{"success": "1"}`, t5)
		has(t, "closed", r.Sub("result.0"), map[string]any{"success": 1, "is_overdue": 0})
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
		has(t, "page 1", check(`{"limit": 2}`, t1, t2), map[string]any{"count": 5, "limit": 2, "offset": 2})
		has(t, "page 2", check(`{"limit": 2, "offset": 2}`, t3, t4), map[string]any{"offset": 4})
		has(t, "page 3", check(`{"limit": 2, "offset": 4}`, t5), map[string]any{"offset": -1})
		has(t, "past the end", check(`{"limit": 0, "offset": 9}`), map[string]any{"count": 5, "limit": 50, "offset": -1})

		// is_overdue with the clock: t2 (00:30 MSK) is overdue from 00:30:01.
		clock.Set(at("2024-03-11 00:30:00"))
		check(`{"datetime_start": "2024-03-11 00:30:00", "datetime_end": "2024-03-11 00:30:00"}`, t2).Equal("result.0.is_overdue", 0)
		clock.Set(at("2024-03-11 00:30:01"))
		check(`{"datetime_start": "2024-03-11 00:30:00", "datetime_end": "2024-03-11 00:30:00"}`, t2).Equal("result.0.is_overdue", 1)

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
			a.fail(t, "task/list/", c.req, http.StatusBadRequest, c.msg)
		}
		a.as("wrong").fail(t, "task/list/", `{}`, http.StatusUnauthorized, "Неправильный ключ api")
	})
}
