package crm

import (
	"errors"
	"fmt"
	"strconv"
)

// Kind classifies an Error so that each dialect can map it to its own status
// code and envelope without inspecting messages.
type Kind string

// The error kinds the domain returns. Anything that is not an *Error (or
// wraps one) is an internal failure and must be logged, not shown.
const (
	KindInvalid       Kind = "invalid"       // the request is malformed or breaks a validation rule
	KindNotFound      Kind = "not_found"     // the entity does not exist in the caller's account
	KindForbidden     Kind = "forbidden"     // the caller's role may not do this
	KindConflict      Kind = "conflict"      // the entity changed or exists in a way that clashes
	KindLimit         Kind = "limit"         // an account limit would be exceeded
	KindUnauthorized  Kind = "unauthorized"  // no valid credential
	KindUnprocessable Kind = "unprocessable" // valid input, but the account's state refuses it (e.g. a disabled feature)
)

// Violation codes name what is wrong with one field, independent of any wire
// format. Dialects translate them (amoCRM: FieldMissing, InvalidType, …).
const (
	ViolationRequired   = "required"   // the field is missing
	ViolationBlank      = "blank"      // the field is present but empty
	ViolationType       = "type"       // the field has the wrong JSON type
	ViolationChoice     = "choice"     // the value is not one of the allowed ones
	ViolationUnexpected = "unexpected" // the field is not allowed here
	ViolationTooLong    = "too_long"   // the value is longer than allowed
	ViolationRange      = "range"      // the number is out of range
	ViolationInvalid    = "invalid"    // any other malformed value
	// ViolationEncoding: text that is not valid UTF-8 (or, on the wire,
	// holds an unpaired UTF-16 surrogate escape).
	ViolationEncoding = "encoding"
	// ViolationControl: text holding a control character other than tab,
	// line feed and carriage return.
	ViolationControl = "control"
)

// Violation is one problem with one field of one item of a request.
type Violation struct {
	// Item is the index of the item in a batch request (0 for single-object requests).
	Item int
	// Path locates the field inside the item, dot-separated with 0-based
	// indexes: "custom_fields_values.0.values.1.enum_id".
	Path string
	// Code is one of the Violation* constants.
	Code string
	// Detail is a human-readable English explanation.
	Detail string
	// Want names the expected type for ViolationType ("int", "string", "bool", "array", "object").
	Want string
}

// Error is the domain error value. Message is safe to show to API clients.
type Error struct {
	Kind       Kind
	Message    string
	Violations []Violation
}

func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return fmt.Sprintf("%s: %s", e.Kind, e.Message)
	}
	return fmt.Sprintf("%s: %s (%d violations, first %s: %s)", e.Kind, e.Message, len(e.Violations), e.Violations[0].Path, e.Violations[0].Detail)
}

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error carrying the given violations.
func Invalid(violations ...Violation) *Error {
	return &Error{Kind: KindInvalid, Message: "Request validation failed", Violations: violations}
}

// KindOf returns the kind of err, or "" when err is not a domain error
// (an internal failure).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// violations collects Violations while validating one request.
type violations []Violation

func (v *violations) add(item int, path, code, detail string) {
	*v = append(*v, Violation{Item: item, Path: path, Code: code, Detail: detail})
}

func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	return Invalid(v...)
}

func itoa(i int) string { return strconv.Itoa(i) }
