package eligibility

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A batch roster of 100,000 rows takes excelize more than a second to read and as long again to
// write back with its verdicts, most of it in encoding/xml; the batch's target is ten seconds for
// everything. So the roster is read by scanFirstSheet, a hand-written reader of the workbooks
// rosters come in, which hands anything else back to excelize; and the result is written by
// resultSheet, which writes a minimal workbook of one sheet as the rows come.

// errUnsupported is what scanFirstSheet answers for a workbook it leaves to excelize.
var errUnsupported = errors.New("workbook left to excelize")

// maxSheetXML bounds the uncompressed size of the parts scanFirstSheet reads.
const maxSheetXML = 256 << 20

// scanFirstSheet calls fn with the number (1-based) and the cells (by column, from A) of each row
// of the first worksheet that has any, in order, as excelize's streaming reader returns them
// with RawCellValue: shared and inline strings, cached values of formulas, numbers as written.
// It returns errUnsupported for what it does not read the way excelize does (other cell types,
// escaped characters, DTDs, CDATA, unusual layouts), and fn's error as is.
func scanFirstSheet(data []byte, fn func(n int, cells []string) error) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errUnsupported
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f := parts[name]
		if f == nil || f.UncompressedSize64 > maxSheetXML {
			return nil, errUnsupported
		}
		rc, err := f.Open()
		if err != nil {
			return nil, errUnsupported
		}
		defer rc.Close()
		b := make([]byte, f.UncompressedSize64)
		if _, err := io.ReadFull(rc, b); err != nil {
			return nil, errUnsupported
		}
		return b, nil
	}
	book := "xl/workbook.xml"
	if rels, err := read("_rels/.rels"); err == nil {
		if t := relTarget(rels, "", "/officeDocument"); t != "" {
			book = partPath("", t)
		}
	}
	wb, err := read(book)
	if err != nil {
		return err
	}
	rels, err := read(path.Join(path.Dir(book), "_rels", path.Base(book)+".rels"))
	if err != nil {
		return err
	}
	id := firstSheetRel(wb)
	sheetPath := relTarget(rels, id, "/worksheet")
	if id == "" || sheetPath == "" {
		return errUnsupported
	}
	sheetPath = partPath(path.Dir(book), sheetPath)
	var sst []string
	if t := relTarget(rels, "", "/sharedStrings"); t != "" {
		b, err := read(partPath(path.Dir(book), t))
		if err != nil {
			return err
		}
		if sst, err = sharedStrings(b); err != nil {
			return err
		}
	}
	sheet, err := read(sheetPath)
	if err != nil {
		return err
	}
	return scanRows(sheet, sst, fn)
}

// partPath resolves a relationship target against the folder of its source part.
func partPath(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(dir, target)
}

// relTarget returns the target of the relationship with id (any, if empty) whose type ends with
// typ, or "".
func relTarget(rels []byte, id, typ string) string {
	c := cursor{b: rels}
	for {
		t, ok := c.next()
		if !ok || c.bad {
			return ""
		}
		if t.kind == closing || !t.is("Relationship") {
			continue
		}
		if (id == "" || t.attr("Id") == id) && strings.HasSuffix(t.attr("Type"), typ) {
			return t.attr("Target")
		}
	}
}

// firstSheetRel returns the relationship ID of the first sheet of a workbook.
func firstSheetRel(wb []byte) string {
	c := cursor{b: wb}
	for {
		t, ok := c.next()
		if !ok || c.bad {
			return ""
		}
		if t.kind != closing && t.is("sheet") {
			return t.attr("id")
		}
	}
}

// sharedStrings reads the shared strings: each item's text, the runs' texts joined, phonetic
// runs left out.
func sharedStrings(b []byte) ([]string, error) {
	var out []string
	c := cursor{b: b}
	var cur strings.Builder
	in, skip := false, 0 // inside an item; depth inside rPh / rPr
	for {
		t, ok := c.next()
		if c.bad {
			return nil, errUnsupported
		}
		if !ok {
			return out, nil
		}
		switch {
		case t.is("si") && t.kind == opening:
			in = true
			cur.Reset()
		case t.is("si") && t.kind == selfClosing:
			out = append(out, "")
		case t.is("si") && t.kind == closing:
			in = false
			s := cur.String()
			if strings.Contains(s, "_x") {
				return nil, errUnsupported // excelize unescapes _xHHHH_
			}
			out = append(out, s)
		case !in:
		case t.is("rPh") || t.is("rPr"):
			if t.kind == opening {
				skip++
			} else if t.kind == closing {
				skip--
			}
		case t.is("t") && t.kind == opening && skip == 0:
			text, ok := c.text("t")
			if !ok {
				return nil, errUnsupported
			}
			cur.WriteString(text)
		}
	}
}

