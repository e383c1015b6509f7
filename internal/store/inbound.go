package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

const inboundColumns = `l.id, l.account_id, l.parent_id, l.pipeline_id, l.stage_id, l.deal_pipeline_id, l.deal_stage_id,
	l.user_id, l.employee_id, l.old_employee_id, l.department_id, l.inbox_type_id, l.client_id, l.name, l.phone, l.email,
	l.stage_updated_at, l.closed_at, l.created_at, l.updated_at,
	s.id, s.account_id, s.pipeline_id, s.status, s.name, s.position, s.color, s.no_delete, s.ext_id, s.created_at, s.updated_at`

const inboundFrom = ` FROM inbounds l JOIN stages s ON s.id = l.stage_id AND s.account_id = l.account_id`

func scanInbound(row scanner) (crm.Inbound, error) {
	var l crm.Inbound
	var oldEmployee, client, closed sql.NullInt64
	var stageUpdated, created, updated, sCreated, sUpdated int64
	st := &l.Stage
	err := row.Scan(&l.ID, &l.AccountID, &l.ParentID, &l.PipelineID, &l.StageID, &l.DealPipelineID, &l.DealStageID,
		&l.UserID, &l.EmployeeID, &oldEmployee, &l.DepartmentID, &l.InboxTypeID, &client, &l.Name, &l.Phone, &l.Email,
		&stageUpdated, &closed, &created, &updated,
		&st.ID, &st.AccountID, &st.PipelineID, &st.Status, &st.Name, &st.Position, &st.Color, &st.NoDelete, &st.ExtID, &sCreated, &sUpdated)
	l.OldEmployeeID, l.ClientID, l.ClosedAt = oldEmployee.Int64, client.Int64, timeOf(closed)
	l.StageUpdatedAt, l.CreatedAt, l.UpdatedAt = fromUnix(stageUpdated), fromUnix(created), fromUnix(updated)
	st.CreatedAt, st.UpdatedAt = fromUnix(sCreated), fromUnix(sUpdated)
	return l, err
}

// inboundInsertColumns are the columns inboundArgs fills, in its order.
const inboundInsertColumns = `parent_id, pipeline_id, stage_id, deal_pipeline_id, deal_stage_id, user_id, employee_id,
	old_employee_id, department_id, inbox_type_id, client_id, name, phone, email, stage_updated_at, closed_at, created_at, updated_at`

var inboundInsertCount = columnCount(inboundInsertColumns)

func inboundArgs(l *crm.Inbound) []any {
	return []any{l.ParentID, l.PipelineID, l.StageID, l.DealPipelineID, l.DealStageID, l.UserID, l.EmployeeID, nullID(l.OldEmployeeID),
		l.DepartmentID, l.InboxTypeID, nullID(l.ClientID), l.Name, l.Phone, l.Email, unix(l.StageUpdatedAt), nullTime(l.ClosedAt),
		unix(l.CreatedAt), unix(l.UpdatedAt)}
}

func (t *tenantTx) InsertInbound(ctx context.Context, l *crm.Inbound) error {
	l.AccountID, l.CreatedAt, l.UpdatedAt = t.accountID, t.now, t.now
	if l.StageUpdatedAt.IsZero() {
		l.StageUpdatedAt = t.now
	}
	id, err := t.insert(ctx, `INSERT INTO inbounds (`+inboundInsertColumns+`, account_id) VALUES (`+placeholders(inboundInsertCount+1)+`)`,
		append(inboundArgs(l), t.accountID)...)
	l.ID = id
	return err
}

func (t *tenantTx) UpdateInbound(ctx context.Context, l *crm.Inbound) error {
	l.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE inbounds SET parent_id = ?, pipeline_id = ?, stage_id = ?, deal_pipeline_id = ?, deal_stage_id = ?,
		user_id = ?, employee_id = ?, old_employee_id = ?, department_id = ?, inbox_type_id = ?, client_id = ?, name = ?, phone = ?,
		email = ?, stage_updated_at = ?, closed_at = ?, created_at = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		append(inboundArgs(l), t.accountID, l.ID)...)
	return affected(res, err, "Inbound request")
}

