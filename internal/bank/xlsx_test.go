package bank

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qualify/internal/platform/civil"
)

// sheetBytes writes a 题目 sheet with the given rows (the first is the header).
func sheetBytes(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "题目"); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		row := r
		if err := f.SetSheetRow("题目", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// templateRow places values under the template's headers (6 options).
func templateRow(vals map[string]any) []any {
	cols := xlsxColumns(6)
	row := make([]any, len(cols))
	for i, c := range cols {
		row[i] = vals[c]
	}
	return row
}

func templateHeader() []any {
	var h []any
	for _, c := range xlsxColumns(6) {
		h = append(h, c)
	}
	return h
}

func TestXLSXTemplate(t *testing.T) {
	data, err := XLSXTemplate()
	if err != nil {
		t.Fatal(err)
	}
	items, problems, warnings := ParseXLSX("模板.xlsx", data, "political_theory", DefaultTaxonomy)
	if len(items)+len(problems)+len(warnings) != 0 {
		t.Fatalf("template: %d items, problems %v, warnings %v", len(items), problems, warnings)
	}
	f, err := excelize.OpenReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"题目", "说明"}) {
		t.Errorf("sheets %v, want [题目 说明]", got)
	}
	rows, _ := f.GetRows("题目")
	want := []string{"编号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "计分规则", "分值", "解析",
		"依据文件", "依据条款", "知识点", "能力标签", "难度", "认知层次", "复核日期", "参考答案", "评分要点", "误差阈值"}
	if len(rows) != 1 || !reflect.DeepEqual(rows[0], want) {
		t.Errorf("header %v\nwant   %v", rows, want)
	}
	help, _ := f.GetRows("说明")
	documented := map[string]bool{}
	for _, r := range help {
		if len(r) > 2 && r[2] != "" {
			documented[r[0]] = true
		}
	}
	for _, c := range want {
		if !documented[c] && !strings.HasPrefix(c, "选项") {
			t.Errorf("说明 does not explain %s", c)
		}
	}
	dvs, err := f.GetDataValidations("题目")
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, dv := range dvs {
		lists[strings.SplitN(dv.Sqref, ":", 2)[0]] = dv.Type + " " + dv.Formula1
	}
	for cell, want := range map[string]string{"B2": "单项选择题", "K2": "按比例得分", "R2": "whole", "S2": "理解"} {
		if !strings.Contains(lists[cell], want) {
			t.Errorf("validation at %s = %q, want it to mention %q", cell, lists[cell], want)
		}
	}
}

