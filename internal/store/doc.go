// Package store implements crm.Store on SQLite (modernc.org/sqlite, pure Go)
// and PostgreSQL (pgx through database/sql). The SQL is written once: a small
// dialect value rewrites placeholders and owns the few statements that differ,
// and sqlite.go / postgres.go own connection set-up and driver-error mapping.
//
// Tenant isolation lives here, once: every account-owned row is read and
// written through a tenantTx, whose queries all carry "account_id = ?" bound
// to the account the transaction was opened for.
//
// Every write of an account's data takes one path, Update, and concurrent
// ones share commits (writer.go): the first caller of a write group (the
// database on SQLite, the account on PostgreSQL) becomes its writer and runs
// the calls queued behind it in one transaction, each call after the first
// inside a savepoint of its own, so that each stays all or nothing, and
// answers them once the COMMIT succeeded. A lone call is written at once.
package store
