package app

import (
	"context"

	"qualify/internal/bank"
	"qualify/internal/cert"
	"qualify/internal/exam"
	"qualify/internal/identity"
)

// certIssuer lets the exam capability issue certificates without knowing the certificate
// package: a pass is certified in the transaction that records the final score.
type certIssuer struct {
	certs *cert.Service
	store interface {
		CertificateByAttempt(ctx context.Context, attemptID int64, hash string) (*cert.Certificate, error)
	}
}

// IssueForAttempt issues (idempotently, per attempt) the certificate a passed attempt earns.
func (i certIssuer) IssueForAttempt(ctx context.Context, p exam.PassedAttempt) (string, error) {
	sub, _ := bank.SubjectByCode(p.SubjectCode)
	c, err := i.certs.Issue(ctx, cert.IssueRequest{CadreID: p.CadreID, SubjectCode: p.SubjectCode, SubjectName: sub.Name,
		AttemptID: p.AttemptID, AttemptHash: p.Hash, Score: p.Score, PassedAt: p.PassedAt})
	if err != nil {
		return "", err
	}
	return c.Number, nil
}

// CertificateOf returns the number of the certificate an attempt earned ("" when none).
func (i certIssuer) CertificateOf(ctx context.Context, attemptID int64) (string, error) {
	c, err := i.store.CertificateByAttempt(ctx, attemptID, "")
	if err != nil || c == nil {
		return "", err
	}
	return c.Number, nil
}

// RevokeForAttempt revokes the certificate an attempt earned, when a regrade takes the pass away.
func (i certIssuer) RevokeForAttempt(ctx context.Context, attemptID int64, reason string) error {
	number, err := i.CertificateOf(ctx, attemptID)
	if err != nil || number == "" {
		return err
	}
	system := identity.Principal{Username: "system", Roles: []identity.Role{identity.RolePersonnel}, OrgPath: "/"}
	_, err = i.certs.ChangeStatus(ctx, system, number, cert.Revoke, reason)
	return err
}
