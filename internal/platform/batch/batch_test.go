package batch

import (
	"context"
	"errors"
	"sync"
	"testing"
)

type save struct{ AttemptID, ItemID, Seq int64 }

// The batcher gives every request its own outcome, never puts two requests with one key in one
// batch, and hands a failed write's error to every request in that batch.
func TestBatcher(t *testing.T) {
	type key struct{ a, i int64 }
	var mu sync.Mutex
	var batches [][]save
	failSeq := int64(-1)
	write := func(_ context.Context, saves []save) ([]int64, error) {
		mu.Lock()
		batches = append(batches, saves)
		mu.Unlock()
		out := make([]int64, len(saves))
		for i, s := range saves {
			if s.Seq == failSeq {
				return nil, errors.New("database down")
			}
			out[i] = s.Seq % 4 // outcome derived from the input, to see it routed back
		}
		return out, nil
	}
	b := New(write, Options[save]{Writers: 3, MaxBatch: 16, Key: func(s save) any { return [2]int64{s.AttemptID, s.ItemID} }})
	const attempts, items, repeats = 20, 5, 4
	var wg sync.WaitGroup
	var bad sync.Map
	for a := int64(1); a <= attempts; a++ {
		for i := int64(1); i <= items; i++ {
			for r := int64(1); r <= repeats; r++ {
				wg.Add(1)
				go func(a, i, r int64) {
					defer wg.Done()
					seq := a*1000 + i*10 + r
					got, err := b.Do(context.Background(), save{AttemptID: a, ItemID: i, Seq: seq})
					if err != nil || got != seq%4 {
						bad.Store(seq, got)
					}
				}(a, i, r)
			}
		}
	}
	wg.Wait()
	bad.Range(func(k, v any) bool { t.Errorf("seq %v: outcome %v", k, v); return true })
	total := 0
	for _, batch := range batches {
		if len(batch) > 16 {
			t.Errorf("batch of %d > 16", len(batch))
		}
		seen := map[key]bool{}
		for _, s := range batch {
			k := key{s.AttemptID, s.ItemID}
			if seen[k] {
				t.Errorf("answer %v twice in one batch", k)
			}
			seen[k] = true
		}
		total += len(batch)
	}
	if total != attempts*items*repeats {
		t.Fatalf("%d saves written, want %d", total, attempts*items*repeats)
	}

	failSeq = 7
	var errs [3]error
	for n := range errs {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			_, errs[n] = b.Do(context.Background(), save{AttemptID: 99, ItemID: int64(n), Seq: 7})
		}(n)
	}
	wg.Wait()
	for n, err := range errs {
		if err == nil {
			t.Errorf("save %d: no error from a failed write", n)
		}
	}
}
