package exam

import (
	"context"
	"math"
	"slices"

	"qualify/internal/bank"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// MarkingTask is a task as a marker sees it: the question, its rubric and the answer, with no
// candidate identity.
type MarkingTask struct {
	Task      Task
	Stem      string
	Rubric    []bank.Criterion
	Reference string
	Answer    string
}

func isMarker(p identity.Principal) bool  { return p.Has(identity.RoleGrader) }
func isArbiter(p identity.Principal) bool { return p.Has(identity.RoleExamadmin) }

// Tasks lists written answers awaiting this marker: graders get first, second and third
// markings they have not already given; the chief marker (examadmin) gets arbitrations.
func (s *Service) Tasks(ctx context.Context, actor identity.Principal, limit int) ([]MarkingTask, error) {
	var stages []Stage
	if isMarker(actor) {
		stages = append(stages, NeedFirst, NeedSecond, NeedThird)
	}
	if isArbiter(actor) {
		stages = append(stages, NeedArbiter)
	}
	if len(stages) == 0 {
		return nil, forbidden("只有阅卷人可以阅卷")
	}
	if limit < 1 || limit > 100 {
		limit = 20
	}
	tasks, err := s.store.OpenTasks(ctx, actor.UserID, stages, limit)
	if err != nil {
		return nil, apperr.Wrap(err, "open tasks")
	}
	return s.decorate(ctx, tasks)
}

func (s *Service) decorate(ctx context.Context, tasks []Task) ([]MarkingTask, error) {
	var refs []ItemRef
	for _, t := range tasks {
		refs = append(refs, ItemRef{t.ItemID, t.Version})
	}
	items, err := s.itemsAt(ctx, refs)
	if err != nil {
		return nil, apperr.Wrap(err, "items")
	}
	out := make([]MarkingTask, 0, len(tasks))
	for _, t := range tasks {
		it := items[ItemRef{t.ItemID, t.Version}]
		answers, err := s.store.Answers(ctx, t.AttemptID)
		if err != nil {
			return nil, apperr.Wrap(err, "answers")
		}
		mt := MarkingTask{Task: t, Stem: it.Stem, Reference: it.ReferenceAnswer}
		scale := 1.0
		if it.Points > 0 {
			scale = t.MaxPoints / it.Points
		}
		for _, c := range it.Rubric {
			mt.Rubric = append(mt.Rubric, bank.Criterion{Criterion: c.Criterion, Points: round2(c.Points * scale)})
		}
		for _, a := range answers {
			if a.ItemID == t.ItemID {
				mt.Answer = response(Question{}, it, a.Value).Text
			}
		}
		out = append(out, mt)
	}
	return out, nil
}

// Mark records the actor's score on a task at its current stage and resolves it by the double
// marking rule. A marker never marks the same task twice; arbitration is the chief marker's.
// When an attempt's last task resolves, the attempt is totalled, and a pass is certified in the
// same transaction. Errors: forbidden, not_found, invalid_points, already_marked, task_done.
func (s *Service) Mark(ctx context.Context, actor identity.Principal, taskID int64, points float64, comment string) (Task, error) {
	if !isMarker(actor) && !isArbiter(actor) {
		return Task{}, forbidden("只有阅卷人可以阅卷")
	}
	var out Task
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.TaskByID(ctx, taskID)
		if err != nil {
			return apperr.Wrap(err, "find task")
		}
		if t == nil {
			return apperr.NotFoundf("阅卷任务不存在")
		}
		if t.Stage == Done {
			return apperr.New(apperr.Conflict, "task_done", "该题已完成评分")
		}
		if points < 0 || points > t.MaxPoints || math.IsNaN(points) || math.Round(points*2) != points*2 {
			return apperr.InvalidFields("invalid_points", "分数须在 0 到满分之间，最小单位 0.5 分",
				apperr.FieldError{Field: "points", Message: "须在 0 到 " + ftoa(t.MaxPoints) + " 之间"})
		}
		if t.Stage == NeedArbiter && !isArbiter(actor) || t.Stage != NeedArbiter && !isMarker(actor) {
			return forbidden("当前阶段须由" + map[bool]string{true: "阅卷组长（考试管理员）仲裁", false: "阅卷人评分"}[t.Stage == NeedArbiter])
		}
		if slices.ContainsFunc(t.Marks, func(m Mark) bool { return m.MarkerID == actor.UserID }) {
			return apperr.New(apperr.Conflict, "already_marked", "同一阅卷人不能对同一答案评分两次")
		}
		added, err := s.store.AddMark(ctx, Mark{TaskID: t.ID, Role: t.Stage, MarkerID: actor.UserID, Points: points, Comment: comment, At: s.now().UTC()})
		if err != nil {
			return apperr.Wrap(err, "add mark")
		}
		if !added {
			return apperr.New(apperr.Conflict, "already_marked", "该阶段已有其他阅卷人评分，请刷新任务列表")
		}
		t.Marks = append(t.Marks, Mark{Role: t.Stage, MarkerID: actor.UserID, Points: points})
		var m Marks
		for _, x := range t.Marks {
			p := x.Points
			switch x.Role {
			case NeedFirst:
				m.First = &p
			case NeedSecond:
				m.Second = &p
			case NeedThird:
				m.Third = &p
			case NeedArbiter:
				m.Arbiter = &p
			}
		}
		stage, final := Resolve(m, t.Tolerance)
		t.Stage = stage
		if stage == Done {
			t.Final = &final
		}
		if err := s.store.SetTaskStage(ctx, *t); err != nil {
			return apperr.Wrap(err, "set task stage")
		}
		if err := s.record(ctx, actor, "marking.mark", "marking_task", t.ID, nil, map[string]any{"points": points, "stage": stage}); err != nil {
			return err
		}
		out = *t
		if stage != Done {
			return nil
		}
		a, err := s.store.LockAttempt(ctx, t.AttemptID)
		if err != nil || a == nil {
			return apperr.Wrap(err, "lock attempt")
		}
		e, err := s.load(ctx, a.ExamID)
		if err != nil {
			return err
		}
		if a.Status != Grading {
			return nil
		}
		if err := s.complete(ctx, e, a); err != nil {
			return err
		}
		if a.Status != Graded {
			return nil
		}
		if err := s.store.UpdateAttemptResult(ctx, *a); err != nil {
			return apperr.Wrap(err, "attempt result")
		}
		if err := s.record(ctx, identity.Principal{Username: "system"}, "attempt.graded", "attempt", a.ID, nil,
			map[string]any{"totalScore": a.TotalScore, "passed": a.Passed, "hash": a.ResultHash}); err != nil {
			return err
		}
		return s.issueIfPassed(ctx, *a)
	})
	return out, err
}

