package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Tasks (/tasks): the open tasks, earliest due first, grouped Overdue /
// Today / Tomorrow / Later by the days of the account's time zone, each
// with a link to the deal or client it belongs to and a "Complete" button.
//
// Whose tasks: the page opens on "My tasks", the tasks whose responsible
// (amoCRM's responsible_user_id: the assigned employee, else the
// administrator, crm.TaskQuery.Responsibles) is the signed-in user. An
// administrator may switch to everyone's (?who=all). A member asking for
// everyone's gets their own list, not a 403: the domain lets every user of
// an account read every task (Envybox's task/list and amoCRM's
// GET /api/v4/tasks answer members too), so refusing would invent a
// permission the APIs do not have; keeping members on their own list is a
// choice of what the page shows, not a security boundary.
//
// Completing is crm.Service.CompleteTask, the call behind Envybox's and
// amoCRM's completion: it closes the task (success / is_completed) with
// its history entry and the deal's next-task fields, completing a closed
// task changes nothing, and it checks no role or ownership, so a member
// may complete anyone's task, as through the APIs. The page adds no rule.

// tasksPerPage is how many open tasks a page shows; the groups are of the
// page's tasks, which come earliest due first, so a later page continues
// where the previous one stopped.
const tasksPerPage = 100

// taskRoutes registers the tasks' routes.
func (h *handler) taskRoutes(mux *http.ServeMux) {
	mux.Handle("GET /tasks", h.signedIn(h.tasks))
	mux.Handle("POST /tasks/{id}/complete", h.signedIn(h.completeTask))
}

// taskItem is a task as the list shows it.
type taskItem struct {
	Task crm.Task
	// Due is the due time as the group shows it: the time of day in Today
	// and Tomorrow, the date and time in the others.
	Due string
	// DueISO is the due time for <time datetime>.
	DueISO string
	// Link is the card of what the task belongs to ("" when it has none
	// in the workspace), Label its name.
	Link  string
	Label string
	// Responsible is the name of the user the task is for.
	Responsible string
}

// taskGroup is one section of the list.
type taskGroup struct {
	Key   string // overdue, today, tomorrow, later
	Title string
	Tasks []taskItem
}

// tasksData is the tasks page's content.
type tasksData struct {
	// All says the page lists everyone's tasks; CanSeeAll that the user
	// may switch to them.
	All       bool
	CanSeeAll bool
	Groups    []taskGroup
	Total     int
	FirstRow  int
	LastRow   int
	HasPrev   bool
	HasNext   bool
	PrevQuery string
	NextQuery string
}

func (h *handler) tasks(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	v.Section, v.Title = "tasks", v.T("nav.tasks")
	q := r.URL.Query()
	data := tasksData{CanSeeAll: v.IsAdmin()}
	switch who := q.Get("who"); who {
	case "", "mine":
	case "all":
		data.All = data.CanSeeAll
	default:
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("tasks.bad_who")))
		return
	}
	offset, err := queryOffset(v, q, "tasks.bad_offset")
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	open := false
	tq := crm.TaskQuery{Success: &open, Limit: tasksPerPage, Offset: offset}
	if !data.All {
		tq.Responsibles = []int64{v.Actor.UserID}
	}
	list, total, err := h.svc.Tasks(ctx, v.Actor, tq)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	items, err := h.taskItems(ctx, v, list)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	data.Groups = groupTasks(v, items, time.Now())
	data.Total = total
	data.FirstRow, data.LastRow = offset+1, offset+len(list)
	data.HasPrev, data.HasNext = offset > 0, data.LastRow < total
	data.PrevQuery, data.NextQuery = tasksQuery(data.All, max(0, offset-tasksPerPage)), tasksQuery(data.All, offset+tasksPerPage)
	h.render(w, r, http.StatusOK, "tasks", v, data)
}

// tasksQuery is the address of a page of the list.
func tasksQuery(all bool, offset int) string {
	var parts []string
	if all {
		parts = append(parts, "who=all")
	}
	if offset > 0 {
		parts = append(parts, "offset="+strconv.Itoa(offset))
	}
	if len(parts) == 0 {
		return "/tasks"
	}
	return "/tasks?" + strings.Join(parts, "&")
}