// scanRows walks sheetData.
func scanRows(b []byte, sst []string, fn func(n int, cells []string) error) error {
	c := cursor{b: b}
	inData := false
	n := 0
	for {
		t, ok := c.next()
		if c.bad {
			return errUnsupported
		}
		if !ok {
			if inData {
				return errUnsupported // no </sheetData>
			}
			return nil
		}
		switch {
		case t.is("sheetData") && t.kind == opening:
			inData = true
		case t.is("sheetData") && t.kind == closing:
			return nil
		case !inData:
		case t.is("row") && t.kind != closing:
			r := n + 1
			if v := t.rawAttr("r"); len(v) > 0 {
				x, err := strconv.Atoi(string(v))
				if err != nil || x <= n || x > 1048576 {
					return errUnsupported
				}
				r = x
			}
			n = r
			var cells []string
			if t.kind == opening {
				var err error
				if cells, err = c.rowCells(sst); err != nil {
					return err
				}
			}
			if len(cells) > 0 {
				if err := fn(n, cells); err != nil {
					return &stopped{err}
				}
			}
		default:
			return errUnsupported
		}
	}
}

// stopped carries fn's error out of scanRows.
type stopped struct{ err error }

func (s *stopped) Error() string { return s.err.Error() }
func (s *stopped) Unwrap() error { return s.err }

// rowCells reads a row's cells up to </row>.
func (c *cursor) rowCells(sst []string) ([]string, error) {
	var cells []string
	col := 0
	for {
		t, ok := c.next()
		if !ok || c.bad {
			return nil, errUnsupported
		}
		switch {
		case t.is("row") && t.kind == closing:
			return cells, nil
		case !t.is("c") || t.kind == closing:
			return nil, errUnsupported
		}
		col++
		if ref := t.rawAttr("r"); len(ref) > 0 {
			x, ok := columnOf(ref)
			if !ok {
				return nil, errUnsupported
			}
			col = x
		}
		var typ string
		switch raw := t.rawAttr("t"); string(raw) {
		case "", "n":
		case "s", "str", "inlineStr":
			typ = string(raw)
		default:
			return nil, errUnsupported
		}
		if t.kind == selfClosing {
			continue
		}
		v, inline, formula, err := c.cellContent()
		if err != nil {
			return nil, err
		}
		switch typ {
		case "s":
			if v != "" {
				i, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || i < 0 || i >= len(sst) {
					return nil, errUnsupported
				}
				v = sst[i]
			}
		case "inlineStr":
			if inline != nil {
				v = *inline
				if strings.Contains(v, "_x") {
					return nil, errUnsupported
				}
			}
		}
		if v == "" && !formula {
			continue
		}
		for len(cells) < col-1 {
			cells = append(cells, "")
		}
		cells = append(cells, v)
	}
}

// cellContent reads a cell's children up to </c>: the value, the inline string (nil if none)
// and whether there is a formula.
func (c *cursor) cellContent() (v string, inline *string, formula bool, err error) {
	for {
		t, ok := c.next()
		if !ok || c.bad {
			return "", nil, false, errUnsupported
		}
		switch {
		case t.is("c") && t.kind == closing:
			return v, inline, formula, nil
		case t.is("v") && t.kind == opening:
			if v, ok = c.text("v"); !ok {
				return "", nil, false, errUnsupported
			}
		case t.is("v") && t.kind == selfClosing:
		case t.is("f"):
			formula = true
			if t.kind == opening {
				if _, ok := c.text("f"); !ok {
					return "", nil, false, errUnsupported
				}
			}
		case t.is("is") && t.kind == opening:
			s, err := c.inlineString()
			if err != nil {
				return "", nil, false, err
			}
			inline = &s
		case t.is("is") && t.kind == selfClosing:
			s := ""
			inline = &s
		default:
			return "", nil, false, errUnsupported
		}
	}
}

// inlineString reads an inline string's texts up to </is>, phonetic runs left out.
func (c *cursor) inlineString() (string, error) {
	var sb strings.Builder
	skip := 0
	for {
		t, ok := c.next()
		if !ok || c.bad {
			return "", errUnsupported
		}
		switch {
		case t.is("is") && t.kind == closing:
			return sb.String(), nil
		case t.is("rPh") || t.is("rPr"):
			if t.kind == opening {
				skip++
			} else if t.kind == closing {
				skip--
			}
		case t.is("t") && t.kind == opening && skip == 0:
			s, ok := c.text("t")
			if !ok {
				return "", errUnsupported
			}
			sb.WriteString(s)
		}
	}
}

// columnOf returns the 1-based column of a cell reference such as "AB12".
func columnOf(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		ch := ref[i]
		switch {
		case ch >= 'A' && ch <= 'Z':
			col = col*26 + int(ch-'A'+1)
		case ch >= 'a' && ch <= 'z':
			col = col*26 + int(ch-'a'+1)
		default:
			if i == 0 || col > 16384 {
				return 0, false
			}
			return col, true
		}
	}
	return 0, false
}