func (t *tenantTx) Inbound(ctx context.Context, id int64) (crm.Inbound, error) {
	l, err := scanInbound(t.queryRow(ctx, `SELECT `+inboundColumns+inboundFrom+` WHERE l.account_id = ? AND l.id = ?`, t.accountID, id))
	return l, notFound(err, "Inbound request")
}

// dateColumn maps a date filter name to its column; "" when unknown.
func dateColumn(alias, field string) string {
	switch field {
	case "", "created":
		return alias + ".created_at"
	case "updated":
		return alias + ".updated_at"
	case "closed":
		return alias + ".closed_at"
	case "stage_changed":
		return alias + ".stage_updated_at"
	}
	return ""
}

func (t *tenantTx) Inbounds(ctx context.Context, q crm.InboundQuery) ([]crm.Inbound, int, error) {
	f := &filter{}
	f.add(`l.account_id = ?`, t.accountID)
	f.in(`l.stage_id`, q.StageIDs)
	if col := dateColumn("l", q.DateField); col != "" {
		f.between(col, q.Dates)
	}
	if q.NotTakenOnly {
		f.add(`l.closed_at IS NULL`)
	}
	if q.AfterID > 0 {
		f.add(`l.id > ?`, q.AfterID)
	}
	if q.BeforeID > 0 {
		f.add(`l.id < ?`, q.BeforeID)
	}
	f.in(`l.id`, q.IDs)
	switch {
	case q.Phone != "" && q.Email != "":
		f.add(`(l.phone = ? OR l.email = ?)`, q.Phone, q.Email)
	case q.Phone != "":
		f.add(`l.phone = ?`, q.Phone)
	case q.Email != "":
		f.add(`l.email = ?`, q.Email)
	}
	if kw := strings.ToLower(strings.TrimSpace(q.Keyword)); kw != "" {
		pat, phone := containsPattern(kw), containsPattern(kw)
		// A phone keyword matches stored digits however it is written, as
		// in the client search; l.phone holds nothing but digits.
		if digits := crm.PhoneSearch(kw); digits != "" {
			phone = containsPattern(digits)
		}
		// Phones are digits and emails lower-cased when stored
		// (NormalizePhone, NormalizeEmail), so they need no folding: the
		// lower-cased keyword meets them as it is, on both databases.
		f.add(`(`+like(t.foldExpr("l.name"))+` OR `+like("l.phone")+` OR `+like("l.email")+` OR EXISTS (SELECT 1 FROM service_values sv
			WHERE sv.account_id = l.account_id AND sv.entity_type = 'inbound' AND sv.entity_id = l.id AND `+like(t.foldExpr("sv.value"))+`)
			OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = l.account_id AND fv.entity_type = 'inbound'
			AND fv.entity_id = l.id AND `+like(t.foldExpr("fv.value"))+`)
			OR EXISTS (SELECT 1 FROM contact_data cd WHERE cd.account_id = l.account_id AND cd.owner_type = 'inbound'
			AND cd.owner_id = l.id AND (`+like(t.foldExpr("cd.value"))+` OR `+like("cd.value")+`)))`, pat, phone, pat, pat, pat, pat, phone)
	}
	total, err := t.inboundTotal(ctx, f, q.NotTakenOnly)
	if err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	rows, err := t.query(ctx, `SELECT `+inboundColumns+inboundFrom+` WHERE `+f.sql()+` ORDER BY l.id DESC LIMIT ? OFFSET ?`,
		append(f.args, limit, q.Offset)...)
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

// inboundTotalsKept says whether a list of an account's requests filtered
// by nothing but whether they wait takes its total from inbound_totals
// (migration 0039); tests switch it off to compare with the count.
var inboundTotalsKept = true

// inboundTotal is how many requests match f. The web inbox's filter, the
// account alone with or without "waiting" (waiting says which, and is the
// only condition f may hold besides the account), is read from the totals
// triggers keep (0039) in one primary-key lookup; counting it walked every
// request of the account and read each row for closed_at (0.4–0.7 s at
// 514,329 requests). Any other filter is counted.
func (t *tenantTx) inboundTotal(ctx context.Context, f *filter, waiting bool) (int, error) {
	plain := 1
	if waiting {
		plain = 2
	}
	var total int
	if inboundTotalsKept && len(f.where) == plain {
		col := "inbounds"
		if waiting {
			col = "waiting"
		}
		err := t.queryRow(ctx, `SELECT `+col+` FROM inbound_totals WHERE account_id = ?`, t.accountID).Scan(&total)
		if errors.Is(err, sql.ErrNoRows) {
			// No request was ever taken in: the row comes with the first.
			return 0, nil
		}
		return total, err
	}
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM inbounds l WHERE `+f.sql(), f.args...).Scan(&total)
	return total, err
}

// InboundParent looks the phone and the email up separately, each on its
// own index, and takes the smaller id. "(phone = ? OR email = ?) ORDER BY
// id LIMIT 1" had SQLite walk every request of the account in id order
// (inbounds_account) looking for a match, which for a new contact is all of
// them: 50,000 rows at 100,000 deals.
func (t *tenantTx) InboundParent(ctx context.Context, phone, email string) (int64, error) {
	var parts []string
	var args []any
	for _, m := range []struct{ col, val string }{{"phone", phone}, {"email", email}} {
		if m.val != "" {
			parts = append(parts, `SELECT MIN(id) AS id FROM inbounds WHERE account_id = ? AND `+m.col+` = ? AND parent_id = 0`)
			args = append(args, t.accountID, m.val)
		}
	}
	q := ""
	switch len(parts) {
	case 0:
		return 0, nil
	case 1:
		q = parts[0]
	default:
		q = `SELECT MIN(id) FROM (` + strings.Join(parts, ` UNION ALL `) + `) x`
	}
	var id sql.NullInt64
	err := t.queryRow(ctx, q, args...).Scan(&id)
	return id.Int64, err
}

// links reads a two-column link table into a map from the first to the second.
func (t *tenantTx) links(ctx context.Context, q string, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := t.query(ctx, q+` (`+placeholders(len(ids))+`) ORDER BY 1, 2`, t.idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		out[a] = append(out[a], b)
	}
	return out, rows.Err()
}

func (t *tenantTx) InboundDeals(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	return t.links(ctx, `SELECT inbound_id, deal_id FROM inbound_deals WHERE account_id = ? AND inbound_id IN`, ids)
}

func (t *tenantTx) DealInbounds(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	return t.links(ctx, `SELECT deal_id, inbound_id FROM inbound_deals WHERE account_id = ? AND deal_id IN`, ids)
}

func (t *tenantTx) LinkInboundDeal(ctx context.Context, inboundID, dealID int64) error {
	_, err := t.exec(ctx, t.db.dialect.insertIgnore("inbound_deals", "account_id, inbound_id, deal_id", "?, ?, ?"), t.accountID, inboundID, dealID)
	return err
}

// contactDataInsertColumns are the columns contactDataArgs fills, in its order.
const contactDataInsertColumns = `owner_type, owner_id, kind, value, addon, is_primary, note, birthday, group_id, created_at, updated_at`

func contactDataArgs(c *crm.ContactData) []any {
	return []any{string(c.OwnerType), c.OwnerID, c.Kind, c.Value, c.Addon, c.Primary, c.Note, c.Birthday, c.Group, unix(c.CreatedAt), unix(c.UpdatedAt)}
}

func (t *tenantTx) InsertContactData(ctx context.Context, c *crm.ContactData) error {
	t.dirtyEntity(string(c.OwnerType), c.OwnerID)
	c.AccountID, c.CreatedAt, c.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO contact_data (`+contactDataInsertColumns+`, account_id) VALUES (`+
		placeholders(columnCount(contactDataInsertColumns)+1)+`)`, append(contactDataArgs(c), t.accountID)...)
	c.ID = id
	return err
}

