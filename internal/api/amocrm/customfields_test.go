package amocrm_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// sgFieldKeys are the keys of a segment custom field as crmd answers it
// (companion §4.2, the keys that apply to segments).
var sgFieldKeys = []string{"_links", "account_id", "code", "entity_type", "enums", "id", "is_api_only", "name", "required_statuses", "sort", "type"}

// sgGetField reads a segment custom field.
func sgGetField(t testing.TB, env *crmtest.Env, token string, id int64) map[string]any {
	t.Helper()
	return sgMust(t, env.Do(t, http.MethodGet, sgFieldsPath+"/"+sgItoa(id), token, ""), http.StatusOK)
}

// sgPatchField patches a segment custom field and expects 201.
func sgPatchField(t testing.TB, env *crmtest.Env, token string, id int64, body string) map[string]any {
	t.Helper()
	return sgMust(t, env.Do(t, http.MethodPatch, sgFieldsPath+"/"+sgItoa(id), token, body), http.StatusCreated)
}

// sgFieldList reads a page of the segment custom fields list.
func sgFieldList(t testing.TB, env *crmtest.Env, token, query string) (map[string]any, []map[string]any) {
	t.Helper()
	path := sgFieldsPath
	if query != "" {
		path += "?" + query
	}
	m := sgMust(t, env.Do(t, http.MethodGet, path, token, ""), http.StatusOK)
	var items []map[string]any
	for _, f := range sgArr(t, sgObj(t, m["_embedded"], "_embedded")["custom_fields"], "custom_fields") {
		items = append(items, sgObj(t, f, "custom field"))
	}
	return m, items
}

// sgFieldCount returns _total_items of the segment custom fields list.
func sgFieldCount(t testing.TB, env *crmtest.Env, token string) int64 {
	t.Helper()
	m, _ := sgFieldList(t, env, token, "")
	return sgIntOf(t, m, "_total_items")
}

// sgFieldIDs returns the ids of fields, in order.
func sgFieldIDs(t testing.TB, fields []map[string]any) []int64 {
	t.Helper()
	ids := make([]int64, 0, len(fields))
	for _, f := range fields {
		ids = append(ids, sgIntOf(t, f, "id"))
	}
	return ids
}

// sgEnums returns a field's enums as id → value.
func sgEnums(t testing.TB, field map[string]any) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for _, e := range sgArr(t, field["enums"], "enums") {
		eo := sgObj(t, e, "enum")
		v, _ := eo["value"].(string)
		out[sgIntOf(t, eo, "id")] = v
	}
	return out
}

// sgCheckField checks the shape of a field object and the values every field has.
func sgCheckField(t testing.TB, env *crmtest.Env, accountID int64, f map[string]any, name, typ string) {
	t.Helper()
	keys := slices.DeleteFunc(sgKeys(f), func(k string) bool { return k == "request_id" })
	if !reflect.DeepEqual(keys, sgFieldKeys) {
		t.Errorf("field keys %v, want %v", keys, sgFieldKeys)
	}
	if f["name"] != name || f["type"] != typ || f["entity_type"] != "segments" || f["is_api_only"] != false {
		t.Errorf("field name %v type %v entity_type %v is_api_only %v, want %q %q segments false", f["name"], f["type"], f["entity_type"], f["is_api_only"], name, typ)
	}
	if id := sgIntOf(t, f, "id"); id <= 0 {
		t.Errorf("id %d", id)
	}
	sgIntOf(t, f, "sort")
	if a := sgIntOf(t, f, "account_id"); a != accountID {
		t.Errorf("account_id %d, want %d", a, accountID)
	}
	if c := f["code"]; c != nil {
		if s, ok := c.(string); !ok || s == "" {
			t.Errorf("code %v, want null or a non-empty string", c)
		}
	}
	if rs := sgArr(t, f["required_statuses"], "required_statuses"); len(rs) != 0 {
		t.Errorf("required_statuses %v", rs)
	}
	hasEnums := typ == "select" || typ == "multiselect" || typ == "radiobutton"
	if hasEnums {
		for _, e := range sgArr(t, f["enums"], "enums") {
			eo := sgObj(t, e, "enum")
			if keys := sgKeys(eo); !reflect.DeepEqual(keys, []string{"code", "id", "sort", "value"}) {
				t.Errorf("enum keys %v", keys)
			}
			sgIntOf(t, eo, "id")
			sgIntOf(t, eo, "sort")
		}
	} else if f["enums"] != nil {
		t.Errorf("enums of a %s field: %v, want null", typ, f["enums"])
	}
	if href, want := sgHref(t, f, "self"), env.URL+sgFieldsPath+"/"+sgID(t, f); href != want {
		t.Errorf("_links.self.href %q, want %q", href, want)
	}
}

