package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Readiness is what /readyz asks the store (*store.DB): whether it answers
// and which of this binary's migrations it lacks.
type Readiness interface {
	PendingMigrations(ctx context.Context) ([]int, error)
}

// readyTimeout bounds /readyz's database check: a load balancer probing
// every few seconds needs an answer before its next probe.
const readyTimeout = 2 * time.Second

// healthz answers 200 "ok" while the process serves HTTP, whatever the
// database's state: it is the liveness check, and restarting crmd does
// not bring a database back. /readyz is the check to route by.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

// readyz answers 200 "ok" when the database answers and holds every
// migration this binary knows, else 503 with a short reason; the cause is
// logged, not answered, since the endpoint is public and a driver's error
// may name hosts and users.
func readyz(log *slog.Logger, db Readiness) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var reason string
		pending, err := db.PendingMigrations(ctx)
		switch {
		case err != nil:
			log.WarnContext(r.Context(), "readyz: database unreachable", "err", err)
			reason = "database unreachable"
		case len(pending) > 0:
			reason = fmt.Sprintf("database not migrated: %d migration(s) of this binary pending, from %04d", len(pending), pending[0])
			log.WarnContext(r.Context(), "readyz: "+reason, "pending", pending)
		}
		if reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", reason)
			return
		}
		fmt.Fprintln(w, "ok")
	}
}

// readiness is the Readiness /readyz checks: the configured one, or one
// that only pings the database.
func (c Config) readiness() Readiness {
	if c.Readiness != nil {
		return c.Readiness
	}
	return pingOnly{c.Service}
}

// pingOnly is ready while the database answers; it knows no migrations.
type pingOnly struct {
	svc interface{ Ping(context.Context) error }
}

func (p pingOnly) PendingMigrations(ctx context.Context) ([]int, error) { return nil, p.svc.Ping(ctx) }
