package amocrm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the amoCRM v4 lead pipelines and statuses (companion
// §6), over real HTTP on SQLite and PostgreSQL.

const plPath = "/api/v4/leads/pipelines"

var (
	plPipelineKeys = []string{"_embedded", "_links", "account_id", "id", "is_archive", "is_main", "is_unsorted_on", "name", "sort"}
	plStatusKeys   = []string{"_links", "account_id", "color", "id", "is_editable", "name", "pipeline_id", "sort", "type"}
	plHex          = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

type plAccount struct {
	id     int64
	token  string
	key    string
	member string
	actor  crm.Actor
}

func plNewAccount(t testing.TB, env *crmtest.Env, name string) plAccount {
	t.Helper()
	c := env.NewAccount(t, name)
	m := env.NewUser(t, c.AccountID, crm.RoleMember)
	return plAccount{id: c.AccountID, token: c.AmoCRMToken, key: c.EnvyboxAPIKey, member: m.AmoCRMToken,
		actor: crm.Actor{AccountID: c.AccountID, UserID: c.UserID, Role: crm.RoleAdmin}}
}

// plOK checks a success: the status, exactly application/hal+json, and
// returns the object (nil for 204, which must have an empty body).
func plOK(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d; body: %s", resp.Status, status, resp.Body)
	}
	if status == http.StatusNoContent {
		if len(resp.Body) != 0 {
			t.Errorf("204 with a body: %s", resp.Body)
		}
		return nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/hal+json" {
		t.Errorf("Content-Type %q, want application/hal+json", ct)
	}
	return resp.Object(t)
}

// plProblem checks an error answer: status, problem+json and its members.
func plProblem(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d; body: %s", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	p := resp.Object(t)
	d, _ := p["detail"].(string)
	if p["title"] != http.StatusText(status) || p["type"] != "https://httpstatus.es/"+strconv.Itoa(status) ||
		p["status"] != json.Number(strconv.Itoa(status)) || d == "" {
		t.Errorf("problem %v", p)
	}
	return p
}

// plViolation is one validation error: request id, code, path.
type plViolation struct{ rid, code, path string }

// plViolations checks a 400 validation problem and returns its errors.
func plViolations(t testing.TB, resp *crmtest.Response) []plViolation {
	t.Helper()
	p := plProblem(t, resp, http.StatusBadRequest)
	if p["detail"] != "Request validation failed" {
		t.Errorf("detail %v", p["detail"])
	}
	var out []plViolation
	groups, _ := p["validation-errors"].([]any)
	for _, g := range groups {
		gm := g.(map[string]any)
		rid, _ := gm["request_id"].(string)
		for _, e := range gm["errors"].([]any) {
			em := e.(map[string]any)
			if d, _ := em["detail"].(string); d == "" {
				t.Errorf("validation error without detail: %v", em)
			}
			out = append(out, plViolation{rid, em["code"].(string), em["path"].(string)})
		}
	}
	if len(out) == 0 {
		t.Fatalf("no validation errors: %s", resp.Body)
	}
	return out
}

func plWantViolations(t testing.TB, resp *crmtest.Response, want ...plViolation) {
	t.Helper()
	got := plViolations(t, resp)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("validation errors %v lack %v", got, w)
		}
	}
}

func plKeys(t testing.TB, m map[string]any, want []string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	w := slices.Clone(want)
	sort.Strings(w)
	if !slices.Equal(got, w) {
		t.Errorf("keys %v, want %v", got, w)
	}
}

func plInt(t testing.TB, m map[string]any, key string) int64 {
	t.Helper()
	n, ok := m[key].(json.Number)
	if !ok {
		t.Fatalf("%s = %#v, want an integer; in %v", key, m[key], m)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %s", key, n)
	}
	return i
}

func plHref(t testing.TB, m map[string]any) string {
	t.Helper()
	links, _ := m["_links"].(map[string]any)
	self, _ := links["self"].(map[string]any)
	href, _ := self["href"].(string)
	return href
}

func plList(t testing.TB, m map[string]any, key string) []map[string]any {
	t.Helper()
	emb, ok := m["_embedded"].(map[string]any)
	if !ok {
		t.Fatalf("no _embedded in %v", m)
	}
	raw, ok := emb[key].([]any)
	if !ok {
		t.Fatalf("_embedded.%s = %#v", key, emb[key])
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

// plStatus is what a status should show.
type plStatus struct {
	id       int64 // 0: any id but 142/143
	name     string
	sort     int64
	color    string
	typ      int64
	editable bool
}

func plCheckStatuses(t testing.TB, env *crmtest.Env, a plAccount, pipelineID int64, got []map[string]any, want []plStatus) []int64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d statuses, want %d: %v", len(got), len(want), got)
	}
	ids := make([]int64, len(got))
	for i, s := range got {
		w := want[i]
		plKeys(t, s, plStatusKeys)
		ids[i] = plInt(t, s, "id")
		if w.id != 0 && ids[i] != w.id || w.id == 0 && (ids[i] == 142 || ids[i] == 143) {
			t.Errorf("status %d id %d, want %d", i, ids[i], w.id)
		}
		if s["name"] != w.name || plInt(t, s, "sort") != w.sort || s["color"] != w.color || plInt(t, s, "type") != w.typ ||
			s["is_editable"] != w.editable || plInt(t, s, "pipeline_id") != pipelineID || plInt(t, s, "account_id") != a.id {
			t.Errorf("status %d = %v, want %+v", i, s, w)
		}
		if href := plHref(t, s); href != env.URL+plPath+"/"+fmt.Sprint(pipelineID)+"/statuses/"+fmt.Sprint(ids[i]) {
			t.Errorf("status href %q", href)
		}
	}
	return ids
}

