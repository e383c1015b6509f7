package envybox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// dealStart is 2024-03-10 22:30:00 UTC: already 2024-03-11 in Moscow, the
// default account time zone (01:30 MSK).
var dealStart = time.Date(2024, 3, 10, 22, 30, 0, 0, time.UTC)

// dealClock is the store's clock in these tests.
type dealClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *dealClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *dealClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// dealEnv is one account on a running server.
type dealEnv struct {
	env   *crmtest.Env
	key   string
	actor crm.Actor
	clock *dealClock
	// pipeline is the default deal pipeline; stages by status.
	pipeline crm.Pipeline
	stages   map[crm.StageStatus]crm.Stage
}

// dealSetup sets the server's clock and makes an account.
func dealSetup(t *testing.T, env *crmtest.Env) *dealEnv {
	t.Helper()
	clock := &dealClock{now: dealStart}
	env.Server.DB.Now = clock.Now
	return dealAccount(t, env, clock, "Тестовая CRM")
}

// dealAccount makes an account on a server whose clock is set.
func dealAccount(t *testing.T, env *crmtest.Env, clock *dealClock, name string) *dealEnv {
	t.Helper()
	creds := env.NewAccount(t, name)
	e := &dealEnv{env: env, key: creds.EnvyboxAPIKey, clock: clock,
		actor: crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}, stages: map[crm.StageStatus]crm.Stage{}}
	ref, err := env.Server.Service.Reference(context.Background(), e.actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ref.DealPipelines {
		if p.Primary {
			e.pipeline = p
		}
	}
	for _, st := range e.pipeline.Stages {
		e.stages[st.Status] = st
	}
	return e
}

// call sends a request and decodes the reply.
func (e *dealEnv) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	resp := e.env.Do(t, method, path+sep+"api_key="+e.key, "", body)
	return resp.Status, resp.Object(t)
}

// post sends {"request": req} and expects success.
func (e *dealEnv) post(t *testing.T, path string, req string) map[string]any {
	t.Helper()
	status, obj := e.call(t, http.MethodPost, path, `{"request": `+req+`}`)
	if status != http.StatusOK || obj["status_code"] != json.Number("200") || obj["message"] != "success" {
		t.Fatalf("POST %s %s: %d %v", path, req, status, obj)
	}
	return obj
}

// fail sends {"request": req} and expects an error envelope.
func (e *dealEnv) fail(t *testing.T, path, req string, status int, message string) {
	t.Helper()
	got, obj := e.call(t, http.MethodPost, path, `{"request": `+req+`}`)
	dealWantError(t, got, obj, status, message)
}

func dealWantError(t *testing.T, got int, obj map[string]any, status int, message string) {
	t.Helper()
	if got != status || obj["status_code"] != json.Number(fmt.Sprint(status)) || obj["message"] != message {
		t.Errorf("got %d %v, want %d %q", got, obj, status, message)
	}
	dealKeys(t, "error", obj, "status_code", "message")
}

