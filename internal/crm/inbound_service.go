package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var utcOffset = regexp.MustCompile(`^UTC[+-](0\d|1[0-2]):[0-5]\d$`)

// defaultLeadTimeZone is a lead's time zone when neither it nor a region
// is given: Moscow time, as Envybox assumes.
const defaultLeadTimeZone = "UTC+03:00"

// inboundContext is the reference data validating inbound writes needs,
// loaded as needed (load).
type inboundContext struct {
	users       map[int64]User
	inbox       []InboxType
	pipelines   []Pipeline // deal pipelines
	inbound     Pipeline   // the primary inbound pipeline
	fields      []CustomField
	loc         *time.Location // the account's time zone, loaded with fields (coerceCustom's days are in it)
	departments map[int64]bool
	loaded      inboundNeeds
	base        bool // inbox types and pipelines loaded
}

// inboundNeeds names the reference data, beyond the pipelines and inbox
// types, that a caller of loadInboundContext validates against. Each is a
// query inside the write transaction, which on SQLite holds the only write
// connection: recording a lead needs none of them unless it names an
// employee or carries custom values.
type inboundNeeds struct {
	users, departments, fields bool
}

// responsibleNeeds is what checking a Responsible needs.
var responsibleNeeds = inboundNeeds{users: true, departments: true}

func loadInboundContext(ctx context.Context, tx Tx, need inboundNeeds) (*inboundContext, error) {
	ic := &inboundContext{}
	return ic, ic.load(ctx, tx, need)
}

// load reads the inbox types and pipelines, and what need names, unless
// already read.
func (ic *inboundContext) load(ctx context.Context, tx Tx, need inboundNeeds) error {
	if ic.users == nil {
		ic.users, ic.departments = map[int64]User{}, map[int64]bool{}
	}
	if need.users && !ic.loaded.users {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			ic.users[u.ID] = u
		}
		ic.loaded.users = true
	}
	if need.departments && !ic.loaded.departments {
		deps, err := tx.Departments(ctx)
		if err != nil {
			return err
		}
		for _, d := range deps {
			ic.departments[d.ID] = true
		}
		ic.loaded.departments = true
	}
	if need.fields && !ic.loaded.fields {
		fields, err := tx.AllCustomFields(ctx, EntityInbound)
		if err != nil {
			return err
		}
		account, err := tx.Account(ctx)
		if err != nil {
			return err
		}
		ic.fields, ic.loc, ic.loaded.fields = fields, account.Location(), true
	}
	if ic.base {
		return nil
	}
	var err error
	if ic.inbox, err = tx.InboxTypes(ctx); err != nil {
		return err
	}
	all, err := tx.AllPipelines(ctx)
	if err != nil {
		return err
	}
	for _, p := range all {
		switch p.Kind {
		case PipelineDeal:
			ic.pipelines = append(ic.pipelines, p)
		case PipelineInbound:
			if p.Primary || ic.inbound.ID == 0 {
				ic.inbound = p
			}
		}
	}
	if ic.inbound.ID == 0 {
		return fmt.Errorf("account %d has no inbound pipeline", tx.AccountID())
	}
	ic.base = true
	return nil
}

func (ic *inboundContext) dealPipeline(id int64) (Pipeline, bool) {
	for _, p := range ic.pipelines {
		if (id == 0 && p.Primary) || (id != 0 && p.ID == id) {
			return p, true
		}
	}
	if id == 0 && len(ic.pipelines) > 0 {
		return ic.pipelines[0], true
	}
	return Pipeline{}, false
}

func (ic *inboundContext) inboxType(id int64) (InboxType, bool) {
	for _, t := range ic.inbox {
		if (id == 0 && t.IsDefault) || (id != 0 && t.ID == id) {
			return t, true
		}
	}
	if id == 0 && len(ic.inbox) > 0 {
		return ic.inbox[0], true
	}
	return InboxType{}, false
}

