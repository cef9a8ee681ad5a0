package eligibility

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"qualify/internal/audit"
	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// FactSource is where the service reads a cadre's facts: the file, the post history, the
// certificates and the training ledger. *store.Store satisfies it.
type FactSource interface {
	Ladder(ctx context.Context) (*cadre.Ladder, error)
	// CadreByID returns the cadre with its org's name and path, or nil.
	CadreByID(ctx context.Context, id int64) (*cadre.Cadre, error)
	PostRecords(ctx context.Context, cadreID int64) ([]cadre.PostRecord, error)
	CertificatesOfCadre(ctx context.Context, cadreID int64) ([]cert.Certificate, error)
	Ledger(ctx context.Context, cadreID int64) ([]training.LedgerEntry, error)
}

// BulkFactSource reads the facts of many cadres at once, for a batch check. The maps are keyed by
// cadre ID and each list is in the order of its one-cadre counterpart; certificates and ledger
// entries carry the fields the rules read. *store.Store satisfies it.
type BulkFactSource interface {
	// CadresByCodes returns the cadres with those codes (干部编号) with their orgs; unknown codes
	// are left out.
	CadresByCodes(ctx context.Context, codes []string) ([]cadre.Cadre, error)
	PostRecordsOf(ctx context.Context, cadreIDs []int64) (map[int64][]cadre.PostRecord, error)
	CertificatesOfCadres(ctx context.Context, cadreIDs []int64) (map[int64][]cert.Certificate, error)
	LedgerOf(ctx context.Context, cadreIDs []int64) (map[int64][]training.LedgerEntry, error)
	EligibilityExceptionsOf(ctx context.Context, cadreIDs []int64) (map[int64][]Exception, error)
}

// CheckFilter narrows a listing of checks; PathPrefix is set by the service from the actor's scope.
type CheckFilter struct {
	CadreID    int64
	BatchID    int64
	PathPrefix string
	Page       int
	PageSize   int
}

// Store is what the eligibility service needs from persistence.
type Store interface {
	FactSource
	BulkFactSource
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// InBulkTx is InTx for a transaction that writes in bulk (on PostgreSQL, with COPY).
	InBulkTx(ctx context.Context, fn func(ctx context.Context) error) error
	OrgByID(ctx context.Context, id int64) (*org.Org, error)
	// CadreByCode returns the cadre with that code (干部编号) with its org, or nil.
	CadreByCode(ctx context.Context, code string) (*cadre.Cadre, error)
	EligibilityRequirements(ctx context.Context) ([]Requirement, error)
	UpdateEligibilityRequirement(ctx context.Context, r Requirement) error
	CreateEligibilityException(ctx context.Context, e *Exception) error
	EligibilityExceptions(ctx context.Context, cadreID int64) ([]Exception, error)
	CreateEligibilityCheck(ctx context.Context, c *Check) error
	// CreateEligibilityChecks inserts the checks as CreateEligibilityCheck does and sets their IDs,
	// ascending in the order given.
	CreateEligibilityChecks(ctx context.Context, cs []Check) error
	CreateEligibilityBatch(ctx context.Context, b *Batch) error
	// UpdateEligibilityBatch writes b's counts and digest.
	UpdateEligibilityBatch(ctx context.Context, b Batch) error
	// EligibilityBatchByID returns the batch record, or nil.
	EligibilityBatchByID(ctx context.Context, id int64) (*Batch, error)
	// EligibilityCheckByID returns the check with its cadre's name and org path, or nil.
	EligibilityCheckByID(ctx context.Context, id int64) (*Check, error)
	SearchEligibilityChecks(ctx context.Context, f CheckFilter) ([]Check, int64, error)
	// CadresInPost returns the cadres under pathPrefix holding a leadership post level.
	CadresInPost(ctx context.Context, pathPrefix string) ([]cadre.Cadre, error)
	// CertificatesUnder returns the certificates of the cadres under pathPrefix.
	CertificatesUnder(ctx context.Context, pathPrefix string) ([]cert.Certificate, error)
	CreateComplianceAction(ctx context.Context, a *ComplianceAction) error
}

