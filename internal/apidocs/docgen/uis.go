package docgen

// The UIS document: the Data API v2.0's JSON-RPC methods crmd serves at
// POST /v2.0 (internal/api/uis; decisions in docs/uis.md), as OpenRPC.

const uisDescription = `crmd's UIS (CoMagic) Data API v2.0 dialect: JSON-RPC 2.0 over POST /v2.0 — the sales funnel methods over crmd's deal pipelines (a funnel is the amoCRM lead pipeline and the Envybox deal pipeline of the same id) and login.user / logout.user sessions.

Transport: one JSON-RPC request object per POST (batches answer -32099 batch_opreations_not_supported, a request without id -32099 notifications_not_supported); id is echoed as sent. Every JSON-RPC reply is HTTP 200, errors included; only a request that is no JSON-RPC exchange gets a 4xx, still with a JSON-RPC error body: another HTTP method 405 (Allow: POST), a body over 1 MiB 413. Params are named (an object) and read strictly: unknown members are unexpected_parameters, a wrong JSON type data_type_error, a missing required one required_parameter_missed.

Authentication: params.access_token on every method but login.user — a user's permanent UIS key (crmd serve, crmd account create, crmd user create) or a session token from login.user (valid 1 hour). An agent account's users also send user_id, naming the client's user to act as.

Errors: {code, message, data: {mnemonic, field, value, params[, metadata]}} with UIS's codes and messages word for word; field is a dotted path into params (stages.in_process.0.order), value what was sent there. Once the caller is authenticated, data.metadata.limits is added.

Limits: 3500 points a day and 200 a minute per user by default (crmd limits set changes them), one point per method, charged only for successful requests; every result carries metadata.limits. Over the limit: -32029 limit_exceeded.

Level of detail: every method crmd serves is here with its params, result and the errors it answers. The mnemonics under each method are the ones it can answer beside the common ones listed once in components; the rules behind each (filter operators, stage orders, what may be deleted) are in docs/uis.md.`

// OpenRPC is an OpenRPC 1.x document.
type OpenRPC struct {
	OpenRPC    string        `json:"openrpc"`
	Info       Info          `json:"info"`
	Servers    []RPCServer   `json:"servers"`
	Methods    []*RPCMethod  `json:"methods"`
	Components RPCComponents `json:"components"`
}

// RPCServer is where the methods are served.
type RPCServer struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// RPCMethod is one JSON-RPC method.
type RPCMethod struct {
	Name           string              `json:"name"`
	Summary        string              `json:"summary"`
	Description    string              `json:"description,omitempty"`
	Tags           []map[string]string `json:"tags,omitempty"`
	ParamStructure string              `json:"paramStructure"`
	Params         []any               `json:"params"`
	Result         ContentDescriptor   `json:"result"`
	Errors         []any               `json:"errors,omitempty"`
}

// ContentDescriptor names and types one param or the result.
type ContentDescriptor struct {
	Name        string `json:"name"`
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Schema      Schema `json:"schema"`
}

// RPCError is an error a method answers.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// RPCComponents are the shared definitions.
type RPCComponents struct {
	Schemas            map[string]Schema            `json:"schemas"`
	ContentDescriptors map[string]ContentDescriptor `json:"contentDescriptors"`
	Errors             map[string]RPCError          `json:"errors"`
}

