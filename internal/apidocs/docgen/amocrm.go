package docgen

// The amoCRM document: the v4 API crmd serves under /api/v4/ and the v2
// customers API under /api/v2/ (internal/api/amocrm; decisions in
// docs/amocrm.md and docs/customers.md).

const amocrmDescription = `crmd's amoCRM dialect: the REST API v4 that amoCRM integrations call, and the v2 customers, transactions, periods, contacts and companies of amoCRM's older API, over crmd's one model (an amoCRM lead is an Envybox deal, a contact an Envybox client, a lead pipeline a UIS sales funnel).

Authentication: every request carries ` + "`Authorization: Bearer <token>`" + `, the HS256 JWT that ` + "`crmd serve`" + ` (first start) or ` + "`crmd account create`" + ` prints. ` + "`X-Context-User-ID`" + ` lets an administrator's token act as another user of the account. An OAuth 2.0 access token (POST /oauth2/access_token, which itself takes no bearer token: the integration's client_id and client_secret are in its body) works the same way, until its integration is revoked (crmd integration revoke); GET /oauth2/account/current/subdomain takes a refresh token in X-Refresh-Token instead.

Envelope: success bodies are ` + "`application/hal+json`" + `; v4 errors are ` + "`application/problem+json`" + ` problems (title, type, status, detail, and validation-errors naming each batch item by request_id). A v4 list with nothing to return, and a GET of a missing id, answer 204 with no body. Unknown paths are 404 problems; a known path with another method is a 405 problem with an Allow header; bodies over 1 MiB are 413. v2 endpoints answer errors in v2's {"response": {"error", "error_code", "server_time"}} envelope.

Limits: 7 requests a second per user by default (crmd limits set changes them per account): 429 with Retry-After beyond, and 403 while an account is blocked for repeated violations.

Level of detail: every route crmd serves is here with its method, parameters, the statuses it answers and the main fields of its bodies. Schemas list the fields integrations use; objects may carry more members than are listed (they are not closed), and the field-by-field rules (what is refused, defaults, how values are normalised) are in docs/amocrm.md and docs/customers.md, which this document does not repeat.`

func amocrmDocument() *OpenAPI {
	a := newAPI(Info{
		Title:       "crmd — amoCRM API v4 (and v2 customers)",
		Version:     "4",
		Summary:     "The amoCRM dialect of crmd: leads, contacts, companies, customers, tasks, notes, events, pipelines, unsorted.",
		Description: amocrmDescription,
	})
	a.doc.Servers = []Server{{URL: "/", Description: "this crmd server"}}
	a.doc.Components.SecuritySchemes = map[string]any{
		"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
			"description": "The account user's amoCRM token (HS256 JWT: account_id, sub = user id, exp), printed by crmd serve and crmd account create."},
		"refreshToken": map[string]any{"type": "apiKey", "in": "header", "name": "X-Refresh-Token",
			"description": "An OAuth 2.0 refresh token, live (not yet used, not expired, its integration not revoked): only the subdomain lookup takes it."},
	}
	a.doc.Security = []map[string][]string{{"bearer": {}}}
	a.doc.Tags = []Tag{
		{Name: "account", Description: "The account and its customers mode."},
		{Name: "leads", Description: "Leads (crmd's deals), loss reasons, complex creation."},
		{Name: "pipelines", Description: "Lead pipelines and their statuses (the deal pipelines every dialect shares)."},
		{Name: "unsorted", Description: "Unsorted items: inbound requests not yet taken to work (Envybox leads)."},
		{Name: "contacts", Description: "Contacts (Envybox clients); PHONE and EMAIL are their contact data."},
		{Name: "companies", Description: "Companies."},
		{Name: "customers", Description: "Customers, their transactions, statuses and segments (v4)."},
		{Name: "custom fields", Description: "Custom field definitions of each entity."},
		{Name: "links", Description: "Links between leads, contacts, companies and customers."},
		{Name: "tags", Description: "The tag dictionaries of each entity."},
		{Name: "tasks", Description: "Tasks."},
		{Name: "notes", Description: "Notes: the comment and call entries of the history."},
		{Name: "events", Description: "Events: the history, read only."},
		{Name: "users", Description: "Users and roles (read only)."},
		{Name: "webhooks", Description: "amoCRM webhook subscriptions: form-encoded POSTs of the account's changes to a destination."},
		{Name: "oauth", Description: "OAuth 2.0: integrations exchange an authorization code or a refresh token for a 24-hour access token, and look up their account's domain."},
		{Name: "v2", Description: "amoCRM API v2: customers, transactions, customer periods, contacts and companies."},
	}
	m := &amo{api: a}
	m.components()
	m.account()
	m.leads()
	m.pipelines()
	m.unsorted()
	m.contactsAndCompanies()
	m.customers()
	m.links()
	m.tags()
	m.tasks()
	m.notes()
	m.events()
	m.users()
	m.webhooks()
	m.oauth()
	m.v2()
	return a.finish()
}

// amo builds the amoCRM document.
type amo struct {
	*api
	page, limit, with, query any // shared parameters
}

// The error statuses of the usual kinds of v4 operation.
var (
	amoRead  = []string{"401", "403", "429"}
	amoList  = []string{"204", "400", "401", "403", "429"}
	amoGetID = []string{"204", "400", "401", "403", "429"}
	amoWrite = []string{"400", "401", "403", "413", "429"}
	v2Read   = []string{"v2/204", "v2/400", "v2/401", "v2/403", "v2/422", "v2/429"}
	v2Write  = []string{"v2/400", "v2/401", "v2/403", "v2/413", "v2/422", "v2/429"}
)

func (m *amo) components() {
	m.schema("Problem", obj("An RFC 7807 problem as amoCRM sends it (Content-Type exactly application/problem+json).",
		r("title", str("The HTTP reason phrase.")),
		r("type", str("https://httpstatus.es/{status}")),
		r("status", integer("The HTTP status.")),
		r("detail", str("What went wrong.")),
		p("validation-errors", arr(obj("The violations of one batch item.",
			r("request_id", str("The item's request_id, or its index as a string (\"0\" for single-object requests).")),
			r("errors", arr(obj("",
				r("code", enum("", "FieldMissing", "NotBlank", "InvalidType", "NotSupportedChoice", "FieldNotExpected",
					"InvalidLength", "OutOfRange", "InvalidValue", "Conflict")),
				r("path", str("Dot-separated, 0-based indexes inside the item.")),
				r("detail", str(""))), ""))), "Present on 400 (and 409 for stale customers): one entry per refused item.")),
	))
	m.schema("V2Error", obj("amoCRM v1/v2's error envelope (Content-Type application/json, with a Runtime-Timestamp header).",
		r("response", obj("",
			r("error", str("The message; validation errors are listed as section.index.field: detail.")),
			r("error_code", str("110 for 401, 244 for 403, the HTTP status otherwise.")),
			r("server_time", integer("Unix seconds."))))))
	m.schema("Link", obj("", r("href", str("An absolute URL built from the request's scheme (or X-Forwarded-Proto) and host."))))
	m.schema("SelfLinks", obj("", r("self", ref("Link"))))
	m.schema("PageLinks", obj("", r("self", ref("Link")), p("next", ref("Link")), p("prev", ref("Link")),
		p("first", ref("Link")), p("last", ref("Link"))))
	m.schema("CustomFieldValue", obj("One field's values on an entity. On write, name the field by field_id or field_code; values: null or [] clears it.",
		p("field_id", integer("")),
		p("field_code", nullable(str("PHONE, EMAIL, WEB, ADDRESS or the field's own code; null when it has none."))),
		p("field_name", str("")),
		p("field_type", str("text, numeric, checkbox, select, multiselect, date, url, textarea, radiobutton, streetaddress, smart_address, date_time, multitext…")),
		r("values", nullable(arr(obj("",
			p("value", anyOf("Text, number, boolean (checkbox) or Unix seconds (dates).", str(""), number(""), boolean(""))),
			p("enum_id", integer("")),
			p("enum_code", str("WORK, WORKDD, MOB, FAX, HOME, OTHER, PRIV… (write side)")),
			p("enum", str("The enum's code (read side)."))), "")))))
	m.schema("TagRef", obj("A tag on an entity. On write, name it by id or by name (a new name creates it).",
		p("id", integer("")), p("name", str("")), p("color", nullable(str("Lead tags only, one of amoCRM's 23 colours without #.")))))
	m.schema("Updated", obj("What a write answers for one item.",
		r("id", integer("")), p("updated_at", integer("Unix seconds.")), p("request_id", str("The item's request_id, or its index.")),
		p("_links", ref("SelfLinks"))))
	m.schema("Created", obj("What a POST answers for one item.",
		r("id", integer("")), p("request_id", str("The item's request_id, or its index.")), p("_links", ref("SelfLinks"))))

	m.response("NoContent", "204", Response{Description: "Nothing to return: an empty list (also a page past the last, or a filter that matches nothing) or a GET of a missing id. No body and no Content-Type."})
	problem := func(name, status, desc string, headers map[string]any) {
		m.response(name, status, Response{Description: desc, Headers: headers,
			Content: map[string]MediaType{"application/problem+json": {Schema: ref("Problem")}}})
	}
	problem("BadRequest", "400", "The request was refused: malformed JSON (the detail says where), a parameter or field crmd does not accept (validation-errors name each item, path and code).", nil)
	problem("Unauthorized", "401", "No bearer token, a bad or expired one, or an X-Context-User-ID that names no user of the account. detail: \"Неверный логин или пароль\".", nil)
	problem("Forbidden", "403", "The user may not do this (settings are for administrators; a member's token naming another user), or the account is blocked for repeated violations of the request limit (with Retry-After).", retryAfter)
	problem("NotFound", "404", "The id in the path names nothing this account has (PATCH, DELETE, POST to an id).", nil)
	problem("Conflict", "409", "The write lost a race: a customer's updated_at is older than the stored one (validation-errors name the stale items).", nil)
	problem("PayloadTooLarge", "413", "The body is over 1 MiB.", nil)
	problem("Unprocessable", "422", "The account's settings forbid it (customers, statuses or segments while their mode is off) or a limit is reached (the detail names it).", nil)
	problem("TooManyRequests", "429", "Over the request limit (7 a second by default).", retryAfter)

	m.response("V2NoContent", "v2/204", Response{Description: "Nothing matches: no body."})
	v2err := func(name, status, desc string, headers map[string]any) {
		m.response(name, "v2/"+status, Response{Description: desc, Headers: headers,
			Content: map[string]MediaType{"application/json": {Schema: ref("V2Error")}}})
	}
	v2err("V2BadRequest", "400", "A refused parameter or item, listed in error as section.index.field: detail.", nil)
	v2err("V2Unauthorized", "401", "No bearer token or a bad one (error_code 110).", nil)
	v2err("V2Forbidden", "403", "Not allowed (periods are for administrators), or blocked for repeated limit violations (error_code 244).", retryAfter)
	v2err("V2PayloadTooLarge", "413", "The body is over 1 MiB.", nil)
	v2err("V2Unprocessable", "422", "Customers are switched off for the account, or periods need the periodicity mode.", nil)
	v2err("V2TooManyRequests", "429", "Over the request limit.", retryAfter)

	m.page = m.param("page", Parameter{Name: "page", In: "query", Description: "The page, from 1.", Schema: Schema{"type": "integer", "minimum": 1, "default": 1}})
	m.limit = m.param("limit", Parameter{Name: "limit", In: "query", Description: "Items per page; anything else is a 400.",
		Schema: Schema{"type": "integer", "minimum": 1, "maximum": 250, "default": 50}})
	m.with = m.param("with", Parameter{Name: "with", In: "query", Description: "Comma-separated extras to embed; each endpoint says which it serves. Documented values crmd cannot serve are refused (400); unknown ones are ignored.",
		Schema: str("")})
	m.query = m.param("query", Parameter{Name: "query", In: "query", Description: "A literal, case-insensitive substring of the record's filled fields (%, _ and \\ are plain characters); a query written like a phone also matches its normalised digits.",
		Schema: str("")})
}

