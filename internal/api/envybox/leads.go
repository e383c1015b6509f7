package envybox

// leadRoutes serve the lead methods.
func (h *handler) leadRoutes() []route { return nil }
