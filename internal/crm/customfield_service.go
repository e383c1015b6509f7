package crm

import (
	"context"
	"slices"
	"strings"
)

func knownEntity(entity EntityType) error {
	if !KnownEntity(entity) {
		return Errorf(KindNotFound, "Unknown entity type %q", entity)
	}
	return nil
}

// CustomFields lists a page of an entity type's custom fields and the total.
// Errors: invalid (page, type filter), not found (entity type).
func (s *Service) CustomFields(ctx context.Context, actor Actor, entity EntityType, q FieldQuery) ([]CustomField, int, FieldQuery, error) {
	if err := knownEntity(entity); err != nil {
		return nil, 0, q, err
	}
	if err := q.Page.normalize(); err != nil {
		return nil, 0, q, err
	}
	if q.OrderBy == "" {
		q.OrderBy = "sort"
	}
	if q.OrderBy != "sort" && q.OrderBy != "id" {
		return nil, 0, q, Invalid(Violation{Path: "order", Code: ViolationChoice, Detail: "The value you selected is not a valid choice."})
	}
	var out []CustomField
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if q.Predefined && len(dataFields[entity]) > 0 {
			out, total, err = predefinedPage(ctx, tx, entity, q)
			return err
		}
		out, total, err = tx.CustomFields(ctx, entity, q)
		return err
	})
	return out, total, q, err
}

// FieldDefinition returns one field as amoCRM sees it: the predefined
// ones (PHONE, EMAIL …, contact_card.go) included. Errors: not found.
func (s *Service) FieldDefinition(ctx context.Context, actor Actor, entity EntityType, id int64) (CustomField, error) {
	if f, ok := predefined(entity, id); ok {
		def := f.def
		def.Enums = slices.Clone(f.def.Enums)
		def.AccountID = actor.AccountID
		return def, nil
	}
	return s.CustomField(ctx, actor, entity, id)
}

// CustomField returns one of the account's own fields (Envybox's inputs
// know no predefined ones). Errors: not found.
func (s *Service) CustomField(ctx context.Context, actor Actor, entity EntityType, id int64) (CustomField, error) {
	if err := knownEntity(entity); err != nil {
		return CustomField{}, err
	}
	return read(ctx, s, actor, func(tx Tx) (CustomField, error) { return tx.CustomField(ctx, entity, id) })
}

func codeTaken(fields []CustomField, code string, except int64) bool {
	for _, f := range fields {
		if f.ID != except && f.Code != "" && strings.EqualFold(f.Code, code) {
			return true
		}
	}
	return false
}

// AddCustomFields creates fields in one all-or-nothing batch.
// Errors: forbidden, invalid, not found (entity type), limit.
func (s *Service) AddCustomFields(ctx context.Context, actor Actor, entity EntityType, in []NewCustomField) ([]CustomField, error) {
	if err := knownEntity(entity); err != nil {
		return nil, err
	}
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one field must be given.")
	}
	for i := range in {
		in[i].validate(&v, i, entity)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out := make([]CustomField, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		existing, err := tx.AllCustomFields(ctx, entity)
		if err != nil {
			return err
		}
		if len(existing)+len(in) > fieldLimits[entity] {
			return Errorf(KindLimit, "Too many custom fields: %s can have at most %d", entity, fieldLimits[entity])
		}
		for i, n := range in {
			if n.Code != "" && (codeTaken(append(existing, out[:i]...), n.Code, 0) || predefinedCode(entity, n.Code)) {
				v.add(i, "code", ViolationInvalid, "A field with this code already exists.")
				continue
			}
			f := CustomField{EntityType: entity, Name: strings.TrimSpace(*n.Name), Type: n.Type, Code: n.Code, Sort: 500 + 10*(len(existing)+i)}
			if n.Sort != nil {
				f.Sort = *n.Sort
			}
			if n.Type.HasEnums() {
				f.Enums = buildEnums(&v, i, nil, n.Enums)
			}
			if err := v.err(); err != nil {
				continue
			}
			if err := tx.InsertCustomField(ctx, &f); err != nil {
				return err
			}
			out[i] = f
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCustomField changes a field. Errors: forbidden, invalid, not found.
func (s *Service) UpdateCustomField(ctx context.Context, actor Actor, entity EntityType, id int64, p CustomFieldPatch) (CustomField, error) {
	if err := knownEntity(entity); err != nil {
		return CustomField{}, err
	}
	if err := actor.requireAdmin(); err != nil {
		return CustomField{}, err
	}
	if err := refusePredefined(entity, id); err != nil {
		return CustomField{}, err
	}
	var v violations
	if p.Name == nil && p.Code == nil && p.Sort == nil && p.Enums == nil {
		v.add(0, "", ViolationRequired, "At least one of name, code, sort or enums must be given.")
	}
	validateName(&v, 0, "name", p.Name, false)
	if p.Code != nil && *p.Code != "" && !fieldCodePattern.MatchString(*p.Code) {
		v.add(0, "code", ViolationInvalid, "The code may contain only latin letters, digits and underscores.")
	}
	if err := v.err(); err != nil {
		return CustomField{}, err
	}
	var f CustomField
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) (err error) {
		if f, err = tx.CustomField(ctx, entity, id); err != nil {
			return err
		}
		if p.Enums != nil {
			if !f.Type.HasEnums() {
				v.add(0, "enums", ViolationUnexpected, "This field was not expected.")
			} else {
				validateEnums(&v, 0, *p.Enums)
				f.Enums = buildEnums(&v, 0, f.Enums, *p.Enums)
			}
		}
		if p.Code != nil && *p.Code != "" {
			all, err := tx.AllCustomFields(ctx, entity)
			if err != nil {
				return err
			}
			if codeTaken(all, *p.Code, f.ID) || predefinedCode(entity, *p.Code) {
				v.add(0, "code", ViolationInvalid, "A field with this code already exists.")
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		if p.Name != nil {
			f.Name = strings.TrimSpace(*p.Name)
		}
		if p.Code != nil {
			f.Code = *p.Code
		}
		if p.Sort != nil {
			f.Sort = *p.Sort
		}
		if err := tx.UpdateCustomField(ctx, &f); err != nil {
			return err
		}
		f, err = tx.CustomField(ctx, entity, id)
		return err
	})
	return f, err
}

// DeleteCustomField deletes a field and its values. Errors: forbidden, not found.
func (s *Service) DeleteCustomField(ctx context.Context, actor Actor, entity EntityType, id int64) error {
	if err := knownEntity(entity); err != nil {
		return err
	}
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	if err := refusePredefined(entity, id); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		return tx.DeleteCustomField(ctx, entity, id)
	})
}

// DeleteCustomFieldOf binds DeleteCustomField to one entity type, for routes
// that serve a single entity's fields.
func (s *Service) DeleteCustomFieldOf(entity EntityType) func(context.Context, Actor, int64) error {
	return func(ctx context.Context, actor Actor, id int64) error {
		return s.DeleteCustomField(ctx, actor, entity, id)
	}
}
