package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The lead inbox (/leads): amoCRM's Неразобранное over Envybox's leads
// (crm.Inbound), which arrive from the website widget, Envybox lead/set and
// amoCRM's unsorted alike. Newest first, a page of leadRows at a time; the
// later requests of one client (crm.Inbound.ParentID, the first request of
// the same phone or email) are listed under the first one when it is on
// the page. "Take to work" is Envybox's lead/start (crm.Service.
// StartInbound) by the signed-in user and opens the deal it made.
//
// The first page stays live: GET /leads/events is a server-sent event
// stream of the leads taken in since the page was made, each as a
// rendered row. It follows the account's unsorted.added events (crm.
// Service.InboundsAdded), the history the webhooks send from, rather than
// an in-process signal or the leads' ids: so a lead another crmd process
// on the same PostgreSQL took in shows too, in commit order, and none is
// passed over because a transaction that began earlier committed later.
// The stream's position is an event position; each row's SSE id is that
// position as text, so a reconnecting browser's Last-Event-ID resumes
// where it broke.

// leadRows is the inbox's page size.
const leadRows = 50

const (
	// liveHeartbeat is how often an idle event stream sends a comment, so
	// that proxies keep it open and a client that went away is noticed.
	liveHeartbeat = 15 * time.Second
	// liveWriteWindow is how long one write of an event stream may take:
	// the server's WriteTimeout (60 s from the request) would end every
	// stream, so each write sets its own deadline instead.
	liveWriteWindow = 30 * time.Second
	// liveBatch is the most rows one poll sends; more wait for the next
	// poll, which follows at once.
	liveBatch = 50
	// liveRetry is how long a browser waits before it reconnects a broken
	// stream, in milliseconds (the SSE "retry" field).
	liveRetry = 3000
)

// leadRoutes registers the lead inbox's routes.
func (h *handler) leadRoutes(mux *http.ServeMux) {
	mux.Handle("GET /leads", h.signedIn(h.inbox))
	mux.Handle("GET /leads/events", h.signedIn(h.leadEvents))
	mux.Handle("POST /leads/{id}/start", h.signedIn(h.startLead))
}

// leadFilter is the inbox's state, all of it in the URL.
type leadFilter struct {
	Keyword string
	// All shows leads taken to work too; the inbox shows new ones only
	// by default, as amoCRM's unsorted does.
	All    bool
	Offset int
}

// Query is the filter as a URL query, with the given keys replaced (pairs
// of key and value; an empty value drops the key).
func (f leadFilter) Query(kv ...string) string {
	q := url.Values{}
	if f.Keyword != "" {
		q.Set("q", f.Keyword)
	}
	if f.All {
		q.Set("status", "all")
	}
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(f.Offset))
	}
	return replaceQuery(q, kv...)
}

// Href is the inbox's address with the filter, keys replaced as Query
// does: typed as a URL, so that html/template keeps its query as it is.
func (f leadFilter) Href(kv ...string) template.URL {
	q := f.Query(kv...)
	if q == "" {
		return "/leads"
	}
	return template.URL("/leads?" + q)
}

// parseLeadFilter reads the filter from the query string; a value that
// does not parse is an error, as on the board.
func parseLeadFilter(v *view, q url.Values) (leadFilter, error) {
	var f leadFilter
	f.Keyword = strings.TrimSpace(q.Get("q"))
	switch q.Get("status") {
	case "", "new":
	case "all":
		f.All = true
	default:
		return f, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", "status"))
	}
	var err error
	f.Offset, err = queryOffset(v, q, "board.bad_filter", "offset")
	return f, err
}

// inboundQuery is the domain query the filter asks for. The keyword goes
// to the domain as typed: the store reads a phone written in any format
// through crm.PhoneSearch (crm's normaliser, as Envybox lead/list's
// keyword does), and matches names, emails and values too.
func (f leadFilter) inboundQuery(limit, offset int) crm.InboundQuery {
	return crm.InboundQuery{Keyword: f.Keyword, NotTakenOnly: !f.All, Limit: limit, Offset: offset}
}

