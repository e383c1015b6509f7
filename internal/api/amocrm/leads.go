package amocrm

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The v4 leads API (core reference §2) over crmd's deals: an amoCRM lead
// is the Envybox deal, its pipeline and status the deal's pipeline and
// stage (pipelines_wire.go: the won and lost stages are 142 and 143), its
// main contact the deal's client. crm/lead.go says what leads add.

// leadRoutes are the leads, loss reasons, lead custom fields and lead
// links endpoints.
//
// GET /api/v4/leads/{id}/links cannot be registered beside
// GET /api/v4/leads/pipelines/{id} (both match /api/v4/leads/pipelines/links
// and neither is more specific), so it is GET /api/v4/leads/{id}/{sub},
// which every literal pattern beats, as customerRoutes does.
func (h *handler) leadRoutes() []route {
	return append([]route{
		{"GET /api/v4/leads", h.listLeads},
		{"POST /api/v4/leads", h.addLeads},
		{"PATCH /api/v4/leads", h.patchLeads},
		{"GET /api/v4/leads/{id}", h.getLead},
		{"POST /api/v4/leads/complex", h.addComplexLeads},
		{"PATCH /api/v4/leads/{id}", h.patchLead},

		{"GET /api/v4/leads/loss_reasons", h.listLossReasons},
		{"GET /api/v4/leads/loss_reasons/{id}", h.getLossReason},
	}, append(h.fieldRoutes("/api/v4/leads", crm.EntityDeal), h.linkRoutes()...)...)
}

func leadPath(id int64) string { return "/api/v4/leads/" + strconv.FormatInt(id, 10) }

func lossReasonPath(id int64) string {
	return "/api/v4/leads/loss_reasons/" + strconv.FormatInt(id, 10)
}

// v4Lead is the lead model of §2.1, key for key. labor_cost is left out
// (crmd does not track it; §2.1 says to emit it only when implemented);
// score and source_id are always null (crmd has no scoring or sources).
type v4Lead struct {
	ID                     int64              `json:"id"`
	Name                   string             `json:"name"`
	Price                  int64              `json:"price"`
	ResponsibleUserID      int64              `json:"responsible_user_id"`
	GroupID                int64              `json:"group_id"`
	StatusID               int64              `json:"status_id"`
	PipelineID             int64              `json:"pipeline_id"`
	LossReasonID           *int64             `json:"loss_reason_id"`
	SourceID               *int64             `json:"source_id"`
	CreatedBy              int64              `json:"created_by"`
	UpdatedBy              int64              `json:"updated_by"`
	CreatedAt              int64              `json:"created_at"`
	UpdatedAt              int64              `json:"updated_at"`
	ClosedAt               *int64             `json:"closed_at"`
	ClosestTaskAt          *int64             `json:"closest_task_at"`
	IsDeleted              bool               `json:"is_deleted"`
	CustomFieldsValues     []v4FieldValueJSON `json:"custom_fields_values"`
	Score                  *int64             `json:"score"`
	AccountID              int64              `json:"account_id"`
	IsPriceModifiedByRobot *bool              `json:"is_price_modified_by_robot,omitempty"`
	Links                  selfLinks          `json:"_links"`
	Embedded               v4LeadEmbedded     `json:"_embedded"`
}

// v4LeadEmbedded always has tags and companies; contacts and loss_reason
// only when asked for with with=contacts / with=loss_reason.
type v4LeadEmbedded struct {
	Tags       []v4Tag         `json:"tags"`
	Companies  []v4Ref         `json:"companies"`
	Contacts   *[]v4ContactRef `json:"contacts,omitempty"`
	LossReason *[]v4LossReason `json:"loss_reason,omitempty"`
}

// v4LossReason is a loss reason (§2.8), embedded in leads as a one-item
// array (§2.1: the PHP client reads [0]).
type v4LossReason struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Sort      int       `json:"sort"`
	CreatedAt int64     `json:"created_at"`
	UpdatedAt int64     `json:"updated_at"`
	Links     selfLinks `json:"_links"`
}

