package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/webhook"
)

// env is one account on a fresh database, as two processes would see it:
// two store handles.
type env struct {
	dbs   [2]*store.DB
	svc   *crm.Service
	admin crm.Actor
}

func newEnv(t *testing.T, dsn string) *env { return newEnvTB(t, dsn) }

func newEnvTB(t testing.TB, dsn string) *env {
	t.Helper()
	ctx := context.Background()
	var e env
	for i := range e.dbs {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		e.dbs[i] = db
	}
	a, err := auth.New(ctx, e.dbs[0])
	if err != nil {
		t.Fatal(err)
	}
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Webhooks"})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = crm.NewService(e.dbs[0])
	e.admin = crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
	return &e
}

// fast retries a failed attempt 20 ms later, up to 5 attempts, so that
// tests see retries without waiting minutes.
func fast() map[crm.WebhookKind]webhook.Policy {
	p := webhook.CRMDPolicy()
	p.Timeout = 5 * time.Second
	p.Retry = func(attempt, _ int, _ time.Duration) (time.Duration, bool) { return 20 * time.Millisecond, attempt < 5 }
	return map[crm.WebhookKind]webhook.Policy{crm.WebhookCRMD: p}
}

// run starts a Deliverer over db until the test ends.
func run(t *testing.T, e *env, db *store.DB, opts webhook.Options) {
	t.Helper()
	if opts.Poll == 0 {
		opts.Poll = 10 * time.Millisecond
	}
	if opts.Policies == nil {
		opts.Policies = fast()
	}
	d := webhook.New(db, map[crm.WebhookKind]webhook.Format{crm.WebhookCRMD: webhook.CRMDFormat{Service: crm.NewService(db)}}, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// receiver records what a destination receives; answer decides each
// request's status.
type receiver struct {
	mu       sync.Mutex
	requests []received
	answer   func(n int) int
	srv      *httptest.Server
}

type received struct {
	header http.Header
	body   []byte
	event  webhook.Payload
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	r := &receiver{answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var p webhook.Payload
		_ = json.Unmarshal(body, &p)
		r.mu.Lock()
		r.requests = append(r.requests, received{header: req.Header.Clone(), body: body, event: p})
		n := len(r.requests)
		r.mu.Unlock()
		status := http.StatusOK
		if r.answer != nil {
			status = r.answer(n)
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "answer %d", n)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *env) hook(t *testing.T, url string, events ...crm.EventType) crm.Webhook {
	t.Helper()
	names := make([]string, len(events))
	for i, ev := range events {
		names[i] = string(ev)
	}
	h, err := e.svc.CreateWebhook(context.Background(), e.admin, crm.NewWebhook{Kind: crm.WebhookCRMD, Destination: url, Events: names}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (e *env) addLead(t *testing.T, name string) crm.Lead {
	t.Helper()
	leads, err := e.svc.AddLeads(context.Background(), e.admin, []crm.LeadInput{{Name: &name}})
	if err != nil {
		t.Fatal(err)
	}
	return leads[0]
}

func (e *env) renameLead(t *testing.T, id int64, name string) {
	t.Helper()
	if _, err := e.svc.UpdateLeads(context.Background(), e.admin, []crm.LeadInput{{ID: id, Name: &name}}); err != nil {
		t.Fatal(err)
	}
}

// outboxEvents reads every event handed out so far, without moving the
// cursor.
func outboxEvents(t *testing.T, db *store.DB) []crm.Event {
	t.Helper()
	b, err := db.OutboxEntries(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []crm.Event
	for _, e := range b.Entries {
		out = append(out, crm.EventsOf(e)...)
	}
	return out
}

// TestChangesMakeEvents: each change leaves exactly its events in the
// history, with the changed fields' old and new values; a write that fails
// leaves none.
func TestChangesMakeEvents(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn)
		start := len(outboxEvents(t, e.dbs[0]))
		lead := e.addLead(t, "Первая")
		e.renameLead(t, lead.ID, "Вторая")
		pipelines, err := e.svc.DealPipelines(ctx, e.admin)
		if err != nil {
			t.Fatal(err)
		}
		next := pipelines[0].Stages[1]
		if _, err := e.svc.UpdateLeads(ctx, e.admin, []crm.LeadInput{{ID: lead.ID, Status: &crm.LeadStatusRef{StageID: next.ID}}}); err != nil {
			t.Fatal(err)
		}
		name := "Иван"
		if _, err := e.svc.AddContacts(ctx, e.admin, []crm.NewContact{{Name: &name}}); err != nil {
			t.Fatal(err)
		}
		// A batch with a bad item writes nothing, so no event.
		bad := int64(-5)
		if _, err := e.svc.AddLeads(ctx, e.admin, []crm.LeadInput{{Name: &name}, {Name: &name, Price: &bad}}); err == nil {
			t.Fatal("a negative price was accepted")
		}
		if err := e.svc.SetCustomersMode(ctx, e.admin, crm.CustomersSegments, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddCustomers(ctx, e.admin, []crm.CustomerInput{{Name: &name}}); err != nil {
			t.Fatal(err)
		}

		// On PostgreSQL the outbox shows an entry once no transaction older
		// than its own is still running anywhere on the server (other
		// tests' included): wait for the five.
		var events []crm.Event
		waitFor(t, "the events to settle", func() bool {
			events = outboxEvents(t, e.dbs[0])[start:]
			return len(events) >= 5
		})
		var types []crm.EventType
		for _, ev := range events {
			types = append(types, ev.Type)
			if ev.AccountID != e.admin.AccountID || ev.UserID != e.admin.UserID || ev.At.IsZero() || ev.ID == 0 {
				t.Errorf("event %+v: account, actor, time or id missing", ev)
			}
		}
		want := []crm.EventType{crm.EventLeadAdded, crm.EventLeadUpdated, crm.EventLeadStageChanged, crm.EventContactAdded, crm.EventCustomerAdded}
		if !slices.Equal(types, want) {
			t.Fatalf("events %v, want %v", types, want)
		}
		data, err := crm.DecodeHistory(events[1].Entry)
		if err != nil || len(data.Changes) != 1 || data.Changes[0].Field != "name" ||
			string(data.Changes[0].Before) != `"Первая"` || string(data.Changes[0].After) != `"Вторая"` {
			t.Errorf("rename's changes %+v (%v)", data.Changes, err)
		}
	})
}

// TestRetriedUntilDelivered: a receiver failing twice gets the event three
// times, signed, with one event id; the delivery log shows the three
// attempts; a second change of the same lead comes after the first; a
// replay sends the first again.
func TestRetriedUntilDelivered(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn)
		r := newReceiver(t, func(n int) int {
			if n <= 2 {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		})
		hook := e.hook(t, r.srv.URL+"/hooks", crm.EventLeadAdded, crm.EventLeadUpdated)
		run(t, e, e.dbs[0], webhook.Options{AllowPrivate: true})
		lead := e.addLead(t, "Заявка")
		e.renameLead(t, lead.ID, "Заявка 2")
		waitFor(t, "four requests", func() bool { return len(r.got()) >= 4 })
		got := r.got()
		for i, want := range []crm.EventType{crm.EventLeadAdded, crm.EventLeadAdded, crm.EventLeadAdded, crm.EventLeadUpdated} {
			req := got[i]
			if req.event.Type != want || req.event.Entity.ID != lead.ID {
				t.Errorf("request %d: %s of %d, want %s of %d", i+1, req.event.Type, req.event.Entity.ID, want, lead.ID)
			}
			if !webhook.Verify(hook.Secret, req.header.Get(webhook.HeaderTimestamp), req.header.Get(webhook.HeaderSignature), req.body, time.Now(), time.Minute) {
				t.Errorf("request %d: signature %q does not verify", i+1, req.header.Get(webhook.HeaderSignature))
			}
			if req.header.Get(webhook.HeaderEventID) != req.event.ID {
				t.Errorf("request %d: event id header %q, body %q", i+1, req.header.Get(webhook.HeaderEventID), req.event.ID)
			}
		}
		if got[0].event.ID != got[2].event.ID || got[2].event.ID == got[3].event.ID {
			t.Errorf("event ids %s %s %s %s: the retries must carry the first's", got[0].event.ID, got[1].event.ID, got[2].event.ID, got[3].event.ID)
		}
		if got[3].event.Lead == nil || got[3].event.Lead.Name != "Заявка 2" || len(got[3].event.Changes) != 1 {
			t.Errorf("update payload %+v", got[3].event)
		}

		var log crm.DeliveryLog
		waitFor(t, "both delivered", func() bool {
			var err error
			log, err = e.svc.WebhookDeliveries(ctx, e.admin, crm.DeliveryQuery{WebhookID: hook.ID})
			return err == nil && len(log.Deliveries) == 2 && log.Deliveries[0].State == crm.DeliveryDelivered && log.Deliveries[1].State == crm.DeliveryDelivered
		})
		first := log.Deliveries[1] // newest first
		attempts := log.Attempts[first.ID]
		if first.Attempts != 3 || len(attempts) != 3 {
			t.Fatalf("first delivery: %d attempts, log %+v", first.Attempts, attempts)
		}
		for i, want := range []int{503, 503, 200} {
			if attempts[i].Status != want || attempts[i].Response != fmt.Sprintf("answer %d", i+1) || attempts[i].At.IsZero() {
				t.Errorf("attempt %d: %+v, want status %d", i+1, attempts[i], want)
			}
		}

		replay, err := e.svc.ReplayDelivery(ctx, e.admin, first.ID)
		if err != nil || replay.ReplayOf != first.ID {
			t.Fatalf("replay: %+v, %v", replay, err)
		}
		waitFor(t, "the replay", func() bool { return len(r.got()) == 5 })
		if again := r.got()[4]; again.event.ID != got[0].event.ID || string(again.body) != string(got[0].body) {
			t.Errorf("replay sent %s, want the first event again", again.body)
		}
		if _, err := e.svc.ReplayDelivery(ctx, crm.Actor{AccountID: e.admin.AccountID, Role: crm.RoleMember}, first.ID); crm.KindOf(err) != crm.KindForbidden {
			t.Errorf("a member replayed: %v", err)
		}
	})
}

// TestPrivateDestinationRefused: without AllowPrivate nothing reaches a
// loopback receiver, and the log says why.
func TestPrivateDestinationRefused(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn)
		r := newReceiver(t, nil)
		// "localhost" resolves at send time: the check is on the address.
		hook := e.hook(t, strings.Replace(r.srv.URL, "127.0.0.1", "localhost", 1), crm.EventLeadAdded)
		run(t, e, e.dbs[0], webhook.Options{})
		e.addLead(t, "Заявка")
		var log crm.DeliveryLog
		waitFor(t, "the refused attempts", func() bool {
			var err error
			log, err = e.svc.WebhookDeliveries(ctx, e.admin, crm.DeliveryQuery{WebhookID: hook.ID})
			return err == nil && len(log.Deliveries) == 1 && log.Deliveries[0].State == crm.DeliveryFailed
		})
		for _, a := range log.Attempts[log.Deliveries[0].ID] {
			if a.Status != 0 || !strings.Contains(a.Error, "not public") {
				t.Errorf("attempt %+v: want a refusal naming the private address", a)
			}
		}
		if n := len(r.got()); n != 0 {
			t.Errorf("the private receiver got %d requests", n)
		}
	})
}

