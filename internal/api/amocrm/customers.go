package amocrm

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// customerRoutes are the v4 customers, transactions, links, contacts and
// companies endpoints (companion §1–§4).
//
// Go's ServeMux refuses two patterns that match the same path when neither is
// more specific, so GET /api/v4/customers/{id}/transactions and …/{id}/links
// cannot be registered beside …/statuses/{id}, …/segments/{id},
// …/transactions/{id} and …/custom_fields/{id} (all would match, say,
// /api/v4/customers/statuses/links). They share one pattern,
// GET /api/v4/customers/{id}/{sub}, which every literal pattern beats, and
// customerSub dispatches on {sub}.
func (h *handler) customerRoutes() []route {
	return append([]route{
		{"GET /api/v4/customers", h.listCustomers},
		{"POST /api/v4/customers", h.addCustomers},
		{"PATCH /api/v4/customers", h.patchCustomers},
		{"GET /api/v4/customers/{id}", h.getCustomer},
		{"PATCH /api/v4/customers/{id}", h.patchCustomer},
		{"GET /api/v4/customers/{id}/{sub}", h.customerSub},

		{"GET /api/v4/customers/transactions", h.listTransactions},
		{"GET /api/v4/customers/transactions/{id}", h.getTransaction},
		{"DELETE /api/v4/customers/transactions/{id}", h.deleteTransaction},
		{"POST /api/v4/customers/{customer_id}/transactions", h.addTransactions},
		{"GET /api/v4/customers/{customer_id}/transactions/{id}", h.getTransaction},
		{"DELETE /api/v4/customers/{customer_id}/transactions/{id}", h.deleteTransaction},

		{"POST /api/v4/customers/{id}/link", h.linkCustomer(false)},
		{"POST /api/v4/customers/{id}/unlink", h.linkCustomer(true)},
	}, h.fieldRoutes("/api/v4/customers", crm.EntityCustomer)...)
}

// customerSub serves GET /api/v4/customers/{id}/transactions and
// GET /api/v4/customers/{id}/links (see customerRoutes).
func (h *handler) customerSub(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	switch r.PathValue("sub") {
	case "transactions":
		return h.listCustomerTransactions(w, r, actor)
	case "links":
		return h.listCustomerLinks(w, r, actor)
	case "notes":
		return h.customerNotes(w, r, actor)
	}
	return newProblem(http.StatusNotFound, "Not found")
}

// maxBatch is the most entities one v4 write may carry (companion §0.5).
const maxBatch = 250

func customerPath(id int64) string { return "/api/v4/customers/" + strconv.FormatInt(id, 10) }

// v4Customer is the customer model of companion §1.2, key for key.
type v4Customer struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	NextPrice         int64  `json:"next_price"`
	NextDate          *int64 `json:"next_date"`
	ResponsibleUserID int64  `json:"responsible_user_id"`
	// StatusID is 0 when the customer has no status (segments mode): the
	// companion types it int, so it is never null.
	StatusID           int64              `json:"status_id"`
	Periodicity        int                `json:"periodicity"`
	CreatedBy          int64              `json:"created_by"`
	UpdatedBy          int64              `json:"updated_by"`
	CreatedAt          int64              `json:"created_at"`
	UpdatedAt          int64              `json:"updated_at"`
	ClosestTaskAt      *int64             `json:"closest_task_at"`
	IsDeleted          bool               `json:"is_deleted"`
	CustomFieldsValues []v4FieldValueJSON `json:"custom_fields_values"`
	LTV                int64              `json:"ltv"`
	PurchasesCount     int64              `json:"purchases_count"`
	AverageCheck       int64              `json:"average_check"`
	AccountID          int64              `json:"account_id"`
	Links              selfLinks          `json:"_links"`
	Embedded           v4CustomerEmbedded `json:"_embedded"`
}

