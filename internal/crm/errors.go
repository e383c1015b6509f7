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
	// Detail is a human-readable explanation in English. No dialect
	// compares details: what one must recognise is a Code, a Rule or a
	// Reason.
	Detail string
	// Rule, when set, names the validation rule broken (one of the Rule*
	// constants), for a dialect that words its details itself: Envybox
	// keeps a table from rules to its Russian texts.
	Rule Rule
	// Args are the variable parts of the rule's wording (a length, a kind,
	// the allowed values), in the order the rule's comment gives.
	Args []string
	// Want names the expected type for ViolationType ("int", "string", "bool", "array", "object").
	Want string
	// Reason, when set, is the domain error the violation amounts to, for
	// a dialect that answers such errors its own way whatever field they
	// are found in (Envybox answers an unknown reference with its generic
	// text alone); Detail is then that code's message.
	Reason Code
}

// Error is the domain error value. Message is safe to show to API clients.
type Error struct {
	Kind Kind
	// Code names the error when a dialect must recognise it: to word it as
	// its own protocol does or to answer it with a status of its own. It is
	// empty when the kind and the message say all there is.
	Code       Code
	Message    string
	Violations []Violation
}

// Code names one particular domain error, independent of any wire format.
// The domain never words its errors for a dialect: each dialect that needs
// to keeps its own table from codes to its texts and statuses.
type Code string

// The error codes. Each has one kind (codes below).
const (
	CodeInboundNotFound  Code = "inbound_not_found"  // no inbound request has the id
	CodeInboundTaken     Code = "inbound_taken"      // the inbound request was taken to work already
	CodeDealNotFound     Code = "deal_not_found"     // no deal has the id
	CodeDealLogNotFound  Code = "deal_log_not_found" // no deal has the id whose history is read or added to
	CodeClientNotFound   Code = "client_not_found"   // no client has the id
	CodeFieldNotFound    Code = "field_not_found"    // no field definition has the id (one deleted since it was named, too)
	CodeTaskNotFound     Code = "task_not_found"     // no task has the id
	CodeReportNotFound   Code = "report_not_found"   // no custom statistic has the id
	CodePipelineNotFound Code = "pipeline_not_found" // no deal pipeline has the id
	CodeStageNotFound    Code = "stage_not_found"    // the stage is not one of the deal's pipeline
	// CodeStageChangeLocked: the deal's pipeline does not let stages be
	// changed by hand (Pipeline.AllowManualStageChange).
	CodeStageChangeLocked Code = "stage_change_locked"
	// CodeStaleUpdate: a write names a version of the record older than
	// the stored one (Customer.staleFor).
	CodeStaleUpdate Code = "stale_update"
	// CodeUnknownReference: the request names a record, field or option by
	// an id that is not one of the account's.
	CodeUnknownReference Code = "unknown_reference"
	// CodeMissingInput: the request leaves out what the operation works
	// on (a phone or an email to search by, a text to add, values to write).
	CodeMissingInput Code = "missing_input"
	// CodeUnknownOption: the request asks for a variant of the operation
	// that does not exist (a date to filter by, an entity with a history).
	CodeUnknownOption Code = "unknown_option"
	// CodeBulkTooMany: a bulk change selects more deals than MaxBulkDeals.
	CodeBulkTooMany Code = "bulk_too_many"
)

// codes gives each code its kind and the message of its errors: English,
// for logs and for dialects that have no wording of their own.
var codes = map[Code]struct {
	kind    Kind
	message string
}{
	CodeInboundNotFound:   {KindNotFound, "No inbound request has this id."},
	CodeInboundTaken:      {KindConflict, "The inbound request has been taken to work already."},
	CodeDealNotFound:      {KindNotFound, "No deal has this id."},
	CodeDealLogNotFound:   {KindNotFound, "No deal has this id."},
	CodeClientNotFound:    {KindNotFound, "No client has this id."},
	CodeFieldNotFound:     {KindNotFound, "No field has this id."},
	CodeTaskNotFound:      {KindNotFound, "No task has this id."},
	CodePipelineNotFound:  {KindNotFound, "No deal pipeline has this id."},
	CodeReportNotFound:    {KindNotFound, "No report (custom statistic) has this id."},
	CodeStageNotFound:     {KindInvalid, "The stage is not one of the deal's pipeline."},
	CodeStageChangeLocked: {KindForbidden, "The deal's pipeline does not allow changing stages by hand."},
	CodeStaleUpdate:       {KindConflict, staleText},
	CodeUnknownReference:  {KindInvalid, "The request names something that does not exist."},
	CodeMissingInput:      {KindInvalid, "The request leaves out what the operation needs."},
	CodeUnknownOption:     {KindInvalid, "The request asks for an option that does not exist."},
	CodeBulkTooMany:       {KindInvalid, "A bulk change may select at most 10,000 deals: narrow the filter."},
}

// Fail returns the error of a code, with the code's kind and message.
func Fail(code Code) *Error {
	c, ok := codes[code]
	if !ok {
		panic("crm: unknown error code " + string(code))
	}
	return &Error{Kind: c.kind, Code: code, Message: c.message}
}

// CodeOf returns the code of err, or "" when err is not a domain error or
// has none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
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

// rule adds a violation of a named rule, with its English detail and the
// variable parts of its wording.
func (v *violations) rule(item int, path, code string, rule Rule, detail string, args ...string) {
	*v = append(*v, Violation{Item: item, Path: path, Code: code, Detail: detail, Rule: rule, Args: args})
}

// refuse adds a violation that amounts to the error of reason.
func (v *violations) refuse(item int, path, code string, reason Code) {
	*v = append(*v, refusal(item, path, code, reason))
}

// refusal is a violation that amounts to the error of reason.
func refusal(item int, path, code string, reason Code) Violation {
	return Violation{Item: item, Path: path, Code: code, Detail: codes[reason].message, Reason: reason}
}

func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	return Invalid(v...)
}

func itoa(i int) string { return strconv.Itoa(i) }
