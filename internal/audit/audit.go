// Package audit keeps Qualify's tamper-evident record (审计日志): an append-only log, each entry
// carrying the hash of the previous one. An entry is written in the same transaction as the
// change it records (as pending) and chained in commit order moments later, by whichever
// instance gets there first; reading or verifying the log chains what is pending first.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"qualify/internal/platform/apperr"
	"qualify/internal/platform/reqmeta"
)

// GenesisHash is the prev_hash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one stored audit entry.
type Event struct {
	Seq        int64
	OccurredAt time.Time
	ActorID    *int64
	ActorName  string
	Action     string
	TargetType string
	TargetID   string
	Summary    string // canonical JSON: {"before":...,"after":...,...}
	RequestID  string
	IP         string
	PrevHash   string
	Hash       string
}

// Entry is what a service asks to record.
type Entry struct {
	ActorID    *int64
	ActorName  string // username, or "system" for background work
	Action     string // e.g. "auth.login", "cadre.update"
	TargetType string
	TargetID   string
	Before     any // nil when nothing existed
	After      any // nil when nothing remains
	Note       string
}

// Store is what the audit log needs from persistence.
type Store interface {
	// LockAuditChain serializes chaining until the transaction in ctx ends.
	LockAuditChain(ctx context.Context) error
	// LastAuditEvent returns the newest chained entry, or nil when the log is empty.
	LastAuditEvent(ctx context.Context) (*Event, error)
	// InsertPendingAudit stores an entry not yet chained (its Seq, PrevHash and Hash are unset).
	InsertPendingAudit(ctx context.Context, e Event) error
	// PendingAudit returns up to limit committed entries not yet chained, oldest first.
	PendingAudit(ctx context.Context, limit int) ([]Pending, error)
	// ChainAudit appends chained entries and removes the pending ones they came from.
	ChainAudit(ctx context.Context, chained []Event, pendingIDs []int64) error
	ListAuditEvents(ctx context.Context, f Filter) ([]Event, int64, error)
	// AuditEventsFrom returns up to limit entries with seq >= from, in seq order.
	AuditEventsFrom(ctx context.Context, from int64, limit int) ([]Event, error)
}

// Pending is an entry recorded but not yet chained.
type Pending struct {
	ID int64
	Event
}

// Filter narrows a listing of the log.
type Filter struct {
	Action     string
	TargetType string
	TargetID   string
	ActorName  string
	Page       int
	PageSize   int
}

// Transactor runs a function in a transaction carried in its context.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Log records and reads audit entries.
type Log struct {
	store Store
	tx    Transactor
	now   func() time.Time
}

// New returns a Log over s.
func New(s Store, tx Transactor) *Log {
	return &Log{store: s, tx: tx, now: time.Now}
}

// SetClock replaces the clock (tests).
func (l *Log) SetClock(now func() time.Time) { l.now = now }

// Record writes e to the log in the transaction of ctx when there is one (so the entry commits
// or rolls back with the change it records), otherwise in its own. The entry is chained (given
// its seq and the hash linking it to its predecessor) by Chain, in commit order, shortly after:
// writers never wait for one another here.
func (l *Log) Record(ctx context.Context, e Entry) error {
	ev, err := l.build(ctx, e)
	if err != nil {
		return err
	}
	return apperr.Wrap(l.store.InsertPendingAudit(ctx, ev), "append audit entry")
}

// chainBatch bounds the entries chained in one transaction.
const chainBatch = 2000

// Chain moves every committed pending entry into the chain, in the order of recording, and
// returns how many. Safe on several instances at once: the chain's lock lets one chain at a time.
func (l *Log) Chain(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := l.tx.InTx(ctx, func(ctx context.Context) error {
			if err := l.store.LockAuditChain(ctx); err != nil {
				return apperr.Wrap(err, "lock audit chain")
			}
			pending, err := l.store.PendingAudit(ctx, chainBatch)
			if err != nil || len(pending) == 0 {
				return apperr.Wrap(err, "read pending audit entries")
			}
			last, err := l.store.LastAuditEvent(ctx)
			if err != nil {
				return apperr.Wrap(err, "read audit chain")
			}
			chained := make([]Event, len(pending))
			ids := make([]int64, len(pending))
			for i, p := range pending {
				chained[i] = link(p.Event, last)
				last, ids[i] = &chained[i], p.ID
			}
			n = len(pending)
			return apperr.Wrap(l.store.ChainAudit(ctx, chained, ids), "chain audit entries")
		})
		total += n
		if err != nil || n < chainBatch {
			return total, err
		}
	}
}

