package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// newClient creates a client through the domain, as client/create does.
func (m *member) newClient(t testing.TB, name string, phones, emails []string) crm.Client {
	t.Helper()
	c, err := m.service().CreateClient(context.Background(), m.Actor, crm.NewClient{Name: name, Phones: phones, Emails: emails})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rowsOf counts the elements whose id starts with prefix ("client-").
func rowsOf(body, prefix string) int { return strings.Count(body, `id="`+prefix) }

// TestClientsListAndSearch: the list, its pager and total, and the search
// by name, by a phone written another way and by email; another
// account's clients never show.
func TestClientsListAndSearch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Clients")
		m.signIn(t)
		ivan := m.newClient(t, "Ivan Petrov", []string{"+7 999 123-45-67"}, []string{"Ivan.Petrov@Example.com"})
		if _, err := m.service().AddClientCompany(ctx, m.Actor, ivan.ID, crm.NewClientCompany{ShortName: "Petrov & Sons",
			LegalDetails: crm.LegalDetails{INN: "7707083893"}}); err != nil {
			t.Fatal(err)
		}
		m.newClient(t, "Maria Sidorova", []string{"8 (495) 000-11-22"}, []string{"maria@example.org"})
		for i := range 53 {
			m.newClient(t, fmt.Sprintf("Filler %02d", i), nil, nil)
		}
		other := newAccount(t, env, "Other")
		other.newClient(t, "Ivan Stranger", []string{"+7 999 123-45-67"}, nil)

		// The whole list: 55 clients, 50 on the first page, newest first.
		p := m.get(t, "/clients")
		expect(t, p, http.StatusOK, "Clients: 55", `aria-current="page">Clients`, "1–50 of 55",
			`href="/clients?offset=50"`, `<label for="clients-q">`)
		if n := rowsOf(p.Body, "client-"); n != 50 {
			t.Errorf("first page: %d rows", n)
		}
		if strings.Contains(p.Body, "Stranger") {
			t.Error("another account's client is listed")
		}
		p = m.get(t, "/clients?offset=50")
		expect(t, p, http.StatusOK, "51–55 of 55", `href="/clients"`, "Ivan Petrov", "Maria Sidorova",
			fmt.Sprintf(`href="/clients/%d"`, ivan.ID), `href="tel:+79991234567"`, `href="mailto:ivan.petrov@example.com"`,
			"Petrov &amp; Sons", `data-label="Phone"`)
		if n := rowsOf(p.Body, "client-"); n != 5 {
			t.Errorf("second page: %d rows", n)
		}

		// Search: by name, by the phone in other formats, by email; each
		// finds Ivan alone.
		for _, q := range []string{"petrov", "8 (999) 123-45-67", "+7 999 1234567", "89991234567", "IVAN.PETROV@example.COM"} {
			p := m.get(t, "/clients?q="+url.QueryEscape(q))
			expect(t, p, http.StatusOK, "Clients found: 1", fmt.Sprintf(`id="client-%d"`, ivan.ID))
			if n := rowsOf(p.Body, "client-"); n != 1 {
				t.Errorf("search %q: %d rows", q, n)
			}
			if strings.Contains(p.Body, "Stranger") {
				t.Errorf("search %q found another account's client", q)
			}
		}
		p = m.get(t, "/clients?q="+url.QueryEscape("4950001122"))
		expect(t, p, http.StatusOK, "Maria Sidorova")
		p = m.get(t, "/clients?q=nobody-like-this")
		expect(t, p, http.StatusOK, "Clients found: 0", "No client matches “nobody-like-this”.")

		// A search's pager keeps the search.
		p = m.get(t, "/clients?q=filler")
		expect(t, p, http.StatusOK, "Clients found: 53", `href="/clients?offset=50&amp;q=filler"`)
		expect(t, m.get(t, "/clients?offset=-1"), http.StatusUnprocessableEntity)

		// Russian.
		p = m.do(t, http.MethodGet, "/clients?q=petrov", nil, "Accept-Language", "ru")
		expect(t, p, http.StatusOK, "Найдено клиентов: 1", "Клиенты")
	})
}

