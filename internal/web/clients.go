package web

import "net/http"

// clientRoutes registers the clients' routes.
func (h *handler) clientRoutes(mux *http.ServeMux) {}

var clientMessages = catalog{}
