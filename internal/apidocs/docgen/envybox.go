package docgen

// The Envybox document: the CRM "openapi v1" methods crmd serves under
// /openapi/v1/ and its alias /crm/api/v1/ (internal/api/envybox; decisions
// in docs/envybox.md), and the website lead widget (internal/api/widget),
// which belongs to the same dialect.

const envyboxDescription = `crmd's Envybox (CallbackKILLER) dialect: the CRM "openapi v1" methods — reference data, leads (inbound requests) with de-duplication and "take to work", deals in pipelines, clients with contact data and companies, field definitions and values, history, tasks, tags, custom statistics — over crmd's one model (an Envybox deal is an amoCRM lead, a client an amoCRM contact, a deal pipeline a UIS sales funnel). The website lead widget (GET /widget.js, POST /widget/v1/{crm_id}/lead) is here too: it has its own server (the site root) and no key.

Servers: every method is served under /openapi/v1/<method>/ and, for published integrations that call it so, identically under /crm/api/v1/<method>/. Paths are served with and without the trailing slash.

Authentication: the account's API key as the query parameter api_key, on every method and every HTTP method. A wrong or missing key answers 401 {"status_code": 401, "message": "Неправильный ключ api"}.

Requests: POST methods take a JSON body {"request": {...}} (the parameters listed are the members of request); the log lists take query parameters; the field-definition GETs take query parameters or a {"request": {...}} body. Integer parameters are accepted as numbers or numeric strings.

Envelope: every answer is a JSON object {status_code, message[, payload]} whose status_code is the HTTP status: 200 and "success", or an error with a Russian message (400 for a bad or missing parameter, 401 a wrong key, 403 a pipeline that forbids manual stage changes, 404 something not found, 409 a lead already taken to work, 413 a body over 1 MiB, 429 over the request limit, 500 for the document's "Неверный request" and for client/updateClientValue's "Клиент не найден"). An unknown method answers 404 "Метод не найден". Older methods render numbers as strings ("id": "2119"), as Envybox's own examples do; dates are "YYYY-MM-DD HH:MM:SS" in the account's time zone.

Limits: 10 requests a second and 300 a minute per account by default (crmd limits set changes them): 429 "Превышен лимит запросов" with Retry-After.

Level of detail: every method crmd serves is here with its parameters, the statuses it answers and the main fields of its reply. Schemas list the fields integrations use; objects may carry more members than are listed, and the field-by-field rules are in docs/envybox.md, docs/envybox-history.md and docs/envybox-stats.md.`

func envyboxDocument() *OpenAPI {
	a := newAPI(Info{
		Title:       "crmd — Envybox CRM openapi v1",
		Version:     "1",
		Summary:     "The Envybox dialect of crmd: leads, deals, clients, fields, history, tasks, statistics, and the website widget.",
		Description: envyboxDescription,
	})
	a.doc.Servers = []Server{
		{URL: "/openapi/v1", Description: "the dialect's prefix"},
		{URL: "/crm/api/v1", Description: "the alias some published integrations call; served identically"},
	}
	a.doc.Components.SecuritySchemes = map[string]any{
		"api_key": map[string]any{"type": "apiKey", "in": "query", "name": "api_key",
			"description": "The account's Envybox API key, printed by crmd serve and crmd account create."},
	}
	a.doc.Security = []map[string][]string{{"api_key": {}}}
	a.doc.Tags = []Tag{
		{Name: "reference", Description: "main/data: the account, users, pipelines, stages and field definitions."},
		{Name: "leads", Description: "Leads: inbound requests, de-duplicated by phone and email, taken to work into a client and a deal."},
		{Name: "deals", Description: "Deals in pipelines."},
		{Name: "clients", Description: "Clients, their contact data, contact persons and companies."},
		{Name: "fields", Description: "Field definitions of clients and deals."},
		{Name: "history", Description: "Log entries (calls and comments) of leads and deals."},
		{Name: "tasks", Description: "Deal tasks."},
		{Name: "statistics", Description: "Custom statistics reports."},
		{Name: "widget", Description: "The website lead widget: public, keyed by crm_id, served from the site root."},
	}
	e := &envy{api: a}
	e.components()
	e.reference()
	e.leads()
	e.deals()
	e.clients()
	e.fields()
	e.history()
	e.tasks()
	e.stats()
	e.widget()
	return a.finish()
}

// envy builds the Envybox document.
type envy struct{ *api }

// The error statuses most methods can answer: a bad parameter, a wrong
// key, a body over 1 MiB, the request limit, and the generic bad request.
var envyCommon = []string{"400", "401", "413", "429", "500"}

