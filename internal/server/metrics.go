package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/obs"
	"github.com/crmd/crmd/internal/store"
)

// Metrics are crmd's Prometheus metrics, in a registry of their own (not
// the library's global one, so that several servers in one test binary
// keep separate counts). Handler serves them in the Prometheus text
// format; crmd serve mounts it on its own listener, --metrics-addr
// (internal/cli), never on the public port.
//
// Label values come from fixed sets only — the dialect, the route's
// pattern or a dialect's method name, the status code, the refusal
// reason — never from a request's path or body, whose ids would make a
// new series per record.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	refusals *prometheus.CounterVec
	leads    *prometheus.CounterVec
	webhooks *prometheus.CounterVec
	webhookT *prometheus.HistogramVec
}

// PoolSource is what the metrics read of the store: its connection pools'
// statistics and its count of failed database work (*store.DB).
type PoolSource interface {
	PoolStats() []store.PoolStats
	QueryErrors() uint64
}

// DurationBuckets are the request latency histogram's buckets, in seconds:
// from 1 ms (an Envybox read on SQLite) through the 50 ms the performance
// goals allow a page (docs/PERFORMANCE.md) to the 60 s write timeout.
var DurationBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// NewMetrics returns crmd's metrics with the Go runtime's and the process's
// collectors and, when pools is not nil, the database pools'.
func NewMetrics(pools PoolSource) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmd_http_requests_total",
			Help: "HTTP requests served, by dialect (amocrm, envybox, uis, widget, web, other), route (the matched pattern, or the Envybox or UIS method) and status code.",
		}, []string{"dialect", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crmd_http_request_duration_seconds",
			Help:    "Time from a request's arrival until its handler returned, by dialect and route.",
			Buckets: DurationBuckets,
		}, []string{"dialect", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "crmd_http_requests_in_flight",
			Help: "HTTP requests being served now (the web inbox's live streams included).",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmd_request_limit_refusals_total",
			Help: "Requests refused by a request limit, by dialect and reason: limit (a window's limit exceeded), blocked (amoCRM: the account is blocked for repeated violations), login (the failed-login throttle of UIS login.user and the web sign-in).",
		}, []string{"dialect", "reason"}),
		leads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmd_leads_taken_total",
			Help: "Leads taken in and committed, by dialect: envybox (lead/set, lead/workset), widget (the website widget), amocrm (unsorted sip and forms items).",
		}, []string{"dialect"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crmd_webhook_attempts_total",
			Help: "Webhook delivery attempts, by kind (amocrm, crmd) and result: delivered, retry (failed, to be tried again), failed (failed for good).",
		}, []string{"kind", "result"}),
		webhookT: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crmd_webhook_attempt_duration_seconds",
			Help:    "Time a webhook delivery attempt took, from dialing to the end of the answer, by kind.",
			Buckets: DurationBuckets,
		}, []string{"kind"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.inFlight, m.refusals, m.leads, m.webhooks, m.webhookT,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pools != nil {
		m.registry.MustRegister(newPoolCollector(pools))
	}
	return m
}

// Handler serves the metrics in the Prometheus text format (or the
// protobuf or OpenMetrics format a scraper asks for).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// LeadsTaken counts n leads taken in by the request ctx belongs to, under
// its dialect; it is the domain's intake function (crm.Service.OnIntake).
func (m *Metrics) LeadsTaken(ctx context.Context, n int) {
	m.leads.WithLabelValues(labelOr(obs.Dialect(ctx), dialectOther)).Add(float64(n))
}

// WebhookAttempt counts one webhook delivery attempt (webhook.Options
// Observe). A nil *Metrics counts nothing, so it can be passed unchecked.
func (m *Metrics) WebhookAttempt(kind crm.WebhookKind, result string, took time.Duration) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(string(kind), result).Inc()
	m.webhookT.WithLabelValues(string(kind)).Observe(took.Seconds())
}

// served counts one finished request.
func (m *Metrics) served(dialect, route string, status int, took time.Duration, refusals []obs.Refusal) {
	m.requests.WithLabelValues(dialect, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(dialect, route).Observe(took.Seconds())
	for _, why := range refusals {
		m.refusals.WithLabelValues(dialect, string(why)).Inc()
	}
}

func labelOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

// poolCollector reads the store's pool statistics at every scrape.
type poolCollector struct {
	src PoolSource

	maxOpen, open, inUse, idle                       *prometheus.Desc
	waitCount, waitSeconds                           *prometheus.Desc
	maxIdleClosed, maxIdleTimeClosed, lifetimeClosed *prometheus.Desc
	queryErrors                                      *prometheus.Desc
}

func newPoolCollector(src PoolSource) *poolCollector {
	pool := []string{"pool"}
	desc := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &poolCollector{
		src:               src,
		maxOpen:           desc("crmd_db_max_open_connections", "The pool's maximum number of open connections (pool: read and write on SQLite, readwrite on PostgreSQL).", pool),
		open:              desc("crmd_db_open_connections", "Connections open, in use and idle.", pool),
		inUse:             desc("crmd_db_in_use_connections", "Connections in use.", pool),
		idle:              desc("crmd_db_idle_connections", "Idle connections.", pool),
		waitCount:         desc("crmd_db_wait_count_total", "Times a caller waited for a connection because all were in use.", pool),
		waitSeconds:       desc("crmd_db_wait_duration_seconds_total", "Time callers waited for a connection.", pool),
		maxIdleClosed:     desc("crmd_db_max_idle_closed_total", "Connections closed because the pool kept its maximum of idle ones.", pool),
		maxIdleTimeClosed: desc("crmd_db_max_idle_time_closed_total", "Connections closed for having been idle too long.", pool),
		lifetimeClosed:    desc("crmd_db_max_lifetime_closed_total", "Connections closed at the end of their lifetime.", pool),
		queryErrors:       desc("crmd_db_query_errors_total", "Domain reads and writes (the store's View and Update calls) that failed with an error that is neither a domain answer (not found, conflict, invalid) nor a cancelled request: a lost connection, a timeout, a busy or full database, a failed commit. One-statement lookups outside transactions (credentials, sessions, limit counters) are not counted.", nil),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitSeconds,
		c.maxIdleClosed, c.maxIdleTimeClosed, c.lifetimeClosed, c.queryErrors} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	for _, p := range c.src.PoolStats() {
		for _, v := range []struct {
			desc *prometheus.Desc
			kind prometheus.ValueType
			val  float64
		}{
			{c.maxOpen, gauge, float64(p.MaxOpenConnections)},
			{c.open, gauge, float64(p.OpenConnections)},
			{c.inUse, gauge, float64(p.InUse)},
			{c.idle, gauge, float64(p.Idle)},
			{c.waitCount, counter, float64(p.WaitCount)},
			{c.waitSeconds, counter, p.WaitDuration.Seconds()},
			{c.maxIdleClosed, counter, float64(p.MaxIdleClosed)},
			{c.maxIdleTimeClosed, counter, float64(p.MaxIdleTimeClosed)},
			{c.lifetimeClosed, counter, float64(p.MaxLifetimeClosed)},
		} {
			ch <- prometheus.MustNewConstMetric(v.desc, v.kind, v.val, p.Pool)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.queryErrors, counter, float64(c.src.QueryErrors()))
}
