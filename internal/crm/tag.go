package crm

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Tag is a label shared by every entity type and dialect: amoCRM customer and
// lead tags and Envybox deal and lead tags are the same records.
type Tag struct {
	ID   int64
	Name string
}

// TagRef names a tag by id or by name (a name that does not exist yet
// creates the tag).
type TagRef struct {
	ID   int64
	Name string
}

// SplitTags parses amoCRM v2's comma-separated tag string, dropping blanks
// and repeats (case-insensitively) while keeping the first spelling.
func SplitTags(s string) []TagRef {
	var out []TagRef
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		key := strings.ToLower(name)
		if name == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, TagRef{Name: name})
	}
	return out
}

const maxTagLength = 255

// resolveTags turns refs into tag ids, creating tags that are named but
// missing. Unknown ids are violations at path.N.id; the error is internal.
func resolveTags(ctx context.Context, tx Tx, v *violations, item int, path string, refs []TagRef) ([]int64, error) {
	ids := []int64{}
	seen := map[int64]bool{}
	for i, ref := range refs {
		p := path + "." + itoa(i)
		var t Tag
		var err error
		switch name := strings.TrimSpace(ref.Name); {
		case ref.ID != 0:
			t, err = tx.Tag(ctx, ref.ID)
			if KindOf(err) == KindNotFound {
				v.add(item, p+".id", ViolationChoice, "The value you selected is not a valid choice.")
				continue
			}
		case name != "":
			if utf8.RuneCountInString(name) > maxTagLength {
				v.add(item, p+".name", ViolationTooLong, "This value is too long.")
				continue
			}
			t, err = tx.EnsureTag(ctx, name)
		default:
			v.add(item, p, ViolationRequired, "A tag needs an id or a name.")
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			ids = append(ids, t.ID)
		}
	}
	return ids, nil
}

// TagStore keeps the account's tags and which entities carry them.
type TagStore interface {
	Tag(ctx context.Context, id int64) (Tag, error)
	// EnsureTag returns the tag with this name (case-insensitively),
	// creating it if needed.
	EnsureTag(ctx context.Context, name string) (Tag, error)
	// EntityTags returns the tags of the given entities.
	EntityTags(ctx context.Context, entity EntityType, ids []int64) (map[int64][]Tag, error)
	// SetEntityTags replaces an entity's tags.
	SetEntityTags(ctx context.Context, entity EntityType, id int64, tagIDs []int64) error
}
