package amocrm

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Tasks (core §5): crmd's tasks, the records Envybox's deal/getTasks and
// task/list show. There is no DELETE (none in v4) and no task types
// endpoint (types come from the account, core §5; crmd has amoCRM's two
// built-in ones, 1 call and 2 meeting).

// taskRoutes are the v4 task endpoints.
func (h *handler) taskRoutes() []route {
	return []route{
		{"GET /api/v4/tasks", h.listTasks},
		{"POST /api/v4/tasks", h.addTasks},
		{"PATCH /api/v4/tasks", h.patchTasks},
		{"GET /api/v4/tasks/{id}", h.getTask},
		{"PATCH /api/v4/tasks/{id}", h.patchTask},
	}
}

func taskPath(id int64) string { return "/api/v4/tasks/" + strconv.FormatInt(id, 10) }

// v4Task is the task model of core §5.1, key for key.
type v4Task struct {
	ID                int64     `json:"id"`
	CreatedBy         int64     `json:"created_by"`
	UpdatedBy         int64     `json:"updated_by"`
	CreatedAt         int64     `json:"created_at"`
	UpdatedAt         int64     `json:"updated_at"`
	ResponsibleUserID int64     `json:"responsible_user_id"`
	GroupID           int64     `json:"group_id"`
	EntityID          *int64    `json:"entity_id"`
	EntityType        *string   `json:"entity_type"`
	Duration          int64     `json:"duration"`
	IsCompleted       bool      `json:"is_completed"`
	TaskTypeID        int       `json:"task_type_id"`
	Text              string    `json:"text"`
	Result            any       `json:"result"`
	CompleteTill      int64     `json:"complete_till"`
	AccountID         int64     `json:"account_id"`
	Links             selfLinks `json:"_links"`
}

// toV4Task renders a task. A free task's entity_id and entity_type are
// null (core §5.1); result is {"text"} or, with none, amoCRM's [] (both
// in the documents' examples). group_id is the assigned department.
func toV4Task(r *http.Request, t crm.Task) v4Task {
	out := v4Task{ID: t.ID, CreatedBy: t.CreatedBy(), UpdatedBy: t.UpdatedBy, CreatedAt: t.CreatedAt.Unix(), UpdatedAt: t.UpdatedAt.Unix(),
		ResponsibleUserID: t.ResponsibleUserID(), GroupID: t.Assignee.DepartmentID, Duration: t.Duration, IsCompleted: t.Success,
		TaskTypeID: t.TypeID, Text: t.Text, Result: []any{}, CompleteTill: t.Time.Unix(), AccountID: t.AccountID,
		Links: selfLink(r, taskPath(t.ID))}
	if t.EntityType != "" {
		id, typ := t.EntityID, string(t.EntityType)
		out.EntityID, out.EntityType = &id, &typ
	}
	if t.Result != "" {
		out.Result = map[string]string{"text": t.Result}
	}
	return out
}

