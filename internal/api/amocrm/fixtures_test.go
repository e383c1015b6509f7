package amocrm_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Fixtures shared by the amoCRM black-box tests. Requests and checks go
// through crmtest's scenario helper (crmtest.Client, crmtest.Reply).

// Paths of the v4 customers API.
const (
	modePath          = "/api/v4/customers/mode"
	segmentsPath      = "/api/v4/customers/segments"
	segmentFieldsPath = "/api/v4/customers/segments/custom_fields"
	pipelinesPath     = "/api/v4/leads/pipelines"
	statusesPath      = "/api/v4/customers/statuses"
	accountPath       = "/api/v4/account"
	customersPath     = "/api/v4/customers"
)

// account is a fresh account: its credentials and an amoCRM client acting as
// its administrator.
type account struct {
	auth.AccountCredentials
	api *crmtest.Client
}

// newAccount creates an account; a mode ("periodicity", "segments") is
// switched on in it, "" leaves customers disabled.
func newAccount(t testing.TB, env *crmtest.Env, name, mode string) account {
	t.Helper()
	c := env.NewAccount(t, name)
	a := account{AccountCredentials: c, api: env.AmoCRM(c.AmoCRMToken)}
	if mode != "" {
		setMode(t, a.api, mode, true)
	}
	return a
}

// actor is the account's administrator as the domain sees it.
func (a account) actor() crm.Actor {
	return crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
}

// member adds a member to the account and returns its amoCRM client.
func (a account) member(t testing.TB, env *crmtest.Env) *crmtest.Client {
	t.Helper()
	return env.AmoCRM(env.NewUser(t, a.AccountID, crm.RoleMember).AmoCRMToken)
}

// setMode switches the customers mode and requires success.
func setMode(t testing.TB, api *crmtest.Client, mode string, enabled bool) {
	t.Helper()
	api.Patch(t, modePath, fmt.Sprintf(`{"mode":%q,"is_enabled":%t}`, mode, enabled)).HAL(200)
}

// addCustomers posts a batch of customers and returns their ids.
func addCustomers(t testing.TB, api *crmtest.Client, body string) []int64 {
	t.Helper()
	return idsOf(api.Post(t, customersPath, body).HAL(200).List("_embedded.customers"))
}

// addCustomer posts one customer object and returns its id.
func addCustomer(t testing.TB, api *crmtest.Client, object string) int64 {
	t.Helper()
	return addCustomers(t, api, "["+object+"]")[0]
}

// customerPath is the item path of customer id.
func customerPath(id int64) string { return customersPath + "/" + itoa(id) }

// idsOf returns the "id" of each item.
func idsOf(items []crmtest.JSON) []int64 {
	out := []int64{}
	for _, it := range items {
		out = append(out, it.Int("id"))
	}
	return out
}

// badCredentials are ways of presenting bad credentials; "token without
// scheme" sends the account's real token without "Bearer".
var badCredentials = []struct {
	name    string
	token   string
	headers []string
}{
	{"no header", "", nil},
	{"wrong token", "not-a-token", nil},
	{"forged JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2NvdW50X2lkIjoxLCJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJl", nil},
	{"bearer without token", "", []string{"Authorization: Bearer"}},
	{"lowercase scheme, wrong token", "", []string{"Authorization: bearer nope"}},
	{"basic scheme", "", []string{"Authorization: Basic dXNlcjpwYXNz"}},
	{"token without scheme", "", nil},
}

// badClient is a client presenting bad credentials, named for subtests.
type badClient struct {
	name string
	api  *crmtest.Client
}

// badClients are clients presenting badCredentials against account a.
func badClients(env *crmtest.Env, a account) []badClient {
	var out []badClient
	for _, c := range badCredentials {
		headers := c.headers
		if c.name == "token without scheme" {
			headers = []string{"Authorization: " + a.AmoCRMToken}
		}
		out = append(out, badClient{c.name, env.AmoCRM(c.token).With(headers...)})
	}
	return out
}

// fieldValue is one custom_fields_values entry as the API answers it.
func fieldValue(id int64, name string, code any, typ string, values ...map[string]any) map[string]any {
	if values == nil {
		values = []map[string]any{}
	}
	return map[string]any{"field_id": id, "field_name": name, "field_code": code, "field_type": typ, "values": values}
}

// valueOf is the path of field id's entry in custom_fields_values.
func valueOf(id int64) string { return "custom_fields_values.field_id=" + itoa(id) }

// count returns how many replies have the HTTP status.
func count(replies []*crmtest.Reply, status int) int {
	n := 0
	for _, r := range replies {
		if r.Status == status {
			n++
		}
	}
	return n
}

// statuses lists the HTTP statuses of replies, for messages.
func statuses(replies []*crmtest.Reply) []int {
	out := make([]int, len(replies))
	for i, r := range replies {
		out[i] = r.Status
	}
	return out
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// nothing checks amoCRM's "nothing found" (companion §0.4): 204 with an empty
// body and no Content-Type, what an empty v4 list and a GET by id of a missing
// entity answer.
func nothing(r *crmtest.Reply) {
	r.HAL(204).ContentType("")
}

// nothingOr checks nothing for 204 and a problem of status otherwise, for
// tables that mix GETs of missing records with writes to them.
func nothingOr(r *crmtest.Reply, status int) {
	if status == 204 {
		nothing(r)
		return
	}
	r.Problem(status)
}

// wantViolationAt fails t unless r names a violation at path, the check the
// query refusals of tasks, notes and events share; what names the request
// in the failure.
func wantViolationAt(t *testing.T, r *crmtest.Reply, what, path string) {
	t.Helper()
	for _, v := range r.Violations() {
		if v.Path == path {
			return
		}
	}
	t.Errorf("%s: no violation at %s: %s", what, path, r.Body)
}
