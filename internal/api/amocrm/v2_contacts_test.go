package amocrm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v2 contacts and companies reads: following the links a v2
// customer carries, and the list parameters.

const (
	v2ContactsPath  = "/api/v2/contacts"
	v2CompaniesPath = "/api/v2/companies"
)

// v2Follow GETs a relative v2 link and returns its items, after checking
// the v2 envelope (self is the link's path, method get).
func v2Follow(t *testing.T, api *crmtest.Client, href string) []crmtest.JSON {
	t.Helper()
	path, _, _ := strings.Cut(href, "?")
	return v2OK(t, api.Get(t, href), path, "get").List("items")
}

// TestV2ContactsFollowLinks makes a customer with two contacts (one main)
// and a company, one contact working for an Envybox client company, reads
// the customer through v2 and follows every link it carries, and the links
// back.
func TestV2ContactsFollowLinks(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "V2 contacts", "")
		cust := v2AddCustomer(t, a.api, `"name":"Linked","next_date":1700000000`)
		contacts := idsOf(a.api.Post(t, "/api/v4/contacts", `[{"name":"Ivan Petrov"},{"first_name":"Anna","last_name":"Smirnova"}]`).HAL(200).List("_embedded.contacts"))
		ivan, anna := contacts[0], contacts[1]
		company := a.api.Post(t, "/api/v4/companies", `[{"name":"Acme"}]`).HAL(200).Int("_embedded.companies.0.id")
		a.api.Post(t, customerPath(cust)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"},
			{"to_entity_id":%d,"to_entity_type":"contacts","metadata":{"is_main":true}},
			{"to_entity_id":%d,"to_entity_type":"companies"}]`, ivan, anna, company)).HAL(200)
		// Anna works for an Envybox client company.
		firm := env.Envybox(a.EnvyboxAPIKey).Post(t, fmt.Sprintf("/openapi/v1/client/%d/addCompany/", anna),
			`{"request": {"short_name": "Рога и копыта", "inn": "7707083893"}}`).Expect(200).Int("result.id")
		// And has a custom field value, written through Envybox.
		name := "Должность"
		fields, err := env.Server.Service.AddCustomFields(context.Background(), a.actor(), crm.EntityContact,
			[]crm.NewCustomField{{Name: &name, Type: crm.FieldText}})
		if err != nil {
			t.Fatal(err)
		}
		field := fields[0].ID
		envyboxCall(t, env, a, "client/updateClientValue/", fmt.Sprintf(`{"client_id": %d, "user_id": %d, "employee_id": 0,
			"fields": [{"input_id": %d, "value": "Директор", "value_type_id": 2}]}`, anna, a.UserID, field))

		c := v2Customer(t, a.api, cust)
		c.Equal("main_contact.id", anna).Equal("contacts.id", []int64{ivan, anna}).Equal("company.id", company)

		// main_contact → Anna.
		items := v2Follow(t, a.api, c.Str("main_contact._links.self.href"))
		if len(items) != 1 {
			t.Fatalf("main contact link answered %d items", len(items))
		}
		items[0].Keys("", "id", "name", "first_name", "last_name", "responsible_user_id", "created_by", "created_at", "updated_at",
			"account_id", "updated_by", "group_id", "company", "leads", "closest_task_at", "tags", "custom_fields", "customers", "_links").
			Equal("id", anna).Equal("name", "Anna Smirnova").Equal("first_name", "Anna").Equal("last_name", "Smirnova").
			Equal("responsible_user_id", a.UserID).Equal("account_id", a.AccountID).Equal("group_id", 0).
			Equal("company", map[string]any{"id": firm, "name": "Рога и копыта", "_links": selfLink(v2CompaniesPath+"?id="+itoa(firm), "get")}).
			Equal("leads", map[string]any{}).Equal("tags", []any{}).
			Equal("custom_fields", []any{map[string]any{"id": field, "name": name, "values": []any{map[string]any{"value": "Директор"}}, "is_system": false}}).
			Equal("customers", map[string]any{"id": []int64{cust}, "_links": selfLink(v2CustomersPath+"?id="+itoa(cust), "get")}).
			Equal("_links", selfLink(v2ContactsPath+"?id="+itoa(anna), "get"))
		if items[0].Int("created_at") == 0 || items[0].Int("updated_at") == 0 {
			t.Errorf("times are 0: %v", items[0].V)
		}

		// contacts → both, in id order; each links back to the customer.
		items = v2Follow(t, a.api, c.Str("contacts._links.self.href"))
		crmtest.Equal(t, "contacts", idsOf(items), []int64{ivan, anna})
		items[0].Equal("company", map[string]any{}).Equal("customers.id", []int64{cust}).Equal("custom_fields", []any{})
		back := v2Follow(t, a.api, items[0].Str("customers._links.self.href"))
		crmtest.Equal(t, "customers", idsOf(back), []int64{cust})

		// company → Acme, which links to the customer; Anna's firm links to her.
		items = v2Follow(t, a.api, c.Str("company._links.self.href"))
		if len(items) != 1 {
			t.Fatalf("company link answered %d items", len(items))
		}
		items[0].Keys("", "id", "name", "responsible_user_id", "created_by", "created_at", "updated_at", "account_id", "updated_by",
			"group_id", "contacts", "leads", "closest_task_at", "tags", "custom_fields", "customers", "_links").
			Equal("id", company).Equal("name", "Acme").Equal("contacts", map[string]any{}).
			Equal("customers", map[string]any{"id": []int64{cust}, "_links": selfLink(v2CustomersPath+"?id="+itoa(cust), "get")}).
			Equal("_links", selfLink(v2CompaniesPath+"?id="+itoa(company), "get"))
		items = v2Follow(t, a.api, v2CompaniesPath+"?id="+itoa(firm))
		items[0].Equal("contacts", map[string]any{"id": []int64{anna}, "_links": selfLink(v2ContactsPath+"?id="+itoa(anna), "get")}).
			Equal("customers", map[string]any{})
		crmtest.Equal(t, "firm's contacts", idsOf(v2Follow(t, a.api, items[0].Str("contacts._links.self.href"))), []int64{anna})
	})
}

// TestV2ContactsList checks the list parameters of v2 contacts and
// companies: id in each spelling, limit_rows and limit_offset, query,
// responsible_user_id, 204, errors and isolation.
func TestV2ContactsList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newV2Account(t, env, "V2 lists", "")
		member := env.NewUser(t, a.AccountID, "member")
		var ids []int64
		for i := 0; i < 5; i++ {
			body := fmt.Sprintf(`[{"name":"Person %d"}]`, i)
			if i == 4 {
				body = fmt.Sprintf(`[{"name":"Другой","responsible_user_id":%d}]`, member.UserID)
			}
			ids = append(ids, a.api.Post(t, "/api/v4/contacts", body).HAL(200).Int("_embedded.contacts.0.id"))
		}
		list := func(q string) []int64 {
			t.Helper()
			r := a.api.Get(t, v2ContactsPath+q)
			if r.Status == 204 {
				v2NoContent(t, r)
				return []int64{}
			}
			return idsOf(v2OK(t, r, v2ContactsPath, "get").List("items"))
		}
		crmtest.Equal(t, "all", list(""), ids)
		crmtest.Equal(t, "id", list("?id="+itoa(ids[1])), ids[1:2])
		crmtest.Equal(t, "comma ids", list(fmt.Sprintf("?id=%d,%d", ids[3], ids[0])), []int64{ids[0], ids[3]})
		crmtest.Equal(t, "id[]", list(fmt.Sprintf("?id[]=%d&id[]=%d", ids[2], ids[4])), []int64{ids[2], ids[4]})
		crmtest.Equal(t, "id[0]", list(fmt.Sprintf("?id%%5B0%%5D=%d&id%%5B1%%5D=%d", ids[2], ids[3])), ids[2:4])
		crmtest.Equal(t, "id ignores the rest", list(fmt.Sprintf("?id=%d&limit_rows=1&limit_offset=3&query=nobody", ids[0])), ids[:1])
		crmtest.Equal(t, "limit_rows", list("?limit_rows=2"), ids[:2])
		crmtest.Equal(t, "limit_offset", list("?limit_rows=2&limit_offset=2"), ids[2:4])
		crmtest.Equal(t, "offset past the end", list("?limit_rows=2&limit_offset=5"), []int64{})
		crmtest.Equal(t, "offset without rows", list("?limit_offset=3"), ids) // ignored, as the seed says
		crmtest.Equal(t, "query", list("?query=person%203"), ids[3:4])
		crmtest.Equal(t, "responsible", list(fmt.Sprintf("?responsible_user_id=%d", member.UserID)), ids[4:])
		crmtest.Equal(t, "unknown id", list("?id=99999999"), []int64{})
		crmtest.Equal(t, "500 rows", list("?limit_rows=500"), ids)

		v2Bad(t, a.api.Get(t, v2ContactsPath+"?id=x"), "id")
		v2Bad(t, a.api.Get(t, v2ContactsPath+"?id=-1"), "id")
		v2Bad(t, a.api.Get(t, v2ContactsPath+"?limit_rows=501"), "limit_rows")
		v2Bad(t, a.api.Get(t, v2ContactsPath+"?limit_rows=0"), "limit_rows")
		v2Bad(t, a.api.Get(t, v2ContactsPath+"?limit_rows=2&limit_offset=-1"), "limit_offset")
		v2Bad(t, a.api.Get(t, v2ContactsPath+"?responsible_user_id=x"), "responsible_user_id")
		v2Bad(t, a.api.Get(t, v2CompaniesPath+"?id=1,x"), "id")
		v2Error(t, env.AmoCRM("bad").Get(t, v2ContactsPath), 401, "110")
		v2Error(t, env.AmoCRM("").Get(t, v2CompaniesPath), 401, "110")
		v2Error(t, a.api.Post(t, v2ContactsPath, `{"add":[{"name":"x"}]}`), 405, "405")

		// Companies: the same parameters.
		v2NoContent(t, a.api.Get(t, v2CompaniesPath))
		cos := idsOf(a.api.Post(t, "/api/v4/companies", `[{"name":"Acme"},{"name":"Initech"},{"name":"Umbrella"}]`).HAL(200).List("_embedded.companies"))
		crmtest.Equal(t, "companies", idsOf(v2OK(t, a.api.Get(t, v2CompaniesPath), v2CompaniesPath, "get").List("items")), cos)
		crmtest.Equal(t, "companies window", idsOf(v2OK(t, a.api.Get(t, v2CompaniesPath+"?limit_rows=1&limit_offset=1"), v2CompaniesPath, "get").List("items")), cos[1:2])
		crmtest.Equal(t, "companies query", idsOf(v2OK(t, a.api.Get(t, v2CompaniesPath+"?query=init"), v2CompaniesPath, "get").List("items")), cos[1:2])
		crmtest.Equal(t, "companies id[]", idsOf(v2OK(t, a.api.Get(t, fmt.Sprintf("%s?id[]=%d&id[]=%d", v2CompaniesPath, cos[2], cos[0])), v2CompaniesPath, "get").List("items")), []int64{cos[0], cos[2]})

		// Another account sees none of them.
		other := newV2Account(t, env, "Other", "")
		v2NoContent(t, other.api.Get(t, v2ContactsPath+"?id="+itoa(ids[0])))
		v2NoContent(t, other.api.Get(t, v2CompaniesPath+"?id="+itoa(cos[0])))
		v2NoContent(t, other.api.Get(t, v2ContactsPath))
	})
}
