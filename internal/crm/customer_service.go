package crm

import (
	"context"
	"fmt"
	"strings"
)

// requireCustomers refuses customer calls while customers are switched off.
func requireCustomers(a Account) error {
	if a.CustomersMode == CustomersDisabled {
		return Errorf(KindUnprocessable, "Customers are disabled in this account")
	}
	return nil
}

// customersOn refuses the call unless the account has customers enabled.
func customersOn(ctx context.Context, tx Tx) error {
	a, err := tx.Account(ctx)
	if err != nil {
		return err
	}
	return requireCustomers(a)
}

// customerContext is what validating a customer write needs from the store,
// loaded once per batch.
type customerContext struct {
	account  Account
	statuses []CustomerStatus
	fields   []CustomField
	users    map[int64]bool
}

func loadCustomerContext(ctx context.Context, tx Tx) (*customerContext, error) {
	a, err := tx.Account(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireCustomers(a); err != nil {
		return nil, err
	}
	cc := &customerContext{account: a, users: map[int64]bool{}}
	if cc.statuses, err = tx.CustomerStatuses(ctx); err != nil {
		return nil, err
	}
	if cc.fields, err = tx.AllCustomFields(ctx, EntityCustomer); err != nil {
		return nil, err
	}
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		cc.users[u.ID] = true
	}
	return cc, nil
}

func (cc *customerContext) statusExists(id int64) bool {
	for _, s := range cc.statuses {
		if s.ID == id {
			return true
		}
	}
	return false
}

// Customers returns the customers q selects, fully loaded, and the total.
// Errors: unprocessable (customers disabled).
func (s *Service) Customers(ctx context.Context, actor Actor, q CustomerQuery) ([]Customer, int, error) {
	var out []Customer
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if err := customersOn(ctx, tx); err != nil {
			return err
		}
		if out, total, err = tx.Customers(ctx, q); err != nil {
			return err
		}
		return loadCustomerDetails(ctx, tx, out)
	})
	return out, total, err
}

// Customer returns one customer. Errors: not found, unprocessable.
func (s *Service) Customer(ctx context.Context, actor Actor, id int64) (Customer, error) {
	// Read by id, not as a one-item list: a list also counts its matches,
	// a query more (and on PostgreSQL a round trip more) for nothing.
	// One statement (ViewOne) reads the customer, its parts and the
	// account's customers mode, which is checked as customersOn does.
	var c Customer
	var mode CustomersMode
	err := s.store.ViewOne(ctx, actor.AccountID, func(tx Tx) (err error) {
		c, mode, err = tx.CustomerWithParts(ctx, id)
		return err
	})
	switch {
	case err == nil:
		if err := requireCustomers(Account{CustomersMode: mode}); err != nil {
			return Customer{}, err
		}
		return c, nil
	case KindOf(err) == KindNotFound:
		// No row, so no mode either: read as before, the mode first, so
		// that an account without customers still answers that.
		err = s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
			if err := customersOn(ctx, tx); err != nil {
				return err
			}
			c, _, err = tx.CustomerWithParts(ctx, id)
			return err
		})
		if err == nil {
			return c, nil
		}
		if KindOf(err) == KindNotFound {
			return Customer{}, Errorf(KindNotFound, "Customer %d not found", id)
		}
	}
	return Customer{}, err
}

// loadCustomerDetails attaches contacts, segments, tags and field values.
func loadCustomerDetails(ctx context.Context, tx Tx, list []Customer) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	contacts, err := tx.CustomerContacts(ctx, ids)
	if err != nil {
		return err
	}
	segments, err := tx.CustomerSegments(ctx, ids)
	if err != nil {
		return err
	}
	tags, err := tx.EntityTags(ctx, EntityCustomer, ids)
	if err != nil {
		return err
	}
	fields, err := tx.FieldValues(ctx, EntityCustomer, ids)
	if err != nil {
		return err
	}
	for i := range list {
		c := &list[i]
		c.Contacts, c.SegmentIDs, c.Tags, c.Fields = contacts[c.ID], segments[c.ID], tags[c.ID], fields[c.ID]
	}
	return nil
}

