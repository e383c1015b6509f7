// Package crmtest holds test helpers: it runs a test once per store backend
// (SQLite in a temporary directory, PostgreSQL in a fresh database created
// and dropped around the test), starts a real crmd server on 127.0.0.1:0,
// creates accounts and users, and makes HTTP requests.
//
// Black-box API tests speak through the scenario helper (scenario.go): a
// Client per dialect credential sends requests, a Reply checks statuses,
// amoCRM problems and Envybox envelopes and picks values by dotted path, and
// comparisons report cmp.Diff. Long wire shapes live in golden files
// (golden.go): testdata/<name>.golden.json, rewritten by running the test
// with -update.
//
// PostgreSQL is found at CRMD_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). When it is
// unreachable the PostgreSQL subtests skip with a loud message, except when
// CI=true, where they fail.
package crmtest
