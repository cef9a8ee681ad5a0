package bank

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// want is what a test expects of one imported item.
type want struct {
	ref         string
	typ         Type
	stem        string
	options     []string // texts of A, B, …
	key         Key
	scoring     Scoring
	points      float64
	explanation string
	kp          string
	reference   string
	comps       []string
}

func boolPtr(b bool) *bool { return &b }

func options(texts ...string) []Option {
	var os []Option
	for i, t := range texts {
		os = append(os, Option{Key: optionKey(i), Text: t})
	}
	return os
}

func checkItem(t *testing.T, got Item, w want, source string) {
	t.Helper()
	if got.Ref != w.ref {
		t.Errorf("Ref = %q, want %q", got.Ref, w.ref)
	}
	if got.Type != w.typ {
		t.Errorf("Type = %q, want %q", got.Type, w.typ)
	}
	if got.Stem != w.stem {
		t.Errorf("Stem = %q, want %q", got.Stem, w.stem)
	}
	if !reflect.DeepEqual(got.Options, options(w.options...)) {
		t.Errorf("Options = %q, want %q", got.Options, w.options)
	}
	if !reflect.DeepEqual(got.Key, w.key) {
		t.Errorf("Key = %s, want %s", keyString(got.Key), keyString(w.key))
	}
	if got.Scoring != w.scoring {
		t.Errorf("Scoring = %q, want %q", got.Scoring, w.scoring)
	}
	if got.Points != w.points {
		t.Errorf("Points = %g, want %g", got.Points, w.points)
	}
	if got.Explanation != w.explanation {
		t.Errorf("Explanation = %q, want %q", got.Explanation, w.explanation)
	}
	if kp := firstKnowledgePoint(got); kp != w.kp {
		t.Errorf("knowledge point = %q, want %q", kp, w.kp)
	}
	if got.ReferenceAnswer != w.reference {
		t.Errorf("ReferenceAnswer = %q, want %q", got.ReferenceAnswer, w.reference)
	}
	if !reflect.DeepEqual(got.Competencies, w.comps) {
		t.Errorf("Competencies = %q, want %q", got.Competencies, w.comps)
	}
	if got.Subject != "political_theory" || got.Status != Draft || got.Source != source || got.Difficulty != 0 {
		t.Errorf("Subject, Status, Source, Difficulty = %q, %q, %q, %d; want political_theory, draft, %s, 0",
			got.Subject, got.Status, got.Source, got.Difficulty, source)
	}
}

func keyString(k Key) string {
	s := strings.Join(append([]string{k.Choice}, k.Choices...), ",")
	if k.Bool != nil {
		s += map[bool]string{true: " true", false: " false"}[*k.Bool]
	}
	for _, b := range k.Blanks {
		s += " [" + strings.Join(b, "|") + "]"
	}
	return s
}

// wantProblem is a problem or warning a test expects: its Location and part of its message.
type wantProblem struct {
	loc, contains string
}

func checkProblems(t *testing.T, kind string, got Problems, want []wantProblem) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d %s, want %d:\n%s", len(got), kind, len(want), got.Error())
		return
	}
	for i, w := range want {
		if got[i].Location != w.loc || !strings.Contains(got[i].Message, w.contains) {
			t.Errorf("%s[%d] = %s\nwant %s: …%s…", kind, i, got[i], w.loc, w.contains)
		}
	}
}

const (
	philosophy = "政治理论/马克思主义哲学"
	charter    = "党的建设/党章"
)

