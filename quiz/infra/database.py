"""Database plumbing: pooled connections tested when idle, SQLite tuning, write transactions that lock up front."""
import fcntl
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import CursorResult, Executable, Result, Row, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from quiz.infra.extensions import db


def ping_idle_connections(app: Flask) -> None:
    """Test a pooled connection before use only when it sat idle in the pool for a while.

    SQLAlchemy's pool_pre_ping tests every checkout: a round trip on every request, a tenth of a
    submit's cost on PostgreSQL. A connection in constant use shows a broken link at once; one left
    idle may have been closed meanwhile (a server restart, an idle timeout, a firewall), so it is
    tested and, if dead, replaced (DisconnectionError makes the pool open a new one) before the
    request sees it. After a restart under load, a worker's next request gets the "try again" page
    and the pool is renewed.
    """
    with app.app_context():
        engine = db.engine
    idle_seconds = app.config["DATABASE_POOL_PING_IDLE_SECONDS"]

    @event.listens_for(engine, "checkin")
    def note_idle_since(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # a new connection, or one just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("pooled connection closed while idle") from error


def configure_sqlite(app: Flask) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for write transactions (several workers share the file)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    _install_sqlite_hooks(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    if engine.url.database and _is_file(engine):
        app.extensions["sqlite_writer_queue"] = engine.url.database + "-writers"


def _is_file(engine: Engine) -> bool:
    return engine.url.database not in (None, "", ":memory:")


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:  # a sqlite3.Connection
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if _is_file(engine):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("write_lock")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(*, keep_loaded: bool = False) -> Iterator[None]:
    """One use case's writes: a fresh transaction that holds the write lock, committed once.

    On SQLite a read transaction that later writes fails at once when another worker wrote
    in between; ending any read snapshot first and locking up front makes it wait instead.
    PostgreSQL (read committed) simply goes on in the request's transaction, keeping its
    pooled connection rather than returning it and checking out another.

    `keep_loaded`: the session's objects keep their values through the commit instead of expiring,
    for a use case that hands back a row it has just inserted in full (reading it again would be
    one more transaction and query for the same values).
    """
    session = db.session()
    sqlite = not is_postgres()
    if session.in_transaction() and (sqlite or _has_changes(session)):
        session.commit()
    with _writer_queue():
        if sqlite:
            session.connection(execution_options={"write_lock": True})  # BEGIN IMMEDIATE
        try:
            yield
            _commit(session, expire=not keep_loaded)
        except BaseException:
            session.rollback()
            raise


def execute_core(statement: Executable,
                 parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> Result[Any]:
    """A Core statement on the session's connection (in its transaction): no ORM objects to build or track.
    A list of parameter sets runs it once for each (one multi-row INSERT where the dialect can)."""
    return db.session.connection().execute(statement, parameters)


def single_statement_rows(statement: Executable, parameters: Mapping[str, Any]) -> list[Row[Any]]:
    """A read that needs no transaction of its own: in autocommit where `_autocommit_allowed`, else in the
    session's transaction."""
    if not _autocommit_allowed():
        return list(execute_core(statement, parameters).all())
    with _autocommit() as connection:
        return list(connection.execute(statement, parameters).all())


def single_statement_rowcount(statement: Executable, parameters: Mapping[str, Any]) -> int:
    """One write statement as its own committed transaction; the number of rows it changed."""
    if not _autocommit_allowed():
        with write_transaction():
            return cast(CursorResult[Any], execute_core(statement, parameters)).rowcount
    with _autocommit() as connection:
        return connection.execute(statement, parameters).rowcount


def _autocommit_allowed() -> bool:
    """On PostgreSQL, outside any transaction of the request, a statement can be sent in autocommit: one round
    trip instead of three (BEGIN, it, COMMIT). An answer save, the commonest request by far, is one such
    statement. Not on SQLite, whose writes keep BEGIN IMMEDIATE behind the writer queue. (Called inside a
    `write_transaction` that has sent nothing yet, the statement commits at once, as the nested
    write_transaction of the other path would commit it: write transactions do not nest.)"""
    return is_postgres() and not db.session().in_transaction()


def _autocommit() -> Connection:
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _commit(session: Session, expire: bool) -> None:
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, expire
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


def _has_changes(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted)


def _writer_queue() -> AbstractContextManager[None]:
    """On a SQLite file, writers of all workers queue on a lock file before BEGIN IMMEDIATE.

    SQLite's own busy handler polls with sleeps of up to 100 ms, so under a burst a writer
    can sleep long after the lock came free (seconds of tail latency at 64 clients); a
    blocked flock wakes the next writer at once. The kernel drops the lock if a worker dies.
    SQLite's locking still guarantees correctness; this only orders the waiting.
    """
    path = current_app.extensions.get("sqlite_writer_queue")
    return _flocked(path) if path else nullcontext()


_held = threading.local()


@contextmanager
def _flocked(path: str) -> Iterator[None]:
    if getattr(_held, "path", None) == path:  # a nested write transaction: this thread is first in line
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # one open file per holder: threads queue too
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held.path = path
        yield
    finally:
        _held.path = None
        os.close(fd)  # closing releases the lock


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"
