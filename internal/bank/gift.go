package bank

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// GIFT, Moodle's text format for questions (https://docs.moodle.org/en/GIFT_format), read the
// way Moodle's own importer (question/format/gift/format.php) reads it: questions are separated
// by blank lines, lines starting with // are comments, "$CATEGORY: path" switches category,
// "::title::" names a question, "[html]" (or [moodle], [plain], [markdown]) gives a text's
// format, \~ \= \# \{ \} \: \\ \n are escapes, and the answer block {…} decides the type.

// ParseGIFT reads a GIFT file. Multiple choice ({=right ~wrong}, or weighted {~%50%A ~%50%B
// ~%-100%C}), true/false ({T}, {FALSE#wrong#right}), short answer ({=a =b}, and the missing-word
// form "text {=a} text") and essay ({}) questions become draft items of subject, with Source
// name, the knowledge point of the last $CATEGORY and the title as Ref when it is an ASCII id
// (else "gift-<file>-<n>"). problems stop an import: unbalanced braces, a question whose key
// cannot be determined, and everything it.ValidateDraft finds. warnings name what Qualify cannot
// keep: numerical and matching questions and descriptions (skipped), images, partial-credit
// weights it cannot represent. Every Location is "name:line (title)".
func ParseGIFT(name string, data []byte, subject string, tax Taxonomy) (items []Item, problems Problems, warnings Problems) {
	recs, ps, ws := parseGIFT(name, data, subject, tax)
	for _, r := range recs {
		items = append(items, r.item)
	}
	return items, ps, ws
}

type giftLine struct {
	no   int
	text string
}

type giftParser struct {
	name, subject string
	tax           Taxonomy
	kp            string
	n             int
	refs          *refSet
	recs          []importedItem
	ps, ws        Problems
}

func parseGIFT(name string, data []byte, subject string, tax Taxonomy) ([]importedItem, Problems, Problems) {
	if len(data) > maxMoodleBytes {
		return nil, Problems{{Location: name + ":1", Message: fmt.Sprintf("文件过大（%d 字节，上限 %d）", len(data), maxMoodleBytes)}}, nil
	}
	if !utf8.Valid(data) {
		line := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				line += bytes.Count(data[:i], []byte("\n"))
				break
			}
			i += size
		}
		return nil, Problems{{Location: fmt.Sprintf("%s:%d", name, line), Message: "文件不是 UTF-8 编码（GBK 等编码的文件请先另存为 UTF-8）"}}, nil
	}
	p := &giftParser{name: name, subject: subject, tax: tax, refs: newRefSet()}
	var block []giftLine
	for i, l := range strings.Split(strings.TrimPrefix(string(data), "\uFEFF"), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			p.block(block)
			block = nil
			continue
		}
		block = append(block, giftLine{i + 1, l})
	}
	p.block(block)
	if p.n == 0 && len(p.ps) == 0 {
		p.ps = append(p.ps, Problem{Location: name + ":1", Message: "文件中没有 GIFT 题目"})
	}
	return p.recs, p.ps, p.ws
}

