package httpapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"qualify/internal/cadre"
	"qualify/internal/eligibility"
	"qualify/internal/identity"
	"qualify/internal/platform/civil"
)

type checkRequest struct {
	CadreID         int64       `json:"cadreId" validate:"required,gt=0"`
	TargetPostLevel string      `json:"targetPostLevel" validate:"required,max=40"`
	PostCategory    string      `json:"postCategory" validate:"required,max=40"`
	AsOf            *civil.Date `json:"asOf"`
}

type ruleDTO struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Basis  string `json:"basis"`
}

// checkDTO is a kept eligibility check with every rule's verdict, reason and legal basis.
type checkDTO struct {
	ID              int64      `json:"id"`
	CadreID         int64      `json:"cadreId"`
	CadreName       string     `json:"cadreName"`
	TargetPostLevel string     `json:"targetPostLevel"`
	PostCategory    string     `json:"postCategory"`
	AsOf            civil.Date `json:"asOf"`
	Eligible        bool       `json:"eligible"`
	CheckedAt       string     `json:"checkedAt"`
	CheckedBy       string     `json:"checkedBy"`
	BatchID         *int64     `json:"batchId"` // the batch check that kept it; null for a single check
	Rules           []ruleDTO  `json:"rules"`
}

func toCheckDTO(c eligibility.Check) checkDTO {
	rules := make([]ruleDTO, len(c.Rules))
	for i, r := range c.Rules {
		rules[i] = ruleDTO{Code: r.Code, Title: r.Title, Status: string(r.Status), Detail: r.Detail, Basis: r.Basis}
	}
	out := checkDTO{ID: c.ID, CadreID: c.CadreID, CadreName: c.CadreName, TargetPostLevel: c.TargetLevel, PostCategory: c.PostCategory,
		AsOf: c.AsOf, Eligible: c.Eligible, CheckedAt: rfc3339(c.CheckedAt), CheckedBy: c.CheckedBy, Rules: rules}
	if c.BatchID != 0 {
		id := c.BatchID
		out.BatchID = &id
	}
	return out
}

// batchDTO is the record of a batch check: the file, the counts and the digest of its kept checks
// (SHA-256 over "<id> eligible|ineligible" lines in id order).
type batchDTO struct {
	ID         int64  `json:"id"`
	FileName   string `json:"fileName"`
	FileSHA256 string `json:"fileSha256"`
	Rows       int    `json:"rows"`
	Eligible   int    `json:"eligible"`
	Ineligible int    `json:"ineligible"`
	Problems   int    `json:"problems"`
	Digest     string `json:"digest"`
	CreatedAt  string `json:"createdAt"`
	CreatedBy  string `json:"createdBy"`
}

func toBatchDTO(b eligibility.Batch) batchDTO {
	return batchDTO{ID: b.ID, FileName: b.FileName, FileSHA256: b.FileSHA256, Rows: b.Rows, Eligible: b.Eligible,
		Ineligible: b.Ineligible, Problems: b.Problems, Digest: b.Digest, CreatedAt: rfc3339(b.CreatedAt), CreatedBy: b.CreatedBy}
}

// maxBatchBytes bounds an uploaded batch roster: a roster of eligibility.MaxBatchRows rows with a
// few more columns than needed stays well below it.
const maxBatchBytes = 32 << 20

// batchIDHeader names the batch record of a batch check's answer.
const batchIDHeader = "X-Eligibility-Batch-Id"

// eligibilityRequirementDTO is a row of the requirement matrix; a zero threshold means "does not apply".
type eligibilityRequirementDTO struct {
	ID              int64  `json:"id"`
	PostCategory    string `json:"postCategory"`
	TargetPostLevel string `json:"targetPostLevel"`
	requirementValues
	UpdatedAt string `json:"updatedAt"`
	UpdatedBy string `json:"updatedBy"`
}

