package httpapi

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"qualify/internal/cadre"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

type cadreDTO struct {
	ID               int64      `json:"id"`
	Code             string     `json:"code"`
	Name             string     `json:"name"`
	Gender           string     `json:"gender"`
	GenderName       string     `json:"genderName"`
	BirthDate        civil.Date `json:"birthDate"`
	Ethnicity        string     `json:"ethnicity"`
	Education        string     `json:"education"`
	EducationName    string     `json:"educationName"`
	PartyJoinDate    civil.Date `json:"partyJoinDate"`
	WorkStartDate    civil.Date `json:"workStartDate"`
	OrgID            int64      `json:"orgId"`
	OrgName          string     `json:"orgName"`
	PostLevel        *string    `json:"postLevel"`
	PostLevelName    string     `json:"postLevelName"`
	RankCategory     *string    `json:"rankCategory"`
	Rank             *string    `json:"rank"`
	RankName         string     `json:"rankName"`
	PostCategory     string     `json:"postCategory"`
	PostCategoryName string     `json:"postCategoryName"`
	Reserve          bool       `json:"reserve"`
	CurrentPost      string     `json:"currentPost"`
	TermStart        civil.Date `json:"termStart"`
	TermEnd          civil.Date `json:"termEnd"`
	CreatedAt        string     `json:"createdAt"`
	UpdatedAt        string     `json:"updatedAt"`
}

type postDTO struct {
	ID               int64      `json:"id"`
	Title            string     `json:"title"`
	PostLevel        *string    `json:"postLevel"`
	PostLevelName    string     `json:"postLevelName"`
	RankCategory     *string    `json:"rankCategory"`
	Rank             *string    `json:"rank"`
	RankName         string     `json:"rankName"`
	PostCategory     string     `json:"postCategory"`
	UnitOrgID        *int64     `json:"unitOrgId"`
	UnitName         string     `json:"unitName"`
	StartDate        civil.Date `json:"startDate"`
	EndDate          civil.Date `json:"endDate"`
	Grassroots       bool       `json:"grassroots"`
	Leadership       bool       `json:"leadership"`
	ProbationEnd     civil.Date `json:"probationEnd"`
	AppointmentType  string     `json:"appointmentType"`
	PostCategoryName string     `json:"postCategoryName"`
}

// cadreDetailDTO is a cadre with post history and the facts derived from it as of asOf.
type cadreDetailDTO struct {
	cadreDTO
	Posts             []postDTO  `json:"posts"`
	AsOf              civil.Date `json:"asOf"`
	YearsOfWork       int        `json:"yearsOfWork"`
	GrassrootsYears   int        `json:"grassrootsYears"`
	GrassrootsDays    int        `json:"grassrootsDays"`
	TimeInGradeSince  civil.Date `json:"timeInGradeSince"`
	TimeInGradeYears  int        `json:"timeInGradeYears"`
	TimeInGradeDays   int        `json:"timeInGradeDays"`
	LastPromotionDate civil.Date `json:"lastPromotionDate"`
	InProbation       bool       `json:"inProbation"`
	PostsAtLevelBelow int        `json:"postsAtLevelBelow"`
}

type cadreRequest struct {
	OrgID         int64      `json:"orgId" validate:"required,gt=0"`
	Code          string     `json:"code" validate:"required,max=32"`
	Name          string     `json:"name" validate:"required,max=50"`
	Gender        string     `json:"gender" validate:"required,oneof=male female"`
	BirthDate     civil.Date `json:"birthDate"`
	Ethnicity     string     `json:"ethnicity" validate:"max=20"`
	Education     string     `json:"education" validate:"required,oneof=doctorate master bachelor college secondary below"`
	PartyJoinDate civil.Date `json:"partyJoinDate"`
	WorkStartDate civil.Date `json:"workStartDate"`
	Reserve       bool       `json:"reserve"`
	CurrentPost   string     `json:"currentPost" validate:"max=100"`
	PostLevel     string     `json:"postLevel"`
	RankCategory  string     `json:"rankCategory"`
	Rank          string     `json:"rank"`
	PostCategory  string     `json:"postCategory" validate:"required"`
	TermStart     civil.Date `json:"termStart"`
	TermEnd       civil.Date `json:"termEnd"`
}

