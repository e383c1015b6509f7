package envybox

import (
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Envybox's older responses write every number as a string and its newer
// ones as numbers; each endpoint follows its own example. These helpers
// keep that choice visible at the call site.

// s renders an id or number as a string ("2119").
func s(n int64) string { return strconv.FormatInt(n, 10) }

// flag renders a boolean as Envybox's "0"/"1" string.
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// flagN renders a boolean as 0/1.
func flagN(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullableS renders an id as a string, or null for 0.
func nullableS(n int64) any {
	if n == 0 {
		return nil
	}
	return s(n)
}

// nullableN renders an id as a number, or null for 0.
func nullableN(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// at renders a time as "YYYY-MM-DD HH:MM:SS" in the account's time zone,
// or null for the zero time.
func at(t time.Time, loc *time.Location) any {
	if t.IsZero() {
		return nil
	}
	return t.In(loc).Format(time.DateTime)
}

// emptyNull renders "" as null.
func emptyNull(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// fieldTypeIDs are the Envybox type_id of each field type. Envybox
// documents only 1 number, 2 text, 3 list and 9 money; the rest are crmd's
// own numbering (docs/envybox.md).
var fieldTypeIDs = map[crm.FieldType]int{
	crm.FieldNumeric:       1,
	crm.FieldText:          2,
	crm.FieldSelect:        3,
	crm.FieldMultiselect:   4,
	crm.FieldDate:          6,
	crm.FieldDateTime:      7,
	crm.FieldCheckbox:      8,
	crm.FieldURL:           10,
	crm.FieldTextarea:      11,
	crm.FieldRadiobutton:   12,
	crm.FieldStreetAddress: 13,
}

// serviceTypeID is the type_id of service fields (all text).
const serviceTypeID = 2

// elementIDs are Envybox's crm_element_id of each entity type.
var elementIDs = map[crm.EntityType]int{crm.EntityInbound: 1, crm.EntityContact: 2, crm.EntityDeal: 3}
