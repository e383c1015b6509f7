package crm

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Notes (amoCRM core §6) are the call and comment entries of the one
// history: a deal's 2009/2010 (Envybox's call and comment logs, which
// log/list shows), and the same entries of contacts (1009/1010), companies
// (3009/3010) and customers (4009/4010). A comment entry may carry a
// service message's "note_type" and "service"; a call entry carries
// Envybox's call data plus amoCRM's call parameters. Nothing else is a
// note: the other entries are events only.

// NoteKind is a note's type, in amoCRM's names. crmd stores these five;
// the other types of core §6.1 (sms, geolocation, attachments, cashier
// messages) have no record here and are refused.
type NoteKind string

// The note kinds crmd stores.
const (
	NoteCommon          NoteKind = "common"
	NoteCallIn          NoteKind = "call_in"
	NoteCallOut         NoteKind = "call_out"
	NoteService         NoteKind = "service_message"
	NoteExtendedService NoteKind = "extended_service_message"
)

// NoteKinds are the kinds crmd stores, in the order of core §6.1.
var NoteKinds = []NoteKind{NoteCommon, NoteCallIn, NoteCallOut, NoteService, NoteExtendedService}

// noteTypes are the entity types with notes and their call and comment
// entry types.
var noteTypes = map[EntityType]struct{ call, comment int }{
	EntityDeal:     {LogDealCall, LogDealComment},
	EntityContact:  {LogContactCall, LogContactComment},
	EntityCompany:  {LogCompanyCall, LogCompanyComment},
	EntityCustomer: {LogCustomerCall, LogCustomerComment},
}

// IsNoteEntity reports whether an entity type has notes.
func IsNoteEntity(e EntityType) bool { _, ok := noteTypes[e]; return ok }

// Note is a call or comment entry read as an amoCRM note.
type Note struct {
	LogEntry
	Kind NoteKind
	// Text is a comment's or service message's text.
	Text    string
	Service string // service messages
	Call    CallNote
	// CreatedBy is who wrote the note; the entry's author is its
	// responsible user.
	CreatedBy int64
}

// CallNote is a call note's parameters (core §6.1).
type CallNote struct {
	Uniq     string
	Duration int64 // seconds
	Source   string
	Link     string
	Phone    string
	// Status is amoCRM's call_status (1–8; 0: none).
	Status int
	Result string
	// Responsible is call_responsible as sent: a user id or a name (nil:
	// none).
	Responsible any
}

// NoteInput is one note of an amoCRM batch write.
type NoteInput struct {
	// ID is the note to change (updates only).
	ID       int64
	EntityID int64
	// Kind is the note type; on update "" keeps it (it cannot change).
	Kind NoteKind
	// Params are the type's parameters; on update they replace the note's.
	// ParamsGiven says whether params was sent.
	Text, Service     string
	Call              CallNote
	ParamsGiven       bool
	ResponsibleUserID *int64
	CreatedBy         *int64
}

// NoteQuery selects notes of one entity type.
type NoteQuery struct {
	EntityType EntityType
	EntityIDs  []int64
	IDs        []int64
	Kinds      []NoteKind
	UpdatedAt  Range
	// TypeIDs are the entry types Kinds come to (the service fills them).
	TypeIDs []int64
	// OrderBy is "id" or "updated_at" ("": id); Desc reverses it.
	OrderBy string
	Desc    bool
	Limit   int // 0: every note
	Offset  int
}

// Limits on notes' texts, as on Envybox's call and comment entries.
const (
	maxNoteText = maxLogComment
	maxNoteWord = MaxShortText
)

// callStatusToEnvybox maps amoCRM's call_status to Envybox's call status,
// by meaning: 1 voicemail → 0 none, 2 call back later and 4 conversation
// → 1 answered, 3 not available → 5 unreachable, 5 wrong number → 6
// error, 6 no answer → 3, 7 busy → 2, 8 undefined → 0.
var callStatusToEnvybox = map[int]int{1: 0, 2: 1, 3: 5, 4: 1, 5: 6, 6: 3, 7: 2, 8: 0}

