package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crmtest"
)

// chartsAgainstTables is run in the page: for every chart, each bar's
// data-value against the table cell of its label (row) and series
// (column), and every cell of a series against a bar, read from the DOM
// as a browser drew them. It returns the mismatches and how many bars it
// compared.
const chartsAgainstTables = `(() => {
  const bad = []; let bars = 0, charts = 0;
  const digits = s => s.replace(/[^0-9-]/g, '');
  for (const sec of document.querySelectorAll('section.report')) {
    const svg = sec.querySelector('svg.chart'), table = sec.querySelector('table.report-table');
    if (!svg) continue;
    charts++;
    if (!svg.querySelector('title') || !svg.querySelector('desc')) bad.push(sec.id + ': no title or desc');
    const seen = new Set();
    for (const bar of svg.querySelectorAll('rect.bar')) {
      bars++;
      const label = bar.dataset.label, series = bar.dataset.series;
      const row = [...table.querySelectorAll('tbody tr')].find(tr => tr.dataset.label === label);
      const cell = row && [...row.querySelectorAll('td')].find(td => td.dataset.series === series);
      if (!cell) { bad.push(sec.id + ': no cell for bar ' + label + ' / ' + series); continue; }
      seen.add(cell);
      if (digits(cell.textContent) !== bar.dataset.value) bad.push(sec.id + ': bar ' + label + ' / ' + series + ' = ' + bar.dataset.value + ', cell ' + cell.textContent);
      const h = bar.getBBox();
      if (+bar.dataset.value > 0 && h.width * h.height <= 0) bad.push(sec.id + ': bar ' + label + ' drawn empty');
    }
    for (const td of table.querySelectorAll('td[data-series]')) if (!seen.has(td)) bad.push(sec.id + ': cell without a bar: ' + td.textContent);
  }
  return {bad, bars, charts};
})()`

type chartCheck struct {
	Bad    []string `json:"bad"`
	Bars   int      `json:"bars"`
	Charts int      `json:"charts"`
}

// TestReportsInBrowser opens the dashboard in Chromium on both databases
// and checks that every SVG chart's bars say what its data table says;
// at 375 px the page does not scroll sideways (the charts do, inside their
// frames). It saves the reports and reports-phone screenshots.
func TestReportsInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		f := newReportFixture(t, env)
		statuses := f.addCustomers(t)
		ctx := tab(t)
		do(t, ctx, "sign in",
			chromedp.Navigate(env.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(f.admin.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitNotPresent(chromedp.CSS("#login")))
		do(t, ctx, "open the reports", chromedp.Navigate(env.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS("#chart-funnel")))
		got := eval[chartCheck](t, ctx, chartsAgainstTables)
		for _, b := range got.Bad {
			t.Error(b)
		}
		// 4 stages, 30 days × 2 sources, 12 months × 2, 2 managers × 3, a
		// bar per customer status.
		if got.Charts != 5 || got.Bars != 4+30*2+12*2+2*3+len(statuses) {
			t.Errorf("compared %d charts, %d bars", got.Charts, got.Bars)
		}
		height := eval[int](t, ctx, `document.documentElement.scrollHeight`)
		do(t, ctx, "tall window", chromedp.EmulateViewport(1280, int64(height)))
		screenshot(t, ctx, "reports")

		do(t, ctx, "phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile),
			chromedp.Navigate(env.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS("#chart-funnel")))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("at 375 px the page is %d px wide", w)
		}
		if got := eval[chartCheck](t, ctx, chartsAgainstTables); len(got.Bad) > 0 {
			t.Errorf("on a phone: %q", got.Bad)
		}
		height = eval[int](t, ctx, `document.documentElement.scrollHeight`)
		do(t, ctx, "tall phone", chromedp.EmulateViewport(375, int64(height), chromedp.EmulateMobile))
		screenshot(t, ctx, "reports-phone")
	})
}
