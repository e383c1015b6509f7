package crm

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Client is a contact seen as an Envybox client: the contact with its
// service and custom values, its contact data, the contact persons those
// rows belong to, and its deals.
type Client struct {
	Contact
	Values      []ServiceValue
	Fields      []FieldValue
	ContactData []ContactData
	Persons     []ContactPerson
	Deals       []Deal
}

// Phone returns the client's main phone: the primary phone entry, else the
// first one; "" when there is none.
func (c Client) Phone() string { return c.mainData(IsPhoneKind) }

// Email returns the client's main email, like Phone.
func (c Client) Email() string { return c.mainData(IsEmailKind) }

func (c Client) mainData(kind func(string) bool) string {
	first := ""
	for _, d := range c.ContactData {
		if !kind(d.Kind) {
			continue
		}
		if d.Primary {
			return d.Value
		}
		if first == "" {
			first = d.Value
		}
	}
	return first
}

// Person returns the contact person with this id.
func (c Client) Person(id int64) (ContactPerson, bool) {
	for _, p := range c.Persons {
		if p.ID == id {
			return p, true
		}
	}
	return ContactPerson{}, false
}

// ContactPerson is a person at a client (Envybox client/addContact): the
// client's contact data rows with Group = ID belong to them.
type ContactPerson struct {
	ID        int64
	AccountID int64
	ClientID  int64
	Name      string
	Birthday  string // YYYY-MM-DD or ""
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ClientCompany is a company attached to a client.
type ClientCompany struct {
	Company
	ClientID int64
	// Primary marks the client's main company (the first one attached).
	Primary bool
}

// ClientQuery selects clients.
type ClientQuery struct {
	// Keyword matches the client's name, service values, contact data,
	// contact persons' names and its deals' names.
	Keyword string
	// Created filters on the creation time.
	Created Range
	Limit   int
	Offset  int
	// BeforeID, when not 0, keeps clients with a smaller id: the next
	// page, newest first, after a page that ended at that id.
	BeforeID int64
	// PageOnly has the store read the first Limit ids only, not every
	// match (see ClientRows).
	PageOnly bool
}

// ClientPage is one page of clients with every matching id.
type ClientPage struct {
	Clients []Client
	AllIDs  []int64
	Total   int
}

// NewClient is a client to create. Phones and emails become primary
// contact data of the client.
type NewClient struct {
	Name   string
	Phones []string
	Emails []string
}

// NewContactPerson is a contact person to add to a client (Envybox
// client/addContact). A phone or an email is required.
type NewContactPerson struct {
	Name      string
	Phone     string
	Email     string
	Birthday  string // YYYY-MM-DD
	WorkPhone string
	// WorkPhoneAddon is the extension of WorkPhone.
	WorkPhoneAddon string
	HomePhone      string
	Position       string
	Note           string
	// Messengers are viber, whatsapp, telegram, instagram, vkontakte,
	// facebook and skype handles by kind.
	Messengers map[string]string
}

// MessengerKinds are the messenger and social-network contact kinds a
// contact person may have.
var MessengerKinds = []string{"viber", "instagram", "whatsapp", "telegram", "vkontakte", "facebook", "skype"}

// NewClientCompany is a company to attach to a client: a short name and the
// legal details, of which the INN is required.
type NewClientCompany struct {
	ShortName string
	LegalDetails
}

// clientNotFound names a missing contact as the missing client.
func clientNotFound(err error) error {
	if KindOf(err) == KindNotFound {
		return Fail(CodeClientNotFound)
	}
	return err
}

// loadClients reads clients by id, in the order given, with their values,
// contact data, persons and deals.
func loadClients(ctx context.Context, tx Tx, ids []int64) ([]Client, error) {
	out := make([]Client, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	contacts, _, err := tx.Contacts(ctx, ListQuery{IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Contact, len(contacts))
	for _, c := range contacts {
		byID[c.ID] = c
	}
	values, err := tx.ServiceValues(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	fields, err := tx.FieldValues(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	data, err := tx.ContactData(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	persons, err := tx.ContactPersons(ctx, ids)
	if err != nil {
		return nil, err
	}
	deals := map[int64][]Deal{}
	for offset := 0; ; {
		page, total, err := tx.Deals(ctx, DealQuery{ClientIDs: ids, Limit: 500, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, d := range page {
			deals[d.ClientID] = append(deals[d.ClientID], d)
		}
		offset += len(page)
		if len(page) == 0 || offset >= total {
			break
		}
	}
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			return nil, Fail(CodeClientNotFound)
		}
		out = append(out, Client{Contact: c, Values: values[id], Fields: fields[id], ContactData: data[id],
			Persons: persons[id], Deals: deals[id]})
	}
	return out, nil
}

func loadClient(ctx context.Context, tx Tx, id int64) (Client, error) {
	if _, err := tx.Contact(ctx, id); err != nil {
		return Client{}, clientNotFound(err)
	}
	list, err := loadClients(ctx, tx, []int64{id})
	if err != nil {
		return Client{}, err
	}
	return list[0], nil
}

// Client returns one client with its values, contact data and deals.
// Errors: not found (CodeClientNotFound).
func (s *Service) Client(ctx context.Context, actor Actor, id int64) (Client, error) {
	var out Client
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = loadClient(ctx, tx, id)
		return err
	})
	return out, err
}

// Clients lists clients newest first, with the ids of all that match.
// Errors: invalid (paging).
func (s *Service) Clients(ctx context.Context, actor Actor, q ClientQuery) (ClientPage, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultPageLimit
	}
	if q.Offset < 0 {
		return ClientPage{}, Invalid(Violation{Path: "offset", Code: ViolationRange, Rule: RuleOffsetNegative, Detail: "The offset must not be negative."})
	}
	out := ClientPage{AllIDs: []int64{}, Clients: []Client{}}
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		ids, err := tx.ClientIDs(ctx, q)
		if err != nil {
			return err
		}
		out.AllIDs, out.Total = ids, len(ids)
		if q.Offset >= len(ids) {
			return nil
		}
		page := ids[q.Offset:min(len(ids), q.Offset+q.Limit)]
		out.Clients, err = loadClients(ctx, tx, page)
		return err
	})
	return out, err
}

// ClientRows returns the next page of a client search, newest first,
// keyed by q.BeforeID (0: the first page) rather than an offset, without
// the ids or the number of the other matches Clients collects: read page
// by page, a whole search costs about one pass over its matches. The
// clients are those Clients returns for the same query.
// Errors: invalid (an offset: the page is keyed).
func (s *Service) ClientRows(ctx context.Context, actor Actor, q ClientQuery) ([]Client, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultPageLimit
	}
	if q.Offset != 0 {
		return nil, Invalid(Violation{Path: "offset", Code: ViolationRange, Rule: RuleOffsetNegative,
			Detail: "A keyed page takes no offset."})
	}
	q.PageOnly = true
	return read(ctx, s, actor, func(tx Tx) ([]Client, error) {
		ids, err := tx.ClientIDs(ctx, q)
		if err != nil || len(ids) == 0 {
			return []Client{}, err
		}
		return loadClients(ctx, tx, ids)
	})
}

