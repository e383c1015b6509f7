package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/crmd/crmd/internal/crm"
)

// The customers_count of a segment is stored: counting the links on every
// read made a page of segments count every segmented customer of the
// account (a third of 100,000 at a million deals). It cannot drift from the
// links: every write of a link marks its segment, and Update recounts the
// marked segments from the links before it commits (flushSegmentCounts).
const segmentColumns = `s.id, s.account_id, s.name, s.color, s.price_types, s.created_at, s.updated_at, s.customers_count`

// dirtySegment marks a segment whose links changed.
func (t *tenantTx) dirtySegment(id int64) {
	if t.segments == nil {
		t.segments = map[int64]bool{}
	}
	t.segments[id] = true
}

// dirtyCustomerSegments marks the segments a customer is in now.
func (t *tenantTx) dirtyCustomerSegments(ctx context.Context, customerID int64) error {
	rows, err := t.query(ctx, `SELECT segment_id FROM customer_segments WHERE account_id = ? AND customer_id = ?`, t.accountID, customerID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		t.dirtySegment(id)
	}
	return rows.Err()
}

// flushSegmentCounts recounts the customers of the marked segments.
func (t *tenantTx) flushSegmentCounts(ctx context.Context) error {
	for id := range t.segments {
		if _, err := t.exec(ctx, `UPDATE segments SET customers_count = (SELECT COUNT(*) FROM customer_segments cs
			WHERE cs.segment_id = segments.id AND cs.account_id = segments.account_id) WHERE account_id = ? AND id = ?`, t.accountID, id); err != nil {
			return err
		}
	}
	t.segments = nil
	return nil
}

func scanSegment(row scanner) (crm.Segment, error) {
	var s crm.Segment
	var priceTypes string
	var created, updated int64
	if err := row.Scan(&s.ID, &s.AccountID, &s.Name, &s.Color, &priceTypes, &created, &updated, &s.CustomersCount); err != nil {
		return s, err
	}
	s.CreatedAt, s.UpdatedAt = fromUnix(created), fromUnix(updated)
	if err := json.Unmarshal([]byte(priceTypes), &s.PriceTypes); err != nil {
		return s, fmt.Errorf("segment %d: decode price types: %w", s.ID, err)
	}
	return s, nil
}

func encodeIDs(ids []int64) string {
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func (t *tenantTx) Segments(ctx context.Context, page crm.Page) ([]crm.Segment, int, error) {
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM segments WHERE account_id = ?`, t.accountID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := t.query(ctx, `SELECT `+segmentColumns+` FROM segments s WHERE s.account_id = ? ORDER BY s.id LIMIT ? OFFSET ?`,
		t.accountID, page.Limit, page.Offset())
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.Segment{}
	for rows.Next() {
		s, err := scanSegment(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	return out, total, rows.Err()
}

func (t *tenantTx) Segment(ctx context.Context, id int64) (crm.Segment, error) {
	s, err := scanSegment(t.queryRow(ctx, `SELECT `+segmentColumns+` FROM segments s WHERE s.account_id = ? AND s.id = ?`, t.accountID, id))
	return s, notFound(err, "Segment")
}

func (t *tenantTx) CountSegments(ctx context.Context) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM segments WHERE account_id = ?`, t.accountID).Scan(&n)
	return n, err
}

func (t *tenantTx) InsertSegment(ctx context.Context, s *crm.Segment) error {
	s.AccountID, s.CreatedAt, s.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO segments (account_id, name, color, price_types, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.accountID, s.Name, s.Color, encodeIDs(s.PriceTypes), unix(t.now), unix(t.now))
	s.ID = id
	return err
}

func (t *tenantTx) UpdateSegment(ctx context.Context, s *crm.Segment) error {
	s.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE segments SET name = ?, color = ?, price_types = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		s.Name, s.Color, encodeIDs(s.PriceTypes), unix(t.now), t.accountID, s.ID)
	return affected(res, err, "Segment")
}

func (t *tenantTx) DeleteSegment(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `DELETE FROM segments WHERE account_id = ? AND id = ?`, t.accountID, id)
	if err := affected(res, err, "Segment"); err != nil {
		return err
	}
	_, err = t.exec(ctx, `DELETE FROM field_values WHERE account_id = ? AND entity_type = ? AND entity_id = ?`, t.accountID, string(crm.EntitySegment), id)
	return err
}
