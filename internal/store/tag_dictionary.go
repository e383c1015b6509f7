package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// A dictionary holds the tags with a tag_dictionaries row for it (put there
// by amoCRM's POST …/tags or by tagging one of its entities, see
// SetEntityTags) and the tags its entities carry (also those written in
// bulk, which adds no rows).

// dictionaryFilter is the WHERE of a dictionary query over tags tg joined
// to its rows d.
func (t *tenantTx) dictionaryFilter(dictionary crm.EntityType, q crm.TagQuery) *filter {
	f := &filter{}
	f.add(`tg.account_id = ?`, t.accountID)
	entities := crm.TagDictionaryEntities(dictionary)
	args := []any{}
	for _, e := range entities {
		args = append(args, string(e))
	}
	f.add(`(d.tag_id IS NOT NULL OR EXISTS (SELECT 1 FROM entity_tags et WHERE et.account_id = tg.account_id
		AND et.tag_id = tg.id AND et.entity_type IN (`+placeholders(len(entities))+`)))`, args...)
	f.in(`tg.id`, q.IDs)
	if q.Name != "" {
		f.add(`tg.name_key = ?`, strings.ToLower(q.Name))
	}
	if q.Search != "" {
		f.add(t.db.dialect.contains(`tg.name_key`), strings.ToLower(q.Search))
	}
	return f
}

func (t *tenantTx) DictionaryTags(ctx context.Context, dictionary crm.EntityType, q crm.TagQuery) ([]crm.DictionaryTag, int, error) {
	f := t.dictionaryFilter(dictionary, q)
	from := ` FROM tags tg LEFT JOIN tag_dictionaries d ON d.account_id = tg.account_id AND d.tag_id = tg.id AND d.entity_type = ?
		WHERE ` + f.sql()
	args := append([]any{string(dictionary)}, f.args...)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := t.query(ctx, `SELECT tg.id, tg.name, d.color`+from+` ORDER BY tg.id LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.DictionaryTag{}
	for rows.Next() {
		var tag crm.DictionaryTag
		var color sql.NullString
		if err := rows.Scan(&tag.ID, &tag.Name, &color); err != nil {
			return nil, 0, err
		}
		tag.Color = color.String
		out = append(out, tag)
	}
	return out, total, rows.Err()
}

func (t *tenantTx) PutDictionaryTag(ctx context.Context, dictionary crm.EntityType, tag crm.Tag, color string) (crm.DictionaryTag, error) {
	var c sql.NullString
	if color != "" {
		c = sql.NullString{String: color, Valid: true}
	}
	if _, err := t.exec(ctx, t.db.dialect.insertIgnore("tag_dictionaries", "account_id, entity_type, tag_id, color", "?, ?, ?, ?"),
		t.accountID, string(dictionary), tag.ID, c); err != nil {
		return crm.DictionaryTag{}, err
	}
	out := crm.DictionaryTag{Tag: tag}
	err := t.queryRow(ctx, `SELECT color FROM tag_dictionaries WHERE account_id = ? AND entity_type = ? AND tag_id = ?`,
		t.accountID, string(dictionary), tag.ID).Scan(&c)
	out.Color = c.String
	return out, err
}

// putInDictionary puts tags on an entity of this type in its dictionary.
func (t *tenantTx) putInDictionary(ctx context.Context, entity crm.EntityType, tagIDs []int64) error {
	dictionary := string(crm.TagDictionary(entity))
	for _, tag := range tagIDs {
		if _, err := t.exec(ctx, t.db.dialect.insertIgnore("tag_dictionaries", "account_id, entity_type, tag_id", "?, ?, ?"),
			t.accountID, dictionary, tag); err != nil {
			return err
		}
	}
	return nil
}
