package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Pipelines and stages (/settings/pipelines): every deal pipeline with its
// stages in their order. An administrator creates a pipeline (a name and
// its open stages, one per line: the first is the "new" stage, 2001, the
// others "in work", 2002; crm adds the won and lost stages), renames one,
// moves it up or down, deletes it; adds, renames, recolours (from amoCRM's
// palette, crm.StatusColors), moves and deletes stages. A pipeline or stage
// with deals is deleted by moving its deals to a stage the administrator
// picks (crm.Service.DeletePipelineMovingDeals, DeleteStageMovingDeals).
// Any pipeline can be made the main one.
// Moving is one button press per step, a POST: no drag needed, and the
// keyboard reaches every button.

func (h *handler) pipelineSettingsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /settings/pipelines", h.adminOnly(h.pipelinesPage))
	mux.Handle("POST /settings/pipelines", h.adminOnly(h.createPipeline))
	mux.Handle("POST /settings/pipelines/{id}", h.adminOnly(h.renamePipeline))
	mux.Handle("POST /settings/pipelines/{id}/move", h.adminOnly(h.movePipeline))
	mux.Handle("POST /settings/pipelines/{id}/main", h.adminOnly(h.makeMainPipeline))
	mux.Handle("POST /settings/pipelines/{id}/delete", h.adminOnly(h.deletePipeline))
	mux.Handle("POST /settings/pipelines/{id}/stages", h.adminOnly(h.addStage))
	mux.Handle("POST /settings/pipelines/{id}/stages/{stage}", h.adminOnly(h.saveStage))
	mux.Handle("POST /settings/pipelines/{id}/stages/{stage}/move", h.adminOnly(h.moveStage))
	mux.Handle("POST /settings/pipelines/{id}/stages/{stage}/delete", h.adminOnly(h.deleteStage))
}

// pipelinesData is the pipelines page.
type pipelinesData struct {
	settingsForm
	Pipelines []pipelineView
	// Palette is amoCRM's stage colours, the choices of a stage's colour.
	Palette []string
	// NewName and NewStages are the create form's values when it was
	// refused.
	NewName, NewStages string
}

// pipelineView is a pipeline as the page shows it.
type pipelineView struct {
	crm.Pipeline
	Open, Closed []stageView
	// Deals counts the pipeline's deals: with any, deleting it asks where
	// they go.
	Deals       int
	First, Last bool
}

// stageView is a stage as the page shows it.
type stageView struct {
	crm.Stage
	Deals       int
	First, Last bool // among the open stages
	// InPalette is false for a colour written through Envybox ("rgb(…)"),
	// which the picker offers as the current one.
	InPalette bool
}

// Targets lists where deals of this pipeline may go when it is deleted:
// the open stages of the other pipelines.
func (d pipelinesData) Targets(except int64) []pipelineView {
	var out []pipelineView
	for _, p := range d.Pipelines {
		if p.ID != except {
			out = append(out, pipelineView{Pipeline: p.Pipeline, Open: p.Open})
		}
	}
	return out
}

func (h *handler) pipelinesPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.renderPipelines(w, r, v, http.StatusOK, pipelinesData{settingsForm: settingsForm{Saved: r.URL.Query().Get("saved") == "1"}})
}

func (h *handler) renderPipelines(w http.ResponseWriter, r *http.Request, v *view, status int, d pipelinesData) {
	ctx := r.Context()
	list, err := h.svc.DealPipelines(ctx, v.Actor)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	for i, p := range list {
		totals, err := h.svc.StageTotals(ctx, v.Actor, p.ID)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		deals := map[int64]int{}
		for _, t := range totals {
			deals[t.StageID] = int(t.Deals)
		}
		pv := pipelineView{Pipeline: p, First: i == 0, Last: i == len(list)-1}
		for _, st := range p.Stages {
			sv := stageView{Stage: st, Deals: deals[st.ID], InPalette: crm.ValidStageColor(st.Color)}
			pv.Deals += sv.Deals
			if st.Status.Closing() {
				pv.Closed = append(pv.Closed, sv)
			} else {
				pv.Open = append(pv.Open, sv)
			}
		}
		for j := range pv.Open {
			pv.Open[j].First, pv.Open[j].Last = j == 0, j == len(pv.Open)-1
		}
		d.Pipelines = append(d.Pipelines, pv)
	}
	d.Palette = crm.StatusColors
	v.Section, v.Tab, v.Title = "settings", "pipelines", v.T("settings.nav.pipelines")
	h.render(w, r, status, "settings_pipelines", v, d)
}

