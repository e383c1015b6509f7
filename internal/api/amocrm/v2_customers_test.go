package amocrm_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of amoCRM API v2 customers (seed 001) on SQLite and
// PostgreSQL.

// The seed's example bodies, verbatim but for the ids, which are replaced
// with ids of this account.
const (
	v2tSeedAdd = `{"add":[{"name":"Ecosports LLC","next_date":"1508878800","created_at":"1508533200",
"responsible_user_id":"504141","created_by":"504141","next_price":"5000","periodicity":"7",
"tags":"sales, markers","period_id":"15489654","contacts_id":["496531"],"company_id":"475621",
"custom_fields":[{"id":"4400017","values":[{"value":"A very important customer"}]},
{"id":"4400021","values":["3692471","3692472"]},
{"id":"4399655","values":[{"value":"Madison st, 1","subtype":"address_line_1"},{"value":"Washington","subtype":"city"},
{"value":"20011","subtype":"zip"},{"value":"US","subtype":"country"}]}]}]}`

	v2tSeedUpdate = `{"update":[{"id":"466791","updated_at":"1508619600","next_date":"1508878800","next_price":"1508706000",
"custom_fields":[{"id":"4400021","values":["3692471","3692472","3692473"]}]}]}`

	v2tSeedDelete = `{"delete":["466812","466811","466891"]}`
)

// v2tCustomerKeys are exactly the keys of a customer in the seed's list example.
var v2tCustomerKeys = []string{"id", "name", "responsible_user_id", "created_by", "created_at", "updated_at", "account_id",
	"updated_by", "is_deleted", "main_contact", "tags", "custom_fields", "contacts", "company", "next_price",
	"closest_task_at", "period_id", "periodicity", "next_date", "_links"}

// v2tSeedAccount is an account with the records the seed's examples name.
type v2tSeedAccount struct {
	*v2tAccount
	remarks, multi, address int64
	enums                   map[string]int64 // multiselect enum ids by value "1".."5"
	contact, company        int64
	period                  int64
}

func v2tSeedSetup(t testing.TB, env *crmtest.Env) *v2tSeedAccount {
	t.Helper()
	s := &v2tSeedAccount{v2tAccount: v2tNew(t, env, "Seed 001")}
	s.remarks, _ = v2tField(t, s.v2tAccount, "Remarks", crm.FieldText)
	s.multi, s.enums = v2tField(t, s.v2tAccount, "Multi-select", crm.FieldMultiselect, "1", "2", "3", "4", "5")
	s.address, _ = v2tField(t, s.v2tAccount, "Address", crm.FieldSmartAddress)
	s.contact = v2tContact(t, s.v2tAccount, "Catherine")
	s.company = v2tCompany(t, s.v2tAccount, "SpetsGorStroy LLC")
	s.period = v2tPeriodID(t, s.v2tAccount, "before")
	return s
}

// replace substitutes the seed's ids: enum 3692469+k is value k+1.
func (s *v2tSeedAccount) replace(body string, extra ...string) string {
	pairs := []string{
		"504141", v2tItoa(s.userID), "15489654", v2tItoa(s.period), "496531", v2tItoa(s.contact),
		"475621", v2tItoa(s.company), "4400017", v2tItoa(s.remarks), "4400021", v2tItoa(s.multi),
		"4399655", v2tItoa(s.address),
	}
	for k := 0; k < 5; k++ {
		pairs = append(pairs, v2tItoa(3692469+int64(k)), v2tItoa(s.enums[fmt.Sprint(k+1)]))
	}
	return strings.NewReplacer(append(extra, pairs...)...).Replace(body)
}

// v2tCheckWriteItem checks an add/update item: exactly id, request_id and
// _links, with the self link to GET ?id=.
func v2tCheckWriteItem(t testing.TB, it map[string]any, requestID int64) int64 {
	t.Helper()
	v2tKeys(t, it, "write item", "id", "request_id", "_links")
	id := v2tInt(t, it["id"], "id")
	v2tWant(t, it, "request_id", requestID)
	v2tGetLink(t, it, "/api/v2/customers?id="+v2tItoa(id))
	return id
}

