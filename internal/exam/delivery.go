package exam

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"qualify/internal/bank"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/db"
)

// View is an attempt as its candidate sees it: questions without keys or rubrics.
type View struct {
	Attempt    Attempt
	Exam       Exam
	Questions  []ViewQuestion
	ServerTime time.Time
}

// ViewQuestion is one question of a candidate's paper. Options carry display letters.
type ViewQuestion struct {
	ItemID  int64
	Type    bank.Type
	Stem    string
	Options []bank.Option
	Points  float64
	Blanks  int
	Answer  json.RawMessage // the saved answer, if any
	Seq     int64
	SavedAt *time.Time
}

// DeviceConflict is returned when another device holds the attempt.
func deviceConflict() error {
	return apperr.New(apperr.Conflict, "device_conflict", "本场考试正在另一台设备上进行。如需切换到本设备，请确认切换（切换将被记录）")
}

func (s *Service) candidate(actor identity.Principal) (int64, error) {
	if actor.CadreID == nil || !actor.Has(identity.RoleCadre) {
		return 0, apperr.New(apperr.Forbidden, "not_a_cadre", "只有关联干部档案的考生账户可以参加考试")
	}
	return *actor.CadreID, nil
}

func newSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) >> 1 // fits a signed BIGINT
}

// Start begins an attempt, or returns the one in progress (resume). The server owns the clock:
// deadline = min(start + duration, close). created reports whether a new attempt began.
// Errors: not_a_cadre, not_found (not eligible), exam_not_open, exam_closed, attempts_exhausted,
// device_conflict.
func (s *Service) Start(ctx context.Context, actor identity.Principal, examID int64, device string, takeover bool) (View, bool, error) {
	v, created, err := s.start(ctx, actor, examID, device, takeover)
	if errors.Is(err, errStartRace) {
		// Two starts at once (a double click, two tabs): the other one made the attempt.
		return s.start(ctx, actor, examID, device, takeover)
	}
	return v, created, err
}

// errStartRace is a concurrent start's attempt number collision; Start retries once.
var errStartRace = errors.New("attempt created concurrently")

func (s *Service) start(ctx context.Context, actor identity.Principal, examID int64, device string, takeover bool) (View, bool, error) {
	cadreID, err := s.candidate(actor)
	if err != nil {
		return View{}, false, err
	}
	e, err := s.load(ctx, examID)
	if err != nil {
		return View{}, false, err
	}
	ok, err := s.eligible(ctx, e, cadreID)
	if err != nil {
		return View{}, false, apperr.Wrap(err, "eligibility")
	}
	if e.Status == Draft || !ok {
		return View{}, false, apperr.NotFoundf("考试不存在")
	}
	var att Attempt
	created := false
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		atts, err := s.store.AttemptsOf(ctx, e.ID, cadreID)
		if err != nil {
			return apperr.Wrap(err, "attempts")
		}
		now := s.now().UTC()
		if n := len(atts); n > 0 && atts[n-1].Status == InProgress && now.Before(atts[n-1].Deadline) {
			att = atts[n-1]
			return s.claimDevice(ctx, actor, &att, device, takeover)
		}
		extra, resits, err := s.allowances(ctx, e.ID, cadreID)
		if err != nil {
			return apperr.Wrap(err, "accommodations")
		}
		closes := e.ClosesAt.Add(time.Duration(extra) * time.Minute)
		switch {
		case now.Before(e.OpensAt):
			return apperr.New(apperr.FailedPrecondition, "exam_not_open", "考试尚未开始，开始时间 "+e.OpensAt.In(shanghai).Format("2006-01-02 15:04"))
		case !now.Before(closes) || e.Status == Closed:
			return apperr.New(apperr.FailedPrecondition, "exam_closed", "考试已结束")
		case len(atts) >= e.MaxAttempts+resits:
			return apperr.New(apperr.FailedPrecondition, "attempts_exhausted", fmt.Sprintf("已用完全部 %d 次考试机会", e.MaxAttempts))
		}
		if n := len(atts); n > 0 && atts[n-1].Passed != nil && *atts[n-1].Passed {
			return apperr.New(apperr.FailedPrecondition, "already_passed", "本科目已考试合格")
		}
		paper, err := s.preparedOr(ctx, e, cadreID, len(atts)+1, func() (Paper, error) {
			pool, err := s.pool(ctx, e.SubjectCode)
			if err != nil {
				return Paper{}, apperr.Wrap(err, "load pool")
			}
			seen := map[int64]bool{}
			for _, a := range atts {
				for _, q := range a.Paper.Questions {
					seen[q.ItemID] = true
				}
			}
			p, err := Assemble(e.Blueprint, pool, newSeed(), seen)
			return p, apperr.Wrap(err, "assemble paper")
		})
		if err != nil {
			return err
		}
		deadline := now.Add(time.Duration(e.DurationMinutes+extra) * time.Minute)
		if closes.Before(deadline) {
			deadline = closes.UTC()
		}
		uid := actor.UserID
		att = Attempt{ExamID: e.ID, CadreID: cadreID, UserID: &uid, No: len(atts) + 1, Status: InProgress, Paper: paper,
			StartedAt: now, Deadline: deadline, DeviceID: device}
		if err := s.store.CreateAttempt(ctx, &att); err != nil {
			if db.IsUniqueViolation(err) {
				return errStartRace
			}
			return apperr.Wrap(err, "create attempt")
		}
		created = true
		return s.record(ctx, actor, "attempt.start", "attempt", att.ID, nil,
			map[string]any{"examId": e.ID, "attemptNo": att.No, "seed": paper.Seed, "deadline": deadline})
	})
	if err != nil {
		return View{}, false, err
	}
	s.remember(att)
	v, err := s.view(ctx, e, att)
	return v, created, err
}