// Auditor appends to the audit log within the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service runs eligibility checks, keeps the requirement matrix and the exceptions, and lists
// compliance, for personnel offices within their org scope.
type Service struct {
	store Store
	audit Auditor
	now   func() time.Time
	loc   *time.Location
}

// NewService returns an eligibility service; dates ("today") are taken in loc.
func NewService(s Store, a Auditor, loc *time.Location) *Service {
	if loc == nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return &Service{store: s, audit: a, now: time.Now, loc: loc}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Today is the current date in the service's zone.
func (s *Service) Today() civil.Date { return civil.Of(s.now().In(s.loc)) }

func forbidden() error {
	return apperr.New(apperr.Forbidden, "forbidden", "当前角色无权执行此操作")
}

func cadreNotFound() error { return apperr.NotFoundf("干部不存在") }

func isSystem(p identity.Principal) bool { return p.Username == "system" && p.UserID == 0 }

func actorID(p identity.Principal) *int64 {
	if isSystem(p) {
		return nil
	}
	id := p.UserID
	return &id
}

func (s *Service) record(ctx context.Context, actor identity.Principal, action, targetType string, id int64, before, after any) error {
	return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: action,
		TargetType: targetType, TargetID: strconv.FormatInt(id, 10), Before: before, After: after})
}

// scopedCadre returns a cadre in the actor's scope; not_found when missing or outside it.
func (s *Service) scopedCadre(ctx context.Context, actor identity.Principal, id int64) (cadre.Cadre, error) {
	c, err := s.store.CadreByID(ctx, id)
	if err != nil {
		return cadre.Cadre{}, apperr.Wrap(err, "find cadre")
	}
	if c == nil || !(isSystem(actor) || org.Contains(actor.OrgPath, c.OrgPath)) {
		return cadre.Cadre{}, cadreNotFound()
	}
	return *c, nil
}

func (s *Service) ladder(ctx context.Context) (*cadre.Ladder, error) {
	l, err := s.store.Ladder(ctx)
	return l, apperr.Wrap(err, "load ladder")
}

func (s *Service) matrix(ctx context.Context) ([]Requirement, error) {
	m, err := s.store.EligibilityRequirements(ctx)
	return m, apperr.Wrap(err, "load requirements")
}

func findRequirement(m []Requirement, category, level string) (Requirement, bool) {
	for _, r := range m {
		if r.PostCategory == category && r.TargetLevel == level {
			return r, true
		}
	}
	return Requirement{}, false
}

// Facts assembles what the rules measure for cadre c and target as of asOf, through the
// derivations of internal/cadre. exs are the cadre's exceptions.
func (s *Service) Facts(ctx context.Context, l *cadre.Ladder, c cadre.Cadre, target cadre.PostLevel, exs []Exception, asOf civil.Date) (Facts, error) {
	posts, err := s.store.PostRecords(ctx, c.ID)
	if err != nil {
		return Facts{}, apperr.Wrap(err, "list post records")
	}
	certs, err := s.store.CertificatesOfCadre(ctx, c.ID)
	if err != nil {
		return Facts{}, apperr.Wrap(err, "list certificates")
	}
	ledger, err := s.store.Ledger(ctx, c.ID)
	if err != nil {
		return Facts{}, apperr.Wrap(err, "read training ledger")
	}
	return factsOf(l, c, target, record{posts: posts, certs: certs, ledger: ledger, exceptions: exs}, asOf), nil
}

// record is what is kept about a cadre beyond the file: post history (oldest first),
// certificates (newest first), training ledger (newest first) and approved exceptions.
type record struct {
	posts      []cadre.PostRecord
	certs      []cert.Certificate
	ledger     []training.LedgerEntry
	exceptions []Exception
}

