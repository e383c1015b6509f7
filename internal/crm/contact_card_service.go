package crm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// cardContext is what a batch of contact or company writes checks
// against: the users and the entity's fields, predefined ones included.
type cardContext struct {
	entity EntityType
	users  map[int64]bool
	defs   []CustomField
}

func loadCardContext(ctx context.Context, tx Tx, entity EntityType) (*cardContext, error) {
	users, err := userSet(ctx, tx)
	if err != nil {
		return nil, err
	}
	defs, err := tx.AllCustomFields(ctx, entity)
	if err != nil {
		return nil, err
	}
	return &cardContext{entity: entity, users: users, defs: append(PredefinedFields(entity), defs...)}, nil
}

// userRef checks a user id of an item: responsible must be a user;
// created_by and updated_by may also be 0, amoCRM's robot (core §1.5).
func (cc *cardContext) userRef(v *violations, i int, path string, p *int64, dst *int64, robotOK bool) {
	if p == nil {
		return
	}
	if !cc.users[*p] && !(robotOK && *p == 0) {
		v.add(i, path, ViolationChoice, "The value you selected is not a valid choice.")
	}
	*dst = *p
}

// dataWrite is the new value list of one predefined field.
type dataWrite struct {
	field dataField
	rows  []ContactData // kind and normalized value; none clears the field
}

// cardFields is the checked custom_fields_values of one item.
type cardFields struct {
	user []FieldValue
	data []dataWrite
}

// resolveCardFields checks an item's custom_fields_values: custom fields
// as every entity's, the predefined ones as contact data (a phone needs
// digits, an email its form; repeats of one number or address are one).
func (cc *cardContext) resolveCardFields(v *violations, i int, in []FieldValueInput) cardFields {
	var out cardFields
	resolved := resolveFieldValues(v, i, "custom_fields_values", cc.defs, in)
	for _, fv := range resolved {
		f, ok := predefined(cc.entity, fv.FieldID)
		if !ok {
			out.user = append(out.user, fv)
			continue
		}
		// The index of the input naming this field, for paths.
		j := slices.IndexFunc(in, func(x FieldValueInput) bool {
			return x.FieldID == f.def.ID || x.FieldID == 0 && strings.EqualFold(x.FieldCode, f.def.Code)
		})
		w := dataWrite{field: f}
		seen := map[string]bool{}
		for k, val := range fv.Values {
			path := fmt.Sprintf("custom_fields_values.%d.values.%d.value", j, k)
			v.checkText(i, path, val.Text, MaxShortText)
			norm, ok := f.normalize(val.Text)
			if !ok {
				v.add(i, path, ViolationInvalid, f.bad)
				continue
			}
			if seen[norm] {
				continue
			}
			seen[norm] = true
			w.rows = append(w.rows, ContactData{Kind: f.kindOf(val.EnumID), Value: norm})
		}
		out.data = append(out.data, w)
	}
	return out
}

// historyValues renders values as a FieldChange's side: [{enum_id,value}].
func historyValues(values []Value) []map[string]any {
	out := []map[string]any{}
	for _, x := range values {
		m := map[string]any{"value": x.Text}
		if x.EnumID != 0 {
			m["enum_id"] = x.EnumID
		}
		out = append(out, m)
	}
	return out
}

func valuesOf(list []FieldValue, id int64) []Value {
	for _, fv := range list {
		if fv.FieldID == id {
			return fv.Values
		}
	}
	return nil
}

