package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"qualify/internal/apitest"
	"qualify/internal/cert"

	"qualify/internal/identity"
	"qualify/internal/platform/db"
	"qualify/internal/platform/dbtest"
	"qualify/internal/platform/signing"
)

// certWorld is the cadre world with one certificate issued to 李青山 (county 1).
type certWorld struct {
	*cadreWorld
	cert    cert.Certificate
	county2 string // personnel of county 2: 李青山 is out of scope
}

func newCertWorld(t *testing.T, e *apitest.Env) *certWorld {
	t.Helper()
	w := &certWorld{cadreWorld: newCadreWorld(t, e)}
	w.county2 = e.As("personnel_k2", w.k2.ID, identity.RolePersonnel)
	w.cert = w.issue(t, w.k1CadreID, "political_theory", "马克思主义政治理论", 101, time.Now().Add(-time.Hour))
	return w
}

func (w *certWorld) issue(t *testing.T, cadreID int64, code, name string, attempt int64, passed time.Time) cert.Certificate {
	t.Helper()
	c, err := w.e.App.Certs.Issue(context.Background(), cert.IssueRequest{CadreID: cadreID, SubjectCode: code, SubjectName: name,
		AttemptID: attempt, AttemptHash: "sha256:attempt-" + code, Score: 82.5, PassedAt: passed})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func publicPath(number, name string) string {
	return "/api/v1/public/certificates/" + url.PathEscape(number) + "?name=" + url.QueryEscape(name)
}

type publicView struct {
	Number     string
	Status     string
	HolderName string
	Subject    struct{ Code, Name string }
	IssuedAt   string
	ExpiresAt  string
	ExpiresOn  string
	Issuer     string
	Reason     *string
}

// jwksFromAPI decodes GET /public/keys by hand into kid -> raw Ed25519 public key.
func jwksFromAPI(t *testing.T, e *apitest.Env) map[string]ed25519.PublicKey {
	t.Helper()
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	e.Do("GET", "/api/v1/public/keys", "", nil).Status(200).JSON(&set)
	out := map[string]ed25519.PublicKey{}
	for _, k := range set.Keys {
		if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["kid"] == "" || k["alg"] != "EdDSA" {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(k["x"])
		if err != nil || len(x) != ed25519.PublicKeySize {
			t.Fatalf("bad JWK %v", k)
		}
		out[k["kid"]] = ed25519.PublicKey(x)
	}
	return out
}

// verifyEd25519 checks a compact JWS with crypto/ed25519 directly against the keys.
func verifyEd25519(keys map[string]ed25519.PublicKey, jws string) bool {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return false
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var h struct{ Alg, Kid string }
	if json.Unmarshal(hb, &h) != nil || h.Alg != "EdDSA" {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	pub, ok := keys[h.Kid]
	return ok && ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig)
}

func TestCredentialVerifiesWithIndependentEd25519(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCertWorld(t, e)
		if _, _, ok := cert.ParseNumber(w.cert.Number); !ok || !strings.HasPrefix(w.cert.Number, "QC-") {
			t.Fatalf("number %q", w.cert.Number)
		}
		again := w.issue(t, w.k1CadreID, "political_theory", "马克思主义政治理论", 101, time.Now())
		if again.Number != w.cert.Number || again.ID != w.cert.ID {
			t.Fatalf("issue is not idempotent per attempt: %s then %s", w.cert.Number, again.Number)
		}
		var cred struct{ JWS string }
		e.Do("GET", "/api/v1/public/certificates/"+w.cert.Number+"/credential?name="+url.QueryEscape("李青山"), "", nil).Status(200).JSON(&cred)
		if cred.JWS == "" || cred.JWS != w.cert.Credential {
			t.Fatalf("credential %q", cred.JWS)
		}
		keys := jwksFromAPI(t, e)
		if !verifyEd25519(keys, cred.JWS) {
			t.Fatal("credential does not verify with crypto/ed25519 against the published JWKS")
		}
		parts := strings.Split(cred.JWS, ".")
		pb, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		if err := json.Unmarshal(pb, &claims); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"number", "holderName", "subjectCode", "subjectName", "issuedOn", "expiresOn", "iss", "attemptHash"} {
			if s, _ := claims[f].(string); s == "" {
				t.Errorf("claim %s missing: %v", f, claims)
			}
		}
		if claims["holderName"] != "李青山" || claims["number"] != w.cert.Number {
			t.Fatalf("claims %v", claims)
		}
		for field := range claims {
			t.Run("tampered_"+field, func(t *testing.T) {
				m := map[string]any{}
				for k, v := range claims {
					m[k] = v
				}
				switch v := m[field].(type) {
				case string:
					m[field] = v + "X"
				case float64:
					m[field] = v + 1
				default:
					m[field] = "X"
				}
				b, _ := json.Marshal(m)
				forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
				if verifyEd25519(keys, forged) {
					t.Fatalf("changed %s still verifies", field)
				}
			})
		}
		// Our own verifier agrees, against the JWKS as served.
		var set signing.JWKS
		e.Do("GET", "/api/v1/public/keys", "", nil).Status(200).JSON(&set)
		f, err := cert.VerifyCredential(cred.JWS, set)
		if err != nil || f.Number != w.cert.Number || f.HolderName != "李青山" {
			t.Fatalf("VerifyCredential: %v %+v", err, f)
		}
	})
}

