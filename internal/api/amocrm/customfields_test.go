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

// Black-box tests of the segment custom fields (companion §4). The field
// objects' full shape — keys, entity_type "segments", is_api_only false,
// required_statuses [], enums only for choice types, the absolute self link
// — is in the golden files testdata/segment_field*.golden.json.

// TestSegmentCustomFieldCreate checks a batch create: 201, the envelope,
// request_id echo or index, and enums with ids.
func TestSegmentCustomFieldCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Fields", "")
		created := a.api.Post(t, segmentFieldsPath, `[
			{"name":"Описание","type":"text","code":"DESCR","sort":10,"request_id":"first"},
			{"name":"Список","type":"select","enums":[{"value":"A","sort":1},{"value":"B","sort":2,"code":"B_CODE"}]},
			{"name":"  Флаг  ","type":"checkbox"}
		]`).HAL(201).Golden("segment_fields_create")
		// GET answers the stored field: the same object without request_id.
		for _, f := range created.List("_embedded.custom_fields") {
			want := f.Obj("")
			delete(want, "request_id")
			a.api.Get(t, segmentFieldsPath+"/"+itoa(f.Int("id"))).HAL(200).Equal("", want)
		}
		a.api.Get(t, segmentFieldsPath).HAL(200).Equal("_total_items", 3)
	})
}

// TestSegmentCustomFieldTypes checks which types segments accept and the
// validation of a new field.
func TestSegmentCustomFieldTypes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Types", "")
		allowed := []string{"text", "numeric", "checkbox", "select", "multiselect", "date", "url", "date_time", "textarea", "radiobutton", "streetaddress"}
		for _, typ := range allowed {
			t.Run("allowed "+typ, func(t *testing.T) {
				enums := ""
				if typ == "select" || typ == "multiselect" || typ == "radiobutton" {
					enums = `,"enums":[{"value":"one","sort":1},{"value":"two","sort":2}]`
				}
				a.api.Post(t, segmentFieldsPath, fmt.Sprintf(`[{"name":"Field %s","type":%q%s}]`, typ, typ, enums)).HAL(201).
					Equal("_embedded.custom_fields.*.name", []string{"Field " + typ}).
					Equal("_embedded.custom_fields.0.type", typ)
			})
		}
		refused := []string{"multitext", "birthday", "smart_address", "legal_entity", "price", "category", "items",
			"tracking_data", "linked_entity", "chained_list", "monetary", "file", "payer", "supplier", "TEXT", "bogus"}
		for _, typ := range refused {
			t.Run("refused "+typ, func(t *testing.T) {
				a.api.Post(t, segmentFieldsPath, fmt.Sprintf(`[{"name":"F","type":%q}]`, typ)).
					WantViolations(crmtest.Violated("0", "NotSupportedChoice", "type"))
			})
		}
		invalid := []struct {
			name, body string
			want       crmtest.Violation
		}{
			{"select without enums", `[{"name":"F","type":"select"}]`, crmtest.Violated("0", "FieldMissing", "enums")},
			{"multiselect with empty enums", `[{"name":"F","type":"multiselect","enums":[]}]`, crmtest.Violated("0", "FieldMissing", "enums")},
			{"radiobutton with null enums", `[{"name":"F","type":"radiobutton","enums":null}]`, crmtest.Violated("0", "FieldMissing", "enums")},
			{"enums on a text field", `[{"name":"F","type":"text","enums":[{"value":"x"}]}]`, crmtest.Violated("0", "FieldNotExpected", "enums")},
			{"duplicate enum values", `[{"name":"F","type":"select","enums":[{"value":"x"},{"value":"x"}]}]`, crmtest.Violated("0", "InvalidValue", "enums.1.value")},
			{"blank enum value", `[{"name":"F","type":"select","enums":[{"value":" "}]}]`, crmtest.Violated("0", "NotBlank", "enums.0.value")},
			{"enum value not a string", `[{"name":"F","type":"select","enums":[{"value":1}]}]`, crmtest.Violated("0", "InvalidType", "enums.0.value")},
			{"enums not an array", `[{"name":"F","type":"select","enums":{"value":"x"}}]`, crmtest.Violated("0", "InvalidType", "enums")},
			{"bad enum code", `[{"name":"F","type":"select","enums":[{"value":"x","code":"a b"}]}]`, crmtest.Violated("0", "InvalidValue", "enums.0.code")},
			{"missing type", `[{"name":"F"}]`, crmtest.Violated("0", "FieldMissing", "type")},
			{"type not a string", `[{"name":"F","type":1}]`, crmtest.Violated("0", "InvalidType", "type")},
			{"missing name", `[{"type":"text"}]`, crmtest.Violated("0", "FieldMissing", "name")},
			{"blank name", `[{"name":"  ","type":"text"}]`, crmtest.Violated("0", "NotBlank", "name")},
			{"name not a string", `[{"name":["F"],"type":"text"}]`, crmtest.Violated("0", "InvalidType", "name")},
			{"sort not an int", `[{"name":"F","type":"text","sort":"1"}]`, crmtest.Violated("0", "InvalidType", "sort")},
			{"bad code", `[{"name":"F","type":"text","code":"has space"}]`, crmtest.Violated("0", "InvalidValue", "code")},
			{"item not an object", `["text"]`, crmtest.Violated("0", "InvalidType", "")},
			{"body an object", `{"name":"F","type":"text"}`, crmtest.Violated("0", "InvalidType", "")},
			{"empty batch", `[]`, crmtest.Violated("0", "FieldMissing", "")},
			{"named item", `[{"name":"F","type":"text"},{"name":"G","type":"nope","request_id":"g"}]`, crmtest.Violated("g", "NotSupportedChoice", "type")},
		}
		for _, c := range invalid {
			t.Run(c.name, func(t *testing.T) {
				a.api.Post(t, segmentFieldsPath, c.body).WantViolations(c.want)
			})
		}
		t.Run("malformed JSON", func(t *testing.T) {
			a.api.Post(t, segmentFieldsPath, `[{"name":"F",`).Problem(400)
		})
		// Only the allowed fields were written, each in its full shape.
		a.api.Get(t, segmentFieldsPath+"?order[id]=asc").HAL(200).Golden("segment_fields_types")
	})
}

