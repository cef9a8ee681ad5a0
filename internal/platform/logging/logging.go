// Package logging builds Qualify's slog logger: JSON lines on stderr, each line of a request
// carrying its request ID (taken from the context by the handler).
package logging

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"qualify/internal/platform/reqmeta"
)

// New returns a JSON logger at the named level (debug, info, warn, error) writing to w.
func New(w io.Writer, level string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	return slog.New(&contextHandler{Handler: slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv})})
}

// contextHandler adds request_id from the context to every record logged with one.
type contextHandler struct{ slog.Handler }

func (h *contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := reqmeta.From(ctx).RequestID; id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h *contextHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return &contextHandler{h.Handler.WithAttrs(a)}
}

func (h *contextHandler) WithGroup(name string) slog.Handler {
	return &contextHandler{h.Handler.WithGroup(name)}
}
