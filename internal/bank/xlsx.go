package bank

// The Excel template (.xlsx): one item per row of the 题目 sheet under Chinese headers, with a
// 说明 sheet explaining each column. Columns are found by header, so a sheet may reorder them, omit
// the ones it does not need, or add an optional 科目 column.
//
// Strictness. A row whose 解析, 知识点 and 难度 are all filled claims to be a finished item: it
// must pass Validate (the publishing rules), and then enters review (InReview). Any other row is a
// draft: it must pass ValidateDraft (stem, options, key, points, rubric) and is imported as Draft,
// with a warning when its classification is only partly filled. Sheets from elsewhere often carry
// 解析 but no 知识点; they import as drafts instead of failing, while a row that looks complete
// is held to the full rules so its gaps are caught at import.

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"qualify/internal/platform/civil"
)

// Sheet names and column headers of the template.
const (
	xlsxItemSheet = "题目"
	xlsxHelpSheet = "说明"

	colRef         = "编号"
	colType        = "题型"
	colStem        = "题干"
	colOption      = "选项" // + A..H
	colAnswer      = "答案"
	colScoring     = "计分规则"
	colPoints      = "分值"
	colExplanation = "解析"
	colBasisDoc    = "依据文件"
	colBasisArt    = "依据条款"
	colKnowledge   = "知识点"
	colCompetency  = "能力标签"
	colDifficulty  = "难度"
	colCognitive   = "认知层次"
	colReviewBy    = "复核日期"
	colReference   = "参考答案"
	colRubric      = "评分要点"
	colTolerance   = "误差阈值"
	colSubject     = "科目" // optional

	maxXLSXBytes   = 50 << 20
	maxXLSXRows    = 5000
	maxXLSXOptions = 8
)

// xlsxColumns returns the header row with n option columns (6 in the template, up to 8).
func xlsxColumns(n int) []string {
	cols := []string{colRef, colType, colStem}
	for i := range n {
		cols = append(cols, colOption+string(rune('A'+i)))
	}
	return append(cols, colAnswer, colScoring, colPoints, colExplanation, colBasisDoc, colBasisArt, colKnowledge,
		colCompetency, colDifficulty, colCognitive, colReviewBy, colReference, colRubric, colTolerance)
}

// xlsxHeaderAliases are headers other sheets use for our columns.
var xlsxHeaderAliases = map[string]string{
	"题目编号": colRef, "试题编号": colRef, "类型": colType, "题目类型": colType, "试题类型": colType,
	"题目": colStem, "题目内容": colStem, "试题内容": colStem, "正确答案": colAnswer, "标准答案": colAnswer,
	"分数": colPoints, "答案解析": colExplanation, "试题解析": colExplanation, "难度系数": colDifficulty,
}

var scoringLabels = []struct {
	Scoring Scoring
	Label   string
}{{AllOrNothing, "全部选对得分"}, {PartialA, "按比例得分"}, {PartialB, "每选对一项得0.5分"}}

var cognitiveLabels = map[string]string{"recall": "识记", "understand": "理解", "apply": "应用", "analyze": "分析"}

var typeAliases = map[string]Type{
	"单选": Single, "单选题": Single, "多选": Multiple, "多选题": Multiple, "不定项选择题": Multiple,
	"判断": TrueFalse, "判断题": TrueFalse, "填空": FillBlank, "简答": ShortAnswer, "案例分析": CaseAnalysis,
	"论述": Essay,
}

func parseXLSXType(s string) (Type, bool) {
	if t := Type(strings.ToLower(s)); t.Valid() {
		return t, true
	}
	for _, x := range Types {
		if x.Name == s {
			return x.Type, true
		}
	}
	t, ok := typeAliases[s]
	return t, ok
}

func normalizeHeader(h string) string {
	h = strings.TrimSpace(norm.NFKC.String(h))
	h = strings.TrimSuffix(strings.TrimSuffix(h, "*"), "(必填)")
	h = strings.TrimSpace(strings.TrimSuffix(h, "(选填)"))
	if len(h) == len(colOption)+1 && strings.HasPrefix(h, colOption) {
		return colOption + strings.ToUpper(h[len(colOption):])
	}
	if a, ok := xlsxHeaderAliases[h]; ok {
		return a
	}
	return h
}

