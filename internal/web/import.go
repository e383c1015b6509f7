package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/sheet"
	"github.com/crmd/crmd/internal/transfer"
)

// Import (/settings/import, administrators): amoCRM's import flow. An
// upload (a CSV or XLSX file and what its rows become) makes a job; the
// job's page maps the columns (each with a sample value, suggested from
// the header, which a toggle says is there or not), runs a dry run, shows
// its counts and the first rows' outcomes, then imports. Dry run and
// import run in the background in this process; the page polls
// /settings/import/{id}/status (static/import.js) and draws a progress
// bar, and a reload shows where the job is. Refused rows download as CSV.
//
// Jobs live in this process's memory, the uploaded file in a temporary
// file: a restart forgets them (the rows written stay written; the page
// of a forgotten job says so), and a server behind a load balancer must
// send an administrator's import pages to the same process.

// maxImportUpload is the largest file an upload takes: some 500,000 rows
// of a typical client list.
const maxImportUpload = 64 << 20

// importJobTTL is how long a job idle after it ended (or never started)
// is kept, with its file.
const importJobTTL = 6 * time.Hour

// importSamples is how many rows the mapping step reads for samples.
const importSamples = 4

// The states of an import job.
const (
	jobMapping    = "mapping"    // uploaded; columns to map
	jobPreviewing = "previewing" // the dry run is running
	jobPreviewed  = "previewed"  // the dry run's report is shown
	jobRunning    = "running"    // the import is running
	jobDone       = "done"       // the import ended
	jobFailed     = "failed"     // the dry run or the import stopped on an error
)

// importJob is one upload and what was done with it. Its fields change
// under mu: the background run writes, the pages read.
type importJob struct {
	mu        sync.Mutex
	ID        string
	AccountID int64
	UserID    int64
	Kind      crm.ImportKind
	FileName  string
	Path      string
	Size      int64
	Info      sheet.Info
	Header    bool
	Mapping   transfer.Mapping
	State     string
	Done      int
	Total     int
	Report    transfer.Report // the dry run's, then the import's
	Err       string
	Created   time.Time
	Updated   time.Time
}

// importJobs is the process's jobs by id.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
}

// get returns the account's job id.
func (j *importJobs) get(accountID int64, id string) (*importJob, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok || job.AccountID != accountID {
		return nil, false
	}
	return job, true
}

// add keeps a new job and forgets those idle past importJobTTL.
func (j *importJobs) add(job *importJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, old := range j.jobs {
		old.mu.Lock()
		idle := old.State != jobPreviewing && old.State != jobRunning && time.Since(old.Updated) > importJobTTL
		old.mu.Unlock()
		if idle {
			os.Remove(old.Path)
			delete(j.jobs, id)
		}
	}
	j.jobs[job.ID] = job
}

// list returns the account's jobs, newest first.
func (j *importJobs) list(accountID int64) []*importJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*importJob
	for _, job := range j.jobs {
		if job.AccountID == accountID {
			out = append(out, job)
		}
	}
	for i := 1; i < len(out); i++ {
		for k := i; k > 0 && out[k].Created.After(out[k-1].Created); k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	return out
}

// importRoutes registers the import's routes.
func (h *handler) importRoutes(mux *http.ServeMux) {
	jobs := &importJobs{jobs: map[string]*importJob{}}
	admin := func(next func(http.ResponseWriter, *http.Request, *view, *importJobs)) http.Handler {
		return h.signedIn(func(w http.ResponseWriter, r *http.Request, v *view) {
			v.Section, v.Tab, v.Title = "settings", "import", v.T("settings.nav.import")
			if !v.IsAdmin() {
				h.renderError(w, r, v, crm.Errorf(crm.KindForbidden, "%s", v.T("import.admins_only")))
				return
			}
			next(w, r, v, jobs)
		})
	}
	mux.Handle("GET /settings/import", admin(h.importPage))
	mux.Handle("POST /settings/import", admin(h.importUpload))
	mux.Handle("GET /settings/import/{id}", admin(h.importJobPage))
	mux.Handle("POST /settings/import/{id}/preview", admin(h.importPreview))
	mux.Handle("POST /settings/import/{id}/run", admin(h.importRun))
	mux.Handle("POST /settings/import/{id}/remap", admin(h.importRemap))
	mux.Handle("GET /settings/import/{id}/status", admin(h.importStatus))
	mux.Handle("GET /settings/import/{id}/errors.csv", admin(h.importErrors))
}

