package amocrm

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM's unsorted (core reference §9) over crmd's inbound requests: an
// unsorted item IS an Envybox lead not yet taken to work, named by a uid
// derived from its id (crm.UnsortedUID). Accepting one is Envybox's
// lead/start; the domain (crm/unsorted_service.go) holds the rules.

// unsortedRoutes serve unsorted. The literal segments (summary, sip,
// forms, chats, mail) are more specific than {uid}, and every pattern here
// starts with the literal /api/v4/leads/unsorted, so the standard mux never
// takes "unsorted" for a lead id: a /api/v4/leads/{id}/{sub} pattern is less
// specific than each. (A GET /api/v4/leads/{id}/links pattern would clash
// with GET …/unsorted/{uid} — and with GET …/pipelines/{id} — which is why
// customers serve their sub-lists through one {id}/{sub} pattern.) No
// pattern has a wildcard in a literal's place: none is "unsorted/{category}",
// which would clash with a POST /api/v4/leads/{id}/link.
func (h *handler) unsortedRoutes() []route {
	return []route{
		{"GET /api/v4/leads/unsorted", h.listUnsorted},
		{"GET /api/v4/leads/unsorted/summary", h.unsortedSummary},
		{"GET /api/v4/leads/unsorted/{uid}", h.getUnsorted},
		{"POST /api/v4/leads/unsorted/sip", h.addUnsorted(crm.UnsortedSIP)},
		{"POST /api/v4/leads/unsorted/forms", h.addUnsorted(crm.UnsortedForms)},
		{"POST /api/v4/leads/unsorted/chats", h.addUnsortedOther(crm.UnsortedChats)},
		{"POST /api/v4/leads/unsorted/mail", h.addUnsortedOther(crm.UnsortedMail)},
		{"POST /api/v4/leads/unsorted/{uid}/accept", h.acceptUnsorted},
		{"DELETE /api/v4/leads/unsorted/{uid}/decline", h.declineUnsorted},
		{"POST /api/v4/leads/unsorted/{uid}/link", h.linkUnsorted},
	}
}

// errNoItem is what an uid that names no item gets: 204 on GET, 404 on
// accept, decline and link (§13.5).
var errNoItem = crm.Fail(crm.CodeInboundNotFound)

// pathUID reads the {uid} path segment into the request id.
func pathUID(r *http.Request) (int64, error) {
	id, ok := crm.ParseUnsortedUID(r.PathValue("uid"))
	if !ok {
		return 0, errNoItem
	}
	return id, nil
}

// unsortedErr words the domain's "taken to work already" for unsorted: the
// item was accepted (through either dialect) or declined, and amoCRM
// documents 400 for accept, decline and link, not 409.
func unsortedErr(err error) error {
	if e, ok := crm.AsError(err); ok && e.Code == crm.CodeInboundTaken {
		return newProblem(http.StatusBadRequest, "The unsorted item has been accepted or declined already")
	}
	return err
}

// listUnsorted serves GET /api/v4/leads/unsorted: the pending items, by id
// unless ordered (amoCRM documents no default order). filter[uid] (one or
// a list), filter[category] (a list of sip, mail, forms, chats) and
// filter[pipeline_id] narrow it; a malformed uid names nothing.
func (h *handler) listUnsorted(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := v4Page(r)
	if err != nil {
		return err
	}
	qr := newQueryReader(r)
	q := crm.UnsortedQuery{Limit: p.Limit, Offset: p.Offset()}
	q.IDs = uidFilter(qr)
	for _, c := range qr.strs("category") {
		for _, part := range strings.Split(c, ",") {
			part = strings.TrimSpace(part)
			if !containsStr(crm.UnsortedCategories, part) {
				qr.errs = append(qr.errs, crm.Violation{Path: "filter[category]", Code: crm.ViolationChoice,
					Detail: "The category must be one of sip, mail, forms, chats."})
				continue
			}
			q.Categories = append(q.Categories, part)
		}
	}
	q.PipelineIDs = qr.ints("pipeline_id")
	q.OrderBy, q.Desc = qr.order("created_at", "updated_at")
	if err := qr.done(); err != nil {
		return err
	}
	list, total, err := h.svc.UnsortedList(r.Context(), actor, q)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toUnsortedJSON)
	writeList(w, len(items), v4Paged(r, p, total, "unsorted", items))
	return nil
}

