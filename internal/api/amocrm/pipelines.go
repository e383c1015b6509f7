package amocrm

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// pipelineRoutes are the lead pipelines and statuses endpoints (companion
// §6). The record mapping is described in pipelines_wire.go.
func (h *handler) pipelineRoutes() []route {
	return []route{
		{"GET /api/v4/leads/pipelines", h.listPipelines},
		{"POST /api/v4/leads/pipelines", h.addPipelines},
		{"GET /api/v4/leads/pipelines/{id}", h.getPipeline},
		{"PATCH /api/v4/leads/pipelines/{id}", h.patchPipeline},
		{"DELETE /api/v4/leads/pipelines/{id}", h.deletePipeline},

		{"GET /api/v4/leads/pipelines/{pipeline_id}/statuses", h.listLeadStatuses},
		{"POST /api/v4/leads/pipelines/{pipeline_id}/statuses", h.addLeadStatuses},
		{"GET /api/v4/leads/pipelines/{pipeline_id}/statuses/{id}", h.getLeadStatus},
		{"PATCH /api/v4/leads/pipelines/{pipeline_id}/statuses/{id}", h.patchLeadStatus},
		{"DELETE /api/v4/leads/pipelines/{pipeline_id}/statuses/{id}", h.deleteLeadStatus},
	}
}

// The names crmd gives the won and lost statuses of a pipeline created here
// when the body does not rename them (§6's system names).
const (
	wonStatusName  = "Успешно реализовано"
	lostStatusName = "Закрыто и не реализовано"
)

// adminOnly answers 403 before the body is read: §6's writes are for
// administrators, whatever the body holds.
func adminOnly(actor crm.Actor) error {
	if !actor.IsAdmin() {
		return crm.Errorf(crm.KindForbidden, "Access denied: administrator rights are required")
	}
	return nil
}

// conflictAs400 answers the domain's conflicts (the last pipeline, a
// pipeline with deals) as 400: §6 lists 400, not 409, for DELETE.
func conflictAs400(err error) error {
	if e, ok := crm.AsError(err); ok && e.Kind == crm.KindConflict {
		return newProblem(http.StatusBadRequest, e.Message)
	}
	return err
}

// pathPipelineID reads the {pipeline_id} segment; a malformed id is a 404.
func pathPipelineID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("pipeline_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindNotFound, "Not found")
	}
	return id, nil
}

func (h *handler) listPipelines(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	list, err := h.svc.DealPipelines(r.Context(), actor)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toPipelineJSON)
	writeList(w, len(items), collection{TotalItems: len(items), Links: selfLink(r, "/api/v4/leads/pipelines"),
		Embedded: map[string]any{"pipelines": items}})
	return nil
}

func (h *handler) getPipeline(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	return getByID(w, r, func(id int64) (crm.Pipeline, error) { return h.svc.DealPipeline(r.Context(), actor, id) }, toPipelineJSON)
}

// addPipelines serves POST /api/v4/leads/pipelines: an array of pipelines,
// all created or none. In _embedded.statuses, {id: 142|143, name} renames a
// system status and {name, sort, color} adds an open one.
func (h *handler) addPipelines(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	var errs []crm.Violation
	items, ids := batchItems(body, &errs)
	if err := batchLimit(len(items), "pipelines"); err != nil {
		return err
	}
	in := make([]crm.NewPipeline, len(items))
	// sources[i][k] is the index in item i's _embedded.statuses of the
	// domain's stage k, or -1 for a stage crmd adds (unsorted, won, lost).
	sources := make([][]int, len(items))
	for i, it := range items {
		in[i], sources[i] = readNewPipeline(newReader(it, i, "", &errs))
	}
	if err := violationsErr(errs); err != nil {
		return withItems(err, ids)
	}
	for _, n := range in {
		if len(n.Stages) > maxStatuses {
			return crm.Errorf(crm.KindLimit, "Too many statuses: a pipeline can have at most %d statuses, system ones included", maxStatuses)
		}
	}
	created, err := h.svc.CreatePipelines(r.Context(), actor, in)
	if err != nil {
		return renamePaths(err, ids, func(item int, path string) string {
			return pipelinePathName(sources, item, path)
		})
	}
	out := make([]pipelineJSON, len(created))
	for i, p := range created {
		out[i] = toPipelineJSON(r, p)
		out[i].RequestID = ids[i]
	}
	writeHAL(w, http.StatusOK, collection{TotalItems: len(out), Links: selfLink(r, "/api/v4/leads/pipelines"),
		Embedded: map[string]any{"pipelines": out}})
	return nil
}

