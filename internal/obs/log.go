package obs

import (
	"context"
	"log/slog"
)

// RequestIDKey is the attribute that carries the request id in log lines.
const RequestIDKey = "request_id"

// NewLogHandler wraps h so that every record logged with a request's
// context (Logger.InfoContext, ErrorContext, LogAttrs, …) carries the
// request's id as request_id; records logged without one pass unchanged.
// The dialects log their internal errors with the request's context, so
// their lines and the access log line of one request share the id.
// Wrapping a handler that is already wrapped returns it as it is.
//
// The id is added where the record is handled, so under a WithGroup it
// lands inside the group; crmd's loggers use no groups.
func NewLogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{next: h}
}

type logHandler struct{ next slog.Handler }

func (h logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String(RequestIDKey, id))
	}
	return h.next.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{next: h.next.WithAttrs(attrs)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{next: h.next.WithGroup(name)}
}
