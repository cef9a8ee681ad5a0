package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the OWASP baseline (19 MiB, 2 passes, 1 lane). A deliberate choice: one
// hash costs about 20-40 ms of one core, so a 2-core server verifies some 50-100 logins a second
// while a stolen hash resists offline guessing. Hashing is bounded by a semaphore (see Service)
// so that a login storm cannot exhaust memory.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// HashPassword returns an argon2id PHC string for pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC string encoded; a malformed hash never matches.
func VerifyPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a username does not exist, so that timing does not tell.
var dummyHash, _ = HashPassword("qualify-dummy-password")

// PasswordPolicy is the security administrator's rule for new passwords.
type PasswordPolicy struct {
	MinLength  int
	MinClasses int // of lower case, upper case, digits, symbols
}

// Check returns the Chinese reasons pw breaks the policy (empty when it is acceptable).
func (p PasswordPolicy) Check(pw, username string) []string {
	var out []string
	if n := len([]rune(pw)); n < p.MinLength {
		out = append(out, fmt.Sprintf("密码长度至少 %d 位", p.MinLength))
	}
	if len(pw) > 128 {
		out = append(out, "密码长度不能超过 128 个字符")
	}
	var lower, upper, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, symbol} {
		if b {
			classes++
		}
	}
	if classes < p.MinClasses {
		out = append(out, fmt.Sprintf("密码须包含小写字母、大写字母、数字、符号中的至少 %d 类", p.MinClasses))
	}
	if username != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(username)) {
		out = append(out, "密码不能包含用户名")
	}
	return out
}
