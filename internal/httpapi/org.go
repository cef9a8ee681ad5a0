package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"qualify/internal/identity"
	"qualify/internal/org"
)

type orgDTO struct {
	ID         int64  `json:"id"`
	ParentID   *int64 `json:"parentId"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	KindName   string `json:"kindName"`
	Code       string `json:"code"`
	Path       string `json:"path"`
	Grassroots bool   `json:"grassroots"`
}

type createOrgRequest struct {
	ParentID   *int64 `json:"parentId"`
	Name       string `json:"name" validate:"required,max=100"`
	Kind       string `json:"kind" validate:"required,oneof=province city county township unit department"`
	Code       string `json:"code" validate:"required,max=64"`
	Grassroots *bool  `json:"grassroots"`
}

func toOrgDTO(o org.Org) orgDTO {
	return orgDTO{ID: o.ID, ParentID: o.ParentID, Name: o.Name, Kind: string(o.Kind), KindName: org.KindNames[o.Kind],
		Code: o.Code, Path: o.Path, Grassroots: o.Grassroots}
}

func (a *API) orgRoutes(authed *gin.RouterGroup) {
	g := a.signedIn(authed, "组织机构")
	g.handle(route{Method: "GET", Path: "/orgs", Summary: "本人数据范围内的组织机构树（按路径排序）", Response: []orgDTO{}}, a.listOrgs)
	g.handle(route{Method: "GET", Path: "/orgs/:id", Summary: "组织机构详情", Response: orgDTO{}}, a.getOrg)
	sys := a.restricted(authed, "组织机构", identity.RoleSysadmin)
	sys.handle(route{Method: "POST", Path: "/orgs", Summary: "新建组织机构", Request: createOrgRequest{}, Response: orgDTO{}, Status: 201}, a.createOrg)
}

func (a *API) listOrgs(c *gin.Context) {
	orgs, err := a.d.Orgs.Tree(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(orgs, toOrgDTO), err)
}

func (a *API) getOrg(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		o, err := a.d.Orgs.Get(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toOrgDTO(o), err)
	}
}

func (a *API) createOrg(c *gin.Context) {
	var req createOrgRequest
	if !a.bind(c, &req) {
		return
	}
	o, err := a.d.Orgs.Create(c.Request.Context(), actor(c), org.NewOrg{ParentID: req.ParentID, Name: req.Name,
		Kind: org.Kind(req.Kind), Code: req.Code, Grassroots: req.Grassroots})
	respond(c, http.StatusCreated, toOrgDTO(o), err)
}

// queryInt64 reads an optional integer query parameter (0 when absent or malformed).
func queryInt64(c *gin.Context, name string) int64 {
	v, _ := strconv.ParseInt(c.Query(name), 10, 64)
	return v
}