// v2tFieldByID returns a customer's custom_fields entry with the id.
func v2tFieldByID(t testing.TB, c map[string]any, id int64) map[string]any {
	t.Helper()
	for _, f := range v2tArr(t, c["custom_fields"], "custom_fields") {
		fm := v2tObj(t, f, "custom field")
		if v2tInt(t, fm["id"], "custom field id") == id {
			return fm
		}
	}
	t.Fatalf("custom field %d missing from %v", id, c["custom_fields"])
	return nil
}

// v2tCheckValues compares a field's values with want (each {key: value}).
func v2tCheckValues(t testing.TB, f map[string]any, name string, want ...map[string]any) {
	t.Helper()
	v2tKeys(t, f, "custom field", "id", "name", "values", "is_system")
	v2tWant(t, f, "name", name)
	v2tWant(t, f, "is_system", false)
	got := v2tArr(t, f["values"], "values")
	if len(got) != len(want) {
		t.Fatalf("%s has %d values %v, want %d", name, len(got), got, len(want))
	}
	for i := range want {
		v := v2tObj(t, got[i], "value")
		var keys []string
		for k, w := range want[i] {
			keys = append(keys, k)
			v2tWant(t, v, k, w)
		}
		v2tKeys(t, v, name+" value", keys...)
	}
}

