package web_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// envyLead records a lead through Envybox lead/set with the account's API
// key, as an integration does, and returns its id. values is the JSON of
// the request's "values" object.
func (m *member) envyLead(t testing.TB, values string) int64 {
	t.Helper()
	r := m.env.Envybox(m.creds.EnvyboxAPIKey).Post(t, "/openapi/v1/lead/set/",
		`{"request": {"method": "create", "values": `+values+`}}`).
		Envelope(http.StatusOK, "success")
	id := r.Int("id")
	if id == 0 {
		t.Fatalf("lead/set made no lead: %s", r.Body)
	}
	return id
}

// envyLeadGet reads a lead through Envybox lead/get.
func (m *member) envyLeadGet(t testing.TB, id int64) *crmtest.Reply {
	t.Helper()
	return m.env.Envybox(m.creds.EnvyboxAPIKey).Post(t, "/openapi/v1/lead/get/",
		fmt.Sprintf(`{"request": {"lead_id": %d}}`, id)).Envelope(http.StatusOK, "success")
}

// widgetLead sends a lead through the website widget's intake.
func (m *member) widgetLead(t testing.TB, body string) {
	t.Helper()
	resp := m.env.Do(t, http.MethodPost, fmt.Sprintf("/widget/v1/%d/lead", m.creds.AccountID), "", body)
	if resp.Status != http.StatusOK {
		t.Fatalf("widget: HTTP %d: %s", resp.Status, resp.Body)
	}
}

