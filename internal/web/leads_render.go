package web

import (
	"html/template"
	"strconv"
	"strings"
)

// renderLeadRows writes the inbox's rows as the template "lead-row" of
// leads.html writes each (TestRenderLeadRowsMatchesTemplate holds them
// equal, byte for byte), for the reason renderCards writes the board's
// cards: html/template reaches every value of a row through reflection,
// some thirty calls a row, and the fifty rows were half of an inbox page's
// CPU once its total was kept (0039). The column labels, translated per
// row there, are translated once here. The live stream's single rows stay
// the template's.
func renderLeadRows(v *view, rows []leadRow) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	l := leadLabels{
		lead: v.T("leads.col_lead"), contacts: v.T("leads.col_contacts"), comment: v.T("leads.col_comment"),
		source: v.T("leads.col_source"), created: v.T("common.created"), status: v.T("leads.col_status"),
		repeat: v.T("leads.repeat"), fromClient: v.T("leads.all_from_client"), statusNew: v.T("leads.status_new"),
		take: v.T("leads.take"), statusTaken: v.T("leads.status_taken"), statusClosed: v.T("leads.status_closed"),
	}
	var b strings.Builder
	b.Grow(len(rows) * 1800)
	for i := range rows {
		writeLeadRow(&b, v, &rows[i], &l)
	}
	return template.HTML(b.String())
}

// leadLabels are the texts every row of a page shares.
type leadLabels struct {
	lead, contacts, comment, source, created, status               string
	repeat, fromClient, statusNew, take, statusTaken, statusClosed string
}

// writeLeadRow is one row: the template "lead-row", its text and
// whitespace kept.
func writeLeadRow(b *strings.Builder, v *view, r *leadRow, lb *leadLabels) {
	l := &r.Lead
	id := strconv.FormatInt(l.ID, 10)
	status := r.Status()
	b.WriteString("\n<tr id=\"row-")
	b.WriteString(id)
	b.WriteString("\" class=\"lead ")
	b.WriteString(status)
	if r.Repeat {
		b.WriteString(" repeat")
	}
	if r.Under {
		b.WriteString(" under")
	}
	b.WriteString("\" data-id=\"")
	b.WriteString(id)
	b.WriteString("\"")
	if l.ParentID != 0 {
		b.WriteString(" data-parent=\"")
		b.WriteString(strconv.FormatInt(l.ParentID, 10))
		b.WriteString("\"")
	}
	b.WriteString(">\n  <td data-label=\"")
	escapeHTML(b, lb.lead)
	b.WriteString("\">\n    <span id=\"lead-name-")
	b.WriteString(id)
	b.WriteString("\" class=\"lead-name")
	if !r.Named {
		b.WriteString(" muted")
	}
	b.WriteString("\">")
	escapeHTML(b, r.DisplayName)
	b.WriteString("</span>\n    ")
	if r.Repeat {
		b.WriteString("<span class=\"badge\">")
		escapeHTML(b, lb.repeat)
		b.WriteString("</span>")
	}
	b.WriteString("\n    ")
	if r.More != 0 {
		b.WriteString("<div class=\"more-from\">")
		escapeHTML(b, v.T("leads.more", r.More))
		b.WriteString("</div>")
	}
	b.WriteString("\n    ")
	if r.Repeat && !r.Under && r.ClientQuery != "" {
		writeLink(b, `<div class="more-from"><a href="/leads?status=all&amp;q=`, r.ClientQuery, true, lb.fromClient)
		b.WriteString("</div>")
	}
	b.WriteString("\n  </td>\n  <td data-label=\"")
	escapeHTML(b, lb.contacts)
	b.WriteString("\">")
	if r.PhoneHref != "" {
		writeLink(b, `<a class="phone" href="`, string(r.PhoneHref), false, r.PhoneText)
	}
	if l.Email != "" {
		writeLink(b, `<a class="email" href="mailto:`, l.Email, false, l.Email)
	}
	b.WriteString("</td>\n  <td data-label=\"")
	escapeHTML(b, lb.comment)
	b.WriteString("\">")
	writeTextDiv(b, "comment", r.Comment)
	b.WriteString("</td>\n  <td data-label=\"")
	escapeHTML(b, lb.source)
	b.WriteString("\">")
	writeTextDiv(b, "source", r.Source)
	if len(r.UTM) > 0 {
		b.WriteString("<ul class=\"utm\">")
		for _, u := range r.UTM {
			b.WriteString("<li><span class=\"utm-name\">")
			escapeHTML(b, u.Name)
			b.WriteString("</span> ")
			escapeHTML(b, u.Value)
			b.WriteString("</li>")
		}
		b.WriteString("</ul>")
	}
	b.WriteString("</td>\n  <td data-label=\"")
	escapeHTML(b, lb.created)
	b.WriteString("\"><time datetime=\"")
	escapeHTML(b, l.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"))
	b.WriteString("\">")
	escapeHTML(b, v.Time(l.CreatedAt))
	b.WriteString("</time></td>\n  <td data-label=\"")
	escapeHTML(b, lb.status)
	b.WriteString("\">\n    ")
	switch status {
	case "new":
		b.WriteString("\n    <span class=\"status-label\">")
		escapeHTML(b, lb.statusNew)
		b.WriteString("</span>\n    <form method=\"post\" action=\"/leads/")
		b.WriteString(id)
		b.WriteString("/start\" class=\"take\">\n      <button type=\"submit\" class=\"primary\" aria-describedby=\"lead-name-")
		b.WriteString(id)
		b.WriteString("\">")
		escapeHTML(b, lb.take)
		b.WriteString("</button>\n    </form>\n    ")
	case "taken":
		b.WriteString("\n    <span class=\"status-label\">")
		escapeHTML(b, lb.statusTaken)
		b.WriteString("</span>\n    ")
		for _, d := range l.DealIDs {
			b.WriteString("<a class=\"deal\" href=\"/deals/")
			b.WriteString(strconv.FormatInt(d, 10))
			b.WriteString("\">")
			escapeHTML(b, v.T("leads.deal", d))
			b.WriteString("</a> ")
		}
		b.WriteString("\n    ")
	default:
		b.WriteString("\n    <span class=\"status-label muted\">")
		escapeHTML(b, lb.statusClosed)
		b.WriteString("</span>\n    ")
	}
	b.WriteString("\n  </td>\n</tr>\n")
}

// writeLink ends a link whose opening tag, up to its href's value, is
// open: the href's rest (writeURLAttr; query: a query value), then the
// text, escaped.
func writeLink(b *strings.Builder, open, href string, query bool, text string) {
	b.WriteString(open)
	writeURLAttr(b, href, query)
	b.WriteString(`">`)
	escapeHTML(b, text)
	b.WriteString("</a>")
}

// writeURLAttr writes s as html/template writes a value inside a URL
// attribute: each byte that is not unreserved in RFC 3986 percent-encoded
// in lower-case hex — in a query value (query) every one; before the
// query the reserved ones and valid escapes are kept (normalised) — and
// then escaped for the attribute (& and + among the reserved ones become
// entities).
func writeURLAttr(b *strings.Builder, s string, query bool) {
	var n strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			continue
		case !query && strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0:
			continue
		case !query && c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			continue
		}
		n.WriteString(s[last:i])
		n.WriteByte('%')
		n.WriteByte("0123456789abcdef"[c>>4])
		n.WriteByte("0123456789abcdef"[c&15])
		last = i + 1
	}
	if last == 0 {
		escapeHTML(b, s)
		return
	}
	n.WriteString(s[last:])
	escapeHTML(b, n.String())
}

// isHexDigit reports whether c is a hexadecimal digit.
func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
