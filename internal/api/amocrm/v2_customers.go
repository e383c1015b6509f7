package amocrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM API v2 customers (seed 001): POST /api/v2/customers with add,
// update and delete sections, and GET /api/v2/customers with its filters.

const (
	v2CustomersPath = "/api/v2/customers"
	v2ContactsPath  = "/api/v2/contacts"
	v2CompaniesPath = "/api/v2/companies"
)

// v2StaleUpdate is the text amoCRM v2 answers for an update whose
// updated_at is older than the stored record's (the domain's
// CodeStaleUpdate, which v2 sees as a result's Conflict).
const v2StaleUpdate = "Last modified date is older than in database"

// v2CustomerJSON is a customer as seed 001's list example shows it, keys in
// the same order.
type v2CustomerJSON struct {
	ID                int64         `json:"id"`
	Name              string        `json:"name"`
	ResponsibleUserID int64         `json:"responsible_user_id"`
	CreatedBy         int64         `json:"created_by"`
	CreatedAt         int64         `json:"created_at"`
	UpdatedAt         int64         `json:"updated_at"`
	AccountID         int64         `json:"account_id"`
	UpdatedBy         int64         `json:"updated_by"`
	IsDeleted         bool          `json:"is_deleted"`
	MainContact       v2Ref         `json:"main_contact"`
	Tags              []v2TagJSON   `json:"tags"`
	CustomFields      []v2FieldJSON `json:"custom_fields"`
	Contacts          v2ContactsRef `json:"contacts"`
	Company           v2CompanyRef  `json:"company"`
	NextPrice         int64         `json:"next_price"`
	ClosestTaskAt     int64         `json:"closest_task_at"`
	PeriodID          int64         `json:"period_id"`
	Periodicity       int           `json:"periodicity"`
	NextDate          int64         `json:"next_date"`
	Links             v2Links       `json:"_links"`
}

// v2Ref is a linked record ({id,_links}), or {} when there is none.
type v2Ref struct {
	ID    int64    `json:"id,omitempty"`
	Links *v2Links `json:"_links,omitempty"`
}

// v2ContactsRef is the customer's contacts ({id:[…],_links}), or {}.
type v2ContactsRef struct {
	ID    []int64  `json:"id,omitempty"`
	Links *v2Links `json:"_links,omitempty"`
}

// v2CompanyRef is the customer's company ({id,name,_links}), or {}.
type v2CompanyRef struct {
	ID    int64    `json:"id,omitempty"`
	Name  *string  `json:"name,omitempty"`
	Links *v2Links `json:"_links,omitempty"`
}

type v2TagJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type v2FieldJSON struct {
	ID       int64         `json:"id"`
	Name     string        `json:"name"`
	Values   []v2ValueJSON `json:"values"`
	IsSystem bool          `json:"is_system"`
}

// v2ValueJSON is one value: {value}, {value, enum:"<id>"} for select and
// multiselect (the enum id as a string, as in the seed), or {value, subtype}
// for address parts.
type v2ValueJSON struct {
	Value   string `json:"value"`
	Enum    string `json:"enum,omitempty"`
	Subtype string `json:"subtype,omitempty"`
}

func toV2Customer(c crm.Customer, companies map[int64]crm.Company) v2CustomerJSON {
	j := v2CustomerJSON{
		ID: c.ID, Name: c.Name, ResponsibleUserID: c.ResponsibleUserID, CreatedBy: c.CreatedBy,
		CreatedAt: unixOr0(c.CreatedAt), UpdatedAt: unixOr0(c.UpdatedAt), AccountID: c.AccountID, UpdatedBy: c.UpdatedBy,
		Tags: []v2TagJSON{}, NextPrice: c.NextPrice,
		ClosestTaskAt: unixOr0(c.ClosestTaskAt), PeriodID: c.StatusID, Periodicity: c.Periodicity,
		NextDate: unixOr0(c.NextDate), Links: v2Get(v2IDHref(v2CustomersPath, c.ID)),
	}
	if id := c.MainContactID(); id != 0 {
		l := v2Get(v2IDHref(v2ContactsPath, id))
		j.MainContact = v2Ref{ID: id, Links: &l}
	}
	if len(c.Contacts) > 0 {
		ids := make([]int64, len(c.Contacts))
		for i, cl := range c.Contacts {
			ids[i] = cl.ContactID
		}
		l := v2Get(v2IDHref(v2ContactsPath, ids...))
		j.Contacts = v2ContactsRef{ID: ids, Links: &l}
	}
	if c.CompanyID != 0 {
		name := companies[c.CompanyID].Name
		l := v2Get(v2IDHref(v2CompaniesPath, c.CompanyID))
		j.Company = v2CompanyRef{ID: c.CompanyID, Name: &name, Links: &l}
	}
	for _, t := range c.Tags {
		j.Tags = append(j.Tags, v2TagJSON{ID: t.ID, Name: t.Name})
	}
	j.CustomFields = toV2Fields(c.Fields)
	return j
}