// TestV2CustomersSeedExamples replays seed 001's customer examples: the
// add with every field, the update, the list filtered by creation date and
// the delete, checking every field of every shape.
func TestV2CustomersSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		s := v2tSeedSetup(t, env)
		start := time.Now().Unix()

		// Add: one item, request_id 0 (the index, as a number).
		emb := v2tOK(t, s.do(t, http.MethodPost, "/api/v2/customers", s.replace(v2tSeedAdd)), "/api/v2/customers", "post")
		v2tKeys(t, emb, "_embedded", "items")
		items := v2tItems(t, emb)
		if len(items) != 1 {
			t.Fatalf("add answered %d items", len(items))
		}
		id := v2tCheckWriteItem(t, items[0], 0)

		// The customer as the list example shows one, field by field.
		c := v2tCustomer(t, s.v2tAccount, id)
		v2tKeys(t, c, "customer", v2tCustomerKeys...)
		v2tWant(t, c, "id", id)
		v2tWant(t, c, "name", "Ecosports LLC")
		v2tWant(t, c, "responsible_user_id", s.userID)
		v2tWant(t, c, "created_by", s.userID)
		v2tWant(t, c, "created_at", 1508533200)
		if u := v2tInt(t, c["updated_at"], "updated_at"); u < start-2 || u > time.Now().Unix()+2 {
			t.Errorf("updated_at %d, want now", u)
		}
		v2tWant(t, c, "account_id", s.accountID)
		v2tWant(t, c, "updated_by", s.userID)
		v2tWant(t, c, "is_deleted", false)
		mc := v2tObj(t, c["main_contact"], "main_contact")
		v2tKeys(t, mc, "main_contact", "id", "_links")
		v2tWant(t, mc, "id", s.contact)
		v2tGetLink(t, mc, "/api/v2/contacts?id="+v2tItoa(s.contact))
		tags := v2tArr(t, c["tags"], "tags")
		var tagNames []string
		for _, tg := range tags {
			tm := v2tObj(t, tg, "tag")
			v2tKeys(t, tm, "tag", "id", "name")
			v2tInt(t, tm["id"], "tag id")
			tagNames = append(tagNames, tm["name"].(string))
		}
		sort.Strings(tagNames)
		if strings.Join(tagNames, ",") != "markers,sales" {
			t.Errorf("tags %v, want sales and markers", tagNames)
		}
		if n := len(v2tArr(t, c["custom_fields"], "custom_fields")); n != 3 {
			t.Errorf("%d custom fields, want 3", n)
		}
		v2tCheckValues(t, v2tFieldByID(t, c, s.remarks), "Remarks", map[string]any{"value": "A very important customer"})
		v2tCheckValues(t, v2tFieldByID(t, c, s.multi), "Multi-select",
			map[string]any{"value": "3", "enum": v2tItoa(s.enums["3"])},
			map[string]any{"value": "4", "enum": v2tItoa(s.enums["4"])})
		v2tCheckValues(t, v2tFieldByID(t, c, s.address), "Address",
			map[string]any{"value": "Madison st, 1", "subtype": "address_line_1"},
			map[string]any{"value": "Washington", "subtype": "city"},
			map[string]any{"value": "20011", "subtype": "zip"},
			map[string]any{"value": "US", "subtype": "country"})
		contacts := v2tObj(t, c["contacts"], "contacts")
		v2tKeys(t, contacts, "contacts", "id", "_links")
		if ids := v2tArr(t, contacts["id"], "contacts.id"); len(ids) != 1 || v2tInt(t, ids[0], "contact id") != s.contact {
			t.Errorf("contacts.id = %v, want [%d]", ids, s.contact)
		}
		v2tGetLink(t, contacts, "/api/v2/contacts?id="+v2tItoa(s.contact))
		company := v2tObj(t, c["company"], "company")
		v2tKeys(t, company, "company", "id", "name", "_links")
		v2tWant(t, company, "id", s.company)
		v2tWant(t, company, "name", "SpetsGorStroy LLC")
		v2tGetLink(t, company, "/api/v2/companies?id="+v2tItoa(s.company))
		v2tWant(t, c, "next_price", 5000)
		v2tWant(t, c, "closest_task_at", 0)
		v2tWant(t, c, "period_id", s.period)
		v2tWant(t, c, "periodicity", 7)
		v2tWant(t, c, "next_date", 1508878800)
		v2tGetLink(t, c, "/api/v2/customers?id="+v2tItoa(id))

		// Update: request_id is the customer's id; the based-on updated_at is
		// the one just read (the seed's 1508619600 is older than this record).
		body := s.replace(v2tSeedUpdate, "466791", v2tItoa(id), "1508619600", v2tItoa(v2tInt(t, c["updated_at"], "updated_at")))
		emb = v2tOK(t, s.do(t, http.MethodPost, "/api/v2/customers", body), "/api/v2/customers", "post")
		v2tKeys(t, emb, "_embedded", "items")
		items = v2tItems(t, emb)
		if len(items) != 1 {
			t.Fatalf("update answered %d items: %v", len(items), emb)
		}
		v2tCheckWriteItem(t, items[0], id)
		c2 := v2tCustomer(t, s.v2tAccount, id)
		v2tWant(t, c2, "next_price", 1508706000)
		v2tWant(t, c2, "next_date", 1508878800)
		v2tCheckValues(t, v2tFieldByID(t, c2, s.multi), "Multi-select",
			map[string]any{"value": "3", "enum": v2tItoa(s.enums["3"])},
			map[string]any{"value": "4", "enum": v2tItoa(s.enums["4"])},
			map[string]any{"value": "5", "enum": v2tItoa(s.enums["5"])})
		v2tCheckValues(t, v2tFieldByID(t, c2, s.remarks), "Remarks", map[string]any{"value": "A very important customer"})
		v2tWant(t, c2, "name", "Ecosports LLC")
		if v2tInt(t, c2["updated_at"], "updated_at") <= v2tInt(t, c["updated_at"], "updated_at") {
			t.Errorf("updated_at did not move on: %v -> %v", c["updated_at"], c2["updated_at"])
		}

		// The list example: created on or after 10.10.2017.
		other := v2tAdd(t, s.v2tAccount, `"name":"Made today","next_date":"1508878800"`)
		v2tSameIDs(t, "filter[date][from]=10.10.2017", v2tList(t, s.v2tAccount, "?filter[date][type]=create&filter[date][from]=10.10.2017"), id, other)
		loc, _ := time.LoadLocation(crm.DefaultTimeZone)
		today := time.Now().In(loc).Format("02.01.2006")
		v2tSameIDs(t, "filter[date][from]=today", v2tList(t, s.v2tAccount, "?filter[date][type]=create&filter[date][from]="+today), other)

		// Delete: two named customers and an unknown id.
		e1 := v2tAdd(t, s.v2tAccount, `"name":"Elizabeth","next_date":1508878800`)
		e2 := v2tAdd(t, s.v2tAccount, `"name":"Jennifer","next_date":1508878800`)
		body = strings.NewReplacer("466812", v2tItoa(e1), "466811", v2tItoa(e2), "466891", "999999999").Replace(v2tSeedDelete)
		emb = v2tOK(t, s.do(t, http.MethodPost, "/api/v2/customers", body), "/api/v2/customers", "post")
		v2tKeys(t, emb, "_embedded", "items")
		inner := v2tObj(t, emb["items"], "_embedded.items")
		v2tKeys(t, inner, "_embedded.items", "deleted")
		deleted := v2tArr(t, inner["deleted"], "deleted")
		if len(deleted) != 2 {
			t.Fatalf("deleted %v, want 2 items", deleted)
		}
		for i, want := range []struct {
			id   int64
			name string
		}{{e1, "Elizabeth"}, {e2, "Jennifer"}} {
			d := v2tObj(t, deleted[i], "deleted item")
			v2tKeys(t, d, "deleted item", "id", "name")
			v2tWant(t, d, "id", want.id)
			v2tWant(t, d, "name", want.name)
		}
		v2tNoContent(t, s.do(t, http.MethodGet, "/api/v2/customers?id="+v2tItoa(e1), ""))
		v2tSameIDs(t, "after delete", v2tList(t, s.v2tAccount, ""), id, other)
	})
}

