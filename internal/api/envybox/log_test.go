package envybox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the history methods (E08, E09, E20, E21), deal
// comments (E22) and deal tags (E26) on SQLite and PostgreSQL. Requests
// replay the document's examples.

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

// history is a page of a lead's or a deal's history (entity "lead" or
// "deal", the query after the key): the envelope with result, count, limit
// and offset, and entries with their members.
func (a *account) history(t testing.TB, entity, query string) *crmtest.Reply {
	t.Helper()
	r := success(a.get(t, entity+"/log/list/", query, "")).Keys("", "result", "count", "limit", "offset", "status_code", "message")
	for i := range r.List("result") {
		r.Keys(fmt.Sprintf("result.%d", i), logEntryKeys...)
	}
	return r
}

// userCard is an entry's data.user: the author's card with the default avatar.
func userCard(u crm.User) map[string]any {
	return map[string]any{"img": "/img/avatars/nophoto.png", "name": u.Name, "profession": u.Profession}
}

// logMasks mask the ids of an account's history entries.
func logMasks(a *account, element string, id int64) []crmtest.Mask {
	return masks(maskAs("**.crm_id", "account", a.id), maskAs("**.element_id", element, id), maskAs("**.user_id", "admin", a.admin),
		maskIDs("id"), maskTimes("created_at", "updated_at", "lead_create_date"))
}

// TestLogLeadList replays E08: a new lead's history holds its creation
// entry; taking it to work adds "attached to client" (14).
func TestLogLeadList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		lead, _ := a.createLead(t, logE02)

		// The document's query: "&lead_id= &limit=0&offset=": the
		// creation entry, with the lead's text and record link.
		a.history(t, "lead", fmt.Sprintf("lead_id=%d&limit=0&offset=", lead)).Golden("log_lead_list_e08", logMasks(a, "lead", lead)...)

		// Taken to work: "Прикреплен к клиенту", newest first.
		deal := a.start(t, lead)
		a.history(t, "lead", fmt.Sprintf("lead_id=%d", lead)).Golden("log_lead_list_started",
			append(logMasks(a, "lead", lead), maskAs("**.deal_id", "deal", deal), maskIDs("client_id"))...)

		// Errors: the documented texts.
		refused(t, a.get(t, "lead/log/list/", "", ""), http.StatusBadRequest, "Не указан lead_id")
		refused(t, a.get(t, "lead/log/list/", "lead_id=", ""), http.StatusBadRequest, "Не указан lead_id")
		refused(t, a.get(t, "lead/log/list/", "lead_id=999999", ""), http.StatusNotFound, "Лид с данным id не найден")
		refused(t, a.get(t, "lead/log/list/", fmt.Sprintf("lead_id=%d&limit=-1", lead), ""), http.StatusBadRequest,
			"limit и offset не могут быть отрицательными")
		refused(t, a.as("wrong").get(t, "lead/log/list/", fmt.Sprintf("lead_id=%d", lead), ""), http.StatusUnauthorized, "Неправильный ключ api")
		// A deal id is not a lead id, and another account sees nothing.
		b := newAccount(t, env, "Other")
		refused(t, b.get(t, "lead/log/list/", fmt.Sprintf("lead_id=%d", lead), ""), http.StatusNotFound, "Лид с данным id не найден")
		// The list is a GET.
		a.fail(t, "lead/log/list/", fmt.Sprintf(`{"lead_id": %d}`, lead), http.StatusNotFound, "Метод не найден")
	})
}