func plCheckPipeline(t testing.TB, env *crmtest.Env, a plAccount, p map[string]any, name string, sortv int64, main, unsorted bool) int64 {
	t.Helper()
	keys := plPipelineKeys
	if _, ok := p["request_id"]; ok {
		keys = append(slices.Clone(keys), "request_id")
	}
	plKeys(t, p, keys)
	id := plInt(t, p, "id")
	if p["name"] != name || plInt(t, p, "sort") != sortv || p["is_main"] != main || p["is_unsorted_on"] != unsorted ||
		p["is_archive"] != false || plInt(t, p, "account_id") != a.id {
		t.Errorf("pipeline %v, want %q sort %d main %v unsorted %v", p, name, sortv, main, unsorted)
	}
	if href := plHref(t, p); href != env.URL+plPath+"/"+fmt.Sprint(id) {
		t.Errorf("pipeline href %q", href)
	}
	return id
}

func plPipelines(t testing.TB, env *crmtest.Env, token string) []map[string]any {
	t.Helper()
	obj := plOK(t, env.Do(t, http.MethodGet, plPath, token, ""), http.StatusOK)
	list := plList(t, obj, "pipelines")
	if plInt(t, obj, "_total_items") != int64(len(list)) || plHref(t, obj) != env.URL+plPath {
		t.Errorf("envelope %v", obj)
	}
	return list
}

// plDefault is a new account's deal pipeline as seen here (unsorted off,
// so "Новая" is a regular status); Envybox's rgb colours come out as hex.
func plDefault(wonName, lostName string) []plStatus {
	return []plStatus{
		{0, "Новая", 0, "#2394fe", 0, true},
		{0, "В работе", 1, "#c7ee1e", 0, true},
		{142, wonName, 10000, "#4caf50", 0, false},
		{143, lostName, 11000, "#f44336", 0, false},
	}
}

// plCreate posts one pipeline and returns it.
func plCreate(t testing.TB, env *crmtest.Env, token, pipeline string) map[string]any {
	t.Helper()
	obj := plOK(t, env.Do(t, http.MethodPost, plPath, token, "["+pipeline+"]"), http.StatusOK)
	return plList(t, obj, "pipelines")[0]
}

func TestV4PipelineList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		for _, token := range []string{a.token, a.member} {
			list := plPipelines(t, env, token)
			if len(list) != 1 {
				t.Fatalf("%d pipelines, want 1", len(list))
			}
			id := plCheckPipeline(t, env, a, list[0], "Основная воронка", plInt(t, list[0], "sort"), true, false)
			emb := list[0]["_embedded"].(map[string]any)
			plKeys(t, emb, []string{"statuses"})
			plCheckStatuses(t, env, a, id, plList(t, list[0], "statuses"), plDefault("Успешно реализована", "Не реализована"))

			one := plOK(t, env.Do(t, http.MethodGet, plPath+"/"+fmt.Sprint(id), token, ""), http.StatusOK)
			plCheckPipeline(t, env, a, one, "Основная воронка", plInt(t, list[0], "sort"), true, false)

			st := plOK(t, env.Do(t, http.MethodGet, plPath+"/"+fmt.Sprint(id)+"/statuses", token, ""), http.StatusOK)
			if plInt(t, st, "_total_items") != 4 || plHref(t, st) != env.URL+plPath+"/"+fmt.Sprint(id)+"/statuses" {
				t.Errorf("statuses envelope %v", st)
			}
			ids := plCheckStatuses(t, env, a, id, plList(t, st, "statuses"), plDefault("Успешно реализована", "Не реализована"))

			// with=descriptions: crmd keeps none, so every status has [].
			st = plOK(t, env.Do(t, http.MethodGet, plPath+"/"+fmt.Sprint(id)+"/statuses?with=descriptions", token, ""), http.StatusOK)
			for _, s := range plList(t, st, "statuses") {
				if d, ok := s["descriptions"].([]any); !ok || len(d) != 0 {
					t.Errorf("descriptions %#v, want []", s["descriptions"])
				}
			}
			for i, sid := range ids {
				s := plOK(t, env.Do(t, http.MethodGet, fmt.Sprintf("%s/%d/statuses/%d", plPath, id, sid), token, ""), http.StatusOK)
				plCheckStatuses(t, env, a, id, []map[string]any{s}, plDefault("Успешно реализована", "Не реализована")[i:i+1])
				s = plOK(t, env.Do(t, http.MethodGet, fmt.Sprintf("%s/%d/statuses/%d?with=descriptions", plPath, id, sid), token, ""), http.StatusOK)
				if d, ok := s["descriptions"].([]any); !ok || len(d) != 0 {
					t.Errorf("descriptions %#v, want []", s["descriptions"])
				}
			}
		}
	})
}

