# Rectify (巡视整改台账管理系统) — developer and CI entry points.
#
#   make install       virtualenv in .venv + requirements (re-run only when requirements.txt changes)
#   make setup         install, migrate, load the seed data if the database is empty, demo accounts,
#                      a demo round dated around today
#   make run           setup, then the development server on http://127.0.0.1:8000/ and the task
#                      worker (db_worker: messages, retries); Ctrl-C stops both
#   make browser-deps  Debian's chromium + fonts-wqy-microhei for the Playwright tests (root only)
#   make lint          ruff + a check that no model change lacks its migration
#   make test          setup, browser-deps, lint, check_ledger on the seeded database, then pytest
#                      (browser tests in a separate pass)
#
# Every target honours DATABASE_URL (default: SQLite file db.sqlite3); with a PostgreSQL URL,
# migrate/seed go to that database and pytest-django creates test_<name> (test_<name>_gwN per
# xdist worker) next to it.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

BROWSER_PACKAGES := chromium fonts-wqy-microhei

.DEFAULT_GOAL := help
.PHONY: help install setup run browser-deps lint test bench

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

install: $(STAMP)

setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed_if_empty
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py load_demo_round

# The worker runs beside the web server; Ctrl-C (or either one ending) stops both.
run: setup
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py db_worker & worker=$$!; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Never fails: without Chromium the browser tests skip themselves.
browser-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if ! { fc-list 2>/dev/null | grep -qi 'WenQuanYi Micro Hei' || dpkg -s fonts-wqy-microhei >/dev/null 2>&1; }; then \
		missing="$$missing fonts-wqy-microhei"; \
	fi; \
	if [ -z "$$missing" ]; then \
		echo "browser-deps: chromium and fonts-wqy-microhei are present."; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "browser-deps: installing$$missing"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); } \
			|| echo "browser-deps: WARNING: apt-get failed; the browser tests will be skipped."; \
	else \
		echo ""; \
		echo "##################################################################"; \
		echo "##  WARNING: missing Debian packages:$$missing"; \
		echo "##  The browser (Playwright/Chromium) tests will be SKIPPED."; \
		echo "##  Install them with:"; \
		echo "##      sudo apt-get install $(BROWSER_PACKAGES)"; \
		echo "##################################################################"; \
		echo ""; \
	fi

lint: install
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Two passes: everything but the browser and committing tests in parallel (xdist, one file per worker),
# then those (live_server + Playwright; real commits) serially. pytest's exit code 5 ("no tests
# collected") is accepted for each pass, so a suite without browser tests, say, still passes.
test: setup browser-deps lint
	$(PY) manage.py check_ledger
	@rc=0; DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m "not browser and not commits" -n $(PYTEST_WORKERS) --dist loadfile -q || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no non-browser tests collected"; elif [ $$rc -ne 0 ]; then exit $$rc; fi
	@rc=0; DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m "browser or commits" -n 0 -q || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no browser or committing tests collected"; elif [ $$rc -ne 0 ]; then exit $$rc; fi

#   make bench         performance bench: 1k/10k/100k demo items on SQLite and a throw-away PostgreSQL 15,
#                      page latency and queries, Excel export/import, gunicorn throughput → bench/RESULTS.md
#                      (about 15–20 minutes; bench/README.md)
bench: install
	bash bench/pg.sh $(PY) bench/run.py
