-- Papers generated ahead of an exam's opening, taken by candidates at their start.

CREATE TABLE prepared_papers (
    exam_id     BIGINT NOT NULL REFERENCES exams(id),
    cadre_id    BIGINT NOT NULL REFERENCES cadres(id),
    attempt_no  INTEGER NOT NULL,
    seed        BIGINT NOT NULL,
    paper       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (exam_id, cadre_id, attempt_no)
);