// TestSegmentCustomFieldCreate checks a batch create: 201, the envelope,
// request_id echo or index, and enums with ids.
func TestSegmentCustomFieldCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Fields")
		token := acc.AmoCRMToken
		resp := env.Do(t, http.MethodPost, sgFieldsPath, token, `[
			{"name":"Описание","type":"text","code":"DESCR","sort":10,"request_id":"first"},
			{"name":"Список","type":"select","enums":[{"value":"A","sort":1},{"value":"B","sort":2,"code":"B_CODE"}]},
			{"name":"  Флаг  ","type":"checkbox"}
		]`)
		m := sgMust(t, resp, http.StatusCreated)
		if keys := sgKeys(m); !reflect.DeepEqual(keys, []string{"_embedded", "_total_items"}) {
			t.Errorf("envelope keys %v", keys)
		}
		if n := sgIntOf(t, m, "_total_items"); n != 3 {
			t.Errorf("_total_items %d, want 3", n)
		}
		items := sgArr(t, sgObj(t, m["_embedded"], "_embedded")["custom_fields"], "custom_fields")
		if len(items) != 3 {
			t.Fatalf("%d fields, want 3", len(items))
		}
		text, list, flag := sgObj(t, items[0], "0"), sgObj(t, items[1], "1"), sgObj(t, items[2], "2")
		sgCheckField(t, env, acc.AccountID, text, "Описание", "text")
		sgCheckField(t, env, acc.AccountID, list, "Список", "select")
		sgCheckField(t, env, acc.AccountID, flag, "Флаг", "checkbox")
		for i, want := range []string{"first", "1", "2"} {
			if got := sgObj(t, items[i], "item")["request_id"]; got != want {
				t.Errorf("item %d request_id %v, want %q", i, got, want)
			}
		}
		if text["code"] != "DESCR" || sgIntOf(t, text, "sort") != 10 {
			t.Errorf("text code %v sort %v, want DESCR 10", text["code"], text["sort"])
		}
		if list["code"] != nil {
			t.Errorf("code of a field without one: %v, want null", list["code"])
		}
		enums := sgArr(t, list["enums"], "enums")
		if len(enums) != 2 {
			t.Fatalf("enums %v, want 2", enums)
		}
		a, b := sgObj(t, enums[0], "enum A"), sgObj(t, enums[1], "enum B")
		if a["value"] != "A" || sgIntOf(t, a, "sort") != 1 || a["code"] != nil ||
			b["value"] != "B" || sgIntOf(t, b, "sort") != 2 || b["code"] != "B_CODE" {
			t.Errorf("enums %v", enums)
		}
		if sgIntOf(t, a, "id") == sgIntOf(t, b, "id") {
			t.Errorf("enums share an id: %v", enums)
		}
		ids := sgFieldIDs(t, []map[string]any{text, list, flag})
		if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
			t.Errorf("fields share ids: %v", ids)
		}
		// GET answers the stored field: the same object without request_id.
		for _, f := range []map[string]any{text, list, flag} {
			got := sgGetField(t, env, token, sgIntOf(t, f, "id"))
			want := map[string]any{}
			for k, v := range f {
				if k != "request_id" {
					want[k] = v
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("GET field:\n got %v\nwant %v", got, want)
			}
		}
		if n := sgFieldCount(t, env, token); n != 3 {
			t.Errorf("%d fields listed, want 3", n)
		}
	})
}

// TestSegmentCustomFieldTypes checks which types segments accept and the
// validation of a new field.
func TestSegmentCustomFieldTypes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Types")
		token := acc.AmoCRMToken
		allowed := []string{"text", "numeric", "checkbox", "select", "multiselect", "date", "url", "date_time", "textarea", "radiobutton", "streetaddress"}
		for _, typ := range allowed {
			t.Run("allowed "+typ, func(t *testing.T) {
				enums := ""
				if typ == "select" || typ == "multiselect" || typ == "radiobutton" {
					enums = `,"enums":[{"value":"one","sort":1},{"value":"two","sort":2}]`
				}
				fields := sgCreateFields(t, env, token, fmt.Sprintf(`[{"name":"Field %s","type":%q%s}]`, typ, typ, enums))
				if len(fields) != 1 {
					t.Fatalf("%d fields", len(fields))
				}
				sgCheckField(t, env, acc.AccountID, fields[0], "Field "+typ, typ)
				if enums != "" {
					if got := sgEnums(t, fields[0]); len(got) != 2 {
						t.Errorf("enums %v", got)
					}
				}
			})
		}
		refused := []string{"multitext", "birthday", "smart_address", "legal_entity", "price", "category", "items",
			"tracking_data", "linked_entity", "chained_list", "monetary", "file", "payer", "supplier", "TEXT", "bogus"}
		for _, typ := range refused {
			t.Run("refused "+typ, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodPost, sgFieldsPath, token, fmt.Sprintf(`[{"name":"F","type":%q}]`, typ)),
					sgViolation{"0", "NotSupportedChoice", "type"})
			})
		}
		invalid := []struct {
			name, body string
			want       sgViolation
		}{
			{"select without enums", `[{"name":"F","type":"select"}]`, sgViolation{"0", "FieldMissing", "enums"}},
			{"multiselect with empty enums", `[{"name":"F","type":"multiselect","enums":[]}]`, sgViolation{"0", "FieldMissing", "enums"}},
			{"radiobutton with null enums", `[{"name":"F","type":"radiobutton","enums":null}]`, sgViolation{"0", "FieldMissing", "enums"}},
			{"enums on a text field", `[{"name":"F","type":"text","enums":[{"value":"x"}]}]`, sgViolation{"0", "FieldNotExpected", "enums"}},
			{"duplicate enum values", `[{"name":"F","type":"select","enums":[{"value":"x"},{"value":"x"}]}]`, sgViolation{"0", "InvalidValue", "enums.1.value"}},
			{"blank enum value", `[{"name":"F","type":"select","enums":[{"value":" "}]}]`, sgViolation{"0", "NotBlank", "enums.0.value"}},
			{"enum value not a string", `[{"name":"F","type":"select","enums":[{"value":1}]}]`, sgViolation{"0", "InvalidType", "enums.0.value"}},
			{"enums not an array", `[{"name":"F","type":"select","enums":{"value":"x"}}]`, sgViolation{"0", "InvalidType", "enums"}},
			{"bad enum code", `[{"name":"F","type":"select","enums":[{"value":"x","code":"a b"}]}]`, sgViolation{"0", "InvalidValue", "enums.0.code"}},
			{"missing type", `[{"name":"F"}]`, sgViolation{"0", "FieldMissing", "type"}},
			{"type not a string", `[{"name":"F","type":1}]`, sgViolation{"0", "InvalidType", "type"}},
			{"missing name", `[{"type":"text"}]`, sgViolation{"0", "FieldMissing", "name"}},
			{"blank name", `[{"name":"  ","type":"text"}]`, sgViolation{"0", "NotBlank", "name"}},
			{"name not a string", `[{"name":["F"],"type":"text"}]`, sgViolation{"0", "InvalidType", "name"}},
			{"sort not an int", `[{"name":"F","type":"text","sort":"1"}]`, sgViolation{"0", "InvalidType", "sort"}},
			{"bad code", `[{"name":"F","type":"text","code":"has space"}]`, sgViolation{"0", "InvalidValue", "code"}},
			{"item not an object", `["text"]`, sgViolation{"0", "InvalidType", ""}},
			{"body an object", `{"name":"F","type":"text"}`, sgViolation{"0", "InvalidType", ""}},
			{"empty batch", `[]`, sgViolation{"0", "FieldMissing", ""}},
			{"named item", `[{"name":"F","type":"text"},{"name":"G","type":"nope","request_id":"g"}]`, sgViolation{"g", "NotSupportedChoice", "type"}},
		}
		for _, c := range invalid {
			t.Run(c.name, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodPost, sgFieldsPath, token, c.body), c.want)
			})
		}
		t.Run("malformed JSON", func(t *testing.T) {
			sgProblem(t, env.Do(t, http.MethodPost, sgFieldsPath, token, `[{"name":"F",`), http.StatusBadRequest)
		})
		if n := sgFieldCount(t, env, token); n != int64(len(allowed)) {
			t.Errorf("%d fields, want only the %d allowed ones", n, len(allowed))
		}
	})
}

