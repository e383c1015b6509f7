package amocrm_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Paths of the segments API (seed 000) and its custom fields (companion §4).
const (
	sgSegmentsPath = "/api/v4/customers/segments"
	sgFieldsPath   = "/api/v4/customers/segments/custom_fields"
)

// ---------------------------------------------------------------------------
// Seed 000 examples, verbatim except where noted.

// sgSeedAddBody is the request example of "Добавление сегмента покупателей";
// the ids 245035, 245351 and 387477 are replaced by the ids the test creates.
const sgSeedAddBody = `{
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

// sgSeedAddResponse is the response example of the same section.
const sgSeedAddResponse = `{
    "id": 17,
    "created_at": 1589462149,
    "updated_at": 1589462149,
    "account_id": 123123,
    "name": "Сегмент для примера",
    "color": "ae003f",
    "available_products_price_types": [],
    "customers_count": 0,
    "custom_fields_values": [
        {
            "values": [
                {
                    "value": "Этот сегмент создан для примера"
                }
            ],
            "field_id": 245035,
            "field_name": "Описание сегмента",
            "field_code": null,
            "field_type": "text"
        },
        {
            "values": [
                {
                    "value": "Значение мультиселекта",
                    "enum_id": 387477
                }
            ],
            "field_id": 245351,
            "field_name": "Мультиселект поле",
            "field_code": null,
            "field_type": "multiselect"
        }
    ],
    "_links": {
        "self": {
            "href": "https://example.amocrm.ru/api/v4/customers/segments/17"
        }
    }
}`

// sgSeedEditBody is the request example of "Редактирование сегмента покупателей".
const sgSeedEditBody = `{
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

// sgSeedEditResponse is the response example of the same section; the seed
// has a trailing comma after the last custom_fields_values item, removed here
// so that it parses.
const sgSeedEditResponse = `{
    "id": 17,
    "created_at": 1589462149,
    "updated_at": 1589463844,
    "account_id": 123123,
    "name": "Новое имя для сегмента",
    "color": "ae003f",
    "available_products_price_types": [],
    "customers_count": 0,
    "custom_fields_values": [
        {
            "values": [
                {
                    "value": "Новое описание для сегмента"
                }
            ],
            "field_id": 245035,
            "field_name": "Описание сегмента",
            "field_code": null,
            "field_type": "text"
        }
    ],
    "_links": {
        "self": {
            "href": "https://example.amocrm.ru/api/v4/customers/segments/17"
        }
    }
}`

// sgSeedListResponse is the response example of "Список сегментов покупателей".
const sgSeedListResponse = `{
    "_total_items": 2,
    "_page": 1,
    "_page_count": 1,
    "_links": {
        "self": {
            "href": "https://example.amocrm.ru/api/v4/customers/segments?page=1&limit=50"
        }
    },
    "_embedded": {
        "segments": [
            {
                "id": 51,
                "created_at": 1589615328,
                "updated_at": 1591089010,
                "account_id": 28805383,
                "name": "Сегмент 1",
                "color": "6610f2",
                "available_products_price_types": [
                    288891
                ],
                "customers_count": 0,
                "custom_fields_values": [
                    {
                        "values": [
                            {
                                "value": true
                            }
                        ],
                        "field_id": 269471,
                        "field_name": "Поле Чекбокс",
                        "field_code": "MYSUPERCHECKBOX",
                        "field_type": "checkbox"
                    },
                    {
                        "values": [
                            {
                                "value": "Значение 1",
                                "enum_id": 381857
                            }
                        ],
                        "field_id": 269473,
                        "field_name": "Поле Список",
                        "field_code": null,
                        "field_type": "select"
                    },
                    {
                        "values": [
                            {
                                "value": "12424"
                            }
                        ],
                        "field_id": 272427,
                        "field_name": "Поле текст",
                        "field_code": null,
                        "field_type": "text"
                    }
                ],
                "_links": {
                    "self": {
                        "href": "https://example.amocrm.ru/api/v4/customers/segments/51"
                    }
                }
            },
            {
                "id": 21,
                "created_at": 1587376544,
                "updated_at": 1587376544,
                "account_id": 28805383,
                "name": "Сегмент 2",
                "color": "4a001f",
                "available_products_price_types": [
                    271211
                ],
                "customers_count": 0,
                "custom_fields_values": [],
                "_links": {
                    "self": {
                        "href": "https://example.amocrm.ru/api/v4/customers/segments/21"
                    }
                }
            }
        ]
    }
}`

// sgSeedGetResponse is the response example of "Получение сегмента покупателей по ID".
const sgSeedGetResponse = `{
    "id": 51,
    "created_at": 1589615328,
    "updated_at": 1591089010,
    "account_id": 28805383,
    "name": "Новый сегмент",
    "color": "6610f2",
    "available_products_price_types": [
        288891
    ],
    "customers_count": 0,
    "custom_fields_values": [
        {
            "values": [
                {
                    "value": true
                }
            ],
            "field_id": 269471,
            "field_name": "Поле Чекбокс",
            "field_code": "MYSUPERCHECKBOX",
            "field_type": "checkbox"
        },
        {
            "values": [
                {
                    "value": "Значение 1",
                    "enum_id": 381857
                }
            ],
            "field_id": 269473,
            "field_name": "Поле Список",
            "field_code": null,
            "field_type": "select"
        },
        {
            "values": [
                {
                    "value": "12424"
                }
            ],
            "field_id": 272427,
            "field_name": "Поле текст",
            "field_code": null,
            "field_type": "text"
        }
    ],
    "_links": {
        "self": {
            "href": "https://shard151.amocrm.ru/api/v4/customers/segments/51"
        }
    }
}`

// sgSegmentKeys are the keys of a segment in every response example of 000.
var sgSegmentKeys = []string{"_links", "account_id", "available_products_price_types", "color", "created_at",
	"custom_fields_values", "customers_count", "id", "name", "updated_at"}

// ---------------------------------------------------------------------------
// Helpers (prefixed sg so they do not clash with other test files).

// sgDecode parses a JSON text with numbers as json.Number.
func sgDecode(t testing.TB, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", text, err)
	}
	return v
}

// sgKind names the JSON kind of a decoded value; integers are told apart from
// other numbers.
func sgKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case json.Number:
		if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return "int"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sgShape checks that got has every key of want, recursively, with the same
// JSON kind. Arrays of the same length are compared item by item, otherwise
// every item of got is compared with the first item of want.
func sgShape(t testing.TB, path string, want, got any) {
	t.Helper()
	wk, gk := sgKind(want), sgKind(got)
	if wk != gk {
		t.Errorf("%s: got %s %v, the seed has %s %v", path, gk, got, wk, want)
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("%s.%s: missing (seed has %v)", path, k, wv)
				continue
			}
			sgShape(t, path+"."+k, wv, gv)
		}
	case []any:
		g := got.([]any)
		if len(w) == 0 {
			return
		}
		for i, gv := range g {
			wv := w[0]
			if len(w) == len(g) {
				wv = w[i]
			}
			sgShape(t, fmt.Sprintf("%s.%d", path, i), wv, gv)
		}
	}
}

// sgKeys returns the sorted keys of an object.
func sgKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sgObj(t testing.TB, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want object, got %s %v", what, sgKind(v), v)
	}
	return m
}

func sgArr(t testing.TB, v any, what string) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: want array, got %s %v", what, sgKind(v), v)
	}
	return a
}

func sgInt(t testing.TB, v any, what string) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%s: want int, got %s %v", what, sgKind(v), v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s: want int, got %v", what, n)
	}
	return i
}

// sgIntOf reads an int key of an object.
func sgIntOf(t testing.TB, m map[string]any, key string) int64 {
	t.Helper()
	return sgInt(t, m[key], key)
}

