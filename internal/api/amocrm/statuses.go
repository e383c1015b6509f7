package amocrm

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

type statusJSON struct {
	ID         int64           `json:"id"`
	Name       string          `json:"name"`
	Sort       int             `json:"sort"`
	IsDefault  bool            `json:"is_default"`
	Conditions json.RawMessage `json:"conditions"`
	Color      string          `json:"color"`
	Type       int             `json:"type"`
	AccountID  int64           `json:"account_id"`
	RequestID  string          `json:"request_id,omitempty"`
	Links      selfLinks       `json:"_links"`
}

func statusPath(id int64) string { return "/api/v4/customers/statuses/" + strconv.FormatInt(id, 10) }

func toStatusJSON(r *http.Request, s crm.CustomerStatus) statusJSON {
	conditions := json.RawMessage(s.Conditions)
	if !json.Valid(conditions) {
		conditions = json.RawMessage(`[]`)
	}
	return statusJSON{ID: s.ID, Name: s.Name, Sort: s.Sort, IsDefault: s.IsDefault, Conditions: conditions,
		Color: s.Color, Type: int(s.Type), AccountID: s.AccountID, Links: selfLink(r, statusPath(s.ID))}
}

// collection is amoCRM's non-paginated HAL collection.
type collection struct {
	TotalItems int            `json:"_total_items"`
	Links      selfLinks      `json:"_links"`
	Embedded   map[string]any `json:"_embedded"`
}

func (h *handler) listStatuses(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	list, err := h.svc.CustomerStatuses(r.Context(), actor)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toStatusJSON)
	writeList(w, len(items), collection{TotalItems: len(items), Links: selfLink(r, "/api/v4/customers/statuses"),
		Embedded: map[string]any{"statuses": items}})
	return nil
}

func (h *handler) getStatus(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	return getByID(w, r, func(id int64) (crm.CustomerStatus, error) { return h.svc.CustomerStatus(r.Context(), actor, id) }, toStatusJSON)
}

// batchItems checks that body is a JSON array and returns its items with
// their request ids (the given one, or the index as a string).
func batchItems(body any, errs *[]crm.Violation) ([]any, []string) {
	items, ok := body.([]any)
	if !ok {
		addType(errs, 0, "", "array")
		return nil, nil
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = strconv.Itoa(i)
		if obj, ok := it.(map[string]any); ok {
			if rid, ok := obj["request_id"].(string); ok {
				ids[i] = rid
			}
		}
	}
	return items, ids
}

type createdJSON struct {
	ID        int64     `json:"id"`
	RequestID string    `json:"request_id"`
	Links     selfLinks `json:"_links"`
}

func (h *handler) addStatuses(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	var errs []crm.Violation
	items, ids := batchItems(body, &errs)
	in := make([]crm.NewCustomerStatus, len(items))
	for i, it := range items {
		rd := newReader(it, i, "", &errs)
		rd.str("request_id")
		in[i] = crm.NewCustomerStatus{Name: rd.str("name"), Sort: rd.int("sort"), Color: rd.str("color")}
	}
	if err := violationsErr(errs); err != nil {
		return withItems(err, ids)
	}
	created, err := h.svc.AddCustomerStatuses(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	out := createdItems(r, ids, created, statusPath, func(s crm.CustomerStatus) int64 { return s.ID })
	writeHAL(w, http.StatusOK, collection{TotalItems: len(out), Links: selfLink(r, "/api/v4/customers/statuses"),
		Embedded: map[string]any{"statuses": out}})
	return nil
}

func (h *handler) patchStatus(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readSingle(r)
	if err != nil {
		return err
	}
	p := crm.CustomerStatusPatch{Name: body.str("name"), Sort: body.int("sort"), Color: body.str("color")}
	if err := body.decodeErr(); err != nil {
		return err
	}
	s, err := h.svc.UpdateCustomerStatus(r.Context(), actor, id, p)
	if err != nil {
		return body.wrap(err)
	}
	out := toStatusJSON(r, s)
	out.RequestID = body.requestID
	writeHAL(w, http.StatusOK, out)
	return nil
}