// CreateClient creates a client with its name (the FieldClientName service
// value too) and optional phones and emails. Errors: invalid.
func (s *Service) CreateClient(ctx context.Context, actor Actor, n NewClient) (Client, error) {
	var v violations
	name := strings.TrimSpace(n.Name)
	if name == "" {
		v.rule(0, "name", ViolationRequired, RuleClientNameRequired, "The client name is required.")
	}
	v.checkText(0, "name", name, MaxNameLength)
	var rows []ContactData
	// One number or address is one row however often or however it is
	// written ("+7 (499) …" and "8499…"), as amoCRM's PHONE and EMAIL
	// writes de-duplicate (contact_card_service.go).
	seen := map[string]bool{}
	for i, p := range n.Phones {
		phone := NormalizePhone(p)
		if phone == "" {
			v.rule(0, fmt.Sprintf("phone.%d", i), ViolationInvalid, RulePhoneDigits, "A phone must contain digits.")
		}
		v.checkText(0, fmt.Sprintf("phone.%d", i), p, MaxShortText)
		if !seen["p"+phone] {
			seen["p"+phone] = true
			rows = append(rows, ContactData{Kind: "phone", Value: phone})
		}
	}
	for i, e := range n.Emails {
		email := NormalizeEmail(e)
		if !validEmail(email) {
			v.rule(0, fmt.Sprintf("email.%d", i), ViolationInvalid, RuleEmailInvalid, "The email is malformed.")
		}
		v.checkText(0, fmt.Sprintf("email.%d", i), e, MaxShortText)
		if !seen["e"+email] {
			seen["e"+email] = true
			rows = append(rows, ContactData{Kind: "email", Value: email})
		}
	}
	if err := v.err(); err != nil {
		return Client{}, err
	}
	var out Client
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		c := Contact{Name: name, ResponsibleUserID: actor.UserID, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
		if err := tx.InsertContact(ctx, &c); err != nil {
			return err
		}
		if err := tx.SetServiceValue(ctx, EntityContact, c.ID, FieldClientName, name); err != nil {
			return err
		}
		if err := insertClientData(ctx, tx, c.ID, nil, rows); err != nil {
			return err
		}
		if err := recordHistory(ctx, tx, EntityContact, c.ID, LogContactCreated, HistoryData{Text: name}, Responsible{UserID: actor.UserID}); err != nil {
			return err
		}
		var err error
		out, err = loadClient(ctx, tx, c.ID)
		return err
	})
	return out, err
}

