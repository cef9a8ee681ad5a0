package httpapi

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// ---- training needs surveys (培训需求调查) ----

type surveyOptionDTO struct {
	Key  string `json:"key" validate:"max=8"`
	Text string `json:"text" validate:"required,max=200"`
}

type surveyQuestionDTO struct {
	Key      string            `json:"key" validate:"max=32"`
	Kind     string            `json:"kind" validate:"required,oneof=single multiple rating text"`
	KindName string            `json:"kindName,omitempty"`
	Text     string            `json:"text" validate:"required,max=500"`
	Options  []surveyOptionDTO `json:"options" validate:"max=20,dive"`
	Required bool              `json:"required"`
}

type surveyTargetDTO struct {
	OrgID      *int64   `json:"orgId"`
	OrgName    string   `json:"orgName,omitempty"`
	PostLevels []string `json:"postLevels"`
}

// surveyRequest drafts a survey. Target: the cadres of target.orgId's subtree (personnel:
// their own scope when absent; a school: every cadre) holding one of target.postLevels (any
// when empty).
type surveyRequest struct {
	Title     string              `json:"title" validate:"required,max=200"`
	Intro     string              `json:"intro" validate:"max=5000"`
	OpensAt   time.Time           `json:"opensAt" validate:"required"`
	ClosesAt  time.Time           `json:"closesAt" validate:"required"`
	Target    surveyTargetDTO     `json:"target"`
	Questions []surveyQuestionDTO `json:"questions" validate:"required,min=1,max=50,dive"`
}

type surveyDTO struct {
	ID           int64               `json:"id"`
	OwnerOrgID   int64               `json:"ownerOrgId"`
	OwnerOrgName string              `json:"ownerOrgName"`
	Title        string              `json:"title"`
	Intro        string              `json:"intro"`
	OpensAt      string              `json:"opensAt"`
	ClosesAt     string              `json:"closesAt"`
	Target       surveyTargetDTO     `json:"target"`
	Questions    []surveyQuestionDTO `json:"questions"`
	Status       string              `json:"status"`
	CreatedBy    string              `json:"createdBy,omitempty"`
	CreatedAt    string              `json:"createdAt"`
	PublishedAt  *string             `json:"publishedAt"`
	ClosedAt     *string             `json:"closedAt"`
}

// surveyAnswerDTO answers one question: choices for single/multiple (option keys), rating 1-5,
// or text.
type surveyAnswerDTO struct {
	QuestionKey string   `json:"questionKey" validate:"required,max=32"`
	Choices     []string `json:"choices,omitempty" validate:"max=20"`
	Rating      int      `json:"rating,omitempty"`
	Text        string   `json:"text,omitempty"`
}

type surveyResponseRequest struct {
	Answers []surveyAnswerDTO `json:"answers" validate:"max=50,dive"`
}

type surveyResponseDTO struct {
	ID          int64             `json:"id"`
	SurveyID    int64             `json:"surveyId"`
	Answers     []surveyAnswerDTO `json:"answers"`
	SubmittedAt string            `json:"submittedAt"`
	UpdatedAt   string            `json:"updatedAt"`
}

// mySurveyDTO is an open survey addressed to the cadre, with their answer so far.
type mySurveyDTO struct {
	Survey   surveyDTO          `json:"survey"`
	Answered bool               `json:"answered"`
	Response *surveyResponseDTO `json:"response"`
}