// sgID returns the id of an object as the path segment.
func sgID(t testing.TB, m map[string]any) string {
	t.Helper()
	return strconv.FormatInt(sgIntOf(t, m, "id"), 10)
}

// sgOK checks a success status and the exact HAL content type.
func sgOK(t testing.TB, resp *crmtest.Response, status int) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	if status == http.StatusNoContent {
		if len(resp.Body) != 0 {
			t.Errorf("204 with a body: %q", resp.Body)
		}
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/hal+json" {
		t.Errorf("Content-Type %q, want application/hal+json", ct)
	}
}

// sgMust checks a success status and returns the body object, which must not
// carry a top-level status key.
func sgMust(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	sgOK(t, resp, status)
	m := resp.Object(t)
	if _, ok := m["status"]; ok {
		t.Errorf("success body has a top-level status key: %s", resp.Body)
	}
	return m
}

// sgProblem checks an application/problem+json answer with the given status
// and returns it.
func sgProblem(t testing.TB, resp *crmtest.Response, status int) map[string]any {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want exactly application/problem+json", ct)
	}
	p := resp.Object(t)
	if got := p["title"]; got != http.StatusText(status) {
		t.Errorf("title %v, want %q", got, http.StatusText(status))
	}
	if got, want := p["type"], "https://httpstatus.es/"+strconv.Itoa(status); got != want {
		t.Errorf("type %v, want %q", got, want)
	}
	if got := sgIntOf(t, p, "status"); got != int64(status) {
		t.Errorf("status field %d, want %d", got, status)
	}
	if d, ok := p["detail"].(string); !ok || d == "" {
		t.Errorf("detail %v, want a non-empty string", p["detail"])
	}
	return p
}

// sgViolation is one expected entry of validation-errors.
type sgViolation struct {
	requestID, code, path string
}

// sgViolations checks a 400 answer and that its validation-errors contain
// every wanted (request_id, code, path).
func sgViolations(t testing.TB, resp *crmtest.Response, want ...sgViolation) {
	t.Helper()
	p := sgProblem(t, resp, http.StatusBadRequest)
	var got []sgViolation
	for _, item := range sgArr(t, p["validation-errors"], "validation-errors") {
		it := sgObj(t, item, "validation-errors item")
		rid, ok := it["request_id"].(string)
		if !ok {
			t.Errorf("validation-errors request_id %v, want a string", it["request_id"])
		}
		for _, e := range sgArr(t, it["errors"], "errors") {
			eo := sgObj(t, e, "error")
			code, _ := eo["code"].(string)
			path, _ := eo["path"].(string)
			if d, ok := eo["detail"].(string); !ok || d == "" {
				t.Errorf("error %v has no detail", eo)
			}
			got = append(got, sgViolation{rid, code, path})
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("validation-errors %+v lack %+v; body %s", got, w, resp.Body)
		}
	}
}

// sgSetMode switches the customers mode of the account.
func sgSetMode(t testing.TB, env *crmtest.Env, token, mode string, enabled bool) {
	t.Helper()
	resp := env.Do(t, http.MethodPatch, "/api/v4/customers/mode", token, fmt.Sprintf(`{"mode":%q,"is_enabled":%t}`, mode, enabled))
	sgOK(t, resp, http.StatusOK)
}

// sgSegmentsAccount creates an account with segmentation on and returns its
// administrator token.
func sgSegmentsAccount(t testing.TB, env *crmtest.Env, name string) string {
	t.Helper()
	acc := env.NewAccount(t, name)
	sgSetMode(t, env, acc.AmoCRMToken, "segments", true)
	return acc.AmoCRMToken
}

// sgCreateFields posts a batch of segment custom fields and returns them.
func sgCreateFields(t testing.TB, env *crmtest.Env, token, body string) []map[string]any {
	t.Helper()
	m := sgMust(t, env.Do(t, http.MethodPost, sgFieldsPath, token, body), http.StatusCreated)
	var out []map[string]any
	for _, f := range sgArr(t, sgObj(t, m["_embedded"], "_embedded")["custom_fields"], "custom_fields") {
		out = append(out, sgObj(t, f, "custom field"))
	}
	return out
}

// sgEnumID returns the id of the field's enum with the given value.
func sgEnumID(t testing.TB, field map[string]any, value string) int64 {
	t.Helper()
	for _, e := range sgArr(t, field["enums"], "enums") {
		eo := sgObj(t, e, "enum")
		if eo["value"] == value {
			return sgIntOf(t, eo, "id")
		}
	}
	t.Fatalf("field %v has no enum %q", field["name"], value)
	return 0
}

// sgAddSegment posts a segment and returns it.
func sgAddSegment(t testing.TB, env *crmtest.Env, token, body string) map[string]any {
	t.Helper()
	return sgMust(t, env.Do(t, http.MethodPost, sgSegmentsPath, token, body), http.StatusOK)
}

// sgGetSegment reads a segment.
func sgGetSegment(t testing.TB, env *crmtest.Env, token, id string) map[string]any {
	t.Helper()
	return sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath+"/"+id, token, ""), http.StatusOK)
}

// sgTotal returns _total_items of the segments list.
func sgTotal(t testing.TB, env *crmtest.Env, token string) int64 {
	t.Helper()
	return sgIntOf(t, sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, token, ""), http.StatusOK), "_total_items")
}

// sgFieldValues indexes a segment's custom_fields_values by field_id.
func sgFieldValues(t testing.TB, seg map[string]any) map[int64]map[string]any {
	t.Helper()
	out := map[int64]map[string]any{}
	for _, v := range sgArr(t, seg["custom_fields_values"], "custom_fields_values") {
		fv := sgObj(t, v, "custom_fields_values item")
		out[sgIntOf(t, fv, "field_id")] = fv
	}
	return out
}

// sgValues returns the "value"s of one field of a segment, nil when absent.
func sgValues(t testing.TB, seg map[string]any, fieldID int64) []any {
	t.Helper()
	fv, ok := sgFieldValues(t, seg)[fieldID]
	if !ok {
		return nil
	}
	var out []any
	for _, v := range sgArr(t, fv["values"], "values") {
		out = append(out, sgObj(t, v, "value")["value"])
	}
	return out
}

// sgSegmentIDs returns the ids of a list page, in order.
func sgSegmentIDs(t testing.TB, page map[string]any) []int64 {
	t.Helper()
	var ids []int64
	for _, s := range sgArr(t, sgObj(t, page["_embedded"], "_embedded")["segments"], "segments") {
		ids = append(ids, sgIntOf(t, sgObj(t, s, "segment"), "id"))
	}
	return ids
}

// sgHref returns _links.<rel>.href, or "" when the link is absent.
func sgHref(t testing.TB, m map[string]any, rel string) string {
	t.Helper()
	links := sgObj(t, m["_links"], "_links")
	l, ok := links[rel]
	if !ok {
		return ""
	}
	href, _ := sgObj(t, l, rel)["href"].(string)
	if href == "" {
		t.Errorf("_links.%s has no href: %v", rel, l)
	}
	return href
}

// sgSeedFields holds the ids of the custom fields the seed's examples refer to.
type sgSeedFields struct {
	text, multi, checkbox, list, plain int64 // field ids
	multiEnum, multiOther              int64 // enums of "Мультиселект поле"
	listEnum1, listEnum2               int64 // enums of "Поле Список"
}

