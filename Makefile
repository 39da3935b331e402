# The two commands a user needs: `make run` and `make test`. Both call `make install` first.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Django 6.1 needs Python 3.12+; use the first one found (pyenv keeps extra versions off PATH).
PYTHON ?= $(shell for p in python3.13 python3.12 \
	$$(ls -d $$HOME/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null | sort -r); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint demo bench clean browser-deps report-deps deploy-check page-fuzz

install: report-deps $(STAMP) node_modules/.installed var/.dir

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12+ is required (apt-get install python3.12 or pyenv install 3.12)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

package-lock.json: package.json
	npm install --package-lock-only --no-audit --no-fund --loglevel=error

var/.dir:
	@mkdir -p var && touch $@

# Migrate the embedded SQLite database, load the demo subdistrict (idempotent) and serve it.
run: install
	$(BIN)/gongzhi migrate --noinput -v0
	$(BIN)/gongzhi demo load
	$(BIN)/gongzhi collectstatic --noinput -v0
	@echo "gongzhi 共治: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "演示环境未开启工作人员二次验证（生产默认开启；GONGZHI_MFA_REQUIRED=true 可在演示中开启）"
	GONGZHI_MFA_REQUIRED=$${GONGZHI_MFA_REQUIRED:-false} $(BIN)/gongzhi runserver --noreload $(HOST):$(PORT)

# A district's processes on this machine (deploy/ on one host): nginx, two web servers, two task
# workers and the scheduled jobs, on the PostgreSQL at 127.0.0.1:5432 (scripts/district.sh).
district: install
	scripts/district.sh

# Headless Chromium for the browser tests, from Debian's packages.
browser-deps:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# Pango for WeasyPrint (the monthly report's PDF) and Debian's CJK fonts for its Chinese text.
report-deps:
	@test -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc && ldconfig -p 2>/dev/null | grep -q libpango-1.0 || { \
	  echo "installing pango and fonts-noto-cjk for the monthly report's PDF"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk >/dev/null; }

lint: install
	$(BIN)/ruff check gongzhi tests bench scripts
	$(BIN)/ruff format --check gongzhi tests bench scripts

# Django's deployment checklist against the production settings (HTTPS, a real secret key).
deploy-check: install
	GONGZHI_HTTPS=true GONGZHI_ALLOWED_HOSTS=gongzhi.example.org GONGZHI_SMTP_HOST=smtp.example.org \
	GONGZHI_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(60))')" \
	$(BIN)/gongzhi check --deploy --fail-level WARNING

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL points at one; one test
# process per core (pytest-xdist; each process has its own test database). TEST_WORKERS=0 runs serially.
# Each pass is one shape the platform runs in: SQLite with tasks in-process (the embedded demo), and
# PostgreSQL with tasks on the worker backend (GONGZHI_TASKS=database, a deployment): there every
# task is a row of the task table, run by django-tasks-db's worker right after its commit (conftest.py).
TEST_WORKERS ?= auto
test: install browser-deps lint deploy-check
	$(BIN)/gongzhi makemigrations --check --dry-run -v0
	env -u DATABASE_URL GONGZHI_TEST_DB=sqlite $(BIN)/pytest -n $(TEST_WORKERS)
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $${DATABASE_URL%%\?*}"; \
	  GONGZHI_TEST_DB=postgresql GONGZHI_TASKS=database $(BIN)/pytest -n $(TEST_WORKERS); \
	else echo "DATABASE_URL is not set: PostgreSQL run skipped"; fi

# Schemathesis over every API operation as staff, resident and anonymous, and over Open311, against
# a live server on a free port with a throwaway demo (scripts/fuzz.py); the last line is
# `fuzz: N operations, M cases, K server errors`. It fails on a server error, and when a run crashed
# or tested nothing.
FUZZ_CASES ?= 10
.PHONY: fuzz
fuzz: install
	$(BIN)/python scripts/fuzz.py --cases $(FUZZ_CASES)

bench: install
	$(BIN)/python bench/demo_load.py

clean:
	rm -rf $(VENV) node_modules var static_root

# Every page (each URL pattern of each app, the API aside: `make fuzz`) with fuzzed path, query and
# form values, as each role and anonymously (gongzhi/core/tests/test_page_fuzz.py; the suite runs
# it with 600 cases). SQLite, then PostgreSQL when DATABASE_URL is set; each run's last line is
# `page fuzz: N patterns, M cases, K server errors`, preceded by every failing request.
PAGE_FUZZ_CASES ?= 2000
page-fuzz: install
	@status=0; rm -f var/page-fuzz-*.txt; \
	env -u DATABASE_URL GONGZHI_TEST_DB=sqlite GONGZHI_PAGE_FUZZ_CASES=$(PAGE_FUZZ_CASES) \
	  GONGZHI_PAGE_FUZZ_REPORT=var/page-fuzz-sqlite.txt $(BIN)/pytest -p no:xdist -q \
	  gongzhi/core/tests/test_page_fuzz.py >var/page-fuzz-sqlite.log 2>&1 || status=1; \
	cat var/page-fuzz-sqlite.txt 2>/dev/null || { tail -20 var/page-fuzz-sqlite.log; status=1; }; \
	if [ -n "$$DATABASE_URL" ]; then \
	  GONGZHI_TEST_DB=postgresql GONGZHI_PAGE_FUZZ_CASES=$(PAGE_FUZZ_CASES) \
	  GONGZHI_PAGE_FUZZ_REPORT=var/page-fuzz-postgresql.txt $(BIN)/pytest -p no:xdist -q \
	  gongzhi/core/tests/test_page_fuzz.py >var/page-fuzz-postgresql.log 2>&1 || status=1; \
	  cat var/page-fuzz-postgresql.txt 2>/dev/null || { tail -20 var/page-fuzz-postgresql.log; status=1; }; \
	fi; exit $$status