// pipelineFailed shows the pipelines page again with why a form was
// refused, or the error page when the refusal is not the form's.
func (h *handler) pipelineFailed(w http.ResponseWriter, r *http.Request, v *view, err error, d pipelinesData) {
	if msg, status, ok := h.formFailed(w, r, v, err); ok {
		d.Error = msg
		h.renderPipelines(w, r, v, status, d)
	}
}

// stageLines splits the create form's stages box: one stage a line,
// blank lines skipped.
func stageLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func (h *handler) createPipeline(w http.ResponseWriter, r *http.Request, v *view) {
	name, stages := r.PostFormValue("name"), r.PostFormValue("stages")
	n := crm.NewPipeline{Name: name, AllowManualStageChange: true}
	for i, line := range stageLines(stages) {
		st := crm.NewStage{Name: line, Status: crm.StageInWork, Position: 10 * (i + 1), Color: crm.StatusColors[i%len(crm.StatusColors)]}
		if i == 0 {
			st.Status = crm.StageNew
		}
		n.Stages = append(n.Stages, st)
	}
	p, err := h.svc.CreatePipeline(r.Context(), v.Actor, n)
	if err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{NewName: name, NewStages: stages})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "pipeline-"+strconv.FormatInt(p.ID, 10))
}

func (h *handler) renamePipeline(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	name := r.PostFormValue("name")
	if _, err := h.svc.UpdatePipeline(r.Context(), v.Actor, id, crm.PipelinePatch{Name: &name}); err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "pipeline-"+strconv.FormatInt(id, 10))
}

// makeMainPipeline makes a pipeline the account's main one (amoCRM's
// is_main, Envybox's primary): the one new deals and the board start in.
func (h *handler) makeMainPipeline(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	yes := true
	if _, err := h.svc.UpdatePipeline(r.Context(), v.Actor, id, crm.PipelinePatch{Primary: &yes}); err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "pipeline-"+strconv.FormatInt(id, 10))
}

// moved is ids with id swapped with its neighbour in the direction dir
// ("up" or "down"); ok is false when it cannot move that way.
func moved(ids []int64, id int64, dir string) ([]int64, bool) {
	for i, x := range ids {
		if x != id {
			continue
		}
		j := i - 1
		if dir == "down" {
			j = i + 1
		} else if dir != "up" {
			return nil, false
		}
		if j < 0 || j >= len(ids) {
			return nil, false
		}
		out := append([]int64(nil), ids...)
		out[i], out[j] = out[j], out[i]
		return out, true
	}
	return nil, false
}

// movePipeline moves a pipeline one place up or down the account's list.
func (h *handler) movePipeline(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	list, err := h.svc.DealPipelines(r.Context(), v.Actor)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	ids := make([]int64, len(list))
	for i, p := range list {
		ids[i] = p.ID
	}
	order, ok := moved(ids, id, r.PostFormValue("dir"))
	if !ok {
		h.pipelineFailed(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("pipelines.cannot_move")), pipelinesData{})
		return
	}
	if err := h.svc.ReorderPipelines(r.Context(), v.Actor, order); err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "pipeline-"+strconv.FormatInt(id, 10))
}

func (h *handler) deletePipeline(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	moveTo, err := formID(r.PostFormValue("move_to"))
	if err == nil {
		err = h.svc.DeletePipelineMovingDeals(r.Context(), v.Actor, id, moveTo)
	}
	if err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "")
}

