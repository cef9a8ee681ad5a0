package store

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"qualify/internal/identity"
)

type userRow struct {
	ID                int64 `gorm:"primaryKey"`
	Username          string
	DisplayName       string
	PasswordHash      string
	OrgID             int64
	CadreID           *int64
	Disabled          bool
	FailedLogins      int
	LockedUntil       *time.Time
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (userRow) TableName() string { return "users" }

type userRoleRow struct {
	UserID    int64  `gorm:"primaryKey"`
	Role      string `gorm:"primaryKey"`
	GrantedBy *int64
	GrantedAt time.Time
}

func (userRoleRow) TableName() string { return "user_roles" }

type sessionRow struct {
	ID           string `gorm:"primaryKey"`
	UserID       int64
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
	RevokeReason string
	IP           string `gorm:"column:ip"`
	UserAgent    string
}

func (sessionRow) TableName() string { return "sessions" }

type refreshTokenRow struct {
	ID        string `gorm:"primaryKey"`
	SessionID string
	TokenHash string
	ParentID  *string
	CreatedAt time.Time
	UsedAt    *time.Time
}

func (refreshTokenRow) TableName() string { return "refresh_tokens" }

type settingRow struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedBy *int64
	UpdatedAt time.Time
}

func (settingRow) TableName() string { return "settings" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func toUser(r userRow, roles []identity.Role) identity.User {
	return identity.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, PasswordHash: r.PasswordHash,
		OrgID: r.OrgID, CadreID: r.CadreID, Roles: roles, Disabled: r.Disabled, FailedLogins: r.FailedLogins,
		LockedUntil: utcPtr(r.LockedUntil), PasswordChangedAt: r.PasswordChangedAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func userRowFrom(u identity.User) userRow {
	return userRow{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, PasswordHash: u.PasswordHash, OrgID: u.OrgID,
		CadreID: u.CadreID, Disabled: u.Disabled, FailedLogins: u.FailedLogins, LockedUntil: u.LockedUntil,
		PasswordChangedAt: u.PasswordChangedAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func toSession(r sessionRow) identity.Session {
	return identity.Session{ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), RevokedAt: utcPtr(r.RevokedAt), RevokeReason: r.RevokeReason, IP: r.IP, UserAgent: r.UserAgent}
}

func (s *Store) rolesOf(ctx context.Context, ids []int64) (map[int64][]identity.Role, error) {
	out := map[int64][]identity.Role{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []userRoleRow
	if err := s.conn(ctx).Where("user_id IN ?", ids).Order("role").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], identity.Role(r.Role))
	}
	return out, nil
}

func (s *Store) userWhere(ctx context.Context, query string, arg any) (*identity.User, error) {
	var rows []userRow
	if err := s.conn(ctx).Where(query, arg).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	roles, err := s.rolesOf(ctx, []int64{rows[0].ID})
	if err != nil {
		return nil, err
	}
	u := toUser(rows[0], roles[rows[0].ID])
	return &u, nil
}

// UserByUsername returns the user with that username (case-insensitive), or nil.
func (s *Store) UserByUsername(ctx context.Context, username string) (*identity.User, error) {
	return s.userWhere(ctx, "LOWER(username) = ?", strings.ToLower(username))
}

// UserByID returns the user with that id, or nil.
func (s *Store) UserByID(ctx context.Context, id int64) (*identity.User, error) {
	return s.userWhere(ctx, "id = ?", id)
}

// CreateUser inserts u and sets its ID.
func (s *Store) CreateUser(ctx context.Context, u *identity.User) error {
	r := userRowFrom(*u)
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	u.ID = r.ID
	return nil
}

// UpdateUser writes u's profile, password and state.
func (s *Store) UpdateUser(ctx context.Context, u identity.User) error {
	r := userRowFrom(u)
	s.authChanged(ctx, identity.AuthChange{UserID: u.ID})
	return s.conn(ctx).Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{
		"display_name": r.DisplayName, "password_hash": r.PasswordHash, "org_id": r.OrgID, "cadre_id": r.CadreID,
		"disabled": r.Disabled, "password_changed_at": r.PasswordChangedAt, "updated_at": r.UpdatedAt,
	}).Error
}

