package eligibility

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// DefaultBasis is the legal basis (依据) of each rule, used where a matrix row names none.
var DefaultBasis = map[string]string{
	RuleCertificate:        "本省干部任职资格考试制度：后备干部没有获得任职资格的，不得提拔使用（考试科目目录可配置）",
	RuleLevelStep:          "《党政领导干部选拔任用工作条例》第九条：逐级提拔；越级提拔须从严把握，不得越两级提拔",
	RuleYearsOfWork:        "《党政领导干部选拔任用工作条例》第八条第（一）项：提任县处级领导职务的，应当具有五年以上工龄",
	RuleGrassroots:         "《党政领导干部选拔任用工作条例》第八条第（一）项：提任县处级领导职务的，应当具有两年以上基层工作经历",
	RuleTimeInPost:         "《党政领导干部选拔任用工作条例》第八条第（三）项：由副职提任正职的，应当在副职岗位工作两年以上；由下级正职提任上级副职的，应当在下级正职岗位工作三年以上",
	RulePostsAtLowerLevel:  "《党政领导干部选拔任用工作条例》第八条第（二）项：提任县处级以上领导职务的，一般应当具有在下一级两个以上职位任职的经历",
	RuleEducation:          "《党政领导干部选拔任用工作条例》第八条第（四）项：一般应当具有大学专科以上文化程度，其中厅局级以上领导干部一般应当具有大学本科以上文化程度",
	RuleTraining:           "《党政领导干部选拔任用工作条例》第八条第（五）项；《干部教育培训工作条例》第十四条：县处级以上每5年累计不少于3个月或550学时，其他每年累计不少于12天或90学时；因特殊情况提任前未达到培训要求的，应当在提任后一年内完成培训",
	RuleProbation:          "《党政领导干部选拔任用工作条例》第九条：不得在任职试用期内破格提拔；试用期满考核合格方正式任职",
	RuleSinceLastPromotion: "《党政领导干部选拔任用工作条例》第九条：提拔任职不满一年的，不得破格提拔",
	RuleHealth:             "《党政领导干部选拔任用工作条例》第八条第（六）项：具有正常履行职责的身体条件",
	RuleLegalPartyAge:      "《党政领导干部选拔任用工作条例》第八条第（七）项：符合有关法律规定的资格要求；提任党的领导职务的，还应当符合《中国共产党章程》等规定的党龄要求",
}

// result is a verdict under evaluation; hard, when set, says why no exception may waive it.
type result struct {
	RuleResult
	hard string
}

