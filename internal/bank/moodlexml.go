package bank

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// Moodle XML (<quiz><question type="…">…</question></quiz>), the format Moodle's question bank
// exports by default. See https://docs.moodle.org/en/Moodle_XML_format. The helpers at the end of
// this file are shared with the GIFT format (gift.go): both read into moodleQuestion, which
// becomes an Item by the same rules.

// maxMoodleBytes bounds an imported GIFT or Moodle XML file. Moodle XML carries images as
// base64, so real exports of a few thousand questions stay well below it.
const maxMoodleBytes = 32 << 20

type mxText struct {
	Format string   `xml:"format,attr"`
	Text   string   `xml:"text"`
	Files  []mxFile `xml:"file"`
}

type mxFile struct {
	Name string `xml:"name,attr"`
}

type mxAnswer struct {
	Fraction string   `xml:"fraction,attr"`
	Format   string   `xml:"format,attr"`
	Text     string   `xml:"text"`
	Feedback mxText   `xml:"feedback"`
	Files    []mxFile `xml:"file"`
}

type mxQuestion struct {
	Type             string     `xml:"type,attr"`
	Category         mxText     `xml:"category"`
	Name             mxText     `xml:"name"`
	QuestionText     mxText     `xml:"questiontext"`
	GeneralFeedback  mxText     `xml:"generalfeedback"`
	DefaultGrade     string     `xml:"defaultgrade"`
	Hidden           string     `xml:"hidden"`
	IDNumber         string     `xml:"idnumber"`
	Single           *string    `xml:"single"`
	ShuffleAnswers   string     `xml:"shuffleanswers"`
	UseCase          string     `xml:"usecase"`
	Answers          []mxAnswer `xml:"answer"`
	GraderInfo       mxText     `xml:"graderinfo"`
	ResponseTemplate mxText     `xml:"responsetemplate"`
	Tags             []string   `xml:"tags>tag>text"`
}

// mxTypeNames names the Moodle question types Qualify skips, for warnings.
var mxTypeNames = map[string]string{
	"matching": "配对题", "numerical": "数值题", "description": "说明文字", "calculated": "计算题",
	"calculatedsimple": "简单计算题", "calculatedmulti": "计算选择题", "ddwtos": "拖放填词题", "gapselect": "下拉填词题",
	"ddimageortext": "拖放图片题", "ddmarker": "拖放标记题", "randomsamatch": "随机简答配对题", "random": "随机题",
	"ordering": "排序题",
}

// ParseMoodleXML reads a Moodle XML question export. Category pseudo-questions set the knowledge
// point of the questions after them; multichoice, truefalse, shortanswer, essay and cloze
// questions made only of short-answer blanks become draft items of subject, with Source name.
// problems stop an import: malformed XML (with its line), a question whose key cannot be
// determined, and everything it.ValidateDraft finds. warnings name what Qualify cannot keep:
// skipped question types, images, partial-credit weights it cannot represent, hidden questions.
// Every Location is "name:line (question name)".
func ParseMoodleXML(name string, data []byte, subject string, tax Taxonomy) (items []Item, problems Problems, warnings Problems) {
	recs, ps, ws := parseMoodleXML(name, data, subject, tax)
	for _, r := range recs {
		items = append(items, r.item)
	}
	return items, ps, ws
}

// importedItem is an item with the location its problems carry.
type importedItem struct {
	item Item
	loc  string
}

