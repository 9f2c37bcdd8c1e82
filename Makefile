# Zhengwu: `make run` sets up and starts the platform; `make test` sets up and runs every check.
.DEFAULT_GOAL := run
PY := .venv/bin/python
ZW := .venv/bin/zhengwu
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint types imports migrations-check deploy-check pytest test-browser test-postgres bench bench-env clean

setup:
	@scripts/bootstrap.sh

run: setup
	@$(ZW) migrate --noinput -v0
	@$(ZW) collectstatic --noinput -v0
	@$(ZW) demo --if-empty
	@$(ZW) demo_logins
	@echo "==> Zhengwu on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@$(ZW) serve --host $(HOST) --port $(PORT)

test: setup lint types imports migrations-check deploy-check pytest

lint:
	.venv/bin/ruff check .

types:
	.venv/bin/mypy .

imports:
	.venv/bin/lint-imports

migrations-check:
	DJANGO_SETTINGS_MODULE=config.settings.test $(ZW) makemigrations --check --dry-run

deploy-check:
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	DJANGO_ALLOWED_HOSTS=zhengwu.example.gov.cn ZHENGWU_DATA_DIR=$$(mktemp -d) \
	$(ZW) check --deploy --fail-level WARNING

pytest:
	$(PY) -m pytest -q -m "not browser"

test-browser:
	@scripts/bootstrap.sh --browser
	$(PY) -m pytest -q -m browser

test-postgres: setup
	@.ci/postgres.sh

bench: setup
	@$(MAKE) --no-print-directory bench-env || echo "!! $(BENCH_VENV) not installed: the bundle benchmark will say so"
	$(PY) bench/run.py

# SpiffWorkflow for the bundle benchmark's side-by-side figure (bench/bundles_spiff.py), in a
# virtualenv of its own: only the benchmark uses it, never the platform. Installed once from
# PyPI; later runs find the stamp and download nothing.
BENCH_VENV := .venv-bench
BENCH_PACKAGES := SpiffWorkflow==3.2.0 lxml==6.1.3

bench-env:
	@if [ "$$(cat $(BENCH_VENV)/.installed 2>/dev/null)" != "$(BENCH_PACKAGES)" ]; then \
	  echo "==> Creating $(BENCH_VENV) with $(BENCH_PACKAGES)"; \
	  test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV); \
	  { $(BENCH_VENV)/bin/python -m pip install -q $(BENCH_PACKAGES) 2>&1 || true; } \
	    | { grep -v "is ignored: it is neither a file nor a directory" || true; }; \
	  $(BENCH_VENV)/bin/python -c "import SpiffWorkflow" \
	    && echo "$(BENCH_PACKAGES)" > $(BENCH_VENV)/.installed; \
	fi

clean:
	rm -rf .venv var
