package amocrm_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the amoCRM v4 lead pipelines and statuses (companion
// §6), over real HTTP on SQLite and PostgreSQL. Whole pipelines and status
// lists — their exact keys, colours, types, editability, the owning account
// and pipeline, the absolute links — are golden files,
// testdata/pipeline_*.golden.json.

// listPipelines reads the pipelines list and checks its envelope: the
// total, and the self link.
func listPipelines(t testing.TB, env *crmtest.Env, api *crmtest.Client) *crmtest.Reply {
	t.Helper()
	r := api.Get(t, pipelinesPath).HAL(200).Equal("_links.self.href", env.URL+pipelinesPath)
	r.Equal("_total_items", len(r.List("_embedded.pipelines")))
	return r
}

// noReservedIDs checks that 142 and 143 name only won and lost statuses.
func noReservedIDs(t testing.TB, pipelines *crmtest.Reply) {
	t.Helper()
	for _, p := range pipelines.List("_embedded.pipelines") {
		for _, s := range p.List("_embedded.statuses") {
			id, srt := s.Int("id"), s.Int("sort")
			if (id == 142) != (srt == 10000) || (id == 143) != (srt == 11000) {
				t.Errorf("pipeline %d status %v", p.Int("id"), s.V)
			}
		}
	}
}

// createPipeline posts one pipeline and returns it.
func createPipeline(t testing.TB, api *crmtest.Client, pipeline string) crmtest.JSON {
	t.Helper()
	return api.Post(t, pipelinesPath, "["+pipeline+"]").HAL(200).Sub("_embedded.pipelines.0")
}

func TestV4PipelineList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		// A new account's deal pipeline as seen here (unsorted off, so
		// "Новая" is a regular status); Envybox's rgb colours come out as hex.
		for _, api := range []*crmtest.Client{a.api, a.member(t, env)} {
			list := listPipelines(t, env, api).Golden("pipeline_list")
			main := list.Sub("_embedded.pipelines.0")
			pp := pipelinesPath + "/" + itoa(main.Int("id"))
			api.Get(t, pp).HAL(200).Equal("", main.V)

			st := api.Get(t, pp+"/statuses").HAL(200).
				Equal("_total_items", 4).Equal("_links.self.href", env.URL+pp+"/statuses").
				Equal("_embedded.statuses", main.At("_embedded.statuses"))

			// with=descriptions: crmd keeps none, so every status has [].
			api.Get(t, pp+"/statuses?with=descriptions").HAL(200).EqualJSON("_embedded.statuses.*.descriptions", `[[],[],[],[]]`)
			for _, s := range st.List("_embedded.statuses") {
				one := fmt.Sprintf("%s/statuses/%d", pp, s.Int("id"))
				api.Get(t, one).HAL(200).Equal("", s.V)
				api.Get(t, one+"?with=descriptions").HAL(200).EqualJSON("descriptions", `[]`)
			}
		}
	})
}

// The POST example of the leads_pipelines page: a pipeline with unsorted on,
// 142 renamed and one status of its own.
func TestV4PipelineCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		mainID := listPipelines(t, env, a.api).Int("_embedded.pipelines.0.id")
		created := a.api.Post(t, pipelinesPath, `[
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
		]`).HAL(200).Golden("pipeline_create")
		p := created.Obj("_embedded.pipelines.0")
		id := created.Int("_embedded.pipelines.0.id")

		// Read back: the same, without request_id; the main pipeline stays main.
		delete(p, "request_id")
		a.member(t, env).Get(t, pipelinesPath+"/"+itoa(id)).HAL(200).Equal("", p)
		listPipelines(t, env, a.api).
			Equal("_embedded.pipelines.*.id", []int64{mainID, id}).
			Equal("_embedded.pipelines.0.is_main", true)

		// A batch of two without request ids: "0" and "1"; the second is made
		// main, so the others are no longer; no statuses given: unsorted off
		// needs at least one open one (400), unsorted on is enough; a status
		// without a colour has the first palette colour.
		batch := a.api.Post(t, pipelinesPath, `[
			{"name": "Б", "sort": 30, "is_main": false, "is_unsorted_on": true},
			{"name": "В", "sort": 40, "is_main": true, "is_unsorted_on": false,
			 "_embedded": {"statuses": [{"name": "Один", "sort": 5}, {"id": 143, "name": "Отказ", "color": "#e6e8ea"}]}}
		]`).HAL(200).Golden("pipeline_create_batch")
		v := batch.Int("_embedded.pipelines.1.id")
		// One main pipeline, the list ordered by sort.
		list := listPipelines(t, env, a.api).
			Equal("_embedded.pipelines.is_main=true.id", v).
			Equal("_embedded.pipelines.*.is_main", []bool{false, false, false, true})
		var sorts []int64
		for _, p := range list.List("_embedded.pipelines") {
			sorts = append(sorts, p.Int("sort"))
		}
		if !slices.IsSorted(sorts) {
			t.Errorf("sorts %v", sorts)
		}
	})
}

