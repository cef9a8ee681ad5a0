package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"qualify/internal/bank"
	"qualify/internal/exam"
)

type examRow struct {
	ID                int64 `gorm:"primaryKey"`
	Title             string
	Subject           string
	DurationMinutes   int
	OpensAt           time.Time
	ClosesAt          time.Time
	PassScore         float64
	MaxAttempts       int
	Blueprint         string
	Eligibility       string
	ReviewPolicy      string
	ScoringOverride   string
	Status            string
	ResultsReleasedAt *time.Time
	OrgID             *int64
	CreatedBy         *int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (examRow) TableName() string { return "exams" }

type blueprintJSON struct {
	Sections []struct {
		Type       string     `json:"type"`
		Count      int        `json:"count"`
		Points     float64    `json:"points"`
		Difficulty *exam.Band `json:"difficulty,omitempty"`
		Tags       []string   `json:"tags,omitempty"`
	} `json:"sections"`
	Tolerance float64 `json:"tolerance"`
}

type eligibilityJSON struct {
	OrgIDs     []int64  `json:"orgIds,omitempty"`
	PostLevels []string `json:"postLevels,omitempty"`
	Ranks      []string `json:"ranks,omitempty"`
	CadreIDs   []int64  `json:"cadreIds,omitempty"`
}

func examRowFrom(e exam.Exam) (examRow, error) {
	var bp blueprintJSON
	bp.Tolerance = e.Blueprint.Tolerance
	for _, s := range e.Blueprint.Sections {
		bp.Sections = append(bp.Sections, struct {
			Type       string     `json:"type"`
			Count      int        `json:"count"`
			Points     float64    `json:"points"`
			Difficulty *exam.Band `json:"difficulty,omitempty"`
			Tags       []string   `json:"tags,omitempty"`
		}{string(s.Type), s.Count, s.Points, s.Difficulty, s.Tags})
	}
	b, err := json.Marshal(bp)
	if err != nil {
		return examRow{}, err
	}
	el, err := json.Marshal(eligibilityJSON(e.Eligibility))
	if err != nil {
		return examRow{}, err
	}
	return examRow{ID: e.ID, Title: e.Title, Subject: e.SubjectCode, DurationMinutes: e.DurationMinutes, OpensAt: e.OpensAt.UTC(),
		ClosesAt: e.ClosesAt.UTC(), PassScore: e.PassScore, MaxAttempts: e.MaxAttempts, Blueprint: string(b), Eligibility: string(el),
		ReviewPolicy: string(e.ReviewPolicy), ScoringOverride: string(e.ScoringOverride), Status: string(e.Status),
		ResultsReleasedAt: e.ResultsReleased, OrgID: e.OrgID, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}, nil
}

func toExam(r examRow) (exam.Exam, error) {
	var bp blueprintJSON
	if err := json.Unmarshal([]byte(r.Blueprint), &bp); err != nil {
		return exam.Exam{}, err
	}
	var el eligibilityJSON
	if err := json.Unmarshal([]byte(r.Eligibility), &el); err != nil {
		return exam.Exam{}, err
	}
	e := exam.Exam{ID: r.ID, Title: r.Title, SubjectCode: r.Subject, DurationMinutes: r.DurationMinutes, OpensAt: r.OpensAt.UTC(),
		ClosesAt: r.ClosesAt.UTC(), PassScore: r.PassScore, MaxAttempts: r.MaxAttempts, Eligibility: exam.Eligibility(el),
		ReviewPolicy: exam.ReviewPolicy(r.ReviewPolicy), ScoringOverride: bank.Scoring(r.ScoringOverride), Status: exam.Status(r.Status),
		ResultsReleased: utcPtr(r.ResultsReleasedAt), OrgID: r.OrgID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	e.Blueprint.Tolerance = bp.Tolerance
	for _, s := range bp.Sections {
		e.Blueprint.Sections = append(e.Blueprint.Sections, exam.Section{Type: bank.Type(s.Type), Count: s.Count, Points: s.Points,
			Difficulty: s.Difficulty, Tags: s.Tags})
	}
	return e, nil
}

// CreateExam inserts an exam and sets its ID.
func (s *Store) CreateExam(ctx context.Context, e *exam.Exam) error {
	r, err := examRowFrom(*e)
	if err != nil {
		return err
	}
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	e.ID = r.ID
	return nil
}

// UpdateExam writes an exam.
func (s *Store) UpdateExam(ctx context.Context, e exam.Exam) error {
	r, err := examRowFrom(e)
	if err != nil {
		return err
	}
	return s.conn(ctx).Save(&r).Error
}

// ExamByID returns an exam, or nil.
func (s *Store) ExamByID(ctx context.Context, id int64) (*exam.Exam, error) {
	var rows []examRow
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	e, err := toExam(rows[0])
	return &e, err
}

// ListExams returns exams with any of the statuses (all when none), newest first.
func (s *Store) ListExams(ctx context.Context, statuses []exam.Status) ([]exam.Exam, error) {
	q := s.conn(ctx).Order("opens_at DESC, id DESC")
	if len(statuses) > 0 {
		ss := make([]string, len(statuses))
		for i, x := range statuses {
			ss[i] = string(x)
		}
		q = q.Where("status IN ?", ss)
	}
	var rows []examRow
	if err := q.Limit(500).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]exam.Exam, 0, len(rows))
	for _, r := range rows {
		e, err := toExam(r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Pool returns a subject's published, not retired item versions as paper assembly sees them.
func (s *Store) Pool(ctx context.Context, subject string) ([]exam.PoolItem, error) {
	type row struct {
		ID         int64
		Version    int
		Type       string
		Difficulty int
		Content    string
	}
	var rows []row
	err := s.conn(ctx).Raw(`SELECT i.id, v.version, v.type, v.difficulty, v.content FROM items i
		JOIN item_versions v ON v.item_id = i.id AND v.version = i.published_version
		WHERE i.subject = ? AND i.published_version IS NOT NULL AND i.status <> 'retired' ORDER BY i.id`, subject).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	type tagRow struct {
		ItemID int64
		Tag    string
	}
	var tags []tagRow
	if err := s.conn(ctx).Raw(`SELECT t.item_id, t.tag FROM item_tags t JOIN items i ON i.id = t.item_id AND t.version = i.published_version
		WHERE i.subject = ?`, subject).Scan(&tags).Error; err != nil {
		return nil, err
	}
	tagsOf := map[int64][]string{}
	for _, t := range tags {
		tagsOf[t.ItemID] = append(tagsOf[t.ItemID], t.Tag)
	}
	out := make([]exam.PoolItem, 0, len(rows))
	for _, r := range rows {
		var c itemContent
		if err := json.Unmarshal([]byte(r.Content), &c); err != nil {
			return nil, err
		}
		p := exam.PoolItem{ItemID: r.ID, Version: r.Version, Type: bank.Type(r.Type), Difficulty: float64(r.Difficulty), Tags: tagsOf[r.ID]}
		for _, o := range c.Options {
			p.Options = append(p.Options, o.Key)
		}
		out = append(out, p)
	}
	return out, nil
}

// PoolFingerprint summarizes a subject's items (count, published versions, latest change) so
// that a cached pool can be reused while it is unchanged.
func (s *Store) PoolFingerprint(ctx context.Context, subject string) (string, error) {
	var r struct {
		N      int64
		PV     int64
		Latest string
	}
	err := s.conn(ctx).Raw(`SELECT COUNT(*) AS n, COALESCE(SUM(published_version), 0) AS pv,
		COALESCE(CAST(MAX(updated_at) AS TEXT), '') AS latest FROM items WHERE subject = ?`, subject).Scan(&r).Error
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d/%d/%s", r.N, r.PV, r.Latest), nil
}

// ItemsAt returns the given item versions.
func (s *Store) ItemsAt(ctx context.Context, refs []exam.ItemRef) (map[exam.ItemRef]bank.Item, error) {
	out := map[exam.ItemRef]bank.Item{}
	if len(refs) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(refs))
	want := map[int64]map[int]bool{}
	for _, r := range refs {
		if want[r.ItemID] == nil {
			want[r.ItemID] = map[int]bool{}
			ids = append(ids, r.ItemID)
		}
		want[r.ItemID][r.Version] = true
	}
	var rows []itemRow
	if err := s.conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	byID := map[int64]itemRow{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	// Load per distinct version number so each query stays one IN list.
	versions := map[int][]itemRow{}
	for id, vs := range want {
		for v := range vs {
			if r, ok := byID[id]; ok {
				versions[v] = append(versions[v], r)
			}
		}
	}
	for v, rs := range versions {
		items, err := s.loadItems(ctx, rs, func(itemRow) int { return v })
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out[exam.ItemRef{ItemID: it.ID, Version: it.Version}] = it
		}
	}
	return out, nil
}

type attemptRow struct {
	ID              int64 `gorm:"primaryKey"`
	ExamID          int64
	CadreID         int64
	UserID          *int64
	AttemptNo       int
	Status          string
	Seed            int64
	Paper           string
	StartedAt       time.Time
	Deadline        time.Time
	SubmittedAt     *time.Time
	SubmittedBy     string
	DeviceID        string
	ObjectiveScore  *float64
	SubjectiveScore *float64
	TotalScore      *float64
	Passed          *bool
	ResultHash      string
}

func (attemptRow) TableName() string { return "attempts" }

func attemptRowFrom(a exam.Attempt) (attemptRow, error) {
	b, err := json.Marshal(a.Paper.Questions)
	if err != nil {
		return attemptRow{}, err
	}
	return attemptRow{ID: a.ID, ExamID: a.ExamID, CadreID: a.CadreID, UserID: a.UserID, AttemptNo: a.No, Status: string(a.Status),
		Seed: int64(a.Paper.Seed), Paper: string(b), StartedAt: a.StartedAt, Deadline: a.Deadline, SubmittedAt: a.SubmittedAt,
		SubmittedBy: a.SubmittedBy, DeviceID: a.DeviceID, ObjectiveScore: a.ObjectiveScore, SubjectiveScore: a.SubjectiveScore,
		TotalScore: a.TotalScore, Passed: a.Passed, ResultHash: a.ResultHash}, nil
}

func toAttempt(r attemptRow) (exam.Attempt, error) {
	a := exam.Attempt{ID: r.ID, ExamID: r.ExamID, CadreID: r.CadreID, UserID: r.UserID, No: r.AttemptNo, Status: exam.AttemptStatus(r.Status),
		StartedAt: r.StartedAt.UTC(), Deadline: r.Deadline.UTC(), SubmittedAt: utcPtr(r.SubmittedAt), SubmittedBy: r.SubmittedBy,
		DeviceID: r.DeviceID, ObjectiveScore: r.ObjectiveScore, SubjectiveScore: r.SubjectiveScore, TotalScore: r.TotalScore,
		Passed: r.Passed, ResultHash: r.ResultHash}
	a.Paper.Seed = uint64(r.Seed)
	return a, json.Unmarshal([]byte(r.Paper), &a.Paper.Questions)
}

// CreateAttempt inserts an attempt and sets its ID.
func (s *Store) CreateAttempt(ctx context.Context, a *exam.Attempt) error {
	r, err := attemptRowFrom(*a)
	if err != nil {
		return err
	}
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	a.ID = r.ID
	return nil
}

func (s *Store) attemptsWhere(ctx context.Context, q string, args ...any) ([]exam.Attempt, error) {
	var rows []attemptRow
	if err := s.conn(ctx).Where(q, args...).Order("attempt_no, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]exam.Attempt, 0, len(rows))
	for _, r := range rows {
		a, err := toAttempt(r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AttemptByID returns an attempt, or nil.
func (s *Store) AttemptByID(ctx context.Context, id int64) (*exam.Attempt, error) {
	as, err := s.attemptsWhere(ctx, "id = ?", id)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	return &as[0], nil
}

// AttemptsOf returns a cadre's attempts at an exam, in order.
func (s *Store) AttemptsOf(ctx context.Context, examID, cadreID int64) ([]exam.Attempt, error) {
	return s.attemptsWhere(ctx, "exam_id = ? AND cadre_id = ?", examID, cadreID)
}

// AttemptsOfCadre returns all of a cadre's attempts.
func (s *Store) AttemptsOfCadre(ctx context.Context, cadreID int64) ([]exam.Attempt, error) {
	return s.attemptsWhere(ctx, "cadre_id = ?", cadreID)
}

// LockAttempt re-reads an attempt holding its row FOR UPDATE on PostgreSQL until the transaction
// ends (a save's statement reads it FOR SHARE, so saves and a submission never interleave); on
// SQLite the transaction already holds the write lock.
func (s *Store) LockAttempt(ctx context.Context, id int64) (*exam.Attempt, error) {
	q := s.conn(ctx)
	if s.isPostgres() {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []attemptRow
	if err := q.Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	a, err := toAttempt(rows[0])
	return &a, err
}

// SetDevice records the device that holds an attempt.
func (s *Store) SetDevice(ctx context.Context, id int64, device string) error {
	return s.conn(ctx).Model(&attemptRow{}).Where("id = ?", id).Update("device_id", device).Error
}

// CloseAttempt writes a submitted attempt if it is still in progress.
func (s *Store) CloseAttempt(ctx context.Context, a exam.Attempt) (bool, error) {
	res := s.conn(ctx).Model(&attemptRow{}).Where("id = ? AND status = ?", a.ID, string(exam.InProgress)).Updates(resultColumns(a))
	return res.RowsAffected == 1, res.Error
}

func resultColumns(a exam.Attempt) map[string]any {
	return map[string]any{"status": string(a.Status), "submitted_at": a.SubmittedAt, "submitted_by": a.SubmittedBy,
		"objective_score": a.ObjectiveScore, "subjective_score": a.SubjectiveScore, "total_score": a.TotalScore,
		"passed": a.Passed, "result_hash": a.ResultHash}
}

// UpdateAttemptResult writes an attempt's scores and status.
func (s *Store) UpdateAttemptResult(ctx context.Context, a exam.Attempt) error {
	return s.conn(ctx).Model(&attemptRow{}).Where("id = ?", a.ID).Updates(resultColumns(a)).Error
}

type answerRow struct {
	AttemptID int64 `gorm:"primaryKey;autoIncrement:false"`
	ItemID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Answer    string
	Seq       int64
	SavedAt   time.Time
	Points    *float64
}

func (answerRow) TableName() string { return "attempt_answers" }

// saveAnswer stores and journals an answer if the attempt is in progress before the save's
// time, held by the device (or none), and seq is above the stored one, in the transaction of ctx
// (SQLite: the transaction holds the write lock from BEGIN).
func (s *Store) saveAnswer(ctx context.Context, a exam.Answer, device string) (exam.SaveOutcome, error) {
	var out exam.SaveOutcome
	err := s.InTx(ctx, func(ctx context.Context) error {
		var rows []attemptRow
		if err := s.conn(ctx).Select("id, status, deadline, device_id").Where("id = ?", a.AttemptID).Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		found, open := len(rows), 0
		if found == 1 && rows[0].Status == string(exam.InProgress) && a.SavedAt.Before(rows[0].Deadline) &&
			(device == "" || rows[0].DeviceID == "" || rows[0].DeviceID == device) {
			open = 1
		}
		saved := 0
		if open == 1 {
			var got []struct{ Seq int64 }
			err := s.conn(ctx).Raw(`INSERT INTO attempt_answers (attempt_id, item_id, answer, seq, saved_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (attempt_id, item_id) DO UPDATE SET answer = excluded.answer, seq = excluded.seq, saved_at = excluded.saved_at
				WHERE attempt_answers.seq < excluded.seq RETURNING seq`, a.AttemptID, a.ItemID, string(a.Value), a.Seq, a.SavedAt).Scan(&got).Error
			if err != nil {
				return err
			}
			if saved = len(got); saved == 1 {
				if err := s.conn(ctx).Exec(`INSERT INTO answer_log (attempt_id, item_id, seq, answer, saved_at, device_id) VALUES (?, ?, ?, ?, ?, ?)`,
					a.AttemptID, a.ItemID, a.Seq, string(a.Value), a.SavedAt, device).Error; err != nil {
					return err
				}
			}
		}
		out = outcomeOf(found, open, saved)
		return nil
	})
	return out, err
}

// saveAnswersSQL stores and journals many saves in one statement: each save is stored if its
// attempt is in progress before the save's time, held by its device (or none), and its seq is
// above the stored one. The attempts are read FOR SHARE, so a submission (which locks its attempt)
// waits for the statement and a save after a submission finds it closed. ord numbers the input.
const saveAnswersSQL = `WITH input AS (
		SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::timestamptz[], $7::text[])
			AS t(ord, attempt_id, item_id, answer, seq, saved_at, device)
	), att AS (
		SELECT id, status, deadline, device_id FROM attempts WHERE id IN (SELECT attempt_id FROM input) ORDER BY id FOR SHARE
	), ok AS (
		SELECT i.* FROM input i JOIN att ON att.id = i.attempt_id
		WHERE att.status = 'in_progress' AND att.deadline > i.saved_at AND (i.device = '' OR att.device_id = '' OR att.device_id = i.device)
	), up AS (
		INSERT INTO attempt_answers (attempt_id, item_id, answer, seq, saved_at)
		SELECT attempt_id, item_id, answer, seq, saved_at FROM ok ORDER BY attempt_id, item_id
		ON CONFLICT (attempt_id, item_id) DO UPDATE SET answer = excluded.answer, seq = excluded.seq, saved_at = excluded.saved_at
		WHERE attempt_answers.seq < excluded.seq
		RETURNING attempt_id, item_id, seq, answer, saved_at
	), j AS (
		INSERT INTO answer_log (attempt_id, item_id, seq, answer, saved_at, device_id)
		SELECT up.attempt_id, up.item_id, up.seq, up.answer, up.saved_at, ok.device FROM up JOIN ok USING (attempt_id, item_id)
		RETURNING attempt_id, item_id
	)
	SELECT i.ord, att.id IS NOT NULL, ok.ord IS NOT NULL, j.attempt_id IS NOT NULL
	FROM input i LEFT JOIN att ON att.id = i.attempt_id LEFT JOIN ok ON ok.ord = i.ord
		LEFT JOIN j ON j.attempt_id = i.attempt_id AND j.item_id = i.item_id`

// SaveAnswers stores and journals many saves of distinct answers, each if its attempt is in
// progress before the save's time, held by its device (or none), and its seq is above the stored
// one: on PostgreSQL in one statement (one round trip, one commit; see saveAnswersSQL), on
// SQLite in one transaction. Outcomes follow the input.
func (s *Store) SaveAnswers(ctx context.Context, saves []exam.AnswerSave) ([]exam.SaveOutcome, error) {
	out := make([]exam.SaveOutcome, len(saves))
	if !s.isPostgres() {
		err := s.InTx(ctx, func(ctx context.Context) error {
			for i, x := range saves {
				o, err := s.saveAnswer(ctx, x.Answer, x.Device)
				if err != nil {
					return err
				}
				out[i] = o
			}
			return nil
		})
		return out, err
	}
	n := len(saves)
	type key struct{ a, i int64 }
	distinct := make(map[key]bool, n)
	for _, x := range saves {
		if distinct[key{x.AttemptID, x.ItemID}] {
			return nil, fmt.Errorf("save answers: answer %d/%d twice in one batch", x.AttemptID, x.ItemID)
		}
		distinct[key{x.AttemptID, x.ItemID}] = true
	}
	ord, atts, items, seqs := make([]int32, n), make([]int64, n), make([]int64, n), make([]int64, n)
	answers, devices, at := make([]string, n), make([]string, n), make([]time.Time, n)
	for i, x := range saves {
		ord[i], atts[i], items[i], answers[i], seqs[i], at[i], devices[i] = int32(i), x.AttemptID, x.ItemID, string(x.Value), x.Seq, x.SavedAt, x.Device
	}
	rows, err := s.query(ctx, saveAnswersSQL, ord, atts, items, answers, seqs, at, devices)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var i int
		var found, open, saved bool
		if err := rows.Scan(&i, &found, &open, &saved); err != nil {
			return nil, err
		}
		if i < 0 || i >= n {
			return nil, fmt.Errorf("save answers: result for input %d of %d", i, n)
		}
		out[i] = outcomeOf(b2i(found), b2i(open), b2i(saved))
		seen++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if seen != n {
		return nil, fmt.Errorf("save answers: %d results for %d saves", seen, n)
	}
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func outcomeOf(found, open, saved int) exam.SaveOutcome {
	switch {
	case found == 0:
		return exam.SaveNotFound
	case open == 0:
		return exam.SaveClosed
	case saved == 0:
		return exam.SaveStale
	}
	return exam.Saved
}

// AnswerSeq returns the stored seq of an answer (0 when none).
func (s *Store) AnswerSeq(ctx context.Context, attemptID, itemID int64) (int64, error) {
	var rows []answerRow
	err := s.conn(ctx).Where("attempt_id = ? AND item_id = ?", attemptID, itemID).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].Seq, nil
}

// Answers returns an attempt's saved answers.
func (s *Store) Answers(ctx context.Context, attemptID int64) ([]exam.Answer, error) {
	var rows []answerRow
	if err := s.conn(ctx).Where("attempt_id = ?", attemptID).Order("item_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]exam.Answer, len(rows))
	for i, r := range rows {
		out[i] = exam.Answer{AttemptID: r.AttemptID, ItemID: r.ItemID, Value: []byte(r.Answer), Seq: r.Seq, SavedAt: r.SavedAt.UTC(), Points: r.Points}
	}
	return out, nil
}

// SetAnswersPoints records the points each of an attempt's answers earned (item ID → points), in
// one statement on PostgreSQL.
func (s *Store) SetAnswersPoints(ctx context.Context, attemptID int64, points map[int64]float64) error {
	if len(points) == 0 {
		return nil
	}
	if !s.isPostgres() {
		for item, p := range points {
			if err := s.SetAnswerPoints(ctx, attemptID, item, p); err != nil {
				return err
			}
		}
		return nil
	}
	// Numbers only, so array literals are safe and pass through the ORM unexpanded.
	items, pts := make([]string, 0, len(points)), make([]string, 0, len(points))
	for item, p := range points {
		items = append(items, strconv.FormatInt(item, 10))
		pts = append(pts, strconv.FormatFloat(p, 'g', -1, 64))
	}
	return s.conn(ctx).Exec(`UPDATE attempt_answers a SET points = v.points
		FROM unnest(?::bigint[], ?::float8[]) AS v(item_id, points)
		WHERE a.attempt_id = ? AND a.item_id = v.item_id`,
		"{"+strings.Join(items, ",")+"}", "{"+strings.Join(pts, ",")+"}", attemptID).Error
}

// SetAnswerPoints records the points an answer earned.
func (s *Store) SetAnswerPoints(ctx context.Context, attemptID, itemID int64, points float64) error {
	return s.conn(ctx).Model(&answerRow{}).Where("attempt_id = ? AND item_id = ?", attemptID, itemID).Update("points", points).Error
}

// DueAttempts returns in-progress attempts whose deadline has passed; on PostgreSQL rows another
// instance is closing are skipped.
func (s *Store) DueAttempts(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&attemptRow{}).Where("status = ? AND deadline <= ?", string(exam.InProgress), now).
		Order("deadline").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

type integrityRow struct {
	ID        int64 `gorm:"primaryKey"`
	AttemptID int64
	Kind      string
	Detail    string
	ClientAt  *time.Time
	ServerAt  time.Time
}

func (integrityRow) TableName() string { return "integrity_events" }

// AddIntegrityEvent appends an integrity event.
func (s *Store) AddIntegrityEvent(ctx context.Context, e exam.IntegrityEvent) error {
	return s.conn(ctx).Create(&integrityRow{AttemptID: e.AttemptID, Kind: e.Kind, Detail: e.Detail, ClientAt: e.ClientAt, ServerAt: e.ServerAt}).Error
}

// IntegrityEvents returns an attempt's integrity events in order.
func (s *Store) IntegrityEvents(ctx context.Context, attemptID int64) ([]exam.IntegrityEvent, error) {
	var rows []integrityRow
	if err := s.conn(ctx).Where("attempt_id = ?", attemptID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]exam.IntegrityEvent, len(rows))
	for i, r := range rows {
		out[i] = exam.IntegrityEvent{AttemptID: r.AttemptID, Kind: r.Kind, Detail: r.Detail, ClientAt: utcPtr(r.ClientAt), ServerAt: r.ServerAt.UTC()}
	}
	return out, nil
}

type taskRow struct {
	ID         int64 `gorm:"primaryKey"`
	AttemptID  int64
	ItemID     int64
	Version    int
	MaxPoints  float64
	Tolerance  float64
	Stage      string
	FinalScore *float64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (taskRow) TableName() string { return "marking_tasks" }

type markRow struct {
	TaskID    int64  `gorm:"primaryKey;autoIncrement:false"`
	Role      string `gorm:"primaryKey"`
	MarkerID  int64
	Points    float64
	Comment   string
	CreatedAt time.Time
}

func (markRow) TableName() string { return "marks" }

// CreateTask inserts a marking task and sets its ID.
func (s *Store) CreateTask(ctx context.Context, t *exam.Task) error {
	now := time.Now().UTC()
	r := taskRow{AttemptID: t.AttemptID, ItemID: t.ItemID, Version: t.Version, MaxPoints: t.MaxPoints, Tolerance: t.Tolerance,
		Stage: string(t.Stage), FinalScore: t.Final, CreatedAt: now, UpdatedAt: now}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	t.ID = r.ID
	return nil
}

func (s *Store) tasksWhere(ctx context.Context, q string, args ...any) ([]exam.Task, error) {
	var rows []taskRow
	if err := s.conn(ctx).Where(q, args...).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var marks []markRow
	if err := s.conn(ctx).Where("task_id IN ?", ids).Order("created_at").Find(&marks).Error; err != nil {
		return nil, err
	}
	byTask := map[int64][]exam.Mark{}
	for _, m := range marks {
		byTask[m.TaskID] = append(byTask[m.TaskID], exam.Mark{TaskID: m.TaskID, Role: exam.Stage(m.Role), MarkerID: m.MarkerID,
			Points: m.Points, Comment: m.Comment, At: m.CreatedAt.UTC()})
	}
	out := make([]exam.Task, len(rows))
	for i, r := range rows {
		out[i] = exam.Task{ID: r.ID, AttemptID: r.AttemptID, ItemID: r.ItemID, Version: r.Version, MaxPoints: r.MaxPoints,
			Tolerance: r.Tolerance, Stage: exam.Stage(r.Stage), Final: r.FinalScore, Marks: byTask[r.ID]}
	}
	return out, nil
}

// TaskByID returns a task with its marks, or nil.
func (s *Store) TaskByID(ctx context.Context, id int64) (*exam.Task, error) {
	ts, err := s.tasksWhere(ctx, "id = ?", id)
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	return &ts[0], nil
}

// OpenTasks returns tasks at the stages that the marker has not marked, oldest first.
func (s *Store) OpenTasks(ctx context.Context, markerID int64, stages []exam.Stage, limit int) ([]exam.Task, error) {
	ss := make([]string, len(stages))
	for i, x := range stages {
		ss[i] = string(x)
	}
	var ids []int64
	err := s.conn(ctx).Model(&taskRow{}).Where("stage IN ? AND id NOT IN (SELECT task_id FROM marks WHERE marker_id = ?)", ss, markerID).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.tasksWhere(ctx, "id IN ?", ids)
}

// AddMark inserts a mark; false when that role was already marked by someone.
func (s *Store) AddMark(ctx context.Context, m exam.Mark) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&markRow{TaskID: m.TaskID, Role: string(m.Role),
		MarkerID: m.MarkerID, Points: m.Points, Comment: m.Comment, CreatedAt: m.At})
	return res.RowsAffected == 1, res.Error
}

// SetTaskStage writes a task's stage and final score.
func (s *Store) SetTaskStage(ctx context.Context, t exam.Task) error {
	return s.conn(ctx).Model(&taskRow{}).Where("id = ?", t.ID).
		Updates(map[string]any{"stage": string(t.Stage), "final_score": t.Final, "updated_at": time.Now().UTC()}).Error
}

// TasksOfAttempt returns an attempt's marking tasks.
func (s *Store) TasksOfAttempt(ctx context.Context, attemptID int64) ([]exam.Task, error) {
	return s.tasksWhere(ctx, "attempt_id = ?", attemptID)
}

// CadreScope returns a cadre's org path, current post level and rank code.
func (s *Store) CadreScope(ctx context.Context, cadreID int64) (string, string, string, error) {
	var rows []struct {
		Path      string
		PostLevel *string
		RankCode  *string
	}
	err := s.conn(ctx).Raw(`SELECT o.path, c.post_level, c.rank_code FROM cadres c JOIN orgs o ON o.id = c.org_id WHERE c.id = ?`, cadreID).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return "", "", "", err
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return rows[0].Path, deref(rows[0].PostLevel), deref(rows[0].RankCode), nil
}

// OrgPathOf returns an org's path ("" when unknown).
func (s *Store) OrgPathOf(ctx context.Context, orgID int64) (string, error) {
	return s.orgPath(ctx, orgID)
}