// rowOrder is the order of the lead rows on a page, by id.
func rowOrder(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr id="row-(\d+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// row is the markup of one lead's row.
func row(t testing.TB, body string, id int64) string {
	t.Helper()
	start := strings.Index(body, fmt.Sprintf(`<tr id="row-%d"`, id))
	if start < 0 {
		t.Fatalf("no row %d in:\n%s", id, body)
	}
	end := strings.Index(body[start:], "</tr>")
	return body[start : start+end]
}

// TestInboxList: newest first, a client's later requests under its first
// one, contacts, comment, source and UTM marks, the search by name and by
// a phone written another way, new-only versus all, an HTML-laden name as
// text, and Russian.
func TestInboxList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Inbox")
		m.signIn(t)
		expect(t, m.get(t, "/leads"), http.StatusOK, "No new leads.", `data-live="/leads/events?after=0"`)

		ivan := m.envyLead(t, `{"name": "Ivan Petrov", "phone": "+7 (499) 322-97-10", "email": "Ivan@Example.com",
			"comment": "Call after six", "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring"}`)
		maria := m.envyLead(t, `{"name": "Maria", "email": "maria@example.com"}`)
		again := m.envyLead(t, `{"name": "Ivan again", "phone": "8 499 322 97 10", "comment": "Second try"}`)
		xss := m.envyLead(t, `{"name": "<script>alert(1)</script>", "phone": "79001112233"}`)

		p := m.get(t, "/leads")
		expect(t, p, http.StatusOK, "Inbox", `Leads: <span data-count-live="4">4</span>`,
			fmt.Sprintf(`data-live="/leads/events?after=%d"`, xss),
			`<label for="l-q">`, `<label for="l-status">`)
		// Newest first, a client's requests together where its newest
		// falls, the first one before the later one.
		want := []string{itoa(xss), itoa(ivan), itoa(again), itoa(maria)}
		if got := rowOrder(p.Body); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("rows %v, want %v", got, want)
		}
		first := html.UnescapeString(row(t, p.Body, ivan))
		for _, w := range []string{"Ivan Petrov", `href="tel:+74993229710"`, "+7(499)322-97-10", "ivan@example.com",
			"Call after six", "Добавлен вручную", "utm_source</span> google", "utm_medium</span> cpc",
			"utm_campaign</span> spring", "1 more from this client", ">Take to work</button>",
			fmt.Sprintf(`action="/leads/%d/start"`, ivan)} {
			if !strings.Contains(first, w) {
				t.Errorf("the first request's row lacks %q:\n%s", w, first)
			}
		}
		later := html.UnescapeString(row(t, p.Body, again))
		for _, w := range []string{"repeat under", fmt.Sprintf(`data-parent="%d"`, ivan), "Repeat request", "Second try"} {
			if !strings.Contains(later, w) {
				t.Errorf("the later request's row lacks %q:\n%s", w, later)
			}
		}
		if strings.Contains(later, "utm_source") {
			t.Errorf("the later request shows the first one's UTM:\n%s", later)
		}
		if r := html.UnescapeString(row(t, p.Body, maria)); !strings.Contains(r, "mailto:maria@example.com") || strings.Contains(r, "tel:") {
			t.Errorf("Maria's row:\n%s", r)
		}

		// An HTML-laden name is text.
		if strings.Contains(p.Body, "<script>alert") {
			t.Error("the lead's name was rendered as markup")
		}
		expect(t, p, http.StatusOK, "&lt;script&gt;alert(1)&lt;/script&gt;")
		if strings.Contains(p.Body, "leads.") {
			t.Error("the page shows an untranslated message key")
		}

		// The search: a name, a phone written another way, an email in
		// another case.
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"petrov", []string{itoa(ivan)}},
			{"8 (499) 322-97-10", []string{itoa(ivan), itoa(again)}},
			{"322 97 10", []string{itoa(ivan), itoa(again)}},
			{"MARIA@Example.com", []string{itoa(maria)}},
			{"nobody-at-all", nil},
		} {
			p := m.get(t, "/leads?q="+url.QueryEscape(c.q))
			expect(t, p, http.StatusOK)
			if got := rowOrder(p.Body); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("search %q: rows %v, want %v", c.q, got, c.want)
			}
			if c.want == nil {
				expect(t, p, http.StatusOK, "No leads match the search.")
			}
		}

		// Taken to work, the first request leaves the new-only inbox; its
		// later one stays, on its own, with a way to the client's others.
		res, err := m.service().StartInbound(context.Background(), m.Actor, ivan, crm.Responsible{UserID: m.UserID})
		if err != nil {
			t.Fatal(err)
		}
		p = m.get(t, "/leads")
		if got := rowOrder(p.Body); strings.Join(got, ",") != strings.Join([]string{itoa(xss), itoa(again), itoa(maria)}, ",") {
			t.Errorf("new only: rows %v", got)
		}
		if r := row(t, p.Body, again); !strings.Contains(r, "All requests from this client") ||
			!strings.Contains(r, `href="/leads?status=all&amp;q=74993229710"`) || strings.Contains(r, " under") {
			t.Errorf("the later request alone:\n%s", r)
		}
		p = m.get(t, "/leads?status=all")
		expect(t, p, http.StatusOK, `<option value="all" selected>`)
		if r := row(t, p.Body, ivan); !strings.Contains(r, "Taken to work") ||
			!strings.Contains(r, fmt.Sprintf(`href="/deals/%d">Deal #%d</a>`, res.DealID, res.DealID)) ||
			strings.Contains(r, "Take to work") {
			t.Errorf("the request taken to work:\n%s", r)
		}
		expect(t, m.get(t, "/leads?status=bogus"), http.StatusUnprocessableEntity)
		expect(t, m.get(t, "/leads?offset=-1"), http.StatusUnprocessableEntity)

		// Russian: the terms amoCRM and Envybox users know.
		p = m.do(t, http.MethodGet, "/leads", nil, "Accept-Language", "ru")
		expect(t, p, http.StatusOK, "Неразобранное", "Взять в работу", "Повторная заявка", "Только новые")
	})
}

