package exam

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"qualify/internal/bank"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// AccommodationKind is an adjustment granted to one candidate.
type AccommodationKind string

// Accommodation kinds.
const (
	ExtraTime AccommodationKind = "extra_time"
	Resit     AccommodationKind = "resit"
)

// Accommodation is extra time or a re-sit for one candidate, with reason and approver.
type Accommodation struct {
	ID           int64
	ExamID       int64
	CadreID      int64
	Kind         AccommodationKind
	ExtraMinutes int
	Reason       string
	ApproverID   int64
	CreatedAt    time.Time
}

// AdminStore is what the administration of running exams needs beyond Store.
type AdminStore interface {
	AddAccommodation(ctx context.Context, a *Accommodation) error
	Accommodations(ctx context.Context, examID, cadreID int64) ([]Accommodation, error)
	ExtendDeadline(ctx context.Context, attemptID int64, deadline time.Time) error
	// Sittings returns every attempt of an exam with the candidate's name and unit and the
	// number of integrity events and saved answers.
	Sittings(ctx context.Context, examID int64) ([]Sitting, error)
	AttemptsOfExam(ctx context.Context, examID int64) ([]Attempt, error)
	SaveItemStats(ctx context.Context, examID int64, s []ItemStat) error
}

// Sitting is one attempt as the exam administrator monitors it.
type Sitting struct {
	Attempt        Attempt
	CadreName      string
	OrgName        string
	IntegrityCount int
	Answered       int
}

// Flagged reports whether the sitting's integrity events call for review (warn -> count -> flag).
func (s Sitting) Flagged() bool { return s.IntegrityCount >= IntegrityFlagAt }

// IntegrityFlagAt is the number of integrity events at which an attempt is flagged for review.
const IntegrityFlagAt = 5

