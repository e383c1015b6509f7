package crm

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// A contact card is a contact (an Envybox client) or a company as amoCRM v4
// shows and writes it: its own columns, custom field values, tags and
// links. Phones and emails are not custom field values in crmd: they are
// the contact data rows Envybox's client/getContacts lists, and amoCRM's
// predefined PHONE and EMAIL multitext fields are a view of those rows, so
// a phone written in either dialect is one row seen by both.

// The predefined fields. amoCRM gives them per-account ids; crmd gives them
// the same fixed ids in every account, high in the 32-bit range so that
// they never meet an id the custom_fields sequence hands out and still fit
// clients that decode ids as int32.
const (
	FieldContactPhone   int64 = 2147483001
	FieldContactEmail   int64 = 2147483002
	FieldCompanyPhone   int64 = 2147483011
	FieldCompanyEmail   int64 = 2147483012
	FieldCompanyWeb     int64 = 2147483013
	FieldCompanyAddress int64 = 2147483014
)

// dataKind is one kind of contact data row a predefined field holds, with
// the enum that names it in amoCRM.
type dataKind struct {
	Kind string
	Enum Enum
}

// The PHONE enums (amoCRM: WORK, WORKDD, MOB, FAX, HOME, OTHER) and the
// contact data kinds they are stored as. Envybox's plain phone is amoCRM's
// default WORK; its work phone (a line with an extension) is the direct
// work line WORKDD; FAX and OTHER have no Envybox kind and get crmd's own.
var phoneKinds = []dataKind{
	{"phone", Enum{ID: 2147483101, Value: "WORK", Code: "WORK", Sort: 2}},
	{"work_phone", Enum{ID: 2147483102, Value: "WORKDD", Code: "WORKDD", Sort: 4}},
	{"mobile_phone", Enum{ID: 2147483103, Value: "MOB", Code: "MOB", Sort: 6}},
	{"fax", Enum{ID: 2147483104, Value: "FAX", Code: "FAX", Sort: 8}},
	{"home_phone", Enum{ID: 2147483105, Value: "HOME", Code: "HOME", Sort: 10}},
	{"other_phone", Enum{ID: 2147483106, Value: "OTHER", Code: "OTHER", Sort: 12}},
}

// The EMAIL enums (WORK, PRIV, OTHER): Envybox's email is WORK.
var emailKinds = []dataKind{
	{"email", Enum{ID: 2147483111, Value: "WORK", Code: "WORK", Sort: 2}},
	{"private_email", Enum{ID: 2147483112, Value: "PRIV", Code: "PRIV", Sort: 4}},
	{"other_email", Enum{ID: 2147483113, Value: "OTHER", Code: "OTHER", Sort: 6}},
}

// IsEmailKind reports whether entries of kind k are email addresses.
func IsEmailKind(k string) bool {
	for _, d := range emailKinds {
		if d.Kind == k {
			return true
		}
	}
	return false
}

// PhoneKinds lists the contact data kinds that hold phone numbers.
func PhoneKinds() []string {
	out := make([]string, len(phoneKinds))
	for i, d := range phoneKinds {
		out[i] = d.Kind
	}
	return out
}

// EmailKinds lists the contact data kinds that hold email addresses.
func EmailKinds() []string {
	out := make([]string, len(emailKinds))
	for i, d := range emailKinds {
		out[i] = d.Kind
	}
	return out
}

// dataField is a predefined field backed by contact data rows.
type dataField struct {
	def   CustomField
	kinds []dataKind
	// normalize returns the stored form of a value, or ok false.
	normalize func(s string) (string, bool)
	bad       string // the detail of a value normalize refuses
}

func (f dataField) kindOf(enumID int64) string {
	for _, k := range f.kinds {
		if k.Enum.ID == enumID {
			return k.Kind
		}
	}
	return f.kinds[0].Kind
}

func (f dataField) holds(kind string) (dataKind, bool) {
	for _, k := range f.kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return dataKind{}, false
}

func enumsOf(kinds []dataKind) []Enum {
	out := make([]Enum, len(kinds))
	for i, k := range kinds {
		out[i] = k.Enum
	}
	return out
}

func normalizePhoneValue(s string) (string, bool) {
	p := NormalizePhone(s)
	return p, p != ""
}

func normalizeEmailValue(s string) (string, bool) {
	e := NormalizeEmail(s)
	return e, validEmail(e)
}

func normalizeTextValue(s string) (string, bool) {
	s = strings.TrimSpace(s)
	return s, s != ""
}