func TestV4PipelineCreateValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		post := func(body string) *crmtest.Reply { return a.api.Post(t, pipelinesPath, body) }
		v := crmtest.Violated

		post(`[{"request_id": "x"}]`).WantViolations(
			v("x", "FieldMissing", "name"), v("x", "FieldMissing", "sort"),
			v("x", "FieldMissing", "is_main"), v("x", "FieldMissing", "is_unsorted_on"))
		post(`[{"name": 5, "sort": "1", "is_main": 1, "is_unsorted_on": "yes"}]`).WantViolations(
			v("0", "InvalidType", "name"), v("0", "InvalidType", "sort"),
			v("0", "InvalidType", "is_main"), v("0", "InvalidType", "is_unsorted_on"))
		post(`{"name": "not an array"}`).WantViolations(v("0", "InvalidType", ""))
		post(`[]`).WantViolations(v("0", "FieldMissing", ""))
		ok := `{"name": "Ок", "sort": 1, "is_main": false, "is_unsorted_on": true}`
		post(`[` + ok + `, {"name": " ", "sort": 1, "is_main": false, "is_unsorted_on": true}]`).WantViolations(v("1", "NotBlank", "name"))
		post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": true, "_embedded": {"statuses": [
			{"name": "Хорошо", "sort": 1},
			{"id": 77, "name": "Чужой"},
			{"sort": 2},
			{"name": "Без сортировки"},
			{"name": "Цвет", "sort": 3, "color": "#123456"},
			{"name": "Описание", "sort": 4, "descriptions": [{"level": "newbie", "description": "x"}]},
			{"name": "Далеко", "sort": 10001},
			{"id": 142}
		]}}]`).WantViolations(
			v("0", "NotSupportedChoice", "_embedded.statuses.1.id"),
			v("0", "FieldMissing", "_embedded.statuses.2.name"),
			v("0", "FieldMissing", "_embedded.statuses.3.sort"),
			v("0", "NotSupportedChoice", "_embedded.statuses.4.color"),
			v("0", "FieldNotExpected", "_embedded.statuses.5.descriptions"),
			v("0", "FieldMissing", "_embedded.statuses.7.name"))
		// Domain rules come back under the body's paths.
		post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": false, "_embedded": {"statuses": [
			{"name": "Далеко", "sort": 10001}]}}]`).WantViolations(v("0", "OutOfRange", "_embedded.statuses.0.sort"))
		post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": false}]`).WantViolations(v("0", "OutOfRange", "_embedded.statuses"))
		post(`[{"name": "А", "sort": 1, "is_main": false, "is_unsorted_on": true, "_embedded": {"statuses": [
			{"id": 142, "name": "Раз"}, {"id": 142, "name": "Два"}]}}]`).WantViolations(v("0", "InvalidValue", "_embedded.statuses"))
		// Nothing of a refused batch was created.
		listPipelines(t, env, a.api).Equal("_total_items", 1)
		// More than 100 statuses in one pipeline (system ones included): 422.
		var sts []string
		for i := range 98 {
			sts = append(sts, fmt.Sprintf(`{"name": "Этап %d", "sort": %d}`, i, i))
		}
		post(`[{"name": "Много", "sort": 1, "is_main": false, "is_unsorted_on": true, "_embedded": {"statuses": [` +
			strings.Join(sts, ",") + `]}}]`).Problem(422)
		p := createPipeline(t, a.api, `{"name": "Много", "sort": 1, "is_main": false, "is_unsorted_on": false, "_embedded": {"statuses": [`+
			strings.Join(sts, ",")+`]}}`)
		if n := len(p.List("_embedded.statuses")); n != 100 {
			t.Errorf("%d statuses, want 100", n)
		}
	})
}