func (s *Service) admin() (AdminStore, error) {
	a, ok := s.store.(AdminStore)
	if !ok {
		return nil, apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	return a, nil
}

// Accommodate grants extra time or a re-sit to one candidate (the approving examadmin), with a
// reason; an attempt in progress gets its deadline extended at once. Audited.
func (s *Service) Accommodate(ctx context.Context, actor identity.Principal, in Accommodation) (Accommodation, error) {
	if !isAdmin(actor) {
		return Accommodation{}, forbidden("只有考试管理员可以批准考试安排调整")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var fe []apperr.FieldError
	if in.Reason == "" || len([]rune(in.Reason)) > 500 {
		fe = append(fe, apperr.FieldError{Field: "reason", Message: "须说明理由（不超过 500 字）"})
	}
	switch in.Kind {
	case ExtraTime:
		if in.ExtraMinutes < 1 || in.ExtraMinutes > 240 {
			fe = append(fe, apperr.FieldError{Field: "extraMinutes", Message: "延长时间须在 1 到 240 分钟之间"})
		}
	case Resit:
		in.ExtraMinutes = 0
	default:
		fe = append(fe, apperr.FieldError{Field: "kind", Message: "应为 extra_time 或 resit"})
	}
	if len(fe) > 0 {
		return Accommodation{}, apperr.InvalidFields("validation_failed", "考试安排调整校验未通过", fe...)
	}
	st, err := s.admin()
	if err != nil {
		return Accommodation{}, err
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.load(ctx, in.ExamID)
		if err != nil {
			return err
		}
		if ok, err := s.eligible(ctx, e, in.CadreID); err != nil || !ok {
			return apperr.InvalidFields("not_eligible", "该干部不在本场考试的考生范围内", apperr.FieldError{Field: "cadreId", Message: "不在考生范围内"})
		}
		in.ApproverID, in.CreatedAt = actor.UserID, s.now().UTC()
		if err := st.AddAccommodation(ctx, &in); err != nil {
			return apperr.Wrap(err, "add accommodation")
		}
		if in.Kind == ExtraTime {
			atts, err := s.store.AttemptsOf(ctx, in.ExamID, in.CadreID)
			if err != nil {
				return apperr.Wrap(err, "attempts")
			}
			if n := len(atts); n > 0 && atts[n-1].Status == InProgress {
				d := atts[n-1].Deadline.Add(time.Duration(in.ExtraMinutes) * time.Minute)
				if err := st.ExtendDeadline(ctx, atts[n-1].ID, d); err != nil {
					return apperr.Wrap(err, "extend deadline")
				}
			}
		}
		return s.record(ctx, actor, "exam.accommodation", "exam", in.ExamID, nil, map[string]any{"cadreId": in.CadreID,
			"kind": in.Kind, "extraMinutes": in.ExtraMinutes, "reason": in.Reason})
	})
	return in, err
}

// allowances sums a candidate's accommodations: extra minutes and extra attempts.
func (s *Service) allowances(ctx context.Context, examID, cadreID int64) (int, int, error) {
	st, err := s.admin()
	if err != nil {
		return 0, 0, err
	}
	acc, err := st.Accommodations(ctx, examID, cadreID)
	if err != nil {
		return 0, 0, err
	}
	minutes, resits := 0, 0
	for _, a := range acc {
		minutes += a.ExtraMinutes
		if a.Kind == Resit {
			resits++
		}
	}
	return minutes, resits, nil
}

// Monitor lists who is sitting or has sat an exam, with integrity counts (live view).
func (s *Service) Monitor(ctx context.Context, actor identity.Principal, examID int64) ([]Sitting, error) {
	if !isAdmin(actor) {
		return nil, forbidden("只有考试管理员可以查看考场情况")
	}
	if _, err := s.load(ctx, examID); err != nil {
		return nil, err
	}
	st, err := s.admin()
	if err != nil {
		return nil, err
	}
	out, err := st.Sittings(ctx, examID)
	return out, apperr.Wrap(err, "sittings")
}

// IntegrityLog returns one attempt's integrity events (examadmin).
func (s *Service) IntegrityLog(ctx context.Context, actor identity.Principal, attemptID int64) ([]IntegrityEvent, error) {
	if !isAdmin(actor) {
		return nil, forbidden("只有考试管理员可以查看考试行为记录")
	}
	evs, err := s.store.IntegrityEvents(ctx, attemptID)
	return evs, apperr.Wrap(err, "integrity events")
}

// RegradeResult says what a regrade changed.
type RegradeResult struct {
	Attempts     int // attempts that used the item
	Changed      int // attempts whose total changed
	NowPassed    int
	NowFailed    int
	ItemVersion  int
	ScoreChanges []ScoreChange
}

// ScoreChange is one attempt's total before and after a regrade.
type ScoreChange struct {
	AttemptID     int64
	Before, After float64
}

// Regrade re-scores one objective item in every finished attempt of an exam with the item's
// current published key (after a wrong key was corrected), recomputes totals and passes, and
// lets certificates follow: a new pass is certified, a lost pass has its certificate revoked.
// Each changed attempt is audited.
func (s *Service) Regrade(ctx context.Context, actor identity.Principal, examID, itemID int64) (RegradeResult, error) {
	if !isAdmin(actor) {
		return RegradeResult{}, forbidden("只有考试管理员可以重新评分")
	}
	st, err := s.admin()
	if err != nil {
		return RegradeResult{}, err
	}
	var res RegradeResult
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.load(ctx, examID)
		if err != nil {
			return err
		}
		atts, err := st.AttemptsOfExam(ctx, examID)
		if err != nil {
			return apperr.Wrap(err, "attempts")
		}
		pool, err := s.pool(ctx, e.SubjectCode)
		if err != nil {
			return apperr.Wrap(err, "pool")
		}
		version := 0
		for _, p := range pool {
			if p.ItemID == itemID {
				version = p.Version
			}
		}
		if version == 0 {
			return apperr.InvalidFields("item_not_published", "该题目没有已发布的版本", apperr.FieldError{Field: "itemId", Message: "请先发布更正后的题目"})
		}
		res.ItemVersion = version
		items, err := s.itemsAt(ctx, []ItemRef{{itemID, version}})
		if err != nil {
			return apperr.Wrap(err, "item")
		}
		fixed := items[ItemRef{itemID, version}]
		if fixed.Type.Written() {
			return apperr.InvalidFields("written_item", "主观题请通过复评处理", apperr.FieldError{Field: "itemId", Message: "不是客观题"})
		}
		for _, a := range atts {
			q, ok := findQuestion(a.Paper, itemID)
			if !ok || a.Status == InProgress {
				continue
			}
			res.Attempts++
			if err := s.regradeOne(ctx, actor, e, a, q, fixed, &res); err != nil {
				return err
			}
		}
		return s.record(ctx, actor, "exam.regrade", "exam", examID, nil, map[string]any{"itemId": itemID, "version": version,
			"attempts": res.Attempts, "changed": res.Changed})
	})
	return res, err
}