func parseMoodleXML(name string, data []byte, subject string, tax Taxonomy) ([]importedItem, Problems, Problems) {
	if len(data) > maxMoodleBytes {
		return nil, Problems{{Location: name + ":1", Message: fmt.Sprintf("文件过大（%d 字节，上限 %d）", len(data), maxMoodleBytes)}}, nil
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Entity = xml.HTMLEntity // &nbsp; and friends outside CDATA, as hand-edited files have them
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		e, err := htmlindex.Get(label) // GBK, GB18030, Big5 …: files from tools other than Moodle
		if err != nil {
			return nil, fmt.Errorf("不支持的编码 %q", label)
		}
		return e.NewDecoder().Reader(in), nil
	}
	var (
		recs     []importedItem
		ps, ws   Problems
		kp       string
		n        int
		seenQuiz bool
		refs     = newRefSet()
	)
	syntax := func(err error) {
		line, _ := d.InputPos()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line = se.Line
		}
		ps = append(ps, Problem{Location: fmt.Sprintf("%s:%d", name, line), Message: "XML 格式错误：" + err.Error()})
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			syntax(err)
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !seenQuiz {
			if se.Name.Local != "quiz" {
				line, _ := d.InputPos()
				ps = append(ps, Problem{Location: fmt.Sprintf("%s:%d", name, line), Message: fmt.Sprintf("不是 Moodle XML 题目文件：根元素是 <%s>，应为 <quiz>", se.Name.Local)})
				return recs, ps, ws
			}
			seenQuiz = true
			continue
		}
		if se.Name.Local != "question" {
			if err := d.Skip(); err != nil {
				syntax(err)
				break
			}
			continue
		}
		line, _ := d.InputPos()
		var q mxQuestion
		if err := d.DecodeElement(&q, &se); err != nil {
			syntax(err)
			break
		}
		if q.Type == "category" {
			kp = categoryPath(q.Category.Text)
			continue
		}
		n++
		title := strings.TrimSpace(q.Name.Text)
		ref := refs.unique(firstNonEmpty(refFromTitle(q.IDNumber), refFromTitle(title)), "moodle", name, n)
		loc := fmt.Sprintf("%s:%d (%s)", name, line, firstNonEmpty(title, ref))
		mq, skip := mxToMoodle(q, loc, &ws)
		if skip {
			continue
		}
		it, p, w := mq.item(loc, subject, tax)
		it.Ref, it.Source = ref, name
		if kp != "" {
			it.KnowledgePoints = []string{kp}
		}
		for _, tag := range q.Tags {
			tag = strings.TrimSpace(tag)
			switch {
			case tag == "":
			case tax.ValidTag(tag):
				it.Competencies = append(it.Competencies, tag)
			default:
				w = append(w, Problem{Location: loc, Field: "competencies", Message: fmt.Sprintf("标签 %q 不是能力标签（框架.代码），未导入", tag)})
			}
		}
		if strings.TrimSpace(q.Hidden) == "1" {
			w = append(w, Problem{Location: loc, Message: "该题在 Moodle 中为隐藏状态；Qualify 作为草稿导入，请在审核时决定是否启用"})
		}
		p = withDraftProblems(p, it, loc, tax)
		ps = append(ps, p...)
		ws = append(ws, w...)
		recs = append(recs, importedItem{it, loc})
	}
	if !seenQuiz && len(ps) == 0 {
		ps = append(ps, Problem{Location: name + ":1", Message: "不是 Moodle XML 题目文件：没有 <quiz> 元素"})
	}
	return recs, ps, ws
}

