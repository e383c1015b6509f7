package crm

import (
	"context"
	"fmt"
	"strings"
)

// Limits and fixed positions of deal pipelines. UIS allows 1–100 open
// ("in_process") stages with orders up to 10000 and puts the closing stages
// after them (its example: 10010 and 10020); amoCRM allows 50 pipelines.
const (
	MaxPipelines      = 50
	MaxOpenStages     = 100
	MaxStagePosition  = 10000
	WonPosition       = 10010
	LostPosition      = 10020
	defaultWonName    = "Успешно реализовано"
	defaultLostName   = "Закрыто и не реализовано"
	defaultStageColor = "rgb(35, 148, 254)"
)

// NewPipeline is a deal pipeline to create. Stages are its open stages
// and, optionally, its won and lost stage (created with default names when
// missing).
type NewPipeline struct {
	Name       string
	ExtID      string
	Sort       int
	Primary    bool
	UnsortedOn bool
	// AllowManualStageChange defaults to true through the APIs.
	AllowManualStageChange bool
	Stages                 []NewStage
}

// NewStage is a stage to create. Status 0 means an open stage (2002).
type NewStage struct {
	Name     string
	ExtID    string
	Status   StageStatus
	Position int
	Color    string
}

// PipelinePatch changes a pipeline; nil fields stay.
type PipelinePatch struct {
	Name       *string
	Sort       *int
	Primary    *bool
	UnsortedOn *bool
}

// StagePatch changes a stage; nil fields stay.
type StagePatch struct {
	Name     *string
	Position *int
	Color    *string
}

// DealPipelines lists the deal pipelines with their stages.
func (s *Service) DealPipelines(ctx context.Context, actor Actor) ([]Pipeline, error) {
	return read(ctx, s, actor, func(tx Tx) ([]Pipeline, error) { return tx.Pipelines(ctx, PipelineDeal) })
}

// DealPipeline returns one deal pipeline. Errors: not found.
func (s *Service) DealPipeline(ctx context.Context, actor Actor, id int64) (Pipeline, error) {
	return read(ctx, s, actor, func(tx Tx) (Pipeline, error) { return dealPipeline(ctx, tx, id) })
}

func dealPipeline(ctx context.Context, tx Tx, id int64) (Pipeline, error) {
	p, err := tx.Pipeline(ctx, id)
	if err == nil && p.Kind != PipelineDeal {
		err = Errorf(KindNotFound, "Pipeline not found")
	}
	return p, err
}

// PipelineByKey finds a deal pipeline by its external key (ext_id, or the
// id as a string). Errors: not found.
func PipelineByKey(list []Pipeline, key string) (Pipeline, bool) {
	for _, p := range list {
		if p.Key() == key {
			return p, true
		}
	}
	return Pipeline{}, false
}

// StageByKey finds a stage of the pipeline by its external key.
func (p Pipeline) StageByKey(key string) (Stage, bool) {
	for _, s := range p.Stages {
		if s.Key() == key {
			return s, true
		}
	}
	return Stage{}, false
}

func validStageName(v *violations, path, name string) {
	validateName(v, 0, path, &name, true)
}

// CreatePipeline creates a deal pipeline with its stages (administrators
// only). Rules: at most MaxPipelines pipelines; 1–MaxOpenStages open
// stages with positions 0–MaxStagePosition; exactly one won and one lost
// stage, which sit after the open ones; ext_ids unique (pipelines in the
// account, stages in the pipeline).
// Errors: forbidden, invalid, conflict (ext_id taken), limit.
func (s *Service) CreatePipeline(ctx context.Context, actor Actor, n NewPipeline) (Pipeline, error) {
	out, err := s.CreatePipelines(ctx, actor, []NewPipeline{n})
	if err != nil {
		return Pipeline{}, err
	}
	return out[0], nil
}

