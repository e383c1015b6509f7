package crm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
)

// WebhookKind tells the two kinds of subscription apart: amoCRM's
// (/api/v4/webhooks: form-encoded bodies, amoCRM's event names, amoCRM's
// retry rules) and crmd's own (signed JSON, crmd's event names, filters by
// pipeline and stage, retries for a day).
type WebhookKind string

// The webhook kinds.
const (
	WebhookAmoCRM WebhookKind = "amocrm"
	WebhookCRMD   WebhookKind = "crmd"
)

// AmoCRMWebhookEvents are the event names an amoCRM-format webhook
// (POST /api/v4/webhooks, or the settings screen) may hold, in the order
// of companion §8.1's table. The talk and WhatsApp-template events are
// accepted, as amoCRM accepts them, but never fire: crmd has no talks and
// no chat templates. delete_contact, restore_contact, delete_company,
// restore_company and delete_task never fire either: crmd deletes none of
// them. Unsorted items have no event name of their own in amoCRM's list;
// add_lead receives them (the amocrm package's webhook_format.go).
var AmoCRMWebhookEvents = []string{
	"add_lead", "update_lead", "delete_lead", "restore_lead", "status_lead", "responsible_lead", "note_lead",
	"add_contact", "update_contact", "delete_contact", "restore_contact", "responsible_contact", "note_contact",
	"add_company", "update_company", "delete_company", "restore_company", "responsible_company", "note_company",
	"add_customer", "update_customer", "delete_customer", "responsible_customer", "note_customer",
	"add_task", "update_task", "delete_task", "responsible_task",
	"add_talk", "update_talk",
	"add_chat_template_review",
}

// MaxWebhooks is how many webhooks an account may have, of both kinds
// together (amoCRM's limit, companion §8.1).
const MaxWebhooks = 100

// Webhook is a subscription: the account's events of the named kinds are
// sent to Destination. Events holds names of the kind's vocabulary:
// amoCRM's (add_lead, status_lead, …) or crmd's EventTypes.
type Webhook struct {
	ID          int64
	AccountID   int64
	Kind        WebhookKind
	Destination string
	Events      []string
	// PipelineID and StageIDs narrow a crmd webhook's lead events to one
	// pipeline and, within it, to those stages (the stage after the event).
	// 0 and none: every pipeline and stage.
	PipelineID int64
	StageIDs   []int64
	// Batch, for a crmd webhook, sends the events handed out together in
	// one POST (up to MaxBatchEvents, as {"events":[…]}), in order, one POST
	// at a time; off, each event is a POST of its own.
	Batch bool
	// Secret signs a crmd webhook's bodies (HMAC-SHA256). It has to be kept
	// as it is, not hashed, to sign with.
	Secret string
	Sort   int
	// DisabledAt and DisabledReason say when and why delivery stopped; a
	// disabled webhook gets no new deliveries until it is enabled again.
	DisabledAt     time.Time
	DisabledReason string
	// Failures counts failed attempts since the last success.
	Failures  int
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Disabled reports whether delivery to the webhook has stopped.
func (w Webhook) Disabled() bool { return !w.DisabledAt.IsZero() }

// Wants reports whether the webhook subscribes to the event name.
func (w Webhook) Wants(name string) bool { return slices.Contains(w.Events, name) }

// DeliveryState is where a delivery stands.
type DeliveryState string

// The delivery states.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
)

// Delivery is one body for one webhook, made of one or more events, and how
// sending it went. RecordKey orders the deliveries of one record to one
// webhook: a delivery goes only when those before it are done.
type Delivery struct {
	ID int64
	// UID names the delivery to its receiver (X-Crmd-Delivery): made when
	// the delivery is, before it has an ID, the same on every retry, new
	// for a replay.
	UID           string
	AccountID     int64
	WebhookID     int64
	RecordKey     string
	EventIDs      []int64
	EventTypes    []string
	ContentType   string
	Body          []byte
	State         DeliveryState
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	// ReplayOf is the delivery this one re-sends (0: none).
	ReplayOf   int64
	CreatedAt  time.Time
	FinishedAt time.Time
}