// client makes a client with a phone and an email by taking a lead to
// work; it returns the client and its deal.
func (e *dealEnv) client(t *testing.T, name, phone, email string) (clientID, dealID int64) {
	t.Helper()
	ctx := context.Background()
	l, err := e.env.Server.Service.CreateInbound(ctx, e.actor, crm.NewInbound{Values: map[string]string{"name": name, "phone": phone, "email": email}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.env.Server.Service.StartInbound(ctx, e.actor, l.ID, crm.Responsible{})
	if err != nil {
		t.Fatal(err)
	}
	return res.ClientID, res.DealID
}

// plainClient makes a client without contact data.
func (e *dealEnv) plainClient(t *testing.T, name string) int64 {
	t.Helper()
	c, err := e.env.Server.Service.AddContacts(context.Background(), e.actor, []crm.NewContact{{Name: &name}})
	if err != nil {
		t.Fatal(err)
	}
	return c[0].ID
}

// deal creates a deal through the domain.
func (e *dealEnv) deal(t *testing.T, clientID int64, name string) int64 {
	t.Helper()
	d, err := e.env.Server.Service.CreateDeal(context.Background(), e.actor, crm.NewDeal{ClientID: clientID, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func (e *dealEnv) customField(t *testing.T, entity crm.EntityType, name string, typ crm.FieldType) int64 {
	t.Helper()
	n := crm.NewCustomField{Name: &name, Type: typ}
	if typ.HasEnums() {
		n.Enums = []crm.EnumInput{{Value: "Да"}, {Value: "Нет"}}
	}
	f, err := e.env.Server.Service.AddCustomFields(context.Background(), e.actor, entity, []crm.NewCustomField{n})
	if err != nil {
		t.Fatal(err)
	}
	return f[0].ID
}

// get is deal/get's result.
func (e *dealEnv) get(t *testing.T, id int64) map[string]any {
	t.Helper()
	return dealObj(t, e.post(t, "/openapi/v1/deal/get/", fmt.Sprintf(`{"deal_id": %d}`, id)), "result")
}

func dealObj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("%s is not an object: %v", key, m)
	}
	return o
}

func dealArr(t *testing.T, m map[string]any, key string) []any {
	t.Helper()
	a, ok := m[key].([]any)
	if !ok {
		t.Fatalf("%s is not an array: %v", key, m)
	}
	return a
}

// dealKeys checks that m has exactly the keys given.
func dealKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want := append([]string(nil), keys...)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s keys:\n got %v\nwant %v", what, got, want)
	}
}

// dealTypes checks the JSON type of members: "s" string, "n" number,
// "null", "s|null", "n|null", "a" array, "o" object.
func dealTypes(t *testing.T, what string, m map[string]any, types map[string]string) {
	t.Helper()
	for k, want := range types {
		v := m[k]
		var got string
		switch v.(type) {
		case string:
			got = "s"
		case json.Number:
			got = "n"
		case nil:
			got = "null"
		case []any:
			got = "a"
		case map[string]any:
			got = "o"
		default:
			got = fmt.Sprintf("%T", v)
		}
		if got != want && !strings.Contains(want, "|") || strings.Contains(want, "|") && !strings.Contains("|"+want+"|", "|"+got+"|") {
			t.Errorf("%s.%s = %#v: type %s, want %s", what, k, v, got, want)
		}
	}
}

// dealWant checks member values, compared as their JSON text.
func dealWant(t *testing.T, what string, m map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, _ := json.Marshal(m[k])
		wj, _ := json.Marshal(w)
		if string(g) != string(wj) {
			t.Errorf("%s.%s = %s, want %s", what, k, g, wj)
		}
	}
}

var dealCoreKeys = []string{"id", "crm_id", "pipeline_id", "client_id", "stage_id", "user_id", "employee_id", "old_employee_id",
	"department_id", "inbox_type_id", "it_reaction", "with_event", "stage_updated_at", "created_at", "updated_at", "deleted_at"}

var dealGetKeys = append(append([]string(nil), dealCoreKeys...), "stage_name", "stage_color", "status_id", "name", "connected_lead_id")

// dealOldTypes are the member types of deal/get and deal/search deals.
var dealOldTypes = map[string]string{"id": "s", "crm_id": "s", "pipeline_id": "s", "client_id": "s", "stage_id": "s", "user_id": "s",
	"employee_id": "s", "old_employee_id": "s|null", "department_id": "s", "inbox_type_id": "s", "it_reaction": "s", "with_event": "s",
	"stage_updated_at": "s|null", "created_at": "s", "updated_at": "s|null", "deleted_at": "null"}

// dealNewTypes are the member types of deal/create and deal/updateEmployee deals.
var dealNewTypes = map[string]string{"id": "n", "crm_id": "n", "pipeline_id": "n", "client_id": "n", "stage_id": "n", "user_id": "n",
	"employee_id": "n", "old_employee_id": "n|null", "department_id": "n", "inbox_type_id": "n", "it_reaction": "n", "with_event": "n",
	"stage_updated_at": "s|null", "created_at": "s", "updated_at": "s|null", "deleted_at": "null"}

func TestDealGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		clientID, dealID := e.client(t, "Денис", "79674402685", "")
		e.clock.set(dealStart.Add(time.Hour))

		// {"request": {"deal_id": 1}}
		obj := e.post(t, "/openapi/v1/deal/get/", fmt.Sprintf(`{"deal_id": %d}`, dealID))
		dealKeys(t, "reply", obj, "result", "status_code", "message")
		r := dealObj(t, obj, "result")
		dealKeys(t, "result", r, dealGetKeys...)
		dealTypes(t, "result", r, dealOldTypes)
		dealTypes(t, "result", r, map[string]string{"stage_name": "s", "stage_color": "s", "status_id": "s", "name": "s", "connected_lead_id": "a"})
		first := e.stages[crm.StageNew]
		dealWant(t, "result", r, map[string]any{
			"id": fmt.Sprint(dealID), "crm_id": fmt.Sprint(e.actor.AccountID), "client_id": fmt.Sprint(clientID),
			"pipeline_id": fmt.Sprint(e.pipeline.ID), "stage_id": fmt.Sprint(first.ID), "user_id": "0", "employee_id": "0",
			"old_employee_id": nil, "department_id": "0", "it_reaction": "0", "with_event": "0",
			"stage_updated_at": "2024-03-11 01:30:00", "created_at": "2024-03-11 01:30:00", "deleted_at": nil,
			"stage_name": first.Name, "stage_color": first.Color, "status_id": "2001", "name": "Денис",
		})
		if leads := dealArr(t, r, "connected_lead_id"); len(leads) != 1 {
			t.Errorf("connected_lead_id = %v, want the lead taken to work", leads)
		} else if _, ok := leads[0].(string); !ok {
			t.Errorf("connected_lead_id holds %T, want strings", leads[0])
		}

		// with: a deal made from another one.
		childID := e.deal(t, clientID, "Повторная продажа")
		err := env.Server.Service.Store().Update(context.Background(), e.actor.AccountID, func(tx crm.Tx) error {
			d, err := tx.Deal(context.Background(), childID)
			if err != nil {
				return err
			}
			d.ParentDealID = dealID
			return tx.UpdateDeal(context.Background(), &d)
		})
		if err != nil {
			t.Fatal(err)
		}
		r = dealObj(t, e.post(t, "/openapi/v1/deal/get/", fmt.Sprintf(`{"deal_id": %d, "with": ["parent_deal", "child_deals"]}`, dealID)), "result")
		if r["parent_deal"] != nil {
			t.Errorf("parent_deal = %v, want null", r["parent_deal"])
		}
		children := dealArr(t, r, "child_deals")
		if len(children) != 1 {
			t.Fatalf("child_deals = %v", children)
		}
		child := children[0].(map[string]any)
		dealKeys(t, "child", child, dealGetKeys...)
		dealWant(t, "child", child, map[string]any{"id": fmt.Sprint(childID), "name": "Повторная продажа"})

		r = dealObj(t, e.post(t, "/openapi/v1/deal/get/", fmt.Sprintf(`{"deal_id": "%d", "with": ["parent_deal"]}`, childID)), "result")
		if _, ok := r["child_deals"]; ok {
			t.Errorf("child_deals given without being asked for")
		}
		parent := dealObj(t, r, "parent_deal")
		dealKeys(t, "parent", parent, dealGetKeys...)
		dealWant(t, "parent", parent, map[string]any{"id": fmt.Sprint(dealID)})
		if r := e.get(t, childID); r["parent_deal"] != nil || r["child_deals"] != nil {
			t.Errorf("with-members given without with: %v", r)
		}

		e.fail(t, "/openapi/v1/deal/get/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
		e.fail(t, "/openapi/v1/deal/get/", `{}`, http.StatusBadRequest, "Не указан deal_id")
		e.fail(t, "/openapi/v1/deal/get/", `{"deal_id": "abc"}`, http.StatusBadRequest, "Параметр deal_id должен быть числом")
		e.fail(t, "/openapi/v1/deal/get/", fmt.Sprintf(`{"deal_id": %d, "with": ["tasks"]}`, dealID), http.StatusBadRequest,
			"Параметр with может содержать только \"parent_deal\" и \"child_deals\"")

		// Another account's deal is not found.
		other := dealAccount(t, env, e.clock, "Other CRM")
		other.fail(t, "/openapi/v1/deal/get/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusNotFound, "Сделка не найдена")
	})
}

func TestDealEnvelopeErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		for _, path := range []string{"/openapi/v1/deal/get/", "/openapi/v1/deal/create/", "/openapi/v1/deal/search/",
			"/openapi/v1/deal/updateDealStage/", "/openapi/v1/deal/updateEmployee/", "/openapi/v1/deal/toInbox/",
			"/openapi/v1/deal/list/", "/openapi/v1/deal/updateDealValue/"} {
			resp := env.Do(t, http.MethodPost, path+"?api_key=wrong", "", `{"request": {"deal_id": 1}}`)
			dealWantError(t, resp.Status, resp.Object(t), http.StatusUnauthorized, "Неправильный ключ api")
			resp = env.Do(t, http.MethodPost, path, "", `{"request": {"deal_id": 1}}`)
			dealWantError(t, resp.Status, resp.Object(t), http.StatusUnauthorized, "Неправильный ключ api")
			status, obj := e.call(t, http.MethodPost, path, `{"request": {"deal_id": 1`)
			dealWantError(t, status, obj, http.StatusBadRequest, "Неверный JSON в теле запроса")
		}
		for _, path := range []string{"/openapi/v1/deal/getListInputs/", "/openapi/v1/deal/getInput/",
			"/openapi/v1/client/getListInputs/", "/openapi/v1/client/getInput/"} {
			resp := env.Do(t, http.MethodGet, path+"?api_key=wrong&type=service&input_id=2001", "", "")
			dealWantError(t, resp.Status, resp.Object(t), http.StatusUnauthorized, "Неправильный ключ api")
			status, obj := e.call(t, http.MethodGet, path+"?type=service", `{"request": `)
			dealWantError(t, status, obj, http.StatusBadRequest, "Неверный JSON в теле запроса")
		}
	})
}

func TestDealCreate(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()
		clientID := e.plainClient(t, "Клиент")

		// The document's example: string ids, "employee_id": "0" and no
		// department — a deal with nobody responsible.
		obj := e.post(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"name": "Тест", "client_id": "%d", "pipeline_id": "%d", "employee_id": "0"}`,
			clientID, e.pipeline.ID))
		dealKeys(t, "reply", obj, "result", "status_code", "message")
		r := dealObj(t, obj, "result")
		dealKeys(t, "result", r, "deal")
		d := dealObj(t, r, "deal")
		dealKeys(t, "deal", d, dealCoreKeys...)
		dealTypes(t, "deal", d, dealNewTypes)
		dealWant(t, "deal", d, map[string]any{
			"crm_id": e.actor.AccountID, "pipeline_id": e.pipeline.ID, "client_id": clientID, "stage_id": e.stages[crm.StageNew].ID,
			"user_id": 0, "employee_id": 0, "old_employee_id": nil, "department_id": 0, "it_reaction": 0, "with_event": 0,
			"created_at": "2024-03-11 01:30:00", "updated_at": "2024-03-11 01:30:00", "deleted_at": nil,
		})
		id, _ := d["id"].(json.Number).Int64()
		if g := e.get(t, id); g["name"] != "Тест" {
			t.Errorf("deal/get name = %v", g["name"])
		}

		// task {} creates the default task; values set service and custom fields.
		fieldID := e.customField(t, crm.EntityDeal, "Сумма", crm.FieldNumeric)
		dep, err := env.Server.Service.AddDepartment(ctx, e.actor, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		d = dealObj(t, dealObj(t, e.post(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"client_id": %d, "department_id": %d, "task": {},
			"values": [{"input_id": 2005, "value": "yandex", "type_id": 1}, {"input_id": %d, "value": 1500, "type_id": 2},
			{"input_id": 2001, "value": "Из значений", "type_id": "1"}]}`, clientID, dep.ID, fieldID)), "result"), "deal")
		dealWant(t, "deal", d, map[string]any{"department_id": dep.ID, "employee_id": 0, "with_event": 1})
		id, _ = d["id"].(json.Number).Int64()
		list := e.post(t, "/openapi/v1/deal/list/", `{"keyword": "Из значений"}`)
		rows := dealArr(t, list, "result")
		if len(rows) != 1 {
			t.Fatalf("deal/list by name: %v", list)
		}
		values := dealObj(t, rows[0].(map[string]any), "values")
		service := dealObj(t, values, "service")
		dealWant(t, "utm_source", dealObj(t, service, "utm_source"), map[string]any{"value": "yandex", "input_id": "2005", "deal_id": fmt.Sprint(id)})
		dealWant(t, "name", dealObj(t, service, "name"), map[string]any{"value": "Из значений", "input_id": "2001"})
		custom := dealArr(t, values, "custom")
		if len(custom) != 1 {
			t.Fatalf("custom = %v", custom)
		}
		dealWant(t, "custom", custom[0].(map[string]any), map[string]any{"input_id": fmt.Sprint(fieldID), "value": "1500", "type_id": "2",
			"name": "Сумма", "name_id": fmt.Sprintf("crm_%d", fieldID)})

		// A task with text and a time; an employee responsible.
		member := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		d = dealObj(t, dealObj(t, e.post(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"name": 42, "client_id": %d, "employee_id": %d,
			"task": {"text": "Позвонить", "time": %d}}`, clientID, member.UserID, dealStart.Add(48*time.Hour).Unix())), "result"), "deal")
		dealWant(t, "deal", d, map[string]any{"employee_id": member.UserID, "department_id": 0, "with_event": 1})

		e.fail(t, "/openapi/v1/deal/create/", `{"name": "Тест", "client_id": 999999}`, http.StatusNotFound, "Клиент не найден")
		e.fail(t, "/openapi/v1/deal/create/", `{"name": "Тест"}`, http.StatusBadRequest, "Не указан client_id")
		e.fail(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"client_id": %d, "task": "завтра"}`, clientID), http.StatusBadRequest,
			"Параметр task должен быть объектом")
		e.fail(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"client_id": %d, "values": [{"input_id": 2005, "value": "x", "type_id": 3}]}`, clientID),
			http.StatusBadRequest, "values[0].type_id должен быть 1 (сервисное поле) или 2 (пользовательское)")
		e.fail(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"client_id": %d, "values": [{"value": "x", "type_id": 1}]}`, clientID),
			http.StatusBadRequest, "Не указан values[0].input_id")
		e.fail(t, "/openapi/v1/deal/create/", fmt.Sprintf(`{"client_id": %d, "pipeline_id": 999999}`, clientID),
			http.StatusInternalServerError, "Неверный request")
	})
}

