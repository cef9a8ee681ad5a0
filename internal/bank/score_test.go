package bank

import "testing"

func bptr(b bool) *bool { return &b }

func TestScoreObjective(t *testing.T) {
	single := Item{Type: Single, Key: Key{Choice: "B"}}
	multi := func(s Scoring) Item {
		return Item{Type: Multiple, Key: Key{Choices: []string{"A", "C", "D"}}, Scoring: s}
	}
	tf := Item{Type: TrueFalse, Key: Key{Bool: bptr(false)}}
	blanks := Item{Type: FillBlank, Key: Key{Blanks: [][]string{{"民主集中制", "民主集中"}, {"ＡＩ", "人工智能"}}}}
	cases := []struct {
		name     string
		item     Item
		resp     Response
		points   float64
		override Scoring
		want     float64
	}{
		{"single right", single, Response{Choice: "B"}, 1, "", 1},
		{"single wrong", single, Response{Choice: "C"}, 1, "", 0},
		{"single empty", single, Response{Empty: true}, 1, "", 0},
		{"single lower case is wrong", single, Response{Choice: "b"}, 1, "", 0},
		{"tf right", tf, Response{Bool: bptr(false)}, 1, "", 1},
		{"tf wrong", tf, Response{Bool: bptr(true)}, 1, "", 0},
		{"tf missing", tf, Response{}, 1, "", 0},
		{"multi exact", multi(AllOrNothing), Response{Choices: []string{"D", "A", "C"}}, 2, "", 2},
		{"multi duplicate choices", multi(AllOrNothing), Response{Choices: []string{"A", "A", "C", "D"}}, 2, "", 2},
		{"multi partial all-or-nothing", multi(AllOrNothing), Response{Choices: []string{"A", "C"}}, 2, "", 0},
		{"multi partial A 2 of 3", multi(PartialA), Response{Choices: []string{"A", "C"}}, 2, "", 1.33},
		{"multi partial A 1 of 3", multi(PartialA), Response{Choices: []string{"D"}}, 3, "", 1},
		{"multi partial A with wrong", multi(PartialA), Response{Choices: []string{"A", "B"}}, 2, "", 0},
		{"multi partial B 2 correct", multi(PartialB), Response{Choices: []string{"A", "D"}}, 2, "", 1},
		{"multi partial B 1 correct", multi(PartialB), Response{Choices: []string{"C"}}, 2, "", 0.5},
		{"multi partial B capped at points", Item{Type: Multiple, Key: Key{Choices: []string{"A", "B", "C", "D", "E"}}, Scoring: PartialB},
			Response{Choices: []string{"A", "B", "C", "D"}}, 1.5, "", 1.5},
		{"multi partial B all", multi(PartialB), Response{Choices: []string{"A", "C", "D"}}, 2, "", 2},
		{"multi partial B with wrong", multi(PartialB), Response{Choices: []string{"A", "C", "B"}}, 2, "", 0},
		{"multi empty", multi(PartialA), Response{Choices: nil}, 2, "", 0},
		{"exam override to partial A", multi(AllOrNothing), Response{Choices: []string{"A", "C"}}, 3, PartialA, 2},
		{"exam override to all-or-nothing", multi(PartialB), Response{Choices: []string{"A", "C"}}, 3, AllOrNothing, 0},
		{"blanks both", blanks, Response{Blanks: []string{"民主集中制", "人工智能"}}, 2, "", 2},
		{"blanks alternative, full-width, spaces", blanks, Response{Blanks: []string{" 民主 集中。", "ai"}}, 2, "", 2},
		{"blanks one of two", blanks, Response{Blanks: []string{"民主集中制", "机器学习"}}, 2, "", 1},
		{"blanks swapped order", blanks, Response{Blanks: []string{"人工智能", "民主集中制"}}, 2, "", 0},
		{"blanks too few", blanks, Response{Blanks: []string{"民主集中制"}}, 2, "", 1},
		{"blanks empty strings", blanks, Response{Blanks: []string{"", "  "}}, 2, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, objective := ScoreObjective(c.item, c.resp, c.points, c.override)
			if !objective {
				t.Fatal("objective item reported as written")
			}
			if got != c.want {
				t.Fatalf("score %v, want %v", got, c.want)
			}
		})
	}
	if _, objective := ScoreObjective(Item{Type: Essay}, Response{Text: "x"}, 10, ""); objective {
		t.Fatal("essay scored automatically")
	}
}

