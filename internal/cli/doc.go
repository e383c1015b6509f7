// Package cli is crmd's command line: serve, migrate, account create and
// link-agent, user create and password, department and pipeline create,
// limits set, backup, healthcheck and version (the usage text in main.go lists them). cmd/crmd
// only calls Main.Run, so every command can be run in a test, and Server
// starts the whole program on any address (tests use 127.0.0.1:0), over
// plain HTTP or, given a certificate and key, HTTPS with HTTP/2 (tls.go).
package cli