func toV4LossReason(r *http.Request, lr crm.LossReason) v4LossReason {
	return v4LossReason{ID: lr.ID, Name: lr.Name, Sort: lr.Sort, CreatedAt: lr.CreatedAt.Unix(), UpdatedAt: lr.UpdatedAt.Unix(),
		Links: selfLink(r, lossReasonPath(lr.ID))}
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func toV4Lead(r *http.Request, l crm.Lead, with withSet) v4Lead {
	d := l.Deal
	out := v4Lead{ID: d.ID, Name: d.Name, Price: d.Price, ResponsibleUserID: d.ResponsibleUser(), GroupID: d.DepartmentID,
		StatusID: statusWireID(d.Stage), PipelineID: d.PipelineID, LossReasonID: nonZero(d.LossReasonID),
		CreatedBy: d.CreatedBy, UpdatedBy: d.UpdatedBy, CreatedAt: d.CreatedAt.Unix(), UpdatedAt: d.UpdatedAt.Unix(),
		ClosedAt: unixOrNull(d.ClosedAt), ClosestTaskAt: unixOrNull(d.ClosestTaskAt),
		CustomFieldsValues: toV4FieldValues(d.Fields), AccountID: d.AccountID, Links: selfLink(r, leadPath(d.ID))}
	if with["is_price_modified_by_robot"] {
		// crmd has no robots that change prices.
		f := false
		out.IsPriceModifiedByRobot = &f
	}
	out.Embedded.Tags = make([]v4Tag, len(d.Tags))
	for i, t := range d.Tags {
		out.Embedded.Tags[i] = v4Tag{ID: t.ID, Name: t.Name}
	}
	out.Embedded.Companies = []v4Ref{}
	if d.CompanyID != 0 {
		out.Embedded.Companies = append(out.Embedded.Companies, v4Ref{ID: d.CompanyID, Links: selfLink(r, companyPath(d.CompanyID))})
	}
	if with["contacts"] {
		contacts := make([]v4ContactRef, len(l.Contacts))
		for i, c := range l.Contacts {
			contacts[i] = v4ContactRef{ID: c.ContactID, IsMain: c.IsMain, Links: selfLink(r, contactPath(c.ContactID))}
		}
		out.Embedded.Contacts = &contacts
	}
	if with["loss_reason"] {
		reasons := []v4LossReason{}
		if l.LossReason != nil {
			reasons = append(reasons, toV4LossReason(r, *l.LossReason))
		}
		out.Embedded.LossReason = &reasons
	}
	return out
}

// leadWith are the with values of §2.2 crmd cannot serve; each is refused
// with its reason rather than ignored.
var leadWith = map[string]string{
	"catalog_elements": "crmd has no catalogs.",
	"only_deleted":     "crmd keeps no deleted leads.",
	"source":           "crmd keeps no lead sources.",
}

// readLeadQuery reads GET /api/v4/leads' filters (§2.3). filter[statuses]
// is a list of pipeline_id + status_id pairs (142/143: the pipeline's won
// and lost stage); both keys are required per item.
func readLeadQuery(r *http.Request) (crm.Page, crm.LeadQuery, error) {
	page, err := v4Page(r)
	if err != nil {
		return page, crm.LeadQuery{}, err
	}
	qr := newQueryReader(r)
	q := crm.LeadQuery{
		IDs:                qr.ints("id"),
		Names:              qr.strs("name"),
		Price:              qr.rng("price"),
		PipelineIDs:        qr.ints("pipeline_id"),
		CreatedBy:          qr.ints("created_by"),
		UpdatedBy:          qr.ints("updated_by"),
		ResponsibleUserIDs: qr.ints("responsible_user_id"),
		CreatedAt:          qr.rng("created_at"),
		UpdatedAt:          qr.rng("updated_at"),
		ClosedAt:           qr.rng("closed_at"),
		ClosestTaskAt:      qr.rng("closest_task_at"),
		Search:             strings.TrimSpace(r.URL.Query().Get("query")),
		Limit:              page.Limit, Offset: page.Offset(),
	}
	q.Statuses = readStatusPairs(qr)
	qr.refuse("custom_fields_values", "crmd does not filter leads by custom field values; use query.")
	q.OrderBy, q.Desc = qr.order("id", "created_at", "updated_at")
	qr.refuseWith(leadWith)
	return page, q, qr.done()
}

// readStatusPairs reads filter[statuses][N][pipeline_id|status_id].
func readStatusPairs(qr *queryReader) []crm.LeadStatusRef {
	type pair struct{ pipeline, status *int64 }
	pairs := map[string]*pair{}
	for key, values := range qr.q {
		rest, ok := strings.CutPrefix(key, "filter[statuses][")
		if !ok {
			continue
		}
		qr.used[key] = true
		idx, field, ok := strings.Cut(rest, "][")
		field = strings.TrimSuffix(field, "]")
		if !ok || (field != "pipeline_id" && field != "status_id") || len(values) == 0 {
			qr.errs = append(qr.errs, crm.Violation{Path: key, Code: crm.ViolationUnexpected,
				Detail: "filter[statuses] takes items of pipeline_id and status_id."})
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(values[0]), 10, 64)
		if err != nil {
			addType(&qr.errs, 0, key, "int")
			continue
		}
		p := pairs[idx]
		if p == nil {
			p = &pair{}
			pairs[idx] = p
		}
		if field == "pipeline_id" {
			p.pipeline = &n
		} else {
			p.status = &n
		}
	}
	keys := make([]string, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []crm.LeadStatusRef
	for _, k := range keys {
		p := pairs[k]
		if p.pipeline == nil || p.status == nil {
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[statuses][" + k + "]", Code: crm.ViolationRequired,
				Detail: "Each filter[statuses] item needs both pipeline_id and status_id."})
			continue
		}
		ref := statusRef(*p.status)
		ref.PipelineID = *p.pipeline
		out = append(out, ref)
	}
	return out
}

