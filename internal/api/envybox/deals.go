package envybox

// dealRoutes serve the deal methods.
func (h *handler) dealRoutes() []route { return nil }