// TestSegmentCustomFieldBatchAtomic checks that a batch with one bad item
// writes nothing.
func TestSegmentCustomFieldBatchAtomic(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Atomic", "")
		a.api.Post(t, segmentFieldsPath, `[{"name":"Existing","type":"text","code":"TAKEN"}]`).HAL(201)
		for _, c := range []struct {
			name, body string
			want       crmtest.Violation
		}{
			{"last item invalid", `[{"name":"A","type":"text"},{"name":"B","type":"numeric"},{"name":"C","type":"birthday"}]`, crmtest.Violated("2", "NotSupportedChoice", "type")},
			{"first item invalid", `[{"name":"","type":"text"},{"name":"B","type":"numeric"}]`, crmtest.Violated("0", "NotBlank", "name")},
			{"code repeated in the batch", `[{"name":"A","type":"text","code":"SAME"},{"name":"B","type":"text","code":"same"}]`, crmtest.Violated("1", "InvalidValue", "code")},
			{"code of an existing field", `[{"name":"A","type":"text"},{"name":"B","type":"text","code":"taken"}]`, crmtest.Violated("1", "InvalidValue", "code")},
		} {
			t.Run(c.name, func(t *testing.T) {
				a.api.Post(t, segmentFieldsPath, c.body).WantViolations(c.want)
				a.api.Get(t, segmentFieldsPath).HAL(200).Equal("_embedded.custom_fields.*.name", []string{"Existing"})
			})
		}
	})
}

