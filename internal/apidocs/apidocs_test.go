package apidocs_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/api/amocrm"
	"github.com/crmd/crmd/internal/api/envybox"
	"github.com/crmd/crmd/internal/api/uis"
	"github.com/crmd/crmd/internal/api/widget"
	"github.com/crmd/crmd/internal/apidocs"
	"github.com/crmd/crmd/internal/apidocs/docgen"
)

// TestDocumentsUpToDate: the committed documents are what docgen makes
// now, so a change to the tables cannot ship without its JSON.
func TestDocumentsUpToDate(t *testing.T) {
	built, err := docgen.Build()
	if err != nil {
		t.Fatal(err)
	}
	var served []string
	for _, d := range apidocs.Documents() {
		served = append(served, d.File)
	}
	if !slices.Equal(served, docgen.Files) {
		t.Fatalf("apidocs serves %v, docgen writes %v", served, docgen.Files)
	}
	for _, name := range docgen.Files {
		got, _ := apidocs.File(name)
		if !bytes.Equal(got, built[name]) {
			t.Errorf("%s is out of date: run go generate ./internal/apidocs and commit it", name)
		}
	}
}

// load parses an embedded document strictly: one JSON value, numbers kept.
func load(t *testing.T, name string) map[string]any {
	t.Helper()
	b, ok := apidocs.File(name)
	if !ok {
		t.Fatalf("%s is not embedded", name)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("%s: data after the document", name)
	}
	return doc
}

// operation is one documented method on one path.
type operation struct {
	method, path string
	servers      []string // the path's own servers; nil: the document's
	op           map[string]any
}

func (o operation) String() string { return o.method + " " + o.path }

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations lists an OpenAPI document's operations.
func operations(t *testing.T, doc map[string]any) []operation {
	t.Helper()
	var out []operation
	for path, item := range doc["paths"].(map[string]any) {
		pi := item.(map[string]any)
		var servers []string
		if list, ok := pi["servers"].([]any); ok {
			for _, s := range list {
				servers = append(servers, s.(map[string]any)["url"].(string))
			}
		}
		for _, m := range methods {
			if op, ok := pi[m].(map[string]any); ok {
				out = append(out, operation{method: strings.ToUpper(m), path: path, servers: servers, op: op})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// serverURLs are a document's top-level server URLs.
func serverURLs(doc map[string]any) []string {
	var out []string
	list, _ := doc["servers"].([]any)
	for _, s := range list {
		out = append(out, s.(map[string]any)["url"].(string))
	}
	return out
}

// resolve follows a local JSON pointer ("#/components/schemas/Lead").
func resolve(doc map[string]any, ref string) (any, bool) {
	pointer, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	var cur any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch v := cur.(type) {
		case map[string]any:
			if cur, ok = v[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// refs lists every $ref string in v with where it is.
func refs(v any, at string, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				out[at] = s
				continue
			}
			refs(x, at+"/"+k, out)
		}
	case []any:
		for i, x := range v {
			refs(x, at+"/"+strconv.Itoa(i), out)
		}
	}
}

var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

// TestDocumentsValid: each document parses, names its specification's
// version, and every reference resolves; OpenAPI operations are complete
// (ids, summaries, responses, declared path parameters) and no two paths
// are the same template under other parameter names.
func TestDocumentsValid(t *testing.T) {
	for _, d := range apidocs.Documents() {
		t.Run(d.File, func(t *testing.T) {
			doc := load(t, d.File)
			all := map[string]string{}
			refs(doc, "#", all)
			if len(all) == 0 {
				t.Error("no $ref at all: the shared definitions are not used")
			}
			for at, ref := range all {
				if _, ok := resolve(doc, ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
			}
			info, _ := doc["info"].(map[string]any)
			if info["title"] == "" || info["version"] == "" || info["description"] == nil {
				t.Errorf("info lacks a title, version or description: %v", info)
			}
			if strings.HasSuffix(d.File, ".openrpc.json") {
				validOpenRPC(t, doc)
				return
			}
			if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
				t.Fatalf("openapi is %q, want 3.1.x", v)
			}
			validOpenAPI(t, doc)
		})
	}
}

func validOpenAPI(t *testing.T, doc map[string]any) {
	t.Helper()
	ids := map[string]string{}
	templates := map[string]string{}
	for path := range doc["paths"].(map[string]any) {
		key := pathParam.ReplaceAllString(path, "{}")
		if other, dup := templates[key]; dup {
			t.Errorf("paths %s and %s are the same template", path, other)
		}
		templates[key] = path
	}
	for _, o := range operations(t, doc) {
		id, _ := o.op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", o)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s: operationId %s is also %s's", o, id, other)
		}
		ids[id] = o.String()
		if s, _ := o.op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", o)
		}
		responses, _ := o.op["responses"].(map[string]any)
		if len(responses) == 0 {
			t.Errorf("%s: no responses", o)
		}
		for status := range responses {
			if n, err := strconv.Atoi(status); err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response key %q is no status", o, status)
			}
		}
		declared := map[string]bool{}
		params, _ := o.op["parameters"].([]any)
		for _, p := range params {
			pm := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				v, _ := resolve(doc, ref)
				pm, _ = v.(map[string]any)
			}
			if pm["in"] == "path" {
				if pm["required"] != true {
					t.Errorf("%s: path parameter %v is not required", o, pm["name"])
				}
				declared[pm["name"].(string)] = true
			}
		}
		for _, m := range pathParam.FindAllString(o.path, -1) {
			if name := strings.Trim(m, "{}"); !declared[name] {
				t.Errorf("%s: path parameter %s is not declared", o, name)
			} else {
				delete(declared, name)
			}
		}
		for name := range declared {
			t.Errorf("%s: declares path parameter %s the path does not have", o, name)
		}
	}
}

