// Package apitest runs the real application (router, services, store) on a fresh database of
// each dialect, for API tests through httptest.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"qualify/internal/app"
	"qualify/internal/config"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/db"
	"qualify/internal/platform/dbtest"
)

// Password is the password of every account an Env creates.
const Password = "Test#Passw0rd"

// Env is one application on one fresh database.
type Env struct {
	T   testing.TB
	App *app.App
	DB  *db.DB
	// Root is the province org every test tree hangs from.
	Root org.Org
}

// Config returns the configuration tests run with (defaults, a temporary data folder).
func Config(t testing.TB) config.Config {
	cfg, err := config.Load(func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.TokenKey = "test-token-key-0123456789abcdef0123456789"
	return cfg
}

// New builds the application on a fresh database of the dialect, with a root province org.
func New(t testing.TB, dialect db.Dialect) *Env {
	t.Helper()
	d := dbtest.Open(t, dialect)
	return NewOn(t, d, Config(t))
}

// NewOn builds the application on an open, migrated database with cfg.
func NewOn(t testing.TB, d *db.DB, cfg config.Config) *Env {
	t.Helper()
	a, err := app.New(cfg, d, dbtest.Logger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{T: t, App: a, DB: d}
	// As serve does: on PostgreSQL the session cache works while the change listener runs.
	lctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.ListenAuthChanges(lctx) }()
	t.Cleanup(func() { stop(); <-done })
	// A second application on the same database (a restart, another instance) shares the root.
	if root, err := a.Store.OrgByCode(context.Background(), "ROOT"); err == nil && root != nil {
		e.Root = *root
		return e
	}
	e.Root = e.Org(nil, "province", "示范省", "ROOT")
	return e
}

// Each runs fn on a fresh Env per dialect.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, d *db.DB) { fn(t, NewOn(t, d, Config(t))) })
}

var system = identity.Principal{Username: "system"}

// Org creates an org (parent nil: a root).
func (e *Env) Org(parent *org.Org, kind, name, code string) org.Org {
	e.T.Helper()
	in := org.NewOrg{Name: name, Kind: org.Kind(kind), Code: code}
	if parent != nil {
		in.ParentID = &parent.ID
	}
	o, err := e.App.Orgs.Create(context.Background(), system, in)
	if err != nil {
		e.T.Fatalf("create org %s: %v", code, err)
	}
	return o
}

// User creates an account with roles in org, password Password.
func (e *Env) User(username string, orgID int64, roles ...identity.Role) identity.User {
	e.T.Helper()
	u, err := e.App.Identity.EnsureUser(context.Background(), identity.NewUser{Username: username, DisplayName: username,
		Password: Password, OrgID: orgID}, roles)
	if err != nil {
		e.T.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// Login logs in and returns the access token; the test fails if login fails.
func (e *Env) Login(username string) string {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": Password})
	r.Status(200)
	var out struct{ AccessToken string }
	r.JSON(&out)
	return out.AccessToken
}

// As creates a user with roles in org and returns its access token.
func (e *Env) As(username string, orgID int64, roles ...identity.Role) string {
	e.T.Helper()
	e.User(username, orgID, roles...)
	return e.Login(username)
}

// Response is a recorded response.
type Response struct {
	T    testing.TB
	Code int
	Body []byte
	Head http.Header
}

// Do sends a request with an optional bearer token and body (a []byte or string is sent as is,
// anything else as JSON).
func (e *Env) Do(method, path, tok string, body any) *Response {
	e.T.Helper()
	return e.DoWith(method, path, tok, body, nil)
}

// DoWith is Do with extra request headers.
func (e *Env) DoWith(method, path, tok string, body any, headers map[string]string) *Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.send(req, tok)
}

// Upload posts a multipart form with one file field.
func (e *Env) Upload(path, tok, field, filename string, content []byte) *Response {
	e.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		e.T.Fatal(err)
	}
	fw.Write(content) //nolint:errcheck
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.send(req, tok)
}

func (e *Env) send(req *http.Request, tok string) *Response {
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.RemoteAddr = "192.0.2.10:40000"
	w := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(w, req)
	return &Response{T: e.T, Code: w.Code, Body: w.Body.Bytes(), Head: w.Header()}
}

// Status fails the test unless the status is want.
func (r *Response) Status(want int) *Response {
	r.T.Helper()
	if r.Code != want {
		r.T.Fatalf("status %d, want %d; body: %s", r.Code, want, r.Body)
	}
	return r
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) {
	r.T.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.T.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem asserts a problem+json response with status and code.
func (r *Response) Problem(status int, code string) *Response {
	r.T.Helper()
	r.Status(status)
	if ct := r.Head.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		r.T.Fatalf("content type %q, want problem+json; body %s", ct, r.Body)
	}
	var p struct {
		Code  string
		Title string
	}
	r.JSON(&p)
	if p.Code != code {
		r.T.Fatalf("problem code %q, want %q; body %s", p.Code, code, r.Body)
	}
	if p.Title == "" {
		r.T.Fatalf("problem without title: %s", r.Body)
	}
	return r
}

// Clock is a settable clock for services under test.
type Clock struct{ T time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.T }

// Advance moves the clock.
func (c *Clock) Advance(d time.Duration) { c.T = c.T.Add(d) }