// sgCreateSeedFields creates the fields of sgSeedFields.
func sgCreateSeedFields(t testing.TB, env *crmtest.Env, token string) sgSeedFields {
	t.Helper()
	fields := sgCreateFields(t, env, token, `[
		{"name":"Описание сегмента","type":"text"},
		{"name":"Мультиселект поле","type":"multiselect","enums":[{"value":"Значение мультиселекта","sort":1},{"value":"Второе значение","sort":2,"code":"SECOND"}]},
		{"name":"Поле Чекбокс","type":"checkbox","code":"MYSUPERCHECKBOX"},
		{"name":"Поле Список","type":"select","enums":[{"value":"Значение 1","sort":1},{"value":"Значение 2","sort":2}]},
		{"name":"Поле текст","type":"text"}
	]`)
	if len(fields) != 5 {
		t.Fatalf("created %d fields, want 5", len(fields))
	}
	return sgSeedFields{
		text: sgIntOf(t, fields[0], "id"), multi: sgIntOf(t, fields[1], "id"), checkbox: sgIntOf(t, fields[2], "id"),
		list: sgIntOf(t, fields[3], "id"), plain: sgIntOf(t, fields[4], "id"),
		multiEnum: sgEnumID(t, fields[1], "Значение мультиселекта"), multiOther: sgEnumID(t, fields[1], "Второе значение"),
		listEnum1: sgEnumID(t, fields[3], "Значение 1"), listEnum2: sgEnumID(t, fields[3], "Значение 2"),
	}
}

// sgCheckSegment checks a segment object against a seed example: the exact
// key set, the seed's shape, ints for times and ids, the account and an
// absolute self link.
func sgCheckSegment(t testing.TB, env *crmtest.Env, accountID int64, seed, got map[string]any) {
	t.Helper()
	if keys := sgKeys(got); !reflect.DeepEqual(keys, sgSegmentKeys) {
		t.Errorf("segment keys %v, want %v", keys, sgSegmentKeys)
	}
	sgShape(t, "segment", seed, got)
	if a := sgIntOf(t, got, "account_id"); a != accountID {
		t.Errorf("account_id %d, want %d", a, accountID)
	}
	if c := sgIntOf(t, got, "customers_count"); c != 0 {
		t.Errorf("customers_count %d, want 0", c)
	}
	created, updated := sgIntOf(t, got, "created_at"), sgIntOf(t, got, "updated_at")
	if created < 1_600_000_000 || updated < created {
		t.Errorf("created_at %d, updated_at %d: want Unix seconds with updated >= created", created, updated)
	}
	if href, want := sgHref(t, got, "self"), env.URL+sgSegmentsPath+"/"+sgID(t, got); href != want {
		t.Errorf("_links.self.href %q, want %q", href, want)
	}
}

// sgCheckValue checks one custom_fields_values entry of a segment.
func sgCheckValue(t testing.TB, seg map[string]any, fieldID int64, name string, code any, typ string, values ...map[string]any) {
	t.Helper()
	fv, ok := sgFieldValues(t, seg)[fieldID]
	if !ok {
		t.Errorf("segment %v has no value of field %d (%s): %v", seg["name"], fieldID, name, seg["custom_fields_values"])
		return
	}
	if fv["field_name"] != name || fv["field_code"] != code || fv["field_type"] != typ {
		t.Errorf("field %d: name %v code %v type %v, want %q %v %q", fieldID, fv["field_name"], fv["field_code"], fv["field_type"], name, code, typ)
	}
	got := sgArr(t, fv["values"], "values")
	if len(got) != len(values) {
		t.Errorf("field %d: %d values %v, want %d", fieldID, len(got), got, len(values))
		return
	}
	for i, w := range values {
		g := sgObj(t, got[i], "value")
		if len(g) != len(w) {
			t.Errorf("field %d value %d: %v, want %v", fieldID, i, g, w)
			continue
		}
		for k, wv := range w {
			gv := g[k]
			if n, ok := gv.(json.Number); ok {
				gv = sgInt(t, n, k)
			}
			if gv != wv {
				t.Errorf("field %d value %d: %s = %v (%T), want %v (%T)", fieldID, i, k, gv, gv, wv, wv)
			}
		}
	}
}

