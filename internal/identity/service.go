package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"qualify/internal/audit"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/token"
)

// Store is what identity needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	UserByUsername(ctx context.Context, username string) (*User, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u User) error
	SetUserRoles(ctx context.Context, userID int64, roles []Role, grantedBy *int64, at time.Time) error
	ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error)
	// RecordLoginFailure counts a failure atomically and locks the account at the threshold.
	RecordLoginFailure(ctx context.Context, userID int64, threshold int, lockUntil time.Time) (lockedUntil *time.Time, err error)
	ResetLoginFailures(ctx context.Context, userID int64) error
	CreateSession(ctx context.Context, s Session) error
	SessionWithUser(ctx context.Context, sessionID string) (*Session, *User, string, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	RevokeSession(ctx context.Context, id, reason string, at time.Time) (bool, error)
	RevokeUserSessions(ctx context.Context, userID int64, reason string, at time.Time) (int64, error)
	ListSessions(ctx context.Context, userID int64) ([]Session, error)
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	RefreshTokenByHash(ctx context.Context, hash string) (*RefreshToken, error)
	// MarkRefreshTokenUsed sets used_at unless already set; false means it was used before.
	MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) (bool, error)
	// HitThrottle counts one attempt under key in a fixed window and returns the count so far.
	HitThrottle(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
	GetSetting(ctx context.Context, key string) (string, bool, error)
	PutSetting(ctx context.Context, key, value string, by int64, at time.Time) error
	OrgExists(ctx context.Context, id int64) (bool, error)
}

// Auditor appends to the audit log within the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// UserFilter narrows a user listing.
type UserFilter struct {
	Q        string
	Role     Role
	OrgID    int64
	Page     int
	PageSize int
}

// SecurityPolicy is what the security administrator sets (安全策略).
type SecurityPolicy struct {
	PasswordMinLength  int
	PasswordMinClasses int
	LockoutThreshold   int
	LockoutDuration    time.Duration
	IdleTimeout        time.Duration
	LoginRatePerAddr   int
	LoginRatePerUser   int
}

// Password returns the password part of the policy.
func (p SecurityPolicy) Password() PasswordPolicy {
	return PasswordPolicy{MinLength: p.PasswordMinLength, MinClasses: p.PasswordMinClasses}
}

// Validate returns the fields out of range.
func (p SecurityPolicy) Validate() []apperr.FieldError {
	var out []apperr.FieldError
	if p.PasswordMinLength < 8 || p.PasswordMinLength > 64 {
		out = append(out, apperr.FieldError{Field: "passwordMinLength", Message: "须在 8 到 64 之间"})
	}
	if p.PasswordMinClasses < 1 || p.PasswordMinClasses > 4 {
		out = append(out, apperr.FieldError{Field: "passwordMinClasses", Message: "须在 1 到 4 之间"})
	}
	if p.LockoutThreshold < 3 || p.LockoutThreshold > 20 {
		out = append(out, apperr.FieldError{Field: "lockoutThreshold", Message: "须在 3 到 20 之间"})
	}
	if p.LockoutDuration < time.Minute || p.LockoutDuration > 24*time.Hour {
		out = append(out, apperr.FieldError{Field: "lockoutMinutes", Message: "须在 1 分钟到 24 小时之间"})
	}
	if p.IdleTimeout < time.Minute || p.IdleTimeout > 8*time.Hour {
		out = append(out, apperr.FieldError{Field: "idleTimeoutMinutes", Message: "须在 1 分钟到 8 小时之间"})
	}
	if p.LoginRatePerAddr < 1 || p.LoginRatePerUser < 1 {
		out = append(out, apperr.FieldError{Field: "loginRatePerUser", Message: "须为正数"})
	}
	return out
}

// Service authenticates people and manages accounts, roles, sessions and the security policy.
type Service struct {
	store    Store
	audit    Auditor
	signer   *token.Signer
	defaults SecurityPolicy
	sessTTL  time.Duration
	now      func() time.Time
	hashSem  chan struct{}

	polMu     sync.Mutex
	polCache  SecurityPolicy
	polLoaded time.Time

	sessions *sessionCache
}