func TestDealSearch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		clientID, dealID := e.client(t, "CallbackKILLER", "+7 (499) 322-97-10", "Team@CallbackKiller.com")
		e.client(t, "Другой", "79001112233", "")

		// The document's example.
		obj := e.post(t, "/openapi/v1/deal/search/", `{"email": "team@callbackkiller.com", "phone": "74993229710"}`)
		dealKeys(t, "reply", obj, "clients", "status_code", "message")
		clients := dealArr(t, obj, "clients")
		if len(clients) != 1 {
			t.Fatalf("clients = %v", clients)
		}
		c := clients[0].(map[string]any)
		dealKeys(t, "client", c, "id", "crm_id", "created_at", "updated_at", "deleted_at", "name", "deals_for_event")
		dealTypes(t, "client", c, map[string]string{"id": "s", "crm_id": "s", "created_at": "s", "updated_at": "s|null", "deleted_at": "null", "name": "s"})
		dealWant(t, "client", c, map[string]any{"id": fmt.Sprint(clientID), "crm_id": fmt.Sprint(e.actor.AccountID), "name": "CallbackKILLER",
			"created_at": "2024-03-11 01:30:00"})
		deals := dealArr(t, c, "deals_for_event")
		if len(deals) != 1 {
			t.Fatalf("deals_for_event = %v", deals)
		}
		d := deals[0].(map[string]any)
		dealKeys(t, "deal", d, dealCoreKeys...)
		dealTypes(t, "deal", d, dealOldTypes)
		dealWant(t, "deal", d, map[string]any{"id": fmt.Sprint(dealID), "client_id": fmt.Sprint(clientID)})

		// Phone alone, written any way; email alone, any case.
		for _, req := range []string{`{"phone": "8 (499) 322-97-10"}`, `{"phone": 74993229710}`, `{"email": "TEAM@callbackkiller.com"}`} {
			if got := dealArr(t, e.post(t, "/openapi/v1/deal/search/", req), "clients"); len(got) != 1 {
				t.Errorf("%s: clients = %v", req, got)
			}
		}
		// A second deal of the client is listed too.
		second := e.deal(t, clientID, "Вторая")
		c = dealArr(t, e.post(t, "/openapi/v1/deal/search/", `{"phone": "74993229710"}`), "clients")[0].(map[string]any)
		if got := dealArr(t, c, "deals_for_event"); len(got) != 2 {
			t.Errorf("deals_for_event = %v, want deals %d and %d", got, dealID, second)
		}

		// No match: {"clients": []}.
		obj = e.post(t, "/openapi/v1/deal/search/", `{"phone": "70000000000"}`)
		dealKeys(t, "reply", obj, "clients", "status_code", "message")
		if got := dealArr(t, obj, "clients"); len(got) != 0 {
			t.Errorf("clients = %v, want []", got)
		}
		e.fail(t, "/openapi/v1/deal/search/", `{}`, http.StatusBadRequest, "Не указан phone или email")
	})
}

