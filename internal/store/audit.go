package store

import (
	"context"
	"time"

	"qualify/internal/audit"
)

// AuditContent is what an audit entry records, the same in the chain and while pending (exported:
// gorm reads only exported embedded structs).
type AuditContent struct {
	OccurredAt time.Time
	ActorID    *int64
	ActorName  string
	Action     string
	TargetType string
	TargetID   string
	Summary    string
	RequestID  string
	IP         string `gorm:"column:ip"`
}

func auditContentFrom(e audit.Event) AuditContent {
	return AuditContent{OccurredAt: e.OccurredAt.UTC(), ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, Summary: e.Summary, RequestID: e.RequestID, IP: e.IP}
}

// event is the content as an entry not yet chained.
func (c AuditContent) event() audit.Event {
	return audit.Event{OccurredAt: c.OccurredAt.UTC(), ActorID: c.ActorID, ActorName: c.ActorName, Action: c.Action,
		TargetType: c.TargetType, TargetID: c.TargetID, Summary: c.Summary, RequestID: c.RequestID, IP: c.IP}
}

type auditEventRow struct {
	Seq          int64 `gorm:"primaryKey;autoIncrement:false"`
	AuditContent `gorm:"embedded"`
	PrevHash     string
	Hash         string
}

func (auditEventRow) TableName() string { return "audit_events" }

func toAuditEvent(r auditEventRow) audit.Event {
	e := r.event()
	e.Seq, e.PrevHash, e.Hash = r.Seq, r.PrevHash, r.Hash
	return e
}

func auditEventRowFrom(e audit.Event) auditEventRow {
	return auditEventRow{Seq: e.Seq, AuditContent: auditContentFrom(e), PrevHash: e.PrevHash, Hash: e.Hash}
}

// auditChainLockKey is the advisory lock that serializes appends to the audit chain on PostgreSQL.
const auditChainLockKey = 7271_0001

// LockAuditChain takes a transaction-scoped lock on PostgreSQL; on SQLite every transaction
// already holds the write lock from BEGIN.
func (s *Store) LockAuditChain(ctx context.Context) error {
	if !s.isPostgres() {
		return nil
	}
	return s.conn(ctx).Exec(`SELECT pg_advisory_xact_lock(?)`, auditChainLockKey).Error
}

// LastAuditEvent returns the newest audit entry, or nil when there is none.
func (s *Store) LastAuditEvent(ctx context.Context) (*audit.Event, error) {
	var rows []auditEventRow
	if err := s.conn(ctx).Order("seq DESC").Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	e := toAuditEvent(rows[0])
	return &e, nil
}

type auditPendingRow struct {
	ID           int64 `gorm:"primaryKey"`
	AuditContent `gorm:"embedded"`
}

func (auditPendingRow) TableName() string { return "audit_pending" }

// InsertPendingAudit stores an entry to be chained.
func (s *Store) InsertPendingAudit(ctx context.Context, e audit.Event) error {
	return s.conn(ctx).Create(&auditPendingRow{AuditContent: auditContentFrom(e)}).Error
}

// PendingAudit returns up to limit committed pending entries in the order they were recorded.
func (s *Store) PendingAudit(ctx context.Context, limit int) ([]audit.Pending, error) {
	var rows []auditPendingRow
	if err := s.conn(ctx).Order("occurred_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]audit.Pending, len(rows))
	for i, r := range rows {
		out[i] = audit.Pending{ID: r.ID, Event: r.event()}
	}
	return out, nil
}

// ChainAudit appends the chained entries and deletes the pending rows they came from.
func (s *Store) ChainAudit(ctx context.Context, chained []audit.Event, pendingIDs []int64) error {
	if len(chained) == 0 {
		return nil
	}
	rows := make([]auditEventRow, len(chained))
	for i, e := range chained {
		rows[i] = auditEventRowFrom(e)
	}
	// 12 columns per row: 400 rows stay under SQLite's and PostgreSQL's parameter limits.
	if err := s.conn(ctx).CreateInBatches(rows, 400).Error; err != nil {
		return err
	}
	for from := 0; from < len(pendingIDs); from += 1000 {
		to := min(from+1000, len(pendingIDs))
		if err := s.conn(ctx).Where("id IN ?", pendingIDs[from:to]).Delete(&auditPendingRow{}).Error; err != nil {
			return err
		}
	}
	return nil
}

// ListAuditEvents returns a filtered page of entries, newest first, and the total count.
func (s *Store) ListAuditEvents(ctx context.Context, f audit.Filter) ([]audit.Event, int64, error) {
	q := s.conn(ctx).Model(&auditEventRow{})
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	if f.ActorName != "" {
		q = q.Where("actor_name = ?", f.ActorName)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []auditEventRow
	if err := q.Order("seq DESC").Offset(pageOffset(f.Page, f.PageSize)).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]audit.Event, len(rows))
	for i, r := range rows {
		out[i] = toAuditEvent(r)
	}
	return out, total, nil
}

// AuditEventsFrom returns up to limit entries with seq >= from in seq order.
func (s *Store) AuditEventsFrom(ctx context.Context, from int64, limit int) ([]audit.Event, error) {
	var rows []auditEventRow
	if err := s.conn(ctx).Where("seq >= ?", from).Order("seq").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]audit.Event, len(rows))
	for i, r := range rows {
		out[i] = toAuditEvent(r)
	}
	return out, nil
}
