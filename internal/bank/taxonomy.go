package bank

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Framework is a competency framework (domain.md §4) whose codes tag items.
type Framework struct {
	Code  string
	Name  string
	Items []Competency
}

// Competency is one ability within a framework.
type Competency struct {
	Code string
	Name string
}

// Taxonomy is the configurable set of competency frameworks.
type Taxonomy struct {
	Frameworks []Framework
}

// DefaultTaxonomy holds the four frameworks of domain.md §4.
var DefaultTaxonomy = Taxonomy{Frameworks: []Framework{
	{"five2004", "五种执政能力（2004）", []Competency{
		{"market_economy", "驾驭社会主义市场经济的能力"}, {"democratic_politics", "发展社会主义民主政治的能力"},
		{"advanced_culture", "建设社会主义先进文化的能力"}, {"harmonious_society", "构建社会主义和谐社会的能力"},
		{"international_affairs", "应对国际局势和处理国际事务的能力"}}},
	{"five2002", "十六大五种能力（2002）", []Competency{
		{"judge_situation", "科学判断形势"}, {"steer_market", "驾驭市场经济"}, {"complex_situations", "应对复杂局面"},
		{"rule_by_law", "依法执政"}, {"overall_command", "总揽全局"}}},
	{"nine", "国家公务员通用能力标准框架", []Competency{
		{"political_discernment", "政治鉴别能力"}, {"law_based_administration", "依法行政能力"}, {"public_service", "公共服务能力"},
		{"investigation_research", "调查研究能力"}, {"learning", "学习能力"}, {"communication_coordination", "沟通协调能力"},
		{"innovation", "创新能力"}, {"emergency_response", "应对突发事件能力"}, {"psychological_adjustment", "心理调适能力"}}},
	{"seven", "七种能力（2020）", []Competency{
		{"political", "政治能力"}, {"investigation_research", "调查研究能力"}, {"scientific_decision", "科学决策能力"},
		{"reform", "改革攻坚能力"}, {"emergency_handling", "应急处突能力"}, {"mass_work", "群众工作能力"}, {"implementation", "抓落实能力"}}},
}}

// ValidTag reports whether tag ("framework.code") names a competency of the taxonomy.
func (t Taxonomy) ValidTag(tag string) bool {
	fw, code, ok := strings.Cut(tag, ".")
	if !ok {
		return false
	}
	for _, f := range t.Frameworks {
		if f.Code == fw {
			for _, c := range f.Items {
				if c.Code == code {
					return true
				}
			}
		}
	}
	return false
}

// NormalizeBlank folds a fill-in-the-blank answer for matching: full-width to half-width (NFKC),
// case folded, spaces and punctuation removed.
func NormalizeBlank(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
