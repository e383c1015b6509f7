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

// The ids of the service fields, the same in every account: a lead's field
// is n, the client's counterpart 1000+n, the deal's 2000+n. Lead 3 (email)
// and 5–9, 11–13 follow that pattern from the ids Envybox documents (1, 2,
// 4, 10; 1001, 1010, 1011; 2001, 2005–2009, 2012).
const (
	FieldLeadName           = 1
	FieldLeadPhone          = 2
	FieldLeadEmail          = 3
	FieldLeadComment        = 4
	FieldLeadUTMSource      = 5
	FieldLeadUTMMedium      = 6
	FieldLeadUTMCampaign    = 7
	FieldLeadUTMContent     = 8
	FieldLeadUTMTerm        = 9
	FieldLeadRegion         = 10
	FieldLeadTimeZone       = 11
	FieldLeadGoogleClientID = 12
	FieldLeadYandexClientID = 13

	FieldClientName     = 1001
	FieldClientRegion   = 1010
	FieldClientTimeZone = 1011

	FieldDealName           = 2001
	FieldDealUTMSource      = 2005
	FieldDealUTMMedium      = 2006
	FieldDealUTMCampaign    = 2007
	FieldDealUTMContent     = 2008
	FieldDealUTMTerm        = 2009
	FieldDealGoogleClientID = 2012
)

// clientFieldBase is what a client's service field id adds to its lead
// counterpart's.
const clientFieldBase = 1000

// ServiceFields lists the service fields of inbound requests, clients and
// deals.
var ServiceFields = []ServiceField{
	{FieldLeadName, EntityInbound, "name", "Имя"},
	{FieldLeadPhone, EntityInbound, "phone", "Телефон"},
	{FieldLeadEmail, EntityInbound, "email", "Email"},
	{FieldLeadComment, EntityInbound, "comment", "Примечание"},
	{FieldLeadUTMSource, EntityInbound, "utm_source", "utm_source"},
	{FieldLeadUTMMedium, EntityInbound, "utm_medium", "utm_medium"},
	{FieldLeadUTMCampaign, EntityInbound, "utm_campaign", "utm_campaign"},
	{FieldLeadUTMContent, EntityInbound, "utm_content", "utm_content"},
	{FieldLeadUTMTerm, EntityInbound, "utm_term", "utm_term"},
	{FieldLeadRegion, EntityInbound, "ip_place_id", "Регион клиента"},
	{FieldLeadTimeZone, EntityInbound, "timezone", "Часовой пояс"},
	{FieldLeadGoogleClientID, EntityInbound, "google_client_id", "Google Client ID"},
	{FieldLeadYandexClientID, EntityInbound, "yandex_client_id", "Yandex Client ID"},
	{FieldClientName, EntityContact, "name", "Имя"},
	{FieldClientRegion, EntityContact, "ip_place_id", "Регион клиента"},
	{FieldClientTimeZone, EntityContact, "timezone", "Часовой пояс"},
	{FieldDealName, EntityDeal, "name", "Название сделки"},
	{FieldDealUTMSource, EntityDeal, "utm_source", "utm_source"},
	{FieldDealUTMMedium, EntityDeal, "utm_medium", "utm_medium"},
	{FieldDealUTMCampaign, EntityDeal, "utm_campaign", "utm_campaign"},
	{FieldDealUTMContent, EntityDeal, "utm_content", "utm_content"},
	{FieldDealUTMTerm, EntityDeal, "utm_term", "utm_term"},
	{FieldDealGoogleClientID, EntityDeal, "google_client_id", "Google Client ID"},
}

// fieldCopy carries a service value from a field of one entity to a field
// of another.
type fieldCopy struct{ from, to int64 }

// leadToDeal are the lead's values that follow it onto the deal made when
// it is taken to work: its UTM marks and Google Client ID.
var leadToDeal = []fieldCopy{
	{FieldLeadUTMSource, FieldDealUTMSource},
	{FieldLeadUTMMedium, FieldDealUTMMedium},
	{FieldLeadUTMCampaign, FieldDealUTMCampaign},
	{FieldLeadUTMContent, FieldDealUTMContent},
	{FieldLeadUTMTerm, FieldDealUTMTerm},
	{FieldLeadGoogleClientID, FieldDealGoogleClientID},
}

// leadToClient are the lead's values that a client made from it starts
// with, beside its name: its region and time zone.
var leadToClient = []fieldCopy{
	{FieldLeadRegion, FieldClientRegion},
	{FieldLeadTimeZone, FieldClientTimeZone},
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

// dealGoogleClientIDTypo is how Envybox prints the deal's Google Client ID
// (FieldDealGoogleClientID) in places: accepted as it.
const dealGoogleClientIDTypo = 20012

// ServiceFieldByID finds a service field of an entity type.
func ServiceFieldByID(entity EntityType, id int64) (ServiceField, bool) {
	if entity == EntityDeal && id == dealGoogleClientIDTypo {
		id = FieldDealGoogleClientID
	}
	for _, f := range ServiceFields {
		if f.ID == id && f.Entity == entity {
			return f, true
		}
	}
	// Envybox's own example updates a lead with the client's timezone id
	// (FieldClientTimeZone); client-level ids are accepted on inbound
	// requests as their lead counterparts.
	if entity == EntityInbound && id > clientFieldBase && id < clientFieldBase+100 {
		return ServiceFieldByID(entity, id-clientFieldBase)
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
