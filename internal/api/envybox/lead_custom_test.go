package envybox_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestLeadCustomByType: lead writes give custom dates as days (or times)
// in the account's time zone and checkboxes as 1/0, read by the field's
// type in the domain, in lead/set and lead/updateLeadValue alike.
func TestLeadCustomByType(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Custom by type")
		day := a.field(t, crm.EntityInbound, "День", crm.FieldDate).ID
		at := a.field(t, crm.EntityInbound, "Время", crm.FieldDateTime).ID
		flag := a.field(t, crm.EntityInbound, "Флажок", crm.FieldCheckbox).ID
		text := a.field(t, crm.EntityInbound, "Текст", crm.FieldText).ID
		// want checks the custom values by input_id; the text is as sent.
		want := func(l crmtest.JSON, dayText, atText, flagText string) {
			t.Helper()
			got := map[string]any{}
			for _, v := range l.List("values.custom") {
				got[v.Str("input_id")] = v.At("value")
			}
			crmtest.Equal(t, "custom values", got, map[string]any{fmt.Sprint(day): dayText, fmt.Sprint(at): atText,
				fmt.Sprint(flag): flagText, fmt.Sprint(text): "2024-03-01"})
		}

		id := a.ok(t, "lead/set/", fmt.Sprintf(`{"method": "create", "values": {"phone": "79990001122",
			"custom": [{"input_id": %d, "value": "2024-03-01"}, {"input_id": %d, "value": "2024-03-01 10:30:00"},
				{"input_id": %d, "value": 1}, {"input_id": %d, "value": "2024-03-01"}]}}`, day, at, flag, text)).Int("id")
		// Moscow time, the account's: a time read as UTC would come back 13:30.
		want(a.getLead(t, id), "2024-03-01", "2024-03-01 10:30:00", "1")

		a.ok(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": [
			{"input_id": %d, "value": "2024-04-02", "value_type_id": 2},
			{"input_id": %d, "value": "2024-04-02 23:15:00", "value_type_id": 2},
			{"input_id": %d, "value": "0", "value_type_id": 2}]}`, id, day, at, flag))
		want(a.getLead(t, id), "2024-04-02", "2024-04-02 23:15:00", "0")

		// A day that is no day is the domain's to refuse, as before.
		a.failPrefix(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": [
			{"input_id": %d, "value": "вчера", "value_type_id": 2}]}`, id, day), 400, "Неверный request")
	})
}
