package crm

import (
	"context"
	"fmt"
	"strings"
)

// maxUnsortedMetadata is the largest metadata object an item keeps, in
// bytes of JSON: the documented keys fit in a fraction of it.
const maxUnsortedMetadata = 16 << 10

// CreateUnsorted records unsorted items: each an inbound request recorded
// exactly as Envybox's lead/set records one (recordInbound: the same
// validation, and the same de-duplication — a request whose phone or email
// matches an earlier one becomes a child of the first, ParentID), with its
// amoCRM source beside it. A call is recorded once: a second item with a
// recorded call's source_uid and uniq is refused, as amoCRM refuses data
// already in unsorted — telephony integrations resend calls, and a resent
// call is no new request. All items or none are written; a violation names
// its item's index.
// Errors: invalid.
func (s *Service) CreateUnsorted(ctx context.Context, actor Actor, in []NewUnsorted) ([]Unsorted, error) {
	if len(in) == 0 {
		return nil, Invalid(Violation{Code: ViolationRequired, Detail: "At least one unsorted item is required."})
	}
	var v violations
	for i, n := range in {
		checkNewUnsorted(&v, i, n)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out := make([]Unsorted, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		var need inboundNeeds
		for _, n := range in {
			nn := needsOf(n.Inbound)
			need.users, need.fields = need.users || nn.users, need.fields || nn.fields
		}
		ic, err := loadInboundContext(ctx, tx, need)
		if err != nil {
			return err
		}
		var dup violations
		calls := map[[2]string]bool{}
		for i, n := range in {
			if n.CallUniq == "" {
				continue
			}
			key := [2]string{n.SourceUID, n.CallUniq}
			seen, err := tx.UnsortedCallExists(ctx, n.SourceUID, n.CallUniq)
			if err != nil {
				return err
			}
			if seen || calls[key] {
				dup.add(i, "metadata.uniq", ViolationInvalid, "This call of the source has been recorded already.")
			}
			calls[key] = true
		}
		if err := dup.err(); err != nil {
			return err
		}
		for i, n := range in {
			l, err := recordInbound(ctx, tx, ic, n.Inbound)
			if err != nil {
				return asItem(err, i)
			}
			if !n.CreatedAt.IsZero() {
				l.CreatedAt = n.CreatedAt
				if err := tx.UpdateInbound(ctx, &l); err != nil {
					return err
				}
			}
			src := UnsortedSource{InboundID: l.ID, Category: n.Category, SourceUID: n.SourceUID, SourceName: n.SourceName,
				Metadata: n.Metadata, LeadName: strings.TrimSpace(n.LeadName), LeadPrice: n.LeadPrice, CallUniq: n.CallUniq}
			if err := tx.SaveUnsortedSource(ctx, src); err != nil {
				return err
			}
			out[i] = Unsorted{Inbound: l, Source: src}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.tookIn(ctx, len(out))
	return out, nil
}

// checkNewUnsorted validates what an item adds to its request.
func checkNewUnsorted(v *violations, i int, n NewUnsorted) {
	switch n.Category {
	case UnsortedSIP, UnsortedForms:
	default:
		v.add(i, "category", ViolationChoice, "Only sip and forms unsorted items can be created through the API.")
	}
	if strings.TrimSpace(n.SourceName) == "" {
		v.add(i, "source_name", ViolationRequired, "source_name is required.")
	}
	v.checkText(i, "source_name", n.SourceName, MaxShortText)
	if strings.TrimSpace(n.SourceUID) == "" {
		v.add(i, "source_uid", ViolationRequired, "source_uid is required.")
	}
	v.checkText(i, "source_uid", n.SourceUID, MaxShortText)
	if len(n.Metadata) > maxUnsortedMetadata {
		v.add(i, "metadata", ViolationTooLong, fmt.Sprintf("metadata may take at most %d bytes.", maxUnsortedMetadata))
	}
	v.checkText(i, "_embedded.leads.0.name", n.LeadName, MaxNameLength)
	if n.LeadPrice < 0 { // the rule writeLead applies to a lead's price
		v.add(i, "_embedded.leads.0.price", ViolationRange, "This value should be 0 or more.")
	}
	if !n.CreatedAt.IsZero() && n.CreatedAt.Unix() <= 0 {
		v.add(i, "created_at", ViolationRange, "created_at must be a positive Unix time.")
	}
}

// asItem moves the violations of a one-item error (recordInbound's, which
// name item 0) to item i.
func asItem(err error, i int) error {
	e, ok := AsError(err)
	if !ok || len(e.Violations) == 0 {
		return err
	}
	out := *e
	out.Violations = make([]Violation, len(e.Violations))
	for k, vi := range e.Violations {
		vi.Item = i
		out.Violations[k] = vi
	}
	return &out
}

// unsortedOf pairs requests with their sources, stored or default.
func unsortedOf(ctx context.Context, tx Tx, list []Inbound) ([]Unsorted, error) {
	out := make([]Unsorted, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]int64, len(list))
	for i, l := range list {
		ids[i] = l.ID
	}
	sources, err := tx.UnsortedSources(ctx, ids)
	if err != nil {
		return nil, err
	}
	var inbox map[int64]string
	for i, l := range list {
		src, ok := sources[l.ID]
		if !ok {
			if inbox == nil {
				types, err := tx.InboxTypes(ctx)
				if err != nil {
					return nil, err
				}
				inbox = map[int64]string{}
				for _, t := range types {
					inbox[t.ID] = t.Name
				}
			}
			src = DefaultUnsortedSource(l, inbox[l.InboxTypeID])
		}
		out[i] = Unsorted{Inbound: l, Source: src}
	}
	return out, nil
}

// UnsortedList lists the pending items (requests neither taken to work nor
// declined) with their total.
func (s *Service) UnsortedList(ctx context.Context, actor Actor, q UnsortedQuery) ([]Unsorted, int, error) {
	var out []Unsorted
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		list, n, err := tx.PendingInbounds(ctx, q)
		if err != nil {
			return err
		}
		total = n
		out, err = unsortedOf(ctx, tx, list)
		return err
	})
	return out, total, err
}

