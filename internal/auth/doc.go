// Package auth issues and checks the credentials of every dialect: amoCRM
// bearer tokens (HS256 JWTs carrying account, user and exp, because some
// amoCRM clients parse them), Envybox api keys (one per account) and UIS
// access tokens (one per user). Only a SHA-256 hash of each secret is stored;
// the plain secret is shown once, when it is issued.
//
// It also runs UIS password logins and their sessions (session.go). Failed
// logins are throttled per login and per client address, with the counts in
// the database so that they hold across processes, and password checks are
// bounded to half the cores (throttle.go).
package auth
