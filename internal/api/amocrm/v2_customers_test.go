package amocrm_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of amoCRM API v2 customers (seed 001) on SQLite and
// PostgreSQL. A customer as the seed's list example shows one is a golden
// file, testdata/v2_customer_*.golden.json.

// The seed's example bodies, verbatim but for the ids, which are replaced
// with ids of this account.
const (
	seedV2Add = `{"add":[{"name":"Ecosports LLC","next_date":"1508878800","created_at":"1508533200",
"responsible_user_id":"504141","created_by":"504141","next_price":"5000","periodicity":"7",
"tags":"sales, markers","period_id":"15489654","contacts_id":["496531"],"company_id":"475621",
"custom_fields":[{"id":"4400017","values":[{"value":"A very important customer"}]},
{"id":"4400021","values":["3692471","3692472"]},
{"id":"4399655","values":[{"value":"Madison st, 1","subtype":"address_line_1"},{"value":"Washington","subtype":"city"},
{"value":"20011","subtype":"zip"},{"value":"US","subtype":"country"}]}]}]}`

	seedV2Update = `{"update":[{"id":"466791","updated_at":"1508619600","next_date":"1508878800","next_price":"1508706000",
"custom_fields":[{"id":"4400021","values":["3692471","3692472","3692473"]}]}]}`

	seedV2Delete = `{"delete":["466812","466811","466891"]}`
)

// v2Masks mask a v2 customer's time of change, which is now.
var v2Masks = []crmtest.Mask{crmtest.MaskPath("updated_at", "time")}

// seedV2Account is an account with the records the seed's examples name.
type seedV2Account struct {
	account
	remarks, multi, address int64
	enums                   map[string]int64 // multiselect enum ids by value "1".."5"
	contact, company        int64
	period                  int64
}

func newSeedV2Account(t testing.TB, env *crmtest.Env) *seedV2Account {
	t.Helper()
	s := &seedV2Account{account: newV2Account(t, env, "Seed 001", "")}
	s.remarks, _ = addField(t, env, s.account, "Remarks", crm.FieldText)
	s.multi, s.enums = addField(t, env, s.account, "Multi-select", crm.FieldMultiselect, "1", "2", "3", "4", "5")
	s.address, _ = addField(t, env, s.account, "Address", crm.FieldSmartAddress)
	s.contact = addContact(t, env, s.account, "Catherine")
	s.company = addCompany(t, env, s.account, "SpetsGorStroy LLC")
	s.period = v2PeriodID(t, s.api, "before")
	return s
}

// replace substitutes the seed's ids: enum 3692469+k is value k+1.
func (s *seedV2Account) replace(body string, extra ...string) string {
	pairs := []string{
		"504141", itoa(s.UserID), "15489654", itoa(s.period), "496531", itoa(s.contact),
		"475621", itoa(s.company), "4400017", itoa(s.remarks), "4400021", itoa(s.multi),
		"4399655", itoa(s.address),
	}
	for k := 0; k < 5; k++ {
		pairs = append(pairs, itoa(3692469+int64(k)), itoa(s.enums[fmt.Sprint(k+1)]))
	}
	return strings.NewReplacer(append(extra, pairs...)...).Replace(body)
}

// writeItem is an add or update item of v2's answer: exactly id, request_id
// and _links, with the self link to GET ?id=.
func writeItem(id int64, requestID any) map[string]any {
	return map[string]any{"id": id, "request_id": requestID, "_links": selfLink(v2CustomersPath+"?id="+itoa(id), "get")}
}

// fieldOf is the path of a v2 customer's custom_fields entry with the id.
func fieldOf(id int64) string { return "custom_fields.id=" + itoa(id) }

// v2Field is a v2 custom_fields entry: id, name, values, is_system false.
func v2Field(id int64, name string, values ...map[string]any) map[string]any {
	return map[string]any{"id": id, "name": name, "values": values, "is_system": false}
}

