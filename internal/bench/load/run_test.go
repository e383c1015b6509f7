package load

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testServer answers /ok with "ok", /fail with 500, /bad with 200 "bad",
// /slow after 2 ms and /echo with the request body; it counts every hit.
func testServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/fail":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/bad":
			io.WriteString(w, "bad")
		case "/slow":
			time.Sleep(2 * time.Millisecond)
			io.WriteString(w, "ok")
		case "/echo":
			w.Header().Set("X-Seen", r.Header.Get("X-Test"))
			io.Copy(w, r.Body)
		default:
			io.WriteString(w, "ok")
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func fixed(path string) func(*rand.Rand, int) Request {
	return func(*rand.Rand, int) Request { return Request{Method: http.MethodGet, Path: path} }
}

func checkOrdered(t *testing.T, r Result) {
	t.Helper()
	if !(0 < r.P50 && r.P50 <= r.P95 && r.P95 <= r.P99 && r.P99 <= r.Max) {
		t.Errorf("percentiles not ordered: p50 %v p95 %v p99 %v max %v", r.P50, r.P95, r.P99, r.Max)
	}
	if r.Max > r.Elapsed {
		t.Errorf("max latency %v exceeds the run's %v", r.Max, r.Elapsed)
	}
}

func TestRunStopsAtMaxRequests(t *testing.T) {
	srv, hits := testServer(t)
	res := Run(context.Background(), NewClient(4), srv.URL, Scenario{
		Name: "ok", Concurrency: 4, Duration: time.Minute, MaxRequests: 500, Next: fixed("/ok"),
	})
	if res.Requests != 500 || hits.Load() != 500 {
		t.Fatalf("requests %d, server saw %d; want 500 each", res.Requests, hits.Load())
	}
	if res.Errors != 0 || len(res.ErrorSamples) != 0 {
		t.Fatalf("errors %d %q", res.Errors, res.ErrorSamples)
	}
	if res.Name != "ok" || res.Concurrency != 4 || res.Throughput <= 0 {
		t.Fatalf("result %+v", res)
	}
	checkOrdered(t, res)
}

func TestRunStopsAtDuration(t *testing.T) {
	srv, hits := testServer(t)
	res := Run(context.Background(), NewClient(2), srv.URL, Scenario{
		Concurrency: 2, Duration: 200 * time.Millisecond, Next: fixed("/slow"),
	})
	if res.Elapsed < 200*time.Millisecond || res.Elapsed > 2*time.Second {
		t.Fatalf("elapsed %v, want about 200ms", res.Elapsed)
	}
	if res.Requests == 0 || int64(res.Requests) != hits.Load() || res.Errors != 0 {
		t.Fatalf("requests %d, server saw %d, errors %d", res.Requests, hits.Load(), res.Errors)
	}
	// Every request sleeps 2 ms on the server, so no percentile can be lower.
	if res.P50 < 2*time.Millisecond {
		t.Fatalf("p50 %v below the server's 2ms", res.P50)
	}
	checkOrdered(t, res)
	if want := float64(res.Requests) / res.Elapsed.Seconds(); res.Throughput != want {
		t.Fatalf("throughput %v, want %v", res.Throughput, want)
	}
}

