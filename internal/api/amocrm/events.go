package amocrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Events (core §7) are crmd's one history read as amoCRM's activity log.
// Each entry of a deal, contact, company, customer or task is one event,
// or one per attribute for a change entry that lists several (core §7.8:
// N attributes, N events). An event's id is its entry's id as a string;
// the further events of a several-attribute entry are "<entry id>-<n>"
// (n from 1). Entries of inbound requests are not events: amoCRM's events
// name no unsorted entity (core §1.7), and an accepted request's deal has
// its own lead_added. The table of what each entry becomes is
// docs/amocrm.md § Events.

// maxEventsLimit is the largest page of events (core §1.2).
const maxEventsLimit = 100

// maxEventIDs is the most created_by and entity_id values a filter takes
// (core §1.6).
const maxEventIDs = 10

// eventEntities names the history's entity types as events do (singular,
// core §1.7).
var eventEntities = map[crm.EntityType]string{
	crm.EntityDeal: "lead", crm.EntityContact: "contact", crm.EntityCompany: "company",
	crm.EntityCustomer: "customer", crm.EntityTask: "task",
}

// entityOfEvent is the reverse of eventEntities.
func entityOfEvent(name string) (crm.EntityType, bool) {
	for e, n := range eventEntities {
		if n == name {
			return e, true
		}
	}
	return "", false
}

// v4Event is the event model of core §7.1.
type v4Event struct {
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	EntityID    int64       `json:"entity_id"`
	EntityType  string      `json:"entity_type"`
	CreatedBy   int64       `json:"created_by"`
	CreatedAt   int64       `json:"created_at"`
	ValueAfter  []any       `json:"value_after"`
	ValueBefore []any       `json:"value_before"`
	AccountID   int64       `json:"account_id"`
	Links       selfLinks   `json:"_links"`
	Embedded    v4EventEmbd `json:"_embedded"`
}

type v4EventEmbd struct {
	Entity v4EventEntity `json:"entity"`
}

type v4EventEntity struct {
	ID    int64     `json:"id"`
	Name  *string   `json:"name,omitempty"`
	Links selfLinks `json:"_links"`
}

// eventRenderer renders entries as events, reading the pipelines (for
// status ids) and custom fields (for their types) it needs once.
type eventRenderer struct {
	ctx    context.Context
	svc    *crm.Service
	actor  crm.Actor
	stages map[int64][2]int64 // stage id → pipeline id, status id on the wire
	fields map[int64]crm.FieldType
	err    error
}

func newEventRenderer(ctx context.Context, svc *crm.Service, actor crm.Actor) *eventRenderer {
	return &eventRenderer{ctx: ctx, svc: svc, actor: actor, fields: map[int64]crm.FieldType{}}
}

// status is the lead_status of a stage id: its pipeline and its wire id.
func (er *eventRenderer) status(stageID int64) map[string]any {
	if er.stages == nil {
		er.stages = map[int64][2]int64{}
		pipelines, err := er.svc.DealPipelines(er.ctx, er.actor)
		if err != nil {
			er.err = err
		}
		for _, p := range pipelines {
			for _, st := range p.Stages {
				er.stages[st.ID] = [2]int64{p.ID, statusWireID(st)}
			}
		}
	}
	s, ok := er.stages[stageID]
	if !ok {
		return map[string]any{"lead_status": map[string]any{"id": stageID, "pipeline_id": 0}}
	}
	return map[string]any{"lead_status": map[string]any{"id": s[1], "pipeline_id": s[0]}}
}