// remember caches the immutable facts of an attempt the candidate is about to save into.
func (s *Service) remember(a Attempt) {
	if _, ok := s.papers.get(a.ID); !ok && a.ID != 0 {
		s.papers.put(a.ID, a)
	}
}

// claimDevice enforces one device at a time; a confirmed takeover is recorded.
func (s *Service) claimDevice(ctx context.Context, actor identity.Principal, a *Attempt, device string, takeover bool) error {
	if device == "" || a.DeviceID == "" || a.DeviceID == device {
		if a.DeviceID == "" && device != "" {
			a.DeviceID = device
			return apperr.Wrap(s.store.SetDevice(ctx, a.ID, device), "set device")
		}
		return nil
	}
	if !takeover {
		return deviceConflict()
	}
	before := a.DeviceID
	a.DeviceID = device
	if err := s.store.SetDevice(ctx, a.ID, device); err != nil {
		return apperr.Wrap(err, "set device")
	}
	if err := s.store.AddIntegrityEvent(ctx, IntegrityEvent{AttemptID: a.ID, Kind: "device_switch",
		Detail: "考生确认切换设备", ServerAt: s.now().UTC()}); err != nil {
		return apperr.Wrap(err, "integrity event")
	}
	return s.record(ctx, actor, "attempt.device_switch", "attempt", a.ID, map[string]string{"device": before}, map[string]string{"device": device})
}

// Resume returns the candidate's own attempt with saved answers (after a reload or a new login).
func (s *Service) Resume(ctx context.Context, actor identity.Principal, attemptID int64, device string, takeover bool) (View, error) {
	cadreID, err := s.candidate(actor)
	if err != nil {
		return View{}, err
	}
	var att Attempt
	var e Exam
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.AttemptByID(ctx, attemptID)
		if err != nil {
			return apperr.Wrap(err, "find attempt")
		}
		if a == nil || a.CadreID != cadreID {
			return apperr.NotFoundf("答卷不存在")
		}
		att = *a
		if e, err = s.load(ctx, att.ExamID); err != nil {
			return err
		}
		if att.Status == InProgress && s.now().Before(att.Deadline) {
			return s.claimDevice(ctx, actor, &att, device, takeover)
		}
		return nil
	})
	if err != nil {
		return View{}, err
	}
	s.remember(att)
	return s.view(ctx, e, att)
}

func refsOf(p Paper) []ItemRef {
	refs := make([]ItemRef, len(p.Questions))
	for i, q := range p.Questions {
		refs[i] = ItemRef{q.ItemID, q.Version}
	}
	return refs
}

