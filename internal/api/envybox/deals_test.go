package envybox_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the deal methods (E12–E19) on SQLite and PostgreSQL.

// dealStart is 2024-03-10 22:30:00 UTC: already 2024-03-11 in Moscow, the
// default account time zone (01:30 MSK).
var dealStart = time.Date(2024, 3, 10, 22, 30, 0, 0, time.UTC)

// dealOldKinds are the members of deal/search's deals and their kinds:
// old-style typing, ids as strings.
var dealOldKinds = map[string]string{"id": "string", "crm_id": "string", "pipeline_id": "string", "client_id": "string",
	"stage_id": "string", "user_id": "string", "employee_id": "string", "old_employee_id": "string|null", "department_id": "string",
	"inbox_type_id": "string", "it_reaction": "string", "with_event": "string", "stage_updated_at": "string|null",
	"created_at": "string", "updated_at": "string|null", "deleted_at": "null"}

// dealGetKinds are the members of deal/get's deals and their kinds.
var dealGetKinds = func() map[string]string {
	m := maps.Clone(dealOldKinds)
	maps.Copy(m, map[string]string{"stage_name": "string", "stage_color": "string", "status_id": "string", "name": "string",
		"connected_lead_id": "array"})
	return m
}()

// dealNewKinds are the members of deal/create's and deal/updateEmployee's
// deals and their kinds: newer typing, ids as numbers.
var dealNewKinds = map[string]string{"id": "number", "crm_id": "number", "pipeline_id": "number", "client_id": "number",
	"stage_id": "number", "user_id": "number", "employee_id": "number", "old_employee_id": "number|null", "department_id": "number",
	"inbox_type_id": "number", "it_reaction": "number", "with_event": "number", "stage_updated_at": "string|null",
	"created_at": "string", "updated_at": "string|null", "deleted_at": "null"}

// TestDealGet replays E12: a deal with its stage, old-style typing, and
// the parent and child deals asked for with "with".
func TestDealGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		clientID, dealID := a.leadClient(t, "Денис", "79674402685", "")
		clock.Set(dealStart.Add(time.Hour))

		// {"request": {"deal_id": 1}}
		r := a.ok(t, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, dealID))
		r.Golden("deal_get_e12", maskAs("result.id", "deal", dealID), maskAs("result.crm_id", "account", a.id),
			maskAs("result.client_id", "client", clientID), maskAs("result.pipeline_id", "primary pipeline", a.pipeline.ID),
			maskAs("result.stage_id", "stage Новая", a.stages[crm.StageNew].ID), maskIDs("inbox_type_id"),
			crmtest.MaskPath("result.connected_lead_id.*", "lead"))

		// with: a deal made from another one.
		childID := a.deal(t, clientID, "Повторная продажа")
		a.tx(t, func(tx crm.Tx) error {
			d, err := tx.Deal(context.Background(), childID)
			if err != nil {
				return err
			}
			d.ParentDealID = dealID
			return tx.UpdateDeal(context.Background(), &d)
		})
		r = a.ok(t, "deal/get/", fmt.Sprintf(`{"deal_id": %d, "with": ["parent_deal", "child_deals"]}`, dealID)).Equal("result.parent_deal", nil)
		if n := len(r.List("result.child_deals")); n != 1 {
			t.Fatalf("%d child_deals, want 1", n)
		}
		shape(t, "child", r.Sub("result.child_deals.0"), dealGetKinds)
		has(t, "child", r.Sub("result.child_deals.0"), map[string]any{"id": fmt.Sprint(childID), "name": "Повторная продажа"})

		r = a.ok(t, "deal/get/", fmt.Sprintf(`{"deal_id": "%d", "with": ["parent_deal"]}`, childID))
		if r.Has("result.child_deals") {
			t.Errorf("child_deals given without being asked for")
		}
		shape(t, "parent", r.Sub("result.parent_deal"), dealGetKinds)
		r.Equal("result.parent_deal.id", fmt.Sprint(dealID))
		if g := a.getDeal(t, childID); g.Has("parent_deal") || g.Has("child_deals") {
			t.Errorf("with-members given without with: %v", g.V)
		}

		a.fail(t, "deal/get/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/get/", `{}`, http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/get/", `{"deal_id": "abc"}`, http.StatusBadRequest, "Параметр deal_id должен быть числом")
		a.fail(t, "deal/get/", fmt.Sprintf(`{"deal_id": %d, "with": ["tasks"]}`, dealID), http.StatusBadRequest,
			"Параметр with может содержать только \"parent_deal\" и \"child_deals\"")

		// Another account's deal is not found.
		other := newAccount(t, env, "Other CRM")
		other.fail(t, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusNotFound, "Сделка не найдена")
	})
}