// TestV2CustomersSeedExamples replays seed 001's customer examples: the
// add with every field, the update, the list filtered by creation date and
// the delete, checking every field of every shape.
func TestV2CustomersSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		s := newSeedV2Account(t, env)
		start := time.Now().Unix()

		// Add: one item, request_id 0 (the index, as a number).
		emb := v2OK(t, s.api.Post(t, v2CustomersPath, s.replace(seedV2Add)), v2CustomersPath, "post").Keys("", "items")
		id := emb.Int("items.0.id")
		emb.Equal("items", []any{writeItem(id, 0)})

		// The customer as the list example shows one, field by field: the
		// seed's values, the token's user, the contact as main contact, the
		// two tags, the three fields, the company, the period.
		c := v2Customer(t, s.api, id).Golden("v2_customer_seed", v2Masks...)
		if u := c.Int("updated_at"); u < start-2 || u > time.Now().Unix()+2 {
			t.Errorf("updated_at %d, want now", u)
		}

		// Update: request_id is the customer's id; the based-on updated_at is
		// the one just read (the seed's 1508619600 is older than this record).
		body := s.replace(seedV2Update, "466791", itoa(id), "1508619600", itoa(c.Int("updated_at")))
		v2OK(t, s.api.Post(t, v2CustomersPath, body), v2CustomersPath, "post").Keys("", "items").Equal("items", []any{writeItem(id, id)})
		c2 := v2Customer(t, s.api, id).
			Equal("next_price", 1508706000).Equal("next_date", 1508878800).Equal("name", "Ecosports LLC").
			Equal(fieldOf(s.multi), v2Field(s.multi, "Multi-select",
				map[string]any{"value": "3", "enum": itoa(s.enums["3"])},
				map[string]any{"value": "4", "enum": itoa(s.enums["4"])},
				map[string]any{"value": "5", "enum": itoa(s.enums["5"])})).
			Equal(fieldOf(s.remarks), v2Field(s.remarks, "Remarks", map[string]any{"value": "A very important customer"}))
		if c2.Int("updated_at") <= c.Int("updated_at") {
			t.Errorf("updated_at did not move on: %v -> %v", c.At("updated_at"), c2.At("updated_at"))
		}

		// The list example: created on or after 10.10.2017.
		other := v2AddCustomer(t, s.api, `"name":"Made today","next_date":"1508878800"`)
		crmtest.Equal(t, "filter[date][from]=10.10.2017", v2Customers(t, s.api, "?filter[date][type]=create&filter[date][from]=10.10.2017"), []int64{id, other})
		loc, _ := time.LoadLocation(crm.DefaultTimeZone)
		today := time.Now().In(loc).Format("02.01.2006")
		crmtest.Equal(t, "filter[date][from]=today", v2Customers(t, s.api, "?filter[date][type]=create&filter[date][from]="+today), []int64{other})

		// Delete: two named customers and an unknown id.
		e1 := v2AddCustomer(t, s.api, `"name":"Elizabeth","next_date":1508878800`)
		e2 := v2AddCustomer(t, s.api, `"name":"Jennifer","next_date":1508878800`)
		body = strings.NewReplacer("466812", itoa(e1), "466811", itoa(e2), "466891", "999999999").Replace(seedV2Delete)
		v2OK(t, s.api.Post(t, v2CustomersPath, body), v2CustomersPath, "post").
			Equal("", map[string]any{"items": map[string]any{"deleted": []any{
				map[string]any{"id": e1, "name": "Elizabeth"}, map[string]any{"id": e2, "name": "Jennifer"}}}})
		v2NoContent(t, s.api.Get(t, v2CustomersPath+"?id="+itoa(e1)))
		crmtest.Equal(t, "after delete", v2Customers(t, s.api, ""), []int64{id, other})
	})
}

