package identity

import (
	"testing"
	"time"
)

func TestSessionCache(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	entry := func(user int64) cachedSession {
		return cachedSession{sess: Session{ID: "x", UserID: user}, user: User{ID: user}, loadedAt: now}
	}
	type step struct {
		name string
		run  func(c *sessionCache) bool // true when the outcome is right
	}
	hit := func(c *sessionCache, id string, at time.Time) bool { _, ok, _ := c.get(id, at); return ok }
	steps := []step{
		{"a stored entry is found", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			return hit(c, "s1", now)
		}},
		{"older than the TTL is a miss", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			return !hit(c, "s1", now.Add(sessionCacheTTL+time.Second))
		}},
		{"a lookup that began before an invalidation is not stored", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.invalidate(AuthChange{SessionID: "other"})
			c.put("s1", entry(1), g)
			return !hit(c, "s1", now)
		}},
		{"a user's change drops every session of that user only", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			c.put("s2", entry(1), g)
			c.put("s3", entry(2), g)
			c.invalidate(AuthChange{UserID: 1})
			return !hit(c, "s1", now) && !hit(c, "s2", now) && hit(c, "s3", now)
		}},
		{"a session's change drops that session", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			c.put("s2", entry(1), g)
			c.invalidate(AuthChange{SessionID: "s1"})
			return !hit(c, "s1", now) && hit(c, "s2", now)
		}},
		{"all drops everything", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			c.invalidate(AuthChange{All: true})
			return !hit(c, "s1", now)
		}},
		{"a disabled cache stores nothing", func(c *sessionCache) bool {
			c.setEnabled(false)
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			c.setEnabled(true)
			return !hit(c, "s1", now)
		}},
		{"turning it back on starts empty", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			c.setEnabled(false)
			c.setEnabled(true)
			return !hit(c, "s1", now)
		}},
		{"touched moves last activity", func(c *sessionCache) bool {
			_, _, g := c.get("s1", now)
			c.put("s1", entry(1), g)
			c.touched("s1", now.Add(time.Minute))
			e, _, _ := c.get("s1", now)
			return e.sess.LastSeenAt.Equal(now.Add(time.Minute))
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if !s.run(newSessionCache(true)) {
				t.Fatal("wrong outcome")
			}
		})
	}
}
