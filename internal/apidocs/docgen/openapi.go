// Package docgen writes crmd's API documents: OpenAPI 3.1 for the amoCRM
// and Envybox dialects and OpenRPC for the UIS Data API. The documents are
// written here as Go tables, rendered to JSON by Build and committed under
// internal/apidocs, which embeds and serves them (go generate
// ./internal/apidocs rewrites them; a test there fails when they are out of
// date, and another when a document and the routes the dialects serve
// disagree).
//
// Go rather than hand-written JSON because the documents repeat themselves:
// every amoCRM list has the same envelope, paging and 204, every Envybox
// method the same key and envelope, and a table keeps those shapes one
// definition each.
package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Files are the documents' file names, in the order the index lists them.
var Files = []string{"amocrm.openapi.json", "envybox.openapi.json", "uis.openrpc.json"}

// Build renders every document, keyed by its file name (Files).
func Build() (map[string][]byte, error) {
	docs := map[string]any{
		"amocrm.openapi.json":  amocrmDocument(),
		"envybox.openapi.json": envyboxDocument(),
		"uis.openrpc.json":     uisDocument(),
	}
	out := map[string][]byte{}
	for name, d := range docs {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = b.Bytes()
	}
	return out, nil
}

// Schema is a JSON Schema (draft 2020-12, OpenAPI 3.1's and OpenRPC's
// dialect). Maps render with sorted keys, so the output is stable.
type Schema = map[string]any

// str, integer, number and boolean are typed schemas with an optional
// description.
func str(desc string) Schema     { return typed("string", desc) }
func integer(desc string) Schema { return typed("integer", desc) }
func number(desc string) Schema  { return typed("number", desc) }
func boolean(desc string) Schema { return typed("boolean", desc) }