// v4CustomerEmbedded always has segments and tags; contacts and companies
// only when asked for with with=contacts / with=companies (then [] when none).
// with=catalog_elements is accepted and embeds nothing: crmd keeps no catalogs.
type v4CustomerEmbedded struct {
	Segments  []v4Ref         `json:"segments"`
	Tags      []v4Tag         `json:"tags"`
	Contacts  *[]v4ContactRef `json:"contacts,omitempty"`
	Companies *[]v4Ref        `json:"companies,omitempty"`
}

// v4Ref is an embedded reference: an id and its self link.
type v4Ref struct {
	ID    int64     `json:"id"`
	Links selfLinks `json:"_links"`
}

type v4ContactRef struct {
	ID     int64     `json:"id"`
	IsMain bool      `json:"is_main"`
	Links  selfLinks `json:"_links"`
}

// v4Tag is a tag as customers embed it; colour exists only for lead tags.
type v4Tag struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name"`
	Color *string `json:"color"`
}

// v4FieldValueJSON is one field of custom_fields_values on read.
type v4FieldValueJSON struct {
	Values    []v4ValueJSON `json:"values"`
	FieldID   int64         `json:"field_id"`
	FieldName string        `json:"field_name"`
	FieldCode *string       `json:"field_code"`
	FieldType string        `json:"field_type"`
}

type v4ValueJSON struct {
	Value    any    `json:"value"`
	EnumID   int64  `json:"enum_id,omitempty"`
	EnumCode string `json:"enum_code,omitempty"`
}

// toV4FieldValues renders values like toFieldValuesJSON, and smart_address
// parts as {"value","enum_id":1–6,"enum_code":subtype}, the form v4 writes
// them in. No values is null (companion §4.6).
func toV4FieldValues(values []crm.FieldValue) []v4FieldValueJSON {
	if len(values) == 0 {
		return nil
	}
	base := toFieldValuesJSON(values)
	out := make([]v4FieldValueJSON, len(base))
	for i, b := range base {
		out[i] = v4FieldValueJSON{FieldID: b.FieldID, FieldName: b.FieldName, FieldCode: b.FieldCode, FieldType: b.FieldType,
			Values: make([]v4ValueJSON, len(b.Values))}
		for j, v := range b.Values {
			out[i].Values[j] = v4ValueJSON{Value: v.Value, EnumID: v.EnumID}
			if values[i].FieldType == crm.FieldSmartAddress {
				sub := values[i].Values[j].Subtype
				out[i].Values[j] = v4ValueJSON{Value: v.Value, EnumID: crm.AddressSubtypeID(sub), EnumCode: sub}
			}
		}
	}
	return out
}