// CreatePipelines creates several deal pipelines in one transaction, all or
// none (amoCRM's batch POST), under CreatePipeline's rules; violations name
// the pipeline by its index. When several are made main, the last one is.
// Errors: forbidden, invalid, conflict (ext_id taken), limit.
func (s *Service) CreatePipelines(ctx context.Context, actor Actor, in []NewPipeline) ([]Pipeline, error) {
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one pipeline must be given.")
	}
	ps := make([]Pipeline, len(in))
	for i, n := range in {
		ps[i] = newPipeline(&v, i, n)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		existing, err := tx.Pipelines(ctx, PipelineDeal)
		if err != nil {
			return err
		}
		if len(existing)+len(ps) > MaxPipelines {
			return Errorf(KindLimit, "Too many pipelines: an account can have at most %d", MaxPipelines)
		}
		for i := range ps {
			p := &ps[i]
			if p.ExtID != "" {
				if _, taken := PipelineByKey(existing, p.ExtID); taken {
					return Errorf(KindConflict, "A pipeline with ext_id %q already exists", p.ExtID)
				}
			}
			if len(existing) == 0 {
				p.Primary = true
			}
			if p.Primary {
				if err := unsetPrimary(ctx, tx, existing); err != nil {
					return err
				}
				for j := range existing {
					existing[j].Primary = false
				}
			}
			if err := tx.InsertPipeline(ctx, p); err != nil {
				return err
			}
			existing = append(existing, *p)
		}
		primary := map[int64]bool{}
		for _, p := range existing {
			primary[p.ID] = p.Primary
		}
		for i := range ps {
			ps[i].Primary = primary[ps[i].ID]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// newPipeline validates one pipeline to create (item i of a batch) and
// builds its record with the missing won and lost stages added.
func newPipeline(v *violations, item int, n NewPipeline) Pipeline {
	validateName(v, item, "name", &n.Name, true)
	p := Pipeline{Kind: PipelineDeal, Name: strings.TrimSpace(n.Name), ExtID: n.ExtID, Sort: n.Sort, Primary: n.Primary,
		UnsortedOn: n.UnsortedOn, AllowManualStageChange: n.AllowManualStageChange}
	open, won, lost := 0, 0, 0
	keys := map[string]bool{}
	for i, ns := range n.Stages {
		path := fmt.Sprintf("stages.%d", i)
		validateName(v, item, path+".name", &ns.Name, true)
		st := Stage{Name: strings.TrimSpace(ns.Name), ExtID: ns.ExtID, Status: ns.Status, Position: ns.Position, Color: ns.Color}
		if st.Status == 0 {
			st.Status = StageInWork
		}
		switch st.Status {
		case StageNew, StageInWork:
			open++
			if st.Position < 0 || st.Position > MaxStagePosition {
				v.add(item, path+".order", ViolationRange, fmt.Sprintf("The order must be between 0 and %d.", MaxStagePosition))
			}
		case StageWon:
			won++
			st.Position, st.NoDelete = WonPosition, true
		case StageLost:
			lost++
			st.Position, st.NoDelete = LostPosition, true
		default:
			v.add(item, path+".status", ViolationChoice, "The value you selected is not a valid choice.")
		}
		if st.ExtID != "" {
			if keys[st.ExtID] {
				v.add(item, path+".ext_id", ViolationInvalid, "Stage ext_ids must be unique in a pipeline.")
			}
			keys[st.ExtID] = true
		}
		if st.Color == "" {
			st.Color = defaultStageColor
		}
		p.Stages = append(p.Stages, st)
	}
	if open < 1 || open > MaxOpenStages {
		v.add(item, "stages", ViolationRange, fmt.Sprintf("A pipeline needs 1 to %d open stages.", MaxOpenStages))
	}
	if won > 1 || lost > 1 {
		v.add(item, "stages", ViolationInvalid, "A pipeline has exactly one won and one lost stage.")
	}
	if won == 0 {
		p.Stages = append(p.Stages, Stage{Name: defaultWonName, Status: StageWon, Position: WonPosition, Color: "rgb(76, 175, 80)", NoDelete: true})
	}
	if lost == 0 {
		p.Stages = append(p.Stages, Stage{Name: defaultLostName, Status: StageLost, Position: LostPosition, Color: "rgb(244, 67, 54)", NoDelete: true})
	}
	sortStages(p.Stages)
	return p
}

// sortStages orders stages by position, keeping the given order for ties.
func sortStages(list []Stage) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].Position < list[j-1].Position; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

func unsetPrimary(ctx context.Context, tx Tx, list []Pipeline) error {
	for _, other := range list {
		if other.Primary {
			other.Primary = false
			if err := tx.UpdatePipeline(ctx, &other); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdatePipeline renames, re-sorts or makes primary a deal pipeline
// (administrators only). The primary pipeline cannot be made non-primary
// directly: make another one primary. Errors: forbidden, invalid, not found.
func (s *Service) UpdatePipeline(ctx context.Context, actor Actor, id int64, patch PipelinePatch) (Pipeline, error) {
	if err := actor.requireAdmin(); err != nil {
		return Pipeline{}, err
	}
	var v violations
	if patch.Name == nil && patch.Sort == nil && patch.Primary == nil && patch.UnsortedOn == nil {
		v.add(0, "", ViolationRequired, "At least one field must be given.")
	}
	if patch.Name != nil {
		validStageName(&v, "name", *patch.Name)
	}
	if err := v.err(); err != nil {
		return Pipeline{}, err
	}
	var out Pipeline
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		p, err := dealPipeline(ctx, tx, id)
		if err != nil {
			return err
		}
		if patch.Name != nil {
			p.Name = strings.TrimSpace(*patch.Name)
		}
		if patch.Sort != nil {
			p.Sort = *patch.Sort
		}
		if patch.UnsortedOn != nil {
			p.UnsortedOn = *patch.UnsortedOn
		}
		if patch.Primary != nil && *patch.Primary != p.Primary {
			if !*patch.Primary {
				return Errorf(KindInvalid, "The main pipeline stays main until another pipeline is made main")
			}
			existing, err := tx.Pipelines(ctx, PipelineDeal)
			if err != nil {
				return err
			}
			if err := unsetPrimary(ctx, tx, existing); err != nil {
				return err
			}
			p.Primary = true
		}
		if err := tx.UpdatePipeline(ctx, &p); err != nil {
			return err
		}
		out, err = tx.Pipeline(ctx, id)
		return err
	})
	return out, err
}

// DeletePipeline deletes an empty deal pipeline that is not the account's
// last one (administrators only).
// Errors: forbidden, not found, conflict (has deals or requests, or last).
func (s *Service) DeletePipeline(ctx context.Context, actor Actor, id int64) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		p, all, err := deletablePipeline(ctx, tx, id)
		if err != nil {
			return err
		}
		deals, err := tx.CountDealsIn(ctx, id, 0)
		if err != nil {
			return err
		}
		requests, err := tx.CountInboundsFor(ctx, id)
		if err != nil {
			return err
		}
		if deals > 0 || requests > 0 {
			return Errorf(KindConflict, "Only an empty pipeline can be deleted")
		}
		if err := tx.DeletePipeline(ctx, id); err != nil {
			return err
		}
		if p.Primary {
			for _, other := range all {
				if other.ID != id {
					other.Primary = true
					return tx.UpdatePipeline(ctx, &other)
				}
			}
		}
		return nil
	})
}