// callStatusFromEnvybox is the reverse, for calls Envybox added: 1
// answered → 4 conversation, 2 busy → 7, 3 no answer and 4 dropped and 7
// missed → 6 no answer, 5 unreachable → 3, 6 error → 8 undefined; 0 (no
// status) is no call_status.
var callStatusFromEnvybox = map[int]int{1: 4, 2: 7, 3: 6, 4: 6, 5: 3, 6: 8, 7: 6}

// NoteOf reads a history entry as a note; false when it is none.
func NoteOf(e LogEntry) (Note, bool) {
	kinds, ok := noteTypes[e.EntityType]
	if !ok || (e.TypeID != kinds.call && e.TypeID != kinds.comment) {
		return Note{}, false
	}
	var d struct {
		Comment         string          `json:"comment"`
		NoteType        string          `json:"note_type"`
		Service         string          `json:"service"`
		Direction       int             `json:"direction"`
		Status          int             `json:"status"`
		From            string          `json:"from"`
		To              string          `json:"to"`
		RecordLink      string          `json:"record_link"`
		DurationBill    int64           `json:"duration_bill"`
		InboxName       string          `json:"inbox_name"`
		Uniq            string          `json:"uniq"`
		Source          *string         `json:"source"`
		CallStatus      int             `json:"call_status"`
		CallResult      *string         `json:"call_result"`
		CallResponsible json.RawMessage `json:"call_responsible"`
		CreatedBy       *int64          `json:"created_by"`
	}
	_ = json.Unmarshal(e.Data, &d) // an unreadable entry is an empty note
	n := Note{LogEntry: e, CreatedBy: e.Author()}
	if d.CreatedBy != nil {
		n.CreatedBy = *d.CreatedBy
	}
	if e.TypeID == kinds.comment {
		n.Kind, n.Text = NoteCommon, d.Comment
		if k := NoteKind(d.NoteType); k == NoteService || k == NoteExtendedService {
			n.Kind, n.Service = k, d.Service
		}
		return n, true
	}
	n.Kind, n.Call.Phone = NoteCallIn, d.From
	if d.Direction != 1 {
		n.Kind, n.Call.Phone = NoteCallOut, d.To
	}
	n.Call.Uniq, n.Call.Duration, n.Call.Link = d.Uniq, d.DurationBill, d.RecordLink
	n.Call.Source = d.InboxName
	if d.Source != nil {
		n.Call.Source = *d.Source
	}
	n.Call.Status = d.CallStatus
	if n.Call.Status == 0 {
		n.Call.Status = callStatusFromEnvybox[d.Status]
	}
	n.Call.Result = d.Comment
	if d.CallResult != nil {
		n.Call.Result = *d.CallResult
	}
	if len(d.CallResponsible) > 0 {
		_ = json.Unmarshal(d.CallResponsible, &n.Call.Responsible)
	}
	return n, true
}

// noteData is the entry data of a note: Envybox's call or comment data
// with amoCRM's parameters beside it.
func noteData(n NoteInput, createdBy int64, author int64) map[string]any {
	data := map[string]any{}
	switch n.Kind {
	case NoteCommon:
		data["comment"] = n.Text
	case NoteService, NoteExtendedService:
		data["comment"], data["note_type"], data["service"] = n.Text, string(n.Kind), n.Service
	default:
		c := n.Call
		data["direction"], data["from"], data["to"] = 1, c.Phone, ""
		if n.Kind == NoteCallOut {
			data["direction"], data["from"], data["to"] = 2, "", c.Phone
		}
		data["status"] = callStatusToEnvybox[c.Status]
		data["duration_bill"], data["uniq"], data["source"] = c.Duration, c.Uniq, c.Source
		if c.Link != "" {
			data["record_link"] = c.Link
		}
		if c.Status != 0 {
			data["call_status"] = c.Status
		}
		if c.Result != "" {
			data["comment"], data["call_result"] = c.Result, c.Result
		}
		if c.Responsible != nil {
			data["call_responsible"] = c.Responsible
		}
	}
	if createdBy != author {
		data["created_by"] = createdBy
	}
	return data
}