// fieldType is the legacy numeric type of a custom field (core §7.5):
// 1 text … 10 radiobutton as documented; crmd's others get 11
// streetaddress, 13 smart_address and 19 date_time (amoCRM's numbering as
// its older clients know it; not in the documents). 0: unknown field.
func (er *eventRenderer) fieldType(entity crm.EntityType, id int64) int {
	typ, ok := er.fields[id]
	if !ok {
		f, err := er.svc.CustomField(er.ctx, er.actor, entity, id)
		if err != nil && crm.KindOf(err) != crm.KindNotFound {
			er.err = err
		}
		typ = f.Type
		er.fields[id] = typ
	}
	codes := map[crm.FieldType]int{crm.FieldText: 1, crm.FieldNumeric: 2, crm.FieldCheckbox: 3, crm.FieldSelect: 4,
		crm.FieldMultiselect: 5, crm.FieldDate: 6, crm.FieldURL: 7, crm.FieldTextarea: 9, crm.FieldRadiobutton: 10,
		crm.FieldStreetAddress: 11, crm.FieldSmartAddress: 13, crm.FieldDateTime: 19}
	return codes[typ]
}

// event is one event of an entry before its id and links are set.
type event struct {
	typ           string
	before, after []any
	// fieldID is the custom field of a custom_field_value_changed.
	fieldID int64
}

func noteValue(id int64) []any { return []any{map[string]any{"note": map[string]any{"id": id}}} }

func none() []any { return []any{} }

// eventsOf renders an entry as its events (none for an entry amoCRM has no
// event for).
func (er *eventRenderer) eventsOf(e crm.LogEntry) []event {
	entity, ok := eventEntities[e.EntityType]
	if !ok {
		return nil
	}
	switch e.TypeID {
	case crm.LogDealCreated, crm.LogContactCreated, crm.LogCompanyCreated:
		return []event{{typ: entity + "_added", before: none(), after: noteValue(e.ID)}}
	case crm.LogTaskCreated:
		return []event{{typ: "task_added", before: none(), after: none()}}
	case crm.LogTaskCompleted:
		return []event{{typ: "task_completed", before: none(), after: none()}}
	case crm.LogTaskResultAdded:
		return []event{{typ: "task_result_added", before: none(), after: noteValue(e.ID)}}
	case crm.LogDealLeadLinked, crm.LogDealLeadCreated:
		return []event{{typ: "service_note_added", before: none(), after: noteValue(e.ID)}}
	case crm.LogDealStage:
		var d struct {
			Old int64 `json:"old_stage_id"`
			New int64 `json:"stage_id"`
		}
		_ = json.Unmarshal(e.Data, &d)
		return []event{{typ: "lead_status_changed", before: []any{er.status(d.Old)}, after: []any{er.status(d.New)}}}
	case crm.LogDealResponsible:
		var d struct {
			Employee int64 `json:"employee_id"`
			Old      int64 `json:"old_employee_id"`
		}
		_ = json.Unmarshal(e.Data, &d)
		before := none()
		if d.Old != 0 {
			before = []any{responsibleValue(d.Old)}
		}
		return []event{{typ: "entity_responsible_changed", before: before, after: []any{responsibleValue(d.Employee)}}}
	case crm.LogDealTagsAdded, crm.LogContactTagsAdded, crm.LogCompanyTagsAdded:
		return []event{{typ: "entity_tag_added", before: none(), after: tagValues(e)}}
	case crm.LogDealTagsDeleted, crm.LogContactTagsDeleted, crm.LogCompanyTagsDeleted:
		return []event{{typ: "entity_tag_deleted", before: none(), after: tagValues(e)}}
	case crm.LogDealLinked, crm.LogContactLinked, crm.LogCompanyLinked, crm.LogDealUnlinked, crm.LogContactUnlinked, crm.LogCompanyUnlinked:
		return linkEvents(e)
	case crm.LogDealUpdated, crm.LogContactUpdated, crm.LogCompanyUpdated, crm.LogTaskUpdated:
		return er.changeEvents(e)
	}
	if n, ok := crm.NoteOf(e); ok {
		switch n.Kind {
		case crm.NoteCallIn:
			return []event{{typ: "incoming_call", before: none(), after: noteValue(e.ID)}}
		case crm.NoteCallOut:
			return []event{{typ: "outgoing_call", before: none(), after: noteValue(e.ID)}}
		case crm.NoteService, crm.NoteExtendedService:
			return []event{{typ: "service_note_added", before: none(), after: noteValue(e.ID)}}
		}
		return []event{{typ: "common_note_added", before: none(), after: noteValue(e.ID)}}
	}
	return nil
}

