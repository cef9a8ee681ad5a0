package exam

import (
	"cmp"
	"slices"
	"sync"
)

// paperFacts is what a save needs to know of an attempt that never changes: whose it is, which
// items its paper holds and how many options each shows. Caching it is safe on any number of
// instances because it is immutable; what does change (status, deadline, device) is checked by
// the database in the save itself. It is kept compact (about 1 KB for 100 questions): a server
// holds one per candidate in progress.
type paperFacts struct {
	cadreID int64
	items   []int64 // sorted
	options []uint8 // options shown for items[i]
}

// question reports whether itemID is on the paper and how many options it shows.
func (f *paperFacts) question(itemID int64) (options int, ok bool) {
	i, found := slices.BinarySearch(f.items, itemID)
	if !found {
		return 0, false
	}
	return int(f.options[i]), true
}

// paperCache keeps paperFacts for recently used attempts, bounded in size.
type paperCache struct {
	mu    sync.Mutex
	items map[int64]*paperFacts
	order []int64
	max   int
}

func newPaperCache(max int) *paperCache {
	return &paperCache{items: make(map[int64]*paperFacts, max), max: max}
}

func (c *paperCache) get(id int64) (*paperFacts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.items[id]
	return f, ok
}

func (c *paperCache) put(id int64, a Attempt) *paperFacts {
	qs := slices.SortedFunc(slices.Values(a.Paper.Questions), func(x, y Question) int { return cmp.Compare(x.ItemID, y.ItemID) })
	f := &paperFacts{cadreID: a.CadreID, items: make([]int64, len(qs)), options: make([]uint8, len(qs))}
	for i, q := range qs {
		f.items[i], f.options[i] = q.ItemID, uint8(min(len(q.Order), 255))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[id]; !ok {
		if len(c.order) >= c.max { // evict the oldest entry
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
		c.order = append(c.order, id)
	}
	c.items[id] = f
	return f
}
