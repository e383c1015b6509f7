package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestBulkInBrowser ticks rows of the deal table (with the mouse and with
// the keyboard), sets their stage in one action, and sees the table read
// again with the selection cleared; at 375 px the bar and the rows fit.
func TestBulkInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Bulk")
		pipeline := m.pipelineID(t)
		stages := m.stages(t)
		for i := range 55 {
			tag := "retail"
			if i%3 == 0 {
				tag = "wholesale"
			}
			m.addDeal(t, fmt.Sprintf("Order %02d", i), int64(1000+i*10), stages[0], tag)
		}
		ctx := tab(t)
		do(t, ctx, "sign in", chromedp.Navigate(env.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")))
		table := fmt.Sprintf("%s/deals?pipeline=%d&view=table", env.URL, pipeline)
		ready := chromedp.WaitReady(chromedp.CSS(`form[data-bulk] button[value="won"]:disabled`))
		do(t, ctx, "table", chromedp.Navigate(table), chromedp.WaitVisible(chromedp.CSS("form[data-bulk]")), scriptReady, ready)

		ids := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('input[name="id"]')).slice(0, 3).map(c => c.value)`)
		if len(ids) != 3 {
			t.Fatalf("row checkboxes: %v", ids)
		}
		box := func(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`input[name="id"][value="%s"]`, id)) }
		do(t, ctx, "tick three rows",
			chromedp.Click(box(ids[0])), chromedp.Click(box(ids[1])),
			// The keyboard: focus the third and press Space.
			chromedp.Focus(box(ids[2])), chromedp.KeyEvent(" "),
			chromedp.SetValue(chromedp.CSS("#bulk-stage"), itoa(stages[1])))
		if got := eval[string](t, ctx, `document.querySelector('[data-bulk-count]').textContent`); got != "Selected: 3" {
			t.Errorf("count %q after ticking three rows", got)
		}
		if eval[bool](t, ctx, `document.querySelector('button[value="stage"]').disabled`) {
			t.Error("set stage is disabled with three rows ticked")
		}
		if !eval[bool](t, ctx, `document.querySelector('[data-bulk-page]').indeterminate`) {
			t.Error("select-all is not shown as partly ticked")
		}
		eval[any](t, ctx, `window.scrollTo(0, 0)`)
		screenshot(t, ctx, "deals-bulk")

		do(t, ctx, "set stage", chromedp.Click(chromedp.CSS(`button[value="stage"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#bulk-status.ok`)))
		var status string
		waitFor(t, "the rows read again", func() bool {
			s, err := tryEval[string](ctx, `document.querySelector('#bulk-status').className + ': ' + document.querySelector('#bulk-status').textContent`)
			status = s
			if strings.Contains(s, "error") {
				t.Fatalf("bulk status %q", s)
			}
			return err == nil && s == "bulk-status ok: Deals changed: 3."
		})
		_ = status
		if n := eval[int](t, ctx, `document.querySelectorAll('input[name="id"]:checked').length`); n != 0 {
			t.Errorf("%d rows still ticked after the action", n)
		}
		if got := eval[string](t, ctx, `document.querySelector('[data-bulk-count]').textContent`); got != "Selected: 0" {
			t.Errorf("count %q after the action", got)
		}
		for _, id := range ids {
			var n int64
			fmt.Sscan(id, &n)
			if got := m.deal(t, n).StageID; got != stages[1] {
				t.Errorf("deal %s in stage %d, want %d", id, got, stages[1])
			}
			row := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('input[name="id"][value="%s"]').closest('tr').innerText`, id))
			if !strings.Contains(row, m.stageName(t, stages[1])) {
				t.Errorf("row %s after the action: %q", id, row)
			}
		}

		// Select all on the page, then every deal matching: the count is
		// the filter's.
		do(t, ctx, "select the page", chromedp.Click(chromedp.CSS("[data-bulk-page]")))
		if got := eval[string](t, ctx, `document.querySelector('[data-bulk-count]').textContent`); got != "Selected: 50" {
			t.Errorf("count %q after selecting the page", got)
		}
		do(t, ctx, "select all matching", chromedp.Click(chromedp.CSS("[data-bulk-all]")))
		if got := eval[string](t, ctx, `document.querySelector('[data-bulk-count]').textContent`); got != "Selected: 55" {
			t.Errorf("count %q after selecting all matching", got)
		}
		do(t, ctx, "untick all", chromedp.Click(chromedp.CSS("[data-bulk-all]")), chromedp.Click(chromedp.CSS("[data-bulk-page]")))

		// A phone: the bar wraps, the rows are cards with their checkbox.
		do(t, ctx, "phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
			chromedp.Navigate(table), chromedp.WaitVisible(chromedp.CSS("form[data-bulk]")), scriptReady, ready,
			chromedp.Click(box(ids[0])), chromedp.Click(box(ids[1])))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("at 375 px the table page is %d px wide", w)
		}
		eval[any](t, ctx, `document.querySelector('.bulk-bar').scrollIntoView()`)
		screenshot(t, ctx, "deals-bulk-phone")
		do(t, ctx, "desktop", chromedp.EmulateViewport(1280, 860))
	})
}
