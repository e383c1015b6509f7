package transfer

// SetPageSize makes the export's page n rows for a test, so that a few
// records span pages; the returned function puts it back.
func SetPageSize(n int) (restore func()) {
	old := pageSize
	pageSize = n
	return func() { pageSize = old }
}
