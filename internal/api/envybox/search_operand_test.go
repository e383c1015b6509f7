package envybox

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
)

// TestSearchOperand: a field condition's value reaches the domain in the
// form it was sent in, numbers as float64 and a number float64 cannot hold
// as the text it was written as.
func TestSearchOperand(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(`[null, " Окна ", 12.5, 1e400, true, [], ["1", 2], {},
		{"field": "date", "start": "2024-03-01", "end": null}]`))
	dec.UseNumber()
	var list []any
	if err := dec.Decode(&list); err != nil {
		t.Fatal(err)
	}
	want := []crm.Operand{{}, crm.TextOperand(" Окна "), crm.NumberOperand(12.5), crm.TextOperand("1e400"), crm.BoolOperand(true),
		crm.ListOperand(), crm.ListOperand(crm.TextOperand("1"), crm.NumberOperand(2)), crm.ObjectOperand(nil),
		crm.ObjectOperand(map[string]crm.Operand{"field": crm.TextOperand("date"), "start": crm.TextOperand("2024-03-01"), "end": {}})}
	for i, x := range list {
		if got := searchOperand(x); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%d: %+v, want %+v", i, got, want[i])
		}
	}
}