// leadRow is one lead as the inbox shows it.
type leadRow struct {
	Lead crm.Inbound
	// DisplayName is the lead's name, or its phone or email without one;
	// Named says which.
	DisplayName string
	Named       bool
	PhoneText   string
	// PhoneHref is the tel: link of the phone ("" without one): built here
	// because html/template lets only http, https and mailto through.
	PhoneHref template.URL
	Comment   string
	// Source is the lead's inbox type, Envybox's "source channel".
	Source string
	UTM    []utmMark
	// Repeat marks a later request of a client (it has a first one);
	// Under, one listed under its first request; More, on a first request,
	// how many later ones are listed under it.
	Repeat bool
	Under  bool
	More   int
	// ClientQuery is the inbox search that finds every request of the
	// lead's client (its phone, else its email).
	ClientQuery string
}

// utmMark is one UTM value of a lead.
type utmMark struct{ Name, Value string }

// Status is the lead's state: "new", "taken" (to work, with its deals) or
// "closed" (without a deal: amoCRM's decline).
func (r leadRow) Status() string {
	switch {
	case !r.Lead.TakenToWork():
		return "new"
	case len(r.Lead.DealIDs) > 0:
		return "taken"
	}
	return "closed"
}

// newLeadRow prepares a lead for the page. sources names the inbox types.
func newLeadRow(v *view, l crm.Inbound, sources map[int64]string) leadRow {
	r := leadRow{Lead: l, DisplayName: l.Name, Named: l.Name != "", Source: sources[l.InboxTypeID],
		Repeat: l.ParentID != 0}
	if l.Phone != "" {
		r.PhoneText = crm.FormatPhone(l.Phone)
		// A stored phone is digits only (crm.NormalizePhone); anything
		// else is not made a link.
		if strings.Trim(l.Phone, "0123456789") == "" {
			r.PhoneHref = template.URL("tel:+" + l.Phone)
		}
	}
	if !r.Named {
		switch {
		case r.PhoneText != "":
			r.DisplayName = r.PhoneText
		case l.Email != "":
			r.DisplayName = l.Email
		default:
			r.DisplayName = v.T("leads.unnamed")
		}
	}
	r.ClientQuery = l.Phone
	if r.ClientQuery == "" {
		r.ClientQuery = l.Email
	}
	values := make(map[int64]string, len(l.Values))
	for _, sv := range l.Values {
		if f, ok := crm.ServiceFieldByID(crm.EntityInbound, sv.FieldID); ok {
			values[f.ID] = sv.Value
		}
	}
	r.Comment = values[crm.FieldLeadComment]
	for _, id := range []int64{crm.FieldLeadUTMSource, crm.FieldLeadUTMMedium, crm.FieldLeadUTMCampaign,
		crm.FieldLeadUTMContent, crm.FieldLeadUTMTerm} {
		if val := values[id]; val != "" {
			f, _ := crm.ServiceFieldByID(crm.EntityInbound, id)
			r.UTM = append(r.UTM, utmMark{Name: f.NameID, Value: val})
		}
	}
	return r
}

// groupLeads orders a page of leads (newest first) for the inbox: each
// client's requests together, where its newest one falls, the first
// request (when it is on the page) before its later ones. A later request
// whose first one is on another page stays a row of its own.
func groupLeads(v *view, list []crm.Inbound, sources map[int64]string) []leadRow {
	var roots []int64
	members := map[int64][]crm.Inbound{}
	for _, l := range list {
		root := l.ParentID
		if root == 0 {
			root = l.ID
		}
		if _, ok := members[root]; !ok {
			roots = append(roots, root)
		}
		members[root] = append(members[root], l)
	}
	rows := make([]leadRow, 0, len(list))
	for _, root := range roots {
		var head *crm.Inbound
		var repeats []crm.Inbound
		for i, l := range members[root] {
			if l.ID == root {
				head = &members[root][i]
			} else {
				repeats = append(repeats, l)
			}
		}
		if head != nil {
			r := newLeadRow(v, *head, sources)
			r.More = len(repeats)
			rows = append(rows, r)
		}
		for _, l := range repeats {
			r := newLeadRow(v, l, sources)
			r.Under = head != nil
			rows = append(rows, r)
		}
	}
	return rows
}

