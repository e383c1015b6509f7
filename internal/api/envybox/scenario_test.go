package envybox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// The Envybox side of the scenario helper (crmtest.Client, crmtest.Reply):
// an account and its key, requests to openapi/v1 and the envelope of their
// replies, the domain calls that set a scene, checks of members and their
// JSON kinds with cmp diffs, and the masks of the golden files under
// testdata/ (rewritten by go test -run TestX -update).
//
//	a := newAccount(t, env, "Leads")
//	r := a.ok(t, "lead/get/", `{"lead_id": 5}`)     // HTTP 200, status_code 200, "success"
//	r.Equal("result.stage", "Новый")
//	a.fail(t, "lead/get/", `{}`, 400, "Не указан lead_id")

// clock is a settable clock for the store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set moves the clock to t.
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// AtMSK moves the clock to a Moscow time "YYYY-MM-DD HH:MM" and returns it.
func (c *clock) AtMSK(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, msk)
	if err != nil {
		t.Fatal(err)
	}
	c.Set(tm.UTC())
	return tm
}

// setClock makes the server's store read the time from a clock at start.
func setClock(env *crmtest.Env, start time.Time) *clock {
	c := &clock{now: start}
	env.Server.DB.Now = c.Now
	return c
}

// utc reads "YYYY-MM-DD HH:MM:SS" as a UTC time.
func utc(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}

// msk is the accounts' default time zone.
var msk = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return loc
}()

// inMSK renders a time as an account in Moscow shows it.
func inMSK(t time.Time) string { return t.In(msk).Format(time.DateTime) }

// dateTime is the wire's date format.
var dateTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)

// account is one Envybox account on a running server.
type account struct {
	env      *crmtest.Env
	svc      *crm.Service
	api      *crmtest.Client // sends the account's key
	key      string
	id       int64                         // the account: crm_id on the wire
	admin    int64                         // its administrator: user_id on the wire
	actor    crm.Actor                     // the administrator, for domain calls
	pipeline crm.Pipeline                  // the primary deal pipeline
	stages   map[crm.StageStatus]crm.Stage // its stages by status
}

// newAccount creates an account with its administrator.
func newAccount(t testing.TB, env *crmtest.Env, name string) *account {
	t.Helper()
	creds := env.NewAccount(t, name)
	a := &account{env: env, svc: env.Server.Service, api: env.Envybox(creds.EnvyboxAPIKey), key: creds.EnvyboxAPIKey,
		id: creds.AccountID, admin: creds.UserID, stages: map[crm.StageStatus]crm.Stage{},
		actor: crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}}
	pipelines, err := a.svc.DealPipelines(context.Background(), a.actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pipelines {
		if p.Primary {
			a.pipeline = p
		}
	}
	for _, st := range a.pipeline.Stages {
		a.stages[st.Status] = st
	}
	return a
}

// as is the account with requests sent under another key ("" for none).
func (a *account) as(key string) *account {
	b := *a
	b.key, b.api = key, a.env.Envybox(key)
	return &b
}

// call sends a request with a raw body to /openapi/v1/<path>; path may
// carry a query.
func (a *account) call(t testing.TB, method, path, body string) *crmtest.Reply {
	t.Helper()
	return a.api.Do(t, method, "/openapi/v1/"+path, body)
}

// post sends {"request": request} to a method.
func (a *account) post(t testing.TB, path, request string) *crmtest.Reply {
	t.Helper()
	return a.call(t, http.MethodPost, path, `{"request": `+request+`}`)
}

// get sends a GET to a method, its parameters in the query string (query,
// "" for none) or in a {"request": request} body ("" for none).
func (a *account) get(t testing.TB, path, query, request string) *crmtest.Reply {
	t.Helper()
	if query != "" {
		path += "?" + query
	}
	if request != "" {
		request = `{"request": ` + request + `}`
	}
	return a.call(t, http.MethodGet, path, request)
}

// ok posts a request that must succeed.
func (a *account) ok(t testing.TB, path, request string) *crmtest.Reply {
	t.Helper()
	return success(a.post(t, path, request))
}

// fail posts a request that must be refused with exactly this message.
func (a *account) fail(t testing.TB, path, request string, status int, message string) {
	t.Helper()
	refused(t, a.post(t, path, request), status, message)
}

