package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

func (t *tenantTx) InsertDepartment(ctx context.Context, d *crm.Department) error {
	d.AccountID, d.CreatedAt, d.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO departments (account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		t.accountID, d.Name, unix(t.now), unix(t.now))
	d.ID = id
	return err
}

func scanDepartment(row scanner) (crm.Department, error) {
	var d crm.Department
	var created, updated int64
	err := row.Scan(&d.ID, &d.AccountID, &d.Name, &created, &updated)
	d.CreatedAt, d.UpdatedAt = fromUnix(created), fromUnix(updated)
	return d, err
}

func (t *tenantTx) Departments(ctx context.Context) ([]crm.Department, error) {
	rows, err := t.query(ctx, `SELECT id, account_id, name, created_at, updated_at FROM departments WHERE account_id = ? ORDER BY id`, t.accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.Department{}
	for rows.Next() {
		d, err := scanDepartment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *tenantTx) Department(ctx context.Context, id int64) (crm.Department, error) {
	d, err := scanDepartment(t.queryRow(ctx, `SELECT id, account_id, name, created_at, updated_at FROM departments WHERE account_id = ? AND id = ?`, t.accountID, id))
	return d, notFound(err, "Department")
}

func (t *tenantTx) InsertInboxType(ctx context.Context, it *crm.InboxType) error {
	it.AccountID, it.CreatedAt, it.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO inbox_types (account_id, name, type, editable, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.accountID, it.Name, it.Type, it.Editable, it.IsDefault, unix(t.now), unix(t.now))
	it.ID = id
	return err
}

func (t *tenantTx) InboxTypes(ctx context.Context) ([]crm.InboxType, error) {
	rows, err := t.query(ctx, `SELECT id, account_id, name, type, editable, is_default, created_at, updated_at FROM inbox_types WHERE account_id = ? ORDER BY id`, t.accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.InboxType{}
	for rows.Next() {
		var it crm.InboxType
		var created, updated int64
		if err := rows.Scan(&it.ID, &it.AccountID, &it.Name, &it.Type, &it.Editable, &it.IsDefault, &created, &updated); err != nil {
			return nil, err
		}
		it.CreatedAt, it.UpdatedAt = fromUnix(created), fromUnix(updated)
		out = append(out, it)
	}
	return out, rows.Err()
}

func (t *tenantTx) InsertPipeline(ctx context.Context, p *crm.Pipeline) error {
	p.AccountID, p.CreatedAt, p.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO pipelines (account_id, kind, name, allow_manual_stage_change, is_primary, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.accountID, string(p.Kind), p.Name, p.AllowManualStageChange, p.Primary, unix(t.now), unix(t.now))
	if err != nil {
		return err
	}
	p.ID = id
	for i := range p.Stages {
		s := &p.Stages[i]
		s.AccountID, s.PipelineID, s.Position, s.CreatedAt, s.UpdatedAt = t.accountID, id, i, t.now, t.now
		if s.ID, err = t.insert(ctx, `INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.accountID, id, int(s.Status), s.Name, s.Position, s.Color, s.NoDelete, unix(t.now), unix(t.now)); err != nil {
			return err
		}
	}
	return nil
}

const stageColumns = `id, account_id, pipeline_id, status, name, position, color, no_delete, created_at, updated_at`

func scanStage(row scanner) (crm.Stage, error) {
	var s crm.Stage
	var created, updated int64
	err := row.Scan(&s.ID, &s.AccountID, &s.PipelineID, &s.Status, &s.Name, &s.Position, &s.Color, &s.NoDelete, &created, &updated)
	s.CreatedAt, s.UpdatedAt = fromUnix(created), fromUnix(updated)
	return s, err
}

func (t *tenantTx) pipelines(ctx context.Context, where string, args ...any) ([]crm.Pipeline, error) {
	rows, err := t.query(ctx, `SELECT id, account_id, kind, name, allow_manual_stage_change, is_primary, created_at, updated_at
		FROM pipelines WHERE account_id = ? AND `+where+` ORDER BY id`, append([]any{t.accountID}, args...)...)
	if err != nil {
		return nil, err
	}
	out := []crm.Pipeline{}
	index := map[int64]int{}
	for rows.Next() {
		var p crm.Pipeline
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.AccountID, &p.Kind, &p.Name, &p.AllowManualStageChange, &p.Primary, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = fromUnix(created), fromUnix(updated)
		index[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	srows, err := t.query(ctx, `SELECT `+stageColumns+` FROM stages WHERE account_id = ? AND pipeline_id IN (`+placeholders(len(ids))+`)
		ORDER BY position, id`, t.idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	for srows.Next() {
		s, err := scanStage(srows)
		if err != nil {
			return nil, err
		}
		p := &out[index[s.PipelineID]]
		p.Stages = append(p.Stages, s)
	}
	return out, srows.Err()
}

func (t *tenantTx) Pipelines(ctx context.Context, kind crm.PipelineKind) ([]crm.Pipeline, error) {
	return t.pipelines(ctx, `kind = ?`, string(kind))
}

func (t *tenantTx) Pipeline(ctx context.Context, id int64) (crm.Pipeline, error) {
	list, err := t.pipelines(ctx, `id = ?`, id)
	if err != nil {
		return crm.Pipeline{}, err
	}
	if len(list) == 0 {
		return crm.Pipeline{}, crm.Errorf(crm.KindNotFound, "Pipeline not found")
	}
	return list[0], nil
}

func (t *tenantTx) Stage(ctx context.Context, id int64) (crm.Stage, error) {
	s, err := scanStage(t.queryRow(ctx, `SELECT `+stageColumns+` FROM stages WHERE account_id = ? AND id = ?`, t.accountID, id))
	return s, notFound(err, "Stage")
}
