package crm

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// leadContext is what validating a batch of lead writes needs from the
// store, loaded once per batch.
type leadContext struct {
	pipelines   []Pipeline
	users       map[int64]User
	fields      []CustomField
	lossReasons map[int64]bool
	// inbox is the default inbox type of new leads, once inboxRead.
	inbox     int64
	inboxRead bool
	// madeContacts and madeCompanies are the ones this call created (a
	// complex batch): a lead linking them needs no lookup to know they
	// exist. Only a call's own leadContext has them, never a shared one.
	madeContacts, madeCompanies map[int64]bool
}

func loadLeadContext(ctx context.Context, tx Tx) (*leadContext, error) {
	lc := &leadContext{users: map[int64]User{}, lossReasons: map[int64]bool{}}
	var err error
	if lc.pipelines, err = tx.Pipelines(ctx, PipelineDeal); err != nil {
		return nil, err
	}
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		lc.users[u.ID] = u
	}
	if lc.fields, err = tx.AllCustomFields(ctx, EntityDeal); err != nil {
		return nil, err
	}
	reasons, err := tx.LossReasons(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range reasons {
		lc.lossReasons[r.ID] = true
	}
	return lc, nil
}

func (lc *leadContext) pipeline(id int64) (Pipeline, bool) {
	for _, p := range lc.pipelines {
		if (id == 0 && p.Primary) || (id != 0 && p.ID == id) {
			return p, true
		}
	}
	if id == 0 && len(lc.pipelines) > 0 {
		return lc.pipelines[0], true
	}
	return Pipeline{}, false
}

// entryStage is where a lead added without a status starts: the
// pipeline's first stage, passing over the unsorted one (a "new" first
// stage while the pipeline has unsorted on), as amoCRM puts API leads in
// the first regular status.
func entryStage(p Pipeline) Stage {
	for i, s := range p.Stages {
		if s.Status.Closing() {
			continue
		}
		if i == 0 && p.UnsortedOn && s.Status == StageNew && len(p.Stages) > 1 && !p.Stages[1].Status.Closing() {
			continue
		}
		return s
	}
	return p.FirstStage()
}

// stageOf resolves a status reference within p.
func stageOf(p Pipeline, ref LeadStatusRef) (Stage, bool) {
	if ref.StageID == 0 && ref.Status != 0 {
		return p.StageByStatus(ref.Status)
	}
	return p.StageByID(ref.StageID)
}

// ResponsibleUser is the user amoCRM shows as responsible for a deal: its
// employee when it has one, else its administrator user.
func (r Responsible) ResponsibleUser() int64 {
	if r.EmployeeID != 0 {
		return r.EmployeeID
	}
	return r.UserID
}

// responsibleFor makes a user responsible the way Envybox records it: an
// administrator as the user, a member as the employee (keeping the
// administrator user the deal had).
func responsibleFor(u User, current Responsible) Responsible {
	if u.Role == RoleAdmin {
		return Responsible{UserID: u.ID}
	}
	return Responsible{UserID: current.UserID, EmployeeID: u.ID}
}