// TestSegmentCustomFieldBatchAtomic checks that a batch with one bad item
// writes nothing.
func TestSegmentCustomFieldBatchAtomic(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := env.NewAccount(t, "Atomic").AmoCRMToken
		sgCreateFields(t, env, token, `[{"name":"Existing","type":"text","code":"TAKEN"}]`)
		for _, c := range []struct {
			name, body string
			want       sgViolation
		}{
			{"last item invalid", `[{"name":"A","type":"text"},{"name":"B","type":"numeric"},{"name":"C","type":"birthday"}]`, sgViolation{"2", "NotSupportedChoice", "type"}},
			{"first item invalid", `[{"name":"","type":"text"},{"name":"B","type":"numeric"}]`, sgViolation{"0", "NotBlank", "name"}},
			{"code repeated in the batch", `[{"name":"A","type":"text","code":"SAME"},{"name":"B","type":"text","code":"same"}]`, sgViolation{"1", "InvalidValue", "code"}},
			{"code of an existing field", `[{"name":"A","type":"text"},{"name":"B","type":"text","code":"taken"}]`, sgViolation{"1", "InvalidValue", "code"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodPost, sgFieldsPath, token, c.body), c.want)
				if _, items := sgFieldList(t, env, token, ""); len(items) != 1 || items[0]["name"] != "Existing" {
					t.Errorf("fields after a refused batch: %v", items)
				}
			})
		}
	})
}

// TestSegmentCustomFieldLimit checks the limit of 30 segment custom fields.
func TestSegmentCustomFieldLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := env.NewAccount(t, "Limit").AmoCRMToken
		batch := func(from, n int) string {
			var items []string
			for i := from; i < from+n; i++ {
				items = append(items, fmt.Sprintf(`{"name":"F%d","type":"text"}`, i))
			}
			return "[" + strings.Join(items, ",") + "]"
		}
		if got := sgCreateFields(t, env, token, batch(1, 29)); len(got) != 29 {
			t.Fatalf("created %d, want 29", len(got))
		}
		sgProblem(t, env.Do(t, http.MethodPost, sgFieldsPath, token, batch(30, 2)), http.StatusUnprocessableEntity)
		if n := sgFieldCount(t, env, token); n != 29 {
			t.Fatalf("%d fields after a refused batch of 2, want 29", n)
		}
		thirtieth := sgCreateFields(t, env, token, batch(30, 1))
		if n := sgFieldCount(t, env, token); n != 30 {
			t.Fatalf("%d fields, want 30", n)
		}
		sgProblem(t, env.Do(t, http.MethodPost, sgFieldsPath, token, batch(31, 1)), http.StatusUnprocessableEntity)
		m, items := sgFieldList(t, env, token, "limit=250")
		if n := sgIntOf(t, m, "_total_items"); n != 30 || len(items) != 30 {
			t.Errorf("%d fields (%d listed) after the refused 31st, want 30", n, len(items))
		}
		for _, f := range items {
			if f["name"] == "F31" {
				t.Errorf("the refused 31st field was written")
			}
		}
		// Another account has its own 30.
		sgCreateFields(t, env, env.NewAccount(t, "Other").AmoCRMToken, batch(1, 1))
		// Deleting one makes room again.
		sgOK(t, env.Do(t, http.MethodDelete, sgFieldsPath+"/"+sgID(t, thirtieth[0]), token, ""), http.StatusNoContent)
		sgCreateFields(t, env, token, batch(31, 1))

		t.Run("concurrent creates do not race past the limit", func(t *testing.T) {
			racer := env.NewAccount(t, "Racer").AmoCRMToken
			sgCreateFields(t, env, racer, batch(1, 27))
			bodies := make([]string, 10)
			for i := range bodies {
				bodies[i] = batch(100+i, 1)
			}
			statuses := sgRace(t, env, racer, sgFieldsPath, bodies)
			if ok, refused := sgCount(statuses, http.StatusCreated), sgCount(statuses, http.StatusUnprocessableEntity); ok != 3 || refused != 7 {
				t.Errorf("statuses %v: %d created and %d refused, want 3 and 7", statuses, ok, refused)
			}
			if n := sgFieldCount(t, env, racer); n != 30 {
				t.Errorf("%d fields after the race, want 30", n)
			}
		})
	})
}

