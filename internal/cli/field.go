package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// fieldEntities maps the --entity names of field create to the domain's
// entity types. Each dialect's word for a record names it: lead is
// amoCRM's lead, which is the deal; client (Envybox) and contact (amoCRM)
// are the person; inbound is Envybox's lead (amoCRM's unsorted).
var fieldEntities = map[string]crm.EntityType{
	"deal":     crm.EntityDeal,
	"lead":     crm.EntityDeal,
	"client":   crm.EntityContact,
	"contact":  crm.EntityContact,
	"company":  crm.EntityCompany,
	"customer": crm.EntityCustomer,
	"segment":  crm.EntitySegment,
	"inbound":  crm.EntityInbound,
}

const fieldEntityNames = "deal|lead|client|contact|company|customer|segment|inbound"

// fieldCreate serves "crmd field create": one custom field of an entity
// type, as POST /api/v4/{entity}/custom_fields or Envybox's inputs would
// make it, by the account's administrator.
func (m *Main) fieldCreate(ctx context.Context, args []string) error {
	fs := m.flags("field create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	entityName := fs.String("entity", "", "`ENTITY` the field belongs to: "+fieldEntityNames+" (required)")
	name := fs.String("name", "", "field `NAME` (required)")
	typ := fs.String("type", "", "field `TYPE`: text, numeric, checkbox, select, multiselect, radiobutton, date, date_time, url, textarea, streetaddress, smart_address (required)")
	enums := fs.String("enums", "", "the choices of a select, multiselect or radiobutton field: `A,B,…`")
	code := fs.String("code", "", "optional `CODE` clients may name the field by (latin letters, digits, _)")
	sort := fs.Int("sort", 0, "sort `ORDER` (0: after the existing fields)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *entityName == "" || *name == "" || *typ == "" {
		return fmt.Errorf("%w: --account, --entity, --name and --type are required", errUsage)
	}
	entity, ok := fieldEntities[strings.ToLower(*entityName)]
	if !ok {
		return fmt.Errorf("%w: --entity: %q is not one of %s", errUsage, *entityName, fieldEntityNames)
	}
	ft := crm.FieldType(strings.ToLower(*typ))
	if !crm.FieldTypeAllowed(entity, ft) {
		names := make([]string, 0)
		for _, t := range crm.FieldTypesFor(entity) {
			names = append(names, string(t))
		}
		return fmt.Errorf("%w: --type: %q is not a field type of %s; one of %s", errUsage, *typ, *entityName, strings.Join(names, ", "))
	}
	n := crm.NewCustomField{Name: name, Type: ft, Code: *code}
	if *sort != 0 {
		n.Sort = sort
	}
	if *enums != "" {
		if !ft.HasEnums() {
			return fmt.Errorf("%w: --enums: a %s field has no choices", errUsage, ft)
		}
		for _, v := range strings.Split(*enums, ",") {
			n.Enums = append(n.Enums, crm.EnumInput{Value: strings.TrimSpace(v)})
		}
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	created, err := crm.NewService(db).AddCustomFields(ctx, admin, entity, []crm.NewCustomField{n})
	if err != nil {
		return describe(err)
	}
	f := created[0]
	if *asJSON {
		ids := make([]int64, len(f.Enums))
		for i, e := range f.Enums {
			ids[i] = e.ID
		}
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"field_id": f.ID, "entity_type": f.EntityType, "type": f.Type, "enum_ids": ids})
	}
	fmt.Fprintf(m.Stdout, "field %d (%s, %s) of %s with %d enums\n", f.ID, f.Name, f.Type, f.EntityType, len(f.Enums))
	return nil
}
