"""Public results pages: >= 1,000 req/s behind nginx's cache (deploy/nginx-public-cache.conf), app p50 < 20 ms without it.

Run: BENCH_REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/public_pages.py
(BENCH_DATABASE_URL for PostgreSQL; BENCH_CITIZENS, default 20,000). It builds a database with a
closed round, its results and certificates, starts gunicorn (the project's config) and Debian's nginx
with the repository's file on free loopback ports, then measures:
  1. the app alone, one request at a time (no cache): p50/p95 per page, against /healthz as baseline;
  2. wrk, 64 connections, through nginx (cached) and straight to gunicorn, per page.
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import access_log, wrk  # noqa: E402
from bench.prepare import build  # noqa: E402
from bench.results_data import close, seed_results  # noqa: E402
from bench.servers import ROOT, bench_env, gunicorn, wait_ready  # noqa: E402
from quiz import create_app  # noqa: E402

CITIZENS = int(os.environ.get("BENCH_CITIZENS", "20000"))
SEQUENTIAL = 200
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONFIG = ROOT / "deploy" / "nginx-public-cache.conf"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def nginx(listen: int, upstream: int, runtime: Path):  # type: ignore[no-untyped-def]
    """Debian's nginx running the repository's configuration file."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    runtime.chmod(0o755)  # nginx's workers run as an unprivileged user: they write the cache here
    for name in ("public_cache", "proxy_temp", "client_body"):
        (runtime / name).mkdir(exist_ok=True)
        (runtime / name).chmod(0o777)
    rendered = runtime / "nginx.conf"
    rendered.write_text(CONFIG.read_text().replace("__LISTEN__", f"127.0.0.1:{listen}")
                        .replace("__UPSTREAM__", f"127.0.0.1:{upstream}").replace("__RUNTIME_DIR__", str(runtime)))
    subprocess.run([binary, "-t", "-q", "-p", str(runtime), "-c", str(rendered)], check=True)
    process = subprocess.Popen([binary, "-p", str(runtime), "-c", str(rendered), "-g", "daemon off;"])
    try:
        wait_ready(f"http://127.0.0.1:{listen}", "/healthz")
        yield process
    finally:
        process.terminate()
        process.wait(10)


def prepare(folder: Path, redis_url: str) -> tuple[str, str]:
    """The database URL and one certificate code."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "TESTING": True})
    round_id = build(app)
    seed_results(app, round_id, CITIZENS)
    close(app, round_id)
    with app.test_request_context():
        from sqlalchemy import select

        from quiz.certificates.issuing import issue_completion
        from quiz.infra.clock import utcnow
        from quiz.infra.extensions import db
        from quiz.models import BestResult
        citizen_id = db.session.scalar(select(BestResult.citizen_id).where(BestResult.passed.is_(True)))
        code = issue_completion(citizen_id, round_id, "Ban Tổ chức", utcnow()).code
    return url, code


def sequential_ms(base: str, path: str, log: Path) -> tuple[list[float], tuple[int, int, int]]:
    """Client-side times of SEQUENTIAL requests, and the p50/p95/p99 the access log shows inside gunicorn."""
    since = access_log.mark(log)
    times = []
    with httpx.Client(base_url=base) as client:
        for _ in range(SEQUENTIAL):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    time.sleep(0.3)  # let the access log be written
    return sorted(times), access_log.percentiles(access_log.read_times(log, since))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cds-public-bench-"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    database_url, code = prepare(folder, redis_url)
    pages = ["/ket-qua-cong-khai", "/dat-giai", "/tra-cuu-chung-nhan", f"/xac-minh/{code}"]
    app_port, nginx_port = free_port(), free_port()
    env = bench_env(database_url, redis_url, folder)
    with gunicorn("wsgi:app", app_port, env, folder), nginx(nginx_port, app_port, folder):
        app_base, cached_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{nginx_port}"
        print(f"{CITIZENS:,} citizens; database {database_url.split(':')[0]}; gunicorn {env.get('GUNICORN_WORKERS', 'default')} workers")
        print("1. the app alone, one request at a time (no cache):")
        log = folder / "access.log"
        times, inside = sequential_ms(app_base, "/healthz", log)
        baseline = statistics.median(times)
        print(f"  {'/healthz':<24} p50 {baseline:6.2f} ms  (inside gunicorn p50 {inside[0]} ms)  baseline")
        for path in pages:
            times, inside = sequential_ms(app_base, path, log)
            p50 = statistics.median(times)
            print(f"  {path[:24]:<24} p50 {p50:6.2f} ms  p95 {times[int(.95 * len(times))]:6.2f} ms  "
                  f"(inside gunicorn p50 {inside[0]} ms, p95 {inside[1]} ms; {p50 / baseline:.1f}× /healthz; "
                  f"target p50 < 20 ms)")
        print(f"2. wrk, 64 connections, {SECONDS} s per page: through nginx's cache, then straight to gunicorn")
        for path in pages:
            cached = wrk.run("nginx cache", cached_base, [("GET", path, "", None)] * 4, 64, SECONDS)
            direct = wrk.run("gunicorn", app_base, [("GET", path, "", None)] * 4, 64, SECONDS)
            print(f"  {path[:24]:<24} cached {cached.rps:8.0f} req/s (p50 {cached.p50:5.1f} ms, non-2xx {cached.non2xx})  "
                  f"app {direct.rps:6.0f} req/s  ({cached.rps / max(direct.rps, 1):.0f}×; target >= 1,000 req/s)")
        statuses = [httpx.get(cached_base + pages[0]).headers.get("X-Cache-Status") for _ in range(2)]
        print(f"nginx X-Cache-Status of two requests in a row: {statuses}")


if __name__ == "__main__":
    main()