// TestV2CustomersWriteForms: request_id echoes, numbers as numbers or
// strings, several items, mixed add/update/delete, links and unlink, tags
// replaced and cleared, select values by enum, bare values of text fields.
func TestV2CustomersWriteForms(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		s := newSeedV2Account(t, env)
		sel, selEnums := addField(t, env, s.account, "Select", crm.FieldSelect, "red", "green")
		c2 := addContact(t, env, s.account, "Second")

		// Two adds: the first with its own request_id, the second with none.
		body := fmt.Sprintf(`{"add":[{"request_id":"mine","name":"A","next_date":1508878800,"contacts_id":[%d,"%d"],
			"custom_fields":[{"id":%d,"values":[{"value":"x","enum":"%d"}]},{"id":%d,"values":["plain text"]}]},
			{"name":"B","next_date":"1508878800","responsible_user_id":%d,"tags":["t1","t2"]}]}`,
			s.contact, c2, sel, selEnums["green"], s.remarks, s.UserID)
		items := v2OK(t, s.api.Post(t, v2CustomersPath, body), v2CustomersPath, "post").
			Equal("items.*.request_id", []any{"mine", 1}).List("items")
		if len(items) != 2 {
			t.Fatalf("%d items, want 2", len(items))
		}
		a, b := items[0].Int("id"), items[1].Int("id")
		ca := v2Customer(t, s.api, a).
			Equal(fieldOf(sel), v2Field(sel, "Select", map[string]any{"value": "green", "enum": itoa(selEnums["green"])})).
			Equal(fieldOf(s.remarks), v2Field(s.remarks, "Remarks", map[string]any{"value": "plain text"})).
			Equal("contacts._links", selfLink(fmt.Sprintf("/api/v2/contacts?id=%d,%d", s.contact, c2), "get")).
			Equal("main_contact.id", s.contact).
			// No company, no tags: {} and [].
			EqualJSON("company", `{}`).EqualJSON("tags", `[]`)
		if n := len(ca.List("contacts.id")); n != 2 {
			t.Errorf("%d contacts, want 2", n)
		}
		cb := v2Customer(t, s.api, b).EqualJSON("main_contact", `{}`).EqualJSON("contacts", `{}`)
		if n := len(cb.List("tags")); n != 2 {
			t.Errorf("%d tags, want 2", n)
		}

		// Mixed: update a (link the company, unlink the first contact), update
		// b (clear the tags), add one, delete nothing known and one known.
		victim := v2AddCustomer(t, s.api, `"name":"Victim","next_date":1508878800`)
		body = fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"company_id":%d,"unlink":{"contacts_id":["%d"]}},
			{"id":"%d","updated_at":"%d","tags":"","request_id":7}],
			"add":[{"name":"C","next_date":1508878800}],"delete":[%d,123456789]}`,
			a, ca.Int("updated_at"), s.company, s.contact, b, cb.Int("updated_at"), victim)
		// Items: the add, then the updates; deleted: only the victim.
		v2OK(t, s.api.Post(t, v2CustomersPath, body), v2CustomersPath, "post").Keys("", "items", "deleted").
			Equal("items.*.request_id", []int64{0, a, 7}).Equal("items.1.id", a).
			Equal("deleted.*.id", []int64{victim})
		ca = v2Customer(t, s.api, a).Equal("company.id", s.company).Equal("main_contact.id", c2)
		if ids := ca.List("contacts.id"); len(ids) != 1 {
			t.Errorf("contacts after unlink: %v", ca.At("contacts.id"))
		}
		v2Customer(t, s.api, b).EqualJSON("tags", `[]`) // tags "" cleared them

		// Unlink the company.
		body = fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"unlink":{"company_id":%d}}]}`, a, ca.Int("updated_at"), s.company)
		v2OK(t, s.api.Post(t, v2CustomersPath, body), v2CustomersPath, "post")
		v2Customer(t, s.api, a).EqualJSON("company", `{}`)

		// Delete given as a comma string; unknown ids delete nothing.
		v2OK(t, s.api.Post(t, v2CustomersPath, `{"delete":"999999998, 999999997"}`), v2CustomersPath, "post").EqualJSON("items.deleted", `[]`)
	})
}

