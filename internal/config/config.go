// Package config is the one reader of Qualify's environment (QUALIFY_*) and flags. Flags mirror
// the environment and win over it. Print shows the configuration with secrets masked.
package config

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"qualify/internal/platform/db"
)

// Config is everything the binary reads from its environment.
type Config struct {
	Addr        string
	DatabaseURL string
	DataDir     string
	Timezone    string
	LogLevel    string
	// TokenKey signs access tokens; when empty it is read from (or created in) DataDir/token.key.
	// Several instances must share it: set QUALIFY_TOKEN_KEY or share the data folder.
	TokenKey        string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	IdleTimeout     time.Duration
	Issuer          string
	Audience        string

	PasswordMinLength   int
	PasswordMinClasses  int
	LockoutThreshold    int
	LockoutDuration     time.Duration
	LoginRatePerAddr    int // attempts per minute from one address
	LoginRatePerUser    int // attempts per minute for one username
	MaxBodyBytes        int64
	DBMaxOpenConns      int
	ShutdownGracePeriod time.Duration
	TrustedProxies      string
	DebugAddr           string // pprof listener, never on the public address; empty: none

	CertSigner        string // ed25519 or sm2: the algorithm of certificate credentials
	CertValidity      string // "3" or "3,political_theory=5": years of validity, per subject
	CertIssuer        string // issuing authority printed on and signed into certificates
	CertFont          string // TrueType font with Chinese glyphs for certificate PDFs
	PublicURL         string // address of the web application, for certificate QR codes
	VerifyRatePerAddr int    // public certificate lookups per minute from one address
}

type field struct {
	env, flag, usage, def string
	secret                bool
	set                   func(c *Config, v string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func integer(p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not an integer: %q", v)
		}
		*p(c) = n
		return nil
	}
}

func dur(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration (e.g. 15m): %q", v)
		}
		*p(c) = d
		return nil
	}
}