// checkResponsible validates who is made responsible: user_id must be an
// administrator, employee_id a user of the account (Envybox wants user_id
// given with it, but an employee alone is accepted: its administrator is
// implied), department_id a department.
func (ic *inboundContext) checkResponsible(v *violations, r Responsible) {
	if r.UserID != 0 {
		if u, ok := ic.users[r.UserID]; !ok || u.Role != RoleAdmin {
			v.add(0, "user_id", ViolationChoice, "user_id is not an administrator of this CRM.")
		}
	}
	if r.EmployeeID != 0 {
		if _, ok := ic.users[r.EmployeeID]; !ok {
			v.add(0, "employee_id", ViolationChoice, "employee_id is not an employee of this CRM.")
		}
	}
	if r.DepartmentID != 0 && !ic.departments[r.DepartmentID] {
		v.add(0, "department_id", ViolationChoice, "department_id is not a department of this CRM.")
	}
}

// coerceCustom reads custom values the way Envybox writes give them, by the
// type of their field in defs: a date or date-time may be a day
// ("YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS") in the account's time zone loc,
// a checkbox 1/0 or "true"/"false". Anything else, and the value of an
// unknown field, passes as given for resolveCustom to judge. Leads,
// clients and deals read them alike, as docs/envybox.md says.
func coerceCustom(defs []CustomField, in []CustomValueInput, loc *time.Location) []CustomValueInput {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]CustomValueInput, len(in))
	for i, c := range in {
		out[i] = c
		for _, def := range defs {
			if def.ID == c.FieldID {
				out[i].Value = coerceValue(def.Type, c.Value, loc)
				break
			}
		}
	}
	return out
}

// coerceValue is one value of coerceCustom, for a field of type t.
func coerceValue(t FieldType, x any, loc *time.Location) any {
	switch t {
	case FieldDate, FieldDateTime:
		if text, ok := x.(string); ok {
			for _, layout := range []string{time.DateOnly, time.DateTime} {
				if day, err := time.ParseInLocation(layout, strings.TrimSpace(text), loc); err == nil {
					return strconv.FormatInt(day.Unix(), 10)
				}
			}
		}
	case FieldCheckbox:
		switch v := x.(type) {
		case float64:
			return v != 0
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "1", "true":
				return true
			case "0", "false", "":
				return false
			}
		}
	}
	return x
}

// resolveCustom validates custom values by field id against defs.
func resolveCustom(v *violations, defs []CustomField, in []CustomValueInput, path string) []FieldValue {
	inputs := make([]FieldValueInput, 0, len(in))
	for _, c := range in {
		fv := FieldValueInput{FieldID: c.FieldID}
		for _, def := range defs {
			if def.ID != c.FieldID || !def.Type.HasEnums() {
				continue
			}
			// Envybox list values are option ids.
			if id, ok := asEnumID(c.Value); ok {
				fv.Values = []ValueInput{{EnumID: id}}
			}
		}
		if fv.Values == nil {
			fv.Values = []ValueInput{{Value: c.Value, HasValue: c.Value != nil}}
		}
		inputs = append(inputs, fv)
	}
	return resolveFieldValues(v, 0, path, defs, inputs)
}

func asEnumID(x any) (int64, bool) {
	switch n := x.(type) {
	case float64:
		return int64(n), n == float64(int64(n)) && n > 0
	case string:
		var id int64
		_, err := fmt.Sscan(n, &id)
		return id, err == nil && id > 0
	}
	return 0, false
}

// CreateInbound records an inbound request. A request whose phone or email
// matches an earlier one gets that request (the first of its contact) as
// parent. Requests of one account are recorded one at a time (the account's
// write lock), so concurrent submissions of one contact find one parent;
// concurrent requests share commits (the store's write path), each all or
// nothing all the same.
// Errors: invalid.
func (s *Service) CreateInbound(ctx context.Context, actor Actor, n NewInbound) (Inbound, error) {
	var out Inbound
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ic, err := sharedInboundContext(ctx, tx, needsOf(n))
		if err != nil {
			return err
		}
		out, err = recordInbound(ctx, tx, ic, n)
		return err
	})
	if err == nil {
		s.tookIn(ctx, 1)
	}
	return out, err
}

// sharer is a Tx whose calls sharing a transaction (the store's write path)
// can hand each other what they read alike, made by make once per
// transaction. A caller promises not to change, once it has asked, what
// make reads; a call that does not ask, or fails, drops the reading.
type sharer interface {
	Shared(key any, make func() (any, error)) (any, error)
}

