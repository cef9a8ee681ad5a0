package exam

import (
	"context"
	"sync"
	"time"
)

// AnswerSave is one save request: the answer and the device that sent it ("" for none).
type AnswerSave struct {
	Answer
	Device string
}

// SaveResult of one request in a batch.
type batchOutcome struct {
	outcome SaveOutcome
	err     error
}

// saveBatcher groups the saves that arrive while earlier ones are being written into one store
// call: one statement and one commit for many candidates. A save is acknowledged only after the
// commit that stored it, so batching keeps no state a crash or a second instance could lose; it
// only shares the database's per-statement and per-commit cost. At low load a save goes out at
// once on an idle writer (no added wait); under load each writer takes everything that queued
// while it was busy.
//
// Two saves of the same answer (attempt, item) never share a batch: the later one waits for the
// next, so the seq rule decides between them exactly as it would one at a time.
type saveBatcher struct {
	write    func(ctx context.Context, saves []AnswerSave) ([]SaveOutcome, error)
	writers  int
	maxBatch int
	timeout  time.Duration

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*pendingSave
	started bool
}

type pendingSave struct {
	save AnswerSave
	done chan batchOutcome
}

func newSaveBatcher(write func(ctx context.Context, saves []AnswerSave) ([]SaveOutcome, error), writers, maxBatch int) *saveBatcher {
	b := &saveBatcher{write: write, writers: writers, maxBatch: maxBatch, timeout: 30 * time.Second}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// save queues one save and waits for the commit that stores it (or its context's end; the save
// may still be stored then, as with any request the client gave up on).
func (b *saveBatcher) save(ctx context.Context, s AnswerSave) (SaveOutcome, error) {
	p := &pendingSave{save: s, done: make(chan batchOutcome, 1)}
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
		return r.outcome, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// take removes the next batch from the queue: up to maxBatch saves, at most one per answer.
// Called with b.mu held.
func (b *saveBatcher) take() []*pendingSave {
	type key struct{ attempt, item int64 }
	seen := make(map[key]bool, len(b.queue))
	var batch, rest []*pendingSave
	for _, p := range b.queue {
		k := key{p.save.AttemptID, p.save.ItemID}
		if seen[k] || len(batch) == b.maxBatch {
			rest = append(rest, p)
			continue
		}
		seen[k] = true
		batch = append(batch, p)
	}
	b.queue = rest
	return batch
}

func (b *saveBatcher) run() {
	for {
		b.mu.Lock()
		for len(b.queue) == 0 {
			b.cond.Wait()
		}
		batch := b.take()
		if len(b.queue) > 0 {
			b.cond.Signal() // what is left goes to another writer
		}
		b.mu.Unlock()
		b.flush(batch)
	}
}

func (b *saveBatcher) flush(batch []*pendingSave) {
	saves := make([]AnswerSave, len(batch))
	for i, p := range batch {
		saves[i] = p.save
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	outs, err := b.write(ctx, saves)
	cancel()
	for i, p := range batch {
		r := batchOutcome{err: err}
		if err == nil {
			r.outcome = outs[i]
		}
		p.done <- r
	}
}
