package identity

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"qualify/internal/audit"
	"qualify/internal/platform/apperr"
)

// NewUser is what the system administrator supplies to create an account.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	OrgID       int64
	CadreID     *int64
}

// UserUpdate changes an account's profile; nil fields stay.
type UserUpdate struct {
	DisplayName *string
	OrgID       *int64
	CadreID     *int64
	Disabled    *bool
}

var usernameRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{2,31}$`)

type userView struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	OrgID       int64    `json:"orgId"`
	CadreID     *int64   `json:"cadreId,omitempty"`
	Roles       []string `json:"roles"`
	Disabled    bool     `json:"disabled"`
}

func viewOf(u User) userView {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return userView{u.Username, u.DisplayName, u.OrgID, u.CadreID, roles, u.Disabled}
}

func (s *Service) actorEntry(actor Principal, action string, u User) audit.Entry {
	return audit.Entry{ActorID: &actor.UserID, ActorName: actor.Username, Action: action, TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10)}
}

// CreateUser creates an account without roles (sysadmin only: 三员分立, roles come from secadmin).
// Errors: forbidden, validation_failed, weak_password, username_taken, org_not_found.
func (s *Service) CreateUser(ctx context.Context, actor Principal, in NewUser) (User, error) {
	if !actor.Has(RoleSysadmin) {
		return User{}, forbidden()
	}
	return s.createUser(ctx, actor, in, nil, true)
}

func (s *Service) createUser(ctx context.Context, actor Principal, in NewUser, roles []Role, checkPolicy bool) (User, error) {
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var fe []apperr.FieldError
	if !usernameRe.MatchString(in.Username) {
		fe = append(fe, apperr.FieldError{Field: "username", Message: "用户名须以字母开头，3-32 位字母、数字、下划线、点或连字符"})
	}
	if in.DisplayName == "" || len([]rune(in.DisplayName)) > 50 {
		fe = append(fe, apperr.FieldError{Field: "displayName", Message: "姓名必填，不超过 50 字"})
	}
	pol, err := s.Policy(ctx)
	if err != nil {
		return User{}, err
	}
	if probs := pol.Password().Check(in.Password, in.Username); len(probs) > 0 && checkPolicy {
		fe = append(fe, apperr.FieldError{Field: "password", Message: strings.Join(probs, "；")})
	}
	if len(fe) > 0 {
		return User{}, apperr.InvalidFields("validation_failed", "用户信息校验未通过", fe...)
	}
	if ok, err := s.store.OrgExists(ctx, in.OrgID); err != nil {
		return User{}, apperr.Wrap(err, "find org")
	} else if !ok {
		return User{}, apperr.InvalidFields("org_not_found", "所属组织不存在", apperr.FieldError{Field: "orgId", Message: "组织不存在"})
	}
	h, err := s.hash(in.Password)
	if err != nil {
		return User{}, apperr.Wrap(err, "hash password")
	}
	now := s.now().UTC()
	u := User{Username: in.Username, DisplayName: in.DisplayName, PasswordHash: h, OrgID: in.OrgID, CadreID: in.CadreID,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		existing, err := s.store.UserByUsername(ctx, in.Username)
		if err != nil {
			return apperr.Wrap(err, "find user")
		}
		if existing != nil {
			return apperr.InvalidFields("username_taken", "用户名已被使用", apperr.FieldError{Field: "username", Message: "用户名已存在"})
		}
		if err := s.store.CreateUser(ctx, &u); err != nil {
			return apperr.Wrap(err, "create user")
		}
		if len(roles) > 0 {
			if err := s.store.SetUserRoles(ctx, u.ID, roles, nil, now); err != nil {
				return apperr.Wrap(err, "set roles")
			}
			u.Roles = roles
		}
		e := s.actorEntry(actor, "user.create", u)
		e.After = viewOf(u)
		return s.audit.Record(ctx, e)
	})
	u.PasswordHash = ""
	return u, err
}

func (s *Service) loadUser(ctx context.Context, id int64) (User, error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return User{}, apperr.Wrap(err, "find user")
	}
	if u == nil {
		return User{}, apperr.NotFoundf("用户不存在")
	}
	return *u, nil
}

// UpdateUser changes an account's profile or disables it (sysadmin only); audited.
func (s *Service) UpdateUser(ctx context.Context, actor Principal, id int64, up UserUpdate) (User, error) {
	if !actor.Has(RoleSysadmin) {
		return User{}, forbidden()
	}
	u, err := s.loadUser(ctx, id)
	if err != nil {
		return User{}, err
	}
	before := viewOf(u)
	if up.DisplayName != nil {
		name := strings.TrimSpace(*up.DisplayName)
		if name == "" || len([]rune(name)) > 50 {
			return User{}, apperr.InvalidFields("validation_failed", "姓名必填，不超过 50 字", apperr.FieldError{Field: "displayName", Message: "必填，不超过 50 字"})
		}
		u.DisplayName = name
	}
	if up.OrgID != nil {
		if ok, err := s.store.OrgExists(ctx, *up.OrgID); err != nil {
			return User{}, apperr.Wrap(err, "find org")
		} else if !ok {
			return User{}, apperr.InvalidFields("org_not_found", "所属组织不存在", apperr.FieldError{Field: "orgId", Message: "组织不存在"})
		}
		u.OrgID = *up.OrgID
	}
	if up.CadreID != nil {
		u.CadreID = up.CadreID
	}
	if up.Disabled != nil {
		if *up.Disabled && u.ID == actor.UserID {
			return User{}, apperr.New(apperr.FailedPrecondition, "cannot_disable_self", "不能停用自己的账户")
		}
		u.Disabled = *up.Disabled
	}
	now := s.now().UTC()
	u.UpdatedAt = now
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return apperr.Wrap(err, "update user")
		}
		if u.Disabled && !before.Disabled {
			if _, err := s.store.RevokeUserSessions(ctx, u.ID, "account_disabled", now); err != nil {
				return apperr.Wrap(err, "revoke sessions")
			}
		}
		e := s.actorEntry(actor, "user.update", u)
		e.Before, e.After = before, viewOf(u)
		return s.audit.Record(ctx, e)
	})
	u.PasswordHash = ""
	return u, err
}

// ResetPassword sets a new password for another account (sysadmin only); its sessions end.
func (s *Service) ResetPassword(ctx context.Context, actor Principal, id int64, pw string) error {
	if !actor.Has(RoleSysadmin) {
		return forbidden()
	}
	u, err := s.loadUser(ctx, id)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, actor, u, pw, "user.password.reset", "")
}

// Unlock clears a lockout before it expires (sysadmin or secadmin); audited.
func (s *Service) Unlock(ctx context.Context, actor Principal, id int64) error {
	if !actor.HasAny(RoleSysadmin, RoleSecadmin) {
		return forbidden()
	}
	u, err := s.loadUser(ctx, id)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.ResetLoginFailures(ctx, u.ID); err != nil {
			return apperr.Wrap(err, "unlock")
		}
		return s.audit.Record(ctx, s.actorEntry(actor, "user.unlock", u))
	})
}

// RevokeSessions ends every session of an account (sysadmin or secadmin); audited.
func (s *Service) RevokeSessions(ctx context.Context, actor Principal, id int64) (int64, error) {
	if !actor.HasAny(RoleSysadmin, RoleSecadmin) {
		return 0, forbidden()
	}
	u, err := s.loadUser(ctx, id)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		n, err = s.store.RevokeUserSessions(ctx, u.ID, "revoked_by_admin", s.now().UTC())
		if err != nil {
			return apperr.Wrap(err, "revoke sessions")
		}
		e := s.actorEntry(actor, "user.sessions.revoke", u)
		e.After = map[string]int64{"revoked": n}
		return s.audit.Record(ctx, e)
	})
	return n, err
}

// SetRoles replaces an account's business roles (secadmin only). The three administrator
// roles are reserved (created by the operator's command line), never combined with others, and
// a security administrator cannot change their own roles. Errors: forbidden, invalid_role,
// role_reserved.
func (s *Service) SetRoles(ctx context.Context, actor Principal, id int64, roles []Role) (User, error) {
	if !actor.Has(RoleSecadmin) {
		return User{}, forbidden()
	}
	if id == actor.UserID {
		return User{}, apperr.New(apperr.Forbidden, "cannot_grant_self", "不能修改自己的角色")
	}
	roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	for _, r := range roles {
		if !ValidRole(r) {
			return User{}, apperr.InvalidFields("invalid_role", "角色不存在", apperr.FieldError{Field: "roles", Message: "未知角色 " + string(r)})
		}
		if IsAdminRole(r) {
			return User{}, apperr.New(apperr.Forbidden, "role_reserved", "三员角色（系统管理员、安全管理员、安全审计员）只能由运维命令设置，不能在线授予")
		}
	}
	u, err := s.loadUser(ctx, id)
	if err != nil {
		return User{}, err
	}
	if slices.ContainsFunc(u.Roles, IsAdminRole) {
		return User{}, apperr.New(apperr.Forbidden, "role_reserved", "三员账户的角色不能在线修改")
	}
	before := viewOf(u)
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.SetUserRoles(ctx, u.ID, roles, &actor.UserID, s.now().UTC()); err != nil {
			return apperr.Wrap(err, "set roles")
		}
		u.Roles = roles
		e := s.actorEntry(actor, "user.roles.set", u)
		e.Before, e.After = before.Roles, viewOf(u).Roles
		return s.audit.Record(ctx, e)
	})
	u.PasswordHash = ""
	return u, err
}

// ListUsers lists accounts (sysadmin or secadmin).
func (s *Service) ListUsers(ctx context.Context, actor Principal, f UserFilter) ([]User, int64, error) {
	if !actor.HasAny(RoleSysadmin, RoleSecadmin) {
		return nil, 0, forbidden()
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize < 1 || f.PageSize > 200 {
		f.PageSize = 20
	}
	users, total, err := s.store.ListUsers(ctx, f)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list users")
	}
	for i := range users {
		users[i].PasswordHash = ""
	}
	return users, total, nil
}

// EnsureUser creates or updates an account with exactly these roles and password; used by the
// operator's commands (demo data, first administrators), audited as the system. The password
// policy is not applied: the operator chose the password on the command line.
func (s *Service) EnsureUser(ctx context.Context, in NewUser, roles []Role) (User, error) {
	system := Principal{Username: "system"}
	existing, err := s.store.UserByUsername(ctx, in.Username)
	if err != nil {
		return User{}, apperr.Wrap(err, "find user")
	}
	if existing == nil {
		return s.createUser(ctx, system, in, roles, false)
	}
	u := *existing
	if !VerifyPassword(u.PasswordHash, in.Password) {
		h, err := s.hash(in.Password)
		if err != nil {
			return User{}, apperr.Wrap(err, "hash password")
		}
		u.PasswordHash = h
		u.PasswordChangedAt = s.now().UTC()
	}
	u.DisplayName, u.OrgID, u.CadreID, u.Disabled = in.DisplayName, in.OrgID, in.CadreID, false
	u.UpdatedAt = s.now().UTC()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return apperr.Wrap(err, "update user")
		}
		if err := s.store.ResetLoginFailures(ctx, u.ID); err != nil {
			return apperr.Wrap(err, "reset login failures")
		}
		return s.store.SetUserRoles(ctx, u.ID, roles, nil, s.now().UTC())
	})
	u.Roles = roles
	u.PasswordHash = ""
	return u, err
}