// taskItems names what each task belongs to and who it is for, reading
// the deals, clients and companies of the page in one batch each.
func (h *handler) taskItems(ctx context.Context, v *view, list []crm.Task) ([]taskItem, error) {
	var dealIDs, clientIDs, companyIDs []int64
	for _, t := range list {
		switch typ, id := taskOwner(t); typ {
		case crm.EntityDeal:
			dealIDs = append(dealIDs, id)
		case crm.EntityContact:
			clientIDs = append(clientIDs, id)
		case crm.EntityCompany:
			companyIDs = append(companyIDs, id)
		}
	}
	names := map[crm.EntityType]map[int64]string{crm.EntityDeal: {}, crm.EntityContact: {}, crm.EntityCompany: {}}
	if ids := unique(dealIDs); len(ids) > 0 {
		leads, _, err := h.svc.Leads(ctx, v.Actor, crm.LeadQuery{IDs: ids, Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, l := range leads {
			names[crm.EntityDeal][l.ID] = l.Name
		}
	}
	if ids := unique(clientIDs); len(ids) > 0 {
		contacts, _, err := h.svc.Contacts(ctx, v.Actor, crm.ListQuery{IDs: ids, Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, c := range contacts {
			names[crm.EntityContact][c.ID] = c.Name
		}
	}
	if ids := unique(companyIDs); len(ids) > 0 {
		companies, _, err := h.svc.Companies(ctx, v.Actor, crm.ListQuery{IDs: ids, Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, c := range companies {
			names[crm.EntityCompany][c.ID] = c.Name
		}
	}
	users, err := h.svc.AccountUsers(ctx, v.Actor)
	if err != nil {
		return nil, err
	}
	userNames := make(map[int64]string, len(users))
	for _, u := range users {
		userNames[u.ID] = u.Name
	}
	out := make([]taskItem, len(list))
	for i, t := range list {
		it := taskItem{Task: t, Responsible: userNames[t.ResponsibleUserID()]}
		typ, id := taskOwner(t)
		name := names[typ][id]
		switch typ {
		case crm.EntityDeal:
			it.Link, it.Label = fmt.Sprintf("/deals/%d", id), orDefault(name, v.T("tasks.deal_n", id))
		case crm.EntityContact:
			it.Link, it.Label = fmt.Sprintf("/clients/%d", id), orDefault(name, v.T("tasks.client_n", id))
		case crm.EntityCompany:
			it.Label = orDefault(name, v.T("tasks.company_n", id))
		case crm.EntityCustomer:
			it.Label = v.T("tasks.customer_n", id)
		}
		out[i] = it
	}
	return out, nil
}

// taskOwner is what a task belongs to: a deal task may carry only its
// DealID (crm.Task).
func taskOwner(t crm.Task) (crm.EntityType, int64) {
	if t.DealID != 0 {
		return crm.EntityDeal, t.DealID
	}
	if t.EntityType != "" && t.EntityID != 0 {
		return t.EntityType, t.EntityID
	}
	return "", 0
}

func unique(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// groupTasks sorts tasks, already earliest due first, into Overdue, Today,
// Tomorrow and Later by the calendar days of the account's time zone at
// now. Overdue is the domain's verdict (crm.Task.Overdue: open and due
// before the store's clock); empty groups are left out.
func groupTasks(v *view, items []taskItem, now time.Time) []taskGroup {
	loc := v.Location()
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	tomorrow, after := today.AddDate(0, 0, 1), today.AddDate(0, 0, 2)
	groups := []taskGroup{
		{Key: "overdue", Title: v.T("tasks.overdue")},
		{Key: "today", Title: v.T("tasks.today")},
		{Key: "tomorrow", Title: v.T("tasks.tomorrow")},
		{Key: "later", Title: v.T("tasks.later")},
	}
	for _, it := range items {
		due := it.Task.Time.In(loc)
		g := 3
		switch {
		case it.Task.Overdue:
			g = 0
		case due.Before(tomorrow):
			g = 1
		case due.Before(after):
			g = 2
		}
		it.DueISO = due.Format(time.RFC3339)
		switch {
		case (g == 1 || g == 2) && it.Task.NoTime:
			it.Due = v.T("tasks.all_day")
		case g == 1 || g == 2:
			it.Due = due.Format("15:04")
		case it.Task.NoTime:
			it.Due = v.Date(due)
		default:
			it.Due = v.Time(due)
		}
		groups[g].Tasks = append(groups[g].Tasks, it)
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.Tasks) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// completeTask closes a task (crm.Service.CompleteTask) and goes back to
// the page it was completed from (the task list, or a deal card), or
// answers the page's script in JSON.
func (h *handler) completeTask(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	t, err := h.svc.CompleteTask(r.Context(), v.Actor, id)
	if crm.CodeOf(err) == crm.CodeTaskNotFound {
		err = crm.Errorf(crm.KindNotFound, "%s", v.T("tasks.not_found"))
	}
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if isFetch(r) {
		writeJSON(w, http.StatusOK, map[string]any{"id": t.ID, "message": v.T("tasks.completed", t.Text), "reload": true})
		return
	}
	// Only a path of this site; anything else goes to the task list.
	back := r.PostFormValue("back")
	if back == "" || safeNext(back) != back {
		back = "/tasks"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

var taskMessages = catalog{
	"tasks.mine":       {"My tasks", "Мои задачи"},
	"tasks.all":        {"Everyone's tasks", "Все задачи"},
	"tasks.whose":      {"Whose tasks", "Чьи задачи"},
	"tasks.overdue":    {"Overdue", "Просроченные"},
	"tasks.today":      {"Today", "Сегодня"},
	"tasks.tomorrow":   {"Tomorrow", "Завтра"},
	"tasks.later":      {"Later", "Позже"},
	"tasks.all_day":    {"All day", "Весь день"},
	"tasks.open_count": {"Open tasks: %s", "Открытых задач: %s"},
	"tasks.none":       {"No open tasks.", "Открытых задач нет."},
	"tasks.complete":   {"Complete", "Выполнить"},
	"tasks.completed":  {"Task “%s” completed.", "Задача «%s» выполнена."},
	"tasks.not_found":  {"No such task.", "Такой задачи нет."},
	"tasks.bad_who":    {"The list asked for in the address is not understood.", "Список в адресе задан неверно."},
	"tasks.bad_offset": {"The page number in the address is not understood.", "Номер страницы в адресе задан неверно."},
	"tasks.deal_n":     {"Deal #%d", "Сделка №%d"},
	"tasks.client_n":   {"Client #%d", "Клиент №%d"},
	"tasks.company_n":  {"Company #%d", "Компания №%d"},
	"tasks.customer_n": {"Customer #%d", "Покупатель №%d"},
}