// Config holds the service's settings.
type Config struct {
	Defaults   SecurityPolicy
	SessionTTL time.Duration // absolute lifetime of a session (and its refresh chain)
	// SharedDatabase is set when other instances may change sessions (PostgreSQL): the session
	// cache then starts off until SetSessionCache(true) says their changes will be heard.
	SharedDatabase bool
}

// NewService returns an identity service.
func NewService(s Store, a Auditor, signer *token.Signer, cfg Config) *Service {
	return &Service{store: s, audit: a, signer: signer, defaults: cfg.Defaults, sessTTL: cfg.SessionTTL,
		now: time.Now, hashSem: make(chan struct{}, runtime.GOMAXPROCS(0)), sessions: newSessionCache(!cfg.SharedDatabase)}
}

// AuthChanged drops cached sessions that a committed change may have affected. The store calls
// it after each commit that changes sessions, accounts, roles or orgs; with a shared database
// the listener for other instances' changes calls it too.
func (s *Service) AuthChanged(ch AuthChange) { s.sessions.invalidate(ch) }

// SetSessionCache turns the session cache on (every change made by any instance will be heard)
// or off (changes by other instances might be missed: every request reads the database).
func (s *Service) SetSessionCache(on bool) { s.sessions.setEnabled(on) }

// SessionCacheOn reports whether sessions are being cached.
func (s *Service) SessionCacheOn() bool {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	return s.sessions.enabled
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) {
	s.now = now
	s.signer.SetClock(now)
}

const policyKey = "security_policy"

// policyCacheTTL bounds how long an instance may use a policy another instance has replaced.
const policyCacheTTL = 5 * time.Second

type policyJSON struct {
	PasswordMinLength  int `json:"passwordMinLength"`
	PasswordMinClasses int `json:"passwordMinClasses"`
	LockoutThreshold   int `json:"lockoutThreshold"`
	LockoutMinutes     int `json:"lockoutMinutes"`
	IdleTimeoutMinutes int `json:"idleTimeoutMinutes"`
	LoginRatePerAddr   int `json:"loginRatePerAddr"`
	LoginRatePerUser   int `json:"loginRatePerUser"`
}

func policyToJSON(p SecurityPolicy) policyJSON {
	return policyJSON{p.PasswordMinLength, p.PasswordMinClasses, p.LockoutThreshold, int(p.LockoutDuration / time.Minute),
		int(p.IdleTimeout / time.Minute), p.LoginRatePerAddr, p.LoginRatePerUser}
}

func policyFromJSON(j policyJSON) SecurityPolicy {
	return SecurityPolicy{j.PasswordMinLength, j.PasswordMinClasses, j.LockoutThreshold, time.Duration(j.LockoutMinutes) * time.Minute,
		time.Duration(j.IdleTimeoutMinutes) * time.Minute, j.LoginRatePerAddr, j.LoginRatePerUser}
}

// Policy returns the security policy in force: the stored one, else the configured defaults.
func (s *Service) Policy(ctx context.Context) (SecurityPolicy, error) {
	s.polMu.Lock()
	if !s.polLoaded.IsZero() && s.now().Sub(s.polLoaded) < policyCacheTTL {
		p := s.polCache
		s.polMu.Unlock()
		return p, nil
	}
	s.polMu.Unlock()
	p := s.defaults
	v, ok, err := s.store.GetSetting(ctx, policyKey)
	if err != nil {
		return p, apperr.Wrap(err, "read security policy")
	}
	if ok {
		var j policyJSON
		if err := json.Unmarshal([]byte(v), &j); err == nil {
			p = policyFromJSON(j)
		}
	}
	s.polMu.Lock()
	s.polCache, s.polLoaded = p, s.now()
	s.polMu.Unlock()
	return p, nil
}

