package crm

import "testing"

// TestCodes: every code has a kind and a message, and its error carries it.
func TestCodes(t *testing.T) {
	for code, c := range codes {
		if c.kind == "" || c.message == "" {
			t.Errorf("%s: kind %q, message %q", code, c.kind, c.message)
		}
		e := Fail(code)
		if e.Code != code || CodeOf(e) != code || e.Kind != c.kind {
			t.Errorf("%s: Fail gives %+v", code, e)
		}
	}
	if CodeOf(Errorf(KindInvalid, "x")) != "" {
		t.Error("an error made by Errorf has no code")
	}
	var v violations
	v.refuse(0, "p", ViolationChoice, CodeUnknownReference)
	if got := v[0]; got.Reason != CodeUnknownReference || got.Detail != codes[CodeUnknownReference].message {
		t.Errorf("refuse: %+v", got)
	}
}
