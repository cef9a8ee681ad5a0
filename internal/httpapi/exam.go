package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"qualify/internal/bank"
	"qualify/internal/exam"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

type sectionDTO struct {
	Type   string  `json:"type" validate:"required"`
	Count  int     `json:"count" validate:"required,gt=0"`
	Points float64 `json:"points" validate:"required,gt=0"`
	// Difficulty is a band {min, max} or one level (a number).
	Difficulty json.RawMessage `json:"difficulty,omitempty"`
	Tags       []string        `json:"tags,omitempty"`
}

type blueprintDTO struct {
	Sections  []sectionDTO `json:"sections" validate:"required,min=1,max=20,dive"`
	Tolerance float64      `json:"tolerance,omitempty"`
}

type eligibilityDTO struct {
	OrgIDs     []int64  `json:"orgIds,omitempty"`
	PostLevels []string `json:"postLevels,omitempty"`
	Ranks      []string `json:"ranks,omitempty"`
	CadreIDs   []int64  `json:"cadreIds,omitempty"`
}

type examRequest struct {
	Title           string          `json:"title" validate:"required,max=200"`
	SubjectCode     string          `json:"subjectCode" validate:"required"`
	DurationMinutes int             `json:"durationMinutes" validate:"required,gt=0"`
	OpensAt         time.Time       `json:"opensAt" validate:"required"`
	ClosesAt        time.Time       `json:"closesAt" validate:"required"`
	PassScore       float64         `json:"passScore" validate:"required,gt=0"`
	MaxAttempts     int             `json:"maxAttempts"`
	Blueprint       blueprintDTO    `json:"blueprint" validate:"required"`
	Eligibility     *eligibilityDTO `json:"eligibility,omitempty"`
	ReviewPolicy    string          `json:"reviewPolicy,omitempty"`
	MultipleScoring string          `json:"multipleScoring,omitempty"`
}

type examDTO struct {
	ID              int64           `json:"id"`
	Title           string          `json:"title"`
	SubjectCode     string          `json:"subjectCode"`
	SubjectName     string          `json:"subjectName"`
	DurationMinutes int             `json:"durationMinutes"`
	OpensAt         string          `json:"opensAt"`
	ClosesAt        string          `json:"closesAt"`
	PassScore       float64         `json:"passScore"`
	TotalPoints     float64         `json:"totalPoints"`
	MaxAttempts     int             `json:"maxAttempts"`
	Status          string          `json:"status"`
	ReviewPolicy    string          `json:"reviewPolicy"`
	MultipleScoring string          `json:"multipleScoring,omitempty"`
	Blueprint       blueprintOutDTO `json:"blueprint"`
	Eligibility     eligibilityDTO  `json:"eligibility"`
	ResultsReleased *string         `json:"resultsReleasedAt,omitempty"`
}

type bandDTO struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

type sectionOutDTO struct {
	Type       string   `json:"type"`
	TypeName   string   `json:"typeName"`
	Count      int      `json:"count"`
	Points     float64  `json:"points"`
	Difficulty *bandDTO `json:"difficulty,omitempty"`
	Tags       []string `json:"tags,omitempty"`
}

type blueprintOutDTO struct {
	Sections  []sectionOutDTO `json:"sections"`
	Tolerance float64         `json:"tolerance"`
}

type feasibilityRequest struct {
	SubjectCode string       `json:"subjectCode" validate:"required"`
	Blueprint   blueprintDTO `json:"blueprint" validate:"required"`
}

type feasibilityDTO struct {
	Feasible   bool            `json:"feasible"`
	Shortfalls []importLineDTO `json:"shortfalls"`
}

type myExamDTO struct {
	examDTO
	State         string `json:"state"`
	AttemptsUsed  int    `json:"attemptsUsed"`
	LastAttemptID *int64 `json:"lastAttemptId,omitempty"`
}

