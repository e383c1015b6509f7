package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Bulk actions on the deal table (/deals?view=table): the rows ticked, or
// every deal the table's filter matches, get one change in one POST —
// a stage, a responsible, Won or Lost, a tag added or taken off. The
// change runs through crm.Service.BulkUpdateDeals: all or nothing, each
// deal under the rules and with the history entries (and so the webhooks)
// it would get alone, at most crm.MaxBulkDeals deals. Without the script
// the table is a plain form answered with a redirect back; with it
// (static/bulk.js) the POST goes through fetch, the button shows it is
// busy, and the table is read again afterwards, its selection cleared.

func (h *handler) bulkRoutes(mux *http.ServeMux) {
	mux.Handle("POST /deals/bulk", h.signedIn(h.bulkDeals))
}

// bulkDeals runs one bulk action: action names it (the button pressed),
// id the deals ticked, or all=1 with filter (the table's query) every
// deal the filter matches.
func (h *handler) bulkDeals(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.bad_form")))
		return
	}
	form := r.PostForm
	ch, err := h.bulkChange(r, v, form)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	var sel crm.DealSelection
	fq, err := url.ParseQuery(form.Get("filter"))
	if err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.bad_form")))
		return
	}
	f, err := parseBoardFilter(v, fq)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	f.Table, f.Offset = true, 0
	back := "/deals?" + string(f.Query())
	if form.Get("all") == "1" {
		df := f.dealFilter(nil, 1, 0)
		sel.Filter = &df
	} else {
		for _, s := range form["id"] {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.bad_form")))
				return
			}
			sel.IDs = append(sel.IDs, id)
		}
		if len(sel.IDs) == 0 {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.none_selected")))
			return
		}
	}
	n, err := h.svc.BulkUpdateDeals(ctx, v.Actor, sel, ch)
	if err != nil {
		h.renderError(w, r, v, bulkError(v, err))
		return
	}
	msg := v.T("bulk.done", v.Number(n))
	if isFetch(r) {
		writeJSON(w, http.StatusOK, map[string]any{"count": n, "message": msg})
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// bulkChange reads which change the button pressed asks for.
func (h *handler) bulkChange(r *http.Request, v *view, form url.Values) (crm.DealBulkChange, error) {
	var ch crm.DealBulkChange
	bad := crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.bad_form"))
	id := func(key, missing string) (int64, error) {
		n, err := strconv.ParseInt(form.Get(key), 10, 64)
		if err != nil || n <= 0 {
			return 0, crm.Errorf(crm.KindInvalid, "%s", missing)
		}
		return n, nil
	}
	var err error
	switch form.Get("action") {
	case "stage":
		ch.StageID, err = id("stage", v.T("bulk.choose_stage"))
	case "responsible":
		ch.ResponsibleUserID, err = id("responsible", v.T("bulk.choose_responsible"))
	case "won":
		ch.Status = crm.StageWon
	case "lost":
		ch.Status = crm.StageLost
	case "tag_add", "tag_remove":
		name := strings.TrimSpace(form.Get("tag"))
		if name == "" {
			return ch, crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.choose_tag"))
		}
		if form.Get("action") == "tag_add" {
			ch.AddTags = []string{name}
			break
		}
		tags, _, err := h.svc.DictionaryTags(r.Context(), v.Actor, crm.EntityDeal, crm.TagQuery{Name: name, Limit: 10})
		if err != nil {
			return ch, err
		}
		for _, t := range tags {
			if strings.EqualFold(t.Name, name) {
				ch.RemoveTagIDs = append(ch.RemoveTagIDs, t.ID)
			}
		}
		if len(ch.RemoveTagIDs) == 0 {
			return ch, crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.no_tag", name))
		}
	default:
		return ch, bad
	}
	return ch, err
}

// bulkError words a bulk change's refusal: which deal stopped it, and
// that nothing was changed.
func bulkError(v *view, err error) error {
	if crm.CodeOf(err) == crm.CodeBulkTooMany {
		return crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.too_many", v.Number(crm.MaxBulkDeals)))
	}
	var be *crm.BulkDealError
	if !errors.As(err, &be) {
		if crm.CodeOf(err) == crm.CodeMissingInput {
			return crm.Errorf(crm.KindInvalid, "%s", v.T("bulk.none_selected"))
		}
		return err
	}
	reason := errorMessage(stageError(v, be.Err))
	name := be.Name
	if name == "" {
		name = "#" + strconv.FormatInt(be.DealID, 10)
	}
	return crm.Errorf(crm.KindOf(be.Err), "%s", v.T("bulk.refused", name, reason))
}

var bulkMessages = catalog{
	"bulk.select_all":         {"Select all deals on this page", "Выбрать все сделки на странице"},
	"bulk.select":             {"Select deal %s", "Выбрать сделку %s"},
	"bulk.selected":           {"Selected: %s", "Выбрано: %s"},
	"bulk.all_matching":       {"All %s deals matching the filter", "Все %s сделок по фильтру"},
	"bulk.over_cap":           {"(at most %s at once)", "(не больше %s за раз)"},
	"bulk.actions":            {"Actions on the selected deals", "Действия с выбранными сделками"},
	"bulk.set_stage":          {"Set stage", "Сменить этап"},
	"bulk.set_responsible":    {"Set responsible", "Сменить ответственного"},
	"bulk.won":                {"Mark Won", "Успешно"},
	"bulk.lost":               {"Mark Lost", "Не реализована"},
	"bulk.tag":                {"Tag", "Тег"},
	"bulk.tag_add":            {"Add tag", "Добавить тег"},
	"bulk.tag_remove":         {"Remove tag", "Убрать тег"},
	"bulk.choose":             {"Choose…", "Выберите…"},
	"bulk.working":            {"Changing %s deals…", "Изменяем сделки: %s…"},
	"bulk.done":               {"Deals changed: %s.", "Изменено сделок: %s."},
	"bulk.failed":             {"Nothing was changed: %s", "Ничего не изменено: %s"},
	"bulk.refused":            {"Nothing was changed: deal “%s” cannot be changed: %s", "Ничего не изменено: сделку «%s» изменить нельзя: %s"},
	"bulk.too_many":           {"Nothing was changed: one action may change at most %s deals. Narrow the filter.", "Ничего не изменено: за одно действие можно изменить не больше %s сделок. Сузьте фильтр."},
	"bulk.none_selected":      {"Select at least one deal.", "Выберите хотя бы одну сделку."},
	"bulk.choose_stage":       {"Choose a stage.", "Выберите этап."},
	"bulk.choose_responsible": {"Choose who is responsible.", "Выберите ответственного."},
	"bulk.choose_tag":         {"Type a tag.", "Введите тег."},
	"bulk.no_tag":             {"No tag is called “%s”.", "Тега «%s» нет."},
	"bulk.bad_form":           {"The bulk action was not understood.", "Групповое действие не распознано."},
}

// BulkCap is the most deals one bulk action changes, for the table to
// say so beside "all N matching" when N is more.
func (boardData) BulkCap() int { return crm.MaxBulkDeals }