// TestV2CustomersFilters: every list parameter of the seed.
func TestV2CustomersFilters(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Filters", "")
		other := env.NewUser(t, a.AccountID, crm.RoleMember).UserID
		// 2017-10-20T21:00:00Z is 21.10.2017 00:00 in Moscow (the account's zone).
		c1 := v2AddCustomer(t, a.api, `"name":"c1","created_at":1508533200,"updated_at":1508533200,"next_date":1509000000`)
		c2 := v2AddCustomer(t, a.api, fmt.Sprintf(`"name":"c2","created_at":1508533199,"updated_at":1508619600,"next_date":1509500000,"responsible_user_id":%d`, other))
		c3 := v2AddCustomer(t, a.api, fmt.Sprintf(`"name":"c3","created_at":1510000000,"updated_at":1510000000,"next_date":1512000000,"responsible_user_id":"%d"`, other))
		c4 := v2AddCustomer(t, a.api, `"name":"c4","next_date":0`)
		c5 := v2AddCustomer(t, a.api, `"name":"c5","next_date":1509000000`)

		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{c1, c2, c3, c4, c5}},
			{fmt.Sprintf("?filter[main_user][]=%d", other), []int64{c2, c3}},
			{fmt.Sprintf("?filter[main_user][]=%d&filter[main_user][]=%d", other, a.UserID), []int64{c1, c2, c3, c4, c5}},
			{fmt.Sprintf("?filter[main_user]=%d", a.UserID), []int64{c1, c4, c5}},
			{fmt.Sprintf("?filter[main_user][0]=%d,%d", a.UserID, other), []int64{c1, c2, c3, c4, c5}},
			// Creation dates, in the account's time zone.
			{"?filter[date][type]=create&filter[date][from]=21.10.2017&filter[date][to]=21.10.2017", []int64{c1}},
			{"?filter[date][type]=create&filter[date][to]=20.10.2017", []int64{c2}},
			{"?filter[date][type]=create&filter[date][from]=20.10.2017&filter[date][to]=06.11.2017", []int64{c1, c2, c3}},
			{"?filter[date][type]=create&filter[date][from]=20.10.2017&filter[date][to]=05.11.2017", []int64{c1, c2}},
			{"?filter[date][type]=create&filter[date][from]=10/21/2017&filter[date][to]=11/05/2017", []int64{c1}},
			{"?filter[date][type]=create&filter[date][from]=10%20/%2021%20/%202017&filter[date][to]=11%20/%2006%20/%202017", []int64{c1, c3}},
			{"?filter[date][type]=create&filter[date][from]=1508533199&filter[date][to]=1508533200", []int64{c1, c2}},
			// Modification dates.
			{"?filter[date][type]=modify&filter[date][from]=22.10.2017&filter[date][to]=22.10.2017", []int64{c2}},
			{"?filter[date][type]=modify&filter[date][to]=21.10.2017", []int64{c1}},
			// The type alone filters nothing.
			{"?filter[date][type]=modify", []int64{c1, c2, c3, c4, c5}},
			// Next purchase dates (c4 has none).
			{"?filter[next_date][from]=26.10.2017&filter[next_date][to]=26.10.2017", []int64{c1, c5}},
			{"?filter[next_date][from]=27.10.2017", []int64{c2, c3}},
			{"?filter[next_date][to]=11/01/2017", []int64{c1, c2, c5}},
			// Combined.
			{fmt.Sprintf("?filter[main_user][]=%d&filter[next_date][from]=01.11.2017&filter[date][type]=create&filter[date][from]=01.01.2017", other), []int64{c2, c3}},
			// ids: single, arrays, comma lists; other parameters are ignored.
			{fmt.Sprintf("?id=%d", c3), []int64{c3}},
			{fmt.Sprintf("?id[]=%d&id[]=%d", c1, c4), []int64{c1, c4}},
			{fmt.Sprintf("?id=%d,%d", c2, c5), []int64{c2, c5}},
			{fmt.Sprintf("?id[0]=%d&id[1]=%d", c2, c5), []int64{c2, c5}},
			{fmt.Sprintf("?id=%d&limit_rows=501&filter[main_user][]=%d&filter[date][from]=nonsense", c1, other), []int64{c1}},
			{"?id=999999999", []int64{}},
			// Rows.
			{"?limit_rows=2", []int64{c1, c2}},
			{"?limit_rows=2&limit_offset=2", []int64{c3, c4}},
			{"?limit_rows=2&limit_offset=4", []int64{c5}},
			{"?limit_rows=2&limit_offset=5", []int64{}},
			{"?limit_offset=3", []int64{c1, c2, c3, c4, c5}}, // only with limit_rows
			{"?limit_rows=500", []int64{c1, c2, c3, c4, c5}},
			{"?filter[main_user][]=999999", []int64{}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				crmtest.Equal(t, tc.query, v2Customers(t, a.api, tc.query), tc.want)
			})
		}

		// Another account's zone moves calendar days: in New York the same
		// instant (1508533200) is 20.10.2017.
		ny := newV2Account(t, env, "New York", "America/New_York")
		n1 := v2AddCustomer(t, ny.api, `"name":"ny","created_at":1508533200,"next_date":1509000000`)
		crmtest.Equal(t, "NY 20.10", v2Customers(t, ny.api, "?filter[date][type]=create&filter[date][from]=20.10.2017&filter[date][to]=20.10.2017"), []int64{n1})
		crmtest.Equal(t, "NY 21.10", v2Customers(t, ny.api, "?filter[date][type]=create&filter[date][from]=21.10.2017"), []int64{})
		// And accounts never see each other's customers.
		crmtest.Equal(t, "NY all", v2Customers(t, ny.api, ""), []int64{n1})
		v2NoContent(t, ny.api.Get(t, fmt.Sprintf("%s?id=%d", v2CustomersPath, c1)))
	})
}