// SetUserRoles replaces the roles of a user.
func (s *Store) SetUserRoles(ctx context.Context, userID int64, roles []identity.Role, grantedBy *int64, at time.Time) error {
	s.authChanged(ctx, identity.AuthChange{UserID: userID})
	if err := s.conn(ctx).Where("user_id = ?", userID).Delete(&userRoleRow{}).Error; err != nil {
		return err
	}
	for _, r := range roles {
		if err := s.conn(ctx).Create(&userRoleRow{UserID: userID, Role: string(r), GrantedBy: grantedBy, GrantedAt: at}).Error; err != nil {
			return err
		}
	}
	return nil
}

// ListUsers returns a filtered page of users and the total.
func (s *Store) ListUsers(ctx context.Context, f identity.UserFilter) ([]identity.User, int64, error) {
	q := s.conn(ctx).Model(&userRow{})
	if f.Q != "" {
		p := likePattern(strings.ToLower(f.Q))
		q = q.Where(`(LOWER(username) LIKE ? ESCAPE '\' OR display_name LIKE ? ESCAPE '\')`, p, likePattern(f.Q))
	}
	if f.Role != "" {
		q = q.Where("id IN (SELECT user_id FROM user_roles WHERE role = ?)", string(f.Role))
	}
	if f.OrgID != 0 {
		q = q.Where("org_id = ?", f.OrgID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []userRow
	if err := q.Order("username").Offset(pageOffset(f.Page, f.PageSize)).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	roles, err := s.rolesOf(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]identity.User, len(rows))
	for i, r := range rows {
		out[i] = toUser(r, roles[r.ID])
	}
	return out, total, nil
}

// RecordLoginFailure counts one failure atomically; at the threshold it locks the account until
// lockUntil and restarts the count. It returns the account's locked_until afterwards.
func (s *Store) RecordLoginFailure(ctx context.Context, userID int64, threshold int, lockUntil time.Time) (*time.Time, error) {
	var out []struct{ LockedUntil *time.Time }
	err := s.conn(ctx).Raw(`UPDATE users SET
		locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END,
		failed_logins = CASE WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END
		WHERE id = ? RETURNING locked_until`, threshold, lockUntil.UTC(), threshold, userID).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return utcPtr(out[0].LockedUntil), nil
}

// ResetLoginFailures clears the failure count and any lock.
func (s *Store) ResetLoginFailures(ctx context.Context, userID int64) error {
	return s.conn(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"failed_logins": 0, "locked_until": nil}).Error
}

// CreateSession inserts a session.
func (s *Store) CreateSession(ctx context.Context, x identity.Session) error {
	r := sessionRow{ID: x.ID, UserID: x.UserID, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, ExpiresAt: x.ExpiresAt,
		IP: x.IP, UserAgent: x.UserAgent}
	return s.conn(ctx).Create(&r).Error
}

