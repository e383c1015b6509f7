package envybox

// referenceRoutes serve main/data.
func (h *handler) referenceRoutes() []route { return nil }
