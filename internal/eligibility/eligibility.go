// Package eligibility checks a cadre against the promotion requirements (《党政领导干部选拔任用工作
// 条例》 第八条、第九条; domain.md §2-§3): a configurable matrix of requirements per post category and
// target post level, the pure rules that measure a cadre's facts against it, the exceptions
// (破格/越级) an upper organization department may approve, the kept checks, and the compliance
// lists of cadres who must attain their certificates within their term.
package eligibility

import (
	"time"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// Status is the verdict of one rule.
type Status string

// The verdicts.
const (
	Pass     Status = "pass"      // 符合
	Fail     Status = "fail"      // 不符合
	SoftFail Status = "soft_fail" // “一般应当”的条件未满足：提示，不阻止
	Waived   Status = "waived"    // 不符合，但有破格/越级批准
	Manual   Status = "manual"    // 须人工核实
)

// StatusNames are the Chinese names of the verdicts.
var StatusNames = map[Status]string{Pass: "符合", Fail: "不符合", SoftFail: "提示", Waived: "已破格", Manual: "须人工核实"}

// The rule codes. A certificate rule's code is RuleCertificate + "." + the subject code.
const (
	RuleCertificate        = "certificate"
	RuleLevelStep          = "level_step"           // 逐级提拔；越级须批准；不得越两级
	RuleYearsOfWork        = "years_of_work"        // 工龄
	RuleGrassroots         = "grassroots"           // 基层工作经历
	RuleTimeInPost         = "time_in_post"         // 任职年限（下一级职务）
	RulePostsAtLowerLevel  = "posts_at_lower_level" // 下一级两个以上职位任职经历（一般）
	RuleEducation          = "education"            // 文化程度（一般）
	RuleTraining           = "training"             // 培训学时
	RuleProbation          = "probation"            // 任职试用期
	RuleSinceLastPromotion = "since_last_promotion" // 距上次提拔满一年
	RuleHealth             = "health"               // 健康状况（人工）
	RuleLegalPartyAge      = "legal_party_age"      // 法定资格与党龄（人工）
)

// Waivable reports whether an approved exception may turn a failure of rule into a waiver: the
// 第八条 (一)-(五) conditions and the one-level step (越级, one level only). Certificates, health,
// legal and Party-age requirements, probation and the one-year limit are never waivable.
func Waivable(rule string) bool {
	switch rule {
	case RuleYearsOfWork, RuleGrassroots, RuleTimeInPost, RulePostsAtLowerLevel, RuleEducation, RuleTraining, RuleLevelStep:
		return true
	}
	return false
}

// Window is how the training window is measured.
type Window string

// The windows (domain.md §3.5 leaves the choice open).
const (
	// Calendar is the last N calendar years up to the check date's year (2022-01-01 .. asOf).
	Calendar Window = "calendar"
	// Rolling is the N years ending on the check date (asOf minus N years plus one day .. asOf).
	Rolling Window = "rolling"
)

// Requirement is one row of the requirement matrix: what promotion to TargetLevel in a post of
// PostCategory needs. A zero threshold means the rule does not apply at that level. Basis holds
// the legal basis (依据) of each rule by rule code (a certificate rule uses RuleCertificate).
type Requirement struct {
	ID                         int64
	PostCategory               string
	TargetLevel                string
	Certificates               []string // subject codes
	TrainingHours              float64
	TrainingYears              int
	TrainingWindow             Window
	MinYearsOfWork             int
	MinGrassrootsYears         int
	MinYearsDeputyToPrincipal  int // 副职 -> 同级正职
	MinYearsPrincipalToDeputy  int // 下级正职 -> 上级副职
	MinPostsAtLowerLevel       int // soft
	MinEducation               cadre.Education
	MinYearsSinceLastPromotion int
	ProbationBlocks            bool
	CertificateDeadlineMonths  int // compliance: months after taking up the post to attain the certificates
	ExpiryWarningDays          int // a valid certificate expiring within this many days passes with a warning
	Basis                      map[string]string
	UpdatedAt                  time.Time
	UpdatedBy                  string
}

// ExceptionKind is the kind of an exceptional promotion.
type ExceptionKind string

// The kinds (第九条).
const (
	Exceptional ExceptionKind = "exceptional" // 破格提拔：突破任职资格
	SkipLevel   ExceptionKind = "skip_level"  // 越级提拔
)

// ExceptionKindNames are the Chinese names of the kinds.
var ExceptionKindNames = map[ExceptionKind]string{Exceptional: "破格提拔", SkipLevel: "越级提拔"}

// Justifications are the six grounds of 第九条 (domain.md §2.2), by code.
var Justifications = map[string]string{
	"critical_contribution": "在关键时刻或者承担急难险重任务中经受住考验、表现突出、作出重大贡献",
	"hard_area_results":     "在条件艰苦、环境复杂、基础差的地区或者单位工作实绩突出",
	"other_post_results":    "在其他岗位上尤为特殊的实绩",
	"structure_need":        "领导班子结构需要或者领导职位有特殊要求",
	"specialised_post":      "专业性较强的岗位或者重要专项工作急需",
	"remote_area":           "艰苦边远地区、贫困地区急需",
}

// Exception is an approved exceptional or skip-level promotion (破格/越级) of a cadre to a target
// level, waiving the rules it names. Approver is the upper organization department (上级组织部门).
type Exception struct {
	ID            int64
	CadreID       int64
	TargetLevel   string
	Kind          ExceptionKind
	Justification string
	Approver      string
	DocumentNo    string
	Rules         []string
	Note          string
	CreatedAt     time.Time
	CreatedBy     string
}

// Request is what a check asks: may the cadre be promoted to TargetLevel in a post of PostCategory.
type Request struct {
	CadreID      int64
	TargetLevel  string
	PostCategory string
	AsOf         civil.Date // zero: today
}

// Facts are what the rules measure, assembled by the service from the cadre's file, post history
// (through internal/cadre), certificates and training ledger.
type Facts struct {
	Cadre        cadre.Cadre
	CurrentLevel cadre.PostLevel // the post level held (or equivalent to the rank held); zero Ord: none
	// TargetLevel is the requested level as found on the ladder.
	TargetLevel cadre.PostLevel
	// LevelCount is the number of post levels (a cadre below every level sits at LevelCount+1).
	LevelCount        int
	YearsOfWork       int
	Grassroots        cadre.Tenure
	TimeInGrade       cadre.Tenure
	LastPromotion     civil.Date
	InProbation       bool
	ProbationEnd      civil.Date
	PostsAtLowerLevel int // distinct posts held at the level just below the target
	// PriorTimeInPostException: the current post was reached with a time-in-post exception
	// (不得在任职年限上连续破格).
	PriorTimeInPostException bool
	Certificates             []cert.Certificate
	Ledger                   []training.LedgerEntry
}

// RuleResult is the verdict of one rule, with a detail a person can act on and its legal basis.
type RuleResult struct {
	Code   string
	Title  string
	Status Status
	Detail string
	Basis  string
}

// Check is one kept eligibility check.
type Check struct {
	ID            int64
	CadreID       int64
	CadreName     string // filled on reads
	OrgPath       string // filled on reads, for the scope check
	TargetLevel   string
	PostCategory  string
	AsOf          civil.Date
	Eligible      bool
	Rules         []RuleResult
	RequirementID int64
	CheckedAt     time.Time
	CheckedBy     string
	BatchID       int64 // the batch that kept it; 0 for a single check
}

// Batch is the record of one batch check (批量核查) of an uploaded roster: who ran it in which org
// scope (OrgPath), the file, the counts of its rows and a digest of the checks it kept (see
// BatchDigest). Each of its checks carries its ID; the audit log names it once.
type Batch struct {
	ID         int64
	OrgPath    string
	FileName   string
	FileSHA256 string // hex SHA-256 of the uploaded file
	Rows       int    // roster rows read (blank rows skipped)
	Eligible   int    // rows checked and eligible
	Ineligible int    // rows checked and not eligible
	Problems   int    // rows that could not be checked
	Digest     string // "sha256:" + hex, over the kept checks in ID order
	CreatedAt  time.Time
	CreatedBy  string
}

// Eligible reports whether no rule failed (soft failures and manual items do not block; manual
// items must still be verified by a person).
func Eligible(rs []RuleResult) bool {
	for _, r := range rs {
		if r.Status == Fail {
			return false
		}
	}
	return true
}

// SubjectNames are the Chinese names of the qualification subjects of the contract.
var SubjectNames = map[string]string{
	"political_theory": "马克思主义政治理论", "decision_making": "决策能力", "coordination": "协调能力",
	"innovation": "创新能力", "administration": "行政职业能力", "party_affairs": "党务工作程序和业务能力",
}

func subjectName(code string) string {
	if n, ok := SubjectNames[code]; ok {
		return n
	}
	return code
}
