package envybox_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

var dealListKeys = []string{"id", "inbox_type_id", "stage_updated_at", "client_id", "pipeline_id", "stage_id", "stage", "user_id",
	"employee_id", "department_id", "status_id", "stage_color", "created_at", "client_name", "values", "connected_lead_id"}

func TestDealList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()

		// The document's example on an empty account.
		obj := e.post(t, "/openapi/v1/deal/list/", `{"keyword": "", "limit": 0, "offset": 0, "date_start": "2017-07-10", "date_end": "2017-07-10", "date_type": "created", "stage_id": 1}`)
		dealKeys(t, "reply", obj, "dateType", "dateSelectType", "offset", "limit", "result", "count", "inputs_sum", "status_code", "message")
		dealWant(t, "reply", obj, map[string]any{"dateType": "period", "dateSelectType": "created", "offset": -1, "limit": 50,
			"result": []any{}, "count": "0", "inputs_sum": []any{}})

		// Three deals: 2024-03-11 01:30, 2024-03-11 23:59:30 and
		// 2024-03-12 00:00:30 Moscow time.
		clientID, first := e.client(t, "CallbackKILLER", "+7 (499) 322-97-10", "team@callbackkiller.com")
		e.clock.set(time.Date(2024, 3, 11, 20, 59, 30, 0, time.UTC))
		otherClient, second := e.client(t, "Иван Петров", "79001112233", "ivan@example.com")
		e.clock.set(time.Date(2024, 3, 11, 21, 0, 30, 0, time.UTC))
		third := e.deal(t, clientID, "Оптовый заказ")

		obj = e.post(t, "/openapi/v1/deal/list/", `{}`)
		dealWantIDs(t, "all", obj, []int64{third, second, first})
		row := dealArr(t, obj, "result")[2].(map[string]any)
		dealKeys(t, "row", row, dealListKeys...)
		dealTypes(t, "row", row, map[string]string{"id": "s", "inbox_type_id": "s", "stage_updated_at": "s", "client_id": "s",
			"pipeline_id": "s", "stage_id": "s", "stage": "s", "user_id": "s", "employee_id": "s", "department_id": "s", "status_id": "s",
			"stage_color": "s", "created_at": "s", "client_name": "s|null", "values": "o", "connected_lead_id": "a"})
		newStage := e.stages[crm.StageNew]
		dealWant(t, "row", row, map[string]any{"id": fmt.Sprint(first), "client_id": fmt.Sprint(clientID), "pipeline_id": fmt.Sprint(e.pipeline.ID),
			"stage_id": fmt.Sprint(newStage.ID), "stage": newStage.Name, "status_id": "2001", "stage_color": newStage.Color,
			"created_at": "2024-03-11 01:30:00", "stage_updated_at": "2024-03-11 01:30:00", "client_name": "CallbackKILLER",
			"user_id": "0", "employee_id": "0", "department_id": "0"})
		values := dealObj(t, row, "values")
		dealKeys(t, "values", values, "service", "custom")
		name := dealObj(t, dealObj(t, values, "service"), "name")
		dealKeys(t, "values.service.name", name, "id", "crm_id", "deal_id", "input_id", "type_id", "value", "mask", "created_at",
			"updated_at", "deleted_at", "name", "name_id")
		dealWant(t, "values.service.name", name, map[string]any{"crm_id": fmt.Sprint(e.actor.AccountID), "deal_id": fmt.Sprint(first),
			"input_id": "2001", "type_id": "1", "value": "CallbackKILLER", "mask": nil, "name": "Название сделки", "name_id": "name",
			"created_at": "2024-03-11 01:30:00", "deleted_at": nil})
		dealWant(t, "values", values, map[string]any{"custom": []any{}})
		if leads := dealArr(t, row, "connected_lead_id"); len(leads) != 1 {
			t.Errorf("connected_lead_id = %v", leads)
		}

		// Paging: the next offset, -1 at the end; limit 0 is 50, at most 50.
		obj = e.post(t, "/openapi/v1/deal/list/", `{"limit": 2, "offset": 0}`)
		dealWant(t, "page 1", obj, map[string]any{"offset": 2, "limit": 2, "count": "3"})
		if got := dealArr(t, obj, "result"); len(got) != 2 {
			t.Errorf("page 1 has %d rows", len(got))
		}
		obj = e.post(t, "/openapi/v1/deal/list/", `{"limit": "2", "offset": "2"}`)
		dealWant(t, "page 2", obj, map[string]any{"offset": -1, "limit": 2, "count": "3"})
		if got := dealArr(t, obj, "result"); len(got) != 1 {
			t.Errorf("page 2 has %d rows", len(got))
		}
		dealWant(t, "limit 500", e.post(t, "/openapi/v1/deal/list/", `{"limit": 500}`), map[string]any{"limit": 50, "offset": -1})
		dealWant(t, "past the end", e.post(t, "/openapi/v1/deal/list/", `{"offset": 10}`), map[string]any{"result": []any{}, "count": "3", "offset": -1})

		// Keyword: deal name, client name, the client's phone however written, email.
		for _, tc := range []struct {
			keyword string
			want    []int64
		}{
			{"оптовый", []int64{third}},
			{"ИВАН", []int64{second}},
			{"74993229710", []int64{third, first}},
			{"+7 (499) 322-97-10", []int64{third, first}},
			{"8 499 322 97 10", []int64{third, first}},
			{"322-97-10", []int64{third, first}},
			{"ivan@example", []int64{second}},
			{"нет такого", nil},
		} {
			dealWantIDs(t, tc.keyword, e.post(t, "/openapi/v1/deal/list/", fmt.Sprintf(`{"keyword": %q}`, tc.keyword)), tc.want)
		}
		// ... and custom values of the deal and of the client.
		dealField := e.customField(t, crm.EntityDeal, "Источник", crm.FieldText)
		e.post(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "fields": [{"input_id": %d, "value": "Выставка Экспо", "value_type_id": 2}]}`,
			second, otherClient, dealField))
		dealWantIDs(t, "custom value", e.post(t, "/openapi/v1/deal/list/", `{"keyword": "экспо"}`), []int64{second})

		// Dates are days in the account's time zone (Moscow).
		e.post(t, "/openapi/v1/deal/toInbox/", fmt.Sprintf(`{"deal_id": %d}`, first)) // updated 2024-03-12 00:00:30
		for _, tc := range []struct {
			req  string
			want []int64
		}{
			{`{"date_start": "2024-03-11", "date_end": "2024-03-11"}`, []int64{second, first}},
			{`{"date_start": "2024-03-12", "date_end": "2024-03-12", "date_type": "created"}`, []int64{third}},
			{`{"date_start": "2024-03-10", "date_end": "2024-03-10"}`, nil},
			{`{"date_end": "2024-03-11"}`, []int64{second, first}},
			{`{"date_start": "2024-03-12"}`, []int64{third}},
			{`{"date_type": "updated", "date_start": "2024-03-12"}`, []int64{third, first}},
			{`{"date_type": "updated", "date_end": "2024-03-11"}`, []int64{second}},
		} {
			dealWantIDs(t, tc.req, e.post(t, "/openapi/v1/deal/list/", tc.req), tc.want)
		}
		dealWant(t, "dateSelectType", e.post(t, "/openapi/v1/deal/list/", `{"date_type": "closed"}`), map[string]any{"dateSelectType": "closed"})

		// pipeline_id and stage_id as a number or an array.
		other, err := env.Server.Service.AddPipeline(ctx, e.actor, crm.Pipeline{Name: "Вторая", AllowManualStageChange: true, Stages: []crm.Stage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Работа", Status: crm.StageInWork}}})
		if err != nil {
			t.Fatal(err)
		}
		inOther, err := env.Server.Service.CreateDeal(ctx, e.actor, crm.NewDeal{ClientID: clientID, PipelineID: other.ID, StageID: other.Stages[1].ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			req  string
			want []int64
		}{
			{fmt.Sprintf(`{"pipeline_id": %d}`, other.ID), []int64{inOther.ID}},
			{fmt.Sprintf(`{"pipeline_id": "%d"}`, e.pipeline.ID), []int64{third, second, first}},
			{fmt.Sprintf(`{"pipeline_id": [%d, %d]}`, other.ID, e.pipeline.ID), []int64{inOther.ID, third, second, first}},
			{fmt.Sprintf(`{"stage_id": %d}`, other.Stages[1].ID), []int64{inOther.ID}},
			{fmt.Sprintf(`{"stage_id": [%d, "%d"]}`, other.Stages[1].ID, newStage.ID), []int64{inOther.ID, third, second, first}},
			{fmt.Sprintf(`{"stage_id": [%d], "keyword": "оптовый"}`, newStage.ID), []int64{third}},
		} {
			dealWantIDs(t, tc.req, e.post(t, "/openapi/v1/deal/list/", tc.req), tc.want)
		}

		e.fail(t, "/openapi/v1/deal/list/", `{"filter": {"inputs": {"3": {"2001": "x"}}}}`, http.StatusBadRequest,
			"Неверный request: filter.inputs.3.2001: неизвестный критерий (ожидаются service, custom, comparison)") // E15: search_test.go
		e.fail(t, "/openapi/v1/deal/list/", `{"date_type": "deadline"}`, http.StatusBadRequest,
			"Параметр date_type должен быть одним из: created, updated, closed, stage_changed, stage_transition")
		e.fail(t, "/openapi/v1/deal/list/", `{"date_start": "10.07.2017"}`, http.StatusBadRequest, "Дата должна быть в формате YYYY-MM-DD: 10.07.2017")
		e.fail(t, "/openapi/v1/deal/list/", `{"stage_id": ["x"]}`, http.StatusBadRequest, "Параметр stage_id должен быть числом или массивом чисел")
		e.fail(t, "/openapi/v1/deal/list/", `{"offset": -1}`, http.StatusBadRequest, "limit и offset не могут быть отрицательными")
	})
}
