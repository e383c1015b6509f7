package amocrm

import (
	"net/http"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Tag dictionaries (companion §7, core §10): GET and POST
// /api/v4/{leads|contacts|companies|customers}/tags over crmd's one tag
// record per name (crm/tag_dictionary.go says how a dictionary is a view of
// them). An Envybox deal tag is a lead tag, an Envybox lead's (amoCRM
// unsorted) tag is in the leads dictionary too, and a name has one id in
// every dictionary, where amoCRM gives each dictionary its own: a client
// caching ids per dictionary still works, one reusing a lead tag id on a
// customer gets the same tag instead of an error.

// tagDictionaries maps the path's entity segment to its dictionary.
var tagDictionaries = []struct {
	segment    string
	dictionary crm.EntityType
}{
	{"leads", crm.EntityDeal},
	{"contacts", crm.EntityContact},
	{"companies", crm.EntityCompany},
	{"customers", crm.EntityCustomer},
}

// tagRoutes are the four dictionaries' GET and POST.
func (h *handler) tagRoutes() []route {
	var out []route
	for _, d := range tagDictionaries {
		path := "/api/v4/" + d.segment + "/tags"
		out = append(out, route{"GET " + path, h.listTags(d.dictionary)}, route{"POST " + path, h.addTags(d.dictionary)})
	}
	return out
}

// tagJSON is companion §7's tag model; color is null outside leads and for
// a lead tag without one. request_id only in POST answers.
type tagJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Color     *string `json:"color"`
	RequestID string  `json:"request_id,omitempty"`
}

func toTagJSON(t crm.DictionaryTag) tagJSON {
	out := tagJSON{ID: t.ID, Name: t.Name}
	if t.Color != "" {
		c := t.Color
		out.Color = &c
	}
	return out
}

// listTags serves GET /api/v4/{entity}/tags: page, limit, filter[id] (one
// or a list), filter[name] (one exact name, case-insensitively as names are
// unique), query (a part of the name, case-insensitively); by id. Nothing
// found is amoCRM's 204.
func (h *handler) listTags(dictionary crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		page, err := v4Page(r)
		if err != nil {
			return err
		}
		qr := newQueryReader(r)
		q := crm.TagQuery{IDs: qr.ints("id"), Search: strings.TrimSpace(r.URL.Query().Get("query"))}
		switch names := qr.strs("name"); {
		case len(names) == 1:
			q.Name = names[0]
		case len(names) > 1:
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[name]", Code: crm.ViolationInvalid,
				Detail: "filter[name] takes one name."})
		}
		if err := qr.done(); err != nil {
			return err
		}
		q.Limit, q.Offset = page.Limit, page.Offset()
		list, total, err := h.svc.DictionaryTags(r.Context(), actor, dictionary, q)
		if err != nil {
			return err
		}
		items := make([]tagJSON, len(list))
		for i, t := range list {
			items[i] = toTagJSON(t)
		}
		writeList(w, len(items), v4Paged(r, page, total, "tags", items))
		return nil
	}
}

// tagsBatch is the answer of POST …/tags (companion §7).
type tagsBatch struct {
	TotalItems int            `json:"_total_items"`
	Embedded   map[string]any `json:"_embedded"`
}

// addTags serves POST /api/v4/{entity}/tags: an array of {name, color?,
// request_id?}, at most 250, all or nothing; 200 with every tag, the
// existing one where the name is known (companion §7).
func (h *handler) addTags(dictionary crm.EntityType) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		in, ids, err := readBatch(r, "tags", func(rd reader) crm.NewTag {
			var tag crm.NewTag
			if name := rd.str("name"); name != nil {
				tag.Name = *name
			} else if rd.obj != nil && !rd.has("name") {
				*rd.errs = append(*rd.errs, crm.Violation{Item: rd.item, Path: "name", Code: crm.ViolationRequired, Detail: "This field is missing."})
			}
			tag.Color = rd.str("color")
			return tag
		})
		if err != nil {
			return err
		}
		tags, err := h.svc.AddDictionaryTags(r.Context(), actor, dictionary, in)
		if err != nil {
			return withItems(err, ids)
		}
		out := make([]tagJSON, len(tags))
		for i, t := range tags {
			out[i] = toTagJSON(t)
			out[i].RequestID = ids[i]
		}
		writeHAL(w, http.StatusOK, tagsBatch{TotalItems: len(out), Embedded: map[string]any{"tags": out}})
		return nil
	}
}
