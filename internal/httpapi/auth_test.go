package httpapi_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"qualify/internal/apitest"
	"qualify/internal/identity"
	"qualify/internal/platform/db"
	"qualify/internal/platform/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

type tokens struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int    `json:"expiresIn"`
	User         struct {
		ID       int64    `json:"id"`
		Username string   `json:"username"`
		Roles    []string `json:"roles"`
		OrgID    int64    `json:"orgId"`
	} `json:"user"`
}

func login(e *apitest.Env, user, pw string) *apitest.Response {
	return e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pw})
}

func TestLoginShapeAndMe(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.User("examadmin", e.Root.ID, identity.RoleExamadmin)
		var tk tokens
		login(e, "examadmin", apitest.Password).Status(200).JSON(&tk)
		if tk.AccessToken == "" || tk.RefreshToken == "" || tk.ExpiresIn <= 0 || tk.User.Username != "examadmin" ||
			len(tk.User.Roles) != 1 || tk.User.Roles[0] != "examadmin" || tk.User.OrgID != e.Root.ID {
			t.Fatalf("login response %+v", tk)
		}
		var me struct{ Username string }
		e.Do("GET", "/api/v1/me", tk.AccessToken, nil).Status(200).JSON(&me)
		if me.Username != "examadmin" {
			t.Fatalf("me = %+v", me)
		}
		login(e, "examadmin", "wrong").Problem(401, "invalid_credentials")
		login(e, "nobody", "wrong").Problem(401, "invalid_credentials")
		e.Do("GET", "/api/v1/me", "", nil).Problem(401, "unauthenticated")
	})
}

func TestLockoutAndExpiry(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		clock := &apitest.Clock{T: time.Now().UTC()}
		e.App.Identity.SetClock(clock.Now)
		e.User("cadre1", e.Root.ID, identity.RoleCadre)
		for i := 1; i <= 4; i++ {
			login(e, "cadre1", "bad-password").Problem(401, "invalid_credentials")
		}
		// The fifth failure locks the account.
		login(e, "cadre1", "bad-password").Problem(423, "account_locked")
		// Locked: even the right password is refused.
		login(e, "cadre1", apitest.Password).Problem(423, "account_locked")
		clock.Advance(14 * time.Minute)
		login(e, "cadre1", apitest.Password).Problem(423, "account_locked")
		// After 15 minutes the lock has expired.
		clock.Advance(61 * time.Second)
		login(e, "cadre1", apitest.Password).Status(200)
		// A success resets the count: four more failures do not lock.
		for i := 1; i <= 4; i++ {
			clock.Advance(15 * time.Second) // stay under the per-user rate limit window
			login(e, "cadre1", "bad-password").Problem(401, "invalid_credentials")
		}
		clock.Advance(time.Minute)
		login(e, "cadre1", apitest.Password).Status(200)

		// Failures and the lockout are in the audit log.
		tok := e.As("auditor", e.Root.ID, identity.RoleAuditor)
		var page struct {
			Items []struct{ Action string }
			Total int
		}
		e.Do("GET", "/api/v1/audit/events?action=auth.lockout", tok, nil).Status(200).JSON(&page)
		if page.Total != 1 {
			t.Fatalf("lockout entries = %d, want 1", page.Total)
		}
		e.Do("GET", "/api/v1/audit/events?action=auth.login_failed", tok, nil).Status(200).JSON(&page)
		if page.Total != 9 {
			t.Fatalf("failed-login entries = %d, want 9", page.Total)
		}
	})
}

func TestLoginRateLimitPerUsername(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		clock := &apitest.Clock{T: time.Now().UTC()}
		e.App.Identity.SetClock(clock.Now)
		// Ten attempts a minute per username by default; the eleventh is refused.
		for i := 0; i < 10; i++ {
			login(e, "ghost", "x").Problem(401, "invalid_credentials")
		}
		login(e, "ghost", "x").Problem(429, "login_rate_limited")
		clock.Advance(61 * time.Second)
		login(e, "ghost", "x").Problem(401, "invalid_credentials")
	})
}