// The POST example of the leads_pipelines page: a pipeline with unsorted on,
// 142 renamed and one status of its own.
func TestV4PipelineCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		mainID := plInt(t, plPipelines(t, env, a.token)[0], "id")
		resp := env.Do(t, http.MethodPost, plPath, a.token, `[
			{
				"name": "Воронка доп продаж",
				"is_main": false,
				"is_unsorted_on": true,
				"sort": 20,
				"request_id": "123",
				"_embedded": {
					"statuses": [
						{"id": 142, "name": "Мое название для успешных сделок"},
						{"name": "Первичный контакт", "sort": 10, "color": "#fffeb2"}
					]
				}
			}
		]`)
		obj := plOK(t, resp, http.StatusOK)
		plKeys(t, obj, []string{"_total_items", "_links", "_embedded"})
		created := plList(t, obj, "pipelines")
		if plInt(t, obj, "_total_items") != 1 || len(created) != 1 || created[0]["request_id"] != "123" {
			t.Fatalf("answer %s", resp.Body)
		}
		id := plCheckPipeline(t, env, a, created[0], "Воронка доп продаж", 20, false, true)
		want := []plStatus{
			{0, "Неразобранное", 0, "#c1c1c1", 1, false},
			{0, "Первичный контакт", 10, "#fffeb2", 0, true},
			{142, "Мое название для успешных сделок", 10000, "#CCFF66", 0, false},
			{143, "Закрыто и не реализовано", 11000, "#D5D8DB", 0, false},
		}
		plCheckStatuses(t, env, a, id, plList(t, created[0], "statuses"), want)

		// Read back: the same, without request_id; the main pipeline stays main.
		got := plOK(t, env.Do(t, http.MethodGet, plPath+"/"+fmt.Sprint(id), a.member, ""), http.StatusOK)
		plCheckPipeline(t, env, a, got, "Воронка доп продаж", 20, false, true)
		plCheckStatuses(t, env, a, id, plList(t, got, "statuses"), want)
		list := plPipelines(t, env, a.token)
		if len(list) != 2 || plInt(t, list[0], "id") != mainID || list[0]["is_main"] != true {
			t.Errorf("list %v", list)
		}

		// A batch of two without request ids: "0" and "1"; the second is made
		// main, so the others are no longer; no statuses given: unsorted off
		// needs at least one open one (400), unsorted on is enough.
		resp = env.Do(t, http.MethodPost, plPath, a.token, `[
			{"name": "Б", "sort": 30, "is_main": false, "is_unsorted_on": true},
			{"name": "В", "sort": 40, "is_main": true, "is_unsorted_on": false,
			 "_embedded": {"statuses": [{"name": "Один", "sort": 5}, {"id": 143, "name": "Отказ", "color": "#e6e8ea"}]}}
		]`)
		created = plList(t, plOK(t, resp, http.StatusOK), "pipelines")
		if len(created) != 2 || created[0]["request_id"] != "0" || created[1]["request_id"] != "1" {
			t.Fatalf("answer %s", resp.Body)
		}
		b := plCheckPipeline(t, env, a, created[0], "Б", 30, false, true)
		plCheckStatuses(t, env, a, b, plList(t, created[0], "statuses"), []plStatus{
			{0, "Неразобранное", 0, "#c1c1c1", 1, false},
			{142, "Успешно реализовано", 10000, "#CCFF66", 0, false},
			{143, "Закрыто и не реализовано", 11000, "#D5D8DB", 0, false},
		})
		v := plCheckPipeline(t, env, a, created[1], "В", 40, true, false)
		plCheckStatuses(t, env, a, v, plList(t, created[1], "statuses"), []plStatus{
			{0, "Один", 5, "#fffeb2", 0, true}, // no colour given: the first palette colour
			{142, "Успешно реализовано", 10000, "#CCFF66", 0, false},
			{143, "Отказ", 11000, "#e6e8ea", 0, false},
		})
		mains := 0
		for _, p := range plPipelines(t, env, a.token) {
			if p["is_main"] == true {
				mains++
				if plInt(t, p, "id") != v {
					t.Errorf("main pipeline %v, want %d", p["id"], v)
				}
			}
		}
		if mains != 1 {
			t.Errorf("%d main pipelines", mains)
		}
		// The list is ordered by sort.
		var sorts []int64
		for _, p := range plPipelines(t, env, a.token) {
			sorts = append(sorts, plInt(t, p, "sort"))
		}
		if !slices.IsSorted(sorts) {
			t.Errorf("sorts %v", sorts)
		}
	})
}