// listOf is the v4 paged list envelope with items of the named schema
// under _embedded.key, a component of its own ("LeadPage").
func (m *amo) listOf(key, item string) Schema {
	return m.once(item+"Page", func() Schema {
		return obj("A page of a v4 list.",
			p("_page", integer("")),
			p("_page_count", integer("Where the list counts its pages.")),
			p("_total_items", integer("Where the list counts its items (lead and event lists do not).")),
			r("_links", ref("PageLinks")),
			r("_embedded", obj("", r(key, arr(ref(item), "")))))
	})
}

// batchOf is a v4 batch answer with items of the named schema under
// _embedded.key, a component named name.
func (m *amo) batchOf(name, key, item string) Schema {
	return m.once(name, func() Schema {
		return obj("The written items, in the order sent.",
			p("_links", ref("SelfLinks")),
			r("_embedded", obj("", r(key, arr(ref(item), "")))))
	})
}

// hal is the success content type of v4 and v2.
const hal = "application/hal+json"

// range_ is a deepObject range filter {from, to}, or one value.
func rangeOf(desc string) Schema {
	return anyOf(desc, integer(""), obj("", p("from", integer("")), p("to", integer(""))))
}

// idsOf is one id or a list.
func idsOf(desc string) Schema {
	return anyOf(desc, integer(""), arr(integer(""), ""))
}

// orderOf is an order[...] parameter over the fields.
func orderOf(fields ...string) Schema {
	var props []prop
	for _, f := range fields {
		props = append(props, p(f, enum("", "asc", "desc")))
	}
	return obj("Sort order: order[field]=asc|desc.", props...)
}

func (m *amo) account() {
	m.schema("Account", obj("The account.",
		r("id", integer("")), r("name", str("")), r("subdomain", str("")),
		p("created_at", integer("")), p("created_by", integer("0: crmd made it.")),
		p("updated_at", integer("")), p("updated_by", integer("")),
		r("current_user_id", integer("The user the request runs as.")),
		p("country", str("")), p("currency", str("ISO 4217; RUB unless set with crmd account currency.")),
		p("currency_symbol", str("")),
		r("customers_mode", enum("", "disabled", "segments", "periodicity")),
		p("is_unsorted_on", boolean("")), p("is_loss_reason_enabled", boolean("")),
		p("is_helpbot_enabled", boolean("")), p("is_technical_account", boolean("")),
		p("contact_name_display_order", integer("")), p("mobile_feature_version", integer("")),
		p("amojo_id", str("with=amojo_id: the account's uuid.")),
		p("uuid", str("")),
		p("version", integer("with=version: 16.")),
		p("is_api_filter_enabled", boolean("with=is_api_filter_enabled: false.")),
		p("_links", ref("SelfLinks")),
		p("_embedded", obj("",
			p("users_groups", arr(obj("", p("id", integer("")), p("name", str(""))), "with=users_groups: the departments.")),
			p("task_types", arr(obj("", p("id", integer("")), p("name", str("")), p("code", str(""))), "with=task_types: FOLLOW_UP and MEETING.")),
			p("datetime_settings", obj("with=datetime_settings: from the account's time zone.",
				p("date_pattern", str("")), p("date_format", str("")), p("time_format", str("")),
				p("timezone", str("")), p("timezone_offset", str("")))))),
	))
	m.op("GET", "/api/v4/account", "account", "The account").
		desc("with= amojo_id, version, is_api_filter_enabled, users_groups, task_types, datetime_settings.").
		params(m.with).
		resp("200", "The account.", hal, ref("Account")).errs(amoRead...)
	mode := obj("", r("mode", enum("", "segments", "periodicity")), r("is_enabled", boolean("false for the mode in force switches customers off.")))
	m.op("PATCH", "/api/v4/customers/mode", "account", "Switch the customers mode").
		desc("A new account has customers disabled. Administrators only. The body is echoed.").
		body(mode, "").
		resp("200", "The mode as sent.", hal, mode).errs(amoWrite...)
}

func (m *amo) leads() {
	embedded := obj("",
		p("tags", arr(ref("TagRef"), "")),
		p("companies", arr(obj("", p("id", integer("")), p("_links", ref("SelfLinks"))), "The lead's company (at most one).")),
		p("contacts", arr(obj("", p("id", integer("")), p("is_main", boolean("")), p("_links", ref("SelfLinks"))), "with=contacts: main first.")),
		p("loss_reason", arr(ref("LossReason"), "with=loss_reason: a one-element array.")))
	m.schema("LossReason", obj("A loss reason.", r("id", integer("")), r("name", str("")), p("sort", integer("")),
		p("created_at", integer("")), p("updated_at", integer("")), p("_links", ref("SelfLinks"))))
	m.schema("Lead", obj("A lead: crmd's deal, the Envybox deal of the same id.",
		r("id", integer("")), r("name", str("")), r("price", integer("Whole units.")),
		r("responsible_user_id", integer("")), p("group_id", integer("The deal's department; 0: none.")),
		r("status_id", integer("142 won, 143 lost in every pipeline.")), r("pipeline_id", integer("")),
		p("loss_reason_id", nullable(integer(""))), p("source_id", Schema{"type": "null"}),
		p("created_by", integer("0: the API or a robot.")), p("updated_by", integer("")),
		p("created_at", integer("Unix seconds.")), p("updated_at", integer("")),
		p("closed_at", nullable(integer(""))), p("closest_task_at", nullable(integer(""))),
		p("is_deleted", boolean("Always false.")), p("custom_fields_values", nullable(arr(ref("CustomFieldValue"), ""))),
		p("score", Schema{"type": "null"}), p("account_id", integer("")),
		p("is_price_modified_by_robot", boolean("with=is_price_modified_by_robot: false.")),
		p("_links", ref("SelfLinks")), p("_embedded", embedded)))
	m.schema("LeadWrite", obj("A lead to add or change. Read-only keys are ignored.",
		p("name", str("")), p("price", integer("Integral floats are accepted.")),
		p("status_id", integer("142/143: the pipeline's won/lost stage.")), p("pipeline_id", integer("Alone, moves the lead to the pipeline's first regular stage.")),
		p("responsible_user_id", integer("")), p("created_by", integer("")), p("updated_by", integer("")),
		p("created_at", integer("")), p("updated_at", integer("POST only: dates an import.")), p("closed_at", integer("")),
		p("loss_reason_id", integer("Kept on the lost stage only.")),
		p("custom_fields_values", nullable(arr(ref("CustomFieldValue"), ""))),
		p("tags_to_add", arr(ref("TagRef"), "")), p("tags_to_delete", arr(ref("TagRef"), "")),
		p("_embedded", obj("POST links existing contacts and a company; PATCH takes tags only.",
			p("tags", nullable(arr(ref("TagRef"), "Replaces the tags; null: none."))),
			p("contacts", arr(obj("", r("id", integer("")), p("is_main", boolean(""))), "")),
			p("companies", arr(obj("", r("id", integer(""))), "One company.")))),
		p("request_id", str("Echoed in the answer."))))

	leadFilter := obj("filter[...]: one value or a list of each key; ranges as filter[key][from], filter[key][to]. filter[custom_fields_values] is refused.",
		p("id", idsOf("")), p("name", anyOf("", str(""), arr(str(""), ""))),
		p("pipeline_id", idsOf("")), p("created_by", idsOf("")), p("updated_by", idsOf("")),
		p("responsible_user_id", idsOf("")),
		p("price", rangeOf("")), p("created_at", rangeOf("")), p("updated_at", rangeOf("")),
		p("closed_at", rangeOf("")), p("closest_task_at", rangeOf("")),
		p("statuses", arr(obj("", r("pipeline_id", integer("")), r("status_id", integer(""))), "filter[statuses][N][pipeline_id] and [status_id] pairs.")))
	m.op("GET", "/api/v4/leads", "leads", "List leads").
		desc("Id ascending unless ordered. with= contacts, loss_reason, is_price_modified_by_robot (catalog_elements, only_deleted and source are refused). The envelope has no _total_items: next appears while more leads follow.").
		params(m.with, m.page, m.limit, m.query).filter("filter", leadFilter).filter("order", orderOf("id", "created_at", "updated_at")).
		resp("200", "A page of leads.", hal, m.listOf("leads", "Lead")).errs(amoList...)
	m.op("POST", "/api/v4/leads", "leads", "Add leads").
		desc("Up to 250, all or nothing. An empty object makes a lead in the main pipeline's first regular stage, responsible and created by the token's user.").
		body(arr(ref("LeadWrite"), ""), "").
		resp("200", "The added leads.", hal, m.batchOf("LeadsCreated", "leads", "Created")).errs(amoWrite...)
	m.op("PATCH", "/api/v4/leads", "leads", "Change leads").
		desc("Up to 250 items, each with its id; all or nothing. An unknown id is NotSupportedChoice at id.").
		body(arr(withDesc(ref("LeadWrite"), "Each item also carries id."), ""), "").
		resp("200", "The changed leads.", hal, m.batchOf("LeadsUpdated", "leads", "Updated")).errs(amoWrite...)
	m.op("GET", "/api/v4/leads/{id}", "leads", "Get a lead").
		params(m.with).resp("200", "The lead.", hal, ref("Lead")).errs(amoGetID...)
	m.op("PATCH", "/api/v4/leads/{id}", "leads", "Change a lead").
		desc("A status change follows the pipeline's rules (403 when the pipeline forbids manual stage changes); reaching 142/143 sets closed_at.").
		body(ref("LeadWrite"), "").
		resp("200", "The changed lead.", hal, ref("Updated")).errs(plus(amoWrite, "404")...)
	m.op("POST", "/api/v4/leads/complex", "leads", "Add leads with a contact and a company each").
		desc("Up to 50, all or nothing; each contact and company new or existing ({id}). _embedded.metadata (create as unsorted) is refused. crmd has no duplicate control, so merged is always false.").
		body(arr(withDesc(ref("LeadWrite"), "_embedded.contacts and _embedded.companies hold one new (fields) or existing ({id}) record each."), ""), "").
		resp("200", "amoCRM's bare array.", hal, arr(obj("",
			r("id", integer("")), p("contact_id", nullable(integer(""))), p("company_id", nullable(integer(""))),
			p("request_id", arr(str(""), "")), p("merged", boolean(""))), "")).
		errs(amoWrite...)
	m.op("GET", "/api/v4/leads/loss_reasons", "leads", "List loss reasons").
		params(m.page, m.limit).
		resp("200", "The loss reasons.", hal, m.listOf("loss_reasons", "LossReason")).errs(amoList...)
	m.op("GET", "/api/v4/leads/loss_reasons/{id}", "leads", "Get a loss reason").
		resp("200", "The loss reason.", hal, ref("LossReason")).errs(amoGetID...)
	m.customFields("/api/v4/leads", "leads")
}