// requirementValues are the editable values of a matrix row (PUT replaces them all).
type requirementValues struct {
	Certificates               []string          `json:"certificates" validate:"max=6"`
	TrainingHours              float64           `json:"trainingHours" validate:"gte=0"`
	TrainingYears              int               `json:"trainingYears" validate:"gte=0"`
	TrainingWindow             string            `json:"trainingWindow" validate:"required,oneof=calendar rolling"`
	MinYearsOfWork             int               `json:"minYearsOfWork" validate:"gte=0"`
	MinGrassrootsYears         int               `json:"minGrassrootsYears" validate:"gte=0"`
	MinYearsDeputyToPrincipal  int               `json:"minYearsDeputyToPrincipal" validate:"gte=0"`
	MinYearsPrincipalToDeputy  int               `json:"minYearsPrincipalToDeputy" validate:"gte=0"`
	MinPostsAtLowerLevel       int               `json:"minPostsAtLowerLevel" validate:"gte=0"`
	MinEducation               string            `json:"minEducation"`
	MinYearsSinceLastPromotion int               `json:"minYearsSinceLastPromotion" validate:"gte=0"`
	ProbationBlocks            bool              `json:"probationBlocks"`
	CertificateDeadlineMonths  int               `json:"certificateDeadlineMonths" validate:"gte=0"`
	ExpiryWarningDays          int               `json:"expiryWarningDays" validate:"gte=0"`
	Basis                      map[string]string `json:"basis,omitempty"`
}

func toEligibilityRequirementDTO(r eligibility.Requirement) eligibilityRequirementDTO {
	certs := r.Certificates
	if certs == nil {
		certs = []string{}
	}
	return eligibilityRequirementDTO{ID: r.ID, PostCategory: r.PostCategory, TargetPostLevel: r.TargetLevel, UpdatedAt: rfc3339(r.UpdatedAt), UpdatedBy: r.UpdatedBy,
		requirementValues: requirementValues{Certificates: certs, TrainingHours: r.TrainingHours, TrainingYears: r.TrainingYears,
			TrainingWindow: string(r.TrainingWindow), MinYearsOfWork: r.MinYearsOfWork, MinGrassrootsYears: r.MinGrassrootsYears,
			MinYearsDeputyToPrincipal: r.MinYearsDeputyToPrincipal, MinYearsPrincipalToDeputy: r.MinYearsPrincipalToDeputy,
			MinPostsAtLowerLevel: r.MinPostsAtLowerLevel, MinEducation: string(r.MinEducation), MinYearsSinceLastPromotion: r.MinYearsSinceLastPromotion,
			ProbationBlocks: r.ProbationBlocks, CertificateDeadlineMonths: r.CertificateDeadlineMonths, ExpiryWarningDays: r.ExpiryWarningDays,
			Basis: r.Basis}}
}

func (v requirementValues) toRequirement() eligibility.Requirement {
	return eligibility.Requirement{Certificates: v.Certificates, TrainingHours: v.TrainingHours, TrainingYears: v.TrainingYears,
		TrainingWindow: eligibility.Window(v.TrainingWindow), MinYearsOfWork: v.MinYearsOfWork, MinGrassrootsYears: v.MinGrassrootsYears,
		MinYearsDeputyToPrincipal: v.MinYearsDeputyToPrincipal, MinYearsPrincipalToDeputy: v.MinYearsPrincipalToDeputy,
		MinPostsAtLowerLevel: v.MinPostsAtLowerLevel, MinEducation: cadre.Education(v.MinEducation),
		MinYearsSinceLastPromotion: v.MinYearsSinceLastPromotion, ProbationBlocks: v.ProbationBlocks,
		CertificateDeadlineMonths: v.CertificateDeadlineMonths, ExpiryWarningDays: v.ExpiryWarningDays, Basis: v.Basis}
}

type exceptionRequest struct {
	CadreID         int64    `json:"cadreId" validate:"required,gt=0"`
	TargetPostLevel string   `json:"targetPostLevel" validate:"required,max=40"`
	Type            string   `json:"type" validate:"required,oneof=exceptional skip_level"`
	Justification   string   `json:"justification" validate:"required,max=40"`
	Approver        string   `json:"approver" validate:"required,max=100"`
	DocumentNo      string   `json:"documentNo" validate:"required,max=100"`
	Rules           []string `json:"rules" validate:"max=10"`
	Note            string   `json:"note" validate:"max=1000"`
}

