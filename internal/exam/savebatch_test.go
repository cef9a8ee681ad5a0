package exam

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// The batcher gives every save its own outcome, never puts two saves of one answer in one
// batch, and hands a failed write's error to every save in that batch.
func TestSaveBatcher(t *testing.T) {
	type key struct{ a, i int64 }
	var mu sync.Mutex
	var batches [][]AnswerSave
	failSeq := int64(-1)
	write := func(_ context.Context, saves []AnswerSave) ([]SaveOutcome, error) {
		mu.Lock()
		batches = append(batches, saves)
		mu.Unlock()
		out := make([]SaveOutcome, len(saves))
		for i, s := range saves {
			if s.Seq == failSeq {
				return nil, errors.New("database down")
			}
			out[i] = SaveOutcome(s.Seq % 4) // outcome derived from the input, to see it routed back
		}
		return out, nil
	}
	b := newSaveBatcher(write, 3, 16)
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
					got, err := b.save(context.Background(), AnswerSave{Answer: Answer{AttemptID: a, ItemID: i, Seq: seq}})
					if err != nil || got != SaveOutcome(seq%4) {
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
			_, errs[n] = b.save(context.Background(), AnswerSave{Answer: Answer{AttemptID: 99, ItemID: int64(n), Seq: int64(7 - n*0)}})
		}(n)
	}
	wg.Wait()
	for n, err := range errs {
		if err == nil {
			t.Errorf("save %d: no error from a failed write", n)
		}
	}
}