// TestTwoProcessesShareDelivery: two deliverers on one database (two
// processes) deliver 1,000 events, none lost; duplicates are counted and
// reported (at least once allows them; the normal case has none).
func TestTwoProcessesShareDelivery(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn)
		r := newReceiver(t, nil)
		e.hook(t, r.srv.URL, crm.EventLeadAdded)
		run(t, e, e.dbs[0], webhook.Options{AllowPrivate: true})
		run(t, e, e.dbs[1], webhook.Options{AllowPrivate: true})
		const total = 1000
		var wg sync.WaitGroup
		errs := make(chan error, total)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := crm.NewService(e.dbs[w%2])
				for i := w; i < total; i += 8 {
					name := fmt.Sprintf("Заявка %d", i)
					if _, err := svc.AddLeads(ctx, e.admin, []crm.LeadInput{{Name: &name}}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		seen := map[string]int{}
		waitFor(t, "1,000 distinct events", func() bool {
			clear(seen)
			for _, req := range r.got() {
				seen[req.event.ID]++
			}
			return len(seen) >= total
		})
		dups := 0
		for _, n := range seen {
			dups += n - 1
		}
		t.Logf("%d events delivered by two processes, %d duplicates", len(seen), dups)
		if len(seen) != total {
			t.Errorf("%d distinct events, want %d", len(seen), total)
		}
		if dups > 0 {
			t.Errorf("%d duplicates in the normal case (no process died)", dups)
			for id, n := range seen {
				if n > 1 {
					var ids []string
					for _, req := range r.got() {
						if req.event.ID == id {
							ids = append(ids, req.header.Get(webhook.HeaderDelivery))
						}
					}
					t.Logf("event %s: deliveries %v", id, ids)
				}
			}
		}
	})
}

