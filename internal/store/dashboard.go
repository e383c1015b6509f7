package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The reports dashboard's counts (crm.DashboardStore). Time buckets are
// the account's local days and months, whose boundaries the domain
// computes; the SQL only compares a Unix time with them, through a CASE
// of ascending bounds. That keeps one query text for both dialects (no
// time zone arithmetic in SQL, where SQLite has no zone database) and
// lets the range condition use the (account, time) indexes.

// bucketCase is a CASE expression giving the bucket index of col for
// ascending bounds (bucket i is [bounds[i], bounds[i+1])), with its
// arguments; rows outside are excluded by the caller's range condition.
func bucketCase(col string, bounds []time.Time) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(bounds)-1)
	b.WriteString("CASE")
	for i := 1; i < len(bounds)-1; i++ {
		b.WriteString(" WHEN " + col + " < ? THEN " + strconv.Itoa(i-1))
		args = append(args, unix(bounds[i]))
	}
	b.WriteString(" ELSE " + strconv.Itoa(len(bounds)-2) + " END")
	return b.String(), args
}

// scanCounts reads rows of (bucket, key, count, sum[, name]).
func scanCounts(rows *sql.Rows, err error) ([]crm.BucketCount, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []crm.BucketCount
	for rows.Next() {
		var c crm.BucketCount
		var sum sql.NullInt64
		var name sql.NullString
		dest := []any{&c.Bucket, &c.Key, &c.Count, &sum}
		if len(cols) > 4 {
			dest = append(dest, &name)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		c.Sum, c.Name = sum.Int64, name.String
		out = append(out, c)
	}
	return out, rows.Err()
}

// LeadsBySource counts the inbound requests created in each bucket, per
// inbox type and amoCRM unsorted source name, from the (account,
// created_at) index.
func (t *tenantTx) LeadsBySource(ctx context.Context, bounds []time.Time) ([]crm.BucketCount, error) {
	if len(bounds) < 2 {
		return nil, nil
	}
	bucket, args := bucketCase("i.created_at", bounds)
	args = append(args, t.accountID, unix(bounds[0]), unix(bounds[len(bounds)-1]))
	return scanCounts(t.query(ctx, `SELECT `+bucket+` AS b, i.inbox_type_id, COUNT(*), 0, COALESCE(u.source_name, '') AS src
		FROM inbounds i LEFT JOIN unsorted_sources u ON u.account_id = i.account_id AND u.inbound_id = i.id
		WHERE i.account_id = ? AND i.created_at >= ? AND i.created_at < ?
		GROUP BY b, i.inbox_type_id, src`, args...))
}

// ClosedByMonth counts and sums the pipeline's closed deals per bucket of
// their close time and status of their stage (won or lost).
func (t *tenantTx) ClosedByMonth(ctx context.Context, pipelineID int64, bounds []time.Time) ([]crm.BucketCount, error) {
	if len(bounds) < 2 {
		return nil, nil
	}
	bucket, args := bucketCase("d.closed_at", bounds)
	args = append(args, t.accountID, pipelineID, unix(bounds[0]), unix(bounds[len(bounds)-1]),
		int(crm.StageWon), int(crm.StageLost))
	return scanCounts(t.query(ctx, `SELECT `+bucket+` AS b, s.status, COUNT(*), CAST(COALESCE(SUM(d.price), 0) AS BIGINT)
		FROM deals d JOIN stages s ON s.id = d.stage_id
		WHERE d.account_id = ? AND d.pipeline_id = ? AND d.closed_at >= ? AND d.closed_at < ?
		AND s.status IN (?, ?)
		GROUP BY b, s.status`, args...))
}

// dealResponsible is a deal's responsible as the custom statistics group
// by (crm.ReportByResponsible): the employee, else the administrator.
const dealResponsible = `CASE WHEN d.employee_id <> 0 THEN d.employee_id ELSE d.user_id END`

// ManagerDeals counts the pipeline's won deals closed in [from, to) and its
// open deals, per responsible. The open ones are read stage by stage of
// the pipeline's open stages, so that the (account, stage) index bounds
// the scan to them.
func (t *tenantTx) ManagerDeals(ctx context.Context, pipelineID int64, from, to time.Time) (won, open []crm.BucketCount, err error) {
	won, err = scanCounts(t.query(ctx, `SELECT 0, `+dealResponsible+` AS m, COUNT(*), CAST(COALESCE(SUM(d.price), 0) AS BIGINT)
		FROM deals d JOIN stages s ON s.id = d.stage_id
		WHERE d.account_id = ? AND d.pipeline_id = ? AND d.closed_at >= ? AND d.closed_at < ? AND s.status = ?
		GROUP BY m`, t.accountID, pipelineID, unix(from), unix(to), int(crm.StageWon)))
	if err != nil {
		return nil, nil, err
	}
	open, err = scanCounts(t.query(ctx, `SELECT 0, `+dealResponsible+` AS m, COUNT(*), CAST(COALESCE(SUM(d.price), 0) AS BIGINT)
		FROM deals d
		WHERE d.account_id = ? AND d.stage_id IN (SELECT id FROM stages WHERE pipeline_id = ? AND account_id = ? AND status IN (?, ?))
		GROUP BY m`, t.accountID, pipelineID, t.accountID, int(crm.StageNew), int(crm.StageInWork)))
	return won, open, err
}

// OverdueTasksByResponsible counts the open tasks due before now per
// responsible: the employee, else the administrator when the task is for
// nobody else, else 0 (a department's). A task without a due time (the
// zero time, as crm.Task.Overdue reads it) is never overdue.
func (t *tenantTx) OverdueTasksByResponsible(ctx context.Context, now time.Time) ([]crm.BucketCount, error) {
	return scanCounts(t.query(ctx, `SELECT 0, CASE WHEN employee_id <> 0 THEN employee_id
			WHEN department_id = 0 THEN user_id ELSE 0 END AS m, COUNT(*), 0
		FROM tasks WHERE account_id = ? AND success = ? AND due_at < ? AND due_at <> ?
		GROUP BY m`, t.accountID, false, unix(now), unix(time.Time{})))
}

// CustomersByStatus counts the customers per status from the (account,
// status) index.
func (t *tenantTx) CustomersByStatus(ctx context.Context) ([]crm.BucketCount, error) {
	return scanCounts(t.query(ctx, `SELECT 0, status_id, COUNT(*), 0 FROM customers
		WHERE account_id = ? GROUP BY status_id`, t.accountID))
}