// uisErrors are the errors of UIS's catalogue crmd answers, keyed by a
// name for the components: code, message and the mnemonic in data.
var uisErrors = []struct {
	key, mnemonic string
	code          int
	message       string
}{
	{"parse_error", "parse_error", -32700, "Invalid JSON was received by the server."},
	{"invalid_request", "invalid_request", -32600, "Invalid Request The JSON sent is not a valid Request object"},
	{"method_not_found", "method_not_found", -32601, "The method does not exist / is not available"},
	{"internal_error", "internal_error", -32603, "Internal error, contact the support service"},
	{"access_token_expired", "access_token_expired", -32001, "Access token has been expired"},
	{"access_token_invalid", "access_token_invalid", -32001, "Access token is invalid"},
	{"auth_error", "auth_error", -32001, "Login or password is wrong"},
	{"limit_exceeded", "limit_exceeded", -32029, "Limit per {limit_type} has been exceeded. Value of current limit per {limit_type} is {limit_max_value}"},
	{"forbidden", "forbidden", -32003, "Permission denied"},
	{"data_type_error", "data_type_error", -32602, "Data supplied is of wrong type"},
	{"batch_opreations_not_supported", "batch_opreations_not_supported", -32099, "Batch operations not supported"},
	{"notifications_not_supported", "notifications_not_supported", -32099, "Notifications not supported"},
	{"required_parameter_missed", "required_parameter_missed", -32602, "The required parameter has been missed"},
	{"invalid_parameter_value", "invalid_parameter_value", -32602, "Invalid parameter value"},
	{"unexpected_parameters", "unexpected_parameters", -32602, "Unexpected method parameter(s)"},
	{"sort_prohibited", "sort_prohibited", -32602, "Sort by parameter is prohibited"},
	{"filter_prohibited", "filter_prohibited", -32602, "Filter by parameter is prohibited"},
	{"entity_not_found", "entity_not_found", -32602, "Entity not found"},
	{"dependency_error", "dependency_error", -32602, "You have interdependet entities"},
	{"duplicate_entity", "duplicate_entity", -32602, "Duplicate entity"},
	{"data_limit_exceeded", "data_limit_exceeded", -32602, "A new data limit has been exceeded"},
	{"delete_forbidden", "forbidden", -32602, "Permission denied"},
}

// uisCommon are the errors every authenticated method can answer.
var uisCommon = []string{"access_token_invalid", "access_token_expired", "required_parameter_missed",
	"data_type_error", "unexpected_parameters", "invalid_parameter_value", "forbidden", "limit_exceeded", "internal_error"}