// TestSegmentCustomFieldList checks paging, filter[type] and order.
func TestSegmentCustomFieldList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "List")
		token := acc.AmoCRMToken
		// Sorts fall as ids rise, so that "by sort" and "by id" differ.
		created := sgCreateFields(t, env, token, `[
			{"name":"T1","type":"text","sort":50},
			{"name":"S1","type":"select","sort":40,"enums":[{"value":"a"}]},
			{"name":"N1","type":"numeric","sort":30},
			{"name":"S2","type":"select","sort":20,"enums":[{"value":"b"}]},
			{"name":"T2","type":"text","sort":10}
		]`)
		ids := sgFieldIDs(t, created)
		bySort := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}
		url := func(rest string) string { return env.URL + sgFieldsPath + "?" + rest }

		t.Run("default", func(t *testing.T) {
			m, items := sgFieldList(t, env, token, "")
			if got := sgFieldIDs(t, items); !reflect.DeepEqual(got, bySort) {
				t.Errorf("ids %v, want by sort %v", got, bySort)
			}
			if sgIntOf(t, m, "_total_items") != 5 || sgIntOf(t, m, "_page") != 1 || sgIntOf(t, m, "_page_count") != 1 {
				t.Errorf("envelope %v %v %v", m["_total_items"], m["_page"], m["_page_count"])
			}
			if got := sgHref(t, m, "self"); got != url("page=1&limit=50") {
				t.Errorf("self %q", got)
			}
			if sgHref(t, m, "next") != "" || sgHref(t, m, "prev") != "" {
				t.Errorf("one page with next/prev: %v", m["_links"])
			}
			for i, f := range items {
				sgCheckField(t, env, acc.AccountID, f, f["name"].(string), f["type"].(string))
				if f["request_id"] != nil {
					t.Errorf("item %d has request_id", i)
				}
			}
		})
		pages := []struct {
			page                        int
			ids                         []int64
			next, prev, first, lastLink string
		}{
			{1, bySort[0:2], url("page=2&limit=2"), "", "", url("page=3&limit=2")},
			{2, bySort[2:4], url("page=3&limit=2"), url("page=1&limit=2"), url("page=1&limit=2"), url("page=3&limit=2")},
			{3, bySort[4:5], "", url("page=2&limit=2"), url("page=1&limit=2"), url("page=3&limit=2")},
		}
		for _, p := range pages {
			t.Run(fmt.Sprintf("page %d of 3", p.page), func(t *testing.T) {
				m, items := sgFieldList(t, env, token, fmt.Sprintf("page=%d&limit=2", p.page))
				if got := sgFieldIDs(t, items); !reflect.DeepEqual(got, p.ids) {
					t.Errorf("ids %v, want %v", got, p.ids)
				}
				if sgIntOf(t, m, "_total_items") != 5 || sgIntOf(t, m, "_page") != int64(p.page) || sgIntOf(t, m, "_page_count") != 3 {
					t.Errorf("envelope %v %v %v", m["_total_items"], m["_page"], m["_page_count"])
				}
				for rel, want := range map[string]string{"self": url(fmt.Sprintf("page=%d&limit=2", p.page)), "next": p.next, "prev": p.prev, "first": p.first, "last": p.lastLink} {
					if got := sgHref(t, m, rel); got != want {
						t.Errorf("%s %q, want %q", rel, got, want)
					}
				}
			})
		}
		t.Run("page beyond the end", func(t *testing.T) {
			m, items := sgFieldList(t, env, token, "page=9&limit=2")
			if len(items) != 0 || sgIntOf(t, m, "_total_items") != 5 {
				t.Errorf("page 9: %d items, total %v", len(items), m["_total_items"])
			}
		})
		filters := []struct {
			query string
			want  []int64
		}{
			{"filter[type][]=select", []int64{ids[3], ids[1]}},
			{"filter%5Btype%5D%5B%5D=select", []int64{ids[3], ids[1]}},
			{"filter[type][0]=text&filter[type][1]=numeric", []int64{ids[4], ids[2], ids[0]}},
			{"filter[type]=numeric", []int64{ids[2]}},
			{"filter[type][]=date", nil},
			{"filter[type][]=select&order[id]=asc", []int64{ids[1], ids[3]}},
			{"order[id]=desc", []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
			{"order[id]=asc", ids},
			{"order[sort]=desc", ids},
			{"order[sort]=asc", bySort},
			{"order[id]=DESC", []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		}
		for _, c := range filters {
			t.Run(c.query, func(t *testing.T) {
				m, items := sgFieldList(t, env, token, c.query)
				if got := sgFieldIDs(t, items); !slices.Equal(got, c.want) {
					t.Errorf("ids %v, want %v", got, c.want)
				}
				if n := sgIntOf(t, m, "_total_items"); n != int64(len(c.want)) {
					t.Errorf("_total_items %d, want %d", n, len(c.want))
				}
			})
		}
		t.Run("next link keeps the filter", func(t *testing.T) {
			m, items := sgFieldList(t, env, token, "filter[type][]=select&limit=1")
			next := sgHref(t, m, "next")
			if len(items) != 1 || !strings.HasPrefix(next, env.URL+sgFieldsPath+"?page=2&limit=1&") {
				t.Fatalf("items %v next %q", sgFieldIDs(t, items), next)
			}
			m2 := sgMust(t, env.Do(t, http.MethodGet, strings.TrimPrefix(next, env.URL), token, ""), http.StatusOK)
			var second []map[string]any
			for _, f := range sgArr(t, sgObj(t, m2["_embedded"], "_embedded")["custom_fields"], "custom_fields") {
				second = append(second, sgObj(t, f, "field"))
			}
			if got := append(sgFieldIDs(t, items), sgFieldIDs(t, second)...); !reflect.DeepEqual(got, []int64{ids[3], ids[1]}) {
				t.Errorf("following next gave %v, want both selects", got)
			}
		})
		for _, c := range []struct {
			query string
			want  sgViolation
		}{
			{"order[id]=sideways", sgViolation{"0", "NotSupportedChoice", "order[id]"}},
			{"limit=251", sgViolation{"0", "OutOfRange", "limit"}},
			{"limit=abc", sgViolation{"0", "InvalidType", "limit"}},
			{"page=0", sgViolation{"0", "OutOfRange", "page"}},
		} {
			t.Run(c.query, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodGet, sgFieldsPath+"?"+c.query, token, ""), c.want)
			})
		}
		t.Run("another account sees none", func(t *testing.T) {
			if n := sgFieldCount(t, env, env.NewAccount(t, "Other").AmoCRMToken); n != 0 {
				t.Errorf("another account lists %d fields", n)
			}
		})
	})
}

