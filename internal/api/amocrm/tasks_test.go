package amocrm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the v4 tasks (core §5) on SQLite and PostgreSQL: the documents'
// examples, the filters, completion, every refusal, and the same tasks
// through Envybox's deal/getTasks, deal/updatetask and task/list.

const tasksPath = "/api/v4/tasks"

// taskPath is the item path of task id.
func taskPath(id int64) string { return tasksPath + "/" + itoa(id) }

// activity is an account with what tasks and notes attach to: a contact
// and a deal of it (made through the domain, as Envybox's deal/create
// does), a company, and an Envybox client speaking for the same account.
type activity struct {
	account
	envybox   *crmtest.Client
	contactID int64
	companyID int64
	dealID    int64
}

func newActivity(t testing.TB, env *crmtest.Env, name string) activity {
	t.Helper()
	a := activity{account: newAccount(t, env, name, "periodicity")}
	a.envybox = env.Envybox(a.EnvyboxAPIKey)
	svc, ctx := env.Server.Service, context.Background()
	contactName, companyName := "Client", "Company"
	c, err := svc.AddContacts(ctx, a.actor(), []crm.NewContact{{Name: &contactName}})
	if err != nil {
		t.Fatal(err)
	}
	a.contactID = c[0].ID
	d, err := svc.CreateDeal(ctx, a.actor(), crm.NewDeal{ClientID: a.contactID, Name: "Deal"})
	if err != nil {
		t.Fatal(err)
	}
	a.dealID = d.ID
	a.companyID = a.api.Post(t, "/api/v4/companies", `[{"name":"`+companyName+`"}]`).HAL(200).Int("_embedded.companies.0.id")
	return a
}

// envy posts {"request": request} to an Envybox method and requires success.
func (a activity) envy(t testing.TB, method, request string) *crmtest.Reply {
	t.Helper()
	return a.envybox.Post(t, "/openapi/v1/"+method+"/", `{"request": `+request+`}`).Envelope(200, "success")
}

// addTask posts one task object and returns its id.
func addTask(t testing.TB, api *crmtest.Client, object string) int64 {
	t.Helper()
	return api.Post(t, tasksPath, "["+object+"]").HAL(200).Int("_embedded.tasks.0.id")
}

// TestV4TasksExamples replays core §5's examples: the POST body and
// answer, the read model, a completion with a result and its answer.
func TestV4TasksExamples(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Tasks")
		body := fmt.Sprintf(`[{"task_type_id":1,"text":"Meet the client","complete_till":1588885140,"entity_id":%d,"entity_type":"leads","request_id":"example"}]`, a.dealID)
		r := a.api.Post(t, tasksPath, body).HAL(200).Keys("", "_links", "_embedded").Keys("_embedded.tasks.0", "id", "request_id", "_links")
		id := r.Int("_embedded.tasks.0.id")
		r.Equal("_embedded.tasks.0.request_id", "example").
			Equal("_embedded.tasks.0._links.self.href", env.URL+taskPath(id)).Equal("_links.self.href", env.URL+tasksPath)

		got := a.api.Get(t, taskPath(id)).HAL(200).Keys("", "id", "created_by", "updated_by", "created_at", "updated_at",
			"responsible_user_id", "group_id", "entity_id", "entity_type", "duration", "is_completed", "task_type_id", "text",
			"result", "complete_till", "account_id", "_links")
		got.Equal("entity_id", a.dealID).Equal("entity_type", "leads").Equal("task_type_id", 1).Equal("text", "Meet the client").
			Equal("complete_till", 1588885140).Equal("is_completed", false).Equal("result", []any{}).Equal("duration", 0).
			Equal("responsible_user_id", a.UserID).Equal("created_by", a.UserID).Equal("updated_by", a.UserID).
			Equal("group_id", 0).Equal("account_id", a.AccountID).Equal("_links.self.href", env.URL+taskPath(id))

		// Completing: the document's body, answered with the bare item.
		done := a.api.Patch(t, taskPath(id), `{"is_completed":true,"result":{"text":"Reached the client"}}`).HAL(200).
			Keys("", "id", "updated_at", "request_id", "_links")
		done.Equal("id", id).Equal("request_id", "0").Equal("_links.self.href", env.URL+taskPath(id))
		a.api.Get(t, taskPath(id)).HAL(200).Equal("is_completed", true).Equal("result", map[string]any{"text": "Reached the client"})

		// The list example: meetings that are completed, two a page.
		meeting := addTask(t, a.api, `{"task_type_id":2,"text":"Invite to a free training","complete_till":1575665940,"is_completed":true}`)
		a.api.Get(t, tasksPath+"?filter[task_type][]=2&filter[is_completed][]=1&limit=2").HAL(200).
			Equal("_embedded.tasks.*.id", []int64{meeting}).Equal("_embedded.tasks.0.entity_id", nil).
			Equal("_embedded.tasks.0.entity_type", nil).Equal("_embedded.tasks.0.is_completed", true)
	})
}

