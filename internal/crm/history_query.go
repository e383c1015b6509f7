package crm

import (
	"context"
)

// Reading the one history account-wide (amoCRM's /api/v4/events): entries
// of every entity, newest first, selected by the columns the store can
// filter on. What an entry means in a dialect (amoCRM's event types and
// value_before/value_after) is the dialect's rendering.

// HistoryQuery selects entries of an account's history. Empty fields do not
// filter, except EntityTypes: the history of inbound requests is Envybox's
// own and is read only when EntityInbound is named.
type HistoryQuery struct {
	IDs         []int64
	EntityTypes []EntityType // none: deals, contacts, companies, customers, tasks
	EntityIDs   []int64
	TypeIDs     []int64
	// Authors selects entries by author: the employee, else the user.
	Authors []int64
	// CreatedAt bounds created_at (Unix seconds, inclusive).
	CreatedAt Range
	// BeforeID, when not 0, selects entries older than that id (the next
	// chunk of a newest-first read).
	BeforeID int64
	Limit    int // 0: DefaultPageLimit
}

// HistoryEntities are the entity types whose history amoCRM's events show.
var HistoryEntities = []EntityType{EntityDeal, EntityContact, EntityCompany, EntityCustomer, EntityTask}

// HistoryStore reads the account-wide history and edits notes.
type HistoryStore interface {
	// History returns the entries q selects, newest first (by id).
	History(ctx context.Context, q HistoryQuery) ([]LogEntry, error)
	// LogEntry returns one entry. KindNotFound when there is none.
	LogEntry(ctx context.Context, id int64) (LogEntry, error)
	// Notes returns the note entries q selects and their number regardless
	// of Limit and Offset.
	Notes(ctx context.Context, q NoteQuery) ([]LogEntry, int, error)
	// UpdateLogData stores an entry's new data and sets its updated_at to
	// now and its updated_by. KindNotFound when there is no such entry.
	UpdateLogData(ctx context.Context, e *LogEntry) error
}

// EventStore reads the account's history in commit order, as the outbox
// does (event.go): the order a reader that streams events from it must
// follow, since ids are not in commit order on PostgreSQL.
type EventStore interface {
	// EventsAfter returns up to limit of the account's settled entries
	// (those no entry can commit before any more) after a position, in
	// commit order, of the given types (none: every type), each with its
	// position, and the position to read on from: the last entry's, or,
	// when fewer than limit were found, the horizon they were read
	// below, so that the next read does not walk the other accounts'
	// entries again.
	EventsAfter(ctx context.Context, after OutboxCursor, typeIDs []int, limit int) ([]SettledEntry, OutboxCursor, error)
	// EventsNow is the account's position now: every entry of the
	// account committed so far is at or before it, every one to come
	// after it. A stream that starts there sends what is written from
	// now on.
	EventsNow(ctx context.Context) (OutboxCursor, error)
	// EventPosition is the position of one of the account's entries; ok
	// is false when it has none (written before migration 0022 on
	// PostgreSQL). KindNotFound when there is no such entry.
	EventPosition(ctx context.Context, id int64) (pos OutboxCursor, ok bool, err error)
}

// History returns the entries q selects, newest first.
func (s *Service) History(ctx context.Context, actor Actor, q HistoryQuery) ([]LogEntry, error) {
	if len(q.EntityTypes) == 0 {
		q.EntityTypes = HistoryEntities
	}
	var out []LogEntry
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		var err error
		out, err = tx.History(ctx, q)
		return err
	})
	return out, err
}

// HistoryEntry returns one entry of the history of deals, contacts,
// companies, customers and tasks. Errors: not found.
func (s *Service) HistoryEntry(ctx context.Context, actor Actor, id int64) (LogEntry, error) {
	var out LogEntry
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		var err error
		out, err = tx.LogEntry(ctx, id)
		if err != nil {
			return err
		}
		for _, e := range HistoryEntities {
			if out.EntityType == e {
				return nil
			}
		}
		return Errorf(KindNotFound, "No event has this id.")
	})
	return out, err
}

// Author is who wrote an entry as amoCRM names users: the employee, else
// the user (0: the API or a robot).
func (e LogEntry) Author() int64 {
	if e.EmployeeID != 0 {
		return e.EmployeeID
	}
	return e.UserID
}