// factsOf derives the facts from the cadre's file and record; it is pure.
func factsOf(l *cadre.Ladder, c cadre.Cadre, target cadre.PostLevel, r record, asOf civil.Date) Facts {
	posts := r.posts
	f := Facts{Cadre: c, TargetLevel: target, LevelCount: len(l.Levels), YearsOfWork: cadre.YearsOfWork(c.WorkStartDate, posts, asOf),
		Grassroots: cadre.GrassrootsYears(posts, asOf), TimeInGrade: cadre.TimeInGrade(l, posts, asOf),
		LastPromotion: cadre.LastPromotionDate(l, posts, asOf), InProbation: cadre.InProbation(posts, asOf),
		Certificates: r.certs, Ledger: r.ledger}
	f.CurrentLevel = currentLevel(l, c, posts, asOf)
	if below, ok := l.LevelBelow(target.Code); ok {
		f.PostsAtLowerLevel = cadre.PostsAtLevel(posts, below.Code, asOf)
	}
	for _, p := range posts {
		if p.Open() && !p.ProbationEnd.IsZero() && !p.Start.After(asOf) && asOf.Before(p.ProbationEnd) {
			f.ProbationEnd = p.ProbationEnd
		}
	}
	for _, e := range r.exceptions {
		if f.CurrentLevel.Code != "" && e.TargetLevel == f.CurrentLevel.Code && slices.Contains(e.Rules, RuleTimeInPost) {
			f.PriorTimeInPostException = true
		}
	}
	return f
}

// currentLevel is the post level held on asOf, or the level of the rank held; from the history,
// else from the file.
func currentLevel(l *cadre.Ladder, c cadre.Cadre, posts []cadre.PostRecord, asOf civil.Date) cadre.PostLevel {
	if g := cadre.CurrentGrade(l, posts, asOf); g.Valid {
		for _, x := range l.Levels {
			if x.Ord == g.Major {
				return x
			}
		}
		return cadre.PostLevel{}
	}
	if x, ok := l.LevelByCode(c.PostLevel); ok {
		return x
	}
	if x, ok := l.LevelOfRank(c.RankCategory, c.RankCode); ok {
		return x
	}
	return cadre.PostLevel{}
}

func canCheck(p identity.Principal) bool { return isSystem(p) || p.Has(identity.RolePersonnel) }

// validateRequest checks the request's shape against the ladder.
func validateRequest(l *cadre.Ladder, req Request) (cadre.PostLevel, error) {
	var fe []apperr.FieldError
	target, ok := l.LevelByCode(req.TargetLevel)
	if !ok {
		fe = append(fe, apperr.FieldError{Field: "targetPostLevel", Message: "未知的职务层次"})
	}
	if _, ok := l.CategoryByCode(req.PostCategory); !ok {
		fe = append(fe, apperr.FieldError{Field: "postCategory", Message: "未知的职务类别"})
	}
	if len(fe) > 0 {
		return target, apperr.InvalidFields("validation_failed", "请求参数校验未通过", fe...)
	}
	return target, nil
}

func notConfigured() error {
	return apperr.New(apperr.FailedPrecondition, "requirement_not_configured", "未配置该职务类别、职务层次的任职资格要求")
}

// Check runs and keeps a check of a cadre in the actor's scope (personnel), audited.
// Errors: forbidden, not_found (a cadre outside the scope), validation_failed,
// requirement_not_configured.
func (s *Service) Check(ctx context.Context, actor identity.Principal, req Request) (Check, error) {
	if !canCheck(actor) {
		return Check{}, forbidden()
	}
	var out Check
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		l, err := s.ladder(ctx)
		if err != nil {
			return err
		}
		m, err := s.matrix(ctx)
		if err != nil {
			return err
		}
		c, err := s.scopedCadre(ctx, actor, req.CadreID)
		if err != nil {
			return err
		}
		out, err = s.check(ctx, actor, l, m, c, req)
		return err
	})
	return out, err
}