// uidFilter reads filter[uid]; a uid that is not one of crmd's names the
// impossible id 0, so that it narrows the list to nothing rather than
// widening it.
func uidFilter(qr *queryReader) []int64 {
	var ids []int64
	for _, v := range qr.strs("uid") {
		for _, part := range strings.Split(v, ",") {
			id, _ := crm.ParseUnsortedUID(strings.TrimSpace(part))
			ids = append(ids, id)
		}
	}
	return ids
}

// getUnsorted serves GET /api/v4/leads/unsorted/{uid}: a pending item, or
// 204 (unknown, accepted or declined).
func (h *handler) getUnsorted(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathUID(r)
	if err != nil {
		return err
	}
	u, err := h.svc.UnsortedItem(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toUnsortedJSON(r, u))
	return nil
}

// addUnsorted serves POST /api/v4/leads/unsorted/sip and /forms: a batch of
// items, all or none (§9.4).
func (h *handler) addUnsorted(category string) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		in, ids, err := readBatch(r, "unsorted items", func(rd reader) crm.NewUnsorted { return readNewUnsorted(rd, category) })
		if err != nil {
			return err
		}
		created, err := h.svc.CreateUnsorted(r.Context(), actor, in)
		if err != nil {
			return renamePaths(err, ids, func(_ int, path string) string { return unsortedPathName(path) })
		}
		out := make([]unsortedCreated, len(created))
		for i, u := range created {
			out[i] = unsortedCreated{UID: crm.UnsortedUID(u.ID), AccountID: u.AccountID, RequestID: ids[i],
				Links:    selfLink(r, unsortedItemPath(u.ID)),
				Embedded: unsortedEmbedded{Leads: []v4Ref{}, Contacts: []v4Ref{}, Companies: []v4Ref{}}}
		}
		writeHAL(w, http.StatusOK, map[string]any{"_total_items": len(out), "_embedded": map[string]any{"unsorted": out}})
		return nil
	}
}

// addUnsortedOther answers POST to another category: chats and mail come
// from amoCRM's own channels and cannot be created through the API (§9.1).
func (h *handler) addUnsortedOther(category string) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		return newProblem(http.StatusBadRequest, "Unsorted "+category+" items cannot be created through the API, only sip and forms")
	}
}

// readOptional reads a body that may be absent (accept, decline and link
// take optional parameters): no body reads as an empty object.
func readOptional(r *http.Request) (*singleBody, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, newProblem(http.StatusBadRequest, "Could not read the request body")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return readSingle(r)
}

// acceptUnsorted serves POST /api/v4/leads/unsorted/{uid}/accept: the
// request is taken to work (§9.5). user_id acts and becomes responsible
// (default: the token's user); status_id is the deal's stage (142/143: the
// pipeline's won/lost stage; default: its first stage after unsorted).
func (h *handler) acceptUnsorted(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathUID(r)
	if err != nil {
		return err
	}
	body, err := readOptional(r)
	if err != nil {
		return err
	}
	var a crm.UnsortedAccept
	if u := body.int64("user_id"); u != nil {
		a.UserID = *u
	}
	if st := body.int64("status_id"); st != nil {
		switch *st {
		case wonStatusID:
			a.StageStatus = crm.StageWon
		case lostStatusID:
			a.StageStatus = crm.StageLost
		default:
			a.StageID = *st
			if *st <= 0 {
				*body.errs = append(*body.errs, crm.Violation{Path: "status_id", Code: crm.ViolationChoice,
					Detail: "status_id is not a status of the item's pipeline."})
			}
		}
	}
	if err := body.decodeErr(); err != nil {
		return err
	}
	res, err := h.svc.AcceptUnsorted(r.Context(), actor, id, a)
	if err != nil {
		return unsortedErr(err)
	}
	writeHAL(w, http.StatusOK, toUnsortedDone(r, res))
	return nil
}

