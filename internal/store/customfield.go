package store

import (
	"context"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

const fieldColumns = `id, account_id, entity_type, name, code, sort, type`

func scanField(row scanner) (crm.CustomField, error) {
	var f crm.CustomField
	err := row.Scan(&f.ID, &f.AccountID, &f.EntityType, &f.Name, &f.Code, &f.Sort, &f.Type)
	return f, err
}

// loadEnums fills the enums of the given fields with one query.
func (t *tenantTx) loadEnums(ctx context.Context, fields []crm.CustomField) error {
	if len(fields) == 0 {
		return nil
	}
	index := make(map[int64]int, len(fields))
	args := []any{t.accountID}
	for i, f := range fields {
		index[f.ID] = i
		args = append(args, f.ID)
	}
	rows, err := t.query(ctx, `SELECT id, field_id, value, sort, code FROM custom_field_enums
		WHERE account_id = ? AND field_id IN (`+placeholders(len(fields))+`) ORDER BY sort, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e crm.Enum
		var fieldID int64
		if err := rows.Scan(&e.ID, &fieldID, &e.Value, &e.Sort, &e.Code); err != nil {
			return err
		}
		f := &fields[index[fieldID]]
		f.Enums = append(f.Enums, e)
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func (t *tenantTx) scanFields(ctx context.Context, q string, args ...any) ([]crm.CustomField, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out := []crm.CustomField{}
	for rows.Next() {
		f, err := scanField(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, t.loadEnums(ctx, out)
}

func (t *tenantTx) CustomFields(ctx context.Context, entity crm.EntityType, q crm.FieldQuery) ([]crm.CustomField, int, error) {
	where := `account_id = ? AND entity_type = ?`
	args := []any{t.accountID, string(entity)}
	if len(q.Types) > 0 {
		where += ` AND type IN (` + placeholders(len(q.Types)) + `)`
		for _, ty := range q.Types {
			args = append(args, string(ty))
		}
	}
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM custom_fields WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	dir := "ASC"
	if q.Desc {
		dir = "DESC"
	}
	order := "sort " + dir + ", id " + dir
	if q.OrderBy == "id" {
		order = "id " + dir
	}
	fields, err := t.scanFields(ctx, `SELECT `+fieldColumns+` FROM custom_fields WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, q.Page.Limit, q.Page.Offset())...)
	return fields, total, err
}

func (t *tenantTx) AllCustomFields(ctx context.Context, entity crm.EntityType) ([]crm.CustomField, error) {
	return t.scanFields(ctx, `SELECT `+fieldColumns+` FROM custom_fields WHERE account_id = ? AND entity_type = ? ORDER BY sort, id`,
		t.accountID, string(entity))
}

func (t *tenantTx) CustomField(ctx context.Context, entity crm.EntityType, id int64) (crm.CustomField, error) {
	fields, err := t.scanFields(ctx, `SELECT `+fieldColumns+` FROM custom_fields WHERE account_id = ? AND entity_type = ? AND id = ?`,
		t.accountID, string(entity), id)
	if err != nil {
		return crm.CustomField{}, err
	}
	if len(fields) == 0 {
		return crm.CustomField{}, crm.Errorf(crm.KindNotFound, "Custom field not found")
	}
	return fields[0], nil
}

func (t *tenantTx) CountCustomFields(ctx context.Context, entity crm.EntityType) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM custom_fields WHERE account_id = ? AND entity_type = ?`, t.accountID, string(entity)).Scan(&n)
	return n, err
}

func (t *tenantTx) InsertCustomField(ctx context.Context, f *crm.CustomField) error {
	f.AccountID = t.accountID
	id, err := t.insert(ctx, `INSERT INTO custom_fields (account_id, entity_type, name, code, sort, type, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.accountID, string(f.EntityType), f.Name, f.Code, f.Sort, string(f.Type), unix(t.now), unix(t.now))
	if err != nil {
		return err
	}
	f.ID = id
	return t.saveEnums(ctx, f)
}

