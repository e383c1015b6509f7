package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/transfer"
)

// Export (GET /export/{kind}?<the list's filter>&format=csv|xlsx): the
// records a list's filters show, as a file to download. The filter is read
// by the list's own parser and turned into the list's own domain query, so
// the file has exactly the records the list pages through, and the same
// user sees the same: a member's tasks export is the member's own, as the
// tasks page is. The file streams as it is made (transfer.Exporter reads a
// page of records at a time), so a million rows take no more memory than
// fifty.
//
// The server's write timeout counts from the request and would cut a long
// download: each page written gets its own write window instead, as the
// inbox's event stream does. An error after the first bytes went out
// cannot become an error page any more; the response is aborted, so that
// the browser reports a failed download rather than keep a truncated file
// as if it were whole.

// exportWriteWindow is how long the writing of one page of an export may
// take.
const exportWriteWindow = 30 * time.Second

// exportRoutes registers the export's route.
func (h *handler) exportRoutes(mux *http.ServeMux) {
	mux.Handle("GET /export/{kind}", h.signedIn(h.export))
}

func (h *handler) export(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	q := r.URL.Query()
	kind, err := transfer.ParseKind(r.PathValue("kind"))
	if err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("export.bad_kind", r.PathValue("kind"))))
		return
	}
	format, err := transfer.ParseFormat(q.Get("format"))
	if err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("export.bad_format", q.Get("format"))))
		return
	}
	req := transfer.Request{Kind: kind, Format: format, Lang: v.Lang}
	switch kind {
	case transfer.Leads:
		f, err := parseLeadFilter(v, q)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		req.Leads = f.inboundQuery(0, 0)
	case transfer.Deals:
		f, err := parseBoardFilter(v, q)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		if f.PipelineID, err = h.exportPipeline(r, v, f); err != nil {
			h.renderError(w, r, v, err)
			return
		}
		req.Deals = f.dealFilter(nil, 0, 0)
	case transfer.Clients:
		req.Clients = crm.ClientQuery{Keyword: strings.TrimSpace(q.Get("q"))}
	case transfer.Customers:
		if req.Customers, err = customerExportQuery(v, q); err != nil {
			h.renderError(w, r, v, err)
			return
		}
	case transfer.Tasks:
		all := false
		switch q.Get("who") {
		case "", "mine":
		case "all":
			all = v.IsAdmin()
		default:
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("tasks.bad_who")))
			return
		}
		open := false
		req.Tasks = crm.TaskQuery{Success: &open}
		if !all {
			req.Tasks.Responsibles = []int64{v.Actor.UserID}
		}
	}

	rc := http.NewResponseController(w)
	// An http.ResponseWriter that cannot take a deadline (a test
	// recorder) has the server's own timeouts only.
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow)) }
	req.Progress = func(int) { extend() }
	extend()
	name := fmt.Sprintf("%s-%s.%s", kind, time.Now().In(v.Actor.Location()).Format(time.DateOnly), format)
	hdr := w.Header()
	hdr.Set("Content-Type", format.ContentType())
	hdr.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	sink := &startedWriter{w: w}
	n, err := transfer.NewExporter(h.svc).Export(ctx, v.Actor, sink, req)
	if err == nil {
		return
	}
	if !sink.started {
		// Nothing went out: the error page, in place of the file.
		for _, k := range []string{"Content-Disposition", "Cache-Control"} {
			hdr.Del(k)
		}
		h.renderError(w, r, v, err)
		return
	}
	if ctx.Err() == nil {
		h.log.ErrorContext(ctx, "web: export failed midway", "kind", kind, "rows", n, "err", err)
	}
	panic(http.ErrAbortHandler)
}

// exportPipeline is the pipeline a deal export covers: the filter's, or,
// on the board (not the table) with none named, the primary one, which
// is the board the page showed.
func (h *handler) exportPipeline(r *http.Request, v *view, f boardFilter) (int64, error) {
	if f.PipelineID != 0 || f.Table {
		return f.PipelineID, nil
	}
	list, err := h.svc.DealPipelines(r.Context(), v.Actor)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	for _, p := range list {
		if p.Primary {
			return p.ID, nil
		}
	}
	return list[0].ID, nil
}

// customerExportQuery reads the customers list's filter: q (the name
// search), status (a status id), segment (a segment id) and responsible
// (a user id).
func customerExportQuery(v *view, q url.Values) (crm.CustomerQuery, error) {
	out := crm.CustomerQuery{Search: strings.TrimSpace(q.Get("q"))}
	for _, p := range []struct {
		key string
		to  *[]int64
	}{{"status", &out.StatusIDs}, {"segment", &out.SegmentIDs}, {"responsible", &out.ResponsibleUserIDs}} {
		s := q.Get(p.key)
		if s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return out, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", p.key))
		}
		*p.to = []int64{id}
	}
	return out, nil
}

// startedWriter notes whether anything was written, which decides whether
// an error can still be an error page.
type startedWriter struct {
	w       http.ResponseWriter
	started bool
}

func (s *startedWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		s.started = true
	}
	return s.w.Write(p)
}

// exportLinks are a list's export links, with its filter: one per format.
type exportLinks struct {
	CSV, XLSX template.URL
}

// newExportLinks makes the links of kind's export with the list's filter
// query (its offset dropped: the export is of the whole list).
func newExportLinks(kind string, q url.Values) exportLinks {
	q.Del("offset")
	link := func(format string) template.URL {
		q.Set("format", format)
		return template.URL("/export/" + kind + "?" + q.Encode())
	}
	return exportLinks{CSV: link("csv"), XLSX: link("xlsx")}
}

// Export is the inbox's export links, with its filter.
func (f leadFilter) Export() exportLinks {
	q, _ := url.ParseQuery(f.Query())
	return newExportLinks("leads", q)
}

// Export is the deal table's export links, with its filter.
func (f boardFilter) Export() exportLinks {
	q, _ := url.ParseQuery(string(f.Query()))
	return newExportLinks("deals", q)
}

// Export is the clients list's export links, with its search.
func (d clientsData) Export() exportLinks {
	q := url.Values{}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	return newExportLinks("clients", q)
}

// Export is the customers list's export links, with its search and its
// status or segment.
func (d customersData) Export() exportLinks {
	q := url.Values{}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	if d.StatusID != 0 {
		q.Set("status", strconv.FormatInt(d.StatusID, 10))
	}
	if d.SegmentID != 0 {
		q.Set("segment", strconv.FormatInt(d.SegmentID, 10))
	}
	return newExportLinks("customers", q)
}

// Export is the tasks list's export links, of whose tasks it shows.
func (d tasksData) Export() exportLinks {
	q := url.Values{}
	if d.All {
		q.Set("who", "all")
	}
	return newExportLinks("tasks", q)
}

var exportMessages = catalog{
	"export.label":      {"Export", "Экспорт"},
	"export.csv":        {"Export CSV", "Экспорт CSV"},
	"export.xlsx":       {"Export XLSX", "Экспорт XLSX"},
	"export.csv_hint":   {"CSV file of what the filters show", "CSV-файл с тем, что показывают фильтры"},
	"export.xlsx_hint":  {"Excel workbook of what the filters show", "Книга Excel с тем, что показывают фильтры"},
	"export.bad_kind":   {"There is no list %q to export: leads, deals, clients, customers and tasks can be exported.", "Списка %q для экспорта нет: экспортировать можно заявки, сделки, клиентов, покупателей и задачи."},
	"export.bad_format": {"Unknown export format %q: choose CSV or XLSX.", "Неизвестный формат экспорта %q: выберите CSV или XLSX."},
}
