package amocrm

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM's webhook bodies (companion §8.2, core §12): one form-encoded POST
// per write call, with every event of the call the webhook subscribes to,
// in PHP bracket notation (leads[status][0][id]=…), every value a string.
// internal/webhook sends them; this file only makes them, from the domain
// events of one write call and the records as they are when the call's
// events are handed out (within moments of the change).

// ContentTypeForm is the content type of amoCRM's webhooks.
const ContentTypeForm = "application/x-www-form-urlencoded"

// WebhookFormat makes amoCRM webhooks' bodies. It is internal/webhook's
// Format for crm.WebhookAmoCRM.
type WebhookFormat struct {
	Service *crm.Service
	// PublicURL, when set, is the host account[_links][self] names the
	// account on ({scheme}://{subdomain}.{host}), as the OAuth consent
	// page's referer does; nil names it https://{subdomain}.amocrm.ru, as
	// amoCRM sends it.
	PublicURL *url.URL
}

// Which subscription names receive which domain events. amoCRM lists no
// subscription name for unsorted items: their unsorted[add] and
// unsorted[delete] (accepted or declined) go to add_lead's subscribers, as
// an unsorted item is a lead that has not been taken to work yet.
//
//	add_lead          lead.added; unsorted.added, .accepted, .declined
//	update_lead       lead.updated, lead.stage_changed, lead.responsible_changed
//	status_lead       lead.stage_changed
//	responsible_lead  lead.responsible_changed, and lead.updated changing responsible_user_id
//	delete_lead       lead.deleted;  restore_lead: lead.restored
//	note_lead         note.added on a lead (contact, company, customer alike)
//	add_/update_contact, add_/update_company  contact.*, company.* (under contacts[…])
//	responsible_contact/_company/_customer/_task  an update changing responsible_user_id
//	add_/update_/delete_customer  customer.added, .updated, .deleted
//	add_task          task.added;  update_task: task.updated, task.completed
//
// An update, stage or responsible change of a record added by the same
// write call is not sent: amoCRM sends only leads[add] for a creation.

// Deliveries makes the one delivery hook gets of a write call's events, or
// none when it subscribes to none of them.
func (f WebhookFormat) Deliveries(ctx context.Context, hook crm.Webhook, events []crm.Event) ([]crm.Delivery, error) {
	b := &hookBody{f: f, ctx: ctx, hook: hook, actor: crm.Actor{AccountID: hook.AccountID, Role: crm.RoleAdmin},
		index: map[string]int{}, added: map[string]bool{}, completed: map[int64]bool{}, results: map[int64]int64{}}
	for _, e := range events {
		switch e.Type {
		case crm.EventLeadAdded, crm.EventContactAdded, crm.EventCompanyAdded, crm.EventCustomerAdded, crm.EventTaskAdded:
			b.added[recordKey(e)] = true
		case crm.EventTaskCompleted:
			b.completed[e.EntityID] = true
		}
		if e.Entity == crm.EntityTask && e.Entry.TypeID == crm.LogTaskResultAdded {
			b.results[e.EntityID] = e.ID
		}
	}
	for _, e := range events {
		if err := b.add(e); err != nil {
			return nil, err
		}
	}
	if len(b.sections) == 0 {
		return nil, nil
	}
	body, err := b.encode()
	if err != nil {
		return nil, err
	}
	return []crm.Delivery{{RecordKey: b.recordKey, EventIDs: b.eventIDs, EventTypes: b.eventTypes,
		ContentType: ContentTypeForm, Body: body}}, nil
}

func recordKey(e crm.Event) string { return string(e.Entity) + ":" + strconv.FormatInt(e.EntityID, 10) }

// kv is one form field; a body is a list of them, in the order written.
type kv struct{ k, v string }

// fields collects one item's fields under a prefix ("leads[add][0]").
type fields struct {
	prefix string
	out    []kv
}

func (fs *fields) set(key, value string)   { fs.out = append(fs.out, kv{fs.prefix + key, value}) }
func (fs *fields) num(key string, n int64) { fs.set(key, strconv.FormatInt(n, 10)) }
func (fs *fields) unix(key string, t time.Time) {
	if t.IsZero() {
		fs.set(key, "0")
		return
	}
	fs.num(key, t.Unix())
}