// statusRef is the stage a wire status id names: 142/143 the won/lost
// stage of the pipeline, other ids the stage itself.
func statusRef(id int64) crm.LeadStatusRef {
	switch id {
	case wonStatusID:
		return crm.LeadStatusRef{Status: crm.StageWon}
	case lostStatusID:
		return crm.LeadStatusRef{Status: crm.StageLost}
	}
	return crm.LeadStatusRef{StageID: id}
}

// v4LeadPage is the leads list's envelope as §1.2's example shows it:
// _page and _links (next while more follow, first and prev after page 1),
// no total (crmd does not count the leads for it; see Tx.Leads).
type v4LeadPage struct {
	Page     int            `json:"_page"`
	Links    pageLinks      `json:"_links"`
	Embedded map[string]any `json:"_embedded"`
}

// listLeads serves GET /api/v4/leads (empty: 204, writeList).
func (h *handler) listLeads(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, q, err := readLeadQuery(r)
	if err != nil {
		return err
	}
	// What toV4Lead shows only when asked for is not read otherwise.
	with := readWith(r)
	if !with["contacts"] {
		q.Without |= crm.DealPartContacts
	}
	if !with["loss_reason"] {
		q.Without |= crm.DealPartLossReason
	}
	list, more, err := h.svc.Leads(r.Context(), actor, q)
	if err != nil {
		return err
	}
	items := make([]v4Lead, len(list))
	for i, l := range list {
		items[i] = toV4Lead(r, l, with)
	}
	out := v4LeadPage{Page: page.Number, Links: pageLinks{Self: *pageURL(r, page.Number, page.Limit)},
		Embedded: map[string]any{"leads": items}}
	if more {
		out.Links.Next = pageURL(r, page.Number+1, page.Limit)
	}
	if page.Number > 1 {
		out.Links.First = pageURL(r, 1, page.Limit)
		out.Links.Prev = pageURL(r, page.Number-1, page.Limit)
	}
	writeList(w, len(items), out)
	return nil
}

// getLead serves GET /api/v4/leads/{id}; a missing lead is 204 (writeV4Error).
func (h *handler) getLead(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := refuseWith(r, leadWith); err != nil {
		return err
	}
	l, err := h.svc.Lead(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toV4Lead(r, l, readWith(r)))
	return nil
}

// readLeadInput reads one lead of a POST or PATCH body (§2.5, §2.6).
// _embedded.contacts and _embedded.companies link existing records on
// POST only (§2.6: PATCH's _embedded takes tags alone; there they are
// ignored like every read-only key, §1.5). _embedded.source and
// visitor_uid are ignored: crmd keeps no sources. links is false for the
// complex add, whose contacts and companies are models (leads_complex.go).
func readLeadInput(rd reader, patch, links bool) crm.LeadInput {
	in := crm.LeadInput{
		Name:              rd.str("name"),
		Price:             rd.int64("price"),
		PipelineID:        rd.int64("pipeline_id"),
		ResponsibleUserID: rd.int64("responsible_user_id"),
		CreatedBy:         rd.int64("created_by"),
		UpdatedBy:         rd.int64("updated_by"),
		CreatedAt:         readUnix(rd, "created_at", false),
		ClosedAt:          readUnix(rd, "closed_at", false),
		LossReasonID:      rd.int64("loss_reason_id"),
		TagsToAdd:         readTagRefs(rd, "tags_to_add"),
		TagsToDelete:      readTagRefs(rd, "tags_to_delete"),
	}
	if !patch {
		// On PATCH, updated_at is the server's (amoCRM dates the change).
		in.UpdatedAt = readUnix(rd, "updated_at", false)
	} else {
		rd.int64("updated_at") // only to type-check it
	}
	if s := rd.int64("status_id"); s != nil {
		ref := statusRef(*s)
		in.Status = &ref
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
		if !patch && links {
			in.Contacts = readLeadContacts(emb)
			if ids := readRefIDs(emb, "companies"); len(ids) > 0 {
				if len(ids) > 1 {
					*rd.errs = append(*rd.errs, crm.Violation{Item: rd.item, Path: emb.path("companies"), Code: crm.ViolationInvalid,
						Detail: "A lead has at most one company."})
				}
				in.CompanyID = &ids[0]
			}
		}
	}
	return in
}

