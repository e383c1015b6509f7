package amocrm

import (
	"log/slog"
	"net/http"
)

// v2Routes are the amoCRM API v2 endpoints of seed 001.
func (h *handler) v2Routes() []route {
	return nil
}

// writeV2Error answers an error in amoCRM v2's format.
func writeV2Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	writeError(w, r, log, err)
}