// TestInboxPager: 50 leads a page, the pager keeps the filter, only the
// first page is live.
func TestInboxPager(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Pager")
		m.signIn(t)
		ids := make([]int64, 0, 53)
		for i := range 53 {
			l, err := m.service().CreateInbound(context.Background(), m.Actor, crm.NewInbound{Values: map[string]string{
				"name": fmt.Sprintf("Pager lead %d", i), "phone": fmt.Sprintf("7900%07d", i)}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		p := m.get(t, "/leads?q=pager")
		expect(t, p, http.StatusOK, "1–50 of 53", `href="/leads?offset=50&amp;q=pager" rel="next"`)
		if got := rowOrder(p.Body); len(got) != 50 || got[0] != itoa(ids[52]) {
			t.Errorf("first page: %d rows from %v", len(got), got[:1])
		}
		p = m.get(t, "/leads?q=pager&offset=50")
		expect(t, p, http.StatusOK, "51–53 of 53", `rel="prev"`)
		if got := rowOrder(p.Body); strings.Join(got, ",") != strings.Join([]string{itoa(ids[2]), itoa(ids[1]), itoa(ids[0])}, ",") {
			t.Errorf("second page: %v", got)
		}
		if strings.Contains(p.Body, "data-live") {
			t.Error("a later page is live")
		}
	})
}

// TestTakeToWork: "Take to work" is Envybox's lead/start by the signed-in
// user and opens the deal; a second time, an unknown lead and another
// account's lead are refused in words.
func TestTakeToWork(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Take")
		manager := admin.newUser(t, crm.RoleMember, "Manager")
		manager.signIn(t)
		id := admin.envyLead(t, `{"name": "Olga", "phone": "+7 912 000-11-22", "utm_source": "yandex"}`)

		p := manager.post(t, fmt.Sprintf("/leads/%d/start", id), url.Values{})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/deals/") {
			t.Fatalf("take to work: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		dealID, err := strconv.ParseInt(strings.TrimPrefix(p.Location, "/deals/"), 10, 64)
		if err != nil || dealID <= 0 {
			t.Fatalf("redirected to %q", p.Location)
		}

		// Envybox sees the lead taken to work, with the deal; the deal is
		// the manager's and carries the lead's UTM mark.
		r := admin.envyLeadGet(t, id)
		r.Equal("result.status", "1").Equal("result.deals", []string{itoa(dealID)})
		admin.env.Envybox(admin.creds.EnvyboxAPIKey).Post(t, "/openapi/v1/lead/list/", `{"request": {"keyword": "Olga"}}`).
			Envelope(http.StatusOK, "success").Equal("leads.result.*.status", []string{"1"})
		fam, err := admin.service().Deal(context.Background(), admin.Actor, dealID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := fam.Deal.ResponsibleUser(); got != manager.UserID || fam.Deal.EmployeeID != manager.UserID {
			t.Errorf("the deal's responsible is %+v, want the manager %d as the employee", fam.Deal.Responsible, manager.UserID)
		}
		// An administrator takes a lead as Envybox's user.
		admin.signIn(t)
		own := admin.envyLead(t, `{"name": "Boss's own", "email": "boss@example.com"}`)
		p = admin.post(t, fmt.Sprintf("/leads/%d/start", own), url.Values{}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusOK, `"redirect":"/deals/`)
		var taken struct {
			DealID int64 `json:"deal_id"`
		}
		if err := json.Unmarshal([]byte(p.Body), &taken); err != nil {
			t.Fatal(err)
		}
		if fam, err := admin.service().Deal(context.Background(), admin.Actor, taken.DealID, false); err != nil ||
			fam.Deal.Responsible != (crm.Responsible{UserID: admin.UserID}) {
			t.Errorf("the administrator's deal: %+v, %v", fam.Deal.Responsible, err)
		}

		// A second time: a conflict that names the deal, in both languages.
		p = manager.post(t, fmt.Sprintf("/leads/%d/start", id), url.Values{})
		expect(t, p, http.StatusConflict, fmt.Sprintf("This lead has already been taken to work: deal #%d.", dealID))
		p = manager.post(t, fmt.Sprintf("/leads/%d/start", id), url.Values{}, "Accept-Language", "ru")
		expect(t, p, http.StatusConflict, fmt.Sprintf("Эта заявка уже взята в работу: сделка №%d.", dealID))
		// The page's script gets the same words as JSON.
		p = manager.post(t, fmt.Sprintf("/leads/%d/start", id), url.Values{}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusConflict, `{"error":"This lead has already been taken to work: deal #`)

		// Unknown leads.
		expect(t, manager.post(t, "/leads/999999/start", url.Values{}), http.StatusNotFound, "No such lead.")
		expect(t, manager.post(t, "/leads/abc/start", url.Values{}), http.StatusNotFound)

		// Another account sees none of this account's leads, nor takes
		// them: its own lead shows, this one is "no such lead".
		other := newAccount(t, env, "Other")
		other.signIn(t)
		fresh := admin.envyLead(t, `{"name": "Secret Client", "phone": "79120009999"}`)
		mine := other.envyLead(t, `{"name": "Own Client", "phone": "79120009999"}`)
		p = other.get(t, "/leads?status=all")
		expect(t, p, http.StatusOK, "Own Client")
		if got := rowOrder(p.Body); strings.Join(got, ",") != itoa(mine) {
			t.Errorf("the other account's inbox shows %v, want only %d", got, mine)
		}
		expect(t, other.post(t, fmt.Sprintf("/leads/%d/start", fresh), url.Values{}), http.StatusNotFound, "No such lead.")
		admin.envyLeadGet(t, fresh).Equal("result.status", "2")

		// Signed out, nothing is taken.
		anon := newMember(t, env, admin.creds, admin.UserID, admin.Actor)
		expect(t, anon.post(t, fmt.Sprintf("/leads/%d/start", fresh), url.Values{}), http.StatusUnauthorized)
		admin.envyLeadGet(t, fresh).Equal("result.status", "2")
	})
}

// sse is an open event stream.
type sse struct {
	resp   *http.Response
	cancel context.CancelFunc
	events chan sseEvent
}

// sseEvent is one server-sent event.
type sseEvent struct {
	ID, Event, Data string
}

// openEvents opens the inbox's event stream; lastID, when not "", is sent
// as Last-Event-ID, as a reconnecting browser does.
func (m *member) openEvents(t testing.TB, path, lastID string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Language", "en")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	// The member's client has a total timeout; a stream outlives it.
	c := &http.Client{Jar: m.Client.Jar, CheckRedirect: m.Client.CheckRedirect, Transport: m.Client.Transport}
	resp, err := c.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sse{resp: resp, cancel: cancel, events: make(chan sseEvent, 100)}
	t.Cleanup(s.close)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: HTTP %d, %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.Event != "" || e.Data != "" {
					s.events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
			case strings.HasPrefix(line, "id: "):
				e.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				e.Event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.Data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s
}

func (s *sse) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next waits for the next event.
func (s *sse) next(t testing.TB, within time.Duration) sseEvent {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return e
	case <-time.After(within):
		t.Fatalf("no event within %s", within)
	}
	return sseEvent{}
}

// rowEvent is a "row" event's data.
type rowEvent struct {
	ID       int64  `json:"id"`
	HTML     string `json:"html"`
	Announce string `json:"announce"`
	// Position is the event's SSE id: where a reconnect resumes.
	Position string `json:"-"`
}

// livePosition is the form of an event's SSE id: "<tx>.<history entry>".
var livePosition = regexp.MustCompile(`^\d+\.\d+$`)

// expectRow waits for the row event of lead id.
func (s *sse) expectRow(t testing.TB, id int64) rowEvent {
	t.Helper()
	e := s.next(t, 10*time.Second)
	var data rowEvent
	if e.Event != "row" || json.Unmarshal([]byte(e.Data), &data) != nil {
		t.Fatalf("event %+v, want a row", e)
	}
	if data.ID != id {
		t.Fatalf("event for lead %d, want %d", data.ID, id)
	}
	if !livePosition.MatchString(e.ID) {
		t.Fatalf("event id %q, want a position", e.ID)
	}
	data.Position = e.ID
	return data
}

// expectQuiet checks that no event comes within d.
func (s *sse) expectQuiet(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if ok {
			t.Fatalf("event %+v, want none yet", e)
		}
		t.Fatal("the event stream ended")
	case <-time.After(d):
	}
}

