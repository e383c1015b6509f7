package crm

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// EntityType names a kind of record that can carry custom fields. The values
// are amoCRM's plural names because they are already stable identifiers.
type EntityType string

// The entity types with custom fields.
const (
	EntitySegment  EntityType = "segments"
	EntityCustomer EntityType = "customers"
	// EntityDeal is a deal: amoCRM calls deals "leads", so that is its name.
	EntityDeal    EntityType = "leads"
	EntityContact EntityType = "contacts" // a person; Envybox's client
	EntityCompany EntityType = "companies"
	// EntityInbound is an inbound request: Envybox's lead, amoCRM's unsorted.
	EntityInbound EntityType = "inbound"
)

// FieldType is the type of a custom field; it decides which values are valid.
type FieldType string

// The custom field types crmd supports.
const (
	FieldText          FieldType = "text"
	FieldNumeric       FieldType = "numeric"
	FieldCheckbox      FieldType = "checkbox"
	FieldSelect        FieldType = "select"
	FieldMultiselect   FieldType = "multiselect"
	FieldDate          FieldType = "date"
	FieldURL           FieldType = "url"
	FieldDateTime      FieldType = "date_time"
	FieldTextarea      FieldType = "textarea"
	FieldRadiobutton   FieldType = "radiobutton"
	FieldStreetAddress FieldType = "streetaddress"
	// FieldSmartAddress is a structured address: each value has a subtype
	// (address_line_1, address_line_2, city, state, zip, country).
	FieldSmartAddress FieldType = "smart_address"
	// FieldMultitext is several texts each with a kind (an enum): only
	// the predefined PHONE and EMAIL fields of contacts and companies have
	// it (contact_card.go), backed by contact data.
	FieldMultitext FieldType = "multitext"
)

// AddressSubtypes are the parts of a smart_address value, in amoCRM's enum
// order: enum_id 1 is address_line_1 … 6 is country.
var AddressSubtypes = []string{"address_line_1", "address_line_2", "city", "state", "zip", "country"}

// AddressSubtypeID returns the 1-based enum id of a subtype, or 0.
func AddressSubtypeID(subtype string) int64 {
	for i, s := range AddressSubtypes {
		if s == subtype {
			return int64(i + 1)
		}
	}
	return 0
}

// HasEnums reports whether values of the type are chosen from the field's enums.
func (t FieldType) HasEnums() bool {
	return t == FieldSelect || t == FieldMultiselect || t == FieldRadiobutton
}

// multiValued reports whether a field of the type may hold several values.
func (t FieldType) multiValued() bool {
	return t == FieldMultiselect || t == FieldSmartAddress || t == FieldMultitext
}

// fieldTypesFor lists the types each entity type accepts (amoCRM's
// availability table; customers and segments share the common set).
var fieldTypesFor = map[EntityType][]FieldType{
	EntitySegment: {FieldText, FieldNumeric, FieldCheckbox, FieldSelect, FieldMultiselect, FieldDate, FieldURL, FieldDateTime, FieldTextarea, FieldRadiobutton, FieldStreetAddress},
	// Customers also take smart_address, which v2's examples fill by subtype.
	EntityCustomer: {FieldText, FieldNumeric, FieldCheckbox, FieldSelect, FieldMultiselect, FieldDate, FieldURL, FieldDateTime, FieldTextarea, FieldRadiobutton, FieldStreetAddress, FieldSmartAddress},
	EntityDeal:     {FieldText, FieldNumeric, FieldCheckbox, FieldSelect, FieldMultiselect, FieldDate, FieldURL, FieldDateTime, FieldTextarea, FieldRadiobutton, FieldStreetAddress},
	EntityContact:  {FieldText, FieldNumeric, FieldCheckbox, FieldSelect, FieldMultiselect, FieldDate, FieldURL, FieldDateTime, FieldTextarea, FieldRadiobutton, FieldStreetAddress},
	EntityInbound:  {FieldText, FieldNumeric, FieldCheckbox, FieldSelect, FieldMultiselect, FieldDate, FieldURL, FieldDateTime, FieldTextarea, FieldRadiobutton, FieldStreetAddress},
	// Companies have no Envybox view; they take smart_address like customers.
	EntityCompany: {FieldText, FieldNumeric, FieldCheckbox, FieldSelect, FieldMultiselect, FieldDate, FieldURL, FieldDateTime, FieldTextarea, FieldRadiobutton, FieldStreetAddress, FieldSmartAddress},
}

