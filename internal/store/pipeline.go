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
	id, err := t.insert(ctx, `INSERT INTO pipelines (account_id, kind, name, allow_manual_stage_change, is_primary, ext_id, sort, unsorted_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.accountID, string(p.Kind), p.Name, p.AllowManualStageChange, p.Primary, p.ExtID, p.Sort, p.UnsortedOn, unix(t.now), unix(t.now))
	if err != nil {
		return err
	}
	p.ID = id
	for i := range p.Stages {
		p.Stages[i].PipelineID = id
		if err := t.InsertStage(ctx, &p.Stages[i]); err != nil {
			return err
		}
	}
	return nil
}

// InsertStage inserts a stage. Stage ids start above 1000 (migration 0006),
// so no stage ever has id 142 or 143: the amoCRM dialect shows every
// pipeline's won and lost stage under those system ids.
func (t *tenantTx) InsertStage(ctx context.Context, s *crm.Stage) error {
	s.AccountID, s.CreatedAt, s.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO stages (account_id, pipeline_id, status, name, position, color, no_delete, ext_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.accountID, s.PipelineID, int(s.Status), s.Name, s.Position, s.Color, s.NoDelete, s.ExtID,
		unix(t.now), unix(t.now))
	s.ID = id
	return err
}

func (t *tenantTx) UpdateStage(ctx context.Context, s *crm.Stage) error {
	s.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE stages SET name = ?, position = ?, color = ?, ext_id = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		s.Name, s.Position, s.Color, s.ExtID, unix(t.now), t.accountID, s.ID)
	return affected(res, err, "Stage")
}

func (t *tenantTx) DeleteStage(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `DELETE FROM stages WHERE account_id = ? AND id = ?`, t.accountID, id)
	return affected(res, err, "Stage")
}

func (t *tenantTx) UpdatePipeline(ctx context.Context, p *crm.Pipeline) error {
	p.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE pipelines SET name = ?, allow_manual_stage_change = ?, is_primary = ?, ext_id = ?, sort = ?, unsorted_on = ?,
		updated_at = ? WHERE account_id = ? AND id = ?`, p.Name, p.AllowManualStageChange, p.Primary, p.ExtID, p.Sort, p.UnsortedOn,
		unix(t.now), t.accountID, p.ID)
	return affected(res, err, "Pipeline")
}

// DeletePipeline deletes a pipeline and its stages (ON DELETE CASCADE).
func (t *tenantTx) DeletePipeline(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `DELETE FROM pipelines WHERE account_id = ? AND id = ?`, t.accountID, id)
	return affected(res, err, "Pipeline")
}

func (t *tenantTx) CountDealsIn(ctx context.Context, pipelineID, stageID int64) (int, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	if pipelineID != 0 {
		f.add(`pipeline_id = ?`, pipelineID)
	}
	if stageID != 0 {
		f.add(`stage_id = ?`, stageID)
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM deals WHERE `+f.sql(), f.args...).Scan(&n)
	return n, err
}

func (t *tenantTx) CountInboundsFor(ctx context.Context, pipelineID int64) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM inbounds WHERE account_id = ? AND (deal_pipeline_id = ? OR pipeline_id = ?)`,
		t.accountID, pipelineID, pipelineID).Scan(&n)
	return n, err
}

func (t *tenantTx) MoveDeals(ctx context.Context, fromStage int64, to crm.Stage) error {
	_, err := t.exec(ctx, `UPDATE deals SET stage_id = ?, pipeline_id = ?, stage_updated_at = ?, updated_at = ? WHERE account_id = ? AND stage_id = ?`,
		to.ID, to.PipelineID, unix(t.now), unix(t.now), t.accountID, fromStage)
	return err
}

const stageColumns = `id, account_id, pipeline_id, status, name, position, color, no_delete, ext_id, created_at, updated_at`

func scanStage(row scanner) (crm.Stage, error) {
	var s crm.Stage
	var created, updated int64
	err := row.Scan(&s.ID, &s.AccountID, &s.PipelineID, &s.Status, &s.Name, &s.Position, &s.Color, &s.NoDelete, &s.ExtID, &created, &updated)
	s.CreatedAt, s.UpdatedAt = fromUnix(created), fromUnix(updated)
	return s, err
}

// pipelines reads the pipelines where selects ("": all of them) with their
// stages.
func (t *tenantTx) pipelines(ctx context.Context, where string, args ...any) ([]crm.Pipeline, error) {
	if where != "" {
		where = ` AND ` + where
	}
	rows, err := t.query(ctx, `SELECT id, account_id, kind, name, allow_manual_stage_change, is_primary, ext_id, sort, unsorted_on, created_at, updated_at
		FROM pipelines WHERE account_id = ?`+where+` ORDER BY sort, id`, append([]any{t.accountID}, args...)...)
	if err != nil {
		return nil, err
	}
	out := []crm.Pipeline{}
	index := map[int64]int{}
	for rows.Next() {
		var p crm.Pipeline
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.AccountID, &p.Kind, &p.Name, &p.AllowManualStageChange, &p.Primary, &p.ExtID, &p.Sort, &p.UnsortedOn, &created, &updated); err != nil {
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

func (t *tenantTx) AllPipelines(ctx context.Context) ([]crm.Pipeline, error) {
	return t.pipelines(ctx, "")
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