// readTaskQuery reads the filters and order of GET /api/v4/tasks (core
// §5.2). filter[is_completed] is 1/0 (also true/false), scalar or a list
// of one; filter[updated_at] is a range or a scalar "updated after";
// filter[task_type_id] is the PHP client's old name of filter[task_type];
// filter[lead_statuses] selects tasks of leads in given stages.
func readTaskQuery(r *http.Request, pipelines func() ([]crm.Pipeline, error)) (crm.TaskQuery, error) {
	qr := newQueryReader(r)
	q := crm.TaskQuery{
		IDs:          qr.ints("id"),
		Responsibles: qr.ints("responsible_user_id"),
		CreatedBy:    qr.ints("created_by"),
		TypeIDs:      append(qr.ints("task_type"), qr.ints("task_type_id")...),
		EntityIDs:    qr.ints("entity_id"),
		UpdatedAt:    qr.afterOrRange("updated_at"),
	}
	if types := qr.strs("entity_type"); len(types) > 0 {
		q.EntityType = crm.EntityType(types[0])
		known := false
		for _, e := range crm.TaskEntities {
			known = known || e == q.EntityType
		}
		if len(types) > 1 || !known {
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[entity_type]", Code: crm.ViolationChoice,
				Detail: "filter[entity_type]: one of leads, contacts, companies, customers."})
		}
	}
	if len(q.EntityIDs) > 0 && q.EntityType == "" {
		qr.errs = append(qr.errs, crm.Violation{Path: "filter[entity_id]", Code: crm.ViolationRequired,
			Detail: "filter[entity_id] needs filter[entity_type]."})
	}
	if done := qr.strs("is_completed"); len(done) > 0 {
		var b bool
		switch strings.ToLower(done[0]) {
		case "1", "true":
			b = true
		case "0", "false":
		default:
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[is_completed]", Code: crm.ViolationType, Detail: "This value should be of type bool."})
		}
		for _, d := range done[1:] {
			if d != done[0] {
				qr.errs = append(qr.errs, crm.Violation{Path: "filter[is_completed]", Code: crm.ViolationInvalid, Detail: "filter[is_completed] takes one value."})
				break
			}
		}
		q.Success = &b
	}
	for key := range qr.q {
		if strings.HasPrefix(key, "filter[lead_statuses]") {
			list, err := pipelines()
			if err != nil {
				return q, err
			}
			q.DealStages = leadStatuses(qr, list)
			break
		}
	}
	q.OrderBy, q.Desc = qr.order("created_at", "complete_till", "id")
	return q, qr.done()
}

// leadStatuses reads filter[lead_statuses][i][pipeline_id|status_id] (the
// PHP client's TasksFilter, core §5.2): tasks of leads in those stages. A
// pair without status_id is the whole pipeline; 142/143 are its won/lost
// stage. Stages that do not exist match nothing. Nil when not given.
func leadStatuses(qr *queryReader, pipelines []crm.Pipeline) []int64 {
	pairs := qr.statusPairs("filter[lead_statuses]")
	if len(pairs) == 0 {
		return nil
	}
	out := []int64{}
	for _, pr := range pairs {
		for _, p := range pipelines {
			if pr.pipeline != 0 && p.ID != pr.pipeline {
				continue
			}
			if pr.status == 0 {
				for _, st := range p.Stages {
					out = append(out, st.ID)
				}
			} else if st, ok := stageByWireID(p, pr.status); ok {
				out = append(out, st.ID)
			}
		}
	}
	return out
}

// afterOrRange reads filter[name] as a range ([from]/[to]) or a scalar
// meaning "from this Unix time on" (core §1.3).
func (qr *queryReader) afterOrRange(name string) crm.Range {
	out := qr.rng(name)
	if after := qr.ints(name); len(after) > 0 {
		if len(after) > 1 || out.From != nil || out.To != nil {
			qr.errs = append(qr.errs, crm.Violation{Path: "filter[" + name + "]", Code: crm.ViolationInvalid,
				Detail: "filter[" + name + "] is one Unix time or a range with [from] and [to]."})
		}
		out.From = &after[0]
	}
	return out
}

// listTasks serves GET /api/v4/tasks. Without an order the tasks come as
// Envybox's task/list has them, the earliest deadline first.
func (h *handler) listTasks(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, err := v4Page(r)
	if err != nil {
		return err
	}
	q, err := readTaskQuery(r, func() ([]crm.Pipeline, error) { return h.svc.DealPipelines(r.Context(), actor) })
	if err != nil {
		return err
	}
	q.Limit, q.Offset = page.Limit, page.Offset()
	list, total, err := h.svc.Tasks(r.Context(), actor, q)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toV4Task)
	writeList(w, len(items), v4Paged(r, page, total, "tasks", items))
	return nil
}

// getTask serves GET /api/v4/tasks/{id}; a missing task is 204.
func (h *handler) getTask(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	return getByID(w, r, func(id int64) (crm.Task, error) { return h.svc.Task(r.Context(), actor, id) }, toV4Task)
}

