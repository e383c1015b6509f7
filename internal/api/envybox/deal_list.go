package envybox

import (
	"context"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// dealDateTypes are deal/list's date_type values.
var dealDateTypes = map[string]bool{"created": true, "updated": true, "closed": true, "stage_changed": true, "stage_transition": true}

// dealList is E19 deal/list: a flat object with dateType, dateSelectType,
// the next offset (-1 at the end), the limit, the page under result, the
// total as a string and inputs_sum.
func (h *handler) dealList(ctx context.Context, c *call) (map[string]any, error) {
	// A filter object is the document's search by field values (E15),
	// whose printed path is a copy-paste slip: served here (search_filter.go).
	if c.req.has("filter") {
		return h.dealFilterSearch(ctx, c)
	}
	limit, offset, err := c.req.page()
	if err != nil {
		return nil, err
	}
	q := crm.DealQuery{Limit: limit, Offset: offset}
	if q.Keyword, err = c.req.str("keyword"); err != nil {
		return nil, err
	}
	q.Keyword = dealKeyword(q.Keyword)
	dateType, err := c.req.str("date_type")
	if err != nil {
		return nil, err
	}
	if dateType == "" {
		dateType = "created"
	}
	if !dealDateTypes[dateType] {
		return nil, badRequest("Параметр date_type должен быть одним из: created, updated, closed, stage_changed, stage_transition")
	}
	q.DateField = dateType
	if q.Dates, err = c.req.dateRange(c.loc); err != nil {
		return nil, err
	}
	if q.PipelineIDs, err = c.req.ints("pipeline_id"); err != nil {
		return nil, err
	}
	if q.StageIDs, err = c.req.ints("stage_id"); err != nil {
		return nil, err
	}
	// date_stage_ids only narrow stage_transition: without them, entering
	// any stage within the period counts.
	if q.DateStageIDs, err = c.req.ints("date_stage_ids"); err != nil {
		return nil, err
	}
	// A row shows no tags (dealListView): not read.
	q.Without = crm.DealPartTags
	deals, total, err := h.svc.Deals(ctx, c.actor, q)
	if err != nil {
		return nil, err
	}
	crmID := s(c.actor.AccountID)
	rows := make([]dealListJSON, len(deals))
	for i, d := range deals {
		rows[i] = dealListView(c, crmID, d)
	}
	return map[string]any{
		"dateType":       "period",
		"dateSelectType": dateType,
		"offset":         nextOffset(offset, limit, total),
		"limit":          limit,
		"result":         rows,
		"count":          s(int64(total)),
		// Envybox never explains inputs_sum; crmd has no summed fields.
		"inputs_sum": []any{},
	}, nil
}

// dealKeyword prepares deal/list's keyword. Phones are stored as digits
// (74993229710), so a keyword written like a phone ("+7 (499) 322-97-10",
// "8 499 322 97 10", "322-97-10") is searched by its normalized digits.
func dealKeyword(kw string) string {
	kw = strings.TrimSpace(kw)
	digits := 0
	for _, r := range kw {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() ", r):
		default:
			return kw
		}
	}
	if digits < 5 {
		return kw
	}
	return crm.NormalizePhone(kw)
}