func TestDealUpdateDealStage(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		ctx := context.Background()
		clientID, dealID := e.client(t, "Клиент", "79001112233", "")
		won := e.stages[crm.StageWon]

		e.clock.set(dealStart.Add(3 * time.Hour)) // 2024-03-11 04:30 MSK
		obj := e.post(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d, "employee_id": 0}`, dealID, won.ID))
		dealKeys(t, "reply", obj, "result", "status_code", "message")
		r := dealObj(t, obj, "result")
		dealKeys(t, "result", r, "stage_id")
		dealWant(t, "result", r, map[string]any{"stage_id": won.ID})
		g := e.get(t, dealID)
		dealWant(t, "deal", g, map[string]any{"stage_id": fmt.Sprint(won.ID), "status_id": "2003", "stage_name": won.Name,
			"stage_updated_at": "2024-03-11 04:30:00", "created_at": "2024-03-11 01:30:00"})

		// The stage change feeds the closed, stage_changed and
		// stage_transition filters, in the account's time zone.
		other := e.deal(t, clientID, "Открытая")
		for _, tc := range []struct {
			req  string
			want []int64
		}{
			{`{"date_type": "closed", "date_start": "2024-03-11", "date_end": "2024-03-11"}`, []int64{dealID}},
			{`{"date_type": "closed", "date_start": "2024-03-10", "date_end": "2024-03-10"}`, nil},
			{`{"date_type": "stage_changed", "date_start": "2024-03-11", "date_end": "2024-03-11"}`, []int64{other, dealID}},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": %d, "date_start": "2024-03-11", "date_end": "2024-03-11"}`, won.ID), []int64{dealID}},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d, %d], "date_start": "2024-03-11"}`, won.ID, e.stages[crm.StageLost].ID), []int64{dealID}},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d], "date_start": "2024-03-12"}`, won.ID), nil},
			{fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d]}`, e.stages[crm.StageNew].ID), []int64{other, dealID}},
		} {
			dealWantIDs(t, tc.req, e.post(t, "/openapi/v1/deal/list/", tc.req), tc.want)
		}

		// Back to an open stage: no longer closed; it entered the won stage all the same.
		e.clock.set(dealStart.Add(26 * time.Hour)) // 2024-03-12 00:30 MSK
		e.post(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": "%d", "stage_id": "%d", "client_id": %d}`, dealID,
			e.stages[crm.StageInWork].ID, clientID))
		dealWantIDs(t, "closed", e.post(t, "/openapi/v1/deal/list/", `{"date_type": "closed", "date_start": "2024-03-01"}`), nil)
		dealWantIDs(t, "stage_changed 12th", e.post(t, "/openapi/v1/deal/list/", `{"date_type": "stage_changed", "date_start": "2024-03-12"}`), []int64{dealID})
		dealWantIDs(t, "transition", e.post(t, "/openapi/v1/deal/list/", fmt.Sprintf(`{"date_type": "stage_transition", "date_stage_ids": [%d]}`, won.ID)), []int64{dealID})

		// On behalf of an employee.
		member := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		e.post(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d, "employee_id": %d}`, dealID,
			e.stages[crm.StageLost].ID, member.UserID))
		dealWant(t, "deal", e.get(t, dealID), map[string]any{"status_id": "2004"})

		e.fail(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": 999999, "stage_id": %d}`, won.ID), http.StatusNotFound, "Сделка не найдена")
		e.fail(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d, "client_id": %d}`, dealID, won.ID, clientID+1000),
			http.StatusNotFound, "Сделка не найдена")
		e.fail(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"stage_id": %d}`, won.ID), http.StatusBadRequest, "Не указан deal_id")
		e.fail(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusBadRequest, "Не указан stage_id")

		// A pipeline that forbids manual changes, and a stage of another pipeline.
		locked, err := env.Server.Service.AddPipeline(ctx, e.actor, crm.Pipeline{Name: "Ручная", AllowManualStageChange: false, Stages: []crm.Stage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Готово", Status: crm.StageWon}}})
		if err != nil {
			t.Fatal(err)
		}
		lockedDeal, err := env.Server.Service.CreateDeal(ctx, e.actor, crm.NewDeal{ClientID: clientID, PipelineID: locked.ID})
		if err != nil {
			t.Fatal(err)
		}
		e.fail(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d}`, lockedDeal.ID, locked.Stages[1].ID),
			http.StatusForbidden, "В настройках воронки сделки не включена настройка \"Разрешить менять статусы вручную\"")
		e.fail(t, "/openapi/v1/deal/updateDealStage/", fmt.Sprintf(`{"deal_id": %d, "stage_id": %d}`, dealID, locked.Stages[1].ID),
			http.StatusBadRequest, "Этап не найден")
		dealWant(t, "deal", e.get(t, lockedDeal.ID), map[string]any{"stage_id": fmt.Sprint(locked.Stages[0].ID)})
	})
}

// dealWantIDs checks the ids of a deal/list reply, newest first.
func dealWantIDs(t *testing.T, what string, obj map[string]any, want []int64) {
	t.Helper()
	var got []string
	for _, r := range dealArr(t, obj, "result") {
		got = append(got, r.(map[string]any)["id"].(string))
	}
	var w []string
	for _, id := range want {
		w = append(w, fmt.Sprint(id))
	}
	if strings.Join(got, ",") != strings.Join(w, ",") {
		t.Errorf("%s: ids %v, want %v", what, got, w)
	}
	if obj["count"] != fmt.Sprint(len(want)) {
		t.Errorf("%s: count = %#v, want %q", what, obj["count"], fmt.Sprint(len(want)))
	}
}

func TestDealUpdateEmployee(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		_, dealID := e.client(t, "Клиент", "79001112233", "")
		member := env.NewUser(t, e.actor.AccountID, crm.RoleMember)
		dep, err := env.Server.Service.AddDepartment(context.Background(), e.actor, "Отдел продаж")
		if err != nil {
			t.Fatal(err)
		}

		e.clock.set(dealStart.Add(time.Hour))
		obj := e.post(t, "/openapi/v1/deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": %d}`, dealID, member.UserID))
		dealKeys(t, "reply", obj, "result", "status_code", "message")
		r := dealObj(t, obj, "result")
		dealKeys(t, "result", r, "deal")
		d := dealObj(t, r, "deal")
		dealKeys(t, "deal", d, dealCoreKeys...)
		dealTypes(t, "deal", d, dealNewTypes)
		dealWant(t, "deal", d, map[string]any{"id": dealID, "employee_id": member.UserID, "old_employee_id": nil, "department_id": 0,
			"updated_at": "2024-03-11 02:30:00"})

		// To a department: the employee moves to old_employee_id.
		d = dealObj(t, dealObj(t, e.post(t, "/openapi/v1/deal/updateEmployee/", fmt.Sprintf(`{"deal_id": "%d", "department_id": "%d"}`, dealID, dep.ID)), "result"), "deal")
		dealWant(t, "deal", d, map[string]any{"employee_id": 0, "old_employee_id": member.UserID, "department_id": dep.ID})
		dealWant(t, "deal/get", e.get(t, dealID), map[string]any{"employee_id": "0", "old_employee_id": fmt.Sprint(member.UserID), "department_id": fmt.Sprint(dep.ID)})

		// The document's example, "employee_id": 0: the administrator.
		d = dealObj(t, dealObj(t, e.post(t, "/openapi/v1/deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": 0}`, dealID)), "result"), "deal")
		dealWant(t, "deal", d, map[string]any{"user_id": e.actor.UserID, "employee_id": 0, "department_id": 0, "old_employee_id": member.UserID})

		e.fail(t, "/openapi/v1/deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d}`, dealID), http.StatusBadRequest, "Не указан employee_id или department_id")
		e.fail(t, "/openapi/v1/deal/updateEmployee/", `{"employee_id": 1}`, http.StatusBadRequest, "Не указан deal_id")
		e.fail(t, "/openapi/v1/deal/updateEmployee/", fmt.Sprintf(`{"deal_id": 999999, "employee_id": %d}`, member.UserID), http.StatusNotFound, "Сделка не найдена")
		e.fail(t, "/openapi/v1/deal/updateEmployee/", fmt.Sprintf(`{"deal_id": %d, "employee_id": 999999}`, dealID), http.StatusBadRequest,
			"Неверный request: employee_id: employee_id is not an employee of this CRM.")
	})
}

