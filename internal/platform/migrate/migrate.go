// Package migrate applies versioned SQL migrations, one sequence of versions with a file per
// dialect (NNNN_name.sql under <dialect>/), under a lock so that several instances may start at once.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"qualify/internal/platform/db"
)

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Status is a migration and whether it has been applied.
type Status struct {
	Migration
	AppliedAt *time.Time
}

// advisoryLockKey is the PostgreSQL advisory lock held while migrating.
const advisoryLockKey = 7271_2025

// Load reads the migrations of one dialect from fsys (folder named after the dialect).
func Load(fsys fs.FS, dialect db.Dialect) ([]Migration, error) {
	dir := string(dialect)
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations %s: %w", dir, err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration version %d twice: %s and %s", v, prev, e.Name())
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// Up applies every pending migration and returns the versions it applied.
func Up(ctx context.Context, d *db.DB, fsys fs.FS) ([]int, error) {
	migs, err := Load(fsys, d.Dialect)
	if err != nil {
		return nil, err
	}
	sqlDB := d.SQL()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if d.Dialect == db.Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, advisoryLockKey); err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, advisoryLockKey) //nolint:errcheck
	}
	if _, err := conn.ExecContext(ctx, createTable); err != nil {
		// Two instances may race on CREATE TABLE IF NOT EXISTS in SQLite; the loser retries below.
		if _, err2 := conn.ExecContext(ctx, createTable); err2 != nil {
			return nil, fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	var applied []int
	for _, m := range migs {
		done, err := applyOne(ctx, conn, d.Dialect, m)
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// applyOne applies m unless it is already recorded; the check and the change share one
// transaction, which on SQLite holds the write lock from BEGIN (see db.ParseURL).
func applyOne(ctx context.Context, conn *sql.Conn, dialect db.Dialect, m Migration) (bool, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck
	var n int
	q := `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`
	ins := `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	if dialect == db.Postgres {
		q = `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`
		ins = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	}
	if err := tx.QueryRowContext(ctx, q, m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, ins, m.Version, m.Name, time.Now().UTC()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// List returns every known migration with the time it was applied, if it was.
func List(ctx context.Context, d *db.DB, fsys fs.FS) ([]Status, error) {
	migs, err := Load(fsys, d.Dialect)
	if err != nil {
		return nil, err
	}
	applied := map[int]time.Time{}
	rows, err := d.SQL().QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err == nil {
		defer rows.Close()
		for rows.Next() {
			var v int
			var at time.Time
			if err := rows.Scan(&v, &at); err != nil {
				return nil, err
			}
			applied[v] = at
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]Status, len(migs))
	for i, m := range migs {
		out[i] = Status{Migration: m}
		if at, ok := applied[m.Version]; ok {
			at := at
			out[i].AppliedAt = &at
		}
	}
	return out, nil
}