// forge signs claims with the given method and key.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBadTokensAreRefused(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.User("school1", e.Root.ID, identity.RoleSchool)
		var tk tokens
		login(e, "school1", apitest.Password).Status(200).JSON(&tk)
		good, _, err := jwt.NewParser().ParseUnverified(tk.AccessToken, jwt.MapClaims{})
		if err != nil {
			t.Fatal(err)
		}
		claims := good.Claims.(jwt.MapClaims)
		withExp := func(exp time.Time) jwt.MapClaims {
			c := jwt.MapClaims{}
			for k, v := range claims {
				c[k] = v
			}
			c["exp"] = exp.Unix()
			return c
		}
		key := []byte(apitest.Config(t).TokenKey)
		ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		payload := strings.Split(tk.AccessToken, ".")[1]
		noExp := jwt.MapClaims{}
		for k, v := range claims {
			if k != "exp" {
				noExp[k] = v
			}
		}
		wrongAud := withExp(time.Now().Add(time.Minute))
		wrongAud["aud"] = "someone-else"
		cases := map[string]string{
			"expired":            forge(t, jwt.SigningMethodHS256, key, withExp(time.Now().Add(-time.Minute))),
			"alg none":           header + "." + payload + ".",
			"another key":        forge(t, jwt.SigningMethodHS256, []byte("another-key-0123456789abcdef0123456789"), withExp(time.Now().Add(time.Minute))),
			"another algorithm":  forge(t, jwt.SigningMethodHS512, key, withExp(time.Now().Add(time.Minute))),
			"asymmetric":         forge(t, jwt.SigningMethodES256, ec, withExp(time.Now().Add(time.Minute))),
			"no expiry":          forge(t, jwt.SigningMethodHS256, key, noExp),
			"wrong audience":     forge(t, jwt.SigningMethodHS256, key, wrongAud),
			"garbage":            "not.a.token",
			"tampered signature": tk.AccessToken[:len(tk.AccessToken)-2] + "xx",
		}
		for name, tok := range cases {
			t.Run(name, func(t *testing.T) {
				e.Do("GET", "/api/v1/me", tok, nil).Problem(401, "invalid_token")
			})
		}
		// The genuine token still works, and stops working at once after logout.
		e.Do("GET", "/api/v1/me", tk.AccessToken, nil).Status(200)
		e.Do("POST", "/api/v1/auth/logout", tk.AccessToken, nil).Status(204)
		e.Do("GET", "/api/v1/me", tk.AccessToken, nil).Problem(401, "session_revoked")
		e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": tk.RefreshToken}).Problem(401, "session_revoked")
	})
}

func TestIdleTimeout(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		clock := &apitest.Clock{T: time.Now().UTC()}
		e.App.Identity.SetClock(clock.Now)
		tok := e.As("grader1", e.Root.ID, identity.RoleGrader)
		clock.Advance(9 * time.Minute) // within the access token's 10 minutes and the idle timeout
		e.Do("GET", "/api/v1/me", tok, nil).Status(200)
		// Thirty-one idle minutes later the token itself would be expired anyway; refresh shows idleness.
		var tk tokens
		login(e, "grader1", apitest.Password).Status(200).JSON(&tk)
		clock.Advance(31 * time.Minute)
		e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": tk.RefreshToken}).Problem(401, "session_idle")
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.User("personnel1", e.Root.ID, identity.RolePersonnel)
		var t0, t1, t2 tokens
		login(e, "personnel1", apitest.Password).Status(200).JSON(&t0)
		e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": t0.RefreshToken}).Status(200).JSON(&t1)
		if t1.RefreshToken == t0.RefreshToken || t1.AccessToken == "" || t1.User.Username != "personnel1" {
			t.Fatalf("refresh did not rotate: %+v", t1)
		}
		e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": t1.RefreshToken}).Status(200).JSON(&t2)
		e.Do("GET", "/api/v1/me", t2.AccessToken, nil).Status(200)
		// Reusing an old refresh token revokes the whole chain: the newest tokens die too.
		e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": t0.RefreshToken}).Problem(401, "refresh_token_reused")
		e.Do("GET", "/api/v1/me", t2.AccessToken, nil).Problem(401, "session_revoked")
		e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": t2.RefreshToken}).Problem(401, "session_revoked")
		e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": "unknown"}).Problem(401, "invalid_refresh_token")
		// Another session of the same user is untouched.
		var other tokens
		login(e, "personnel1", apitest.Password).Status(200).JSON(&other)
		e.Do("GET", "/api/v1/me", other.AccessToken, nil).Status(200)
	})
}

