package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"qualify/internal/cadre"
	"qualify/internal/platform/civil"
)

type postLevelRow struct {
	Code     string `gorm:"primaryKey"`
	Name     string
	Ord      int
	GradeMin int
	GradeMax int
}

func (postLevelRow) TableName() string { return "post_levels" }

type rankRow struct {
	Category string `gorm:"primaryKey"`
	Code     string `gorm:"primaryKey"`
	Name     string
	Ord      int
	GradeMin int
	GradeMax int
}

func (rankRow) TableName() string { return "ranks" }

type codeNameRow struct {
	Code string `gorm:"primaryKey"`
	Name string
}

type rankEquivalenceRow struct {
	PostLevel    string `gorm:"primaryKey"`
	RankCategory string `gorm:"primaryKey"`
	RankCode     string `gorm:"primaryKey"`
}

func (rankEquivalenceRow) TableName() string { return "rank_equivalences" }

type cadreRow struct {
	ID            int64 `gorm:"primaryKey"`
	OrgID         int64
	Code          string
	Name          string
	Gender        string
	BirthDate     civil.Date
	Ethnicity     string
	Education     string
	PartyJoinDate civil.Date
	WorkStartDate civil.Date
	Reserve       bool
	CurrentPost   string
	PostLevel     *string
	RankCategory  *string
	RankCode      *string
	PostCategory  string
	TermStart     civil.Date
	TermEnd       civil.Date
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (cadreRow) TableName() string { return "cadres" }

// cadreOrgRow is a cadre read together with its org's name and path.
type cadreOrgRow struct {
	Cadre   cadreRow `gorm:"embedded"`
	OrgName string
	OrgPath string
}

type postRecordRow struct {
	ID              int64 `gorm:"primaryKey"`
	CadreID         int64
	Title           string
	PostLevel       *string
	RankCategory    *string
	RankCode        *string
	PostCategory    string
	UnitOrgID       *int64
	UnitName        string
	StartDate       civil.Date
	EndDate         civil.Date
	Grassroots      bool
	Leadership      bool
	ProbationEnd    civil.Date
	AppointmentType string
}

func (postRecordRow) TableName() string { return "post_records" }

// nullable maps "" to NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func toCadre(r cadreRow) cadre.Cadre {
	return cadre.Cadre{ID: r.ID, OrgID: r.OrgID, Code: r.Code, Name: r.Name, Gender: cadre.Gender(r.Gender), BirthDate: r.BirthDate,
		Ethnicity: r.Ethnicity, Education: cadre.Education(r.Education), PartyJoinDate: r.PartyJoinDate, WorkStartDate: r.WorkStartDate,
		Reserve: r.Reserve, CurrentPost: r.CurrentPost, PostLevel: deref(r.PostLevel), RankCategory: deref(r.RankCategory),
		RankCode: deref(r.RankCode), PostCategory: r.PostCategory, TermStart: r.TermStart, TermEnd: r.TermEnd,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func cadreRowFrom(c cadre.Cadre) cadreRow {
	return cadreRow{ID: c.ID, OrgID: c.OrgID, Code: c.Code, Name: c.Name, Gender: string(c.Gender), BirthDate: c.BirthDate,
		Ethnicity: c.Ethnicity, Education: string(c.Education), PartyJoinDate: c.PartyJoinDate, WorkStartDate: c.WorkStartDate,
		Reserve: c.Reserve, CurrentPost: c.CurrentPost, PostLevel: nullable(c.PostLevel), RankCategory: nullable(c.RankCategory),
		RankCode: nullable(c.RankCode), PostCategory: c.PostCategory, TermStart: c.TermStart, TermEnd: c.TermEnd,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func toCadreWithOrg(r cadreOrgRow) cadre.Cadre {
	c := toCadre(r.Cadre)
	c.OrgName, c.OrgPath = r.OrgName, r.OrgPath
	return c
}

func toPostRecord(r postRecordRow) cadre.PostRecord {
	return cadre.PostRecord{ID: r.ID, CadreID: r.CadreID, Title: r.Title, PostLevel: deref(r.PostLevel),
		RankCategory: deref(r.RankCategory), RankCode: deref(r.RankCode), PostCategory: r.PostCategory, UnitOrgID: r.UnitOrgID,
		UnitName: r.UnitName, Start: r.StartDate, End: r.EndDate, Grassroots: r.Grassroots, Leadership: r.Leadership,
		ProbationEnd: r.ProbationEnd, AppointmentType: cadre.AppointmentType(r.AppointmentType)}
}

func postRecordRowFrom(p cadre.PostRecord) postRecordRow {
	return postRecordRow{ID: p.ID, CadreID: p.CadreID, Title: p.Title, PostLevel: nullable(p.PostLevel),
		RankCategory: nullable(p.RankCategory), RankCode: nullable(p.RankCode), PostCategory: p.PostCategory, UnitOrgID: p.UnitOrgID,
		UnitName: p.UnitName, StartDate: p.Start, EndDate: p.End, Grassroots: p.Grassroots, Leadership: p.Leadership,
		ProbationEnd: p.ProbationEnd, AppointmentType: string(p.AppointmentType)}
}

// Ladder loads the post levels, ranks, categories and equivalences.
func (s *Store) Ladder(ctx context.Context) (*cadre.Ladder, error) {
	var levels []postLevelRow
	var ranks []rankRow
	var cats, rankCats []codeNameRow
	var eqs []rankEquivalenceRow
	db := s.conn(ctx)
	for _, q := range []struct {
		table string
		dst   any
		order string
	}{{"post_levels", &levels, "ord"}, {"ranks", &ranks, "category, ord"}, {"post_categories", &cats, "code"},
		{"rank_categories", &rankCats, "code"}, {"rank_equivalences", &eqs, "post_level, rank_category, rank_code"}} {
		if err := db.Table(q.table).Order(q.order).Find(q.dst).Error; err != nil {
			return nil, err
		}
	}
	lv := make([]cadre.PostLevel, len(levels))
	for i, r := range levels {
		lv[i] = cadre.PostLevel{Code: r.Code, Name: r.Name, Ord: r.Ord, GradeMin: r.GradeMin, GradeMax: r.GradeMax}
	}
	rk := make([]cadre.Rank, len(ranks))
	for i, r := range ranks {
		rk[i] = cadre.Rank{Category: r.Category, Code: r.Code, Name: r.Name, Ord: r.Ord, GradeMin: r.GradeMin, GradeMax: r.GradeMax}
	}
	pc := make([]cadre.PostCategory, len(cats))
	for i, r := range cats {
		pc[i] = cadre.PostCategory{Code: r.Code, Name: r.Name}
	}
	rc := make([]cadre.RankCategory, len(rankCats))
	for i, r := range rankCats {
		rc[i] = cadre.RankCategory{Code: r.Code, Name: r.Name}
	}
	eq := make([]cadre.Equivalence, len(eqs))
	for i, r := range eqs {
		eq[i] = cadre.Equivalence{PostLevel: r.PostLevel, RankCategory: r.RankCategory, RankCode: r.RankCode}
	}
	return cadre.NewLadder(lv, rk, rc, pc, eq), nil
}

const insertBatch = 200

// CreateCadres inserts the cadres in batches and sets their IDs.
func (s *Store) CreateCadres(ctx context.Context, cs []cadre.Cadre) error {
	if len(cs) == 0 {
		return nil
	}
	rows := make([]cadreRow, len(cs))
	for i, c := range cs {
		rows[i] = cadreRowFrom(c)
		rows[i].ID = 0
	}
	if err := s.conn(ctx).CreateInBatches(&rows, insertBatch).Error; err != nil {
		return err
	}
	for i := range cs {
		cs[i].ID = rows[i].ID
	}
	return nil
}

// UpdateCadre writes every field of c.
func (s *Store) UpdateCadre(ctx context.Context, c cadre.Cadre) error {
	r := cadreRowFrom(c)
	return s.conn(ctx).Model(&cadreRow{}).Where("id = ?", c.ID).Updates(map[string]any{
		"org_id": r.OrgID, "code": r.Code, "name": r.Name, "gender": r.Gender, "birth_date": r.BirthDate,
		"ethnicity": r.Ethnicity, "education": r.Education, "party_join_date": r.PartyJoinDate,
		"work_start_date": r.WorkStartDate, "reserve": r.Reserve, "current_post": r.CurrentPost, "post_level": r.PostLevel,
		"rank_category": r.RankCategory, "rank_code": r.RankCode, "post_category": r.PostCategory,
		"term_start": r.TermStart, "term_end": r.TermEnd, "updated_at": r.UpdatedAt}).Error
}

func (s *Store) cadresWithOrg(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("cadres c").Joins("JOIN orgs o ON o.id = c.org_id")
}

const cadreOrgColumns = "c.*, o.name AS org_name, o.path AS org_path"

// CadreByID returns the cadre with its org's name and path, or nil.
func (s *Store) CadreByID(ctx context.Context, id int64) (*cadre.Cadre, error) {
	var rows []cadreOrgRow
	if err := s.cadresWithOrg(ctx).Select(cadreOrgColumns).Where("c.id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	c := toCadreWithOrg(rows[0])
	return &c, nil
}

// SearchCadres returns a page of the cadres under f.PathPrefix matching f, ordered by code,
// and the total.
func (s *Store) SearchCadres(ctx context.Context, f cadre.Filter) ([]cadre.Cadre, int64, error) {
	q := s.cadresWithOrg(ctx).Where("o.path LIKE ?", f.PathPrefix+"%")
	if t := strings.TrimSpace(f.Q); t != "" {
		q = q.Where(`(c.name LIKE ? ESCAPE '\' OR LOWER(c.code) LIKE ? ESCAPE '\')`, likePattern(t), likePattern(strings.ToLower(t)))
	}
	if f.PostLevel != "" {
		q = q.Where("c.post_level = ?", f.PostLevel)
	}
	if f.Reserve != nil {
		q = q.Where("c.reserve = ?", *f.Reserve)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []cadreOrgRow
	if err := q.Select(cadreOrgColumns).Order("c.code").Offset(pageOffset(f.Page, f.PageSize)).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]cadre.Cadre, len(rows))
	for i, r := range rows {
		out[i] = toCadreWithOrg(r)
	}
	return out, total, nil
}

// ExistingCadreCodes returns those of codes already taken.
func (s *Store) ExistingCadreCodes(ctx context.Context, codes []string) ([]string, error) {
	var out []string
	for i := 0; i < len(codes); i += 500 {
		var part []string
		if err := s.conn(ctx).Model(&cadreRow{}).Where("code IN ?", codes[i:min(i+500, len(codes))]).Order("code").Pluck("code", &part).Error; err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// PostRecords returns a cadre's post history, oldest first.
func (s *Store) PostRecords(ctx context.Context, cadreID int64) ([]cadre.PostRecord, error) {
	var rows []postRecordRow
	if err := s.conn(ctx).Where("cadre_id = ?", cadreID).Order("start_date, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cadre.PostRecord, len(rows))
	for i, r := range rows {
		out[i] = toPostRecord(r)
	}
	return out, nil
}

// CreatePostRecords inserts the records in batches and sets their IDs.
func (s *Store) CreatePostRecords(ctx context.Context, ps []cadre.PostRecord) error {
	if len(ps) == 0 {
		return nil
	}
	rows := make([]postRecordRow, len(ps))
	for i, p := range ps {
		rows[i] = postRecordRowFrom(p)
		rows[i].ID = 0
	}
	if err := s.conn(ctx).CreateInBatches(&rows, insertBatch).Error; err != nil {
		return err
	}
	for i := range ps {
		ps[i].ID = rows[i].ID
	}
	return nil
}

// UpdatePostRecord writes every field of p.
func (s *Store) UpdatePostRecord(ctx context.Context, p cadre.PostRecord) error {
	r := postRecordRowFrom(p)
	return s.conn(ctx).Model(&postRecordRow{}).Where("id = ?", p.ID).Updates(map[string]any{
		"title": r.Title, "post_level": r.PostLevel, "rank_category": r.RankCategory, "rank_code": r.RankCode,
		"post_category": r.PostCategory, "unit_org_id": r.UnitOrgID, "unit_name": r.UnitName, "start_date": r.StartDate,
		"end_date": r.EndDate, "grassroots": r.Grassroots, "leadership": r.Leadership, "probation_end": r.ProbationEnd,
		"appointment_type": r.AppointmentType}).Error
}
