package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// serveFrontend serves the built web application's files; unknown paths fall back to index.html
// (see noRoute) so that client-side routes survive a reload.
func (a *API) serveFrontend(e *gin.Engine) {
	if a.d.Frontend == nil {
		return
	}
	files := http.FileServer(http.FS(a.d.Frontend))
	e.GET("/assets/*file", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(c.Writer, c.Request)
	})
	e.GET("/", a.serveIndex)
	e.GET("/favicon.ico", func(c *gin.Context) { files.ServeHTTP(c.Writer, c.Request) })
}

func (a *API) serveIndex(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean(c.Request.URL.Path), "/")
	if name != "" && !strings.HasPrefix(name, "api/") {
		if f, err := a.d.Frontend.Open(name); err == nil {
			st, _ := f.Stat()
			f.Close()
			if st != nil && !st.IsDir() {
				http.FileServer(http.FS(a.d.Frontend)).ServeHTTP(c.Writer, c.Request)
				return
			}
		}
	}
	b, err := fs.ReadFile(a.d.Frontend, "index.html")
	if err != nil {
		renderErrorStatus(c, http.StatusNotFound, "route_not_found", "请求的地址不存在")
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
}
