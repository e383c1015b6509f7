package amocrm

import (
	"net/http"

	"github.com/crmd/crmd/internal/crm"
)

// readBatch reads the body every v4 batch write takes (an array of items,
// at most maxBatch of them, each named by its request_id) with read for
// each item, so leads, tasks, notes, customers and cards check the
// envelope, the limit and request_id's type one way. All violations of
// all items come back together, each named by its request_id, because a
// batch is all or nothing.
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
// a POST item's id is not read at all (amoCRM ignores it there).
func patchItemID(rd reader, patch bool, dst *int64) {
	if !patch {
		return
	}
	if id := rd.int64("id"); id != nil {
		*dst = *id
	}
}