func (e *envy) components() {
	e.schema("Envelope", obj("Every answer's frame: status_code is the HTTP status.",
		r("status_code", integer("")), r("message", str("\"success\", or the error's Russian text."))))
	errResp := func(name, status, desc string, headers map[string]any) {
		e.response(name, status, Response{Description: desc, Headers: headers,
			Content: map[string]MediaType{"application/json": {Schema: ref("Envelope")}}})
	}
	errResp("BadParameter", "400", "A missing or malformed parameter: the message names it (\"Неверный request: path: detail\", \"Не указан lead_id\"…).", nil)
	errResp("WrongKey", "401", "A wrong or missing api_key: \"Неправильный ключ api\".", nil)
	errResp("StageLocked", "403", "The deal pipeline forbids manual stage changes.", nil)
	errResp("NotFound", "404", "The record is not found (\"Лид с данным id не найден\", \"Сделка не найдена\", \"Клиент не найден\", \"Поле не найдено\"…).", nil)
	errResp("AlreadyTaken", "409", "\"Лид уже взят в работу\": the lead was taken to work already.", nil)
	errResp("TooLarge", "413", "The body is over 1 MiB.", nil)
	errResp("TooManyRequests", "429", "\"Превышен лимит запросов\".", retryAfter)
	errResp("InvalidRequest", "500", "\"Неверный request\": the document's generic bad request (an unknown id or field in a value update, nothing to act on), or \"Внутренняя ошибка сервера\".", nil)

	e.schema("FieldWrite", obj("A field value to write.",
		r("input_id", intOrString("The field id (main/data, getListInputs).")),
		r("value", anyOf("", str(""), number(""))),
		p("value_type_id", intOrString("1 service field, 2 custom field (type_id is accepted too).")),
		p("type_id", intOrString("The same as value_type_id."))))
	e.schema("Values", obj("Field values: service keyed by name_id, custom as a list.",
		p("service", obj("Keyed by the field's name_id (name, phone, email, comment, utm_source…): {input_id, value, name, …}.")),
		p("custom", arr(obj("", p("input_id", Schema{}), p("type_id", Schema{}), p("value", Schema{}), p("name", str("")), p("name_id", str("crm_<id>"))), ""))))
	e.schema("Lead", obj("A lead (numbers as strings).",
		r("id", str("")), p("parent_id", str("The first lead of the same phone or email; \"0\" for that one.")),
		p("crm_id", str("")), p("stage_id", str("")), p("user_id", str("")), p("employee_id", str("")),
		p("old_employee_id", nullable(str(""))), p("department_id", str("")), p("pipeline_id", str("")),
		p("deal_pipeline_id", str("The deal pipeline used when it is taken to work.")), p("deal_stage_id", str("")),
		p("status", str("\"1\" once taken to work, \"2\" before.")), p("inbox_type_id", str("")),
		p("stage", str("")), p("stage_color", str("")), p("name", str("")), p("phone", str("")), p("email", str("")),
		p("created_at", str("")), p("updated_at", nullable(str(""))), p("stage_updated_at", nullable(str(""))),
		p("values", ref("Values")), p("deals", arr(str(""), "Linked deal ids."))))
	e.schema("Deal", obj("A deal (deal/get renders numbers as strings).",
		r("id", Schema{}), p("crm_id", Schema{}), p("pipeline_id", Schema{}), p("client_id", Schema{"description": "null for an amoCRM lead without a contact."}),
		p("stage_id", Schema{}), p("user_id", Schema{}), p("employee_id", Schema{}), p("old_employee_id", Schema{}), p("department_id", Schema{}),
		p("status_id", Schema{"description": "2001 new, 2002 in work, 2003 won, 2004 lost."}),
		p("stage", str("")), p("stage_color", str("")), p("name", str("")), p("client_name", nullable(str(""))),
		p("closed_at", nullable(str(""))), p("created_at", str("")), p("updated_at", nullable(str(""))),
		p("stage_updated_at", nullable(str(""))), p("values", ref("Values")),
		p("connected_lead_id", arr(Schema{}, ""))))
	e.schema("ContactRow", obj("A contact data row of a client (phone, email, messenger…).",
		r("id", Schema{}), p("client_id", Schema{}), p("type_id", Schema{"description": "1 phone, 4 email, crmd's numbers for the rest (docs/envybox.md)."}),
		p("group_id", Schema{}), r("value", str("")), p("addon", nullable(str(""))), p("primary", Schema{}),
		p("contact_id", Schema{"description": "The contact person the row belongs to."}), p("contact_name", nullable(str(""))),
		p("birthday", nullable(str(""))), p("created_at", str("")), p("updated_at", nullable(str("")))))
	e.schema("Company", obj("A client's company.",
		r("id", integer("")), p("crm_id", integer("")), p("crm_element_id", integer("2")), p("element_id", integer("The client.")),
		p("primary", integer("1: the client's main company.")), r("short_name", str("")), p("full_name", str("")),
		r("inn", Schema{}), p("kpp", str("")), p("ogrn", str("")), p("legal_address", str("")), p("postal_address", str("")),
		p("general_manager", str("")), p("bank_name", str("")), p("bik", str("")), p("payment_account", str("")),
		p("correspondent_account", str("")), p("created_at", str("")), p("updated_at", nullable(str("")))))
	e.schema("Task", obj("A deal task.",
		r("id", integer("")), p("deal_id", integer("")), p("crm_element_id", integer("")), p("element_id", integer("")),
		p("employee_id", integer("0: the administrator.")), p("department_id", integer("")), p("type_id", integer("")),
		p("comment", str("")), p("time", str("YYYY-MM-DD HH:MM:SS")), p("success", integer("0 open, 1 closed.")),
		p("is_overdue", integer("")), p("created_at", str("")), p("updated_at", nullable(str("")))))
	e.schema("LogEntry", obj("A history entry.",
		r("id", integer("")), r("type_id", integer("9/10 lead call/comment, 2009/2010 deal call/comment; crmd's system entries otherwise.")),
		p("crm_element_id", integer("1 lead, 3 deal.")), p("element_id", integer("")),
		p("user_id", nullable(integer(""))), p("employee_id", nullable(integer(""))),
		p("data", obj("Calls: direction, status, from, to, record_link, comment, duration_bill; comments: comment; the author's card as user.")),
		p("created_at", str("")), p("updated_at", nullable(str("")))))
	e.schema("FieldDefinition", obj("A field definition (an input).",
		r("id", integer("")), p("crm_id", integer("")), p("crm_element_id", integer("1 lead, 2 client, 3 deal.")),
		p("name", str("")), p("name_id", str("crm_<id> for custom fields.")),
		p("type_id", integer("1 number, 2 text, 3 list, then crmd's: 4 multi-list, 6 date, 7 date-time, 8 checkbox, 10 url, 11 textarea, 12 radio, 13 address.")),
		p("group_id", integer("")), p("required", integer("")), p("values", arr(Schema{}, "List options.")), p("position", integer(""))))
}

