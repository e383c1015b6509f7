package store

import (
	"context"
	"math"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// The widths of deal_created_totals' buckets (migration 0033), in seconds:
// a day and 32 days. A window of creation times is summed from the widest
// buckets it holds whole, then the whole days at its ends, and what is
// left — under a day at each end — is counted from the deals themselves.
// So a count reads at most a couple of hundred kept rows per responsible
// (three years: ~35 long buckets and up to 62 days) and at most two days
// of deals, however many deals the window holds: at 100,000 deals one
// stage over its whole life was ~10,000 index entries walked per page,
// 3–5 ms of SQLite's CPU. Counts kept per day alone would still be a
// thousand rows per responsible for three years, hence the second width.
const (
	dayWidth  = 86_400
	longWidth = 32 * dayWidth
)

// keptCount is a count the kept totals can answer: deals of the account
// with the given stages and pipelines (none: any), whose responsible
// satisfies resp (a condition on d.employee_id, d.department_id and
// d.user_id, the same columns in deals and deal_created_totals; empty:
// anyone), created within created.
type keptCount struct {
	stageIDs, pipelineIDs []int64
	resp                  string
	respArgs              []any
	created               crm.Range
}

// floorDiv is the bucket of a time at a width: the floor, as the
// migration's CASE computes it.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// ceilDiv is the first bucket starting at or after a.
func ceilDiv(a, b int64) int64 {
	q := floorDiv(a, b)
	if a%b != 0 {
		q++
	}
	return q
}

// lastWhole is the last bucket ending at or before a (a included).
func lastWhole(a, b int64) int64 {
	q := floorDiv(a, b)
	if a-q*b != b-1 {
		q--
	}
	return q
}

// countPiece is one part of a window: the whole buckets first..last of a
// width, or (width 0) the deals created from first to last themselves.
type countPiece struct {
	width, first, last int64
	open               [2]bool // no lower / upper bound (only for width longWidth)
}

// countPieces splits the window [from, to] (nil: unbounded) into whole
// long buckets, whole days and exact remainders.
func countPieces(from, to *int64) []countPiece {
	var out []countPiece
	// The long buckets whole inside the window.
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if from != nil {
		lo = *from
	}
	if to != nil {
		hi = *to
	}
	if lo > hi {
		return nil
	}
	if lo > math.MaxInt64/2 || hi < math.MinInt64/2 {
		// Times no deal has (beyond the year 10^11): counted from the
		// deals, so that no bucket arithmetic can overflow.
		return []countPiece{{first: lo, last: hi}}
	}
	first, last := int64(math.MinInt64), int64(math.MaxInt64)
	if from != nil {
		first = ceilDiv(lo, longWidth)
	}
	if to != nil {
		last = lastWhole(hi, longWidth)
	}
	if first > last {
		// No whole long bucket: the window is under 64 days.
		return dayPieces(lo, hi, out)
	}
	out = append(out, countPiece{width: longWidth, first: first, last: last, open: [2]bool{from == nil, to == nil}})
	if from != nil && lo < first*longWidth {
		out = dayPieces(lo, first*longWidth-1, out)
	}
	if to != nil && (last+1)*longWidth <= hi {
		out = dayPieces((last+1)*longWidth, hi, out)
	}
	return out
}

// dayPieces splits the bounded window [lo, hi], under 64 days, into whole
// days and the exact remainders at its ends.
func dayPieces(lo, hi int64, out []countPiece) []countPiece {
	first, last := ceilDiv(lo, dayWidth), lastWhole(hi, dayWidth)
	if first > last {
		return append(out, countPiece{first: lo, last: hi})
	}
	out = append(out, countPiece{width: dayWidth, first: first, last: last})
	if lo < first*dayWidth {
		out = append(out, countPiece{first: lo, last: first*dayWidth - 1})
	}
	if (last+1)*dayWidth <= hi {
		out = append(out, countPiece{first: (last + 1) * dayWidth, last: hi})
	}
	return out
}

// countKept answers a keptCount in one statement: a sum over the pieces of
// its window, each a range of kept rows or of the deals' creation index.
// The kept rows are found by their primary key (account, stage, width,
// bucket); without stages every stage of the account is named, so that
// the key still serves (a deal's stage is one of its account's).
func (t *tenantTx) countKept(ctx context.Context, k keptCount) (int, error) {
	q, args := t.keptSum(k)
	var n int64
	err := t.queryRow(ctx, `SELECT `+q, args...).Scan(&n)
	return int(n), err
}

// countKeptAll answers several keptCounts in one statement, one column
// each: the estimates of a page's walk (dealPageWalk, leadPageIndex) need
// two or three, and each statement costs a round through database/sql.
func (t *tenantTx) countKeptAll(ctx context.Context, ks ...keptCount) ([]int, error) {
	cols := make([]string, len(ks))
	var args []any
	for i, k := range ks {
		q, a := t.keptSum(k)
		cols[i] = `(SELECT ` + q + `)`
		args = append(args, a...)
	}
	ns := make([]int64, len(ks))
	dest := make([]any, len(ks))
	for i := range ns {
		dest[i] = &ns[i]
	}
	if err := t.queryRow(ctx, `SELECT `+strings.Join(cols, `, `), args...).Scan(dest...); err != nil {
		return nil, err
	}
	out := make([]int, len(ks))
	for i, n := range ns {
		out[i] = int(n)
	}
	return out, nil
}

// keptSum is the expression (after SELECT) of a keptCount's sum, with its
// arguments.
func (t *tenantTx) keptSum(k keptCount) (string, []any) {
	own := &filter{}
	own.in(`d.pipeline_id`, k.pipelineIDs)
	if k.resp != "" {
		own.add(k.resp, k.respArgs...)
	}
	var parts []string
	var args []any
	for _, p := range countPieces(k.created.From, k.created.To) {
		f := &filter{}
		f.add(`d.account_id = ?`, t.accountID)
		if p.width == 0 {
			f.in(`d.stage_id`, k.stageIDs)
			f.add(`d.created_at >= ? AND d.created_at <= ?`, p.first, p.last)
			f.where, f.args = append(f.where, own.where...), append(f.args, own.args...)
			parts = append(parts, `SELECT COUNT(*) AS n FROM deals d WHERE `+f.sql())
			args = append(args, f.args...)
			continue
		}
		if len(k.stageIDs) > 0 {
			f.in(`d.stage_id`, k.stageIDs)
		} else {
			f.add(`d.stage_id IN (SELECT s.id FROM stages s WHERE s.account_id = ?)`, t.accountID)
		}
		f.add(`d.width = ?`, p.width)
		if !p.open[0] {
			f.add(`d.bucket >= ?`, p.first)
		}
		if !p.open[1] {
			f.add(`d.bucket <= ?`, p.last)
		}
		f.where, f.args = append(f.where, own.where...), append(f.args, own.args...)
		parts = append(parts, `SELECT SUM(d.deal_count) AS n FROM deal_created_totals d WHERE `+f.sql())
		args = append(args, f.args...)
	}
	if len(parts) == 0 {
		return `CAST(0 AS BIGINT)`, nil
	}
	return `CAST(COALESCE(SUM(x.n), 0) AS BIGINT) FROM (` + strings.Join(parts, ` UNION ALL `) + `) x`, args
}
