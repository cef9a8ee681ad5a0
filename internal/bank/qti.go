package bank

// QTI 2.1 content packages (IMS Question and Test Interoperability), the format other exam tools
// export: a .zip whose imsmanifest.xml lists resources of type imsqti_item_xmlv2p1, each an
// assessmentItem XML file.
//
// What maps onto an Item:
//
//	choiceInteraction, maxChoices=1        -> single (true_false when the two choices are 正确/错误)
//	choiceInteraction, maxChoices=0 or >1  -> multiple
//	textEntryInteraction (one or more)     -> fill_blank, each interaction a ____ blank
//	extendedTextInteraction                -> short_answer (case_analysis/essay when label says so)
//
// Anything else (match, order, hotspot, inline choice, gap match, upload, several interactions in
// one item ...) is skipped with a warning; images and media are dropped with a warning. Problems
// are what stops an import (the caller imports nothing while Problems is not empty); warnings say
// what Qualify could not represent.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	qtiNamespace    = "http://www.imsglobal.org/xsd/imsqti_v2p1"
	qtiItemResource = "imsqti_item_xmlv2p1"
	qtiRPTemplates  = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"

	// Limits on an uploaded package: its size, its size once unzipped (zip bombs), its entries.
	maxQTIPackageBytes  = 50 << 20
	maxQTIUnzippedBytes = 50 << 20
	maxQTIFiles         = 2000
	maxXMLDepth         = 128
)

// ParseQTI reads a QTI 2.1 content package (zipData, uploaded as name) into items of subject.
// Items are returned in manifest order with Subject=subject, Source=name and Status InReview when
// they pass Validate, else Draft. problems are what must be fixed before anything is imported
// (unreadable or unsafe package, missing or malformed item files, items failing ValidateDraft);
// warnings name what was skipped or could not be represented exactly. Every problem and warning
// is located as "name!path/in/zip.xml (item identifier)". It never panics on hostile input.
func ParseQTI(name string, zipData []byte, subject string, tax Taxonomy) (items []Item, problems Problems, warnings Problems) {
	if _, ok := SubjectByCode(subject); !ok {
		return nil, Problems{{Location: name, Field: "subject", Message: fmt.Sprintf("未知科目 %q", subject)}}, nil
	}
	pkg, problems := openQTIPackage(name, zipData)
	if pkg == nil {
		return nil, problems, nil
	}
	resources, ps, ws := pkg.manifest()
	problems, warnings = append(problems, ps...), append(warnings, ws...)
	seen := map[string]string{}
	for _, res := range resources {
		loc := fmt.Sprintf("%s!%s (%s)", name, res.path, res.id)
		data, err := pkg.read(res.path)
		if err != nil {
			problems = append(problems, Problem{Location: loc, Message: err.Error()})
			if errors.Is(err, errQTITooLarge) {
				break
			}
			continue
		}
		root, err := parseXMLTree(data)
		if err != nil {
			problems = append(problems, Problem{Location: loc, Message: "XML 格式错误：" + err.Error()})
			continue
		}
		c := &qtiConv{loc: loc}
		it, ok := c.item(root, res)
		problems, warnings = append(problems, c.problems...), append(warnings, c.warnings...)
		if !ok {
			continue
		}
		it.Subject, it.Source, it.Status = subject, name, Draft
		ps := it.ValidateDraft(c.loc, tax)
		problems = append(problems, ps...)
		if len(ps) == 0 && len(it.Validate(c.loc, tax)) == 0 {
			// Complete items still go through review: an outside tool is not a reviewer.
			it.Status = InReview
		}
		if prev, dup := seen[it.Ref]; dup {
			problems = append(problems, Problem{Location: c.loc, Field: "id", Message: fmt.Sprintf("题目标识 %s 重复（另见 %s）", it.Ref, prev)})
		}
		seen[it.Ref] = res.path
		items = append(items, it)
	}
	return items, problems, warnings
}

// ---- the package: zip entries, limits, manifest ----

var errQTITooLarge = fmt.Errorf("压缩包解压后超过 %d MiB，已停止读取（疑似压缩炸弹）", maxQTIUnzippedBytes>>20)

type qtiPackage struct {
	name   string
	files  map[string]*zip.File
	budget int64 // bytes still allowed to be unzipped
}

type qtiResource struct {
	id, path string
}

