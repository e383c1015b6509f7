package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crmd/crmd/internal/bench/load"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/store"
)

// WebhookIntake compares lead intake without and with one crmd webhook
// subscribed to what intake emits (unsorted.added), run after run on one
// server: Runs of each, the median of each, their ratio, and whether every
// event reached the receiver (how long after the last run it took).
type WebhookIntake struct {
	Runs int `json:"runs"`
	// Batch: the webhook sends the events handed out together in one POST.
	Batch   bool      `json:"batch"`
	Without []float64 `json:"without_rps"`
	With    []float64 `json:"with_rps"`
	// MedianWithout and MedianWith are the runs' medians; Ratio is
	// MedianWith ÷ MedianWithout (1: no cost).
	MedianWithout float64 `json:"median_without_rps"`
	MedianWith    float64 `json:"median_with_rps"`
	Ratio         float64 `json:"ratio"`
	// Taken is how many leads the runs with the webhook took in; Received
	// how many deliveries the receiver got (duplicates included), Drain how
	// long after the last run the last one arrived.
	Taken    int     `json:"leads_taken"`
	Received int64   `json:"events_received"`
	Posts    int64   `json:"posts_received"`
	Drain    float64 `json:"drain_seconds"`
}

// receiver is the webhook's destination: an HTTP server in this process
// that answers 200 at once and counts.
type receiver struct {
	srv          *http.Server
	url          string
	count, posts atomic.Int64
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/hook"}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Events, not requests: a batching webhook's POST names several.
		if ids := req.Header.Get("X-Crmd-Event-Id"); ids != "" {
			r.count.Add(int64(strings.Count(ids, ",") + 1))
		}
		r.posts.Add(1)
	}), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// compareWebhookIntake runs the intake scenario runs times, subscribes a
// webhook through the database (the server picks it up like one made by
// the CLI), runs it runs times more and waits for the deliveries.
func compareWebhookIntake(ctx context.Context, c Config, client *http.Client, base, dsn string, ds *Dataset, intake Scenario, logf func(string, ...any)) (*WebhookIntake, error) {
	out := &WebhookIntake{Runs: c.WebhookRuns, Batch: c.WebhookBatch}
	for range c.WebhookRuns {
		r := load.Run(ctx, client, base, intake.Scenario)
		out.Without = append(out.Without, r.Throughput)
		logf("intake without a webhook: %8.0f req/s  p99 %7.2f ms  errors %d", r.Throughput, float64(r.P99.Microseconds())/1000, r.Errors)
	}
	rcv, err := startReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.srv.Close()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	admin := crm.Actor{AccountID: ds.Creds.AccountID, UserID: ds.Creds.UserID, Role: crm.RoleAdmin}
	if _, err := crm.NewService(db).CreateWebhook(ctx, admin, crm.NewWebhook{Kind: crm.WebhookCRMD, Destination: rcv.url,
		Events: []string{string(crm.EventUnsortedAdded)}, Batch: c.WebhookBatch}, nil); err != nil {
		return nil, fmt.Errorf("subscribe the webhook: %w", err)
	}
	for range c.WebhookRuns {
		r := load.Run(ctx, client, base, intake.Scenario)
		out.With = append(out.With, r.Throughput)
		out.Taken += r.Requests - r.Errors
		logf("intake with a webhook:    %8.0f req/s  p99 %7.2f ms  errors %d  (received so far %d)", r.Throughput, float64(r.P99.Microseconds())/1000, r.Errors, rcv.count.Load())
	}
	end := time.Now()
	for rcv.count.Load() < int64(out.Taken) && time.Since(end) < 5*time.Minute && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	out.Received, out.Posts, out.Drain = rcv.count.Load(), rcv.posts.Load(), time.Since(end).Seconds()
	out.MedianWithout, out.MedianWith = median(out.Without), median(out.With)
	if out.MedianWithout > 0 {
		out.Ratio = out.MedianWith / out.MedianWithout
	}
	logf("webhook intake (batch %v): median %.0f → %.0f req/s (× %.2f); %d of %d events delivered in %d POSTs, the last %.1f s after the runs",
		out.Batch, out.MedianWithout, out.MedianWith, out.Ratio, out.Received, out.Taken, out.Posts, out.Drain)
	return out, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