func responsibleValue(id int64) map[string]any {
	return map[string]any{"responsible_user": map[string]any{"id": id}}
}

func tagValues(e crm.LogEntry) []any {
	d, _ := crm.DecodeHistory(e)
	out := make([]any, len(d.Tags))
	for i, name := range d.Tags {
		out[i] = map[string]any{"tag": map[string]any{"name": name}}
	}
	return out
}

// linkEvents renders a link entry: <other>_linked (entity_linked for
// others) with {"link"} after, or _unlinked with {"unlink"} (core §7.5).
func linkEvents(e crm.LogEntry) []event {
	d, _ := crm.DecodeHistory(e)
	if d.Link == nil {
		return nil
	}
	unlink := e.TypeID == crm.LogDealUnlinked || e.TypeID == crm.LogContactUnlinked || e.TypeID == crm.LogCompanyUnlinked
	other, ok := eventEntities[d.Link.EntityType]
	name := other
	if !ok || other == "task" {
		other, name = strings.TrimSuffix(string(d.Link.EntityType), "s"), "entity"
	}
	key, suffix := "link", "_linked"
	if unlink {
		key, suffix = "unlink", "_unlinked"
	}
	after := []any{map[string]any{key: map[string]any{"entity": map[string]any{"type": other, "id": d.Link.EntityID}}}}
	return []event{{typ: name + suffix, before: none(), after: after}}
}

// changeEvents renders a change entry: one event per attribute amoCRM has
// an event for; attributes it has none for are left out.
func (er *eventRenderer) changeEvents(e crm.LogEntry) []event {
	d, _ := crm.DecodeHistory(e)
	var out []event
	for _, c := range d.Changes {
		var before, after any
		_ = json.Unmarshal(c.Before, &before)
		_ = json.Unmarshal(c.After, &after)
		side := func(v any, wrap func(any) any) []any {
			if v == nil {
				return none()
			}
			return []any{wrap(v)}
		}
		switch {
		case c.Field == "name":
			w := func(v any) any { return map[string]any{"name_field_value": map[string]any{"value": scalarText(v)}} }
			out = append(out, event{typ: "name_field_changed", before: side(before, w), after: side(after, w)})
		case c.Field == "price":
			w := func(v any) any { return map[string]any{"sale_field_value": map[string]any{"value": scalarText(v)}} }
			out = append(out, event{typ: "sale_field_changed", before: side(before, w), after: side(after, w)})
		case c.Field == "responsible_user_id":
			w := func(v any) any { return responsibleValue(intOf(v)) }
			out = append(out, event{typ: "entity_responsible_changed", before: side(before, w), after: side(after, w)})
		case c.Field == "status" && e.EntityType == crm.EntityCustomer:
			w := func(v any) any {
				return map[string]any{"customer_status": map[string]any{"id": intOf(field(v, "status_id"))}}
			}
			out = append(out, event{typ: "customer_status_changed", before: side(before, w), after: side(after, w)})
		case c.Field == "status":
			w := func(v any) any { return er.status(intOf(field(v, "status_id"))) }
			out = append(out, event{typ: "lead_status_changed", before: side(before, w), after: side(after, w)})
		case c.Field == "text":
			w := func(v any) any { return map[string]any{"task": map[string]any{"text": scalarText(v)}} }
			out = append(out, event{typ: "task_text_changed", before: side(before, w), after: side(after, w)})
		case c.Field == "deadline":
			w := func(v any) any { return map[string]any{"task_deadline": map[string]any{"timestamp": intOf(v)}} }
			out = append(out, event{typ: "task_deadline_changed", before: side(before, w), after: side(after, w)})
		case c.Field == "task_type":
			w := func(v any) any { return map[string]any{"task_type": map[string]any{"id": intOf(v)}} }
			out = append(out, event{typ: "task_type_changed", before: side(before, w), after: side(after, w)})
		case strings.HasPrefix(c.Field, "cf:"):
			id, err := parsePositive(strings.TrimPrefix(c.Field, "cf:"))
			if err != nil {
				continue
			}
			typ := er.fieldType(e.EntityType, id)
			out = append(out, event{typ: "custom_field_value_changed", fieldID: id,
				before: fieldValues(before, id, typ), after: fieldValues(after, id, typ)})
		}
	}
	return out
}