// TestSegmentCustomFieldLimit checks the limit of 30 segment custom fields.
func TestSegmentCustomFieldLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Limit", "")
		batch := func(from, n int) string {
			var items []string
			for i := from; i < from+n; i++ {
				items = append(items, fmt.Sprintf(`{"name":"F%d","type":"text"}`, i))
			}
			return "[" + strings.Join(items, ",") + "]"
		}
		if n := len(a.api.Post(t, segmentFieldsPath, batch(1, 29)).HAL(201).List("_embedded.custom_fields")); n != 29 {
			t.Fatalf("created %d, want 29", n)
		}
		a.api.Post(t, segmentFieldsPath, batch(30, 2)).Problem(422)
		a.api.Get(t, segmentFieldsPath).HAL(200).Equal("_total_items", 29)
		thirtieth := a.api.Post(t, segmentFieldsPath, batch(30, 1)).HAL(201).Int("_embedded.custom_fields.0.id")
		a.api.Get(t, segmentFieldsPath).HAL(200).Equal("_total_items", 30)
		a.api.Post(t, segmentFieldsPath, batch(31, 1)).Problem(422)
		list := a.api.Get(t, segmentFieldsPath+"?limit=250").HAL(200).Equal("_total_items", 30)
		if names := list.At("_embedded.custom_fields.*.name").([]any); len(names) != 30 || slices.Contains(names, "F31") {
			t.Errorf("%d fields listed after the refused 31st, want 30 without F31", len(names))
		}
		// Another account has its own 30.
		newAccount(t, env, "Other", "").api.Post(t, segmentFieldsPath, batch(1, 1)).HAL(201)
		// Deleting one makes room again.
		a.api.Delete(t, segmentFieldsPath+"/"+itoa(thirtieth)).HAL(204)
		a.api.Post(t, segmentFieldsPath, batch(31, 1)).HAL(201)

		t.Run("concurrent creates do not race past the limit", func(t *testing.T) {
			racer := newAccount(t, env, "Racer", "")
			racer.api.Post(t, segmentFieldsPath, batch(1, 27)).HAL(201)
			bodies := make([]string, 10)
			for i := range bodies {
				bodies[i] = batch(100+i, 1)
			}
			replies := racer.api.Race(t, http.MethodPost, segmentFieldsPath, bodies)
			if ok, refused := count(replies, http.StatusCreated), count(replies, http.StatusUnprocessableEntity); ok != 3 || refused != 7 {
				t.Errorf("statuses %v: %d created and %d refused, want 3 and 7", statuses(replies), ok, refused)
			}
			racer.api.Get(t, segmentFieldsPath).HAL(200).Equal("_total_items", 30)
		})
	})
}

