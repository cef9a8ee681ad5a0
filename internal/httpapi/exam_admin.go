package httpapi

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"qualify/internal/bank"
	"qualify/internal/exam"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

type accommodationRequest struct {
	CadreID      int64  `json:"cadreId" validate:"required,gt=0"`
	Kind         string `json:"kind" validate:"required,oneof=extra_time resit"`
	ExtraMinutes int    `json:"extraMinutes" validate:"gte=0,lte=240"`
	Reason       string `json:"reason" validate:"required,max=500"`
}

type accommodationDTO struct {
	ID           int64  `json:"id"`
	ExamID       int64  `json:"examId"`
	CadreID      int64  `json:"cadreId"`
	Kind         string `json:"kind"`
	ExtraMinutes int    `json:"extraMinutes"`
	Reason       string `json:"reason"`
	ApproverID   int64  `json:"approverId"`
	CreatedAt    string `json:"createdAt"`
}

type sittingDTO struct {
	AttemptID      int64    `json:"attemptId"`
	CadreID        int64    `json:"cadreId"`
	CadreName      string   `json:"cadreName"`
	OrgName        string   `json:"orgName"`
	AttemptNo      int      `json:"attemptNo"`
	Status         string   `json:"status"`
	StartedAt      string   `json:"startedAt"`
	Deadline       string   `json:"deadline"`
	SubmittedAt    *string  `json:"submittedAt,omitempty"`
	SubmittedBy    string   `json:"submittedBy,omitempty"`
	Answered       int      `json:"answered"`
	Questions      int      `json:"questions"`
	TotalScore     *float64 `json:"totalScore,omitempty"`
	Passed         *bool    `json:"passed,omitempty"`
	IntegrityCount int      `json:"integrityCount"`
	Flagged        bool     `json:"flagged"`
}

type integrityEventDTO struct {
	Kind     string  `json:"kind"`
	Detail   string  `json:"detail"`
	ClientAt *string `json:"clientAt,omitempty"`
	ServerAt string  `json:"serverAt"`
}

type regradeRequest struct {
	ItemID int64 `json:"itemId" validate:"required,gt=0"`
}

type regradeDTO struct {
	Attempts    int `json:"attempts"`
	Changed     int `json:"changed"`
	NowPassed   int `json:"nowPassed"`
	NowFailed   int `json:"nowFailed"`
	ItemVersion int `json:"itemVersion"`
}

type itemStatDTO struct {
	ItemID         int64          `json:"itemId"`
	Version        int            `json:"version"`
	Type           string         `json:"type"`
	N              int            `json:"n"`
	Facility       float64        `json:"facility"`
	Discrimination float64        `json:"discrimination"`
	PointBiserial  float64        `json:"pointBiserial"`
	OptionCounts   map[string]int `json:"optionCounts"`
	Flags          []string       `json:"flags"`
}

type reportDTO struct {
	Exam          examDTO       `json:"exam"`
	Sat           int           `json:"sat"`
	Finished      int           `json:"finished"`
	Graded        int           `json:"graded"`
	Passed        int           `json:"passed"`
	PassRate      float64       `json:"passRate"`
	MeanScore     float64       `json:"meanScore"`
	Distribution  []int         `json:"distribution"`
	MeanMinutes   float64       `json:"meanMinutes"`
	MedianMinutes float64       `json:"medianMinutes"`
	Flagged       int           `json:"integrityFlagged"`
	Sittings      []sittingDTO  `json:"sittings"`
	Items         []itemStatDTO `json:"items"`
}

func toSittingDTO(s exam.Sitting) sittingDTO {
	a := s.Attempt
	return sittingDTO{AttemptID: a.ID, CadreID: a.CadreID, CadreName: s.CadreName, OrgName: s.OrgName, AttemptNo: a.No, Status: string(a.Status),
		StartedAt: rfc3339(a.StartedAt), Deadline: rfc3339(a.Deadline), SubmittedAt: rfc3339Ptr(a.SubmittedAt), SubmittedBy: a.SubmittedBy,
		Answered: s.Answered, Questions: len(a.Paper.Questions), TotalScore: a.TotalScore, Passed: a.Passed,
		IntegrityCount: s.IntegrityCount, Flagged: s.Flagged()}
}

func toReportDTO(r exam.Report) reportDTO {
	d := reportDTO{Exam: toExamDTO(r.Exam), Sat: r.Sat, Finished: r.Finished, Graded: r.Graded, Passed: r.Passed, PassRate: r.PassRate,
		MeanScore: r.MeanScore, Distribution: r.Distribution, MeanMinutes: r.MeanMinutes, MedianMinutes: r.MedianMinutes, Flagged: r.Flagged,
		Sittings: mapSlice(r.Sittings, toSittingDTO), Items: []itemStatDTO{}}
	for _, it := range r.Items {
		flags := it.Stats.Flags
		if flags == nil {
			flags = []string{}
		}
		d.Items = append(d.Items, itemStatDTO{ItemID: it.ItemID, Version: it.Version, Type: string(it.Type), N: it.Stats.N,
			Facility: it.Stats.Facility, Discrimination: it.Stats.Discrimination, PointBiserial: it.Stats.PointBiserial,
			OptionCounts: it.Stats.OptionCounts, Flags: flags})
	}
	return d
}