// exceptionDTO is an approved exceptional (破格) or skip-level (越级) promotion record.
type exceptionDTO struct {
	ID                int64    `json:"id"`
	CadreID           int64    `json:"cadreId"`
	TargetPostLevel   string   `json:"targetPostLevel"`
	Type              string   `json:"type"`
	TypeName          string   `json:"typeName"`
	Justification     string   `json:"justification"`
	JustificationText string   `json:"justificationText"`
	Approver          string   `json:"approver"`
	DocumentNo        string   `json:"documentNo"`
	Rules             []string `json:"rules"`
	Note              string   `json:"note"`
	CreatedAt         string   `json:"createdAt"`
	CreatedBy         string   `json:"createdBy"`
}

func toExceptionDTO(e eligibility.Exception) exceptionDTO {
	rules := e.Rules
	if rules == nil {
		rules = []string{}
	}
	return exceptionDTO{ID: e.ID, CadreID: e.CadreID, TargetPostLevel: e.TargetLevel, Type: string(e.Kind), TypeName: eligibility.ExceptionKindNames[e.Kind],
		Justification: e.Justification, JustificationText: eligibility.Justifications[e.Justification], Approver: e.Approver,
		DocumentNo: e.DocumentNo, Rules: rules, Note: e.Note, CreatedAt: rfc3339(e.CreatedAt), CreatedBy: e.CreatedBy}
}

// complianceItemDTO is one line of a compliance list.
type complianceItemDTO struct {
	CadreID           int64         `json:"cadreId"`
	CadreCode         string        `json:"cadreCode"`
	CadreName         string        `json:"cadreName"`
	OrgID             int64         `json:"orgId"`
	OrgName           string        `json:"orgName"`
	CurrentPost       string        `json:"currentPost"`
	PostLevel         string        `json:"postLevel"`
	TermStart         civil.Date    `json:"termStart"`
	Subject           subjectRefDTO `json:"subject"`
	Deadline          civil.Date    `json:"deadline"`
	DaysLeft          int           `json:"daysLeft"`
	CertificateNumber string        `json:"certificateNumber,omitempty"`
	Detail            string        `json:"detail"`
}

func toComplianceItemDTO(it eligibility.ComplianceItem) complianceItemDTO {
	c := it.Cadre
	return complianceItemDTO{CadreID: c.ID, CadreCode: c.Code, CadreName: c.Name, OrgID: c.OrgID, OrgName: c.OrgName, CurrentPost: c.CurrentPost,
		PostLevel: c.PostLevel, TermStart: c.TermStart, Subject: subjectRefDTO{Code: it.SubjectCode, Name: it.SubjectName},
		Deadline: it.Deadline, DaysLeft: it.DaysLeft, CertificateNumber: it.CertificateNumber, Detail: it.Detail}
}

type complianceActionRequest struct {
	CadreID    int64  `json:"cadreId" validate:"required,gt=0"`
	Action     string `json:"action" validate:"required,oneof=待岗 降级 免职 其他"`
	Note       string `json:"note" validate:"max=1000"`
	DocumentNo string `json:"documentNo" validate:"max=100"`
}

// complianceActionDTO is a recorded decision.
type complianceActionDTO struct {
	ID         int64  `json:"id"`
	CadreID    int64  `json:"cadreId"`
	Action     string `json:"action"`
	Note       string `json:"note"`
	DocumentNo string `json:"documentNo"`
	CreatedAt  string `json:"createdAt"`
	CreatedBy  string `json:"createdBy"`
}