func TestV4PipelineLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		one := func(i int) string {
			return fmt.Sprintf(`{"name": "Воронка %d", "sort": %d, "is_main": false, "is_unsorted_on": true,
				"_embedded": {"statuses": [{"name": "Этап", "sort": 1}]}}`, i, i)
		}
		var batch []string
		for i := range 48 {
			batch = append(batch, one(i))
		}
		a.api.Post(t, pipelinesPath, "["+strings.Join(batch, ",")+"]").HAL(200)
		// 49 now; a batch of two would make 51: refused whole.
		a.api.Post(t, pipelinesPath, "["+one(100)+","+one(101)+"]").Problem(422)
		listPipelines(t, env, a.api).Equal("_total_items", 49)
		createPipeline(t, a.api, one(50))
		// The 51st.
		if d := a.api.Post(t, pipelinesPath, "["+one(51)+"]").Problem(422).Str("detail"); !strings.Contains(d, "50") {
			t.Errorf("detail %q does not name the limit", d)
		}
		// Over 200 stages were made: 142 and 143 name only won and lost statuses.
		noReservedIDs(t, listPipelines(t, env, a.api).Equal("_total_items", 50))
		// More than 250 items in one request: 400.
		batch = batch[:0]
		for i := range 251 {
			batch = append(batch, one(i))
		}
		a.api.Post(t, pipelinesPath, "["+strings.Join(batch, ",")+"]").Problem(400)
	})
}

// The PATCH example of the leads_pipelines page and the main-pipeline rules.
func TestV4PipelinePatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		mainID := listPipelines(t, env, a.api).Int("_embedded.pipelines.0.id")
		path := pipelinesPath + "/" + itoa(createPipeline(t, a.api, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": true}`).Int("id"))

		// No request_id echoed when none was sent; unsorted off: the 2001
		// stage is a regular status now.
		a.api.Patch(t, path, `{"name": "Новое название для воронки", "is_main": false, "is_unsorted_on": false, "sort": 1000}`).HAL(200).
			Golden("pipeline_patch")
		a.api.Patch(t, path, `{"is_unsorted_on": true, "request_id": "r"}`).HAL(200).
			Equal("request_id", "r").Equal("_embedded.statuses.0.type", 1)

		// Making it main takes main from the other.
		a.api.Patch(t, path, `{"is_main": true}`).HAL(200).
			Equal("name", "Новое название для воронки").Equal("sort", 1000).Equal("is_main", true).Equal("is_unsorted_on", true)
		a.api.Get(t, pipelinesPath+"/"+itoa(mainID)).HAL(200).Equal("is_main", false)
		// The main pipeline cannot be made non-main directly.
		a.api.Patch(t, path, `{"is_main": false}`).Problem(400)

		a.api.Patch(t, path, `{}`).WantViolations(crmtest.Violated("0", "FieldMissing", ""))
		a.api.Patch(t, path, `{"name": 1, "sort": "x", "request_id": "q"}`).
			WantViolations(crmtest.Violated("q", "InvalidType", "name"), crmtest.Violated("q", "InvalidType", "sort"))
		a.api.Patch(t, path, `{"name": ""}`).WantViolations(crmtest.Violated("0", "NotBlank", "name"))
		a.api.Patch(t, pipelinesPath+"/999999", `{"name": "x"}`).Problem(404)
	})
}