func TestParseGIFTFixture(t *testing.T) {
	const name = "pt-questions.txt"
	data, err := os.ReadFile("testdata/moodle/" + name)
	if err != nil {
		t.Fatal(err)
	}
	items, problems, warnings := ParseGIFT(name, data, "political_theory", DefaultTaxonomy)
	checkProblems(t, "problems", problems, nil)
	tests := []want{
		{ref: "pt-phil-001", typ: Single, stem: "唯物辩证法的实质和核心是（　　）。",
			options: []string{"联系的观点", "**对立统一规律**", "质量互变规律", "否定之否定规律"}, key: Key{Choice: "B"}, points: 1,
			explanation: "对立统一规律揭示了事物发展的源泉和动力，是唯物辩证法的实质和核心。\nA：联系的观点是唯物辩证法的总特征之一，但不是核心。\nB：正确。", kp: philosophy},
		{ref: "gift-pt-questions-2", typ: Multiple, stem: "下列属于实践基本特征的有（　　）。",
			options: []string{"直接现实性", "自觉能动性", "社会历史性", "主观随意性"}, key: Key{Choices: []string{"A", "B", "C"}}, scoring: PartialA, points: 2,
			explanation: "实践具有直接现实性、自觉能动性和社会历史性。\nD：实践是客观的物质性活动。", kp: philosophy},
		{ref: "pt-phil-003", typ: Multiple, stem: "矛盾的普遍性和特殊性的关系是（　　）。",
			options: []string{"共性和个性的关系", "绝对和相对的关系", "主要矛盾和次要矛盾的关系", "内因和外因的关系"},
			key:     Key{Choices: []string{"A", "B"}}, scoring: AllOrNothing, points: 2, kp: philosophy},
		{ref: "pt-phil-004", typ: TrueFalse, stem: "意识的内容是客观的，意识的形式是主观的。", key: Key{Bool: boolPtr(true)}, points: 1,
			explanation: "对：意识是客观内容和主观形式的统一。\n错：意识的内容来源于客观世界，并非主观自生。", kp: philosophy},
		{ref: "pt-phil-005", typ: TrueFalse, stem: "物质决定意识，意识对物质没有反作用。", key: Key{Bool: boolPtr(false)}, points: 1,
			explanation: "意识对物质具有能动的反作用。", kp: philosophy},
		{ref: "pt-phil-006", typ: Single, stem: "毛泽东在《矛盾论》中指出: “研究问题，忌带主观性、片面性和表面性。”其中“片面性”是指（　　）。",
			options: []string{"不知道全面地看问题", "只看到矛盾的表面~现象", "用主观臆测代替客观实际", "把 A=B 当作永恒不变的公式"}, key: Key{Choice: "A"}, points: 1,
			explanation: "片面性和表面性都是主观性的表现: 见《矛盾论》{第四节}，参考 #片面性 条。\nA：正确。", kp: philosophy},
		{ref: "gift-pt-questions-7", typ: Multiple, stem: "《中国共产党纪律处分条例》规定的党的纪律包括（　　）。",
			options: []string{"政治纪律", "组织纪律", "群众纪律", "宣传纪律"}, key: Key{Choices: []string{"A", "B", "C"}}, scoring: AllOrNothing, points: 2, kp: philosophy},
		{ref: "pt-party-001", typ: FillBlank, stem: "中国共产党的最高理想和最终目标是什么？____", key: Key{Blanks: [][]string{{"实现共产主义", "共产主义"}}}, points: 1,
			explanation: "党章总纲：党的最高理想和最终目标是实现共产主义。\n社会主义：只答社会主义不完整。", kp: charter},
		{ref: "pt-party-002", typ: FillBlank, stem: "党的思想路线是一切从实际出发，理论联系实际，____，在实践中检验真理和发展真理。",
			key: Key{Blanks: [][]string{{"实事求是"}}}, points: 1, kp: charter},
		{ref: "pt-party-003", typ: Single, stem: "党必须坚持____这一根本组织原则。",
			options: []string{"集体领导制", "民主集中制", "首长负责制", "委员会制"}, key: Key{Choice: "B"}, points: 1, kp: charter},
		{ref: "pt-party-004", typ: TrueFalse, stem: "**民主集中制**是党的根本组织原则。", key: Key{Bool: boolPtr(true)}, points: 1, kp: charter},
		{ref: "pt-essay-001", typ: ShortAnswer, stem: "结合工作实际，谈谈如何运用矛盾分析方法推动工作落实。", points: 10,
			explanation: "要点：两点论与重点论相统一；具体问题具体分析。", kp: charter},
	}
	if len(items) != len(tests) {
		t.Fatalf("%d items, want %d", len(items), len(tests))
	}
	for i, w := range tests {
		t.Run(w.ref, func(t *testing.T) { checkItem(t, items[i], w, name) })
	}
	checkProblems(t, "warnings", warnings, []wantProblem{
		{"pt-questions.txt:24 (pt-phil-003)", "A 60%，B 40%，C 0%，D 0%"},
		{"pt-questions.txt:47 (gift-pt-questions-7)", "选错项不扣分"},
		{"pt-questions.txt:60 (pt-party-001)", `答案 "社会主义" 在 Moodle 中得 50% 分`},
		{"pt-questions.txt:80 (配对)", "配对题"},
		{"pt-questions.txt:87 (pt-num-001)", "数值题"},
		{"pt-questions.txt:90 (说明)", "说明文字"},
	})
}

