package store

import "strings"

// Keyword searches are literal: what a user types is the text looked for,
// never a pattern. Every LIKE in the store goes through like and
// containsPattern, so that "%", "_" and "\" mean themselves on both
// databases — by default "%" and "_" are wildcards on both, and "\" escapes
// on PostgreSQL but not on SQLite. search_test.go fails on any other LIKE
// (or GLOB, ILIKE, SIMILAR TO) in the store's sources.
//
// Case folding is the caller's: the text is lower-cased in Go
// (strings.ToLower) and the column by the dialect's fold (crmd_lower, which
// is strings.ToLower, on SQLite; LOWER on PostgreSQL), the same folding that
// builds the deals' search_text (deal_search.go), so a keyword matches the
// same rows through the folded text and through LIKE.

// likeEscaper escapes the escape character first (a Replacer replaces in one
// pass, so "\" is never escaped twice).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern is the LIKE pattern matching any text that contains s.
func containsPattern(s string) string {
	return "%" + likeEscaper.Replace(s) + "%"
}

// like is the condition "expr LIKE ?" whose pattern (containsPattern)
// escapes with a backslash. The ESCAPE clause is written out on both
// databases: SQLite has no default escape character, and PostgreSQL's
// default is not something to rely on. '\' is one backslash in standard SQL
// strings (PostgreSQL's standard_conforming_strings, on by default since
// 9.1).
func like(expr string) string { return expr + ` LIKE ? ESCAPE '\'` }
