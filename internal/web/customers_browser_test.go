package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestCustomersInBrowser: an administrator switches customers on through
// the mode page (its consequences on screen), opens the board, opens a
// card from it, adds a purchase and sees it listed, as amoCRM's API does;
// the board and the card fit a phone; then the segments mode's list.
func TestCustomersInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Coffee roasters")
		tb := tab(t)
		do(t, tb, "sign in", chromedp.Navigate(env.URL+"/customers"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS("#customers-off")))

		// The mode switch: pick periodicity, read what it does, confirm.
		do(t, tb, "the mode page", chromedp.Click(chromedp.CSS("#customers-off a.button")),
			chromedp.WaitVisible(chromedp.CSS("#mode-choices")),
			chromedp.Click(chromedp.CSS(`a[href="/customers/mode?to=periodicity"]`)),
			chromedp.WaitVisible(chromedp.CSS("#consequences")))
		if n := eval[int](t, tb, `document.querySelectorAll('#consequences li').length`); n < 4 {
			t.Errorf("the switch names %d consequences", n)
		}
		screenshot(t, tb, "customers-mode")
		do(t, tb, "confirm the switch", chromedp.Click(chromedp.CSS("#mode-confirm-box")), chromedp.Click(chromedp.CSS("#mode-submit")),
			chromedp.WaitVisible(chromedp.CSS("#customers-board")))
		if got := m.customerMode(t); got != crm.CustomersPeriodicity {
			t.Fatalf("mode %q after the switch in the browser", got)
		}

		// Customers along the life cycle.
		now := time.Now()
		names := []struct {
			name  string
			days  int
			price int64
		}{
			{"Café Lumière", 3, 12000}, {"Bean There", 5, 8400}, {"Morning Ritual", -12, 5600}, {"The Daily Grind", 40, 9900},
			{"Brew & Co", -80, 3000}, {"Steam Punk Coffee", 2, 15000}, {"Latte Lab", 60, 7200},
		}
		var cafe crm.Customer
		for _, c := range names {
			added := m.newCustomer(t, c.name, now.AddDate(0, 0, c.days), c.price)
			if c.name == "Café Lumière" {
				cafe = added
			}
		}
		regular := m.newCustomer(t, "Espresso Bar", now.AddDate(0, 0, 25), 4100)
		if _, err := m.service().AddTransactions(ctx, m.Actor, []crm.NewTransaction{{CustomerID: regular.ID, Price: ptr(int64(4100)),
			CompletedAt: ptr(now.AddDate(0, 0, -5))}}); err != nil {
			t.Fatal(err)
		}
		do(t, tb, "the board", chromedp.Navigate(env.URL+"/customers"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.customer-card[data-id="%d"]`, cafe.ID))))
		if n := eval[int](t, tb, `document.querySelectorAll('#customers-board .column').length`); n != 4 {
			t.Errorf("the board has %d columns", n)
		}
		if n := eval[int](t, tb, `document.querySelectorAll('.customer-card.is-overdue').length`); n != 2 {
			t.Errorf("%d cards are marked overdue, want 2", n)
		}
		screenshot(t, tb, "customers-board")

		// The card from the board; a purchase.
		do(t, tb, "open the card", chromedp.Click(chromedp.CSS(fmt.Sprintf(`.customer-card[data-id="%d"] a.title`, cafe.ID))),
			chromedp.WaitVisible(chromedp.CSS("#add-purchase")))
		do(t, tb, "add a purchase",
			chromedp.SendKeys(chromedp.CSS("#purchase-price"), "11 800"),
			chromedp.SendKeys(chromedp.CSS("#purchase-comment"), "Ethiopia Guji, 10 kg <b>bold</b>"),
			chromedp.Click(chromedp.CSS("#purchase-submit")),
			chromedp.WaitVisible(chromedp.CSS("#purchase-list")))
		row := eval[string](t, tb, `document.querySelector('#purchase-list tbody tr').textContent`)
		if !strings.Contains(row, "11,800") || !strings.Contains(row, "Ethiopia Guji, 10 kg <b>bold</b>") {
			t.Errorf("the purchase row reads %q", row)
		}
		if got := eval[string](t, tb, `document.querySelector('#customer-count').textContent`); got != "1" {
			t.Errorf("the card counts %s purchases", got)
		}
		r := m.amocrm(t, http.MethodGet, fmt.Sprintf("/api/v4/customers/%d/transactions", cafe.ID), "")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"price":11800`) {
			t.Errorf("amoCRM does not see the purchase: HTTP %d %s", r.Status, r.Body)
		}
		screenshot(t, tb, "customer")

		// A phone: the card and the board fit 375 px.
		do(t, tb, "phone", chromedp.EmulateViewport(375, 800), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#add-purchase")))
		if w := eval[int](t, tb, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("the card is %d px wide on a 375 px phone", w)
		}
		do(t, tb, "phone board", chromedp.Navigate(env.URL+"/customers"), chromedp.WaitVisible(chromedp.CSS("#customers-board")))
		if w := eval[int](t, tb, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("the board page is %d px wide on a 375 px phone", w)
		}
		screenshot(t, tb, "customers-phone")
		do(t, tb, "phone mode switch", chromedp.Navigate(env.URL+"/customers/mode?to=segments"), chromedp.WaitVisible(chromedp.CSS("#consequences")))
		if w := eval[int](t, tb, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("the mode switch is %d px wide on a 375 px phone", w)
		}

		// The segments mode: the list by segment.
		do(t, tb, "desktop", chromedp.EmulateViewport(1280, 860))
		m.setCustomersMode(t, crm.CustomersSegments)
		segs := map[string]int64{}
		for name, color := range map[string]string{"Wholesale": "10599d", "Cafés": "0c7c59", "Subscription": "ae003f"} {
			s, err := m.service().AddSegment(ctx, m.Actor, crm.NewSegment{Name: ptr(name), Color: ptr(color)})
			if err != nil {
				t.Fatal(err)
			}
			segs[name] = s.ID
		}
		list, _, err := m.service().Customers(ctx, m.Actor, crm.CustomerQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var in []crm.CustomerInput
		for i, c := range list {
			ids := []int64{segs["Cafés"]}
			if i%2 == 0 {
				ids = append(ids, segs["Subscription"])
			}
			if i%3 == 0 {
				ids = []int64{segs["Wholesale"]}
			}
			in = append(in, crm.CustomerInput{ID: c.ID, SegmentIDs: &ids})
		}
		if _, err := m.service().UpdateCustomersAtomic(ctx, m.Actor, in); err != nil {
			t.Fatal(err)
		}
		do(t, tb, "the segments list", chromedp.Navigate(env.URL+"/customers"), chromedp.WaitVisible(chromedp.CSS("#customers-table")),
			chromedp.SetValue(chromedp.CSS("#f-segment"), fmt.Sprint(segs["Cafés"])),
			chromedp.Click(chromedp.CSS("#customers-apply")))
		// The filtered page, not the one the click left.
		waitFor(t, "the filtered list", func() bool {
			q, err := tryEval[string](tb, `location.search`)
			return err == nil && strings.Contains(q, "segment=")
		})
		do(t, tb, "the filtered list", chromedp.WaitVisible(chromedp.CSS("#customers-total")))
		total := eval[string](t, tb, `document.querySelector('#customers-total').getAttribute('data-total')`)
		rows := eval[int](t, tb, `document.querySelectorAll('#customers-table tbody tr').length`)
		if fmt.Sprint(rows) != total || rows == 0 || rows == len(list) {
			t.Errorf("the Cafés filter shows %d rows of a total %s (of %d customers)", rows, total, len(list))
		}
		screenshot(t, tb, "customers-segments")
	})
}