// TestSegmentCustomFieldList checks paging, filter[type] and order.
func TestSegmentCustomFieldList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "List", "")
		// Sorts fall as ids rise, so that "by sort" and "by id" differ.
		created := a.api.Post(t, segmentFieldsPath, `[
			{"name":"T1","type":"text","sort":50},
			{"name":"S1","type":"select","sort":40,"enums":[{"value":"a"}]},
			{"name":"N1","type":"numeric","sort":30},
			{"name":"S2","type":"select","sort":20,"enums":[{"value":"b"}]},
			{"name":"T2","type":"text","sort":10}
		]`).HAL(201)
		var ids []int64
		for _, f := range created.List("_embedded.custom_fields") {
			ids = append(ids, f.Int("id"))
		}
		bySort := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}
		url := func(rest string) string { return env.URL + segmentFieldsPath + "?" + rest }
		const listed = "_embedded.custom_fields.*.id"

		t.Run("default", func(t *testing.T) {
			// By sort, one page without next/prev, no request_ids.
			a.api.Get(t, segmentFieldsPath).HAL(200).Equal(listed, bySort).Golden("segment_fields_list")
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
				links := map[string]any{}
				for rel, href := range map[string]string{"self": url(fmt.Sprintf("page=%d&limit=2", p.page)), "next": p.next, "prev": p.prev, "first": p.first, "last": p.lastLink} {
					if href != "" {
						links[rel] = map[string]string{"href": href}
					}
				}
				a.api.Get(t, fmt.Sprintf("%s?page=%d&limit=2", segmentFieldsPath, p.page)).HAL(200).
					Equal(listed, p.ids).
					Equal("_total_items", 5).Equal("_page", p.page).Equal("_page_count", 3).
					Equal("_links", links)
			})
		}
		t.Run("page beyond the end", func(t *testing.T) {
			nothing(a.api.Get(t, segmentFieldsPath+"?page=9&limit=2"))
		})
		filters := []struct {
			query string
			want  []int64
		}{
			{"filter[type][]=select", []int64{ids[3], ids[1]}},
			{"filter%5Btype%5D%5B%5D=select", []int64{ids[3], ids[1]}},
			{"filter[type][0]=text&filter[type][1]=numeric", []int64{ids[4], ids[2], ids[0]}},
			{"filter[type]=numeric", []int64{ids[2]}},
			{"filter[type][]=date", []int64{}},
			{"filter[type][]=select&order[id]=asc", []int64{ids[1], ids[3]}},
			{"order[id]=desc", []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
			{"order[id]=asc", ids},
			{"order[sort]=desc", ids},
			{"order[sort]=asc", bySort},
			{"order[id]=DESC", []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		}
		for _, c := range filters {
			t.Run(c.query, func(t *testing.T) {
				r := a.api.Get(t, segmentFieldsPath+"?"+c.query)
				if len(c.want) == 0 {
					nothing(r)
					return
				}
				r.HAL(200).Equal(listed, c.want).Equal("_total_items", len(c.want))
			})
		}
		t.Run("next link keeps the filter", func(t *testing.T) {
			first := a.api.Get(t, segmentFieldsPath+"?filter[type][]=select&limit=1").HAL(200)
			next := first.Str("_links.next.href")
			if n := len(first.List("_embedded.custom_fields")); n != 1 || !strings.HasPrefix(next, env.URL+segmentFieldsPath+"?page=2&limit=1&") {
				t.Fatalf("%d items, next %q", n, next)
			}
			second := a.api.Get(t, strings.TrimPrefix(next, env.URL)).HAL(200)
			crmtest.Equal(t, "following next", []int64{first.Int("_embedded.custom_fields.0.id"), second.Int("_embedded.custom_fields.0.id")}, []int64{ids[3], ids[1]})
			second.Equal("_embedded.custom_fields.*.id", []int64{ids[1]})
		})
		for _, c := range []struct {
			query string
			want  crmtest.Violation
		}{
			{"order[id]=sideways", crmtest.Violated("0", "NotSupportedChoice", "order[id]")},
			{"limit=251", crmtest.Violated("0", "OutOfRange", "limit")},
			{"limit=abc", crmtest.Violated("0", "InvalidType", "limit")},
			{"page=0", crmtest.Violated("0", "OutOfRange", "page")},
		} {
			t.Run(c.query, func(t *testing.T) {
				a.api.Get(t, segmentFieldsPath+"?"+c.query).WantViolations(c.want)
			})
		}
		t.Run("another account sees none", func(t *testing.T) {
			nothing(newAccount(t, env, "Other", "").api.Get(t, segmentFieldsPath))
		})
	})
}