func (s *Service) view(ctx context.Context, e Exam, a Attempt) (View, error) {
	items, err := s.itemsAt(ctx, refsOf(a.Paper))
	if err != nil {
		return View{}, apperr.Wrap(err, "load items")
	}
	answers, err := s.store.Answers(ctx, a.ID)
	if err != nil {
		return View{}, apperr.Wrap(err, "load answers")
	}
	byItem := map[int64]Answer{}
	for _, an := range answers {
		byItem[an.ItemID] = an
	}
	v := View{Attempt: a, Exam: e, ServerTime: s.now().UTC()}
	for _, q := range a.Paper.Questions {
		it := items[ItemRef{q.ItemID, q.Version}]
		vq := ViewQuestion{ItemID: q.ItemID, Type: it.Type, Stem: it.Stem, Points: q.Points}
		if it.Type == bank.FillBlank {
			vq.Blanks = len(it.Key.Blanks)
		}
		text := map[string]string{}
		for _, o := range it.Options {
			text[o.Key] = o.Text
		}
		for i, k := range q.Order {
			vq.Options = append(vq.Options, bank.Option{Key: string(rune('A' + i)), Text: text[k]})
		}
		if an, ok := byItem[q.ItemID]; ok {
			vq.Answer, vq.Seq = an.Value, an.Seq
			t := an.SavedAt
			vq.SavedAt = &t
		}
		v.Questions = append(v.Questions, vq)
	}
	return v, nil
}

// SaveResult acknowledges a save.
type SaveResult struct {
	ItemID  int64
	Seq     int64
	SavedAt time.Time
}

// Save stores one answer with its sequence number; the answer is journaled and committed before
// this returns. A seq not above the stored one changes nothing (stale_answer); after the
// deadline or submission nothing changes (attempt_closed). Errors also: invalid_answer,
// device_conflict, not_found.
func (s *Service) Save(ctx context.Context, actor identity.Principal, attemptID, itemID int64, value []byte, seq int64, device string) (SaveResult, error) {
	cadreID, err := s.candidate(actor)
	if err != nil {
		return SaveResult{}, err
	}
	if seq < 1 {
		return SaveResult{}, apperr.InvalidFields("validation_failed", "seq 须为正整数", apperr.FieldError{Field: "seq", Message: "须为正整数"})
	}
	facts, ok := s.papers.get(attemptID)
	if !ok {
		a, err := s.store.AttemptByID(ctx, attemptID)
		if err != nil {
			return SaveResult{}, apperr.Wrap(err, "find attempt")
		}
		if a == nil {
			return SaveResult{}, apperr.NotFoundf("答卷不存在")
		}
		facts = s.papers.put(attemptID, *a)
	}
	if facts.cadreID != cadreID {
		return SaveResult{}, apperr.NotFoundf("答卷不存在")
	}
	options, ok := facts.question(itemID)
	if !ok {
		return SaveResult{}, apperr.NotFoundf("试卷中没有这道题")
	}
	if err := checkAnswerShape(options, value); err != nil {
		return SaveResult{}, err
	}
	now := s.now().UTC()
	outcome, err := s.saves.Do(ctx, AnswerSave{Answer: Answer{AttemptID: attemptID, ItemID: itemID, Value: value, Seq: seq, SavedAt: now}, Device: device})
	if err != nil {
		return SaveResult{}, apperr.Wrap(err, "save answer")
	}
	switch outcome {
	case SaveStale:
		cur, _ := s.store.AnswerSeq(ctx, attemptID, itemID)
		return SaveResult{}, apperr.New(apperr.Conflict, "stale_answer", fmt.Sprintf("作答序号 %d 不大于已保存的序号 %d，本次作答未覆盖已保存的答案", seq, cur))
	case SaveNotFound:
		return SaveResult{}, apperr.NotFoundf("答卷不存在")
	case SaveClosed:
		a, err := s.store.AttemptByID(ctx, attemptID)
		if err != nil {
			return SaveResult{}, apperr.Wrap(err, "find attempt")
		}
		if a != nil && a.Status == InProgress && now.Before(a.Deadline) && device != "" && a.DeviceID != "" && a.DeviceID != device {
			return SaveResult{}, deviceConflict()
		}
		return SaveResult{}, apperr.New(apperr.Conflict, "attempt_closed", "考试已结束或已交卷，本次作答未保存")
	}
	return SaveResult{ItemID: itemID, Seq: seq, SavedAt: now}, nil
}

func findQuestion(p Paper, itemID int64) (Question, bool) {
	for _, q := range p.Questions {
		if q.ItemID == itemID {
			return q, true
		}
	}
	return Question{}, false
}

// maxAnswerBytes bounds one saved answer.
const maxAnswerBytes = 64 << 10