// section is one entity-and-action list of the body ("leads[status]").
type section struct {
	name  string
	items [][]kv
}

// hookBody builds one webhook's body of one write call.
type hookBody struct {
	f     WebhookFormat
	ctx   context.Context
	hook  crm.Webhook
	actor crm.Actor

	sections []*section
	// index is the section and record an item was made for
	// ("leads[update] 12"), so a record appears once per section.
	index map[string]int
	// added are the records the call created; completed the tasks it
	// completed; results the entries of results it wrote, by task.
	added     map[string]bool
	completed map[int64]bool
	results   map[int64]int64

	recordKey  string
	eventIDs   []int64
	eventTypes []string

	// Read once per body.
	account   *crm.Account
	zone      *time.Location
	stages    map[int64][2]int64 // stage id → pipeline id, wire status id
	leads     map[int64]*crm.Lead
	contacts  map[int64]*crm.ContactCard
	companies map[int64]*crm.CompanyCard
}

// item adds an item to a section unless the record (dedupe, 0: never
// deduplicated) is there already; render writes its fields.
func (b *hookBody) item(e crm.Event, name string, dedupe int64, render func(fs *fields) error) error {
	if dedupe != 0 {
		key := name + " " + strconv.FormatInt(dedupe, 10)
		if _, ok := b.index[key]; ok {
			b.used(e)
			return nil
		}
		b.index[key] = 1
	}
	var sec *section
	for _, s := range b.sections {
		if s.name == name {
			sec = s
		}
	}
	if sec == nil {
		sec = &section{name: name}
		b.sections = append(b.sections, sec)
	}
	fs := &fields{prefix: name + "[" + strconv.Itoa(len(sec.items)) + "]"}
	if err := render(fs); err != nil {
		return err
	}
	sec.items = append(sec.items, fs.out)
	b.used(e)
	return nil
}

// used records that the body carries e.
func (b *hookBody) used(e crm.Event) {
	if b.recordKey == "" {
		b.recordKey = recordKey(e)
	}
	if !slices.Contains(b.eventIDs, e.ID) {
		b.eventIDs = append(b.eventIDs, e.ID)
		b.eventTypes = append(b.eventTypes, string(e.Type))
	}
}

