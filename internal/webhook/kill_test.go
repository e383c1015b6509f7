package webhook_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/webhook"
)

// childDSN, set in a child process's environment, makes the test binary a
// delivery process over that database instead of running tests: the
// process TestKilledSenderLosesNothing kills.
const childDSN = "CRMD_WEBHOOK_TEST_CHILD_DSN"

func TestMain(m *testing.M) {
	if dsn := os.Getenv(childDSN); dsn != "" {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			os.Exit(3)
		}
		d := webhook.New(db, map[crm.WebhookKind]webhook.Format{crm.WebhookCRMD: webhook.CRMDFormat{Service: crm.NewService(db)}},
			webhook.Options{AllowPrivate: true, Lease: time.Second, Poll: 10 * time.Millisecond, Policies: fast()})
		d.Run(context.Background()) // until killed
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startChild starts a delivery process over dsn.
func startChild(t *testing.T, dsn string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDSN+"="+dsn)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestKilledSenderLosesNothing: a delivery process killed with SIGKILL
// while its receiver holds the request loses no event: once its lease
// runs out, another process sends the delivery again, and the log holds
// the one attempt that was recorded (the killed one never was).
func TestKilledSenderLosesNothing(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn)
		inFlight := make(chan struct{}, 10)
		r := newReceiver(t, nil)
		r.srv.Config.Handler = holdFirst(r.srv.Config.Handler, inFlight)
		hook := e.hook(t, r.srv.URL, crm.EventLeadAdded)
		lead := e.addLead(t, "Заявка")

		first := startChild(t, dsn)
		select {
		case <-inFlight:
		case <-time.After(20 * time.Second):
			t.Fatal("the first process never sent the delivery")
		}
		if err := first.Process.Kill(); err != nil { // SIGKILL: no clean-up runs
			t.Fatal(err)
		}
		first.Wait()

		startChild(t, dsn)
		var log crm.DeliveryLog
		waitFor(t, "the delivery by the second process", func() bool {
			var err error
			log, err = e.svc.WebhookDeliveries(ctx, e.admin, crm.DeliveryQuery{WebhookID: hook.ID})
			return err == nil && len(log.Deliveries) == 1 && log.Deliveries[0].State == crm.DeliveryDelivered
		})
		got := r.got()
		if len(got) != 1 || got[0].event.Entity.ID != lead.ID || got[0].event.Type != crm.EventLeadAdded {
			t.Fatalf("receiver completed %d requests (%v): want the cut one sent again", len(got), got)
		}
		if d := log.Deliveries[0]; d.Attempts != 1 || len(log.Attempts[d.ID]) != 1 || log.Attempts[d.ID][0].Status != http.StatusOK {
			t.Errorf("delivery %+v, attempts %+v: want the one recorded attempt, 200", d, log.Attempts[d.ID])
		}
	})
}

// holdFirst holds the first request until the client goes away (the
// process sending it is killed), after telling inFlight.
func holdFirst(next http.Handler, inFlight chan<- struct{}) http.Handler {
	var n atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if n.Add(1) == 1 {
			// Read to the end, so that the server notices the client
			// going away and ends the request's context.
			io.Copy(io.Discard, req.Body)
			inFlight <- struct{}{}
			<-req.Context().Done()
			return
		}
		next.ServeHTTP(w, req)
	})
}
