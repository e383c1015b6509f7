package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/crm"
)

// Store is what delivery needs of the database; *store.DB implements it.
// None of it is bound to one account: a Deliverer serves them all.
type Store interface {
	// OutboxEntries reads up to limit settled history entries after the
	// outbox cursor, in commit order.
	OutboxEntries(ctx context.Context, limit int) (crm.OutboxBatch, error)
	// LeaseOutbox makes this process the one that hands the history out
	// until until, unless another is; it says whether this one is.
	LeaseOutbox(ctx context.Context, owner string, now, until time.Time) (bool, error)
	// ReleaseOutbox ends this process's turn at handing out.
	ReleaseOutbox(ctx context.Context, owner string) error
	// BusyRecords lists the records of the webhooks with a delivery
	// pending.
	BusyRecords(ctx context.Context, webhookIDs []int64) (map[crm.DeliveryKey]bool, error)
	// HandOutOutbox stores the deliveries made of a batch, those already
	// sent with their attempts, and moves the cursor past it;
	// crm.ErrOutboxMoved when owner no longer hands out.
	HandOutOutbox(ctx context.Context, b crm.OutboxBatch, owner string, deliveries []crm.Delivery, attempts map[int]crm.DeliveryAttempt, disable crm.DisableRule) error
	// EnabledWebhooks lists every account's webhooks that are not
	// disabled.
	EnabledWebhooks(ctx context.Context) ([]crm.Webhook, error)
	// ClaimDeliveries takes due deliveries until leaseUntil.
	ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]crm.Delivery, error)
	// FinishDeliveries records attempts and what follows them.
	FinishDeliveries(ctx context.Context, outcomes []crm.DeliveryOutcome, disable crm.DisableRule) error
	// ReleaseDeliveries gives claimed deliveries back.
	ReleaseDeliveries(ctx context.Context, ids []int64) error
	// DeleteFinishedDeliveries deletes up to limit deliveries finished
	// before a time, with their attempts, and says how many.
	DeleteFinishedDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
}

// Format turns the events of one write call into what one webhook of its
// kind receives.
type Format interface {
	// Deliveries returns the deliveries hook gets of events (one account's,
	// one write call's, in order); none when it wants none of them. Each
	// has its RecordKey, EventIDs, EventTypes, ContentType and Body.
	Deliveries(ctx context.Context, hook crm.Webhook, events []crm.Event) ([]crm.Delivery, error)
}

// Options configure a Deliverer. The zero value of each field means its
// default.
type Options struct {
	// AllowPrivate lets deliveries reach loopback, private and link-local
	// addresses (crmd serve --webhook-allow-private).
	AllowPrivate bool
	// Lease is how long a claimed delivery stays with the process that
	// claimed it: when a process dies mid-send, another sends it again
	// after this. Default 1 minute; it must exceed the longest Timeout.
	Lease time.Duration
	// Poll is how often the history and the due deliveries are looked at
	// when there was nothing to do. Default 500 ms.
	Poll time.Duration
	// Batch is how many history entries are handed out per transaction.
	// Default 500.
	Batch int
	// Concurrency is how many deliveries are sent at once. Default 16.
	Concurrency int
	// Policies override the kinds' delivery policies (AmoCRMPolicy,
	// CRMDPolicy); tests shorten the retries with it.
	Policies map[crm.WebhookKind]Policy
	// Now is the clock deliveries are scheduled by; default time.Now.
	// crmd passes the database's clock.
	Now func() time.Time
	// Observe, when set, is told of every attempt: the webhook's kind, its
	// result ("delivered", "retry", "failed") and how long it took.
	Observe func(kind crm.WebhookKind, result string, latency time.Duration)
	// Retention is how long finished deliveries stay in the delivery log.
	// Default 30 days.
	Retention time.Duration
	Logger    *slog.Logger
}

// Deliverer reads events out of the history and sends them to webhooks.
type Deliverer struct {
	store   Store
	formats map[crm.WebhookKind]Format
	opts    Options
	client  *http.Client
	log     *slog.Logger
	// wake tells the senders that deliveries were just made.
	wake chan struct{}
	// id names this process as the outbox's owner (Store.LeaseOutbox);
	// leasedUntil is when its turn ends (dispatch's goroutine only).
	id          string
	leasedUntil time.Time
}

