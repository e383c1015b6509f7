package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/bench/load"
	"github.com/crmd/crmd/internal/crm"
)

// Kind says which baseline a scenario is measured against.
type Kind string

// The baselines.
const (
	// AgainstRead: the minimal handler returning a fixed deal-sized JSON,
	// the bare GET.
	AgainstRead Kind = "read"
	// AgainstWrite: the minimal handler decoding a lead and inserting a row.
	AgainstWrite Kind = "write"
	// AgainstPost: the bare POST, a handler reading the body and answering
	// a fixed one, without decoding or a database.
	AgainstPost Kind = "post"
)

// Bare is the bare net/http handler a scenario measured against k is also
// divided by: the bare GET (the read baseline itself) for reads, lists and
// pages, the bare POST for writes. Those ratios compare with any other
// server measured against bare handlers on the same machine, whatever its
// own baselines.
func (k Kind) Bare() Kind {
	if k == AgainstWrite {
		return AgainstPost
	}
	return AgainstRead
}

// Scenario is one named workload and the baseline its figures are divided by.
type Scenario struct {
	load.Scenario
	Group    string // intake, reads, lists, uis, pages, writes, bulk, mixed
	Baseline Kind
	// Records is how many records one request writes (a batch of 250
	// leads: 250), so that the report shows records per second beside
	// requests; 0 means one.
	Records int
}

// requests builds the requests of the scenarios from a seeded dataset.
type requests struct {
	ds      *Dataset
	amo     http.Header // amoCRM bearer token of the main account
	amoSegs http.Header // … of the segments account
	envybox string      // "?api_key=…"
	web     http.Header // the web workspace's session cookie
	board   string      // "pipeline=…": the board scenarios' pipeline
	tz      *time.Location
	// open are the deal stages a deal is worked on in (new and in work,
	// not won or lost), in pipeline order: the stages the filtered lists
	// show and the status changes move deals to.
	open []crm.Stage
}

