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

// AddPipeline creates a deal pipeline from a whole Pipeline value, as the
// CLI describes one: its stages in order (positions 0, 10, 20 … for the
// open ones). The rules are CreatePipeline's.
// Errors: forbidden, invalid, conflict, limit.
func (s *Service) AddPipeline(ctx context.Context, actor Actor, p Pipeline) (Pipeline, error) {
	n := NewPipeline{Name: p.Name, ExtID: p.ExtID, Sort: p.Sort, Primary: p.Primary, UnsortedOn: p.UnsortedOn,
		AllowManualStageChange: p.AllowManualStageChange}
	for i, st := range p.Stages {
		n.Stages = append(n.Stages, NewStage{Name: st.Name, ExtID: st.ExtID, Status: st.Status, Position: i * 10, Color: st.Color})
	}
	return s.CreatePipeline(ctx, actor, n)
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