// TestSegmentCustomFieldGetPatch checks GET by id and PATCH of name, sort,
// code and the refusals of PATCH.
func TestSegmentCustomFieldGetPatch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Patch", "segments")
		fields := a.api.Post(t, segmentFieldsPath, `[{"name":"Текст","type":"text","sort":5},{"name":"Список","type":"select","enums":[{"value":"a","sort":1},{"value":"b","sort":2}]}]`).HAL(201)
		textID, listID := fields.Int("_embedded.custom_fields.0.id"), fields.Int("_embedded.custom_fields.1.id")
		text, list := segmentFieldsPath+"/"+itoa(textID), segmentFieldsPath+"/"+itoa(listID)
		otherField := newAccount(t, env, "Other", "").api.Post(t, segmentFieldsPath, `[{"name":"Theirs","type":"text"}]`).HAL(201).Int("_embedded.custom_fields.0.id")

		a.api.Get(t, text).HAL(200).Golden("segment_field_get")
		for _, id := range []string{"999999", itoa(otherField), "abc", "0"} {
			t.Run("404 "+id, func(t *testing.T) {
				// A missing field is "nothing found" on GET; a malformed
				// id names no entity (404).
				if r := a.api.Get(t, segmentFieldsPath+"/"+id); id == "abc" || id == "0" {
					r.Problem(404)
				} else {
					nothing(r)
				}
				a.api.Patch(t, segmentFieldsPath+"/"+id, `{"name":"Mine"}`).Problem(404)
				a.api.Delete(t, segmentFieldsPath+"/"+id).Problem(404)
			})
		}

		t.Run("name and sort", func(t *testing.T) {
			p := a.api.Patch(t, text, `{"name":"Новое имя","sort":7}`).HAL(201).Golden("segment_field_patch")
			p.Equal("id", textID)
			a.api.Get(t, text).HAL(200).Equal("name", "Новое имя").Equal("sort", 7).Equal("type", "text")
		})
		t.Run("code, then used as field_code", func(t *testing.T) {
			a.api.Patch(t, text, `{"code":"NEW_CODE"}`).HAL(201).Equal("code", "NEW_CODE").Equal("name", "Новое имя")
			a.api.Post(t, segmentsPath, `{"name":"By code","custom_fields_values":[{"field_code":"NEW_CODE","values":[{"value":"v"}]}]}`).HAL(200).
				Equal(valueOf(textID), fieldValue(textID, "Новое имя", "NEW_CODE", "text", map[string]any{"value": "v"}))
		})
		t.Run("renaming shows in segments", func(t *testing.T) {
			seg := a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Rename","custom_fields_values":[{"field_id":%d,"values":[{"value":"v"}]}]}`, textID)).HAL(200)
			a.api.Patch(t, text, `{"name":"Третье имя"}`).HAL(201)
			a.api.Get(t, segmentsPath+"/"+itoa(seg.Int("id"))).HAL(200).
				Equal(valueOf(textID), fieldValue(textID, "Третье имя", "NEW_CODE", "text", map[string]any{"value": "v"}))
		})
		before := a.api.Get(t, text).HAL(200)
		beforeList := a.api.Get(t, list).HAL(200)
		for _, c := range []struct {
			name string
			path string
			body string
			want crmtest.Violation
		}{
			{"type", text, `{"type":"numeric"}`, crmtest.Violated("0", "FieldNotExpected", "type")},
			{"type with a name", text, `{"name":"X","type":"text"}`, crmtest.Violated("0", "FieldNotExpected", "type")},
			{"no fields", text, `{}`, crmtest.Violated("0", "FieldMissing", "")},
			{"blank name", text, `{"name":" "}`, crmtest.Violated("0", "NotBlank", "name")},
			{"name not a string", text, `{"name":1}`, crmtest.Violated("0", "InvalidType", "name")},
			{"sort not an int", text, `{"sort":"1"}`, crmtest.Violated("0", "InvalidType", "sort")},
			{"bad code", text, `{"code":"no-dashes"}`, crmtest.Violated("0", "InvalidValue", "code")},
			{"enums on a text field", text, `{"enums":[{"value":"x"}]}`, crmtest.Violated("0", "FieldNotExpected", "enums")},
			{"no enums left", list, `{"enums":[]}`, crmtest.Violated("0", "FieldMissing", "enums")},
			{"unknown enum id", list, `{"enums":[{"id":987654321,"value":"a"}]}`, crmtest.Violated("0", "NotSupportedChoice", "enums.0.id")},
			{"duplicate enum values", list, `{"enums":[{"value":"z"},{"value":"z"}]}`, crmtest.Violated("0", "InvalidValue", "enums.1.value")},
			{"request_id named", text, `{"request_id":"r","name":""}`, crmtest.Violated("r", "NotBlank", "name")},
			{"code of another field", list, `{"code":"new_code"}`, crmtest.Violated("0", "InvalidValue", "code")},
		} {
			t.Run("refused "+c.name, func(t *testing.T) {
				a.api.Patch(t, c.path, c.body).WantViolations(c.want)
			})
		}
		a.api.Get(t, text).HAL(200).Equal("", before.V)     // the refused PATCHes changed
		a.api.Get(t, list).HAL(200).Equal("", beforeList.V) // neither field
	})
}