// TestClientCard: the card's contacts with tel:, WhatsApp and mailto:
// links, its persons, companies, values and deals, every name escaped; and
// another account's client is not found.
func TestClientCard(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Card")
		m.signIn(t)
		svc := m.service()
		c := m.newClient(t, `<script>alert("x")</script> & Co`, []string{"8 (916) 555-44-33"}, []string{"Boss@Example.com"})
		if _, err := svc.AddContactPerson(ctx, m.Actor, c.ID, crm.NewContactPerson{Name: "<i>Olga</i>", Phone: "+7 903 111-22-33",
			Email: "olga@example.com", Position: "Buyer"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddClientCompany(ctx, m.Actor, c.ID, crm.NewClientCompany{ShortName: `"Horns & Hooves"`,
			LegalDetails: crm.LegalDetails{INN: "7707083893", FullName: "LLC Horns and Hooves"}}); err != nil {
			t.Fatal(err)
		}
		name := "Source"
		fields, err := svc.AddCustomFields(ctx, m.Actor, crm.EntityContact, []crm.NewCustomField{{Name: &name, Type: crm.FieldText}})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.UpdateClientValues(ctx, m.Actor, c.ID, crm.Responsible{}, []crm.FieldWrite{
			{FieldID: crm.FieldClientRegion, Service: true, Value: "Tula"},
			{FieldID: fields[0].ID, Value: "<b>Exhibition</b>"},
		}); err != nil {
			t.Fatal(err)
		}
		deal, err := svc.CreateDeal(ctx, m.Actor, crm.NewDeal{Name: "<img src=x onerror=alert(1)> order", ClientID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		price := int64(125000)
		if _, err := svc.UpdateLeads(ctx, m.Actor, []crm.LeadInput{{ID: deal.ID, Price: &price}}); err != nil {
			t.Fatal(err)
		}

		p := m.get(t, fmt.Sprintf("/clients/%d", c.ID))
		expect(t, p, http.StatusOK,
			`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co`,
			`href="tel:+79165554433"`, `&#43;7(916)555-44-33`, `href="https://wa.me/79165554433"`,
			`href="mailto:boss@example.com"`,
			`&lt;i&gt;Olga&lt;/i&gt;`, `href="tel:+79031112233"`, `href="https://wa.me/79031112233"`, `href="mailto:olga@example.com"`, "Buyer",
			`&#34;Horns &amp; Hooves&#34;`, "LLC Horns and Hooves", "7707083893",
			"Region", "Tula", "Source", "&lt;b&gt;Exhibition&lt;/b&gt;",
			fmt.Sprintf(`href="/deals/%d"`, deal.ID), "&lt;img src=x onerror=alert(1)&gt; order", deal.Stage.Name, "₽125,000",
			`<label for="company-name">`, `<label for="company-inn">`, `<label for="person-name">`, `<label for="person-phone">`,
			`<label for="person-email">`, `id="add-company"`, `id="add-person"`)
		for _, raw := range []string{`<script>alert`, `<i>Olga`, `<b>Exhibition`, `<img src=x`} {
			if strings.Contains(p.Body, raw) {
				t.Errorf("the card holds raw HTML %q", raw)
			}
		}
		if strings.Contains(p.Body, "ZgotmplZ") {
			t.Error("a link was refused by html/template")
		}

		other := newAccount(t, env, "Someone else")
		other.signIn(t)
		expect(t, other.get(t, fmt.Sprintf("/clients/%d", c.ID)), http.StatusNotFound, "No such client.")
		expect(t, other.get(t, "/clients/abc"), http.StatusNotFound)
		expect(t, m.get(t, "/clients/999999"), http.StatusNotFound, "No such client.")
	})
}

// TestClientCompanies: a company with a bad INN is refused with the
// domain's rule, worded in the user's language, and nothing is added; a
// good one is added and shown; another account's client cannot get one.
func TestClientCompanies(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Companies")
		m.signIn(t)
		c := m.newClient(t, "Buyer", []string{"+79990001122"}, nil)
		path := fmt.Sprintf("/clients/%d/companies", c.ID)
		companies := func() []crm.ClientCompany {
			t.Helper()
			list, err := m.service().ClientCompanies(ctx, m.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return list
		}

		// A form: the card again, with the error and what was typed.
		p := m.post(t, path, url.Values{"name": {"Bad INN Ltd"}, "inn": {"1234567890"}})
		expect(t, p, http.StatusUnprocessableEntity, "The INN is wrong: its check digit does not match.",
			`value="Bad INN Ltd"`, `value="1234567890"`, `id="add-company-error"`)
		// The page's script: JSON, in Russian for a Russian user.
		p = m.post(t, path, url.Values{"name": {"Bad INN Ltd"}, "inn": {"12345"}}, "X-Requested-With", "fetch", "Accept-Language", "ru")
		expect(t, p, http.StatusUnprocessableEntity, `"error":"ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП, физическое лицо)."`)
		p = m.post(t, path, url.Values{"name": {""}, "inn": {""}}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusUnprocessableEntity, "Enter the company name.", "Enter the INN.")
		if list := companies(); len(list) != 0 {
			t.Fatalf("a refused company was added: %+v", list)
		}

		// A good INN: back to the card, which shows it.
		p = m.post(t, path, url.Values{"name": {"Sber <Bank>"}, "inn": {" 7707083893 "}})
		if p.Status != http.StatusSeeOther || p.Location != fmt.Sprintf("/clients/%d", c.ID) {
			t.Fatalf("add company: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		list := companies()
		if len(list) != 1 || list[0].INN != "7707083893" || list[0].Name != "Sber <Bank>" || !list[0].Primary {
			t.Fatalf("companies: %+v", list)
		}
		expect(t, m.get(t, fmt.Sprintf("/clients/%d", c.ID)), http.StatusOK,
			fmt.Sprintf(`id="company-%d"`, list[0].ID), "Sber &lt;Bank&gt;", "7707083893", "main")
		// A 12-digit INN of a sole proprietor, through the script.
		p = m.post(t, path, url.Values{"name": {"IP Ivanov"}, "inn": {"500100732259"}}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusOK, `"message":"Company “IP Ivanov” added."`, `"reload":true`)
		if n := len(companies()); n != 2 {
			t.Errorf("%d companies after the second", n)
		}
		// The companies list shows the primary company.
		expect(t, m.get(t, "/clients?q=buyer"), http.StatusOK, "Sber &lt;Bank&gt;")

		// Another account's client: not found, nothing added.
		other := newAccount(t, env, "Other")
		other.signIn(t)
		p = other.post(t, path, url.Values{"name": {"Intruder"}, "inn": {"7707083893"}})
		expect(t, p, http.StatusNotFound, "No such client.")
		p = other.post(t, path, url.Values{"name": {"Intruder"}, "inn": {"7707083893"}}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusNotFound, `"error":"No such client."`)
		if n := len(companies()); n != 2 {
			t.Errorf("%d companies after another account's attempt", n)
		}
	})
}

// TestClientPersons: adding a contact person, and the domain's refusal of
// one with neither a phone nor an email.
func TestClientPersons(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Persons")
		m.signIn(t)
		c := m.newClient(t, "Shop", nil, nil)
		path := fmt.Sprintf("/clients/%d/persons", c.ID)

		p := m.post(t, path, url.Values{"name": {"Anna"}})
		expect(t, p, http.StatusUnprocessableEntity, "Enter a phone or an email of the contact person.", `value="Anna"`)
		p = m.post(t, path, url.Values{"name": {"Anna"}, "email": {"not an email"}}, "X-Requested-With", "fetch", "Accept-Language", "ru")
		expect(t, p, http.StatusUnprocessableEntity, `"error":"Email указан неверно."`)

		p = m.post(t, path, url.Values{"name": {"Anna"}, "phone": {"8 (912) 345-67-89"}, "position": {"Manager"}})
		if p.Status != http.StatusSeeOther || p.Location != fmt.Sprintf("/clients/%d", c.ID) {
			t.Fatalf("add person: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		p = m.post(t, path, url.Values{"name": {"Boris"}, "email": {"Boris@Example.com"}}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusOK, `"message":"Contact person “Boris” added."`)

		got, err := m.service().Client(ctx, m.Actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Persons) != 2 || got.Persons[0].Name != "Anna" || got.Persons[1].Name != "Boris" {
			t.Fatalf("persons: %+v", got.Persons)
		}
		expect(t, m.get(t, fmt.Sprintf("/clients/%d", c.ID)), http.StatusOK,
			fmt.Sprintf(`id="person-%d"`, got.Persons[0].ID), "Anna", `href="tel:+79123456789"`, "Manager",
			"Boris", `href="mailto:boris@example.com"`)

		other := newAccount(t, env, "Other")
		other.signIn(t)
		expect(t, other.post(t, path, url.Values{"name": {"X"}, "phone": {"+79990000000"}}), http.StatusNotFound)
	})
}
