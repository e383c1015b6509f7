package amocrm

import (
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

// Notes (core §6) are the call and comment entries of the one history
// (crm/note.go): a note added to a lead is a comment or call in Envybox's
// deal log/list, and Envybox's comments and calls are the lead's notes.
//
// Routing: Go's ServeMux refuses two patterns that match the same path
// when neither is more specific, and /api/v4/{type}/{entity_id}/notes
// would clash with …/custom_fields/{id}, …/pipelines/{id} and the like.
// So the paths with an entity id are served by patterns with a {sub}
// segment that every literal pattern beats, and noteSub dispatches on it;
// GET /api/v4/customers/{id}/{sub} already exists and customerSub hands
// "notes" here.

// noteEntityTypes are the path segments with notes.
var noteEntityTypes = []crm.EntityType{crm.EntityDeal, crm.EntityContact, crm.EntityCompany, crm.EntityCustomer}

// noteRoutes are the v4 note endpoints of the four entity types.
func (h *handler) noteRoutes() []route {
	var out []route
	for _, e := range noteEntityTypes {
		base := "/api/v4/" + string(e)
		out = append(out,
			route{"GET " + base + "/notes", h.notesOf(e, listNotes)},
			route{"POST " + base + "/notes", h.notesOf(e, addNotes)},
			route{"PATCH " + base + "/notes", h.notesOf(e, patchNotes)},
			route{"GET " + base + "/notes/{id}", h.notesOf(e, getNote)},
			route{"PATCH " + base + "/notes/{id}", h.notesOf(e, patchNote)},
			route{"POST " + base + "/{entity_id}/{sub}", h.noteSub(e, addNotes)},
			route{"PATCH " + base + "/{entity_id}/{sub}", h.noteSub(e, patchNotes)},
			route{"GET " + base + "/{entity_id}/{sub}/{id}", h.noteSub(e, getNote)},
			route{"PATCH " + base + "/{entity_id}/{sub}/{id}", h.noteSub(e, patchNote)},
		)
		// GET {id}/notes of leads, contacts and companies is served by
		// their GET {id}/{sub} pattern (links.go's entitySub), customers'
		// by customerSub: Go's mux refuses two patterns for one path.
	}
	return out
}

// noteFunc is a note endpoint of one entity type; entityID is the path's
// entity (0: none in the path).
type noteFunc func(h *handler, w http.ResponseWriter, r *http.Request, actor crm.Actor, entity crm.EntityType, entityID int64) error

func (h *handler) notesOf(e crm.EntityType, fn noteFunc) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error { return fn(h, w, r, actor, e, 0) }
}

// noteSub serves the paths with an entity id: {sub} must be "notes" and
// the entity id a positive integer, else the path names nothing (404).
func (h *handler) noteSub(e crm.EntityType, fn noteFunc) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := strconv.ParseInt(r.PathValue("entity_id"), 10, 64)
		if r.PathValue("sub") != "notes" || err != nil || id <= 0 {
			return newProblem(http.StatusNotFound, "Not found")
		}
		return fn(h, w, r, actor, e, id)
	}
}

// customerNotes serves GET /api/v4/customers/{id}/notes for customerSub.
func (h *handler) customerNotes(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return listNotes(h, w, r, actor, crm.EntityCustomer, id)
}

func notePath(e crm.EntityType, entityID, id int64) string {
	return "/api/v4/" + string(e) + "/" + strconv.FormatInt(entityID, 10) + "/notes/" + strconv.FormatInt(id, 10)
}

// v4Note is the note model of core §6.2.
type v4Note struct {
	ID                int64          `json:"id"`
	EntityID          int64          `json:"entity_id"`
	CreatedBy         int64          `json:"created_by"`
	UpdatedBy         int64          `json:"updated_by"`
	CreatedAt         int64          `json:"created_at"`
	UpdatedAt         int64          `json:"updated_at"`
	ResponsibleUserID int64          `json:"responsible_user_id"`
	GroupID           int64          `json:"group_id"`
	NoteType          string         `json:"note_type"`
	Params            map[string]any `json:"params"`
	AccountID         int64          `json:"account_id"`
	IsPinned          bool           `json:"is_pinned"`
	Links             selfLinks      `json:"_links"`
}

