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

// Black-box tests of the amoCRM v4 customer segments (seed 000), over real
// HTTP on SQLite and PostgreSQL. The answers to seed 000's examples are the
// golden files testdata/segment_*.golden.json: the seed's response examples
// with crmd's ids and address, times masked.

// segmentMasks mask the times of segments for their golden files.
var segmentMasks = []crmtest.Mask{crmtest.MaskPath("**.created_at", "time"), crmtest.MaskPath("**.updated_at", "time")}

// The request examples of seed 000, verbatim; the ids 245035, 245351 and
// 387477 are replaced by the ids the test creates.
const seedSegmentAdd = `{
    "name": "Сегмент для примера",
    "color": "ae003f",
    "custom_fields_values": [
        {
            "field_id": 245035,
            "field_name": "Описание сегмента",
            "values": [
                {
                    "value": "Этот сегмент создан для примера"
                }
            ]
        },
        {
            "field_id": 245351,
            "values": [
                {
                    "enum_id": 387477
                }
            ]
        }
    ]
}`

const seedSegmentEdit = `{
    "name": "Новое имя для сегмента",
    "color": "ae003f",
    "custom_fields_values": [
        {
            "field_id": 245035,
            "field_name": "Описание сегмента",
            "values": [
                {
                    "value": "Новое описание для сегмента"
                }
            ]
        }
    ]
}`

// seedFields holds the ids of the custom fields the seed's examples refer to.
type seedFields struct {
	text, multi, checkbox, list, plain int64 // field ids
	multiEnum, multiOther              int64 // enums of "Мультиселект поле"
	listEnum1, listEnum2               int64 // enums of "Поле Список"
}

// createSeedFields creates the fields of seedFields.
func createSeedFields(t testing.TB, a account) seedFields {
	t.Helper()
	r := a.api.Post(t, segmentFieldsPath, `[
		{"name":"Описание сегмента","type":"text"},
		{"name":"Мультиселект поле","type":"multiselect","enums":[{"value":"Значение мультиселекта","sort":1},{"value":"Второе значение","sort":2,"code":"SECOND"}]},
		{"name":"Поле Чекбокс","type":"checkbox","code":"MYSUPERCHECKBOX"},
		{"name":"Поле Список","type":"select","enums":[{"value":"Значение 1","sort":1},{"value":"Значение 2","sort":2}]},
		{"name":"Поле текст","type":"text"}
	]`).HAL(201)
	const fields = "_embedded.custom_fields."
	if n := len(r.List("_embedded.custom_fields")); n != 5 {
		t.Fatalf("created %d fields, want 5", n)
	}
	return seedFields{
		text: r.Int(fields + "0.id"), multi: r.Int(fields + "1.id"), checkbox: r.Int(fields + "2.id"),
		list: r.Int(fields + "3.id"), plain: r.Int(fields + "4.id"),
		multiEnum:  r.Int(fields + "1.enums.value=Значение мультиселекта.id"),
		multiOther: r.Int(fields + "1.enums.value=Второе значение.id"),
		listEnum1:  r.Int(fields + "3.enums.value=Значение 1.id"),
		listEnum2:  r.Int(fields + "3.enums.value=Значение 2.id"),
	}
}

// checkTimes checks a segment's times, which golden files mask: Unix
// seconds, updated_at no earlier than created_at.
func checkTimes(t testing.TB, seg crmtest.JSON) {
	t.Helper()
	created, updated := seg.Int("created_at"), seg.Int("updated_at")
	if created < 1_600_000_000 || updated < created {
		t.Errorf("created_at %d, updated_at %d: want Unix seconds with updated >= created", created, updated)
	}
}

