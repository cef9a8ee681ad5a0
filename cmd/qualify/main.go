// Command qualify is the Qualify server and its operator commands:
//
//	qualify serve                      serve HTTP (applies pending migrations first, under a lock)
//	qualify migrate up|status          migrations by hand
//	qualify demo --password P          load the demo data (idempotent)
//	qualify audit verify               check the audit hash chain
//	qualify cert verify --jws T --keys F  verify a certificate credential offline against a JWKS
//	qualify cert rotate-key            make, publish and start using a new certificate signing key
//
// Configuration comes from QUALIFY_* environment variables; flags mirror them (qualify help).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"qualify/frontend"
	"qualify/internal/app"
	"qualify/internal/config"
	"qualify/internal/demo"
	"qualify/internal/platform/db"
	"qualify/internal/platform/logging"
	"qualify/internal/platform/migrate"
	"qualify/internal/store/migrations"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `用法 / usage:
  qualify serve [flags]                 启动服务（先在锁内执行待执行的数据库迁移）
  qualify migrate up|status [flags]     数据库迁移
  qualify demo --password P [flags]     加载演示数据（可重复执行）
  qualify audit verify [flags]          校验审计日志哈希链
  qualify cert verify --jws T --keys F  离线校验证书凭证（JWS）与公钥集（JWKS）
  qualify cert rotate-key [flags]       轮换证书签名密钥
  qualify bank lint DIR                 校验题目文件（全部有效时退出码 0）
  qualify bank import PATH [flags]      导入题目文件或目录（按扩展名识别格式，直接发布）
flags (each mirrors a QUALIFY_* variable):
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage+config.Usage())
		return 0
	}
	cmd, rest := args[0], args[1:]
	var sub string
	if (cmd == "migrate" || cmd == "audit" || cmd == "bank" || cmd == "cert") && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		sub, rest = rest[0], rest[1:]
	}
	var password string
	if cmd == "demo" {
		var err error
		password, rest, err = takeFlag(rest, "password")
		if err != nil || password == "" {
			fmt.Fprintln(stderr, "qualify demo: 需要 --password P（所有演示账户的密码）")
			return 2
		}
	}
	var bankPath string
	if cmd == "bank" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			fmt.Fprintln(stderr, "用法: qualify bank lint DIR | qualify bank import PATH")
			return 2
		}
		bankPath, rest = rest[0], rest[1:]
		if sub == "lint" {
			return bankLint(bankPath, stdout)
		}
	}
	if cmd == "cert" && sub == "verify" {
		return certVerifyCmd(rest, stdout, stderr)
	}
	cfg, err := config.FromEnv(rest)
	if err != nil {
		fmt.Fprintf(stderr, "配置错误: %v\n", err)
		return 2
	}
	logger := logging.New(stderr, cfg.LogLevel)
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		return serve(ctx, cfg, logger, stdout)
	case "migrate":
		return migrateCmd(ctx, cfg, logger, sub, stdout, stderr)
	case "demo":
		return demoCmd(ctx, cfg, logger, password, stdout, stderr)
	case "audit":
		return auditCmd(ctx, cfg, logger, sub, stdout, stderr)
	case "cert":
		return certCmd(ctx, cfg, logger, sub, stdout, stderr)
	case "bank":
		if sub == "import" {
			return bankImport(ctx, cfg, logger, bankPath, stdout, stderr)
		}
		fmt.Fprintln(stderr, "用法: qualify bank lint DIR | qualify bank import PATH")
		return 2
	}
	fmt.Fprintf(stderr, "未知命令 %q\n\n%s", cmd, usage)
	return 2
}

// takeFlag removes --name V or --name=V from args and returns V.
func takeFlag(args []string, name string) (string, []string, error) {
	var out []string
	val := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--"+name || a == "-"+name:
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("--%s needs a value", name)
			}
			val = args[i+1]
			i++
		case strings.HasPrefix(a, "--"+name+"="), strings.HasPrefix(a, "-"+name+"="):
			_, val, _ = strings.Cut(a, "=")
		default:
			out = append(out, a)
		}
	}
	return val, out, nil
}

func openDB(ctx context.Context, cfg config.Config, logger *slog.Logger, migrateFirst bool) (*db.DB, error) {
	d, err := db.Open(cfg.DatabaseURL, db.Options{Logger: logger, MaxOpenConns: cfg.DBMaxOpenConns})
	if err != nil {
		return nil, err
	}
	if migrateFirst {
		applied, err := migrate.Up(ctx, d, migrations.FS)
		if err != nil {
			d.Close()
			return nil, err
		}
		if len(applied) > 0 {
			logger.Info("migrations applied", "versions", applied)
		}
	}
	return d, nil
}

// openApp opens the database (migrating it first when asked) and wires the application for an
// operator command; the returned function closes the database.
func openApp(ctx context.Context, cfg config.Config, logger *slog.Logger, migrateFirst bool) (*app.App, func(), error) {
	d, err := openDB(ctx, cfg, logger, migrateFirst)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.New(cfg, d, logger, nil)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return a, func() { d.Close() }, nil
}

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout io.Writer) int {
	logger.Info("starting qualify", "config", cfg.Masked())
	d, err := openDB(ctx, cfg, logger, true)
	if err != nil {
		logger.Error("database", "err", err)
		return 1
	}
	defer d.Close()
	a, err := app.New(cfg, d, logger, frontend.FS())
	if err != nil {
		logger.Error("startup", "err", err)
		return 1
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		logger.Error("listen", "addr", cfg.Addr, "err", err)
		return 1
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.DebugAddr != "" {
		go serveDebug(cfg.DebugAddr, logger)
	}
	workers, stopWorkers := context.WithCancel(context.Background())
	defer stopWorkers()
	go a.RunWorkers(workers, 5*time.Second)
	go a.ListenAuthChanges(workers)
	go a.RunAuditChainer(workers, 200*time.Millisecond)
	logger.Info("serving", "addr", ln.Addr().String(), "database", string(d.Dialect))
	select {
	case err := <-errc:
		logger.Error("server stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down: no new connections, finishing requests in flight", "grace", cfg.ShutdownGracePeriod.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGracePeriod)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("shutdown", "err", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}

func migrateCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, sub string, stdout, stderr io.Writer) int {
	d, err := openDB(ctx, cfg, logger, false)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer d.Close()
	switch sub {
	case "up":
		applied, err := migrate.Up(ctx, d, migrations.FS)
		if err != nil {
			fmt.Fprintln(stderr, "迁移失败:", err)
			return 1
		}
		fmt.Fprintf(stdout, "已执行 %d 个迁移 %v（%s）\n", len(applied), applied, d.Dialect)
		return 0
	case "status":
		list, err := migrate.List(ctx, d, migrations.FS)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		pending := 0
		for _, m := range list {
			state := "待执行 pending"
			if m.AppliedAt != nil {
				state = "已执行 applied " + m.AppliedAt.UTC().Format(time.RFC3339)
			} else {
				pending++
			}
			fmt.Fprintf(stdout, "%04d_%s\t%s\n", m.Version, m.Name, state)
		}
		fmt.Fprintf(stdout, "%d 个迁移，%d 个待执行（%s）\n", len(list), pending, d.Dialect)
		return 0
	}
	fmt.Fprintln(stderr, "用法: qualify migrate up|status")
	return 2
}

func demoCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, password string, stdout, stderr io.Writer) int {
	a, closeApp, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeApp()
	rep, err := demo.Load(ctx, a, password)
	if err == nil {
		_, err = a.Audit.Chain(ctx) // the demo's audit entries, chained before the command ends
	}
	if err != nil {
		fmt.Fprintln(stderr, "演示数据加载失败:", err)
		return 1
	}
	rep.Print(stdout)
	return 0
}

func auditCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, sub string, stdout, stderr io.Writer) int {
	if sub != "verify" {
		fmt.Fprintln(stderr, "用法: qualify audit verify")
		return 2
	}
	a, closeApp, err := openApp(ctx, cfg, logger, false)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeApp()
	n, brk, err := a.Audit.VerifyAll(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "无法读取审计日志:", err)
		return 1
	}
	if brk != nil {
		fmt.Fprintf(stdout, "审计日志哈希链断裂：第 %d 条记录，%s（此前 %d 条完好）\n", brk.Seq, brk.Reason, n)
		return 1
	}
	fmt.Fprintf(stdout, "审计日志完好：共 %d 条记录，哈希链校验通过\n", n)
	return 0
}

var _ = flag.ErrHelp

// serveDebug serves Go's pprof profiles on a separate, operator-only address.
func serveDebug(addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	logger.Info("pprof listening", "addr", addr)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("pprof listener", "err", err)
	}
}