// tagKind is what a tag does.
type tagKind int

const (
	opening tagKind = iota
	closing
	selfClosing
)

// tag is one XML tag: its local name (any prefix dropped) and its raw attributes.
type tag struct {
	name  []byte
	kind  tagKind
	attrs []byte
}

// is reports whether the tag's local name is name.
func (t tag) is(name string) bool { return string(t.name) == name }

// attr returns the value of the attribute with that local name, or "".
func (t tag) attr(name string) string {
	v := t.rawAttr(name)
	if v == nil {
		return ""
	}
	s, ok := unescape(v)
	if !ok {
		return ""
	}
	return s
}

// rawAttr returns the value of the attribute with that local name as written, or nil.
func (t tag) rawAttr(name string) []byte {
	a := t.attrs
	for len(a) > 0 {
		a = bytes.TrimLeft(a, " \t\r\n")
		eq := bytes.IndexByte(a, '=')
		if eq <= 0 {
			return nil
		}
		key := bytes.TrimSpace(a[:eq])
		a = bytes.TrimLeft(a[eq+1:], " \t\r\n")
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return nil
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return nil
		}
		val := a[1 : end+1]
		a = a[end+2:]
		if i := bytes.IndexByte(key, ':'); i >= 0 {
			key = key[i+1:]
		}
		if string(key) == name {
			return val
		}
	}
	return nil
}

// cursor walks an XML document tag by tag; bad is set on what it does not read.
type cursor struct {
	b   []byte
	i   int
	bad bool
}

// next returns the next tag, skipping text, the declaration and comments.
func (c *cursor) next() (tag, bool) {
	for {
		j := bytes.IndexByte(c.b[c.i:], '<')
		if j < 0 {
			c.i = len(c.b)
			return tag{}, false
		}
		c.i += j
		rest := c.b[c.i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			k := bytes.Index(rest, []byte("?>"))
			if k < 0 {
				c.bad = true
				return tag{}, false
			}
			c.i += k + 2
			continue
		case bytes.HasPrefix(rest, []byte("<!--")):
			k := bytes.Index(rest, []byte("-->"))
			if k < 0 {
				c.bad = true
				return tag{}, false
			}
			c.i += k + 3
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			c.bad = true // DOCTYPE, CDATA
			return tag{}, false
		}
		end := tagEnd(rest)
		if end < 0 {
			c.bad = true
			return tag{}, false
		}
		body := rest[1:end]
		c.i += end + 1
		t := tag{kind: opening}
		if len(body) > 0 && body[0] == '/' {
			t.kind, body = closing, body[1:]
		} else if len(body) > 0 && body[len(body)-1] == '/' {
			t.kind, body = selfClosing, body[:len(body)-1]
		}
		k := bytes.IndexAny(body, " \t\r\n")
		name := body
		if k >= 0 {
			name, t.attrs = body[:k], body[k:]
		}
		if k := bytes.IndexByte(name, ':'); k >= 0 {
			name = name[k+1:]
		}
		t.name = name
		if len(t.name) == 0 {
			c.bad = true
			return tag{}, false
		}
		return t, true
	}
}

// tagEnd returns the index of the '>' closing the tag at the start of b, past quoted values.
func tagEnd(b []byte) int {
	var quote byte
	for i := 1; i < len(b); i++ {
		switch ch := b[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '>':
			return i
		}
	}
	return -1
}

// text reads the text up to </name>, which must hold no element.
func (c *cursor) text(name string) (string, bool) {
	j := bytes.IndexByte(c.b[c.i:], '<')
	if j < 0 {
		return "", false
	}
	raw := c.b[c.i : c.i+j]
	c.i += j
	t, ok := c.next()
	if !ok || t.kind != closing || !t.is(name) {
		return "", false
	}
	return unescape(raw)
}

// unescape decodes the five entities and character references, and turns "\r\n" and "\r" into
// "\n", as an XML parser does; false for other entities.
func unescape(b []byte) (string, bool) {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return string(b), true
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		switch ch := b[i]; ch {
		case '\r':
			sb.WriteByte('\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '&':
			k := bytes.IndexByte(b[i:], ';')
			if k < 0 {
				return "", false
			}
			ent := string(b[i+1 : i+k])
			i += k
			switch {
			case ent == "lt":
				sb.WriteByte('<')
			case ent == "gt":
				sb.WriteByte('>')
			case ent == "amp":
				sb.WriteByte('&')
			case ent == "quot":
				sb.WriteByte('"')
			case ent == "apos":
				sb.WriteByte('\'')
			case strings.HasPrefix(ent, "#x"):
				r, err := strconv.ParseUint(ent[2:], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", false
				}
				sb.WriteRune(rune(r))
			case strings.HasPrefix(ent, "#"):
				r, err := strconv.ParseUint(ent[1:], 10, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", false
				}
				sb.WriteRune(rune(r))
			default:
				return "", false
			}
		default:
			sb.WriteByte(ch)
		}
	}
	return sb.String(), true
}

