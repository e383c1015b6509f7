package obs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/obs"
)

// TestLogHandler: lines logged with a request's context carry its id, also
// through loggers derived with With; lines without one are unchanged; a
// wrapped handler is not wrapped twice.
func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	h := obs.NewLogHandler(slog.NewJSONHandler(&buf, nil))
	if obs.NewLogHandler(h) != h {
		t.Error("a wrapped handler was wrapped again")
	}
	log := slog.New(h).With("component", "test")
	ctx, _ := obs.Start(context.Background(), "req-1", "amocrm")

	log.InfoContext(ctx, "inside")
	log.ErrorContext(ctx, "failed", "err", "boom")
	log.Info("outside")
	log.InfoContext(context.Background(), "outside too")

	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got = append(got, m)
	}
	if len(got) != 4 {
		t.Fatalf("%d lines: %s", len(got), buf.String())
	}
	for i, m := range got {
		id, has := m[obs.RequestIDKey]
		if inside := i < 2; inside != has || (inside && id != "req-1") {
			t.Errorf("line %d (%v): request_id %v", i, m["msg"], id)
		}
		if m["component"] != "test" {
			t.Errorf("line %d lost the logger's attributes: %v", i, m)
		}
	}
}

// TestRequest: what the dialects report reaches the request's record;
// outside a request, reporting is a no-op.
func TestRequest(t *testing.T) {
	bg := context.Background()
	obs.SetRoute(bg, "lead/set")
	obs.NoteRefusal(bg, obs.RefusalLimit)
	if obs.RequestID(bg) != "" || obs.Dialect(bg) != "" || obs.FromContext(bg).Route() != "" || obs.FromContext(bg).Refusals() != nil {
		t.Error("a context without a request reports one")
	}

	ctx, rec := obs.Start(bg, "id-7", "uis")
	if obs.RequestID(ctx) != "id-7" || obs.Dialect(ctx) != "uis" || obs.FromContext(ctx) != rec {
		t.Fatalf("started request: id %q, dialect %q", obs.RequestID(ctx), obs.Dialect(ctx))
	}
	if rec.Route() != "" {
		t.Errorf("route %q before any was set", rec.Route())
	}
	obs.SetRoute(ctx, "get.sales_funnel")
	obs.NoteRefusal(ctx, obs.RefusalLimit)
	obs.NoteRefusal(context.WithoutCancel(ctx), obs.RefusalLogin) // derived contexts report too
	if rec.Route() != "get.sales_funnel" {
		t.Errorf("route %q", rec.Route())
	}
	if got := rec.Refusals(); !slices.Equal(got, []obs.Refusal{obs.RefusalLimit, obs.RefusalLogin}) {
		t.Errorf("refusals %v", got)
	}
}
