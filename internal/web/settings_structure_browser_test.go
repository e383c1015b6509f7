package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestSettingsStructureInBrowser: an administrator, in Chromium on both
// databases, creates a pipeline with stages, colours and reorders a stage
// with the keyboard, and creates a select field of deals through the
// settings screens; the Envybox and amoCRM APIs then show them with the
// account's own credentials. It saves the settings screenshots, the
// pipelines at phone width too.
func TestSettingsStructureInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Настройки")
		ctx := tab(t)
		do(t, ctx, "sign in", chromedp.Navigate(env.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")))

		do(t, ctx, "profile", chromedp.Navigate(env.URL+"/settings"), chromedp.WaitVisible(chromedp.CSS("#current-password")))
		screenshot(t, ctx, "settings-profile")
		do(t, ctx, "account", chromedp.Navigate(env.URL+"/settings/account"), chromedp.WaitVisible(chromedp.CSS("#account-zone")))
		screenshot(t, ctx, "settings-account")

		// A pipeline with three stages, through the create form.
		do(t, ctx, "create a pipeline", chromedp.Navigate(env.URL+"/settings/pipelines"), chromedp.WaitVisible(chromedp.CSS("#new-pipeline-name")),
			chromedp.SendKeys(chromedp.CSS("#new-pipeline-name"), "Вебинар"),
			chromedp.SendKeys(chromedp.CSS("#new-pipeline-stages"), "Заявка\nЗвонок\nСчёт"),
			chromedp.Click(chromedp.CSS(`#new-pipeline button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".settings-alert.ok")), scriptReady)
		p := m.pipelineNamed(t, "Вебинар")
		if got := stageNames(p); !strings.HasPrefix(got, "Заявка,Звонок,Счёт,") {
			t.Fatalf("created stages: %s", got)
		}
		call, invoice := p.Stages[1], p.Stages[2]

		// Colour "Звонок" from the palette: open the picker, pick, save.
		color := crm.StatusColors[8]
		do(t, ctx, "open the colour picker", chromedp.Click(chromedp.CSS(fmt.Sprintf("#stage-%d details.colors summary", call.ID))),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="color-%d-8"]`, call.ID))))
		if !eval[bool](t, ctx, fmt.Sprintf(`document.getElementById('color-%d-8').checked`, call.ID)) {
			t.Error("clicking a swatch does not pick its colour")
		}
		nextPage(t, ctx, "recolour a stage", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#stage-%d .stage-edit button[type="submit"]`, call.ID))))

		// Move "Счёт" up with the keyboard: focus comes back to its button.
		up := fmt.Sprintf("stage-%d-up", invoice.ID)
		nextPage(t, ctx, "move a stage up with the keyboard", chromedp.Focus(chromedp.CSS("#"+up)), chromedp.KeyEvent("\r"))
		waitFor(t, "focus back on the moved stage's button", func() bool {
			id, err := tryEval[string](ctx, `document.activeElement ? document.activeElement.id : ''`)
			return err == nil && id == up
		})
		order := eval[string](t, ctx, fmt.Sprintf(`Array.from(document.querySelectorAll('#pipeline-%d li.stage input[name=name]')).map(e => e.value).join(',')`, p.ID))
		if !strings.HasPrefix(order, "Заявка,Счёт,Звонок,") {
			t.Errorf("the page shows the stages as %s", order)
		}
		eval[any](t, ctx, fmt.Sprintf(`document.getElementById('pipeline-%d').scrollIntoView()`, p.ID))
		screenshot(t, ctx, "settings-pipelines")

		// Envybox main/data shows the pipeline, its stages in order, the colour.
		data := m.envyboxGet(t, "main/data/")
		var found map[string]any
		for _, x := range data["result"].(map[string]any)["deal"].(map[string]any)["pipelines"].([]any) {
			if x.(map[string]any)["name"] == "Вебинар" {
				found = x.(map[string]any)
			}
		}
		if found == nil {
			t.Fatalf("Envybox main/data has no pipeline Вебинар: %v", data)
		}
		stages := found["stages"].(map[string]any)
		if st := stages[itoa(call.ID)].(map[string]any); st["name"] != "Звонок" || st["color"] != color {
			t.Errorf("Envybox stage: %v", st)
		}
		if a, b := num(stages[itoa(invoice.ID)].(map[string]any)["position"]), num(stages[itoa(call.ID)].(map[string]any)["position"]); a >= b {
			t.Errorf("Envybox positions: Счёт %d, Звонок %d", a, b)
		}

		// amoCRM lists the same, statuses sorted.
		resp := env.Do(t, http.MethodGet, "/api/v4/leads/pipelines", m.creds.AmoCRMToken, "")
		if resp.Status != http.StatusOK {
			t.Fatalf("amoCRM pipelines: HTTP %d %s", resp.Status, resp.Body)
		}
		var amo map[string]any
		for _, x := range resp.Object(t)["_embedded"].(map[string]any)["pipelines"].([]any) {
			if x.(map[string]any)["name"] == "Вебинар" {
				amo = x.(map[string]any)
			}
		}
		if amo == nil {
			t.Fatalf("amoCRM has no pipeline Вебинар: %s", resp.Body)
		}
		var names []string
		for _, s := range amo["_embedded"].(map[string]any)["statuses"].([]any) {
			st := s.(map[string]any)
			names = append(names, fmt.Sprint(st["name"]))
			if num(st["id"]) == call.ID && st["color"] != color {
				t.Errorf("amoCRM status colour %v, want %s", st["color"], color)
			}
		}
		if got := strings.Join(names, ","); !strings.HasPrefix(got, "Заявка,Счёт,Звонок,") {
			t.Errorf("amoCRM statuses: %s", got)
		}

		// A select field of deals, through the fields screen.
		do(t, ctx, "create a field", chromedp.Navigate(env.URL+"/settings/fields?entity=leads"), chromedp.WaitVisible(chromedp.CSS("#new-field-name")),
			chromedp.SendKeys(chromedp.CSS("#new-field-name"), "Тариф"),
			chromedp.SetValue(chromedp.CSS("#new-field-type"), "select"),
			chromedp.SendKeys(chromedp.CSS("#new-field-options"), "Базовый\nПро"),
			chromedp.Click(chromedp.CSS(`#new-field button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".field-item")), chromedp.WaitVisible(chromedp.CSS(".settings-alert.ok")))
		resp = env.Do(t, http.MethodGet, "/api/v4/leads/custom_fields", m.creds.AmoCRMToken, "")
		if resp.Status != http.StatusOK {
			t.Fatalf("amoCRM fields: HTTP %d %s", resp.Status, resp.Body)
		}
		var field map[string]any
		for _, x := range resp.Object(t)["_embedded"].(map[string]any)["custom_fields"].([]any) {
			if x.(map[string]any)["name"] == "Тариф" {
				field = x.(map[string]any)
			}
		}
		if field == nil || field["type"] != "select" {
			t.Fatalf("amoCRM custom fields: %s", resp.Body)
		}
		var enums []string
		for _, e := range field["enums"].([]any) {
			enums = append(enums, fmt.Sprint(e.(map[string]any)["value"]))
		}
		if strings.Join(enums, ",") != "Базовый,Про" {
			t.Errorf("amoCRM enums: %v", enums)
		}
		inputs := fmt.Sprint(m.envyboxGet(t, "deal/getListInputs/", "type=custom"))
		if !strings.Contains(inputs, "name:Тариф") {
			t.Errorf("Envybox deal/getListInputs: %s", inputs)
		}
		eval[any](t, ctx, `window.scrollTo(0, 0)`)
		screenshot(t, ctx, "settings-fields")

		// At phone width the pipelines page fits and its buttons stay usable.
		do(t, ctx, "phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
			chromedp.Navigate(fmt.Sprintf("%s/settings/pipelines#pipeline-%d", env.URL, p.ID)), chromedp.WaitVisible(chromedp.CSS("#new-pipeline")), scriptReady)
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("at 375 px the pipelines page is %d px wide", w)
		}
		screenshot(t, ctx, "settings-pipelines-phone")
		do(t, ctx, "desktop", chromedp.EmulateViewport(1280, 860))
	})
}

// envyboxGet calls an Envybox GET method with the account's api_key.
func (m *member) envyboxGet(t *testing.T, method string, query ...string) map[string]any {
	t.Helper()
	q := ""
	for _, x := range query {
		q += "&" + x
	}
	resp := m.env.Do(t, http.MethodGet, "/openapi/v1/"+method+"?api_key="+m.creds.EnvyboxAPIKey+q, "", "")
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", method, resp.Status, resp.Body)
	}
	return resp.Object(t)
}

// nextPage runs actions that submit a form and waits for the page the
// answer leads to, with its script run: the page before is marked, so a
// "saved" notice it already showed is not taken for the new one's.
func nextPage(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	eval[any](t, ctx, `document.documentElement.dataset.before = '1'`)
	do(t, ctx, what, actions...)
	waitFor(t, what+": the next page", func() bool {
		ok, err := tryEval[bool](ctx, `document.readyState === 'complete' && !document.documentElement.dataset.before && document.documentElement.classList.contains('js')`)
		return err == nil && ok
	})
}