// request is the {"request": {...}} body of a POST method.
func request(props ...prop) Schema {
	return obj("", r("request", obj("The method's parameters.", props...)))
}

// ok is a success answer: the envelope and the payload members.
func ok(props ...prop) Schema {
	base := []prop{r("status_code", Schema{"const": 200}), r("message", Schema{"const": "success"})}
	return obj("", append(base, props...)...)
}

// method adds one Envybox method under the dialect's servers.
func (e *envy) method(httpMethod, path, tag, summary string) *opBuilder {
	return e.op(httpMethod, path, tag, summary)
}

// success sets the 200 answer.
func success(b *opBuilder, desc string, s Schema) *opBuilder {
	return b.resp("200", desc, "application/json", s)
}

func (e *envy) reference() {
	b := e.method("GET", "/main/data/", "reference", "The account's reference data").
		desc("Everything other methods need ids of: the account, inbox types, employees (member users; administrators are user_id), departments, lead and deal pipelines with their stages, and the field definitions of leads, clients and deals. All values are strings; api_key echoes the key used.")
	success(b, "The reference data.", ok(r("result", obj("",
		r("id", str("The account: the crm_id of the widget.")), r("user_id", str("The administrator.")), p("callback_id", str("")),
		r("name", str("")), p("api_key", str("")), p("created_at", str("")),
		p("inbox_types", arr(obj("", r("id", str("")), r("name", str("")), p("type", str(""))), "")),
		p("employees", arr(obj("", r("id", str("")), p("user_id", str("")), p("name", str("")), p("surname", str("")),
			p("email", str("")), p("profession", str("")), p("phone", str("The internal number."))), "")),
		p("departments", arr(obj("", r("id", str("")), r("name", str(""))), "crmd's addition.")),
		p("lead", obj("", p("pipelines", arr(obj(""), "")), p("custom_fields", arr(obj(""), "")))),
		p("client", obj("", p("custom_fields", arr(obj(""), "")))),
		p("deal", obj("", p("pipelines", arr(obj("", r("id", str("")), r("name", str("")), p("primary", str("")),
			p("allow_manual_change_stage", str("")), p("stages", arr(obj("", r("id", str("")), r("name", str("")),
				p("status_id", str("2001–2004")), p("color", str(""))), ""))), "")), p("custom_fields", arr(obj(""), "")))),
	)))).errs("401", "429", "500")
}

