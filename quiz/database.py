"""Database plumbing: SQLite tuning and write transactions that lock up front."""
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from quiz.extensions import db


def configure_sqlite(app: Flask) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for write transactions (several workers share the file)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    _install_sqlite_hooks(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get("write_lock")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[None]:
    """One use case's writes: a fresh transaction that holds the write lock, committed once.

    On SQLite a read transaction that later writes fails at once when another worker wrote
    in between; ending any read snapshot first and locking up front makes it wait instead.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"write_lock": True})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"