// checkNote validates item i's kind and parameters.
func checkNote(v *violations, i int, n NoteInput) {
	switch n.Kind {
	case NoteCommon, NoteService, NoteExtendedService:
		if strings.TrimSpace(n.Text) == "" {
			v.add(i, "params.text", ViolationRequired, "This field is missing.")
		} else {
			v.checkText(i, "params.text", n.Text, maxNoteText)
		}
		if n.Kind != NoteCommon {
			if strings.TrimSpace(n.Service) == "" {
				v.add(i, "params.service", ViolationRequired, "This field is missing.")
			} else {
				v.checkText(i, "params.service", n.Service, maxNoteWord)
			}
		}
	case NoteCallIn, NoteCallOut:
		c := n.Call
		if strings.TrimSpace(c.Phone) == "" {
			v.add(i, "params.phone", ViolationRequired, "This field is missing.")
		} else {
			v.checkText(i, "params.phone", c.Phone, maxLogPhone)
		}
		if c.Duration < 0 {
			v.add(i, "params.duration", ViolationRange, "This value should be 0 or more.")
		}
		v.checkText(i, "params.uniq", c.Uniq, maxNoteWord)
		v.checkText(i, "params.source", c.Source, maxNoteWord)
		v.checkText(i, "params.call_result", c.Result, maxNoteText)
		if c.Link != "" {
			u, err := url.Parse(c.Link)
			switch {
			case utf8.RuneCountInString(c.Link) > maxLogLink:
				v.add(i, "params.link", ViolationTooLong, "This value is too long.")
			case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
				v.add(i, "params.link", ViolationInvalid, "This value is not a valid URL.")
			}
		}
		if _, ok := callStatusToEnvybox[c.Status]; c.Status != 0 && !ok {
			v.add(i, "params.call_status", ViolationChoice, "call_status: 1 to 8.")
		}
		if s, ok := c.Responsible.(string); ok {
			v.checkText(i, "params.call_responsible", s, MaxNameLength)
		}
	case "":
		v.add(i, "note_type", ViolationRequired, "This field is missing.")
	default:
		v.add(i, "note_type", ViolationChoice, "crmd stores notes of types common, call_in, call_out, service_message and extended_service_message.")
	}
}

// noteAuthor resolves a note's responsible user into the entry's author:
// an administrator is its user, a member its employee (under the
// account's first administrator).
func noteAuthor(tc *taskContext, v *violations, i int, path string, id int64) Responsible {
	u, ok := tc.users[id]
	switch {
	case !ok:
		v.add(i, path, ViolationChoice, path+" is not a user of this account.")
		return Responsible{}
	case u.Role == RoleAdmin:
		return Responsible{UserID: id}
	}
	return Responsible{UserID: tc.firstAdmin, EmployeeID: id}
}

// noteSubject checks that the entity a note is on exists; a missing one is
// a violation of item i's entity_id.
func noteSubject(ctx context.Context, tx Tx, v *violations, i int, entity EntityType, id int64) error {
	if id <= 0 {
		v.add(i, "entity_id", ViolationRequired, "This field is missing.")
		return nil
	}
	var err error
	switch entity {
	case EntityDeal:
		_, err = tx.Deal(ctx, id)
	case EntityContact:
		_, err = tx.Contact(ctx, id)
	case EntityCompany:
		_, err = tx.Company(ctx, id)
	case EntityCustomer:
		_, err = tx.Customer(ctx, id)
	}
	if KindOf(err) == KindNotFound {
		v.add(i, "entity_id", ViolationChoice, "No "+string(entity)+" entity has this id.")
		return nil
	}
	return err
}