// TestSegmentCustomFieldGetPatch checks GET by id and PATCH of name, sort,
// code and the refusals of PATCH.
func TestSegmentCustomFieldGetPatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Patch")
		token := acc.AmoCRMToken
		sgSetMode(t, env, token, "segments", true)
		fields := sgCreateFields(t, env, token, `[{"name":"Текст","type":"text","sort":5},{"name":"Список","type":"select","enums":[{"value":"a","sort":1},{"value":"b","sort":2}]}]`)
		text, list := fields[0], fields[1]
		textID, listID := sgIntOf(t, text, "id"), sgIntOf(t, list, "id")
		otherField := sgCreateFields(t, env, env.NewAccount(t, "Other").AmoCRMToken, `[{"name":"Theirs","type":"text"}]`)[0]

		got := sgGetField(t, env, token, textID)
		sgCheckField(t, env, acc.AccountID, got, "Текст", "text")
		for _, id := range []string{"999999", sgID(t, otherField), "abc", "0"} {
			t.Run("404 "+id, func(t *testing.T) {
				sgProblem(t, env.Do(t, http.MethodGet, sgFieldsPath+"/"+id, token, ""), http.StatusNotFound)
				sgProblem(t, env.Do(t, http.MethodPatch, sgFieldsPath+"/"+id, token, `{"name":"Mine"}`), http.StatusNotFound)
				sgProblem(t, env.Do(t, http.MethodDelete, sgFieldsPath+"/"+id, token, ""), http.StatusNotFound)
			})
		}

		t.Run("name and sort", func(t *testing.T) {
			p := sgPatchField(t, env, token, textID, `{"name":"Новое имя","sort":7}`)
			sgCheckField(t, env, acc.AccountID, p, "Новое имя", "text")
			if sgIntOf(t, p, "sort") != 7 || sgIntOf(t, p, "id") != textID || p["code"] != nil {
				t.Errorf("after PATCH: id %v sort %v code %v", p["id"], p["sort"], p["code"])
			}
			g := sgGetField(t, env, token, textID)
			if g["name"] != "Новое имя" || sgIntOf(t, g, "sort") != 7 || g["type"] != "text" {
				t.Errorf("GET after PATCH: %v", g)
			}
		})
		t.Run("code, then used as field_code", func(t *testing.T) {
			p := sgPatchField(t, env, token, textID, `{"code":"NEW_CODE"}`)
			if p["code"] != "NEW_CODE" || p["name"] != "Новое имя" {
				t.Errorf("after PATCH code: %v", p)
			}
			seg := sgAddSegment(t, env, token, `{"name":"By code","custom_fields_values":[{"field_code":"NEW_CODE","values":[{"value":"v"}]}]}`)
			sgCheckValue(t, seg, textID, "Новое имя", "NEW_CODE", "text", map[string]any{"value": "v"})
		})
		t.Run("renaming shows in segments", func(t *testing.T) {
			seg := sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Rename","custom_fields_values":[{"field_id":%d,"values":[{"value":"v"}]}]}`, textID))
			sgPatchField(t, env, token, textID, `{"name":"Третье имя"}`)
			sgCheckValue(t, sgGetSegment(t, env, token, sgID(t, seg)), textID, "Третье имя", "NEW_CODE", "text", map[string]any{"value": "v"})
		})
		before := sgGetField(t, env, token, textID)
		beforeList := sgGetField(t, env, token, listID)
		for _, c := range []struct {
			name string
			id   int64
			body string
			want sgViolation
		}{
			{"type", textID, `{"type":"numeric"}`, sgViolation{"0", "FieldNotExpected", "type"}},
			{"type with a name", textID, `{"name":"X","type":"text"}`, sgViolation{"0", "FieldNotExpected", "type"}},
			{"no fields", textID, `{}`, sgViolation{"0", "FieldMissing", ""}},
			{"blank name", textID, `{"name":" "}`, sgViolation{"0", "NotBlank", "name"}},
			{"name not a string", textID, `{"name":1}`, sgViolation{"0", "InvalidType", "name"}},
			{"sort not an int", textID, `{"sort":"1"}`, sgViolation{"0", "InvalidType", "sort"}},
			{"bad code", textID, `{"code":"no-dashes"}`, sgViolation{"0", "InvalidValue", "code"}},
			{"enums on a text field", textID, `{"enums":[{"value":"x"}]}`, sgViolation{"0", "FieldNotExpected", "enums"}},
			{"no enums left", listID, `{"enums":[]}`, sgViolation{"0", "FieldMissing", "enums"}},
			{"unknown enum id", listID, `{"enums":[{"id":987654321,"value":"a"}]}`, sgViolation{"0", "NotSupportedChoice", "enums.0.id"}},
			{"duplicate enum values", listID, `{"enums":[{"value":"z"},{"value":"z"}]}`, sgViolation{"0", "InvalidValue", "enums.1.value"}},
			{"request_id named", textID, `{"request_id":"r","name":""}`, sgViolation{"r", "NotBlank", "name"}},
		} {
			t.Run("refused "+c.name, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodPatch, sgFieldsPath+"/"+sgItoa(c.id), token, c.body), c.want)
			})
		}
		t.Run("code of another field", func(t *testing.T) {
			sgViolations(t, env.Do(t, http.MethodPatch, sgFieldsPath+"/"+sgItoa(listID), token, `{"code":"new_code"}`), sgViolation{"0", "InvalidValue", "code"})
		})
		if g := sgGetField(t, env, token, textID); !reflect.DeepEqual(g, before) {
			t.Errorf("text field changed by refused PATCHes:\n got %v\nwant %v", g, before)
		}
		if g := sgGetField(t, env, token, listID); !reflect.DeepEqual(g, beforeList) {
			t.Errorf("select field changed by refused PATCHes:\n got %v\nwant %v", g, beforeList)
		}
	})
}

