// Package transfer moves records between the CRM and table files: it
// exports what a list's filters show (leads, deals, clients, customers,
// tasks) and imports clients, deals and leads, with column mapping, a
// dry run, de-duplication by phone and email under the same rules as the
// Envybox lead/set intake, and per-row errors. It stands beside the API
// dialects and the web workspace, over package crm; the web workspace and
// the command line are its two front ends.
package transfer
