# Zhengwu: `make run` sets up and starts the platform; `make test` sets up and runs every check.
.DEFAULT_GOAL := run
PY := .venv/bin/python
ZW := .venv/bin/zhengwu
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint types imports migrations-check deploy-check pytest test-browser axe test-postgres bench bench-env bench-engine bench-licences bench-hall bench-hotline bench-policies bench-ledger bench-restart clean

setup:
	@scripts/bootstrap.sh

# QR codes and links name the address being served unless ZHENGWU_PUBLIC_URL says otherwise.
run: export ZHENGWU_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: setup
	@$(ZW) migrate --noinput -v0
	@$(ZW) collectstatic --noinput -v0
	@$(ZW) demo --if-empty
	@$(ZW) demo_logins
	@# The 12345 routing model: trained offline from the pack's labelled orders when the data
	@# dir has no valid one yet (about 10 s once; later runs find it and skip).
	@$(ZW) hotline_train --if-missing --no-eval
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
	ZHENGWU_IDENTITY_PROVIDER=provincial ZHENGWU_IDENTITY_URL=https://ids.example.gov.cn/verify \
	ZHENGWU_IDENTITY_APP_ID=zhengwu ZHENGWU_IDENTITY_KEY=$$(head -c 32 /dev/urandom | base64) \
	ZHENGWU_HOLDER_REF_KEY=$$(head -c 32 /dev/urandom | base64) ZHENGWU_USCC_ASSIGNER=local \
	ZHENGWU_PUBLIC_URL=https://zhengwu.example.gov.cn $(ZW) check --deploy --fail-level WARNING

pytest:
	$(PY) -m pytest -q -m "not browser" --durations=25

test-browser:
	@scripts/bootstrap.sh --browser
	@$(MAKE) --no-print-directory axe
	$(PY) -m pytest -q -m browser --durations=25

# axe-core, which the browser tests inject into each page they check for accessibility
# (tests/browser/axe.py). Installed from npm once, at set-up, into tests/browser/node_modules
# (not in git); later runs find the stamp and download nothing, and no test downloads.
AXE_CORE := axe-core@4.14.1
AXE_DIR := tests/browser/node_modules

axe:
	@if [ "$$(cat $(AXE_DIR)/.zhengwu-installed 2>/dev/null)" != "$(AXE_CORE)" ]; then \
	  echo "==> Installing $(AXE_CORE) from npm into $(AXE_DIR)"; \
	  npm install --no-save --no-audit --no-fund --no-package-lock --prefix tests/browser \
	    $(AXE_CORE) >/dev/null \
	  && test -s $(AXE_DIR)/axe-core/axe.min.js \
	  && echo "$(AXE_CORE)" > $(AXE_DIR)/.zhengwu-installed; \
	fi

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
	@# wrk (Debian) drives the HTTP phase of `make bench-engine`; as scripts/bootstrap.sh
	@# does for its packages: installed when run as root, else the phase uses its own
	@# Python load generator and says so.
	@if ! command -v wrk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "==> Installing wrk (Debian)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; } \
	    || echo "!! wrk not installed: the HTTP benchmark falls back to its Python load generator"; \
	fi

# The process-engine benchmarks (issue 9): SQL per user step, the case flow and the 企业开办
# bundle against SpiffWorkflow 3.2 in the same run, the deemed-approval sweep, and submissions
# over HTTP against the real server. Writes bench/results/engine.json (and latest-engine.md).
# QUICK=1: the same at small scale, in under 3 minutes (CI runs it as a smoke check).
bench-engine: setup
	@$(MAKE) --no-print-directory bench-env || echo "!! $(BENCH_VENV) not installed: the Spiff figures will say so"
	$(PY) bench/run.py --engine $(if $(QUICK),--quick)

# The electronic-licence benchmarks (issue 11): offline envelope verification, signing, the
# status-list rebuild and SM3, each against its raw GmSSL / hashlib / zlib call in the same run,
# and the public QR verification page over HTTP on one gunicorn worker against /healthz.
# Writes bench/results/licences.json (and latest-licences.md). QUICK=1: under a minute.
bench-licences: setup
	$(PY) bench/run.py --licences $(if $(QUICK),--quick)

# The service-hall benchmarks (issue 12): 50 hall screens polling the queue's display every
# 2 s (p99 ≤ 50 ms), and taking and calling numbers, each against /healthz in the same run.
bench-hall: setup
	$(PY) bench/run.py --hall $(if $(QUICK),--quick)

# The 12345 routing model (issue 13): held-out and hand-written accuracy, training time and
# one order's prediction against scikit-learn's own predict_proba in the same run. Offline, no
# database. Writes bench/results/hotline.json (and latest-hotline.md). QUICK=1: one pass.
# Then the work orders (bench/hotline_orders.py): routing.suggest (rules + model) per order and
# POST /api/v1/hotline/orders against the real server as a ratio to /healthz in the same run:
# bench/results/hotline-orders.json (and latest-hotline-orders.md).
bench-hotline: setup
	$(PY) bench/hotline.py $(if $(QUICK),--quick)
	$(PY) bench/run.py --hotline $(if $(QUICK),--quick)

# 惠企政策 eligibility (issue 14): 10,000 enterprises × 100 benefits matched as columns
# against each enterprise evaluated alone in the same run, and one explanation. Offline.
bench-policies: setup
	$(PY) bench/policies.py $(if $(QUICK),--quick)

# The transparency log (issue 15 §2): appends (in memory, and ledger_append to the database)
# and inclusion and consistency proofs at 1,000,000 entries, against a raw SM3 loop in the same
# run, on a throw-away SQLite database. Writes bench/results/ledger.json (and
# latest-ledger.md). QUICK=1: 20,000 entries, about a minute.
bench-ledger: setup
	$(PY) bench/ledger.py $(if $(QUICK),--quick)

# A restart of the web server at province scale (issue 16): the real server, a cold start and a
# graceful reload (HUP) under load, searches against /healthz in the same window. Writes
# bench/results/restart.json. Generates the province once into its data directory (~4 min);
# QUICK=1 a smaller one.
bench-restart: setup
	$(PY) bench/restart.py $(if $(QUICK),--quick --data-dir /tmp/zhengwu-bench-restart-quick)

clean:
	rm -rf .venv var
