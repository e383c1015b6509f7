package amocrm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the tag dictionaries (companion §7, core §10).

const (
	leadTagsPath     = "/api/v4/leads/tags"
	contactTagsPath  = "/api/v4/contacts/tags"
	companyTagsPath  = "/api/v4/companies/tags"
	customerTagsPath = "/api/v4/customers/tags"
)

// dictionaryNames returns the names in a tags list; 204 is none.
func dictionaryNames(t *testing.T, api *crmtest.Client, path string) []string {
	t.Helper()
	r := api.Get(t, path)
	if r.Status == 204 {
		nothing(r)
		return []string{}
	}
	out := []string{}
	for _, tag := range r.HAL(200).List("_embedded.tags") {
		out = append(out, tag.Str("name"))
	}
	return out
}

// TestV4TagDictionaries replays the companion's POST and GET examples and
// checks filters, paging, names unique case-insensitively, colours for
// leads only, and that every dictionary lists only its own tags.
func TestV4TagDictionaries(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Tags", "")
		for _, p := range []string{leadTagsPath, contactTagsPath, companyTagsPath, customerTagsPath} {
			nothing(acc.api.Get(t, p))
		}

		// §7's POST: the answer is _total_items and the tags with request_id.
		added := acc.api.Post(t, leadTagsPath, `[{"name":"Tag 1","color":"DDEBB5"},{"name":"Заявка с сайта","color":"EBEBEB","request_id":"site"},
			{"name":"Техподдержка","color":null}]`).HAL(200).Keys("", "_total_items", "_embedded").Equal("_total_items", 3)
		tags := added.List("_embedded.tags")
		ids := idsOf(tags)
		added.Equal("_embedded.tags", []any{
			map[string]any{"id": ids[0], "name": "Tag 1", "color": "DDEBB5", "request_id": "0"},
			map[string]any{"id": ids[1], "name": "Заявка с сайта", "color": "EBEBEB", "request_id": "site"},
			map[string]any{"id": ids[2], "name": "Техподдержка", "color": nil, "request_id": "2"},
		})

		// §7's GET: _page, _links, _embedded.tags of {id, name, color}.
		list := acc.api.Get(t, leadTagsPath+fmt.Sprintf("?filter[id][]=%d&filter[id][]=%d", ids[1], ids[2])).HAL(200).
			Equal("_page", 1).Equal("_total_items", 2).
			Equal("_embedded.tags", []any{
				map[string]any{"id": ids[1], "name": "Заявка с сайта", "color": "EBEBEB"},
				map[string]any{"id": ids[2], "name": "Техподдержка", "color": nil},
			})
		if list.Has("_links.next") {
			t.Errorf("one page links a next: %s", list.Body)
		}
		acc.api.Get(t, leadTagsPath+"?limit=2").HAL(200).Equal("_embedded.tags.*.id", ids[:2]).
			Equal("_links.next.href", env.URL+leadTagsPath+"?page=2&limit=2")
		acc.api.Get(t, leadTagsPath+"?limit=2&page=2").HAL(200).Equal("_embedded.tags.*.id", ids[2:])
		nothing(acc.api.Get(t, leadTagsPath+"?limit=2&page=3"))
		acc.api.Get(t, leadTagsPath+fmt.Sprintf("?filter[id]=%d", ids[0])).HAL(200).Equal("_embedded.tags.*.id", ids[:1])
		// filter[name]: exact, case-insensitively; query: a part of the name.
		acc.api.Get(t, leadTagsPath+"?filter[name]=ЗАЯВКА%20С%20САЙТА").HAL(200).Equal("_embedded.tags.*.id", ids[1:2])
		nothing(acc.api.Get(t, leadTagsPath+"?filter[name]=Заявка"))
		acc.api.Get(t, leadTagsPath+"?query=САЙТ").HAL(200).Equal("_embedded.tags.*.id", ids[1:2])
		acc.api.Get(t, leadTagsPath+"?query=t").HAL(200).Equal("_embedded.tags.*.id", ids[:1])
		acc.api.Get(t, leadTagsPath+"?query=%25").Expect(204) // % is a character, not a wildcard
		acc.api.Get(t, leadTagsPath+"?query=к&limit=1").HAL(200).Equal("_links.next.href", env.URL+leadTagsPath+"?page=2&limit=1&query=%D0%BA")

		// A known name is the existing tag, whatever its case; it keeps its
		// spelling and colour. A name repeated in one batch is one tag.
		again := acc.api.Post(t, leadTagsPath, `[{"name":"  tag 1 ","color":"FF8F92"},{"name":"New"},{"name":"NEW"}]`).HAL(200)
		again.Equal("_embedded.tags.0", map[string]any{"id": ids[0], "name": "Tag 1", "color": "DDEBB5", "request_id": "0"})
		newID := again.Int("_embedded.tags.1.id")
		again.Equal("_embedded.tags.2.id", newID).Equal("_embedded.tags.2.name", "New")
		if got := dictionaryNames(t, acc.api, leadTagsPath); len(got) != 4 {
			t.Errorf("leads dictionary %v, want 4 tags", got)
		}
		// A colour may be written in any case and with "#".
		acc.api.Post(t, leadTagsPath, `[{"name":"Lower","color":"#ddebb5"}]`).HAL(200).Equal("_embedded.tags.0.color", "DDEBB5")

		// Each entity type has its dictionary: the lead tags are not
		// contact tags until put there, and then have the same id and no
		// colour.
		nothing(acc.api.Get(t, contactTagsPath))
		acc.api.Post(t, contactTagsPath, `[{"name":"tag 1"},{"name":"VIP","request_id":"v"}]`).HAL(200).
			Equal("_embedded.tags.0", map[string]any{"id": ids[0], "name": "Tag 1", "color": nil, "request_id": "0"})
		acc.api.Get(t, contactTagsPath).HAL(200).Equal("_embedded.tags.*.name", []string{"Tag 1", "VIP"}).
			Equal("_embedded.tags.*.color", []any{nil, nil})
		nothing(acc.api.Get(t, companyTagsPath))
		nothing(acc.api.Get(t, customerTagsPath))
		acc.api.Post(t, companyTagsPath, `[{"name":"Partner"}]`).HAL(200)
		acc.api.Post(t, customerTagsPath, `[{"name":"Loyal"}]`).HAL(200)
		crmtest.Equal(t, "companies", dictionaryNames(t, acc.api, companyTagsPath), []string{"Partner"})
		crmtest.Equal(t, "customers", dictionaryNames(t, acc.api, customerTagsPath), []string{"Loyal"})
		if got := dictionaryNames(t, acc.api, leadTagsPath); strings.Contains(strings.Join(got, ","), "VIP") {
			t.Errorf("a contact tag is in the leads dictionary: %v", got)
		}

		// Members use the dictionaries too (user rights, §7).
		member := acc.member(t, env)
		member.Post(t, leadTagsPath, `[{"name":"Member's"}]`).HAL(200)
		member.Get(t, leadTagsPath+"?filter[name]=member's").HAL(200).Equal("_embedded.tags.*.name", []string{"Member's"})
	})
}

