package cadre

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"qualify/internal/audit"

	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

// The columns of a cadre roster (干部名册), in template order. The header row names them; a
// file may order them freely and add others, which are ignored.
const (
	ColCode         = "干部编号"
	ColName         = "姓名"
	ColGender       = "性别"
	ColBirthDate    = "出生日期"
	ColEthnicity    = "民族"
	ColEducation    = "学历"
	ColPartyJoin    = "入党时间"
	ColWorkStart    = "参加工作时间"
	ColOrgCode      = "所在单位编码"
	ColCurrentPost  = "现任职务"
	ColPostLevel    = "职务层次"
	ColRank         = "职级"
	ColPostCategory = "职务类别"
	ColTermStart    = "任职时间"
	ColReserve      = "是否后备干部"
	ColGrassroots   = "是否基层"
)

// RosterColumns lists the columns in template order; required ones are marked in RequiredColumns.
var RosterColumns = []string{ColCode, ColName, ColGender, ColBirthDate, ColEthnicity, ColEducation, ColPartyJoin, ColWorkStart,
	ColOrgCode, ColCurrentPost, ColPostLevel, ColRank, ColPostCategory, ColTermStart, ColReserve, ColGrassroots}

// RequiredColumns must be present in the header row.
var RequiredColumns = []string{ColCode, ColName, ColGender, ColBirthDate, ColEducation, ColWorkStart, ColOrgCode, ColPostCategory}

// fieldColumns maps validation field names to roster columns.
var fieldColumns = map[string]string{
	"code": ColCode, "name": ColName, "gender": ColGender, "birthDate": ColBirthDate, "ethnicity": ColEthnicity,
	"education": ColEducation, "partyJoinDate": ColPartyJoin, "workStartDate": ColWorkStart, "orgId": ColOrgCode,
	"currentPost": ColCurrentPost, "postLevel": ColPostLevel, "rank": ColRank, "postCategory": ColPostCategory,
	"termStart": ColTermStart, "termEnd": ColTermStart, "title": ColCurrentPost, "startDate": ColTermStart,
	"unitName": ColOrgCode, "endDate": ColTermStart, "probationEnd": ColTermStart, "appointmentType": ColCurrentPost,
}

// MaxRosterRows bounds the data rows of one roster file.
const MaxRosterRows = 5000

// RosterError is one problem in a roster: the row as the spreadsheet numbers it, the column
// header and a Chinese message.
type RosterError struct {
	Row     int
	Column  string
	Message string
}

// ImportResult says what an import did: how many cadres it created, or every problem found.
type ImportResult struct {
	Imported int
	Errors   []RosterError
}

// Entry is a cadre with its post history, as imported or seeded.
type Entry struct {
	Cadre Cadre
	Posts []PostRecord
}

var educationWords = map[string]Education{
	"博士研究生": Doctorate, "博士": Doctorate, "硕士研究生": Master, "硕士": Master, "研究生": Master,
	"大学本科": Bachelor, "本科": Bachelor, "大学专科": College, "专科": College, "大专": College,
	"中专/高中": Secondary, "中专": Secondary, "高中": Secondary, "中专及高中": Secondary, "中等专科": Secondary,
	"初中及以下": Below, "初中": Below, "小学": Below,
}

func parseEducation(s string) (Education, bool) {
	if e, ok := educationWords[s]; ok {
		return e, true
	}
	_, ok := EducationNames[Education(s)]
	return Education(s), ok
}

func parseGender(s string) (Gender, bool) {
	switch strings.ToLower(s) {
	case "男", "male", "m":
		return Male, true
	case "女", "female", "f":
		return Female, true
	}
	return "", false
}

func parseYesNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "是", "y", "yes", "true", "1", "√":
		return true, true
	case "否", "n", "no", "false", "0", "":
		return false, true
	}
	return false, false
}