// UnsortedRecord returns an inbound request as an unsorted item whatever
// its state: pending, accepted or declined. amoCRM's webhooks describe an
// item that may have left unsorted by the time they are sent, which
// UnsortedItem (pending items only, as amoCRM's API) cannot read.
// Errors: not found (CodeInboundNotFound).
func (s *Service) UnsortedRecord(ctx context.Context, actor Actor, id int64) (Unsorted, error) {
	var out Unsorted
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		l, err := tx.Inbound(ctx, id)
		if KindOf(err) == KindNotFound {
			return Fail(CodeInboundNotFound)
		}
		if err != nil {
			return err
		}
		list, err := unsortedOf(ctx, tx, []Inbound{l})
		if err == nil {
			out = list[0]
		}
		return err
	})
	return out, err
}

// UnsortedItem returns one pending item. A request taken to work or
// declined has left unsorted, as amoCRM deletes an accepted or declined
// item.
// Errors: not found (CodeInboundNotFound).
func (s *Service) UnsortedItem(ctx context.Context, actor Actor, id int64) (Unsorted, error) {
	var out Unsorted
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		l, err := tx.Inbound(ctx, id)
		if KindOf(err) == KindNotFound || err == nil && l.TakenToWork() {
			return Fail(CodeInboundNotFound)
		}
		if err != nil {
			return err
		}
		list, err := unsortedOf(ctx, tx, []Inbound{l})
		if err != nil {
			return err
		}
		out = list[0]
		return nil
	})
	return out, err
}

// pendingUnsorted loads a request that is still in unsorted, with its
// source, for accept, decline and link.
// Errors: not found (CodeInboundNotFound), conflict (CodeInboundTaken: taken
// to work or declined already).
func pendingUnsorted(ctx context.Context, tx Tx, id int64) (Unsorted, error) {
	l, err := loadInbound(ctx, tx, id)
	if err != nil {
		return Unsorted{}, err
	}
	if l.TakenToWork() {
		return Unsorted{}, Fail(CodeInboundTaken)
	}
	list, err := unsortedOf(ctx, tx, []Inbound{l})
	if err != nil {
		return Unsorted{}, err
	}
	return list[0], nil
}

// actingAs is who an unsorted action is done by: the user named (checked
// as a user of the account, reported at path), else the caller.
func actingAs(ic *inboundContext, actor Actor, userID int64, path string) (Responsible, error) {
	if userID == 0 {
		return Responsible{UserID: actor.UserID}, nil
	}
	if _, ok := ic.users[userID]; !ok {
		return Responsible{}, Invalid(Violation{Path: path, Code: ViolationChoice, Detail: path + " is not a user of this account."})
	}
	return Responsible{EmployeeID: userID}, nil
}