// SetPolicy replaces the security policy (secadmin only); audited.
func (s *Service) SetPolicy(ctx context.Context, actor Principal, p SecurityPolicy) (SecurityPolicy, error) {
	if !actor.Has(RoleSecadmin) {
		return SecurityPolicy{}, forbidden()
	}
	if fe := p.Validate(); len(fe) > 0 {
		return SecurityPolicy{}, apperr.InvalidFields("invalid_policy", "安全策略参数不在允许范围内", fe...)
	}
	before, err := s.Policy(ctx)
	if err != nil {
		return SecurityPolicy{}, err
	}
	b, _ := json.Marshal(policyToJSON(p))
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.PutSetting(ctx, policyKey, string(b), actor.UserID, s.now().UTC()); err != nil {
			return apperr.Wrap(err, "store security policy")
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: &actor.UserID, ActorName: actor.Username, Action: "security.policy.update",
			TargetType: "setting", TargetID: policyKey, Before: policyToJSON(before), After: policyToJSON(p)})
	})
	if err != nil {
		return SecurityPolicy{}, err
	}
	s.polMu.Lock()
	s.polLoaded = time.Time{}
	s.polMu.Unlock()
	return p, nil
}

// LoginInput is a login attempt.
type LoginInput struct {
	Username  string
	Password  string
	IP        string
	UserAgent string
}

func invalidCredentials() error {
	return apperr.New(apperr.Unauthenticated, "invalid_credentials", "用户名或密码错误")
}

func forbidden() error {
	return apperr.New(apperr.Forbidden, "forbidden", "当前角色无权执行此操作")
}

func lockedError(until time.Time) error {
	return apperr.New(apperr.Locked, "account_locked",
		fmt.Sprintf("连续登录失败次数过多，账户已锁定至 %s，请稍后再试或联系管理员解锁", until.In(shanghai).Format("2006-01-02 15:04")))
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// verify checks a password with the hashing concurrency bounded to the number of cores.
func (s *Service) verify(hash, pw string) bool {
	s.hashSem <- struct{}{}
	defer func() { <-s.hashSem }()
	return VerifyPassword(hash, pw)
}

func (s *Service) hash(pw string) (string, error) {
	s.hashSem <- struct{}{}
	defer func() { <-s.hashSem }()
	return HashPassword(pw)
}

// Login checks a username and password. Failures, lockouts and successes are audited.
// Errors: invalid_credentials (401), account_locked (423), login_rate_limited (429).
func (s *Service) Login(ctx context.Context, in LoginInput) (Tokens, error) {
	pol, err := s.Policy(ctx)
	if err != nil {
		return Tokens{}, err
	}
	now := s.now().UTC()
	username := strings.TrimSpace(in.Username)
	if username == "" || in.Password == "" || len(username) > 64 || len(in.Password) > 256 {
		return Tokens{}, invalidCredentials()
	}
	for _, k := range []struct {
		key   string
		limit int
	}{{"addr:" + in.IP, pol.LoginRatePerAddr}, {"user:" + strings.ToLower(username), pol.LoginRatePerUser}} {
		n, err := s.store.HitThrottle(ctx, k.key, time.Minute, now)
		if err != nil {
			return Tokens{}, apperr.Wrap(err, "login throttle")
		}
		if n > k.limit {
			return Tokens{}, apperr.New(apperr.TooManyRequests, "login_rate_limited", "登录尝试过于频繁，请一分钟后再试")
		}
	}
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return Tokens{}, apperr.Wrap(err, "find user")
	}
	if u == nil || u.Disabled {
		s.verify(dummyHash, in.Password) // same cost as a real check: timing does not reveal accounts
		_ = s.audit.Record(ctx, audit.Entry{ActorName: username, Action: "auth.login_failed", TargetType: "user",
			TargetID: username, Note: map[bool]string{true: "账户已停用", false: "用户不存在"}[u != nil]})
		return Tokens{}, invalidCredentials()
	}
	if u.LockedAt(now) {
		_ = s.audit.Record(ctx, audit.Entry{ActorID: &u.ID, ActorName: u.Username, Action: "auth.login_refused_locked",
			TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10)})
		return Tokens{}, lockedError(*u.LockedUntil)
	}
	if !s.verify(u.PasswordHash, in.Password) {
		var lockedUntil *time.Time
		err := s.store.InTx(ctx, func(ctx context.Context) error {
			var err error
			lockedUntil, err = s.store.RecordLoginFailure(ctx, u.ID, pol.LockoutThreshold, now.Add(pol.LockoutDuration))
			if err != nil {
				return apperr.Wrap(err, "record login failure")
			}
			if err := s.audit.Record(ctx, audit.Entry{ActorID: &u.ID, ActorName: u.Username, Action: "auth.login_failed",
				TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10), Note: "密码错误"}); err != nil {
				return err
			}
			if lockedUntil != nil && lockedUntil.After(now) {
				return s.audit.Record(ctx, audit.Entry{ActorID: &u.ID, ActorName: u.Username, Action: "auth.lockout",
					TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10),
					After: map[string]any{"lockedUntil": lockedUntil.Format(time.RFC3339)}})
			}
			return nil
		})
		if err != nil {
			return Tokens{}, err
		}
		if lockedUntil != nil && lockedUntil.After(now) {
			return Tokens{}, lockedError(*lockedUntil)
		}
		return Tokens{}, invalidCredentials()
	}
	var out Tokens
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if u.FailedLogins > 0 || u.LockedUntil != nil {
			if err := s.store.ResetLoginFailures(ctx, u.ID); err != nil {
				return apperr.Wrap(err, "reset login failures")
			}
		}
		sess := Session{ID: uuid.NewString(), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.sessTTL),
			IP: in.IP, UserAgent: truncate(in.UserAgent, 300)}
		if err := s.store.CreateSession(ctx, sess); err != nil {
			return apperr.Wrap(err, "create session")
		}
		refresh, err := s.newRefreshToken(ctx, sess.ID, nil, now)
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: &u.ID, ActorName: u.Username, Action: "auth.login",
			TargetType: "session", TargetID: sess.ID}); err != nil {
			return err
		}
		out, err = s.tokens(*u, sess.ID, refresh)
		return err
	})
	return out, err
}