// customFields documents the five custom field endpoints under base.
func (m *amo) customFields(base, entity string) {
	if _, ok := m.doc.Components.Schemas["CustomField"]; !ok {
		m.schema("CustomField", obj("A custom field definition.",
			r("id", integer("")), r("name", str("")), r("type", str("text, numeric, checkbox, select, multiselect, date, url, textarea, radiobutton, streetaddress, smart_address, birthday, date_time, price, category, items, multitext (predefined PHONE/EMAIL only)…")),
			p("account_id", integer("")), p("code", nullable(str(""))), p("sort", integer("")),
			p("is_api_only", boolean("")), p("enums", nullable(arr(obj("", r("id", integer("")), r("value", str("")), p("sort", integer("")), p("code", nullable(str("")))), ""))),
			p("required_statuses", arr(obj("", p("pipeline_id", integer("")), p("status_id", integer(""))), "")),
			p("is_predefined", boolean("Contacts' and companies' PHONE, EMAIL, WEB, ADDRESS: readable, not changeable.")),
			p("is_deletable", boolean("")), p("entity_type", str("")), p("request_id", str("")),
			p("_links", ref("SelfLinks"))))
		m.schema("CustomFieldWrite", obj("A field to add, or the changes of one (PATCH enums is the full new list; the type cannot change).",
			r("name", str("Required on POST.")), r("type", str("Required on POST.")),
			p("code", str("Unique per entity type.")), p("sort", integer("")), p("is_api_only", boolean("")),
			p("enums", arr(obj("", p("id", integer("Kept enums keep their id.")), r("value", str("")), p("sort", integer(""))), "select, multiselect and radiobutton.")),
			p("request_id", str(""))))
	}
	path := base + "/custom_fields"
	m.op("GET", path, "custom fields", "List the "+entity+" custom fields").
		params(m.page, m.limit,
			m.sharedParam("fieldFilter", deepObject("filter", obj("", p("type", anyOf("", str(""), arr(str(""), "")))))),
			m.sharedParam("fieldOrder", deepObject("order", orderOf("sort", "id")))).
		resp("200", "A page of fields.", hal, m.listOf("custom_fields", "CustomField")).errs(amoList...)
	m.op("POST", path, "custom fields", "Add "+entity+" custom fields").
		desc("Administrators only. Answers 201 as amoCRM documents.").
		body(arr(ref("CustomFieldWrite"), ""), "").
		resp("201", "The added fields.", hal, m.batchOf("CustomFieldsCustomField", "custom_fields", "CustomField")).errs(plus(amoWrite, "422")...)
	m.op("GET", path+"/{id}", "custom fields", "Get a "+entity+" custom field").
		resp("200", "The field.", hal, ref("CustomField")).errs(amoGetID...)
	m.op("PATCH", path+"/{id}", "custom fields", "Change a "+entity+" custom field").
		desc("Administrators only; predefined fields answer 403. Answers 201 as amoCRM documents.").
		body(ref("CustomFieldWrite"), "").
		resp("201", "The changed field.", hal, ref("CustomField")).errs(plus(amoWrite, "404")...)
	m.op("DELETE", path+"/{id}", "custom fields", "Delete a "+entity+" custom field").
		desc("Administrators only; deletes its values too.").
		resp("204", "Deleted.", "", nil).errs("400", "401", "403", "404", "429")
}

func (m *amo) pipelines() {
	m.schema("LeadStatus", obj("A status of a lead pipeline (a stage).",
		r("id", integer("142 and 143 are the pipeline's won and lost stages.")), r("name", str("")), r("sort", integer("")),
		r("is_editable", boolean("")), r("pipeline_id", integer("")), r("color", str("#rrggbb")),
		r("type", integer("0 regular, 1 unsorted.")), p("account_id", integer("")),
		p("descriptions", arr(Schema{}, "with=descriptions: always [].")), p("request_id", str("")),
		p("_links", ref("SelfLinks"))))
	m.schema("Pipeline", obj("A lead pipeline: the deal pipeline Envybox shows and the UIS sales funnel of the same id.",
		r("id", integer("")), r("name", str("")), r("sort", integer("")), r("is_main", boolean("")),
		r("is_unsorted_on", boolean("")), r("is_archive", boolean("")), p("account_id", integer("")),
		p("request_id", str("")), p("_links", ref("SelfLinks")),
		p("_embedded", obj("", r("statuses", arr(ref("LeadStatus"), ""))))))
	statusWrite := obj("A status to add or the changes of one.", p("name", str("Required on POST.")), p("sort", integer("")),
		p("color", str("One of amoCRM's palette colours.")), p("request_id", str("")))
	pipelineWrite := obj("A pipeline to add or the changes of one.",
		p("name", str("Required on POST.")), p("sort", integer("")), p("is_main", boolean("")),
		p("is_unsorted_on", boolean("")), p("request_id", str("")),
		p("_embedded", obj("", p("statuses", arr(statusWrite, "POST: the pipeline's statuses.")))))
	m.op("GET", "/api/v4/leads/pipelines", "pipelines", "List lead pipelines").
		resp("200", "Every pipeline with its statuses.", hal, obj("", p("_total_items", integer("")), p("_links", ref("SelfLinks")),
			r("_embedded", obj("", r("pipelines", arr(ref("Pipeline"), "")))))).errs(amoList...)
	m.op("POST", "/api/v4/leads/pipelines", "pipelines", "Add lead pipelines").
		desc("Administrators only; all or nothing; at most 50 pipelines (422 beyond).").
		body(arr(pipelineWrite, ""), "").
		resp("200", "The added pipelines.", hal, obj("", p("_total_items", integer("")),
			r("_embedded", obj("", r("pipelines", arr(ref("Pipeline"), "")))))).errs(plus(amoWrite, "422")...)
	m.op("GET", "/api/v4/leads/pipelines/{id}", "pipelines", "Get a lead pipeline").
		resp("200", "The pipeline.", hal, ref("Pipeline")).errs(amoGetID...)
	m.op("PATCH", "/api/v4/leads/pipelines/{id}", "pipelines", "Change a lead pipeline").
		desc("Administrators only.").body(pipelineWrite, "").
		resp("200", "The changed pipeline.", hal, ref("Pipeline")).errs(plus(amoWrite, "404")...)
	m.op("DELETE", "/api/v4/leads/pipelines/{id}", "pipelines", "Delete a lead pipeline").
		desc("Administrators only; the last pipeline and one with deals are refused (400).").
		resp("204", "Deleted.", "", nil).errs("400", "401", "403", "404", "429")
	base := "/api/v4/leads/pipelines/{pipeline_id}/statuses"
	m.op("GET", base, "pipelines", "List a pipeline's statuses").
		desc("with=descriptions answers descriptions: [].").params(m.with).
		resp("200", "The statuses.", hal, obj("", p("_total_items", integer("")), p("_links", ref("SelfLinks")),
			r("_embedded", obj("", r("statuses", arr(ref("LeadStatus"), "")))))).errs(amoList...)
	m.op("POST", base, "pipelines", "Add statuses to a pipeline").
		desc("Administrators only; all or nothing; at most 100 statuses per pipeline including won and lost (422 beyond).").
		body(arr(statusWrite, ""), "").
		resp("200", "The added statuses.", hal, obj("", p("_total_items", integer("")),
			r("_embedded", obj("", r("statuses", arr(ref("LeadStatus"), "")))))).errs(plus(amoWrite, "404", "422")...)
	m.op("GET", base+"/{id}", "pipelines", "Get a pipeline's status").
		params(m.with).resp("200", "The status.", hal, ref("LeadStatus")).errs(amoGetID...)
	m.op("PATCH", base+"/{id}", "pipelines", "Change a pipeline's status").
		desc("Administrators only; statuses that are not editable can be renamed and recoloured, not re-sorted.").
		body(statusWrite, "").resp("200", "The changed status.", hal, ref("LeadStatus")).errs(plus(amoWrite, "404")...)
	m.op("DELETE", base+"/{id}", "pipelines", "Delete a pipeline's status").
		desc("Administrators only; its deals move to the pipeline's first status.").
		resp("204", "Deleted.", "", nil).errs("400", "401", "403", "404", "429")
}