// acceptStage is the stage an accepted item's deal starts in when the
// caller names none: the deal pipeline's first open stage that is not its
// unsorted status (the first "new" stage while unsorted is on), as amoCRM
// moves an accepted lead out of unsorted.
func acceptStage(p Pipeline) Stage {
	var unsorted int64
	if p.UnsortedOn {
		if st, ok := p.StageByStatus(StageNew); ok {
			unsorted = st.ID
		}
	}
	for _, st := range p.Stages {
		if st.ID != unsorted && !st.Status.Closing() {
			return st
		}
	}
	return p.FirstStage()
}

// AcceptUnsorted accepts an item: its request is taken to work as
// Envybox's lead/start takes it (StartInbound: the client found by phone or
// email or made, a deal linked to the request), the deal named after the
// amoCRM lead the item carried, in the stage a names, the user a names
// responsible (by default the caller). The request's history records the
// acceptance with the deal.
// Errors: not found (CodeInboundNotFound), conflict (CodeInboundTaken),
// invalid (user_id, status_id).
func (s *Service) AcceptUnsorted(ctx context.Context, actor Actor, id int64, a UnsortedAccept) (UnsortedResult, error) {
	var out UnsortedResult
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ic, err := loadInboundContext(ctx, tx, responsibleNeeds)
		if err != nil {
			return err
		}
		u, err := pendingUnsorted(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.UserID == 0 {
			a.UserID = actor.UserID
		}
		who, err := actingAs(ic, actor, a.UserID, "user_id")
		if err != nil {
			return err
		}
		pipeline, ok := ic.dealPipeline(u.DealPipelineID)
		if !ok {
			return fmt.Errorf("inbound %d: deal pipeline %d is gone", u.ID, u.DealPipelineID)
		}
		how := inboundStart{DealName: u.Source.LeadName, DealPrice: u.Source.LeadPrice}
		switch {
		case a.StageID != 0:
			if how.Stage, ok = pipeline.StageByID(a.StageID); !ok {
				return Invalid(Violation{Path: "status_id", Code: ViolationChoice, Detail: "status_id is not a status of the item's pipeline."})
			}
		case a.StageStatus != 0:
			if how.Stage, ok = pipeline.StageByStatus(a.StageStatus); !ok {
				return Invalid(Violation{Path: "status_id", Code: ViolationChoice, Detail: "status_id is not a status of the item's pipeline."})
			}
		case u.DealStageID == 0:
			how.Stage = acceptStage(pipeline)
		}
		res, err := startInbound(ctx, tx, ic, actor, u.Inbound, who, how)
		if err != nil {
			return err
		}
		if err := recordHistory(ctx, tx, EntityInbound, u.ID, LogInboundAcceptedTo, HistoryData{
			Text: "Принят из неразобранного", Link: &HistoryLink{EntityType: EntityDeal, EntityID: res.DealID},
		}, who); err != nil {
			return err
		}
		if u.Inbound, err = tx.Inbound(ctx, id); err != nil {
			return err
		}
		out = UnsortedResult{Unsorted: u, DealID: res.DealID, ClientID: res.ClientID}
		return nil
	})
	return out, err
}

// DeclineUnsorted declines an item. Nothing was made from a pending
// request, so nothing goes to a trash: the request is closed without a
// client or a deal, in the stage it was in. Envybox then shows it processed
// (status "1", no deal), lead/search no longer finds it and lead/start
// answers that it was taken already; its history has the decline
// (LogInboundDeclined).
// Errors: not found (CodeInboundNotFound), conflict (CodeInboundTaken),
// invalid (user_id).
func (s *Service) DeclineUnsorted(ctx context.Context, actor Actor, id, userID int64) (UnsortedResult, error) {
	var out UnsortedResult
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ic, err := loadInboundContext(ctx, tx, responsibleNeeds)
		if err != nil {
			return err
		}
		u, err := pendingUnsorted(ctx, tx, id)
		if err != nil {
			return err
		}
		by, err := actingAs(ic, actor, userID, "user_id")
		if err != nil {
			return err
		}
		now := tx.Now()
		u.ClosedAt = now
		if err := tx.UpdateInbound(ctx, &u.Inbound); err != nil {
			return err
		}
		u.Source.DeclinedAt, u.Source.DeclinedBy = now, by.UserID
		if by.EmployeeID != 0 {
			u.Source.DeclinedBy = by.EmployeeID
		}
		if err := tx.SaveUnsortedSource(ctx, u.Source); err != nil {
			return err
		}
		if err := recordHistory(ctx, tx, EntityInbound, u.ID, LogInboundDeclined, HistoryData{Text: "Отклонён в неразобранном"}, by); err != nil {
			return err
		}
		out = UnsortedResult{Unsorted: u}
		return nil
	})
	return out, err
}