func (s *Service) regradeOne(ctx context.Context, actor identity.Principal, e Exam, a Attempt, q Question, fixed bank.Item, res *RegradeResult) error {
	answers, err := s.store.Answers(ctx, a.ID)
	if err != nil {
		return apperr.Wrap(err, "answers")
	}
	var raw []byte
	var old float64
	for _, an := range answers {
		if an.ItemID == q.ItemID {
			raw = an.Value
			if an.Points != nil {
				old = *an.Points
			}
		}
	}
	pts, _ := bank.ScoreObjective(fixed, response(q, fixed, raw), q.Points, e.ScoringOverride)
	if pts == old || a.ObjectiveScore == nil {
		return nil
	}
	if raw != nil {
		if err := s.store.SetAnswerPoints(ctx, a.ID, q.ItemID, pts); err != nil {
			return apperr.Wrap(err, "set points")
		}
	}
	obj := round2(*a.ObjectiveScore - old + pts)
	a.ObjectiveScore = &obj
	before := 0.0
	if a.TotalScore != nil {
		before = *a.TotalScore
	}
	wasPassed := a.Passed != nil && *a.Passed
	if a.Status == Graded {
		if err := s.complete(ctx, e, &a); err != nil {
			return err
		}
	}
	if err := s.store.UpdateAttemptResult(ctx, a); err != nil {
		return apperr.Wrap(err, "attempt result")
	}
	res.Changed++
	after := before
	if a.TotalScore != nil {
		after = *a.TotalScore
	}
	res.ScoreChanges = append(res.ScoreChanges, ScoreChange{AttemptID: a.ID, Before: before, After: after})
	if err := s.record(ctx, actor, "attempt.regrade", "attempt", a.ID, map[string]any{"totalScore": before, "passed": wasPassed},
		map[string]any{"totalScore": a.TotalScore, "passed": a.Passed, "itemId": q.ItemID}); err != nil {
		return err
	}
	nowPassed := a.Passed != nil && *a.Passed
	switch {
	case nowPassed && !wasPassed:
		res.NowPassed++
		return s.issueIfPassed(ctx, a)
	case !nowPassed && wasPassed && s.issuer != nil:
		res.NowFailed++
		if r, ok := s.issuer.(interface {
			RevokeForAttempt(ctx context.Context, attemptID int64, reason string) error
		}); ok {
			return r.RevokeForAttempt(ctx, a.ID, fmt.Sprintf("试题答案更正后重新评分，总分 %g 未达合格线 %g", after, e.PassScore))
		}
	}
	return nil
}

// ItemStat is one item's statistics in one exam.
type ItemStat struct {
	ItemID  int64
	Version int
	Type    bank.Type
	Stats   bank.Stats
}

// Report is an exam's summary for the administrator.
type Report struct {
	Exam          Exam
	Sat           int
	Finished      int
	Graded        int
	Passed        int
	PassRate      float64
	MeanScore     float64
	Distribution  []int // counts of total scores in ten bins of a tenth of full marks
	MeanMinutes   float64
	MedianMinutes float64
	Flagged       int
	Sittings      []Sitting
	Items         []ItemStat
}

