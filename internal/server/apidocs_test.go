package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestAPIDocsServed probes every operation of the documents crmd serves at
// /api/docs/ against the running server, under every server URL a
// document names (the Envybox alias /crm/api/v1 included), so that a
// documented route the mounts in server.go do not reach fails here. Each
// answer must be one of the statuses the operation documents and must not
// be the dialect's unknown-route answer. Without credentials every API
// operation must reach its authentication (proving the route exists);
// with them, the reads and the Envybox and UIS methods run and answer a
// documented status. An operation that takes no credentials (security: [],
// amoCRM's OAuth token endpoint) must instead reach its own validation: a
// documented 4xx other than 404 and 405, in the content type documented for
// that status (the amoCRM sub-lists, /leads/{id}/links and the like,
// are told apart from other subs only then).
func TestAPIDocsServed(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Docs")
		index := env.Do(t, http.MethodGet, "/api/docs/", "", "")
		if index.Status != http.StatusOK {
			t.Fatalf("GET /api/docs/: %d", index.Status)
		}
		for _, name := range []string{"amocrm.openapi.json", "envybox.openapi.json", "uis.openrpc.json"} {
			if !strings.Contains(string(index.Body), `href="`+name+`"`) {
				t.Errorf("the index does not link %s", name)
			}
		}
		probeAmoCRM(t, env, fetchDoc(t, env, "amocrm.openapi.json"), acc.AmoCRMToken)
		probeEnvybox(t, env, fetchDoc(t, env, "envybox.openapi.json"), acc.EnvyboxAPIKey)
		probeUIS(t, env, fetchDoc(t, env, "uis.openrpc.json"), acc.UISAccessToken)
	})
}

func fetchDoc(t *testing.T, env *crmtest.Env, name string) map[string]any {
	t.Helper()
	r := env.Do(t, http.MethodGet, "/api/docs/"+name, "", "")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/docs/%s: %d %s", name, r.Status, r.Header.Get("Content-Type"))
	}
	return r.Object(t)
}

// docOp is one documented operation.
type docOp struct {
	method, path string
	servers      []string
	statuses     []int
	public       bool             // security: []: no credentials at all
	contentTypes map[int][]string // the documented content types of each status
}

var docPathParam = regexp.MustCompile(`\{[^}/]+\}`)

// docOps lists an OpenAPI document's operations with the servers each is
// served under and the statuses it documents.
func docOps(t *testing.T, doc map[string]any) []docOp {
	t.Helper()
	var top []string
	for _, s := range doc["servers"].([]any) {
		top = append(top, s.(map[string]any)["url"].(string))
	}
	var out []docOp
	for path, item := range doc["paths"].(map[string]any) {
		pi := item.(map[string]any)
		servers := top
		if list, ok := pi["servers"].([]any); ok {
			servers = nil
			for _, s := range list {
				servers = append(servers, s.(map[string]any)["url"].(string))
			}
		}
		for _, m := range []string{"get", "post", "patch", "delete", "options"} {
			op, ok := pi[m].(map[string]any)
			if !ok {
				continue
			}
			o := docOp{method: strings.ToUpper(m), path: path, servers: servers, contentTypes: map[int][]string{}}
			sec, ok := op["security"].([]any)
			o.public = ok && len(sec) == 0
			for code, resp := range op["responses"].(map[string]any) {
				n, _ := strconv.Atoi(code)
				o.statuses = append(o.statuses, n)
				rm := resp.(map[string]any)
				if ref, ok := rm["$ref"].(string); ok {
					shared := doc["components"].(map[string]any)["responses"].(map[string]any)
					rm = shared[strings.TrimPrefix(ref, "#/components/responses/")].(map[string]any)
				}
				content, _ := rm["content"].(map[string]any)
				for ct := range content {
					o.contentTypes[n] = append(o.contentTypes[n], ct)
				}
			}
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b docOp) int { return strings.Compare(a.method+a.path, b.method+b.path) })
	return out
}

// url is the operation's path under a server, its parameters filled with
// id, which names nothing in a fresh account but is a well-formed id.
func (o docOp) url(server, id string) string {
	return strings.TrimSuffix(server, "/") + docPathParam.ReplaceAllString(o.path, id)
}

func (o docOp) documents(status int) bool { return slices.Contains(o.statuses, status) }