// ParseXLSX reads the 题目 sheet (or the first sheet) of a workbook in the template's layout into
// items of subject, with Subject=subject and Source=name. Every row is checked and every problem
// names its cell as "题目!J7"; the caller imports nothing while problems is not empty. A row is
// held to Validate when its 解析, 知识点 and 难度 are filled (Status InReview when it passes), else
// to ValidateDraft (Status Draft). warnings name columns ignored and drafts only partly
// classified. A file that is not a readable workbook is one problem located at name.
func ParseXLSX(name string, data []byte, subject string, tax Taxonomy) (items []Item, problems Problems, warnings Problems) {
	subj, ok := SubjectByCode(subject)
	if !ok {
		return nil, Problems{{Location: name, Field: "subject", Message: fmt.Sprintf("未知科目 %q", subject)}}, nil
	}
	if len(data) > maxXLSXBytes {
		return nil, Problems{{Location: name, Message: fmt.Sprintf("文件超过 %d MiB", maxXLSXBytes>>20)}}, nil
	}
	sheet, rows, err := readXLSXRows(data)
	if err != nil {
		return nil, Problems{{Location: name, Message: err.Error()}}, nil
	}
	return parseXLSXRows(name, sheet, rows, subj, tax)
}

// parseXLSXRows reads the item sheet's rows (header first) once out of the workbook.
func parseXLSXRows(name, sheet string, rows [][]string, subj Subject, tax Taxonomy) (items []Item, problems Problems, warnings Problems) {
	s := &xlsxSheet{name: sheet, cols: map[string]int{}, subject: subj, tax: tax}
	if len(rows) == 0 {
		return nil, Problems{{Location: sheet + "!A1", Message: "第一行应为表头（编号、题型、题干……），可下载模板对照"}}, nil
	}
	known := map[string]bool{colSubject: true}
	for _, c := range xlsxColumns(maxXLSXOptions) {
		known[c] = true
	}
	for i, h := range rows[0] {
		h = normalizeHeader(h)
		if h == "" {
			continue
		}
		cell := s.at(i, 1)
		switch _, dup := s.cols[h]; {
		case !known[h]:
			warnings = append(warnings, Problem{Location: cell, Message: fmt.Sprintf("未识别的列「%s」，已忽略", h)})
		case dup:
			warnings = append(warnings, Problem{Location: cell, Message: fmt.Sprintf("列「%s」重复，只读取第一列", h)})
		default:
			s.cols[h] = i
		}
	}
	for _, c := range []string{colType, colStem} {
		if _, ok := s.cols[c]; !ok {
			problems = append(problems, Problem{Location: sheet + "!A1", Message: fmt.Sprintf("缺少「%s」列", c)})
		}
	}
	if len(problems) > 0 {
		return nil, problems, warnings
	}
	seen := map[string]string{}
	for i, row := range rows[1:] {
		n := i + 2
		r := xlsxRow{sheet: s, n: n, cells: row}
		if r.blank() {
			continue
		}
		it, ok := r.item()
		problems, warnings = append(problems, r.problems...), append(warnings, r.warnings...)
		if !ok {
			continue
		}
		it.Subject, it.Source = subj.Code, name
		if it.Ref != "" {
			if prev, dup := seen[it.Ref]; dup {
				problems = append(problems, Problem{Location: r.cell(colRef), Message: fmt.Sprintf("编号 %s 重复（另见 %s）", it.Ref, prev)})
			}
			seen[it.Ref] = r.cell(colRef)
		}
		items = append(items, it)
	}
	return items, problems, warnings
}

// readXLSXRows opens the workbook and returns the item sheet's rows as raw cell values. excelize
// is guarded: a malformed file is an error, never a panic.
func readXLSXRows(data []byte) (sheet string, rows [][]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			sheet, rows, err = "", nil, fmt.Errorf("文件结构异常，无法读取（%v）", r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: maxXLSXBytes, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return "", nil, fmt.Errorf("无法读取文件，请上传 .xlsx 格式的题目表：%v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", nil, fmt.Errorf("文件中没有工作表")
	}
	sheet = sheets[0]
	if slices.Contains(sheets, xlsxItemSheet) {
		sheet = xlsxItemSheet
	}
	rows, err = f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return "", nil, fmt.Errorf("无法读取工作表 %s：%v", sheet, err)
	}
	if len(rows) > maxXLSXRows+1 {
		return "", nil, fmt.Errorf("一次最多导入 %d 题，本表有 %d 行", maxXLSXRows, len(rows)-1)
	}
	// A TRUE typed into Excel is a boolean cell whose raw value is 1 or 0.
	if len(rows) > 0 {
		for col, h := range rows[0] {
			if normalizeHeader(h) != colAnswer {
				continue
			}
			for i, r := range rows[1:] {
				if col < len(r) && (r[col] == "1" || r[col] == "0") {
					cell, _ := excelize.CoordinatesToCellName(col+1, i+2)
					if t, err := f.GetCellType(sheet, cell); err == nil && t == excelize.CellTypeBool {
						r[col] = map[string]string{"1": "TRUE", "0": "FALSE"}[r[col]]
					}
				}
			}
			break
		}
	}
	return sheet, rows, nil
}

