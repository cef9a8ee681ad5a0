-- Audit entries are written in the transaction of the change they record, into audit_pending;
-- a chainer moves them into audit_events in commit order, giving each its seq and hash (see the
-- PostgreSQL migration of the same number).

CREATE TABLE audit_pending (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at  TIMESTAMP NOT NULL,
    actor_id     INTEGER,
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    summary      TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    ip           TEXT NOT NULL
);