// TestV2CustomersBadQueries: malformed list parameters are 400 naming the
// parameter (and, for dates, the accepted formats).
func TestV2CustomersBadQueries(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Bad queries", "")
		v2AddCustomer(t, a.api, `"name":"x","next_date":1509000000`)
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"?filter[date][type]=create&filter[date][from]=2017-10-10", []string{"filter[date][from]", "DD.MM.YYYY", "MM/DD/YYYY", "Unix timestamp"}},
			{"?filter[date][type]=create&filter[date][to]=32.10.2017", []string{"filter[date][to]", "DD.MM.YYYY"}},
			{"?filter[date][type]=create&filter[date][from]=10.10.17", []string{"filter[date][from]"}},
			{"?filter[date][type]=create&filter[date][from]=13/01/2017", []string{"filter[date][from]", "MM/DD/YYYY"}},
			{"?filter[date][type]=create&filter[date][from]=yesterday", []string{"filter[date][from]"}},
			{"?filter[next_date][from]=30.02.2017", []string{"filter[next_date][from]"}},
			{"?filter[next_date][to]=-5", []string{"filter[next_date][to]"}},
			{"?filter[date][type]=create&filter[date][from]=11.10.2017&filter[date][to]=10.10.2017", []string{"filter[date]"}},
			{"?filter[date][from]=10.10.2017", []string{"filter[date][type]", "create or modify"}},
			{"?filter[date][type]=delete&filter[date][from]=10.10.2017", []string{"filter[date][type]", "create or modify"}},
			{"?filter[date][type]=delete", []string{"filter[date][type]"}},
			{"?limit_rows=501", []string{"limit_rows", "500"}},
			{"?limit_rows=0", []string{"limit_rows"}},
			{"?limit_rows=ten", []string{"limit_rows"}},
			{"?limit_rows=10&limit_offset=-1", []string{"limit_offset"}},
			{"?limit_rows=10&limit_offset=x", []string{"limit_offset"}},
			{"?id=abc", []string{"id"}},
			{"?id[]=1&id[]=-2", []string{"id"}},
			{"?filter[main_user][]=bob", []string{"filter[main_user]"}},
		} {
			t.Run(tc.query, func(t *testing.T) {
				v2Bad(t, a.api.Get(t, v2CustomersPath+tc.query), tc.want...)
			})
		}
	})
}