type xlsxSheet struct {
	name    string
	cols    map[string]int
	subject Subject
	tax     Taxonomy
}

// at names the cell of 0-based column i in row n, e.g. 题目!J7.
func (s *xlsxSheet) at(i, n int) string {
	col, _ := excelize.ColumnNumberToName(i + 1)
	return fmt.Sprintf("%s!%s%d", s.name, col, n)
}

type xlsxRow struct {
	sheet              *xlsxSheet
	n                  int
	cells              []string
	problems, warnings Problems
}

func (r *xlsxRow) get(col string) string {
	i, ok := r.sheet.cols[col]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(strings.ReplaceAll(r.cells[i], "\r\n", "\n"))
}

// cell names col's cell in this row; a column the sheet lacks falls back to 编号 (or A).
func (r *xlsxRow) cell(col string) string {
	i, ok := r.sheet.cols[col]
	if !ok {
		i = r.sheet.cols[colRef] // 0 (A) when absent too
	}
	return r.sheet.at(i, r.n)
}

func (r *xlsxRow) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (r *xlsxRow) problem(col, format string, args ...any) {
	r.problems = append(r.problems, Problem{Location: r.cell(col), Message: fmt.Sprintf(format, args...)})
}

func (r *xlsxRow) warn(col, format string, args ...any) {
	r.warnings = append(r.warnings, Problem{Location: r.cell(col), Message: fmt.Sprintf(format, args...)})
}

// fieldColumns maps Validate's field names to the columns that hold them.
var fieldColumns = map[string]string{
	"type": colType, "stem": colStem, "explanation": colExplanation, "points": colPoints, "difficulty": colDifficulty,
	"cognitive_level": colCognitive, "knowledge_points": colKnowledge, "competencies": colCompetency,
	"answer": colAnswer, "options": colOption + "A", "scoring": colScoring, "reference_answer": colReference,
	"rubric": colRubric, "tolerance": colTolerance, "basis": colBasisDoc,
}

var (
	listSep      = regexp.MustCompile(`[；;\n]`)
	altSep       = regexp.MustCompile(`[|｜]`)
	blankRun     = regexp.MustCompile(`[_＿]{3,}`)
	choiceSep    = regexp.MustCompile(`[\s,，、;；/]+`)
	criterionCN  = regexp.MustCompile(`^(.+?)\s*[（(]\s*([0-9]+(?:\.[0-9]+)?)\s*分?\s*[）)]$`)
	criterionCol = regexp.MustCompile(`^(.+?)\s*[:：]\s*([0-9]+(?:\.[0-9]+)?)\s*分?$`)
	dateParts    = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
)