// dataFields are the predefined fields of contacts and companies, in the
// order amoCRM lists them.
var dataFields = map[EntityType][]dataField{
	EntityContact: {
		{CustomField{ID: FieldContactPhone, EntityType: EntityContact, Name: "Телефон", Code: "PHONE", Sort: 4, Type: FieldMultitext, Enums: enumsOf(phoneKinds)},
			phoneKinds, normalizePhoneValue, "A phone must contain digits."},
		{CustomField{ID: FieldContactEmail, EntityType: EntityContact, Name: "Email", Code: "EMAIL", Sort: 6, Type: FieldMultitext, Enums: enumsOf(emailKinds)},
			emailKinds, normalizeEmailValue, "The email is malformed."},
	},
	EntityCompany: {
		{CustomField{ID: FieldCompanyPhone, EntityType: EntityCompany, Name: "Телефон", Code: "PHONE", Sort: 4, Type: FieldMultitext, Enums: enumsOf(phoneKinds)},
			phoneKinds, normalizePhoneValue, "A phone must contain digits."},
		{CustomField{ID: FieldCompanyEmail, EntityType: EntityCompany, Name: "Email", Code: "EMAIL", Sort: 6, Type: FieldMultitext, Enums: enumsOf(emailKinds)},
			emailKinds, normalizeEmailValue, "The email is malformed."},
		{CustomField{ID: FieldCompanyWeb, EntityType: EntityCompany, Name: "Web", Code: "WEB", Sort: 8, Type: FieldURL},
			[]dataKind{{Kind: "web"}}, normalizeTextValue, "This value should not be blank."},
		{CustomField{ID: FieldCompanyAddress, EntityType: EntityCompany, Name: "Адрес", Code: "ADDRESS", Sort: 10, Type: FieldTextarea},
			[]dataKind{{Kind: "address"}}, normalizeTextValue, "This value should not be blank."},
	},
}

// PredefinedFields returns the predefined fields of an entity type
// (contacts: PHONE, EMAIL; companies: PHONE, EMAIL, WEB, ADDRESS), which
// every account has, which cannot be changed or deleted and whose codes
// user fields cannot take.
func PredefinedFields(entity EntityType) []CustomField {
	out := []CustomField{}
	for _, f := range dataFields[entity] {
		def := f.def
		def.Enums = append([]Enum(nil), f.def.Enums...)
		out = append(out, def)
	}
	return out
}

// IsPredefined reports whether id is a predefined field of entity.
func IsPredefined(entity EntityType, id int64) bool { _, ok := predefined(entity, id); return ok }

// HasPredefined reports whether entity has predefined fields (contacts
// and companies).
func HasPredefined(entity EntityType) bool { return len(dataFields[entity]) > 0 }

func predefined(entity EntityType, id int64) (dataField, bool) {
	for _, f := range dataFields[entity] {
		if f.def.ID == id {
			return f, true
		}
	}
	return dataField{}, false
}

// predefinedCode reports whether code is a predefined field's code of entity.
func predefinedCode(entity EntityType, code string) bool {
	for _, f := range dataFields[entity] {
		if strings.EqualFold(f.def.Code, code) {
			return true
		}
	}
	return false
}

// dataFieldValues renders an owner's contact data rows as the predefined
// fields' values: every row of the field's kinds, those of contact persons
// too, each number or address once, in the order written.
func dataFieldValues(entity EntityType, rows []ContactData) []FieldValue {
	var out []FieldValue
	for _, f := range dataFields[entity] {
		fv := FieldValue{FieldID: f.def.ID, FieldName: f.def.Name, FieldCode: f.def.Code, FieldType: f.def.Type}
		seen := map[string]bool{}
		for _, d := range rows {
			k, ok := f.holds(d.Kind)
			if !ok || seen[d.Value] {
				continue
			}
			seen[d.Value] = true
			fv.Values = append(fv.Values, Value{Text: d.Value, EnumID: k.Enum.ID, EnumCode: k.Enum.Code})
		}
		if len(fv.Values) > 0 {
			out = append(out, fv)
		}
	}
	return out
}

// ContactCard is a contact as amoCRM v4 reads it.
type ContactCard struct {
	Contact
	// Fields are the PHONE and EMAIL values first, then the custom fields'.
	Fields []FieldValue
	Tags   []Tag
	// CompanyIDs are the contact's companies, the primary one first.
	CompanyIDs []int64
	// LeadIDs (the deals whose client or linked contact it is) and
	// CustomerIDs are read when CardWith asks for them.
	LeadIDs     []int64
	CustomerIDs []int64
}