// failPrefix posts a request that must be refused with a message that
// starts with prefix.
func (a *account) failPrefix(t testing.TB, path, request string, status int, prefix string) {
	t.Helper()
	refusedPrefix(t, a.post(t, path, request), status, prefix)
}

// success checks an Envybox success: HTTP 200, the number status_code 200
// and the message "success".
func success(r *crmtest.Reply) *crmtest.Reply {
	return r.Envelope(http.StatusOK, "success")
}

// refused checks an Envybox error: the HTTP status mirrored by the number
// status_code, the message exactly, and nothing else in the body.
func refused(t testing.TB, r *crmtest.Reply, status int, message string) {
	t.Helper()
	r.Envelope(status, message).Keys("", "message", "status_code")
}

// refusedPrefix is refused for a message that starts with prefix.
func refusedPrefix(t testing.TB, r *crmtest.Reply, status int, prefix string) {
	t.Helper()
	msg, _ := r.Get("message").(string)
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("message %q, want it to start with %q", msg, prefix)
	}
	refused(t, r, status, msg)
}

// decoded is the decoded JSON value of a reply, a crmtest.JSON or a value
// already decoded.
func decoded(t testing.TB, v any) any {
	t.Helper()
	switch v := v.(type) {
	case *crmtest.Reply:
		return v.Value().V
	case crmtest.JSON:
		return v.V
	}
	return v
}

// object is decoded(v), which must be an object.
func object(t testing.TB, what string, v any) map[string]any {
	t.Helper()
	m, ok := decoded(t, v).(map[string]any)
	if !ok {
		t.Fatalf("%s is %s, want an object", what, crmtest.Kind(decoded(t, v)))
	}
	return m
}

// has compares the members of an object that want names with want,
// through JSON as crmtest.Equal does; an absent member is not null.
func has(t testing.TB, what string, v any, want map[string]any) bool {
	t.Helper()
	obj := object(t, what, v)
	got := map[string]any{}
	for k := range want {
		if m, ok := obj[k]; ok {
			got[k] = m
		}
	}
	return crmtest.Equal(t, what, got, want)
}

// equalJSON compares a decoded value with a JSON text (crmtest.Equal).
func equalJSON(t testing.TB, what string, got any, want string) bool {
	t.Helper()
	return crmtest.Equal(t, what, decoded(t, got), crmtest.ParseJSON(t, want).V)
}

// kinds checks the JSON kinds (crmtest.Kind) of members: "string",
// "number", "null", "array", "object", or alternatives as in
// "string|null"; "absent" for a member that must not be there.
func kinds(t testing.TB, what string, v any, want map[string]string) bool {
	t.Helper()
	obj := object(t, what, v)
	got := map[string]string{}
	for k, w := range want {
		m, ok := obj[k]
		kind := "absent"
		if ok {
			kind = crmtest.Kind(m)
		}
		if slices.Contains(strings.Split(w, "|"), kind) {
			kind = w
		}
		got[k] = kind
	}
	return crmtest.Equal(t, what+" kinds", got, want)
}

// shape checks that an object has exactly the members of want, of the
// kinds given (as in kinds).
func shape(t testing.TB, what string, v any, want map[string]string) bool {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	ok := crmtest.Equal(t, what+" members", crmtest.Keys(object(t, what, v)), keys)
	return kinds(t, what, v, want) && ok
}

// ids is the text of each id, never nil: the ids of a list as the old
// examples write them.
func ids(list ...int64) []string {
	out := []string{}
	for _, id := range list {
		out = append(out, fmt.Sprint(id))
	}
	return out
}

// golden compares a value (a reply, a crmtest.JSON or a decoded value) with
// testdata/<name>.golden.json after the masks (crmtest.Golden).
func golden(t testing.TB, name string, v any, masks ...crmtest.Mask) {
	t.Helper()
	b, err := json.Marshal(decoded(t, v))
	if err != nil {
		t.Fatal(err)
	}
	crmtest.Golden(t, name, b, masks...)
}

