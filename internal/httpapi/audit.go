package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"qualify/internal/audit"
	"qualify/internal/identity"
)

type auditEventDTO struct {
	Seq        int64           `json:"seq"`
	OccurredAt string          `json:"occurredAt"`
	ActorID    *int64          `json:"actorId"`
	ActorName  string          `json:"actorName"`
	Action     string          `json:"action"`
	TargetType string          `json:"targetType"`
	TargetID   string          `json:"targetId"`
	Summary    json.RawMessage `json:"summary"`
	RequestID  string          `json:"requestId"`
	IP         string          `json:"ip"`
	PrevHash   string          `json:"prevHash"`
	Hash       string          `json:"hash"`
}

type auditVerifyDTO struct {
	Intact   bool   `json:"intact"`
	Verified int64  `json:"verified"`
	BrokenAt *int64 `json:"brokenAt,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func toAuditEventDTO(e audit.Event) auditEventDTO {
	return auditEventDTO{Seq: e.Seq, OccurredAt: rfc3339(e.OccurredAt), ActorID: e.ActorID, ActorName: e.ActorName,
		Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, Summary: json.RawMessage(e.Summary),
		RequestID: e.RequestID, IP: e.IP, PrevHash: e.PrevHash, Hash: e.Hash}
}

func (a *API) auditRoutes(authed *gin.RouterGroup) {
	g := a.restricted(authed, "审计", identity.RoleAuditor)
	g.handle(route{Method: "GET", Path: "/audit/events", Summary: "审计日志（仅安全审计员）",
		Query: []string{"action", "targetType", "targetId", "actor", "page", "pageSize"}, Response: pageOf[auditEventDTO]{}}, a.listAuditEvents)
	g.handle(route{Method: "GET", Path: "/audit/verify", Summary: "校验审计日志哈希链", Response: auditVerifyDTO{}}, a.verifyAudit)
}

func (a *API) listAuditEvents(c *gin.Context) {
	page, size := pageParams(c)
	items, total, err := a.d.Audit.List(c.Request.Context(), audit.Filter{Action: c.Query("action"), TargetType: c.Query("targetType"),
		TargetID: c.Query("targetId"), ActorName: c.Query("actor"), Page: page, PageSize: size})
	respond(c, http.StatusOK, newPage(mapSlice(items, toAuditEventDTO), total, page, size), err)
}

func (a *API) verifyAudit(c *gin.Context) {
	n, b, err := a.d.Audit.VerifyAll(c.Request.Context())
	out := auditVerifyDTO{Intact: b == nil, Verified: n}
	if b != nil {
		out.BrokenAt, out.Reason = &b.Seq, b.Reason
	}
	respond(c, http.StatusOK, out, err)
}
