package amocrm_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of amoCRM's webhook subscriptions (companion §8.1).

const webhooksPath = "/api/v4/webhooks"

// webhookKeys are the webhook model's members, all of them always present.
var webhookKeys = []string{"id", "destination", "created_at", "updated_at", "account_id", "created_by", "sort", "disabled", "settings"}

// TestV4Webhooks subscribes, lists, re-subscribes (an update), filters and
// unsubscribes, and checks every refusal: validation, 401, 403, 404 and
// the account's limit of 100.
func TestV4Webhooks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Hooks", "")
		nothing(a.api.Get(t, webhooksPath))

		// POST: 201 and the one webhook, exactly the model's members.
		made := a.api.Post(t, webhooksPath, `{"destination":"https://example.com/hook","settings":["add_lead","status_lead","add_lead"],"sort":2}`).
			HAL(201).Keys("", webhookKeys...).
			Equal("destination", "https://example.com/hook").Equal("settings", []any{"add_lead", "status_lead"}).
			Equal("sort", 2).Equal("disabled", false).Equal("account_id", a.AccountID).Equal("created_by", a.UserID)
		id := made.Int("id")
		if made.Int("created_at") == 0 || made.Int("updated_at") < made.Int("created_at") {
			t.Errorf("times: %s", made.Body)
		}

		// The same destination again updates it: the same id, new settings.
		a.api.Post(t, webhooksPath, `{"destination":"https://example.com/hook","settings":["update_lead","add_chat_template_review"]}`).
			HAL(201).Equal("id", id).Equal("settings", []any{"update_lead", "add_chat_template_review"})
		other := a.api.Post(t, webhooksPath, `{"destination":"https://example.com/other","settings":["add_contact"]}`).HAL(201).Int("id")

		list := a.api.Get(t, webhooksPath).HAL(200).Keys("", "_total_items", "_embedded").Equal("_total_items", 2)
		list.Equal("_embedded.webhooks.*.id", []int64{id, other})
		list.Sub("_embedded.webhooks.0").Keys("", webhookKeys...)
		a.api.Get(t, webhooksPath+"?filter[destination]="+url.QueryEscape("https://example.com/other")).HAL(200).
			Equal("_total_items", 1).Equal("_embedded.webhooks.*.id", []int64{other})
		nothing(a.api.Get(t, webhooksPath+"?filter[destination]=https://example.com/none"))
		a.api.Get(t, webhooksPath+"?filter[id]=1").WantViolations(crmtest.Violated("0", "FieldNotExpected", "filter[id]"))

		// Validation: amoCRM's validation-errors envelope, request_id "0".
		for _, c := range []struct {
			name, body, code, path string
		}{
			{"no destination", `{"settings":["add_lead"]}`, "FieldMissing", "destination"},
			{"not a URL", `{"destination":"example.com","settings":["add_lead"]}`, "InvalidValue", "destination"},
			{"ftp", `{"destination":"ftp://example.com/x","settings":["add_lead"]}`, "InvalidValue", "destination"},
			{"credentials", `{"destination":"https://u:p@example.com/","settings":["add_lead"]}`, "InvalidValue", "destination"},
			{"destination a number", `{"destination":1,"settings":["add_lead"]}`, "InvalidType", "destination"},
			{"no settings", `{"destination":"https://example.com/x"}`, "FieldMissing", "settings"},
			{"empty settings", `{"destination":"https://example.com/x","settings":[]}`, "FieldMissing", "settings"},
			{"settings an object", `{"destination":"https://example.com/x","settings":{"add_lead":1}}`, "InvalidType", "settings"},
			{"unknown event", `{"destination":"https://example.com/x","settings":["add_lead","add_unsorted"]}`, "NotSupportedChoice", "settings.1"},
			{"event a number", `{"destination":"https://example.com/x","settings":[1]}`, "InvalidType", "settings.0"},
			{"sort a string", `{"destination":"https://example.com/x","settings":["add_lead"],"sort":"a"}`, "InvalidType", "sort"},
		} {
			a.api.Post(t, webhooksPath, c.body).WantViolations(crmtest.Violated("0", c.code, c.path))
		}
		a.api.Post(t, webhooksPath, `{"destination":`).Problem(400)
		a.api.Do(t, "DELETE", webhooksPath, `{}`).WantViolations(crmtest.Violated("0", "FieldMissing", "destination"))
		a.api.Do(t, "DELETE", webhooksPath, `{"destination":" "}`).WantViolations(crmtest.Violated("0", "NotBlank", "destination"))
		a.api.Do(t, "DELETE", webhooksPath, `{"destination":5}`).WantViolations(crmtest.Violated("0", "InvalidType", "destination"))

		// 401 without credentials; 403 for members, DELETE included.
		for _, bad := range badClients(env, a) {
			bad.api.Get(t, webhooksPath).Problem(401)
			bad.api.Post(t, webhooksPath, `{"destination":"https://example.com/x","settings":["add_lead"]}`).Problem(401)
			bad.api.Do(t, "DELETE", webhooksPath, `{"destination":"https://example.com/hook"}`).Problem(401)
		}
		member := a.member(t, env)
		member.Get(t, webhooksPath).Problem(403)
		member.Post(t, webhooksPath, `{"destination":"https://example.com/x","settings":["add_lead"]}`).Problem(403)
		member.Do(t, "DELETE", webhooksPath, `{"destination":"https://example.com/hook"}`).Problem(403)

		// Another account sees none of them and cannot delete them.
		b := newAccount(t, env, "Other", "")
		nothing(b.api.Get(t, webhooksPath))
		b.api.Do(t, "DELETE", webhooksPath, `{"destination":"https://example.com/hook"}`).Problem(404)

		// DELETE: 204, then 404 for the same destination.
		a.api.Do(t, "DELETE", webhooksPath, `{"destination":"https://example.com/hook"}`).HAL(204)
		a.api.Do(t, "DELETE", webhooksPath, `{"destination":"https://example.com/hook"}`).Problem(404)
		a.api.Get(t, webhooksPath).HAL(200).Equal("_embedded.webhooks.*.id", []int64{other})

		// At most 100: the 101st is amoCRM's 422; a known destination still
		// updates.
		for i := 2; i <= 100; i++ {
			a.api.Post(t, webhooksPath, fmt.Sprintf(`{"destination":"https://example.com/%d","settings":["add_lead"]}`, i)).HAL(201)
		}
		a.api.Post(t, webhooksPath, `{"destination":"https://example.com/101","settings":["add_lead"]}`).Problem(422)
		a.api.Post(t, webhooksPath, `{"destination":"https://example.com/other","settings":["add_task"]}`).HAL(201).
			Equal("id", other).Equal("settings", []any{"add_task"})
		a.api.Get(t, webhooksPath).HAL(200).Equal("_total_items", 100)
	})
}
