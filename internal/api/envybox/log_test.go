package envybox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the history methods (E08, E09, E20, E21), deal
// comments (E22) and deal tags (E26) on SQLite and PostgreSQL. Requests
// replay the document's examples. Helpers have the prefix log.

// logE02 is E02's lead/set example (with its record_link and tags).
const logE02 = `{
	"method": "create", "pipeline_id": 0, "employee_id": 0, "inbox_type_id": 0, "visit_id": 0,
	"region": "Свердловская область", "timezone": "UTC+03:00", "tags": ["тег1", "тег2"],
	"record_link": "https://site.ru/upload/record.mp3",
	"values": {"name": "Test", "phone": "74993229710", "email": "team@callbackkiller.com", "comment": "информация"}
}`

// logE09Data is the data of E09's and E21's call example.
const logE09Data = `{"direction": 1, "status": 1, "from": "79875034433", "to": "79875034434",
	"record_link": "http://test.ru", "comment": "Комментарий", "duration_bill": 5}`

// logEntryKeys are the members of a listed entry (E08, E20) and of
// deal/log/create's top-level log; E09's result.log lacks deleted_at.
var logEntryKeys = []string{"id", "crm_id", "crm_element_id", "element_id", "type_id", "data", "user_id", "employee_id",
	"level", "created_at", "updated_at", "deleted_at"}

// logList sends a log list GET with a raw query after the key.
func logList(t testing.TB, env *crmtest.Env, key, entity, query string) *crmtest.Response {
	t.Helper()
	return env.Do(t, http.MethodGet, "/openapi/v1/"+entity+"/log/list/?api_key="+key+query, "", "")
}

// logPage lists a page and checks the envelope: result, count, limit and
// offset as numbers.
func logPage(t testing.TB, env *crmtest.Env, key, entity, query string) (entries []map[string]any, count, limit, offset int64) {
	t.Helper()
	obj := ltOK(t, logList(t, env, key, entity, query))
	ltKeys(t, obj, "result", "count", "limit", "offset", "status_code", "message")
	for _, e := range ltList(t, obj, "result") {
		m, ok := e.(map[string]any)
		if !ok {
			t.Fatalf("entry %v is not an object", e)
		}
		ltKeys(t, m, logEntryKeys...)
		entries = append(entries, m)
	}
	return entries, ltNum(t, obj, "count"), ltNum(t, obj, "limit"), ltNum(t, obj, "offset")
}

// logTypes lists the type_id of the entries in order.
func logTypes(t testing.TB, entries []map[string]any) []int64 {
	t.Helper()
	out := make([]int64, len(entries))
	for i, e := range entries {
		out[i] = ltNum(t, e, "type_id")
	}
	return out
}

// logStart takes a lead to work through lead/start and returns its deal.
func logStart(t testing.TB, env *crmtest.Env, a ltAccount, leadID int64) int64 {
	t.Helper()
	obj := ltOK(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, leadID, a.admin)))
	return ltNum(t, ltObj(t, obj, "result"), "deal_id")
}

