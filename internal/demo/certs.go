package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"qualify/internal/app"
	"qualify/internal/cert"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// demoCert is one demo certificate: the account of its holder, the subject, how long ago it was
// passed, and the status it ends in with the reason.
type demoCert struct {
	username, subject string
	passedDaysAgo     int
	status            cert.Status
	reason            string
}

// demoCerts spread valid, expired, suspended and revoked certificates over cadre002…cadre007;
// cadre001 holds none (the contract keeps it free to sit every demo exam).
var demoCerts = []demoCert{
	{"cadre002", "political_theory", 30, cert.Valid, ""},
	{"cadre002", "decision_making", 200, cert.Valid, ""},
	{"cadre003", "political_theory", 400, cert.Valid, ""},
	{"cadre004", "party_affairs", 3*365 + 40, cert.Valid, ""}, // past its 3 years: reads as expired
	{"cadre005", "coordination", 90, cert.Suspended, "本人有关事项正在核查，暂停使用"},
	{"cadre006", "innovation", 120, cert.Revoked, "考试违纪，经核查撤销任职资格"},
	{"cadre007", "administration", 10, cert.Valid, ""},
}

// demoAttemptHash is the synthetic attempt hash demo certificates rest on: no exam attempt stands
// behind them, so the hash is SHA-256 over "demo-attempt|<cadre id>|<subject>". It is stable, which
// makes issuing idempotent across repeated loads (Issue matches AttemptHash when AttemptID is 0).
func demoAttemptHash(cadreID int64, subject string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("demo-attempt|%d|%s", cadreID, subject)))
	return "sha256:" + hex.EncodeToString(h[:])
}

// loadCerts issues the demo certificates (kept when present) and brings each to its status.
func loadCerts(ctx context.Context, a *app.App, rootPath string) (int, error) {
	personnel := identity.Principal{Username: "system", Roles: []identity.Role{identity.RolePersonnel}, OrgPath: rootPath}
	now := time.Now()
	for _, d := range demoCerts {
		u, err := a.Store.UserByUsername(ctx, d.username)
		if err != nil {
			return 0, err
		}
		if u == nil || u.CadreID == nil {
			return 0, fmt.Errorf("demo certificate: %s is not a cadre account", d.username)
		}
		c, err := a.Certs.Issue(ctx, cert.IssueRequest{CadreID: *u.CadreID, SubjectCode: d.subject,
			AttemptHash: demoAttemptHash(*u.CadreID, d.subject), Score: float64(78 + (len(d.username)+len(d.subject))%15),
			PassedAt: now.AddDate(0, 0, -d.passedDaysAgo)})
		if err != nil {
			return 0, fmt.Errorf("demo certificate for %s: %w", d.username, err)
		}
		if c.Status == d.status {
			continue
		}
		action := map[cert.Status]cert.Action{cert.Suspended: cert.Suspend, cert.Revoked: cert.Revoke, cert.Valid: cert.Reinstate}[d.status]
		reason := d.reason
		if reason == "" {
			reason = "演示数据恢复"
		}
		if _, err := a.Certs.ChangeStatus(ctx, personnel, c.Number, action, reason); err != nil && !apperr.Is(err, "status_transition_invalid") {
			return 0, fmt.Errorf("demo certificate %s: %w", c.Number, err)
		}
	}
	return len(demoCerts), nil
}