type optionCountDTO struct {
	Key   string  `json:"key"`
	Text  string  `json:"text"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

type questionTallyDTO struct {
	Group        string           `json:"group"`
	Label        string           `json:"label"`
	Targeted     int              `json:"targeted"`
	Responded    int              `json:"responded"`
	Answered     int              `json:"answered"`
	ResponseRate float64          `json:"responseRate"`
	Options      []optionCountDTO `json:"options"`
	RatingCounts []int            `json:"ratingCounts"`
	MeanRating   *float64         `json:"meanRating"`
}

type textAnswerDTO struct {
	Group      string `json:"group"`
	GroupLabel string `json:"groupLabel"`
	Text       string `json:"text"`
}

type questionResultDTO struct {
	Key      string             `json:"key"`
	Kind     string             `json:"kind"`
	Text     string             `json:"text"`
	Overall  questionTallyDTO   `json:"overall"`
	Groups   []questionTallyDTO `json:"groups"`
	Texts    []textAnswerDTO    `json:"texts"`
	Required bool               `json:"required"`
}

type groupSummaryDTO struct {
	Key          string  `json:"key"`
	Label        string  `json:"label"`
	Targeted     int     `json:"targeted"`
	Responded    int     `json:"responded"`
	ResponseRate float64 `json:"responseRate"`
}

// surveyResultsDTO is a survey's results broken down by one dimension; free text carries its
// group, never its author.
type surveyResultsDTO struct {
	SurveyID     int64               `json:"surveyId"`
	Title        string              `json:"title"`
	Status       string              `json:"status"`
	By           string              `json:"by"`
	ByName       string              `json:"byName"`
	AsOf         civil.Date          `json:"asOf"`
	Targeted     int                 `json:"targeted"`
	Responded    int                 `json:"responded"`
	ResponseRate float64             `json:"responseRate"`
	Groups       []groupSummaryDTO   `json:"groups"`
	Questions    []questionResultDTO `json:"questions"`
}

func toSurveyDTO(s training.Survey) surveyDTO {
	qs := make([]surveyQuestionDTO, len(s.Questions))
	for i, q := range s.Questions {
		opts := make([]surveyOptionDTO, len(q.Options))
		for j, o := range q.Options {
			opts[j] = surveyOptionDTO{Key: o.Key, Text: o.Text}
		}
		qs[i] = surveyQuestionDTO{Key: q.Key, Kind: string(q.Kind), KindName: training.QuestionKindNames[q.Kind], Text: q.Text, Options: opts,
			Required: q.Required}
	}
	return surveyDTO{ID: s.ID, OwnerOrgID: s.OwnerOrgID, OwnerOrgName: s.OwnerOrgName, Title: s.Title, Intro: s.Intro,
		OpensAt: rfc3339(s.OpensAt), ClosesAt: rfc3339(s.ClosesAt),
		Target:    surveyTargetDTO{OrgID: s.Target.OrgID, OrgName: s.Target.OrgName, PostLevels: strs(s.Target.PostLevels)},
		Questions: qs, Status: string(s.Status), CreatedBy: s.CreatedBy, CreatedAt: rfc3339(s.CreatedAt),
		PublishedAt: rfc3339Ptr(s.PublishedAt), ClosedAt: rfc3339Ptr(s.ClosedAt)}
}

func toSurveyAnswerDTO(a training.SurveyAnswer) surveyAnswerDTO {
	return surveyAnswerDTO{QuestionKey: a.QuestionKey, Choices: a.Choices, Rating: a.Rating, Text: a.Text}
}

func toSurveyResponseDTO(r training.SurveyResponse) surveyResponseDTO {
	return surveyResponseDTO{ID: r.ID, SurveyID: r.SurveyID, Answers: mapSlice(r.Answers, toSurveyAnswerDTO), SubmittedAt: rfc3339(r.SubmittedAt),
		UpdatedAt: rfc3339(r.UpdatedAt)}
}

func toMySurveyDTO(m training.MySurvey) mySurveyDTO {
	d := mySurveyDTO{Survey: toSurveyDTO(m.Survey), Answered: m.Response != nil}
	d.Survey.CreatedBy = "" // the owner's account is not the cadre's business
	if m.Response != nil {
		r := toSurveyResponseDTO(*m.Response)
		d.Response = &r
	}
	return d
}

func toTallyDTO(t training.QuestionTally) questionTallyDTO {
	return questionTallyDTO{Group: t.Group.Key, Label: t.Group.Label, Targeted: t.Targeted, Responded: t.Responded, Answered: t.Answered,
		ResponseRate: t.Rate, RatingCounts: t.Ratings[:], MeanRating: t.MeanRating,
		Options: mapSlice(t.Options, func(o training.OptionCount) optionCountDTO { return optionCountDTO{o.Key, o.Text, o.Count, o.Share} })}
}

func toSurveyResultsDTO(r training.SurveyResults) surveyResultsDTO {
	out := surveyResultsDTO{SurveyID: r.Survey.ID, Title: r.Survey.Title, Status: string(r.Survey.Status), By: string(r.By),
		ByName: training.DimensionNames[r.By], AsOf: r.AsOf, Targeted: r.Overall.Targeted, Responded: r.Overall.Responded,
		ResponseRate: r.Overall.Rate, Groups: []groupSummaryDTO{}, Questions: []questionResultDTO{}}
	for _, g := range r.Groups {
		out.Groups = append(out.Groups, groupSummaryDTO{g.Group.Key, g.Group.Label, g.Targeted, g.Responded, g.Rate})
	}
	for _, q := range r.Questions {
		out.Questions = append(out.Questions, questionResultDTO{Key: q.Question.Key, Kind: string(q.Question.Kind), Text: q.Question.Text,
			Required: q.Question.Required, Overall: toTallyDTO(q.Overall), Groups: mapSlice(q.Groups, toTallyDTO),
			Texts: mapSlice(q.Texts, func(t training.TextAnswer) textAnswerDTO { return textAnswerDTO{t.Group.Key, t.Group.Label, t.Text} })})
	}
	return out
}

func (r surveyRequest) toSurvey() training.Survey {
	s := training.Survey{Title: r.Title, Intro: r.Intro, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt,
		Target: training.SurveyTarget{OrgID: r.Target.OrgID, PostLevels: r.Target.PostLevels}}
	for _, q := range r.Questions {
		sq := training.SurveyQuestion{Key: q.Key, Kind: training.QuestionKind(q.Kind), Text: q.Text, Required: q.Required}
		for _, o := range q.Options {
			sq.Options = append(sq.Options, training.SurveyOption{Key: o.Key, Text: o.Text})
		}
		s.Questions = append(s.Questions, sq)
	}
	return s
}

const surveyTag = "培训需求调查"

func (a *API) surveyRoutes(authed *gin.RouterGroup) {
	owners := a.restricted(authed, surveyTag, identity.RoleSchool, identity.RolePersonnel)
	owners.handle(route{Method: "POST", Path: "/surveys", Summary: "起草培训需求调查问卷（单选、多选、1-5 评分、文字题；对象为组织范围和/或职务层次）",
		Request: surveyRequest{}, Response: surveyDTO{}, Status: 201}, a.createSurvey)
	owners.handle(route{Method: "GET", Path: "/surveys", Summary: "本单位（组织人事部门：管理范围内）的培训需求调查",
		Query: []string{"page", "pageSize"}, Response: pageOf[surveyDTO]{}}, a.listSurveys)
	owners.handle(route{Method: "GET", Path: "/surveys/:id", Summary: "培训需求调查问卷", Response: surveyDTO{}}, a.getSurvey)
	owners.handle(route{Method: "POST", Path: "/surveys/:id/publish", Summary: "发布问卷（仅草稿；截止时间已过 422 survey_expired）",
		Response: surveyDTO{}}, a.publishSurvey)
	owners.handle(route{Method: "POST", Path: "/surveys/:id/close", Summary: "提前结束问卷（结束后不再接受答复）", Response: surveyDTO{}}, a.closeSurvey)
	owners.handle(route{Method: "GET", Path: "/surveys/:id/results", Summary: "调查结果：按职务层次、单位、性别、年龄段、学历或工作年限分组的选项人数、平均评分、答复率与匿名文字回答",
		Query: []string{"by"}, Response: surveyResultsDTO{}}, a.surveyResults)
	owners.handle(route{Method: "GET", Path: "/surveys/:id/results.xlsx", Summary: "导出调查结果（Excel）", Query: []string{"by"},
		Raw: xlsxContentType}, a.surveyResultsXLSX)

	all := a.signedIn(authed, surveyTag)
	all.handle(route{Method: "GET", Path: "/me/surveys", Summary: "本人可填写的培训需求调查（开放中、面向本人），含已填答复",
		Response: []mySurveyDTO{}}, a.mySurveys)
	all.handle(route{Method: "POST", Path: "/surveys/:id/responses", Summary: "提交问卷答复：首次 201；截止前再次提交替换原答复 200；不在答复期 422 survey_not_open",
		Request: surveyResponseRequest{}, Response: surveyResponseDTO{}, Status: 201}, a.answerSurvey)
}

func (a *API) createSurvey(c *gin.Context) {
	var r surveyRequest
	if !a.bind(c, &r) {
		return
	}
	s, err := a.d.Training.CreateSurvey(c.Request.Context(), actor(c), r.toSurvey())
	respond(c, http.StatusCreated, toSurveyDTO(s), err)
}

func (a *API) listSurveys(c *gin.Context) {
	page, size := pageParams(c)
	out, total, err := a.d.Training.Surveys(c.Request.Context(), actor(c), page, size)
	respond(c, http.StatusOK, newPage(mapSlice(out, toSurveyDTO), total, page, size), err)
}

func (a *API) getSurvey(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		s, err := a.d.Training.GetSurvey(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toSurveyDTO(s), err)
	}
}

func (a *API) publishSurvey(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		s, err := a.d.Training.PublishSurvey(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toSurveyDTO(s), err)
	}
}

func (a *API) closeSurvey(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		s, err := a.d.Training.CloseSurvey(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toSurveyDTO(s), err)
	}
}

// results reads the survey ID and ?by= and computes the results, rendering any error.
func (a *API) results(c *gin.Context) (training.SurveyResults, bool) {
	id, ok := pathID(c, "id")
	if !ok {
		return training.SurveyResults{}, false
	}
	by, err := training.ParseDimension(c.Query("by"))
	if err == nil {
		var r training.SurveyResults
		if r, err = a.d.Training.SurveyResults(c.Request.Context(), actor(c), id, by); err == nil {
			return r, true
		}
	}
	renderError(c, err)
	return training.SurveyResults{}, false
}

func (a *API) surveyResults(c *gin.Context) {
	if r, ok := a.results(c); ok {
		respond(c, http.StatusOK, toSurveyResultsDTO(r), nil)
	}
}

func (a *API) surveyResultsXLSX(c *gin.Context) {
	r, ok := a.results(c)
	if !ok {
		return
	}
	b, err := surveyWorkbook(toSurveyResultsDTO(r))
	if err != nil {
		renderError(c, apperr.Wrap(err, "survey workbook"))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="survey-%d-%s.xlsx"`, r.Survey.ID, r.By))
	c.Data(http.StatusOK, xlsxContentType, b)
}

