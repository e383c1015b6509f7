package uis

import (
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/api/wiretext"
)

// The error codes (UIS "Группы кодов ошибок").
const (
	codeParse        = -32700
	codeRequest      = -32600
	codeMethod       = -32601
	codeParams       = -32602
	codeInternal     = -32603
	codeAuth         = -32001
	codeAccess       = -32003
	codeLimit        = -32029
	codeNotSupported = -32099
)

// The mnemonics crmd answers with (UIS data.mnemonic).
const (
	mnParseError          = "parse_error"
	mnInvalidRequest      = "invalid_request"
	mnMethodNotFound      = "method_not_found"
	mnInternal            = "internal_error"
	mnTokenExpired        = "access_token_expired"
	mnTokenInvalid        = "access_token_invalid"
	mnAuth                = "auth_error"
	mnLimit               = "limit_exceeded"
	mnForbidden           = "forbidden"
	mnDataType            = "data_type_error"
	mnBatch               = "batch_opreations_not_supported" // sic, as UIS spells it
	mnNotifications       = "notifications_not_supported"
	mnRequired            = "required_parameter_missed"
	mnInvalidValue        = "invalid_parameter_value"
	mnUnexpected          = "unexpected_parameters"
	mnCombination         = "invalid_parameters_combination"
	mnSortProhibited      = "sort_prohibited"
	mnFilterProhibited    = "filter_prohibited"
	mnEntityNotFound      = "entity_not_found"
	mnDependency          = "dependency_error"
	mnDuplicate           = "duplicate_entity"
	mnDataLimitExceeded   = "data_limit_exceeded"
	mnDeleteForbidden     = "forbidden" // the delete verb's "system entity" variant, code -32602
	deleteForbiddenMarker = "delete:"   // internal key of that variant in catalogue
)

// catalogue maps a mnemonic to its code and message, word for word as UIS
// documents them (typos included).
var catalogue = map[string]struct {
	code    int
	message string
}{
	mnParseError:          {codeParse, "Invalid JSON was received by the server."},
	mnInvalidRequest:      {codeRequest, "Invalid Request The JSON sent is not a valid Request object"},
	mnMethodNotFound:      {codeMethod, "The method does not exist / is not available"},
	mnInternal:            {codeInternal, "Internal error, contact the support service"},
	mnTokenExpired:        {codeAuth, "Access token has been expired"},
	mnTokenInvalid:        {codeAuth, "Access token is invalid"},
	mnAuth:                {codeAuth, "Login or password is wrong"},
	mnLimit:               {codeLimit, "Limit per {limit_type} has been exceeded. Value of current limit per {limit_type} is {limit_max_value}"},
	mnForbidden:           {codeAccess, "Permission denied"},
	mnDataType:            {codeParams, "Data supplied is of wrong type"},
	mnBatch:               {codeNotSupported, "Batch operations not supported"},
	mnNotifications:       {codeNotSupported, "Notifications not supported"},
	mnRequired:            {codeParams, "The required parameter has been missed"},
	mnInvalidValue:        {codeParams, "Invalid parameter value"},
	mnUnexpected:          {codeParams, "Unexpected method parameter(s)"},
	mnCombination:         {codeParams, "The combination of parameters is not permitted"},
	mnSortProhibited:      {codeParams, "Sort by parameter is prohibited"},
	mnFilterProhibited:    {codeParams, "Filter by parameter is prohibited"},
	mnEntityNotFound:      {codeParams, "Entity not found"},
	mnDependency:          {codeParams, "You have interdependet entities"},
	mnDuplicate:           {codeParams, "Duplicate entity"},
	mnDataLimitExceeded:   {codeParams, "A new data limit has been exceeded"},
	deleteForbiddenMarker: {codeParams, "Permission denied"},
}

// rpcError is an error answered in the UIS error object. Field names the
// parameter (dot-separated, array items by index: "stages.in_process.0.order");
// value is what the caller sent there, as sent.
type rpcError struct {
	key    string // a catalogue key: the mnemonic, or deleteForbiddenMarker
	field  string
	value  *string
	params map[string]any
}

func (e *rpcError) Error() string {
	s := e.mnemonic()
	if e.field != "" {
		s += " (" + e.field + ")"
	}
	return s
}

func (e *rpcError) mnemonic() string {
	if e.key == deleteForbiddenMarker {
		return mnDeleteForbidden
	}
	return e.key
}

// message is the catalogue text with params put into its placeholders.
func (e *rpcError) message() string {
	msg := catalogue[e.key].message
	for k, v := range e.params {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case int64:
			s = strconv.FormatInt(v, 10)
		case int:
			s = strconv.Itoa(v)
		default:
			continue
		}
		msg = strings.ReplaceAll(msg, "{"+k+"}", s)
	}
	return msg
}

// fail returns an rpcError with no value.
func fail(mnemonic, field string) *rpcError {
	return &rpcError{key: mnemonic, field: field}
}

// failValue returns an rpcError carrying the value the caller sent.
func failValue(mnemonic, field, value string) *rpcError {
	return &rpcError{key: mnemonic, field: field, value: &value}
}

// textFault answers text crmd refuses to store (wiretext: invalid UTF-8, a
// lone surrogate, a control character) as invalid_parameter_value naming
// the parameter the way other parameter errors do ("filter.value"). The
// value is not echoed: it could not be sent back as it came.
func textFault(fault *wiretext.Fault) *rpcError {
	path := fault.Path
	if len(path) > 0 && path[0] == "params" {
		path = path[1:]
	}
	return fail(mnInvalidValue, strings.Join(path, "."))
}
