package web

import "net/http"

// dealRoutes registers the deal card's routes.
func (h *handler) dealRoutes(mux *http.ServeMux) {}

var dealMessages = catalog{
	"deal.not_found": {"No such deal.", "Такой сделки нет."},
}