// declineUnsorted serves DELETE /api/v4/leads/unsorted/{uid}/decline, with
// an optional body {user_id} (§9.5).
func (h *handler) declineUnsorted(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathUID(r)
	if err != nil {
		return err
	}
	body, err := readOptional(r)
	if err != nil {
		return err
	}
	var userID int64
	if u := body.int64("user_id"); u != nil {
		userID = *u
	}
	if err := body.decodeErr(); err != nil {
		return err
	}
	res, err := h.svc.DeclineUnsorted(r.Context(), actor, id, userID)
	if err != nil {
		return unsortedErr(err)
	}
	out := toUnsortedDone(r, res)
	writeHAL(w, http.StatusOK, out)
	return nil
}

// linkUnsorted serves POST /api/v4/leads/unsorted/{uid}/link: the request
// is attached to an existing lead (a deal) as taken to work by its client.
// Linking to a customer is refused: a customer has no place for an inbound
// request in crmd.
func (h *handler) linkUnsorted(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathUID(r)
	if err != nil {
		return err
	}
	body, err := readOptional(r)
	if err != nil {
		return err
	}
	var userID, dealID int64
	if u := body.int64("user_id"); u != nil {
		userID = *u
	}
	if !body.has("link") {
		*body.errs = append(*body.errs, crm.Violation{Path: "link", Code: crm.ViolationRequired, Detail: "link is required."})
	} else {
		lr := newReader(body.obj["link"], 0, "link", body.errs)
		if e := lr.int64("entity_id"); e != nil {
			dealID = *e
		} else if lr.obj != nil {
			*body.errs = append(*body.errs, crm.Violation{Path: "link.entity_id", Code: crm.ViolationRequired, Detail: "This field is missing."})
		}
		switch t := lr.str("entity_type"); {
		case t == nil:
			if lr.obj != nil {
				*body.errs = append(*body.errs, crm.Violation{Path: "link.entity_type", Code: crm.ViolationRequired, Detail: "This field is missing."})
			}
		case *t == "leads":
		case *t == "customers":
			*body.errs = append(*body.errs, crm.Violation{Path: "link.entity_type", Code: crm.ViolationChoice,
				Detail: "crmd links unsorted items to leads only."})
		default:
			*body.errs = append(*body.errs, crm.Violation{Path: "link.entity_type", Code: crm.ViolationChoice,
				Detail: "entity_type must be leads or customers."})
		}
		if lr.has("metadata") {
			newReader(lr.obj["metadata"], 0, "link.metadata", body.errs).int64("contact_id")
		}
	}
	if err := body.decodeErr(); err != nil {
		return err
	}
	res, err := h.svc.LinkUnsorted(r.Context(), actor, id, dealID, userID)
	if err != nil {
		return unsortedErr(err)
	}
	var out unsortedLinked
	out.UID = crm.UnsortedUID(res.ID)
	out.Embedded.Leads = refOf(r, res.DealID, leadPath)
	writeHAL(w, http.StatusOK, out)
	return nil
}

// unsortedSummary serves GET /api/v4/leads/unsorted/summary (§9.6).
// filter[created_at] is a time since (one value) or a [from]/[to] range.
func (h *handler) unsortedSummary(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	qr := newQueryReader(r)
	q := crm.UnsortedSummaryQuery{IDs: uidFilter(qr), PipelineIDs: qr.ints("pipeline_id"), Window: qr.rng("created_at")}
	if since := qr.ints("created_at"); len(since) > 0 {
		if len(since) > 1 || q.Window.From != nil || q.Window.To != nil {
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[created_at]", Code: crm.ViolationInvalid,
				Detail: "filter[created_at] is one time or a [from]/[to] range."})
		}
		q.Window.From = &since[0]
	}
	if err := qr.done(); err != nil {
		return err
	}
	s, err := h.svc.UnsortedSummaryOf(r.Context(), actor, q)
	if err != nil {
		return err
	}
	out := summaryJSON{Total: s.Total, Accepted: s.Accepted, Declined: s.Declined, AverageSortTime: s.AverageSortTime,
		Categories: map[string]categoryTotals{}}
	for c, n := range s.Categories {
		out.Categories[c] = categoryTotals{Total: n}
	}
	writeHAL(w, http.StatusOK, out)
	return nil
}
