package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"qualify/internal/cert"
	"qualify/internal/platform/civil"
	"qualify/internal/platform/signing"
)

type certificateRow struct {
	ID              int64 `gorm:"primaryKey"`
	Number          string
	CadreID         int64
	HolderName      string
	SubjectCode     string
	SubjectName     string
	AttemptID       *int64
	AttemptHash     string
	Score           float64
	Issuer          string
	IssuedAt        time.Time
	IssuedOn        civil.Date
	ExpiresOn       civil.Date
	Status          string
	StatusReason    string
	StatusChangedAt time.Time
	KeyID           string
	Credential      string
	VerifyToken     string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (certificateRow) TableName() string { return "certificates" }

// certificateHolderRow is a certificate read with its holder's org path and name.
type certificateHolderRow struct {
	Cert    certificateRow `gorm:"embedded"`
	OrgPath string
	OrgName string
}

type certificateStatusEventRow struct {
	ID            int64 `gorm:"primaryKey"`
	CertificateID int64
	FromStatus    *string
	ToStatus      string
	Reason        string
	ActorID       *int64
	ActorName     string
	OccurredAt    time.Time
}

func (certificateStatusEventRow) TableName() string { return "certificate_status_events" }

type certificateVerificationRow struct {
	ID         int64 `gorm:"primaryKey"`
	Number     string
	Kind       string
	Outcome    string
	IP         string `gorm:"column:ip"`
	UserID     *int64
	OccurredAt time.Time
}

func (certificateVerificationRow) TableName() string { return "certificate_verifications" }

type certificateKeyRow struct {
	Kid       string `gorm:"primaryKey"`
	Alg       string
	PublicJWK string `gorm:"column:public_jwk"`
	CreatedAt time.Time
	RetiredAt *time.Time
}

func (certificateKeyRow) TableName() string { return "certificate_keys" }

func toCertificate(r certificateRow) cert.Certificate {
	return cert.Certificate{ID: r.ID, Number: r.Number, CadreID: r.CadreID, HolderName: r.HolderName, SubjectCode: r.SubjectCode,
		SubjectName: r.SubjectName, AttemptID: r.AttemptID, AttemptHash: r.AttemptHash, Score: r.Score, Issuer: r.Issuer,
		IssuedAt: r.IssuedAt.UTC(), IssuedOn: r.IssuedOn, ExpiresOn: r.ExpiresOn, Status: cert.Status(r.Status),
		StatusReason: r.StatusReason, StatusAt: r.StatusChangedAt.UTC(), KeyID: r.KeyID, Credential: r.Credential,
		VerifyToken: r.VerifyToken, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func certificateRowFrom(c cert.Certificate) certificateRow {
	return certificateRow{ID: c.ID, Number: c.Number, CadreID: c.CadreID, HolderName: c.HolderName, SubjectCode: c.SubjectCode,
		SubjectName: c.SubjectName, AttemptID: c.AttemptID, AttemptHash: c.AttemptHash, Score: c.Score, Issuer: c.Issuer,
		IssuedAt: c.IssuedAt, IssuedOn: c.IssuedOn, ExpiresOn: c.ExpiresOn, Status: string(c.Status),
		StatusReason: c.StatusReason, StatusChangedAt: c.StatusAt, KeyID: c.KeyID, Credential: c.Credential,
		VerifyToken: c.VerifyToken, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func toCertificateWithHolder(r certificateHolderRow) cert.Certificate {
	c := toCertificate(r.Cert)
	c.HolderOrgPath, c.HolderOrgName = r.OrgPath, r.OrgName
	return c
}

func toStatusEvent(r certificateStatusEventRow) cert.StatusEvent {
	return cert.StatusEvent{ID: r.ID, CertificateID: r.CertificateID, From: cert.Status(deref(r.FromStatus)), To: cert.Status(r.ToStatus),
		Reason: r.Reason, ActorID: r.ActorID, ActorName: r.ActorName, At: r.OccurredAt.UTC()}
}

// HolderOf returns the cadre with its org's path and name, or nil.
func (s *Store) HolderOf(ctx context.Context, cadreID int64) (*cert.Holder, error) {
	var rows []struct {
		ID      int64
		Name    string
		OrgPath string
		OrgName string
	}
	err := s.cadresWithOrg(ctx).Select("c.id, c.name, o.path AS org_path, o.name AS org_name").Where("c.id = ?", cadreID).
		Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	return &cert.Holder{CadreID: r.ID, Name: r.Name, OrgPath: r.OrgPath, OrgName: r.OrgName}, nil
}

// NextCertificateSerial increments and returns the serial counter of scope (1 the first time).
// The upsert locks the counter's row until the transaction ends, so serials are never reused.
func (s *Store) NextCertificateSerial(ctx context.Context, scope string) (int64, error) {
	var out []struct{ LastSerial int64 }
	err := s.conn(ctx).Raw(`INSERT INTO certificate_serials (scope, last_serial) VALUES (?, 1)
		ON CONFLICT (scope) DO UPDATE SET last_serial = certificate_serials.last_serial + 1
		RETURNING last_serial`, scope).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return 0, err
	}
	return out[0].LastSerial, nil
}

// CreateCertificate inserts c and sets its ID.
func (s *Store) CreateCertificate(ctx context.Context, c *cert.Certificate) error {
	r := certificateRowFrom(*c)
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	c.ID = r.ID
	return nil
}

// UpdateCertificateStatus writes c's status, reason and times.
func (s *Store) UpdateCertificateStatus(ctx context.Context, c cert.Certificate) error {
	return s.conn(ctx).Model(&certificateRow{}).Where("id = ?", c.ID).Updates(map[string]any{
		"status": string(c.Status), "status_reason": c.StatusReason, "status_changed_at": c.StatusAt, "updated_at": c.UpdatedAt}).Error
}

func (s *Store) certificatesWithHolder(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Table("certificates x").Joins("JOIN cadres c ON c.id = x.cadre_id").Joins("JOIN orgs o ON o.id = c.org_id")
}

const certificateHolderColumns = "x.*, o.path AS org_path, o.name AS org_name"

func (s *Store) oneCertificate(q *gorm.DB) (*cert.Certificate, error) {
	var rows []certificateHolderRow
	if err := q.Select(certificateHolderColumns).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	c := toCertificateWithHolder(rows[0])
	return &c, nil
}

// CertificateByNumber returns the certificate with its holder's org, or nil.
func (s *Store) CertificateByNumber(ctx context.Context, number string) (*cert.Certificate, error) {
	return s.oneCertificate(s.certificatesWithHolder(ctx).Where("x.number = ?", number))
}

// CertificatesByNumbers returns the certificates with those numbers, with their holders' orgs,
// by number (numbers without a certificate are absent).
func (s *Store) CertificatesByNumbers(ctx context.Context, numbers []string) (map[string]*cert.Certificate, error) {
	out := make(map[string]*cert.Certificate, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	var rows []certificateHolderRow
	if err := s.certificatesWithHolder(ctx).Select(certificateHolderColumns).Where("x.number IN ?", numbers).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		c := toCertificateWithHolder(r)
		out[c.Number] = &c
	}
	return out, nil
}

// CertificateByAttempt returns the certificate resting on attemptID (when > 0) or else on
// attemptHash, or nil.
func (s *Store) CertificateByAttempt(ctx context.Context, attemptID int64, attemptHash string) (*cert.Certificate, error) {
	q := s.certificatesWithHolder(ctx)
	if attemptID > 0 {
		q = q.Where("x.attempt_id = ?", attemptID)
	} else {
		q = q.Where("x.attempt_id IS NULL AND x.attempt_hash = ?", attemptHash)
	}
	return s.oneCertificate(q)
}

// SearchCertificates returns a page of the certificates of holders under f.PathPrefix matching
// f (Status is the effective status on f.AsOf), newest first, and the total.
func (s *Store) SearchCertificates(ctx context.Context, f cert.Filter) ([]cert.Certificate, int64, error) {
	q := s.certificatesWithHolder(ctx).Where("o.path LIKE ? ESCAPE '\\'", prefixPattern(f.PathPrefix))
	if f.CadreID > 0 {
		q = q.Where("x.cadre_id = ?", f.CadreID)
	}
	if f.SubjectCode != "" {
		q = q.Where("x.subject_code = ?", f.SubjectCode)
	}
	switch f.Status {
	case cert.Valid, cert.Suspended:
		q = q.Where("x.status = ? AND x.expires_on >= ?", string(f.Status), f.AsOf)
	case cert.Expired:
		q = q.Where("x.status IN ('valid','suspended') AND x.expires_on < ?", f.AsOf)
	case cert.Revoked:
		q = q.Where("x.status = 'revoked'")
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []certificateHolderRow
	if err := q.Select(certificateHolderColumns).Order("x.issued_at DESC, x.id DESC").Offset(pageOffset(f.Page, f.PageSize)).
		Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]cert.Certificate, len(rows))
	for i, r := range rows {
		out[i] = toCertificateWithHolder(r)
	}
	return out, total, nil
}

// CertificatesOfCadre returns a cadre's certificates, newest first.
func (s *Store) CertificatesOfCadre(ctx context.Context, cadreID int64) ([]cert.Certificate, error) {
	var rows []certificateHolderRow
	if err := s.certificatesWithHolder(ctx).Select(certificateHolderColumns).Where("x.cadre_id = ?", cadreID).
		Order("x.issued_at DESC, x.id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cert.Certificate, len(rows))
	for i, r := range rows {
		out[i] = toCertificateWithHolder(r)
	}
	return out, nil
}

// AddCertificateStatusEvent appends to a certificate's status history and sets e.ID.
func (s *Store) AddCertificateStatusEvent(ctx context.Context, e *cert.StatusEvent) error {
	r := certificateStatusEventRow{CertificateID: e.CertificateID, FromStatus: nullable(string(e.From)), ToStatus: string(e.To),
		Reason: e.Reason, ActorID: e.ActorID, ActorName: e.ActorName, OccurredAt: e.At}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	e.ID = r.ID
	return nil
}

// CertificateStatusEvents returns a certificate's status history, oldest first.
func (s *Store) CertificateStatusEvents(ctx context.Context, certificateID int64) ([]cert.StatusEvent, error) {
	var rows []certificateStatusEventRow
	if err := s.conn(ctx).Where("certificate_id = ?", certificateID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cert.StatusEvent, len(rows))
	for i, r := range rows {
		out[i] = toStatusEvent(r)
	}
	return out, nil
}

// LogCertificateVerifications appends many public verification log entries.
func (s *Store) LogCertificateVerifications(ctx context.Context, vs []cert.Verification) error {
	if len(vs) == 0 {
		return nil
	}
	rows := make([]certificateVerificationRow, len(vs))
	for i, v := range vs {
		rows[i] = certificateVerificationRow{Number: v.Number, Kind: v.Kind, Outcome: v.Outcome, IP: v.IP, UserID: v.UserID, OccurredAt: v.At}
	}
	return s.conn(ctx).CreateInBatches(rows, 500).Error
}

// CertificateVerifications returns the newest verification log entries of a number (tests, audit).
func (s *Store) CertificateVerifications(ctx context.Context, number string, limit int) ([]cert.Verification, error) {
	var rows []certificateVerificationRow
	if err := s.conn(ctx).Where("number = ?", number).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cert.Verification, len(rows))
	for i, r := range rows {
		out[i] = cert.Verification{Number: r.Number, Kind: r.Kind, Outcome: r.Outcome, IP: r.IP, UserID: r.UserID, At: r.OccurredAt.UTC()}
	}
	return out, nil
}

// PublishCertificateKey stores a public key unless its kid is already stored.
func (s *Store) PublishCertificateKey(ctx context.Context, k cert.PublishedKey) error {
	b, err := json.Marshal(k.JWK)
	if err != nil {
		return err
	}
	return s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "kid"}}, DoNothing: true}).
		Create(&certificateKeyRow{Kid: k.Kid, Alg: string(k.Alg), PublicJWK: string(b), CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt}).Error
}

// PublishedCertificateKeys returns every published key, newest first.
func (s *Store) PublishedCertificateKeys(ctx context.Context) ([]cert.PublishedKey, error) {
	var rows []certificateKeyRow
	if err := s.conn(ctx).Order("created_at DESC, kid DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]cert.PublishedKey, 0, len(rows))
	for _, r := range rows {
		var j signing.JWK
		if err := json.Unmarshal([]byte(r.PublicJWK), &j); err != nil {
			return nil, err
		}
		out = append(out, cert.PublishedKey{Kid: r.Kid, Alg: signing.Alg(r.Alg), JWK: j, CreatedAt: r.CreatedAt.UTC(), RetiredAt: r.RetiredAt})
	}
	return out, nil
}

// RetireCertificateKeys marks the keys of alg other than except as retired at at.
func (s *Store) RetireCertificateKeys(ctx context.Context, alg signing.Alg, except string, at time.Time) error {
	return s.conn(ctx).Model(&certificateKeyRow{}).Where("alg = ? AND kid <> ? AND retired_at IS NULL", string(alg), except).
		Update("retired_at", at).Error
}
