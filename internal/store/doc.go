// Package store implements crm.Store on SQLite (modernc.org/sqlite, pure Go)
// and PostgreSQL (pgx through database/sql). The SQL is written once: a small
// dialect value rewrites placeholders and owns the few statements that differ,
// and sqlite.go / postgres.go own connection set-up and driver-error mapping.
//
// Tenant isolation lives here, once: every account-owned row is read and
// written through a tenantTx, whose queries all carry "account_id = ?" bound
// to the account the transaction was opened for.
package store
