package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crmtest"
)

// hostileName is a lead's name made of markup: it must show as text.
const hostileName = `<img src=x onerror="document.title='pwned'">Иван <b>Петров</b>`

// TestWorkspaceInBrowser walks a manager's day in Chromium, on both
// databases: sign in, a website lead reaches the open inbox, take it to
// work, drag its deal to the next stage (seen through the Envybox and
// amoCRM APIs), comment, set a task, and sign out; a page of another site
// cannot post to crmd. It saves the screenshots the README shows.
func TestWorkspaceInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Browser")
		ctx := tab(t)

		// Sign in: the board asks for it first.
		do(t, ctx, "open the board signed out", chromedp.Navigate(env.URL+"/deals"), chromedp.WaitVisible(chromedp.CSS("#login")))
		screenshot(t, ctx, "login")
		do(t, ctx, "sign in",
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")))

		// The inbox is open when a visitor leaves a lead on the website:
		// the lead appears without a reload.
		do(t, ctx, "inbox", chromedp.Navigate(env.URL+"/leads"), chromedp.WaitReady(chromedp.CSS("#leads[data-live]")))
		time.Sleep(300 * time.Millisecond) // let the event stream connect
		leadID := widgetLead(t, env, m, hostileName, "+7 (912) 345-67-89")
		do(t, ctx, "the live lead", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#row-%d", leadID))))
		if got := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('#lead-name-%d').textContent`, leadID)); got != hostileName {
			t.Errorf("inbox name %q, want the name as text", got)
		}
		if got := eval[string](t, ctx, `document.querySelector('[data-count-live]').textContent`); got != "1" {
			t.Errorf("the inbox counts %q leads after the live one", got)
		}
		screenshot(t, ctx, "inbox")

		// Take to work: the new deal's card opens.
		do(t, ctx, "take to work", chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/leads/%d/start"] button`, leadID))),
			chromedp.WaitVisible(chromedp.CSS("#comment-text")))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		var dealID int64
		if _, err := fmt.Sscanf(loc, env.URL+"/deals/%d", &dealID); err != nil {
			t.Fatalf("after take to work the browser is at %q", loc)
		}
		if got := m.envybox(t, "lead/get/", fmt.Sprintf(`{"lead_id": %d}`, leadID)); !strings.Contains(fmt.Sprint(got), fmt.Sprint(dealID)) {
			t.Errorf("Envybox lead/get does not name deal %d: %v", dealID, got)
		}

		// The board: the deal's card in the first stage, its name as text.
		stages := m.stages(t)
		do(t, ctx, "board", chromedp.Navigate(env.URL+"/deals"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.column[data-stage="%d"] .card[data-id="%d"]`, stages[0], dealID))),
			scriptReady)
		title := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('.card[data-id="%d"] .title').textContent`, dealID))
		if title != hostileName {
			t.Errorf("card title %q, want the name as text", title)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('.card img').length`); n != 0 {
			t.Errorf("the lead's name made %d img elements", n)
		}
		screenshot(t, ctx, "board")

		// Drag the card to the next stage with the mouse.
		do(t, ctx, "drag the card", chromedp.DragAndDrop(
			chromedp.CSS(fmt.Sprintf(`.card[data-id="%d"] .task`, dealID)),
			chromedp.CSS(fmt.Sprintf(`.column[data-stage="%d"] header`, stages[1]))))
		do(t, ctx, "the card in its new column",
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.column[data-stage="%d"] .card[data-id="%d"]`, stages[1], dealID))))
		waitFor(t, "the APIs to see the new stage", func() bool {
			return m.envyboxStage(t, dealID) == stages[1] && m.amocrmStatus(t, dealID) == stages[1]
		})
		if got := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('.column[data-stage="%d"] [data-count]').getAttribute('data-count')`, stages[1])); got != "1" {
			t.Errorf("the new column counts %s deals", got)
		}

		// The deal card: a comment and a task.
		do(t, ctx, "deal card", chromedp.Navigate(fmt.Sprintf("%s/deals/%d", env.URL, dealID)), chromedp.WaitVisible(chromedp.CSS("#comment-text")))
		do(t, ctx, "comment",
			chromedp.SendKeys(chromedp.CSS("#comment-text"), "Called: wants a <b>discount</b>"),
			chromedp.Click(chromedp.CSS(`form[action$="/comment"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".timeline li.comment")))
		if got := eval[string](t, ctx, `document.querySelector('.timeline li.comment .body').textContent`); got != "Called: wants a <b>discount</b>" {
			t.Errorf("comment shows as %q", got)
		}
		do(t, ctx, "task",
			chromedp.SendKeys(chromedp.CSS("#task-text"), "Send the offer"),
			chromedp.Click(chromedp.CSS(`form[action$="/tasks"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".task-list li")))
		if got := eval[string](t, ctx, `document.querySelector('.task-list li').textContent`); !strings.Contains(got, "Send the offer") {
			t.Errorf("task list: %q", got)
		}
		// Had the markup run, its onerror would have set the title.
		if got := eval[string](t, ctx, `document.title`); got != hostileName+" · Browser · crmd" {
			t.Errorf("title %q: the lead's markup ran or was mangled", got)
		}
		eval[any](t, ctx, `window.scrollTo(0, 0)`)
		screenshot(t, ctx, "deal")

		// The task shows on the task list, the client in the clients.
		do(t, ctx, "tasks", chromedp.Navigate(env.URL+"/tasks"), chromedp.WaitVisible(chromedp.CSS("#tasks-tomorrow")))
		if got := eval[string](t, ctx, `document.querySelector('#tasks-tomorrow').textContent`); !strings.Contains(got, "Send the offer") {
			t.Errorf("tomorrow's tasks: %q", got)
		}
		screenshot(t, ctx, "tasks")
		do(t, ctx, "clients", chromedp.Navigate(env.URL+"/clients"), chromedp.WaitVisible(chromedp.CSS("#clients-q")),
			chromedp.SendKeys(chromedp.CSS("#clients-q"), "8 912 345 67 89"), chromedp.Click(chromedp.CSS("#clients-search")),
			// The results page, not the list it was searched from: the
			// server writes the query into the box's value attribute.
			chromedp.WaitVisible(chromedp.CSS(`#clients-q[value="8 912 345 67 89"]`)),
			chromedp.WaitVisible(chromedp.CSS("#clients-table a.client-name")))
		if got := eval[string](t, ctx, `document.querySelector('#clients-table a.client-name').textContent`); got != hostileName {
			t.Errorf("client found by phone: %q", got)
		}
		screenshot(t, ctx, "clients")
		do(t, ctx, "client card", chromedp.Click(chromedp.CSS("#clients-table a.client-name")), chromedp.WaitVisible(chromedp.CSS("#client-name")))
		screenshot(t, ctx, "client")

		// An integration asks for access: the consent page.
		integration, err := env.Server.Authority.CreateIntegration(t.Context(), m.creds.AccountID,
			auth.NewIntegration{Name: "Telephony <i>Pro</i>", RedirectURI: "https://integration.example/oauth"})
		if err != nil {
			t.Fatal(err)
		}
		do(t, ctx, "consent page", chromedp.Navigate(env.URL+"/oauth?state=s1&client_id="+integration.ClientID),
			chromedp.WaitVisible(chromedp.CSS(`button[value="allow"]`)))
		if got := eval[string](t, ctx, `document.querySelector('main').innerText`); !strings.Contains(got, "Telephony <i>Pro</i>") {
			t.Errorf("consent page: %q", got)
		}
		screenshot(t, ctx, "oauth-consent")

		// A page on another site posts to crmd as the signed-in user:
		// refused, and the deal keeps its stage.
		evil := evilSite(t, fmt.Sprintf("%s/deals/%d/stage", env.URL, dealID), map[string]string{"stage_id": fmt.Sprint(stages[2])})
		do(t, ctx, "cross-site post", chromedp.Navigate(evil), chromedp.WaitReady(chromedp.CSS("body")))
		waitFor(t, "the refusal page", func() bool {
			// The page navigates while this polls: an evaluation that
			// meets it in between is not an answer yet.
			body, err := tryEval[string](ctx, `document.body ? document.body.innerText : ''`)
			return err == nil && strings.Contains(strings.ToLower(body), "cross-origin")
		})
		if got := m.envyboxStage(t, dealID); got != stages[1] {
			t.Errorf("a cross-site post moved the deal to stage %d", got)
		}

		// The user picks Russian; at phone width the board still works.
		do(t, ctx, "phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
			chromedp.Navigate(env.URL+"/deals"), chromedp.WaitVisible(chromedp.CSS(".board")), scriptReady,
			// SetValue fires the change event the menu submits itself on.
			chromedp.SetValue(chromedp.CSS("#lang-select"), "ru"),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] .board`)))
		if got := eval[string](t, ctx, `document.querySelector('.top nav a[aria-current]').textContent`); got != "Сделки" {
			t.Errorf("after picking Russian the menu says %q", got)
		}
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("at 375 px the page is %d px wide", w)
		}
		screenshot(t, ctx, "board-phone")
		for _, pg := range []struct{ name, path, ready string }{
			{"deal-phone", fmt.Sprintf("/deals/%d", dealID), "#comment-text"},
			{"inbox-phone", "/leads?status=all", "#leads"},
		} {
			do(t, ctx, pg.name, chromedp.Navigate(env.URL+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.ready)))
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
				t.Errorf("%s: at 375 px the page is %d px wide", pg.name, w)
			}
			screenshot(t, ctx, pg.name)
		}
		do(t, ctx, "desktop", chromedp.EmulateViewport(1280, 860))

		// Sign out: back to the sign-in form, and the board asks again.
		do(t, ctx, "sign out", chromedp.Navigate(env.URL+"/deals"), chromedp.WaitVisible(chromedp.CSS(".board")),
			chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login")))
		do(t, ctx, "board signed out", chromedp.Navigate(env.URL+"/deals"), chromedp.WaitVisible(chromedp.CSS("#login")))
	})
}

// scriptReady waits for the page's script to have run: it marks the
// document first thing, and binds its handlers in the same turn once the
// document is parsed.
var scriptReady = chromedp.WaitReady(chromedp.CSS("html.js"))

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// widgetLead sends a lead as the website widget does and returns its id.
func widgetLead(t *testing.T, env *crmtest.Env, m *member, name, phone string) int64 {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "phone": phone, "comment": "From the site"})
	resp := env.Do(t, http.MethodPost, fmt.Sprintf("/widget/v1/%d/lead", m.creds.AccountID), "", string(body), "Origin: https://shop.example")
	if resp.Status != http.StatusOK {
		t.Fatalf("widget: HTTP %d %s", resp.Status, resp.Body)
	}
	list := m.envybox(t, "lead/list/", `{"limit": 1, "offset": 0}`)
	items := list["leads"].(map[string]any)["result"].([]any)
	return num(items[0].(map[string]any)["id"])
}

// startLead takes a lead to work through Envybox lead/start.
func startLead(t *testing.T, env *crmtest.Env, m *member, leadID int64) int64 {
	t.Helper()
	r := m.envybox(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d}`, leadID))
	return num(r["result"].(map[string]any)["deal_id"])
}

