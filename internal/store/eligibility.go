package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/eligibility"
	"qualify/internal/platform/civil"
)

type eligibilityRequirementRow struct {
	ID                         int64 `gorm:"primaryKey"`
	PostCategory               string
	TargetLevel                string
	Certificates               string
	TrainingHours              float64
	TrainingYears              int
	TrainingWindow             string
	MinYearsOfWork             int
	MinGrassrootsYears         int
	MinYearsDeputyToPrincipal  int
	MinYearsPrincipalToDeputy  int
	MinPostsAtLowerLevel       int
	MinEducation               string
	MinYearsSinceLastPromotion int
	ProbationBlocks            bool
	CertificateDeadlineMonths  int
	ExpiryWarningDays          int
	Basis                      string
	UpdatedAt                  time.Time
	UpdatedBy                  string
}

func (eligibilityRequirementRow) TableName() string { return "eligibility_requirements" }

type eligibilityExceptionRow struct {
	ID            int64 `gorm:"primaryKey"`
	CadreID       int64
	TargetLevel   string
	Kind          string
	Justification string
	Approver      string
	DocumentNo    string
	Rules         string
	Note          string
	CreatedAt     time.Time
	CreatedBy     string
}

func (eligibilityExceptionRow) TableName() string { return "eligibility_exceptions" }

type eligibilityCheckRow struct {
	ID            int64 `gorm:"primaryKey"`
	CadreID       int64
	TargetLevel   string
	PostCategory  string
	AsOf          civil.Date
	Eligible      bool
	Rules         string
	RequirementID *int64
	CheckedAt     time.Time
	CheckedBy     string
	BatchID       *int64
}

func (eligibilityCheckRow) TableName() string { return "eligibility_checks" }

// eligibilityCheckCadreRow is a check read with its cadre's name and org path.
type eligibilityCheckCadreRow struct {
	Check     eligibilityCheckRow `gorm:"embedded"`
	CadreName string
	OrgPath   string
}

type complianceActionRow struct {
	ID         int64 `gorm:"primaryKey"`
	CadreID    int64
	Action     string
	Note       string
	DocumentNo string
	CreatedAt  time.Time
	CreatedBy  string
}

func (complianceActionRow) TableName() string { return "compliance_actions" }

// ruleResultJSON is a rule result as kept in eligibility_checks.rules.
type ruleResultJSON struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Basis  string `json:"basis"`
}