// importData is the import pages' content.
type importData struct {
	Kinds []crm.ImportKind
	Kind  crm.ImportKind
	Error string
	Jobs  []importJobRow
	Job   *importJobView
	// MaxMB is the upload limit, in megabytes.
	MaxMB int
}

// importJobRow is a line of the recent imports.
type importJobRow struct {
	ID, FileName, State string
	Kind                crm.ImportKind
	Created             time.Time
	New, Dup, Errors    int
}

// importJobView is a job's page.
type importJobView struct {
	ID, FileName, State, Err string
	Kind                     crm.ImportKind
	Info                     sheet.Info
	Header                   bool
	Columns                  []importColumn
	Fields                   []importFieldOption
	Done, Total, Percent     int
	Report                   transfer.Report
	First                    []importOutcomeRow
}

// importColumn is a column of the mapping step.
type importColumn struct {
	Index  int
	Letter string
	Name   string
	Sample string
	Field  transfer.Field
}

// importFieldOption is a choice of the field selects.
type importFieldOption struct {
	Value transfer.Field
	Label string
}

// importOutcomeRow is a line of the preview's first rows.
type importOutcomeRow struct {
	Row     int
	Outcome string
	Class   string
	Summary string
	Message string
}

func (h *handler) importPage(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	h.render(w, r, http.StatusOK, "import", v, h.importListData(v, jobs, crm.ImportClients, ""))
}

func (h *handler) importListData(v *view, jobs *importJobs, kind crm.ImportKind, msg string) importData {
	d := importData{Kinds: crm.ImportKinds, Kind: kind, Error: msg, MaxMB: maxImportUpload >> 20}
	for _, j := range jobs.list(v.Actor.AccountID) {
		j.mu.Lock()
		d.Jobs = append(d.Jobs, importJobRow{ID: j.ID, FileName: j.FileName, State: j.State, Kind: j.Kind, Created: j.Created,
			New: j.Report.New, Dup: j.Report.Duplicates, Errors: j.Report.Errors})
		j.mu.Unlock()
	}
	return d
}

// importUpload takes the file into a temporary file and makes a job.
func (h *handler) importUpload(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	fail := func(status int, kind crm.ImportKind, msg string) {
		h.render(w, r, status, "import", v, h.importListData(v, jobs, kind, msg))
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		fail(http.StatusBadRequest, crm.ImportClients, v.T("import.no_file"))
		return
	}
	kind := crm.ImportClients
	var tmp *os.File
	var name string
	var size int64
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(http.StatusRequestEntityTooLarge, kind, v.T("import.too_large", maxImportUpload>>20))
			return
		}
		if err != nil {
			fail(http.StatusBadRequest, kind, v.T("import.no_file"))
			return
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = crm.ImportKind(strings.TrimSpace(string(b)))
		case "file":
			if tmp != nil {
				continue
			}
			name = part.FileName()
			if tmp, err = os.CreateTemp("", "crmd-import-*"); err != nil {
				h.internalError(w, r, err)
				return
			}
			size, err = io.Copy(tmp, io.LimitReader(part, maxImportUpload+1))
			if errors.As(err, &tooBig) || size > maxImportUpload {
				os.Remove(tmp.Name())
				fail(http.StatusRequestEntityTooLarge, kind, v.T("import.too_large", maxImportUpload>>20))
				return
			}
			if err != nil {
				os.Remove(tmp.Name())
				fail(http.StatusBadRequest, kind, v.T("import.no_file"))
				return
			}
		}
	}
	if !validImportKind(kind) {
		if tmp != nil {
			os.Remove(tmp.Name())
		}
		fail(http.StatusUnprocessableEntity, crm.ImportClients, v.T("import.bad_kind"))
		return
	}
	if tmp == nil || size == 0 {
		if tmp != nil {
			os.Remove(tmp.Name())
		}
		fail(http.StatusUnprocessableEntity, kind, v.T("import.no_file"))
		return
	}
	info, rows, err := transfer.Preview(tmp, size, importSamples)
	if err != nil {
		os.Remove(tmp.Name())
		fail(http.StatusUnprocessableEntity, kind, v.T("import.unreadable", errorMessage(err)))
		return
	}
	im, err := h.svc.NewImporter(r.Context(), v.Actor, kind)
	if err != nil {
		os.Remove(tmp.Name())
		h.renderError(w, r, v, err)
		return
	}
	now := time.Now()
	job := &importJob{ID: newJobID(), AccountID: v.Actor.AccountID, UserID: v.Actor.UserID, Kind: kind, FileName: name,
		Path: tmp.Name(), Size: size, Info: info, Header: true, State: jobMapping, Created: now, Updated: now}
	job.Mapping = transfer.Suggest(kind, rows[0], im.Fields())
	jobs.add(job)
	http.Redirect(w, r, "/settings/import/"+job.ID, http.StatusSeeOther)
}