// TestV2CustomersValidation: bad input rejects the whole request, naming
// every problem by its v2 path; nothing is written.
func TestV2CustomersValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		s := newSeedV2Account(t, env)
		keep := v2AddCustomer(t, s.api, `"name":"Keep","next_date":1509000000`)
		before := v2Customer(t, s.api, keep)
		fresh := before.Int("updated_at")
		for _, tc := range []struct {
			name, body string
			want       []string
		}{
			{"malformed JSON", `{"add":[{"name":"x"}`, []string{"not valid JSON"}},
			{"trailing data", `{"add":[]} []`, []string{"not valid JSON"}},
			{"empty body", ``, []string{"empty"}},
			{"array body", `[{"name":"x"}]`, []string{"JSON object"}},
			{"no section", `{}`, []string{"add, update or delete"}},
			{"empty sections", `{"add":[],"update":[],"delete":[]}`, []string{"add, update or delete"}},
			{"add not an array", `{"add":{"name":"x"}}`, []string{"add: "}},
			{"add item not an object", `{"add":["x"]}`, []string{"add.0: "}},
			{"missing name", `{"add":[{"next_date":1509000000}]}`, []string{"add.0.name: "}},
			{"second item bad", `{"add":[{"name":"ok","next_date":1509000000},{"name":"x","next_date":1509000000,"responsible_user_id":"abc"}]}`,
				[]string{"add.1.responsible_user_id: "}},
			{"missing next_date in periodicity mode", `{"add":[{"name":"ok"}]}`, []string{"add.0.next_date: "}},
			{"unknown user", `{"add":[{"name":"x","next_date":1509000000,"responsible_user_id":999999}]}`, []string{"add.0.responsible_user_id: "}},
			{"unknown period", `{"add":[{"name":"x","next_date":1509000000,"period_id":"999999"}]}`, []string{"add.0.period_id: "}},
			{"unknown contact", `{"add":[{"name":"x","next_date":1509000000,"contacts_id":["999999"]}]}`, []string{"add.0.contacts_id.0: "}},
			{"unknown company", `{"add":[{"name":"x","next_date":1509000000,"company_id":999999}]}`, []string{"add.0.company_id: "}},
			{"unknown field", `{"add":[{"name":"x","next_date":1509000000,"custom_fields":[{"id":999999,"values":[{"value":"v"}]}]}]}`,
				[]string{"add.0.custom_fields.0.id: "}},
			{"unknown field, bare values", `{"add":[{"name":"x","next_date":1509000000,"custom_fields":[{"id":"999999","values":["abc"]}]}]}`,
				[]string{"add.0.custom_fields.0.id: "}},
			{"bare enum that is not an id", fmt.Sprintf(`{"add":[{"name":"x","next_date":1509000000,"custom_fields":[{"id":%d,"values":["three"]}]}]}`, s.multi),
				[]string{"add.0.custom_fields.0.values.0: "}},
			{"unknown enum", fmt.Sprintf(`{"add":[{"name":"x","next_date":1509000000,"custom_fields":[{"id":%d,"values":["999999"]}]}]}`, s.multi),
				[]string{"add.0.custom_fields.0.values.0.enum: "}},
			{"bad subtype", fmt.Sprintf(`{"add":[{"name":"x","next_date":1509000000,"custom_fields":[{"id":%d,"values":[{"value":"v","subtype":"planet"}]}]}]}`, s.address),
				[]string{"add.0.custom_fields.0.values.0.subtype: "}},
			{"tags of the wrong type", `{"add":[{"name":"x","next_date":1509000000,"tags":5}]}`, []string{"add.0.tags: "}},
			{"update without id", `{"update":[{"updated_at":1509000000,"name":"y"}]}`, []string{"update.0.id: "}},
			{"update without updated_at", fmt.Sprintf(`{"update":[{"id":%d,"name":"y"}]}`, keep), []string{"update.0.updated_at: "}},
			{"update of an unknown id", fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"y"},{"id":999999,"updated_at":1,"name":"z"}]}`, keep, fresh),
				[]string{"update.1.id: "}},
			{"update with a blank name", fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"  "}]}`, keep, fresh), []string{"update.0.name: "}},
			{"bad unlink", fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"unlink":{"contacts_id":["a"]}}]}`, keep, fresh),
				[]string{"update.0.unlink.contacts_id.0: "}},
			{"bad delete id", `{"delete":["12","x"]}`, []string{"delete.1: "}},
			{"several problems", `{"add":[{"next_date":"soon"}],"update":[{}]}`,
				[]string{"add.0.next_date: ", "update.0.id: ", "update.0.updated_at: "}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				v2Bad(t, s.api.Post(t, v2CustomersPath, tc.body), tc.want...)
			})
		}
		crmtest.Equal(t, "nothing added", v2Customers(t, s.api, ""), []int64{keep})
		crmtest.Equal(t, "the customer after rejected requests", v2Customer(t, s.api, keep).V, before.V)

		// Customers switched off: 422 in v2's envelope.
		off := newAccount(t, env, "Off", "").api
		v2Error(t, off.Get(t, v2CustomersPath), 422, "422")
		v2Error(t, off.Post(t, v2CustomersPath, `{"add":[{"name":"x"}]}`), 422, "422")
	})
}

// TestV2CustomersStaleUpdate: an update based on an older updated_at is
// refused for that item alone, with amoCRM's message; the others apply.
func TestV2CustomersStaleUpdate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Stale", "")
		x := v2AddCustomer(t, a.api, `"name":"X","next_date":1509000000,"next_price":1`)
		y := v2AddCustomer(t, a.api, `"name":"Y","next_date":1509000000`)
		seenX := v2Customer(t, a.api, x).Int("updated_at")
		seenY := v2Customer(t, a.api, y).Int("updated_at")

		// First writer wins.
		v2OK(t, a.api.Post(t, v2CustomersPath, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"X by first"}]}`, x, seenX)), v2CustomersPath, "post")
		stored := v2Customer(t, a.api, x)

		// The second based its change on the old version: refused; Y applies.
		body := fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"X by second","next_price":99},{"id":%d,"updated_at":%d,"name":"Y2"}]}`,
			x, seenX, y, seenY)
		v2OK(t, a.api.Post(t, v2CustomersPath, body), v2CustomersPath, "post").Keys("", "items", "errors").
			Equal("items.*.id", []int64{y}).
			Equal("errors", map[string]any{"update": map[string]any{itoa(x): staleText}})
		crmtest.Equal(t, "the customer after the stale update", v2Customer(t, a.api, x).V, stored.V)
		v2Customer(t, a.api, y).Equal("name", "Y2")

		// All items stale: items is [].
		v2OK(t, a.api.Post(t, v2CustomersPath, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"again"}]}`, x, seenX)), v2CustomersPath, "post").
			EqualJSON("items", `[]`)
	})
}