type attemptQuestionDTO struct {
	ItemID  int64           `json:"itemId"`
	Type    string          `json:"type"`
	Stem    string          `json:"stem"`
	Options []optionDTO     `json:"options,omitempty"`
	Points  float64         `json:"points"`
	Blanks  int             `json:"blanks,omitempty"`
	Answer  json.RawMessage `json:"answer,omitempty"`
	Seq     int64           `json:"seq,omitempty"`
	SavedAt *string         `json:"savedAt,omitempty"`
}

type attemptDTO struct {
	ID         int64                `json:"id"`
	ExamID     int64                `json:"examId"`
	ExamTitle  string               `json:"examTitle"`
	AttemptNo  int                  `json:"attemptNo"`
	Status     string               `json:"status"`
	StartedAt  string               `json:"startedAt"`
	Deadline   string               `json:"deadline"`
	ServerTime string               `json:"serverTime"`
	Questions  []attemptQuestionDTO `json:"questions"`
}

type saveAnswerRequest struct {
	Answer json.RawMessage `json:"answer"`
	Seq    int64           `json:"seq" validate:"required,gt=0"`
}

type saveAnswerDTO struct {
	ItemID  int64  `json:"itemId"`
	Seq     int64  `json:"seq"`
	SavedAt string `json:"savedAt"`
}

type submitDTO struct {
	Status     string   `json:"status"`
	TotalScore *float64 `json:"totalScore,omitempty"`
	Passed     *bool    `json:"passed,omitempty"`
}

type resultDTO struct {
	Status            string   `json:"status"`
	ObjectiveScore    *float64 `json:"objectiveScore"`
	SubjectiveScore   *float64 `json:"subjectiveScore"`
	TotalScore        *float64 `json:"totalScore"`
	Passed            *bool    `json:"passed"`
	Released          bool     `json:"released"`
	CertificateNumber *string  `json:"certificateNumber"`
}

type integrityRequest struct {
	Kind     string     `json:"kind" validate:"required"`
	Detail   string     `json:"detail" validate:"max=500"`
	ClientAt *time.Time `json:"clientAt"`
}

type integrityDTO struct {
	Count   int    `json:"count"`
	Warning string `json:"warning"`
}

type taskDTO struct {
	ID        int64          `json:"id"`
	Stage     string         `json:"stage"`
	Stem      string         `json:"stem"`
	Rubric    []criterionDTO `json:"rubric"`
	Reference string         `json:"referenceAnswer"`
	Answer    string         `json:"answer"`
	MaxPoints float64        `json:"maxPoints"`
	Tolerance float64        `json:"tolerance"`
}

type markRequest struct {
	Points  float64 `json:"points" validate:"gte=0"`
	Comment string  `json:"comment" validate:"max=2000"`
}

type markDTO struct {
	ID         int64    `json:"id"`
	Stage      string   `json:"stage"`
	FinalScore *float64 `json:"finalScore"`
}

func parseBlueprint(d blueprintDTO) (exam.Blueprint, error) {
	b := exam.Blueprint{Tolerance: d.Tolerance}
	for i, s := range d.Sections {
		sec := exam.Section{Type: bank.Type(s.Type), Count: s.Count, Points: s.Points, Tags: s.Tags}
		if len(s.Difficulty) > 0 && string(s.Difficulty) != "null" {
			var n int
			var band bandDTO
			if json.Unmarshal(s.Difficulty, &n) == nil {
				sec.Difficulty = &exam.Band{Min: n, Max: n}
			} else if json.Unmarshal(s.Difficulty, &band) == nil {
				sec.Difficulty = &exam.Band{Min: band.Min, Max: band.Max}
			} else {
				return b, apperr.InvalidFields("validation_failed", "难度应为 1-5 的数字或 {min,max}",
					apperr.FieldError{Field: "blueprint.sections[" + strconv.Itoa(i) + "].difficulty", Message: "格式错误"})
			}
		}
		b.Sections = append(b.Sections, sec)
	}
	return b, nil
}