func TestEndOneSession(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.User("cadre9", e.Root.ID, identity.RoleCadre)
		var a, b tokens
		login(e, "cadre9", apitest.Password).Status(200).JSON(&a)
		login(e, "cadre9", apitest.Password).Status(200).JSON(&b)
		var sessions []struct {
			ID      string
			Current bool
		}
		e.Do("GET", "/api/v1/me/sessions", a.AccessToken, nil).Status(200).JSON(&sessions)
		if len(sessions) != 2 {
			t.Fatalf("sessions = %+v", sessions)
		}
		var otherID string
		for _, s := range sessions {
			if !s.Current {
				otherID = s.ID
			}
		}
		e.Do("DELETE", "/api/v1/me/sessions/"+otherID, a.AccessToken, nil).Status(204)
		e.Do("GET", "/api/v1/me", b.AccessToken, nil).Problem(401, "session_revoked")
		e.Do("GET", "/api/v1/me", a.AccessToken, nil).Status(200)
		e.Do("DELETE", "/api/v1/me/sessions/not-mine", a.AccessToken, nil).Problem(404, "not_found")
	})
}

func TestSeparationOfDuties(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		sys := e.As("sysadmin", e.Root.ID, identity.RoleSysadmin)
		sec := e.As("secadmin", e.Root.ID, identity.RoleSecadmin)
		aud := e.As("auditor", e.Root.ID, identity.RoleAuditor)

		// Only the auditor reads the audit log.
		e.Do("GET", "/api/v1/audit/events", sys, nil).Problem(403, "forbidden")
		e.Do("GET", "/api/v1/audit/events", sec, nil).Problem(403, "forbidden")
		e.Do("GET", "/api/v1/audit/events", aud, nil).Status(200)

		// sysadmin creates an account but cannot grant roles.
		var u struct {
			ID    int64
			Roles []string
		}
		e.Do("POST", "/api/v1/users", sys, map[string]any{"username": "newuser", "displayName": "新用户",
			"password": "Str0ng#Passw0rd", "orgId": e.Root.ID}).Status(201).JSON(&u)
		if len(u.Roles) != 0 {
			t.Fatalf("new user has roles %v", u.Roles)
		}
		e.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", u.ID), sys, map[string]any{"roles": []string{"examadmin"}}).Problem(403, "forbidden")
		// secadmin grants business roles, never the three administrator roles.
		e.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", u.ID), sec, map[string]any{"roles": []string{"examadmin", "grader"}}).Status(200).JSON(&u)
		if strings.Join(u.Roles, ",") != "examadmin,grader" {
			t.Fatalf("roles = %v", u.Roles)
		}
		e.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", u.ID), sec, map[string]any{"roles": []string{"auditor"}}).Problem(403, "role_reserved")
		e.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", u.ID), sec, map[string]any{"roles": []string{"emperor"}}).Problem(400, "invalid_role")
		// secadmin cannot create accounts; the auditor can do neither.
		e.Do("POST", "/api/v1/users", sec, map[string]any{"username": "x2", "displayName": "x", "password": "Str0ng#Passw0rd", "orgId": e.Root.ID}).Problem(403, "forbidden")
		e.Do("GET", "/api/v1/users", aud, nil).Problem(403, "forbidden")
		// A weak password is refused with the policy's reasons.
		e.Do("POST", "/api/v1/users", sys, map[string]any{"username": "weak", "displayName": "弱", "password": "abc", "orgId": e.Root.ID}).Problem(400, "validation_failed")

		// The role grant is audited with before and after.
		var page struct {
			Items []struct {
				Action  string
				Summary map[string]any
			}
		}
		e.Do("GET", "/api/v1/audit/events?action=user.roles.set", aud, nil).Status(200).JSON(&page)
		if len(page.Items) != 1 || page.Items[0].Summary["after"] == nil {
			t.Fatalf("role change audit = %+v", page.Items)
		}
	})
}