// mxToMoodle reads one Moodle XML question; skip reports a type Qualify does not have (warned).
func mxToMoodle(q mxQuestion, loc string, ws *Problems) (moodleQuestion, bool) {
	warn := func(format string, args ...any) {
		*ws = append(*ws, Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	stemFormat := firstNonEmpty(q.QuestionText.Format, "html")
	mq := moodleQuestion{General: q.GeneralFeedback.Text, GeneralFormat: firstNonEmpty(q.GeneralFeedback.Format, stemFormat)}
	rawStem := q.QuestionText.Text
	if g := strings.TrimSpace(q.DefaultGrade); g != "" {
		if v, err := strconv.ParseFloat(g, 64); err == nil {
			mq.Points = v
			mq.HasPoints = true
		}
	}
	answers := func(withFormat bool) []moodleAnswer {
		var as []moodleAnswer
		for _, a := range q.Answers {
			w, err := strconv.ParseFloat(strings.TrimSpace(a.Fraction), 64)
			if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
				w = 0
				if strings.TrimSpace(a.Fraction) != "" {
					warn("答案 %q 的权重 %q 无法识别，按 0 处理", strings.TrimSpace(a.Text), a.Fraction)
				}
			}
			f := "plain_text"
			if withFormat {
				f = firstNonEmpty(a.Format, stemFormat)
			}
			fb := firstNonEmpty(a.Feedback.Format, stemFormat)
			as = append(as, moodleAnswer{Text: a.Text, Format: f, Feedback: a.Feedback.Text, FeedbackFormat: fb, Weight: w})
		}
		return as
	}
	switch q.Type {
	case "multichoice", "multichoiceset":
		mq.Kind = "multichoice"
		// As Moodle reads it: no <single> means one answer; an empty one, "false" or 0 several.
		mq.Single = q.Type == "multichoice"
		if q.Single != nil {
			s := strings.TrimSpace(*q.Single)
			mq.Single = mq.Single && s != "false" && s != "0" && s != ""
		}
		mq.Answers = answers(true)
		if q.Type == "multichoiceset" {
			mq.AllOrNothing = true
		}
		if sh := strings.TrimSpace(q.ShuffleAnswers); sh == "0" || sh == "false" {
			warn("Moodle 设定不打乱选项顺序（如含“以上都对”）；Qualify 不保存该设定，请在组卷时留意")
		}
	case "truefalse":
		mq.Kind = "truefalse"
		for _, a := range answers(false) {
			switch strings.ToLower(strings.TrimSpace(a.Text)) {
			case "true":
				a.Text = "true"
			case "false":
				a.Text = "false"
			default:
				continue
			}
			mq.Answers = append(mq.Answers, a)
		}
	case "shortanswer":
		mq.Kind = "shortanswer"
		mq.Blanks = [][]moodleAnswer{answers(false)}
		if strings.TrimSpace(q.UseCase) == "1" {
			warn("Moodle 设定答案区分大小写；Qualify 填空题判分不区分大小写")
		}
	case "essay":
		mq.Kind = "essay"
		mq.GraderInfo, mq.GraderFormat = q.GraderInfo.Text, firstNonEmpty(q.GraderInfo.Format, "html")
		if t, _ := moodleText(q.ResponseTemplate.Format, q.ResponseTemplate.Text); t != "" {
			warn("答题模板（responsetemplate）未导入：Qualify 没有该字段")
		}
	case "cloze":
		blanks, stem, unsupported, unequal := parseCloze(rawStem)
		if unsupported != "" {
			warn("完形填空题含 %s 子题，Qualify 只支持由简答空组成的完形填空，已跳过", unsupported)
			return mq, true
		}
		if len(blanks) == 0 {
			warn("完形填空题没有可识别的空（{1:SHORTANSWER:=…}），已跳过")
			return mq, true
		}
		if unequal {
			warn("完形填空各空分值不同，Qualify 填空题各空等分")
		}
		mq.Kind, mq.Blanks, rawStem, mq.Cloze = "shortanswer", blanks, stem, true
	default:
		what := mxTypeNames[q.Type]
		if what == "" {
			what = "题型"
		}
		warn("Moodle %s（%s）Qualify 不支持，已跳过", what, q.Type)
		return mq, true
	}
	mq.Stem, mq.Images = moodleText(stemFormat, rawStem)
	if len(mq.Images) == 0 {
		for _, f := range q.QuestionText.Files {
			mq.Images = append(mq.Images, f.Name)
		}
	}
	return mq, false
}

// clozeRE matches one embedded answer of a Moodle cloze (multianswer) question: {weight:TYPE:answers}.
var clozeRE = regexp.MustCompile(`\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}`)

// parseCloze reads the short-answer blanks of a cloze question text (HTML), returning the text
// with each blank replaced by BlankMarker; unsupported names a sub-question type Qualify lacks,
// unequal reports blanks of different weights.
func parseCloze(text string) (blanks [][]moodleAnswer, stem, unsupported string, unequal bool) {
	weights := map[string]bool{}
	stem = clozeRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := clozeRE.FindStringSubmatch(m)
		switch sub[2] {
		case "SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC":
		default:
			if unsupported == "" {
				unsupported = sub[2]
			}
			return m
		}
		weights[sub[1]] = true
		var as []moodleAnswer
		for _, part := range splitUnescaped(sub[3], '~') {
			part = strings.TrimSpace(part)
			w := 0.0
			if strings.HasPrefix(part, "=") {
				w, part = 100, part[1:]
			} else if m := weightRE.FindStringSubmatch(part); m != nil {
				w, _ = strconv.ParseFloat(m[1], 64)
				part = part[len(m[0]):]
			}
			txt, fb := cutUnescaped(part, '#')
			as = append(as, moodleAnswer{Text: html.UnescapeString(clozeUnescape(txt)), Format: "plain_text",
				Feedback: clozeUnescape(fb), FeedbackFormat: "html", Weight: w})
		}
		blanks = append(blanks, as)
		return BlankMarker
	})
	return blanks, stem, unsupported, len(weights) > 1
}

func splitUnescaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func cutUnescaped(s string, sep byte) (string, string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func clozeUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func clozeEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\}#~/"`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ExportMoodleXML writes items as a Moodle XML question file: a category question whenever the
// first knowledge point changes, then each item as multichoice, truefalse, shortanswer (one
// blank), cloze (several blanks) or essay (written types). What Moodle has no field for is kept
// in XML comments. It returns an error for an item it cannot write (unknown type, a
// fill-in-the-blank item without blanks).
func ExportMoodleXML(items []Item) ([]byte, error) {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n")
	cat := ""
	for i, it := range items {
		if kp := firstKnowledgePoint(it); kp != cat {
			cat = kp
			fmt.Fprintf(&b, "<!-- question: 0  -->\n  <question type=\"category\">\n    <category>\n      <text>%s</text>\n    </category>\n"+
				"    <info format=\"moodle_auto_format\">\n      <text></text>\n    </info>\n    <idnumber></idnumber>\n  </question>\n\n",
				xmlText(moodleCategory(kp)))
		}
		if err := writeMoodleXML(&b, it); err != nil {
			return nil, fmt.Errorf("第 %d 题（%s）：%w", i+1, it.Ref, err)
		}
	}
	b.WriteString("</quiz>\n")
	return []byte(b.String()), nil
}