func TestV4PipelineCreateValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		post := func(body string) *crmtest.Response { return env.Do(t, http.MethodPost, plPath, a.token, body) }

		plWantViolations(t, post(`[{"request_id": "x"}]`),
			plViolation{"x", "FieldMissing", "name"}, plViolation{"x", "FieldMissing", "sort"},
			plViolation{"x", "FieldMissing", "is_main"}, plViolation{"x", "FieldMissing", "is_unsorted_on"})
		plWantViolations(t, post(`[{"name": 5, "sort": "1", "is_main": 1, "is_unsorted_on": "yes"}]`),
			plViolation{"0", "InvalidType", "name"}, plViolation{"0", "InvalidType", "sort"},
			plViolation{"0", "InvalidType", "is_main"}, plViolation{"0", "InvalidType", "is_unsorted_on"})
		plWantViolations(t, post(`{"name": "not an array"}`), plViolation{"0", "InvalidType", ""})
		plWantViolations(t, post(`[]`), plViolation{"0", "FieldMissing", ""})
		ok := `{"name": "Ок", "sort": 1, "is_main": false, "is_unsorted_on": true}`
		plWantViolations(t, post(`[`+ok+`, {"name": " ", "sort": 1, "is_main": false, "is_unsorted_on": true}]`),
			plViolation{"1", "NotBlank", "name"})
		plWantViolations(t, post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": true, "_embedded": {"statuses": [
			{"name": "Хорошо", "sort": 1},
			{"id": 77, "name": "Чужой"},
			{"sort": 2},
			{"name": "Без сортировки"},
			{"name": "Цвет", "sort": 3, "color": "#123456"},
			{"name": "Описание", "sort": 4, "descriptions": [{"level": "newbie", "description": "x"}]},
			{"name": "Далеко", "sort": 10001},
			{"id": 142}
		]}}]`),
			plViolation{"0", "NotSupportedChoice", "_embedded.statuses.1.id"},
			plViolation{"0", "FieldMissing", "_embedded.statuses.2.name"},
			plViolation{"0", "FieldMissing", "_embedded.statuses.3.sort"},
			plViolation{"0", "NotSupportedChoice", "_embedded.statuses.4.color"},
			plViolation{"0", "FieldNotExpected", "_embedded.statuses.5.descriptions"},
			plViolation{"0", "FieldMissing", "_embedded.statuses.7.name"})
		// Domain rules come back under the body's paths.
		plWantViolations(t, post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": false, "_embedded": {"statuses": [
			{"name": "Далеко", "sort": 10001}]}}]`), plViolation{"0", "OutOfRange", "_embedded.statuses.0.sort"})
		plWantViolations(t, post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": false}]`),
			plViolation{"0", "OutOfRange", "_embedded.statuses"})
		plWantViolations(t, post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": true, "_embedded": {"statuses": [
			{"id": 142, "name": "Раз"}, {"id": 142, "name": "Два"}]}}]`), plViolation{"0", "InvalidValue", "_embedded.statuses"})
		// Nothing of a refused batch was created.
		if n := len(plPipelines(t, env, a.token)); n != 1 {
			t.Errorf("%d pipelines after refused writes, want 1", n)
		}
		// More than 100 statuses in one pipeline (system ones included): 422.
		var sts []string
		for i := range 98 {
			sts = append(sts, fmt.Sprintf(`{"name": "Этап %d", "sort": %d}`, i, i))
		}
		plProblem(t, post(`[{"name": "Много", "sort": 1, "is_main": false, "is_unsorted_on": true, "_embedded": {"statuses": [`+
			strings.Join(sts, ",")+`]}}]`), http.StatusUnprocessableEntity)
		p := plCreate(t, env, a.token, `{"name": "Много", "sort": 1, "is_main": false, "is_unsorted_on": false, "_embedded": {"statuses": [`+
			strings.Join(sts, ",")+`]}}`)
		if n := len(plList(t, p, "statuses")); n != 100 {
			t.Errorf("%d statuses, want 100", n)
		}
	})
}

func TestV4PipelineLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		one := func(i int) string {
			return fmt.Sprintf(`{"name": "Воронка %d", "sort": %d, "is_main": false, "is_unsorted_on": true,
				"_embedded": {"statuses": [{"name": "Этап", "sort": 1}]}}`, i, i)
		}
		var batch []string
		for i := range 48 {
			batch = append(batch, one(i))
		}
		plOK(t, env.Do(t, http.MethodPost, plPath, a.token, "["+strings.Join(batch, ",")+"]"), http.StatusOK)
		// 49 now; a batch of two would make 51: refused whole.
		plProblem(t, env.Do(t, http.MethodPost, plPath, a.token, "["+one(100)+","+one(101)+"]"), http.StatusUnprocessableEntity)
		if n := len(plPipelines(t, env, a.token)); n != 49 {
			t.Fatalf("%d pipelines, want 49", n)
		}
		plCreate(t, env, a.token, one(50))
		// The 51st.
		p := plProblem(t, env.Do(t, http.MethodPost, plPath, a.token, "["+one(51)+"]"), http.StatusUnprocessableEntity)
		if d, _ := p["detail"].(string); !strings.Contains(d, "50") {
			t.Errorf("detail %q does not name the limit", d)
		}
		// Over 200 stages were made: 142 and 143 name only won and lost statuses.
		list := plPipelines(t, env, a.token)
		if len(list) != 50 {
			t.Fatalf("%d pipelines", len(list))
		}
		plNoReservedIDs(t, list)
		// More than 250 items in one request: 400.
		batch = batch[:0]
		for i := range 251 {
			batch = append(batch, one(i))
		}
		plProblem(t, env.Do(t, http.MethodPost, plPath, a.token, "["+strings.Join(batch, ",")+"]"), http.StatusBadRequest)
	})
}

// The PATCH example of the leads_pipelines page and the main-pipeline rules.
func TestV4PipelinePatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		mainID := plInt(t, plPipelines(t, env, a.token)[0], "id")
		id := plInt(t, plCreate(t, env, a.token, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": true}`), "id")
		path := plPath + "/" + fmt.Sprint(id)

		got := plOK(t, env.Do(t, http.MethodPatch, path, a.token,
			`{"name": "Новое название для воронки", "is_main": false, "is_unsorted_on": false, "sort": 1000}`), http.StatusOK)
		if _, ok := got["request_id"]; ok {
			t.Errorf("request_id echoed though not sent: %v", got)
		}
		plCheckPipeline(t, env, a, got, "Новое название для воронки", 1000, false, false)
		// Unsorted off: the 2001 stage is a regular status now.
		plCheckStatuses(t, env, a, id, plList(t, got, "statuses"), []plStatus{
			{0, "Неразобранное", 0, "#c1c1c1", 0, true},
			{142, "Успешно реализовано", 10000, "#CCFF66", 0, false},
			{143, "Закрыто и не реализовано", 11000, "#D5D8DB", 0, false},
		})
		got = plOK(t, env.Do(t, http.MethodPatch, path, a.token, `{"is_unsorted_on": true, "request_id": "r"}`), http.StatusOK)
		if got["request_id"] != "r" || plInt(t, plList(t, got, "statuses")[0], "type") != 1 {
			t.Errorf("answer %v", got)
		}

		// Making it main takes main from the other.
		plCheckPipeline(t, env, a, plOK(t, env.Do(t, http.MethodPatch, path, a.token, `{"is_main": true}`), http.StatusOK),
			"Новое название для воронки", 1000, true, true)
		other := plOK(t, env.Do(t, http.MethodGet, plPath+"/"+fmt.Sprint(mainID), a.token, ""), http.StatusOK)
		if other["is_main"] != false {
			t.Errorf("old main still main")
		}
		// The main pipeline cannot be made non-main directly.
		plProblem(t, env.Do(t, http.MethodPatch, path, a.token, `{"is_main": false}`), http.StatusBadRequest)

		plWantViolations(t, env.Do(t, http.MethodPatch, path, a.token, `{}`), plViolation{"0", "FieldMissing", ""})
		plWantViolations(t, env.Do(t, http.MethodPatch, path, a.token, `{"name": 1, "sort": "x", "request_id": "q"}`),
			plViolation{"q", "InvalidType", "name"}, plViolation{"q", "InvalidType", "sort"})
		plWantViolations(t, env.Do(t, http.MethodPatch, path, a.token, `{"name": ""}`), plViolation{"0", "NotBlank", "name"})
		plProblem(t, env.Do(t, http.MethodPatch, plPath+"/999999", a.token, `{"name": "x"}`), http.StatusNotFound)
	})
}

