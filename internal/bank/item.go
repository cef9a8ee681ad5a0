// Package bank is the question bank (题库): versioned items of seven types with their keys,
// scoring rules, rubrics, classification and lifecycle, the file formats people already use, and
// item statistics.
package bank

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"qualify/internal/platform/civil"
)

// Subject is one of the six qualification subjects.
type Subject struct {
	Code   string
	Name   string
	Prefix string // item id prefix in question-bank/
}

// Subjects lists the qualification subjects in display order.
var Subjects = []Subject{
	{"political_theory", "马克思主义政治理论", "pt-"},
	{"decision_making", "决策能力", "dm-"},
	{"coordination", "协调能力", "co-"},
	{"innovation", "创新能力", "in-"},
	{"administration", "行政职业能力", "ad-"},
	{"party_affairs", "党务工作程序和业务能力", "pa-"},
}

// SubjectByCode returns the subject with that code.
func SubjectByCode(code string) (Subject, bool) {
	for _, s := range Subjects {
		if s.Code == code {
			return s, true
		}
	}
	return Subject{}, false
}

// Type is an item type (题型).
type Type string

// The seven item types.
const (
	Single       Type = "single"        // 单项选择题
	Multiple     Type = "multiple"      // 多项选择题
	TrueFalse    Type = "true_false"    // 判断题
	FillBlank    Type = "fill_blank"    // 填空题
	ShortAnswer  Type = "short_answer"  // 简答题
	CaseAnalysis Type = "case_analysis" // 案例分析题
	Essay        Type = "essay"         // 论述题
)

// Types lists the item types with their Chinese names and default points.
var Types = []struct {
	Type    Type
	Name    string
	Default float64
}{
	{Single, "单项选择题", 1}, {Multiple, "多项选择题", 2}, {TrueFalse, "判断题", 1}, {FillBlank, "填空题", 1},
	{ShortAnswer, "简答题", 10}, {CaseAnalysis, "案例分析题", 20}, {Essay, "论述题", 30},
}

// TypeName returns the Chinese name of t ("" when unknown).
func TypeName(t Type) string {
	for _, x := range Types {
		if x.Type == t {
			return x.Name
		}
	}
	return ""
}

// Written reports whether t is marked by people against a rubric.
func (t Type) Written() bool { return t == ShortAnswer || t == CaseAnalysis || t == Essay }

// Choice reports whether t has options.
func (t Type) Choice() bool { return t == Single || t == Multiple }

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return TypeName(t) != "" }

// Scoring is the rule for partial credit on multiple-choice items (domain.md §6.3).
type Scoring string

// The multiple-choice scoring rules.
const (
	AllOrNothing Scoring = "all_or_nothing" // full marks only for exactly the key
	PartialA     Scoring = "partial_a"      // any wrong option 0; else in proportion to correct options chosen
	PartialB     Scoring = "partial_b"      // any wrong option 0; else 0.5 per correct option chosen
)

// Status is an item's place in its lifecycle.
type Status string

// The lifecycle: draft -> in_review -> published -> retired.
const (
	Draft     Status = "draft"
	InReview  Status = "in_review"
	Published Status = "published"
	Retired   Status = "retired"
)

// CognitiveLevels are the accepted cognitive levels (识记/理解/应用/分析).
var CognitiveLevels = []string{"recall", "understand", "apply", "analyze"}

// Option is one choice of a choice item.
type Option struct {
	Key  string
	Text string
}

// Key is an item's answer key; which field is used depends on the type.
type Key struct {
	Choice  string     // single
	Choices []string   // multiple, sorted
	Bool    *bool      // true_false
	Blanks  [][]string // fill_blank: accepted alternatives per blank, the first canonical
}

// Criterion is one scoring point of a rubric (评分要点).
type Criterion struct {
	Criterion string
	Points    float64
}

// Basis is the document and article an item rests on (依据).
type Basis struct {
	Document string
	Article  string
}