func writeMoodleXML(b *strings.Builder, it Item) error {
	qtype := ""
	switch {
	case it.Type.Choice():
		qtype = "multichoice"
	case it.Type == TrueFalse:
		qtype = "truefalse"
	case it.Type == FillBlank && len(it.Key.Blanks) == 1:
		qtype = "shortanswer"
	case it.Type == FillBlank && len(it.Key.Blanks) > 1:
		qtype = "cloze"
	case it.Type == FillBlank:
		return errors.New("填空题没有答案，无法导出")
	case it.Type.Written():
		qtype = "essay"
	default:
		return fmt.Errorf("未知题型 %q", it.Type)
	}
	fmt.Fprintf(b, "<!-- question: %s  -->\n", xmlComment(it.Ref))
	for _, c := range exportNotes(it) {
		fmt.Fprintf(b, "<!-- %s -->\n", xmlComment(c))
	}
	fmt.Fprintf(b, "  <question type=\"%s\">\n", qtype)
	fmt.Fprintf(b, "    <name>\n      <text>%s</text>\n    </name>\n", xmlText(firstNonEmpty(it.Ref, truncateRunes(it.Stem, 40))))
	stem := textToHTML(it.Stem)
	if qtype == "cloze" {
		stem = clozeStem(it)
	}
	writeXMLText(b, "questiontext", stem)
	writeXMLText(b, "generalfeedback", textToHTML(it.Explanation))
	fmt.Fprintf(b, "    <defaultgrade>%s</defaultgrade>\n", strconv.FormatFloat(it.Points, 'f', 7, 64))
	switch qtype {
	case "truefalse":
		b.WriteString("    <penalty>1.0000000</penalty>\n")
	case "multichoice":
		b.WriteString("    <penalty>0.3333333</penalty>\n")
	default:
		b.WriteString("    <penalty>0.0000000</penalty>\n")
	}
	fmt.Fprintf(b, "    <hidden>0</hidden>\n    <idnumber>%s</idnumber>\n", xmlText(it.Ref))
	switch qtype {
	case "multichoice":
		fmt.Fprintf(b, "    <single>%t</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>\n", it.Type == Single)
		b.WriteString("    <showstandardinstruction>0</showstandardinstruction>\n")
		for _, f := range []string{"correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"} {
			writeXMLText(b, f, "")
		}
		b.WriteString("    <shownumcorrect/>\n")
		fr := choiceFractions(it)
		for i, o := range it.Options {
			fmt.Fprintf(b, "    <answer fraction=\"%s\" format=\"html\">\n      <text>%s</text>\n", formatWeight(fr[i]), xmlText(textToHTML(o.Text)))
			b.WriteString("      <feedback format=\"html\">\n        <text></text>\n      </feedback>\n    </answer>\n")
		}
	case "truefalse":
		key := it.Key.Bool != nil && *it.Key.Bool
		for _, v := range []bool{true, false} {
			f := 0
			if v == key && it.Key.Bool != nil {
				f = 100
			}
			fmt.Fprintf(b, "    <answer fraction=\"%d\" format=\"moodle_auto_format\">\n      <text>%t</text>\n", f, v)
			b.WriteString("      <feedback format=\"html\">\n        <text></text>\n      </feedback>\n    </answer>\n")
		}
	case "shortanswer":
		b.WriteString("    <usecase>0</usecase>\n")
		for _, alt := range it.Key.Blanks[0] {
			fmt.Fprintf(b, "    <answer fraction=\"100\" format=\"moodle_auto_format\">\n      <text>%s</text>\n", xmlText(alt))
			b.WriteString("      <feedback format=\"html\">\n        <text></text>\n      </feedback>\n    </answer>\n")
		}
	case "essay":
		b.WriteString("    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n    <responsefieldlines>15</responsefieldlines>\n")
		b.WriteString("    <minwordlimit></minwordlimit>\n    <maxwordlimit></maxwordlimit>\n    <attachments>0</attachments>\n    <attachmentsrequired>0</attachmentsrequired>\n")
		b.WriteString("    <maxbytes>0</maxbytes>\n    <filetypeslist></filetypeslist>\n")
		writeXMLText(b, "graderinfo", textToHTML(it.ReferenceAnswer))
		writeXMLText(b, "responsetemplate", "")
	}
	if len(it.Competencies) > 0 {
		b.WriteString("    <tags>\n")
		for _, c := range it.Competencies {
			fmt.Fprintf(b, "      <tag><text>%s</text>\n      </tag>\n", xmlText(c))
		}
		b.WriteString("    </tags>\n")
	}
	b.WriteString("  </question>\n\n")
	return nil
}

// clozeStem writes a multi-blank item's stem with each blank as {1:SHORTANSWER:=a~=b}.
func clozeStem(it Item) string {
	h := textToHTML(it.Stem)
	for _, alts := range it.Key.Blanks {
		var parts []string
		for _, a := range alts {
			parts = append(parts, "="+clozeEscape(html.EscapeString(a)))
		}
		h = strings.Replace(h, BlankMarker, "{1:SHORTANSWER:"+strings.Join(parts, "~")+"}", 1)
	}
	return h
}

