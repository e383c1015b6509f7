package uis

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Paging of get methods ("Постраничный вывод"): limit defaults to 1000 and
// may be at most 10000, offset at most 100000. Values above the maximum or
// below 0 are invalid_parameter_value (not clamped: a client asking for more
// than it can get should hear so); limit 0 is allowed and returns no items
// with metadata.total_items, a cheap count.
const (
	defaultLimit = 1000
	maxLimit     = 10000
	maxOffset    = 100000
)

// funnelSpec: only ext_id and name can be filtered and sorted (the method's
// table leaves the stage rows' cells empty).
var funnelSpec = filterSpec{
	filterable: []string{"ext_id", "name"},
	sortable:   []string{"ext_id", "name"},
	known:      []string{"ext_id", "name", "stages", "stage_ext_id", "stage_name", "stage_status", "stage_order"},
}

// stageStatus is UIS's stage_status of a crm stage status: new (2001) and
// in-work (2002) stages are in_process, won (2003) success, lost (2004) failed.
func stageStatus(s crm.StageStatus) string {
	switch s {
	case crm.StageWon:
		return "success"
	case crm.StageLost:
		return "failed"
	}
	return "in_process"
}

// sortKey is one params.sort item.
type sortKey struct {
	field string
	desc  bool
}

// getFunnels serves get.sales_funnel. An account has at most
// crm.MaxPipelines (50) deal pipelines, so the whole list is read and
// filtered, sorted and paged here in Go rather than in SQL. Without sort the
// funnels come in creation order (by id); sorting compares strings by code
// point, ties in creation order.
func (h *handler) getFunnels(ctx context.Context, c *call) (outcome, error) {
	p := c.p
	if err := p.only("access_token", "user_id", "limit", "offset", "filter", "fields", "sort"); err != nil {
		return outcome{}, err
	}
	limit, ok, err := p.integer("limit", false, false)
	if err != nil {
		return outcome{}, err
	}
	if !ok {
		limit = defaultLimit
	}
	if limit < 0 || limit > maxLimit {
		return outcome{}, &rpcError{key: mnInvalidValue, field: "limit", value: ptr(asSent(p.raw["limit"])), params: map[string]any{"max_value": maxLimit}}
	}
	offset, _, err := p.integer("offset", false, false)
	if err != nil {
		return outcome{}, err
	}
	if offset < 0 || offset > maxOffset {
		return outcome{}, &rpcError{key: mnInvalidValue, field: "offset", value: ptr(asSent(p.raw["offset"])), params: map[string]any{"max_value": maxOffset}}
	}
	var filter filterNode
	if raw, ok := p.lookup("filter"); ok {
		if filter, err = parseFilter(raw, funnelSpec); err != nil {
			return outcome{}, err
		}
	}
	keys, err := parseSort(p)
	if err != nil {
		return outcome{}, err
	}
	render, err := parseFields(p)
	if err != nil {
		return outcome{}, err
	}

	list, err := h.svc.DealPipelines(ctx, c.actor)
	if err != nil {
		return outcome{}, err
	}
	value := func(pl crm.Pipeline) func(string) string {
		return func(field string) string {
			if field == "ext_id" {
				return pl.Key()
			}
			return pl.Name
		}
	}
	var matched []crm.Pipeline
	for _, pl := range list {
		if filter == nil || filter.match(value(pl)) {
			matched = append(matched, pl)
		}
	}
	slices.SortStableFunc(matched, func(a, b crm.Pipeline) int {
		for _, k := range keys {
			va, vb := value(a)(k.field), value(b)(k.field)
			if r := strings.Compare(va, vb); r != 0 {
				if k.desc {
					return -r
				}
				return r
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
	total := len(matched)
	data := []any{}
	for i := int(offset); i < total && int64(len(data)) < limit; i++ {
		data = append(data, render(matched[i]))
	}
	return outcome{data: data, total: &total}, nil
}

func ptr[T any](v T) *T { return &v }

// parseSort reads params.sort: an array of {field, order}; order is asc
// (the default) or desc. The docs spell the default "asс" with a Cyrillic
// "с"; that spelling is accepted too.
func parseSort(p params) ([]sortKey, error) {
	items, _, err := p.array("sort", false)
	if err != nil {
		return nil, err
	}
	var keys []sortKey
	for i, item := range items {
		s, err := decodeObject(item, itemPath("sort", i))
		if err != nil {
			return nil, err
		}
		if err := s.only("field", "order"); err != nil {
			return nil, err
		}
		field, _, err := s.str("field", true)
		if err != nil {
			return nil, err
		}
		if err := funnelSpec.check(field, s.at("field"), funnelSpec.sortable, mnSortProhibited); err != nil {
			return nil, err
		}
		order, _, err := s.str("order", false)
		if err != nil {
			return nil, err
		}
		k := sortKey{field: field}
		switch strings.ToLower(order) {
		case "", "asc", "asс":
		case "desc":
			k.desc = true
		default:
			return nil, failValue(mnInvalidValue, s.at("order"), order)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// parseFields reads params.fields and returns the renderer of one funnel.
// Besides the top-level ext_id, name and stages, the stage_* names select
// keys inside each stage (and imply stages). No fields, or an empty list,
// means every field.
func parseFields(p params) (func(crm.Pipeline) map[string]any, error) {
	items, _, err := p.array("fields", false)
	if err != nil {
		return nil, err
	}
	top := map[string]bool{}
	stage := map[string]bool{}
	for i, item := range items {
		var name string
		path := itemPath("fields", i)
		if jsonKind(item) != "string" || json.Unmarshal(item, &name) != nil {
			return nil, failValue(mnDataType, path, asSent(item))
		}
		switch {
		case name == "ext_id", name == "name", name == "stages":
			top[name] = true
		case slices.Contains(funnelSpec.known, name):
			top["stages"], stage[name] = true, true
		default:
			return nil, failValue(mnUnexpected, path, name)
		}
	}
	if len(top) == 0 {
		top = map[string]bool{"ext_id": true, "name": true, "stages": true}
	}
	if len(stage) == 0 {
		stage = map[string]bool{"stage_ext_id": true, "stage_name": true, "stage_status": true, "stage_order": true}
	}
	return func(pl crm.Pipeline) map[string]any {
		out := map[string]any{}
		if top["ext_id"] {
			out["ext_id"] = pl.Key()
		}
		if top["name"] {
			out["name"] = pl.Name
		}
		if top["stages"] {
			stages := slices.Clone(pl.Stages)
			slices.SortStableFunc(stages, func(a, b crm.Stage) int { return cmp.Compare(a.Position, b.Position) })
			list := make([]any, 0, len(stages))
			for _, st := range stages {
				m := map[string]any{}
				if stage["stage_ext_id"] {
					m["stage_ext_id"] = st.Key()
				}
				if stage["stage_name"] {
					m["stage_name"] = st.Name
				}
				if stage["stage_status"] {
					m["stage_status"] = stageStatus(st.Status)
				}
				if stage["stage_order"] {
					m["stage_order"] = st.Position
				}
				list = append(list, m)
			}
			out["stages"] = list
		}
		return out
	}, nil
}