func TestV4PipelineDelete(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := plNewAccount(t, env, "Воронки")
		mainID := plInt(t, plPipelines(t, env, a.token)[0], "id")
		// The last pipeline cannot go.
		plProblem(t, env.Do(t, http.MethodDelete, plPath+"/"+fmt.Sprint(mainID), a.token, ""), http.StatusBadRequest)

		id := plInt(t, plCreate(t, env, a.token, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": true}`), "id")
		// One with leads cannot go.
		contacts, err := env.Server.Service.AddContacts(ctx, a.actor, []crm.NewContact{{FirstName: "Иван"}})
		if err != nil {
			t.Fatal(err)
		}
		deal, err := env.Server.Service.CreateDeal(ctx, a.actor, crm.NewDeal{Name: "Сделка", ClientID: contacts[0].ID, PipelineID: mainID})
		if err != nil {
			t.Fatal(err)
		}
		_ = deal
		// Make the new one main, then the old (with the deal) cannot be deleted.
		plOK(t, env.Do(t, http.MethodPatch, plPath+"/"+fmt.Sprint(id), a.token, `{"is_main": true}`), http.StatusOK)
		plProblem(t, env.Do(t, http.MethodDelete, plPath+"/"+fmt.Sprint(mainID), a.token, ""), http.StatusBadRequest)

		// An empty one goes, main passes to the one left.
		plOK(t, env.Do(t, http.MethodDelete, plPath+"/"+fmt.Sprint(id), a.token, ""), http.StatusNoContent)
		plProblem(t, env.Do(t, http.MethodGet, plPath+"/"+fmt.Sprint(id), a.token, ""), http.StatusNotFound)
		plProblem(t, env.Do(t, http.MethodDelete, plPath+"/"+fmt.Sprint(id), a.token, ""), http.StatusNotFound)
		list := plPipelines(t, env, a.token)
		if len(list) != 1 || list[0]["is_main"] != true {
			t.Errorf("after delete: %v", list)
		}
	})
}

