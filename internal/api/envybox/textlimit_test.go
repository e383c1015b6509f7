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
		a := newAccount(t, env, "Limits")
		name255, name256 := strings.Repeat("я", 255), strings.Repeat("я", 256)
		long := strings.Repeat("x", 10000)
		tooLong := func(path, request, param string) {
			t.Helper()
			a.failPrefix(t, path, request, http.StatusBadRequest, "Неверный request: "+param+": This value is too long")
		}

		// Leads: name, UTM marks, contact data, comment.
		for _, c := range []struct{ values, param string }{
			{`"name":"` + long + `"`, "values.name"},
			{`"name":"` + name256 + `"`, "values.name"},
			{`"utm_source":"` + name256 + `"`, "values.utm_source"},
			{`"comment":"` + strings.Repeat("c", 65536) + `"`, "values.comment"},
		} {
			tooLong("lead/set/", `{"method":"create","values":{"phone":"+74993229710",`+c.values+`}}`, c.param)
		}
		tooLong("lead/set/", `{"method":"create","values":{"phone":"+74993229710"},
			"contact_data":[{"type":"telegram","value":"`+name256+`"}]}`, "contact_data.0.value")
		if n := len(a.ok(t, "lead/list/", `{}`).List("leads.result")); n != 0 {
			t.Fatalf("refused leads were stored: %d", n)
		}
		// At the limits, accepted.
		id, _ := a.createLead(t, `{"method":"create","values":{"phone":"+74993229710","name":"`+name255+
			`","comment":"`+strings.Repeat("c", 65535)+`"}}`)
		a.getLead(t, id).Equal("name", name255)
		tooLong("lead/updateLeadValue/", fmt.Sprintf(`{"lead_id":%d,"fields":[{"input_id":1,"value":"%s","value_type_id":1}]}`, id, name256),
			"fields.0.value")

		// Clients: name, contact persons, companies.
		tooLong("client/create/", `{"name":"`+name256+`"}`, "name")
		client := a.createClient(t, `{"name":"`+name255+`"}`)
		tooLong("client/updateClientValue/", fmt.Sprintf(`{"client_id":%d,"fields":[{"input_id":1001,"value":"%s","value_type_id":1}]}`,
			client, name256), "fields.0.value")
		tooLong("client/addContact/", fmt.Sprintf(`{"client_id":%d,"name":"Ок","phone":"+74993229710","note":"%s"}`,
			client, strings.Repeat("n", 65536)), "note")
		tooLong(fmt.Sprintf("client/%d/addCompany/", client), fmt.Sprintf(`{"short_name":"%s","inn":"7707083893"}`, name256), "short_name")

		// Deals: the name, on creation and through its service value.
		tooLong("deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"%s"}`, client, name256), "name")
		deal := a.ok(t, "deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"%s"}`, client, name255)).Int("result.deal.id")
		tooLong("deal/updateDealValue/", fmt.Sprintf(`{"deal_id":%d,"client_id":%d,"fields":[{"input_id":2001,"value":"%s","value_type_id":1}]}`,
			deal, client, name256), "fields.0.value")
	})
}
