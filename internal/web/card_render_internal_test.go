package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// TestRenderCardsMatchesTemplate: renderCards writes the board's cards
// byte for byte as board.html's "card" template does (the plain path it
// replaces), for cards with and without every optional part, with text
// html/template escapes (quotes, ampersands, plus, angle brackets, NUL,
// invalid UTF-8), in both languages, with a filter that puts the same into
// the move form's way back.
func TestRenderCardsMatchesTemplate(t *testing.T) {
	board := mustParsePages()["board"]
	stages := []crm.Stage{{ID: 11, Name: "Новая"}, {ID: 12, Name: `"<b>'&+ стадия`}, {ID: 13, Name: "Won"}}
	nasty := []string{"", "Сделка 1", `a "b" & 'c' <d> e+f`, "nul\x00byte", "bad \xff\xfe utf-8", "</li><script>x</script>", "&amp; already"}
	var cards []boardCard
	for i, name := range nasty {
		c := boardCard{ID: int64(1000 + i), StageID: stages[i%len(stages)].ID, Price: int64(i * 1250), Name: name}
		if i%2 == 1 {
			c.Client, c.PriceText = nasty[(i+2)%len(nasty)]+" клиент", "1 250 ₽"
		}
		if i%3 != 0 {
			c.TaskText, c.Overdue = "Dec 4, 10:00 · "+nasty[(i+3)%len(nasty)], i%2 == 0
		}
		if i%4 != 1 {
			c.Stale = "8 days"
		}
		if i%3 == 1 {
			c.Tags = []string{"VIP", nasty[(i+1)%len(nasty)], "+tag"}
		}
		cards = append(cards, c)
	}
	cards = append(cards, boardCard{ID: 7, StageID: 99, Name: "a stage the menu lacks"})
	for _, lang := range []string{"en", "ru"} {
		v := &view{Lang: lang, loc: time.UTC, now: time.Now()}
		for _, f := range []boardFilter{{PipelineID: 5}, {PipelineID: 5, Responsible: "3", Keyword: `"<x>" & 'y'+z`, From: "2026-01-01"}} {
			chrome := newCardChrome(v, f, stages)
			var want bytes.Buffer
			for _, c := range cards {
				if err := board.ExecuteTemplate(&want, "card", map[string]any{"Card": c, "Chrome": chrome}); err != nil {
					t.Fatal(err)
				}
			}
			got := string(renderCards(cards, chrome))
			if got != want.String() {
				w := want.String()
				i := 0
				for i < len(got) && i < len(w) && got[i] == w[i] {
					i++
				}
				t.Fatalf("%s, %+v: renderCards differs from the template at byte %d:\ngot  %q\nwant %q", lang, f,
					i, got[max(0, i-80):min(len(got), i+80)], w[max(0, i-80):min(len(w), i+80)])
			}
			// The comparison is only as good as the escaping it covers.
			if !strings.Contains(got, "a &#34;b&#34; &amp; &#39;c&#39; &lt;d&gt; e&#43;f") || !strings.Contains(got, "nul\uFFFDbyte") {
				t.Errorf("the cards do not hold the escaped names: %.300s", got)
			}
		}
	}
	if renderCards(nil, cardChrome{}) != "" {
		t.Error("no cards should write nothing")
	}
}

// TestRenderTableRowsMatchesTemplate: renderTableRows writes the deal
// table's rows byte for byte as board.html's "table-rows" template does,
// in both languages and currencies, for one pipeline and for all (the
// pipeline's name in brackets), with and without a client and a task
// (overdue or not), a stage the names lack, and text to escape.
func TestRenderTableRowsMatchesTemplate(t *testing.T) {
	board := mustParsePages()["board"]
	msk, _ := time.LoadLocation(crm.DefaultTimeZone)
	nasty := []string{"", "Сделка 1", `a "b" & 'c' <d> e+f`, "nul\x00byte", "bad \xff utf-8", "%d %s %%"}
	at := time.Date(2026, 3, 4, 21, 30, 0, 0, time.UTC)
	var rows []crm.DealSearchRow
	for i, name := range nasty {
		r := crm.DealSearchRow{Deal: crm.Deal{ID: int64(500 + i), Name: name, StageID: int64(11 + i%4), PipelineID: int64(1 + i%3),
			Price: int64(i) * 1_234_567, CreatedAt: at.Add(time.Duration(i) * 13 * time.Hour)}}
		r.Client.Name = nasty[(i+2)%len(nasty)]
		if i%2 == 0 {
			r.Task = &crm.DealSearchTask{Text: nasty[(i+1)%len(nasty)], Time: at.AddDate(0, 0, i), Overdue: i%4 == 0}
		}
		rows = append(rows, r)
	}
	for _, lang := range []string{"en", "ru"} {
		for _, currency := range []string{"RUB", "USD"} {
			for _, pipeline := range []int64{0, 2} {
				v := &view{Lang: lang, loc: msk, now: time.Now(), Account: crm.Account{Currency: currency}}
				d := boardData{Filter: boardFilter{PipelineID: pipeline, Table: true}, Rows: rows,
					StageNames: map[int64]string{11: "Новая", 12: `"<b>'&+`, 13: "Won"}, PipeNames: map[int64]string{1: "Воронка", 2: "A & B"}}
				v.Data = d
				var want bytes.Buffer
				if err := board.ExecuteTemplate(&want, "table-rows", v); err != nil {
					t.Fatal(err)
				}
				got := string(renderTableRows(v, &d))
				if got != want.String() {
					w := want.String()
					i := 0
					for i < len(got) && i < len(w) && got[i] == w[i] {
						i++
					}
					t.Fatalf("%s %s pipeline %d: renderTableRows differs from the template at byte %d:\ngot  %q\nwant %q", lang, currency, pipeline,
						i, got[max(0, i-80):min(len(got), i+80)], w[max(0, i-80):min(len(w), i+80)])
				}
				if !strings.Contains(got, "a &#34;b&#34; &amp; &#39;c&#39; &lt;d&gt; e&#43;f") {
					t.Errorf("the rows do not hold the escaped names: %.300s", got)
				}
			}
		}
	}
	if renderTableRows(&view{}, &boardData{}) != "" {
		t.Error("no rows should write nothing")
	}
}
