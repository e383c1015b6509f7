package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// importFile writes a 1,000-row client list: 940 clients, 50 rows whose
// phone (written another way) or email (in capitals) an earlier row has,
// and 10 rows with a malformed email.
func importFile(t *testing.T) string {
	var b strings.Builder
	b.WriteString("ФИО;Телефон;E-mail;Компания\n")
	for i := range 1000 {
		j := i - 1 // the row a duplicate repeats
		switch {
		case i%100 == 99: // 10 bad rows
			fmt.Fprintf(&b, "Ошибка %d;;bad%d@;\n", i, i)
		case i%40 == 10: // 25 duplicates by phone, written another way
			fmt.Fprintf(&b, "Дубль %d;8 (900) %03d-%02d-07;;\n", i, j/100, j%100)
		case i%40 == 30: // 25 duplicates by email, in capitals
			fmt.Fprintf(&b, "Дубль %d;;CLIENT%d@EXAMPLE.COM;\n", i, j)
		default:
			fmt.Fprintf(&b, "Клиент %d;+7 900 %03d %02d 07;client%d@example.com;ООО Ромашка %d\n", i, i/100, i%100, i, i%7)
		}
	}
	path := filepath.Join(t.TempDir(), "clients.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportInBrowser imports a 1,000-row CSV with 10 bad rows and 50
// duplicates through the screens: upload, mapping, dry run, import with
// its progress, exact counts, the errors file with the 10 rows; then the
// clients list exports them back.
func TestImportInBrowser(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Import")
		ctx := tab(t)
		do(t, ctx, "sign in", chromedp.Navigate(env.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS("#login"), itoa(m.UserID)),
			chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS(".board")))

		do(t, ctx, "upload page", chromedp.Navigate(env.URL+"/settings/import"), chromedp.WaitVisible(chromedp.CSS("#import-upload")))
		do(t, ctx, "choose the file", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{importFile(t)}))
		screenshot(t, ctx, "import-upload")
		do(t, ctx, "upload", chromedp.Click(chromedp.CSS("#import-submit")), chromedp.WaitVisible(chromedp.CSS("#import-mapping")))
		// The suggestion maps all four columns from their Russian names.
		got := eval[string](t, ctx, `[...document.querySelectorAll('#import-mapping select')].map(s => s.value).join(',')`)
		if got != "name,phone,email,company" {
			t.Errorf("suggested mapping %q", got)
		}
		screenshot(t, ctx, "import-mapping")
		// The header toggle re-reads the columns: off, the first row is a sample.
		do(t, ctx, "header off", chromedp.Click(chromedp.CSS("#import-header-toggle")))
		poll(t, ctx, "the first row as a sample", `location.search.includes('header=0') && document.readyState === 'complete' && `+
			`document.querySelector('#import-mapping .sample').textContent === 'ФИО'`)
		do(t, ctx, "header on", chromedp.Click(chromedp.CSS("#import-header-toggle")))
		poll(t, ctx, "the header back", `location.search.includes('header=1') && document.readyState === 'complete' && `+
			`document.querySelector('#import-mapping .sample').textContent === 'Клиент 0'`)

		// 1,000 rows take a while on a busy PostgreSQL: the page polls.
		do(t, ctx, "dry run", chromedp.Click(chromedp.CSS("#import-dry-run")))
		poll(t, ctx, "the dry run's report", `document.querySelector('#import-run') !== null`)
		counts := func() string {
			return eval[string](t, ctx, `['#import-new','#import-duplicates','#import-errors'].map(s => document.querySelector(s).textContent).join(' ')`)
		}
		if c := counts(); c != "940 50 10" {
			t.Errorf("dry run counts %q, want 940 50 10", c)
		}
		if n := clients(t, m); n != 0 {
			t.Fatalf("the dry run made %d clients", n)
		}
		screenshot(t, ctx, "import-preview")

		do(t, ctx, "import", chromedp.Click(chromedp.CSS("#import-run")))
		poll(t, ctx, "the import's end", `document.querySelector('#import-again') !== null`)
		if c := counts(); c != "940 50 10" {
			t.Errorf("import counts %q, want 940 50 10", c)
		}
		if n := clients(t, m); n != 940 {
			t.Errorf("%d clients, want 940", n)
		}
		screenshot(t, ctx, "import-done")

		// The errors file: the header and the 10 bad rows.
		if d := eval[bool](t, ctx, `document.querySelector('#import-errors-csv').hasAttribute('download')`); !d {
			t.Error("the errors link is no download")
		}
		text := evalAwait[string](t, ctx, `fetch(document.querySelector('#import-errors-csv').href).then(r => r.text())`)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 11 || rows[1][0] != "101" || rows[1][1] != "E-mail" || rows[1][3] != "Ошибка 99" {
			t.Errorf("errors file: %d lines, first %v", len(rows), rows[min(1, len(rows)-1)])
		}

		do(t, ctx, "phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile), chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS("#import-again")))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("at 375 px the page is %d px wide", w)
		}
		screenshot(t, ctx, "import-phone")

		// Exported back from the clients list: the 940 clients the file
		// made, each once, named as in the file.
		do(t, ctx, "clients", chromedp.EmulateViewport(1280, 860), chromedp.Navigate(env.URL+"/clients"),
			chromedp.WaitVisible(chromedp.CSS("#export-csv")))
		text = evalAwait[string](t, ctx, `fetch(document.querySelector('#export-csv').href).then(r => r.text())`)
		rows, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatalf("%v in %.600q", err, text[strings.Index(text, "<main"):])
		}
		names := map[string]bool{}
		for _, r := range rows[1:] {
			names[r[1]] = true
		}
		if len(rows) != 941 || len(names) != 940 || !names["Клиент 0"] || !names["Клиент 998"] || names["Дубль 10"] {
			t.Errorf("the export has %d rows, %d names (Клиент 0 %v, Клиент 998 %v, Дубль 10 %v)",
				len(rows)-1, len(names), names["Клиент 0"], names["Клиент 998"], names["Дубль 10"])
		}
	})
}

func clients(t *testing.T, m *member) int {
	t.Helper()
	page, err := m.service().Clients(context.Background(), m.Actor, crm.ClientQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

// poll waits until a JavaScript expression is true, across page loads.
func poll(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		// The page may be between two documents: an error is a retry.
		if ok, err := tryEval[bool](ctx, expr); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 2 minutes", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// evalAwait is eval of an expression whose value is a promise.
func evalAwait[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