func validOpenRPC(t *testing.T, doc map[string]any) {
	t.Helper()
	if v, _ := doc["openrpc"].(string); !strings.HasPrefix(v, "1.") {
		t.Fatalf("openrpc is %q, want 1.x", v)
	}
	seen := map[string]bool{}
	for _, m := range doc["methods"].([]any) {
		method := m.(map[string]any)
		name, _ := method["name"].(string)
		if name == "" || seen[name] {
			t.Errorf("method name %q is empty or repeated", name)
		}
		seen[name] = true
		if _, ok := method["params"].([]any); !ok {
			t.Errorf("%s: no params", name)
		}
		if _, ok := method["result"].(map[string]any); !ok {
			t.Errorf("%s: no result", name)
		}
	}
}

// sample fills a path template's parameters with a positive id, which
// every parameter of crmd's routes accepts.
func sample(path string) string {
	return pathParam.ReplaceAllString(path, "1")
}

// TestAmoCRMCoverage compares the amoCRM document with the patterns the
// dialect's handler registers (amocrm.Routes) and the OAuth endpoints
// server.go mounts beside it (amocrm.OAuthRoutes), of which the token
// endpoint alone takes no credential and must say so (security: []). A documented operation must
// be routed by a served pattern of its method (the document writes
// {sub}-patterns' sub-lists out: /leads/{id}/links is routed by
// /leads/{id}/{sub}), and every served pattern must route at least one
// documented operation.
func TestAmoCRMCoverage(t *testing.T) {
	doc := load(t, "amocrm.openapi.json")
	if got := serverURLs(doc); !slices.Equal(got, []string{"/"}) {
		t.Fatalf("servers %v, want [/]: the paths carry /api/v4 and /api/v2 themselves", got)
	}
	served := amocrm.Routes()
	if len(served) < 100 {
		t.Fatalf("amocrm.Routes lists %d patterns: is it reading the handler?", len(served))
	}
	served = append(served, amocrm.OAuthRoutes()...)
	mux := http.NewServeMux()
	for _, p := range served {
		mux.Handle(p, http.NotFoundHandler())
	}
	hit := map[string]bool{}
	for _, o := range operations(t, doc) {
		if o.servers != nil {
			t.Errorf("%s: the amoCRM document has no path-level servers", o)
		}
		req := httptest.NewRequest(o.method, sample(o.path), nil)
		_, pattern := mux.Handler(req)
		if pattern == "" || !strings.HasPrefix(pattern, o.method+" ") {
			t.Errorf("%s is documented but not served (routed to %q)", o, pattern)
			continue
		}
		hit[pattern] = true
		sec, public := o.op["security"].([]any)
		if public = public && len(sec) == 0; public != (pattern == amocrm.TokenRoute) {
			t.Errorf("%s: security %v: only the token endpoint takes no bearer token", o, o.op["security"])
		}
	}
	for _, p := range served {
		if !hit[p] {
			t.Errorf("%s is served but missing from amocrm.openapi.json", p)
		}
	}
}

