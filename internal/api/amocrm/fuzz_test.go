package amocrm

import (
	"testing"

	"github.com/crmd/crmd/internal/crm"
)

// FuzzDecode drives the request decoders with arbitrary bodies: parsing must
// never panic, and whatever parses must read through every field reader the
// handlers use without panicking either. The seed corpus runs in every
// `go test`; `go test -fuzz FuzzDecode ./internal/api/amocrm` explores further.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`[{"name":"Новый статус","sort":100,"color":"#fffeb2"},{"name":"Новый статус 2","sort":200,"color":"#fffeb2"}]`,
		`{"name":"Новое название для статуса","color":"#c1e0ff"}`,
		`{"name":"Сегмент для примера","color":"ae003f","custom_fields_values":[{"field_id":245035,"field_name":"Описание сегмента","values":[{"value":"Этот сегмент создан для примера"}]},{"field_id":245351,"values":[{"enum_id":387477}]}]}`,
		`[{"name":"multi select","type":"multiselect","sort":510,"enums":[{"value":"Value 1","sort":1},{"value":"Value 2","sort":2}]}]`,
		`{"mode":"segments","is_enabled":true}`,
		`{"sort":1e400}`, `{"sort":-0.5}`, `[1,"a",null,{}]`, `{"custom_fields_values":[{"values":[[],{}]}]}`,
		``, `{`, `nul`, `{"a":1}{"b":2}`, `"\ud800"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := parseJSON(body)
		if err != nil {
			if problemFor(err) == nil {
				t.Fatalf("parse error is not a problem: %v", err)
			}
			return
		}
		var errs []crm.Violation
		items, _ := batchItems(v, &errs)
		items = append(items, v)
		for i, it := range items {
			rd := newReader(it, i, "", &errs)
			rd.str("name")
			rd.int("sort")
			rd.bool("is_enabled")
			rd.int64s("available_products_price_types")
			rd.fieldValues("custom_fields_values")
			readEnums(rd)
			singleRequestID(it)
		}
		if len(errs) > 0 {
			p := problemFor(violationsErr(errs))
			if p == nil || p.Status != 400 || len(p.ValidationErrors) == 0 {
				t.Fatalf("violations did not become a 400 problem: %+v", p)
			}
		}
	})
}