// inboxNames names the account's inbox types by id.
func (h *handler) inboxNames(ctx context.Context, v *view) (map[int64]string, error) {
	ref, err := h.svc.Reference(ctx, v.Actor)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(ref.InboxTypes))
	for _, t := range ref.InboxTypes {
		out[t.ID] = t.Name
	}
	return out, nil
}

// leadsData is the inbox's content.
type leadsData struct {
	Filter leadFilter
	Rows   []leadRow
	// RowsHTML is Rows written out (renderLeadRows).
	RowsHTML   template.HTML
	Total      int
	FirstRow   int
	LastRow    int
	PrevOffset int
	NextOffset int
	HasPrev    bool
	HasNext    bool
	// Live is the event stream the first page listens to ("" on later
	// pages, where new leads do not belong).
	Live string
}

func (h *handler) inbox(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	v.Section, v.Title = "leads", v.T("nav.leads")
	f, err := parseLeadFilter(v, r.URL.Query())
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	list, total, err := h.svc.Inbounds(ctx, v.Actor, f.inboundQuery(leadRows, f.Offset))
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	sources, err := h.inboxNames(ctx, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	data := leadsData{Filter: f, Rows: groupLeads(v, list, sources), Total: total}
	data.RowsHTML = renderLeadRows(v, data.Rows)
	data.FirstRow, data.LastRow = f.Offset+1, f.Offset+len(list)
	data.HasPrev, data.PrevOffset = f.Offset > 0, max(0, f.Offset-leadRows)
	data.HasNext, data.NextOffset = data.LastRow < total, f.Offset+leadRows
	if f.Offset == 0 {
		var newest int64
		for _, l := range list {
			newest = max(newest, l.ID)
		}
		data.Live = "/leads/events?after=" + strconv.FormatInt(newest, 10)
		if rest := f.Query("offset", ""); rest != "" {
			data.Live += "&" + rest
		}
	}
	h.render(w, r, http.StatusOK, "leads", v, data)
}

// startLead takes a lead to work (Envybox lead/start) with the signed-in
// user responsible (an administrator as Envybox's user, a member as its
// employee), and opens the deal it made.
func (h *handler) startLead(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	res, err := h.svc.StartInbound(ctx, v.Actor, id, v.Actor.AsResponsible())
	if err != nil {
		h.renderError(w, r, v, h.leadError(ctx, v, id, err))
		return
	}
	deal := "/deals/" + strconv.FormatInt(res.DealID, 10)
	if isFetch(r) {
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "deal_id": res.DealID, "redirect": deal})
		return
	}
	http.Redirect(w, r, deal, http.StatusSeeOther)
}

// leadError words the lead errors that carry only a code; a lead taken
// already names the deal it became.
func (h *handler) leadError(ctx context.Context, v *view, id int64, err error) error {
	switch crm.CodeOf(err) {
	case crm.CodeInboundNotFound:
		return crm.Errorf(crm.KindNotFound, "%s", v.T("leads.not_found"))
	case crm.CodeInboundTaken:
		msg := v.T("leads.already_taken")
		if l, lerr := h.svc.Inbound(ctx, v.Actor, id); lerr == nil && len(l.DealIDs) > 0 {
			msg = v.T("leads.already_taken_deal", l.DealIDs[len(l.DealIDs)-1])
		} else if lerr == nil {
			msg = v.T("leads.already_closed")
		}
		return crm.Errorf(crm.KindConflict, "%s", msg)
	}
	return err
}

