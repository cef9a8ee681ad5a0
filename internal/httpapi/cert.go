package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"qualify/internal/cert"
	"qualify/internal/identity"
	"qualify/internal/platform/civil"
	"qualify/internal/platform/signing"
)

type subjectRefDTO struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type holderDTO struct {
	CadreID int64  `json:"cadreId"`
	Name    string `json:"name"`
	OrgName string `json:"orgName"`
}

type statusEventDTO struct {
	From      *string `json:"from"`
	To        string  `json:"to"`
	Reason    string  `json:"reason"`
	ActorName string  `json:"actorName"`
	At        string  `json:"at"`
}

// certificateDTO is a certificate as its holder and personnel see it. status is the effective
// status today (expired derived from the dates); expiresAt is the instant validity ends (the start
// of the day after expiresOn, the last valid day).
type certificateDTO struct {
	Number       string           `json:"number"`
	Status       string           `json:"status"`
	StatusName   string           `json:"statusName"`
	StatusReason string           `json:"statusReason,omitempty"`
	Holder       holderDTO        `json:"holder"`
	Subject      subjectRefDTO    `json:"subject"`
	IssuedAt     string           `json:"issuedAt"`
	IssuedOn     civil.Date       `json:"issuedOn"`
	ExpiresAt    string           `json:"expiresAt"`
	ExpiresOn    civil.Date       `json:"expiresOn"`
	Issuer       string           `json:"issuer"`
	AttemptID    *int64           `json:"attemptId"`
	AttemptHash  string           `json:"attemptHash"`
	Score        float64          `json:"score"`
	KeyID        string           `json:"keyId"`
	History      []statusEventDTO `json:"history,omitempty"`
}

// publicCertificateDTO is the public lookup's answer: minimal data, the holder's name masked.
type publicCertificateDTO struct {
	Number     string        `json:"number"`
	Status     string        `json:"status"`
	StatusName string        `json:"statusName"`
	HolderName string        `json:"holderName"`
	Subject    subjectRefDTO `json:"subject"`
	IssuedAt   string        `json:"issuedAt"`
	IssuedOn   civil.Date    `json:"issuedOn"`
	ExpiresAt  string        `json:"expiresAt"`
	ExpiresOn  civil.Date    `json:"expiresOn"`
	Issuer     string        `json:"issuer"`
	Reason     *string       `json:"reason,omitempty"`
}

type credentialDTO struct {
	JWS string `json:"jws"`
}

type reasonRequest struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// expiresAt is the instant a certificate whose last valid day is d stops being valid.
func expiresAt(d civil.Date) string { return rfc3339(d.AddDays(1).In(shanghai)) }

func toCertificateDTO(c cert.Certificate, asOf civil.Date) certificateDTO {
	st := c.StatusOn(asOf)
	d := certificateDTO{Number: c.Number, Status: string(st), StatusName: cert.StatusNames[st],
		Holder:  holderDTO{CadreID: c.CadreID, Name: c.HolderName, OrgName: c.HolderOrgName},
		Subject: subjectRefDTO{Code: c.SubjectCode, Name: c.SubjectName}, IssuedAt: rfc3339(c.IssuedAt), IssuedOn: c.IssuedOn,
		ExpiresAt: expiresAt(c.ExpiresOn), ExpiresOn: c.ExpiresOn, Issuer: c.Issuer, AttemptID: c.AttemptID,
		AttemptHash: c.AttemptHash, Score: c.Score, KeyID: c.KeyID}
	if c.Status != cert.Valid {
		d.StatusReason = c.StatusReason
	}
	for _, e := range c.History {
		d.History = append(d.History, statusEventDTO{From: strPtr(string(e.From)), To: string(e.To), Reason: e.Reason,
			ActorName: e.ActorName, At: rfc3339(e.At)})
	}
	return d
}

func toPublicDTO(v cert.PublicView) publicCertificateDTO {
	d := publicCertificateDTO{Number: v.Number, Status: string(v.Status), StatusName: cert.StatusNames[v.Status],
		HolderName: v.HolderName, Subject: subjectRefDTO{Code: v.SubjectCode, Name: v.SubjectName}, IssuedAt: rfc3339(v.IssuedAt),
		IssuedOn: v.IssuedOn, ExpiresAt: expiresAt(v.ExpiresOn), ExpiresOn: v.ExpiresOn, Issuer: v.Issuer}
	if v.Reason != "" {
		d.Reason = &v.Reason
	}
	return d
}