// toV4Note renders a note. crmd has no pinned notes (pin/unpin are not in
// the documents, core §6.3); is_pinned is always false.
func toV4Note(r *http.Request, n crm.Note) v4Note {
	out := v4Note{ID: n.ID, EntityID: n.EntityID, CreatedBy: n.CreatedBy, UpdatedBy: n.CreatedBy, CreatedAt: n.CreatedAt.Unix(),
		UpdatedAt: n.UpdatedAtOrCreated().Unix(), ResponsibleUserID: n.Author(), NoteType: string(n.Kind), AccountID: n.AccountID,
		Links: selfLink(r, notePath(n.EntityType, n.EntityID, n.ID))}
	if n.UpdatedBy != 0 {
		out.UpdatedBy = n.UpdatedBy
	}
	switch n.Kind {
	case crm.NoteCallIn, crm.NoteCallOut:
		c := n.Call
		out.Params = map[string]any{"uniq": c.Uniq, "duration": c.Duration, "source": c.Source, "link": c.Link, "phone": c.Phone}
		if c.Status != 0 {
			out.Params["call_status"] = c.Status
		}
		if c.Result != "" {
			out.Params["call_result"] = c.Result
		}
		if c.Responsible != nil {
			out.Params["call_responsible"] = c.Responsible
		}
	case crm.NoteService, crm.NoteExtendedService:
		out.Params = map[string]any{"service": n.Service, "text": n.Text}
	default:
		out.Params = map[string]any{"text": n.Text}
	}
	return out
}

// amoNoteTypes are every note type of core §6.1 and the read-only ones; a
// filter on one crmd does not store finds nothing rather than failing.
var amoNoteTypes = map[string]bool{"common": true, "call_in": true, "call_out": true, "service_message": true,
	"extended_service_message": true, "message_cashier": true, "geolocation": true, "sms_in": true, "sms_out": true,
	"attachment": true, "amomail_message": true, "chat": true, "site_visit": true, "targeting_in": true, "targeting_out": true,
	"transaction": true, "invoice_paid": true, "bill_paid": true, "zoom_meeting": true, "dropbox_attachment": true,
	"link_followed": true, "ai_result": true}

// readNoteQuery reads the filters and order of a notes list (core §6.3);
// under an entity's path filter[entity_id] is not read (done refuses it).
func readNoteQuery(r *http.Request, entity crm.EntityType, entityID int64) (crm.NoteQuery, bool, error) {
	qr := newQueryReader(r)
	q := crm.NoteQuery{EntityType: entity, IDs: qr.ints("id"), UpdatedAt: qr.afterOrRange("updated_at")}
	if entityID != 0 {
		q.EntityIDs = []int64{entityID}
	} else {
		q.EntityIDs = qr.ints("entity_id")
	}
	types := qr.strs("note_type")
	for _, t := range types {
		switch {
		case !amoNoteTypes[t]:
			qr.violate("filter[note_type]", crm.ViolationChoice, "filter[note_type]: "+t+" is not a note type.")
		case stored(t):
			q.Kinds = append(q.Kinds, crm.NoteKind(t))
		}
	}
	matchNone := len(types) > 0 && len(q.Kinds) == 0
	q.OrderBy, q.Desc = qr.order("updated_at", "id")
	return q, matchNone, qr.done()
}

func stored(t string) bool {
	for _, k := range crm.NoteKinds {
		if string(k) == t {
			return true
		}
	}
	return false
}

// listNotes serves GET /api/v4/{type}/notes and …/{entity_id}/notes: the
// oldest first unless ordered (amoCRM documents no default; a card's feed
// reads in the order written), 204 when none.
func listNotes(h *handler, w http.ResponseWriter, r *http.Request, actor crm.Actor, entity crm.EntityType, entityID int64) error {
	page, err := v4Page(r)
	if err != nil {
		return err
	}
	q, matchNone, err := readNoteQuery(r, entity, entityID)
	if err != nil {
		return err
	}
	if matchNone {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	q.Limit, q.Offset = page.Limit, page.Offset()
	list, total, err := h.svc.Notes(r.Context(), actor, q)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toV4Note)
	writeList(w, len(items), v4Paged(r, page, total, "notes", items))
	return nil
}

// getNote serves GET …/notes/{id}; a missing note (or one of another
// entity) is 204.
func getNote(h *handler, w http.ResponseWriter, r *http.Request, actor crm.Actor, entity crm.EntityType, entityID int64) error {
	return getByID(w, r, func(id int64) (crm.Note, error) { return h.svc.Note(r.Context(), actor, entity, entityID, id) }, toV4Note)
}

