// Package load drives HTTP load at a server and manages the server as a
// separate operating-system process, for the crmdbench command.
//
// The driver shares the machine with the server it measures, so it is built
// to cost little per request: each client goroutine keeps its own random
// source, response buffer and latency list, and nothing is shared between
// goroutines on the success path except one atomic request counter.
// Percentiles are exact, computed once from every recorded latency when the
// run ends.
//
// Process starts a server the way a user would (a binary, arguments and an
// environment), waits for its health endpoint, reads its peak resident
// memory from /proc and stops it with SIGTERM.
package load
