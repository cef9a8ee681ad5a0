package cadre

import (
	"context"
	"strconv"
	"sync"
	"time"

	"qualify/internal/audit"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

// Filter narrows a cadre search. PathPrefix is set by the service from the actor's scope and
// the requested org; stores match cadres whose org path starts with it.
type Filter struct {
	Q          string // part of the name or the code
	OrgID      int64  // the org whose subtree to search (0: the actor's whole scope)
	PostLevel  string
	Reserve    *bool
	PathPrefix string
	Page       int
	PageSize   int
}

// Store is what the cadre service needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	Ladder(ctx context.Context) (*Ladder, error)
	// CreateCadres inserts the cadres in batches and sets their IDs.
	CreateCadres(ctx context.Context, cs []Cadre) error
	UpdateCadre(ctx context.Context, c Cadre) error
	// CadreByID returns the cadre with its org's name and path, or nil.
	CadreByID(ctx context.Context, id int64) (*Cadre, error)
	SearchCadres(ctx context.Context, f Filter) ([]Cadre, int64, error)
	// ExistingCadreCodes returns those of codes already taken.
	ExistingCadreCodes(ctx context.Context, codes []string) ([]string, error)
	PostRecords(ctx context.Context, cadreID int64) ([]PostRecord, error)
	// CreatePostRecords inserts the records in batches and sets their IDs.
	CreatePostRecords(ctx context.Context, ps []PostRecord) error
	UpdatePostRecord(ctx context.Context, p PostRecord) error
	OrgByID(ctx context.Context, id int64) (*org.Org, error)
	OrgByCode(ctx context.Context, code string) (*org.Org, error)
}

// Auditor appends to the audit log within the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service manages cadres within the actor's org scope (数据范围): personnel offices read and
// write, exam administrators and training schools read, a cadre reads their own record.
type Service struct {
	store Store
	audit Auditor
	now   func() time.Time
	loc   *time.Location

	mu     sync.Mutex
	ladder *Ladder
}

// NewService returns a cadre service; dates ("today") are taken in loc.
func NewService(s Store, a Auditor, loc *time.Location) *Service {
	if loc == nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return &Service{store: s, audit: a, now: time.Now, loc: loc}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() civil.Date { return civil.Of(s.now().In(s.loc)) }

// Ladder returns the rank ladder (loaded once: it changes only with a migration).
func (s *Service) Ladder(ctx context.Context) (*Ladder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ladder != nil {
		return s.ladder, nil
	}
	l, err := s.store.Ladder(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "load ladder")
	}
	s.ladder = l
	return l, nil
}

func forbidden() error {
	return apperr.New(apperr.Forbidden, "forbidden", "当前角色无权执行此操作")
}

func notFound() error { return apperr.NotFoundf("干部不存在") }

func canRead(p identity.Principal) bool {
	return p.HasAny(identity.RolePersonnel, identity.RoleExamadmin, identity.RoleSchool)
}

func canWrite(p identity.Principal) bool { return p.Has(identity.RolePersonnel) }

func isSystem(p identity.Principal) bool { return p.Username == "system" && p.UserID == 0 }

func actorID(p identity.Principal) *int64 {
	if isSystem(p) {
		return nil
	}
	id := p.UserID
	return &id
}

func view(c Cadre) map[string]any {
	return map[string]any{"code": c.Code, "name": c.Name, "orgId": c.OrgID, "gender": c.Gender, "birthDate": c.BirthDate.String(),
		"education": c.Education, "partyJoinDate": c.PartyJoinDate.String(), "workStartDate": c.WorkStartDate.String(),
		"reserve": c.Reserve, "currentPost": c.CurrentPost, "postLevel": c.PostLevel, "rank": c.RankCode,
		"postCategory": c.PostCategory, "termStart": c.TermStart.String(), "termEnd": c.TermEnd.String()}
}

func postView(p PostRecord) map[string]any {
	return map[string]any{"id": p.ID, "title": p.Title, "postLevel": p.PostLevel, "rank": p.RankCode, "postCategory": p.PostCategory,
		"unitOrgId": p.UnitOrgID, "unitName": p.UnitName, "startDate": p.Start.String(), "endDate": p.End.String(),
		"grassroots": p.Grassroots, "probationEnd": p.ProbationEnd.String()}
}

func (s *Service) record(ctx context.Context, actor identity.Principal, action string, id int64, before, after any) error {
	return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: action,
		TargetType: "cadre", TargetID: strconv.FormatInt(id, 10), Before: before, After: after})
}

