package envybox

import (
	"errors"
	"net/http"

	"github.com/crmd/crmd/internal/crm"
)

// msgInvalidRequest is Envybox's generic error text. The document prints
// it alone with 500 for a request it cannot act on, and crmd prefixes it to
// the detail of a malformed parameter (400).
const msgInvalidRequest = "Неверный request"

// reply is the status and message Envybox answers an error with.
type reply struct {
	status int
	text   string
}

// codeReplies words the domain's error codes as the Envybox documents do,
// word for word. A code missing here is answered by its kind and message.
var codeReplies = map[crm.Code]reply{
	crm.CodeInboundNotFound:   {http.StatusNotFound, "Лид с данным id не найден"},
	crm.CodeInboundTaken:      {http.StatusConflict, "Лид уже взят в работу"},
	crm.CodeDealNotFound:      {http.StatusNotFound, "Сделка не найдена"},
	crm.CodeDealLogNotFound:   {http.StatusNotFound, "Сделка с данным id не найдена"},
	crm.CodeClientNotFound:    {http.StatusNotFound, "Клиент не найден"},
	crm.CodeFieldNotFound:     {http.StatusNotFound, "Поле не найдено"},
	crm.CodeTaskNotFound:      {http.StatusNotFound, "Задача не найдена"},
	crm.CodeReportNotFound:    {http.StatusNotFound, "Статистика не найдена"},
	crm.CodePipelineNotFound:  {http.StatusNotFound, "Воронка не найдена"},
	crm.CodeStageNotFound:     {http.StatusBadRequest, "Этап не найден"},
	crm.CodeStageChangeLocked: {http.StatusForbidden, "В настройках воронки сделки не включена настройка \"Разрешить менять статусы вручную\""},
	// Envybox has one answer for everything its document calls a bad
	// request: an unknown id, nothing to act on, an unknown option.
	crm.CodeUnknownReference: {http.StatusInternalServerError, msgInvalidRequest},
	crm.CodeMissingInput:     {http.StatusInternalServerError, msgInvalidRequest},
	crm.CodeUnknownOption:    {http.StatusInternalServerError, msgInvalidRequest},
}

// answeredAlone reports whether a violation for the reason code is
// answered as that error alone, not as a parameter's detail: the generic
// bad request, which names no parameter in the document.
func answeredAlone(code crm.Code) bool {
	switch code {
	case crm.CodeUnknownReference, crm.CodeMissingInput, crm.CodeUnknownOption:
		return true
	}
	return false
}

// kindStatus maps domain error kinds to statuses where the document's code
// is illegible.
var kindStatus = map[crm.Kind]int{
	crm.KindInvalid:       http.StatusBadRequest,
	crm.KindNotFound:      http.StatusNotFound,
	crm.KindConflict:      http.StatusConflict,
	crm.KindForbidden:     http.StatusForbidden,
	crm.KindUnauthorized:  http.StatusUnauthorized,
	crm.KindLimit:         http.StatusBadRequest,
	crm.KindUnprocessable: http.StatusBadRequest,
}

// apiError is an error with the Envybox status and message to answer.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

// badRequest is a missing or malformed parameter.
func badRequest(message string) error {
	return &apiError{status: http.StatusBadRequest, message: message}
}

// invalidRequest is Envybox's generic bad request, for what the dialect
// itself cannot read.
func invalidRequest() error {
	return &apiError{status: http.StatusInternalServerError, message: msgInvalidRequest}
}

// errorReply turns an error into the status and message to answer, or
// false for an internal error. A domain error is answered by its code
// when it has one Envybox words; a validation error by its first
// violation, as "Неверный request: path: detail".
func errorReply(err error) (int, string, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, ae.message, true
	}
	e, ok := crm.AsError(err)
	if !ok {
		return 0, "", false
	}
	if r, ok := codeReplies[e.Code]; ok {
		return r.status, r.text, true
	}
	status, msg := kindStatus[e.Kind], e.Message
	if len(e.Violations) > 0 {
		v := e.Violations[0]
		detail := violationDetail(v)
		if r, ok := codeReplies[v.Reason]; ok {
			if answeredAlone(v.Reason) {
				return r.status, r.text, true
			}
			detail = r.text
		}
		msg = msgInvalidRequest + ": " + v.Path + ": " + detail
	}
	return status, msg, true
}