func validImportKind(k crm.ImportKind) bool {
	for _, x := range crm.ImportKinds {
		if x == k {
			return true
		}
	}
	return false
}

func newJobID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// importJobPage shows a job in its state: the mapping, the dry run's
// report, progress, or the end.
func (h *handler) importJobPage(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	job, ok := jobs.get(v.Actor.AccountID, r.PathValue("id"))
	if !ok {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("import.job_gone")))
		return
	}
	header := r.URL.Query().Get("header")
	jv, err := h.importJobView(r.Context(), v, job, header)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "import", v, importData{Job: jv})
}

// importJobView reads what a job's page shows; header ("0" or "1", ""
// for the job's) is the mapping step's toggle.
func (h *handler) importJobView(ctx context.Context, v *view, job *importJob, header string) (*importJobView, error) {
	job.mu.Lock()
	jv := &importJobView{ID: job.ID, FileName: job.FileName, State: job.State, Err: job.Err, Kind: job.Kind, Info: job.Info,
		Header: job.Header, Done: job.Done, Total: job.Total, Report: job.Report}
	mapping, path, size := job.Mapping, job.Path, job.Size
	job.mu.Unlock()
	if jv.Total > 0 {
		jv.Percent = jv.Done * 100 / jv.Total
	}
	for _, o := range jv.Report.First {
		row := importOutcomeRow{Row: o.Row, Outcome: v.T(importKey("outcome", string(o.Outcome))), Class: string(o.Outcome), Message: o.Message}
		row.Summary = strings.Join(nonEmpty(o.Cells, 4), " · ")
		jv.First = append(jv.First, row)
	}
	if jv.State != jobMapping {
		return jv, nil
	}
	switch header {
	case "0":
		jv.Header = false
	case "1":
		jv.Header = true
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, crm.Errorf(crm.KindNotFound, "%s", v.T("import.job_gone"))
	}
	defer f.Close()
	_, rows, err := transfer.Preview(f, size, importSamples)
	if err != nil {
		return nil, err
	}
	im, err := h.svc.NewImporter(ctx, v.Actor, jv.Kind)
	if err != nil {
		return nil, err
	}
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	for i := range width {
		c := importColumn{Index: i, Letter: transfer.ColumnLetter(i)}
		if i < len(mapping) {
			c.Field = mapping[i]
		}
		first := 0
		if jv.Header {
			if i < len(rows[0]) {
				c.Name = rows[0][i]
			}
			first = 1
		}
		for _, row := range rows[first:] {
			if i < len(row) && strings.TrimSpace(row[i]) != "" {
				c.Sample = row[i]
				break
			}
		}
		jv.Columns = append(jv.Columns, c)
	}
	jv.Fields = append(jv.Fields, importFieldOption{Value: transfer.Skip, Label: v.T("import.field.skip")})
	for _, f := range transfer.FieldsOf(jv.Kind, im.Fields()) {
		label := ""
		if id, ok := f.CustomID(); ok {
			for _, d := range im.Fields() {
				if d.ID == id {
					label = d.Name
				}
			}
		} else {
			label = v.T(importKey("field", string(f)))
		}
		jv.Fields = append(jv.Fields, importFieldOption{Value: f, Label: label})
	}
	return jv, nil
}

