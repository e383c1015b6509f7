package amocrm

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

type enumJSON struct {
	ID    int64   `json:"id"`
	Value string  `json:"value"`
	Sort  int     `json:"sort"`
	Code  *string `json:"code"`
}

type customFieldJSON struct {
	ID               int64      `json:"id"`
	Name             string     `json:"name"`
	Type             string     `json:"type"`
	AccountID        int64      `json:"account_id"`
	Code             *string    `json:"code"`
	Sort             int        `json:"sort"`
	IsAPIOnly        bool       `json:"is_api_only"`
	Enums            []enumJSON `json:"enums"`
	RequiredStatuses []any      `json:"required_statuses"`
	// IsPredefined and IsDeletable exist on contacts' and companies'
	// fields (companion §4.2): PHONE, EMAIL … are predefined.
	IsPredefined *bool     `json:"is_predefined,omitempty"`
	IsDeletable  *bool     `json:"is_deletable,omitempty"`
	EntityType   string    `json:"entity_type"`
	RequestID    string    `json:"request_id,omitempty"`
	Links        selfLinks `json:"_links"`
}

// fieldsPath is the custom fields collection of an entity type.
func fieldsPath(entity crm.EntityType) string {
	if entity == crm.EntitySegment {
		return "/api/v4/customers/segments/custom_fields"
	}
	return "/api/v4/" + string(entity) + "/custom_fields"
}

func toFieldJSON(r *http.Request, f crm.CustomField) customFieldJSON {
	out := customFieldJSON{ID: f.ID, Name: f.Name, Type: string(f.Type), AccountID: f.AccountID, Sort: f.Sort,
		EntityType: string(f.EntityType), RequiredStatuses: []any{},
		Links: selfLink(r, fieldsPath(f.EntityType)+"/"+strconv.FormatInt(f.ID, 10))}
	if f.Code != "" {
		code := f.Code
		out.Code = &code
	}
	if crm.HasPredefined(f.EntityType) {
		pre := crm.IsPredefined(f.EntityType, f.ID)
		del := !pre
		out.IsPredefined, out.IsDeletable = &pre, &del
	}
	// PHONE and EMAIL (multitext) list their kinds as enums too.
	if f.Type.HasEnums() || f.Type == crm.FieldMultitext {
		out.Enums = make([]enumJSON, len(f.Enums))
		for i, e := range f.Enums {
			out.Enums[i] = enumJSON{ID: e.ID, Value: e.Value, Sort: e.Sort}
			if e.Code != "" {
				code := e.Code
				out.Enums[i].Code = &code
			}
		}
	}
	return out
}

// readFieldQuery parses page, limit, filter[type] (one value or a list) and
// order[sort|id]=asc|desc.
func readFieldQuery(r *http.Request) (crm.FieldQuery, error) {
	page, err := readPage(r)
	if err != nil {
		return crm.FieldQuery{}, err
	}
	q := crm.FieldQuery{Page: page, Predefined: true}
	var errs []crm.Violation
	for key, values := range r.URL.Query() {
		switch {
		case key == "filter[type]" || strings.HasPrefix(key, "filter[type]["):
			for _, v := range values {
				q.Types = append(q.Types, crm.FieldType(v))
			}
		case key == "order[sort]" || key == "order[id]":
			q.OrderBy = strings.TrimSuffix(strings.TrimPrefix(key, "order["), "]")
			switch strings.ToLower(values[0]) {
			case "asc":
			case "desc":
				q.Desc = true
			default:
				errs = append(errs, crm.Violation{Path: key, Code: crm.ViolationChoice, Detail: "The value you selected is not a valid choice."})
			}
		}
	}
	return q, violationsErr(errs)
}

// fieldRoutes are the custom field endpoints of one entity under base
// (…/custom_fields and …/custom_fields/{id}): every entity with custom
// fields serves the same five, so they are written once.
func (h *handler) fieldRoutes(base string, entity crm.EntityType) []route {
	return []route{
		{"GET " + base + "/custom_fields", h.listFields(entity)},
		{"POST " + base + "/custom_fields", h.addFields(entity)},
		{"GET " + base + "/custom_fields/{id}", h.getField(entity)},
		{"PATCH " + base + "/custom_fields/{id}", h.patchField(entity)},
		{"DELETE " + base + "/custom_fields/{id}", deleteBy(h.svc.DeleteCustomFieldOf(entity))},
	}
}

