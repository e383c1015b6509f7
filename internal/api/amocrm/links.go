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