// TestSegmentCustomFieldEnums checks the PATCH enums rule: enums with an id
// keep it, enums without one are new, and the enums left out are deleted
// together with the segment values that chose them.
func TestSegmentCustomFieldEnums(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Enums")
		fields := sgCreateFields(t, env, token, `[
			{"name":"Multi","type":"multiselect","enums":[{"value":"A","sort":1},{"value":"B","sort":2},{"value":"C","sort":3}]},
			{"name":"Single","type":"select","enums":[{"value":"X","sort":1},{"value":"Y","sort":2}]},
			{"name":"Note","type":"text"}
		]`)
		multi, single, note := fields[0], fields[1], fields[2]
		multiID, singleID, noteID := sgIntOf(t, multi, "id"), sgIntOf(t, single, "id"), sgIntOf(t, note, "id")
		a, b, c := sgEnumID(t, multi, "A"), sgEnumID(t, multi, "B"), sgEnumID(t, multi, "C")
		x, y := sgEnumID(t, single, "X"), sgEnumID(t, single, "Y")
		seg1 := sgID(t, sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"One","custom_fields_values":[
			{"field_id":%d,"values":[{"enum_id":%d},{"enum_id":%d}]},{"field_id":%d,"values":[{"enum_id":%d}]},{"field_id":%d,"values":[{"value":"n1"}]}]}`,
			multiID, a, b, singleID, y, noteID)))
		seg2 := sgID(t, sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Two","custom_fields_values":[
			{"field_id":%d,"values":[{"enum_id":%d}]},{"field_id":%d,"values":[{"enum_id":%d}]}]}`, multiID, c, singleID, x)))

		t.Run("keep, rename, add, delete", func(t *testing.T) {
			p := sgPatchField(t, env, token, multiID, fmt.Sprintf(`{"enums":[{"id":%d,"value":"A2","sort":5},{"value":"D","sort":6}]}`, a))
			enums := sgEnums(t, p)
			if len(enums) != 2 || enums[a] != "A2" {
				t.Fatalf("enums %v, want A kept as A2 plus D", enums)
			}
			var d int64
			for id, v := range enums {
				if v == "D" {
					d = id
				}
			}
			if d == 0 || d == a || d == b || d == c {
				t.Errorf("new enum D has id %d (old ids %d %d %d)", d, a, b, c)
			}
			if !reflect.DeepEqual(sgEnums(t, sgGetField(t, env, token, multiID)), enums) {
				t.Errorf("GET enums differ from the PATCH answer")
			}
			one := sgGetSegment(t, env, token, seg1)
			sgCheckValue(t, one, multiID, "Multi", nil, "multiselect", map[string]any{"value": "A2", "enum_id": a})
			sgCheckValue(t, one, singleID, "Single", nil, "select", map[string]any{"value": "Y", "enum_id": y})
			sgCheckValue(t, one, noteID, "Note", nil, "text", map[string]any{"value": "n1"})
			two := sgGetSegment(t, env, token, seg2)
			if _, ok := sgFieldValues(t, two)[multiID]; ok {
				t.Errorf("segment Two still has the deleted enum C: %v", two["custom_fields_values"])
			}
			sgCheckValue(t, two, singleID, "Single", nil, "select", map[string]any{"value": "X", "enum_id": x})
			// The deleted enum can no longer be chosen; the new one can.
			sgViolations(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+seg2, token,
				fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"enum_id":%d}]}]}`, multiID, b)),
				sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_id"})
			s := sgMust(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+seg2, token,
				fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"enum_id":%d}]}]}`, multiID, d)), http.StatusOK)
			sgCheckValue(t, s, multiID, "Multi", nil, "multiselect", map[string]any{"value": "D", "enum_id": d})
		})
		t.Run("enum dropped from a select", func(t *testing.T) {
			sgPatchField(t, env, token, singleID, fmt.Sprintf(`{"enums":[{"id":%d,"value":"X"}]}`, x))
			if _, ok := sgFieldValues(t, sgGetSegment(t, env, token, seg1))[singleID]; ok {
				t.Errorf("segment One still has the deleted enum Y")
			}
			sgCheckValue(t, sgGetSegment(t, env, token, seg2), singleID, "Single", nil, "select", map[string]any{"value": "X", "enum_id": x})
		})
		t.Run("enums sent without ids replace the old ones", func(t *testing.T) {
			p := sgPatchField(t, env, token, singleID, `{"enums":[{"value":"X"}]}`)
			enums := sgEnums(t, p)
			if len(enums) != 1 {
				t.Fatalf("enums %v", enums)
			}
			if _, kept := enums[x]; kept {
				t.Errorf("enum X sent without id kept its id %d", x)
			}
			if _, ok := sgFieldValues(t, sgGetSegment(t, env, token, seg2))[singleID]; ok {
				t.Errorf("segment Two still has the replaced enum X")
			}
		})
		// The text value of segment One was never touched.
		sgCheckValue(t, sgGetSegment(t, env, token, seg1), noteID, "Note", nil, "text", map[string]any{"value": "n1"})
	})
}