func (s *Service) tokens(u User, sessionID, refresh string) (Tokens, error) {
	access, err := s.signer.Issue(u.ID, sessionID)
	if err != nil {
		return Tokens{}, apperr.Wrap(err, "sign token")
	}
	u.PasswordHash = ""
	return Tokens{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.signer.TTL(), User: u}, nil
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func (s *Service) newRefreshToken(ctx context.Context, sessionID string, parent *string, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", apperr.Wrap(err, "random refresh token")
	}
	raw := base64.RawURLEncoding.EncodeToString(b)
	t := RefreshToken{ID: uuid.NewString(), SessionID: sessionID, TokenHash: hashToken(raw), ParentID: parent, CreatedAt: now}
	if err := s.store.CreateRefreshToken(ctx, t); err != nil {
		return "", apperr.Wrap(err, "store refresh token")
	}
	return raw, nil
}

func invalidRefresh() error {
	return apperr.New(apperr.Unauthenticated, "invalid_refresh_token", "刷新凭证无效或已失效，请重新登录")
}

// Refresh exchanges a refresh token for new tokens. The old token stops working; presenting a
// used one again revokes the whole session and its chain (refresh_token_reused, 401).
func (s *Service) Refresh(ctx context.Context, raw string) (Tokens, error) {
	if raw == "" || len(raw) > 200 {
		return Tokens{}, invalidRefresh()
	}
	now := s.now().UTC()
	pol, err := s.Policy(ctx)
	if err != nil {
		return Tokens{}, err
	}
	var out Tokens
	var reuse bool
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		rt, err := s.store.RefreshTokenByHash(ctx, hashToken(raw))
		if err != nil {
			return apperr.Wrap(err, "find refresh token")
		}
		if rt == nil {
			return invalidRefresh()
		}
		sess, u, _, err := s.store.SessionWithUser(ctx, rt.SessionID)
		if err != nil {
			return apperr.Wrap(err, "find session")
		}
		if sess == nil || u == nil {
			return invalidRefresh()
		}
		fresh := rt.UsedAt == nil
		if fresh {
			fresh, err = s.store.MarkRefreshTokenUsed(ctx, rt.ID, now)
			if err != nil {
				return apperr.Wrap(err, "use refresh token")
			}
		}
		if !fresh {
			reuse = true
			if _, err := s.store.RevokeSession(ctx, sess.ID, "refresh_reuse", now); err != nil {
				return apperr.Wrap(err, "revoke session")
			}
			return s.audit.Record(ctx, audit.Entry{ActorID: &u.ID, ActorName: u.Username, Action: "auth.refresh_reuse",
				TargetType: "session", TargetID: sess.ID, Note: "已使用的刷新凭证被再次提交，整条会话链已吊销"})
		}
		if err := sessionUsable(sess, u, now, pol.IdleTimeout); err != nil {
			return err
		}
		refresh, err := s.newRefreshToken(ctx, sess.ID, &rt.ID, now)
		if err != nil {
			return err
		}
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return apperr.Wrap(err, "touch session")
		}
		out, err = s.tokens(*u, sess.ID, refresh)
		return err
	})
	if err == nil && reuse {
		return Tokens{}, apperr.New(apperr.Unauthenticated, "refresh_token_reused", "刷新凭证已被使用过，为安全起见本次登录会话已全部注销，请重新登录")
	}
	return out, err
}