func TestParseGIFTProblems(t *testing.T) {
	tests := []struct {
		name, data string
		want       []wantProblem
	}{
		{"unterminated brace", "::q1::第一题{=对 ~错}\n\n::q2::党的根本宗旨是{\n=全心全意为人民服务\n~为人民谋利益\n", []wantProblem{{"t.txt:3 (q2)", "没有结束的 }"}}},
		{"closing brace only", "// 注释\n::q1::第一题 =对 ~错}\n", []wantProblem{{"t.txt:2 (q1)", "没有对应的 {"}}},
		{"brace before block", "::q1::第一}题{=对 ~错}\n", []wantProblem{{"t.txt:1 (q1)", "} 出现在答案块 { 之前"}}},
		{"two answer blocks", "::q1::第一{=对 ~错}题\n{=a}\n", []wantProblem{{"t.txt:2 (q1)", "只能有一个答案块"}}},
		{"no correct answer", "\n\n::q1::下列说法正确的是{\n~甲\n~乙\n~丙\n}\n", []wantProblem{{"t.txt:3 (q1)", "没有得分的选项"}}},
		{"all weights zero", "::q1::下列说法正确的是{~%0%甲 ~%0%乙 ~%0%丙}", []wantProblem{{"t.txt:1 (q1)", "没有得分的选项"}}},
		{"two right answers in single choice", "::q1::题{=甲 =乙 ~丙}", []wantProblem{{"t.txt:1 (q1)", "有 2 个满分选项"}}},
		{"short answer with only partial credit", "::q1::题{=%50%甲}", []wantProblem{{"t.txt:1 (q1)", "第 1 空没有满分答案"}}},
		{"one option", "::q1::题{=甲 ~}", []wantProblem{{"t.txt:1 (q1)", "选项 B 内容为空"}}},
		{"not UTF-8", "::q1::\xb5\xb3{T}", []wantProblem{{"t.txt:1", "不是 UTF-8"}}},
		{"empty", "// 只有注释\n\n", []wantProblem{{"t.txt:1", "没有 GIFT 题目"}}},
		{"blank in stem of essay", "::q1::论述{}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems, _ := ParseGIFT("t.txt", []byte(tt.data), "political_theory", DefaultTaxonomy)
			for i := range problems {
				problems[i].Field = ""
			}
			checkProblems(t, "problems", problems, tt.want)
		})
	}
}