// TestV2CustomersWriteForms: request_id echoes, numbers as numbers or
// strings, several items, mixed add/update/delete, links and unlink, tags
// replaced and cleared, select values by enum, bare values of text fields.
func TestV2CustomersWriteForms(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		s := v2tSeedSetup(t, env)
		sel, selEnums := v2tField(t, s.v2tAccount, "Select", crm.FieldSelect, "red", "green")
		c2 := v2tContact(t, s.v2tAccount, "Second")

		// Two adds: the first with its own request_id, the second with none.
		body := fmt.Sprintf(`{"add":[{"request_id":"mine","name":"A","next_date":1508878800,"contacts_id":[%d,"%d"],
			"custom_fields":[{"id":%d,"values":[{"value":"x","enum":"%d"}]},{"id":%d,"values":["plain text"]}]},
			{"name":"B","next_date":"1508878800","responsible_user_id":%d,"tags":["t1","t2"]}]}`,
			s.contact, c2, sel, selEnums["green"], s.remarks, s.userID)
		items := v2tItems(t, v2tOK(t, s.do(t, http.MethodPost, "/api/v2/customers", body), "/api/v2/customers", "post"))
		if len(items) != 2 {
			t.Fatalf("%d items, want 2", len(items))
		}
		v2tWant(t, items[0], "request_id", "mine")
		v2tWant(t, items[1], "request_id", 1)
		a, b := v2tInt(t, items[0]["id"], "id"), v2tInt(t, items[1]["id"], "id")
		ca := v2tCustomer(t, s.v2tAccount, a)
		v2tCheckValues(t, v2tFieldByID(t, ca, sel), "Select", map[string]any{"value": "green", "enum": v2tItoa(selEnums["green"])})
		v2tCheckValues(t, v2tFieldByID(t, ca, s.remarks), "Remarks", map[string]any{"value": "plain text"})
		contacts := v2tObj(t, ca["contacts"], "contacts")
		if n := len(v2tArr(t, contacts["id"], "contacts.id")); n != 2 {
			t.Errorf("%d contacts, want 2", n)
		}
		v2tGetLink(t, contacts, fmt.Sprintf("/api/v2/contacts?id=%d,%d", s.contact, c2))
		v2tWant(t, v2tObj(t, ca["main_contact"], "main_contact"), "id", s.contact)
		// No company, no tags: {} and [].
		if len(v2tObj(t, ca["company"], "company")) != 0 || len(v2tArr(t, ca["tags"], "tags")) != 0 {
			t.Errorf("company %v, tags %v; want {} and []", ca["company"], ca["tags"])
		}
		cb := v2tCustomer(t, s.v2tAccount, b)
		if len(v2tObj(t, cb["main_contact"], "main_contact")) != 0 || len(v2tObj(t, cb["contacts"], "contacts")) != 0 {
			t.Errorf("main_contact %v, contacts %v; want {}", cb["main_contact"], cb["contacts"])
		}
		if n := len(v2tArr(t, cb["tags"], "tags")); n != 2 {
			t.Errorf("%d tags, want 2", n)
		}

		// Mixed: update a (link the company, unlink the first contact), update
		// b (clear the tags), add one, delete nothing known and one known.
		victim := v2tAdd(t, s.v2tAccount, `"name":"Victim","next_date":1508878800`)
		body = fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"company_id":%d,"unlink":{"contacts_id":["%d"]}},
			{"id":"%d","updated_at":"%d","tags":"","request_id":7}],
			"add":[{"name":"C","next_date":1508878800}],"delete":[%d,123456789]}`,
			a, v2tInt(t, ca["updated_at"], "updated_at"), s.company, s.contact,
			b, v2tInt(t, cb["updated_at"], "updated_at"), victim)
		emb := v2tOK(t, s.do(t, http.MethodPost, "/api/v2/customers", body), "/api/v2/customers", "post")
		v2tKeys(t, emb, "_embedded", "items", "deleted")
		items = v2tItems(t, emb)
		if len(items) != 3 {
			t.Fatalf("%d items, want 3 (add, then updates): %v", len(items), items)
		}
		v2tWant(t, items[0], "request_id", 0)
		v2tWant(t, items[1], "request_id", a)
		v2tWant(t, items[1], "id", a)
		v2tWant(t, items[2], "request_id", 7)
		deleted := v2tArr(t, emb["deleted"], "_embedded.deleted")
		if len(deleted) != 1 || v2tInt(t, v2tObj(t, deleted[0], "deleted")["id"], "deleted id") != victim {
			t.Errorf("deleted = %v, want only %d", deleted, victim)
		}
		ca = v2tCustomer(t, s.v2tAccount, a)
		v2tWant(t, v2tObj(t, ca["company"], "company"), "id", s.company)
		v2tWant(t, v2tObj(t, ca["main_contact"], "main_contact"), "id", c2)
		if ids := v2tArr(t, v2tObj(t, ca["contacts"], "contacts")["id"], "contacts.id"); len(ids) != 1 {
			t.Errorf("contacts after unlink: %v", ids)
		}
		if n := len(v2tArr(t, v2tCustomer(t, s.v2tAccount, b)["tags"], "tags")); n != 0 {
			t.Errorf("tags \"\" left %d tags", n)
		}

		// Unlink the company.
		body = fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"unlink":{"company_id":%d}}]}`,
			a, v2tInt(t, ca["updated_at"], "updated_at"), s.company)
		v2tOK(t, s.do(t, http.MethodPost, "/api/v2/customers", body), "/api/v2/customers", "post")
		if co := v2tObj(t, v2tCustomer(t, s.v2tAccount, a)["company"], "company"); len(co) != 0 {
			t.Errorf("company after unlink = %v, want {}", co)
		}

		// Delete given as a comma string; unknown ids delete nothing.
		emb = v2tOK(t, s.do(t, http.MethodPost, "/api/v2/customers", `{"delete":"999999998, 999999997"}`), "/api/v2/customers", "post")
		if d := v2tArr(t, v2tObj(t, emb["items"], "items")["deleted"], "deleted"); len(d) != 0 {
			t.Errorf("unknown ids deleted %v", d)
		}
	})
}