// toV2Fields renders custom field values as v2's custom_fields ([] when none).
func toV2Fields(fields []crm.FieldValue) []v2FieldJSON {
	out := []v2FieldJSON{}
	for _, fv := range fields {
		f := v2FieldJSON{ID: fv.FieldID, Name: fv.FieldName, Values: []v2ValueJSON{}}
		for _, v := range fv.Values {
			val := v2ValueJSON{Value: v.Text, Subtype: v.Subtype}
			if v.EnumID != 0 {
				val.Enum = strconv.FormatInt(v.EnumID, 10)
			}
			f.Values = append(f.Values, val)
		}
		out = append(out, f)
	}
	return out
}

// v2CustomerPath renames a domain violation path to v2's field names
// (status_id is period_id; custom_fields_values.N.field_id is
// custom_fields.N.id; a value's enum_id is its enum).
func v2CustomerPath(p string) string {
	parts := strings.Split(p, ".")
	for i, s := range parts {
		switch s {
		case "status_id":
			parts[i] = "period_id"
		case "custom_fields_values":
			parts[i] = "custom_fields"
		case "field_id":
			parts[i] = "id"
		case "enum_id":
			parts[i] = "enum"
		}
	}
	return strings.Join(parts, ".")
}

// v2FieldTypes looks up the types of custom fields once per request; a bare
// value in custom_fields[].values is an enum id only for enum fields.
type v2FieldTypes struct {
	h     *handler
	ctx   context.Context
	actor crm.Actor
	types map[int64]crm.FieldType
}

// typeOf is the field's type, or "" for an unknown field (the domain
// reports it when the write is validated).
func (ft *v2FieldTypes) typeOf(id int64) (crm.FieldType, error) {
	if t, ok := ft.types[id]; ok {
		return t, nil
	}
	f, err := ft.h.svc.CustomField(ft.ctx, ft.actor, crm.EntityCustomer, id)
	if err != nil && crm.KindOf(err) != crm.KindNotFound {
		return "", err
	}
	ft.types[id] = f.Type
	return f.Type, nil
}

// v2CustomFields reads custom_fields: [{id, values:[{value, enum, subtype}]}]
// or, for select/multiselect, values as a bare array of enum ids (strings or
// numbers). Missing or empty values clear the field.
func v2CustomFields(rd reader, ft *v2FieldTypes) ([]crm.FieldValueInput, error) {
	a, ok := rd.array("custom_fields")
	if !ok {
		return nil, nil
	}
	out := make([]crm.FieldValueInput, 0, len(a))
	for i, raw := range a {
		fr := newReader(raw, rd.item, fmt.Sprintf("%s.%d", rd.path("custom_fields"), i), rd.errs)
		var in crm.FieldValueInput
		if id := v2Int64(fr, "id"); id != nil {
			in.FieldID = *id
		}
		values, ok := fr.array("values")
		in.Clear = !ok || len(values) == 0
		for j, rv := range values {
			vp := fmt.Sprintf("%s.values.%d", fr.prefix, j)
			var v crm.ValueInput
			if _, isObj := rv.(map[string]any); !isObj {
				// A bare value: an enum id for enum fields, else the value.
				var typ crm.FieldType
				if in.FieldID != 0 {
					var err error
					if typ, err = ft.typeOf(in.FieldID); err != nil {
						return nil, err
					}
				}
				n, isNum, _ := v2Number(rv)
				switch {
				case typ.HasEnums() && !isNum:
					addType(rd.errs, rd.item, vp, "int")
				case typ.HasEnums() || typ == "" && isNum:
					v.EnumID = n
				default:
					v.HasValue, v.Value = true, plainValue(rv)
				}
				in.Values = append(in.Values, v)
				continue
			}
			vr := newReader(rv, rd.item, vp, rd.errs)
			if val, ok := vr.obj["value"]; ok && val != nil {
				v.HasValue, v.Value = true, plainValue(val)
			}
			if id := v2Int64(vr, "enum"); id != nil {
				v.EnumID = *id
			}
			if st := vr.str("subtype"); st != nil {
				v.Subtype = *st
			}
			in.Values = append(in.Values, v)
		}
		out = append(out, in)
	}
	return out, nil
}