func (a *API) eligibilityRoutes(authed *gin.RouterGroup) {
	p := a.restricted(authed, "资格核查", identity.RolePersonnel)
	p.handle(route{Method: "POST", Path: "/eligibility/checks", Summary: "干部提拔任职资格核查：逐项给出符合/不符合/提示/已破格/须人工核实及原因与依据；" +
		"核查记录留存并记入审计日志（管理范围外的干部按不存在处理）", Request: checkRequest{}, Response: checkDTO{}}, a.createCheck)
	p.handle(route{Method: "GET", Path: "/eligibility/checks", Summary: "管理范围内的核查记录（新的在前），可按干部、按批量核查筛选",
		Query: []string{"cadreId", "batchId", "page", "pageSize"}, Response: pageOf[checkDTO]{}}, a.listChecks)
	p.handle(route{Method: "GET", Path: "/eligibility/checks/:id", Summary: "核查记录详情", Response: checkDTO{}}, a.getCheck)
	p.handle(route{Method: "POST", Path: "/eligibility/batch", Summary: "批量核查（multipart 字段 file，.xlsx：干部编号、拟任职务层次、职务类别、可选核查日期；" +
		"最多 100,000 行、32 MB），返回逐行结论与原因的 .xlsx；无法核查的行说明原因。每行核查均留存，整批记一条批量核查记录并记入审计日志一次" +
		"（响应头 X-Eligibility-Batch-Id 为批量核查记录编号）", Raw: xlsxType}, a.batchCheck)
	p.handle(route{Method: "GET", Path: "/eligibility/batches/:id", Summary: "批量核查记录：文件、行数、符合/不符合/无法核查数及所留存核查的摘要",
		Response: batchDTO{}}, a.getBatch)
	p.handle(route{Method: "GET", Path: "/eligibility/batch/template", Summary: "下载批量核查名单模板（.xlsx）", Raw: xlsxType}, a.batchTemplate)
	p.handle(route{Method: "POST", Path: "/eligibility/exceptions", Summary: "登记破格/越级提拔批准（类型、第九条六种情形之一、批准的上级组织部门、文号、所突破的条件）；" +
		"试用期、提拔不满一年、健康、法定资格与党龄、任职资格证书不得突破", Request: exceptionRequest{}, Response: exceptionDTO{}, Status: http.StatusCreated}, a.createException)
	p.handle(route{Method: "GET", Path: "/eligibility/exceptions", Summary: "干部的破格/越级批准记录", Query: []string{"cadreId"}, Response: []exceptionDTO{}}, a.listExceptions)
	p.handle(route{Method: "GET", Path: "/compliance", Summary: "取证合规名单：overdue 逾期未取得、due30/due90 期限将至、expiring 证书即将到期（管理范围内，可按单位筛选）",
		Query: []string{"kind", "orgId", "page", "pageSize"}, Response: pageOf[complianceItemDTO]{}}, a.listCompliance)
	p.handle(route{Method: "GET", Path: "/compliance/export", Summary: "导出取证合规名单（.xlsx）", Query: []string{"kind", "orgId"}, Raw: xlsxType}, a.exportCompliance)
	p.handle(route{Method: "POST", Path: "/compliance/actions", Summary: "记录组织人事部门的处理决定（待岗、降级、免职、其他；系统不自动处理），记入审计日志",
		Request: complianceActionRequest{}, Response: complianceActionDTO{}, Status: http.StatusCreated}, a.createComplianceAction)

	m := a.restricted(authed, "资格核查", identity.RolePersonnel, identity.RoleSecadmin)
	m.handle(route{Method: "GET", Path: "/eligibility/requirements", Summary: "任职资格要求矩阵（职务类别 × 拟任职务层次），每项附依据", Response: []eligibilityRequirementDTO{}}, a.listRequirements)
	m.handle(route{Method: "PUT", Path: "/eligibility/requirements/:id", Summary: "修改任职资格要求（省级组织人事部门或安全管理员；记入审计日志）",
		Request: requirementValues{}, Response: eligibilityRequirementDTO{}}, a.updateRequirement)
}

func (a *API) createCheck(c *gin.Context) {
	var req checkRequest
	if !a.bind(c, &req) {
		return
	}
	r := eligibility.Request{CadreID: req.CadreID, TargetLevel: req.TargetPostLevel, PostCategory: req.PostCategory}
	if req.AsOf != nil {
		r.AsOf = *req.AsOf
	}
	x, err := a.d.Eligibility.Check(c.Request.Context(), actor(c), r)
	respond(c, http.StatusOK, toCheckDTO(x), err)
}

func (a *API) listChecks(c *gin.Context) {
	page, size := pageParams(c)
	list, total, err := a.d.Eligibility.ListChecks(c.Request.Context(), actor(c),
		eligibility.CheckFilter{CadreID: queryInt64(c, "cadreId"), BatchID: queryInt64(c, "batchId"), Page: page, PageSize: size})
	respond(c, http.StatusOK, newPage(mapSlice(list, toCheckDTO), total, page, size), err)
}

func (a *API) getCheck(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		x, err := a.d.Eligibility.GetCheck(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toCheckDTO(x), err)
	}
}