// Evaluate measures facts against the matrix row for the request as of asOf and applies the
// approved exceptions: a failed waivable rule named by an exception for the target level reads
// waived, unless a limit of 第九条 forbids it (probation, less than a year since the last
// promotion, a second time-in-post exception in a row, skipping two levels). It is pure.
func Evaluate(f Facts, req Request, m Requirement, exceptions []Exception, asOf civil.Date) []RuleResult {
	basis := func(code string) string {
		if b := m.Basis[code]; b != "" {
			return b
		}
		return DefaultBasis[code]
	}
	var rs []result
	add := func(code, title string, st Status, detail string) *result {
		rs = append(rs, result{RuleResult: RuleResult{Code: code, Title: title, Status: st, Detail: detail, Basis: basis(code)}})
		return &rs[len(rs)-1]
	}

	// 逐级提拔
	cur := f.CurrentLevel
	curOrd := cur.Ord
	curName := cur.Name
	if curOrd == 0 {
		curOrd, curName = f.LevelCount+1, "未担任领导职务或相当职级"
	}
	switch steps := curOrd - f.TargetLevel.Ord; {
	case steps <= 0:
		r := add(RuleLevelStep, "逐级提拔", Fail, fmt.Sprintf("拟任%s不高于现任%s，不属于提拔", f.TargetLevel.Name, curName))
		r.hard = "不属于提拔"
	case steps == 1:
		add(RuleLevelStep, "逐级提拔", Pass, fmt.Sprintf("由%s提任%s，逐级提拔", curName, f.TargetLevel.Name))
	case steps == 2:
		add(RuleLevelStep, "逐级提拔", Fail, fmt.Sprintf("由%s提任%s属越级提拔，须有上级组织部门同意的越级提拔批准", curName, f.TargetLevel.Name))
	default:
		r := add(RuleLevelStep, "逐级提拔", Fail, fmt.Sprintf("由%s提任%s越过%d个层次，不得越两级提拔", curName, f.TargetLevel.Name, steps-1))
		r.hard = "不得越两级提拔"
	}

	// 任职资格证书
	for _, subj := range m.Certificates {
		st, detail := certificateVerdict(f.Certificates, subj, asOf, m.ExpiryWarningDays)
		r := add(RuleCertificate+"."+subj, subjectName(subj)+"资格证书", st, detail)
		r.Basis = basis(RuleCertificate)
	}

	// 工龄、基层工作经历
	if m.MinYearsOfWork > 0 {
		st := statusIf(f.YearsOfWork >= m.MinYearsOfWork, Fail)
		add(RuleYearsOfWork, "工龄", st, fmt.Sprintf("工龄%d年（要求%d年以上）", f.YearsOfWork, m.MinYearsOfWork))
	}
	if m.MinGrassrootsYears > 0 {
		st := statusIf(f.Grassroots.AtLeast(m.MinGrassrootsYears), Fail)
		d := fmt.Sprintf("基层工作经历%s（要求%d年以上）", f.Grassroots, m.MinGrassrootsYears)
		if st == Fail {
			d = fmt.Sprintf("基层工作经历%s，不足%d年", f.Grassroots, m.MinGrassrootsYears)
		}
		add(RuleGrassroots, "基层工作经历", st, d)
	}

	// 任职年限
	need, how := m.MinYearsPrincipalToDeputy, "由下级正职提任上级副职"
	if strings.HasSuffix(cur.Code, "_deputy") {
		need, how = m.MinYearsDeputyToPrincipal, "由副职提任正职"
	}
	if need > 0 {
		switch {
		case cur.Ord == 0:
			add(RuleTimeInPost, "任职年限", Fail, "未担任下一级领导职务或相当层次职级，无法计算任职年限")
		case f.TimeInGrade.AtLeast(need):
			add(RuleTimeInPost, "任职年限", Pass, fmt.Sprintf("任%s（含相当层次职级）%s，自%s起（%s要求%d年以上）",
				cur.Name, f.TimeInGrade, f.TimeInGrade.Since, how, need))
		default:
			add(RuleTimeInPost, "任职年限", Fail, fmt.Sprintf("任%s（含相当层次职级）%s，自%s起；%s须满%d年，将于%s满",
				cur.Name, f.TimeInGrade, f.TimeInGrade.Since, how, need, f.TimeInGrade.Since.AddYears(need)))
		}
	}

	// 下一级两个以上职位（一般）
	if m.MinPostsAtLowerLevel > 0 {
		below := "下一级"
		if lv, ok := lowerLevel(f); ok {
			below = lv
		}
		st := statusIf(f.PostsAtLowerLevel >= m.MinPostsAtLowerLevel, SoftFail)
		add(RulePostsAtLowerLevel, "下一级职位任职经历", st,
			fmt.Sprintf("在%s层次任过%d个职位（一般应有%d个以上）", below, f.PostsAtLowerLevel, m.MinPostsAtLowerLevel))
	}

	// 文化程度（一般）
	if m.MinEducation != "" {
		have := f.Cadre.Education
		switch {
		case have == "":
			add(RuleEducation, "文化程度", SoftFail, "未登记学历；一般应为"+cadre.EducationNames[m.MinEducation]+"以上")
		default:
			st := statusIf(eduRank(have) <= eduRank(m.MinEducation), SoftFail)
			add(RuleEducation, "文化程度", st, fmt.Sprintf("学历%s（一般应为%s以上）", cadre.EducationNames[have], cadre.EducationNames[m.MinEducation]))
		}
	}

	// 培训学时
	if m.TrainingHours > 0 && m.TrainingYears > 0 {
		from, label := TrainingWindow(m.TrainingWindow, m.TrainingYears, asOf)
		h := training.HoursInWindow(f.Ledger, from, asOf, training.CountsAsCentralized)
		st := statusIf(h >= m.TrainingHours, Fail)
		d := fmt.Sprintf("近%d年集中培训 %s/%s 学时（%s至%s，%s）", m.TrainingYears, hours(h), hours(m.TrainingHours), from, asOf, label)
		if st == Fail {
			d += fmt.Sprintf("，尚差 %s 学时", hours(m.TrainingHours-h))
		}
		add(RuleTraining, "培训学时", st, d)
	}

	// 试用期、提拔满一年（不得破格）
	if m.ProbationBlocks {
		if f.InProbation {
			d := "正在任职试用期内"
			if !f.ProbationEnd.IsZero() {
				d = fmt.Sprintf("任职试用期至%s止（含），试用期内不得提拔", f.ProbationEnd.AddDays(-1))
			}
			add(RuleProbation, "任职试用期", Fail, d).hard = "试用期内不得破格提拔"
		} else {
			add(RuleProbation, "任职试用期", Pass, "不在任职试用期内")
		}
	}
	if m.MinYearsSinceLastPromotion > 0 {
		switch {
		case f.LastPromotion.IsZero():
			add(RuleSinceLastPromotion, "距上次提拔时间", Pass, "无提拔记录")
		case f.LastPromotion.FullYearsUntil(asOf) >= m.MinYearsSinceLastPromotion:
			add(RuleSinceLastPromotion, "距上次提拔时间", Pass, fmt.Sprintf("上次提拔于%s，已满%d年", f.LastPromotion, m.MinYearsSinceLastPromotion))
		default:
			add(RuleSinceLastPromotion, "距上次提拔时间", Fail, fmt.Sprintf("上次提拔于%s，不满%d年（%s满）",
				f.LastPromotion, m.MinYearsSinceLastPromotion, f.LastPromotion.AddYears(m.MinYearsSinceLastPromotion))).hard = "提拔任职不满一年不得破格提拔"
		}
	}

	// 人工核实
	add(RuleHealth, "健康状况", Manual, "须由组织人事部门核实是否具有正常履行职责的身体条件")
	pa := "未登记入党时间；须人工核实法定资格要求"
	if !f.Cadre.PartyJoinDate.IsZero() {
		pa = fmt.Sprintf("党龄%d年（%s入党）；须对照法律规定的资格要求和党章党龄要求人工核实", f.Cadre.PartyJoinDate.FullYearsUntil(asOf), f.Cadre.PartyJoinDate)
	}
	add(RuleLegalPartyAge, "法定资格与党龄", Manual, pa)

	applyExceptions(rs, f, exceptions)
	out := make([]RuleResult, len(rs))
	for i, r := range rs {
		out[i] = r.RuleResult
	}
	return out
}