// cadreUpdateRequest changes the fields present; "" clears postLevel or rank.
type cadreUpdateRequest struct {
	OrgID         *int64      `json:"orgId" validate:"omitempty,gt=0"`
	Code          *string     `json:"code" validate:"omitempty,max=32"`
	Name          *string     `json:"name" validate:"omitempty,max=50"`
	Gender        *string     `json:"gender" validate:"omitempty,oneof=male female"`
	BirthDate     *civil.Date `json:"birthDate"`
	Ethnicity     *string     `json:"ethnicity" validate:"omitempty,max=20"`
	Education     *string     `json:"education" validate:"omitempty,oneof=doctorate master bachelor college secondary below"`
	PartyJoinDate *civil.Date `json:"partyJoinDate"`
	WorkStartDate *civil.Date `json:"workStartDate"`
	Reserve       *bool       `json:"reserve"`
	CurrentPost   *string     `json:"currentPost" validate:"omitempty,max=100"`
	PostLevel     *string     `json:"postLevel"`
	RankCategory  *string     `json:"rankCategory"`
	Rank          *string     `json:"rank"`
	PostCategory  *string     `json:"postCategory"`
	TermStart     *civil.Date `json:"termStart"`
	TermEnd       *civil.Date `json:"termEnd"`
}

type postRequest struct {
	Title           string     `json:"title" validate:"required,max=100"`
	PostLevel       string     `json:"postLevel"`
	RankCategory    string     `json:"rankCategory"`
	Rank            string     `json:"rank"`
	PostCategory    string     `json:"postCategory" validate:"required"`
	UnitOrgID       *int64     `json:"unitOrgId"`
	UnitName        string     `json:"unitName" validate:"max=100"`
	StartDate       civil.Date `json:"startDate"`
	EndDate         civil.Date `json:"endDate"`
	Grassroots      *bool      `json:"grassroots"`
	Leadership      *bool      `json:"leadership"`
	ProbationEnd    civil.Date `json:"probationEnd"`
	AppointmentType string     `json:"appointmentType" validate:"omitempty,oneof=election appointment examination engagement"`
}

type endPostRequest struct {
	EndDate civil.Date `json:"endDate"`
}