// saveEnums inserts new enums, updates kept ones and deletes the rest; values
// that chose a deleted enum go with it (ON DELETE CASCADE).
func (t *tenantTx) saveEnums(ctx context.Context, f *crm.CustomField) error {
	// Renamed or deleted options change the texts deal searches read.
	t.dirtyAll(f.EntityType)
	keep := []any{t.accountID, f.ID}
	for i := range f.Enums {
		e := &f.Enums[i]
		if e.ID == 0 {
			continue
		}
		keep = append(keep, e.ID)
		if _, err := t.exec(ctx, `UPDATE custom_field_enums SET value = ?, sort = ?, code = ? WHERE account_id = ? AND field_id = ? AND id = ?`,
			e.Value, e.Sort, e.Code, t.accountID, f.ID, e.ID); err != nil {
			return err
		}
		// Values store the enum's text for searching; keep them in step.
		if _, err := t.exec(ctx, `UPDATE field_values SET value = ? WHERE account_id = ? AND enum_id = ?`, e.Value, t.accountID, e.ID); err != nil {
			return err
		}
	}
	del := `DELETE FROM custom_field_enums WHERE account_id = ? AND field_id = ?`
	if len(keep) > 2 {
		del += ` AND id NOT IN (` + placeholders(len(keep)-2) + `)`
	}
	if _, err := t.exec(ctx, del, keep...); err != nil {
		return err
	}
	for i := range f.Enums {
		e := &f.Enums[i]
		if e.ID != 0 {
			continue
		}
		id, err := t.insert(ctx, `INSERT INTO custom_field_enums (account_id, field_id, value, sort, code) VALUES (?, ?, ?, ?, ?)`,
			t.accountID, f.ID, e.Value, e.Sort, e.Code)
		if err != nil {
			return err
		}
		e.ID = id
	}
	return nil
}

func (t *tenantTx) UpdateCustomField(ctx context.Context, f *crm.CustomField) error {
	res, err := t.exec(ctx, `UPDATE custom_fields SET name = ?, code = ?, sort = ?, updated_at = ? WHERE account_id = ? AND entity_type = ? AND id = ?`,
		f.Name, f.Code, f.Sort, unix(t.now), t.accountID, string(f.EntityType), f.ID)
	if err := affected(res, err, "Custom field"); err != nil {
		return err
	}
	if !f.Type.HasEnums() {
		return nil
	}
	return t.saveEnums(ctx, f)
}

func (t *tenantTx) DeleteCustomField(ctx context.Context, entity crm.EntityType, id int64) error {
	// Values and enums go by ON DELETE CASCADE.
	t.dirtyAll(entity)
	res, err := t.exec(ctx, `DELETE FROM custom_fields WHERE account_id = ? AND entity_type = ? AND id = ?`, t.accountID, string(entity), id)
	return affected(res, err, "Custom field")
}

func (t *tenantTx) FieldValues(ctx context.Context, entity crm.EntityType, ids []int64) (map[int64][]crm.FieldValue, error) {
	out := make(map[int64][]crm.FieldValue, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{t.accountID, string(entity)}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := t.query(ctx, `SELECT v.entity_id, f.id, f.name, f.code, f.type, v.value, COALESCE(v.enum_id, 0), COALESCE(e.code, ''), v.subtype
		FROM field_values v
		JOIN custom_fields f ON f.id = v.field_id AND f.account_id = v.account_id
		LEFT JOIN custom_field_enums e ON e.id = v.enum_id AND e.account_id = v.account_id
		WHERE v.account_id = ? AND v.entity_type = ? AND v.entity_id IN (`+placeholders(len(ids))+`)
		ORDER BY v.entity_id, f.sort, f.id, v.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var entityID int64
		var fv crm.FieldValue
		var v crm.Value
		if err := rows.Scan(&entityID, &fv.FieldID, &fv.FieldName, &fv.FieldCode, &fv.FieldType, &v.Text, &v.EnumID, &v.EnumCode, &v.Subtype); err != nil {
			return nil, err
		}
		list := out[entityID]
		if n := len(list); n > 0 && list[n-1].FieldID == fv.FieldID {
			list[n-1].Values = append(list[n-1].Values, v)
		} else {
			fv.Values = []crm.Value{v}
			list = append(list, fv)
		}
		out[entityID] = list
	}
	return out, rows.Err()
}

func (t *tenantTx) SetFieldValues(ctx context.Context, entity crm.EntityType, id int64, values []crm.FieldValue) error {
	t.dirtyEntity(string(entity), id)
	for _, fv := range values {
		if _, err := t.exec(ctx, `DELETE FROM field_values WHERE account_id = ? AND entity_type = ? AND entity_id = ? AND field_id = ?`,
			t.accountID, string(entity), id, fv.FieldID); err != nil {
			return err
		}
		for pos, v := range fv.Values {
			var enumID any
			if v.EnumID != 0 {
				enumID = v.EnumID
			}
			if _, err := t.exec(ctx, `INSERT INTO field_values (account_id, entity_type, entity_id, field_id, position, value, enum_id, subtype) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				t.accountID, string(entity), id, fv.FieldID, pos, v.Text, enumID, v.Subtype); err != nil {
				return err
			}
		}
	}
	return nil
}
