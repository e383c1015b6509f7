package crm

import "testing"

// SetBulkCap lowers the bulk change cap for one test.
func SetBulkCap(t testing.TB, n int) {
	old := bulkCap
	bulkCap = n
	t.Cleanup(func() { bulkCap = old })
}

// SetRowByRowLeads makes batches of new leads write lead by lead, as
// before the multi-row path, for one test.
func SetRowByRowLeads(t testing.TB, on bool) {
	old := rowByRowLeads
	rowByRowLeads = on
	t.Cleanup(func() { rowByRowLeads = old })
}