// TestV4TasksEnvybox: a task made through amoCRM on a lead is the deal's
// task in Envybox, and Envybox's deal tasks are amoCRM tasks of the lead.
func TestV4TasksEnvybox(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Both")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		amo := addTask(t, a.api, fmt.Sprintf(`{"text":"Call back","complete_till":1900000000,"entity_type":"leads","entity_id":%d,"responsible_user_id":%d}`,
			a.dealID, member.UserID))
		tasks := a.envy(t, "deal/getTasks", fmt.Sprintf(`{"deal_id":%d}`, a.dealID))
		tasks.Equal("result.*.id", []int64{amo}).Equal("result.0.comment", "Call back").Equal("result.0.element_id", a.dealID).
			Equal("result.0.crm_element_id", 3).Equal("result.0.to_employee_id", member.UserID).Equal("result.0.success", 0)
		a.envy(t, "deal/getTask", fmt.Sprintf(`{"deal_id":%d}`, a.dealID)).Equal("result.task", nil) // the member is not the deal's responsible

		// Envybox's task for the administrator, and its change.
		envy := a.envy(t, "deal/updatetask", fmt.Sprintf(`{"deal_id":%d,"time":1800000000,"comment":"From Envybox","employee_id":0}`, a.dealID)).
			Int("result.task.id")
		a.api.Get(t, fmt.Sprintf("%s?filter[entity_type]=leads&filter[entity_id]=%d&order[complete_till]=asc", tasksPath, a.dealID)).HAL(200).
			Equal("_embedded.tasks.*.id", []int64{envy, amo}).Equal("_embedded.tasks.0.text", "From Envybox").
			Equal("_embedded.tasks.0.responsible_user_id", a.UserID).Equal("_embedded.tasks.0.complete_till", 1800000000)
		a.api.Patch(t, taskPath(envy), `{"text":"Changed in amoCRM","complete_till":1700000000}`).HAL(200)
		a.envy(t, "deal/getTask", fmt.Sprintf(`{"deal_id":%d}`, a.dealID)).Equal("result.task.id", envy).
			Equal("result.task.comment", "Changed in amoCRM")

		// Completing through amoCRM closes it for Envybox's task/list.
		a.api.Patch(t, taskPath(envy), `{"is_completed":true}`).HAL(200)
		a.envy(t, "task/list", `{"success":1}`).Equal("result.*.id", []int64{envy}).Equal("count", 1)
		a.envy(t, "task/list", `{"success":0}`).Equal("result.*.id", []int64{amo})
		family, err := env.Server.Service.Deal(context.Background(), a.actor(), a.dealID, false)
		if err != nil {
			t.Fatal(err)
		}
		if deal := family.Deal; !deal.WithEvent || deal.ClosestTaskAt.Unix() != 1900000000 {
			t.Errorf("deal with_event %v, closest task %v; want the open amoCRM task's deadline", deal.WithEvent, deal.ClosestTaskAt)
		}

		// A task of a contact is a client's element in task/list; a free
		// task has none.
		contact := addTask(t, a.api, fmt.Sprintf(`{"text":"Contact task","complete_till":1900000001,"entity_type":"contacts","entity_id":%d}`, a.contactID))
		free := addTask(t, a.api, `{"text":"Free task","complete_till":1900000002}`)
		list := a.envy(t, "task/list", `{"success":0}`).Equal("result.*.id", []int64{amo, contact, free})
		list.Equal("result.1.crm_element_id", 2).Equal("result.1.element_id", a.contactID).
			Equal("result.2.crm_element_id", 0).Equal("result.2.element_id", 0)

		// A department's task (Envybox) is its administrator's in amoCRM,
		// the department its group_id; changing its text keeps both.
		dep, err := env.Server.Service.AddDepartment(context.Background(), a.actor(), "Sales")
		if err != nil {
			t.Fatal(err)
		}
		deptTask := a.envy(t, "deal/updatetask", fmt.Sprintf(`{"deal_id":%d,"time":1800000100,"comment":"Dept","department_id":%d}`, a.dealID, dep.ID)).
			Int("result.task.id")
		a.api.Patch(t, taskPath(deptTask), `{"text":"Dept changed"}`).HAL(200)
		a.api.Get(t, taskPath(deptTask)).HAL(200).Equal("group_id", dep.ID).Equal("responsible_user_id", a.UserID).Equal("text", "Dept changed")
		a.envy(t, "deal/getTasks", fmt.Sprintf(`{"deal_id":%d}`, a.dealID)).Equal("result.id="+itoa(deptTask)+".to_department_id", dep.ID)
		// Making a member responsible keeps the deal's administrator.
		a.api.Patch(t, taskPath(deptTask), fmt.Sprintf(`{"responsible_user_id":%d}`, member.UserID)).HAL(200)
		a.envy(t, "deal/getTasks", fmt.Sprintf(`{"deal_id":%d}`, a.dealID)).Equal("result.id="+itoa(deptTask)+".to_department_id", 0).
			Equal("result.id="+itoa(deptTask)+".to_employee_id", member.UserID).Equal("result.id="+itoa(deptTask)+".user_id", a.UserID)
	})
}

