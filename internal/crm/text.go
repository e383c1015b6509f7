package crm

import (
	"fmt"
	"unicode/utf8"
)

// The longest texts the domain stores, in characters (runes). Every text a
// dialect writes is held to one of them, so a 10,000-character name is
// refused the same way through amoCRM, Envybox, UIS and the widget.
const (
	// MaxNameLength bounds names of every entity (leads, clients, deals,
	// companies, contact persons, pipelines, fields): amoCRM caps names at 255.
	MaxNameLength = 255
	// MaxShortText bounds one-line values: phones, emails, UTM marks,
	// analytics ids, regions, contact data entries.
	MaxShortText = 255
	// MaxLinkLength bounds links (a call recording's record_link): URLs
	// with query strings outgrow MaxShortText.
	MaxLinkLength = 2048
	// MaxLongText bounds free text: comments, notes, task texts and text
	// custom fields (amoCRM's textarea holds 65,535 characters).
	MaxLongText = 65535
)

// TextViolation reports why s cannot be stored as text, or nil when it can.
// The returned Violation has Code and Detail set; the caller places it.
//
// The rule is the domain's, not a database's: PostgreSQL refuses NUL in
// text while SQLite stores it, and both would store other control
// characters that no screen can show, so neither reaches a store.
func TextViolation(s string) *Violation {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !validRuneAt(s, i):
			return &Violation{Code: ViolationEncoding, Detail: "This value is not valid UTF-8."}
		case IsControl(r):
			return &Violation{Code: ViolationControl,
				Detail: fmt.Sprintf("This value holds the control character U+%04X; only tab, line feed and carriage return are allowed.", r)}
		}
	}
	return nil
}

// IsControl reports whether r is a control character the domain refuses:
// C0 (but tab, line feed and carriage return), DEL and C1.
func IsControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}

// validRuneAt reports whether the U+FFFD ranging over s produced at byte i
// was really in s (a legitimate replacement character) rather than a
// stand-in for an invalid byte.
func validRuneAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 3
}

// checkText adds a violation when s is not storable text or is longer than
// max characters.
func (v *violations) checkText(item int, path, s string, max int) {
	if bad := TextViolation(s); bad != nil {
		bad.Item, bad.Path = item, path
		*v = append(*v, *bad)
		return
	}
	if utf8.RuneCountInString(s) > max {
		v.add(item, path, ViolationTooLong, fmt.Sprintf("This value is too long. It should have %d characters or less.", max))
	}
}
