package envybox_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// The deal search by field values (E15), served at deal/list with a filter.

// search posts deal/list with a filter (and more members of request).
func (a *account) search(t testing.TB, filter string, more ...string) *crmtest.Reply {
	t.Helper()
	req := `{"filter": ` + filter
	for _, m := range more {
		req += ", " + m
	}
	return a.ok(t, "deal/list/", req+"}")
}

// searchFail expects a filter to be refused with a 400 and the message.
func (a *account) searchFail(t testing.TB, filter, message string) {
	t.Helper()
	a.fail(t, "deal/list/", `{"filter": `+filter+`}`, http.StatusBadRequest, message)
}

// TestSearchDateTypes: every dateType on the creation date, in Moscow time,
// on Wednesday 2024-03-13.
func TestSearchDateTypes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		clock.AtMSK(t, "2024-01-01 09:00")
		client := a.plainClient(t, "Клиент")
		made := map[string]int64{}
		for _, at := range []string{"2024-01-31 23:59", "2024-02-29 12:00", "2024-03-03 12:00", "2024-03-04 00:10",
			"2024-03-10 23:30", "2024-03-11 00:30", "2024-03-12 10:00", "2024-03-13 10:00"} {
			clock.AtMSK(t, at)
			made[at[:10]] = a.deal(t, client, "Сделка "+at)
		}
		clock.AtMSK(t, "2024-03-13 12:00")
		d := func(days ...string) []int64 {
			var ids []int64
			for _, day := range days {
				ids = append(ids, made[day])
			}
			return newestFirst(ids...)
		}
		for _, tc := range []struct {
			dateType, dates string
			want            []int64
		}{
			{"all", `{}`, d("2024-01-31", "2024-02-29", "2024-03-03", "2024-03-04", "2024-03-10", "2024-03-11", "2024-03-12", "2024-03-13")},
			{"today", `{}`, d("2024-03-13")},
			{"yesterday", `{}`, d("2024-03-12")},
			{"week", `{}`, d("2024-03-11", "2024-03-12", "2024-03-13")},
			{"last_week", `{}`, d("2024-03-04", "2024-03-10")},
			{"month", `{}`, d("2024-03-03", "2024-03-04", "2024-03-10", "2024-03-11", "2024-03-12", "2024-03-13")},
			{"last_month", `{}`, d("2024-02-29")},
			{"one_date", `{"start": "2024-03-11"}`, d("2024-03-11")},
			{"period", `{"start": "2024-03-03", "end": "2024-03-10"}`, d("2024-03-03", "2024-03-04", "2024-03-10")},
			{"earlier_than", `{"start": "2024-03-01"}`, d("2024-01-31", "2024-02-29")},
			{"later_than", `{"start": "2024-03-11"}`, d("2024-03-12", "2024-03-13")},
			{"later_than", `{"end": "2024-03-12"}`, d("2024-03-13")},
		} {
			f := fmt.Sprintf(`{"dateFilters": [{"dateType": %q, "dateSelectType": "created", "dates": %s}]}`, tc.dateType, tc.dates)
			searchIDs(t, tc.dateType+" "+tc.dates, a.search(t, f), tc.want...)
		}
		// The week starts on Monday also when today is Sunday; the month
		// turns over in Moscow time, not UTC.
		clock.AtMSK(t, "2024-03-17 23:00")
		searchIDs(t, "week on Sunday", a.search(t, `{"dateFilters": [{"dateType": "week", "dateSelectType": "created", "dates": {}}]}`),
			d("2024-03-11", "2024-03-12", "2024-03-13")...)
		clock.AtMSK(t, "2024-03-01 00:30") // still February in UTC
		searchIDs(t, "last_month on the 1st", a.search(t, `{"dateFilters": [{"dateType": "last_month", "dateSelectType": "created", "dates": {}}]}`),
			d("2024-02-29")...)

		for _, tc := range []struct{ filter, message string }{
			{`{"dateFilters": [{"dateType": "decade", "dateSelectType": "created", "dates": {}}]}`,
				"Неверный request: filter.dateFilters.0.dateType: dateType должен быть одним из: all, yesterday, today, week, last_week, month, last_month, one_date, period, earlier_than, later_than"},
			{`{"dateFilters": [{"dateType": "today", "dateSelectType": "updated", "dates": {}}]}`,
				"Неверный request: filter.dateFilters.0.dateSelectType: dateSelectType должен быть одним из: created, closed, stage_changed, stage_transition, lead_created, first_lead_created, next_task"},
			{`{"dateFilters": [{"dateType": "today", "dates": {}}]}`, "Неверный request: filter.dateFilters.0.dateSelectType: не указан dateSelectType"},
			{`{"dateFilters": [{"dateSelectType": "created"}]}`, "Неверный request: filter.dateFilters.0.dateType: не указан dateType"},
			{`{"dateFilters": [{"dateType": "period", "dateSelectType": "created", "dates": {"start": "2024-03-01"}}]}`,
				"Неверный request: filter.dateFilters.0.dates: для dateType period нужны даты start и end"},
			{`{"dateFilters": [{"dateType": "period", "dateSelectType": "created", "dates": {"start": "2024-03-05", "end": "2024-03-01"}}]}`,
				"Неверный request: filter.dateFilters.0.dates: дата end раньше даты start"},
			{`{"dateFilters": [{"dateType": "one_date", "dateSelectType": "created", "dates": {"start": "01.03.2024"}}]}`,
				"Неверный request: filter.dateFilters.0.dates.start: дата должна быть в формате YYYY-MM-DD: 01.03.2024"},
			{`{"dateFilters": [{"dateType": "earlier_than", "dateSelectType": "created", "dates": {}}]}`,
				"Неверный request: filter.dateFilters.0.dates.start: для dateType earlier_than нужна дата start"},
			{`{"dateFilters": {"dateType": "today"}}`, "Неверный request: filter.dateFilters: должен быть массивом объектов"},
		} {
			a.searchFail(t, tc.filter, tc.message)
		}
	})
}