// sgRace POSTs every body to path at once and returns the statuses. It does
// not use env.Do, which may only fail the test from the test's goroutine.
func sgRace(t testing.TB, env *crmtest.Env, token, path string, bodies []string) []int {
	t.Helper()
	statuses := make([]int, len(bodies))
	errs := make([]error, len(bodies))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Go(func() {
			<-start
			req, err := http.NewRequest(http.MethodPost, env.URL+path, strings.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := env.Client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			_, errs[i] = io.Copy(io.Discard, resp.Body)
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	return statuses
}

// sgCount returns how many of statuses equal status.
func sgCount(statuses []int, status int) int {
	n := 0
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}

func sgReplaceIDs(body string, repl ...string) string {
	return strings.NewReplacer(repl...).Replace(body)
}

func sgItoa(i int64) string { return strconv.FormatInt(i, 10) }

// ---------------------------------------------------------------------------
// Tests.

// TestSegmentSeedExamples replays every segment request example of seed 000
// and checks the answers field by field against the seed's response examples.
func TestSegmentSeedExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Seed examples")
		token := acc.AmoCRMToken
		sgSetMode(t, env, token, "segments", true)
		f := sgCreateSeedFields(t, env, token)
		ids := []string{"245035", sgItoa(f.text), "245351", sgItoa(f.multi), "387477", sgItoa(f.multiEnum)}

		// Добавление сегмента покупателей.
		add := sgAddSegment(t, env, token, sgReplaceIDs(sgSeedAddBody, ids...))
		sgCheckSegment(t, env, acc.AccountID, sgObj(t, sgDecode(t, sgSeedAddResponse), "seed"), add)
		if add["name"] != "Сегмент для примера" || add["color"] != "ae003f" {
			t.Errorf("add: name %v color %v", add["name"], add["color"])
		}
		if p := sgArr(t, add["available_products_price_types"], "available_products_price_types"); len(p) != 0 {
			t.Errorf("add: available_products_price_types %v, want []", p)
		}
		if n := len(sgArr(t, add["custom_fields_values"], "custom_fields_values")); n != 2 {
			t.Errorf("add: %d custom_fields_values, want 2", n)
		}
		sgCheckValue(t, add, f.text, "Описание сегмента", nil, "text", map[string]any{"value": "Этот сегмент создан для примера"})
		sgCheckValue(t, add, f.multi, "Мультиселект поле", nil, "multiselect", map[string]any{"value": "Значение мультиселекта", "enum_id": f.multiEnum})
		id := sgID(t, add)

		// Редактирование сегмента покупателей.
		edit := sgMust(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+id, token, sgReplaceIDs(sgSeedEditBody, ids...)), http.StatusOK)
		sgCheckSegment(t, env, acc.AccountID, sgObj(t, sgDecode(t, sgSeedEditResponse), "seed"), edit)
		if edit["name"] != "Новое имя для сегмента" || edit["color"] != "ae003f" || sgID(t, edit) != id {
			t.Errorf("edit: id %v name %v color %v", edit["id"], edit["name"], edit["color"])
		}
		if edit["created_at"] != add["created_at"] {
			t.Errorf("edit changed created_at: %v -> %v", add["created_at"], edit["created_at"])
		}
		sgCheckValue(t, edit, f.text, "Описание сегмента", nil, "text", map[string]any{"value": "Новое описание для сегмента"})
		// The field the example does not mention keeps its value.
		sgCheckValue(t, edit, f.multi, "Мультиселект поле", nil, "multiselect", map[string]any{"value": "Значение мультиселекта", "enum_id": f.multiEnum})

		// The two segments of the list example.
		one := sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Сегмент 1","color":"6610f2","available_products_price_types":[288891],
			"custom_fields_values":[{"field_code":"MYSUPERCHECKBOX","values":[{"value":true}]},
				{"field_id":%d,"values":[{"enum_id":%d}]},{"field_id":%d,"values":[{"value":"12424"}]}]}`, f.list, f.listEnum1, f.plain))
		two := sgAddSegment(t, env, token, `{"name":"Сегмент 2","color":"4a001f","available_products_price_types":[271211]}`)

		// Список сегментов покупателей.
		seedList := sgObj(t, sgDecode(t, sgSeedListResponse), "seed list")
		seedSegs := sgArr(t, sgObj(t, seedList["_embedded"], "seed _embedded")["segments"], "seed segments")
		list := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, token, ""), http.StatusOK)
		if keys := sgKeys(list); !reflect.DeepEqual(keys, []string{"_embedded", "_links", "_page", "_page_count", "_total_items"}) {
			t.Errorf("list keys %v", keys)
		}
		// The envelope against the seed; the segments one by one below.
		envelope := sgObj(t, sgDecode(t, sgSeedListResponse), "seed list")
		envelope["_embedded"] = map[string]any{"segments": []any{}}
		sgShape(t, "list", envelope, list)
		if sgIntOf(t, list, "_total_items") != 3 || sgIntOf(t, list, "_page") != 1 || sgIntOf(t, list, "_page_count") != 1 {
			t.Errorf("list envelope: total %v page %v page_count %v", list["_total_items"], list["_page"], list["_page_count"])
		}
		if href, want := sgHref(t, list, "self"), env.URL+sgSegmentsPath+"?page=1&limit=50"; href != want {
			t.Errorf("list self %q, want %q", href, want)
		}
		if sgHref(t, list, "next") != "" || sgHref(t, list, "prev") != "" {
			t.Errorf("one-page list has next/prev links: %v", list["_links"])
		}
		if got, want := sgSegmentIDs(t, list), []int64{sgIntOf(t, add, "id"), sgIntOf(t, one, "id"), sgIntOf(t, two, "id")}; !reflect.DeepEqual(got, want) {
			t.Errorf("list ids %v, want %v", got, want)
		}
		listed := map[string]map[string]any{}
		for _, s := range sgArr(t, sgObj(t, list["_embedded"], "_embedded")["segments"], "segments") {
			so := sgObj(t, s, "segment")
			listed[sgID(t, so)] = so
		}
		l1, l2 := listed[sgID(t, one)], listed[sgID(t, two)]
		sgCheckSegment(t, env, acc.AccountID, sgObj(t, seedSegs[0], "seed segment 1"), l1)
		sgCheckSegment(t, env, acc.AccountID, sgObj(t, seedSegs[1], "seed segment 2"), l2)
		sgCheckSegment(t, env, acc.AccountID, sgObj(t, sgDecode(t, sgSeedEditResponse), "seed"), listed[id])
		if !reflect.DeepEqual(listed[id], edit) {
			t.Errorf("listed edited segment differs from the PATCH answer:\n%v\n%v", listed[id], edit)
		}
		for _, c := range []struct {
			seg         map[string]any
			name, color string
			price       int64
		}{{l1, "Сегмент 1", "6610f2", 288891}, {l2, "Сегмент 2", "4a001f", 271211}} {
			if c.seg["name"] != c.name || c.seg["color"] != c.color {
				t.Errorf("listed %v: name %v color %v", c.seg["id"], c.seg["name"], c.seg["color"])
			}
			p := sgArr(t, c.seg["available_products_price_types"], "available_products_price_types")
			if len(p) != 1 || sgInt(t, p[0], "price type") != c.price {
				t.Errorf("%s: available_products_price_types %v, want [%d]", c.name, p, c.price)
			}
		}
		if n := len(sgArr(t, l2["custom_fields_values"], "custom_fields_values")); n != 0 {
			t.Errorf("Сегмент 2 custom_fields_values has %d items, want []", n)
		}
		// The seed lists the values in field order: checkbox, select, text.
		var order []int64
		for _, v := range sgArr(t, l1["custom_fields_values"], "custom_fields_values") {
			order = append(order, sgIntOf(t, sgObj(t, v, "value"), "field_id"))
		}
		if want := []int64{f.checkbox, f.list, f.plain}; !reflect.DeepEqual(order, want) {
			t.Errorf("Сегмент 1 field order %v, want %v", order, want)
		}

		// Получение сегмента покупателей по ID (with the Content-Type header
		// that clients send on every request).
		got := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath+"/"+sgID(t, one), token, "", "Content-Type: application/json"), http.StatusOK)
		sgCheckSegment(t, env, acc.AccountID, sgObj(t, sgDecode(t, sgSeedGetResponse), "seed get"), got)
		sgCheckValue(t, got, f.checkbox, "Поле Чекбокс", "MYSUPERCHECKBOX", "checkbox", map[string]any{"value": true})
		sgCheckValue(t, got, f.list, "Поле Список", nil, "select", map[string]any{"value": "Значение 1", "enum_id": f.listEnum1})
		sgCheckValue(t, got, f.plain, "Поле текст", nil, "text", map[string]any{"value": "12424"})
		if !reflect.DeepEqual(got, l1) {
			t.Errorf("GET by id differs from the list item:\n%v\n%v", got, l1)
		}

		// Удаление сегмента покупателей.
		resp := env.Do(t, http.MethodDelete, sgSegmentsPath+"/"+id, token, "", "Content-Type: application/json")
		sgOK(t, resp, http.StatusNoContent)
		sgProblem(t, env.Do(t, http.MethodGet, sgSegmentsPath+"/"+id, token, ""), http.StatusNotFound)
		if n := sgTotal(t, env, token); n != 2 {
			t.Errorf("after delete: %d segments, want 2", n)
		}
	})
}

// TestSegmentUnauthorized checks that every segment endpoint answers 401
// without a valid bearer token.
func TestSegmentUnauthorized(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Auth")
		seg := sgAddSegment(t, env, token, `{"name":"Kept"}`)
		id := sgID(t, seg)
		endpoints := []struct{ method, path, body string }{
			{http.MethodGet, sgSegmentsPath, ""},
			{http.MethodPost, sgSegmentsPath, `{"name":"X"}`},
			{http.MethodGet, sgSegmentsPath + "/" + id, ""},
			{http.MethodPatch, sgSegmentsPath + "/" + id, `{"name":"X"}`},
			{http.MethodDelete, sgSegmentsPath + "/" + id, ""},
		}
		auths := map[string][]string{
			"no header":    nil,
			"bad token":    {"Authorization: Bearer not-a-token"},
			"forged jwt":   {"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"},
			"basic scheme": {"Authorization: Basic " + token},
			"empty bearer": {"Authorization: Bearer "},
		}
		for name, headers := range auths {
			for _, e := range endpoints {
				t.Run(name+" "+e.method+" "+e.path, func(t *testing.T) {
					sgProblem(t, env.Do(t, e.method, e.path, "", e.body, headers...), http.StatusUnauthorized)
				})
			}
		}
		if got := sgGetSegment(t, env, token, id); got["name"] != "Kept" {
			t.Errorf("segment changed by unauthorized requests: %v", got)
		}
		if n := sgTotal(t, env, token); n != 1 {
			t.Errorf("%d segments, want 1", n)
		}
	})
}

// TestSegmentMemberForbidden checks that members read segments but may not
// write them.
func TestSegmentMemberForbidden(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Members")
		sgSetMode(t, env, acc.AmoCRMToken, "segments", true)
		member := env.NewUser(t, acc.AccountID, crm.RoleMember).AmoCRMToken
		seg := sgAddSegment(t, env, acc.AmoCRMToken, `{"name":"Admin's","color":"2176ff"}`)
		id := sgID(t, seg)

		list := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, member, ""), http.StatusOK)
		if ids := sgSegmentIDs(t, list); len(ids) != 1 || sgItoa(ids[0]) != id {
			t.Errorf("member list ids %v, want [%s]", ids, id)
		}
		if got := sgGetSegment(t, env, member, id); !reflect.DeepEqual(got, seg) {
			t.Errorf("member GET %v, want %v", got, seg)
		}
		for _, e := range []struct{ method, path, body string }{
			{http.MethodPost, sgSegmentsPath, `{"name":"Member's"}`},
			{http.MethodPatch, sgSegmentsPath + "/" + id, `{"name":"Member's"}`},
			{http.MethodDelete, sgSegmentsPath + "/" + id, ""},
		} {
			t.Run(e.method, func(t *testing.T) {
				sgProblem(t, env.Do(t, e.method, e.path, member, e.body), http.StatusForbidden)
			})
		}
		// A member may not switch the mode either.
		sgProblem(t, env.Do(t, http.MethodPatch, "/api/v4/customers/mode", member, `{"mode":"periodicity","is_enabled":true}`), http.StatusForbidden)
		if got := sgGetSegment(t, env, acc.AmoCRMToken, id); !reflect.DeepEqual(got, seg) {
			t.Errorf("segment changed by member requests: %v", got)
		}
		if n := sgTotal(t, env, acc.AmoCRMToken); n != 1 {
			t.Errorf("%d segments, want 1", n)
		}
	})
}

// TestSegmentNotFound checks 404 for unknown ids, malformed ids and another
// account's segments, which stay untouched.
func TestSegmentNotFound(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		tokenA := sgSegmentsAccount(t, env, "Owner")
		tokenB := sgSegmentsAccount(t, env, "Stranger")
		theirs := sgAddSegment(t, env, tokenA, `{"name":"Owner's"}`)
		mine := sgAddSegment(t, env, tokenB, `{"name":"Stranger's"}`)
		for _, c := range []struct{ name, id string }{
			{"unknown id", "999999"},
			{"other account's segment", sgID(t, theirs)},
			{"not a number", "abc"},
			{"zero", "0"},
			{"negative", "-1"},
		} {
			t.Run(c.name, func(t *testing.T) {
				path := sgSegmentsPath + "/" + c.id
				sgProblem(t, env.Do(t, http.MethodGet, path, tokenB, ""), http.StatusNotFound)
				sgProblem(t, env.Do(t, http.MethodPatch, path, tokenB, `{"name":"Taken over"}`), http.StatusNotFound)
				sgProblem(t, env.Do(t, http.MethodDelete, path, tokenB, ""), http.StatusNotFound)
			})
		}
		if got := sgGetSegment(t, env, tokenA, sgID(t, theirs)); !reflect.DeepEqual(got, theirs) {
			t.Errorf("owner's segment changed: %v", got)
		}
		if ids := sgSegmentIDs(t, sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, tokenB, ""), http.StatusOK)); len(ids) != 1 || sgItoa(ids[0]) != sgID(t, mine) {
			t.Errorf("stranger sees segments %v, want only its own %s", ids, sgID(t, mine))
		}
	})
}

// TestSegmentValidation checks 400 answers with validation-errors for bad
// bodies, and that none of them writes anything.
func TestSegmentValidation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Validation")
		f := sgCreateSeedFields(t, env, token)
		seg := sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Untouched","color":"2176ff","available_products_price_types":[7],
			"custom_fields_values":[{"field_id":%d,"values":[{"value":"kept"}]}]}`, f.text))
		id := sgID(t, seg)

		malformed := []struct{ name, body string }{
			{"truncated JSON", `{"name":`},
			{"not JSON", `name=x`},
			{"trailing data", `{"name":"x"} {}`},
			{"empty body", ` `},
		}
		for _, c := range malformed {
			t.Run("POST "+c.name, func(t *testing.T) {
				sgProblem(t, env.Do(t, http.MethodPost, sgSegmentsPath, token, c.body, "Content-Type: application/json"), http.StatusBadRequest)
			})
			t.Run("PATCH "+c.name, func(t *testing.T) {
				sgProblem(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+id, token, c.body, "Content-Type: application/json"), http.StatusBadRequest)
			})
		}

		cfv := func(format string, args ...any) string {
			return `{"name":"S","custom_fields_values":` + fmt.Sprintf(format, args...) + `}`
		}
		cases := []struct {
			name, body string
			want       sgViolation
			patchToo   bool // the same body is refused by PATCH at the same path
		}{
			{"missing name", `{"color":"ae003f"}`, sgViolation{"0", "FieldMissing", "name"}, false},
			{"null name", `{"name":null}`, sgViolation{"0", "FieldMissing", "name"}, false},
			{"blank name", `{"name":"   "}`, sgViolation{"0", "NotBlank", "name"}, true},
			{"empty name", `{"name":""}`, sgViolation{"0", "NotBlank", "name"}, true},
			{"too long name", `{"name":"` + strings.Repeat("я", 256) + `"}`, sgViolation{"0", "InvalidLength", "name"}, true},
			{"name not a string", `{"name":123}`, sgViolation{"0", "InvalidType", "name"}, true},
			{"colour with #", `{"name":"S","color":"#ae003f"}`, sgViolation{"0", "NotSupportedChoice", "color"}, true},
			{"colour not in palette", `{"name":"S","color":"ffffff"}`, sgViolation{"0", "NotSupportedChoice", "color"}, true},
			{"status colour", `{"name":"S","color":"fffeb2"}`, sgViolation{"0", "NotSupportedChoice", "color"}, true},
			{"colour not a string", `{"name":"S","color":5}`, sgViolation{"0", "InvalidType", "color"}, true},
			{"price types not an array", `{"name":"S","available_products_price_types":"1"}`, sgViolation{"0", "InvalidType", "available_products_price_types"}, true},
			{"price type not an int", `{"name":"S","available_products_price_types":[1,"a"]}`, sgViolation{"0", "InvalidType", "available_products_price_types.1"}, true},
			{"price type fractional", `{"name":"S","available_products_price_types":[1.5]}`, sgViolation{"0", "InvalidType", "available_products_price_types.0"}, true},
			{"price type not positive", `{"name":"S","available_products_price_types":[0]}`, sgViolation{"0", "OutOfRange", "available_products_price_types.0"}, true},
			{"body an array", `[{"name":"S"}]`, sgViolation{"0", "InvalidType", ""}, true},
			{"values not an array", cfv(`{"field_id":%d}`, f.text), sgViolation{"0", "InvalidType", "custom_fields_values"}, true},
			{"field_id not an int", cfv(`[{"field_id":"x","values":[{"value":"a"}]}]`), sgViolation{"0", "InvalidType", "custom_fields_values.0.field_id"}, true},
			{"unknown field_id", cfv(`[{"field_id":%d,"values":[{"value":"a"}]},{"field_id":987654321,"values":[{"value":"a"}]}]`, f.text), sgViolation{"0", "NotSupportedChoice", "custom_fields_values.1.field_id"}, true},
			{"unknown field_code", cfv(`[{"field_code":"NOPE","values":[{"value":"a"}]}]`), sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.field_code"}, true},
			{"no field_id", cfv(`[{"values":[{"value":"a"}]}]`), sgViolation{"0", "FieldMissing", "custom_fields_values.0.field_id"}, true},
			{"field given twice", cfv(`[{"field_id":%d,"values":[{"value":"a"}]},{"field_id":%d,"values":[{"value":"b"}]}]`, f.text, f.text), sgViolation{"0", "InvalidValue", "custom_fields_values.1.field_id"}, true},
			{"enum_id of another field", cfv(`[{"field_id":%d,"values":[{"enum_id":%d}]}]`, f.multi, f.listEnum1), sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_id"}, true},
			{"enum text unknown", cfv(`[{"field_id":%d,"values":[{"value":"Нет такого"}]}]`, f.list), sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.values.0.value"}, true},
			{"enum_code unknown", cfv(`[{"field_id":%d,"values":[{"enum_code":"NOPE"}]}]`, f.multi), sgViolation{"0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_code"}, true},
			{"enum_id not an int", cfv(`[{"field_id":%d,"values":[{"enum_id":"x"}]}]`, f.list), sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0.enum_id"}, true},
			{"checkbox given a string", cfv(`[{"field_id":%d,"values":[{"value":"true"}]}]`, f.checkbox), sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0.value"}, true},
			{"checkbox by code given a number", cfv(`[{"field_code":"MYSUPERCHECKBOX","values":[{"value":1}]}]`), sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0.value"}, true},
			{"two values for a select", cfv(`[{"field_id":%d,"values":[{"enum_id":%d},{"enum_id":%d}]}]`, f.list, f.listEnum1, f.listEnum2), sgViolation{"0", "InvalidValue", "custom_fields_values.0.values"}, true},
			{"two values for a text", cfv(`[{"field_id":%d,"values":[{"value":"a"},{"value":"b"}]}]`, f.text), sgViolation{"0", "InvalidValue", "custom_fields_values.0.values"}, true},
			{"text given an object", cfv(`[{"field_id":%d,"values":[{"value":{"a":1}}]}]`, f.text), sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0.value"}, true},
			{"text without value", cfv(`[{"field_id":%d,"values":[{}]}]`, f.text), sgViolation{"0", "FieldMissing", "custom_fields_values.0.values.0.value"}, true},
			{"enum_id on a text field", cfv(`[{"field_id":%d,"values":[{"enum_id":%d}]}]`, f.text, f.listEnum1), sgViolation{"0", "FieldNotExpected", "custom_fields_values.0.values.0.enum_id"}, true},
			{"values item not an object", cfv(`[{"field_id":%d,"values":["a"]}]`, f.text), sgViolation{"0", "InvalidType", "custom_fields_values.0.values.0"}, true},
			{"request_id named", `{"request_id":"mine","name":""}`, sgViolation{"mine", "NotBlank", "name"}, true},
		}
		for _, c := range cases {
			t.Run("POST "+c.name, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodPost, sgSegmentsPath, token, c.body), c.want)
			})
			if c.patchToo {
				t.Run("PATCH "+c.name, func(t *testing.T) {
					sgViolations(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+id, token, c.body), c.want)
				})
			}
		}
		patchOnly := []struct {
			name, body string
			want       sgViolation
		}{
			{"no fields", `{}`, sgViolation{"0", "FieldMissing", ""}},
			{"only request_id", `{"request_id":"r1"}`, sgViolation{"r1", "FieldMissing", ""}},
			{"only nulls", `{"name":null,"color":null,"custom_fields_values":null}`, sgViolation{"0", "FieldMissing", ""}},
		}
		for _, c := range patchOnly {
			t.Run("PATCH "+c.name, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+id, token, c.body), c.want)
			})
		}
		t.Run("body over 1 MiB", func(t *testing.T) {
			body := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`
			sgProblem(t, env.Do(t, http.MethodPost, sgSegmentsPath, token, body), http.StatusRequestEntityTooLarge)
		})

		if got := sgGetSegment(t, env, token, id); !reflect.DeepEqual(got, seg) {
			t.Errorf("segment changed by refused PATCHes:\n got %v\nwant %v", got, seg)
		}
		if n := sgTotal(t, env, token); n != 1 {
			t.Errorf("%d segments after refused POSTs, want 1", n)
		}
	})
}

// TestSegmentModeRequired checks that every segment endpoint answers 422
// unless the account is in segmentation mode, and writes nothing.
func TestSegmentModeRequired(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		fresh := env.NewAccount(t, "Fresh").AmoCRMToken
		token := sgSegmentsAccount(t, env, "Switching")
		seg := sgAddSegment(t, env, token, `{"name":"Before","color":"2176ff"}`)
		id := sgID(t, seg)
		endpoints := []struct{ method, path, body string }{
			{http.MethodGet, sgSegmentsPath, ""},
			{http.MethodPost, sgSegmentsPath, `{"name":"New"}`},
			{http.MethodGet, sgSegmentsPath + "/" + id, ""},
			{http.MethodPatch, sgSegmentsPath + "/" + id, `{"name":"After"}`},
			{http.MethodDelete, sgSegmentsPath + "/" + id, ""},
		}
		check := func(t *testing.T, token string) {
			for _, e := range endpoints {
				t.Run(e.method+" "+e.path, func(t *testing.T) {
					sgProblem(t, env.Do(t, e.method, e.path, token, e.body), http.StatusUnprocessableEntity)
				})
			}
		}
		t.Run("new account (disabled)", func(t *testing.T) { check(t, fresh) })
		sgSetMode(t, env, token, "periodicity", true)
		t.Run("periodicity", func(t *testing.T) { check(t, token) })
		sgSetMode(t, env, token, "periodicity", false)
		t.Run("disabled", func(t *testing.T) { check(t, token) })
		sgSetMode(t, env, token, "segments", true)
		if got := sgGetSegment(t, env, token, id); !reflect.DeepEqual(got, seg) {
			t.Errorf("segment changed while segmentation was off: %v", got)
		}
		if n := sgTotal(t, env, token); n != 1 {
			t.Errorf("%d segments, want 1", n)
		}
	})
}

// TestSegmentLimit checks that the 101st segment is refused with 422 and not written.
func TestSegmentLimit(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Limit")
		for i := range crm.MaxSegments {
			sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Segment %d"}`, i+1))
		}
		if n := sgTotal(t, env, token); n != 100 {
			t.Fatalf("%d segments, want 100", n)
		}
		sgProblem(t, env.Do(t, http.MethodPost, sgSegmentsPath, token, `{"name":"Segment 101"}`), http.StatusUnprocessableEntity)
		list := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath+"?limit=250", token, ""), http.StatusOK)
		if n := sgIntOf(t, list, "_total_items"); n != 100 {
			t.Errorf("_total_items %d after the refused 101st, want 100", n)
		}
		for _, s := range sgArr(t, sgObj(t, list["_embedded"], "_embedded")["segments"], "segments") {
			if sgObj(t, s, "segment")["name"] == "Segment 101" {
				t.Errorf("the refused 101st segment was written")
			}
		}
		// Another account is not affected by this one's limit.
		other := sgSegmentsAccount(t, env, "Other")
		sgAddSegment(t, env, other, `{"name":"Segment 1"}`)
		// Deleting one makes room again.
		ids := sgSegmentIDs(t, list)
		sgOK(t, env.Do(t, http.MethodDelete, sgSegmentsPath+"/"+sgItoa(ids[0]), token, ""), http.StatusNoContent)
		sgAddSegment(t, env, token, `{"name":"Segment 101"}`)
		sgProblem(t, env.Do(t, http.MethodPost, sgSegmentsPath, token, `{"name":"Segment 102"}`), http.StatusUnprocessableEntity)

		t.Run("concurrent creates do not race past the limit", func(t *testing.T) {
			racer := sgSegmentsAccount(t, env, "Racer")
			for i := range crm.MaxSegments - 5 {
				sgAddSegment(t, env, racer, fmt.Sprintf(`{"name":"R%d"}`, i))
			}
			bodies := make([]string, 20)
			for i := range bodies {
				bodies[i] = fmt.Sprintf(`{"name":"Race %d"}`, i)
			}
			statuses := sgRace(t, env, racer, sgSegmentsPath, bodies)
			if ok, refused := sgCount(statuses, http.StatusOK), sgCount(statuses, http.StatusUnprocessableEntity); ok != 5 || refused != 15 {
				t.Errorf("statuses %v: %d created and %d refused, want 5 and 15", statuses, ok, refused)
			}
			if n := sgTotal(t, env, racer); n != crm.MaxSegments {
				t.Errorf("%d segments after the race, want %d", n, crm.MaxSegments)
			}
		})
	})
}

