package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qualify/internal/identity"
)

type loginRequest struct {
	Username string `json:"username" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=256"`
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken" validate:"required,max=200"`
}

type userDTO struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"displayName"`
	Roles       []string `json:"roles"`
	OrgID       int64    `json:"orgId"`
	CadreID     *int64   `json:"cadreId"`
	Disabled    bool     `json:"disabled"`
	Locked      bool     `json:"locked"`
	LockedUntil *string  `json:"lockedUntil,omitempty"`
}

type tokensDTO struct {
	AccessToken  string  `json:"accessToken"`
	RefreshToken string  `json:"refreshToken"`
	TokenType    string  `json:"tokenType"`
	ExpiresIn    int     `json:"expiresIn"`
	User         userDTO `json:"user"`
}

type sessionDTO struct {
	ID         string  `json:"id"`
	CreatedAt  string  `json:"createdAt"`
	LastSeenAt string  `json:"lastSeenAt"`
	ExpiresAt  string  `json:"expiresAt"`
	RevokedAt  *string `json:"revokedAt,omitempty"`
	Reason     string  `json:"revokeReason,omitempty"`
	IP         string  `json:"ip"`
	UserAgent  string  `json:"userAgent"`
	Current    bool    `json:"current"`
}

type changePasswordRequest struct {
	OldPassword string `json:"oldPassword" validate:"required,max=256"`
	NewPassword string `json:"newPassword" validate:"required,max=256"`
}

func toUserDTO(u identity.User) userDTO {
	roles := mapSlice(u.Roles, func(r identity.Role) string { return string(r) })
	if roles == nil {
		roles = []string{}
	}
	d := userDTO{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: roles, OrgID: u.OrgID, CadreID: u.CadreID, Disabled: u.Disabled}
	if u.LockedUntil != nil && u.LockedAt(timeNow()) {
		d.Locked, d.LockedUntil = true, rfc3339Ptr(u.LockedUntil)
	}
	return d
}

func toTokensDTO(t identity.Tokens) tokensDTO {
	return tokensDTO{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int(t.ExpiresIn.Seconds()), User: toUserDTO(t.User)}
}

func (a *API) authRoutes(public, signedIn *group) {
	public.handle(route{Method: "POST", Path: "/auth/login", Summary: "登录", Request: loginRequest{}, Response: tokensDTO{}}, a.login)
	public.handle(route{Method: "POST", Path: "/auth/refresh", Summary: "刷新令牌（旧刷新令牌随即失效，重复使用将注销整条会话）", Request: refreshRequest{}, Response: tokensDTO{}}, a.refresh)
	signedIn.handle(route{Method: "POST", Path: "/auth/logout", Summary: "退出登录（访问令牌立即失效）", Status: 204}, a.logout)
	signedIn.handle(route{Method: "GET", Path: "/me", Summary: "当前用户", Response: userDTO{}}, a.me)
	signedIn.handle(route{Method: "PUT", Path: "/me/password", Summary: "修改本人密码", Request: changePasswordRequest{}, Status: 204}, a.changePassword)
	signedIn.handle(route{Method: "GET", Path: "/me/sessions", Summary: "本人的登录会话", Response: []sessionDTO{}}, a.mySessions)
	signedIn.handle(route{Method: "DELETE", Path: "/me/sessions/:id", Summary: "结束本人的某个登录会话", Status: 204}, a.endMySession)
}

func (a *API) login(c *gin.Context) {
	var req loginRequest
	if !a.bind(c, &req) {
		return
	}
	t, err := a.d.Identity.Login(c.Request.Context(), identity.LoginInput{Username: req.Username, Password: req.Password,
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	respond(c, http.StatusOK, toTokensDTO(t), err)
}

func (a *API) refresh(c *gin.Context) {
	var req refreshRequest
	if !a.bind(c, &req) {
		return
	}
	t, err := a.d.Identity.Refresh(c.Request.Context(), req.RefreshToken)
	respond(c, http.StatusOK, toTokensDTO(t), err)
}

func (a *API) logout(c *gin.Context) {
	respond(c, http.StatusNoContent, nil, a.d.Identity.Logout(c.Request.Context(), actor(c)))
}

func (a *API) me(c *gin.Context) {
	u, err := a.d.Identity.Me(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, toUserDTO(u), err)
}

func (a *API) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if !a.bind(c, &req) {
		return
	}
	err := a.d.Identity.ChangePassword(c.Request.Context(), actor(c), req.OldPassword, req.NewPassword)
	respond(c, http.StatusNoContent, nil, err)
}

func (a *API) mySessions(c *gin.Context) {
	p := actor(c)
	ss, err := a.d.Identity.Sessions(c.Request.Context(), p)
	respond(c, http.StatusOK, mapSlice(ss, func(s identity.Session) sessionDTO {
		return sessionDTO{ID: s.ID, CreatedAt: rfc3339(s.CreatedAt), LastSeenAt: rfc3339(s.LastSeenAt), ExpiresAt: rfc3339(s.ExpiresAt),
			RevokedAt: rfc3339Ptr(s.RevokedAt), Reason: s.RevokeReason, IP: s.IP, UserAgent: s.UserAgent, Current: s.ID == p.SessionID}
	}), err)
}

func (a *API) endMySession(c *gin.Context) {
	respond(c, http.StatusNoContent, nil, a.d.Identity.EndSession(c.Request.Context(), actor(c), c.Param("id")))
}
