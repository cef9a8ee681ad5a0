package eligibility

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

type sheetRow struct {
	N     int
	Cells []string
}

func rowsBy(read func([]byte, func(int, []string) error) error, data []byte) ([]sheetRow, error) {
	var out []sheetRow
	err := read(data, func(n int, cells []string) error {
		if len(cells) > 0 {
			out = append(out, sheetRow{n, append([]string(nil), cells...)})
		}
		return nil
	})
	return out, err
}

// pkg builds a workbook package around a sheet's XML and, if any, shared strings' XML.
func pkg(t *testing.T, sheet, sst string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	types := `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	if sst != "" {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/>`
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
	}
	parts := map[string]string{
		"[Content_Types].xml": types + `</Types>`,
		"_rels/.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": rels + `</Relationships>`,
		"xl/worksheets/sheet1.xml":   sheet,
	}
	if sst != "" {
		parts["xl/sharedStrings.xml"] = sst
	}
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body)) //nolint:errcheck
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const sheetNS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`

// TestScanFirstSheetReadsAsExcelize compares the hand-written reader with excelize's streaming
// reader on workbooks made by excelize and by hand: the same rows and cells, or errUnsupported
// (and then excelize reads it).
func TestScanFirstSheetReadsAsExcelize(t *testing.T) {
	byExcelize := func(t *testing.T, fill func(f *excelize.File)) []byte {
		f := excelize.NewFile()
		defer f.Close()
		fill(f)
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	cases := []struct {
		name      string
		data      func(t *testing.T) []byte
		supported bool
	}{
		{"shared strings, numbers, sparse rows and cells", func(t *testing.T) []byte {
			return byExcelize(t, func(f *excelize.File) {
				f.SetSheetRow("Sheet1", "A1", &[]any{"干部编号", "拟任职务层次", "职务类别", "核查日期"})
				f.SetSheetRow("Sheet1", "A2", &[]any{"GB1", "县处级副职", "党政领导", 46082})
				f.SetSheetRow("Sheet1", "B4", &[]any{" 前后空格 ", "a&b<c>\"d'", 3.25})
				f.SetCellValue("Sheet1", "F7", "换行\r\n与\n回车")
				f.SetCellValue("Sheet1", "A9", 12345678901234)
				f.SetCellValue("Sheet1", "C9", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
			})
		}, true},
		{"formulas and rich text", func(t *testing.T) []byte {
			return byExcelize(t, func(f *excelize.File) {
				f.SetSheetRow("Sheet1", "A1", &[]any{1, 2})
				f.SetCellFormula("Sheet1", "C1", "A1+B1")
				f.SetCellRichText("Sheet1", "A2", []excelize.RichTextRun{{Text: "粗"}, {Text: "体", Font: &excelize.Font{Bold: true}}})
			})
		}, true},
		{"streamed inline strings", func(t *testing.T) []byte {
			return byExcelize(t, func(f *excelize.File) {
				sw, _ := f.NewStreamWriter("Sheet1")
				sw.SetRow("A1", []any{"干部编号", "拟任职务层次"})
				sw.SetRow("A2", []any{"GB<1>", 7, "", "x"})
				sw.SetRow("C5", []any{"稀疏"})
				sw.Flush()
			})
		}, true},
		{"booleans are left to excelize", func(t *testing.T) []byte {
			return byExcelize(t, func(f *excelize.File) { f.SetSheetRow("Sheet1", "A1", &[]any{true, "x"}) })
		}, false},
		{"escaped characters are left to excelize", func(t *testing.T) []byte {
			return byExcelize(t, func(f *excelize.File) { f.SetSheetRow("Sheet1", "A1", &[]any{"a\x01b", "_x0041_"}) })
		}, false},
		{"prefixes, no references, entities, comments, phonetic runs", func(t *testing.T) []byte {
			return pkg(t, `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>`+
				`<!-- a comment --><x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v> 1 </x:v></x:c><x:c/><x:c t="inlineStr"><x:is><x:t>&#x4E2D;&#25991;&amp;</x:t></x:is></x:c></x:row>`+
				`<x:row r="3" spans="1:3"><x:c r="C3" t="str"><x:v>a&#13;&#10;b</x:v></x:c><x:c><x:v>1.5E+3</x:v></x:c></x:row>`+
				`<x:row r="4"/></x:sheetData></x:worksheet>`,
				`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t xml:space="preserve"> 张三 </t></si>`+
					`<si><r><rPr><b/></rPr><t>李</t></r><r><t>四</t></r><rPh sb="0" eb="1"><t>り</t></rPh><phoneticPr fontId="1"/></si></sst>`)
		}, true},
		{"an empty sheet", func(t *testing.T) []byte { return pkg(t, sheetNS+`<sheetData/></worksheet>`, "") }, true},
		{"a DTD is left to excelize", func(t *testing.T) []byte {
			return pkg(t, `<!DOCTYPE x>`+sheetNS+`<sheetData/></worksheet>`, "")
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.data(t)
			want, werr := rowsBy(readWithExcelize, data)
			got, err := rowsBy(scanFirstSheet, data)
			if !c.supported {
				if !errors.Is(err, errUnsupported) {
					t.Fatalf("read %v (%v), want errUnsupported", got, err)
				}
				return
			}
			if err != nil || werr != nil {
				t.Fatalf("errors %v / excelize %v", err, werr)
			}
			if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
				t.Fatalf("got  %#v\nwant %#v", got, want)
			}
			if len(want) == 0 && !strings.Contains(c.name, "empty") {
				t.Fatal("no rows")
			}
		})
	}
}

// TestResultSheetRoundTrip writes odd texts and reads them back with excelize.
func TestResultSheetRoundTrip(t *testing.T) {
	texts := []string{"a&b<c>d", " lead and trail ", "多\n行", "ctl\x01\x1f", "_x0041_ stays", "bad \xff utf-8", strings.Repeat("长", 40000)}
	s, err := newResultSheet("结果", 2, 3, 40)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range texts {
		if err := s.addRow(i+1, x, "", "end"); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.finish()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if l := f.GetSheetList(); len(l) != 1 || l[0] != "结果" {
		t.Fatalf("sheets %v", l)
	}
	got, err := f.GetRows("结果")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a&b<c>d", " lead and trail ", "多\n行", "ctl\x01\x1f", "_x0041_ stays", "bad \uFFFD utf-8", strings.Repeat("长", maxCellChars)}
	for i, r := range got {
		if len(r) != 4 || r[0] != fmt.Sprint(i+1) || r[1] != want[i] || r[2] != "" || r[3] != "end" {
			t.Fatalf("row %d: %q", i+1, r)
		}
	}
	if w, _ := f.GetColWidth("结果", "C"); w != 40 {
		t.Fatalf("width %v", w)
	}
}
