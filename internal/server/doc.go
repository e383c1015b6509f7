// Package server assembles crmd's HTTP server: one standard ServeMux with
// every dialect mounted on its own paths, /healthz and /readyz (health.go),
// and the middleware all requests pass through (observe.go: the request id,
// the access log and the metrics of metrics.go; panic recovery).
package server