// TestDealEnvelopeErrors: a wrong or missing key and a malformed body, on
// every deal method and the field-definition GETs.
func TestDealEnvelopeErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Тестовая CRM")
		for _, path := range []string{"deal/get/", "deal/create/", "deal/search/", "deal/updateDealStage/", "deal/updateEmployee/",
			"deal/toInbox/", "deal/list/", "deal/updateDealValue/"} {
			a.as("wrong").fail(t, path, `{"deal_id": 1}`, http.StatusUnauthorized, "Неправильный ключ api")
			a.as("").fail(t, path, `{"deal_id": 1}`, http.StatusUnauthorized, "Неправильный ключ api")
			refused(t, a.call(t, http.MethodPost, path, `{"request": {"deal_id": 1`), http.StatusBadRequest, "Неверный JSON в теле запроса")
		}
		for _, path := range []string{"deal/getListInputs/", "deal/getInput/", "client/getListInputs/", "client/getInput/"} {
			refused(t, a.as("wrong").get(t, path, "type=service&input_id=2001", ""), http.StatusUnauthorized, "Неправильный ключ api")
			refused(t, a.call(t, http.MethodGet, path+"?type=service", `{"request": `), http.StatusBadRequest, "Неверный JSON в теле запроса")
		}
	})
}

// TestDealCreate replays E13: the new deal, newer typing; a task, service
// and custom values, a responsible.
func TestDealCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		clientID := a.plainClient(t, "Клиент")

		// The document's example: string ids, "employee_id": "0" and no
		// department — a deal with nobody responsible.
		r := a.ok(t, "deal/create/", fmt.Sprintf(`{"name": "Тест", "client_id": "%d", "pipeline_id": "%d", "employee_id": "0"}`,
			clientID, a.pipeline.ID))
		id := r.Int("result.deal.id")
		r.Golden("deal_create_e13", maskAs("result.deal.id", "deal", id), maskAs("result.deal.crm_id", "account", a.id),
			maskAs("result.deal.client_id", "client", clientID), maskAs("result.deal.pipeline_id", "primary pipeline", a.pipeline.ID),
			maskAs("result.deal.stage_id", "stage Новая", a.stages[crm.StageNew].ID), maskIDs("inbox_type_id"))
		a.getDeal(t, id).Equal("name", "Тест")

		// task {} creates the default task; values set service and custom fields.
		fieldID := a.field(t, crm.EntityDeal, "Сумма", crm.FieldNumeric).ID
		dep := a.department(t, "Продажи")
		r = a.ok(t, "deal/create/", fmt.Sprintf(`{"client_id": %d, "department_id": %d, "task": {},
			"values": [{"input_id": 2005, "value": "yandex", "type_id": 1}, {"input_id": %d, "value": 1500, "type_id": 2},
			{"input_id": 2001, "value": "Из значений", "type_id": "1"}]}`, clientID, dep, fieldID))
		has(t, "deal", r.Sub("result.deal"), map[string]any{"department_id": dep, "employee_id": 0, "with_event": 1})
		id = r.Int("result.deal.id")
		r = a.ok(t, "deal/list/", `{"keyword": "Из значений"}`)
		if n := len(r.List("result")); n != 1 {
			t.Fatalf("deal/list by name: %d rows", n)
		}
		values := r.Sub("result.0.values")
		has(t, "utm_source", values.Sub("service.utm_source"), map[string]any{"value": "yandex", "input_id": "2005", "deal_id": fmt.Sprint(id)})
		has(t, "name", values.Sub("service.name"), map[string]any{"value": "Из значений", "input_id": "2001"})
		if n := len(values.List("custom")); n != 1 {
			t.Fatalf("%d custom values, want 1", n)
		}
		has(t, "custom", values.Sub("custom.0"), map[string]any{"input_id": fmt.Sprint(fieldID), "value": "1500", "type_id": "2",
			"name": "Сумма", "name_id": fmt.Sprintf("crm_%d", fieldID)})

		// A task with text and a time; an employee responsible.
		member := env.NewUser(t, a.id, crm.RoleMember)
		r = a.ok(t, "deal/create/", fmt.Sprintf(`{"name": 42, "client_id": %d, "employee_id": %d,
			"task": {"text": "Позвонить", "time": %d}}`, clientID, member.UserID, dealStart.Add(48*time.Hour).Unix()))
		has(t, "deal", r.Sub("result.deal"), map[string]any{"employee_id": member.UserID, "department_id": 0, "with_event": 1})

		a.fail(t, "deal/create/", `{"name": "Тест", "client_id": 999999}`, http.StatusNotFound, "Клиент не найден")
		a.fail(t, "deal/create/", `{"name": "Тест"}`, http.StatusBadRequest, "Не указан client_id")
		a.fail(t, "deal/create/", fmt.Sprintf(`{"client_id": %d, "task": "завтра"}`, clientID), http.StatusBadRequest,
			"Параметр task должен быть объектом")
		a.fail(t, "deal/create/", fmt.Sprintf(`{"client_id": %d, "values": [{"input_id": 2005, "value": "x", "type_id": 3}]}`, clientID),
			http.StatusBadRequest, "values[0].type_id должен быть 1 (сервисное поле) или 2 (пользовательское)")
		a.fail(t, "deal/create/", fmt.Sprintf(`{"client_id": %d, "values": [{"value": "x", "type_id": 1}]}`, clientID),
			http.StatusBadRequest, "Не указан values[0].input_id")
		a.fail(t, "deal/create/", fmt.Sprintf(`{"client_id": %d, "pipeline_id": 999999}`, clientID),
			http.StatusInternalServerError, "Неверный request")
	})
}

