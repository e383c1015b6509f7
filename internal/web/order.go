package web

import (
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

// Hand ordering of the board's cards (crm.Service.PlaceDeal): the board's
// script posts where a card was dropped — its column and the cards now
// above and below it — or where Alt+↑/↓ moved it, and the server works out
// the card's rank. One order for the whole team.

func (h *handler) orderRoutes(mux *http.ServeMux) {
	mux.Handle("POST /deals/{id}/place", h.signedIn(h.placeDeal))
}

// placeDeal places a card: stage_id (optional: the deal's own), above and
// below (the neighbours' ids, optional; above wins). It answers JSON for
// the script, or a redirect back to the board.
func (h *handler) placeDeal(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	var nums [3]int64
	for i, key := range []string{"stage_id", "above", "below"} {
		s := r.PostFormValue(key)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", key)))
			return
		}
		nums[i] = n
	}
	if err := h.svc.PlaceDeal(ctx, v.Actor, id, nums[0], nums[1], nums[2], v.Actor.AsResponsible()); err != nil {
		h.renderError(w, r, v, stageError(v, err))
		return
	}
	if !isFetch(r) {
		http.Redirect(w, r, safeNext(r.PostFormValue("back")), http.StatusSeeOther)
		return
	}
	fam, err := h.svc.Deal(ctx, v.Actor, id, false)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "stage_id": fam.Deal.StageID,
		"message": v.T("order.placed", fam.Deal.Name, fam.Deal.Stage.Name)})
}

var orderMessages = catalog{
	"order.placed": {"Deal “%s” placed in “%s”.", "Сделка «%s» поставлена в «%s»."},
	"order.hint":   {"Alt+↑ and Alt+↓ move a focused card up and down its column.", "Alt+↑ и Alt+↓ двигают выбранную карточку вверх и вниз по колонке."},
	"order.failed": {"The card was not placed: %s", "Карточка не перемещена: %s"},
}