func typed(t, desc string) Schema {
	s := Schema{"type": t}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

// nullable lets s also be null.
func nullable(s Schema) Schema {
	out := Schema{}
	for k, v := range s {
		out[k] = v
	}
	if t, ok := s["type"].(string); ok {
		out["type"] = []string{t, "null"}
		return out
	}
	return Schema{"anyOf": []Schema{s, {"type": "null"}}}
}

// arr is an array of items.
func arr(items Schema, desc string) Schema {
	s := typed("array", desc)
	s["items"] = items
	return s
}

// ref points at a schema of the document's components.
func ref(name string) Schema { return Schema{"$ref": "#/components/schemas/" + name} }

// enum is a string choice.
func enum(desc string, values ...any) Schema {
	s := Schema{"enum": values}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

// anyOf is one of several shapes.
func anyOf(desc string, alts ...Schema) Schema {
	s := Schema{"anyOf": alts}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

// withDesc is s with a description (a copy; refs get theirs beside $ref,
// which 3.1 allows).
func withDesc(s Schema, desc string) Schema {
	out := Schema{}
	for k, v := range s {
		out[k] = v
	}
	out["description"] = desc
	return out
}

// prop is one member of an object schema.
type prop struct {
	name     string
	schema   Schema
	required bool
}

// p is an optional member, r a required one.
func p(name string, s Schema) prop { return prop{name: name, schema: s} }
func r(name string, s Schema) prop { return prop{name: name, schema: s, required: true} }

// obj is an object with the members listed; other members are not
// described (the documents list the main fields, not every one).
func obj(desc string, props ...prop) Schema {
	s := typed("object", desc)
	if len(props) == 0 {
		return s
	}
	members := Schema{}
	var required []string
	for _, pr := range props {
		if _, dup := members[pr.name]; dup {
			panic("docgen: member " + pr.name + " twice")
		}
		members[pr.name] = pr.schema
		if pr.required {
			required = append(required, pr.name)
		}
	}
	s["properties"] = members
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// intOrString is an integer that may also come as a string of digits, as
// several dialects accept.
func intOrString(desc string) Schema {
	return Schema{"type": []string{"integer", "string"}, "description": desc}
}

// The OpenAPI 3.1 objects crmd's documents use.

// OpenAPI is an OpenAPI 3.1 document.
type OpenAPI struct {
	OpenAPI    string                `json:"openapi"`
	Info       Info                  `json:"info"`
	Servers    []Server              `json:"servers,omitempty"`
	Security   []map[string][]string `json:"security,omitempty"`
	Tags       []Tag                 `json:"tags,omitempty"`
	Paths      map[string]*PathItem  `json:"paths"`
	Components Components            `json:"components"`
}

// Info describes a document.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
}

// Server is a base URL; relative URLs are relative to the document's host.
type Server struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// Tag groups operations.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// PathItem is the operations of one path.
type PathItem struct {
	Servers []Server   `json:"servers,omitempty"`
	Get     *Operation `json:"get,omitempty"`
	Post    *Operation `json:"post,omitempty"`
	Patch   *Operation `json:"patch,omitempty"`
	Delete  *Operation `json:"delete,omitempty"`
	Options *Operation `json:"options,omitempty"`
}

// operation returns the slot of a method.
func (pi *PathItem) operation(method string) **Operation {
	switch method {
	case "GET":
		return &pi.Get
	case "POST":
		return &pi.Post
	case "PATCH":
		return &pi.Patch
	case "DELETE":
		return &pi.Delete
	case "OPTIONS":
		return &pi.Options
	}
	panic("docgen: method " + method)
}

// Operation is one method on one path.
type Operation struct {
	Tags        []string               `json:"tags,omitempty"`
	Summary     string                 `json:"summary"`
	Description string                 `json:"description,omitempty"`
	OperationID string                 `json:"operationId"`
	Parameters  []any                  `json:"parameters,omitempty"`
	RequestBody *RequestBody           `json:"requestBody,omitempty"`
	Responses   map[string]any         `json:"responses"`
	Security    *[]map[string][]string `json:"security,omitempty"`
}

// Parameter is a path, query or header parameter.
type Parameter struct {
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Style       string `json:"style,omitempty"`
	Explode     *bool  `json:"explode,omitempty"`
	Schema      Schema `json:"schema"`
}

// RequestBody is an operation's body.
type RequestBody struct {
	Description string               `json:"description,omitempty"`
	Required    bool                 `json:"required,omitempty"`
	Content     map[string]MediaType `json:"content"`
}

// MediaType is the schema of one content type.
type MediaType struct {
	Schema Schema `json:"schema"`
}

// Response is one status's answer.
type Response struct {
	Description string               `json:"description"`
	Headers     map[string]any       `json:"headers,omitempty"`
	Content     map[string]MediaType `json:"content,omitempty"`
}

// Components are the shared definitions.
type Components struct {
	Schemas         map[string]Schema    `json:"schemas,omitempty"`
	Responses       map[string]Response  `json:"responses,omitempty"`
	Parameters      map[string]Parameter `json:"parameters,omitempty"`
	SecuritySchemes map[string]any       `json:"securitySchemes,omitempty"`
}

// retryAfter is the header every limit refusal carries.
var retryAfter = map[string]any{"Retry-After": map[string]any{
	"description": "Seconds to wait before retrying.",
	"schema":      integer(""),
}}

// api builds one OpenAPI document.
type api struct {
	doc *OpenAPI
	// errs names the components.responses entry each error status refers
	// to in this document.
	errs map[string]string
}

func newAPI(info Info) *api {
	return &api{doc: &OpenAPI{
		OpenAPI: "3.1.0",
		Info:    info,
		Paths:   map[string]*PathItem{},
		Components: Components{
			Schemas:    map[string]Schema{},
			Responses:  map[string]Response{},
			Parameters: map[string]Parameter{},
		},
	}, errs: map[string]string{}}
}

// schema adds a named schema and returns a reference to it.
func (a *api) schema(name string, s Schema) Schema {
	if _, dup := a.doc.Components.Schemas[name]; dup {
		panic("docgen: schema " + name + " twice")
	}
	a.doc.Components.Schemas[name] = s
	return ref(name)
}

// once adds a named schema the first time it is asked for and returns a
// reference to it every time.
func (a *api) once(name string, build func() Schema) Schema {
	if _, ok := a.doc.Components.Schemas[name]; !ok {
		a.doc.Components.Schemas[name] = build()
	}
	return ref(name)
}

// sharedParam adds a shared parameter the first time it is asked for and
// returns a reference to it every time.
func (a *api) sharedParam(key string, pm Parameter) any {
	if _, ok := a.doc.Components.Parameters[key]; !ok {
		a.doc.Components.Parameters[key] = pm
	}
	return paramRef(key)
}

// param adds a shared parameter and returns a reference to it.
func (a *api) param(key string, pm Parameter) any {
	if _, dup := a.doc.Components.Parameters[key]; dup {
		panic("docgen: parameter " + key + " twice")
	}
	a.doc.Components.Parameters[key] = pm
	return paramRef(key)
}

func paramRef(key string) any {
	return map[string]string{"$ref": "#/components/parameters/" + key}
}

// response adds a shared response, used for status when errs lists it.
func (a *api) response(name, status string, rs Response) {
	if _, dup := a.doc.Components.Responses[name]; dup {
		panic("docgen: response " + name + " twice")
	}
	a.doc.Components.Responses[name] = rs
	if status != "" {
		a.errs[status] = name
	}
}

func responseRef(name string) any {
	return map[string]string{"$ref": "#/components/responses/" + name}
}

// op adds an operation; path parameters named in the path are added as
// required strings unless given.
func (a *api) op(method, path, tag, summary string) *opBuilder {
	pi := a.doc.Paths[path]
	if pi == nil {
		pi = &PathItem{}
		a.doc.Paths[path] = pi
	}
	slot := pi.operation(method)
	if *slot != nil {
		panic("docgen: " + method + " " + path + " twice")
	}
	o := &Operation{Tags: []string{tag}, Summary: summary, OperationID: operationID(method, path),
		Responses: map[string]any{}}
	*slot = o
	return &opBuilder{a: a, op: o, path: path}
}

// operationID is a stable id made of the method and the path's words:
// "GET /api/v4/leads/{id}" is "get_api_v4_leads_id".
func operationID(method, path string) string {
	var words []string
	for _, seg := range strings.Split(path, "/") {
		seg = strings.Trim(seg, "{}")
		seg = strings.NewReplacer(".", "_", "-", "_").Replace(seg)
		if seg != "" {
			words = append(words, seg)
		}
	}
	return strings.ToLower(method) + "_" + strings.Join(words, "_")
}

// opBuilder fills one operation.
type opBuilder struct {
	a    *api
	op   *Operation
	path string
}

// desc sets the description.
func (b *opBuilder) desc(s string) *opBuilder { b.op.Description = s; return b }

// params appends parameters (Parameter values or references).
func (b *opBuilder) params(ps ...any) *opBuilder {
	b.op.Parameters = append(b.op.Parameters, ps...)
	return b
}

// query appends a query parameter.
func (b *opBuilder) query(name string, s Schema, desc string) *opBuilder {
	return b.params(Parameter{Name: name, In: "query", Description: desc, Schema: s})
}

// filter appends a deepObject query parameter such as filter[...] or
// order[...], whose keys are the object's members.
func (b *opBuilder) filter(name string, s Schema) *opBuilder {
	return b.params(deepObject(name, s))
}

// deepObject is a query parameter such as filter[...] or order[...], whose
// keys are the object's members.
func deepObject(name string, s Schema) Parameter {
	t := true
	return Parameter{Name: name, In: "query", Style: "deepObject", Explode: &t, Schema: s}
}

// body sets a required JSON body.
func (b *opBuilder) body(s Schema, desc string) *opBuilder {
	b.op.RequestBody = &RequestBody{Description: desc, Required: true,
		Content: map[string]MediaType{"application/json": {Schema: s}}}
	return b
}

// resp sets the answer of one status.
func (b *opBuilder) resp(status, desc, contentType string, s Schema) *opBuilder {
	rs := Response{Description: desc}
	if s != nil {
		rs.Content = map[string]MediaType{contentType: {Schema: s}}
	}
	b.op.Responses[status] = rs
	return b
}

// respRef sets the answer of one status to a shared response.
func (b *opBuilder) respRef(status, name string) *opBuilder {
	if _, ok := b.a.doc.Components.Responses[name]; !ok {
		panic("docgen: no response " + name)
	}
	b.op.Responses[status] = responseRef(name)
	return b
}

// errs adds the document's shared responses of these statuses. A status
// may carry a prefix naming a family of responses ("v2/400": amoCRM v2's
// envelope), registered under that key by response.
func (b *opBuilder) errs(statuses ...string) *opBuilder {
	for _, key := range statuses {
		name, ok := b.a.errs[key]
		if !ok {
			panic("docgen: no shared response for " + key)
		}
		b.respRef(key[strings.LastIndex(key, "/")+1:], name)
	}
	return b
}

// public marks the operation as needing no credential.
func (b *opBuilder) public() *opBuilder {
	none := []map[string][]string{}
	b.op.Security = &none
	return b
}

// finish adds the path parameters the path names and no parameter
// declares, as required strings, and checks the operation is complete.
func (a *api) finish() *OpenAPI {
	for path, pi := range a.doc.Paths {
		for _, slot := range []*Operation{pi.Get, pi.Post, pi.Patch, pi.Delete, pi.Options} {
			if slot == nil {
				continue
			}
			if len(slot.Responses) == 0 {
				panic("docgen: " + path + " has an operation without responses")
			}
			declared := map[string]bool{}
			for _, pm := range slot.Parameters {
				if p, ok := pm.(Parameter); ok && p.In == "path" {
					declared[p.Name] = true
				}
			}
			var missing []any
			for _, name := range pathParams(path) {
				if !declared[name] {
					missing = append(missing, Parameter{Name: name, In: "path", Required: true, Schema: pathSchema(name)})
				}
			}
			slot.Parameters = append(missing, slot.Parameters...)
		}
	}
	return a.doc
}

// pathSchema is the schema of an undeclared path parameter: ids are
// positive integers (any other segment names nothing), the rest strings.
func pathSchema(name string) Schema {
	if name == "id" || strings.HasSuffix(name, "_id") {
		s := integer("")
		s["minimum"] = 1
		return s
	}
	return str("")
}

// pathParams are the {names} of a path template, in order.
func pathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// sortedKeys are a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
