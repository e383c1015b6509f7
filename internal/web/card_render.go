package web

import (
	"html/template"
	"strconv"
	"strings"
)

// renderCards writes a column's cards as the template "card" of
// board.html writes each (TestRenderCardsMatchesTemplate holds them equal,
// byte for byte). html/template calls its escapers through reflection for
// every value: about fifteen calls a card, 450 cards on a board, which were
// a third of a board page's time; the cards are the page's bulk, so they
// are written here and the rest of the page stays a template.
func renderCards(cards []boardCard, p cardChrome) template.HTML {
	if len(cards) == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(cards) * (1200 + len(p.Back)))
	for i := range cards {
		writeCard(&b, &cards[i], &p)
	}
	return template.HTML(b.String())
}

// writeCard is one card: the template "card", its text and whitespace kept.
func writeCard(b *strings.Builder, c *boardCard, p *cardChrome) {
	id := strconv.FormatInt(c.ID, 10)
	b.WriteString("\n<li class=\"card\" tabindex=\"0\" data-id=\"")
	b.WriteString(id)
	b.WriteString("\" data-price=\"")
	b.WriteString(strconv.FormatInt(c.Price, 10))
	b.WriteString("\" data-stage=\"")
	b.WriteString(strconv.FormatInt(c.StageID, 10))
	b.WriteString("\" aria-label=\"")
	escapeHTML(b, c.Name)
	b.WriteString("\">\n  <a class=\"title\" href=\"/deals/")
	b.WriteString(id)
	b.WriteString("\" draggable=\"false\">")
	escapeHTML(b, c.Name)
	b.WriteString("</a>\n  ")
	writeTextDiv(b, "client", c.Client)
	b.WriteString("\n  ")
	writeTextDiv(b, "price", c.PriceText)
	b.WriteString("\n  ")
	if c.TaskText != "" {
		b.WriteString("<div class=\"task")
		if c.Overdue {
			b.WriteString(" overdue")
		}
		b.WriteString("\">")
		escapeHTML(b, c.TaskText)
		b.WriteString("</div>")
	} else {
		b.WriteString("<div class=\"task none\">")
		escapeHTML(b, p.NoTask)
		b.WriteString("</div>")
	}
	b.WriteString("\n  ")
	writeTextDiv(b, "stale", c.Stale)
	b.WriteString("\n  ")
	if len(c.Tags) > 0 {
		b.WriteString("<div class=\"tags\">")
		for _, t := range c.Tags {
			b.WriteString("<span class=\"tag\">")
			escapeHTML(b, t)
			b.WriteString("</span>")
		}
		b.WriteString("</div>")
	}
	b.WriteString("\n  <form method=\"post\" action=\"/deals/")
	b.WriteString(id)
	b.WriteString("/stage\" class=\"move\">\n    <input type=\"hidden\" name=\"back\" value=\"")
	escapeHTML(b, p.Back)
	b.WriteString("\">\n    <label class=\"visually-hidden\" for=\"mv-")
	b.WriteString(id)
	b.WriteString("\">")
	escapeHTML(b, p.MoveTo)
	b.WriteString("</label>\n    <select id=\"mv-")
	b.WriteString(id)
	b.WriteString("\" name=\"stage_id\" data-autosubmit title=\"")
	escapeHTML(b, p.MoveTo)
	b.WriteString("\">\n      ")
	b.WriteString(string(p.Options[c.StageID]))
	b.WriteString("\n    </select>\n    <button type=\"submit\" class=\"js-hide\">")
	escapeHTML(b, p.Move)
	b.WriteString("</button>\n  </form>\n</li>\n")
}

// writeTextDiv writes <div class="class">s</div>, s escaped, unless s is
// empty: the card's optional lines.
func writeTextDiv(b *strings.Builder, class, s string) {
	if s == "" {
		return
	}
	b.WriteString("<div class=\"")
	b.WriteString(class)
	b.WriteString("\">")
	escapeHTML(b, s)
	b.WriteString("</div>")
}

// escapeHTML writes s escaped as html/template escapes a string in text
// and in a quoted attribute: NUL as U+FFFD, and " & ' + < > as entities.
func escapeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// renderTableRows writes the deal table's rows as the template
// "table-rows" of board.html does (TestRenderTableRowsMatchesTemplate):
// the same reflection cost as the cards', about twenty calls a row, with
// the column labels, translated per row there, translated once here.
func renderTableRows(v *view, d *boardData) template.HTML {
	if len(d.Rows) == 0 {
		return ""
	}
	label := func(key string) string {
		var b strings.Builder
		escapeHTML(&b, v.T(key))
		return b.String()
	}
	name, client, stage, price, created, tasks := label("common.name"), label("common.client"), label("common.stage"),
		label("common.price"), label("common.created"), label("nav.tasks")
	noTask := label("board.no_task")
	var b strings.Builder
	b.Grow(len(d.Rows) * 900)
	for i := range d.Rows {
		r := &d.Rows[i]
		id := strconv.FormatInt(r.ID, 10)
		b.WriteString("<tr>\n    <td class=\"pick\"><input type=\"checkbox\" name=\"id\" value=\"")
		b.WriteString(id)
		b.WriteString("\" aria-label=\"")
		escapeHTML(&b, v.T("bulk.select", r.Name))
		b.WriteString("\"></td>\n    <td data-label=\"")
		b.WriteString(name)
		b.WriteString("\"><a href=\"/deals/")
		b.WriteString(id)
		b.WriteString("\">")
		escapeHTML(&b, r.Name)
		b.WriteString("</a></td>\n    <td data-label=\"")
		b.WriteString(client)
		b.WriteString("\">")
		escapeHTML(&b, r.Client.Name)
		b.WriteString("</td>\n    <td data-label=\"")
		b.WriteString(stage)
		b.WriteString("\">")
		escapeHTML(&b, d.StageNames[r.StageID])
		if d.Filter.PipelineID == 0 {
			b.WriteString(" <span class=\"muted\">(")
			escapeHTML(&b, d.PipeNames[r.PipelineID])
			b.WriteString(")</span>")
		}
		b.WriteString("</td>\n    <td data-label=\"")
		b.WriteString(price)
		b.WriteString("\" class=\"num\">")
		escapeHTML(&b, v.Money(r.Price))
		b.WriteString("</td>\n    <td data-label=\"")
		b.WriteString(created)
		b.WriteString("\">")
		escapeHTML(&b, v.Date(r.CreatedAt))
		b.WriteString("</td>\n    <td data-label=\"")
		b.WriteString(tasks)
		b.WriteString("\">")
		if r.Task != nil {
			b.WriteString("<span class=\"")
			if r.Task.Overdue {
				b.WriteString("overdue")
			}
			b.WriteString("\">")
			escapeHTML(&b, v.Time(r.Task.Time))
			b.WriteString(" · ")
			escapeHTML(&b, r.Task.Text)
			b.WriteString("</span>")
		} else {
			b.WriteString("<span class=\"muted\">")
			b.WriteString(noTask)
			b.WriteString("</span>")
		}
		b.WriteString("</td>\n  </tr>")
	}
	return template.HTML(b.String())
}