// TestLogLeadCreate replays E09 (a call and a comment) and checks the
// validation of types, directions, statuses and the other call members.
func TestLogLeadCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		lead := a.lead(t, "Test", "74993229710", "team@callbackkiller.com")

		// The call: result.log without deleted_at, its data as sent with
		// the inbox and the author's card.
		r := a.ok(t, "lead/log/create/", fmt.Sprintf(`{"lead_id": %d, "employee_id": 0, "type_id": 9, "data": %s}`, lead, logE09Data))
		r.Golden("log_lead_create_e09", logMasks(a, "lead", lead)...)
		r.Equal("result.log.updated_at", r.At("result.log.created_at"))
		callID := r.Int("result.log.id")

		// A comment, written by an employee: the card is the employee's.
		ksenia := a.employee(t, "Ксения", "Администратор")
		r = a.ok(t, "lead/log/create/", fmt.Sprintf(`{"lead_id": "%d", "employee_id": %d, "type_id": "10", "data": {"comment": "Комментарий"}}`, lead, ksenia))
		has(t, "log", r.Sub("result.log"), map[string]any{"type_id": 10, "employee_id": ksenia, "user_id": a.admin})
		r.Keys("result.log.data", "comment", "inbox_name", "user").Equal("result.log.data.user", userCard(crm.User{Name: "Ксения", Profession: "Администратор"}))

		// Optional members may be left out; status 0 is a status.
		a.ok(t, "lead/log/create/", fmt.Sprintf(`{"lead_id": %d, "type_id": 9,
			"data": {"direction": 3, "status": 0, "from": "79875034433", "to": "79875034434"}}`, lead)).
			Keys("result.log.data", "direction", "status", "from", "to", "inbox_name", "user")

		// The three entries are listed newest first, the call with the
		// members it was created with.
		r = a.history(t, "lead", fmt.Sprintf("lead_id=%d", lead)).Equal("count", 4).Equal("result.*.type_id", []int{9, 10, 9, 1})
		r.Equal("result.2.id", callID).Equal("result.2.updated_at", r.At("result.2.created_at"))
		has(t, "listed call", r.Sub("result.2.data"), map[string]any{"record_link": "http://test.ru", "duration_bill": 5})

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
			a.fail(t, "lead/log/create/", c.request, c.status, c.message)
		}
		// Nothing was written by the refused requests.
		a.history(t, "lead", fmt.Sprintf("lead_id=%d", lead)).Equal("count", 4)
		// Every call direction and status is accepted.
		for d := 1; d <= 3; d++ {
			for s := 0; s <= 7; s++ {
				a.ok(t, "lead/log/create/", call(fmt.Sprintf(`{"direction": %d, "status": %d, "from": "1", "to": "2"}`, d, s)))
			}
		}
	})
}

// TestLogDealList replays E20 on a deal made by taking E02's lead to work:
// its history shows the lead's creation text with the record link, the
// lead's tags and the lead linked to it.
func TestLogDealList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		lead, _ := a.createLead(t, logE02)
		deal := a.start(t, lead)

		r := a.history(t, "deal", fmt.Sprintf("deal_id=%d&limit=0&offset=", deal))
		r.Golden("log_deal_list_e20", append(logMasks(a, "deal", deal), maskAs("**.lead_id", "lead", lead),
			maskAs("result.*.data.stage_id", "stage Новая", a.stages[crm.StageNew].ID), maskIDs("tag_ids.*"))...)

		refused(t, a.get(t, "deal/log/list/", "", ""), http.StatusBadRequest, "Не указан deal_id")
		refused(t, a.get(t, "deal/log/list/", "deal_id=0", ""), http.StatusBadRequest, "Не указан deal_id")
		refused(t, a.get(t, "deal/log/list/", "deal_id=999999", ""), http.StatusNotFound, "Сделка с данным id не найдена")
		b := newAccount(t, env, "Other")
		refused(t, b.get(t, "deal/log/list/", fmt.Sprintf("deal_id=%d", deal), ""), http.StatusNotFound, "Сделка с данным id не найдена")
	})
}

