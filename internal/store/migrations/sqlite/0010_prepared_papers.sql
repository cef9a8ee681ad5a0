-- Papers generated ahead of an exam's opening, taken by candidates at their start.

CREATE TABLE prepared_papers (
    exam_id     INTEGER NOT NULL REFERENCES exams(id),
    cadre_id    INTEGER NOT NULL REFERENCES cadres(id),
    attempt_no  INTEGER NOT NULL,
    seed        INTEGER NOT NULL,
    paper       TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (exam_id, cadre_id, attempt_no)
);
