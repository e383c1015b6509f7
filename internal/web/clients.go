package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Clients (/clients and /clients/{id}): Envybox's clients, which amoCRM
// calls contacts.
//
// The list searches the way Envybox's client/list does, through the same
// crm.ClientQuery keyword: a client's name, service and custom values,
// contact data, contact persons and deals' names, and a keyword written
// like a phone ("8 (999) 123-45-67") also as its normalised digits
// (crm.PhoneSearch), so any way of writing a number finds it. The card
// shows what crm.Client loads (contact data, persons, values, deals) plus
// the client's companies, and adds a company or a contact person through
// the same service calls client/addCompany and client/addContact make:
// their validation (the INN's check digits among it) is the domain's, and
// the web only words the broken rules in the user's language.

// clientsPerPage is the list's page size.
const clientsPerPage = 50

// clientRoutes registers the clients' routes.
func (h *handler) clientRoutes(mux *http.ServeMux) {
	mux.Handle("GET /clients", h.signedIn(h.clients))
	mux.Handle("GET /clients/{id}", h.signedIn(h.client))
	mux.Handle("POST /clients/{id}/companies", h.signedIn(h.addClientCompany))
	mux.Handle("POST /clients/{id}/persons", h.signedIn(h.addContactPerson))
}

// clientRow is one line of the clients list.
type clientRow struct {
	ID        int64
	Name      string
	Phone     contactItem
	Email     string
	Company   string
	CreatedAt time.Time
}

// clientsData is the clients list's content.
type clientsData struct {
	Query      string
	Rows       []clientRow
	Total      int
	FirstRow   int
	LastRow    int
	HasPrev    bool
	HasNext    bool
	PrevOffset int
	NextOffset int
}

// PageQuery is the list's query string at another offset. It is a
// template.URL because html/template would otherwise escape its "&" and
// "=" as data inside the link's query.
func (d clientsData) PageQuery(offset int) template.URL {
	q := url.Values{}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return template.URL(q.Encode())
}

func (h *handler) clients(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	v.Section, v.Title = "clients", v.T("nav.clients")
	q := r.URL.Query()
	data := clientsData{Query: strings.TrimSpace(q.Get("q"))}
	offset, err := queryOffset(v, q, "clients.bad_offset")
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	page, err := h.svc.Clients(ctx, v.Actor, crm.ClientQuery{Keyword: data.Query, Limit: clientsPerPage, Offset: offset})
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	companies, err := h.svc.MainCompanies(ctx, v.Actor, page.Clients)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	for _, c := range page.Clients {
		data.Rows = append(data.Rows, clientRow{ID: c.ID, Name: c.Name, Phone: phoneItem(v, "phone", c.Phone(), ""),
			Email: c.Email(), Company: companies[c.ID], CreatedAt: c.CreatedAt})
	}
	data.Total = page.Total
	data.FirstRow, data.LastRow = offset+1, offset+len(data.Rows)
	data.HasPrev, data.PrevOffset = offset > 0, max(0, offset-clientsPerPage)
	data.HasNext, data.NextOffset = data.LastRow < data.Total, offset+clientsPerPage
	h.render(w, r, http.StatusOK, "clients", v, data)
}

// contactItem is one phone, email, messenger or note of a client or a
// contact person, ready for the page: its label, the text shown and the
// links a phone (tel:, WhatsApp) or an email (mailto:) gets.
type contactItem struct {
	Label string
	Text  string
	// Digits is a phone's number, country code first, for the tel: and
	// wa.me links; "" for anything else.
	Digits string
	Email  string
}