// TestSegmentCustomFieldEnums checks the PATCH enums rule: enums with an id
// keep it, enums without one are new, and the enums left out are deleted
// together with the segment values that chose them.
func TestSegmentCustomFieldEnums(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Enums", "segments")
		fields := acc.api.Post(t, segmentFieldsPath, `[
			{"name":"Multi","type":"multiselect","enums":[{"value":"A","sort":1},{"value":"B","sort":2},{"value":"C","sort":3}]},
			{"name":"Single","type":"select","enums":[{"value":"X","sort":1},{"value":"Y","sort":2}]},
			{"name":"Note","type":"text"}
		]`).HAL(201).Sub("_embedded.custom_fields")
		multiID, singleID, noteID := fields.Int("0.id"), fields.Int("1.id"), fields.Int("2.id")
		multi, single := segmentFieldsPath+"/"+itoa(multiID), segmentFieldsPath+"/"+itoa(singleID)
		a, b, c := fields.Int("0.enums.value=A.id"), fields.Int("0.enums.value=B.id"), fields.Int("0.enums.value=C.id")
		x, y := fields.Int("1.enums.value=X.id"), fields.Int("1.enums.value=Y.id")
		seg1 := segmentsPath + "/" + itoa(acc.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"One","custom_fields_values":[
			{"field_id":%d,"values":[{"enum_id":%d},{"enum_id":%d}]},{"field_id":%d,"values":[{"enum_id":%d}]},{"field_id":%d,"values":[{"value":"n1"}]}]}`,
			multiID, a, b, singleID, y, noteID)).HAL(200).Int("id"))
		seg2 := segmentsPath + "/" + itoa(acc.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Two","custom_fields_values":[
			{"field_id":%d,"values":[{"enum_id":%d}]},{"field_id":%d,"values":[{"enum_id":%d}]}]}`, multiID, c, singleID, x)).HAL(200).Int("id"))
		note := fieldValue(noteID, "Note", nil, "text", map[string]any{"value": "n1"})

		t.Run("keep, rename, add, delete", func(t *testing.T) {
			p := acc.api.Patch(t, multi, fmt.Sprintf(`{"enums":[{"id":%d,"value":"A2","sort":5},{"value":"D","sort":6}]}`, a)).HAL(201).
				Equal("enums.*.value", []string{"A2", "D"}).Equal("enums.0.id", a)
			d := p.Int("enums.value=D.id")
			if d == a || d == b || d == c {
				t.Errorf("new enum D has id %d (old ids %d %d %d)", d, a, b, c)
			}
			acc.api.Get(t, multi).HAL(200).Equal("enums", p.At("enums"))
			acc.api.Get(t, seg1).HAL(200).
				Equal(valueOf(multiID), fieldValue(multiID, "Multi", nil, "multiselect", map[string]any{"value": "A2", "enum_id": a})).
				Equal(valueOf(singleID), fieldValue(singleID, "Single", nil, "select", map[string]any{"value": "Y", "enum_id": y})).
				Equal(valueOf(noteID), note)
			// Segment Two lost the deleted enum C.
			acc.api.Get(t, seg2).HAL(200).Equal("custom_fields_values", []any{
				fieldValue(singleID, "Single", nil, "select", map[string]any{"value": "X", "enum_id": x})})
			// The deleted enum can no longer be chosen; the new one can.
			acc.api.Patch(t, seg2, fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"enum_id":%d}]}]}`, multiID, b)).
				WantViolations(crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_id"))
			acc.api.Patch(t, seg2, fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"enum_id":%d}]}]}`, multiID, d)).HAL(200).
				Equal(valueOf(multiID), fieldValue(multiID, "Multi", nil, "multiselect", map[string]any{"value": "D", "enum_id": d}))
		})
		t.Run("enum dropped from a select", func(t *testing.T) {
			acc.api.Patch(t, single, fmt.Sprintf(`{"enums":[{"id":%d,"value":"X"}]}`, x)).HAL(201)
			if acc.api.Get(t, seg1).HAL(200).Has(valueOf(singleID)) {
				t.Errorf("segment One still has the deleted enum Y")
			}
			acc.api.Get(t, seg2).HAL(200).Equal(valueOf(singleID), fieldValue(singleID, "Single", nil, "select", map[string]any{"value": "X", "enum_id": x}))
		})
		t.Run("enums sent without ids replace the old ones", func(t *testing.T) {
			p := acc.api.Patch(t, single, `{"enums":[{"value":"X"}]}`).HAL(201).Equal("enums.*.value", []string{"X"})
			if p.Int("enums.0.id") == x {
				t.Errorf("enum X sent without id kept its id %d", x)
			}
			if acc.api.Get(t, seg2).HAL(200).Has(valueOf(singleID)) {
				t.Errorf("segment Two still has the replaced enum X")
			}
		})
		// The text value of segment One was never touched.
		acc.api.Get(t, seg1).HAL(200).Equal(valueOf(noteID), note)
	})
}