func openQTIPackage(name string, data []byte) (*qtiPackage, Problems) {
	if len(data) > maxQTIPackageBytes {
		return nil, Problems{{Location: name, Message: fmt.Sprintf("压缩包超过 %d MiB", maxQTIPackageBytes>>20)}}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, Problems{{Location: name, Message: "不是有效的 zip 压缩包：" + err.Error()}}
	}
	if len(zr.File) > maxQTIFiles {
		return nil, Problems{{Location: name, Message: fmt.Sprintf("压缩包含 %d 个文件，超过上限 %d", len(zr.File), maxQTIFiles)}}
	}
	var ps Problems
	pkg := &qtiPackage{name: name, files: map[string]*zip.File{}, budget: maxQTIUnzippedBytes}
	var total uint64
	for _, f := range zr.File {
		if !utf8.ValidString(f.Name) {
			// Zip tools on Chinese Windows write names in GBK without the UTF-8 flag.
			if n, err := simplifiedchinese.GB18030.NewDecoder().String(f.Name); err == nil && utf8.ValidString(n) {
				f.Name = n
			}
		}
		if !safeZipPath(f.Name) {
			ps = append(ps, Problem{Location: name + "!" + f.Name, Message: "文件路径不安全（绝对路径、含 .. 或反斜杠），已拒绝"})
			continue
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		total += f.UncompressedSize64
		if _, dup := pkg.files[f.Name]; !dup {
			pkg.files[f.Name] = f
		}
	}
	if total > maxQTIUnzippedBytes {
		return nil, append(ps, Problem{Location: name, Message: fmt.Sprintf("压缩包解压后共 %d 字节，超过上限 %d MiB（疑似压缩炸弹）", total, maxQTIUnzippedBytes>>20)})
	}
	return pkg, ps
}

// safeZipPath reports whether an entry name stays inside the package: relative, forward slashes,
// no "..", no drive letter, no NUL.
func safeZipPath(p string) bool {
	if p == "" || strings.ContainsAny(p, "\\\x00") || strings.HasPrefix(p, "/") || !utf8.ValidString(p) {
		return false
	}
	for i, el := range strings.Split(p, "/") {
		if el == ".." || (i == 0 && strings.Contains(el, ":")) {
			return false
		}
	}
	return true
}

// read returns an entry's bytes, counting them against the package's unzip budget.
func (p *qtiPackage) read(name string) ([]byte, error) {
	f, ok := p.files[name]
	if !ok {
		return nil, errors.New("清单引用的文件在压缩包中不存在")
	}
	if p.budget <= 0 {
		return nil, errQTITooLarge
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("无法解压：%v", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, p.budget+1))
	p.budget -= int64(len(data))
	if p.budget < 0 {
		return nil, errQTITooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("无法解压：%v", err)
	}
	return data, nil
}

// manifest finds imsmanifest.xml (at the root, or the only one in a folder) and returns the item
// resources it lists, resolved to entry names.
func (p *qtiPackage) manifest() ([]qtiResource, Problems, Problems) {
	manPath := ""
	if _, ok := p.files["imsmanifest.xml"]; ok {
		manPath = "imsmanifest.xml"
	} else {
		var found []string
		for n := range p.files {
			if path.Base(n) == "imsmanifest.xml" {
				found = append(found, n)
			}
		}
		if len(found) != 1 {
			return nil, Problems{{Location: p.name, Message: "压缩包根目录缺少 imsmanifest.xml，不是 QTI 内容包"}}, nil
		}
		manPath = found[0]
	}
	loc := p.name + "!" + manPath
	data, err := p.read(manPath)
	if err != nil {
		return nil, Problems{{Location: loc, Message: err.Error()}}, nil
	}
	root, err := parseXMLTree(data)
	if err != nil {
		return nil, Problems{{Location: loc, Message: "XML 格式错误：" + err.Error()}}, nil
	}
	if root.Local != "manifest" {
		return nil, Problems{{Location: loc, Message: fmt.Sprintf("根元素应为 manifest，实为 %s", root.Local)}}, nil
	}
	var ps, ws Problems
	dir := path.Dir(manPath)
	seen := map[string]bool{}
	var out []qtiResource
	testWarned := false
	for _, rs := range root.children("resources") {
		for _, r := range rs.children("resource") {
			id, typ, href := r.attr("identifier"), r.attr("type"), r.attr("href")
			rloc := fmt.Sprintf("%s (%s)", loc, id)
			switch {
			case typ == qtiItemResource:
			case strings.HasPrefix(typ, "imsqti_item"):
				ws = append(ws, Problem{Location: rloc, Message: fmt.Sprintf("资源类型 %s 不是 QTI 2.1 题目（%s），已跳过", typ, qtiItemResource)})
				continue
			case strings.HasPrefix(typ, "imsqti_test") || strings.HasPrefix(typ, "imsqti_assessment"):
				if !testWarned {
					ws = append(ws, Problem{Location: rloc, Message: "试卷结构（assessmentTest）不导入，只导入清单中的题目"})
					testWarned = true
				}
				continue
			default:
				continue
			}
			if href == "" {
				ps = append(ps, Problem{Location: rloc, Message: "题目资源缺少 href"})
				continue
			}
			if u, err := url.PathUnescape(href); err == nil {
				href = u
			}
			rel := path.Join(xmlBase(rs), xmlBase(r), href)
			if strings.Contains(href, "://") || path.IsAbs(href) || rel == ".." || strings.HasPrefix(rel, "../") || !safeZipPath(rel) {
				ps = append(ps, Problem{Location: rloc, Message: fmt.Sprintf("题目路径 %q 不安全或指向压缩包之外", href)})
				continue
			}
			full := path.Join(dir, rel)
			if seen[full] {
				continue
			}
			seen[full] = true
			if id == "" {
				id = path.Base(full)
			}
			out = append(out, qtiResource{id: id, path: full})
		}
	}
	if len(out) == 0 && len(ps) == 0 {
		ws = append(ws, Problem{Location: loc, Message: "清单中没有 QTI 2.1 题目资源（" + qtiItemResource + "）"})
	}
	return out, ps, ws
}

func xmlBase(n *xnode) string {
	for _, a := range n.Attr {
		if a.Name.Local == "base" && a.Name.Space == "http://www.w3.org/XML/1998/namespace" {
			return a.Value
		}
	}
	return ""
}

// ---- a small XML tree: itemBody is mixed content, easier walked than unmarshalled ----

type xnode struct {
	Space, Local string // "" Local: a text node
	Attr         []xml.Attr
	Text         string
	Kids         []*xnode
}

func (n *xnode) attr(local string) string {
	for _, a := range n.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) children(local string) []*xnode {
	var out []*xnode
	for _, k := range n.Kids {
		if k.Local == local {
			out = append(out, k)
		}
	}
	return out
}

func (n *xnode) child(local string) *xnode {
	for _, k := range n.Kids {
		if k.Local == local {
			return k
		}
	}
	return nil
}

// walk calls fn on every element below n in document order; fn returns false to skip a subtree.
func (n *xnode) walk(fn func(*xnode) bool) {
	for _, k := range n.Kids {
		if k.Local != "" && fn(k) {
			k.walk(fn)
		}
	}
}

func (n *xnode) text() string {
	var b strings.Builder
	var rec func(*xnode)
	rec = func(x *xnode) {
		if x.Local == "" {
			b.WriteString(x.Text)
		}
		for _, k := range x.Kids {
			rec(k)
		}
	}
	rec(n)
	return b.String()
}

// parseXMLTree parses a whole document. HTML entities (&nbsp;) are accepted, declared encodings
// such as GB2312 are decoded, and nesting is limited.
func parseXMLTree(data []byte) (*xnode, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("不支持的编码 %q", label)
		}
		return enc.NewDecoder().Reader(r), nil
	}
	var root *xnode
	var stack []*xnode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("元素嵌套超过 %d 层", maxXMLDepth)
			}
			n := &xnode{Space: t.Name.Space, Local: t.Name.Local, Attr: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("文档有多个根元素")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, &xnode{Text: string(t)})
			}
		}
	}
	if root == nil {
		return nil, errors.New("没有根元素")
	}
	return root, nil
}