// v2Tags reads tags: v2's comma-separated string (also an array of names).
func v2Tags(rd reader) *[]crm.TagRef {
	v, ok := rd.obj["tags"]
	if !ok || v == nil {
		return nil
	}
	var refs []crm.TagRef
	switch x := v.(type) {
	case string:
		refs = crm.SplitTags(x)
	case []any:
		names := make([]string, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				addType(rd.errs, rd.item, fmt.Sprintf("%s.%d", rd.path("tags"), i), "string")
				continue
			}
			names = append(names, s)
		}
		refs = crm.SplitTags(strings.Join(names, ","))
	default:
		addType(rd.errs, rd.item, rd.path("tags"), "string")
		return nil
	}
	if refs == nil {
		refs = []crm.TagRef{}
	}
	return &refs
}

// v2CustomerInput reads the fields add and update share. On add,
// updated_at is the customer's modification time; on update it is the
// time the client's change is based on (SeenUpdatedAt), read by the caller.
func v2CustomerInput(rd reader, ft *v2FieldTypes, isAdd bool) (crm.CustomerInput, error) {
	in := crm.CustomerInput{
		Name:              v2Str(rd, "name"),
		NextDate:          v2Time(rd, "next_date"),
		CreatedAt:         v2Time(rd, "created_at"),
		ResponsibleUserID: v2Int64(rd, "responsible_user_id"),
		CreatedBy:         v2Int64(rd, "created_by"),
		NextPrice:         v2Int64(rd, "next_price"),
		Periodicity:       v2Int(rd, "periodicity"),
		Tags:              v2Tags(rd),
		StatusID:          v2Int64(rd, "period_id"), // v2's period is the customer's status
		CompanyID:         v2Int64(rd, "company_id"),
	}
	if isAdd {
		in.UpdatedAt = v2Time(rd, "updated_at")
	}
	if v, ok := rd.obj["contacts_id"]; ok {
		in.AddContactIDs = v2IDs(v, rd.item, rd.path("contacts_id"), rd.errs)
	}
	var err error
	in.Fields, err = v2CustomFields(rd, ft)
	return in, err
}

// v2RequestID is an item's request_id as the client sent it (string or
// number), or def.
func v2RequestID(rd reader, def any) any {
	v, ok := rd.obj["request_id"]
	if !ok || v == nil {
		return def
	}
	switch v.(type) {
	case string, json.Number:
		return v
	}
	addType(rd.errs, rd.item, rd.path("request_id"), "string")
	return def
}

// v2WriteItem is one written item of a v2 POST response.
type v2WriteItem struct {
	ID        int64   `json:"id"`
	RequestID any     `json:"request_id"`
	Links     v2Links `json:"_links"`
}

type v2DeletedCustomer struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// v2WriteEmbedded is _embedded of a v2 POST: the written items, the deleted
// ones when the body mixed delete with add/update (a delete-only body gets
// items:{deleted:[…]} as in the seed), and per-item errors.
type v2WriteEmbedded struct {
	Items   any                          `json:"items"`
	Deleted any                          `json:"deleted,omitempty"`
	Errors  map[string]map[string]string `json:"errors,omitempty"`
}