// scopedOrg returns the org with id when it lies in the actor's scope; org_not_found otherwise.
func (s *Service) scopedOrg(ctx context.Context, actor identity.Principal, id int64) (*org.Org, error) {
	o, err := s.store.OrgByID(ctx, id)
	if err != nil {
		return nil, apperr.Wrap(err, "find org")
	}
	if o == nil || !(isSystem(actor) || org.Contains(actor.OrgPath, o.Path)) {
		return nil, apperr.InvalidFields("org_not_found", "所在单位不存在或不在本人管理范围内",
			apperr.FieldError{Field: "orgId", Message: "单位不存在或不在管理范围内"})
	}
	return o, nil
}

// Create adds a cadre in an org of the actor's scope (personnel). Errors: forbidden,
// validation_failed, org_not_found, code_taken.
func (s *Service) Create(ctx context.Context, actor identity.Principal, c Cadre) (Cadre, error) {
	if !canWrite(actor) {
		return Cadre{}, forbidden()
	}
	l, err := s.Ladder(ctx)
	if err != nil {
		return Cadre{}, err
	}
	normalize(&c)
	if fe := validateCadre(l, c, s.today()); len(fe) > 0 {
		return Cadre{}, apperr.InvalidFields("validation_failed", "干部信息校验未通过", fe...)
	}
	o, err := s.scopedOrg(ctx, actor, c.OrgID)
	if err != nil {
		return Cadre{}, err
	}
	now := s.now().UTC()
	c.ID, c.CreatedAt, c.UpdatedAt, c.OrgName, c.OrgPath = 0, now, now, o.Name, o.Path
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkCodeFree(ctx, c.Code); err != nil {
			return err
		}
		cs := []Cadre{c}
		if err := s.store.CreateCadres(ctx, cs); err != nil {
			return apperr.Wrap(err, "create cadre")
		}
		c.ID = cs[0].ID
		return s.record(ctx, actor, "cadre.create", c.ID, nil, view(c))
	})
	return c, err
}

func (s *Service) checkCodeFree(ctx context.Context, code string) error {
	taken, err := s.store.ExistingCadreCodes(ctx, []string{code})
	if err != nil {
		return apperr.Wrap(err, "check cadre code")
	}
	if len(taken) > 0 {
		return &apperr.Error{Kind: apperr.Conflict, Code: "code_taken", Message: "干部编号已存在",
			Fields: []apperr.FieldError{{Field: "code", Message: "干部编号已存在"}}}
	}
	return nil
}

// load returns a cadre the actor may read; NotFound when it is missing or outside the scope.
func (s *Service) load(ctx context.Context, actor identity.Principal, id int64) (Cadre, error) {
	c, err := s.store.CadreByID(ctx, id)
	if err != nil {
		return Cadre{}, apperr.Wrap(err, "find cadre")
	}
	if c == nil || !org.Contains(actor.OrgPath, c.OrgPath) {
		return Cadre{}, notFound()
	}
	return *c, nil
}

func (s *Service) profile(ctx context.Context, c Cadre) (Profile, error) {
	l, err := s.Ladder(ctx)
	if err != nil {
		return Profile{}, err
	}
	posts, err := s.store.PostRecords(ctx, c.ID)
	if err != nil {
		return Profile{}, apperr.Wrap(err, "list post records")
	}
	return Profile{Cadre: c, Posts: posts, Facts: Derive(l, c, posts, s.today())}, nil
}

// Get returns a cadre with post history and derived facts (personnel, examadmin, school; within
// scope). Errors: forbidden, not_found (also for a cadre outside the scope).
func (s *Service) Get(ctx context.Context, actor identity.Principal, id int64) (Profile, error) {
	if !canRead(actor) {
		return Profile{}, forbidden()
	}
	c, err := s.load(ctx, actor, id)
	if err != nil {
		return Profile{}, err
	}
	return s.profile(ctx, c)
}

// Me returns the actor's own cadre record. Errors: not_found when the account has no cadre.
func (s *Service) Me(ctx context.Context, actor identity.Principal) (Profile, error) {
	if actor.CadreID == nil {
		return Profile{}, apperr.NotFoundf("当前账户未关联干部档案")
	}
	c, err := s.store.CadreByID(ctx, *actor.CadreID)
	if err != nil {
		return Profile{}, apperr.Wrap(err, "find cadre")
	}
	if c == nil {
		return Profile{}, apperr.NotFoundf("当前账户未关联干部档案")
	}
	return s.profile(ctx, *c)
}