// ---- HTML to plain text with light formatting ----

// textWriter collects lines of plain text: whitespace collapsed as HTML does, blocks and <br>
// start new lines, an empty <p> is an empty line.
type textWriter struct {
	lines []string
	cur   []byte
	glue  bool // inside a line break that follows Chinese text: not a space
}

// text appends character data. Whitespace runs collapse to one space, except that a line break
// after a Chinese character is source formatting and vanishes (as CSS does for wide characters).
func (w *textWriter) text(s string) {
	for _, r := range s {
		switch r {
		case '\n', '\r':
			last, _ := utf8.DecodeLastRune(bytes.TrimRight(w.cur, " "))
			if isWide(last) {
				w.cur = bytes.TrimRight(w.cur, " ")
				w.glue = true
			} else if !w.glue && len(w.cur) > 0 && w.cur[len(w.cur)-1] != ' ' {
				w.cur = append(w.cur, ' ')
			}
		case ' ', '\t', '\u00a0':
			if !w.glue && len(w.cur) > 0 && w.cur[len(w.cur)-1] != ' ' {
				w.cur = append(w.cur, ' ')
			}
		default:
			w.glue = false
			w.cur = utf8.AppendRune(w.cur, r)
		}
	}
}

func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

func (w *textWriter) raw(s string) { w.cur, w.glue = append(w.cur, s...), false }

// hardBreak ends the current line, even when empty (<br>).
func (w *textWriter) hardBreak() {
	w.lines = append(w.lines, strings.TrimSpace(string(w.cur)))
	w.cur, w.glue = w.cur[:0], false
}

// block ends the current line when it has text (block boundaries).
func (w *textWriter) block() {
	if strings.TrimSpace(string(w.cur)) != "" {
		w.hardBreak()
	}
	w.cur = w.cur[:0]
}

func (w *textWriter) String() string {
	w.block()
	lines := w.lines
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

var qtiBlockElements = map[string]bool{"div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "pre": true, "address": true, "caption": true, "table": true, "thead": true, "tbody": true,
	"tfoot": true, "tr": true, "dl": true, "dt": true, "dd": true, "hr": true, "infoControl": true, "prompt": true,
	"itemBody": true, "modalFeedback": true, "rubricBlock": true}

var qtiMediaElements = map[string]string{"img": "图片", "object": "多媒体对象", "audio": "音频", "video": "视频",
	"iframe": "内嵌页面", "embed": "多媒体对象", "svg": "图形", "picture": "图片", "canvas": "图形"}

// ---- one assessmentItem ----

type qtiResponse struct {
	id, cardinality string
	correct         []string
	mapping         *qtiMapping
}

type qtiMapping struct {
	lower, upper *float64
	def          float64
	keys         []string
	values       []float64
}

func (m *qtiMapping) value(key string) float64 {
	if i := slices.Index(m.keys, key); i >= 0 {
		return m.values[i]
	}
	return m.def
}

// max returns the most a response can earn under the mapping.
func (m *qtiMapping) max(multiple bool) float64 {
	best := 0.0
	for _, v := range m.values {
		if multiple && v > 0 {
			best += v
		} else if v > best {
			best = v
		}
	}
	if m.upper != nil && *m.upper < best {
		best = *m.upper
	}
	return best
}

// qtiConv converts one item, collecting its problems and warnings under loc.
type qtiConv struct {
	loc                string
	problems, warnings Problems
	blanks             []string // response identifiers of textEntryInteractions, in order
	feedback           []string // feedbackInline/feedbackBlock text, in order
	scorer             []*xnode // rubricBlocks not shown to candidates
}

func (c *qtiConv) problem(format string, args ...any) {
	c.problems = append(c.problems, Problem{Location: c.loc, Message: fmt.Sprintf(format, args...)})
}

func (c *qtiConv) warn(format string, args ...any) {
	p := Problem{Location: c.loc, Message: fmt.Sprintf(format, args...)}
	if !slices.Contains(c.warnings, p) {
		c.warnings = append(c.warnings, p)
	}
}

func (c *qtiConv) number(what, s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		c.problem("%s %q 不是数字", what, s)
		return 0, false
	}
	return f, true
}

