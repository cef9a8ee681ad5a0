-- Exams: definitions, attempts with their papers, answers and their journal, integrity events,
-- marking tasks and marks.

CREATE TABLE exams (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT NOT NULL,
    subject             TEXT NOT NULL,
    duration_minutes    INTEGER NOT NULL CHECK (duration_minutes > 0),
    opens_at            TIMESTAMP NOT NULL,
    closes_at           TIMESTAMP NOT NULL,
    pass_score          REAL NOT NULL,
    max_attempts        INTEGER NOT NULL CHECK (max_attempts > 0),
    blueprint           TEXT NOT NULL,
    eligibility         TEXT NOT NULL,
    review_policy       TEXT NOT NULL,
    scoring_override    TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('draft','published','closed')),
    results_released_at TIMESTAMP,
    org_id              INTEGER REFERENCES orgs(id),
    created_by          INTEGER REFERENCES users(id),
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    CHECK (closes_at > opens_at)
);
CREATE INDEX exams_status_idx ON exams (status, closes_at);

CREATE TABLE attempts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id           INTEGER NOT NULL REFERENCES exams(id),
    cadre_id          INTEGER NOT NULL REFERENCES cadres(id),
    user_id           INTEGER REFERENCES users(id),
    attempt_no        INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('in_progress','grading','graded')),
    seed              INTEGER NOT NULL,
    paper             TEXT NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    deadline          TIMESTAMP NOT NULL,
    submitted_at      TIMESTAMP,
    submitted_by      TEXT NOT NULL DEFAULT '',
    device_id         TEXT NOT NULL DEFAULT '',
    objective_score   REAL,
    subjective_score  REAL,
    total_score       REAL,
    passed            BOOLEAN,
    result_hash       TEXT NOT NULL DEFAULT '',
    UNIQUE (exam_id, cadre_id, attempt_no)
);
CREATE INDEX attempts_due_idx ON attempts (status, deadline);
CREATE INDEX attempts_cadre_idx ON attempts (cadre_id);

CREATE TABLE attempt_answers (
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    item_id     INTEGER NOT NULL,
    answer      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    saved_at    TIMESTAMP NOT NULL,
    points      REAL,
    PRIMARY KEY (attempt_id, item_id)
);

-- Every accepted save, in order: the journal an acknowledged answer is written to before the
-- candidate is told it was saved.
CREATE TABLE answer_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    item_id     INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    answer      TEXT NOT NULL,
    saved_at    TIMESTAMP NOT NULL,
    device_id   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX answer_log_attempt_idx ON answer_log (attempt_id, item_id);

CREATE TABLE integrity_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    client_at   TIMESTAMP,
    server_at   TIMESTAMP NOT NULL
);
CREATE INDEX integrity_events_attempt_idx ON integrity_events (attempt_id);

CREATE TABLE marking_tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    item_id     INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    max_points  REAL NOT NULL,
    tolerance   REAL NOT NULL,
    stage       TEXT NOT NULL,
    final_score REAL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (attempt_id, item_id)
);
CREATE INDEX marking_tasks_stage_idx ON marking_tasks (stage);

CREATE TABLE marks (
    task_id     INTEGER NOT NULL REFERENCES marking_tasks(id),
    role        TEXT NOT NULL CHECK (role IN ('first','second','third','arbitration')),
    marker_id   INTEGER NOT NULL REFERENCES users(id),
    points      REAL NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (task_id, role)
);
CREATE INDEX marks_marker_idx ON marks (marker_id);
