package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// TestRenderLeadRowsMatchesTemplate: renderLeadRows writes the inbox's
// rows byte for byte as leads.html's "lead-row" template does (the plain
// path it replaces, which the live stream still takes), in both languages:
// new, taken (with no, one and two deals) and closed requests, first
// requests with repeats under them and repeats of their own, with and
// without a name, phone, email, comment, source and UTM marks, a phone
// that is no link, and text and URLs html/template escapes (quotes,
// ampersands, plus, spaces, percent signs valid and not, non-ASCII, NUL,
// invalid UTF-8).
func TestRenderLeadRowsMatchesTemplate(t *testing.T) {
	leads := mustParsePages()["leads"]
	msk, _ := time.LoadLocation(crm.DefaultTimeZone)
	nasty := []string{"", "Иван Петров", `a "b" & 'c' <d> e+f`, "nul\x00byte", "bad \xff\xfe utf-8", "%d %s %%", "</td><script>x</script>"}
	emails := []string{"", "a@b.ru", `o'brien+tag@x.com`, "we ird(1)@ex ample.ru", "100%25@x.ru", "%zz%4@x", "юникод@почта.рф", "a&b=c?d#e@x"}
	phones := []string{"", "79001234567", "7 (900) 123", "+7900"}
	at := time.Date(2026, 3, 4, 21, 30, 0, 0, time.UTC)
	sources := map[int64]string{1: "Сайт", 2: `"<b>'&+ форма`}
	var list []crm.Inbound
	for i := range 24 {
		l := crm.Inbound{ID: int64(900 - i), Name: nasty[i%len(nasty)], Phone: phones[i%len(phones)], Email: emails[i%len(emails)],
			InboxTypeID: int64(i % 3), CreatedAt: at.Add(-time.Duration(i) * 7 * time.Hour)}
		switch i % 3 {
		case 1:
			l.ClosedAt = at
			l.DealIDs = [][]int64{nil, {77}, {77, 78}}[i%3+i%2]
		case 2:
			l.ClosedAt = at
		}
		switch {
		case i%5 == 1:
			l.ParentID = int64(900 - i - 1) // its first request is the next row: listed under it
		case i%5 == 3:
			l.ParentID = 12 // on another page
		}
		if i%2 == 0 {
			l.Values = append(l.Values, crm.ServiceValue{FieldID: crm.FieldLeadComment, Value: nasty[(i+2)%len(nasty)]})
		}
		if i%4 == 0 {
			l.Values = append(l.Values, crm.ServiceValue{FieldID: crm.FieldLeadUTMSource, Value: "yandex"},
				crm.ServiceValue{FieldID: crm.FieldLeadUTMTerm, Value: nasty[(i+3)%len(nasty)]})
		}
		list = append(list, l)
	}
	for _, lang := range []string{"en", "ru"} {
		v := &view{Lang: lang, loc: msk, now: time.Now()}
		rows := groupLeads(v, list, sources)
		// A row of every shape the page can hold, not only those the
		// grouping makes of this list.
		extra := newLeadRow(v, list[1], sources)
		extra.More, extra.Under = 3, false
		extra.ClientQuery = `+7 900 & "q"/%41 ю`
		rows = append(rows, extra)
		var want bytes.Buffer
		for _, r := range rows {
			if err := leads.ExecuteTemplate(&want, "lead-row", map[string]any{"V": v, "Row": r}); err != nil {
				t.Fatal(err)
			}
		}
		got := string(renderLeadRows(v, rows))
		if w := want.String(); got != w {
			i := 0
			for i < len(got) && i < len(w) && got[i] == w[i] {
				i++
			}
			t.Fatalf("%s: renderLeadRows differs from the template at byte %d:\ngot  %q\nwant %q", lang, i,
				got[max(0, i-120):min(len(got), i+80)], w[max(0, i-120):min(len(w), i+80)])
		}
		// The comparison is only as good as what the rows hold.
		for _, s := range []string{"a &#34;b&#34; &amp; &#39;c&#39; &lt;d&gt; e&#43;f", "nul\uFFFDbyte", `href="tel:&#43;79001234567"`,
			`class="lead taken`, `class="lead closed`, `class="lead new repeat under"`, `data-parent="12"`, `class="utm"`,
			`href="/deals/78"`, `q=%2b7%20900%20%26%20%22q%22%2f%2541%20%d1%8e`, `mailto:we%20ird%281%29@ex%20ample.ru`} {
			if !strings.Contains(got, s) {
				t.Errorf("%s: the rows lack %q", lang, s)
			}
		}
	}
	if renderLeadRows(&view{Lang: "en"}, nil) != template.HTML("") {
		t.Error("no rows should write nothing")
	}
}