// logUser reads a user of the account.
func logUser(t testing.TB, env *crmtest.Env, a ltAccount, id int64) crm.User {
	t.Helper()
	var u crm.User
	err := env.Server.Service.Store().View(context.Background(), a.id, func(tx crm.Tx) (err error) {
		u, err = tx.User(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// logEmployee adds an employee with a name and a profession.
func logEmployee(t testing.TB, env *crmtest.Env, a ltAccount, name, profession string) int64 {
	t.Helper()
	u := crm.User{Name: name, Profession: profession, Role: crm.RoleMember}
	err := env.Server.Service.Store().Update(context.Background(), a.id, func(tx crm.Tx) error {
		return tx.InsertUser(context.Background(), &u)
	})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// logWantUser checks data.user: the author's card with the default avatar.
func logWantUser(t testing.TB, data map[string]any, u crm.User) {
	t.Helper()
	card := ltObj(t, data, "user")
	ltKeys(t, card, "img", "name", "profession")
	if card["img"] != "/img/avatars/nophoto.png" || card["name"] != u.Name || card["profession"] != u.Profession {
		t.Errorf("user card %v, want %s/%s", card, u.Name, u.Profession)
	}
}

// logWant checks members of an object by their JSON text.
func logWant(t testing.TB, what string, m map[string]any, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, err := json.Marshal(m[k])
		if err != nil {
			t.Fatal(err)
		}
		if _, present := m[k]; !present || string(got) != v {
			t.Errorf("%s.%s = %s (present %v), want %s", what, k, got, present, v)
		}
	}
}

// TestLogLeadList replays E08: a new lead's history holds its creation
// entry; taking it to work adds "attached to client" (14).
func TestLogLeadList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		lead, _ := ltCreate(t, env, a.key, logE02)

		// The document's query: "&lead_id= &limit=0&offset=".
		entries, count, limit, offset := logPage(t, env, a.key, "lead", fmt.Sprintf("&lead_id=%d&limit=0&offset=", lead))
		if count != 1 || limit != 50 || offset != -1 || len(entries) != 1 {
			t.Fatalf("count %d limit %d offset %d entries %d, want 1/50/-1/1", count, limit, offset, len(entries))
		}
		created := entries[0]
		logWant(t, "entry", created, map[string]string{"crm_id": fmt.Sprint(a.id), "crm_element_id": "1",
			"element_id": fmt.Sprint(lead), "type_id": "1", "level": "1", "user_id": "null", "employee_id": "null",
			"updated_at": "null", "deleted_at": "null"})
		data := ltObj(t, created, "data")
		ltKeys(t, data, "comment", "record_link", "inbox_name")
		logWant(t, "data", data, map[string]string{
			"comment":     `"Добавлен вручную Имя : Test Телефон : +7(499)322-97-10 Email : team@callbackkiller.com Примечание : информация Регион клиента : Свердловская область Часовой пояс : UTC+03:00 "`,
			"record_link": `"https://site.ru/upload/record.mp3"`, "inbox_name": `"Добавлен вручную"`})
		if !dateTime.MatchString(created["created_at"].(string)) {
			t.Errorf("created_at %v", created["created_at"])
		}

		deal := logStart(t, env, a, lead)
		entries, count, _, offset = logPage(t, env, a.key, "lead", fmt.Sprintf("&lead_id=%d", lead))
		if count != 2 || offset != -1 || fmt.Sprint(logTypes(t, entries)) != "[14 1]" {
			t.Fatalf("count %d offset %d types %v, want 2, -1, [14 1] (newest first)", count, offset, logTypes(t, entries))
		}
		attached := entries[0]
		logWant(t, "entry", attached, map[string]string{"crm_element_id": "1", "element_id": fmt.Sprint(lead),
			"user_id": fmt.Sprint(a.admin), "employee_id": "0", "level": "1", "updated_at": "null"})
		data = ltObj(t, attached, "data")
		ltKeys(t, data, "text", "client_name", "client_id", "deal_id", "user")
		logWant(t, "data", data, map[string]string{"text": `"Прикреплен к клиенту"`, "client_name": `"Test"`, "deal_id": fmt.Sprint(deal)})
		logWantUser(t, data, logUser(t, env, a, a.admin))

		// Errors: the documented texts.
		ltFail(t, logList(t, env, a.key, "lead", ""), http.StatusBadRequest, "Не указан lead_id")
		ltFail(t, logList(t, env, a.key, "lead", "&lead_id="), http.StatusBadRequest, "Не указан lead_id")
		ltFail(t, logList(t, env, a.key, "lead", "&lead_id=999999"), http.StatusNotFound, "Лид с данным id не найден")
		ltFail(t, logList(t, env, a.key, "lead", fmt.Sprintf("&lead_id=%d&limit=-1", lead)), http.StatusBadRequest,
			"limit и offset не могут быть отрицательными")
		ltFail(t, logList(t, env, "wrong", "lead", fmt.Sprintf("&lead_id=%d", lead)), http.StatusUnauthorized, "Неправильный ключ api")
		// A deal id is not a lead id, and another account sees nothing.
		b := ltNewAccount(t, env, "Other")
		ltFail(t, logList(t, env, b.key, "lead", fmt.Sprintf("&lead_id=%d", lead)), http.StatusNotFound, "Лид с данным id не найден")
		// The list is a GET.
		ltFail(t, ltPost(t, env, a.key, "lead/log/list/", fmt.Sprintf(`{"lead_id": %d}`, lead)), http.StatusNotFound, "Метод не найден")
	})
}

// TestLogLeadCreate replays E09 (a call and a comment) and checks the
// validation of types, directions, statuses and the other call members.
func TestLogLeadCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		lead := ltLead(t, env, a.key, "Test", "74993229710", "team@callbackkiller.com")
		admin := logUser(t, env, a, a.admin)

		obj := ltOK(t, ltPost(t, env, a.key, "lead/log/create/", fmt.Sprintf(`{"lead_id": %d, "employee_id": 0, "type_id": 9, "data": %s}`, lead, logE09Data)))
		ltKeys(t, obj, "result", "status_code", "message")
		result := ltObj(t, obj, "result")
		ltKeys(t, result, "log")
		log := ltObj(t, result, "log")
		ltKeys(t, log, "id", "crm_id", "crm_element_id", "element_id", "user_id", "employee_id", "type_id", "data", "level",
			"updated_at", "created_at")
		logWant(t, "log", log, map[string]string{"crm_id": fmt.Sprint(a.id), "crm_element_id": "1", "element_id": fmt.Sprint(lead),
			"user_id": fmt.Sprint(a.admin), "employee_id": "0", "type_id": "9", "level": "1"})
		if log["created_at"] != log["updated_at"] || !dateTime.MatchString(fmt.Sprint(log["created_at"])) {
			t.Errorf("created_at %v updated_at %v, want one date", log["created_at"], log["updated_at"])
		}
		data := ltObj(t, log, "data")
		ltKeys(t, data, "direction", "status", "comment", "from", "to", "duration_bill", "record_link", "inbox_name", "user")
		logWant(t, "data", data, map[string]string{"direction": "1", "status": "1", "comment": `"Комментарий"`,
			"from": `"79875034433"`, "to": `"79875034434"`, "duration_bill": "5", "record_link": `"http://test.ru"`,
			"inbox_name": `"Добавлен вручную"`})
		logWantUser(t, data, admin)
		callID := ltNum(t, log, "id")

		// A comment, written by an employee: the card is the employee's.
		ksenia := logEmployee(t, env, a, "Ксения", "Администратор")
		obj = ltOK(t, ltPost(t, env, a.key, "lead/log/create/", fmt.Sprintf(`{"lead_id": "%d", "employee_id": %d, "type_id": "10", "data": {"comment": "Комментарий"}}`, lead, ksenia)))
		log = ltObj(t, ltObj(t, obj, "result"), "log")
		logWant(t, "log", log, map[string]string{"type_id": "10", "employee_id": fmt.Sprint(ksenia), "user_id": fmt.Sprint(a.admin)})
		data = ltObj(t, log, "data")
		ltKeys(t, data, "comment", "inbox_name", "user")
		logWantUser(t, data, crm.User{Name: "Ксения", Profession: "Администратор"})

		// Optional members may be left out; status 0 is a status.
		obj = ltOK(t, ltPost(t, env, a.key, "lead/log/create/", fmt.Sprintf(`{"lead_id": %d, "type_id": 9,
			"data": {"direction": 3, "status": 0, "from": "79875034433", "to": "79875034434"}}`, lead)))
		data = ltObj(t, ltObj(t, ltObj(t, obj, "result"), "log"), "data")
		ltKeys(t, data, "direction", "status", "from", "to", "inbox_name", "user")

		// The three entries are listed newest first, the call with the
		// members it was created with.
		entries, count, _, _ := logPage(t, env, a.key, "lead", fmt.Sprintf("&lead_id=%d", lead))
		if count != 4 || fmt.Sprint(logTypes(t, entries)) != "[9 10 9 1]" {
			t.Fatalf("count %d types %v, want 4 [9 10 9 1]", count, logTypes(t, entries))
		}
		if ltNum(t, entries[2], "id") != callID || entries[2]["updated_at"] != entries[2]["created_at"] {
			t.Errorf("listed call %v", entries[2])
		}
		logWant(t, "listed call", ltObj(t, entries[2], "data"), map[string]string{"record_link": `"http://test.ru"`, "duration_bill": "5"})

		call := func(data string) string {
			return fmt.Sprintf(`{"lead_id": %d, "type_id": 9, "data": %s}`, lead, data)
		}
		bad := []struct {
			request string
			status  int
			message string
		}{
			{call(`{"direction": 0, "status": 1, "from": "1", "to": "2"}`), 400, "Неверный request: data.direction: direction: 1 (входящий), 2 (исходящий) или 3 (обратный звонок)"},
			{call(`{"direction": 4, "status": 1, "from": "1", "to": "2"}`), 400, "Неверный request: data.direction: direction: 1 (входящий), 2 (исходящий) или 3 (обратный звонок)"},
			{call(`{"direction": 1, "status": 8, "from": "1", "to": "2"}`), 400, "Неверный request: data.status: status: от 0 до 7"},
			{call(`{"direction": 1, "status": -1, "from": "1", "to": "2"}`), 400, "Неверный request: data.status: status: от 0 до 7"},
			{call(`{"direction": 1, "status": 99999999999, "from": "1", "to": "2"}`), 400, "Неверный request: data.status: status: от 0 до 7"},
			{call(`{"direction": "x", "status": 1, "from": "1", "to": "2"}`), 400, "Параметр direction должен быть числом"},
			{call(`{"status": 1, "from": "1", "to": "2"}`), 400, "Не указан data.direction"},
			{call(`{"direction": 1, "from": "1", "to": "2"}`), 400, "Не указан data.status"},
			{call(`{"direction": 1, "status": 1, "to": "2"}`), 400, "Не указан data.from"},
			{call(`{"direction": 1, "status": 1, "from": "1"}`), 400, "Не указан data.to"},
			{call(`{"direction": 1, "status": 1, "from": " ", "to": "2"}`), 400, "Неверный request: data.from: from: номер телефона обязателен"},
			{call(`{"direction": 1, "status": 1, "from": "1", "to": "2", "record_link": "javascript:alert(1)"}`), 400, "Неверный request: data.record_link: record_link: нужна ссылка http:// или https://"},
			{call(`{"direction": 1, "status": 1, "from": "1", "to": "2", "duration_bill": -5}`), 400, "Неверный request: data.duration_bill: duration_bill: не может быть отрицательной"},
			{call(`"text"`), 400, "Параметр data должен быть объектом"},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 10, "data": {"comment": "  "}}`, lead), 400, "Неверный request: data.comment: comment: текст комментария обязателен"},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 10, "data": {}}`, lead), 400, "Не указан data.comment"},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 10}`, lead), 400, "Не указан data"},
			{fmt.Sprintf(`{"lead_id": %d, "data": {"comment": "x"}}`, lead), 400, "Не указан type_id"},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 2010, "data": {"comment": "x"}}`, lead), 400, "Неверный request: type_id: можно добавить только логи типов 9 (звонок) и 10 (комментарий)"},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 14, "data": {"comment": "x"}}`, lead), 400, "Неверный request: type_id: можно добавить только логи типов 9 (звонок) и 10 (комментарий)"},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 1, "data": {"comment": "x"}}`, lead), 400, "Неверный request: type_id: можно добавить только логи типов 9 (звонок) и 10 (комментарий)"},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 10, "employee_id": 999999, "data": {"comment": "x"}}`, lead), 400, "Неверный request: employee_id: employee_id is not an employee of this CRM."},
			{fmt.Sprintf(`{"lead_id": %d, "type_id": 10, "user_id": %d, "data": {"comment": "x"}}`, lead, ksenia), 400, "Неверный request: user_id: user_id is not an administrator of this CRM."},
			{`{"type_id": 10, "data": {"comment": "x"}}`, 400, "Не указан lead_id"},
			{`{"lead_id": 999999, "type_id": 10, "data": {"comment": "x"}}`, 404, "Лид с данным id не найден"},
		}
		for _, c := range bad {
			ltFail(t, ltPost(t, env, a.key, "lead/log/create/", c.request), c.status, c.message)
		}
		// Nothing was written by the refused requests.
		if _, count, _, _ := logPage(t, env, a.key, "lead", fmt.Sprintf("&lead_id=%d", lead)); count != 4 {
			t.Errorf("count %d after refused requests, want 4", count)
		}
		// Every call direction and status is accepted.
		for d := 1; d <= 3; d++ {
			for s := 0; s <= 7; s++ {
				ltOK(t, ltPost(t, env, a.key, "lead/log/create/", call(fmt.Sprintf(`{"direction": %d, "status": %d, "from": "1", "to": "2"}`, d, s))))
			}
		}
	})
}

// TestLogDealList replays E20 on a deal made by taking E02's lead to work:
// its history shows the lead's creation text with the record link, the
// lead's tags and the lead linked to it.
func TestLogDealList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		lead, _ := ltCreate(t, env, a.key, logE02)
		deal := logStart(t, env, a, lead)

		entries, count, limit, offset := logPage(t, env, a.key, "deal", fmt.Sprintf("&deal_id=%d&limit=0&offset=", deal))
		if count != 4 || limit != 50 || offset != -1 || fmt.Sprint(logTypes(t, entries)) != "[2014 2015 2016 2001]" {
			t.Fatalf("count %d limit %d offset %d types %v, want 4/50/-1/[2014 2015 2016 2001]", count, limit, offset, logTypes(t, entries))
		}
		for _, e := range entries {
			logWant(t, "entry", e, map[string]string{"crm_id": fmt.Sprint(a.id), "crm_element_id": "3", "element_id": fmt.Sprint(deal),
				"level": "1", "updated_at": "null", "deleted_at": "null"})
		}
		linked := ltObj(t, entries[0], "data")
		ltKeys(t, linked, "lead_name", "lead_id", "comment", "lead_create_date", "user")
		logWant(t, "linked", linked, map[string]string{"lead_name": `"Test"`, "lead_id": fmt.Sprintf(`"%d"`, lead),
			"comment": `"Имя : Test Телефон : +7(499)322-97-10 Email : team@callbackkiller.com Примечание : информация Регион клиента : Свердловская область Часовой пояс : UTC+03:00 "`})
		if !dateTime.MatchString(fmt.Sprint(linked["lead_create_date"])) {
			t.Errorf("lead_create_date %v", linked["lead_create_date"])
		}
		logWantUser(t, linked, logUser(t, env, a, a.admin))
		logWant(t, "linked entry", entries[0], map[string]string{"user_id": fmt.Sprint(a.admin), "employee_id": "0"})

		tags := ltObj(t, entries[2], "data")
		ltKeys(t, tags, "text", "tags", "tag_ids", "user")
		logWant(t, "tags", tags, map[string]string{"text": `"Добавлены теги: тег1, тег2"`, "tags": `["тег1","тег2"]`})

		created := entries[1]
		logWant(t, "lead created", created, map[string]string{"user_id": "null", "employee_id": "null"})
		data := ltObj(t, created, "data")
		ltKeys(t, data, "comment", "record_link")
		logWant(t, "lead created", data, map[string]string{
			"comment":     `"Добавлен вручную Имя : Test Телефон : +7(499)322-97-10 Email : team@callbackkiller.com Примечание : информация Регион клиента : Свердловская область Часовой пояс : UTC+03:00 "`,
			"record_link": `"https://site.ru/upload/record.mp3"`})

		dealCreated := ltObj(t, entries[3], "data")
		if _, ok := dealCreated["stage_name"]; !ok {
			t.Errorf("deal created data %v", dealCreated)
		}

		ltFail(t, logList(t, env, a.key, "deal", ""), http.StatusBadRequest, "Не указан deal_id")
		ltFail(t, logList(t, env, a.key, "deal", "&deal_id=0"), http.StatusBadRequest, "Не указан deal_id")
		ltFail(t, logList(t, env, a.key, "deal", "&deal_id=999999"), http.StatusNotFound, "Сделка с данным id не найдена")
		b := ltNewAccount(t, env, "Other")
		ltFail(t, logList(t, env, b.key, "deal", fmt.Sprintf("&deal_id=%d", deal)), http.StatusNotFound, "Сделка с данным id не найдена")
	})
}

// TestLogDealCreate replays E21: the reply carries both printed shapes,
// result.log and the top-level log with deleted_at.
func TestLogDealCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		deal := logStart(t, env, a, ltLead(t, env, a.key, "Test", "74993229710", ""))

		obj := ltOK(t, ltPost(t, env, a.key, "deal/log/create/", fmt.Sprintf(`{"deal_id": %d, "employee_id": 0, "type_id": 2009, "data": %s}`, deal, logE09Data)))
		ltKeys(t, obj, "result", "log", "status_code", "message")
		variant1 := ltObj(t, ltObj(t, obj, "result"), "log")
		variant2 := ltObj(t, obj, "log")
		ltKeys(t, variant1, "id", "crm_id", "crm_element_id", "element_id", "user_id", "employee_id", "type_id", "data", "level",
			"updated_at", "created_at")
		ltKeys(t, variant2, logEntryKeys...)
		for _, log := range []map[string]any{variant1, variant2} {
			logWant(t, "log", log, map[string]string{"crm_id": fmt.Sprint(a.id), "crm_element_id": "3", "element_id": fmt.Sprint(deal),
				"user_id": fmt.Sprint(a.admin), "employee_id": "0", "type_id": "2009", "level": "1"})
			data := ltObj(t, log, "data")
			ltKeys(t, data, "direction", "status", "comment", "from", "to", "duration_bill", "record_link", "inbox_name", "user")
			logWant(t, "data", data, map[string]string{"direction": "1", "status": "1", "duration_bill": "5",
				"record_link": `"http://test.ru"`, "inbox_name": `"Добавлен вручную"`})
			logWantUser(t, data, logUser(t, env, a, a.admin))
		}
		if variant1["id"] != variant2["id"] || variant2["deleted_at"] != nil || variant2["updated_at"] != variant2["created_at"] {
			t.Errorf("variants %v / %v", variant1, variant2)
		}

		// A comment with user_id given (the administrator).
		obj = ltOK(t, ltPost(t, env, a.key, "deal/log/create/", fmt.Sprintf(`{"deal_id": %d, "user_id": %d, "type_id": 2010, "data": {"comment": "Комментарий"}}`, deal, a.admin)))
		ltKeys(t, ltObj(t, obj, "log"), logEntryKeys...)
		ltKeys(t, ltObj(t, ltObj(t, obj, "log"), "data"), "comment", "inbox_name", "user")

		entries, count, _, _ := logPage(t, env, a.key, "deal", fmt.Sprintf("&deal_id=%d", deal))
		if count != 5 || fmt.Sprint(logTypes(t, entries)) != "[2010 2009 2014 2015 2001]" {
			t.Errorf("count %d types %v, want 5 [2010 2009 2014 2015 2001]", count, logTypes(t, entries))
		}

		for _, c := range []struct {
			request string
			status  int
			message string
		}{
			{fmt.Sprintf(`{"deal_id": %d, "type_id": 9, "data": %s}`, deal, logE09Data), 400, "Неверный request: type_id: можно добавить только логи типов 2009 (звонок) и 2010 (комментарий)"},
			{fmt.Sprintf(`{"deal_id": %d, "type_id": 2002, "data": {"comment": "x"}}`, deal), 400, "Неверный request: type_id: можно добавить только логи типов 2009 (звонок) и 2010 (комментарий)"},
			{fmt.Sprintf(`{"deal_id": %d, "type_id": 2009, "data": {"direction": 5, "status": 1, "from": "1", "to": "2"}}`, deal), 400, "Неверный request: data.direction: direction: 1 (входящий), 2 (исходящий) или 3 (обратный звонок)"},
			{fmt.Sprintf(`{"deal_id": %d, "type_id": 2009, "data": {"direction": 1, "status": 10, "from": "1", "to": "2"}}`, deal), 400, "Неверный request: data.status: status: от 0 до 7"},
			{`{"type_id": 2010, "data": {"comment": "x"}}`, 400, "Не указан deal_id"},
			{`{"deal_id": 999999, "type_id": 2010, "data": {"comment": "x"}}`, 404, "Сделка с данным id не найдена"},
		} {
			ltFail(t, ltPost(t, env, a.key, "deal/log/create/", c.request), c.status, c.message)
		}
	})
}

// TestLogPaging pages a history: count is the total, offset the next
// page's or -1, limit at most 50.
func TestLogPaging(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		lead := ltLead(t, env, a.key, "Test", "74993229710", "")
		for i := 1; i <= 6; i++ {
			ltOK(t, ltPost(t, env, a.key, "lead/log/create/", fmt.Sprintf(`{"lead_id": %d, "type_id": 10, "data": {"comment": "c%d"}}`, lead, i)))
		}
		var ids []int64
		for _, page := range []struct {
			query        string
			n            int
			limit, next  int64
			firstComment string
		}{
			{"&limit=3", 3, 3, 3, "c6"},
			{"&limit=3&offset=3", 3, 3, 6, "c3"},
			{"&limit=3&offset=6", 1, 3, -1, ""},
			{"&limit=3&offset=7", 0, 3, -1, ""},
			{"&offset=5", 2, 50, -1, "c1"},
			{"&limit=100", 7, 50, -1, "c6"},
			{"&limit=7", 7, 7, -1, "c6"},
		} {
			entries, count, limit, next := logPage(t, env, a.key, "lead", fmt.Sprintf("&lead_id=%d%s", lead, page.query))
			if count != 7 || len(entries) != page.n || limit != page.limit || next != page.next {
				t.Errorf("%s: count %d entries %d limit %d offset %d, want 7/%d/%d/%d", page.query, count, len(entries), limit, next, page.n, page.limit, page.next)
				continue
			}
			if page.firstComment != "" && ltObj(t, entries[0], "data")["comment"] != page.firstComment {
				t.Errorf("%s: first entry %v, want comment %s", page.query, entries[0]["data"], page.firstComment)
			}
			if page.query == "&limit=100" {
				for _, e := range entries {
					ids = append(ids, ltNum(t, e, "id"))
				}
			}
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] >= ids[i-1] {
				t.Errorf("ids %v are not newest first", ids)
			}
		}
	})
}

// TestLogSystemEntries checks the entries the system writes for what
// happens: the responsible of a lead and of a deal, a stage change.
func TestLogSystemEntries(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		ksenia := logEmployee(t, env, a, "Ксения", "Администратор")
		lead := ltLead(t, env, a.key, "Test", "74993229710", "")
		ltOK(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": %d}`, lead, ksenia)))
		entries, _, _, _ := logPage(t, env, a.key, "lead", fmt.Sprintf("&lead_id=%d", lead))
		if fmt.Sprint(logTypes(t, entries)) != "[3 1]" {
			t.Fatalf("lead types %v, want [3 1]", logTypes(t, entries))
		}
		logWant(t, "responsible", ltObj(t, entries[0], "data"), map[string]string{"employee_id": fmt.Sprint(ksenia), "department_id": "0", "old_employee_id": "0"})
		logWant(t, "responsible entry", entries[0], map[string]string{"user_id": fmt.Sprint(a.admin)})

		deal := logStart(t, env, a, lead)
		stages := map[string]int64{}
		ref, err := env.Server.Service.Reference(context.Background(), a.actor)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ref.DealPipelines {
			for _, st := range p.Stages {
				stages[st.Name] = st.ID
			}
		}
		ltOK(t, ltPost(t, env, a.key, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d}`, deal, stages["В работе"])))
		ltOK(t, ltPost(t, env, a.key, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": %d}`, deal, ksenia)))
		entries, _, _, _ = logPage(t, env, a.key, "deal", fmt.Sprintf("&deal_id=%d", deal))
		if fmt.Sprint(logTypes(t, entries)) != "[2003 2002 2014 2015 2001]" {
			t.Fatalf("deal types %v, want [2003 2002 2014 2015 2001]", logTypes(t, entries))
		}
		logWant(t, "stage", ltObj(t, entries[1], "data"), map[string]string{"stage_name": `"В работе"`, "old_stage_name": `"Новая"`})
		logWant(t, "responsible", ltObj(t, entries[0], "data"), map[string]string{"employee_id": fmt.Sprint(ksenia)})
	})
}