// xlsxItems has an item of every type, complete ones and drafts.
func xlsxItems() []Item {
	return []Item{
		{Ref: "pt-x-001", Type: Single, Stem: "党的**最高理想**是什么？\n（单选）",
			Options: []Option{{"A", "小康"}, {"B", "共产主义"}, {"C", "民族复兴"}, {"D", "共同富裕"}},
			Key:     Key{Choice: "B"}, Points: 1, Explanation: "党章总纲。",
			Basis:           []Basis{{"中国共产党章程", "总纲"}, {"中国共产党纪律处分条例", ""}},
			KnowledgePoints: []string{"党的建设/党章/总纲", "科学社会主义"},
			Competencies:    []string{"nine.political_discernment", "seven.political"},
			Difficulty:      2, CognitiveLevel: "recall", ReviewBy: civil.MustParse("2027-06-30"), Status: InReview},
		{Ref: "pt-x-002", Type: Multiple, Stem: "多选题，全部选对得分。",
			Options: []Option{{"A", "甲"}, {"B", "乙"}, {"C", "丙"}, {"D", "丁"}, {"E", "戊"}, {"F", "己"}, {"G", "庚"}},
			Key:     Key{Choices: []string{"A", "C", "G"}}, Points: 2, Status: Draft},
		{Ref: "pt-x-003", Type: Multiple, Stem: "多选题，按比例得分。",
			Options: []Option{{"A", "甲"}, {"B", "乙"}, {"C", "丙"}, {"D", "丁"}},
			Key:     Key{Choices: []string{"B", "D"}}, Scoring: PartialA, Points: 1.5, Explanation: "解析。",
			KnowledgePoints: []string{"马克思主义哲学"}, Difficulty: 3, Basis: []Basis{{"中国共产党章程", ""}}, Status: InReview},
		{Ref: "pt-x-004", Type: Multiple, Stem: "多选题，每项 0.5 分。",
			Options: []Option{{"A", "甲"}, {"B", "乙"}, {"C", "丙"}, {"D", "丁"}},
			Key:     Key{Choices: []string{"A", "B"}}, Scoring: PartialB, Points: 2, Status: Draft},
		{Ref: "pt-x-005", Type: Multiple, Stem: "多选题，明确写出全部选对得分。",
			Options: []Option{{"A", "甲"}, {"B", "乙"}, {"C", "丙"}},
			Key:     Key{Choices: []string{"A", "B"}}, Scoring: AllOrNothing, Points: 2, Status: Draft},
		{Ref: "pt-x-006", Type: TrueFalse, Stem: "预备期为一年。", Key: Key{Bool: boolp(true)}, Points: 1, Status: Draft},
		{Ref: "pt-x-007", Type: TrueFalse, Stem: "预备期为两年。", Key: Key{Bool: boolp(false)}, Points: 0.5, Status: Draft,
			CognitiveLevel: "understand"},
		{Ref: "pt-x-008", Type: FillBlank, Stem: "最本质的特征是____，本质特征是____。",
			Key: Key{Blanks: [][]string{{"中国共产党的领导", "党的领导"}, {"人民当家作主"}}}, Points: 2, Status: Draft},
		{Ref: "pt-x-009", Type: ShortAnswer, Stem: "简述组织路线。", Points: 10, ReferenceAnswer: "一是……\n二是……",
			Rubric: []Criterion{{"指出组织体系建设", 4}, {"说明干部队伍建设", 6}}, Tolerance: 2, Explanation: "见十九届四中全会。",
			KnowledgePoints: []string{"党的建设/组织建设"}, Difficulty: 4, CognitiveLevel: "analyze", Status: InReview},
		{Ref: "pt-x-010", Type: CaseAnalysis, Stem: "阅读材料，分析问题。", Points: 20,
			Rubric: []Criterion{{"分析原因", 8.5}, {"提出对策", 11.5}}, Status: Draft},
		{Ref: "pt-x-011", Type: Essay, Stem: "论述全面从严治党。", Points: 30, Status: Draft, Difficulty: 5},
		{Ref: "", Type: Single, Stem: "无编号的单选题。", Options: []Option{{"A", "甲"}, {"B", "乙"}}, Key: Key{Choice: "A"}, Points: 1, Status: Draft},
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	want := xlsxItems()
	data, err := ExportXLSX(want)
	if err != nil {
		t.Fatal(err)
	}
	got, problems, _ := ParseXLSX("export.xlsx", data, "political_theory", DefaultTaxonomy)
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i, w := range want {
		t.Run(w.Ref, func(t *testing.T) {
			g := got[i]
			if g.Subject != "political_theory" || g.Source != "export.xlsx" {
				t.Errorf("subject %q source %q", g.Subject, g.Source)
			}
			g.Subject, g.Source = "", ""
			if !reflect.DeepEqual(g, w) {
				t.Errorf("round trip\n got %+v\nwant %+v", g, w)
			}
		})
	}
}

func TestExportXLSXRejectsAmbiguousValues(t *testing.T) {
	for _, it := range []Item{
		{Type: FillBlank, Stem: "____", Key: Key{Blanks: [][]string{{"甲|乙"}}}, Points: 1},
		{Type: Single, Stem: "?", KnowledgePoints: []string{"甲；乙"}, Points: 1},
		{Type: Essay, Stem: "?", Rubric: []Criterion{{"甲;乙", 30}}, Points: 30},
		{Type: Single, Stem: "?", Options: []Option{{"A", "1"}, {"B", "2"}, {"C", "3"}, {"D", "4"}, {"E", "5"}, {"F", "6"}, {"G", "7"}, {"H", "8"}, {"I", "9"}}},
		{Type: "matching", Stem: "?"},
	} {
		if _, err := ExportXLSX([]Item{it}); err == nil {
			t.Errorf("%+v: want an error", it)
		}
	}
}

func TestParseXLSXProblemsNameCells(t *testing.T) {
	header := append(templateHeader(), "科目")
	row := func(vals map[string]any, subject string) []any { return append(templateRow(vals), subject) }
	opts := map[string]any{"选项A": "甲", "选项B": "乙", "选项C": "丙", "选项D": "丁"}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{"题型": "单项选择题", "题干": "题干", "答案": "A"}
		for k, v := range opts {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	data := sheetBytes(t, header,
		row(with(nil), ""),                                       // 2: fine
		row(with(map[string]any{"答案": "E"}), ""),                 // 3: key not an option
		row(with(map[string]any{"题型": "连线题"}), ""),               // 4: unknown type
		row(with(map[string]any{"难度": 7}), ""),                   // 5: difficulty out of range
		row(with(map[string]any{"题型": "多项选择题", "答案": "A1"}), ""), // 6: not letters
		row(with(map[string]any{"选项C": nil}), ""),                // 7: gap in options
		row(map[string]any{"题型": "简答题", "题干": "简述。", "解析": "解析", "知识点": "党建", "难度": 3, "分值": 10}, ""), // 8: complete but no rubric
		row(with(nil), "决策能力"), // 9: other subject
		row(with(map[string]any{"能力标签": "nine.nonsense", "分值": "两分"}), "political_theory"),                     // 10
		row(with(map[string]any{"题型": "多项选择题", "答案": "AC", "计分规则": "倒扣分"}), ""),                                // 11
		row(with(map[string]any{"题型": "判断题", "答案": "也许", "选项A": nil, "选项B": nil, "选项C": nil, "选项D": nil}), ""), // 12
		[]any{},
		row(with(map[string]any{"编号": "dup", "复核日期": "明年"}), ""), // 14
		row(with(map[string]any{"编号": "dup", "评分要点": "随便"}), ""), // 15
	)
	items, problems, _ := ParseXLSX("题库.xlsx", data, "political_theory", DefaultTaxonomy)
	want := []struct{ cell, text string }{
		{"题目!J3", "不是选项之一"},
		{"题目!B4", "题型「连线题」无法识别"},
		{"题目!R5", "难度「7」"},
		{"题目!J6", "多项选择题的答案应为选项字母"},
		{"题目!F7", "选项C为空"},
		{"题目!V8", "评分细则至少两个要点"},
		{"题目!U8", "参考答案"},
		{"题目!W8", "误差阈值"},
		{"题目!X9", "科目「决策能力」"},
		{"题目!Q10", "未知能力标签"},
		{"题目!L10", "分值「两分」不是数字"},
		{"题目!K11", "计分规则「倒扣分」"},
		{"题目!J12", "判断题的答案"},
		{"题目!T14", "复核日期「明年」"},
		{"题目!A15", "编号 dup 重复（另见 题目!A14）"},
		{"题目!V15", "评分要点「随便」"},
	}
	for _, w := range want {
		found := false
		for _, p := range problems {
			found = found || (p.Location == w.cell && strings.Contains(p.Message, w.text))
		}
		if !found {
			t.Errorf("no problem at %s mentioning %q", w.cell, w.text)
		}
	}
	for _, p := range problems {
		if regexp.MustCompile(`^题目![A-Z]+2$`).MatchString(p.Location) {
			t.Errorf("row 2 is fine, got %s", p)
		}
		if !strings.HasPrefix(p.Location, "题目!") {
			t.Errorf("problem not located at a cell: %s", p)
		}
	}
	if t.Failed() {
		t.Logf("problems:\n%s", problems.Error())
	}
	if len(items) != 12 { // every row but the unknown type and the blank row
		t.Errorf("got %d items, want 12", len(items))
	}
	// The message a spreadsheet author reads.
	for _, p := range problems {
		if p.Location == "题目!J3" {
			if got := p.String(); got != `题目!J3: 答案 "E" 不是选项之一` {
				t.Errorf("J3 reads %q", got)
			}
		}
	}
}

func TestParseXLSXLenientFormats(t *testing.T) {
	header := []any{"题型", "题干", "选项a", "选项b", "选项c", "正确答案", "分值", "评分要点", "复核日期", "能力标签", "认知层次", "备注"}
	data := sheetBytes(t, header,
		[]any{"多选", "多选顿号", "甲", "乙", "丙", "a、c"},
		[]any{"multiple", "多选逗号", "甲", "乙", "丙", "B，C"},
		[]any{"判断", "判断对勾", nil, nil, nil, "√"},
		[]any{"true_false", "判断布尔", nil, nil, nil, true},
		[]any{"判断题", "判断对错", "正确", "错误", nil, "错"},
		[]any{"填空题", "填空______和___。", nil, nil, nil, "甲｜甲甲;乙"},
		[]any{"简答题", "简答冒号", nil, nil, nil, "参考答案写在答案列", nil, "要点一:4；要点二：6分", "2027/6/3", "政治鉴别能力", "apply", "无关"},
	)
	items, problems, warnings := ParseXLSX("x.xlsx", data, "coordination", DefaultTaxonomy)
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	if len(items) != 7 {
		t.Fatalf("got %d items", len(items))
	}
	checks := []struct {
		got, want any
	}{
		{items[0].Key.Choices, []string{"A", "C"}},
		{items[0].Points, 2.0},
		{items[1].Key.Choices, []string{"B", "C"}},
		{*items[2].Key.Bool, true},
		{*items[3].Key.Bool, true},
		{*items[4].Key.Bool, false},
		{items[4].Options, []Option(nil)},
		{items[5].Stem, "填空____和____。"},
		{items[5].Key.Blanks, [][]string{{"甲", "甲甲"}, {"乙"}}},
		{items[5].Points, 2.0},
		{items[6].ReferenceAnswer, "参考答案写在答案列"},
		{items[6].Rubric, []Criterion{{"要点一", 4}, {"要点二", 6}}},
		{items[6].Points, 10.0},
		{items[6].ReviewBy, civil.MustParse("2027-06-03")},
		{items[6].Competencies, []string{"nine.political_discernment"}},
		{items[6].CognitiveLevel, "apply"},
	}
	for i, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("check %d: got %#v, want %#v", i, c.got, c.want)
		}
	}
	wantWarn := map[string]string{"题目!L1": "未识别的列「备注」", "题目!C6": "判断题不需要选项"}
	for cell, text := range wantWarn {
		found := false
		for _, w := range warnings {
			found = found || (w.Location == cell && strings.Contains(w.Message, text))
		}
		if !found {
			t.Errorf("no warning at %s mentioning %q; warnings:\n%s", cell, text, warnings.Error())
		}
	}
}

