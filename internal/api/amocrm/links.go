package amocrm

import (
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

// v4Link is one link of the entity links API (companion §3). On read the
// main-contact flag is metadata.main_contact; company and segment links have
// metadata null.
type v4Link struct {
	EntityID     int64           `json:"entity_id"`
	EntityType   string          `json:"entity_type"`
	ToEntityID   int64           `json:"to_entity_id"`
	ToEntityType string          `json:"to_entity_type"`
	Metadata     *v4LinkMetadata `json:"metadata"`
}

type v4LinkMetadata struct {
	MainContact bool `json:"main_contact"`
}

func toV4Link(customerID int64, l crm.CustomerLink) v4Link {
	out := v4Link{EntityID: customerID, EntityType: string(crm.EntityCustomer), ToEntityID: l.ToID, ToEntityType: string(l.ToType)}
	if l.ToType == crm.EntityContact {
		out.Metadata = &v4LinkMetadata{MainContact: l.IsMain}
	}
	return out
}

func linksPath(customerID int64) string { return customerPath(customerID) + "/links" }

// listCustomerLinks serves GET /api/v4/customers/{id}/links: the customer's
// contacts, company and segments. filter[to_entity_type] and
// filter[to_entity_id] (documented to go together; each is honoured alone
// too) narrow the list.
func (h *handler) listCustomerLinks(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	qr := newQueryReader(r)
	types, toIDs := qr.strs("to_entity_type"), qr.ints("to_entity_id")
	if err := qr.done(); err != nil {
		return err
	}
	links, err := h.svc.CustomerLinks(r.Context(), actor, id)
	if err != nil {
		return err
	}
	items := []v4Link{}
	for _, l := range links {
		if (len(types) == 0 || containsStr(types, string(l.ToType))) && (len(toIDs) == 0 || containsID(toIDs, l.ToID)) {
			items = append(items, toV4Link(id, l))
		}
	}
	writeList(w, len(items), collection{TotalItems: len(items), Links: selfLink(r, linksPath(id)), Embedded: map[string]any{"links": items}})
	return nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// linkCustomer serves POST /api/v4/customers/{id}/link (200 with the links as
// they now are) and …/unlink (204). Body: [{to_entity_id, to_entity_type:
// contacts|companies|segments, metadata:{is_main}}]. metadata.main_contact,
// the read-side name, is accepted too so that a link read back can be resent.
func (h *handler) linkCustomer(unlink bool) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		body, err := readJSON(r)
		if err != nil {
			return err
		}
		var errs []crm.Violation
		items, ids := batchItems(body, &errs)
		if err := batchLimit(len(items), "links"); err != nil {
			return err
		}
		in := make([]crm.CustomerLink, len(items))
		for i, it := range items {
			rd := newReader(it, i, "", &errs)
			rd.str("request_id")
			if to := rd.int64("to_entity_id"); to != nil {
				in[i].ToID = *to
			}
			if typ := rd.str("to_entity_type"); typ != nil {
				in[i].ToType = crm.EntityType(*typ)
			}
			if rd.has("metadata") {
				md := newReader(rd.obj["metadata"], i, "metadata", &errs)
				if m := md.bool("is_main"); m != nil {
					in[i].IsMain = *m
				} else if m := md.bool("main_contact"); m != nil {
					in[i].IsMain = *m
				}
			}
		}
		if err := violationsErr(errs); err != nil {
			return withItems(err, ids)
		}
		if err := h.svc.LinkCustomer(r.Context(), actor, id, in, unlink); err != nil {
			return withItems(err, ids)
		}
		if unlink {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		// Answer the requested links as stored (the main flag may have moved).
		links, err := h.svc.CustomerLinks(r.Context(), actor, id)
		if err != nil {
			return err
		}
		byKey := map[string]crm.CustomerLink{}
		for _, l := range links {
			byKey[string(l.ToType)+"/"+strconv.FormatInt(l.ToID, 10)] = l
		}
		out := []v4Link{}
		seen := map[string]bool{}
		for _, l := range in {
			key := string(l.ToType) + "/" + strconv.FormatInt(l.ToID, 10)
			if stored, ok := byKey[key]; ok && !seen[key] {
				seen[key] = true
				out = append(out, toV4Link(id, stored))
			}
		}
		writeHAL(w, http.StatusOK, collection{TotalItems: len(out), Links: selfLink(r, linksPath(id)), Embedded: map[string]any{"links": out}})
		return nil
	}
}

// The links of leads, contacts and companies (core §4, companion §3) and
// the customers' bulk endpoints, over crm.EntityLinks and
// crm.LinkEntities. Contact links of leads and customers carry metadata
// {main_contact} from either side, as toV4Link does; every other link has
// metadata null. The customers' per-id endpoints above stay as they are.

// linkEntities are the types whose links this file serves besides customers.
var linkEntities = []crm.EntityType{crm.EntityDeal, crm.EntityContact, crm.EntityCompany}

// linkRoutes are the per-entity and bulk link endpoints of leads,
// contacts and companies. GET …/{id}/links is GET …/{id}/{sub} (see
// leadRoutes for why); entitySub answers other subs with 404.
func (h *handler) linkRoutes() []route {
	var out []route
	for _, e := range append(linkEntities, crm.EntityCustomer) {
		if e == crm.EntityCustomer {
			// Per-id customer links are customerRoutes'; the bulk ones are here.
			base := "/api/v4/customers"
			out = append(out,
				route{"GET " + base + "/links", h.listBulkLinks(e)},
				route{"POST " + base + "/link", h.linkBulk(e, false)},
				route{"POST " + base + "/unlink", h.linkBulk(e, true)})
			continue
		}
		base := "/api/v4/" + string(e)
		out = append(out,
			route{"GET " + base + "/{id}/{sub}", h.entitySub(e)},
			route{"POST " + base + "/{id}/link", h.linkEntity(e, false)},
			route{"POST " + base + "/{id}/unlink", h.linkEntity(e, true)},
			route{"GET " + base + "/links", h.listBulkLinks(e)},
			route{"POST " + base + "/link", h.linkBulk(e, false)},
			route{"POST " + base + "/unlink", h.linkBulk(e, true)},
		)
	}
	return out
}

func toV4EntityLink(l crm.EntityLink) v4Link {
	out := v4Link{EntityID: l.FromID, EntityType: string(l.FromType), ToEntityID: l.ToID, ToEntityType: string(l.ToType)}
	pair := map[crm.EntityType]bool{l.FromType: true, l.ToType: true}
	if pair[crm.EntityContact] && (pair[crm.EntityDeal] || pair[crm.EntityCustomer]) {
		out.Metadata = &v4LinkMetadata{MainContact: l.IsMain}
	}
	return out
}

// entityPath is the path of a lead, contact or company.
func entityPath(e crm.EntityType, id int64) string {
	return "/api/v4/" + string(e) + "/" + strconv.FormatInt(id, 10)
}

// entityExists answers 404 for a lead, contact or company that does not exist.
func (h *handler) entityExists(r *http.Request, actor crm.Actor, e crm.EntityType, id int64) error {
	var err error
	switch e {
	case crm.EntityDeal:
		_, err = h.svc.Lead(r.Context(), actor, id)
	case crm.EntityContact:
		_, err = h.svc.Contact(r.Context(), actor, id)
	case crm.EntityCompany:
		_, err = h.svc.Company(r.Context(), actor, id)
	}
	return err
}

// entitySub serves GET /api/v4/{entity}/{id}/links.
func (h *handler) entitySub(e crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		switch r.PathValue("sub") {
		case "links":
		case "notes": // one GET {id}/{sub} pattern serves both sub-lists (notes.go)
			return listNotes(h, w, r, actor, e, id)
		default:
			return newProblem(http.StatusNotFound, "Not found")
		}
		qr := newQueryReader(r)
		types, toIDs := qr.strs("to_entity_type"), qr.ints("to_entity_id")
		qr.refuse("to_catalog_id", "crmd has no catalogs.")
		if err := qr.done(); err != nil {
			return err
		}
		if err := h.entityExists(r, actor, e, id); err != nil {
			return err // a missing record: 204 (writeV4Error)
		}
		links, err := h.svc.EntityLinks(r.Context(), actor, e, []int64{id})
		if err != nil {
			return err
		}
		items := filterLinks(links, types, toIDs)
		writeList(w, len(items), collection{TotalItems: len(items), Links: selfLink(r, entityPath(e, id)+"/links"),
			Embedded: map[string]any{"links": items}})
		return nil
	}
}