// Search lists the cadres in the actor's scope, optionally within one org's subtree, by name or
// code and post level. An org outside the scope yields nothing. Errors: forbidden.
func (s *Service) Search(ctx context.Context, actor identity.Principal, f Filter) ([]Cadre, int64, error) {
	if !canRead(actor) {
		return nil, 0, forbidden()
	}
	if actor.OrgPath == "" {
		return nil, 0, nil
	}
	f.PathPrefix = actor.OrgPath
	if f.OrgID != 0 {
		o, err := s.store.OrgByID(ctx, f.OrgID)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "find org")
		}
		if o == nil || !org.Contains(actor.OrgPath, o.Path) {
			return nil, 0, nil
		}
		f.PathPrefix = o.Path
	}
	out, total, err := s.store.SearchCadres(ctx, f)
	return out, total, apperr.Wrap(err, "search cadres")
}

// Update is a change to a cadre; nil fields stay.
type Update struct {
	OrgID         *int64
	Code          *string
	Name          *string
	Gender        *Gender
	BirthDate     *civil.Date
	Ethnicity     *string
	Education     *Education
	PartyJoinDate *civil.Date
	WorkStartDate *civil.Date
	Reserve       *bool
	CurrentPost   *string
	PostLevel     *string
	RankCategory  *string
	RankCode      *string
	PostCategory  *string
	TermStart     *civil.Date
	TermEnd       *civil.Date
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (u Update) apply(c *Cadre) {
	set(&c.OrgID, u.OrgID)
	set(&c.Code, u.Code)
	set(&c.Name, u.Name)
	set(&c.Gender, u.Gender)
	set(&c.BirthDate, u.BirthDate)
	set(&c.Ethnicity, u.Ethnicity)
	set(&c.Education, u.Education)
	set(&c.PartyJoinDate, u.PartyJoinDate)
	set(&c.WorkStartDate, u.WorkStartDate)
	set(&c.Reserve, u.Reserve)
	set(&c.CurrentPost, u.CurrentPost)
	set(&c.PostLevel, u.PostLevel)
	set(&c.RankCategory, u.RankCategory)
	set(&c.RankCode, u.RankCode)
	set(&c.PostCategory, u.PostCategory)
	set(&c.TermStart, u.TermStart)
	set(&c.TermEnd, u.TermEnd)
}

// Update changes a cadre (personnel, within scope; a new org must be in scope too). Errors:
// forbidden, not_found, validation_failed, org_not_found, code_taken.
func (s *Service) Update(ctx context.Context, actor identity.Principal, id int64, u Update) (Cadre, error) {
	if !canWrite(actor) {
		return Cadre{}, forbidden()
	}
	l, err := s.Ladder(ctx)
	if err != nil {
		return Cadre{}, err
	}
	var out Cadre
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		before, err := s.load(ctx, actor, id)
		if err != nil {
			return err
		}
		c := before
		u.apply(&c)
		normalize(&c)
		if fe := validateCadre(l, c, s.today()); len(fe) > 0 {
			return apperr.InvalidFields("validation_failed", "干部信息校验未通过", fe...)
		}
		if c.OrgID != before.OrgID {
			o, err := s.scopedOrg(ctx, actor, c.OrgID)
			if err != nil {
				return err
			}
			c.OrgName, c.OrgPath = o.Name, o.Path
		}
		if c.Code != before.Code {
			if err := s.checkCodeFree(ctx, c.Code); err != nil {
				return err
			}
		}
		c.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateCadre(ctx, c); err != nil {
			return apperr.Wrap(err, "update cadre")
		}
		out = c
		return s.record(ctx, actor, "cadre.update", id, view(before), view(c))
	})
	return out, err
}

// NewPost is a post record to add; Grassroots nil takes the unit's default (an org at county
// level or below counts as grassroots), Leadership nil means "has a post level".
type NewPost struct {
	PostRecord
	Grassroots *bool
	Leadership *bool
}