func (m *amo) unsorted() {
	contactWrite := withDesc(ref("ContactWrite"), "A new contact: its name and PHONE/EMAIL values become the request's.")
	m.schema("Unsorted", obj("An unsorted item: an inbound request (Envybox lead) neither taken to work nor declined.",
		r("uid", str("The request's id in lowercase hex, zero-padded to 40 digits.")),
		p("source_uid", nullable(str(""))), p("source_name", str("")),
		r("category", enum("Requests made through Envybox or the widget read as forms.", "forms", "sip", "chats", "mail")),
		r("pipeline_id", integer("The pipeline its deal will be made in.")), r("created_at", integer("")),
		p("metadata", obj("The category's metadata as sent (forms: form_id, form_name, form_page, ip, form_sent_at…; sip: phone, called_at, duration, service_code, uniq, link…).")),
		p("account_id", integer("")), p("_links", ref("SelfLinks")),
		p("_embedded", obj("A pending item has no lead or contact yet: crmd makes them on acceptance.",
			p("leads", arr(Schema{}, "")), p("contacts", arr(Schema{}, "")), p("companies", arr(Schema{}, ""))))))
	item := func(category, metadata string) Schema {
		return obj("An unsorted "+category+" item.",
			r("source_name", str("")), r("source_uid", str("")),
			p("pipeline_id", integer("")), p("created_at", integer("")), p("request_id", str("")),
			r("metadata", obj(metadata)),
			r("_embedded", obj("", p("leads", arr(obj("", p("name", str("")), p("price", integer("")),
				p("visitor_uid", str("")), p("_embedded", obj("", p("tags", arr(ref("TagRef"), ""))))), "One lead: names the deal made on acceptance.")),
				r("contacts", arr(contactWrite, "One contact; a phone or an email is required.")),
				p("companies", arr(Schema{}, "Accepted and ignored.")))))
	}
	created := obj("The created items.", p("_total_items", integer("")),
		r("_embedded", obj("", r("unsorted", arr(obj("", r("uid", str("")), p("account_id", integer("")),
			p("request_id", str("")), p("_links", ref("SelfLinks"))), "")))))
	m.op("GET", "/api/v4/leads/unsorted", "unsorted", "List unsorted items").
		desc("Pending items only, id ascending unless ordered.").
		params(m.page, m.limit).
		filter("filter", obj("", p("uid", anyOf("One, a list, or comma-separated.", str(""), arr(str(""), ""))),
			p("category", anyOf("sip, mail, forms, chats.", str(""), arr(str(""), ""))), p("pipeline_id", idsOf("")))).
		filter("order", orderOf("created_at", "updated_at")).
		resp("200", "A page of items.", hal, m.listOf("unsorted", "Unsorted")).errs(amoList...)
	m.op("GET", "/api/v4/leads/unsorted/summary", "unsorted", "Summarise unsorted items").
		filter("filter", obj("", p("created_at", rangeOf("One time (since) or [from]/[to].")), p("uid", anyOf("", str(""), arr(str(""), ""))), p("pipeline_id", idsOf("")))).
		resp("200", "Counts of the requests created in the window.", hal, obj("",
			r("total", integer("")), r("accepted", integer("")), r("declined", integer("")),
			r("average_sort_time", integer("Mean seconds from arrival to acceptance.")),
			r("categories", obj("Every category key present.", p("forms", integer("")), p("sip", integer("")),
				p("chats", integer("")), p("mail", integer("")))))).errs(amoRead...)
	m.op("GET", "/api/v4/leads/unsorted/{uid}", "unsorted", "Get an unsorted item").
		params(Parameter{Name: "uid", In: "path", Required: true, Description: "40 hex digits.", Schema: str("")}).
		resp("200", "The item.", hal, ref("Unsorted")).errs(amoGetID...)
	m.op("POST", "/api/v4/leads/unsorted/forms", "unsorted", "Add form requests").
		desc("Up to 250, all or nothing. Each is recorded and de-duplicated as Envybox lead/set records one (a repeat becomes a child of the first request).").
		body(arr(item("forms", "Required: form_id, form_name, form_page, ip, form_sent_at; utm marks of form_page become the request's."), ""), "").
		resp("200", "The created items.", hal, created).errs(amoWrite...)
	m.op("POST", "/api/v4/leads/unsorted/sip", "unsorted", "Add call requests").
		desc("Up to 250, all or nothing; a call already recorded (source_uid and metadata.uniq) is refused.").
		body(arr(item("sip", "Required: phone, called_at, duration, service_code, uniq; link is the record link."), ""), "").
		resp("200", "The created items.", hal, created).errs(amoWrite...)
	for _, c := range []string{"chats", "mail"} {
		m.op("POST", "/api/v4/leads/unsorted/"+c, "unsorted", "Add "+c+" requests (refused)").
			desc("crmd has no "+c+": always 400 after authentication.").
			body(arr(Schema{}, ""), "").
			errs(amoWrite...)
	}
	uid := Parameter{Name: "uid", In: "path", Required: true, Description: "40 hex digits; any other string is 404.", Schema: str("")}
	done := obj("What the action made.", r("uid", str("")), p("pipeline_id", integer("")), p("category", str("")),
		p("created_at", integer("")), p("_embedded", obj("", p("leads", arr(obj("", r("id", integer(""))), "")),
			p("contacts", arr(obj("", r("id", integer(""))), "")), p("companies", arr(Schema{}, "")))))
	m.op("POST", "/api/v4/leads/unsorted/{uid}/accept", "unsorted", "Accept an unsorted item").
		desc("Envybox lead/start: finds or makes the contact and makes the deal. An item already accepted or declined is 400.").
		params(uid).
		body(obj("", p("user_id", integer("The deal's responsible user.")), p("status_id", integer("The deal's status.")), p("pipeline_id", integer(""))), "Optional.").
		resp("200", "The deal and contact made.", hal, done).errs(plus(amoWrite, "404")...)
	m.op("DELETE", "/api/v4/leads/unsorted/{uid}/decline", "unsorted", "Decline an unsorted item").
		desc("Closes the request without a deal. An item already accepted or declined is 400.").
		params(uid).
		body(obj("", p("user_id", integer("Who declined it (else the caller)."))), "Optional.").
		resp("200", "The declined item.", hal, done).errs(plus(amoWrite, "404")...)
	m.op("POST", "/api/v4/leads/unsorted/{uid}/link", "unsorted", "Link an unsorted item to a lead").
		desc("Links the pending request to an existing lead (entity_type leads; customers are refused) and closes it as taken to work.").
		params(uid).
		body(obj("", p("user_id", integer("")), r("link", obj("", r("entity_id", integer("")), r("entity_type", enum("", "leads"))))), "").
		resp("200", "The linked item.", hal, obj("", r("uid", str("")), p("_embedded", obj("", p("leads", arr(obj("", r("id", integer(""))), "")))))).
		errs(plus(amoWrite, "404")...)
}

func (m *amo) contactsAndCompanies() {
	embedded := func(extra ...prop) Schema {
		props := append([]prop{p("tags", arr(ref("TagRef"), "Always present."))}, extra...)
		return obj("", props...)
	}
	ref_ := obj("", r("id", integer("")), p("_links", ref("SelfLinks")))
	m.schema("Contact", obj("A contact: the Envybox client of the same id. PHONE and EMAIL are its contact data.",
		r("id", integer("")), r("name", str("")), p("first_name", str("")), p("last_name", str("")),
		r("responsible_user_id", integer("")), p("group_id", integer("Always 0.")),
		p("created_by", integer("")), p("updated_by", integer("")), p("created_at", integer("")), p("updated_at", integer("")),
		p("closest_task_at", Schema{"type": "null"}), p("is_deleted", boolean("")), p("is_unsorted", boolean("")),
		p("custom_fields_values", nullable(arr(ref("CustomFieldValue"), "PHONE (field 2147483001) and EMAIL (2147483002) included."))),
		p("account_id", integer("")), p("_links", ref("SelfLinks")),
		p("_embedded", embedded(p("companies", arr(ref_, "At most one: the primary company.")),
			p("leads", arr(ref_, "with=leads.")), p("customers", arr(ref_, "with=customers."))))))
	m.schema("Company", obj("A company.",
		r("id", integer("")), r("name", str("")),
		r("responsible_user_id", integer("")), p("group_id", integer("")),
		p("created_by", integer("")), p("updated_by", integer("")), p("created_at", integer("")), p("updated_at", integer("")),
		p("closest_task_at", Schema{"type": "null"}), p("is_deleted", boolean("")),
		p("custom_fields_values", nullable(arr(ref("CustomFieldValue"), "PHONE, EMAIL, WEB and ADDRESS included."))),
		p("account_id", integer("")), p("_links", ref("SelfLinks")),
		p("_embedded", embedded(p("contacts", arr(ref_, "with=contacts.")),
			p("leads", arr(ref_, "with=leads.")), p("customers", arr(ref_, "with=customers."))))))
	common := []prop{
		p("responsible_user_id", integer("")), p("created_by", integer("")), p("updated_by", integer("")),
		p("created_at", integer("")), p("updated_at", integer("Never later than now.")),
		p("custom_fields_values", nullable(arr(ref("CustomFieldValue"), "On PATCH each listed field is replaced as a whole."))),
		p("tags_to_add", arr(ref("TagRef"), "")), p("tags_to_delete", arr(ref("TagRef"), "PATCH.")),
		p("request_id", str("")),
	}
	m.schema("ContactWrite", obj("A contact to add or the changes of one. Unknown and read-only keys are ignored.",
		append([]prop{p("name", str("Or first_name + last_name.")), p("first_name", str("")), p("last_name", str("")),
			p("_embedded", obj("", p("tags", nullable(arr(ref("TagRef"), "Replaces the tags."))),
				p("companies", arr(obj("", r("id", integer(""))), "Links one company."))))}, common...)...))
	m.schema("CompanyWrite", obj("A company to add or the changes of one.",
		append([]prop{p("name", str("")),
			p("_embedded", obj("", p("tags", nullable(arr(ref("TagRef"), "Replaces the tags.")))))}, common...)...))
	listFilter := m.sharedParam("contactFilter", deepObject("filter", obj("filter[...]: one value or a list; dates as [from]/[to] in Unix seconds. closest_task_at, custom_fields_values and unknown keys are refused.",
		p("id", idsOf("")), p("name", anyOf("Exact names.", str(""), arr(str(""), ""))),
		p("responsible_user_id", idsOf("")), p("created_by", idsOf("")), p("updated_by", idsOf("")),
		p("created_at", rangeOf("")), p("updated_at", rangeOf("")))))
	listOrder := m.sharedParam("contactOrder", deepObject("order", orderOf("id", "updated_at")))
	for _, e := range []struct{ plural, tag, one, schema, write, with string }{
		{"contacts", "contacts", "contact", "Contact", "ContactWrite", "leads, customers (catalog_elements, social_profiles and only_deleted are refused)"},
		{"companies", "companies", "company", "Company", "CompanyWrite", "contacts, leads, customers (catalog_elements and only_deleted are refused)"},
	} {
		base := "/api/v4/" + e.plural
		m.op("GET", base, e.tag, "List "+e.plural).
			desc("Id ascending unless ordered. with= "+e.with+".").
			params(m.with, m.page, m.limit, m.query, listFilter, listOrder).
			resp("200", "A page of "+e.plural+".", hal, m.listOf(e.plural, e.schema)).errs(amoList...)
		m.op("POST", base, e.tag, "Add "+e.plural).
			desc("Up to 250, all or nothing.").
			body(arr(ref(e.write), ""), "").
			resp("200", "The added "+e.plural+".", hal, m.batchOf(e.schema+"sCreated", e.plural, "Created")).errs(amoWrite...)
		m.op("PATCH", base, e.tag, "Change "+e.plural).
			desc("Up to 250 items, each with its id; all or nothing. An unknown id is NotSupportedChoice at id.").
			body(arr(withDesc(ref(e.write), "Each item also carries id."), ""), "").
			resp("200", "The changed "+e.plural+".", hal, m.batchOf(e.schema+"sUpdated", e.plural, "Updated")).errs(amoWrite...)
		m.op("GET", base+"/{id}", e.tag, "Get a "+e.one).
			params(m.with).resp("200", "The "+e.one+".", hal, ref(e.schema)).errs(amoGetID...)
		m.op("PATCH", base+"/{id}", e.tag, "Change a "+e.one).
			body(ref(e.write), "").
			resp("200", "The changed "+e.one+", without an envelope.", hal, ref("Updated")).errs(plus(amoWrite, "404")...)
		m.customFields(base, e.plural)
	}
}

