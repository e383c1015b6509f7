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
)

// Kind says which baseline a scenario is measured against.
type Kind string

// The baselines.
const (
	// AgainstRead: the minimal handler returning a fixed deal-sized JSON.
	AgainstRead Kind = "read"
	// AgainstWrite: the minimal handler decoding a lead and inserting a row.
	AgainstWrite Kind = "write"
)

// Scenario is one named workload and the baseline its figures are divided by.
type Scenario struct {
	load.Scenario
	Group    string // intake, reads, lists, uis, pages, writes, mixed
	Baseline Kind
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
}

func newRequests(ds *Dataset, session string) *requests {
	bearer := func(token string) http.Header {
		return http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	}
	tz, err := time.LoadLocation(ds.TimeZone)
	if err != nil {
		tz = time.UTC
	}
	return &requests{ds: ds, amo: bearer(ds.Creds.AmoCRMToken), amoSegs: bearer(ds.Segments.Creds.AmoCRMToken),
		envybox: "?api_key=" + ds.Creds.EnvyboxAPIKey, tz: tz,
		web:   http.Header{"Cookie": {sessionCookie + "=" + session}, "Accept": {"text/html"}},
		board: "pipeline=" + strconv.FormatInt(ds.BoardPipeline, 10)}
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
		// (internal/store's writer) is for.
		sc("writes", "envybox deal/create", AgainstWrite, q.dealCreate, envyboxOK),
		sc("writes", "envybox deal/updateDealStage", AgainstWrite, q.dealStage, envyboxOK),
		sc("mixed", "mixed 70% read / 20% update / 10% create", AgainstRead, q.mixed, mixedOK),
	}
}