// The statuses examples of the leads_pipelines page, 142/143 addressing and
// the status rules.
func TestV4PipelineStatuses(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		id := plInt(t, plCreate(t, env, a.token, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": true}`), "id")
		spath := fmt.Sprintf("%s/%d/statuses", plPath, id)

		resp := env.Do(t, http.MethodPost, spath, a.token, `[
			{"name": "Новый этап", "sort": 100, "color": "#fffeb2"},
			{"name": "Новый этап 2", "sort": 200, "color": "#fffeb2"}
		]`)
		obj := plOK(t, resp, http.StatusOK)
		plKeys(t, obj, []string{"_total_items", "_embedded"})
		created := plList(t, obj, "statuses")
		if plInt(t, obj, "_total_items") != 2 || len(created) != 2 {
			t.Fatalf("answer %s", resp.Body)
		}
		var newIDs []int64
		for i, s := range created {
			if s["request_id"] != fmt.Sprint(i) {
				t.Errorf("request_id %v", s["request_id"])
			}
			if d, ok := s["descriptions"].([]any); !ok || len(d) != 0 {
				t.Errorf("descriptions %#v", s["descriptions"])
			}
			delete(s, "request_id")
			delete(s, "descriptions")
			newIDs = append(newIDs, plCheckStatuses(t, env, a, id, []map[string]any{s},
				[]plStatus{{0, []string{"Новый этап", "Новый этап 2"}[i], int64(100 * (i + 1)), "#fffeb2", 0, true}})[0])
		}
		list := plList(t, plOK(t, env.Do(t, http.MethodGet, spath, a.member, ""), http.StatusOK), "statuses")
		for _, s := range list {
			if _, ok := s["descriptions"]; ok {
				t.Errorf("descriptions without with=descriptions: %v", s)
			}
		}
		plCheckStatuses(t, env, a, id, list, []plStatus{
			{0, "Неразобранное", 0, "#c1c1c1", 1, false},
			{newIDs[0], "Новый этап", 100, "#fffeb2", 0, true},
			{newIDs[1], "Новый этап 2", 200, "#fffeb2", 0, true},
			{142, "Успешно реализовано", 10000, "#CCFF66", 0, false},
			{143, "Закрыто и не реализовано", 11000, "#D5D8DB", 0, false},
		})

		// The PATCH example, with a request id echoed.
		st := plOK(t, env.Do(t, http.MethodPatch, fmt.Sprintf("%s/%d", spath, newIDs[0]), a.token,
			`{"name": "Новое название для статуса", "color": "#c1e0ff", "request_id": "p"}`), http.StatusOK)
		if st["request_id"] != "p" {
			t.Errorf("request_id %v", st["request_id"])
		}
		delete(st, "request_id")
		plCheckStatuses(t, env, a, id, []map[string]any{st}, []plStatus{{newIDs[0], "Новое название для статуса", 100, "#c1e0ff", 0, true}})
		st = plOK(t, env.Do(t, http.MethodPatch, fmt.Sprintf("%s/%d", spath, newIDs[0]), a.token, `{"sort": 300}`), http.StatusOK)
		if plInt(t, st, "sort") != 300 {
			t.Errorf("sort %v", st["sort"])
		}
		// An empty descriptions list changes nothing and is fine.
		plOK(t, env.Do(t, http.MethodPatch, fmt.Sprintf("%s/%d", spath, newIDs[0]), a.token, `{"descriptions": []}`), http.StatusOK)

		// 142 and 143 address this pipeline's won and lost stages.
		won := plOK(t, env.Do(t, http.MethodPatch, spath+"/142", a.token, `{"name": "Продано", "sort": 10000}`), http.StatusOK)
		plCheckStatuses(t, env, a, id, []map[string]any{won}, []plStatus{{142, "Продано", 10000, "#CCFF66", 0, false}})
		lost := plOK(t, env.Do(t, http.MethodGet, spath+"/143", a.token, ""), http.StatusOK)
		plCheckStatuses(t, env, a, id, []map[string]any{lost}, []plStatus{{143, "Закрыто и не реализовано", 11000, "#D5D8DB", 0, false}})
		plWantViolations(t, env.Do(t, http.MethodPatch, spath+"/142", a.token, `{"sort": 500}`), plViolation{"0", "InvalidValue", "sort"})
		plProblem(t, env.Do(t, http.MethodDelete, spath+"/142", a.token, ""), http.StatusBadRequest)
		plProblem(t, env.Do(t, http.MethodDelete, spath+"/143", a.token, ""), http.StatusBadRequest)
		// The main pipeline's 142 is its own.
		mainID := plInt(t, plPipelines(t, env, a.token)[0], "id")
		mainWon := plOK(t, env.Do(t, http.MethodGet, fmt.Sprintf("%s/%d/statuses/142", plPath, mainID), a.token, ""), http.StatusOK)
		if mainWon["name"] != "Успешно реализована" || plInt(t, mainWon, "pipeline_id") != mainID {
			t.Errorf("main 142 = %v", mainWon)
		}

		// Validation.
		one := fmt.Sprintf("%s/%d", spath, newIDs[1])
		plWantViolations(t, env.Do(t, http.MethodPatch, one, a.token, `{}`), plViolation{"0", "FieldMissing", ""})
		plWantViolations(t, env.Do(t, http.MethodPatch, one, a.token, `{"color": "#000000"}`), plViolation{"0", "NotSupportedChoice", "color"})
		plWantViolations(t, env.Do(t, http.MethodPatch, one, a.token, `{"sort": 10001}`), plViolation{"0", "OutOfRange", "sort"})
		plWantViolations(t, env.Do(t, http.MethodPatch, one, a.token, `{"name": []}`), plViolation{"0", "InvalidType", "name"})
		plWantViolations(t, env.Do(t, http.MethodPatch, one, a.token, `{"descriptions": [{"level": "newbie", "description": "x"}]}`),
			plViolation{"0", "FieldNotExpected", "descriptions"})
		plWantViolations(t, env.Do(t, http.MethodPost, spath, a.token, `[{"name": "Ок", "sort": 1}, {"request_id": "b", "color": "red"}]`),
			plViolation{"b", "FieldMissing", "name"}, plViolation{"b", "FieldMissing", "sort"}, plViolation{"b", "NotSupportedChoice", "color"})
		plWantViolations(t, env.Do(t, http.MethodPost, spath, a.token, `[{"name": "Ок", "sort": 1}, {"name": "Далеко", "sort": -1}]`),
			plViolation{"1", "OutOfRange", "sort"})
		plWantViolations(t, env.Do(t, http.MethodPost, spath, a.token, `[{"name": "Ок", "sort": 1, "descriptions": [{"level": "master"}]}]`),
			plViolation{"0", "FieldNotExpected", "descriptions"})
		plWantViolations(t, env.Do(t, http.MethodPost, spath, a.token, `{"name": "Ок", "sort": 1}`), plViolation{"0", "InvalidType", ""})
		if n := len(plList(t, plOK(t, env.Do(t, http.MethodGet, spath, a.token, ""), http.StatusOK), "statuses")); n != 5 {
			t.Errorf("%d statuses after refused writes, want 5", n)
		}

		// Delete: 204, then gone.
		plOK(t, env.Do(t, http.MethodDelete, one, a.token, ""), http.StatusNoContent)
		plProblem(t, env.Do(t, http.MethodGet, one, a.token, ""), http.StatusNotFound)
		plProblem(t, env.Do(t, http.MethodDelete, one, a.token, ""), http.StatusNotFound)
	})
}

func TestV4PipelineStatusLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		mainID := plInt(t, plPipelines(t, env, a.token)[0], "id")
		spath := fmt.Sprintf("%s/%d/statuses", plPath, mainID)
		batch := func(from, n int) string {
			var items []string
			for i := range n {
				items = append(items, fmt.Sprintf(`{"name": "Этап %d", "sort": %d}`, from+i, 10+from+i))
			}
			return "[" + strings.Join(items, ",") + "]"
		}
		// 4 statuses now; 97 more would make 101: refused whole.
		plProblem(t, env.Do(t, http.MethodPost, spath, a.token, batch(0, 97)), http.StatusUnprocessableEntity)
		plOK(t, env.Do(t, http.MethodPost, spath, a.token, batch(0, 96)), http.StatusOK)
		// The 101st.
		p := plProblem(t, env.Do(t, http.MethodPost, spath, a.token, batch(96, 1)), http.StatusUnprocessableEntity)
		if d, _ := p["detail"].(string); !strings.Contains(d, "100") {
			t.Errorf("detail %q", d)
		}
		list := plList(t, plOK(t, env.Do(t, http.MethodGet, spath, a.token, ""), http.StatusOK), "statuses")
		if len(list) != 100 {
			t.Errorf("%d statuses, want 100", len(list))
		}
		// Open stages made now take ids past 142 and 143 (a fresh database
		// has given out about 110 stage ids): those stay the system ids.
		var items []string
		for i := range 60 {
			items = append(items, fmt.Sprintf(`{"name": "Этап %d", "sort": %d}`, i, i))
		}
		plCreate(t, env, a.token, `{"name": "Ещё", "sort": 5, "is_main": false, "is_unsorted_on": false, "_embedded": {"statuses": [`+
			strings.Join(items, ",")+`]}}`)
		plNoReservedIDs(t, plPipelines(t, env, a.token))
	})
}