// TestLogDealCreate replays E21: the reply carries both printed shapes,
// result.log and the top-level log with deleted_at.
func TestLogDealCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		deal := a.start(t, a.lead(t, "Test", "74993229710", ""))

		r := a.ok(t, "deal/log/create/", fmt.Sprintf(`{"deal_id": %d, "employee_id": 0, "type_id": 2009, "data": %s}`, deal, logE09Data))
		r.Golden("log_deal_create_e21", logMasks(a, "deal", deal)...)
		r.Equal("log.id", r.At("result.log.id")).Equal("log.updated_at", r.At("log.created_at"))

		// A comment with user_id given (the administrator).
		a.ok(t, "deal/log/create/", fmt.Sprintf(`{"deal_id": %d, "user_id": %d, "type_id": 2010, "data": {"comment": "Комментарий"}}`, deal, a.admin)).
			Keys("log", logEntryKeys...).Keys("log.data", "comment", "inbox_name", "user")

		a.history(t, "deal", fmt.Sprintf("deal_id=%d", deal)).Equal("count", 5).Equal("result.*.type_id", []int{2010, 2009, 2014, 2015, 2001})

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
			a.fail(t, "deal/log/create/", c.request, c.status, c.message)
		}
	})
}

// TestLogPaging pages a history: count is the total, offset the next
// page's or -1, limit at most 50.
func TestLogPaging(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		lead := a.lead(t, "Test", "74993229710", "")
		for i := 1; i <= 6; i++ {
			a.ok(t, "lead/log/create/", fmt.Sprintf(`{"lead_id": %d, "type_id": 10, "data": {"comment": "c%d"}}`, lead, i))
		}
		for _, page := range []struct {
			query    string
			comments []string
			limit    int64
			next     int64
		}{
			{"&limit=3", []string{"c6", "c5", "c4"}, 3, 3},
			{"&limit=3&offset=3", []string{"c3", "c2", "c1"}, 3, 6},
			{"&limit=3&offset=6", []string{""}, 3, -1},
			{"&limit=3&offset=7", []string{}, 3, -1},
			{"&offset=5", []string{"c1", ""}, 50, -1},
			{"&limit=100", []string{"c6", "c5", "c4", "c3", "c2", "c1", ""}, 50, -1},
			{"&limit=7", []string{"c6", "c5", "c4", "c3", "c2", "c1", ""}, 7, -1},
		} {
			r := a.history(t, "lead", fmt.Sprintf("lead_id=%d%s", lead, page.query))
			has(t, page.query, r, map[string]any{"count": 7, "limit": page.limit, "offset": page.next})
			var comments []string
			for _, e := range r.List("result") {
				c, _ := e.Get("data.comment").(string) // the creation entry has the lead's text
				if e.Int("type_id") != 10 {
					c = ""
				}
				comments = append(comments, c)
			}
			crmtest.Equal(t, page.query+" comments", append([]string{}, comments...), page.comments)
			if page.query == "&limit=100" {
				ids := r.At("result.*.id").([]any)
				for i := 1; i < len(ids); i++ {
					if crmtest.Value(t, ids[i]).Int("") >= crmtest.Value(t, ids[i-1]).Int("") {
						t.Errorf("ids %v are not newest first", ids)
					}
				}
			}
		}
	})
}

