-- Batch promotion checks (批量资格核查): one record per uploaded roster, carrying who ran it in which
-- org scope, the file, the counts and a digest of the checks it kept; each of those checks points
-- back to it through eligibility_checks.batch_id (NULL for a single check). The batch is audited
-- once, naming this record, instead of once per row.
-- file_sha256 is the SHA-256 of the uploaded file; digest the SHA-256 over the batch's checks in id
-- order, one line "<id> eligible|ineligible\n" each (see eligibility.BatchDigest), so an auditor
-- can recompute it from eligibility_checks alone.

CREATE TABLE eligibility_batches (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_path          TEXT NOT NULL,
    file_name         TEXT NOT NULL DEFAULT '',
    file_sha256       TEXT NOT NULL,
    row_count         INTEGER NOT NULL DEFAULT 0,
    eligible_count    INTEGER NOT NULL DEFAULT 0,
    ineligible_count  INTEGER NOT NULL DEFAULT 0,
    problem_count     INTEGER NOT NULL DEFAULT 0,
    digest            TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    created_by        TEXT NOT NULL
);

ALTER TABLE eligibility_checks ADD COLUMN batch_id INTEGER REFERENCES eligibility_batches(id);
CREATE INDEX eligibility_checks_batch_idx ON eligibility_checks (batch_id, id);