func (m *amo) customers() {
	ref_ := obj("", r("id", integer("")), p("_links", ref("SelfLinks")))
	m.schema("Customer", obj("A customer (repeat purchases): one record for v2 and v4.",
		r("id", integer("")), r("name", str("")), p("next_price", integer("")), p("next_date", nullable(integer("Unix seconds."))),
		r("responsible_user_id", integer("")), p("status_id", integer("0 in segments mode.")), p("periodicity", integer("Days.")),
		p("created_by", integer("")), p("updated_by", integer("")), p("created_at", integer("")),
		p("updated_at", integer("The customer's version: a PATCH may send it back as a precondition.")),
		p("closest_task_at", nullable(integer(""))), p("is_deleted", boolean("")),
		p("custom_fields_values", nullable(arr(ref("CustomFieldValue"), ""))),
		p("ltv", integer("")), p("purchases_count", integer("")), p("average_check", integer("")),
		p("account_id", integer("")), p("_links", ref("SelfLinks")),
		p("_embedded", obj("", p("tags", arr(ref("TagRef"), "")), p("segments", arr(ref_, "")),
			p("contacts", arr(obj("", r("id", integer("")), p("is_main", boolean("")), p("_links", ref("SelfLinks"))), "with=contacts.")),
			p("companies", arr(ref_, "with=companies."))))))
	m.schema("CustomerWrite", obj("A customer to add or the changes of one.",
		p("name", str("Required on POST.")), p("next_price", integer("")), p("next_date", integer("Required on POST in periodicity mode.")),
		p("responsible_user_id", integer("")), p("status_id", integer("")), p("periodicity", integer("")),
		p("created_by", integer("")), p("updated_by", integer("")), p("created_at", integer("")),
		p("updated_at", integer("PATCH: the version read; older than the stored one is a 409.")),
		p("custom_fields_values", nullable(arr(ref("CustomFieldValue"), ""))),
		p("tags_to_add", arr(ref("TagRef"), "")), p("tags_to_delete", arr(ref("TagRef"), "")),
		p("_embedded", obj("", p("tags", nullable(arr(ref("TagRef"), ""))), p("segments", arr(obj("", r("id", integer(""))), "")))),
		p("request_id", str(""))))
	m.schema("Transaction", obj("A customer's purchase.",
		r("id", integer("")), r("price", integer("")), p("comment", str("")), p("completed_at", integer("")),
		r("customer_id", integer("")), p("created_by", integer("")), p("updated_by", integer("")),
		p("created_at", integer("")), p("updated_at", integer("")), p("is_deleted", boolean("")),
		p("account_id", integer("")), p("_links", ref("SelfLinks"))))
	m.schema("TransactionCreated", obj("", r("id", integer("")), r("customer_id", integer("")),
		p("request_id", str("")), p("_links", ref("SelfLinks"))))
	m.schema("CustomerStatus", obj("A customer status (periodicity mode).",
		r("id", integer("")), r("name", str("")), r("sort", integer("")), r("is_default", boolean("The four system statuses; they cannot be deleted.")),
		p("conditions", arr(Schema{}, "")), r("color", str("")), r("type", integer("0 regular, 1 expected purchase, 2 did not purchase, 3 closed, 4 recently purchased.")),
		p("account_id", integer("")), p("request_id", str("")), p("_links", ref("SelfLinks"))))
	m.schema("Segment", obj("A customer segment (segments mode).",
		r("id", integer("")), r("name", str("")), r("color", str("")),
		p("available_products_price_types", arr(integer(""), "")), p("customers_count", integer("")),
		p("custom_fields_values", arr(ref("CustomFieldValue"), "")),
		p("created_at", integer("")), p("updated_at", integer("")), p("account_id", integer("")),
		p("request_id", str("")), p("_links", ref("SelfLinks"))))

	custFilter := obj("filter[...] of the companion's table: one value or a list; ranges as [from]/[to]. custom_fields_values is refused.",
		p("id", idsOf("")), p("name", anyOf("", str(""), arr(str(""), ""))), p("status_id", idsOf("")),
		p("responsible_user_id", idsOf("")), p("created_by", idsOf("")), p("updated_by", idsOf("")),
		p("next_price", rangeOf("")), p("next_date", rangeOf("")), p("created_at", rangeOf("")),
		p("updated_at", rangeOf("")), p("closest_task_at", rangeOf("")))
	modeErrs := plus(amoList, "422")
	m.op("GET", "/api/v4/customers", "customers", "List customers").
		desc("422 while customers are switched off. with= contacts, companies, segments.").
		params(m.with, m.page, m.limit, m.query).filter("filter", custFilter).filter("order", orderOf("id", "updated_at")).
		resp("200", "A page of customers.", hal, m.listOf("customers", "Customer")).errs(modeErrs...)
	m.op("POST", "/api/v4/customers", "customers", "Add customers").
		desc("Up to 250, all or nothing.").body(arr(ref("CustomerWrite"), ""), "").
		resp("200", "The added customers.", hal, m.batchOf("CustomersCreated", "customers", "Created")).errs(plus(amoWrite, "422")...)
	m.op("PATCH", "/api/v4/customers", "customers", "Change customers").
		desc("Each item with its id; a stale updated_at refuses the whole batch (409).").
		body(arr(withDesc(ref("CustomerWrite"), "Each item also carries id."), ""), "").
		resp("200", "The changed customers.", hal, m.batchOf("CustomersUpdated", "customers", "Updated")).errs(plus(amoWrite, "409", "422")...)
	m.op("GET", "/api/v4/customers/{id}", "customers", "Get a customer").
		params(m.with).resp("200", "The customer.", hal, ref("Customer")).errs(plus(amoGetID, "422")...)
	m.op("PATCH", "/api/v4/customers/{id}", "customers", "Change a customer").
		body(ref("CustomerWrite"), "").
		resp("200", "The changed customer.", hal, ref("Updated")).errs(plus(amoWrite, "404", "409", "422")...)

	m.op("GET", "/api/v4/customers/transactions", "customers", "List transactions").
		params(m.page, m.limit).filter("filter", obj("", p("id", idsOf("")))).
		resp("200", "A page of transactions.", hal, m.listOf("transactions", "Transaction")).errs(modeErrs...)
	m.op("GET", "/api/v4/customers/transactions/{id}", "customers", "Get a transaction").
		resp("200", "The transaction.", hal, ref("Transaction")).errs(plus(amoGetID, "422")...)
	m.op("DELETE", "/api/v4/customers/transactions/{id}", "customers", "Delete a transaction").
		resp("204", "Deleted; the customer's ltv, next date and status follow.", "", nil).errs("400", "401", "403", "404", "422", "429")
	txBase := "/api/v4/customers/{customer_id}/transactions"
	m.op("GET", txBase, "customers", "List a customer's transactions").
		desc("Served by the customer's sub-list route; 204 under a missing customer.").
		params(m.page, m.limit).filter("filter", obj("", p("id", idsOf("")))).
		resp("200", "A page of transactions.", hal, m.listOf("transactions", "Transaction")).errs(modeErrs...)
	m.op("POST", txBase, "customers", "Add transactions to a customer").
		desc("next_price and next_date sent with a transaction become the customer's.").
		body(arr(obj("", r("price", integer("")), p("comment", str("")), p("completed_at", integer("")),
			p("next_price", integer("")), p("next_date", integer("")), p("request_id", str(""))), ""), "").
		resp("200", "The added transactions.", hal, m.batchOf("TransactionsCreated", "transactions", "TransactionCreated")).errs(plus(amoWrite, "404", "422")...)
	m.op("GET", txBase+"/{id}", "customers", "Get a customer's transaction").
		resp("200", "The transaction.", hal, ref("Transaction")).errs(plus(amoGetID, "422")...)
	m.op("DELETE", txBase+"/{id}", "customers", "Delete a customer's transaction").
		resp("204", "Deleted.", "", nil).errs("400", "401", "403", "404", "422", "429")

	statusWrite := obj("A status to add or the changes of one.", p("name", str("Required on POST.")), p("sort", integer("")),
		p("color", str("A palette colour; default #fffeb2.")), p("request_id", str("")))
	m.op("GET", "/api/v4/customers/statuses", "customers", "List customer statuses").
		desc("422 unless the periodicity mode is on.").
		resp("200", "The statuses.", hal, obj("", p("_total_items", integer("")), p("_links", ref("SelfLinks")),
			r("_embedded", obj("", r("statuses", arr(ref("CustomerStatus"), "")))))).errs(modeErrs...)
	m.op("POST", "/api/v4/customers/statuses", "customers", "Add customer statuses").
		desc("All or nothing; at most 30 statuses, system ones included (422 beyond).").
		body(arr(statusWrite, ""), "").
		resp("200", "The added statuses.", hal, obj("", p("_total_items", integer("")),
			r("_embedded", obj("", r("statuses", arr(ref("CustomerStatus"), "")))))).errs(plus(amoWrite, "422")...)
	m.op("GET", "/api/v4/customers/statuses/{id}", "customers", "Get a customer status").
		resp("200", "The status.", hal, ref("CustomerStatus")).errs(plus(amoGetID, "422")...)
	m.op("PATCH", "/api/v4/customers/statuses/{id}", "customers", "Change a customer status").
		body(statusWrite, "").resp("200", "The full status with request_id.", hal, ref("CustomerStatus")).errs(plus(amoWrite, "404", "422")...)
	m.op("DELETE", "/api/v4/customers/statuses/{id}", "customers", "Delete a customer status").
		desc("System statuses cannot be deleted (400).").
		resp("204", "Deleted.", "", nil).errs("400", "401", "403", "404", "422", "429")

	segWrite := obj("A segment to add or the changes of one.", p("name", str("Required on POST.")), p("color", str("Default 10599d.")),
		p("available_products_price_types", arr(integer(""), "")),
		p("custom_fields_values", arr(ref("CustomFieldValue"), "PATCH changes only the fields named.")), p("request_id", str("")))
	m.op("GET", "/api/v4/customers/segments", "customers", "List customer segments").
		desc("422 unless the segments mode is on.").params(m.page, m.limit).
		resp("200", "A page of segments.", hal, m.listOf("segments", "Segment")).errs(modeErrs...)
	m.op("POST", "/api/v4/customers/segments", "customers", "Add a customer segment").
		desc("One object, as seed 000's example.").body(segWrite, "").
		resp("200", "The created segment.", hal, ref("Segment")).errs(plus(amoWrite, "422")...)
	m.op("GET", "/api/v4/customers/segments/{id}", "customers", "Get a customer segment").
		resp("200", "The segment.", hal, ref("Segment")).errs(plus(amoGetID, "422")...)
	m.op("PATCH", "/api/v4/customers/segments/{id}", "customers", "Change a customer segment").
		body(segWrite, "").resp("200", "The segment.", hal, ref("Segment")).errs(plus(amoWrite, "404", "422")...)
	m.op("DELETE", "/api/v4/customers/segments/{id}", "customers", "Delete a customer segment").
		resp("204", "Deleted.", "", nil).errs("400", "401", "403", "404", "422", "429")
	m.customFields("/api/v4/customers/segments", "segment")
	m.customFields("/api/v4/customers", "customers")
}