// Item is one version of a question.
type Item struct {
	ID              int64  // stable across versions
	Ref             string // external identifier, e.g. "pt-phil-001"
	Version         int
	Subject         string
	Type            Type
	Stem            string
	Options         []Option
	Key             Key
	Scoring         Scoring // multiple only; "" means all_or_nothing
	Points          float64
	Explanation     string
	Basis           []Basis
	KnowledgePoints []string
	Competencies    []string
	Difficulty      int      // authored, 1..5
	Measured        *float64 // measured facility P from exams, when known
	CognitiveLevel  string
	ReviewBy        civil.Date
	ReferenceAnswer string
	Rubric          []Criterion
	Tolerance       float64
	Status          Status
	// PublishedVersion is the version exams draw (0: never published). It lags Version while a
	// revision of a published item awaits review.
	PublishedVersion int
	ReviewComment    string
	AuthorID         *int64 // author of this version
	ReviewerID       *int64
	Source           string // where it was imported from
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// BlankMarker marks a blank in a fill-in-the-blank stem.
const BlankMarker = "____"

// Problem is one thing wrong with an item, with where it is.
type Problem struct {
	Location string // file:line, sheet!cell, or item identifier
	Field    string
	Message  string
}

func (p Problem) String() string {
	if p.Field != "" {
		return fmt.Sprintf("%s: %s: %s", p.Location, p.Field, p.Message)
	}
	return p.Location + ": " + p.Message
}

// Problems is a list of problems; as an error it lists them all.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Validate checks an item for publishing: its content against the rules of its type, and the
// classification a bank needs (explanation, knowledge points, difficulty, taxonomy tags). Each
// problem names a field; loc is prefixed to every problem's Location.
func (it Item) Validate(loc string, tax Taxonomy) Problems { return it.validate(loc, tax, true) }

// ValidateDraft checks only what an imported draft must have to be kept: a sound stem, options,
// key, points and rubric. Classification may be completed in review before publishing.
func (it Item) ValidateDraft(loc string, tax Taxonomy) Problems { return it.validate(loc, tax, false) }

func (it Item) validate(loc string, tax Taxonomy, strict bool) Problems {
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Location: loc, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if _, ok := SubjectByCode(it.Subject); !ok {
		add("subject", "未知科目 %q", it.Subject)
	}
	if !it.Type.Valid() {
		add("type", "未知题型 %q（应为 single、multiple、true_false、fill_blank、short_answer、case_analysis、essay）", it.Type)
		return ps
	}
	if strings.TrimSpace(it.Stem) == "" {
		add("stem", "题干不能为空")
	}
	if len([]rune(it.Stem)) > 20000 {
		add("stem", "题干过长（不超过 20000 字）")
	}
	if strict && strings.TrimSpace(it.Explanation) == "" {
		add("explanation", "解析不能为空")
	}
	if !(it.Points > 0) || it.Points > 100 || math.IsNaN(it.Points) {
		add("points", "分值须大于 0 且不超过 100")
	}
	if (strict || it.Difficulty != 0) && (it.Difficulty < 1 || it.Difficulty > 5) {
		add("difficulty", "难度须为 1 到 5 的整数")
	}
	if it.CognitiveLevel != "" && !slices.Contains(CognitiveLevels, it.CognitiveLevel) {
		add("cognitive_level", "认知层次应为 recall、understand、apply 或 analyze")
	}
	if strict && len(it.KnowledgePoints) == 0 {
		add("knowledge_points", "至少需要一个知识点")
	}
	for _, kp := range it.KnowledgePoints {
		if strings.TrimSpace(kp) == "" || strings.Contains(kp, "//") || strings.HasPrefix(kp, "/") || strings.HasSuffix(kp, "/") {
			add("knowledge_points", "知识点 %q 格式错误（层级用 / 分隔）", kp)
		}
	}
	for _, c := range it.Competencies {
		if !tax.ValidTag(c) {
			add("competencies", "未知能力标签 %q（格式 框架.代码，见 SCHEMA.md）", c)
		}
	}
	for i, b := range it.Basis {
		if strings.TrimSpace(b.Document) == "" {
			add(fmt.Sprintf("basis[%d].document", i), "依据须写明文件名称")
		}
	}
	switch {
	case it.Type.Choice():
		ps = append(ps, it.validateChoice(loc)...)
	case it.Type == TrueFalse:
		if it.Key.Bool == nil {
			add("answer", "判断题的答案须为 true 或 false")
		}
	case it.Type == FillBlank:
		n := strings.Count(it.Stem, BlankMarker)
		if n == 0 {
			add("stem", "填空题的题干须用 %s 标出空位", BlankMarker)
		}
		if len(it.Key.Blanks) != n {
			add("answer", "题干有 %d 个空，答案有 %d 组", n, len(it.Key.Blanks))
		}
		for i, alts := range it.Key.Blanks {
			if len(alts) == 0 || slices.ContainsFunc(alts, func(s string) bool { return NormalizeBlank(s) == "" }) {
				add("answer", "第 %d 空的答案不能为空", i+1)
			}
		}
	case it.Type.Written():
		if strict && strings.TrimSpace(it.ReferenceAnswer) == "" {
			add("reference_answer", "主观题须有参考答案")
		}
		if strict && len(it.Rubric) < 2 {
			add("rubric", "评分细则至少两个要点")
		}
		sum := 0.0
		for i, c := range it.Rubric {
			if strings.TrimSpace(c.Criterion) == "" || !(c.Points > 0) {
				add(fmt.Sprintf("rubric[%d]", i), "评分要点须有内容且分值大于 0")
			}
			sum += c.Points
		}
		if len(it.Rubric) > 0 && math.Abs(sum-it.Points) > 1e-9 {
			add("rubric", "评分要点分值合计 %g，与题目分值 %g 不一致", sum, it.Points)
		}
		if (strict || it.Tolerance != 0) && (!(it.Tolerance > 0) || it.Tolerance >= it.Points) {
			add("tolerance", "双评误差阈值须大于 0 且小于题目分值")
		}
	}
	if !it.Type.Choice() && len(it.Options) > 0 {
		add("options", "只有选择题可以有选项")
	}
	if !it.Type.Written() && (len(it.Rubric) > 0 || it.ReferenceAnswer != "") {
		add("rubric", "只有主观题有参考答案和评分细则")
	}
	return ps
}

func (it Item) validateChoice(loc string) Problems {
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Location: loc, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(it.Options) < 2 || len(it.Options) > 8 {
		add("options", "选择题须有 2 到 8 个选项")
	}
	keys := map[string]bool{}
	texts := map[string]bool{}
	for i, o := range it.Options {
		want := string(rune('A' + i))
		if o.Key != want {
			add("options", "选项须按 A、B、C… 顺序编号，第 %d 个选项是 %q", i+1, o.Key)
		}
		if strings.TrimSpace(o.Text) == "" {
			add("options", "选项 %s 内容为空", o.Key)
		}
		t := strings.TrimSpace(o.Text)
		if texts[t] && t != "" {
			add("options", "选项 %s 与其他选项内容重复", o.Key)
		}
		texts[t] = true
		keys[o.Key] = true
	}
	switch it.Type {
	case Single:
		if !keys[it.Key.Choice] {
			add("answer", "答案 %q 不是选项之一", it.Key.Choice)
		}
	case Multiple:
		if len(it.Key.Choices) < 2 {
			add("answer", "多选题的答案至少两个选项")
		}
		if !slices.IsSorted(it.Key.Choices) || len(slices.Compact(slices.Clone(it.Key.Choices))) != len(it.Key.Choices) {
			add("answer", "多选题的答案须按字母顺序且不重复")
		}
		for _, k := range it.Key.Choices {
			if !keys[k] {
				add("answer", "答案 %q 不是选项之一", k)
			}
		}
		switch it.Scoring {
		case "", AllOrNothing, PartialA, PartialB:
		default:
			add("scoring", "计分规则应为 all_or_nothing、partial_a 或 partial_b")
		}
	}
	return ps
}

// FormatPoints renders points without trailing zeros ("2", "1.5").
func FormatPoints(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