// inboundContextKey names the intake's reference data among a shared
// transaction's readings.
type inboundContextKey struct{}

// sharedInboundContext is loadInboundContext for writes that change none of
// the reference data (recording leads, creating deals, making someone
// responsible): the calls sharing a transaction read it once. Read per
// lead, it was a quarter of the CPU of leads recorded eight at a time.
func sharedInboundContext(ctx context.Context, tx Tx, need inboundNeeds) (*inboundContext, error) {
	s, ok := tx.(sharer)
	if !ok {
		return loadInboundContext(ctx, tx, need)
	}
	v, err := s.Shared(inboundContextKey{}, func() (any, error) { return &inboundContext{}, nil })
	if err != nil {
		return nil, err
	}
	ic := v.(*inboundContext)
	return ic, ic.load(ctx, tx, need)
}

// needsOf is the reference data recording n validates against: users only
// for an employee (and the administrator made responsible with it), fields
// only for custom values.
func needsOf(n NewInbound) inboundNeeds {
	return inboundNeeds{users: n.EmployeeID != 0, fields: len(n.Custom) > 0}
}

// recordInbound validates and writes one request in tx, against the
// reference data ic (loaded with at least needsOf(n)), and returns it as
// stored.
func recordInbound(ctx context.Context, tx Tx, ic *inboundContext, n NewInbound) (Inbound, error) {
	var v violations
	dealPipeline, ok := ic.dealPipeline(n.DealPipelineID)
	if !ok {
		v.add(0, "pipeline_id", ViolationChoice, "pipeline_id is not a deal pipeline of this CRM.")
	}
	inbox, ok := ic.inboxType(n.InboxTypeID)
	if !ok {
		v.add(0, "inbox_type_id", ViolationChoice, "inbox_type_id is not an inbox type of this CRM.")
	}
	ic.checkResponsible(&v, Responsible{EmployeeID: n.EmployeeID})
	if n.TimeZone != "" && !utcOffset.MatchString(n.TimeZone) {
		v.add(0, "timezone", ViolationInvalid, "timezone must look like UTC+03:00, from UTC-12:00 to UTC+12:00.")
	}
	values := map[int64]string{}
	for name, val := range n.Values {
		f, ok := ServiceFieldByName(EntityInbound, name)
		if !ok {
			v.add(0, "values."+name, ViolationUnexpected, "values."+name+" is not a field of a lead.")
			continue
		}
		values[f.ID] = strings.TrimSpace(val)
		v.checkText(0, "values."+name, values[f.ID], f.MaxLength())
	}
	phone, email := NormalizePhone(values[FieldLeadPhone]), NormalizeEmail(values[FieldLeadEmail])
	if values[FieldLeadPhone] != "" {
		values[FieldLeadPhone] = phone
	}
	if values[FieldLeadEmail] != "" {
		values[FieldLeadEmail] = email
	}
	if phone == "" && email == "" {
		v.add(0, "values.phone", ViolationRequired, "A lead needs a phone or an email.")
	}
	// The time zone given wins over the region's (Envybox's rule);
	// without either, Moscow time.
	switch {
	case n.TimeZone != "":
		values[FieldLeadTimeZone] = n.TimeZone
	case values[FieldLeadTimeZone] == "":
		values[FieldLeadTimeZone] = defaultLeadTimeZone
	}
	if n.Region != "" {
		values[FieldLeadRegion] = n.Region
		v.checkText(0, "values.region", n.Region, MaxShortText)
	}
	v.checkText(0, "record_link", n.RecordLink, MaxLinkLength)
	custom := resolveCustom(&v, ic.fields, coerceCustom(ic.fields, n.Custom, ic.loc), "values.custom")
	for i, c := range n.ContactData {
		if !ValidContactKind(c.Kind) {
			v.add(0, fmt.Sprintf("contact_data.%d.type", i), ViolationChoice, "Unknown contact data type "+c.Kind+".")
		}
		if strings.TrimSpace(c.Value) == "" {
			v.add(0, fmt.Sprintf("contact_data.%d.value", i), ViolationRequired, "contact_data value is missing.")
		}
		if c.Addon != "" && c.Kind != "work_phone" {
			v.add(0, fmt.Sprintf("contact_data.%d.addon", i), ViolationUnexpected, "Only a work_phone takes an addon.")
		}
		v.checkText(0, fmt.Sprintf("contact_data.%d.value", i), c.Value, contactDataMax(c.Kind))
		v.checkText(0, fmt.Sprintf("contact_data.%d.addon", i), c.Addon, MaxShortText)
		v.checkText(0, fmt.Sprintf("contact_data.%d.note", i), c.Note, MaxLongText)
	}
	if err := v.err(); err != nil {
		return Inbound{}, err
	}
	parent, err := tx.InboundParent(ctx, phone, email)
	if err != nil {
		return Inbound{}, err
	}
	first := ic.inbound.FirstStage()
	l := Inbound{ParentID: parent, PipelineID: ic.inbound.ID, StageID: first.ID, DealPipelineID: dealPipeline.ID,
		Responsible: Responsible{EmployeeID: n.EmployeeID}, InboxTypeID: inbox.ID,
		Name: values[FieldLeadName], Phone: phone, Email: email, StageUpdatedAt: tx.Now()}
	if n.EmployeeID != 0 {
		l.UserID = ic.adminID()
	}
	if err := tx.InsertInbound(ctx, &l); err != nil {
		return Inbound{}, err
	}
	// The request is new, so its service values are inserted in one
	// statement rather than upserted one by one (two statements each).
	var service []ServiceValue
	for _, f := range ServiceFieldsOf(EntityInbound) {
		if val := values[f.ID]; val != "" {
			service = append(service, ServiceValue{FieldID: f.ID, Value: val})
		}
	}
	if err := tx.InsertServiceValues(ctx, EntityInbound, l.ID, service); err != nil {
		return Inbound{}, err
	}
	if len(custom) > 0 {
		if err := tx.SetFieldValues(ctx, EntityInbound, l.ID, custom); err != nil {
			return Inbound{}, err
		}
	}
	var data []ContactData
	for _, c := range n.ContactData {
		c.OwnerType, c.OwnerID = EntityInbound, l.ID
		if IsPhoneKind(c.Kind) {
			c.Value = NormalizePhone(c.Value)
		}
		if err := tx.InsertContactData(ctx, &c); err != nil {
			return Inbound{}, err
		}
		data = append(data, c)
	}
	if len(n.Tags) > 0 {
		refs := make([]TagRef, len(n.Tags))
		for i, t := range n.Tags {
			refs[i] = TagRef{Name: t}
		}
		ids, err := resolveTags(ctx, tx, &v, 0, "tags", refs)
		if err != nil {
			return Inbound{}, err
		}
		if err := v.err(); err != nil {
			return Inbound{}, err
		}
		if err := tx.SetEntityTags(ctx, EntityInbound, l.ID, ids); err != nil {
			return Inbound{}, err
		}
	}
	logData := map[string]any{"comment": creationText(inbox.Name, values), "inbox_name": inbox.Name}
	if n.RecordLink != "" {
		logData["record_link"] = n.RecordLink
	}
	if err := writeLog(ctx, tx, EntityInbound, l.ID, LogInboundCreated, logData, Responsible{}); err != nil {
		return Inbound{}, err
	}
	// The request is returned as written, not read back (loadInbound
	// would be five more queries): a new request has no deals, and its
	// stage, values and contact data are those just stored. Custom
	// values are read back for their field names and option codes.
	l.Stage, l.Values, l.ContactData = first, service, data
	if len(custom) > 0 {
		fields, err := tx.FieldValues(ctx, EntityInbound, []int64{l.ID})
		if err != nil {
			return Inbound{}, err
		}
		l.Fields = fields[l.ID]
	}
	return l, nil
}

