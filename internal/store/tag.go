package store

import (
	"context"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

func (t *tenantTx) Tag(ctx context.Context, id int64) (crm.Tag, error) {
	var tag crm.Tag
	err := t.queryRow(ctx, `SELECT id, name FROM tags WHERE account_id = ? AND id = ?`, t.accountID, id).Scan(&tag.ID, &tag.Name)
	return tag, notFound(err, "Tag")
}

// EnsureTag finds a tag by its case-folded name or creates it. The write
// lock of the account makes find-then-insert safe.
func (t *tenantTx) EnsureTag(ctx context.Context, name string) (crm.Tag, error) {
	key := strings.ToLower(name)
	tag := crm.Tag{Name: name}
	err := t.queryRow(ctx, `SELECT id, name FROM tags WHERE account_id = ? AND name_key = ?`, t.accountID, key).Scan(&tag.ID, &tag.Name)
	if err == nil {
		return tag, nil
	}
	if crm.KindOf(notFound(err, "Tag")) != crm.KindNotFound {
		return tag, err
	}
	tag.ID, err = t.insert(ctx, `INSERT INTO tags (account_id, name, name_key) VALUES (?, ?, ?)`, t.accountID, name, key)
	return tag, err
}

func (t *tenantTx) EntityTags(ctx context.Context, entity crm.EntityType, ids []int64) (map[int64][]crm.Tag, error) {
	out := make(map[int64][]crm.Tag, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{t.accountID, string(entity)}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := t.query(ctx, `SELECT et.entity_id, tg.id, tg.name FROM entity_tags et
		JOIN tags tg ON tg.id = et.tag_id AND tg.account_id = et.account_id
		WHERE et.account_id = ? AND et.entity_type = ? AND et.entity_id IN (`+placeholders(len(ids))+`)
		ORDER BY et.entity_id, et.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag crm.Tag
		if err := rows.Scan(&id, &tag.ID, &tag.Name); err != nil {
			return nil, err
		}
		out[id] = append(out[id], tag)
	}
	return out, rows.Err()
}

func (t *tenantTx) SetEntityTags(ctx context.Context, entity crm.EntityType, id int64, tagIDs []int64) error {
	if _, err := t.exec(ctx, `DELETE FROM entity_tags WHERE account_id = ? AND entity_type = ? AND entity_id = ?`, t.accountID, string(entity), id); err != nil {
		return err
	}
	for pos, tag := range tagIDs {
		if _, err := t.exec(ctx, `INSERT INTO entity_tags (account_id, entity_type, entity_id, tag_id, position) VALUES (?, ?, ?, ?, ?)`,
			t.accountID, string(entity), id, tag, pos); err != nil {
			return err
		}
	}
	// A tag once on an entity stays in its type's amoCRM dictionary.
	return t.putInDictionary(ctx, entity, tagIDs)
}