// DeliveryKey names the deliveries that go one after another: one
// webhook's, of one record.
type DeliveryKey struct {
	WebhookID int64
	RecordKey string
}

// DeliveryAttempt is one line of the delivery log.
type DeliveryAttempt struct {
	ID         int64
	DeliveryID int64
	WebhookID  int64
	At         time.Time
	// Status is the HTTP status; 0 when there was no answer (Error says
	// why).
	Status   int
	Latency  time.Duration
	Error    string
	Response string
}

// WebhookQuery selects an account's webhooks.
type WebhookQuery struct {
	Kind        WebhookKind // "": both
	Destination string      // "": any
	IDs         []int64
}

// DeliveryQuery selects one page of a webhook's deliveries, newest first.
type DeliveryQuery struct {
	WebhookID int64
	State     DeliveryState // "": any
	BeforeID  int64
	Limit     int
}

// WebhookStore keeps the account's webhooks and their deliveries.
type WebhookStore interface {
	// InsertWebhook stores w and sets its id, account and times.
	InsertWebhook(ctx context.Context, w *Webhook) error
	// UpdateWebhook writes w's destination, events, filters, sort and
	// disabled state. KindNotFound when it is not the account's.
	UpdateWebhook(ctx context.Context, w *Webhook) error
	// Webhooks lists the account's webhooks matching q, by sort then id.
	Webhooks(ctx context.Context, q WebhookQuery) ([]Webhook, error)
	// DeleteWebhook deletes a webhook with its deliveries and their log.
	// KindNotFound when it is not the account's.
	DeleteWebhook(ctx context.Context, id int64) error
	// Deliveries lists a webhook's deliveries matching q.
	Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, error)
	// DeliveryAttempts lists the attempts of deliveries, oldest first.
	DeliveryAttempts(ctx context.Context, deliveryIDs []int64) ([]DeliveryAttempt, error)
	// ReplayDelivery queues a copy of a delivery (same events, same body),
	// due now. KindNotFound when it is not the account's.
	ReplayDelivery(ctx context.Context, id int64) (Delivery, error)
}

// MaxBatchEvents is the most events one POST of a batching webhook holds.
const MaxBatchEvents = 100

// NewWebhook is a subscription to make.
type NewWebhook struct {
	Kind        WebhookKind
	Destination string
	Events      []string
	PipelineID  int64
	StageIDs    []int64
	Batch       bool
	Sort        int
}

// CheckWebhookDestination validates a destination URL: absolute http or
// https with a host, at most 2,000 characters. Which addresses it may
// reach is decided when sending, on the resolved address (internal/webhook).
func CheckWebhookDestination(dest string) error {
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || len(dest) > 2000 || u.User != nil {
		return Invalid(Violation{Path: "destination", Code: ViolationInvalid,
			Detail: "The destination must be an absolute http or https URL without credentials, at most 2000 characters."})
	}
	return nil
}