// AddNotes adds notes to entities of one type, all or none. Each needs an
// existing entity, a kind crmd stores and its parameters; the responsible
// user defaults to created_by, which defaults to the caller.
// Errors: invalid (violations per item; an entity type without notes).
func (s *Service) AddNotes(ctx context.Context, actor Actor, entity EntityType, in []NoteInput) ([]Note, error) {
	kinds, ok := noteTypes[entity]
	if !ok {
		return nil, Errorf(KindNotFound, "Notes are kept for leads, contacts, companies and customers.")
	}
	out := make([]Note, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		tc, err := newTaskContext(ctx, tx)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one note must be given.")
		}
		entries := make([]LogEntry, len(in))
		for i, n := range in {
			if err := noteSubject(ctx, tx, &v, i, entity, n.EntityID); err != nil {
				return err
			}
			checkNote(&v, i, n)
			createdBy := actor.UserID
			if n.CreatedBy != nil && *n.CreatedBy != 0 {
				createdBy = *n.CreatedBy
				noteAuthor(tc, &v, i, "created_by", createdBy)
			}
			responsible := createdBy
			if n.ResponsibleUserID != nil {
				responsible = *n.ResponsibleUserID
			}
			by := noteAuthor(tc, &v, i, "responsible_user_id", responsible)
			typeID := kinds.comment
			if n.Kind == NoteCallIn || n.Kind == NoteCallOut {
				typeID = kinds.call
			}
			raw, err := json.Marshal(noteData(n, createdBy, responsible))
			if err != nil {
				return err
			}
			entries[i] = LogEntry{EntityType: entity, EntityID: n.EntityID, TypeID: typeID, Data: raw, UserID: by.UserID, EmployeeID: by.EmployeeID}
		}
		if err := v.err(); err != nil {
			return err
		}
		for i := range entries {
			if err := tx.InsertLog(ctx, &entries[i]); err != nil {
				return err
			}
			out[i], _ = NoteOf(entries[i])
		}
		return nil
	})
	return out, err
}

// UpdateNotes changes notes of one entity type, all or none: params
// replace a note's parameters; its kind cannot change. entityID, when not
// 0, is the entity the notes must be on (the path's).
// Errors: invalid (violations per item: a missing or unknown id among
// them), not found (an entity type without notes).
func (s *Service) UpdateNotes(ctx context.Context, actor Actor, entity EntityType, entityID int64, in []NoteInput) ([]Note, error) {
	if !IsNoteEntity(entity) {
		return nil, Errorf(KindNotFound, "Notes are kept for leads, contacts, companies and customers.")
	}
	out := make([]Note, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		tc, err := newTaskContext(ctx, tx)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one note must be given.")
		}
		entries := make([]LogEntry, len(in))
		changed := make([]bool, len(in))
		seen := map[int64]bool{}
		for i, n := range in {
			if n.ID == 0 {
				v.add(i, "id", ViolationRequired, "This field is missing.")
				continue
			}
			if seen[n.ID] {
				v.add(i, "id", ViolationInvalid, "The note is given twice in one request.")
				continue
			}
			seen[n.ID] = true
			old, err := loadNote(ctx, tx, entity, entityID, n.ID)
			if KindOf(err) == KindNotFound {
				v.add(i, "id", ViolationChoice, "No note of this entity type has this id.")
				continue
			}
			if err != nil {
				return err
			}
			if n.EntityID != 0 && n.EntityID != old.EntityID {
				v.add(i, "entity_id", ViolationInvalid, "A note cannot move to another entity.")
			}
			if n.Kind != "" && n.Kind != old.Kind {
				v.add(i, "note_type", ViolationInvalid, "A note's type cannot change.")
			}
			n.Kind = old.Kind
			e := old.LogEntry
			if n.ResponsibleUserID != nil {
				by := noteAuthor(tc, &v, i, "responsible_user_id", *n.ResponsibleUserID)
				e.UserID, e.EmployeeID = by.UserID, by.EmployeeID
			}
			if !n.ParamsGiven {
				n.Text, n.Service, n.Call = old.Text, old.Service, old.Call
			}
			checkNote(&v, i, n)
			raw, err := json.Marshal(mergeNoteData(old.Data, noteData(n, old.CreatedBy, e.Author())))
			if err != nil {
				return err
			}
			e.Data, e.UpdatedBy = raw, actor.UserID
			entries[i], changed[i] = e, true
		}
		if err := v.err(); err != nil {
			return err
		}
		for i := range entries {
			if !changed[i] {
				continue
			}
			if err := tx.UpdateLogData(ctx, &entries[i]); err != nil {
				return err
			}
			out[i], _ = NoteOf(entries[i])
		}
		return nil
	})
	return out, err
}

