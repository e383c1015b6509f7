package envybox_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestDealClientCustomByType: deal and client writes read custom dates as
// days in the account's time zone and checkboxes as 1/0, as lead writes
// do (docs/envybox.md, "Values"); before, only leads did.
func TestDealClientCustomByType(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Custom by type")
		dealDay := a.field(t, crm.EntityDeal, "Дата договора", crm.FieldDate).ID
		dealFlag := a.field(t, crm.EntityDeal, "Оплачено", crm.FieldCheckbox).ID
		clientDay := a.field(t, crm.EntityContact, "День рождения", crm.FieldDate).ID
		client := a.createClient(t, `{"name":"Клиент"}`)
		deal := a.ok(t, "deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"Сделка"}`, client)).Int("result.deal.id")

		a.ok(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"fields":[
			{"input_id":%d,"value":"2024-03-01","value_type_id":2},{"input_id":%d,"value":"1","value_type_id":2}]}`, deal, client, dealDay, dealFlag))
		// deal/list shows values, deal/get does not.
		row := a.ok(t, "deal/list/", `{}`).Sub("result.0.values")
		row.Equal(fmt.Sprintf("custom.input_id=%d.value", dealDay), "2024-03-01")
		row.Equal(fmt.Sprintf("custom.input_id=%d.value", dealFlag), "1")

		a.ok(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id":%d,"fields":[
			{"input_id":%d,"value":"1990-05-17","value_type_id":2}]}`, client, clientDay))
		a.ok(t, "client/get/", fmt.Sprintf(`{"client_id":%d}`, client)).Equal(fmt.Sprintf("result.values.custom.input_id=%d.value", clientDay), "1990-05-17")

		// A day that is no day is still refused.
		a.failPrefix(t, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"fields":[
			{"input_id":%d,"value":"вчера","value_type_id":2}]}`, deal, client, dealDay), 400, "Неверный request")
	})
}
