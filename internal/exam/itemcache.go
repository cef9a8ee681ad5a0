package exam

import (
	"context"
	"sync"

	"qualify/internal/bank"
)

// itemCache keeps item versions that papers use. A version an exam can draw is never changed
// in place (an edit of a published item makes a new version), so the cache needs no
// invalidation and is safe with any number of instances.
type itemCache struct {
	mu    sync.RWMutex
	items map[ItemRef]bank.Item
	max   int
}

func newItemCache(max int) *itemCache {
	return &itemCache{items: make(map[ItemRef]bank.Item), max: max}
}

// itemsAt returns the item versions of refs, loading only those not yet cached.
func (s *Service) itemsAt(ctx context.Context, refs []ItemRef) (map[ItemRef]bank.Item, error) {
	out := make(map[ItemRef]bank.Item, len(refs))
	var missing []ItemRef
	s.items.mu.RLock()
	for _, r := range refs {
		if it, ok := s.items.items[r]; ok {
			out[r] = it
		} else {
			missing = append(missing, r)
		}
	}
	s.items.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := s.store.ItemsAt(ctx, missing)
	if err != nil {
		return nil, err
	}
	s.items.mu.Lock()
	defer s.items.mu.Unlock()
	if len(s.items.items)+len(loaded) > s.items.max {
		s.items.items = make(map[ItemRef]bank.Item) // start over rather than track recency
	}
	for r, it := range loaded {
		out[r] = it
		if it.Status == bank.Published || it.PublishedVersion >= it.Version {
			s.items.items[r] = it // only versions that have been published are immutable
		}
	}
	return out, nil
}

// poolCache keeps each subject's pool until the subject's items change: the fingerprint (count
// and latest change of the subject's items) is one indexed query, far cheaper than the pool.
type poolCache struct {
	mu    sync.Mutex
	pools map[string]cachedPool
}

type cachedPool struct {
	fingerprint string
	pool        []PoolItem
}

// PoolFingerprinter tells whether a subject's pool may have changed.
type PoolFingerprinter interface {
	PoolFingerprint(ctx context.Context, subject string) (string, error)
}

// pool returns the subject's current pool, reusing the last one read while it is unchanged.
func (s *Service) pool(ctx context.Context, subject string) ([]PoolItem, error) {
	fp, ok := s.store.(PoolFingerprinter)
	if !ok {
		return s.store.Pool(ctx, subject)
	}
	f, err := fp.PoolFingerprint(ctx, subject)
	if err != nil {
		return nil, err
	}
	s.pools.mu.Lock()
	c, hit := s.pools.pools[subject]
	s.pools.mu.Unlock()
	if hit && c.fingerprint == f {
		return c.pool, nil
	}
	p, err := s.store.Pool(ctx, subject)
	if err != nil {
		return nil, err
	}
	s.pools.mu.Lock()
	s.pools.pools[subject] = cachedPool{fingerprint: f, pool: p}
	s.pools.mu.Unlock()
	return p, nil
}
