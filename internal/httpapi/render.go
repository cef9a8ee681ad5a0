package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"qualify/internal/platform/apperr"
)

// bind decodes the JSON body into dst, rendering the problem and returning false on failure.
func (a *API) bind(c *gin.Context, dst any) bool {
	if err := bindJSON(c, a.d.MaxBodyBytes, dst); err != nil {
		renderError(c, err)
		return false
	}
	return true
}

// respond renders v with status, or err as a problem.
func respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		renderError(c, err)
		return
	}
	if status == http.StatusNoContent {
		c.Status(status)
		return
	}
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Status(status)
	_ = jsonRender(c.Writer, v)
}

// pathID reads an integer path parameter, rendering a 404 problem when it is not one.
func pathID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		renderError(c, apperr.NotFoundf("资源不存在"))
		return 0, false
	}
	return id, true
}

// pageParams reads page and pageSize with defaults 1 and 20 (at most 200).
func pageParams(c *gin.Context) (int, int) {
	page, _ := strconv.Atoi(c.Query("page"))
	size, _ := strconv.Atoi(c.Query("pageSize"))
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 20
	}
	if size > 200 {
		size = 200
	}
	return page, size
}

// pageOf is the list envelope of the contract.
type pageOf[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"pageSize"`
}

func newPage[T any](items []T, total int64, page, size int) pageOf[T] {
	if items == nil {
		items = []T{}
	}
	return pageOf[T]{Items: items, Total: total, Page: page, PageSize: size}
}

// mapSlice converts each element with f.
func mapSlice[A, B any](in []A, f func(A) B) []B {
	out := make([]B, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

// rfc3339 formats an instant in the configured zone with its offset.
func rfc3339(t time.Time) string { return t.In(shanghai).Format(time.RFC3339) }

func rfc3339Ptr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := rfc3339(*t)
	return &s
}

// timeNow is the clock of DTO conversions.
var timeNow = time.Now

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()
