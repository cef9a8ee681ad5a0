package bank

import (
	"encoding/xml"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestParseMoodleXMLFixture(t *testing.T) {
	const name = "pt-questions.xml"
	data, err := os.ReadFile("testdata/moodle/" + name)
	if err != nil {
		t.Fatal(err)
	}
	items, problems, warnings := ParseMoodleXML(name, data, "political_theory", DefaultTaxonomy)
	checkProblems(t, "problems", problems, nil)
	tests := []want{
		{ref: "pt-phil-101", typ: Single, stem: "唯物辩证法的实质和核心是（  ）。",
			options: []string{"质量互变规律", "**对立统一规律**", "否定之否定规律", "联系和发展的观点"}, key: Key{Choice: "B"}, points: 1,
			explanation: "对立统一规律揭示了事物发展的源泉和动力。\nA：量变和质变揭示的是发展的形式和状态。", kp: philosophy,
			comps: []string{"nine.political_discernment"}},
		{ref: "pt-phil-102", typ: Multiple, stem: "下列属于实践基本特征的有（  ）。",
			options: []string{"直接现实性", "主观随意性", "社会历史性", "绝对永恒性"}, key: Key{Choices: []string{"A", "C"}}, scoring: PartialA, points: 2,
			explanation: "A：实践能把观念的东西变成现实的东西。\nB：实践是客观的物质性活动。", kp: philosophy},
		{ref: "pt-phil-103", typ: Multiple, stem: "矛盾的普遍性和特殊性的关系是（  ）。",
			options: []string{"共性和个性的关系", "绝对和相对的关系", "主要矛盾和次要矛盾的关系", "以上都不对"},
			key:     Key{Choices: []string{"A", "B"}}, scoring: AllOrNothing, points: 2, kp: philosophy},
		{ref: "pt-phil-104", typ: TrueFalse, stem: "意识的内容是客观的，意识的形式是主观的。", key: Key{Bool: boolPtr(true)}, points: 1,
			explanation: "对：意识是客观内容和主观形式的统一。\n错：意识的内容来源于客观世界。", kp: philosophy},
		{ref: "pt-party-101", typ: FillBlank, stem: "党的最高理想和最终目标是实现 ____ 。", key: Key{Blanks: [][]string{{"共产主义", "共产主义社会"}}}, points: 1,
			explanation: "见党章总纲。\n其他答案：请复习党章总纲第一段。", kp: charter},
		{ref: "pt-essay-101", typ: ShortAnswer, stem: "结合工作实际，谈谈如何运用矛盾分析方法推动工作落实。", points: 10,
			reference: "要点：\n1. 坚持两点论与重点论相统一；\n2. 具体问题具体分析。", kp: charter},
		{ref: "pt-party-102", typ: Single, stem: "如图所示，党徽的组成元素是（  ）。\n[图片]",
			options: []string{"镰刀和锤头", "五角星和齿轮", "麦穗和齿轮", "天安门和五星"}, key: Key{Choice: "A"}, points: 1, kp: charter},
		{ref: "pt-party-103", typ: FillBlank, stem: "党的基本路线的核心内容是“一个中心、两个基本点”：以____为中心，坚持____，坚持改革开放。",
			key: Key{Blanks: [][]string{{"经济建设"}, {"四项基本原则"}}}, points: 2, explanation: "发展经济：不够准确", kp: charter},
	}
	if len(items) != len(tests) {
		t.Fatalf("%d items, want %d", len(items), len(tests))
	}
	for i, w := range tests {
		t.Run(w.ref, func(t *testing.T) { checkItem(t, items[i], w, name) })
	}
	checkProblems(t, "warnings", warnings, []wantProblem{
		{"pt-questions.xml:15 (唯物辩证法的核心)", `标签 "重点" 不是能力标签`},
		{"pt-questions.xml:131 (pt-phil-103)", "不打乱选项顺序"},
		{"pt-questions.xml:131 (pt-phil-103)", "A 70%，B 30%，C 0%，D 0%"},
		{"pt-questions.xml:131 (pt-phil-103)", "隐藏"},
		{"pt-questions.xml:293 (会议与年份)", "配对题（matching）"},
		{"pt-questions.xml:332 (pt-num-101)", "数值题（numerical）"},
		{"pt-questions.xml:360 (pt-party-102)", "图片或附件 党徽.png 未导入"},
		{"pt-questions.xml:416 (pt-party-103)", `答案 "发展经济" 在 Moodle 中得 50% 分`},
		{"pt-questions.xml:432 (说明)", "说明文字（description）"},
	})
}

// mxQuiz wraps questions in a Moodle XML file, one per line after the header.
func mxQuiz(questions ...string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n" + strings.Join(questions, "\n") + "\n</quiz>\n"
}

func mxMultichoice(name, single string, fractions ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<question type="multichoice"><name><text>%s</text></name><questiontext format="html"><text>题</text></questiontext><single>%s</single>`, name, single)
	for i, f := range fractions {
		fmt.Fprintf(&b, `<answer fraction="%s" format="html"><text>选项%d</text><feedback format="html"><text></text></feedback></answer>`, f, i+1)
	}
	return b.String() + "</question>"
}

func TestParseMoodleXMLProblems(t *testing.T) {
	tests := []struct {
		name, data string
		want       []wantProblem
	}{
		{"multichoice without a correct answer", mxQuiz(mxMultichoice("q1", "true", "100", "0"), mxMultichoice("q2", "false", "0", "0", "-100")),
			[]wantProblem{{"t.xml:4 (q2)", "没有得分的选项"}}},
		{"single choice without full marks", mxQuiz(mxMultichoice("q1", "true", "50", "0", "0")), []wantProblem{{"t.xml:3 (q1)", "没有满分选项"}}},
		{"single choice with two keys", mxQuiz(mxMultichoice("q1", "true", "100", "100", "0")), []wantProblem{{"t.xml:3 (q1)", "有 2 个满分选项"}}},
		{"truefalse without a key", mxQuiz(`<question type="truefalse"><name><text>q1</text></name><questiontext><text>题</text></questiontext>` +
			`<answer fraction="0"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>`), []wantProblem{{"t.xml:3 (q1)", "没有满分的答案"}}},
		{"broken XML", "<?xml version=\"1.0\"?>\n<quiz>\n  <question type=\"truefalse\">\n    <name><text>q</text></nam>\n  </question>\n</quiz>",
			[]wantProblem{{"t.xml:4", "XML 格式错误"}}},
		{"unclosed quiz", "<quiz>\n<question type=\"essay\"><questiontext><text>论述</text></questiontext></question>\n", []wantProblem{{"t.xml:3", "XML 格式错误"}}},
		{"not a quiz", "<?xml version=\"1.0\"?>\n<html><body/></html>", []wantProblem{{"t.xml:2", "根元素是 <html>"}}},
		{"not XML", "::q::题{T}", []wantProblem{{"t.xml:1", "没有 <quiz> 元素"}}},
		{"zero default grade", mxQuiz(`<question type="essay"><name><text>q1</text></name><questiontext><text>论述</text></questiontext><defaultgrade>0</defaultgrade></question>`),
			[]wantProblem{{"t.xml:3 (q1)", "分值须大于 0"}}},
		{"too large", strings.Repeat(" ", maxMoodleBytes+1), []wantProblem{{"t.xml:1", "文件过大"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems, _ := ParseMoodleXML("t.xml", []byte(tt.data), "political_theory", DefaultTaxonomy)
			checkProblems(t, "problems", problems, tt.want)
		})
	}
}

func TestParseMoodleXMLWeights(t *testing.T) {
	tests := []struct {
		name      string
		fractions []string
		single    string
		key       Key
		scoring   Scoring
		warning   string
	}{
		{"equal split with -100", []string{"50", "50", "-100", "-100"}, "false", Key{Choices: []string{"A", "B"}}, PartialA, ""},
		{"thirds with smaller negatives", []string{"33.33333", "33.33333", "33.33333", "-50"}, "false", Key{Choices: []string{"A", "B", "C"}}, PartialA, ""},
		{"equal split, wrong options free", []string{"50", "50", "0", "0"}, "false", Key{Choices: []string{"A", "B"}}, AllOrNothing, "选错项不扣分"},
		{"unequal", []string{"75", "25", "-100"}, "false", Key{Choices: []string{"A", "B"}}, AllOrNothing, "A 75%，B 25%，C -100%"},
		{"sum below 100", []string{"40", "40", "-100"}, "false", Key{Choices: []string{"A", "B"}}, AllOrNothing, "合计不是 100%"},
		{"one correct in a multiple", []string{"100", "-100", "-100"}, "false", Key{Choice: "A"}, "", "按单选题导入"},
		{"single with negative", []string{"100", "-25", "0"}, "true", Key{Choice: "A"}, "", "选 B 得 -25%"},
		{"bad fraction", []string{"100", "abc", "0"}, "true", Key{Choice: "A"}, "", "无法识别"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, problems, warnings := ParseMoodleXML("t.xml", []byte(mxQuiz(mxMultichoice("q", tt.single, tt.fractions...))), "political_theory", DefaultTaxonomy)
			checkProblems(t, "problems", problems, nil)
			if len(items) != 1 {
				t.Fatalf("%d items", len(items))
			}
			if !reflect.DeepEqual(items[0].Key, tt.key) || items[0].Scoring != tt.scoring {
				t.Errorf("key %s scoring %q, want %s %q", keyString(items[0].Key), items[0].Scoring, keyString(tt.key), tt.scoring)
			}
			switch {
			case tt.warning == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings:\n%s", warnings.Error())
			case tt.warning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0].Message, tt.warning)):
				t.Errorf("warnings:\n%s\nwant one with …%s…", warnings.Error(), tt.warning)
			}
		})
	}
}

func TestParseMoodleXMLReading(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(`<?xml version="1.0" encoding="GBK"?>
<quiz><question type="truefalse"><name><text>q</text></name><questiontext format="html"><text>党章是党的根本大法。</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>`)
	if err != nil {
		t.Fatal(err)
	}
	tf := want{ref: "q", typ: TrueFalse, stem: "党章是党的根本大法。", key: Key{Bool: boolPtr(true)}, points: 1}
	tests := []struct {
		name, data string
		want       *want // nil: skipped
		warning    string
	}{
		{"GBK encoding", gbk, &tf, ""},
		{"no <single> means one answer", mxQuiz(`<question type="multichoice"><name><text>q</text></name><questiontext><text>题</text></questiontext>` +
			`<answer fraction="100"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer></question>`),
			&want{ref: "q", typ: Single, stem: "题", options: []string{"甲", "乙"}, key: Key{Choice: "A"}, points: 1}, ""},
		{"entities outside CDATA", mxQuiz(`<question type="truefalse"><name><text>q</text></name><questiontext format="html"><text>&lt;p&gt;党章是党的根本大法。&amp;nbsp;&lt;/p&gt;</text></questiontext>` +
			`<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>`), &tf, ""},
		{"all-or-nothing plugin", mxQuiz(`<question type="multichoiceset"><name><text>q</text></name><questiontext><text>题</text></questiontext><defaultgrade>3</defaultgrade>` +
			`<answer fraction="100"><text>甲</text></answer><answer fraction="100"><text>乙</text></answer><answer fraction="0"><text>丙</text></answer></question>`),
			&want{ref: "q", typ: Multiple, stem: "题", options: []string{"甲", "乙", "丙"}, key: Key{Choices: []string{"A", "B"}}, scoring: AllOrNothing, points: 3}, ""},
		{"idnumber before name", mxQuiz(`<question type="essay"><name><text>论述一</text></name><idnumber>PT-E-9</idnumber><questiontext format="plain_text"><text>论述 &lt;b&gt;x&lt;/b&gt;</text></questiontext>` +
			`<responsetemplate format="html"><text>一、……</text></responsetemplate></question>`),
			&want{ref: "pt-e-9", typ: ShortAnswer, stem: "论述 <b>x</b>", points: 10}, "答题模板"},
		{"case-sensitive short answer", mxQuiz(`<question type="shortanswer"><name><text>q</text></name><questiontext><text>英文缩写是</text></questiontext><usecase>1</usecase>` +
			`<answer fraction="100"><text>CPC</text></answer></question>`),
			&want{ref: "q", typ: FillBlank, stem: "英文缩写是____", key: Key{Blanks: [][]string{{"CPC"}}}, points: 1}, "区分大小写"},
		{"cloze with a multichoice blank", mxQuiz(`<question type="cloze"><name><text>q</text></name><questiontext><text>{1:SA:=甲}和{1:MULTICHOICE:=乙~丙}</text></questiontext></question>`), nil, "MULTICHOICE"},
		{"cloze with unequal blanks", mxQuiz(`<question type="cloze"><name><text>q</text></name><questiontext><text>{1:SA:=甲}和{2:SA:=乙}</text></questiontext></question>`),
			&want{ref: "q", typ: FillBlank, stem: "____和____", key: Key{Blanks: [][]string{{"甲"}, {"乙"}}}, points: 2}, "各空分值不同"},
		{"drag and drop", mxQuiz(`<question type="ddwtos"><name><text>q</text></name><questiontext><text>[[1]]</text></questiontext></question>`), nil, "拖放填词题（ddwtos）"},
		{"plugin type", mxQuiz(`<question type="coderunner"><name><text>q</text></name></question>`), nil, "coderunner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, problems, warnings := ParseMoodleXML("t.xml", []byte(tt.data), "political_theory", DefaultTaxonomy)
			checkProblems(t, "problems", problems, nil)
			switch {
			case tt.warning == "" && len(warnings) > 0:
				t.Errorf("unexpected warnings:\n%s", warnings.Error())
			case tt.warning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0].Message, tt.warning)):
				t.Errorf("warnings:\n%s\nwant one with …%s…", warnings.Error(), tt.warning)
			}
			if tt.want == nil {
				if len(items) != 0 {
					t.Errorf("%d items, want the question skipped", len(items))
				}
				return
			}
			if len(items) != 1 {
				t.Fatalf("%d items, want 1", len(items))
			}
			checkItem(t, items[0], *tt.want, "t.xml")
		})
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		in, want string
		images   int
	}{
		{"<p>甲</p><p>乙</p>", "甲\n乙", 0},
		{"<p>甲</p>\n<p><br></p>\n<p>乙</p>", "甲\n\n乙", 0},
		{"a<br/>b<BR>c", "a\nb\nc", 0},
		{"<p>这是 <b>重点</b>，<strong>必考</strong></p>", "这是 **重点**，**必考**", 0},
		{"&lt;党章&gt; &amp; &quot;条例&quot; &#20826; &nbsp;（&nbsp;&nbsp;）", "<党章> & \"条例\" 党  （  ）", 0},
		{"（　　）", "（　　）", 0},
		{"  a \n\t b  ", "a b", 0},
		{`<span style="color:red">红</span><script>alert(1)</script><style>p{}</style>字`, "红字", 0},
		{`<p>图<img src="@@PLUGINFILE@@/a%20b.png" alt="x"></p>`, "图[图片]", 1},
		{`<a href="@@PLUGINFILE@@/doc.pdf">附件</a>`, "附件", 1},
		{"a < b 且 c<d", "a < b 且 c<d", 0},
		{"<!-- 注释 -->文字<!-- 未结束", "文字", 0},
		{"<ul><li>一</li><li>二</li></ul>", "一\n二", 0},
		{"<table><tr><td>甲</td><td>乙</td></tr></table>", "甲 乙", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, images := htmlToText(tt.in)
			if got != tt.want || len(images) != tt.images {
				t.Errorf("htmlToText = %q, %q; want %q, %d images", got, images, tt.want, tt.images)
			}
		})
	}
}

func TestTextToHTMLRoundTrip(t *testing.T) {
	for _, s := range []string{"一行", "**粗体**和普通", "第一段\n第二段", "甲\n\n乙", "a < b & c > d", "引号 \"x\" 'y'", "（　　）"} {
		t.Run(s, func(t *testing.T) {
			if got, _ := htmlToText(textToHTML(s)); got != s {
				t.Errorf("htmlToText(textToHTML(%q)) = %q (html %q)", s, got, textToHTML(s))
			}
		})
	}
}

func TestCategoryPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"$course$/top/政治理论/哲学", "政治理论/哲学"},
		{"$system$/top/党史", "党史"},
		{"$module$/top/Default for 期末考试/党章", "党章"},
		{"$course$/政治理论", "政治理论"},
		{"$course$/top", ""},
		{"top", ""},
		{"政治理论 / 哲学 /", "政治理论/哲学"},
		{"$course$/top/经济//管理/概论", "经济／管理/概论"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := categoryPath(tt.in); got != tt.want {
				t.Errorf("categoryPath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRefFromTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pt-phil-001", "pt-phil-001"},
		{"Q12 Party: Constitution", "q12-party-constitution"},
		{"  --A_B--  ", "a-b"},
		{"唯物辩证法", ""},
		{"Q1 唯物辩证法", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := refFromTitle(tt.in); got != tt.want {
				t.Errorf("refFromTitle(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// roundTripItems has an item of every type the Moodle formats can represent; withMulti adds a
// fill-in-the-blank item with two blanks, which only Moodle XML (as cloze) can hold.
func roundTripItems(withMulti bool) []Item {
	kp := []string{"马克思主义哲学/唯物辩证法"}
	items := []Item{
		{Ref: "pt-rt-001", Type: Single, Stem: "唯物辩证法的实质和核心是（　　）。", Options: options("联系的观点", "对立统一规律", "质量互变规律", "否定之否定规律"),
			Key: Key{Choice: "B"}, Points: 1.5, Explanation: "**对立统一规律**是核心。\n见《矛盾论》。", KnowledgePoints: kp},
		{Ref: "pt-rt-002", Type: Single, Stem: "比例 1:2 与 {a} ~ b = c # d \\ e 的关系（　　）", Options: options("A<B & C>D", "=甲", "~乙", "#丙"),
			Key: Key{Choice: "D"}, Points: 1, KnowledgePoints: kp},
		{Ref: "pt-rt-003", Type: Multiple, Stem: "下列属于实践基本特征的有（　　）。", Options: options("直接现实性", "自觉能动性", "主观随意性", "社会历史性", "绝对永恒性"),
			Key: Key{Choices: []string{"A", "B", "D"}}, Scoring: PartialA, Points: 3, Explanation: "实践是客观的物质性活动。", KnowledgePoints: []string{"马克思主义哲学/实践论", "认识论"}},
		{Ref: "pt-rt-004", Type: Multiple, Stem: "党的纪律包括（　　）。", Options: options("政治纪律", "组织纪律", "宣传纪律", "群众纪律"),
			Key: Key{Choices: []string{"A", "B", "D"}}, Points: 2, KnowledgePoints: []string{"党的建设/纪律建设"}},
		{Ref: "pt-rt-005", Type: Multiple, Stem: "下列正确的有（　　）。", Options: options("甲", "乙", "丙", "丁", "戊", "己"),
			Key: Key{Choices: []string{"A", "B", "C", "D", "E", "F"}}, Scoring: PartialB, Points: 2, KnowledgePoints: []string{"党的建设/纪律建设"}},
		{Ref: "pt-rt-006", Type: TrueFalse, Stem: "意识的内容是客观的。", Key: Key{Bool: boolPtr(true)}, Points: 1, Explanation: "意识是客观内容和主观形式的统一。",
			KnowledgePoints: kp},
		{Ref: "pt-rt-007", Type: TrueFalse, Stem: "物质决定意识，意识对物质没有反作用。", Key: Key{Bool: boolPtr(false)}, Points: 0.5},
		{Ref: "pt-rt-008", Type: FillBlank, Stem: "党的思想路线的核心是____，这是马克思主义的活的灵魂。", Key: Key{Blanks: [][]string{{"实事求是", "实事求是的思想路线"}}}, Points: 1,
			Explanation: "见党章总纲。", KnowledgePoints: []string{"党的建设/思想建设"}},
		{Ref: "pt-rt-009", Type: FillBlank, Stem: "党的最高理想和最终目标是____", Key: Key{Blanks: [][]string{{"实现共产主义"}}}, Points: 2,
			KnowledgePoints: []string{"党的建设/思想建设"}},
		{Ref: "pt-rt-010", Type: ShortAnswer, Stem: "简述矛盾分析方法的基本要求。\n请结合实例。", Points: 12, Explanation: "要点见教材。",
			ReferenceAnswer: "两点论与重点论相统一。\n具体问题具体分析。", KnowledgePoints: kp},
	}
	if withMulti {
		items = append(items, Item{Ref: "pt-rt-011", Type: FillBlank, Stem: "以____为中心，坚持____，坚持改革开放。",
			Key: Key{Blanks: [][]string{{"经济建设"}, {"四项基本原则", "四项原则"}}}, Points: 2, KnowledgePoints: kp})
	}
	for i := range items {
		items[i].Subject = "political_theory"
		items[i].Status = Draft
	}
	return items
}

// TestRoundTrip exports a table of items and reads them back: type, stem, options, key,
// scoring, explanation and first knowledge point survive both formats; points survive Moodle
// XML only (GIFT has none). Scoring rules Moodle lacks come back as partial_a.
func TestRoundTrip(t *testing.T) {
	formats := []struct {
		name      string
		export    func([]Item) ([]byte, error)
		parse     func(string, []byte, string, Taxonomy) ([]Item, Problems, Problems)
		withMulti bool
	}{
		{"gift", ExportGIFT, ParseGIFT, false},
		{"moodlexml", ExportMoodleXML, ParseMoodleXML, true},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			in := roundTripItems(f.withMulti)
			data, err := f.export(in)
			if err != nil {
				t.Fatal(err)
			}
			out, problems, warnings := f.parse("rt", data, "political_theory", DefaultTaxonomy)
			checkProblems(t, "problems", problems, nil)
			checkProblems(t, "warnings", warnings, nil)
			if len(out) != len(in) {
				t.Fatalf("%d items back, want %d\n%s", len(out), len(in), data)
			}
			for i, it := range in {
				t.Run(it.Ref, func(t *testing.T) {
					w := want{ref: it.Ref, typ: it.Type, stem: it.Stem, key: it.Key, scoring: it.Scoring, points: it.Points,
						explanation: it.Explanation, kp: firstKnowledgePoint(it)}
					for _, o := range it.Options {
						w.options = append(w.options, o.Text)
					}
					if it.Type == Multiple {
						w.scoring = PartialA
					}
					if f.name == "gift" {
						w.points = defaultPoints(it.Type) * float64(max(1, len(it.Key.Blanks)))
					} else {
						w.reference = it.ReferenceAnswer
					}
					checkItem(t, out[i], w, "rt")
				})
			}
		})
	}
}

func TestRoundTripLossy(t *testing.T) {
	in := []Item{{Ref: "pt-case-1", Subject: "political_theory", Type: CaseAnalysis, Stem: "阅读材料，回答问题。", Points: 20, ReferenceAnswer: "要点。",
		Rubric: []Criterion{{"指出矛盾", 10}, {"提出对策", 10}}, Basis: []Basis{{"中国共产党章程", "第三条"}}, Difficulty: 4}}
	data, err := ExportMoodleXML(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"<!-- Qualify 题型 case_analysis（案例分析题）导出为 Moodle 论述题（essay） -->", "<!-- 评分要点（10 分）：指出矛盾 -->",
		"<!-- 依据：中国共产党章程 第三条 -->", "<!-- 难度：4 -->", "<defaultgrade>20.0000000</defaultgrade>"} {
		if !strings.Contains(string(data), c) {
			t.Errorf("export lacks %q", c)
		}
	}
	out, problems, _ := ParseMoodleXML("rt", data, "political_theory", DefaultTaxonomy)
	checkProblems(t, "problems", problems, nil)
	if len(out) != 1 || out[0].Type != ShortAnswer || out[0].Points != 20 || out[0].ReferenceAnswer != "要点。" || len(out[0].Rubric) != 0 {
		t.Errorf("got %+v", out)
	}
}

func TestExportMoodleXML(t *testing.T) {
	data, err := ExportMoodleXML(roundTripItems(true))
	if err != nil {
		t.Fatal(err)
	}
	var quiz struct {
		Questions []mxQuestion `xml:"question"`
	}
	if err := xml.Unmarshal(data, &quiz); err != nil {
		t.Fatalf("export is not XML: %v", err)
	}
	var types []string
	for _, q := range quiz.Questions {
		types = append(types, q.Type)
	}
	wantTypes := []string{"category", "multichoice", "multichoice", "category", "multichoice", "category", "multichoice", "multichoice",
		"category", "truefalse", "category", "truefalse", "category", "shortanswer", "shortanswer", "category", "essay", "cloze"}
	if !reflect.DeepEqual(types, wantTypes) {
		t.Errorf("question types %q, want %q", types, wantTypes)
	}
	for _, c := range []string{
		"<text>$course$/top/马克思主义哲学/唯物辩证法</text>",
		"<text>$course$/top</text>",
		`<answer fraction="33.33333" format="html">`,
		`<answer fraction="-100" format="html">`,
		`<answer fraction="16.66667" format="html">`,
		"<!-- Qualify 计分规则 all_or_nothing（全对才得分）：Moodle 无此规则",
		"<!-- Qualify 计分规则 partial_b",
		"<!-- 其他知识点：认识论 -->",
		"{1:SHORTANSWER:=四项基本原则~=四项原则}",
		"<single>true</single>", "<single>false</single>",
		"<text><![CDATA[<p>两点论与重点论相统一。</p><p>具体问题具体分析。</p>]]></text>",
	} {
		if !strings.Contains(string(data), c) {
			t.Errorf("export lacks %q", c)
		}
	}
	if _, err := ExportMoodleXML([]Item{{Ref: "q", Type: FillBlank, Stem: "题", Points: 1}}); err == nil {
		t.Error("a fill-in-the-blank item without blanks exported")
	}
	if _, err := ExportMoodleXML([]Item{{Ref: "q", Type: "matching", Stem: "题", Points: 1}}); err == nil {
		t.Error("an unknown type exported")
	}
	weird, err := ExportMoodleXML([]Item{{Ref: "a--b", Type: TrueFalse, Stem: "]]> \x01 <x>", Key: Key{Bool: boolPtr(true)}, Points: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(weird, &quiz); err != nil {
		t.Errorf("export with ]]>, -- and a control character is not XML: %v\n%s", err, weird)
	}
}

func FuzzParseMoodleXML(f *testing.F) {
	data, err := os.ReadFile("testdata/moodle/pt-questions.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	exported, err := ExportMoodleXML(roundTripItems(true))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(exported)
	f.Add([]byte(mxQuiz(mxMultichoice("q", "false", "50", "50", "-100"))))
	f.Add([]byte(`<quiz><question type="cloze"><questiontext><text>{1:SA:=a\}~%50%b#c}{2:MC:=x~y}</text></questiontext></question></quiz>`))
	f.Add([]byte(`<quiz><question type="shortanswer"><questiontext format="moodle_auto_format"><text>a&lt;img src=x&gt;</text></questiontext><answer fraction="100"><text>*</text></answer></question></quiz>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, problems, warnings := parseMoodleXML("f.xml", data, "political_theory", DefaultTaxonomy)
		checkImported(t, "f.xml", recs, problems, warnings)
		if len(problems) == 0 && len(recs) > 0 {
			var items []Item
			for _, r := range recs {
				items = append(items, r.item)
			}
			out, err := ExportMoodleXML(items)
			if err != nil {
				t.Fatalf("export of valid items: %v", err)
			}
			if _, ps, _ := parseMoodleXML("f.xml", out, "political_theory", DefaultTaxonomy); len(ps) > 0 && strings.Contains(ps.Error(), "XML 格式错误") {
				t.Fatalf("export of valid items is not XML: %s\n%s", ps.Error(), out)
			}
		}
	})
}
