package crm

import "time"

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
// first and last names.
type NewContact struct {
	Name              *string
	FirstName         string
	LastName          string
	ResponsibleUserID *int64
}

// NewCompany is a company to add.
type NewCompany struct {
	Name              *string
	ResponsibleUserID *int64
}

// ListQuery selects a window of a list by offset, for dialects that page by
// rows (amoCRM v2) as well as by pages (v4: Offset = (page-1)*limit).
type ListQuery struct {
	IDs    []int64
	Limit  int
	Offset int
}