// TestV2CustomersFilters: every list parameter of the seed.
func TestV2CustomersFilters(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Filters")
		other := env.NewUser(t, a.accountID, crm.RoleMember).UserID
		// 2017-10-20T21:00:00Z is 21.10.2017 00:00 in Moscow (the account's zone).
		c1 := v2tAdd(t, a, `"name":"c1","created_at":1508533200,"updated_at":1508533200,"next_date":1509000000`)
		c2 := v2tAdd(t, a, fmt.Sprintf(`"name":"c2","created_at":1508533199,"updated_at":1508619600,"next_date":1509500000,"responsible_user_id":%d`, other))
		c3 := v2tAdd(t, a, fmt.Sprintf(`"name":"c3","created_at":1510000000,"updated_at":1510000000,"next_date":1512000000,"responsible_user_id":"%d"`, other))
		c4 := v2tAdd(t, a, `"name":"c4","next_date":0`)
		c5 := v2tAdd(t, a, `"name":"c5","next_date":1509000000`)

		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{c1, c2, c3, c4, c5}},
			{fmt.Sprintf("?filter[main_user][]=%d", other), []int64{c2, c3}},
			{fmt.Sprintf("?filter[main_user][]=%d&filter[main_user][]=%d", other, a.userID), []int64{c1, c2, c3, c4, c5}},
			{fmt.Sprintf("?filter[main_user]=%d", a.userID), []int64{c1, c4, c5}},
			{fmt.Sprintf("?filter[main_user][0]=%d,%d", a.userID, other), []int64{c1, c2, c3, c4, c5}},
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
				v2tSameIDs(t, tc.query, v2tList(t, a, tc.query), tc.want...)
			})
		}

		// Another account's zone moves calendar days: in New York the same
		// instant (1508533200) is 20.10.2017.
		ny := v2tNewIn(t, env, "New York", "America/New_York")
		n1 := v2tAdd(t, ny, `"name":"ny","created_at":1508533200,"next_date":1509000000`)
		v2tSameIDs(t, "NY 20.10", v2tList(t, ny, "?filter[date][type]=create&filter[date][from]=20.10.2017&filter[date][to]=20.10.2017"), n1)
		v2tSameIDs(t, "NY 21.10", v2tList(t, ny, "?filter[date][type]=create&filter[date][from]=21.10.2017"))
		// And accounts never see each other's customers.
		v2tSameIDs(t, "NY all", v2tList(t, ny, ""), n1)
		v2tNoContent(t, ny.do(t, http.MethodGet, fmt.Sprintf("/api/v2/customers?id=%d", c1), ""))
	})
}

