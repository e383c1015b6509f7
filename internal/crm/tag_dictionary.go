package crm

import (
	"context"
	"strings"
)

// Tag dictionaries. amoCRM keeps one tag dictionary per entity type (leads,
// contacts, companies, customers); crmd keeps one tag record per name in an
// account, shared by every entity type and dialect (an Envybox deal tag is
// an amoCRM lead tag). A dictionary is a view of those records: the tags
// ever put in it (created there, or put on one of its entities) and the
// tags its entities carry. So a name has one id in every dictionary, and
// names are unique per account case-insensitively, which includes amoCRM's
// uniqueness per entity type. A tag's colour belongs to its place in the
// leads dictionary: amoCRM colours lead tags only.

// TagDictionary is the dictionary an entity type's tags belong to: inbound
// requests (amoCRM's unsorted, whose tags are the tags of the lead they
// become) use the leads dictionary; every other type has its own.
func TagDictionary(entity EntityType) EntityType {
	if entity == EntityInbound {
		return EntityDeal
	}
	return entity
}

// TagDictionaryEntities are the entity types whose tags dictionary holds.
func TagDictionaryEntities(dictionary EntityType) []EntityType {
	if dictionary == EntityDeal {
		return []EntityType{EntityDeal, EntityInbound}
	}
	return []EntityType{dictionary}
}

// TagColors are the colours a lead tag may have (companion §7), written as
// amoCRM does, without "#".
var TagColors = []string{"EBEBEB", "D0D0D0", "F2DDF7", "D1A4DC", "FF8F92", "FFC8C8", "C7DB8C", "DDEBB5", "8699DA",
	"AABDFF", "FFCE5A", "FFE193", "90CDB0", "C6F4DE", "A9A5D7", "D8D5FF", "86C0FC", "832161", "6A0F49", "0C7C59",
	"10599D", "9D2B32", "247BA0"}

// DictionaryTag is a tag as one dictionary shows it; Color is "" when the
// tag has none (always outside the leads dictionary).
type DictionaryTag struct {
	Tag
	Color string
}

// TagQuery selects tags of a dictionary: by ids, by one exact name
// (case-insensitively), by a part of the name (Search, case-insensitively);
// ordered by id.
type TagQuery struct {
	IDs    []int64
	Name   string
	Search string
	Limit  int
	Offset int
}

// NewTag is a tag to put in a dictionary: its name and, for lead tags, an
// optional colour (one of TagColors).
type NewTag struct {
	Name  string
	Color *string
}

// TagDictionaryStore reads and fills the dictionaries.
type TagDictionaryStore interface {
	// DictionaryTags lists one page of a dictionary's tags and counts all
	// that match q.
	DictionaryTags(ctx context.Context, dictionary EntityType, q TagQuery) ([]DictionaryTag, int, error)
	// PutDictionaryTag puts a tag in a dictionary with a colour ("" none);
	// a tag in it already keeps its colour. It returns the tag as the
	// dictionary shows it.
	PutDictionaryTag(ctx context.Context, dictionary EntityType, tag Tag, color string) (DictionaryTag, error)
}

// tagDictionaries are the dictionaries amoCRM serves.
var tagDictionaries = map[EntityType]bool{EntityDeal: true, EntityContact: true, EntityCompany: true, EntityCustomer: true}

// DictionaryTags lists a dictionary's tags (leads, contacts, companies or
// customers) with the total that match.
// Errors: not found (another entity type).
func (s *Service) DictionaryTags(ctx context.Context, actor Actor, dictionary EntityType, q TagQuery) ([]DictionaryTag, int, error) {
	if !tagDictionaries[dictionary] {
		return nil, 0, Errorf(KindNotFound, "No tags for %s", dictionary)
	}
	q.Name, q.Search = strings.TrimSpace(q.Name), strings.TrimSpace(q.Search)
	var out []DictionaryTag
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, total, err = tx.DictionaryTags(ctx, dictionary, q)
		return err
	})
	return out, total, err
}

// AddDictionaryTags puts tags in a dictionary, all or nothing, and returns
// them in order. A name the account has already (case-insensitively, in any
// dictionary) is that tag, as amoCRM returns the existing tag's id, and
// keeps its spelling and colour; a repeated name in one batch is the same
// tag twice. Colours are for the leads dictionary only.
// Errors: not found (another entity type), invalid (name missing, blank or
// too long; a colour outside TagColors or outside leads).
func (s *Service) AddDictionaryTags(ctx context.Context, actor Actor, dictionary EntityType, in []NewTag) ([]DictionaryTag, error) {
	if !tagDictionaries[dictionary] {
		return nil, Errorf(KindNotFound, "No tags for %s", dictionary)
	}
	var v violations
	if len(in) == 0 {
		v.add(0, "", ViolationRequired, "At least one tag is required.")
	}
	colors := make([]string, len(in))
	for i := range in {
		in[i].Name = strings.TrimSpace(in[i].Name)
		if in[i].Name == "" {
			v.add(i, "name", ViolationBlank, "This value should not be blank.")
		} else {
			v.checkText(i, "name", in[i].Name, maxTagLength)
		}
		if c := in[i].Color; c != nil {
			colors[i] = tagColor(&v, i, dictionary, *c)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out := make([]DictionaryTag, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		for i, n := range in {
			t, err := tx.EnsureTag(ctx, n.Name)
			if err != nil {
				return err
			}
			if out[i], err = tx.PutDictionaryTag(ctx, dictionary, t, colors[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// tagColor checks a written colour: one of TagColors (any case, "#" allowed
// before it, stored as TagColors spells it) and for lead tags only. An
// empty colour is none.
func tagColor(v *violations, item int, dictionary EntityType, c string) string {
	c = strings.TrimPrefix(strings.TrimSpace(c), "#")
	if c == "" {
		return ""
	}
	if dictionary != EntityDeal {
		v.add(item, "color", ViolationUnexpected, "Only lead tags have a colour.")
		return ""
	}
	for _, known := range TagColors {
		if strings.EqualFold(known, c) {
			return known
		}
	}
	v.add(item, "color", ViolationChoice, "The value you selected is not a valid choice.")
	return ""
}
