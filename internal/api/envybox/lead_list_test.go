package envybox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestLeadList replays E06 and checks its filters and paging.
func TestLeadList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		// The account's zone is Moscow (UTC+3); the clock runs in UTC.
		clock := setClock(env, utc("2017-07-09 22:30:00")) // 2017-07-10 01:30 in Moscow
		a := newAccount(t, env, "List")
		stages := a.leadStages(t)

		idA := a.lead(t, "Сергей", "74993229710", "sergey@example.com")
		leadA := fmt.Sprint(idA)
		clock.Set(utc("2017-07-11 10:00:00"))
		idB, _ := a.createLead(t, `{"method": "create", "values": {"name": "Мария", "email": "Maria@Example.com",
			"comment": "Доп информация"}, "contact_data": [{"type": "telegram", "value": "maria_tg"}]}`)
		leadB := fmt.Sprint(idB)
		clock.Set(utc("2017-07-12 10:00:00"))
		a.ok(t, "lead/start/", fmt.Sprintf(`{"lead_id": %s, "user_id": %d, "employee_id": 0}`, leadB, a.admin))
		clock.Set(utc("2017-07-13 10:00:00"))
		a.ok(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %s, "fields": [{"input_id": 4, "value": "перезвонить", "value_type_id": 1}]}`, leadA))
		source := a.field(t, crm.EntityInbound, "Источник", crm.FieldText).ID
		idC, _ := a.createLead(t, fmt.Sprintf(`{"method": "create", "values": {"name": "Sergey Smith",
			"email": "smith@example.com", "custom": [{"input_id": %d, "value": "Выставка Экспо"}]}}`, source))
		leadC := fmt.Sprint(idC)

		// The example request (stage_id illegible: the "new" stage): lead A
		// with its updated comment, its list members (status_id 1), the
		// page's envelope.
		a.ok(t, "lead/list/", fmt.Sprintf(`{"keyword": "", "limit": 0, "offset": 0,
			"date_start": "2017-07-10", "date_end": "2017-07-10", "date_type": "created", "stage_id": %s}`, stages["Новый"])).
			Golden("lead_list_e06", masks(maskAs("leads.result.*.id", "lead A", idA), maskAs("**.lead_id", "lead A", idA),
				maskAs("**.crm_id", "account", a.id), maskAs("leads.result.*.stage_id", "stage Новый", stages["Новый"]),
				maskAs("**.deal_pipeline_id", "primary deal pipeline", a.pipeline.ID), maskIDs("pipeline_id", "inbox_type_id"),
				crmtest.MaskPath("leads.result.*.values.*.*.id", "id"))...)

		// Newest first without filters; count is a string.
		a.ok(t, "lead/list/", `{}`).Equal("leads.result.*.id", []string{leadC, leadB, leadA}).Equal("leads.count", "3").
			Equal("leads.dateSelectType", "created")

		// Keyword over name (any case), phone, email, values, contact data.
		for kw, want := range map[string][]string{
			"сергей":         {leadA},
			"СЕРГЕЙ":         {leadA},
			"sergey":         {leadC, leadA},
			"3229710":        {leadA},
			"maria@":         {leadB},
			"MARIA@":         {leadB},
			"доп информ":     {leadB},
			"перезвонить":    {leadA},
			"maria_tg":       {leadB},
			"нет такого":     nil,
			"example.com":    {leadC, leadB, leadA},
			"Smith":          {leadC},
			"UTC+03:00":      {leadC, leadB, leadA},
			"sergey smith":   {leadC},
			"выставка экспо": {leadC},
		} {
			crmtest.Equal(t, "keyword "+kw, a.leadIDs(t, fmt.Sprintf(`{"keyword": %q}`, kw)), want)
		}
		a.ok(t, "lead/list/", `{"keyword": "maria"}`).Equal("leads.keyword", "maria")

		// Date filters in the account's zone.
		for _, c := range []struct {
			request string
			want    []string
		}{
			{`{"date_start": "2017-07-10", "date_end": "2017-07-10"}`, []string{leadA}},
			{`{"date_start": "2017-07-09", "date_end": "2017-07-09", "date_type": "created"}`, nil},
			{`{"date_start": "2017-07-11", "date_type": "created"}`, []string{leadC, leadB}},
			{`{"date_end": "2017-07-11", "date_type": "created"}`, []string{leadB, leadA}},
			{`{"date_start": "2017-07-12", "date_end": "2017-07-12", "date_type": "closed"}`, []string{leadB}},
			{`{"date_start": "2017-07-01", "date_end": "2017-07-31", "date_type": "closed"}`, []string{leadB}},
			{`{"date_start": "2017-07-12", "date_end": "2017-07-12", "date_type": "stage_changed"}`, []string{leadB}},
			{`{"date_start": "2017-07-10", "date_end": "2017-07-10", "date_type": "stage_changed"}`, []string{leadA}},
			{`{"date_start": "2017-07-13", "date_end": "2017-07-13", "date_type": "updated"}`, []string{leadC, leadA}},
			{`{"date_start": "2017-07-12", "date_end": "2017-07-12", "date_type": "updated"}`, []string{leadB}},
		} {
			crmtest.Equal(t, c.request, a.leadIDs(t, c.request), c.want)
		}
		a.ok(t, "lead/list/", `{"date_type": "closed"}`).Equal("leads.dateSelectType", "closed")

		// stage_id as a number, a string or an array.
		for _, c := range []struct {
			request string
			want    []string
		}{
			{fmt.Sprintf(`{"stage_id": %s}`, stages["Новый"]), []string{leadC, leadA}},
			{fmt.Sprintf(`{"stage_id": "%s"}`, stages["Новый клиент"]), []string{leadB}},
			{fmt.Sprintf(`{"stage_id": [%s, %s]}`, stages["Новый"], stages["Новый клиент"]), []string{leadC, leadB, leadA}},
			{fmt.Sprintf(`{"stage_id": [%s]}`, stages["Существующий клиент"]), nil},
		} {
			crmtest.Equal(t, c.request, a.leadIDs(t, c.request), c.want)
		}
		started := a.ok(t, "lead/list/", fmt.Sprintf(`{"stage_id": %s}`, stages["Новый клиент"])).Sub("leads.result.0")
		has(t, "started lead in the list", started, map[string]any{"status_id": "2", "status": "1"})
		if len(started.List("deals")) != 1 {
			t.Errorf("started lead in the list: deals %v, want one", started.At("deals"))
		}

		// Paging: next offset, -1 at the end, count of all matches.
		for _, c := range []struct {
			request    string
			ids        []string
			nextOffset int64
		}{
			{`{"limit": 2}`, []string{leadC, leadB}, 2},
			{`{"limit": 2, "offset": 2}`, []string{leadA}, -1},
			{`{"limit": 1, "offset": 1}`, []string{leadB}, 2},
			{`{"limit": 3}`, []string{leadC, leadB, leadA}, -1},
			{`{"limit": 2, "offset": 5}`, []string{}, -1},
			{`{"limit": 500}`, []string{leadC, leadB, leadA}, -1},
		} {
			page := a.ok(t, "lead/list/", c.request).Sub("leads")
			page.Equal("result.*.id", c.ids)
			has(t, c.request, page, map[string]any{"offset": c.nextOffset, "count": "3"})
		}
		a.ok(t, "lead/list/", `{"limit": 500}`).Equal("leads.limit", 50)

		// Bad filters.
		a.fail(t, "lead/list/", `{"date_type": "deleted"}`, http.StatusInternalServerError, "Неверный request")
		a.failPrefix(t, "lead/list/", `{"date_start": "10.07.2017"}`, http.StatusBadRequest, "Дата должна быть")
		a.failPrefix(t, "lead/list/", `{"stage_id": ["x"]}`, http.StatusBadRequest, "Параметр stage_id")
		a.failPrefix(t, "lead/list/", `{"offset": -1}`, http.StatusBadRequest, "limit и offset")
	})
}
