package envybox

// clientRoutes serve the client methods (E27–E30, E32, E34–E36; the field
// definitions E31/E33 live with the other field methods).
func (h *handler) clientRoutes() []route {
	return []route{
		{"POST /openapi/v1/client/list/", h.clientList},
		{"POST /openapi/v1/client/get/", h.clientGet},
		{"POST /openapi/v1/client/create/", h.clientCreate},
		{"POST /openapi/v1/client/getContacts/", h.clientGetContacts},
		{"POST /openapi/v1/client/updateClientValue/", h.clientUpdateValue},
		{"POST /openapi/v1/client/addContact/", h.clientAddContact},
		{"GET /openapi/v1/client/{client_id}/getCompanies/", h.clientGetCompanies},
		{"POST /openapi/v1/client/{client_id}/addCompany/", h.clientAddCompany},
	}
}
