package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestReportSettingsColumns: a report's settings come back as stored, and
// rows in the shape earlier versions wrote (ids as numeric strings in
// places, the empty show-condition lists, built-in dimensions without
// crm_element_id) still read.
func TestReportSettingsColumns(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acc := newAccount(t, db, "Reports")
		want := crm.Report{Name: "По менеджерам", Settings: crm.ReportSettings{
			RowParams: []crm.ReportRowParam{{Type: crm.ReportByResponsible},
				{Type: crm.ReportByField, Element: crm.ReportIntOf(crm.ReportElementDeal), Value: crm.ReportIntOf(2005)}},
			TypeDateFilter: crm.ReportDateInput, DateStages: []crm.ReportInt{crm.ReportIntOf(7)}, TypeDateFilterInputID: crm.ReportIntOf(12)},
			Columns: []crm.ReportColumn{{Settings: crm.ReportColumnSettings{StaticColumnName: "Сумма", TypeColumn: crm.ReportDynamicColumn,
				OperationParams: crm.ReportOperation{Type: crm.ReportSum, Element: crm.ReportIntOf(3), Value: crm.ReportIntOf(200)},
				DynamicValue:    crm.ReportDynamic{Value: crm.ReportIntOf(2)},
				CalcConditions: []crm.ReportCondition{{Type: crm.ReportByStage, Values: []crm.ReportValue{crm.ReportNumber(5)}},
					{Type: crm.ReportByField, Element: crm.ReportIntOf(2), Value: crm.ReportIntOf(9), Values: []crm.ReportValue{crm.ReportText("Москва")}}}}}}}
		var got crm.Report
		if err := db.Update(ctx, acc.AccountID, func(tx crm.Tx) error {
			r := want
			if err := tx.InsertReport(ctx, &r); err != nil {
				return err
			}
			var err error
			got, err = tx.Report(ctx, r.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Settings, want.Settings) || len(got.Columns) != 1 || !reflect.DeepEqual(got.Columns[0].Settings, want.Columns[0].Settings) {
			t.Errorf("read back\n%+v\nwant\n%+v", got, want)
		}

		// A row as crmd wrote them before the store had its own encoding.
		if err := db.ExecRaw(ctx, `INSERT INTO custom_stats (account_id, name, settings, created_at, updated_at) VALUES (?, 'Старый', ?, 1, 1)`,
			acc.AccountID, `{"rowParams":[{"type":1},{"crm_element_id":3,"value":2005,"type":4}],"typeDateFilter":"input",`+
				`"rowShowConditions":[],"dateStages":[7],"typeDateFilterInputId":"12"}`); err != nil {
			t.Fatal(err)
		}
		var old crm.Report
		if err := db.View(ctx, acc.AccountID, func(tx crm.Tx) error {
			list, err := tx.Reports(ctx)
			if err == nil {
				old = list[len(list)-1]
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `INSERT INTO custom_stat_columns (account_id, custom_stat_id, position, settings, created_at, updated_at)
			VALUES (?, ?, 0, ?, 1, 1)`, acc.AccountID, old.ID, `{"staticColumnName":"Сумма","operationParams":{"type":2,"crm_element_id":3,"value":200},`+
			`"dynamicValue":{"crm_element_id":null,"value":"2"},"typeColumn":2,"calcConditions":[{"type":2,"values":[5]},`+
			`{"type":4,"crm_element_id":2,"value":9,"values":["Москва"]}],"showConditions":[]}`); err != nil {
			t.Fatal(err)
		}
		if err := db.View(ctx, acc.AccountID, func(tx crm.Tx) (err error) {
			old, err = tx.Report(ctx, old.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(old.Settings, want.Settings) || len(old.Columns) != 1 || !reflect.DeepEqual(old.Columns[0].Settings, want.Columns[0].Settings) {
			t.Errorf("an earlier row read\n%+v\nwant\n%+v", old, want)
		}
	})
}
