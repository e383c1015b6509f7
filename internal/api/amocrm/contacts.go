package amocrm

import (
	"net/http"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The v4 contacts and companies API (core reference §3): lists, reads,
// batch and single creates and updates, and their custom fields. A contact
// is the Envybox client; its PHONE and EMAIL values are the client's
// contact data rows (crm's contact_card.go), so what one dialect writes the
// other reads.

func contactPath(id int64) string { return "/api/v4/contacts/" + strconv.FormatInt(id, 10) }
func companyPath(id int64) string { return "/api/v4/companies/" + strconv.FormatInt(id, 10) }

// contactRoutes are the contacts' and companies' endpoints.
func (h *handler) contactRoutes() []route {
	routes := []route{
		{"GET /api/v4/contacts", h.listContacts},
		{"POST /api/v4/contacts", h.addContacts},
		{"PATCH /api/v4/contacts", h.patchContacts},
		{"GET /api/v4/contacts/{id}", h.getContact},
		{"PATCH /api/v4/contacts/{id}", h.patchContact},
		{"GET /api/v4/companies", h.listCompanies},
		{"POST /api/v4/companies", h.addCompanies},
		{"PATCH /api/v4/companies", h.patchCompanies},
		{"GET /api/v4/companies/{id}", h.getCompany},
		{"PATCH /api/v4/companies/{id}", h.patchCompany},
	}
	routes = append(routes, h.fieldRoutes("/api/v4/contacts", crm.EntityContact)...)
	return append(routes, h.fieldRoutes("/api/v4/companies", crm.EntityCompany)...)
}

// v4Contact is the contact model of core §3.1, key for key.
type v4Contact struct {
	ID                 int64             `json:"id"`
	Name               string            `json:"name"`
	FirstName          string            `json:"first_name"`
	LastName           string            `json:"last_name"`
	ResponsibleUserID  int64             `json:"responsible_user_id"`
	GroupID            int64             `json:"group_id"`
	CreatedBy          int64             `json:"created_by"`
	UpdatedBy          int64             `json:"updated_by"`
	CreatedAt          int64             `json:"created_at"`
	UpdatedAt          int64             `json:"updated_at"`
	ClosestTaskAt      *int64            `json:"closest_task_at"`
	IsDeleted          bool              `json:"is_deleted"`
	IsUnsorted         bool              `json:"is_unsorted"`
	CustomFieldsValues []cardFieldJSON   `json:"custom_fields_values"`
	AccountID          int64             `json:"account_id"`
	Links              selfLinks         `json:"_links"`
	Embedded           v4ContactEmbedded `json:"_embedded"`
}

// v4ContactEmbedded always has tags and companies; leads and customers
// only when asked for (then [] when none).
type v4ContactEmbedded struct {
	Tags      []v4Tag  `json:"tags"`
	Companies []v4Ref  `json:"companies"`
	Leads     *[]v4Ref `json:"leads,omitempty"`
	Customers *[]v4Ref `json:"customers,omitempty"`
}

// v4Company is the company model of core §3.2.
type v4Company struct {
	ID                 int64             `json:"id"`
	Name               string            `json:"name"`
	ResponsibleUserID  int64             `json:"responsible_user_id"`
	GroupID            int64             `json:"group_id"`
	CreatedBy          int64             `json:"created_by"`
	UpdatedBy          int64             `json:"updated_by"`
	CreatedAt          int64             `json:"created_at"`
	UpdatedAt          int64             `json:"updated_at"`
	ClosestTaskAt      *int64            `json:"closest_task_at"`
	IsDeleted          bool              `json:"is_deleted"`
	CustomFieldsValues []cardFieldJSON   `json:"custom_fields_values"`
	AccountID          int64             `json:"account_id"`
	Links              selfLinks         `json:"_links"`
	Embedded           v4CompanyEmbedded `json:"_embedded"`
}

type v4CompanyEmbedded struct {
	Tags      []v4Tag  `json:"tags"`
	Contacts  *[]v4Ref `json:"contacts,omitempty"`
	Leads     *[]v4Ref `json:"leads,omitempty"`
	Customers *[]v4Ref `json:"customers,omitempty"`
}

// cardFieldJSON is one field of a contact's or company's
// custom_fields_values on read.
type cardFieldJSON struct {
	FieldID   int64           `json:"field_id"`
	FieldName string          `json:"field_name"`
	FieldCode *string         `json:"field_code"`
	FieldType string          `json:"field_type"`
	Values    []cardValueJSON `json:"values"`
}

// cardValueJSON is one value. A PHONE or EMAIL value names its kind by
// enum_id and enum (the read-side key, companion §4.6); a smart_address
// part by enum_id and enum_code, as customers' do.
type cardValueJSON struct {
	Value    any    `json:"value"`
	EnumID   int64  `json:"enum_id,omitempty"`
	Enum     string `json:"enum,omitempty"`
	EnumCode string `json:"enum_code,omitempty"`
}

func toCardFields(values []crm.FieldValue) []cardFieldJSON {
	if len(values) == 0 {
		return nil
	}
	base := toV4FieldValues(values)
	out := make([]cardFieldJSON, len(base))
	for i, b := range base {
		out[i] = cardFieldJSON{FieldID: b.FieldID, FieldName: b.FieldName, FieldCode: b.FieldCode, FieldType: b.FieldType,
			Values: make([]cardValueJSON, len(b.Values))}
		for j, v := range b.Values {
			out[i].Values[j] = cardValueJSON{Value: v.Value, EnumID: v.EnumID, EnumCode: v.EnumCode}
			if values[i].FieldType == crm.FieldMultitext {
				out[i].Values[j] = cardValueJSON{Value: v.Value, EnumID: v.EnumID, Enum: values[i].Values[j].EnumCode}
			}
		}
	}
	return out
}

func refs(r *http.Request, ids []int64, path func(int64) string) []v4Ref {
	out := make([]v4Ref, len(ids))
	for i, id := range ids {
		out[i] = v4Ref{ID: id, Links: selfLink(r, path(id))}
	}
	return out
}

func refsIf(r *http.Request, asked bool, ids []int64, path func(int64) string) *[]v4Ref {
	if !asked {
		return nil
	}
	out := refs(r, ids, path)
	return &out
}

func cardTags(tags []crm.Tag) []v4Tag {
	out := make([]v4Tag, len(tags))
	for i, t := range tags {
		out[i] = v4Tag{ID: t.ID, Name: t.Name}
	}
	return out
}

// toV4Contact renders a card. crmd keeps tasks on deals only, so a
// contact's closest_task_at is null; group_id is 0 (crmd has no user
// groups in amoCRM's sense); is_unsorted is false: a contact exists in
// crmd only once an unsorted request is taken to work (an inbound request
// keeps its own contact data until then).
func toV4Contact(r *http.Request, c crm.ContactCard, with crm.CardWith) v4Contact {
	out := v4Contact{ID: c.ID, Name: c.Name, FirstName: c.FirstName, LastName: c.LastName, ResponsibleUserID: c.ResponsibleUserID,
		CreatedBy: c.CreatedBy, UpdatedBy: c.UpdatedBy, CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix(),
		CustomFieldsValues: toCardFields(c.Fields), AccountID: c.AccountID, Links: selfLink(r, contactPath(c.ID))}
	out.Embedded.Tags = cardTags(c.Tags)
	// A contact has at most one company in amoCRM (core §1.6); an Envybox
	// client may have several, of which its primary one is shown.
	out.Embedded.Companies = refs(r, c.CompanyIDs[:min(1, len(c.CompanyIDs))], companyPath)
	out.Embedded.Leads = refsIf(r, with.Leads, c.LeadIDs, leadPath)
	out.Embedded.Customers = refsIf(r, with.Customers, c.CustomerIDs, customerPath)
	return out
}

func toV4Company(r *http.Request, c crm.CompanyCard, with crm.CardWith) v4Company {
	out := v4Company{ID: c.ID, Name: c.Name, ResponsibleUserID: c.ResponsibleUserID,
		CreatedBy: c.CreatedBy, UpdatedBy: c.UpdatedBy, CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix(),
		CustomFieldsValues: toCardFields(c.Fields), AccountID: c.AccountID, Links: selfLink(r, companyPath(c.ID))}
	out.Embedded.Tags = cardTags(c.Tags)
	out.Embedded.Contacts = refsIf(r, with.Contacts, c.ContactIDs, contactPath)
	out.Embedded.Leads = refsIf(r, with.Leads, c.LeadIDs, leadPath)
	out.Embedded.Customers = refsIf(r, with.Customers, c.CustomerIDs, customerPath)
	return out
}

// readListQuery reads what amoCRM defines for the contacts and companies
// lists (core reference §3.3, companion §1.8): page, limit, query,
// filter[id|name|created_by|updated_by|responsible_user_id], the
// filter[created_at|updated_at] ranges, order[id|updated_at] and with. What
// crmd cannot serve is a 400 naming the reason, never ignored: an ignored
// filter answers a wider list than asked, and an integration acting on it
// (linking the first contact found) acts on the wrong record. Keys amoCRM
// does not define are ignored, as amoCRM does.
func readListQuery(r *http.Request, entity string, unserved map[string]string) (crm.Page, crm.ListQuery, error) {
	page, err := v4Page(r)
	if err != nil {
		return page, crm.ListQuery{}, err
	}
	qr := newQueryReader(r)
	q := crm.ListQuery{
		IDs:                qr.ints("id"),
		Names:              qr.strs("name"),
		ResponsibleUserIDs: qr.ints("responsible_user_id"),
		CreatedBy:          qr.ints("created_by"),
		UpdatedBy:          qr.ints("updated_by"),
		CreatedAt:          qr.rng("created_at"),
		UpdatedAt:          qr.rng("updated_at"),
		// query is a literal, case-insensitive substring of the filled
		// fields (crm.ListQuery.Search; docs/amocrm.md, "Search and list parameters").
		Search: r.URL.Query().Get("query"),
		Limit:  page.Limit, Offset: page.Offset(),
	}
	qr.refuse("closest_task_at", "crmd keeps no tasks on "+entity+".")
	qr.refuse("custom_fields_values", "crmd does not filter "+entity+" by custom field values; use query.")
	q.OrderBy, q.Desc = qr.order("id", "updated_at")
	qr.refuseWith(unserved)
	return page, q, qr.done()
}

// The with values amoCRM documents for contacts and companies that crmd
// does not embed (each says why). Unknown values are ignored, as for every
// with (readWith).
var (
	contactWith = map[string]string{
		"catalog_elements": "crmd has no catalogs.",
		"social_profiles":  "crmd keeps no social profiles.",
		"only_deleted":     "crmd keeps no deleted contacts.",
	}
	companyWith = map[string]string{
		"catalog_elements": "crmd has no catalogs.",
		"only_deleted":     "crmd keeps no deleted companies.",
	}
)

// cardWith reads the with values crmd serves on contacts and companies.
func cardWith(r *http.Request) crm.CardWith {
	w := readWith(r)
	return crm.CardWith{Leads: w["leads"], Customers: w["customers"], Contacts: w["contacts"]}
}

// listContacts serves GET /api/v4/contacts (empty, a query matching nothing
// included: 204 with no body, like every v4 list; writeList).
func (h *handler) listContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, q, err := readListQuery(r, "contacts", contactWith)
	if err != nil {
		return err
	}
	with := cardWith(r)
	list, total, err := h.svc.ContactCards(r.Context(), actor, q, with)
	if err != nil {
		return err
	}
	items := make([]v4Contact, len(list))
	for i, c := range list {
		items[i] = toV4Contact(r, c, with)
	}
	writeList(w, len(items), v4Paged(r, page, total, "contacts", items))
	return nil
}