func newRequests(ds *Dataset, session string) *requests {
	bearer := func(token string) http.Header {
		return http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	}
	tz, err := time.LoadLocation(ds.TimeZone)
	if err != nil {
		tz = time.UTC
	}
	q := &requests{ds: ds, amo: bearer(ds.Creds.AmoCRMToken), amoSegs: bearer(ds.Segments.Creds.AmoCRMToken),
		envybox: "?api_key=" + ds.Creds.EnvyboxAPIKey, tz: tz,
		web:   http.Header{"Cookie": {sessionCookie + "=" + session}, "Accept": {"text/html"}},
		board: "pipeline=" + strconv.FormatInt(ds.BoardPipeline, 10)}
	for _, st := range ds.Stages {
		if st.Status == crm.StageNew || st.Status == crm.StageInWork {
			q.open = append(q.open, st)
		}
	}
	return q
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// envyboxCall is an Envybox POST of {"request": request}.
func (q *requests) envyboxCall(method string, request any) load.Request {
	body, err := json.Marshal(map[string]any{"request": request})
	if err != nil {
		panic(err) // only maps of strings and numbers get here
	}
	return load.Request{Method: http.MethodPost, Path: "/openapi/v1/" + method + "/" + q.envybox, Body: body, Header: jsonHeader}
}

func (q *requests) amoGet(path string) load.Request {
	return load.Request{Method: http.MethodGet, Path: path, Header: q.amo}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// month picks a random 30-day window within the deals' creation span, as
// the two dates of an Envybox filter in the account's time zone.
func (q *requests) month(r *rand.Rand) (string, string) {
	span := q.ds.LastDeal.Sub(q.ds.FirstDeal) - 30*24*time.Hour
	start := q.ds.FirstDeal
	if span > 0 {
		start = start.Add(time.Duration(r.Int64N(int64(span))))
	}
	return start.In(q.tz).Format(time.DateOnly), start.Add(29 * 24 * time.Hour).In(q.tz).Format(time.DateOnly)
}

// Lead intake: 90% new contacts, 10% a phone the account already has, which
// the de-duplication must find. New phones are unique per worker and
// request so that they really are new.
func (q *requests) leadSet(r *rand.Rand, worker int, seq *int) load.Request {
	*seq++
	var phone string
	if r.IntN(10) == 0 && len(q.ds.ClientIDs) > 0 {
		phone = phoneOf(r.IntN(len(q.ds.ClientIDs)))
	} else {
		phone = fmt.Sprintf("7%03d%07d", 100+worker, *seq)
	}
	return q.envyboxCall("lead/set", map[string]any{"method": "create", "values": map[string]any{
		"name": pick(r, firstNames) + " " + pick(r, surnames), "phone": phone, "email": "",
		"comment": "Заявка с сайта: перезвонить после обеда", "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "winter",
	}})
}

func (q *requests) statusByID(r *rand.Rand) load.Request {
	return q.amoGet("/api/v4/customers/statuses/" + strconv.FormatInt(pick(r, q.ds.StatusIDs), 10))
}

func (q *requests) customerByID(r *rand.Rand) load.Request {
	return q.amoGet("/api/v4/customers/" + strconv.FormatInt(pick(r, q.ds.CustomerIDs), 10))
}

func (q *requests) dealGet(r *rand.Rand) load.Request {
	return q.envyboxCall("deal/get", map[string]any{"deal_id": pick(r, q.ds.DealIDs)})
}

func (q *requests) dealKeywordDate(r *rand.Rand) load.Request {
	from, to := q.month(r)
	return q.envyboxCall("deal/list", map[string]any{"keyword": pick(r, q.ds.Surnames), "date_type": "created",
		"date_start": from, "date_end": to, "limit": 50, "offset": 0})
}

func (q *requests) dealFieldSearch(r *rand.Rand) load.Request {
	from, to := q.month(r)
	field := strconv.FormatInt(q.ds.SourceField, 10)
	return q.envyboxCall("deal/list", map[string]any{"filter": map[string]any{
		"inputs":      map[string]any{"3": map[string]any{"custom": map[string]any{field: []string{strconv.FormatInt(pick(r, q.ds.SourceEnums), 10)}}}},
		"dateFilters": []any{map[string]any{"dateType": "period", "dateSelectType": "created", "dates": map[string]any{"start": from, "end": to}}},
	}})
}

func (q *requests) v2CustomersByDate(r *rand.Rand) load.Request {
	from, to := q.month(r)
	v2 := func(s string) string { t, _ := time.Parse(time.DateOnly, s); return t.Format("02.01.2006") }
	return q.amoGet("/api/v2/customers?filter[date][type]=create&filter[date][from]=" + v2(from) + "&filter[date][to]=" + v2(to) + "&limit_rows=50")
}

func (q *requests) v4Segments(*rand.Rand) load.Request {
	return load.Request{Method: http.MethodGet, Path: "/api/v4/customers/segments?page=1&limit=50", Header: q.amoSegs}
}

// v4CustomersPage reads one of the first hundred pages of 50.
func (q *requests) v4CustomersPage(r *rand.Rand) load.Request {
	pages := max(1, min(100, len(q.ds.CustomerIDs)/50))
	return q.amoGet(fmt.Sprintf("/api/v4/customers?page=%d&limit=50", 1+r.IntN(pages)))
}

// v4LeadsPage reads one of the first hundred pages of 250 leads with their
// contacts: the page an integration syncing every lead reads.
func (q *requests) v4LeadsPage(r *rand.Rand) load.Request {
	pages := max(1, min(100, len(q.ds.DealIDs)/250))
	return q.amoGet(fmt.Sprintf("/api/v4/leads?page=%d&limit=250&with=contacts", 1+r.IntN(pages)))
}

func (q *requests) v4LeadByID(r *rand.Rand) load.Request {
	return q.amoGet("/api/v4/leads/" + strconv.FormatInt(pick(r, q.ds.DealIDs), 10))
}

func (q *requests) salesFunnel(r *rand.Rand) load.Request {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"get.sales_funnel","params":{"access_token":%q}}`, r.IntN(1_000_000), q.ds.Creds.UISAccessToken)
	return load.Request{Method: http.MethodPost, Path: "/v2.0", Body: []byte(body), Header: jsonHeader}
}

// dealStage moves a random deal to another stage of its own pipeline.
func (q *requests) dealStage(r *rand.Rand) load.Request {
	i := r.IntN(len(q.ds.DealIDs))
	pipeline := q.ds.Stages[i%len(q.ds.Stages)].PipelineID
	var stages []int64
	for _, st := range q.ds.Stages {
		if st.PipelineID == pipeline {
			stages = append(stages, st.ID)
		}
	}
	return q.envyboxCall("deal/updateDealStage", map[string]any{"deal_id": q.ds.DealIDs[i], "stage_id": pick(r, stages)})
}

func (q *requests) customerRename(r *rand.Rand) load.Request {
	id := pick(r, q.ds.CustomerIDs)
	return load.Request{Method: http.MethodPatch, Path: "/api/v4/customers/" + strconv.FormatInt(id, 10),
		Body: fmt.Appendf(nil, `{"name": "Покупатель %d (изменён)", "next_price": %d}`, id, 1000+r.IntN(9000)), Header: q.amo}
}

func (q *requests) dealCreate(r *rand.Rand) load.Request {
	return q.envyboxCall("deal/create", map[string]any{"name": pick(r, products) + " (новая)",
		"client_id": pick(r, q.ds.ClientIDs), "pipeline_id": q.ds.Stages[0].PipelineID})
}

func (q *requests) customerCreate(r *rand.Rand) load.Request {
	next := time.Now().Add(time.Duration(1+r.IntN(60)) * 24 * time.Hour).Unix()
	return load.Request{Method: http.MethodPost, Path: "/api/v4/customers",
		Body: fmt.Appendf(nil, `[{"name": "Новый покупатель %d", "next_price": 5000, "next_date": %d}]`, r.IntN(1_000_000), next), Header: q.amo}
}

// The web workspace's pages, as a signed-in browser asks for them.

func (q *requests) webGet(path string) load.Request {
	return load.Request{Method: http.MethodGet, Path: path, Header: q.web}
}

// webBoard is the deal board of the pipeline holding the most deals: a
// column per stage, each with its count and sum and its first 50 cards.
func (q *requests) webBoard(*rand.Rand) load.Request { return q.webGet("/deals?" + q.board) }

// webBoardResponsible is the same board showing one user's deals.
func (q *requests) webBoardResponsible(r *rand.Rand) load.Request {
	return q.webGet("/deals?" + q.board + "&responsible=" + strconv.FormatInt(pick(r, q.ds.UserIDs), 10))
}

// webTable is the first page of the table view of that pipeline.
func (q *requests) webTable(*rand.Rand) load.Request {
	return q.webGet("/deals?view=table&" + q.board)
}

func (q *requests) webDealCard(r *rand.Rand) load.Request {
	return q.webGet("/deals/" + strconv.FormatInt(pick(r, q.ds.DealIDs), 10))
}

func (q *requests) webInbox(*rand.Rand) load.Request { return q.webGet("/leads") }

// webReports is the reports dashboard of the pipeline holding the most
// deals, over its default window (the last 30 days, and 12 months of won
// and lost deals).
func (q *requests) webReports(*rand.Rand) load.Request { return q.webGet("/reports?" + q.board) }

// The lists with their totals (issue 18): one stage of one pipeline and a
// creation window, shaped to match listShare of the deals, through each
// dialect and the web workspace.

// listShare is the share of all deals one stage and listWindow's window
// match: 10%, 10,000 of 100,000 deals, the shape of the list with total
// other servers are compared on.
const listShare = 0.10

// listWindow picks a creation window holding listShare of the deals once a
// stage is chosen. The seed deals round-robin over every deal stage and
// evenly over its span (seed.go), so one stage holds 1/len(Stages) of the
// deals at any time and a window of listShare·len(Stages) of the span
// (90% with the seed's nine stages) holds listShare of them. Its start is
// random within the rest of the span, so that requests differ.
func (q *requests) listWindow(r *rand.Rand) (from, to time.Time) {
	span := q.ds.LastDeal.Sub(q.ds.FirstDeal)
	frac := min(1, listShare*float64(len(q.ds.Stages)))
	length := time.Duration(frac * float64(span))
	from = q.ds.FirstDeal
	if slack := span - length; slack > 0 {
		from = from.Add(time.Duration(r.Int64N(int64(slack))))
	}
	return from, from.Add(length)
}

// days writes a window as the two dates of a filter in the account's zone.
func (q *requests) days(from, to time.Time) (string, string) {
	return from.In(q.tz).Format(time.DateOnly), to.In(q.tz).Format(time.DateOnly)
}

// listFilter is one request's stage (of q.open: a lead's amoCRM status_id
// is then the stage's own id, not 142 or 143), responsible user and
// window.
func (q *requests) listFilter(r *rand.Rand) (crm.Stage, int64, time.Time, time.Time) {
	from, to := q.listWindow(r)
	return pick(r, q.open), pick(r, q.ds.UserIDs), from, to
}

// dealListStageWindow is Envybox deal/list of one stage and a creation
// window, a page of 50 with its total ("count"): about listShare of the
// deals match.
func (q *requests) dealListStageWindow(r *rand.Rand) load.Request {
	st, _, from, to := q.listFilter(r)
	start, end := q.days(from, to)
	return q.envyboxCall("deal/list", map[string]any{"stage_id": st.ID, "date_type": "created",
		"date_start": start, "date_end": end, "limit": 50, "offset": 0})
}

// v4LeadsFiltered is the same list narrowed to one responsible user
// through amoCRM's GET /api/v4/leads: pipeline, status (the stage), the
// responsible user and created_at, a page of 50. amoCRM's list has no
// total to send.
func (q *requests) v4LeadsFiltered(r *rand.Rand) load.Request {
	st, user, from, to := q.listFilter(r)
	p, u := strconv.FormatInt(st.PipelineID, 10), strconv.FormatInt(user, 10)
	return q.amoGet("/api/v4/leads?filter[pipeline_id]=" + p + "&filter[statuses][0][pipeline_id]=" + p +
		"&filter[statuses][0][status_id]=" + strconv.FormatInt(st.ID, 10) + "&filter[responsible_user_id]=" + u +
		"&filter[created_at][from]=" + strconv.FormatInt(from.Unix(), 10) + "&filter[created_at][to]=" + strconv.FormatInt(to.Unix(), 10) +
		"&limit=50")
}

// webTableFiltered is the web deal table of one pipeline filtered by
// responsible user and creation window: the first 50 rows and the total.
// The table has no stage filter (its stages are columns of the board), so
// it matches the pipeline's share of the stage-less list.
func (q *requests) webTableFiltered(r *rand.Rand) load.Request {
	st, user, from, to := q.listFilter(r)
	start, end := q.days(from, to)
	return q.webGet(fmt.Sprintf("/deals?view=table&pipeline=%d&responsible=%d&from=%s&to=%s", st.PipelineID, user, start, end))
}

// webColumnFiltered is one board column, a stage of a pipeline filtered by
// responsible user and creation window: its first 50 cards and how many
// remain ("show more" of a filtered board).
func (q *requests) webColumnFiltered(r *rand.Rand) load.Request {
	st, user, from, to := q.listFilter(r)
	start, end := q.days(from, to)
	return q.webGet(fmt.Sprintf("/deals/column?pipeline=%d&stage=%d&responsible=%d&from=%s&to=%s", st.PipelineID, st.ID, user, start, end))
}

// The amoCRM writes.

// v4Lead is one lead of an amoCRM POST body: a name, a price, an open
// stage of its pipeline and a responsible user, as an integration sends.
func (q *requests) v4Lead(b *bytes.Buffer, r *rand.Rand) {
	st := pick(r, q.open)
	fmt.Fprintf(b, `{"name":%q,"price":%d,"pipeline_id":%d,"status_id":%d,"responsible_user_id":%d}`,
		pick(r, products)+" (API)", 1000*(1+r.IntN(50)), st.PipelineID, st.ID, pick(r, q.ds.UserIDs))
}

// v4LeadsAdd is POST /api/v4/leads with n leads.
func (q *requests) v4LeadsAdd(r *rand.Rand, n int) load.Request {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		q.v4Lead(&b, r)
	}
	b.WriteByte(']')
	return load.Request{Method: http.MethodPost, Path: "/api/v4/leads", Body: b.Bytes(), Header: q.amo}
}

// v4ComplexAdd is POST /api/v4/leads/complex with n leads, each with a new
// contact with a phone of its own: worker's seq-th request's.
func (q *requests) v4ComplexAdd(r *rand.Rand, worker, seq, n int) load.Request {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		q.v4Lead(&b, r)
		b.Truncate(b.Len() - 1) // reopen the lead for its contact
		fmt.Fprintf(&b, `,"_embedded":{"contacts":[{"first_name":%q,"last_name":%q,"custom_fields_values":[{"field_code":"PHONE","values":[{"enum_code":"WORK","value":"+7%03d%07d"}]}]}]}}`,
			pick(r, firstNames), pick(r, surnames), 600+worker, seq*n+i)
	}
	b.WriteByte(']')
	return load.Request{Method: http.MethodPost, Path: "/api/v4/leads/complex", Body: b.Bytes(), Header: q.amo}
}

// v4NoteAdd is a comment on a random deal: POST /api/v4/leads/notes.
func (q *requests) v4NoteAdd(r *rand.Rand) load.Request {
	return load.Request{Method: http.MethodPost, Path: "/api/v4/leads/notes", Header: q.amo,
		Body: fmt.Appendf(nil, `[{"entity_id":%d,"note_type":"common","params":{"text":"Клиент просил перезвонить после обеда"}}]`, pick(r, q.ds.DealIDs))}
}

// v4TaskAdd is one task on a random deal, due within a month: POST
// /api/v4/tasks.
func (q *requests) v4TaskAdd(r *rand.Rand) load.Request {
	due := time.Now().Add(time.Duration(1+r.IntN(30*24)) * time.Hour).Unix()
	return load.Request{Method: http.MethodPost, Path: "/api/v4/tasks", Header: q.amo,
		Body: fmt.Appendf(nil, `[{"text":"Перезвонить клиенту","complete_till":%d,"entity_id":%d,"entity_type":"leads","task_type_id":1,"responsible_user_id":%d}]`,
			due, pick(r, q.ds.DealIDs), pick(r, q.ds.UserIDs))}
}

// v4LeadStatus moves a random deal to an open stage of its own pipeline
// through amoCRM: PATCH /api/v4/leads/{id} with status_id.
func (q *requests) v4LeadStatus(r *rand.Rand) load.Request {
	i := r.IntN(len(q.ds.DealIDs))
	pipeline := q.ds.Stages[i%len(q.ds.Stages)].PipelineID // as the seed placed deal i
	var stages []crm.Stage
	for _, st := range q.open {
		if st.PipelineID == pipeline {
			stages = append(stages, st)
		}
	}
	st := pick(r, stages)
	return load.Request{Method: http.MethodPatch, Path: "/api/v4/leads/" + strconv.FormatInt(q.ds.DealIDs[i], 10), Header: q.amo,
		Body: fmt.Appendf(nil, `{"pipeline_id":%d,"status_id":%d}`, st.PipelineID, st.ID)}
}

// mixed is 70% reads, 20% updates and 10% creates across the dialects.
func (q *requests) mixed(r *rand.Rand) load.Request {
	switch n := r.IntN(100); {
	case n < 25:
		return q.dealGet(r)
	case n < 50:
		return q.customerByID(r)
	case n < 60:
		return q.statusByID(r)
	case n < 70:
		return q.dealKeywordDate(r)
	case n < 80:
		return q.dealStage(r)
	case n < 90:
		return q.customerRename(r)
	case n < 95:
		return q.dealCreate(r)
	default:
		return q.customerCreate(r)
	}
}

// maxV4Batch is the most records one amoCRM v4 batch write takes.
const maxV4Batch = 250

// envyboxOK accepts an Envybox reply: HTTP 200 and status_code 200 in the
// envelope (Envybox reports some failures inside a 200).
func envyboxOK(status int, body []byte) error {
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"status_code":200`)) {
		return fmt.Errorf("HTTP %d: %.200s", status, body)
	}
	return nil
}

