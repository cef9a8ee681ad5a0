package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"qualify/internal/bank"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

type subjectDTO struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type optionDTO struct {
	Key  string `json:"key" validate:"required,max=2"`
	Text string `json:"text" validate:"required,max=2000"`
}

type basisDTO struct {
	Document string `json:"document" validate:"required,max=200"`
	Article  string `json:"article,omitempty" validate:"max=100"`
}

type criterionDTO struct {
	Criterion string  `json:"criterion" validate:"required,max=1000"`
	Points    float64 `json:"points"`
}

// questionDTO is an item as the exam administrator sees it, key included. Never sent to candidates.
type questionDTO struct {
	ID               int64          `json:"id"`
	Ref              string         `json:"ref"`
	Version          int            `json:"version"`
	PublishedVersion int            `json:"publishedVersion"`
	Subject          string         `json:"subject"`
	Type             string         `json:"type"`
	TypeName         string         `json:"typeName"`
	Stem             string         `json:"stem"`
	Options          []optionDTO    `json:"options,omitempty"`
	Answer           any            `json:"answer,omitempty"`
	Scoring          string         `json:"scoring,omitempty"`
	Points           float64        `json:"points"`
	Explanation      string         `json:"explanation"`
	Basis            []basisDTO     `json:"basis"`
	KnowledgePoints  []string       `json:"knowledgePoints"`
	Competencies     []string       `json:"competencies"`
	Difficulty       int            `json:"difficulty"`
	CognitiveLevel   string         `json:"cognitiveLevel,omitempty"`
	ReviewBy         civil.Date     `json:"reviewBy"`
	ReferenceAnswer  string         `json:"referenceAnswer,omitempty"`
	Rubric           []criterionDTO `json:"rubric,omitempty"`
	Tolerance        float64        `json:"tolerance,omitempty"`
	Status           string         `json:"status"`
	AuthorID         *int64         `json:"authorId"`
	ReviewerID       *int64         `json:"reviewerId"`
	ReviewComment    string         `json:"reviewComment,omitempty"`
	UpdatedAt        string         `json:"updatedAt"`
}

// questionInput is what an exam administrator writes. answer takes the contract's shapes:
// single "B"; multiple ["A","C"]; true_false true; fill_blank [["alt1","alt2"],["..."]].
type questionInput struct {
	Ref             string         `json:"ref" validate:"max=64"`
	Subject         string         `json:"subject" validate:"required"`
	Type            string         `json:"type" validate:"required"`
	Stem            string         `json:"stem" validate:"required,max=20000"`
	Options         []optionDTO    `json:"options" validate:"max=8,dive"`
	Answer          any            `json:"answer"`
	Scoring         string         `json:"scoring"`
	Points          float64        `json:"points" validate:"gt=0"`
	Explanation     string         `json:"explanation" validate:"max=20000"`
	Basis           []basisDTO     `json:"basis" validate:"max=20,dive"`
	KnowledgePoints []string       `json:"knowledgePoints" validate:"max=20"`
	Competencies    []string       `json:"competencies" validate:"max=20"`
	Difficulty      int            `json:"difficulty" validate:"gte=0,lte=5"`
	CognitiveLevel  string         `json:"cognitiveLevel"`
	ReviewBy        civil.Date     `json:"reviewBy"`
	ReferenceAnswer string         `json:"referenceAnswer" validate:"max=20000"`
	Rubric          []criterionDTO `json:"rubric" validate:"max=20,dive"`
	Tolerance       float64        `json:"tolerance" validate:"gte=0"`
}

type commentRequest struct {
	Comment string `json:"comment" validate:"max=2000"`
}

