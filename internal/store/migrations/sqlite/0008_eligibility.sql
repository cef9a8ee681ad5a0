-- Promotion eligibility (《党政领导干部选拔任用工作条例》第八条、第九条; domain.md §2-§3): the requirement
-- matrix per post category and target post level, seeded with the defaults of domain.md and editable
-- by the province's personnel office; approved exceptions (破格/越级); kept checks; and the decisions
-- recorded on cadres who do not comply (待岗、降级 ... never taken automatically).
-- certificates holds a JSON array of subject codes, basis a JSON object of legal-basis texts by rule
-- code, rules a JSON array of rule results. A zero threshold means the rule does not apply.

CREATE TABLE eligibility_requirements (
    id                              INTEGER PRIMARY KEY AUTOINCREMENT,
    post_category                   TEXT NOT NULL REFERENCES post_categories(code),
    target_level                    TEXT NOT NULL REFERENCES post_levels(code),
    certificates                    TEXT NOT NULL DEFAULT '[]',
    training_hours                  REAL NOT NULL DEFAULT 0 CHECK (training_hours >= 0),
    training_years                  INTEGER NOT NULL DEFAULT 0 CHECK (training_years >= 0),
    training_window                 TEXT NOT NULL DEFAULT 'calendar' CHECK (training_window IN ('calendar','rolling')),
    min_years_of_work               INTEGER NOT NULL DEFAULT 0,
    min_grassroots_years            INTEGER NOT NULL DEFAULT 0,
    min_years_deputy_to_principal   INTEGER NOT NULL DEFAULT 0,
    min_years_principal_to_deputy   INTEGER NOT NULL DEFAULT 0,
    min_posts_at_lower_level        INTEGER NOT NULL DEFAULT 0,
    min_education                   TEXT NOT NULL DEFAULT '',
    min_years_since_last_promotion  INTEGER NOT NULL DEFAULT 0,
    probation_blocks                BOOLEAN NOT NULL DEFAULT TRUE,
    certificate_deadline_months     INTEGER NOT NULL DEFAULT 12,
    expiry_warning_days             INTEGER NOT NULL DEFAULT 90,
    basis                           TEXT NOT NULL DEFAULT '{}',
    updated_at                      TIMESTAMP NOT NULL,
    updated_by                      TEXT NOT NULL,
    UNIQUE (post_category, target_level)
);

-- Defaults: county level and above 550 学时 in 5 (calendar) years, below 90 a year (第十四条);
-- promotion to county level needs 5 years of work and 2 grassroots years (第八条(一)); county level
-- and above: 2 years as deputy / 3 years as lower principal (第八条(三)), generally 2 posts at the
-- level below (soft, 第八条(二)); education generally 大学专科, bureau level and above 大学本科 (soft);
-- not in probation and a full year since the last promotion. Required certificates by category
-- (the six subjects have no national source, domain.md §2.4: adjust them here): 党政领导
-- political theory, decision making, coordination; 行政管理 political theory, administration;
-- 党群组织管理 political theory, party affairs; bureau level and above also innovation.
INSERT INTO eligibility_requirements (post_category, target_level, certificates, training_hours, training_years, training_window,
    min_years_of_work, min_grassroots_years, min_years_deputy_to_principal, min_years_principal_to_deputy, min_posts_at_lower_level,
    min_education, min_years_since_last_promotion, probation_blocks, certificate_deadline_months, expiry_warning_days, basis,
    updated_at, updated_by)
