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

# tests/test_deploy.py checks deploy/nginx with Debian's nginx (and its brotli modules when Debian has them).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's nginx for the deployment tests"
  (apt-get install -y -qq nginx libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static >/dev/null 2>&1 \
    || apt-get install -y -qq nginx >/dev/null 2>&1 \
    || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq nginx >/dev/null 2>&1)) \
    || echo "could not install nginx: the deployment tests will be skipped"
fi

# tests/test_certificates.py renders the PDF with pdftoppm and decodes its QR code with zbarimg (Debian's packages).
if { ! command -v pdftoppm >/dev/null 2>&1 || ! command -v zbarimg >/dev/null 2>&1; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's poppler-utils and zbar-tools for the certificate tests"
  (apt-get install -y -qq poppler-utils zbar-tools >/dev/null 2>&1 \
    || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq poppler-utils zbar-tools >/dev/null 2>&1)) \
    || echo "could not install poppler-utils/zbar-tools: the certificate tests will fail"
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
  # A real streaming replica of that cluster (pg_basebackup, another free port) for tests/test_replica.py.
  replica_dir="$(mktemp -d)"
  read_url=""
  if replica_port="$($BIN/python scripts/pg_replica.py start "$replica_dir" "$PG_URL")"; then
    read_url="$($BIN/python -c 'import sys, sqlalchemy; print(sqlalchemy.make_url(sys.argv[1]).set(port=int(sys.argv[2])).render_as_string(hide_password=False))' "$PG_URL" "$replica_port")"
    echo "streaming replica on port $replica_port"
  else
    echo "FAILED: could not start a streaming replica: tests/test_replica.py will be skipped"
  fi
  echo "=== test suite on PostgreSQL ($PG_URL) ==="
  TEST_DATABASE_URL="$PG_URL" TEST_DATABASE_READ_URL="$read_url" BROWSER_TESTS=skip $BIN/python -m pytest -q "$@"
  pg_status=$?
  [ -n "$read_url" ] || pg_status=1
  $BIN/python scripts/pg_replica.py stop "$replica_dir"
else
  echo "SKIPPED: the PostgreSQL run, because PostgreSQL is not reachable at $PG_URL"
  pg_status=0
fi
# The same tally, rate-limit and admission tests against a real 3-master Redis Cluster on free loopback ports.
CLUSTER_TESTS="tests/test_tallies.py tests/test_abuse_limits.py tests/test_admission.py tests/test_redis_cluster.py"
cluster_dir="$(mktemp -d)/cluster"
if command -v redis-server >/dev/null 2>&1 && cluster_url="$($BIN/python scripts/redis_cluster.py start "$cluster_dir")"; then
  echo "=== Redis Cluster run ($cluster_url): tallies, rate limits, admission room ==="
  TEST_DATABASE_URL="" TEST_REDIS_URL="$cluster_url" BROWSER_TESTS=skip $BIN/python -m pytest -q $CLUSTER_TESTS
  cluster_status=$?
  $BIN/python scripts/redis_cluster.py stop "$cluster_dir"
else
  echo "FAILED: could not start a Redis Cluster (redis-server and redis-cli are required)"
  cluster_status=1
fi
[ $static_status -eq 0 ] && [ $sqlite_status -eq 0 ] && [ $pg_status -eq 0 ] && [ $cluster_status -eq 0 ]
