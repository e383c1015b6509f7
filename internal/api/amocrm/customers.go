package amocrm

// customerRoutes are the v4 customers, transactions, links, contacts and
// companies endpoints.
func (h *handler) customerRoutes() []route {
	return nil
}