// fieldValues renders a custom field's values ([{"enum_id","value"}]) as
// custom_field_value items.
func fieldValues(v any, id int64, typ int) []any {
	list, _ := v.([]any)
	out := []any{}
	for _, item := range list {
		var enum any
		if n := intOf(field(item, "enum_id")); n != 0 {
			enum = n
		}
		out = append(out, map[string]any{"custom_field_value": map[string]any{"field_id": id, "field_type": typ, "enum_id": enum,
			"text": scalarText(field(item, "value"))}})
	}
	return out
}

func field(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

// intOf reads a JSON number (float64 after decoding) as an int.
func intOf(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	}
	return 0
}

// scalarText renders a scalar as text: numbers without a fraction as
// integers (core §7.5 writes values as strings, "155").
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

func parsePositive(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n <= 0 {
		err = errors.New("not positive")
	}
	return n, err
}

// eventID is the id of an entry's n-th event (0: the first).
func eventID(entryID int64, n int) string {
	if n == 0 {
		return strconv.FormatInt(entryID, 10)
	}
	return fmt.Sprintf("%d-%d", entryID, n)
}

// parseEventID reads an event id: the entry's id and the event's index.
func parseEventID(s string) (int64, int, bool) {
	head, tail, several := strings.Cut(s, "-")
	id, err := parsePositive(head)
	if err != nil {
		return 0, 0, false
	}
	if !several {
		return id, 0, true
	}
	n, err := parsePositive(tail)
	if err != nil {
		return 0, 0, false
	}
	return id, int(n), true
}

// render makes the events of an entry and their wire form.
func (er *eventRenderer) render(r *http.Request, e crm.LogEntry) ([]event, []v4Event) {
	events := er.eventsOf(e)
	out := make([]v4Event, len(events))
	for i, ev := range events {
		id := eventID(e.ID, i)
		out[i] = v4Event{ID: id, Type: ev.typ, EntityID: e.EntityID, EntityType: eventEntities[e.EntityType], CreatedBy: e.Author(),
			CreatedAt: e.CreatedAt.Unix(), ValueAfter: ev.after, ValueBefore: ev.before, AccountID: e.AccountID,
			Links: selfLink(r, "/api/v4/events/"+id)}
		out[i].Embedded.Entity = v4EventEntity{ID: e.EntityID, Links: selfLink(r, entityPath(e.EntityType, e.EntityID))}
	}
	return events, out
}

// eventFilter is what GET /api/v4/events selects beyond the store's
// columns: exact event ids, event types and value filters.
type eventFilter struct {
	ids     map[string]bool
	types   map[string]bool
	fieldID int64 // custom_field_{ID}_value_changed
	values  []valueFilter
}

// valueFilter is one filter[value_before|value_after][…] (core §7.3).
type valueFilter struct {
	after bool
	// match reports whether one side's values pass.
	match func(ev event, values []any) bool
}