func uisDocument() *OpenRPC {
	d := &OpenRPC{
		OpenRPC: "1.3.2",
		Info: Info{
			Title:       "crmd — UIS Data API v2.0 (JSON-RPC)",
			Version:     "2.0",
			Description: uisDescription,
		},
		Servers: []RPCServer{{Name: "crmd", URL: "/v2.0", Description: "POST only; relative to this crmd server."}},
		Components: RPCComponents{
			Schemas:            map[string]Schema{},
			ContentDescriptors: map[string]ContentDescriptor{},
			Errors:             map[string]RPCError{},
		},
	}
	for _, e := range uisErrors {
		d.Components.Errors[e.key] = RPCError{Code: e.code, Message: e.message, Data: map[string]any{"mnemonic": e.mnemonic}}
	}
	d.Components.Schemas["ErrorData"] = obj("The error object's data.",
		r("mnemonic", str("")), r("field", nullable(str("The parameter, a dotted path with array indexes."))),
		r("value", nullable(str("What the caller sent there."))), r("params", obj("The message's placeholders ({limit_type, limit_max_value}, {max_value}).")),
		p("metadata", obj("Once the caller is known: {limits}.")))
	d.Components.Schemas["Limits"] = obj("The caller's request limits; a window the account does not limit is left out, and with limits off it is {}.",
		p("day_limit", integer("")), p("day_remaining", integer("")), p("day_reset", integer("Seconds until the window resets.")),
		p("minute_limit", integer("")), p("minute_remaining", integer("")), p("minute_reset", integer("")))
	d.Components.Schemas["Metadata"] = obj("", r("limits", ref("Limits")), p("total_items", integer("get methods: the items matching the filter, before paging.")))
	d.Components.Schemas["Stage"] = obj("A funnel stage.",
		p("stage_ext_id", str("The stage's ext_id (its id as a string when made by another dialect).")), p("stage_name", str("")),
		p("stage_status", enum("", "in_process", "success", "failed")), p("stage_order", integer("")))
	d.Components.Schemas["Funnel"] = obj("A sales funnel: the fields asked for.",
		p("ext_id", str("")), p("name", str("")), p("stages", arr(ref("Stage"), "Sorted by stage_order.")))
	d.Components.ContentDescriptors["access_token"] = ContentDescriptor{Name: "access_token", Required: true,
		Description: "A permanent UIS key or a session token from login.user.", Schema: str("")}
	d.Components.ContentDescriptors["user_id"] = ContentDescriptor{Name: "user_id",
		Description: "Agents only (required for them): the client account's user to act as. A number or a string of digits.",
		Schema:      intOrString("")}
	token := map[string]string{"$ref": "#/components/contentDescriptors/access_token"}
	userID := map[string]string{"$ref": "#/components/contentDescriptors/user_id"}
	param := func(name string, required bool, desc string, s Schema) ContentDescriptor {
		return ContentDescriptor{Name: name, Required: required, Description: desc, Schema: s}
	}
	result := func(data Schema) ContentDescriptor {
		return ContentDescriptor{Name: "result", Schema: obj("", r("data", data), r("metadata", ref("Metadata")))}
	}
	// only refers to the catalogue's errors by key; errs adds them to the
	// errors every authenticated method can answer.
	only := func(keys ...string) []any {
		var out []any
		for _, k := range keys {
			if _, ok := d.Components.Errors[k]; !ok {
				panic("docgen: no UIS error " + k)
			}
			out = append(out, map[string]string{"$ref": "#/components/errors/" + k})
		}
		return out
	}
	errs := func(keys ...string) []any { return only(append(append([]string(nil), uisCommon...), keys...)...) }
	tag := func(name string) []map[string]string { return []map[string]string{{"name": name}} }
	filterNode := obj("A condition {field, operator, value} or a tree {filters, condition}, up to 32 deep.",
		p("field", enum("stages and stage_* are filter_prohibited.", "ext_id", "name")),
		p("operator", enum("", "=", "!=", "like", "ilike", "not_like", "not_ilike", "regexp", "in", "not_in", "is_null", "is_not_null")),
		p("value", anyOf("Strings; an array for in and not_in.", nullable(str("")), arr(str(""), ""))),
		p("filters", arr(Schema{"$ref": "#/components/schemas/FilterNode"}, "")),
		p("condition", enum("Default and.", "and", "or")))
	d.Components.Schemas["FilterNode"] = filterNode
	stageIn := obj("", r("ext_id", str("")), r("name", str("")), p("order", integer("0–10000; required for in_process stages, ignored on success and failed.")))

	d.Methods = []*RPCMethod{
		{
			Name: "login.user", Summary: "Open a session",
			Description: "login is a crmd user's email (case-insensitive) or id; passwords are set with crmd user password. The session lives 1 hour. Failed logins are throttled: at most 10 per login and 100 per client address in 15 minutes, then -32029 limit_exceeded even with the right password.",
			Tags:        tag("sessions"), ParamStructure: "by-name",
			Params: []any{param("login", true, "An email or a user id.", str("")), param("password", true, "", str(""))},
			Result: ContentDescriptor{Name: "result", Schema: obj("", r("data", obj("",
				r("access_token", str("")), r("expire_at", integer("Unix seconds.")), r("app_id", integer("The account.")))),
				r("metadata", ref("Metadata")))},
			Errors: only("auth_error", "limit_exceeded", "required_parameter_missed", "data_type_error",
				"unexpected_parameters", "invalid_parameter_value", "internal_error"),
		},
		{
			Name: "logout.user", Summary: "End a session",
			Description: "Ends the session its access_token names; with a permanent key it succeeds and changes nothing. Takes only access_token.",
			Tags:        tag("sessions"), ParamStructure: "by-name",
			Params: []any{token}, Result: result(obj("Empty.")),
			Errors: only("access_token_invalid", "access_token_expired", "required_parameter_missed", "data_type_error",
				"unexpected_parameters", "invalid_parameter_value", "limit_exceeded", "internal_error"),
		},
		{
			Name: "get.sales_funnel", Summary: "List sales funnels",
			Description: "Filtering, sorting and paging over the account's deal pipelines (at most 50). limit: 0 answers only metadata.total_items.",
			Tags:        tag("sales funnels"), ParamStructure: "by-name",
			Params: []any{token, userID,
				param("limit", false, "0–10000, default 1000; beyond is invalid_parameter_value.", Schema{"type": "integer", "minimum": 0, "maximum": 10000, "default": 1000}),
				param("offset", false, "0–100000, default 0.", Schema{"type": "integer", "minimum": 0, "maximum": 100000, "default": 0}),
				param("filter", false, "", ref("FilterNode")),
				param("sort", false, "ext_id and name only (stages and stage_* are sort_prohibited); ties in creation order.",
					arr(obj("", r("field", enum("", "ext_id", "name")), p("order", enum("Default asc.", "asc", "desc"))), "")),
				param("fields", false, "ext_id, name, stages and the stage_* names; [] means all.",
					arr(enum("", "ext_id", "name", "stages", "stage_ext_id", "stage_name", "stage_status", "stage_order"), "")),
			},
			Result: result(arr(ref("Funnel"), "")),
			Errors: errs("filter_prohibited", "sort_prohibited"),
		},
		{
			Name: "create.sales_funnel", Summary: "Create a sales funnel",
			Description: "Administrators only. 1–100 in_process stages, one success and one failed stage; at most 50 funnels.",
			Tags:        tag("sales funnels"), ParamStructure: "by-name",
			Params: []any{token, userID,
				param("ext_id", true, "Unique per account.", str("")),
				param("name", true, "", str("")),
				param("stages", true, "", obj("", r("in_process", arr(stageIn, "")), r("success", stageIn), r("failed", stageIn))),
			},
			Result: result(obj("", r("ext_id", str("")))),
			Errors: errs("duplicate_entity", "data_limit_exceeded"),
		},
		{
			Name: "update.sales_funnel", Summary: "Rename a sales funnel",
			Tags: tag("sales funnels"), ParamStructure: "by-name",
			Params: []any{token, userID, param("ext_id", true, "", str("")), param("name", true, "", str(""))},
			Result: result(obj("Empty.")), Errors: errs("entity_not_found"),
		},
		{
			Name: "delete.sales_funnel", Summary: "Delete a sales funnel",
			Description: "A funnel with deals is dependency_error; the account's last funnel is forbidden (code -32602).",
			Tags:        tag("sales funnels"), ParamStructure: "by-name",
			Params: []any{token, userID, param("ext_id", true, "", str(""))},
			Result: result(obj("Empty.")), Errors: errs("entity_not_found", "dependency_error", "delete_forbidden"),
		},
		{
			Name: "create.sales_funnel_stages", Summary: "Add an in_process stage to a funnel",
			Description: "At most 100 in_process stages (data_limit_exceeded beyond).",
			Tags:        tag("sales funnels"), ParamStructure: "by-name",
			Params: []any{token, userID, param("sales_funnel_ext_id", true, "", str("")),
				param("ext_id", true, "", str("")), param("name", true, "", str("")), param("order", true, "0–10000.", integer(""))},
			Result: result(obj("", r("ext_id", str("")))),
			Errors: errs("entity_not_found", "duplicate_entity", "data_limit_exceeded"),
		},
		{
			Name: "update.sales_funnel_stages", Summary: "Rename or move a funnel stage",
			Description: "name and/or order (neither: required_parameter_missed on name); success and failed stages can be renamed, not moved.",
			Tags:        tag("sales funnels"), ParamStructure: "by-name",
			Params: []any{token, userID, param("sales_funnel_ext_id", true, "", str("")),
				param("ext_id", true, "", str("")), param("name", false, "", str("")), param("order", false, "0–10000.", integer(""))},
			Result: result(obj("Empty.")), Errors: errs("entity_not_found"),
		},
		{
			Name: "delete.sales_funnel_stages", Summary: "Delete a funnel stage",
			Description: "A stage with deals is dependency_error; success, failed and the last in_process stage are forbidden (code -32602).",
			Tags:        tag("sales funnels"), ParamStructure: "by-name",
			Params: []any{token, userID, param("sales_funnel_ext_id", true, "", str("")), param("ext_id", true, "", str(""))},
			Result: result(obj("Empty.")), Errors: errs("entity_not_found", "dependency_error", "delete_forbidden"),
		},
	}
	return d
}