func toExamDTO(e exam.Exam) examDTO {
	sub, _ := bank.SubjectByCode(e.SubjectCode)
	d := examDTO{ID: e.ID, Title: e.Title, SubjectCode: e.SubjectCode, SubjectName: sub.Name, DurationMinutes: e.DurationMinutes,
		OpensAt: rfc3339(e.OpensAt), ClosesAt: rfc3339(e.ClosesAt), PassScore: e.PassScore, TotalPoints: e.Blueprint.TotalPoints(),
		MaxAttempts: e.MaxAttempts, Status: string(e.Status), ReviewPolicy: string(e.ReviewPolicy), MultipleScoring: string(e.ScoringOverride),
		Eligibility: eligibilityDTO(e.Eligibility), ResultsReleased: rfc3339Ptr(e.ResultsReleased)}
	d.Blueprint.Tolerance = e.Blueprint.Tolerance
	for _, s := range e.Blueprint.Sections {
		o := sectionOutDTO{Type: string(s.Type), TypeName: bank.TypeName(s.Type), Count: s.Count, Points: s.Points, Tags: s.Tags}
		if s.Difficulty != nil {
			o.Difficulty = &bandDTO{s.Difficulty.Min, s.Difficulty.Max}
		}
		d.Blueprint.Sections = append(d.Blueprint.Sections, o)
	}
	return d
}

func toAttemptDTO(v exam.View) attemptDTO {
	d := attemptDTO{ID: v.Attempt.ID, ExamID: v.Attempt.ExamID, ExamTitle: v.Exam.Title, AttemptNo: v.Attempt.No, Status: string(v.Attempt.Status),
		StartedAt: rfc3339(v.Attempt.StartedAt), Deadline: rfc3339(v.Attempt.Deadline), ServerTime: rfc3339Milli(v.ServerTime),
		Questions: []attemptQuestionDTO{}}
	for _, q := range v.Questions {
		aq := attemptQuestionDTO{ItemID: q.ItemID, Type: string(q.Type), Stem: q.Stem, Points: q.Points, Blanks: q.Blanks,
			Answer: q.Answer, Seq: q.Seq, SavedAt: rfc3339Ptr(q.SavedAt)}
		for _, o := range q.Options {
			aq.Options = append(aq.Options, optionDTO{o.Key, o.Text})
		}
		d.Questions = append(d.Questions, aq)
	}
	return d
}

func rfc3339Milli(t time.Time) string { return t.In(shanghai).Format("2006-01-02T15:04:05.000Z07:00") }

func (a *API) examRoutes(authed *gin.RouterGroup) {
	adm := a.restricted(authed, "考试", identity.RoleExamadmin)
	adm.handle(route{Method: "POST", Path: "/exams", Summary: "新建考试（草稿）", Request: examRequest{}, Response: examDTO{}, Status: 201}, a.createExam)
	adm.handle(route{Method: "GET", Path: "/exams", Summary: "考试列表", Response: []examDTO{}}, a.listExams)
	adm.handle(route{Method: "POST", Path: "/exams/feasibility", Summary: "检查组卷蓝图是否可由题库满足", Request: feasibilityRequest{}, Response: feasibilityDTO{}}, a.examFeasibility)
	adm.handle(route{Method: "GET", Path: "/exams/:id", Summary: "考试设置", Response: examDTO{}}, a.getExam)
	adm.handle(route{Method: "POST", Path: "/exams/:id/publish", Summary: "发布考试（题库不足时 422 blueprint_infeasible）", Response: examDTO{}}, a.publishExam)
	adm.handle(route{Method: "POST", Path: "/exams/:id/release", Summary: "发布成绩", Response: examDTO{}}, a.releaseResults)

	cand := a.restricted(authed, "考试", identity.RoleCadre)
	cand.handle(route{Method: "GET", Path: "/me/exams", Summary: "本人可参加的考试及状态", Response: []myExamDTO{}}, a.myExams)
	cand.handle(route{Method: "POST", Path: "/exams/:id/attempts", Summary: "开始考试（进行中的答卷直接返回 200）；请求头 X-Device-ID，切换设备加 X-Device-Takeover: true",
		Response: attemptDTO{}, Status: 201}, a.startAttempt)
	cand.handle(route{Method: "GET", Path: "/attempts/:id", Summary: "答卷（含已保存答案，用于续考）", Response: attemptDTO{}}, a.getAttempt)
	cand.handle(route{Method: "PUT", Path: "/attempts/:id/answers/:itemId", Summary: "保存一题答案（seq 须递增；截止后 409 attempt_closed）",
		Request: saveAnswerRequest{}, Response: saveAnswerDTO{}}, a.saveAnswer)
	cand.handle(route{Method: "POST", Path: "/attempts/:id/submit", Summary: "交卷（幂等）", Response: submitDTO{}}, a.submitAttempt)
	cand.handle(route{Method: "GET", Path: "/attempts/:id/result", Summary: "成绩（按复核策略与成绩发布情况）", Response: resultDTO{}}, a.attemptResult)
	cand.handle(route{Method: "POST", Path: "/attempts/:id/events", Summary: "上报切屏、复制、粘贴等考试行为", Request: integrityRequest{}, Response: integrityDTO{}}, a.integrityEvent)

	gr := a.restricted(authed, "阅卷", identity.RoleGrader, identity.RoleExamadmin)
	gr.handle(route{Method: "GET", Path: "/grading/tasks", Summary: "待评分任务（不含考生身份）", Query: []string{"limit"}, Response: []taskDTO{}}, a.gradingTasks)
	gr.handle(route{Method: "POST", Path: "/grading/tasks/:id", Summary: "提交评分（双评、三评、仲裁）", Request: markRequest{}, Response: markDTO{}}, a.markTask)
}