// TestV4TagErrors checks every refused tag request: nothing of a refused
// batch is written.
func TestV4TagErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Tag errors", "")
		v := crmtest.Violated
		post := func(path, body string) *crmtest.Reply { return acc.api.Post(t, path, body) }
		post(leadTagsPath, `[{"color":"DDEBB5"}]`).WantViolations(v("0", "FieldMissing", "name"))
		post(leadTagsPath, `[{"name":null}]`).WantViolations(v("0", "FieldMissing", "name"))
		post(leadTagsPath, `[{"name":"ok"},{"name":"  ","request_id":"r"}]`).WantViolations(v("r", "NotBlank", "name"))
		post(leadTagsPath, `[{"name":5}]`).WantViolations(v("0", "InvalidType", "name"))
		post(leadTagsPath, `[{"name":"`+strings.Repeat("я", 256)+`"}]`).WantViolations(v("0", "InvalidLength", "name"))
		post(leadTagsPath, `[{"name":"a\u0007b"}]`).WantViolations(v("0", "InvalidValue", "name"))
		post(leadTagsPath, `[{"name":"x","color":5}]`).WantViolations(v("0", "InvalidType", "color"))
		post(leadTagsPath, `[{"name":"x","color":"123456"}]`).WantViolations(v("0", "NotSupportedChoice", "color"))
		post(leadTagsPath, `[{"name":"x","request_id":7}]`).WantViolations(v("0", "InvalidType", "request_id"))
		for _, p := range []string{contactTagsPath, companyTagsPath, customerTagsPath} {
			post(p, `[{"name":"x","color":"DDEBB5"}]`).WantViolations(v("0", "FieldNotExpected", "color"))
			post(p, `[{"name":"x","color":null}]`).HAL(200) // null is no colour
		}
		post(leadTagsPath, `[]`).WantViolations(v("0", "FieldMissing", ""))
		post(leadTagsPath, `{"name":"x"}`).WantViolations(v("0", "InvalidType", ""))
		post(leadTagsPath, `["x"]`).WantViolations(v("0", "InvalidType", ""))
		post(leadTagsPath, `[`).Problem(400)
		post(leadTagsPath, ``).Problem(400)
		many := make([]string, 251)
		for i := range many {
			many[i] = fmt.Sprintf(`{"name":"t%d"}`, i)
		}
		post(leadTagsPath, "["+strings.Join(many, ",")+"]").Problem(400)
		post(leadTagsPath, `[{"name":"`+strings.Repeat("x", 1<<20)+`"}]`).Problem(413)
		nothing(acc.api.Get(t, leadTagsPath)) // none of the refused batches wrote a tag

		get := func(q string) *crmtest.Reply { return acc.api.Get(t, leadTagsPath+q) }
		get("?filter[id]=x").WantViolations(v("0", "InvalidType", "filter[id]"))
		get("?filter[name][]=a&filter[name][]=b").WantViolations(v("0", "InvalidValue", "filter[name]"))
		get("?filter[color]=EBEBEB").WantViolations(v("0", "FieldNotExpected", "filter[color]"))
		get("?order[id]=desc").WantViolations(v("0", "FieldNotExpected", "order[id]"))
		get("?limit=251").WantViolations(v("0", "OutOfRange", "limit"))
		get("?page=0").WantViolations(v("0", "OutOfRange", "page"))
		for _, c := range badClients(env, acc) {
			c.api.Get(t, leadTagsPath).Problem(401)
			c.api.Post(t, customerTagsPath, `[{"name":"x"}]`).Problem(401)
		}
		r := acc.api.Patch(t, leadTagsPath, `[]`).Problem(405)
		if got := r.Header.Get("Allow"); got != "GET, POST" {
			t.Errorf("Allow %q, want GET, POST", got)
		}
		acc.api.Delete(t, contactTagsPath).Problem(405)
		acc.api.Get(t, "/api/v4/tasks/tags").Problem(404)
	})
}

