package crm

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// dealDetailParts are the parts loadDealDetails reads for a list.
const dealDetailParts = DealPartInbounds | DealPartServiceValues | DealPartFields | DealPartTags

// loadDeal reads one deal with its requests, values, fields and tags, in
// one read (the four detail reads of a list were most of a read by id).
func loadDeal(ctx context.Context, tx Tx, id int64) (Deal, error) {
	d, _, err := tx.DealWithParts(ctx, id, dealDetailParts)
	if KindOf(err) == KindNotFound {
		return d, Fail(CodeDealNotFound)
	}
	return d, err
}

// loadDealDetails reads the parts of the listed deals a list shows, a
// statement each, but those named in without.
func loadDealDetails(ctx context.Context, tx Tx, list []Deal, without DealPart) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	var (
		inbounds map[int64][]int64
		values   map[int64][]ServiceValue
		fields   map[int64][]FieldValue
		tags     map[int64][]Tag
		err      error
	)
	if without&DealPartInbounds == 0 {
		if inbounds, err = tx.DealInbounds(ctx, ids); err != nil {
			return err
		}
	}
	if without&DealPartServiceValues == 0 {
		if values, err = tx.ServiceValues(ctx, EntityDeal, ids); err != nil {
			return err
		}
	}
	if without&DealPartFields == 0 {
		if fields, err = tx.FieldValues(ctx, EntityDeal, ids); err != nil {
			return err
		}
	}
	if without&DealPartTags == 0 {
		if tags, err = tx.EntityTags(ctx, EntityDeal, ids); err != nil {
			return err
		}
	}
	for i := range list {
		d := &list[i]
		d.InboundIDs, d.Values, d.Fields, d.Tags = inbounds[d.ID], values[d.ID], fields[d.ID], tags[d.ID]
	}
	return nil
}

// DealFamily is a deal with the deal it was made from and the deals made from it.
type DealFamily struct {
	Deal     Deal
	Parent   *Deal
	Children []Deal
}

// Deal returns a deal, with its parent and children when family is set.
// Errors: not found (CodeDealNotFound).
func (s *Service) Deal(ctx context.Context, actor Actor, id int64, family bool) (DealFamily, error) {
	var out DealFamily
	if !family {
		// The deal alone is one statement (ViewOne).
		err := s.store.ViewOne(ctx, actor.AccountID, func(tx Tx) (err error) {
			out.Deal, err = loadDeal(ctx, tx, id)
			return err
		})
		return out, err
	}
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if out.Deal, err = loadDeal(ctx, tx, id); err != nil || !family {
			return err
		}
		if out.Deal.ParentDealID != 0 {
			parent, err := loadDeal(ctx, tx, out.Deal.ParentDealID)
			if err != nil {
				return err
			}
			out.Parent = &parent
		}
		if out.Children, _, err = tx.Deals(ctx, DealQuery{ParentIDs: []int64{id}, Limit: 500}); err != nil {
			return err
		}
		return loadDealDetails(ctx, tx, out.Children, 0)
	})
	return out, err
}