func (a *API) bindExam(c *gin.Context) (exam.Exam, bool) {
	var req examRequest
	if !a.bind(c, &req) {
		return exam.Exam{}, false
	}
	bp, err := parseBlueprint(req.Blueprint)
	if err != nil {
		renderError(c, err)
		return exam.Exam{}, false
	}
	e := exam.Exam{Title: req.Title, SubjectCode: req.SubjectCode, DurationMinutes: req.DurationMinutes, OpensAt: req.OpensAt,
		ClosesAt: req.ClosesAt, PassScore: req.PassScore, MaxAttempts: req.MaxAttempts, Blueprint: bp,
		ReviewPolicy: exam.ReviewPolicy(req.ReviewPolicy), ScoringOverride: bank.Scoring(req.MultipleScoring)}
	if req.Eligibility != nil {
		e.Eligibility = exam.Eligibility(*req.Eligibility)
	}
	return e, true
}

func (a *API) createExam(c *gin.Context) {
	if e, ok := a.bindExam(c); ok {
		out, err := a.d.Exams.Create(c.Request.Context(), actor(c), e)
		respond(c, http.StatusCreated, toExamDTO(out), err)
	}
}

func (a *API) listExams(c *gin.Context) {
	es, err := a.d.Exams.List(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(es, toExamDTO), err)
}

func (a *API) getExam(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		e, err := a.d.Exams.Get(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toExamDTO(e), err)
	}
}

func (a *API) examFeasibility(c *gin.Context) {
	var req feasibilityRequest
	if !a.bind(c, &req) {
		return
	}
	bp, err := parseBlueprint(req.Blueprint)
	if err != nil {
		renderError(c, err)
		return
	}
	err = a.d.Exams.Feasibility(c.Request.Context(), exam.Exam{SubjectCode: req.SubjectCode, Blueprint: bp})
	out := feasibilityDTO{Feasible: err == nil, Shortfalls: []importLineDTO{}}
	if apperr.Is(err, "blueprint_infeasible") {
		for _, f := range apperr.As(err).Fields {
			out.Shortfalls = append(out.Shortfalls, importLineDTO{Location: f.Field, Message: f.Message})
		}
		err = nil
	}
	respond(c, http.StatusOK, out, err)
}

func (a *API) publishExam(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		e, err := a.d.Exams.Publish(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toExamDTO(e), err)
	}
}

func (a *API) releaseResults(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		e, err := a.d.Exams.ReleaseResults(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toExamDTO(e), err)
	}
}