func (m *amo) links() {
	m.schema("EntityLink", obj("A link between two records, read from either side.",
		r("entity_id", integer("")), r("entity_type", str("")), r("to_entity_id", integer("")),
		r("to_entity_type", enum("", "leads", "contacts", "companies", "customers", "segments")),
		p("metadata", nullable(obj("", p("main_contact", boolean("A contact link: whether it is the main contact.")))))))
	linkWrite := m.schema("LinkWrite", obj("A link to make or remove.",
		r("to_entity_id", integer("")), r("to_entity_type", enum("catalog_elements is refused.", "leads", "contacts", "companies", "customers", "segments")),
		p("metadata", obj("", p("main_contact", boolean("")), p("is_main", boolean(""))))))
	bulkWrite := m.schema("BulkLinkWrite", obj("A link of a bulk write: entity_id names the record it starts from.",
		r("entity_id", integer("")), r("to_entity_id", integer("")), r("to_entity_type", str("")),
		p("metadata", obj("", p("main_contact", boolean(""))))))
	linksList := m.schema("LinkList", obj("", p("_total_items", integer("")), p("_links", ref("SelfLinks")),
		r("_embedded", obj("", r("links", arr(ref("EntityLink"), ""))))))
	toFilter := m.sharedParam("linkFilter", deepObject("filter", obj("", p("to_entity_type", anyOf("", str(""), arr(str(""), ""))), p("to_entity_id", idsOf("")))))
	for _, e := range []string{"leads", "contacts", "companies", "customers"} {
		base := "/api/v4/" + e
		if e != "customers" {
			m.op("GET", base+"/{id}/links", "links", "List a record's links ("+e+")").
				desc("Served by the record's sub-list route ({id}/{sub}).").params(toFilter).
				resp("200", "The links.", hal, linksList).errs(amoList...)
		}
		m.op("POST", base+"/{id}/link", "links", "Link a record ("+e+")").
			desc("Linking an existing link again changes nothing. A second company replaces the first on a lead.").
			body(arr(linkWrite, ""), "").
			resp("200", "The links as stored.", hal, linksList).errs(plus(amoWrite, "404", "422")...)
		m.op("POST", base+"/{id}/unlink", "links", "Unlink a record ("+e+")").
			body(arr(linkWrite, ""), "").
			resp("204", "Unlinked (also a link that did not exist).", "", nil).errs(plus(amoWrite, "404", "422")...)
		m.op("GET", base+"/links", "links", "List links of several records ("+e+")").
			desc("filter[entity_id] is required.").
			filter("filter", obj("", r("entity_id", idsOf("")), p("to_entity_type", anyOf("", str(""), arr(str(""), ""))), p("to_entity_id", idsOf("")))).
			resp("200", "The links.", hal, linksList).errs(plus(amoList, "422")...)
		m.op("POST", base+"/link", "links", "Link several records ("+e+")").
			body(arr(bulkWrite, ""), "").
			resp("200", "The links as stored.", hal, linksList).errs(plus(amoWrite, "422")...)
		m.op("POST", base+"/unlink", "links", "Unlink several records ("+e+")").
			body(arr(bulkWrite, ""), "").
			resp("204", "Unlinked.", "", nil).errs(plus(amoWrite, "422")...)
	}
	m.op("GET", "/api/v4/customers/{id}/links", "links", "List a customer's links").
		desc("Served by the customer's sub-list route ({id}/{sub}): contacts with main_contact, the company, segments.").
		params(toFilter).
		resp("200", "The links.", hal, linksList).errs(plus(amoList, "422")...)
}

func (m *amo) tags() {
	m.schema("Tag", obj("A tag: one record per name in the account, listed in the dictionaries of the entities it is used on.",
		r("id", integer("")), r("name", str("")), r("color", nullable(str("Lead tags only."))), p("request_id", str("POST answers."))))
	for _, e := range []string{"leads", "contacts", "companies", "customers"} {
		path := "/api/v4/" + e + "/tags"
		m.op("GET", path, "tags", "List the "+e+" tag dictionary").
			desc("Ordered by id.").params(m.page, m.limit, m.query).
			filter("filter", obj("", p("id", idsOf("")), p("name", str("One exact name, case-insensitively.")))).
			resp("200", "A page of tags.", hal, m.listOf("tags", "Tag")).errs(amoList...)
		m.op("POST", path, "tags", "Add tags to the "+e+" dictionary").
			desc("Up to 250, all or nothing; a known name is the existing tag. color is for lead tags only (FieldNotExpected elsewhere).").
			body(arr(obj("", r("name", str("")), p("color", nullable(str(""))), p("request_id", str(""))), ""), "").
			resp("200", "The tags.", hal, obj("", r("_total_items", integer("")), r("_embedded", obj("", r("tags", arr(ref("Tag"), "")))))).
			errs(amoWrite...)
	}
}

func (m *amo) tasks() {
	m.schema("Task", obj("A task of a lead, contact, company, customer or nothing: the Envybox deal task of the same id.",
		r("id", integer("")), p("created_by", integer("")), p("updated_by", integer("")),
		p("created_at", integer("")), p("updated_at", integer("")), r("responsible_user_id", integer("")),
		p("group_id", integer("")), r("entity_id", nullable(integer(""))), r("entity_type", nullable(enum("", "leads", "contacts", "companies", "customers"))),
		p("duration", integer("")), r("is_completed", boolean("")), r("task_type_id", integer("1 call, 2 meeting.")),
		r("text", str("")), p("result", anyOf("", obj("", p("text", str(""))), arr(Schema{}, "[] when there is none."))),
		r("complete_till", integer("Unix seconds.")), p("account_id", integer("")), p("_links", ref("SelfLinks"))))
	write := m.schema("TaskWrite", obj("A task to add (text and complete_till required) or the changes of one.",
		p("text", str("")), p("complete_till", integer("A positive Unix time.")), p("task_type_id", integer("1 or 2.")),
		p("entity_type", nullable(enum("", "leads", "contacts", "companies", "customers"))), p("entity_id", integer("")),
		p("responsible_user_id", integer("")), p("created_by", integer("")), p("duration", integer("")),
		p("is_completed", boolean("")), p("result", obj("", p("text", str("")))), p("request_id", str(""))))
	m.op("GET", "/api/v4/tasks", "tasks", "List tasks").
		desc("Earliest deadline first unless ordered.").
		params(m.page, m.limit).
		filter("filter", obj("", p("responsible_user_id", idsOf("")), p("is_completed", anyOf("1/0 or true/false.", str(""), arr(str(""), ""))),
			p("task_type", idsOf("")), p("task_type_id", idsOf("")), p("entity_type", str("")), p("entity_id", idsOf("Needs entity_type.")),
			p("id", idsOf("")), p("created_by", idsOf("")), p("updated_at", rangeOf("A scalar means from then on.")),
			p("lead_statuses", arr(obj("", r("pipeline_id", integer("")), p("status_id", integer(""))), "")))).
		filter("order", orderOf("created_at", "complete_till", "id")).
		resp("200", "A page of tasks.", hal, m.listOf("tasks", "Task")).errs(amoList...)
	m.op("POST", "/api/v4/tasks", "tasks", "Add tasks").
		body(arr(write, ""), "").resp("200", "The added tasks.", hal, m.batchOf("TasksCreated", "tasks", "Created")).errs(amoWrite...)
	m.op("PATCH", "/api/v4/tasks", "tasks", "Change tasks").
		desc("Each item with its id; an unknown id is NotSupportedChoice at id.").
		body(arr(withDesc(write, "Each item also carries id."), ""), "").
		resp("200", "The changed tasks.", hal, m.batchOf("TasksUpdated", "tasks", "Updated")).errs(amoWrite...)
	m.op("GET", "/api/v4/tasks/{id}", "tasks", "Get a task").
		resp("200", "The task.", hal, ref("Task")).errs(amoGetID...)
	m.op("PATCH", "/api/v4/tasks/{id}", "tasks", "Change a task").
		body(write, "").resp("200", "The changed task.", hal, ref("Updated")).errs(plus(amoWrite, "404")...)
}

func (m *amo) notes() {
	m.schema("Note", obj("A note: a comment or call entry of the history (the Envybox comment or call of the same record).",
		r("id", integer("")), r("entity_id", integer("")), p("created_by", integer("")), p("updated_by", integer("")),
		p("created_at", integer("")), p("updated_at", integer("")), p("responsible_user_id", integer("")),
		p("group_id", integer("")), r("note_type", enum("", "common", "service_message", "extended_service_message", "call_in", "call_out")),
		r("params", obj("common: text; service messages: service, text; calls: phone, duration, link, call_result, call_status, uniq, source.")),
		p("account_id", integer("")), p("is_pinned", boolean("Always false.")), p("_links", ref("SelfLinks"))))
	write := m.schema("NoteWrite", obj("A note to add (note_type and its params required) or the changes of one (params replace the note's).",
		p("entity_id", integer("On …/notes: required, the entity must exist.")),
		p("note_type", enum("Other types are NotSupportedChoice.", "common", "service_message", "extended_service_message", "call_in", "call_out")),
		p("params", obj("", p("text", str("")), p("service", str("")), p("phone", str("")), p("duration", integer("")),
			p("link", str("")), p("call_result", str("")), p("call_status", integer("1–8.")), p("uniq", str("")), p("source", str("")))),
		p("created_by", integer("")), p("responsible_user_id", integer("")), p("request_id", str(""))))
	m.schema("NoteCreated", obj("", r("id", integer("")), r("entity_id", integer("")), p("request_id", str("")), p("_links", ref("SelfLinks"))))
	updated := m.schema("NoteUpdated", obj("", r("id", integer("")), r("entity_id", integer("")), p("updated_at", integer("")), p("request_id", str("")), p("_links", ref("SelfLinks"))))
	created := m.batchOf("NotesCreated", "notes", "NoteCreated")
	updatedBatch := m.batchOf("NotesUpdated", "notes", "NoteUpdated")
	noteFilter := m.sharedParam("noteFilter", deepObject("filter", obj("", p("id", idsOf("")), p("entity_id", idsOf("Only on …/notes.")),
		p("note_type", anyOf("", str(""), arr(str(""), ""))), p("updated_at", rangeOf("")))))
	noteOrder := m.sharedParam("noteOrder", deepObject("order", orderOf("updated_at", "id")))
	for _, e := range []string{"leads", "contacts", "companies", "customers"} {
		base := "/api/v4/" + e
		m.op("GET", base+"/notes", "notes", "List "+e+" notes").
			desc("Id ascending unless ordered.").params(m.page, m.limit, noteFilter, noteOrder).
			resp("200", "A page of notes.", hal, m.listOf("notes", "Note")).errs(amoList...)
		m.op("POST", base+"/notes", "notes", "Add "+e+" notes").
			body(arr(write, ""), "").resp("200", "The added notes.", hal, created).errs(amoWrite...)
		m.op("PATCH", base+"/notes", "notes", "Change "+e+" notes").
			body(arr(withDesc(write, "Each item also carries id."), ""), "").
			resp("200", "The changed notes.", hal, updatedBatch).errs(amoWrite...)
		m.op("GET", base+"/notes/{id}", "notes", "Get a "+e+" note").
			resp("200", "The note.", hal, ref("Note")).errs(amoGetID...)
		m.op("PATCH", base+"/notes/{id}", "notes", "Change a "+e+" note").
			body(write, "").resp("200", "The changed note.", hal, updated).errs(plus(amoWrite, "404")...)
		one := base + "/{entity_id}/notes"
		m.op("GET", one, "notes", "List the notes of one record ("+e+")").
			desc("Served by the record's sub-list route ({id}/{sub}); 204 for a missing record.").
			params(m.page, m.limit, noteFilter, noteOrder).
			resp("200", "A page of notes.", hal, m.listOf("notes", "Note")).errs(amoList...)
		m.op("POST", one, "notes", "Add notes to one record ("+e+")").
			body(arr(write, ""), "").resp("200", "The added notes.", hal, created).errs(plus(amoWrite, "404")...)
		m.op("PATCH", one, "notes", "Change notes of one record ("+e+")").
			body(arr(withDesc(write, "Each item also carries id."), ""), "").
			resp("200", "The changed notes.", hal, updatedBatch).errs(plus(amoWrite, "404")...)
		m.op("GET", one+"/{id}", "notes", "Get a note of one record ("+e+")").
			resp("200", "The note.", hal, ref("Note")).errs(amoGetID...)
		m.op("PATCH", one+"/{id}", "notes", "Change a note of one record ("+e+")").
			body(write, "").resp("200", "The changed note.", hal, updated).errs(plus(amoWrite, "404")...)
	}
}