func TestPublicVerificationAndRevocation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCertWorld(t, e)
		n := w.cert.Number
		var v publicView
		e.Do("GET", publicPath(n, "李青山"), "", nil).Status(200).JSON(&v)
		if v.Number != n || v.Status != "valid" || v.HolderName != "李*山" || v.Subject.Code != "political_theory" ||
			v.Subject.Name != "马克思主义政治理论" || v.Issuer == "" || v.Reason != nil {
			t.Fatalf("public view %+v", v)
		}
		if _, err := time.Parse(time.RFC3339, v.IssuedAt); err != nil {
			t.Fatalf("issuedAt %q", v.IssuedAt)
		}
		if _, err := time.Parse(time.RFC3339, v.ExpiresAt); err != nil {
			t.Fatalf("expiresAt %q", v.ExpiresAt)
		}
		// A lowercase number is the same number.
		e.Do("GET", publicPath(strings.ToLower(n), "李青山"), "", nil).Status(200)

		// A wrong name answers exactly like an unknown number.
		other := cert.FormatNumber("QC", 2026, "PT", 999999)
		wrong := e.Do("GET", publicPath(n, "李青"), "", nil).Problem(404, "certificate_not_found")
		unknown := e.Do("GET", publicPath(other, "李青山"), "", nil).Problem(404, "certificate_not_found")
		strip := func(b []byte) map[string]any {
			var m map[string]any
			json.Unmarshal(b, &m) //nolint:errcheck
			delete(m, "instance")
			return m
		}
		wb, _ := json.Marshal(strip(wrong.Body))
		ub, _ := json.Marshal(strip(unknown.Body))
		if !bytes.Equal(wb, ub) {
			t.Fatalf("wrong name %s, unknown number %s", wb, ub)
		}
		e.Do("GET", "/api/v1/public/certificates/"+n+"/credential?name="+url.QueryEscape("王五"), "", nil).Problem(404, "certificate_not_found")
		e.Do("GET", "/api/v1/public/certificates/"+n, "", nil).Problem(400, "name_required")

		// The QR token stands in for the name.
		e.Do("GET", "/api/v1/public/certificates/"+n+"?t="+w.cert.VerifyToken, "", nil).Status(200)

		// Status changes: personnel within scope, a reason required, out-of-scope personnel see nothing.
		e.Do("POST", "/api/v1/certificates/"+n+"/revoke", w.province, map[string]string{"reason": ""}).Problem(400, "validation_failed")
		e.Do("POST", "/api/v1/certificates/"+n+"/revoke", w.county2, map[string]string{"reason": "x"}).Problem(404, "certificate_not_found")
		e.Do("POST", "/api/v1/certificates/"+n+"/revoke", w.county1Cadre, map[string]string{"reason": "x"}).Problem(403, "forbidden")
		e.Do("POST", "/api/v1/certificates/"+n+"/reinstate", w.county1, map[string]string{"reason": "x"}).Problem(422, "status_transition_invalid")

		var got struct {
			Number, Status, StatusReason string
			History                      []struct {
				From                  *string
				To, Reason, ActorName string
			}
		}
		e.Do("POST", "/api/v1/certificates/"+n+"/suspend", w.county1, map[string]string{"reason": "接受组织调查期间暂停使用"}).Status(200).JSON(&got)
		if got.Status != "suspended" || len(got.History) != 2 || got.History[1].ActorName != "personnel_k1" {
			t.Fatalf("suspend: %+v", got)
		}
		e.Do("GET", publicPath(n, "李青山"), "", nil).Status(200).JSON(&v)
		if v.Status != "suspended" || v.Reason == nil || *v.Reason != "接受组织调查期间暂停使用" {
			t.Fatalf("public after suspend %+v", v)
		}
		e.Do("POST", "/api/v1/certificates/"+n+"/revoke", w.province, map[string]string{"reason": "考试作弊，撤销资格"}).Status(200).JSON(&got)
		e.Do("GET", publicPath(n, "李青山"), "", nil).Status(200).JSON(&v)
		if v.Status != "revoked" || v.Reason == nil || *v.Reason != "考试作弊，撤销资格" {
			t.Fatalf("public after revoke %+v", v)
		}
		e.Do("POST", "/api/v1/certificates/"+n+"/reinstate", w.province, map[string]string{"reason": "复核后恢复"}).Status(200).JSON(&got)
		if got.Number != n || got.Status != "valid" || len(got.History) != 4 || got.History[3].From == nil || *got.History[3].From != "revoked" {
			t.Fatalf("reinstate: %+v", got)
		}
		v = publicView{}
		e.Do("GET", publicPath(n, "李青山"), "", nil).Status(200).JSON(&v)
		if v.Status != "valid" || v.Reason != nil {
			t.Fatalf("public after reinstate %+v", v)
		}

		// Audited with before and after.
		auditor := e.As("auditor1", e.Root.ID, identity.RoleAuditor)
		var events struct {
			Items []map[string]any
		}
		e.Do("GET", "/api/v1/audit/events?pageSize=50", auditor, nil).Status(200).JSON(&events)
		seen := map[string]bool{}
		for _, ev := range events.Items {
			if a, _ := ev["action"].(string); strings.HasPrefix(a, "cert.") {
				seen[a] = true
			}
		}
		for _, a := range []string{"cert.issue", "cert.suspend", "cert.revoke", "cert.reinstate"} {
			if !seen[a] {
				t.Errorf("audit lacks %s (saw %v)", a, seen)
			}
		}

		// Every lookup is logged, with the user when a token came along.
		e.Do("GET", publicPath(n, "李青山"), w.province, nil).Status(200)
		logs, err := e.App.Store.CertificateVerifications(context.Background(), n, 100)
		if err != nil || len(logs) < 8 {
			t.Fatalf("verification log: %v %d", err, len(logs))
		}
		if logs[0].UserID == nil || logs[0].Outcome != "ok" || logs[0].IP == "" {
			t.Fatalf("last log entry %+v", logs[0])
		}
		outcomes := map[string]bool{}
		for _, l := range logs {
			outcomes[l.Outcome+"/"+l.Kind] = true
		}
		if !outcomes["name_mismatch/lookup"] || !outcomes["name_mismatch/credential"] {
			t.Fatalf("outcomes %v", outcomes)
		}
	})
}

func TestPublicVerifyRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg := apitest.Config(t)
		cfg.VerifyRatePerAddr = 3
		e := apitest.NewOn(t, d, cfg)
		w := newCertWorld(t, e)
		for i := 0; i < 3; i++ {
			e.Do("GET", publicPath(w.cert.Number, "李青山"), "", nil).Status(200)
		}
		e.Do("GET", publicPath(w.cert.Number, "李青山"), "", nil).Problem(429, "verify_rate_limited")
		e.Do("GET", "/api/v1/public/certificates/"+w.cert.Number+"/credential?name=x", "", nil).Problem(429, "verify_rate_limited")
		logs, _ := e.App.Store.CertificateVerifications(context.Background(), w.cert.Number, 1)
		if len(logs) != 1 || logs[0].Outcome != "rate_limited" {
			t.Fatalf("rate-limited lookup not logged: %+v", logs)
		}
	})
}

// Concurrent lookups (which the server batches into shared transactions) count exactly: from one
// address the first VerifyRatePerAddr succeed and the rest are refused, from another address
// the count is separate, and every lookup is logged.
func TestPublicVerifyConcurrentCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg := apitest.Config(t)
		cfg.VerifyRatePerAddr = 10
		cfg.TrustedProxies = "0.0.0.0/0"
		e := apitest.NewOn(t, d, cfg)
		w := newCertWorld(t, e)
		const each = 25
		var mu sync.Mutex
		codes := map[string]map[int]int{}
		var wg sync.WaitGroup
		for _, addr := range []string{"198.51.100.7", "203.0.113.9"} {
			codes[addr] = map[int]int{}
			for i := 0; i < each; i++ {
				wg.Add(1)
				go func(addr string) {
					defer wg.Done()
					r := e.DoWith("GET", publicPath(w.cert.Number, "李青山"), "", nil, map[string]string{"X-Forwarded-For": addr})
					mu.Lock()
					codes[addr][r.Code]++
					mu.Unlock()
				}(addr)
			}
		}
		wg.Wait()
		for addr, c := range codes {
			if c[200] != 10 || c[429] != each-10 {
				t.Errorf("%s: %v, want 10 × 200 and %d × 429", addr, c, each-10)
			}
		}
		logs, err := e.App.Store.CertificateVerifications(context.Background(), w.cert.Number, 1000)
		if err != nil || len(logs) != 2*each {
			t.Fatalf("%d lookups logged (%v), want %d", len(logs), err, 2*each)
		}
	})
}

