package envybox

import (
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Deals are rendered in three shapes, each following its own example:
// dealCore is the sixteen members deal/search (strings), deal/create and
// deal/updateEmployee (numbers) show; dealGetJSON has them with deal/get's
// stage, name and linked leads; dealListView is deal/list's row.

// dealNum renders an id as a string (older examples) or a number (newer).
func dealNum(n int64, old bool) any {
	if old {
		return s(n)
	}
	return n
}

// dealClient renders a deal's client. A lead made through amoCRM without
// contacts has none (crm.Deal.ClientID 0): Envybox then shows client_id
// null, the form its other optional ids take, and client_name null.
// deal/list's rows give it as a string otherwise (old).
func dealClient(id int64, old bool) any {
	if id == 0 {
		return nil
	}
	return dealNum(id, old)
}

// dealFlag renders a flag as "0"/"1" (older examples) or 0/1 (newer).
func dealFlag(b bool, old bool) any {
	if old {
		return flag(b)
	}
	return flagN(b)
}

// dealCore is a deal's own record.
func dealCore(c *call, d crm.Deal, old bool) map[string]any {
	oldEmployee := nullableN(d.OldEmployeeID)
	if old {
		oldEmployee = nullableS(d.OldEmployeeID)
	}
	return map[string]any{
		"id":               dealNum(d.ID, old),
		"crm_id":           dealNum(c.actor.AccountID, old),
		"pipeline_id":      dealNum(d.PipelineID, old),
		"client_id":        dealClient(d.ClientID, old),
		"stage_id":         dealNum(d.StageID, old),
		"user_id":          dealNum(d.UserID, old),
		"employee_id":      dealNum(d.EmployeeID, old),
		"old_employee_id":  oldEmployee,
		"department_id":    dealNum(d.DepartmentID, old),
		"inbox_type_id":    dealNum(d.InboxTypeID, old),
		"it_reaction":      dealFlag(d.ItReaction, old),
		"with_event":       dealFlag(d.WithEvent, old),
		"stage_updated_at": at(d.StageUpdatedAt, c.loc),
		"created_at":       at(d.CreatedAt, c.loc),
		"updated_at":       at(d.UpdatedAt, c.loc),
		"deleted_at":       nil,
	}
}

// dealGetJSON is deal/get's result (E12, strings): dealCore's members in
// old-style strings and deal/get's stage, name and linked leads. It is a
// struct, not a map, because a read by id is the hottest path there is and
// a map of sixteen interfaces cost more to build and to encode (sorting its
// keys) than the struct; its fields are in the order of their names, the
// order encoding/json wrote the map in, so the bytes are the same.
type dealGetJSON struct {
	// ChildDeals is set (a []dealGetJSON, [] for none) only when asked
	// for with "with": ["child_deals"].
	ChildDeals      any      `json:"child_deals,omitempty"`
	ClientID        *string  `json:"client_id"`
	ConnectedLeadID []string `json:"connected_lead_id"`
	CreatedAt       *string  `json:"created_at"`
	CrmID           string   `json:"crm_id"`
	DeletedAt       *string  `json:"deleted_at"`
	DepartmentID    string   `json:"department_id"`
	EmployeeID      string   `json:"employee_id"`
	ID              string   `json:"id"`
	InboxTypeID     string   `json:"inbox_type_id"`
	ItReaction      string   `json:"it_reaction"`
	Name            string   `json:"name"`
	OldEmployeeID   *string  `json:"old_employee_id"`
	// ParentDeal is set only when asked for: a *dealGetJSON, nil (null)
	// for a deal made from none.
	ParentDeal     any     `json:"parent_deal,omitempty"`
	PipelineID     string  `json:"pipeline_id"`
	StageColor     string  `json:"stage_color"`
	StageID        string  `json:"stage_id"`
	StageName      string  `json:"stage_name"`
	StageUpdatedAt *string `json:"stage_updated_at"`
	StatusID       string  `json:"status_id"`
	UpdatedAt      *string `json:"updated_at"`
	UserID         string  `json:"user_id"`
	WithEvent      string  `json:"with_event"`
}

// dealGetView is deal/get's result for one deal.
func dealGetView(c *call, d crm.Deal) *dealGetJSON {
	return &dealGetJSON{
		ClientID:        optionalID(d.ClientID),
		ConnectedLeadID: dealIDStrings(d.InboundIDs),
		CreatedAt:       optionalAt(d.CreatedAt, c.loc),
		CrmID:           s(c.actor.AccountID),
		DepartmentID:    s(d.DepartmentID),
		EmployeeID:      s(d.EmployeeID),
		ID:              s(d.ID),
		InboxTypeID:     s(d.InboxTypeID),
		ItReaction:      flag(d.ItReaction),
		Name:            d.Name,
		OldEmployeeID:   optionalID(d.OldEmployeeID),
		PipelineID:      s(d.PipelineID),
		StageColor:      d.Stage.Color,
		StageID:         s(d.StageID),
		StageName:       d.Stage.Name,
		StageUpdatedAt:  optionalAt(d.StageUpdatedAt, c.loc),
		StatusID:        s(int64(d.Stage.Status)),
		UpdatedAt:       optionalAt(d.UpdatedAt, c.loc),
		UserID:          s(d.UserID),
		WithEvent:       flag(d.WithEvent),
	}
}

// optionalID is nullableS for a typed field: an id as a string, nil (null)
// for 0.
func optionalID(n int64) *string {
	if n == 0 {
		return nil
	}
	v := s(n)
	return &v
}

// optionalAt is at for a typed field: nil (null) for the zero time.
func optionalAt(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	v := t.In(loc).Format(time.DateTime)
	return &v
}

// dealListJSON is one row of deal/list (E19, strings). It is a struct,
// not a map, for the reason dealGetJSON is: the list's fifty rows of
// sixteen members, each with its values' maps, were a third of deal/list's
// CPU to build as maps and to encode (encoding/json sorting every map's
// keys by reflection). Its fields are in the order of their names, the
// order encoding/json wrote the maps in, so the bytes are the same
// (TestDealListStructsMatchMaps).
type dealListJSON struct {
	ClientID        *string            `json:"client_id"`
	ClientName      *string            `json:"client_name"`
	ConnectedLeadID []string           `json:"connected_lead_id"`
	CreatedAt       *string            `json:"created_at"`
	DepartmentID    string             `json:"department_id"`
	EmployeeID      string             `json:"employee_id"`
	ID              string             `json:"id"`
	InboxTypeID     string             `json:"inbox_type_id"`
	PipelineID      string             `json:"pipeline_id"`
	Stage           string             `json:"stage"`
	StageColor      string             `json:"stage_color"`
	StageID         string             `json:"stage_id"`
	StageUpdatedAt  *string            `json:"stage_updated_at"`
	StatusID        string             `json:"status_id"`
	UserID          string             `json:"user_id"`
	Values          dealListValuesJSON `json:"values"`
}

// dealListValuesJSON is a row's values (dealListView): custom is never
// nil ([] for none).
type dealListValuesJSON struct {
	Custom  []dealCustomValueJSON            `json:"custom"`
	Service map[string]*dealServiceValueJSON `json:"service"`
}

// dealServiceValueJSON is a service value of a row, keyed by its name_id.
// Mask and DeletedAt are always null: Envybox shows them, crmd keeps
// neither.
type dealServiceValueJSON struct {
	CreatedAt *string `json:"created_at"`
	CrmID     string  `json:"crm_id"`
	DealID    string  `json:"deal_id"`
	DeletedAt *string `json:"deleted_at"`
	ID        string  `json:"id"`
	InputID   string  `json:"input_id"`
	Mask      *string `json:"mask"`
	Name      string  `json:"name"`
	NameID    string  `json:"name_id"`
	TypeID    string  `json:"type_id"`
	UpdatedAt *string `json:"updated_at"`
	Value     string  `json:"value"`
}

// dealCustomValueJSON is a custom value of a row (always null: Mask,
// DeletedAt).
type dealCustomValueJSON struct {
	CrmID     string  `json:"crm_id"`
	DealID    string  `json:"deal_id"`
	DeletedAt *string `json:"deleted_at"`
	InputID   string  `json:"input_id"`
	Mask      *string `json:"mask"`
	Name      string  `json:"name"`
	NameID    string  `json:"name_id"`
	TypeID    string  `json:"type_id"`
	Value     string  `json:"value"`
}

// dealListView is one row of deal/list (E19, strings). crmID is the
// account's id as a string, written once per list rather than per value.
func dealListView(c *call, crmID string, d crm.Deal) dealListJSON {
	id := s(d.ID)
	var name *string
	if d.ClientName != "" {
		name = &d.ClientName
	}
	return dealListJSON{
		ClientID:        optionalID(d.ClientID),
		ClientName:      name,
		ConnectedLeadID: dealIDStrings(d.InboundIDs),
		CreatedAt:       optionalAt(d.CreatedAt, c.loc),
		DepartmentID:    s(d.DepartmentID),
		EmployeeID:      s(d.EmployeeID),
		ID:              id,
		InboxTypeID:     s(d.InboxTypeID),
		PipelineID:      s(d.PipelineID),
		Stage:           d.Stage.Name,
		StageColor:      d.Stage.Color,
		StageID:         s(d.StageID),
		StageUpdatedAt:  optionalAt(d.StageUpdatedAt, c.loc),
		StatusID:        s(int64(d.Stage.Status)),
		UserID:          s(d.UserID),
		Values:          dealValuesView(c, crmID, id, d),
	}
}

// dealIDStrings renders ids as Envybox's array of strings (lead/get's
// "deals", deal/get's "connected_lead_id").
func dealIDStrings(ids []int64) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, s(id))
	}
	return out
}