// AddCustomers creates customers in one all-or-nothing batch.
// Errors: invalid, unprocessable.
func (s *Service) AddCustomers(ctx context.Context, actor Actor, in []CustomerInput) ([]Customer, error) {
	var out []Customer
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCustomerContext(ctx, tx)
		if err != nil {
			return err
		}
		out, err = s.addCustomers(ctx, tx, cc, actor, in)
		return err
	})
	return out, err
}

func (s *Service) addCustomers(ctx context.Context, tx Tx, cc *customerContext, actor Actor, in []CustomerInput) ([]Customer, error) {
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one customer must be given.")
	}
	ids := make([]int64, 0, len(in))
	for i := range in {
		c := Customer{CreatedBy: actor.UserID, UpdatedBy: actor.UserID, ResponsibleUserID: actor.UserID,
			CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		if in[i].Name == nil {
			v.add(i, "name", ViolationRequired, "This field is missing.")
		}
		if cc.account.CustomersMode == CustomersPeriodicity && in[i].NextDate == nil {
			v.add(i, "next_date", ViolationRequired, "This field is missing: next_date is required in the periodicity mode.")
		}
		if err := s.writeCustomer(ctx, tx, cc, &v, i, &c, in[i], true); err != nil {
			return nil, err
		}
		if c.ID != 0 {
			// The source of the customer.added event (event.go).
			if err := recordHistory(ctx, tx, EntityCustomer, c.ID, LogCustomerCreated, HistoryData{}, actor.AsResponsible()); err != nil {
				return nil, err
			}
		}
		ids = append(ids, c.ID)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out, _, err := tx.Customers(ctx, CustomerQuery{IDs: ids, Limit: len(ids), NoTotal: true})
	if err != nil {
		return nil, err
	}
	out = orderByIDs(out, ids)
	return out, loadCustomerDetails(ctx, tx, out)
}

// orderByIDs sorts list into the order of ids, in place, and returns it.
func orderByIDs(list []Customer, ids []int64) []Customer {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	sorted := make([]Customer, len(list))
	for _, c := range list {
		sorted[pos[c.ID]] = c
	}
	copy(list, sorted)
	return list
}

// UpdateCustomers changes customers. Bad input rejects the whole batch;
// an item whose SeenUpdatedAt is older than the stored customer is refused
// alone (Conflict in its result) and the others are applied — amoCRM v2's
// per-item answer.
// Errors: invalid, unprocessable.
func (s *Service) UpdateCustomers(ctx context.Context, actor Actor, in []CustomerInput) ([]CustomerResult, error) {
	var out []CustomerResult
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCustomerContext(ctx, tx)
		if err != nil {
			return err
		}
		out, err = s.updateCustomers(ctx, tx, cc, actor, in, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCustomersAtomic changes customers all or nothing (amoCRM v4): bad
// input or a stale item anywhere writes nothing. An item whose
// SeenUpdatedAt is older than the stored customer makes the batch a
// conflict whose Violations name every stale item (path "updated_at").
// Errors: invalid, conflict, unprocessable.
func (s *Service) UpdateCustomersAtomic(ctx context.Context, actor Actor, in []CustomerInput) ([]Customer, error) {
	var out []Customer
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCustomerContext(ctx, tx)
		if err != nil {
			return err
		}
		res, err := s.updateCustomers(ctx, tx, cc, actor, in, true)
		if err != nil {
			return err
		}
		out = make([]Customer, len(res))
		for i := range res {
			out[i] = res[i].Customer
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateCustomers applies the batch inside tx. A stale item is a per-item
// Conflict result, or with staleFails a conflict error for the batch (the
// caller's transaction then rolls back what the other items wrote).
func (s *Service) updateCustomers(ctx context.Context, tx Tx, cc *customerContext, actor Actor, in []CustomerInput, staleFails bool) ([]CustomerResult, error) {
	out := make([]CustomerResult, len(in))
	var v, stale violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one customer must be given.")
	}
	ids := make([]int64, len(in))
	for i := range in {
		if in[i].ID == 0 {
			v.add(i, "id", ViolationRequired, "This field is missing.")
			continue
		}
		c, err := tx.Customer(ctx, in[i].ID)
		if KindOf(err) == KindNotFound {
			v.add(i, "id", ViolationChoice, "The value you selected is not a valid choice.")
			continue
		}
		if err != nil {
			return nil, err
		}
		ids[i] = c.ID
		if seen := in[i].SeenUpdatedAt; c.staleFor(seen) {
			out[i] = CustomerResult{Customer: c, Conflict: true}
			stale.add(i, "updated_at", ViolationInvalid, fmt.Sprintf("%s: customer %d was changed at %d, after the updated_at sent (%d).",
				staleText, c.ID, c.UpdatedAt.Unix(), seen.Unix()))
			continue
		}
		// The client's updated_at was only the precondition (writeCustomer
		// ignores UpdatedAt on update): the new version is the server's.
		c.touch(tx.Now(), actor.UserID)
		if err := s.writeCustomer(ctx, tx, cc, &v, i, &c, in[i], false); err != nil {
			return nil, err
		}
		if err := recordHistory(ctx, tx, EntityCustomer, c.ID, LogCustomerUpdated, HistoryData{}, actor.AsResponsible()); err != nil {
			return nil, err
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if staleFails && len(stale) > 0 {
		msg := stale[0].Detail
		if len(stale) > 1 {
			msg = fmt.Sprintf("%s for %d customers: each was changed after the updated_at sent.", staleText, len(stale))
		}
		return nil, &Error{Kind: KindConflict, Code: CodeStaleUpdate, Message: msg, Violations: stale}
	}
	list, _, err := tx.Customers(ctx, CustomerQuery{IDs: ids, Limit: len(ids), NoTotal: true})
	if err != nil {
		return nil, err
	}
	if err := loadCustomerDetails(ctx, tx, list); err != nil {
		return nil, err
	}
	byID := map[int64]Customer{}
	for _, c := range list {
		byID[c.ID] = c
	}
	for i := range out {
		out[i].Customer = byID[ids[i]]
	}
	return out, nil
}

// writeCustomer validates in against c and, when the batch has no violations
// so far, stores the result (insert when isNew). Violations accumulate in v;
// the returned error is internal.
func (s *Service) writeCustomer(ctx context.Context, tx Tx, cc *customerContext, v *violations, i int, c *Customer, in CustomerInput, isNew bool) error {
	if in.Name != nil {
		validateName(v, i, "name", in.Name, true)
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.NextPrice != nil {
		if *in.NextPrice < 0 {
			v.add(i, "next_price", ViolationRange, "This value should be 0 or more.")
		}
		c.NextPrice = *in.NextPrice
	}
	if in.NextDate != nil {
		c.NextDate = *in.NextDate
	}
	if in.Periodicity != nil {
		if *in.Periodicity < 0 {
			v.add(i, "periodicity", ViolationRange, "This value should be 0 or more.")
		}
		c.Periodicity = *in.Periodicity
	}
	userRef := func(path string, p *int64, dst *int64, robotOK bool) {
		if p == nil {
			return
		}
		if !cc.users[*p] && !(robotOK && *p == 0) {
			v.add(i, path, ViolationChoice, "The value you selected is not a valid choice.")
		}
		*dst = *p
	}
	userRef("responsible_user_id", in.ResponsibleUserID, &c.ResponsibleUserID, false)
	userRef("created_by", in.CreatedBy, &c.CreatedBy, true)
	userRef("updated_by", in.UpdatedBy, &c.UpdatedBy, true)
	if in.CreatedAt != nil {
		c.CreatedAt = *in.CreatedAt
	}
	if in.UpdatedAt != nil && isNew {
		// An import may date a new customer in the past, never in the
		// future: a version ahead of the clock would be one every later
		// write has to outbid.
		c.UpdatedAt = *in.UpdatedAt
		if now := tx.Now(); c.UpdatedAt.After(now) {
			c.UpdatedAt = now
		}
	}
	if in.StatusID != nil && !cc.statusExists(*in.StatusID) {
		v.add(i, "status_id", ViolationChoice, "The value you selected is not a valid choice.")
	}
	if in.CompanyID != nil && *in.CompanyID != 0 {
		if _, err := tx.Company(ctx, *in.CompanyID); KindOf(err) == KindNotFound {
			v.add(i, "company_id", ViolationChoice, "The value you selected is not a valid choice.")
		} else if err != nil {
			return err
		}
	}
	for j, id := range in.AddContactIDs {
		if _, err := tx.Contact(ctx, id); KindOf(err) == KindNotFound {
			v.add(i, fmt.Sprintf("contacts_id.%d", j), ViolationChoice, "The value you selected is not a valid choice.")
		} else if err != nil {
			return err
		}
	}
	if in.SegmentIDs != nil {
		for j, id := range *in.SegmentIDs {
			if _, err := tx.Segment(ctx, id); KindOf(err) == KindNotFound {
				v.add(i, fmt.Sprintf("_embedded.segments.%d.id", j), ViolationChoice, "The value you selected is not a valid choice.")
			} else if err != nil {
				return err
			}
		}
	}
	values := resolveFieldValues(v, i, "custom_fields_values", cc.fields, in.Fields)
	var tagIDs []int64
	var err error
	if in.Tags != nil {
		if tagIDs, err = resolveTags(ctx, tx, v, i, "tags", *in.Tags); err != nil {
			return err
		}
	}
	addTags, err := resolveTags(ctx, tx, v, i, "tags_to_add", in.TagsToAdd)
	if err != nil {
		return err
	}
	delTags, err := resolveTags(ctx, tx, v, i, "tags_to_delete", in.TagsToDelete)
	if err != nil {
		return err
	}
	if len(*v) > 0 {
		return nil // the batch fails; nothing more to do for this item
	}

	// The life cycle: the rules first, then a status given by hand.
	applyLifecycle(cc.statuses, c, tx.Now())
	if in.StatusID != nil {
		c.StatusID = *in.StatusID
	}
	if in.CompanyID != nil {
		c.CompanyID = *in.CompanyID
	}
	if in.UnlinkCompanyID != nil && c.CompanyID == *in.UnlinkCompanyID {
		c.CompanyID = 0
	}
	if isNew {
		if err := tx.InsertCustomer(ctx, c); err != nil {
			return err
		}
	} else if err := tx.UpdateCustomer(ctx, c); err != nil {
		return err
	}
	if len(in.AddContactIDs) > 0 || len(in.UnlinkContactIDs) > 0 {
		if err := s.relinkContacts(ctx, tx, c.ID, in.AddContactIDs, in.UnlinkContactIDs, 0); err != nil {
			return err
		}
	}
	if in.SegmentIDs != nil {
		if err := tx.SetCustomerSegments(ctx, c.ID, *in.SegmentIDs); err != nil {
			return err
		}
	}
	if in.Tags != nil || len(addTags) > 0 || len(delTags) > 0 {
		if err := updateTags(ctx, tx, EntityCustomer, c.ID, in.Tags != nil, tagIDs, addTags, delTags); err != nil {
			return err
		}
	}
	if len(values) > 0 {
		return tx.SetFieldValues(ctx, EntityCustomer, c.ID, values)
	}
	return nil
}

// relinkContacts adds and removes contact links; mainID (when not 0) becomes
// the main contact, otherwise the first contact is main if none is.
func (s *Service) relinkContacts(ctx context.Context, tx Tx, customerID int64, add, remove []int64, mainID int64) error {
	current, err := tx.CustomerContacts(ctx, []int64{customerID})
	if err != nil {
		return err
	}
	links := current[customerID]
	drop := map[int64]bool{}
	for _, id := range remove {
		drop[id] = true
	}
	kept := links[:0]
	have := map[int64]bool{}
	for _, l := range links {
		if !drop[l.ContactID] {
			kept = append(kept, l)
			have[l.ContactID] = true
		}
	}
	for _, id := range add {
		if !have[id] && !drop[id] {
			kept = append(kept, ContactLink{ContactID: id})
			have[id] = true
		}
	}
	hasMain := false
	for i := range kept {
		if mainID != 0 {
			kept[i].IsMain = kept[i].ContactID == mainID
		}
		hasMain = hasMain || kept[i].IsMain
	}
	if !hasMain && len(kept) > 0 {
		kept[0].IsMain = true
	}
	return tx.SetCustomerContacts(ctx, customerID, kept)
}

// updateTags replaces (replace) or edits an entity's tag set.
func updateTags(ctx context.Context, tx Tx, entity EntityType, id int64, replace bool, set, add, del []int64) error {
	current := set
	if !replace {
		tags, err := tx.EntityTags(ctx, entity, []int64{id})
		if err != nil {
			return err
		}
		for _, t := range tags[id] {
			current = append(current, t.ID)
		}
	}
	drop := map[int64]bool{}
	for _, t := range del {
		drop[t] = true
	}
	seen := map[int64]bool{}
	out := []int64{}
	for _, t := range append(current, add...) {
		if !drop[t] && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return tx.SetEntityTags(ctx, entity, id, out)
}

// DeleteCustomers deletes customers with their transactions, links and
// values, and reports which existed. Unknown ids are skipped.
// Errors: unprocessable.
func (s *Service) DeleteCustomers(ctx context.Context, actor Actor, ids []int64) ([]DeletedCustomer, error) {
	var out []DeletedCustomer
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := customersOn(ctx, tx); err != nil {
			return err
		}
		var err error
		out, err = deleteCustomers(ctx, tx, actor, ids)
		return err
	})
	return out, err
}

func deleteCustomers(ctx context.Context, tx Tx, actor Actor, ids []int64) ([]DeletedCustomer, error) {
	out := []DeletedCustomer{}
	for _, id := range ids {
		c, err := tx.Customer(ctx, id)
		if KindOf(err) == KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := tx.DeleteCustomer(ctx, id); err != nil {
			return nil, err
		}
		// Written after the delete, which takes the customer's history
		// with it: this entry is the customer.deleted event's source.
		if err := recordHistory(ctx, tx, EntityCustomer, id, LogCustomerDeleted, HistoryData{Text: c.Name}, actor.AsResponsible()); err != nil {
			return nil, err
		}
		out = append(out, DeletedCustomer{ID: c.ID, Name: c.Name})
	}
	return out, nil
}

// CustomerBatch is amoCRM v2's one-request write: customers to add, to
// update and to delete.
type CustomerBatch struct {
	Add    []CustomerInput
	Update []CustomerInput
	Delete []int64
}

// CustomerBatchResult is what a CustomerBatch did.
type CustomerBatchResult struct {
	Added   []Customer
	Updated []CustomerResult
	Deleted []DeletedCustomer
}

// SectionError says which section of a CustomerBatch an error belongs to
// ("add", "update" or "delete"); it unwraps to the domain error.
type SectionError struct {
	Section string
	Err     error
}

func (e *SectionError) Error() string { return e.Section + ": " + e.Err.Error() }
func (e *SectionError) Unwrap() error { return e.Err }

// ApplyCustomerBatch runs the sections in the documented order add, update,
// delete, in one transaction: bad input anywhere writes nothing (stale
// updates are still per-item conflicts).
// Errors: invalid or unprocessable, wrapped in *SectionError.
func (s *Service) ApplyCustomerBatch(ctx context.Context, actor Actor, b CustomerBatch) (CustomerBatchResult, error) {
	var res CustomerBatchResult
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCustomerContext(ctx, tx)
		if err != nil {
			return err
		}
		if len(b.Add) > 0 {
			if res.Added, err = s.addCustomers(ctx, tx, cc, actor, b.Add); err != nil {
				return &SectionError{Section: "add", Err: err}
			}
		}
		if len(b.Update) > 0 {
			if res.Updated, err = s.updateCustomers(ctx, tx, cc, actor, b.Update, false); err != nil {
				return &SectionError{Section: "update", Err: err}
			}
		}
		if len(b.Delete) > 0 {
			if res.Deleted, err = deleteCustomers(ctx, tx, actor, b.Delete); err != nil {
				return &SectionError{Section: "delete", Err: err}
			}
		}
		return nil
	})
	return res, err
}

// LinkCustomer attaches (or with unlink, detaches) contacts, a company and
// segments. All-or-nothing. Errors: invalid, not found (customer), unprocessable.
func (s *Service) LinkCustomer(ctx context.Context, actor Actor, customerID int64, links []CustomerLink, unlink bool) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := customersOn(ctx, tx); err != nil {
			return err
		}
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		segs, err := tx.CustomerSegments(ctx, []int64{customerID})
		if err != nil {
			return err
		}
		segments := segs[customerID]
		var v violations
		var addContacts, dropContacts []int64
		var mainID int64
		for i, l := range links {
			var exists error
			switch l.ToType {
			case EntityContact:
				_, exists = tx.Contact(ctx, l.ToID)
				if unlink {
					dropContacts = append(dropContacts, l.ToID)
				} else {
					addContacts = append(addContacts, l.ToID)
					if l.IsMain {
						mainID = l.ToID
					}
				}
			case EntityCompany:
				_, exists = tx.Company(ctx, l.ToID)
				switch {
				case !unlink:
					c.CompanyID = l.ToID
				case c.CompanyID == l.ToID:
					c.CompanyID = 0
				}
			case EntitySegment:
				_, exists = tx.Segment(ctx, l.ToID)
				segments = editIDs(segments, l.ToID, !unlink)
			default:
				v.add(i, "to_entity_type", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
			if KindOf(exists) == KindNotFound {
				v.add(i, "to_entity_id", ViolationChoice, "The value you selected is not a valid choice.")
			} else if exists != nil {
				return exists
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		if err := s.relinkContacts(ctx, tx, customerID, addContacts, dropContacts, mainID); err != nil {
			return err
		}
		if err := tx.SetCustomerSegments(ctx, customerID, segments); err != nil {
			return err
		}
		// Links change what a v2 update writes too (company_id, contacts):
		// a new version makes an update based on the old one stale.
		c.touch(tx.Now(), actor.UserID)
		return tx.UpdateCustomer(ctx, &c)
	})
}

// editIDs adds id to (add) or removes it from list.
func editIDs(list []int64, id int64, add bool) []int64 {
	out := []int64{}
	for _, x := range list {
		if x != id {
			out = append(out, x)
		}
	}
	if add {
		out = append(out, id)
	}
	return out
}

// CustomerLinks lists a customer's links to contacts, its company and its
// segments. Errors: not found, unprocessable.
func (s *Service) CustomerLinks(ctx context.Context, actor Actor, customerID int64) ([]CustomerLink, error) {
	c, err := s.Customer(ctx, actor, customerID)
	if err != nil {
		return nil, err
	}
	out := []CustomerLink{}
	for _, l := range c.Contacts {
		out = append(out, CustomerLink{ToType: EntityContact, ToID: l.ContactID, IsMain: l.IsMain})
	}
	if c.CompanyID != 0 {
		out = append(out, CustomerLink{ToType: EntityCompany, ToID: c.CompanyID})
	}
	for _, id := range c.SegmentIDs {
		out = append(out, CustomerLink{ToType: EntitySegment, ToID: id})
	}
	return out, nil
}