// block reads one blank-line-separated block: a $CATEGORY line, a question, or comments.
func (p *giftParser) block(lines []giftLine) {
	// Moodle takes the rest of a $CATEGORY block as the name; a question written right under
	// the category line, without the blank line, is read as a question instead.
	for len(lines) > 0 {
		if cat, ok := strings.CutPrefix(lines[0].text, "$CATEGORY:"); ok {
			p.kp = categoryPath(giftPost(giftUnescape(cat)))
		} else if !strings.HasPrefix(lines[0].text, "//") {
			break
		}
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return
	}
	var sb strings.Builder
	var offs, nos []int
	for _, l := range lines {
		if strings.HasPrefix(l.text, "//") {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		offs, nos = append(offs, sb.Len()), append(nos, l.no)
		sb.WriteString(giftUnescape(l.text))
	}
	p.question(sb.String(), func(off int) int { return nos[max(0, sort.SearchInts(offs, off+1)-1)] })
}

func (p *giftParser) question(t string, lineAt func(int) int) {
	p.n++
	body, bodyOff, title := t, 0, ""
	if strings.HasPrefix(t, "::") {
		bodyOff = 2
		if end := strings.Index(t[2:], "::"); end >= 0 {
			title = strings.Join(strings.Fields(giftPost(t[2:2+end])), " ")
			bodyOff = 2 + end + 2
		}
		body = t[bodyOff:]
	}
	ref := p.refs.unique(refFromTitle(title), "gift", p.name, p.n)
	at := func(off int) string { return fmt.Sprintf("%s:%d (%s)", p.name, lineAt(off), firstNonEmpty(title, ref)) }
	loc := at(0)
	problem := func(off int, format string, args ...any) {
		p.ps = append(p.ps, Problem{Location: at(off), Message: fmt.Sprintf(format, args...)})
	}
	skip := func(what string) {
		p.ws = append(p.ws, Problem{Location: loc, Message: "GIFT " + what + "Qualify 不支持，已跳过"})
	}
	open, closing := strings.IndexByte(body, '{'), strings.IndexByte(body, '}')
	switch {
	case open < 0 && closing < 0:
		skip("说明文字（没有答案块 {…} 的题目）")
		return
	case open < 0:
		problem(bodyOff+closing, "有 } 但没有对应的 {（文字中的花括号须写成 \\{ \\}）")
		return
	case closing < 0:
		problem(bodyOff+open, "答案块 { 没有结束的 }")
		return
	case closing < open:
		problem(bodyOff+closing, "} 出现在答案块 { 之前（文字中的花括号须写成 \\{ \\}）")
		return
	}
	if i := strings.IndexAny(body[closing+1:], "{}"); i >= 0 {
		problem(bodyOff+closing+1+i, "一道题只能有一个答案块 {…}（文字中的花括号须写成 \\{ \\}；多个空的填空题请用 Moodle XML 的完形填空）")
		return
	}
	answer := strings.TrimSpace(body[open+1 : closing])
	before, after := body[:open], body[closing+1:]
	general := ""
	if i := strings.LastIndex(answer, "####"); i >= 0 {
		general, answer = answer[i+4:], strings.TrimSpace(answer[:i])
	}
	kind := ""
	switch {
	case answer == "":
		kind = "essay"
	case answer[0] == '#':
		skip("数值题（{#…}）")
		return
	case strings.Contains(answer, "~"):
		kind = "multichoice"
	case strings.Contains(answer, "=") && strings.Contains(answer, "->"):
		skip("配对题（{=… -> …}）")
		return
	default:
		head, _, _ := strings.Cut(answer, "#")
		switch strings.ToUpper(strings.TrimSpace(head)) {
		case "T", "TRUE", "F", "FALSE":
			kind = "truefalse"
		default:
			kind = "shortanswer"
		}
	}
	// Moodle drops an answer block that ends the question and marks any other as a blank; a
	// short answer always gets its blank, since Qualify's fill-in-the-blank stem must show it.
	qt := before + after
	if kind == "shortanswer" || strings.TrimSpace(after) != "" {
		qt = before + BlankMarker + after
	}
	format, qt := giftFormat(strings.TrimSpace(qt), "moodle")
	mq := moodleQuestion{Kind: kind}
	mq.Stem, mq.Images = moodleText(format, giftPost(qt))
	mq.GeneralFormat, mq.General = giftFormat(strings.TrimSpace(general), format)
	mq.General = giftPost(mq.General)
	ans := func(s string, w float64) moodleAnswer {
		txt, fb, _ := strings.Cut(s, "#")
		a := moodleAnswer{Weight: w}
		a.Format, a.Text = giftFormat(strings.TrimSpace(txt), format)
		a.FeedbackFormat, a.Feedback = giftFormat(strings.TrimSpace(fb), format)
		a.Text, a.Feedback = giftPost(a.Text), giftPost(a.Feedback)
		return a
	}
	switch kind {
	case "multichoice":
		mq.Single = strings.Contains(answer, "=")
		parts := strings.Split(strings.ReplaceAll(answer, "=", "~="), "~")
		if strings.TrimSpace(parts[0]) == "" {
			parts = parts[1:]
		}
		for _, part := range parts {
			part = strings.TrimSpace(part)
			w := 0.0
			if rest, ok := strings.CutPrefix(part, "="); ok {
				w, part = 100, rest
			} else if m := weightRE.FindStringSubmatch(part); m != nil {
				w, _ = strconv.ParseFloat(m[1], 64)
				part = part[len(m[0]):]
			}
			mq.Answers = append(mq.Answers, ans(part, w))
		}
	case "truefalse":
		bits := append(strings.SplitN(answer, "#", 3), "", "")
		v := strings.HasPrefix(strings.ToUpper(strings.TrimSpace(bits[0])), "T")
		wrong, right := ans("#"+bits[1], 0), ans("#"+bits[2], 0)
		t, f := right, wrong
		if !v {
			t, f = wrong, right
		}
		t.Text, f.Text = "true", "false"
		if v {
			t.Weight = 100
		} else {
			f.Weight = 100
		}
		mq.Answers = []moodleAnswer{t, f}
	case "shortanswer":
		parts := strings.Split(answer, "=")
		if strings.TrimSpace(parts[0]) == "" {
			parts = parts[1:]
		}
		var as []moodleAnswer
		for _, part := range parts {
			part = strings.TrimSpace(part)
			w := 100.0
			if m := weightRE.FindStringSubmatch(part); m != nil {
				w, _ = strconv.ParseFloat(m[1], 64)
				part = part[len(m[0]):]
			}
			as = append(as, ans(part, w))
		}
		mq.Blanks = [][]moodleAnswer{as}
	}
	it, ps, ws := mq.item(loc, p.subject, p.tax)
	it.Ref, it.Source = ref, p.name
	if p.kp != "" {
		it.KnowledgePoints = []string{p.kp}
	}
	ps = withDraftProblems(ps, it, loc, p.tax)
	p.ps, p.ws = append(p.ps, ps...), append(p.ws, ws...)
	p.recs = append(p.recs, importedItem{it, loc})
}

// giftFormat splits a leading [html], [moodle], [plain] or [markdown] off s.
func giftFormat(s, def string) (format, text string) {
	if strings.HasPrefix(s, "[") {
		if j := strings.IndexByte(s, ']'); j > 0 {
			switch f := s[1:j]; f {
			case "html", "moodle", "plain", "markdown":
				return f, s[j+1:]
			}
		}
	}
	return def, s
}

// giftPlaceholder shifts an escaped control character (\{ …) into the private use area until the
// text has been split into its parts; giftPost shifts it back.
const giftPlaceholder = 0xE000

func giftUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch c := s[i+1]; c {
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			case ':', '#', '=', '{', '}', '~':
				b.WriteRune(giftPlaceholder + rune(c))
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func giftPost(s string) string {
	return strings.Map(func(r rune) rune {
		if r > giftPlaceholder && r < giftPlaceholder+0x80 {
			return r - giftPlaceholder
		}
		return r
	}, s)
}

// giftEscape writes text for GIFT, as Moodle's exporter does: control characters escaped, line
// breaks as \n.
func giftEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '~', '=', '#', '{', '}', ':':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ExportGIFT writes items as GIFT: a $CATEGORY line whenever the first knowledge point changes,
// then each item with its Ref as title and its explanation as general feedback (####). Texts
// with formatting (**bold**, line breaks) or markup characters are written as [html]. GIFT has
// no points, tags or reference answers: they are written as // comments, which importers ignore.
// Multiple choice is written with Moodle weights (see choiceFractions). It returns an error for
// an item GIFT cannot hold: a fill-in-the-blank item with more than one blank, a true/false
// item without a key, an unknown type.
func ExportGIFT(items []Item) ([]byte, error) {
	var b strings.Builder
	cat := ""
	for i, it := range items {
		if kp := firstKnowledgePoint(it); kp != cat {
			cat = kp
			c := giftComment(moodleCategory(kp))
			fmt.Fprintf(&b, "// question: 0  name: Switch category to %s\n$CATEGORY: %s\n\n\n", c, c)
		}
		if err := writeGIFT(&b, it); err != nil {
			return nil, fmt.Errorf("第 %d 题（%s）：%w", i+1, it.Ref, err)
		}
	}
	return []byte(b.String()), nil
}

func writeGIFT(b *strings.Builder, it Item) error {
	htmlMode := false
	texts := []string{it.Stem, it.Explanation}
	for _, o := range it.Options {
		texts = append(texts, o.Text)
	}
	for _, alts := range it.Key.Blanks {
		texts = append(texts, alts...)
	}
	for _, s := range texts {
		if strings.ContainsAny(s, "\n<>&") || strings.Contains(s, "**") {
			htmlMode = true
		}
	}
	txt := func(s string) string {
		if htmlMode {
			return giftEscape(textToHTML(s))
		}
		return giftEscape(s)
	}
	general := ""
	if it.Explanation != "" {
		general = "####" + txt(it.Explanation)
	}
	fmt.Fprintf(b, "// question: %s  name: %s\n", giftComment(it.Ref), giftComment(it.Ref))
	notes := exportNotes(it)
	if blanks := max(1, len(it.Key.Blanks)); it.Points != defaultPoints(it.Type)*float64(blanks) {
		notes = append(notes, fmt.Sprintf("分值：%g（GIFT 不记录分值，导入时按题型默认分值）", it.Points))
	}
	if len(it.Competencies) > 0 {
		notes = append(notes, "能力标签："+strings.Join(it.Competencies, "，"))
	}
	if it.ReferenceAnswer != "" {
		notes = append(notes, "参考答案："+it.ReferenceAnswer)
	}
	for _, n := range notes {
		b.WriteString("// " + giftComment(n) + "\n")
	}
	if it.Ref != "" {
		b.WriteString("::" + giftEscape(it.Ref) + "::")
	}
	if htmlMode {
		b.WriteString("[html]")
	}
	switch {
	case it.Type.Choice():
		b.WriteString(txt(it.Stem) + "{\n")
		fr := choiceFractions(it)
		for i, o := range it.Options {
			mark := "~"
			switch {
			case it.Type == Single && fr[i] == 100:
				mark = "="
			case fr[i] != 0 || strings.HasPrefix(o.Text, "%"):
				mark = "~%" + formatWeight(fr[i]) + "%"
			}
			b.WriteString("\t" + mark + txt(o.Text) + "\n")
		}
		if general != "" {
			b.WriteString("\t" + general + "\n")
		}
		b.WriteString("}\n")
	case it.Type == TrueFalse:
		if it.Key.Bool == nil {
			return fmt.Errorf("判断题没有答案，无法导出")
		}
		v := "FALSE"
		if *it.Key.Bool {
			v = "TRUE"
		}
		b.WriteString(txt(it.Stem) + "{" + v + general + "}\n")
	case it.Type == FillBlank:
		if len(it.Key.Blanks) != 1 {
			return fmt.Errorf("填空题有 %d 个空，GIFT 只能表示一个空（请导出为 Moodle XML）", len(it.Key.Blanks))
		}
		var blk strings.Builder
		blk.WriteString("{\n")
		for _, a := range it.Key.Blanks[0] {
			mark := "="
			if strings.HasPrefix(a, "%") {
				mark = "=%100%"
			}
			blk.WriteString("\t" + mark + txt(a) + "\n")
		}
		if general != "" {
			blk.WriteString("\t" + general + "\n")
		}
		blk.WriteString("}")
		stem := txt(it.Stem)
		if !strings.Contains(stem, BlankMarker) {
			stem += BlankMarker
		}
		b.WriteString(strings.Replace(stem, BlankMarker, blk.String(), 1) + "\n")
	case it.Type.Written():
		b.WriteString(txt(it.Stem) + "{" + general + "}\n")
	default:
		return fmt.Errorf("未知题型 %q", it.Type)
	}
	b.WriteString("\n")
	return nil
}

// giftComment makes s fit on one // comment line.
func giftComment(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", " / ")
}