func TestCertManagementRoutes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCertWorld(t, e)
		old := w.issue(t, w.k1CadreID, "decision_making", "决策能力", 102, time.Now().AddDate(-4, 0, 0))
		w.issue(t, w.k2CadreID, "political_theory", "马克思主义政治理论", 103, time.Now())

		var mine []struct {
			Number, Status, ExpiresOn string
			Holder                    struct{ Name string }
		}
		e.Do("GET", "/api/v1/me/certificates", w.county1Cadre, nil).Status(200).JSON(&mine)
		if len(mine) != 2 || mine[0].Number != w.cert.Number || mine[1].Number != old.Number || mine[1].Status != "expired" {
			t.Fatalf("mine %+v", mine)
		}
		var page struct {
			Items []struct{ Number, Status string }
			Total int
		}
		e.Do("GET", "/api/v1/certificates", w.province, nil).Status(200).JSON(&page)
		if page.Total != 3 {
			t.Fatalf("province sees %d", page.Total)
		}
		e.Do("GET", "/api/v1/certificates", w.county2, nil).Status(200).JSON(&page)
		if page.Total != 1 {
			t.Fatalf("county 2 sees %d", page.Total)
		}
		e.Do("GET", "/api/v1/certificates?status=expired", w.province, nil).Status(200).JSON(&page)
		if page.Total != 1 || page.Items[0].Number != old.Number {
			t.Fatalf("expired filter %+v", page)
		}
		e.Do("GET", "/api/v1/certificates?status=valid&subject=political_theory", w.province, nil).Status(200).JSON(&page)
		if page.Total != 2 {
			t.Fatalf("valid filter %+v", page)
		}
		e.Do("GET", "/api/v1/certificates?status=bogus", w.province, nil).Problem(400, "validation_failed")
		e.Do("GET", "/api/v1/certificates", w.county1Cadre, nil).Problem(403, "forbidden")
		e.Do("GET", "/api/v1/certificates/"+w.cert.Number, w.county1Cadre, nil).Status(200)
		e.Do("GET", "/api/v1/certificates/"+w.cert.Number, w.county2, nil).Problem(404, "certificate_not_found")
		e.Do("GET", "/api/v1/certificates/"+w.cert.Number, w.exam, nil).Problem(404, "certificate_not_found")
		e.Do("GET", "/api/v1/certificates/"+w.cert.Number+"/pdf", w.county2, nil).Problem(404, "certificate_not_found")
		e.Do("GET", "/api/v1/certificates/"+w.cert.Number, "", nil).Status(401)
	})
}

