package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestSettingsPeopleInBrowser: in Chromium, on both databases, an
// administrator creates a user on the users page, and the user signs in
// with that password in a fresh browser context; the administrator issues
// the user an amoCRM token, reads it off the page where it is shown once,
// and it answers GET /api/v4/account; rotated, the old one gets 401. It
// saves the screenshots of the users, user, limits and widget pages.
func TestSettingsPeopleInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Acme Trading")
		ctx := tab(t)
		do(t, ctx, "sign in", chromedp.Navigate(env.URL+"/settings/users"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(admin.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS("#new-user")), scriptReady)

		// Create Olga with a password of the administrator's choosing.
		const password = "olga's first password"
		do(t, ctx, "create a user",
			chromedp.SendKeys(chromedp.CSS("#nu-name"), "Olga Smirnova"),
			chromedp.SendKeys(chromedp.CSS("#nu-email"), "olga@example.com"),
			chromedp.SetValue(chromedp.CSS("#nu-role"), "member"),
			chromedp.SendKeys(chromedp.CSS("#nu-password"), password),
			chromedp.Click(chromedp.CSS("#create-user")),
			chromedp.WaitVisible(chromedp.CSS("#people-created")))
		if n := eval[int](t, ctx, `document.querySelectorAll('#secret-password').length`); n != 0 {
			t.Error("a password the administrator typed is shown back")
		}
		// The create form answers with the new user's page.
		olgaPage := strings.TrimSuffix(eval[string](t, ctx, `document.querySelector('form[action$="/role"]').getAttribute('action')`), "/role")
		if !strings.HasPrefix(olgaPage, "/settings/users/") {
			t.Fatalf("after creating, the page's forms post to %q", olgaPage)
		}
		do(t, ctx, "the users list", chromedp.Navigate(env.URL+"/settings/users"), chromedp.WaitVisible(chromedp.CSS("#users")))
		if got := eval[string](t, ctx, `document.querySelector('#users').textContent`); !strings.Contains(got, "Olga Smirnova") ||
			!strings.Contains(got, "olga@example.com") {
			t.Errorf("the list lacks the new user: %q", got)
		}
		screenshot(t, ctx, "settings-users")
		do(t, ctx, "phone width", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile), chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS("#users")), scriptReady)
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("the users page is %d px wide at 375", w)
		}
		screenshot(t, ctx, "settings-users-phone")
		do(t, ctx, "desktop width", chromedp.EmulateViewport(1280, 860))

		// Olga signs in, in a browser context of her own.
		olga := tab(t)
		do(t, olga, "the new user signs in", chromedp.Navigate(env.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), "olga@example.com"),
			chromedp.SendKeys(chromedp.CSS("#password"), password),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")))
		if who := eval[string](t, olga, `document.querySelector('.who').textContent`); who != "Olga Smirnova" {
			t.Errorf("signed in as %q", who)
		}

		// Issue her an amoCRM token: shown once, it works.
		do(t, ctx, "her page", chromedp.Navigate(env.URL+olgaPage), chromedp.WaitVisible(chromedp.CSS("#issue-amocrm")))
		do(t, ctx, "issue a token", chromedp.Click(chromedp.CSS("#issue-amocrm")), chromedp.WaitVisible(chromedp.CSS("#secret-amocrm")),
			scriptReady)
		first := eval[string](t, ctx, `document.querySelector('#secret-amocrm').value`)
		if s := apiStatus(t, env, first); s != http.StatusOK {
			t.Fatalf("the token read off the page: GET /api/v4/account %d", s)
		}
		// The copy button copies it (and says so).
		do(t, ctx, "copy", chromedp.Click(chromedp.CSS(`button[data-copy="secret-amocrm"]`)))
		copied := ""
		for i := 0; i < 20 && copied != "Copied"; i++ {
			time.Sleep(50 * time.Millisecond)
			copied = eval[string](t, ctx, `document.querySelector('button[data-copy="secret-amocrm"]').textContent`)
		}
		if copied != "Copied" {
			t.Errorf("the copy button says %q", copied)
		}
		screenshot(t, ctx, "settings-user")

		// Rotate it: the old one is refused, the new one works.
		// The page before shows a secret too: wait for the answer's.
		do(t, ctx, "rotate the token", chromedp.Click(chromedp.CSS("#issue-amocrm")))
		second := first
		for deadline := time.Now().Add(15 * time.Second); second == first && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			second, _ = tryEval[string](ctx, `(document.querySelector('#secret-amocrm') || {value: ''}).value`)
			if second == "" {
				second = first
			}
		}
		if second == first {
			t.Fatal("rotating showed no new token")
		}
		if s := apiStatus(t, env, first); s != http.StatusUnauthorized {
			t.Errorf("the rotated-out token: %d", s)
		}
		if s := apiStatus(t, env, second); s != http.StatusOK {
			t.Errorf("the new token: %d", s)
		}
		// Reloaded, the page shows no secret.
		do(t, ctx, "reload her page", chromedp.Navigate(env.URL+olgaPage), chromedp.WaitVisible(chromedp.CSS("#cred-amocrm")))
		if n := eval[int](t, ctx, `document.querySelectorAll('.secret-value').length`); n != 0 {
			t.Errorf("%d secrets shown again", n)
		}

		do(t, ctx, "limits", chromedp.Navigate(env.URL+"/settings/limits"), chromedp.WaitVisible(chromedp.CSS("#limits-amocrm")))
		screenshot(t, ctx, "settings-limits")
		do(t, ctx, "widget", chromedp.Navigate(env.URL+"/settings/widget"), chromedp.WaitVisible(chromedp.CSS("#widget-snippet")))
		if got := eval[string](t, ctx, `document.querySelector('#widget-snippet').value`); !strings.Contains(got, env.URL+"/widget.js") {
			t.Errorf("the snippet: %q", got)
		}
		screenshot(t, ctx, "settings-widget")
	})
}