func TestParseGIFTGrammar(t *testing.T) {
	tests := []struct {
		name, data string
		want       want
		warnings   int
	}{
		{"no title gets a generated ref", "// c\n谁是作者？{=甲 ~乙}", want{ref: "gift-t-1", typ: Single, stem: "谁是作者？", options: []string{"甲", "乙"}, key: Key{Choice: "A"}, points: 1}, 0},
		{"ascii title is sanitized", "::Q12 Party\\: Constitution::题{T}", want{ref: "q12-party-constitution", typ: TrueFalse, stem: "题", key: Key{Bool: boolPtr(true)}, points: 1}, 0},
		{"lower-case true", "::q::题{true}", want{ref: "q", typ: TrueFalse, stem: "题", key: Key{Bool: boolPtr(true)}, points: 1}, 0},
		{"F with feedback", "::q::题{F#错了#对了}", want{ref: "q", typ: TrueFalse, stem: "题", key: Key{Bool: boolPtr(false)}, points: 1, explanation: "对：错了\n错：对了"}, 0},
		{"system category and default category", "$CATEGORY: $system$/top/Default for 系统/党史\n\n::q::题{T}", want{ref: "q", typ: TrueFalse, stem: "题", key: Key{Bool: boolPtr(true)}, points: 1, kp: "党史"}, 0},
		{"category without blank line", "$CATEGORY: $course$/top/党史/新民主主义革命\n::q::题{F}", want{ref: "q", typ: TrueFalse, stem: "题", key: Key{Bool: boolPtr(false)}, points: 1, kp: "党史/新民主主义革命"}, 0},
		{"escapes", `::q::a\\b \{x\} 1\:2 \#3 \~4 \=5\n第二行{=\=对 ~\~错}`, want{ref: "q", typ: Single, stem: "a\\b {x} 1:2 #3 ~4 =5\n第二行", options: []string{"=对", "~错"}, key: Key{Choice: "A"}, points: 1}, 0},
		{"plain format keeps markup", "::q::[plain]a <b> c{=是 ~否}", want{ref: "q", typ: Single, stem: "a <b> c", options: []string{"是", "否"}, key: Key{Choice: "A"}, points: 1}, 0},
		{"moodle format multi-line", "::q::第一行\n第二行 &amp; <b>粗</b>{=是 ~否}", want{ref: "q", typ: Single, stem: "第一行\n第二行 & **粗**", options: []string{"是", "否"}, key: Key{Choice: "A"}, points: 1}, 0},
		{"answer without = is a short answer", "::q::党的最高理想是{共产主义}。", want{ref: "q", typ: FillBlank, stem: "党的最高理想是____。", key: Key{Blanks: [][]string{{"共产主义"}}}, points: 1}, 0},
		{"one weighted answer becomes single", "::q::题{~%100%甲 ~%-50%乙}", want{ref: "q", typ: Single, stem: "题", options: []string{"甲", "乙"}, key: Key{Choice: "A"}, points: 1}, 1},
		{"single with partial credit", "::q::题{=甲 ~%50%乙 ~丙}", want{ref: "q", typ: Single, stem: "题", options: []string{"甲", "乙", "丙"}, key: Key{Choice: "A"}, points: 1}, 1},
		{"multiple with sums above 100", "::q::题{~%50%甲 ~%50%乙 ~%50%丙 ~%-100%丁}", want{ref: "q", typ: Multiple, stem: "题", options: []string{"甲", "乙", "丙", "丁"}, key: Key{Choices: []string{"A", "B", "C"}}, scoring: AllOrNothing, points: 2}, 1},
		{"wildcard short answer", "::q::题{=共产* =共产主义}", want{ref: "q", typ: FillBlank, stem: "题____", key: Key{Blanks: [][]string{{"共产主义"}}}, points: 1}, 1},
		{"image in html", `::q::[html]<p>如图<img src\="@@PLUGINFILE@@/a.png"></p>{T}`, want{ref: "q", typ: TrueFalse, stem: "如图[图片]", key: Key{Bool: boolPtr(true)}, points: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, problems, warnings := ParseGIFT("t.txt", []byte(tt.data), "political_theory", DefaultTaxonomy)
			checkProblems(t, "problems", problems, nil)
			if len(warnings) != tt.warnings {
				t.Errorf("%d warnings, want %d:\n%s", len(warnings), tt.warnings, warnings.Error())
			}
			if len(items) != 1 {
				t.Fatalf("%d items, want 1", len(items))
			}
			checkItem(t, items[0], tt.want, "t.txt")
		})
	}
}

func TestParseGIFTDuplicateTitles(t *testing.T) {
	items, _, _ := ParseGIFT("t.txt", []byte("::q::甲{T}\n\n::q::乙{F}\n\n::Q::丙{T}"), "political_theory", DefaultTaxonomy)
	var refs []string
	for _, it := range items {
		refs = append(refs, it.Ref)
	}
	if want := []string{"q", "q-2", "q-3"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("refs = %q, want %q", refs, want)
	}
}

func TestExportGIFT(t *testing.T) {
	multiple := Item{Ref: "pt-m-1", Type: Multiple, Stem: "题", Options: options("甲", "乙", "丙", "丁"), Key: Key{Choices: []string{"A", "B", "C"}}, Points: 2}
	tests := []struct {
		name     string
		item     Item
		contains []string
		err      string
	}{
		{"partial_a weights", withScoring(multiple, PartialA), []string{"~%33.33333%甲", "~%-100%丁"}, ""},
		{"all_or_nothing is noted", multiple, []string{"// Qualify 计分规则 all_or_nothing", "~%33.33333%甲"}, ""},
		{"partial_b is noted", withScoring(multiple, PartialB), []string{"// Qualify 计分规则 partial_b"}, ""},
		{"escapes and points note", Item{Ref: "a:b", Type: Single, Stem: "1:2 {x} #", Options: options("=甲", "%5%乙"), Key: Key{Choice: "A"}, Points: 3},
			[]string{`::a\:b::1\:2 \{x\} \#{`, `=\=甲`, `~%0%%5%乙`, "// 分值：3"}, ""},
		{"html when formatted", Item{Ref: "q", Type: TrueFalse, Stem: "**党章**\n第二行", Key: Key{Bool: boolPtr(false)}, Points: 1},
			[]string{`::q::[html]<p><strong>党章</strong></p><p>第二行</p>{FALSE}`}, ""},
		{"two blanks", Item{Ref: "q", Type: FillBlank, Stem: "____和____", Key: Key{Blanks: [][]string{{"a"}, {"b"}}}, Points: 2}, nil, "GIFT 只能表示一个空"},
		{"true_false without key", Item{Ref: "q", Type: TrueFalse, Stem: "题", Points: 1}, nil, "判断题没有答案"},
		{"unknown type", Item{Ref: "q", Type: "matching", Stem: "题", Points: 1}, nil, "未知题型"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ExportGIFT([]Item{tt.item})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want …%s…", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.contains {
				if !strings.Contains(string(out), c) {
					t.Errorf("export lacks %q:\n%s", c, out)
				}
			}
		})
	}
}