// DelimiterName is the catalog name of the CSV delimiter.
func (jv *importJobView) DelimiterName() string {
	switch jv.Info.Delimiter {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

// importRemap goes back from the dry run's report to the mapping.
func (h *handler) importRemap(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	job, ok := jobs.get(v.Actor.AccountID, r.PathValue("id"))
	if !ok {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("import.job_gone")))
		return
	}
	job.mu.Lock()
	if job.State != jobPreviewed {
		job.mu.Unlock()
		h.renderError(w, r, v, crm.Errorf(crm.KindConflict, "%s", v.T("import.already_started")))
		return
	}
	job.State, job.Report, job.Updated = jobMapping, transfer.Report{}, time.Now()
	job.mu.Unlock()
	http.Redirect(w, r, "/settings/import/"+job.ID, http.StatusSeeOther)
}

// importKey is the catalog key of a value of a group ("field",
// "outcome"): the import's catalog has one for each.
func importKey(group, value string) string { return "import." + group + "." + value }

// nonEmpty returns up to n of the non-blank cells.
func nonEmpty(cells []string, n int) []string {
	var out []string
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" && len(out) < n {
			out = append(out, c)
		}
	}
	return out
}

// importFormMapping reads the mapping step's form: col0, col1, … selects.
func importFormMapping(r *http.Request) transfer.Mapping {
	var m transfer.Mapping
	for i := 0; i < 16384; i++ {
		val, ok := r.PostForm["col"+strconv.Itoa(i)]
		if !ok {
			break
		}
		m = append(m, transfer.Field(strings.TrimSpace(val[0])))
	}
	return m
}

// importPreview takes the mapping and starts the dry run.
func (h *handler) importPreview(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	h.importStart(w, r, v, jobs, true)
}

// importRun starts the import the dry run previewed.
func (h *handler) importRun(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	h.importStart(w, r, v, jobs, false)
}

func (h *handler) importStart(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs, dry bool) {
	job, ok := jobs.get(v.Actor.AccountID, r.PathValue("id"))
	if !ok {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("import.job_gone")))
		return
	}
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", err))
		return
	}
	job.mu.Lock()
	state := job.State
	if dry {
		if state != jobMapping && state != jobPreviewed {
			job.mu.Unlock()
			h.renderError(w, r, v, crm.Errorf(crm.KindConflict, "%s", v.T("import.already_started")))
			return
		}
		m := importFormMapping(r)
		header := r.PostForm.Get("header") == "1"
		var names []string
		if header {
			if f, err := os.Open(job.Path); err == nil {
				if _, rows, err := transfer.Preview(f, job.Size, 1); err == nil {
					names = rows[0]
				}
				f.Close()
			}
		}
		if err := m.Check(names); err != nil {
			job.Header, job.Mapping = header, m
			job.mu.Unlock()
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("import.nothing_mapped")))
			return
		}
		job.Header, job.Mapping, job.State = header, m, jobPreviewing
	} else {
		if state != jobPreviewed {
			job.mu.Unlock()
			h.renderError(w, r, v, crm.Errorf(crm.KindConflict, "%s", v.T("import.already_started")))
			return
		}
		job.State = jobRunning
	}
	job.Done, job.Total, job.Err, job.Updated = 0, 0, "", time.Now()
	opt := transfer.ImportOptions{Kind: job.Kind, Header: job.Header, Mapping: job.Mapping, DryRun: dry}
	path, size := job.Path, job.Size
	job.mu.Unlock()
	actor := v.Actor
	// The run outlives the request: it is the server's, not the page's.
	go h.importBackground(job, actor, path, size, opt)
	http.Redirect(w, r, "/settings/import/"+job.ID, http.StatusSeeOther)
}

// importBackground runs a dry run or an import and records its end.
func (h *handler) importBackground(job *importJob, actor crm.Actor, path string, size int64, opt transfer.ImportOptions) {
	opt.Progress = func(done, total int) {
		job.mu.Lock()
		job.Done, job.Total, job.Updated = done, total, time.Now()
		job.mu.Unlock()
	}
	var rep transfer.Report
	f, err := os.Open(path)
	if err == nil {
		rep, err = transfer.Import(context.Background(), h.svc, actor, f, size, opt)
		f.Close()
	}
	job.mu.Lock()
	defer job.mu.Unlock()
	job.Report, job.Updated = rep, time.Now()
	switch {
	case err != nil:
		job.State, job.Err = jobFailed, errorMessage(err)
		if crm.KindOf(err) == "" {
			h.log.Error("web: import failed", "account", actor.AccountID, "job", job.ID, "err", err)
		}
	case opt.DryRun:
		job.State = jobPreviewed
	default:
		job.State = jobDone
	}
	if job.State == jobDone {
		os.Remove(path) // the rows are in; the errors file is in memory
	}
}

