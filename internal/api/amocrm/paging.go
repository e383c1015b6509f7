package amocrm

import (
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

// pageLinks are the links of a paginated list.
type pageLinks struct {
	Self  link  `json:"self"`
	Next  *link `json:"next,omitempty"`
	Prev  *link `json:"prev,omitempty"`
	First *link `json:"first,omitempty"`
	Last  *link `json:"last,omitempty"`
}

// pagedCollection is amoCRM's paginated HAL collection.
type pagedCollection struct {
	TotalItems int            `json:"_total_items"`
	Page       int            `json:"_page"`
	PageCount  int            `json:"_page_count"`
	Links      pageLinks      `json:"_links"`
	Embedded   map[string]any `json:"_embedded"`
}

// readPage parses page and limit; bad values are validation errors. Zero
// means "not given" and the domain applies its defaults.
func readPage(r *http.Request) (crm.Page, error) {
	var errs []crm.Violation
	read := func(key string) int {
		s := r.URL.Query().Get(key)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			addType(&errs, 0, key, "int")
			return 0
		}
		if n == 0 {
			errs = append(errs, crm.Violation{Path: key, Code: crm.ViolationRange, Detail: "This value should be 1 or more."})
		}
		return n
	}
	p := crm.Page{Number: read("page"), Limit: read("limit")}
	return p, violationsErr(errs)
}

// pageURL is the absolute URL of another page of the same list: page and
// limit first, as in amoCRM's examples, then the request's other parameters.
func pageURL(r *http.Request, page, limit int) *link {
	q := r.URL.Query()
	q.Del("page")
	q.Del("limit")
	href := baseURL(r) + r.URL.Path + "?page=" + strconv.Itoa(page) + "&limit=" + strconv.Itoa(limit)
	if rest := q.Encode(); rest != "" {
		href += "&" + rest
	}
	return &link{Href: href}
}

// paged builds the envelope of page p of total items; withLast adds the
// first/last links that the custom fields list carries.
func paged(r *http.Request, p crm.Page, total int, key string, items any, withLast bool) pagedCollection {
	count := p.PageCount(total)
	links := pageLinks{Self: *pageURL(r, p.Number, p.Limit)}
	if p.Number < count {
		links.Next = pageURL(r, p.Number+1, p.Limit)
	}
	if p.Number > 1 {
		links.Prev = pageURL(r, min(p.Number-1, count), p.Limit)
		if withLast {
			links.First = pageURL(r, 1, p.Limit)
		}
	}
	if withLast {
		links.Last = pageURL(r, count, p.Limit)
	}
	return pagedCollection{TotalItems: total, Page: p.Number, PageCount: count, Links: links, Embedded: map[string]any{key: items}}
}