// CreateWebhook subscribes Destination to events. For the amoCRM kind a
// webhook with the same destination is updated instead (amoCRM's rule,
// companion §8.1); crmd webhooks get a new signing secret, returned once
// in the result. known says which event names the kind accepts (the
// dialect's vocabulary; crmd's own when nil).
// Errors: invalid, limit, forbidden.
func (s *Service) CreateWebhook(ctx context.Context, actor Actor, n NewWebhook, known func(string) bool) (Webhook, error) {
	if actor.Role != RoleAdmin {
		return Webhook{}, Errorf(KindForbidden, "Only administrators manage webhooks")
	}
	if err := CheckWebhookDestination(n.Destination); err != nil {
		return Webhook{}, err
	}
	if known == nil {
		known = func(name string) bool { return KnownEventType(EventType(name)) }
	}
	if len(n.Events) == 0 {
		return Webhook{}, Invalid(Violation{Path: "settings", Code: ViolationRequired, Detail: "At least one event must be given."})
	}
	events := make([]string, 0, len(n.Events))
	for i, e := range n.Events {
		e = strings.TrimSpace(e)
		if !known(e) {
			return Webhook{}, Invalid(Violation{Path: "settings." + itoa(i), Code: ViolationChoice, Detail: "Unknown event: " + e})
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	var out Webhook
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if n.PipelineID != 0 || len(n.StageIDs) > 0 {
			if err := checkWebhookFilter(ctx, tx, n.PipelineID, n.StageIDs); err != nil {
				return err
			}
		}
		all, err := tx.Webhooks(ctx, WebhookQuery{})
		if err != nil {
			return err
		}
		if n.Kind == WebhookAmoCRM {
			for _, w := range all {
				if w.Kind == WebhookAmoCRM && w.Destination == n.Destination {
					w.Events, w.Sort = events, n.Sort
					if err := tx.UpdateWebhook(ctx, &w); err != nil {
						return err
					}
					out = w
					return nil
				}
			}
		}
		if len(all) >= MaxWebhooks {
			return Errorf(KindLimit, "An account may have at most %d webhooks", MaxWebhooks)
		}
		w := Webhook{Kind: n.Kind, Destination: n.Destination, Events: events, PipelineID: n.PipelineID,
			StageIDs: n.StageIDs, Batch: n.Batch && n.Kind == WebhookCRMD, Sort: n.Sort, CreatedBy: actor.UserID}
		if n.Kind == WebhookCRMD {
			w.Secret = newWebhookSecret()
		}
		if err := tx.InsertWebhook(ctx, &w); err != nil {
			return err
		}
		out = w
		return nil
	})
	return out, err
}

// checkWebhookFilter checks that the pipeline exists and the stages are its.
func checkWebhookFilter(ctx context.Context, tx Tx, pipelineID int64, stageIDs []int64) error {
	if pipelineID == 0 {
		return Invalid(Violation{Path: "pipeline_id", Code: ViolationRequired, Detail: "Stages filter within a pipeline: give its id."})
	}
	p, err := tx.Pipeline(ctx, pipelineID)
	if KindOf(err) == KindNotFound {
		return Invalid(Violation{Path: "pipeline_id", Code: ViolationChoice, Detail: "Pipeline " + itoa(int(pipelineID)) + " not found."})
	}
	if err != nil {
		return err
	}
	for _, id := range stageIDs {
		if !slices.ContainsFunc(p.Stages, func(st Stage) bool { return st.ID == id }) {
			return Invalid(Violation{Path: "stage_ids", Code: ViolationChoice, Detail: "Stage " + itoa(int(id)) + " is not in pipeline " + itoa(int(pipelineID)) + "."})
		}
	}
	return nil
}

// NewDeliveryUID makes a delivery's UID: 16 random bytes in hex.
func NewDeliveryUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)
}

func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return "whsec_" + hex.EncodeToString(b)
}

// Webhooks lists the account's webhooks matching q.
// Errors: forbidden.
func (s *Service) Webhooks(ctx context.Context, actor Actor, q WebhookQuery) ([]Webhook, error) {
	if actor.Role != RoleAdmin {
		return nil, Errorf(KindForbidden, "Only administrators manage webhooks")
	}
	var out []Webhook
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.Webhooks(ctx, q)
		return err
	})
	return out, err
}

// DeleteWebhook deletes a webhook and its delivery log.
// Errors: forbidden, not found.
func (s *Service) DeleteWebhook(ctx context.Context, actor Actor, id int64) error {
	if actor.Role != RoleAdmin {
		return Errorf(KindForbidden, "Only administrators manage webhooks")
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error { return tx.DeleteWebhook(ctx, id) })
}

// EnableWebhook lets delivery to a disabled webhook start again; the
// deliveries it missed while disabled are not made.
// Errors: forbidden, not found.
func (s *Service) EnableWebhook(ctx context.Context, actor Actor, id int64) (Webhook, error) {
	if actor.Role != RoleAdmin {
		return Webhook{}, Errorf(KindForbidden, "Only administrators manage webhooks")
	}
	var out Webhook
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		list, err := tx.Webhooks(ctx, WebhookQuery{IDs: []int64{id}})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return Errorf(KindNotFound, "Webhook %d not found", id)
		}
		out = list[0]
		out.DisabledAt, out.DisabledReason, out.Failures = time.Time{}, "", 0
		return tx.UpdateWebhook(ctx, &out)
	})
	return out, err
}