// mergeNoteData keeps what Envybox wrote beside the note's parameters
// (inbox_name) when amoCRM replaces them.
func mergeNoteData(old []byte, data map[string]any) map[string]any {
	var prev map[string]any
	if json.Unmarshal(old, &prev) == nil {
		if name, ok := prev["inbox_name"]; ok {
			data["inbox_name"] = name
		}
	}
	return data
}

// loadNote reads a note of an entity type (and of entityID when not 0).
// KindNotFound when there is none.
func loadNote(ctx context.Context, tx Tx, entity EntityType, entityID, id int64) (Note, error) {
	e, err := tx.LogEntry(ctx, id)
	if err != nil {
		return Note{}, err
	}
	n, ok := NoteOf(e)
	if !ok || e.EntityType != entity || (entityID != 0 && e.EntityID != entityID) {
		return Note{}, Errorf(KindNotFound, "No note has this id.")
	}
	return n, nil
}

// Note returns one note of an entity type (and of entityID when not 0).
// Errors: not found.
func (s *Service) Note(ctx context.Context, actor Actor, entity EntityType, entityID, id int64) (Note, error) {
	var out Note
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		var err error
		out, err = loadNote(ctx, tx, entity, entityID, id)
		return err
	})
	return out, err
}

// Notes returns one page of the notes q selects and their number. Kinds
// that share an entry type (call_in and call_out; common and the service
// messages) are told apart by reading the entries, so such a query pages
// after reading every entry of the type.
// Errors: not found (an entity type without notes).
func (s *Service) Notes(ctx context.Context, actor Actor, q NoteQuery) ([]Note, int, error) {
	kinds, ok := noteTypes[q.EntityType]
	if !ok {
		return nil, 0, Errorf(KindNotFound, "Notes are kept for leads, contacts, companies and customers.")
	}
	want := map[NoteKind]bool{}
	types := map[int64]bool{}
	for _, k := range q.Kinds {
		want[k] = true
		switch k {
		case NoteCallIn, NoteCallOut:
			types[int64(kinds.call)] = true
		default:
			types[int64(kinds.comment)] = true
		}
	}
	if len(q.Kinds) == 0 {
		types[int64(kinds.call)], types[int64(kinds.comment)] = true, true
	}
	q.TypeIDs = nil
	for id := range types {
		q.TypeIDs = append(q.TypeIDs, id)
	}
	// The kinds asked for cover whole entry types unless one of a pair is
	// missing.
	exact := len(q.Kinds) == 0 ||
		((!types[int64(kinds.call)] || (want[NoteCallIn] && want[NoteCallOut])) &&
			(!types[int64(kinds.comment)] || (want[NoteCommon] && want[NoteService] && want[NoteExtendedService])))
	var out []Note
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		page := q
		if !exact {
			page.Limit, page.Offset = 0, 0
		}
		entries, n, err := tx.Notes(ctx, page)
		if err != nil {
			return err
		}
		total = n
		out = make([]Note, 0, len(entries))
		for _, e := range entries {
			if note, ok := NoteOf(e); ok && (exact || want[note.Kind]) {
				out = append(out, note)
			}
		}
		if !exact {
			total = len(out)
			out = out[min(q.Offset, len(out)):]
			if q.Limit > 0 && len(out) > q.Limit {
				out = out[:q.Limit]
			}
		}
		return nil
	})
	return out, total, err
}

// UpdatedAtOrCreated is when an entry last changed: its edit, else its
// creation.
func (e LogEntry) UpdatedAtOrCreated() time.Time {
	if e.UpdatedAt.IsZero() {
		return e.CreatedAt
	}
	return e.UpdatedAt
}
