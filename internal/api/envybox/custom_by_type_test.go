package envybox_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestDealClientCustomByType: deal and client writes read custom dates as
// days in the account's time zone and checkboxes as 1/0, as lead writes
// do (docs/envybox.md, "Values"); before, only leads did.
func TestDealClientCustomByType(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Custom by type")
		dealDay := ltField(t, env, a, crm.EntityDeal, "Дата договора", crm.FieldDate)
		dealFlag := ltField(t, env, a, crm.EntityDeal, "Оплачено", crm.FieldCheckbox)
		clientDay := ltField(t, env, a, crm.EntityContact, "День рождения", crm.FieldDate)
		client := ltNum(t, ltObj(t, ltObj(t, ltOK(t, ltPost(t, env, a.key, "client/create/", `{"name":"Клиент"}`)), "result"), "client"), "id")
		deal := ltNum(t, ltObj(t, ltObj(t, ltOK(t, ltPost(t, env, a.key, "deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"Сделка"}`, client))), "result"), "deal"), "id")

		ltOK(t, ltPost(t, env, a.key, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"fields":[
			{"input_id":%d,"value":"2024-03-01","value_type_id":2},{"input_id":%d,"value":"1","value_type_id":2}]}`, deal, client, dealDay, dealFlag)))
		got := string(ltPost(t, env, a.key, "deal/list/", `{}`).Body) // deal/list shows values, deal/get does not
		if !strings.Contains(got, `"2024-03-01"`) {
			t.Errorf("deal date not stored as the day sent: %s", got)
		}

		ltOK(t, ltPost(t, env, a.key, "client/updateClientValue/", fmt.Sprintf(`{"client_id":%d,"fields":[
			{"input_id":%d,"value":"1990-05-17","value_type_id":2}]}`, client, clientDay)))
		got = string(ltPost(t, env, a.key, "client/get/", fmt.Sprintf(`{"client_id":%d}`, client)).Body)
		if !strings.Contains(got, `"1990-05-17"`) {
			t.Errorf("client date not stored as the day sent: %s", got)
		}

		// A day that is no day is still refused.
		ltFailPrefix(t, ltPost(t, env, a.key, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"fields":[
			{"input_id":%d,"value":"вчера","value_type_id":2}]}`, deal, client, dealDay)), 400, "Неверный request")
	})
}
