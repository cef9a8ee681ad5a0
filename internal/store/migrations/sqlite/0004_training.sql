-- Training (干部教育培训): the holiday calendar (imported official years and local overrides),
-- training schools (an org unit) with their slot settings, venues, teachers (师资库), courses,
-- sessions, enrollment, attendance and the append-only training ledger (培训档案).
-- List-valued attributes (disciplines, target levels, the self-study outline ...) are JSON text.

CREATE TABLE holiday_days (
    date     DATE PRIMARY KEY,
    year     INTEGER NOT NULL,
    name     TEXT NOT NULL,
    off_day  BOOLEAN NOT NULL
);
CREATE INDEX holiday_days_year_idx ON holiday_days (year);

CREATE TABLE calendar_overrides (
    date        DATE PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('workday','weekend','holiday','makeup_workday')),
    name        TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL,
    updated_by  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE training_schools (
    org_id      INTEGER PRIMARY KEY REFERENCES orgs(id),
    recognized  BOOLEAN NOT NULL DEFAULT FALSE,
    settings    TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE venues (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    school_org_id  INTEGER NOT NULL REFERENCES orgs(id),
    name           TEXT NOT NULL,
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    address        TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (school_org_id, name)
);

CREATE TABLE teachers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    school_org_id  INTEGER NOT NULL REFERENCES orgs(id),
    name           TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    disciplines    TEXT NOT NULL DEFAULT '[]',
    topics         TEXT NOT NULL DEFAULT '[]',
    unavailable    TEXT NOT NULL DEFAULT '[]',
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (school_org_id, name)
);

CREATE TABLE courses (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    school_org_id      INTEGER NOT NULL REFERENCES orgs(id),
    code               TEXT NOT NULL,
    title              TEXT NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('full_time','centralized','online','self_study')),
    target_levels      TEXT NOT NULL DEFAULT '[]',
    target_categories  TEXT NOT NULL DEFAULT '[]',
    planned_hours      REAL NOT NULL,
    sessions           INTEGER NOT NULL,
    capacity           INTEGER NOT NULL,
    max_per_week       INTEGER NOT NULL,
    teacher_id         INTEGER REFERENCES teachers(id),
    venue_id           INTEGER REFERENCES venues(id),
    outline            TEXT NOT NULL DEFAULT '{}',
    credited_at        TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    UNIQUE (school_org_id, code)
);

CREATE TABLE training_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id   INTEGER NOT NULL REFERENCES courses(id),
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL,
    venue_id    INTEGER REFERENCES venues(id),
    teacher_id  INTEGER REFERENCES teachers(id),
    created_at  TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX training_sessions_course_idx ON training_sessions (course_id);
CREATE INDEX training_sessions_time_idx ON training_sessions (starts_at, ends_at);

CREATE TABLE enrollments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id   INTEGER NOT NULL REFERENCES courses(id),
    cadre_id    INTEGER NOT NULL REFERENCES cadres(id),
    status      TEXT NOT NULL CHECK (status IN ('enrolled','waitlisted')),
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (course_id, cadre_id)
);
CREATE INDEX enrollments_cadre_idx ON enrollments (cadre_id);

CREATE TABLE attendance (
    session_id   INTEGER NOT NULL REFERENCES training_sessions(id),
    cadre_id     INTEGER NOT NULL REFERENCES cadres(id),
    present      BOOLEAN NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, cadre_id)
);

CREATE TABLE training_ledger (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id       INTEGER NOT NULL REFERENCES cadres(id),
    course_id      INTEGER REFERENCES courses(id),
    course_title   TEXT NOT NULL,
    school_org_id  INTEGER REFERENCES orgs(id),
    school_name    TEXT NOT NULL,
    mode           TEXT NOT NULL,
    recognized     BOOLEAN NOT NULL,
    hours          REAL NOT NULL CHECK (hours >= 0),
    from_date      DATE NOT NULL,
    to_date        DATE NOT NULL,
    year           INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    created_by     TEXT NOT NULL,
    UNIQUE (cadre_id, course_id, year)
);
CREATE INDEX training_ledger_cadre_idx ON training_ledger (cadre_id, year);