// getContact serves GET /api/v4/contacts/{id}; a missing contact is 204.
func (h *handler) getContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := refuseWith(r, contactWith); err != nil {
		return err
	}
	with := cardWith(r)
	c, err := h.svc.ContactCard(r.Context(), actor, id, with)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toV4Contact(r, c, with))
	return nil
}

// cardCommon is what contact and company bodies share (core §3.4, §3.5).
type cardCommon struct {
	name, firstName, lastName         *string
	responsible, createdBy, updatedBy *int64
	fields                            []crm.FieldValueInput
	tags                              *[]crm.TagRef
	tagsToAdd, tagsToDelete           []crm.TagRef
	companyIDs                        []int64
	id                                *int64
	createdAt, updatedAt              *time.Time
}

// readCard reads one contact or company object. _embedded.tags replaces
// the tag set (null: no tags); _embedded.companies links a company (a
// contact's only; the Go client whatcrm/go-amocrm sends it, core §3.4).
// Keys amoCRM does not define or that are read-only are ignored (§1.5).
func readCard(rd reader) cardCommon {
	c := cardCommon{
		name: rd.str("name"), firstName: rd.str("first_name"), lastName: rd.str("last_name"),
		responsible: rd.int64("responsible_user_id"), createdBy: rd.int64("created_by"), updatedBy: rd.int64("updated_by"),
		createdAt: readUnix(rd, "created_at", false), updatedAt: readUnix(rd, "updated_at", false),
		tagsToAdd: readTagRefs(rd, "tags_to_add"), tagsToDelete: readTagRefs(rd, "tags_to_delete"),
		id: rd.int64("id"),
	}
	c.fields, _ = rd.fieldValues("custom_fields_values")
	if rd.has("_embedded") {
		emb := newReader(rd.obj["_embedded"], rd.item, rd.path("_embedded"), rd.errs)
		if v, ok := emb.obj["tags"]; ok {
			refs := []crm.TagRef{}
			if v != nil {
				refs = readTagRefs(emb, "tags")
			}
			c.tags = &refs
		}
		if emb.has("companies") {
			c.companyIDs = readRefIDs(emb, "companies")
		}
	}
	return c
}

