"""Fixtures: one app and schema per test session, every table emptied after each test.

The database comes from TEST_DATABASE_URL (SQLite file by default); `make test` runs the
suite once on SQLite and once on PostgreSQL. Redis is real (TEST_REDIS_URL, database 15).
"""
import os
import re
from datetime import date, timedelta

import pytest
import redis as redis_lib
from redis.cluster import RedisCluster
from sqlalchemy import text

from quiz import create_app
from quiz.contest import answer_keys
from quiz.contest.standings import _masked_leaders
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db as _db
from quiz.infra.extensions import limiter
from quiz.infra.redis_client import CLUSTER_SCHEME, cluster_nodes
from quiz.infra.settings import configure as configure_settings
from quiz.models import Commune, Round
from quiz.people.communes import sync_communes
from quiz.people.consents import ensure_default_notice
from quiz.people.registration import Applicant, register_citizen
from quiz.questions.bank import load_sample_bank
from quiz.web.rate_limits import forget_fallback_counts

KEEP_TABLES = {"communes", "alembic_version"}


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        sync_communes("31")
    yield app
    with app.app_context():
        _db.session.remove()
        if _db.engine.dialect.name == "postgresql":
            _db.drop_all()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(app):
    yield
    limiter.enabled = app.config["RATELIMIT_ENABLED"]  # one limiter object serves every app a test creates
    configure_settings(app.config)  # and one settings object: a test's own app may have changed it
    _masked_leaders.cache_clear()  # the contest's top is kept a minute per process
    forget_fallback_counts()  # and answer saves counted in memory while a test's Redis was down
    answer_keys.forget_all()  # attempt ids start again in every test
    with app.app_context():
        _db.session.remove()
        empty_tables()


def empty_tables() -> None:
    """Delete every row except the communes (loaded once per session); ids start again at 1.

    DELETE rather than TRUNCATE on PostgreSQL too: TRUNCATE gives each of the ~35 tables new files,
    ~90 ms a test against ~10 ms for deleting the few rows a test leaves.
    """
    tables = [t for t in _db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    with _db.engine.begin() as conn:
        conn.execute(text("UPDATE questions SET current_version_id = NULL"))  # break the FK cycle
        for table in reversed(tables):
            conn.execute(table.delete())
        conn.execute(text("UPDATE communes SET adult_population = NULL"))
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(s::regclass, 1, false) FROM unnest(CAST(:s AS text[])) AS s"),
                         {"s": _id_sequences(conn, tables)})


_sequences: list[str] = []


def _id_sequences(conn, tables) -> list[str]:  # type: ignore[no-untyped-def]
    """The PostgreSQL sequences behind the emptied tables' ids (looked up once per session)."""
    if not _sequences:
        found = conn.execute(text("SELECT pg_get_serial_sequence(t, 'id') FROM unnest(CAST(:t AS text[])) AS t"),
                             {"t": [f'"{t.name}"' for t in tables if "id" in t.c]}).scalars()
        _sequences.extend(name for name in found if name)
    return _sequences


@pytest.fixture
def limited(app, redis):
    """An app instance with rate limits on (the suite's app has them off), storing them in the test Redis."""
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True})
    yield limited
    limiter.enabled = False
    with limited.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context for calling domain functions directly."""
    with app.test_request_context():
        yield
        _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


class WholeCluster(RedisCluster):
    """TEST_REDIS_URL=redis+cluster://…: the tests' own view of the cluster, KEYS and FLUSHDB over every master."""

    def keys(self, pattern="*", **kwargs):  # type: ignore[no-untyped-def]
        return super().keys(pattern, target_nodes=RedisCluster.PRIMARIES, **kwargs)

    def flushdb(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().flushdb(*args, target_nodes=RedisCluster.PRIMARIES, **kwargs)


@pytest.fixture
def redis(app):
    """The real Redis on a dedicated database, emptied before and after; fails if Redis is missing."""
    url = app.config["REDIS_URL"]
    client = (WholeCluster(startup_nodes=cluster_nodes(url), decode_responses=True)
              if url.startswith(CLUSTER_SCHEME) else redis_lib.Redis.from_url(url, decode_responses=True))
    try:
        client.ping()
    except redis_lib.ConnectionError as exc:
        pytest.fail(f"Redis is required for this test and is not reachable: {exc}")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def contest(app):
    """The sample bank, the default privacy notice and one open round with default rules.

    Returned detached (its fields loaded) so that client tests run without a lingering app
    context: Flask reuses a pushed app context for test-client requests, sharing `g` and the session.
    Domain tests ask for `ctx` too.
    """
    with app.app_context():
        load_sample_bank()
        ensure_default_notice()
        now = utcnow()
        round_ = Round(name="Đợt thử", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7))
        _db.session.add(round_)
        _db.session.commit()
        _db.session.refresh(round_)
        _db.session.expunge(round_)
    return round_


_phone_counter = iter(range(10_000_000))


def next_phone() -> str:
    return f"09{next(_phone_counter):08d}"


def make_citizen(commune_code: str = "10507", phone: str | None = None, **overrides):
    """Register a citizen through the domain function (the real path)."""
    applicant = Applicant(full_name=overrides.pop("full_name", "Nguyễn Văn An"),
                          birth_date=overrides.pop("birth_date", date(1970, 5, 17)),
                          phone=phone or next_phone(), commune_code=commune_code,
                          password=overrides.pop("password", "matkhau123"), consent=True, **overrides)
    return register_citizen(applicant, "31", date.today())


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1)


def any_commune_codes(count: int) -> list[str]:
    from sqlalchemy import select
    return list(_db.session.scalars(select(Commune.code).order_by(Commune.code).limit(count)))


def make_staff(username: str = "bantochuc", role: str = "organizer", commune_code: str | None = None,
               password: str = "matkhau-quan-tri", must_change: bool = False):
    """An organizer or commune admin row (a factory: it only writes the row)."""
    from quiz.models import StaffUser
    staff = StaffUser(username=username, role=role, commune_code=commune_code,
                      must_change_password=must_change, display_name=username)
    staff.set_password(password)
    _db.session.add(staff)
    _db.session.commit()
    return staff


def staff_login(client, username: str = "bantochuc", password: str = "matkhau-quan-tri"):
    """Log a staff member in through the admin login page."""
    token = csrf_token(client.get("/quan-tri/dang-nhap"))
    return client.post("/quan-tri/dang-nhap", data={"username": username, "password": password,
                                                     "csrf_token": token})
