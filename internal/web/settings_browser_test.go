package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestSettingsInBrowser: an administrator creates a webhook and an
// integration through the screens in Chromium and reads each secret shown
// once, sees the webhook's delivery log fill, revokes the integration,
// writes a custom statistic with the form and opens its table; on both
// databases. It saves the screens' screenshots, at 1280 px and the
// webhooks at 375 px.
func TestSettingsInBrowser(t *testing.T) {
	startHooks(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Settings")
		ctx := tab(t)
		do(t, ctx, "sign in", chromedp.Navigate(env.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")))
		stages := m.stages(t)

		// A webhook: the format's events show, the others hide.
		rc := newReceiver(t, http.StatusOK, `{"received":true}`)
		do(t, ctx, "webhooks", chromedp.Navigate(env.URL+"/settings/webhooks"), chromedp.WaitVisible(chromedp.CSS("#webhook-form")))
		if eval[bool](t, ctx, `document.querySelector('fieldset[data-format="amocrm"]').hidden`) != true {
			t.Error("the amoCRM events show with the crmd format chosen")
		}
		do(t, ctx, "fill the webhook form",
			chromedp.SendKeys(chromedp.CSS("#webhook-url"), rc.URL+"/hooks/crmd"),
			chromedp.Click(chromedp.CSS(`input[name="events"][value="lead.added"]`)),
			chromedp.Click(chromedp.CSS(`input[name="events"][value="lead.stage_changed"]`)),
			chromedp.Click(chromedp.CSS("#webhook-create")),
			chromedp.WaitVisible(chromedp.CSS("#webhook-created")))
		secret := eval[string](t, ctx, `document.querySelector('#webhook-secret').value`)
		hooks := m.webhookIDs(t)
		hook, ok := hooks[rc.URL+"/hooks/crmd"]
		if !ok || !regexp.MustCompile(`^whsec_[0-9a-f]{64}$`).MatchString(secret) || hook.Secret != secret {
			t.Fatalf("the page shows secret %q for %+v", secret, hook)
		}
		// An amoCRM webhook, through the same form.
		do(t, ctx, "an amoCRM webhook",
			chromedp.Click(chromedp.CSS("#format-amocrm")),
			chromedp.WaitVisible(chromedp.CSS(`input[name="amo_events"][value="add_lead"]`)),
			chromedp.SendKeys(chromedp.CSS("#webhook-url"), rc.URL+"/hooks/amo"),
			chromedp.Click(chromedp.CSS(`input[name="amo_events"][value="add_lead"]`)),
			chromedp.Click(chromedp.CSS(`input[name="amo_events"][value="status_lead"]`)),
			chromedp.Click(chromedp.CSS("#webhook-create")))
		// The box of the first webhook is on the page until the answer
		// replaces it: wait for the second's.
		poll(t, ctx, "the amoCRM webhook's answer",
			`(document.querySelector('#webhook-created a') || {}).textContent === `+"`"+rc.URL+"/hooks/amo`")
		if eval[int](t, ctx, `document.querySelectorAll('#webhook-secret').length`) != 0 {
			t.Error("an amoCRM webhook shows a secret: it has none")
		}
		env.AmoCRM(m.creds.AmoCRMToken).Get(t, "/api/v4/webhooks").HAL(http.StatusOK).
			Equal("_embedded.webhooks.0.destination", rc.URL+"/hooks/amo")

		// Deliveries, a failed one among them, and a replay.
		failing := newReceiver(t, http.StatusServiceUnavailable, "maintenance until 10:00")
		if _, err := m.service().CreateWebhook(context.Background(), m.Actor, crm.NewWebhook{Kind: crm.WebhookCRMD,
			Destination: failing.URL + "/down", Events: []string{"lead.added"}}, nil); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			m.addDeal(t, fmt.Sprintf("Order %d", i+1), int64(1000*(i+1)), stages[0])
			time.Sleep(60 * time.Millisecond) // one delivery each
		}
		delivered := m.waitDeliveries(t, hook.ID, crm.DeliveryDelivered, 1)
		do(t, ctx, "replay", chromedp.Navigate(fmt.Sprintf("%s/settings/webhooks/%d", env.URL, hook.ID)),
			chromedp.Click(chromedp.CSS(fmt.Sprintf("#replay-%d", delivered[len(delivered)-1].ID))),
			chromedp.WaitVisible(chromedp.CSS("#webhook-flash")))
		m.waitDeliveries(t, hook.ID, crm.DeliveryDelivered, len(delivered)+1)
		do(t, ctx, "the log", chromedp.Navigate(fmt.Sprintf("%s/settings/webhooks/%d", env.URL, hook.ID)),
			chromedp.WaitVisible(chromedp.CSS("#deliveries")))
		screenshot(t, ctx, "settings-webhook")
		do(t, ctx, "the list", chromedp.Navigate(env.URL+"/settings/webhooks"), chromedp.WaitVisible(chromedp.CSS("#webhooks")))
		screenshot(t, ctx, "settings-webhooks")

		// An integration: its secret, once.
		do(t, ctx, "integrations", chromedp.Navigate(env.URL+"/settings/integrations"),
			chromedp.SendKeys(chromedp.CSS("#integration-name"), "Telephony bridge"),
			chromedp.SendKeys(chromedp.CSS("#integration-redirect"), "https://bridge.example/oauth/callback"),
			chromedp.SendKeys(chromedp.CSS("#integration-disconnect"), rc.URL+"/disconnect"),
			chromedp.Click(chromedp.CSS("#integration-create")),
			chromedp.WaitVisible(chromedp.CSS("#integration-created")))
		clientID := eval[string](t, ctx, `document.querySelector('#integration-client-id').value`)
		clientSecret := eval[string](t, ctx, `document.querySelector('#integration-secret').value`)
		if !regexp.MustCompile(`^[A-Za-z0-9]{64}$`).MatchString(clientSecret) {
			t.Fatalf("client secret %q", clientSecret)
		}
		code, err := env.Server.Authority.Authorize(context.Background(), m.UserID, clientID)
		if err != nil {
			t.Fatal(err)
		}
		tok := env.Do(t, http.MethodPost, "/oauth2/access_token", "", `{"client_id":"`+clientID+`","client_secret":"`+clientSecret+
			`","grant_type":"authorization_code","code":"`+code+`","redirect_uri":"https://bridge.example/oauth/callback"}`,
			"Content-Type: application/json")
		if tok.Status != http.StatusOK {
			t.Errorf("the secret the page showed does not work: HTTP %d: %s", tok.Status, tok.Body)
		}
		second := newReceiver(t, http.StatusOK, "")
		m.signIn(t)
		if p := m.post(t, "/settings/integrations", mapForm("name", "Old CRM sync", "redirect_uri", "https://sync.example/cb",
			"disconnect_url", second.URL+"/bye")); p.Status != http.StatusCreated {
			t.Fatalf("second integration: HTTP %d", p.Status)
		}
		do(t, ctx, "revoke, confirmed", chromedp.Navigate(env.URL+"/settings/integrations"),
			chromedp.Click(chromedp.CSS("table.integrations tbody tr:last-child a.danger")),
			chromedp.WaitVisible(chromedp.CSS("#revoke-confirm")),
			chromedp.Click(chromedp.CSS("#revoke-confirm")),
			chromedp.WaitVisible(chromedp.CSS("#integration-revoked")))
		if got := eval[string](t, ctx, `document.querySelector('#disconnect-hook').textContent`); !regexp.MustCompile(`HTTP 200`).MatchString(got) {
			t.Errorf("disconnect hook outcome %q", got)
		}
		do(t, ctx, "integrations again", chromedp.Navigate(env.URL+"/settings/integrations"), chromedp.WaitVisible(chromedp.CSS("#integrations")))
		screenshot(t, ctx, "settings-integrations")

		// A custom statistic, written with the form, over deals in two
		// stages.
		for i := range 2 {
			m.addDeal(t, fmt.Sprintf("Contract %d", i+1), 5000, stages[1])
		}
		do(t, ctx, "new report", chromedp.Navigate(env.URL+"/settings/statistics/new"),
			chromedp.SendKeys(chromedp.CSS("#stat-name"), "Deals by manager"),
			chromedp.SetValue(chromedp.CSS("#stat-row-0"), "d1"),
			chromedp.SetValue(chromedp.CSS("#stat-row-1"), "d6"),
			chromedp.SendKeys(chromedp.CSS("#col0_name"), "Deals"),
			chromedp.Click(chromedp.CSS(`input[name="col1_on"]`)),
			chromedp.SendKeys(chromedp.CSS("#col1_name"), "By stage"),
			chromedp.SetValue(chromedp.CSS("#col1_kind"), "d2"),
			chromedp.Click(chromedp.CSS("#stat-save")),
			chromedp.WaitVisible(chromedp.CSS("#stat-saved")))
		do(t, ctx, "saved",
			chromedp.WaitVisible(chromedp.CSS("#stat-saved")))
		do(t, ctx, "the reports", chromedp.Navigate(env.URL+"/settings/statistics"), chromedp.WaitVisible(chromedp.CSS("#reports")))
		screenshot(t, ctx, "settings-statistics")
		do(t, ctx, "the report", chromedp.Click(chromedp.CSS(`#reports a[href^="/reports/custom/"]`)),
			chromedp.WaitVisible(chromedp.CSS("#report-table")))
		if got := eval[string](t, ctx, `document.querySelector('#report-table tr.totals td').textContent`); got != "5" {
			t.Errorf("the report's total counts %q deals, want 5", got)
		}
		screenshot(t, ctx, "report-custom")

		// At 375 px: nothing wider than the screen.
		do(t, ctx, "phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
			chromedp.Navigate(env.URL+"/settings/webhooks"), chromedp.WaitVisible(chromedp.CSS("#webhooks")))
		screenshot(t, ctx, "settings-webhooks-phone")
		for _, path := range []string{"/settings/webhooks", fmt.Sprintf("/settings/webhooks/%d", hook.ID), "/settings/integrations",
			"/settings/statistics", "/settings/statistics/new"} {
			do(t, ctx, path, chromedp.Navigate(env.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
				t.Errorf("%s: at 375 px the page is %d px wide", path, w)
			}
		}
	})
}

// mapForm is a form of name, value pairs.
func mapForm(kv ...string) map[string][]string {
	f := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i]] = append(f[kv[i]], kv[i+1])
	}
	return f
}