func (c cardCommon) newContact() crm.NewContact {
	n := crm.NewContact{Name: c.name, ResponsibleUserID: c.responsible, CreatedBy: c.createdBy, UpdatedBy: c.updatedBy,
		CreatedAt: c.createdAt, UpdatedAt: c.updatedAt, Fields: c.fields, Tags: c.tags, TagsToAdd: c.tagsToAdd, CompanyIDs: c.companyIDs}
	if c.firstName != nil {
		n.FirstName = *c.firstName
	}
	if c.lastName != nil {
		n.LastName = *c.lastName
	}
	return n
}

func (c cardCommon) contactPatch() crm.ContactPatch {
	p := crm.ContactPatch{Name: c.name, FirstName: c.firstName, LastName: c.lastName, ResponsibleUserID: c.responsible,
		CreatedBy: c.createdBy, UpdatedBy: c.updatedBy, CreatedAt: c.createdAt, UpdatedAt: c.updatedAt, Fields: c.fields,
		Tags: c.tags, TagsToAdd: c.tagsToAdd, TagsToDelete: c.tagsToDelete, CompanyIDs: c.companyIDs}
	if c.id != nil {
		p.ID = *c.id
	}
	return p
}

func (c cardCommon) newCompany() crm.NewCompany {
	return crm.NewCompany{Name: c.name, ResponsibleUserID: c.responsible, CreatedBy: c.createdBy, UpdatedBy: c.updatedBy,
		CreatedAt: c.createdAt, UpdatedAt: c.updatedAt, Fields: c.fields, Tags: c.tags, TagsToAdd: c.tagsToAdd}
}