// splitList splits a ；-separated cell, dropping empty parts.
func splitList(s string) []string {
	var out []string
	for _, p := range listSep.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *xlsxRow) item() (Item, bool) {
	it := Item{Ref: r.get(colRef), Status: Draft}
	if v := r.get(colSubject); v != "" && v != r.sheet.subject.Code && v != r.sheet.subject.Name {
		r.problem(colSubject, "科目「%s」与导入的科目「%s」不一致", v, r.sheet.subject.Name)
	}
	tv := r.get(colType)
	t, ok := parseXLSXType(tv)
	if !ok {
		if tv == "" {
			r.problem(colType, "题型不能为空")
		} else {
			r.problem(colType, "题型「%s」无法识别（应为 单项选择题、多项选择题、判断题、填空题、简答题、案例分析题、论述题 或 single 等代码）", tv)
		}
		return it, false
	}
	it.Type = t
	it.Stem = r.get(colStem)
	if t == FillBlank {
		it.Stem = blankRun.ReplaceAllString(it.Stem, BlankMarker)
	}
	r.options(&it)
	r.answer(&it)
	if v := r.get(colScoring); v != "" {
		if t != Multiple {
			r.warn(colScoring, "只有多项选择题有计分规则，已忽略")
		} else if sc, ok := parseScoring(v); ok {
			it.Scoring = sc
		} else {
			r.problem(colScoring, "计分规则「%s」无法识别（应为 全部选对得分、按比例得分、每选对一项得0.5分 或 all_or_nothing、partial_a、partial_b）", v)
		}
	}
	it.Explanation = r.get(colExplanation)
	docs, arts := splitList(r.get(colBasisDoc)), listSep.Split(r.get(colBasisArt), -1)
	if r.get(colBasisArt) == "" {
		arts = nil
	}
	if len(arts) > 0 && len(arts) != len(docs) {
		r.problem(colBasisArt, "依据条款有 %d 项、依据文件有 %d 项，应一一对应（用；分隔，某文件无条款时留空）", len(arts), len(docs))
	}
	for i, d := range docs {
		b := Basis{Document: d}
		if i < len(arts) {
			b.Article = strings.TrimSpace(arts[i])
		}
		it.Basis = append(it.Basis, b)
	}
	it.KnowledgePoints = splitList(r.get(colKnowledge))
	for _, c := range splitList(r.get(colCompetency)) {
		it.Competencies = append(it.Competencies, competencyTag(r.sheet.tax, c))
	}
	if v := r.get(colDifficulty); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f != math.Trunc(f) || f < 1 || f > 5 {
			r.problem(colDifficulty, "难度「%s」应为 1 到 5 的整数", v)
		} else {
			it.Difficulty = int(f)
		}
	}
	if v := r.get(colCognitive); v != "" {
		if lv, ok := parseCognitive(v); ok {
			it.CognitiveLevel = lv
		} else {
			r.problem(colCognitive, "认知层次「%s」应为 识记、理解、应用 或 分析", v)
		}
	}
	if v := r.get(colReviewBy); v != "" {
		if d, ok := parseSheetDate(v); ok {
			it.ReviewBy = d
		} else {
			r.problem(colReviewBy, "复核日期「%s」应为 YYYY-MM-DD", v)
		}
	}
	if v := r.get(colReference); v != "" {
		it.ReferenceAnswer = v
	}
	if v := r.get(colRubric); v != "" {
		for _, part := range splitList(v) {
			m := criterionCN.FindStringSubmatch(part)
			if m == nil {
				m = criterionCol.FindStringSubmatch(part)
			}
			if m == nil {
				r.problem(colRubric, "评分要点「%s」应写成 要点（4分） 或 要点:4，多个要点用；分隔", part)
				continue
			}
			p, _ := strconv.ParseFloat(m[2], 64)
			it.Rubric = append(it.Rubric, Criterion{Criterion: strings.TrimSpace(m[1]), Points: p})
		}
	}
	if v := r.get(colTolerance); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			r.problem(colTolerance, "误差阈值「%s」不是数字", v)
		} else {
			it.Tolerance = f
		}
	}
	r.points(&it)

	// Strict when the row claims to be finished; see the file comment.
	filled := map[string]bool{colExplanation: r.get(colExplanation) != "", colKnowledge: r.get(colKnowledge) != "", colDifficulty: r.get(colDifficulty) != ""}
	strict := filled[colExplanation] && filled[colKnowledge] && filled[colDifficulty]
	var ps Problems
	if strict {
		ps = it.Validate("", r.sheet.tax)
	} else {
		ps = it.ValidateDraft("", r.sheet.tax)
		var missing []string
		for _, c := range []string{colExplanation, colKnowledge, colDifficulty} {
			if !filled[c] {
				missing = append(missing, c)
			}
		}
		if len(missing) < 3 {
			r.warn(missing[0], "未填写%s，按草稿导入（解析、知识点、难度都填写才按完整题目校验）", strings.Join(missing, "、"))
		}
	}
	reported := map[string]bool{} // a cell already explained by a reading problem
	for _, p := range r.problems {
		reported[p.Location] = true
	}
	for _, p := range ps {
		if p.Field == "subject" {
			continue // the subject argument was checked once
		}
		field, _, _ := strings.Cut(p.Field, "[")
		col, ok := fieldColumns[field]
		if !ok {
			col = colRef
		}
		if !reported[r.cell(col)] {
			r.problem(col, "%s", p.Message)
		}
	}
	if strict && len(r.problems) == 0 {
		it.Status = InReview
	}
	return it, true
}