func (f eventFilter) keep(id string, ev event) bool {
	if len(f.ids) > 0 && !f.ids[id] {
		return false
	}
	if len(f.types) > 0 && !f.types[ev.typ] {
		return false
	}
	if f.fieldID != 0 && ev.fieldID != f.fieldID {
		return false
	}
	for _, v := range f.values {
		side := ev.before
		if v.after {
			side = ev.after
		}
		if !v.match(ev, side) {
			return false
		}
	}
	return true
}

// commaList reads every value of the keys filter[name], filter[name][] and
// filter[name][N], split on commas (the PHP client joins lists with
// commas, core §1.3).
func (qr *queryReader) commaList(name string) []string {
	var out []string
	for _, v := range qr.strs(name) {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// commaInts is commaList as ints.
func (qr *queryReader) commaInts(name string) []int64 {
	var out []int64
	for _, s := range qr.commaList(name) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			addType(&qr.errs, 0, "filter["+name+"]", "int")
			continue
		}
		out = append(out, n)
	}
	return out
}

func (qr *queryReader) violate(path, code, detail string) {
	qr.errs = append(qr.errs, crm.Violation{Path: path, Code: code, Detail: detail})
}

// readEventQuery reads the filters of GET /api/v4/events (core §7.2–7.3).
func readEventQuery(r *http.Request) (crm.HistoryQuery, eventFilter, error) {
	qr := newQueryReader(r)
	var q crm.HistoryQuery
	f := eventFilter{ids: map[string]bool{}, types: map[string]bool{}}
	for _, s := range qr.commaList("id") {
		id, _, ok := parseEventID(s)
		if !ok {
			qr.violate("filter[id]", crm.ViolationInvalid, "filter[id]: "+s+" is not an event id.")
			continue
		}
		f.ids[s] = true
		q.IDs = append(q.IDs, id)
	}
	// created_at: a scalar is "from then on"; the PHP client sends the
	// comma pair from,to; [from]/[to] as other ranges.
	q.CreatedAt = qr.rng("created_at")
	if at := qr.commaInts("created_at"); len(at) > 0 {
		switch {
		case q.CreatedAt.From != nil || q.CreatedAt.To != nil || len(at) > 2:
			qr.violate("filter[created_at]", crm.ViolationInvalid, "filter[created_at] is one Unix time, a from,to pair or a range with [from] and [to].")
		case len(at) == 2:
			q.CreatedAt.From, q.CreatedAt.To = &at[0], &at[1]
		default:
			q.CreatedAt.From = &at[0]
		}
	}
	q.Authors = qr.commaInts("created_by")
	if len(q.Authors) > maxEventIDs {
		qr.violate("filter[created_by]", crm.ViolationRange, "filter[created_by] takes at most 10 users.")
	}
	entities := qr.commaList("entity")
	matchNone := false
	for _, name := range entities {
		if e, ok := entityOfEvent(name); ok {
			q.EntityTypes = append(q.EntityTypes, e)
			continue
		}
		if num, ok := strings.CutPrefix(name, "catalog_"); ok {
			if _, err := parsePositive(num); err == nil {
				matchNone = true // crmd keeps no catalogs: nothing of them
				continue
			}
		}
		qr.violate("filter[entity]", crm.ViolationChoice, "filter[entity]: lead, contact, company, customer, task or catalog_{ID}.")
	}
	q.EntityIDs = qr.commaInts("entity_id")
	if len(q.EntityIDs) > 0 && len(entities) != 1 {
		qr.violate("filter[entity_id]", crm.ViolationInvalid, "filter[entity_id] needs exactly one filter[entity].")
	}
	if len(q.EntityIDs) > maxEventIDs {
		qr.violate("filter[entity_id]", crm.ViolationRange, "filter[entity_id] takes at most 10 ids.")
	}
	types := qr.commaList("type")
	for _, typ := range types {
		fieldID, ok := knownEventType(typ)
		switch {
		case !ok:
			qr.violate("filter[type]", crm.ViolationChoice, "filter[type]: "+typ+" is not an event type.")
		case fieldID != 0 && len(types) > 1:
			qr.violate("filter[type]", crm.ViolationInvalid, "custom_field_{ID}_value_changed must be the only filter[type].")
		case fieldID != 0:
			f.fieldID = fieldID
			f.types["custom_field_value_changed"] = true
		default:
			f.types[typ] = true
		}
	}
	for _, side := range []string{"value_after", "value_before"} {
		f.values = append(f.values, readValueFilters(qr, side, f)...)
	}
	q.TypeIDs = candidateTypes(f.types)
	// Types crmd never records, or only catalogs: nothing can match.
	if (len(f.types) > 0 && len(q.TypeIDs) == 0) || (matchNone && len(q.EntityTypes) == 0) {
		q.TypeIDs = []int64{-1}
	}
	return q, f, qr.done()
}