// check evaluates, stores and audits one check inside the caller's transaction.
func (s *Service) check(ctx context.Context, actor identity.Principal, l *cadre.Ladder, m []Requirement, c cadre.Cadre, req Request) (Check, error) {
	target, err := validateRequest(l, req)
	if err != nil {
		return Check{}, err
	}
	row, ok := findRequirement(m, req.PostCategory, req.TargetLevel)
	if !ok {
		return Check{}, notConfigured()
	}
	if req.AsOf.IsZero() {
		req.AsOf = s.Today()
	}
	exs, err := s.store.EligibilityExceptions(ctx, c.ID)
	if err != nil {
		return Check{}, apperr.Wrap(err, "list exceptions")
	}
	f, err := s.Facts(ctx, l, c, target, exs, req.AsOf)
	if err != nil {
		return Check{}, err
	}
	ch := judge(f, req, row, exs)
	ch.CheckedAt, ch.CheckedBy = s.now().UTC(), actor.Username
	if err := s.store.CreateEligibilityCheck(ctx, &ch); err != nil {
		return Check{}, apperr.Wrap(err, "store check")
	}
	var failed []string
	for _, r := range ch.Rules {
		if r.Status == Fail || r.Status == Waived {
			failed = append(failed, r.Code+":"+string(r.Status))
		}
	}
	return ch, s.record(ctx, actor, "eligibility.check", "eligibility_check", ch.ID, nil, map[string]any{"cadreId": c.ID,
		"targetPostLevel": req.TargetLevel, "postCategory": req.PostCategory, "asOf": req.AsOf.String(), "eligible": ch.Eligible, "failed": failed})
}

// judge evaluates the request over the facts against the matrix row and returns the check to
// keep (without its ID, time and checker); req.AsOf must be set. It is pure.
func judge(f Facts, req Request, row Requirement, exs []Exception) Check {
	rules := Evaluate(f, req, row, exs, req.AsOf)
	c := f.Cadre
	return Check{CadreID: c.ID, CadreName: c.Name, OrgPath: c.OrgPath, TargetLevel: req.TargetLevel, PostCategory: req.PostCategory,
		AsOf: req.AsOf, Eligible: Eligible(rules), Rules: rules, RequirementID: row.ID}
}

// GetCheck returns a kept check of a cadre in the actor's scope. Errors: forbidden, not_found.
func (s *Service) GetCheck(ctx context.Context, actor identity.Principal, id int64) (Check, error) {
	if !canCheck(actor) {
		return Check{}, forbidden()
	}
	c, err := s.store.EligibilityCheckByID(ctx, id)
	if err != nil {
		return Check{}, apperr.Wrap(err, "find check")
	}
	if c == nil || !(isSystem(actor) || org.Contains(actor.OrgPath, c.OrgPath)) {
		return Check{}, apperr.NotFoundf("资格核查记录不存在")
	}
	return *c, nil
}

// ListChecks lists the kept checks of the cadres in the actor's scope, newest first, optionally
// of one cadre. Errors: forbidden.
func (s *Service) ListChecks(ctx context.Context, actor identity.Principal, f CheckFilter) ([]Check, int64, error) {
	if !canCheck(actor) || actor.OrgPath == "" {
		return nil, 0, forbidden()
	}
	f.PathPrefix = actor.OrgPath
	list, total, err := s.store.SearchEligibilityChecks(ctx, f)
	return list, total, apperr.Wrap(err, "search checks")
}

// Requirements returns the requirement matrix (personnel, secadmin). Errors: forbidden.
func (s *Service) Requirements(ctx context.Context, actor identity.Principal) ([]Requirement, error) {
	if !canCheck(actor) && !actor.Has(identity.RoleSecadmin) {
		return nil, forbidden()
	}
	return s.matrix(ctx)
}

// canEditMatrix: the matrix is province-wide, so only a personnel office whose scope is a root
// org (the province's organization department), or the security administrator, may change it.
func canEditMatrix(p identity.Principal) bool {
	if isSystem(p) || p.Has(identity.RoleSecadmin) {
		return true
	}
	return p.Has(identity.RolePersonnel) && strings.Count(strings.Trim(p.OrgPath, "/"), "/") == 0 && p.OrgPath != ""
}