func TestParseXLSXStrictness(t *testing.T) {
	complete := map[string]any{"题型": "单项选择题", "题干": "题干", "选项A": "甲", "选项B": "乙", "答案": "A",
		"解析": "因为甲。", "知识点": "党建", "难度": 3}
	partial := map[string]any{"题型": "单项选择题", "题干": "题干二", "选项A": "甲", "选项B": "乙", "答案": "B", "解析": "因为乙。"}
	badComplete := map[string]any{"题型": "单项选择题", "题干": "题干三", "选项A": "甲", "选项B": "乙", "答案": "B",
		"解析": "因为乙。", "知识点": "/党建", "难度": 3}
	data := sheetBytes(t, templateHeader(), templateRow(complete), templateRow(partial), templateRow(badComplete))
	items, problems, warnings := ParseXLSX("s.xlsx", data, "party_affairs", DefaultTaxonomy)
	if len(items) != 3 {
		t.Fatalf("got %d items", len(items))
	}
	if items[0].Status != InReview || items[1].Status != Draft {
		t.Errorf("statuses %s, %s; want in_review, draft", items[0].Status, items[1].Status)
	}
	if len(problems) != 1 || problems[0].Location != "题目!P4" {
		t.Errorf("problems %v, want one at 题目!P4 (knowledge point format)", problems)
	}
	if len(warnings) != 1 || warnings[0].Location != "题目!P3" || !strings.Contains(warnings[0].Message, "知识点、难度") {
		t.Errorf("warnings %v, want one at 题目!P3 naming 知识点、难度", warnings)
	}
}

