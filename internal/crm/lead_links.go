package crm

import (
	"context"
	"fmt"
)

// The entity links of amoCRM v4 (core reference §4, companion §3) between
// leads, contacts, companies and customers. Links are symmetric: each is
// stored once and read from either side.
//
//   - lead ↔ contact: the lead's main contact is the deal's client, the
//     others sit in deal_contacts. The first contact linked becomes main; a
//     link with IsMain makes the contact main (the old main stays linked);
//     unlinking the main contact promotes the oldest remaining one.
//   - lead ↔ company: the deal's one company; a second link replaces it.
//   - contact ↔ company: Envybox's client companies (client_companies). A
//     contact linked to its first company makes it primary. amoCRM allows
//     one company per contact; an Envybox client may hold several, and all
//     of them are listed.
//   - customer ↔ contact, customer ↔ company and customer → segment: the
//     customer's own links (customer_service.go, LinkCustomer), here also
//     written from the contact's or company's side and in bulk; customers
//     must be switched on.

// EntityLink is one link between two records.
type EntityLink struct {
	FromType EntityType
	FromID   int64
	ToType   EntityType
	ToID     int64
	// IsMain marks a lead's main contact.
	IsMain bool
}

// linkable says which record types each type links to (core §4.1, read
// symmetrically).
var linkable = map[EntityType][]EntityType{
	EntityDeal:     {EntityContact, EntityCompany},
	EntityContact:  {EntityDeal, EntityCompany, EntityCustomer},
	EntityCompany:  {EntityDeal, EntityContact, EntityCustomer},
	EntityCustomer: {EntityContact, EntityCompany, EntitySegment},
}

// CanLink reports whether records of type from link to records of type to.
func CanLink(from, to EntityType) bool {
	for _, t := range linkable[from] {
		if t == to {
			return true
		}
	}
	return false
}

// EntityLinks returns the links of the given records of one type (leads,
// contacts, companies or customers), in the order of ids, then by linked
// type. A record that does not exist has none. Errors: unprocessable
// (customers while they are off).
func (s *Service) EntityLinks(ctx context.Context, actor Actor, from EntityType, ids []int64) ([]EntityLink, error) {
	var out []EntityLink
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if from == EntityCustomer {
			if err := customersOn(ctx, tx); err != nil {
				return err
			}
		}
		out, err = entityLinks(ctx, tx, from, ids)
		return err
	})
	return out, err
}

func entityLinks(ctx context.Context, tx Tx, from EntityType, ids []int64) ([]EntityLink, error) {
	out := []EntityLink{}
	switch from {
	case EntityDeal:
		extra, err := tx.DealContacts(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			d, err := tx.Deal(ctx, id)
			if KindOf(err) == KindNotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			if d.ClientID != 0 {
				out = append(out, EntityLink{from, id, EntityContact, d.ClientID, true})
			}
			for _, c := range extra[id] {
				out = append(out, EntityLink{from, id, EntityContact, c, false})
			}
			if d.CompanyID != 0 {
				out = append(out, EntityLink{FromType: from, FromID: id, ToType: EntityCompany, ToID: d.CompanyID})
			}
		}
	case EntityContact:
		deals, err := tx.DealsOfContacts(ctx, ids)
		if err != nil {
			return nil, err
		}
		companies, err := tx.ClientsCompanies(ctx, ids)
		if err != nil {
			return nil, err
		}
		customers, err := tx.ContactCustomers(ctx, ids)
		if err != nil {
			return nil, err
		}
		// The customers' contact links, for their main flags.
		var customerIDs []int64
		for _, list := range customers {
			customerIDs = append(customerIDs, list...)
		}
		customerContacts, err := tx.CustomerContacts(ctx, customerIDs)
		if err != nil {
			return nil, err
		}
		isMain := func(customerID, contactID int64) bool {
			for _, l := range customerContacts[customerID] {
				if l.ContactID == contactID {
					return l.IsMain
				}
			}
			return false
		}
		for _, id := range ids {
			for _, dealID := range deals[id] {
				d, err := tx.Deal(ctx, dealID)
				if err != nil {
					return nil, err
				}
				out = append(out, EntityLink{from, id, EntityDeal, dealID, d.ClientID == id})
			}
			for _, c := range companies[id] {
				out = append(out, EntityLink{FromType: from, FromID: id, ToType: EntityCompany, ToID: c.ID})
			}
			for _, c := range customers[id] {
				out = append(out, EntityLink{from, id, EntityCustomer, c, isMain(c, id)})
			}
		}
	case EntityCustomer:
		customers, _, err := tx.Customers(ctx, CustomerQuery{IDs: ids, Limit: len(ids), NoTotal: true})
		if err != nil {
			return nil, err
		}
		if err := loadCustomerDetails(ctx, tx, customers); err != nil {
			return nil, err
		}
		byID := map[int64]Customer{}
		for _, c := range customers {
			byID[c.ID] = c
		}
		for _, id := range ids {
			c, ok := byID[id]
			if !ok {
				continue
			}
			for _, l := range c.Contacts {
				out = append(out, EntityLink{from, id, EntityContact, l.ContactID, l.IsMain})
			}
			if c.CompanyID != 0 {
				out = append(out, EntityLink{FromType: from, FromID: id, ToType: EntityCompany, ToID: c.CompanyID})
			}
			for _, seg := range c.SegmentIDs {
				out = append(out, EntityLink{FromType: from, FromID: id, ToType: EntitySegment, ToID: seg})
			}
		}
	case EntityCompany:
		deals, err := tx.DealsOfCompanies(ctx, ids)
		if err != nil {
			return nil, err
		}
		clients, err := tx.CompanyClients(ctx, ids)
		if err != nil {
			return nil, err
		}
		customers, err := tx.CompanyCustomers(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			for _, d := range deals[id] {
				out = append(out, EntityLink{FromType: from, FromID: id, ToType: EntityDeal, ToID: d})
			}
			for _, c := range clients[id] {
				out = append(out, EntityLink{FromType: from, FromID: id, ToType: EntityContact, ToID: c})
			}
			for _, c := range customers[id] {
				out = append(out, EntityLink{FromType: from, FromID: id, ToType: EntityCustomer, ToID: c})
			}
		}
	}
	return out, nil
}

