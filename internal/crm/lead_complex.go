package crm

import (
	"context"
	"fmt"
	"strings"
)

// MaxComplexLeads is how many leads one POST /api/v4/leads/complex may
// carry (core reference §2.7).
const MaxComplexLeads = 50

// maxComplexValues bounds the custom field values of each lead, contact
// and company of a complex add (§2.7).
const maxComplexValues = 40

// ComplexLead is one item of amoCRM's complex add: a lead with at most one
// contact and one company, each an existing record (ID) or a new one.
type ComplexLead struct {
	Lead    LeadInput
	Contact *ComplexParty
	Company *ComplexParty
}

// ComplexParty is the contact or company of a ComplexLead: ID names an
// existing record; otherwise the other fields make a new one. Phones and
// Emails are the contact's PHONE and EMAIL values, kept as Envybox keeps a
// client's (contact data rows), so that both dialects see them.
type ComplexParty struct {
	ID                int64
	Name              *string
	FirstName         string
	LastName          string
	ResponsibleUserID *int64
	Phones            []string
	Emails            []string
	Fields            []FieldValueInput
}

// ComplexResult is what one ComplexLead made: the lead and its contact and
// company ids (0: none).
type ComplexResult struct {
	LeadID    int64
	ContactID int64
	CompanyID int64
}

