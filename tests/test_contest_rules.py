"""Attempt allowance per period, Vietnam day and Vietnam week; best or first attempt counts."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from quiz.contest import attempts
from quiz.contest.contest_rules import allowance_window, attempt_allowance
from quiz.errors import AttemptError
from quiz.infra.extensions import db
from quiz.models import BestResult, Round
from tests.conftest import make_citizen
from tests.test_attempts import answer_all

GRACE = timedelta(seconds=30)
# 16:59 UTC = 23:59 in Vietnam (UTC+7); 17:00 UTC is midnight there.
BEFORE_MIDNIGHT = datetime(2026, 12, 2, 16, 59)  # Wednesday 23:59 Vietnam time
AFTER_MIDNIGHT = datetime(2026, 12, 2, 17, 0)    # Thursday 00:00 Vietnam time


def _period(contest, **rules) -> Round:
    round_ = db.session.get(Round, contest.id)
    round_.opens_at, round_.closes_at = datetime(2026, 11, 30), datetime(2026, 12, 31)
    for name, value in rules.items():
        setattr(round_, name, value)
    db.session.commit()
    return round_


def _sit(citizen_id: int, round_: Round, now: datetime, right: int = 20):  # type: ignore[no-untyped-def]
    attempt = attempts.start_attempt(citizen_id, round_, now, GRACE)
    answer_all(attempt, now, right)
    return attempts.submit_attempt(attempt.id, citizen_id, None, None, now + timedelta(minutes=1), GRACE)


def test_vietnam_day_and_week_windows():
    assert allowance_window("day", BEFORE_MIDNIGHT) == (datetime(2026, 12, 1, 17), datetime(2026, 12, 2, 17))
    assert allowance_window("day", AFTER_MIDNIGHT) == (datetime(2026, 12, 2, 17), datetime(2026, 12, 3, 17))
    # The week starts on Monday 00:00 Vietnam time, i.e. Sunday 17:00 UTC.
    assert allowance_window("week", AFTER_MIDNIGHT) == (datetime(2026, 11, 29, 17), datetime(2026, 12, 6, 17))
    assert allowance_window("round", AFTER_MIDNIGHT) == (None, None)


def test_daily_allowance_renews_at_vietnam_midnight(ctx, contest):
    round_ = _period(contest, allowance_period="day", attempts_allowed=2)
    citizen = make_citizen()
    _sit(citizen.id, round_, BEFORE_MIDNIGHT - timedelta(hours=5))
    _sit(citizen.id, round_, BEFORE_MIDNIGHT - timedelta(minutes=3))
    with pytest.raises(AttemptError, match="hết 2 lượt thi của hôm nay. Lượt mới có từ 00:00 ngày 03/12/2026"):
        attempts.start_attempt(citizen.id, round_, BEFORE_MIDNIGHT, GRACE)
    _sit(citizen.id, round_, AFTER_MIDNIGHT)  # a new Vietnam day, though still 2 December in UTC
    assert attempt_allowance(round_, citizen.id, AFTER_MIDNIGHT).used == 1
    best = db.session.scalar(select(BestResult).where(BestResult.citizen_id == citizen.id))
    assert best.attempts_count == 3  # numbered across the period


def test_weekly_allowance_counts_monday_to_sunday(ctx, contest):
    round_ = _period(contest, allowance_period="week", attempts_allowed=1)
    citizen = make_citizen()
    sunday_night = datetime(2026, 12, 6, 16, 30)  # Sunday 23:30 Vietnam time
    _sit(citizen.id, round_, datetime(2026, 11, 30, 1))  # Monday
    with pytest.raises(AttemptError, match="tuần này"):
        attempts.start_attempt(citizen.id, round_, sunday_night, GRACE)
    _sit(citizen.id, round_, datetime(2026, 12, 6, 17, 1))  # Monday 00:01 Vietnam time


def test_per_period_allowance_is_the_single_round_behaviour(ctx, contest):
    round_ = _period(contest, attempts_allowed=1)
    citizen = make_citizen()
    _sit(citizen.id, round_, BEFORE_MIDNIGHT)
    with pytest.raises(AttemptError, match="hết 1 lượt thi của đợt này"):
        attempts.start_attempt(citizen.id, round_, AFTER_MIDNIGHT + timedelta(days=3), GRACE)


@pytest.mark.parametrize("counting, expected_score", [("best", 20), ("first", 10)])
def test_best_or_first_attempt_counts(ctx, contest, counting, expected_score):
    round_ = _period(contest, counting=counting)
    citizen = make_citizen()
    first = _sit(citizen.id, round_, BEFORE_MIDNIGHT, right=10)
    second = _sit(citizen.id, round_, BEFORE_MIDNIGHT + timedelta(hours=1), right=20)
    best = db.session.scalar(select(BestResult).where(BestResult.citizen_id == citizen.id))
    assert best.score == expected_score and best.attempts_count == 2
    assert best.attempt_id == (second.attempt_id if counting == "best" else first.attempt_id)
    assert (second.best.score, second.previous_best.score) == (expected_score, 10)


def test_the_round_form_saves_the_campaign_rules_and_keeps_those_it_does_not_send(app, client, contest):
    from tests.conftest import csrf_token, make_staff, staff_login
    with app.app_context():
        make_staff()
    staff_login(client)
    page = f"/quan-tri/dot-thi/{contest.id}"
    form = {"csrf_token": csrf_token(client.get(page)), "name": "Tuần 1", "opens_at": "2030-01-01T08:00",
            "closes_at": "2030-01-08T08:00", "allowance_period": "day", "counting": "first", "chain_1": "score",
            "chain_2": "attempts_used", "prize_requires_pass": ["0", "1"], "appeal_days": "5", "stagger_groups": "2"}
    assert client.post(page, data=form).status_code == 302
    del form["allowance_period"], form["chain_1"], form["chain_2"]
    assert client.post(page, data={**form, "appeal_days": "6"}).status_code == 302
    with app.app_context():
        round_ = db.session.get(Round, contest.id)
        assert (round_.allowance_period, round_.counting, round_.tiebreak_chain, round_.prize_requires_pass,
                round_.appeal_days, round_.stagger_groups) == ("day", "first", ["score", "attempts_used"], True, 6, 2)


@pytest.mark.parametrize("period, used_up, next_window", [
    ("day", "hết 2 lượt thi của hôm nay. Lượt mới có từ 00:00 ngày 03/12/2026", AFTER_MIDNIGHT),
    ("week", "hết 2 lượt thi của tuần này. Lượt mới có từ 00:00 ngày 07/12/2026", datetime(2026, 12, 6, 17, 1))])
def test_a_day_or_week_allowance_is_the_phones_across_registrations(ctx, contest, period, used_up, next_window):
    from quiz.privacy.my_data import delete_my_data
    round_ = _period(contest, allowance_period=period, attempts_allowed=2)
    first = make_citizen(phone="0912345670")
    _sit(first.id, round_, BEFORE_MIDNIGHT - timedelta(hours=3))
    _sit(first.id, round_, BEFORE_MIDNIGHT - timedelta(hours=2))
    delete_my_data(first.id, BEFORE_MIDNIGHT - timedelta(hours=1))
    again = make_citizen(phone="0912345670")  # the same phone registered anew, the same Vietnam day
    assert attempt_allowance(round_, again.id, BEFORE_MIDNIGHT).used == 2
    with pytest.raises(AttemptError, match=used_up):
        attempts.start_attempt(again.id, round_, BEFORE_MIDNIGHT, GRACE)
    _sit(again.id, round_, next_window)  # the next Vietnam day (or week): the phone has its attempts again
    assert attempt_allowance(round_, again.id, next_window).used == 1
