package webhook

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// ContentTypeJSON is the content type of crmd's webhooks.
const ContentTypeJSON = "application/json"

// CRMDFormat is crmd's own webhook body: one JSON event per delivery
// (docs/webhooks.md), its lead as it is when the event is handed out.
type CRMDFormat struct {
	Service *crm.Service
}

// Payload is the body of a crmd webhook delivery.
type Payload struct {
	// ID is the event id: a receiver that has seen it already ignores it
	// (deliveries are at least once).
	ID         string          `json:"id"`
	Type       crm.EventType   `json:"type"`
	OccurredAt time.Time       `json:"occurred_at"`
	AccountID  int64           `json:"account_id"`
	Actor      PayloadActor    `json:"actor"`
	Entity     PayloadEntity   `json:"entity"`
	Changes    []PayloadChange `json:"changes,omitempty"`
	Text       string          `json:"text,omitempty"`
	Link       *PayloadEntity  `json:"link,omitempty"`
	Tags       []string        `json:"tags,omitempty"`
	// Lead is the lead of lead events (and of notes on a lead).
	Lead *PayloadLead `json:"lead,omitempty"`
}

// PayloadActor is who made the change; user_id 0: the API or a robot.
type PayloadActor struct {
	UserID int64 `json:"user_id"`
}

// PayloadEntity names a record.
type PayloadEntity struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// PayloadChange is one field's move, before and after. Field is "name",
// "price", "responsible_user_id", "status" ({"pipeline_id","status_id"}),
// "text", "deadline", "task_type" or "cf:<field id>".
type PayloadChange struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// PayloadLead is a lead's state.
type PayloadLead struct {
	ID                int64          `json:"id"`
	Name              string         `json:"name"`
	Price             int64          `json:"price"`
	PipelineID        int64          `json:"pipeline_id"`
	StatusID          int64          `json:"status_id"`
	ResponsibleUserID int64          `json:"responsible_user_id"`
	ContactID         int64          `json:"contact_id,omitempty"`
	CompanyID         int64          `json:"company_id,omitempty"`
	Tags              []string       `json:"tags"`
	CustomFields      []PayloadField `json:"custom_fields"`
	CreatedAt         int64          `json:"created_at"`
	UpdatedAt         int64          `json:"updated_at"`
	ClosedAt          *int64         `json:"closed_at"`
}

// PayloadField is a custom field's values.
type PayloadField struct {
	ID     int64          `json:"id"`
	Name   string         `json:"name"`
	Code   string         `json:"code,omitempty"`
	Values []PayloadValue `json:"values"`
}

// PayloadValue is one value of a custom field.
type PayloadValue struct {
	Value  string `json:"value"`
	EnumID int64  `json:"enum_id,omitempty"`
}

// EntityName is an entity's singular name in crmd's payloads.
func EntityName(e crm.EntityType) string {
	switch e {
	case crm.EntityDeal:
		return "lead"
	case crm.EntityContact:
		return "contact"
	case crm.EntityCompany:
		return "company"
	case crm.EntityCustomer:
		return "customer"
	case crm.EntityTask:
		return "task"
	case crm.EntityInbound:
		return "unsorted"
	}
	return string(e)
}

// PayloadStage is a lead's place in a stage change's before and after.
type PayloadStage struct {
	PipelineID int64 `json:"pipeline_id"`
	StageID    int64 `json:"stage_id"`
}

// entryExtras is what entries of Envybox's own types (stage moves,
// responsible changes, calls and comments) say in their own data, as a
// payload's changes and text.
type entryExtras struct {
	changes []PayloadChange
	text    string
}

// envyboxEntry reads an entry of Envybox's own types: a stage move becomes
// a "stage" change ({pipeline_id, stage_id} before and after), a
// responsible change an "employee_id" change, a call or comment its text.
func (f CRMDFormat) envyboxEntry(ctx context.Context, actor crm.Actor, e crm.Event, stages *map[int64]crm.Stage) (entryExtras, error) {
	var out entryExtras
	var d struct {
		OldStageID    int64  `json:"old_stage_id"`
		StageID       int64  `json:"stage_id"`
		EmployeeID    *int64 `json:"employee_id"`
		OldEmployeeID int64  `json:"old_employee_id"`
		Comment       string `json:"comment"`
		Phone         string `json:"phone"`
	}
	if len(e.Entry.Data) == 0 || json.Unmarshal(e.Entry.Data, &d) != nil {
		return out, nil
	}
	switch {
	case e.Type == crm.EventLeadStageChanged && d.StageID != 0:
		if *stages == nil {
			pipelines, err := f.Service.DealPipelines(ctx, actor)
			if err != nil {
				return out, err
			}
			*stages = map[int64]crm.Stage{}
			for _, p := range pipelines {
				for _, st := range p.Stages {
					(*stages)[st.ID] = st
				}
			}
		}
		before := PayloadStage{PipelineID: (*stages)[d.OldStageID].PipelineID, StageID: d.OldStageID}
		after := PayloadStage{PipelineID: (*stages)[d.StageID].PipelineID, StageID: d.StageID}
		b, _ := json.Marshal(before)
		a, _ := json.Marshal(after)
		out.changes = append(out.changes, PayloadChange{Field: "stage", Before: b, After: a})
	case e.Type == crm.EventLeadResponsibleChanged && d.EmployeeID != nil:
		b, _ := json.Marshal(d.OldEmployeeID)
		a, _ := json.Marshal(*d.EmployeeID)
		out.changes = append(out.changes, PayloadChange{Field: "employee_id", Before: b, After: a})
	case e.Type == crm.EventNoteAdded:
		out.text = d.Comment
		if out.text == "" {
			out.text = d.Phone
		}
	}
	return out, nil
}

