package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"qualify/internal/apitest"
	"qualify/internal/platform/db"
)

func TestStrictJSON(t *testing.T) {
	e := apitest.New(t, db.SQLite)
	big := `{"username":"` + strings.Repeat("a", 2<<20) + `","password":"x"}`
	cases := []struct {
		name, body, code, field string
	}{
		{"unknown field", `{"username":"a","password":"b","admin":true}`, "unknown_field", "admin"},
		{"duplicate key", `{"username":"a","password":"b","password":"c"}`, "invalid_json", "password"},
		{"nested duplicate", `{"roles":["a"],"x":{"k":1,"k":2}}`, "invalid_json", "x.k"},
		{"trailing data", `{"username":"a","password":"b"} {"more":1}`, "invalid_json", ""},
		{"invalid utf-8", "{\"username\":\"\xff\xfe\",\"password\":\"b\"}", "invalid_json", ""},
		{"wrong type", `{"username":1,"password":"b"}`, "invalid_field", "username"},
		{"syntax", `{"username":"a",`, "invalid_json", ""},
		{"empty", ``, "invalid_json", ""},
		{"missing field", `{"username":"a"}`, "validation_failed", "password"},
		{"oversized", big, "body_too_large", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status := 400
			if c.code == "body_too_large" {
				status = 413
			}
			r := e.Do("POST", "/api/v1/auth/login", "", []byte(c.body)).Problem(status, c.code)
			var p struct {
				Detail string
				Errors []struct{ Field, Message string }
			}
			r.JSON(&p)
			if p.Detail == "" {
				t.Fatal("no detail")
			}
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field || p.Errors[0].Message == "") {
				t.Fatalf("field errors %+v, want field %q", p.Errors, c.field)
			}
		})
	}
}

func TestOperationsEndpoints(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Do("GET", "/healthz", "", nil).Status(200)
		e.Do("GET", "/readyz", "", nil).Status(200)
		r := e.Do("GET", "/metrics", "", nil).Status(200)
		for _, want := range []string{"qualify_http_requests_total", "qualify_http_request_duration_seconds", "go_sql_open_connections"} {
			if !strings.Contains(string(r.Body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if r.Head.Get("X-Request-ID") == "" {
			t.Error("no X-Request-ID header")
		}
		e.Do("GET", "/api/v1/nothing-here", "", nil).Problem(404, "route_not_found")
		e.Do("DELETE", "/healthz", "", nil).Problem(405, "method_not_allowed")
		// With the database gone, readiness fails and liveness does not.
		e.DB.Close()
		e.Do("GET", "/readyz", "", nil).Status(503)
		e.Do("GET", "/healthz", "", nil).Status(200)
		// API calls answer 503 with a stable code while the database is unreachable.
		r = e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "x", "password": "y"}).Problem(503, "database_unavailable")
		if r.Head.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
	})
}

// TestOpenAPIDescribesEveryRoute compares the document with the router's own route table.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	e := apitest.New(t, db.SQLite)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	e.Do("GET", "/api/openapi.json", "", nil).Status(200).JSON(&doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	engine := e.App.Handler.(*gin.Engine)
	n := 0
	for _, r := range engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") && r.Path != "/healthz" && r.Path != "/readyz" && r.Path != "/metrics" {
			continue // the web application's files
		}
		p := r.Path
		for _, seg := range strings.Split(p, "/") {
			if strings.HasPrefix(seg, ":") {
				p = strings.Replace(p, seg, "{"+seg[1:]+"}", 1)
			}
		}
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is missing from /api/openapi.json", r.Method, p)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d routes checked", n)
	}
}
