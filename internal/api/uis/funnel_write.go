package uis

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// The sales funnel write methods. A funnel is a crm deal pipeline and a stage
// a crm stage; ext_ids are the crm ExtIDs (a pipeline or stage made by
// another dialect answers to its id as a string). in_process stages are
// open stages (2002), success the won stage (2003), failed the lost stage
// (2004); stage order is the stage position. Every rule (1–100 in_process
// stages, order 0–10000, one success and one failed stage after all others,
// unique ext_ids, only empty funnels and stages deleted, never the last
// in_process stage or the last funnel) is the domain's: this file only
// reads params and names the UIS error of each domain error.

// funnelByKey finds the caller's funnel by ext_id; not found is
// entity_not_found on field.
func (h *handler) funnelByKey(ctx context.Context, actor crm.Actor, key, field string) (crm.Pipeline, []crm.Pipeline, error) {
	list, err := h.svc.DealPipelines(ctx, actor)
	if err != nil {
		return crm.Pipeline{}, nil, err
	}
	pl, ok := crm.PipelineByKey(list, key)
	if !ok {
		return crm.Pipeline{}, nil, failValue(mnEntityNotFound, field, key)
	}
	return pl, list, nil
}

// stageByKey finds a stage of the funnel by ext_id.
func (h *handler) stageByKey(ctx context.Context, c *call) (crm.Pipeline, crm.Stage, error) {
	funnelKey, err := c.p.key("sales_funnel_ext_id")
	if err != nil {
		return crm.Pipeline{}, crm.Stage{}, err
	}
	key, err := c.p.key("ext_id")
	if err != nil {
		return crm.Pipeline{}, crm.Stage{}, err
	}
	pl, _, err := h.funnelByKey(ctx, c.actor, funnelKey, "sales_funnel_ext_id")
	if err != nil {
		return crm.Pipeline{}, crm.Stage{}, err
	}
	st, ok := pl.StageByKey(key)
	if !ok {
		return crm.Pipeline{}, crm.Stage{}, failValue(mnEntityNotFound, "ext_id", key)
	}
	return pl, st, nil
}

// notFound names the entity a domain not-found error is about (it was found
// a moment ago: another request deleted it).
func notFound(err error, field, key string) error {
	if crm.KindOf(err) == crm.KindNotFound {
		return failValue(mnEntityNotFound, field, key)
	}
	return err
}

// stageInput reads one stage object of create.sales_funnel.
func stageInput(p params, withOrder bool) (crm.NewStage, error) {
	allowed := []string{"ext_id", "name", "order"}
	if err := p.only(allowed...); err != nil {
		return crm.NewStage{}, err
	}
	var n crm.NewStage
	var err error
	if n.ExtID, err = p.key("ext_id"); err != nil {
		return n, err
	}
	if n.Name, _, err = p.str("name", true); err != nil {
		return n, err
	}
	// success and failed stages take no order (the server puts them after
	// every in_process stage); one that is sent anyway is ignored.
	if withOrder {
		order, _, err := p.integer("order", true, false)
		if err != nil {
			return n, err
		}
		if order < 0 || order > crm.MaxStagePosition {
			return n, failValue(mnInvalidValue, p.at("order"), strconv.FormatInt(order, 10))
		}
		n.Position = int(order)
	}
	return n, nil
}