func TestParseXLSXUnreadable(t *testing.T) {
	for name, data := range map[string][]byte{
		"not a workbook": []byte("编号,题型\n1,单选"),
		"zip of nothing": zipFiles(t, "a.txt", "x"),
	} {
		items, problems, _ := ParseXLSX("bad.xlsx", data, "party_affairs", DefaultTaxonomy)
		if len(items) != 0 || len(problems) != 1 || problems[0].Location != "bad.xlsx" {
			t.Errorf("%s: items %d, problems %v", name, len(items), problems)
		}
	}
	data := sheetBytes(t, []any{"编号", "答案"}, []any{"1", "A"})
	if _, problems, _ := ParseXLSX("h.xlsx", data, "party_affairs", DefaultTaxonomy); len(problems) != 2 || problems[0].Location != "题目!A1" {
		t.Errorf("missing columns: %v", problems)
	}
	if _, problems, _ := ParseXLSX("h.xlsx", data, "nope", DefaultTaxonomy); len(problems) != 1 || problems[0].Field != "subject" {
		t.Errorf("unknown subject: %v", problems)
	}
}

func FuzzParseXLSX(f *testing.F) {
	tmpl, err := XLSXTemplate()
	if err != nil {
		f.Fatal(err)
	}
	exported, err := ExportXLSX(xlsxItems())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl)
	f.Add(exported)
	f.Fuzz(func(t *testing.T, data []byte) {
		items, problems, warnings := ParseXLSX("f.xlsx", data, "party_affairs", DefaultTaxonomy)
		for _, p := range append(problems, warnings...) {
			if p.Location == "" {
				t.Fatalf("problem without location: %v", p)
			}
		}
		if len(problems) == 0 {
			for _, it := range items {
				if ps := it.ValidateDraft("", DefaultTaxonomy); len(ps) > 0 {
					t.Fatalf("item %s imported without problems fails ValidateDraft: %v", it.Ref, ps)
				}
			}
		}
	})
}