func (a *API) mySurveys(c *gin.Context) {
	out, err := a.d.Training.MySurveys(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(out, toMySurveyDTO), err)
}

func (a *API) answerSurvey(c *gin.Context) {
	id, ok := pathID(c, "id")
	var r surveyResponseRequest
	if !ok || !a.bind(c, &r) {
		return
	}
	answers := mapSlice(r.Answers, func(x surveyAnswerDTO) training.SurveyAnswer {
		return training.SurveyAnswer{QuestionKey: x.QuestionKey, Choices: x.Choices, Rating: x.Rating, Text: x.Text}
	})
	out, created, err := a.d.Training.AnswerSurvey(c.Request.Context(), actor(c), id, answers)
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	respond(c, status, toSurveyResponseDTO(out), err)
}

// surveyWorkbook renders results as three sheets: 概况 (response rates by group), 统计 (one row
// per question, group and option or rating) and 文字回答 (anonymous free text with its group).
func surveyWorkbook(r surveyResultsDTO) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const summary, stats, texts = "概况", "统计", "文字回答"
	f.SetSheetName("Sheet1", summary)
	for _, s := range []string{stats, texts} {
		if _, err := f.NewSheet(s); err != nil {
			return nil, err
		}
	}
	rows := map[string][][]any{}
	add := func(sheet string, row ...any) { rows[sheet] = append(rows[sheet], row) }
	add(summary, "问卷", r.Title)
	add(summary, "状态", r.Status)
	add(summary, "分组维度", r.ByName)
	add(summary, "年龄与工作年限计算日", r.AsOf.String())
	add(summary, "调查对象人数", r.Targeted)
	add(summary, "答复人数", r.Responded)
	add(summary, "答复率", r.ResponseRate)
	add(summary)
	add(summary, "分组", "调查对象人数", "答复人数", "答复率")
	for _, g := range r.Groups {
		add(summary, g.Label, g.Targeted, g.Responded, g.ResponseRate)
	}
	add(stats, "题号", "题目", "题型", "分组", "调查对象人数", "答复人数", "本题作答人数", "选项/评分", "人数", "占比", "平均评分")
	for _, q := range r.Questions {
		for _, t := range append([]questionTallyDTO{q.Overall}, q.Groups...) {
			base := []any{q.Key, q.Text, training.QuestionKindNames[training.QuestionKind(q.Kind)], t.Label, t.Targeted, t.Responded, t.Answered}
			switch q.Kind {
			case string(training.Rating):
				mean := any("")
				if t.MeanRating != nil {
					mean = *t.MeanRating
				}
				for i, n := range t.RatingCounts {
					add(stats, append(append([]any{}, base...), fmt.Sprintf("%d 分", i+1), n, share(n, t.Answered), mean)...)
				}
			case string(training.FreeText):
				add(stats, base...)
			default:
				for _, o := range t.Options {
					add(stats, append(append([]any{}, base...), o.Key+". "+o.Text, o.Count, o.Share, "")...)
				}
			}
		}
	}
	add(texts, "题号", "题目", "分组", "回答")
	for _, q := range r.Questions {
		for _, t := range q.Texts {
			add(texts, q.Key, q.Text, t.GroupLabel, t.Text)
		}
	}
	for _, sheet := range []string{summary, stats, texts} {
		for i, row := range rows[sheet] {
			if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &row); err != nil {
				return nil, err
			}
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func share(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(d)*1e4) / 1e4
}