// AddComplexLeads creates leads with their contacts and companies in one
// all-or-nothing batch. A contact and a company created together are
// linked to each other. crmd has no duplicate control, so nothing is
// merged. Errors: invalid.
func (s *Service) AddComplexLeads(ctx context.Context, actor Actor, in []ComplexLead) ([]ComplexResult, error) {
	out := make([]ComplexResult, len(in))
	err := s.updateRecords(ctx, actor.AccountID, len(in), func(tx Tx) error {
		lc, err := loadLeadContext(ctx, tx)
		if err != nil {
			return err
		}
		contactFields, err := tx.AllCustomFields(ctx, EntityContact)
		if err != nil {
			return err
		}
		companyFields, err := tx.AllCustomFields(ctx, EntityCompany)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one lead must be given.")
		}
		// The parties' phones, emails and history entries are written per
		// table once every item is in (rowBuffer, lead_batch.go), before
		// the leads.
		buf := tx
		var rows *rowBuffer
		if !rowByRowLeads {
			rows = newRowBuffer(tx, nil)
			buf = rows
			lc.madeContacts, lc.madeCompanies = map[int64]bool{}, map[int64]bool{}
		}
		leads := make([]LeadInput, len(in))
		for i, item := range in {
			if len(item.Lead.Fields) > maxComplexValues {
				v.add(i, "custom_fields_values", ViolationInvalid, fmt.Sprintf("At most %d custom field values per lead.", maxComplexValues))
			}
			contactID, err := complexParty(ctx, buf, lc, &v, i, "_embedded.contacts.0", EntityContact, contactFields, item.Contact, actor)
			if err != nil {
				return err
			}
			companyID, err := complexParty(ctx, buf, lc, &v, i, "_embedded.companies.0", EntityCompany, companyFields, item.Company, actor)
			if err != nil {
				return err
			}
			if len(v) > 0 {
				continue
			}
			if item.Contact != nil && item.Contact.ID == 0 && item.Company != nil && item.Company.ID == 0 {
				if err := buf.LinkClientCompany(ctx, contactID, companyID, true); err != nil {
					return err
				}
			}
			if rows != nil && item.Contact != nil && item.Contact.ID == 0 {
				lc.madeContacts[contactID] = true
			}
			if rows != nil && item.Company != nil && item.Company.ID == 0 {
				lc.madeCompanies[companyID] = true
			}
			leads[i] = item.Lead
			if contactID != 0 {
				leads[i].Contacts = []LeadContact{{ID: contactID, IsMain: true}}
			}
			if companyID != 0 {
				leads[i].CompanyID = &companyID
			}
			out[i].ContactID, out[i].CompanyID = contactID, companyID
		}
		if err := v.err(); err != nil {
			return err
		}
		if rows != nil {
			if err := rows.flush(ctx); err != nil {
				return err
			}
		}
		made, err := addLeads(ctx, tx, lc, actor, leads)
		if err != nil {
			return err
		}
		for i := range made {
			out[i].LeadID = made[i].ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// complexParty resolves or creates the contact or company of a complex
// item, returning its id (0: none given). Violations go to v at path.
func complexParty(ctx context.Context, tx Tx, lc *leadContext, v *violations, i int, path string, entity EntityType,
	defs []CustomField, p *ComplexParty, actor Actor) (int64, error) {
	if p == nil {
		return 0, nil
	}
	if p.ID != 0 {
		var err error
		if entity == EntityContact {
			_, err = tx.Contact(ctx, p.ID)
		} else {
			_, err = tx.Company(ctx, p.ID)
		}
		if KindOf(err) == KindNotFound {
			v.add(i, path+".id", ViolationChoice, "The value you selected is not a valid choice.")
			return 0, nil
		}
		return p.ID, err
	}
	if len(p.Fields)+len(p.Phones)+len(p.Emails) > maxComplexValues {
		v.add(i, path+".custom_fields_values", ViolationInvalid, fmt.Sprintf("At most %d custom field values per %s.", maxComplexValues, strings.TrimSuffix(string(entity), "s")))
	}
	name := ""
	if p.Name != nil {
		name = strings.TrimSpace(*p.Name)
	}
	first, last := strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	if name == "" && entity == EntityContact {
		name = strings.TrimSpace(first + " " + last)
	}
	validateName(v, i, path+".name", &name, true)
	responsible := actor.UserID
	if p.ResponsibleUserID != nil {
		if _, ok := lc.users[*p.ResponsibleUserID]; !ok {
			v.add(i, path+".responsible_user_id", ViolationChoice, "The value you selected is not a valid choice.")
		}
		responsible = *p.ResponsibleUserID
	}
	for j, ph := range p.Phones {
		if NormalizePhone(ph) == "" {
			v.add(i, fmt.Sprintf("%s.custom_fields_values.PHONE.%d", path, j), ViolationInvalid, "A phone needs digits.")
		}
	}
	values := resolveFieldValues(v, i, path+".custom_fields_values", defs, p.Fields)
	if len(*v) > 0 {
		return 0, nil
	}
	var id int64
	by := Responsible{UserID: actor.UserID}
	if entity == EntityContact {
		c := Contact{Name: name, FirstName: first, LastName: last, ResponsibleUserID: responsible, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
		if err := tx.InsertContact(ctx, &c); err != nil {
			return 0, err
		}
		id = c.ID
		for _, kind := range []struct {
			kind   string
			values []string
			norm   func(string) string
		}{{"phone", p.Phones, NormalizePhone}, {"email", p.Emails, NormalizeEmail}} {
			for j, val := range kind.values {
				d := ContactData{OwnerType: EntityContact, OwnerID: id, Kind: kind.kind, Value: kind.norm(val), Primary: j == 0}
				if err := tx.InsertContactData(ctx, &d); err != nil {
					return 0, err
				}
			}
		}
		if err := recordHistory(ctx, tx, EntityContact, id, LogContactCreated, HistoryData{}, by); err != nil {
			return 0, err
		}
	} else {
		c := Company{Name: name, ResponsibleUserID: responsible, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
		if err := tx.InsertCompany(ctx, &c); err != nil {
			return 0, err
		}
		id = c.ID
		if err := recordHistory(ctx, tx, EntityCompany, id, LogCompanyCreated, HistoryData{}, by); err != nil {
			return 0, err
		}
	}
	if len(values) > 0 {
		if err := tx.SetFieldValues(ctx, entity, id, values); err != nil {
			return 0, err
		}
	}
	return id, nil
}