// SessionWithUser returns a session, its user (with roles) and the user's org path; nils when
// absent. It is on every authenticated request's path: one query, roles aggregated in it.
func (s *Store) SessionWithUser(ctx context.Context, id string) (*identity.Session, *identity.User, string, error) {
	var rows []struct {
		SID                string     `gorm:"column:s_id"`
		SUserID            int64      `gorm:"column:s_user_id"`
		SCreatedAt         time.Time  `gorm:"column:s_created_at"`
		SLastSeenAt        time.Time  `gorm:"column:s_last_seen_at"`
		SExpiresAt         time.Time  `gorm:"column:s_expires_at"`
		SRevokedAt         *time.Time `gorm:"column:s_revoked_at"`
		SRevokeReason      string     `gorm:"column:s_revoke_reason"`
		SIP                string     `gorm:"column:s_ip"`
		SUserAgent         string     `gorm:"column:s_user_agent"`
		UID                int64      `gorm:"column:u_id"`
		UUsername          string     `gorm:"column:u_username"`
		UDisplayName       string     `gorm:"column:u_display_name"`
		UPasswordHash      string     `gorm:"column:u_password_hash"`
		UOrgID             int64      `gorm:"column:u_org_id"`
		UCadreID           *int64     `gorm:"column:u_cadre_id"`
		UDisabled          bool       `gorm:"column:u_disabled"`
		UFailedLogins      int        `gorm:"column:u_failed_logins"`
		ULockedUntil       *time.Time `gorm:"column:u_locked_until"`
		UPasswordChangedAt time.Time  `gorm:"column:u_password_changed_at"`
		UCreatedAt         time.Time  `gorm:"column:u_created_at"`
		UUpdatedAt         time.Time  `gorm:"column:u_updated_at"`
		OrgPath            string     `gorm:"column:org_path"`
		Roles              *string    `gorm:"column:roles"`
	}
	rolesAgg := `(SELECT string_agg(role, ',' ORDER BY role) FROM user_roles WHERE user_id = u.id)`
	if !s.isPostgres() {
		rolesAgg = `(SELECT group_concat(role, ',') FROM (SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role))`
	}
	err := s.conn(ctx).Raw(`SELECT s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at,
			s.expires_at AS s_expires_at, s.revoked_at AS s_revoked_at, s.revoke_reason AS s_revoke_reason, s.ip AS s_ip,
			s.user_agent AS s_user_agent,
			u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name, u.password_hash AS u_password_hash,
			u.org_id AS u_org_id, u.cadre_id AS u_cadre_id, u.disabled AS u_disabled, u.failed_logins AS u_failed_logins,
			u.locked_until AS u_locked_until, u.password_changed_at AS u_password_changed_at, u.created_at AS u_created_at,
			u.updated_at AS u_updated_at, o.path AS org_path, `+rolesAgg+` AS roles
		FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id WHERE s.id = ?`, id).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, nil, "", err
	}
	x := rows[0]
	r := struct {
		sessionRow sessionRow
		userRow    userRow
		OrgPath    string
	}{
		sessionRow{ID: x.SID, UserID: x.SUserID, CreatedAt: x.SCreatedAt, LastSeenAt: x.SLastSeenAt, ExpiresAt: x.SExpiresAt,
			RevokedAt: x.SRevokedAt, RevokeReason: x.SRevokeReason, IP: x.SIP, UserAgent: x.SUserAgent},
		userRow{ID: x.UID, Username: x.UUsername, DisplayName: x.UDisplayName, PasswordHash: x.UPasswordHash, OrgID: x.UOrgID,
			CadreID: x.UCadreID, Disabled: x.UDisabled, FailedLogins: x.UFailedLogins, LockedUntil: x.ULockedUntil,
			PasswordChangedAt: x.UPasswordChangedAt, CreatedAt: x.UCreatedAt, UpdatedAt: x.UUpdatedAt},
		x.OrgPath,
	}
	var roles []identity.Role
	if x.Roles != nil && *x.Roles != "" {
		for _, role := range strings.Split(*x.Roles, ",") {
			roles = append(roles, identity.Role(role))
		}
	}
	u := toUser(r.userRow, roles)
	sess := toSession(r.sessionRow)
	return &sess, &u, r.OrgPath, nil
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	return s.conn(ctx).Model(&sessionRow{}).Where("id = ?", id).Update("last_seen_at", at).Error
}

// RevokeSession ends a session; false when it was already ended or absent.
func (s *Store) RevokeSession(ctx context.Context, id, reason string, at time.Time) (bool, error) {
	s.authChanged(ctx, identity.AuthChange{SessionID: id})
	res := s.conn(ctx).Model(&sessionRow{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": at, "revoke_reason": reason})
	return res.RowsAffected > 0, res.Error
}

// RevokeUserSessions ends every live session of a user and returns how many.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, reason string, at time.Time) (int64, error) {
	s.authChanged(ctx, identity.AuthChange{UserID: userID})
	res := s.conn(ctx).Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Updates(map[string]any{"revoked_at": at, "revoke_reason": reason})
	return res.RowsAffected, res.Error
}

// ListSessions returns a user's sessions, newest first (at most 100).
func (s *Store) ListSessions(ctx context.Context, userID int64) ([]identity.Session, error) {
	var rows []sessionRow
	if err := s.conn(ctx).Where("user_id = ?", userID).Order("created_at DESC").Limit(100).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]identity.Session, len(rows))
	for i, r := range rows {
		out[i] = toSession(r)
	}
	return out, nil
}

// CreateRefreshToken inserts a refresh token (its hash only).
func (s *Store) CreateRefreshToken(ctx context.Context, t identity.RefreshToken) error {
	r := refreshTokenRow{ID: t.ID, SessionID: t.SessionID, TokenHash: t.TokenHash, ParentID: t.ParentID, CreatedAt: t.CreatedAt}
	return s.conn(ctx).Create(&r).Error
}

// RefreshTokenByHash returns the token with that hash, or nil.
func (s *Store) RefreshTokenByHash(ctx context.Context, hash string) (*identity.RefreshToken, error) {
	var rows []refreshTokenRow
	if err := s.conn(ctx).Where("token_hash = ?", hash).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	return &identity.RefreshToken{ID: r.ID, SessionID: r.SessionID, TokenHash: r.TokenHash, ParentID: r.ParentID,
		CreatedAt: r.CreatedAt.UTC(), UsedAt: utcPtr(r.UsedAt)}, nil
}