// AddPost appends a post record to a cadre's history (personnel, within scope). A record without
// an end becomes the cadre's current post (and rank). Errors: forbidden, not_found,
// validation_failed, org_not_found.
func (s *Service) AddPost(ctx context.Context, actor identity.Principal, cadreID int64, in NewPost) (PostRecord, error) {
	if !canWrite(actor) {
		return PostRecord{}, forbidden()
	}
	l, err := s.Ladder(ctx)
	if err != nil {
		return PostRecord{}, err
	}
	p := in.PostRecord
	p.ID, p.CadreID = 0, cadreID
	normalizePost(&p)
	if fe := validatePost(l, p, s.today()); len(fe) > 0 {
		return PostRecord{}, apperr.InvalidFields("validation_failed", "任职经历校验未通过", fe...)
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.load(ctx, actor, cadreID)
		if err != nil {
			return err
		}
		p.Leadership = p.PostLevel != ""
		set(&p.Leadership, in.Leadership)
		if p.UnitOrgID != nil {
			o, err := s.store.OrgByID(ctx, *p.UnitOrgID)
			if err != nil {
				return apperr.Wrap(err, "find unit")
			}
			if o == nil {
				return apperr.InvalidFields("org_not_found", "任职单位不存在", apperr.FieldError{Field: "unitOrgId", Message: "单位不存在"})
			}
			if p.UnitName == "" {
				p.UnitName = o.Name
			}
			p.Grassroots = o.Grassroots
		}
		set(&p.Grassroots, in.Grassroots)
		ps := []PostRecord{p}
		if err := s.store.CreatePostRecords(ctx, ps); err != nil {
			return apperr.Wrap(err, "create post record")
		}
		p = ps[0]
		if p.Open() {
			before := c
			becomeCurrent(&c, p)
			c.UpdatedAt = s.now().UTC()
			if err := s.store.UpdateCadre(ctx, c); err != nil {
				return apperr.Wrap(err, "update current post")
			}
			return s.record(ctx, actor, "cadre.post.add", cadreID, view(before), map[string]any{"post": postView(p), "cadre": view(c)})
		}
		return s.record(ctx, actor, "cadre.post.add", cadreID, nil, map[string]any{"post": postView(p)})
	})
	return p, err
}

// becomeCurrent makes an open record the cadre's current post or rank.
func becomeCurrent(c *Cadre, p PostRecord) {
	if p.RankCode != "" {
		c.RankCategory, c.RankCode = p.RankCategory, p.RankCode
	}
	if p.PostLevel != "" || c.PostLevel == "" {
		c.CurrentPost, c.PostCategory, c.TermStart, c.TermEnd = p.Title, p.PostCategory, p.Start, civil.Date{}
		if p.PostLevel != "" {
			c.PostLevel = p.PostLevel
		}
	}
}

// EndPost sets the end date of an open post record (personnel, within scope). Ending the
// cadre's current leadership post clears it from the cadre. Errors: forbidden, not_found,
// post_not_found, post_already_ended, validation_failed.
func (s *Service) EndPost(ctx context.Context, actor identity.Principal, cadreID, postID int64, end civil.Date) (PostRecord, error) {
	if !canWrite(actor) {
		return PostRecord{}, forbidden()
	}
	var out PostRecord
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		c, err := s.load(ctx, actor, cadreID)
		if err != nil {
			return err
		}
		posts, err := s.store.PostRecords(ctx, cadreID)
		if err != nil {
			return apperr.Wrap(err, "list post records")
		}
		var p *PostRecord
		for i := range posts {
			if posts[i].ID == postID {
				p = &posts[i]
			}
		}
		switch {
		case p == nil:
			return apperr.New(apperr.NotFound, "post_not_found", "任职记录不存在")
		case !p.Open():
			return apperr.New(apperr.Conflict, "post_already_ended", "该任职记录已有免职时间")
		case end.IsZero() || end.Before(p.Start) || end.After(s.today().AddDays(366)):
			return apperr.InvalidFields("validation_failed", "免职时间无效",
				apperr.FieldError{Field: "endDate", Message: "免职时间必填，且不能早于任职时间"})
		}
		p.End = end
		if err := s.store.UpdatePostRecord(ctx, *p); err != nil {
			return apperr.Wrap(err, "end post record")
		}
		before := c
		if p.Title == c.CurrentPost && p.PostLevel == c.PostLevel {
			c.CurrentPost, c.PostLevel, c.TermEnd = "", "", end
		}
		if p.PostLevel == "" && p.RankCode != "" && p.RankCode == c.RankCode {
			c.RankCategory, c.RankCode = "", ""
		}
		if c != before {
			c.UpdatedAt = s.now().UTC()
			if err := s.store.UpdateCadre(ctx, c); err != nil {
				return apperr.Wrap(err, "update current post")
			}
		}
		out = *p
		return s.record(ctx, actor, "cadre.post.end", cadreID, nil, map[string]any{"post": postView(*p)})
	})
	return out, err
}