func (h *handler) v2PostCustomers(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	obj, err := v2Body(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	ft := &v2FieldTypes{h: h, ctx: ctx, actor: actor, types: map[int64]crm.FieldType{}}
	var errs v2Errors
	addItems, hasAdd := v2Section(obj, "add", &errs)
	updItems, hasUpd := v2Section(obj, "update", &errs)

	var addV, updV, delV []crm.Violation
	adds := make([]crm.CustomerInput, len(addItems))
	addRIDs := make([]any, len(addItems))
	for i, it := range addItems {
		rd := newReader(it, i, "", &addV)
		if adds[i], err = v2CustomerInput(rd, ft, true); err != nil {
			return err
		}
		// request_id: the given one, else the item's index as a number (seed: 0).
		addRIDs[i] = v2RequestID(rd, i)
	}
	updates := make([]crm.CustomerInput, len(updItems))
	updRIDs := make([]any, len(updItems))
	for i, it := range updItems {
		rd := newReader(it, i, "", &updV)
		if updates[i], err = v2CustomerInput(rd, ft, false); err != nil {
			return err
		}
		// id and updated_at are required on update (seed: "require"); an
		// updated_at older than the stored one is a per-item conflict. An
		// empty string is "not given" here as everywhere in v2, so it is
		// missing too rather than an update without a precondition; 0 is
		// a version older than any (stale).
		if rd.obj != nil && !rd.has("id") {
			updV = append(updV, crm.Violation{Item: i, Path: "id", Code: crm.ViolationRequired, Detail: "This field is missing."})
		} else if id := v2Int64(rd, "id"); id != nil {
			updates[i].ID = *id
		}
		if rd.obj != nil {
			before := len(updV)
			if seen := v2Time(rd, "updated_at"); seen != nil {
				updates[i].SeenUpdatedAt = seen
			} else if len(updV) == before {
				updV = append(updV, crm.Violation{Item: i, Path: "updated_at", Code: crm.ViolationRequired, Detail: "This field is missing."})
			}
		}
		if u, ok := rd.obj["unlink"]; ok && u != nil {
			ur := newReader(u, i, "unlink", &updV)
			if v, ok := ur.obj["contacts_id"]; ok {
				updates[i].UnlinkContactIDs = v2IDs(v, i, "unlink.contacts_id", &updV)
			}
			updates[i].UnlinkCompanyID = v2Int64(ur, "company_id")
		}
		// request_id: the given one, else the customer's id (seed: 466791).
		updRIDs[i] = v2RequestID(rd, updates[i].ID)
	}
	var delIDs []int64
	if v, ok := obj["delete"]; ok {
		delIDs = v2IDs(v, 0, "delete", &delV)
	}
	hasDel := len(delIDs) > 0
	errs.addViolations("add", addV, v2CustomerPath)
	errs.addViolations("update", updV, v2CustomerPath)
	errs.addViolations("", delV, nil)
	if err := errs.err(); err != nil {
		return err
	}
	if !hasAdd && !hasUpd && !hasDel {
		return newProblem(http.StatusBadRequest, "The request needs at least one of add, update or delete.")
	}

	// The sections run in the documented order add, update, delete, in one
	// transaction: bad input anywhere writes nothing.
	batch := crm.CustomerBatch{Delete: delIDs}
	if hasAdd {
		batch.Add = adds
	}
	if hasUpd {
		batch.Update = updates
	}
	res, err := h.svc.ApplyCustomerBatch(ctx, actor, batch)
	if err != nil {
		var se *crm.SectionError
		if errors.As(err, &se) && se.Section != "delete" {
			return v2SectionErr(se.Section, se.Err, v2CustomerPath)
		}
		return err
	}
	items := []v2WriteItem{}
	var emb v2WriteEmbedded
	for i, c := range res.Added {
		items = append(items, v2WriteItem{ID: c.ID, RequestID: addRIDs[i], Links: v2Get(v2IDHref(v2CustomersPath, c.ID))})
	}
	for i, r := range res.Updated {
		if r.Conflict {
			if emb.Errors == nil {
				emb.Errors = map[string]map[string]string{"update": {}}
			}
			emb.Errors["update"][strconv.FormatInt(r.Customer.ID, 10)] = v2StaleUpdate
			continue
		}
		items = append(items, v2WriteItem{ID: r.Customer.ID, RequestID: updRIDs[i], Links: v2Get(v2IDHref(v2CustomersPath, r.Customer.ID))})
	}
	if hasDel {
		list := make([]v2DeletedCustomer, len(res.Deleted))
		for i, d := range res.Deleted {
			list[i] = v2DeletedCustomer{ID: d.ID, Name: d.Name}
		}
		if !hasAdd && !hasUpd {
			emb.Items = map[string]any{"deleted": list}
		} else {
			emb.Deleted = list
		}
	}
	if emb.Items == nil {
		emb.Items = items
	}
	writeV2(w, r, v2CustomersPath, emb)
	return nil
}

func (h *handler) v2ListCustomers(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	q := r.URL.Query()
	ids, _, err := v2QueryIDs(q, "id")
	if err != nil {
		return err
	}
	var cq crm.CustomerQuery
	if len(ids) > 0 {
		// With id, every other parameter is ignored (seed 001).
		cq = crm.CustomerQuery{IDs: ids, Limit: len(ids)}
	} else if cq, err = h.v2CustomerFilter(r, actor); err != nil {
		return err
	}
	// v2's list has no total to send: the store reads the page alone.
	cq.NoTotal = true
	list, _, err := h.svc.Customers(r.Context(), actor, cq)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		writeV2Empty(w)
		return nil
	}
	companies, err := h.v2Companies(r.Context(), actor, list)
	if err != nil {
		return err
	}
	out := make([]v2CustomerJSON, len(list))
	for i, c := range list {
		out[i] = toV2Customer(c, companies)
	}
	writeV2(w, r, v2CustomersPath, map[string]any{"items": out})
	return nil
}