// recordExists reports whether a record of a linkable type exists.
func recordExists(ctx context.Context, tx Tx, typ EntityType, id int64) (bool, error) {
	var err error
	switch typ {
	case EntityDeal:
		_, err = tx.Deal(ctx, id)
	case EntityContact:
		_, err = tx.Contact(ctx, id)
	case EntityCompany:
		_, err = tx.Company(ctx, id)
	case EntityCustomer:
		_, err = tx.Customer(ctx, id)
	case EntitySegment:
		_, err = tx.Segment(ctx, id)
	default:
		return false, nil
	}
	if KindOf(err) == KindNotFound {
		return false, nil
	}
	return err == nil, err
}

// LinkEntities links (or with unlink, unlinks) records, all or nothing.
// Linking an existing link again is no change, except that IsMain makes a
// lead's contact main; unlinking a link that does not exist is no change.
// Errors: invalid (an unknown record on either side, a pair §4.1 does not
// allow, a customer link while customers are off); each item's FromType
// must be the same type.
func (s *Service) LinkEntities(ctx context.Context, actor Actor, links []EntityLink, unlink bool) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		var v violations
		if len(links) == 0 {
			v.add(0, "", ViolationRequired, "At least one link must be given.")
		}
		customersChecked := false
		for i, l := range links {
			if !CanLink(l.FromType, l.ToType) {
				v.add(i, "to_entity_type", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
			if ok, err := recordExists(ctx, tx, l.FromType, l.FromID); err != nil {
				return err
			} else if !ok {
				v.add(i, "entity_id", ViolationChoice, "The value you selected is not a valid choice.")
			}
			if ok, err := recordExists(ctx, tx, l.ToType, l.ToID); err != nil {
				return err
			} else if !ok {
				v.add(i, "to_entity_id", ViolationChoice, "The value you selected is not a valid choice.")
			}
			if (l.FromType == EntityCustomer || l.ToType == EntityCustomer) && !customersChecked {
				customersChecked = true
				if err := customersOn(ctx, tx); err != nil {
					v.add(i, "to_entity_type", ViolationChoice, "Customers are disabled in this account.")
				}
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		by := Responsible{UserID: actor.UserID}
		for _, l := range links {
			if err := s.applyLink(ctx, tx, l, unlink, by); err != nil {
				return err
			}
		}
		return nil
	})
}

// applyLink writes one link from either side.
func (s *Service) applyLink(ctx context.Context, tx Tx, l EntityLink, unlink bool, by Responsible) error {
	// One side per pair: the lead, then the customer, then the contact.
	rank := map[EntityType]int{EntityDeal: 0, EntityCustomer: 1, EntityContact: 2, EntityCompany: 3, EntitySegment: 4}
	if rank[l.ToType] < rank[l.FromType] {
		l.FromType, l.FromID, l.ToType, l.ToID = l.ToType, l.ToID, l.FromType, l.FromID
	}
	switch {
	case l.FromType == EntityDeal && l.ToType == EntityContact:
		return linkLeadContact(ctx, tx, l.FromID, l.ToID, l.IsMain, unlink, by)
	case l.FromType == EntityDeal && l.ToType == EntityCompany:
		return linkLeadCompany(ctx, tx, l.FromID, l.ToID, unlink, by)
	case l.FromType == EntityContact && l.ToType == EntityCompany:
		return linkContactCompany(ctx, tx, l.FromID, l.ToID, unlink, by)
	case l.FromType == EntityCustomer && l.ToType == EntityContact:
		var add, drop []int64
		var mainID int64
		if unlink {
			drop = []int64{l.ToID}
		} else {
			add = []int64{l.ToID}
			if l.IsMain {
				mainID = l.ToID
			}
		}
		if err := s.relinkContacts(ctx, tx, l.FromID, add, drop, mainID); err != nil {
			return err
		}
		return touchCustomer(ctx, tx, l.FromID, by, nil)
	case l.FromType == EntityCustomer && l.ToType == EntitySegment:
		segs, err := tx.CustomerSegments(ctx, []int64{l.FromID})
		if err != nil {
			return err
		}
		if err := tx.SetCustomerSegments(ctx, l.FromID, editIDs(segs[l.FromID], l.ToID, !unlink)); err != nil {
			return err
		}
		return touchCustomer(ctx, tx, l.FromID, by, nil)
	case l.FromType == EntityCustomer && l.ToType == EntityCompany:
		return touchCustomer(ctx, tx, l.FromID, by, func(c *Customer) {
			switch {
			case !unlink:
				c.CompanyID = l.ToID
			case c.CompanyID == l.ToID:
				c.CompanyID = 0
			}
		})
	}
	return fmt.Errorf("crm: no link between %s and %s", l.FromType, l.ToType)
}

// touchCustomer applies edit to a customer and dates the change, as the
// customer's own link endpoint does (a new version for v2 preconditions).
func touchCustomer(ctx context.Context, tx Tx, id int64, by Responsible, edit func(*Customer)) error {
	c, err := tx.Customer(ctx, id)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&c)
	}
	c.touch(tx.Now(), by.UserID)
	return tx.UpdateCustomer(ctx, &c)
}