func (m *amo) events() {
	m.schema("Event", obj("An event: one change of the history. A change entry listing N attributes is N events (\"1234\", \"1234-1\"…).",
		r("id", str("")), r("type", str("lead_added, lead_status_changed, common_note_added, incoming_call, entity_tag_added, custom_field_value_changed, task_added…")),
		r("entity_id", integer("")), r("entity_type", enum("", "lead", "contact", "company", "customer", "task")),
		p("created_by", integer("0: the API or a robot.")), r("created_at", integer("")),
		p("value_after", arr(obj(""), "")), p("value_before", arr(obj(""), "")),
		p("account_id", integer("")), p("_links", ref("SelfLinks")),
		p("_embedded", obj("", p("entity", obj("", r("id", integer("")), p("name", str("with=lead_name, contact_name, company_name, customer_name.")), p("_links", ref("SelfLinks"))))))))
	m.op("GET", "/api/v4/events", "events", "List events").
		desc("Newest first; no _total_items; limit at most 100. with= lead_name, contact_name, company_name, customer_name.").
		params(m.with, m.page,
			Parameter{Name: "limit", In: "query", Description: "At most 100.", Schema: Schema{"type": "integer", "minimum": 1, "maximum": 100, "default": 50}}).
		filter("filter", obj("Lists as x[], x[N] or comma lists.",
			p("id", anyOf("", str(""), arr(str(""), ""))), p("created_at", rangeOf("A scalar means from then on.")),
			p("created_by", idsOf("At most 10.")), p("entity", anyOf("lead, contact, company, customer, task.", str(""), arr(str(""), ""))),
			p("entity_id", idsOf("At most 10; needs exactly one entity.")), p("type", anyOf("", str(""), arr(str(""), ""))),
			p("value_after", obj("leads_statuses, customers_statuses, responsible_user_id, custom_field_values, value.")),
			p("value_before", obj("As value_after.")))).
		resp("200", "A page of events.", hal, obj("", p("_page", integer("")), r("_links", ref("PageLinks")),
			r("_embedded", obj("", r("events", arr(ref("Event"), "")))))).errs(amoList...)
	m.op("GET", "/api/v4/events/types", "events", "List event types").
		query("language_code", enum("", "ru", "en", "es", "pt"), "ru Russian, en (default) English; es and pt answer English.").
		resp("200", "Every event type.", hal, obj("", p("_total_items", integer("")),
			r("_embedded", obj("", r("events_types", arr(obj("", r("key", str("")), r("type", integer("")), r("lang", obj(""))), "")))))).
		errs(amoList...)
	m.op("GET", "/api/v4/events/{event_id}", "events", "Get an event").
		params(Parameter{Name: "event_id", In: "path", Required: true, Description: "\"1234\" or \"1234-1\".", Schema: str("")}, m.with).
		resp("200", "The event.", hal, ref("Event")).errs(amoGetID...)
}

func (m *amo) users() {
	m.schema("User", obj("A user of the account.",
		r("id", integer("")), r("name", str("")), r("email", str("")), p("lang", str("ru")),
		p("rights", obj("What crmd enforces: every user may view and edit every record; is_admin changes settings.",
			p("is_admin", boolean("")), p("is_free", boolean("")), p("is_active", boolean("")),
			p("group_id", nullable(integer(""))), p("role_id", nullable(integer(""))),
			p("status_rights", arr(obj(""), "")))),
		p("uuid", Schema{"type": "null"}), p("amojo_id", Schema{"type": "null"}), p("user_rank", Schema{"type": "null"}),
		p("phone_number", nullable(str("with=phone_number."))),
		p("_links", ref("SelfLinks")),
		p("_embedded", obj("", p("roles", arr(Schema{}, "with=role: always [].")), p("groups", arr(Schema{}, "with=group: always [].")))),
	))
	refused := "Users and roles are managed with crmd user create: 403 to everyone, before the body is read."
	m.op("GET", "/api/v4/users", "users", "List users").
		desc("Id order; any filter or order is refused. with= role, group, uuid, amojo_id, user_rank, phone_number.").
		params(m.with, m.page, m.limit).
		resp("200", "A page of users.", hal, m.listOf("users", "User")).errs(amoList...)
	m.op("POST", "/api/v4/users", "users", "Add users (refused)").desc(refused).errs("401", "403", "429")
	m.op("GET", "/api/v4/users/{id}", "users", "Get a user").
		params(m.with).resp("200", "The user.", hal, ref("User")).errs(amoGetID...)
	m.op("GET", "/api/v4/roles", "users", "List roles").
		desc("Administrators only (403 for members); crmd has no roles, so always 204.").
		params(m.page, m.limit).errs(amoList...)
	m.op("POST", "/api/v4/roles", "users", "Add roles (refused)").desc(refused).errs("401", "403", "429")
	m.op("GET", "/api/v4/roles/{id}", "users", "Get a role").
		desc("Administrators only; always 204.").errs(amoGetID...)
	m.op("PATCH", "/api/v4/roles/{id}", "users", "Change a role (refused)").desc(refused).errs("401", "403", "429")
	m.op("DELETE", "/api/v4/roles/{id}", "users", "Delete a role (refused)").desc(refused).errs("401", "403", "429")
}

func (m *amo) webhooks() {
	m.schema("Webhook", obj("An amoCRM webhook subscription (companion §8.1).",
		r("id", integer("")), r("destination", str("The URL the bodies are POSTed to.")),
		r("created_at", integer("")), r("updated_at", integer("")), r("account_id", integer("")),
		r("created_by", integer("")), r("sort", integer("")),
		r("disabled", boolean("Delivery stopped after repeated failures; POST the destination again to change its events (it stays disabled).")),
		r("settings", arr(str(""), "The subscribed event names."))))
	names := enum("", "add_lead", "update_lead", "delete_lead", "restore_lead", "status_lead", "responsible_lead", "note_lead",
		"add_contact", "update_contact", "delete_contact", "restore_contact", "responsible_contact", "note_contact",
		"add_company", "update_company", "delete_company", "restore_company", "responsible_company", "note_company",
		"add_customer", "update_customer", "delete_customer", "responsible_customer", "note_customer",
		"add_task", "update_task", "delete_task", "responsible_task", "add_talk", "update_talk", "add_chat_template_review")
	m.op("GET", "/api/v4/webhooks", "webhooks", "List webhooks").
		desc("Administrators only. Not paged (at most 100). filter[destination]: one exact URL.").
		filter("filter", obj("", p("destination", str("One exact destination URL.")))).
		resp("200", "The webhooks.", hal, obj("", r("_total_items", integer("")),
			r("_embedded", obj("", r("webhooks", arr(ref("Webhook"), "")))))).errs(amoList...)
	m.op("POST", "/api/v4/webhooks", "webhooks", "Subscribe a destination").
		desc("Administrators only. A destination the account already has is updated (settings and sort replaced). An unknown event name, empty settings or a destination that is not an absolute http(s) URL is a 400; the account's 101st webhook is a 422. Bodies are sent form-encoded, one POST per write call (docs/amocrm.md, Webhooks).").
		body(obj("", r("destination", str("An absolute http or https URL, at most 2000 characters.")),
			r("settings", arr(names, "At least one event name.")), p("sort", integer(""))), "").
		resp("201", "The webhook, created or updated.", hal, ref("Webhook")).errs(plus(amoWrite, "422")...)
	m.op("DELETE", "/api/v4/webhooks", "webhooks", "Unsubscribe a destination").
		desc("Administrators only (403 for members). 404 when the account has no webhook at the destination.").
		body(obj("", r("destination", str("The webhook's destination."))), "").
		resp("204", "Deleted.", "", nil).errs("400", "401", "403", "404", "429")
}