func writeXMLText(b *strings.Builder, tag, htmlText string) {
	fmt.Fprintf(b, "    <%s format=\"html\">\n      <text>%s</text>\n    </%s>\n", tag, xmlText(htmlText), tag)
}

// xmlText escapes s for XML character data: CDATA when it holds markup, as Moodle writes it.
func xmlText(s string) string {
	s = validXML(s)
	if strings.ContainsAny(s, "<>&") {
		return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
	}
	return s
}

// validXML replaces the characters XML 1.0 does not allow.
func validXML(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF) {
			return r
		}
		return '\uFFFD'
	}, s)
}

func xmlComment(s string) string {
	s = strings.ReplaceAll(validXML(s), "--", "- -")
	if strings.HasSuffix(s, "-") {
		s += " "
	}
	return s
}

// choiceFractions returns Moodle's answer fractions (percent) for a choice item. A single-choice
// key is worth 100. A multiple-choice key splits 100 equally and each wrong option is worth -100,
// so any wrong option brings the mark to 0: that is exactly partial_a. Moodle has no
// all-or-nothing multichoice (only a plugin), and no 0.5-per-option rule, so all_or_nothing and
// partial_b items are written the same way and Moodle will give partial credit for a partial
// selection; exportNotes says so in an XML comment on the question.
func choiceFractions(it Item) []float64 {
	fr := make([]float64, len(it.Options))
	for i, o := range it.Options {
		switch {
		case it.Type == Single && o.Key == it.Key.Choice:
			fr[i] = 100
		case it.Type == Multiple && slices.Contains(it.Key.Choices, o.Key):
			fr[i] = 100 / float64(len(it.Key.Choices))
		case it.Type == Multiple:
			fr[i] = -100
		}
	}
	return fr
}

// exportNotes lists what the item has and Moodle (or GIFT) cannot carry, as comments.
func exportNotes(it Item) []string {
	var ns []string
	if it.Type == Multiple {
		switch it.Scoring {
		case "", AllOrNothing:
			ns = append(ns, "Qualify 计分规则 all_or_nothing（全对才得分）：Moodle 无此规则，按选对比例给分、选错即 0 分（partial_a）导出")
		case PartialB:
			ns = append(ns, "Qualify 计分规则 partial_b（每选对一项 0.5 分）：Moodle 无此规则，按选对比例给分、选错即 0 分（partial_a）导出")
		}
	}
	if it.Type == CaseAnalysis || it.Type == Essay {
		ns = append(ns, fmt.Sprintf("Qualify 题型 %s（%s）导出为 Moodle 论述题（essay）", it.Type, TypeName(it.Type)))
	}
	if len(it.KnowledgePoints) > 1 {
		ns = append(ns, "其他知识点："+strings.Join(it.KnowledgePoints[1:], "；"))
	}
	for _, r := range it.Rubric {
		ns = append(ns, fmt.Sprintf("评分要点（%g 分）：%s", r.Points, r.Criterion))
	}
	for _, bs := range it.Basis {
		ns = append(ns, "依据："+strings.TrimSpace(bs.Document+" "+bs.Article))
	}
	if it.Difficulty != 0 {
		ns = append(ns, fmt.Sprintf("难度：%d", it.Difficulty))
	}
	return ns
}

// Shared by GIFT and Moodle XML.

// moodleAnswer is one answer of a Moodle question; Weight is its fraction in percent.
type moodleAnswer struct {
	Text, Format             string
	Feedback, FeedbackFormat string
	Weight                   float64
}

// moodleQuestion is one question in Moodle's terms, its texts still in their Moodle formats
// (html, moodle_auto_format, plain_text, markdown), before it becomes an Item.
type moodleQuestion struct {
	Kind          string // multichoice, truefalse, shortanswer, essay
	Single        bool   // multichoice: one answer
	AllOrNothing  bool   // multichoiceset: the all-or-nothing plugin
	Cloze         bool
	Stem          string // plain text, blanks already marked
	Images        []string
	Answers       []moodleAnswer   // multichoice, truefalse ("true", "false")
	Blanks        [][]moodleAnswer // shortanswer: the answers of each blank
	General       string
	GeneralFormat string
	GraderInfo    string
	GraderFormat  string
	Points        float64
	HasPoints     bool
}

