package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"qualify/internal/identity"
)

type createUserRequest struct {
	Username    string `json:"username" validate:"required,max=32"`
	DisplayName string `json:"displayName" validate:"required,max=50"`
	Password    string `json:"password" validate:"required,max=256"`
	OrgID       int64  `json:"orgId" validate:"required,gt=0"`
	CadreID     *int64 `json:"cadreId"`
}

type updateUserRequest struct {
	DisplayName *string `json:"displayName" validate:"omitempty,max=50"`
	OrgID       *int64  `json:"orgId" validate:"omitempty,gt=0"`
	CadreID     *int64  `json:"cadreId"`
	Disabled    *bool   `json:"disabled"`
}

type resetPasswordRequest struct {
	Password string `json:"password" validate:"required,max=256"`
}

type setRolesRequest struct {
	Roles []string `json:"roles" validate:"required,max=8"`
}

type policyDTO struct {
	PasswordMinLength  int `json:"passwordMinLength" validate:"required"`
	PasswordMinClasses int `json:"passwordMinClasses" validate:"required"`
	LockoutThreshold   int `json:"lockoutThreshold" validate:"required"`
	LockoutMinutes     int `json:"lockoutMinutes" validate:"required"`
	IdleTimeoutMinutes int `json:"idleTimeoutMinutes" validate:"required"`
	LoginRatePerAddr   int `json:"loginRatePerAddr" validate:"required"`
	LoginRatePerUser   int `json:"loginRatePerUser" validate:"required"`
}

type roleDTO struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

type revokedDTO struct {
	Revoked int64 `json:"revoked"`
}

func toPolicyDTO(p identity.SecurityPolicy) policyDTO {
	return policyDTO{p.PasswordMinLength, p.PasswordMinClasses, p.LockoutThreshold, int(p.LockoutDuration / time.Minute),
		int(p.IdleTimeout / time.Minute), p.LoginRatePerAddr, p.LoginRatePerUser}
}

func fromPolicyDTO(d policyDTO) identity.SecurityPolicy {
	return identity.SecurityPolicy{PasswordMinLength: d.PasswordMinLength, PasswordMinClasses: d.PasswordMinClasses,
		LockoutThreshold: d.LockoutThreshold, LockoutDuration: time.Duration(d.LockoutMinutes) * time.Minute,
		IdleTimeout: time.Duration(d.IdleTimeoutMinutes) * time.Minute, LoginRatePerAddr: d.LoginRatePerAddr, LoginRatePerUser: d.LoginRatePerUser}
}

func (a *API) userRoutes(authed *gin.RouterGroup) {
	admins := a.restricted(authed, "账户与安全", identity.RoleSysadmin, identity.RoleSecadmin)
	admins.handle(route{Method: "GET", Path: "/users", Summary: "账户列表", Query: []string{"q", "role", "orgId", "page", "pageSize"}, Response: pageOf[userDTO]{}}, a.listUsers)
	admins.handle(route{Method: "POST", Path: "/users/:id/unlock", Summary: "解除账户锁定", Status: 204}, a.unlockUser)
	admins.handle(route{Method: "POST", Path: "/users/:id/sessions/revoke", Summary: "终止账户的全部会话", Response: revokedDTO{}}, a.revokeUserSessions)
	admins.handle(route{Method: "GET", Path: "/roles", Summary: "角色列表", Response: []roleDTO{}}, a.listRoles)
	admins.handle(route{Method: "GET", Path: "/security/policy", Summary: "安全策略", Response: policyDTO{}}, a.getPolicy)

	sys := a.restricted(authed, "账户与安全", identity.RoleSysadmin)
	sys.handle(route{Method: "POST", Path: "/users", Summary: "创建账户（不含角色，角色由安全管理员授予）", Request: createUserRequest{}, Response: userDTO{}, Status: 201}, a.createUser)
	sys.handle(route{Method: "PATCH", Path: "/users/:id", Summary: "修改账户信息或停用", Request: updateUserRequest{}, Response: userDTO{}}, a.updateUser)
	sys.handle(route{Method: "POST", Path: "/users/:id/password", Summary: "重置账户密码", Request: resetPasswordRequest{}, Status: 204}, a.resetPassword)

	sec := a.restricted(authed, "账户与安全", identity.RoleSecadmin)
	sec.handle(route{Method: "PUT", Path: "/users/:id/roles", Summary: "设置账户角色", Request: setRolesRequest{}, Response: userDTO{}}, a.setRoles)
	sec.handle(route{Method: "PUT", Path: "/security/policy", Summary: "修改安全策略", Request: policyDTO{}, Response: policyDTO{}}, a.setPolicy)
}

func (a *API) listUsers(c *gin.Context) {
	page, size := pageParams(c)
	f := identity.UserFilter{Q: c.Query("q"), Role: identity.Role(c.Query("role")), Page: page, PageSize: size}
	f.OrgID = queryInt64(c, "orgId")
	users, total, err := a.d.Identity.ListUsers(c.Request.Context(), actor(c), f)
	respond(c, http.StatusOK, newPage(mapSlice(users, toUserDTO), total, page, size), err)
}

func (a *API) createUser(c *gin.Context) {
	var req createUserRequest
	if !a.bind(c, &req) {
		return
	}
	u, err := a.d.Identity.CreateUser(c.Request.Context(), actor(c), identity.NewUser{Username: req.Username,
		DisplayName: req.DisplayName, Password: req.Password, OrgID: req.OrgID, CadreID: req.CadreID})
	respond(c, http.StatusCreated, toUserDTO(u), err)
}

func (a *API) updateUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req updateUserRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	u, err := a.d.Identity.UpdateUser(c.Request.Context(), actor(c), id, identity.UserUpdate{DisplayName: req.DisplayName,
		OrgID: req.OrgID, CadreID: req.CadreID, Disabled: req.Disabled})
	respond(c, http.StatusOK, toUserDTO(u), err)
}

func (a *API) resetPassword(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req resetPasswordRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	respond(c, http.StatusNoContent, nil, a.d.Identity.ResetPassword(c.Request.Context(), actor(c), id, req.Password))
}

func (a *API) unlockUser(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		respond(c, http.StatusNoContent, nil, a.d.Identity.Unlock(c.Request.Context(), actor(c), id))
	}
}

func (a *API) revokeUserSessions(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		n, err := a.d.Identity.RevokeSessions(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, revokedDTO{Revoked: n}, err)
	}
}

func (a *API) setRoles(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req setRolesRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	roles := mapSlice(req.Roles, func(s string) identity.Role { return identity.Role(s) })
	u, err := a.d.Identity.SetRoles(c.Request.Context(), actor(c), id, roles)
	respond(c, http.StatusOK, toUserDTO(u), err)
}

func (a *API) listRoles(c *gin.Context) {
	respond(c, http.StatusOK, mapSlice(identity.AllRoles, func(r identity.Role) roleDTO {
		return roleDTO{Code: string(r), Name: identity.RoleNames[r], Admin: identity.IsAdminRole(r)}
	}), nil)
}

func (a *API) getPolicy(c *gin.Context) {
	p, err := a.d.Identity.Policy(c.Request.Context())
	respond(c, http.StatusOK, toPolicyDTO(p), err)
}

func (a *API) setPolicy(c *gin.Context) {
	var req policyDTO
	if !a.bind(c, &req) {
		return
	}
	p, err := a.d.Identity.SetPolicy(c.Request.Context(), actor(c), fromPolicyDTO(req))
	respond(c, http.StatusOK, toPolicyDTO(p), err)
}