func toRequirement(r eligibilityRequirementRow) eligibility.Requirement {
	basis := map[string]string{}
	_ = json.Unmarshal([]byte(r.Basis), &basis)
	return eligibility.Requirement{ID: r.ID, PostCategory: r.PostCategory, TargetLevel: r.TargetLevel,
		Certificates: fromJSONText[[]string](r.Certificates), TrainingHours: r.TrainingHours, TrainingYears: r.TrainingYears,
		TrainingWindow: eligibility.Window(r.TrainingWindow), MinYearsOfWork: r.MinYearsOfWork, MinGrassrootsYears: r.MinGrassrootsYears,
		MinYearsDeputyToPrincipal: r.MinYearsDeputyToPrincipal, MinYearsPrincipalToDeputy: r.MinYearsPrincipalToDeputy,
		MinPostsAtLowerLevel: r.MinPostsAtLowerLevel, MinEducation: cadre.Education(r.MinEducation),
		MinYearsSinceLastPromotion: r.MinYearsSinceLastPromotion, ProbationBlocks: r.ProbationBlocks,
		CertificateDeadlineMonths: r.CertificateDeadlineMonths, ExpiryWarningDays: r.ExpiryWarningDays, Basis: basis,
		UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
}

func basisText(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func toException(r eligibilityExceptionRow) eligibility.Exception {
	return eligibility.Exception{ID: r.ID, CadreID: r.CadreID, TargetLevel: r.TargetLevel, Kind: eligibility.ExceptionKind(r.Kind),
		Justification: r.Justification, Approver: r.Approver, DocumentNo: r.DocumentNo, Rules: fromJSONText[[]string](r.Rules),
		Note: r.Note, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
}

func toCheck(r eligibilityCheckCadreRow) eligibility.Check {
	var rules []ruleResultJSON
	_ = json.Unmarshal([]byte(r.Check.Rules), &rules)
	out := eligibility.Check{ID: r.Check.ID, CadreID: r.Check.CadreID, CadreName: r.CadreName, OrgPath: r.OrgPath,
		TargetLevel: r.Check.TargetLevel, PostCategory: r.Check.PostCategory, AsOf: r.Check.AsOf, Eligible: r.Check.Eligible,
		CheckedAt: r.Check.CheckedAt.UTC(), CheckedBy: r.Check.CheckedBy}
	if r.Check.RequirementID != nil {
		out.RequirementID = *r.Check.RequirementID
	}
	if r.Check.BatchID != nil {
		out.BatchID = *r.Check.BatchID
	}
	for _, x := range rules {
		out.Rules = append(out.Rules, eligibility.RuleResult{Code: x.Code, Title: x.Title, Status: eligibility.Status(x.Status),
			Detail: x.Detail, Basis: x.Basis})
	}
	return out
}

// EligibilityRequirements returns the requirement matrix, by category and target level.
func (s *Store) EligibilityRequirements(ctx context.Context) ([]eligibility.Requirement, error) {
	var rows []eligibilityRequirementRow
	if err := s.conn(ctx).Table("eligibility_requirements r").Select("r.*").Joins("JOIN post_levels l ON l.code = r.target_level").
		Order("r.post_category, l.ord").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]eligibility.Requirement, len(rows))
	for i, r := range rows {
		out[i] = toRequirement(r)
	}
	return out, nil
}

// UpdateEligibilityRequirement replaces the values of the matrix row r.ID (not its key).
func (s *Store) UpdateEligibilityRequirement(ctx context.Context, r eligibility.Requirement) error {
	return s.conn(ctx).Model(&eligibilityRequirementRow{}).Where("id = ?", r.ID).Updates(map[string]any{
		"certificates": jsonText(r.Certificates), "training_hours": r.TrainingHours, "training_years": r.TrainingYears,
		"training_window": string(r.TrainingWindow), "min_years_of_work": r.MinYearsOfWork, "min_grassroots_years": r.MinGrassrootsYears,
		"min_years_deputy_to_principal": r.MinYearsDeputyToPrincipal, "min_years_principal_to_deputy": r.MinYearsPrincipalToDeputy,
		"min_posts_at_lower_level": r.MinPostsAtLowerLevel, "min_education": string(r.MinEducation),
		"min_years_since_last_promotion": r.MinYearsSinceLastPromotion, "probation_blocks": r.ProbationBlocks,
		"certificate_deadline_months": r.CertificateDeadlineMonths, "expiry_warning_days": r.ExpiryWarningDays,
		"basis": basisText(r.Basis), "updated_at": r.UpdatedAt, "updated_by": r.UpdatedBy}).Error
}

// CreateEligibilityException inserts an exception and sets e.ID.
func (s *Store) CreateEligibilityException(ctx context.Context, e *eligibility.Exception) error {
	r := eligibilityExceptionRow{CadreID: e.CadreID, TargetLevel: e.TargetLevel, Kind: string(e.Kind), Justification: e.Justification,
		Approver: e.Approver, DocumentNo: e.DocumentNo, Rules: jsonText(e.Rules), Note: e.Note, CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	e.ID = r.ID
	return nil
}

// EligibilityExceptions returns a cadre's exceptions, oldest first.
func (s *Store) EligibilityExceptions(ctx context.Context, cadreID int64) ([]eligibility.Exception, error) {
	var rows []eligibilityExceptionRow
	if err := s.conn(ctx).Where("cadre_id = ?", cadreID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]eligibility.Exception, len(rows))
	for i, r := range rows {
		out[i] = toException(r)
	}
	return out, nil
}

// CreateEligibilityCheck inserts a check and sets c.ID.
func (s *Store) CreateEligibilityCheck(ctx context.Context, c *eligibility.Check) error {
	r := eligibilityCheckRow{CadreID: c.CadreID, TargetLevel: c.TargetLevel, PostCategory: c.PostCategory, AsOf: c.AsOf,
		Eligible: c.Eligible, Rules: rulesText(c.Rules), CheckedAt: c.CheckedAt, CheckedBy: c.CheckedBy,
		RequirementID: nullID(c.RequirementID), BatchID: nullID(c.BatchID)}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	c.ID = r.ID
	return nil
}

func (s *Store) checksWithCadre(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("eligibility_checks x").Joins("JOIN cadres c ON c.id = x.cadre_id").Joins("JOIN orgs o ON o.id = c.org_id")
}

const checkCadreColumns = "x.*, c.name AS cadre_name, o.path AS org_path"

// EligibilityCheckByID returns the check with its cadre's name and org path, or nil.
func (s *Store) EligibilityCheckByID(ctx context.Context, id int64) (*eligibility.Check, error) {
	var rows []eligibilityCheckCadreRow
	if err := s.checksWithCadre(ctx).Select(checkCadreColumns).Where("x.id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	c := toCheck(rows[0])
	return &c, nil
}

// SearchEligibilityChecks returns a page of the checks of cadres under f.PathPrefix (optionally of
// one cadre, of one batch), newest first, and the total.
func (s *Store) SearchEligibilityChecks(ctx context.Context, f eligibility.CheckFilter) ([]eligibility.Check, int64, error) {
	q := s.checksWithCadre(ctx).Where("o.path LIKE ? ESCAPE '\\'", prefixPattern(f.PathPrefix))
	if f.CadreID > 0 {
		q = q.Where("x.cadre_id = ?", f.CadreID)
	}
	if f.BatchID > 0 {
		q = q.Where("x.batch_id = ?", f.BatchID)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []eligibilityCheckCadreRow
	if err := q.Select(checkCadreColumns).Order("x.id DESC").Offset(pageOffset(f.Page, f.PageSize)).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]eligibility.Check, len(rows))
	for i, r := range rows {
		out[i] = toCheck(r)
	}
	return out, total, nil
}

// CadreByCode returns the cadre with that code with its org's name and path, or nil.
func (s *Store) CadreByCode(ctx context.Context, code string) (*cadre.Cadre, error) {
	var rows []cadreOrgRow
	if err := s.cadresWithOrg(ctx).Select(cadreOrgColumns).Where("c.code = ?", code).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	c := toCadreWithOrg(rows[0])
	return &c, nil
}

// CadresInPost returns the cadres under pathPrefix holding a leadership post level, by code.
func (s *Store) CadresInPost(ctx context.Context, pathPrefix string) ([]cadre.Cadre, error) {
	var rows []cadreOrgRow
	if err := s.cadresWithOrg(ctx).Select(cadreOrgColumns).Where("o.path LIKE ? ESCAPE '\\' AND c.post_level IS NOT NULL", prefixPattern(pathPrefix)).
		Order("c.code").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cadre.Cadre, len(rows))
	for i, r := range rows {
		out[i] = toCadreWithOrg(r)
	}
	return out, nil
}

// CertificatesUnder returns the certificates of the cadres under pathPrefix.
func (s *Store) CertificatesUnder(ctx context.Context, pathPrefix string) ([]cert.Certificate, error) {
	var rows []certificateHolderRow
	if err := s.certificatesWithHolder(ctx).Select(certificateHolderColumns).Where("o.path LIKE ? ESCAPE '\\'", prefixPattern(pathPrefix)).
		Order("x.id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cert.Certificate, len(rows))
	for i, r := range rows {
		out[i] = toCertificateWithHolder(r)
	}
	return out, nil
}

// CreateComplianceAction inserts a recorded decision and sets a.ID.
func (s *Store) CreateComplianceAction(ctx context.Context, a *eligibility.ComplianceAction) error {
	r := complianceActionRow{CadreID: a.CadreID, Action: a.Action, Note: a.Note, DocumentNo: a.DocumentNo, CreatedAt: a.CreatedAt, CreatedBy: a.CreatedBy}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	a.ID = r.ID
	return nil
}

// The store satisfies the eligibility service's interface.
var _ eligibility.Store = (*Store)(nil)
