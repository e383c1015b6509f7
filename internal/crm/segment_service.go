package crm

import "context"

// Segments returns a page of segments with their field values, and the total.
// Errors: invalid (page), unprocessable (segments mode off).
func (s *Service) Segments(ctx context.Context, actor Actor, page Page) ([]Segment, int, Page, error) {
	if err := page.normalize(); err != nil {
		return nil, 0, page, err
	}
	var out []Segment
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if err := requireMode(ctx, tx, CustomersSegments); err != nil {
			return err
		}
		if out, total, err = tx.Segments(ctx, page); err != nil {
			return err
		}
		return attachSegmentFields(ctx, tx, out)
	})
	return out, total, page, err
}

func attachSegmentFields(ctx context.Context, tx Tx, segs []Segment) error {
	if len(segs) == 0 {
		return nil
	}
	ids := make([]int64, len(segs))
	for i := range segs {
		ids[i] = segs[i].ID
	}
	values, err := tx.FieldValues(ctx, EntitySegment, ids)
	if err != nil {
		return err
	}
	for i := range segs {
		segs[i].Fields = values[segs[i].ID]
	}
	return nil
}

func loadSegment(ctx context.Context, tx Tx, id int64) (Segment, error) {
	seg, err := tx.Segment(ctx, id)
	if err != nil {
		return Segment{}, err
	}
	one := []Segment{seg}
	err = attachSegmentFields(ctx, tx, one)
	return one[0], err
}

// Segment returns one segment. Errors: not found, unprocessable.
func (s *Service) Segment(ctx context.Context, actor Actor, id int64) (Segment, error) {
	var out Segment
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		if err := requireMode(ctx, tx, CustomersSegments); err != nil {
			return err
		}
		out, err = loadSegment(ctx, tx, id)
		return err
	})
	return out, err
}

// AddSegment creates a segment with its field values.
// Errors: forbidden, invalid, unprocessable, limit.
func (s *Service) AddSegment(ctx context.Context, actor Actor, n NewSegment) (Segment, error) {
	if err := actor.requireAdmin(); err != nil {
		return Segment{}, err
	}
	var v violations
	n.validate(&v)
	if err := v.err(); err != nil {
		return Segment{}, err
	}
	var out Segment
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := requireMode(ctx, tx, CustomersSegments); err != nil {
			return err
		}
		values, err := resolveFields(ctx, tx, EntitySegment, n.Fields)
		if err != nil {
			return err
		}
		count, err := tx.CountSegments(ctx)
		if err != nil {
			return err
		}
		if count >= MaxSegments {
			return Errorf(KindLimit, "Too many customer segments: an account can have at most %d", MaxSegments)
		}
		seg := Segment{Name: *n.Name, Color: SegmentColors[0], PriceTypes: n.PriceTypes}
		if n.Color != nil {
			seg.Color = *n.Color
		}
		if err := tx.InsertSegment(ctx, &seg); err != nil {
			return err
		}
		if err := tx.SetFieldValues(ctx, EntitySegment, seg.ID, values); err != nil {
			return err
		}
		out, err = loadSegment(ctx, tx, seg.ID)
		return err
	})
	return out, err
}

// UpdateSegment changes a segment. Errors: forbidden, invalid, not found, unprocessable.
func (s *Service) UpdateSegment(ctx context.Context, actor Actor, id int64, p SegmentPatch) (Segment, error) {
	if err := actor.requireAdmin(); err != nil {
		return Segment{}, err
	}
	var v violations
	p.validate(&v)
	if err := v.err(); err != nil {
		return Segment{}, err
	}
	var out Segment
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := requireMode(ctx, tx, CustomersSegments); err != nil {
			return err
		}
		seg, err := tx.Segment(ctx, id)
		if err != nil {
			return err
		}
		values, err := resolveFields(ctx, tx, EntitySegment, p.Fields)
		if err != nil {
			return err
		}
		if p.Name != nil {
			seg.Name = *p.Name
		}
		if p.Color != nil {
			seg.Color = *p.Color
		}
		if p.PriceTypes != nil {
			seg.PriceTypes = *p.PriceTypes
		}
		if err := tx.UpdateSegment(ctx, &seg); err != nil {
			return err
		}
		if err := tx.SetFieldValues(ctx, EntitySegment, seg.ID, values); err != nil {
			return err
		}
		out, err = loadSegment(ctx, tx, seg.ID)
		return err
	})
	return out, err
}

// DeleteSegment deletes a segment; its customers leave it.
// Errors: forbidden, not found, unprocessable.
func (s *Service) DeleteSegment(ctx context.Context, actor Actor, id int64) error {
	if err := actor.requireAdmin(); err != nil {
		return err
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if err := requireMode(ctx, tx, CustomersSegments); err != nil {
			return err
		}
		return tx.DeleteSegment(ctx, id)
	})
}

// resolveFields validates a single object's custom_fields_values against the
// entity's field definitions and returns the values to store.
func resolveFields(ctx context.Context, tx Tx, entity EntityType, in []FieldValueInput) ([]FieldValue, error) {
	if len(in) == 0 {
		return nil, nil
	}
	defs, err := tx.AllCustomFields(ctx, entity)
	if err != nil {
		return nil, err
	}
	var v violations
	values := resolveFieldValues(&v, 0, "custom_fields_values", defs, in)
	return values, v.err()
}