// DeliveryLog is a page of a webhook's deliveries with their attempts.
type DeliveryLog struct {
	Deliveries []Delivery
	Attempts   map[int64][]DeliveryAttempt // by delivery id
}

// WebhookDeliveries reads a page of a webhook's delivery log.
// Errors: forbidden, not found.
func (s *Service) WebhookDeliveries(ctx context.Context, actor Actor, q DeliveryQuery) (DeliveryLog, error) {
	if actor.Role != RoleAdmin {
		return DeliveryLog{}, Errorf(KindForbidden, "Only administrators manage webhooks")
	}
	if q.Limit <= 0 || q.Limit > MaxPageLimit {
		q.Limit = DefaultPageLimit
	}
	out := DeliveryLog{Attempts: map[int64][]DeliveryAttempt{}}
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		hooks, err := tx.Webhooks(ctx, WebhookQuery{IDs: []int64{q.WebhookID}})
		if err != nil {
			return err
		}
		if len(hooks) == 0 {
			return Errorf(KindNotFound, "Webhook %d not found", q.WebhookID)
		}
		if out.Deliveries, err = tx.Deliveries(ctx, q); err != nil {
			return err
		}
		ids := make([]int64, len(out.Deliveries))
		for i, d := range out.Deliveries {
			ids[i] = d.ID
		}
		attempts, err := tx.DeliveryAttempts(ctx, ids)
		for _, a := range attempts {
			out.Attempts[a.DeliveryID] = append(out.Attempts[a.DeliveryID], a)
		}
		return err
	})
	return out, err
}

// ReplayDelivery sends a delivery again: a new delivery with the same events
// and body, due now, behind any still pending for the same record.
// Errors: forbidden, not found.
func (s *Service) ReplayDelivery(ctx context.Context, actor Actor, id int64) (Delivery, error) {
	if actor.Role != RoleAdmin {
		return Delivery{}, Errorf(KindForbidden, "Only administrators manage webhooks")
	}
	var out Delivery
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.ReplayDelivery(ctx, id)
		return err
	})
	return out, err
}

// OutboxCursor is a position in the history's commit order: an entry's
// id and, on PostgreSQL, its transaction id (migration 0022 says why). The
// outbox keeps how far the history has been handed out to deliveries as
// one; event streams (EventStore) keep theirs.
type OutboxCursor struct {
	Tx    uint64
	LogID int64
}

// Before reports whether c comes before d in commit order.
func (c OutboxCursor) Before(d OutboxCursor) bool {
	return c.Tx < d.Tx || c.Tx == d.Tx && c.LogID < d.LogID
}

// SettledEntry is a settled history entry and its position.
type SettledEntry struct {
	Entry LogEntry
	At    OutboxCursor
}

// OutboxBatch is settled history entries after a cursor, in commit order,
// and the cursor after them.
type OutboxBatch struct {
	From, To OutboxCursor
	Entries  []LogEntry
}

// ErrOutboxMoved is the store's answer when another process handed a batch
// out first: the caller drops what it made of it and reads again.
var ErrOutboxMoved = errors.New("the outbox cursor moved")

// DeliveryOutcome is how one attempt at a claimed delivery went and what
// follows: a retry at NextAttemptAt (State pending), or State delivered or
// failed.
type DeliveryOutcome struct {
	Delivery      Delivery
	Attempt       DeliveryAttempt
	State         DeliveryState
	NextAttemptAt time.Time
	// Success resets the webhook's failure count; otherwise it grows.
	Success bool
}

// DisableRule decides, after a failed attempt, whether a webhook is to be
// disabled: w carries its failure count including this attempt, last the
// attempt, and failedSince counts its failed attempts since a time. It
// returns the reason to show ("" keeps the webhook on).
type DisableRule func(w Webhook, last DeliveryAttempt, failedSince func(time.Time) (int, error)) (string, error)