func TestCertPDFTextExtractable(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required under CI")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCertWorld(t, e)
		for _, tok := range []string{w.county1Cadre, w.province} {
			r := e.Do("GET", "/api/v1/certificates/"+w.cert.Number+"/pdf", tok, nil).Status(200)
			if ct := r.Head.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
				t.Fatalf("content type %q, body %.20q", ct, r.Body)
			}
			cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
			cmd.Stdin = bytes.NewReader(r.Body)
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			text := string(out)
			for _, want := range []string{"李青山", w.cert.Number, "任职资格证书", "马克思主义政治理论"} {
				if !strings.Contains(text, want) {
					t.Fatalf("pdf text lacks %q:\n%s", want, text)
				}
			}
		}
	})
}

func TestCertKeyRotationKeepsOldCredentialsValid(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCertWorld(t, e)
		sec := e.As("secadmin1", e.Root.ID, identity.RoleSecadmin)
		e.Do("POST", "/api/v1/certificate-keys/rotate", w.province, nil).Problem(403, "forbidden")
		var k struct{ Kid string }
		e.Do("POST", "/api/v1/certificate-keys/rotate", sec, nil).Status(200).JSON(&k)
		if k.Kid == "" || k.Kid == w.cert.KeyID {
			t.Fatalf("rotated key %+v (old %s)", k, w.cert.KeyID)
		}
		fresh := w.issue(t, w.k2CadreID, "innovation", "创新能力", 201, time.Now())
		if fresh.KeyID != k.Kid {
			t.Fatalf("new certificate signed with %s, want %s", fresh.KeyID, k.Kid)
		}
		keys := jwksFromAPI(t, e)
		if len(keys) != 2 || !verifyEd25519(keys, w.cert.Credential) || !verifyEd25519(keys, fresh.Credential) {
			t.Fatalf("after rotation: %d keys, old verifies %v, new verifies %v", len(keys),
				verifyEd25519(keys, w.cert.Credential), verifyEd25519(keys, fresh.Credential))
		}
	})
}

func TestCertSM2Signer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg := apitest.Config(t)
		cfg.CertSigner = "sm2"
		e := apitest.NewOn(t, d, cfg)
		w := newCertWorld(t, e)
		var set signing.JWKS
		e.Do("GET", "/api/v1/public/keys", "", nil).Status(200).JSON(&set)
		if len(set.Keys) != 1 || set.Keys[0].Kty != "EC" || set.Keys[0].Crv != "SM2" || set.Keys[0].Alg != "SM2" {
			t.Fatalf("jwks %+v", set)
		}
		f, err := cert.VerifyCredential(w.cert.Credential, set)
		if err != nil || f.Number != w.cert.Number {
			t.Fatalf("SM2 credential: %v %+v", err, f)
		}
		parts := strings.Split(w.cert.Credential, ".")
		hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
		if !strings.Contains(string(hb), `"alg":"SM2"`) {
			t.Fatalf("header %s", hb)
		}
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(mustB64(t, parts[1])), "李青山", "李青水", 1))) + "." + parts[2]
		if _, err := cert.VerifyCredential(forged, set); err == nil {
			t.Fatal("forged SM2 credential verifies")
		}
	})
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