// readValueFilters reads filter[side][…] (core §7.3).
func readValueFilters(qr *queryReader, side string, f eventFilter) []valueFilter {
	after := side == "value_after"
	var out []valueFilter
	prefix := "filter[" + side + "]"
	// leads_statuses / customers_statuses: [N][pipeline_id], [N][status_id].
	for _, kind := range []string{"leads_statuses", "customers_statuses"} {
		list := qr.statusPairs(prefix + "[" + kind + "]")
		if len(list) == 0 {
			continue
		}
		wrap, typ := "lead_status", "lead_status_changed"
		if kind == "customers_statuses" {
			wrap, typ = "customer_status", "customer_status_changed"
		}
		out = append(out, valueFilter{after: after, match: func(ev event, values []any) bool {
			if ev.typ != typ {
				return false
			}
			for _, v := range values {
				st := field(v, wrap)
				for _, p := range list {
					if (p.status == 0 || intOf(field(st, "id")) == p.status) && (p.pipeline == 0 || intOf(field(st, "pipeline_id")) == p.pipeline) {
						return true
					}
				}
			}
			return false
		}})
	}
	if users := qr.commaInts(side + "][responsible_user_id"); len(users) > 0 {
		out = append(out, valueFilter{after: after, match: func(ev event, values []any) bool {
			for _, v := range values {
				if ev.typ == "entity_responsible_changed" && slices.Contains(users, intOf(field(field(v, "responsible_user"), "id"))) {
					return true
				}
			}
			return false
		}})
	}
	if enums := qr.commaInts(side + "][custom_field_values"); len(enums) > 0 {
		if f.fieldID == 0 {
			qr.violate(prefix+"[custom_field_values]", crm.ViolationInvalid, "custom_field_values needs filter[type]=custom_field_{ID}_value_changed.")
		}
		out = append(out, valueFilter{after: after, match: func(ev event, values []any) bool {
			for _, v := range values {
				if slices.Contains(enums, intOf(field(field(v, "custom_field_value"), "enum_id"))) {
					return true
				}
			}
			return false
		}})
	}
	if want := qr.commaList(side + "][value"); len(want) > 0 {
		out = append(out, valueFilter{after: after, match: func(ev event, values []any) bool {
			for _, v := range values {
				for _, key := range []string{"sale_field_value", "name_field_value", "ltv_field_value"} {
					if s, ok := field(field(v, key), "value").(string); ok && slices.Contains(want, s) {
						return true
					}
				}
				if s, ok := field(field(v, "custom_field_value"), "text").(string); ok && slices.Contains(want, s) {
					return true
				}
				if n, ok := field(field(v, "nps"), "rate").(float64); ok && slices.Contains(want, scalarText(n)) {
					return true
				}
			}
			return false
		}})
	}
	return out
}

