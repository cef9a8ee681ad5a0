package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"qualify/internal/platform/apperr"
	"qualify/internal/platform/db"
)

// problem is an RFC 9457 problem details body.
type problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail"`
	Code     string         `json:"code"`
	Instance string         `json:"instance,omitempty"`
	Errors   []problemField `json:"errors,omitempty"`
}

type problemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// statusOf maps an error kind to its HTTP status: the one place this mapping lives.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.FailedPrecondition:
		return http.StatusUnprocessableEntity
	case apperr.Locked:
		return http.StatusLocked
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

var titles = map[int]string{
	400: "请求无效", 401: "未登录或登录已失效", 403: "无权访问", 404: "未找到", 405: "方法不允许", 409: "冲突",
	413: "请求体过大", 415: "不支持的媒体类型", 422: "无法处理", 423: "账户已锁定", 429: "请求过于频繁",
	500: "服务器内部错误", 503: "服务暂不可用",
}

// renderError writes err as problem+json; only internal errors are logged, with the request ID.
func renderError(c *gin.Context, err error) {
	ae := apperr.As(err)
	if ae.Kind == apperr.Internal && db.IsUnavailable(err) {
		// The database is down or restarting: say so, and when to retry; nothing was changed.
		ae = apperr.New(apperr.Unavailable, "database_unavailable", "数据库暂时无法访问，请稍后重试（已保存的内容不会丢失）")
		c.Header("Retry-After", "5")
		slog.WarnContext(c.Request.Context(), "database unavailable", "err", err, "route", c.FullPath())
	}
	status := statusOf(ae.Kind)
	if ae.Code == "body_too_large" {
		status = http.StatusRequestEntityTooLarge
	}
	if ae.Kind == apperr.Internal {
		slog.ErrorContext(c.Request.Context(), "internal error", "err", errors.Unwrap(ae), "code", ae.Code,
			"route", c.FullPath(), "method", c.Request.Method)
	}
	p := problem{
		Type:     "/problems/" + ae.Code,
		Title:    titles[status],
		Status:   status,
		Detail:   ae.Message,
		Code:     ae.Code,
		Instance: c.Request.URL.Path,
	}
	if p.Title == "" {
		p.Title = http.StatusText(status)
	}
	for _, f := range ae.Fields {
		p.Errors = append(p.Errors, problemField{Field: f.Field, Message: f.Message})
	}
	c.Header("Content-Type", "application/problem+json")
	c.Abort()
	c.Render(status, problemRender{p})
}

type problemRender struct{ p problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	return jsonRender(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
}