func (c cardCommon) companyPatch() crm.CompanyPatch {
	p := crm.CompanyPatch{Name: c.name, ResponsibleUserID: c.responsible, CreatedBy: c.createdBy, UpdatedBy: c.updatedBy,
		CreatedAt: c.createdAt, UpdatedAt: c.updatedAt, Fields: c.fields, Tags: c.tags, TagsToAdd: c.tagsToAdd, TagsToDelete: c.tagsToDelete}
	if c.id != nil {
		p.ID = *c.id
	}
	return p
}

// readCardBatch reads a POST or PATCH array of contacts or companies, each
// card turned into the domain input by as (a cardCommon method: one card
// reader serves all four writes).
func readCardBatch[T any](r *http.Request, what string, as func(cardCommon) T) ([]T, []string, error) {
	return readBatch(r, what, func(rd reader) T { return as(readCard(rd)) })
}

// addContacts serves POST /api/v4/contacts: all or nothing.
func (h *handler) addContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readCardBatch(r, "contacts", cardCommon.newContact)
	if err != nil {
		return err
	}
	created, err := h.svc.AddContacts(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	writeBatch(w, r, "/api/v4/contacts", "contacts", createdItems(r, ids, created, contactPath, func(c crm.Contact) int64 { return c.ID }))
	return nil
}

// v4ContactUpdated is one item of a contacts PATCH answer: the documented
// {id, name, updated_at, _links} and request_id (core §3.5, §1.5).
type v4ContactUpdated struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	UpdatedAt int64     `json:"updated_at"`
	RequestID string    `json:"request_id"`
	Links     selfLinks `json:"_links"`
}

