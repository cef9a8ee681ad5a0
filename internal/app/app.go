// Package app wires Qualify together: store, domain services and the HTTP router, from a
// configuration and an open database. The binary and the API tests build the same App.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"qualify/internal/audit"
	"qualify/internal/bank"
	"qualify/internal/cadre"
	"qualify/internal/calendar"
	"qualify/internal/cert"
	"qualify/internal/config"
	"qualify/internal/eligibility"
	"qualify/internal/exam"
	"qualify/internal/httpapi"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/db"
	"qualify/internal/platform/signing"
	"qualify/internal/platform/token"
	"qualify/internal/store"
	"qualify/internal/training"
)

// App is the wired application.
type App struct {
	Config   config.Config
	DB       *db.DB
	Store    *store.Store
	Logger   *slog.Logger
	Signer   *token.Signer
	Audit    *audit.Log
	Identity *identity.Service
	Orgs     *org.Service
	Bank     *bank.Service
	Exams    *exam.Service
	Cadres   *cadre.Service
	Calendar *calendar.Service
	Training *training.Service
	Certs    *cert.Service
	// Eligibility runs promotion checks and compliance lists.
	Eligibility *eligibility.Service
	Handler     http.Handler
}

// New builds the application over an open, migrated database. frontend may be nil.
func New(cfg config.Config, d *db.DB, logger *slog.Logger, frontend fs.FS) (*App, error) {
	key, err := token.LoadOrCreateKey(cfg.TokenKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	signer, err := token.NewSigner(key, cfg.Issuer, cfg.Audience, cfg.AccessTokenTTL)
	if err != nil {
		return nil, err
	}
	st := store.New(d)
	a := &App{Config: cfg, DB: d, Store: st, Logger: logger, Signer: signer}
	a.Audit = audit.New(st, st)
	a.Identity = identity.NewService(st, a.Audit, signer, identity.Config{
		SessionTTL: cfg.RefreshTokenTTL, SharedDatabase: d.Dialect == db.Postgres,
		Defaults: identity.SecurityPolicy{
			PasswordMinLength: cfg.PasswordMinLength, PasswordMinClasses: cfg.PasswordMinClasses,
			LockoutThreshold: cfg.LockoutThreshold, LockoutDuration: cfg.LockoutDuration, IdleTimeout: cfg.IdleTimeout,
			LoginRatePerAddr: cfg.LoginRatePerAddr, LoginRatePerUser: cfg.LoginRatePerUser,
		},
	})
	st.OnAuthChange(a.Identity.AuthChanged)
	a.Orgs = org.NewService(st, a.Audit)
	a.Bank = bank.NewService(st, a.Audit)
	a.Exams = exam.NewService(st, st, nil, a.Audit)
	a.Cadres = cadre.NewService(st, a.Audit, cfg.Location())
	a.Calendar = calendar.NewService(st, a.Audit)
	a.Training = training.NewService(st, a.Audit, a.Calendar, cfg.Location())
	if a.Certs, err = newCerts(cfg, st, a.Audit, logger); err != nil {
		return nil, err
	}
	a.Exams.SetIssuer(certIssuer{certs: a.Certs, store: st})
	a.Eligibility = eligibility.NewService(st, a.Audit, cfg.Location())

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var proxies []string
	for _, p := range strings.Split(cfg.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	a.Handler = httpapi.New(httpapi.Deps{
		DB: d, Logger: logger, Identity: a.Identity, Audit: a.Audit, Orgs: a.Orgs, Bank: a.Bank, Exams: a.Exams, Cadres: a.Cadres, Certs: a.Certs,
		Calendar: a.Calendar, Training: a.Training, Eligibility: a.Eligibility,
		MaxBodyBytes: cfg.MaxBodyBytes, Frontend: frontend, TrustedProxies: proxies, Registry: reg,
	})
	return a, nil
}

// newCerts builds the certificate service. Private signing keys live in DataDir/cert-keys (one is
// created on first start); their public parts are published in the database, so every instance
// serves the same JWKS. Instances should share the data folder to sign with the same key; those
// that do not each sign with their own, and all keys are still published.
func newCerts(cfg config.Config, st *store.Store, au *audit.Log, logger *slog.Logger) (*cert.Service, error) {
	alg, err := signing.ParseAlg(cfg.CertSigner)
	if err != nil {
		return nil, fmt.Errorf("QUALIFY_CERT_SIGNER: %w", err)
	}
	validity, err := cert.ParseValidity(cfg.CertValidity)
	if err != nil {
		return nil, fmt.Errorf("QUALIFY_CERT_VALIDITY: %w", err)
	}
	svc := cert.NewService(st, au, signing.OpenDir(filepath.Join(cfg.DataDir, "cert-keys")), cert.Config{
		Alg: alg, Issuer: cfg.CertIssuer, Validity: validity, PublicURL: cfg.PublicURL, FontPath: cfg.CertFont,
		VerifyRatePerAddr: cfg.VerifyRatePerAddr, Location: cfg.Location(),
	})
	if err := svc.EnsureKey(context.Background()); err != nil {
		// The key file exists now; publishing waits for the migrations (a command run before them).
		logger.Warn("certificate signing key not published yet", "err", err)
	}
	return svc, nil
}

// RunAuditChainer chains recorded audit entries every interval until ctx ends (see audit.Log.Chain;
// safe on every instance at once).
func (a *App) RunAuditChainer(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.Audit.Chain(ctx); err != nil && ctx.Err() == nil {
				a.Logger.Warn("chain audit entries", "err", err)
			}
		}
	}
}

// RunWorkers runs background work until ctx ends: submitting attempts whose deadline has passed,
// and pruning expired rate-limit windows.
// Every instance may run it; each attempt is closed by exactly one (see exam.Service.AutoSubmitDue).
func (a *App) RunWorkers(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastPrune := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if time.Since(lastPrune) > 10*time.Minute {
				// Rate-limit windows older than a day count nothing; any instance may delete them.
				if _, err := a.Store.PruneThrottle(ctx, time.Now().Add(-24*time.Hour)); err != nil {
					a.Logger.Warn("prune rate-limit windows", "err", err)
				}
				lastPrune = time.Now()
			}
			for {
				n, err := a.Exams.AutoSubmitDue(ctx, 200)
				if err != nil {
					a.Logger.Error("auto-submit", "err", err)
					break
				}
				if n > 0 {
					a.Logger.Info("auto-submitted attempts at their deadline", "count", n)
				}
				if n < 200 {
					break
				}
			}
		}
	}
}