// checkAnswerShape refuses an answer that is not the JSON shape of the contract for its question,
// which shows options options (0: none).
func checkAnswerShape(options int, value []byte) error {
	bad := func(msg string) error {
		return apperr.InvalidFields("invalid_answer", "答案格式不正确", apperr.FieldError{Field: "answer", Message: msg})
	}
	if len(value) > maxAnswerBytes {
		return bad("答案过长")
	}
	v := bytes.TrimSpace(value)
	if string(v) == "null" {
		return nil // cleared
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return bad("答案不是有效的 JSON")
	}
	switch t := x.(type) {
	case string:
		letter := len(t) == 1 && t[0] >= 'A' && int(t[0]-'A') < options
		if options > 0 && !letter && len([]rune(t)) == 1 {
			return bad("选项 " + t + " 不存在")
		}
	case []any:
		for _, e := range t {
			if _, ok := e.(string); !ok {
				return bad("数组中的每一项应为字符串")
			}
		}
	case bool:
	default:
		return bad("答案应为字符串、字符串数组或布尔值")
	}
	return nil
}

// response converts a saved answer in display letters to a scoring response in authored keys.
func response(q Question, it bank.Item, raw []byte) bank.Response {
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return bank.Response{Empty: true}
	}
	var r bank.Response
	switch it.Type {
	case bank.Single:
		var d string
		if json.Unmarshal(raw, &d) != nil || d == "" {
			return bank.Response{Empty: true}
		}
		r.Choice = q.AuthoredKey(d)
	case bank.Multiple:
		var ds []string
		if json.Unmarshal(raw, &ds) != nil || len(ds) == 0 {
			return bank.Response{Empty: true}
		}
		for _, d := range ds {
			r.Choices = append(r.Choices, q.AuthoredKey(d))
		}
	case bank.TrueFalse:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return bank.Response{Empty: true}
		}
		r.Bool = &b
	case bank.FillBlank:
		if json.Unmarshal(raw, &r.Blanks) != nil {
			var one string
			if json.Unmarshal(raw, &one) != nil {
				return bank.Response{Empty: true}
			}
			r.Blanks = []string{one}
		}
	default:
		_ = json.Unmarshal(raw, &r.Text)
	}
	return r
}

// SubmitResult is what a submission returns; calling Submit again returns the same.
type SubmitResult struct {
	Status     AttemptStatus
	TotalScore *float64
	Passed     *bool
}

// Submit hands in the candidate's attempt. It is idempotent: a second call (or concurrent calls)
// returns the result of the one submission.
func (s *Service) Submit(ctx context.Context, actor identity.Principal, attemptID int64) (SubmitResult, error) {
	cadreID, err := s.candidate(actor)
	if err != nil {
		return SubmitResult{}, err
	}
	// Whose attempt it is never changes: the cached paper answers without reading the attempt.
	owner := int64(0)
	if f, ok := s.papers.get(attemptID); ok {
		owner = f.cadreID
	} else {
		a, err := s.store.AttemptByID(ctx, attemptID)
		if err != nil {
			return SubmitResult{}, apperr.Wrap(err, "find attempt")
		}
		if a != nil {
			owner = a.CadreID
		}
	}
	if owner == 0 || owner != cadreID {
		return SubmitResult{}, apperr.NotFoundf("答卷不存在")
	}
	return s.finish(ctx, actor, attemptID, "candidate")
}

// finish submits and grades an attempt once; later calls read the stored result.
func (s *Service) finish(ctx context.Context, actor identity.Principal, attemptID int64, by string) (SubmitResult, error) {
	var res SubmitResult
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		a, err := s.store.LockAttempt(ctx, attemptID)
		if err != nil {
			return apperr.Wrap(err, "lock attempt")
		}
		if a == nil {
			return apperr.NotFoundf("答卷不存在")
		}
		if a.Status != InProgress {
			res = resultOf(*a)
			return nil
		}
		now := s.now().UTC()
		if now.After(a.Deadline) {
			now = a.Deadline // submitted by the deadline with what was saved
		}
		a.SubmittedAt, a.SubmittedBy = &now, by
		if err := s.grade(ctx, a); err != nil {
			return err
		}
		closed, err := s.store.CloseAttempt(ctx, *a)
		if err != nil {
			return apperr.Wrap(err, "close attempt")
		}
		if !closed {
			return apperr.New(apperr.Conflict, "submit_race", "交卷冲突，请重试")
		}
		res = resultOf(*a)
		if err := s.record(ctx, actor, "attempt.submit", "attempt", a.ID, nil, map[string]any{"by": by, "status": a.Status,
			"objectiveScore": a.ObjectiveScore, "totalScore": a.TotalScore, "passed": a.Passed}); err != nil {
			return err
		}
		return s.issueIfPassed(ctx, *a)
	})
	return res, err
}

