package crm

import (
	"context"
	"time"
)

// ServiceField is a built-in field with a fixed id in every account
// (Envybox "сервисное поле": lead n, client 1000+n, deal 2000+n).
type ServiceField struct {
	ID     int64
	Entity EntityType
	// NameID is the system name (Envybox name_id), also the key of the
	// value in values.service and in lead/set's values object.
	NameID string
	Name   string
}

// ServiceFields lists the service fields of inbound requests, clients and
// deals. Lead 3 (email) and 5–9, 11–13 follow the numbering pattern of the
// ids Envybox documents (1, 2, 4, 10; 1001, 1010, 1011; 2001, 2005–2009, 2012).
var ServiceFields = []ServiceField{
	{1, EntityInbound, "name", "Имя"},
	{2, EntityInbound, "phone", "Телефон"},
	{3, EntityInbound, "email", "Email"},
	{4, EntityInbound, "comment", "Примечание"},
	{5, EntityInbound, "utm_source", "utm_source"},
	{6, EntityInbound, "utm_medium", "utm_medium"},
	{7, EntityInbound, "utm_campaign", "utm_campaign"},
	{8, EntityInbound, "utm_content", "utm_content"},
	{9, EntityInbound, "utm_term", "utm_term"},
	{10, EntityInbound, "ip_place_id", "Регион клиента"},
	{11, EntityInbound, "timezone", "Часовой пояс"},
	{12, EntityInbound, "google_client_id", "Google Client ID"},
	{13, EntityInbound, "yandex_client_id", "Yandex Client ID"},
	{1001, EntityContact, "name", "Имя"},
	{1010, EntityContact, "ip_place_id", "Регион клиента"},
	{1011, EntityContact, "timezone", "Часовой пояс"},
	{2001, EntityDeal, "name", "Название сделки"},
	{2005, EntityDeal, "utm_source", "utm_source"},
	{2006, EntityDeal, "utm_medium", "utm_medium"},
	{2007, EntityDeal, "utm_campaign", "utm_campaign"},
	{2008, EntityDeal, "utm_content", "utm_content"},
	{2009, EntityDeal, "utm_term", "utm_term"},
	{2012, EntityDeal, "google_client_id", "Google Client ID"},
}

// MaxLength is the longest value the field holds, in characters: names
// take MaxNameLength, the lead's comment MaxLongText, every other service
// value (phones, emails, UTM marks, analytics ids, region, time zone)
// MaxShortText.
func (f ServiceField) MaxLength() int {
	switch f.NameID {
	case "name":
		return MaxNameLength
	case "comment":
		return MaxLongText
	}
	return MaxShortText
}

// ServiceFieldByID finds a service field of an entity type. Envybox prints
// the deal's Google Client ID as 20012: a typo for 2012, accepted too.
func ServiceFieldByID(entity EntityType, id int64) (ServiceField, bool) {
	if entity == EntityDeal && id == 20012 {
		id = 2012
	}
	for _, f := range ServiceFields {
		if f.ID == id && f.Entity == entity {
			return f, true
		}
	}
	// Envybox's own example updates a lead with the client's timezone id
	// (1011); client-level ids are accepted on inbound requests as their
	// lead counterparts.
	if entity == EntityInbound && id > 1000 && id < 1100 {
		return ServiceFieldByID(entity, id-1000)
	}
	return ServiceField{}, false
}

// ServiceFieldByName finds a service field of an entity type by name_id.
func ServiceFieldByName(entity EntityType, nameID string) (ServiceField, bool) {
	for _, f := range ServiceFields {
		if f.NameID == nameID && f.Entity == entity {
			return f, true
		}
	}
	return ServiceField{}, false
}

// ServiceFieldsOf lists the service fields of one entity type.
func ServiceFieldsOf(entity EntityType) []ServiceField {
	var out []ServiceField
	for _, f := range ServiceFields {
		if f.Entity == entity {
			out = append(out, f)
		}
	}
	return out
}

// ServiceValue is the value of a service field of one entity.
type ServiceValue struct {
	ID        int64
	EntityID  int64
	FieldID   int64
	Value     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ServiceValueStore keeps the values of service fields.
type ServiceValueStore interface {
	ServiceValues(ctx context.Context, entity EntityType, ids []int64) (map[int64][]ServiceValue, error)
	SetServiceValue(ctx context.Context, entity EntityType, id, fieldID int64, value string) error
	// InsertServiceValues stores the first service values of an entity
	// (one that has none of these fields yet, such as a record just
	// inserted) in one statement, and sets their ids, entity id and
	// creation time. A field that already has a value is KindConflict.
	InsertServiceValues(ctx context.Context, entity EntityType, id int64, values []ServiceValue) error
}