// add puts what hook wants of e into the body.
func (b *hookBody) add(e crm.Event) error {
	data, err := crm.DecodeHistory(e.Entry)
	if err != nil {
		data = crm.HistoryData{} // an Envybox entry's own data: nothing the body reads
	}
	want := b.hook.Wants
	createdNow := b.added[recordKey(e)] && !isAdd(e.Type)
	oldResp, respChanged := responsibleChange(e, data)
	switch e.Type {
	case crm.EventLeadAdded, crm.EventLeadRestored:
		name, section := "add_lead", "leads[add]"
		if e.Type == crm.EventLeadRestored {
			name, section = "restore_lead", "leads[restore]"
		}
		if want(name) {
			return b.item(e, section, e.EntityID, func(fs *fields) error { return b.lead(fs, e.EntityID, nil) })
		}
	case crm.EventLeadUpdated, crm.EventLeadStageChanged, crm.EventLeadResponsibleChanged:
		if createdNow {
			return nil
		}
		if want("update_lead") {
			if err := b.item(e, "leads[update]", e.EntityID, func(fs *fields) error { return b.lead(fs, e.EntityID, nil) }); err != nil {
				return err
			}
		}
		if e.Type == crm.EventLeadStageChanged && want("status_lead") {
			if err := b.item(e, "leads[status]", e.EntityID, func(fs *fields) error {
				return b.lead(fs, e.EntityID, func(fs *fields, key string) error {
					return b.oldStatus(fs, key, e.Entry, data)
				})
			}); err != nil {
				return err
			}
		}
		if respChanged && want("responsible_lead") {
			return b.item(e, "leads[responsible]", e.EntityID, func(fs *fields) error {
				return b.lead(fs, e.EntityID, func(fs *fields, key string) error {
					if key == "responsible_user_id" {
						fs.num("[old_responsible_user_id]", oldResp)
					}
					return nil
				})
			})
		}
	case crm.EventLeadDeleted:
		if want("delete_lead") {
			return b.item(e, "leads[delete]", e.EntityID, func(fs *fields) error { fs.num("[id]", e.EntityID); return nil })
		}
	case crm.EventContactAdded, crm.EventContactUpdated, crm.EventCompanyAdded, crm.EventCompanyUpdated:
		kind := "contact"
		if e.Entity == crm.EntityCompany {
			kind = "company"
		}
		if isAdd(e.Type) {
			if want("add_" + kind) {
				return b.item(e, "contacts[add]", e.EntityID, func(fs *fields) error { return b.card(fs, e.Entity, e.EntityID, nil) })
			}
			return nil
		}
		if createdNow {
			return nil
		}
		if want("update_" + kind) {
			if err := b.item(e, "contacts[update]", e.EntityID, func(fs *fields) error { return b.card(fs, e.Entity, e.EntityID, nil) }); err != nil {
				return err
			}
		}
		if respChanged && want("responsible_"+kind) {
			return b.item(e, "contacts[responsible]", e.EntityID, func(fs *fields) error {
				old := oldResp
				return b.card(fs, e.Entity, e.EntityID, &old)
			})
		}
	case crm.EventCustomerAdded, crm.EventCustomerUpdated, crm.EventCustomerDeleted:
		name, section := "add_customer", "customers[add]"
		switch {
		case e.Type == crm.EventCustomerUpdated && createdNow:
			return nil
		case e.Type == crm.EventCustomerUpdated:
			name, section = "update_customer", "customers[update]"
		case e.Type == crm.EventCustomerDeleted:
			if want("delete_customer") {
				return b.item(e, "customers[delete]", e.EntityID, func(fs *fields) error { fs.num("[id]", e.EntityID); return nil })
			}
			return nil
		}
		if want(name) {
			if err := b.item(e, section, e.EntityID, func(fs *fields) error { return b.customer(fs, e.EntityID, nil) }); err != nil {
				return err
			}
		}
		if e.Type == crm.EventCustomerUpdated && respChanged && want("responsible_customer") {
			return b.item(e, "customers[responsible]", e.EntityID, func(fs *fields) error {
				old := oldResp
				return b.customer(fs, e.EntityID, &old)
			})
		}
	case crm.EventTaskAdded, crm.EventTaskUpdated, crm.EventTaskCompleted:
		if e.Type == crm.EventTaskAdded {
			if want("add_task") {
				return b.item(e, "task[add]", e.EntityID, func(fs *fields) error { return b.task(fs, e.EntityID, false) })
			}
			return nil
		}
		if createdNow {
			return nil
		}
		if want("update_task") {
			if err := b.item(e, "task[update]", e.EntityID, func(fs *fields) error { return b.task(fs, e.EntityID, true) }); err != nil {
				return err
			}
		}
		if respChanged && want("responsible_task") {
			return b.item(e, "task[responsible]", e.EntityID, func(fs *fields) error { return b.task(fs, e.EntityID, false) })
		}
	case crm.EventNoteAdded:
		name, section := noteSubscription(e.Entity)
		if name != "" && want(name) {
			return b.item(e, section, 0, func(fs *fields) error { return b.note(fs, e) })
		}
	case crm.EventUnsortedAdded:
		if want("add_lead") {
			return b.item(e, "unsorted[add]", e.EntityID, func(fs *fields) error { return b.unsortedAdd(fs, e.EntityID) })
		}
	case crm.EventUnsortedAccepted, crm.EventUnsortedDeclined:
		if want("add_lead") {
			return b.item(e, "unsorted[delete]", e.EntityID, func(fs *fields) error { return b.unsortedDone(fs, e, data) })
		}
	}
	return nil
}

func isAdd(t crm.EventType) bool {
	return t == crm.EventLeadAdded || t == crm.EventContactAdded || t == crm.EventCompanyAdded ||
		t == crm.EventCustomerAdded || t == crm.EventTaskAdded
}

// noteSubscription is the subscription and section of a note on an
// entity. Notes on a company go under companies[note]: companies is one
// of amoCRM's entity keys (companion §8.2) and a note names its parent by
// element_type, not by a type field. Notes of unsorted requests have no
// amoCRM subscription.
func noteSubscription(e crm.EntityType) (string, string) {
	switch e {
	case crm.EntityDeal:
		return "note_lead", "leads[note]"
	case crm.EntityContact:
		return "note_contact", "contacts[note]"
	case crm.EntityCompany:
		return "note_company", "companies[note]"
	case crm.EntityCustomer:
		return "note_customer", "customers[note]"
	}
	return "", ""
}

