package envybox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// The deal search by field values (E15). The document prints its URL as
// deal/updateDealStage, a copy-paste slip; crmd serves it at deal/list
// whenever the request carries a "filter" member (deal/list without one is
// E19). The reply is E15's flat object: all_ids (every matching id, newest
// first), count (their number), max_colls_contacts (the most contacts on
// a row of the page), result (the page), offset (the next one, -1 at the
// end) and keyword (the echo, null when empty), with numbers as numbers as
// in E15's (2019) example. limit and offset work as in deal/list: 0 or
// absent is 50, and 50 is the cap.
//
// Wire leniency: PHP callers encode an empty object as [], so [] is
// accepted wherever an object is expected ("filter": [], "inputs": [],
// "service": [] …); ids may be numbers or numeric strings, a single id or
// an array; firstDealClient takes true/false, 1/0 or "1"/"0". What the
// filter means is documented in internal/crm/deal_filter.go.

// dealFilterSearch answers deal/list with a filter object.
func (h *handler) dealFilterSearch(ctx context.Context, c *call) (map[string]any, error) {
	limit, offset, err := c.req.page()
	if err != nil {
		return nil, err
	}
	keyword, err := c.req.str("keyword")
	if err != nil {
		return nil, err
	}
	f, err := parseDealFilter(c.req["filter"])
	if err != nil {
		return nil, err
	}
	f.Keyword, f.Limit, f.Offset = dealKeyword(keyword), limit, offset
	page, err := h.svc.FilterDeals(ctx, c.actor, f)
	if err != nil {
		return nil, err
	}
	return searchReply(c, page, keyword, limit, offset), nil
}

// searchBad is a 400 naming a member of the filter.
func searchBad(path, what string) error {
	return badRequest("Неверный request: filter" + path + ": " + what)
}

// searchObject reads an object member; null, absent and [] are empty.
func searchObject(x any, path string) (map[string]any, error) {
	switch y := x.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return y, nil
	case []any:
		if len(y) == 0 {
			return map[string]any{}, nil
		}
	}
	return nil, searchBad(path, "должен быть объектом")
}

// searchIDs reads ids: a number, a numeric string, or an array of them.
// Zeros and empty strings are dropped.
func searchIDs(x any, path string) ([]int64, error) {
	if x == nil {
		return nil, nil
	}
	list, ok := x.([]any)
	if !ok {
		list = []any{x}
	}
	var out []int64
	for _, item := range list {
		n, ok := toInt(item)
		if !ok {
			return nil, searchBad(path, "должен быть массивом идентификаторов")
		}
		if n != 0 {
			out = append(out, n)
		}
	}
	return out, nil
}

// searchString reads a string member ("" when absent).
func searchString(x any, path string) (string, error) {
	switch y := x.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(y), nil
	case json.Number:
		return y.String(), nil
	}
	return "", searchBad(path, "должен быть строкой")
}

// searchBool reads a flag: true/false, 1/0, "1"/"0" (or empty).
func searchBool(x any, path string) (bool, error) {
	switch y := x.(type) {
	case nil:
		return false, nil
	case bool:
		return y, nil
	}
	n, ok := toInt(x)
	if !ok || (n != 0 && n != 1) {
		return false, searchBad(path, "должен быть true/false или 1/0")
	}
	return n == 1, nil
}

// searchOperand turns a field condition's decoded value into the domain's
// operand, keeping its form: which forms a field takes is the domain's
// call, as only it knows the field's type. A number float64 cannot hold
// (1e400) is kept as the text it was written as.
func searchOperand(x any) crm.Operand {
	switch y := x.(type) {
	case string:
		return crm.TextOperand(y)
	case json.Number:
		if f, err := y.Float64(); err == nil {
			return crm.NumberOperand(f)
		}
		return crm.TextOperand(y.String())
	case float64:
		return crm.NumberOperand(y)
	case bool:
		return crm.BoolOperand(y)
	case []any:
		items := make([]crm.Operand, len(y))
		for i, v := range y {
			items[i] = searchOperand(v)
		}
		return crm.ListOperand(items...)
	case map[string]any:
		members := make(map[string]crm.Operand, len(y))
		for k, v := range y {
			members[k] = searchOperand(v)
		}
		return crm.ObjectOperand(members)
	}
	return crm.Operand{}
}