// TestV4TasksCustomerNearest: a customer's closest_task_at follows its open
// tasks, as a deal's does.
func TestV4TasksCustomerNearest(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Customers")
		cust := addCustomer(t, a.api, `{"name":"Buyer","next_date":1900000000}`)
		id := addTask(t, a.api, fmt.Sprintf(`{"text":"Sell again","complete_till":1850000000,"entity_type":"customers","entity_id":%d}`, cust))
		a.api.Get(t, customerPath(cust)).HAL(200).Equal("closest_task_at", 1850000000)
		a.api.Patch(t, taskPath(id), `{"is_completed":true}`).HAL(200)
		a.api.Get(t, customerPath(cust)).HAL(200).Equal("closest_task_at", nil)
		// Moving a task to another entity updates both.
		a.api.Patch(t, taskPath(id), `{"is_completed":false}`).HAL(200)
		a.api.Patch(t, taskPath(id), fmt.Sprintf(`{"entity_type":"leads","entity_id":%d}`, a.dealID)).HAL(200)
		a.api.Get(t, customerPath(cust)).HAL(200).Equal("closest_task_at", nil)
		a.envy(t, "deal/getTasks", fmt.Sprintf(`{"deal_id":%d}`, a.dealID)).Equal("result.*.id", []int64{id})
	})
}

