// Package signing makes and checks compact JWS (RFC 7515) with key pairs that have ids and
// rotate: EdDSA over Ed25519 (RFC 8037) by default, or SM2 with SM3 (GB/T 32918, 国密) with the
// default user ID 1234567812345678 (GB/T 35276). Private keys live in a folder, one file per key;
// public keys are published as a JWKS so that anyone can verify offline. It knows no domain.
package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
)

// Alg is a JWS algorithm name.
type Alg string

// The supported algorithms.
const (
	EdDSA Alg = "EdDSA" // Ed25519, RFC 8037
	SM2   Alg = "SM2"   // SM2 signature with SM3 and the default UID; signature is r||s, 64 bytes
)

// DefaultUID is the SM2 user ID of GB/T 35276 used by signer and verifier alike.
var DefaultUID = []byte("1234567812345678")

// ParseAlg reads a configured signer name: "ed25519" / "eddsa" or "sm2".
func ParseAlg(s string) (Alg, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "ed25519", "eddsa":
		return EdDSA, nil
	case "sm2":
		return SM2, nil
	}
	return "", fmt.Errorf("unknown signer %q: want ed25519 or sm2", s)
}

// JWK is one public key (RFC 7517): OKP/Ed25519 or EC/SM2.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y,omitempty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS is a key set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// Key is a key pair with an id.
type Key struct {
	ID      string
	Alg     Alg
	Created time.Time
	ed      ed25519.PrivateKey
	sm      *sm2.PrivateKey
}

// Generate returns a new key pair for alg with a fresh random id.
func Generate(alg Alg, now time.Time) (*Key, error) {
	k := &Key{Alg: alg, Created: now.UTC()}
	switch alg {
	case EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		k.ed = priv
	case SM2:
		priv, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		k.sm = priv
	default:
		return nil, fmt.Errorf("unknown algorithm %q", alg)
	}
	var id [6]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	k.ID = strings.ToLower(string(alg)) + "-" + k.Created.Format("20060102") + "-" + fmt.Sprintf("%x", id[:])
	return k, nil
}

// Sign signs msg.
func (k *Key) Sign(msg []byte) ([]byte, error) {
	switch k.Alg {
	case EdDSA:
		return ed25519.Sign(k.ed, msg), nil
	case SM2:
		der, err := k.sm.SignWithSM2(rand.Reader, DefaultUID, msg)
		if err != nil {
			return nil, err
		}
		return derToRaw(der)
	}
	return nil, fmt.Errorf("unknown algorithm %q", k.Alg)
}

// JWK returns the public part of k.
func (k *Key) JWK() JWK {
	switch k.Alg {
	case SM2:
		return JWK{Kty: "EC", Crv: "SM2", X: b64(pad32(k.sm.X)), Y: b64(pad32(k.sm.Y)), Kid: k.ID, Alg: string(SM2), Use: "sig"}
	default:
		return JWK{Kty: "OKP", Crv: "Ed25519", X: b64(k.ed.Public().(ed25519.PublicKey)), Kid: k.ID, Alg: string(EdDSA), Use: "sig"}
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func pad32(n *big.Int) []byte {
	out := make([]byte, 32)
	return n.FillBytes(out)
}

// derToRaw turns an ASN.1 SEQUENCE{r, s} signature into r||s (32 bytes each), as JWS does for EC.
func derToRaw(der []byte) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	sig.R.FillBytes(out[:32])
	sig.S.FillBytes(out[32:])
	return out, nil
}

func rawToDER(raw []byte) ([]byte, error) {
	if len(raw) != 64 {
		return nil, errors.New("SM2 signature must be 64 bytes")
	}
	return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:32]), new(big.Int).SetBytes(raw[32:])})
}

// Header is the protected header of a credential.
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ,omitempty"`
}

// SignCompact returns the compact JWS of payload (already JSON) under k with header typ.
func SignCompact(k *Key, typ string, payload []byte) (string, error) {
	h, err := json.Marshal(Header{Alg: string(k.Alg), Kid: k.ID, Typ: typ})
	if err != nil {
		return "", err
	}
	input := b64(h) + "." + b64(payload)
	sig, err := k.Sign([]byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

// Verification errors.
var (
	ErrMalformed    = errors.New("不是有效的紧凑 JWS（应为 header.payload.signature 三段 base64url）")
	ErrUnknownKey   = errors.New("密钥集中没有该凭证的签名密钥（kid）")
	ErrAlgMismatch  = errors.New("凭证的签名算法与密钥不符")
	ErrBadSignature = errors.New("签名无效：凭证内容被改动或并非本系统签发")
)

// VerifyCompact checks tok against the keys of set and returns its header and payload. Errors:
// ErrMalformed, ErrUnknownKey, ErrAlgMismatch, ErrBadSignature.
func VerifyCompact(tok string, set JWKS) (Header, []byte, error) {
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return Header{}, nil, ErrMalformed
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	pb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	var h Header
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &h) != nil {
		return Header{}, nil, ErrMalformed
	}
	var key *JWK
	for i := range set.Keys {
		if set.Keys[i].Kid == h.Kid {
			key = &set.Keys[i]
			break
		}
	}
	if key == nil {
		return h, nil, ErrUnknownKey
	}
	pub, alg, err := PublicKey(*key)
	if err != nil {
		return h, nil, err
	}
	if string(alg) != h.Alg {
		return h, nil, ErrAlgMismatch
	}
	input := []byte(parts[0] + "." + parts[1])
	switch alg {
	case EdDSA:
		if !ed25519.Verify(pub.(ed25519.PublicKey), input, sig) {
			return h, nil, ErrBadSignature
		}
	case SM2:
		der, err := rawToDER(sig)
		if err != nil || !sm2.VerifyASN1WithSM2(pub.(*ecdsa.PublicKey), DefaultUID, input, der) {
			return h, nil, ErrBadSignature
		}
	}
	return h, pb, nil
}

// PublicKey decodes a JWK into an ed25519.PublicKey or an SM2 *ecdsa.PublicKey.
func PublicKey(j JWK) (crypto.PublicKey, Alg, error) {
	x, err := base64.RawURLEncoding.DecodeString(j.X)
	if err != nil {
		return nil, "", fmt.Errorf("JWK %s: bad x", j.Kid)
	}
	switch {
	case j.Kty == "OKP" && j.Crv == "Ed25519" && len(x) == ed25519.PublicKeySize:
		return ed25519.PublicKey(x), EdDSA, nil
	case j.Kty == "EC" && j.Crv == "SM2":
		y, err := base64.RawURLEncoding.DecodeString(j.Y)
		if err != nil || len(x) != 32 || len(y) != 32 {
			return nil, "", fmt.Errorf("JWK %s: bad SM2 point", j.Kid)
		}
		pub := &ecdsa.PublicKey{Curve: sm2.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
			return nil, "", fmt.Errorf("JWK %s: point not on SM2 curve", j.Kid)
		}
		return pub, SM2, nil
	}
	return nil, "", fmt.Errorf("JWK %s: unsupported key type %s/%s", j.Kid, j.Kty, j.Crv)
}
