package uis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// account is a fresh account with its administrator's credentials.
type account struct {
	id, admin int64
	token     string // the administrator's permanent UIS access_token
	envybox   string
	amo       string
	actor     crm.Actor
}

func newAccount(t testing.TB, env *crmtest.Env, name string) account {
	t.Helper()
	c := env.NewAccount(t, name)
	return account{id: c.AccountID, admin: c.UserID, token: c.UISAccessToken, envybox: c.EnvyboxAPIKey, amo: c.AmoCRMToken,
		actor: crm.Actor{AccountID: c.AccountID, UserID: c.UserID, Role: crm.RoleAdmin}}
}

// post sends a raw body to /v2.0 and checks the HTTP side of a JSON-RPC
// reply: 200 and a JSON content type.
func post(t testing.TB, env *crmtest.Env, body string) map[string]any {
	t.Helper()
	resp := env.Do(t, http.MethodPost, "/v2.0", "", body)
	if resp.Status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200; body: %s", resp.Status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	obj := resp.Object(t)
	if obj["jsonrpc"] != "2.0" {
		t.Errorf("jsonrpc %v; body %s", obj["jsonrpc"], resp.Body)
	}
	return obj
}

// call sends method with params (access_token added when token is not
// empty) and id 1, and returns the whole reply.
func call(t testing.TB, env *crmtest.Env, token, method string, params map[string]any) map[string]any {
	t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	if token != "" {
		params["access_token"] = token
	}
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		t.Fatal(err)
	}
	return post(t, env, string(b))
}

// ok checks a success reply and returns its result.
func ok(t testing.TB, reply map[string]any) map[string]any {
	t.Helper()
	if e, has := reply["error"]; has {
		t.Fatalf("error reply: %v", e)
	}
	res, isObj := reply["result"].(map[string]any)
	if !isObj {
		t.Fatalf("no result object: %v", reply)
	}
	if _, has := res["metadata"].(map[string]any); !has {
		t.Errorf("result without metadata: %v", res)
	}
	return res
}

// okCall is call + ok, returning result.data.
func okCall(t testing.TB, env *crmtest.Env, token, method string, params map[string]any) any {
	t.Helper()
	return ok(t, call(t, env, token, method, params))["data"]
}

// rpcErr is the interesting part of an error reply.
type rpcErr struct {
	code     string
	message  string
	mnemonic string
	field    any // string or nil
	value    any
	params   map[string]any
	metadata map[string]any
}

// errOf checks an error reply's shape and returns it.
func errOf(t testing.TB, reply map[string]any) rpcErr {
	t.Helper()
	if _, has := reply["result"]; has {
		t.Fatalf("success reply, want an error: %v", reply)
	}
	e, isObj := reply["error"].(map[string]any)
	if !isObj {
		t.Fatalf("no error object: %v", reply)
	}
	data, isObj := e["data"].(map[string]any)
	if !isObj {
		t.Fatalf("error without data: %v", e)
	}
	for _, k := range []string{"mnemonic", "field", "value", "params"} {
		if _, has := data[k]; !has {
			t.Errorf("error.data has no %q: %v", k, data)
		}
	}
	params, _ := data["params"].(map[string]any)
	meta, _ := data["metadata"].(map[string]any)
	return rpcErr{code: fmt.Sprint(e["code"]), message: fmt.Sprint(e["message"]), mnemonic: fmt.Sprint(data["mnemonic"]),
		field: data["field"], value: data["value"], params: params, metadata: meta}
}

// wantErr checks an error reply's code, mnemonic and (when field is not
// "-") field.
func wantErr(t testing.TB, reply map[string]any, code int, mnemonic, field string) rpcErr {
	t.Helper()
	e := errOf(t, reply)
	if e.code != fmt.Sprint(code) || e.mnemonic != mnemonic {
		t.Errorf("error %s %s (field %v), want %d %s; reply %v", e.code, e.mnemonic, e.field, code, mnemonic, reply)
	}
	if field != "-" {
		var want any = field
		if field == "" {
			want = nil
		}
		if e.field != want {
			t.Errorf("error field %v, want %v (%s)", e.field, want, mnemonic)
		}
	}
	return e
}

// funnel returns the params of create.sales_funnel with orders 10, 20, …
// for the in_process stages named open.
func funnel(extID, name string, open ...string) map[string]any {
	var in []any
	for i, o := range open {
		in = append(in, map[string]any{"ext_id": extID + "-" + o, "name": o, "order": (i + 1) * 10})
	}
	return map[string]any{"ext_id": extID, "name": name, "stages": map[string]any{
		"in_process": in,
		"success":    map[string]any{"ext_id": extID + "-won", "name": "Won"},
		"failed":     map[string]any{"ext_id": extID + "-lost", "name": "Lost"},
	}}
}

// funnels calls get.sales_funnel and returns data and metadata.
func funnels(t testing.TB, env *crmtest.Env, token string, params map[string]any) ([]any, map[string]any) {
	t.Helper()
	res := ok(t, call(t, env, token, "get.sales_funnel", params))
	data, isArr := res["data"].([]any)
	if !isArr {
		t.Fatalf("data is not an array: %v", res)
	}
	return data, res["metadata"].(map[string]any)
}

// extIDs lists the ext_id of each funnel.
func extIDs(data []any) []string {
	out := []string{}
	for _, f := range data {
		out = append(out, fmt.Sprint(f.(map[string]any)["ext_id"]))
	}
	return out
}

// pipelineID returns the crm id of the funnel with ext_id key.
func pipelineID(t testing.TB, env *crmtest.Env, a account, key string) crm.Pipeline {
	t.Helper()
	list, err := env.Server.Service.DealPipelines(context.Background(), a.actor)
	if err != nil {
		t.Fatal(err)
	}
	p, found := crm.PipelineByKey(list, key)
	if !found {
		t.Fatalf("no pipeline %q", key)
	}
	return p
}

// addDeal puts a deal of a new client into a stage.
func addDeal(t testing.TB, env *crmtest.Env, a account, pipeline, stage int64) {
	t.Helper()
	ctx := context.Background()
	c, err := env.Server.Service.CreateClient(ctx, a.actor, crm.NewClient{Name: "Client", Phones: []string{"+79001234567"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Server.Service.CreateDeal(ctx, a.actor, crm.NewDeal{Name: "Deal", ClientID: c.ID, PipelineID: pipeline, StageID: stage}); err != nil {
		t.Fatal(err)
	}
}

func jsonString(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// containsJSON reports whether a compact JSON body contains s.
func containsJSON(body []byte, s string) bool { return strings.Contains(string(body), s) }

// jsonText is a decoded scalar as text (json.Number or string).
func jsonText(v any) string { return fmt.Sprint(v) }

// diff compares two decoded JSON values; "" when equal, else both as JSON.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(w) == string(g) {
		return ""
	}
	return "want " + string(w) + "\n got " + string(g)
}