// plNoReservedIDs checks that 142 and 143 name only won and lost statuses.
func plNoReservedIDs(t testing.TB, pipelines []map[string]any) {
	t.Helper()
	for _, p := range pipelines {
		for _, s := range plList(t, p, "statuses") {
			id, srt := plInt(t, s, "id"), plInt(t, s, "sort")
			if (id == 142) != (srt == 10000) || (id == 143) != (srt == 11000) {
				t.Errorf("pipeline %v status %v", p["id"], s)
			}
		}
	}
}

// Deleting a status moves its leads to the pipeline's first status.
func TestV4PipelineStatusDeleteMovesDeals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := plNewAccount(t, env, "Воронки")
		p := plCreate(t, env, a.token, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": false,
			"_embedded": {"statuses": [{"name": "Первый", "sort": 10}, {"name": "Второй", "sort": 20}]}}`)
		id := plInt(t, p, "id")
		statuses := plList(t, p, "statuses")
		first, second := plInt(t, statuses[0], "id"), plInt(t, statuses[1], "id")

		contacts, err := env.Server.Service.AddContacts(ctx, a.actor, []crm.NewContact{{FirstName: "Иван"}})
		if err != nil {
			t.Fatal(err)
		}
		deal, err := env.Server.Service.CreateDeal(ctx, a.actor, crm.NewDeal{Name: "Сделка", ClientID: contacts[0].ID,
			PipelineID: id, StageID: second})
		if err != nil {
			t.Fatal(err)
		}
		if deal.StageID != second {
			t.Fatalf("deal in stage %d, want %d", deal.StageID, second)
		}
		// A member may not; an administrator may.
		plProblem(t, env.Do(t, http.MethodDelete, fmt.Sprintf("%s/%d/statuses/%d", plPath, id, second), a.member, ""), http.StatusForbidden)
		plOK(t, env.Do(t, http.MethodDelete, fmt.Sprintf("%s/%d/statuses/%d", plPath, id, second), a.token, ""), http.StatusNoContent)
		got, err := env.Server.Service.Deal(ctx, a.actor, deal.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Deal.StageID != first || got.Deal.PipelineID != id {
			t.Errorf("deal in pipeline %d stage %d, want %d/%d", got.Deal.PipelineID, got.Deal.StageID, id, first)
		}
		// The last open status cannot go.
		plProblem(t, env.Do(t, http.MethodDelete, fmt.Sprintf("%s/%d/statuses/%d", plPath, id, first), a.token, ""), http.StatusBadRequest)
	})
}

func TestV4PipelineAccess(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := plNewAccount(t, env, "Воронки")
		b := plNewAccount(t, env, "Others")
		mainID := plInt(t, plPipelines(t, env, a.token)[0], "id")
		pp := fmt.Sprintf("%s/%d", plPath, mainID)
		sp := pp + "/statuses"
		var stageID int64
		for _, s := range plList(t, plOK(t, env.Do(t, http.MethodGet, sp, a.token, ""), http.StatusOK), "statuses") {
			if s["name"] == "В работе" {
				stageID = plInt(t, s, "id")
			}
		}
		one := fmt.Sprintf("%s/%d", sp, stageID)
		pipeline := `[{"name": "X", "sort": 1, "is_main": false, "is_unsorted_on": true}]`
		calls := []struct{ method, path, body string }{
			{http.MethodGet, plPath, ""}, {http.MethodPost, plPath, pipeline},
			{http.MethodGet, pp, ""}, {http.MethodPatch, pp, `{"name": "Y"}`}, {http.MethodDelete, pp, ""},
			{http.MethodGet, sp, ""}, {http.MethodPost, sp, `[{"name": "Z", "sort": 1}]`},
			{http.MethodGet, one, ""}, {http.MethodPatch, one, `{"name": "Z"}`}, {http.MethodDelete, one, ""},
		}
		for _, c := range calls {
			// 401 without or with a bad token.
			plProblem(t, env.Do(t, c.method, c.path, "", c.body), http.StatusUnauthorized)
			plProblem(t, env.Do(t, c.method, c.path, "nonsense", c.body), http.StatusUnauthorized)
			if c.method != http.MethodGet {
				// 403 for a member, whatever the body.
				plProblem(t, env.Do(t, c.method, c.path, a.member, c.body), http.StatusForbidden)
				plProblem(t, env.Do(t, c.method, c.path, a.member, `{"broken`), http.StatusForbidden)
			}
			// Another account sees none of it.
			if c.path != plPath {
				plProblem(t, env.Do(t, c.method, c.path, b.token, c.body), http.StatusNotFound)
			}
		}
		// 404s: unknown ids, statuses of another pipeline, non-numeric ids.
		otherID := plInt(t, plPipelines(t, env, b.token)[0], "id")
		for _, path := range []string{
			plPath + "/999999", plPath + "/999999/statuses", plPath + "/999999/statuses/142",
			sp + "/999999", fmt.Sprintf("%s/%d/statuses/%d", plPath, otherID, stageID),
			plPath + "/abc", plPath + "/abc/statuses", sp + "/abc", plPath + "/0", plPath + "/-1/statuses",
		} {
			plProblem(t, env.Do(t, http.MethodGet, path, a.token, ""), http.StatusNotFound)
		}
		// 405 with Allow for a known path and another method.
		resp := env.Do(t, http.MethodPut, pp, a.token, `{}`)
		plProblem(t, resp, http.StatusMethodNotAllowed)
		if allow := resp.Header.Get("Allow"); allow != "GET, PATCH, DELETE" {
			t.Errorf("Allow %q", allow)
		}
		resp = env.Do(t, http.MethodPatch, plPath, a.token, `[]`)
		plProblem(t, resp, http.StatusMethodNotAllowed)
		if allow := resp.Header.Get("Allow"); allow != "GET, POST" {
			t.Errorf("Allow %q", allow)
		}
	})
}