// TestV2CustomersBadQueries: malformed list parameters are 400 naming the
// parameter (and, for dates, the accepted formats).
func TestV2CustomersBadQueries(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Bad queries")
		v2tAdd(t, a, `"name":"x","next_date":1509000000`)
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
				v2tBad(t, a.do(t, http.MethodGet, "/api/v2/customers"+tc.query, ""), tc.want...)
			})
		}
	})
}

// TestV2CustomersValidation: bad input rejects the whole request, naming
// every problem by its v2 path; nothing is written.
func TestV2CustomersValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		s := v2tSeedSetup(t, env)
		keep := v2tAdd(t, s.v2tAccount, `"name":"Keep","next_date":1509000000`)
		before := v2tJSON(t, v2tCustomer(t, s.v2tAccount, keep))
		fresh := v2tInt(t, v2tCustomer(t, s.v2tAccount, keep)["updated_at"], "updated_at")
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
				v2tBad(t, s.do(t, http.MethodPost, "/api/v2/customers", tc.body), tc.want...)
			})
		}
		v2tSameIDs(t, "nothing added", v2tList(t, s.v2tAccount, ""), keep)
		if after := v2tJSON(t, v2tCustomer(t, s.v2tAccount, keep)); after != before {
			t.Errorf("rejected requests changed the customer:\n%s\n%s", before, after)
		}

		// Customers switched off: 422 in v2's envelope.
		off := env.NewAccount(t, "Off")
		v2tError(t, env.Do(t, http.MethodGet, "/api/v2/customers", off.AmoCRMToken, ""), http.StatusUnprocessableEntity, "422")
		v2tError(t, env.Do(t, http.MethodPost, "/api/v2/customers", off.AmoCRMToken, `{"add":[{"name":"x"}]}`), http.StatusUnprocessableEntity, "422")
	})
}