// deletablePipeline reads a deal pipeline that may be deleted, not being
// the account's last, with every deal pipeline of the account.
func deletablePipeline(ctx context.Context, tx Tx, id int64) (Pipeline, []Pipeline, error) {
	p, err := dealPipeline(ctx, tx, id)
	if err != nil {
		return Pipeline{}, nil, err
	}
	all, err := tx.Pipelines(ctx, PipelineDeal)
	if err != nil {
		return Pipeline{}, nil, err
	}
	if len(all) <= 1 {
		return Pipeline{}, nil, Errorf(KindConflict, "The last pipeline cannot be deleted")
	}
	return p, all, nil
}

// AddStage adds an open stage to a deal pipeline (administrators only).
// Errors: forbidden, invalid, not found, conflict (ext_id taken), limit.
func (s *Service) AddStage(ctx context.Context, actor Actor, pipelineID int64, n NewStage) (Stage, error) {
	out, err := s.AddStages(ctx, actor, pipelineID, []NewStage{n}, 0)
	if err != nil {
		return Stage{}, err
	}
	return out[0], nil
}

// AddStages adds several open stages to a deal pipeline in one transaction,
// all or none (amoCRM's batch POST), under AddStage's rules; violations
// name the stage by its index. maxStages, when positive, also caps the
// pipeline's stages counting the won and lost ones (amoCRM: 100 statuses,
// system ones included).
// Errors: forbidden, invalid, not found, conflict (ext_id taken), limit.
func (s *Service) AddStages(ctx context.Context, actor Actor, pipelineID int64, in []NewStage, maxStages int) ([]Stage, error) {
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one stage must be given.")
	}
	out := make([]Stage, len(in))
	for i, n := range in {
		validateName(&v, i, "name", &n.Name, true)
		if n.Status == 0 {
			n.Status = StageInWork
		}
		if n.Status != StageNew && n.Status != StageInWork {
			v.add(i, "status", ViolationChoice, "Only open stages can be added.")
		}
		if n.Position < 0 || n.Position > MaxStagePosition {
			v.add(i, "order", ViolationRange, fmt.Sprintf("The order must be between 0 and %d.", MaxStagePosition))
		}
		out[i] = Stage{PipelineID: pipelineID, Name: strings.TrimSpace(n.Name), ExtID: n.ExtID, Status: n.Status, Position: n.Position, Color: n.Color}
		if out[i].Color == "" {
			out[i].Color = defaultStageColor
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		p, err := dealPipeline(ctx, tx, pipelineID)
		if err != nil {
			return err
		}
		open := 0
		for _, existing := range p.Stages {
			if !existing.Status.Closing() {
				open++
			}
		}
		if open+len(out) > MaxOpenStages {
			return Errorf(KindLimit, "Too many stages: a pipeline can have at most %d open stages", MaxOpenStages)
		}
		if maxStages > 0 && len(p.Stages)+len(out) > maxStages {
			return Errorf(KindLimit, "Too many stages: a pipeline can have at most %d stages, won and lost included", maxStages)
		}
		for i := range out {
			st := &out[i]
			if st.ExtID != "" {
				if _, taken := p.StageByKey(st.ExtID); taken {
					return Errorf(KindConflict, "A stage with ext_id %q already exists in this pipeline", st.ExtID)
				}
			}
			if err := tx.InsertStage(ctx, st); err != nil {
				return err
			}
			p.Stages = append(p.Stages, *st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateStage renames, re-orders or recolours a stage (administrators
// only). Only open stages move; closing stages keep their place after them.
// Errors: forbidden, invalid, not found.
func (s *Service) UpdateStage(ctx context.Context, actor Actor, pipelineID, stageID int64, patch StagePatch) (Stage, error) {
	if err := actor.requireAdmin(); err != nil {
		return Stage{}, err
	}
	var v violations
	if patch.Name == nil && patch.Position == nil && patch.Color == nil {
		v.add(0, "", ViolationRequired, "At least one field must be given.")
	}
	if patch.Name != nil {
		validStageName(&v, "name", *patch.Name)
	}
	if err := v.err(); err != nil {
		return Stage{}, err
	}
	var out Stage
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		p, err := dealPipeline(ctx, tx, pipelineID)
		if err != nil {
			return err
		}
		st, ok := p.StageByID(stageID)
		if !ok {
			return Errorf(KindNotFound, "Stage not found")
		}
		if patch.Position != nil && *patch.Position != st.Position {
			switch {
			case st.Status.Closing():
				return Invalid(Violation{Path: "order", Code: ViolationInvalid, Detail: "The order of a won or lost stage cannot change."})
			case *patch.Position < 0 || *patch.Position > MaxStagePosition:
				return Invalid(Violation{Path: "order", Code: ViolationRange, Detail: fmt.Sprintf("The order must be between 0 and %d.", MaxStagePosition)})
			}
			st.Position = *patch.Position
		}
		if patch.Name != nil {
			st.Name = strings.TrimSpace(*patch.Name)
		}
		if patch.Color != nil {
			st.Color = *patch.Color
		}
		if err := tx.UpdateStage(ctx, &st); err != nil {
			return err
		}
		out = st
		return nil
	})
	return out, err
}

// deletableStage reads an open stage of a deal pipeline that may be
// deleted, not being a closing stage nor the pipeline's last open one,
// with the pipeline's first other open stage.
func deletableStage(ctx context.Context, tx Tx, pipelineID, stageID int64) (stage, firstOther Stage, err error) {
	p, err := dealPipeline(ctx, tx, pipelineID)
	if err != nil {
		return Stage{}, Stage{}, err
	}
	st, ok := p.StageByID(stageID)
	if !ok {
		return Stage{}, Stage{}, Errorf(KindNotFound, "Stage not found")
	}
	if st.Status.Closing() {
		return Stage{}, Stage{}, Errorf(KindInvalid, "Won and lost stages cannot be deleted")
	}
	for _, other := range p.Stages {
		if other.ID != st.ID && !other.Status.Closing() {
			return st, other, nil
		}
	}
	return Stage{}, Stage{}, Errorf(KindInvalid, "The last open stage cannot be deleted")
}

// DeleteStage deletes an open stage that is not the pipeline's last open
// one (administrators only). A stage with deals is refused unless
// moveDeals is set, which moves them to the pipeline's first remaining open
// stage (amoCRM's rule; UIS refuses).
// Errors: forbidden, not found, invalid (a closing or the last open stage),
// conflict (has deals).
func (s *Service) DeleteStage(ctx context.Context, actor Actor, pipelineID, stageID int64, moveDeals bool) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		st, first, err := deletableStage(ctx, tx, pipelineID, stageID)
		if err != nil {
			return err
		}
		deals, err := tx.CountDealsIn(ctx, 0, st.ID)
		if err != nil {
			return err
		}
		if deals > 0 {
			if !moveDeals {
				return Errorf(KindConflict, "Only a stage without deals can be deleted")
			}
			if err := tx.MoveDeals(ctx, st.ID, first); err != nil {
				return err
			}
		}
		return tx.DeleteStage(ctx, st.ID)
	})
}
