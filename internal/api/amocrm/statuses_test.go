package amocrm_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the amoCRM v4 customer statuses API (seed 000), run over
// real HTTP on SQLite and on PostgreSQL. The answers to seed 000's examples
// are golden files, testdata/status_*.golden.json.

// statusKeys are exactly the keys of a status in seed 000's list and get
// examples; the PATCH example adds request_id.
var statusKeys = []string{"_links", "account_id", "color", "conditions", "id", "is_default", "name", "sort", "type"}

// checkStatus checks one status against the seed's shape: exactly the
// documented keys, their kinds, the account and an absolute self link.
func checkStatus(t testing.TB, env *crmtest.Env, s crmtest.JSON, accountID int64) {
	t.Helper()
	s.Keys("", statusKeys...)
	id := s.Int("id")
	if id <= 0 {
		t.Errorf("id = %d, want > 0", id)
	}
	s.Str("name")
	s.Int("sort")
	s.Int("type")
	for key, kind := range map[string]string{"is_default": "bool", "conditions": "array", "color": "string"} {
		if k := crmtest.Kind(s.At(key)); k != kind {
			t.Errorf("%s is %s, want %s", key, k, kind)
		}
	}
	if c := s.Str("color"); !strings.HasPrefix(c, "#") {
		t.Errorf("color = %q, want a #-colour", c)
	}
	s.Equal("account_id", accountID).Equal("_links.self.href", env.URL+statusesPath+"/"+itoa(id))
}

// listStatuses lists the statuses, checking the collection envelope and
// every item (checkStatus).
func listStatuses(t testing.TB, env *crmtest.Env, a account) *crmtest.Reply {
	t.Helper()
	r := a.api.Get(t, statusesPath).HAL(200).
		Keys("", "_embedded", "_links", "_total_items").
		Equal("_links.self.href", env.URL+statusesPath)
	items := r.List("_embedded.statuses")
	r.Equal("_total_items", len(items))
	for _, s := range items {
		checkStatus(t, env, s, a.AccountID)
	}
	return r
}