var (
	dateYMD = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	dateYM  = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$`)
	// dateCompact is YYYYMMDD as typed into a number cell.
	dateCompact = regexp.MustCompile(`^(19|20)\d{6}$`)
)

// ParseRosterDate reads a roster date: an Excel date serial, YYYY-MM-DD (also with / . or 年月日),
// or YYYY.MM (the month's first day, as personnel files often give only the month).
func ParseRosterDate(s string) (civil.Date, error) {
	s = strings.TrimSpace(s)
	var y, m, d int
	switch g := dateYMD.FindStringSubmatch(s); {
	case g != nil:
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	case dateYM.MatchString(s):
		g = dateYM.FindStringSubmatch(s)
		y, m, d = atoi(g[1]), atoi(g[2]), 1
	case dateCompact.MatchString(s):
		y, m, d = atoi(s[:4]), atoi(s[4:6]), atoi(s[6:])
	default:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 1 || f >= 2958466 {
			return civil.Date{}, fmt.Errorf("日期「%s」格式应为 YYYY-MM-DD", s)
		}
		t, err := excelize.ExcelDateToTime(math.Floor(f), false)
		if err != nil {
			return civil.Date{}, fmt.Errorf("日期「%s」无法识别", s)
		}
		return civil.Of(t), nil
	}
	out := civil.New(y, time.Month(m), d)
	if m < 1 || m > 12 || d < 1 || out.Day != d {
		return civil.Date{}, fmt.Errorf("日期「%s」不存在", s)
	}
	return out, nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// rosterRow is one data row, keyed by column header.
type rosterRow struct {
	n     int
	cells map[string]string
}

// readRoster returns the data rows of the first sheet, or a file-level problem.
func readRoster(data []byte) ([]rosterRow, []RosterError, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "roster_unreadable", "无法读取文件，请上传 .xlsx 格式的干部名册")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, apperr.New(apperr.Invalid, "roster_unreadable", "文件中没有工作表")
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "roster_unreadable", "无法读取工作表")
	}
	if len(rows) == 0 {
		return nil, []RosterError{{Row: 1, Column: "", Message: "第一行应为表头"}}, nil
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		h = strings.TrimSuffix(strings.TrimSpace(h), "*")
		if h != "" {
			if _, dup := cols[h]; !dup {
				cols[h] = i
			}
		}
	}
	var errs []RosterError
	for _, c := range RequiredColumns {
		if _, ok := cols[c]; !ok {
			errs = append(errs, RosterError{Row: 1, Column: c, Message: "缺少必需的列「" + c + "」"})
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	var out []rosterRow
	for i, r := range rows[1:] {
		cells := map[string]string{}
		blank := true
		for name, idx := range cols {
			if idx < len(r) {
				v := strings.TrimSpace(r[idx])
				cells[name] = v
				blank = blank && v == ""
			}
		}
		if !blank {
			out = append(out, rosterRow{n: i + 2, cells: cells})
		}
	}
	if len(out) > MaxRosterRows {
		return nil, nil, apperr.New(apperr.Invalid, "roster_too_large", fmt.Sprintf("一次最多导入 %d 行", MaxRosterRows))
	}
	if len(out) == 0 {
		return nil, []RosterError{{Row: 2, Column: "", Message: "文件中没有数据行"}}, nil
	}
	return out, nil, nil
}

// rowErrors collects the problems of one row, one per column.
type rowErrors struct {
	row  int
	seen map[string]bool
	list []RosterError
}

func (e *rowErrors) add(col, msg string) {
	if e.seen[col] {
		return
	}
	e.seen[col] = true
	e.list = append(e.list, RosterError{Row: e.row, Column: col, Message: msg})
}

// rosterContext carries what row validation needs to look up.
type rosterContext struct {
	ladder *Ladder
	today  civil.Date
	actor  identity.Principal
	orgs   map[string]*org.Org // by code; nil when absent
	lookup func(code string) (*org.Org, error)
}

func (rc *rosterContext) orgByCode(code string) (*org.Org, error) {
	if o, ok := rc.orgs[code]; ok {
		return o, nil
	}
	o, err := rc.lookup(code)
	if err != nil {
		return nil, err
	}
	rc.orgs[code] = o
	return o, nil
}

func (rc *rosterContext) levelOf(s string) (string, bool) {
	for _, x := range rc.ladder.Levels {
		if s == x.Name || s == x.Code {
			return x.Code, true
		}
	}
	return "", false
}

func (rc *rosterContext) rankOf(s string) (Rank, bool) {
	for _, r := range rc.ladder.Ranks {
		if s == r.Name || s == r.Code {
			return r, true
		}
	}
	return Rank{}, false
}

func (rc *rosterContext) categoryOf(s string) (string, bool) {
	for _, c := range rc.ladder.Categories {
		if s == c.Name || s == c.Code {
			return c.Code, true
		}
	}
	return "", false
}

// parseRow turns a row into an entry, reporting every problem it finds.
func (rc *rosterContext) parseRow(r rosterRow) (Entry, []RosterError, error) {
	e := &rowErrors{row: r.n, seen: map[string]bool{}}
	v := func(col string) string { return r.cells[col] }
	date := func(col string, required bool) civil.Date {
		s := v(col)
		if s == "" {
			if required {
				e.add(col, col+"必填")
			}
			return civil.Date{}
		}
		d, err := ParseRosterDate(s)
		if err != nil {
			e.add(col, err.Error())
		}
		return d
	}
	c := Cadre{Code: v(ColCode), Name: v(ColName), Ethnicity: v(ColEthnicity), CurrentPost: v(ColCurrentPost)}
	if g, ok := parseGender(v(ColGender)); ok {
		c.Gender = g
	} else if v(ColGender) != "" {
		e.add(ColGender, "性别应为男或女")
	}
	if ed, ok := parseEducation(v(ColEducation)); ok {
		c.Education = ed
	} else if v(ColEducation) != "" {
		e.add(ColEducation, fmt.Sprintf("学历「%s」无法识别，应为博士研究生、硕士研究生、大学本科、大学专科、中专/高中或初中及以下", v(ColEducation)))
	}
	c.BirthDate = date(ColBirthDate, true)
	c.PartyJoinDate = date(ColPartyJoin, false)
	c.WorkStartDate = date(ColWorkStart, true)
	c.TermStart = date(ColTermStart, false)
	if s := v(ColPostLevel); s != "" {
		if lv, ok := rc.levelOf(s); ok {
			c.PostLevel = lv
		} else {
			e.add(ColPostLevel, fmt.Sprintf("职务层次「%s」不存在", s))
		}
	}
	if s := v(ColRank); s != "" {
		if rk, ok := rc.rankOf(s); ok {
			c.RankCategory, c.RankCode = rk.Category, rk.Code
		} else {
			e.add(ColRank, fmt.Sprintf("职级「%s」不存在", s))
		}
	}
	if s := v(ColPostCategory); s != "" {
		if pc, ok := rc.categoryOf(s); ok {
			c.PostCategory = pc
		} else {
			e.add(ColPostCategory, fmt.Sprintf("职务类别「%s」不存在，应为党政领导、行政管理或党群组织管理", s))
		}
	} else {
		e.add(ColPostCategory, "职务类别必填")
	}
	reserve, ok := parseYesNo(v(ColReserve))
	if !ok {
		e.add(ColReserve, "应填“是”或“否”")
	}
	c.Reserve = reserve
	grassroots, ok := parseYesNo(v(ColGrassroots))
	if !ok {
		e.add(ColGrassroots, "应填“是”或“否”")
	}
	var unit *org.Org
	if code := v(ColOrgCode); code == "" {
		e.add(ColOrgCode, "所在单位编码必填")
	} else {
		o, err := rc.orgByCode(code)
		if err != nil {
			return Entry{}, nil, err
		}
		if o == nil || !(isSystem(rc.actor) || org.Contains(rc.actor.OrgPath, o.Path)) {
			e.add(ColOrgCode, fmt.Sprintf("单位编码「%s」不存在或不在本人管理范围内", code))
		} else {
			unit, c.OrgID, c.OrgName, c.OrgPath = o, o.ID, o.Name, o.Path
		}
	}
	normalize(&c)
	for _, f := range validateCadre(rc.ladder, c, rc.today) {
		if col := fieldColumns[f.Field]; col != "" {
			e.add(col, f.Message)
		}
	}
	out := Entry{Cadre: c}
	if c.CurrentPost != "" {
		if c.TermStart.IsZero() && v(ColTermStart) == "" {
			e.add(ColTermStart, "填写现任职务时任职时间必填")
		}
		p := PostRecord{Title: c.CurrentPost, PostLevel: c.PostLevel, RankCategory: c.RankCategory, RankCode: c.RankCode,
			PostCategory: c.PostCategory, Start: c.TermStart, Leadership: c.PostLevel != ""}
		if unit != nil {
			p.UnitOrgID, p.UnitName, p.Grassroots = &unit.ID, unit.Name, unit.Grassroots
		}
		if v(ColGrassroots) != "" {
			p.Grassroots = grassroots
		}
		normalizePost(&p)
		if len(e.list) == 0 {
			for _, f := range validatePost(rc.ladder, p, rc.today) {
				e.add(fieldColumns[f.Field], f.Message)
			}
		}
		out.Posts = []PostRecord{p}
	}
	sortRosterErrors(e.list)
	return out, e.list, nil
}

// ImportRoster creates the cadres of an .xlsx roster (personnel; every unit must lie in the
// actor's scope). It checks every row first (required fields, dates, enumerations, unit codes,
// codes repeated in the file or already taken) and writes nothing when any row is bad: the
// error roster_invalid (422) comes with the result listing every problem. Otherwise every
// cadre is created, with their current post as the first post record, in one transaction.
// Errors: forbidden, roster_unreadable, roster_too_large, roster_invalid.
func (s *Service) ImportRoster(ctx context.Context, actor identity.Principal, data []byte) (ImportResult, error) {
	if !canWrite(actor) {
		return ImportResult{}, forbidden()
	}
	l, err := s.Ladder(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	rows, fileErrs, err := readRoster(data)
	if err != nil {
		return ImportResult{}, err
	}
	if len(fileErrs) > 0 {
		return ImportResult{Errors: fileErrs}, rosterInvalid(fileErrs)
	}
	var res ImportResult
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		rc := &rosterContext{ladder: l, today: s.today(), actor: actor, orgs: map[string]*org.Org{},
			lookup: func(code string) (*org.Org, error) { return s.store.OrgByCode(ctx, code) }}
		entries := make([]Entry, 0, len(rows))
		var errs []RosterError
		firstRow := map[string]int{}
		var codes []string
		for _, r := range rows {
			en, rowErrs, err := rc.parseRow(r)
			if err != nil {
				return apperr.Wrap(err, "check roster row")
			}
			if code := en.Cadre.Code; code != "" {
				if first, dup := firstRow[code]; dup {
					rowErrs = append(rowErrs, RosterError{Row: r.n, Column: ColCode, Message: fmt.Sprintf("干部编号「%s」与第 %d 行重复", code, first)})
				} else {
					firstRow[code] = r.n
					codes = append(codes, code)
				}
			}
			errs = append(errs, rowErrs...)
			entries = append(entries, en)
		}
		taken, err := s.store.ExistingCadreCodes(ctx, codes)
		if err != nil {
			return apperr.Wrap(err, "check cadre codes")
		}
		for _, code := range taken {
			errs = append(errs, RosterError{Row: firstRow[code], Column: ColCode, Message: fmt.Sprintf("干部编号「%s」已存在", code)})
		}
		if len(errs) > 0 {
			sortRosterErrors(errs)
			res.Errors = errs
			return rosterInvalid(errs)
		}
		if err := s.insert(ctx, entries); err != nil {
			return err
		}
		res.Imported = len(entries)
		return s.audit.Record(ctx, auditImport(actor, "cadre.import", codes))
	})
	return res, err
}

func sortRosterErrors(errs []RosterError) {
	colIdx := map[string]int{}
	for i, c := range RosterColumns {
		colIdx[c] = i
	}
	// insertion sort keeps the order stable and the lists are short
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0; j-- {
			a, b := errs[j-1], errs[j]
			if a.Row < b.Row || (a.Row == b.Row && colIdx[a.Column] <= colIdx[b.Column]) {
				break
			}
			errs[j-1], errs[j] = b, a
		}
	}
}

func rosterInvalid(errs []RosterError) error {
	fe := make([]apperr.FieldError, len(errs))
	for i, e := range errs {
		fe[i] = apperr.FieldError{Field: fmt.Sprintf("第%d行 %s", e.Row, e.Column), Message: e.Message}
	}
	rows := map[int]bool{}
	for _, e := range errs {
		rows[e.Row] = true
	}
	return &apperr.Error{Kind: apperr.FailedPrecondition, Code: "roster_invalid",
		Message: fmt.Sprintf("名册有 %d 处错误（涉及 %d 行），未导入任何数据，请修改后重新上传", len(errs), len(rows)), Fields: fe}
}

func auditImport(actor identity.Principal, action string, codes []string) audit.Entry {
	return audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: action, TargetType: "cadre",
		TargetID: "roster", After: map[string]any{"count": len(codes), "codes": codes}}
}

// insert writes entries (cadres, then their posts) in the transaction of ctx.
func (s *Service) insert(ctx context.Context, entries []Entry) error {
	now := s.now().UTC()
	cs := make([]Cadre, len(entries))
	for i, en := range entries {
		cs[i] = en.Cadre
		cs[i].ID, cs[i].CreatedAt, cs[i].UpdatedAt = 0, now, now
	}
	if err := s.store.CreateCadres(ctx, cs); err != nil {
		return apperr.Wrap(err, "create cadres")
	}
	var ps []PostRecord
	for i, en := range entries {
		for _, p := range en.Posts {
			p.ID, p.CadreID = 0, cs[i].ID
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return apperr.Wrap(s.store.CreatePostRecords(ctx, ps), "create post records")
}

// Seed creates the entries whose codes are not taken yet (the operator's demo data), audited as
// one entry; existing cadres are kept as they are. Entries are checked like any other cadre.
// It returns how many it created.
func (s *Service) Seed(ctx context.Context, actor identity.Principal, entries []Entry) (int, error) {
	l, err := s.Ladder(ctx)
	if err != nil {
		return 0, err
	}
	today := s.today()
	created := 0
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		codes := make([]string, len(entries))
		for i, en := range entries {
			codes[i] = en.Cadre.Code
		}
		taken := map[string]bool{}
		for i := 0; i < len(codes); i += 500 {
			part, err := s.store.ExistingCadreCodes(ctx, codes[i:min(i+500, len(codes))])
			if err != nil {
				return apperr.Wrap(err, "check cadre codes")
			}
			for _, c := range part {
				taken[c] = true
			}
		}
		var fresh []Entry
		var freshCodes []string
		for _, en := range entries {
			if taken[en.Cadre.Code] {
				continue
			}
			normalize(&en.Cadre)
			fe := validateCadre(l, en.Cadre, today)
			for i := range en.Posts {
				normalizePost(&en.Posts[i])
				fe = append(fe, validatePost(l, en.Posts[i], today)...)
			}
			if len(fe) > 0 {
				return apperr.InvalidFields("validation_failed", "干部 "+en.Cadre.Code+" 校验未通过："+fe[0].Field+" "+fe[0].Message, fe...)
			}
			fresh = append(fresh, en)
			freshCodes = append(freshCodes, en.Cadre.Code)
		}
		if len(fresh) == 0 {
			return nil
		}
		if err := s.insert(ctx, fresh); err != nil {
			return err
		}
		created = len(fresh)
		return s.audit.Record(ctx, auditImport(actor, "cadre.seed", freshCodes))
	})
	return created, err
}

// RosterTemplate returns an empty roster (.xlsx) with the headers, drop-down lists for the
// enumerated columns and a sheet of instructions.
func (s *Service) RosterTemplate(ctx context.Context) ([]byte, error) {
	l, err := s.Ladder(ctx)
	if err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "干部名册"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, apperr.Wrap(err, "template sheet")
	}
	header := make([]any, len(RosterColumns))
	for i, c := range RosterColumns {
		header[i] = c
	}
	_ = f.SetSheetRow(sheet, "A1", &header)
	last, _ := excelize.ColumnNumberToName(len(RosterColumns))
	_ = f.SetColWidth(sheet, "A", last, 14)
	if st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err == nil {
		_ = f.SetCellStyle(sheet, "A1", last+"1", st)
	}
	if st, err := f.NewStyle(&excelize.Style{NumFmt: 49}); err == nil { // text: dates typed as 1980-05-01 stay as typed
		_ = f.SetCellStyle(sheet, "A2", last+"2000", st)
	}
	names := func(n int, get func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = get(i)
		}
		return out
	}
	lists := map[string][]string{
		ColGender:       {"男", "女"},
		ColEducation:    names(len(Educations), func(i int) string { return EducationNames[Educations[i]] }),
		ColPostLevel:    names(len(l.Levels), func(i int) string { return l.Levels[i].Name }),
		ColRank:         names(len(l.Ranks), func(i int) string { return l.Ranks[i].Name }),
		ColPostCategory: names(len(l.Categories), func(i int) string { return l.Categories[i].Name }),
		ColReserve:      {"是", "否"},
		ColGrassroots:   {"是", "否"},
	}
	for i, c := range RosterColumns {
		if keys, ok := lists[c]; ok {
			col, _ := excelize.ColumnNumberToName(i + 1)
			dv := excelize.NewDataValidation(true)
			dv.Sqref = col + "2:" + col + "2000"
			if err := dv.SetDropList(keys); err == nil {
				_ = f.AddDataValidation(sheet, dv)
			}
		}
	}
	const help = "填写说明"
	if _, err := f.NewSheet(help); err == nil {
		lines := [][]any{
			{"列", "说明"},
			{ColCode, "必填，唯一，不超过 32 个字符"},
			{ColName, "必填"},
			{ColGender, "必填：男 或 女"},
			{ColBirthDate, "必填，格式 YYYY-MM-DD（也接受 YYYY.MM.DD、YYYY/MM/DD、YYYY.MM）"},
			{ColEducation, "必填：博士研究生、硕士研究生、大学本科、大学专科、中专/高中、初中及以下"},
			{ColPartyJoin, "选填，日期；非中共党员留空"},
			{ColWorkStart, "必填，日期"},
			{ColOrgCode, "必填，组织机构编码，须在本人管理范围内"},
			{ColCurrentPost, "选填；填写时任职时间必填，并生成一条任职经历"},
			{ColPostLevel, "选填：国家级正职 … 乡科级副职"},
			{ColRank, "选填：一级巡视员 … 二级科员（综合管理类）"},
			{ColPostCategory, "必填：党政领导、行政管理、党群组织管理"},
			{ColTermStart, "现任职务的任职时间，日期"},
			{ColReserve, "是 或 否，留空为否"},
			{ColGrassroots, "现任职务是否为基层工作经历：是 或 否，留空按单位层级（县级及以下为基层）"},
			{"", "任何一行有错误时整个文件都不会导入，错误清单会列出行号、列名和原因。"},
		}
		for i, row := range lines {
			r := row
			_ = f.SetSheetRow(help, "A"+strconv.Itoa(i+1), &r)
		}
		_ = f.SetColWidth(help, "A", "A", 16)
		_ = f.SetColWidth(help, "B", "B", 80)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, apperr.Wrap(err, "write template")
	}
	return buf.Bytes(), nil
}