// eventSources are the entry types each event type can come from.
var eventSources = map[string][]int{
	"lead_added":                 {crm.LogDealCreated},
	"contact_added":              {crm.LogContactCreated},
	"company_added":              {crm.LogCompanyCreated},
	"task_added":                 {crm.LogTaskCreated},
	"task_completed":             {crm.LogTaskCompleted},
	"task_result_added":          {crm.LogTaskResultAdded},
	"lead_status_changed":        {crm.LogDealStage, crm.LogDealUpdated},
	"customer_status_changed":    {},
	"entity_responsible_changed": {crm.LogDealResponsible, crm.LogDealUpdated, crm.LogContactUpdated, crm.LogCompanyUpdated, crm.LogTaskUpdated},
	"entity_tag_added":           {crm.LogDealTagsAdded, crm.LogContactTagsAdded, crm.LogCompanyTagsAdded},
	"entity_tag_deleted":         {crm.LogDealTagsDeleted, crm.LogContactTagsDeleted, crm.LogCompanyTagsDeleted},
	"name_field_changed":         {crm.LogDealUpdated, crm.LogContactUpdated, crm.LogCompanyUpdated},
	"sale_field_changed":         {crm.LogDealUpdated},
	"custom_field_value_changed": {crm.LogDealUpdated, crm.LogContactUpdated, crm.LogCompanyUpdated},
	"task_text_changed":          {crm.LogTaskUpdated},
	"task_deadline_changed":      {crm.LogTaskUpdated},
	"task_type_changed":          {crm.LogTaskUpdated},
	"incoming_call":              {crm.LogDealCall, crm.LogContactCall, crm.LogCompanyCall, crm.LogCustomerCall},
	"outgoing_call":              {crm.LogDealCall, crm.LogContactCall, crm.LogCompanyCall, crm.LogCustomerCall},
	"common_note_added":          {crm.LogDealComment, crm.LogContactComment, crm.LogCompanyComment, crm.LogCustomerComment},
	"service_note_added": {crm.LogDealComment, crm.LogContactComment, crm.LogCompanyComment, crm.LogCustomerComment,
		crm.LogDealLeadLinked, crm.LogDealLeadCreated},
}

// linkSources are the link entries; their event type names the other side.
var linkSources = []int{crm.LogDealLinked, crm.LogContactLinked, crm.LogCompanyLinked, crm.LogDealUnlinked, crm.LogContactUnlinked, crm.LogCompanyUnlinked}

// candidateTypes are the entry types that can make any of the event types
// (nil: no type filter).
func candidateTypes(types map[string]bool) []int64 {
	if len(types) == 0 {
		return nil
	}
	seen := map[int]bool{}
	var out []int64
	add := func(ids []int) {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, int64(id))
			}
		}
	}
	for typ := range types {
		add(eventSources[typ])
		if strings.HasSuffix(typ, "_linked") || strings.HasSuffix(typ, "_unlinked") {
			add(linkSources)
		}
	}
	slices.Sort(out)
	return out
}

// eventChunk is how many entries the events list reads at a time while
// filling a page.
const eventChunk = 200