// CreateDeal creates a deal for an existing client, optionally with a task
// and initial values. Errors: not found (CodeClientNotFound), invalid (an
// unknown pipeline, stage or inbox type is a CodeUnknownReference).
func (s *Service) CreateDeal(ctx context.Context, actor Actor, n NewDeal) (Deal, error) {
	var id int64
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		// A deal changes none of the reference data: the creations sharing
		// a transaction read it once (it was two fifths of deal/create's
		// time on the write connection).
		ic, err := sharedInboundContext(ctx, tx, responsibleNeeds)
		if err != nil {
			return err
		}
		client, err := tx.Contact(ctx, n.ClientID)
		if KindOf(err) == KindNotFound {
			return Fail(CodeClientNotFound)
		}
		if err != nil {
			return err
		}
		var v violations
		pipeline, ok := ic.dealPipeline(n.PipelineID)
		if !ok {
			v.refuse(0, "pipeline_id", ViolationChoice, CodeUnknownReference)
		}
		stage, ok := pipeline.StageByID(n.StageID)
		if !ok {
			if n.StageID != 0 {
				v.refuse(0, "stage_id", ViolationChoice, CodeUnknownReference)
			}
			stage = pipeline.FirstStage()
		}
		inbox, ok := ic.inboxType(n.InboxTypeID)
		if !ok {
			v.refuse(0, "inbox_type_id", ViolationChoice, CodeUnknownReference)
		}
		ic.checkResponsible(&v, n.Responsible)
		v.checkText(0, "name", strings.TrimSpace(n.Name), MaxNameLength)
		if err := v.err(); err != nil {
			return err
		}
		// created_by/updated_by (amoCRM's) name the key's owner.
		d := Deal{Name: strings.TrimSpace(n.Name), ClientID: client.ID, PipelineID: pipeline.ID, StageID: stage.ID,
			Responsible: n.Responsible, InboxTypeID: inbox.ID, WithEvent: n.Task != nil, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
		if d.Name == "" {
			d.Name = "Сделка"
		}
		if err := insertDeal(ctx, tx, &d, stage); err != nil {
			return err
		}
		if err := writeDealValues(ctx, tx, &d, n.Values, actor.Location()); err != nil {
			return err
		}
		if len(n.Tags) > 0 {
			if err := addDealTags(ctx, tx, d.ID, n.Tags, Responsible{UserID: actor.UserID}); err != nil {
				return err
			}
		}
		if n.Task != nil {
			// task_service.go: the default task, with_event and task time.
			if err := createDealTask(ctx, tx, actor, d, *n.Task); err != nil {
				return err
			}
		}
		id = d.ID
		return nil
	})
	if err != nil {
		return Deal{}, err
	}
	// The deal is read back after the commit, on a read connection: read
	// in the write transaction, its five queries were a fifth of a
	// creation's time on the write path, which concurrent writes wait for
	// (on PostgreSQL, holding the account's lock). A creation that
	// committed is answered with its deal even if the caller's context
	// ends meanwhile.
	var out Deal
	ctx = context.WithoutCancel(ctx)
	err = s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = loadDeal(ctx, tx, id)
		return err
	})
	return out, err
}

// writeDealValues applies Envybox field writes to a deal; the name service
// value (FieldDealName) renames the deal. Violations come back as invalid.
func writeDealValues(ctx context.Context, tx Tx, d *Deal, writes []FieldWrite, loc *time.Location) error {
	if len(writes) == 0 {
		return nil
	}
	defs, err := tx.AllCustomFields(ctx, EntityDeal)
	if err != nil {
		return err
	}
	var v violations
	var custom []CustomValueInput
	service := map[int64]string{}
	for i, w := range writes {
		if !w.Service {
			custom = append(custom, CustomValueInput{FieldID: w.FieldID, Value: w.Value})
			continue
		}
		f, ok := ServiceFieldByID(EntityDeal, w.FieldID)
		if !ok {
			v.refuse(0, fmt.Sprintf("fields.%d.input_id", i), ViolationChoice, CodeUnknownReference)
			continue
		}
		text, _ := scalarText(w.Value)
		service[f.ID] = strings.TrimSpace(text)
		v.checkText(0, fmt.Sprintf("fields.%d.value", i), service[f.ID], f.MaxLength())
	}
	values := resolveCustom(&v, defs, coerceCustom(defs, custom, loc), "fields")
	if err := v.err(); err != nil {
		return err
	}
	for fieldID, text := range service {
		if fieldID == FieldDealName {
			if text == "" {
				return Invalid(refusal(0, "fields", ViolationBlank, CodeMissingInput))
			}
			d.Name = text
			if err := tx.UpdateDeal(ctx, d); err != nil {
				return err
			}
		}
		if err := tx.SetServiceValue(ctx, EntityDeal, d.ID, fieldID, text); err != nil {
			return err
		}
	}
	return tx.SetFieldValues(ctx, EntityDeal, d.ID, values)
}