// UpdateRequirement replaces the editable values of a matrix row, audited with before and after.
// Errors: forbidden, not_found, validation_failed.
func (s *Service) UpdateRequirement(ctx context.Context, actor identity.Principal, id int64, r Requirement) (Requirement, error) {
	if !canEditMatrix(actor) {
		return Requirement{}, forbidden()
	}
	if fe := validateRequirement(r); len(fe) > 0 {
		return Requirement{}, apperr.InvalidFields("validation_failed", "任职资格要求校验未通过", fe...)
	}
	var out Requirement
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		m, err := s.matrix(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(m, func(x Requirement) bool { return x.ID == id })
		if i < 0 {
			return apperr.NotFoundf("任职资格要求不存在")
		}
		before := m[i]
		r.ID, r.PostCategory, r.TargetLevel, r.UpdatedAt, r.UpdatedBy = id, before.PostCategory, before.TargetLevel, s.now().UTC(), actor.Username
		if r.Basis == nil {
			r.Basis = before.Basis
		}
		if err := s.store.UpdateEligibilityRequirement(ctx, r); err != nil {
			return apperr.Wrap(err, "update requirement")
		}
		out = r
		return s.record(ctx, actor, "eligibility.requirement.update", "eligibility_requirement", id, requirementView(before), requirementView(r))
	})
	return out, err
}

func requirementView(r Requirement) map[string]any {
	return map[string]any{"postCategory": r.PostCategory, "targetPostLevel": r.TargetLevel, "certificates": r.Certificates,
		"trainingHours": r.TrainingHours, "trainingYears": r.TrainingYears, "trainingWindow": r.TrainingWindow,
		"minYearsOfWork": r.MinYearsOfWork, "minGrassrootsYears": r.MinGrassrootsYears, "minYearsDeputyToPrincipal": r.MinYearsDeputyToPrincipal,
		"minYearsPrincipalToDeputy": r.MinYearsPrincipalToDeputy, "minPostsAtLowerLevel": r.MinPostsAtLowerLevel, "minEducation": r.MinEducation,
		"minYearsSinceLastPromotion": r.MinYearsSinceLastPromotion, "probationBlocks": r.ProbationBlocks,
		"certificateDeadlineMonths": r.CertificateDeadlineMonths, "expiryWarningDays": r.ExpiryWarningDays, "basis": r.Basis}
}

