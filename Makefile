# Two commands for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run secret setup test install bench bench-dashboard bench-reports bench-questions bench-load bench-open bench-same bench-lighthouse bench-page-weight clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Set up the SQLite database with communes, sample questions and an open round.
setup: install
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask setup

## A random SECRET_KEY kept in instance/ (mode 0600), created once; config.py reads it when SECRET_KEY is unset.
secret:
	@mkdir -p instance
	@test -s instance/secret_key || (umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(48))" > instance/secret_key)
	@chmod 600 instance/secret_key

## Set up, then serve on http://127.0.0.1:8000 with gunicorn.
run: setup secret
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## The whole suite on SQLite, then on PostgreSQL when it is reachable.
test: install
	bash scripts/run_tests.sh

## Benchmarks (print figures; see README "Benchmarks").
bench: bench-dashboard bench-reports bench-questions bench-load bench-lighthouse bench-page-weight

bench-dashboard: install
	$(BIN)/python bench/dashboard_reads.py

bench-reports: install
	$(BIN)/python bench/report_cutoff.py

bench-questions: install
	$(BIN)/python bench/question_admin.py

bench-load: install
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/load.py

## Open-loop ladder on one server (PostgreSQL, its own Redis, nginx if installed): capacity and tails, see docs/capacity.md.
bench-open: install
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/open_loop.py

## The whole flow at 64 clients against the code of 2026-11-30 (a git worktree) and this tree, in turns.
bench-same: install
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/same_bench.py

bench-lighthouse: install
	command -v chromium >/dev/null || apt-get install -y chromium
	$(BIN)/python bench/lighthouse.py

## Bytes of a cold first visit of every citizen page, fonts included (budget 50 KB).
bench-page-weight: install
	command -v chromium >/dev/null || apt-get install -y chromium
	$(BIN)/python bench/page_weight.py

clean:
	rm -rf $(VENV) instance .pytest_cache
