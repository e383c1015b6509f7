package envybox

import (
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
)

// TestCodeRepliesKeepKinds: a code's status is its kind's, so that the
// table words errors without moving them to another status, except the
// generic bad request, which the document prints with 500.
func TestCodeRepliesKeepKinds(t *testing.T) {
	for code, r := range codeReplies {
		want := kindStatus[crm.Fail(code).Kind]
		if answeredAlone(code) {
			want = http.StatusInternalServerError
		}
		if r.status != want {
			t.Errorf("%s: status %d, want %d", code, r.status, want)
		}
		if r.text == "" {
			t.Errorf("%s: no text", code)
		}
	}
}

// TestErrorReply: codes, not messages, choose Envybox's answer.
func TestErrorReply(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"coded", crm.Fail(crm.CodeDealNotFound), 404, "Сделка не найдена"},
		{"generic", crm.Fail(crm.CodeMissingInput), 500, msgInvalidRequest},
		{"uncoded", crm.Errorf(crm.KindConflict, "Сделка не найдена"), 409, "Сделка не найдена"},
		{"the generic text uncoded is no generic error", crm.Errorf(crm.KindInvalid, msgInvalidRequest), 400, msgInvalidRequest},
		{"violation", crm.Invalid(crm.Violation{Path: "name", Code: crm.ViolationRequired, Detail: "Не указано имя"}),
			400, msgInvalidRequest + ": name: Не указано имя"},
		{"violation with a generic reason", crm.Invalid(crm.Violation{Path: "pipeline_id", Code: crm.ViolationChoice,
			Detail: "anything", Reason: crm.CodeUnknownReference}), 500, msgInvalidRequest},
		{"violation with a worded reason", crm.Invalid(crm.Violation{Path: "inputs.0", Code: crm.ViolationChoice,
			Detail: "No field has this id.", Reason: crm.CodeFieldNotFound}), 400, msgInvalidRequest + ": inputs.0: Поле не найдено"},
		{"only the first violation counts", crm.Invalid(crm.Violation{Path: "a", Detail: "x"},
			crm.Violation{Path: "b", Reason: crm.CodeUnknownReference}), 400, msgInvalidRequest + ": a: x"},
	} {
		status, msg, ok := errorReply(tc.err)
		if !ok || status != tc.status || msg != tc.msg {
			t.Errorf("%s: %d %q %v, want %d %q", tc.name, status, msg, ok, tc.status, tc.msg)
		}
	}
	if _, _, ok := errorReply(http.ErrBodyNotAllowed); ok {
		t.Error("an error that is not the domain's is internal")
	}
}
