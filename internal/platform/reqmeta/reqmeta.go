// Package reqmeta carries per-request facts (request ID, client address) in a context, so that
// logs and audit entries written deep in a service can name the request they belong to.
package reqmeta

import "context"

// Meta is what is known about the request a context serves.
type Meta struct {
	RequestID string
	ClientIP  string
}

type key struct{}

// With returns ctx carrying m.
func With(ctx context.Context, m Meta) context.Context { return context.WithValue(ctx, key{}, m) }

// From returns the Meta carried by ctx (zero when none, e.g. a command-line run).
func From(ctx context.Context) Meta {
	m, _ := ctx.Value(key{}).(Meta)
	return m
}