// linkLeadContact links a contact to a lead or unlinks it, keeping the main
// contact (the deal's client) in step, and writes the lead's history entry.
func linkLeadContact(ctx context.Context, tx Tx, dealID, contactID int64, main, unlink bool, by Responsible) error {
	d, err := tx.Deal(ctx, dealID)
	if err != nil {
		return err
	}
	extras, err := tx.DealContacts(ctx, []int64{dealID})
	if err != nil {
		return err
	}
	others := extras[dealID]
	linked := d.ClientID == contactID || containsInt(others, contactID)
	client := d.ClientID
	switch {
	case unlink && !linked, !unlink && linked && (!main || d.ClientID == contactID):
		return nil
	case unlink && d.ClientID == contactID:
		client = 0
		if len(others) > 0 {
			client, others = others[0], others[1:]
		}
	case unlink:
		others = removeInt(others, contactID)
	case d.ClientID == 0:
		client = contactID
	case main:
		others = append([]int64{d.ClientID}, removeInt(others, contactID)...)
		client = contactID
	default:
		others = append(others, contactID)
	}
	if client != d.ClientID {
		d.ClientID = client
		d.UpdatedBy = by.UserID
		if err := tx.UpdateDeal(ctx, &d); err != nil {
			return err
		}
	}
	if err := tx.SetDealContacts(ctx, dealID, others); err != nil {
		return err
	}
	if linked && !unlink {
		return nil // a new main contact, no new link
	}
	typeID := LogDealLinked
	if unlink {
		typeID = LogDealUnlinked
	}
	return logDealLink(ctx, tx, dealID, EntityContact, contactID, typeID, by)
}

func removeInt(list []int64, id int64) []int64 {
	out := []int64{}
	for _, x := range list {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// linkLeadCompany sets or clears a lead's one company.
func linkLeadCompany(ctx context.Context, tx Tx, dealID, companyID int64, unlink bool, by Responsible) error {
	d, err := tx.Deal(ctx, dealID)
	if err != nil {
		return err
	}
	old := d.CompanyID
	switch {
	case unlink && old == companyID:
		d.CompanyID = 0
	case !unlink && old != companyID:
		d.CompanyID = companyID
	default:
		return nil
	}
	d.UpdatedBy = by.UserID
	if err := tx.UpdateDeal(ctx, &d); err != nil {
		return err
	}
	if old != 0 {
		if err := logDealLink(ctx, tx, dealID, EntityCompany, old, LogDealUnlinked, by); err != nil {
			return err
		}
	}
	if d.CompanyID != 0 {
		return logDealLink(ctx, tx, dealID, EntityCompany, d.CompanyID, LogDealLinked, by)
	}
	return nil
}

// linkContactCompany attaches a company to a client (contact) or detaches
// it, writing both sides' history entries.
func linkContactCompany(ctx context.Context, tx Tx, contactID, companyID int64, unlink bool, by Responsible) error {
	current, err := tx.ClientCompanies(ctx, contactID)
	if err != nil {
		return err
	}
	linked := false
	for _, c := range current {
		linked = linked || c.ID == companyID
	}
	contactType, companyType := LogContactLinked, LogCompanyLinked
	switch {
	case unlink && linked:
		if err := tx.UnlinkClientCompany(ctx, contactID, companyID); err != nil {
			return err
		}
		contactType, companyType = LogContactUnlinked, LogCompanyUnlinked
	case !unlink && !linked:
		if err := tx.LinkClientCompany(ctx, contactID, companyID, len(current) == 0); err != nil {
			return err
		}
	default:
		return nil
	}
	if err := recordHistory(ctx, tx, EntityContact, contactID, contactType, HistoryData{Link: &HistoryLink{EntityType: EntityCompany, EntityID: companyID}}, by); err != nil {
		return err
	}
	return recordHistory(ctx, tx, EntityCompany, companyID, companyType, HistoryData{Link: &HistoryLink{EntityType: EntityContact, EntityID: contactID}}, by)
}