// TestV4TagsShared checks that the dictionaries show crmd's shared tags:
// an Envybox deal's tags are lead tags, an Envybox lead's too; a customer's
// tags written through v4 are customer tags and stay in the dictionary when
// taken off; and another account's tags are invisible.
func TestV4TagsShared(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Shared", "segments")
		client := envyboxClient(t, env, acc, `{"name": "Ivan", "phone": "+7 499 322-97-10"}`)
		deal := envyboxCall(t, env, acc, "deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"Сделка"}`, client)).Int("result.deal.id")
		envyboxCall(t, env, acc, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": %d, "tags": ["тег1", "Опт"]}`, deal))
		acc.api.Get(t, leadTagsPath).HAL(200).Equal("_embedded.tags.*.name", []string{"тег1", "Опт"}).
			Equal("_embedded.tags.*.color", []any{nil, nil})
		// POSTing the name gives the Envybox tag's id.
		envyID := acc.api.Get(t, leadTagsPath+"?filter[name]=ОПТ").HAL(200).Int("_embedded.tags.0.id")
		acc.api.Post(t, leadTagsPath, `[{"name":"опт"}]`).HAL(200).Equal("_embedded.tags.0.id", envyID)
		// A lead tag made here is the tag Envybox puts on a deal by name: no
		// second record, and it keeps its colour.
		hot := acc.api.Post(t, leadTagsPath, `[{"name":"Горячий","color":"FF8F92"}]`).HAL(200).Int("_embedded.tags.0.id")
		envyboxCall(t, env, acc, "deal/tag/addDealTags/", fmt.Sprintf(`{"deal_id": %d, "tags": ["горячий"]}`, deal))
		acc.api.Get(t, leadTagsPath+"?query=горяч").HAL(200).
			Equal("_embedded.tags", []any{map[string]any{"id": hot, "name": "Горячий", "color": "FF8F92"}})
		// An Envybox lead (amoCRM unsorted) puts its tags in the leads dictionary.
		envyboxCall(t, env, acc, "lead/set/", `{"method":"create","tags":["С сайта"],"values":{"name":"Петр","phone":"79001234567"}}`)
		acc.api.Get(t, leadTagsPath+"?query=сайт").HAL(200).Equal("_embedded.tags.*.name", []string{"С сайта"})
		for _, p := range []string{contactTagsPath, companyTagsPath, customerTagsPath} {
			nothing(acc.api.Get(t, p))
		}

		// A customer's tags are customer tags; taken off, they stay.
		id := addCustomer(t, acc.api, `{"name":"Buyer","_embedded":{"tags":[{"name":"Regular"},{"id":`+itoa(envyID)+`}]}}`)
		acc.api.Get(t, customerTagsPath).HAL(200).Equal("_embedded.tags.*.name", []string{"Опт", "Regular"})
		acc.api.Patch(t, customerPath(id), `{"_embedded":{"tags":null}}`).HAL(200)
		acc.api.Get(t, customerPath(id)).HAL(200).Equal("_embedded.tags", []any{})
		acc.api.Get(t, customerTagsPath).HAL(200).Equal("_embedded.tags.*.name", []string{"Опт", "Regular"})
		// A tag made in the customers dictionary goes on a customer by name.
		loyal := acc.api.Post(t, customerTagsPath, `[{"name":"Loyal"}]`).HAL(200).Int("_embedded.tags.0.id")
		acc.api.Patch(t, customerPath(id), `{"tags_to_add":[{"name":"LOYAL"}]}`).HAL(200)
		acc.api.Get(t, customerPath(id)).HAL(200).Equal("_embedded.tags.*.id", []int64{loyal})

		// Another account sees none of it.
		other := newAccount(t, env, "Other", "")
		nothing(other.api.Get(t, leadTagsPath))
		nothing(other.api.Get(t, leadTagsPath+"?filter[id]="+itoa(envyID)))
		other.api.Post(t, leadTagsPath, `[{"name":"Опт"}]`).HAL(200)
		if got := other.api.Get(t, leadTagsPath).HAL(200).Int("_embedded.tags.0.id"); got == envyID {
			t.Errorf("another account's Опт has this account's id %d", got)
		}
	})
}

// TestV4TagsRace posts one new name in several spellings at once, to leads
// and to customers: every answer names the one tag, and each dictionary
// lists it once.
func TestV4TagsRace(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Race", "")
		bodies := []string{`[{"name":"Срочно"}]`, `[{"name":"СРОЧНО"}]`, `[{"name":"срочно"}]`, `[{"name":" Срочно "}]`}
		var id int64
		for _, path := range []string{leadTagsPath, customerTagsPath, leadTagsPath} {
			for i, r := range acc.api.Race(t, "POST", path, bodies) {
				got := r.HAL(200).Int("_embedded.tags.0.id")
				if id == 0 {
					id = got
				}
				if got != id {
					t.Errorf("%s, body %d: tag %d, want %d", path, i, got, id)
				}
			}
		}
		for _, path := range []string{leadTagsPath, customerTagsPath} {
			acc.api.Get(t, path).HAL(200).Equal("_embedded.tags.*.id", []int64{id}).Equal("_total_items", 1)
		}
		// Not in the other dictionaries, not even by id.
		nothing(acc.api.Get(t, contactTagsPath+"?filter[id]="+itoa(id)))
		nothing(acc.api.Get(t, companyTagsPath))
	})
}
