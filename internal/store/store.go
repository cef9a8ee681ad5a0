// Package store is the only package that imports gorm: rows, queries and explicit row<->domain
// converters. Every method starts from conn(ctx), so it joins the transaction a service opened.
package store

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	"gorm.io/gorm"

	"qualify/internal/identity"
	"qualify/internal/platform/db"
)

// Store implements the persistence interfaces the domain packages declare.
type Store struct {
	db     *db.DB
	onAuth atomic.Pointer[func(identity.AuthChange)]
}

// OnAuthChange registers f to hear, after commit, of every change to sessions, accounts, roles
// or orgs that may change what a session authenticates as (the identity service's cache).
func (s *Store) OnAuthChange(f func(identity.AuthChange)) { s.onAuth.Store(&f) }

// authChanged tells the OnAuthChange listener about ch once ctx's transaction commits.
func (s *Store) authChanged(ctx context.Context, ch identity.AuthChange) {
	if f := s.onAuth.Load(); f != nil {
		db.AfterCommit(ctx, func() { (*f)(ch) })
	}
}

// New returns a Store over d.
func New(d *db.DB) *Store { return &Store{db: d} }

// DB returns the database the store works on.
func (s *Store) DB() *db.DB { return s.db }

// InTx runs fn in a transaction carried in its context (see db.DB.InTx).
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.Conn(ctx) }

func (s *Store) isPostgres() bool { return s.db.Dialect == db.Postgres }

// notFound reports whether err means "no row".
func notFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// likePattern escapes s for a LIKE pattern matching it anywhere.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// prefixPattern escapes s for a LIKE pattern matching strings that start with it.
func prefixPattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// pageOffset turns a 1-based page into an offset.
func pageOffset(page, size int) int {
	if page < 1 {
		page = 1
	}
	return (page - 1) * size
}
