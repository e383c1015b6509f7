// Package crm is the domain core of crmd: the entities every API dialect
// shares (accounts, users, custom fields, customer statuses and segments, …),
// the business rules that govern them, the kinds of error a caller can get,
// and the store interfaces the persistence layer implements.
//
// It imports neither net/http nor database/sql on purpose: the amoCRM,
// Envybox and UIS dialects translate their wire formats into calls on
// Service, and internal/store implements Store. A rule such as "at most 30
// customer statuses per account" therefore lives here exactly once.
package crm