// liveEvent is the data of an event stream's "row" event, which the page's
// script (initLive) puts first in the list, unless a row of that lead is
// there already.
type liveEvent struct {
	ID       int64  `json:"id"`
	HTML     string `json:"html"`
	Announce string `json:"announce"`
	// at is the position of the lead's intake: the event's SSE id.
	at crm.OutboxCursor
}

// leadEvents streams the leads taken in after the stream's start (see
// liveStart) that match the page's filter, as server-sent "row" events
// whose id is the position of the lead's intake: a reconnect resumes where
// the stream broke. A lead that does not match is not sent, but the
// position moves past it; the heartbeat carries the position reached (an
// id with no event), so that a reconnect does not walk again what the
// stream read through. It polls every h.poll, sends a comment every
// liveHeartbeat, and ends when the client goes away, the session ends
// (checked at each heartbeat) or the server shuts down.
func (h *handler) leadEvents(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	q := r.URL.Query()
	f, err := parseLeadFilter(v, q)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	f.Offset = 0
	pos, err := h.liveStart(ctx, v, r, f)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	sources, err := h.inboxNames(ctx, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	stop := h.live.stopping(r)

	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	// Reverse proxies that buffer responses (nginx) would hold the events.
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(text string) bool {
		// The server's WriteTimeout counts from the request; each write
		// gets its own window instead, so that a stream lasts as long as
		// its client reads it and a client that stopped reading is cut.
		if err := rc.SetWriteDeadline(time.Now().Add(liveWriteWindow)); err != nil {
			h.log.ErrorContext(ctx, "web: live stream: no write deadline", "err", err)
			return false
		}
		if _, err := fmt.Fprint(w, text); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// The start goes out at once: a reconnect resumes from it, not from
	// the page's lead again.
	if !send(fmt.Sprintf("retry: %d\nid: %s\n: live\n\n", liveRetry, livePosition(pos))) {
		return
	}
	sent := pos
	poll := time.NewTicker(h.poll)
	defer poll.Stop()
	heartbeat := time.NewTicker(liveHeartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-heartbeat.C:
			if _, err := h.auth.WebSession(ctx, sessionToken(r)); err != nil {
				return // signed out elsewhere: the reconnect meets the sign-in
			}
			beat := ": heartbeat\n\n"
			if sent != pos {
				beat = ": heartbeat\nid: " + livePosition(pos) + "\n\n"
			}
			if !send(beat) {
				return
			}
			sent = pos
		case <-poll.C:
			for {
				events, next, more, err := h.newLeads(ctx, v, f, pos, sources)
				if err != nil {
					if ctx.Err() == nil {
						h.log.ErrorContext(ctx, "web: live stream: poll failed", "err", err)
					}
					return
				}
				for _, e := range events {
					data, err := json.Marshal(e)
					if err != nil {
						h.log.ErrorContext(ctx, "web: live stream: encode", "err", err)
						return
					}
					if !send(fmt.Sprintf("id: %s\nevent: row\ndata: %s\n\n", livePosition(e.at), data)) {
						return
					}
					sent = e.at
				}
				pos = next
				if !more {
					break
				}
			}
		}
	}
}

// livePosition is an event position as the stream's SSE id:
// "<transaction>.<history entry>" (the transaction is 0 on SQLite). The
// dot tells it from the lead id a stream of an older crmd sent.
func livePosition(c crm.OutboxCursor) string {
	return strconv.FormatUint(c.Tx, 10) + "." + strconv.FormatInt(c.LogID, 10)
}

// parseLivePosition reads livePosition's text; ok is false for anything
// else.
func parseLivePosition(s string) (c crm.OutboxCursor, ok bool) {
	tx, id, found := strings.Cut(s, ".")
	if !found {
		return c, false
	}
	var err1, err2 error
	c.Tx, err1 = strconv.ParseUint(tx, 10, 64)
	c.LogID, err2 = strconv.ParseInt(id, 10, 64)
	return c, err1 == nil && err2 == nil && c.LogID >= 0
}

// liveStart is where a stream starts. A reconnecting browser's
// Last-Event-ID, which wins, is a position (or, from a stream of an older
// crmd, a lead id); ?after= is the newest lead the page showed (0: it
// showed none). After a lead id the stream starts before the intake of the
// oldest lead after it that matches the filter — a lead that came between
// the page and the stream — or, when there is none, now: the leads after
// the page's are those an older crmd's stream sent. Without either it
// starts now. No start is later than now: a position from elsewhere (a
// database restored into another server) would hold the stream forever.
func (h *handler) liveStart(ctx context.Context, v *view, r *http.Request, f leadFilter) (crm.OutboxCursor, error) {
	// Now is read before the leads: a lead that commits after it is after
	// it, one before it is in the read.
	now, err := h.svc.EventsNow(ctx, v.Actor)
	if err != nil {
		return now, err
	}
	for _, s := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("after")} {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if pos, ok := parseLivePosition(s); ok {
			if now.Before(pos) {
				return now, nil
			}
			return pos, nil
		}
		after, err := strconv.ParseInt(s, 10, 64)
		if err != nil || after < 0 {
			return now, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", "after"))
		}
		return h.liveAfterLead(ctx, v, f, after, now)
	}
	return now, nil
}