// LinkUnsorted attaches an item to an existing deal (amoCRM's link to a
// lead): the request is linked to the deal and closed as taken to work by
// the deal's client, in the "existing client" stage, with the entries
// lead/start writes (attached, the creation copied onto the deal, "lead
// linked") and the acceptance. amoCRM links chats only; crmd has no chats
// and lets any pending item be linked.
// Errors: not found (CodeInboundNotFound), conflict (CodeInboundTaken),
// invalid (link.entity_id, user_id).
func (s *Service) LinkUnsorted(ctx context.Context, actor Actor, id, dealID, userID int64) (UnsortedResult, error) {
	var out UnsortedResult
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		ic, err := loadInboundContext(ctx, tx, responsibleNeeds)
		if err != nil {
			return err
		}
		u, err := pendingUnsorted(ctx, tx, id)
		if err != nil {
			return err
		}
		by, err := actingAs(ic, actor, userID, "user_id")
		if err != nil {
			return err
		}
		d, err := tx.Deal(ctx, dealID)
		if KindOf(err) == KindNotFound {
			return Invalid(Violation{Path: "link.entity_id", Code: ViolationChoice, Detail: "No lead has this id."})
		}
		if err != nil {
			return err
		}
		client, err := tx.Contact(ctx, d.ClientID)
		if err != nil {
			return err
		}
		pipeline, err := tx.Pipeline(ctx, u.PipelineID)
		if err != nil {
			return err
		}
		next, ok := pipeline.StageByStatus(InboundExistingClient)
		if !ok {
			return fmt.Errorf("inbound pipeline %d lacks stage status %d", pipeline.ID, InboundExistingClient)
		}
		if err := tx.LinkInboundDeal(ctx, u.ID, d.ID); err != nil {
			return err
		}
		now := tx.Now()
		u.StageID, u.Stage, u.StageUpdatedAt, u.ClosedAt, u.ClientID = next.ID, next, now, now, client.ID
		if err := tx.UpdateInbound(ctx, &u.Inbound); err != nil {
			return err
		}
		if err := writeLog(ctx, tx, EntityInbound, u.ID, LogInboundAttached, map[string]any{
			"client_name": client.Name, "client_id": client.ID, "deal_id": d.ID, "text": "Прикреплен к клиенту",
		}, by); err != nil {
			return err
		}
		if err := copyInboundCreation(ctx, tx, u.ID, d.ID); err != nil {
			return err
		}
		values := map[int64]string{}
		for _, sv := range u.Values {
			values[sv.FieldID] = sv.Value
		}
		linked, err := leadLinkedData(ctx, tx, u.Inbound, values)
		if err != nil {
			return err
		}
		if err := writeLog(ctx, tx, EntityDeal, d.ID, LogDealLeadLinked, linked, by); err != nil {
			return err
		}
		if err := recordHistory(ctx, tx, EntityInbound, u.ID, LogInboundAcceptedTo, HistoryData{
			Text: "Привязан к сделке из неразобранного", Link: &HistoryLink{EntityType: EntityDeal, EntityID: d.ID},
		}, by); err != nil {
			return err
		}
		out = UnsortedResult{Unsorted: u, DealID: d.ID, ClientID: client.ID}
		return nil
	})
	return out, err
}

// UnsortedSummaryOf counts the account's unsorted items (amoCRM §9.6):
// created in the window (total, by category), accepted in it (taken to
// work through either dialect, with the mean time to it) and declined in
// it. Every category is present, 0 when none.
func (s *Service) UnsortedSummaryOf(ctx context.Context, actor Actor, q UnsortedSummaryQuery) (UnsortedSummary, error) {
	var out UnsortedSummary
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.UnsortedSummary(ctx, q)
		return err
	})
	if err != nil {
		return out, err
	}
	if out.Categories == nil {
		out.Categories = map[string]int{}
	}
	for _, c := range UnsortedCategories {
		out.Categories[c] += 0
	}
	return out, nil
}
