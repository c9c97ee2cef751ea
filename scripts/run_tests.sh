#!/usr/bin/env bash
# Run the whole suite on SQLite, then again on PostgreSQL (skipped, with a printed line, if unreachable).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${PG_TEST_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export PYTHONDONTWRITEBYTECODE=1

# The browser tests drive Debian's Chromium (no browser download); install it when we can.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) \
    || echo "could not install chromium: the browser tests will be skipped"
fi

echo "=== static checks: ruff, import-linter contracts, mypy ==="
$BIN/ruff check . && $BIN/lint-imports && $BIN/mypy
static_status=$?

echo "=== test suite on SQLite ==="
TEST_DATABASE_URL="" $BIN/python -m pytest -q "$@"
sqlite_status=$?

if $BIN/python - "$PG_URL" <<'PY'
import sys, sqlalchemy
try:
    sqlalchemy.create_engine(sys.argv[1]).connect().close()
except Exception as exc:
    print(f"PostgreSQL not reachable ({exc.__class__.__name__})"); sys.exit(1)
PY
then
  echo "=== test suite on PostgreSQL ($PG_URL) ==="
  TEST_DATABASE_URL="$PG_URL" BROWSER_TESTS=skip $BIN/python -m pytest -q "$@"
  pg_status=$?
else
  echo "SKIPPED: the PostgreSQL run, because PostgreSQL is not reachable at $PG_URL"
  pg_status=0
fi
[ $static_status -eq 0 ] && [ $sqlite_status -eq 0 ] && [ $pg_status -eq 0 ]