SELECT c.code, l.code,
    CASE c.code
        WHEN 'party_government_leader' THEN CASE WHEN l.ord <= 6 THEN '["political_theory","decision_making","coordination","innovation"]' ELSE '["political_theory","decision_making","coordination"]' END
        WHEN 'administrative' THEN CASE WHEN l.ord <= 6 THEN '["political_theory","administration","innovation"]' ELSE '["political_theory","administration"]' END
        ELSE CASE WHEN l.ord <= 6 THEN '["political_theory","party_affairs","innovation"]' ELSE '["political_theory","party_affairs"]' END
    END,
    CASE WHEN l.ord <= 8 THEN 550 ELSE 90 END,
    CASE WHEN l.ord <= 8 THEN 5 ELSE 1 END,
    'calendar',
    CASE WHEN l.ord IN (7, 8) THEN 5 ELSE 0 END,
    CASE WHEN l.ord IN (7, 8) THEN 2 ELSE 0 END,
    CASE WHEN l.ord <= 8 THEN 2 ELSE 0 END,
    CASE WHEN l.ord <= 8 THEN 3 ELSE 0 END,
    CASE WHEN l.ord <= 8 THEN 2 ELSE 0 END,
    CASE WHEN l.ord <= 6 THEN 'bachelor' ELSE 'college' END,
    1, TRUE, 12, 90,
    '{"certificate":"本省干部任职资格考试制度：后备干部没有获得任职资格的，不得提拔使用（考试科目目录可配置）","education":"《党政领导干部选拔任用工作条例》第八条第（四）项：一般应当具有大学专科以上文化程度，其中厅局级以上领导干部一般应当具有大学本科以上文化程度","grassroots":"《党政领导干部选拔任用工作条例》第八条第（一）项：提任县处级领导职务的，应当具有两年以上基层工作经历","health":"《党政领导干部选拔任用工作条例》第八条第（六）项：具有正常履行职责的身体条件","legal_party_age":"《党政领导干部选拔任用工作条例》第八条第（七）项：符合有关法律规定的资格要求；提任党的领导职务的，还应当符合《中国共产党章程》等规定的党龄要求","level_step":"《党政领导干部选拔任用工作条例》第九条：逐级提拔；越级提拔须从严把握，不得越两级提拔","posts_at_lower_level":"《党政领导干部选拔任用工作条例》第八条第（二）项：提任县处级以上领导职务的，一般应当具有在下一级两个以上职位任职的经历","probation":"《党政领导干部选拔任用工作条例》第九条：不得在任职试用期内破格提拔；试用期满考核合格方正式任职","since_last_promotion":"《党政领导干部选拔任用工作条例》第九条：提拔任职不满一年的，不得破格提拔","time_in_post":"《党政领导干部选拔任用工作条例》第八条第（三）项：由副职提任正职的，应当在副职岗位工作两年以上；由下级正职提任上级副职的，应当在下级正职岗位工作三年以上","training":"《党政领导干部选拔任用工作条例》第八条第（五）项；《干部教育培训工作条例》第十四条：县处级以上每5年累计不少于3个月或550学时，其他每年累计不少于12天或90学时；因特殊情况提任前未达到培训要求的，应当在提任后一年内完成培训","years_of_work":"《党政领导干部选拔任用工作条例》第八条第（一）项：提任县处级领导职务的，应当具有五年以上工龄"}',
    '2026-01-01 00:00:00+00:00', 'migration'
FROM post_levels l CROSS JOIN post_categories c
WHERE l.ord >= 3;

CREATE TABLE eligibility_exceptions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id       INTEGER NOT NULL REFERENCES cadres(id),
    target_level   TEXT NOT NULL REFERENCES post_levels(code),
    kind           TEXT NOT NULL CHECK (kind IN ('exceptional','skip_level')),
    justification  TEXT NOT NULL,
    approver       TEXT NOT NULL,
    document_no    TEXT NOT NULL,
    rules          TEXT NOT NULL DEFAULT '[]',
    note           TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    created_by     TEXT NOT NULL
);
CREATE INDEX eligibility_exceptions_cadre_idx ON eligibility_exceptions (cadre_id, target_level);

CREATE TABLE eligibility_checks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id        INTEGER NOT NULL REFERENCES cadres(id),
    target_level    TEXT NOT NULL REFERENCES post_levels(code),
    post_category   TEXT NOT NULL REFERENCES post_categories(code),
    as_of           DATE NOT NULL,
    eligible        BOOLEAN NOT NULL,
    rules           TEXT NOT NULL,
    requirement_id  INTEGER REFERENCES eligibility_requirements(id),
    checked_at      TIMESTAMP NOT NULL,
    checked_by      TEXT NOT NULL
);
CREATE INDEX eligibility_checks_cadre_idx ON eligibility_checks (cadre_id, id);

CREATE TABLE compliance_actions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    cadre_id     INTEGER NOT NULL REFERENCES cadres(id),
    action       TEXT NOT NULL CHECK (action IN ('待岗','降级','免职','其他')),
    note         TEXT NOT NULL DEFAULT '',
    document_no  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX compliance_actions_cadre_idx ON compliance_actions (cadre_id, id);
