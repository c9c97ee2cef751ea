"""Reads from a real PostgreSQL streaming replica (DATABASE_READ_URL): reports and fallbacks go there only
once it has replayed every commit the primary had made, else they read the primary.

Needs TEST_DATABASE_READ_URL: scripts/run_tests.sh starts a replica of the local cluster
(scripts/pg_replica.py: pg_basebackup, another free port) for the PostgreSQL pass and sets it.
"""
import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from quiz import create_app
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.infra.replica import replica_reads
from quiz.models import Citizen
from tests.admin_helpers import add_staff
from tests.conftest import make_citizen, staff_login

READ_URL = os.environ.get("TEST_DATABASE_READ_URL", "")
pytestmark = pytest.mark.skipif(not READ_URL, reason="no streaming replica (TEST_DATABASE_READ_URL unset): "
                                                     "scripts/run_tests.sh starts one for the PostgreSQL pass")


@pytest.fixture
def replica_app(app):
    read_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                      "DATABASE_READ_URL": READ_URL, "DATABASE_READ_MAX_WAIT_SECONDS": 5.0})
    yield read_app
    with read_app.app_context():
        db.session.remove()
        db.engine.dispose()
        read_app.extensions["replica_engine"].dispose()


@pytest.fixture
def paused_replay(replica_app):
    """The replica stops replaying WAL (as under heavy lag) until the test ends."""
    engine = replica_app.extensions["replica_engine"]
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
        conn.commit()
    yield
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_resume()"))
        conn.commit()


def citizens_and_server():
    return db.session.scalar(select(func.count(Citizen.id))), db.session.scalar(text("SELECT pg_is_in_recovery()"))


def test_reads_go_to_the_replica_and_include_every_earlier_commit(replica_app, contest):
    with replica_app.app_context():
        for written in range(1, 11):  # write, then read at once: the replica must already hold it
            committed_at = make_citizen().created_at
            with replica_reads(db.engine) as read:
                counted, on_standby = citizens_and_server()
            assert read.source == "replica" and on_standby is True
            assert read.fresh_as_of >= committed_at and 0 <= read.lag_seconds < 5.0
            assert counted == written  # nothing committed before fresh_as_of is missing
        assert db.session.scalar(text("SELECT pg_is_in_recovery()")) is False  # outside the block: the primary


def test_a_replica_behind_the_primary_is_not_read(replica_app, contest, paused_replay):
    replica_app.config["DATABASE_READ_MAX_WAIT_SECONDS"] = 0.3
    with replica_app.app_context():
        make_citizen()
        with replica_reads(db.engine) as read:
            counted, on_standby = citizens_and_server()
        assert read.source == "primary" and on_standby is False and counted == 1


def test_the_cut_off_report_reads_the_replica_and_matches_the_primary(replica_app, contest):
    with replica_app.app_context():
        add_staff("bantochuc")
        codes = [make_citizen(code).commune_code for code in ("10507", "10507", "10792")]
    client = replica_app.test_client()
    staff_login(client)
    cut_off = (utcnow() + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")  # Vietnam time, an hour ahead
    csv_text = client.get(f"/quan-tri/bao-cao/phu-luc.csv?den={cut_off}").get_data(as_text=True)
    assert codes.count("10507") == 2 and "Phường Thành Đông,Phường,2," in csv_text
    assert "Xã An Thành,Xã,1," in csv_text