func (c *qtiConv) item(root *xnode, res qtiResource) (Item, bool) {
	if root.Local != "assessmentItem" {
		c.problem("根元素应为 assessmentItem，实为 %s", root.Local)
		return Item{}, false
	}
	ident := root.attr("identifier")
	if ident == "" {
		ident = res.id
	} else if ident != res.id {
		c.loc = strings.TrimSuffix(c.loc, " ("+res.id+")") + " (" + ident + ")"
	}
	if root.Space != qtiNamespace {
		c.warn("命名空间 %q 不是 QTI 2.1（%s），按 2.1 读取", root.Space, qtiNamespace)
	}
	if root.attr("adaptive") == "true" {
		c.warn("自适应题（adaptive）无法导入，已跳过")
		return Item{}, false
	}
	if root.child("templateDeclaration") != nil {
		c.warn("题目含模板变量（随机参数），按静态文本导入")
	}
	responses := map[string]*qtiResponse{}
	for _, rd := range root.children("responseDeclaration") {
		r := c.response(rd)
		responses[r.id] = r
	}
	var normalMax, scoreDefault, maxScore float64
	for _, od := range root.children("outcomeDeclaration") {
		def := 0.0
		if dv := od.child("defaultValue"); dv != nil {
			if v := dv.child("value"); v != nil {
				def, _ = c.number("outcomeDeclaration 默认值", v.text())
			}
		}
		switch od.attr("identifier") {
		case "SCORE":
			scoreDefault = def
			if s := od.attr("normalMaximum"); s != "" {
				normalMax, _ = c.number("normalMaximum", s)
			}
		case "MAXSCORE":
			maxScore = def
		}
	}
	body := root.child("itemBody")
	if body == nil {
		c.problem("缺少 itemBody")
		return Item{}, false
	}
	// Which interactions are there?
	var interactions []*xnode
	var unsupported []string
	body.walk(func(n *xnode) bool {
		switch {
		case n.Local == "choiceInteraction" || n.Local == "textEntryInteraction" || n.Local == "extendedTextInteraction":
			interactions = append(interactions, n)
			return false
		case strings.HasSuffix(n.Local, "Interaction") || n.Local == "positionObjectStage":
			if !slices.Contains(unsupported, n.Local) {
				unsupported = append(unsupported, n.Local)
			}
			return false
		}
		return true
	})
	if len(unsupported) > 0 {
		c.warn("含 %s，Qualify 没有对应题型，已跳过此题", strings.Join(unsupported, "、"))
		return Item{}, false
	}
	count := map[string]int{}
	for _, n := range interactions {
		count[n.Local]++
	}
	kind := ""
	switch {
	case len(interactions) == 0:
		c.warn("没有作答交互（interaction），已跳过")
		return Item{}, false
	case count["choiceInteraction"] == 1 && len(interactions) == 1:
		kind = "choiceInteraction"
	case count["extendedTextInteraction"] == 1 && len(interactions) == 1:
		kind = "extendedTextInteraction"
	case count["textEntryInteraction"] == len(interactions):
		kind = "textEntryInteraction"
	default:
		c.warn("一道题含多个或多种交互（复合题），Qualify 无法表示，已跳过")
		return Item{}, false
	}

	it := Item{Ref: ident}
	var w textWriter
	c.render(&w, body)
	it.Stem = w.String()
	for _, mf := range root.children("modalFeedback") {
		var fw textWriter
		c.render(&fw, mf)
		if s := fw.String(); s != "" {
			c.feedback = append(c.feedback, s)
		}
	}

	rp := root.child("responseProcessing")
	template := ""
	if rp != nil {
		template = rp.attr("template")
		if template == "" {
			template = rp.attr("templateLocation")
		}
		template = strings.TrimSuffix(path.Base(template), ".xml")
	}
	declared := 0.0 // points the outcome declarations state
	switch {
	case normalMax > 0:
		declared = normalMax
	case scoreDefault > 0:
		declared = scoreDefault
	case maxScore > 0:
		declared = maxScore
	}

	switch kind {
	case "choiceInteraction":
		c.choice(&it, interactions[0], responses, template, declared)
	case "textEntryInteraction":
		c.textEntry(&it, responses, template, declared)
	case "extendedTextInteraction":
		c.extendedText(&it, interactions[0], root.attr("label"), responses, declared)
	}
	var expl []string
	for _, f := range c.feedback {
		if f != "" && !slices.Contains(expl, f) {
			expl = append(expl, f)
		}
	}
	it.Explanation = strings.Join(expl, "\n")
	return it, true
}

func (c *qtiConv) response(rd *xnode) *qtiResponse {
	r := &qtiResponse{id: rd.attr("identifier"), cardinality: rd.attr("cardinality")}
	if cr := rd.child("correctResponse"); cr != nil {
		for _, v := range cr.children("value") {
			r.correct = append(r.correct, strings.TrimSpace(v.text()))
		}
	}
	if mp := rd.child("mapping"); mp != nil {
		m := &qtiMapping{}
		if s := mp.attr("defaultValue"); s != "" {
			m.def, _ = c.number("mapping defaultValue", s)
		}
		for _, b := range []struct {
			attr string
			dst  **float64
		}{{"lowerBound", &m.lower}, {"upperBound", &m.upper}} {
			if s := mp.attr(b.attr); s != "" {
				if f, ok := c.number("mapping "+b.attr, s); ok {
					*b.dst = &f
				}
			}
		}
		for _, e := range mp.children("mapEntry") {
			v, ok := c.number("mapEntry mappedValue", e.attr("mappedValue"))
			if ok {
				m.keys = append(m.keys, strings.TrimSpace(e.attr("mapKey")))
				m.values = append(m.values, v)
			}
		}
		r.mapping = m
	}
	return r
}