// A pipeline made here is an Envybox deal pipeline (main/data) and a rename
// through the domain (as UIS and Envybox make it) shows here.
func TestV4PipelineRoundTrip(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := plNewAccount(t, env, "Воронки")
		p := plCreate(t, env, a.token, `{"name": "Общая", "sort": 20, "is_main": false, "is_unsorted_on": true,
			"_embedded": {"statuses": [{"name": "Звонок", "sort": 10, "color": "#98cbff"}, {"id": 143, "name": "Мимо"}]}}`)
		id := plInt(t, p, "id")
		statuses := plList(t, p, "statuses")
		callID := plInt(t, statuses[1], "id")

		envybox := func() map[string]any {
			t.Helper()
			resp := env.Do(t, http.MethodGet, "/openapi/v1/main/data/?api_key="+a.key, "", "")
			if resp.Status != http.StatusOK {
				t.Fatalf("main/data: %d %s", resp.Status, resp.Body)
			}
			deal := resp.Object(t)["result"].(map[string]any)["deal"].(map[string]any)
			for _, raw := range deal["pipelines"].([]any) {
				ep := raw.(map[string]any)
				if ep["id"] == fmt.Sprint(id) {
					return ep
				}
			}
			t.Fatalf("pipeline %d not in main/data: %s", id, resp.Body)
			return nil
		}
		ep := envybox()
		if ep["name"] != "Общая" || ep["primary"] != "0" {
			t.Errorf("envybox pipeline %v", ep)
		}
		stages := ep["stages"].(map[string]any)
		if len(stages) != 4 {
			t.Fatalf("envybox stages %v", stages)
		}
		byStatus := map[string][]map[string]any{}
		for key, raw := range stages {
			st := raw.(map[string]any)
			if st["id"] != key {
				t.Errorf("stage keyed %s has id %v", key, st["id"])
			}
			byStatus[st["status_id"].(string)] = append(byStatus[st["status_id"].(string)], st)
		}
		call := stages[fmt.Sprint(callID)].(map[string]any)
		if call["name"] != "Звонок" || call["color"] != "#98cbff" || call["status_id"] != "2002" {
			t.Errorf("envybox stage %v", call)
		}
		if len(byStatus["2001"]) != 1 || byStatus["2001"][0]["name"] != "Неразобранное" ||
			len(byStatus["2003"]) != 1 || byStatus["2003"][0]["name"] != "Успешно реализовано" ||
			len(byStatus["2004"]) != 1 || byStatus["2004"][0]["name"] != "Мимо" {
			t.Errorf("envybox stages by status %v", byStatus)
		}
		wonID, _ := strconv.ParseInt(byStatus["2003"][0]["id"].(string), 10, 64)

		// Renames elsewhere (the domain, as UIS and Envybox call it) show here.
		name := "Переименована"
		if _, err := env.Server.Service.UpdatePipeline(ctx, a.actor, id, crm.PipelinePatch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		stageName, color := "Победа", "rgb(1, 2, 255)"
		if _, err := env.Server.Service.UpdateStage(ctx, a.actor, id, wonID, crm.StagePatch{Name: &stageName, Color: &color}); err != nil {
			t.Fatal(err)
		}
		got := plOK(t, env.Do(t, http.MethodGet, plPath+"/"+fmt.Sprint(id), a.token, ""), http.StatusOK)
		if got["name"] != name {
			t.Errorf("name %v", got["name"])
		}
		won := plOK(t, env.Do(t, http.MethodGet, fmt.Sprintf("%s/%d/statuses/142", plPath, id), a.token, ""), http.StatusOK)
		if won["name"] != stageName || won["color"] != "#0102ff" {
			t.Errorf("142 = %v", won)
		}
		// A stage added in the domain (as UIS adds one) shows with its own id.
		st, err := env.Server.Service.AddStage(ctx, a.actor, id, crm.NewStage{Name: "Из UIS", Position: 50})
		if err != nil {
			t.Fatal(err)
		}
		s := plOK(t, env.Do(t, http.MethodGet, fmt.Sprintf("%s/%d/statuses/%d", plPath, id, st.ID), a.token, ""), http.StatusOK)
		if s["name"] != "Из UIS" || plInt(t, s, "sort") != 50 || !plHex.MatchString(s["color"].(string)) {
			t.Errorf("status %v", s)
		}

		// And the other way: a rename here shows in Envybox.
		plOK(t, env.Do(t, http.MethodPatch, plPath+"/"+fmt.Sprint(id), a.token, `{"name": "Снова"}`), http.StatusOK)
		plOK(t, env.Do(t, http.MethodPatch, fmt.Sprintf("%s/%d/statuses/%d", plPath, id, callID), a.token, `{"name": "Встреча"}`), http.StatusOK)
		ep = envybox()
		if ep["name"] != "Снова" || ep["stages"].(map[string]any)[fmt.Sprint(callID)].(map[string]any)["name"] != "Встреча" {
			t.Errorf("envybox after rename %v", ep)
		}
	})
}
