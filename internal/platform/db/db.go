// Package db opens Qualify's database (PostgreSQL or an embedded SQLite file) and carries
// transactions in the context so that a service can make several store calls atomically.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL dialect of an open database.
type Dialect string

// The two supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is an open database with its dialect.
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
	URL     string
}

// Options tune the connection pool and logging.
type Options struct {
	MaxOpenConns  int
	MaxIdleConns  int
	SlowThreshold time.Duration
	Logger        *slog.Logger
}

// ParseURL returns the dialect and driver DSN for a QUALIFY_DATABASE_URL value.
// sqlite://data/qualify.db is a path relative to the working directory; sqlite:///abs/path is absolute.
func ParseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite://"):
		rest := strings.TrimPrefix(raw, "sqlite://")
		path, query, _ := strings.Cut(rest, "?")
		if path == "" {
			return "", "", fmt.Errorf("sqlite URL %q has no file path", raw)
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			return "", "", fmt.Errorf("sqlite URL query: %w", err)
		}
		// WAL, foreign keys, busy timeout; every transaction takes the write lock at BEGIN so that
		// read-then-write sequences (audit chain, sequence checks) never fail on lock upgrade.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		return SQLite, path + "?" + q.Encode(), nil
	default:
		return "", "", fmt.Errorf("unsupported database URL %q: use postgres://... or sqlite://path", Redact(raw))
	}
}

// Redact hides the password of a database URL for printing.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "*****")
	}
	return u.String()
}

// Open connects to the database named by rawURL.
func Open(rawURL string, opt Options) (*DB, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.SlowThreshold == 0 {
		opt.SlowThreshold = 200 * time.Millisecond
	}
	cfg := &gorm.Config{
		Logger:                 newGormLogger(opt.Logger, opt.SlowThreshold),
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var g *gorm.DB
	switch dialect {
	case Postgres:
		g, err = gorm.Open(postgres.Open(dsn), cfg)
	case SQLite:
		path, _, _ := strings.Cut(dsn, "?")
		if dir := filepath.Dir(path); dir != "." && dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		g, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	switch dialect {
	case Postgres:
		if opt.MaxOpenConns == 0 {
			opt.MaxOpenConns = 20
		}
		if opt.MaxIdleConns == 0 {
			opt.MaxIdleConns = opt.MaxOpenConns
		}
	case SQLite:
		// One writer at a time anyway; a few connections let readers proceed under WAL.
		if opt.MaxOpenConns == 0 {
			opt.MaxOpenConns = 4
		}
		if opt.MaxIdleConns == 0 {
			opt.MaxIdleConns = opt.MaxOpenConns
		}
	}
	sqlDB.SetMaxOpenConns(opt.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opt.MaxIdleConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{Gorm: g, Dialect: dialect, URL: rawURL}, nil
}

// SQL returns the underlying *sql.DB.
func (d *DB) SQL() *sql.DB {
	s, _ := d.Gorm.DB()
	return s
}

// Ping checks that the database answers within ctx.
func (d *DB) Ping(ctx context.Context) error { return d.SQL().PingContext(ctx) }

// Close closes the pool.
func (d *DB) Close() error { return d.SQL().Close() }

type txKey struct{}

// Conn returns the transaction carried by ctx, or the pool, bound to ctx.
func (d *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return d.Gorm.WithContext(ctx)
}

// InTx runs fn in a transaction carried in its context. If ctx already carries one, fn joins it
// and the outermost InTx commits or rolls back. fn's error rolls back and is returned as is.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	after := &afterCommit{}
	err := d.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(context.WithValue(ctx, txKey{}, tx), afterKey{}, after))
	})
	if err == nil {
		for _, f := range after.fns {
			f()
		}
	}
	return err
}

type afterKey struct{}

type afterCommit struct{ fns []func() }

// AfterCommit runs f once the transaction ctx carries has committed (never if it rolls back),
// or at once outside a transaction. For effects outside the database that must not run ahead of
// the data they describe, such as dropping a cached copy of a row the transaction changed.
func AfterCommit(ctx context.Context, f func()) {
	if a, ok := ctx.Value(afterKey{}).(*afterCommit); ok {
		a.fns = append(a.fns, f)
		return
	}
	f()
}

// InTxFrom reports whether ctx carries a transaction.
func InTxFrom(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "UNIQUE constraint failed")
}

// IsForeignKeyViolation reports whether err is a foreign-key violation on either dialect.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 23503") || strings.Contains(s, "FOREIGN KEY constraint failed")
}

type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
	lvl  logger.LogLevel
}

func newGormLogger(l *slog.Logger, slow time.Duration) logger.Interface {
	return &gormLogger{log: l, slow: slow, lvl: logger.Warn}
}

func (g *gormLogger) LogMode(l logger.LogLevel) logger.Interface { c := *g; c.lvl = l; return &c }
func (g *gormLogger) Info(ctx context.Context, m string, a ...any) {
	g.log.InfoContext(ctx, fmt.Sprintf(m, a...))
}
func (g *gormLogger) Warn(ctx context.Context, m string, a ...any) {
	g.log.WarnContext(ctx, fmt.Sprintf(m, a...))
}
func (g *gormLogger) Error(ctx context.Context, m string, a ...any) {
	g.log.ErrorContext(ctx, fmt.Sprintf(m, a...))
}

func (g *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil:
		// Errors reach the caller, which logs the ones that are internal, with the request ID.
		return
	case elapsed > g.slow && g.lvl >= logger.Warn:
		sqlText, rows := fc()
		g.log.WarnContext(ctx, "slow sql", "sql", truncate(sqlText), "rows", rows, "ms", elapsed.Milliseconds())
	}
}

// ParamsFilter keeps bound values (password hashes, tokens) out of logged SQL.
func (g *gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

// IsUnavailable reports whether err means the database cannot be reached right now (server
// down, connection refused or reset, shutting down): the request may succeed if retried later.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	s := err.Error()
	for _, frag := range []string{"connection refused", "failed to connect", "connection reset", "broken pipe",
		"SQLSTATE 57P01", "SQLSTATE 57P02", "SQLSTATE 57P03", "SQLSTATE 08", "the database system is starting up",
		"the database system is shutting down", "unexpected EOF", "conn closed", "database is closed"} {
		if strings.Contains(s, frag) {
			return true
		}
	}
	return false
}