// writeCardFields stores an item's checked fields on entity id and
// returns the changes for the history. Predefined fields replace the
// owner's own rows (Group 0) of their kinds: a number kept keeps its row
// (and takes the kind sent), one left out is deleted, a new one is added
// unless a row of the owner already has it, a contact person's included —
// so a phone written through Envybox and again through amoCRM is one row.
// Contact persons' rows are shown but never deleted here: they belong to
// the person (Envybox client/addContact).
func writeCardFields(ctx context.Context, tx Tx, entity EntityType, id int64, f cardFields) ([]FieldChange, error) {
	var changes []FieldChange
	if len(f.user) > 0 {
		before, err := tx.FieldValues(ctx, entity, []int64{id})
		if err != nil {
			return nil, err
		}
		if err := tx.SetFieldValues(ctx, entity, id, f.user); err != nil {
			return nil, err
		}
		for _, fv := range f.user {
			b, a := historyValues(valuesOf(before[id], fv.FieldID)), historyValues(fv.Values)
			if fmt.Sprint(b) != fmt.Sprint(a) {
				changes = append(changes, NewFieldChange("cf:"+itoa64(fv.FieldID), b, a))
			}
		}
	}
	if len(f.data) == 0 {
		return changes, nil
	}
	all, err := tx.ContactData(ctx, entity, []int64{id})
	if err != nil {
		return nil, err
	}
	rows := all[id]
	before := dataFieldValues(entity, rows)
	for _, w := range f.data {
		if rows, err = applyDataWrite(ctx, tx, entity, id, rows, w); err != nil {
			return nil, err
		}
	}
	after := dataFieldValues(entity, rows)
	for _, w := range f.data {
		b, a := historyValues(valuesOf(before, w.field.def.ID)), historyValues(valuesOf(after, w.field.def.ID))
		if fmt.Sprint(b) != fmt.Sprint(a) {
			changes = append(changes, NewFieldChange("cf:"+itoa64(w.field.def.ID), b, a))
		}
	}
	return changes, nil
}

func itoa64(i int64) string { return fmt.Sprint(i) }