type rosterErrorDTO struct {
	Field   string `json:"field"` // "第3行 出生日期", for clients that read problem errors generically
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

type importResultDTO struct {
	Imported int              `json:"imported"`
	Errors   []rosterErrorDTO `json:"errors"`
}

// rosterProblem is the 422 roster_invalid problem: the usual problem fields, imported = 0 and
// every error with its row and column.
type rosterProblem struct {
	problem
	Imported int              `json:"imported"`
	Errors   []rosterErrorDTO `json:"errors"`
}

type postLevelDTO struct {
	Code            string   `json:"code"`
	Name            string   `json:"name"`
	Ord             int      `json:"ord"`
	GradeMin        int      `json:"gradeMin"`
	GradeMax        int      `json:"gradeMax"`
	EquivalentRanks []string `json:"equivalentRanks"`
}

type rankDTO struct {
	Category        string  `json:"category"`
	Code            string  `json:"code"`
	Name            string  `json:"name"`
	Ord             int     `json:"ord"`
	GradeMin        int     `json:"gradeMin"`
	GradeMax        int     `json:"gradeMax"`
	EquivalentLevel *string `json:"equivalentLevel"`
}

type codeNameDTO struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type equivalenceDTO struct {
	PostLevel    string `json:"postLevel"`
	RankCategory string `json:"rankCategory"`
	Rank         string `json:"rank"`
}

type ladderDTO struct {
	Levels         []postLevelDTO   `json:"levels"`
	Ranks          []rankDTO        `json:"ranks"`
	RankCategories []codeNameDTO    `json:"rankCategories"`
	Categories     []codeNameDTO    `json:"categories"`
	Equivalences   []equivalenceDTO `json:"equivalences"`
	Educations     []codeNameDTO    `json:"educations"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// names resolves ladder codes to Chinese names (empty when unknown or l is nil).
type names struct{ l *cadre.Ladder }

func (n names) level(code string) string {
	if n.l == nil {
		return ""
	}
	x, _ := n.l.LevelByCode(code)
	return x.Name
}

func (n names) rank(cat, code string) string {
	if n.l == nil {
		return ""
	}
	r, _ := n.l.RankByCode(cat, code)
	return r.Name
}

func (n names) category(code string) string {
	if n.l == nil {
		return ""
	}
	c, _ := n.l.CategoryByCode(code)
	return c.Name
}

func (n names) cadre(c cadre.Cadre) cadreDTO {
	return cadreDTO{ID: c.ID, Code: c.Code, Name: c.Name, Gender: string(c.Gender), GenderName: cadre.GenderNames[c.Gender],
		BirthDate: c.BirthDate, Ethnicity: c.Ethnicity, Education: string(c.Education), EducationName: cadre.EducationNames[c.Education],
		PartyJoinDate: c.PartyJoinDate, WorkStartDate: c.WorkStartDate, OrgID: c.OrgID, OrgName: c.OrgName,
		PostLevel: strPtr(c.PostLevel), PostLevelName: n.level(c.PostLevel), RankCategory: strPtr(c.RankCategory),
		Rank: strPtr(c.RankCode), RankName: n.rank(c.RankCategory, c.RankCode), PostCategory: c.PostCategory,
		PostCategoryName: n.category(c.PostCategory), Reserve: c.Reserve, CurrentPost: c.CurrentPost, TermStart: c.TermStart,
		TermEnd: c.TermEnd, CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(c.UpdatedAt)}
}

func (n names) post(p cadre.PostRecord) postDTO {
	return postDTO{ID: p.ID, Title: p.Title, PostLevel: strPtr(p.PostLevel), PostLevelName: n.level(p.PostLevel),
		RankCategory: strPtr(p.RankCategory), Rank: strPtr(p.RankCode), RankName: n.rank(p.RankCategory, p.RankCode),
		PostCategory: p.PostCategory, PostCategoryName: n.category(p.PostCategory), UnitOrgID: p.UnitOrgID, UnitName: p.UnitName,
		StartDate: p.Start, EndDate: p.End, Grassroots: p.Grassroots, Leadership: p.Leadership, ProbationEnd: p.ProbationEnd,
		AppointmentType: string(p.AppointmentType)}
}

func (n names) profile(p cadre.Profile) cadreDetailDTO {
	f := p.Facts
	return cadreDetailDTO{cadreDTO: n.cadre(p.Cadre), Posts: mapSlice(p.Posts, n.post), AsOf: f.AsOf, YearsOfWork: f.YearsOfWork,
		GrassrootsYears: f.Grassroots.Years, GrassrootsDays: f.Grassroots.Days, TimeInGradeSince: f.TimeInGrade.Since,
		TimeInGradeYears: f.TimeInGrade.Years, TimeInGradeDays: f.TimeInGrade.Days, LastPromotionDate: f.LastPromotion,
		InProbation: f.InProbation, PostsAtLevelBelow: f.PostsAtLevelBelow}
}

func toLadderDTO(l *cadre.Ladder) ladderDTO {
	out := ladderDTO{}
	for _, x := range l.Levels {
		d := postLevelDTO{Code: x.Code, Name: x.Name, Ord: x.Ord, GradeMin: x.GradeMin, GradeMax: x.GradeMax, EquivalentRanks: []string{}}
		for _, r := range l.RanksEquivalentTo(x.Code) {
			d.EquivalentRanks = append(d.EquivalentRanks, r.Code)
		}
		out.Levels = append(out.Levels, d)
	}
	for _, r := range l.Ranks {
		d := rankDTO{Category: r.Category, Code: r.Code, Name: r.Name, Ord: r.Ord, GradeMin: r.GradeMin, GradeMax: r.GradeMax}
		if lv, ok := l.LevelOfRank(r.Category, r.Code); ok {
			d.EquivalentLevel = &lv.Code
		}
		out.Ranks = append(out.Ranks, d)
	}
	out.RankCategories = mapSlice(l.RankCategories, func(c cadre.RankCategory) codeNameDTO { return codeNameDTO{c.Code, c.Name} })
	out.Categories = mapSlice(l.Categories, func(c cadre.PostCategory) codeNameDTO { return codeNameDTO{c.Code, c.Name} })
	out.Equivalences = mapSlice(l.Equivalences, func(e cadre.Equivalence) equivalenceDTO {
		return equivalenceDTO{PostLevel: e.PostLevel, RankCategory: e.RankCategory, Rank: e.RankCode}
	})
	out.Educations = mapSlice(cadre.Educations, func(e cadre.Education) codeNameDTO { return codeNameDTO{string(e), cadre.EducationNames[e]} })
	return out
}

func (r cadreRequest) toCadre() cadre.Cadre {
	return cadre.Cadre{OrgID: r.OrgID, Code: r.Code, Name: r.Name, Gender: cadre.Gender(r.Gender), BirthDate: r.BirthDate,
		Ethnicity: r.Ethnicity, Education: cadre.Education(r.Education), PartyJoinDate: r.PartyJoinDate, WorkStartDate: r.WorkStartDate,
		Reserve: r.Reserve, CurrentPost: r.CurrentPost, PostLevel: r.PostLevel, RankCategory: r.RankCategory, RankCode: r.Rank,
		PostCategory: r.PostCategory, TermStart: r.TermStart, TermEnd: r.TermEnd}
}

func (r cadreUpdateRequest) toUpdate() cadre.Update {
	u := cadre.Update{OrgID: r.OrgID, Code: r.Code, Name: r.Name, BirthDate: r.BirthDate, Ethnicity: r.Ethnicity,
		PartyJoinDate: r.PartyJoinDate, WorkStartDate: r.WorkStartDate, Reserve: r.Reserve, CurrentPost: r.CurrentPost,
		PostLevel: r.PostLevel, RankCategory: r.RankCategory, RankCode: r.Rank, PostCategory: r.PostCategory,
		TermStart: r.TermStart, TermEnd: r.TermEnd}
	if r.Gender != nil {
		g := cadre.Gender(*r.Gender)
		u.Gender = &g
	}
	if r.Education != nil {
		e := cadre.Education(*r.Education)
		u.Education = &e
	}
	return u
}

func (r postRequest) toNewPost() cadre.NewPost {
	return cadre.NewPost{PostRecord: cadre.PostRecord{Title: r.Title, PostLevel: r.PostLevel, RankCategory: r.RankCategory,
		RankCode: r.Rank, PostCategory: r.PostCategory, UnitOrgID: r.UnitOrgID, UnitName: r.UnitName, Start: r.StartDate,
		End: r.EndDate, ProbationEnd: r.ProbationEnd, AppointmentType: cadre.AppointmentType(r.AppointmentType)},
		Grassroots: r.Grassroots, Leadership: r.Leadership}
}

func toRosterErrorDTOs(errs []cadre.RosterError) []rosterErrorDTO {
	out := mapSlice(errs, func(e cadre.RosterError) rosterErrorDTO {
		return rosterErrorDTO{Field: "第" + itoa(e.Row) + "行 " + e.Column, Row: e.Row, Column: e.Column, Message: e.Message}
	})
	return out
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// maxRosterBytes bounds an uploaded roster file.
const maxRosterBytes = 10 << 20

func (a *API) cadreRoutes(authed *gin.RouterGroup) {
	read := a.restricted(authed, "干部", identity.RolePersonnel, identity.RoleExamadmin, identity.RoleSchool)
	read.handle(route{Method: "GET", Path: "/cadres", Summary: "按姓名/编号、单位（含下级）、职务层次检索本人管理范围内的干部",
		Query: []string{"q", "orgId", "postLevel", "reserve", "page", "pageSize"}, Response: pageOf[cadreDTO]{}}, a.searchCadres)
	read.handle(route{Method: "GET", Path: "/cadres/:id", Summary: "干部详情：任职经历与工龄、基层工作年限、任现职级年限等派生信息（范围外按不存在处理）",
		Response: cadreDetailDTO{}}, a.getCadre)

	write := a.restricted(authed, "干部", identity.RolePersonnel)
	write.handle(route{Method: "POST", Path: "/cadres", Summary: "新建干部", Request: cadreRequest{}, Response: cadreDTO{}, Status: 201}, a.createCadre)
	write.handle(route{Method: "PATCH", Path: "/cadres/:id", Summary: "修改干部信息（只改出现的字段）", Request: cadreUpdateRequest{}, Response: cadreDTO{}}, a.updateCadre)
	write.handle(route{Method: "POST", Path: "/cadres/:id/posts", Summary: "新增任职经历（无免职时间的记录成为现任职务）",
		Request: postRequest{}, Response: postDTO{}, Status: 201}, a.addPost)
	write.handle(route{Method: "POST", Path: "/cadres/:id/posts/:postId/end", Summary: "填写任职经历的免职时间",
		Request: endPostRequest{}, Response: postDTO{}}, a.endPost)
	write.handle(route{Method: "POST", Path: "/cadres/import", Summary: "导入干部名册（multipart 字段 file，.xlsx）。任一行有误则不导入任何数据，" +
		"返回 422 roster_invalid，errors 逐条列出行号、列名与原因", Response: importResultDTO{}}, a.importRoster)
	write.handle(route{Method: "GET", Path: "/cadres/import/template", Summary: "下载干部名册模板（.xlsx）", Raw: xlsxType}, a.rosterTemplate)

	all := a.signedIn(authed, "干部")
	all.handle(route{Method: "GET", Path: "/ladder", Summary: "职务层次、职级、相当层次对应关系与职务类别", Response: ladderDTO{}}, a.getLadder)
	all.handle(route{Method: "GET", Path: "/me/cadre", Summary: "本人的干部档案（账户须关联干部）", Response: cadreDetailDTO{}}, a.myCadre)
}

// names returns the ladder's name resolver (empty names if it cannot be loaded).
func (a *API) names(c *gin.Context) names {
	l, _ := a.d.Cadres.Ladder(c.Request.Context())
	return names{l}
}

func (a *API) searchCadres(c *gin.Context) {
	page, size := pageParams(c)
	f := cadre.Filter{Q: c.Query("q"), OrgID: queryInt64(c, "orgId"), PostLevel: c.Query("postLevel"), Reserve: queryBool(c, "reserve"), Page: page, PageSize: size}
	items, total, err := a.d.Cadres.Search(c.Request.Context(), actor(c), f)
	respond(c, http.StatusOK, newPage(mapSlice(items, a.names(c).cadre), total, page, size), err)
}

func (a *API) getCadre(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		p, err := a.d.Cadres.Get(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, a.names(c).profile(p), err)
	}
}

func (a *API) myCadre(c *gin.Context) {
	p, err := a.d.Cadres.Me(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, a.names(c).profile(p), err)
}

func (a *API) createCadre(c *gin.Context) {
	var req cadreRequest
	if !a.bind(c, &req) {
		return
	}
	x, err := a.d.Cadres.Create(c.Request.Context(), actor(c), req.toCadre())
	respond(c, http.StatusCreated, a.names(c).cadre(x), err)
}

func (a *API) updateCadre(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req cadreUpdateRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	x, err := a.d.Cadres.Update(c.Request.Context(), actor(c), id, req.toUpdate())
	respond(c, http.StatusOK, a.names(c).cadre(x), err)
}

func (a *API) addPost(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req postRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	p, err := a.d.Cadres.AddPost(c.Request.Context(), actor(c), id, req.toNewPost())
	respond(c, http.StatusCreated, a.names(c).post(p), err)
}

func (a *API) endPost(c *gin.Context) {
	id, ok := pathID(c, "id")
	postID, ok2 := pathID(c, "postId")
	var req endPostRequest
	if !ok || !ok2 || !a.bind(c, &req) {
		return
	}
	p, err := a.d.Cadres.EndPost(c.Request.Context(), actor(c), id, postID, req.EndDate)
	respond(c, http.StatusOK, a.names(c).post(p), err)
}

func (a *API) importRoster(c *gin.Context) {
	_, data, ok := uploadedFile(c, "file", maxRosterBytes)
	if !ok {
		return
	}
	res, err := a.d.Cadres.ImportRoster(c.Request.Context(), actor(c), data)
	if apperr.Is(err, "roster_invalid") {
		renderRosterInvalid(c, err, res.Errors)
		return
	}
	respond(c, http.StatusOK, importResultDTO{Imported: res.Imported, Errors: toRosterErrorDTOs(res.Errors)}, err)
}

func (a *API) rosterTemplate(c *gin.Context) {
	b, err := a.d.Cadres.RosterTemplate(c.Request.Context())
	if err != nil {
		renderError(c, err)
		return
	}
	c.Header("Content-Disposition", "attachment; filename=\"cadre-roster.xlsx\"; filename*=UTF-8''"+url.PathEscape("干部名册模板.xlsx"))
	c.Data(http.StatusOK, xlsxType, b)
}

func (a *API) getLadder(c *gin.Context) {
	l, err := a.d.Cadres.Ladder(c.Request.Context())
	if err != nil {
		renderError(c, err)
		return
	}
	respond(c, http.StatusOK, toLadderDTO(l), nil)
}

// renderRosterInvalid writes the 422 roster_invalid problem with every row error.
func renderRosterInvalid(c *gin.Context, err error, errs []cadre.RosterError) {
	ae := apperr.As(err)
	p := rosterProblem{problem: problem{Type: "/problems/" + ae.Code, Title: titles[http.StatusUnprocessableEntity],
		Status: http.StatusUnprocessableEntity, Detail: ae.Message, Code: ae.Code, Instance: c.Request.URL.Path},
		Errors: toRosterErrorDTOs(errs)}
	c.Header("Content-Type", "application/problem+json")
	c.Status(http.StatusUnprocessableEntity)
	_ = jsonRender(c.Writer, p)
}

// tooLarge is the 413 body_too_large problem of an upload over limit bytes.
func tooLarge(limit int64) error {
	return apperr.New(apperr.Invalid, "body_too_large", "上传文件过大：不得超过 "+strconv.FormatInt(limit>>20, 10)+" MB")
}

// uploadedFile reads the multipart file field name, at most limit bytes, rendering the problem
// and returning false when it is missing or too large.
func uploadedFile(c *gin.Context, name string, limit int64) (string, []byte, bool) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	fh, err := c.FormFile(name)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			renderError(c, tooLarge(limit))
		} else {
			renderError(c, apperr.InvalidFields("file_required", "请以 multipart/form-data 上传文件",
				apperr.FieldError{Field: name, Message: "缺少文件"}))
		}
		return "", nil, false
	}
	if fh.Size > limit {
		renderError(c, tooLarge(limit))
		return "", nil, false
	}
	f, err := fh.Open()
	if err != nil {
		renderError(c, apperr.Wrap(err, "open upload"))
		return "", nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil {
		renderError(c, apperr.Wrap(err, "read upload"))
		return "", nil, false
	}
	return fh.Filename, data, true
}

// queryBool reads an optional boolean query parameter (nil when absent or malformed).
func queryBool(c *gin.Context, name string) *bool {
	switch c.Query(name) {
	case "true", "1":
		t := true
		return &t
	case "false", "0":
		f := false
		return &f
	}
	return nil
}