// insertClientData stores contact data rows of a client; the first entry of
// each kind the client has becomes primary.
func insertClientData(ctx context.Context, tx Tx, clientID int64, existing []ContactData, rows []ContactData) error {
	have := map[string]bool{}
	for _, d := range existing {
		have[d.Kind] = true
	}
	for _, d := range rows {
		d.OwnerType, d.OwnerID = EntityContact, clientID
		d.Primary = !have[d.Kind]
		have[d.Kind] = true
		if err := tx.InsertContactData(ctx, &d); err != nil {
			return err
		}
	}
	return nil
}

func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && at < len(e)-1 && !strings.ContainsAny(e, " \t\r\n")
}

// clientTimeZone accepts the UTC offsets Envybox writes ("UTC+3:00",
// "UTC+03:00").
var clientTimeZone = regexp.MustCompile(`^UTC[+-](0?\d|1[0-4]):[0-5]\d$`)

// UpdateClientValues writes service (1001 name, 1010 region, 1011 time zone)
// and custom values of a client on behalf of who; a new name renames the
// client. Errors: not found (CodeClientNotFound), invalid.
func (s *Service) UpdateClientValues(ctx context.Context, actor Actor, id int64, who Responsible, writes []FieldWrite) error {
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		c, err := tx.Contact(ctx, id)
		if err != nil {
			return clientNotFound(err)
		}
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		ic := &inboundContext{users: map[int64]User{}, departments: map[int64]bool{}}
		for _, u := range users {
			ic.users[u.ID] = u
		}
		var v violations
		ic.checkResponsible(&v, who)
		if len(writes) == 0 {
			v.refuse(0, "fields", ViolationRequired, CodeMissingInput)
		}
		defs, err := tx.AllCustomFields(ctx, EntityContact)
		if err != nil {
			return err
		}
		var custom []CustomValueInput
		service := map[int64]string{}
		for i, w := range writes {
			if !w.Service {
				// An unknown field is an unknown reference here, not
				// resolveCustom's plain choice violation: Envybox answers
				// it with its generic text.
				if !slices.ContainsFunc(defs, func(d CustomField) bool { return d.ID == w.FieldID }) {
					v.refuse(0, fmt.Sprintf("fields.%d.input_id", i), ViolationChoice, CodeUnknownReference)
					continue
				}
				custom = append(custom, CustomValueInput{FieldID: w.FieldID, Value: w.Value})
				continue
			}
			f, ok := ServiceFieldByID(EntityContact, w.FieldID)
			if !ok {
				v.refuse(0, fmt.Sprintf("fields.%d.input_id", i), ViolationChoice, CodeUnknownReference)
				continue
			}
			text, ok := scalarText(w.Value)
			if !ok && w.Value != nil {
				v.rule(0, fmt.Sprintf("fields.%d.value", i), ViolationType, RuleFieldValueString, "A field value must be a string.")
				continue
			}
			text = strings.TrimSpace(text)
			v.checkText(0, fmt.Sprintf("fields.%d.value", i), text, f.MaxLength())
			switch f.ID {
			case FieldClientName:
				if text == "" {
					v.rule(0, fmt.Sprintf("fields.%d.value", i), ViolationBlank, RuleClientNameBlank, "The client name must not be empty.")
				}
			case FieldClientTimeZone:
				if text != "" && !clientTimeZone.MatchString(text) {
					v.rule(0, fmt.Sprintf("fields.%d.value", i), ViolationInvalid, RuleClientTimeZone, "A time zone must look like UTC+3:00.")
				}
			}
			service[f.ID] = text
		}
		values := resolveCustom(&v, defs, coerceCustom(defs, custom, actor.Location()), "fields")
		if err := v.err(); err != nil {
			return err
		}
		for fieldID, text := range service {
			if err := tx.SetServiceValue(ctx, EntityContact, id, fieldID, text); err != nil {
				return err
			}
		}
		before, err := tx.FieldValues(ctx, EntityContact, []int64{id})
		if err != nil {
			return err
		}
		if err := tx.SetFieldValues(ctx, EntityContact, id, values); err != nil {
			return err
		}
		name, ok := service[FieldClientName]
		if !ok {
			name = c.Name
		}
		by := actor.UserID
		switch {
		case who.EmployeeID != 0:
			by = who.EmployeeID
		case who.UserID != 0:
			by = who.UserID
		}
		if err := tx.UpdateClientName(ctx, id, name, by); err != nil {
			return err
		}
		// The one history: the name and the custom fields that changed
		// (amoCRM's events read the same entry).
		var changes []FieldChange
		if name != c.Name {
			changes = append(changes, NewFieldChange("name", c.Name, name))
		}
		for _, fv := range values {
			b, a := historyValues(valuesOf(before[id], fv.FieldID)), historyValues(fv.Values)
			if fmt.Sprint(b) != fmt.Sprint(a) {
				changes = append(changes, NewFieldChange("cf:"+itoa64(fv.FieldID), b, a))
			}
		}
		if len(changes) == 0 {
			return nil
		}
		author := who
		if author.UserID == 0 && author.EmployeeID == 0 {
			author.UserID = actor.UserID
		}
		return recordHistory(ctx, tx, EntityContact, id, LogContactUpdated, HistoryData{Changes: changes}, author)
	})
}