func validateRequirement(r Requirement) []apperr.FieldError {
	var fe []apperr.FieldError
	bad := func(field, msg string) { fe = append(fe, apperr.FieldError{Field: field, Message: msg}) }
	for _, c := range r.Certificates {
		if _, ok := SubjectNames[c]; !ok {
			bad("certificates", "未知的考试科目："+c)
		}
	}
	if r.TrainingHours < 0 || r.TrainingHours > 5000 {
		bad("trainingHours", "应在 0 至 5000 之间")
	}
	if r.TrainingYears < 0 || r.TrainingYears > 10 || (r.TrainingHours > 0 && r.TrainingYears == 0) {
		bad("trainingYears", "应在 1 至 10 之间")
	}
	if r.TrainingWindow != Calendar && r.TrainingWindow != Rolling {
		bad("trainingWindow", "应为 calendar 或 rolling")
	}
	for field, v := range map[string]int{"minYearsOfWork": r.MinYearsOfWork, "minGrassrootsYears": r.MinGrassrootsYears,
		"minYearsDeputyToPrincipal": r.MinYearsDeputyToPrincipal, "minYearsPrincipalToDeputy": r.MinYearsPrincipalToDeputy,
		"minPostsAtLowerLevel": r.MinPostsAtLowerLevel, "minYearsSinceLastPromotion": r.MinYearsSinceLastPromotion} {
		if v < 0 || v > 40 {
			bad(field, "应在 0 至 40 之间")
		}
	}
	if r.MinEducation != "" && !slices.Contains(cadre.Educations, r.MinEducation) {
		bad("minEducation", "未知的学历")
	}
	if r.CertificateDeadlineMonths < 0 || r.CertificateDeadlineMonths > 120 {
		bad("certificateDeadlineMonths", "应在 0 至 120 之间")
	}
	if r.ExpiryWarningDays < 0 || r.ExpiryWarningDays > 730 {
		bad("expiryWarningDays", "应在 0 至 730 之间")
	}
	slices.SortFunc(fe, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return fe
}

// ValidateException checks an exception record: its kind, one of the six grounds of 第九条, the
// approver and document number, and that every rule it names may be waived (a skip-level
// exception waives level_step; an exceptional one may not).
func ValidateException(e Exception) []apperr.FieldError {
	var fe []apperr.FieldError
	bad := func(field, msg string) { fe = append(fe, apperr.FieldError{Field: field, Message: msg}) }
	if _, ok := ExceptionKindNames[e.Kind]; !ok {
		bad("type", "应为 exceptional（破格）或 skip_level（越级）")
	}
	if _, ok := Justifications[e.Justification]; !ok {
		bad("justification", "应为第九条规定的六种情形之一")
	}
	if strings.TrimSpace(e.Approver) == "" {
		bad("approver", "须填写批准的上级组织部门")
	}
	if strings.TrimSpace(e.DocumentNo) == "" {
		bad("documentNo", "须填写批准文号")
	}
	if e.Kind == Exceptional && len(e.Rules) == 0 {
		bad("rules", "须列明破格的条件")
	}
	for _, r := range e.Rules {
		switch {
		case !Waivable(r):
			bad("rules", "“"+r+"”不得破格（试用期、提拔不满一年、健康、法定资格与党龄、任职资格证书均不得突破）")
		case r == RuleLevelStep && e.Kind != SkipLevel:
			bad("rules", "越级提拔须以 skip_level 类型批准")
		}
	}
	return fe
}

// CreateException records an approved exception for a cadre in the actor's scope (personnel),
// audited. Errors: forbidden, not_found, rule_not_waivable, validation_failed.
func (s *Service) CreateException(ctx context.Context, actor identity.Principal, e Exception) (Exception, error) {
	if !canCheck(actor) {
		return Exception{}, forbidden()
	}
	if e.Kind == SkipLevel && !slices.Contains(e.Rules, RuleLevelStep) {
		e.Rules = append([]string{RuleLevelStep}, e.Rules...)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		l, err := s.ladder(ctx)
		if err != nil {
			return err
		}
		if _, err := s.scopedCadre(ctx, actor, e.CadreID); err != nil {
			return err
		}
		for _, r := range e.Rules {
			if !Waivable(r) {
				return &apperr.Error{Kind: apperr.FailedPrecondition, Code: "rule_not_waivable",
					Message: "试用期、提拔不满一年、健康、法定资格与党龄、任职资格证书不得破格",
					Fields:  []apperr.FieldError{{Field: "rules", Message: "“" + r + "”不得破格"}}}
			}
		}
		fe := ValidateException(e)
		if _, ok := l.LevelByCode(e.TargetLevel); !ok {
			fe = append(fe, apperr.FieldError{Field: "targetPostLevel", Message: "未知的职务层次"})
		}
		if len(fe) > 0 {
			return apperr.InvalidFields("validation_failed", "破格/越级批准记录校验未通过", fe...)
		}
		e.ID, e.CreatedAt, e.CreatedBy = 0, s.now().UTC(), actor.Username
		if err := s.store.CreateEligibilityException(ctx, &e); err != nil {
			return apperr.Wrap(err, "create exception")
		}
		return s.record(ctx, actor, "eligibility.exception.create", "cadre", e.CadreID, nil, map[string]any{"id": e.ID,
			"targetPostLevel": e.TargetLevel, "type": e.Kind, "justification": e.Justification, "approver": e.Approver,
			"documentNo": e.DocumentNo, "rules": e.Rules, "note": e.Note})
	})
	return e, err
}