// item converts q; problems are keys that cannot be determined, warnings what Qualify drops.
func (q moodleQuestion) item(loc, subject string, tax Taxonomy) (Item, Problems, Problems) {
	var ps, ws Problems
	problem := func(field, format string, args ...any) {
		ps = append(ps, Problem{Location: loc, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	warn := func(format string, args ...any) {
		ws = append(ws, Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	it := Item{Subject: subject, Stem: q.Stem, Status: Draft}
	images := q.Images
	text := func(s, format string) string {
		t, imgs := moodleText(format, s)
		images = append(images, imgs...)
		return t
	}
	general := text(q.General, q.GeneralFormat)
	var lines []string
	switch q.Kind {
	case "multichoice":
		it.Type = Multiple
		if q.Single {
			it.Type = Single
		}
		var correct, full []string
		var weights []string
		for i, a := range q.Answers {
			key := optionKey(i)
			it.Options = append(it.Options, Option{Key: key, Text: text(a.Text, a.Format)})
			if fb := text(a.Feedback, a.FeedbackFormat); fb != "" {
				lines = append(lines, key+"："+fb)
			}
			if a.Weight > 0 {
				correct = append(correct, key)
			}
			if a.Weight >= 100-weightEps {
				full = append(full, key)
			}
			weights = append(weights, key+" "+formatWeight(a.Weight)+"%")
		}
		desc := strings.Join(weights, "，")
		switch {
		case len(correct) == 0:
			problem("answer", "没有得分的选项（Moodle 权重 %s），无法确定答案", desc)
		case q.Single || len(correct) == 1:
			if len(full) != 1 {
				if len(full) == 0 {
					problem("answer", "没有满分选项（Moodle 权重 %s），无法确定单选题答案", desc)
				} else {
					problem("answer", "有 %d 个满分选项（%s），单选题只能有一个答案", len(full), strings.Join(full, "、"))
				}
				break
			}
			if !q.Single {
				warn("Moodle 多选题只有一个正确选项 %s，按单选题导入", full[0])
				it.Type = Single
			}
			it.Key.Choice = full[0]
			for i, a := range q.Answers {
				// Negative weights on the wrong options of a Moodle multiple choice are the usual
				// way to stop guessing; in a single choice they take marks away.
				if a.Weight != 0 && optionKey(i) != full[0] && (q.Single || a.Weight > 0) {
					warn("Moodle 权重 %s：选 %s 得 %s%%，Qualify 单选题只有答案 %s 得分，其他选项 0 分", desc, optionKey(i), formatWeight(a.Weight), full[0])
					break
				}
			}
		default:
			it.Key.Choices = correct
			equal, negative := true, true
			for _, a := range q.Answers {
				if a.Weight > 0 && math.Abs(a.Weight-100/float64(len(correct))) > weightEps {
					equal = false
				}
				if a.Weight == 0 {
					negative = false
				}
			}
			switch {
			case q.AllOrNothing:
				it.Scoring = AllOrNothing
			case equal && negative:
				it.Scoring = PartialA
			default:
				it.Scoring = AllOrNothing
				why := "各正确选项权重不等或合计不是 100%"
				if equal {
					why = "选错项不扣分，Moodle 选了错项仍按选对的项给分"
				}
				warn("Moodle 权重 %s：%s，Qualify 无法准确表示，按全对才得分（all_or_nothing）导入，答案 %s；请在审核时确认计分规则",
					desc, why, strings.Join(correct, "、"))
			}
		}
	case "truefalse":
		it.Type = TrueFalse
		var key *bool
		for _, a := range q.Answers {
			v := a.Text == "true"
			label := "错"
			if v {
				label = "对"
			}
			if fb := text(a.Feedback, a.FeedbackFormat); fb != "" {
				lines = append(lines, label+"："+fb)
			}
			if a.Weight >= 100-weightEps {
				if key != nil && *key != v {
					problem("answer", "“对”和“错”都是满分，无法确定答案")
					key = nil
					break
				}
				key = &v
			}
		}
		if key == nil && len(ps) == 0 {
			problem("answer", "没有满分的答案（true 或 false），无法确定答案")
		}
		it.Key.Bool = key
	case "shortanswer":
		it.Type = FillBlank
		for bi, as := range q.Blanks {
			var alts []string
			for _, a := range as {
				t := strings.TrimSpace(text(a.Text, a.Format))
				if fb := text(a.Feedback, a.FeedbackFormat); fb != "" {
					label := t
					if t == "*" {
						label = "其他答案"
					}
					lines = append(lines, label+"："+fb)
				}
				switch {
				case a.Weight < 100-weightEps:
					if a.Weight > 0 {
						warn("答案 %q 在 Moodle 中得 %s%% 分，Qualify 填空题没有部分得分，该答案未导入", t, formatWeight(a.Weight))
					}
				case strings.Contains(t, "*"):
					warn("答案 %q 含 Moodle 通配符 *，Qualify 不支持，该答案未导入", t)
				default:
					alts = append(alts, t)
				}
			}
			if len(alts) == 0 {
				problem("answer", "第 %d 空没有满分答案，无法确定答案", bi+1)
			}
			it.Key.Blanks = append(it.Key.Blanks, alts)
		}
		if !q.Cloze {
			it.Stem = markBlank(it.Stem)
		}
	case "essay":
		it.Type = ShortAnswer
		it.ReferenceAnswer = text(q.GraderInfo, q.GraderFormat)
	}
	it.Explanation = strings.Join(append(nonEmpty(general), lines...), "\n")
	it.Points = defaultPoints(it.Type) * float64(max(1, len(it.Key.Blanks)))
	if q.HasPoints {
		it.Points = q.Points
	}
	if len(images) > 0 {
		warn("图片或附件 %s 未导入（Qualify 题目只有文字），请在审核时补充文字说明", strings.Join(dedupe(images), "、"))
	}
	return it, ps, ws
}

// weightEps is how far a Moodle weight may be from an exact one: 33.3% counts as a third.
const weightEps = 0.1

// withDraftProblems adds what it.ValidateDraft finds to the item's problems ps, leaving out a
// problem on a field ps already explains: a key that cannot be determined is reported once.
func withDraftProblems(ps Problems, it Item, loc string, tax Taxonomy) Problems {
	explained := map[string]bool{}
	for _, p := range ps {
		if p.Field != "" {
			explained[p.Field] = true
		}
	}
	for _, v := range it.ValidateDraft(loc, tax) {
		if !explained[v.Field] {
			ps = append(ps, v)
		}
	}
	return ps
}

// weightRE is a GIFT or cloze answer weight: %50%, %-33.33333%.
var weightRE = regexp.MustCompile(`^%(-?[0-9]+(?:\.[0-9]*)?)%`)

func formatWeight(w float64) string {
	return strconv.FormatFloat(math.Round(w*1e5)/1e5, 'f', -1, 64)
}

func optionKey(i int) string { return string(rune('A' + i)) }

func defaultPoints(t Type) float64 {
	for _, x := range Types {
		if x.Type == t {
			return x.Default
		}
	}
	return 1
}

// markBlank marks the blank of a one-blank stem: a run of three or more underscores, as Moodle
// authors write it, becomes BlankMarker; a stem without one gets the blank at its end.
func markBlank(stem string) string {
	if blankRunRE.MatchString(stem) {
		return blankRunRE.ReplaceAllString(stem, BlankMarker)
	}
	return stem + BlankMarker
}

var blankRunRE = regexp.MustCompile(`_{3,}`)

// categoryPath turns a Moodle category ("$course$/top/政治理论/哲学") into a knowledge point
// ("政治理论/哲学"): the context ($course$, $system$, …), "top" and "Default for …" are dropped;
// Moodle's "//" (a slash inside a name) becomes "／".
func categoryPath(cat string) string {
	cat = strings.ReplaceAll(strings.TrimSpace(cat), "//", "／")
	var parts []string
	for i, p := range strings.Split(cat, "/") {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" || (i == 0 && strings.HasPrefix(p, "$") && strings.HasSuffix(p, "$")) || (len(parts) == 0 && (p == "top" || strings.HasPrefix(p, "Default for "))) {
			continue
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "/")
}

// moodleCategory is the Moodle category for a knowledge point.
func moodleCategory(kp string) string {
	if kp == "" {
		return "$course$/top"
	}
	return "$course$/top/" + kp
}

func firstKnowledgePoint(it Item) string {
	if len(it.KnowledgePoints) == 0 {
		return ""
	}
	return it.KnowledgePoints[0]
}

// refFromTitle returns the item id a Moodle name or idnumber stands for: names written in ASCII
// ("pt-phil-001", "Q12 Party Constitution") become [a-z0-9-]; others (Chinese titles) give "".
func refFromTitle(title string) string {
	title = strings.TrimSpace(title)
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r > unicode.MaxASCII:
			return ""
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	if b.Len() > 64 {
		return strings.TrimRight(b.String()[:64], "-")
	}
	return b.String()
}

// refSet hands out the refs of one imported file, each once.
type refSet struct {
	seen map[string]bool
	next map[string]int // the next suffix to try for a ref already taken
}

func newRefSet() *refSet { return &refSet{seen: map[string]bool{}, next: map[string]int{}} }

// unique returns ref, or "<prefix>-<file>-<n>" when ref is empty, made unique within the file
// by a "-2", "-3", … suffix.
func (rs *refSet) unique(ref, prefix, file string, n int) string {
	if ref == "" {
		base := refFromTitle(strings.TrimSuffix(path.Base(file), path.Ext(file)))
		ref = prefix + "-" + strconv.Itoa(n)
		if base != "" {
			ref = prefix + "-" + base + "-" + strconv.Itoa(n)
		}
	}
	r := ref
	for rs.seen[r] {
		i := max(rs.next[ref], 2)
		rs.next[ref] = i + 1
		r = ref + "-" + strconv.Itoa(i)
	}
	rs.seen[r] = true
	return r
}

// moodleText converts a Moodle text in its format to Qualify's plain text with light formatting,
// returning the images it referred to.
func moodleText(format, s string) (string, []string) {
	switch strings.TrimSpace(format) {
	case "plain_text", "plain", "markdown":
		return strings.TrimSpace(s), nil
	case "moodle_auto_format", "moodle":
		return htmlToText(strings.ReplaceAll(s, "\n", "<br>"))
	}
	return htmlToText(s)
}

// htmlToText renders HTML as plain text: <b>/<strong> become **…**, <br> and block elements
// line breaks, entities are decoded, other tags dropped; it returns the images (<img>, and
// @@PLUGINFILE@@ links) it dropped.
func htmlToText(s string) (string, []string) {
	var b strings.Builder
	var images []string
	space := false // whitespace seen in text, pending
	newline := func() {
		space = false
		str := b.String()
		if str != "" && !strings.HasSuffix(str, "\n") {
			b.WriteByte('\n')
		}
	}
	text := func(t string) {
		for _, r := range html.UnescapeString(t) {
			// HTML collapses ASCII white space only: &nbsp; and the full-width space of
			// "（　　）" are kept.
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
				space = true
				continue
			}
			if r == '\u00a0' {
				r = ' '
			}
			if space {
				if str := b.String(); str != "" && !strings.HasSuffix(str, "\n") {
					b.WriteByte(' ')
				}
				space = false
			}
			b.WriteRune(r)
		}
	}
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			text(s[i:])
			break
		}
		text(s[i : i+lt])
		i += lt
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i:], "-->")
			if end < 0 {
				break
			}
			i += end + 3
			continue
		}
		gt := strings.IndexByte(s[i:], '>')
		if gt < 0 || i+1 >= len(s) || !(isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!') {
			text("<")
			i++
			continue
		}
		tag := s[i+1 : i+gt]
		i += gt + 1
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimLeft(tag, "/!"))
		if j := strings.IndexFunc(name, func(r rune) bool { return !isASCIILetter(byte(r)) && !(r >= '0' && r <= '9') }); j >= 0 {
			name = name[:j]
		}
		switch name {
		case "br":
			space = false
			b.WriteByte('\n')
		case "p", "div", "li", "tr", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6":
			newline()
		case "td", "th":
			if closing {
				space = true
			}
		case "b", "strong":
			if !closing {
				flushSpace(&b, &space)
			}
			b.WriteString("**")
		case "img":
			images = append(images, imageName(tag))
			text("[图片]")
		case "a":
			if strings.Contains(tag, "@@PLUGINFILE@@") {
				images = append(images, imageName(tag))
			}
		case "script", "style":
			if !closing {
				end := strings.Index(strings.ToLower(s[i:]), "</"+name)
				if end < 0 {
					i = len(s)
				} else {
					i += end
				}
			}
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.Trim(l, " \t")
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n"), images
}