// fieldLimits caps the number of custom fields per entity type in one
// account. Segments: "не более 30 дополнительных полей" (amoCRM, seed 000).
var fieldLimits = map[EntityType]int{
	EntitySegment:  30,
	EntityCustomer: 500,
	EntityDeal:     500,
	EntityContact:  500,
	EntityInbound:  500,
	EntityCompany:  500,
}

// FieldTypeAllowed reports whether entity may have fields of type t.
func FieldTypeAllowed(entity EntityType, t FieldType) bool {
	for _, allowed := range fieldTypesFor[entity] {
		if allowed == t {
			return true
		}
	}
	return false
}

// KnownEntity reports whether the entity type carries custom fields in crmd.
func KnownEntity(entity EntityType) bool { _, ok := fieldTypesFor[entity]; return ok }

// CustomField is the definition of one custom field of one entity type.
type CustomField struct {
	ID         int64
	AccountID  int64
	EntityType EntityType
	Name       string
	Code       string // optional alias clients may use instead of the id
	Sort       int
	Type       FieldType
	Enums      []Enum // only for types with HasEnums
}

// Enum is one choice of a select, multiselect or radiobutton field.
type Enum struct {
	ID    int64
	Value string
	Sort  int
	Code  string
}

// EnumInput is an enum as a client sends it; ID is zero for a new enum.
type EnumInput struct {
	ID    int64
	Value string
	Sort  *int
	Code  string
}

// NewCustomField is a field definition to create.
type NewCustomField struct {
	Name  *string
	Type  FieldType
	Code  string
	Sort  *int
	Enums []EnumInput // nil when absent
}

// CustomFieldPatch changes some attributes of a field; nil means unchanged.
// Enums, when given, are the full new list: an enum with an id keeps that id,
// one without an id is new, and the enums left out are deleted along with the
// values that chose them (amoCRM's documented PATCH rule).
type CustomFieldPatch struct {
	Name  *string
	Code  *string
	Sort  *int
	Enums *[]EnumInput
}

// FieldQuery selects a page of custom fields.
type FieldQuery struct {
	Page  Page
	Types []FieldType // empty: any
	// OrderBy is "sort" (default) or "id".
	OrderBy string
	Desc    bool
	// Predefined lists the entity's predefined fields too (contacts' and
	// companies' PHONE, EMAIL …): amoCRM lists them, Envybox's inputs do not.
	Predefined bool
}

var fieldCodePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// validateName checks the name of a record (a field, an enum, a segment, a
// status, a pipeline, a stage, a contact, a company, a customer):
// present when required, not blank, storable text of at most
// MaxNameLength characters.
func validateName(v *violations, item int, path string, name *string, required bool) {
	switch {
	case name == nil:
		if required {
			v.add(item, path, ViolationRequired, "This field is missing.")
		}
	case strings.TrimSpace(*name) == "":
		v.add(item, path, ViolationBlank, "This value should not be blank.")
	default:
		v.checkText(item, path, *name, MaxNameLength)
	}
}

func validateEnums(v *violations, item int, enums []EnumInput) {
	if len(enums) == 0 {
		v.add(item, "enums", ViolationRequired, "A field of this type needs at least one enum.")
	}
	seen := map[string]bool{}
	for i, e := range enums {
		p := fmt.Sprintf("enums.%d", i)
		val := e.Value
		validateName(v, item, p+".value", &val, true)
		if seen[e.Value] {
			v.add(item, p+".value", ViolationInvalid, "Enum values must be unique.")
		}
		seen[e.Value] = true
		if e.Code != "" && !fieldCodePattern.MatchString(e.Code) {
			v.add(item, p+".code", ViolationInvalid, "The code may contain only latin letters, digits and underscores.")
		}
	}
}

// validate checks a new field; index is its position in the batch.
func (n *NewCustomField) validate(v *violations, item int, entity EntityType) {
	validateName(v, item, "name", n.Name, true)
	switch {
	case n.Type == "":
		v.add(item, "type", ViolationRequired, "This field is missing.")
	case !FieldTypeAllowed(entity, n.Type):
		v.add(item, "type", ViolationChoice, "The value you selected is not a valid choice.")
	case n.Type.HasEnums():
		validateEnums(v, item, n.Enums)
	case n.Enums != nil:
		v.add(item, "enums", ViolationUnexpected, "This field was not expected.")
	}
	if n.Code != "" && !fieldCodePattern.MatchString(n.Code) {
		v.add(item, "code", ViolationInvalid, "The code may contain only latin letters, digits and underscores.")
	}
}

