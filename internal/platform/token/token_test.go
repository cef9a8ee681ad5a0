package token

import (
	"testing"
	"time"
)

// A token once verified is accepted again without decoding only while the full check would
// accept it: not after its expiry, and never for other bytes.
func TestParseRemembersOnlyWhatTheFullCheckAccepts(t *testing.T) {
	s, err := NewSigner([]byte("test-token-key-0123456789abcdef0123"), "qualify", "qualify-api", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	tok, err := s.Issue(7, "sess-1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second parse is answered from memory
		c, err := s.Parse(tok)
		if err != nil || c.SessionID != "sess-1" || c.Subject != "7" {
			t.Fatalf("parse %d: %+v %v", i, c, err)
		}
	}
	if _, ok := s.verified.get(tok, now); !ok {
		t.Fatal("verified token not remembered")
	}
	tampered := tok[:len(tok)-2] + "xx"
	if _, err := s.Parse(tampered); err == nil {
		t.Fatal("tampered token accepted")
	}
	now = now.Add(10*time.Minute + parseLeeway)
	if _, err := s.Parse(tok); err == nil {
		t.Fatal("expired token accepted from memory")
	}
	now = now.Add(-time.Hour) // clock set back before the token was issued
	if _, err := s.Parse(tok); err == nil {
		t.Fatal("token issued in the future accepted")
	}
}