// TestInboxLive: the stream sends a lead recorded after it opened — from
// the widget, as a row like the page's — resumes after Last-Event-ID
// (which wins over ?after=), keeps to the page's filter and to the
// account.
func TestInboxLive(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Live")
		m.signIn(t)
		first := m.envyLead(t, `{"name": "Before", "phone": "79005550001"}`)
		p := m.get(t, "/leads")
		live := regexp.MustCompile(`data-live="([^"]+)"`).FindStringSubmatch(p.Body)
		if live == nil || live[1] != fmt.Sprintf("/leads/events?after=%d", first) {
			t.Fatalf("the list's data-live: %v", live)
		}
		s := m.openEvents(t, live[1], "")

		started := time.Now()
		m.widgetLead(t, `{"name": "Widget <b>visitor</b>", "phone": "+7 900 555-00-02", "comment": "From the site"}`)
		list, _, err := m.service().Inbounds(context.Background(), m.Actor, crm.InboundQuery{Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		widget := list[0].ID
		row := s.expectRow(t, widget)
		if d := time.Since(started); d > 5*time.Second {
			t.Errorf("the lead arrived after %s", d)
		}
		for _, w := range []string{fmt.Sprintf(`<tr id="row-%d"`, widget), "Widget &lt;b&gt;visitor&lt;/b&gt;",
			"From the site", `href="tel:&#43;79005550002"`, ">Take to work</button>"} {
			if !strings.Contains(row.HTML, w) {
				t.Errorf("the row lacks %q:\n%s", w, row.HTML)
			}
		}
		if strings.Contains(row.HTML, "<b>") {
			t.Errorf("the row renders the name as markup:\n%s", row.HTML)
		}
		if row.Announce != "New lead: Widget <b>visitor</b>" {
			t.Errorf("announce %q", row.Announce)
		}
		// The row is the page's own.
		if page := m.get(t, "/leads"); !strings.Contains(page.Body, strings.TrimSpace(row.HTML)) {
			t.Errorf("the event's row differs from the page's:\n%s", row.HTML)
		}
		s.close()

		// Reconnecting with Last-Event-ID resumes after it, whatever
		// ?after= says; leads come oldest first.
		a := m.envyLead(t, `{"name": "Missed one", "phone": "79005550003"}`)
		b := m.envyLead(t, `{"name": "Missed two", "phone": "79005550004"}`)
		s = m.openEvents(t, "/leads/events?after=0", row.Position)
		s.expectRow(t, a)
		rowB := s.expectRow(t, b)
		s.close()
		// So does a lead id, the Last-Event-ID of an older crmd's stream.
		s = m.openEvents(t, "/leads/events?after=0", itoa(widget))
		s.expectRow(t, a)
		s.expectRow(t, b)
		s.close()
		// A position from after b resumes after b; one from elsewhere,
		// ahead of this database, starts now rather than never.
		s = m.openEvents(t, "/leads/events", rowB.Position)
		c := m.envyLead(t, `{"name": "Missed three", "phone": "79005550010"}`)
		s.expectRow(t, c)
		s.close()
		s = m.openEvents(t, "/leads/events", "18446744073709551615.9223372036854775807")
		d := m.envyLead(t, `{"name": "Missed four", "phone": "79005550011"}`)
		s.expectRow(t, d)
		s.close()

		// The stream keeps to the page's search, and to the account: a
		// lead that does not match and another account's lead are not
		// sent; the next match is. (Events come in id order, so had the
		// others been sent, they would have come first.)
		s = m.openEvents(t, fmt.Sprintf("/leads/events?after=%d&q=%s", b, url.QueryEscape("Wanted")), "")
		m.envyLead(t, `{"name": "Unrelated", "phone": "79005550005"}`)
		other := newAccount(t, env, "Elsewhere")
		other.envyLead(t, `{"name": "Wanted elsewhere", "phone": "79005550006"}`)
		wanted := m.envyLead(t, `{"name": "Wanted here", "phone": "79005550007"}`)
		s.expectRow(t, wanted)
		s.close()

		// A stream of the other account does not see this one's leads.
		other.signIn(t)
		s = other.openEvents(t, "/leads/events", "")
		m.envyLead(t, `{"name": "Not yours", "phone": "79005550008"}`)
		own := other.envyLead(t, `{"name": "Yours", "phone": "79005550009"}`)
		s.expectRow(t, own)

		expect(t, m.get(t, "/leads/events?after=x"), http.StatusUnprocessableEntity)
		expect(t, m.get(t, "/leads/events?after=1.x"), http.StatusUnprocessableEntity)
	})
}

