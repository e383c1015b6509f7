package amocrm_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// BenchmarkWrites measures amoCRM writes through HTTP, on a real server
// over SQLite and PostgreSQL (issue 18, "Writes" and "Bulk through the
// API"):
//
//   - leads: POST /api/v4/leads, 250 leads a request (name, price, a tag),
//     one client: deals/s is how fast the API grows a database, history
//     rows (the webhook outbox) and indexes included;
//
//   - complex: POST /api/v4/leads/complex, 50 leads a request (its limit),
//     each with a new contact with a phone;
//
//   - leads16, complex16: the same batches from 16 clients at once, as
//     crmdbench's "bulk create" sends them: batches then queue on the one
//     write path;
//
//   - create, status, notes, tasks: one new lead, one lead's status change
//     (PATCH /api/v4/leads/{id}), one note or one task per request from
//     16 clients at once, as integrations write them: req/s and the p99
//     latency.
//
//     go test -run '^$' -bench Writes -benchtime 20x ./internal/api/amocrm
func BenchmarkWrites(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			env := crmtest.Start(b, crmtest.NewDSN(b, backend))
			a := newAccount(b, env, "Writes", "")
			w := &writer{env: env, token: a.AmoCRMToken}
			b.Run("leads", func(b *testing.B) { w.batches(b, "/api/v4/leads", 250, leadItem) })
			b.Run("complex", func(b *testing.B) { w.batches(b, "/api/v4/leads/complex", crm.MaxComplexLeads, complexItem) })
			b.Run("leads16", func(b *testing.B) { w.parallelBatches(b, "/api/v4/leads", 250, leadItem) })
			b.Run("complex16", func(b *testing.B) { w.parallelBatches(b, "/api/v4/leads/complex", crm.MaxComplexLeads, complexItem) })
			deals := idsOf(a.api.Post(b, "/api/v4/leads", batchBody(100, 0, leadItem)).HAL(200).List("_embedded.leads"))
			b.Run("create", func(b *testing.B) {
				w.concurrent(b, func(i int) (string, string) {
					return "/api/v4/leads", "[" + leadItem(w.seq.Add(1)) + "]"
				})
			})
			pipeline, first, second := mainPipeline(b, a.api)
			b.Run("status", func(b *testing.B) {
				w.concurrentMethod(b, http.MethodPatch, func(i int) (string, string) {
					// Each deal goes back and forth between two stages,
					// so every request is a move.
					status := first
					if (i/len(deals))%2 == 0 {
						status = second
					}
					return fmt.Sprintf("/api/v4/leads/%d", deals[i%len(deals)]), fmt.Sprintf(`{"pipeline_id":%d,"status_id":%d}`, pipeline, status)
				})
			})
			b.Run("notes", func(b *testing.B) {
				w.concurrent(b, func(i int) (string, string) {
					return "/api/v4/leads/notes", fmt.Sprintf(`[{"entity_id":%d,"note_type":"common","params":{"text":"Звонок %d"}}]`, deals[i%len(deals)], i)
				})
			})
			b.Run("tasks", func(b *testing.B) {
				w.concurrent(b, func(i int) (string, string) {
					return "/api/v4/tasks", fmt.Sprintf(`[{"text":"Перезвонить %d","complete_till":%d,"entity_id":%d,"entity_type":"leads"}]`,
						i, time.Now().Add(24*time.Hour).Unix(), deals[i%len(deals)])
				})
			})
		})
	}
}

// writeClients is how many clients send the one-record writes at once,
// as crmdbench's write scenarios do.
const writeClients = 16

// writer sends the benchmark's requests with one account's token.
type writer struct {
	env   *crmtest.Env
	token string
	seq   atomic.Int64
}

func (w *writer) post(path, body string) (int, []byte, error) {
	return w.send(http.MethodPost, path, body)
}

func (w *writer) send(method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, w.env.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.token)
	resp, err := w.env.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// batches posts b.N batches of n items to path, one after another, and
// reports the records made per second.
func (w *writer) batches(b *testing.B, path string, n int, item func(i int64) string) {
	bodies := make([]string, b.N)
	for i := range bodies {
		bodies[i] = batchBody(n, w.seq.Add(int64(n))-int64(n), item)
	}
	b.ResetTimer()
	for _, body := range bodies {
		status, out, err := w.post(path, body)
		if err != nil || status != http.StatusOK {
			b.Fatalf("POST %s: %d %v %.300s", path, status, err, out)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "deals/s")
}

// parallelBatches posts b.N batches of n items to path from writeClients
// goroutines at once and reports the records made per second.
func (w *writer) parallelBatches(b *testing.B, path string, n int, item func(i int64) string) {
	bodies := make([]string, b.N)
	for i := range bodies {
		bodies[i] = batchBody(n, w.seq.Add(int64(n))-int64(n), item)
	}
	w.fanOut(b, func(i int) string {
		status, out, err := w.post(path, bodies[i])
		if err != nil || status != http.StatusOK {
			return fmt.Sprintf("POST %s: %d %v %.300s", path, status, err, out)
		}
		return ""
	})
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "deals/s")
}

// concurrent sends b.N one-record writes from writeClients goroutines and
// reports req/s and the p99 latency.
func (w *writer) concurrent(b *testing.B, req func(i int) (string, string)) {
	w.concurrentMethod(b, http.MethodPost, req)
}

// concurrentMethod is concurrent with another method than POST.
func (w *writer) concurrentMethod(b *testing.B, method string, req func(i int) (string, string)) {
	lat := make([]time.Duration, b.N)
	w.fanOut(b, func(i int) string {
		path, body := req(i)
		start := time.Now()
		status, out, err := w.send(method, path, body)
		lat[i] = time.Since(start)
		if err != nil || status != http.StatusOK {
			return fmt.Sprintf("%s %s: %d %v %.300s", method, path, status, err, out)
		}
		return ""
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}

// fanOut runs send for i in [0, b.N) from writeClients goroutines, timed;
// send describes a failed request ("" when it succeeded), and b fails with
// the first description.
func (w *writer) fanOut(b *testing.B, send func(i int) string) {
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	for range writeClients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if what := send(i); what != "" {
					failed.CompareAndSwap(nil, what)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
}

// percentile is the p-th latency of lat (sorted in place).
func percentile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[min(len(lat)-1, int(float64(len(lat))*p))]
}

// batchBody is a JSON array of n items numbered from first.
func batchBody(n int, first int64, item func(i int64) string) string {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := range int64(n) {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(item(first + i))
	}
	buf.WriteByte(']')
	return buf.String()
}

func leadItem(i int64) string {
	return fmt.Sprintf(`{"name":%s,"price":%d,"_embedded":{"tags":[{"name":"bulk"}]}}`, quote(fmt.Sprintf("Сделка %d", i)), 1000+i%9000)
}

func complexItem(i int64) string {
	return fmt.Sprintf(`{"name":%s,"price":%d,"_embedded":{"contacts":[{"first_name":"Иван","last_name":%s,"custom_fields_values":[{"field_code":"PHONE","values":[{"value":"+7900%07d"}]}]}]}}`,
		quote(fmt.Sprintf("Заявка %d", i)), 1000+i%9000, quote(fmt.Sprintf("Петров-%d", i)), i)
}

func quote(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}
