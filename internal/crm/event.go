package crm

import (
	"context"
	"slices"
	"time"
)

// Domain events. crmd keeps no event table: the one history (history.go) is
// the outbox. Every entry is written in the transaction of the change it
// describes, so a rolled-back write leaves no event, and EventsOf reads the
// events an entry stands for. Webhook delivery (internal/webhook) walks the
// history in commit order and hands each destination the events it wants.
//
// An entry's Batch groups the entries one write call made (one API request,
// one screen action): amoCRM sends those in one POST.

// EventType names a domain event, "<subject>.<what happened>". The names are
// crmd's own webhooks' vocabulary (docs/webhooks.md); amoCRM's webhooks map
// their own names (add_lead, status_lead, …) onto them.
type EventType string

// The event catalogue.
const (
	EventLeadAdded              EventType = "lead.added"
	EventLeadUpdated            EventType = "lead.updated"
	EventLeadStageChanged       EventType = "lead.stage_changed"
	EventLeadResponsibleChanged EventType = "lead.responsible_changed"
	EventLeadDeleted            EventType = "lead.deleted"
	EventLeadRestored           EventType = "lead.restored"
	EventContactAdded           EventType = "contact.added"
	EventContactUpdated         EventType = "contact.updated"
	EventCompanyAdded           EventType = "company.added"
	EventCompanyUpdated         EventType = "company.updated"
	EventCustomerAdded          EventType = "customer.added"
	EventCustomerUpdated        EventType = "customer.updated"
	EventCustomerDeleted        EventType = "customer.deleted"
	EventTaskAdded              EventType = "task.added"
	EventTaskUpdated            EventType = "task.updated"
	EventTaskCompleted          EventType = "task.completed"
	EventNoteAdded              EventType = "note.added"
	EventUnsortedAdded          EventType = "unsorted.added"
	EventUnsortedAccepted       EventType = "unsorted.accepted"
	EventUnsortedDeclined       EventType = "unsorted.declined"
)

// EventTypes lists the catalogue, in the order docs/webhooks.md shows it.
// lead.deleted and lead.restored are in the vocabulary (amoCRM's
// delete_lead/restore_lead subscribe to them) but no crmd write emits them
// yet: neither API deletes leads.
func EventTypes() []EventType {
	return []EventType{EventLeadAdded, EventLeadUpdated, EventLeadStageChanged, EventLeadResponsibleChanged,
		EventLeadDeleted, EventLeadRestored, EventContactAdded, EventContactUpdated, EventCompanyAdded,
		EventCompanyUpdated, EventCustomerAdded, EventCustomerUpdated, EventCustomerDeleted, EventTaskAdded,
		EventTaskUpdated, EventTaskCompleted, EventNoteAdded, EventUnsortedAdded, EventUnsortedAccepted,
		EventUnsortedDeclined}
}

// KnownEventType reports whether t is in the catalogue.
func KnownEventType(t EventType) bool { return slices.Contains(EventTypes(), t) }

// Customer change entries (4000+n, as a deal's 2000+n): customers' writes
// record them so that their webhooks have a source.
const (
	LogCustomerCreated = 4001
	LogCustomerUpdated = 4017
	LogCustomerDeleted = 4023
)

// Event is one domain event: what happened (Type), to which record
// (Entity, EntityID), by whom (UserID; 0: the API or a robot), when, and
// the history entry it was read from (Entry: its Data carries the changed
// fields' old and new values).
type Event struct {
	// ID is the history entry's id: unique, and what crmd's webhooks send
	// as the event id receivers de-duplicate by.
	ID        int64
	AccountID int64
	Type      EventType
	Entity    EntityType
	EntityID  int64
	UserID    int64
	At        time.Time
	// Batch is the id of the first entry its write call made; the events
	// of one batch came from one request.
	Batch int64
	Entry LogEntry
}

// EventsOf returns the events a history entry stands for: none for entries
// that describe no change to a record (copies, Envybox's service entries).
func EventsOf(e LogEntry) []Event {
	t := eventTypeOf(e.EntityType, e.TypeID)
	if t == "" {
		return nil
	}
	user := e.UserID
	if e.EmployeeID != 0 {
		user = e.EmployeeID
	}
	batch := e.Batch
	if batch == 0 {
		batch = e.ID
	}
	return []Event{{ID: e.ID, AccountID: e.AccountID, Type: t, Entity: e.EntityType, EntityID: e.EntityID,
		UserID: user, At: e.CreatedAt, Batch: batch, Entry: e}}
}

