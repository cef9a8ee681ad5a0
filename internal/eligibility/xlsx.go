package eligibility

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"qualify/internal/platform/apperr"
)

// The batch roster's columns (职务层次 and 职务类别 by Chinese name or code).
const (
	colCode     = "干部编号"
	colLevel    = "拟任职务层次"
	colCategory = "职务类别"
	colAsOf     = "核查日期"
)

func unreadable(msg string) error { return apperr.New(apperr.Invalid, "batch_unreadable", msg) }

// readBatch reads the first sheet of a roster row by row, skipping blank rows; more than limit
// rows is an error. It reads with scanFirstSheet, or with excelize's streaming reader the
// workbooks scanFirstSheet leaves to it. Errors: batch_unreadable, batch_too_large,
// validation_failed (missing columns).
func readBatch(data []byte, limit int) ([]BatchRow, error) {
	r := &rosterReader{limit: limit}
	err := scanFirstSheet(data, r.add)
	if errors.Is(err, errUnsupported) {
		r = &rosterReader{limit: limit}
		err = readWithExcelize(data, r.add)
	}
	if err == nil && !r.head {
		err = unreadable("工作表为空或无法读取")
	}
	if err != nil {
		return nil, err
	}
	return r.rows, nil
}

// rosterReader takes a roster's rows in order: the header (row 1), then the rows to check.
type rosterReader struct {
	limit int
	head  bool // the header was read
	cols  map[string]int
	rows  []BatchRow
}

// add takes row n (1-based) of the sheet; rows missing from the sheet are not given.
func (r *rosterReader) add(n int, cells []string) error {
	if !r.head {
		r.head = true
		r.cols = map[string]int{}
		if n == 1 {
			for i, h := range cells {
				h = strings.TrimSuffix(strings.TrimSpace(h), "*")
				if _, dup := r.cols[h]; h != "" && !dup {
					r.cols[h] = i
				}
			}
		}
		var fe []apperr.FieldError
		for _, c := range []string{colCode, colLevel, colCategory} {
			if _, ok := r.cols[c]; !ok {
				fe = append(fe, apperr.FieldError{Field: c, Message: "缺少必需的列「" + c + "」"})
			}
		}
		if len(fe) > 0 {
			return apperr.InvalidFields("validation_failed", "核查名单缺少必需的列", fe...)
		}
		if n == 1 {
			return nil
		}
	}
	cell := func(name string) string {
		if i, ok := r.cols[name]; ok && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	br := BatchRow{Row: n, Code: cell(colCode), Level: cell(colLevel), Category: cell(colCategory), AsOf: cell(colAsOf)}
	if br.Code == "" && br.Level == "" && br.Category == "" && br.AsOf == "" {
		return nil
	}
	if len(r.rows) == r.limit {
		return apperr.New(apperr.Invalid, "batch_too_large", fmt.Sprintf("一次最多核查 %d 行，请拆分名单后分批上传", r.limit))
	}
	r.rows = append(r.rows, br)
	return nil
}

// readWithExcelize gives add the rows of the first sheet that have any cell, as excelize's
// streaming reader reads them. Errors: batch_unreadable, and add's.
func readWithExcelize(data []byte, add func(n int, cells []string) error) error {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return unreadable("无法读取文件，请上传 .xlsx 格式的核查名单")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return unreadable("文件中没有工作表")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return unreadable("工作表为空或无法读取")
	}
	defer it.Close()
	raw := excelize.Options{RawCellValue: true}
	for n := 1; it.Next(); n++ {
		cells, err := it.Columns(raw)
		if err != nil {
			return unreadable(fmt.Sprintf("第 %d 行无法读取", n))
		}
		if len(cells) == 0 {
			continue
		}
		if err := add(n, cells); err != nil {
			return err
		}
	}
	if it.Error() != nil {
		return unreadable("工作表无法读取")
	}
	return nil
}