// readNewPipeline reads one pipeline of a POST body (name, sort, is_main and
// is_unsorted_on required) and returns it with its stages' sources (see
// addPipelines).
func readNewPipeline(rd reader) (crm.NewPipeline, []int) {
	rd.str("request_id")
	for _, key := range []string{"name", "sort", "is_main", "is_unsorted_on"} {
		requireField(rd, key)
	}
	n := crm.NewPipeline{AllowManualStageChange: true}
	if v := rd.str("name"); v != nil {
		n.Name = *v
	}
	if v := rd.int("sort"); v != nil {
		n.Sort = *v
	}
	if v := rd.bool("is_main"); v != nil {
		n.Primary = *v
	}
	if v := rd.bool("is_unsorted_on"); v != nil {
		n.UnsortedOn = *v
	}
	var sources []int
	if n.UnsortedOn {
		// Position 0 keeps it first: open positions are 0–10000.
		n.Stages = append(n.Stages, crm.NewStage{Name: unsortedName, Status: crm.StageNew, Position: 0, Color: unsortedColor})
		sources = append(sources, -1)
	}
	won, lost := false, false
	var statuses []any
	if rd.has("_embedded") {
		emb := newReader(rd.obj["_embedded"], rd.item, "_embedded", rd.errs)
		statuses, _ = emb.array("statuses")
	}
	for j, raw := range statuses {
		sr := newReader(raw, rd.item, fmt.Sprintf("_embedded.statuses.%d", j), rd.errs)
		id := sr.int64("id")
		requireField(sr, "name")
		ns := crm.NewStage{Status: crm.StageInWork, Color: crm.StatusColors[0]}
		if v := sr.str("name"); v != nil {
			ns.Name = *v
		}
		color := sr.str("color")
		checkColor(sr.errs, sr.item, sr.path("color"), color)
		noDescriptions(sr, "descriptions")
		switch {
		case id == nil:
			requireField(sr, "sort")
			if v := sr.int("sort"); v != nil {
				ns.Position = *v
			}
		case *id == wonStatusID:
			ns.Status, ns.Color, won = crm.StageWon, wonStatusColor, true
		case *id == lostStatusID:
			ns.Status, ns.Color, lost = crm.StageLost, lostStatusColor, true
		default:
			*sr.errs = append(*sr.errs, crm.Violation{Item: sr.item, Path: sr.path("id"), Code: crm.ViolationChoice,
				Detail: "Only the system statuses 142 and 143 can be given by id."})
		}
		if color != nil {
			ns.Color = *color
		}
		n.Stages = append(n.Stages, ns)
		sources = append(sources, j)
	}
	if !won {
		n.Stages = append(n.Stages, crm.NewStage{Name: wonStatusName, Status: crm.StageWon, Color: wonStatusColor})
		sources = append(sources, -1)
	}
	if !lost {
		n.Stages = append(n.Stages, crm.NewStage{Name: lostStatusName, Status: crm.StageLost, Color: lostStatusColor})
		sources = append(sources, -1)
	}
	return n, sources
}

// pipelinePathName turns a domain violation path of pipeline item into
// the body's: stages.k.x is _embedded.statuses.j.x (order is sort), and
// rules about the whole list (or a stage crmd adds) name _embedded.statuses.
func pipelinePathName(sources [][]int, item int, path string) string {
	rest, ok := strings.CutPrefix(path, "stages")
	if !ok {
		return path
	}
	const list = "_embedded.statuses"
	idx, field, _ := strings.Cut(strings.TrimPrefix(rest, "."), ".")
	k, err := strconv.Atoi(idx)
	if err != nil || item >= len(sources) || k < 0 || k >= len(sources[item]) || sources[item][k] < 0 {
		return list
	}
	return statusPathName(fmt.Sprintf("%s.%d.%s", list, sources[item][k], field))
}

func (h *handler) patchPipeline(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readSingle(r)
	if err != nil {
		return err
	}
	patch := crm.PipelinePatch{Name: body.str("name"), Sort: body.int("sort"), Primary: body.bool("is_main"),
		UnsortedOn: body.bool("is_unsorted_on")}
	if err := body.decodeErr(); err != nil {
		return err
	}
	p, err := h.svc.UpdatePipeline(r.Context(), actor, id, patch)
	if err != nil {
		return body.wrap(err)
	}
	out := toPipelineJSON(r, p)
	if body.sentRequestID {
		out.RequestID = body.requestID
	}
	writeHAL(w, http.StatusOK, out)
	return nil
}