// v2CustomerFilter reads the list parameters other than id.
func (h *handler) v2CustomerFilter(r *http.Request, actor crm.Actor) (crm.CustomerQuery, error) {
	q := r.URL.Query()
	var cq crm.CustomerQuery
	var err error
	if cq.Limit, cq.Offset, err = v2Rows(q); err != nil {
		return cq, err
	}
	if cq.ResponsibleUserIDs, _, err = v2QueryIDs(q, "filter[main_user]"); err != nil {
		return cq, err
	}
	dateType := strings.TrimSpace(q.Get("filter[date][type]"))
	hasDate := q.Get("filter[date][from]") != "" || q.Get("filter[date][to]") != ""
	hasNext := q.Get("filter[next_date][from]") != "" || q.Get("filter[next_date][to]") != ""
	if !hasDate && !hasNext {
		if dateType != "" && dateType != "create" && dateType != "modify" {
			return cq, v2Bad("filter[date][type]", fmt.Sprintf("%q is not a date type: use create or modify.", dateType))
		}
		return cq, nil
	}
	loc, err := h.v2Location(r, actor)
	if err != nil {
		return cq, err
	}
	if hasDate {
		rg, err := v2DateRange(q, "filter[date]", loc)
		if err != nil {
			return cq, err
		}
		switch dateType {
		case "create":
			cq.CreatedAt = rg
		case "modify":
			cq.UpdatedAt = rg
		case "":
			return cq, v2Bad("filter[date][type]", "filter[date][from] and filter[date][to] need filter[date][type]: create or modify.")
		default:
			return cq, v2Bad("filter[date][type]", fmt.Sprintf("%q is not a date type: use create or modify.", dateType))
		}
	}
	if hasNext {
		if cq.NextDate, err = v2DateRange(q, "filter[next_date]", loc); err != nil {
			return cq, err
		}
	}
	return cq, nil
}

// v2Companies loads the companies the customers link to, for their names.
func (h *handler) v2Companies(ctx context.Context, actor crm.Actor, list []crm.Customer) (map[int64]crm.Company, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, c := range list {
		if c.CompanyID != 0 && !seen[c.CompanyID] {
			seen[c.CompanyID] = true
			ids = append(ids, c.CompanyID)
		}
	}
	out := make(map[int64]crm.Company, len(ids))
	for start := 0; start < len(ids); start += crm.MaxPageLimit {
		chunk := ids[start:min(start+crm.MaxPageLimit, len(ids))]
		companies, _, err := h.svc.Companies(ctx, actor, crm.ListQuery{IDs: chunk, Limit: len(chunk)})
		if err != nil {
			return nil, err
		}
		for _, co := range companies {
			out[co.ID] = co
		}
	}
	return out, nil
}