// TestSegmentCustomFieldDelete checks DELETE: 204 with no body, the field is
// gone and its values vanish from the segments that had them.
func TestSegmentCustomFieldDelete(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Delete", "segments")
		fields := a.api.Post(t, segmentFieldsPath, `[{"name":"Gone","type":"text"},{"name":"Kept","type":"select","enums":[{"value":"k"}]}]`).HAL(201)
		goneID, keptID := fields.Int("_embedded.custom_fields.0.id"), fields.Int("_embedded.custom_fields.1.id")
		k := fields.Int("_embedded.custom_fields.1.enums.value=k.id")
		seg1 := segmentsPath + "/" + itoa(a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"One","custom_fields_values":[{"field_id":%d,"values":[{"value":"g1"}]},{"field_id":%d,"values":[{"enum_id":%d}]}]}`, goneID, keptID, k)).HAL(200).Int("id"))
		seg2 := segmentsPath + "/" + itoa(a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Two","custom_fields_values":[{"field_id":%d,"values":[{"value":"g2"}]}]}`, goneID)).HAL(200).Int("id"))
		gone := segmentFieldsPath + "/" + itoa(goneID)

		a.api.With("Content-Type: application/json").Delete(t, gone).HAL(204)
		nothing(a.api.Get(t, gone))
		a.api.Delete(t, gone).Problem(404)
		a.api.Patch(t, gone, `{"name":"Back"}`).Problem(404)
		a.api.Get(t, segmentFieldsPath).HAL(200).Equal("_embedded.custom_fields.*.id", []int64{keptID})

		kept := fieldValue(keptID, "Kept", nil, "select", map[string]any{"value": "k", "enum_id": k})
		a.api.Get(t, seg1).HAL(200).Equal("custom_fields_values", []any{kept})
		a.api.Get(t, seg2).HAL(200).EqualJSON("custom_fields_values", `[]`)
		a.api.Get(t, segmentsPath).HAL(200).Equal("_embedded.segments.*.custom_fields_values", []any{[]any{kept}, []any{}})
		a.api.Patch(t, seg2, fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"value":"again"}]}]}`, goneID)).
			WantViolations(crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.0.field_id"))
	})
}

// TestSegmentCustomFieldMember checks that members read fields but may not
// write them, and that every field endpoint needs a token.
func TestSegmentCustomFieldMember(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Members", "")
		member := env.AmoCRM(env.NewUser(t, a.AccountID, crm.RoleMember).AmoCRMToken)
		id := itoa(a.api.Post(t, segmentFieldsPath, `[{"name":"Admin's","type":"select","enums":[{"value":"a"}]}]`).HAL(201).Int("_embedded.custom_fields.0.id"))
		stored := a.api.Get(t, segmentFieldsPath+"/"+id).HAL(200)

		member.Get(t, segmentFieldsPath).HAL(200).Equal("_embedded.custom_fields", []any{stored.V})
		member.Get(t, segmentFieldsPath+"/"+id).HAL(200).Equal("", stored.V)
		writes := []struct{ method, path, body string }{
			{http.MethodPost, segmentFieldsPath, `[{"name":"Member's","type":"text"}]`},
			{http.MethodPatch, segmentFieldsPath + "/" + id, `{"name":"Member's"}`},
			{http.MethodPatch, segmentFieldsPath + "/" + id, `{"enums":[{"value":"b"}]}`},
			{http.MethodDelete, segmentFieldsPath + "/" + id, ""},
		}
		for _, w := range writes {
			t.Run("member "+w.method+" "+w.body, func(t *testing.T) {
				member.Do(t, w.method, w.path, w.body).Problem(403)
			})
		}
		all := append(writes, struct{ method, path, body string }{http.MethodGet, segmentFieldsPath, ""},
			struct{ method, path, body string }{http.MethodGet, segmentFieldsPath + "/" + id, ""})
		for _, w := range all {
			t.Run("no token "+w.method+" "+w.path, func(t *testing.T) {
				env.AmoCRM("").Do(t, w.method, w.path, w.body).Problem(401)
				env.AmoCRM("bogus").Do(t, w.method, w.path, w.body).Problem(401)
			})
		}
		a.api.Get(t, segmentFieldsPath+"/"+id).HAL(200).Equal("", stored.V)
		a.api.Get(t, segmentFieldsPath).HAL(200).Equal("_total_items", 1)
	})
}

// TestSegmentCustomFieldValuesByType fills one field of every segment type
// and checks how each value reads back (companion §4.6).
func TestSegmentCustomFieldValuesByType(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Values", "segments")
		fields := a.api.Post(t, segmentFieldsPath, `[
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
		]`).HAL(201).Sub("_embedded.custom_fields")
		id := map[string]int64{}
		for _, f := range fields.List("") {
			id[f.Str("name")] = f.Int("id")
		}
		s2, m1, m3, r2 := fields.Int("3.enums.value=s2.id"), fields.Int("4.enums.value=m1.id"), fields.Int("4.enums.value=m3.id"), fields.Int("9.enums.value=r2.id")
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
		seg := a.api.Post(t, segmentsPath, body).HAL(200)
		one := segmentsPath + "/" + itoa(seg.Int("id"))
		for _, c := range []struct {
			typ    string
			values []map[string]any
		}{
			{"text", []map[string]any{{"value": "plain text"}}},
			{"numeric", []map[string]any{{"value": "1.5"}}},
			{"checkbox", []map[string]any{{"value": true}}},
			{"select", []map[string]any{{"value": "s2", "enum_id": s2}}},
			{"multiselect", []map[string]any{{"value": "m1", "enum_id": m1}, {"value": "m3", "enum_id": m3}}},
			{"date", []map[string]any{{"value": 1577836800}}},
			{"url", []map[string]any{{"value": "https://example.com/a?b=c"}}},
			{"date_time", []map[string]any{{"value": 1577836800}}},
			{"textarea", []map[string]any{{"value": "line 1\nline 2"}}},
			{"radiobutton", []map[string]any{{"value": "r2", "enum_id": r2}}},
			{"streetaddress", []map[string]any{{"value": "Москва, Тверская 1"}}},
		} {
			t.Run(c.typ, func(t *testing.T) {
				seg.Equal(valueOf(id[c.typ]), fieldValue(id[c.typ], c.typ, nil, c.typ, c.values...))
			})
		}
		a.api.Get(t, one).HAL(200).Equal("", seg.V)
		for _, c := range []struct {
			name, value string
			typ         string
			want        crmtest.Violation
		}{
			{"numeric not a number", `"abc"`, "numeric", crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0.value")},
			{"date not a date", `"yesterday"`, "date", crmtest.Violated("0", "InvalidValue", "custom_fields_values.0.values.0.value")},
			{"date fractional", `1.5`, "date", crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0.value")},
			{"url not a string", `5`, "url", crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0.value")},
			{"radiobutton unknown", `"r9"`, "radiobutton", crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.0.values.0.value")},
		} {
			t.Run("refused "+c.name, func(t *testing.T) {
				a.api.Patch(t, one, fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"value":%s}]}]}`, id[c.typ], c.value)).WantViolations(c.want)
			})
		}
		a.api.Get(t, one).HAL(200).Equal("", seg.V) // the refused PATCHes changed nothing
	})
}
