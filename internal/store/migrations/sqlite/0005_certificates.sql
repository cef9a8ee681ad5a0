-- Certificates (任职资格证书): issued when an exam attempt passes, numbered with a check character,
-- signed as a compact JWS; their status history, the public verification log, the per-scope
-- serial counters, and the published (public) signing keys. Private keys stay in QUALIFY_DATA_DIR.
-- status holds valid, suspended or revoked; "expired" is derived from expires_on at read time.

CREATE TABLE certificate_serials (
    scope        TEXT PRIMARY KEY,
    last_serial  INTEGER NOT NULL
);

CREATE TABLE certificate_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL CHECK (alg IN ('EdDSA','SM2')),
    public_jwk  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    retired_at  TIMESTAMP
);

CREATE TABLE certificates (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    number             TEXT NOT NULL UNIQUE,
    cadre_id           INTEGER NOT NULL REFERENCES cadres(id),
    holder_name        TEXT NOT NULL,
    subject_code       TEXT NOT NULL,
    subject_name       TEXT NOT NULL,
    attempt_id         INTEGER UNIQUE,
    attempt_hash       TEXT NOT NULL,
    score              REAL NOT NULL,
    issuer             TEXT NOT NULL,
    issued_at          TIMESTAMP NOT NULL,
    issued_on          DATE NOT NULL,
    expires_on         DATE NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('valid','suspended','revoked')),
    status_reason      TEXT NOT NULL DEFAULT '',
    status_changed_at  TIMESTAMP NOT NULL,
    key_id             TEXT NOT NULL REFERENCES certificate_keys(kid),
    credential         TEXT NOT NULL,
    verify_token       TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    CHECK (expires_on >= issued_on)
);
CREATE INDEX certificates_cadre_idx ON certificates (cadre_id, subject_code);
CREATE INDEX certificates_attempt_hash_idx ON certificates (attempt_hash);

CREATE TABLE certificate_status_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    certificate_id  INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
    from_status     TEXT,
    to_status       TEXT NOT NULL CHECK (to_status IN ('valid','suspended','revoked')),
    reason          TEXT NOT NULL,
    actor_id        INTEGER,
    actor_name      TEXT NOT NULL,
    occurred_at     TIMESTAMP NOT NULL
);
CREATE INDEX certificate_status_events_cert_idx ON certificate_status_events (certificate_id, id);

CREATE TABLE certificate_verifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    number       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('lookup','credential')),
    outcome      TEXT NOT NULL,
    ip           TEXT NOT NULL,
    user_id      INTEGER,
    occurred_at  TIMESTAMP NOT NULL
);
CREATE INDEX certificate_verifications_number_idx ON certificate_verifications (number, occurred_at);