func (m *amo) v2() {
	v2Link := obj("", r("href", str("Relative.")), p("method", str("")))
	v2Links := obj("", r("self", v2Link))
	envelope := func(item Schema, desc string) Schema {
		return obj("v2's list envelope.", r("_links", v2Links), r("_embedded", obj("", r("items", arr(item, desc)))))
	}
	v2Field := obj("", r("id", integer("")), r("name", str("")), r("values", arr(obj("", r("value", Schema{}), p("enum", Schema{})), "")), p("is_system", boolean("")))
	v2Tag := obj("", r("id", integer("")), r("name", str("")))
	v2Ref := obj("", p("id", Schema{}), p("_links", v2Links))
	m.schema("V2Customer", obj("A customer as v2 renders it.",
		r("id", integer("")), r("name", str("")), r("responsible_user_id", integer("")),
		p("created_by", integer("")), p("created_at", integer("")), p("updated_at", integer("")),
		p("account_id", integer("")), p("updated_by", integer("")), p("is_deleted", boolean("")),
		p("main_contact", v2Ref), p("tags", arr(v2Tag, "")), p("custom_fields", arr(v2Field, "")),
		p("contacts", v2Ref), p("company", v2Ref), p("next_price", integer("")), p("closest_task_at", integer("")),
		p("period_id", integer("The status.")), p("periodicity", integer("")), p("next_date", integer("")),
		p("_links", v2Links)))
	writeResult := obj("What a v2 write answers.", r("_links", v2Links), r("_embedded", obj("",
		r("items", arr(obj("", r("id", integer("")), p("request_id", Schema{}), p("_links", v2Links)), "Added and updated items.")),
		p("deleted", arr(obj("", r("id", integer("")), p("name", str(""))), "")),
		p("errors", obj("Items refused alone: errors.update[id] = \"Last modified date is older than in database\".")))))
	ids := Parameter{Name: "id", In: "query", Description: "One id, a comma list, id[]=… or id[0]=… (at most 500); with id every other parameter is ignored.", Schema: anyOf("", str(""), arr(integer(""), ""))}
	rows := Parameter{Name: "limit_rows", In: "query", Description: "1–500, default 500.", Schema: Schema{"type": "integer", "minimum": 1, "maximum": 500}}
	offset := Parameter{Name: "limit_offset", In: "query", Description: "Only with limit_rows.", Schema: Schema{"type": "integer", "minimum": 0}}

	m.op("GET", "/api/v2/customers", "v2", "List customers (v2)").
		params(ids, rows, offset).
		filter("filter", obj("",
			p("main_user", idsOf("Responsible users.")),
			p("date", obj("Dates DD.MM.YYYY, MM/DD/YYYY or Unix seconds, as whole days of the account's time zone.",
				p("type", enum("Required with from/to.", "create", "modify")), p("from", str("")), p("to", str("")))),
			p("next_date", obj("", p("from", str("")), p("to", str("")))))).
		resp("200", "The customers.", hal, envelope(ref("V2Customer"), "")).errs(v2Read...)
	m.op("POST", "/api/v2/customers", "v2", "Add, update and delete customers (v2)").
		desc("add, update and delete in one body are one transaction; update requires id and updated_at (the version read). Numbers may be strings.").
		body(obj("",
			p("add", arr(obj("", r("name", str("")), p("next_date", intOrString("")), p("next_price", intOrString("")),
				p("responsible_user_id", intOrString("")), p("periodicity", intOrString("")), p("period_id", intOrString("")),
				p("created_at", intOrString("")), p("tags", anyOf("A comma string or an array of names.", str(""), arr(str(""), ""))),
				p("contacts_id", arr(intOrString(""), "")), p("company_id", intOrString("")),
				p("custom_fields", arr(obj("", r("id", intOrString("")), r("values", arr(Schema{}, ""))), "")), p("request_id", Schema{})), "")),
			p("update", arr(obj("As add, plus:", r("id", intOrString("")), r("updated_at", intOrString("The version read: older is refused for that item.")),
				p("unlink", obj("", p("contacts_id", arr(intOrString(""), "")), p("company_id", intOrString(""))))), "")),
			p("delete", anyOf("Ids: an array or a comma string.", arr(intOrString(""), ""), str(""))),
		), "").
		resp("200", "The written customers.", hal, writeResult).errs(v2Write...)
	m.op("GET", "/api/v2/transactions", "v2", "List transactions (v2)").
		params(ids, Parameter{Name: "customer_id", In: "query", Description: "One or a list.", Schema: anyOf("", str(""), arr(integer(""), ""))}, rows, offset).
		resp("200", "The transactions.", hal, envelope(obj("", r("id", integer("")), r("price", integer("")), p("comment", str("")),
			p("date", integer("")), p("customer", v2Ref), p("created_by", integer("")), p("created_at", integer("")),
			p("updated_at", integer("")), p("account_id", integer("")), p("updated_by", integer("")), p("is_deleted", boolean("")),
			p("_links", v2Links)), "")).errs(v2Read...)
	m.op("POST", "/api/v2/transactions", "v2", "Add, update and delete transactions (v2)").
		desc("update changes comments only.").
		body(obj("",
			p("add", arr(obj("", r("customer_id", intOrString("")), r("price", intOrString("")), p("date", intOrString("")),
				p("comment", str("")), p("next_price", intOrString("")), p("next_date", intOrString("")), p("request_id", Schema{})), "")),
			p("update", arr(obj("", r("id", intOrString("")), r("comment", str(""))), "")),
			p("delete", anyOf("", arr(intOrString(""), ""), str(""))),
		), "").
		resp("200", "The written transactions.", hal, writeResult).errs(v2Write...)
	period := obj("A customer period (a status of the periodicity mode).",
		r("id", integer("")), r("type", enum("", "before", "after")), r("period", integer("Days.")),
		p("color", str("")), p("sort", integer("")), p("before_buy", integer("")), p("after_buy", integer("")), p("_links", v2Links))
	m.op("GET", "/api/v2/customers_periods", "v2", "List customer periods (v2)").
		resp("200", "The periods.", hal, envelope(period, "")).errs(v2Read...)
	m.op("POST", "/api/v2/customers_periods", "v2", "Replace customer periods (v2)").
		desc("Administrators only, periodicity mode. update is the full list: regular periods missing from it are deleted; at most 10 before the purchase.").
		body(obj("", r("update", arr(obj("", p("id", intOrString("")), p("period", intOrString("")), p("color", str("")),
			p("sort", intOrString("")), p("type", str(""))), ""))), "").
		resp("200", "The periods as stored.", hal, envelope(period, "")).errs(v2Write...)
	v2Person := func(desc string, extra ...prop) Schema {
		props := append([]prop{r("id", integer("")), r("name", str("")), p("responsible_user_id", integer("")),
			p("created_by", integer("")), p("created_at", integer("")), p("updated_at", integer("")),
			p("account_id", integer("")), p("updated_by", integer("")), p("group_id", integer("")),
			p("closest_task_at", integer("")), p("tags", arr(v2Tag, "")), p("custom_fields", arr(v2Field, "")),
			p("leads", obj("Always {}.")), p("customers", obj("{id: […], _links} or {}.")), p("_links", v2Links)}, extra...)
		return obj(desc, props...)
	}
	search := Parameter{Name: "query", In: "query", Description: "Searched as v4's query.", Schema: str("")}
	resp := Parameter{Name: "responsible_user_id", In: "query", Description: "One or a list.", Schema: anyOf("", str(""), arr(integer(""), ""))}
	m.op("GET", "/api/v2/contacts", "v2", "List contacts (v2, read only)").
		params(ids, rows, offset, search, resp).
		resp("200", "The contacts.", hal, envelope(v2Person("A contact as v2 renders it.",
			p("first_name", str("")), p("last_name", str("")), p("company", obj("The primary company: {id, name, _links} or {}.")),
		), "")).errs(v2Read...)
	m.op("GET", "/api/v2/companies", "v2", "List companies (v2, read only)").
		params(ids, rows, offset, search, resp).
		resp("200", "The companies.", hal, envelope(v2Person("A company as v2 renders it.",
			p("contacts", obj("{id: […], _links} of the contacts that work for it.")),
		), "")).errs(v2Read...)
}

// oauth documents the token endpoint and the subdomain lookups
// (internal/api/amocrm/oauth.go; docs/amocrm.md, "OAuth 2.0"). The token
// endpoint's client authenticates with the body's client_id and
// client_secret, not a bearer token, and its answers are application/json
// in amoCRM's OAuth shapes rather than problems.
func (m *amo) oauth() {
	m.schema("TokenRequest", obj("Both grants send client_id, client_secret, grant_type and redirect_uri (exactly the integration's registered one); authorization_code adds code, refresh_token adds refresh_token. A missing field is a 400 naming it.",
		r("client_id", str("The integration's id, printed by crmd integration create.")),
		r("client_secret", str("The integration's secret (64 letters and digits).")),
		r("grant_type", enum("", "authorization_code", "refresh_token")),
		r("redirect_uri", str("The integration's redirect URI, exactly as registered.")),
		p("code", str("grant_type authorization_code: the code the consent page sent to the redirect URI (def50200 + 64 hex digits); 20 minutes, single use.")),
		p("refresh_token", str("grant_type refresh_token: the last refresh token issued; 3 months, single use."))))
	m.schema("TokenPair", obj("A new access and refresh token.",
		r("token_type", enum("", "Bearer")),
		r("expires_in", integer("The access token's lifetime in seconds: 86400.")),
		r("access_token", str("An HS256 JWT (aud = client_id, sub = the user id, account_id); every amoCRM endpoint takes it as Authorization: Bearer.")),
		r("refresh_token", str("def50200 + 64 hex digits; valid 3 months and once: refreshing kills the one sent."))))
	m.schema("OAuthProblem", obj("A refused token request, as amoCRM answers it (Content-Type application/json).",
		r("hint", str("What to check: \"Check the `grant_type` parameter\" (the field named), \"Unsupported grant type\", \"Redirect URI is not associated with client\", \"Cannot decrypt the authorization code\", \"Authorization code has been revoked\", \"Authorization code has expired\", \"Invalid refresh token\", \"Token has been revoked\", \"Token has expired\", \"The request body is malformed: …\".")),
		r("title", enum("\"Некорректный клиент\" for a failed client authentication, else \"Некорректный запрос\".", "Некорректный запрос", "Некорректный клиент")),
		r("type", enum("", "https://developers.amocrm.ru/v3/errors/OAuthProblemJson")),
		r("status", integer("The HTTP status.")),
		r("detail", enum("", "В запросе отсутствует ряд параметров или параметры невалидны", "Авторизация клиента не прошла"))))
	form := withDesc(ref("TokenRequest"), "The same fields form-encoded (as the Go client alexeykhan/amocrm posts them).")
	problem := func(desc string) Response {
		return Response{Description: desc, Content: map[string]MediaType{"application/json": {Schema: ref("OAuthProblem")}}}
	}
	lookupProblem := func(desc string) Response {
		return Response{Description: desc, Content: map[string]MediaType{"application/problem+json": {Schema: ref("OAuthProblem")}}}
	}
	throttled := Response{Description: "Too many refused requests from this client_id or address (amoCRM's 429 problem, detail naming the limit); Retry-After is the window's length, the longest wait.",
		Headers: retryAfter, Content: map[string]MediaType{"application/problem+json": {Schema: ref("Problem")}}}
	b := m.op("POST", "/oauth2/access_token", "oauth", "Exchange a code or a refresh token for tokens").
		desc("amoCRM's token endpoint. No bearer token: the integration authenticates with client_id and client_secret in the body. The account is the integration's, whatever the host. Every answer is application/json with Cache-Control: no-store. Errors are checked in this order: a missing field, an unsupported grant type, the client, the redirect URI, then the code or refresh token.").
		public()
	b.op.RequestBody = &RequestBody{Required: true, Content: map[string]MediaType{
		"application/json":                  {Schema: ref("TokenRequest")},
		"application/x-www-form-urlencoded": {Schema: form},
	}}
	b.resp("200", "The new token pair.", "application/json", ref("TokenPair"))
	b.op.Responses["400"] = problem("Некорректный запрос: a field missing (the hint names it), an unsupported grant_type, a redirect_uri other than the registered one, an unknown or another integration's code (or one already exchanged, or older than 20 minutes), an unknown or another integration's refresh token, or a body neither JSON nor a form.")
	b.op.Responses["401"] = problem("Некорректный клиент for an unknown client_id or a wrong client_secret (title \"Некорректный клиент\", detail \"Авторизация клиента не прошла\"); Некорректный запрос for a refresh token already used, revoked with its integration (crmd integration revoke) or older than 3 months (hints \"Token has been revoked\", \"Token has expired\").")
	b.op.Responses["429"] = throttled
	b.op.Description += " Refused requests are throttled: after 20 in 15 minutes for one client_id, or 50 from one client address (token requests and subdomain lookups together), every request of that client_id or address is refused with 429 until the window that counted them ends; a request that is not refused gives its count back."

	m.schema("AccountDomain", obj("The account the token belongs to and the host to call it at.",
		r("id", integer("The account id.")),
		r("subdomain", str("The account's subdomain.")),
		r("domain", str("The subdomain on the host crmd is reached at: crmd serve --public-url's host, else the request's Host (port included), as the consent page's referer.")),
		r("top_level_domain", str("The last label of domain's host name (\"ru\" of example.amocrm.ru)."))))
	lookup := func(path, summary, desc string) *opBuilder {
		b := m.op("GET", path, "oauth", summary).desc(desc + " Answers 200 application/json; errors are the token endpoint's bodies (status 401) as application/problem+json, with Cache-Control: no-store.")
		b.resp("200", "The account and its domain.", "application/json", ref("AccountDomain"))
		b.op.Responses["429"] = throttled
		return b
	}
	b = lookup("/oauth2/account/current/subdomain", "The account of a refresh token",
		"amoCRM's subdomain lookup: the refresh token is sent in X-Refresh-Token, not as a bearer token. Clients call it when a refresh fails, to find the account's current domain.")
	b.op.Security = &[]map[string][]string{{"refreshToken": {}}}
	b.op.Responses["401"] = lookupProblem("No X-Refresh-Token, or one that is unknown (hint \"Invalid refresh token\"), already used or revoked (\"Token has been revoked\") or expired (\"Token has expired\").")
	b = lookup("/oauth2/account/subdomain", "The account of an access token (deprecated)",
		"The deprecated form of the lookup, with Authorization: Bearer and any amoCRM token (an OAuth access token or a long-lived one).")
	b.op.Responses["401"] = lookupProblem("No bearer token, or one that is not a live amoCRM token (hint \"Invalid access token\"): a revoked integration's access tokens are dead.")
}