// longestTimeout is the longest any attempt may take.
func (d *Deliverer) longestTimeout() time.Duration {
	var longest time.Duration
	for _, p := range d.opts.Policies {
		longest = max(longest, p.Timeout)
	}
	return longest
}

// New returns a Deliverer over store sending each kind of webhook in its
// format.
func New(store Store, formats map[crm.WebhookKind]Format, opts Options) *Deliverer {
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.Poll <= 0 {
		opts.Poll = 500 * time.Millisecond
	}
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Retention <= 0 {
		opts.Retention = 30 * 24 * time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	policies := map[crm.WebhookKind]Policy{crm.WebhookAmoCRM: AmoCRMPolicy(), crm.WebhookCRMD: CRMDPolicy()}
	for k, p := range opts.Policies {
		policies[k] = p
	}
	opts.Policies = policies
	return &Deliverer{store: store, formats: formats, opts: opts, client: newClient(opts.AllowPrivate),
		log: opts.Logger, wake: make(chan struct{}, 1), id: crm.NewDeliveryUID()}
}

// Run hands out and sends deliveries until ctx ends; then it lets the
// sends in flight finish (each is bounded by its policy's Timeout) and
// records them.
func (d *Deliverer) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		d.loop(ctx, nil, d.dispatchOnce, "hand out events")
	}()
	go func() {
		defer wg.Done()
		d.prune(ctx)
	}()
	go func() {
		defer wg.Done()
		d.loop(ctx, d.wake, d.sendOnce, "send deliveries")
	}()
	wg.Wait()
	// A process stopping normally gives its turn back at once; one killed
	// leaves it to run out (Lease).
	if err := d.store.ReleaseOutbox(context.Background(), d.id); err != nil {
		d.log.Error("webhooks: give the hand-out turn back", "err", err)
	}
}

// recordTimeout bounds recording a batch already sent after the process
// was asked to stop.
const recordTimeout = 10 * time.Second

// pruneEvery is how often the delivery log is trimmed to Retention.
const pruneEvery = time.Hour

// prune deletes finished deliveries older than Retention, now and then
// every pruneEvery, a thousand per transaction so as not to hold up the
// writers.
func (d *Deliverer) prune(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for ctx.Err() == nil {
			n, err := d.store.DeleteFinishedDeliveries(ctx, d.opts.Now().Add(-d.opts.Retention), 1000)
			if err != nil {
				if ctx.Err() == nil {
					d.log.Error("webhooks: trim the delivery log", "err", err)
				}
				break
			}
			if n < 1000 {
				break
			}
		}
		t.Reset(pruneEvery)
	}
}

// loop runs step until ctx ends: at once again when it did a full load,
// else after Poll or a wake-up.
func (d *Deliverer) loop(ctx context.Context, wake <-chan struct{}, step func(context.Context) (bool, error), what string) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-wake:
		}
		full, err := step(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Error("webhooks: "+what, "err", err)
		}
		next := d.opts.Poll
		if full && err == nil {
			next = 0
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
	}
}

