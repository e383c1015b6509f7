package crm

import (
	"context"
	"strings"
	"time"
)

// Contact is a person. It is amoCRM's contact and, for the Envybox dialect,
// a client: one record, whichever dialect made it.
type Contact struct {
	ID                int64
	AccountID         int64
	Name              string
	FirstName         string
	LastName          string
	ResponsibleUserID int64
	CreatedBy         int64
	UpdatedBy         int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Company is a legal entity contacts and customers belong to.
type Company struct {
	ID                int64
	AccountID         int64
	Name              string
	ResponsibleUserID int64
	CreatedBy         int64
	UpdatedBy         int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// LegalDetails are the requisites Envybox clients' companies carry
	// (Name is their short name). Read by Tx.ClientCompanies; Tx.Company and
	// Tx.Companies leave them empty.
	LegalDetails
}

// NewContact is a contact to add. When Name is empty it is made from the
// first and last names. The rest is amoCRM v4's create body (core §3.4).
type NewContact struct {
	Name              *string
	FirstName         string
	LastName          string
	ResponsibleUserID *int64
	// CreatedBy and UpdatedBy default to the actor; 0 is amoCRM's robot.
	CreatedBy *int64
	UpdatedBy *int64
	// CreatedAt and UpdatedAt default to now (an import keeps its dates).
	CreatedAt *time.Time
	UpdatedAt *time.Time
	// Fields are custom_fields_values, PHONE and EMAIL included.
	Fields []FieldValueInput
	// Tags (_embedded.tags) and TagsToAdd both tag the new contact.
	Tags      *[]TagRef
	TagsToAdd []TagRef
	// CompanyIDs links a company (_embedded.companies, at most one).
	CompanyIDs []int64
}

// NewCompany is a company to add (amoCRM v4's create body).
type NewCompany struct {
	Name              *string
	ResponsibleUserID *int64
	CreatedBy         *int64
	UpdatedBy         *int64
	CreatedAt         *time.Time
	UpdatedAt         *time.Time
	// Fields are custom_fields_values, PHONE, EMAIL, WEB and ADDRESS included.
	Fields    []FieldValueInput
	Tags      *[]TagRef
	TagsToAdd []TagRef
}

// ListQuery selects a window of a list by offset, for dialects that page by
// rows (amoCRM v2) as well as by pages (v4: Offset = (page-1)*limit). Empty
// fields do not filter; the contacts and companies lists of amoCRM v4 use
// them all, other callers only IDs.
type ListQuery struct {
	IDs []int64
	// Search keeps the records with a "filled field" containing it, as
	// amoCRM's query does: for a contact its name, first and last names,
	// service and custom field values and contact data (phones, emails,
	// messengers, its contact persons' too); for a company its name, legal
	// details (full name, INN, KPP, OGRN, addresses, manager, bank, BIK,
	// accounts) and custom field values. The test is a literal substring,
	// ignoring case: "%", "_" and "\" are plain characters. A text written
	// like a phone also matches as PhoneSearch's digits.
	Search string
	// Names are exact names (amoCRM's filter[name]).
	Names              []string
	ResponsibleUserIDs []int64
	CreatedBy          []int64
	UpdatedBy          []int64
	CreatedAt          Range
	UpdatedAt          Range
	// OrderBy is "id" (the default) or "updated_at", ties broken by id.
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int
}

// PhoneSearch returns the digits a search text stands for when it is
// written like a phone — digits, "+", "-", "(", ")" and spaces, at least
// three digits — and "" otherwise. Stored phones are NormalizePhone's
// digits (74993229710), so such a text is also looked for as its
// normalized digits: "+7 (499) 322-97-10", "84993229710" and "74993229710"
// all find 74993229710, and so does a run of its digits written any way
// ("322-97-10", "4993229710"). A part that starts with the trunk 8 ("8 499")
// is not rewritten: only a whole 11-digit number is. The text itself is
// searched as well, so a name or an email holding digits still matches.
// The Envybox client and lead keywords follow the same rule.
func PhoneSearch(s string) string {
	s = strings.TrimSpace(s)
	if strings.Trim(s, "0123456789+-() ") != "" {
		return ""
	}
	digits := NormalizePhone(s)
	if len(digits) < 3 {
		return ""
	}
	return digits
}

// ContactStore keeps contacts (Envybox clients) and companies: their own
// columns, contact data, contact persons, legal details and the links
// between clients and companies.
type ContactStore interface {
	InsertContact(ctx context.Context, c *Contact) error
	Contact(ctx context.Context, id int64) (Contact, error)
	// Contacts returns a window of contacts by id and the total.
	Contacts(ctx context.Context, q ListQuery) ([]Contact, int, error)
	InsertCompany(ctx context.Context, c *Company) error
	Company(ctx context.Context, id int64) (Company, error)
	Companies(ctx context.Context, q ListQuery) ([]Company, int, error)
	InsertContactData(ctx context.Context, c *ContactData) error
	ContactData(ctx context.Context, owner EntityType, ids []int64) (map[int64][]ContactData, error)
	// ContactsByPhoneOrEmail returns the ids of clients with a matching
	// phone or email entry, oldest first.
	ContactsByPhoneOrEmail(ctx context.Context, phone, email string) ([]int64, error)
	// ClientIDs returns the ids of every client (contact) q selects, newest
	// first; q.Limit and q.Offset are ignored (the caller pages).
	ClientIDs(ctx context.Context, q ClientQuery) ([]int64, error)
	// UpdateClientName stores a client's name and who changed it, and sets
	// its updated_at to now. KindNotFound when there is no such contact.
	UpdateClientName(ctx context.Context, id int64, name string, by int64) error
	// InsertContactPerson stores a contact person of a client and sets its id.
	InsertContactPerson(ctx context.Context, p *ContactPerson) error
	// ContactPersons returns the contact persons of the given clients,
	// oldest first.
	ContactPersons(ctx context.Context, clientIDs []int64) (map[int64][]ContactPerson, error)
	// SetCompanyLegal stores a company's legal details (requisites).
	// KindNotFound when there is no such company.
	SetCompanyLegal(ctx context.Context, companyID int64, d LegalDetails) error
	// LinkClientCompany attaches a company to a client; primary marks the
	// client's main company.
	LinkClientCompany(ctx context.Context, clientID, companyID int64, primary bool) error
	// ClientCompanies returns the companies attached to a client with their
	// legal details, the primary one first, then in the order attached.
	ClientCompanies(ctx context.Context, clientID int64) ([]ClientCompany, error)
	// ClientsCompanies returns the companies of the given clients, each
	// client's primary one first, then in the order attached.
	ClientsCompanies(ctx context.Context, clientIDs []int64) (map[int64][]ClientCompany, error)
}