// eventTypeOf maps an entry's type to its event. Links, unlinks and tag
// changes are updates of the record; calls and comments are notes.
func eventTypeOf(entity EntityType, typeID int) EventType {
	switch typeID {
	case LogInboundCreated:
		return EventUnsortedAdded
	case LogInboundAcceptedTo:
		return EventUnsortedAccepted
	case LogInboundDeclined:
		return EventUnsortedDeclined
	case LogDealCreated:
		return EventLeadAdded
	case LogDealStage:
		return EventLeadStageChanged
	case LogDealResponsible:
		return EventLeadResponsibleChanged
	case LogDealUpdated, LogDealLinked, LogDealUnlinked, LogDealTagsAdded, LogDealTagsDeleted, LogDealLeadLinked:
		return EventLeadUpdated
	case LogContactCreated:
		return EventContactAdded
	case LogContactUpdated, LogContactLinked, LogContactUnlinked, LogContactTagsAdded, LogContactTagsDeleted:
		return EventContactUpdated
	case LogCompanyCreated:
		return EventCompanyAdded
	case LogCompanyUpdated, LogCompanyLinked, LogCompanyUnlinked, LogCompanyTagsAdded, LogCompanyTagsDeleted:
		return EventCompanyUpdated
	case LogCustomerCreated:
		return EventCustomerAdded
	case LogCustomerUpdated:
		return EventCustomerUpdated
	case LogCustomerDeleted:
		return EventCustomerDeleted
	case LogTaskCreated:
		return EventTaskAdded
	case LogTaskUpdated, LogTaskResultAdded:
		return EventTaskUpdated
	case LogTaskCompleted:
		return EventTaskCompleted
	case LogDealCall, LogDealComment, LogContactCall, LogContactComment, LogCompanyCall, LogCompanyComment,
		LogCustomerCall, LogCustomerComment, LogInboundCall, LogInboundComment:
		return EventNoteAdded
	}
	return ""
}

// InboundAdded is a request's intake (its unsorted.added event): the
// request and the event's position in commit order.
type InboundAdded struct {
	InboundID int64
	At        OutboxCursor
}

// InboundsAdded returns the requests taken in after a position, in commit
// order, at most limit of them, and the position to read on from (which
// may be past the last of them: see EventStore.EventsAfter). It is what a
// live list of new requests follows: the events of every process writing
// to the database, each once, none overtaken by a later one.
func (s *Service) InboundsAdded(ctx context.Context, actor Actor, after OutboxCursor, limit int) ([]InboundAdded, OutboxCursor, error) {
	var out []InboundAdded
	to := after
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		entries, next, err := tx.EventsAfter(ctx, after, []int{LogInboundCreated}, limit)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Entry.EntityType == EntityInbound {
				out = append(out, InboundAdded{InboundID: e.Entry.EntityID, At: e.At})
			}
		}
		to = next
		return nil
	})
	return out, to, err
}

// EventsNow is the account's position in commit order now: a stream that
// starts there sends what is written from now on.
func (s *Service) EventsNow(ctx context.Context, actor Actor) (OutboxCursor, error) {
	var out OutboxCursor
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.EventsNow(ctx)
		return err
	})
	return out, err
}

// BeforeInboundAdded is the position just before request id's intake, no
// later than now: a stream that starts there sends that request and what
// came after it. ok is false when the intake has no position (a request
// taken in before crmd kept positions, or no such request).
func (s *Service) BeforeInboundAdded(ctx context.Context, actor Actor, id int64) (pos OutboxCursor, ok bool, err error) {
	err = s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		list, _, err := tx.Logs(ctx, LogQuery{EntityType: EntityInbound, EntityID: id, TypeIDs: []int{LogInboundCreated}, Limit: 1})
		if err != nil || len(list) == 0 {
			return err
		}
		if pos, ok, err = tx.EventPosition(ctx, list[0].ID); err != nil || !ok {
			return err
		}
		pos.LogID--
		now, err := tx.EventsNow(ctx)
		if err != nil {
			return err
		}
		if now.Before(pos) {
			pos = now
		}
		return nil
	})
	return pos, ok, err
}