func (ic *inboundContext) adminID() int64 {
	var id int64
	for _, u := range ic.users {
		if u.Role == RoleAdmin && (id == 0 || u.ID < id) {
			id = u.ID
		}
	}
	return id
}

// creationText is the history line of a new request, as Envybox writes it:
// the inbox type, then "Label : value" for each value given.
func creationText(inbox string, values map[int64]string) string {
	var b strings.Builder
	b.WriteString(inbox)
	b.WriteString(" ")
	for _, f := range ServiceFieldsOf(EntityInbound) {
		val := values[f.ID]
		if val == "" {
			continue
		}
		if f.ID == FieldLeadPhone {
			val = FormatPhone(val)
		}
		fmt.Fprintf(&b, "%s : %s ", f.Name, val)
	}
	return b.String()
}

func writeLog(ctx context.Context, tx Tx, entity EntityType, id int64, typeID int, data map[string]any, by Responsible) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return tx.InsertLog(ctx, &LogEntry{EntityType: entity, EntityID: id, TypeID: typeID, Data: raw, UserID: by.UserID, EmployeeID: by.EmployeeID})
}

// loadInbound reads one request with its deals, values and contact data.
func loadInbound(ctx context.Context, tx Tx, id int64) (Inbound, error) {
	l, err := tx.Inbound(ctx, id)
	if KindOf(err) == KindNotFound {
		return l, Fail(CodeInboundNotFound)
	}
	if err != nil {
		return l, err
	}
	list := []Inbound{l}
	err = loadInboundDetails(ctx, tx, list)
	return list[0], err
}

