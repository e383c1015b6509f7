package crm

import "testing"

// SetBulkCap lowers the bulk change cap for one test.
func SetBulkCap(t testing.TB, n int) {
	old := bulkCap
	bulkCap = n
	t.Cleanup(func() { bulkCap = old })
}