func (h *handler) listFields(entity crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		q, err := readFieldQuery(r)
		if err != nil {
			return err
		}
		list, total, q, err := h.svc.CustomFields(r.Context(), actor, entity, q)
		if err != nil {
			return err
		}
		items := make([]customFieldJSON, len(list))
		for i, f := range list {
			items[i] = toFieldJSON(r, f)
		}
		writeList(w, len(items), paged(r, q.Page, total, "custom_fields", items, true))
		return nil
	}
}

func (h *handler) getField(entity crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		f, err := h.svc.FieldDefinition(r.Context(), actor, entity, id)
		if err != nil {
			return err
		}
		writeHAL(w, http.StatusOK, toFieldJSON(r, f))
		return nil
	}
}

// readEnums reads an enums array; nil when absent or null.
func readEnums(rd reader) *[]crm.EnumInput {
	a, ok := rd.array("enums")
	if !ok {
		return nil
	}
	out := make([]crm.EnumInput, 0, len(a))
	for i, raw := range a {
		er := newReader(raw, rd.item, join(rd.prefix, "enums."+strconv.Itoa(i)), rd.errs)
		var e crm.EnumInput
		if id := er.int64("id"); id != nil {
			e.ID = *id
		}
		if v := er.str("value"); v != nil {
			e.Value = *v
		}
		e.Sort = er.int("sort")
		if c := er.str("code"); c != nil {
			e.Code = *c
		}
		out = append(out, e)
	}
	return &out
}

func (h *handler) addFields(entity crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		body, err := readJSON(r)
		if err != nil {
			return err
		}
		var errs []crm.Violation
		items, ids := batchItems(body, &errs)
		in := make([]crm.NewCustomField, len(items))
		for i, it := range items {
			rd := newReader(it, i, "", &errs)
			rd.str("request_id")
			n := crm.NewCustomField{Name: rd.str("name"), Sort: rd.int("sort")}
			if t := rd.str("type"); t != nil {
				n.Type = crm.FieldType(*t)
			}
			if c := rd.str("code"); c != nil {
				n.Code = *c
			}
			if e := readEnums(rd); e != nil {
				n.Enums = *e
			}
			in[i] = n
		}
		if err := violationsErr(errs); err != nil {
			return withItems(err, ids)
		}
		created, err := h.svc.AddCustomFields(r.Context(), actor, entity, in)
		if err != nil {
			return withItems(err, ids)
		}
		out := make([]customFieldJSON, len(created))
		for i, f := range created {
			out[i] = toFieldJSON(r, f)
			out[i].RequestID = ids[i]
		}
		// amoCRM documents 201 for custom field creation, with no _links.
		writeHAL(w, http.StatusCreated, struct {
			TotalItems int            `json:"_total_items"`
			Embedded   map[string]any `json:"_embedded"`
		}{len(out), map[string]any{"custom_fields": out}})
		return nil
	}
}

func (h *handler) patchField(entity crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		body, err := readSingle(r)
		if err != nil {
			return err
		}
		p := crm.CustomFieldPatch{Name: body.str("name"), Code: body.str("code"), Sort: body.int("sort"), Enums: readEnums(body.reader)}
		if body.has("type") {
			*body.errs = append(*body.errs, crm.Violation{Path: "type", Code: crm.ViolationUnexpected, Detail: "The type of a field cannot be changed."})
		}
		if err := body.decodeErr(); err != nil {
			return err
		}
		f, err := h.svc.UpdateCustomField(r.Context(), actor, entity, id, p)
		if err != nil {
			return body.wrap(err)
		}
		out := toFieldJSON(r, f)
		out.RequestID = body.requestID
		// amoCRM documents 201 for custom field PATCH too.
		writeHAL(w, http.StatusCreated, out)
		return nil
	}
}