func ftoa(f float64) string { return bank.FormatPoints(f) }

// MarkerStat is one marker's agreement figures (评卷一致性).
type MarkerStat struct {
	MarkerID     int64
	Username     string
	Marks        int     // marks given
	Paired       int     // first/second marks whose pair is complete
	Agreed       int     // of those, pairs within tolerance
	Finalized    int     // marks on tasks with a final score
	DeviationSum float64 // sum of |mark - final|
}

// AgreementRate is the share of the marker's double marks within tolerance of the partner.
func (m MarkerStat) AgreementRate() float64 {
	if m.Paired == 0 {
		return 0
	}
	return round2(float64(m.Agreed) / float64(m.Paired))
}

// MeanDeviation is the mean distance of the marker's marks from the final scores.
func (m MarkerStat) MeanDeviation() float64 {
	if m.Finalized == 0 {
		return 0
	}
	return round2(m.DeviationSum / float64(m.Finalized))
}

// MarkerAgreement lists every marker's agreement figures (examadmin, as chief marker).
func (s *Service) MarkerAgreement(ctx context.Context, actor identity.Principal) ([]MarkerStat, error) {
	if !isAdmin(actor) {
		return nil, forbidden("只有考试管理员可以查看评卷一致性")
	}
	st, ok := s.store.(interface {
		MarkerAgreement(ctx context.Context) ([]MarkerStat, error)
	})
	if !ok {
		return nil, apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	out, err := st.MarkerAgreement(ctx)
	return out, apperr.Wrap(err, "marker agreement")
}