func (a *API) examAdminRoutes(authed *gin.RouterGroup) {
	adm := a.restricted(authed, "考试", identity.RoleExamadmin)
	adm.handle(route{Method: "GET", Path: "/exams/:id/sittings", Summary: "考场实时情况：谁在考、进度与考试行为标记", Response: []sittingDTO{}}, a.examSittings)
	adm.handle(route{Method: "GET", Path: "/attempts/:id/events", Summary: "某份答卷的考试行为记录（服务器时间）", Response: []integrityEventDTO{}}, a.attemptEvents)
	adm.handle(route{Method: "POST", Path: "/exams/:id/accommodations", Summary: "为考生延长时间或安排补考（须说明理由，审批人为当前考试管理员）",
		Request: accommodationRequest{}, Response: accommodationDTO{}, Status: 201}, a.accommodate)
	adm.handle(route{Method: "POST", Path: "/exams/:id/regrade", Summary: "答案更正后重新评分（证书随之签发或撤销）", Request: regradeRequest{}, Response: regradeDTO{}}, a.regrade)
	adm.handle(route{Method: "GET", Path: "/exams/:id/report", Summary: "考试报告：参考人数、成绩分布、通过率、用时、行为标记与题目统计", Response: reportDTO{}}, a.examReport)
	adm.handle(route{Method: "POST", Path: "/exams/:id/papers", Summary: "为全部考生预生成试卷（大型考试开考前）", Response: prepareDTO{}}, a.preparePapers)
	adm.handle(route{Method: "GET", Path: "/grading/markers", Summary: "阅卷人评分一致性（双评一致率、与最终分的平均偏差）", Response: []markerStatDTO{}}, a.markerAgreement)
	adm.handle(route{Method: "GET", Path: "/questions/:id/stats", Summary: "题目在各场考试中的统计（按版本），含复核提示", Response: []versionStatsDTO{}}, a.questionStats)
	adm.handle(route{Method: "GET", Path: "/exams/:id/report.xlsx", Summary: "导出考试报告（Excel）", Raw: xlsxContentType}, a.examReportXLSX)
}

const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (a *API) examSittings(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		ss, err := a.d.Exams.Monitor(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, mapSlice(ss, toSittingDTO), err)
	}
}

func (a *API) attemptEvents(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		evs, err := a.d.Exams.IntegrityLog(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, mapSlice(evs, func(e exam.IntegrityEvent) integrityEventDTO {
			return integrityEventDTO{Kind: e.Kind, Detail: e.Detail, ClientAt: rfc3339Ptr(e.ClientAt), ServerAt: rfc3339Milli(e.ServerAt)}
		}), err)
	}
}

func (a *API) accommodate(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req accommodationRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	x, err := a.d.Exams.Accommodate(c.Request.Context(), actor(c), exam.Accommodation{ExamID: id, CadreID: req.CadreID,
		Kind: exam.AccommodationKind(req.Kind), ExtraMinutes: req.ExtraMinutes, Reason: req.Reason})
	respond(c, http.StatusCreated, accommodationDTO{ID: x.ID, ExamID: x.ExamID, CadreID: x.CadreID, Kind: string(x.Kind),
		ExtraMinutes: x.ExtraMinutes, Reason: x.Reason, ApproverID: x.ApproverID, CreatedAt: rfc3339(x.CreatedAt)}, err)
}

func (a *API) regrade(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req regradeRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	r, err := a.d.Exams.Regrade(c.Request.Context(), actor(c), id, req.ItemID)
	respond(c, http.StatusOK, regradeDTO{Attempts: r.Attempts, Changed: r.Changed, NowPassed: r.NowPassed, NowFailed: r.NowFailed, ItemVersion: r.ItemVersion}, err)
}

func (a *API) examReport(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		r, err := a.d.Exams.Report(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toReportDTO(r), err)
	}
}