// envybox calls an Envybox method with the account's api_key.
func (m *member) envybox(t *testing.T, method, request string) map[string]any {
	t.Helper()
	resp := m.env.Do(t, http.MethodPost, "/openapi/v1/"+method+"?api_key="+m.creds.EnvyboxAPIKey, "", `{"request": `+request+`}`)
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", method, resp.Status, resp.Body)
	}
	return resp.Object(t)
}

// envyboxStage is a deal's stage as Envybox deal/get tells it.
func (m *member) envyboxStage(t *testing.T, dealID int64) int64 {
	t.Helper()
	r := m.envybox(t, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, dealID))
	return num(r["result"].(map[string]any)["stage_id"])
}

// amocrmStatus is a deal's status as amoCRM GET /api/v4/leads/{id} tells it.
func (m *member) amocrmStatus(t *testing.T, dealID int64) int64 {
	t.Helper()
	resp := m.env.Do(t, http.MethodGet, fmt.Sprintf("/api/v4/leads/%d", dealID), m.creds.AmoCRMToken, "")
	if resp.Status != http.StatusOK {
		t.Fatalf("amoCRM lead: HTTP %d %s", resp.Status, resp.Body)
	}
	return num(resp.Object(t)["status_id"])
}

// stages are the stage ids of the account's main deal pipeline, in order.
func (m *member) stages(t *testing.T) []int64 {
	t.Helper()
	list, err := m.service().DealPipelines(t.Context(), m.Actor)
	if err != nil || len(list) == 0 {
		t.Fatalf("pipelines: %v %v", list, err)
	}
	p := list[0]
	for _, x := range list {
		if x.Primary {
			p = x
		}
	}
	var ids []int64
	for _, s := range p.Stages {
		ids = append(ids, s.ID)
	}
	return ids
}

// num reads an id the APIs send as a number or a string.
func num(v any) int64 {
	var n int64
	fmt.Sscan(fmt.Sprint(v), &n)
	return n
}