func sessionUsable(sess *Session, u *User, now time.Time, idle time.Duration) error {
	switch {
	case sess.RevokedAt != nil:
		return apperr.New(apperr.Unauthenticated, "session_revoked", "登录会话已注销或被终止，请重新登录")
	case !now.Before(sess.ExpiresAt):
		return apperr.New(apperr.Unauthenticated, "session_expired", "登录会话已过期，请重新登录")
	case now.Sub(sess.LastSeenAt) > idle:
		return apperr.New(apperr.Unauthenticated, "session_idle", fmt.Sprintf("超过 %d 分钟未操作，请重新登录", int(idle/time.Minute)))
	case u.Disabled:
		return apperr.New(apperr.Unauthenticated, "account_disabled", "账户已停用")
	}
	return nil
}

// touchEvery bounds how often a session's last_seen_at is written.
const touchEvery = 30 * time.Second

// Authenticate turns an access token into the principal it stands for. The session must be
// alive: not revoked, not expired, not idle. Errors are Unauthenticated.
func (s *Service) Authenticate(ctx context.Context, raw string) (Principal, error) {
	c, err := s.signer.Parse(raw)
	if err != nil {
		return Principal{}, apperr.New(apperr.Unauthenticated, "invalid_token", "登录凭证无效或已过期，请重新登录")
	}
	now := s.now().UTC()
	cached, hit, gen := s.sessions.get(c.SessionID, now)
	sess, u, orgPath := &cached.sess, &cached.user, cached.orgPath
	if !hit {
		sess, u, orgPath, err = s.store.SessionWithUser(ctx, c.SessionID)
		if err != nil {
			return Principal{}, apperr.Wrap(err, "find session")
		}
		if sess != nil && u != nil {
			s.sessions.put(c.SessionID, cachedSession{sess: *sess, user: *u, orgPath: orgPath, loadedAt: now}, gen)
		}
	}
	if sess == nil || u == nil || strconv.FormatInt(u.ID, 10) != c.Subject {
		return Principal{}, apperr.New(apperr.Unauthenticated, "invalid_token", "登录凭证无效，请重新登录")
	}
	pol, err := s.Policy(ctx)
	if err != nil {
		return Principal{}, err
	}
	if err := sessionUsable(sess, u, now, pol.IdleTimeout); err != nil {
		if apperr.Is(err, "session_idle") {
			_, _ = s.store.RevokeSession(ctx, sess.ID, "idle", now)
		}
		return Principal{}, err
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.store.TouchSession(ctx, sess.ID, now); err != nil {
			return Principal{}, apperr.Wrap(err, "touch session")
		}
		s.sessions.touched(sess.ID, now)
	}
	return Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles, OrgID: u.OrgID,
		OrgPath: orgPath, CadreID: u.CadreID, SessionID: sess.ID}, nil
}

