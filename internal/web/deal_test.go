package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestDealCard: the card shows the deal, its client, tags, tasks and
// timeline; edits in place go through the amoCRM lead update and show in
// the timeline with old and new values; refusals are clear.
func TestDealCard(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Card")
		m.signIn(t)
		ctx := context.Background()
		stages := m.stages(t)
		name, kind := "Delivery", crm.FieldSelect
		fields, err := m.service().AddCustomFields(ctx, m.Actor, crm.EntityDeal, []crm.NewCustomField{
			{Name: &name, Type: kind, Enums: []crm.EnumInput{{Value: "Courier"}, {Value: "Pickup"}}},
			{Name: ptr("Due <date>"), Type: crm.FieldDate},
		})
		if err != nil {
			t.Fatal(err)
		}
		sel, date := fields[0], fields[1]
		leadID := widgetLead(t, env, m, "Anna <i>Smirnova</i>", "8 (916) 555-44-33")
		id := startLead(t, env, m, leadID)
		path := fmt.Sprintf("/deals/%d", id)

		p := m.get(t, path)
		expect(t, p, http.StatusOK, `value="Anna &lt;i&gt;Smirnova&lt;/i&gt;"`, `href="tel:+79165554433">&#43;7(916)555-44-33</a>`,
			`href="https://wa.me/79165554433"`, "Delivery", "Due &lt;date&gt;", `class="timeline"`, "Deal created",
			fmt.Sprintf(`<option value="%d" selected>`, stages[0]))

		// Name, budget (as typed), responsible, a select and a date field.
		edits := []url.Values{
			{"field": {"name"}, "value": {"Anna's order"}},
			{"field": {"price"}, "value": {"150 000"}},
			{"field": {"responsible"}, "value": {itoa(m.UserID)}},
			{"field": {fmt.Sprintf("cf:%d", sel.ID)}, "value": {itoa(sel.Enums[1].ID)}},
			{"field": {fmt.Sprintf("cf:%d", date.ID)}, "value": {"2026-12-31"}},
			{"field": {fmt.Sprintf("sf:%d", crm.FieldDealUTMSource)}, "value": {"spring-sale"}},
		}
		for _, e := range edits {
			p := m.post(t, path+"/field", e, "X-Requested-With", "fetch")
			expect(t, p, http.StatusOK, `"message":"Saved"`)
		}
		p = m.post(t, path+"/field", url.Values{"field": {"price"}, "value": {"1 000"}})
		if p.Status != http.StatusSeeOther || p.Location != path {
			t.Errorf("a form edit: HTTP %d to %q", p.Status, p.Location)
		}
		resp := env.Do(t, http.MethodGet, fmt.Sprintf("/api/v4/leads/%d", id), m.creds.AmoCRMToken, "")
		lead := resp.Object(t)
		if lead["name"] != "Anna's order" || num(lead["price"]) != 1000 || num(lead["responsible_user_id"]) != m.UserID {
			t.Errorf("amoCRM sees %v", resp.Body)
		}
		p = m.get(t, path)
		expect(t, p, http.StatusOK, "Fields changed", "Budget: ₽0 → ₽150,000", "Budget: ₽150,000 → ₽1,000",
			"Delivery: — → Pickup", `value="2026-12-31"`, `value="spring-sale"`, fmt.Sprintf(`<option value="%d" selected>Pickup</option>`, sel.Enums[1].ID))

		// Refusals: a budget that is no number, an empty name, a field of
		// nothing, an enum of another field.
		for _, bad := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"field": {"price"}, "value": {"a lot"}}, "The budget must be a whole non-negative number."},
			{url.Values{"field": {"price"}, "value": {"-5"}}, "The budget must be a whole non-negative number."},
			{url.Values{"field": {"cf:999999"}, "value": {"x"}}, ""},
			{url.Values{"field": {"colour"}, "value": {"x"}}, "The form was not understood."},
			{url.Values{"field": {"sf:2001"}, "value": {"x"}}, "The form was not understood."},
			{url.Values{"field": {"sf:9"}, "value": {"x"}}, ""},
			{url.Values{"field": {fmt.Sprintf("cf:%d", date.ID)}, "value": {"31.12.2026"}}, "The date must look like 2026-12-31."},
		} {
			p := m.post(t, path+"/field", bad.form, "X-Requested-With", "fetch")
			if p.Status < 400 || p.Status >= 500 || !strings.Contains(p.Body, `"error":"`+bad.want) {
				t.Errorf("%v: HTTP %d %s", bad.form, p.Status, p.Body)
			}
		}

		// A comment (markup is text), a tag added and removed, a task.
		expect(t, m.post(t, path+"/comment", url.Values{"text": {"Wants <script>x</script>"}}, "X-Requested-With", "fetch"),
			http.StatusOK, `"reload":true`)
		expect(t, m.post(t, path+"/comment", url.Values{"text": {"  "}}), http.StatusUnprocessableEntity, "Write the comment first.")
		expect(t, m.post(t, path+"/tags", url.Values{"tag": {"hot"}}, "X-Requested-With", "fetch"), http.StatusOK)
		expect(t, m.post(t, path+"/tasks", url.Values{"text": {"Call back"}, "due": {"2030-01-02T10:30"}, "responsible": {itoa(m.UserID)}}),
			http.StatusSeeOther)
		expect(t, m.post(t, path+"/tasks", url.Values{"text": {"Call back"}, "due": {"tomorrow"}}), http.StatusUnprocessableEntity,
			"Give the task a due date and time.")
		p = m.get(t, path)
		expect(t, p, http.StatusOK, "Wants &lt;script&gt;x&lt;/script&gt;", `<span class="tag">hot`, "Tags added",
			"Jan 2, 2030 10:30", "Call back")
		tags, _, err := m.service().DictionaryTags(ctx, m.Actor, crm.EntityDeal, crm.TagQuery{Name: "hot", Limit: 1})
		if err != nil || len(tags) != 1 {
			t.Fatalf("tag: %v %v", tags, err)
		}
		expect(t, m.post(t, path+"/tags", url.Values{"remove": {itoa(tags[0].ID)}}), http.StatusSeeOther)
		p = m.get(t, path)
		expect(t, p, http.StatusOK, "Tags removed")
		if strings.Contains(p.Body, `<span class="tag">hot`) {
			t.Error("the removed tag is still shown")
		}
		tasks, err := m.service().DealTasks(ctx, m.Actor, id)
		if err != nil || len(tasks) != 1 || tasks[0].Text != "Call back" {
			t.Fatalf("tasks: %+v %v", tasks, err)
		}
		// Completing it from the card comes back to the card.
		p = m.post(t, fmt.Sprintf("/tasks/%d/complete", tasks[0].ID), url.Values{"back": {path}})
		if p.Status != http.StatusSeeOther || p.Location != path {
			t.Errorf("complete from the card: HTTP %d to %q", p.Status, p.Location)
		}
		expect(t, m.get(t, path), http.StatusOK, "No open tasks.")

		// Another account's deal, a deal of nobody, junk ids.
		other := newAccount(t, env, "Other")
		other.signIn(t)
		expect(t, other.get(t, path), http.StatusNotFound, "No such deal.")
		expect(t, other.post(t, path+"/comment", url.Values{"text": {"hi"}}), http.StatusNotFound)
		expect(t, m.get(t, "/deals/999999"), http.StatusNotFound, "No such deal.")
		expect(t, m.get(t, "/deals/abc"), http.StatusNotFound)
	})
}

func ptr[T any](v T) *T { return &v }