// loadLeads attaches what a lead shows besides its deal: tags, fields,
// contacts and loss reason, but the parts named in without (contacts, loss
// reason: amoCRM shows them only when asked). Envybox's service values
// and linked requests (loadDealDetails) are left out: no amoCRM lead field
// shows them, and they were a sixth of the 250-lead page's time.
func loadLeads(ctx context.Context, tx Tx, deals []Deal, without DealPart) ([]Lead, error) {
	ids := make([]int64, len(deals))
	for i := range deals {
		ids[i] = deals[i].ID
	}
	fields, err := tx.FieldValues(ctx, EntityDeal, ids)
	if err != nil {
		return nil, err
	}
	tags, err := tx.EntityTags(ctx, EntityDeal, ids)
	if err != nil {
		return nil, err
	}
	for i := range deals {
		deals[i].Fields, deals[i].Tags = fields[deals[i].ID], tags[deals[i].ID]
	}
	// Without contacts, Lead.Contacts stays nil, the main one included.
	contacts := without&DealPartContacts == 0
	var extra map[int64][]int64
	if contacts {
		if extra, err = tx.DealContacts(ctx, ids); err != nil {
			return nil, err
		}
	}
	var reasons map[int64]LossReason
	if without&DealPartLossReason == 0 {
		reasons = map[int64]LossReason{}
	}
	out := make([]Lead, len(deals))
	for i, d := range deals {
		if out[i], err = leadOf(ctx, tx, d, contacts, extra[d.ID], reasons); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// leadOf makes a lead of a deal read with its fields and tags: its main
// contact, then contacts (the other contacts' ids, in order),
// when withContacts, and its loss reason, read once per id into reasons;
// a nil reasons leaves it unread (DealPartLossReason omitted).
func leadOf(ctx context.Context, tx Tx, d Deal, withContacts bool, contacts []int64, reasons map[int64]LossReason) (Lead, error) {
	out := Lead{Deal: d}
	if d.ClientID != 0 && withContacts {
		out.Contacts = append(out.Contacts, ContactLink{ContactID: d.ClientID, IsMain: true})
	}
	for _, id := range contacts {
		out.Contacts = append(out.Contacts, ContactLink{ContactID: id})
	}
	if d.LossReasonID != 0 && reasons != nil {
		r, ok := reasons[d.LossReasonID]
		if !ok {
			var err error
			if r, err = tx.LossReason(ctx, d.LossReasonID); err != nil && KindOf(err) != KindNotFound {
				return Lead{}, err
			}
			reasons[d.LossReasonID] = r
		}
		if r.ID != 0 {
			out.LossReason = &r
		}
	}
	return out, nil
}

// Leads lists a page of the deals q selects as amoCRM leads, and whether
// more follow it.
func (s *Service) Leads(ctx context.Context, actor Actor, q LeadQuery) ([]Lead, bool, error) {
	var out []Lead
	var more bool
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		deals, next, err := tx.Leads(ctx, q)
		if err != nil {
			return err
		}
		more = next
		out, err = loadLeads(ctx, tx, deals, q.Without)
		return err
	})
	return out, more, err
}

// Lead returns one deal as an amoCRM lead. Errors: not found.
func (s *Service) Lead(ctx context.Context, actor Actor, id int64) (Lead, error) {
	var out Lead
	// One statement (ViewOne): the deal with its fields, tags, contacts
	// and loss reason, what loadLeads reads for a page in four.
	err := s.store.ViewOne(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = loadLead(ctx, tx, id)
		return err
	})
	return out, err
}

// FindLead answers what Lead does when the lead is missing (not found,
// "Lead %d not found") and nil when it exists, without reading the lead's
// details: amoCRM's PATCH by id asks only that before its update, and the
// whole lead (its fields, tags and contacts) was a fifth of the CPU of a
// status change.
func (s *Service) FindLead(ctx context.Context, actor Actor, id int64) error {
	return s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		_, err := tx.Deal(ctx, id)
		if KindOf(err) == KindNotFound {
			return Errorf(KindNotFound, "Lead %d not found", id)
		}
		return err
	})
}

func loadLead(ctx context.Context, tx Tx, id int64) (Lead, error) {
	d, links, err := tx.DealWithParts(ctx, id, DealPartFields|DealPartTags|DealPartContacts|DealPartLossReason)
	if KindOf(err) == KindNotFound {
		return Lead{}, Errorf(KindNotFound, "Lead %d not found", id)
	}
	if err != nil {
		return Lead{}, err
	}
	// As leadOf makes it, with the loss reason read in the same statement.
	out := Lead{Deal: d, LossReason: links.LossReason}
	if d.ClientID != 0 {
		out.Contacts = append(out.Contacts, ContactLink{ContactID: d.ClientID, IsMain: true})
	}
	for _, c := range links.Contacts {
		out.Contacts = append(out.Contacts, ContactLink{ContactID: c})
	}
	return out, nil
}

// LeadStamp is what amoCRM's answer to a lead write names of each lead:
// its id and its update time (as stored: whole seconds, UTC).
type LeadStamp struct {
	ID        int64
	UpdatedAt time.Time
}

// stampOf is d's LeadStamp once written.
func stampOf(d *Deal) LeadStamp {
	return LeadStamp{ID: d.ID, UpdatedAt: fromUnixTime(d.UpdatedAt)}
}

// fromUnixTime is t as the store reads it back: whole seconds, UTC.
func fromUnixTime(t time.Time) time.Time { return time.Unix(t.Unix(), 0).UTC() }