func TestV4PipelineDelete(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := newAccount(t, env, "Воронки", "")
		mainID := listPipelines(t, env, a.api).Int("_embedded.pipelines.0.id")
		mainPath := pipelinesPath + "/" + itoa(mainID)
		// The last pipeline cannot go.
		a.api.Delete(t, mainPath).Problem(400)

		path := pipelinesPath + "/" + itoa(createPipeline(t, a.api, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": true}`).Int("id"))
		// One with leads cannot go.
		contacts, err := env.Server.Service.AddContacts(ctx, a.actor(), []crm.NewContact{{FirstName: "Иван"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Server.Service.CreateDeal(ctx, a.actor(), crm.NewDeal{Name: "Сделка", ClientID: contacts[0].ID, PipelineID: mainID}); err != nil {
			t.Fatal(err)
		}
		// Make the new one main, then the old (with the deal) cannot be deleted.
		a.api.Patch(t, path, `{"is_main": true}`).HAL(200)
		a.api.Delete(t, mainPath).Problem(400)

		// An empty one goes, main passes to the one left.
		a.api.Delete(t, path).HAL(204)
		nothing(a.api.Get(t, path))
		a.api.Delete(t, path).Problem(404)
		listPipelines(t, env, a.api).Equal("_total_items", 1).Equal("_embedded.pipelines.0.is_main", true)
	})
}

// The statuses examples of the leads_pipelines page, 142/143 addressing and
// the status rules.
func TestV4PipelineStatuses(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		id := createPipeline(t, a.api, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": true}`).Int("id")
		spath := fmt.Sprintf("%s/%d/statuses", pipelinesPath, id)
		v := crmtest.Violated

		// Created statuses carry request ids "0", "1" and empty descriptions.
		created := a.api.Post(t, spath, `[
			{"name": "Новый этап", "sort": 100, "color": "#fffeb2"},
			{"name": "Новый этап 2", "sort": 200, "color": "#fffeb2"}
		]`).HAL(200).Golden("pipeline_statuses_create")
		newIDs := []int64{created.Int("_embedded.statuses.0.id"), created.Int("_embedded.statuses.1.id")}
		// Listed: no descriptions without with=descriptions.
		a.member(t, env).Get(t, spath).HAL(200).Golden("pipeline_statuses_list")

		// The PATCH example, with a request id echoed.
		one0 := fmt.Sprintf("%s/%d", spath, newIDs[0])
		a.api.Patch(t, one0, `{"name": "Новое название для статуса", "color": "#c1e0ff", "request_id": "p"}`).HAL(200).
			Golden("pipeline_status_patch")
		a.api.Patch(t, one0, `{"sort": 300}`).HAL(200).Equal("sort", 300)
		// An empty descriptions list changes nothing and is fine.
		a.api.Patch(t, one0, `{"descriptions": []}`).HAL(200)

		// 142 and 143 address this pipeline's won and lost stages.
		a.api.Patch(t, spath+"/142", `{"name": "Продано", "sort": 10000}`).HAL(200).Golden("pipeline_status_142")
		a.api.Get(t, spath+"/143").HAL(200).Golden("pipeline_status_143")
		a.api.Patch(t, spath+"/142", `{"sort": 500}`).WantViolations(v("0", "InvalidValue", "sort"))
		a.api.Delete(t, spath+"/142").Problem(400)
		a.api.Delete(t, spath+"/143").Problem(400)
		// The main pipeline's 142 is its own.
		mainID := listPipelines(t, env, a.api).Int("_embedded.pipelines.0.id")
		a.api.Get(t, fmt.Sprintf("%s/%d/statuses/142", pipelinesPath, mainID)).HAL(200).
			Equal("name", "Успешно реализована").Equal("pipeline_id", mainID)

		// Validation.
		one := fmt.Sprintf("%s/%d", spath, newIDs[1])
		a.api.Patch(t, one, `{}`).WantViolations(v("0", "FieldMissing", ""))
		a.api.Patch(t, one, `{"color": "#000000"}`).WantViolations(v("0", "NotSupportedChoice", "color"))
		a.api.Patch(t, one, `{"sort": 10001}`).WantViolations(v("0", "OutOfRange", "sort"))
		a.api.Patch(t, one, `{"name": []}`).WantViolations(v("0", "InvalidType", "name"))
		a.api.Patch(t, one, `{"descriptions": [{"level": "newbie", "description": "x"}]}`).WantViolations(v("0", "FieldNotExpected", "descriptions"))
		a.api.Post(t, spath, `[{"name": "Ок", "sort": 1}, {"request_id": "b", "color": "red"}]`).
			WantViolations(v("b", "FieldMissing", "name"), v("b", "FieldMissing", "sort"), v("b", "NotSupportedChoice", "color"))
		a.api.Post(t, spath, `[{"name": "Ок", "sort": 1}, {"name": "Далеко", "sort": -1}]`).WantViolations(v("1", "OutOfRange", "sort"))
		a.api.Post(t, spath, `[{"name": "Ок", "sort": 1, "descriptions": [{"level": "master"}]}]`).WantViolations(v("0", "FieldNotExpected", "descriptions"))
		a.api.Post(t, spath, `{"name": "Ок", "sort": 1}`).WantViolations(v("0", "InvalidType", ""))
		a.api.Get(t, spath).HAL(200).Equal("_total_items", 5) // nothing refused was written

		// Delete: 204, then gone.
		a.api.Delete(t, one).HAL(204)
		nothing(a.api.Get(t, one))
		a.api.Delete(t, one).Problem(404)
	})
}

func TestV4PipelineStatusLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		spath := fmt.Sprintf("%s/%d/statuses", pipelinesPath, listPipelines(t, env, a.api).Int("_embedded.pipelines.0.id"))
		batch := func(from, n int) string {
			var items []string
			for i := range n {
				items = append(items, fmt.Sprintf(`{"name": "Этап %d", "sort": %d}`, from+i, 10+from+i))
			}
			return "[" + strings.Join(items, ",") + "]"
		}
		// 4 statuses now; 97 more would make 101: refused whole.
		a.api.Post(t, spath, batch(0, 97)).Problem(422)
		a.api.Post(t, spath, batch(0, 96)).HAL(200)
		// The 101st.
		if d := a.api.Post(t, spath, batch(96, 1)).Problem(422).Str("detail"); !strings.Contains(d, "100") {
			t.Errorf("detail %q", d)
		}
		if n := len(a.api.Get(t, spath).HAL(200).List("_embedded.statuses")); n != 100 {
			t.Errorf("%d statuses, want 100", n)
		}
		// Open stages made now take ids past 142 and 143 (a fresh database
		// has given out about 110 stage ids): those stay the system ids.
		var items []string
		for i := range 60 {
			items = append(items, fmt.Sprintf(`{"name": "Этап %d", "sort": %d}`, i, i))
		}
		createPipeline(t, a.api, `{"name": "Ещё", "sort": 5, "is_main": false, "is_unsorted_on": false, "_embedded": {"statuses": [`+
			strings.Join(items, ",")+`]}}`)
		noReservedIDs(t, listPipelines(t, env, a.api))
	})
}