// TestLogSystemEntries checks the entries the system writes for what
// happens: the responsible of a lead and of a deal, a stage change.
func TestLogSystemEntries(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		ksenia := a.employee(t, "Ксения", "Администратор")
		lead := a.lead(t, "Test", "74993229710", "")
		a.ok(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": %d}`, lead, ksenia))
		r := a.history(t, "lead", fmt.Sprintf("lead_id=%d", lead)).Equal("result.*.type_id", []int{3, 1}).Equal("result.0.user_id", a.admin)
		has(t, "responsible", r.Sub("result.0.data"), map[string]any{"employee_id": ksenia, "department_id": 0, "old_employee_id": 0})

		deal := a.start(t, lead)
		a.ok(t, "deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d}`, deal, a.stages[crm.StageInWork].ID))
		a.ok(t, "deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": %d}`, deal, ksenia))
		r = a.history(t, "deal", fmt.Sprintf("deal_id=%d", deal)).Equal("result.*.type_id", []int{2003, 2002, 2014, 2015, 2001})
		has(t, "stage", r.Sub("result.1.data"), map[string]any{"stage_name": "В работе", "old_stage_name": "Новая"})
		r.Equal("result.0.data.employee_id", ksenia)
	})
}

// TestCommentDeal replays E22: a comment entry (2010) on the deal.
func TestCommentDeal(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		deal := a.start(t, a.lead(t, "Test", "74993229710", ""))

		a.ok(t, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d, "comment": "Текст комментария"}`, deal)).Keys("", "status_code", "message")
		r := a.history(t, "deal", fmt.Sprintf("deal_id=%d", deal)).Equal("result.0.type_id", 2010)
		r.Keys("result.0.data", "comment", "inbox_name", "user")
		has(t, "comment", r.Sub("result.0.data"), map[string]any{"comment": "Текст комментария", "inbox_name": "Добавлен вручную"})
		has(t, "comment entry", r.Sub("result.0"), map[string]any{"user_id": a.admin, "employee_id": 0, "updated_at": r.At("result.0.created_at")})

		a.fail(t, "deal/createComment/", `{"deal_id": 999999, "comment": "x"}`, http.StatusNotFound, "Сделка не найдена")
		a.fail(t, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d, "comment": " "}`, deal), http.StatusInternalServerError, "Неверный request")
		a.fail(t, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d}`, deal), http.StatusInternalServerError, "Неверный request")
		a.fail(t, "deal/createComment/", `{"comment": "x"}`, http.StatusBadRequest, "Не указан deal_id")
		a.fail(t, "deal/createComment/", fmt.Sprintf(`{"deal_id": %d, "comment": {"a": 1}}`, deal), http.StatusBadRequest, "Параметр comment должен быть строкой")
	})
}

// TestTagAddDealTags replays E26: names are created as shared tags, added
// to the deal's, never twice; each addition is in the deal's history.
func TestTagAddDealTags(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Logs")
		// The lead's tags "тег1", "тег2" are on its deal already.
		lead, _ := a.createLead(t, logE02)
		deal := a.start(t, lead)
		other := a.start(t, a.lead(t, "Other", "74950000000", ""))
		tagsOf := func(id int64) (names []string, ids []int64) {
			t.Helper()
			fam, err := env.Server.Service.Deal(t.Context(), a.actor, id, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, tg := range fam.Deal.Tags {
				names, ids = append(names, tg.Name), append(ids, tg.ID)
			}
			return names, ids
		}
		_, before := tagsOf(deal)

		a.ok(t, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": %d, "tags": ["тег1", "тег2", "тег3"]}`, deal)).Keys("", "status_code", "message")
		names, tagIDs := tagsOf(deal)
		crmtest.Equal(t, "tags", names, []string{"тег1", "тег2", "тег3"})
		crmtest.Equal(t, "kept tags", tagIDs[:2], before)
		r := a.history(t, "deal", fmt.Sprintf("deal_id=%d", deal)).Equal("result.0.type_id", 2016)
		has(t, "tags added", r.Sub("result.0.data"), map[string]any{"text": "Добавлены теги: тег3", "tags": []string{"тег3"},
			"tag_ids": tagIDs[2:], "user": userCard(a.user(t, a.admin))})
		count := r.Int("count")

		// Case-insensitive names are the same tag; nothing new: no entry.
		a.ok(t, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": "%d", "tags": ["ТЕГ1", "тег3", "тег3"]}`, deal))
		names, _ = tagsOf(deal)
		crmtest.Equal(t, "tags after re-adding", names, []string{"тег1", "тег2", "тег3"})
		a.history(t, "deal", fmt.Sprintf("deal_id=%d", deal)).Equal("count", count)

		// Another deal gets the same tag records.
		a.ok(t, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": %d, "tags": ["тег3", "новый"]}`, other))
		otherNames, otherIDs := tagsOf(other)
		crmtest.Equal(t, "other deal's tags", otherNames, []string{"тег3", "новый"})
		crmtest.Equal(t, "other deal's тег3", otherIDs[0], tagIDs[2])

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
			a.fail(t, "deal/tag/addDealTags/", c.request, c.status, c.message)
		}
	})
}
