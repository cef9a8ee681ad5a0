package identity

import (
	"sync"
	"time"
)

// AuthChange says what a session authenticates as may have changed, once the change has
// committed: one session (SessionID), every session of a user (UserID: disabled, roles, org,
// sessions revoked) or all of them (All: an org moved, so org paths changed).
type AuthChange struct {
	SessionID string
	UserID    int64
	All       bool
}

// sessionCacheTTL bounds how long a cached session is believed without asking the database.
// Changes that matter (revocation, disabling, roles, org moves) drop entries at once; the TTL is
// a backstop, and shorter than the idle timeout so an instance that has not seen a session for
// a while reads its last activity afresh.
const sessionCacheTTL = 60 * time.Second

// sessionCacheMax bounds the entries; when full the cache starts over.
const sessionCacheMax = 200_000

// sessionCache keeps the session, account and org path behind recent access tokens, so that an
// authenticated request does not read three tables each time. It is safe across instances only
// while every instance hears about changes: the owner disables it when it cannot (the
// PostgreSQL listener is down) and clears it when it can again. A lookup that started before an
// invalidation never stores its (possibly stale) result: gen counts invalidations.
type sessionCache struct {
	mu      sync.Mutex
	enabled bool
	gen     uint64
	entries map[string]cachedSession
}

type cachedSession struct {
	sess     Session
	user     User
	orgPath  string
	loadedAt time.Time
}

func newSessionCache(enabled bool) *sessionCache {
	return &sessionCache{enabled: enabled, entries: map[string]cachedSession{}}
}

// get returns a fresh entry, and the generation a miss's lookup must quote to put its result.
func (c *sessionCache) get(id string, now time.Time) (cachedSession, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.enabled {
		return cachedSession{}, false, c.gen
	}
	e, ok := c.entries[id]
	if !ok || now.Sub(e.loadedAt) > sessionCacheTTL || now.Before(e.loadedAt) {
		return cachedSession{}, false, c.gen
	}
	return e, true, c.gen
}

// put stores what a lookup read, unless something was invalidated since it began.
func (c *sessionCache) put(id string, e cachedSession, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.enabled || gen != c.gen {
		return
	}
	if len(c.entries) >= sessionCacheMax {
		clear(c.entries)
	}
	c.entries[id] = e
}

// touched records the session's new last activity if the entry is still there.
func (c *sessionCache) touched(id string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		e.sess.LastSeenAt = at
		c.entries[id] = e
	}
}

// invalidate drops what ch names.
func (c *sessionCache) invalidate(ch AuthChange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	switch {
	case ch.All:
		clear(c.entries)
	case ch.SessionID != "":
		delete(c.entries, ch.SessionID)
	}
	if ch.UserID != 0 {
		for id, e := range c.entries {
			if e.user.ID == ch.UserID {
				delete(c.entries, id)
			}
		}
	}
}

// setEnabled turns the cache on or off; either way it starts empty.
func (c *sessionCache) setEnabled(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.enabled = on
	clear(c.entries)
}