// TestSegmentCustomFieldDelete checks DELETE: 204 with no body, the field is
// gone and its values vanish from the segments that had them.
func TestSegmentCustomFieldDelete(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Delete")
		fields := sgCreateFields(t, env, token, `[{"name":"Gone","type":"text"},{"name":"Kept","type":"select","enums":[{"value":"k"}]}]`)
		goneID, keptID := sgIntOf(t, fields[0], "id"), sgIntOf(t, fields[1], "id")
		k := sgEnumID(t, fields[1], "k")
		seg1 := sgID(t, sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"One","custom_fields_values":[{"field_id":%d,"values":[{"value":"g1"}]},{"field_id":%d,"values":[{"enum_id":%d}]}]}`, goneID, keptID, k)))
		seg2 := sgID(t, sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Two","custom_fields_values":[{"field_id":%d,"values":[{"value":"g2"}]}]}`, goneID)))

		sgOK(t, env.Do(t, http.MethodDelete, sgFieldsPath+"/"+sgItoa(goneID), token, "", "Content-Type: application/json"), http.StatusNoContent)
		sgProblem(t, env.Do(t, http.MethodGet, sgFieldsPath+"/"+sgItoa(goneID), token, ""), http.StatusNotFound)
		sgProblem(t, env.Do(t, http.MethodDelete, sgFieldsPath+"/"+sgItoa(goneID), token, ""), http.StatusNotFound)
		sgProblem(t, env.Do(t, http.MethodPatch, sgFieldsPath+"/"+sgItoa(goneID), token, `{"name":"Back"}`), http.StatusNotFound)
		if _, items := sgFieldList(t, env, token, ""); !reflect.DeepEqual(sgFieldIDs(t, items), []int64{keptID}) {
			t.Errorf("fields after delete %v, want [%d]", sgFieldIDs(t, items), keptID)
		}

		one := sgGetSegment(t, env, token, seg1)
		if got := sgFieldValues(t, one); len(got) != 1 {
			t.Errorf("segment One values %v, want only Kept", one["custom_fields_values"])
		}
		sgCheckValue(t, one, keptID, "Kept", nil, "select", map[string]any{"value": "k", "enum_id": k})
		if v := sgArr(t, sgGetSegment(t, env, token, seg2)["custom_fields_values"], "custom_fields_values"); len(v) != 0 {
			t.Errorf("segment Two values %v, want []", v)
		}
		list := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, token, ""), http.StatusOK)
		for _, s := range sgArr(t, sgObj(t, list["_embedded"], "_embedded")["segments"], "segments") {
			if _, ok := sgFieldValues(t, sgObj(t, s, "segment"))[goneID]; ok {
				t.Errorf("listed segment still has the deleted field: %v", s)
			}
		}
		sgViolations(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+seg2, token,
			fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"value":"again"}]}]}`, goneID)),
			sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.field_id"})
	})
}

// TestSegmentCustomFieldMember checks that members read fields but may not
// write them, and that every field endpoint needs a token.
func TestSegmentCustomFieldMember(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Members")
		member := env.NewUser(t, acc.AccountID, crm.RoleMember).AmoCRMToken
		field := sgCreateFields(t, env, acc.AmoCRMToken, `[{"name":"Admin's","type":"select","enums":[{"value":"a"}]}]`)[0]
		id := sgID(t, field)
		stored := sgGetField(t, env, acc.AmoCRMToken, sgIntOf(t, field, "id"))

		if _, items := sgFieldList(t, env, member, ""); len(items) != 1 || !reflect.DeepEqual(items[0], stored) {
			t.Errorf("member list %v, want [%v]", items, stored)
		}
		if got := sgGetField(t, env, member, sgIntOf(t, field, "id")); !reflect.DeepEqual(got, stored) {
			t.Errorf("member GET %v", got)
		}
		writes := []struct{ method, path, body string }{
			{http.MethodPost, sgFieldsPath, `[{"name":"Member's","type":"text"}]`},
			{http.MethodPatch, sgFieldsPath + "/" + id, `{"name":"Member's"}`},
			{http.MethodPatch, sgFieldsPath + "/" + id, `{"enums":[{"value":"b"}]}`},
			{http.MethodDelete, sgFieldsPath + "/" + id, ""},
		}
		for _, w := range writes {
			t.Run("member "+w.method+" "+w.body, func(t *testing.T) {
				sgProblem(t, env.Do(t, w.method, w.path, member, w.body), http.StatusForbidden)
			})
		}
		all := append(writes, struct{ method, path, body string }{http.MethodGet, sgFieldsPath, ""},
			struct{ method, path, body string }{http.MethodGet, sgFieldsPath + "/" + id, ""})
		for _, w := range all {
			t.Run("no token "+w.method+" "+w.path, func(t *testing.T) {
				sgProblem(t, env.Do(t, w.method, w.path, "", w.body), http.StatusUnauthorized)
				sgProblem(t, env.Do(t, w.method, w.path, "bogus", w.body), http.StatusUnauthorized)
			})
		}
		if got := sgGetField(t, env, acc.AmoCRMToken, sgIntOf(t, field, "id")); !reflect.DeepEqual(got, stored) {
			t.Errorf("field changed by refused writes: %v", got)
		}
		if n := sgFieldCount(t, env, acc.AmoCRMToken); n != 1 {
			t.Errorf("%d fields, want 1", n)
		}
	})
}

// TestSegmentCustomFieldValuesByType fills one field of every segment type
// and checks how each value reads back (companion §4.6).
func TestSegmentCustomFieldValuesByType(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Values")
		fields := sgCreateFields(t, env, token, `[
			{"name":"text","type":"text"},
			{"name":"numeric","type":"numeric"},
			{"name":"checkbox","type":"checkbox"},
			{"name":"select","type":"select","enums":[{"value":"s1"},{"value":"s2","code":"S2"}]},
			{"name":"multiselect","type":"multiselect","enums":[{"value":"m1"},{"value":"m2"},{"value":"m3"}]},
			{"name":"date","type":"date"},
			{"name":"url","type":"url"},
			{"name":"date_time","type":"date_time"},
			{"name":"textarea","type":"textarea"},
			{"name":"radiobutton","type":"radiobutton","enums":[{"value":"r1"},{"value":"r2"}]},
			{"name":"streetaddress","type":"streetaddress"}
		]`)
		id := map[string]int64{}
		for _, f := range fields {
			id[f["name"].(string)] = sgIntOf(t, f, "id")
		}
		s2, m1, m3, r2 := sgEnumID(t, fields[3], "s2"), sgEnumID(t, fields[4], "m1"), sgEnumID(t, fields[4], "m3"), sgEnumID(t, fields[9], "r2")
		body := fmt.Sprintf(`{"name":"All types","custom_fields_values":[
			{"field_id":%d,"values":[{"value":"plain text"}]},
			{"field_id":%d,"values":[{"value":"1.5"}]},
			{"field_id":%d,"values":[{"value":true}]},
			{"field_id":%d,"values":[{"enum_code":"s2"}]},
			{"field_id":%d,"values":[{"enum_id":%d},{"value":"m3"}]},
			{"field_id":%d,"values":[{"value":1577836800}]},
			{"field_id":%d,"values":[{"value":"https://example.com/a?b=c"}]},
			{"field_id":%d,"values":[{"value":"2020-01-01T03:00:00+03:00"}]},
			{"field_id":%d,"values":[{"value":"line 1\nline 2"}]},
			{"field_id":%d,"values":[{"value":"r2"}]},
			{"field_id":%d,"values":[{"value":"Москва, Тверская 1"}]}]}`,
			id["text"], id["numeric"], id["checkbox"], id["select"], id["multiselect"], m1, id["date"], id["url"],
			id["date_time"], id["textarea"], id["radiobutton"], id["streetaddress"])
		seg := sgAddSegment(t, env, token, body)
		for _, c := range []struct {
			typ    string
			values []map[string]any
		}{
			{"text", []map[string]any{{"value": "plain text"}}},
			{"numeric", []map[string]any{{"value": "1.5"}}},
			{"checkbox", []map[string]any{{"value": true}}},
			{"select", []map[string]any{{"value": "s2", "enum_id": s2}}},
			{"multiselect", []map[string]any{{"value": "m1", "enum_id": m1}, {"value": "m3", "enum_id": m3}}},
			{"date", []map[string]any{{"value": int64(1577836800)}}},
			{"url", []map[string]any{{"value": "https://example.com/a?b=c"}}},
			{"date_time", []map[string]any{{"value": int64(1577836800)}}},
			{"textarea", []map[string]any{{"value": "line 1\nline 2"}}},
			{"radiobutton", []map[string]any{{"value": "r2", "enum_id": r2}}},
			{"streetaddress", []map[string]any{{"value": "Москва, Тверская 1"}}},
		} {
			t.Run(c.typ, func(t *testing.T) {
				sgCheckValue(t, seg, id[c.typ], c.typ, nil, c.typ, c.values...)
			})
		}
		if got := sgGetSegment(t, env, token, sgID(t, seg)); !reflect.DeepEqual(got, seg) {
			t.Errorf("GET differs from the POST answer:\n%v\n%v", got, seg)
		}
		for _, c := range []struct {
			name, value string
			typ         string
			want        sgViolation
		}{
			{"numeric not a number", `"abc"`, "numeric", sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0.value"}},
			{"date not a date", `"yesterday"`, "date", sgViolation{"0", "InvalidValue", "custom_fields_values.0.values.0.value"}},
			{"date fractional", `1.5`, "date", sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0.value"}},
			{"url not a string", `5`, "url", sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0.value"}},
			{"radiobutton unknown", `"r9"`, "radiobutton", sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.values.0.value"}},
		} {
			t.Run("refused "+c.name, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+sgID(t, seg), token,
					fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"value":%s}]}]}`, id[c.typ], c.value)), c.want)
			})
		}
		if got := sgGetSegment(t, env, token, sgID(t, seg)); !reflect.DeepEqual(got, seg) {
			t.Errorf("refused PATCHes changed the segment")
		}
	})
}