func (a *API) myExams(c *gin.Context) {
	list, err := a.d.Exams.MyExams(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(list, func(m exam.MyExam) myExamDTO {
		return myExamDTO{examDTO: toExamDTO(m.Exam), State: string(m.State), AttemptsUsed: m.AttemptsUsed, LastAttemptID: m.LastAttemptID}
	}), err)
}

func device(c *gin.Context) (string, bool) {
	d := c.GetHeader("X-Device-ID")
	if len(d) > 100 {
		d = d[:100]
	}
	return d, c.GetHeader("X-Device-Takeover") == "true" || c.Query("takeover") == "true"
}

func (a *API) startAttempt(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		dev, takeover := device(c)
		v, created, err := a.d.Exams.Start(c.Request.Context(), actor(c), id, dev, takeover)
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		respond(c, status, toAttemptDTO(v), err)
	}
}

func (a *API) getAttempt(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		dev, takeover := device(c)
		v, err := a.d.Exams.Resume(c.Request.Context(), actor(c), id, dev, takeover)
		respond(c, http.StatusOK, toAttemptDTO(v), err)
	}
}

func (a *API) saveAnswer(c *gin.Context) {
	id, ok := pathID(c, "id")
	itemID, ok2 := pathID(c, "itemId")
	var req saveAnswerRequest
	if !ok || !ok2 || !a.bind(c, &req) {
		return
	}
	dev, _ := device(c)
	r, err := a.d.Exams.Save(c.Request.Context(), actor(c), id, itemID, req.Answer, req.Seq, dev)
	respond(c, http.StatusOK, saveAnswerDTO{ItemID: r.ItemID, Seq: r.Seq, SavedAt: rfc3339Milli(r.SavedAt)}, err)
}

func (a *API) submitAttempt(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		r, err := a.d.Exams.Submit(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, submitDTO{Status: string(r.Status), TotalScore: r.TotalScore, Passed: r.Passed}, err)
	}
}

func (a *API) attemptResult(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		r, err := a.d.Exams.Result(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, resultDTO{Status: string(r.Status), ObjectiveScore: r.ObjectiveScore, SubjectiveScore: r.SubjectiveScore,
			TotalScore: r.TotalScore, Passed: r.Passed, Released: r.Released, CertificateNumber: r.CertificateNumber}, err)
	}
}

func (a *API) integrityEvent(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req integrityRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	n, err := a.d.Exams.ReportIntegrity(c.Request.Context(), actor(c), id, req.Kind, req.Detail, req.ClientAt)
	respond(c, http.StatusOK, integrityDTO{Count: n, Warning: integrityWarning(n)}, err)
}

// integrityWarning is the candidate-facing message of the warn -> count -> flag policy.
func integrityWarning(n int) string {
	switch {
	case n >= 5:
		return "已多次离开考试页面，本答卷将提交考试管理员复核"
	case n >= 2:
		return "已记录 " + strconv.Itoa(n) + " 次离开考试页面，请专心作答"
	}
	return "请勿离开考试页面，本次行为已记录"
}

func (a *API) gradingTasks(c *gin.Context) {
	limit, _ := strconv.Atoi(c.Query("limit"))
	ts, err := a.d.Exams.Tasks(c.Request.Context(), actor(c), limit)
	respond(c, http.StatusOK, mapSlice(ts, func(t exam.MarkingTask) taskDTO {
		d := taskDTO{ID: t.Task.ID, Stage: string(t.Task.Stage), Stem: t.Stem, Reference: t.Reference, Answer: t.Answer,
			MaxPoints: t.Task.MaxPoints, Tolerance: t.Task.Tolerance, Rubric: []criterionDTO{}}
		for _, r := range t.Rubric {
			d.Rubric = append(d.Rubric, criterionDTO{r.Criterion, r.Points})
		}
		return d
	}), err)
}

func (a *API) markTask(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req markRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	t, err := a.d.Exams.Mark(c.Request.Context(), actor(c), id, req.Points, req.Comment)
	respond(c, http.StatusOK, markDTO{ID: t.ID, Stage: string(t.Stage), FinalScore: t.Final}, err)
}
