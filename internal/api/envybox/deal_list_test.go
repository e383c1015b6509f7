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

func TestDealList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := context.Background()

		// The document's example on an empty account.
		a.ok(t, "deal/list/", `{"keyword": "", "limit": 0, "offset": 0, "date_start": "2017-07-10", "date_end": "2017-07-10",
			"date_type": "created", "stage_id": 1}`).EqualJSON("", `{"dateType": "period", "dateSelectType": "created", "offset": -1,
			"limit": 50, "result": [], "count": "0", "inputs_sum": [], "status_code": 200, "message": "success"}`)

		// Three deals: 2024-03-11 01:30, 2024-03-11 23:59:30 and
		// 2024-03-12 00:00:30 Moscow time.
		clientID, first := a.leadClient(t, "CallbackKILLER", "+7 (499) 322-97-10", "team@callbackkiller.com")
		clock.Set(time.Date(2024, 3, 11, 20, 59, 30, 0, time.UTC))
		otherClient, second := a.leadClient(t, "Иван Петров", "79001112233", "ivan@example.com")
		clock.Set(time.Date(2024, 3, 11, 21, 0, 30, 0, time.UTC))
		third := a.deal(t, clientID, "Оптовый заказ")

		// The oldest row: old-style typing, the client's name, the deal's
		// name as its service value, the lead taken to work.
		r := a.ok(t, "deal/list/", `{}`)
		dealIDs(t, "all", r, third, second, first)
		newStage := a.stages[crm.StageNew]
		golden(t, "deal_list_row", r.Sub("result.2"), maskAs("id", "deal", first), maskAs("**.deal_id", "deal", first),
			maskAs("client_id", "client", clientID), maskAs("pipeline_id", "primary pipeline", a.pipeline.ID),
			maskAs("stage_id", "stage Новая", newStage.ID), maskAs("**.crm_id", "account", a.id), maskIDs("inbox_type_id"),
			crmtest.MaskPath("values.service.*.id", "id"), crmtest.MaskPath("connected_lead_id.*", "lead"))

		// Paging: the next offset, -1 at the end; limit 0 is 50, at most 50.
		r = a.ok(t, "deal/list/", `{"limit": 2, "offset": 0}`)
		has(t, "page 1", r, map[string]any{"offset": 2, "limit": 2, "count": "3"})
		r.Equal("result.*.id", ids(third, second))
		r = a.ok(t, "deal/list/", `{"limit": "2", "offset": "2"}`)
		has(t, "page 2", r, map[string]any{"offset": -1, "limit": 2, "count": "3"})
		r.Equal("result.*.id", ids(first))
		has(t, "limit 500", a.ok(t, "deal/list/", `{"limit": 500}`), map[string]any{"limit": 50, "offset": -1})
		has(t, "past the end", a.ok(t, "deal/list/", `{"offset": 10}`), map[string]any{"result": []any{}, "count": "3", "offset": -1})

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
			dealIDs(t, tc.keyword, a.ok(t, "deal/list/", fmt.Sprintf(`{"keyword": %q}`, tc.keyword)), tc.want...)
		}
		// ... and custom values of the deal and of the client.
		dealField := a.field(t, crm.EntityDeal, "Источник", crm.FieldText).ID
		a.ok(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "fields": [{"input_id": %d, "value": "Выставка Экспо", "value_type_id": 2}]}`,
			second, otherClient, dealField))
		dealIDs(t, "custom value", a.ok(t, "deal/list/", `{"keyword": "экспо"}`), second)

		// Dates are days in the account's time zone (Moscow).
		a.ok(t, "deal/toInbox/", fmt.Sprintf(`{"deal_id": %d}`, first)) // updated 2024-03-12 00:00:30
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
			dealIDs(t, tc.req, a.ok(t, "deal/list/", tc.req), tc.want...)
		}
		a.ok(t, "deal/list/", `{"date_type": "closed"}`).Equal("dateSelectType", "closed")

		// pipeline_id and stage_id as a number or an array.
		other, err := env.Server.Service.AddPipeline(ctx, a.actor, crm.Pipeline{Name: "Вторая", AllowManualStageChange: true, Stages: []crm.Stage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Работа", Status: crm.StageInWork}}})
		if err != nil {
			t.Fatal(err)
		}
		inOther := a.newDeal(t, crm.NewDeal{ClientID: clientID, PipelineID: other.ID, StageID: other.Stages[1].ID})
		for _, tc := range []struct {
			req  string
			want []int64
		}{
			{fmt.Sprintf(`{"pipeline_id": %d}`, other.ID), []int64{inOther}},
			{fmt.Sprintf(`{"pipeline_id": "%d"}`, a.pipeline.ID), []int64{third, second, first}},
			{fmt.Sprintf(`{"pipeline_id": [%d, %d]}`, other.ID, a.pipeline.ID), []int64{inOther, third, second, first}},
			{fmt.Sprintf(`{"stage_id": %d}`, other.Stages[1].ID), []int64{inOther}},
			{fmt.Sprintf(`{"stage_id": [%d, "%d"]}`, other.Stages[1].ID, newStage.ID), []int64{inOther, third, second, first}},
			{fmt.Sprintf(`{"stage_id": [%d], "keyword": "оптовый"}`, newStage.ID), []int64{third}},
		} {
			dealIDs(t, tc.req, a.ok(t, "deal/list/", tc.req), tc.want...)
		}

		a.fail(t, "deal/list/", `{"filter": {"inputs": {"3": {"2001": "x"}}}}`, http.StatusBadRequest,
			"Неверный request: filter.inputs.3.2001: неизвестный критерий (ожидаются service, custom, comparison)") // E15: search_test.go
		a.fail(t, "deal/list/", `{"date_type": "deadline"}`, http.StatusBadRequest,
			"Параметр date_type должен быть одним из: created, updated, closed, stage_changed, stage_transition")
		a.fail(t, "deal/list/", `{"date_start": "10.07.2017"}`, http.StatusBadRequest, "Дата должна быть в формате YYYY-MM-DD: 10.07.2017")
		a.fail(t, "deal/list/", `{"stage_id": ["x"]}`, http.StatusBadRequest, "Параметр stage_id должен быть числом или массивом чисел")
		a.fail(t, "deal/list/", `{"offset": -1}`, http.StatusBadRequest, "limit и offset не могут быть отрицательными")
	})
}
