// Package cert issues and keeps qualification certificates (任职资格证书): the proof that a cadre
// passed a subject's qualification exam, without which a reserve cadre may not be promoted
// (后备干部没有获得任职资格的，不得提拔使用). A certificate has a number with a check character,
// a status with a history, a signed credential (compact JWS) anyone can verify offline against the
// published keys, a PDF document with a QR code, and a public lookup by number and name.
package cert

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"qualify/internal/audit"
	"qualify/internal/platform/civil"
	"qualify/internal/platform/signing"
)

// Certificate is one issued certificate.
type Certificate struct {
	ID            int64
	Number        string
	CadreID       int64
	HolderName    string
	HolderOrgPath string // read with the certificate, for scope checks
	HolderOrgName string
	SubjectCode   string
	SubjectName   string
	AttemptID     *int64 // nil for certificates not resting on a stored attempt (demo data)
	AttemptHash   string // hash of the graded attempt the certificate rests on
	Score         float64
	Issuer        string
	IssuedAt      time.Time
	IssuedOn      civil.Date // date of issue in the configured zone
	ExpiresOn     civil.Date // last day of validity
	Status        Status     // stored status: valid, suspended or revoked
	StatusReason  string
	StatusAt      time.Time
	KeyID         string
	Credential    string // compact JWS over the certificate's fields
	VerifyToken   string // random token in the QR code's address, in place of the holder's name
	CreatedAt     time.Time
	UpdatedAt     time.Time
	History       []StatusEvent // filled by Get
}

// StatusOn is the status the certificate reads as on asOf (see EffectiveStatus).
func (c Certificate) StatusOn(asOf civil.Date) Status {
	return EffectiveStatus(c.Status, c.ExpiresOn, asOf)
}

// StatusEvent is one entry of a certificate's status history.
type StatusEvent struct {
	ID            int64
	CertificateID int64
	From          Status // "" for the issue
	To            Status
	Reason        string
	ActorID       *int64
	ActorName     string
	At            time.Time
}

// Holder is what the service needs to know of the cadre a certificate is issued to.
type Holder struct {
	CadreID int64
	Name    string
	OrgPath string
	OrgName string
}

// IssueRequest is what the exam capability passes when an attempt passes.
type IssueRequest struct {
	CadreID     int64
	SubjectCode string
	SubjectName string
	AttemptID   int64 // 0 when the certificate rests on no stored attempt (idempotent by AttemptHash)
	AttemptHash string
	Score       float64
	PassedAt    time.Time // the certificate is dated on this day
}

// Filter narrows a certificate listing. PathPrefix is set by the service from the actor's scope.
type Filter struct {
	CadreID     int64
	SubjectCode string
	Status      Status // effective status; "" for all
	AsOf        civil.Date
	PathPrefix  string
	Page        int
	PageSize    int
}

// Verification is one public lookup, kept in the verification log.
type Verification struct {
	Number string
	Kind   string // lookup or credential
	// Outcome: ok, unknown_number, name_mismatch, invalid_number, rate_limited.
	Outcome string
	IP      string
	UserID  *int64
	At      time.Time
}

// PublishedKey is a signing key's public part as stored for every instance to publish.
type PublishedKey struct {
	Kid       string
	Alg       signing.Alg
	JWK       signing.JWK
	CreatedAt time.Time
	RetiredAt *time.Time
}

// Store is what the certificate service needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// HolderOf returns the cadre with its org's path and name, or nil.
	HolderOf(ctx context.Context, cadreID int64) (*Holder, error)
	// NextCertificateSerial increments and returns the serial counter of scope (1 the first time).
	NextCertificateSerial(ctx context.Context, scope string) (int64, error)
	CreateCertificate(ctx context.Context, c *Certificate) error
	UpdateCertificateStatus(ctx context.Context, c Certificate) error
	// CertificateByNumber returns the certificate with its holder's org, or nil.
	CertificateByNumber(ctx context.Context, number string) (*Certificate, error)
	// CertificateByAttempt returns the certificate resting on attemptID (when > 0) or else on
	// attemptHash, or nil.
	CertificateByAttempt(ctx context.Context, attemptID int64, attemptHash string) (*Certificate, error)
	SearchCertificates(ctx context.Context, f Filter) ([]Certificate, int64, error)
	CertificatesOfCadre(ctx context.Context, cadreID int64) ([]Certificate, error)
	AddCertificateStatusEvent(ctx context.Context, e *StatusEvent) error
	CertificateStatusEvents(ctx context.Context, certificateID int64) ([]StatusEvent, error)
	// CertificatesByNumbers returns the certificates with those numbers, by number.
	CertificatesByNumbers(ctx context.Context, numbers []string) (map[string]*Certificate, error)
	// LogCertificateVerifications appends public verification log entries.
	LogCertificateVerifications(ctx context.Context, vs []Verification) error
	// HitThrottles counts n attempts under each key in a fixed window and returns each key's
	// count so far.
	HitThrottles(ctx context.Context, hits map[string]int, window time.Duration, now time.Time) (map[string]int, error)
	// PublishCertificateKey stores a public key unless its kid is already stored.
	PublishCertificateKey(ctx context.Context, k PublishedKey) error
	// PublishedCertificateKeys returns every published key, newest first.
	PublishedCertificateKeys(ctx context.Context) ([]PublishedKey, error)
	// RetireCertificateKeys marks the keys of alg other than except as retired at at.
	RetireCertificateKeys(ctx context.Context, alg signing.Alg, except string, at time.Time) error
}

// Auditor appends to the audit log within the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Validity is how long certificates stay valid: Default years, or Subjects[code] years.
type Validity struct {
	Default  int
	Subjects map[string]int
}

// Years returns the validity of a subject's certificates.
func (v Validity) Years(subject string) int {
	if n, ok := v.Subjects[subject]; ok {
		return n
	}
	if v.Default <= 0 {
		return 3
	}
	return v.Default
}

// ExpiryFor returns the last day of validity of a certificate issued on issued: the day before
// the same date years later (issued 2026-05-11 for 3 years: valid through 2029-05-10).
func ExpiryFor(issued civil.Date, years int) civil.Date { return issued.AddYears(years).AddDays(-1) }

// ParseValidity reads "3" or "3,political_theory=5,party_affairs=2": a default number of years
// and optional per-subject overrides, each from 1 to 50.
func ParseValidity(s string) (Validity, error) {
	v := Validity{Default: 3, Subjects: map[string]int{}}
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		code, num, hasCode := strings.Cut(part, "=")
		if !hasCode {
			num, code = code, ""
		}
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil || n < 1 || n > 50 {
			return v, fmt.Errorf("certificate validity %q: years must be 1 to 50", part)
		}
		switch {
		case !hasCode && i == 0:
			v.Default = n
		case hasCode && strings.TrimSpace(code) != "":
			v.Subjects[strings.TrimSpace(code)] = n
		default:
			return v, fmt.Errorf("certificate validity %q: want N or subject=N", part)
		}
	}
	return v, nil
}