// buildEnums turns the client's enum list into the stored one, keeping the ids
// of existing enums that are named by id.
func buildEnums(v *violations, item int, existing []Enum, in []EnumInput) []Enum {
	known := map[int64]bool{}
	for _, e := range existing {
		known[e.ID] = true
	}
	out := make([]Enum, 0, len(in))
	for i, e := range in {
		if e.ID != 0 && !known[e.ID] {
			v.add(item, fmt.Sprintf("enums.%d.id", i), ViolationChoice, "The value you selected is not a valid choice.")
		}
		sort := (i + 1) * 10
		if e.Sort != nil {
			sort = *e.Sort
		}
		out = append(out, Enum{ID: e.ID, Value: strings.TrimSpace(e.Value), Sort: sort, Code: e.Code})
	}
	return out
}

// ValueInput is one value of a custom field as a client sends it. Value holds
// the decoded JSON scalar (string, float64 or json-number text, bool) or nil.
type ValueInput struct {
	Value    any
	HasValue bool
	EnumID   int64
	EnumCode string
	// Subtype names the part of a smart_address value (v2 "subtype"; v4
	// sends it as enum_id 1–6 or enum_code).
	Subtype string
}

// FieldValueInput is a client's write of one field: the field named by id or
// code, and its new values. Clear (values: null or []) removes the field's values.
type FieldValueInput struct {
	FieldID   int64
	FieldCode string
	Values    []ValueInput
	Clear     bool
}

// Value is one stored value of a field in canonical form: Text holds text as
// given, numbers as decimal text, checkbox as "1"/"0", dates as Unix seconds,
// and the enum's text for enum types (whose EnumID is set).
type Value struct {
	Text   string
	EnumID int64
	// EnumCode is filled on read for enum values that have a code.
	EnumCode string
	// Subtype is the part of a smart_address value ("city", …).
	Subtype string
}

// FieldValue is the values of one field of one entity, with the field's
// definition attached so that dialects can render name, code and type.
type FieldValue struct {
	FieldID   int64
	FieldName string
	FieldCode string
	FieldType FieldType
	Values    []Value
}

// Bool returns a checkbox value as a bool.
func (v Value) Bool() bool { return v.Text == "1" }

// Unix returns a date value as Unix seconds.
func (v Value) Unix() int64 { n, _ := strconv.ParseInt(v.Text, 10, 64); return n }

