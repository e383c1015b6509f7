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
		a := ltNewAccount(t, env, "Custom by type")
		day := ltField(t, env, a, crm.EntityInbound, "День", crm.FieldDate)
		at := ltField(t, env, a, crm.EntityInbound, "Время", crm.FieldDateTime)
		flag := ltField(t, env, a, crm.EntityInbound, "Флажок", crm.FieldCheckbox)
		text := ltField(t, env, a, crm.EntityInbound, "Текст", crm.FieldText)
		custom := func(l map[string]any) map[string]any {
			got := map[string]any{}
			for _, v := range ltList(t, ltObj(t, l, "values"), "custom") {
				m := v.(map[string]any)
				got[m["input_id"].(string)] = m["value"]
			}
			return got
		}
		want := func(l map[string]any, dayText, atText, flagText string) {
			t.Helper()
			got := custom(l)
			if got[fmt.Sprint(day)] != dayText || got[fmt.Sprint(at)] != atText || got[fmt.Sprint(flag)] != flagText ||
				got[fmt.Sprint(text)] != "2024-03-01" {
				t.Errorf("custom values %v, want %s, %s, %s and the text as sent", got, dayText, atText, flagText)
			}
		}

		obj := ltOK(t, ltPost(t, env, a.key, "lead/set/", fmt.Sprintf(`{"method": "create", "values": {"phone": "79990001122",
			"custom": [{"input_id": %d, "value": "2024-03-01"}, {"input_id": %d, "value": "2024-03-01 10:30:00"},
				{"input_id": %d, "value": 1}, {"input_id": %d, "value": "2024-03-01"}]}}`, day, at, flag, text)))
		id := ltNum(t, obj, "id")
		// Moscow time, the account's: a time read as UTC would come back 13:30.
		want(ltGet(t, env, a.key, id), "2024-03-01", "2024-03-01 10:30:00", "1")

		ltOK(t, ltPost(t, env, a.key, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": [
			{"input_id": %d, "value": "2024-04-02", "value_type_id": 2},
			{"input_id": %d, "value": "2024-04-02 23:15:00", "value_type_id": 2},
			{"input_id": %d, "value": "0", "value_type_id": 2}]}`, id, day, at, flag)))
		want(ltGet(t, env, a.key, id), "2024-04-02", "2024-04-02 23:15:00", "0")

		// A day that is no day is the domain's to refuse, as before.
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": [
			{"input_id": %d, "value": "вчера", "value_type_id": 2}]}`, id, day)), 400, "Неверный request")
	})
}