// CompanyCard is a company as amoCRM v4 reads it.
type CompanyCard struct {
	Company
	// Fields are the PHONE, EMAIL, WEB and ADDRESS values first, then the
	// custom fields'.
	Fields []FieldValue
	Tags   []Tag
	// ContactIDs, LeadIDs (the deals it is the company of) and
	// CustomerIDs are read when CardWith asks.
	ContactIDs  []int64
	LeadIDs     []int64
	CustomerIDs []int64
}

// CardWith says which links a card read loads (amoCRM's with).
type CardWith struct {
	Leads     bool
	Customers bool
	Contacts  bool
}

// ContactPatch changes a contact (amoCRM v4 PATCH); nil and empty mean
// unchanged.
type ContactPatch struct {
	ID                int64
	Name              *string
	FirstName         *string
	LastName          *string
	ResponsibleUserID *int64
	CreatedBy         *int64
	UpdatedBy         *int64
	CreatedAt         *time.Time
	UpdatedAt         *time.Time
	// Fields replace each named field's values (values null clears it).
	Fields []FieldValueInput
	// Tags replaces the tag set when not nil (_embedded.tags).
	Tags         *[]TagRef
	TagsToAdd    []TagRef
	TagsToDelete []TagRef
	// CompanyIDs links a company (_embedded.companies, at most one).
	CompanyIDs []int64
}

// CompanyPatch changes a company (amoCRM v4 PATCH).
type CompanyPatch struct {
	ID                int64
	Name              *string
	ResponsibleUserID *int64
	CreatedBy         *int64
	UpdatedBy         *int64
	CreatedAt         *time.Time
	UpdatedAt         *time.Time
	Fields            []FieldValueInput
	Tags              *[]TagRef
	TagsToAdd         []TagRef
	TagsToDelete      []TagRef
}

// ContactCardStore is what contact cards need beyond ContactStore: updates
// of contacts, companies and contact data rows, and the reverse links.
type ContactCardStore interface {
	// UpdateContact stores c's names, responsible, created_by,
	// updated_by, created_at and updated_at (the caller dates the change).
	// KindNotFound when there is no such contact.
	UpdateContact(ctx context.Context, c *Contact) error
	// UpdateCompany stores c's name, responsible, created_by, updated_by,
	// created_at and updated_at. KindNotFound when there is no such company.
	UpdateCompany(ctx context.Context, c *Company) error
	// UpdateContactData stores a row's kind, value and primary flag.
	UpdateContactData(ctx context.Context, d *ContactData) error
	// DeleteContactData deletes rows of one owner by id.
	DeleteContactData(ctx context.Context, owner EntityType, ownerID int64, ids []int64) error
	// ContactCustomerIDs returns the customers each contact is linked to.
	ContactCustomerIDs(ctx context.Context, contactIDs []int64) (map[int64][]int64, error)
	// ContactCompanyIDs returns each contact's companies, the primary first.
	ContactCompanyIDs(ctx context.Context, contactIDs []int64) (map[int64][]int64, error)
	// CompanyContactIDs returns the contacts attached to each company.
	CompanyContactIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error)
	// CompanyCustomerIDs returns the customers of each company.
	CompanyCustomerIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error)
}

// predefinedPage answers a custom fields list of an entity with
// predefined fields: those and the account's own, filtered by type,
// ordered and paged together (at most 500 fields, so in memory).
func predefinedPage(ctx context.Context, tx Tx, entity EntityType, q FieldQuery) ([]CustomField, int, error) {
	own, err := tx.AllCustomFields(ctx, entity)
	if err != nil {
		return nil, 0, err
	}
	var all []CustomField
	for _, f := range append(PredefinedFields(entity), own...) {
		if len(q.Types) == 0 || slices.Contains(q.Types, f.Type) {
			f.AccountID = tx.AccountID()
			all = append(all, f)
		}
	}
	slices.SortStableFunc(all, func(a, b CustomField) int {
		c := cmp.Compare(a.ID, b.ID)
		if q.OrderBy != "id" {
			c = cmp.Or(cmp.Compare(a.Sort, b.Sort), c)
		}
		if q.Desc {
			return -c
		}
		return c
	})
	from := min(len(all), q.Page.Offset())
	return all[from:min(len(all), from+q.Page.Limit)], len(all), nil
}

// refusePredefined refuses changing or deleting a predefined field: amoCRM
// marks PHONE and EMAIL is_deletable false, and their enums are the kinds
// Envybox's contact data knows.
func refusePredefined(entity EntityType, id int64) error {
	if f, ok := predefined(entity, id); ok {
		return Errorf(KindForbidden, "The field %s is predefined: it cannot be changed or deleted", f.def.Code)
	}
	return nil
}
