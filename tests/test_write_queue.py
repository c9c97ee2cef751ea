"""SQLite writers queue on a lock file before BEGIN IMMEDIATE (quiz.database.write_transaction)."""
import threading
import time

import pytest
from flask import current_app

from quiz import create_app
from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Round


@pytest.fixture
def impatient_app(app, tmp_path):
    """An app on its own SQLite file whose busy timeout (50 ms) is far shorter than a writer's hold."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the writer queue exists only for a SQLite file")
    impatient = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'queue.db'}",
                                        "SQLITE_BUSY_TIMEOUT_MS": 50})
    with impatient.app_context():
        db.create_all()
    yield impatient
    with impatient.app_context():
        db.session.remove()
        db.engine.dispose()


def _round(name: str) -> Round:
    now = utcnow()
    return Round(name=name, opens_at=now, closes_at=now)


def test_second_writer_queues_behind_the_first_instead_of_timing_out(impatient_app):
    """Without the queue the second writer would give up after 50 ms with "database is locked"."""
    app = impatient_app
    order: list[str] = []
    errors: list[Exception] = []
    first_inside = threading.Event()

    def first() -> None:
        with app.app_context():
            with write_transaction():
                db.session.add(_round("một"))
                first_inside.set()
                time.sleep(0.3)
                order.append("first done")
            db.session.remove()

    def second() -> None:
        first_inside.wait(5)
        with app.app_context():
            try:
                with write_transaction():
                    order.append("second inside")
                    db.session.add(_round("hai"))
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                errors.append(error)
            db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert order == ["first done", "second inside"]
    with app.app_context():
        assert sorted(r.name for r in db.session.query(Round)) == ["hai", "một"]
        assert current_app.extensions["sqlite_writer_queue"].endswith("-writers")


def test_nested_write_transaction_does_not_wait_for_itself(impatient_app):
    app = impatient_app
    done = threading.Event()

    def nested() -> None:
        with app.app_context():
            with write_transaction():
                db.session.add(_round("ngoài"))
                with write_transaction():
                    db.session.add(_round("trong"))
            db.session.remove()
        done.set()

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    assert done.wait(10), "a nested write transaction deadlocked on the writer queue"
    with app.app_context():
        assert {r.name for r in db.session.query(Round)} == {"ngoài", "trong"}
