"""Faults, for real: our own Redis stopped and started again, a gunicorn worker killed with kill -9 mid-submit,
a pooled PostgreSQL connection ended by the server while idle.

(The database locked past its timeout is in tests/test_security.py.) These tests start their own
redis-server on port 6391 and their own gunicorn on port 8150; they never touch the shared services.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from quiz import create_app, tallies
from quiz.infra.extensions import db, limiter
from quiz.models import Attempt, AttemptItem, BestResult, Citizen
from tests.conftest import csrf_token, make_citizen
from tests.test_citizen_flow import register, save, start

ROOT = Path(__file__).resolve().parent.parent
REDIS_PORT = 6391
GUNICORN_PORT = 8150


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(predicate, seconds: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def start_redis() -> None:
    subprocess.run(["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no",
                    "--daemonize", "yes"], check=True, stdout=subprocess.DEVNULL)
    assert _wait(lambda: _port_open(REDIS_PORT)), "our redis-server did not start"


def stop_redis() -> None:
    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    assert _wait(lambda: not _port_open(REDIS_PORT)), "our redis-server did not stop"


@pytest.fixture
def own_redis():
    """A redis-server of our own on port 6391 that the test may stop and start."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is required for the fault tests")
    if not _port_open(REDIS_PORT):
        start_redis()
    yield f"redis://127.0.0.1:{REDIS_PORT}/0"
    stop_redis()


def _citizen_submits(client, phone: str) -> int:
    assert register(client, phone=phone).status_code == 302
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    assert save(client, attempt_id, 0, [0], token).status_code == 200
    response = client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q1": "1"})
    assert response.status_code == 302 and "/ket-qua/" in response.headers["Location"]
    return attempt_id


def test_redis_stopped_and_restarted_loses_nothing(app, contest, own_redis):
    """Redis (tallies and rate limits) dies mid-run: registrations and submissions still succeed, figures recover."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    faulty = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": own_redis,
                                    "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": own_redis})
    try:
        submitted = [_citizen_submits(faulty.test_client(), "0911000001")]
        stop_redis()
        for phone in ("0911000002", "0911000003"):
            submitted.append(_citizen_submits(faulty.test_client(), phone))
        start_redis()  # back, and empty
        submitted.append(_citizen_submits(faulty.test_client(), "0911000004"))
        with faulty.app_context():
            assert db.session.scalar(select(func.count(Citizen.id))) == 4
            rows = db.session.scalars(select(Attempt).where(Attempt.id.in_(submitted))).all()
            assert len(rows) == 4 and all(a.submitted_at is not None for a in rows)
            tallies.read_commune_figures(contest.id)  # a read notices the lost writes and rebuilds
            assert _wait(lambda: tallies.verify([contest.id]) == [], 10), tallies.verify([contest.id])
            db.session.remove()
    finally:
        limiter.enabled = False
        with faulty.app_context():
            db.engine.dispose()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


@pytest.fixture
def gunicorn_server(app):
    """One sync worker of the real app (testing config, CSRF on) on the test database and Redis."""
    env = {**os.environ, "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "TEST_REDIS_URL": app.config["REDIS_URL"], "GUNICORN_ACCESS_LOG": "/dev/null"}
    if _port_open(GUNICORN_PORT):
        pytest.fail(f"port {GUNICORN_PORT} is busy")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                               "--workers", "1", "--bind", f"127.0.0.1:{GUNICORN_PORT}",
                               'quiz:create_app("testing")'],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{GUNICORN_PORT}"
    try:
        assert _wait(lambda: _healthy(base), 20), "gunicorn did not start"
        yield server, base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _token(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _lock_the_submit(conn, url: str) -> None:
    """Make the submit block inside its transaction (PostgreSQL: after it has written the attempt)."""
    if url.startswith("sqlite"):
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
    else:
        conn.execute(text("BEGIN"))
        conn.execute(text("LOCK TABLE best_results IN ACCESS EXCLUSIVE MODE"))


def test_worker_killed_mid_submit_leaves_no_corrupted_attempt(app, contest, gunicorn_server):
    server, base = gunicorn_server
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        make_citizen(phone="0922000001")
        db.session.remove()
    with httpx.Client(base_url=base, timeout=10) as client:
        client.post("/dang-nhap", data={"phone": "0922000001", "password": "matkhau123",
                                        "csrf_token": _token(client.get("/dang-nhap"))})
        started = client.post("/thi/bat-dau", data={"csrf_token": _token(client.get("/thi"))})
        attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
        token = _token(client.get(f"/thi/{attempt_id}"))
        assert client.post(f"/thi/{attempt_id}/tra-loi", json={"position": 0, "choices": [1]},
                           headers={"X-CSRFToken": token}).status_code == 200
        form = {"csrf_token": token, "q1": "0", "q2": "1"}
        outcome: dict = {}

        def doomed_submit() -> None:
            try:
                outcome["status"] = client.post(f"/thi/{attempt_id}/nop", data=form).status_code
            except httpx.HTTPError as error:
                outcome["error"] = error

        locker = create_engine(url)
        with locker.connect() as conn:
            _lock_the_submit(conn, url)
            thread = threading.Thread(target=doomed_submit)
            thread.start()
            time.sleep(1.0)  # the worker is now waiting for the lock, mid-request
            workers = _children(server.pid)
            assert len(workers) == 1
            os.kill(workers[0], signal.SIGKILL)
            thread.join(10)
            conn.rollback()
        locker.dispose()
        assert "error" in outcome, outcome  # the client saw the connection drop, not a success
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            assert attempt.submitted_at is None and attempt.score is None  # nothing half-written
            assert db.session.scalar(select(func.count(BestResult.citizen_id))) == 0
            assert db.session.scalar(select(AttemptItem.selected).where(
                AttemptItem.attempt_id == attempt_id, AttemptItem.position == 0)) == [attempt.items[0].choice_order[1]]
            db.session.remove()
        assert _wait(lambda: _healthy(base), 20), "gunicorn did not replace the killed worker"
        for _ in range(2):  # the retry is accepted; a second retry changes nothing
            retry = client.post(f"/thi/{attempt_id}/nop", data=form)
            assert retry.status_code == 302 and retry.headers["Location"].endswith(f"/ket-qua/{attempt_id}")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at is not None
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        best = db.session.scalar(select(BestResult))
        assert best.attempt_id == attempt_id and best.attempts_count == 1
        assert sum(item.selected is not None for item in attempt.items) == 3
        db.session.remove()


@pytest.mark.parametrize("idle_seconds, status", [(0.1, 200), (3600, 503)])
def test_a_connection_closed_while_idle_is_tested_and_replaced_before_use(app, idle_seconds, status):
    """PostgreSQL ends a pooled connection while it sits idle: past the idle limit it is pinged and
    replaced unnoticed; within it (no ping, as under load) that request gets the "try again" page."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has no server to close a connection")
    pinging = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "DATABASE_POOL_PING_IDLE_SECONDS": idle_seconds})
    client = pinging.test_client()
    with pinging.app_context():
        backend_pid = db.session.execute(text("select pg_backend_pid()")).scalar()
        db.session.remove()  # back to the pool, idle
    killer = create_engine(url)
    with killer.connect() as conn:
        assert conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": backend_pid}).scalar()
    killer.dispose()
    time.sleep(0.3)
    assert client.get("/").status_code == status
    assert client.get("/").status_code == 200  # either way the pool has a live connection now
    with pinging.app_context():
        db.engine.dispose()
