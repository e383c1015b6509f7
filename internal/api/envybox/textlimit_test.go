package envybox_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestTextLimits: every Envybox text field has the domain's maximum (names
// 255 characters, one-line values 255, comments and notes 65,535), the
// same on both databases, and a value over it is refused whole: nothing is
// stored (a 10,000-character name was stored twice, record and history).
func TestTextLimits(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Limits")
		name255, name256 := strings.Repeat("я", 255), strings.Repeat("я", 256)
		long := strings.Repeat("x", 10000)

		// Leads: name, UTM marks, contact data, comment.
		for _, c := range []struct{ values, param string }{
			{`"name":"` + long + `"`, "values.name"},
			{`"name":"` + name256 + `"`, "values.name"},
			{`"utm_source":"` + name256 + `"`, "values.utm_source"},
			{`"comment":"` + strings.Repeat("c", 65536) + `"`, "values.comment"},
		} {
			resp := ltPost(t, env, a.key, "lead/set/", `{"method":"create","values":{"phone":"+74993229710",`+c.values+`}}`)
			ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: "+c.param+": This value is too long")
		}
		resp := ltPost(t, env, a.key, "lead/set/", `{"method":"create","values":{"phone":"+74993229710"},
			"contact_data":[{"type":"telegram","value":"`+name256+`"}]}`)
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: contact_data.0.value: This value is too long")
		list := ltOK(t, ltPost(t, env, a.key, "lead/list/", `{}`))
		if n := len(ltList(t, ltObj(t, list, "leads"), "result")); n != 0 {
			t.Fatalf("refused leads were stored: %d", n)
		}
		// At the limits, accepted.
		id, _ := ltCreate(t, env, a.key, `{"method":"create","values":{"phone":"+74993229710","name":"`+name255+
			`","comment":"`+strings.Repeat("c", 65535)+`"}}`)
		if got := ltGet(t, env, a.key, id); !strings.Contains(fmt.Sprint(got), name255) {
			t.Errorf("the 255-character name did not come back: %v", got)
		}
		resp = ltPost(t, env, a.key, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id":%d,"fields":[{"input_id":1,"value":"%s","value_type_id":1}]}`, id, name256))
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: fields.0.value: This value is too long")

		// Clients: name, contact persons, companies.
		resp = ltPost(t, env, a.key, "client/create/", `{"name":"`+name256+`"}`)
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: name: This value is too long")
		client := ltNum(t, ltObj(t, ltObj(t, ltOK(t, ltPost(t, env, a.key, "client/create/", `{"name":"`+name255+`"}`)), "result"), "client"), "id")
		resp = ltPost(t, env, a.key, "client/updateClientValue/", fmt.Sprintf(`{"client_id":%d,"fields":[{"input_id":1001,"value":"%s","value_type_id":1}]}`, client, name256))
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: fields.0.value: This value is too long")
		resp = ltPost(t, env, a.key, "client/addContact/", fmt.Sprintf(`{"client_id":%d,"name":"Ок","phone":"+74993229710","note":"%s"}`, client, strings.Repeat("n", 65536)))
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: note: This value is too long")
		resp = ltPost(t, env, a.key, fmt.Sprintf("client/%d/addCompany/", client), fmt.Sprintf(`{"short_name":"%s","inn":"7707083893"}`, name256))
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: short_name: This value is too long")

		// Deals: the name, on creation and through its service value.
		resp = ltPost(t, env, a.key, "deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"%s"}`, client, name256))
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: name: This value is too long")
		deal := ltNum(t, ltObj(t, ltObj(t, ltOK(t, ltPost(t, env, a.key, "deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"%s"}`, client, name255))), "result"), "deal"), "id")
		resp = ltPost(t, env, a.key, "deal/updateDealValue/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"fields":[{"input_id":2001,"value":"%s","value_type_id":1}]}`, deal, client, name256))
		ltFailPrefix(t, resp, http.StatusBadRequest, "Неверный request: fields.0.value: This value is too long")
	})
}