// render writes n's content as text, collecting blanks, feedback and scorer rubrics on the way.
func (c *qtiConv) render(w *textWriter, n *xnode) {
	for _, k := range n.Kids {
		if k.Local == "" {
			w.text(k.Text)
			continue
		}
		switch name := k.Local; {
		case name == "br":
			w.hardBreak()
		case name == "p":
			w.block()
			before := len(w.lines)
			c.render(w, k)
			if len(w.lines) == before && strings.TrimSpace(string(w.cur)) == "" {
				w.hardBreak() // an empty paragraph is an empty line
			}
			w.block()
		case name == "ul" || name == "ol":
			w.block()
			i := 0
			for _, li := range k.Kids {
				if li.Local != "li" {
					continue
				}
				i++
				if name == "ol" {
					w.raw(strconv.Itoa(i) + ". ")
				} else {
					w.raw("• ")
				}
				c.render(w, li)
				w.block()
			}
		case name == "li":
			w.block()
			c.render(w, k)
			w.block()
		case name == "strong" || name == "b":
			before, mark := len(w.lines), len(w.cur)
			w.raw("**")
			c.render(w, k)
			if len(w.lines) == before && len(w.cur) >= mark+2 && strings.TrimSpace(string(w.cur[mark+2:])) == "" {
				w.cur = w.cur[:mark]
			} else {
				w.raw("**")
			}
		case name == "td" || name == "th":
			if strings.TrimSpace(string(w.cur)) != "" {
				w.raw(" | ")
			}
			c.render(w, k)
		case qtiMediaElements[name] != "":
			src := k.attr("src")
			if src == "" {
				src = k.attr("data")
			}
			c.warn("%s %s 未导入（Qualify 题目只含文字）", qtiMediaElements[name], src)
		case name == "math":
			c.warn("数学公式（MathML）按纯文本导入")
			w.text(k.text())
		case name == "textEntryInteraction":
			w.raw(BlankMarker)
			c.blanks = append(c.blanks, k.attr("responseIdentifier"))
		case name == "choiceInteraction" || name == "extendedTextInteraction":
			w.block()
			if p := k.child("prompt"); p != nil {
				c.render(w, p)
			}
			w.block()
		case name == "feedbackInline" || name == "feedbackBlock":
			var fw textWriter
			c.render(&fw, k)
			if s := fw.String(); s != "" {
				c.feedback = append(c.feedback, s)
			}
		case name == "rubricBlock" && !strings.Contains(k.attr("view"), "candidate"):
			c.scorer = append(c.scorer, k)
		case name == "simpleChoice" || name == "stylesheet" || name == "object":
		case qtiBlockElements[name]:
			w.block()
			c.render(w, k)
			w.block()
		default: // span, em, i, u, sub, sup, a, code, templateInline ...: their text
			c.render(w, k)
		}
	}
}

func (c *qtiConv) choice(it *Item, in *xnode, responses map[string]*qtiResponse, template string, declared float64) {
	r := responses[in.attr("responseIdentifier")]
	if r == nil {
		c.problem("找不到 choiceInteraction 的响应声明 %q", in.attr("responseIdentifier"))
		r = &qtiResponse{}
	}
	maxChoices := 1
	if s := in.attr("maxChoices"); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			c.problem("maxChoices %q 不是非负整数", s)
		} else {
			maxChoices = n
		}
	}
	letter := map[string]string{}
	var choiceIDs []string
	for _, sc := range in.children("simpleChoice") {
		id := strings.TrimSpace(sc.attr("identifier"))
		if _, dup := letter[id]; dup {
			c.problem("选项标识 %q 重复", id)
			continue
		}
		if len(choiceIDs) >= 26 {
			c.problem("选项超过 26 个")
			break
		}
		key := string(rune('A' + len(choiceIDs)))
		letter[id] = key
		choiceIDs = append(choiceIDs, id)
		var w textWriter
		c.render(&w, sc)
		it.Options = append(it.Options, Option{Key: key, Text: w.String()})
	}
	correct := r.correct
	if len(correct) == 0 && r.mapping != nil { // no correctResponse: the positively mapped choices
		best := 0.0
		for i, k := range r.mapping.keys {
			v := r.mapping.values[i]
			switch {
			case maxChoices != 1 && v > 0:
				correct = append(correct, k)
			case maxChoices == 1 && v > best:
				best, correct = v, []string{k}
			}
		}
	}
	var keys []string
	for _, id := range correct {
		k, ok := letter[id]
		if !ok {
			c.problem("正确答案 %q 不是任何选项的标识符", id)
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)

	if maxChoices == 1 {
		if len(keys) > 1 {
			c.problem("单选题（maxChoices=1）有 %d 个正确答案", len(keys))
		}
		if len(keys) > 0 {
			it.Key.Choice = keys[0]
		}
		it.Type = Single
		if len(it.Options) == 2 && isTrueFalse(it.Options[0].Text, it.Options[1].Text) && len(keys) == 1 {
			it.Type = TrueFalse
			b := it.Options[letterIndex(keys[0])].Text == "正确"
			it.Key = Key{Bool: &b}
			it.Options = nil
		}
		it.Points = declared
		switch {
		case it.Points > 0:
		case template == "map_response" && r.mapping != nil:
			it.Points = r.mapping.max(false)
		default:
			it.Points = c.fallbackPoints(template, 1)
		}
		if r.mapping != nil && template == "map_response" {
			positive := 0
			for _, v := range r.mapping.values {
				if v > 0 {
					positive++
				}
			}
			if positive > 1 {
				c.warn("多个选项可得分（部分得分）无法表示，只有正确答案得分")
			}
		}
		return
	}
	it.Type = Multiple
	it.Key.Choices = keys
	switch {
	case template == "map_response" && r.mapping != nil:
		it.Points = declared
		if it.Points <= 0 {
			it.Points = r.mapping.max(true)
		}
		var wrong []string
		for _, id := range choiceIDs {
			if !slices.Contains(correct, id) {
				wrong = append(wrong, id)
			}
		}
		it.Scoring = c.multipleScoring(r.mapping, correct, wrong, it.Points)
	case template == "match_correct":
		it.Points = declared
		if it.Points <= 0 {
			it.Points = 1
		}
	default:
		it.Points = declared
		if it.Points <= 0 {
			it.Points = c.fallbackPoints(template, 2)
		}
		if template != "" {
			c.warn("评分模板 %s 无法识别，按全部选对才得分导入", template)
		} else {
			c.warn("没有可识别的评分规则（responseProcessing），按全部选对才得分导入")
		}
	}
}

