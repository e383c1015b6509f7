package crm

import (
	"context"
	"strings"
)

// Reference is the account's reference data the Envybox main/data call
// shows: users, departments, inbox types, pipelines and custom fields.
type Reference struct {
	Account          Account
	Users            []User
	Departments      []Department
	InboxTypes       []InboxType
	InboundPipelines []Pipeline
	DealPipelines    []Pipeline
	InboundFields    []CustomField
	ClientFields     []CustomField
	DealFields       []CustomField
}

// Admin returns the account's first administrator.
func (r Reference) Admin() User {
	for _, u := range r.Users {
		if u.Role == RoleAdmin {
			return u
		}
	}
	return User{}
}

// Reference loads the account's reference data.
func (s *Service) Reference(ctx context.Context, actor Actor) (Reference, error) {
	var r Reference
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if r.Account, err = tx.Account(ctx); err != nil {
			return err
		}
		if r.Users, err = tx.Users(ctx); err != nil {
			return err
		}
		if r.Departments, err = tx.Departments(ctx); err != nil {
			return err
		}
		if r.InboxTypes, err = tx.InboxTypes(ctx); err != nil {
			return err
		}
		if r.InboundPipelines, err = tx.Pipelines(ctx, PipelineInbound); err != nil {
			return err
		}
		if r.DealPipelines, err = tx.Pipelines(ctx, PipelineDeal); err != nil {
			return err
		}
		if r.InboundFields, err = tx.AllCustomFields(ctx, EntityInbound); err != nil {
			return err
		}
		if r.ClientFields, err = tx.AllCustomFields(ctx, EntityContact); err != nil {
			return err
		}
		r.DealFields, err = tx.AllCustomFields(ctx, EntityDeal)
		return err
	})
	return r, err
}

// AddPipeline creates a deal pipeline with the given stages, in order
// (administrators only). Stage statuses must be deal statuses.
// Errors: forbidden, invalid.
func (s *Service) AddPipeline(ctx context.Context, actor Actor, p Pipeline) (Pipeline, error) {
	if err := actor.requireAdmin(); err != nil {
		return Pipeline{}, err
	}
	var v violations
	name := p.Name
	validateName(&v, 0, "name", &name, true)
	if len(p.Stages) == 0 {
		v.add(0, "stages", ViolationRequired, "A pipeline needs at least one stage.")
	}
	for i, st := range p.Stages {
		n := st.Name
		validateName(&v, 0, "stages."+itoa(i)+".name", &n, true)
		if !ValidDealStatus(st.Status) {
			v.add(0, "stages."+itoa(i)+".status", ViolationChoice, "The value you selected is not a valid choice.")
		}
		if strings.TrimSpace(st.Color) == "" {
			p.Stages[i].Color = "rgb(35, 148, 254)"
		}
	}
	if err := v.err(); err != nil {
		return Pipeline{}, err
	}
	p.Kind = PipelineDeal
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		// One primary pipeline per kind: a new one is primary only when the
		// account has none.
		existing, err := tx.Pipelines(ctx, PipelineDeal)
		if err != nil {
			return err
		}
		p.Primary = len(existing) == 0
		return tx.InsertPipeline(ctx, &p)
	})
	return p, err
}

// AddDepartment creates a department (administrators only).
// Errors: forbidden, invalid.
func (s *Service) AddDepartment(ctx context.Context, actor Actor, name string) (Department, error) {
	if err := actor.requireAdmin(); err != nil {
		return Department{}, err
	}
	var v violations
	validateName(&v, 0, "name", &name, true)
	if err := v.err(); err != nil {
		return Department{}, err
	}
	d := Department{Name: strings.TrimSpace(name)}
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error { return tx.InsertDepartment(ctx, &d) })
	return d, err
}
