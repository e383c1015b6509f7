package crm

import (
	"context"
	"encoding/json"
)

// The one history. Every change the domain makes to a deal (amoCRM lead),
// inbound request (amoCRM unsorted), contact, company, customer or task is
// a LogEntry written by the write that makes it, in the same transaction:
// a rolled-back write leaves no entry. Its id orders it, UserID/EmployeeID
// name the actor (0: the API or a robot), Data says what changed. Envybox's
// log/list, amoCRM's /api/v4/events and notes, the web workspace's timeline
// and webhook delivery all read this one log; none keeps a second one.
//
// Type ids follow Envybox's numbering by entity: an inbound request's types
// are n, a client's (contact's) 1000+n, a deal's 2000+n, a company's
// 3000+n, a customer's 4000+n and a task's 5000+n. Entries Envybox defines
// keep its ids and data (deal.go, log_service.go); the change entries
// below carry a HistoryData.

// Change entry types, written with recordHistory.
const (
	// LogDealUpdated: fields of a deal changed (name, price, responsible,
	// custom fields); Data.Changes lists them.
	LogDealUpdated = 2017
	// LogDealLinked and LogDealUnlinked: a contact, company or customer was
	// linked to or unlinked from a deal; Data.Link names it.
	LogDealLinked   = 2018
	LogDealUnlinked = 2019
	// LogDealTagsDeleted: tags were taken off a deal; Data.Tags names them.
	LogDealTagsDeleted = 2020

	LogContactCreated     = 1001
	LogContactUpdated     = 1017
	LogContactLinked      = 1018
	LogContactUnlinked    = 1019
	LogContactTagsAdded   = 1016
	LogContactTagsDeleted = 1020

	LogCompanyCreated     = 3001
	LogCompanyUpdated     = 3017
	LogCompanyLinked      = 3018
	LogCompanyUnlinked    = 3019
	LogCompanyTagsAdded   = 3016
	LogCompanyTagsDeleted = 3020

	LogTaskCreated       = 5001
	LogTaskUpdated       = 5017 // text, deadline or type changed
	LogTaskCompleted     = 5021
	LogTaskResultAdded   = 5022
	LogInboundDeclined   = 21
	LogInboundAcceptedTo = 22 // an unsorted request accepted into a deal; Data.Link names it

	// Call and comment entries (amoCRM notes) of contacts, companies and
	// customers, numbered as a deal's 2009/2010; their data is a deal's.
	LogContactCall     = 1009
	LogContactComment  = 1010
	LogCompanyCall     = 3009
	LogCompanyComment  = 3010
	LogCustomerCall    = 4009
	LogCustomerComment = 4010
)

// EntityTask is a task, as a subject of the history (tasks carry no custom
// fields, so it is not among fieldTypesFor's entities).
const EntityTask EntityType = "tasks"

// HistoryData is the Data of a change entry. Values are JSON so that each
// reader renders them in its own format (amoCRM's value_before/value_after,
// Envybox's text) without the domain knowing either.
type HistoryData struct {
	// Text is a human line for Envybox's log and the timeline.
	Text    string        `json:"text,omitempty"`
	Changes []FieldChange `json:"changes,omitempty"`
	Link    *HistoryLink  `json:"link,omitempty"`
	Tags    []string      `json:"tags,omitempty"`
}

// FieldChange is one attribute's move. Field is "name", "price",
// "responsible_user_id", "status" (Before/After {"pipeline_id","status_id"}),
// "text", "deadline", "task_type", or "cf:<field id>" for a custom field
// (Before/After arrays of {"enum_id","value"}).
type FieldChange struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// HistoryLink names the other side of a link entry.
type HistoryLink struct {
	EntityType EntityType `json:"entity_type"`
	EntityID   int64      `json:"entity_id"`
}

// NewFieldChange builds a FieldChange from any two JSON-encodable values.
func NewFieldChange(field string, before, after any) FieldChange {
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	return FieldChange{Field: field, Before: b, After: a}
}

// DecodeHistory reads a change entry's Data; entries of Envybox's own types
// decode to what fields they share (text, tags).
func DecodeHistory(e LogEntry) (HistoryData, error) {
	var d HistoryData
	if len(e.Data) == 0 {
		return d, nil
	}
	err := json.Unmarshal(e.Data, &d)
	return d, err
}

// recordHistory writes one change entry of the one history in tx.
func recordHistory(ctx context.Context, tx Tx, entity EntityType, id int64, typeID int, data HistoryData, by Responsible) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return tx.InsertLog(ctx, &LogEntry{EntityType: entity, EntityID: id, TypeID: typeID, Data: raw, UserID: by.UserID, EmployeeID: by.EmployeeID})
}
