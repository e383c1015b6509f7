package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestHandOrderInBrowser drags a card within its column with real mouse
// events, then moves another with Alt+↑, and reloads the board each time
// to see the order kept.
func TestHandOrderInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Order")
		stages := m.stages(t)
		var d []string
		for i := range 4 {
			d = append(d, itoa(m.addDeal(t, fmt.Sprintf("Card %d", i), int64(100*(i+1)), stages[0])))
		}
		ctx := tab(t)
		do(t, ctx, "sign in", chromedp.Navigate(env.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")), scriptReady)
		order := func() []string {
			t.Helper()
			return eval[[]string](t, ctx, fmt.Sprintf(`Array.from(document.querySelectorAll('.column[data-stage="%d"] .card')).map(c => c.dataset.id)`, stages[0]))
		}
		reload := func(what string) {
			t.Helper()
			do(t, ctx, what, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".board")), scriptReady)
		}
		if got := order(); !slices.Equal(got, []string{d[3], d[2], d[1], d[0]}) {
			t.Fatalf("first order %v", got)
		}
		card := func(id, part string) chromedp.CSS {
			return chromedp.CSS(fmt.Sprintf(`.card[data-id="%s"] %s`, id, part))
		}

		// Drag the bottom card (0) onto the top of card 2: between 3 and 2.
		do(t, ctx, "drag within the column", chromedp.DragAndDrop(card(d[0], ".task"), card(d[2], ".title")))
		waitFor(t, "the drop to be saved", func() bool {
			s, err := tryEval[string](ctx, `document.getElementById('announce').textContent`)
			return err == nil && strings.Contains(s, "Card 0")
		})
		want := []string{d[3], d[0], d[2], d[1]}
		if got := order(); !slices.Equal(got, want) {
			t.Errorf("after the drop %v, want %v", got, want)
		}
		reload("reload after the drop")
		if got := order(); !slices.Equal(got, want) {
			t.Errorf("after reloading %v, want %v", got, want)
		}

		// The keyboard: card 1 (the last) up one with Alt+↑.
		do(t, ctx, "Alt+Up", chromedp.Focus(chromedp.CSS(fmt.Sprintf(`.card[data-id="%s"]`, d[1]))),
			chromedp.KeyEvent(kb.ArrowUp, chromedp.KeyModifiers(chromedp.ModifierAlt)))
		waitFor(t, "the keyboard move to be saved", func() bool {
			s, err := tryEval[string](ctx, `document.getElementById('announce').textContent`)
			return err == nil && strings.Contains(s, "Card 1")
		})
		if got := eval[string](t, ctx, `document.activeElement.dataset.id`); got != d[1] {
			t.Errorf("focus on card %s after the move, want %s", got, d[1])
		}
		want = []string{d[3], d[0], d[1], d[2]}
		reload("reload after the keyboard move")
		if got := order(); !slices.Equal(got, want) {
			t.Errorf("after Alt+Up and a reload %v, want %v", got, want)
		}

		// Into the next column at a place, as today: the stage changes.
		do(t, ctx, "drag to the next column", chromedp.DragAndDrop(card(d[3], ".task"),
			chromedp.CSS(fmt.Sprintf(`.column[data-stage="%d"] header`, stages[1]))))
		waitFor(t, "the stage change", func() bool { return m.deal(t, mustInt(d[3])).StageID == stages[1] })
		reload("reload after the column change")
		if got := order(); !slices.Equal(got, []string{d[0], d[1], d[2]}) {
			t.Errorf("first column after the move %v", got)
		}
	})
}

func mustInt(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}
