package crm

import (
	"testing"
	"time"
)

// TestCoerceCustom: lead custom values are read by their field's type.
func TestCoerceCustom(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skip(err)
	}
	defs := []CustomField{{ID: 1, Type: FieldDate}, {ID: 2, Type: FieldDateTime}, {ID: 3, Type: FieldCheckbox}, {ID: 4, Type: FieldText}}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, msk).Unix()
	at := time.Date(2024, 3, 1, 10, 30, 0, 0, msk).Unix()
	for _, tc := range []struct {
		id   int64
		in   any
		want any
	}{
		{1, "2024-03-01", itoa(int(day))},
		{1, " 2024-03-01 ", itoa(int(day))},
		{1, "2024-03-01 10:30:00", itoa(int(at))},
		{2, "2024-03-01 10:30:00", itoa(int(at))},
		{1, float64(day), float64(day)}, // Unix seconds, as the domain takes them
		{1, "вчера", "вчера"},           // resolveCustom refuses it
		{3, float64(1), true},
		{3, float64(0), false},
		{3, "1", true},
		{3, "TRUE", true},
		{3, "0", false},
		{3, "", false},
		{3, "да", "да"},
		{3, true, true},
		{4, "2024-03-01", "2024-03-01"},
		{9, "2024-03-01", "2024-03-01"}, // an unknown field passes for resolveCustom to refuse
	} {
		got := coerceCustom(defs, []CustomValueInput{{FieldID: tc.id, Value: tc.in}}, msk)
		if len(got) != 1 || got[0].FieldID != tc.id || got[0].Value != tc.want {
			t.Errorf("field %d, %#v: got %#v, want %#v", tc.id, tc.in, got, tc.want)
		}
	}
}
