package cert

import (
	"encoding/json"
	"errors"
	"time"

	"qualify/internal/platform/civil"
	"qualify/internal/platform/signing"
)

// CredentialType is the JWS header typ of certificate credentials.
const CredentialType = "qualify-certificate+jwt"

// CredentialFields are the certificate fields a credential signs. The status is not among them:
// it changes after issue and is read from the public lookup (a credential proves what was issued).
type CredentialFields struct {
	Issuer      string // 颁发机构
	Number      string
	HolderName  string
	CadreID     int64
	SubjectCode string
	SubjectName string
	IssuedAt    time.Time
	IssuedOn    civil.Date
	ExpiresOn   civil.Date
	AttemptHash string
	Score       float64
	KeyID       string // from the header, filled by VerifyCredential
}

// credentialPayload is the JSON the credential signs (JWT-style registered claims, plus ours).
type credentialPayload struct {
	Iss         string     `json:"iss"`
	Sub         string     `json:"sub"`
	Iat         int64      `json:"iat"`
	Number      string     `json:"number"`
	HolderName  string     `json:"holderName"`
	CadreID     int64      `json:"cadreId"`
	SubjectCode string     `json:"subjectCode"`
	SubjectName string     `json:"subjectName"`
	IssuedAt    string     `json:"issuedAt"`
	IssuedOn    civil.Date `json:"issuedOn"`
	ExpiresOn   civil.Date `json:"expiresOn"`
	AttemptHash string     `json:"attemptHash"`
	Score       float64    `json:"score"`
}

func fieldsOf(c Certificate) CredentialFields {
	return CredentialFields{Issuer: c.Issuer, Number: c.Number, HolderName: c.HolderName, CadreID: c.CadreID,
		SubjectCode: c.SubjectCode, SubjectName: c.SubjectName, IssuedAt: c.IssuedAt, IssuedOn: c.IssuedOn,
		ExpiresOn: c.ExpiresOn, AttemptHash: c.AttemptHash, Score: c.Score, KeyID: c.KeyID}
}

// SignCredential returns the compact JWS of f under k.
func SignCredential(k *signing.Key, f CredentialFields) (string, error) {
	b, err := json.Marshal(credentialPayload{Iss: f.Issuer, Sub: f.Number, Iat: f.IssuedAt.Unix(), Number: f.Number,
		HolderName: f.HolderName, CadreID: f.CadreID, SubjectCode: f.SubjectCode, SubjectName: f.SubjectName,
		IssuedAt: f.IssuedAt.UTC().Format(time.RFC3339), IssuedOn: f.IssuedOn, ExpiresOn: f.ExpiresOn,
		AttemptHash: f.AttemptHash, Score: f.Score})
	if err != nil {
		return "", err
	}
	return signing.SignCompact(k, CredentialType, b)
}

// ErrNotCertificate says a correctly signed token is not a certificate credential.
var ErrNotCertificate = errors.New("签名有效，但内容不是任职资格证书凭证")

// VerifyCredential checks a credential against a key set, offline, and returns its fields.
// Errors: those of signing.VerifyCompact, and ErrNotCertificate.
func VerifyCredential(tok string, set signing.JWKS) (CredentialFields, error) {
	h, body, err := signing.VerifyCompact(tok, set)
	if err != nil {
		return CredentialFields{}, err
	}
	var p credentialPayload
	if h.Typ != CredentialType || json.Unmarshal(body, &p) != nil || p.Number == "" || p.Sub != p.Number {
		return CredentialFields{}, ErrNotCertificate
	}
	at, err := time.Parse(time.RFC3339, p.IssuedAt)
	if err != nil {
		return CredentialFields{}, ErrNotCertificate
	}
	return CredentialFields{Issuer: p.Iss, Number: p.Number, HolderName: p.HolderName, CadreID: p.CadreID,
		SubjectCode: p.SubjectCode, SubjectName: p.SubjectName, IssuedAt: at, IssuedOn: p.IssuedOn, ExpiresOn: p.ExpiresOn,
		AttemptHash: p.AttemptHash, Score: p.Score, KeyID: h.Kid}, nil
}
