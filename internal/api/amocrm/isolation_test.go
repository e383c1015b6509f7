package amocrm_test

import (
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestTenantIsolation proves that a token of account B can neither read nor
// change any record of account A through any endpoint, and that A's records
// are intact afterwards.
func TestTenantIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Tenant A", "periodicity")
		b := newAccount(t, env, "Tenant B", "periodicity")

		// A's records: a status (periodicity), then a field and a segment (segments).
		status := statusesPath + "/" + itoa(a.api.Post(t, statusesPath, `[{"name":"A only","sort":10}]`).Expect(200).Int("_embedded.statuses.0.id"))
		for _, c := range []struct{ method, path, body string }{
			{"GET", status, ""},
			{"PATCH", status, `{"name":"stolen"}`},
			{"DELETE", status, ""},
		} {
			// A's record is missing for B: "nothing found" (204, no body)
			// on GET, 404 on PATCH and DELETE.
			if r := b.api.Do(t, c.method, c.path, c.body); c.method == "GET" {
				nothing(r)
			} else {
				r.Problem(404)
			}
		}
		if l := b.api.Get(t, statusesPath).Expect(200); strings.Contains(string(l.Body), "A only") {
			t.Errorf("B's status list shows A's status: %s", l.Body)
		}

		setMode(t, a.api, "segments", true)
		setMode(t, b.api, "segments", true)
		fieldID := itoa(a.api.Post(t, segmentFieldsPath, `[{"name":"A field","type":"text"}]`).Expect(201).Int("_embedded.custom_fields.0.id"))
		segID := itoa(a.api.Post(t, segmentsPath, `{"name":"A segment","custom_fields_values":[{"field_id":`+fieldID+`,"values":[{"value":"secret"}]}]}`).
			Expect(200).Int("id"))

		for _, c := range []struct{ method, path, body string }{
			{"GET", segmentsPath + "/" + segID, ""},
			{"PATCH", segmentsPath + "/" + segID, `{"name":"stolen"}`},
			{"DELETE", segmentsPath + "/" + segID, ""},
			{"GET", segmentFieldsPath + "/" + fieldID, ""},
			{"PATCH", segmentFieldsPath + "/" + fieldID, `{"name":"stolen"}`},
			{"DELETE", segmentFieldsPath + "/" + fieldID, ""},
		} {
			if r := b.api.Do(t, c.method, c.path, c.body); c.method == "GET" {
				nothing(r)
			} else {
				r.Problem(404)
			}
		}
		// B cannot write values into A's field from its own segment.
		if r := b.api.Post(t, segmentsPath, `{"name":"B segment","custom_fields_values":[{"field_id":`+fieldID+`,"values":[{"value":"x"}]}]}`).
			Expect(400); !strings.Contains(string(r.Body), "NotSupportedChoice") {
			t.Errorf("using A's field from B: %s", r.Body)
		}
		for _, path := range []string{segmentsPath, segmentFieldsPath} {
			nothing(b.api.Get(t, path))
		}
		b.api.Get(t, accountPath).Expect(200).Equal("id", b.AccountID)

		// A's records are untouched.
		a.api.Get(t, segmentsPath+"/"+segID).Expect(200).Equal("name", "A segment").Equal("custom_fields_values.0.values.0.value", "secret")
		a.api.Get(t, segmentFieldsPath+"/"+fieldID).Expect(200).Equal("name", "A field")
		setMode(t, a.api, "periodicity", true)
		a.api.Get(t, status).Expect(200).Equal("name", "A only")
	})
}