// TestStageFilter: a webhook filtered to one stage gets the move into it
// with the stage before and after, even when the lead moved on before the
// event was handed out; the move out of it is not sent.
func TestStageFilter(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn)
		r := newReceiver(t, nil)
		pipelines, err := e.svc.DealPipelines(ctx, e.admin)
		if err != nil {
			t.Fatal(err)
		}
		p := pipelines[0]
		second, third := p.Stages[1], p.Stages[2]
		if _, err := e.svc.CreateWebhook(ctx, e.admin, crm.NewWebhook{Kind: crm.WebhookCRMD, Destination: r.srv.URL,
			Events: []string{string(crm.EventLeadStageChanged)}, PipelineID: p.ID, StageIDs: []int64{second.ID}}, nil); err != nil {
			t.Fatal(err)
		}
		lead := e.addLead(t, "Сделка")
		for _, st := range []crm.Stage{second, third} {
			if _, err := e.svc.UpdateLeads(ctx, e.admin, []crm.LeadInput{{ID: lead.ID, Status: &crm.LeadStatusRef{StageID: st.ID}}}); err != nil {
				t.Fatal(err)
			}
		}
		run(t, e, e.dbs[0], webhook.Options{AllowPrivate: true})
		waitFor(t, "the move into the second stage", func() bool { return len(r.got()) >= 1 })
		// The move out was handed out with it (same poll) or right after:
		// give it the time to arrive if it wrongly would.
		time.Sleep(200 * time.Millisecond)
		got := r.got()
		if len(got) != 1 {
			t.Fatalf("%d deliveries, want only the move into stage %d", len(got), second.ID)
		}
		ev := got[0].event
		want := fmt.Sprintf(`[{"field":"stage","before":{"pipeline_id":%d,"stage_id":%d},"after":{"pipeline_id":%d,"stage_id":%d}}]`,
			p.ID, p.Stages[0].ID, p.ID, second.ID)
		if changes, _ := json.Marshal(ev.Changes); string(changes) != want || ev.Lead == nil || ev.Lead.StatusID != third.ID {
			t.Errorf("changes %s, want %s; lead now %+v (in stage %d)", changes, want, ev.Lead, third.ID)
		}
		if _, err := e.svc.CreateWebhook(ctx, e.admin, crm.NewWebhook{Kind: crm.WebhookCRMD, Destination: r.srv.URL,
			Events: []string{string(crm.EventLeadAdded)}, PipelineID: p.ID + 1000}, nil); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("a filter on a missing pipeline: %v", err)
		}
	})
}