func resultOf(a Attempt) SubmitResult {
	return SubmitResult{Status: a.Status, TotalScore: a.TotalScore, Passed: a.Passed}
}

// grade scores the objective questions, creates marking tasks for written ones, and completes
// the attempt when nothing awaits markers. It changes a (status, scores, hash).
func (s *Service) grade(ctx context.Context, a *Attempt) error {
	e, err := s.load(ctx, a.ExamID)
	if err != nil {
		return err
	}
	items, err := s.itemsAt(ctx, refsOf(a.Paper))
	if err != nil {
		return apperr.Wrap(err, "load items")
	}
	answers, err := s.store.Answers(ctx, a.ID)
	if err != nil {
		return apperr.Wrap(err, "load answers")
	}
	byItem := map[int64]Answer{}
	for _, an := range answers {
		byItem[an.ItemID] = an
	}
	objective := 0.0
	written := 0
	earned := map[int64]float64{}
	for _, q := range a.Paper.Questions {
		it := items[ItemRef{q.ItemID, q.Version}]
		if it.Type.Written() {
			written++
			tol := it.Tolerance
			if it.Points > 0 {
				tol = tol * q.Points / it.Points // the rubric scales with the blueprint's weight
			}
			t := Task{AttemptID: a.ID, ItemID: q.ItemID, Version: q.Version, MaxPoints: q.Points, Tolerance: tol, Stage: NeedFirst}
			an, answered := byItem[q.ItemID]
			if !answered || response(q, it, an.Value).Text == "" {
				zero := 0.0
				t.Stage, t.Final = Done, &zero // nothing written: nothing to mark
			}
			if err := s.store.CreateTask(ctx, &t); err != nil {
				return apperr.Wrap(err, "create marking task")
			}
			if t.Stage == Done {
				written--
			}
			continue
		}
		pts, _ := bank.ScoreObjective(it, response(q, it, byItem[q.ItemID].Value), q.Points, e.ScoringOverride)
		objective += pts
		if _, ok := byItem[q.ItemID]; ok {
			earned[q.ItemID] = pts
		}
	}
	if err := s.store.SetAnswersPoints(ctx, a.ID, earned); err != nil {
		return apperr.Wrap(err, "set points")
	}
	objective = round2(objective)
	a.ObjectiveScore = &objective
	if written > 0 {
		a.Status = Grading
		return nil
	}
	return s.complete(ctx, e, a)
}

// complete totals an attempt whose marking is done and decides the pass.
func (s *Service) complete(ctx context.Context, e Exam, a *Attempt) error {
	tasks, err := s.store.TasksOfAttempt(ctx, a.ID)
	if err != nil {
		return apperr.Wrap(err, "tasks")
	}
	subjective := 0.0
	for _, t := range tasks {
		if t.Final == nil {
			a.Status = Grading
			return nil
		}
		subjective += *t.Final
	}
	subjective = round2(subjective)
	obj := 0.0
	if a.ObjectiveScore != nil {
		obj = *a.ObjectiveScore
	}
	total := round2(obj + subjective)
	passed := total >= e.PassScore
	a.SubjectiveScore, a.TotalScore, a.Passed, a.Status = &subjective, &total, &passed, Graded
	answers, err := s.store.Answers(ctx, a.ID)
	if err != nil {
		return apperr.Wrap(err, "answers")
	}
	a.ResultHash = hashAttempt(*a, answers, tasks)
	return nil
}