var fields = []field{
	{"QUALIFY_ADDR", "addr", "listen address", ":8080", false, str(func(c *Config) *string { return &c.Addr })},
	{"QUALIFY_DATABASE_URL", "database-url", "postgres://... or sqlite://path", "sqlite://data/qualify.db", true, str(func(c *Config) *string { return &c.DatabaseURL })},
	{"QUALIFY_DATA_DIR", "data-dir", "folder for keys and the SQLite file", "data", false, str(func(c *Config) *string { return &c.DataDir })},
	{"QUALIFY_TIMEZONE", "timezone", "time zone of dates and schedules", "Asia/Shanghai", false, str(func(c *Config) *string { return &c.Timezone })},
	{"QUALIFY_LOG_LEVEL", "log-level", "debug, info, warn or error", "info", false, str(func(c *Config) *string { return &c.LogLevel })},
	{"QUALIFY_TOKEN_KEY", "token-key", "access-token signing key (default: data-dir/token.key)", "", true, str(func(c *Config) *string { return &c.TokenKey })},
	{"QUALIFY_ACCESS_TOKEN_TTL", "access-token-ttl", "access token lifetime", "10m", false, dur(func(c *Config) *time.Duration { return &c.AccessTokenTTL })},
	{"QUALIFY_REFRESH_TOKEN_TTL", "refresh-token-ttl", "absolute session lifetime", "12h", false, dur(func(c *Config) *time.Duration { return &c.RefreshTokenTTL })},
	{"QUALIFY_IDLE_TIMEOUT", "idle-timeout", "session idle timeout", "30m", false, dur(func(c *Config) *time.Duration { return &c.IdleTimeout })},
	{"QUALIFY_ISSUER", "issuer", "token issuer", "qualify", false, str(func(c *Config) *string { return &c.Issuer })},
	{"QUALIFY_AUDIENCE", "audience", "token audience", "qualify-api", false, str(func(c *Config) *string { return &c.Audience })},
	{"QUALIFY_PASSWORD_MIN_LENGTH", "password-min-length", "minimum password length", "10", false, integer(func(c *Config) *int { return &c.PasswordMinLength })},
	{"QUALIFY_PASSWORD_MIN_CLASSES", "password-min-classes", "character classes required (of lower, upper, digit, symbol)", "3", false, integer(func(c *Config) *int { return &c.PasswordMinClasses })},
	{"QUALIFY_LOCKOUT_THRESHOLD", "lockout-threshold", "failed logins before lockout", "5", false, integer(func(c *Config) *int { return &c.LockoutThreshold })},
	{"QUALIFY_LOCKOUT_DURATION", "lockout-duration", "how long a locked account stays locked", "15m", false, dur(func(c *Config) *time.Duration { return &c.LockoutDuration })},
	{"QUALIFY_LOGIN_RATE_PER_ADDR", "login-rate-per-addr", "login attempts per minute from one address (an exam hall behind one NAT counts once)", "600", false, integer(func(c *Config) *int { return &c.LoginRatePerAddr })},
	{"QUALIFY_LOGIN_RATE_PER_USER", "login-rate-per-user", "login attempts per minute for one username", "10", false, integer(func(c *Config) *int { return &c.LoginRatePerUser })},
	{"QUALIFY_MAX_BODY_BYTES", "max-body-bytes", "largest JSON body accepted", "1048576", false, func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("not a positive integer: %q", v)
		}
		c.MaxBodyBytes = n
		return nil
	}},
	{"QUALIFY_DB_MAX_OPEN_CONNS", "db-max-open-conns", "database pool size (0: dialect default)", "0", false, integer(func(c *Config) *int { return &c.DBMaxOpenConns })},
	{"QUALIFY_SHUTDOWN_GRACE", "shutdown-grace", "time to finish requests in flight on SIGTERM", "20s", false, dur(func(c *Config) *time.Duration { return &c.ShutdownGracePeriod })},
	{"QUALIFY_DEBUG_ADDR", "debug-addr", "address for Go pprof profiles (e.g. 127.0.0.1:6060); empty disables", "", false, str(func(c *Config) *string { return &c.DebugAddr })},
	{"QUALIFY_TRUSTED_PROXIES", "trusted-proxies", "comma-separated proxy CIDRs whose X-Forwarded-For is trusted", "", false, str(func(c *Config) *string { return &c.TrustedProxies })},
	{"QUALIFY_CERT_SIGNER", "cert-signer", "certificate signature: ed25519 (EdDSA) or sm2 (国密 SM2/SM3)", "ed25519", false, str(func(c *Config) *string { return &c.CertSigner })},
	{"QUALIFY_CERT_VALIDITY", "cert-validity", "certificate validity in years, optionally per subject: 3,political_theory=5", "3", false, str(func(c *Config) *string { return &c.CertValidity })},
	{"QUALIFY_CERT_ISSUER", "cert-issuer", "issuing authority on certificates", "中共示范省委组织部", false, str(func(c *Config) *string { return &c.CertIssuer })},
	{"QUALIFY_CERT_FONT", "cert-font", "TrueType font with Chinese glyphs for certificate PDFs (default: the fonts-arphic-gbsn00lp font)", "", false, str(func(c *Config) *string { return &c.CertFont })},
	{"QUALIFY_PUBLIC_URL", "public-url", "address of the web application, encoded in certificate QR codes", "http://localhost:8080", false, str(func(c *Config) *string { return &c.PublicURL })},
	{"QUALIFY_VERIFY_RATE_PER_ADDR", "verify-rate-per-addr", "public certificate lookups per minute from one address", "30", false, integer(func(c *Config) *int { return &c.VerifyRatePerAddr })},
}

