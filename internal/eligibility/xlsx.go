package eligibility

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"qualify/internal/cadre"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

// MaxBatchRows bounds a batch roster.
const MaxBatchRows = 500

// The batch roster's columns (职务层次 and 职务类别 by Chinese name or code).
const (
	colCode     = "干部编号"
	colLevel    = "拟任职务层次"
	colCategory = "职务类别"
	colAsOf     = "核查日期"
)

// BatchRow is the outcome of one roster row.
type BatchRow struct {
	Row      int
	Code     string
	Name     string
	Level    string
	Category string
	AsOf     string
	Check    *Check // nil when the row could not be checked
	Problem  string // why the row could not be checked
}

// Batch checks every row of an .xlsx roster (columns 干部编号, 拟任职务层次, 职务类别, optional
// 核查日期) and returns an .xlsx with a verdict and reasons per row; rows that cannot be checked
// say why. Each check is kept and audited like a single one. Errors: forbidden,
// batch_unreadable, batch_too_large, validation_failed (missing columns).
func (s *Service) Batch(ctx context.Context, actor identity.Principal, data []byte) ([]byte, []BatchRow, error) {
	if !canCheck(actor) {
		return nil, nil, forbidden()
	}
	rows, err := readBatch(data)
	if err != nil {
		return nil, nil, err
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		l, err := s.ladder(ctx)
		if err != nil {
			return err
		}
		m, err := s.matrix(ctx)
		if err != nil {
			return err
		}
		for i := range rows {
			if err := s.batchRow(ctx, actor, l, m, &rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out, err := writeBatch(rows)
	return out, rows, err
}

func (s *Service) batchRow(ctx context.Context, actor identity.Principal, l *cadre.Ladder, m []Requirement, r *BatchRow) error {
	var probs []string
	level := levelByName(l, r.Level)
	if level == "" {
		probs = append(probs, "拟任职务层次「"+r.Level+"」无法识别")
	}
	cat := categoryByName(l, r.Category)
	if cat == "" {
		probs = append(probs, "职务类别「"+r.Category+"」无法识别")
	}
	var asOf civil.Date
	if r.AsOf != "" {
		d, err := cadre.ParseRosterDate(r.AsOf)
		if err != nil {
			probs = append(probs, "核查日期："+err.Error())
		}
		asOf = d
	}
	var c *cadre.Cadre
	if r.Code == "" {
		probs = append(probs, "缺少干部编号")
	} else {
		x, err := s.store.CadreByCode(ctx, r.Code)
		if err != nil {
			return apperr.Wrap(err, "find cadre by code")
		}
		if x == nil || !(isSystem(actor) || org.Contains(actor.OrgPath, x.OrgPath)) {
			probs = append(probs, "干部编号「"+r.Code+"」不存在或不在管理范围内")
		} else {
			c, r.Name = x, x.Name
		}
	}
	if len(probs) > 0 {
		r.Problem = strings.Join(probs, "；")
		return nil
	}
	ch, err := s.check(ctx, actor, l, m, *c, Request{CadreID: c.ID, TargetLevel: level, PostCategory: cat, AsOf: asOf})
	if err != nil {
		if ae := apperr.As(err); ae.Kind != apperr.Internal {
			r.Problem = ae.Message
			return nil
		}
		return err
	}
	r.Check = &ch
	return nil
}

func levelByName(l *cadre.Ladder, s string) string {
	for _, x := range l.Levels {
		if s == x.Name || s == x.Code {
			return x.Code
		}
	}
	return ""
}

func categoryByName(l *cadre.Ladder, s string) string {
	for _, x := range l.Categories {
		if s == x.Name || s == x.Code {
			return x.Code
		}
	}
	return ""
}

func readBatch(data []byte) ([]BatchRow, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "batch_unreadable", "无法读取文件，请上传 .xlsx 格式的核查名单")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.New(apperr.Invalid, "batch_unreadable", "文件中没有工作表")
	}
	all, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil || len(all) == 0 {
		return nil, apperr.New(apperr.Invalid, "batch_unreadable", "工作表为空或无法读取")
	}
	cols := map[string]int{}
	for i, h := range all[0] {
		h = strings.TrimSuffix(strings.TrimSpace(h), "*")
		if _, dup := cols[h]; h != "" && !dup {
			cols[h] = i
		}
	}
	var fe []apperr.FieldError
	for _, c := range []string{colCode, colLevel, colCategory} {
		if _, ok := cols[c]; !ok {
			fe = append(fe, apperr.FieldError{Field: c, Message: "缺少必需的列「" + c + "」"})
		}
	}
	if len(fe) > 0 {
		return nil, apperr.InvalidFields("validation_failed", "核查名单缺少必需的列", fe...)
	}
	cell := func(r []string, name string) string {
		if i, ok := cols[name]; ok && i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	var out []BatchRow
	for i, r := range all[1:] {
		br := BatchRow{Row: i + 2, Code: cell(r, colCode), Level: cell(r, colLevel), Category: cell(r, colCategory), AsOf: cell(r, colAsOf)}
		if br.Code == "" && br.Level == "" && br.Category == "" && br.AsOf == "" {
			continue
		}
		out = append(out, br)
	}
	if len(out) > MaxBatchRows {
		return nil, apperr.New(apperr.Invalid, "batch_too_large", fmt.Sprintf("一次最多核查 %d 行", MaxBatchRows))
	}
	return out, nil
}

// writeBatch renders the outcome: the input columns, then 姓名, 结论, 不符合项, 提示与人工核实项,
// 核查编号.
func writeBatch(rows []BatchRow) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := "核查结果"
	f.SetSheetName("Sheet1", sh)
	head := []any{"行号", colCode, "姓名", colLevel, colCategory, colAsOf, "结论", "不符合项", "提示与人工核实项", "核查编号"}
	_ = f.SetSheetRow(sh, "A1", &head)
	for i, r := range rows {
		verdict, fails, notes, id := "无法核查", r.Problem, "", ""
		if r.Check != nil {
			verdict = "不符合"
			if r.Check.Eligible {
				verdict = "符合"
			}
			var fl, nl []string
			for _, x := range r.Check.Rules {
				switch x.Status {
				case Fail:
					fl = append(fl, x.Title+"："+x.Detail)
				case SoftFail, Waived, Manual:
					nl = append(nl, "【"+StatusNames[x.Status]+"】"+x.Title+"："+x.Detail)
				}
			}
			fails, notes, id = strings.Join(fl, "\n"), strings.Join(nl, "\n"), strconv.FormatInt(r.Check.ID, 10)
			if r.AsOf == "" {
				r.AsOf = r.Check.AsOf.String()
			}
		}
		line := []any{r.Row, r.Code, r.Name, r.Level, r.Category, r.AsOf, verdict, fails, notes, id}
		cellName, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = f.SetSheetRow(sh, cellName, &line)
	}
	_ = f.SetColWidth(sh, "H", "I", 60)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, apperr.Wrap(err, "write batch result")
	}
	return buf.Bytes(), nil
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