// filterLinks keeps the links of the given types and ids (empty: any).
func filterLinks(links []crm.EntityLink, types []string, toIDs []int64) []v4Link {
	items := []v4Link{}
	for _, l := range links {
		if (len(types) == 0 || containsStr(types, string(l.ToType))) && (len(toIDs) == 0 || containsID(toIDs, l.ToID)) {
			items = append(items, toV4EntityLink(l))
		}
	}
	return items
}

// listBulkLinks serves GET /api/v4/{entity}/links: filter[entity_id] is
// required (core §4.3).
func (h *handler) listBulkLinks(e crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		qr := newQueryReader(r)
		ids := qr.ints("entity_id")
		types, toIDs := qr.strs("to_entity_type"), qr.ints("to_entity_id")
		qr.refuse("to_catalog_id", "crmd has no catalogs.")
		if len(ids) == 0 && len(qr.errs) == 0 {
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[entity_id]", Code: crm.ViolationRequired, Detail: "This field is missing."})
		}
		if len(ids) > maxBatch {
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[entity_id]", Code: crm.ViolationInvalid,
				Detail: "At most " + strconv.Itoa(maxBatch) + " entities may be named."})
		}
		if err := qr.done(); err != nil {
			return err
		}
		links, err := h.svc.EntityLinks(r.Context(), actor, e, ids)
		if err != nil {
			return err
		}
		items := filterLinks(links, types, toIDs)
		writeList(w, len(items), collection{TotalItems: len(items), Links: selfLink(r, "/api/v4/"+string(e)+"/links"),
			Embedded: map[string]any{"links": items}})
		return nil
	}
}