// writeBatch renders the outcome of rows (see batchWriter).
func writeBatch(rows []BatchRow) ([]byte, error) {
	w, err := newBatchWriter()
	if err != nil {
		return nil, err
	}
	defer w.close()
	w.add(rows)
	return w.finish()
}

// batchWriter renders the result workbook (resultSheet) on a goroutine of its own, from the rows
// handed to it in order: the input columns, then 姓名, 结论, 不符合项, 提示与人工核实项, 核查编号.
type batchWriter struct {
	out  *resultSheet
	in   chan []BatchRow
	done chan error
	shut bool // in is closed
}

func newBatchWriter() (*batchWriter, error) {
	out, err := newResultSheet("核查结果", 8, 9, 60)
	if err == nil {
		err = out.addRow("行号", colCode, "姓名", colLevel, colCategory, colAsOf, "结论", "不符合项", "提示与人工核实项", "核查编号")
	}
	if err != nil {
		return nil, apperr.Wrap(err, "write batch result")
	}
	w := &batchWriter{out: out, in: make(chan []BatchRow, 8), done: make(chan error, 1)}
	go w.loop(w.in)
	return w, nil
}

func (w *batchWriter) loop(in <-chan []BatchRow) {
	var err error
	for rows := range in {
		for _, r := range rows {
			if err != nil {
				break
			}
			verdict, fails, notes, id := "无法核查", r.Problem, "", ""
			if r.CheckID != 0 {
				verdict = "不符合"
				if r.Eligible {
					verdict = "符合"
				}
				fails, notes, id = r.Fails, r.Notes, strconv.FormatInt(r.CheckID, 10)
			}
			err = w.out.addRow(r.Row, r.Code, r.Name, r.Level, r.Category, r.AsOf, verdict, fails, notes, id)
		}
	}
	w.done <- err
}

// add hands rows (not to be changed afterwards) to the writer.
func (w *batchWriter) add(rows []BatchRow) { w.in <- rows }

// finish writes the rows handed so far and returns the workbook.
func (w *batchWriter) finish() ([]byte, error) {
	close(w.in)
	w.shut = true
	if err := <-w.done; err != nil {
		return nil, apperr.Wrap(err, "write batch result")
	}
	b, err := w.out.finish()
	return b, apperr.Wrap(err, "write batch result")
}

// close stops the writer.
func (w *batchWriter) close() {
	if !w.shut {
		close(w.in)
		w.shut = true
		<-w.done
	}
}

// BatchTemplate returns an empty batch roster with its header and one example row.
func BatchTemplate() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	head := []any{colCode, colLevel, colCategory, colAsOf}
	example := []any{"GB00001", "县处级副职", "党政领导", ""}
	_ = f.SetSheetRow("Sheet1", "A1", &head)
	_ = f.SetSheetRow("Sheet1", "A2", &example)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, apperr.Wrap(err, "write template")
	}
	return buf.Bytes(), nil
}

// ComplianceXLSX renders a compliance list for the office to act on.
func ComplianceXLSX(kind ComplianceKind, items []ComplianceItem) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := "名单"
	f.SetSheetName("Sheet1", sh)
	title := []any{ComplianceKindNames[kind]}
	_ = f.SetSheetRow(sh, "A1", &title)
	head := []any{"干部编号", "姓名", "单位", "现任职务", "任职时间", "所需证书", "期限/到期日", "剩余天数", "证书编号", "说明"}
	_ = f.SetSheetRow(sh, "A2", &head)
	for i, it := range items {
		line := []any{it.Cadre.Code, it.Cadre.Name, it.Cadre.OrgName, it.Cadre.CurrentPost, it.Cadre.TermStart.String(),
			it.SubjectName, it.Deadline.String(), it.DaysLeft, it.CertificateNumber, it.Detail}
		cellName, _ := excelize.CoordinatesToCellName(1, i+3)
		_ = f.SetSheetRow(sh, cellName, &line)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, apperr.Wrap(err, "write compliance list")
	}
	return buf.Bytes(), nil
}
