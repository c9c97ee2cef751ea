"""Ranking of a round: the pure order (ties at every level), the same order from SQL, the page and its export."""
import io
import random
from datetime import datetime, timedelta

import openpyxl
import pytest

from quiz.contest.ranking import (
    NO_PREDICTION,
    RankedResult,
    rank_key,
    ranked,
    refresh_round_rank_keys,
    round_ranking,
)
from quiz.contest.tiebreak import DEFAULT_CHAIN, places
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Round
from tests.admin_helpers import COMMUNE_A, COMMUNE_B
from tests.conftest import make_citizen, make_staff, staff_login

T0 = datetime(2026, 11, 20, 8, 0)


def result(attempt_id, score, duration, prediction, second, citizen_id=None) -> RankedResult:
    return RankedResult(citizen_id or attempt_id, attempt_id, score, duration, prediction, T0 + timedelta(seconds=second))


def test_order_breaks_ties_level_by_level():
    results = [
        result(1, 18, 300, 90, 50),    # prediction 10 away
        result(2, 20, 400, None, 90),  # best score wins whatever else
        result(3, 18, 300, 99, 40),    # 1 away, submitted before 5
        result(4, 18, 200, 10, 99),    # fastest of the 18s
        result(5, 18, 300, 101, 45),   # also 1 away, submitted later
        result(6, 18, 300, None, 1),   # no prediction: after every prediction, even if first to submit
        result(8, 18, 300, None, 1),   # identical to 6 but a later attempt id
    ]
    assert [r.attempt_id for r in ranked(results, 100)] == [2, 4, 3, 5, 1, 6, 8]


def test_before_the_true_answer_is_known_predictions_do_not_count():
    results = [result(1, 10, 60, 5, 30), result(2, 10, 60, None, 10)]
    assert [r.attempt_id for r in ranked(results, None)] == [2, 1]
    assert rank_key(results[0], None)[2] == NO_PREDICTION


def _best(round_id: int, citizen_id: int, entry: RankedResult) -> None:
    attempt = Attempt(round_id=round_id, citizen_id=citizen_id, number=1, started_at=entry.submitted_at,
                      deadline_at=entry.submitted_at, submitted_at=entry.submitted_at, score=entry.score, max_score=20,
                      percent=entry.score * 5, passed=entry.score >= 16, duration_seconds=entry.duration_seconds,
                      prediction=entry.prediction)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(BestResult(round_id=round_id, citizen_id=citizen_id, attempt_id=attempt.id, score=entry.score,
                              percent=attempt.percent, passed=attempt.passed, duration_seconds=entry.duration_seconds,
                              submitted_at=entry.submitted_at, first_completed_at=entry.submitted_at))


def _crowd(round_id: int, size: int, seed: int) -> None:
    """Citizens in two communes with results drawn from few values, so that ties happen at every level."""
    rng = random.Random(seed)
    for number in range(size):
        citizen = Citizen(full_name=f"Người {number}", commune_code=COMMUNE_A if number % 2 else COMMUNE_B)
        db.session.add(citizen)  # rows only: hashing 40 passwords would slow the suite for nothing
        db.session.flush()
        entry = result(0, rng.choice([18, 19, 20]), rng.choice([200, 300]), rng.choice([None, 95, 100, 105]),
                       rng.choice([0, 60]))
        _best(round_id, citizen.id, entry)
    db.session.flush()
    refresh_round_rank_keys(db.session.get(Round, round_id))  # what grading does for each result
    db.session.commit()


@pytest.mark.parametrize("prediction_answer", [100, None])
def test_the_database_orders_exactly_like_the_pure_key(ctx, contest, prediction_answer):
    round_ = db.session.get(Round, contest.id)
    round_.prediction_answer = prediction_answer
    _crowd(round_.id, 40, seed=7)
    everyone = round_ranking(round_, 1000)
    expected = ranked([row.result for row in everyone], prediction_answer)
    assert [row.result for row in everyone] == expected and len(everyone) == 40
    assert [row.place for row in everyone] == places(expected, DEFAULT_CHAIN, prediction_answer)  # shared places
    assert [row.result for row in round_ranking(round_, 5)] == expected[:5]
    in_a = round_ranking(round_, 1000, COMMUNE_A)
    assert len(in_a) == 20 and {row.commune_name for row in in_a} == {"Phường Thành Đông"}
    assert [row.result for row in in_a] == [r for r in expected if r.citizen_id in {x.result.citizen_id for x in in_a}]


def test_ranking_of_real_attempts(ctx, contest):
    from tests.admin_helpers import take
    round_ = db.session.get(Round, contest.id)
    people = {name: make_citizen(full_name=name) for name in ("An", "Bình", "Cường")}
    for name, right in (("An", 12), ("Bình", 19), ("Cường", 12)):
        take(round_, people[name].id, right)
    assert [row.full_name for row in round_ranking(round_, 10)] == ["Bình", "An", "Cường"]  # An submitted first


def test_organizer_page_and_excel_export_neutralise_formulas(app, client, contest):
    with app.app_context():
        make_staff()
        _crowd(contest.id, 6, seed=3)
        citizen = db.session.get(Citizen, db.session.query(BestResult.citizen_id).first()[0])
        citizen.full_name = "=HYPERLINK(\"http://x\",\"Bấm\")"
        db.session.commit()
    staff_login(client)
    html = client.get(f"/quan-tri/dot-thi/{contest.id}/xep-hang?top=3").get_data(as_text=True)
    assert html.count('<td class="num">') == 3 * 5
    response = client.get(f"/quan-tri/dot-thi/{contest.id}/xep-hang?xuat=xlsx&top=100")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))  # title, the chain, then the headers
    assert len(rows) == 6 and [row[0] for row in rows] == sorted(row[0] for row in rows) and rows[0][0] == 1
    names = [row[3] for row in rows]
    assert "'=HYPERLINK(\"http://x\",\"Bấm\")" in names and not any(n.startswith("=") for n in names)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    per_commune = client.get(f"/quan-tri/dot-thi/{contest.id}/xep-hang?xuat=xlsx&xa={COMMUNE_A}")
    assert openpyxl.load_workbook(io.BytesIO(per_commune.data)).active.max_row == 3 + 3