// readEntityLinks reads a link or unlink body: [{entity_id (bulk),
// to_entity_id, to_entity_type, metadata: {is_main | main_contact}}].
// Other metadata keys (quantity, catalog_id, price_id, updated_by) are
// ignored: crmd has no catalogs, and the acting user is the token's.
func readEntityLinks(r *http.Request, e crm.EntityType, id int64) ([]crm.EntityLink, []string, error) {
	body, err := readJSON(r)
	if err != nil {
		return nil, nil, err
	}
	var errs []crm.Violation
	items, ids := batchItems(body, &errs)
	if err := batchLimit(len(items), "links"); err != nil {
		return nil, nil, err
	}
	in := make([]crm.EntityLink, len(items))
	for i, it := range items {
		rd := newReader(it, i, "", &errs)
		rd.str("request_id")
		in[i] = crm.EntityLink{FromType: e, FromID: id}
		if id == 0 {
			if from := rd.int64("entity_id"); from != nil {
				in[i].FromID = *from
			} else if rd.obj != nil {
				errs = append(errs, crm.Violation{Item: i, Path: "entity_id", Code: crm.ViolationRequired, Detail: "This field is missing."})
			}
		}
		if to := rd.int64("to_entity_id"); to != nil {
			in[i].ToID = *to
		} else if rd.obj != nil {
			errs = append(errs, crm.Violation{Item: i, Path: "to_entity_id", Code: crm.ViolationRequired, Detail: "This field is missing."})
		}
		if typ := rd.str("to_entity_type"); typ != nil {
			in[i].ToType = crm.EntityType(*typ)
			if *typ == "catalog_elements" {
				errs = append(errs, crm.Violation{Item: i, Path: "to_entity_type", Code: crm.ViolationChoice, Detail: "crmd has no catalogs."})
			}
		} else if rd.obj != nil {
			errs = append(errs, crm.Violation{Item: i, Path: "to_entity_type", Code: crm.ViolationRequired, Detail: "This field is missing."})
		}
		if rd.has("metadata") {
			md := newReader(rd.obj["metadata"], i, "metadata", &errs)
			if m := md.bool("is_main"); m != nil {
				in[i].IsMain = *m
			} else if m := md.bool("main_contact"); m != nil {
				in[i].IsMain = *m
			}
		}
	}
	return in, ids, withItems(violationsErr(errs), ids)
}

// linkEntity serves POST /api/v4/{entity}/{id}/link (200 with the links as
// they now are) and …/unlink (204). A missing {id} is 404.
func (h *handler) linkEntity(e crm.EntityType, unlink bool) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := h.entityExists(r, actor, e, id); err != nil {
			return err
		}
		in, ids, err := readEntityLinks(r, e, id)
		if err != nil {
			return err
		}
		return h.applyLinks(w, r, actor, e, in, ids, unlink, entityPath(e, id)+"/links")
	}
}

// linkBulk serves POST /api/v4/{entity}/link and …/unlink: each item names
// its entity_id; all or nothing.
func (h *handler) linkBulk(e crm.EntityType, unlink bool) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		in, ids, err := readEntityLinks(r, e, 0)
		if err != nil {
			return err
		}
		return h.applyLinks(w, r, actor, e, in, ids, unlink, "/api/v4/"+string(e)+"/links")
	}
}

// applyLinks writes the links and answers them as stored (the main flag
// may have moved), or 204 for unlink.
func (h *handler) applyLinks(w http.ResponseWriter, r *http.Request, actor crm.Actor, e crm.EntityType, in []crm.EntityLink,
	ids []string, unlink bool, self string) error {
	if err := h.svc.LinkEntities(r.Context(), actor, in, unlink); err != nil {
		return withItems(err, ids)
	}
	if unlink {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	var from []int64
	for _, l := range in {
		if !containsID(from, l.FromID) {
			from = append(from, l.FromID)
		}
	}
	stored, err := h.svc.EntityLinks(r.Context(), actor, e, from)
	if err != nil {
		return err
	}
	key := func(l crm.EntityLink) string {
		return strconv.FormatInt(l.FromID, 10) + "/" + string(l.ToType) + "/" + strconv.FormatInt(l.ToID, 10)
	}
	byKey := map[string]crm.EntityLink{}
	for _, l := range stored {
		byKey[key(l)] = l
	}
	out := []v4Link{}
	seen := map[string]bool{}
	for _, l := range in {
		if s, ok := byKey[key(l)]; ok && !seen[key(l)] {
			seen[key(l)] = true
			out = append(out, toV4EntityLink(s))
		}
	}
	writeHAL(w, http.StatusOK, collection{TotalItems: len(out), Links: selfLink(r, self), Embedded: map[string]any{"links": out}})
	return nil
}