// TestSearchDateSelects: every dateSelectType, and relative periods on the
// forward-looking next_task.
func TestSearchDateSelects(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := context.Background()
		inWork, won := a.stages[crm.StageInWork], a.stages[crm.StageWon]

		// Leads of one contact on 2024-03-04 and 2024-03-06; the first is
		// taken to work on 2024-03-05, the second is linked to that deal.
		clock.AtMSK(t, "2024-03-04 10:00")
		first, err := env.Server.Service.CreateInbound(ctx, a.actor, crm.NewInbound{Values: map[string]string{"name": "Пётр", "phone": "79001234567"}})
		if err != nil {
			t.Fatal(err)
		}
		clock.AtMSK(t, "2024-03-05 10:00")
		res, err := env.Server.Service.StartInbound(ctx, a.actor, first.ID, crm.Responsible{})
		if err != nil {
			t.Fatal(err)
		}
		leadDeal, client := res.DealID, res.ClientID
		clock.AtMSK(t, "2024-03-06 10:00")
		second, err := env.Server.Service.CreateInbound(ctx, a.actor, crm.NewInbound{Values: map[string]string{"name": "Пётр", "phone": "79001234567"}})
		if err != nil {
			t.Fatal(err)
		}
		a.tx(t, func(tx crm.Tx) error { return tx.LinkInboundDeal(ctx, second.ID, leadDeal) })

		// Deals without leads: one entering "in work" on 03-07 and won on
		// 03-08, one entering "in work" on 03-08, one untouched with a task
		// due on 03-14, one with a task due on 03-20.
		clock.AtMSK(t, "2024-03-05 11:00")
		movedTwice := a.deal(t, client, "Дважды")
		movedOnce := a.deal(t, client, "Однажды")
		clock.AtMSK(t, "2024-03-07 09:00")
		a.stage(t, movedTwice, inWork.ID)
		clock.AtMSK(t, "2024-03-08 09:00")
		a.stage(t, movedTwice, won.ID)
		a.stage(t, movedOnce, inWork.ID)
		clock.AtMSK(t, "2024-03-11 12:00")
		soon := a.newDeal(t, crm.NewDeal{ClientID: client, Name: "Скоро", Task: &crm.NewTask{Text: "Позвонить",
			Time: time.Date(2024, 3, 14, 15, 0, 0, 0, msk)}})
		later := a.newDeal(t, crm.NewDeal{ClientID: client, Name: "Позже", Task: &crm.NewTask{Text: "Написать",
			Time: time.Date(2024, 3, 20, 15, 0, 0, 0, msk)}})
		clock.AtMSK(t, "2024-03-13 12:00") // Wednesday

		one := func(sel, day string) string {
			return fmt.Sprintf(`{"dateFilters": [{"dateType": "one_date", "dateSelectType": %q, "dates": {"start": %q}}]}`, sel, day)
		}
		for _, tc := range []struct {
			what, filter string
			want         []int64
		}{
			{"created", one("created", "2024-03-05"), newestFirst(leadDeal, movedTwice, movedOnce)},
			{"closed", one("closed", "2024-03-08"), []int64{movedTwice}},
			{"closed all", `{"dateFilters": [{"dateType": "all", "dateSelectType": "closed", "dates": {}}]}`, []int64{movedTwice}},
			{"stage_changed", one("stage_changed", "2024-03-08"), newestFirst(movedTwice, movedOnce)},
			{"stage_changed 03-07", one("stage_changed", "2024-03-07"), nil},
			{"stage_transition into in work", fmt.Sprintf(`{"dateStages": [%d], "dateFilters": [{"dateType": "period", "dateSelectType": "stage_transition", "dates": {"start": "2024-03-07", "end": "2024-03-08"}}]}`, inWork.ID),
				newestFirst(movedTwice, movedOnce)},
			{"stage_transition into won", fmt.Sprintf(`{"dateStages": ["%d"], "dateFilters": [{"dateType": "one_date", "dateSelectType": "stage_transition", "dates": {"start": "2024-03-08"}}]}`, won.ID),
				[]int64{movedTwice}},
			{"stage_transition any stage", one("stage_transition", "2024-03-07"), []int64{movedTwice}},
			{"lead_created latest", one("lead_created", "2024-03-06"), []int64{leadDeal}},
			{"lead_created not the first", one("lead_created", "2024-03-04"), nil},
			{"first_lead_created", one("first_lead_created", "2024-03-04"), []int64{leadDeal}},
			{"first_lead_created not the latest", one("first_lead_created", "2024-03-06"), nil},
			{"lead_created all", `{"dateFilters": [{"dateType": "all", "dateSelectType": "lead_created", "dates": {}}]}`, []int64{leadDeal}},
			{"next_task", one("next_task", "2024-03-14"), []int64{soon}},
			{"next_task week", `{"dateFilters": [{"dateType": "week", "dateSelectType": "next_task", "dates": {}}]}`, []int64{soon}},
			{"next_task month", `{"dateFilters": [{"dateType": "month", "dateSelectType": "next_task", "dates": {}}]}`, newestFirst(soon, later)},
			{"next_task later_than", `{"dateFilters": [{"dateType": "later_than", "dateSelectType": "next_task", "dates": {"start": "2024-03-14"}}]}`, []int64{later}},
			{"next_task all", `{"dateFilters": [{"dateType": "all", "dateSelectType": "next_task", "dates": {}}]}`, newestFirst(soon, later)},
			{"two date filters", `{"dateFilters": [{"dateType": "one_date", "dateSelectType": "created", "dates": {"start": "2024-03-05"}},
				{"dateType": "all", "dateSelectType": "closed", "dates": {}}]}`, []int64{movedTwice}},
			{"the prose's dateselectType", `{"dateFilters": [{"dateType": "one_date", "dateselectType": "closed", "dates": {"start": "2024-03-08"}}]}`, []int64{movedTwice}},
		} {
			searchIDs(t, tc.what, a.search(t, tc.filter), tc.want...)
		}
	})
}