// TestSegmentSeedExamples replays every segment request example of seed 000
// and compares the answers with the seed's response examples (golden files).
func TestSegmentSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Seed examples", "segments")
		f := createSeedFields(t, a)
		ids := strings.NewReplacer("245035", itoa(f.text), "245351", itoa(f.multi), "387477", itoa(f.multiEnum))

		// Добавление сегмента покупателей.
		add := a.api.Post(t, segmentsPath, ids.Replace(seedSegmentAdd)).HAL(200).Golden("segment_add", segmentMasks...)
		checkTimes(t, add.JSON)
		id := itoa(add.Int("id"))

		// Редактирование сегмента покупателей: the field the example does
		// not mention keeps its value.
		edit := a.api.Patch(t, segmentsPath+"/"+id, ids.Replace(seedSegmentEdit)).HAL(200).Golden("segment_edit", segmentMasks...)
		checkTimes(t, edit.JSON)
		edit.Equal("created_at", add.At("created_at"))

		// The two segments of the list example.
		one := a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Сегмент 1","color":"6610f2","available_products_price_types":[288891],
			"custom_fields_values":[{"field_code":"MYSUPERCHECKBOX","values":[{"value":true}]},
				{"field_id":%d,"values":[{"enum_id":%d}]},{"field_id":%d,"values":[{"value":"12424"}]}]}`, f.list, f.listEnum1, f.plain)).HAL(200)
		two := a.api.Post(t, segmentsPath, `{"name":"Сегмент 2","color":"4a001f","available_products_price_types":[271211]}`).HAL(200)

		// Список сегментов покупателей: one page, in creation order; the
		// seed lists a segment's values in field order (checkbox, select,
		// text).
		list := a.api.Get(t, segmentsPath).HAL(200).Golden("segment_list", segmentMasks...)
		for _, s := range list.List("_embedded.segments") {
			checkTimes(t, s)
		}
		list.Equal("_embedded.segments.*.id", []int64{add.Int("id"), one.Int("id"), two.Int("id")}).
			Equal("_embedded.segments.0", edit.V).
			Equal("_embedded.segments.1", one.V).
			Equal("_embedded.segments.2", two.V)

		// Получение сегмента покупателей по ID (with the Content-Type header
		// that clients send on every request).
		asJSON := a.api.With("Content-Type: application/json")
		asJSON.Get(t, segmentsPath+"/"+itoa(one.Int("id"))).HAL(200).Equal("", one.V)

		// Удаление сегмента покупателей.
		asJSON.Delete(t, segmentsPath+"/"+id).HAL(204)
		nothing(a.api.Get(t, segmentsPath+"/"+id))
		a.api.Get(t, segmentsPath).HAL(200).Equal("_total_items", 2)
	})
}

// TestSegmentUnauthorized checks that every segment endpoint answers 401
// without a valid bearer token.
func TestSegmentUnauthorized(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Auth", "segments")
		seg := a.api.Post(t, segmentsPath, `{"name":"Kept"}`).HAL(200)
		one := segmentsPath + "/" + itoa(seg.Int("id"))
		endpoints := []struct{ method, path, body string }{
			{http.MethodGet, segmentsPath, ""},
			{http.MethodPost, segmentsPath, `{"name":"X"}`},
			{http.MethodGet, one, ""},
			{http.MethodPatch, one, `{"name":"X"}`},
			{http.MethodDelete, one, ""},
		}
		auths := map[string][]string{
			"no header":    nil,
			"bad token":    {"Authorization: Bearer not-a-token"},
			"forged jwt":   {"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"},
			"basic scheme": {"Authorization: Basic " + a.AmoCRMToken},
			"empty bearer": {"Authorization: Bearer "},
		}
		for name, headers := range auths {
			anonymous := env.AmoCRM("").With(headers...)
			for _, e := range endpoints {
				t.Run(name+" "+e.method+" "+e.path, func(t *testing.T) {
					anonymous.Do(t, e.method, e.path, e.body).Problem(401)
				})
			}
		}
		a.api.Get(t, one).HAL(200).Equal("name", "Kept")
		a.api.Get(t, segmentsPath).HAL(200).Equal("_total_items", 1)
	})
}

// TestSegmentMemberForbidden checks that members read segments but may not
// write them.
func TestSegmentMemberForbidden(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Members", "segments")
		member := env.AmoCRM(env.NewUser(t, a.AccountID, crm.RoleMember).AmoCRMToken)
		seg := a.api.Post(t, segmentsPath, `{"name":"Admin's","color":"2176ff"}`).HAL(200)
		one := segmentsPath + "/" + itoa(seg.Int("id"))

		member.Get(t, segmentsPath).HAL(200).Equal("_embedded.segments.*.id", []int64{seg.Int("id")})
		member.Get(t, one).HAL(200).Equal("", seg.V)
		for _, e := range []struct{ method, path, body string }{
			{http.MethodPost, segmentsPath, `{"name":"Member's"}`},
			{http.MethodPatch, one, `{"name":"Member's"}`},
			{http.MethodDelete, one, ""},
		} {
			t.Run(e.method, func(t *testing.T) {
				member.Do(t, e.method, e.path, e.body).Problem(403)
			})
		}
		// A member may not switch the mode either.
		member.Patch(t, modePath, `{"mode":"periodicity","is_enabled":true}`).Problem(403)
		a.api.Get(t, one).HAL(200).Equal("", seg.V)
		a.api.Get(t, segmentsPath).HAL(200).Equal("_total_items", 1)
	})
}

// TestSegmentNotFound checks 404 for unknown ids, malformed ids and another
// account's segments, which stay untouched.
func TestSegmentNotFound(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		owner := newAccount(t, env, "Owner", "segments")
		stranger := newAccount(t, env, "Stranger", "segments")
		theirs := owner.api.Post(t, segmentsPath, `{"name":"Owner's"}`).HAL(200)
		mine := stranger.api.Post(t, segmentsPath, `{"name":"Stranger's"}`).HAL(200)
		for _, c := range []struct{ name, id string }{
			{"unknown id", "999999"},
			{"other account's segment", itoa(theirs.Int("id"))},
			{"not a number", "abc"},
			{"zero", "0"},
			{"negative", "-1"},
		} {
			t.Run(c.name, func(t *testing.T) {
				path := segmentsPath + "/" + c.id
				// A missing segment (another account's too) is "nothing
				// found" on GET; a malformed id names nothing (404).
				if r := stranger.api.Get(t, path); c.id == "999999" || c.id == itoa(theirs.Int("id")) {
					nothing(r)
				} else {
					r.Problem(404)
				}
				stranger.api.Patch(t, path, `{"name":"Taken over"}`).Problem(404)
				stranger.api.Delete(t, path).Problem(404)
			})
		}
		owner.api.Get(t, segmentsPath+"/"+itoa(theirs.Int("id"))).HAL(200).Equal("", theirs.V)
		stranger.api.Get(t, segmentsPath).HAL(200).Equal("_embedded.segments.*.id", []int64{mine.Int("id")})
	})
}

// TestSegmentValidation checks 400 answers with validation-errors for bad
// bodies, and that none of them writes anything.
func TestSegmentValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Validation", "segments")
		f := createSeedFields(t, a)
		seg := a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Untouched","color":"2176ff","available_products_price_types":[7],
			"custom_fields_values":[{"field_id":%d,"values":[{"value":"kept"}]}]}`, f.text)).HAL(200)
		one := segmentsPath + "/" + itoa(seg.Int("id"))
		asJSON := a.api.With("Content-Type: application/json")

		malformed := []struct{ name, body string }{
			{"truncated JSON", `{"name":`},
			{"not JSON", `name=x`},
			{"trailing data", `{"name":"x"} {}`},
			{"empty body", ` `},
		}
		for _, c := range malformed {
			t.Run("POST "+c.name, func(t *testing.T) {
				asJSON.Post(t, segmentsPath, c.body).Problem(400)
			})
			t.Run("PATCH "+c.name, func(t *testing.T) {
				asJSON.Patch(t, one, c.body).Problem(400)
			})
		}

		cfv := func(format string, args ...any) string {
			return `{"name":"S","custom_fields_values":` + fmt.Sprintf(format, args...) + `}`
		}
		cases := []struct {
			name, body string
			want       crmtest.Violation
			patchToo   bool // the same body is refused by PATCH at the same path
		}{
			{"missing name", `{"color":"ae003f"}`, crmtest.Violated("0", "FieldMissing", "name"), false},
			{"null name", `{"name":null}`, crmtest.Violated("0", "FieldMissing", "name"), false},
			{"blank name", `{"name":"   "}`, crmtest.Violated("0", "NotBlank", "name"), true},
			{"empty name", `{"name":""}`, crmtest.Violated("0", "NotBlank", "name"), true},
			{"too long name", `{"name":"` + strings.Repeat("я", 256) + `"}`, crmtest.Violated("0", "InvalidLength", "name"), true},
			{"name not a string", `{"name":123}`, crmtest.Violated("0", "InvalidType", "name"), true},
			{"colour with #", `{"name":"S","color":"#ae003f"}`, crmtest.Violated("0", "NotSupportedChoice", "color"), true},
			{"colour not in palette", `{"name":"S","color":"ffffff"}`, crmtest.Violated("0", "NotSupportedChoice", "color"), true},
			{"status colour", `{"name":"S","color":"fffeb2"}`, crmtest.Violated("0", "NotSupportedChoice", "color"), true},
			{"colour not a string", `{"name":"S","color":5}`, crmtest.Violated("0", "InvalidType", "color"), true},
			{"price types not an array", `{"name":"S","available_products_price_types":"1"}`, crmtest.Violated("0", "InvalidType", "available_products_price_types"), true},
			{"price type not an int", `{"name":"S","available_products_price_types":[1,"a"]}`, crmtest.Violated("0", "InvalidType", "available_products_price_types.1"), true},
			{"price type fractional", `{"name":"S","available_products_price_types":[1.5]}`, crmtest.Violated("0", "InvalidType", "available_products_price_types.0"), true},
			{"price type not positive", `{"name":"S","available_products_price_types":[0]}`, crmtest.Violated("0", "OutOfRange", "available_products_price_types.0"), true},
			{"body an array", `[{"name":"S"}]`, crmtest.Violated("0", "InvalidType", ""), true},
			{"values not an array", cfv(`{"field_id":%d}`, f.text), crmtest.Violated("0", "InvalidType", "custom_fields_values"), true},
			{"field_id not an int", cfv(`[{"field_id":"x","values":[{"value":"a"}]}]`), crmtest.Violated("0", "InvalidType", "custom_fields_values.0.field_id"), true},
			{"unknown field_id", cfv(`[{"field_id":%d,"values":[{"value":"a"}]},{"field_id":987654321,"values":[{"value":"a"}]}]`, f.text), crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.1.field_id"), true},
			{"unknown field_code", cfv(`[{"field_code":"NOPE","values":[{"value":"a"}]}]`), crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.0.field_code"), true},
			{"no field_id", cfv(`[{"values":[{"value":"a"}]}]`), crmtest.Violated("0", "FieldMissing", "custom_fields_values.0.field_id"), true},
			{"field given twice", cfv(`[{"field_id":%d,"values":[{"value":"a"}]},{"field_id":%d,"values":[{"value":"b"}]}]`, f.text, f.text), crmtest.Violated("0", "InvalidValue", "custom_fields_values.1.field_id"), true},
			{"enum_id of another field", cfv(`[{"field_id":%d,"values":[{"enum_id":%d}]}]`, f.multi, f.listEnum1), crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_id"), true},
			{"enum text unknown", cfv(`[{"field_id":%d,"values":[{"value":"Нет такого"}]}]`, f.list), crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.0.values.0.value"), true},
			{"enum_code unknown", cfv(`[{"field_id":%d,"values":[{"enum_code":"NOPE"}]}]`, f.multi), crmtest.Violated("0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_code"), true},
			{"enum_id not an int", cfv(`[{"field_id":%d,"values":[{"enum_id":"x"}]}]`, f.list), crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0.enum_id"), true},
			{"checkbox given a string", cfv(`[{"field_id":%d,"values":[{"value":"true"}]}]`, f.checkbox), crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0.value"), true},
			{"checkbox by code given a number", cfv(`[{"field_code":"MYSUPERCHECKBOX","values":[{"value":1}]}]`), crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0.value"), true},
			{"two values for a select", cfv(`[{"field_id":%d,"values":[{"enum_id":%d},{"enum_id":%d}]}]`, f.list, f.listEnum1, f.listEnum2), crmtest.Violated("0", "InvalidValue", "custom_fields_values.0.values"), true},
			{"two values for a text", cfv(`[{"field_id":%d,"values":[{"value":"a"},{"value":"b"}]}]`, f.text), crmtest.Violated("0", "InvalidValue", "custom_fields_values.0.values"), true},
			{"text given an object", cfv(`[{"field_id":%d,"values":[{"value":{"a":1}}]}]`, f.text), crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0.value"), true},
			{"text without value", cfv(`[{"field_id":%d,"values":[{}]}]`, f.text), crmtest.Violated("0", "FieldMissing", "custom_fields_values.0.values.0.value"), true},
			{"enum_id on a text field", cfv(`[{"field_id":%d,"values":[{"enum_id":%d}]}]`, f.text, f.listEnum1), crmtest.Violated("0", "FieldNotExpected", "custom_fields_values.0.values.0.enum_id"), true},
			{"values item not an object", cfv(`[{"field_id":%d,"values":["a"]}]`, f.text), crmtest.Violated("0", "InvalidType", "custom_fields_values.0.values.0"), true},
			{"request_id named", `{"request_id":"mine","name":""}`, crmtest.Violated("mine", "NotBlank", "name"), true},
		}
		for _, c := range cases {
			t.Run("POST "+c.name, func(t *testing.T) {
				a.api.Post(t, segmentsPath, c.body).WantViolations(c.want)
			})
			if c.patchToo {
				t.Run("PATCH "+c.name, func(t *testing.T) {
					a.api.Patch(t, one, c.body).WantViolations(c.want)
				})
			}
		}
		patchOnly := []struct {
			name, body string
			want       crmtest.Violation
		}{
			{"no fields", `{}`, crmtest.Violated("0", "FieldMissing", "")},
			{"only request_id", `{"request_id":"r1"}`, crmtest.Violated("r1", "FieldMissing", "")},
			{"only nulls", `{"name":null,"color":null,"custom_fields_values":null}`, crmtest.Violated("0", "FieldMissing", "")},
		}
		for _, c := range patchOnly {
			t.Run("PATCH "+c.name, func(t *testing.T) {
				a.api.Patch(t, one, c.body).WantViolations(c.want)
			})
		}
		t.Run("body over 1 MiB", func(t *testing.T) {
			body := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`
			a.api.Post(t, segmentsPath, body).Problem(413)
		})

		a.api.Get(t, one).HAL(200).Equal("", seg.V)                  // refused PATCHes changed nothing
		a.api.Get(t, segmentsPath).HAL(200).Equal("_total_items", 1) // refused POSTs wrote nothing
	})
}

// TestSegmentModeRequired checks that every segment endpoint answers 422
// unless the account is in segmentation mode, and writes nothing.
func TestSegmentModeRequired(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		fresh := newAccount(t, env, "Fresh", "")
		a := newAccount(t, env, "Switching", "segments")
		seg := a.api.Post(t, segmentsPath, `{"name":"Before","color":"2176ff"}`).HAL(200)
		one := segmentsPath + "/" + itoa(seg.Int("id"))
		endpoints := []struct{ method, path, body string }{
			{http.MethodGet, segmentsPath, ""},
			{http.MethodPost, segmentsPath, `{"name":"New"}`},
			{http.MethodGet, one, ""},
			{http.MethodPatch, one, `{"name":"After"}`},
			{http.MethodDelete, one, ""},
		}
		check := func(t *testing.T, api *crmtest.Client) {
			for _, e := range endpoints {
				t.Run(e.method+" "+e.path, func(t *testing.T) {
					api.Do(t, e.method, e.path, e.body).Problem(422)
				})
			}
		}
		t.Run("new account (disabled)", func(t *testing.T) { check(t, fresh.api) })
		setMode(t, a.api, "periodicity", true)
		t.Run("periodicity", func(t *testing.T) { check(t, a.api) })
		setMode(t, a.api, "periodicity", false)
		t.Run("disabled", func(t *testing.T) { check(t, a.api) })
		setMode(t, a.api, "segments", true)
		a.api.Get(t, one).HAL(200).Equal("", seg.V)
		a.api.Get(t, segmentsPath).HAL(200).Equal("_total_items", 1)
	})
}

// TestSegmentLimit checks that the 101st segment is refused with 422 and not written.
func TestSegmentLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Limit", "segments")
		for i := range crm.MaxSegments {
			a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Segment %d"}`, i+1)).HAL(200)
		}
		a.api.Get(t, segmentsPath).HAL(200).Equal("_total_items", 100)
		a.api.Post(t, segmentsPath, `{"name":"Segment 101"}`).Problem(422)
		list := a.api.Get(t, segmentsPath+"?limit=250").HAL(200).Equal("_total_items", 100)
		if slices.Contains(list.At("_embedded.segments.*.name").([]any), "Segment 101") {
			t.Errorf("the refused 101st segment was written")
		}
		// Another account is not affected by this one's limit.
		newAccount(t, env, "Other", "segments").api.Post(t, segmentsPath, `{"name":"Segment 1"}`).HAL(200)
		// Deleting one makes room again.
		a.api.Delete(t, segmentsPath+"/"+itoa(list.Int("_embedded.segments.0.id"))).HAL(204)
		a.api.Post(t, segmentsPath, `{"name":"Segment 101"}`).HAL(200)
		a.api.Post(t, segmentsPath, `{"name":"Segment 102"}`).Problem(422)

		t.Run("concurrent creates do not race past the limit", func(t *testing.T) {
			racer := newAccount(t, env, "Racer", "segments")
			for i := range crm.MaxSegments - 5 {
				racer.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"R%d"}`, i)).HAL(200)
			}
			bodies := make([]string, 20)
			for i := range bodies {
				bodies[i] = fmt.Sprintf(`{"name":"Race %d"}`, i)
			}
			replies := racer.api.Race(t, http.MethodPost, segmentsPath, bodies)
			if ok, refused := count(replies, http.StatusOK), count(replies, http.StatusUnprocessableEntity); ok != 5 || refused != 15 {
				t.Errorf("statuses %v: %d created and %d refused, want 5 and 15", statuses(replies), ok, refused)
			}
			racer.api.Get(t, segmentsPath).HAL(200).Equal("_total_items", crm.MaxSegments)
		})
	})
}

// TestSegmentPaging checks page/limit, the envelope and the absolute links.
func TestSegmentPaging(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Paging", "segments")
		var all []int64
		for i := range 7 {
			all = append(all, a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"P%d"}`, i)).HAL(200).Int("id"))
		}
		url := func(page, limit int) string {
			return fmt.Sprintf("%s%s?page=%d&limit=%d", env.URL, segmentsPath, page, limit)
		}
		// links is the _links object: self, then next and prev when not "".
		links := func(self, next, prev string) map[string]any {
			m := map[string]any{"self": map[string]string{"href": self}}
			if next != "" {
				m["next"] = map[string]string{"href": next}
			}
			if prev != "" {
				m["prev"] = map[string]string{"href": prev}
			}
			return m
		}
		pages := []struct {
			page       int
			ids        []int64
			next, prev string
		}{
			{1, all[0:3], url(2, 3), ""},
			{2, all[3:6], url(3, 3), url(1, 3)},
			{3, all[6:7], "", url(2, 3)},
		}
		for _, p := range pages {
			t.Run(fmt.Sprintf("page %d", p.page), func(t *testing.T) {
				a.api.Get(t, fmt.Sprintf("%s?page=%d&limit=3", segmentsPath, p.page)).HAL(200).
					Equal("_total_items", 7).Equal("_page", p.page).Equal("_page_count", 3).
					Equal("_embedded.segments.*.id", p.ids).
					Equal("_links", links(url(p.page, 3), p.next, p.prev))
			})
		}
		t.Run("following next links visits every segment once", func(t *testing.T) {
			var seen []int64
			path := segmentsPath + "?limit=2"
			for range 10 {
				m := a.api.Get(t, path).HAL(200)
				for _, s := range m.List("_embedded.segments") {
					seen = append(seen, s.Int("id"))
				}
				if !m.Has("_links.next") {
					break
				}
				next := m.Str("_links.next.href")
				if !strings.HasPrefix(next, env.URL+"/") {
					t.Fatalf("next link %q is not absolute on %s", next, env.URL)
				}
				path = strings.TrimPrefix(next, env.URL)
			}
			crmtest.Equal(t, "visited", seen, all)
		})
		t.Run("page beyond the end", func(t *testing.T) {
			nothing(a.api.Get(t, segmentsPath+"?page=4&limit=3"))
		})
		t.Run("defaults", func(t *testing.T) {
			a.api.Get(t, segmentsPath).HAL(200).
				Equal("_links", links(url(1, 50), "", "")).
				Equal("_embedded.segments.*.id", all)
		})
		t.Run("limit 250 is allowed", func(t *testing.T) {
			a.api.Get(t, segmentsPath+"?limit=250").HAL(200).Equal("_embedded.segments.*.id", all)
		})
		t.Run("empty list", func(t *testing.T) {
			empty := newAccount(t, env, "Empty", "segments")
			nothing(empty.api.Get(t, segmentsPath))
		})
		for _, c := range []struct {
			query string
			want  crmtest.Violation
		}{
			{"limit=251", crmtest.Violated("0", "OutOfRange", "limit")},
			{"limit=abc", crmtest.Violated("0", "InvalidType", "limit")},
			{"limit=0", crmtest.Violated("0", "OutOfRange", "limit")},
			{"limit=-1", crmtest.Violated("0", "OutOfRange", "limit")},
			{"page=0", crmtest.Violated("0", "OutOfRange", "page")},
			{"page=-2", crmtest.Violated("0", "OutOfRange", "page")},
			{"page=x", crmtest.Violated("0", "InvalidType", "page")},
		} {
			t.Run(c.query, func(t *testing.T) {
				a.api.Get(t, segmentsPath+"?"+c.query).WantViolations(c.want)
			})
		}
	})
}

// TestSegmentPatchSemantics checks that PATCH changes only what it mentions.
func TestSegmentPatchSemantics(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Patch", "segments")
		f := createSeedFields(t, a)
		seg := a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Original","color":"ae003f","available_products_price_types":[1,2],
			"custom_fields_values":[
				{"field_id":%d,"values":[{"value":"описание"}]},
				{"field_id":%d,"values":[{"value":"Значение мультиселекта"},{"enum_code":"second"}]},
				{"field_code":"mysupercheckbox","values":[{"value":true}]},
				{"field_id":%d,"values":[{"enum_id":%d}]}]}`, f.text, f.multi, f.list, f.listEnum2)).HAL(200)
		one := segmentsPath + "/" + itoa(seg.Int("id"))
		seg.Equal(valueOf(f.multi), fieldValue(f.multi, "Мультиселект поле", nil, "multiselect",
			map[string]any{"value": "Значение мультиселекта", "enum_id": f.multiEnum}, map[string]any{"value": "Второе значение", "enum_id": f.multiOther})).
			Equal(valueOf(f.checkbox), fieldValue(f.checkbox, "Поле Чекбокс", "MYSUPERCHECKBOX", "checkbox", map[string]any{"value": true}))

		// without returns a copy of a segment without the given keys, for comparisons.
		without := func(seg crmtest.JSON, keys ...string) map[string]any {
			c := map[string]any{}
			for k, v := range seg.Obj("") {
				if !slices.Contains(keys, k) {
					c[k] = v
				}
			}
			return c
		}
		prev := seg.JSON
		steps := []struct {
			name, body string
			changed    []string
			check      func(got *crmtest.Reply)
		}{
			{"name only", `{"name":"Renamed"}`, []string{"name"}, func(got *crmtest.Reply) {
				got.Equal("name", "Renamed")
			}},
			{"colour only", `{"color":"2176ff"}`, []string{"color"}, func(got *crmtest.Reply) {
				got.Equal("color", "2176ff")
			}},
			{"price types replaced", `{"available_products_price_types":[5]}`, []string{"available_products_price_types"}, func(got *crmtest.Reply) {
				got.Equal("available_products_price_types", []int{5})
			}},
			{"price types emptied", `{"available_products_price_types":[]}`, []string{"available_products_price_types"}, func(got *crmtest.Reply) {
				got.EqualJSON("available_products_price_types", `[]`)
			}},
			{"one field changed", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"value":"новое"}]}]}`, f.text), []string{"custom_fields_values"}, func(got *crmtest.Reply) {
				got.EqualJSON(valueOf(f.text)+".values", `[{"value":"новое"}]`).
					Equal(valueOf(f.list), fieldValue(f.list, "Поле Список", nil, "select", map[string]any{"value": "Значение 2", "enum_id": f.listEnum2})).
					Equal("custom_fields_values.*.field_id", []int64{f.text, f.multi, f.checkbox, f.list})
			}},
			{"values null clears", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":null}]}`, f.text), []string{"custom_fields_values"}, func(got *crmtest.Reply) {
				got.Equal("custom_fields_values.*.field_id", []int64{f.multi, f.checkbox, f.list})
			}},
			{"values [] clears", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[]}]}`, f.list), []string{"custom_fields_values"}, func(got *crmtest.Reply) {
				got.Equal("custom_fields_values.*.field_id", []int64{f.multi, f.checkbox})
			}},
			{"checkbox false by code", `{"custom_fields_values":[{"field_code":"MYSUPERCHECKBOX","values":[{"value":false}]}]}`, []string{"custom_fields_values"}, func(got *crmtest.Reply) {
				got.Equal(valueOf(f.checkbox), fieldValue(f.checkbox, "Поле Чекбокс", "MYSUPERCHECKBOX", "checkbox", map[string]any{"value": false}))
			}},
			{"multiselect replaced", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"enum_id":%d}]}]}`, f.multi, f.multiOther), []string{"custom_fields_values"}, func(got *crmtest.Reply) {
				got.Equal(valueOf(f.multi), fieldValue(f.multi, "Мультиселект поле", nil, "multiselect", map[string]any{"value": "Второе значение", "enum_id": f.multiOther}))
			}},
			{"empty custom_fields_values changes nothing", `{"custom_fields_values":[]}`, nil, nil},
			{"everything", fmt.Sprintf(`{"name":"All","color":"4a001f","available_products_price_types":[9,8],"custom_fields_values":[{"field_id":%d,"values":[{"value":"Значение 1"}]}]}`, f.list),
				[]string{"name", "color", "available_products_price_types", "custom_fields_values"}, func(got *crmtest.Reply) {
					got.Equal("name", "All").Equal("color", "4a001f").
						Equal("available_products_price_types", []int{9, 8}).
						Equal(valueOf(f.list), fieldValue(f.list, "Поле Список", nil, "select", map[string]any{"value": "Значение 1", "enum_id": f.listEnum1}))
				}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				got := a.api.Patch(t, one, s.body).HAL(200)
				a.api.Get(t, one).HAL(200).Equal("", got.V) // GET after PATCH reads the PATCH answer
				ignore := append([]string{"updated_at"}, s.changed...)
				crmtest.Equal(t, "unmentioned fields", without(got.JSON, ignore...), without(prev, ignore...))
				if got.Int("updated_at") < prev.Int("updated_at") {
					t.Errorf("updated_at went back: %v -> %v", prev.At("updated_at"), got.At("updated_at"))
				}
				if s.check != nil {
					s.check(got)
				}
				prev = got.JSON
			})
		}
		t.Run("request_id echoed", func(t *testing.T) {
			a.api.Patch(t, one, `{"name":"Echo","request_id":"abc"}`).HAL(200).Equal("request_id", "abc")
			added := a.api.Post(t, segmentsPath, `{"name":"Echo too","request_id":"xyz"}`).HAL(200).Equal("request_id", "xyz")
			if a.api.Get(t, segmentsPath+"/"+itoa(added.Int("id"))).HAL(200).Get("request_id") != nil {
				t.Errorf("request_id was stored")
			}
		})
		t.Run("defaults on add", func(t *testing.T) {
			got := a.api.Post(t, segmentsPath, `{"name":"Plain"}`).HAL(200).
				EqualJSON("available_products_price_types", `[]`).
				EqualJSON("custom_fields_values", `[]`)
			if c := got.Str("color"); !slices.Contains(crm.SegmentColors, c) {
				t.Errorf("default color %q is not in the palette", c)
			}
		})
	})
}