// dealValuesView is a deal's values: service values keyed by name_id, as
// E19 shows them, and custom values. Envybox never shows a non-empty
// "custom"; crmd writes a list of objects of the service values' shape
// (type_id "2", name_id "crm_<id>"), [] when there are none. crmID and
// dealID are the account's and the deal's ids as strings.
func dealValuesView(c *call, crmID, dealID string, d crm.Deal) dealListValuesJSON {
	out := dealListValuesJSON{Custom: []dealCustomValueJSON{}, Service: make(map[string]*dealServiceValueJSON, len(d.Values))}
	for _, v := range d.Values {
		f, ok := crm.ServiceFieldByID(crm.EntityDeal, v.FieldID)
		if !ok {
			continue
		}
		out.Service[f.NameID] = &dealServiceValueJSON{
			CreatedAt: optionalAt(v.CreatedAt, c.loc),
			CrmID:     crmID,
			DealID:    dealID,
			ID:        s(v.ID),
			InputID:   s(f.ID),
			Name:      f.Name,
			NameID:    f.NameID,
			TypeID:    "1",
			UpdatedAt: optionalAt(v.UpdatedAt, c.loc),
			Value:     v.Value,
		}
	}
	for _, fv := range d.Fields {
		if len(fv.Values) == 0 {
			continue
		}
		input := s(fv.FieldID)
		out.Custom = append(out.Custom, dealCustomValueJSON{
			CrmID:   crmID,
			DealID:  dealID,
			InputID: input,
			Name:    fv.FieldName,
			NameID:  "crm_" + input,
			TypeID:  "2",
			Value:   customValueText(fv, c.loc),
		})
	}
	return out
}

// customValueText is a custom value as Envybox writes one: the text; for
// list fields the option id (Envybox list values are option ids); dates in
// the account's time zone. Several values are joined with commas.
func customValueText(fv crm.FieldValue, loc *time.Location) string {
	parts := make([]string, 0, len(fv.Values))
	for _, v := range fv.Values {
		switch {
		case fv.FieldType.HasEnums() && v.EnumID != 0:
			parts = append(parts, strconv.FormatInt(v.EnumID, 10))
		case fv.FieldType == crm.FieldDate:
			parts = append(parts, time.Unix(v.Unix(), 0).In(loc).Format(time.DateOnly))
		case fv.FieldType == crm.FieldDateTime:
			parts = append(parts, time.Unix(v.Unix(), 0).In(loc).Format(time.DateTime))
		default:
			parts = append(parts, v.Text)
		}
	}
	return strings.Join(parts, ",")
}