// TestSearchInputs: each kind of field input of leads, clients and deals.
func TestSearchInputs(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := context.Background()
		svc := env.Server.Service
		clock.AtMSK(t, "2024-03-13 12:00")

		leadText := a.field(t, crm.EntityInbound, "Откуда", crm.FieldText)
		leadNum := a.field(t, crm.EntityInbound, "Бюджет", crm.FieldNumeric)
		leadDate := a.field(t, crm.EntityInbound, "Визит", crm.FieldDate)
		clientList := a.field(t, crm.EntityContact, "Категория", crm.FieldSelect, "VIP", "Обычный")
		clientNum := a.field(t, crm.EntityContact, "Возраст", crm.FieldNumeric)
		clientCheck := a.field(t, crm.EntityContact, "Подписка", crm.FieldCheckbox)
		dealText := a.field(t, crm.EntityDeal, "Комментарий", crm.FieldText)
		dealNum := a.field(t, crm.EntityDeal, "Сумма", crm.FieldNumeric)
		dealDate := a.field(t, crm.EntityDeal, "Оплата", crm.FieldDate)
		dealMulti := a.field(t, crm.EntityDeal, "Товары", crm.FieldMultiselect, "Стол", "Стул", "Шкаф")
		dealCheck := a.field(t, crm.EntityDeal, "Срочно", crm.FieldCheckbox)
		unix := func(day string) float64 {
			tm, _ := time.ParseInLocation(time.DateOnly, day, msk)
			return float64(tm.Unix())
		}

		// Two leads taken to work: A (from an exhibition, budget 500, visit
		// 2024-03-10, UTM "yandex"), B (budget 1500, visit 2024-03-13).
		lead := func(name, phone string, values map[string]string, custom []crm.CustomValueInput) (dealID, clientID int64) {
			if values == nil {
				values = map[string]string{}
			}
			values["name"], values["phone"] = name, phone
			l, err := svc.CreateInbound(ctx, a.actor, crm.NewInbound{Values: values, Custom: custom, Region: "Москва"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := svc.StartInbound(ctx, a.actor, l.ID, crm.Responsible{})
			if err != nil {
				t.Fatal(err)
			}
			return res.DealID, res.ClientID
		}
		dealA, clientA := lead("Анна Выставкина", "+7 (499) 322-97-10", map[string]string{"utm_source": "yandex", "google_client_id": "GA1.2.3"},
			[]crm.CustomValueInput{{FieldID: leadText.ID, Value: "Выставка Экспо"}, {FieldID: leadNum.ID, Value: 500.0},
				{FieldID: leadDate.ID, Value: unix("2024-03-10")}})
		dealB, clientB := lead("Борис", "79005556677", map[string]string{"utm_source": "google"},
			[]crm.CustomValueInput{{FieldID: leadNum.ID, Value: 1500.0}, {FieldID: leadDate.ID, Value: unix("2024-03-13")}})
		if err := svc.UpdateClientValues(ctx, a.actor, clientA, crm.Responsible{}, []crm.FieldWrite{
			{FieldID: clientList.ID, Value: fmt.Sprint(clientList.Enums[0].ID)}, {FieldID: clientNum.ID, Value: 30.0},
			{FieldID: clientCheck.ID, Value: true}, {FieldID: 1010, Service: true, Value: "77"}}); err != nil {
			t.Fatal(err)
		}
		if err := svc.UpdateClientValues(ctx, a.actor, clientB, crm.Responsible{}, []crm.FieldWrite{
			{FieldID: clientList.ID, Value: fmt.Sprint(clientList.Enums[1].ID)}, {FieldID: clientNum.ID, Value: 45.0},
			{FieldID: 1010, Service: true, Value: "Санкт-Петербург"}}); err != nil {
			t.Fatal(err)
		}
		// Deals of their own: C for client A, D for client B.
		dealC := a.newDeal(t, crm.NewDeal{ClientID: clientA, Name: "Мебель для офиса", Values: []crm.FieldWrite{
			{FieldID: dealText.ID, Value: "Доставка до двери"}, {FieldID: dealNum.ID, Value: 120000.5},
			{FieldID: dealDate.ID, Value: unix("2024-03-12")}, {FieldID: dealMulti.ID, Value: fmt.Sprint(dealMulti.Enums[0].ID)},
			{FieldID: dealCheck.ID, Value: true}, {FieldID: 2006, Service: true, Value: "cpc"}}})
		dealD := a.newDeal(t, crm.NewDeal{ClientID: clientB, Name: "Шкаф", Values: []crm.FieldWrite{
			{FieldID: dealNum.ID, Value: 9000.0}, {FieldID: dealDate.ID, Value: unix("2024-02-20")},
			{FieldID: dealMulti.ID, Value: fmt.Sprint(dealMulti.Enums[2].ID)}, {FieldID: dealCheck.ID, Value: false}}})
		all := newestFirst(dealA, dealB, dealC, dealD)

		in := func(el, part string, id int64, value string, rest ...string) string {
			s := fmt.Sprintf(`{"inputs": {%q: {%q: {"%d": %s}`, el, part, id, value)
			for _, r := range rest {
				s += ", " + r
			}
			return s + `}}}`
		}
		cmp := func(id int64, typ string, to ...string) string {
			c := fmt.Sprintf(`"comparison": {"%d": {"type": %q`, id, typ)
			if len(to) > 0 {
				c += `, "value_to": ` + to[0]
			}
			return c + `}}`
		}
		for _, tc := range []struct {
			what, filter string
			want         []int64
		}{
			// Lead service fields: name, phone however written, UTM.
			{"lead name", in("1", "service", 1, `"выставкин"`), []int64{dealA}},
			{"lead phone", in("1", "service", 2, `"8 (499) 322-97-10"`), []int64{dealA}},
			{"lead utm equally", in("1", "service", 5, `"Google"`, cmp(5, "equally")), []int64{dealB}},
			{"lead utm equally misses a part", in("1", "service", 5, `"goo"`, cmp(5, "equally")), nil},
			// Lead custom: text, number range, date.
			{"lead custom text", in("1", "custom", leadText.ID, `"экспо"`), []int64{dealA}},
			{"lead custom number", in("1", "custom", leadNum.ID, `500`), []int64{dealA}},
			{"lead custom number range", in("1", "custom", leadNum.ID, `"1000"`, cmp(leadNum.ID, "range", `2000`)), []int64{dealB}},
			{"lead custom date", fmt.Sprintf(`{"customDateType": {"%d": "one_date"}, "inputs": {"1": {"custom": {"%d": {"field": "date", "start": "2024-03-10", "end": "2024-03-10"}}}}}`,
				leadDate.ID, leadDate.ID), []int64{dealA}},
			{"lead custom date today", fmt.Sprintf(`{"customDateType": {"%d": "today"}, "inputs": {"1": {"custom": {"%d": {"field": "date"}}}}}`,
				leadDate.ID, leadDate.ID), []int64{dealB}},
			// Client service: name, region by id or text.
			{"client name", in("2", "service", 1001, `"борис"`), []int64{dealD, dealB}},
			{"client region by id", in("2", "service", 1010, `[{"timezone": "UTC+03:00", "text": "Москва", "id": 77}]`), []int64{dealC, dealA}},
			{"client region by text", in("2", "service", 1010, `[{"timezone": "UTC+03:00", "text": "санкт-петербург", "id": 78}]`), []int64{dealD, dealB}},
			// Client custom: list by option id, number equally and range, checkbox.
			{"client list", in("2", "custom", clientList.ID, fmt.Sprintf(`["%d"]`, clientList.Enums[0].ID)), []int64{dealC, dealA}},
			{"client list any", in("2", "custom", clientList.ID, fmt.Sprintf(`["%d", %d]`, clientList.Enums[0].ID, clientList.Enums[1].ID)), all},
			{"client number equally", in("2", "custom", clientNum.ID, `45`, cmp(clientNum.ID, "equally")), []int64{dealD, dealB}},
			{"client number range", in("2", "custom", clientNum.ID, `20`, cmp(clientNum.ID, "range", `40`)), []int64{dealC, dealA}},
			{"client number range open end", in("2", "custom", clientNum.ID, `40`, cmp(clientNum.ID, "range")), []int64{dealD, dealB}},
			{"client number range open start", in("2", "custom", clientNum.ID, `""`, cmp(clientNum.ID, "range", `40`)), []int64{dealC, dealA}},
			{"client checkbox", in("2", "custom", clientCheck.ID, `1`), []int64{dealC, dealA}},
			{"client checkbox unchecked", in("2", "custom", clientCheck.ID, `false`), []int64{dealD, dealB}},
			// Deal service: name contains / equally, UTM, Google Client ID as 20012.
			{"deal name", in("3", "service", 2001, `"мебель"`), []int64{dealC}},
			{"deal name equally", in("3", "service", 2001, `"шкаф"`, cmp(2001, "equally")), []int64{dealD}},
			{"deal utm_source", in("3", "service", 2005, `"yandex"`), []int64{dealA}},
			{"deal utm_medium", in("3", "service", 2006, `"cpc"`), []int64{dealC}},
			{"deal google client id 20012", in("3", "service", 20012, `"GA1.2"`), []int64{dealA}},
			// Deal custom: text, number, range with value_to, date by each
			// kind of customDateType, list, checkbox.
			{"deal text", in("3", "custom", dealText.ID, `"ДОСТАВКА"`), []int64{dealC}},
			{"deal text equally", in("3", "custom", dealText.ID, `"доставка"`, cmp(dealText.ID, "equally")), nil},
			{"deal number", in("3", "custom", dealNum.ID, `"120000.5"`), []int64{dealC}},
			{"deal number range", in("3", "custom", dealNum.ID, `1000`, cmp(dealNum.ID, "range", `10000`)), []int64{dealD}},
			{"deal list", in("3", "custom", dealMulti.ID, fmt.Sprintf(`["%d"]`, dealMulti.Enums[2].ID)), []int64{dealD}},
			{"deal list scalar", in("3", "custom", dealMulti.ID, fmt.Sprint(dealMulti.Enums[0].ID)), []int64{dealC}},
			{"deal checkbox", in("3", "custom", dealCheck.ID, `true`), []int64{dealC}},
			{"deal checkbox 0", in("3", "custom", dealCheck.ID, `0`), newestFirst(dealA, dealB, dealD)},
			{"empty values restrict nothing", `{"inputs": {"1": {"service": {}, "custom": {}}, "2": [], "3": {"service": {"2001": ""}}}}`, all},
		} {
			searchIDs(t, tc.what, a.search(t, tc.filter), tc.want...)
		}
		date := func(typ, start, end string) string {
			return fmt.Sprintf(`{"customDateType": {"%d": %q}, "inputs": {"3": {"custom": {"%d": {"field": "date", "start": %q, "end": %q}}}}}`,
				dealDate.ID, typ, dealDate.ID, start, end)
		}
		for _, tc := range []struct {
			typ, start, end string
			want            []int64
		}{
			{"all", "", "", newestFirst(dealC, dealD)},
			{"yesterday", "", "", []int64{dealC}},
			{"today", "", "", nil},
			{"week", "", "", []int64{dealC}},
			{"last_week", "", "", nil},
			{"month", "", "", []int64{dealC}},
			{"last_month", "", "", []int64{dealD}},
			{"one_date", "2024-02-20", "2024-02-20", []int64{dealD}},
			{"period", "2024-02-01", "2024-03-12", newestFirst(dealC, dealD)},
			{"earlier_than", "2024-03-12", "", []int64{dealD}},
			{"later_than", "2024-02-20", "2024-02-20", []int64{dealC}},
		} {
			searchIDs(t, "deal date "+tc.typ, a.search(t, date(tc.typ, tc.start, tc.end)), tc.want...)
		}
		searchIDs(t, "deal date without customDateType", a.search(t, fmt.Sprintf(`{"inputs": {"3": {"custom": {"%d": {"field": "date", "start": "2024-03-01"}}}}}`, dealDate.ID)), dealC)

		for _, tc := range []struct{ filter, message string }{
			{in("3", "custom", 999999, `"x"`), "Неверный request: filter.inputs.3.custom.999999: Поле не найдено"},
			{in("2", "service", 2001, `"x"`), "Неверный request: filter.inputs.2.service.2001: Поле не найдено"},
			{in("3", "custom", dealText.ID, `"x"`, cmp(dealText.ID, "range")), fmt.Sprintf("Неверный request: filter.inputs.3.custom.%d: сравнение range неприменимо к текстовому полю", dealText.ID)},
			{in("3", "custom", dealNum.ID, `"много"`), fmt.Sprintf("Неверный request: filter.inputs.3.custom.%d: значение должно быть числом", dealNum.ID)},
			{in("3", "custom", dealNum.ID, `1`, cmp(dealNum.ID, "between")), fmt.Sprintf("Неверный request: filter.inputs.3.comparison.%d.type: должен быть equally или range", dealNum.ID)},
			{in("3", "custom", dealMulti.ID, `["стол"]`), fmt.Sprintf("Неверный request: filter.inputs.3.custom.%d.0: значение списка должно быть id варианта", dealMulti.ID)},
			{in("3", "custom", dealCheck.ID, `2`), fmt.Sprintf("Неверный request: filter.inputs.3.custom.%d: значение флажка должно быть 1 или 0", dealCheck.ID)},
			{date("someday", "", ""), fmt.Sprintf("Неверный request: filter.customDateType.%d: customDateType должен быть одним из: all, yesterday, today, week, last_week, month, last_month, one_date, period, earlier_than, later_than", dealDate.ID)},
			{fmt.Sprintf(`{"customDateType": {"%d": "today"}, "inputs": {"3": {"custom": {"%d": "x"}}}}`, dealText.ID, dealText.ID),
				fmt.Sprintf("Неверный request: filter.customDateType.%d: customDateType применим только к полям типа дата", dealText.ID)},
			{in("4", "custom", 1, `"x"`), "Неверный request: filter.inputs.4: неизвестный тип элемента (1 — лиды, 2 — клиенты, 3 — сделки)"},
			{`{"inputs": {"3": {"custom": {"abc": 1}}}}`, "Неверный request: filter.inputs.3.custom: ключи должны быть id полей"},
		} {
			a.searchFail(t, tc.filter, tc.message)
		}
	})
}