func TestNormalizeBlank(t *testing.T) {
	cases := map[string]string{"ＡＢＣ": "abc", " 党 章 ": "党章", "《党章》": "党章", "Ｘ＝１": "x1", "": ""}
	for in, want := range cases {
		if got := NormalizeBlank(in); got != want {
			t.Errorf("NormalizeBlank(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() Item {
		return Item{Subject: "party_affairs", Type: Single, Stem: "问？", Options: []Option{{"A", "一"}, {"B", "二"}, {"C", "三"}, {"D", "四"}},
			Key: Key{Choice: "C"}, Points: 1, Explanation: "因为", KnowledgePoints: []string{"党章/总纲"}, Competencies: []string{"nine.learning"},
			Difficulty: 3, CognitiveLevel: "recall"}
	}
	written := func() Item {
		return Item{Subject: "coordination", Type: CaseAnalysis, Stem: "案例", Points: 20, Explanation: "解析", KnowledgePoints: []string{"协调"},
			Difficulty: 4, ReferenceAnswer: "答", Rubric: []Criterion{{"一", 8}, {"二", 12}}, Tolerance: 3}
	}
	cases := []struct {
		name  string
		item  func() Item
		field string // "" = valid
	}{
		{"valid single", good, ""},
		{"valid written", written, ""},
		{"key not an option", func() Item { i := good(); i.Key.Choice = "E"; return i }, "answer"},
		{"options out of order", func() Item { i := good(); i.Options[1].Key = "C"; return i }, "options"},
		{"duplicate option text", func() Item { i := good(); i.Options[3].Text = "一"; return i }, "options"},
		{"unknown subject", func() Item { i := good(); i.Subject = "cooking"; return i }, "subject"},
		{"unknown tag", func() Item { i := good(); i.Competencies = []string{"nine.cooking"}; return i }, "competencies"},
		{"difficulty 6", func() Item { i := good(); i.Difficulty = 6; return i }, "difficulty"},
		{"no explanation", func() Item { i := good(); i.Explanation = ""; return i }, "explanation"},
		{"rubric sum", func() Item { i := written(); i.Rubric[1].Points = 10; return i }, "rubric"},
		{"tolerance too big", func() Item { i := written(); i.Tolerance = 20; return i }, "tolerance"},
		{"multiple unsorted", func() Item {
			i := good()
			i.Type, i.Key = Multiple, Key{Choices: []string{"C", "A"}}
			return i
		}, "answer"},
		{"fill blank count", func() Item {
			i := good()
			i.Type, i.Options, i.Stem, i.Key = FillBlank, nil, "甲____乙____", Key{Blanks: [][]string{{"x"}}}
			return i
		}, "answer"},
		{"true_false without key", func() Item { i := good(); i.Type, i.Options, i.Key = TrueFalse, nil, Key{}; return i }, "answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := c.item().Validate("x", DefaultTaxonomy)
			if c.field == "" && len(ps) > 0 {
				t.Fatalf("valid item reported: %v", ps)
			}
			if c.field != "" {
				found := false
				for _, p := range ps {
					if p.Field == c.field {
						found = true
					}
				}
				if !found {
					t.Fatalf("want a problem on %s, got %v", c.field, ps)
				}
			}
		})
	}
	// A draft needs no classification.
	d := good()
	d.Explanation, d.KnowledgePoints, d.Difficulty = "", nil, 0
	if ps := d.ValidateDraft("x", DefaultTaxonomy); len(ps) > 0 {
		t.Fatalf("draft reported: %v", ps)
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	items, ps := ParseYAML("in.yaml", []byte(sampleYAML), DefaultTaxonomy)
	if len(ps) > 0 || len(items) != 3 {
		t.Fatalf("parse: %d items, problems %v", len(items), ps)
	}
	out, err := ExportYAML("party_affairs", items)
	if err != nil {
		t.Fatal(err)
	}
	again, ps := ParseYAML("out.yaml", out, DefaultTaxonomy)
	if len(ps) > 0 {
		t.Fatalf("re-parse: %v\n%s", ps, out)
	}
	for i := range items {
		a, b := items[i], again[i]
		a.Source, b.Source = "", ""
		if ya, _ := ExportYAML("party_affairs", []Item{a}); string(ya) != string(mustExport(t, b)) {
			t.Errorf("item %d differs after round trip", i)
		}
	}
}

func mustExport(t *testing.T, it Item) []byte {
	b, err := ExportYAML("party_affairs", []Item{it})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseYAMLReportsLines(t *testing.T) {
	bad := "subject: party_affairs\nitems:\n  - id: pa-x-001\n    type: single\n    stem: 问\n    options:\n      A: 一\n      B: 二\n    answer: E\n    points: 1\n    explanation: 解\n    basis: []\n    knowledge_points: [党章]\n    competencies: [nine.learning]\n    difficulty: 2\n    colour: red\n"
	_, ps := ParseYAML("bad.yaml", []byte(bad), DefaultTaxonomy)
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	want := []string{"bad.yaml:3 (pa-x-001): answer: 答案 \"E\" 不是选项之一", "bad.yaml:16: 未知字段 \"colour\""}
	for _, w := range want {
		found := false
		for _, l := range lines {
			if l == w {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %q in %q", w, lines)
		}
	}
}

const sampleYAML = `subject: party_affairs
items:
  - id: pa-t-001
    type: multiple
    stem: |
      下列属于党的纪律的有（ ）。
    options:
      A: 政治纪律
      B: 组织纪律
      C: 饮食纪律
      D: 廉洁纪律
    answer: [A, B, D]
    scoring: partial_a
    points: 2
    explanation: 六项纪律不含饮食纪律。
    basis:
      - document: 中国共产党纪律处分条例
    knowledge_points: [纪律/六项纪律]
    competencies: [nine.political_discernment]
    difficulty: 2
    cognitive_level: recall
  - id: pa-t-002
    type: fill_blank
    stem: 党的根本组织原则是____。
    answer: [[民主集中制]]
    points: 1
    explanation: 党章规定。
    basis: []
    knowledge_points: [党章/组织制度]
    competencies: [seven.political]
    difficulty: 1
    review_by: 2027-06-30
  - id: pa-t-003
    type: short_answer
    stem: 简述三会一课。
    points: 10
    explanation: 支部工作条例。
    basis: [{document: 中国共产党支部工作条例（试行）, article: 第十八条}]
    knowledge_points: [支部/组织生活]
    competencies: [seven.implementation]
    difficulty: 3
    reference_answer: 支部党员大会、支部委员会会议、党小组会和党课。
    rubric:
      - criterion: 答出支部党员大会
        points: 3
      - criterion: 答出其余三项
        points: 7
    tolerance: 1.5
`

// BenchmarkScorePaper scores a 100-question objective paper (40 single, 30 multiple with
// partial credit, 20 true/false, 10 fill-in-the-blank).
func BenchmarkScorePaper(b *testing.B) {
	type qa struct {
		it Item
		r  Response
	}
	var paper []qa
	for i := 0; i < 40; i++ {
		paper = append(paper, qa{Item{Type: Single, Key: Key{Choice: "B"}}, Response{Choice: "B"}})
	}
	for i := 0; i < 30; i++ {
		paper = append(paper, qa{Item{Type: Multiple, Key: Key{Choices: []string{"A", "C", "D"}}, Scoring: PartialA}, Response{Choices: []string{"C", "A"}}})
	}
	for i := 0; i < 20; i++ {
		paper = append(paper, qa{Item{Type: TrueFalse, Key: Key{Bool: bptr(true)}}, Response{Bool: bptr(true)}})
	}
	for i := 0; i < 10; i++ {
		paper = append(paper, qa{Item{Type: FillBlank, Key: Key{Blanks: [][]string{{"民主集中制"}, {"人民代表大会制度", "人大制度"}}}}, Response{Blanks: []string{"民主集中制", "人大制度"}}})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		total := 0.0
		for _, q := range paper {
			p, _ := ScoreObjective(q.it, q.r, 1, "")
			total += p
		}
		if total == 0 {
			b.Fatal("nothing scored")
		}
	}
}