func (t *tenantTx) ContactData(ctx context.Context, owner crm.EntityType, ids []int64) (map[int64][]crm.ContactData, error) {
	out := map[int64][]crm.ContactData{}
	if len(ids) == 0 {
		return out, nil
	}
	args := append([]any{t.accountID, string(owner)}, t.idArgs(ids)[1:]...)
	rows, err := t.query(ctx, `SELECT id, account_id, owner_type, owner_id, kind, value, addon, is_primary, note, birthday, group_id, created_at, updated_at
		FROM contact_data WHERE account_id = ? AND owner_type = ? AND owner_id IN (`+placeholders(len(ids))+`) ORDER BY owner_id, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c crm.ContactData
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.AccountID, &c.OwnerType, &c.OwnerID, &c.Kind, &c.Value, &c.Addon, &c.Primary, &c.Note, &c.Birthday,
			&c.Group, &created, &updated); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
		out[c.OwnerID] = append(out[c.OwnerID], c)
	}
	return out, rows.Err()
}

// ContactsByPhoneOrEmail looks the phone and the email up each on its own
// (a UNION ALL), with no DISTINCT or ORDER BY in SQL: the ids are sorted
// and made unique here. Written as "(phone match OR email match) ORDER BY
// owner_id", SQLite took the (account_id, owner_type, owner_id) index for
// the order and walked every contact data row of the account for each
// lookup, which an import of n clients paid n times (2,000 rows: 92 rows/s).
func (t *tenantTx) ContactsByPhoneOrEmail(ctx context.Context, phone, email string) ([]int64, error) {
	// The kinds come from crm (amoCRM's FAX, OTHER, PRIV … included), so a
	// phone written through amoCRM finds its client too.
	var parts []string
	var args []any
	for _, m := range []struct {
		kinds []string
		value string
	}{{crm.PhoneKinds(), phone}, {crm.EmailKinds(), email}} {
		if m.value != "" {
			parts = append(parts, `SELECT owner_id FROM contact_data WHERE account_id = ? AND owner_type = 'contacts' AND kind IN ('`+
				strings.Join(m.kinds, `', '`)+`') AND value = ?`)
			args = append(args, t.accountID, m.value)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	rows, err := t.query(ctx, strings.Join(parts, ` UNION ALL `), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out), rows.Err()
}

func (t *tenantTx) ServiceValues(ctx context.Context, entity crm.EntityType, ids []int64) (map[int64][]crm.ServiceValue, error) {
	out := map[int64][]crm.ServiceValue{}
	if len(ids) == 0 {
		return out, nil
	}
	args := append([]any{t.accountID, string(entity)}, t.idArgs(ids)[1:]...)
	rows, err := t.query(ctx, `SELECT id, entity_id, field_id, value, created_at, updated_at FROM service_values
		WHERE account_id = ? AND entity_type = ? AND entity_id IN (`+placeholders(len(ids))+`) ORDER BY entity_id, field_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v crm.ServiceValue
		var created int64
		var updated sql.NullInt64
		if err := rows.Scan(&v.ID, &v.EntityID, &v.FieldID, &v.Value, &created, &updated); err != nil {
			return nil, err
		}
		v.CreatedAt, v.UpdatedAt = fromUnix(created), timeOf(updated)
		out[v.EntityID] = append(out[v.EntityID], v)
	}
	return out, rows.Err()
}

func (t *tenantTx) SetServiceValue(ctx context.Context, entity crm.EntityType, id, fieldID int64, value string) error {
	t.dirtyEntity(string(entity), id)
	res, err := t.exec(ctx, `UPDATE service_values SET value = ?, updated_at = ? WHERE account_id = ? AND entity_type = ? AND entity_id = ? AND field_id = ?`,
		value, unix(t.now), t.accountID, string(entity), id, fieldID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO service_values (account_id, entity_type, entity_id, field_id, value, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.accountID, string(entity), id, fieldID, value, unix(t.now))
	return err
}

func (t *tenantTx) InsertLog(ctx context.Context, e *crm.LogEntry) error {
	e.AccountID, e.CreatedAt = t.accountID, t.now
	if len(e.Data) == 0 {
		e.Data = []byte(`{}`)
	}
	// batch_id ties the entries of one write call together (migration
	// 0022): NULL on its first, that first's id on the others.
	id, err := t.insert(ctx, `INSERT INTO logs (account_id, entity_type, entity_id, type_id, data, user_id, employee_id, created_at, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.accountID, string(e.EntityType), e.EntityID, e.TypeID, string(e.Data), e.UserID, e.EmployeeID, unix(t.now), nullID(t.logBatch))
	if err != nil {
		return err
	}
	e.ID, e.Batch = id, t.logBatch
	if t.logBatch == 0 {
		t.logBatch = id
	}
	return nil
}