// fallbackPoints is the score when nothing declares one: 1 under match_correct (what the template
// sets SCORE to), else the Qualify default with a warning.
func (c *qtiConv) fallbackPoints(template string, def float64) float64 {
	if template == "match_correct" {
		return 1
	}
	c.warn("未声明分值（SCORE 的 normalMaximum），按 %g 分导入", def)
	return def
}

func isTrueFalse(a, b string) bool {
	return (a == "正确" && b == "错误") || (a == "错误" && b == "正确")
}

func letterIndex(k string) int { return int(k[0] - 'A') }

// multipleScoring reads a map_response mapping as a Qualify rule: equal positive values on the
// key are partial_a (credit in proportion) or, at 0.5 each with an upper bound, partial_b. It
// warns when a QTI player would score some response differently.
func (c *qtiConv) multipleScoring(m *qtiMapping, correct, wrong []string, points float64) Scoring {
	const eps = 1e-6
	if len(correct) == 0 {
		return ""
	}
	v := m.value(correct[0])
	equal := v > 0
	for _, id := range correct {
		equal = equal && math.Abs(m.value(id)-v) < eps
	}
	wrongPositive := false
	for _, id := range wrong {
		wrongPositive = wrongPositive || m.value(id) > 0
	}
	if !equal || wrongPositive {
		c.warn("多选题映射分值（mapping）各项不等或错误选项可得分，无法准确表示，按比例计分（partial_a）导入")
		return PartialA
	}
	total := v * float64(len(correct))
	// A wrong choice must bring any selection to 0, as every Qualify rule does.
	exact := true
	if len(wrong) > 0 {
		exact = m.lower != nil && math.Abs(*m.lower) < eps
		for _, id := range wrong {
			exact = exact && m.value(id) <= -total+eps
		}
	}
	var rule Scoring
	switch {
	case math.Abs(total-points) < eps && (m.upper == nil || *m.upper >= total-eps):
		rule = PartialA
	case math.Abs(v-0.5) < eps && m.upper != nil && math.Abs(*m.upper-points) < eps && total >= points-eps:
		rule = PartialB
	case math.Abs(v-0.5) < eps:
		rule = PartialB
		c.warn("每个正确选项 0.5 分、全部选对共 %g 分，与分值 %g 不一致；按每项 0.5 分（partial_b）导入，全部选对得满分", total, points)
	default:
		rule = PartialA
		c.warn("映射满分 %g 与分值 %g 不一致，按比例计分（partial_a）导入", total, points)
	}
	if !exact {
		c.warn("映射中选错选项不会使得分归零（需 lowerBound=0 且错误选项扣分不少于 %g），Qualify 规则为有错选即 0 分", total)
	}
	return rule
}

func (c *qtiConv) textEntry(it *Item, responses map[string]*qtiResponse, template string, declared float64) {
	it.Type = FillBlank
	it.Key.Blanks = [][]string{}
	mapped := 0.0
	used := map[string]bool{}
	for i, id := range c.blanks {
		if used[id] {
			c.problem("第 %d 空的响应标识 %q 与前面的空重复", i+1, id)
		}
		used[id] = true
		r := responses[id]
		if r == nil {
			c.problem("找不到第 %d 空的响应声明 %q", i+1, id)
			it.Key.Blanks = append(it.Key.Blanks, []string{})
			continue
		}
		alts := []string{}
		add := func(s string) {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(alts, s) {
				alts = append(alts, s)
			}
		}
		for _, v := range r.correct {
			add(v)
		}
		if r.mapping != nil {
			best := r.mapping.max(false)
			mapped += best
			for j, k := range r.mapping.keys {
				if v := r.mapping.values[j]; v > 0 {
					add(k)
					if v < best-1e-9 {
						c.warn("第 %d 空的备选答案 %q 只得部分分（%g），Qualify 按完全正确处理", i+1, k, v)
					}
				}
			}
		}
		it.Key.Blanks = append(it.Key.Blanks, alts)
	}
	switch {
	case declared > 0:
		it.Points = declared
	case mapped > 0:
		it.Points = mapped
	case template == "match_correct":
		it.Points = 1
	default:
		it.Points = c.fallbackPoints(template, float64(max(1, len(c.blanks))))
	}
}

var criterionLine = regexp.MustCompile(`^(.+?)\s*[（(]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[）)]$`)

func (c *qtiConv) extendedText(it *Item, in *xnode, label string, responses map[string]*qtiResponse, declared float64) {
	it.Type = ShortAnswer
	if t := Type(label); t.Written() {
		it.Type = t
	}
	r := responses[in.attr("responseIdentifier")]
	var ref []string
	if r != nil {
		for _, v := range r.correct {
			if v != "" {
				ref = append(ref, v)
			}
		}
	}
	// Scorer rubric blocks: "要点（4分）" lines are the rubric, anything else is reference answer.
	for _, rb := range c.scorer {
		var w textWriter
		c.render(&w, rb)
		for _, line := range strings.Split(w.String(), "\n") {
			if m := criterionLine.FindStringSubmatch(line); m != nil {
				p, _ := strconv.ParseFloat(m[2], 64)
				it.Rubric = append(it.Rubric, Criterion{Criterion: m[1], Points: p})
			} else if strings.TrimSpace(line) != "" {
				ref = append(ref, line)
			}
		}
	}
	c.scorer = nil
	it.ReferenceAnswer = strings.Join(ref, "\n")
	sum := 0.0
	for _, cr := range it.Rubric {
		sum += cr.Points
	}
	switch {
	case declared > 0:
		it.Points = declared
	case r != nil && r.mapping != nil && r.mapping.upper != nil && *r.mapping.upper > 0:
		it.Points = *r.mapping.upper
	case sum > 0:
		it.Points = sum
	default:
		it.Points = 1
		c.warn("未声明分值（SCORE 的 normalMaximum），按 1 分导入")
	}
}