// Deliveries makes one delivery per event hook subscribes to and its
// filters let through. The pipeline and stage filters apply to lead events
// (and notes on leads): the stage a stage change moved to, else the lead's
// stage when the event is handed out (within moments of the change).
func (f CRMDFormat) Deliveries(ctx context.Context, hook crm.Webhook, events []crm.Event) ([]crm.Delivery, error) {
	var out []crm.Delivery
	leads := map[int64]*crm.Lead{}
	var stages map[int64]crm.Stage // loaded on the first stage change
	actor := crm.Actor{AccountID: hook.AccountID, Role: crm.RoleAdmin}
	for _, e := range events {
		if !hook.Wants(string(e.Type)) {
			continue
		}
		data, err := crm.DecodeHistory(e.Entry)
		if err != nil {
			return nil, err
		}
		p := Payload{ID: strconv.FormatInt(e.ID, 10), Type: e.Type, OccurredAt: e.At, AccountID: e.AccountID,
			Actor: PayloadActor{UserID: e.UserID}, Entity: PayloadEntity{Type: EntityName(e.Entity), ID: e.EntityID},
			Text: data.Text, Tags: data.Tags}
		for _, c := range data.Changes {
			p.Changes = append(p.Changes, PayloadChange(c))
		}
		extra, err := f.envyboxEntry(ctx, actor, e, &stages)
		if err != nil {
			return nil, err
		}
		p.Changes = append(p.Changes, extra.changes...)
		if p.Text == "" {
			p.Text = extra.text
		}
		if data.Link != nil {
			p.Link = &PayloadEntity{Type: EntityName(data.Link.EntityType), ID: data.Link.EntityID}
		}
		if e.Entity == crm.EntityDeal {
			lead, ok := leads[e.EntityID]
			if !ok {
				l, err := f.Service.Lead(ctx, actor, e.EntityID)
				if err != nil && crm.KindOf(err) != crm.KindNotFound {
					return nil, err
				}
				if err == nil {
					lead = &l
				}
				leads[e.EntityID] = lead
			}
			if lead != nil {
				p.Lead = leadPayload(*lead)
			}
			if !passes(hook, e, p.Changes, p.Lead) {
				continue
			}
		} else if hook.PipelineID != 0 {
			continue // a pipeline filter lets only lead events through
		}
		body, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		out = append(out, crm.Delivery{RecordKey: string(e.Entity) + ":" + strconv.FormatInt(e.EntityID, 10),
			EventIDs: []int64{e.ID}, EventTypes: []string{string(e.Type)}, ContentType: ContentTypeJSON, Body: body})
	}
	return out, nil
}

// passes applies a webhook's pipeline and stage filters to a lead event.
func passes(hook crm.Webhook, e crm.Event, changes []PayloadChange, lead *PayloadLead) bool {
	if hook.PipelineID == 0 {
		return true
	}
	pipeline, stage := int64(0), int64(0)
	if lead != nil {
		pipeline, stage = lead.PipelineID, lead.StatusID
	}
	if e.Type == crm.EventLeadStageChanged {
		// The stage the event moved to, even if the lead moved on since.
		var to PayloadStage
		for _, c := range changes {
			if c.Field == "stage" && json.Unmarshal(c.After, &to) == nil && to.StageID != 0 {
				pipeline, stage = to.PipelineID, to.StageID
			}
		}
	}
	if pipeline != hook.PipelineID {
		return false
	}
	return len(hook.StageIDs) == 0 || slices.Contains(hook.StageIDs, stage)
}

func leadPayload(l crm.Lead) *PayloadLead {
	p := &PayloadLead{ID: l.ID, Name: l.Name, Price: l.Price, PipelineID: l.PipelineID, StatusID: l.StageID,
		ResponsibleUserID: l.Responsible.UserID, ContactID: l.ClientID, CompanyID: l.CompanyID,
		Tags: []string{}, CustomFields: []PayloadField{}, CreatedAt: l.CreatedAt.Unix(), UpdatedAt: l.UpdatedAt.Unix()}
	if !l.ClosedAt.IsZero() {
		t := l.ClosedAt.Unix()
		p.ClosedAt = &t
	}
	for _, t := range l.Tags {
		p.Tags = append(p.Tags, t.Name)
	}
	for _, fv := range l.Fields {
		pf := PayloadField{ID: fv.FieldID, Name: fv.FieldName, Code: fv.FieldCode, Values: []PayloadValue{}}
		for _, v := range fv.Values {
			pf.Values = append(pf.Values, PayloadValue{Value: v.Text, EnumID: v.EnumID})
		}
		p.CustomFields = append(p.CustomFields, pf)
	}
	return p
}