// TestV4TasksList checks every filter, the order, paging and 204.
func TestV4TasksList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "List")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		ids := idsOf(a.api.Post(t, tasksPath, fmt.Sprintf(`[
			{"text":"one","complete_till":1900000300,"entity_type":"leads","entity_id":%[1]d},
			{"text":"two","complete_till":1900000100,"task_type_id":2,"entity_type":"contacts","entity_id":%[2]d,"responsible_user_id":%[3]d},
			{"text":"three","complete_till":1900000200,"entity_type":"companies","entity_id":%[4]d,"is_completed":true},
			{"text":"four","complete_till":1900000400.0,"duration":1800}]`, a.dealID, a.contactID, member.UserID, a.companyID)).HAL(200).
			List("_embedded.tasks"))
		one, two, three, four := ids[0], ids[1], ids[2], ids[3]
		for query, want := range map[string][]int64{
			"":                           {two, three, one, four},
			"?order[id]=desc":            {four, three, two, one},
			"?order[complete_till]=desc": {four, one, three, two},
			"?order[created_at]=asc":     {one, two, three, four},
			"?filter[responsible_user_id]=" + itoa(member.UserID):                    {two},
			"?filter[responsible_user_id][]=" + itoa(a.UserID):                       {three, one, four},
			"?filter[is_completed]=1":                                                {three},
			"?filter[is_completed]=0":                                                {two, one, four},
			"?filter[task_type]=2":                                                   {two},
			"?filter[task_type_id][0]=1":                                             {three, one, four},
			"?filter[entity_type]=leads":                                             {one},
			"?filter[entity_type]=contacts&filter[entity_id][]=" + itoa(a.contactID): {two},
			fmt.Sprintf("?filter[id][]=%d&filter[id][]=%d", one, four):               {one, four},
			"?filter[id]=" + itoa(three):                                             {three},
			"?filter[created_by]=" + itoa(a.UserID):                                  {two, three, one, four},
			"?filter[updated_at]=1":                                                  {two, three, one, four},
			"?filter[updated_at][from]=1&filter[updated_at][to]=2000000000":          {two, three, one, four},
		} {
			a.api.Get(t, tasksPath+query).HAL(200).Equal("_embedded.tasks.*.id", want)
		}
		// Tasks of leads in given stages (the PHP client's lead_statuses).
		pipelines, err := env.Server.Service.DealPipelines(context.Background(), a.actor())
		if err != nil {
			t.Fatal(err)
		}
		family, err := env.Server.Service.Deal(context.Background(), a.actor(), a.dealID, false)
		if err != nil {
			t.Fatal(err)
		}
		p, stage := family.Deal.PipelineID, family.Deal.StageID
		a.api.Get(t, fmt.Sprintf("%s?filter[lead_statuses][0][pipeline_id]=%d&filter[lead_statuses][0][status_id]=%d", tasksPath, p, stage)).HAL(200).
			Equal("_embedded.tasks.*.id", []int64{one})
		a.api.Get(t, fmt.Sprintf("%s?filter[lead_statuses][0][pipeline_id]=%d", tasksPath, p)).HAL(200).Equal("_embedded.tasks.*.id", []int64{one})
		a.api.Get(t, fmt.Sprintf("%s?filter[lead_statuses][0][status_id]=142&filter[lead_statuses][1][status_id]=%d", tasksPath, stage)).HAL(200).
			Equal("_embedded.tasks.*.id", []int64{one})
		nothing(a.api.Get(t, tasksPath+"?filter[lead_statuses][0][status_id]=142"))
		nothing(a.api.Get(t, tasksPath+"?filter[lead_statuses][0][pipeline_id]=999999"))
		if len(pipelines) == 0 {
			t.Fatal("no pipelines")
		}
		a.api.Get(t, taskPath(four)).HAL(200).Equal("duration", 1800).Equal("complete_till", 1900000400)
		a.api.Get(t, taskPath(two)).HAL(200).Equal("responsible_user_id", member.UserID).Equal("task_type_id", 2)

		// Nothing found, and a page past the last: 204.
		for _, query := range []string{"?filter[updated_at]=2000000000", "?filter[entity_type]=customers", "?page=3&limit=2",
			"?filter[id]=999999"} {
			nothing(a.api.Get(t, tasksPath+query))
		}
		nothing(a.api.Get(t, taskPath(999999)))

		// Paging: next repeats the query.
		page := a.api.Get(t, tasksPath+"?limit=2&filter[is_completed]=0").HAL(200).Equal("_page", 1).Equal("_embedded.tasks.*.id", []int64{two, one})
		page.Equal("_links.next.href", env.URL+tasksPath+"?page=2&limit=2&filter%5Bis_completed%5D=0")
		a.api.Get(t, tasksPath+"?page=2&limit=2&filter[is_completed]=0").HAL(200).Equal("_embedded.tasks.*.id", []int64{four}).Has("_links.prev")

		// Bad filters.
		for query, path := range map[string]string{
			"?filter[entity_id]=1":                           "filter[entity_id]",
			"?filter[entity_type]=unsorted":                  "filter[entity_type]",
			"?filter[is_completed]=maybe":                    "filter[is_completed]",
			"?filter[id]=x":                                  "filter[id]",
			"?filter[text]=x":                                "filter[text]",
			"?order[text]=asc":                               "order[text]",
			"?order[id]=up":                                  "order[id]",
			"?limit=251":                                     "limit",
			"?filter[updated_at]=x":                          "filter[updated_at]",
			"?filter[updated_at]=1&filter[updated_at][to]=2": "filter[updated_at]",
			"?filter[lead_statuses][0][color]=1":             "filter[lead_statuses][0][color]",
			"?filter[lead_statuses][0][status_id]=x":         "filter[lead_statuses][0][status_id]",
		} {
			wantViolationAt(t, a.api.Get(t, tasksPath+query), query, path)
		}
	})
}

