package exam

import (
	"sync"
)

// paperFacts is what a save needs to know of an attempt that never changes: whose it is and the
// questions of its paper. Caching it is safe on any number of instances because it is immutable;
// what does change (status, deadline, device) is checked by the database in the save itself.
type paperFacts struct {
	cadreID   int64
	questions map[int64]Question
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
	f := &paperFacts{cadreID: a.CadreID, questions: make(map[int64]Question, len(a.Paper.Questions))}
	for _, q := range a.Paper.Questions {
		f.questions[q.ItemID] = q
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