// leadStampIDs are the ids of stamps, in their order.
func leadStampIDs(stamps []LeadStamp) []int64 {
	ids := make([]int64, len(stamps))
	for i, s := range stamps {
		ids[i] = s.ID
	}
	return ids
}

// leadContextKey names a batch's leadContext among a shared transaction's
// readings.
type leadContextKey struct{}

// sharedLeadContext is loadLeadContext for lead writes, which change
// none of it (pipelines, users, fields, loss reasons): the calls sharing a
// transaction read it once, where each read it (four queries, the
// pipelines with their stages) on the write connection.
func sharedLeadContext(ctx context.Context, tx Tx) (*leadContext, error) {
	s, ok := tx.(sharer)
	if !ok {
		return loadLeadContext(ctx, tx)
	}
	v, err := s.Shared(leadContextKey{}, func() (any, error) { return loadLeadContext(ctx, tx) })
	if err != nil {
		return nil, err
	}
	return v.(*leadContext), nil
}

// AddLeads creates leads (deals) in one all-or-nothing batch and returns
// them as stored. Errors: invalid.
func (s *Service) AddLeads(ctx context.Context, actor Actor, in []LeadInput) ([]Lead, error) {
	var out []Lead
	err := s.updateRecords(ctx, actor.AccountID, len(in), func(tx Tx) error {
		lc, err := sharedLeadContext(ctx, tx)
		if err != nil {
			return err
		}
		stamps, err := addLeads(ctx, tx, lc, actor, in)
		if err != nil {
			return err
		}
		out, err = reloadLeads(ctx, tx, leadStampIDs(stamps))
		return err
	})
	return out, err
}

// AddLeadStamps is AddLeads answering only each lead's id and update
// time, which is all amoCRM's answer shows: it skips reading the leads
// back (five queries a batch on the write connection).
func (s *Service) AddLeadStamps(ctx context.Context, actor Actor, in []LeadInput) ([]LeadStamp, error) {
	var out []LeadStamp
	err := s.updateRecords(ctx, actor.AccountID, len(in), func(tx Tx) error {
		lc, err := sharedLeadContext(ctx, tx)
		if err != nil {
			return err
		}
		out, err = addLeads(ctx, tx, lc, actor, in)
		return err
	})
	return out, err
}