// ---- export ----

var qtiIdentifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,127}$`)

// ExportQTI writes items as a QTI 2.1 content package: imsmanifest.xml and items/<Ref>.xml per
// item, which ParseQTI reads back to the same type, stem, options, key, points, scoring,
// explanation, reference answer and rubric. Single, true/false and all-or-nothing multiple choice
// use the match_correct template with SCORE's normalMaximum as the points; partial_a and
// partial_b become map_response mappings (exact in any QTI player, except partial_b when 0.5 per
// correct option adds up to less than the points); blanks carry their alternatives as mapEntries.
// Classification (knowledge points, competencies, difficulty, basis, review date) and the
// double-marking tolerance have no place in a QTI item and are not written. It returns an error
// for an item of unknown type or whose blanks do not match its key.
func ExportQTI(items []Item) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	modified := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // reproducible packages
	write := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	var man strings.Builder
	man.WriteString(xml.Header)
	man.WriteString(`<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="MANIFEST-qualify" xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd">` + "\n")
	man.WriteString("  <metadata>\n    <schema>QTIv2.1 Package</schema>\n    <schemaversion>1.0.0</schemaversion>\n  </metadata>\n  <organizations/>\n  <resources>\n")
	used := map[string]bool{}
	for i, it := range items {
		id := it.Ref
		if !qtiIdentifier.MatchString(id) {
			id = fmt.Sprintf("item-%d", i+1)
		}
		for n := 2; used[id]; n++ {
			id = fmt.Sprintf("%s-%d", strings.TrimSuffix(id, fmt.Sprintf("-%d", n-1)), n)
		}
		used[id] = true
		doc, err := qtiItemXML(id, it)
		if err != nil {
			return nil, fmt.Errorf("第 %d 题（%s）：%w", i+1, it.Ref, err)
		}
		file := "items/" + id + ".xml"
		if err := write(file, doc); err != nil {
			return nil, err
		}
		fmt.Fprintf(&man, "    <resource identifier=\"RES-%s\" type=\"%s\" href=\"%s\">\n      <file href=\"%s\"/>\n    </resource>\n",
			xmlEscape(id), qtiItemResource, xmlEscape(file), xmlEscape(file))
	}
	man.WriteString("  </resources>\n</manifest>\n")
	if err := write("imsmanifest.xml", []byte(man.String())); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

var boldSpan = regexp.MustCompile(`\*\*(.+?)\*\*`)

// qtiInline renders one line of Qualify text (**bold**) as XHTML inline content.
func qtiInline(line string) string {
	return boldSpan.ReplaceAllString(xmlEscape(line), "<strong>$1</strong>")
}

// qtiParagraphs renders text as one <p> per line, an empty line as an empty <p>.
func qtiParagraphs(text, indent string, blank func(string) string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		s := qtiInline(line)
		if blank != nil {
			s = blank(s)
		}
		if s == "" {
			b.WriteString(indent + "<p/>\n")
		} else {
			b.WriteString(indent + "<p>" + s + "</p>\n")
		}
	}
	return b.String()
}

func qtiTitle(it Item, id string) string {
	t := strings.ReplaceAll(strings.SplitN(it.Stem, "\n", 2)[0], "**", "")
	if r := []rune(t); len(r) > 40 {
		t = string(r[:40]) + "…"
	}
	if strings.TrimSpace(t) == "" {
		return id
	}
	return t
}

