// Package batch groups concurrent requests for the database into one write: one statement, one
// transaction, one commit for many callers. A caller is answered only after the write that
// carries its request has committed, so batching keeps nothing a crash or a second instance
// could lose; it only shares the database's per-statement and per-commit cost. At low load a
// request goes out at once on an idle writer (no added wait); under load each writer takes
// everything that queued while it was busy.
package batch

import (
	"context"
	"sync"
	"time"
)

// Batcher runs requests of type In through write in groups and hands each caller its Out.
type Batcher[In, Out any] struct {
	write    func(ctx context.Context, in []In) ([]Out, error)
	key      func(In) any
	writers  int
	maxBatch int
	timeout  time.Duration

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*pending[In, Out]
	started bool
}

type pending[In, Out any] struct {
	in   In
	done chan result[Out]
}

type result[Out any] struct {
	out Out
	err error
}

// Options tune a Batcher.
type Options[In any] struct {
	// Writers is how many writes may run at once (default 4).
	Writers int
	// MaxBatch bounds the requests in one write (default 256).
	MaxBatch int
	// Key, when set, keeps requests with equal keys out of one write: the later waits for the
	// next, so they take effect one after the other as they would unbatched.
	Key func(In) any
	// Timeout bounds one write (default 30 s).
	Timeout time.Duration
}

// New returns a Batcher over write, which must return one Out per In, in order.
func New[In, Out any](write func(ctx context.Context, in []In) ([]Out, error), o Options[In]) *Batcher[In, Out] {
	b := &Batcher[In, Out]{write: write, key: o.Key, writers: o.Writers, maxBatch: o.MaxBatch, timeout: o.Timeout}
	if b.writers <= 0 {
		b.writers = 4
	}
	if b.maxBatch <= 0 {
		b.maxBatch = 256
	}
	if b.timeout <= 0 {
		b.timeout = 30 * time.Second
	}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// Do queues in and waits for the commit that carries it (or ctx's end; the request may still be
// carried out then, as with any request the client gave up on).
func (b *Batcher[In, Out]) Do(ctx context.Context, in In) (Out, error) {
	p := &pending[In, Out]{in: in, done: make(chan result[Out], 1)}
	b.mu.Lock()
	if !b.started {
		b.started = true
		for range b.writers {
			go b.run()
		}
	}
	b.queue = append(b.queue, p)
	b.cond.Signal()
	b.mu.Unlock()
	select {
	case r := <-p.done:
		return r.out, r.err
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

// take removes the next group from the queue: up to maxBatch, at most one per key. Called with
// b.mu held.
func (b *Batcher[In, Out]) take() []*pending[In, Out] {
	var seen map[any]bool
	if b.key != nil {
		seen = make(map[any]bool, len(b.queue))
	}
	var group, rest []*pending[In, Out]
	for _, p := range b.queue {
		if len(group) == b.maxBatch {
			rest = append(rest, p)
			continue
		}
		if seen != nil {
			k := b.key(p.in)
			if seen[k] {
				rest = append(rest, p)
				continue
			}
			seen[k] = true
		}
		group = append(group, p)
	}
	b.queue = rest
	return group
}

func (b *Batcher[In, Out]) run() {
	for {
		b.mu.Lock()
		for len(b.queue) == 0 {
			b.cond.Wait()
		}
		group := b.take()
		if len(b.queue) > 0 {
			b.cond.Signal() // what is left goes to another writer
		}
		b.mu.Unlock()
		b.flush(group)
	}
}

func (b *Batcher[In, Out]) flush(group []*pending[In, Out]) {
	in := make([]In, len(group))
	for i, p := range group {
		in[i] = p.in
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	outs, err := b.write(ctx, in)
	cancel()
	if err == nil && len(outs) != len(in) {
		err = errMismatch
	}
	for i, p := range group {
		r := result[Out]{err: err}
		if err == nil {
			r.out = outs[i]
		}
		p.done <- r
	}
}

type mismatchError struct{}

func (mismatchError) Error() string { return "batch: write returned a different number of results" }

var errMismatch error = mismatchError{}