// resultSheet writes a workbook of one sheet, streaming its rows through a fast deflate: the
// package parts, then the sheet's XML row by row. Text cells are inline strings.
type resultSheet struct {
	out   bytes.Buffer
	zw    *zip.Writer
	w     *bufio.Writer
	row   int
	start bool
	esc   []byte
}

// The package parts of the result workbook besides its sheet.
const (
	xmlHead      = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	contentTypes = xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`</Types>`
	packageRels = xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`</Relationships>`
	workbookRels = xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`</Relationships>`
	styles = xmlHead + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
)

// newResultSheet starts a workbook whose one sheet is named name, with columns from..to (1-based)
// width wide.
func newResultSheet(name string, from, to int, width float64) (*resultSheet, error) {
	s := &resultSheet{}
	s.zw = zip.NewWriter(&s.out)
	s.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	workbook := xmlHead + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` +
		string(escapeXML(nil, name)) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
	for _, p := range []struct{ name, body string }{{"[Content_Types].xml", contentTypes}, {"_rels/.rels", packageRels},
		{"xl/workbook.xml", workbook}, {"xl/_rels/workbook.xml.rels", workbookRels}, {"xl/styles.xml", styles}} {
		w, err := s.zw.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return nil, err
		}
	}
	w, err := s.zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, err
	}
	s.w = bufio.NewWriterSize(w, 64<<10)
	s.w.WriteString(xmlHead + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><cols><col min="` +
		strconv.Itoa(from) + `" max="` + strconv.Itoa(to) + `" width="` + strconv.FormatFloat(width, 'f', -1, 64) +
		`" customWidth="1"/></cols><sheetData>`)
	return s, nil
}

// addRow writes the next row: ints as numbers, strings as text (empty ones left out).
func (s *resultSheet) addRow(cells ...any) error {
	s.row++
	rn := strconv.Itoa(s.row)
	w := s.w
	w.WriteString(`<row r="`)
	w.WriteString(rn)
	w.WriteString(`">`)
	for i, v := range cells {
		switch x := v.(type) {
		case int:
			w.WriteString(`<c r="`)
			w.WriteByte(byte('A' + i))
			w.WriteString(rn)
			w.WriteString(`"><v>`)
			w.WriteString(strconv.Itoa(x))
			w.WriteString(`</v></c>`)
		case string:
			if x == "" {
				continue
			}
			w.WriteString(`<c r="`)
			w.WriteByte(byte('A' + i))
			w.WriteString(rn)
			w.WriteString(`" t="inlineStr"><is><t`)
			if strings.TrimSpace(x) != x {
				w.WriteString(` xml:space="preserve"`)
			}
			w.WriteByte('>')
			s.esc = escapeXML(s.esc[:0], x)
			w.Write(s.esc)
			w.WriteString(`</t></is></c>`)
		}
	}
	_, err := w.WriteString(`</row>`)
	return err
}

// finish ends the sheet and returns the workbook.
func (s *resultSheet) finish() ([]byte, error) {
	s.w.WriteString(`</sheetData></worksheet>`)
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	if err := s.zw.Close(); err != nil {
		return nil, err
	}
	return s.out.Bytes(), nil
}

// maxCellChars is the most characters a cell holds.
const maxCellChars = 32767

// escapeXML appends s as XML text: &, < and > escaped; characters XML cannot carry written as
// Excel does (_xHHHH_, and the "_" opening such a form in the text as _x005F_); invalid UTF-8 as
// U+FFFD; cut at maxCellChars.
func escapeXML(b []byte, s string) []byte {
	if len(s) > maxCellChars && utf8.RuneCountInString(s) > maxCellChars {
		n := 0
		for i := range s {
			if n == maxCellChars {
				s = s[:i]
				break
			}
			n++
		}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	start := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		var rep string
		switch {
		case ch == '&':
			rep = "&amp;"
		case ch == '<':
			rep = "&lt;"
		case ch == '>':
			rep = "&gt;"
		case ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r':
			rep = "_x00" + string(hexUpper[ch>>4]) + string(hexUpper[ch&0xF]) + "_"
		case ch == '_' && isBstr(s[i:]):
			rep = "_x005F_"
		case ch == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF): // U+FFFE, U+FFFF
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i += 2
			start = i + 1
			continue
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, rep...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

const hexUpper = "0123456789ABCDEF"

// isBstr reports whether s starts with an escaped character form _xHHHH_.
func isBstr(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, ch := range []byte(s[2:6]) {
		if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F') {
			return false
		}
	}
	return true
}