func (r *xlsxRow) options(it *Item) {
	var vals []string
	last := -1
	for i := range maxXLSXOptions {
		v := r.get(colOption + string(rune('A'+i)))
		vals = append(vals, v)
		if v != "" {
			last = i
		}
	}
	if last < 0 {
		return
	}
	if it.Type == TrueFalse {
		r.warn(colOption+"A", "判断题不需要选项，已忽略（答案填 正确 或 错误）")
		return
	}
	for i, v := range vals[:last+1] {
		if v == "" {
			r.problem(colOption+string(rune('A'+i)), "选项%c为空，但后面还有选项", 'A'+i)
			continue
		}
		it.Options = append(it.Options, Option{Key: string(rune('A' + len(it.Options))), Text: v})
	}
}

func (r *xlsxRow) answer(it *Item) {
	raw := r.get(colAnswer)
	if it.Type.Written() {
		switch {
		case raw == "":
		case it.ReferenceAnswer == "" && r.get(colReference) == "":
			it.ReferenceAnswer = raw // a model answer put in 答案
		default:
			r.warn(colAnswer, "主观题的答案列已忽略，参考答案请填在「参考答案」列")
		}
		return
	}
	if raw == "" {
		r.problem(colAnswer, "缺少答案")
		return
	}
	v := strings.ToUpper(norm.NFKC.String(raw))
	switch it.Type {
	case Single:
		if len(v) != 1 || v[0] < 'A' || v[0] > 'Z' {
			r.problem(colAnswer, "单项选择题的答案应为一个选项字母，如 B，而不是「%s」", raw)
			return
		}
		it.Key.Choice = v
	case Multiple:
		letters := choiceSep.ReplaceAllString(v, "")
		var keys []string
		for _, c := range letters {
			if c < 'A' || c > 'Z' {
				r.problem(colAnswer, "多项选择题的答案应为选项字母，如 AC 或 A,C，而不是「%s」", raw)
				return
			}
			keys = append(keys, string(c))
		}
		slices.Sort(keys)
		it.Key.Choices = slices.Compact(keys)
	case TrueFalse:
		b, ok := parseTrueFalse(v)
		if !ok {
			r.problem(colAnswer, "判断题的答案应为 正确 或 错误（也接受 对/错、true/false、√/×），而不是「%s」", raw)
			return
		}
		it.Key.Bool = &b
	case FillBlank:
		for _, blank := range listSep.Split(raw, -1) {
			alts := []string{}
			for _, a := range altSep.Split(blank, -1) {
				if a = strings.TrimSpace(a); a != "" {
					alts = append(alts, a)
				}
			}
			it.Key.Blanks = append(it.Key.Blanks, alts)
		}
	}
}

// points reads 分值, defaulting to the type's points (per blank for fill_blank, the rubric's sum
// for written items).
func (r *xlsxRow) points(it *Item) {
	if v := r.get(colPoints); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			r.problem(colPoints, "分值「%s」不是数字", v)
			return
		}
		it.Points = f
		return
	}
	for _, x := range Types {
		if x.Type == it.Type {
			it.Points = x.Default
		}
	}
	switch {
	case it.Type == FillBlank:
		it.Points *= float64(max(1, len(it.Key.Blanks)))
	case it.Type.Written() && len(it.Rubric) > 0:
		sum := 0.0
		for _, c := range it.Rubric {
			sum += c.Points
		}
		it.Points = sum
	}
}

func parseScoring(s string) (Scoring, bool) {
	for _, x := range scoringLabels {
		if s == x.Label || strings.EqualFold(s, string(x.Scoring)) {
			return x.Scoring, true
		}
	}
	return "", false
}

func parseCognitive(s string) (string, bool) {
	for code, label := range cognitiveLabels {
		if s == label || strings.EqualFold(s, code) {
			return code, true
		}
	}
	return "", false
}

func parseTrueFalse(v string) (bool, bool) {
	switch strings.TrimSpace(v) {
	case "正确", "对", "TRUE", "T", "√", "✓", "✔", "是", "Y":
		return true, true
	case "错误", "错", "FALSE", "F", "×", "✗", "✘", "X", "否", "N":
		return false, true
	}
	return false, false
}

