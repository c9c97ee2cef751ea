"""Registrations per second against the hash-only ceiling: argon2id hashes per second on all cores, then
real registrations (POST /dang-ky, each one hash) through gunicorn at the same moment of the run."""
import multiprocessing
import os
import random
import time

from flask import Flask, session
from flask_wtf.csrf import generate_csrf

from bench import wrk
from quiz.infra.passwords_hash import OWASP_MINIMUM, hash_password


def _hash_for(seconds: float) -> int:
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        hash_password("matkhau123", OWASP_MINIMUM)
        count += 1
    return count


def hashes_per_second(seconds: float = 4.0) -> float:
    """argon2id at OWASP's minimum, one process per core, nothing else of ours running."""
    cores = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        counts = pool.map(_hash_for, [seconds] * cores)
    return sum(counts) / seconds


def anonymous_session(app: Flask) -> tuple[str, str]:
    """A signed session holding only a CSRF token (what GET /dang-ky gives), and that token."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": wrk.USER_AGENT}):
        form_token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return cookie, form_token


def registrations(app: Flask, base: str, codes: list[str], count: int, seconds: int, log,  # type: ignore[no-untyped-def]
                  turn: int = 0) -> wrk.WrkResult:
    """Each request a new citizen (a new phone), as many workers busy as gunicorn has."""
    rng = random.Random(7)
    requests = []
    for index in range(count):
        cookie, form_token = anonymous_session(app)
        requests.append(("POST", "/dang-ky", f"session={cookie}", {
            "csrf_token": form_token, "full_name": "Người Đăng Ký Thử", "birth_date": "01/01/1980",
            "phone": f"097{turn}{index:06d}", "commune_code": rng.choice(codes), "password": "matkhau123", "consent": "y"}))
    return wrk.run("register", base, requests, 8, seconds, unique=True, log=log)