// deletePipeline deletes a pipeline that is not the last and has no leads.
func (h *handler) deletePipeline(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePipeline(r.Context(), actor, id); err != nil {
		return conflictAs400(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// statusTarget loads the pipeline of the path and the stage its status id
// names (142/143: the won/lost stage).
func (h *handler) statusTarget(r *http.Request, actor crm.Actor) (crm.Pipeline, crm.Stage, error) {
	p, err := h.pathPipeline(r, actor)
	if err != nil {
		return crm.Pipeline{}, crm.Stage{}, err
	}
	id, err := pathID(r)
	if err != nil {
		return crm.Pipeline{}, crm.Stage{}, err
	}
	st, ok := stageByWireID(p, id)
	if !ok {
		return crm.Pipeline{}, crm.Stage{}, crm.Errorf(crm.KindNotFound, "Status not found")
	}
	return p, st, nil
}

func (h *handler) pathPipeline(r *http.Request, actor crm.Actor) (crm.Pipeline, error) {
	pid, err := pathPipelineID(r)
	if err != nil {
		return crm.Pipeline{}, err
	}
	return h.svc.DealPipeline(r.Context(), actor, pid)
}

func (h *handler) listLeadStatuses(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := h.pathPipeline(r, actor)
	if err != nil {
		return err
	}
	descriptions := withDescriptions(r)
	items := make([]leadStatusJSON, len(p.Stages))
	for i, st := range p.Stages {
		items[i] = toLeadStatusJSON(r, p, st, descriptions)
	}
	writeList(w, len(items), collection{TotalItems: len(items), Links: selfLink(r, pipelinePath(p.ID)+"/statuses"),
		Embedded: map[string]any{"statuses": items}})
	return nil
}

func (h *handler) getLeadStatus(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, st, err := h.statusTarget(r, actor)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toLeadStatusJSON(r, p, st, withDescriptions(r)))
	return nil
}

// leadStatusesCreated is POST …/statuses' answer: §6's example has no _links.
type leadStatusesCreated struct {
	TotalItems int            `json:"_total_items"`
	Embedded   map[string]any `json:"_embedded"`
}

// addLeadStatuses serves POST …/{pipeline_id}/statuses: an array of
// statuses ({name, sort, color?}), all added as open stages or none. The
// limit is §6's 100 statuses per pipeline, system ones included.
func (h *handler) addLeadStatuses(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	pid, err := pathPipelineID(r)
	if err != nil {
		return err
	}
	in, ids, err := readBatch(r, "statuses", func(rd reader) crm.NewStage {
		requireField(rd, "name")
		requireField(rd, "sort")
		st := crm.NewStage{Status: crm.StageInWork, Color: crm.StatusColors[0]}
		if v := rd.str("name"); v != nil {
			st.Name = *v
		}
		if v := rd.int("sort"); v != nil {
			st.Position = *v
		}
		if v := rd.str("color"); v != nil {
			checkColor(rd.errs, rd.item, "color", v)
			st.Color = *v
		}
		noDescriptions(rd, "descriptions")
		return st
	})
	if err != nil {
		return err
	}
	created, err := h.svc.AddStages(r.Context(), actor, pid, in, maxStatuses)
	if err != nil {
		return renamePaths(err, ids, func(_ int, path string) string { return statusPathName(path) })
	}
	p := crm.Pipeline{ID: pid}
	out := make([]leadStatusJSON, len(created))
	for i, st := range created {
		out[i] = toLeadStatusJSON(r, p, st, true)
		out[i].RequestID = ids[i]
	}
	writeHAL(w, http.StatusOK, leadStatusesCreated{TotalItems: len(out), Embedded: map[string]any{"statuses": out}})
	return nil
}

// patchLeadStatus serves PATCH …/statuses/{id}: name, sort, color. The won
// and lost statuses keep their place: their own sort (10000/11000) is
// accepted and changes nothing, another is refused by the domain.
func (h *handler) patchLeadStatus(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	p, st, err := h.statusTarget(r, actor)
	if err != nil {
		return err
	}
	body, err := readSingle(r)
	if err != nil {
		return err
	}
	patch := crm.StagePatch{Name: body.str("name"), Position: body.int("sort"), Color: body.str("color")}
	checkColor(body.errs, 0, "color", patch.Color)
	noDescriptions(body.reader, "descriptions")
	if err := body.decodeErr(); err != nil {
		return err
	}
	if patch.Position != nil && st.Status.Closing() && *patch.Position == toLeadStatusJSON(r, p, st, false).Sort {
		patch.Position = nil
	}
	if patch.Name != nil || patch.Position != nil || patch.Color != nil || !body.has("descriptions") {
		st, err = h.svc.UpdateStage(r.Context(), actor, p.ID, st.ID, patch)
		if err != nil {
			return renamePaths(err, []string{body.requestID}, func(_ int, path string) string { return statusPathName(path) })
		}
	}
	out := toLeadStatusJSON(r, p, st, false)
	if body.sentRequestID {
		out.RequestID = body.requestID
	}
	writeHAL(w, http.StatusOK, out)
	return nil
}

// deleteLeadStatus deletes an open status; its leads move to the
// pipeline's first remaining open stage (§6). 142 and 143 cannot go (400).
func (h *handler) deleteLeadStatus(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	p, st, err := h.statusTarget(r, actor)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteStage(r.Context(), actor, p.ID, st.ID, true); err != nil {
		return conflictAs400(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
