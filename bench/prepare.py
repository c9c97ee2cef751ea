"""Preparing a benchmark database in-process: schema, communes, bank, a round, an organizer, ready attempts."""
import random
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import Flask, session
from flask_migrate import upgrade
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, select, update

from bench import wrk
from quiz import tallies
from quiz.contest import attempts, grading
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import AttemptItem, Citizen, Commune, QuestionVersion, Round, StaffUser
from quiz.people.communes import sync_communes
from quiz.people.consents import ensure_default_notice
from quiz.questions.bank import load_sample_bank

GRACE = timedelta(seconds=30)


def build(app: Flask) -> int:
    """Schema through the migrations, reference data, one long open round; returns the round id."""
    with app.app_context():
        upgrade()
        sync_communes(app.config["PROVINCE_CODE"])
        load_sample_bank()
        ensure_default_notice()
        now = utcnow()
        round_ = Round(name="Đợt thử tải", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2),
                       time_limit_seconds=3600)
        organizer = StaffUser(username="bench", role=StaffUser.ORGANIZER, must_change_password=False)
        organizer.set_password("bench-password")
        db.session.add_all([round_, organizer])
        db.session.commit()
        tallies.rebuild()
        return round_.id


def commune_codes(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Commune.code).where(Commune.province_code == app.config["PROVINCE_CODE"])))


def session_cookie(app: Flask, user_id: str) -> tuple[str, str]:
    """A signed session cookie for a user ("c:<id>:<session token>"), and its CSRF form token (what logging in would give).

    The session is bound to the benchmark client's address and User-Agent, as Flask-Login binds
    a real login; otherwise every request would find a foreign session and rewrite the cookie.
    """
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                  headers={"User-Agent": wrk.USER_AGENT}):
        session["_user_id"] = user_id
        session["_fresh"] = True
        session["_id"] = app.login_manager._session_identifier_generator()
        form_token = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return cookie, form_token


class ReadyAttempt(NamedTuple):
    attempt_id: int
    cookie: str
    csrf: str
    answers: dict[str, str]  # the quiz form's fields: q<position> -> the shown choice ticked


def ready_attempts(app: Flask, round_id: int, count: int, phone_offset: int) -> list[ReadyAttempt]:
    """`count` citizens each with a started attempt whose 20 answers are saved, as the phone's saves leave them."""
    rng = random.Random(count)
    codes = commune_codes(app)
    prepared = []
    with app.app_context():
        password_hash = Citizen(full_name="x").password_hash or None
        round_ = db.session.get(Round, round_id)
        now = utcnow()
        for index in range(count):
            citizen = Citizen(full_name=f"Người chuẩn bị {index}", name_key=f"nguoi chuan bi {index}",
                              phone=f"09{phone_offset + index:08d}", commune_code=rng.choice(codes),
                              password_hash=password_hash)
            db.session.add(citizen)
            db.session.commit()
            tallies.record_registration(citizen)
            attempt = attempts.start_attempt(citizen.id, round_, now, GRACE, rng)
            form = save_answers(attempt.id, now, rng)
            prepared.append((attempt.id, citizen.get_id(), form))
    return [ReadyAttempt(attempt_id, *session_cookie(app, user_id), form) for attempt_id, user_id, form in prepared]


def save_answers(attempt_id: int, now: datetime, rng: random.Random) -> dict[str, str]:
    """One random choice per item, stored (with its mark) as the answer saves store it, in one statement."""
    items = db.session.execute(select(AttemptItem.id, AttemptItem.position, AttemptItem.choice_order,
                                      QuestionVersion.correct)
                               .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                               .where(AttemptItem.attempt_id == attempt_id)).all()
    rows, form = [], {}
    for item_id, position, order, correct in items:
        shown = rng.randrange(len(order))
        selected = grading.shown_to_original([shown], order)
        rows.append({"item_id": item_id, "selected": selected, "correct": grading.is_item_correct(selected, correct)})
        form[f"q{position}"] = str(shown)
    store = (update(AttemptItem).where(AttemptItem.id == bindparam("item_id"))
             .values(selected=bindparam("selected"), is_correct=bindparam("correct"), answered_at=now))
    db.session.connection().execute(store, rows)
    db.session.commit()
    return form


def organizer_cookie(app: Flask) -> str:
    with app.app_context():
        staff = db.session.scalar(select(StaffUser).where(StaffUser.username == "bench"))
        user_id = staff.get_id()
    return session_cookie(app, user_id)[0]