// addLeads writes new leads and returns their stamps, in in's order.
func addLeads(ctx context.Context, tx Tx, lc *leadContext, actor Actor, in []LeadInput) ([]LeadStamp, error) {
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one lead must be given.")
	}
	tx = rememberTags(tx)
	newDeal := func() Deal {
		d := Deal{Responsible: Responsible{UserID: actor.UserID}, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
		if u, ok := lc.users[actor.UserID]; ok {
			d.Responsible = responsibleFor(u, Responsible{})
		}
		return d
	}
	stamps := make([]LeadStamp, len(in))
	if rowByRowLeads || len(in) < 2 {
		for i := range in {
			d := newDeal()
			if err := writeLead(ctx, tx, lc, &v, i, &d, in[i], true, actor); err != nil {
				return nil, err
			}
			stamps[i] = stampOf(&d)
		}
		if err := v.err(); err != nil {
			return nil, err
		}
		return stamps, nil
	}

	// Every lead validated first (a batch with violations writes nothing),
	// the deals inserted together, then each lead's other writes, whose new
	// rows rowBuffer writes per table (lead_batch.go).
	deals := make([]*Deal, len(in))
	plans := make([]*leadPlan, len(in))
	for i := range in {
		d := newDeal()
		w, err := prepareLead(ctx, tx, lc, &v, i, &d, in[i], true, actor)
		if err != nil {
			return nil, err
		}
		if w != nil {
			placeLead(ctx, tx, lc, &d, in[i], w)
			dateNewDeal(tx, &d, w.stage)
		}
		deals[i], plans[i] = &d, w
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := tx.InsertDeals(ctx, deals); err != nil {
		return nil, err
	}
	buf := newRowBuffer(tx, deals)
	for i, d := range deals {
		if err := afterDealInsert(ctx, buf, d, plans[i].stage); err != nil {
			return nil, err
		}
		if err := finishLead(ctx, buf, d, in[i], true, plans[i], actor); err != nil {
			return nil, err
		}
		stamps[i] = stampOf(d)
	}
	if err := buf.flush(ctx); err != nil {
		return nil, err
	}
	return stamps, nil
}

// reloadLeads reads the leads a batch wrote, in the batch's order (an id
// may come twice), with one query for the deals and one per detail for
// all of them: read lead by lead, they were five queries per lead on the
// write connection, a sixth of a 250-lead batch's time.
func reloadLeads(ctx context.Context, tx Tx, ids []int64) ([]Lead, error) {
	if len(ids) == 0 {
		return []Lead{}, nil
	}
	found, _, err := tx.Leads(ctx, LeadQuery{IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Deal, len(found))
	for _, d := range found {
		byID[d.ID] = d
	}
	deals := make([]Deal, len(ids))
	for i, id := range ids {
		d, ok := byID[id]
		if !ok {
			return nil, Errorf(KindNotFound, "Lead %d not found", id)
		}
		deals[i] = d
	}
	return loadLeads(ctx, tx, deals, 0)
}

// UpdateLeads changes leads in one all-or-nothing batch and returns them
// as stored. A status or pipeline move goes through the stage rules every
// dialect shares (setStage, recordMove): the stage date, closed_at and the
// stage history entry.
// Errors: invalid, forbidden (the target pipeline does not allow changing
// stages by hand, CodeStageChangeLocked).
func (s *Service) UpdateLeads(ctx context.Context, actor Actor, in []LeadInput) ([]Lead, error) {
	var out []Lead
	err := s.updateRecords(ctx, actor.AccountID, len(in), func(tx Tx) error {
		stamps, err := updateLeads(ctx, tx, actor, in)
		if err != nil {
			return err
		}
		out, err = reloadLeads(ctx, tx, leadStampIDs(stamps))
		return err
	})
	return out, err
}

// UpdateLeadStamps is UpdateLeads answering only each lead's id and update
// time, which is all amoCRM's answer (and the workspace) uses: it skips
// reading the leads back on the write connection.
func (s *Service) UpdateLeadStamps(ctx context.Context, actor Actor, in []LeadInput) ([]LeadStamp, error) {
	var out []LeadStamp
	err := s.updateRecords(ctx, actor.AccountID, len(in), func(tx Tx) (err error) {
		out, err = updateLeads(ctx, tx, actor, in)
		return err
	})
	return out, err
}

// updateLeads writes the changes of in and returns the leads' stamps, in
// in's order.
func updateLeads(ctx context.Context, tx Tx, actor Actor, in []LeadInput) ([]LeadStamp, error) {
	lc, err := sharedLeadContext(ctx, tx)
	if err != nil {
		return nil, err
	}
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one lead must be given.")
	}
	stamps := make([]LeadStamp, len(in))
	for i := range in {
		if in[i].ID == 0 {
			v.add(i, "id", ViolationRequired, "This field is missing.")
			continue
		}
		d, err := tx.Deal(ctx, in[i].ID)
		if KindOf(err) == KindNotFound {
			v.add(i, "id", ViolationChoice, "The value you selected is not a valid choice.")
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := writeLead(ctx, tx, lc, &v, i, &d, in[i], false, actor); err != nil {
			return nil, err
		}
		stamps[i] = stampOf(&d)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return stamps, nil
}

// writeLead validates in against d and, while the batch has no violations,
// stores the result (insert when isNew) with its history entries.
// Violations accumulate in v; the returned error is internal (or the
// forbidden stage change).
func writeLead(ctx context.Context, tx Tx, lc *leadContext, v *violations, i int, d *Deal, in LeadInput, isNew bool, actor Actor) error {
	w, err := prepareLead(ctx, tx, lc, v, i, d, in, isNew, actor)
	if err != nil || w == nil {
		return err
	}
	if isNew {
		placeLead(ctx, tx, lc, d, in, w)
		if err := insertDeal(ctx, tx, d, w.stage); err != nil { // LogDealCreated, the stage history
			return err
		}
	}
	return finishLead(ctx, tx, d, in, isNew, w, actor)
}

// leadPlan is what prepareLead resolved of one lead's input, for the
// writes that follow.
type leadPlan struct {
	before                   Deal // for an update, the deal as stored
	p                        Pipeline
	stage                    Stage
	fields                   []FieldValue
	tagSet, addTags, delTags []int64
	contacts                 []int64
	mainID                   int64
}

// prepareLead validates in against d, applying its plain fields to d, and
// returns what the writes need; nil while the batch has violations (in v).
// It writes nothing but the tags the input names by a new name.
func prepareLead(ctx context.Context, tx Tx, lc *leadContext, v *violations, i int, d *Deal, in LeadInput, isNew bool, actor Actor) (_ *leadPlan, err error) {
	before := *d // for an update, the deal as stored
	if !isNew {
		d.UpdatedBy = actor.UserID
	}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		v.checkText(i, "name", name, MaxNameLength)
		d.Name = name
	}
	if in.Price != nil {
		if *in.Price < 0 {
			v.add(i, "price", ViolationRange, "This value should be 0 or more.")
		}
		d.Price = *in.Price
	}
	userRef := func(path string, p *int64, robotOK bool) (User, bool) {
		if p == nil {
			return User{}, false
		}
		u, ok := lc.users[*p]
		if !ok && !(robotOK && *p == 0) {
			v.add(i, path, ViolationChoice, "The value you selected is not a valid choice.")
			return User{}, false
		}
		return u, ok
	}
	if u, ok := userRef("responsible_user_id", in.ResponsibleUserID, false); ok {
		d.Responsible = responsibleFor(u, d.Responsible)
		d.Responsible.DepartmentID = 0
		if before.EmployeeID != 0 && before.EmployeeID != d.EmployeeID {
			d.OldEmployeeID = before.EmployeeID
		}
	}
	userRef("created_by", in.CreatedBy, true)
	userRef("updated_by", in.UpdatedBy, true)
	if in.CreatedBy != nil {
		d.CreatedBy = *in.CreatedBy
	}
	if in.UpdatedBy != nil {
		d.UpdatedBy = *in.UpdatedBy
	}

	// The stage: a pipeline alone moves to its entry stage; a status
	// alone stays in the lead's pipeline.
	pipelineID := d.PipelineID
	if in.PipelineID != nil {
		pipelineID = *in.PipelineID
	}
	p, ok := lc.pipeline(pipelineID)
	if !ok {
		v.add(i, "pipeline_id", ViolationChoice, "The value you selected is not a valid choice.")
	}
	var stage Stage
	switch {
	case !ok:
	case in.Status != nil:
		if stage, ok = stageOf(p, *in.Status); !ok {
			v.add(i, "status_id", ViolationChoice, "The value you selected is not a valid choice.")
		}
	case isNew || p.ID != d.PipelineID:
		stage = entryStage(p)
	default:
		stage = d.Stage
	}
	if in.LossReasonID != nil && *in.LossReasonID != 0 && !lc.lossReasons[*in.LossReasonID] {
		v.add(i, "loss_reason_id", ViolationChoice, "The value you selected is not a valid choice.")
	}
	fields := resolveFieldValues(v, i, "custom_fields_values", lc.fields, in.Fields)
	var tagSet []int64
	if in.Tags != nil {
		if tagSet, err = resolveTags(ctx, tx, v, i, "tags", *in.Tags); err != nil {
			return nil, err
		}
	}
	addTags, err := resolveTags(ctx, tx, v, i, "tags_to_add", in.TagsToAdd)
	if err != nil {
		return nil, err
	}
	delTags, err := resolveTags(ctx, tx, v, i, "tags_to_delete", in.TagsToDelete)
	if err != nil {
		return nil, err
	}
	var contacts []int64
	mainID := int64(0)
	seenContact := map[int64]bool{}
	for j, c := range in.Contacts {
		if lc.madeContacts[c.ID] {
			// made by this call: it exists
		} else if _, err := tx.Contact(ctx, c.ID); KindOf(err) == KindNotFound {
			v.add(i, fmt.Sprintf("_embedded.contacts.%d.id", j), ViolationChoice, "The value you selected is not a valid choice.")
			continue
		} else if err != nil {
			return nil, err
		}
		if seenContact[c.ID] {
			continue
		}
		seenContact[c.ID] = true
		contacts = append(contacts, c.ID)
		if c.IsMain && mainID == 0 {
			mainID = c.ID
		}
	}
	if in.CompanyID != nil && *in.CompanyID != 0 && !lc.madeCompanies[*in.CompanyID] {
		if _, err := tx.Company(ctx, *in.CompanyID); KindOf(err) == KindNotFound {
			v.add(i, "_embedded.companies.0.id", ViolationChoice, "The value you selected is not a valid choice.")
		} else if err != nil {
			return nil, err
		}
	}
	if len(*v) > 0 {
		return nil, nil // the batch fails; nothing more to do for this item
	}
	if in.CreatedAt != nil {
		d.CreatedAt = *in.CreatedAt
	}
	return &leadPlan{before: before, p: p, stage: stage, fields: fields, tagSet: tagSet, addTags: addTags, delTags: delTags,
		contacts: contacts, mainID: mainID}, nil
}

// placeLead sets what a new lead's deal row holds besides its input: its
// main contact, company, stage and inbox type.
func placeLead(ctx context.Context, tx Tx, lc *leadContext, d *Deal, in LeadInput, w *leadPlan) {
	if w.mainID == 0 && len(w.contacts) > 0 {
		w.mainID = w.contacts[0]
	}
	d.ClientID = w.mainID
	if in.CompanyID != nil {
		d.CompanyID = *in.CompanyID
	}
	d.PipelineID, d.StageID, d.Stage = w.p.ID, w.stage.ID, w.stage
	d.InboxTypeID = lc.defaultInboxType(ctx, tx)
	applyLeadClose(d, in)
}

// finishLead writes what follows a lead's deal row (for a new lead,
// inserted by then): its dates, links, custom values, history and tags,
// or for an update the changed deal.
func finishLead(ctx context.Context, tx Tx, d *Deal, in LeadInput, isNew bool, w *leadPlan, actor Actor) (err error) {
	before, p, stage, fields, contacts, mainID := w.before, w.p, w.stage, w.fields, w.contacts, w.mainID
	tagSet, addTags, delTags := w.tagSet, w.addTags, w.delTags
	by := Responsible{UserID: actor.UserID}
	if isNew {
		// InsertDeal dates the deal now; a given created_at or closed_at
		// (imports) is written over it.
		if in.CreatedAt != nil || in.ClosedAt != nil || in.LossReasonID != nil {
			if in.CreatedAt != nil {
				d.CreatedAt = *in.CreatedAt
			}
			applyLeadClose(d, in)
			if err := tx.UpdateDeal(ctx, d); err != nil {
				return err
			}
		}
		var extra []int64
		for _, id := range contacts {
			if id != mainID {
				extra = append(extra, id)
			}
		}
		// A new deal has no contacts to replace (ids are never reused).
		if len(extra) > 0 {
			if err := tx.SetDealContacts(ctx, d.ID, extra); err != nil {
				return err
			}
		}
		for _, id := range contacts {
			if err := logDealLink(ctx, tx, d.ID, EntityContact, id, LogDealLinked, by); err != nil {
				return err
			}
		}
		if d.CompanyID != 0 {
			if err := logDealLink(ctx, tx, d.ID, EntityCompany, d.CompanyID, LogDealLinked, by); err != nil {
				return err
			}
		}
		if in.UpdatedAt != nil {
			// An import may date a new lead in the past, never in the future.
			at := *in.UpdatedAt
			if now := tx.Now(); at.After(now) {
				at = now
			}
			defer func() {
				if err == nil {
					if err = tx.SetDealUpdatedAt(ctx, d.ID, at); err == nil {
						d.UpdatedAt = at
					}
				}
			}()
		}
	} else {
		if p.ID != d.PipelineID || stage.ID != d.StageID {
			if !p.AllowManualStageChange {
				return Fail(CodeStageChangeLocked)
			}
			d.PipelineID = p.ID
			if d.StageID != stage.ID {
				from := d.Stage
				setStage(tx, d, stage)
				if err := recordMove(ctx, tx, d, from, by); err != nil { // LogDealStage
					return err
				}
			}
		}
		applyLeadClose(d, in)
		// One UPDATE of what changed (a status change: the stage, its
		// dates, updated_by), where a move and then every column were
		// two, the second rewriting all the deal's index entries.
		if err := tx.PatchDeal(ctx, d, &before); err != nil {
			return err
		}
		if d.Name != before.Name {
			if err := tx.SetServiceValue(ctx, EntityDeal, d.ID, FieldDealName, d.Name); err != nil {
				return err
			}
		}
	}

	// Field changes go into one LogDealUpdated entry.
	var changes []FieldChange
	if !isNew {
		if d.Name != before.Name {
			changes = append(changes, NewFieldChange("name", before.Name, d.Name))
		}
		if d.Price != before.Price {
			changes = append(changes, NewFieldChange("price", before.Price, d.Price))
		}
		if d.ResponsibleUser() != before.ResponsibleUser() {
			changes = append(changes, NewFieldChange("responsible_user_id", before.ResponsibleUser(), d.ResponsibleUser()))
		}
	}
	if len(fields) > 0 {
		old, err := tx.FieldValues(ctx, EntityDeal, []int64{d.ID})
		if err != nil {
			return err
		}
		for _, f := range fields {
			changes = append(changes, NewFieldChange(fmt.Sprintf("cf:%d", f.FieldID), historyValues(valuesOf(old[d.ID], f.FieldID)), historyValues(f.Values)))
		}
		if err := tx.SetFieldValues(ctx, EntityDeal, d.ID, fields); err != nil {
			return err
		}
	}
	if len(changes) > 0 {
		if err := recordHistory(ctx, tx, EntityDeal, d.ID, LogDealUpdated, HistoryData{Changes: changes}, by); err != nil {
			return err
		}
	}
	if in.Tags != nil || len(addTags) > 0 || len(delTags) > 0 {
		return retagDeal(ctx, tx, d.ID, isNew, in.Tags != nil, tagSet, addTags, delTags, by)
	}
	return nil
}

// applyLeadClose keeps closed_at and the loss reason in step with the
// stage: a closed lead takes the closed_at the request gave (moveDeal and
// insertDeal set now), an open one has none; a loss reason is kept only on
// a lost stage (amoCRM's PHP client sends it only with status 143). A
// closed_at given for an open lead is dropped: amoCRM's rule for it is not
// documented, and an open lead with a closing date would read as closed.
func applyLeadClose(d *Deal, in LeadInput) {
	if d.Stage.Status.Closing() {
		if in.ClosedAt != nil && !in.ClosedAt.IsZero() {
			d.ClosedAt = *in.ClosedAt
		}
	} else {
		d.ClosedAt = time.Time{}
	}
	if in.LossReasonID != nil {
		d.LossReasonID = *in.LossReasonID
	}
	if d.Stage.Status != StageLost {
		d.LossReasonID = 0
	}
}

// defaultInboxType is the account's default inbox type, read once per
// batch: a batch adds no inbox type.
func (lc *leadContext) defaultInboxType(ctx context.Context, tx Tx) int64 {
	if !lc.inboxRead {
		lc.inbox, lc.inboxRead = defaultInboxType(ctx, tx), true
	}
	return lc.inbox
}

// defaultInboxType is the account's default inbox type (0 when it has none).
func defaultInboxType(ctx context.Context, tx Tx) int64 {
	types, err := tx.InboxTypes(ctx)
	if err != nil {
		return 0
	}
	for _, t := range types {
		if t.IsDefault {
			return t.ID
		}
	}
	if len(types) > 0 {
		return types[0].ID
	}
	return 0
}

// logDealLink writes a LogDealLinked or LogDealUnlinked entry, and the
// other side's (the contact's or company's), as a link between a contact
// and a company writes both: each record's history and webhooks
// (contacts[update] beside leads[update]) show it.
func logDealLink(ctx context.Context, tx Tx, dealID int64, to EntityType, toID int64, typeID int, by Responsible) error {
	if err := recordHistory(ctx, tx, EntityDeal, dealID, typeID, HistoryData{Link: &HistoryLink{EntityType: to, EntityID: toID}}, by); err != nil {
		return err
	}
	other := map[EntityType][2]int{EntityContact: {LogContactLinked, LogContactUnlinked}, EntityCompany: {LogCompanyLinked, LogCompanyUnlinked}}[to]
	if other[0] == 0 {
		return nil // a customer: its history is not kept per link
	}
	otherType := other[0]
	if typeID == LogDealUnlinked {
		otherType = other[1]
	}
	return recordHistory(ctx, tx, to, toID, otherType, HistoryData{Link: &HistoryLink{EntityType: EntityDeal, EntityID: dealID}}, by)
}

// retagDeal replaces (replace) or edits a deal's tags, writing Envybox's
// tags-added entry (tagDeal) for the new ones and a LogDealTagsDeleted
// entry for the removed ones. A fresh deal, just inserted, has no tags to
// read: ids are never reused.
func retagDeal(ctx context.Context, tx Tx, dealID int64, fresh, replace bool, set, add, del []int64, by Responsible) error {
	current := map[int64][]Tag{}
	if !fresh {
		var err error
		if current, err = tx.EntityTags(ctx, EntityDeal, []int64{dealID}); err != nil {
			return err
		}
	}
	keep := map[int64]bool{}
	if replace {
		for _, id := range set {
			keep[id] = true
		}
	}
	for _, id := range del {
		keep[id] = false
	}
	var removed []string
	var kept []int64
	for _, t := range current[dealID] {
		drop := (replace && !keep[t.ID]) || containsInt(del, t.ID)
		if drop {
			removed = append(removed, t.Name)
			continue
		}
		kept = append(kept, t.ID)
	}
	if len(removed) > 0 {
		if err := tx.SetEntityTags(ctx, EntityDeal, dealID, kept); err != nil {
			return err
		}
		if err := recordHistory(ctx, tx, EntityDeal, dealID, LogDealTagsDeleted, HistoryData{Tags: removed}, by); err != nil {
			return err
		}
	}
	var adds []int64
	if replace {
		adds = append(adds, set...)
	}
	for _, id := range add {
		if !containsInt(del, id) {
			adds = append(adds, id)
		}
	}
	if len(adds) == 0 {
		return nil
	}
	if fresh {
		return tagDealOver(ctx, tx, dealID, nil, adds, by)
	}
	return tagDeal(ctx, tx, dealID, adds, by) // reads the tags left after the removal
}

// rememberTags returns tx remembering, for one batch of new leads, the
// tags it found or made: leads tagged alike looked the same tag up three
// times each (by name, then by id to log it). The batch renames and
// deletes no tag.
func rememberTags(tx Tx) Tx {
	return &tagMemo{Tx: tx, byName: map[string]Tag{}, byID: map[int64]Tag{}}
}

// tagMemo is rememberTags' Tx.
type tagMemo struct {
	Tx
	byName map[string]Tag
	byID   map[int64]Tag
}

func (m *tagMemo) EnsureTag(ctx context.Context, name string) (Tag, error) {
	if t, ok := m.byName[name]; ok {
		return t, nil
	}
	t, err := m.Tx.EnsureTag(ctx, name)
	if err == nil {
		m.byName[name], m.byID[t.ID] = t, t
	}
	return t, err
}

func (m *tagMemo) Tag(ctx context.Context, id int64) (Tag, error) {
	if t, ok := m.byID[id]; ok {
		return t, nil
	}
	t, err := m.Tx.Tag(ctx, id)
	if err == nil {
		m.byID[id] = t
	}
	return t, err
}

func containsInt(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// LossReasons lists the account's loss reasons by sort.
func (s *Service) LossReasons(ctx context.Context, actor Actor) ([]LossReason, error) {
	return read(ctx, s, actor, func(tx Tx) ([]LossReason, error) { return tx.LossReasons(ctx) })
}

// LossReason returns one loss reason. Errors: not found.
func (s *Service) LossReason(ctx context.Context, actor Actor, id int64) (LossReason, error) {
	r, err := read(ctx, s, actor, func(tx Tx) (LossReason, error) { return tx.LossReason(ctx, id) })
	if KindOf(err) == KindNotFound {
		return r, Errorf(KindNotFound, "Loss reason %d not found", id)
	}
	return r, err
}

// AddLossReason creates a loss reason. amoCRM documents no API that writes
// them, so crmd serves none: accounts start with DefaultLossReasons, and
// programs embedding the service (tests, an operator's tooling) add more
// here. Errors: invalid.
func (s *Service) AddLossReason(ctx context.Context, actor Actor, name string, sort int) (LossReason, error) {
	r := LossReason{Name: strings.TrimSpace(name), Sort: sort}
	var v violations
	validateName(&v, 0, "name", &r.Name, true)
	if err := v.err(); err != nil {
		return r, err
	}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error { return tx.InsertLossReason(ctx, &r) })
	return r, err
}