// TestEnvyboxCoverage compares the Envybox document with the dialect's
// method table (envybox.Routes) and the widget's routes (widget.Routes),
// both ways, and wants both prefixes as servers.
func TestEnvyboxCoverage(t *testing.T) {
	doc := load(t, "envybox.openapi.json")
	if got := serverURLs(doc); !slices.Equal(got, []string{"/openapi/v1", "/crm/api/v1"}) {
		t.Errorf("servers %v, want [/openapi/v1 /crm/api/v1]", got)
	}
	var methods, widgetRoutes []string
	for _, o := range operations(t, doc) {
		switch {
		case o.servers == nil:
			methods = append(methods, o.method+" /openapi/v1"+o.path)
		case slices.Equal(o.servers, []string{"/"}):
			widgetRoutes = append(widgetRoutes, o.String())
			if sec, ok := o.op["security"].([]any); !ok || len(sec) != 0 {
				t.Errorf("%s: the widget takes no key, want security: []", o)
			}
		default:
			t.Errorf("%s: unexpected servers %v", o, o.servers)
		}
	}
	compare(t, "envybox.openapi.json", "the Envybox method table", methods, envybox.Routes())
	compare(t, "envybox.openapi.json", "the widget", widgetRoutes, widget.Routes())
}

// TestUISCoverage compares the UIS document's methods with the dialect's
// (uis.Methods), both ways.
func TestUISCoverage(t *testing.T) {
	doc := load(t, "uis.openrpc.json")
	var names []string
	for _, m := range doc["methods"].([]any) {
		names = append(names, m.(map[string]any)["name"].(string))
	}
	compare(t, "uis.openrpc.json", "the UIS method table", names, uis.Methods())
}

// compare reports what only one of documented and served has.
func compare(t *testing.T, file, what string, documented, served []string) {
	t.Helper()
	if len(served) == 0 {
		t.Fatalf("%s lists nothing", what)
	}
	doc := map[string]bool{}
	for _, d := range documented {
		if doc[d] {
			t.Errorf("%s: %s is documented twice", file, d)
		}
		doc[d] = true
	}
	for _, s := range served {
		if !doc[s] {
			t.Errorf("%s is served (%s) but missing from %s", s, what, file)
		}
		delete(doc, s)
	}
	for d := range doc {
		t.Errorf("%s is documented in %s but not served (%s)", d, file, what)
	}
}

// TestHandler: the index links every document with its version, the
// documents are served as JSON byte for byte, and nothing else is.
func TestHandler(t *testing.T) {
	h := apidocs.Handler()
	do := func(method, path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w
	}
	w := do(http.MethodGet, "/api/docs/")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("index: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	page := w.Body.String()
	if strings.Contains(page, "<script") || regexp.MustCompile(` on[a-z]+=`).MatchString(page) {
		t.Error("the index page has a script")
	}
	for _, d := range apidocs.Documents() {
		if d.Version == "" || d.Format == "" {
			t.Errorf("%s: no version or format read: %+v", d.File, d)
		}
		for _, want := range []string{fmt.Sprintf(`href="%s"`, d.File), d.Format, "API version " + d.Version} {
			if !strings.Contains(page, want) {
				t.Errorf("the index lacks %q", want)
			}
		}
		w := do(http.MethodGet, "/api/docs/"+d.File)
		want, _ := apidocs.File(d.File)
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" || !bytes.Equal(w.Body.Bytes(), want) {
			t.Errorf("%s: %d %s, %d bytes", d.File, w.Code, w.Header().Get("Content-Type"), w.Body.Len())
		}
		if w := do(http.MethodHead, "/api/docs/"+d.File); w.Code != http.StatusOK {
			t.Errorf("HEAD %s: %d", d.File, w.Code)
		}
	}
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/docs/nothing.json", http.StatusNotFound},
		{http.MethodGet, "/api/docs/docgen/openapi.go", http.StatusNotFound},
		{http.MethodPost, "/api/docs/amocrm.openapi.json", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/docs/", http.StatusMethodNotAllowed},
	} {
		if w := do(tt.method, tt.path); w.Code != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, w.Code, tt.status)
		}
	}
}