// createFunnel serves create.sales_funnel: ext_id, name and stages
// {success, failed, in_process[]}; the result is {ext_id}.
func (h *handler) createFunnel(ctx context.Context, c *call) (outcome, error) {
	p := c.p
	if err := p.only("access_token", "user_id", "ext_id", "name", "stages"); err != nil {
		return outcome{}, err
	}
	extID, err := p.key("ext_id")
	if err != nil {
		return outcome{}, err
	}
	name, _, err := p.str("name", true)
	if err != nil {
		return outcome{}, err
	}
	stages, _, err := p.object("stages", true)
	if err != nil {
		return outcome{}, err
	}
	if err := stages.only("success", "failed", "in_process"); err != nil {
		return outcome{}, err
	}
	n := crm.NewPipeline{Name: name, ExtID: extID, AllowManualStageChange: true}
	// paths[i] is where n.Stages[i] came from, to name fields in errors.
	var paths []string
	open, _, err := stages.array("in_process", true)
	if err != nil {
		return outcome{}, err
	}
	for i, raw := range open {
		path := itemPath(stages.at("in_process"), i)
		sp, err := decodeObject(raw, path)
		if err != nil {
			return outcome{}, err
		}
		st, err := stageInput(sp, true)
		if err != nil {
			return outcome{}, err
		}
		st.Status = crm.StageInWork
		n.Stages = append(n.Stages, st)
		paths = append(paths, path)
	}
	for _, closing := range []struct {
		name   string
		status crm.StageStatus
	}{{"success", crm.StageWon}, {"failed", crm.StageLost}} {
		sp, _, err := stages.object(closing.name, true)
		if err != nil {
			return outcome{}, err
		}
		st, err := stageInput(sp, false)
		if err != nil {
			return outcome{}, err
		}
		st.Status = closing.status
		n.Stages = append(n.Stages, st)
		paths = append(paths, sp.path)
	}
	pl, err := h.svc.CreatePipeline(ctx, c.actor, n)
	if err != nil {
		switch crm.KindOf(err) {
		case crm.KindConflict:
			return outcome{}, failValue(mnDuplicate, "ext_id", extID)
		case crm.KindLimit:
			return outcome{}, fail(mnDataLimitExceeded, "")
		case crm.KindInvalid:
			return outcome{}, stageViolation(err, paths)
		}
		return outcome{}, err
	}
	return outcome{data: map[string]any{"ext_id": pl.Key()}}, nil
}

// stageViolation translates the first violation of CreatePipeline, whose
// paths are "name", "stages" or "stages.N.x" (N indexing NewPipeline.Stages).
// A violation on a stage's ext_id is a duplicate: uniqueness is the only
// rule on it.
func stageViolation(err error, paths []string) error {
	e, _ := crm.AsError(err)
	if len(e.Violations) == 0 {
		return fail(mnInvalidValue, "")
	}
	v := e.Violations[0]
	field := func(path string) string {
		rest, ok := strings.CutPrefix(path, "stages.")
		if !ok {
			if path == "stages" {
				return "stages.in_process"
			}
			return path
		}
		num, member, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(num)
		if err != nil || i < 0 || i >= len(paths) {
			return path
		}
		if member == "" {
			return paths[i]
		}
		return paths[i] + "." + member
	}
	if strings.HasSuffix(v.Path, ".ext_id") {
		return fail(mnDuplicate, field(v.Path))
	}
	return violation(v, field)
}

// updateFunnel serves update.sales_funnel: it renames the funnel.
func (h *handler) updateFunnel(ctx context.Context, c *call) (outcome, error) {
	p := c.p
	if err := p.only("access_token", "user_id", "ext_id", "name"); err != nil {
		return outcome{}, err
	}
	key, err := p.key("ext_id")
	if err != nil {
		return outcome{}, err
	}
	name, _, err := p.str("name", true)
	if err != nil {
		return outcome{}, err
	}
	pl, _, err := h.funnelByKey(ctx, c.actor, key, "ext_id")
	if err != nil {
		return outcome{}, err
	}
	if _, err := h.svc.UpdatePipeline(ctx, c.actor, pl.ID, crm.PipelinePatch{Name: &name}); err != nil {
		return outcome{}, notFound(err, "ext_id", key)
	}
	return outcome{data: map[string]any{}}, nil
}

// deleteFunnel serves delete.sales_funnel: only a funnel without deals, and
// never the account's last one (forbidden, as for a system entity).
func (h *handler) deleteFunnel(ctx context.Context, c *call) (outcome, error) {
	p := c.p
	if err := p.only("access_token", "user_id", "ext_id"); err != nil {
		return outcome{}, err
	}
	key, err := p.key("ext_id")
	if err != nil {
		return outcome{}, err
	}
	pl, list, err := h.funnelByKey(ctx, c.actor, key, "ext_id")
	if err != nil {
		return outcome{}, err
	}
	err = h.svc.DeletePipeline(ctx, c.actor, pl.ID)
	switch {
	case err == nil:
		return outcome{data: map[string]any{}}, nil
	case crm.KindOf(err) == crm.KindConflict && len(list) <= 1:
		return outcome{}, failValue(deleteForbiddenMarker, "ext_id", key)
	case crm.KindOf(err) == crm.KindConflict:
		return outcome{}, failValue(mnDependency, "ext_id", key)
	}
	return outcome{}, notFound(err, "ext_id", key)
}