// Deleting a status moves its leads to the pipeline's first status.
func TestV4PipelineStatusDeleteMovesDeals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := newAccount(t, env, "Воронки", "")
		p := createPipeline(t, a.api, `{"name": "Доп", "sort": 20, "is_main": false, "is_unsorted_on": false,
			"_embedded": {"statuses": [{"name": "Первый", "sort": 10}, {"name": "Второй", "sort": 20}]}}`)
		id := p.Int("id")
		first, second := p.Int("_embedded.statuses.0.id"), p.Int("_embedded.statuses.1.id")

		contacts, err := env.Server.Service.AddContacts(ctx, a.actor(), []crm.NewContact{{FirstName: "Иван"}})
		if err != nil {
			t.Fatal(err)
		}
		deal, err := env.Server.Service.CreateDeal(ctx, a.actor(), crm.NewDeal{Name: "Сделка", ClientID: contacts[0].ID,
			PipelineID: id, StageID: second})
		if err != nil {
			t.Fatal(err)
		}
		if deal.StageID != second {
			t.Fatalf("deal in stage %d, want %d", deal.StageID, second)
		}
		// A member may not; an administrator may.
		a.member(t, env).Delete(t, fmt.Sprintf("%s/%d/statuses/%d", pipelinesPath, id, second)).Problem(403)
		a.api.Delete(t, fmt.Sprintf("%s/%d/statuses/%d", pipelinesPath, id, second)).HAL(204)
		got, err := env.Server.Service.Deal(ctx, a.actor(), deal.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.Deal.StageID != first || got.Deal.PipelineID != id {
			t.Errorf("deal in pipeline %d stage %d, want %d/%d", got.Deal.PipelineID, got.Deal.StageID, id, first)
		}
		// The last open status cannot go.
		a.api.Delete(t, fmt.Sprintf("%s/%d/statuses/%d", pipelinesPath, id, first)).Problem(400)
	})
}

