package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestExportInBrowser: in Chromium, the deal table's export link carries
// the table's filter, is reachable by the keyboard, and downloads (fetched
// with the page's session) the CSV of the filtered deals; the links fit a
// phone's width. It saves the table with its links at both widths.
func TestExportInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Export")
		for i := range 4 {
			c := m.newClient(t, fmt.Sprintf("Клиент %d", i), nil, nil)
			name := fmt.Sprintf("Сделка %d", i)
			if i%2 == 0 {
				name += " Альфа"
			}
			if _, err := m.service().CreateDeal(context.Background(), m.Actor, crm.NewDeal{Name: name, ClientID: c.ID}); err != nil {
				t.Fatal(err)
			}
		}
		ctx := tab(t)
		do(t, ctx, "sign in", chromedp.Navigate(env.URL+"/deals"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")))
		do(t, ctx, "the filtered table", chromedp.Navigate(env.URL+"/deals?view=table&pipeline=all&q=%D0%B0%D0%BB%D1%8C%D1%84%D0%B0"),
			chromedp.WaitVisible(chromedp.CSS("#export-csv")))
		href := eval[string](t, ctx, `document.querySelector('#export-csv').getAttribute('href')`)
		if !strings.Contains(href, "q=%D0%B0%D0%BB%D1%8C%D1%84%D0%B0") || !strings.Contains(href, "format=csv") {
			t.Errorf("export link %q does not carry the filter", href)
		}
		// Reachable by the keyboard: the link takes the focus.
		if !eval[bool](t, ctx, `(() => { const a = document.querySelector('#export-xlsx'); a.focus(); return document.activeElement === a })()`) {
			t.Error("the XLSX link cannot take the focus")
		}
		// The download, fetched with the page's session; the result is
		// polled, since the evaluation does not wait for the promise.
		eval[bool](t, ctx, `(window.exported = null, fetch(document.querySelector('#export-csv').href)
			.then(r => r.text()).then(text => { window.exported = text }), true)`)
		var csv string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if got := eval[*string](t, ctx, `window.exported`); got != nil {
				csv = *got
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the export was not downloaded within 10 s")
			}
		}
		// fetch's text() drops the byte-order mark; the rows are what count.
		lines := strings.Split(strings.TrimSpace(csv), "\r\n")
		if len(lines) != 3 || !strings.Contains(lines[1], "Сделка 2 Альфа") || !strings.Contains(lines[2], "Сделка 0 Альфа") {
			t.Errorf("downloaded CSV %q, want the two filtered deals", csv)
		}
		screenshot(t, ctx, "export-table")
		do(t, ctx, "phone width", chromedp.EmulateViewport(375, 812), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#export-csv")))
		if w := eval[float64](t, ctx, `document.querySelector('#export-links').getBoundingClientRect().right`); w > 375 {
			t.Errorf("the export links reach %v px at 375 px wide", w)
		}
		screenshot(t, ctx, "export-table-phone")
	})
}