// build turns e into an entry with its time, request and address, not yet chained.
func (l *Log) build(ctx context.Context, e Entry) (Event, error) {
	summary := map[string]any{}
	if e.Before != nil {
		summary["before"] = e.Before
	}
	if e.After != nil {
		summary["after"] = e.After
	}
	if e.Note != "" {
		summary["note"] = e.Note
	}
	b, err := json.Marshal(summary)
	if err != nil {
		return Event{}, apperr.Wrap(err, "encode audit summary")
	}
	meta := reqmeta.From(ctx)
	ev := Event{
		Seq:        1,
		OccurredAt: l.now().UTC().Truncate(time.Microsecond),
		ActorID:    e.ActorID,
		ActorName:  e.ActorName,
		Action:     e.Action,
		TargetType: e.TargetType,
		TargetID:   e.TargetID,
		Summary:    string(b),
		RequestID:  meta.RequestID,
		IP:         meta.ClientIP,
	}
	if ev.ActorName == "" {
		ev.ActorName = "system"
	}
	return ev, nil
}

// link makes ev the successor of last (nil: the first entry): its seq, its predecessor's hash
// and its own hash.
func link(ev Event, last *Event) Event {
	ev.Seq, ev.PrevHash = 1, GenesisHash
	if last != nil {
		ev.Seq = last.Seq + 1
		ev.PrevHash = last.Hash
		if !ev.OccurredAt.After(last.OccurredAt) {
			// Keep time monotonic along the chain even if clocks of two instances differ or
			// transactions commit in another order than they recorded.
			ev.OccurredAt = last.OccurredAt.Add(time.Microsecond)
		}
	}
	ev.Hash = Hash(ev)
	return ev
}

// Hash returns the SHA-256 over an entry's fields and its predecessor's hash.
func Hash(e Event) string {
	actor := ""
	if e.ActorID != nil {
		actor = strconv.FormatInt(*e.ActorID, 10)
	}
	parts := []string{
		strconv.FormatInt(e.Seq, 10),
		e.OccurredAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		actor, e.ActorName, e.Action, e.TargetType, e.TargetID, e.Summary, e.RequestID, e.IP, e.PrevHash,
	}
	h := sha256.New()
	for _, p := range parts {
		// Length-prefix each field so that no two field lists hash alike.
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Break describes the first place where the chain does not hold.
type Break struct {
	Seq    int64  // the entry at which the chain breaks
	Reason string // edited, deleted or reordered, in words
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// Verifier checks a chain fed to it in seq order, one entry at a time.
type Verifier struct {
	prev  *Event
	count int64
}

// Next checks e against its predecessor; it returns a Break at the first inconsistency.
func (v *Verifier) Next(e Event) *Break {
	expectSeq, expectPrev := int64(1), GenesisHash
	if v.prev != nil {
		expectSeq, expectPrev = v.prev.Seq+1, v.prev.Hash
	}
	switch {
	case Hash(e) != e.Hash:
		return &Break{Seq: e.Seq, Reason: "内容被修改（entry edited: its hash does not match its fields）"}
	case e.Seq < expectSeq:
		return &Break{Seq: e.Seq, Reason: "顺序被打乱（entry out of order）"}
	case e.Seq > expectSeq:
		return &Break{Seq: expectSeq, Reason: fmt.Sprintf("记录缺失（entries %d..%d deleted）", expectSeq, e.Seq-1)}
	case e.PrevHash != expectPrev:
		return &Break{Seq: e.Seq, Reason: "链接断开（prev_hash does not match the previous entry: reordered or replaced）"}
	case v.prev != nil && e.OccurredAt.Before(v.prev.OccurredAt):
		return &Break{Seq: e.Seq, Reason: "时间倒序（timestamp earlier than the previous entry）"}
	}
	ev := e
	v.prev = &ev
	v.count++
	return nil
}

// Count returns how many entries have been verified.
func (v *Verifier) Count() int64 { return v.count }

// VerifyAll walks the stored chain in pages and returns the number of intact entries and the
// first Break (nil when the chain is intact).
func (l *Log) VerifyAll(ctx context.Context) (int64, *Break, error) {
	if _, err := l.Chain(ctx); err != nil {
		return 0, nil, err
	}
	var v Verifier
	from := int64(1)
	for {
		page, err := l.store.AuditEventsFrom(ctx, from, 1000)
		if err != nil {
			return v.Count(), nil, apperr.Wrap(err, "read audit chain")
		}
		for _, e := range page {
			if b := v.Next(e); b != nil {
				return v.Count(), b, nil
			}
		}
		if len(page) < 1000 {
			return v.Count(), nil, nil
		}
		from = page[len(page)-1].Seq + 1
	}
}

// List returns a page of entries, newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Event, int64, error) {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize < 1 || f.PageSize > 200 {
		f.PageSize = 50
	}
	f.Action = strings.TrimSpace(f.Action)
	// What has committed is chained before it is read, so the list is never behind the changes.
	if _, err := l.Chain(ctx); err != nil {
		return nil, 0, err
	}
	items, total, err := l.store.ListAuditEvents(ctx, f)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list audit events")
	}
	return items, total, nil
}
