"""Bounded inputs: the prediction stays within the organizer's bounds and the ranking cannot overflow."""
from datetime import timedelta

from sqlalchemy import select

from quiz.contest.ranking import round_ranking
from quiz.infra.extensions import db
from quiz.models import Attempt, Round
from tests.fair_helpers import answer, logged_in, set_round, start, submit


def _asking(app, contest, **bounds) -> None:
    set_round(app, contest.id, prediction_question="Bao nhiêu người đạt điểm tối đa?", **bounds)


def test_an_oversized_prediction_is_refused_and_what_was_typed_is_kept(app, client, contest):
    _asking(app, contest)
    logged_in(app, client)
    attempt_id = start(client)
    answer(client, app, attempt_id, right_positions={0})
    response = submit(client, attempt_id, prediction=str(2**31))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "từ 0 đến 10.000.000" in html and f'value="{2**31}"' in html
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is None


def test_the_organizer_bounds_apply(app, client, contest):
    _asking(app, contest, prediction_min=100, prediction_max=200)
    logged_in(app, client)
    attempt_id = start(client)
    assert "từ 100 đến 200" in submit(client, attempt_id, prediction="99").get_data(as_text=True)
    assert submit(client, attempt_id, prediction="200").status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).prediction == 200


def test_the_ranking_survives_the_widest_predictions(app, client, contest):
    _asking(app, contest, prediction_min=0, prediction_max=10**15)
    for prediction in (str(10**15), "0"):
        fresh = app.test_client()
        logged_in(app, fresh)
        attempt_id = start(fresh)
        assert submit(fresh, attempt_id, prediction=prediction).status_code == 302
    set_round(app, contest.id, prediction_answer=-(10**12), closes_at=contest.closes_at + timedelta(days=1))
    with app.app_context():
        round_ = db.session.get(Round, contest.id)
        rows = round_ranking(round_, 10)
        assert [row.result.prediction for row in rows] == [0, 10**15]
        assert db.session.scalar(select(Attempt.prediction).order_by(Attempt.prediction.desc())) == 10**15
