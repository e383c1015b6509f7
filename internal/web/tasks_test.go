package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// newTask adds an open task through the domain, as amoCRM's POST
// /api/v4/tasks does: for a user, due at a time, on an entity or none.
func (m *member) newTask(t testing.TB, text string, due time.Time, responsible int64, entity crm.EntityType, entityID int64) crm.Task {
	t.Helper()
	in := crm.TaskInput{Text: &text, CompleteTill: &due, ResponsibleUserID: &responsible}
	if entity != "" {
		in.EntityType, in.EntityID = &entity, &entityID
	}
	list, err := m.service().AddTasks(context.Background(), m.Actor, []crm.TaskInput{in})
	if err != nil {
		t.Fatal(err)
	}
	return list[0]
}

// groupOf is the group (overdue, today, tomorrow, later) a task is listed
// in on a tasks page; "" when the page does not list it.
func groupOf(body string, taskID int64) string {
	i := strings.Index(body, fmt.Sprintf(`id="task-%d"`, taskID))
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(body[:i], `data-group="`)
	if j < 0 {
		return "?"
	}
	rest := body[j+len(`data-group="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// dueTimes are a moment of each group, relative to now in loc: two hours
// ago, later today, tomorrow noon, and three days on. Too close to
// midnight for a "later today" it waits for the next day.
func dueTimes(t testing.TB, loc *time.Location) (overdue, today, tomorrow, later time.Time) {
	t.Helper()
	now := time.Now().In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	if left := midnight.Sub(now); left < 2*time.Minute {
		t.Logf("waiting %s for midnight in %s", left, loc)
		time.Sleep(left + time.Second)
		now = time.Now().In(loc)
		midnight = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	}
	return now.Add(-2 * time.Hour), now.Add(midnight.Sub(now) / 2), midnight.Add(12 * time.Hour), midnight.AddDate(0, 0, 2).Add(10 * time.Hour)
}

// TestTasksGroupsAndViews: the open tasks grouped by the account's days,
// with links to their deals and clients; "My tasks" for everyone, and
// everyone's for administrators only.
func TestTasksGroupsAndViews(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		admin := newAccount(t, env, "Tasks")
		admin.signIn(t)
		mike := admin.newUser(t, crm.RoleMember, "Member Mike")
		mike.signIn(t)
		svc := admin.service()
		client := admin.newClient(t, "Client <Kate>", []string{"+79990001100"}, nil)
		deal, err := svc.CreateDeal(ctx, admin.Actor, crm.NewDeal{Name: "Deal <b>bold</b>", ClientID: client.ID})
		if err != nil {
			t.Fatal(err)
		}
		loc := admin.Actor.Location()
		overdue, today, tomorrow, later := dueTimes(t, loc)

		late := admin.newTask(t, "<b>Call</b> back", overdue, admin.UserID, crm.EntityDeal, deal.ID)
		now := admin.newTask(t, "Send the offer", today, admin.UserID, crm.EntityContact, client.ID)
		next := admin.newTask(t, "Free task", tomorrow, admin.UserID, "", 0)
		far := admin.newTask(t, "Follow up", later, admin.UserID, crm.EntityDeal, deal.ID)
		mikes := admin.newTask(t, "Mike's call", today, mike.UserID, crm.EntityDeal, deal.ID)
		done := admin.newTask(t, "Already done", today, admin.UserID, "", 0)
		if _, err := svc.CompleteTask(ctx, admin.Actor, done.ID); err != nil {
			t.Fatal(err)
		}

		// The administrator's own tasks.
		p := admin.get(t, "/tasks")
		expect(t, p, http.StatusOK, "<h1>My tasks</h1>", "Open tasks: 4", `id="tasks-mine"`, `id="tasks-all"`,
			`<h2 id="tasks-overdue-h" class="overdue">Overdue`, `class="due overdue"`,
			"&lt;b&gt;Call&lt;/b&gt; back", fmt.Sprintf(`href="/deals/%d">Deal &lt;b&gt;bold&lt;/b&gt;</a>`, deal.ID),
			fmt.Sprintf(`href="/clients/%d">Client &lt;Kate&gt;</a>`, client.ID),
			fmt.Sprintf(`id="complete-%d"`, late.ID), ">Complete</button>", today.In(loc).Format("15:04"),
			fmt.Sprintf(`action="/tasks/%d/complete"`, late.ID))
		if strings.Contains(p.Body, "<b>Call</b>") {
			t.Error("a task's text is not escaped")
		}
		for task, want := range map[int64]string{late.ID: "overdue", now.ID: "today", next.ID: "tomorrow", far.ID: "later",
			mikes.ID: "", done.ID: ""} {
			if got := groupOf(p.Body, task); got != want {
				t.Errorf("task %d is in group %q, want %q", task, got, want)
			}
		}
		if i, j := strings.Index(p.Body, `id="tasks-overdue"`), strings.Index(p.Body, `id="tasks-later"`); i < 0 || j < i {
			t.Error("the groups are out of order")
		}

		// Everyone's, for the administrator: Mike's task too, with his name.
		p = admin.get(t, "/tasks?who=all")
		expect(t, p, http.StatusOK, "<h1>Everyone&#39;s tasks</h1>", "Open tasks: 5", "Member Mike",
			`<a id="tasks-all" href="/tasks?who=all" aria-current="page">`)
		if got := groupOf(p.Body, mikes.ID); got != "today" {
			t.Errorf("Mike's task in everyone's list: group %q", got)
		}

		// A member sees their own tasks, and no switch; asking for
		// everyone's gives their own list too.
		for _, path := range []string{"/tasks", "/tasks?who=all"} {
			p = mike.get(t, path)
			expect(t, p, http.StatusOK, "<h1>My tasks</h1>", "Open tasks: 1", "Mike&#39;s call")
			if groupOf(p.Body, mikes.ID) != "today" || groupOf(p.Body, late.ID) != "" || strings.Contains(p.Body, `id="tasks-all"`) {
				t.Errorf("%s for a member:\n%s", path, p.Body)
			}
		}
		expect(t, mike.get(t, "/tasks?who=everybody"), http.StatusUnprocessableEntity)

		// Russian, and a user with no open tasks.
		p = admin.do(t, http.MethodGet, "/tasks", nil, "Accept-Language", "ru")
		expect(t, p, http.StatusOK, "Мои задачи", "Просроченные", "Сегодня", "Завтра", "Позже", ">Выполнить</button>")
		lazy := admin.newUser(t, crm.RoleMember, "Lazy")
		lazy.signIn(t)
		expect(t, lazy.get(t, "/tasks"), http.StatusOK, "No open tasks.")
	})
}

// TestCompleteTask: completing takes a task off the open list and the
// Envybox and amoCRM APIs see it completed; a member may complete another
// user's task, as the domain (and the APIs) allow; another account's task
// is not found.
func TestCompleteTask(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		admin := newAccount(t, env, "Complete")
		admin.signIn(t)
		mike := admin.newUser(t, crm.RoleMember, "Mike")
		mike.signIn(t)
		client := admin.newClient(t, "Client", nil, nil)
		deal, err := admin.service().CreateDeal(ctx, admin.Actor, crm.NewDeal{Name: "Deal", ClientID: client.ID})
		if err != nil {
			t.Fatal(err)
		}
		overdue, today, _, _ := dueTimes(t, admin.Actor.Location())
		first := admin.newTask(t, "Call the client", overdue, admin.UserID, crm.EntityDeal, deal.ID)
		second := admin.newTask(t, "Send the contract", today, admin.UserID, crm.EntityDeal, deal.ID)

		expect(t, admin.get(t, "/tasks?who=all"), http.StatusOK, fmt.Sprintf(`id="task-%d"`, first.ID))
		p := admin.post(t, fmt.Sprintf("/tasks/%d/complete", first.ID), url.Values{"back": {"/tasks?who=all"}})
		if p.Status != http.StatusSeeOther || p.Location != "/tasks?who=all" {
			t.Fatalf("complete: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		p = admin.get(t, "/tasks")
		expect(t, p, http.StatusOK, "Open tasks: 1", fmt.Sprintf(`id="task-%d"`, second.ID))
		if strings.Contains(p.Body, fmt.Sprintf(`id="task-%d"`, first.ID)) {
			t.Error("a completed task is still listed")
		}
		completedInAPIs(t, env, admin, first.ID)

		// A member completes the administrator's task, through the script.
		p = mike.post(t, fmt.Sprintf("/tasks/%d/complete", second.ID), url.Values{}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusOK, `"message":"Task “Send the contract” completed."`, `"reload":true`)
		completedInAPIs(t, env, admin, second.ID)
		expect(t, admin.get(t, "/tasks"), http.StatusOK, "No open tasks.")

		// Completing again changes nothing; the back address stays on the
		// task list.
		p = admin.post(t, fmt.Sprintf("/tasks/%d/complete", second.ID), url.Values{"back": {"https://evil.example/tasks"}})
		if p.Status != http.StatusSeeOther || p.Location != "/tasks" {
			t.Errorf("complete again: HTTP %d to %q", p.Status, p.Location)
		}

		// Another account's task, and one that does not exist.
		other := newAccount(t, env, "Other")
		other.signIn(t)
		theirs := other.newTask(t, "Theirs", today, other.UserID, "", 0)
		expect(t, admin.post(t, fmt.Sprintf("/tasks/%d/complete", theirs.ID), url.Values{}), http.StatusNotFound, "No such task.")
		expect(t, admin.post(t, "/tasks/999999/complete", url.Values{}, "X-Requested-With", "fetch"), http.StatusNotFound,
			`"error":"No such task."`)
		if got, err := other.service().Task(ctx, other.Actor, theirs.ID); err != nil || got.Success {
			t.Errorf("another account's task: %+v, %v", got, err)
		}
	})
}

// completedInAPIs checks that Envybox's task/list and amoCRM's
// GET /api/v4/tasks/{id} show a task completed.
func completedInAPIs(t *testing.T, env *crmtest.Env, m *member, taskID int64) {
	t.Helper()
	env.AmoCRM(m.creds.AmoCRMToken).Get(t, fmt.Sprintf("/api/v4/tasks/%d", taskID)).Expect(http.StatusOK).Equal("is_completed", true)
	r := env.Envybox(m.creds.EnvyboxAPIKey).Post(t, "/openapi/v1/task/list/", `{"request": {"success": 1}}`).Expect(http.StatusOK)
	found := false
	for _, task := range r.List("result") {
		if task.Int("id") == taskID {
			found = true
			if task.Int("success") != 1 {
				t.Errorf("Envybox task %d: success %v", taskID, task.Get("success"))
			}
		}
	}
	if !found {
		t.Errorf("Envybox's closed tasks lack task %d: %s", taskID, r.Body)
	}
}