// createStage serves create.sales_funnel_stages: a new in_process stage.
func (h *handler) createStage(ctx context.Context, c *call) (outcome, error) {
	p := c.p
	if err := p.only("access_token", "user_id", "sales_funnel_ext_id", "ext_id", "name", "order"); err != nil {
		return outcome{}, err
	}
	funnelKey, err := p.key("sales_funnel_ext_id")
	if err != nil {
		return outcome{}, err
	}
	n, err := stageInput(params{raw: withoutKeys(p, "access_token", "user_id", "sales_funnel_ext_id")}, true)
	if err != nil {
		return outcome{}, err
	}
	n.Status = crm.StageInWork
	pl, _, err := h.funnelByKey(ctx, c.actor, funnelKey, "sales_funnel_ext_id")
	if err != nil {
		return outcome{}, err
	}
	st, err := h.svc.AddStage(ctx, c.actor, pl.ID, n)
	if err != nil {
		switch crm.KindOf(err) {
		case crm.KindConflict:
			return outcome{}, failValue(mnDuplicate, "ext_id", n.ExtID)
		case crm.KindLimit:
			return outcome{}, fail(mnDataLimitExceeded, "")
		}
		return outcome{}, notFound(err, "sales_funnel_ext_id", funnelKey)
	}
	return outcome{data: map[string]any{"ext_id": st.Key()}}, nil
}

// withoutKeys is p's members but the named ones.
func withoutKeys(p params, names ...string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for k, v := range p.raw {
		out[k] = v
	}
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// updateStage serves update.sales_funnel_stages: name and/or order (order
// only of in_process stages; success and failed stages can be renamed).
// Neither given is required_parameter_missed on name.
func (h *handler) updateStage(ctx context.Context, c *call) (outcome, error) {
	p := c.p
	if err := p.only("access_token", "user_id", "sales_funnel_ext_id", "ext_id", "name", "order"); err != nil {
		return outcome{}, err
	}
	var patch crm.StagePatch
	if name, ok, err := p.str("name", false); err != nil {
		return outcome{}, err
	} else if ok {
		patch.Name = &name
	}
	if order, ok, err := p.integer("order", false, false); err != nil {
		return outcome{}, err
	} else if ok {
		if order < 0 || order > crm.MaxStagePosition {
			return outcome{}, failValue(mnInvalidValue, "order", strconv.FormatInt(order, 10))
		}
		pos := int(order)
		patch.Position = &pos
	}
	if patch.Name == nil && patch.Position == nil {
		return outcome{}, fail(mnRequired, "name")
	}
	pl, st, err := h.stageByKey(ctx, c)
	if err != nil {
		return outcome{}, err
	}
	if _, err := h.svc.UpdateStage(ctx, c.actor, pl.ID, st.ID, patch); err != nil {
		if crm.KindOf(err) == crm.KindInvalid {
			e, _ := crm.AsError(err)
			if len(e.Violations) > 0 {
				v := e.Violations[0]
				if v.Path == "order" && patch.Position != nil {
					return outcome{}, failValue(mnInvalidValue, "order", strconv.Itoa(*patch.Position))
				}
				return outcome{}, violation(v, func(p string) string { return p })
			}
		}
		return outcome{}, notFound(err, "ext_id", st.Key())
	}
	return outcome{data: map[string]any{}}, nil
}

// deleteStage serves delete.sales_funnel_stages: only an in_process stage
// without deals that is not the funnel's last in_process stage. Deleting
// the success or failed stage or the last in_process one is forbidden (the
// delete verb's "system entity" error); a stage with deals is
// dependency_error.
func (h *handler) deleteStage(ctx context.Context, c *call) (outcome, error) {
	p := c.p
	if err := p.only("access_token", "user_id", "sales_funnel_ext_id", "ext_id"); err != nil {
		return outcome{}, err
	}
	pl, st, err := h.stageByKey(ctx, c)
	if err != nil {
		return outcome{}, err
	}
	err = h.svc.DeleteStage(ctx, c.actor, pl.ID, st.ID, false)
	switch crm.KindOf(err) {
	case "":
		if err == nil {
			return outcome{data: map[string]any{}}, nil
		}
	case crm.KindInvalid:
		return outcome{}, failValue(deleteForbiddenMarker, "ext_id", st.Key())
	case crm.KindConflict:
		return outcome{}, failValue(mnDependency, "ext_id", st.Key())
	}
	return outcome{}, notFound(err, "ext_id", st.Key())
}