// uisOK accepts a JSON-RPC reply with a result (errors come with HTTP 200).
func uisOK(status int, body []byte) error {
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"result"`)) {
		return fmt.Errorf("HTTP %d: %.200s", status, body)
	}
	return nil
}

// amoListOK accepts a page of amoCRM leads: HTTP 200 with the list (an
// empty one would be a 204: every filtered list here has matches).
func amoListOK(status int, body []byte) error {
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"_embedded":{"leads":[`)) {
		return fmt.Errorf("HTTP %d: %.200s", status, body)
	}
	return nil
}

// amoBatchOK accepts an amoCRM batch answer: HTTP 200 and n created items
// of key, each with its request_id.
func amoBatchOK(key string, n int) func(int, []byte) error {
	marker := []byte(`"_embedded":{"` + key + `":[`)
	return func(status int, body []byte) error {
		if status != http.StatusOK || !bytes.Contains(body, marker) || bytes.Count(body, []byte(`"request_id":`)) != n {
			return fmt.Errorf("HTTP %d, want %d %s: %.200s", status, n, key, body)
		}
		return nil
	}
}

// amoComplexOK accepts POST /api/v4/leads/complex's answer: HTTP 200 and
// n results, each with its lead and its new contact.
func amoComplexOK(n int) func(int, []byte) error {
	return func(status int, body []byte) error {
		if status != http.StatusOK || bytes.Count(body, []byte(`"merged":false`)) != n || bytes.Contains(body, []byte(`"contact_id":null`)) {
			return fmt.Errorf("HTTP %d, want %d leads with contacts: %.200s", status, n, body)
		}
		return nil
	}
}

