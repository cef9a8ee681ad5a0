-- Training needs surveys (培训需求调查): a survey owned by an org (a training school or a
-- personnel office), addressed to the cadres of an org subtree (NULL: every org) and/or of some
-- post levels, with its questions as JSON text; and one response per cadre, its answers as JSON
-- text (replaced in place until the survey closes).

CREATE TABLE surveys (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_org_id   INTEGER NOT NULL REFERENCES orgs(id),
    title          TEXT NOT NULL,
    intro          TEXT NOT NULL DEFAULT '',
    opens_at       TIMESTAMP NOT NULL,
    closes_at      TIMESTAMP NOT NULL,
    target_org_id  INTEGER REFERENCES orgs(id),
    target_levels  TEXT NOT NULL DEFAULT '[]',
    questions      TEXT NOT NULL DEFAULT '[]',
    status         TEXT NOT NULL CHECK (status IN ('draft','published','closed')),
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    published_at   TIMESTAMP,
    closed_at      TIMESTAMP,
    CHECK (closes_at > opens_at)
);
CREATE INDEX surveys_owner_idx ON surveys (owner_org_id);
CREATE INDEX surveys_open_idx ON surveys (status, opens_at, closes_at);

CREATE TABLE survey_responses (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id     INTEGER NOT NULL REFERENCES surveys(id),
    cadre_id      INTEGER NOT NULL REFERENCES cadres(id),
    answers       TEXT NOT NULL DEFAULT '[]',
    submitted_at  TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (survey_id, cadre_id)
);
CREATE INDEX survey_responses_cadre_idx ON survey_responses (cadre_id);
