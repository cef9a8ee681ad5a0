// Package org holds the organization tree (组织机构): province, city, county and township
// governments, and the units and departments inside them. A user's org is the root of the
// subtree they may see (数据范围).
package org

import (
	"context"
	"strconv"
	"strings"
	"time"

	"qualify/internal/audit"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// Kind is the level or nature of an organization.
type Kind string

// The kinds of organization.
const (
	Province   Kind = "province"   // 省
	City       Kind = "city"       // 市（地、州）
	County     Kind = "county"     // 县（市、区）
	Township   Kind = "township"   // 乡镇（街道）
	Unit       Kind = "unit"       // 单位（机关、事业单位）
	Department Kind = "department" // 内设机构
)

// KindNames are the Chinese names of the kinds.
var KindNames = map[Kind]string{Province: "省", City: "市", County: "县（市、区）", Township: "乡镇（街道）", Unit: "单位", Department: "内设机构"}

// allowedParents says under which kinds each kind may sit (a province is a root).
var allowedParents = map[Kind][]Kind{
	Province:   nil,
	City:       {Province},
	County:     {City, Province},
	Township:   {County},
	Unit:       {Province, City, County, Township, Unit},
	Department: {Province, City, County, Township, Unit},
}

// Org is one node of the tree.
type Org struct {
	ID         int64
	ParentID   *int64
	Name       string
	Kind       Kind
	Code       string
	Path       string // "/1/4/9/": ids from the root down to and including this org
	Grassroots bool   // county level or below counts as 基层 by default (domain.md §2.3)
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// PathFor returns the path of a child with id under parentPath.
func PathFor(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + strconv.FormatInt(id, 10) + "/"
}

// Contains reports whether the org at path scope contains the org at path p (itself included).
func Contains(scope, p string) bool { return scope != "" && strings.HasPrefix(p, scope) }

// DefaultGrassroots says whether an org of this kind under this parent counts as grassroots.
func DefaultGrassroots(k Kind, parent *Org) bool {
	switch k {
	case County, Township:
		return true
	case Unit, Department:
		return parent != nil && parent.Grassroots
	}
	return false
}

// Store is what the org service needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateOrg(ctx context.Context, o *Org) error
	OrgByID(ctx context.Context, id int64) (*Org, error)
	OrgByCode(ctx context.Context, code string) (*Org, error)
	UpdateOrg(ctx context.Context, o Org) error
	// OrgsUnder returns the orgs whose path starts with pathPrefix, ordered by path.
	OrgsUnder(ctx context.Context, pathPrefix string) ([]Org, error)
}

// Auditor appends to the audit log.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service manages the org tree.
type Service struct {
	store Store
	audit Auditor
	now   func() time.Time
}

// NewService returns an org service.
func NewService(s Store, a Auditor) *Service { return &Service{store: s, audit: a, now: time.Now} }

// NewOrg is the input to Create.
type NewOrg struct {
	ParentID   *int64
	Name       string
	Kind       Kind
	Code       string
	Grassroots *bool
}

func canManage(p identity.Principal) bool { return p.HasAny(identity.RoleSysadmin) }

// Create adds an org under its parent (sysadmin, within their scope; or the system when
// actor is the zero Principal with Username "system"). Errors: forbidden, validation_failed,
// parent_not_found, kind_not_allowed, code_taken.
func (s *Service) Create(ctx context.Context, actor identity.Principal, in NewOrg) (Org, error) {
	system := actor.Username == "system" && actor.UserID == 0
	if !system && !canManage(actor) {
		return Org{}, apperr.New(apperr.Forbidden, "forbidden", "当前角色无权管理组织机构")
	}
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	var fe []apperr.FieldError
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		fe = append(fe, apperr.FieldError{Field: "name", Message: "名称必填，不超过 100 字"})
	}
	if in.Code == "" || len(in.Code) > 64 {
		fe = append(fe, apperr.FieldError{Field: "code", Message: "编码必填，不超过 64 个字符"})
	}
	if _, ok := allowedParents[in.Kind]; !ok {
		fe = append(fe, apperr.FieldError{Field: "kind", Message: "类型应为 province、city、county、township、unit 或 department"})
	}
	if len(fe) > 0 {
		return Org{}, apperr.InvalidFields("validation_failed", "组织信息校验未通过", fe...)
	}
	var parent *Org
	if in.ParentID != nil {
		p, err := s.store.OrgByID(ctx, *in.ParentID)
		if err != nil {
			return Org{}, apperr.Wrap(err, "find parent org")
		}
		if p == nil || (!system && !Contains(actor.OrgPath, p.Path)) {
			return Org{}, apperr.InvalidFields("parent_not_found", "上级组织不存在", apperr.FieldError{Field: "parentId", Message: "上级组织不存在"})
		}
		parent = p
	}
	if !kindAllowed(in.Kind, parent) {
		return Org{}, apperr.InvalidFields("kind_not_allowed", "该类型的组织不能设在此上级之下", apperr.FieldError{Field: "kind", Message: "层级关系不允许"})
	}
	now := s.now().UTC()
	o := Org{ParentID: in.ParentID, Name: in.Name, Kind: in.Kind, Code: in.Code, CreatedAt: now, UpdatedAt: now}
	o.Grassroots = DefaultGrassroots(in.Kind, parent)
	if in.Grassroots != nil {
		o.Grassroots = *in.Grassroots
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if dup, err := s.store.OrgByCode(ctx, o.Code); err != nil {
			return apperr.Wrap(err, "find org by code")
		} else if dup != nil {
			return apperr.InvalidFields("code_taken", "组织编码已存在", apperr.FieldError{Field: "code", Message: "编码已存在"})
		}
		if err := s.store.CreateOrg(ctx, &o); err != nil {
			return apperr.Wrap(err, "create org")
		}
		parentPath := "/"
		if parent != nil {
			parentPath = parent.Path
		}
		o.Path = PathFor(parentPath, o.ID)
		if err := s.store.UpdateOrg(ctx, o); err != nil {
			return apperr.Wrap(err, "set org path")
		}
		var actorID *int64
		if !system {
			actorID = &actor.UserID
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: actorID, ActorName: actor.Username, Action: "org.create", TargetType: "org",
			TargetID: strconv.FormatInt(o.ID, 10), After: map[string]any{"name": o.Name, "kind": o.Kind, "code": o.Code, "parentId": o.ParentID}})
	})
	return o, err
}

func kindAllowed(k Kind, parent *Org) bool {
	allowed := allowedParents[k]
	if parent == nil {
		return len(allowed) == 0 || k == Unit
	}
	for _, a := range allowed {
		if a == parent.Kind {
			return true
		}
	}
	return false
}

// Get returns an org the actor may see (their own subtree); NotFound otherwise.
func (s *Service) Get(ctx context.Context, actor identity.Principal, id int64) (Org, error) {
	o, err := s.store.OrgByID(ctx, id)
	if err != nil {
		return Org{}, apperr.Wrap(err, "find org")
	}
	if o == nil || !Contains(actor.OrgPath, o.Path) {
		return Org{}, apperr.NotFoundf("组织不存在")
	}
	return *o, nil
}

// Tree returns the actor's subtree, ordered by path (parents before children).
func (s *Service) Tree(ctx context.Context, actor identity.Principal) ([]Org, error) {
	if actor.OrgPath == "" {
		return nil, nil
	}
	out, err := s.store.OrgsUnder(ctx, actor.OrgPath)
	return out, apperr.Wrap(err, "list orgs")
}