// TestDealSearch replays E14: the clients of a phone or email with their
// deals, old-style typing.
func TestDealSearch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		clientID, dealID := a.leadClient(t, "CallbackKILLER", "+7 (499) 322-97-10", "Team@CallbackKiller.com")
		a.leadClient(t, "Другой", "79001112233", "")

		// The document's example.
		r := a.ok(t, "deal/search/", `{"email": "team@callbackkiller.com", "phone": "74993229710"}`).Keys("", "clients", "status_code", "message")
		if n := len(r.List("clients")); n != 1 {
			t.Fatalf("%d clients, want 1", n)
		}
		r.Keys("clients.0", "id", "crm_id", "created_at", "updated_at", "deleted_at", "name", "deals_for_event")
		kinds(t, "client", r.Sub("clients.0"), map[string]string{"id": "string", "crm_id": "string", "created_at": "string",
			"updated_at": "string|null", "deleted_at": "null", "name": "string"})
		has(t, "client", r.Sub("clients.0"), map[string]any{"id": fmt.Sprint(clientID), "crm_id": fmt.Sprint(a.id), "name": "CallbackKILLER",
			"created_at": "2024-03-11 01:30:00"})
		if n := len(r.List("clients.0.deals_for_event")); n != 1 {
			t.Fatalf("%d deals_for_event, want 1", n)
		}
		shape(t, "deal", r.Sub("clients.0.deals_for_event.0"), dealOldKinds)
		has(t, "deal", r.Sub("clients.0.deals_for_event.0"), map[string]any{"id": fmt.Sprint(dealID), "client_id": fmt.Sprint(clientID)})

		// Phone alone, written any way; email alone, any case.
		for _, req := range []string{`{"phone": "8 (499) 322-97-10"}`, `{"phone": 74993229710}`, `{"email": "TEAM@callbackkiller.com"}`} {
			a.ok(t, "deal/search/", req).Equal("clients.*.id", ids(clientID))
		}
		// A second deal of the client is listed too.
		second := a.deal(t, clientID, "Вторая")
		if n := len(a.ok(t, "deal/search/", `{"phone": "74993229710"}`).List("clients.0.deals_for_event")); n != 2 {
			t.Errorf("%d deals_for_event, want deals %d and %d", n, dealID, second)
		}

		// No match: {"clients": []}.
		a.ok(t, "deal/search/", `{"phone": "70000000000"}`).Keys("", "clients", "status_code", "message").Equal("clients", []any{})
		a.fail(t, "deal/search/", `{}`, http.StatusBadRequest, "Не указан phone или email")
	})
}