// competencyTag accepts a framework.code tag, or a competency's Chinese name when only one
// framework has it.
func competencyTag(tax Taxonomy, s string) string {
	if tax.ValidTag(s) {
		return s
	}
	var found []string
	for _, f := range tax.Frameworks {
		for _, c := range f.Items {
			if c.Name == s {
				found = append(found, f.Code+"."+c.Code)
			}
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return s
}

// parseSheetDate reads 2027-06-30, 2027/6/30, 2027.6.30, 2027年6月30日 or an Excel date serial.
func parseSheetDate(s string) (civil.Date, bool) {
	if m := dateParts.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		out := civil.New(y, time.Month(mo), d)
		return out, mo >= 1 && mo <= 12 && out.Day == d
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 || f >= 2958466 {
		return civil.Date{}, false
	}
	t, err := excelize.ExcelDateToTime(math.Floor(f), false)
	if err != nil {
		return civil.Date{}, false
	}
	return civil.Of(t), true
}

// ---- writing ----

// XLSXTemplate returns the empty template: the 题目 sheet's header row with drop-down lists for
// 题型, 计分规则 and 认知层次 and a 1-5 check on 难度, and the 说明 sheet explaining each column
// with examples. It parses to no items and no problems. It returns an error only when excelize
// cannot write the workbook.
func XLSXTemplate() ([]byte, error) {
	f, err := newXLSXWorkbook(xlsxColumns(6))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return writeWorkbook(f)
}

// ExportXLSX writes items in the template's layout (with 选项G/选项H when an item has 7 or 8
// options), so that ParseXLSX reads them back equal. It returns an error naming the item when a
// value cannot be written unambiguously: more than 8 options, or a separator (；, |) inside a
// blank's alternative, a knowledge point, a competency, a basis or a rubric criterion.
func ExportXLSX(items []Item) ([]byte, error) {
	nOpts := 6
	for _, it := range items {
		nOpts = max(nOpts, len(it.Options))
	}
	if nOpts > maxXLSXOptions {
		return nil, fmt.Errorf("选项超过 %d 个，模板无法表示", maxXLSXOptions)
	}
	cols := xlsxColumns(nOpts)
	f, err := newXLSXWorkbook(cols)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	for i, it := range items {
		vals, err := xlsxValues(it)
		if err != nil {
			return nil, fmt.Errorf("第 %d 题（%s）：%w", i+1, it.Ref, err)
		}
		row := make([]any, len(cols))
		for j, c := range cols {
			if v, ok := vals[c]; ok {
				row[j] = v
			}
		}
		if err := f.SetSheetRow(xlsxItemSheet, "A"+strconv.Itoa(i+2), &row); err != nil {
			return nil, fmt.Errorf("第 %d 题（%s）：%w", i+1, it.Ref, err)
		}
	}
	return writeWorkbook(f)
}

func writeWorkbook(f *excelize.File) ([]byte, error) {
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// xlsxValues returns an item's cells by column; empty fields are absent.
func xlsxValues(it Item) (map[string]any, error) {
	v := map[string]any{}
	set := func(col, s string) {
		if s != "" {
			v[col] = s
		}
	}
	var sepErr error
	join := func(what string, parts []string, seps string) string {
		for _, p := range parts {
			if strings.ContainsAny(p, seps) {
				sepErr = fmt.Errorf("%s「%s」含分隔符（%s），表格中无法区分", what, p, strings.ReplaceAll(seps, "\n", "换行"))
			}
		}
		return strings.Join(parts, "；")
	}
	name := TypeName(it.Type)
	if name == "" {
		return nil, fmt.Errorf("未知题型 %q", it.Type)
	}
	set(colRef, it.Ref)
	set(colType, name)
	set(colStem, it.Stem)
	for _, o := range it.Options {
		set(colOption+o.Key, o.Text)
	}
	switch it.Type {
	case Single:
		set(colAnswer, it.Key.Choice)
	case Multiple:
		set(colAnswer, strings.Join(it.Key.Choices, ""))
	case TrueFalse:
		if it.Key.Bool != nil {
			set(colAnswer, map[bool]string{true: "正确", false: "错误"}[*it.Key.Bool])
		}
	case FillBlank:
		var blanks []string
		for _, alts := range it.Key.Blanks {
			for _, a := range alts {
				if strings.ContainsAny(a, "|｜；;\n") {
					sepErr = fmt.Errorf("填空答案「%s」含分隔符（| ；），表格中无法区分", a)
				}
			}
			blanks = append(blanks, strings.Join(alts, "|"))
		}
		set(colAnswer, strings.Join(blanks, "；"))
	}
	for _, x := range scoringLabels {
		if it.Type == Multiple && it.Scoring == x.Scoring {
			set(colScoring, x.Label)
		}
	}
	v[colPoints] = it.Points
	set(colExplanation, it.Explanation)
	var docs, arts []string
	hasArt := false
	for _, b := range it.Basis {
		docs, arts = append(docs, b.Document), append(arts, b.Article)
		hasArt = hasArt || b.Article != ""
	}
	set(colBasisDoc, join("依据文件", docs, "；;\n"))
	if hasArt {
		set(colBasisArt, join("依据条款", arts, "；;\n"))
	}
	set(colKnowledge, join("知识点", it.KnowledgePoints, "；;\n"))
	set(colCompetency, join("能力标签", it.Competencies, "；;\n"))
	if it.Difficulty != 0 {
		v[colDifficulty] = it.Difficulty
	}
	if l, ok := cognitiveLabels[it.CognitiveLevel]; ok {
		set(colCognitive, l)
	} else {
		set(colCognitive, it.CognitiveLevel)
	}
	set(colReviewBy, it.ReviewBy.String())
	set(colReference, it.ReferenceAnswer)
	var rubric []string
	for _, c := range it.Rubric {
		if strings.ContainsAny(c.Criterion, "；;\n") {
			sepErr = fmt.Errorf("评分要点「%s」含分隔符（；），表格中无法区分", c.Criterion)
		}
		rubric = append(rubric, fmt.Sprintf("%s（%s分）", c.Criterion, strconv.FormatFloat(c.Points, 'f', -1, 64)))
	}
	set(colRubric, strings.Join(rubric, "；"))
	if it.Tolerance != 0 {
		v[colTolerance] = it.Tolerance
	}
	return v, sepErr
}

type xlsxHelp struct {
	col, required, help, example string
}

func xlsxHelpRows() []xlsxHelp {
	var typeNames, codes []string
	for _, x := range Types {
		typeNames = append(typeNames, x.Name)
		codes = append(codes, string(x.Type))
	}
	var subjects []string
	for _, s := range Subjects {
		subjects = append(subjects, s.Name)
	}
	return []xlsxHelp{
		{colRef, "选填", "题目编号，全表唯一；题库中已有同编号题目时作为新版本", "pt-phil-001"},
		{colType, "必填", "可从下拉列表选择：" + strings.Join(typeNames, "、") + "；也可填代码 " + strings.Join(codes, "、"), "单项选择题"},
		{colStem, "必填", "题目内容；可换行，**加粗** 表示加粗。填空题用 ____（四个下划线，三个以上均可）标出每个空", "党的最高理想和最终目标是实现____。"},
		{"选项A～选项F", "选择题必填", "单项、多项选择题的选项，从选项A起依次填写，不要跳过；其他题型留空。需要 7、8 个选项时可增加 选项G、选项H 列", "共产主义"},
		{colAnswer, "客观题必填", "单项选择：一个字母，如 B；多项选择：如 ACD 或 A,C,D；判断：正确/错误（也接受 对/错、true/false、√/×）；填空：每空用；分隔，同一空的可接受答案用 | 分隔，第一个为标准答案；主观题不填，写在参考答案列", "共产主义|共产主义社会；人民当家作主"},
		{colScoring, "选填", "仅多项选择题：全部选对得分（默认）、按比例得分（有错选得 0 分，否则按选对比例给分）、每选对一项得0.5分（有错选得 0 分）；也接受 all_or_nothing、partial_a、partial_b", "按比例得分"},
		{colPoints, "选填", "本题满分；不填时单选 1、多选 2、判断 1、填空每空 1、简答 10、案例分析 20、论述 30（主观题有评分要点时取要点分值之和）", "2"},
		{colExplanation, "完整题目必填", "解析：说明正确答案的理由和错误选项错在哪里", "党章总纲规定……"},
		{colBasisDoc, "选填", "依据的文件名称，多个用；分隔", "中国共产党章程；中国共产党纪律处分条例"},
		{colBasisArt, "选填", "与依据文件一一对应的条款，用；分隔，某文件无条款时留空", "总纲；第七条"},
		{colKnowledge, "完整题目必填", "知识点，层级用 / 分隔，多个用；分隔", "马克思主义哲学/唯物辩证法/矛盾分析法"},
		{colCompetency, "选填", "能力标签：框架.代码（如 nine.political_discernment、seven.political），或只属于一个框架的能力名称（如 政治鉴别能力）；多个用；分隔", "nine.political_discernment；seven.political"},
		{colDifficulty, "完整题目必填", "1（最容易）到 5（最难）的整数", "3"},
		{colCognitive, "选填", "识记、理解、应用、分析（也接受 recall、understand、apply、analyze）", "理解"},
		{colReviewBy, "选填", "时政类题目的复核日期，格式 YYYY-MM-DD", "2027-06-30"},
		{colReference, "主观题完整题目必填", "简答、案例分析、论述题的参考答案", "一是……；二是……"},
		{colRubric, "主观题完整题目必填", "评分要点及分值，至少两个，用；分隔；分值之和应等于分值列", "指出主要矛盾（4分）；提出对策（6分）"},
		{colTolerance, "主观题完整题目必填", "双评误差阈值：两位评卷人分差超过此值时交第三人评", "2"},
		{colSubject, "选填（可不设此列）", "科目：" + strings.Join(subjects, "、") + "；填写时须与导入时选择的科目一致", "马克思主义政治理论"},
	}
}

var xlsxNotes = []string{
	"每行一题，空行忽略。列按表头名称识别，可调整顺序或删去不用的列。",
	"校验：解析、知识点、难度都已填写的行视为完整题目，按发布要求校验，通过后进入待审核；其余行按草稿导入，只校验题干、选项、答案、分值和评分要点，状态为草稿。",
	"任何一行有问题时整个文件都不会导入；问题清单逐条列出单元格（如 题目!J7）和原因，改正后重新上传。",
	"列表用中文分号；或英文分号;分隔；填空题同一空的可接受答案用 | 分隔。",
}

// newXLSXWorkbook builds the 题目 sheet's header, validations and the 说明 sheet.
func newXLSXWorkbook(cols []string) (*excelize.File, error) {
	f := excelize.NewFile()
	fail := func(err error) (*excelize.File, error) {
		f.Close()
		return nil, fmt.Errorf("build workbook: %w", err)
	}
	const sheet = xlsxItemSheet
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return fail(err)
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err == nil {
		_ = f.SetCellStyle(sheet, "A1", last+"1", st)
	}
	_ = f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49}) // typed as written: 2027-06-30, 001
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	const rows = "2:5001"
	for i, c := range cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		width := 12.0
		switch c {
		case colStem, colExplanation, colReference:
			width = 40
			_ = f.SetColStyle(sheet, col, wrap)
		case colRef, colAnswer, colReviewBy:
			_ = f.SetColStyle(sheet, col, text)
		}
		_ = f.SetColWidth(sheet, col, col, width)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = col + strings.Replace(rows, ":", ":"+col, 1)
		var err error
		switch c {
		case colType:
			var names []string
			for _, x := range Types {
				names = append(names, x.Name)
			}
			err = dv.SetDropList(names)
			dv.SetInput("题型", "从列表选择，或填写代码 single、multiple、true_false、fill_blank、short_answer、case_analysis、essay")
		case colScoring:
			var labels []string
			for _, x := range scoringLabels {
				labels = append(labels, x.Label)
			}
			err = dv.SetDropList(labels)
		case colCognitive:
			err = dv.SetDropList([]string{"识记", "理解", "应用", "分析"})
		case colDifficulty:
			err = dv.SetRange(1, 5, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "难度", "难度须为 1 到 5 的整数")
		default:
			continue
		}
		if err != nil {
			return fail(err)
		}
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return fail(err)
		}
	}
	if _, err := f.NewSheet(xlsxHelpSheet); err != nil {
		return fail(err)
	}
	lines := [][]any{{"列", "是否必填", "说明", "示例"}}
	for _, h := range xlsxHelpRows() {
		lines = append(lines, []any{h.col, h.required, h.help, h.example})
	}
	lines = append(lines, []any{})
	for _, n := range xlsxNotes {
		lines = append(lines, []any{"", "", n})
	}
	for i, row := range lines {
		r := row
		if err := f.SetSheetRow(xlsxHelpSheet, "A"+strconv.Itoa(i+1), &r); err != nil {
			return fail(err)
		}
	}
	_ = f.SetColWidth(xlsxHelpSheet, "A", "B", 16)
	_ = f.SetColWidth(xlsxHelpSheet, "C", "C", 90)
	_ = f.SetColWidth(xlsxHelpSheet, "D", "D", 40)
	if st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err == nil {
		_ = f.SetCellStyle(xlsxHelpSheet, "A1", "D1", st)
	}
	if st, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err == nil {
		_ = f.SetCellStyle(xlsxHelpSheet, "C2", "D"+strconv.Itoa(len(lines)), st)
	}
	return f, nil
}
