package web

import (
	"net/http"
	"strconv"
	"strings"
)

// The website widget page (/settings/widget): the snippet an administrator
// pastes into the company's website so that its form sends leads to this
// account (internal/api/widget: GET /widget.js defines
// WBK.sendCrmLead(crm_id, {name, email, phone, comment}), which posts to
// the public intake). The snippet names crmd as users reach it
// (--public-url, else the request's scheme and host) and the account's
// crm_id, its id, which is public in every page that embeds the widget.

// widgetData is the widget page's content.
type widgetData struct {
	BaseURL   string
	AccountID int64
	Snippet   string
}

// widgetBase is crmd's address as a website's visitors reach it.
func (h *handler) widgetBase(r *http.Request) string {
	if h.public != nil && h.public.Host != "" {
		return strings.TrimSuffix(h.public.Scheme+"://"+h.public.Host+h.public.Path, "/")
	}
	scheme := "http"
	if h.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// widgetSnippet is the HTML to paste: a small lead form and the script
// that sends it, answering the visitor with crmd's message.
func widgetSnippet(base string, accountID int64) string {
	id := strconv.FormatInt(accountID, 10)
	return `<form id="crmd-lead-form">
  <input name="name" placeholder="Name" autocomplete="name">
  <input name="phone" type="tel" placeholder="Phone" autocomplete="tel">
  <input name="email" type="email" placeholder="Email" autocomplete="email">
  <textarea name="comment" placeholder="Comment"></textarea>
  <button type="submit">Send</button>
  <output name="answer"></output>
</form>
<script src="` + base + `/widget.js"></script>
<script>
  document.getElementById('crmd-lead-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var f = e.target;
    WBK.sendCrmLead(` + id + `, {name: f.name.value, phone: f.phone.value, email: f.email.value, comment: f.comment.value})
      .then(function (a) { f.answer.value = a.message; if (a.status_code === 200) f.reset(); });
  });
</script>`
}

func (h *handler) widgetPage(w http.ResponseWriter, r *http.Request, v *view) {
	base := h.widgetBase(r)
	v.Title = v.T("widget.title")
	h.render(w, r, http.StatusOK, "settings_widget", v, widgetData{BaseURL: base, AccountID: v.Account.ID,
		Snippet: widgetSnippet(base, v.Account.ID)})
}
