// Package token signs and parses short-lived access tokens (JWT, HS256) with golang-jwt/v5,
// strictly: one algorithm, expiry required, issuer and audience checked.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the access token's claims: the user and the server-side session it belongs to.
type Claims struct {
	SessionID string `json:"sid"`
	jwt.RegisteredClaims
}

// Signer issues and verifies access tokens.
type Signer struct {
	key      []byte
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
	verified verifiedTokens
}

// verifiedTokens remembers tokens already verified, byte for byte, with their claims: a token
// is immutable, so only its expiry needs checking again. Every request of a signed-in user
// carries the same token for its lifetime; this spares decoding and verifying it each time.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]*Claims
}

// verifiedMax bounds the remembered tokens; when full the memory starts over.
const verifiedMax = 50_000

func (v *verifiedTokens) get(tok string, now time.Time) (*Claims, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.m[tok]
	if !ok {
		return nil, false
	}
	if c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Add(parseLeeway)) {
		delete(v.m, tok)
		return nil, false
	}
	if (c.IssuedAt != nil && now.Add(parseLeeway).Before(c.IssuedAt.Time)) ||
		(c.NotBefore != nil && now.Add(parseLeeway).Before(c.NotBefore.Time)) {
		return nil, false // a clock set back (tests): let the full check decide
	}
	cp := *c
	return &cp, true
}

func (v *verifiedTokens) put(tok string, c *Claims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= verifiedMax {
		v.m = make(map[string]*Claims)
	}
	cp := *c
	v.m[tok] = &cp
}

// NewSigner returns a Signer; key must be at least 32 bytes.
func NewSigner(key []byte, issuer, audience string, ttl time.Duration) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("token key must be at least 32 bytes")
	}
	return &Signer{key: key, issuer: issuer, audience: audience, ttl: ttl, now: time.Now}, nil
}

// SetClock replaces the clock (tests).
func (s *Signer) SetClock(now func() time.Time) { s.now = now }

// TTL returns the access-token lifetime.
func (s *Signer) TTL() time.Duration { return s.ttl }

// Issue returns a signed token for the user and session.
func (s *Signer) Issue(userID int64, sessionID string) (string, error) {
	now := s.now()
	c := Claims{
		SessionID: sessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   fmt.Sprint(userID),
			Audience:  jwt.ClaimStrings{s.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-5 * time.Second)),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
}

// Parse verifies tok and returns its claims; any defect (algorithm, signature, expiry, issuer,
// audience, missing session) is an error.
func (s *Signer) Parse(tok string) (*Claims, error) {
	if c, ok := s.verified.get(tok, s.now()); ok {
		return c, nil
	}
	c, err := s.parse(tok)
	if err == nil {
		s.verified.put(tok, c)
	}
	return c, err
}

// parseLeeway is the clock skew tolerated on expiry and issue times.
const parseLeeway = 5 * time.Second

func (s *Signer) parse(tok string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(tok, &c, func(t *jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(s.issuer),
		jwt.WithAudience(s.audience),
		jwt.WithLeeway(parseLeeway),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		return nil, err
	}
	if c.SessionID == "" || c.Subject == "" {
		return nil, errors.New("token lacks subject or session")
	}
	return &c, nil
}

// LoadOrCreateKey returns the configured key, or the key in dir/token.key, creating it (random,
// 0600) when absent. Several instances must share one key.
func LoadOrCreateKey(configured, dir string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("QUALIFY_TOKEN_KEY must be at least 32 characters")
		}
		return []byte(configured), nil
	}
	path := filepath.Join(dir, "token.key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("%s is not a valid key", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKey("", dir) // another instance created it first
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		return nil, err
	}
	return k, nil
}
