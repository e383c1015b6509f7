package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/webhook"
)

// BenchmarkIntake takes leads in (Envybox's lead/set: crm.Service.
// CreateInbound) without a webhook, and with one crmd webhook subscribed to
// unsorted.added whose receiver answers at once. The clock runs until the
// receiver has every event, so delivery that lags behind is counted.
// SQLite; the whole-server comparison is crmdbench --webhook-runs.
func BenchmarkIntake(b *testing.B) {
	for _, hooked := range []bool{false, true} {
		name := "no-webhook"
		if hooked {
			name = "one-webhook"
		}
		b.Run(name, func(b *testing.B) {
			e := newBenchEnv(b)
			var received atomic.Int64
			if hooked {
				srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { received.Add(1) }))
				b.Cleanup(srv.Close)
				if _, err := e.svc.CreateWebhook(context.Background(), e.admin, crm.NewWebhook{Kind: crm.WebhookCRMD,
					Destination: srv.URL, Events: []string{string(crm.EventUnsortedAdded)}}, nil); err != nil {
					b.Fatal(err)
				}
				d := webhook.New(e.dbs[0], map[crm.WebhookKind]webhook.Format{crm.WebhookCRMD: webhook.CRMDFormat{Service: e.svc}},
					webhook.Options{AllowPrivate: true, Poll: 50 * time.Millisecond})
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { d.Run(ctx); close(done) }()
				b.Cleanup(func() { cancel(); <-done })
			}
			var seq atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					if _, err := e.svc.CreateInbound(context.Background(), e.admin, crm.NewInbound{Values: map[string]string{
						"name": "Заявка", "phone": fmt.Sprintf("7900%07d", n), "comment": "перезвонить"}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if hooked {
				b.ReportMetric(float64(seq.Load()-received.Load())/float64(seq.Load())*100, "%behind")
			}
			for hooked && received.Load() < seq.Load() {
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()
		})
	}
}

func newBenchEnv(b *testing.B) *env {
	b.Helper()
	dsn := crmtest.NewDSN(b, crmtest.SQLite)
	return newEnvTB(b, dsn)
}
