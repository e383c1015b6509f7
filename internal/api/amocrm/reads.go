package amocrm

import (
	"net/http"
)

// getByID answers GET /api/v4/{entity}/{id} with the one entity, bare (no
// envelope), the way every v4 read by id does: a malformed id is pathID's
// 404 and a missing entity find's not-found error, which problem.go
// answers 204 with no body.
func getByID[E, J any](w http.ResponseWriter, r *http.Request, find func(id int64) (E, error), render func(*http.Request, E) J) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := find(id)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, render(r, e))
	return nil
}

// renderAll renders a page of domain records with the entity's render, in
// order, for a list answer (never nil, so an empty page is [] where one is
// written at all).
func renderAll[E, J any](r *http.Request, list []E, render func(*http.Request, E) J) []J {
	out := make([]J, len(list))
	for i, e := range list {
		out[i] = render(r, e)
	}
	return out
}
