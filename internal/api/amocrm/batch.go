package amocrm

import (
	"net/http"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// readBatch reads the body every v4 batch write takes (an array of items,
// at most maxBatch of them, each named by its request_id) with read for
// each item, so every batch write (leads, tasks, notes, customers, cards,
// tags, transactions, pipeline statuses, unsorted) checks the envelope,
// the limit and request_id's type one way. All violations of all items
// come back together, each named by its request_id, because a batch is
// all or nothing; what names the items in the limit's message.
func readBatch[T any](r *http.Request, what string, read func(rd reader) T) ([]T, []string, error) {
	body, err := readJSON(r)
	if err != nil {
		return nil, nil, err
	}
	var errs []crm.Violation
	items, ids := batchItems(body, &errs)
	if err := batchLimit(len(items), what); err != nil {
		return nil, nil, err
	}
	out := make([]T, len(items))
	for i, it := range items {
		rd := newReader(it, i, "", &errs)
		rd.str("request_id") // only to type-check it
		out[i] = read(rd)
	}
	return out, ids, withItems(violationsErr(errs), ids)
}

// patchItemID reads a PATCH item's id into dst. It is read after the rest
// of the item so that a bad id's violation lists after the item's others;
// a POST item's id is not read at all, so it is neither checked nor used.
func patchItemID(rd reader, patch bool, dst *int64) {
	if !patch {
		return
	}
	if id := rd.int64("id"); id != nil {
		*dst = *id
	}
}

// writeBatch answers a v4 batch write (core §1.6): 200 with the
// collection's _links.self and the written items under _embedded[key], in
// the request's order so that each item's request_id lines up.
func writeBatch(w http.ResponseWriter, r *http.Request, self, key string, items any) {
	writeHAL(w, http.StatusOK, v4Batch{Links: selfLink(r, self), Embedded: map[string]any{key: items}})
}

// createdItems are the items of a batch POST answer: each new record's id
// and link with the request_id of the item it was made from. id reads a
// domain record's id, path makes its v4 link.
func createdItems[E any](r *http.Request, ids []string, list []E, path func(int64) string, id func(E) int64) []createdJSON {
	out := make([]createdJSON, len(list))
	for i, e := range list {
		out[i] = createdJSON{ID: id(e), RequestID: ids[i], Links: selfLink(r, path(id(e)))}
	}
	return out
}

// updatedItems are the items of a batch PATCH answer (id, updated_at,
// request_id, _links); stamp reads a domain record's id and update time.
func updatedItems[E any](r *http.Request, ids []string, list []E, path func(int64) string, stamp func(E) (int64, time.Time)) []v4Updated {
	out := make([]v4Updated, len(list))
	for i, e := range list {
		id, at := stamp(e)
		out[i] = updatedItem(r, ids[i], path, id, at)
	}
	return out
}

// updatedItem is one item of a PATCH answer; PATCH by id answers it bare,
// with the body's own request_id.
func updatedItem(r *http.Request, requestID string, path func(int64) string, id int64, at time.Time) v4Updated {
	return v4Updated{ID: id, UpdatedAt: at.Unix(), RequestID: requestID, Links: selfLink(r, path(id))}
}

// patchByID runs the PATCH of one entity by id (PATCH /api/v4/{entity}/{id})
// that leads, tasks, notes, customers, contacts and companies share: the id
// from the path, one object as the body, read with read (which sets the
// id). A bad body is refused before the entity is looked up, and a good
// body for a missing entity is find's 404, not a violation of the body's
// id; then the one-item batch update runs. fix maps the body's and the
// update's errors the way the entity's batch PATCH does. The body's
// request_id comes back, also with an error once the body is read, for
// callers that name a failed item by it.
func patchByID[In, Out any](r *http.Request, read func(rd reader, id int64) In, find func(id int64) error,
	update func([]In) ([]Out, error), fix func(error) error) (Out, string, error) {
	var none Out
	id, err := pathID(r)
	if err != nil {
		return none, "", err
	}
	body, err := readSingle(r)
	if err != nil {
		return none, "", err
	}
	in := read(body.reader, id)
	if err := body.decodeErr(); err != nil {
		return none, body.requestID, fix(err)
	}
	if err := find(id); err != nil {
		return none, body.requestID, err
	}
	updated, err := update([]In{in})
	if err != nil {
		return none, body.requestID, fix(body.wrap(err))
	}
	return updated[0], body.requestID, nil
}

// asIs is the fix of patchByID for entities whose errors need no mapping.
func asIs(err error) error { return err }
