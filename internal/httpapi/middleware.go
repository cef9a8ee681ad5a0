package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/reqmeta"
)

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestContext gives each request an ID (kept from X-Request-ID when well-formed), puts it and
// the client address in the context, and logs one line per request.
func (a *API) requestContext() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		id := c.GetHeader("X-Request-ID")
		if !requestIDRe.MatchString(id) {
			id = newRequestID()
		}
		c.Header("X-Request-ID", id)
		meta := reqmeta.Meta{RequestID: id, ClientIP: c.ClientIP()}
		c.Request = c.Request.WithContext(reqmeta.With(c.Request.Context(), meta))
		c.Next()
		status := c.Writer.Status()
		lvl := slog.LevelInfo
		if status >= 500 {
			lvl = slog.LevelError
		}
		attrs := []any{"method", c.Request.Method, "path", c.Request.URL.Path, "route", c.FullPath(), "status", status,
			"ms", float64(time.Since(start).Microseconds()) / 1000, "ip", meta.ClientIP, "bytes", c.Writer.Size()}
		if p, ok := principalOf(c); ok {
			attrs = append(attrs, "user", p.Username)
		}
		a.d.Logger.Log(c.Request.Context(), lvl, "request", attrs...)
	}
}

// recoverer turns a panic into a logged 500 problem.
func (a *API) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				a.d.Logger.ErrorContext(c.Request.Context(), "panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					renderError(c, apperr.New(apperr.Internal, "internal", "服务器内部错误"))
				}
				c.Abort()
			}
		}()
		c.Next()
	}
}

const principalKey = "qualify.principal"

// authenticate requires a valid Bearer access token and a live session.
func (a *API) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="qualify"`)
			renderError(c, apperr.New(apperr.Unauthenticated, "unauthenticated", "请先登录"))
			return
		}
		p, err := a.d.Identity.Authenticate(c.Request.Context(), strings.TrimSpace(tok))
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="qualify", error="invalid_token"`)
			renderError(c, err)
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// requireRoles refuses callers holding none of roles (403).
func (a *API) requireRoles(roles ...identity.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, ok := principalOf(c)
		if !ok || !p.HasAny(roles...) {
			renderError(c, apperr.New(apperr.Forbidden, "forbidden", "当前角色无权访问此功能"))
			return
		}
		c.Next()
	}
}

func principalOf(c *gin.Context) (identity.Principal, bool) {
	v, ok := c.Get(principalKey)
	if !ok {
		return identity.Principal{}, false
	}
	p, ok := v.(identity.Principal)
	return p, ok
}

// actor returns the authenticated principal; routes behind authenticate always have one.
func actor(c *gin.Context) identity.Principal {
	p, _ := principalOf(c)
	return p
}

func renderErrorStatus(c *gin.Context, status int, code, msg string) {
	kind := apperr.Internal
	switch status {
	case http.StatusNotFound:
		kind = apperr.NotFound
	case http.StatusMethodNotAllowed:
		kind = apperr.Invalid
	}
	e := apperr.New(kind, code, msg)
	if status == http.StatusMethodNotAllowed {
		c.Header("Content-Type", "application/problem+json")
		c.AbortWithStatusJSON(status, problem{Type: "/problems/" + code, Title: titles[status], Status: status, Detail: msg, Code: code})
		return
	}
	renderError(c, e)
}
