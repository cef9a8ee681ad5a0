package eligibility

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"qualify/internal/cadre"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

func testLadder() *cadre.Ladder {
	return cadre.NewLadder([]cadre.PostLevel{{Code: "county_deputy", Name: "县处级副职", Ord: 8}, {Code: "township_principal", Name: "乡科级正职", Ord: 9}},
		nil, nil, []cadre.PostCategory{{Code: "administrative", Name: "行政管理"}, {Code: "party_government_leader", Name: "党政领导"}}, nil)
}

func TestParseBatchRow(t *testing.T) {
	l := testLadder()
	cases := []struct {
		name  string
		row   BatchRow
		want  Request
		probs []string
	}{
		{"Chinese names", BatchRow{Level: "县处级副职", Category: "党政领导"},
			Request{TargetLevel: "county_deputy", PostCategory: "party_government_leader"}, nil},
		{"codes and a date", BatchRow{Level: "township_principal", Category: "administrative", AsOf: "2026-03-01"},
			Request{TargetLevel: "township_principal", PostCategory: "administrative", AsOf: civil.New(2026, time.March, 1)}, nil},
		{"an Excel date serial", BatchRow{Level: "县处级副职", Category: "行政管理", AsOf: "46082"},
			Request{TargetLevel: "county_deputy", PostCategory: "administrative", AsOf: civil.New(2026, time.March, 1)}, nil},
		{"unknown level", BatchRow{Level: "科员", Category: "党政领导"},
			Request{PostCategory: "party_government_leader"}, []string{"拟任职务层次「科员」无法识别"}},
		{"unknown everything, in column order", BatchRow{Level: "", Category: "后勤", AsOf: "明天"},
			Request{}, []string{"拟任职务层次「」无法识别", "职务类别「后勤」无法识别", "核查日期：日期「明天」格式应为 YYYY-MM-DD"}},
		{"a date that does not exist", BatchRow{Level: "县处级副职", Category: "党政领导", AsOf: "2026-02-30"},
			Request{TargetLevel: "county_deputy", PostCategory: "party_government_leader"}, []string{"核查日期：日期「2026-02-30」不存在"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, probs := parseBatchRow(l, c.row)
			if got != c.want || strings.Join(probs, "|") != strings.Join(c.probs, "|") {
				t.Fatalf("got %+v %q, want %+v %q", got, probs, c.want, c.probs)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	cases := []struct {
		name         string
		rules        []RuleResult
		fails, notes string
	}{
		{"nothing to say", []RuleResult{{Title: "工龄", Status: Pass, Detail: "工龄20年"}}, "", ""},
		{"failures and notes apart, in rule order", []RuleResult{
			{Title: "决策能力资格证书", Status: Fail, Detail: "缺少决策能力资格证书"},
			{Title: "文化程度", Status: SoftFail, Detail: "学历高中"},
			{Title: "培训学时", Status: Fail, Detail: "尚差 10 学时"},
			{Title: "基层工作经历", Status: Waived, Detail: "已破格"},
			{Title: "健康状况", Status: Manual, Detail: "须核实"},
		}, "决策能力资格证书：缺少决策能力资格证书\n培训学时：尚差 10 学时",
			"【提示】文化程度：学历高中\n【已破格】基层工作经历：已破格\n【须人工核实】健康状况：须核实"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fails, notes := summarize(c.rules)
			if fails != c.fails || notes != c.notes {
				t.Fatalf("got %q / %q, want %q / %q", fails, notes, c.fails, c.notes)
			}
		})
	}
}

func TestBatchDigest(t *testing.T) {
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return "sha256:" + hex.EncodeToString(h[:]) }
	cases := []struct {
		name string
		vs   []CheckVerdict
		want string
	}{
		{"empty", nil, sum("")},
		{"one line per check", []CheckVerdict{{ID: 7, Eligible: true}, {ID: 9}}, sum("7 eligible\n9 ineligible\n")},
		{"in ID order whatever the order given", []CheckVerdict{{ID: 9}, {ID: 7, Eligible: true}}, sum("7 eligible\n9 ineligible\n")},
		{"a verdict changes the digest", []CheckVerdict{{ID: 7}, {ID: 9}}, sum("7 ineligible\n9 ineligible\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := BatchDigest(c.vs); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestTally(t *testing.T) {
	rows := []BatchRow{{CheckID: 12, Eligible: true}, {Problem: "缺少干部编号"}, {CheckID: 10}, {CheckID: 11, Eligible: true}}
	b, vs := tally(Batch{ID: 3, Digest: "x"}, rows)
	if b.ID != 3 || b.Rows != 4 || b.Eligible != 2 || b.Ineligible != 1 || b.Problems != 1 {
		t.Fatalf("batch %+v", b)
	}
	if fmt.Sprint(vs) != "[{10 false} {11 true} {12 true}]" {
		t.Fatalf("verdicts %v", vs)
	}
}

// workbook writes rows to the first sheet at the given row numbers (1-based), leaving the others
// out of the file.
func workbook(t testing.TB, rows map[int][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for n, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadBatch(t *testing.T) {
	head := []any{"干部编号*", "职务类别", "姓名", "拟任职务层次", "核查日期"}
	cases := []struct {
		name  string
		data  []byte
		limit int
		want  []BatchRow
		code  string
	}{
		{"columns in any order, extra columns, blank and missing rows skipped, row numbers kept",
			workbook(t, map[int][]any{1: head, 2: {" GB1 ", "党政领导", "张三", "县处级副职", ""}, 3: {"", "", "李四", "", ""},
				5: {"GB2", "行政管理", "", "乡科级正职", "2026-01-01"}}), 10,
			[]BatchRow{{Row: 2, Code: "GB1", Category: "党政领导", Level: "县处级副职"},
				{Row: 5, Code: "GB2", Category: "行政管理", Level: "乡科级正职", AsOf: "2026-01-01"}}, ""},
		{"short rows", workbook(t, map[int][]any{1: {"干部编号", "拟任职务层次", "职务类别"}, 2: {"GB1"}}), 10,
			[]BatchRow{{Row: 2, Code: "GB1"}}, ""},
		{"at the limit", workbook(t, map[int][]any{1: head, 2: {"GB1"}, 3: {"GB2"}}), 2,
			[]BatchRow{{Row: 2, Code: "GB1"}, {Row: 3, Code: "GB2"}}, ""},
		{"over the limit", workbook(t, map[int][]any{1: head, 2: {"GB1"}, 3: {"GB2"}, 4: {"GB3"}}), 2, nil, "batch_too_large"},
		{"missing columns", workbook(t, map[int][]any{1: {"干部编号", "姓名"}, 2: {"GB1"}}), 10, nil, "validation_failed"},
		{"header not on the first row", workbook(t, map[int][]any{2: head, 3: {"GB1"}}), 10, nil, "validation_failed"},
		{"empty sheet", workbook(t, nil), 10, nil, "batch_unreadable"},
		{"not a workbook", []byte("not a workbook"), 10, nil, "batch_unreadable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readBatch(c.data, c.limit)
			if c.code != "" {
				if ae := apperr.As(err); err == nil || ae.Code != c.code {
					t.Fatalf("error %v, want %s", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestWriteBatch(t *testing.T) {
	rows := []BatchRow{
		{Row: 2, Code: "GB1", Name: "张三", Level: "县处级副职", Category: "党政领导", AsOf: "2026-06-30", CheckID: 41, Eligible: true, Notes: "【须人工核实】健康状况：须核实"},
		{Row: 3, Code: "GB2", Name: "李四", Level: "县处级副职", Category: "党政领导", AsOf: "2026-06-30", CheckID: 42, Fails: "工龄：工龄3年\n培训学时：尚差 10 学时"},
		{Row: 5, Code: "NOPE", Level: "科员", Category: "党政领导", Problem: "拟任职务层次「科员」无法识别"},
	}
	out, err := writeBatch(rows)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GetRows("核查结果")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"行号", "干部编号", "姓名", "拟任职务层次", "职务类别", "核查日期", "结论", "不符合项", "提示与人工核实项", "核查编号"},
		{"2", "GB1", "张三", "县处级副职", "党政领导", "2026-06-30", "符合", "", "【须人工核实】健康状况：须核实", "41"},
		{"3", "GB2", "李四", "县处级副职", "党政领导", "2026-06-30", "不符合", "工龄：工龄3年\n培训学时：尚差 10 学时", "", "42"},
		{"5", "NOPE", "", "科员", "党政领导", "", "无法核查", "拟任职务层次「科员」无法识别"},
	}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// roster is a batch roster of n rows.
func roster(b testing.TB, n int) []byte {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"干部编号", "拟任职务层次", "职务类别", "核查日期"})
	for i := 0; i < n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{fmt.Sprintf("ROSTER-%06d", i+1), "乡科级正职", "行政管理", ""})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkReadBatch reads a roster of 100,000 rows with the streaming reader (as readBatch
// does) and, for comparison, with GetRows.
func BenchmarkReadBatch(b *testing.B) {
	data := roster(b, MaxBatchRows)
	b.Run("rows", func(b *testing.B) {
		for range b.N {
			if rows, err := readBatch(data, MaxBatchRows); err != nil || len(rows) != MaxBatchRows {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("getrows", func(b *testing.B) {
		for range b.N {
			f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
				UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 64 << 20})
			if err != nil {
				b.Fatal(err)
			}
			if all, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true}); err != nil || len(all) != MaxBatchRows+1 {
				b.Fatal(len(all), err)
			}
			f.Close()
		}
	})
}

// BenchmarkWriteBatch writes the result workbook of 100,000 checked rows.
func BenchmarkWriteBatch(b *testing.B) {
	rows := make([]BatchRow, MaxBatchRows)
	for i := range rows {
		rows[i] = BatchRow{Row: i + 2, Code: fmt.Sprintf("ROSTER-%06d", i+1), Name: "考生", Level: "乡科级正职", Category: "行政管理",
			AsOf: "2026-06-30", CheckID: int64(i + 1), Fails: "行政职业能力资格证书：缺少行政职业能力资格证书",
			Notes: "【须人工核实】健康状况：须由组织人事部门核实是否具有正常履行职责的身体条件\n【须人工核实】法定资格与党龄：党龄22年（2003-07-01入党）；须对照法律规定的资格要求和党章党龄要求人工核实"}
	}
	for range b.N {
		if _, err := writeBatch(rows); err != nil {
			b.Fatal(err)
		}
	}
}
