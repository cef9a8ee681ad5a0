package exam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"qualify/internal/audit"
	"qualify/internal/bank"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/batch"
)

// Service defines, delivers and grades exams.
type Service struct {
	store  Store
	facts  CadreFacts
	issuer CertificateIssuer
	audit  Auditor
	now    func() time.Time
	papers *paperCache
	items  *itemCache
	pools  poolCache
	saves  *batch.Batcher[AnswerSave, SaveOutcome]
}

// NewService returns an exam service; issuer may be nil until certificates exist.
func NewService(s Store, facts CadreFacts, issuer CertificateIssuer, a Auditor) *Service {
	svc := &Service{store: s, facts: facts, issuer: issuer, audit: a, now: time.Now, papers: newPaperCache(50000), items: newItemCache(200000),
		pools: poolCache{pools: map[string]cachedPool{}}}
	svc.saves = newSaveBatcher(s)
	return svc
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetIssuer wires the certificate issuer.
func (s *Service) SetIssuer(i CertificateIssuer) { s.issuer = i }

func forbidden(msg string) error { return apperr.New(apperr.Forbidden, "forbidden", msg) }

func isAdmin(p identity.Principal) bool { return p.Has(identity.RoleExamadmin) }

func (s *Service) record(ctx context.Context, p identity.Principal, action, targetType string, id int64, before, after any) error {
	var actorID *int64
	name := p.Username
	if p.UserID != 0 {
		actorID = &p.UserID
	}
	if name == "" {
		name = "system"
	}
	return s.audit.Record(ctx, audit.Entry{ActorID: actorID, ActorName: name, Action: action, TargetType: targetType,
		TargetID: strconv.FormatInt(id, 10), Before: before, After: after})
}

func examSummary(e Exam) map[string]any {
	return map[string]any{"title": e.Title, "subject": e.SubjectCode, "status": e.Status, "opensAt": e.OpensAt, "closesAt": e.ClosesAt,
		"durationMinutes": e.DurationMinutes, "passScore": e.PassScore, "maxAttempts": e.MaxAttempts}
}

// validate checks an exam definition's own fields.
func (e Exam) validate() []apperr.FieldError {
	var fe []apperr.FieldError
	if strings.TrimSpace(e.Title) == "" || len([]rune(e.Title)) > 200 {
		fe = append(fe, apperr.FieldError{Field: "title", Message: "标题必填，不超过 200 字"})
	}
	if _, ok := bank.SubjectByCode(e.SubjectCode); !ok {
		fe = append(fe, apperr.FieldError{Field: "subjectCode", Message: "未知科目"})
	}
	if e.DurationMinutes < 1 || e.DurationMinutes > 600 {
		fe = append(fe, apperr.FieldError{Field: "durationMinutes", Message: "时长须在 1 到 600 分钟之间"})
	}
	if !e.ClosesAt.After(e.OpensAt) {
		fe = append(fe, apperr.FieldError{Field: "closesAt", Message: "结束时间须晚于开始时间"})
	}
	if e.MaxAttempts < 1 || e.MaxAttempts > 10 {
		fe = append(fe, apperr.FieldError{Field: "maxAttempts", Message: "允许次数须在 1 到 10 之间"})
	}
	total := e.Blueprint.TotalPoints()
	if e.PassScore <= 0 || (total > 0 && e.PassScore > total) {
		fe = append(fe, apperr.FieldError{Field: "passScore", Message: fmt.Sprintf("及格分须大于 0 且不超过总分 %g", total)})
	}
	for _, m := range e.Blueprint.Validate() {
		fe = append(fe, apperr.FieldError{Field: "blueprint", Message: m})
	}
	switch e.ReviewPolicy {
	case ReviewNone, ReviewScore, ReviewAnswers:
	default:
		fe = append(fe, apperr.FieldError{Field: "reviewPolicy", Message: "应为 none、score 或 answers"})
	}
	switch e.ScoringOverride {
	case "", bank.AllOrNothing, bank.PartialA, bank.PartialB:
	default:
		fe = append(fe, apperr.FieldError{Field: "multipleScoring", Message: "应为 all_or_nothing、partial_a 或 partial_b"})
	}
	return fe
}

// Create stores a draft exam (examadmin). Errors: forbidden, validation_failed.
func (s *Service) Create(ctx context.Context, actor identity.Principal, e Exam) (Exam, error) {
	if !isAdmin(actor) {
		return Exam{}, forbidden("只有考试管理员可以创建考试")
	}
	if e.ReviewPolicy == "" {
		e.ReviewPolicy = ReviewScore
	}
	if e.MaxAttempts == 0 {
		e.MaxAttempts = 1
	}
	if fe := e.validate(); len(fe) > 0 {
		return Exam{}, apperr.InvalidFields("validation_failed", "考试设置校验未通过", fe...)
	}
	now := s.now().UTC()
	e.ID, e.Status, e.CreatedAt, e.UpdatedAt = 0, Draft, now, now
	if actor.UserID != 0 {
		id, org := actor.UserID, actor.OrgID
		e.CreatedBy, e.OrgID = &id, &org
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateExam(ctx, &e); err != nil {
			return apperr.Wrap(err, "create exam")
		}
		return s.record(ctx, actor, "exam.create", "exam", e.ID, nil, examSummary(e))
	})
	return e, err
}

