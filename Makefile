# Qualify: make run (whole system on the embedded database, with demo data), make test (all tests).
SHELL := /bin/bash
GO ?= go
BIN := bin/qualify
DEMO_PASSWORD ?= Qualify@2026
export QUALIFY_ADDR ?= :8080
export QUALIFY_DATABASE_URL ?= sqlite://data/qualify.db

.PHONY: load-deps load faults run build system-deps frontend test lint-bank test-go test-frontend test-e2e vet fmt clean

run: build system-deps
	$(BIN) demo --password '$(DEMO_PASSWORD)'
	@echo "Qualify 正在启动: http://localhost$(QUALIFY_ADDR)  (Ctrl-C 停止)"
	$(BIN) serve

build: frontend
	@mkdir -p bin
	$(GO) build -trimpath -o $(BIN) ./cmd/qualify

# Debian packages the server uses at run time (the Chinese font of certificate PDFs); installed
# when this machine has apt-get and we are root, otherwise named so that an administrator can.
system-deps:
	@if ! dpkg -s fonts-arphic-gbsn00lp >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-arphic-gbsn00lp; \
		else echo "提示：证书 PDF 需要中文字体，请安装 Debian 软件包 fonts-arphic-gbsn00lp（或设置 QUALIFY_CERT_FONT）"; fi; \
	fi

# The web application is built when frontend/package.json exists (npm ci reuses the lock file).
frontend:
	@if [ -f frontend/package.json ]; then \
		cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build; \
	fi

# Go tests on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set or a local server answers
# (under CI=true PostgreSQL is required); frontend unit tests when the frontend exists.
test: vet lint-bank test-go test-frontend test-e2e

# Every item file of question-bank/ must be valid (file:line: message otherwise).
lint-bank:
	$(GO) run ./cmd/qualify bank lint question-bank

vet:
	$(GO) vet ./...

test-go:
	@if [ "$$CI" = "true" ]; then race=-race; fi; \
	$(GO) test $$race -timeout 20m ./...

test-frontend:
	@if [ -f frontend/package.json ]; then \
		cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm test; \
	fi

# Browser journeys: playwright-core drives Debian's Chromium (/usr/bin/chromium, installed by
# .ci/run) against the real binary on a temporary database; screenshots go to test-artifacts/.
test-e2e: build
	@if [ -x /usr/bin/chromium ]; then cd frontend && npm run e2e; \
	elif [ "$$CI" = "true" ]; then echo "CI needs /usr/bin/chromium for the browser tests" >&2; exit 1; \
	else echo "浏览器测试已跳过：未安装 /usr/bin/chromium（apt-get install chromium）"; fi

# The exam-day load suite against a server on PostgreSQL (see README, Performance).
# LOAD_ARGS=-candidates=10000 for the full targets.
load: build load-deps
	$(GO) build -o bin/qualify-load ./cmd/qualify-load
	bin/qualify-load $(LOAD_ARGS)

# The load suite drives its hot phases with wrk (a C load generator, Debian package wrk) when it
# is installed, else with its own Go client; pgbench comes with Debian's PostgreSQL.
load-deps:
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
		else echo "提示：未安装 wrk，负载测试的作答保存与证书查询阶段改用内置 Go 客户端（apt-get install wrk）"; fi; \
	fi

# Fault scenarios (stop PostgreSQL for 20 s, SIGKILL the API, lose one of two instances, cut
# candidates off across the deadline); each ends by checking every acknowledged answer is stored.
# Needs a local PostgreSQL cluster it may stop and start (pg_ctlcluster).
faults: build
	$(GO) build -o bin/qualify-load ./cmd/qualify-load
	bin/qualify-load -fault all -candidates 100 -c 16

fmt:
	gofmt -w cmd internal frontend/embed.go

clean:
	rm -rf bin data frontend/dist/assets frontend/dist/index.html
