package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Custom fields (/settings/fields?entity=leads): the account's own fields
// of each entity type crm knows (deals, contacts, companies, customers,
// Envybox requests, customer segments), in their order (sort). An
// administrator creates a field with a type the entity accepts
// (crm.FieldTypesFor) and, for select, multiselect and radio types, its
// options; renames it, changes its sort and options (an emptied option is
// deleted with the values that chose it, amoCRM's PATCH rule), and
// deletes it. The calls are crm.Service.AddCustomFields,
// UpdateCustomField and DeleteCustomField, the ones behind amoCRM's
// /api/v4/{entity}/custom_fields; a field's type never changes, as in
// amoCRM.

func (h *handler) fieldSettingsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /settings/fields", h.adminOnly(h.fieldsPage))
	mux.Handle("POST /settings/fields", h.adminOnly(h.createField))
	mux.Handle("POST /settings/fields/{entity}/{id}", h.adminOnly(h.saveField))
	mux.Handle("POST /settings/fields/{entity}/{id}/delete", h.adminOnly(h.deleteField))
}

// fieldEntities are the entity types the page offers, in its tabs' order.
var fieldEntities = []crm.EntityType{crm.EntityDeal, crm.EntityContact, crm.EntityCompany, crm.EntityCustomer,
	crm.EntityInbound, crm.EntitySegment}

// fieldsData is the custom fields page of one entity type.
type fieldsData struct {
	settingsForm
	Entity   crm.EntityType
	Entities []crm.EntityType
	Types    []crm.FieldType
	Fields   []crm.CustomField
	// New is the create form's values when it was refused.
	New newFieldForm
}

// newFieldForm is what the create form sent.
type newFieldForm struct {
	Name, Type, Sort, Options string
}

// entityParam reads the entity type of the page; the deals' when absent.
func entityParam(v *view, s string) (crm.EntityType, error) {
	if s == "" {
		return crm.EntityDeal, nil
	}
	for _, e := range fieldEntities {
		if string(e) == s {
			return e, nil
		}
	}
	return "", crm.Errorf(crm.KindNotFound, "%s", v.T("fields.unknown_entity"))
}

func (h *handler) fieldsPage(w http.ResponseWriter, r *http.Request, v *view) {
	entity, err := entityParam(v, r.URL.Query().Get("entity"))
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.renderFields(w, r, v, http.StatusOK, fieldsData{Entity: entity, settingsForm: settingsForm{Saved: r.URL.Query().Get("saved") == "1"}})
}

func (h *handler) renderFields(w http.ResponseWriter, r *http.Request, v *view, status int, d fieldsData) {
	// Every field of the entity, page by page: at most 500 exist.
	q := crm.FieldQuery{Page: crm.Page{Number: 1, Limit: crm.MaxPageLimit}, OrderBy: "sort"}
	for {
		list, total, _, err := h.svc.CustomFields(r.Context(), v.Actor, d.Entity, q)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		d.Fields = append(d.Fields, list...)
		if len(list) == 0 || len(d.Fields) >= total {
			break
		}
		q.Page.Number++
	}
	d.Entities, d.Types = fieldEntities, crm.FieldTypesFor(d.Entity)
	v.Section, v.Tab, v.Title = "settings", "fields", v.T("settings.nav.fields")
	h.render(w, r, status, "settings_fields", v, d)
}

func fieldsPath(entity crm.EntityType) string { return "/settings/fields?entity=" + string(entity) }

// fieldFailed shows the fields page again with why a form was refused.
func (h *handler) fieldFailed(w http.ResponseWriter, r *http.Request, v *view, err error, d fieldsData) {
	if msg, status, ok := h.formFailed(w, r, v, err); ok {
		d.Error = msg
		h.renderFields(w, r, v, status, d)
	}
}

// optionLines are the options of a select typed one a line.
func optionLines(s string) []crm.EnumInput {
	var out []crm.EnumInput
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, crm.EnumInput{Value: line})
		}
	}
	return out
}

// sortParam reads an optional sort; ok is false for a value that is not a
// whole number.
func sortParam(s string) (*int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, false
	}
	return &n, true
}

func (h *handler) createField(w http.ResponseWriter, r *http.Request, v *view) {
	form := newFieldForm{Name: r.PostFormValue("name"), Type: r.PostFormValue("type"), Sort: r.PostFormValue("sort"), Options: r.PostFormValue("options")}
	entity, err := entityParam(v, r.PostFormValue("entity"))
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	d := fieldsData{Entity: entity, New: form}
	sort, ok := sortParam(form.Sort)
	if !ok {
		h.fieldFailed(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("fields.bad_sort")), d)
		return
	}
	n := crm.NewCustomField{Name: &form.Name, Type: crm.FieldType(form.Type), Sort: sort}
	if n.Type.HasEnums() {
		n.Enums = optionLines(form.Options)
		for i := range n.Enums {
			s := 10 * (i + 1)
			n.Enums[i].Sort = &s
		}
	}
	out, err := h.svc.AddCustomFields(r.Context(), v.Actor, entity, []crm.NewCustomField{n})
	if err != nil {
		h.fieldFailed(w, r, v, err, d)
		return
	}
	http.Redirect(w, r, fieldsPath(entity)+"&saved=1#field-"+strconv.FormatInt(out[0].ID, 10), http.StatusSeeOther)
}

// fieldIDs are the entity type and field id in the path.
func fieldIDs(r *http.Request, v *view) (crm.EntityType, int64, error) {
	entity, err := entityParam(v, r.PathValue("entity"))
	if err != nil {
		return "", 0, err
	}
	id, err := pathID(r, v)
	return entity, id, err
}

// saveField renames a field, changes its sort and, for a select type, its
// options: each existing option's box (enum_<id>; emptied, it is
// deleted) in the order shown, then the new ones typed one a line.
func (h *handler) saveField(w http.ResponseWriter, r *http.Request, v *view) {
	entity, id, err := fieldIDs(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	d := fieldsData{Entity: entity}
	name := r.PostFormValue("name")
	sort, ok := sortParam(r.PostFormValue("sort"))
	if !ok {
		h.fieldFailed(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("fields.bad_sort")), d)
		return
	}
	p := crm.CustomFieldPatch{Name: &name, Sort: sort}
	f, err := h.svc.CustomField(r.Context(), v.Actor, entity, id)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if f.Type.HasEnums() {
		var enums []crm.EnumInput
		for _, e := range f.Enums {
			if val := strings.TrimSpace(r.PostFormValue("enum_" + strconv.FormatInt(e.ID, 10))); val != "" {
				enums = append(enums, crm.EnumInput{ID: e.ID, Value: val, Code: e.Code})
			}
		}
		enums = append(enums, optionLines(r.PostFormValue("options"))...)
		for i := range enums {
			s := 10 * (i + 1)
			enums[i].Sort = &s
		}
		p.Enums = &enums
	}
	if _, err := h.svc.UpdateCustomField(r.Context(), v.Actor, entity, id, p); err != nil {
		h.fieldFailed(w, r, v, err, d)
		return
	}
	http.Redirect(w, r, fieldsPath(entity)+"&saved=1#field-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h *handler) deleteField(w http.ResponseWriter, r *http.Request, v *view) {
	entity, id, err := fieldIDs(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if err := h.svc.DeleteCustomField(r.Context(), v.Actor, entity, id); err != nil {
		h.fieldFailed(w, r, v, err, fieldsData{Entity: entity})
		return
	}
	http.Redirect(w, r, fieldsPath(entity)+"&saved=1", http.StatusSeeOther)
}