// TestDealUpdateDealStage replays E16 and its effect on the date filters.
func TestDealUpdateDealStage(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := context.Background()
		clientID, dealID := a.leadClient(t, "Клиент", "79001112233", "")
		won := a.stages[crm.StageWon]

		clock.Set(dealStart.Add(3 * time.Hour)) // 2024-03-11 04:30 MSK
		a.ok(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d, "employee_id": 0}`, dealID, won.ID)).
			Keys("", "result", "status_code", "message").Equal("result", map[string]any{"stage_id": won.ID})
		has(t, "deal", a.getDeal(t, dealID), map[string]any{"stage_id": fmt.Sprint(won.ID), "status_id": "2003", "stage_name": won.Name,
			"stage_updated_at": "2024-03-11 04:30:00", "created_at": "2024-03-11 01:30:00"})

		// The stage change feeds the closed, stage_changed and
		// stage_transition filters, in the account's time zone.
		other := a.deal(t, clientID, "Открытая")
		for _, tc := range []struct {
			req  string
			want []int64
		}{
			{`{"date_type": "closed", "date_start": "2024-03-11", "date_end": "2024-03-11"}`, []int64{dealID}},
			{`{"date_type": "closed", "date_start": "2024-03-10", "date_end": "2024-03-10"}`, nil},
			{`{"date_type": "stage_changed", "date_start": "2024-03-11", "date_end": "2024-03-11"}`, []int64{other, dealID}},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": %d, "date_start": "2024-03-11", "date_end": "2024-03-11"}`, won.ID), []int64{dealID}},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d, %d], "date_start": "2024-03-11"}`, won.ID, a.stages[crm.StageLost].ID), []int64{dealID}},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d], "date_start": "2024-03-12"}`, won.ID), nil},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d]}`, a.stages[crm.StageNew].ID), []int64{other, dealID}},
		} {
			dealIDs(t, tc.req, a.ok(t, "deal/list/", tc.req), tc.want...)
		}

		// Back to an open stage: no longer closed; it entered the won stage all the same.
		clock.Set(dealStart.Add(26 * time.Hour)) // 2024-03-12 00:30 MSK
		a.ok(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": "%d", "stage_id": "%d", "client_id": %d}`, dealID,
			a.stages[crm.StageInWork].ID, clientID))
		dealIDs(t, "closed", a.ok(t, "deal/list/", `{"date_type": "closed", "date_start": "2024-03-01"}`))
		dealIDs(t, "stage_changed 12th", a.ok(t, "deal/list/", `{"date_type": "stage_changed", "date_start": "2024-03-12"}`), dealID)
		dealIDs(t, "transition", a.ok(t, "deal/list/", fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d]}`, won.ID)), dealID)

		// On behalf of an employee.
		member := env.NewUser(t, a.id, crm.RoleMember)
		a.ok(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d, "employee_id": %d}`, dealID,
			a.stages[crm.StageLost].ID, member.UserID))
		a.getDeal(t, dealID).Equal("status_id", "2004")

		a.fail(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": 999999, "stage_id": %d}`, won.ID), http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d, "client_id": %d}`, dealID, won.ID, clientID+1000),
			http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/updateDealStage/", fmt.Sprintf(`{"stage_id": %d}`, won.ID), http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusBadRequest, "Не указан stage_id")

		// A pipeline that forbids manual changes, and a stage of another pipeline.
		locked, err := env.Server.Service.AddPipeline(ctx, a.actor, crm.Pipeline{Name: "Ручная", AllowManualStageChange: false, Stages: []crm.Stage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Готово", Status: crm.StageWon}}})
		if err != nil {
			t.Fatal(err)
		}
		lockedDeal := a.newDeal(t, crm.NewDeal{ClientID: clientID, PipelineID: locked.ID})
		a.fail(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d}`, lockedDeal, locked.Stages[1].ID),
			http.StatusForbidden, "В настройках воронки сделки не включена настройка \"Разрешить менять статусы вручную\"")
		a.fail(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d}`, dealID, locked.Stages[1].ID),
			http.StatusBadRequest, "Этап не найден")
		a.getDeal(t, lockedDeal).Equal("stage_id", fmt.Sprint(locked.Stages[0].ID))
	})
}