// responsibleChange reports whether e changed the record's responsible
// user, and from whom: a lead's own responsible entry (Envybox's
// reassignment, with old_employee_id) or an update's responsible_user_id
// change (amoCRM's PATCH).
func responsibleChange(e crm.Event, data crm.HistoryData) (int64, bool) {
	if e.Type == crm.EventLeadResponsibleChanged {
		var d struct {
			Old int64 `json:"old_employee_id"`
		}
		_ = json.Unmarshal(e.Entry.Data, &d)
		return d.Old, true
	}
	for _, c := range data.Changes {
		if c.Field == "responsible_user_id" {
			var old int64
			_ = json.Unmarshal(c.Before, &old)
			return old, true
		}
	}
	return 0, false
}

// loadAccount reads the account (subdomain, time zone) once.
func (b *hookBody) loadAccount() (*crm.Account, error) {
	if b.account == nil {
		a, err := b.f.Service.Account(b.ctx, b.actor)
		if err != nil {
			return nil, err
		}
		b.account = &a
		b.zone = time.UTC
		if z, err := time.LoadLocation(a.TimeZone); err == nil && a.TimeZone != "" {
			b.zone = z
		}
	}
	return b.account, nil
}

// localTime is amoCRM's "YYYY-MM-DD HH:MM:SS" in the account's time zone.
func (b *hookBody) localTime(t time.Time) (string, error) {
	if _, err := b.loadAccount(); err != nil {
		return "", err
	}
	if t.IsZero() {
		return "", nil
	}
	return t.In(b.zone).Format(time.DateTime), nil
}

// status is a stage's pipeline and wire status id (142/143 for won and
// lost), read once per body; ok is false for a stage no pipeline has.
func (b *hookBody) status(stageID int64) ([2]int64, bool, error) {
	if b.stages == nil {
		pipelines, err := b.f.Service.DealPipelines(b.ctx, b.actor)
		if err != nil {
			return [2]int64{}, false, err
		}
		b.stages = map[int64][2]int64{}
		for _, p := range pipelines {
			for _, st := range p.Stages {
				b.stages[st.ID] = [2]int64{p.ID, statusWireID(st)}
			}
		}
	}
	s, ok := b.stages[stageID]
	return s, ok, nil
}

// gone reports whether a read failed because the record is not there (any
// more): the item then carries what the event has, its id.
func gone(err error) bool {
	k := crm.KindOf(err)
	return k == crm.KindNotFound || k == crm.KindUnprocessable
}

// extra adds an action's own fields after the named field of an item.
type extra func(fs *fields, after string) error

// lead writes a lead item (core §12.2): legacy and new time names, tags,
// custom fields; more adds the action's old_* fields.
func (b *hookBody) lead(fs *fields, id int64, more extra) error {
	if more == nil {
		more = func(*fields, string) error { return nil }
	}
	if b.leads == nil {
		b.leads = map[int64]*crm.Lead{}
	}
	l, ok := b.leads[id]
	if !ok {
		got, err := b.f.Service.Lead(b.ctx, b.actor, id)
		if err != nil && !gone(err) {
			return err
		}
		if err == nil {
			l = &got
		}
		b.leads[id] = l
	}
	if l == nil {
		fs.num("[id]", id)
		return more(fs, "")
	}
	d := l.Deal
	fs.num("[id]", d.ID)
	fs.set("[name]", d.Name)
	fs.num("[status_id]", statusWireID(d.Stage))
	if err := more(fs, "status_id"); err != nil {
		return err
	}
	fs.num("[price]", d.Price)
	fs.num("[responsible_user_id]", d.ResponsibleUser())
	if err := more(fs, "responsible_user_id"); err != nil {
		return err
	}
	fs.unix("[last_modified]", d.UpdatedAt)
	fs.num("[modified_user_id]", d.UpdatedBy)
	fs.num("[created_user_id]", d.CreatedBy)
	fs.unix("[date_create]", d.CreatedAt)
	fs.num("[pipeline_id]", d.PipelineID)
	if err := more(fs, "pipeline_id"); err != nil {
		return err
	}
	fs.num("[account_id]", d.AccountID)
	fs.unix("[created_at]", d.CreatedAt)
	fs.unix("[updated_at]", d.UpdatedAt)
	tagFields(fs, d.Tags)
	customFields(fs, d.Fields)
	return nil
}

