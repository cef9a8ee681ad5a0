package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"qualify/internal/apitest"
	"qualify/internal/identity"
	"qualify/internal/platform/db"
	"qualify/internal/platform/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func setEnv(t *testing.T, url string) {
	t.Setenv("QUALIFY_DATABASE_URL", url)
	t.Setenv("QUALIFY_DATA_DIR", t.TempDir())
	t.Setenv("QUALIFY_TOKEN_KEY", "test-token-key-0123456789abcdef0123456789")
	t.Setenv("QUALIFY_LOG_LEVEL", "error")
}

func runCmd(args ...string) (int, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String() + errb.String()
}

// TestAuditVerifyFindsEditedRow builds a chain through real logins, edits one row by SQL behind
// the application's back, and expects `qualify audit verify` to fail and name that row.
func TestAuditVerifyFindsEditedRow(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			d := dbtest.Open(t, dialect)
			e := apitest.NewOn(t, d, apitest.Config(t))
			e.User("cadre1", e.Root.ID, identity.RoleCadre)
			for i := 0; i < 3; i++ {
				e.Login("cadre1")
			}
			setEnv(t, d.URL)
			code, out := runCmd("audit", "verify")
			if code != 0 || !strings.Contains(out, "完好") {
				t.Fatalf("intact chain: exit %d, output %s", code, out)
			}
			ctx := context.Background()
			// The database refuses edits of the log; an attacker with the owner's rights removes the guard first.
			if err := d.Gorm.WithContext(ctx).Exec(`UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 3`).Error; err == nil {
				t.Fatal("UPDATE of audit_events was not refused")
			}
			if err := d.Gorm.WithContext(ctx).Exec(`DELETE FROM audit_events WHERE seq = 2`).Error; err == nil {
				t.Fatal("DELETE from audit_events was not refused")
			}
			if dialect == db.Postgres {
				d.Gorm.Exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`)
			} else {
				d.Gorm.Exec(`DROP TRIGGER audit_events_no_update`)
			}
			if err := d.Gorm.WithContext(ctx).Exec(`UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 3`).Error; err != nil {
				t.Fatal(err)
			}
			code, out = runCmd("audit", "verify")
			if code != 1 || !strings.Contains(out, "第 3 条") {
				t.Fatalf("edited chain: exit %d, output %s", code, out)
			}
		})
	}
}

func TestMigrateStatusAndUp(t *testing.T) {
	for _, dialect := range dbtest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			setEnv(t, dbtest.EmptyURL(t, dialect))
			code, out := runCmd("migrate", "status")
			if code != 0 || !strings.Contains(out, "待执行") {
				t.Fatalf("status before: %d %s", code, out)
			}
			if code, out = runCmd("migrate", "up"); code != 0 {
				t.Fatalf("up: %d %s", code, out)
			}
			code, out = runCmd("migrate", "status")
			if code != 0 || strings.Contains(out, "待执行 pending") {
				t.Fatalf("status after: %d %s", code, out)
			}
		})
	}
}

func TestUnknownCommandAndBadConfig(t *testing.T) {
	if code, _ := runCmd("frobnicate"); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
	t.Setenv("QUALIFY_DATABASE_URL", "mysql://nope")
	if code, out := runCmd("migrate", "status"); code != 2 || !strings.Contains(out, "配置错误") {
		t.Fatalf("bad URL: %d %s", code, out)
	}
	if code, _ := runCmd("demo"); code != 2 {
		t.Fatal("demo without --password must fail")
	}
}

// TestServeShutsDownOnSIGTERM starts the real server, waits until it is ready, sends SIGTERM to
// the process and expects a clean exit after the in-flight request completes.
func TestServeShutsDownOnSIGTERM(t *testing.T) {
	setEnv(t, "sqlite://"+filepath.Join(t.TempDir(), "q.db"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("QUALIFY_ADDR", addr)
	t.Setenv("QUALIFY_LOG_LEVEL", "info")
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() { done <- run([]string{"serve"}, &out, &errb) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
	logs := errb.String()
	for _, want := range []string{`"msg":"starting qualify"`, `"QUALIFY_TOKEN_KEY":"*****"`, `"msg":"stopped"`, `"request_id"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	if strings.Contains(logs, "test-token-key") {
		t.Error("the token key appears in the logs")
	}
}