// TestSearchCriteria: responsible, departments, stages, pipelines, inbox
// types, tags, lead stages, the client's first deal and the keyword.
func TestSearchCriteria(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := context.Background()
		svc := env.Server.Service
		clock.AtMSK(t, "2024-03-13 12:00")
		emp1 := env.NewUser(t, a.actor.AccountID, crm.RoleMember).UserID
		emp2 := env.NewUser(t, a.actor.AccountID, crm.RoleMember).UserID
		dep, err := svc.AddDepartment(ctx, a.actor, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		var inbox crm.InboxType
		a.tx(t, func(tx crm.Tx) error {
			inbox = crm.InboxType{Name: "Звонок", Type: 2, Editable: true}
			return tx.InsertInboxType(ctx, &inbox)
		})
		other, err := svc.AddPipeline(ctx, a.actor, crm.Pipeline{Name: "Опт", AllowManualStageChange: true, Stages: []crm.Stage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Переговоры", Status: crm.StageInWork}}})
		if err != nil {
			t.Fatal(err)
		}

		// A lead taken to work makes client X (and deal xLead); a second
		// lead of X attaches to it (xLead2); then plain deals.
		clientX, xLead := a.leadClient(t, "Ирина Кузнецова", "+7 (916) 111-22-33", "irina@example.com")
		_, xLead2 := a.leadClient(t, "Ирина К.", "79161112233", "")
		admin := a.actor.UserID
		byEmp1 := a.newDeal(t, crm.NewDeal{ClientID: clientX, Name: "Поставка", Responsible: crm.Responsible{UserID: admin, EmployeeID: emp1},
			Tags: []string{"опт", "срочно"}})
		byDep := a.newDeal(t, crm.NewDeal{ClientID: clientX, Name: "Отдел", Responsible: crm.Responsible{DepartmentID: dep.ID}, InboxTypeID: inbox.ID})
		byAdmin := a.newDeal(t, crm.NewDeal{ClientID: clientX, Name: "Админ", Responsible: crm.Responsible{UserID: admin},
			PipelineID: other.ID, StageID: other.Stages[1].ID, Tags: []string{"опт"}})
		clientY := a.plainClient(t, "Олег Азманов")
		firstOfY := a.newDeal(t, crm.NewDeal{ClientID: clientY, Name: "Envybox", Responsible: crm.Responsible{UserID: admin, EmployeeID: emp2}})
		secondOfY := a.newDeal(t, crm.NewDeal{ClientID: clientY, Name: "Сделка"})
		if _, err := svc.AddContactPerson(ctx, a.actor, clientY, crm.NewContactPerson{Name: "Филипп Киркоров", Email: "example@example.ru"}); err != nil {
			t.Fatal(err)
		}
		var tags map[int64][]crm.Tag
		a.tx(t, func(tx crm.Tx) (err error) {
			tags, err = tx.EntityTags(ctx, crm.EntityDeal, []int64{byEmp1})
			return err
		})
		opt, urgent := tags[byEmp1][0].ID, tags[byEmp1][1].ID
		ref, err := svc.Reference(ctx, a.actor)
		if err != nil {
			t.Fatal(err)
		}
		leadStage := map[crm.StageStatus]int64{}
		for _, st := range ref.InboundPipelines[0].Stages {
			leadStage[st.Status] = st.ID
		}
		all := newestFirst(xLead, xLead2, byEmp1, byDep, byAdmin, firstOfY, secondOfY)
		newStage := a.stages[crm.StageNew].ID

		for _, tc := range []struct {
			what, filter string
			want         []int64
		}{
			{"no criteria", `{}`, all},
			{"PHP's empty filter", `[]`, all},
			{"employee", fmt.Sprintf(`{"employees": {"users": [%d], "departments": []}}`, emp1), []int64{byEmp1}},
			{"employees as strings", fmt.Sprintf(`{"employees": {"users": ["%d", "%d"]}}`, emp1, emp2), newestFirst(byEmp1, firstOfY)},
			{"administrator", fmt.Sprintf(`{"employees": {"users": [%d]}}`, admin), []int64{byAdmin}},
			{"no responsible", `{"employees": {"users": [-1]}}`, newestFirst(xLead, xLead2, secondOfY)},
			{"no responsible or employee", fmt.Sprintf(`{"employees": {"users": ["-1", %d]}}`, emp2), newestFirst(xLead, xLead2, firstOfY, secondOfY)},
			{"department", fmt.Sprintf(`{"employees": {"departments": [%d]}}`, dep.ID), []int64{byDep}},
			{"employee or department", fmt.Sprintf(`{"employees": {"users": [%d], "departments": [%d]}}`, emp1, dep.ID), newestFirst(byEmp1, byDep)},
			{"dealStages", fmt.Sprintf(`{"dealStages": [%d]}`, other.Stages[1].ID), []int64{byAdmin}},
			{"dealStages two", fmt.Sprintf(`{"dealStages": [%d, "%d"]}`, other.Stages[1].ID, newStage), all},
			{"pipelines", fmt.Sprintf(`{"pipelines": [%d]}`, a.pipeline.ID), newestFirst(xLead, xLead2, byEmp1, byDep, firstOfY, secondOfY)},
			{"pipelines other", fmt.Sprintf(`{"pipelines": ["%d"]}`, other.ID), []int64{byAdmin}},
			{"inboxTypes", fmt.Sprintf(`{"inboxTypes": [%d]}`, inbox.ID), []int64{byDep}},
			{"tags", fmt.Sprintf(`{"tags": ["%d"]}`, opt), newestFirst(byEmp1, byAdmin)},
			{"tags any", fmt.Sprintf(`{"tags": [%d, %d]}`, urgent, opt), newestFirst(byEmp1, byAdmin)},
			{"tags urgent", fmt.Sprintf(`{"tags": [%d]}`, urgent), []int64{byEmp1}},
			{"leadStages new client", fmt.Sprintf(`{"leadStages": [%d]}`, leadStage[crm.InboundNewClient]), []int64{xLead}},
			{"leadStages existing client", fmt.Sprintf(`{"leadStages": [%d]}`, leadStage[crm.InboundExistingClient]), []int64{xLead2}},
			{"firstDealClient", `{"firstDealClient": 1}`, newestFirst(xLead, firstOfY)},
			{"firstDealClient true", `{"firstDealClient": true}`, newestFirst(xLead, firstOfY)},
			{"firstDealClient 0", `{"firstDealClient": 0}`, all},
			{"the UI's empty criteria", `{"birthday": [], "logEvents": {}, "businessProcess": null}`, all},
			{"combined", fmt.Sprintf(`{"pipelines": [%d], "employees": {"users": [-1]}, "firstDealClient": 1}`, a.pipeline.ID), []int64{xLead}},
		} {
			searchIDs(t, tc.what, a.search(t, tc.filter), tc.want...)
		}
		// The keyword: deal and client names, the client's phone however
		// written and email, a contact person; with a filter.
		for _, tc := range []struct {
			keyword string
			want    []int64
		}{
			{"поставка", []int64{byEmp1}},
			{"КУЗНЕЦОВА", newestFirst(xLead, xLead2, byEmp1, byDep, byAdmin)},
			{"+7 (916) 111-22-33", newestFirst(xLead, xLead2, byEmp1, byDep, byAdmin)},
			{"irina@example", newestFirst(xLead, xLead2, byEmp1, byDep, byAdmin)},
			{"киркоров", newestFirst(firstOfY, secondOfY)},
			{"envybox", []int64{firstOfY}},
			{"нет такого", nil},
		} {
			searchIDs(t, tc.keyword, a.search(t, `{}`, fmt.Sprintf(`"keyword": %q`, tc.keyword)), tc.want...)
			// With a criterion that keeps every deal the store checks the
			// keyword per deal instead of by sets: the same deals.
			searchIDs(t, tc.keyword+" narrowed", a.search(t, fmt.Sprintf(`{"dealStages": [%d, %d]}`, newStage, other.Stages[1].ID),
				fmt.Sprintf(`"keyword": %q`, tc.keyword)), tc.want...)
		}
		searchIDs(t, "keyword and filter", a.search(t, `{"firstDealClient": 1}`, `"keyword": "азманов"`), firstOfY)
		// ... and the custom values of the deal and of the client.
		clientField := a.field(t, crm.EntityContact, "Источник", crm.FieldText)
		if err := svc.UpdateClientValues(ctx, a.actor, clientY, crm.Responsible{}, []crm.FieldWrite{{FieldID: clientField.ID, Value: "Рекомендация партнёра"}}); err != nil {
			t.Fatal(err)
		}
		searchIDs(t, "client custom value", a.search(t, `{}`, `"keyword": "партнёра"`), newestFirst(firstOfY, secondOfY)...)
		searchIDs(t, "client custom value narrowed", a.search(t, fmt.Sprintf(`{"pipelines": [%d]}`, a.pipeline.ID), `"keyword": "Партнёра"`),
			newestFirst(firstOfY, secondOfY)...)
		dealField := a.field(t, crm.EntityDeal, "Заметка", crm.FieldText)
		if err := svc.UpdateDealValues(ctx, a.actor, byAdmin, clientX, []crm.FieldWrite{{FieldID: dealField.ID, Value: "Через тендер"}}); err != nil {
			t.Fatal(err)
		}
		searchIDs(t, "deal custom value", a.search(t, `{}`, `"keyword": "тендер"`), byAdmin)
		searchIDs(t, "deal custom value narrowed", a.search(t, fmt.Sprintf(`{"pipelines": [%d]}`, other.ID), `"keyword": "тендер"`), byAdmin)

		for _, tc := range []struct{ filter, message string }{
			{`"x"`, "Неверный request: filter должен быть объектом"},
			{`{"tags": ["опт"]}`, "Неверный request: filter.tags: должен быть массивом идентификаторов"},
			{`{"employees": [1]}`, "Неверный request: filter.employees: должен быть объектом"},
			{`{"firstDealClient": "да"}`, "Неверный request: filter.firstDealClient: должен быть true/false или 1/0"},
			{`{"birthday": {"start": "2000-01-01"}}`, "Неверный request: filter.birthday: неизвестный критерий (ожидаются customDateType, dateFilters, employees, leadStages, dealStages, dateStages, pipelines, inboxTypes, tags, inputs, firstDealClient)"},
		} {
			a.searchFail(t, tc.filter, tc.message)
		}
	})
}

// TestSearchResponse: the reply and its rows in the documented shape and
// typing, paging, all_ids and the keyword echo.
func TestSearchResponse(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := context.Background()
		svc := env.Server.Service

		// An empty account.
		a.search(t, `{}`, `"keyword": ""`, `"limit": 0`, `"offset": 0`).EqualJSON("", `{"all_ids": [], "count": 0,
			"max_colls_contacts": 0, "result": [], "offset": -1, "keyword": null, "status_code": 200, "message": "success"}`)

		clock.AtMSK(t, "2019-03-18 09:00")
		emp := env.NewUser(t, a.actor.AccountID, crm.RoleMember).UserID
		clientID, dealID := a.leadClient(t, "Олег Азманов", "", "example@example.ru")
		clock.AtMSK(t, "2019-03-18 09:05")
		if _, err := svc.AddContactPerson(ctx, a.actor, clientID, crm.NewContactPerson{Name: "Филипп Киркоров", Email: "kirkorov@example.ru",
			Phone: "+7 999 000-11-22"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddContactPerson(ctx, a.actor, clientID, crm.NewContactPerson{Name: "Алла", Phone: "79990003344"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddClientCompany(ctx, a.actor, clientID, crm.NewClientCompany{ShortName: "Сбербанк",
			LegalDetails: crm.LegalDetails{INN: "7707083893"}}); err != nil {
			t.Fatal(err)
		}
		dealField := a.field(t, crm.EntityDeal, "Сумма", crm.FieldNumeric)
		clientField := a.field(t, crm.EntityContact, "Город", crm.FieldText)
		if err := svc.UpdateClientValues(ctx, a.actor, clientID, crm.Responsible{}, []crm.FieldWrite{{FieldID: clientField.ID, Value: "Тверь"},
			{FieldID: 1010, Service: true, Value: "Тверская область"}}); err != nil {
			t.Fatal(err)
		}
		if err := svc.UpdateDealValues(ctx, a.actor, dealID, clientID, []crm.FieldWrite{{FieldID: dealField.ID, Value: 1500.0}}); err != nil {
			t.Fatal(err)
		}
		clock.AtMSK(t, "2019-03-19 14:57")
		if _, err := svc.SetDealResponsible(ctx, a.actor, dealID, crm.Responsible{EmployeeID: emp}); err != nil {
			t.Fatal(err)
		}
		a.stage(t, dealID, a.stages[crm.StageInWork].ID)
		// Comments: the latest one shows.
		for _, text := range []string{"Первый", "9"} {
			a.tx(t, func(tx crm.Tx) error {
				return tx.InsertLog(ctx, &crm.LogEntry{EntityType: crm.EntityDeal, EntityID: dealID, TypeID: crm.LogDealComment,
					Data: []byte(fmt.Sprintf(`{"comment": %q}`, text)), UserID: a.actor.UserID})
			})
		}
		// A deal with an overdue task and no contacts, another without.
		clock.AtMSK(t, "2019-03-19 15:00")
		other := a.plainClient(t, "Без контактов")
		withTask := a.newDeal(t, crm.NewDeal{ClientID: other, Name: "Задача", Responsible: crm.Responsible{UserID: a.actor.UserID, EmployeeID: emp},
			Task: &crm.NewTask{Text: "Перезвонить", Time: time.Date(2019, 3, 19, 16, 0, 0, 0, msk)}})
		plain := a.newDeal(t, crm.NewDeal{ClientID: other, Name: "Пустая"})
		clock.AtMSK(t, "2019-03-19 18:00")

		// The row of the deal: its client's contact persons and company,
		// the latest comment, the values of the deal and of the client.
		r := a.search(t, `{}`, `"keyword": "азманов"`).
			Keys("", "all_ids", "count", "max_colls_contacts", "result", "offset", "keyword", "status_code", "message")
		has(t, "reply", r, map[string]any{"all_ids": []int64{dealID}, "count": 1, "max_colls_contacts": 2, "offset": -1, "keyword": "азманов"})
		golden(t, "search_row_e15", r.Sub("result.0"), maskAs("id", "deal", dealID), maskAs("**.deal_id", "deal", dealID),
			maskAs("**.client_id", "client", clientID), maskAs("**.element_id", "client", clientID), maskAs("**.crm_id", "account", a.id),
			maskAs("pipeline_id", "primary pipeline", a.pipeline.ID), maskAs("stage_id", "stage В работе", a.stages[crm.StageInWork].ID),
			maskAs("employee_id", "employee", emp), maskAs("values.custom.0.input_id", "deal field", dealField.ID),
			maskAs("values.custom.0.name_id", "crm_<deal field>", fmt.Sprintf("crm_%d", dealField.ID)),
			maskAs("values.custom.1.input_id", "client field", clientField.ID),
			maskAs("values.custom.1.name_id", "crm_<client field>", fmt.Sprintf("crm_%d", clientField.ID)),
			maskIDs("inbox_type_id", "contact_id"), crmtest.MaskPath("values.*.*.id", "id"), crmtest.MaskPath("values.custom.*.id", "id"),
			crmtest.MaskPath("companies.*.id", "id"))

		// The task card, the deal without anything, paging.
		r = a.search(t, fmt.Sprintf(`{"employees": {"users": [%d]}}`, emp))
		searchIDs(t, "by employee", r, withTask, dealID)
		has(t, "task row", r.Sub("result.0"), map[string]any{"task_time": "2019-03-19 16:00:00", "contacts": []any{}, "companies": []any{},
			"contact_name": "", "phone": "", "email": "", "short_name": nil, "inn": nil, "last_comment": nil, "lead_created_at": nil})
		r.Keys("result.0.data", "btn", "next_time", "no_time", "comment", "user")
		has(t, "data", r.Sub("result.0.data"), map[string]any{"btn": map[string]any{"name": "", "icon": "md-call-missed", "color": "danger"},
			"next_time": "2019-03-19 16:00:00", "no_time": 0, "comment": "Перезвонить",
			"user": map[string]any{"img": "/img/avatars/nophoto.png", "name": "User member", "profession": ""}})

		r = a.search(t, `{}`, `"limit": 2`)
		has(t, "page 1", r, map[string]any{"all_ids": []int64{plain, withTask, dealID}, "count": 3, "offset": 2, "max_colls_contacts": 0})
		r.Equal("result.*.id", []int64{plain, withTask})
		r = a.search(t, `{}`, `"limit": "2"`, `"offset": "2"`)
		r.Equal("result.*.id", []int64{dealID})
		has(t, "page 2", r, map[string]any{"offset": -1, "count": 3, "all_ids": []int64{plain, withTask, dealID}, "max_colls_contacts": 2})
		has(t, "past the end", a.search(t, `{}`, `"offset": 10`), map[string]any{"result": []any{}, "count": 3, "offset": -1})
		a.fail(t, "deal/list/", `{"filter": {}, "offset": -1}`, http.StatusBadRequest, "limit и offset не могут быть отрицательными")

		// Another account sees none of it.
		o := newAccount(t, env, "Search Other")
		searchIDs(t, "other account", o.search(t, `{}`))
		searchIDs(t, "other account keyword", o.search(t, `{}`, `"keyword": "азманов"`))
	})
}

// TestSearchExample replays the E15 request example, its ids mapped onto
// records made for it, against one deal that meets every criterion and
// decoys that each miss one.
func TestSearchExample(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		ctx := context.Background()
		svc := env.Server.Service
		clock.AtMSK(t, "2024-02-01 10:00")
		ids := map[string]int64{"9": env.NewUser(t, a.actor.AccountID, crm.RoleMember).UserID,
			"17027": env.NewUser(t, a.actor.AccountID, crm.RoleMember).UserID}
		pipes := map[string]crm.Pipeline{}
		for _, k := range []string{"3674", "4131"} {
			p, err := svc.AddPipeline(ctx, a.actor, crm.Pipeline{Name: "Воронка " + k, AllowManualStageChange: true, Stages: []crm.Stage{
				{Name: "Новая", Status: crm.StageNew}, {Name: "В работе", Status: crm.StageInWork}}})
			if err != nil {
				t.Fatal(err)
			}
			pipes[k], ids[k] = p, p.ID
		}
		ids["16169"], ids["16171"] = pipes["3674"].Stages[1].ID, pipes["4131"].Stages[1].ID
		for _, k := range []string{"9052", "9055"} {
			it := crm.InboxType{Name: "Тип " + k, Type: 2, Editable: true}
			a.tx(t, func(tx crm.Tx) error { return tx.InsertInboxType(ctx, &it) })
			ids[k] = it.ID
		}
		field := func(key string, entity crm.EntityType, typ crm.FieldType, options ...string) crm.CustomField {
			f := a.field(t, entity, "Поле "+key, typ, options...)
			ids[key] = f.ID
			return f
		}
		f13432 := field("13432", crm.EntityContact, crm.FieldSelect, "a", "b")
		f13433 := field("13433", crm.EntityContact, crm.FieldMultiselect, "c", "d")
		field("13436", crm.EntityContact, crm.FieldNumeric)
		f13419 := field("13419", crm.EntityDeal, crm.FieldSelect, "e", "f")
		field("13420", crm.EntityDeal, crm.FieldText)
		field("13421", crm.EntityDeal, crm.FieldCheckbox)
		field("13422", crm.EntityDeal, crm.FieldCheckbox)
		field("13423", crm.EntityDeal, crm.FieldTextarea)
		field("13424", crm.EntityDeal, crm.FieldDate)
		field("13425", crm.EntityDeal, crm.FieldNumeric)
		field("13426", crm.EntityDeal, crm.FieldDateTime)
		ids["409396"], ids["409400"], ids["409389"] = f13432.Enums[0].ID, f13433.Enums[1].ID, f13419.Enums[0].ID
		unix := func(day string) float64 {
			tm, _ := time.ParseInLocation(time.DateOnly, day, msk)
			return float64(tm.Add(15 * time.Hour).Unix())
		}

		// The matching deal and its client, then decoys.
		type spec struct {
			clientName string
			created    string
			pipeline   string
			employee   string
			inbox      string
			tag        string
			second     bool // the client's second deal
			deal       map[string]any
		}
		good := map[string]any{"13419": ids["409389"], "13420": "xntcnx", "13421": true, "13422": true, "13423": "ntcn",
			"13424": unix("2024-02-21"), "13425": 7.0, "13426": unix("2024-02-20")}
		clients := map[string]int64{}
		tagName := "тег3830"
		make1 := func(s spec) int64 {
			clock.AtMSK(t, s.created)
			client, ok := clients[s.clientName]
			if !ok {
				client = a.plainClient(t, s.clientName)
				clients[s.clientName] = client
				if err := svc.UpdateClientValues(ctx, a.actor, client, crm.Responsible{}, []crm.FieldWrite{
					{FieldID: ids["13432"], Value: fmt.Sprint(ids["409396"])}, {FieldID: ids["13433"], Value: fmt.Sprint(ids["409400"])},
					{FieldID: ids["13436"], Value: 345.0}}); err != nil {
					t.Fatal(err)
				}
				if s.second {
					a.deal(t, client, "Первая")
				}
			}
			var writes []crm.FieldWrite
			for k, v := range s.deal {
				if n, ok := v.(int64); ok { // an option id
					v = fmt.Sprint(n)
				}
				writes = append(writes, crm.FieldWrite{FieldID: ids[k], Value: v})
			}
			p := pipes[s.pipeline]
			return a.newDeal(t, crm.NewDeal{ClientID: client, Name: "Сделка", PipelineID: p.ID, StageID: p.Stages[1].ID,
				Responsible: crm.Responsible{UserID: a.actor.UserID, EmployeeID: ids[s.employee]}, InboxTypeID: ids[s.inbox],
				Tags: []string{s.tag}, Values: writes})
		}
		with := func(over map[string]any) map[string]any {
			m := map[string]any{}
			for k, v := range good {
				m[k] = v
			}
			for k, v := range over {
				if v == nil {
					delete(m, k)
				} else {
					m[k] = v
				}
			}
			return m
		}
		base := spec{clientName: "Тестовый клиент", created: "2024-02-05 12:00", pipeline: "3674", employee: "9", inbox: "9052", tag: tagName, deal: good}
		match := make1(base)
		var tags map[int64][]crm.Tag
		a.tx(t, func(tx crm.Tx) (err error) {
			tags, err = tx.EntityTags(ctx, crm.EntityDeal, []int64{match})
			return err
		})
		ids["3830"] = tags[match][0].ID
		decoy := func(change func(s *spec)) {
			s := base
			change(&s)
			make1(s)
		}
		decoy(func(s *spec) { s.created = "2024-02-14 12:00" })
		decoy(func(s *spec) { s.clientName = "Другой" })
		decoy(func(s *spec) { s.clientName = "Тест второй"; s.second = true })
		decoy(func(s *spec) { s.employee = "" })
		decoy(func(s *spec) { s.inbox = "" })
		decoy(func(s *spec) { s.tag = "другой" })
		decoy(func(s *spec) { s.deal = with(map[string]any{"13420": "другое"}) })
		decoy(func(s *spec) { s.deal = with(map[string]any{"13422": false}) })
		decoy(func(s *spec) { s.deal = with(map[string]any{"13424": unix("2024-02-22")}) })
		decoy(func(s *spec) { s.deal = with(map[string]any{"13425": 2.0}) })
		decoy(func(s *spec) { s.deal = with(map[string]any{"13426": unix("2024-02-14")}) })
		decoy(func(s *spec) { s.deal = with(map[string]any{"13419": nil}) })

		// The document's example, verbatim but for the ids.
		example := `{"request": {
  "keyword": "",
  "filter": {
    "customDateType": { "13424": "one_date", "13426": "later_than" },
    "dateFilters": [
      {
        "dateType": "period",
        "dateSelectType": "created",
        "dates": { "start": "2024-02-01", "end": "2024-02-13" }
      }
    ],
    "employees": { "users": [9, 17027], "departments": [] },
    "leadStages": [],
    "dealStages": [16169, 16171],
    "dateStages": [],
    "pipelines": [3674, 4131],
    "inboxTypes": [9052, 9055],
    "tags": ["3830"],
    "inputs": {
      "1": { "service": {}, "custom": {} },
      "2": {
        "service": { "1001": "Тест" },
        "custom": {
          "13432": ["409396"],
          "13433": ["409400"],
          "13436": 345
        },
        "comparison": { "13436": { "type": "equally" } }
      },
      "3": {
        "service": {},
        "custom": {
          "13419": ["409389"],
          "13420": "ntcn",
          "13421": 1,
          "13422": 1,
          "13423": "ntcn",
          "13424": { "field": "date", "start": "2024-02-21", "end": "2024-02-21" },
          "13425": 3,
          "13426": { "field": "date", "start": "2024-02-14", "end": "2024-02-14" }
        },
        "comparison": { "13425": { "type": "range" } }
      }
    },
    "firstDealClient": 1
  }
}}`
		body := replaceIDs(example, ids)
		r := success(a.call(t, http.MethodPost, "deal/list/", body))
		searchIDs(t, "example", r, match)
		has(t, "example", r, map[string]any{"keyword": nil, "offset": -1})
	})
}

// replaceIDs replaces the example's ids (whole numbers, quoted or not)
// by the ids made for them.
func replaceIDs(s string, ids map[string]int64) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' || (i > 0 && (s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == '-')) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if id, ok := ids[s[i:j]]; ok && !(j < len(s) && s[j] == '-') {
			b.WriteString(fmt.Sprint(id))
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}