func (a *API) certRoutes(v1 *gin.RouterGroup, authed *gin.RouterGroup) {
	pub := &group{api: a, g: v1.Group("/public", noStore), tag: "证书查验", public: true}
	pub.handle(route{Method: "GET", Path: "/certificates/:number", Summary: "公开查验证书：证书编号 + 持证人全名（或二维码中的 t）。" +
		"姓名不符与编号不存在的回答相同（404）；按来源地址限流（429 verify_rate_limited）；每次查验均记录",
		Query: []string{"name", "t"}, Response: publicCertificateDTO{}}, a.verifyCertificate)
	pub.handle(route{Method: "GET", Path: "/certificates/:number/credential", Summary: "取证书的签名凭证（紧凑 JWS，可用 /public/keys 离线验证）",
		Query: []string{"name", "t"}, Response: credentialDTO{}}, a.certificateCredential)
	pub.handle(route{Method: "GET", Path: "/keys", Summary: "证书签名公钥集（JWKS，含已轮换的旧公钥）", Response: signing.JWKS{}}, a.certificateKeys)

	mine := a.signedIn(authed, "证书")
	mine.handle(route{Method: "GET", Path: "/me/certificates", Summary: "本人的任职资格证书", Response: []certificateDTO{}}, a.myCertificates)
	mine.handle(route{Method: "GET", Path: "/certificates/:number", Summary: "证书详情与状态历史（持证人本人，或管理范围包含持证人的组织人事部门）",
		Response: certificateDTO{}}, a.getCertificate)
	mine.handle(route{Method: "GET", Path: "/certificates/:number/pdf", Summary: "下载证书 PDF（A4，含查验二维码；持证人本人或组织人事部门）",
		Raw: "application/pdf"}, a.certificatePDF)

	personnel := a.restricted(authed, "证书", identity.RolePersonnel)
	personnel.handle(route{Method: "GET", Path: "/certificates", Summary: "检索管理范围内的证书（status 为当日有效状态）",
		Query: []string{"cadreId", "subject", "status", "page", "pageSize"}, Response: pageOf[certificateDTO]{}}, a.listCertificates)
	for _, act := range []cert.Action{cert.Revoke, cert.Suspend, cert.Reinstate} {
		act := act
		personnel.handle(route{Method: "POST", Path: "/certificates/:number/" + string(act),
			Summary: cert.ActionNames[act] + "证书（须填写原因；记入状态历史与审计日志；编号不变）", Request: reasonRequest{}, Response: certificateDTO{}},
			func(c *gin.Context) { a.changeCertificateStatus(c, act) })
	}

	sec := a.restricted(authed, "证书", identity.RoleSecadmin)
	sec.handle(route{Method: "POST", Path: "/certificate-keys/rotate", Summary: "轮换证书签名密钥（旧公钥继续发布，旧证书仍可验证）",
		Response: signing.JWK{}}, a.rotateCertificateKey)
}

// noStore keeps public answers out of caches: a revocation shows at once.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// optionalUserID returns the signed-in verifier of a public route, when a valid token is sent.
func (a *API) optionalUserID(c *gin.Context) *int64 {
	tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return nil
	}
	p, err := a.d.Identity.Authenticate(c.Request.Context(), strings.TrimSpace(tok))
	if err != nil {
		return nil
	}
	return &p.UserID
}

func (a *API) verifyRequest(c *gin.Context, kind string) cert.VerifyRequest {
	return cert.VerifyRequest{Number: c.Param("number"), Name: c.Query("name"), Token: c.Query("t"), Kind: kind,
		IP: c.ClientIP(), UserID: a.optionalUserID(c)}
}

func (a *API) verifyCertificate(c *gin.Context) {
	v, err := a.d.Certs.Verify(c.Request.Context(), a.verifyRequest(c, "lookup"))
	respond(c, http.StatusOK, toPublicDTO(v), err)
}

func (a *API) certificateCredential(c *gin.Context) {
	v, err := a.d.Certs.Verify(c.Request.Context(), a.verifyRequest(c, "credential"))
	respond(c, http.StatusOK, credentialDTO{JWS: v.Credential}, err)
}

func (a *API) certificateKeys(c *gin.Context) {
	set, err := a.d.Certs.JWKS(c.Request.Context())
	respond(c, http.StatusOK, set, err)
}

func (a *API) myCertificates(c *gin.Context) {
	list, err := a.d.Certs.Mine(c.Request.Context(), actor(c))
	today := a.d.Certs.Today()
	respond(c, http.StatusOK, mapSlice(list, func(x cert.Certificate) certificateDTO { return toCertificateDTO(x, today) }), err)
}

func (a *API) getCertificate(c *gin.Context) {
	x, err := a.d.Certs.Get(c.Request.Context(), actor(c), c.Param("number"))
	respond(c, http.StatusOK, toCertificateDTO(x, a.d.Certs.Today()), err)
}

func (a *API) listCertificates(c *gin.Context) {
	page, size := pageParams(c)
	f := cert.Filter{CadreID: queryInt64(c, "cadreId"), SubjectCode: c.Query("subject"), Status: cert.Status(c.Query("status")),
		Page: page, PageSize: size}
	list, total, err := a.d.Certs.List(c.Request.Context(), actor(c), f)
	today := a.d.Certs.Today()
	respond(c, http.StatusOK, newPage(mapSlice(list, func(x cert.Certificate) certificateDTO { return toCertificateDTO(x, today) }), total, page, size), err)
}

func (a *API) changeCertificateStatus(c *gin.Context, act cert.Action) {
	var req reasonRequest
	if !a.bind(c, &req) {
		return
	}
	x, err := a.d.Certs.ChangeStatus(c.Request.Context(), actor(c), c.Param("number"), act, req.Reason)
	respond(c, http.StatusOK, toCertificateDTO(x, a.d.Certs.Today()), err)
}

func (a *API) certificatePDF(c *gin.Context) {
	b, err := a.d.Certs.PDF(c.Request.Context(), actor(c), c.Param("number"))
	if err != nil {
		renderError(c, err)
		return
	}
	name := "certificate-" + c.Param("number") + ".pdf"
	c.Header("Content-Disposition", "inline; filename=\""+url.PathEscape(name)+"\"; filename*=UTF-8''"+url.PathEscape("任职资格证书-"+c.Param("number")+".pdf"))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", b)
}

func (a *API) rotateCertificateKey(c *gin.Context) {
	k, err := a.d.Certs.RotateKey(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, k, err)
}