func withScoring(it Item, s Scoring) Item {
	it.Scoring = s
	return it
}

// checkImported asserts what every parse must give, whatever the input: locations in the file,
// drafts of the subject, and no validation problem hidden from problems.
func checkImported(t *testing.T, name string, recs []importedItem, problems, warnings Problems) {
	t.Helper()
	for _, p := range append(append(Problems{}, problems...), warnings...) {
		if !strings.HasPrefix(p.Location, name+":") {
			t.Errorf("location %q is not in %s", p.Location, name)
		}
	}
	at := map[string]bool{}
	reported := map[Problem]bool{}
	explained := map[[2]string]bool{}
	for _, p := range problems {
		at[p.Location] = true
		reported[p] = true
		if p.Field != "" {
			explained[[2]string{p.Location, p.Field}] = true
		}
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if r.item.Status != Draft || r.item.Subject != "political_theory" || r.item.Source != name {
			t.Errorf("%s: Status, Subject, Source = %q, %q, %q", r.loc, r.item.Status, r.item.Subject, r.item.Source)
		}
		if seen[r.item.Ref] || r.item.Ref == "" {
			t.Errorf("%s: Ref %q empty or repeated", r.loc, r.item.Ref)
		}
		seen[r.item.Ref] = true
		vp := r.item.ValidateDraft(r.loc, DefaultTaxonomy)
		if !at[r.loc] && len(vp) > 0 {
			t.Errorf("item at %s has no problems but fails ValidateDraft:\n%s", r.loc, vp.Error())
		}
		for _, p := range vp {
			if !reported[p] && !explained[[2]string{p.Location, p.Field}] {
				t.Errorf("ValidateDraft problem %s not reported", p)
			}
		}
	}
}

func FuzzParseGIFT(f *testing.F) {
	data, err := os.ReadFile("testdata/moodle/pt-questions.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	exported, err := ExportGIFT(roundTripItems(false))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(exported)
	for _, s := range []string{"::a::b{=c ~d}", "x{~%50%a ~%50%b ~%-100%c}", "{T#a#b}", "a{=b =%50%c}d", "::t::[html]<p>a<img src=x></p>{}", "{#1:2}", "{=a->b =c->d}", "$CATEGORY: $course$/top/a//b\n\nq{F}", "\\{\\}\\:\\\\{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, problems, warnings := parseGIFT("f.txt", data, "political_theory", DefaultTaxonomy)
		checkImported(t, "f.txt", recs, problems, warnings)
		if len(problems) == 0 && len(recs) > 0 {
			var items []Item
			for _, r := range recs {
				if r.item.Type != FillBlank || len(r.item.Key.Blanks) == 1 {
					items = append(items, r.item)
				}
			}
			out, err := ExportGIFT(items)
			if err != nil {
				t.Fatalf("export of valid items: %v", err)
			}
			parseGIFT("f.txt", out, "political_theory", DefaultTaxonomy)
		}
	})
}

// TestParseGIFTManyDuplicates guards against quadratic work on large files: 20,000 questions
// with the same title.
func TestParseGIFTManyDuplicates(t *testing.T) {
	data := []byte(strings.Repeat("::q::题{T}\n\n", 20000))
	start := time.Now()
	items, problems, _ := ParseGIFT("t.txt", data, "political_theory", DefaultTaxonomy)
	if len(items) != 20000 || len(problems) != 0 || items[19999].Ref != "q-20000" {
		t.Fatalf("%d items, %d problems, last ref %q", len(items), len(problems), items[len(items)-1].Ref)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