func (s *Service) load(ctx context.Context, id int64) (Exam, error) {
	e, err := s.store.ExamByID(ctx, id)
	if err != nil {
		return Exam{}, apperr.Wrap(err, "find exam")
	}
	if e == nil {
		return Exam{}, apperr.NotFoundf("考试不存在")
	}
	return *e, nil
}

// Get returns an exam definition (examadmin).
func (s *Service) Get(ctx context.Context, actor identity.Principal, id int64) (Exam, error) {
	if !isAdmin(actor) {
		return Exam{}, forbidden("只有考试管理员可以查看考试设置")
	}
	return s.load(ctx, id)
}

// List returns exam definitions (examadmin).
func (s *Service) List(ctx context.Context, actor identity.Principal) ([]Exam, error) {
	if !isAdmin(actor) {
		return nil, forbidden("只有考试管理员可以查看考试列表")
	}
	out, err := s.store.ListExams(ctx, nil)
	return out, apperr.Wrap(err, "list exams")
}

// Feasibility checks an exam's blueprint against the published pool of its subject.
func (s *Service) Feasibility(ctx context.Context, e Exam) error {
	pool, err := s.pool(ctx, e.SubjectCode)
	if err != nil {
		return apperr.Wrap(err, "load pool")
	}
	if err := Check(e.Blueprint, pool); err != nil {
		var inf *Infeasible
		if errors.As(err, &inf) {
			fe := make([]apperr.FieldError, len(inf.Shortfalls))
			for i, sf := range inf.Shortfalls {
				fe[i] = apperr.FieldError{Field: fmt.Sprintf("blueprint.sections[%d]", sf.Section),
					Message: fmt.Sprintf("%s：需要 %d 道，可用 %d 道，缺 %d 道", sf.Describe, sf.Want, sf.Got, sf.Want-sf.Got)}
			}
			e := apperr.InvalidFields("blueprint_infeasible", "题库无法满足组卷蓝图："+inf.Error(), fe...)
			e.Kind = apperr.FailedPrecondition
			return e
		}
		return err
	}
	return nil
}

// Publish opens a draft exam to candidates once its blueprint is feasible.
// Errors: forbidden, invalid_transition, blueprint_infeasible (422).
func (s *Service) Publish(ctx context.Context, actor identity.Principal, id int64) (Exam, error) {
	if !isAdmin(actor) {
		return Exam{}, forbidden("只有考试管理员可以发布考试")
	}
	var out Exam
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		if e.Status != Draft {
			return apperr.New(apperr.Conflict, "invalid_transition", "只有草稿状态的考试可以发布")
		}
		if err := s.Feasibility(ctx, e); err != nil {
			return err
		}
		e.Status, e.UpdatedAt = Published, s.now().UTC()
		if err := s.store.UpdateExam(ctx, e); err != nil {
			return apperr.Wrap(err, "publish exam")
		}
		out = e
		return s.record(ctx, actor, "exam.publish", "exam", e.ID, nil, examSummary(e))
	})
	return out, err
}

// ReleaseResults makes graded results visible to candidates (examadmin); audited.
func (s *Service) ReleaseResults(ctx context.Context, actor identity.Principal, id int64) (Exam, error) {
	if !isAdmin(actor) {
		return Exam{}, forbidden("只有考试管理员可以发布成绩")
	}
	var out Exam
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		e.ResultsReleased, e.UpdatedAt = &now, now
		if err := s.store.UpdateExam(ctx, e); err != nil {
			return apperr.Wrap(err, "release results")
		}
		out = e
		return s.record(ctx, actor, "exam.results.release", "exam", e.ID, nil, map[string]any{"releasedAt": now})
	})
	return out, err
}