// oldStatus writes a stage change's old_status_id (after status_id) and,
// when the pipeline changed, old_pipeline_id (after pipeline_id): from the
// stage entry's old stage, or from a "status" change's before value.
func (b *hookBody) oldStatus(fs *fields, after string, entry crm.LogEntry, data crm.HistoryData) error {
	var from, to [2]int64 // pipeline id, wire status id
	var d struct {
		Old int64 `json:"old_stage_id"`
		New int64 `json:"stage_id"`
	}
	if json.Unmarshal(entry.Data, &d) == nil && d.Old != 0 {
		var err error
		if from, _, err = b.status(d.Old); err != nil {
			return err
		}
		if to, _, err = b.status(d.New); err != nil {
			return err
		}
	}
	for _, c := range data.Changes {
		if c.Field != "status" {
			continue
		}
		var before, now struct {
			PipelineID int64 `json:"pipeline_id"`
			StatusID   int64 `json:"status_id"`
		}
		_ = json.Unmarshal(c.Before, &before)
		_ = json.Unmarshal(c.After, &now)
		from, to = [2]int64{before.PipelineID, before.StatusID}, [2]int64{now.PipelineID, now.StatusID}
	}
	switch after {
	case "status_id":
		fs.num("[old_status_id]", from[1])
	case "pipeline_id":
		if from[0] != 0 && from[0] != to[0] {
			fs.num("[old_pipeline_id]", from[0])
		}
	}
	return nil
}

func tagFields(fs *fields, tags []crm.Tag) {
	for j, t := range tags {
		p := "[tags][" + strconv.Itoa(j) + "]"
		fs.num(p+"[id]", t.ID)
		fs.set(p+"[name]", t.Name)
	}
}

// customFields writes custom_fields (core §12.2): the field's id, name and
// code; each value as [value] (and [enum], the enum id, for enum fields),
// except date fields, whose value is the bare Unix timestamp.
func customFields(fs *fields, values []crm.FieldValue) {
	k := 0
	for _, fv := range values {
		if len(fv.Values) == 0 {
			continue
		}
		p := "[custom_fields][" + strconv.Itoa(k) + "]"
		k++
		fs.num(p+"[id]", fv.FieldID)
		fs.set(p+"[name]", fv.FieldName)
		if fv.FieldCode != "" {
			fs.set(p+"[code]", fv.FieldCode)
		}
		for n, v := range fv.Values {
			vp := p + "[values][" + strconv.Itoa(n) + "]"
			switch fv.FieldType {
			case crm.FieldDate, crm.FieldDateTime:
				fs.num(vp, v.Unix())
				continue
			case crm.FieldSmartAddress:
				fs.set(vp+"[value]", v.Text)
				fs.num(vp+"[enum]", crm.AddressSubtypeID(v.Subtype))
				continue
			}
			fs.set(vp+"[value]", v.Text)
			if v.EnumID != 0 {
				fs.num(vp+"[enum]", v.EnumID)
			}
		}
	}
}

