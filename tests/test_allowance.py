"""One person, one allowance: the attempts a phone used in a round survive deletion and re-registration."""
import hashlib
import hmac
from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz.contest import attempts
from quiz.contest.ranking import round_ranking
from quiz.errors import AttemptError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round
from quiz.privacy.my_data import delete_my_data
from tests.conftest import make_citizen

GRACE = timedelta(seconds=30)
PHONE = "0912345678"


def _use(citizen_id: int, round_: Round, count: int, right: int = 5) -> None:
    for _ in range(count):
        now = utcnow()
        attempt = attempts.start_attempt(citizen_id, round_, now, GRACE)
        for item in attempt.items[:right]:
            attempts.save_answer(attempt.id, citizen_id, item.position, item.shown_correct, now, GRACE)
        attempts.submit_attempt(attempt.id, citizen_id, None, None, now + timedelta(minutes=2), GRACE)


def test_deleting_and_registering_again_does_not_reset_the_allowance(ctx, contest):
    round_ = db.session.get(Round, contest.id)
    first = make_citizen(phone=PHONE)
    _use(first.id, round_, 3)
    delete_my_data(first.id, utcnow())
    again = make_citizen(phone=PHONE)  # re-registering is allowed
    assert attempts.attempts_used(round_.id, again.id) == 3
    with pytest.raises(AttemptError, match="hết"):
        attempts.start_attempt(again.id, round_, utcnow(), GRACE)


@pytest.mark.parametrize("period", ["round", "day"])
def test_the_pages_one_query_counts_as_the_start_does(ctx, contest, period):
    """Given the logged-in person's phone, the count and the phone's allowance come in one query; a phone
    that changed since it was read (here: a wrong one) still counts the stored phone's attempts."""
    from quiz.contest.allowance import allowance_window
    from quiz.contest.allowance import attempts_used as phone_attempts_used
    round_ = db.session.get(Round, contest.id)
    round_.allowance_period, round_.attempts_allowed = period, 5
    db.session.commit()
    first = make_citizen(phone=PHONE)
    _use(first.id, round_, 2)
    delete_my_data(first.id, utcnow())
    again = make_citizen(phone=PHONE)
    _use(again.id, round_, 1)
    start, end = allowance_window(period, utcnow())
    for known_phone in (None, PHONE, "0987654321"):
        assert phone_attempts_used(round_.id, again.id, start, end, known_phone) == 3
    assert phone_attempts_used(round_.id, make_citizen().id, start, end, "0987654321") == 0


def test_a_second_registration_makes_no_second_ranked_entry(ctx, contest):
    round_ = db.session.get(Round, contest.id)
    first = make_citizen(phone=PHONE)
    _use(first.id, round_, 2, right=15)
    delete_my_data(first.id, utcnow())
    again = make_citizen(phone=PHONE)
    _use(again.id, round_, 1, right=4)
    with pytest.raises(AttemptError):
        attempts.start_attempt(again.id, round_, utcnow(), GRACE)
    ranking = round_ranking(round_, 10)
    assert [row.result.citizen_id for row in ranking] == [again.id]


def test_the_allowance_stores_a_keyed_hash_not_the_phone(ctx, contest, app):
    from quiz.models import RoundAllowance
    round_ = db.session.get(Round, contest.id)
    citizen = make_citizen(phone=PHONE)
    _use(citizen.id, round_, 1, right=6)
    delete_my_data(citizen.id, utcnow())  # the best score is kept with the count when the phone is erased
    row = db.session.scalar(select(RoundAllowance))
    key = app.config["ALLOWANCE_HMAC_KEY"].encode()
    assert key != str(app.config["SECRET_KEY"]).encode()
    assert row.phone_key == hmac.new(key, PHONE.encode(), hashlib.sha256).hexdigest()
    assert (row.attempts_used, row.best_score) == (1, 6)
    assert PHONE not in str([getattr(row, c.key) for c in RoundAllowance.__table__.columns])


def test_the_allowance_goes_with_the_round_retention(ctx, contest):
    from quiz.contest.allowance import purge_expired_allowances
    from quiz.models import RoundAllowance
    round_ = db.session.get(Round, contest.id)
    _use(make_citizen(phone=PHONE).id, round_, 1)
    assert purge_expired_allowances(utcnow(), retention_days=30) == 0
    round_.closes_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert purge_expired_allowances(utcnow(), retention_days=30) == 1
    assert db.session.scalar(select(RoundAllowance)) is None
