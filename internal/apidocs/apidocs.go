// Package apidocs serves crmd's machine-readable API documents at
// /api/docs/: OpenAPI 3.1 for the amoCRM and Envybox dialects (the website
// widget included in the Envybox one) and OpenRPC for the UIS Data API,
// with a plain index page linking them.
//
// The documents are JSON files in this directory, embedded in the binary.
// They are generated from the Go tables in ./docgen by `go generate
// ./internal/apidocs` and committed; the tests fail when they are out of
// date, when a route a dialect serves is missing from its document, and
// when a documented route is not served.
//
// The documents are public, like the APIs' shapes they describe: they hold
// no account data, so they need no session or key, and they are served
// with Access-Control-Allow-Origin: * so that an OpenAPI viewer on another
// origin can load them.
package apidocs

//go:generate go run ./gen

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

//go:embed amocrm.openapi.json envybox.openapi.json uis.openrpc.json
var files embed.FS

// Prefix is where Handler is mounted.
const Prefix = "/api/docs/"

// Document is one served document as the index lists it.
type Document struct {
	// File is the document's name under Prefix.
	File string
	// Dialect names the API it describes.
	Dialect string
	// Format is the specification and its version ("OpenAPI 3.1.0").
	Format string
	// Title and Version are the document's info.title and info.version.
	Title, Version string
	// Servers are the base paths the document's operations are served
	// under.
	Servers []string
}

// documents are the served documents in the index's order; names must
// match the embedded files.
var documents = []Document{
	{File: "amocrm.openapi.json", Dialect: "amoCRM"},
	{File: "envybox.openapi.json", Dialect: "Envybox"},
	{File: "uis.openrpc.json", Dialect: "UIS"},
}

// contents are the embedded files by name.
var contents = map[string][]byte{}

func init() {
	for i, d := range documents {
		b, err := files.ReadFile(d.File)
		if err != nil {
			panic("apidocs: " + err.Error())
		}
		contents[d.File] = b
		var head struct {
			OpenAPI string `json:"openapi"`
			OpenRPC string `json:"openrpc"`
			Info    struct {
				Title   string `json:"title"`
				Version string `json:"version"`
			} `json:"info"`
			Servers []struct {
				URL string `json:"url"`
			} `json:"servers"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			panic(fmt.Sprintf("apidocs: %s: %v", d.File, err))
		}
		switch {
		case head.OpenAPI != "":
			documents[i].Format = "OpenAPI " + head.OpenAPI
		case head.OpenRPC != "":
			documents[i].Format = "OpenRPC " + head.OpenRPC
		}
		documents[i].Title, documents[i].Version = head.Info.Title, head.Info.Version
		for _, s := range head.Servers {
			documents[i].Servers = append(documents[i].Servers, s.URL)
		}
	}
}

// Documents lists the served documents.
func Documents() []Document {
	out := make([]Document, len(documents))
	copy(out, documents)
	return out
}

// File returns an embedded document by name.
func File(name string) ([]byte, bool) {
	b, ok := contents[name]
	return b, ok
}

var index = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crmd API documents</title>
</head>
<body>
<h1>crmd API documents</h1>
<p>Machine-readable descriptions of the APIs this server speaks. Open them in any OpenAPI or OpenRPC viewer, or read them as JSON.</p>
<ul>
{{range .}}<li><a href="{{.File}}">{{.Title}}</a> — {{.Format}}, API version {{.Version}}{{if .Servers}}; served under {{range $i, $s := .Servers}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}{{end}}</li>
{{end}}</ul>
<p>The documents list every route and method crmd serves with its parameters, statuses and the main fields of its bodies; the rules behind each field are in crmd's docs/ (amocrm.md, customers.md, envybox.md, uis.md).</p>
</body>
</html>
`))

// Handler serves the index at Prefix and each document under it.
func Handler() http.Handler {
	var page bytes.Buffer
	if err := index.Execute(&page, documents); err != nil {
		panic("apidocs: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, Prefix)
		body, known := contents[name]
		if !ok || (name != "" && !known) {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// A new crmd may serve new documents at the same names.
		w.Header().Set("Cache-Control", "no-cache")
		if name == "" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page.Bytes())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(body)
	})
}