// TestV2CustomersRace: ten clients update one customer at once, all based
// on the same updated_at: exactly one applies, the others get the stale
// error, and the stored customer is the winner's write.
func TestV2CustomersRace(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Race", "")
		id := v2AddCustomer(t, a.api, `"name":"Race","next_date":1509000000`)
		seen := v2Customer(t, a.api, id).Int("updated_at")
		const n = 10
		bodies := make([]string, n)
		for i := range bodies {
			bodies[i] = fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"Writer %d","next_price":%d}]}`, id, seen, i, 1000+i)
		}
		winner := -1
		for i, r := range a.api.Race(t, http.MethodPost, v2CustomersPath, bodies) {
			if r.Status != http.StatusOK {
				t.Errorf("writer %d: %d %s", i, r.Status, r.Body)
				continue
			}
			if len(r.List("_embedded.items")) == 1 {
				if winner >= 0 {
					t.Fatalf("writers %d and %d both applied", winner, i)
				}
				winner = i
				continue
			}
			if r.Get("_embedded.errors.update."+itoa(id)) != staleText {
				t.Errorf("writer %d lost without the stale error: %s", i, r.Body)
			}
		}
		if winner < 0 {
			t.Fatal("no writer applied")
		}
		v2Customer(t, a.api, id).Equal("name", fmt.Sprintf("Writer %d", winner)).Equal("next_price", 1000+winner)
	})
}

// TestV2Unauthorized: every v2 endpoint answers 401 in v2's envelope
// without a valid token.
func TestV2Unauthorized(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Auth", "")
		for _, rt := range []struct{ method, path, body string }{
			{http.MethodGet, "/api/v2/customers", ""},
			{http.MethodPost, "/api/v2/customers", `{"add":[{"name":"x","next_date":1}]}`},
			{http.MethodGet, "/api/v2/transactions", ""},
			{http.MethodPost, "/api/v2/transactions", `{"delete":[1]}`},
			{http.MethodGet, "/api/v2/customers_periods", ""},
			{http.MethodPost, "/api/v2/customers_periods", `{"update":[]}`},
		} {
			for _, token := range []string{"", "not-a-token", a.AmoCRMToken + "x"} {
				t.Run(rt.method+" "+rt.path+" "+token, func(t *testing.T) {
					v2Error(t, env.AmoCRM(token).Do(t, rt.method, rt.path, rt.body), 401, "110")
				})
			}
		}
		crmtest.Equal(t, "nothing added", v2Customers(t, a.api, ""), []int64{})
		// Unknown v2 paths and methods also answer in v2's envelope.
		v2Error(t, a.api.Get(t, "/api/v2/leads_unknown"), 404, "404")
		v2Error(t, a.api.Patch(t, v2CustomersPath, `{}`), 405, "405")
	})
}

// TestV2Members: a member works with customers and transactions but may
// neither read nor change periods, which seed 001 reserves for the account
// administrator (403, code 244).
func TestV2Members(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Members", "")
		creds := env.NewUser(t, a.AccountID, crm.RoleMember)
		member := env.AmoCRM(creds.AmoCRMToken)

		id := v2AddCustomer(t, member, `"name":"By member","next_date":1509000000`)
		c := v2Customer(t, member, id).Equal("created_by", creds.UserID).Equal("responsible_user_id", creds.UserID)
		v2OK(t, member.Post(t, v2CustomersPath, fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"Edited"}]}`, id, c.Int("updated_at"))),
			v2CustomersPath, "post")
		v2OK(t, member.Post(t, v2TransactionsPath, fmt.Sprintf(`{"add":[{"customer_id":%d,"price":10}]}`, id)), v2TransactionsPath, "post")
		v2OK(t, member.Get(t, v2TransactionsPath), v2TransactionsPath, "get")

		v2Error(t, member.Get(t, v2PeriodsPath), 403, "244")
		before := v2Periods(t, a.api)
		v2Error(t, member.Post(t, v2PeriodsPath, `{"update":[{"period":"5","color":"#000000","sort":"1"}]}`), 403, "244")
		crmtest.Equal(t, "periods after a refused update", v2Periods(t, a.api).V, before.V)
		v2OK(t, member.Post(t, v2CustomersPath, fmt.Sprintf(`{"delete":[%d]}`, id)), v2CustomersPath, "post")
		crmtest.Equal(t, "deleted by member", v2Customers(t, a.api, ""), []int64{})
	})
}

// TestV2MixedBatchAtomic: add, update and delete in one body are one
// transaction: bad input in a later section writes nothing of an earlier one.
func TestV2MixedBatchAtomic(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "Atomic", "")
		keep := v2AddCustomer(t, a.api, `"name":"Keep","next_date":1509000000`)
		body := fmt.Sprintf(`{"add":[{"name":"Ghost","next_date":1509000000}],"update":[{"id":999999,"updated_at":1}],"delete":[%d]}`, keep)
		v2Bad(t, a.api.Post(t, v2CustomersPath, body), "update.0.id")
		crmtest.Equal(t, "after a refused mixed batch", v2Customers(t, a.api, ""), []int64{keep})
	})
}