// addStatuses adds n statuses named prefix+i in one batch and requires
// success; it returns their item paths.
func addStatuses(t testing.TB, a account, prefix string, n int) []string {
	t.Helper()
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"name":"%s%d","sort":%d}`, prefix, i, 100+i)
	}
	created := a.api.Post(t, statusesPath, "["+strings.Join(items, ",")+"]").HAL(200).List("_embedded.statuses")
	if len(created) != n {
		t.Fatalf("added %d statuses, want %d", len(created), n)
	}
	paths := make([]string, n)
	for i, s := range created {
		paths[i] = statusesPath + "/" + itoa(s.Int("id"))
	}
	return paths
}

// TestStatusesSeedExamples replays every request example of seed 000's status
// sections in order and compares the responses with golden files.
func TestStatusesSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Seed Statuses", "periodicity")

		// List: a new account has exactly the four system statuses ("Expected
		// purchase" has type 1 per the type table).
		list := listStatuses(t, env, a).Golden("status_list_new")

		// Add: the exact request example; the answer names the new statuses
		// by id, request_id and link only.
		added := a.api.Post(t, statusesPath, `[
    {
        "name": "Новый статус",
        "sort": 100,
        "color": "#fffeb2"
    },
    {
        "name": "Новый статус 2",
        "sort": 200,
        "color": "#fffeb2"
    }
]`).HAL(200).Golden("status_add")
		var ids []int64
		for _, c := range added.List("_embedded.statuses") {
			ids = append(ids, c.Int("id"))
		}
		if ids[0] == ids[1] {
			t.Fatalf("both created statuses have id %d", ids[0])
		}

		// Get by id: each new status as added, type 0, not default.
		for i, name := range []string{"Новый статус", "Новый статус 2"} {
			s := a.api.Get(t, fmt.Sprintf("%s/%d", statusesPath, ids[i])).HAL(200)
			checkStatus(t, env, s.JSON, a.AccountID)
			s.Equal("id", ids[i]).Equal("name", name).Equal("sort", 100*(i+1)).Equal("color", "#fffeb2").
				Equal("type", 0).Equal("is_default", false).EqualJSON("conditions", `[]`)
		}
		// A system status by id too.
		a.api.Get(t, statusesPath+"/"+itoa(list.Int("_embedded.statuses.1.id"))).HAL(200).Equal("", list.At("_embedded.statuses.1"))

		// The list now has six statuses ordered by sort.
		var sorts []int64
		for _, s := range listStatuses(t, env, a).Equal("_total_items", 6).List("_embedded.statuses") {
			sorts = append(sorts, s.Int("sort"))
		}
		if !slices.IsSorted(sorts) {
			t.Errorf("list is not ordered by sort: %v", sorts)
		}

		// Edit: the exact request example; sort stays 100.
		path := fmt.Sprintf("%s/%d", statusesPath, ids[0])
		a.api.Patch(t, path, `{
    "name": "Новое название для статуса",
    "color": "#c1e0ff"
}`).HAL(200).Golden("status_edit")
		a.api.Get(t, path).HAL(200).Equal("name", "Новое название для статуса").Equal("color", "#c1e0ff").Equal("sort", 100)

		// Delete: 204 with an empty body; the status is gone.
		a.api.Delete(t, path).HAL(204)
		nothing(a.api.Get(t, path))
		a.api.Delete(t, path).Problem(404)
		after := listStatuses(t, env, a).Equal("_total_items", 5)
		after.Sub("_embedded.statuses.name=Новый статус 2")
		if after.Has("_embedded.statuses.name=Новое название для статуса") {
			t.Errorf("the deleted status is listed")
		}
	})
}

// TestStatusesRequestIDAndDefaults: request_id is echoed or the index; the
// colour defaults to one of the palette; added statuses are type 0 and not
// default whatever the body says.
func TestStatusesRequestIDAndDefaults(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Request Ids", "periodicity")
		a.api.Post(t, statusesPath,
			`[{"name":"A","sort":10,"request_id":"first"},{"name":"B","sort":11},{"name":"C","sort":12,"request_id":"third","type":4,"is_default":true}]`).HAL(200).
			Equal("_embedded.statuses.*.request_id", []string{"first", "1", "third"})
		list := listStatuses(t, env, a) // checkStatus: no request_id stored
		for _, name := range []string{"A", "B", "C"} {
			s := list.Sub("_embedded.statuses.name="+name).Equal("type", 0).Equal("is_default", false)
			if c := s.Str("color"); !slices.Contains(crm.StatusColors, c) {
				t.Errorf("status %s has colour %q, not from the palette", name, c)
			}
		}

		path := statusesPath + "/" + itoa(list.Int("_embedded.statuses.name=A.id"))
		a.api.Patch(t, path, `{"sort":42,"request_id":"edit-1"}`).HAL(200).Equal("request_id", "edit-1").Equal("sort", 42).Equal("name", "A")
		if a.api.Get(t, path).HAL(200).Has("request_id") {
			t.Errorf("GET after PATCH shows request_id")
		}
	})
}

// TestStatusesUnauthorized: every status endpoint answers 401 without a valid
// bearer token, and nothing is written.
func TestStatusesUnauthorized(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Unauthorized", "periodicity")
		item := addStatuses(t, a, "Mine", 1)[0]
		before := listStatuses(t, env, a)
		endpoints := []struct{ method, path, body string }{
			{http.MethodGet, statusesPath, ""},
			{http.MethodGet, item, ""},
			{http.MethodPost, statusesPath, `[{"name":"Intruder","sort":1}]`},
			{http.MethodPatch, item, `{"name":"Intruder"}`},
			{http.MethodDelete, item, ""},
		}
		for _, ep := range endpoints {
			for _, c := range badClients(env, a) {
				t.Run(ep.method+" "+ep.path+" "+c.name, func(t *testing.T) {
					c.api.Do(t, ep.method, ep.path, ep.body).Problem(401).
						Equal("detail", "Неверный логин или пароль").Equal("title", "Unauthorized")
				})
			}
		}
		listStatuses(t, env, a).Equal("", before.V)
	})
}

// TestStatusesMemberForbidden: a member may read but not write (403), and the
// refused writes change nothing.
func TestStatusesMemberForbidden(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Members", "periodicity")
		member := account{AccountCredentials: a.AccountCredentials, api: a.member(t, env)}
		item := addStatuses(t, a, "Custom", 1)[0]
		before := listStatuses(t, env, a)

		listStatuses(t, env, member).Equal("_total_items", 5)
		s := member.api.Get(t, item).HAL(200).Equal("name", "Custom0")
		checkStatus(t, env, s.JSON, a.AccountID)

		systemItem := statusesPath + "/" + itoa(before.Int("_embedded.statuses.0.id"))
		for _, c := range []struct{ name, method, path, body string }{
			{"add", http.MethodPost, statusesPath, `[{"name":"By member","sort":1,"color":"#fffeb2"}]`},
			{"edit", http.MethodPatch, item, `{"name":"By member"}`},
			{"edit system", http.MethodPatch, systemItem, `{"color":"#fffeb2"}`},
			{"delete", http.MethodDelete, item, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				member.api.Do(t, c.method, c.path, c.body).Problem(403)
			})
		}
		listStatuses(t, env, a).Equal("", before.V)
	})
}

// TestStatusesNotFound: unknown ids, another account's ids and malformed ids
// are 404 for get, edit and delete, and nothing changes on either account.
func TestStatusesNotFound(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		owner := newAccount(t, env, "Owner A", "periodicity")
		other := newAccount(t, env, "Other B", "periodicity")
		itemB := addStatuses(t, other, "B", 1)[0]
		beforeA, beforeB := listStatuses(t, env, owner), listStatuses(t, env, other)

		for _, c := range []struct{ name, path string }{
			{"unknown id", statusesPath + "/987654321"},
			{"other account's status", itemB},
			{"other account's system status", statusesPath + "/" + itoa(beforeB.Int("_embedded.statuses.0.id"))},
			{"non-numeric", statusesPath + "/abc"},
			{"zero", statusesPath + "/0"},
			{"negative", statusesPath + "/-1"},
			{"fraction", statusesPath + "/1.5"},
			{"overflow", statusesPath + "/99999999999999999999999"},
		} {
			t.Run(c.name, func(t *testing.T) {
				// A missing status (another account's too) is "nothing
				// found" on GET; a malformed id names nothing (404).
				if r := owner.api.Get(t, c.path); strings.Contains(c.name, "id") || strings.Contains(c.name, "status") {
					nothing(r)
				} else {
					r.Problem(404)
				}
				owner.api.Patch(t, c.path, `{"name":"Hijacked"}`).Problem(404)
				owner.api.Delete(t, c.path).Problem(404)
			})
		}
		listStatuses(t, env, owner).Equal("", beforeA.V)
		listStatuses(t, env, other).Equal("", beforeB.V) // nothing changed through A's token
	})
}

// TestStatusesValidation: malformed and invalid bodies are 400 problems with
// validation-errors naming the item by request_id and the field by path; a
// refused request writes nothing.
func TestStatusesValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Validation", "periodicity")
		item := addStatuses(t, a, "Target", 1)[0]
		before := listStatuses(t, env, a)
		v := crmtest.Violated

		// Bodies that do not parse as JSON: 400 without validation-errors.
		for _, c := range []struct{ name, method, path, body string }{
			{"POST truncated", http.MethodPost, statusesPath, `[{"name":"x","sort":1`},
			{"POST garbage", http.MethodPost, statusesPath, `not json`},
			{"POST trailing data", http.MethodPost, statusesPath, `[{"name":"x","sort":1}] []`},
			{"POST whitespace only", http.MethodPost, statusesPath, "   "},
			{"PATCH truncated", http.MethodPatch, item, `{"name":`},
			{"PATCH two objects", http.MethodPatch, item, `{"name":"a"}{"name":"b"}`},
		} {
			t.Run(c.name, func(t *testing.T) {
				if a.api.Do(t, c.method, c.path, c.body).Problem(400).Has("validation-errors") {
					t.Errorf("a parse error carries validation-errors")
				}
			})
		}
		t.Run("POST empty body", func(t *testing.T) {
			a.api.Post(t, statusesPath, "").Problem(400)
		})

		for _, c := range []struct {
			name   string
			method string
			path   string
			body   string
			want   crmtest.Violation
		}{
			{"POST object, not array", http.MethodPost, statusesPath, `{"name":"x","sort":1}`, v("0", "InvalidType", "")},
			{"POST empty array", http.MethodPost, statusesPath, `[]`, v("0", "FieldMissing", "")},
			{"POST item not an object", http.MethodPost, statusesPath, `["x"]`, v("0", "InvalidType", "")},
			{"POST sort string", http.MethodPost, statusesPath, `[{"name":"x","sort":"x"}]`, v("0", "InvalidType", "sort")},
			{"POST sort fraction", http.MethodPost, statusesPath, `[{"name":"x","sort":1.5}]`, v("0", "InvalidType", "sort")},
			{"POST sort overflow", http.MethodPost, statusesPath, `[{"name":"x","sort":99999999999}]`, v("0", "InvalidType", "sort")},
			{"POST name number", http.MethodPost, statusesPath, `[{"name":5,"sort":1}]`, v("0", "InvalidType", "name")},
			{"POST color number", http.MethodPost, statusesPath, `[{"name":"x","sort":1,"color":1}]`, v("0", "InvalidType", "color")},
			{"POST request_id number", http.MethodPost, statusesPath, `[{"name":"x","sort":1,"request_id":7}]`, v("0", "InvalidType", "request_id")},
			{"POST missing name", http.MethodPost, statusesPath, `[{"sort":1}]`, v("0", "FieldMissing", "name")},
			{"POST null name", http.MethodPost, statusesPath, `[{"name":null,"sort":1}]`, v("0", "FieldMissing", "name")},
			{"POST blank name", http.MethodPost, statusesPath, `[{"name":"  ","sort":1}]`, v("0", "NotBlank", "name")},
			{"POST missing sort", http.MethodPost, statusesPath, `[{"name":"x"}]`, v("0", "FieldMissing", "sort")},
			{"POST colour not in palette", http.MethodPost, statusesPath, `[{"name":"x","sort":1,"color":"#000000"}]`, v("0", "NotSupportedChoice", "color")},
			{"POST colour without #", http.MethodPost, statusesPath, `[{"name":"x","sort":1,"color":"fffeb2"}]`, v("0", "NotSupportedChoice", "color")},
			{"POST system colour", http.MethodPost, statusesPath, `[{"name":"x","sort":1,"color":"#ccff66"}]`, v("0", "NotSupportedChoice", "color")},
			{"POST request_id echoed", http.MethodPost, statusesPath, `[{"name":"x","sort":1,"request_id":"mine","color":"#bad"}]`, v("mine", "NotSupportedChoice", "color")},
			{"POST second item by index", http.MethodPost, statusesPath, `[{"name":"ok","sort":1},{"name":"bad"}]`, v("1", "FieldMissing", "sort")},
			{"PATCH no fields", http.MethodPatch, item, `{}`, v("0", "FieldMissing", "")},
			{"PATCH only request_id", http.MethodPatch, item, `{"request_id":"r-1"}`, v("r-1", "FieldMissing", "")},
			{"PATCH only nulls", http.MethodPatch, item, `{"name":null,"sort":null,"color":null}`, v("0", "FieldMissing", "")},
			{"PATCH array body", http.MethodPatch, item, `[{"name":"x"}]`, v("0", "InvalidType", "")},
			{"PATCH sort string", http.MethodPatch, item, `{"sort":"x"}`, v("0", "InvalidType", "sort")},
			{"PATCH name bool", http.MethodPatch, item, `{"name":true}`, v("0", "InvalidType", "name")},
			{"PATCH blank name", http.MethodPatch, item, `{"name":""}`, v("0", "NotBlank", "name")},
			{"PATCH colour not in palette", http.MethodPatch, item, `{"color":"#123456","request_id":"colour"}`, v("colour", "NotSupportedChoice", "color")},
		} {
			t.Run(c.name, func(t *testing.T) {
				a.api.Do(t, c.method, c.path, c.body).WantViolations(c.want)
			})
		}

		t.Run("several items, each under its own request_id", func(t *testing.T) {
			got := a.api.Post(t, statusesPath, `[{"name":"ok","sort":1},{"request_id":"r1"},{"name":"y","sort":2,"color":"nope"}]`).
				WantViolations(v("r1", "FieldMissing", "name"), v("r1", "FieldMissing", "sort"), v("2", "NotSupportedChoice", "color")).
				Violations()
			for _, g := range got {
				if g.RequestID == "0" {
					t.Errorf("the valid item 0 is reported: %+v", g)
				}
			}
		})

		listStatuses(t, env, a).Equal("", before.V) // refused requests changed nothing
	})
}

// TestStatusesBatchAllOrNothing: one bad item in a batch of three creates none.
func TestStatusesBatchAllOrNothing(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Batch", "periodicity")
		before := listStatuses(t, env, a)
		for _, bad := range []string{
			`{"name":"Batch 2","sort":"x"}`,
			`{"name":"Batch 2","sort":2,"color":"#000000"}`,
			`{"sort":2}`,
			`"not an object"`,
		} {
			t.Run(bad, func(t *testing.T) {
				got := a.api.Post(t, statusesPath, `[{"name":"Batch 1","sort":1},`+bad+`,{"name":"Batch 3","sort":3}]`).Violations()
				for _, g := range got {
					if g.RequestID != "1" {
						t.Errorf("violation for item %q, only item 1 is bad: %+v", g.RequestID, got)
					}
				}
			})
		}
		listStatuses(t, env, a).Equal("", before.V) // a refused batch wrote nothing
		// The same batch without the bad item goes through whole.
		addStatuses(t, a, "Batch ", 3)
		listStatuses(t, env, a).Equal("_total_items", 7)
	})
}

// TestStatusesModeDisabled: every status endpoint is 422 unless periodicity
// mode is on, and refused writes change nothing.
func TestStatusesModeDisabled(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		// Learn the ids while the mode is on, then switch it off.
		a := newAccount(t, env, "Mode Off", "periodicity")
		custom := addStatuses(t, a, "Kept", 1)[0]
		before := listStatuses(t, env, a)
		system := statusesPath + "/" + itoa(before.Int("_embedded.statuses.0.id"))

		for _, mode := range []struct {
			name  string
			apply func(t *testing.T)
		}{
			{"disabled", func(t *testing.T) { setMode(t, a.api, "periodicity", false) }},
			{"segments", func(t *testing.T) { setMode(t, a.api, "segments", true) }},
		} {
			t.Run(mode.name, func(t *testing.T) {
				mode.apply(t)
				for _, c := range []struct{ name, method, path, body string }{
					{"list", http.MethodGet, statusesPath, ""},
					{"get", http.MethodGet, custom, ""},
					{"get system", http.MethodGet, system, ""},
					{"add", http.MethodPost, statusesPath, `[{"name":"While off","sort":1}]`},
					{"edit", http.MethodPatch, custom, `{"name":"While off"}`},
					{"delete", http.MethodDelete, custom, ""},
				} {
					t.Run(c.name, func(t *testing.T) {
						a.api.Do(t, c.method, c.path, c.body).Problem(422)
					})
				}
			})
		}
		setMode(t, a.api, "periodicity", true)
		listStatuses(t, env, a).Equal("", before.V) // requests refused with 422 changed nothing
	})
}

// TestStatusesModeDisabledNewAccount: a brand-new account has customers
// disabled, so even listing is 422.
func TestStatusesModeDisabledNewAccount(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Fresh", "")
		a.api.Get(t, statusesPath).Problem(422)
		a.api.Post(t, statusesPath, `[{"name":"x","sort":1}]`).Problem(422)
	})
}

// TestStatusesLimit: at most 30 statuses including the 4 system ones; a batch
// that would cross the limit writes nothing.
func TestStatusesLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Limit", "periodicity")

		addStatuses(t, a, "First", 24)
		before := listStatuses(t, env, a).Equal("_total_items", 28)
		a.api.Post(t, statusesPath, `[{"name":"Over 1","sort":1},{"name":"Over 2","sort":2},{"name":"Over 3","sort":3}]`).Problem(422)
		listStatuses(t, env, a).Equal("", before.V) // the batch crossing the limit wrote nothing

		last := addStatuses(t, a, "Last", 2) // 26 added + 4 system = 30
		before = listStatuses(t, env, a).Equal("_total_items", crm.MaxCustomerStatuses)
		a.api.Post(t, statusesPath, `[{"name":"The 27th","sort":1}]`).Problem(422)
		listStatuses(t, env, a).Equal("", before.V) // the 27th was not written

		// Edits are not creates: the full account can still be edited.
		a.api.Patch(t, last[0], `{"name":"Renamed at the limit"}`).HAL(200)

		// Deleting one frees a place for exactly one more.
		a.api.Delete(t, last[1]).Expect(204)
		addStatuses(t, a, "Refill", 1)
		a.api.Post(t, statusesPath, `[{"name":"Again","sort":1}]`).Problem(422)
		listStatuses(t, env, a).Equal("_total_items", crm.MaxCustomerStatuses)
	})
}

// TestStatusesSystemStatuses: system statuses cannot be deleted (400) and stay;
// they may be renamed and keep their type and is_default.
func TestStatusesSystemStatuses(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "System", "periodicity")
		before := listStatuses(t, env, a)
		for _, s := range before.List("_embedded.statuses") {
			path := statusesPath + "/" + itoa(s.Int("id"))
			t.Run(s.Str("name"), func(t *testing.T) {
				if d := a.api.Delete(t, path).Problem(400).Str("detail"); !strings.Contains(strings.ToLower(d), "system") {
					t.Errorf("detail %q does not say why", d)
				}
				a.api.Get(t, path).HAL(200)
			})
		}
		listStatuses(t, env, a).Equal("", before.V) // refused deletes changed nothing

		closed := before.Sub("_embedded.statuses.3")
		a.api.Patch(t, statusesPath+"/"+itoa(closed.Int("id")), `{"name":"Закрыт","color":"#e6e8ea"}`).HAL(200).
			Equal("name", "Закрыт").Equal("color", "#e6e8ea").Equal("type", 3).Equal("is_default", true).
			EqualJSON("conditions", `[[{"type":"after_today","match":{"value":60},"conditions":[{"value":60}]}]]`)
	})
}

// TestStatusesContentTypeOnBodylessRequests: GET and DELETE accept a
// Content-Type: application/json header without a body.
func TestStatusesContentTypeOnBodylessRequests(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Headers", "periodicity")
		item := addStatuses(t, a, "Doomed", 1)[0]
		asJSON := a.api.With("Content-Type: application/json")

		asJSON.Get(t, statusesPath).HAL(200).Equal("_total_items", 5)
		asJSON.Get(t, item).HAL(200).Equal("name", "Doomed0")
		asJSON.Delete(t, item).HAL(204)
		listStatuses(t, env, a).Equal("_total_items", 4)
	})
}

// TestStatusesOversizedBody: a body over 1 MiB is a 413 problem and writes
// nothing, even when it is valid JSON.
func TestStatusesOversizedBody(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Big", "periodicity")
		item := addStatuses(t, a, "Small", 1)[0]
		before := listStatuses(t, env, a)
		pad := strings.Repeat(" ", 1<<20)

		a.api.Post(t, statusesPath, `[{"name":"Huge","sort":1}`+pad+`]`).Problem(413)
		a.api.Patch(t, item, `{"name":"Huge"`+pad+`}`).Problem(413)
		listStatuses(t, env, a).Equal("", before.V) // oversized requests changed nothing
		// Just under the limit is accepted.
		body := `[{"name":"Almost","sort":1}]`
		body = body[:len(body)-1] + strings.Repeat(" ", (1<<20)-len(body)) + "]"
		if len(body) != 1<<20 {
			t.Fatalf("body is %d bytes", len(body))
		}
		a.api.Post(t, statusesPath, body).HAL(200)
	})
}

// TestStatusesConcurrentLimit: 20 clients each adding 2 statuses at once can
// not push the account past 30; each request either succeeds whole or is 422.
func TestStatusesConcurrentLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Race", "periodicity")
		const clients = 20
		bodies := make([]string, clients)
		for i := range bodies {
			bodies[i] = fmt.Sprintf(`[{"name":"Race %d a","sort":%d},{"name":"Race %d b","sort":%d}]`, i, 2*i, i, 2*i+1)
		}
		ok := 0
		var created []int64
		for i, r := range a.api.Race(t, http.MethodPost, statusesPath, bodies) {
			switch r.Status {
			case http.StatusOK:
				ok++
				items := r.HAL(200).List("_embedded.statuses")
				if len(items) != 2 {
					t.Errorf("client %d: created %d statuses, want 2", i, len(items))
				}
				for _, it := range items {
					created = append(created, it.Int("id"))
				}
			case http.StatusUnprocessableEntity:
				r.Problem(422)
			default:
				t.Errorf("client %d: status %d, want 200 or 422: %s", i, r.Status, r.Body)
			}
		}
		list := listStatuses(t, env, a)
		listed := list.At("_embedded.statuses.*.id").([]any)
		if len(listed) > crm.MaxCustomerStatuses {
			t.Fatalf("%d statuses after the race, the limit is %d", len(listed), crm.MaxCustomerStatuses)
		}
		if want := 4 + 2*ok; len(listed) != want {
			t.Errorf("%d statuses listed, but %d requests succeeded (want %d)", len(listed), ok, want)
		}
		// 26 free places, 2 per request: exactly 13 fit.
		if ok != 13 {
			t.Errorf("%d requests succeeded, want 13", ok)
		}
		for _, id := range created {
			if !list.Has(fmt.Sprintf("_embedded.statuses.id=%d", id)) {
				t.Errorf("status %d was reported created but is not listed", id)
			}
		}
	})
}