// TestSegmentPaging checks page/limit, the envelope and the absolute links.
func TestSegmentPaging(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Paging")
		var all []int64
		for i := range 7 {
			all = append(all, sgIntOf(t, sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"P%d"}`, i)), "id"))
		}
		url := func(page, limit int) string {
			return fmt.Sprintf("%s%s?page=%d&limit=%d", env.URL, sgSegmentsPath, page, limit)
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
				m := sgMust(t, env.Do(t, http.MethodGet, fmt.Sprintf("%s?page=%d&limit=3", sgSegmentsPath, p.page), token, ""), http.StatusOK)
				if sgIntOf(t, m, "_total_items") != 7 || sgIntOf(t, m, "_page") != int64(p.page) || sgIntOf(t, m, "_page_count") != 3 {
					t.Errorf("envelope total %v page %v page_count %v, want 7 %d 3", m["_total_items"], m["_page"], m["_page_count"], p.page)
				}
				if ids := sgSegmentIDs(t, m); !reflect.DeepEqual(ids, p.ids) {
					t.Errorf("ids %v, want %v", ids, p.ids)
				}
				if got := sgHref(t, m, "self"); got != url(p.page, 3) {
					t.Errorf("self %q, want %q", got, url(p.page, 3))
				}
				if got := sgHref(t, m, "next"); got != p.next {
					t.Errorf("next %q, want %q", got, p.next)
				}
				if got := sgHref(t, m, "prev"); got != p.prev {
					t.Errorf("prev %q, want %q", got, p.prev)
				}
			})
		}
		t.Run("following next links visits every segment once", func(t *testing.T) {
			var seen []int64
			path := sgSegmentsPath + "?limit=2"
			for range 10 {
				m := sgMust(t, env.Do(t, http.MethodGet, path, token, ""), http.StatusOK)
				seen = append(seen, sgSegmentIDs(t, m)...)
				next := sgHref(t, m, "next")
				if next == "" {
					break
				}
				if !strings.HasPrefix(next, env.URL+"/") {
					t.Fatalf("next link %q is not absolute on %s", next, env.URL)
				}
				path = strings.TrimPrefix(next, env.URL)
			}
			if !reflect.DeepEqual(seen, all) {
				t.Errorf("visited %v, want %v", seen, all)
			}
		})
		t.Run("page beyond the end", func(t *testing.T) {
			m := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath+"?page=4&limit=3", token, ""), http.StatusOK)
			segs := sgArr(t, sgObj(t, m["_embedded"], "_embedded")["segments"], "segments")
			if len(segs) != 0 {
				t.Errorf("page 4 has %d segments, want an empty array", len(segs))
			}
			if sgIntOf(t, m, "_total_items") != 7 || sgIntOf(t, m, "_page") != 4 || sgIntOf(t, m, "_page_count") != 3 {
				t.Errorf("envelope %v %v %v", m["_total_items"], m["_page"], m["_page_count"])
			}
			if sgHref(t, m, "next") != "" {
				t.Errorf("page beyond the end has a next link")
			}
		})
		t.Run("defaults", func(t *testing.T) {
			m := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, token, ""), http.StatusOK)
			if got := sgHref(t, m, "self"); got != url(1, 50) {
				t.Errorf("self %q, want %q", got, url(1, 50))
			}
			if ids := sgSegmentIDs(t, m); !reflect.DeepEqual(ids, all) {
				t.Errorf("ids %v, want %v", ids, all)
			}
		})
		t.Run("limit 250 is allowed", func(t *testing.T) {
			m := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath+"?limit=250", token, ""), http.StatusOK)
			if n := len(sgSegmentIDs(t, m)); n != 7 {
				t.Errorf("%d segments, want 7", n)
			}
		})
		t.Run("empty list", func(t *testing.T) {
			empty := sgSegmentsAccount(t, env, "Empty")
			m := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, empty, ""), http.StatusOK)
			segs := sgArr(t, sgObj(t, m["_embedded"], "_embedded")["segments"], "segments")
			if len(segs) != 0 || sgIntOf(t, m, "_total_items") != 0 {
				t.Errorf("empty account lists %v", m)
			}
		})
		for _, c := range []struct {
			query string
			want  sgViolation
		}{
			{"limit=251", sgViolation{"0", "OutOfRange", "limit"}},
			{"limit=abc", sgViolation{"0", "InvalidType", "limit"}},
			{"limit=0", sgViolation{"0", "OutOfRange", "limit"}},
			{"limit=-1", sgViolation{"0", "OutOfRange", "limit"}},
			{"page=0", sgViolation{"0", "OutOfRange", "page"}},
			{"page=-2", sgViolation{"0", "OutOfRange", "page"}},
			{"page=x", sgViolation{"0", "InvalidType", "page"}},
		} {
			t.Run(c.query, func(t *testing.T) {
				sgViolations(t, env.Do(t, http.MethodGet, sgSegmentsPath+"?"+c.query, token, ""), c.want)
			})
		}
	})
}

// TestSegmentPatchSemantics checks that PATCH changes only what it mentions.
func TestSegmentPatchSemantics(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Patch")
		f := sgCreateSeedFields(t, env, token)
		seg := sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Original","color":"ae003f","available_products_price_types":[1,2],
			"custom_fields_values":[
				{"field_id":%d,"values":[{"value":"описание"}]},
				{"field_id":%d,"values":[{"value":"Значение мультиселекта"},{"enum_code":"second"}]},
				{"field_code":"mysupercheckbox","values":[{"value":true}]},
				{"field_id":%d,"values":[{"enum_id":%d}]}]}`, f.text, f.multi, f.list, f.listEnum2))
		id := sgID(t, seg)
		sgCheckValue(t, seg, f.multi, "Мультиселект поле", nil, "multiselect",
			map[string]any{"value": "Значение мультиселекта", "enum_id": f.multiEnum}, map[string]any{"value": "Второе значение", "enum_id": f.multiOther})
		sgCheckValue(t, seg, f.checkbox, "Поле Чекбокс", "MYSUPERCHECKBOX", "checkbox", map[string]any{"value": true})

		patch := func(t *testing.T, body string) map[string]any {
			t.Helper()
			out := sgMust(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+id, token, body), http.StatusOK)
			if got := sgGetSegment(t, env, token, id); !reflect.DeepEqual(got, out) {
				t.Errorf("GET after PATCH differs from the PATCH answer:\n%v\n%v", got, out)
			}
			return out
		}
		// without returns a copy of m without the given keys, for comparisons.
		without := func(m map[string]any, keys ...string) map[string]any {
			c := map[string]any{}
			for k, v := range m {
				if !slices.Contains(keys, k) {
					c[k] = v
				}
			}
			return c
		}
		prev := seg
		steps := []struct {
			name, body string
			changed    []string
			check      func(t *testing.T, got map[string]any)
		}{
			{"name only", `{"name":"Renamed"}`, []string{"name"}, func(t *testing.T, got map[string]any) {
				if got["name"] != "Renamed" {
					t.Errorf("name %v", got["name"])
				}
			}},
			{"colour only", `{"color":"2176ff"}`, []string{"color"}, func(t *testing.T, got map[string]any) {
				if got["color"] != "2176ff" {
					t.Errorf("color %v", got["color"])
				}
			}},
			{"price types replaced", `{"available_products_price_types":[5]}`, []string{"available_products_price_types"}, func(t *testing.T, got map[string]any) {
				if p := sgArr(t, got["available_products_price_types"], "price types"); len(p) != 1 || sgInt(t, p[0], "price type") != 5 {
					t.Errorf("available_products_price_types %v, want [5]", p)
				}
			}},
			{"price types emptied", `{"available_products_price_types":[]}`, []string{"available_products_price_types"}, func(t *testing.T, got map[string]any) {
				if p := sgArr(t, got["available_products_price_types"], "price types"); len(p) != 0 {
					t.Errorf("available_products_price_types %v, want []", p)
				}
			}},
			{"one field changed", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"value":"новое"}]}]}`, f.text), []string{"custom_fields_values"}, func(t *testing.T, got map[string]any) {
				if v := sgValues(t, got, f.text); !reflect.DeepEqual(v, []any{"новое"}) {
					t.Errorf("text values %v", v)
				}
				sgCheckValue(t, got, f.list, "Поле Список", nil, "select", map[string]any{"value": "Значение 2", "enum_id": f.listEnum2})
				if n := len(sgFieldValues(t, got)); n != 4 {
					t.Errorf("%d fields with values, want 4", n)
				}
			}},
			{"values null clears", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":null}]}`, f.text), []string{"custom_fields_values"}, func(t *testing.T, got map[string]any) {
				if _, ok := sgFieldValues(t, got)[f.text]; ok {
					t.Errorf("text field still has values: %v", got["custom_fields_values"])
				}
				if n := len(sgFieldValues(t, got)); n != 3 {
					t.Errorf("%d fields with values, want 3", n)
				}
			}},
			{"values [] clears", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[]}]}`, f.list), []string{"custom_fields_values"}, func(t *testing.T, got map[string]any) {
				if _, ok := sgFieldValues(t, got)[f.list]; ok {
					t.Errorf("select field still has values: %v", got["custom_fields_values"])
				}
			}},
			{"checkbox false by code", `{"custom_fields_values":[{"field_code":"MYSUPERCHECKBOX","values":[{"value":false}]}]}`, []string{"custom_fields_values"}, func(t *testing.T, got map[string]any) {
				sgCheckValue(t, got, f.checkbox, "Поле Чекбокс", "MYSUPERCHECKBOX", "checkbox", map[string]any{"value": false})
			}},
			{"multiselect replaced", fmt.Sprintf(`{"custom_fields_values":[{"field_id":%d,"values":[{"enum_id":%d}]}]}`, f.multi, f.multiOther), []string{"custom_fields_values"}, func(t *testing.T, got map[string]any) {
				sgCheckValue(t, got, f.multi, "Мультиселект поле", nil, "multiselect", map[string]any{"value": "Второе значение", "enum_id": f.multiOther})
			}},
			{"empty custom_fields_values changes nothing", `{"custom_fields_values":[]}`, nil, nil},
			{"everything", fmt.Sprintf(`{"name":"All","color":"4a001f","available_products_price_types":[9,8],"custom_fields_values":[{"field_id":%d,"values":[{"value":"Значение 1"}]}]}`, f.list),
				[]string{"name", "color", "available_products_price_types", "custom_fields_values"}, func(t *testing.T, got map[string]any) {
					if got["name"] != "All" || got["color"] != "4a001f" {
						t.Errorf("name %v color %v", got["name"], got["color"])
					}
					if p := sgArr(t, got["available_products_price_types"], "price types"); len(p) != 2 || sgInt(t, p[0], "p") != 9 || sgInt(t, p[1], "p") != 8 {
						t.Errorf("available_products_price_types %v, want [9 8]", p)
					}
					sgCheckValue(t, got, f.list, "Поле Список", nil, "select", map[string]any{"value": "Значение 1", "enum_id": f.listEnum1})
				}},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				got := patch(t, s.body)
				ignore := append([]string{"updated_at"}, s.changed...)
				if a, b := without(got, ignore...), without(prev, ignore...); !reflect.DeepEqual(a, b) {
					t.Errorf("unmentioned fields changed:\n got %v\nwant %v", a, b)
				}
				if sgIntOf(t, got, "updated_at") < sgIntOf(t, prev, "updated_at") {
					t.Errorf("updated_at went back: %v -> %v", prev["updated_at"], got["updated_at"])
				}
				if s.check != nil {
					s.check(t, got)
				}
				prev = got
			})
		}
		t.Run("request_id echoed", func(t *testing.T) {
			got := sgMust(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+id, token, `{"name":"Echo","request_id":"abc"}`), http.StatusOK)
			if got["request_id"] != "abc" {
				t.Errorf("request_id %v, want abc", got["request_id"])
			}
			added := sgAddSegment(t, env, token, `{"name":"Echo too","request_id":"xyz"}`)
			if added["request_id"] != "xyz" {
				t.Errorf("POST request_id %v, want xyz", added["request_id"])
			}
			if stored := sgGetSegment(t, env, token, sgID(t, added)); stored["request_id"] != nil {
				t.Errorf("request_id was stored: %v", stored)
			}
		})
		t.Run("defaults on add", func(t *testing.T) {
			got := sgAddSegment(t, env, token, `{"name":"Plain"}`)
			if c, _ := got["color"].(string); !slices.Contains(crm.SegmentColors, c) {
				t.Errorf("default color %q is not in the palette", c)
			}
			if p := sgArr(t, got["available_products_price_types"], "price types"); len(p) != 0 {
				t.Errorf("available_products_price_types %v, want []", p)
			}
			if v := sgArr(t, got["custom_fields_values"], "custom_fields_values"); len(v) != 0 {
				t.Errorf("custom_fields_values %v, want []", v)
			}
		})
	})
}

// TestSegmentDelete checks DELETE: 204 with no body, then 404 everywhere, and
// the other segments stay.
func TestSegmentDelete(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Delete")
		f := sgCreateSeedFields(t, env, token)
		gone := sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Gone","custom_fields_values":[{"field_id":%d,"values":[{"value":"x"}]}]}`, f.text))
		kept := sgAddSegment(t, env, token, fmt.Sprintf(`{"name":"Kept","custom_fields_values":[{"field_id":%d,"values":[{"value":"y"}]}]}`, f.text))
		id := sgID(t, gone)

		sgOK(t, env.Do(t, http.MethodDelete, sgSegmentsPath+"/"+id, token, ""), http.StatusNoContent)
		sgProblem(t, env.Do(t, http.MethodGet, sgSegmentsPath+"/"+id, token, ""), http.StatusNotFound)
		sgProblem(t, env.Do(t, http.MethodPatch, sgSegmentsPath+"/"+id, token, `{"name":"Back"}`), http.StatusNotFound)
		sgProblem(t, env.Do(t, http.MethodDelete, sgSegmentsPath+"/"+id, token, ""), http.StatusNotFound)
		list := sgMust(t, env.Do(t, http.MethodGet, sgSegmentsPath, token, ""), http.StatusOK)
		if ids := sgSegmentIDs(t, list); len(ids) != 1 || sgItoa(ids[0]) != sgID(t, kept) {
			t.Errorf("list after delete %v, want [%s]", ids, sgID(t, kept))
		}
		if got := sgGetSegment(t, env, token, sgID(t, kept)); !reflect.DeepEqual(got, kept) {
			t.Errorf("the other segment changed: %v", got)
		}
	})
}

// TestSegmentContentTypes checks that a problem body carries no charset and
// that an unknown route or method under the API answers a problem too.
func TestSegmentContentTypes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := sgSegmentsAccount(t, env, "Types")
		sgProblem(t, env.Do(t, http.MethodPut, sgSegmentsPath, token, `{"name":"x"}`), http.StatusMethodNotAllowed)
		sgProblem(t, env.Do(t, http.MethodGet, sgSegmentsPath+"/1/nothing", token, ""), http.StatusNotFound)
		resp := env.Do(t, http.MethodGet, sgSegmentsPath, token, "")
		sgOK(t, resp, http.StatusOK)
		if !bytes.HasPrefix(bytes.TrimSpace(resp.Body), []byte("{")) {
			t.Errorf("list body is not an object: %s", resp.Body)
		}
	})
}