// card writes a contact or company item (core §12.3); type says which.
// oldResp, when not nil, adds old_responsible_user_id.
func (b *hookBody) card(fs *fields, entity crm.EntityType, id int64, oldResp *int64) error {
	typ := "contact"
	if entity == crm.EntityCompany {
		typ = "company"
	}
	var c crm.Contact
	var fieldValues []crm.FieldValue
	var tags []crm.Tag
	var leads, companies []int64
	found := true
	if entity == crm.EntityCompany {
		card, err := b.companyCard(id)
		if err != nil {
			return err
		}
		if found = card != nil; found {
			c = crm.Contact{ID: card.ID, AccountID: card.AccountID, Name: card.Name, ResponsibleUserID: card.ResponsibleUserID,
				CreatedBy: card.CreatedBy, UpdatedBy: card.UpdatedBy, CreatedAt: card.CreatedAt, UpdatedAt: card.UpdatedAt}
			fieldValues, tags, leads = card.Fields, card.Tags, card.LeadIDs
		}
	} else {
		if b.contacts == nil {
			b.contacts = map[int64]*crm.ContactCard{}
		}
		card, ok := b.contacts[id]
		if !ok {
			got, err := b.f.Service.ContactCard(b.ctx, b.actor, id, crm.CardWith{Leads: true})
			if err != nil && !gone(err) {
				return err
			}
			if err == nil {
				card = &got
			}
			b.contacts[id] = card
		}
		if found = card != nil; found {
			c, fieldValues, tags, leads, companies = card.Contact, card.Fields, card.Tags, card.LeadIDs, card.CompanyIDs
		}
	}
	if !found {
		fs.num("[id]", id)
		fs.set("[type]", typ)
		return nil
	}
	fs.num("[id]", c.ID)
	fs.set("[name]", c.Name)
	fs.num("[responsible_user_id]", c.ResponsibleUserID)
	if oldResp != nil {
		fs.num("[old_responsible_user_id]", *oldResp)
	}
	fs.unix("[date_create]", c.CreatedAt)
	fs.unix("[last_modified]", c.UpdatedAt)
	fs.num("[created_user_id]", c.CreatedBy)
	fs.num("[modified_user_id]", c.UpdatedBy)
	if len(companies) > 0 {
		company, err := b.companyCard(companies[0])
		if err != nil {
			return err
		}
		if company != nil {
			fs.set("[company_name]", company.Name)
		}
		fs.num("[linked_company_id]", companies[0])
	}
	fs.num("[account_id]", c.AccountID)
	tagFields(fs, tags)
	customFields(fs, fieldValues)
	for _, l := range leads {
		id := strconv.FormatInt(l, 10)
		fs.set("[linked_leads_id]["+id+"][ID]", id)
	}
	fs.unix("[created_at]", c.CreatedAt)
	fs.unix("[updated_at]", c.UpdatedAt)
	fs.set("[type]", typ)
	return nil
}

func (b *hookBody) companyCard(id int64) (*crm.CompanyCard, error) {
	if b.companies == nil {
		b.companies = map[int64]*crm.CompanyCard{}
	}
	card, ok := b.companies[id]
	if !ok {
		got, err := b.f.Service.CompanyCard(b.ctx, b.actor, id, crm.CardWith{Leads: true})
		if err != nil && !gone(err) {
			return nil, err
		}
		if err == nil {
			card = &got
		}
		b.companies[id] = card
	}
	return card, nil
}

// customer writes a customer item: the fields clients read of it (amoCRM
// documents none, companion §8.2), and the responsible user for the
// responsible action.
func (b *hookBody) customer(fs *fields, id int64, oldResp *int64) error {
	c, err := b.f.Service.Customer(b.ctx, b.actor, id)
	if err != nil && !gone(err) {
		return err
	}
	fs.num("[id]", id)
	if err != nil {
		return nil
	}
	fs.num("[status_id]", c.StatusID)
	fs.unix("[created_at]", c.CreatedAt)
	fs.unix("[updated_at]", c.UpdatedAt)
	if oldResp != nil {
		fs.num("[responsible_user_id]", c.ResponsibleUserID)
		fs.num("[old_responsible_user_id]", *oldResp)
	}
	return nil
}

// elementTypes are amoCRM's legacy numeric entity types (core §12.4).
var elementTypes = map[crm.EntityType]int64{crm.EntityContact: 1, crm.EntityDeal: 2, crm.EntityCompany: 3, crm.EntityCustomer: 12}

