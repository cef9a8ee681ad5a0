package bank

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// zipDir packs a testdata folder as a package would be uploaded.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipFiles packs name/content pairs in order (names are written as given, unsafe ones included).
func zipFiles(t testing.TB, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: files[i], Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func boolp(b bool) *bool { return &b }

// lyingZip holds items/big.xml: 60 MiB of zeros whose header claims 100 bytes.
func lyingZip(t testing.TB, manifest, item string) []byte {
	t.Helper()
	var raw bytes.Buffer
	fw, err := flate.NewWriter(&raw, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(make([]byte, 60<<20)); err != nil {
		t.Fatal(err)
	}
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range [][2]string{{"imsmanifest.xml", manifest}, {"items/ok.xml", item}} {
		w, _ := zw.Create(f[0])
		w.Write([]byte(f[1]))
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "items/big.xml", Method: zip.Deflate,
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: 100, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseQTIFromAnotherTool(t *testing.T) {
	const pkg = "othertool.zip"
	items, problems, warnings := ParseQTI(pkg, zipDir(t, "testdata/qti/othertool"), "party_affairs", DefaultTaxonomy)
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	byRef := map[string]Item{}
	for _, it := range items {
		byRef[it.Ref] = it
		if it.Subject != "party_affairs" || it.Source != pkg || it.Status != Draft {
			t.Errorf("%s: subject %q source %q status %q, want party_affairs, %s, draft", it.Ref, it.Subject, it.Source, it.Status, pkg)
		}
	}
	tests := []struct {
		ref         string
		typ         Type
		stem        string
		options     []string
		key         Key
		points      float64
		scoring     Scoring
		explanation string
		rubric      []Criterion
	}{
		{ref: "ITEM-0001", typ: Single,
			stem:    "根据党章，中国共产党的**最高理想**和最终目标是什么？\n请选择一项。",
			options: []string{"全面建成小康社会", "实现共产主义", "实现中华民族伟大复兴", "建设社会主义现代化强国"},
			key:     Key{Choice: "B"}, points: 1, explanation: "党章总纲：党的最高理想和最终目标是实现共产主义。"},
		{ref: "ITEM-0002", typ: Multiple, stem: "下列属于“四个意识”的有（ ）。",
			options: []string{"政治意识", "忧患意识", "大局意识", "核心意识", "服务意识"},
			key:     Key{Choices: []string{"A", "C", "D"}}, points: 3, scoring: PartialA},
		{ref: "ITEM-0003", typ: TrueFalse, stem: "预备党员的预备期为两年。", key: Key{Bool: boolp(false)}, points: 0.5},
		{ref: "ITEM-0004", typ: FillBlank, stem: "中国特色社会主义最本质的特征是____；我国社会主义民主政治的本质特征是____。",
			key: Key{Blanks: [][]string{{"中国共产党的领导", "党的领导"}, {"人民当家作主"}}}, points: 2,
			explanation: "见党章总纲和宪法第一条。"},
		{ref: "ITEM-0005", typ: ShortAnswer, stem: "简述新时代党的组织路线的主要内容。\n• 结合本单位实际\n• 不少于 300 字", points: 10,
			rubric: []Criterion{{"全面贯彻新时代中国特色社会主义思想", 4}, {"以组织体系建设为重点", 6}}},
		{ref: "ITEM-0007", typ: Single, stem: "下图所示会议旧址位于哪个城市？",
			options: []string{"上海", "嘉兴", "遵义", "延安"}, key: Key{Choice: "C"}, points: 1},
	}
	if len(items) != len(tests) {
		t.Errorf("got %d items, want %d", len(items), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			it, ok := byRef[tt.ref]
			if !ok {
				t.Fatalf("item %s not imported", tt.ref)
			}
			if it.Type != tt.typ || it.Stem != tt.stem || it.Points != tt.points || it.Scoring != tt.scoring || it.Explanation != tt.explanation {
				t.Errorf("got type %s stem %q points %g scoring %q explanation %q\nwant type %s stem %q points %g scoring %q explanation %q",
					it.Type, it.Stem, it.Points, it.Scoring, it.Explanation, tt.typ, tt.stem, tt.points, tt.scoring, tt.explanation)
			}
			var opts []string
			for i, o := range it.Options {
				if o.Key != string(rune('A'+i)) {
					t.Errorf("option %d has key %q", i, o.Key)
				}
				opts = append(opts, o.Text)
			}
			if !reflect.DeepEqual(opts, tt.options) {
				t.Errorf("options %q, want %q", opts, tt.options)
			}
			if !reflect.DeepEqual(it.Key, tt.key) && !(tt.key.Blanks == nil && reflect.DeepEqual(it.Key, Key{Blanks: [][]string{}})) {
				t.Errorf("key %+v, want %+v", it.Key, tt.key)
			}
			if !reflect.DeepEqual(it.Rubric, tt.rubric) {
				t.Errorf("rubric %v, want %v", it.Rubric, tt.rubric)
			}
		})
	}
	// What could not be represented, each located in its item file with the item identifier.
	wantWarnings := []struct{ loc, text string }{
		{"othertool.zip!imsmanifest.xml (test-1)", "assessmentTest"},
		{"othertool.zip!items/multiple.xml (ITEM-0002)", "错选"},
		{"othertool.zip!items/match.xml (ITEM-0006)", "matchInteraction"},
		{"othertool.zip!items/image.xml (ITEM-0007)", "图片 ../images/map.png 未导入"},
	}
	for _, w := range wantWarnings {
		found := false
		for _, got := range warnings {
			found = found || (got.Location == w.loc && strings.Contains(got.Message, w.text))
		}
		if !found {
			t.Errorf("no warning at %s mentioning %q; warnings:\n%s", w.loc, w.text, warnings.Error())
		}
	}
	if len(warnings) != len(wantWarnings) {
		t.Errorf("got %d warnings, want %d:\n%s", len(warnings), len(wantWarnings), warnings.Error())
	}
}

func TestParseQTIBrokenPackages(t *testing.T) {
	manifest := func(hrefs ...string) string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>`)
		for i, h := range hrefs {
			b.WriteString(`<resource identifier="r` + string(rune('0'+i)) + `" type="imsqti_item_xmlv2p1" href="` + h + `"/>`)
		}
		b.WriteString(`</resources></manifest>`)
		return b.String()
	}
	good := `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="ok">
		<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>x</value></correctResponse></responseDeclaration>
		<itemBody><p>题干</p><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">
		<simpleChoice identifier="x">甲</simpleChoice><simpleChoice identifier="y">乙</simpleChoice></choiceInteraction></itemBody>
		<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/></assessmentItem>`
	tests := []struct {
		name  string
		data  []byte
		want  []string // location and message fragment pairs
		items int
	}{
		{"not a zip", []byte("PK\x03\x04 this is not a zip"), []string{"p.zip", "不是有效的 zip"}, 0},
		{"no manifest", zipFiles(t, "items/a.xml", good), []string{"p.zip", "imsmanifest.xml"}, 0},
		{"manifest not XML", zipFiles(t, "imsmanifest.xml", "<manifest><resources>"), []string{"p.zip!imsmanifest.xml", "XML 格式错误"}, 0},
		{"missing and malformed items",
			zipFiles(t, "imsmanifest.xml", manifest("items/ok.xml", "items/gone.xml", "items/bad.xml", "items/wrong.xml"),
				"items/ok.xml", good, "items/bad.xml", "<assessmentItem><itemBody><p>未闭合</itemBody>",
				"items/wrong.xml", `<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="w">
					<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"><correctResponse><value>zz</value></correctResponse></responseDeclaration>
					<itemBody><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><simpleChoice identifier="x">甲</simpleChoice><simpleChoice identifier="y">乙</simpleChoice></choiceInteraction></itemBody></assessmentItem>`),
			[]string{
				"p.zip!items/gone.xml (r1)", "不存在",
				"p.zip!items/bad.xml (r2)", "XML 格式错误",
				"p.zip!items/wrong.xml (w)", "正确答案 \"zz\" 不是任何选项",
				"p.zip!items/wrong.xml (w)", "题干不能为空",
			}, 2},
		{"path traversal",
			zipFiles(t, "imsmanifest.xml", manifest("../../etc/passwd.xml", "/abs.xml", "items/ok.xml"), "../evil.xml", good, `items\win.xml`, good, "items/ok.xml", good),
			[]string{
				"p.zip!../evil.xml", "不安全",
				`p.zip!items\win.xml`, "不安全",
				"p.zip!imsmanifest.xml (r0)", "不安全",
				"p.zip!imsmanifest.xml (r1)", "不安全",
			}, 1},
		{"zip bomb", zipFiles(t, "imsmanifest.xml", manifest("items/ok.xml"), "items/ok.xml", good, "filler.bin", strings.Repeat("\x00", maxQTIUnzippedBytes)),
			[]string{"p.zip", "压缩炸弹"}, 0},
		{"zip bomb with a lying header", lyingZip(t, manifest("items/ok.xml", "items/big.xml"), good), []string{"p.zip!items/big.xml (r1)", "无法解压"}, 1},
		{"GBK file name", zipFiles(t, "imsmanifest.xml", manifest("题目/单选.xml"), "\xcc\xe2\xc4\xbf/\xb5\xa5\xd1\xa1.xml", good), nil, 1},
		{"deep nesting", zipFiles(t, "imsmanifest.xml", manifest("items/deep.xml"), "items/deep.xml", strings.Repeat("<div>", 500)),
			[]string{"p.zip!items/deep.xml (r0)", "嵌套"}, 0},
		{"wrong root", zipFiles(t, "imsmanifest.xml", manifest("items/t.xml"), "items/t.xml", `<assessmentTest identifier="t"/>`),
			[]string{"p.zip!items/t.xml (r0)", "assessmentItem"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, problems, _ := ParseQTI("p.zip", tt.data, "political_theory", DefaultTaxonomy)
			if len(items) != tt.items {
				t.Errorf("got %d items, want %d", len(items), tt.items)
			}
			for i := 0; i < len(tt.want); i += 2 {
				found := false
				for _, p := range problems {
					found = found || (p.Location == tt.want[i] && strings.Contains(p.Message, tt.want[i+1]))
				}
				if !found {
					t.Errorf("no problem at %s mentioning %q; problems:\n%s", tt.want[i], tt.want[i+1], problems.Error())
				}
			}
			for _, p := range problems {
				if !strings.HasPrefix(p.Location, "p.zip") {
					t.Errorf("problem without a package location: %s", p)
				}
			}
		})
	}
}

func TestParseQTIUnknownSubject(t *testing.T) {
	_, problems, _ := ParseQTI("p.zip", zipDir(t, "testdata/qti/othertool"), "history", DefaultTaxonomy)
	if len(problems) != 1 || problems[0].Field != "subject" {
		t.Fatalf("problems = %v, want one subject problem", problems)
	}
}

// qtiRoundTripItems has an item of every type, with the scoring rules QTI can carry exactly.
func qtiRoundTripItems() []Item {
	return []Item{
		{Ref: "pa-qti-001", Type: Single, Stem: "党的**最高理想**是什么？\n（单选）",
			Options: []Option{{"A", "小康 <社会> & 现代化"}, {"B", "共产主义"}, {"C", "民族复兴"}, {"D", "共同富裕"}},
			Key:     Key{Choice: "B"}, Points: 1, Explanation: "党章总纲。\n\n第二段解析。"},
		{Ref: "pa-qti-002", Type: Multiple, Stem: "下列属于“四个意识”的有（ ）。",
			Options: []Option{{"A", "政治意识"}, {"B", "忧患意识"}, {"C", "大局意识"}, {"D", "核心意识"}},
			Key:     Key{Choices: []string{"A", "C", "D"}}, Points: 2, Explanation: "四个意识。"},
		{Ref: "pa-qti-003", Type: Multiple, Stem: "按比例计分的多选题。",
			Options: []Option{{"A", "甲"}, {"B", "乙"}, {"C", "丙"}, {"D", "丁"}, {"E", "戊"}},
			Key:     Key{Choices: []string{"A", "B", "E"}}, Scoring: PartialA, Points: 2},
		{Ref: "pa-qti-004", Type: Multiple, Stem: "每项 0.5 分的多选题。",
			Options: []Option{{"A", "甲"}, {"B", "乙"}, {"C", "丙"}, {"D", "丁"}},
			Key:     Key{Choices: []string{"A", "B", "C"}}, Scoring: PartialB, Points: 1},
		{Ref: "pa-qti-005", Type: TrueFalse, Stem: "预备期为一年。", Key: Key{Bool: boolp(true)}, Points: 1},
		{Ref: "pa-qti-006", Type: TrueFalse, Stem: "预备期为两年。", Key: Key{Bool: boolp(false)}, Points: 0.5, Explanation: "一年。"},
		{Ref: "pa-qti-007", Type: FillBlank, Stem: "党的根本宗旨是____。", Key: Key{Blanks: [][]string{{"全心全意为人民服务"}}}, Points: 1},
		{Ref: "pa-qti-008", Type: FillBlank, Stem: "最本质的特征是____，\n本质特征是____。",
			Key: Key{Blanks: [][]string{{"中国共产党的领导", "党的领导", "Party Leadership"}, {"人民当家作主"}}}, Points: 3},
		{Ref: "pa-qti-009", Type: ShortAnswer, Stem: "简述组织路线。", Points: 10, ReferenceAnswer: "要点一……\n要点二……",
			Rubric: []Criterion{{"指出组织体系建设", 4}, {"说明干部队伍建设", 6}}, Explanation: "参见十九届四中全会。"},
		{Ref: "pa-qti-010", Type: CaseAnalysis, Stem: "阅读材料，分析问题。", Points: 20,
			Rubric: []Criterion{{"分析原因", 8}, {"提出对策", 12}}},
		{Ref: "pa-qti-011", Type: Essay, Stem: "论述全面从严治党。", Points: 30},
	}
}

func TestQTIRoundTrip(t *testing.T) {
	want := qtiRoundTripItems()
	data, err := ExportQTI(want)
	if err != nil {
		t.Fatal(err)
	}
	got, problems, warnings := ParseQTI("export.zip", data, "party_affairs", DefaultTaxonomy)
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	for _, w := range warnings {
		t.Errorf("warning: %s", w)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i, w := range want {
		t.Run(w.Ref, func(t *testing.T) {
			g := got[i]
			if g.Type == FillBlank || w.Type == FillBlank {
				if !reflect.DeepEqual(g.Key.Blanks, w.Key.Blanks) {
					t.Errorf("blanks %q, want %q", g.Key.Blanks, w.Key.Blanks)
				}
				g.Key.Blanks, w.Key.Blanks = nil, nil
			}
			g.Subject, g.Source, g.Status = "", "", ""
			if !reflect.DeepEqual(g, w) {
				t.Errorf("round trip\n got %+v\nwant %+v", g, w)
			}
		})
	}
}

// TestQTIPartialBAtFullValueReadsAsPartialA: 0.5 per correct option adding up to the points is
// partial_a as well; the two rules then score every response alike.
func TestQTIPartialBAtFullValueReadsAsPartialA(t *testing.T) {
	it := Item{Ref: "pb", Type: Multiple, Stem: "题", Options: []Option{{"A", "甲"}, {"B", "乙"}, {"C", "丙"}},
		Key: Key{Choices: []string{"A", "B"}}, Scoring: PartialB, Points: 1}
	data, err := ExportQTI([]Item{it})
	if err != nil {
		t.Fatal(err)
	}
	got, problems, warnings := ParseQTI("p.zip", data, "party_affairs", DefaultTaxonomy)
	if len(problems)+len(warnings) != 0 || len(got) != 1 || got[0].Scoring != PartialA {
		t.Fatalf("got %+v, problems %v, warnings %v", got, problems, warnings)
	}
	for _, chosen := range [][]string{{"A"}, {"B"}, {"A", "B"}, {"A", "C"}} {
		r := Response{Choices: chosen}
		a, _ := ScoreObjective(it, r, 1, "")
		b, _ := ScoreObjective(got[0], r, 1, "")
		if a != b {
			t.Errorf("%v scores %g under partial_b, %g under partial_a", chosen, a, b)
		}
	}
}

func TestExportQTIRejectsUnknownType(t *testing.T) {
	if _, err := ExportQTI([]Item{{Ref: "x", Type: "matching", Stem: "?"}}); err == nil {
		t.Error("want an error for an unknown type")
	}
}

func FuzzParseQTI(f *testing.F) {
	f.Add(zipDir(f, "testdata/qti/othertool"))
	exported, err := ExportQTI(qtiRoundTripItems())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(exported)
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, problems, warnings := ParseQTI("f.zip", data, "political_theory", DefaultTaxonomy)
		for _, p := range append(problems, warnings...) {
			if !strings.HasPrefix(p.Location, "f.zip") {
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

// FuzzQTIItem fuzzes one assessmentItem inside a well-formed package, which mutations of whole
// zips seldom reach (their CRCs break first).
func FuzzQTIItem(f *testing.F) {
	files, err := filepath.Glob("testdata/qti/othertool/items/*.xml")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	manifest := `<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>
		<resource identifier="r" type="imsqti_item_xmlv2p1" href="item.xml"/></resources></manifest>`
	f.Fuzz(func(t *testing.T, item string) {
		items, problems, warnings := ParseQTI("f.zip", zipFiles(t, "imsmanifest.xml", manifest, "item.xml", item), "political_theory", DefaultTaxonomy)
		for _, p := range append(problems, warnings...) {
			if !strings.HasPrefix(p.Location, "f.zip!") {
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
