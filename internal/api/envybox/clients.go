package envybox

// clientRoutes serve the client methods.
func (h *handler) clientRoutes() []route { return nil }
