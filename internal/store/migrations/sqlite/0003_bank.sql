-- Question bank: items with versions; what an exam uses is the published version.

CREATE TABLE items (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    ref                TEXT NOT NULL UNIQUE,
    subject            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft','in_review','published','retired')),
    current_version    INTEGER NOT NULL,
    published_version  INTEGER,
    author_id          INTEGER REFERENCES users(id),
    reviewer_id        INTEGER REFERENCES users(id),
    review_comment     TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX items_subject_status_idx ON items (subject, status);

CREATE TABLE item_versions (
    item_id          INTEGER NOT NULL REFERENCES items(id),
    version          INTEGER NOT NULL,
    type             TEXT NOT NULL,
    stem             TEXT NOT NULL,
    content          TEXT NOT NULL,
    points           REAL NOT NULL,
    difficulty       INTEGER NOT NULL,
    cognitive_level  TEXT NOT NULL DEFAULT '',
    review_by        DATE,
    source           TEXT NOT NULL DEFAULT '',
    created_by       INTEGER REFERENCES users(id),
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (item_id, version)
);
CREATE INDEX item_versions_type_idx ON item_versions (type, difficulty);

CREATE TABLE item_knowledge_points (
    item_id  INTEGER NOT NULL REFERENCES items(id),
    version  INTEGER NOT NULL,
    path     TEXT NOT NULL,
    PRIMARY KEY (item_id, version, path)
);
CREATE INDEX item_knowledge_points_path_idx ON item_knowledge_points (path);

CREATE TABLE item_tags (
    item_id  INTEGER NOT NULL REFERENCES items(id),
    version  INTEGER NOT NULL,
    tag      TEXT NOT NULL,
    PRIMARY KEY (item_id, version, tag)
);
CREATE INDEX item_tags_tag_idx ON item_tags (tag);

-- Character bigrams of the current version's stem, for full-text search that finds two-character
-- Chinese terms on both databases.
CREATE TABLE item_terms (
    item_id  INTEGER NOT NULL REFERENCES items(id),
    term     TEXT NOT NULL,
    PRIMARY KEY (term, item_id)
);
CREATE INDEX item_terms_item_idx ON item_terms (item_id);

CREATE TABLE item_stats (
    item_id         INTEGER NOT NULL REFERENCES items(id),
    version         INTEGER NOT NULL,
    exam_id         INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    facility        REAL NOT NULL,
    discrimination  REAL NOT NULL,
    point_biserial  REAL NOT NULL,
    option_counts   TEXT NOT NULL,
    flags           TEXT NOT NULL,
    computed_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (item_id, version, exam_id)
);