// phoneItem is a phone to show and call: stored phones are digits
// (crm.NormalizePhone), shown as +7(499)322-97-10.
func phoneItem(v *view, kind, value, addon string) contactItem {
	it := contactItem{Label: v.T(kindKey(kind))}
	digits := onlyDigits(value)
	if digits == "" {
		it.Text = value
		return it
	}
	it.Digits, it.Text = digits, crm.FormatPhone(digits)
	if addon != "" {
		it.Text += " " + v.T("clients.ext", addon)
	}
	return it
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// kindKey is the message naming a contact data kind; kinds the catalog
// does not know are shown by the "other" label.
func kindKey(kind string) string {
	if key := "clients.kind." + kind; hasMessage(key) {
		return key
	}
	return "clients.kind.other"
}

// contactItems turns contact data rows into what the page shows: phones,
// emails and the rest (messengers, position, note), in their stored order.
func contactItems(v *view, rows []crm.ContactData) (phones, emails, other []contactItem) {
	for _, d := range rows {
		switch {
		case crm.IsPhoneKind(d.Kind):
			phones = append(phones, phoneItem(v, d.Kind, d.Value, d.Addon))
		case crm.IsEmailKind(d.Kind):
			emails = append(emails, contactItem{Label: v.T(kindKey(d.Kind)), Text: d.Value, Email: d.Value})
		default:
			other = append(other, contactItem{Label: v.T(kindKey(d.Kind)), Text: d.Value})
		}
	}
	return phones, emails, other
}

// personView is a contact person with their contact data.
type personView struct {
	Person   crm.ContactPerson
	Phones   []contactItem
	Emails   []contactItem
	Other    []contactItem
	Birthday string
}

// fieldRow is a service or custom field value as the card shows it.
type fieldRow struct {
	Name  string
	Value string
}

// companyForm and personForm keep what a refused form was sent with, so
// that the card shows it again beside the error.
type companyForm struct {
	Name, INN string
	Error     string
}

type personForm struct {
	Name, Phone, Email, Position string
	Error                        string
}

// clientData is the client card's content.
type clientData struct {
	Client    crm.Client
	Phones    []contactItem
	Emails    []contactItem
	Other     []contactItem
	Values    []fieldRow
	Persons   []personView
	Companies []crm.ClientCompany
	Deals     []crm.Deal
	Company   companyForm
	Person    personForm
}

func (h *handler) client(w http.ResponseWriter, r *http.Request, v *view) {
	data, err := h.clientCard(r.Context(), r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "client", v, data)
}

// clientCard reads the client of the path for its card.
func (h *handler) clientCard(ctx context.Context, r *http.Request, v *view) (clientData, error) {
	v.Section, v.Title = "clients", v.T("nav.clients")
	id, err := pathID(r, v)
	if err != nil {
		return clientData{}, err
	}
	c, err := h.svc.Client(ctx, v.Actor, id)
	if err != nil {
		return clientData{}, clientError(v, err)
	}
	companies, err := h.svc.ClientCompanies(ctx, v.Actor, id)
	if err != nil {
		return clientData{}, clientError(v, err)
	}
	v.Title = c.Name
	data := clientData{Client: c, Companies: companies, Deals: c.Deals}
	// A row's Group is the contact person it belongs to; 0 is the client's
	// own.
	byPerson := map[int64][]crm.ContactData{}
	var own []crm.ContactData
	for _, d := range c.ContactData {
		if d.Group == 0 {
			own = append(own, d)
		} else {
			byPerson[d.Group] = append(byPerson[d.Group], d)
		}
	}
	data.Phones, data.Emails, data.Other = contactItems(v, own)
	for _, p := range c.Persons {
		pv := personView{Person: p}
		pv.Phones, pv.Emails, pv.Other = contactItems(v, byPerson[p.ID])
		if b, err := time.Parse(time.DateOnly, p.Birthday); err == nil {
			pv.Birthday = v.Date(time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, v.Location()))
		}
		data.Persons = append(data.Persons, pv)
	}
	for _, sv := range c.Values {
		if sv.FieldID == crm.FieldClientName || strings.TrimSpace(sv.Value) == "" {
			continue // the name is the card's heading
		}
		name := v.T("clients.field.other")
		switch sv.FieldID {
		case crm.FieldClientRegion:
			name = v.T("clients.field.region")
		case crm.FieldClientTimeZone:
			name = v.T("clients.field.time_zone")
		default:
			if f, ok := crm.ServiceFieldByID(crm.EntityContact, sv.FieldID); ok {
				name = f.Name
			}
		}
		data.Values = append(data.Values, fieldRow{Name: name, Value: sv.Value})
	}
	for _, fv := range c.Fields {
		if text := fieldText(v, fv); text != "" {
			data.Values = append(data.Values, fieldRow{Name: fv.FieldName, Value: text})
		}
	}
	return data, nil
}