// TestInboxLiveAfterPage: a lead taken in between the page and its stream
// is sent, as is one after the stream opened; one that does not match the
// page's filter is passed over.
func TestInboxLiveAfterPage(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Between")
		m.signIn(t)
		shown := m.envyLead(t, `{"name": "Shown", "phone": "79005550101"}`)
		p := m.get(t, "/leads?q=Wanted")
		live := regexp.MustCompile(`data-live="([^"]+)"`).FindStringSubmatch(p.Body)
		if live == nil || live[1] != "/leads/events?after=0&amp;q=Wanted" {
			t.Fatalf("the search's data-live: %v", live)
		}
		other := m.envyLead(t, `{"name": "Other", "phone": "79005550102"}`)
		between := m.envyLead(t, `{"name": "Wanted between", "phone": "79005550103"}`)
		s := m.openEvents(t, html.UnescapeString(live[1]), "")
		s.expectRow(t, between)
		otherAgain := m.envyLead(t, `{"name": "Other again", "phone": "79005550104"}`)
		later := m.envyLead(t, `{"name": "Wanted later", "phone": "79005550105"}`)
		s.expectRow(t, later)
		s.close()

		// The page's newest lead: what came after it is sent.
		s = m.openEvents(t, fmt.Sprintf("/leads/events?after=%d", shown), "")
		for _, id := range []int64{other, between, otherAgain, later} {
			s.expectRow(t, id)
		}
	})
}