// FuzzXLSXRows fuzzes the row reading behind ParseXLSX without the zip container, which
// mutations of whole workbooks seldom get past: cells are separated by tabs, rows by newlines.
func FuzzXLSXRows(f *testing.F) {
	header := strings.Join(xlsxColumns(6), "\t")
	for _, it := range xlsxItems() {
		vals, err := xlsxValues(it)
		if err != nil {
			f.Fatal(err)
		}
		var cells []string
		for _, c := range xlsxColumns(6) {
			v := ""
			if x, ok := vals[c]; ok {
				v = strings.ReplaceAll(strings.ReplaceAll(fmt.Sprint(x), "\n", " "), "\t", " ")
			}
			cells = append(cells, v)
		}
		f.Add(header + "\n" + strings.Join(cells, "\t"))
	}
	f.Add("题型\t题干\t答案\t科目\n判断\t对吗\t√\t马克思主义政治理论\n填空\t____和___\t甲|乙；丙")
	subj, _ := SubjectByCode("political_theory")
	f.Fuzz(func(t *testing.T, text string) {
		var rows [][]string
		for _, line := range strings.Split(text, "\n") {
			rows = append(rows, strings.Split(line, "\t"))
		}
		items, problems, warnings := parseXLSXRows("f.xlsx", "题目", rows, subj, DefaultTaxonomy)
		for _, p := range append(problems, warnings...) {
			if !strings.HasPrefix(p.Location, "题目!") {
				t.Fatalf("problem not at a cell: %v", p)
			}
		}
		if len(problems) == 0 {
			for _, it := range items {
				if ps := it.ValidateDraft("", DefaultTaxonomy); len(ps) > 0 {
					t.Fatalf("item %s imported without problems fails ValidateDraft: %v", it.Ref, ps)
				}
			}
		}
	})
}