// fieldText writes a custom field's values as text: dates in the
// account's zone, checkboxes as yes/no, the rest as stored (a list's
// options are stored as their texts).
func fieldText(v *view, fv crm.FieldValue) string {
	var parts []string
	for _, val := range fv.Values {
		var s string
		switch fv.FieldType {
		case crm.FieldDate:
			if n := val.Unix(); n != 0 {
				s = v.Date(time.Unix(n, 0))
			}
		case crm.FieldDateTime:
			if n := val.Unix(); n != 0 {
				s = v.Time(time.Unix(n, 0))
			}
		case crm.FieldCheckbox:
			s = v.T("clients.no")
			if val.Bool() {
				s = v.T("clients.yes")
			}
		default:
			s = strings.TrimSpace(val.Text)
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// addClientCompany adds a company with its INN to a client
// (crm.Service.AddClientCompany, as Envybox's client/addCompany).
func (h *handler) addClientCompany(w http.ResponseWriter, r *http.Request, v *view) {
	form := companyForm{Name: strings.TrimSpace(r.PostFormValue("name")), INN: strings.TrimSpace(r.PostFormValue("inn"))}
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	n := crm.NewClientCompany{ShortName: form.Name}
	n.INN = form.INN
	cc, err := h.svc.AddClientCompany(r.Context(), v.Actor, id, n)
	if err != nil {
		err = clientError(v, err)
		form.Error = errorMessage(err)
		h.refuseClientForm(w, r, v, err, func(d *clientData) { d.Company = form })
		return
	}
	h.clientFormDone(w, r, v, id, cc.ID, v.T("clients.company_added", cc.Name))
}

// addContactPerson adds a contact person to a client
// (crm.Service.AddContactPerson, as Envybox's client/addContact).
func (h *handler) addContactPerson(w http.ResponseWriter, r *http.Request, v *view) {
	form := personForm{Name: strings.TrimSpace(r.PostFormValue("name")), Phone: strings.TrimSpace(r.PostFormValue("phone")),
		Email: strings.TrimSpace(r.PostFormValue("email")), Position: strings.TrimSpace(r.PostFormValue("position"))}
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	p, err := h.svc.AddContactPerson(r.Context(), v.Actor, id,
		crm.NewContactPerson{Name: form.Name, Phone: form.Phone, Email: form.Email, Position: form.Position})
	if err != nil {
		err = clientError(v, err)
		form.Error = errorMessage(err)
		h.refuseClientForm(w, r, v, err, func(d *clientData) { d.Person = form })
		return
	}
	h.clientFormDone(w, r, v, id, p.ID, v.T("clients.person_added", p.Name))
}

// clientFormDone answers a form the domain accepted: JSON for the page's
// script (which reloads the card to show the new row), else a redirect
// back to the card.
func (h *handler) clientFormDone(w http.ResponseWriter, r *http.Request, v *view, clientID, id int64, message string) {
	if isFetch(r) {
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "message": message, "reload": true})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/clients/%d", clientID), http.StatusSeeOther)
}

// refuseClientForm answers a form the domain refused. The page's script
// gets {"error": ...}; a browser without it gets the card again with the
// error beside the form and what was typed kept. An error that is not
// about the input (the client is gone) is an error page.
func (h *handler) refuseClientForm(w http.ResponseWriter, r *http.Request, v *view, err error, keep func(*clientData)) {
	if isFetch(r) || crm.KindOf(err) != crm.KindInvalid {
		h.renderError(w, r, v, err)
		return
	}
	data, cardErr := h.clientCard(r.Context(), r, v)
	if cardErr != nil {
		h.renderError(w, r, v, cardErr)
		return
	}
	keep(&data)
	h.render(w, r, errorStatus(err), "client", v, data)
}

// clientError words the client errors the domain gives as codes or rules
// in the user's language: a missing client, and each broken validation
// rule of a company or a contact person. Violations without a rule the
// catalog knows keep the domain's (English) detail, after the field's
// name.
func clientError(v *view, err error) error {
	e, ok := crm.AsError(err)
	if !ok {
		return err
	}
	switch e.Code {
	case crm.CodeClientNotFound:
		return crm.Errorf(e.Kind, "%s", v.T("clients.not_found"))
	case "":
	default:
		return err
	}
	if len(e.Violations) == 0 {
		return err
	}
	var parts []string
	for _, vio := range e.Violations {
		parts = append(parts, violationText(v, vio))
	}
	return crm.Errorf(e.Kind, "%s", strings.Join(parts, " "))
}

// hasMessage reports whether the catalogs define a key.
func hasMessage(key string) bool {
	_, ok := messages[key]
	return ok
}

// violationText is one broken rule in the user's language.
func violationText(v *view, vio crm.Violation) string {
	if vio.Rule != "" {
		if key := "clients.rule." + string(vio.Rule); hasMessage(key) {
			args := make([]any, len(vio.Args))
			for i, a := range vio.Args {
				args[i] = a
			}
			return v.T(key, args...)
		}
	}
	field := vio.Path
	if key := "clients.param." + vio.Path; hasMessage(key) {
		field = v.T(key)
	}
	switch vio.Code {
	case crm.ViolationTooLong:
		return v.T("clients.too_long", field)
	case crm.ViolationEncoding, crm.ViolationControl:
		return v.T("clients.bad_text", field)
	}
	detail := vio.Detail
	if detail == "" {
		detail = strings.ReplaceAll(vio.Code, "_", " ")
	}
	return field + ": " + detail
}

var clientMessages = catalog{
	"clients.search_hint":     {"Name, phone or email", "Имя, телефон или email"},
	"clients.found":           {"Clients found: %s", "Найдено клиентов: %s"},
	"clients.total":           {"Clients: %s", "Всего клиентов: %s"},
	"clients.none":            {"No clients yet.", "Клиентов пока нет."},
	"clients.none_found":      {"No client matches “%s”.", "По запросу «%s» клиентов не найдено."},
	"clients.bad_offset":      {"The page number in the address is not understood.", "Номер страницы в адресе задан неверно."},
	"clients.not_found":       {"No such client.", "Такого клиента нет."},
	"clients.back":            {"All clients", "Все клиенты"},
	"clients.contacts":        {"Contacts", "Контакты"},
	"clients.no_contacts":     {"No phones or emails.", "Телефонов и email нет."},
	"clients.whatsapp":        {"WhatsApp", "WhatsApp"},
	"clients.whatsapp_to":     {"Write to %s on WhatsApp", "Написать на %s в WhatsApp"},
	"clients.call":            {"Call %s", "Позвонить на %s"},
	"clients.ext":             {"ext. %s", "доб. %s"},
	"clients.yes":             {"Yes", "Да"},
	"clients.no":              {"No", "Нет"},
	"clients.persons":         {"Contact persons", "Контактные лица"},
	"clients.no_persons":      {"No contact persons.", "Контактных лиц нет."},
	"clients.birthday":        {"Birthday", "День рождения"},
	"clients.add_person":      {"Add contact person", "Добавить контактное лицо"},
	"clients.person_name":     {"Name", "Имя"},
	"clients.person_hint":     {"A phone or an email is required.", "Нужен телефон или email."},
	"clients.person_added":    {"Contact person “%s” added.", "Контактное лицо «%s» добавлено."},
	"clients.companies":       {"Companies", "Компании"},
	"clients.no_companies":    {"No companies.", "Компаний нет."},
	"clients.primary":         {"main", "основная"},
	"clients.inn":             {"INN", "ИНН"},
	"clients.kpp":             {"KPP", "КПП"},
	"clients.ogrn":            {"OGRN", "ОГРН"},
	"clients.full_name":       {"Full name", "Полное наименование"},
	"clients.company_name":    {"Company name", "Название компании"},
	"clients.inn_hint":        {"10 digits for an organisation, 12 for a sole proprietor.", "10 цифр для организации, 12 — для ИП."},
	"clients.add":             {"Add", "Добавить"},
	"clients.add_company":     {"Add company", "Добавить компанию"},
	"clients.company_added":   {"Company “%s” added.", "Компания «%s» добавлена."},
	"clients.deals":           {"Deals", "Сделки"},
	"clients.no_deals":        {"No deals.", "Сделок нет."},
	"clients.too_long":        {"%s: the text is too long.", "%s: слишком длинный текст."},
	"clients.bad_text":        {"%s: the text holds characters that cannot be stored.", "%s: текст содержит недопустимые символы."},
	"clients.field.region":    {"Region", "Регион"},
	"clients.field.time_zone": {"Time zone", "Часовой пояс"},
	"clients.field.other":     {"Field", "Поле"},

	"clients.kind.phone":         {"Phone", "Телефон"},
	"clients.kind.work_phone":    {"Work phone", "Рабочий телефон"},
	"clients.kind.mobile_phone":  {"Mobile phone", "Мобильный телефон"},
	"clients.kind.home_phone":    {"Home phone", "Домашний телефон"},
	"clients.kind.fax":           {"Fax", "Факс"},
	"clients.kind.other_phone":   {"Other phone", "Другой телефон"},
	"clients.kind.email":         {"Email", "Email"},
	"clients.kind.private_email": {"Personal email", "Личный email"},
	"clients.kind.other_email":   {"Other email", "Другой email"},
	"clients.kind.viber":         {"Viber", "Viber"},
	"clients.kind.whatsapp":      {"WhatsApp", "WhatsApp"},
	"clients.kind.telegram":      {"Telegram", "Telegram"},
	"clients.kind.instagram":     {"Instagram", "Instagram"},
	"clients.kind.vkontakte":     {"VK", "ВКонтакте"},
	"clients.kind.facebook":      {"Facebook", "Facebook"},
	"clients.kind.skype":         {"Skype", "Skype"},
	"clients.kind.position":      {"Position", "Должность"},
	"clients.kind.note":          {"Note", "Примечание"},
	"clients.kind.other":         {"Contact", "Контакт"},

	// The form fields the domain's violations name (their paths are the
	// Envybox parameters).
	"clients.param.name":       {"Name", "Имя"},
	"clients.param.short_name": {"Company name", "Название компании"},
	"clients.param.inn":        {"INN", "ИНН"},
	"clients.param.phone":      {"Phone", "Телефон"},
	"clients.param.email":      {"Email", "Email"},
	"clients.param.position":   {"Position", "Должность"},

	// The domain's rules for clients, contact persons and companies
	// (crm.Rule*), worded for people rather than API clients.
	"clients.rule.phone_digits":           {"A phone must contain digits.", "Телефон должен содержать цифры."},
	"clients.rule.email_invalid":          {"The email is malformed.", "Email указан неверно."},
	"clients.rule.contact_name_required":  {"Enter the contact person's name.", "Укажите имя контактного лица."},
	"clients.rule.contact_phone_or_email": {"Enter a phone or an email of the contact person.", "Укажите телефон или email контактного лица."},
	"clients.rule.birthday_format":        {"The birthday must be a date (YYYY-MM-DD).", "День рождения должен быть датой (ГГГГ-ММ-ДД)."},
	"clients.rule.work_phone_required":    {"Enter the work phone number.", "Укажите номер рабочего телефона."},
	"clients.rule.company_name_required":  {"Enter the company name.", "Укажите название компании."},
	"clients.rule.inn_required":           {"Enter the INN.", "Укажите ИНН."},
	"clients.rule.inn_length": {"An INN must be 10 digits (an organisation) or 12 (a sole proprietor or an individual).",
		"ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП, физическое лицо)."},
	"clients.rule.inn_check_digit":  {"The INN is wrong: its check digit does not match.", "ИНН указан неверно: не сходится контрольная цифра."},
	"clients.rule.inn_check_digits": {"The INN is wrong: its check digits do not match.", "ИНН указан неверно: не сходятся контрольные цифры."},
}