// maskAs masks the values at the paths matching pattern (crmtest.MaskPath)
// that are want — as a number or a string — as "<label: kind>", so that
// the golden file says which record a member names; a value that is not
// want stays, and differs from the golden file.
func maskAs(pattern, label string, want any) crmtest.Mask {
	m, text := crmtest.MaskPath(pattern, label), fmt.Sprint(want)
	return func(path string, v any) any {
		switch v.(type) {
		case string, json.Number:
			if out := m(path, v); out != v && fmt.Sprint(v) == text {
				return out
			}
		}
		return v
	}
}

// maskIDs masks, at any depth, the members with these names as "<id: kind>".
func maskIDs(names ...string) crmtest.Mask {
	var ms []crmtest.Mask
	for _, n := range names {
		ms = append(ms, crmtest.MaskPath("**."+n, "id"))
	}
	return func(path string, v any) any {
		for _, m := range ms {
			v = m(path, v)
		}
		return v
	}
}

// maskTimes masks, at any depth, the members with these names that read
// YYYY-MM-DD HH:MM:SS as "<datetime>"; a value in another form stays, and
// differs from the golden file.
func maskTimes(names ...string) crmtest.Mask {
	var ms []crmtest.Mask
	for _, n := range names {
		ms = append(ms, crmtest.MaskPath("**."+n, "datetime"))
	}
	return func(path string, v any) any {
		s, ok := v.(string)
		if !ok || !dateTime.MatchString(s) {
			return v
		}
		for _, m := range ms {
			if out := m(path, v); out != v {
				return "<datetime>"
			}
		}
		return v
	}
}

// masks lists masks, to pass to a Golden beside others.
func masks(ms ...crmtest.Mask) []crmtest.Mask { return ms }

// The scene: records made through the domain or the wire.

// field adds a custom field to an entity type; a list field gets these
// options, or "Да" and "Нет".
func (a *account) field(t testing.TB, entity crm.EntityType, name string, typ crm.FieldType, options ...string) crm.CustomField {
	t.Helper()
	n := crm.NewCustomField{Name: &name, Type: typ}
	if typ.HasEnums() && len(options) == 0 {
		options = []string{"Да", "Нет"}
	}
	for _, o := range options {
		n.Enums = append(n.Enums, crm.EnumInput{Value: o})
	}
	f, err := a.svc.AddCustomFields(context.Background(), a.actor, entity, []crm.NewCustomField{n})
	if err != nil {
		t.Fatalf("add field %q: %v", name, err)
	}
	return f[0]
}

