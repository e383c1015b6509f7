package amocrm

import (
	"net/http"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM API v2 customer periods (seed 001): GET /api/v2/customers_periods
// and POST with the full list in update. The rules (admin only, periodicity
// mode, missing regular periods deleted, at most 10 before) are the
// domain's ReplacePeriods.

const v2PeriodsPath = "/api/v2/customers_periods"

// v2PeriodJSON is a period as seed 001 shows it. after_buy is on the
// "after" period (its days); before_buy, which the seed's list example shows
// on a "before" period, is the days before the purchase the period reaches.
type v2PeriodJSON struct {
	ID        int64   `json:"id"`
	Type      string  `json:"type"`
	Period    int     `json:"period"`
	Color     string  `json:"color"`
	Sort      int     `json:"sort"`
	BeforeBuy *int    `json:"before_buy,omitempty"`
	AfterBuy  *int    `json:"after_buy,omitempty"`
	Links     v2Links `json:"_links"`
}

// toV2Periods renders the periods; before_buy is the domain's BeforeBuy,
// left out for before periods without days of their own.
func toV2Periods(list []crm.Period) []v2PeriodJSON {
	out := make([]v2PeriodJSON, len(list))
	for i, p := range list {
		j := v2PeriodJSON{ID: p.ID, Type: p.Type, Period: p.Days, Color: p.Color, Sort: p.Sort, Links: v2Get(v2PeriodsPath)}
		switch {
		case p.Type == crm.PeriodAfter:
			days := p.Days
			j.AfterBuy = &days
		case p.BeforeBuy > 0:
			days := p.BeforeBuy
			j.BeforeBuy = &days
		}
		out[i] = j
	}
	return out
}

func (h *handler) v2ListPeriods(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	list, err := h.svc.Periods(r.Context(), actor)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		writeV2Empty(w)
		return nil
	}
	writeV2(w, r, v2PeriodsPath, map[string]any{"items": toV2Periods(list)})
	return nil
}

func (h *handler) v2PostPeriods(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	obj, err := v2Body(r)
	if err != nil {
		return err
	}
	var errs v2Errors
	raw, ok := obj["update"]
	items, isArray := raw.([]any)
	switch {
	case !ok || raw == nil:
		errs.add("update", crm.ViolationRequired, "This field is missing: update is the full list of periods.")
	case !isArray:
		errs.add("update", crm.ViolationType, "This value should be of type array.")
	}
	var vs []crm.Violation
	in := make([]crm.PeriodInput, len(items))
	for i, it := range items {
		rd := newReader(it, i, "", &vs)
		if id := v2Int64(rd, "id"); id != nil {
			in[i].ID = *id
		}
		in[i].Days = v2Int(rd, "period")
		in[i].Color = v2Str(rd, "color")
		in[i].Sort = v2Int(rd, "sort")
	}
	errs.addViolations("update", vs, nil)
	if err := errs.err(); err != nil {
		return err
	}
	list, err := h.svc.ReplacePeriods(r.Context(), actor, in)
	if err != nil {
		return v2SectionErr("update", err, nil)
	}
	writeV2(w, r, v2PeriodsPath, map[string]any{"items": toV2Periods(list)})
	return nil
}
