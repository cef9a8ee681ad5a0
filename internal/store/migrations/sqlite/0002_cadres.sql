-- Cadres (干部) and their post history, over the rank ladder of domain.md §1: the 10 leadership
-- post levels (领导职务层次), the ranks (职级) by category, and their equivalence (相当层次).
-- The ladder is data: changing it is a new migration (or an admin screen later), not a code edit.
-- grade_min/grade_max are the 级别 range, 1 the highest: grade_min is the higher end (smaller
-- number), grade_max the lower end.

CREATE TABLE post_levels (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    ord        INTEGER NOT NULL UNIQUE,
    grade_min  INTEGER NOT NULL,
    grade_max  INTEGER NOT NULL
);

INSERT INTO post_levels (code, name, ord, grade_min, grade_max) VALUES
    ('state_principal',      '国家级正职', 1, 1, 1),
    ('state_deputy',         '国家级副职', 2, 2, 4),
    ('provincial_principal', '省部级正职', 3, 4, 8),
    ('provincial_deputy',    '省部级副职', 4, 6, 10),
    ('bureau_principal',     '厅局级正职', 5, 8, 13),
    ('bureau_deputy',        '厅局级副职', 6, 10, 15),
    ('county_principal',     '县处级正职', 7, 12, 18),
    ('county_deputy',        '县处级副职', 8, 14, 20),
    ('township_principal',   '乡科级正职', 9, 16, 22),
    ('township_deputy',      '乡科级副职', 10, 17, 24);

CREATE TABLE post_categories (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

INSERT INTO post_categories (code, name) VALUES
    ('party_government_leader', '党政领导'),
    ('administrative',          '行政管理'),
    ('party_mass',              '党群组织管理');

CREATE TABLE rank_categories (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

INSERT INTO rank_categories (code, name) VALUES ('general', '综合管理类');

CREATE TABLE ranks (
    category   TEXT NOT NULL REFERENCES rank_categories(code),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    ord        INTEGER NOT NULL,
    grade_min  INTEGER NOT NULL,
    grade_max  INTEGER NOT NULL,
    PRIMARY KEY (category, code),
    UNIQUE (category, ord)
);

INSERT INTO ranks (category, code, name, ord, grade_min, grade_max) VALUES
    ('general', 'inspector_1',    '一级巡视员',   1, 8, 13),
    ('general', 'inspector_2',    '二级巡视员',   2, 10, 15),
    ('general', 'researcher_1',   '一级调研员',   3, 11, 17),
    ('general', 'researcher_2',   '二级调研员',   4, 12, 18),
    ('general', 'researcher_3',   '三级调研员',   5, 13, 19),
    ('general', 'researcher_4',   '四级调研员',   6, 14, 20),
    ('general', 'senior_staff_1', '一级主任科员', 7, 15, 21),
    ('general', 'senior_staff_2', '二级主任科员', 8, 16, 22),
    ('general', 'senior_staff_3', '三级主任科员', 9, 17, 23),
    ('general', 'senior_staff_4', '四级主任科员', 10, 18, 24),
    ('general', 'staff_1',        '一级科员',     11, 18, 26),
    ('general', 'staff_2',        '二级科员',     12, 19, 27);

CREATE TABLE rank_equivalences (
    post_level     TEXT NOT NULL REFERENCES post_levels(code),
    rank_category  TEXT NOT NULL,
    rank_code      TEXT NOT NULL,
    PRIMARY KEY (post_level, rank_category, rank_code),
    FOREIGN KEY (rank_category, rank_code) REFERENCES ranks(category, code)
);

INSERT INTO rank_equivalences (post_level, rank_category, rank_code) VALUES
    ('bureau_principal',   'general', 'inspector_1'),
    ('bureau_deputy',      'general', 'inspector_2'),
    ('county_principal',   'general', 'researcher_1'),
    ('county_principal',   'general', 'researcher_2'),
    ('county_deputy',      'general', 'researcher_3'),
    ('county_deputy',      'general', 'researcher_4'),
    ('township_principal', 'general', 'senior_staff_1'),
    ('township_principal', 'general', 'senior_staff_2'),
    ('township_deputy',    'general', 'senior_staff_3'),
    ('township_deputy',    'general', 'senior_staff_4');

CREATE TABLE cadres (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL REFERENCES orgs(id),
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    gender           TEXT NOT NULL CHECK (gender IN ('male','female')),
    birth_date       DATE NOT NULL,
    ethnicity        TEXT NOT NULL DEFAULT '',
    education        TEXT NOT NULL CHECK (education IN ('doctorate','master','bachelor','college','secondary','below')),
    party_join_date  DATE,
    work_start_date  DATE NOT NULL,
    reserve          BOOLEAN NOT NULL DEFAULT FALSE,
    current_post     TEXT NOT NULL DEFAULT '',
    post_level       TEXT REFERENCES post_levels(code),
    rank_category    TEXT,
    rank_code        TEXT,
    post_category    TEXT NOT NULL REFERENCES post_categories(code),
    term_start       DATE,
    term_end         DATE,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    FOREIGN KEY (rank_category, rank_code) REFERENCES ranks(category, code),
    CHECK ((rank_category IS NULL) = (rank_code IS NULL))
);
CREATE INDEX cadres_org_idx ON cadres (org_id);
CREATE INDEX cadres_name_idx ON cadres (name);
CREATE INDEX cadres_post_level_idx ON cadres (post_level);

CREATE TABLE post_records (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id          INTEGER NOT NULL REFERENCES cadres(id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    post_level        TEXT REFERENCES post_levels(code),
    rank_category     TEXT,
    rank_code         TEXT,
    post_category     TEXT NOT NULL REFERENCES post_categories(code),
    unit_org_id       INTEGER REFERENCES orgs(id),
    unit_name         TEXT NOT NULL DEFAULT '',
    start_date        DATE NOT NULL,
    end_date          DATE,
    grassroots        BOOLEAN NOT NULL DEFAULT FALSE,
    leadership        BOOLEAN NOT NULL DEFAULT FALSE,
    probation_end     DATE,
    appointment_type  TEXT NOT NULL DEFAULT 'appointment' CHECK (appointment_type IN ('election','appointment','examination','engagement')),
    FOREIGN KEY (rank_category, rank_code) REFERENCES ranks(category, code),
    CHECK ((rank_category IS NULL) = (rank_code IS NULL)),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX post_records_cadre_idx ON post_records (cadre_id, start_date);
