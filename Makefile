# Qualify: make run (whole system on the embedded database, with demo data), make test (all tests).
SHELL := /bin/bash
GO ?= go
BIN := bin/qualify
DEMO_PASSWORD ?= Qualify@2026
export QUALIFY_ADDR ?= :8080
export QUALIFY_DATABASE_URL ?= sqlite://data/qualify.db

.PHONY: run build frontend test lint-bank test-go test-frontend vet fmt clean

run: build
	$(BIN) demo --password '$(DEMO_PASSWORD)'
	@echo "Qualify 正在启动: http://localhost$(QUALIFY_ADDR)  (Ctrl-C 停止)"
	$(BIN) serve

build: frontend
	@mkdir -p bin
	$(GO) build -trimpath -o $(BIN) ./cmd/qualify

# The web application is built when frontend/package.json exists (npm ci reuses the lock file).
frontend:
	@if [ -f frontend/package.json ]; then \
		cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build; \
	fi

# Go tests on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set or a local server answers
# (under CI=true PostgreSQL is required); frontend unit tests when the frontend exists.
test: vet lint-bank test-go test-frontend

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

fmt:
	gofmt -w cmd internal frontend/embed.go

clean:
	rm -rf bin data frontend/dist/assets frontend/dist/index.html