// applyDataWrite replaces one predefined field's rows (see
// writeCardFields) and returns the owner's rows after it.
func applyDataWrite(ctx context.Context, tx Tx, owner EntityType, id int64, rows []ContactData, w dataWrite) ([]ContactData, error) {
	wanted := map[string]string{}
	for _, r := range w.rows {
		wanted[r.Value] = r.Kind
	}
	var drop []int64
	// The owner's own rows first: a number both it and a person have is
	// kept on the owner's row.
	for _, r := range rows {
		if _, ok := w.field.holds(r.Kind); !ok || r.Group != 0 {
			continue
		}
		kind, ok := wanted[r.Value]
		if !ok {
			drop = append(drop, r.ID)
			continue
		}
		delete(wanted, r.Value)
		if r.Kind != kind {
			r.Kind = kind
			r.Primary = false
			if err := tx.UpdateContactData(ctx, &r); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range rows {
		if _, ok := w.field.holds(r.Kind); ok && r.Group != 0 {
			delete(wanted, r.Value)
		}
	}
	if err := tx.DeleteContactData(ctx, owner, id, drop); err != nil {
		return nil, err
	}
	for _, r := range w.rows {
		if _, ok := wanted[r.Value]; !ok {
			continue
		}
		d := ContactData{OwnerType: owner, OwnerID: id, Kind: r.Kind, Value: r.Value}
		if err := tx.InsertContactData(ctx, &d); err != nil {
			return nil, err
		}
	}
	all, err := tx.ContactData(ctx, owner, []int64{id})
	if err != nil {
		return nil, err
	}
	kept := all[id]
	// Envybox's rule: the first entry of each kind is its primary one.
	hasPrimary := map[string]bool{}
	for _, r := range kept {
		hasPrimary[r.Kind] = hasPrimary[r.Kind] || r.Primary
	}
	for i, r := range kept {
		if _, ok := w.field.holds(r.Kind); ok && !hasPrimary[r.Kind] {
			hasPrimary[r.Kind] = true
			kept[i].Primary = true
			if err := tx.UpdateContactData(ctx, &kept[i]); err != nil {
				return nil, err
			}
		}
	}
	return kept, nil
}

// cardTags is an item's checked tag writes.
type cardTags struct {
	replace   bool
	set, add  []int64
	del       []int64
	requested bool
}

func resolveCardTags(ctx context.Context, tx Tx, v *violations, i int, set *[]TagRef, add, del []TagRef) (cardTags, error) {
	t := cardTags{replace: set != nil, requested: set != nil || len(add) > 0 || len(del) > 0}
	var err error
	if set != nil {
		if t.set, err = resolveTags(ctx, tx, v, i, "_embedded.tags", *set); err != nil {
			return t, err
		}
	}
	if t.add, err = resolveTags(ctx, tx, v, i, "tags_to_add", add); err != nil {
		return t, err
	}
	t.del, err = resolveTags(ctx, tx, v, i, "tags_to_delete", del)
	return t, err
}

// writeCardTags applies the tag writes and records what was added and
// taken off (typeAdded, typeDeleted).
func writeCardTags(ctx context.Context, tx Tx, entity EntityType, id int64, t cardTags, typeAdded, typeDeleted int, by Responsible) error {
	if !t.requested {
		return nil
	}
	tags, err := tx.EntityTags(ctx, entity, []int64{id})
	if err != nil {
		return err
	}
	before := tags[id]
	if err := updateTags(ctx, tx, entity, id, t.replace, t.set, t.add, t.del); err != nil {
		return err
	}
	if tags, err = tx.EntityTags(ctx, entity, []int64{id}); err != nil {
		return err
	}
	after := tags[id]
	diff := func(a, b []Tag) []string {
		out := []string{}
		for _, x := range a {
			if !slices.ContainsFunc(b, func(y Tag) bool { return y.ID == x.ID }) {
				out = append(out, x.Name)
			}
		}
		return out
	}
	if added := diff(after, before); len(added) > 0 {
		if err := recordHistory(ctx, tx, entity, id, typeAdded, HistoryData{Tags: added}, by); err != nil {
			return err
		}
	}
	if removed := diff(before, after); len(removed) > 0 {
		return recordHistory(ctx, tx, entity, id, typeDeleted, HistoryData{Tags: removed}, by)
	}
	return nil
}

// cardTime applies a created_at or updated_at a client sent; a time ahead
// of the clock is the clock's, as for customers (a version ahead of now
// would outbid every later write).
func cardTime(dst *time.Time, p *time.Time, now time.Time) {
	if p == nil {
		return
	}
	*dst = *p
	if dst.After(now) {
		*dst = now
	}
}

// patchedAt is the updated_at a PATCH leaves: the one sent when it is
// later than the stored one (an import moving a record's clock), else now.
// Clients send back the updated_at they read (the PHP library's models
// carry it), and keeping that would hide the change from every
// integration that syncs by filter[updated_at].
func patchedAt(stored time.Time, sent *time.Time, now time.Time) time.Time {
	if sent != nil && sent.After(stored) && !sent.After(now) {
		return *sent
	}
	return now
}

// checkCompanies checks the companies a contact write links (amoCRM: a
// contact has at most one company).
func checkCompanies(ctx context.Context, tx Tx, v *violations, i int, ids []int64) error {
	if len(ids) > 1 {
		v.add(i, "_embedded.companies", ViolationInvalid, "A contact has at most one company.")
		return nil
	}
	for j, id := range ids {
		if _, err := tx.Company(ctx, id); KindOf(err) == KindNotFound {
			v.add(i, fmt.Sprintf("_embedded.companies.%d.id", j), ViolationChoice, "The value you selected is not a valid choice.")
		} else if err != nil {
			return err
		}
	}
	return nil
}

// composeName is a contact's full name from its first and last names.
func composeName(first, last string) string { return strings.TrimSpace(first + " " + last) }

// AddContacts creates contacts in one all-or-nothing batch, with their
// custom field values, phones and emails (contact data, as Envybox's
// client/create writes them), tags and company. Errors: invalid.
func (s *Service) AddContacts(ctx context.Context, actor Actor, in []NewContact) ([]Contact, error) {
	out := make([]Contact, len(in))
	by := Responsible{UserID: actor.UserID}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCardContext(ctx, tx, EntityContact)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one contact must be given.")
		}
		for i, n := range in {
			c := Contact{FirstName: strings.TrimSpace(n.FirstName), LastName: strings.TrimSpace(n.LastName),
				ResponsibleUserID: actor.UserID, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
			if n.Name != nil {
				c.Name = strings.TrimSpace(*n.Name)
			}
			if c.Name == "" {
				c.Name = composeName(c.FirstName, c.LastName)
			}
			name := c.Name
			validateName(&v, i, "name", &name, true)
			v.checkText(i, "first_name", c.FirstName, MaxNameLength)
			v.checkText(i, "last_name", c.LastName, MaxNameLength)
			cc.userRef(&v, i, "responsible_user_id", n.ResponsibleUserID, &c.ResponsibleUserID, false)
			cc.userRef(&v, i, "created_by", n.CreatedBy, &c.CreatedBy, true)
			cc.userRef(&v, i, "updated_by", n.UpdatedBy, &c.UpdatedBy, true)
			fields := cc.resolveCardFields(&v, i, n.Fields)
			tags, err := resolveCardTags(ctx, tx, &v, i, n.Tags, n.TagsToAdd, nil)
			if err != nil {
				return err
			}
			if err := checkCompanies(ctx, tx, &v, i, n.CompanyIDs); err != nil {
				return err
			}
			if len(v) > 0 {
				continue
			}
			if err := tx.InsertContact(ctx, &c); err != nil {
				return err
			}
			if n.CreatedAt != nil || n.UpdatedAt != nil {
				cardTime(&c.CreatedAt, n.CreatedAt, tx.Now())
				cardTime(&c.UpdatedAt, n.UpdatedAt, tx.Now())
				if err := tx.UpdateContact(ctx, &c); err != nil {
					return err
				}
			}
			// Envybox reads a client's name from its name service value.
			if err := tx.SetServiceValue(ctx, EntityContact, c.ID, FieldClientName, c.Name); err != nil {
				return err
			}
			if _, err := writeCardFields(ctx, tx, EntityContact, c.ID, fields); err != nil {
				return err
			}
			for _, companyID := range n.CompanyIDs {
				if err := tx.LinkClientCompany(ctx, c.ID, companyID, true); err != nil {
					return err
				}
			}
			if err := recordHistory(ctx, tx, EntityContact, c.ID, LogContactCreated, HistoryData{Text: c.Name}, by); err != nil {
				return err
			}
			if err := writeCardTags(ctx, tx, EntityContact, c.ID, tags, LogContactTagsAdded, LogContactTagsDeleted, by); err != nil {
				return err
			}
			out[i] = c
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateContacts changes contacts in one all-or-nothing batch (amoCRM v4
// PATCH). A listed field's values are replaced as a whole, values null
// clearing it; fields not listed are untouched. Errors: invalid (an
// unknown id is a violation at id).
func (s *Service) UpdateContacts(ctx context.Context, actor Actor, in []ContactPatch) ([]Contact, error) {
	out := make([]Contact, len(in))
	by := Responsible{UserID: actor.UserID}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCardContext(ctx, tx, EntityContact)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one contact must be given.")
		}
		for i, p := range in {
			if p.ID == 0 {
				v.add(i, "id", ViolationRequired, "This field is missing.")
				continue
			}
			c, err := tx.Contact(ctx, p.ID)
			if KindOf(err) == KindNotFound {
				v.add(i, "id", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
			if err != nil {
				return err
			}
			old := c
			if p.FirstName != nil {
				c.FirstName = strings.TrimSpace(*p.FirstName)
				v.checkText(i, "first_name", c.FirstName, MaxNameLength)
			}
			if p.LastName != nil {
				c.LastName = strings.TrimSpace(*p.LastName)
				v.checkText(i, "last_name", c.LastName, MaxNameLength)
			}
			switch {
			case p.Name != nil:
				validateName(&v, i, "name", p.Name, true)
				c.Name = strings.TrimSpace(*p.Name)
			case p.FirstName != nil || p.LastName != nil:
				// The full name follows new first and last names, as in
				// amoCRM's interface.
				c.Name = composeName(c.FirstName, c.LastName)
				name := c.Name
				validateName(&v, i, "name", &name, true)
			}
			cc.userRef(&v, i, "responsible_user_id", p.ResponsibleUserID, &c.ResponsibleUserID, false)
			cc.userRef(&v, i, "created_by", p.CreatedBy, &c.CreatedBy, true)
			c.UpdatedBy = actor.UserID
			cc.userRef(&v, i, "updated_by", p.UpdatedBy, &c.UpdatedBy, true)
			fields := cc.resolveCardFields(&v, i, p.Fields)
			tags, err := resolveCardTags(ctx, tx, &v, i, p.Tags, p.TagsToAdd, p.TagsToDelete)
			if err != nil {
				return err
			}
			if err := checkCompanies(ctx, tx, &v, i, p.CompanyIDs); err != nil {
				return err
			}
			var link []int64
			if len(p.CompanyIDs) == 1 {
				have, err := tx.ContactCompanyIDs(ctx, []int64{c.ID})
				if err != nil {
					return err
				}
				switch cur := have[c.ID]; {
				case slices.Contains(cur, p.CompanyIDs[0]):
				case len(cur) > 0:
					// One company per contact: replacing it is an unlink
					// and a link (POST …/unlink, …/link), not a silent move.
					v.add(i, "_embedded.companies.0.id", ViolationInvalid, "The contact already has a company; unlink it first.")
				default:
					link = p.CompanyIDs
				}
			}
			if len(v) > 0 {
				continue
			}
			cardTime(&c.CreatedAt, p.CreatedAt, tx.Now())
			c.UpdatedAt = patchedAt(old.UpdatedAt, p.UpdatedAt, tx.Now())
			if err := tx.UpdateContact(ctx, &c); err != nil {
				return err
			}
			if c.Name != old.Name {
				if err := tx.SetServiceValue(ctx, EntityContact, c.ID, FieldClientName, c.Name); err != nil {
					return err
				}
			}
			changes, err := writeCardFields(ctx, tx, EntityContact, c.ID, fields)
			if err != nil {
				return err
			}
			for _, ch := range []struct {
				field      string
				before, to any
			}{{"name", old.Name, c.Name}, {"first_name", old.FirstName, c.FirstName}, {"last_name", old.LastName, c.LastName},
				{"responsible_user_id", old.ResponsibleUserID, c.ResponsibleUserID}} {
				if ch.before != ch.to {
					changes = append(changes, NewFieldChange(ch.field, ch.before, ch.to))
				}
			}
			for _, companyID := range link {
				if err := tx.LinkClientCompany(ctx, c.ID, companyID, true); err != nil {
					return err
				}
				if err := recordHistory(ctx, tx, EntityContact, c.ID, LogContactLinked,
					HistoryData{Link: &HistoryLink{EntityType: EntityCompany, EntityID: companyID}}, by); err != nil {
					return err
				}
			}
			if len(changes) > 0 {
				if err := recordHistory(ctx, tx, EntityContact, c.ID, LogContactUpdated, HistoryData{Changes: changes}, by); err != nil {
					return err
				}
			}
			if err := writeCardTags(ctx, tx, EntityContact, c.ID, tags, LogContactTagsAdded, LogContactTagsDeleted, by); err != nil {
				return err
			}
			out[i] = c
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddCompanies creates companies in one all-or-nothing batch, with their
// custom field values (PHONE, EMAIL, WEB and ADDRESS as contact data of
// the company) and tags. Errors: invalid.
func (s *Service) AddCompanies(ctx context.Context, actor Actor, in []NewCompany) ([]Company, error) {
	out := make([]Company, len(in))
	by := Responsible{UserID: actor.UserID}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCardContext(ctx, tx, EntityCompany)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one company must be given.")
		}
		for i, n := range in {
			validateName(&v, i, "name", n.Name, true)
			c := Company{ResponsibleUserID: actor.UserID, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
			if n.Name != nil {
				c.Name = strings.TrimSpace(*n.Name)
			}
			cc.userRef(&v, i, "responsible_user_id", n.ResponsibleUserID, &c.ResponsibleUserID, false)
			cc.userRef(&v, i, "created_by", n.CreatedBy, &c.CreatedBy, true)
			cc.userRef(&v, i, "updated_by", n.UpdatedBy, &c.UpdatedBy, true)
			fields := cc.resolveCardFields(&v, i, n.Fields)
			tags, err := resolveCardTags(ctx, tx, &v, i, n.Tags, n.TagsToAdd, nil)
			if err != nil {
				return err
			}
			if len(v) > 0 {
				continue
			}
			if err := tx.InsertCompany(ctx, &c); err != nil {
				return err
			}
			if n.CreatedAt != nil || n.UpdatedAt != nil {
				cardTime(&c.CreatedAt, n.CreatedAt, tx.Now())
				cardTime(&c.UpdatedAt, n.UpdatedAt, tx.Now())
				if err := tx.UpdateCompany(ctx, &c); err != nil {
					return err
				}
			}
			if _, err := writeCardFields(ctx, tx, EntityCompany, c.ID, fields); err != nil {
				return err
			}
			if err := recordHistory(ctx, tx, EntityCompany, c.ID, LogCompanyCreated, HistoryData{Text: c.Name}, by); err != nil {
				return err
			}
			if err := writeCardTags(ctx, tx, EntityCompany, c.ID, tags, LogCompanyTagsAdded, LogCompanyTagsDeleted, by); err != nil {
				return err
			}
			out[i] = c
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCompanies changes companies in one all-or-nothing batch, like
// UpdateContacts. Errors: invalid.
func (s *Service) UpdateCompanies(ctx context.Context, actor Actor, in []CompanyPatch) ([]Company, error) {
	out := make([]Company, len(in))
	by := Responsible{UserID: actor.UserID}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		cc, err := loadCardContext(ctx, tx, EntityCompany)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one company must be given.")
		}
		for i, p := range in {
			if p.ID == 0 {
				v.add(i, "id", ViolationRequired, "This field is missing.")
				continue
			}
			c, err := tx.Company(ctx, p.ID)
			if KindOf(err) == KindNotFound {
				v.add(i, "id", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
			if err != nil {
				return err
			}
			old := c
			if p.Name != nil {
				validateName(&v, i, "name", p.Name, true)
				c.Name = strings.TrimSpace(*p.Name)
			}
			cc.userRef(&v, i, "responsible_user_id", p.ResponsibleUserID, &c.ResponsibleUserID, false)
			cc.userRef(&v, i, "created_by", p.CreatedBy, &c.CreatedBy, true)
			c.UpdatedBy = actor.UserID
			cc.userRef(&v, i, "updated_by", p.UpdatedBy, &c.UpdatedBy, true)
			fields := cc.resolveCardFields(&v, i, p.Fields)
			tags, err := resolveCardTags(ctx, tx, &v, i, p.Tags, p.TagsToAdd, p.TagsToDelete)
			if err != nil {
				return err
			}
			if len(v) > 0 {
				continue
			}
			cardTime(&c.CreatedAt, p.CreatedAt, tx.Now())
			c.UpdatedAt = patchedAt(old.UpdatedAt, p.UpdatedAt, tx.Now())
			if err := tx.UpdateCompany(ctx, &c); err != nil {
				return err
			}
			changes, err := writeCardFields(ctx, tx, EntityCompany, c.ID, fields)
			if err != nil {
				return err
			}
			if old.Name != c.Name {
				changes = append(changes, NewFieldChange("name", old.Name, c.Name))
			}
			if old.ResponsibleUserID != c.ResponsibleUserID {
				changes = append(changes, NewFieldChange("responsible_user_id", old.ResponsibleUserID, c.ResponsibleUserID))
			}
			if len(changes) > 0 {
				if err := recordHistory(ctx, tx, EntityCompany, c.ID, LogCompanyUpdated, HistoryData{Changes: changes}, by); err != nil {
					return err
				}
			}
			if err := writeCardTags(ctx, tx, EntityCompany, c.ID, tags, LogCompanyTagsAdded, LogCompanyTagsDeleted, by); err != nil {
				return err
			}
			out[i] = c
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ContactCards lists contacts matching q as cards. Errors: invalid
// (paging, order).
func (s *Service) ContactCards(ctx context.Context, actor Actor, q ListQuery, with CardWith) ([]ContactCard, int, error) {
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
		out, err = loadContactCards(ctx, tx, list, with)
		return err
	})
	return out, total, err
}

// ContactCard returns one contact as a card. Errors: not found.
func (s *Service) ContactCard(ctx context.Context, actor Actor, id int64, with CardWith) (ContactCard, error) {
	return read(ctx, s, actor, func(tx Tx) (ContactCard, error) {
		c, err := tx.Contact(ctx, id)
		if err != nil {
			return ContactCard{}, err
		}
		list, err := loadContactCards(ctx, tx, []Contact{c}, with)
		if err != nil {
			return ContactCard{}, err
		}
		return list[0], nil
	})
}

func recordIDs[T any](list []T, id func(T) int64) []int64 {
	out := make([]int64, len(list))
	for i, x := range list {
		out[i] = id(x)
	}
	return out
}

func loadContactCards(ctx context.Context, tx Tx, list []Contact, with CardWith) ([]ContactCard, error) {
	ids := recordIDs(list, func(c Contact) int64 { return c.ID })
	fields, err := tx.FieldValues(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	data, err := tx.ContactData(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	tags, err := tx.EntityTags(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	companies, err := tx.ContactCompanyIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	leads, customers := map[int64][]int64{}, map[int64][]int64{}
	if with.Leads {
		if leads, err = tx.DealsOfContacts(ctx, ids); err != nil {
			return nil, err
		}
	}
	if with.Customers {
		if customers, err = tx.ContactCustomerIDs(ctx, ids); err != nil {
			return nil, err
		}
	}
	out := make([]ContactCard, len(list))
	for i, c := range list {
		out[i] = ContactCard{Contact: c, Fields: append(dataFieldValues(EntityContact, data[c.ID]), fields[c.ID]...),
			Tags: tags[c.ID], CompanyIDs: companies[c.ID], LeadIDs: leads[c.ID], CustomerIDs: customers[c.ID]}
	}
	return out, nil
}

// CompanyCards lists companies matching q as cards. Errors: invalid.
func (s *Service) CompanyCards(ctx context.Context, actor Actor, q ListQuery, with CardWith) ([]CompanyCard, int, error) {
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
		out, err = loadCompanyCards(ctx, tx, list, with)
		return err
	})
	return out, total, err
}

// CompanyCard returns one company as a card. Errors: not found.
func (s *Service) CompanyCard(ctx context.Context, actor Actor, id int64, with CardWith) (CompanyCard, error) {
	return read(ctx, s, actor, func(tx Tx) (CompanyCard, error) {
		c, err := tx.Company(ctx, id)
		if err != nil {
			return CompanyCard{}, err
		}
		list, err := loadCompanyCards(ctx, tx, []Company{c}, with)
		if err != nil {
			return CompanyCard{}, err
		}
		return list[0], nil
	})
}

func loadCompanyCards(ctx context.Context, tx Tx, list []Company, with CardWith) ([]CompanyCard, error) {
	ids := recordIDs(list, func(c Company) int64 { return c.ID })
	fields, err := tx.FieldValues(ctx, EntityCompany, ids)
	if err != nil {
		return nil, err
	}
	data, err := tx.ContactData(ctx, EntityCompany, ids)
	if err != nil {
		return nil, err
	}
	tags, err := tx.EntityTags(ctx, EntityCompany, ids)
	if err != nil {
		return nil, err
	}
	contacts, leads, customers := map[int64][]int64{}, map[int64][]int64{}, map[int64][]int64{}
	if with.Contacts {
		if contacts, err = tx.CompanyContactIDs(ctx, ids); err != nil {
			return nil, err
		}
	}
	if with.Leads {
		if leads, err = tx.DealsOfCompanies(ctx, ids); err != nil {
			return nil, err
		}
	}
	if with.Customers {
		if customers, err = tx.CompanyCustomerIDs(ctx, ids); err != nil {
			return nil, err
		}
	}
	out := make([]CompanyCard, len(list))
	for i, c := range list {
		out[i] = CompanyCard{Company: c, Fields: append(dataFieldValues(EntityCompany, data[c.ID]), fields[c.ID]...),
			Tags: tags[c.ID], ContactIDs: contacts[c.ID], LeadIDs: leads[c.ID], CustomerIDs: customers[c.ID]}
	}
	return out, nil
}