func loadInboundDetails(ctx context.Context, tx Tx, list []Inbound) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	deals, err := tx.InboundDeals(ctx, ids)
	if err != nil {
		return err
	}
	values, err := tx.ServiceValues(ctx, EntityInbound, ids)
	if err != nil {
		return err
	}
	fields, err := tx.FieldValues(ctx, EntityInbound, ids)
	if err != nil {
		return err
	}
	data, err := tx.ContactData(ctx, EntityInbound, ids)
	if err != nil {
		return err
	}
	for i := range list {
		l := &list[i]
		l.DealIDs, l.Values, l.Fields, l.ContactData = deals[l.ID], values[l.ID], fields[l.ID], data[l.ID]
	}
	return nil
}

// Inbound returns one request. Errors: not found (CodeInboundNotFound).
func (s *Service) Inbound(ctx context.Context, actor Actor, id int64) (Inbound, error) {
	var out Inbound
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = loadInbound(ctx, tx, id)
		return err
	})
	return out, err
}

// FindInbound returns the request of a phone or email not yet taken to
// work: the parent of that contact's requests when it is still open, else
// the oldest open one. ok is false when there is none.
// Errors: invalid (CodeMissingInput: neither phone nor email).
func (s *Service) FindInbound(ctx context.Context, actor Actor, phone, email string) (out Inbound, ok bool, err error) {
	phone, email = NormalizePhone(phone), NormalizeEmail(email)
	if phone == "" && email == "" {
		return out, false, Fail(CodeMissingInput)
	}
	err = s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		list, _, err := tx.Inbounds(ctx, InboundQuery{Phone: phone, Email: email, NotTakenOnly: true, Limit: 500})
		if err != nil || len(list) == 0 {
			return err
		}
		best := list[len(list)-1] // the list is newest first
		for _, l := range list {
			if l.ParentID == 0 {
				best = l
			}
		}
		out, ok = best, true
		one := []Inbound{out}
		err = loadInboundDetails(ctx, tx, one)
		out = one[0]
		return err
	})
	return out, ok, err
}

// Inbounds lists requests newest first with the total.
// Errors: invalid (CodeUnknownOption: date field).
func (s *Service) Inbounds(ctx context.Context, actor Actor, q InboundQuery) ([]Inbound, int, error) {
	switch q.DateField {
	case "", "created", "updated", "closed", "stage_changed":
	default:
		return nil, 0, Fail(CodeUnknownOption)
	}
	var out []Inbound
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if out, total, err = tx.Inbounds(ctx, q); err != nil {
			return err
		}
		return loadInboundDetails(ctx, tx, out)
	})
	return out, total, err
}

