package signing

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	for _, alg := range []Alg{EdDSA, SM2} {
		t.Run(string(alg), func(t *testing.T) {
			dir := OpenDir(t.TempDir())
			k, err := dir.Create(alg, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			other, _ := Generate(alg, time.Now())
			set := JWKS{Keys: []JWK{k.JWK(), other.JWK()}}
			tok, err := SignCompact(k, "test+jwt", []byte(`{"n":"QC-1"}`))
			if err != nil {
				t.Fatal(err)
			}
			h, body, err := VerifyCompact(tok, set)
			if err != nil || string(body) != `{"n":"QC-1"}` || h.Kid != k.ID || h.Alg != string(alg) {
				t.Fatalf("verify: %v %s %+v", err, body, h)
			}
			parts := strings.Split(tok, ".")
			forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"n":"QC-2"}`)) + "." + parts[2]
			if _, _, err := VerifyCompact(forged, set); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("forged payload: %v", err)
			}
			if _, _, err := VerifyCompact(tok, JWKS{Keys: []JWK{other.JWK()}}); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("unknown key: %v", err)
			}
			if _, _, err := VerifyCompact("a.b", set); !errors.Is(err, ErrMalformed) {
				t.Fatalf("malformed: %v", err)
			}
			// The key file reloads to the same key, and is private to its owner.
			again, err := OpenDir(dir.Path()).Get(k.ID)
			if err != nil || again == nil || again.JWK() != k.JWK() {
				t.Fatalf("reload: %v %+v", err, again)
			}
			st, err := os.Stat(filepath.Join(dir.Path(), k.ID+".json"))
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file mode: %v %v", err, st)
			}
			if tok2, _ := SignCompact(again, "test+jwt", []byte(`{}`)); tok2 == "" {
				t.Fatal("reloaded key cannot sign")
			}
		})
	}
}

func TestAlgMismatch(t *testing.T) {
	k, _ := Generate(EdDSA, time.Now())
	tok, _ := SignCompact(k, "", []byte(`{}`))
	j := k.JWK()
	parts := strings.Split(tok, ".")
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"SM2","kid":"` + j.Kid + `"}`))
	if _, _, err := VerifyCompact(h+"."+parts[1]+"."+parts[2], JWKS{Keys: []JWK{j}}); !errors.Is(err, ErrAlgMismatch) {
		t.Fatalf("alg swap: %v", err)
	}
}

func TestNewestCreatesOnce(t *testing.T) {
	dir := OpenDir(filepath.Join(t.TempDir(), "keys"))
	a, err := dir.Newest(EdDSA, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenDir(dir.Path()).Newest(EdDSA, time.Now())
	if err != nil || b.ID != a.ID {
		t.Fatalf("second Newest made another key: %v %s %s", err, a.ID, b.ID)
	}
	c, err := dir.Newest(SM2, time.Now())
	if err != nil || c.Alg != SM2 {
		t.Fatalf("sm2: %v", err)
	}
}

func TestParseAlg(t *testing.T) {
	for in, want := range map[string]Alg{"": EdDSA, "ed25519": EdDSA, "EdDSA": EdDSA, "sm2": SM2, "SM2": SM2} {
		t.Run(in, func(t *testing.T) {
			if got, err := ParseAlg(in); err != nil || got != want {
				t.Fatalf("got %s %v", got, err)
			}
		})
	}
	if _, err := ParseAlg("rsa"); err == nil {
		t.Fatal("rsa accepted")
	}
}