// MarkRefreshTokenUsed sets used_at unless it is set; false means the token had been used.
func (s *Store) MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&refreshTokenRow{}).Where("id = ? AND used_at IS NULL", id).Update("used_at", at)
	return res.RowsAffected == 1, res.Error
}

// HitThrottle counts an attempt under key in a fixed window starting at the first attempt.
func (s *Store) HitThrottle(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	var out []struct{ Attempts int }
	err := s.conn(ctx).Raw(throttleUpsert, key, now, 1, now.Add(-window), now.Add(-window)).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return 0, err
	}
	return out[0].Attempts, nil
}

// HitThrottles counts n attempts under each key (distinct keys) in a fixed window and returns
// each key's count so far: one statement on PostgreSQL.
func (s *Store) HitThrottles(ctx context.Context, hits map[string]int, window time.Duration, now time.Time) (map[string]int, error) {
	out := make(map[string]int, len(hits))
	if len(hits) == 0 {
		return out, nil
	}
	// Keys in one order, so that two transactions counting the same addresses lock their rows
	// in the same order (no deadlock).
	keys := slices.Sorted(maps.Keys(hits))
	if !s.isPostgres() {
		for _, k := range keys {
			n := hits[k]
			var got []struct{ Attempts int }
			if err := s.conn(ctx).Raw(throttleUpsert, k, now, n, now.Add(-window), now.Add(-window)).Scan(&got).Error; err != nil {
				return nil, err
			}
			if len(got) == 1 {
				out[k] = got[0].Attempts
			}
		}
		return out, nil
	}
	elems, ns := make([]string, 0, len(hits)), make([]string, 0, len(hits))
	for _, k := range keys {
		elems = append(elems, pgTextArrayElem(k))
		ns = append(ns, strconv.Itoa(hits[k]))
	}
	var got []struct {
		Key      string
		Attempts int
	}
	err := s.conn(ctx).Raw(`INSERT INTO login_throttle (key, window_start, attempts)
		SELECT k, ?, n FROM unnest(?::text[], ?::int[]) WITH ORDINALITY AS t(k, n, o) ORDER BY o
		`+throttleConflict+` RETURNING key, attempts`, now, "{"+strings.Join(elems, ",")+"}", "{"+strings.Join(ns, ",")+"}", now.Add(-window), now.Add(-window)).Scan(&got).Error
	if err != nil {
		return nil, err
	}
	for _, g := range got {
		out[g.Key] = g.Attempts
	}
	return out, nil
}

// throttleUpsert counts n attempts under a key in a fixed window starting afresh when the stored
// one began before the cutoff: args key, now, n, cutoff, cutoff.
const throttleUpsert = `INSERT INTO login_throttle (key, window_start, attempts) VALUES (?, ?, ?) ` + throttleConflict + ` RETURNING attempts`

// throttleConflict adds the new attempts to a key's window, or starts the window afresh when
// it began before the cutoff (args cutoff, cutoff).
const throttleConflict = `ON CONFLICT (key) DO UPDATE SET
	attempts = CASE WHEN login_throttle.window_start < ? THEN excluded.attempts ELSE login_throttle.attempts + excluded.attempts END,
	window_start = CASE WHEN login_throttle.window_start < ? THEN excluded.window_start ELSE login_throttle.window_start END`

// pgTextArrayElem quotes s as an element of a PostgreSQL array literal.
func pgTextArrayElem(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// GetSetting returns a stored setting.
func (s *Store) GetSetting(ctx context.Context, key string) (string, bool, error) {
	var rows []settingRow
	if err := s.conn(ctx).Where("key = ?", key).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return "", false, err
	}
	return rows[0].Value, true, nil
}

// PutSetting stores a setting.
func (s *Store) PutSetting(ctx context.Context, key, value string, by int64, at time.Time) error {
	r := settingRow{Key: key, Value: value, UpdatedBy: &by, UpdatedAt: at}
	return s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_by", "updated_at"}),
	}).Create(&r).Error
}

// PruneThrottle deletes rate-limit windows that started before cutoff (they count nothing).
func (s *Store) PruneThrottle(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.conn(ctx).Exec(`DELETE FROM login_throttle WHERE window_start < ?`, cutoff.UTC())
	return res.RowsAffected, res.Error
}
