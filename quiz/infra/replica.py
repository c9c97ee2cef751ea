"""Reads that may go to a PostgreSQL streaming replica (DATABASE_READ_URL): reports, exports and the
database fallbacks of the dashboards and the public feed, so heavy GROUP BYs leave the primary alone.

Inside `replica_reads()` the session sends SELECTs to the replica, but only once the replica has
replayed everything the primary had committed when the block began (its WAL position, read from the
primary): a report therefore never misses a commit older than the lag it states. When the replica
cannot catch up within DATABASE_READ_MAX_WAIT_SECONDS (replay paused, a broken link), the block reads
from the primary instead. Writes (flushes) always go to the primary. Without DATABASE_READ_URL
everything reads from the primary, as before.
"""
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from quiz.infra.clock import utcnow

_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)
POLL_SECONDS = 0.02


class RoutingSession(Session):
    """The app's session: inside replica_reads() its reads go to the replica engine."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and _reading_replica.get() and not self._flushing:
            return current_app.extensions["replica_engine"]
        return super().get_bind(mapper, clause, bind=bind, **kwargs)


@dataclass(frozen=True)
class ReplicaRead:
    """Where the block's reads went, and the moment up to which every primary commit is included."""

    source: str  # "replica" or "primary"
    fresh_as_of: datetime
    lag_seconds: float  # how long the replica took to reach the primary's position (0 on the primary)


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_READ_URL")
    if url:
        app.extensions["replica_engine"] = create_engine(url, pool_recycle=1800, pool_pre_ping=True)


@contextmanager
def replica_reads(primary: Engine) -> Iterator[ReplicaRead]:
    """Send the block's reads to the replica when it is caught up with the primary as of now."""
    started, replica = utcnow(), current_app.extensions.get("replica_engine")
    if replica is None:
        yield ReplicaRead("primary", started, 0.0)
        return
    waited = _wait_for_replay(primary, replica, current_app.config["DATABASE_READ_MAX_WAIT_SECONDS"])
    if waited is None:
        yield ReplicaRead("primary", started, 0.0)
        return
    token = _reading_replica.set(True)
    try:
        yield ReplicaRead("replica", started, waited)
    finally:
        _reading_replica.reset(token)


def _wait_for_replay(primary: Engine, replica: Engine, max_wait: float) -> float | None:
    """Seconds until the replica replayed the primary's current WAL position; None if not within max_wait."""
    began = time.monotonic()
    try:
        with primary.connect() as conn:
            target = conn.scalar(text("SELECT pg_current_wal_lsn()"))
        with replica.connect() as conn:
            while not conn.scalar(text("SELECT pg_last_wal_replay_lsn() >= CAST(:target AS pg_lsn)"),
                                  {"target": target}):
                if time.monotonic() - began > max_wait:
                    return None
                conn.rollback()
                time.sleep(POLL_SECONDS)
    except SQLAlchemyError:
        return None  # replica unreachable: the primary answers
    return time.monotonic() - began
