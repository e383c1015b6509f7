package web

import "net/http"

// statisticsRoutes registers the custom statistics' screens.
func (h *handler) statisticsRoutes(mux *http.ServeMux) {}
