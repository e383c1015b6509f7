// Package web is crmd's web workspace: the screens a sales team works in
// every day (sign-in, the lead inbox, the deal board and table with bulk
// actions, the deal card, clients, tasks, customers, reports drawn as SVG
// by package chart), the settings an administrator runs the account from
// (pipelines, fields, users and their credentials, limits, the widget,
// webhooks, integrations, custom statistics) and import and export
// through package transfer, served as html/template pages with a little
// hand-written JavaScript for drag and drop, live updates, progress and
// in-place edits. Every page works without JavaScript, except the
// import's progress bar, which a reload stands in for.
//
// Like the API dialects it is a thin adapter over internal/crm: it reads
// and writes through crm.Service, with the signed-in user as the actor, so
// a deal moved here is moved for the Envybox, amoCRM and UIS APIs too, and
// it adds no business rule of its own. Sign-in checks the password UIS
// login.user checks (internal/auth) and keeps its session in the database,
// so every crmd process on one database shares it.
//
// Security: session cookies are HttpOnly and SameSite=Lax (and Secure over
// TLS, or behind a trusted proxy that says https); every state change is a
// POST that http.CrossOriginProtection checks; the Content-Security-Policy
// allows scripts and styles from crmd only, so no inline script runs; and
// html/template escapes every value by context, so a lead named
// "<script>" is text.
package web
