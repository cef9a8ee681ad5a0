// Package identity holds accounts, roles, passwords, sessions and tokens: who may do what.
package identity

import (
	"slices"
	"time"
)

// Role is a capability set granted to a user.
type Role string

// The roles. sysadmin, secadmin and auditor are the three separated administrators (三员分立).
const (
	RoleSysadmin  Role = "sysadmin"  // 系统管理员: accounts and settings; no audit log, no role grants
	RoleSecadmin  Role = "secadmin"  // 安全管理员: grants roles, sets security policy
	RoleAuditor   Role = "auditor"   // 安全审计员: reads the audit log only
	RoleExamadmin Role = "examadmin" // 考试管理员: question bank and exams
	RoleGrader    Role = "grader"    // 阅卷人
	RoleSchool    Role = "school"    // 培训机构排课员
	RolePersonnel Role = "personnel" // 组织人事部门
	RoleCadre     Role = "cadre"     // 干部
)

// AllRoles lists every role in display order.
var AllRoles = []Role{RoleSysadmin, RoleSecadmin, RoleAuditor, RoleExamadmin, RoleGrader, RoleSchool, RolePersonnel, RoleCadre}

// RoleNames are the Chinese names of the roles.
var RoleNames = map[Role]string{
	RoleSysadmin: "系统管理员", RoleSecadmin: "安全管理员", RoleAuditor: "安全审计员", RoleExamadmin: "考试管理员",
	RoleGrader: "阅卷人", RoleSchool: "培训机构排课员", RolePersonnel: "组织人事干部", RoleCadre: "干部",
}

// adminRoles are the three separated administrator roles: none may be combined with another role.
var adminRoles = []Role{RoleSysadmin, RoleSecadmin, RoleAuditor}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool { return slices.Contains(AllRoles, r) }

// IsAdminRole reports whether r is one of the three separated administrator roles.
func IsAdminRole(r Role) bool { return slices.Contains(adminRoles, r) }

// User is an account.
type User struct {
	ID                int64
	Username          string
	DisplayName       string
	PasswordHash      string
	OrgID             int64
	CadreID           *int64
	Roles             []Role
	Disabled          bool
	FailedLogins      int
	LockedUntil       *time.Time
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// LockedAt reports whether the account is locked at now.
func (u User) LockedAt(now time.Time) bool { return u.LockedUntil != nil && now.Before(*u.LockedUntil) }

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID      int64
	Username    string
	DisplayName string
	Roles       []Role
	OrgID       int64
	OrgPath     string // materialized path of the user's org ("/1/4/"), for scope checks
	CadreID     *int64
	SessionID   string
}

// Has reports whether the principal holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// HasAny reports whether the principal holds any of roles.
func (p Principal) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// Session is a server-side login session; access tokens name it and die with it.
type Session struct {
	ID           string
	UserID       int64
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
	RevokeReason string
	IP           string
	UserAgent    string
}

// RefreshToken is one link of a session's refresh chain; only its hash is stored.
type RefreshToken struct {
	ID        string
	SessionID string
	TokenHash string
	ParentID  *string
	CreatedAt time.Time
	UsedAt    *time.Time
}

// Tokens is what a login or refresh returns.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	User         User
}