// toContactUpdated renders one updated contact for the batch PATCH and
// the PATCH by id alike.
func toContactUpdated(r *http.Request, requestID string, c crm.Contact) v4ContactUpdated {
	return v4ContactUpdated{ID: c.ID, Name: c.Name, UpdatedAt: c.UpdatedAt.Unix(), RequestID: requestID, Links: selfLink(r, contactPath(c.ID))}
}

// patchContacts serves PATCH /api/v4/contacts: every item needs an id (an
// unknown one is a validation error at id); bad input anywhere rejects
// the whole batch.
func (h *handler) patchContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readCardBatch(r, "contacts", cardCommon.contactPatch)
	if err != nil {
		return err
	}
	updated, err := h.svc.UpdateContacts(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	out := make([]v4ContactUpdated, len(updated))
	for i, c := range updated {
		out[i] = toContactUpdated(r, ids[i], c)
	}
	writeBatch(w, r, "/api/v4/contacts", "contacts", out)
	return nil
}

// patchContact serves PATCH /api/v4/contacts/{id} with one object and
// answers the one item without an envelope; a missing contact is 404.
func (h *handler) patchContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	c, rid, err := patchByID(r,
		func(rd reader, id int64) crm.ContactPatch {
			in := readCard(rd).contactPatch()
			in.ID = id
			return in
		},
		func(id int64) error { _, err := h.svc.Contact(r.Context(), actor, id); return err },
		func(in []crm.ContactPatch) ([]crm.Contact, error) {
			return h.svc.UpdateContacts(r.Context(), actor, in)
		},
		asIs)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toContactUpdated(r, rid, c))
	return nil
}

// listCompanies serves GET /api/v4/companies.
func (h *handler) listCompanies(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, q, err := readListQuery(r, "companies", companyWith)
	if err != nil {
		return err
	}
	with := cardWith(r)
	list, total, err := h.svc.CompanyCards(r.Context(), actor, q, with)
	if err != nil {
		return err
	}
	items := make([]v4Company, len(list))
	for i, c := range list {
		items[i] = toV4Company(r, c, with)
	}
	writeList(w, len(items), v4Paged(r, page, total, "companies", items))
	return nil
}

// getCompany serves GET /api/v4/companies/{id}; a missing company is 204.
func (h *handler) getCompany(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := refuseWith(r, companyWith); err != nil {
		return err
	}
	with := cardWith(r)
	c, err := h.svc.CompanyCard(r.Context(), actor, id, with)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toV4Company(r, c, with))
	return nil
}

// addCompanies serves POST /api/v4/companies (array; name required).
func (h *handler) addCompanies(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readCardBatch(r, "companies", cardCommon.newCompany)
	if err != nil {
		return err
	}
	created, err := h.svc.AddCompanies(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	writeBatch(w, r, "/api/v4/companies", "companies", createdItems(r, ids, created, companyPath, func(c crm.Company) int64 { return c.ID }))
	return nil
}

// patchCompanies serves PATCH /api/v4/companies (items {id, updated_at,
// request_id, _links}, core §3.5).
func (h *handler) patchCompanies(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readCardBatch(r, "companies", cardCommon.companyPatch)
	if err != nil {
		return err
	}
	updated, err := h.svc.UpdateCompanies(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	writeBatch(w, r, "/api/v4/companies", "companies", updatedItems(r, ids, updated, companyPath, func(c crm.Company) (int64, time.Time) { return c.ID, c.UpdatedAt }))
	return nil
}

// patchCompany serves PATCH /api/v4/companies/{id}; a missing company is 404.
func (h *handler) patchCompany(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	c, rid, err := patchByID(r,
		func(rd reader, id int64) crm.CompanyPatch {
			in := readCard(rd).companyPatch()
			in.ID = id
			return in
		},
		func(id int64) error { _, err := h.svc.Company(r.Context(), actor, id); return err },
		func(in []crm.CompanyPatch) ([]crm.Company, error) {
			return h.svc.UpdateCompanies(r.Context(), actor, in)
		},
		asIs)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, updatedItem(r, rid, companyPath, c.ID, c.UpdatedAt))
	return nil
}