// resolveFieldValues validates a client's field writes against the entity's
// field definitions and returns the canonical values to store. Fields written
// with Clear come back with no Values, meaning "delete this field's values".
func resolveFieldValues(v *violations, item int, prefix string, defs []CustomField, in []FieldValueInput) []FieldValue {
	byID := make(map[int64]*CustomField, len(defs))
	byCode := make(map[string]*CustomField, len(defs))
	for i := range defs {
		byID[defs[i].ID] = &defs[i]
		if defs[i].Code != "" {
			byCode[strings.ToUpper(defs[i].Code)] = &defs[i]
		}
	}
	out := make([]FieldValue, 0, len(in))
	seen := map[int64]bool{}
	for i, fv := range in {
		p := fmt.Sprintf("%s.%d", prefix, i)
		var def *CustomField
		switch {
		case fv.FieldID != 0:
			if def = byID[fv.FieldID]; def == nil {
				v.add(item, p+".field_id", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
		case fv.FieldCode != "":
			if def = byCode[strings.ToUpper(fv.FieldCode)]; def == nil {
				v.add(item, p+".field_code", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
		default:
			v.add(item, p+".field_id", ViolationRequired, "This field is missing.")
			continue
		}
		if seen[def.ID] {
			v.add(item, p+".field_id", ViolationInvalid, "The field is given more than once.")
			continue
		}
		seen[def.ID] = true
		res := FieldValue{FieldID: def.ID, FieldName: def.Name, FieldCode: def.Code, FieldType: def.Type}
		if fv.Clear || len(fv.Values) == 0 {
			out = append(out, res)
			continue
		}
		if len(fv.Values) > 1 && !def.Type.multiValued() {
			v.add(item, p+".values", ViolationInvalid, "This field takes one value.")
			continue
		}
		for j, val := range fv.Values {
			vp := fmt.Sprintf("%s.values.%d", p, j)
			if canon, ok := resolveValue(v, item, vp, def, val); ok {
				res.Values = append(res.Values, canon)
			}
		}
		out = append(out, res)
	}
	return out
}

func resolveValue(v *violations, item int, path string, def *CustomField, in ValueInput) (Value, bool) {
	if def.Type.HasEnums() {
		for _, e := range def.Enums {
			if (in.EnumID != 0 && e.ID == in.EnumID) ||
				(in.EnumID == 0 && in.EnumCode != "" && strings.EqualFold(e.Code, in.EnumCode)) ||
				(in.EnumID == 0 && in.EnumCode == "" && in.HasValue && in.Value == any(e.Value)) {
				return Value{Text: e.Value, EnumID: e.ID, EnumCode: e.Code}, true
			}
		}
		switch {
		case in.EnumID != 0:
			v.add(item, path+".enum_id", ViolationChoice, "The value you selected is not a valid choice.")
		case in.EnumCode != "":
			v.add(item, path+".enum_code", ViolationChoice, "The value you selected is not a valid choice.")
		case in.HasValue:
			v.add(item, path+".value", ViolationChoice, "The value you selected is not a valid choice.")
		default:
			v.add(item, path+".enum_id", ViolationRequired, "This field is missing.")
		}
		return Value{}, false
	}
	if def.Type == FieldSmartAddress {
		return resolveAddress(v, item, path, in)
	}
	if def.Type == FieldMultitext {
		return resolveMultitext(v, item, path, def, in)
	}
	if in.EnumID != 0 || in.EnumCode != "" || in.Subtype != "" {
		v.add(item, path+".enum_id", ViolationUnexpected, "This field was not expected.")
		return Value{}, false
	}
	if !in.HasValue || in.Value == nil {
		v.add(item, path+".value", ViolationRequired, "This field is missing.")
		return Value{}, false
	}
	vp := path + ".value"
	typeErr := func(want string) (Value, bool) {
		*v = append(*v, Violation{Item: item, Path: vp, Code: ViolationType, Want: want, Detail: "This value should be of type " + want + "."})
		return Value{}, false
	}
	switch def.Type {
	case FieldCheckbox:
		b, ok := in.Value.(bool)
		if !ok {
			return typeErr("bool")
		}
		if b {
			return Value{Text: "1"}, true
		}
		return Value{Text: "0"}, true
	case FieldNumeric:
		s, ok := scalarText(in.Value)
		if !ok {
			return typeErr("numeric")
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return typeErr("numeric")
		}
		return Value{Text: strconv.FormatFloat(f, 'f', -1, 64)}, true
	case FieldDate, FieldDateTime:
		switch x := in.Value.(type) {
		case float64:
			if x != math.Trunc(x) {
				return typeErr("int")
			}
			return Value{Text: strconv.FormatInt(int64(x), 10)}, true
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return Value{Text: strconv.FormatInt(n, 10)}, true
			}
			t, err := time.Parse(time.RFC3339, x)
			if err != nil {
				v.add(item, vp, ViolationInvalid, "The date must be a Unix timestamp or an RFC 3339 string.")
				return Value{}, false
			}
			return Value{Text: strconv.FormatInt(t.Unix(), 10)}, true
		default:
			return typeErr("int")
		}
	case FieldURL:
		s, ok := in.Value.(string)
		if !ok {
			return typeErr("string")
		}
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" && !strings.Contains(s, ".") {
			v.add(item, vp, ViolationInvalid, "This value is not a valid URL.")
			return Value{}, false
		}
		return Value{Text: strings.TrimSpace(s)}, true
	default: // text, textarea, streetaddress
		s, ok := scalarText(in.Value)
		if !ok {
			return typeErr("string")
		}
		if utf8.RuneCountInString(s) > 65535 {
			v.add(item, vp, ViolationTooLong, "This value is too long.")
			return Value{}, false
		}
		return Value{Text: s}, true
	}
}

// scalarText accepts strings and numbers: integrations commonly send numbers
// where amoCRM documents strings, and amoCRM stores them as text.
func scalarText(x any) (string, bool) {
	switch s := x.(type) {
	case string:
		return s, true
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64), true
	}
	return "", false
}

// resolveAddress checks one part of a smart_address value: a string with a
// subtype given as v2's subtype, v4's enum_id (1–6) or enum_code.
func resolveAddress(v *violations, item int, path string, in ValueInput) (Value, bool) {
	subtype := in.Subtype
	switch {
	case subtype != "":
	case in.EnumID >= 1 && in.EnumID <= int64(len(AddressSubtypes)):
		subtype = AddressSubtypes[in.EnumID-1]
	case in.EnumCode != "":
		subtype = strings.ToLower(in.EnumCode)
	case in.EnumID != 0:
		v.add(item, path+".enum_id", ViolationChoice, "The value you selected is not a valid choice.")
		return Value{}, false
	default:
		subtype = AddressSubtypes[0]
	}
	if AddressSubtypeID(subtype) == 0 {
		v.add(item, path+".subtype", ViolationChoice, "The value you selected is not a valid choice.")
		return Value{}, false
	}
	s, ok := scalarText(in.Value)
	if !in.HasValue || !ok {
		v.add(item, path+".value", ViolationType, "This value should be of type string.")
		return Value{}, false
	}
	return Value{Text: s, Subtype: subtype}, true
}

// CustomFieldStore keeps custom field definitions and the values entities
// hold in them.
type CustomFieldStore interface {
	// CustomFields returns a page of an entity type's fields and the total.
	CustomFields(ctx context.Context, entity EntityType, q FieldQuery) ([]CustomField, int, error)
	// AllCustomFields returns every field of an entity type, for validation.
	AllCustomFields(ctx context.Context, entity EntityType) ([]CustomField, error)
	CustomField(ctx context.Context, entity EntityType, id int64) (CustomField, error)
	CountCustomFields(ctx context.Context, entity EntityType) (int, error)
	// InsertCustomField stores f and its enums, setting their ids.
	InsertCustomField(ctx context.Context, f *CustomField) error
	// UpdateCustomField stores f; enums with id 0 are inserted, enums of the
	// field missing from f.Enums are deleted together with values choosing them.
	UpdateCustomField(ctx context.Context, f *CustomField) error
	// DeleteCustomField deletes the field and all its values.
	DeleteCustomField(ctx context.Context, entity EntityType, id int64) error
	// FieldValues returns the custom field values of the given entities.
	FieldValues(ctx context.Context, entity EntityType, ids []int64) (map[int64][]FieldValue, error)
	// SetFieldValues replaces the values of the fields named in values
	// (a FieldValue with no Values deletes that field's values).
	SetFieldValues(ctx context.Context, entity EntityType, id int64, values []FieldValue) error
}

// resolveMultitext checks one value of a PHONE or EMAIL field: a string
// and its kind as enum_id or enum_code, WORK (the first enum) when neither
// is given, as amoCRM defaults it. The contact data rules (a phone's
// digits, an email's form) are checked where the rows are written.
func resolveMultitext(v *violations, item int, path string, def *CustomField, in ValueInput) (Value, bool) {
	enum := def.Enums[0]
	switch {
	case in.EnumID != 0:
		i := slices.IndexFunc(def.Enums, func(e Enum) bool { return e.ID == in.EnumID })
		if i < 0 {
			v.add(item, path+".enum_id", ViolationChoice, "The value you selected is not a valid choice.")
			return Value{}, false
		}
		enum = def.Enums[i]
	case in.EnumCode != "":
		i := slices.IndexFunc(def.Enums, func(e Enum) bool { return strings.EqualFold(e.Code, in.EnumCode) })
		if i < 0 {
			v.add(item, path+".enum_code", ViolationChoice, "The value you selected is not a valid choice.")
			return Value{}, false
		}
		enum = def.Enums[i]
	}
	s, ok := scalarText(in.Value)
	if !in.HasValue || in.Value == nil {
		v.add(item, path+".value", ViolationRequired, "This field is missing.")
		return Value{}, false
	}
	if !ok {
		*v = append(*v, Violation{Item: item, Path: path + ".value", Code: ViolationType, Want: "string", Detail: "This value should be of type string."})
		return Value{}, false
	}
	return Value{Text: s, EnumID: enum.ID, EnumCode: enum.Code}, true
}

// FieldTypesFor lists the field types an entity type's user fields may
// have, for messages naming the choices.
func FieldTypesFor(entity EntityType) []FieldType {
	return slices.Clone(fieldTypesFor[entity])
}