// searchFilterKeys are the members of filter; searchElementKeys those of
// an element of inputs.
var (
	searchFilterKeys = []string{"customDateType", "dateFilters", "employees", "leadStages", "dealStages", "dateStages",
		"pipelines", "inboxTypes", "tags", "inputs", "firstDealClient"}
	searchElementKeys = []string{"service", "custom", "comparison"}
)

// searchKnown refuses members it does not know unless they are empty
// (null, "", 0, [] or {}): a criterion crmd cannot apply is an error, not
// silently dropped. The CRM's own UI sends more members (birthday,
// logEvents, businessProcess); empty, they are accepted.
func searchKnown(m map[string]any, path string, known []string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(known, k) {
			continue
		}
		switch v := m[k].(type) {
		case nil:
			continue
		case string:
			if v == "" {
				continue
			}
		case json.Number:
			if v.String() == "0" {
				continue
			}
		case []any:
			if len(v) == 0 {
				continue
			}
		case map[string]any:
			if len(v) == 0 {
				continue
			}
		}
		return searchBad(path+"."+k, "неизвестный критерий (ожидаются "+strings.Join(known, ", ")+")")
	}
	return nil
}

// searchElements maps the inputs keys (crm_element_id) to entity types.
var searchElements = map[string]crm.EntityType{"1": crm.EntityInbound, "2": crm.EntityContact, "3": crm.EntityDeal}

// parseDealFilter decodes the filter object into the domain's terms.
func parseDealFilter(raw any) (crm.DealFilter, error) {
	var f crm.DealFilter
	m, err := searchObject(raw, "")
	if err != nil {
		return f, badRequest("Неверный request: filter должен быть объектом")
	}
	if err := searchKnown(m, "", searchFilterKeys); err != nil {
		return f, err
	}
	for _, ids := range []struct {
		key string
		dst *[]int64
	}{{"leadStages", &f.LeadStageIDs}, {"dealStages", &f.StageIDs}, {"dateStages", &f.DateStageIDs},
		{"pipelines", &f.PipelineIDs}, {"inboxTypes", &f.InboxTypeIDs}, {"tags", &f.TagIDs}} {
		if *ids.dst, err = searchIDs(m[ids.key], "."+ids.key); err != nil {
			return f, err
		}
	}
	emp, err := searchObject(m["employees"], ".employees")
	if err != nil {
		return f, err
	}
	if f.UserIDs, err = searchIDs(emp["users"], ".employees.users"); err != nil {
		return f, err
	}
	if f.DepartmentIDs, err = searchIDs(emp["departments"], ".employees.departments"); err != nil {
		return f, err
	}
	if f.FirstDealOfClient, err = searchBool(m["firstDealClient"], ".firstDealClient"); err != nil {
		return f, err
	}
	if f.Dates, err = parseDateFilters(m["dateFilters"]); err != nil {
		return f, err
	}
	customDates, err := searchObject(m["customDateType"], ".customDateType")
	if err != nil {
		return f, err
	}
	dateTypes := map[int64]crm.DateType{}
	for k, v := range customDates {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return f, searchBad(".customDateType", "ключи должны быть id полей")
		}
		s, err := searchString(v, ".customDateType."+k)
		if err != nil {
			return f, err
		}
		dateTypes[id] = crm.DateType(s)
	}
	inputs, err := searchObject(m["inputs"], ".inputs")
	if err != nil {
		return f, err
	}
	keys := make([]string, 0, len(inputs))
	for k := range inputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		el, err := searchObject(inputs[k], ".inputs."+k)
		if err != nil {
			return f, err
		}
		entity, known := searchElements[k]
		if !known {
			if len(el) == 0 {
				continue
			}
			return f, searchBad(".inputs."+k, "неизвестный тип элемента (1 — лиды, 2 — клиенты, 3 — сделки)")
		}
		if err := searchKnown(el, ".inputs."+k, searchElementKeys); err != nil {
			return f, err
		}
		conds, err := parseInputs(entity, "."+"inputs."+k, el, dateTypes)
		if err != nil {
			return f, err
		}
		f.Fields = append(f.Fields, conds...)
	}
	return f, nil
}