// TestDealUpdateEmployee replays E17: an employee, a department or the
// administrator responsible; the previous employee is kept.
func TestDealUpdateEmployee(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		_, dealID := a.leadClient(t, "Клиент", "79001112233", "")
		member := env.NewUser(t, a.id, crm.RoleMember)
		dep := a.department(t, "Отдел продаж")

		clock.Set(dealStart.Add(time.Hour))
		r := a.ok(t, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": %d}`, dealID, member.UserID)).
			Keys("", "result", "status_code", "message").Keys("result", "deal")
		shape(t, "deal", r.Sub("result.deal"), dealNewKinds)
		has(t, "deal", r.Sub("result.deal"), map[string]any{"id": dealID, "employee_id": member.UserID, "old_employee_id": nil, "department_id": 0,
			"updated_at": "2024-03-11 02:30:00"})

		// To a department: the employee moves to old_employee_id.
		r = a.ok(t, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": "%d", "department_id": "%d"}`, dealID, dep))
		has(t, "deal", r.Sub("result.deal"), map[string]any{"employee_id": 0, "old_employee_id": member.UserID, "department_id": dep})
		has(t, "deal/get", a.getDeal(t, dealID), map[string]any{"employee_id": "0", "old_employee_id": fmt.Sprint(member.UserID),
			"department_id": fmt.Sprint(dep)})

		// The document's example, "employee_id": 0: the administrator.
		r = a.ok(t, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": 0}`, dealID))
		has(t, "deal", r.Sub("result.deal"), map[string]any{"user_id": a.admin, "employee_id": 0, "department_id": 0, "old_employee_id": member.UserID})

		a.fail(t, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusBadRequest, "Не указан employee_id или department_id")
		a.fail(t, "deal/updateEmployee/", `{"employee_id": 1}`, http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": 999999, "employee_id": %d}`, member.UserID), http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": 999999}`, dealID), http.StatusBadRequest,
			"Неверный request: employee_id: employee_id is not an employee of this CRM.")
	})
}

// TestDealToInbox replays E18.
func TestDealToInbox(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		_, dealID := a.leadClient(t, "Клиент", "79001112233", "")
		a.getDeal(t, dealID).Equal("it_reaction", "0")
		a.ok(t, "deal/toInbox/", fmt.Sprintf(`{"deal_id": %d}`, dealID)).Keys("", "status_code", "message")
		a.getDeal(t, dealID).Equal("it_reaction", "1")
		a.fail(t, "deal/toInbox/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/toInbox/", `{}`, http.StatusBadRequest, "Не указан deal_id")
	})
}

// TestDealUpdateDealValue replays E19.
func TestDealUpdateDealValue(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		clientID, dealID := a.leadClient(t, "Клиент", "79001112233", "")
		otherClient, otherDeal := a.leadClient(t, "Другой", "79004445566", "")
		fieldID := a.field(t, crm.EntityDeal, "Комментарий менеджера", crm.FieldText).ID

		// The document's example, with this account's ids: an echo.
		a.ok(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "user_id": %d, "employee_id": 0,
			"fields": [{"input_id": %d, "value": "Новое_значение_поля", "value_type_id": 2}]}`, dealID, clientID, a.admin, fieldID)).
			Keys("", "result", "status_code", "message").
			Equal("result", map[string]any{"deal_id": fmt.Sprint(dealID), "client_id": fmt.Sprint(clientID), "employee_id": "0",
				"user_id": fmt.Sprint(a.admin),
				"fields":  []any{map[string]any{"input_id": fieldID, "value": "Новое_значение_поля", "value_type_id": 2}}})

		// Service fields: the name renames the deal; 20012 is Google Client ID.
		a.ok(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": "%d", "client_id": "%d",
			"fields": [{"input_id": 2001, "value": "Переименована", "value_type_id": 1}, {"input_id": 20012, "value": "GA1.2.3", "value_type_id": 1}]}`,
			dealID, clientID))
		a.getDeal(t, dealID).Equal("name", "Переименована")
		r := a.ok(t, "deal/list/", `{"keyword": "Переименована"}`)
		if n := len(r.List("result")); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
		has(t, "google_client_id", r.Sub("result.0.values.service.google_client_id"), map[string]any{"value": "GA1.2.3", "input_id": "2012"})
		r.Equal("result.0.values.custom.0.value", "Новое_значение_поля")

		fields := fmt.Sprintf(`"fields": [{"input_id": %d, "value": "x", "value_type_id": 2}]`, fieldID)
		a.fail(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": 999999, "client_id": %d, %s}`, clientID, fields),
			http.StatusInternalServerError, "Неверный request")
		a.fail(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, %s}`, otherDeal, clientID, fields),
			http.StatusInternalServerError, "Неверный request")
		a.fail(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": 999999, %s}`, dealID, fields),
			http.StatusInternalServerError, "Неверный request")
		a.fail(t, "deal/updateDealValue/", fmt.Sprintf(`{"client_id": %d, %s}`, otherClient, fields),
			http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d}`, dealID, clientID),
			http.StatusBadRequest, "Не указан fields")
		a.fail(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "fields": [{"input_id": 2001, "value": "x"}]}`, dealID, clientID),
			http.StatusBadRequest, "fields[0].value_type_id должен быть 1 (сервисное поле) или 2 (пользовательское)")
		a.fail(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "fields": [{"input_id": 1001, "value": "x", "value_type_id": 1}]}`, dealID, clientID),
			http.StatusInternalServerError, "Неверный request")
		a.getDeal(t, dealID).Equal("name", "Переименована")
	})
}
