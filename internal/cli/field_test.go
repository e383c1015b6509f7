package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestFieldCreate checks "crmd field create": each --entity name lands on
// its record (lead on the deal, client and contact on the person, inbound
// on Envybox's lead), the field is served by the running server, and bad
// input is a clear error that creates nothing.
func TestFieldCreate(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Fields", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var acc struct {
			AccountID int64  `json:"account_id"`
			Token     string `json:"amocrm_token"`
		}
		if err := json.Unmarshal([]byte(out), &acc); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(acc.AccountID)
		// CRMD_DB is the --db fallback.
		dbEnv := map[string]string{"CRMD_DB": dsn}
		out, err = run(t, dbEnv, "field", "create", "--account", id, "--entity", "contact", "--name", "Источник",
			"--type", "select", "--enums", "Сайт, Звонок", "--code", "SOURCE", "--json")
		var f struct {
			FieldID    int64   `json:"field_id"`
			EntityType string  `json:"entity_type"`
			EnumIDs    []int64 `json:"enum_ids"`
		}
		if err != nil || json.Unmarshal([]byte(out), &f) != nil || f.FieldID == 0 || f.EntityType != "contacts" || len(f.EnumIDs) != 2 {
			t.Fatalf("field create: %q %v", out, err)
		}
		resp := env.Do(t, "GET", fmt.Sprintf("/api/v4/contacts/custom_fields/%d", f.FieldID), acc.Token, "")
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"value":"Звонок"`) || !strings.Contains(string(resp.Body), `"code":"SOURCE"`) {
			t.Fatalf("the field through amoCRM: %d %s", resp.Status, resp.Body)
		}
		for _, tc := range []struct{ entity, typ, want string }{
			{"lead", "numeric", "leads"}, {"deal", "text", "leads"}, {"client", "date", "contacts"},
			{"company", "smart_address", "companies"}, {"customer", "url", "customers"}, {"inbound", "textarea", "inbound"},
			{"Segment", "checkbox", "segments"},
		} {
			out, err := run(t, nil, "field", "create", "--db", dsn, "--account", id, "--entity", tc.entity, "--name", "F "+tc.entity, "--type", tc.typ)
			if err != nil || !strings.Contains(out, "of "+tc.want+" with 0 enums") {
				t.Errorf("--entity %s: %q %v", tc.entity, out, err)
			}
		}
		for _, tc := range []struct {
			args  []string
			usage bool
			want  string
		}{
			{[]string{"--entity", "deals", "--name", "x", "--type", "text"}, true, "--entity"},
			{[]string{"--entity", "contact", "--name", "x", "--type", "multitext"}, true, "--type"},
			{[]string{"--entity", "inbound", "--name", "x", "--type", "smart_address"}, true, "one of text"},
			{[]string{"--entity", "lead", "--name", "x", "--type", "text", "--enums", "a,b"}, true, "--enums"},
			{[]string{"--entity", "lead", "--type", "text"}, true, "required"},
			{[]string{"--entity", "lead", "--name", "x", "--type", "select"}, false, "--enums: A field of this type needs at least one enum."},
			{[]string{"--entity", "lead", "--name", "x", "--type", "select", "--enums", "a,a"}, false, "unique"},
			{[]string{"--entity", "contact", "--name", "x", "--type", "text", "--code", "phone"}, false, "--code: A field with this code already exists."},
			{[]string{"--entity", "contact", "--name", "x", "--type", "text", "--code", "SOURCE"}, false, "--code"},
			{[]string{"--entity", "contact", "--name", " ", "--type", "text"}, false, "--name"},
		} {
			var stderr strings.Builder
			m := &cli.Main{Stdout: &strings.Builder{}, Stderr: &stderr, Getenv: func(string) string { return "" }}
			err := m.Run(t.Context(), append([]string{"field", "create", "--db", dsn, "--account", id}, tc.args...))
			if err == nil || cli.IsUsage(err) != tc.usage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: %v (usage %v), want %q", tc.args, err, cli.IsUsage(err), tc.want)
			}
		}
		// The refusals created nothing: PHONE, EMAIL, the select, the date.
		resp = env.Do(t, "GET", "/api/v4/contacts/custom_fields", acc.Token, "")
		if !strings.Contains(string(resp.Body), `"_total_items":4`) {
			t.Errorf("contacts' fields after the refusals: %s", resp.Body)
		}
		if _, err := run(t, nil, "field", "create", "--db", dsn, "--account", "999999", "--entity", "lead", "--name", "x", "--type", "text"); err == nil {
			t.Error("an unknown account was accepted")
		}
	})
}