// task writes a task item (core §12.6); update adds action_close, "1" when
// this write call completed it.
func (b *hookBody) task(fs *fields, id int64, update bool) error {
	t, err := b.f.Service.Task(b.ctx, b.actor, id)
	if err != nil && !gone(err) {
		return err
	}
	fs.num("[id]", id)
	if err != nil {
		return nil
	}
	created, err := b.localTime(t.CreatedAt)
	if err != nil {
		return err
	}
	modified, _ := b.localTime(t.UpdatedAt)
	till, _ := b.localTime(t.Time)
	fs.num("[element_id]", t.EntityID)
	fs.num("[element_type]", elementTypes[t.EntityType])
	fs.num("[task_type]", int64(t.TypeID))
	fs.set("[date_create]", created)
	fs.set("[last_modified]", modified)
	fs.set("[complete_till]", till)
	fs.set("[text]", t.Text)
	status := "0"
	if t.Success {
		status = "1"
	}
	fs.set("[status]", status)
	if update {
		closed := "0"
		if b.completed[id] {
			closed = "1"
		}
		fs.set("[action_close]", closed)
	}
	if t.Result != "" {
		if entry := b.results[id]; entry != 0 {
			fs.num("[result][id]", entry)
		}
		fs.set("[result][text]", t.Result)
	}
	fs.num("[responsible_user_id]", t.ResponsibleUserID())
	fs.num("[created_user_id]", t.CreatedBy())
	fs.num("[account_id]", t.AccountID)
	return nil
}

// legacyNoteTypes are amoCRM's numeric note types (core §12.4).
var legacyNoteTypes = map[crm.NoteKind]int64{crm.NoteCommon: 4, crm.NoteCallIn: 10, crm.NoteCallOut: 11,
	crm.NoteService: 25, crm.NoteExtendedService: 25}

// note writes {entity}[note][i][note][…] (core §12.4) from the entry
// itself. A call note's text is the JSON object of its parameters with
// amoCRM's upper-case keys.
func (b *hookBody) note(fs *fields, e crm.Event) error {
	n, ok := crm.NoteOf(e.Entry)
	if !ok {
		fs.num("[note][id]", e.ID)
		return nil
	}
	text := n.Text
	if n.Kind == crm.NoteCallIn || n.Kind == crm.NoteCallOut {
		call := map[string]any{"UNIQ": n.Call.Uniq, "DURATION": strconv.FormatInt(n.Call.Duration, 10), "SRC": n.Call.Source,
			"LINK": n.Call.Link, "PHONE": n.Call.Phone}
		if n.Call.Status != 0 {
			call["call_status"] = strconv.Itoa(n.Call.Status)
		}
		if n.Call.Result != "" {
			call["call_result"] = n.Call.Result
		}
		raw, err := json.Marshal(call)
		if err != nil {
			return err
		}
		text = string(raw)
	}
	created, err := b.localTime(n.CreatedAt)
	if err != nil {
		return err
	}
	changed, _ := b.localTime(n.UpdatedAtOrCreated())
	modifiedBy := n.CreatedBy
	if n.UpdatedBy != 0 {
		modifiedBy = n.UpdatedBy
	}
	p := "[note]"
	fs.num(p+"[id]", n.ID)
	fs.set(p+"[text]", text)
	fs.num(p+"[note_type]", legacyNoteTypes[n.Kind])
	fs.num(p+"[element_id]", n.EntityID)
	fs.num(p+"[element_type]", elementTypes[n.EntityType])
	fs.num(p+"[created_by]", n.CreatedBy)
	fs.num(p+"[modified_by]", modifiedBy)
	fs.num(p+"[main_user_id]", n.Author())
	fs.set(p+"[group_id]", "0")
	fs.num(p+"[account_id]", n.AccountID)
	fs.set(p+"[date_create]", created)
	fs.set(p+"[timestamp_x]", changed)
	fs.set(p+"[attachement]", "")
	return nil
}

