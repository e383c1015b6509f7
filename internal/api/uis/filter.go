package uis

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Filters ("Критерии фильтрации"): a simple filter {field, operator, value}
// or a tree {filters: [...], condition: "and"|"or"} nested to any depth.
//
// Decisions where UIS says nothing: a missing condition means "and"; an
// empty filter {} or an empty filters list selects everything; operators
// are lower-case words as documented. On the string fields of
// get.sales_funnel the operators are =, != (a null value means is null / is
// not null, as the docs say), like, ilike, not_like, not_ilike (% any run, _
// one character, \ escapes), regexp (Go RE2 syntax, which covers the POSIX
// ERE subset clients use; unanchored, case-sensitive), in, not_in (an array
// of strings), is_null, is_not_null. The number and array operators (<, >,
// <=, >=, jsquery, overlap, not_overlap) and unknown ones are
// invalid_parameter_value.

// maxFilterDepth bounds nesting; real filters use three levels.
const maxFilterDepth = 32

// maxRegexpLength bounds a regexp's source.
const maxRegexpLength = 1000

// filterSpec describes a get method's fields for filtering and sorting.
type filterSpec struct {
	// filterable and sortable are the fields that may be filtered or sorted on.
	filterable, sortable []string
	// known are every field of the result (others are unexpected_parameters).
	known []string
}

func (s filterSpec) check(field, path string, allowed []string, prohibited string) error {
	for _, f := range allowed {
		if f == field {
			return nil
		}
	}
	for _, f := range s.known {
		if f == field {
			return failValue(prohibited, path, field)
		}
	}
	return failValue(mnUnexpected, path, field)
}

// filterNode is a parsed filter over records whose string fields value reads.
type filterNode interface {
	match(value func(field string) string) bool
}

// allOf / anyOf are the tree conditions.
type condition struct {
	or    bool
	nodes []filterNode
}

func (c condition) match(value func(string) string) bool {
	if len(c.nodes) == 0 {
		return true
	}
	for _, n := range c.nodes {
		if n.match(value) == c.or {
			return c.or
		}
	}
	return !c.or
}

// comparison is a simple filter on a field that is never null.
type comparison struct {
	field string
	test  func(string) bool
}

func (c comparison) match(value func(string) string) bool { return c.test(value(c.field)) }

// parseFilter parses params.filter (nil: no filter).
func parseFilter(raw json.RawMessage, spec filterSpec) (filterNode, error) {
	return parseFilterNode(raw, "filter", spec, 0)
}

func parseFilterNode(raw json.RawMessage, path string, spec filterSpec, depth int) (filterNode, error) {
	if depth > maxFilterDepth {
		return nil, fail(mnInvalidValue, path)
	}
	p, err := decodeObject(raw, path)
	if err != nil {
		return nil, err
	}
	if len(p.raw) == 0 {
		return condition{}, nil
	}
	if _, tree := p.raw["filters"]; tree {
		if err := p.only("filters", "condition"); err != nil {
			return nil, err
		}
		cond, ok, err := p.str("condition", false)
		if err != nil {
			return nil, err
		}
		var c condition
		switch strings.ToLower(cond) {
		case "and":
		case "or":
			c.or = true
		default:
			if ok {
				return nil, failValue(mnInvalidValue, p.at("condition"), cond)
			}
		}
		items, _, err := p.array("filters", true)
		if err != nil {
			return nil, err
		}
		for i, item := range items {
			n, err := parseFilterNode(item, itemPath(p.at("filters"), i), spec, depth+1)
			if err != nil {
				return nil, err
			}
			c.nodes = append(c.nodes, n)
		}
		return c, nil
	}
	if err := p.only("field", "operator", "value"); err != nil {
		return nil, err
	}
	field, _, err := p.str("field", true)
	if err != nil {
		return nil, err
	}
	if err := spec.check(field, p.at("field"), spec.filterable, mnFilterProhibited); err != nil {
		return nil, err
	}
	op, _, err := p.str("operator", true)
	if err != nil {
		return nil, err
	}
	test, err := stringTest(p, op)
	if err != nil {
		return nil, err
	}
	return comparison{field: field, test: test}, nil
}

// stringTest builds the test of operator op with p's value on a string field.
func stringTest(p params, op string) (func(string) bool, error) {
	valuePath := p.at("value")
	raw, given := p.lookup("value")
	str := func() (string, error) {
		if !given {
			return "", fail(mnRequired, valuePath)
		}
		var s string
		if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
			return "", failValue(mnDataType, valuePath, asSent(raw))
		}
		return s, nil
	}
	switch op {
	case "=", "!=":
		if !given {
			// "= null": the fields are never null.
			return func(string) bool { return op == "!=" }, nil
		}
		want, err := str()
		if err != nil {
			return nil, err
		}
		return func(s string) bool { return (s == want) == (op == "=") }, nil
	case "is_null", "is_not_null":
		if given {
			return nil, failValue(mnInvalidValue, valuePath, asSent(raw))
		}
		return func(string) bool { return op == "is_not_null" }, nil
	case "like", "ilike", "not_like", "not_ilike":
		pattern, err := str()
		if err != nil {
			return nil, err
		}
		re := likeRegexp(pattern, strings.Contains(op, "ilike"))
		negate := strings.HasPrefix(op, "not_")
		return func(s string) bool { return re.MatchString(s) != negate }, nil
	case "regexp":
		src, err := str()
		if err != nil {
			return nil, err
		}
		re, cerr := regexp.Compile(src)
		if cerr != nil || len(src) > maxRegexpLength {
			return nil, failValue(mnInvalidValue, valuePath, src)
		}
		return re.MatchString, nil
	case "in", "not_in":
		if !given {
			return nil, fail(mnRequired, valuePath)
		}
		var items []json.RawMessage
		if jsonKind(raw) != "array" || json.Unmarshal(raw, &items) != nil {
			return nil, failValue(mnDataType, valuePath, asSent(raw))
		}
		set := map[string]bool{}
		for _, item := range items {
			var s string
			if jsonKind(item) != "string" || json.Unmarshal(item, &s) != nil {
				return nil, failValue(mnDataType, valuePath, asSent(raw))
			}
			set[s] = true
		}
		return func(s string) bool { return set[s] == (op == "in") }, nil
	}
	return nil, failValue(mnInvalidValue, p.at("operator"), op)
}

// likeRegexp compiles a LIKE pattern: % is any run of characters, _ one
// character, a backslash takes the next character literally.
func likeRegexp(pattern string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			b.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if escaped {
		b.WriteString(`\\`)
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