func flushSpace(b *strings.Builder, space *bool) {
	if *space {
		if str := b.String(); str != "" && !strings.HasSuffix(str, "\n") && !strings.HasSuffix(str, " ") {
			b.WriteByte(' ')
		}
		*space = false
	}
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// imageName is the file an <img> or <a> tag refers to, for warnings.
func imageName(tag string) string {
	for _, attr := range []string{"src=", "href="} {
		i := strings.Index(strings.ToLower(tag), attr)
		if i < 0 {
			continue
		}
		v := strings.TrimLeft(tag[i+len(attr):], " ")
		if v != "" && (v[0] == '"' || v[0] == '\'') {
			q := v[0]
			v = v[1:]
			if j := strings.IndexByte(v, q); j >= 0 {
				v = v[:j]
			}
		} else if j := strings.IndexAny(v, " />"); j >= 0 {
			v = v[:j]
		}
		v = html.UnescapeString(v)
		if strings.HasPrefix(v, "data:") {
			return "（内嵌图片）"
		}
		v = strings.TrimPrefix(v, "@@PLUGINFILE@@/")
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		if v != "" {
			return v
		}
	}
	return "（图片）"
}

// textToHTML writes Qualify's plain text as HTML the way Moodle's editor does: one <p> per line
// (empty lines as <p><br></p>), **bold** as <strong>; a one-line text stays without <p>.
func textToHTML(s string) string {
	if s == "" {
		return ""
	}
	inline := func(l string) string {
		return boldRE.ReplaceAllString(html.EscapeString(l), "<strong>$1</strong>")
	}
	lines := strings.Split(s, "\n")
	if len(lines) == 1 {
		return inline(s)
	}
	var b strings.Builder
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			b.WriteString("<p><br></p>")
		} else {
			b.WriteString("<p>" + inline(l) + "</p>")
		}
	}
	return b.String()
}

var boldRE = regexp.MustCompile(`\*\*(.+?)\*\*`)

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func dedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func truncateRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