// department adds a department.
func (a *account) department(t testing.TB, name string) int64 {
	t.Helper()
	d, err := a.svc.AddDepartment(context.Background(), a.actor, name)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// employee adds a member user with a name and a profession.
func (a *account) employee(t testing.TB, name, profession string) int64 {
	t.Helper()
	u := crm.User{Name: name, Profession: profession, Role: crm.RoleMember}
	a.tx(t, func(tx crm.Tx) error { return tx.InsertUser(context.Background(), &u) })
	return u.ID
}

// user reads a user of the account.
func (a *account) user(t testing.TB, id int64) crm.User {
	t.Helper()
	var u crm.User
	err := a.env.Server.DB.View(context.Background(), a.id, func(tx crm.Tx) (err error) {
		u, err = tx.User(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// tx runs fn in a write transaction of the account.
func (a *account) tx(t testing.TB, fn func(tx crm.Tx) error) {
	t.Helper()
	if err := a.env.Server.DB.Update(context.Background(), a.id, fn); err != nil {
		t.Fatal(err)
	}
}

// createLead creates a lead through lead/set and returns id and parent_id.
func (a *account) createLead(t testing.TB, request string) (id, parent int64) {
	t.Helper()
	r := a.ok(t, "lead/set/", request)
	return r.Int("id"), r.Int("parent_id")
}

// lead creates a lead with a name, phone and email.
func (a *account) lead(t testing.TB, name, phone, email string) int64 {
	t.Helper()
	id, _ := a.createLead(t, fmt.Sprintf(`{"method": "create", "values": {"name": %q, "phone": %q, "email": %q}}`, name, phone, email))
	return id
}

// getLead is lead/get's result.
func (a *account) getLead(t testing.TB, id int64) crmtest.JSON {
	t.Helper()
	return a.ok(t, "lead/get/", fmt.Sprintf(`{"lead_id": %d}`, id)).Sub("result")
}

// leadIDs are the ids of a lead/list page.
func (a *account) leadIDs(t testing.TB, request string) []string {
	t.Helper()
	var out []string
	for _, id := range a.ok(t, "lead/list/", request).At("leads.result.*.id").([]any) {
		out = append(out, id.(string))
	}
	return out
}

// leadStages maps the lead stage names to their ids, from main/data.
func (a *account) leadStages(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range success(a.call(t, http.MethodGet, "main/data/", "")).List("result.lead.pipelines") {
		for id, st := range p.Obj("stages") {
			out[st.(map[string]any)["name"].(string)] = id
		}
	}
	return out
}

// start takes a lead to work through lead/start and returns its deal.
func (a *account) start(t testing.TB, leadID int64) int64 {
	t.Helper()
	return a.ok(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, leadID, a.admin)).Int("result.deal_id")
}

// leadClient makes a client with a phone and an email by taking a lead to
// work through the domain; it returns the client and its deal.
func (a *account) leadClient(t testing.TB, name, phone, email string) (clientID, dealID int64) {
	t.Helper()
	ctx := context.Background()
	l, err := a.svc.CreateInbound(ctx, a.actor, crm.NewInbound{Values: map[string]string{"name": name, "phone": phone, "email": email}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.svc.StartInbound(ctx, a.actor, l.ID, crm.Responsible{})
	if err != nil {
		t.Fatal(err)
	}
	return res.ClientID, res.DealID
}

// plainClient makes a client without contact data.
func (a *account) plainClient(t testing.TB, name string) int64 {
	t.Helper()
	c, err := a.svc.AddContacts(context.Background(), a.actor, []crm.NewContact{{Name: &name}})
	if err != nil {
		t.Fatal(err)
	}
	return c[0].ID
}

// createClient makes a client through client/create.
func (a *account) createClient(t testing.TB, request string) int64 {
	t.Helper()
	return a.ok(t, "client/create/", request).Int("result.client.id")
}

// deal creates a deal of a client through the domain.
func (a *account) deal(t testing.TB, clientID int64, name string) int64 {
	t.Helper()
	return a.newDeal(t, crm.NewDeal{ClientID: clientID, Name: name})
}

// newDeal creates a deal through the domain.
func (a *account) newDeal(t testing.TB, n crm.NewDeal) int64 {
	t.Helper()
	d, err := a.svc.CreateDeal(context.Background(), a.actor, n)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// stage moves a deal to a stage through the domain.
func (a *account) stage(t testing.TB, dealID, stageID int64) {
	t.Helper()
	if err := a.svc.ChangeDealStage(context.Background(), a.actor, dealID, 0, stageID, crm.Responsible{}); err != nil {
		t.Fatal(err)
	}
}

// getDeal is deal/get's result.
func (a *account) getDeal(t testing.TB, id int64) crmtest.JSON {
	t.Helper()
	return a.ok(t, "deal/get/", fmt.Sprintf(`{"deal_id": %d}`, id)).Sub("result")
}

// dealIDs checks a deal/list reply (the plain list, old-style typing):
// the ids of its page, newest first, and its count.
func dealIDs(t testing.TB, what string, r *crmtest.Reply, want ...int64) {
	t.Helper()
	crmtest.Equal(t, what+": ids", r.At("result.*.id"), ids(want...))
	crmtest.Equal(t, what+": count", r.At("count"), fmt.Sprint(len(want)))
}

// searchIDs checks a deal/list reply to a filter (E15, newer typing): it
// selects exactly want, newest first — its all_ids, its count and the ids
// of its page.
func searchIDs(t testing.TB, what string, r *crmtest.Reply, want ...int64) {
	t.Helper()
	want = append([]int64{}, want...)
	crmtest.Equal(t, what+": all_ids", r.At("all_ids"), want)
	crmtest.Equal(t, what+": page", r.At("result.*.id"), want[:min(len(want), 50)])
	crmtest.Equal(t, what+": count", r.At("count"), len(want))
}

// newestFirst sorts ids newest (largest) first.
func newestFirst(ids ...int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}