// TestCommentDeal replays E22: a comment entry (2010) on the deal.
func TestCommentDeal(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		deal := logStart(t, env, a, ltLead(t, env, a.key, "Test", "74993229710", ""))

		obj := ltOK(t, ltPost(t, env, a.key, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d, "comment": "Текст комментария"}`, deal)))
		ltKeys(t, obj, "status_code", "message")
		entries, _, _, _ := logPage(t, env, a.key, "deal", fmt.Sprintf("&deal_id=%d", deal))
		if ltNum(t, entries[0], "type_id") != 2010 {
			t.Fatalf("newest entry %v, want a comment", entries[0])
		}
		data := ltObj(t, entries[0], "data")
		ltKeys(t, data, "comment", "inbox_name", "user")
		logWant(t, "comment", data, map[string]string{"comment": `"Текст комментария"`, "inbox_name": `"Добавлен вручную"`})
		logWant(t, "comment entry", entries[0], map[string]string{"user_id": fmt.Sprint(a.admin), "employee_id": "0"})
		if entries[0]["updated_at"] != entries[0]["created_at"] {
			t.Errorf("updated_at %v", entries[0]["updated_at"])
		}

		ltFail(t, ltPost(t, env, a.key, "deal/createComment/", `{"deal_id": 999999, "comment": "x"}`), http.StatusNotFound, "Сделка не найдена")
		ltFail(t, ltPost(t, env, a.key, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d, "comment": " "}`, deal)), http.StatusInternalServerError, "Неверный request")
		ltFail(t, ltPost(t, env, a.key, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d}`, deal)), http.StatusInternalServerError, "Неверный request")
		ltFail(t, ltPost(t, env, a.key, "deal/createComment/", `{"comment": "x"}`), http.StatusBadRequest, "Не указан deal_id")
		ltFail(t, ltPost(t, env, a.key, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d, "comment": {"a": 1}}`, deal)), http.StatusBadRequest, "Параметр comment должен быть строкой")
	})
}