// TestV2CustomersStaleUpdate: an update based on an older updated_at is
// refused for that item alone, with amoCRM's message; the others apply.
func TestV2CustomersStaleUpdate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Stale")
		x := v2tAdd(t, a, `"name":"X","next_date":1509000000,"next_price":1`)
		y := v2tAdd(t, a, `"name":"Y","next_date":1509000000`)
		cx := v2tCustomer(t, a, x)
		cy := v2tCustomer(t, a, y)
		seenX := v2tInt(t, cx["updated_at"], "updated_at")

		// First writer wins.
		v2tOK(t, a.do(t, http.MethodPost, "/api/v2/customers", fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"X by first"}]}`, x, seenX)),
			"/api/v2/customers", "post")
		stored := v2tJSON(t, v2tCustomer(t, a, x))

		// The second based its change on the old version: refused; Y applies.
		body := fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"X by second","next_price":99},{"id":%d,"updated_at":%d,"name":"Y2"}]}`,
			x, seenX, y, v2tInt(t, cy["updated_at"], "updated_at"))
		emb := v2tOK(t, a.do(t, http.MethodPost, "/api/v2/customers", body), "/api/v2/customers", "post")
		v2tKeys(t, emb, "_embedded", "items", "errors")
		items := v2tItems(t, emb)
		if len(items) != 1 || v2tInt(t, items[0]["id"], "id") != y {
			t.Errorf("items = %v, want only %d", items, y)
		}
		errs := v2tObj(t, emb["errors"], "errors")
		v2tKeys(t, errs, "errors", "update")
		upd := v2tObj(t, errs["update"], "errors.update")
		v2tKeys(t, upd, "errors.update", v2tItoa(x))
		v2tWant(t, upd, v2tItoa(x), "Last modified date is older than in database")
		if got := v2tJSON(t, v2tCustomer(t, a, x)); got != stored {
			t.Errorf("the stale update changed the customer:\nwas %s\nnow %s", stored, got)
		}
		v2tWant(t, v2tCustomer(t, a, y), "name", "Y2")

		// All items stale: items is [].
		emb = v2tOK(t, a.do(t, http.MethodPost, "/api/v2/customers", fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"again"}]}`, x, seenX)),
			"/api/v2/customers", "post")
		if items := v2tArr(t, emb["items"], "items"); len(items) != 0 {
			t.Errorf("items = %v, want []", items)
		}
	})
}

// TestV2CustomersRace: ten clients update one customer at once, all based
// on the same updated_at: exactly one applies, the others get the stale
// error, and the stored customer is the winner's write.
func TestV2CustomersRace(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Race")
		id := v2tAdd(t, a, `"name":"Race","next_date":1509000000`)
		seen := v2tInt(t, v2tCustomer(t, a, id)["updated_at"], "updated_at")
		const n = 10
		winners := make([]bool, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body := fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"Writer %d","next_price":%d}]}`, id, seen, i, 1000+i)
				resp := a.do(t, http.MethodPost, "/api/v2/customers", body)
				if resp.Status != http.StatusOK {
					t.Errorf("writer %d: %d %s", i, resp.Status, resp.Body)
					return
				}
				obj := resp.Object(t)
				emb := obj["_embedded"].(map[string]any)
				items := emb["items"].([]any)
				if len(items) == 1 {
					winners[i] = true
					return
				}
				errs, _ := emb["errors"].(map[string]any)
				upd, _ := errs["update"].(map[string]any)
				if upd[v2tItoa(id)] != "Last modified date is older than in database" {
					t.Errorf("writer %d lost without the stale error: %s", i, resp.Body)
				}
			}(i)
		}
		wg.Wait()
		winner := -1
		for i, w := range winners {
			if w {
				if winner >= 0 {
					t.Fatalf("writers %d and %d both applied", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatal("no writer applied")
		}
		c := v2tCustomer(t, a, id)
		v2tWant(t, c, "name", fmt.Sprintf("Writer %d", winner))
		v2tWant(t, c, "next_price", 1000+winner)
	})
}