func addDealTags(ctx context.Context, tx Tx, dealID int64, names []string, by Responsible) error {
	refs := make([]TagRef, 0, len(names))
	for _, n := range names {
		refs = append(refs, TagRef{Name: n})
	}
	var v violations
	ids, err := resolveTags(ctx, tx, &v, 0, "tags", refs)
	if err != nil {
		return err
	}
	if err := v.err(); err != nil {
		return err
	}
	return tagDeal(ctx, tx, dealID, ids, by) // log_service.go: adds and writes the history entry
}

// ClientDeals is a client with its deals (Envybox deal/search).
type ClientDeals struct {
	Client Contact
	Deals  []Deal
}

// SearchDeals finds the clients with a phone or email and their deals.
// Errors: invalid (CodeMissingInput: neither given).
func (s *Service) SearchDeals(ctx context.Context, actor Actor, phone, email string) ([]ClientDeals, error) {
	phone, email = NormalizePhone(phone), NormalizeEmail(email)
	if phone == "" && email == "" {
		return nil, Fail(CodeMissingInput)
	}
	out := []ClientDeals{}
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		ids, err := tx.ContactsByPhoneOrEmail(ctx, phone, email)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.Contact(ctx, id)
			if err != nil {
				return err
			}
			deals, _, err := tx.Deals(ctx, DealQuery{ClientIDs: []int64{id}, Limit: 500})
			if err != nil {
				return err
			}
			out = append(out, ClientDeals{Client: c, Deals: deals})
		}
		return nil
	})
	return out, err
}

// moveDeal puts a deal on a stage, keeping its stage date, closing date and
// history in step.
func moveDeal(ctx context.Context, tx Tx, d *Deal, stage Stage, by Responsible) error {
	if d.StageID == stage.ID {
		return nil
	}
	from := d.Stage
	setStage(tx, d, stage)
	if err := tx.MoveDeal(ctx, d); err != nil {
		return err
	}
	return recordMove(ctx, tx, d, from, by)
}

// setStage puts d on stage in memory, with the stage date and closing
// date that go with it; the caller writes d.
func setStage(tx Tx, d *Deal, stage Stage) {
	now := tx.Now()
	d.StageID, d.Stage, d.StageUpdatedAt = stage.ID, stage, now
	d.ClosedAt = time.Time{}
	if stage.Status.Closing() {
		d.ClosedAt = now
	}
}

// recordMove writes the stage history entry and the history record of d's
// move from stage from to its stage (set by setStage).
func recordMove(ctx context.Context, tx Tx, d *Deal, from Stage, by Responsible) error {
	stage, now := d.Stage, d.StageUpdatedAt
	if err := tx.RecordStage(ctx, d.ID, stage.ID, now); err != nil {
		return err
	}
	return writeLog(ctx, tx, EntityDeal, d.ID, LogDealStage, map[string]any{
		"old_stage_id": from.ID, "old_stage_name": from.Name, "stage_id": stage.ID, "stage_name": stage.Name,
	}, by)
}

// ChangeDealStage moves a deal to another stage of its pipeline; the
// pipeline must allow manual stage changes.
// Errors: not found (CodeDealNotFound), invalid (CodeStageNotFound),
// forbidden (CodeStageChangeLocked).
func (s *Service) ChangeDealStage(ctx context.Context, actor Actor, dealID, clientID, stageID int64, by Responsible) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		d, err := tx.Deal(ctx, dealID)
		if KindOf(err) == KindNotFound || (err == nil && clientID != 0 && d.ClientID != clientID) {
			return Fail(CodeDealNotFound)
		}
		if err != nil {
			return err
		}
		p, err := sharedPipeline(ctx, tx, d.PipelineID)
		if err != nil {
			return err
		}
		if !p.AllowManualStageChange {
			return Fail(CodeStageChangeLocked)
		}
		stage, ok := p.StageByID(stageID)
		if !ok {
			return Fail(CodeStageNotFound)
		}
		return moveDeal(ctx, tx, &d, stage, by)
	})
}

// pipelinesKey names the pipelines read by the calls of a shared
// transaction (sharedPipeline).
type pipelinesKey struct{}

