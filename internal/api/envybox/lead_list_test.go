package envybox_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// ltClock is a settable clock for the store.
type ltClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *ltClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *ltClock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func ltUTC(s string) time.Time         { t, _ := time.Parse(time.DateTime, s); return t }
func ltIDs(items []any) (out []string) { return ltCollect(items, "id") }

func ltCollect(items []any, key string) (out []string) {
	for _, it := range items {
		out = append(out, fmt.Sprint(it.(map[string]any)[key]))
	}
	return out
}

// ltListIDs posts lead/list and returns the ids of the page.
func ltListIDs(t testing.TB, env *crmtest.Env, key, request string) []string {
	t.Helper()
	return ltIDs(ltList(t, ltObj(t, ltOK(t, ltPost(t, env, key, "lead/list/", request)), "leads"), "result"))
}

// TestLeadList replays E06 and checks its filters and paging.
func TestLeadList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		// The account's zone is Moscow (UTC+3); the clock runs in UTC.
		clock := &ltClock{now: ltUTC("2017-07-09 22:30:00")} // 2017-07-10 01:30 in Moscow
		env.Server.DB.Now = clock.Now
		a := ltNewAccount(t, env, "List")
		stages := ltLeadStages(t, env, a.key)

		leadA := fmt.Sprint(ltLead(t, env, a.key, "Сергей", "74993229710", "sergey@example.com"))
		clock.Set(ltUTC("2017-07-11 10:00:00"))
		idB, _ := ltCreate(t, env, a.key, `{"method": "create", "values": {"name": "Мария", "email": "Maria@Example.com",
			"comment": "Доп информация"}, "contact_data": [{"type": "telegram", "value": "maria_tg"}]}`)
		leadB := fmt.Sprint(idB)
		clock.Set(ltUTC("2017-07-12 10:00:00"))
		ltOK(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %s, "user_id": %d, "employee_id": 0}`, leadB, a.admin)))
		clock.Set(ltUTC("2017-07-13 10:00:00"))
		ltOK(t, ltPost(t, env, a.key, "lead/updateLeadValue/",
			fmt.Sprintf(`{"lead_id": %s, "fields": [{"input_id": 4, "value": "перезвонить", "value_type_id": 1}]}`, leadA)))
		source := ltField(t, env, a, crm.EntityInbound, "Источник", crm.FieldText)
		idC, _ := ltCreate(t, env, a.key, fmt.Sprintf(`{"method": "create", "values": {"name": "Sergey Smith",
			"email": "smith@example.com", "custom": [{"input_id": %d, "value": "Выставка Экспо"}]}}`, source))
		leadC := fmt.Sprint(idC)

		// The example request (stage_id illegible: the "new" stage).
		obj := ltOK(t, ltPost(t, env, a.key, "lead/list/", fmt.Sprintf(`{"keyword": "", "limit": 0, "offset": 0,
			"date_start": "2017-07-10", "date_end": "2017-07-10", "date_type": "created", "stage_id": %s}`, stages["Новый"])))
		ltKeys(t, obj, "leads", "status_code", "message")
		leads := ltObj(t, obj, "leads")
		ltKeys(t, leads, "keyword", "dateType", "dateSelectType", "offset", "limit", "result", "count")
		ltNulls(t, leads, "keyword")
		if leads["dateType"] != "period" || leads["dateSelectType"] != "created" || ltNum(t, leads, "offset") != -1 ||
			ltNum(t, leads, "limit") != 50 || leads["count"] != "1" {
			t.Errorf("leads %v", leads)
		}
		result := ltList(t, leads, "result")
		if len(result) != 1 {
			t.Fatalf("result %v, want lead A", result)
		}
		item := result[0].(map[string]any)
		ltKeys(t, item, append(slices.Clone(ltLeadKeys), "status_id")...)
		ltStrings(t, item, ltStringIDs...)
		ltStrings(t, item, "status_id", "stage", "stage_color")
		if item["id"] != leadA || item["status_id"] != "1" || item["stage"] != "Новый" || item["status"] != "2" ||
			item["created_at"] != "2017-07-10 01:30:00" {
			t.Errorf("item %v", item)
		}
		if v := ltObj(t, ltObj(t, ltObj(t, item, "values"), "service"), "comment"); v["value"] != "перезвонить" || v["input_id"] != "4" {
			t.Errorf("comment %v", v)
		}

		// Newest first without filters; count is a string.
		all := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{}`)), "leads")
		if ids := ltIDs(ltList(t, all, "result")); !slices.Equal(ids, []string{leadC, leadB, leadA}) || all["count"] != "3" {
			t.Errorf("all %v count %v", ids, all["count"])
		}
		if all["dateSelectType"] != "created" {
			t.Errorf("dateSelectType %v", all["dateSelectType"])
		}

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
			got := ltListIDs(t, env, a.key, fmt.Sprintf(`{"keyword": %q}`, kw))
			if !slices.Equal(got, want) {
				t.Errorf("keyword %q: %v, want %v", kw, got, want)
			}
		}
		if k := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{"keyword": "maria"}`)), "leads"); k["keyword"] != "maria" {
			t.Errorf("keyword echo %v", k["keyword"])
		}

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
			if got := ltListIDs(t, env, a.key, c.request); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.request, got, c.want)
			}
		}
		closed := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{"date_type": "closed"}`)), "leads")
		if closed["dateSelectType"] != "closed" {
			t.Errorf("dateSelectType %v", closed["dateSelectType"])
		}

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
			if got := ltListIDs(t, env, a.key, c.request); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.request, got, c.want)
			}
		}
		started := ltList(t, ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/",
			fmt.Sprintf(`{"stage_id": %s}`, stages["Новый клиент"]))), "leads"), "result")[0].(map[string]any)
		if started["status_id"] != "2" || started["status"] != "1" || len(ltList(t, started, "deals")) != 1 {
			t.Errorf("started lead in the list: %v", started)
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
			{`{"limit": 2, "offset": 5}`, nil, -1},
			{`{"limit": 500}`, []string{leadC, leadB, leadA}, -1},
		} {
			page := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", c.request)), "leads")
			if ids := ltIDs(ltList(t, page, "result")); !slices.Equal(ids, c.ids) || ltNum(t, page, "offset") != c.nextOffset || page["count"] != "3" {
				t.Errorf("%s: %v offset %v count %v, want %v offset %d count 3", c.request, ids, page["offset"], page["count"], c.ids, c.nextOffset)
			}
		}
		if page := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{"limit": 500}`)), "leads"); ltNum(t, page, "limit") != 50 {
			t.Errorf("limit %v, want the cap 50", page["limit"])
		}

		// Bad filters.
		ltFail(t, ltPost(t, env, a.key, "lead/list/", `{"date_type": "deleted"}`), http.StatusInternalServerError, "Неверный request")
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/list/", `{"date_start": "10.07.2017"}`), http.StatusBadRequest, "Дата должна быть")
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/list/", `{"stage_id": ["x"]}`), http.StatusBadRequest, "Параметр stage_id")
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/list/", `{"offset": -1}`), http.StatusBadRequest, "limit и offset")
	})
}