// TestV2Unauthorized: every v2 endpoint answers 401 in v2's envelope
// without a valid token.
func TestV2Unauthorized(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Auth")
		for _, rt := range []struct{ method, path, body string }{
			{http.MethodGet, "/api/v2/customers", ""},
			{http.MethodPost, "/api/v2/customers", `{"add":[{"name":"x","next_date":1}]}`},
			{http.MethodGet, "/api/v2/transactions", ""},
			{http.MethodPost, "/api/v2/transactions", `{"delete":[1]}`},
			{http.MethodGet, "/api/v2/customers_periods", ""},
			{http.MethodPost, "/api/v2/customers_periods", `{"update":[]}`},
		} {
			for _, token := range []string{"", "not-a-token", a.token + "x"} {
				t.Run(rt.method+" "+rt.path+" "+token, func(t *testing.T) {
					v2tError(t, env.Do(t, rt.method, rt.path, token, rt.body), http.StatusUnauthorized, "110")
				})
			}
		}
		v2tSameIDs(t, "nothing added", v2tList(t, a, ""))
		// Unknown v2 paths and methods also answer in v2's envelope.
		v2tError(t, a.do(t, http.MethodGet, "/api/v2/leads_unknown", ""), http.StatusNotFound, "404")
		v2tError(t, a.do(t, http.MethodPatch, "/api/v2/customers", `{}`), http.StatusMethodNotAllowed, "405")
	})
}

// TestV2Members: a member works with customers and transactions but may
// neither read nor change periods, which seed 001 reserves for the account
// administrator (403, code 244).
func TestV2Members(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Members")
		member := &v2tAccount{env: env, accountID: a.accountID}
		creds := env.NewUser(t, a.accountID, crm.RoleMember)
		member.userID, member.token = creds.UserID, creds.AmoCRMToken

		id := v2tAdd(t, member, `"name":"By member","next_date":1509000000`)
		c := v2tCustomer(t, member, id)
		v2tWant(t, c, "created_by", member.userID)
		v2tWant(t, c, "responsible_user_id", member.userID)
		v2tOK(t, member.do(t, http.MethodPost, "/api/v2/customers",
			fmt.Sprintf(`{"update":[{"id":%d,"updated_at":%d,"name":"Edited"}]}`, id, v2tInt(t, c["updated_at"], "updated_at"))),
			"/api/v2/customers", "post")
		v2tOK(t, member.do(t, http.MethodPost, "/api/v2/transactions", fmt.Sprintf(`{"add":[{"customer_id":%d,"price":10}]}`, id)),
			"/api/v2/transactions", "post")
		v2tOK(t, member.do(t, http.MethodGet, "/api/v2/transactions", ""), "/api/v2/transactions", "get")

		v2tError(t, member.do(t, http.MethodGet, "/api/v2/customers_periods", ""), http.StatusForbidden, "244")
		before := v2tJSON(t, v2tPeriods(t, a))
		v2tError(t, member.do(t, http.MethodPost, "/api/v2/customers_periods", `{"update":[{"period":"5","color":"#000000","sort":"1"}]}`),
			http.StatusForbidden, "244")
		if after := v2tJSON(t, v2tPeriods(t, a)); after != before {
			t.Errorf("a refused period update changed the periods:\n%s\n%s", before, after)
		}
		v2tOK(t, member.do(t, http.MethodPost, "/api/v2/customers", fmt.Sprintf(`{"delete":[%d]}`, id)), "/api/v2/customers", "post")
		v2tSameIDs(t, "deleted by member", v2tList(t, a, ""))
	})
}

// TestV2MixedBatchAtomic: add, update and delete in one body are one
// transaction: bad input in a later section writes nothing of an earlier one.
func TestV2MixedBatchAtomic(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := v2tNew(t, env, "Atomic")
		keep := v2tAdd(t, a, `"name":"Keep","next_date":1509000000`)
		body := fmt.Sprintf(`{"add":[{"name":"Ghost","next_date":1509000000}],"update":[{"id":999999,"updated_at":1}],"delete":[%d]}`, keep)
		v2tBad(t, a.do(t, http.MethodPost, "/api/v2/customers", body), "update.0.id")
		v2tSameIDs(t, "after a refused mixed batch", v2tList(t, a, ""), keep)
	})
}