func TestSecurityPolicy(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		sec := e.As("secadmin", e.Root.ID, identity.RoleSecadmin)
		sys := e.As("sysadmin", e.Root.ID, identity.RoleSysadmin)
		pol := map[string]int{"passwordMinLength": 12, "passwordMinClasses": 4, "lockoutThreshold": 3, "lockoutMinutes": 30,
			"idleTimeoutMinutes": 20, "loginRatePerAddr": 100, "loginRatePerUser": 10}
		e.Do("PUT", "/api/v1/security/policy", sys, pol).Problem(403, "forbidden")
		e.Do("PUT", "/api/v1/security/policy", sec, pol).Status(200)
		e.App.Identity.SetClock(func() time.Time { return time.Now().Add(10 * time.Second) }) // past the policy cache
		e.User("victim", e.Root.ID, identity.RoleCadre)
		for i := 0; i < 2; i++ {
			login(e, "victim", "nope").Problem(401, "invalid_credentials")
		}
		login(e, "victim", "nope").Problem(423, "account_locked")
		bad := map[string]int{"passwordMinLength": 4, "passwordMinClasses": 9, "lockoutThreshold": 3, "lockoutMinutes": 30,
			"idleTimeoutMinutes": 20, "loginRatePerAddr": 100, "loginRatePerUser": 10}
		e.Do("PUT", "/api/v1/security/policy", sec, bad).Problem(400, "invalid_policy")
	})
}

// Each instance caches the sessions behind recent tokens; a change made through one instance
// (roles, logout) reaches the others through PostgreSQL's notifications, and at once on the
// instance that made it. SQLite has a single instance, so this runs on PostgreSQL only.
func TestSessionChangesReachOtherInstances(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.Env) {
		if a.DB.Dialect != db.Postgres {
			t.Skip("one instance per SQLite database")
		}
		b := apitest.NewOn(t, a.DB, apitest.Config(t))
		eventually(t, "both listeners connected", func() bool {
			return a.App.Identity.SessionCacheOn() && b.App.Identity.SessionCacheOn()
		})
		sec := a.As("secadmin1", a.Root.ID, identity.RoleSecadmin)
		tok := a.As("grader9", a.Root.ID, identity.RoleGrader)
		var me struct{ ID int64 }
		a.Do("GET", "/api/v1/me", tok, nil).Status(200).JSON(&me)
		// Both instances have read (and cached) the session: school pages are refused.
		a.Do("GET", "/api/v1/venues", tok, nil).Status(403)
		b.Do("GET", "/api/v1/venues", tok, nil).Status(403)
		a.Do("PUT", fmt.Sprintf("/api/v1/users/%d/roles", me.ID), sec, map[string]any{"roles": []string{"grader", "school"}}).Status(200)
		a.Do("GET", "/api/v1/venues", tok, nil).Status(200)
		eventually(t, "roles on the other instance", func() bool {
			return b.Do("GET", "/api/v1/venues", tok, nil).Code == 200
		})
		a.Do("POST", "/api/v1/auth/logout", tok, nil).Status(204)
		a.Do("GET", "/api/v1/me", tok, nil).Problem(401, "session_revoked")
		eventually(t, "logout on the other instance", func() bool {
			return b.Do("GET", "/api/v1/me", tok, nil).Code == 401
		})
	})
}

// eventually polls cond for up to 5 s (notifications between instances take milliseconds).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not seen within 5 s", what)
}