func (a *API) examReportXLSX(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	r, err := a.d.Exams.Report(c.Request.Context(), actor(c), id)
	if err != nil {
		renderError(c, err)
		return
	}
	b, err := reportWorkbook(r)
	if err != nil {
		renderError(c, apperr.Wrap(err, "report workbook"))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="exam-%d-report.xlsx"`, id))
	c.Data(http.StatusOK, xlsxContentType, b)
}

// reportWorkbook renders a report as three sheets: 概况, 考生, 题目统计.
func reportWorkbook(r exam.Report) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "概况")
	rows := [][]any{{"考试", r.Exam.Title}, {"参考人数", r.Sat}, {"已交卷", r.Finished}, {"已评定", r.Graded}, {"合格人数", r.Passed},
		{"合格率", r.PassRate}, {"平均分", r.MeanScore}, {"平均用时（分钟）", r.MeanMinutes}, {"用时中位数（分钟）", r.MedianMinutes},
		{"考试行为标记人数", r.Flagged}}
	full := r.Exam.Blueprint.TotalPoints()
	for i, n := range r.Distribution {
		rows = append(rows, []any{fmt.Sprintf("分数段 %g–%g", full*float64(i)/10, full*float64(i+1)/10), n})
	}
	for i, row := range rows {
		if err := f.SetSheetRow("概况", fmt.Sprintf("A%d", i+1), &row); err != nil {
			return nil, err
		}
	}
	if _, err := f.NewSheet("考生"); err != nil {
		return nil, err
	}
	head := []any{"答卷", "姓名", "单位", "次数", "状态", "开始", "交卷", "交卷方式", "作答题数", "总分", "是否合格", "行为记录", "复核标记"}
	_ = f.SetSheetRow("考生", "A1", &head)
	for i, s := range r.Sittings {
		d := toSittingDTO(s)
		row := []any{d.AttemptID, d.CadreName, d.OrgName, d.AttemptNo, d.Status, d.StartedAt, deref(d.SubmittedAt), d.SubmittedBy,
			d.Answered, derefF(d.TotalScore), passText(d.Passed), d.IntegrityCount, map[bool]string{true: "需复核", false: ""}[d.Flagged]}
		if err := f.SetSheetRow("考生", fmt.Sprintf("A%d", i+2), &row); err != nil {
			return nil, err
		}
	}
	if _, err := f.NewSheet("题目统计"); err != nil {
		return nil, err
	}
	head = []any{"题目", "版本", "题型", "人数", "难度值P", "区分度D", "点二列相关", "选项分布", "复核提示"}
	_ = f.SetSheetRow("题目统计", "A1", &head)
	for i, it := range r.Items {
		var buf bytes.Buffer
		for _, k := range []string{"A", "B", "C", "D", "E", "F", "G", "H"} {
			if n, ok := it.Stats.OptionCounts[k]; ok {
				fmt.Fprintf(&buf, "%s:%d ", k, n)
			}
		}
		row := []any{it.ItemID, it.Version, bank.TypeName(it.Type), it.Stats.N, it.Stats.Facility, it.Stats.Discrimination,
			it.Stats.PointBiserial, buf.String(), joinFlags(it.Stats.Flags)}
		if err := f.SetSheetRow("题目统计", fmt.Sprintf("A%d", i+2), &row); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefF(f *float64) any {
	if f == nil {
		return ""
	}
	return *f
}

func passText(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "合格"
	}
	return "不合格"
}

func joinFlags(fs []string) string {
	out := ""
	for i, f := range fs {
		if i > 0 {
			out += "；"
		}
		out += f
	}
	return out
}

type markerStatDTO struct {
	MarkerID      int64   `json:"markerId"`
	Username      string  `json:"username"`
	Marks         int     `json:"marks"`
	Paired        int     `json:"paired"`
	AgreementRate float64 `json:"agreementRate"`
	MeanDeviation float64 `json:"meanDeviation"`
}

type versionStatsDTO struct {
	ExamID     int64       `json:"examId"`
	Version    int         `json:"version"`
	Stats      itemStatDTO `json:"stats"`
	ComputedAt string      `json:"computedAt"`
}

func (a *API) markerAgreement(c *gin.Context) {
	ms, err := a.d.Exams.MarkerAgreement(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(ms, func(m exam.MarkerStat) markerStatDTO {
		return markerStatDTO{MarkerID: m.MarkerID, Username: m.Username, Marks: m.Marks, Paired: m.Paired,
			AgreementRate: m.AgreementRate(), MeanDeviation: m.MeanDeviation()}
	}), err)
}

func (a *API) questionStats(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		vs, err := a.d.Bank.Stats(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, mapSlice(vs, func(v bank.VersionStats) versionStatsDTO {
			flags := v.Stats.Flags
			if flags == nil {
				flags = []string{}
			}
			return versionStatsDTO{ExamID: v.ExamID, Version: v.Version, ComputedAt: rfc3339(v.ComputedAt),
				Stats: itemStatDTO{ItemID: id, Version: v.Version, N: v.Stats.N, Facility: v.Stats.Facility, Discrimination: v.Stats.Discrimination,
					PointBiserial: v.Stats.PointBiserial, OptionCounts: v.Stats.OptionCounts, Flags: flags}}
		}), err)
	}
}

type prepareDTO struct {
	Candidates int `json:"candidates"`
	Prepared   int `json:"prepared"`
}

func (a *API) preparePapers(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		r, err := a.d.Exams.PreparePapers(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, prepareDTO{Candidates: r.Candidates, Prepared: r.Prepared}, err)
	}
}