// StartInbound takes a request to work: it finds the client with the
// request's phone or email or creates one, creates a deal in the request's
// deal pipeline, links request and deal, and moves the request to the
// "new client" or "existing client" stage — all in one transaction, so two
// concurrent starts of one request make exactly one deal.
// Errors: not found (CodeInboundNotFound), conflict (CodeInboundTaken), invalid.
func (s *Service) StartInbound(ctx context.Context, actor Actor, id int64, who Responsible) (StartResult, error) {
	var res StartResult
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ic, err := loadInboundContext(ctx, tx, responsibleNeeds)
		if err != nil {
			return err
		}
		l, err := loadInbound(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err = startInbound(ctx, tx, ic, actor, l, who, inboundStart{})
		return err
	})
	return res, err
}

// inboundStart is how a request taken to work starts its deal when the
// caller decides (amoCRM's accept): in a stage of the deal pipeline
// (Stage.ID 0: the request's deal stage, or the first), under a name (""
// the request's).
type inboundStart struct {
	Stage     Stage
	DealName  string
	DealPrice int64
}

// startInbound takes the loaded request l to work in tx: StartInbound's
// work, which amoCRM's accept shares. ic is loaded with responsibleNeeds.
// Errors: conflict (CodeInboundTaken), invalid.
func startInbound(ctx context.Context, tx Tx, ic *inboundContext, actor Actor, l Inbound, who Responsible, how inboundStart) (StartResult, error) {
	var res StartResult
	err := func() error {
		if l.TakenToWork() {
			return Fail(CodeInboundTaken)
		}
		var v violations
		ic.checkResponsible(&v, who)
		if err := v.err(); err != nil {
			return err
		}
		now := tx.Now()
		clients, err := tx.ContactsByPhoneOrEmail(ctx, l.Phone, l.Email)
		if err != nil {
			return err
		}
		values := map[int64]string{}
		for _, sv := range l.Values {
			values[sv.FieldID] = sv.Value
		}
		res = StartResult{InboundID: l.ID, UserID: who.UserID, EmployeeID: who.EmployeeID}
		var client Contact
		if len(clients) > 0 {
			if client, err = tx.Contact(ctx, clients[0]); err != nil {
				return err
			}
		} else {
			res.NewClient = true
			if client, err = createClientFromInbound(ctx, tx, l, values, who, actor); err != nil {
				return err
			}
		}
		res.ClientID = client.ID
		pipeline, ok := ic.dealPipeline(l.DealPipelineID)
		if !ok {
			return fmt.Errorf("inbound %d: deal pipeline %d is gone", l.ID, l.DealPipelineID)
		}
		stage, ok := pipeline.StageByID(l.DealStageID)
		if !ok {
			stage = pipeline.FirstStage()
		}
		if how.Stage.ID != 0 {
			stage = how.Stage
		}
		d := Deal{Name: l.Name, ClientID: client.ID, PipelineID: pipeline.ID, StageID: stage.ID, Responsible: who,
			InboxTypeID: l.InboxTypeID, StageUpdatedAt: now, Price: how.DealPrice}
		if how.DealName != "" {
			d.Name = how.DealName
		}
		if d.Name == "" {
			d.Name = "Сделка"
		}
		if err := insertDeal(ctx, tx, &d, stage); err != nil {
			return err
		}
		res.DealID = d.ID
		for _, c := range leadToDeal {
			if val := values[c.from]; val != "" {
				if err := tx.SetServiceValue(ctx, EntityDeal, d.ID, c.to, val); err != nil {
					return err
				}
			}
		}
		tags, err := tx.EntityTags(ctx, EntityInbound, []int64{l.ID})
		if err != nil {
			return err
		}
		// History entries are written by who takes the request to work, or
		// by the caller when nobody is named.
		by := who
		if by.UserID == 0 && by.EmployeeID == 0 {
			by = Responsible{UserID: actor.UserID}
		}
		if len(tags[l.ID]) > 0 {
			ids := make([]int64, len(tags[l.ID]))
			for i, t := range tags[l.ID] {
				ids[i] = t.ID
			}
			if err := tagDeal(ctx, tx, d.ID, ids, by); err != nil {
				return err
			}
		}
		if err := tx.LinkInboundDeal(ctx, l.ID, d.ID); err != nil {
			return err
		}
		closing := InboundExistingClient
		if res.NewClient {
			closing = InboundNewClient
		}
		inboundPipeline, err := tx.Pipeline(ctx, l.PipelineID)
		if err != nil {
			return err
		}
		next, ok := inboundPipeline.StageByStatus(closing)
		if !ok {
			return fmt.Errorf("inbound pipeline %d lacks stage status %d", inboundPipeline.ID, closing)
		}
		l.StageID, l.StageUpdatedAt, l.ClosedAt, l.ClientID = next.ID, now, now, client.ID
		if err := tx.UpdateInbound(ctx, &l); err != nil {
			return err
		}
		if err := writeLog(ctx, tx, EntityInbound, l.ID, LogInboundAttached, map[string]any{
			"client_name": client.Name, "client_id": client.ID, "deal_id": d.ID,
			"text": "Прикреплен к клиенту",
		}, by); err != nil {
			return err
		}
		if err := copyInboundCreation(ctx, tx, l.ID, d.ID); err != nil {
			return err
		}
		linked, err := leadLinkedData(ctx, tx, l, values)
		if err != nil {
			return err
		}
		return writeLog(ctx, tx, EntityDeal, d.ID, LogDealLeadLinked, linked, by)
	}()
	return res, err
}

