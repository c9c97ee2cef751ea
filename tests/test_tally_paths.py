"""Every write path that registers, grades or moves a citizen leaves the live tallies equal to the database.

The tallies are told by the write transaction itself (events sent after its commit), so no path can
forget; these tests call each path the way the app does and then ask `tallies.verify` for differences.
"""
import random
from datetime import date, timedelta

import pytest

from quiz import tallies
from quiz.contest import attempts
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt
from quiz.people.registration import Applicant, register_citizen
from quiz.privacy.anonymise import anonymise
from quiz.privacy.my_data import correct_details, delete_my_data
from tests.admin_helpers import GRACE
from tests.conftest import make_citizen, make_staff, next_phone


@pytest.fixture
def live(ctx, contest, redis):
    tallies.rebuild()
    return db.session.merge(contest)


def answer_all(round_, citizen_id, now):
    attempt = attempts.start_attempt(citizen_id, round_, now, GRACE, random.Random(citizen_id))
    for item in attempt.items:
        attempts.save_answer(attempt.id, citizen_id, item.position, item.shown_correct, now, GRACE)
    return attempt


def test_self_and_assisted_registration(live):
    make_citizen("10507")
    helper = make_staff("xa10792", role="commune_admin", commune_code="10792")
    applicant = Applicant(full_name="Trần Thị Bình", birth_date=date(1950, 1, 2), phone=next_phone(),
                          commune_code="10792", password="matkhau123", consent=True)
    register_citizen(applicant, "31", date.today(), helper_id=helper.id)
    assert tallies.verify([live.id]) == []


def test_submit_on_time_and_late(live):
    now = utcnow()
    on_time = make_citizen("10507")
    attempt = answer_all(live, on_time.id, now)
    attempts.submit_attempt(attempt.id, on_time.id, None, None, now, GRACE)
    late = make_citizen("10792")
    attempt = answer_all(live, late.id, now)
    attempts.submit_attempt(attempt.id, late.id, None, None, now + timedelta(hours=2), GRACE)
    assert tallies.verify([live.id]) == []


def test_grading_at_start_after_expiry(live):
    """The bug: an attempt that ran out while the citizen was away is graded at the next start."""
    citizen = make_citizen("10507")
    now = utcnow()
    answer_all(live, citizen.id, now)
    attempts.start_attempt(citizen.id, live, now + timedelta(hours=1), GRACE, random.Random(1))
    assert db.session.scalar(db.select(db.func.count()).where(Attempt.is_submitted)) == 1
    assert tallies.verify([live.id]) == []


def test_commune_correction_and_anonymisation(live):
    now = utcnow()
    mover = make_citizen("10507")
    attempt = answer_all(live, mover.id, now)
    attempts.submit_attempt(attempt.id, mover.id, None, None, now, GRACE)
    correct_details(mover.id, "Nguyễn Văn An", date(1970, 5, 17), "10792", "31", date.today())
    assert tallies.verify([live.id]) == []
    leaver = make_citizen("10507")
    attempt = answer_all(live, leaver.id, now)
    attempts.submit_attempt(attempt.id, leaver.id, None, None, now, GRACE)
    delete_my_data(leaver.id, now)
    anonymise(db.session.get(type(mover), mover.id), now)
    db.session.commit()
    assert tallies.verify([live.id]) == []


def test_rolled_back_transaction_sends_nothing(live):
    """An event queued in a transaction that rolls back never reaches Redis."""
    from quiz.infra.database import write_transaction
    citizen = make_citizen("10507")
    with pytest.raises(RuntimeError), write_transaction():
        tallies.events.queue({"t": "reg", "id": citizen.id + 1000, "code": "10507", "day": "2026-12-01"})
        raise RuntimeError("rolled back")
    assert tallies.verify([live.id]) == []