// readNoteInput reads one note of a POST or PATCH body. entity_id comes
// from the path when it has one. is_need_to_trigger_digital_pipeline is
// accepted and has no effect: crmd has no digital pipeline.
func readNoteInput(rd reader, entityID int64) crm.NoteInput {
	in := crm.NoteInput{ResponsibleUserID: rd.int64("responsible_user_id"), CreatedBy: rd.int64("created_by"), EntityID: entityID}
	if id := rd.int64("entity_id"); id != nil && entityID == 0 {
		in.EntityID = *id
	}
	if t := rd.str("note_type"); t != nil {
		in.Kind = crm.NoteKind(*t)
	}
	rd.bool("is_need_to_trigger_digital_pipeline")
	if rd.has("params") {
		in.ParamsGiven = true
		p := newReader(rd.obj["params"], rd.item, rd.path("params"), rd.errs)
		str := func(key string) string {
			if s := p.str(key); s != nil {
				return *s
			}
			return ""
		}
		in.Text, in.Service = str("text"), str("service")
		in.Call = crm.CallNote{Uniq: str("uniq"), Source: str("source"), Link: str("link"), Phone: str("phone"), Result: str("call_result")}
		if d := p.int64("duration"); d != nil {
			in.Call.Duration = *d
		}
		if s := p.int("call_status"); s != nil {
			in.Call.Status = *s
			if *s == 0 {
				in.Call.Status = -1 // 0 is no amoCRM call_status: refused
			}
		}
		// call_responsible is a user id or a name [client].
		if v, ok := p.obj["call_responsible"]; ok && v != nil {
			if n, isInt := asInt(v); isInt {
				in.Call.Responsible = n
			} else if s, isStr := v.(string); isStr {
				in.Call.Responsible = s
			} else {
				addType(p.errs, p.item, p.path("call_responsible"), "int")
			}
		}
	}
	return in
}

// readNoteBatch reads a POST/PATCH array of notes.
func readNoteBatch(r *http.Request, entityID int64, patch bool) ([]crm.NoteInput, []string, error) {
	return readBatch(r, "notes", func(rd reader) crm.NoteInput {
		in := readNoteInput(rd, entityID)
		patchItemID(rd, patch, &in.ID)
		return in
	})
}

// v4CreatedNote is one item of a notes POST answer (core §6.3).
type v4CreatedNote struct {
	ID        int64     `json:"id"`
	EntityID  int64     `json:"entity_id"`
	RequestID string    `json:"request_id"`
	Links     selfLinks `json:"_links"`
}

// v4UpdatedNote is one item of a notes PATCH answer.
type v4UpdatedNote struct {
	ID        int64     `json:"id"`
	EntityID  int64     `json:"entity_id"`
	UpdatedAt int64     `json:"updated_at"`
	RequestID string    `json:"request_id"`
	Links     selfLinks `json:"_links"`
}

// addNotes serves POST …/notes: all or nothing.
func addNotes(h *handler, w http.ResponseWriter, r *http.Request, actor crm.Actor, entity crm.EntityType, entityID int64) error {
	in, ids, err := readNoteBatch(r, entityID, false)
	if err != nil {
		return err
	}
	created, err := h.svc.AddNotes(r.Context(), actor, entity, in)
	if err != nil {
		return withItems(err, ids)
	}
	out := make([]v4CreatedNote, len(created))
	for i, n := range created {
		out[i] = v4CreatedNote{ID: n.ID, EntityID: n.EntityID, RequestID: ids[i], Links: selfLink(r, notePath(entity, n.EntityID, n.ID))}
	}
	writeBatch(w, r, r.URL.Path, "notes", out)
	return nil
}

// patchNotes serves the batch PATCH …/notes: every item names its note by
// id; bad input anywhere rejects the whole batch.
func patchNotes(h *handler, w http.ResponseWriter, r *http.Request, actor crm.Actor, entity crm.EntityType, entityID int64) error {
	in, ids, err := readNoteBatch(r, 0, true)
	if err != nil {
		return err
	}
	updated, err := h.svc.UpdateNotes(r.Context(), actor, entity, entityID, in)
	if err != nil {
		return withItems(err, ids)
	}
	out := make([]v4UpdatedNote, len(updated))
	for i, n := range updated {
		out[i] = v4UpdatedNote{ID: n.ID, EntityID: n.EntityID, UpdatedAt: n.UpdatedAtOrCreated().Unix(), RequestID: ids[i],
			Links: selfLink(r, notePath(entity, n.EntityID, n.ID))}
	}
	writeBatch(w, r, r.URL.Path, "notes", out)
	return nil
}

// patchNote serves PATCH …/notes/{id} with one object and answers the bare
// item; a missing note is 404.
func patchNote(h *handler, w http.ResponseWriter, r *http.Request, actor crm.Actor, entity crm.EntityType, entityID int64) error {
	n, rid, err := patchByID(r,
		func(rd reader, id int64) crm.NoteInput {
			in := readNoteInput(rd, 0)
			in.ID = id
			return in
		},
		func(id int64) error { _, err := h.svc.Note(r.Context(), actor, entity, entityID, id); return err },
		func(in []crm.NoteInput) ([]crm.Note, error) {
			return h.svc.UpdateNotes(r.Context(), actor, entity, entityID, in)
		},
		asIs)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, v4UpdatedNote{ID: n.ID, EntityID: n.EntityID, UpdatedAt: n.UpdatedAtOrCreated().Unix(), RequestID: rid,
		Links: selfLink(r, notePath(entity, n.EntityID, n.ID))})
	return nil
}