// readTaskInput reads one task of a POST or PATCH body (core §5.4, §5.5).
// created_at/updated_at are accepted and ignored: crmd stamps its own
// times. entity_type null or "" with entity_id 0 or null detaches a task.
func readTaskInput(rd reader) crm.TaskInput {
	in := crm.TaskInput{
		Text:              rd.str("text"),
		ResponsibleUserID: rd.int64("responsible_user_id"),
		EntityID:          rd.int64("entity_id"),
		IsCompleted:       rd.bool("is_completed"),
		TypeID:            rd.int64("task_type_id"),
		Duration:          rd.int64("duration"),
		CreatedBy:         rd.int64("created_by"),
	}
	rd.int64("updated_by")
	rd.int64("created_at")
	rd.int64("updated_at")
	if p := rd.int64("complete_till"); p != nil {
		t := time.Unix(*p, 0).UTC()
		in.CompleteTill = &t
	}
	if _, ok := rd.obj["entity_type"]; ok {
		var typ crm.EntityType
		if s := rd.str("entity_type"); s != nil {
			typ = crm.EntityType(*s)
		}
		in.EntityType = &typ
		if in.EntityID == nil && typ == "" {
			zero := int64(0)
			in.EntityID = &zero
		}
	}
	if v, ok := rd.obj["result"]; ok && v != nil {
		// result is {"text": …}; amoCRM renders "no result" as [], which a
		// client may send back.
		if list, isList := v.([]any); !isList || len(list) > 0 {
			res := newReader(v, rd.item, rd.path("result"), rd.errs)
			if text := res.str("text"); text != nil {
				in.Result = text
			}
		}
	}
	return in
}

// readTaskBatch reads a POST/PATCH array of tasks.
func readTaskBatch(r *http.Request, patch bool) ([]crm.TaskInput, []string, error) {
	return readBatch(r, "tasks", func(rd reader) crm.TaskInput {
		in := readTaskInput(rd)
		patchItemID(rd, patch, &in.ID)
		return in
	})
}

// addTasks serves POST /api/v4/tasks: all or nothing.
func (h *handler) addTasks(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readTaskBatch(r, false)
	if err != nil {
		return err
	}
	created, err := h.svc.AddTasks(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	writeBatch(w, r, "/api/v4/tasks", "tasks", createdItems(r, ids, created, taskPath, func(t crm.Task) int64 { return t.ID }))
	return nil
}

// patchTasks serves PATCH /api/v4/tasks: every item names its task by id;
// bad input anywhere rejects the whole batch.
func (h *handler) patchTasks(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	in, ids, err := readTaskBatch(r, true)
	if err != nil {
		return err
	}
	updated, err := h.svc.UpdateTasks(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	writeBatch(w, r, "/api/v4/tasks", "tasks", updatedItems(r, ids, updated, taskPath, func(t crm.Task) (int64, time.Time) { return t.ID, t.UpdatedAt }))
	return nil
}

// patchTask serves PATCH /api/v4/tasks/{id} with one object and answers
// the bare item (core §5.5's example); a missing task is 404.
func (h *handler) patchTask(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	t, rid, err := patchByID(r,
		func(rd reader, id int64) crm.TaskInput {
			in := readTaskInput(rd)
			in.ID = id
			return in
		},
		func(id int64) error { _, err := h.svc.Task(r.Context(), actor, id); return err },
		func(in []crm.TaskInput) ([]crm.Task, error) { return h.svc.UpdateTasks(r.Context(), actor, in) },
		asIs)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, updatedItem(r, rid, taskPath, t.ID, t.UpdatedAt))
	return nil
}

// activityRoutes are the task, note and event endpoints.
func (h *handler) activityRoutes() []route {
	return append(append(h.taskRoutes(), h.eventRoutes()...), h.noteRoutes()...)
}
