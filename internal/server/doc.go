// Package server assembles crmd's HTTP server: one standard ServeMux with
// every dialect mounted on its own paths, /healthz, and the middleware all
// requests pass through (panic recovery, request logging).
package server
