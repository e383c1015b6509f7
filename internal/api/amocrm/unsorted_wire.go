package amocrm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Wire shapes of amoCRM's unsorted (core reference §9) and the reading of
// its create bodies into inbound requests.

const unsortedPath = "/api/v4/leads/unsorted"

func unsortedItemPath(id int64) string { return unsortedPath + "/" + crm.UnsortedUID(id) }

// refOf is the embedded list of one id (none for 0), never null.
func refOf(r *http.Request, id int64, path func(int64) string) []v4Ref {
	if id == 0 {
		return []v4Ref{}
	}
	return refs(r, []int64{id}, path)
}

// unsortedEmbedded is an item's _embedded. Before acceptance an item has no
// lead and no contact: crmd makes the client and the deal when a request
// is taken to work (Envybox's lead/start, which acceptance is), not when it
// arrives, so both dialects see one client and one deal or none. crmd keeps
// no company with a request, so companies is always empty.
type unsortedEmbedded struct {
	Leads     []v4Ref `json:"leads"`
	Contacts  []v4Ref `json:"contacts"`
	Companies []v4Ref `json:"companies"`
}

// unsortedJSON is an item as the list and GET by uid answer it (§9.2).
type unsortedJSON struct {
	UID        string           `json:"uid"`
	SourceUID  *string          `json:"source_uid"`
	SourceName string           `json:"source_name"`
	Category   string           `json:"category"`
	PipelineID int64            `json:"pipeline_id"`
	CreatedAt  int64            `json:"created_at"`
	Metadata   json.RawMessage  `json:"metadata"`
	AccountID  int64            `json:"account_id"`
	Links      selfLinks        `json:"_links"`
	Embedded   unsortedEmbedded `json:"_embedded"`
}

func toUnsortedJSON(r *http.Request, u crm.Unsorted) unsortedJSON {
	out := unsortedJSON{UID: crm.UnsortedUID(u.ID), SourceName: u.Source.SourceName, Category: u.Source.Category,
		PipelineID: u.DealPipelineID, CreatedAt: u.CreatedAt.Unix(), Metadata: u.Source.Metadata, AccountID: u.AccountID,
		Links: selfLink(r, unsortedItemPath(u.ID)), Embedded: unsortedEmbedded{Leads: []v4Ref{}, Contacts: []v4Ref{}, Companies: []v4Ref{}}}
	if u.Source.SourceUID != "" {
		uid := u.Source.SourceUID
		out.SourceUID = &uid
	}
	if len(out.Metadata) == 0 {
		out.Metadata = json.RawMessage("{}")
	}
	return out
}

// unsortedCreated is one item of the POST answer (§9.4).
type unsortedCreated struct {
	UID       string           `json:"uid"`
	AccountID int64            `json:"account_id"`
	RequestID string           `json:"request_id"`
	Links     selfLinks        `json:"_links"`
	Embedded  unsortedEmbedded `json:"_embedded"`
}

// unsortedDone is the answer of accept and decline (§9.5). Decline's
// _embedded has no companies in the document; crmd sends the same shape
// for both, with empty lists.
type unsortedDone struct {
	UID        string           `json:"uid"`
	PipelineID int64            `json:"pipeline_id"`
	Category   string           `json:"category"`
	CreatedAt  int64            `json:"created_at"`
	Embedded   unsortedEmbedded `json:"_embedded"`
}

func toUnsortedDone(r *http.Request, res crm.UnsortedResult) unsortedDone {
	return unsortedDone{UID: crm.UnsortedUID(res.ID), PipelineID: res.DealPipelineID, Category: res.Source.Category,
		CreatedAt: res.CreatedAt.Unix(), Embedded: unsortedEmbedded{Leads: refOf(r, res.DealID, leadPath),
			Contacts: refOf(r, res.ClientID, contactPath), Companies: []v4Ref{}}}
}