// sharedPipeline is tx.Pipeline for writes that change no pipeline (stage
// changes): the calls sharing a transaction read each pipeline once. They
// share one map, so that calls on deals of different pipelines do not
// drop each other's readings.
func sharedPipeline(ctx context.Context, tx Tx, id int64) (Pipeline, error) {
	s, ok := tx.(sharer)
	if !ok {
		return tx.Pipeline(ctx, id)
	}
	v, err := s.Shared(pipelinesKey{}, func() (any, error) { return map[int64]Pipeline{}, nil })
	if err != nil {
		return Pipeline{}, err
	}
	read := v.(map[int64]Pipeline)
	if p, ok := read[id]; ok {
		return p, nil
	}
	p, err := tx.Pipeline(ctx, id)
	if err == nil {
		read[id] = p
	}
	return p, err
}

// SetDealResponsible makes an employee or a department responsible for a
// deal; they exclude each other, and the previous employee becomes the old
// one. Errors: not found (CodeDealNotFound), invalid (CodeMissingInput
// when nobody is named).
func (s *Service) SetDealResponsible(ctx context.Context, actor Actor, dealID int64, who Responsible) (Deal, error) {
	var out Deal
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ic, err := sharedInboundContext(ctx, tx, responsibleNeeds)
		if err != nil {
			return err
		}
		d, err := tx.Deal(ctx, dealID)
		if KindOf(err) == KindNotFound {
			return Fail(CodeDealNotFound)
		}
		if err != nil {
			return err
		}
		var v violations
		if who.EmployeeID == 0 && who.DepartmentID == 0 && who.UserID == 0 {
			v.refuse(0, "employee_id", ViolationRequired, CodeMissingInput)
		}
		ic.checkResponsible(&v, who)
		if err := v.err(); err != nil {
			return err
		}
		if d.EmployeeID != 0 && d.EmployeeID != who.EmployeeID {
			d.OldEmployeeID = d.EmployeeID
		}
		d.EmployeeID, d.DepartmentID = who.EmployeeID, who.DepartmentID
		if who.UserID != 0 {
			d.UserID = who.UserID
		}
		if err := tx.UpdateDeal(ctx, &d); err != nil {
			return err
		}
		if err := writeLog(ctx, tx, EntityDeal, d.ID, LogDealResponsible, map[string]any{
			"employee_id": d.EmployeeID, "department_id": d.DepartmentID, "old_employee_id": d.OldEmployeeID,
		}, Responsible{UserID: actor.UserID}); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// DealToInbox sends a deal back to the inbox: it waits for a reaction again.
// Errors: not found (CodeDealNotFound).
func (s *Service) DealToInbox(ctx context.Context, actor Actor, dealID int64) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		d, err := tx.Deal(ctx, dealID)
		if KindOf(err) == KindNotFound {
			return Fail(CodeDealNotFound)
		}
		if err != nil {
			return err
		}
		d.ItReaction = true
		return tx.UpdateDeal(ctx, &d)
	})
}

// Deals lists deals newest first with the total. Errors: invalid
// (CodeUnknownOption: date field).
func (s *Service) Deals(ctx context.Context, actor Actor, q DealQuery) ([]Deal, int, error) {
	switch q.DateField {
	case "", "created", "updated", "closed", "stage_changed", "stage_transition":
	default:
		return nil, 0, Fail(CodeUnknownOption)
	}
	var out []Deal
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if out, total, err = tx.Deals(ctx, q); err != nil {
			return err
		}
		return loadDealDetails(ctx, tx, out, q.Without)
	})
	return out, total, err
}

// UpdateDealValues writes field values of a deal that must belong to the
// client. Errors: invalid (CodeUnknownReference for an unknown deal or
// client, the error of an unknown field, as Envybox answers all three;
// CodeMissingInput without writes).
func (s *Service) UpdateDealValues(ctx context.Context, actor Actor, dealID, clientID int64, writes []FieldWrite) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		d, err := tx.Deal(ctx, dealID)
		if KindOf(err) == KindNotFound || (err == nil && d.ClientID != clientID) {
			return Fail(CodeUnknownReference)
		}
		if err != nil {
			return err
		}
		if len(writes) == 0 {
			return Fail(CodeMissingInput)
		}
		return writeDealValues(ctx, tx, &d, writes, actor.Location())
	})
}
