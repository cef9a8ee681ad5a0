// Package app wires Qualify together: store, domain services and the HTTP router, from a
// configuration and an open database. The binary and the API tests build the same App.
package app

import (
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"qualify/internal/audit"
	"qualify/internal/bank"
	"qualify/internal/cadre"
	"qualify/internal/config"
	"qualify/internal/httpapi"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/db"
	"qualify/internal/platform/token"
	"qualify/internal/store"
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
	Cadres   *cadre.Service
	Handler  http.Handler
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
		SessionTTL: cfg.RefreshTokenTTL,
		Defaults: identity.SecurityPolicy{
			PasswordMinLength: cfg.PasswordMinLength, PasswordMinClasses: cfg.PasswordMinClasses,
			LockoutThreshold: cfg.LockoutThreshold, LockoutDuration: cfg.LockoutDuration, IdleTimeout: cfg.IdleTimeout,
			LoginRatePerAddr: cfg.LoginRatePerAddr, LoginRatePerUser: cfg.LoginRatePerUser,
		},
	})
	a.Orgs = org.NewService(st, a.Audit)
	a.Bank = bank.NewService(st, a.Audit)
	a.Cadres = cadre.NewService(st, a.Audit, cfg.Location())

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var proxies []string
	for _, p := range strings.Split(cfg.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	a.Handler = httpapi.New(httpapi.Deps{
		DB: d, Logger: logger, Identity: a.Identity, Audit: a.Audit, Orgs: a.Orgs, Bank: a.Bank, Cadres: a.Cadres,
		MaxBodyBytes: cfg.MaxBodyBytes, Frontend: frontend, TrustedProxies: proxies, Registry: reg,
	})
	return a, nil
}