// TestV4TasksWrites checks the batch PATCH and every refusal of a write;
// a refused batch writes nothing.
func TestV4TasksWrites(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newActivity(t, env, "Writes")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		id := addTask(t, a.api, `{"text":"Before","complete_till":1900000000}`)
		other := addTask(t, a.api, `{"text":"Other","complete_till":1900000000}`)

		r := a.api.Patch(t, tasksPath, fmt.Sprintf(`[{"id":%d,"text":"After","complete_till":1900000500,"task_type_id":2,"request_id":"a"},
			{"id":%d,"responsible_user_id":%d,"result":{"text":"Noted"},"request_id":"b"}]`, id, other, member.UserID)).HAL(200)
		r.Equal("_embedded.tasks.*.request_id", []string{"a", "b"}).Equal("_embedded.tasks.*.id", []int64{id, other}).
			Keys("_embedded.tasks.0", "id", "updated_at", "request_id", "_links")
		a.api.Get(t, taskPath(id)).HAL(200).Equal("text", "After").Equal("complete_till", 1900000500).Equal("task_type_id", 2)
		a.api.Get(t, taskPath(other)).HAL(200).Equal("responsible_user_id", member.UserID).Equal("result.text", "Noted").
			Equal("is_completed", false)
		// The member's own write: created_by and updated_by are the member.
		writer := env.NewUser(t, a.AccountID, crm.RoleMember)
		mine := addTask(t, env.AmoCRM(writer.AmoCRMToken), `{"text":"Mine","complete_till":1900000000}`)
		a.api.Get(t, taskPath(mine)).HAL(200).Equal("created_by", writer.UserID).Equal("responsible_user_id", writer.UserID).
			Equal("updated_by", writer.UserID)
		// Sending the read model back is accepted (result [] and read-only keys).
		a.api.Patch(t, taskPath(id), `{"result":[],"account_id":1,"_links":{"self":{}},"group_id":0,"request_id":"x"}`).HAL(200).
			Equal("request_id", "x")

		missing := fmt.Sprintf(`{"text":"x","complete_till":1900000000,"entity_type":"leads","entity_id":%d}`, a.dealID+1000)
		for name, c := range map[string]struct {
			body string
			want []crmtest.Violation
		}{
			"no text":           {`[{"complete_till":1900000000}]`, []crmtest.Violation{crmtest.Violated("0", "FieldMissing", "text")}},
			"no deadline":       {`[{"text":"x","request_id":"r"}]`, []crmtest.Violation{crmtest.Violated("r", "FieldMissing", "complete_till")}},
			"blank text":        {`[{"text":"  ","complete_till":1900000000}]`, []crmtest.Violation{crmtest.Violated("0", "NotBlank", "text")}},
			"text type":         {`[{"text":5,"complete_till":1900000000}]`, []crmtest.Violation{crmtest.Violated("0", "InvalidType", "text")}},
			"deadline type":     {`[{"text":"x","complete_till":"tomorrow"}]`, []crmtest.Violation{crmtest.Violated("0", "InvalidType", "complete_till")}},
			"type 3":            {`[{"text":"x","complete_till":1900000000,"task_type_id":3}]`, []crmtest.Violation{crmtest.Violated("0", "NotSupportedChoice", "task_type_id")}},
			"entity type":       {`[{"text":"x","complete_till":1900000000,"entity_type":"catalogs","entity_id":1}]`, []crmtest.Violation{crmtest.Violated("0", "NotSupportedChoice", "entity_type")}},
			"id without type":   {`[{"text":"x","complete_till":1900000000,"entity_id":1}]`, []crmtest.Violation{crmtest.Violated("0", "FieldMissing", "entity_type")}},
			"type without id":   {`[{"text":"x","complete_till":1900000000,"entity_type":"leads"}]`, []crmtest.Violation{crmtest.Violated("0", "FieldMissing", "entity_id")}},
			"missing lead":      {"[" + missing + "]", []crmtest.Violation{crmtest.Violated("0", "NotSupportedChoice", "entity_id")}},
			"unknown user":      {`[{"text":"x","complete_till":1900000000,"responsible_user_id":999999}]`, []crmtest.Violation{crmtest.Violated("0", "NotSupportedChoice", "responsible_user_id")}},
			"negative duration": {`[{"text":"x","complete_till":1900000000,"duration":-1}]`, []crmtest.Violation{crmtest.Violated("0", "OutOfRange", "duration")}},
			"zero deadline":     {`[{"text":"x","complete_till":0}]`, []crmtest.Violation{crmtest.Violated("0", "OutOfRange", "complete_till")}},
			"second item bad":   {`[{"text":"ok","complete_till":1900000000},{"text":"x","request_id":"two"}]`, []crmtest.Violation{crmtest.Violated("two", "FieldMissing", "complete_till")}},
			"not an object":     {`[5]`, []crmtest.Violation{crmtest.Violated("0", "InvalidType", "")}},
			"result not object": {`[{"text":"x","complete_till":1900000000,"result":"done"}]`, []crmtest.Violation{crmtest.Violated("0", "InvalidType", "result")}},
			"empty batch":       {`[]`, []crmtest.Violation{crmtest.Violated("0", "FieldMissing", "")}},
		} {
			t.Run(name, func(t *testing.T) {
				a.api.Post(t, tasksPath, c.body).WantViolations(c.want...)
			})
		}
		a.api.Get(t, tasksPath).HAL(200).Equal("_embedded.tasks.*.id", []int64{other, mine, id}) // nothing new

		for name, c := range map[string]struct {
			body string
			want crmtest.Violation
		}{
			"no id":      {`[{"text":"x"}]`, crmtest.Violated("0", "FieldMissing", "id")},
			"unknown id": {`[{"id":999999,"text":"x","request_id":"q"}]`, crmtest.Violated("q", "NotSupportedChoice", "id")},
			"twice":      {fmt.Sprintf(`[{"id":%d},{"id":%d}]`, id, id), crmtest.Violated("1", "InvalidValue", "id")},
			"blank":      {fmt.Sprintf(`[{"id":%d,"text":"after all"},{"id":%d,"text":""}]`, id, other), crmtest.Violated("1", "NotBlank", "text")},
		} {
			t.Run(name, func(t *testing.T) {
				a.api.Patch(t, tasksPath, c.body).WantViolations(c.want)
			})
		}
		a.api.Get(t, taskPath(id)).HAL(200).Equal("text", "After")
		a.api.Patch(t, taskPath(999999), `{"text":"x"}`).Problem(404)
		a.api.Patch(t, taskPath(id), `{"task_type_id":"call"}`).WantViolations(crmtest.Violated("0", "InvalidType", "task_type_id"))
		a.api.Patch(t, taskPath(id), `[1]`).WantViolations(crmtest.Violated("0", "InvalidType", ""))
		a.api.Post(t, tasksPath, `{`).Problem(400)
		a.api.Delete(t, taskPath(id)).Problem(405)
		for _, c := range badClients(env, a.account) {
			c.api.Get(t, tasksPath).Problem(401)
		}
		// Another account sees none of these tasks.
		b := newAccount(t, env, "Other", "")
		nothing(b.api.Get(t, taskPath(id)))
		b.api.Patch(t, taskPath(id), `{"text":"x"}`).Problem(404)
		nothing(b.api.Get(t, tasksPath))
	})
}