// liveAfterLead is the start of a stream that is to send the leads after
// lead id after that match f (see liveStart).
func (h *handler) liveAfterLead(ctx context.Context, v *view, f leadFilter, after int64, now crm.OutboxCursor) (crm.OutboxCursor, error) {
	q := f.inboundQuery(1, 0)
	q.AfterID = after
	list, total, err := h.svc.Inbounds(ctx, v.Actor, q)
	if err != nil || total == 0 {
		return now, err
	}
	if total > 1 {
		// The list is newest first: the oldest is last.
		q.Offset = total - 1
		if list, _, err = h.svc.Inbounds(ctx, v.Actor, q); err != nil || len(list) == 0 {
			return now, err
		}
	}
	pos, ok, err := h.svc.BeforeInboundAdded(ctx, v.Actor, list[0].ID)
	if err != nil || !ok || now.Before(pos) {
		return now, err
	}
	return pos, nil
}

// newLeads renders the leads taken in after the position given that the
// filter keeps, in commit order (each then goes first on the page, so the
// newest ends on top), of at most liveBatch intakes; next is the position
// to read on from, and more says that others wait.
func (h *handler) newLeads(ctx context.Context, v *view, f leadFilter, after crm.OutboxCursor, sources map[int64]string) (events []liveEvent, next crm.OutboxCursor, more bool, err error) {
	added, next, err := h.svc.InboundsAdded(ctx, v.Actor, after, liveBatch)
	if err != nil || len(added) == 0 {
		return nil, next, false, err
	}
	more = len(added) == liveBatch
	q := f.inboundQuery(len(added), 0)
	for _, a := range added {
		q.IDs = append(q.IDs, a.InboundID)
	}
	list, _, err := h.svc.Inbounds(ctx, v.Actor, q)
	if err != nil {
		return nil, after, false, err
	}
	byID := make(map[int64]crm.Inbound, len(list))
	refreshed := false
	for _, l := range list {
		byID[l.ID] = l
		if _, ok := sources[l.InboxTypeID]; !ok && !refreshed {
			// An inbox type added since the stream began.
			if sources, err = h.inboxNames(ctx, v); err != nil {
				return nil, after, false, err
			}
			refreshed = true
		}
	}
	for _, a := range added {
		l, ok := byID[a.InboundID]
		if !ok {
			continue // not for the page's filter
		}
		row := newLeadRow(v, l, sources)
		html, err := h.fragment("leads", "lead-row", map[string]any{"V": v, "Row": row})
		if err != nil {
			return nil, after, false, err
		}
		events = append(events, liveEvent{ID: l.ID, HTML: html, Announce: v.T("leads.announce", row.DisplayName), at: a.At})
	}
	return events, next, more, nil
}

