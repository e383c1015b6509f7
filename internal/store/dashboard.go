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
	if len(bounds) == 2 {
		// One bucket: "CASE ELSE 0 END" is no SQL (a window of one day).
		return "0", nil
	}
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

// bucketUnionMax is the most buckets a count is written as a UNION ALL of
// one range a bucket (bucketUnion) rather than one range and bucketCase:
// every window the dashboard shows by default (30 days, 12 months) and
// well below SQLite's 500 terms of a compound SELECT. Tests lower it to
// compare the two.
var bucketUnionMax = 62

// bucketUnion is a count over buckets written as one SELECT a bucket,
// each over its own range of col ([bounds[i], bounds[i+1])) and grouped
// by group alone, the bucket index a literal, with their arguments: each
// term is a short range of the (account, time) index grouped by a few
// keys, where bucketCase's one range evaluated the CASE on every row and
// grouped all of them by bucket too (SQLite: the pipeline's won and lost
// months 49 → 19 ms of CPU at a million deals, 73,660 closed deals). cols
// are the selected columns after the bucket; where, the rows' condition
// without the range, with args its arguments.
func bucketUnion(cols, from, where, col, group string, bounds []time.Time, args []any) (string, []any) {
	var b strings.Builder
	all := make([]any, 0, (len(bounds)-1)*(len(args)+2))
	for i := 0; i+1 < len(bounds); i++ {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT " + strconv.Itoa(i) + " AS b, " + cols + from + " WHERE " + where + " AND " + col + " >= ? AND " + col +
			" < ? GROUP BY " + group)
		all = append(all, args...)
		all = append(all, unix(bounds[i]), unix(bounds[i+1]))
	}
	return b.String(), all
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
	const from = ` FROM inbounds i LEFT JOIN unsorted_sources u ON u.account_id = i.account_id AND u.inbound_id = i.id`
	if len(bounds)-1 <= bucketUnionMax {
		q, args := bucketUnion(`i.inbox_type_id, COUNT(*), 0, COALESCE(u.source_name, '') AS src`, from, `i.account_id = ?`,
			"i.created_at", "i.inbox_type_id, src", bounds, []any{t.accountID})
		return scanCounts(t.query(ctx, q, args...))
	}
	bucket, args := bucketCase("i.created_at", bounds)
	args = append(args, t.accountID, unix(bounds[0]), unix(bounds[len(bounds)-1]))
	return scanCounts(t.query(ctx, `SELECT `+bucket+` AS b, i.inbox_type_id, COUNT(*), 0, COALESCE(u.source_name, '') AS src`+from+`
		WHERE i.account_id = ? AND i.created_at >= ? AND i.created_at < ?
		GROUP BY b, i.inbox_type_id, src`, args...))
}

// ClosedByMonth counts and sums the pipeline's deals closed in each
// bucket per stage (Key), from deals_dashboard_closed alone (0028); the
// domain keeps the won and lost stages.
func (t *tenantTx) ClosedByMonth(ctx context.Context, pipelineID int64, bounds []time.Time) ([]crm.BucketCount, error) {
	if len(bounds) < 2 {
		return nil, nil
	}
	if len(bounds)-1 <= bucketUnionMax {
		q, args := bucketUnion(`stage_id, COUNT(*), CAST(COALESCE(SUM(price), 0) AS BIGINT)`, ` FROM deals`,
			`account_id = ? AND pipeline_id = ?`, "closed_at", "stage_id", bounds, []any{t.accountID, pipelineID})
		return scanCounts(t.query(ctx, q, args...))
	}
	bucket, args := bucketCase("closed_at", bounds)
	args = append(args, t.accountID, pipelineID, unix(bounds[0]), unix(bounds[len(bounds)-1]))
	return scanCounts(t.query(ctx, `SELECT `+bucket+` AS b, stage_id, COUNT(*), CAST(COALESCE(SUM(price), 0) AS BIGINT)
		FROM deals WHERE account_id = ? AND pipeline_id = ? AND closed_at >= ? AND closed_at < ?
		GROUP BY b, stage_id`, args...))
}

// scanResponsible reads rows of (employee, department or 0, user, count,
// sum) as counts keyed by responsible: the employee, else the
// administrator when nobody else (no department) is, else 0.
func scanResponsible(rows *sql.Rows, err error) ([]crm.BucketCount, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[int64]int{}
	var out []crm.BucketCount
	for rows.Next() {
		var employee, department, user, n, sum int64
		if err := rows.Scan(&employee, &department, &user, &n, &sum); err != nil {
			return nil, err
		}
		key := employee
		if key == 0 {
			if department == 0 {
				key = user
			}
		}
		i, ok := by[key]
		if !ok {
			i = len(out)
			by[key] = i
			out = append(out, crm.BucketCount{Key: key})
		}
		out[i].Count += n
		out[i].Sum += sum
	}
	return out, rows.Err()
}

// ManagerDeals counts the pipeline's deals won in [from, to) and its open
// deals per responsible (the employee, else the administrator, as
// crm.ReportByResponsible groups). The won ones read only an index of 0028
// and group by its columns; the open ones are the rows of the pipeline's
// open stages in stage_responsible_totals (0032), which triggers keep per
// stage, employee and administrator, so no deal is read. The domain's
// responsible is made of those columns here.
func (t *tenantTx) ManagerDeals(ctx context.Context, pipelineID int64, from, to time.Time) (won, open []crm.BucketCount, err error) {
	won, err = scanResponsible(t.query(ctx, `SELECT employee_id, 0, user_id, COUNT(*), CAST(COALESCE(SUM(price), 0) AS BIGINT)
		FROM deals WHERE account_id = ? AND pipeline_id = ? AND closed_at >= ? AND closed_at < ?
		AND stage_id IN (SELECT id FROM stages WHERE account_id = ? AND pipeline_id = ? AND status = ?)
		GROUP BY employee_id, user_id`, t.accountID, pipelineID, unix(from), unix(to), t.accountID, pipelineID, int(crm.StageWon)))
	if err != nil {
		return nil, nil, err
	}
	open, err = scanResponsible(t.query(ctx, `SELECT k.employee_id, 0, k.user_id, k.deal_count, k.price_sum
		FROM stages s JOIN stage_responsible_totals k ON k.stage_id = s.id
		WHERE s.account_id = ? AND s.pipeline_id = ? AND s.status IN (?, ?) AND k.deal_count <> 0`,
		t.accountID, pipelineID, int(crm.StageNew), int(crm.StageInWork)))
	return won, open, err
}

// OverdueTasksByResponsible counts the open tasks due before now per
// responsible: the employee, else the administrator when the task is for
// nobody else, else 0 (a department's). A task without a due time (the
// zero time, as crm.Task.Overdue reads it) is never overdue. It reads
// tasks_dashboard_open (0028) in its order.
func (t *tenantTx) OverdueTasksByResponsible(ctx context.Context, now time.Time) ([]crm.BucketCount, error) {
	return scanResponsible(t.query(ctx, `SELECT employee_id, department_id, user_id, COUNT(*), 0
		FROM tasks WHERE account_id = ? AND success = ? AND due_at < ? AND due_at <> ?
		GROUP BY employee_id, department_id, user_id`, t.accountID, false, unix(now), unix(time.Time{})))
}

// CustomersByStatus counts the customers per status from the (account,
// status) index.
func (t *tenantTx) CustomersByStatus(ctx context.Context) ([]crm.BucketCount, error) {
	return scanCounts(t.query(ctx, `SELECT 0, status_id, COUNT(*), 0 FROM customers
		WHERE account_id = ? GROUP BY status_id`, t.accountID))
}