// TestInboxLiveTwoProcesses: a lead another crmd process takes in reaches
// a stream open on this one.
func TestInboxLiveTwoProcesses(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		other := crmtest.Start(t, dsn)
		m := newAccount(t, env, "Two processes")
		m.signIn(t)
		s := m.openEvents(t, "/leads/events", "")
		r := other.Envybox(m.creds.EnvyboxAPIKey).Post(t, "/openapi/v1/lead/set/",
			`{"request": {"method": "create", "values": {"name": "Through the other", "phone": "79005550201"}}}`).
			Envelope(http.StatusOK, "success")
		s.expectRow(t, r.Int("id"))
	})
}

// TestInboxLiveShutdown: an open event stream does not hold a server's
// shutdown for its drain window.
func TestInboxLiveShutdown(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		srv, err := cli.Start(context.Background(), cli.ServerConfig{DSN: dsn, Addr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		env := &crmtest.Env{URL: srv.URL(), Server: srv, Client: &http.Client{Timeout: 30 * time.Second}}
		m := newAccount(t, env, "Shutdown")
		m.signIn(t)
		s := m.openEvents(t, "/leads/events", "")
		started := time.Now()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if d := time.Since(started); d > 5*time.Second {
			t.Errorf("shutdown took %s with an event stream open", d)
		}
		select {
		case _, ok := <-s.events:
			if ok {
				t.Error("an event after shutdown")
			}
		case <-time.After(5 * time.Second):
			t.Error("the stream is still open after shutdown")
		}
	})
}

// TestInboxLiveCommitOrder: on PostgreSQL, a lead whose transaction took
// its ids first but commits after a later lead still reaches the stream,
// where following lead ids would pass it over: the stream holds back what
// commits behind a running transaction until it ends, then sends both in
// commit order. The first lead is written in SQL, without the account's
// lock crmd's own writers take: the stream does not rely on it.
func TestInboxLiveCommitOrder(t *testing.T) {
	dsn := crmtest.NewDSN(t, crmtest.Postgres)
	env := crmtest.Start(t, dsn)
	m := newAccount(t, env, "Commit order")
	m.signIn(t)
	model := m.envyLead(t, `{"name": "Model", "phone": "79005550301"}`)
	s := m.openEvents(t, "/leads/events", "")

	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var lateID, lateLog int64
	if err := tx.QueryRowContext(ctx, `SELECT nextval(pg_get_serial_sequence('inbounds', 'id')),
		nextval(pg_get_serial_sequence('logs', 'id')), pg_current_xact_id()::text IS NOT NULL`).Scan(&lateID, &lateLog, new(bool)); err != nil {
		t.Fatal(err)
	}
	early := m.envyLead(t, `{"name": "Committed first", "phone": "79005550302"}`)
	if early <= lateID {
		t.Fatalf("lead %d after %d", early, lateID)
	}
	s.expectQuiet(t, 2*time.Second)
	if _, err := tx.ExecContext(ctx, `INSERT INTO inbounds (id, account_id, parent_id, pipeline_id, stage_id, deal_pipeline_id,
		deal_stage_id, user_id, employee_id, old_employee_id, department_id, inbox_type_id, client_id, name, phone, email,
		stage_updated_at, closed_at, created_at, updated_at)
		SELECT $1, account_id, 0, pipeline_id, stage_id, deal_pipeline_id, deal_stage_id, user_id, employee_id, old_employee_id,
		department_id, inbox_type_id, client_id, 'Committed last', '79005550303', '', stage_updated_at, closed_at, created_at, updated_at
		FROM inbounds WHERE id = $2`, lateID, model); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO logs (id, account_id, entity_type, entity_id, type_id, data, user_id, employee_id, created_at)
		VALUES ($1, $2, 'inbound', $3, 1, '{}', 0, 0, 0)`, lateLog, m.creds.AccountID, lateID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if row := s.expectRow(t, lateID); !strings.Contains(row.HTML, "Committed last") {
		t.Errorf("the late lead's row:\n%s", row.HTML)
	}
	s.expectRow(t, early)
}