// unixOrNull renders a time that may be unset.
func unixOrNull(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

func toV4Customer(r *http.Request, c crm.Customer, with withSet) v4Customer {
	out := v4Customer{ID: c.ID, Name: c.Name, NextPrice: c.NextPrice, NextDate: unixOrNull(c.NextDate),
		ResponsibleUserID: c.ResponsibleUserID, StatusID: c.StatusID, Periodicity: c.Periodicity,
		CreatedBy: c.CreatedBy, UpdatedBy: c.UpdatedBy, CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix(),
		ClosestTaskAt: unixOrNull(c.ClosestTaskAt), CustomFieldsValues: toV4FieldValues(c.Fields),
		LTV: c.LTV, PurchasesCount: c.PurchasesCount, AverageCheck: c.AverageCheck, AccountID: c.AccountID,
		Links: selfLink(r, customerPath(c.ID))}
	out.Embedded.Segments = make([]v4Ref, len(c.SegmentIDs))
	for i, id := range c.SegmentIDs {
		out.Embedded.Segments[i] = v4Ref{ID: id, Links: selfLink(r, segmentPath(id))}
	}
	out.Embedded.Tags = make([]v4Tag, len(c.Tags))
	for i, t := range c.Tags {
		out.Embedded.Tags[i] = v4Tag{ID: t.ID, Name: t.Name}
	}
	if with["contacts"] {
		contacts := make([]v4ContactRef, len(c.Contacts))
		for i, l := range c.Contacts {
			contacts[i] = v4ContactRef{ID: l.ContactID, IsMain: l.IsMain, Links: selfLink(r, contactPath(l.ContactID))}
		}
		out.Embedded.Contacts = &contacts
	}
	if with["companies"] {
		companies := []v4Ref{}
		if c.CompanyID != 0 {
			companies = append(companies, v4Ref{ID: c.CompanyID, Links: selfLink(r, companyPath(c.CompanyID))})
		}
		out.Embedded.Companies = &companies
	}
	return out
}

// readCustomerQuery reads the filters, order and query of GET /api/v4/customers.
func readCustomerQuery(r *http.Request) (crm.CustomerQuery, error) {
	qr := newQueryReader(r)
	q := crm.CustomerQuery{
		IDs:                qr.ints("id"),
		Names:              qr.strs("name"),
		StatusIDs:          qr.ints("status_id"),
		ResponsibleUserIDs: qr.ints("responsible_user_id"),
		CreatedBy:          qr.ints("created_by"),
		UpdatedBy:          qr.ints("updated_by"),
		CreatedAt:          qr.rng("created_at"),
		UpdatedAt:          qr.rng("updated_at"),
		NextDate:           qr.rng("next_date"),
		NextPrice:          qr.rng("next_price"),
		ClosestTaskAt:      qr.rng("closest_task_at"),
		Search:             strings.TrimSpace(r.URL.Query().Get("query")),
	}
	q.OrderBy, q.Desc = qr.order("id", "created_at", "updated_at", "next_date")
	return q, qr.done()
}

// listCustomers serves GET /api/v4/customers; an empty list (or a page past
// the last) is amoCRM's 204 with no body (writeList).
func (h *handler) listCustomers(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, err := v4Page(r)
	if err != nil {
		return err
	}
	q, err := readCustomerQuery(r)
	if err != nil {
		return err
	}
	q.Limit, q.Offset = page.Limit, page.Offset()
	list, total, err := h.svc.Customers(r.Context(), actor, q)
	if err != nil {
		return err
	}
	with := readWith(r)
	items := make([]v4Customer, len(list))
	for i, c := range list {
		items[i] = toV4Customer(r, c, with)
	}
	writeList(w, len(items), v4Paged(r, page, total, "customers", items))
	return nil
}

// getCustomer serves GET /api/v4/customers/{id}; a missing customer is
// amoCRM's 204 with no body (writeV4Error).
func (h *handler) getCustomer(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := h.svc.Customer(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toV4Customer(r, c, readWith(r)))
	return nil
}

// readUnix reads a Unix-seconds field. zeroIsNone makes 0 the unset time
// (next_date: no expected purchase); otherwise 0 counts as not given.
func readUnix(rd reader, key string, zeroIsNone bool) *time.Time {
	p := rd.int64(key)
	switch {
	case p == nil:
		return nil
	case *p == 0 && zeroIsNone:
		return &time.Time{}
	case *p == 0:
		return nil
	}
	t := time.Unix(*p, 0).UTC()
	return &t
}

// readSeen reads a PATCH's updated_at as the version the client's change is
// based on. Unlike other times, 0 is not "not given" here: 0 and negative
// numbers are versions older than any customer, so they are refused as
// stale rather than skipping the check.
func readSeen(rd reader) *time.Time {
	p := rd.int64("updated_at")
	if p == nil {
		return nil
	}
	t := time.Unix(*p, 0).UTC()
	return &t
}

// readTagRefs reads [{id}|{name}] at key.
func readTagRefs(rd reader, key string) []crm.TagRef {
	a, _ := rd.array(key)
	out := []crm.TagRef{}
	for i, raw := range a {
		tr := newReader(raw, rd.item, rd.path(key)+"."+strconv.Itoa(i), rd.errs)
		var ref crm.TagRef
		if id := tr.int64("id"); id != nil {
			ref.ID = *id
		}
		if name := tr.str("name"); name != nil {
			ref.Name = *name
		}
		out = append(out, ref)
	}
	return out
}

// readRefIDs reads [{id}] at key.
func readRefIDs(rd reader, key string) []int64 {
	a, _ := rd.array(key)
	out := []int64{}
	for i, raw := range a {
		ir := newReader(raw, rd.item, rd.path(key)+"."+strconv.Itoa(i), rd.errs)
		id := ir.int64("id")
		if id == nil {
			if ir.obj != nil {
				*rd.errs = append(*rd.errs, crm.Violation{Item: rd.item, Path: ir.path("id"), Code: crm.ViolationRequired, Detail: "This field is missing."})
			}
			continue
		}
		out = append(out, *id)
	}
	return out
}

// readCustomerInput reads one customer of a POST or PATCH body (§1.5, §1.6).
// _embedded.tags replaces the tag set (null: no tags); _embedded.segments
// replaces the segments the same way (amoCRM's PHP library sends it on PATCH).
// updated_at dates a new customer on POST; on PATCH it is the version the
// client read, a precondition (see readSeen).
func readCustomerInput(rd reader, patch bool) crm.CustomerInput {
	in := crm.CustomerInput{
		Name:              rd.str("name"),
		NextPrice:         rd.int64("next_price"),
		NextDate:          readUnix(rd, "next_date", true),
		ResponsibleUserID: rd.int64("responsible_user_id"),
		StatusID:          rd.int64("status_id"),
		Periodicity:       rd.int("periodicity"),
		CreatedBy:         rd.int64("created_by"),
		UpdatedBy:         rd.int64("updated_by"),
		CreatedAt:         readUnix(rd, "created_at", false),
		TagsToAdd:         readTagRefs(rd, "tags_to_add"),
		TagsToDelete:      readTagRefs(rd, "tags_to_delete"),
	}
	if patch {
		in.SeenUpdatedAt = readSeen(rd)
	} else {
		in.UpdatedAt = readUnix(rd, "updated_at", false)
	}
	in.Fields, _ = rd.fieldValues("custom_fields_values")
	if rd.has("_embedded") {
		emb := newReader(rd.obj["_embedded"], rd.item, rd.path("_embedded"), rd.errs)
		if v, ok := emb.obj["tags"]; ok {
			refs := []crm.TagRef{}
			if v != nil {
				refs = readTagRefs(emb, "tags")
			}
			in.Tags = &refs
		}
		if _, ok := emb.obj["segments"]; ok {
			ids := readRefIDs(emb, "segments")
			in.SegmentIDs = &ids
		}
	}
	return in
}

// v4Paths renames the domain's violation paths to the v4 wire's: the domain
// names the tag set "tags" (v2's key), v4 sends it as _embedded.tags.
func v4Paths(err error) error {
	e, ok := crm.AsError(err)
	if !ok || len(e.Violations) == 0 {
		return err
	}
	renamed := *e
	renamed.Violations = make([]crm.Violation, len(e.Violations))
	for i, v := range e.Violations {
		if v.Path == "tags" || strings.HasPrefix(v.Path, "tags.") {
			v.Path = "_embedded." + v.Path
		}
		renamed.Violations[i] = v
	}
	var items *itemsError
	if errors.As(err, &items) {
		return withItems(&renamed, items.requestIDs)
	}
	return &renamed
}

// batchLimit refuses a batch larger than amoCRM allows.
func batchLimit(n int, what string) error {
	if n > maxBatch {
		return newProblem(http.StatusBadRequest, "At most "+strconv.Itoa(maxBatch)+" "+what+" may be written in one request")
	}
	return nil
}

// v4Batch is the answer of a v4 batch write: _links.self and the items.
type v4Batch struct {
	Links    selfLinks      `json:"_links"`
	Embedded map[string]any `json:"_embedded"`
}

// readCustomerBatch reads a POST/PATCH array of customers.
func readCustomerBatch(r *http.Request, patch bool) ([]crm.CustomerInput, []string, error) {
	return readBatch(r, "customers", func(rd reader) crm.CustomerInput {
		in := readCustomerInput(rd, patch)
		patchItemID(rd, patch, &in.ID)
		return in
	})
}

// addCustomers serves POST /api/v4/customers: all or nothing.
func (h *handler) addCustomers(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readCustomerBatch(r, false)
	if err != nil {
		return err
	}
	created, err := h.svc.AddCustomers(r.Context(), actor, in)
	if err != nil {
		return v4Paths(withItems(err, ids))
	}
	writeBatch(w, r, "/api/v4/customers", "customers", createdItems(r, ids, created, customerPath, func(c crm.Customer) int64 { return c.ID }))
	return nil
}

// v4Updated is one item of a PATCH answer (§1.6).
type v4Updated struct {
	ID        int64     `json:"id"`
	UpdatedAt int64     `json:"updated_at"`
	RequestID string    `json:"request_id"`
	Links     selfLinks `json:"_links"`
}

// staleProblem answers the domain's conflict for a PATCH whose updated_at is
// older than the stored customer's: 409 (the kind table's conflict), with
// the stale items named by request_id in validation-errors, the place v4
// names items, so a client knows which customers to read again. The batch
// wrote nothing. Other errors pass through.
func staleProblem(err error, requestIDs []string) error {
	e, ok := crm.AsError(err)
	if !ok || e.Kind != crm.KindConflict || len(e.Violations) == 0 {
		return err
	}
	p := newProblem(http.StatusConflict, e.Message)
	for _, v := range e.Violations {
		rid := strconv.Itoa(v.Item)
		if v.Item < len(requestIDs) && requestIDs[v.Item] != "" {
			rid = requestIDs[v.Item]
		}
		p.ValidationErrors = append(p.ValidationErrors, validationError{RequestID: rid,
			Errors: []fieldError{{Code: "Conflict", Path: v.Path, Detail: v.Detail}}})
	}
	return p
}

// patchCustomers serves PATCH /api/v4/customers: every item needs an id;
// bad input or a stale updated_at anywhere rejects the whole batch.
func (h *handler) patchCustomers(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readCustomerBatch(r, true)
	if err != nil {
		return err
	}
	updated, err := h.svc.UpdateCustomersAtomic(r.Context(), actor, in)
	if err != nil {
		return staleProblem(v4Paths(withItems(err, ids)), ids)
	}
	writeBatch(w, r, "/api/v4/customers", "customers", updatedItems(r, ids, updated, customerPath, func(c crm.Customer) (int64, time.Time) { return c.ID, c.UpdatedAt }))
	return nil
}

// patchCustomer serves PATCH /api/v4/customers/{id} with one object and
// answers the one item without an envelope. The companion has no response
// example for customers; the item keeps request_id like the batch's items.
func (h *handler) patchCustomer(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	// A missing customer is 404 here, not a violation of the body's id.
	c, rid, err := patchByID(r,
		func(rd reader, id int64) crm.CustomerInput {
			in := readCustomerInput(rd, true)
			in.ID = id
			return in
		},
		func(id int64) error { _, err := h.svc.Customer(r.Context(), actor, id); return err },
		func(in []crm.CustomerInput) ([]crm.Customer, error) {
			return h.svc.UpdateCustomersAtomic(r.Context(), actor, in)
		},
		v4Paths)
	if err != nil {
		return staleProblem(err, []string{rid})
	}
	writeHAL(w, http.StatusOK, updatedItem(r, rid, customerPath, c.ID, c.UpdatedAt))
	return nil
}