// applyExceptions turns failures into waivers where an exception names them and no limit of
// 第九条 forbids it.
func applyExceptions(rs []result, f Facts, exceptions []Exception) {
	blocked := ""
	for _, r := range rs {
		if r.Status == Fail && (r.Code == RuleProbation || r.Code == RuleSinceLastPromotion) {
			blocked = r.hard
		}
	}
	for i := range rs {
		r := &rs[i]
		if r.Status != Fail {
			continue
		}
		ex, ok := exceptionFor(exceptions, f.TargetLevel.Code, r.Code)
		if !ok {
			continue
		}
		why := ""
		switch {
		case !Waivable(baseCode(r.Code)):
			why = "该项不得破格"
			if r.hard != "" {
				why = r.hard
			}
		case r.hard != "":
			why = r.hard
		case blocked != "":
			why = blocked
		case r.Code == RuleTimeInPost && f.PriorTimeInPostException:
			why = "现职系任职年限破格提拔，不得在任职年限上连续破格"
		case r.Code == RuleLevelStep && ex.Kind != SkipLevel:
			why = "越级须有越级提拔批准"
		}
		if why != "" {
			r.Detail += "；破格批准（" + ex.DocumentNo + "）不予适用：" + why
			continue
		}
		r.Status = Waived
		r.Detail += fmt.Sprintf("；已%s：%s同意，文号%s", ExceptionKindNames[ex.Kind], ex.Approver, ex.DocumentNo)
		if r.Code == RuleTraining {
			r.Detail += "，须在提任后一年内完成培训"
		}
	}
}