func TestRunCountsErrors(t *testing.T) {
	srv, hits := testServer(t)
	var fails, bads atomic.Int64
	next := func(r *rand.Rand, _ int) Request {
		switch r.IntN(4) {
		case 0:
			fails.Add(1)
			return Request{Method: http.MethodGet, Path: "/fail"}
		case 1:
			bads.Add(1)
			return Request{Method: http.MethodGet, Path: "/bad"}
		}
		return Request{Method: http.MethodGet, Path: "/ok"}
	}
	check := func(status int, body []byte) error {
		if status != http.StatusOK {
			return errors.New("status")
		}
		if string(body) != "ok" {
			return errors.New("body is not ok")
		}
		return nil
	}
	res := Run(context.Background(), NewClient(3), srv.URL, Scenario{
		Concurrency: 3, MaxRequests: 400, Next: next, Check: check,
	})
	if res.Requests != 400 || hits.Load() != 400 {
		t.Fatalf("requests %d, server saw %d", res.Requests, hits.Load())
	}
	if want := int(fails.Load() + bads.Load()); res.Errors != want || want == 0 {
		t.Fatalf("errors %d, want %d", res.Errors, want)
	}
	if len(res.ErrorSamples) != 2 {
		t.Fatalf("want two distinct samples, got %q", res.ErrorSamples)
	}
	joined := strings.Join(res.ErrorSamples, "\n")
	if !strings.Contains(joined, "status 500") || !strings.Contains(joined, "boom") || !strings.Contains(joined, "body is not ok") {
		t.Fatalf("samples %q", res.ErrorSamples)
	}

	// Without a Check, a non-2xx status is the error.
	res = Run(context.Background(), NewClient(1), srv.URL, Scenario{MaxRequests: 10, Next: fixed("/fail")})
	if res.Requests != 10 || res.Errors != 10 || len(res.ErrorSamples) != 1 {
		t.Fatalf("default check: %+v", res)
	}
}

func TestRunSendsBodyAndHeader(t *testing.T) {
	srv, _ := testServer(t)
	h := http.Header{"X-Test": {"yes"}, "Content-Type": {"application/json"}}
	next := func(r *rand.Rand, worker int) Request {
		return Request{Method: http.MethodPost, Path: "/echo", Body: []byte(`{"n":1}`), Header: h}
	}
	res := Run(context.Background(), NewClient(2), srv.URL+"/", Scenario{
		Concurrency: 2, MaxRequests: 50, Next: next,
		Check: func(status int, body []byte) error {
			if status != http.StatusOK || !bytes.Equal(body, []byte(`{"n":1}`)) {
				return errors.New("echo differs")
			}
			return nil
		},
	})
	if res.Requests != 50 || res.Errors != 0 {
		t.Fatalf("%+v", res)
	}
}

func TestRunSeedsPerWorker(t *testing.T) {
	srv, _ := testServer(t)
	draw := func() [2][]int {
		var got [2][]int
		Run(context.Background(), NewClient(2), srv.URL, Scenario{
			Concurrency: 2, MaxRequests: 40,
			Next: func(r *rand.Rand, w int) Request {
				got[w] = append(got[w], r.IntN(1000))
				return Request{Method: http.MethodGet, Path: "/ok"}
			},
		})
		return got
	}
	a, b := draw(), draw()
	for w := range a {
		n := min(len(a[w]), len(b[w]))
		for i := range n {
			if a[w][i] != b[w][i] {
				t.Fatalf("worker %d draws differ between runs: %v vs %v", w, a[w], b[w])
			}
		}
	}
	if len(a[0]) > 3 && len(a[1]) > 3 && a[0][0] == a[1][0] && a[0][1] == a[1][1] && a[0][2] == a[1][2] {
		t.Fatalf("workers share a sequence: %v", a)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	srv, _ := testServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res := Run(ctx, NewClient(2), srv.URL, Scenario{Concurrency: 2, Duration: time.Minute, Next: fixed("/slow")})
	if res.Elapsed > 2*time.Second {
		t.Fatalf("ran %v after cancellation", res.Elapsed)
	}
	if res.Errors != 0 {
		t.Fatalf("cancelled requests counted as errors: %+v", res)
	}
}

func TestRunTransportErrors(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), NewClient(1), "http://"+addr, Scenario{MaxRequests: 5, Next: fixed("/ok")})
	if res.Requests != 5 || res.Errors != 5 || len(res.ErrorSamples) == 0 {
		t.Fatalf("%+v", res)
	}
	if res.P50 != 0 || res.Max != 0 {
		t.Fatalf("transport errors recorded latencies: %+v", res)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for _, c := range []struct{ p, want int }{{50, 50}, {95, 95}, {99, 99}, {100, 100}} {
		if got := percentile(d, c.p); got != time.Duration(c.want) {
			t.Errorf("p%d = %d, want %d", c.p, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 50); got != 7 {
		t.Errorf("single value: %d", got)
	}
	if got := percentile([]time.Duration{1, 2, 3}, 50); got != 2 {
		t.Errorf("p50 of 1,2,3 = %d", got)
	}
}