func TestV4PipelineAccess(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Воронки", "")
		member := a.member(t, env)
		b := newAccount(t, env, "Others", "")
		mainID := listPipelines(t, env, a.api).Int("_embedded.pipelines.0.id")
		pp := fmt.Sprintf("%s/%d", pipelinesPath, mainID)
		sp := pp + "/statuses"
		stageID := a.api.Get(t, sp).HAL(200).Int("_embedded.statuses.name=В работе.id")
		one := fmt.Sprintf("%s/%d", sp, stageID)
		pipeline := `[{"name": "X", "sort": 1, "is_main": false, "is_unsorted_on": true}]`
		calls := []struct{ method, path, body string }{
			{http.MethodGet, pipelinesPath, ""}, {http.MethodPost, pipelinesPath, pipeline},
			{http.MethodGet, pp, ""}, {http.MethodPatch, pp, `{"name": "Y"}`}, {http.MethodDelete, pp, ""},
			{http.MethodGet, sp, ""}, {http.MethodPost, sp, `[{"name": "Z", "sort": 1}]`},
			{http.MethodGet, one, ""}, {http.MethodPatch, one, `{"name": "Z"}`}, {http.MethodDelete, one, ""},
		}
		for _, c := range calls {
			// 401 without or with a bad token.
			env.AmoCRM("").Do(t, c.method, c.path, c.body).Problem(401)
			env.AmoCRM("nonsense").Do(t, c.method, c.path, c.body).Problem(401)
			if c.method != http.MethodGet {
				// 403 for a member, whatever the body.
				member.Do(t, c.method, c.path, c.body).Problem(403)
				member.Do(t, c.method, c.path, `{"broken`).Problem(403)
			}
			// Another account sees none of it.
			// (A GET of A's pipeline or status is "nothing found", 204;
			// writes to them are 404.)
			if c.path != pipelinesPath {
				if r := b.api.Do(t, c.method, c.path, c.body); c.method == http.MethodGet {
					nothing(r)
				} else {
					r.Problem(404)
				}
			}
		}
		// Unknown ids and statuses of another pipeline are "nothing found"
		// (204); non-numeric ids name nothing (404).
		otherID := listPipelines(t, env, b.api).Int("_embedded.pipelines.0.id")
		for _, path := range []string{
			pipelinesPath + "/999999", pipelinesPath + "/999999/statuses", pipelinesPath + "/999999/statuses/142",
			sp + "/999999", fmt.Sprintf("%s/%d/statuses/%d", pipelinesPath, otherID, stageID),
		} {
			nothing(a.api.Get(t, path))
		}
		for _, path := range []string{
			pipelinesPath + "/abc", pipelinesPath + "/abc/statuses", sp + "/abc", pipelinesPath + "/0", pipelinesPath + "/-1/statuses",
		} {
			a.api.Get(t, path).Problem(404)
		}
		// 405 with Allow for a known path and another method.
		if allow := a.api.Do(t, http.MethodPut, pp, `{}`).Problem(405).Header.Get("Allow"); allow != "GET, PATCH, DELETE" {
			t.Errorf("Allow %q", allow)
		}
		if allow := a.api.Patch(t, pipelinesPath, `[]`).Problem(405).Header.Get("Allow"); allow != "GET, POST" {
			t.Errorf("Allow %q", allow)
		}
	})
}

