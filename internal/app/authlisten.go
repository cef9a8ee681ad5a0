package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"qualify/internal/identity"
	"qualify/internal/platform/db"
)

// ListenAuthChanges keeps the session cache of this instance coherent with the others on one
// PostgreSQL: it listens on qualify_auth (see migration 0012) and drops what each notification
// names. The cache is on only while the listener is connected; when the connection is lost the
// cache is turned off (every request reads the database) until it is back. Returns when ctx ends.
// On SQLite there are no other instances and the cache needs no listener.
func (a *App) ListenAuthChanges(ctx context.Context) {
	if a.DB.Dialect != db.Postgres {
		return
	}
	for {
		err := a.listenAuth(ctx)
		a.Identity.SetSessionCache(false)
		if ctx.Err() != nil {
			return
		}
		a.Logger.Warn("session cache off: change listener disconnected, retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (a *App) listenAuth(ctx context.Context) error {
	_, dsn, err := db.ParseURL(a.DB.URL)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN qualify_auth"); err != nil {
		return err
	}
	// From here on every committed change is heard; what was cached before is dropped.
	a.Identity.SetSessionCache(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		a.Identity.AuthChanged(parseAuthChange(n.Payload))
	}
}

// parseAuthChange reads a qualify_auth payload; anything unexpected drops everything.
func parseAuthChange(p string) identity.AuthChange {
	kind, v, _ := strings.Cut(p, ":")
	switch kind {
	case "s":
		if v != "" {
			return identity.AuthChange{SessionID: v}
		}
	case "u":
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			return identity.AuthChange{UserID: id}
		}
	}
	return identity.AuthChange{All: true}
}
