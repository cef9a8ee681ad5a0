// Package httpapi is Qualify's HTTP face: the gin router, middleware, and one file of handlers
// and DTOs per domain. Handlers bind, call one service method with the actor, and render.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"qualify/internal/audit"
	"qualify/internal/bank"
	"qualify/internal/cadre"
	"qualify/internal/calendar"
	"qualify/internal/cert"
	"qualify/internal/eligibility"
	"qualify/internal/exam"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/db"
	"qualify/internal/training"
)

// Deps are the services the API serves.
type Deps struct {
	DB           *db.DB
	Logger       *slog.Logger
	Identity     *identity.Service
	Audit        *audit.Log
	Orgs         *org.Service
	Bank         *bank.Service
	Exams        *exam.Service
	Cadres       *cadre.Service
	Calendar     *calendar.Service
	Training     *training.Service
	Certs        *cert.Service
	Eligibility  *eligibility.Service
	MaxBodyBytes int64
	// Frontend is the built web application (index.html at its root); nil serves none.
	Frontend fs.FS
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string
	Registry       *prometheus.Registry
}

// API holds the dependencies handlers use.
type API struct {
	d       Deps
	routes  []route
	metrics *metrics
	openapiCache
}

// route is one registered operation, kept for the OpenAPI document.
type route struct {
	Method   string
	Path     string // gin syntax (:id)
	Summary  string
	Tag      string
	Roles    []identity.Role // empty: any signed-in user
	Public   bool
	Request  any // zero value of the request body type, or nil
	Response any // zero value of the response type, or nil
	Status   int // success status
	Query    []string
	Raw      string // non-JSON response content type (e.g. text/calendar)
}

// group registers routes under a prefix with an authorization rule.
type group struct {
	api    *API
	g      *gin.RouterGroup
	tag    string
	roles  []identity.Role
	public bool
}

func (g *group) handle(r route, h gin.HandlerFunc) {
	r.Tag, r.Roles, r.Public = g.tag, g.roles, g.public
	full := strings.TrimSuffix(g.g.BasePath(), "/") + r.Path
	if r.Path == "" {
		full = g.g.BasePath()
	}
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	r.Path = full
	g.api.routes = append(g.api.routes, r)
	g.g.Handle(r.Method, strings.TrimPrefix(full, g.g.BasePath()), h)
}

// New builds the router with every route, middleware and the embedded frontend.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	a := &API{d: d}
	if d.Registry != nil {
		a.metrics = newMetrics(d.Registry, d.DB)
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	_ = e.SetTrustedProxies(d.TrustedProxies)
	e.Use(a.requestContext(), a.recoverer())
	if a.metrics != nil {
		e.Use(a.metrics.middleware())
	}
	e.NoRoute(a.noRoute)
	e.NoMethod(func(c *gin.Context) {
		renderErrorStatus(c, http.StatusMethodNotAllowed, "method_not_allowed", "该地址不支持此请求方法")
	})

	ops := &group{api: a, g: e.Group(""), tag: "运维", public: true}
	ops.handle(route{Method: "GET", Path: "/healthz", Summary: "存活检查"}, func(c *gin.Context) { c.JSON(200, gin.H{"status": "ok"}) })
	ops.handle(route{Method: "GET", Path: "/readyz", Summary: "就绪检查（数据库不可用时 503）"}, a.readyz)
	if a.metrics != nil {
		ops.handle(route{Method: "GET", Path: "/metrics", Summary: "Prometheus 指标", Raw: "text/plain"}, a.metrics.handler())
	}
	ops.handle(route{Method: "GET", Path: "/api/openapi.json", Summary: "OpenAPI 3 文档"}, a.openapi)

	v1 := e.Group("/api/v1")
	public := &group{api: a, g: v1, tag: "认证", public: true}
	authed := v1.Group("", a.authenticate())
	signedIn := &group{api: a, g: authed, tag: "认证"}
	a.authRoutes(public, signedIn)
	a.userRoutes(authed)
	a.auditRoutes(authed)
	a.orgRoutes(authed)
	a.bankRoutes(authed)
	a.examRoutes(authed)
	a.examAdminRoutes(authed)
	a.cadreRoutes(authed)
	a.trainingRoutes(authed)
	a.sessionEditRoutes(authed)
	a.surveyRoutes(authed)
	a.certRoutes(v1, authed)
	a.eligibilityRoutes(authed)
	a.serveFrontend(e)
	return e
}

// restricted returns a group whose routes require one of roles.
func (a *API) restricted(parent *gin.RouterGroup, tag string, roles ...identity.Role) *group {
	return &group{api: a, g: parent.Group("", a.requireRoles(roles...)), tag: tag, roles: roles}
}

// any returns a group open to every signed-in user (services check ownership and scope).
func (a *API) signedIn(parent *gin.RouterGroup, tag string) *group {
	return &group{api: a, g: parent, tag: tag}
}

func (a *API) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := a.d.DB.Ping(ctx); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "down"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "database": string(a.d.DB.Dialect)})
}

func (a *API) noRoute(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || a.d.Frontend == nil || c.Request.Method != http.MethodGet {
		renderErrorStatus(c, http.StatusNotFound, "route_not_found", "请求的地址不存在")
		return
	}
	a.serveIndex(c)
}
