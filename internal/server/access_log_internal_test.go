package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/obs"
)

// TestLogAccessLineUnchanged: logAccess writes the bytes the access line
// had when it was logged with LogAttrs and the request's context (obs's
// handler adding request_id), in both of crmd's log formats, and nothing
// when the level is off. The time is left out of both lines: it is the
// only field that differs between two calls.
func TestLogAccessLineUnchanged(t *testing.T) {
	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}
	formats := map[string]func(io.Writer, *slog.HandlerOptions) slog.Handler{
		"text": func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewTextHandler(w, o) },
		"json": func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewJSONHandler(w, o) },
	}
	for name, format := range formats {
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
			var was, is bytes.Buffer
			opts := &slog.HandlerOptions{ReplaceAttr: noTime, Level: level}
			took := 1234567 * time.Nanosecond
			ctx, _ := obs.Start(context.Background(), "0123456789ABCDEFGHIJKLMNOP", dialectAmoCRM)
			requestLogger(slog.New(format(&was, opts))).LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", "GET"), slog.String("path", "/api/v4/leads/7 x=\"q\""), slog.String("dialect", dialectAmoCRM),
				slog.String("route", "GET /api/v4/leads/{id}"), slog.Int("status", 200), slog.Duration("took", took))
			logAccess(context.Background(), requestLogger(slog.New(format(&is, opts))).Handler(),
				"GET", "/api/v4/leads/7 x=\"q\"", dialectAmoCRM, "GET /api/v4/leads/{id}", 200, took, "0123456789ABCDEFGHIJKLMNOP")
			if was.String() != is.String() {
				t.Errorf("%s, level %v:\nwas %q\nis  %q", name, level, was.String(), is.String())
			}
			if (level == slog.LevelInfo) != (was.Len() > 0) {
				t.Errorf("%s, level %v: %q", name, level, was.String())
			}
		}
	}
}

// BenchmarkAccessLog: the access line through LogAttrs with the request's
// context (as it was written) and through logAccess, to a text handler
// that discards its output.
//
//	go test -run '^$' -bench AccessLog -benchmem ./internal/server
func BenchmarkAccessLog(b *testing.B) {
	log := requestLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, _ := obs.Start(context.Background(), "0123456789ABCDEFGHIJKLMNOP", dialectAmoCRM)
	b.Run("LogAttrs", func(b *testing.B) {
		for range b.N {
			log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", "GET"), slog.String("path", "/api/v4/leads/7"), slog.String("dialect", dialectAmoCRM),
				slog.String("route", "GET /api/v4/leads/{id}"), slog.Int("status", 200), slog.Duration("took", time.Millisecond))
		}
	})
	b.Run("logAccess", func(b *testing.B) {
		for range b.N {
			logAccess(context.Background(), log.Handler(), "GET", "/api/v4/leads/7", dialectAmoCRM, "GET /api/v4/leads/{id}", 200,
				time.Millisecond, "0123456789ABCDEFGHIJKLMNOP")
		}
	})
}
