package store

import (
	"context"
	"database/sql"

	"github.com/crmd/crmd/internal/crm"
)

// The amoCRM side of inbound requests (crm.UnsortedStore): one row of
// unsorted_sources per request that has more to say than Envybox's lead. A
// request without one reads as a form (crm.DefaultUnsortedSource), so
// filters on the category count a missing row as 'forms'.

// unsortedJoin joins a request (alias l) to its source (alias u), if any.
const unsortedJoin = ` LEFT JOIN unsorted_sources u ON u.account_id = l.account_id AND u.inbound_id = l.id`

// unsortedCategory is a request's category, the default for none stored.
const unsortedCategory = `COALESCE(u.category, '` + crm.UnsortedForms + `')`

func (t *tenantTx) SaveUnsortedSource(ctx context.Context, s crm.UnsortedSource) error {
	var uid sql.NullString
	if s.SourceUID != "" {
		uid = sql.NullString{String: s.SourceUID, Valid: true}
	}
	metadata := string(s.Metadata)
	if metadata == "" {
		metadata = "{}"
	}
	_, err := t.exec(ctx, `INSERT INTO unsorted_sources (account_id, inbound_id, category, source_uid, source_name, metadata,
		lead_name, lead_price, call_uniq, declined_at, declined_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, inbound_id) DO UPDATE SET category = excluded.category, source_uid = excluded.source_uid,
		source_name = excluded.source_name, metadata = excluded.metadata, lead_name = excluded.lead_name,
		lead_price = excluded.lead_price,
		call_uniq = excluded.call_uniq, declined_at = excluded.declined_at, declined_by = excluded.declined_by`,
		t.accountID, s.InboundID, s.Category, uid, s.SourceName, metadata, s.LeadName, s.LeadPrice, s.CallUniq, nullTime(s.DeclinedAt), s.DeclinedBy)
	return err
}

func (t *tenantTx) UnsortedCallExists(ctx context.Context, sourceUID, callUniq string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM unsorted_sources WHERE account_id = ? AND source_uid = ? AND call_uniq = ?`,
		t.accountID, sourceUID, callUniq).Scan(&n)
	return n > 0, err
}

func (t *tenantTx) UnsortedSources(ctx context.Context, ids []int64) (map[int64]crm.UnsortedSource, error) {
	out := map[int64]crm.UnsortedSource{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := t.query(ctx, `SELECT inbound_id, category, source_uid, source_name, metadata, lead_name, lead_price, call_uniq, declined_at, declined_by
		FROM unsorted_sources WHERE account_id = ? AND inbound_id IN (`+placeholders(len(ids))+`)`, t.idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s crm.UnsortedSource
		var uid sql.NullString
		var metadata string
		var declined sql.NullInt64
		if err := rows.Scan(&s.InboundID, &s.Category, &uid, &s.SourceName, &metadata, &s.LeadName, &s.LeadPrice, &s.CallUniq, &declined, &s.DeclinedBy); err != nil {
			return nil, err
		}
		s.SourceUID, s.Metadata, s.DeclinedAt = uid.String, []byte(metadata), timeOf(declined)
		out[s.InboundID] = s
	}
	return out, rows.Err()
}

// unsortedOrder maps the orders of the unsorted list to columns.
var unsortedOrder = map[string]string{"": "l.id", "created_at": "l.created_at", "updated_at": "l.updated_at"}

func (t *tenantTx) PendingInbounds(ctx context.Context, q crm.UnsortedQuery) ([]crm.Inbound, int, error) {
	f := &filter{}
	// A declined request is closed too (crm.DeclineUnsorted), so "not
	// closed" is "pending" for both dialects.
	f.add(`l.account_id = ?`, t.accountID)
	f.add(`l.closed_at IS NULL`)
	f.in(`l.id`, q.IDs)
	f.in(`l.deal_pipeline_id`, q.PipelineIDs)
	if len(q.Categories) > 0 {
		args := make([]any, len(q.Categories))
		for i, c := range q.Categories {
			args[i] = c
		}
		f.add(unsortedCategory+` IN (`+placeholders(len(args))+`)`, args...)
	}
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM inbounds l`+unsortedJoin+` WHERE `+f.sql(), f.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	col, ok := unsortedOrder[q.OrderBy]
	if !ok {
		col = "l.id"
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	rows, err := t.query(ctx, `SELECT `+inboundColumns+inboundFrom+unsortedJoin+` WHERE `+f.sql()+
		` ORDER BY `+col+dir+`, l.id`+dir+` LIMIT ? OFFSET ?`, append(f.args, limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.Inbound{}
	for rows.Next() {
		l, err := scanInbound(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, l)
	}
	return out, total, rows.Err()
}

func (t *tenantTx) UnsortedSummary(ctx context.Context, q crm.UnsortedSummaryQuery) (crm.UnsortedSummary, error) {
	out := crm.UnsortedSummary{Categories: map[string]int{}}
	base := func() *filter {
		f := &filter{}
		f.add(`l.account_id = ?`, t.accountID)
		f.in(`l.id`, q.IDs)
		f.in(`l.deal_pipeline_id`, q.PipelineIDs)
		return f
	}
	// Created in the window: the total, by category.
	f := base()
	f.between(`l.created_at`, q.Window)
	rows, err := t.query(ctx, `SELECT `+unsortedCategory+`, COUNT(*) FROM inbounds l`+unsortedJoin+` WHERE `+f.sql()+
		` GROUP BY `+unsortedCategory, f.args...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var category string
		var n int
		if err := rows.Scan(&category, &n); err != nil {
			return out, err
		}
		out.Categories[category] += n
		out.Total += n
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	// Accepted (taken to work, not declined) in the window, and how long
	// each waited.
	f = base()
	f.add(`l.closed_at IS NOT NULL AND u.declined_at IS NULL`)
	f.between(`l.closed_at`, q.Window)
	var waited int64
	if err := t.queryRow(ctx, `SELECT COUNT(*), COALESCE(CAST(SUM(l.closed_at - l.created_at) AS BIGINT), 0) FROM inbounds l`+
		unsortedJoin+` WHERE `+f.sql(), f.args...).Scan(&out.Accepted, &waited); err != nil {
		return out, err
	}
	if out.Accepted > 0 {
		out.AverageSortTime = waited / int64(out.Accepted)
	}
	// Declined in the window.
	f = base()
	f.add(`u.declined_at IS NOT NULL`)
	f.between(`u.declined_at`, q.Window)
	err = t.queryRow(ctx, `SELECT COUNT(*) FROM inbounds l`+unsortedJoin+` WHERE `+f.sql(), f.args...).Scan(&out.Declined)
	return out, err
}