// A pipeline made here is an Envybox deal pipeline (main/data) and a rename
// through the domain (as UIS and Envybox make it) shows here.
func TestV4PipelineRoundTrip(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := newAccount(t, env, "Воронки", "")
		p := createPipeline(t, a.api, `{"name": "Общая", "sort": 20, "is_main": false, "is_unsorted_on": true,
			"_embedded": {"statuses": [{"name": "Звонок", "sort": 10, "color": "#98cbff"}, {"id": 143, "name": "Мимо"}]}}`)
		id := p.Int("id")
		callID := p.Int("_embedded.statuses.1.id")
		pp := pipelinesPath + "/" + itoa(id)

		envybox := func() crmtest.JSON {
			t.Helper()
			return env.Envybox(a.EnvyboxAPIKey).Get(t, "/openapi/v1/main/data/").Expect(200).Sub("result.deal.pipelines.id=" + itoa(id))
		}
		// Stages are keyed by their ids; the system statuses 2001, 2003 and
		// 2004 are unsorted, won and lost.
		ep := envybox().Equal("name", "Общая").Equal("primary", "0")
		stages := ep.Obj("stages")
		if len(stages) != 4 {
			t.Fatalf("envybox stages %v", stages)
		}
		for key := range stages {
			ep.Equal("stages."+key+".id", key)
		}
		ep.Equal("stages."+itoa(callID)+".name", "Звонок").Equal("stages."+itoa(callID)+".color", "#98cbff").Equal("stages."+itoa(callID)+".status_id", "2002")
		byStatus := map[string][]string{}
		for _, st := range stages {
			s := st.(map[string]any)
			byStatus[s["status_id"].(string)] = append(byStatus[s["status_id"].(string)], s["name"].(string))
		}
		crmtest.Equal(t, "envybox stage names by status", map[string][]string{"2001": byStatus["2001"], "2003": byStatus["2003"], "2004": byStatus["2004"]},
			map[string][]string{"2001": {"Неразобранное"}, "2003": {"Успешно реализовано"}, "2004": {"Мимо"}})
		var wonID int64
		for key, st := range stages {
			if st.(map[string]any)["status_id"] == "2003" {
				wonID, _ = strconv.ParseInt(key, 10, 64)
			}
		}

		// Renames elsewhere (the domain, as UIS and Envybox call it) show here.
		name := "Переименована"
		if _, err := env.Server.Service.UpdatePipeline(ctx, a.actor(), id, crm.PipelinePatch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		stageName, color := "Победа", "rgb(1, 2, 255)"
		if _, err := env.Server.Service.UpdateStage(ctx, a.actor(), id, wonID, crm.StagePatch{Name: &stageName, Color: &color}); err != nil {
			t.Fatal(err)
		}
		a.api.Get(t, pp).HAL(200).Equal("name", name)
		a.api.Get(t, pp+"/statuses/142").HAL(200).Equal("name", stageName).Equal("color", "#0102ff")
		// A stage added in the domain (as UIS adds one) shows with its own id.
		st, err := env.Server.Service.AddStage(ctx, a.actor(), id, crm.NewStage{Name: "Из UIS", Position: 50})
		if err != nil {
			t.Fatal(err)
		}
		s := a.api.Get(t, fmt.Sprintf("%s/statuses/%d", pp, st.ID)).HAL(200).Equal("name", "Из UIS").Equal("sort", 50)
		if c := s.Str("color"); !regexp.MustCompile(`^#[0-9a-fA-F]{6}$`).MatchString(c) {
			t.Errorf("colour %q", c)
		}

		// And the other way: a rename here shows in Envybox.
		a.api.Patch(t, pp, `{"name": "Снова"}`).HAL(200)
		a.api.Patch(t, fmt.Sprintf("%s/statuses/%d", pp, callID), `{"name": "Встреча"}`).HAL(200)
		envybox().Equal("name", "Снова").Equal("stages."+itoa(callID)+".name", "Встреча")
	})
}