// Exceptions lists a cadre's exceptions (personnel, within scope). Errors: forbidden, not_found.
func (s *Service) Exceptions(ctx context.Context, actor identity.Principal, cadreID int64) ([]Exception, error) {
	if !canCheck(actor) {
		return nil, forbidden()
	}
	if _, err := s.scopedCadre(ctx, actor, cadreID); err != nil {
		return nil, err
	}
	list, err := s.store.EligibilityExceptions(ctx, cadreID)
	return list, apperr.Wrap(err, "list exceptions")
}

// Compliance lists kind for the cadres in the actor's scope, or in one org's subtree of it.
// Errors: forbidden, validation_failed (unknown kind), org_not_found.
func (s *Service) Compliance(ctx context.Context, actor identity.Principal, kind ComplianceKind, orgID int64) ([]ComplianceItem, error) {
	if !canCheck(actor) || actor.OrgPath == "" && !isSystem(actor) {
		return nil, forbidden()
	}
	if !ValidComplianceKind(kind) {
		return nil, apperr.InvalidFields("validation_failed", "请求参数校验未通过",
			apperr.FieldError{Field: "kind", Message: "应为 overdue、due30、due90 或 expiring"})
	}
	prefix := actor.OrgPath
	if orgID > 0 {
		o, err := s.store.OrgByID(ctx, orgID)
		if err != nil {
			return nil, apperr.Wrap(err, "find org")
		}
		if o == nil || !(isSystem(actor) || org.Contains(actor.OrgPath, o.Path)) {
			return nil, apperr.InvalidFields("org_not_found", "单位不存在或不在本人管理范围内",
				apperr.FieldError{Field: "orgId", Message: "单位不存在或不在管理范围内"})
		}
		prefix = o.Path
	}
	m, err := s.matrix(ctx)
	if err != nil {
		return nil, err
	}
	cadres, err := s.store.CadresInPost(ctx, prefix)
	if err != nil {
		return nil, apperr.Wrap(err, "list cadres in post")
	}
	all, err := s.store.CertificatesUnder(ctx, prefix)
	if err != nil {
		return nil, apperr.Wrap(err, "list certificates")
	}
	by := map[int64][]cert.Certificate{}
	for _, c := range all {
		by[c.CadreID] = append(by[c.CadreID], c)
	}
	return Compliance(kind, cadres, by, m, s.Today()), nil
}

// RecordAction records a decision on a cadre in the actor's scope (personnel), audited. The
// system only records it: 待岗, 降级 and 免职 are the office's decisions. Errors: forbidden,
// not_found, validation_failed.
func (s *Service) RecordAction(ctx context.Context, actor identity.Principal, a ComplianceAction) (ComplianceAction, error) {
	if !canCheck(actor) {
		return ComplianceAction{}, forbidden()
	}
	var fe []apperr.FieldError
	if !slices.Contains(ComplianceActions, a.Action) {
		fe = append(fe, apperr.FieldError{Field: "action", Message: "应为 待岗、降级、免职 或 其他"})
	}
	if a.Action == "其他" && strings.TrimSpace(a.Note) == "" {
		fe = append(fe, apperr.FieldError{Field: "note", Message: "选择“其他”时须说明"})
	}
	if len(fe) > 0 {
		return ComplianceAction{}, apperr.InvalidFields("validation_failed", "处理决定校验未通过", fe...)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.scopedCadre(ctx, actor, a.CadreID); err != nil {
			return err
		}
		a.ID, a.CreatedAt, a.CreatedBy = 0, s.now().UTC(), actor.Username
		if err := s.store.CreateComplianceAction(ctx, &a); err != nil {
			return apperr.Wrap(err, "create compliance action")
		}
		return s.record(ctx, actor, "compliance.action", "cadre", a.CadreID, nil, map[string]any{"id": a.ID, "action": a.Action,
			"note": a.Note, "documentNo": a.DocumentNo})
	})
	return a, err
}