// eligible reports whether the cadre may sit e.
func (s *Service) eligible(ctx context.Context, e Exam, cadreID int64) (bool, error) {
	el := e.Eligibility
	if len(el.CadreIDs) > 0 && slices.Contains(el.CadreIDs, cadreID) {
		return true, nil
	}
	if len(el.OrgIDs) == 0 && len(el.PostLevels) == 0 && len(el.Ranks) == 0 {
		return len(el.CadreIDs) == 0, nil
	}
	path, level, rank, err := s.facts.CadreScope(ctx, cadreID)
	if err != nil {
		return false, err
	}
	if len(el.PostLevels) > 0 && len(el.Ranks) > 0 {
		if !slices.Contains(el.PostLevels, level) && !slices.Contains(el.Ranks, rank) {
			return false, nil
		}
	} else if len(el.PostLevels) > 0 && !slices.Contains(el.PostLevels, level) {
		return false, nil
	} else if len(el.Ranks) > 0 && !slices.Contains(el.Ranks, rank) {
		return false, nil
	}
	if len(el.OrgIDs) == 0 {
		return true, nil
	}
	for _, o := range el.OrgIDs {
		op, err := s.facts.OrgPathOf(ctx, o)
		if err != nil {
			return false, err
		}
		if op != "" && strings.HasPrefix(path, op) {
			return true, nil
		}
	}
	return false, nil
}

// CandidateState is where a cadre stands with an exam.
type CandidateState string

// Candidate states.
const (
	NotOpen     CandidateState = "not_open"
	Available   CandidateState = "available"
	InExam      CandidateState = "in_progress"
	AwaitResult CandidateState = "submitted"
	PassedState CandidateState = "passed"
	FailedState CandidateState = "failed"
	Exhausted   CandidateState = "attempts_exhausted"
	Ended       CandidateState = "closed"
)

// MyExam is an exam as a candidate sees it in their list.
type MyExam struct {
	Exam          Exam
	State         CandidateState
	AttemptsUsed  int
	LastAttemptID *int64
}

// MyExams lists the published exams the cadre may sit, with their state.
func (s *Service) MyExams(ctx context.Context, actor identity.Principal) ([]MyExam, error) {
	if actor.CadreID == nil {
		return nil, apperr.New(apperr.Forbidden, "not_a_cadre", "当前账户未关联干部档案")
	}
	exams, err := s.store.ListExams(ctx, []Status{Published, Closed})
	if err != nil {
		return nil, apperr.Wrap(err, "list exams")
	}
	now := s.now()
	var out []MyExam
	for _, e := range exams {
		ok, err := s.eligible(ctx, e, *actor.CadreID)
		if err != nil {
			return nil, apperr.Wrap(err, "eligibility")
		}
		if !ok {
			continue
		}
		atts, err := s.store.AttemptsOf(ctx, e.ID, *actor.CadreID)
		if err != nil {
			return nil, apperr.Wrap(err, "attempts")
		}
		m := MyExam{Exam: e, AttemptsUsed: len(atts)}
		if len(atts) > 0 {
			last := atts[len(atts)-1]
			m.LastAttemptID = &last.ID
		}
		m.State = stateOf(e, atts, now)
		out = append(out, m)
	}
	return out, nil
}

func stateOf(e Exam, atts []Attempt, now time.Time) CandidateState {
	if len(atts) > 0 {
		last := atts[len(atts)-1]
		switch {
		case last.Status == InProgress && now.Before(last.Deadline):
			return InExam
		case last.Passed != nil && *last.Passed && e.ResultsReleased != nil:
			return PassedState
		case last.Status != Graded || e.ResultsReleased == nil:
			if len(atts) < e.MaxAttempts && last.Status == Graded && last.Passed != nil && !*last.Passed && now.Before(e.ClosesAt) {
				return Available
			}
			return AwaitResult
		case len(atts) >= e.MaxAttempts:
			if last.Passed != nil && !*last.Passed {
				return FailedState
			}
			return Exhausted
		}
	}
	switch {
	case e.Status == Closed || !now.Before(e.ClosesAt):
		return Ended
	case now.Before(e.OpensAt):
		return NotOpen
	}
	return Available
}