// Report computes an exam's results and item statistics, and stores the statistics with the
// item versions they describe (so the bank can flag items for review).
func (s *Service) Report(ctx context.Context, actor identity.Principal, examID int64) (Report, error) {
	if !isAdmin(actor) {
		return Report{}, forbidden("只有考试管理员可以查看考试报告")
	}
	e, err := s.load(ctx, examID)
	if err != nil {
		return Report{}, err
	}
	st, err := s.admin()
	if err != nil {
		return Report{}, err
	}
	sittings, err := st.Sittings(ctx, examID)
	if err != nil {
		return Report{}, apperr.Wrap(err, "sittings")
	}
	r := Report{Exam: e, Sat: len(sittings), Sittings: sittings, Distribution: make([]int, 10)}
	full := e.Blueprint.TotalPoints()
	var minutes []float64
	sum := 0.0
	type obsKey struct {
		item    int64
		version int
	}
	obs := map[obsKey][]bank.Observation{}
	types := map[obsKey]bank.Type{}
	var refs []ItemRef
	for _, si := range sittings {
		a := si.Attempt
		if si.Flagged() {
			r.Flagged++
		}
		if a.SubmittedAt != nil {
			r.Finished++
			minutes = append(minutes, a.SubmittedAt.Sub(a.StartedAt).Minutes())
		}
		if a.Status != Graded || a.TotalScore == nil {
			continue
		}
		r.Graded++
		sum += *a.TotalScore
		if a.Passed != nil && *a.Passed {
			r.Passed++
		}
		bin := 0
		if full > 0 {
			bin = int(math.Min(9, math.Floor(*a.TotalScore/full*10)))
		}
		r.Distribution[bin]++
		answers, err := s.store.Answers(ctx, a.ID)
		if err != nil {
			return Report{}, apperr.Wrap(err, "answers")
		}
		tasks, err := s.store.TasksOfAttempt(ctx, a.ID)
		if err != nil {
			return Report{}, apperr.Wrap(err, "tasks")
		}
		pts := map[int64]float64{}
		sel := map[int64][]string{}
		for _, an := range answers {
			if an.Points != nil {
				pts[an.ItemID] = *an.Points
			}
			var q Question
			q, _ = findQuestion(a.Paper, an.ItemID)
			sel[an.ItemID] = selected(q, an.Value)
		}
		for _, t := range tasks {
			if t.Final != nil {
				pts[t.ItemID] = *t.Final
			}
		}
		for _, q := range a.Paper.Questions {
			k := obsKey{q.ItemID, q.Version}
			if _, ok := types[k]; !ok {
				refs = append(refs, ItemRef{q.ItemID, q.Version})
				types[k] = ""
			}
			obs[k] = append(obs[k], bank.Observation{Points: pts[q.ItemID], Max: q.Points, Total: *a.TotalScore, Selected: sel[q.ItemID]})
		}
	}
	if r.Graded > 0 {
		r.PassRate = round2(float64(r.Passed) / float64(r.Graded))
		r.MeanScore = round2(sum / float64(r.Graded))
	}
	if len(minutes) > 0 {
		sort.Float64s(minutes)
		t := 0.0
		for _, m := range minutes {
			t += m
		}
		r.MeanMinutes = round2(t / float64(len(minutes)))
		r.MedianMinutes = round2(minutes[len(minutes)/2])
	}
	items, err := s.itemsAt(ctx, refs)
	if err != nil {
		return Report{}, apperr.Wrap(err, "items")
	}
	for _, ref := range refs {
		k := obsKey{ref.ItemID, ref.Version}
		r.Items = append(r.Items, ItemStat{ItemID: ref.ItemID, Version: ref.Version, Type: items[ref].Type, Stats: bank.Analyze(obs[k])})
	}
	if len(r.Items) > 0 {
		if err := st.SaveItemStats(ctx, examID, r.Items); err != nil {
			return Report{}, apperr.Wrap(err, "item stats")
		}
	}
	return r, nil
}

// selected returns the authored option keys a saved answer chose (choice items only).
func selected(q Question, raw []byte) []string {
	if len(q.Order) == 0 {
		return nil
	}
	r := strings.Trim(strings.TrimSpace(string(raw)), "[]")
	var out []string
	for _, part := range strings.Split(r, ",") {
		d := strings.Trim(strings.TrimSpace(part), `"`)
		if k := q.AuthoredKey(d); k != "" {
			out = append(out, k)
		}
	}
	return out
}