// unsortedAdd writes unsorted[add][i] (core §12.5): the item's header,
// its metadata as source_data, and the lead and contact it carries.
func (b *hookBody) unsortedAdd(fs *fields, id int64) error {
	u, err := b.f.Service.UnsortedRecord(b.ctx, b.actor, id)
	if err != nil && !gone(err) {
		return err
	}
	fs.set("[uid]", crm.UnsortedUID(id))
	if err != nil {
		return nil
	}
	fs.set("[category]", u.Source.Category)
	fs.num("[account_id]", u.AccountID)
	fs.num("[user_id]", u.ResponsibleUser())
	fs.set("[source]", u.Source.SourceName)
	fs.set("[source_uid]", u.Source.SourceUID)
	fs.num("[pipeline_id]", u.DealPipelineID)
	fs.unix("[created_at]", u.CreatedAt)
	if len(u.Source.Metadata) > 0 {
		var md any
		if json.Unmarshal(u.Source.Metadata, &md) == nil {
			flatten(fs, "[source_data]", md)
		}
	}
	lp := "[data][leads][0]"
	leadName := u.Source.LeadName
	if leadName == "" {
		leadName = u.Name
	}
	fs.set(lp+"[name]", leadName)
	fs.num(lp+"[price]", u.Source.LeadPrice)
	fs.unix(lp+"[date_create]", u.CreatedAt)
	cp := "[data][contacts][0]"
	fs.set(cp+"[name]", u.Name)
	k := 0
	for _, cv := range []struct{ code, value string }{{"PHONE", u.Phone}, {"EMAIL", u.Email}} {
		if cv.value == "" {
			continue
		}
		p := cp + "[custom_fields][" + strconv.Itoa(k) + "]"
		k++
		fs.set(p+"[code]", cv.code)
		fs.set(p+"[values][0][value]", cv.value)
	}
	fs.unix(cp+"[date_create]", u.CreatedAt)
	return nil
}

// unsortedDone writes unsorted[delete][i] for an accepted or declined item:
// action, uid, category, created_at and what acceptance made.
func (b *hookBody) unsortedDone(fs *fields, e crm.Event, data crm.HistoryData) error {
	u, err := b.f.Service.UnsortedRecord(b.ctx, b.actor, e.EntityID)
	if err != nil && !gone(err) {
		return err
	}
	action := "accept"
	if e.Type == crm.EventUnsortedDeclined {
		action = "decline"
	}
	fs.set("[action]", action)
	fs.set("[uid]", crm.UnsortedUID(e.EntityID))
	if err == nil {
		fs.set("[category]", u.Source.Category)
		fs.unix("[created_at]", u.CreatedAt)
		fs.num("[account_id]", u.AccountID)
	}
	if action == "accept" {
		if data.Link != nil && data.Link.EntityType == crm.EntityDeal {
			fs.num("[accept_result][leads][0]", data.Link.EntityID)
		}
		if err == nil && u.ClientID != 0 {
			fs.num("[accept_result][contacts][0]", u.ClientID)
		}
	}
	return nil
}

// flatten writes a JSON value in bracket notation under prefix, every
// scalar as a string (null as "").
func flatten(fs *fields, prefix string, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			flatten(fs, prefix+"["+k+"]", x[k])
		}
	case []any:
		for i, e := range x {
			flatten(fs, prefix+"["+strconv.Itoa(i)+"]", e)
		}
	case nil:
		fs.set(prefix, "")
	case string:
		fs.set(prefix, x)
	case bool:
		if x {
			fs.set(prefix, "1")
		} else {
			fs.set(prefix, "0")
		}
	case float64:
		fs.set(prefix, strconv.FormatFloat(x, 'f', -1, 64))
	default:
		raw, _ := json.Marshal(x)
		fs.set(prefix, string(raw))
	}
}

// selfURL is account[_links][self]: https://{subdomain}.amocrm.ru as
// amoCRM sends it, or the subdomain on --public-url's host.
func (f WebhookFormat) selfURL(subdomain string) string {
	if f.PublicURL == nil {
		return "https://" + subdomain + ".amocrm.ru"
	}
	host := strings.ToLower(f.PublicURL.Host)
	if !strings.HasPrefix(host, subdomain+".") {
		host = subdomain + "." + host
	}
	return f.PublicURL.Scheme + "://" + host
}

// encode writes the sections in the order they were first used, then the
// account block, keys and values form-encoded (brackets percent-encoded,
// one of the two spellings amoCRM sends).
func (b *hookBody) encode() ([]byte, error) {
	a, err := b.loadAccount()
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	write := func(k, v string) {
		if sb.Len() > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(url.QueryEscape(k))
		sb.WriteByte('=')
		sb.WriteString(url.QueryEscape(v))
	}
	for _, s := range b.sections {
		for _, item := range s.items {
			for _, f := range item {
				write(f.k, f.v)
			}
		}
	}
	write("account[subdomain]", a.Subdomain)
	write("account[id]", strconv.FormatInt(a.ID, 10))
	write("account[_links][self]", b.f.selfURL(a.Subdomain))
	return []byte(sb.String()), nil
}