func exceptionFor(exs []Exception, target, code string) (Exception, bool) {
	for _, e := range exs {
		if e.TargetLevel != target {
			continue
		}
		if slices.Contains(e.Rules, code) || (code == RuleLevelStep && e.Kind == SkipLevel) {
			return e, true
		}
	}
	return Exception{}, false
}

// baseCode strips a certificate rule's subject.
func baseCode(code string) string {
	b, _, _ := strings.Cut(code, ".")
	return b
}

func statusIf(ok bool, otherwise Status) Status {
	if ok {
		return Pass
	}
	return otherwise
}

func eduRank(e cadre.Education) int {
	if i := slices.Index(cadre.Educations, e); i >= 0 {
		return i
	}
	return len(cadre.Educations)
}

func lowerLevel(f Facts) (string, bool) {
	if f.TargetLevel.Ord == 0 {
		return "", false
	}
	if f.CurrentLevel.Ord == f.TargetLevel.Ord+1 {
		return f.CurrentLevel.Name, true
	}
	return "", false
}

// TrainingWindow returns the first day of the training window of years ending on asOf, and its
// description.
func TrainingWindow(w Window, years int, asOf civil.Date) (civil.Date, string) {
	if w == Rolling {
		return asOf.AddYears(-years).AddDays(1), "按滚动" + strconv.Itoa(years) + "年计"
	}
	return civil.New(asOf.Year-years+1, time.January, 1), "按自然年度计"
}

func hours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// certificateVerdict finds the cadre's best certificate of subj on asOf: a valid one (the latest
// expiry) passes, with a warning when it expires within warnDays; otherwise the detail says what
// is missing or why the certificate held does not count.
func certificateVerdict(certs []cert.Certificate, subj string, asOf civil.Date, warnDays int) (Status, string) {
	name := subjectName(subj)
	var best, other *cert.Certificate
	for i := range certs {
		c := &certs[i]
		if c.SubjectCode != subj || c.IssuedOn.After(asOf) {
			continue
		}
		if c.StatusOn(asOf) == cert.Valid {
			if best == nil || c.ExpiresOn.After(best.ExpiresOn) {
				best = c
			}
		} else if other == nil || c.IssuedOn.After(other.IssuedOn) {
			other = c
		}
	}
	switch {
	case best != nil:
		left := asOf.DaysUntil(best.ExpiresOn)
		if left <= warnDays {
			when := fmt.Sprintf("将于%s到期", best.ExpiresOn)
			if left == 0 {
				when = "今日（" + best.ExpiresOn.String() + "）到期"
			}
			return Pass, fmt.Sprintf("%s证书%s（%s），请及时重新取得", name, when, best.Number)
		}
		return Pass, fmt.Sprintf("持有有效的%s资格证书（%s，有效期至%s）", name, best.Number, best.ExpiresOn)
	case other == nil:
		return Fail, "缺少" + name + "资格证书"
	}
	switch other.StatusOn(asOf) {
	case cert.Expired:
		return Fail, fmt.Sprintf("%s资格证书（%s）已于%s到期，须重新取得", name, other.Number, other.ExpiresOn)
	case cert.Suspended:
		return Fail, fmt.Sprintf("%s资格证书（%s）已暂停使用：%s", name, other.Number, other.StatusReason)
	default:
		return Fail, fmt.Sprintf("%s资格证书（%s）已撤销：%s", name, other.Number, other.StatusReason)
	}
}