// createClientFromInbound makes the client of a request taken to work: its
// name, phone and email become the client's, with the request's other
// contact data.
func createClientFromInbound(ctx context.Context, tx Tx, l Inbound, values map[int64]string, who Responsible, actor Actor) (Contact, error) {
	name := l.Name
	if name == "" {
		name = FormatPhone(l.Phone)
	}
	if name == "" {
		name = l.Email
	}
	c := Contact{Name: name, ResponsibleUserID: actor.UserID, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
	if who.EmployeeID != 0 {
		c.ResponsibleUserID = who.EmployeeID
	}
	if err := tx.InsertContact(ctx, &c); err != nil {
		return c, err
	}
	if err := tx.SetServiceValue(ctx, EntityContact, c.ID, FieldClientName, name); err != nil {
		return c, err
	}
	for _, f := range leadToClient {
		if val := values[f.from]; val != "" {
			if err := tx.SetServiceValue(ctx, EntityContact, c.ID, f.to, val); err != nil {
				return c, err
			}
		}
	}
	rows := []ContactData{}
	if l.Phone != "" {
		rows = append(rows, ContactData{Kind: "phone", Value: l.Phone, Primary: true})
	}
	if l.Email != "" {
		rows = append(rows, ContactData{Kind: "email", Value: l.Email, Primary: true})
	}
	for _, cd := range l.ContactData {
		rows = append(rows, ContactData{Kind: cd.Kind, Value: cd.Value, Addon: cd.Addon, Note: cd.Note, Birthday: cd.Birthday})
	}
	for _, cd := range rows {
		cd.OwnerType, cd.OwnerID = EntityContact, c.ID
		if err := tx.InsertContactData(ctx, &cd); err != nil {
			return c, err
		}
	}
	// As every made client has: the source of its contact.added event.
	return c, recordHistory(ctx, tx, EntityContact, c.ID, LogContactCreated, HistoryData{Text: name}, Responsible{UserID: actor.UserID})
}

// insertDeal stores a new deal, its name value and its first stage entry.
func insertDeal(ctx context.Context, tx Tx, d *Deal, stage Stage) error {
	dateNewDeal(tx, d, stage)
	if err := tx.InsertDeal(ctx, d); err != nil {
		return err
	}
	return afterDealInsert(ctx, tx, d, stage)
}

// dateNewDeal sets a new deal's stage date, and its closing date when it
// starts in a closing stage.
func dateNewDeal(tx Tx, d *Deal, stage Stage) {
	d.StageUpdatedAt = tx.Now()
	if stage.Status.Closing() {
		d.ClosedAt = tx.Now()
	}
}

// afterDealInsert writes what insertDeal adds to a deal just inserted: its
// name as a service value, its first stage entry and its creation entry.
func afterDealInsert(ctx context.Context, tx Tx, d *Deal, stage Stage) error {
	if err := tx.SetServiceValue(ctx, EntityDeal, d.ID, FieldDealName, d.Name); err != nil {
		return err
	}
	if err := tx.RecordStage(ctx, d.ID, stage.ID, tx.Now()); err != nil {
		return err
	}
	return writeLog(ctx, tx, EntityDeal, d.ID, LogDealCreated, map[string]any{"stage_id": stage.ID, "stage_name": stage.Name}, d.Responsible)
}

// UpdateInboundValues writes service and custom values of a request; name,
// phone and email are kept in step with their service values.
// Errors: invalid (CodeUnknownReference for an unknown request, the
// error of an unknown field, as Envybox answers both; CodeMissingInput
// without writes).
func (s *Service) UpdateInboundValues(ctx context.Context, actor Actor, id int64, writes []FieldWrite) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		l, err := tx.Inbound(ctx, id)
		if KindOf(err) == KindNotFound {
			return Fail(CodeUnknownReference)
		}
		if err != nil {
			return err
		}
		defs, err := tx.AllCustomFields(ctx, EntityInbound)
		if err != nil {
			return err
		}
		if len(writes) == 0 {
			return Fail(CodeMissingInput)
		}
		var v violations
		var custom []CustomValueInput
		service := map[int64]string{}
		for i, w := range writes {
			if !w.Service {
				custom = append(custom, CustomValueInput{FieldID: w.FieldID, Value: w.Value})
				continue
			}
			f, ok := ServiceFieldByID(EntityInbound, w.FieldID)
			if !ok {
				v.refuse(0, fmt.Sprintf("fields.%d.input_id", i), ViolationChoice, CodeUnknownReference)
				continue
			}
			text, _ := scalarText(w.Value)
			v.checkText(0, fmt.Sprintf("fields.%d.value", i), strings.TrimSpace(text), f.MaxLength())
			switch f.ID {
			case FieldLeadPhone:
				text = NormalizePhone(text)
				l.Phone = text
			case FieldLeadEmail:
				text = NormalizeEmail(text)
				l.Email = text
			case FieldLeadName:
				l.Name = strings.TrimSpace(text)
			}
			service[f.ID] = text
		}
		values := resolveCustom(&v, defs, coerceCustom(defs, custom, actor.Location()), "fields")
		if err := v.err(); err != nil {
			return err
		}
		for fieldID, text := range service {
			if err := tx.SetServiceValue(ctx, EntityInbound, id, fieldID, text); err != nil {
				return err
			}
		}
		if err := tx.SetFieldValues(ctx, EntityInbound, id, values); err != nil {
			return err
		}
		return tx.UpdateInbound(ctx, &l)
	})
}

