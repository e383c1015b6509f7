package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxRequests caps a run whose Scenario leaves MaxRequests at 0, so
// that a scenario with no Duration either cannot run forever and the
// latency lists (8 bytes a request) stay within tens of megabytes.
const DefaultMaxRequests = 5_000_000

// maxErrorSamples is how many distinct error texts a Result keeps: enough to
// tell one failure mode from several without flooding the report.
const maxErrorSamples = 5

// Request is one HTTP request a scenario sends.
//
// The driver neither copies nor modifies Body and Header, so a scenario may
// return the same slice and map for every request. Set Content-Type in
// Header yourself: the driver adds no headers of its own.
type Request struct {
	Method string
	Path   string // appended to the base URL; include the query string
	Body   []byte // nil for no body
	Header http.Header
}

// Scenario describes one measured run: Concurrency clients, each sending
// the requests Next chooses, one at a time, until Duration has passed or
// MaxRequests have been sent in total, whichever comes first.
type Scenario struct {
	// Name labels the Result.
	Name string
	// Concurrency is the number of clients; values below 1 mean 1.
	Concurrency int
	// Duration bounds the run in time; 0 leaves only MaxRequests and the
	// context. A request in flight when it ends is completed and counted.
	Duration time.Duration
	// MaxRequests bounds the run in requests over all clients; 0 means
	// DefaultMaxRequests.
	MaxRequests int
	// Next returns the next request of client worker (0 ≤ worker <
	// Concurrency). r belongs to that client alone and is seeded from the
	// worker index, so a run's request sequence per client is reproducible.
	// Next is called from several goroutines at once, one per worker.
	Next func(r *rand.Rand, worker int) Request
	// Check judges a response; a non-nil error counts the request as an
	// error. nil means any 2xx status is a success. body is valid only
	// during the call. Check is called from several goroutines at once.
	Check func(status int, body []byte) error
}

// Result is what one Run measured.
type Result struct {
	Name        string
	Concurrency int
	// Requests counts every request sent, successful or not.
	Requests int
	// Errors counts transport errors and failed checks (including non-2xx
	// statuses under the default check).
	Errors int
	// ErrorSamples holds the first distinct error texts, at most 5, so that
	// a report can say why requests failed.
	ErrorSamples []string
	// Elapsed is the wall time from the first request to the last answer.
	Elapsed time.Duration
	// Throughput is Requests per second of Elapsed.
	Throughput float64
	// P50, P95, P99 and Max are latency percentiles (nearest rank) over the
	// requests that got a response; a transport error has no meaningful
	// latency and would only pull them down.
	P50, P95, P99, Max time.Duration
}