func hashAttempt(a Attempt, answers []Answer, tasks []Task) string {
	type ans struct {
		ItemID int64           `json:"itemId"`
		Seq    int64           `json:"seq"`
		Value  json.RawMessage `json:"value"`
	}
	doc := struct {
		AttemptID int64     `json:"attemptId"`
		ExamID    int64     `json:"examId"`
		CadreID   int64     `json:"cadreId"`
		Paper     Paper     `json:"paper"`
		Answers   []ans     `json:"answers"`
		Marks     []float64 `json:"marks"`
		Total     *float64  `json:"total"`
	}{AttemptID: a.ID, ExamID: a.ExamID, CadreID: a.CadreID, Paper: a.Paper, Total: a.TotalScore}
	for _, an := range answers {
		doc.Answers = append(doc.Answers, ans{an.ItemID, an.Seq, an.Value})
	}
	for _, t := range tasks {
		if t.Final != nil {
			doc.Marks = append(doc.Marks, *t.Final)
		}
	}
	b, _ := json.Marshal(doc)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (s *Service) issueIfPassed(ctx context.Context, a Attempt) error {
	if a.Status != Graded || a.Passed == nil || !*a.Passed || s.issuer == nil {
		return nil
	}
	e, err := s.load(ctx, a.ExamID)
	if err != nil {
		return err
	}
	_, err = s.issuer.IssueForAttempt(ctx, PassedAttempt{AttemptID: a.ID, CadreID: a.CadreID, SubjectCode: e.SubjectCode,
		Score: *a.TotalScore, PassedAt: s.now().UTC(), Hash: a.ResultHash})
	return err
}

// AutoSubmitDue submits, with the answers saved so far, every attempt whose deadline has passed.
// Several instances may run it at once: each attempt is closed by exactly one of them.
func (s *Service) AutoSubmitDue(ctx context.Context, limit int) (int, error) {
	ids, err := s.store.DueAttempts(ctx, s.now().UTC(), limit)
	if err != nil {
		return 0, apperr.Wrap(err, "due attempts")
	}
	n := 0
	system := identity.Principal{Username: "system"}
	for _, id := range ids {
		res, err := s.finish(ctx, system, id, "server")
		if err != nil {
			return n, err
		}
		if res.Status != InProgress {
			n++
		}
	}
	return n, nil
}

// Result is what a candidate may see of a finished attempt.
type Result struct {
	Status            AttemptStatus
	ObjectiveScore    *float64
	SubjectiveScore   *float64
	TotalScore        *float64
	Passed            *bool
	Released          bool
	CertificateNumber *string
}

// Result returns the candidate's result as the review policy and release allow.
func (s *Service) Result(ctx context.Context, actor identity.Principal, attemptID int64) (Result, error) {
	cadreID, err := s.candidate(actor)
	if err != nil {
		return Result{}, err
	}
	a, err := s.store.AttemptByID(ctx, attemptID)
	if err != nil {
		return Result{}, apperr.Wrap(err, "find attempt")
	}
	if a == nil || a.CadreID != cadreID {
		return Result{}, apperr.NotFoundf("答卷不存在")
	}
	e, err := s.load(ctx, a.ExamID)
	if err != nil {
		return Result{}, err
	}
	r := Result{Status: a.Status}
	if a.Status == Graded && e.ResultsReleased != nil && e.ReviewPolicy != "" {
		r.Released = true
		r.ObjectiveScore, r.SubjectiveScore, r.TotalScore, r.Passed = a.ObjectiveScore, a.SubjectiveScore, a.TotalScore, a.Passed
		if a.Passed != nil && *a.Passed && s.issuer != nil {
			n, err := s.issuer.CertificateOf(ctx, a.ID)
			if err != nil {
				return Result{}, apperr.Wrap(err, "certificate")
			}
			if n != "" {
				r.CertificateNumber = &n
			}
		}
	}
	return r, nil
}

// ReportIntegrity records client-reported events (focus loss, copy, paste) with server time.
// Policy: warn -> count -> flag for review; never a silent fail.
func (s *Service) ReportIntegrity(ctx context.Context, actor identity.Principal, attemptID int64, kind, detail string, clientAt *time.Time) (int, error) {
	cadreID, err := s.candidate(actor)
	if err != nil {
		return 0, err
	}
	switch kind {
	case "focus_lost", "copy", "paste", "fullscreen_exit", "visibility_hidden":
	default:
		return 0, apperr.InvalidFields("validation_failed", "未知的事件类型", apperr.FieldError{Field: "kind", Message: "应为 focus_lost、copy、paste、fullscreen_exit 或 visibility_hidden"})
	}
	a, err := s.store.AttemptByID(ctx, attemptID)
	if err != nil {
		return 0, apperr.Wrap(err, "find attempt")
	}
	if a == nil || a.CadreID != cadreID {
		return 0, apperr.NotFoundf("答卷不存在")
	}
	if len(detail) > 500 {
		detail = detail[:500]
	}
	if err := s.store.AddIntegrityEvent(ctx, IntegrityEvent{AttemptID: a.ID, Kind: kind, Detail: detail, ClientAt: clientAt, ServerAt: s.now().UTC()}); err != nil {
		return 0, apperr.Wrap(err, "integrity event")
	}
	evs, err := s.store.IntegrityEvents(ctx, a.ID)
	return len(evs), apperr.Wrap(err, "integrity events")
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()