// TestSegmentDelete checks DELETE: 204 with no body, then 404 everywhere, and
// the other segments stay.
func TestSegmentDelete(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Delete", "segments")
		f := createSeedFields(t, a)
		gone := a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Gone","custom_fields_values":[{"field_id":%d,"values":[{"value":"x"}]}]}`, f.text)).HAL(200)
		kept := a.api.Post(t, segmentsPath, fmt.Sprintf(`{"name":"Kept","custom_fields_values":[{"field_id":%d,"values":[{"value":"y"}]}]}`, f.text)).HAL(200)
		one := segmentsPath + "/" + itoa(gone.Int("id"))

		a.api.Delete(t, one).HAL(204)
		nothing(a.api.Get(t, one))
		a.api.Patch(t, one, `{"name":"Back"}`).Problem(404)
		a.api.Delete(t, one).Problem(404)
		a.api.Get(t, segmentsPath).HAL(200).Equal("_embedded.segments.*.id", []int64{kept.Int("id")})
		a.api.Get(t, segmentsPath+"/"+itoa(kept.Int("id"))).HAL(200).Equal("", kept.V)
	})
}

// TestSegmentContentTypes checks that a problem body carries no charset and
// that an unknown route or method under the API answers a problem too.
func TestSegmentContentTypes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Types", "segments")
		a.api.Do(t, http.MethodPut, segmentsPath, `{"name":"x"}`).Problem(405)
		a.api.Get(t, segmentsPath+"/1/nothing").Problem(404)
		nothing(a.api.Get(t, segmentsPath)) // an empty list is 204, no body
		a.api.Post(t, segmentsPath, `{"name":"x"}`).HAL(200)
		a.api.Get(t, segmentsPath).HAL(200).Obj("") // the list is an object
	})
}