// TestTagAddDealTags replays E26: names are created as shared tags, added
// to the deal's, never twice; each addition is in the deal's history.
func TestTagAddDealTags(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Logs")
		// The lead's tags "тег1", "тег2" are on its deal already.
		lead, _ := ltCreate(t, env, a.key, logE02)
		deal := logStart(t, env, a, lead)
		other := logStart(t, env, a, ltLead(t, env, a.key, "Other", "74950000000", ""))
		tagsOf := func(id int64) (names []string, ids []int64) {
			fam, err := env.Server.Service.Deal(context.Background(), a.actor, id, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, tg := range fam.Deal.Tags {
				names, ids = append(names, tg.Name), append(ids, tg.ID)
			}
			return names, ids
		}
		_, before := tagsOf(deal)

		obj := ltOK(t, ltPost(t, env, a.key, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": %d, "tags": ["тег1", "тег2", "тег3"]}`, deal)))
		ltKeys(t, obj, "status_code", "message")
		names, ids := tagsOf(deal)
		if strings.Join(names, ",") != "тег1,тег2,тег3" || ids[0] != before[0] || ids[1] != before[1] {
			t.Fatalf("tags %v %v, want тег1,тег2,тег3 keeping %v", names, ids, before)
		}
		entries, count, _, _ := logPage(t, env, a.key, "deal", fmt.Sprintf("&deal_id=%d", deal))
		if ltNum(t, entries[0], "type_id") != 2016 {
			t.Fatalf("newest entry %v, want tags added", entries[0])
		}
		data := ltObj(t, entries[0], "data")
		logWant(t, "tags added", data, map[string]string{"text": `"Добавлены теги: тег3"`, "tags": `["тег3"]`, "tag_ids": fmt.Sprintf("[%d]", ids[2])})
		logWantUser(t, data, logUser(t, env, a, a.admin))

		// Case-insensitive names are the same tag; nothing new: no entry.
		ltOK(t, ltPost(t, env, a.key, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": "%d", "tags": ["ТЕГ1", "тег3", "тег3"]}`, deal)))
		if names, _ := tagsOf(deal); strings.Join(names, ",") != "тег1,тег2,тег3" {
			t.Errorf("tags %v after re-adding", names)
		}
		if _, n, _, _ := logPage(t, env, a.key, "deal", fmt.Sprintf("&deal_id=%d", deal)); n != count {
			t.Errorf("count %d after adding nothing new, want %d", n, count)
		}

		// Another deal gets the same tag records.
		ltOK(t, ltPost(t, env, a.key, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": %d, "tags": ["тег3", "новый"]}`, other)))
		otherNames, otherIDs := tagsOf(other)
		if strings.Join(otherNames, ",") != "тег3,новый" || otherIDs[0] != ids[2] {
			t.Errorf("other deal's tags %v %v, want тег3 (id %d), новый", otherNames, otherIDs, ids[2])
		}

		for _, c := range []struct {
			request string
			status  int
			message string
		}{
			{`{"tags": ["a"]}`, 400, "Не указан deal_id"},
			{fmt.Sprintf(`{"deal_id": %d}`, deal), 400, "Не указан tags"},
			{fmt.Sprintf(`{"deal_id": %d, "tags": []}`, deal), 400, "Не указан tags"},
			{fmt.Sprintf(`{"deal_id": %d, "tags": "a"}`, deal), 400, "Параметр tags должен быть массивом"},
			{fmt.Sprintf(`{"deal_id": %d, "tags": [{"name": "a"}]}`, deal), 400, "tags[0] должен быть строкой"},
			{fmt.Sprintf(`{"deal_id": %d, "tags": [" "]}`, deal), 400, "Неверный request: tags.0: A tag needs an id or a name."},
			{`{"deal_id": 999999, "tags": ["a"]}`, 404, "Сделка не найдена"},
		} {
			ltFail(t, ltPost(t, env, a.key, "deal/tag/addDealTags/", c.request), c.status, c.message)
		}
	})
}