// Load reads defaults, then QUALIFY_* from getenv, then flags from args (which may be nil).
func Load(getenv func(string) string, args []string) (Config, error) {
	var c Config
	for _, f := range fields {
		if err := f.set(&c, f.def); err != nil {
			return c, fmt.Errorf("default %s: %w", f.env, err)
		}
		if v := getenv(f.env); v != "" {
			if err := f.set(&c, v); err != nil {
				return c, fmt.Errorf("%s: %w", f.env, err)
			}
		}
	}
	if args != nil {
		fs := flag.NewFlagSet("qualify", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		vals := map[string]*string{}
		for _, f := range fields {
			vals[f.flag] = fs.String(f.flag, "", f.usage+" ("+f.env+")")
		}
		if err := fs.Parse(args); err != nil {
			return c, err
		}
		var ferr error
		fs.Visit(func(fl *flag.Flag) {
			for _, f := range fields {
				if f.flag == fl.Name {
					if err := f.set(&c, *vals[f.flag]); err != nil && ferr == nil {
						ferr = fmt.Errorf("-%s: %w", f.flag, err)
					}
				}
			}
		})
		if ferr != nil {
			return c, ferr
		}
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return c, fmt.Errorf("QUALIFY_TIMEZONE: %w", err)
	}
	if _, _, err := db.ParseURL(c.DatabaseURL); err != nil {
		return c, fmt.Errorf("QUALIFY_DATABASE_URL: %w", err)
	}
	if c.LockoutThreshold < 1 || c.PasswordMinLength < 8 || c.PasswordMinClasses < 1 || c.PasswordMinClasses > 4 {
		return c, fmt.Errorf("security settings out of range: lockout threshold >= 1, password length >= 8, classes 1-4")
	}
	return c, nil
}

// FromEnv is Load with the process environment and flags.
func FromEnv(args []string) (Config, error) { return Load(os.Getenv, args) }

// Usage lists the settings, their environment names and defaults.
func Usage() string {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "  -%s  %s (env %s, default %q)\n", f.flag, f.usage, f.env, f.def)
	}
	return b.String()
}

// Location returns the configured time zone.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Print writes every setting, one per line, with secrets masked.
func (c Config) Print(w io.Writer) {
	lines := c.Masked()
	keys := make([]string, 0, len(lines))
	for k := range lines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s=%s\n", k, lines[k])
	}
}

// Masked returns the settings by environment name with secrets masked (for logs).
func (c Config) Masked() map[string]string {
	out := map[string]string{}
	get := map[string]string{
		"QUALIFY_ADDR": c.Addr, "QUALIFY_DATABASE_URL": db.Redact(c.DatabaseURL), "QUALIFY_DATA_DIR": c.DataDir,
		"QUALIFY_TIMEZONE": c.Timezone, "QUALIFY_LOG_LEVEL": c.LogLevel, "QUALIFY_TOKEN_KEY": mask(c.TokenKey),
		"QUALIFY_ACCESS_TOKEN_TTL": c.AccessTokenTTL.String(), "QUALIFY_REFRESH_TOKEN_TTL": c.RefreshTokenTTL.String(),
		"QUALIFY_IDLE_TIMEOUT": c.IdleTimeout.String(), "QUALIFY_ISSUER": c.Issuer, "QUALIFY_AUDIENCE": c.Audience,
		"QUALIFY_PASSWORD_MIN_LENGTH": strconv.Itoa(c.PasswordMinLength), "QUALIFY_PASSWORD_MIN_CLASSES": strconv.Itoa(c.PasswordMinClasses),
		"QUALIFY_LOCKOUT_THRESHOLD": strconv.Itoa(c.LockoutThreshold), "QUALIFY_LOCKOUT_DURATION": c.LockoutDuration.String(),
		"QUALIFY_LOGIN_RATE_PER_ADDR": strconv.Itoa(c.LoginRatePerAddr), "QUALIFY_LOGIN_RATE_PER_USER": strconv.Itoa(c.LoginRatePerUser),
		"QUALIFY_MAX_BODY_BYTES": strconv.FormatInt(c.MaxBodyBytes, 10), "QUALIFY_DB_MAX_OPEN_CONNS": strconv.Itoa(c.DBMaxOpenConns),
		"QUALIFY_SHUTDOWN_GRACE": c.ShutdownGracePeriod.String(), "QUALIFY_TRUSTED_PROXIES": c.TrustedProxies, "QUALIFY_DEBUG_ADDR": c.DebugAddr,
		"QUALIFY_CERT_SIGNER": c.CertSigner, "QUALIFY_CERT_VALIDITY": c.CertValidity, "QUALIFY_CERT_ISSUER": c.CertIssuer,
		"QUALIFY_CERT_FONT": c.CertFont, "QUALIFY_PUBLIC_URL": c.PublicURL, "QUALIFY_VERIFY_RATE_PER_ADDR": strconv.Itoa(c.VerifyRatePerAddr),
	}
	for _, f := range fields {
		out[f.env] = get[f.env]
	}
	return out
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "*****"
}