// TestBatchingWebhook: a batching webhook gets the events handed out
// together in one signed POST, {"events":[…]}, in the order of the changes,
// the header naming every event id.
func TestBatchingWebhook(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn)
		r := newReceiver(t, nil)
		hook, err := e.svc.CreateWebhook(ctx, e.admin, crm.NewWebhook{Kind: crm.WebhookCRMD, Destination: r.srv.URL,
			Events: []string{string(crm.EventLeadAdded), string(crm.EventLeadUpdated)}, Batch: true}, nil)
		if err != nil || !hook.Batch {
			t.Fatalf("create: %+v, %v", hook, err)
		}
		var leads []crm.Lead
		for i := range 3 {
			leads = append(leads, e.addLead(t, fmt.Sprintf("Заявка %d", i)))
		}
		e.renameLead(t, leads[0].ID, "Заявка 0, уточнена")
		// Handed out together: written before delivery starts.
		waitFor(t, "the events to settle", func() bool { return len(outboxEvents(t, e.dbs[0])) >= 4 })
		run(t, e, e.dbs[0], webhook.Options{AllowPrivate: true})
		waitFor(t, "the batch", func() bool { return len(r.got()) >= 1 })
		time.Sleep(100 * time.Millisecond)
		got := r.got()
		if len(got) != 1 {
			t.Fatalf("%d POSTs, want the one batch", len(got))
		}
		req := got[0]
		var body struct {
			Events []webhook.Payload `json:"events"`
		}
		if err := json.Unmarshal(req.body, &body); err != nil {
			t.Fatalf("body %s: %v", req.body, err)
		}
		var ids []string
		var kinds []crm.EventType
		for _, ev := range body.Events {
			ids = append(ids, ev.ID)
			kinds = append(kinds, ev.Type)
		}
		wantKinds := []crm.EventType{crm.EventLeadAdded, crm.EventLeadAdded, crm.EventLeadAdded, crm.EventLeadUpdated}
		if !slices.Equal(kinds, wantKinds) || body.Events[0].Entity.ID != leads[0].ID || body.Events[3].Entity.ID != leads[0].ID {
			t.Errorf("events %v, want %v for leads %d…, then the rename", kinds, wantKinds, leads[0].ID)
		}
		if h := req.header.Get(webhook.HeaderEventID); h != strings.Join(ids, ",") {
			t.Errorf("event id header %q, body ids %v", h, ids)
		}
		if !webhook.Verify(hook.Secret, req.header.Get(webhook.HeaderTimestamp), req.header.Get(webhook.HeaderSignature), req.body, time.Now(), time.Minute) {
			t.Error("the batch's signature does not verify")
		}
	})
}

// TestStoppedProcessGivesTurnBack: a process that stops normally gives its
// turn at handing out back, so the next one delivers at once rather than
// after the lease (a minute here).
func TestStoppedProcessGivesTurnBack(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r := newReceiver(t, nil)
		e.hook(t, r.srv.URL, crm.EventLeadAdded)
		formats := map[crm.WebhookKind]webhook.Format{crm.WebhookCRMD: webhook.CRMDFormat{Service: e.svc}}
		opts := webhook.Options{AllowPrivate: true, Poll: 10 * time.Millisecond, Lease: time.Minute, Policies: fast()}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { webhook.New(e.dbs[0], formats, opts).Run(ctx); close(done) }()
		e.addLead(t, "Первая")
		waitFor(t, "the first process's delivery", func() bool { return len(r.got()) == 1 })
		cancel()
		<-done

		run(t, e, e.dbs[1], opts)
		e.addLead(t, "Вторая")
		start := time.Now()
		waitFor(t, "the second process's delivery", func() bool { return len(r.got()) == 2 })
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("the second process delivered after %s: the first kept its turn", took)
		}
	})
}