// readLeadContacts reads _embedded.contacts: [{id, is_main?}].
func readLeadContacts(emb reader) []crm.LeadContact {
	a, _ := emb.array("contacts")
	var out []crm.LeadContact
	for i, raw := range a {
		cr := newReader(raw, emb.item, emb.path("contacts")+"."+strconv.Itoa(i), emb.errs)
		id := cr.int64("id")
		if id == nil {
			if cr.obj != nil {
				*emb.errs = append(*emb.errs, crm.Violation{Item: emb.item, Path: cr.path("id"), Code: crm.ViolationRequired, Detail: "This field is missing."})
			}
			continue
		}
		c := crm.LeadContact{ID: *id}
		if m := cr.bool("is_main"); m != nil {
			c.IsMain = *m
		}
		out = append(out, c)
	}
	return out
}

// readLeadBatch reads a POST/PATCH array of leads.
func readLeadBatch(r *http.Request, patch bool) ([]crm.LeadInput, []string, error) {
	return readBatch(r, "leads", func(rd reader) crm.LeadInput {
		in := readLeadInput(rd, patch, true)
		patchItemID(rd, patch, &in.ID)
		return in
	})
}

// addLeads serves POST /api/v4/leads: all or nothing.
func (h *handler) addLeads(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readLeadBatch(r, false)
	if err != nil {
		return v4Paths(err)
	}
	created, err := h.svc.AddLeadStamps(r.Context(), actor, in)
	if err != nil {
		return v4Paths(withItems(err, ids))
	}
	writeBatch(w, r, "/api/v4/leads", "leads", createdItems(r, ids, created, leadPath, func(l crm.LeadStamp) int64 { return l.ID }))
	return nil
}

// patchLeads serves PATCH /api/v4/leads: every item needs an id; bad input
// anywhere rejects the whole batch.
func (h *handler) patchLeads(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readLeadBatch(r, true)
	if err != nil {
		return v4Paths(err)
	}
	updated, err := h.svc.UpdateLeadStamps(r.Context(), actor, in)
	if err != nil {
		return v4Paths(withItems(err, ids))
	}
	writeBatch(w, r, "/api/v4/leads", "leads", updatedItems(r, ids, updated, leadPath, func(l crm.LeadStamp) (int64, time.Time) { return l.ID, l.UpdatedAt }))
	return nil
}

// patchLead serves PATCH /api/v4/leads/{id}: one object, answered without
// an envelope (§2.6); a missing lead is 404.
func (h *handler) patchLead(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	l, rid, err := patchByID(r,
		func(rd reader, id int64) crm.LeadInput {
			in := readLeadInput(rd, true, true)
			in.ID = id
			return in
		},
		func(id int64) error { return h.svc.FindLead(r.Context(), actor, id) },
		func(in []crm.LeadInput) ([]crm.LeadStamp, error) {
			return h.svc.UpdateLeadStamps(r.Context(), actor, in)
		},
		v4Paths)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, updatedItem(r, rid, leadPath, l.ID, l.UpdatedAt))
	return nil
}

// listLossReasons serves GET /api/v4/leads/loss_reasons (§2.8): every
// reason on one page, by sort.
func (h *handler) listLossReasons(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	list, err := h.svc.LossReasons(r.Context(), actor)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toV4LossReason)
	writeList(w, len(items), collection{TotalItems: len(items), Links: selfLink(r, "/api/v4/leads/loss_reasons"),
		Embedded: map[string]any{"loss_reasons": items}})
	return nil
}

// getLossReason serves GET /api/v4/leads/loss_reasons/{id} (missing: 204).
func (h *handler) getLossReason(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	return getByID(w, r, func(id int64) (crm.LossReason, error) { return h.svc.LossReason(r.Context(), actor, id) }, toV4LossReason)
}