// SetInboundResponsible makes an employee or a department responsible for a
// request; the previous employee is kept as the old one.
// Errors: not found (CodeInboundNotFound), invalid (CodeMissingInput
// when neither an employee nor a department is named).
func (s *Service) SetInboundResponsible(ctx context.Context, actor Actor, id int64, who Responsible) (Inbound, error) {
	var out Inbound
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ic, err := loadInboundContext(ctx, tx, responsibleNeeds)
		if err != nil {
			return err
		}
		l, err := tx.Inbound(ctx, id)
		if KindOf(err) == KindNotFound {
			return Fail(CodeInboundNotFound)
		}
		if err != nil {
			return err
		}
		var v violations
		if who.EmployeeID == 0 && who.DepartmentID == 0 {
			v.refuse(0, "employee_id", ViolationRequired, CodeMissingInput)
		}
		ic.checkResponsible(&v, who)
		if err := v.err(); err != nil {
			return err
		}
		if l.EmployeeID != 0 && l.EmployeeID != who.EmployeeID {
			l.OldEmployeeID = l.EmployeeID
		}
		// An employee and a department exclude each other.
		l.EmployeeID, l.DepartmentID = who.EmployeeID, who.DepartmentID
		if err := tx.UpdateInbound(ctx, &l); err != nil {
			return err
		}
		if err := writeLog(ctx, tx, EntityInbound, l.ID, LogInboundResponsible, map[string]any{
			"employee_id": l.EmployeeID, "department_id": l.DepartmentID, "old_employee_id": l.OldEmployeeID,
		}, Responsible{UserID: actor.UserID}); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}
