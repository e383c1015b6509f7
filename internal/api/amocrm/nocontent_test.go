package amocrm_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestV4NothingFound walks every v4 list and by-id GET on a case with nothing
// to return: amoCRM answers 204 with an empty body and no Content-Type
// (companion §0.4) for an empty list, a page past the last, a filter matching
// nothing, a list under a missing parent and a missing id. PATCH and DELETE
// of a missing id stay 404 problems; v2 lists keep their own 204.
func TestV4NothingFound(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Nothing", "periodicity")
		const missing = "/999999"
		mainID := listPipelines(t, env, a.api).Int("_embedded.pipelines.0.id")
		mainPath := fmt.Sprintf("%s/%d", pipelinesPath, mainID)

		// Periodicity mode: the customer statuses by id.
		nothing(a.api.Get(t, statusesPath+missing))
		a.api.Patch(t, statusesPath+missing, `{"name":"x"}`).Problem(404)
		a.api.Delete(t, statusesPath+missing).Problem(404)

		setMode(t, a.api, "segments", true)
		cust := addCustomer(t, a.api, `{"name":"Lonely"}`)
		customer := customerPath(cust)
		for _, path := range []string{
			// Empty lists.
			segmentsPath,
			segmentFieldsPath,
			customersPath + "/custom_fields",
			customersPath + "/transactions",
			customer + "/transactions",
			customer + "/links",
			"/api/v4/contacts",
			"/api/v4/companies",
			// A page past the last, a filter or query matching nothing.
			customersPath + "?page=2",
			customersPath + "?query=zzz",
			customersPath + "?filter[id]=999999",
			pipelinesPath + "/999999/statuses",
			// Lists under a missing customer.
			customersPath + missing + "/transactions",
			customersPath + missing + "/links",
			// Missing ids.
			segmentsPath + missing,
			segmentFieldsPath + missing,
			customersPath + "/custom_fields" + missing,
			customersPath + missing,
			customersPath + "/transactions" + missing,
			customer + "/transactions" + missing,
			"/api/v4/contacts" + missing,
			"/api/v4/companies" + missing,
			pipelinesPath + missing,
			mainPath + "/statuses" + missing,
		} {
			t.Run("GET "+path, func(t *testing.T) {
				nothing(a.api.Get(t, path))
			})
		}

		// Writes to a missing id stay 404 problems.
		for _, c := range []struct{ method, path, body string }{
			{"PATCH", segmentsPath + missing, `{"name":"x"}`},
			{"DELETE", segmentsPath + missing, ""},
			{"PATCH", segmentFieldsPath + missing, `{"name":"x"}`},
			{"DELETE", segmentFieldsPath + missing, ""},
			{"PATCH", customersPath + missing, `{"name":"x"}`},
			{"POST", customersPath + missing + "/transactions", `[{"price":1}]`},
			{"DELETE", customersPath + "/transactions" + missing, ""},
			{"PATCH", pipelinesPath + missing, `{"name":"x"}`},
			{"DELETE", pipelinesPath + missing, ""},
			{"PATCH", mainPath + "/statuses" + missing, `{"name":"x"}`},
			{"DELETE", mainPath + "/statuses" + missing, ""},
		} {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				a.api.Do(t, c.method, c.path, c.body).Problem(404)
			})
		}

		// Paths that name no entity, and unknown paths, stay 404 problems.
		for _, path := range []string{customersPath + "/abc", customer + "/nothing", "/api/v4/nothing"} {
			a.api.Get(t, path).Problem(404)
		}

		// Lists with something in them stay 200.
		a.api.Get(t, customersPath).HAL(200).Equal("_embedded.customers.*.id", []int64{cust})
	})
}