// unsortedLinked is the answer of link (§9.5).
type unsortedLinked struct {
	UID      string `json:"uid"`
	Embedded struct {
		Leads []v4Ref `json:"leads"`
	} `json:"_embedded"`
}

// summaryJSON is the summary (§9.6).
type summaryJSON struct {
	Total           int                       `json:"total"`
	Accepted        int                       `json:"accepted"`
	Declined        int                       `json:"declined"`
	AverageSortTime int64                     `json:"average_sort_time"`
	Categories      map[string]categoryTotals `json:"categories"`
}

type categoryTotals struct {
	Total int `json:"total"`
}

// metaKey is one documented metadata key of a category (§9.7): its type,
// and whether a create must carry it.
type metaKey struct {
	name     string
	kind     string // "string", "int", "bool" or "any" (string, int or null)
	required bool
	// writeOnly keys are read from the request and not kept.
	writeOnly bool
}

// metadataKeys are the documented keys per category. Which are required is
// crmd's reading of the document (every form key but the referer; the call's
// identity, time, length, caller and service): the document marks the
// fields of the item required, not each metadata key.
var metadataKeys = map[string][]metaKey{
	crm.UnsortedSIP: {
		{name: "from", kind: "string"}, {name: "phone", kind: "string", required: true},
		{name: "call_responsible", kind: "any"}, {name: "called_at", kind: "int", required: true},
		{name: "duration", kind: "int", required: true}, {name: "link", kind: "string"},
		{name: "service_code", kind: "string", required: true}, {name: "uniq", kind: "string", required: true},
		{name: "is_call_event_needed", kind: "bool", writeOnly: true},
	},
	crm.UnsortedForms: {
		{name: "form_id", kind: "string", required: true}, {name: "form_name", kind: "string", required: true},
		{name: "form_page", kind: "string", required: true}, {name: "ip", kind: "string", required: true},
		{name: "form_sent_at", kind: "int", required: true}, {name: "referer", kind: "string"},
		{name: "visitor_uid", kind: "string"},
	},
}

// readMetadata reads the metadata of a category with the declared types:
// strings may come as numbers and ints as numeric strings (the document's
// own example sends both), and are kept in the declared type. Unknown keys
// are dropped. Absent optional keys are kept as null.
func readMetadata(rd reader, category string) map[string]any {
	out := map[string]any{}
	keys := metadataKeys[category]
	if !rd.has("metadata") {
		for _, k := range keys {
			if k.required {
				*rd.errs = append(*rd.errs, crm.Violation{Item: rd.item, Path: "metadata", Code: crm.ViolationRequired,
					Detail: "metadata is required."})
				return out
			}
		}
		return out
	}
	md := newReader(rd.obj["metadata"], rd.item, "metadata", rd.errs)
	if md.obj == nil {
		return out
	}
	for _, k := range keys {
		raw, ok := md.obj[k.name]
		if !ok || raw == nil {
			if k.required {
				*md.errs = append(*md.errs, crm.Violation{Item: md.item, Path: md.path(k.name), Code: crm.ViolationRequired,
					Detail: "This field is missing."})
			}
			if !k.writeOnly {
				out[k.name] = nil
			}
			continue
		}
		v, ok := metaValue(raw, k.kind)
		if !ok {
			addType(md.errs, md.item, md.path(k.name), k.kind)
			continue
		}
		if s, isText := v.(string); isText && k.required && strings.TrimSpace(s) == "" {
			*md.errs = append(*md.errs, crm.Violation{Item: md.item, Path: md.path(k.name), Code: crm.ViolationBlank,
				Detail: "This value should not be blank."})
		}
		out[k.name] = v
	}
	return out
}

// metaValue converts one metadata value to kind.
func metaValue(raw any, kind string) (any, bool) {
	switch kind {
	case "string":
		switch x := raw.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		}
	case "int":
		switch x := raw.(type) {
		case json.Number:
			return asInt(x)
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			return n, err == nil
		}
	case "bool":
		b, ok := raw.(bool)
		return b, ok
	case "any":
		switch x := raw.(type) {
		case string:
			return x, true
		case json.Number:
			return asInt(x)
		}
	}
	return nil, false
}