func probeAmoCRM(t *testing.T, env *crmtest.Env, doc map[string]any, token string) {
	for _, o := range docOps(t, doc) {
		for _, server := range o.servers {
			u := o.url(server, "999999")
			body := ""
			if o.method == http.MethodPost || o.method == http.MethodPatch {
				body = "[]"
			}
			if o.public {
				// An empty request of the operation's own kind: it must be
				// refused by the endpoint, as documented, not by a router.
				r := env.Do(t, o.method, u, "", "{}")
				refused := r.Status >= 400 && r.Status < 500 && r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed
				if !refused || !o.documents(r.Status) || !slices.Contains(o.contentTypes[r.Status], r.Header.Get("Content-Type")) {
					t.Errorf("amoCRM %s %s (public) with an empty body: %d %s %s, want a documented refusal %v", o.method, u,
						r.Status, r.Header.Get("Content-Type"), r.Body, o.contentTypes)
				}
				continue
			}
			r := env.Do(t, o.method, u, "", body)
			if r.Status != http.StatusUnauthorized || !o.documents(r.Status) {
				t.Errorf("amoCRM %s %s without a token: %d %s, want the documented 401", o.method, u, r.Status, r.Body)
			}
			if o.method != http.MethodGet {
				continue
			}
			r = env.Do(t, o.method, u, token, "")
			if r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed || !o.documents(r.Status) {
				t.Errorf("amoCRM %s %s: %d %s, documented %v", o.method, u, r.Status, r.Body, o.statuses)
			}
		}
	}
}

func probeEnvybox(t *testing.T, env *crmtest.Env, doc map[string]any, key string) {
	for _, o := range docOps(t, doc) {
		for _, server := range o.servers {
			if strings.HasPrefix(o.path, "/widget") {
				probeWidget(t, env, o, server)
				continue
			}
			base := o.url(server, "999999")
			body := ""
			if o.method == http.MethodPost {
				body = `{"request": {}}`
			}
			// Every method is also served without its trailing slash.
			for _, u := range []string{base, strings.TrimSuffix(base, "/")} {
				r := env.Do(t, o.method, u+"?api_key=wrong", "", body)
				if r.Status != http.StatusUnauthorized || r.Object(t)["message"] != "Неправильный ключ api" {
					t.Errorf("Envybox %s %s with a wrong key: %d %s, want 401", o.method, u, r.Status, r.Body)
				}
				r = env.Do(t, o.method, u+"?api_key="+key, "", body)
				msg, _ := r.Object(t)["message"].(string)
				if msg == "Метод не найден" || !o.documents(r.Status) {
					t.Errorf("Envybox %s %s: %d %s, documented %v", o.method, u, r.Status, r.Body, o.statuses)
				}
			}
		}
	}
}

func probeWidget(t *testing.T, env *crmtest.Env, o docOp, server string) {
	u := o.url(server, "999999")
	body := ""
	if o.method == http.MethodPost {
		body = `{}`
	}
	r := env.Do(t, o.method, u, "", body)
	if !o.documents(r.Status) || strings.Contains(string(r.Body), "Метод не найден") {
		t.Errorf("widget %s %s: %d %s, documented %v", o.method, u, r.Status, r.Body, o.statuses)
	}
}

func probeUIS(t *testing.T, env *crmtest.Env, doc map[string]any, token string) {
	if got := doc["servers"].([]any)[0].(map[string]any)["url"]; got != "/v2.0" {
		t.Fatalf("UIS server %v, want /v2.0", got)
	}
	// catalogue is the document's error definitions, which methods refer to.
	catalogue := doc["components"].(map[string]any)["errors"].(map[string]any)
	for _, m := range doc["methods"].([]any) {
		method := m.(map[string]any)
		name := method["name"].(string)
		type known struct {
			code     int
			mnemonic string
		}
		var documented []known
		for _, e := range method["errors"].([]any) {
			ref := e.(map[string]any)["$ref"].(string)
			def := catalogue[strings.TrimPrefix(ref, "#/components/errors/")].(map[string]any)
			code, _ := def["code"].(json.Number).Int64()
			documented = append(documented, known{int(code), def["data"].(map[string]any)["mnemonic"].(string)})
		}
		for _, params := range []string{`{}`, `{"access_token": "` + token + `"}`} {
			body := `{"jsonrpc": "2.0", "id": 1, "method": "` + name + `", "params": ` + params + `}`
			r := env.Do(t, http.MethodPost, "/v2.0", "", body)
			reply := r.Object(t)
			if r.Status != http.StatusOK {
				t.Errorf("UIS %s: HTTP %d %s", name, r.Status, r.Body)
				continue
			}
			e, failed := reply["error"].(map[string]any)
			if !failed {
				if _, ok := reply["result"]; !ok {
					t.Errorf("UIS %s: neither result nor error: %s", name, r.Body)
				}
				continue
			}
			code, _ := e["code"].(json.Number).Int64()
			got := known{int(code), e["data"].(map[string]any)["mnemonic"].(string)}
			if !slices.Contains(documented, got) {
				t.Errorf("UIS %s with params %s: error %+v is not documented (%+v)", name, params, got, documented)
			}
		}
	}
}