type importLineDTO struct {
	Location string `json:"location"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
}

type bankImportDTO struct {
	Imported  int             `json:"imported"`
	Updated   int             `json:"updated"`
	Unchanged int             `json:"unchanged"`
	Errors    []importLineDTO `json:"errors"`
	Warnings  []importLineDTO `json:"warnings"`
}

type competencyFrameworkDTO struct {
	Code  string       `json:"code"`
	Name  string       `json:"name"`
	Items []subjectDTO `json:"items"`
}

func keyOf(it bank.Item) any {
	switch it.Type {
	case bank.Single:
		return it.Key.Choice
	case bank.Multiple:
		return it.Key.Choices
	case bank.TrueFalse:
		if it.Key.Bool != nil {
			return *it.Key.Bool
		}
	case bank.FillBlank:
		return it.Key.Blanks
	}
	return nil
}

func toQuestionDTO(it bank.Item) questionDTO {
	d := questionDTO{ID: it.ID, Ref: it.Ref, Version: it.Version, PublishedVersion: it.PublishedVersion, Subject: it.Subject,
		Type: string(it.Type), TypeName: bank.TypeName(it.Type), Stem: it.Stem, Answer: keyOf(it), Scoring: string(it.Scoring),
		Points: it.Points, Explanation: it.Explanation, KnowledgePoints: nonNil(it.KnowledgePoints), Competencies: nonNil(it.Competencies),
		Difficulty: it.Difficulty, CognitiveLevel: it.CognitiveLevel, ReviewBy: it.ReviewBy, ReferenceAnswer: it.ReferenceAnswer,
		Tolerance: it.Tolerance, Status: string(it.Status), AuthorID: it.AuthorID, ReviewerID: it.ReviewerID,
		ReviewComment: it.ReviewComment, UpdatedAt: rfc3339(it.UpdatedAt), Basis: []basisDTO{}}
	for _, o := range it.Options {
		d.Options = append(d.Options, optionDTO{o.Key, o.Text})
	}
	for _, b := range it.Basis {
		d.Basis = append(d.Basis, basisDTO{b.Document, b.Article})
	}
	for _, c := range it.Rubric {
		d.Rubric = append(d.Rubric, criterionDTO{c.Criterion, c.Points})
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// fromQuestionInput converts the input; a malformed answer for the type is an Invalid error.
func fromQuestionInput(in questionInput) (bank.Item, error) {
	it := bank.Item{Ref: in.Ref, Subject: in.Subject, Type: bank.Type(in.Type), Stem: in.Stem, Scoring: bank.Scoring(in.Scoring),
		Points: in.Points, Explanation: in.Explanation, KnowledgePoints: in.KnowledgePoints, Competencies: in.Competencies,
		Difficulty: in.Difficulty, CognitiveLevel: in.CognitiveLevel, ReviewBy: in.ReviewBy, ReferenceAnswer: in.ReferenceAnswer,
		Tolerance: in.Tolerance}
	for _, o := range in.Options {
		it.Options = append(it.Options, bank.Option{Key: o.Key, Text: o.Text})
	}
	for _, b := range in.Basis {
		it.Basis = append(it.Basis, bank.Basis{Document: b.Document, Article: b.Article})
	}
	for _, c := range in.Rubric {
		it.Rubric = append(it.Rubric, bank.Criterion{Criterion: c.Criterion, Points: c.Points})
	}
	bad := func(msg string) error {
		return apperr.InvalidFields("invalid_item", "答案格式与题型不符", apperr.FieldError{Field: "answer", Message: msg})
	}
	switch it.Type {
	case bank.Single:
		s, ok := in.Answer.(string)
		if !ok {
			return it, bad(`单选题答案应为一个选项字母，如 "B"`)
		}
		it.Key.Choice = s
	case bank.Multiple:
		arr, ok := in.Answer.([]any)
		if !ok {
			return it, bad(`多选题答案应为选项字母数组，如 ["A","C"]`)
		}
		for _, x := range arr {
			s, ok := x.(string)
			if !ok {
				return it, bad("多选题答案的每一项应为选项字母")
			}
			it.Key.Choices = append(it.Key.Choices, s)
		}
	case bank.TrueFalse:
		b, ok := in.Answer.(bool)
		if !ok {
			return it, bad("判断题答案应为 true 或 false")
		}
		it.Key.Bool = &b
	case bank.FillBlank:
		arr, ok := in.Answer.([]any)
		if !ok {
			return it, bad(`填空题答案应为每空一组可接受答案的数组，如 [["答案","同义"]]`)
		}
		for _, x := range arr {
			alts, ok := x.([]any)
			if !ok {
				return it, bad("填空题每一空的答案应为字符串数组")
			}
			var blank []string
			for _, a := range alts {
				s, ok := a.(string)
				if !ok {
					return it, bad("填空题答案应为字符串")
				}
				blank = append(blank, s)
			}
			it.Key.Blanks = append(it.Key.Blanks, blank)
		}
	default:
		if in.Answer != nil {
			return it, bad("主观题不设标准答案，请填写参考答案和评分要点")
		}
	}
	return it, nil
}

func (a *API) bankRoutes(authed *gin.RouterGroup) {
	all := a.signedIn(authed, "题库")
	all.handle(route{Method: "GET", Path: "/subjects", Summary: "考试科目", Response: []subjectDTO{}}, a.listSubjects)
	g := a.restricted(authed, "题库", identity.RoleExamadmin)
	g.handle(route{Method: "GET", Path: "/competencies", Summary: "能力标签框架", Response: []competencyFrameworkDTO{}}, a.listCompetencies)
	g.handle(route{Method: "PUT", Path: "/competencies", Summary: "修改能力标签框架（可配置）", Request: frameworksRequest{}, Response: []competencyFrameworkDTO{}}, a.setCompetencies)
	g.handle(route{Method: "GET", Path: "/questions", Summary: "检索题目（题干全文检索，两字中文词即可命中）",
		Query:    []string{"subject", "type", "status", "tag", "knowledgePoint", "difficulty", "q", "published", "page", "pageSize"},
		Response: pageOf[questionDTO]{}}, a.searchQuestions)
	g.handle(route{Method: "POST", Path: "/questions", Summary: "新建题目（草稿）", Request: questionInput{}, Response: questionDTO{}, Status: 201}, a.createQuestion)
	g.handle(route{Method: "POST", Path: "/questions/import", Summary: "导入题目文件（multipart file；.yaml/.gift/.xml/.zip/.xlsx；任一题有误则全部不导入）",
		Query: []string{"subject"}, Response: bankImportDTO{}}, a.importQuestions)
	g.handle(route{Method: "GET", Path: "/questions/export", Summary: "导出题目", Query: []string{"format", "subject"}, Raw: "application/octet-stream"}, a.exportQuestions)
	g.handle(route{Method: "GET", Path: "/questions/template", Summary: "下载 Excel 导入模板", Raw: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, a.questionTemplate)
	g.handle(route{Method: "GET", Path: "/questions/:id", Summary: "题目详情（当前版本）", Response: questionDTO{}}, a.getQuestion)
	g.handle(route{Method: "PUT", Path: "/questions/:id", Summary: "修改题目（已发布题目生成新版本，待审核通过后生效）", Request: questionInput{}, Response: questionDTO{}}, a.updateQuestion)
	g.handle(route{Method: "GET", Path: "/questions/:id/versions", Summary: "题目的全部版本", Response: []questionDTO{}}, a.questionVersions)
	g.handle(route{Method: "GET", Path: "/questions/:id/versions/:version", Summary: "题目的某一版本", Response: questionDTO{}}, a.questionVersion)
	for _, op := range []struct{ path, summary string }{
		{"submit", "提交审核"}, {"approve", "审核通过并发布（审核人不能是作者）"}, {"reject", "退回修改"}, {"retire", "停用"},
	} {
		g.handle(route{Method: "POST", Path: "/questions/:id/" + op.path, Summary: op.summary, Request: commentRequest{}, Response: questionDTO{}}, a.questionTransition(op.path))
	}
}

func (a *API) listSubjects(c *gin.Context) {
	respond(c, http.StatusOK, mapSlice(bank.Subjects, func(s bank.Subject) subjectDTO { return subjectDTO{s.Code, s.Name} }), nil)
}

func (a *API) listCompetencies(c *gin.Context) {
	respond(c, http.StatusOK, frameworksDTO(a.d.Bank.Frameworks(c.Request.Context())), nil)
}

func frameworksDTO(t bank.Taxonomy) []competencyFrameworkDTO {
	return mapSlice(t.Frameworks, func(f bank.Framework) competencyFrameworkDTO {
		return competencyFrameworkDTO{Code: f.Code, Name: f.Name, Items: mapSlice(f.Items, func(x bank.Competency) subjectDTO { return subjectDTO{x.Code, x.Name} })}
	})
}

type frameworksRequest struct {
	Frameworks []competencyFrameworkDTO `json:"frameworks" validate:"required,min=1,max=20"`
}

func (a *API) setCompetencies(c *gin.Context) {
	var req frameworksRequest
	if !a.bind(c, &req) {
		return
	}
	var t bank.Taxonomy
	for _, f := range req.Frameworks {
		fw := bank.Framework{Code: f.Code, Name: f.Name}
		for _, x := range f.Items {
			fw.Items = append(fw.Items, bank.Competency{Code: x.Code, Name: x.Name})
		}
		t.Frameworks = append(t.Frameworks, fw)
	}
	out, err := a.d.Bank.SetFrameworks(c.Request.Context(), actor(c), t)
	respond(c, http.StatusOK, frameworksDTO(out), err)
}

func (a *API) searchQuestions(c *gin.Context) {
	page, size := pageParams(c)
	diff, _ := strconv.Atoi(c.Query("difficulty"))
	f := bank.Filter{Subject: c.Query("subject"), Type: bank.Type(c.Query("type")), Status: bank.Status(c.Query("status")),
		Tag: c.Query("tag"), KnowledgePoint: c.Query("knowledgePoint"), Difficulty: diff, Q: c.Query("q"),
		PublishedOnly: c.Query("published") == "true", Page: page, PageSize: size}
	items, total, err := a.d.Bank.Search(c.Request.Context(), actor(c), f)
	respond(c, http.StatusOK, newPage(mapSlice(items, toQuestionDTO), total, page, size), err)
}

func (a *API) bindQuestion(c *gin.Context) (bank.Item, bool) {
	var in questionInput
	if !a.bind(c, &in) {
		return bank.Item{}, false
	}
	it, err := fromQuestionInput(in)
	if err != nil {
		renderError(c, err)
		return bank.Item{}, false
	}
	return it, true
}

func (a *API) createQuestion(c *gin.Context) {
	if it, ok := a.bindQuestion(c); ok {
		out, err := a.d.Bank.Create(c.Request.Context(), actor(c), it)
		respond(c, http.StatusCreated, toQuestionDTO(out), err)
	}
}

func (a *API) getQuestion(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		it, err := a.d.Bank.Get(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toQuestionDTO(it), err)
	}
}

func (a *API) updateQuestion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if it, ok := a.bindQuestion(c); ok {
		out, err := a.d.Bank.Update(c.Request.Context(), actor(c), id, it)
		respond(c, http.StatusOK, toQuestionDTO(out), err)
	}
}

func (a *API) questionVersions(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		items, err := a.d.Bank.Versions(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, mapSlice(items, toQuestionDTO), err)
	}
}

func (a *API) questionVersion(c *gin.Context) {
	id, ok := pathID(c, "id")
	v, err := strconv.Atoi(c.Param("version"))
	if !ok {
		return
	}
	if err != nil || v < 1 {
		renderError(c, apperr.NotFoundf("题目版本不存在"))
		return
	}
	it, err := a.d.Bank.Version(c.Request.Context(), actor(c), id, v)
	respond(c, http.StatusOK, toQuestionDTO(it), err)
}

func (a *API) questionTransition(op string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, "id")
		var req commentRequest
		if !ok || (c.Request.ContentLength != 0 && !a.bind(c, &req)) {
			return
		}
		ctx, p, svc := c.Request.Context(), actor(c), a.d.Bank
		var it bank.Item
		var err error
		switch op {
		case "submit":
			it, err = svc.Submit(ctx, p, id)
		case "approve":
			it, err = svc.Approve(ctx, p, id, req.Comment)
		case "reject":
			it, err = svc.Reject(ctx, p, id, req.Comment)
		case "retire":
			it, err = svc.Retire(ctx, p, id, req.Comment)
		}
		respond(c, http.StatusOK, toQuestionDTO(it), err)
	}
}

func importLines(ps bank.Problems) []importLineDTO {
	out := make([]importLineDTO, 0, len(ps))
	for _, p := range ps {
		out = append(out, importLineDTO{Location: p.Location, Field: p.Field, Message: p.Message})
	}
	return out
}

// maxQuestionFile bounds an uploaded question file.
const maxQuestionFile = 20 << 20

func (a *API) importQuestions(c *gin.Context) {
	name, data, ok := uploadedFile(c, "file", maxQuestionFile)
	if !ok {
		return
	}
	subject := c.Query("subject")
	if subject == "" {
		subject = c.PostForm("subject")
	}
	res, err := a.d.Bank.Import(c.Request.Context(), actor(c), name, data, subject, false)
	if err != nil {
		renderError(c, err)
		return
	}
	out := bankImportDTO{Imported: res.Imported, Updated: res.Updated, Unchanged: res.Unchanged, Errors: importLines(res.Problems), Warnings: importLines(res.Warnings)}
	if len(res.Problems) > 0 {
		renderImportProblem(c, out)
		return
	}
	respond(c, http.StatusOK, out, nil)
}

// renderImportProblem answers 422 problem+json carrying the import result's shape.
func renderImportProblem(c *gin.Context, out bankImportDTO) {
	body := map[string]any{"type": "/problems/import_invalid", "title": titles[422], "status": 422, "code": "import_invalid",
		"detail": "文件中有 " + strconv.Itoa(len(out.Errors)) + " 处错误，未导入任何题目", "imported": 0, "errors": out.Errors, "warnings": out.Warnings}
	c.Header("Content-Type", "application/problem+json")
	c.Status(http.StatusUnprocessableEntity)
	_ = jsonRender(c.Writer, body)
	c.Abort()
}

func (a *API) exportQuestions(c *gin.Context) {
	b, name, mime, err := a.d.Bank.Export(c.Request.Context(), actor(c), c.Query("format"), c.Query("subject"))
	if err != nil {
		renderError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, mime, b)
}

func (a *API) questionTemplate(c *gin.Context) {
	b, err := bank.XLSXTemplate()
	if err != nil {
		renderError(c, apperr.Wrap(err, "xlsx template"))
		return
	}
	c.Header("Content-Disposition", `attachment; filename="question-template.xlsx"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}
