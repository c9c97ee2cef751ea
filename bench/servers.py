"""Starting and stopping gunicorn servers and preparing a benchmark database."""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def bench_env(database_url: str, redis_url: str, log_dir: Path) -> dict:
    return {**os.environ, "APP_ENV": "development", "SECRET_KEY": "bench-secret", "DATABASE_URL": database_url,
            "REDIS_URL": redis_url, "RATELIMIT_PER_IP": "1000000 per hour",
            "GUNICORN_ACCESS_LOG": str(log_dir / "access.log"), "PYTHONPATH": str(ROOT),
            "GUNICORN_MAX_REQUESTS": "0"}  # a worker recycled mid-step would take its CPU seconds with it


@contextmanager
def gunicorn(app_spec: str, port: int, env: dict, log_dir: Path):  # type: ignore[no-untyped-def]
    """A gunicorn with the project's configuration file, bound to 127.0.0.1:port."""
    log = open(log_dir / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), app_spec],
                               env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, cwd=ROOT, stdout=log, stderr=log)
    try:
        wait_ready(f"http://127.0.0.1:{port}", "/healthz" if app_spec == "wsgi:app" else None)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_ready(base: str, path: str | None, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(base + (path or "/"), timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {base} did not start")


def worker_pids(master: subprocess.Popen) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


@contextmanager
def postgres_database(admin_url: str, name: str):  # type: ignore[no-untyped-def]
    """A fresh PostgreSQL database for one run, dropped afterwards."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
