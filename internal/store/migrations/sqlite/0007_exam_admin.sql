-- Accommodations (extra time, a re-sit) granted to one candidate, with reason and approver.

CREATE TABLE accommodations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id        INTEGER NOT NULL REFERENCES exams(id),
    cadre_id       INTEGER NOT NULL REFERENCES cadres(id),
    kind           TEXT NOT NULL CHECK (kind IN ('extra_time','resit')),
    extra_minutes  INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL,
    approver_id    INTEGER NOT NULL REFERENCES users(id),
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX accommodations_exam_cadre_idx ON accommodations (exam_id, cadre_id);
