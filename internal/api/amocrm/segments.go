package amocrm

import (
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

type segmentJSON struct {
	ID                          int64            `json:"id"`
	CreatedAt                   int64            `json:"created_at"`
	UpdatedAt                   int64            `json:"updated_at"`
	AccountID                   int64            `json:"account_id"`
	Name                        string           `json:"name"`
	Color                       string           `json:"color"`
	AvailableProductsPriceTypes []int64          `json:"available_products_price_types"`
	CustomersCount              int              `json:"customers_count"`
	CustomFieldsValues          []fieldValueJSON `json:"custom_fields_values"`
	RequestID                   string           `json:"request_id,omitempty"`
	Links                       selfLinks        `json:"_links"`
}

type fieldValueJSON struct {
	Values    []valueJSON `json:"values"`
	FieldID   int64       `json:"field_id"`
	FieldName string      `json:"field_name"`
	FieldCode *string     `json:"field_code"`
	FieldType string      `json:"field_type"`
}

type valueJSON struct {
	Value  any   `json:"value"`
	EnumID int64 `json:"enum_id,omitempty"`
}

// toFieldValuesJSON renders values as amoCRM reads them back: checkboxes as
// bools, dates as Unix seconds, everything else as text; enum values carry
// their enum_id.
func toFieldValuesJSON(values []crm.FieldValue) []fieldValueJSON {
	out := make([]fieldValueJSON, 0, len(values))
	for _, fv := range values {
		j := fieldValueJSON{FieldID: fv.FieldID, FieldName: fv.FieldName, FieldType: string(fv.FieldType), Values: []valueJSON{}}
		if fv.FieldCode != "" {
			code := fv.FieldCode
			j.FieldCode = &code
		}
		for _, v := range fv.Values {
			var val any = v.Text
			switch fv.FieldType {
			case crm.FieldCheckbox:
				val = v.Bool()
			case crm.FieldDate, crm.FieldDateTime:
				val = v.Unix()
			}
			j.Values = append(j.Values, valueJSON{Value: val, EnumID: v.EnumID})
		}
		out = append(out, j)
	}
	return out
}

func segmentPath(id int64) string { return "/api/v4/customers/segments/" + strconv.FormatInt(id, 10) }

func toSegmentJSON(r *http.Request, s crm.Segment) segmentJSON {
	price := s.PriceTypes
	if price == nil {
		price = []int64{}
	}
	return segmentJSON{ID: s.ID, CreatedAt: s.CreatedAt.Unix(), UpdatedAt: s.UpdatedAt.Unix(), AccountID: s.AccountID,
		Name: s.Name, Color: s.Color, AvailableProductsPriceTypes: price, CustomersCount: s.CustomersCount,
		CustomFieldsValues: toFieldValuesJSON(s.Fields), Links: selfLink(r, segmentPath(s.ID))}
}

func (h *handler) listSegments(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	list, total, page, err := h.svc.Segments(r.Context(), actor, page)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toSegmentJSON)
	writeList(w, len(items), paged(r, page, total, "segments", items, false))
	return nil
}

func (h *handler) getSegment(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	return getByID(w, r, func(id int64) (crm.Segment, error) { return h.svc.Segment(r.Context(), actor, id) }, toSegmentJSON)
}

// addSegment serves POST /api/v4/customers/segments, which takes one object
// (seed 000's example) and answers the created segment.
func (h *handler) addSegment(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	body, err := readSingle(r)
	if err != nil {
		return err
	}
	n := crm.NewSegment{Name: body.str("name"), Color: body.str("color")}
	if p := body.int64s("available_products_price_types"); p != nil {
		n.PriceTypes = *p
	}
	n.Fields, _ = body.fieldValues("custom_fields_values")
	if err := body.decodeErr(); err != nil {
		return err
	}
	s, err := h.svc.AddSegment(r.Context(), actor, n)
	if err != nil {
		return body.wrap(err)
	}
	writeSegment(w, r, s, body)
	return nil
}

// writeSegment answers a written segment. Seed 000's examples carry no
// request_id, so it is echoed only when the client sent one.
func writeSegment(w http.ResponseWriter, r *http.Request, s crm.Segment, body *singleBody) {
	out := toSegmentJSON(r, s)
	if body.sentRequestID {
		out.RequestID = body.requestID
	}
	writeHAL(w, http.StatusOK, out)
}

func (h *handler) patchSegment(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readSingle(r)
	if err != nil {
		return err
	}
	p := crm.SegmentPatch{Name: body.str("name"), Color: body.str("color"), PriceTypes: body.int64s("available_products_price_types")}
	p.Fields, p.HasFields = body.fieldValues("custom_fields_values")
	if err := body.decodeErr(); err != nil {
		return err
	}
	s, err := h.svc.UpdateSegment(r.Context(), actor, id, p)
	if err != nil {
		return body.wrap(err)
	}
	writeSegment(w, r, s, body)
	return nil
}