// importStatus is the polling script's answer.
func (h *handler) importStatus(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	job, ok := jobs.get(v.Actor.AccountID, r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": v.T("import.job_gone")})
		return
	}
	job.mu.Lock()
	defer job.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"state": job.State, "done": job.Done, "total": job.Total,
		"new": job.Report.New, "duplicates": job.Report.Duplicates, "errors": job.Report.Errors,
		"text": v.T("import.progress", v.Number(job.Done), v.Number(job.Total)),
	})
}

// importErrors downloads the refused rows.
func (h *handler) importErrors(w http.ResponseWriter, r *http.Request, v *view, jobs *importJobs) {
	job, ok := jobs.get(v.Actor.AccountID, r.PathValue("id"))
	if !ok {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("import.job_gone")))
		return
	}
	job.mu.Lock()
	var buf bytes.Buffer
	err := transfer.WriteErrors(&buf, job.Report.Header, job.Report.RowErrors)
	name := strings.TrimSuffix(strings.TrimSuffix(job.FileName, ".csv"), ".xlsx")
	job.mu.Unlock()
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	if name == "" {
		name = "import"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-errors.csv"`, asciiName(name)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// asciiName keeps a file name's safe ASCII letters for a header.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "import"
	}
	return b.String()
}

var importMessages = catalog{
	"import.title":                 {"Import", "Импорт"},
	"import.lead":                  {"Load clients, deals or Envybox leads from a CSV (UTF-8 or Windows-1251, any of , ; or tab) or XLSX file. A row whose phone or email a client already has is merged into that client, as amoCRM's import does; a lead becomes the earlier lead's child, as lead/set records it. Each row is imported whole or not at all.", "Загрузите клиентов, сделки или заявки Envybox из файла CSV (UTF-8 или Windows-1251, разделитель , ; или табуляция) или XLSX. Строка с телефоном или email уже известного клиента объединяется с ним, как при импорте amoCRM; заявка становится дочерней для прежней, как в lead/set. Каждая строка загружается целиком или не загружается совсем."},
	"import.admins_only":           {"Only administrators import data.", "Импортировать данные могут только администраторы."},
	"import.file":                  {"File (CSV or XLSX, up to %d MB)", "Файл (CSV или XLSX, до %d МБ)"},
	"import.kind":                  {"Rows become", "Строки станут"},
	"import.kind.clients":          {"Clients", "Клиентами"},
	"import.kind.deals":            {"Deals (with their clients)", "Сделками (с клиентами)"},
	"import.kind.leads":            {"Leads (Envybox requests)", "Заявками (Envybox)"},
	"import.upload":                {"Upload and map columns", "Загрузить и сопоставить столбцы"},
	"import.recent":                {"Recent imports", "Последние импорты"},
	"import.recent_note":           {"Kept by this server process for 6 hours; a restart forgets them (the rows imported stay).", "Хранятся в процессе сервера 6 часов; после перезапуска пропадают (загруженные строки остаются)."},
	"import.no_file":               {"Choose a CSV or XLSX file to upload.", "Выберите файл CSV или XLSX."},
	"import.too_large":             {"The file is larger than %d MB. Split it into parts, or import it with crmd import on the server.", "Файл больше %d МБ. Разделите его на части или загрузите командой crmd import на сервере."},
	"import.bad_kind":              {"Choose what the rows become: clients, deals or leads.", "Выберите, чем станут строки: клиентами, сделками или заявками."},
	"import.unreadable":            {"The file cannot be read as CSV or XLSX. %s", "Файл не читается как CSV или XLSX. %s"},
	"import.job_gone":              {"This import is not known to the server: it expired or the server restarted. Rows already imported stay; upload the file again to continue.", "Сервер не знает этот импорт: он устарел или сервер перезапускался. Уже загруженные строки остались; загрузите файл снова, чтобы продолжить."},
	"import.already_started":       {"This import has already started.", "Этот импорт уже запущен."},
	"import.nothing_mapped":        {"Map at least one column to a field, and each field to one column only.", "Сопоставьте хотя бы один столбец с полем, и каждое поле — только с одним столбцом."},
	"import.step.mapping":          {"1. Map the columns", "1. Сопоставьте столбцы"},
	"import.step.preview":          {"2. Check the dry run", "2. Проверьте пробный прогон"},
	"import.step.run":              {"3. Import", "3. Импорт"},
	"import.read_as":               {"Read as", "Прочитан как"},
	"import.header":                {"The first row holds column names", "В первой строке — названия столбцов"},
	"import.header_apply":          {"Re-read", "Перечитать"},
	"import.column":                {"Column", "Столбец"},
	"import.sample":                {"Sample", "Пример"},
	"import.field":                 {"Field", "Поле"},
	"import.dry_run":               {"Dry run", "Пробный прогон"},
	"import.dry_run_hint":          {"The dry run writes nothing: it counts what the import would do.", "Пробный прогон ничего не записывает: он считает, что сделает импорт."},
	"import.remap":                 {"Change the mapping", "Изменить сопоставление"},
	"import.start":                 {"Import %s rows", "Импортировать строк: %s"},
	"import.would":                 {"The dry run of %s rows:", "Пробный прогон, строк: %s"},
	"import.result":                {"The import of %s rows:", "Импорт завершён, обработано строк: %s"},
	"import.new":                   {"new", "новых"},
	"import.duplicates":            {"duplicates merged", "дубликатов объединено"},
	"import.errors":                {"errors", "ошибок"},
	"import.first_rows":            {"The first rows", "Первые строки"},
	"import.row":                   {"Row", "Строка"},
	"import.outcome":               {"Outcome", "Итог"},
	"import.outcome.new":           {"new", "новая"},
	"import.outcome.duplicate":     {"duplicate", "дубликат"},
	"import.outcome.error":         {"error", "ошибка"},
	"import.download_errors":       {"Download the rows with errors (CSV)", "Скачать строки с ошибками (CSV)"},
	"import.progress":              {"%s of %s rows", "%s из %s строк"},
	"import.previewing":            {"Dry run in progress…", "Идёт пробный прогон…"},
	"import.running":               {"Importing…", "Идёт импорт…"},
	"import.failed":                {"The import stopped: %s", "Импорт остановлен: %s"},
	"import.stopped_after":         {"Rows done before it stopped: %s of %s. They stay imported.", "До остановки обработано строк: %s из %s. Они остаются загруженными."},
	"import.again":                 {"Import another file", "Импортировать другой файл"},
	"import.state.mapping":         {"mapping", "сопоставление"},
	"import.state.previewing":      {"dry run", "пробный прогон"},
	"import.state.previewed":       {"previewed", "проверен"},
	"import.state.running":         {"importing", "идёт импорт"},
	"import.state.done":            {"done", "завершён"},
	"import.state.failed":          {"stopped", "остановлен"},
	"import.field.skip":            {"— skip —", "— не загружать —"},
	"import.field.name":            {"Name", "Имя"},
	"import.field.phone":           {"Phone", "Телефон"},
	"import.field.email":           {"Email", "Email"},
	"import.field.company":         {"Company", "Компания"},
	"import.field.comment":         {"Comment", "Комментарий"},
	"import.field.deal_name":       {"Deal name", "Название сделки"},
	"import.field.price":           {"Budget", "Бюджет"},
	"import.field.pipeline":        {"Pipeline", "Воронка"},
	"import.field.stage":           {"Stage", "Этап"},
	"import.field.responsible":     {"Responsible (name or email)", "Ответственный (имя или email)"},
	"import.encoding.utf-8":        {"UTF-8", "UTF-8"},
	"import.encoding.utf-8-bom":    {"UTF-8 with BOM", "UTF-8 с BOM"},
	"import.encoding.windows-1251": {"Windows-1251", "Windows-1251"},
	"import.delimiter.comma":       {"comma", "запятая"},
	"import.delimiter.semicolon":   {"semicolon", "точка с запятой"},
	"import.delimiter.tab":         {"tab", "табуляция"},
}