// listEvents serves GET /api/v4/events: newest first, limit ≤100, 204
// when nothing matches. Entries are read newest first in chunks and
// rendered and filtered until the page (and one event more, for next) is
// full.
func (h *handler) listEvents(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, err := v4Page(r)
	if err != nil {
		return err
	}
	if page.Limit > maxEventsLimit {
		return violationsErr([]crm.Violation{{Path: "limit", Code: crm.ViolationRange, Detail: "This value should be between 1 and 100."}})
	}
	q, f, err := readEventQuery(r)
	if err != nil {
		return err
	}
	er := newEventRenderer(r.Context(), h.svc, actor)
	skip, want := page.Offset(), page.Limit+1
	var items []v4Event
	q.Limit = eventChunk
	for len(items) < want {
		entries, err := h.svc.History(r.Context(), actor, q)
		if err != nil {
			return err
		}
		for _, e := range entries {
			events, rendered := er.render(r, e)
			for i, ev := range events {
				if !f.keep(rendered[i].ID, ev) {
					continue
				}
				if skip > 0 {
					skip--
					continue
				}
				items = append(items, rendered[i])
			}
		}
		if er.err != nil {
			return er.err
		}
		if len(entries) < q.Limit {
			break
		}
		q.BeforeID = entries[len(entries)-1].ID
	}
	if err := h.eventNames(r, actor, items); err != nil {
		return err
	}
	more := len(items) > page.Limit
	if more {
		items = items[:page.Limit]
	}
	// The total is not known without reading the whole history; the
	// envelope has what core §1.2 shows: _page, self, next, prev, first.
	links := pageLinks{Self: *pageURL(r, page.Number, page.Limit)}
	if more {
		links.Next = pageURL(r, page.Number+1, page.Limit)
	}
	if page.Number > 1 {
		links.Prev, links.First = pageURL(r, page.Number-1, page.Limit), pageURL(r, 1, page.Limit)
	}
	if len(items) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	writeHAL(w, http.StatusOK, map[string]any{"_page": page.Number, "_links": links, "_embedded": map[string]any{"events": items}})
	return nil
}

// getEvent serves GET /api/v4/events/{id}: the bare model; an unknown id
// is 204.
func (h *handler) getEvent(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	entryID, n, ok := parseEventID(r.PathValue("event_id"))
	if !ok {
		return crm.Errorf(crm.KindNotFound, "No event has this id.")
	}
	e, err := h.svc.HistoryEntry(r.Context(), actor, entryID)
	if err != nil {
		return err
	}
	er := newEventRenderer(r.Context(), h.svc, actor)
	_, events := er.render(r, e)
	if er.err != nil {
		return er.err
	}
	if n >= len(events) {
		return crm.Errorf(crm.KindNotFound, "No event has this id.")
	}
	items := events[n : n+1]
	if err := h.eventNames(r, actor, items); err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, items[0])
	return nil
}

// eventNames adds the entity's name to _embedded.entity for the with
// flags lead_name, contact_name, company_name and customer_name (core
// §7.2). An entity that is gone has no name.
func (h *handler) eventNames(r *http.Request, actor crm.Actor, items []v4Event) error {
	with := readWith(r)
	flags := map[string]string{"lead": "lead_name", "contact": "contact_name", "company": "company_name", "customer": "customer_name"}
	names := map[string]*string{}
	for i := range items {
		ev := &items[i]
		flag, ok := flags[ev.EntityType]
		if !ok || !with[flag] {
			continue
		}
		key := ev.EntityType + ":" + strconv.FormatInt(ev.EntityID, 10)
		name, seen := names[key]
		if !seen {
			var s string
			var err error
			switch ev.EntityType {
			case "lead":
				var d crm.DealFamily
				d, err = h.svc.Deal(r.Context(), actor, ev.EntityID, false)
				s = d.Deal.Name
			case "contact":
				var c crm.Contact
				c, err = h.svc.Contact(r.Context(), actor, ev.EntityID)
				s = c.Name
			case "company":
				var c crm.Company
				c, err = h.svc.Company(r.Context(), actor, ev.EntityID)
				s = c.Name
			case "customer":
				var c crm.Customer
				c, err = h.svc.Customer(r.Context(), actor, ev.EntityID)
				s = c.Name
			}
			switch {
			case err == nil:
				name = &s
			case crm.KindOf(err) != crm.KindNotFound:
				return err
			}
			names[key] = name
		}
		ev.Embedded.Entity.Name = name
	}
	return nil
}

// eventRoutes are the v4 event endpoints. The id of GET …/events/{id} is
// a string, not a number, so it has its own wildcard name (the router's
// id check does not apply).
func (h *handler) eventRoutes() []route {
	return []route{
		{"GET /api/v4/events", h.listEvents},
		{"GET /api/v4/events/types", h.listEventTypes},
		{"GET /api/v4/events/{event_id}", h.getEvent},
	}
}