var birthday = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// AddContactPerson adds a person with their contact data to a client: each
// item given becomes a contact data row of the client grouped under the
// person. Errors: not found (CodeClientNotFound), invalid.
func (s *Service) AddContactPerson(ctx context.Context, actor Actor, clientID int64, n NewContactPerson) (ContactPerson, error) {
	var v violations
	p := ContactPerson{ClientID: clientID, Name: strings.TrimSpace(n.Name), Birthday: strings.TrimSpace(n.Birthday)}
	if p.Name == "" {
		v.rule(0, "name", ViolationRequired, RuleContactNameRequired, "The contact name is required.")
	}
	phone, email := strings.TrimSpace(n.Phone), NormalizeEmail(n.Email)
	if phone == "" && email == "" {
		v.rule(0, "phone", ViolationRequired, RuleContactPhoneOrEmail, "A contact needs a phone or an email.")
	}
	if p.Birthday != "" {
		if _, err := time.Parse(time.DateOnly, p.Birthday); err != nil || !birthday.MatchString(p.Birthday) {
			v.rule(0, "birthday", ViolationInvalid, RuleBirthdayFormat, "The birthday must be YYYY-MM-DD.")
		}
	}
	var rows []ContactData
	addPhone := func(path, kind, value, addon string) {
		value = strings.TrimSpace(value)
		if value == "" {
			if addon != "" {
				v.rule(0, path, ViolationRequired, RuleWorkPhoneRequired, "The work phone number is required.")
			}
			return
		}
		norm := NormalizePhone(value)
		if norm == "" {
			v.rule(0, path, ViolationInvalid, RulePhoneDigits, "A phone must contain digits.")
		}
		rows = append(rows, ContactData{Kind: kind, Value: norm, Addon: strings.TrimSpace(addon)})
	}
	addPhone("phone", "phone", phone, "")
	if email != "" {
		if !validEmail(email) {
			v.rule(0, "email", ViolationInvalid, RuleEmailInvalid, "The email is malformed.")
		}
		rows = append(rows, ContactData{Kind: "email", Value: email})
	}
	addPhone("work_phone", "work_phone", n.WorkPhone, n.WorkPhoneAddon)
	addPhone("home_phone", "home_phone", n.HomePhone, "")
	for _, kind := range MessengerKinds {
		if val := strings.TrimSpace(n.Messengers[kind]); val != "" {
			rows = append(rows, ContactData{Kind: kind, Value: val})
		}
	}
	for kind := range n.Messengers {
		if !slices.Contains(MessengerKinds, kind) {
			v.rule(0, kind, ViolationUnexpected, RuleContactKindUnknown, "Unknown contact kind "+kind+".", kind)
		}
	}
	for _, item := range []struct{ kind, value string }{{"position", n.Position}, {"note", n.Note}} {
		if val := strings.TrimSpace(item.value); val != "" {
			rows = append(rows, ContactData{Kind: item.kind, Value: val})
		}
	}
	v.checkText(0, "name", p.Name, MaxNameLength)
	for _, d := range rows {
		// The parameters are named after the kinds (phone, note, viber …).
		v.checkText(0, d.Kind, d.Value, contactDataMax(d.Kind))
		v.checkText(0, d.Kind+"_addon", d.Addon, MaxShortText)
	}
	if err := v.err(); err != nil {
		return p, err
	}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if _, err := tx.Contact(ctx, clientID); err != nil {
			return clientNotFound(err)
		}
		existing, err := tx.ContactData(ctx, EntityContact, []int64{clientID})
		if err != nil {
			return err
		}
		if err := tx.InsertContactPerson(ctx, &p); err != nil {
			return err
		}
		for i := range rows {
			rows[i].Group, rows[i].Birthday = p.ID, p.Birthday
		}
		if err := insertClientData(ctx, tx, clientID, existing[clientID], rows); err != nil {
			return err
		}
		c, err := tx.Contact(ctx, clientID)
		if err != nil {
			return err
		}
		return tx.UpdateClientName(ctx, clientID, c.Name, actor.UserID)
	})
	return p, err
}

