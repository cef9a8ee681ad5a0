package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"qualify/internal/apitest"
	"qualify/internal/audit"
)

// Two instances record entries concurrently while both chain: every committed entry is chained
// exactly once, the chain verifies, and an entry whose transaction rolled back never appears.
func TestAuditChainWithConcurrentWritersAndChainers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.Env) {
		b := apitest.NewOn(t, a.DB, apitest.Config(t))
		ctx := context.Background()
		before, brk, err := a.App.Audit.VerifyAll(ctx)
		if err != nil || brk != nil {
			t.Fatalf("before: %v %v", err, brk)
		}
		const writers, each = 6, 40
		var wg sync.WaitGroup
		stop := make(chan struct{})
		var chainErr error
		var mu sync.Mutex
		for _, env := range []*apitest.Env{a, b} {
			wg.Add(1)
			go func(env *apitest.Env) {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := env.App.Audit.Chain(ctx); err != nil {
						mu.Lock()
						chainErr = err
						mu.Unlock()
						return
					}
				}
			}(env)
		}
		var rec sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			env := a
			if w%2 == 1 {
				env = b
			}
			rec.Add(1)
			go func(w int) {
				defer rec.Done()
				for i := 0; i < each; i++ {
					err := env.App.Store.InTx(ctx, func(ctx context.Context) error {
						return env.App.Audit.Record(ctx, audit.Entry{ActorName: "tester", Action: "test.write", TargetType: "test", TargetID: fmt.Sprintf("%d-%d", w, i)})
					})
					if err != nil {
						errs <- err
					}
				}
			}(w)
		}
		// A change that rolls back takes its entry with it.
		rolledBack := errors.New("rolled back")
		if err := a.App.Store.InTx(ctx, func(ctx context.Context) error {
			if err := a.App.Audit.Record(ctx, audit.Entry{ActorName: "tester", Action: "test.rollback", TargetType: "test", TargetID: "x"}); err != nil {
				return err
			}
			return rolledBack
		}); !errors.Is(err, rolledBack) {
			t.Fatal(err)
		}
		rec.Wait()
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if chainErr != nil {
			t.Fatal(chainErr)
		}
		after, brk, err := b.App.Audit.VerifyAll(ctx)
		if err != nil || brk != nil {
			t.Fatalf("after: %v %v", err, brk)
		}
		if after-before != writers*each {
			t.Fatalf("%d entries chained, want %d", after-before, writers*each)
		}
		if _, n, err := a.App.Audit.List(ctx, audit.Filter{Action: "test.rollback"}); err != nil || n != 0 {
			t.Fatalf("rolled-back entry listed %d times (%v)", n, err)
		}
	})
}
