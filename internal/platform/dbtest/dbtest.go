// Package dbtest hands tests fresh, migrated databases on SQLite and on PostgreSQL, so that every
// store and API test runs on both dialects.
//
// PostgreSQL comes from TEST_DATABASE_URL (a server where the user may CREATE DATABASE); without
// it a local server at 127.0.0.1:5432 is tried. When none answers the PostgreSQL half is skipped,
// except under CI=true, where it fails.
//
// A package using it must call Main from TestMain, so that the template database is dropped.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the admin connection

	"qualify/internal/platform/db"
	"qualify/internal/platform/migrate"
	"qualify/internal/store/migrations"
)

const defaultPG = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var (
	mu       sync.Mutex
	pgOnce   sync.Once
	pgBase   string // admin URL, or "" when PostgreSQL is unavailable
	pgErr    error
	template string // name of the migrated template database
	counter  int
	prefix   string
)

// Main runs the package's tests and drops the PostgreSQL template afterwards.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if template != "" && pgBase != "" {
		if admin, err := sql.Open("pgx", pgBase); err == nil {
			admin.Exec(`DROP DATABASE IF EXISTS ` + template + ` WITH (FORCE)`) //nolint:errcheck
			admin.Close()
		}
	}
	return code
}

// Dialects lists the dialects to run on: SQLite always, PostgreSQL when available.
func Dialects() []db.Dialect { return []db.Dialect{db.SQLite, db.Postgres} }

// Each runs fn as a subtest on each dialect with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			fn(t, Open(t, dialect))
		})
	}
}

// Logger returns a logger that writes nowhere unless QUALIFY_TEST_LOG is set.
func Logger() *slog.Logger {
	if os.Getenv("QUALIFY_TEST_LOG") != "" {
		return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Open returns a fresh migrated database of the given dialect, closed and dropped at cleanup.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	switch dialect {
	case db.SQLite:
		return openSQLite(t)
	case db.Postgres:
		return openPostgres(t)
	}
	t.Fatalf("unknown dialect %s", dialect)
	return nil
}

// URL returns a fresh, migrated database URL of the given dialect without opening it (for
// tests that run the binary's own code paths, such as two server instances on one database).
func URL(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	d := Open(t, dialect)
	u := d.URL
	d.Close()
	return u
}

func openSQLite(t testing.TB) *db.DB {
	path := filepath.Join(t.TempDir(), "test.db")
	u := "sqlite://" + path
	d, err := db.Open(u, db.Options{Logger: Logger()})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	if _, err := migrate.Up(context.Background(), d, migrations.FS); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func pgAvailable() (string, error) {
	pgOnce.Do(func() {
		base := os.Getenv("TEST_DATABASE_URL")
		if base == "" {
			base = defaultPG
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			pgErr = err
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := admin.PingContext(ctx); err != nil {
			pgErr = fmt.Errorf("PostgreSQL at %s does not answer: %w", db.Redact(base), err)
			return
		}
		pgBase = base
		var b [4]byte
		rand.Read(b[:]) //nolint:errcheck
		prefix = fmt.Sprintf("qt_%d_%s", os.Getpid(), hex.EncodeToString(b[:]))
	})
	return pgBase, pgErr
}

func withDB(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func openPostgres(t testing.TB) *db.DB {
	base, err := pgAvailable()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("PostgreSQL half skipped: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	mu.Lock()
	if template == "" {
		name := prefix + "_tmpl"
		if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
			mu.Unlock()
			t.Fatalf("create template database: %v", err)
		}
		d, err := db.Open(withDB(base, name), db.Options{Logger: Logger(), MaxOpenConns: 2})
		if err != nil {
			mu.Unlock()
			t.Fatal(err)
		}
		_, err = migrate.Up(context.Background(), d, migrations.FS)
		d.Close()
		if err != nil {
			mu.Unlock()
			t.Fatalf("migrate postgres template: %v", err)
		}
		template = name
	}
	counter++
	name := fmt.Sprintf("%s_%d", prefix, counter)
	tmpl := template
	mu.Unlock()
	u := createDatabase(t, admin, base, name, tmpl)
	d, err := db.Open(u, db.Options{Logger: Logger(), MaxOpenConns: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() }) // runs before the drop registered earlier
	return d
}

// createDatabase creates name (from template when not empty), drops it at cleanup, and returns its URL.
func createDatabase(t testing.TB, admin *sql.DB, base, name, template string) string {
	t.Helper()
	q := `CREATE DATABASE ` + name
	if template != "" {
		q += ` TEMPLATE ` + template
	}
	if _, err := admin.Exec(q); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) //nolint:errcheck
			a.Close()
		}
	})
	return withDB(base, name)
}

// RandomSuffix returns a short random hex string for unique test names.
func RandomSuffix() string {
	var b [4]byte
	rand.Read(b[:]) //nolint:errcheck
	return strings.ToLower(hex.EncodeToString(b[:]))
}

// EmptyURL returns the URL of a fresh database with no tables (for migration tests).
func EmptyURL(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "empty.db")
	}
	base, err := pgAvailable()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("PostgreSQL half skipped: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	mu.Lock()
	counter++
	name := fmt.Sprintf("%s_e%d", prefix, counter)
	mu.Unlock()
	return createDatabase(t, admin, base, name, "")
}