func TestDealToInbox(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		_, dealID := e.client(t, "Клиент", "79001112233", "")
		dealWant(t, "before", e.get(t, dealID), map[string]any{"it_reaction": "0"})
		obj := e.post(t, "/openapi/v1/deal/toInbox/", fmt.Sprintf(`{"deal_id": %d}`, dealID))
		dealKeys(t, "reply", obj, "status_code", "message")
		dealWant(t, "after", e.get(t, dealID), map[string]any{"it_reaction": "1"})
		e.fail(t, "/openapi/v1/deal/toInbox/", `{"deal_id": 999999}`, http.StatusNotFound, "Сделка не найдена")
		e.fail(t, "/openapi/v1/deal/toInbox/", `{}`, http.StatusBadRequest, "Не указан deal_id")
	})
}

func TestDealUpdateDealValue(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		clientID, dealID := e.client(t, "Клиент", "79001112233", "")
		otherClient, otherDeal := e.client(t, "Другой", "79004445566", "")
		fieldID := e.customField(t, crm.EntityDeal, "Комментарий менеджера", crm.FieldText)

		// The document's example, with this account's ids.
		obj := e.post(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "user_id": %d, "employee_id": 0,
			"fields": [{"input_id": %d, "value": "Новое_значение_поля", "value_type_id": 2}]}`, dealID, clientID, e.actor.UserID, fieldID))
		dealKeys(t, "reply", obj, "result", "status_code", "message")
		r := dealObj(t, obj, "result")
		dealKeys(t, "result", r, "deal_id", "client_id", "employee_id", "user_id", "fields")
		dealWant(t, "result", r, map[string]any{"deal_id": fmt.Sprint(dealID), "client_id": fmt.Sprint(clientID), "employee_id": "0",
			"user_id": fmt.Sprint(e.actor.UserID),
			"fields":  []any{map[string]any{"input_id": fieldID, "value": "Новое_значение_поля", "value_type_id": 2}}})

		// Service fields: the name renames the deal; 20012 is Google Client ID.
		e.post(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": "%d", "client_id": "%d",
			"fields": [{"input_id": 2001, "value": "Переименована", "value_type_id": 1}, {"input_id": 20012, "value": "GA1.2.3", "value_type_id": 1}]}`,
			dealID, clientID))
		dealWant(t, "deal", e.get(t, dealID), map[string]any{"name": "Переименована"})
		rows := dealArr(t, e.post(t, "/openapi/v1/deal/list/", `{"keyword": "Переименована"}`), "result")
		if len(rows) != 1 {
			t.Fatalf("rows = %v", rows)
		}
		values := dealObj(t, rows[0].(map[string]any), "values")
		dealWant(t, "google_client_id", dealObj(t, dealObj(t, values, "service"), "google_client_id"), map[string]any{"value": "GA1.2.3", "input_id": "2012"})
		dealWant(t, "custom", dealArr(t, values, "custom")[0].(map[string]any), map[string]any{"value": "Новое_значение_поля"})

		fields := fmt.Sprintf(`"fields": [{"input_id": %d, "value": "x", "value_type_id": 2}]`, fieldID)
		e.fail(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": 999999, "client_id": %d, %s}`, clientID, fields),
			http.StatusInternalServerError, "Неверный request")
		e.fail(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, %s}`, otherDeal, clientID, fields),
			http.StatusInternalServerError, "Неверный request")
		e.fail(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": 999999, %s}`, dealID, fields),
			http.StatusInternalServerError, "Неверный request")
		e.fail(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"client_id": %d, %s}`, otherClient, fields),
			http.StatusBadRequest, "Не указан deal_id")
		e.fail(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d}`, dealID, clientID),
			http.StatusBadRequest, "Не указан fields")
		e.fail(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "fields": [{"input_id": 2001, "value": "x"}]}`, dealID, clientID),
			http.StatusBadRequest, "fields[0].value_type_id должен быть 1 (сервисное поле) или 2 (пользовательское)")
		e.fail(t, "/openapi/v1/deal/updateDealValue/", fmt.Sprintf(`{"deal_id": %d, "client_id": %d, "fields": [{"input_id": 1001, "value": "x", "value_type_id": 1}]}`, dealID, clientID),
			http.StatusInternalServerError, "Неверный request")
		dealWant(t, "deal", e.get(t, dealID), map[string]any{"name": "Переименована"})
	})
}
