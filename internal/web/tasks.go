package web

import "net/http"

// taskRoutes registers the tasks' routes.
func (h *handler) taskRoutes(mux *http.ServeMux) {}

var taskMessages = catalog{}
