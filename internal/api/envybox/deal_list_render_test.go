package envybox

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// dealListMap is deal/list's row as it was built before dealListJSON: maps
// that encoding/json writes in sorted key order. It is kept here as the
// reference the struct path must match byte for byte.
func dealListMap(c *call, d crm.Deal) map[string]any {
	service := map[string]any{}
	for _, v := range d.Values {
		f, ok := crm.ServiceFieldByID(crm.EntityDeal, v.FieldID)
		if !ok {
			continue
		}
		service[f.NameID] = map[string]any{
			"id": s(v.ID), "crm_id": s(c.actor.AccountID), "deal_id": s(d.ID), "input_id": s(f.ID),
			"type_id": "1", "value": v.Value, "mask": nil, "created_at": at(v.CreatedAt, c.loc),
			"updated_at": at(v.UpdatedAt, c.loc), "deleted_at": nil, "name": f.Name, "name_id": f.NameID,
		}
	}
	custom := []any{}
	for _, fv := range d.Fields {
		if len(fv.Values) == 0 {
			continue
		}
		custom = append(custom, map[string]any{
			"crm_id": s(c.actor.AccountID), "deal_id": s(d.ID), "input_id": s(fv.FieldID), "type_id": "2",
			"value": customValueText(fv, c.loc), "mask": nil, "deleted_at": nil, "name": fv.FieldName,
			"name_id": "crm_" + s(fv.FieldID),
		})
	}
	return map[string]any{
		"id": s(d.ID), "inbox_type_id": s(d.InboxTypeID), "stage_updated_at": at(d.StageUpdatedAt, c.loc),
		"client_id": dealClient(d.ClientID, true), "pipeline_id": s(d.PipelineID), "stage_id": s(d.StageID),
		"stage": d.Stage.Name, "user_id": s(d.UserID), "employee_id": s(d.EmployeeID),
		"department_id": s(d.DepartmentID), "status_id": s(int64(d.Stage.Status)), "stage_color": d.Stage.Color,
		"created_at": at(d.CreatedAt, c.loc), "client_name": emptyNull(d.ClientName),
		"values":            map[string]any{"service": service, "custom": custom},
		"connected_lead_id": dealIDStrings(d.InboundIDs),
	}
}

// encodeEnvelope writes v as writeEnvelope does.
func encodeEnvelope(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDealListStructsMatchMaps checks that deal/list's rows written from
// dealListJSON are byte for byte what the maps they replace wrote, inside
// the whole envelope, over values that test encoding/json's escaping and
// every optional member: names with quotes, backslashes, HTML characters,
// control characters, a NUL, U+2028 and invalid UTF-8; a deal without a
// client, without a client name, with zero times; service values of every
// deal field, two with one name_id (the last wins in both), one unknown;
// custom values empty, several, of an enum and of dates; two time zones.
func TestDealListStructsMatchMaps(t *testing.T) {
	nasty := []string{"", "plain", `"quoted" \back\slash`, "<b>&amp;</b> +", "tab\tnl\ncr\r\x00nul\x1f", "\u2028\u2029", "bad\xff\xfeutf8", "Ёлка 🎄"}
	at := time.Date(2024, 3, 11, 20, 59, 30, 0, time.UTC)
	var deals []crm.Deal
	for i, text := range nasty {
		d := crm.Deal{ID: int64(100 + i), PipelineID: 7, StageID: 70 + int64(i), InboxTypeID: 3,
			Responsible: crm.Responsible{UserID: 11, EmployeeID: int64(i % 3), DepartmentID: int64(i % 2)},
			ClientID:    int64(i % 4 * 1000), ClientName: text, InboundIDs: []int64{int64(i), 9},
			CreatedAt: at.Add(time.Duration(i) * time.Hour), StageUpdatedAt: at.Add(time.Duration(i) * time.Minute),
			Stage: crm.Stage{Name: text, Color: "#" + text, Status: crm.StageStatus(i % 3)}}
		if i%3 == 2 {
			d.CreatedAt, d.StageUpdatedAt, d.InboundIDs = time.Time{}, time.Time{}, nil
		}
		for j, f := range crm.ServiceFields {
			if f.Entity != crm.EntityDeal || (i+j)%2 == 0 {
				continue
			}
			d.Values = append(d.Values, crm.ServiceValue{ID: int64(j), FieldID: f.ID, Value: nasty[(i+j)%len(nasty)],
				CreatedAt: at, UpdatedAt: at.Add(time.Duration(j) * time.Second)})
		}
		// The typo id names google_client_id as well; 1 is no deal field.
		d.Values = append(d.Values, crm.ServiceValue{ID: 77, FieldID: 20012, Value: text},
			crm.ServiceValue{ID: 78, FieldID: 1, Value: "none"})
		d.Fields = []crm.FieldValue{
			{FieldID: 5, FieldName: text, FieldType: crm.FieldText, Values: []crm.Value{{Text: text}, {Text: "второе"}}},
			{FieldID: 6, FieldName: "пусто", FieldType: crm.FieldText},
			{FieldID: 8, FieldName: "Список", FieldType: crm.FieldMultiselect, Values: []crm.Value{{Text: "a", EnumID: 31}, {Text: "b", EnumID: 32}}},
			{FieldID: 9, FieldName: "Дата", FieldType: crm.FieldDate, Values: []crm.Value{{Text: "1710190770"}}},
			{FieldID: 10, FieldName: "Время", FieldType: crm.FieldDateTime, Values: []crm.Value{{Text: "1710190770"}}},
		}
		if i%4 == 3 {
			d.Values, d.Fields = nil, nil
		}
		deals = append(deals, d)
	}
	for _, zone := range []string{"Europe/Moscow", "America/St_Johns"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		c := &call{actor: crm.Actor{AccountID: 42}, loc: loc}
		for n := 0; n <= len(deals); n++ {
			maps := make([]any, n)
			structs := make([]dealListJSON, n)
			for i, d := range deals[:n] {
				maps[i] = dealListMap(c, d)
				structs[i] = dealListView(c, s(c.actor.AccountID), d)
			}
			envelope := func(rows any) map[string]any {
				return map[string]any{"dateType": "period", "dateSelectType": "created", "offset": -1, "limit": 50,
					"result": rows, "count": "3", "inputs_sum": []any{}, "status_code": 200, "message": "success"}
			}
			want, got := encodeEnvelope(t, envelope(maps)), encodeEnvelope(t, envelope(structs))
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, %d rows:\nstructs %s\nmaps    %s", zone, n, got, want)
			}
		}
	}
}
