package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// startHooks is StartEach with webhook delivery let reach the test's
// receivers on 127.0.0.1.
func startHooks(t *testing.T, fn func(t *testing.T, env *crmtest.Env)) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) { fn(t, crmtest.StartWebhooks(t, dsn)) })
}

// receiver is a webhook destination that records what it is sent.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newReceiver(t *testing.T, status int, answer string) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(strings.Builder)
		fmt.Fprint(b, r.Method, " ", r.URL.RequestURI())
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, b.String())
		rc.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, answer)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...)
}

// waitDeliveries waits until the webhook has n deliveries in state.
func (m *member) waitDeliveries(t *testing.T, hookID int64, state crm.DeliveryState, n int) []crm.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log, err := m.service().WebhookDeliveries(context.Background(), m.Actor, crm.DeliveryQuery{WebhookID: hookID, State: state, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(log.Deliveries) >= n {
			return log.Deliveries
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook %d: %d %s deliveries, want %d", hookID, len(log.Deliveries), state, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// webhookIDs lists the account's webhooks by destination.
func (m *member) webhookIDs(t *testing.T) map[string]crm.Webhook {
	t.Helper()
	list, err := m.service().Webhooks(context.Background(), m.Actor, crm.WebhookQuery{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]crm.Webhook{}
	for _, w := range list {
		out[w.Destination] = w
	}
	return out
}

var secretPattern = regexp.MustCompile(`whsec_[0-9a-f]{64}`)

// TestSettingsRefusesMembers: every screen and form of webhooks,
// integrations and custom statistics is the administrator's.
func TestSettingsRefusesMembers(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Refusals")
		mem := admin.newUser(t, crm.RoleMember, "Member")
		mem.signIn(t)
		for _, path := range []string{"/settings/webhooks", "/settings/webhooks/1", "/settings/integrations",
			"/settings/integrations/x/revoke", "/settings/statistics", "/settings/statistics/new", "/settings/statistics/1",
			"/reports/custom/1"} {
			expect(t, mem.get(t, path), http.StatusForbidden, "Only administrators manage these settings.")
		}
		for _, path := range []string{"/settings/webhooks", "/settings/webhooks/1/enable", "/settings/webhooks/1/delete",
			"/settings/webhooks/1/deliveries/1/replay", "/settings/integrations", "/settings/integrations/x/revoke",
			"/settings/statistics", "/settings/statistics/1"} {
			expect(t, mem.post(t, path, url.Values{"url": {"https://example.com"}, "events": {"lead.added"}, "name": {"x"}}),
				http.StatusForbidden)
		}
		if list := admin.webhookIDs(t); len(list) != 0 {
			t.Errorf("a member's post made webhooks: %v", list)
		}
		// Signed out: to the sign-in page.
		anon := newMember(t, env, admin.creds, 0, crm.Actor{})
		if p := anon.get(t, "/settings/webhooks"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Errorf("signed out: HTTP %d to %q", p.Status, p.Location)
		}
	})
}

// TestSettingsWebhooks: the list, the create form with its errors and the
// secret shown once, the amoCRM kind seen through /api/v4/webhooks, the
// delivery log with its filter and pages, replay, re-enable and delete.
func TestSettingsWebhooks(t *testing.T) {
	startHooks(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Hooks")
		m.signIn(t)
		stages := m.stages(t)
		pipeline := m.pipelineID(t)
		expect(t, m.get(t, "/settings/webhooks"), http.StatusOK, "No webhooks yet.", `aria-current="page">Webhooks`,
			`value="lead.added"`, `value="add_lead"`)

		rc := newReceiver(t, http.StatusOK, `{"ok":true}`)
		form := func(kv ...string) url.Values {
			f := url.Values{"format": {"crmd"}, "url": {rc.URL + "/crmd"}, "events": {"lead.added", "lead.stage_changed"}}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					f.Del(kv[i])
				} else {
					f.Set(kv[i], kv[i+1])
				}
			}
			return f
		}
		// Refusals keep what was typed and create nothing.
		for _, c := range []struct {
			form   url.Values
			status int
			want   string
		}{
			{form("url", "ftp://example.com"), http.StatusUnprocessableEntity, "The destination must be an absolute http or https URL"},
			{form("url", ""), http.StatusUnprocessableEntity, "The destination must be an absolute http or https URL"},
			{form("events", ""), http.StatusUnprocessableEntity, "At least one event must be given."},
			{form("events", "lead.exploded"), http.StatusUnprocessableEntity, "Unknown event: lead.exploded"},
			{form("stages", itoa(stages[0])), http.StatusUnprocessableEntity, "Stages filter within a pipeline: choose the pipeline too."},
			{form("pipeline", "999999"), http.StatusUnprocessableEntity, "Pipeline 999999 not found."},
			{form("pipeline", itoa(pipeline), "stages", "999999"), http.StatusUnprocessableEntity, "Stage 999999 is not in pipeline"},
			{form("pipeline", "first"), http.StatusUnprocessableEntity, "Choose a pipeline from the list."},
			{form("format", "zapier"), http.StatusUnprocessableEntity, "Choose the format: crmd or amoCRM."},
			{form("format", "amocrm", "amo_events", "add_lead", "batch", "1"), http.StatusUnprocessableEntity, "Filters and batches are crmd webhooks&#39; only"},
			{form("format", "amocrm", "amo_events", "lead.added"), http.StatusUnprocessableEntity, "Unknown event: lead.added"},
		} {
			p := m.post(t, "/settings/webhooks", c.form)
			expect(t, p, c.status, c.want, `id="webhook-error"`)
			if u := c.form.Get("url"); u != "" && !strings.Contains(p.Body, `value="`+u+`"`) {
				t.Errorf("%v: the form lost the URL", c.form)
			}
			if secretPattern.MatchString(p.Body) {
				t.Errorf("%v: a secret on a refusal", c.form)
			}
		}
		if list := m.webhookIDs(t); len(list) != 0 {
			t.Fatalf("refused forms made webhooks: %v", list)
		}

		// A crmd webhook with filters: its secret is on this answer only.
		p := m.post(t, "/settings/webhooks", form("pipeline", itoa(pipeline), "stages", itoa(stages[0]), "batch", "1"))
		expect(t, p, http.StatusCreated, `id="webhook-created"`, "shown only this once")
		secret := secretPattern.FindString(p.Body)
		hook, ok := m.webhookIDs(t)[rc.URL+"/crmd"]
		if secret == "" || !ok || hook.Secret != secret {
			t.Fatalf("secret %q, webhook %+v", secret, hook)
		}
		if !hook.Batch || hook.PipelineID != pipeline || len(hook.StageIDs) != 1 || hook.StageIDs[0] != stages[0] ||
			strings.Join(hook.Events, ",") != "lead.added,lead.stage_changed" {
			t.Errorf("stored %+v", hook)
		}
		list := m.get(t, "/settings/webhooks")
		expect(t, list, http.StatusOK, rc.URL+"/crmd", "<code>lead.added</code>", "Batch", "Enabled")
		if strings.Contains(list.Body, secret) {
			t.Error("the list shows the secret again")
		}

		// An amoCRM webhook, seen through the amoCRM API.
		expect(t, m.post(t, "/settings/webhooks", url.Values{"format": {"amocrm"}, "url": {rc.URL + "/amo"},
			"amo_events": {"add_lead", "status_lead"}}), http.StatusCreated, `id="webhook-created"`)
		api := env.AmoCRM(m.creds.AmoCRMToken).Get(t, "/api/v4/webhooks").HAL(http.StatusOK)
		api.Equal("_embedded.webhooks.0.destination", rc.URL+"/amo").Equal("_embedded.webhooks.0.settings", []string{"add_lead", "status_lead"})
		api.Equal("_total_items", 1) // the crmd webhook is not amoCRM's
		expect(t, m.get(t, "/settings/webhooks"), http.StatusOK, "<code>add_lead</code>", `<span class="tag">amoCRM</span>`)

		// Deliveries: deals at the filtered stage reach the crmd webhook.
		for i := range 3 {
			m.addDeal(t, fmt.Sprintf("Hooked %d", i), 100, stages[0])
		}
		delivered := m.waitDeliveries(t, hook.ID, crm.DeliveryDelivered, 1)
		page := m.get(t, fmt.Sprintf("/settings/webhooks/%d", hook.ID))
		expect(t, page, http.StatusOK, "Delivery log", fmt.Sprintf(`id="delivery-%d"`, delivered[0].ID), "HTTP 200",
			"{&#34;ok&#34;:true}", " ms", "Delivered", "<code>lead.added</code>")
		expect(t, m.get(t, fmt.Sprintf("/settings/webhooks/%d?state=failed", hook.ID)), http.StatusOK, "No deliveries.")
		expect(t, m.get(t, fmt.Sprintf("/settings/webhooks/%d?state=lost", hook.ID)), http.StatusUnprocessableEntity,
			`&#34;lost&#34; is not pending, delivered or failed.`)
		expect(t, m.get(t, fmt.Sprintf("/settings/webhooks/%d?before=x", hook.ID)), http.StatusUnprocessableEntity)
		expect(t, m.get(t, "/settings/webhooks/999999"), http.StatusNotFound, "Webhook 999999 not found.")
		expect(t, m.get(t, "/settings/webhooks/abc"), http.StatusNotFound)

		// Replay: a new delivery, a copy, sent again.
		before := len(rc.requests())
		r := m.post(t, fmt.Sprintf("/settings/webhooks/%d/deliveries/%d/replay", hook.ID, delivered[0].ID), url.Values{})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "replayed=") {
			t.Fatalf("replay: HTTP %d to %q", r.Status, r.Location)
		}
		var replay crm.Delivery
		for _, d := range m.waitDeliveries(t, hook.ID, "", 1) {
			if r.Location == fmt.Sprintf("/settings/webhooks/%d?replayed=%d", hook.ID, d.ID) {
				replay = d
			}
		}
		if replay.ReplayOf != delivered[0].ID || string(replay.Body) != string(delivered[0].Body) {
			t.Errorf("replay %d of %d (%s)", replay.ReplayOf, delivered[0].ID, r.Location)
		}
		expect(t, m.get(t, r.Location), http.StatusOK, fmt.Sprintf("Delivery %d queued", replay.ID),
			fmt.Sprintf("replay of %d", delivered[0].ID))
		deadline := time.Now().Add(10 * time.Second)
		for len(rc.requests()) == before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if len(rc.requests()) == before {
			t.Error("the replay was never sent")
		}
		// A delivery of another webhook, or none, is not found.
		amo := m.webhookIDs(t)[rc.URL+"/amo"]
		// Counted as replays of the delivery: on PostgreSQL a change made
		// earlier in the test may still be handed out meanwhile (delivery
		// waits for every older writing transaction on the server), and
		// that delivery is not the refused replay's.
		replays := func() int {
			n := 0
			for _, d := range m.waitDeliveries(t, hook.ID, "", 1) {
				if d.ReplayOf == delivered[0].ID {
					n++
				}
			}
			return n
		}
		count := replays()
		expect(t, m.post(t, fmt.Sprintf("/settings/webhooks/%d/deliveries/%d/replay", amo.ID, delivered[0].ID), url.Values{}),
			http.StatusNotFound, fmt.Sprintf("Delivery %d is not this webhook&#39;s.", delivered[0].ID))
		if n := replays(); n != count {
			t.Errorf("a refused replay made a delivery: %d replays, then %d", count, n)
		}
		expect(t, m.post(t, fmt.Sprintf("/settings/webhooks/%d/deliveries/999999/replay", hook.ID), url.Values{}), http.StatusNotFound)

		// Pages of the log: 20 a page, the next through ?before=.
		for i := range 22 {
			if _, err := m.service().ReplayDelivery(context.Background(), m.Actor, delivered[0].ID); err != nil {
				t.Fatalf("replay %d: %v", i, err)
			}
		}
		first := m.get(t, fmt.Sprintf("/settings/webhooks/%d", hook.ID))
		if n := strings.Count(first.Body, `<tr id="delivery-`); n != 20 {
			t.Errorf("first page: %d deliveries, want 20", n)
		}
		next := regexp.MustCompile(`id="deliveries-older" href="([^"]+)"`).FindStringSubmatch(first.Body)
		if next == nil {
			t.Fatalf("no link to older deliveries:\n%s", first.Body)
		}
		older := m.get(t, strings.ReplaceAll(next[1], "&amp;", "&"))
		expect(t, older, http.StatusOK, "Newest")
		top := regexp.MustCompile(`<tr id="delivery-(\d+)"`).FindStringSubmatch(first.Body)[1]
		if n := strings.Count(older.Body, `<tr id="delivery-`); n < 1 || strings.Contains(older.Body, `<tr id="delivery-`+top+`"`) {
			t.Errorf("second page: %d deliveries, or the first page's", n)
		}

		// A disabled webhook says why, and is enabled again.
		err := env.Server.DB.Update(context.Background(), m.Actor.AccountID, func(tx crm.Tx) error {
			w := m.webhookIDs(t)[rc.URL+"/amo"]
			w.DisabledAt, w.DisabledReason, w.Failures = time.Now(), "100 failures in 2 hours", 100
			return tx.UpdateWebhook(context.Background(), &w)
		})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, m.get(t, "/settings/webhooks"), http.StatusOK, "Disabled ", ": 100 failures in 2 hours", `class="disabled"`)
		expect(t, m.get(t, fmt.Sprintf("/settings/webhooks/%d", amo.ID)), http.StatusOK, `id="webhook-enable"`)
		en := m.post(t, fmt.Sprintf("/settings/webhooks/%d/enable", amo.ID), url.Values{})
		if en.Status != http.StatusSeeOther {
			t.Fatalf("enable: HTTP %d: %s", en.Status, en.Body)
		}
		expect(t, m.get(t, en.Location), http.StatusOK, "Webhook enabled")
		if w := m.webhookIDs(t)[rc.URL+"/amo"]; w.Disabled() || w.Failures != 0 {
			t.Errorf("after enable: %+v", w)
		}
		expect(t, m.post(t, "/settings/webhooks/999999/enable", url.Values{}), http.StatusNotFound)

		// Delete: gone from the list and from the amoCRM API.
		del := m.post(t, fmt.Sprintf("/settings/webhooks/%d/delete", amo.ID), url.Values{})
		if del.Status != http.StatusSeeOther || del.Location != "/settings/webhooks?deleted=1" {
			t.Fatalf("delete: HTTP %d to %q", del.Status, del.Location)
		}
		expect(t, m.get(t, del.Location), http.StatusOK, "Webhook deleted with its delivery log.")
		env.AmoCRM(m.creds.AmoCRMToken).Get(t, "/api/v4/webhooks").Expect(http.StatusNoContent)
		expect(t, m.post(t, fmt.Sprintf("/settings/webhooks/%d/delete", amo.ID), url.Values{}), http.StatusNotFound)

		// Another account's webhook is not found.
		other := newAccount(t, env, "Other")
		other.signIn(t)
		expect(t, other.get(t, fmt.Sprintf("/settings/webhooks/%d", hook.ID)), http.StatusNotFound)
		expect(t, other.post(t, fmt.Sprintf("/settings/webhooks/%d/delete", hook.ID), url.Values{}), http.StatusNotFound)
		expect(t, other.post(t, fmt.Sprintf("/settings/webhooks/%d/deliveries/%d/replay", hook.ID, delivered[0].ID), url.Values{}), http.StatusNotFound)

		// Russian.
		expect(t, m.do(t, http.MethodGet, "/settings/webhooks", nil, "Accept-Language", "ru"), http.StatusOK,
			"Новый вебхук", "Создать вебхук")
	})
}
