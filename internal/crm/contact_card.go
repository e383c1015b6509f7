package crm

import "context"

// Contact and company cards: a contact or company with the records amoCRM
// v2 shows beside it (its tags, custom field values, and the ids of what it
// is linked to), read in one transaction for a whole list.

// ContactCard is a contact with its tags, custom field values, its company
// (the primary one of its Envybox client companies; 0: none) and the
// customers it is a contact of.
type ContactCard struct {
	Contact
	Tags        []Tag
	Fields      []FieldValue
	Company     Company
	CustomerIDs []int64
}

// CompanyCard is a company with its tags, custom field values, the
// contacts that work for it and the customers it is the company of.
type CompanyCard struct {
	Company
	Tags        []Tag
	Fields      []FieldValue
	ContactIDs  []int64
	CustomerIDs []int64
}

// CardStore reads the links of contacts and companies, from either side.
type CardStore interface {
	// ContactCompanyIDs returns the primary company of each of the
	// contacts that has one.
	ContactCompanyIDs(ctx context.Context, contactIDs []int64) (map[int64]int64, error)
	// ContactCustomerIDs returns the customers each contact is a contact
	// of, by customer id.
	ContactCustomerIDs(ctx context.Context, contactIDs []int64) (map[int64][]int64, error)
	// CompanyContactIDs returns the contacts of each company, by id.
	CompanyContactIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error)
	// CompanyCustomerIDs returns the customers of each company, by id.
	CompanyCustomerIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error)
}

// ContactCards lists the contacts q selects (ListQuery) as cards, with the
// total q selects. Errors: invalid (paging, order).
func (s *Service) ContactCards(ctx context.Context, actor Actor, q ListQuery) ([]ContactCard, int, error) {
	if err := normalizeList(&q); err != nil {
		return nil, 0, err
	}
	var out []ContactCard
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		list, n, err := tx.Contacts(ctx, q)
		if err != nil {
			return err
		}
		total = n
		ids := make([]int64, len(list))
		for i, c := range list {
			ids[i] = c.ID
		}
		tags, fields, err := tagsAndFields(ctx, tx, EntityContact, ids)
		if err != nil {
			return err
		}
		companies, err := tx.ContactCompanyIDs(ctx, ids)
		if err != nil {
			return err
		}
		customers, err := tx.ContactCustomerIDs(ctx, ids)
		if err != nil {
			return err
		}
		out = make([]ContactCard, len(list))
		for i, c := range list {
			out[i] = ContactCard{Contact: c, Tags: tags[c.ID], Fields: fields[c.ID], CustomerIDs: customers[c.ID]}
			if id := companies[c.ID]; id != 0 {
				if out[i].Company, err = tx.Company(ctx, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, total, err
}

// CompanyCards lists the companies q selects (ListQuery) as cards, with
// the total q selects. Errors: invalid (paging, order).
func (s *Service) CompanyCards(ctx context.Context, actor Actor, q ListQuery) ([]CompanyCard, int, error) {
	if err := normalizeList(&q); err != nil {
		return nil, 0, err
	}
	var out []CompanyCard
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		list, n, err := tx.Companies(ctx, q)
		if err != nil {
			return err
		}
		total = n
		ids := make([]int64, len(list))
		for i, c := range list {
			ids[i] = c.ID
		}
		tags, fields, err := tagsAndFields(ctx, tx, EntityCompany, ids)
		if err != nil {
			return err
		}
		contacts, err := tx.CompanyContactIDs(ctx, ids)
		if err != nil {
			return err
		}
		customers, err := tx.CompanyCustomerIDs(ctx, ids)
		if err != nil {
			return err
		}
		out = make([]CompanyCard, len(list))
		for i, c := range list {
			out[i] = CompanyCard{Company: c, Tags: tags[c.ID], Fields: fields[c.ID], ContactIDs: contacts[c.ID], CustomerIDs: customers[c.ID]}
		}
		return nil
	})
	return out, total, err
}

// tagsAndFields reads the tags and custom field values of entities.
func tagsAndFields(ctx context.Context, tx Tx, entity EntityType, ids []int64) (map[int64][]Tag, map[int64][]FieldValue, error) {
	tags, err := tx.EntityTags(ctx, entity, ids)
	if err != nil {
		return nil, nil, err
	}
	fields, err := tx.FieldValues(ctx, entity, ids)
	return tags, fields, err
}
