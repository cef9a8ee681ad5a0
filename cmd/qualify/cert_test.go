package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qualify/internal/cert"
	"qualify/internal/platform/civil"
	"qualify/internal/platform/signing"
)

func TestCertVerifyCommand(t *testing.T) {
	for _, alg := range []signing.Alg{signing.EdDSA, signing.SM2} {
		t.Run(string(alg), func(t *testing.T) {
			k, err := signing.Generate(alg, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			tok, err := cert.SignCredential(k, cert.CredentialFields{Issuer: "中共示范省委组织部", Number: "QC-2026-PT-000001-Z",
				HolderName: "李青山", CadreID: 7, SubjectCode: "political_theory", SubjectName: "马克思主义政治理论",
				IssuedAt: time.Now(), IssuedOn: civil.MustParse("2026-05-11"), ExpiresOn: civil.MustParse("2029-05-10"), AttemptHash: "h", Score: 80})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			keys := filepath.Join(dir, "jwks.json")
			b, _ := json.Marshal(signing.JWKS{Keys: []signing.JWK{k.JWK()}})
			os.WriteFile(keys, b, 0o600) //nolint:errcheck
			other, _ := signing.Generate(alg, time.Now())
			otherKeys := filepath.Join(dir, "other.json")
			b, _ = json.Marshal(signing.JWKS{Keys: []signing.JWK{other.JWK()}})
			os.WriteFile(otherKeys, b, 0o600) //nolint:errcheck
			parts := strings.Split(tok, ".")
			tampered := parts[0] + "." + parts[1][:len(parts[1])-2] + "AA." + parts[2]

			cases := []struct {
				name string
				args []string
				code int
				want string
			}{
				{"valid", []string{"--jws", tok, "--keys", keys}, 0, "QC-2026-PT-000001-Z"},
				{"tampered", []string{"--jws", tampered, "--keys", keys}, 1, "验证失败"},
				{"unknown key", []string{"--jws", tok, "--keys", otherKeys}, 1, "kid"},
				{"missing keys file", []string{"--jws", tok, "--keys", filepath.Join(dir, "none.json")}, 1, "无法读取"},
				{"not a jws", []string{"--jws", "abc", "--keys", keys}, 1, "JWS"},
				{"usage", []string{"--jws", tok}, 2, ""},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					var out, errb bytes.Buffer
					code := run(append([]string{"cert", "verify"}, tc.args...), &out, &errb)
					if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
						t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errb.String())
					}
				})
			}
		})
	}
}