// liveStreams ends the event streams of a server that shuts down. A
// stream never finishes on its own, so http.Server.Shutdown, which waits
// for requests in flight, would wait out its whole drain window for every
// open inbox; Shutdown calls the functions registered with
// RegisterOnShutdown first, and the one registered here (once per server)
// closes the channel the streams watch.
type liveStreams struct {
	mu    sync.Mutex
	stops map[*http.Server]chan struct{}
}

// stopping is the channel that closes when the server serving r starts
// shutting down (nil, which never closes, when r names no server).
func (s *liveStreams) stopping(r *http.Request) <-chan struct{} {
	srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok || srv == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.stops[srv]; ok {
		return ch
	}
	if s.stops == nil {
		s.stops = map[*http.Server]chan struct{}{}
	}
	ch := make(chan struct{})
	s.stops[srv] = ch
	srv.RegisterOnShutdown(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		close(ch)
		// The server is done with: forget it. A stream starting during
		// the drain gets a channel of its own that never closes, and ends
		// with its connection.
		delete(s.stops, srv)
	})
	return ch
}

var leadMessages = catalog{
	"leads.show":               {"Show", "Показать"},
	"leads.only_new":           {"New only", "Только новые"},
	"leads.all":                {"All leads", "Все заявки"},
	"leads.keyword":            {"Name, phone, email, comment", "Имя, телефон, email, комментарий"},
	"leads.list":               {"Leads, newest first", "Заявки, сначала новые"},
	"leads.pages":              {"Inbox pages", "Страницы заявок"},
	"leads.col_lead":           {"Lead", "Заявка"},
	"leads.col_contacts":       {"Contacts", "Контакты"},
	"leads.col_comment":        {"Comment", "Комментарий"},
	"leads.col_source":         {"Source", "Источник"},
	"leads.col_status":         {"Status", "Статус"},
	"leads.status_new":         {"New", "Новая"},
	"leads.status_taken":       {"Taken to work", "Взята в работу"},
	"leads.status_closed":      {"Closed without a deal", "Закрыта без сделки"},
	"leads.deal":               {"Deal #%d", "Сделка №%d"},
	"leads.take":               {"Take to work", "Взять в работу"},
	"leads.more":               {"%d more from this client", "Ещё от этого клиента: %d"},
	"leads.repeat":             {"Repeat request", "Повторная заявка"},
	"leads.all_from_client":    {"All requests from this client", "Все заявки этого клиента"},
	"leads.unnamed":            {"No name", "Без имени"},
	"leads.total":              {"Leads:", "Заявок:"},
	"leads.empty":              {"No leads.", "Заявок нет."},
	"leads.empty_new":          {"No new leads. New ones appear here as they arrive.", "Новых заявок нет. Новые появятся здесь, как только придут."},
	"leads.empty_search":       {"No leads match the search.", "По запросу заявок не найдено."},
	"leads.live_hint":          {"New leads appear at the top without reloading the page.", "Новые заявки появляются вверху без перезагрузки страницы."},
	"leads.announce":           {"New lead: %s", "Новая заявка: %s"},
	"leads.not_found":          {"No such lead.", "Такой заявки нет."},
	"leads.already_taken":      {"This lead has already been taken to work.", "Эта заявка уже взята в работу."},
	"leads.already_taken_deal": {"This lead has already been taken to work: deal #%d.", "Эта заявка уже взята в работу: сделка №%d."},
	"leads.already_closed":     {"This lead has been closed without a deal.", "Эта заявка закрыта без сделки."},
}