func qtiItemXML(id string, it Item) ([]byte, error) {
	if !it.Type.Valid() {
		return nil, fmt.Errorf("未知题型 %q", it.Type)
	}
	if it.Type.Choice() && len(it.Options) > 26 {
		return nil, errors.New("选项超过 26 个")
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<assessmentItem xmlns="%s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="%s http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd" identifier="%s" title="%s" label="%s" adaptive="false" timeDependent="false" toolName="Qualify" toolVersion="1">`+"\n",
		qtiNamespace, qtiNamespace, xmlEscape(id), xmlEscape(qtiTitle(it, id)), it.Type)
	points := fmtFloat(it.Points)
	outcome := fmt.Sprintf("  <outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" baseType=\"float\" normalMaximum=\"%s\">\n    <defaultValue><value>0</value></defaultValue>\n  </outcomeDeclaration>\n", points)
	feedbackOutcome := "  <outcomeDeclaration identifier=\"FEEDBACK\" cardinality=\"single\" baseType=\"identifier\"/>\n"
	var body, processing string
	switch it.Type {
	case Single, Multiple, TrueFalse:
		opts, correct := it.Options, []string{it.Key.Choice}
		maxChoices := "1"
		if it.Type == TrueFalse {
			opts = []Option{{"A", "正确"}, {"B", "错误"}}
			if it.Key.Bool == nil {
				return nil, errors.New("判断题缺少答案")
			}
			correct = []string{"B"}
			if *it.Key.Bool {
				correct = []string{"A"}
			}
		}
		cardinality := "single"
		if it.Type == Multiple {
			correct, cardinality, maxChoices = it.Key.Choices, "multiple", "0"
		}
		// Choice identifiers are the option letters.
		b.WriteString("  <responseDeclaration identifier=\"RESPONSE\" cardinality=\"" + cardinality + "\" baseType=\"identifier\">\n    <correctResponse>\n")
		for _, k := range correct {
			b.WriteString("      <value>" + xmlEscape(k) + "</value>\n")
		}
		b.WriteString("    </correctResponse>\n")
		processing = "match_correct"
		if it.Type == Multiple && (it.Scoring == PartialA || it.Scoring == PartialB) && len(correct) > 0 {
			n := float64(len(correct))
			v, upper := it.Points/n, it.Points
			if it.Scoring == PartialB {
				v = 0.5
			}
			penalty := -math.Max(it.Points, v*n)
			fmt.Fprintf(&b, "    <mapping lowerBound=\"0\" upperBound=\"%s\" defaultValue=\"0\">\n", fmtFloat(upper))
			for _, o := range opts {
				val := penalty
				if slices.Contains(correct, o.Key) {
					val = v
				}
				fmt.Fprintf(&b, "      <mapEntry mapKey=\"%s\" mappedValue=\"%s\" caseSensitive=\"true\"/>\n", xmlEscape(o.Key), fmtFloat(val))
			}
			b.WriteString("    </mapping>\n")
			processing = "map_response"
		}
		b.WriteString("  </responseDeclaration>\n")
		var cb strings.Builder
		cb.WriteString(qtiParagraphs(it.Stem, "    ", nil))
		fmt.Fprintf(&cb, "    <choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"false\" maxChoices=\"%s\">\n", maxChoices)
		for _, o := range opts {
			cb.WriteString("      <simpleChoice identifier=\"" + xmlEscape(o.Key) + "\">" + strings.Join(mapLines(o.Text, qtiInline), "<br/>") + "</simpleChoice>\n")
		}
		cb.WriteString("    </choiceInteraction>\n")
		body = cb.String()
	case FillBlank:
		n := strings.Count(it.Stem, BlankMarker)
		if n != len(it.Key.Blanks) {
			return nil, fmt.Errorf("题干有 %d 个空，答案有 %d 组", n, len(it.Key.Blanks))
		}
		for i, alts := range it.Key.Blanks {
			rid := qtiBlankID(i, n)
			b.WriteString("  <responseDeclaration identifier=\"" + rid + "\" cardinality=\"single\" baseType=\"string\">\n")
			if len(alts) > 0 {
				b.WriteString("    <correctResponse>\n      <value>" + xmlEscape(alts[0]) + "</value>\n    </correctResponse>\n")
			}
			b.WriteString("    <mapping defaultValue=\"0\">\n")
			for _, a := range alts {
				fmt.Fprintf(&b, "      <mapEntry mapKey=\"%s\" mappedValue=\"%s\" caseSensitive=\"false\"/>\n", xmlEscape(a), fmtFloat(it.Points/float64(n)))
			}
			b.WriteString("    </mapping>\n  </responseDeclaration>\n")
		}
		i := 0
		body = qtiParagraphs(it.Stem, "    ", func(s string) string {
			for strings.Contains(s, BlankMarker) {
				s = strings.Replace(s, BlankMarker, fmt.Sprintf(`<textEntryInteraction responseIdentifier="%s" expectedLength="%d"/>`, qtiBlankID(i, n), qtiExpectedLength(it.Key.Blanks[i])), 1)
				i++
			}
			return s
		})
		processing = "map_response"
		if n > 1 {
			processing = "sum"
		}
	default: // written types
		b.WriteString("  <responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" baseType=\"string\"")
		if it.ReferenceAnswer != "" {
			b.WriteString(">\n    <correctResponse>\n      <value>" + xmlEscape(it.ReferenceAnswer) + "</value>\n    </correctResponse>\n  </responseDeclaration>\n")
		} else {
			b.WriteString("/>\n")
		}
		var bb strings.Builder
		bb.WriteString(qtiParagraphs(it.Stem, "    ", nil))
		if len(it.Rubric) > 0 {
			bb.WriteString("    <rubricBlock view=\"scorer\">\n")
			for _, cr := range it.Rubric {
				fmt.Fprintf(&bb, "      <p>%s（%s分）</p>\n", xmlEscape(cr.Criterion), fmtFloat(cr.Points))
			}
			bb.WriteString("    </rubricBlock>\n")
		}
		bb.WriteString("    <extendedTextInteraction responseIdentifier=\"RESPONSE\" expectedLines=\"10\"/>\n")
		body = bb.String()
	}
	b.WriteString(outcome)
	if it.Explanation != "" {
		b.WriteString(feedbackOutcome)
	}
	b.WriteString("  <itemBody>\n" + body + "  </itemBody>\n")
	switch processing {
	case "match_correct", "map_response":
		b.WriteString("  <responseProcessing template=\"" + qtiRPTemplates + processing + "\"/>\n")
	case "sum": // several blanks: the sum of each blank's mapping
		b.WriteString("  <responseProcessing>\n    <setOutcomeValue identifier=\"SCORE\">\n      <sum>\n")
		for i := range it.Key.Blanks {
			fmt.Fprintf(&b, "        <mapResponse identifier=\"%s\"/>\n", qtiBlankID(i, len(it.Key.Blanks)))
		}
		b.WriteString("      </sum>\n    </setOutcomeValue>\n  </responseProcessing>\n")
	}
	if it.Explanation != "" {
		// Hidden only when FEEDBACK equals EXPLANATION, which it never does: always shown.
		b.WriteString("  <modalFeedback outcomeIdentifier=\"FEEDBACK\" identifier=\"EXPLANATION\" showHide=\"hide\" title=\"解析\">\n")
		b.WriteString(qtiParagraphs(it.Explanation, "    ", nil))
		b.WriteString("  </modalFeedback>\n")
	}
	b.WriteString("</assessmentItem>\n")
	return []byte(b.String()), nil
}

func mapLines(s string, f func(string) string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = f(l)
	}
	return lines
}

func qtiBlankID(i, n int) string {
	if n == 1 {
		return "RESPONSE"
	}
	return fmt.Sprintf("RESPONSE_%d", i+1)
}

func qtiExpectedLength(alts []string) int {
	n := 4
	for _, a := range alts {
		n = max(n, utf8.RuneCountInString(a))
	}
	return n
}