func (a *API) batchCheck(c *gin.Context) {
	name, data, ok := uploadedFile(c, "file", maxBatchBytes)
	if !ok {
		return
	}
	out, b, err := a.d.Eligibility.Batch(c.Request.Context(), actor(c), name, data)
	if err == nil {
		c.Header(batchIDHeader, strconv.FormatInt(b.ID, 10))
	}
	sendXLSX(c, "eligibility-batch.xlsx", "批量资格核查结果.xlsx", out, err)
}

func (a *API) getBatch(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		b, err := a.d.Eligibility.GetBatch(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toBatchDTO(b), err)
	}
}

func (a *API) batchTemplate(c *gin.Context) {
	b, err := eligibility.BatchTemplate()
	sendXLSX(c, "eligibility-batch-template.xlsx", "批量资格核查名单模板.xlsx", b, err)
}

func (a *API) createException(c *gin.Context) {
	var req exceptionRequest
	if !a.bind(c, &req) {
		return
	}
	x, err := a.d.Eligibility.CreateException(c.Request.Context(), actor(c), eligibility.Exception{CadreID: req.CadreID,
		TargetLevel: req.TargetPostLevel, Kind: eligibility.ExceptionKind(req.Type), Justification: req.Justification,
		Approver: req.Approver, DocumentNo: req.DocumentNo, Rules: req.Rules, Note: req.Note})
	respond(c, http.StatusCreated, toExceptionDTO(x), err)
}

func (a *API) listExceptions(c *gin.Context) {
	list, err := a.d.Eligibility.Exceptions(c.Request.Context(), actor(c), queryInt64(c, "cadreId"))
	respond(c, http.StatusOK, mapSlice(list, toExceptionDTO), err)
}

func (a *API) listCompliance(c *gin.Context) {
	page, size := pageParams(c)
	items, err := a.d.Eligibility.Compliance(c.Request.Context(), actor(c), eligibility.ComplianceKind(c.Query("kind")), queryInt64(c, "orgId"))
	from, to := min((page-1)*size, len(items)), min(page*size, len(items))
	respond(c, http.StatusOK, newPage(mapSlice(items[from:to], toComplianceItemDTO), int64(len(items)), page, size), err)
}

func (a *API) exportCompliance(c *gin.Context) {
	kind := eligibility.ComplianceKind(c.Query("kind"))
	items, err := a.d.Eligibility.Compliance(c.Request.Context(), actor(c), kind, queryInt64(c, "orgId"))
	var b []byte
	if err == nil {
		b, err = eligibility.ComplianceXLSX(kind, items)
	}
	sendXLSX(c, "compliance-"+string(kind)+".xlsx", eligibility.ComplianceKindNames[kind]+".xlsx", b, err)
}

func (a *API) createComplianceAction(c *gin.Context) {
	var req complianceActionRequest
	if !a.bind(c, &req) {
		return
	}
	x, err := a.d.Eligibility.RecordAction(c.Request.Context(), actor(c), eligibility.ComplianceAction{CadreID: req.CadreID,
		Action: req.Action, Note: req.Note, DocumentNo: req.DocumentNo})
	respond(c, http.StatusCreated, complianceActionDTO{ID: x.ID, CadreID: x.CadreID, Action: x.Action, Note: x.Note,
		DocumentNo: x.DocumentNo, CreatedAt: rfc3339(x.CreatedAt), CreatedBy: x.CreatedBy}, err)
}

func (a *API) listRequirements(c *gin.Context) {
	list, err := a.d.Eligibility.Requirements(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(list, toEligibilityRequirementDTO), err)
}

func (a *API) updateRequirement(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req requirementValues
	if !ok || !a.bind(c, &req) {
		return
	}
	x, err := a.d.Eligibility.UpdateRequirement(c.Request.Context(), actor(c), id, req.toRequirement())
	respond(c, http.StatusOK, toEligibilityRequirementDTO(x), err)
}

// sendXLSX writes an .xlsx download, or err as a problem.
func sendXLSX(c *gin.Context, ascii, name string, b []byte, err error) {
	if err != nil {
		renderError(c, err)
		return
	}
	c.Header("Content-Disposition", "attachment; filename=\""+ascii+"\"; filename*=UTF-8''"+url.PathEscape(name))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, xlsxType, b)
}