// textOf reads a string that may have been sent as a number (the document's
// contact example sends names as numbers).
func textOf(rd reader, key string) string {
	switch x := rd.obj[key].(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	addType(rd.errs, rd.item, rd.path(key), "string")
	return ""
}

// embeddedOne reads _embedded.<key>: at most one object (null or absent:
// none).
func embeddedOne(emb reader, key string) (reader, bool) {
	list, ok := emb.array(key)
	if !ok || len(list) == 0 {
		return reader{}, false
	}
	if len(list) > 1 {
		*emb.errs = append(*emb.errs, crm.Violation{Item: emb.item, Path: emb.path(key), Code: crm.ViolationRange,
			Detail: "An unsorted item holds at most one of these."})
	}
	return newReader(list[0], emb.item, emb.path(key)+".0", emb.errs), true
}

// utmKeys are the UTM marks a form page's address may carry, which are
// service values of the request.
var utmKeys = []string{"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"}

// readNewUnsorted reads one item of POST …/unsorted/{category} into the
// request to record:
//   - the contact's name (name, or first and last name), else the lead's,
//     is the request's name; the contact's PHONE and EMAIL values (by
//     field_code) its phone and email, the first of each, the rest
//     contact data; a call's metadata.phone stands in for a missing phone;
//   - the lead's name names the deal made on acceptance; its tags (by
//     name) are the request's, which follow it onto the deal; its price
//     and custom fields are ignored (crmd's deals carry no price yet, and
//     a lead's fields are not a request's);
//   - pipeline_id is the deal pipeline of the future deal;
//   - a form's name is the request's comment, and the UTM marks of its
//     page's address its UTM values; a call's link is the record link of
//     the request's history, and a numeric call_responsible its employee;
//   - companies are accepted and ignored.
func readNewUnsorted(rd reader, category string) crm.NewUnsorted {
	i, errs := rd.item, rd.errs
	n := crm.NewUnsorted{Category: category, Inbound: crm.NewInbound{Values: map[string]string{}}}
	if rd.obj == nil {
		return n
	}
	n.SourceUID = textOf(rd, "source_uid")
	if s := rd.str("source_name"); s != nil {
		n.SourceName = *s
	}
	if p := rd.int64("pipeline_id"); p != nil {
		n.Inbound.DealPipelineID = *p
		if *p <= 0 {
			*errs = append(*errs, crm.Violation{Item: i, Path: "pipeline_id", Code: crm.ViolationChoice, Detail: "pipeline_id is not a pipeline of this account."})
		}
	}
	if c := rd.int64("created_at"); c != nil {
		if *c > 0 {
			n.CreatedAt = time.Unix(*c, 0).UTC()
		} else {
			*errs = append(*errs, crm.Violation{Item: i, Path: "created_at", Code: crm.ViolationRange, Detail: "created_at must be a positive Unix time."})
		}
	}
	md := readMetadata(rd, category)
	var leadName, contactName string
	var phones, emails []string
	if rd.has("_embedded") {
		emb := newReader(rd.obj["_embedded"], i, "_embedded", errs)
		if lead, ok := embeddedOne(emb, "leads"); ok && lead.obj != nil {
			leadName = strings.TrimSpace(textOf(lead, "name"))
			if p := lead.int64("price"); p != nil {
				n.LeadPrice = *p
			}
			if v := lead.str("visitor_uid"); v != nil && category == crm.UnsortedForms && md["visitor_uid"] == nil {
				md["visitor_uid"] = *v
			}
			if lead.has("_embedded") {
				le := newReader(lead.obj["_embedded"], i, lead.path("_embedded"), errs)
				tags, _ := le.array("tags")
				for k, t := range tags {
					tr := newReader(t, i, fmt.Sprintf("%s.%d", le.path("tags"), k), errs)
					name := tr.str("name")
					if name == nil || strings.TrimSpace(*name) == "" {
						*errs = append(*errs, crm.Violation{Item: i, Path: tr.path("name"), Code: crm.ViolationRequired,
							Detail: "Tags of an unsorted lead are given by name."})
						continue
					}
					n.Inbound.Tags = append(n.Inbound.Tags, strings.TrimSpace(*name))
				}
			}
		}
		if contact, ok := embeddedOne(emb, "contacts"); ok && contact.obj != nil {
			contactName = strings.TrimSpace(textOf(contact, "name"))
			if contactName == "" {
				contactName = strings.TrimSpace(strings.TrimSpace(textOf(contact, "first_name")) + " " + strings.TrimSpace(textOf(contact, "last_name")))
			}
			fields, _ := contact.fieldValues("custom_fields_values")
			for _, f := range fields {
				for _, v := range f.Values {
					text, ok := v.Value.(string)
					if f, isNum := v.Value.(float64); isNum {
						text, ok = strconv.FormatFloat(f, 'f', -1, 64), true
					}
					if !ok || strings.TrimSpace(text) == "" {
						continue
					}
					switch strings.ToUpper(f.FieldCode) {
					case "PHONE":
						phones = append(phones, text)
					case "EMAIL":
						emails = append(emails, text)
					}
				}
			}
		}
		embeddedOne(emb, "companies")
	}
	n.LeadName = leadName
	name := contactName
	if name == "" {
		name = leadName
	}
	setValue(n.Inbound.Values, "name", name)
	if len(phones) == 0 && category == crm.UnsortedSIP {
		if p, ok := md["phone"].(string); ok {
			phones = append(phones, p)
		}
	}
	for k, p := range phones {
		if k == 0 {
			setValue(n.Inbound.Values, "phone", p)
			continue
		}
		n.Inbound.ContactData = append(n.Inbound.ContactData, crm.ContactData{Kind: "phone", Value: p})
	}
	for k, e := range emails {
		if k == 0 {
			setValue(n.Inbound.Values, "email", e)
			continue
		}
		n.Inbound.ContactData = append(n.Inbound.ContactData, crm.ContactData{Kind: "email", Value: e})
	}
	switch category {
	case crm.UnsortedForms:
		if s, ok := md["form_name"].(string); ok {
			setValue(n.Inbound.Values, "comment", s)
		}
		if page, ok := md["form_page"].(string); ok {
			if u, err := url.Parse(page); err == nil {
				q := u.Query()
				for _, k := range utmKeys {
					setValue(n.Inbound.Values, k, q.Get(k))
				}
			}
		}
	case crm.UnsortedSIP:
		if s, ok := md["link"].(string); ok {
			n.Inbound.RecordLink = s
		}
		if id, ok := md["call_responsible"].(int64); ok && id > 0 {
			n.Inbound.EmployeeID = id
		}
		if s, ok := md["uniq"].(string); ok {
			n.CallUniq = strings.TrimSpace(s)
		}
		delete(md, "is_call_event_needed")
	}
	n.Metadata, _ = json.Marshal(md)
	return n
}

func setValue(values map[string]string, key, v string) {
	if v = strings.TrimSpace(v); v != "" {
		values[key] = v
	}
}

// unsortedPathName is where a domain violation of an item's request lies
// in the amoCRM body that made it.
func unsortedPathName(path string) string {
	switch {
	case path == "values.name":
		return "_embedded.contacts.0.name"
	case path == "values.phone", path == "values.email", strings.HasPrefix(path, "contact_data."):
		return "_embedded.contacts.0.custom_fields_values"
	case path == "values.comment":
		return "metadata.form_name"
	case strings.HasPrefix(path, "values.utm_"):
		return "metadata.form_page"
	case path == "record_link":
		return "metadata.link"
	case path == "employee_id":
		return "metadata.call_responsible"
	case strings.HasPrefix(path, "tags"):
		return "_embedded.leads.0._embedded.tags"
	}
	return path
}