// ClientCompanies lists the companies of a client, the primary one first.
// Errors: not found (CodeClientNotFound).
func (s *Service) ClientCompanies(ctx context.Context, actor Actor, clientID int64) ([]ClientCompany, error) {
	var out []ClientCompany
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		if _, err := tx.Contact(ctx, clientID); err != nil {
			return clientNotFound(err)
		}
		var err error
		out, err = tx.ClientCompanies(ctx, clientID)
		return err
	})
	return out, err
}

// AddClientCompany creates a company with its legal details and attaches it
// to a client; the client's first company becomes its primary one. The
// short name and the INN are required; INN, KPP, OGRN/OGRNIP, BIK and the
// accounts are checked by their lengths and check digits (legal.go).
// Errors: not found (CodeClientNotFound), invalid (each violation names the
// parameter and the rule it breaks).
func (s *Service) AddClientCompany(ctx context.Context, actor Actor, clientID int64, n NewClientCompany) (ClientCompany, error) {
	var v violations
	name := strings.TrimSpace(n.ShortName)
	if name == "" {
		v.rule(0, "short_name", ViolationRequired, RuleCompanyNameRequired, "The company short name is required.")
	}
	v.checkText(0, "short_name", name, MaxNameLength)
	n.LegalDetails.normalize()
	n.LegalDetails.validate(&v)
	var out ClientCompany
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if _, err := tx.Contact(ctx, clientID); err != nil {
			return clientNotFound(err)
		}
		if err := v.err(); err != nil {
			return err
		}
		existing, err := tx.ClientCompanies(ctx, clientID)
		if err != nil {
			return err
		}
		c := Company{Name: name, ResponsibleUserID: actor.UserID, CreatedBy: actor.UserID, UpdatedBy: actor.UserID}
		if err := tx.InsertCompany(ctx, &c); err != nil {
			return err
		}
		if err := tx.SetCompanyLegal(ctx, c.ID, n.LegalDetails); err != nil {
			return err
		}
		if err := tx.LinkClientCompany(ctx, clientID, c.ID, len(existing) == 0); err != nil {
			return err
		}
		by := Responsible{UserID: actor.UserID}
		if err := recordHistory(ctx, tx, EntityCompany, c.ID, LogCompanyCreated, HistoryData{Text: name}, by); err != nil {
			return err
		}
		if err := recordHistory(ctx, tx, EntityContact, clientID, LogContactLinked,
			HistoryData{Link: &HistoryLink{EntityType: EntityCompany, EntityID: c.ID}}, by); err != nil {
			return err
		}
		list, err := tx.ClientCompanies(ctx, clientID)
		if err != nil {
			return err
		}
		for _, cc := range list {
			if cc.ID == c.ID {
				out = cc
				return nil
			}
		}
		return fmt.Errorf("company %d of client %d not linked", c.ID, clientID)
	})
	return out, err
}

// MainCompanies names each client's primary company (else its first), as
// the clients list and its export show it, reading the page's links and
// companies in one batch each rather than a query per client.
func (s *Service) MainCompanies(ctx context.Context, actor Actor, clients []Client) (map[int64]string, error) {
	out := map[int64]string{}
	if len(clients) == 0 {
		return out, nil
	}
	ids := make([]int64, len(clients))
	for i, c := range clients {
		ids[i] = c.ID
	}
	cards, _, err := s.ContactCards(ctx, actor, ListQuery{IDs: ids, Limit: len(ids)}, CardWith{})
	if err != nil {
		return nil, err
	}
	first := map[int64]int64{}
	var companyIDs []int64
	for _, c := range cards {
		if len(c.CompanyIDs) > 0 {
			first[c.ID] = c.CompanyIDs[0]
			companyIDs = append(companyIDs, c.CompanyIDs[0])
		}
	}
	if len(companyIDs) == 0 {
		return out, nil
	}
	list, _, err := s.Companies(ctx, actor, ListQuery{IDs: companyIDs, Limit: len(companyIDs)})
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(list))
	for _, c := range list {
		names[c.ID] = c.Name
	}
	for client, company := range first {
		out[client] = names[company]
	}
	return out, nil
}
