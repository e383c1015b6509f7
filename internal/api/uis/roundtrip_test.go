package uis_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
)

// TestUISRoundTrip: a funnel made through UIS is the deal pipeline Envybox
// main/data and amoCRM show; renamed through UIS it is renamed there, and
// renamed through amoCRM it is renamed here.
func TestUISRoundTrip(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Round trip")
		okCall(t, env, a.token, "create.sales_funnel", funnel("rt", "Через UIS", "Первый", "Второй"))
		pl := pipelineID(t, env, a, "rt")

		envybox := func() map[string]any {
			t.Helper()
			resp := env.Do(t, http.MethodGet, "/openapi/v1/main/data/?api_key="+a.envybox, "", "")
			if resp.Status != http.StatusOK {
				t.Fatalf("main/data: HTTP %d %s", resp.Status, resp.Body)
			}
			deal := resp.Object(t)["result"].(map[string]any)["deal"].(map[string]any)
			for _, p := range deal["pipelines"].([]any) {
				if p := p.(map[string]any); p["id"] == strconv.FormatInt(pl.ID, 10) {
					return p
				}
			}
			t.Fatalf("main/data has no pipeline %d: %s", pl.ID, resp.Body)
			return nil
		}
		p := envybox()
		if p["name"] != "Через UIS" {
			t.Errorf("Envybox name %v", p["name"])
		}
		byName := map[string]map[string]any{}
		for _, st := range p["stages"].(map[string]any) {
			st := st.(map[string]any)
			byName[fmt.Sprint(st["name"])] = st
		}
		for name, want := range map[string][2]string{"Первый": {"2002", "10"}, "Второй": {"2002", "20"}, "Won": {"2003", "10010"}, "Lost": {"2004", "10020"}} {
			st, found := byName[name]
			if !found || st["status_id"] != want[0] || st["position"] != want[1] {
				t.Errorf("Envybox stage %q: %v, want status %s position %s", name, st, want[0], want[1])
			}
		}

		okCall(t, env, a.token, "update.sales_funnel", map[string]any{"ext_id": "rt", "name": "Переименована в UIS"})
		if p := envybox(); p["name"] != "Переименована в UIS" {
			t.Errorf("Envybox name after the UIS rename: %v", p["name"])
		}

		resp := env.Do(t, http.MethodPatch, fmt.Sprintf("/api/v4/leads/pipelines/%d", pl.ID), a.amo, `{"name":"Переименована в amoCRM"}`)
		if resp.Status != http.StatusOK {
			t.Fatalf("amoCRM PATCH: HTTP %d %s", resp.Status, resp.Body)
		}
		data, _ := funnels(t, env, a.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": "rt"}, "fields": []any{"name"}})
		if d := diff([]any{map[string]any{"name": "Переименована в amoCRM"}}, data); d != "" {
			t.Errorf("UIS after the amoCRM rename:\n%s", d)
		}

		// A pipeline made elsewhere answers to its id as ext_id, its stages too.
		other, err := env.Server.Service.CreatePipeline(context.Background(), a.actor, crm.NewPipeline{Name: "Elsewhere",
			Stages: []crm.NewStage{{Name: "Open", Position: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		key := strconv.FormatInt(other.ID, 10)
		data, _ = funnels(t, env, a.token, map[string]any{"filter": map[string]any{"field": "ext_id", "operator": "=", "value": key}})
		if len(data) != 1 {
			t.Fatalf("no funnel %s", key)
		}
		st := data[0].(map[string]any)["stages"].([]any)[0].(map[string]any)
		if st["stage_ext_id"] != strconv.FormatInt(other.Stages[0].ID, 10) {
			t.Errorf("stage ext_id %v, want its id %d", st["stage_ext_id"], other.Stages[0].ID)
		}
		okCall(t, env, a.token, "create.sales_funnel_stages", map[string]any{"sales_funnel_ext_id": key, "ext_id": "added", "name": "Added", "order": 7})
		okCall(t, env, a.token, "delete.sales_funnel", map[string]any{"ext_id": key})
	})
}

// TestUISLimits: metadata.limits reports the UIS day and minute counters;
// only successful requests are charged; a request over the limit is
// limit_exceeded with the window and its limit.
func TestUISLimits(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.StartLimited(t, dsn)
		// A fixed clock, one second into a minute.
		base := time.Unix(time.Now().Unix()/60*60+1, 0).UTC()
		now := base
		env.Server.DB.Now = func() time.Time { return now }
		a := newAccount(t, env, "Limits")

		_, meta := funnels(t, env, a.token, nil)
		limits := normalize(meta["limits"]).(map[string]any)
		want := map[string]any{"day_limit": "3500", "day_remaining": "3499", "minute_limit": "200", "minute_remaining": "199",
			"minute_reset": "59", "day_reset": strconv.FormatInt(86400-base.Unix()%86400, 10)}
		if d := diff(want, limits); d != "" {
			t.Errorf("metadata.limits:\n%s", d)
		}
		// A failed request costs nothing, and its error carries the counters.
		e := wantErr(t, call(t, env, a.token, "get.sales_funnel", map[string]any{"foo": 1}), -32602, "unexpected_parameters", "foo")
		if l := normalize(e.metadata["limits"]).(map[string]any); l["minute_remaining"] != "199" {
			t.Errorf("error metadata %v", e.metadata)
		}
		res := ok(t, call(t, env, a.token, "create.sales_funnel", funnel("f", "F", "a")))
		if l := normalize(res["metadata"]).(map[string]any)["limits"].(map[string]any); l["minute_remaining"] != "198" || l["day_remaining"] != "3498" {
			t.Errorf("after a failure and a success: %v", l)
		}

		three := int64(3)
		if _, err := env.Server.Limiter.SetLimits(context.Background(), a.id, "uis", ratelimit.Override{PerMinute: &three}); err != nil {
			t.Fatal(err)
		}
		funnels(t, env, a.token, nil) // the third this minute
		e = wantErr(t, call(t, env, a.token, "get.sales_funnel", nil), -32029, "limit_exceeded", "")
		if e.message != "Limit per minute has been exceeded. Value of current limit per minute is 3" {
			t.Errorf("message %q", e.message)
		}
		if d := diff(map[string]any{"limit_type": "minute", "limit_max_value": "3"}, normalize(e.params)); d != "" {
			t.Errorf("params:\n%s", d)
		}
		// login.user counts against the user too.
		if err := env.Server.Authority.SetPassword(context.Background(), a.admin, "password!"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, call(t, env, "", "login.user", map[string]any{"login": strconv.FormatInt(a.admin, 10), "password": "password!"}), -32029, "limit_exceeded", "")
		// Another user of the account has its own counters.
		m := env.NewUser(t, a.id, crm.RoleMember)
		funnels(t, env, m.UISAccessToken, nil)

		now = base.Add(time.Minute)
		_, meta = funnels(t, env, a.token, nil)
		if l := normalize(meta["limits"]).(map[string]any); l["minute_remaining"] != "2" || l["minute_limit"] != "3" {
			t.Errorf("next minute: %v", l)
		}
	})
}