// dispatchOnce hands out one batch of history: reports whether it was a
// full one (more may be waiting). One process at a time does (the outbox's
// owner, Store.LeaseOutbox), because it sends before it records: what can
// go at once is sent at once, and the batch's deliveries are then stored in
// one transaction, those sent as they stand after their attempt. A process
// that dies in between has recorded nothing, and the next owner sends the
// batch again (at least once). Sending before storing spares each delivery
// a claim and an update, most of what delivery costs the database.
func (d *Deliverer) dispatchOnce(ctx context.Context) (bool, error) {
	// Read first: an idle process writes nothing.
	b, err := d.store.OutboxEntries(ctx, d.opts.Batch)
	if err != nil || len(b.Entries) == 0 {
		return false, err
	}
	// The turn is renewed only when less of it is left than a batch may
	// need (its slowest send) or half of it: a write saved per batch.
	now := d.opts.Now()
	if left := d.leasedUntil.Sub(now); left < max(d.opts.Lease/2, d.longestTimeout()+5*time.Second) {
		until := now.Add(d.opts.Lease)
		owner, err := d.store.LeaseOutbox(ctx, d.id, now, until)
		if err != nil || !owner {
			d.leasedUntil = time.Time{}
			return false, err
		}
		d.leasedUntil = until
	}
	hooks, err := d.store.EnabledWebhooks(ctx)
	if err != nil {
		return false, err
	}
	byAccount := map[int64][]crm.Webhook{}
	byID := map[int64]crm.Webhook{}
	for _, h := range hooks {
		byAccount[h.AccountID] = append(byAccount[h.AccountID], h)
		byID[h.ID] = h
	}
	var out []crm.Delivery
	// The entries of one write call are consecutive in commit order.
	for start := 0; start < len(b.Entries); {
		end := start + 1
		first := b.Entries[start]
		for end < len(b.Entries) && b.Entries[end].AccountID == first.AccountID && batchOf(b.Entries[end]) == batchOf(first) {
			end++
		}
		if subs := byAccount[first.AccountID]; len(subs) > 0 {
			var events []crm.Event
			for _, e := range b.Entries[start:end] {
				events = append(events, crm.EventsOf(e)...)
			}
			if len(events) > 0 {
				made, err := d.render(ctx, subs, events)
				if err != nil {
					return false, err
				}
				out = append(out, made...)
			}
		}
		start = end
	}
	out = batched(out, byID)
	attempts, err := d.sendAtOnce(ctx, out, byID)
	if err != nil {
		return false, err
	}
	// What was sent is recorded even when the process is stopping (ctx
	// ended during the sends): else the next owner would send it again.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err = d.store.HandOutOutbox(recordCtx, b, d.id, out, attempts, d.disable)
	if errors.Is(err, crm.ErrOutboxMoved) {
		// This process's turn ran out (it was stalled longer than the
		// lease): the next owner sends the batch again.
		d.leasedUntil = time.Time{}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(attempts) < len(out) {
		select {
		case d.wake <- struct{}{}: // deliveries wait for the senders
		default:
		}
	}
	return len(b.Entries) == d.opts.Batch, nil
}

// sendAtOnce sends the deliveries of a batch that may go at once — each the
// first of its webhook and record, none pending before it, to a webhook
// whose last attempt succeeded — and returns their attempts by index. The
// others wait for the senders: behind their record's earlier deliveries,
// or, for a failing webhook, so that its timeouts do not hold the batch up.
// Each sent one is updated in place to how it stands after its attempt.
func (d *Deliverer) sendAtOnce(ctx context.Context, out []crm.Delivery, hooks map[int64]crm.Webhook) (map[int]crm.DeliveryAttempt, error) {
	attempts := map[int]crm.DeliveryAttempt{}
	if len(out) == 0 {
		return attempts, nil
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, del := range out {
		if !seen[del.WebhookID] {
			seen[del.WebhookID] = true
			ids = append(ids, del.WebhookID)
		}
	}
	busy, err := d.store.BusyRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	// A record's deliveries of this batch go in a chain, one after another
	// in order, the chain stopping at the first that is not delivered (the
	// rest then wait their turn in the database). A chain starts only if
	// nothing of its record is pending already.
	now := d.opts.Now()
	chains := map[crm.DeliveryKey][]int{}
	var order []crm.DeliveryKey
	for i := range out {
		del := &out[i]
		del.UID, del.CreatedAt = crm.NewDeliveryUID(), now
		k := crm.DeliveryKey{WebhookID: del.WebhookID, RecordKey: del.RecordKey}
		hook, ok := hooks[del.WebhookID]
		if busy[k] || !ok || hook.Failures > 0 || ctx.Err() != nil {
			busy[k] = true
			continue
		}
		if _, started := chains[k]; !started {
			order = append(order, k)
		}
		chains[k] = append(chains[k], i)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, d.opts.Concurrency)
	for _, k := range order {
		chain, hook := chains[k], hooks[k.WebhookID]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			for _, i := range chain {
				del := &out[i]
				o := d.send(context.WithoutCancel(ctx), hook, *del)
				del.State, del.Attempts, del.NextAttemptAt = o.State, 1, o.NextAttemptAt
				del.LastStatus, del.LastError = o.Attempt.Status, o.Attempt.Error
				if o.State != crm.DeliveryPending {
					del.FinishedAt = o.Attempt.At
				}
				mu.Lock()
				attempts[i] = o.Attempt
				mu.Unlock()
				if o.State != crm.DeliveryDelivered {
					return
				}
			}
		}()
	}
	wg.Wait()
	return attempts, nil
}

// batchRecord is the record key of a batching webhook's deliveries: the
// webhook as a whole, so that its POSTs go one at a time, in order.
const batchRecord = "batch"

// batched merges the deliveries of batching webhooks (crm.Webhook.Batch)
// in one hand-out into POSTs of up to crm.MaxBatchEvents events each, in
// order: {"events":[…]}, each element the body the event alone would have
// had. Other deliveries pass as they are.
func batched(out []crm.Delivery, hooks map[int64]crm.Webhook) []crm.Delivery {
	var res []crm.Delivery
	open := map[int64]int{} // webhook → its batch being filled, in res
	for _, del := range out {
		if !hooks[del.WebhookID].Batch {
			res = append(res, del)
			continue
		}
		i, ok := open[del.WebhookID]
		if !ok || len(res[i].EventIDs)+len(del.EventIDs) > crm.MaxBatchEvents {
			if ok {
				res[i].Body = append(res[i].Body, "]}"...)
			}
			res = append(res, crm.Delivery{AccountID: del.AccountID, WebhookID: del.WebhookID, RecordKey: batchRecord,
				ContentType: del.ContentType, Body: append([]byte(`{"events":[`), del.Body...),
				EventIDs: slices.Clone(del.EventIDs), EventTypes: slices.Clone(del.EventTypes)})
			open[del.WebhookID] = len(res) - 1
			continue
		}
		b := &res[i]
		b.Body = append(append(b.Body, ','), del.Body...)
		b.EventIDs = append(b.EventIDs, del.EventIDs...)
		b.EventTypes = append(b.EventTypes, del.EventTypes...)
	}
	for _, i := range open {
		res[i].Body = append(res[i].Body, "]}"...)
	}
	return res
}

func batchOf(e crm.LogEntry) int64 {
	if e.Batch != 0 {
		return e.Batch
	}
	return e.ID
}

// render makes each subscription's deliveries of one write call's events.
// A webhook gets only events from its creation on.
func (d *Deliverer) render(ctx context.Context, hooks []crm.Webhook, events []crm.Event) ([]crm.Delivery, error) {
	var out []crm.Delivery
	for _, h := range hooks {
		f := d.formats[h.Kind]
		if f == nil {
			continue
		}
		wanted := events
		if events[0].At.Before(h.CreatedAt) {
			wanted = nil
			for _, e := range events {
				if !e.At.Before(h.CreatedAt) {
					wanted = append(wanted, e)
				}
			}
			if len(wanted) == 0 {
				continue
			}
		}
		made, err := f.Deliveries(ctx, h, wanted)
		if err != nil {
			return nil, err
		}
		for i := range made {
			made[i].AccountID, made[i].WebhookID = h.AccountID, h.ID
		}
		out = append(out, made...)
	}
	return out, nil
}

// sendOnce claims due deliveries, sends them, and records how it went.
func (d *Deliverer) sendOnce(ctx context.Context) (bool, error) {
	now := d.opts.Now()
	limit := d.opts.Concurrency * 16
	claimed, err := d.store.ClaimDeliveries(ctx, now, now.Add(d.opts.Lease), limit)
	if err != nil || len(claimed) == 0 {
		return false, err
	}
	hooks, err := d.store.EnabledWebhooks(ctx)
	if err != nil {
		return false, errors.Join(err, d.release(claimed))
	}
	byID := make(map[int64]crm.Webhook, len(hooks))
	for _, h := range hooks {
		byID[h.ID] = h
	}
	outcomes := make([]crm.DeliveryOutcome, 0, len(claimed))
	var mu sync.Mutex
	var wg sync.WaitGroup
	var unsent []crm.Delivery
	sem := make(chan struct{}, d.opts.Concurrency)
	for _, del := range claimed {
		hook, ok := byID[del.WebhookID]
		if !ok || ctx.Err() != nil {
			unsent = append(unsent, del) // disabled or deleted meanwhile, or stopping
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			// Sends already begun finish even when ctx ends: their
			// outcome is known and recorded.
			o := d.send(context.WithoutCancel(ctx), hook, del)
			mu.Lock()
			outcomes = append(outcomes, o)
			mu.Unlock()
		}()
	}
	wg.Wait()
	err = d.store.FinishDeliveries(context.WithoutCancel(ctx), outcomes, d.disable)
	// Once a delivery is done, the next of its record may be due at once:
	// look again now rather than after Poll.
	return len(outcomes) > 0, errors.Join(err, d.release(unsent))
}

func (d *Deliverer) release(list []crm.Delivery) error {
	ids := make([]int64, len(list))
	for i, del := range list {
		ids[i] = del.ID
	}
	return d.store.ReleaseDeliveries(context.Background(), ids)
}

// disable applies the failing webhook's kind's rule.
func (d *Deliverer) disable(w crm.Webhook, last crm.DeliveryAttempt, failedSince func(time.Time) (int, error)) (string, error) {
	p, ok := d.opts.Policies[w.Kind]
	if !ok || p.Disable == nil {
		return "", nil
	}
	return p.Disable(w, last, failedSince)
}

// Limits on what is kept of an answer.
const (
	maxResponseRead    = 64 << 10 // read (and so drained for keep-alive) at most
	maxResponseExcerpt = 512      // kept in the delivery log
)

// Header names of crmd's webhooks (docs/webhooks.md).
const (
	HeaderEventID   = "X-Crmd-Event-Id"
	HeaderEvent     = "X-Crmd-Event"
	HeaderDelivery  = "X-Crmd-Delivery"
	HeaderTimestamp = "X-Crmd-Timestamp"
	HeaderSignature = "X-Crmd-Signature"
)

// send makes one attempt at a delivery.
func (d *Deliverer) send(ctx context.Context, hook crm.Webhook, del crm.Delivery) crm.DeliveryOutcome {
	policy := d.opts.Policies[hook.Kind]
	at := d.opts.Now()
	started := time.Now()
	attempt := crm.DeliveryAttempt{DeliveryID: del.ID, WebhookID: hook.ID, At: at}
	ctx, cancel := context.WithTimeout(ctx, policy.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.Destination, bytes.NewReader(del.Body))
	if err == nil {
		req.Header.Set("Content-Type", del.ContentType)
		req.Header.Set("User-Agent", "crmd-webhooks/1")
		if hook.Kind == crm.WebhookCRMD {
			ts := strconv.FormatInt(at.Unix(), 10)
			ids := make([]string, len(del.EventIDs))
			for i, id := range del.EventIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			req.Header.Set(HeaderEventID, strings.Join(ids, ","))
			req.Header.Set(HeaderEvent, strings.Join(del.EventTypes, ","))
			req.Header.Set(HeaderDelivery, del.UID)
			req.Header.Set(HeaderTimestamp, ts)
			req.Header.Set(HeaderSignature, "v1="+Sign(hook.Secret, ts, del.Body))
		}
		var resp *http.Response
		resp, err = d.client.Do(req)
		if err == nil {
			attempt.Status = resp.StatusCode
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseRead))
			resp.Body.Close()
			attempt.Response = excerpt(body)
		}
	}
	attempt.Latency = time.Since(started)
	if err != nil {
		attempt.Error = errorText(err, policy.Timeout)
	}
	o := crm.DeliveryOutcome{Delivery: del, Attempt: attempt}
	result := "delivered"
	switch {
	case attempt.Status >= 100 && attempt.Status <= 299:
		o.State, o.Success = crm.DeliveryDelivered, true
	default:
		if wait, again := policy.Retry(del.Attempts+1, attempt.Status, at.Sub(del.CreatedAt)); again {
			o.State, o.NextAttemptAt, result = crm.DeliveryPending, at.Add(wait), "retry"
		} else {
			o.State, result = crm.DeliveryFailed, "failed"
		}
	}
	if d.opts.Observe != nil {
		d.opts.Observe(hook.Kind, result, attempt.Latency)
	}
	return o
}

// excerpt is the start of an answer, cut on a character boundary.
func excerpt(body []byte) string {
	if len(body) > maxResponseExcerpt {
		body = body[:maxResponseExcerpt]
		for len(body) > 0 && !utf8.Valid(body) {
			body = body[:len(body)-1]
		}
	}
	return strings.ToValidUTF8(string(body), "?")
}

// errorText says why an attempt got no answer, shortly.
func errorText(err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, ErrPrivateAddress):
		var text = err.Error()
		if i := strings.Index(text, ErrPrivateAddress.Error()); i >= 0 {
			return text[i:]
		}
		return text
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within " + timeout.String()
	}
	return err.Error()
}
