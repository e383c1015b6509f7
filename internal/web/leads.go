package web

import "net/http"

// leadRoutes registers the lead inbox's routes.
func (h *handler) leadRoutes(mux *http.ServeMux) {}

var leadMessages = catalog{}
