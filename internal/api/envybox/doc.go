// Package envybox serves the Envybox (CallbackKILLER) CRM "openapi v1"
// dialect under /openapi/v1/: inbound requests ("leads"), deals, clients and
// their reference data. It only translates: {"request": {...}} bodies and
// query strings in, crm.Service calls, the {status_code, message, result}
// envelope out.
//
// HTTP status: the status line mirrors the body's status_code — 200 on
// success; on failure the code the document prints where it is legible
// (500 for "Неверный request" and for "Клиент не найден" of
// client/updateClientValue), otherwise 401 for a wrong key, 404 for
// something not found, 409 for a request already taken to work, 403 for a
// pipeline that forbids manual stage changes and 400 for a bad or missing
// parameter.
package envybox