// Logout ends the caller's session at once; its access and refresh tokens stop working.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	return s.endSession(ctx, p, p.SessionID, "logout", "auth.logout")
}

// EndSession ends one of the caller's own sessions ("end this session"). NotFound for others'.
func (s *Service) EndSession(ctx context.Context, p Principal, sessionID string) error {
	sessions, err := s.store.ListSessions(ctx, p.UserID)
	if err != nil {
		return apperr.Wrap(err, "list sessions")
	}
	if !slices.ContainsFunc(sessions, func(x Session) bool { return x.ID == sessionID }) {
		return apperr.NotFoundf("会话不存在")
	}
	return s.endSession(ctx, p, sessionID, "ended_by_user", "auth.session_end")
}

func (s *Service) endSession(ctx context.Context, p Principal, id, reason, action string) error {
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.RevokeSession(ctx, id, reason, s.now().UTC()); err != nil {
			return apperr.Wrap(err, "revoke session")
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: &p.UserID, ActorName: p.Username, Action: action, TargetType: "session", TargetID: id})
	})
}

// Sessions lists the caller's sessions, newest first.
func (s *Service) Sessions(ctx context.Context, p Principal) ([]Session, error) {
	out, err := s.store.ListSessions(ctx, p.UserID)
	return out, apperr.Wrap(err, "list sessions")
}

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context, p Principal) (User, error) {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return User{}, apperr.Wrap(err, "find user")
	}
	if u == nil {
		return User{}, apperr.NotFoundf("用户不存在")
	}
	u.PasswordHash = ""
	return *u, nil
}

// ChangePassword changes the caller's own password after checking the old one; other sessions end.
func (s *Service) ChangePassword(ctx context.Context, p Principal, oldPw, newPw string) error {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil || u == nil {
		return apperr.Wrap(err, "find user")
	}
	if !s.verify(u.PasswordHash, oldPw) {
		return apperr.InvalidFields("wrong_password", "原密码不正确", apperr.FieldError{Field: "oldPassword", Message: "原密码不正确"})
	}
	return s.setPassword(ctx, p, *u, newPw, "user.password.change", p.SessionID)
}

func (s *Service) setPassword(ctx context.Context, actor Principal, u User, pw, action, keepSession string) error {
	pol, err := s.Policy(ctx)
	if err != nil {
		return err
	}
	if probs := pol.Password().Check(pw, u.Username); len(probs) > 0 {
		return apperr.InvalidFields("weak_password", "密码不符合安全策略："+strings.Join(probs, "；"),
			apperr.FieldError{Field: "newPassword", Message: strings.Join(probs, "；")})
	}
	h, err := s.hash(pw)
	if err != nil {
		return apperr.Wrap(err, "hash password")
	}
	now := s.now().UTC()
	u.PasswordHash, u.PasswordChangedAt, u.UpdatedAt = h, now, now
	return s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return apperr.Wrap(err, "update user")
		}
		sessions, err := s.store.ListSessions(ctx, u.ID)
		if err != nil {
			return apperr.Wrap(err, "list sessions")
		}
		for _, x := range sessions {
			if x.ID != keepSession && x.RevokedAt == nil {
				if _, err := s.store.RevokeSession(ctx, x.ID, "password_changed", now); err != nil {
					return apperr.Wrap(err, "revoke session")
				}
			}
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: &actor.UserID, ActorName: actor.Username, Action: action,
			TargetType: "user", TargetID: strconv.FormatInt(u.ID, 10)})
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
