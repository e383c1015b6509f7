package amocrm

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// v4ComplexResult is one item of POST /api/v4/leads/complex's answer
// (§2.7): a bare array, request_id an array of strings, contact_id and
// company_id null when the lead has none. crmd has no duplicate control,
// so merged is always false and each request_id array holds one id.
type v4ComplexResult struct {
	ID        int64    `json:"id"`
	ContactID *int64   `json:"contact_id"`
	CompanyID *int64   `json:"company_id"`
	RequestID []string `json:"request_id"`
	Merged    bool     `json:"merged"`
}

// addComplexLeads serves POST /api/v4/leads/complex: at most 50 leads, each
// with at most one contact and one company, new or existing; all or
// nothing. _embedded.metadata (create as unsorted) is refused: an unsorted
// request is made through /api/v4/leads/unsorted/forms or /sip, and a lead
// silently made sorted instead would be a different record than asked.
func (h *handler) addComplexLeads(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	var errs []crm.Violation
	items, ids := batchItems(body, &errs)
	if len(items) > crm.MaxComplexLeads {
		return newProblem(http.StatusBadRequest, "At most "+strconv.Itoa(crm.MaxComplexLeads)+" leads may be added in one complex request")
	}
	in := make([]crm.ComplexLead, len(items))
	for i, it := range items {
		rd := newReader(it, i, "", &errs)
		rd.str("request_id") // only to type-check it
		in[i].Lead = readLeadInput(rd, false, false)
		if !rd.has("_embedded") {
			continue
		}
		emb := newReader(rd.obj["_embedded"], i, "_embedded", &errs)
		if emb.has("metadata") {
			errs = append(errs, crm.Violation{Item: i, Path: "_embedded.metadata", Code: crm.ViolationUnexpected,
				Detail: "crmd does not create unsorted leads through /api/v4/leads/complex; use /api/v4/leads/unsorted/forms or /sip."})
		}
		in[i].Contact = readComplexParty(emb, "contacts", true)
		in[i].Company = readComplexParty(emb, "companies", false)
	}
	if err := violationsErr(errs); err != nil {
		return v4Paths(withItems(err, ids))
	}
	made, err := h.svc.AddComplexLeads(r.Context(), actor, in)
	if err != nil {
		return v4Paths(withItems(err, ids))
	}
	out := make([]v4ComplexResult, len(made))
	for i, m := range made {
		out[i] = v4ComplexResult{ID: m.LeadID, ContactID: nonZero(m.ContactID), CompanyID: nonZero(m.CompanyID), RequestID: []string{ids[i]}}
	}
	writeHAL(w, http.StatusOK, out)
	return nil
}

// readComplexParty reads _embedded.contacts[0] or _embedded.companies[0]:
// {id} of an existing record or a create model (§3.4: name, first_name and
// last_name for contacts, responsible_user_id, custom_fields_values, whose
// PHONE and EMAIL values a contact keeps as contact data).
func readComplexParty(emb reader, key string, contact bool) *crm.ComplexParty {
	a, ok := emb.array(key)
	if !ok || len(a) == 0 {
		return nil
	}
	if len(a) > 1 {
		*emb.errs = append(*emb.errs, crm.Violation{Item: emb.item, Path: emb.path(key), Code: crm.ViolationInvalid,
			Detail: "A complex lead takes at most one " + strings.TrimSuffix(strings.TrimSuffix(key, "s"), "ie") + "."})
	}
	pr := newReader(a[0], emb.item, emb.path(key)+".0", emb.errs)
	p := &crm.ComplexParty{}
	if id := pr.int64("id"); id != nil {
		p.ID = *id
		return p
	}
	p.Name = pr.str("name")
	p.ResponsibleUserID = pr.int64("responsible_user_id")
	if contact {
		if s := pr.str("first_name"); s != nil {
			p.FirstName = *s
		}
		if s := pr.str("last_name"); s != nil {
			p.LastName = *s
		}
	}
	fields, _ := pr.fieldValues("custom_fields_values")
	for _, f := range fields {
		code := strings.ToUpper(f.FieldCode)
		if contact && f.FieldID == 0 && (code == "PHONE" || code == "EMAIL") {
			for _, v := range f.Values {
				s, _ := v.Value.(string)
				if code == "PHONE" {
					p.Phones = append(p.Phones, s)
				} else {
					p.Emails = append(p.Emails, s)
				}
			}
			continue
		}
		p.Fields = append(p.Fields, f)
	}
	return p
}