// NewClient returns a client for Run with concurrency clients: it keeps one
// idle connection per client so that every request reuses a connection,
// ignores proxy settings from the environment (the server is local), does
// not ask for compression (so neither side spends time on it) and does not
// follow redirects (a redirect would be a second, uncounted request).
// Requests time out after 30 s.
//
// Call CloseIdleConnections before stopping the server: net/http's graceful
// shutdown waits up to 5 s for a connection that was dialled but never
// carried a request.
func NewClient(concurrency int) *http.Client {
	concurrency = max(concurrency, 1)
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          concurrency * 2,
		MaxIdleConnsPerHost:   concurrency * 2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
	return &http.Client{
		Transport: t,
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// worker is one client's private state; only Run reads it, after the
// client goroutine has finished.
type worker struct {
	latencies []time.Duration
	requests  int
	errors    int
}

// samples collects the first distinct error texts. full lets workers skip
// the lock once enough have been seen, so a server failing every request
// does not serialise the clients on a mutex.
type samples struct {
	full atomic.Bool
	mu   sync.Mutex
	list []string
}

func (s *samples) add(text string) {
	if s.full.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.list) >= maxErrorSamples || slices.Contains(s.list, text) {
		return
	}
	s.list = append(s.list, text)
	if len(s.list) >= maxErrorSamples {
		s.full.Store(true)
	}
}

// Run sends s's requests to baseURL through client and measures them. It
// returns when the scenario's limits are reached or ctx is done; requests
// cut short by ctx are not counted.
func Run(ctx context.Context, client *http.Client, baseURL string, s Scenario) Result {
	conc := max(s.Concurrency, 1)
	limit := int64(s.MaxRequests)
	if limit <= 0 {
		limit = DefaultMaxRequests
	}
	baseURL = strings.TrimSuffix(baseURL, "/")
	check := s.Check
	if check == nil {
		check = checkStatus
	}

	var (
		sent    atomic.Int64
		errs    samples
		wg      sync.WaitGroup
		workers = make([]worker, conc)
	)
	start := time.Now()
	var deadline time.Time
	if s.Duration > 0 {
		deadline = start.Add(s.Duration)
	}
	for i := range workers {
		wg.Go(func() {
			w := &workers[i]
			// Reserve room up front for a fair share of the cap, bounded so
			// that a huge default cap does not allocate gigabytes.
			w.latencies = make([]time.Duration, 0, min(limit/int64(conc)+1, 1<<16))
			r := rand.New(rand.NewPCG(uint64(i), 0x63726d64)) // "crmd"
			var buf bytes.Buffer
			for ctx.Err() == nil && sent.Add(1) <= limit {
				if !deadline.IsZero() && !time.Now().Before(deadline) {
					return
				}
				req := s.Next(r, i)
				t0 := time.Now()
				status, err := do(ctx, client, baseURL, req, &buf)
				took := time.Since(t0)
				if err != nil && ctx.Err() != nil {
					return // cut short by the caller, not a failure of the server
				}
				w.requests++
				if err != nil {
					w.errors++
					errs.add(err.Error())
					continue
				}
				w.latencies = append(w.latencies, took)
				if err := check(status, buf.Bytes()); err != nil {
					w.errors++
					errs.add(fmt.Sprintf("status %d: %v (body %s)", status, err, short(buf.Bytes())))
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	res := Result{Name: s.Name, Concurrency: conc, Elapsed: elapsed, ErrorSamples: errs.list}
	n := 0
	for _, w := range workers {
		n += len(w.latencies)
	}
	all := make([]time.Duration, 0, n)
	for _, w := range workers {
		res.Requests += w.requests
		res.Errors += w.errors
		all = append(all, w.latencies...)
	}
	if elapsed > 0 {
		res.Throughput = float64(res.Requests) / elapsed.Seconds()
	}
	if len(all) > 0 {
		slices.Sort(all)
		res.P50 = percentile(all, 50)
		res.P95 = percentile(all, 95)
		res.P99 = percentile(all, 99)
		res.Max = all[len(all)-1]
	}
	return res
}

// do sends req and reads the whole answer into buf: a body left unread
// would keep its connection from going back to the idle pool.
func do(ctx context.Context, client *http.Client, baseURL string, req Request, buf *bytes.Buffer) (int, error) {
	var hr *http.Request
	var err error
	if req.Body != nil {
		// A fresh reader each time rather than a reused one: the transport
		// may still hold the previous request's body after Do returns.
		hr, err = http.NewRequestWithContext(ctx, req.Method, baseURL+req.Path, bytes.NewReader(req.Body))
	} else {
		hr, err = http.NewRequestWithContext(ctx, req.Method, baseURL+req.Path, nil)
	}
	if err != nil {
		return 0, err
	}
	if req.Header != nil {
		hr.Header = req.Header
	}
	resp, err := client.Do(hr)
	if err != nil {
		return 0, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return resp.StatusCode, fmt.Errorf("status %d: read body: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, nil
}

// errStatus is the default check's failure.
var errStatus = errors.New("not a 2xx status")

func checkStatus(status int, _ []byte) error {
	if status < 200 || status > 299 {
		return errStatus
	}
	return nil
}

// short is the start of a body, enough to recognise an error envelope.
func short(b []byte) string {
	const n = 160
	if len(b) > n {
		return fmt.Sprintf("%q…", b[:n])
	}
	return fmt.Sprintf("%q", b)
}

// percentile is the nearest-rank percentile p of sorted: the smallest value
// that at least p% of the values do not exceed.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 · n)
	return sorted[max(rank, 1)-1]
}