// amoPatchOK accepts PATCH /api/v4/leads/{id}'s answer: the lead's id and
// new updated_at.
func amoPatchOK(status int, body []byte) error {
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"updated_at":`)) {
		return fmt.Errorf("HTTP %d: %.200s", status, body)
	}
	return nil
}

// mixedOK accepts any dialect's success.
func mixedOK(status int, body []byte) error {
	if status < 200 || status > 299 || bytes.Contains(body, []byte(`"status_code":4`)) || bytes.Contains(body, []byte(`"status_code":5`)) {
		return fmt.Errorf("HTTP %d: %.200s", status, body)
	}
	return nil
}

// pageOK accepts a workspace page: HTTP 200 (a lost session would be a
// redirect to the sign-in page) with marker, a mark of the page's own
// markup, in its body.
func pageOK(marker string) func(int, []byte) error {
	return func(status int, body []byte) error {
		if status != http.StatusOK || !bytes.Contains(body, []byte(marker)) {
			return fmt.Errorf("HTTP %d without %s: %.200s", status, marker, body)
		}
		return nil
	}
}

// Scenarios lists every workload in the order they run: reads and lists
// first, writes last, so every read sees the seeded data as seeded.
// session is a web workspace session token of the dataset's administrator
// (SignIn), which the page scenarios send as their cookie.
func Scenarios(ds *Dataset, session string, clients int, d time.Duration) []Scenario {
	q := newRequests(ds, session)
	sc := func(group, name string, base Kind, next func(r *rand.Rand) load.Request, check func(int, []byte) error) Scenario {
		return Scenario{Group: group, Baseline: base, Scenario: load.Scenario{Name: name, Concurrency: clients, Duration: d,
			Next: func(r *rand.Rand, _ int) load.Request { return next(r) }, Check: check}}
	}
	intake := sc("intake", "envybox lead/set (90% new, 10% repeat)", AgainstWrite, nil, envyboxOK)
	seqs := make([]int, clients)
	intake.Next = func(r *rand.Rand, worker int) load.Request { return q.leadSet(r, worker, &seqs[worker]) }
	batch := func(name string, n int, next func(r *rand.Rand, n int) load.Request, check func(int, []byte) error) Scenario {
		s := sc("bulk", name, AgainstWrite, func(r *rand.Rand) load.Request { return next(r, n) }, check)
		s.Records = n
		return s
	}
	complexSeqs := make([]int, clients)
	// A complex request takes at most crm.MaxComplexLeads (amoCRM's 50).
	complex := sc("bulk", fmt.Sprintf("bulk create: amocrm v4 leads/complex (%d lead+contact per request)", crm.MaxComplexLeads),
		AgainstWrite, nil, amoComplexOK(crm.MaxComplexLeads))
	complex.Records = crm.MaxComplexLeads
	complex.Next = func(r *rand.Rand, worker int) load.Request {
		complexSeqs[worker]++
		return q.v4ComplexAdd(r, worker, complexSeqs[worker], crm.MaxComplexLeads)
	}
	return []Scenario{
		sc("reads", "amocrm customer status by id", AgainstRead, q.statusByID, nil),
		sc("reads", "amocrm customer by id", AgainstRead, q.customerByID, nil),
		sc("reads", "envybox deal/get", AgainstRead, q.dealGet, envyboxOK),
		sc("lists", "envybox deal/list keyword+month", AgainstRead, q.dealKeywordDate, envyboxOK),
		sc("lists", "envybox deal/list field filter+month", AgainstRead, q.dealFieldSearch, envyboxOK),
		sc("lists", "amocrm v2 customers by date", AgainstRead, q.v2CustomersByDate, nil),
		sc("lists", "amocrm v4 segments page", AgainstRead, q.v4Segments, nil),
		sc("lists", "amocrm v4 customers page", AgainstRead, q.v4CustomersPage, nil),
		sc("reads", "amocrm v4 lead by id", AgainstRead, q.v4LeadByID, nil),
		sc("lists", "amocrm v4 leads page (limit=250, with=contacts)", AgainstRead, q.v4LeadsPage, nil),
		// One stage and a creation window, 10% of the deals, a page of 50
		// with its total; then the same narrowed to one responsible user
		// through amoCRM and the web workspace ("list with total" and
		// "list filtered" select them).
		sc("lists", "list with total: envybox deal/list stage+window", AgainstRead, q.dealListStageWindow, envyboxOK),
		sc("lists", "list filtered: amocrm v4 leads pipeline+stage+responsible+window", AgainstRead, q.v4LeadsFiltered, amoListOK),
		sc("pages", "list with total: web deal table pipeline+responsible+window", AgainstRead, q.webTableFiltered, pageOK(`<p class="total">`)),
		sc("pages", "list with total: web board column stage+responsible+window", AgainstRead, q.webColumnFiltered, pageOK(`class="card"`)),
		sc("uis", "uis get.sales_funnel", AgainstRead, q.salesFunnel, uisOK),
		// The web workspace's pages (all named "web …", so --only web
		// selects them), measured against the read baseline like the API's
		// reads: a page is one read of a signed-in user.
		sc("pages", "web deal board (largest pipeline)", AgainstRead, q.webBoard, pageOK(`class="board"`)),
		sc("pages", "web deal board filtered (responsible)", AgainstRead, q.webBoardResponsible, pageOK(`class="board"`)),
		sc("pages", "web deal table page", AgainstRead, q.webTable, pageOK(`<table class="list">`)),
		sc("pages", "web deal card", AgainstRead, q.webDealCard, pageOK(`class="page medium deal-card"`)),
		sc("pages", "web lead inbox", AgainstRead, q.webInbox, pageOK(`class="list leads"`)),
		sc("pages", "web/reports", AgainstRead, q.webReports, pageOK(`id="chart-funnel"`)),
		intake,
		// Plain writes, one record per request: what the shared write path
		// (internal/store's writer) is for ("plain create" selects the
		// creates, "write:" the other writes).
		sc("writes", "plain create: envybox deal/create", AgainstWrite, q.dealCreate, envyboxOK),
		sc("writes", "plain create: amocrm v4 leads (1 per request)", AgainstWrite, func(r *rand.Rand) load.Request { return q.v4LeadsAdd(r, 1) },
			amoBatchOK("leads", 1)),
		sc("writes", "write: envybox deal/updateDealStage", AgainstWrite, q.dealStage, envyboxOK),
		sc("writes", "write: amocrm v4 PATCH leads/{id} status", AgainstWrite, q.v4LeadStatus, amoPatchOK),
		sc("writes", "write: amocrm v4 leads/notes (one comment)", AgainstWrite, q.v4NoteAdd, amoBatchOK("notes", 1)),
		sc("writes", "write: amocrm v4 tasks (one task)", AgainstWrite, q.v4TaskAdd, amoBatchOK("tasks", 1)),
		// Growing a database through the API, many records a request:
		// measured in records (deals) per second too ("bulk create").
		batch("bulk create: amocrm v4 leads (250 per request)", maxV4Batch, q.v4LeadsAdd, amoBatchOK("leads", maxV4Batch)),
		complex,
		sc("mixed", "mixed 70% read / 20% update / 10% create", AgainstRead, q.mixed, mixedOK),
	}
}
