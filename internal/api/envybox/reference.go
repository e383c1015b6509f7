package envybox

import (
	"context"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// referenceRoutes serve main/data.
func (h *handler) referenceRoutes() []route {
	return []route{{"GET /openapi/v1/main/data/", h.mainData}}
}

// mainData is E01: the account, its inbox types, employees, lead and deal
// pipelines with their stages, and the custom fields of leads, clients and
// deals. Like the 2017 example, every number is a string.
//
//   - callback_id is the id of the linked CallbackKILLER service account;
//     crmd has no such account, so it repeats the CRM id (the id the
//     website widget is addressed by).
//   - api_key echoes the key of the call: crmd keeps only its hash.
//   - employees are the account's member users; administrators appear only
//     as user_id (the first administrator), as the document describes.
//   - departments is a crmd addition: the document lists them nowhere,
//     yet lead/update_employee and the deal methods take a department_id.
func (h *handler) mainData(ctx context.Context, c *call) (map[string]any, error) {
	ref, err := h.svc.Reference(ctx, c.actor)
	if err != nil {
		return nil, err
	}
	acc := ref.Account
	admin := ref.Admin().ID
	employees := []any{}
	for _, u := range ref.Users {
		if u.Role == crm.RoleAdmin {
			continue
		}
		employees = append(employees, map[string]any{
			"id": s(u.ID), "user_id": s(admin), "name": u.Name, "surname": u.Surname, "email": u.Email,
			"photo": "", "profession": u.Profession, "phone": u.Phone, "user_logo": nil, "crm_phone_number": nil,
		})
	}
	inbox := []any{}
	for _, t := range ref.InboxTypes {
		inbox = append(inbox, map[string]any{
			"id": s(t.ID), "crm_id": s(acc.ID), "name": t.Name, "edit": flag(t.Editable), "type": s(int64(t.Type)),
			"created_at": at(t.CreatedAt, c.loc), "updated_at": at(t.UpdatedAt, c.loc), "deleted_at": nil,
			"editing": "0", "edit_id": s(t.ID),
		})
	}
	departments := []any{}
	for _, d := range ref.Departments {
		departments = append(departments, map[string]any{
			"id": s(d.ID), "crm_id": s(acc.ID), "name": d.Name,
			"created_at": at(d.CreatedAt, c.loc), "updated_at": at(d.UpdatedAt, c.loc), "deleted_at": nil,
		})
	}
	return map[string]any{"result": map[string]any{
		"id":          s(acc.ID),
		"user_id":     s(admin),
		"callback_id": s(acc.ID),
		"name":        acc.Name,
		"api_key":     c.r.URL.Query().Get("api_key"),
		"created_at":  at(acc.CreatedAt, c.loc),
		"updated_at":  at(acc.UpdatedAt, c.loc),
		"deleted_at":  nil,
		"inbox_types": inbox,
		"employees":   employees,
		"departments": departments,
		"lead": map[string]any{
			"pipelines":     pipelinesOut(ref.InboundPipelines, acc.ID, c.loc),
			"custom_fields": fieldDefinitions(ref.InboundFields, crm.EntityInbound, acc.ID),
		},
		"client": map[string]any{"custom_fields": fieldDefinitions(ref.ClientFields, crm.EntityContact, acc.ID)},
		"deal": map[string]any{
			"pipelines":     pipelinesOut(ref.DealPipelines, acc.ID, c.loc),
			"custom_fields": fieldDefinitions(ref.DealFields, crm.EntityDeal, acc.ID),
		},
	}}, nil
}

// pipelinesOut renders lead or deal pipelines as main/data shows them:
// stages are an object keyed by the stage id; deal pipelines carry
// crm_element_id "3" and lead stages type_id "0".
func pipelinesOut(list []crm.Pipeline, accountID int64, loc *time.Location) []any {
	out := []any{}
	for _, p := range list {
		stages := map[string]any{}
		for _, st := range p.Stages {
			m := map[string]any{
				"id": s(st.ID), "pipeline_id": s(p.ID), "status_id": s(int64(st.Status)), "name": st.Name,
				"position": s(int64(st.Position)), "color": st.Color, "no_delete": flag(st.NoDelete),
				"created_at": at(st.CreatedAt, loc), "updated_at": at(st.UpdatedAt, loc), "deleted_at": nil,
			}
			if p.Kind == crm.PipelineInbound {
				m["type_id"] = "0"
			}
			stages[s(st.ID)] = m
		}
		m := map[string]any{
			"id": s(p.ID), "crm_id": s(accountID), "name": p.Name,
			"allow_manual_change_stage": flag(p.AllowManualStageChange), "primary": flag(p.Primary),
			"created_at": at(p.CreatedAt, loc), "updated_at": at(p.UpdatedAt, loc), "deleted_at": nil,
			"stages": stages,
		}
		if p.Kind == crm.PipelineDeal {
			m["crm_element_id"] = s(int64(elementIDs[crm.EntityDeal]))
		}
		out = append(out, m)
	}
	return out
}

// fieldTypeID is the Envybox type_id of a custom field's type (text when
// the type has no number of its own).
func fieldTypeID(t crm.FieldType) int64 {
	if id, ok := fieldTypeIDs[t]; ok {
		return int64(id)
	}
	return serviceTypeID
}

// fieldDefinitions renders custom field definitions in main/data's shape.
// crmd fields belong to no pipeline and no group, are never required, show
// on every pipeline and keep no timestamps; those members say so.
func fieldDefinitions(list []crm.CustomField, entity crm.EntityType, accountID int64) []any {
	out := []any{}
	for _, f := range list {
		out = append(out, map[string]any{
			"id": s(f.ID), "crm_id": s(accountID), "crm_element_id": s(int64(elementIDs[entity])),
			"pipeline_id": nil, "group_id": "0", "name": f.Name, "name_id": customNameID(f.ID),
			"type_id": s(fieldTypeID(f.Type)), "required": "0", "required_stage_id": "0", "show_in_card": nil,
			"show_all_pipelines": "1", "use_in_pipeline": "0", "value": nil, "addon": "", "description": "",
			"position": s(int64(f.Sort)), "transfer_type_id": nil, "transfer_input_id": nil,
			"created_at": nil, "updated_at": nil, "deleted_at": nil,
			"id_group": "0", "group_name": "", "group_position": "0", "edit_variant": "0", "group_pipeline_id": nil,
		})
	}
	return out
}

// customNameID is the system name of a custom field: crm_<id>.
func customNameID(id int64) string { return "crm_" + s(id) }
