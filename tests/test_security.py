"""Serving safely: security headers, the health endpoint, rate limits, and a database that is away."""

import pytest
import redis as redis_lib
from sqlalchemy import create_engine, select, text

from quiz import create_app
from quiz.infra.extensions import db, limiter
from quiz.models import AttemptItem
from tests.conftest import csrf_token
from tests.test_citizen_flow import register, save, start


def test_strict_security_headers_on_every_page(client, contest):
    for path in ("/", "/dang-ky", "/quan-tri/dang-nhap"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in response.get_data(as_text=True)  # no inline script anywhere
        assert " onclick=" not in response.get_data(as_text=True)


def test_production_sends_hsts_and_secure_cookies(app):
    production = create_app("production", {"SECRET_KEY": "s" * 32, "ALLOWANCE_HMAC_KEY": "a" * 32, "RATELIMIT_ENABLED": False,
                                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    response = production.test_client().get("/dang-nhap", base_url="https://example.vn")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie
    with production.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": "dev-only-not-secret"})


def test_production_refuses_to_start_without_an_allowance_key(monkeypatch):
    with pytest.raises(RuntimeError, match="ALLOWANCE_HMAC_KEY"):
        create_app("production", {"SECRET_KEY": "s" * 32, "ALLOWANCE_HMAC_KEY": "dev-only-allowance-key"})


def test_health_reports_database_and_redis(app, client):
    assert client.get("/healthz").json == {"database": "ok", "redis": "ok"}
    real = app.extensions["redis"]
    app.extensions["redis"] = redis_lib.Redis(port=6399, socket_connect_timeout=0.2)
    try:
        response = client.get("/healthz")
        assert response.status_code == 200 and response.json["redis"] == "unavailable"
    finally:
        app.extensions["redis"] = real


@pytest.fixture
def limited_client(app, redis):
    """An app instance with rate limits on (the suite's app has them off), on the test Redis."""
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True})
    yield limited.test_client()
    limiter.enabled = False
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_is_limited_per_phone_with_a_vietnamese_message(limited_client, contest):
    token = csrf_token(limited_client.get("/dang-nhap"))
    for attempt in range(10):
        phone = "0912 345 678" if attempt % 2 else "+84912345678"  # same number, another spelling
        response = limited_client.post("/dang-nhap", data={"phone": phone, "password": "x", "csrf_token": token})
        assert response.status_code == 200
    response = limited_client.post("/dang-nhap", data={"phone": "0912345678", "password": "x", "csrf_token": token})
    assert response.status_code == 429
    assert "thao tác quá nhanh" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    other = limited_client.post("/dang-nhap", data={"phone": "0987654321", "password": "x", "csrf_token": token})
    assert other.status_code == 200  # another phone behind the same IP is not blocked


def _sqlite_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the SQLite lock scenario")


def test_database_locked_gives_a_try_again_page_and_keeps_saved_answers(app, contest):
    """Another process holds the write lock longer than the busy timeout: 503 in Vietnamese, then a retry works."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine_options: dict = {}
    if url.startswith("postgresql"):
        engine_options["connect_args"] = {"options": "-c lock_timeout=300"}
    impatient = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SQLITE_BUSY_TIMEOUT_MS": 300,
                                       "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    client = impatient.test_client()
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    assert save(client, attempt_id, 0, [1], token).status_code == 200
    locker = create_engine(url)
    with locker.connect() as conn:
        if url.startswith("sqlite"):
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.execute(text("BEGIN"))
            conn.execute(text("LOCK TABLE attempt_items IN ACCESS EXCLUSIVE MODE"))
        blocked = save(client, attempt_id, 1, [2], token)
        assert blocked.status_code == 503 and "thử lại" in blocked.json["error"]
        assert blocked.headers["Retry-After"] == "5"
        page = client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q2": "1"})
        assert page.status_code == 503 and "thử lại" in page.get_data(as_text=True)
        conn.rollback()
    locker.dispose()
    assert save(client, attempt_id, 1, [2], token).status_code == 200  # the retry succeeds
    assert client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token}).status_code == 302
    with impatient.app_context():
        items = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                                   .order_by(AttemptItem.position)).all()
        assert items[0].selected is not None and items[1].selected is not None  # nothing lost
        assert items[2].selected is None  # the submit that failed left no half-written answer
        db.session.remove()
        db.engine.dispose()
