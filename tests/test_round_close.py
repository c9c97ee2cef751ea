"""The round's close is a hard wall: deadlines stop at the close, and answers are revealed only after it."""
from datetime import timedelta

import pytest

from quiz.contest import attempts
from quiz.errors import AttemptError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round
from tests.conftest import make_citizen
from tests.fair_helpers import answer, logged_in, set_round, start, submit

GRACE = timedelta(seconds=30)


def _round(contest) -> Round:
    return db.session.get(Round, contest.id)


def test_an_attempt_started_before_the_close_ends_at_the_close(ctx, contest):
    now = utcnow()
    round_ = _round(contest)
    round_.closes_at = now + timedelta(minutes=5)
    db.session.commit()
    attempt = attempts.start_attempt(make_citizen().id, round_, now, GRACE)
    assert attempt.deadline_at == round_.closes_at
    late = round_.closes_at + GRACE + timedelta(seconds=1)
    with pytest.raises(AttemptError, match="đóng"):
        attempts.save_answer(attempt.id, attempt.citizen_id, 0, [0], late, GRACE)


def test_moving_the_close_earlier_caps_running_attempts(ctx, contest, app):
    from quiz.contest.rounds import RoundDraft, update_round
    now = utcnow()
    round_ = _round(contest)
    attempt = attempts.start_attempt(make_citizen().id, round_, now, GRACE)
    new_close = now + timedelta(minutes=2)
    draft = RoundDraft(**{name: getattr(round_, name) for name in RoundDraft.__dataclass_fields__})
    draft.closes_at = new_close
    update_round(round_.id, draft, None, confirmed=True)
    db.session.expire_all()
    assert attempts.citizen_attempt(attempt.id, attempt.citizen_id).deadline_at <= new_close


def test_answers_stay_hidden_while_an_attempt_can_still_be_saved(app, client, contest):
    logged_in(app, client)
    attempt_id = start(client)
    answer(client, app, attempt_id, right_positions={0, 1})
    submit(client, attempt_id)
    set_round(app, contest.id, closes_at=utcnow() - timedelta(seconds=5))  # inside the network grace
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert "(đáp án đúng)" not in html
    set_round(app, contest.id, closes_at=utcnow() - timedelta(minutes=1))
    assert "(đáp án đúng)" in client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)


def test_a_save_after_the_close_is_refused_in_vietnamese(app, client, contest):
    logged_in(app, client)
    attempt_id = start(client)
    set_round(app, contest.id, closes_at=utcnow() - timedelta(minutes=1))
    from tests.conftest import csrf_token
    token = csrf_token(client.get("/thi"))
    response = client.post(f"/thi/{attempt_id}/tra-loi", json={"position": 0, "choices": [0]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 409
    assert "đóng" in response.get_json()["error"]


def test_starting_shortly_before_the_close_says_how_many_minutes_remain(app, client, contest):
    set_round(app, contest.id, closes_at=utcnow() + timedelta(minutes=7, seconds=30))
    logged_in(app, client)
    page = client.get("/thi").get_data(as_text=True)
    assert "7 phút" in page
    attempt_id = start(client)
    assert "7 phút" in client.get(f"/thi/{attempt_id}").get_data(as_text=True)


def test_no_reveal_while_any_attempt_of_the_round_still_accepts_answers(ctx, contest):
    """Even a row that escaped the cap (deadline after the close) holds the reveal back until it ends."""
    from sqlalchemy import update as sql_update

    from quiz.contest.results import answers_revealed
    from quiz.models import Attempt
    now = utcnow()
    round_ = _round(contest)
    attempt = attempts.start_attempt(make_citizen().id, round_, now, GRACE)
    round_.closes_at = now - timedelta(minutes=5)
    db.session.commit()
    db.session.execute(sql_update(Attempt).where(Attempt.id == attempt.id).values(deadline_at=now + timedelta(minutes=3)))
    db.session.commit()
    assert not answers_revealed(round_, now, GRACE)
    assert answers_revealed(round_, now + timedelta(minutes=4), GRACE)


def _second_round(app, contest, **fields) -> int:
    with app.app_context():
        first = db.session.get(Round, contest.id)
        now = utcnow()
        second = Round(name="Đợt hai", contest_id=first.contest_id, opens_at=now - timedelta(minutes=1),
                       closes_at=now + timedelta(days=7), **fields)
        db.session.add(second)
        db.session.commit()
        return second.id


@pytest.mark.parametrize("second_reveals", [Round.REVEAL_AFTER_CLOSE, Round.REVEAL_AFTER_SUBMIT])
def test_a_closed_rounds_review_waits_while_another_round_still_draws_from_the_bank(app, client, contest,
                                                                                      second_reveals):
    """Outside review: week 1's reveal handed out the key of week 2, open on the same bank (practice already waited)."""
    logged_in(app, client)
    attempt_id = start(client)
    answer(client, app, attempt_id, right_positions={0, 1})
    submit(client, attempt_id)
    set_round(app, contest.id, closes_at=utcnow() - timedelta(minutes=5))
    second = _second_round(app, contest, reveal_answers=second_reveals)
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert "(đáp án đúng)" not in html and "Đợt hai" in html  # says which round it waits for
    set_round(app, second, opens_at=utcnow() - timedelta(days=2), closes_at=utcnow() - timedelta(minutes=5))
    assert "(đáp án đúng)" in client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)


def test_a_round_revealing_after_submit_still_shows_its_own_answers_alone(app, client, contest):
    set_round(app, contest.id, reveal_answers=Round.REVEAL_AFTER_SUBMIT)
    logged_in(app, client)
    attempt_id = start(client)
    answer(client, app, attempt_id, right_positions={0})
    submit(client, attempt_id)
    assert "(đáp án đúng)" in client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