func (e *envy) leads() {
	leadValues := obj("The lead's values; a phone or an email is required.",
		p("name", str("")), p("phone", str("Normalised to digits (7XXXXXXXXXX for Russian numbers).")), p("email", str("")),
		p("comment", str("")), p("utm_source", str("")), p("utm_medium", str("")), p("utm_campaign", str("")),
		p("utm_content", str("")), p("utm_term", str("")), p("google_client_id", str("")), p("yandex_client_id", str("")),
		p("custom", arr(obj("", r("input_id", intOrString("")), r("value", anyOf("", str(""), number("")))), "")))
	create := request(
		r("method", enum("", "create")),
		p("pipeline_id", intOrString("The deal pipeline its deal will be made in; default: the primary one.")),
		p("employee_id", intOrString("")), p("inbox_type_id", intOrString("")),
		p("visit_id", intOrString("Accepted and ignored.")), p("region", str("Stored as the region field's value.")),
		p("timezone", str("UTC±HH:MM; wins over region; default UTC+03:00.")),
		p("tags", arr(str(""), "Deal tags, given to the deal made on taking to work.")),
		p("record_link", str("A call recording, attached to the lead's creation entry.")),
		p("values", leadValues),
		p("contact_data", arr(obj("", r("type", str("viber, instagram, whatsapp, telegram, vkontakte, facebook, skype, note, position, work_phone, home_phone…")),
			r("value", str("")), p("addon", str("work_phone's extension."))), "")))
	b := e.method("POST", "/lead/set/", "leads", "Create a lead").
		desc("Synchronous: answers the new lead's id and, when an earlier lead has the same phone or email, that first lead as parent_id — the one to take to work.").
		body(create, "")
	success(b, "The lead.", ok(r("id", integer("")), r("parent_id", integer("0 when it is the first of its contact.")))).errs(envyCommon...)
	b = e.method("POST", "/lead/workset/", "leads", "Create a lead (queued variant)").
		desc("The same as lead/set, recorded synchronously too, answering no id.").body(create, "")
	success(b, "Recorded.", ok()).errs(envyCommon...)
	b = e.method("POST", "/lead/get/", "leads", "Get a lead").body(request(r("lead_id", intOrString(""))), "")
	success(b, "The lead with its values and linked deals.", ok(r("result", ref("Lead")))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/lead/search/", "leads", "Find a lead not yet taken to work").
		desc("By phone or email; leads: null when none.").
		body(request(p("phone", str("")), p("email", str(""))), "One of phone and email.")
	success(b, "The lead, or null.", ok(r("leads", nullable(withDesc(ref("Lead"), "Also lead_id."))))).errs(envyCommon...)
	b = e.method("POST", "/lead/list/", "leads", "List leads").
		desc("Newest first; keyword searches the lead's values and contact data (literally; phone-like keywords by digits).").
		body(request(p("keyword", str("")), p("limit", intOrString("Default and maximum 50.")), p("offset", intOrString("")),
			p("date_start", str("YYYY-MM-DD")), p("date_end", str("YYYY-MM-DD")),
			p("date_type", str("Which date the period filters; creation by default.")),
			p("stage_id", anyOf("One or a list.", intOrString(""), arr(intOrString(""), "")))), "")
	success(b, "A page of leads.", ok(r("leads", obj("",
		p("keyword", nullable(str(""))), p("dateType", str("")), p("dateSelectType", str("")),
		r("offset", integer("The next offset, -1 at the end.")), r("limit", integer("")),
		r("result", arr(ref("Lead"), "")), r("count", str("Total matches.")))))).errs(envyCommon...)
	b = e.method("POST", "/lead/start/", "leads", "Take a lead to work").
		desc("Finds the oldest client with the lead's phone or email or makes one, makes the deal, links them; one transaction. A second start is 409.").
		body(request(r("lead_id", intOrString("Use parent_id when lead/set gave one.")), p("user_id", intOrString("The deal's administrator.")),
			p("employee_id", intOrString("The deal's employee."))), "")
	success(b, "The client and deal made.", ok(r("result", obj("", r("lead_id", integer("")), p("user_id", integer("")),
		p("employee_id", integer("")), r("client_id", integer("")), r("deal_id", integer("")))))).errs(plus(envyCommon, "404", "409")...)
	b = e.method("POST", "/lead/updateLeadValue/", "leads", "Change a lead's field values").
		desc("An unknown lead or field is 500 \"Неверный request\", as the document prints.").
		body(request(r("lead_id", intOrString("")), r("fields", arr(ref("FieldWrite"), ""))), "")
	success(b, "Changed.", ok()).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/lead/update_employee/", "leads", "Make an employee or a department responsible for a lead").
		body(request(r("lead_id", intOrString("")), p("employee_id", intOrString("Required unless department_id.")),
			p("department_id", intOrString(""))), "")
	success(b, "The flat echo.", ok(r("lead_id", integer("")), r("crm_id", integer("")), p("employee_id", integer("")),
		p("department_id", integer("")))).errs(plus(envyCommon, "404")...)
}

func (e *envy) deals() {
	b := e.method("POST", "/deal/get/", "deals", "Get a deal").
		body(request(r("deal_id", intOrString("")), p("with", arr(enum("", "parent_deal", "child_deals"), "Other values are 400."))), "")
	success(b, "The deal.", ok(r("result", obj("", r("deal", ref("Deal")), p("parent_deal", nullable(ref("Deal"))),
		p("child_deals", arr(ref("Deal"), "")))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/deal/create/", "deals", "Create a deal").
		desc("Without employee_id and department_id the deal has nobody responsible. task: {} makes the default task (\"Связаться с клиентом\", due in 24 hours).").
		body(request(r("client_id", intOrString("")), p("name", anyOf("", str(""), integer(""))),
			p("employee_id", intOrString("")), p("department_id", intOrString("")), p("pipeline_id", intOrString("")),
			p("task", obj("", p("text", str("")), p("time", integer("Unix seconds.")))),
			p("values", arr(ref("FieldWrite"), ""))), "")
	success(b, "The deal (numbers as numbers).", ok(r("result", obj("", r("deal", ref("Deal")))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/deal/search/", "deals", "Find clients and their deals by phone or email").
		body(request(p("phone", str("")), p("email", str(""))), "One of phone and email.")
	success(b, "The clients found.", ok(r("clients", arr(obj("", r("id", str("")), p("crm_id", str("")), p("name", str("")),
		p("created_at", str("")), p("updated_at", nullable(str(""))), p("deleted_at", Schema{"type": "null"}),
		p("deals_for_event", arr(ref("Deal"), ""))), "")))).errs(envyCommon...)
	b = e.method("POST", "/deal/updateDealStage/", "deals", "Move a deal to a stage").
		desc("The pipeline must allow manual stage changes (else 403); the stage must be the deal's pipeline's.").
		body(request(r("deal_id", intOrString("")), r("stage_id", intOrString("")), p("employee_id", intOrString("Who moves it; default the administrator."))), "")
	success(b, "Moved.", ok(r("result", obj("", r("stage_id", Schema{}))))).errs(plus(envyCommon, "403", "404")...)
	b = e.method("POST", "/deal/updateEmployee/", "deals", "Change who is responsible for a deal").
		desc("An employee and a department exclude each other; employee_id 0 alone makes the administrator responsible.").
		body(request(r("deal_id", intOrString("")), p("employee_id", intOrString("")), p("department_id", intOrString("")),
			p("user_id", intOrString(""))), "")
	success(b, "The deal.", ok(r("result", obj("", r("deal", ref("Deal")))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/deal/toInbox/", "deals", "Send a deal to the inbox").
		body(request(r("deal_id", intOrString(""))), "")
	success(b, "Sent.", ok()).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/deal/list/", "deals", "List deals, or search them by field values").
		desc("Without filter: a page of deals, newest first, keyword over the deal's, its client's and contacts' fields. With a filter object: the document's search by field ids and values (its printed path is a copy-paste slip), answering all_ids, count, max_colls_contacts and rows with the client's contacts and companies; the filter's semantics are listed in internal/crm/deal_filter.go.").
		body(request(p("keyword", str("")), p("limit", intOrString("Default 50.")), p("offset", intOrString("")),
			p("date_start", str("YYYY-MM-DD")), p("date_end", str("YYYY-MM-DD")),
			p("date_type", str("created, updated, closed, stage_transition…; an unknown one is 400.")),
			p("pipeline_id", anyOf("One or a list.", intOrString(""), arr(intOrString(""), ""))),
			p("stage_id", anyOf("One or a list.", intOrString(""), arr(intOrString(""), ""))),
			p("date_stage_ids", anyOf("Stages for date_type stage_transition.", intOrString(""), arr(intOrString(""), ""))),
			p("filter", obj("The field-value search: pipelines, stages, dates (dateType, dateSelectType, customDateType), inputs keyed by element (\"1\" lead, \"2\" client, \"3\" deal) and field id, users, tags…"))), "")
	success(b, "A page of deals (flat list object).", ok(
		p("dateType", str("")), p("dateSelectType", str("")),
		r("offset", integer("The next offset, -1 at the end.")), p("limit", integer("")),
		r("result", arr(ref("Deal"), "")), r("count", anyOf("A string without filter, a number with one.", str(""), integer(""))),
		p("inputs_sum", arr(Schema{}, "")), p("all_ids", arr(integer(""), "With filter.")),
		p("max_colls_contacts", integer("With filter.")), p("keyword", nullable(str(""))))).errs(envyCommon...)
	b = e.method("POST", "/deal/updateDealValue/", "deals", "Change a deal's field values").
		desc("An unknown deal, or a deal of another client, is 500 \"Неверный request\".").
		body(request(r("deal_id", intOrString("")), r("client_id", intOrString("")), p("user_id", intOrString("")),
			p("employee_id", intOrString("")), r("fields", arr(ref("FieldWrite"), ""))), "")
	success(b, "The request echoed.", ok(r("result", obj("", r("deal_id", str("")), r("client_id", str("")),
		p("employee_id", str("")), p("user_id", str("")), p("fields", arr(Schema{}, "")))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/deal/tag/addDealTags/", "deals", "Add tags to a deal").
		body(request(r("deal_id", intOrString("")), r("tags", arr(str(""), "Tag names."))), "")
	success(b, "Added.", ok()).errs(plus(envyCommon, "404")...)
}

func (e *envy) clients() {
	client := obj("A client (numbers as strings).",
		r("id", str("")), p("crm_id", str("")), p("created_at", str("")), p("updated_at", nullable(str(""))),
		p("deleted_at", Schema{"type": "null"}), p("values", ref("Values")),
		p("contacts", arr(ref("ContactRow"), "")), p("deals", Schema{"description": "The client's deals."}))
	b := e.method("POST", "/client/list/", "clients", "List clients").
		desc("Newest first; keyword searches the client, its contact persons and its deals' names.").
		body(request(p("keyword", str("")), p("limit", intOrString("Default 50.")), p("offset", intOrString("")),
			p("date_start", str("YYYY-MM-DD")), p("date_end", str("YYYY-MM-DD"))), "")
	success(b, "A page of clients (flat list object).", ok(p("keyword", nullable(str(""))),
		r("offset", integer("The next offset, -1 at the end.")), r("limit", integer("")),
		r("result", arr(client, "")), r("count", str("")), p("all_ids", arr(integer(""), "")),
		p("max_colls_contacts", integer("")))).errs(envyCommon...)
	b = e.method("POST", "/client/get/", "clients", "Get a client").body(request(r("client_id", intOrString(""))), "")
	success(b, "The client.", ok(r("result", client))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/client/create/", "clients", "Create a client").
		desc("Phones and emails are de-duplicated as amoCRM's contact writes are.").
		body(request(r("name", str("")), p("phone", anyOf("One or a list.", str(""), arr(str(""), ""))),
			p("phones", arr(str(""), "")), p("email", anyOf("One or a list.", str(""), arr(str(""), ""))),
			p("emails", arr(str(""), ""))), "")
	success(b, "The client.", ok(r("result", obj("", r("client", obj("", r("id", integer("")), p("crm_id", integer("")),
		p("created_at", str("")), p("updated_at", nullable(str(""))))))))).errs(envyCommon...)
	b = e.method("POST", "/client/getContacts/", "clients", "Get a client's contact data").
		body(request(r("client_id", intOrString(""))), "")
	success(b, "The rows.", ok(r("result", obj("", r("contacts", arr(ref("ContactRow"), "")))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/client/updateClientValue/", "clients", "Change a client's field values").
		desc("An unknown client is 500 \"Клиент не найден\" and an unknown field 500 \"Неверный request\", as documented.").
		body(request(r("client_id", intOrString("")), p("user_id", intOrString("")), p("employee_id", intOrString("")),
			r("fields", arr(ref("FieldWrite"), ""))), "")
	success(b, "The request echoed.", ok(r("result", obj("", r("client_id", str("")), p("user_id", str("")),
		p("employee_id", str("")), p("fields", arr(Schema{}, "")))))).errs(envyCommon...)
	b = e.method("POST", "/client/addContact/", "clients", "Add a contact person to a client").
		desc("A phone or an email is required; the rows carry contact_id and contact_name.").
		body(request(r("client_id", intOrString("")), r("name", str("")), p("phone", anyOf("", str(""), integer(""))),
			p("email", str("")), p("viber", str("")), p("instagram", str("")), p("whatsapp", str("")), p("telegram", str("")),
			p("vkontakte", str("")), p("facebook", str("")), p("skype", str("")), p("note", str("")), p("position", str("")),
			p("work_phone", anyOf("", obj("", r("value", str("")), p("addon", str(""))), str(""))),
			p("home_phone", str("")), p("birthday", str("YYYY-MM-DD"))), "")
	success(b, "Added (no id in the reply).", ok()).errs(plus(envyCommon, "404")...)
	clientID := Parameter{Name: "client_id", In: "path", Required: true, Schema: Schema{"type": "integer", "minimum": 1}}
	b = e.method("GET", "/client/{client_id}/getCompanies/", "clients", "Get a client's companies").params(clientID)
	success(b, "The companies.", ok(r("result", obj("", r("companies", arr(ref("Company"), "")))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/client/{client_id}/addCompany/", "clients", "Add a company to a client").
		desc("INN, KPP, OGRN, BIK and the accounts are checked with their check digits; each failure names the field. The first company is primary.").
		params(clientID).
		body(request(r("short_name", str("")), r("inn", anyOf("10 or 12 digits.", str(""), integer(""))),
			p("full_name", str("")), p("kpp", str("")), p("ogrn", str("")), p("legal_address", str("")),
			p("postal_address", str("")), p("general_manager", str("")), p("bank_name", str("")), p("bik", str("")),
			p("payment_account", str("")), p("correspondent_account", str(""))), "")
	success(b, "The company.", ok(r("result", ref("Company")))).errs(plus(envyCommon, "404")...)
}

func (e *envy) fields() {
	for _, el := range []struct{ entity, word string }{{"client", "client"}, {"deal", "deal"}} {
		b := e.method("GET", "/"+el.entity+"/getListInputs/", "fields", "List "+el.word+" field definitions").
			desc("Parameters in the query string or a {\"request\": {...}} body. Service fields are not paged.").
			query("type", enum("", "custom", "service"), "").
			query("limit", integer(""), "Custom fields only: default and maximum 50.").
			query("offset", integer(""), "Custom fields only.")
		success(b, "The definitions.", ok(r("result", arr(ref("FieldDefinition"), "")), r("count", integer("")),
			r("limit", integer("")), r("offset", integer("The next offset, -1 at the end."))))
		b.errs(envyCommon...)
		b = e.method("GET", "/"+el.entity+"/getInput/", "fields", "Get a "+el.word+" field definition").
			desc("Parameters in the query string or a {\"request\": {...}} body.").
			query("input_id", integer(""), "Required.").query("type", enum("", "custom", "service"), "Required.")
		success(b, "The definition.", ok(r("result", ref("FieldDefinition")))).errs(plus(envyCommon, "404")...)
	}
}

func (e *envy) history() {
	call := obj("A call (type 9 or 2009).",
		r("direction", integer("1 incoming, 2 outgoing, 3 callback.")), r("status", integer("0–7.")),
		r("from", str("")), r("to", str("")), p("record_link", str("")), p("comment", str("")), p("duration_bill", integer("Seconds.")))
	comment := obj("A comment (type 10 or 2010).", r("comment", str("")))
	for _, el := range []struct{ entity, id, types string }{{"lead", "lead_id", "9 call, 10 comment"}, {"deal", "deal_id", "2009 call, 2010 comment"}} {
		b := e.method("GET", "/"+el.entity+"/log/list/", "history", "List a "+el.entity+"'s history").
			desc("Newest first.").
			query(el.id, integer(""), "Required.").
			query("limit", integer(""), "At most 50.").query("offset", integer(""), "")
		success(b, "A page of entries.", ok(r("result", arr(ref("LogEntry"), "")), r("count", integer("")),
			r("limit", integer("")), r("offset", integer("The next offset, -1 at the end.")))).errs(plus(envyCommon, "404")...)
		props := []prop{r(el.id, intOrString("")), p("employee_id", intOrString("The author; 0 the administrator.")),
			r("type_id", intOrString(el.types)), r("data", anyOf("", call, comment))}
		if el.entity == "deal" {
			props = append(props, p("user_id", intOrString("")))
		}
		answer := []prop{r("result", obj("", r("log", ref("LogEntry"))))}
		if el.entity == "deal" {
			answer = append(answer, p("log", withDesc(ref("LogEntry"), "The second variant the document shows, with deleted_at.")))
		}
		b = e.method("POST", "/"+el.entity+"/log/create/", "history", "Add a call or comment to a "+el.entity).
			body(request(props...), "")
		success(b, "The entry.", ok(answer...)).errs(plus(envyCommon, "404")...)
	}
	b := e.method("POST", "/deal/createComment/", "history", "Comment on a deal").
		body(request(r("deal_id", intOrString("")), r("comment", str(""))), "")
	success(b, "Added.", ok()).errs(plus(envyCommon, "404")...)
}

func (e *envy) tasks() {
	b := e.method("POST", "/deal/updatetask/", "tasks", "Change or create the assignee's task of a deal").
		desc("Changes the assignee's earliest open task, or creates one. The assignee is employee_id, else department_id, else the deal's responsible (employee_id 0: the administrator). Neither time nor comment is 500 \"Неверный request\".").
		body(request(r("deal_id", intOrString("")), p("time", integer("Unix seconds.")), p("comment", str("")),
			p("employee_id", intOrString("")), p("department_id", intOrString(""))), "")
	success(b, "The task.", ok(r("result", obj("", r("task", ref("Task")))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/deal/getTask/", "tasks", "Get the responsible's open task of a deal").
		body(request(r("deal_id", intOrString(""))), "")
	success(b, "The task, or null.", ok(r("result", obj("", r("task", nullable(ref("Task"))))))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/deal/getTasks/", "tasks", "Get a deal's open tasks").
		body(request(r("deal_id", intOrString(""))), "")
	success(b, "Earliest due first.", ok(r("result", arr(ref("Task"), "")))).errs(plus(envyCommon, "404")...)
	b = e.method("POST", "/task/list/", "tasks", "List tasks").
		desc("Sorted by time, then id.").
		body(request(p("limit", intOrString("0–50; 0 means 50.")), p("offset", intOrString("")),
			p("datetime_start", str("YYYY-MM-DD HH:MM:SS or a date (its whole day).")), p("datetime_end", str("")),
			p("success", intOrString("0 open, 1 closed.")), p("employee_id", intOrString("0: the administrator's tasks."))), "")
	success(b, "A page of tasks.", ok(r("result", arr(ref("Task"), "")), r("count", integer("")),
		r("limit", integer("")), r("offset", integer("The next offset, -1 at the end.")))).errs(envyCommon...)
}

func (e *envy) stats() {
	b := e.method("POST", "/stat/custom/", "statistics", "Run a custom statistics report").
		desc("Reports are defined with crmd report create (docs/envybox-stats.md).").
		body(request(r("stat_id", intOrString("")), r("pipeline_id", intOrString("")),
			r("start_date", str("YYYY-MM-DD")), r("end_date", str("YYYY-MM-DD")), r("show_type", enum("", "table", "tree"))), "")
	success(b, "The report.", ok(r("result", obj("", r("data", arr(obj(""), "Rows; total rows carry total: true.")),
		r("tableColumns", arr(obj(""), "")), p("settings", obj("")))))).errs(plus(envyCommon, "404")...)
}

func (e *envy) widget() {
	root := []Server{{URL: "/", Description: "the site root of this crmd server"}}
	e.response("WidgetRefused", "", Response{Description: "\"Заявка не принята\": junk content, an unknown crm_id, anything refused — one answer for all.",
		Content: map[string]MediaType{"application/json": {Schema: ref("Envelope")}}})
	e.response("WidgetTooLarge", "", Response{Description: "\"Слишком большая заявка\": the body is over 16 KiB.",
		Content: map[string]MediaType{"application/json": {Schema: ref("Envelope")}}})
	e.response("WidgetLimited", "", Response{Description: "\"Слишком много заявок, попробуйте позже\": over the per-visitor (5 a minute, 50 a day per account) or per-account (60 a minute, 2000 a day) limit.",
		Headers: retryAfter, Content: map[string]MediaType{"application/json": {Schema: ref("Envelope")}}})

	e.doc.Paths["/widget.js"] = &PathItem{Servers: root}
	e.op("GET", "/widget.js", "widget", "The widget script").
		desc("Defines WBK.sendCrmLead(crm_id, {name, email, phone, comment}), which posts to /widget/v1/{crm_id}/lead. CORS open to any origin; cacheable for 5 minutes.").
		public().resp("200", "The script.", "text/javascript", str(""))
	lead := "/widget/v1/{crm_id}/lead"
	e.doc.Paths[lead] = &PathItem{Servers: root}
	crmID := Parameter{Name: "crm_id", In: "path", Required: true, Description: "The account id (main/data's id).", Schema: str("")}
	e.op("OPTIONS", lead, "widget", "CORS preflight of the intake").
		params(crmID).public().resp("204", "Allowed: POST and OPTIONS from any origin, Content-Type.", "", nil)
	b := e.op("POST", lead, "widget", "Send a lead from a website").
		desc("Creates a lead exactly as lead/set does (the default pipeline and inbox type, merged by phone or email) and nothing else. No key: the page that calls it is public. A 5–15 digit phone or an email is required.").
		params(crmID).public().
		body(obj("The lead; strings (or numbers) within their lengths, no control characters.",
			p("name", str("At most 255 characters.")), p("email", str("At most 254.")), p("phone", str("At most 50.")),
			p("comment", str("At most 4000."))), "")
	success(b, "Recorded.", ok()).
		respRef("400", "WidgetRefused").respRef("413", "WidgetTooLarge").respRef("429", "WidgetLimited").
		resp("500", "\"Внутренняя ошибка сервера\".", "application/json", ref("Envelope"))
}

// plus is base and more, in a new slice.
func plus(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}