// parseDateFilters reads dateFilters: an array of {dateType,
// dateSelectType, dates: {start, end}}.
func parseDateFilters(raw any) ([]crm.DateFilter, error) {
	var list []any
	switch y := raw.(type) {
	case nil:
		return nil, nil
	case []any:
		list = y
	case map[string]any:
		if len(y) > 0 {
			return nil, searchBad(".dateFilters", "должен быть массивом объектов")
		}
	default:
		return nil, searchBad(".dateFilters", "должен быть массивом объектов")
	}
	out := make([]crm.DateFilter, 0, len(list))
	for i, item := range list {
		path := fmt.Sprintf(".dateFilters.%d", i)
		obj, err := searchObject(item, path)
		if err != nil {
			return nil, err
		}
		var df crm.DateFilter
		dateType, err := searchString(obj["dateType"], path+".dateType")
		if err != nil {
			return nil, err
		}
		// The prose spells the key dateselectType.
		sel := obj["dateSelectType"]
		if sel == nil {
			sel = obj["dateselectType"]
		}
		selectType, err := searchString(sel, path+".dateSelectType")
		if err != nil {
			return nil, err
		}
		dates, err := searchObject(obj["dates"], path+".dates")
		if err != nil {
			return nil, err
		}
		df.Select, df.Period.Type = crm.DateSelect(selectType), crm.DateType(dateType)
		if df.Period.Start, err = searchString(dates["start"], path+".dates.start"); err != nil {
			return nil, err
		}
		if df.Period.End, err = searchString(dates["end"], path+".dates.end"); err != nil {
			return nil, err
		}
		out = append(out, df)
	}
	return out, nil
}

// parseInputs reads one element of inputs: service and custom values by
// field id, and comparisons by field id (of custom fields, as documented;
// of a service field too when no custom field of that id is given).
func parseInputs(entity crm.EntityType, path string, el map[string]any, dateTypes map[int64]crm.DateType) ([]crm.FieldCondition, error) {
	comparisons, err := searchObject(el["comparison"], path+".comparison")
	if err != nil {
		return nil, err
	}
	custom, err := searchObject(el["custom"], path+".custom")
	if err != nil {
		return nil, err
	}
	var out []crm.FieldCondition
	for _, part := range []struct {
		key     string
		service bool
	}{{"service", true}, {"custom", false}} {
		values, err := searchObject(el[part.key], path+"."+part.key)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			id, err := strconv.ParseInt(k, 10, 64)
			if err != nil || id <= 0 {
				return nil, searchBad(path+"."+part.key, "ключи должны быть id полей")
			}
			fc := crm.FieldCondition{Entity: entity, Service: part.service, FieldID: id, Value: searchOperand(values[k])}
			if _, clash := custom[k]; !part.service || !clash {
				cmp, err := searchObject(comparisons[k], path+".comparison."+k)
				if err != nil {
					return nil, err
				}
				typ, err := searchString(cmp["type"], path+".comparison."+k+".type")
				if err != nil {
					return nil, err
				}
				switch crm.Comparison(typ) {
				case crm.CompareDefault, crm.CompareEqually, crm.CompareRange:
				default:
					return nil, searchBad(path+".comparison."+k+".type", "должен быть equally или range")
				}
				fc.Comparison, fc.ValueTo = crm.Comparison(typ), searchOperand(cmp["value_to"])
			}
			if !part.service {
				fc.DateType = dateTypes[id]
			}
			out = append(out, fc)
		}
	}
	return out, nil
}
