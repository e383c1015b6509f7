package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestReportCommands: crmd report create|update|show|list define the
// custom statistics that a running server's stat/custom evaluates.
func TestReportCommands(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Reports", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var acc struct {
			AccountID int64  `json:"account_id"`
			Key       string `json:"envybox_api_key"`
		}
		if err := json.Unmarshal([]byte(out), &acc); err != nil {
			t.Fatalf("account create: %q", out)
		}
		account := fmt.Sprint(acc.AccountID)
		dir := t.TempDir()
		write := func(name, text string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		file := write("report.json", `{
  "name": "По этапам",
  "settings": {"rowParams": [{"type": 2}], "typeDateFilter": "created", "rowShowConditions": [], "dateStages": [], "typeDateFilterInputId": ""},
  "tableColumns": [
    {"settings": {"staticColumnName": "Сделок", "typeColumn": 1, "operationParams": {"type": 1, "crm_element_id": null, "value": null},
      "dynamicValue": {"crm_element_id": null, "value": null}, "calcConditions": [], "showConditions": []}},
    {"settings": {"staticColumnName": "", "typeColumn": 2, "operationParams": {"type": 1},
      "dynamicValue": {"crm_element_id": null, "value": "1"}}}
  ]
}`)
		out, err = run(t, nil, "report", "create", "--db", dsn, "--account", account, "--file", file, "--json")
		if err != nil {
			t.Fatalf("report create: %v", err)
		}
		var created struct {
			StatID    int64   `json:"stat_id"`
			ColumnIDs []int64 `json:"column_ids"`
		}
		if err := json.Unmarshal([]byte(out), &created); err != nil || created.StatID == 0 || len(created.ColumnIDs) != 2 {
			t.Fatalf("report create printed %q", out)
		}
		stat := fmt.Sprint(created.StatID)

		// show prints a definition that update takes back.
		shown, err := run(t, nil, "report", "show", "--db", dsn, "--account", account, "--id", stat)
		if err != nil {
			t.Fatalf("report show: %v", err)
		}
		var def map[string]any
		if err := json.Unmarshal([]byte(shown), &def); err != nil || def["name"] != "По этапам" {
			t.Fatalf("report show printed %q", shown)
		}
		cols := def["tableColumns"].([]any)
		first := cols[0].(map[string]any)
		if fmt.Sprint(first["id"]) != fmt.Sprint(created.ColumnIDs[0]) {
			t.Errorf("shown column %v, want id %d", first, created.ColumnIDs[0])
		}
		// Keep the first column, drop the second, add a sum-free count.
		def["name"] = "По этапам и статусам"
		def["tableColumns"] = []any{first, map[string]any{"settings": map[string]any{"typeColumn": 2,
			"operationParams": map[string]any{"type": 1}, "dynamicValue": map[string]any{"value": "6"}}}}
		text, _ := json.Marshal(def)
		out, err = run(t, nil, "report", "update", "--db", dsn, "--account", account, "--id", stat, "--file", write("update.json", string(text)), "--json")
		if err != nil {
			t.Fatalf("report update: %v", err)
		}
		var updated struct {
			StatID    int64   `json:"stat_id"`
			ColumnIDs []int64 `json:"column_ids"`
		}
		if err := json.Unmarshal([]byte(out), &updated); err != nil || updated.StatID != created.StatID || len(updated.ColumnIDs) != 2 ||
			updated.ColumnIDs[0] != created.ColumnIDs[0] || updated.ColumnIDs[1] == created.ColumnIDs[1] {
			t.Fatalf("report update printed %q (created %v)", out, created.ColumnIDs)
		}
		out, err = run(t, nil, "report", "list", "--db", dsn, "--account", account)
		if err != nil || !strings.Contains(out, stat+"\tПо этапам и статусам\t2 columns") {
			t.Errorf("report list: %v %q", err, out)
		}

		// The running server evaluates it.
		resp := env.Do(t, "POST", "/openapi/v1/stat/custom/?api_key="+acc.Key, "", `{"request": {"stat_id": `+stat+`,
			"pipeline_id": `+fmt.Sprint(mainPipeline(t, env, acc.Key))+`, "start_date": "2021-01-01", "end_date": "2021-01-31", "show_type": "table"}}`)
		if resp.Status != 200 {
			t.Fatalf("stat/custom: %d %s", resp.Status, resp.Body)
		}
		result := resp.Object(t)["result"].(map[string]any)
		total := result["data"].([]any)[0].(map[string]any)
		want := fmt.Sprintf(`map[%d_column:0 %d_column:map[] total:true]`, updated.ColumnIDs[0], updated.ColumnIDs[1])
		if fmt.Sprint(total) != want {
			t.Errorf("total row %v, want %s", total, want)
		}

		// Refusals.
		if _, err := run(t, nil, "report", "create", "--db", dsn, "--account", account); !cli.IsUsage(err) {
			t.Errorf("without --file: %v, want a usage error", err)
		}
		if _, err := run(t, nil, "report", "update", "--db", dsn, "--account", account, "--file", file); !cli.IsUsage(err) {
			t.Errorf("update without --id: %v, want a usage error", err)
		}
		if _, err := run(t, nil, "report", "frobnicate"); !cli.IsUsage(err) {
			t.Errorf("unknown subcommand: %v, want a usage error", err)
		}
		bad := write("bad.json", `{"name": "x", "settings": {"rowParams": [{"type": 9}]}, "tableColumns": []}`)
		_, err = run(t, nil, "report", "create", "--db", dsn, "--account", account, "--file", bad)
		if err == nil || !strings.Contains(err.Error(), "--settings.rowParams.0:") {
			t.Errorf("a bad definition: %v", err)
		}
		_, err = run(t, nil, "report", "show", "--db", dsn, "--account", account, "--id", "999999")
		if err == nil || !strings.Contains(err.Error(), "No report (custom statistic) has this id.") {
			t.Errorf("an unknown report: %v", err)
		}
	})
}

// mainPipeline returns the id of the account's first deal pipeline
// (Envybox main/data: result.deal.pipelines).
func mainPipeline(t *testing.T, env *crmtest.Env, key string) any {
	t.Helper()
	resp := env.Do(t, "GET", "/openapi/v1/main/data/?api_key="+key, "", "")
	result, _ := resp.Object(t)["result"].(map[string]any)
	deal, _ := result["deal"].(map[string]any)
	if list, ok := deal["pipelines"].([]any); ok && len(list) > 0 {
		return list[0].(map[string]any)["id"]
	}
	t.Fatalf("no deal pipeline in main/data: %s", resp.Body)
	return nil
}