func (h *handler) addStage(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	p, err := h.svc.DealPipeline(r.Context(), v.Actor, id)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	// The new stage goes last among the open ones.
	pos, open := 0, 0
	for _, st := range p.Stages {
		if !st.Status.Closing() {
			pos, open = max(pos, st.Position), open+1
		}
	}
	color := r.PostFormValue("color")
	if !crm.ValidStageColor(color) {
		color = crm.StatusColors[open%len(crm.StatusColors)]
	}
	st, err := h.svc.AddStage(r.Context(), v.Actor, id, crm.NewStage{Name: r.PostFormValue("name"), Status: crm.StageInWork,
		Position: min(pos+10, crm.MaxStagePosition), Color: color})
	if err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "stage-"+strconv.FormatInt(st.ID, 10))
}

// stageIDs are the pipeline id and stage id in the path.
func stageIDs(r *http.Request, v *view) (int64, int64, error) {
	id, err := pathID(r, v)
	if err != nil {
		return 0, 0, err
	}
	stage, err := strconv.ParseInt(r.PathValue("stage"), 10, 64)
	if err != nil || stage <= 0 {
		return 0, 0, crm.Errorf(crm.KindNotFound, "%s", v.T("error.bad_id"))
	}
	return id, stage, nil
}

// saveStage renames and recolours a stage. A colour outside the palette
// is refused, except the stage's own (a colour written through Envybox),
// which the picker offers to keep.
func (h *handler) saveStage(w http.ResponseWriter, r *http.Request, v *view) {
	id, stage, err := stageIDs(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", err))
		return
	}
	patch := crm.StagePatch{}
	if name, ok := r.PostForm["name"]; ok {
		patch.Name = &name[0]
	}
	if c := r.PostFormValue("color"); c != "" {
		if !crm.ValidStageColor(c) {
			p, err := h.svc.DealPipeline(r.Context(), v.Actor, id)
			if err != nil {
				h.renderError(w, r, v, err)
				return
			}
			if st, ok := p.StageByID(stage); !ok || st.Color != c {
				h.pipelineFailed(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("pipelines.bad_color")), pipelinesData{})
				return
			}
		} else {
			patch.Color = &c
		}
	}
	if patch.Name == nil && patch.Color == nil {
		savedRedirect(w, r, "/settings/pipelines", "stage-"+strconv.FormatInt(stage, 10))
		return
	}
	if _, err := h.svc.UpdateStage(r.Context(), v.Actor, id, stage, patch); err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "stage-"+strconv.FormatInt(stage, 10))
}

// moveStage moves an open stage one place up or down its pipeline.
func (h *handler) moveStage(w http.ResponseWriter, r *http.Request, v *view) {
	id, stage, err := stageIDs(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	p, err := h.svc.DealPipeline(r.Context(), v.Actor, id)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	var ids []int64
	for _, st := range p.Stages {
		if !st.Status.Closing() {
			ids = append(ids, st.ID)
		}
	}
	order, ok := moved(ids, stage, r.PostFormValue("dir"))
	if !ok {
		h.pipelineFailed(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("pipelines.cannot_move")), pipelinesData{})
		return
	}
	if err := h.svc.ReorderStages(r.Context(), v.Actor, id, order); err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "stage-"+strconv.FormatInt(stage, 10))
}

func (h *handler) deleteStage(w http.ResponseWriter, r *http.Request, v *view) {
	id, stage, err := stageIDs(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	moveTo, err := formID(r.PostFormValue("move_to"))
	if err == nil {
		err = h.svc.DeleteStageMovingDeals(r.Context(), v.Actor, id, stage, moveTo)
	}
	if err != nil {
		h.pipelineFailed(w, r, v, err, pipelinesData{})
		return
	}
	savedRedirect(w, r, "/settings/pipelines", "pipeline-"+strconv.FormatInt(id, 10))
}
