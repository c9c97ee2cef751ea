"""The published tie-break chain: every criterion, the chain's order, shared places; the database agrees."""
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.contest.ranking import ranking_rows, refresh_round_rank_keys, round_ranking
from quiz.contest.tiebreak import CRITERIA, ChainError, RankedResult, places, ranked, validate_chain
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Round
from tests.admin_helpers import COMMUNE_A
from tests.conftest import make_staff, staff_login

T0 = datetime(2026, 11, 20, 8, 0)


def entry(attempt_id: int, score=10, duration=300, prediction=100, submitted=0, started=0, used=1) -> RankedResult:
    return RankedResult(attempt_id, attempt_id, score, duration, prediction, T0 + timedelta(seconds=submitted),
                        T0 - timedelta(seconds=1000 - started), used)


# For each criterion: a result that wins on it alone, and one that loses (all else equal).
WINS_ON = {
    "score": (entry(2, score=11), entry(1)),
    "prediction": (entry(2, prediction=101), entry(1, prediction=90)),
    "duration": (entry(2, duration=200), entry(1)),
    "submitted_at": (entry(2, submitted=5), entry(1, submitted=9)),
    "started_at": (entry(2, started=1), entry(1, started=7)),
    "attempts_used": (entry(2, used=1), entry(1, used=3)),
}


@pytest.mark.parametrize("criterion", sorted(CRITERIA))
def test_each_criterion_decides_when_everything_before_it_is_equal(criterion):
    better, worse = WINS_ON[criterion]
    chain = [criterion] if criterion == "score" else ["score", criterion]
    assert ranked([worse, better], chain, 100) == [better, worse]
    assert places([better, worse], chain, 100) == [1, 2]
    if criterion == "score":
        return
    other = [c for c in CRITERIA if c != criterion and c != "score"]  # a chain without it: the two share a place
    assert places(ranked([worse, better], ["score", *other], 100), ["score", *other], 100) == [1, 1]  # đồng hạng


def test_the_chain_order_is_the_published_order():
    quick = entry(1, duration=100, prediction=150)  # faster, but its prediction is 50 away
    close = entry(2, duration=400, prediction=101)  # slower, 1 away
    assert ranked([close, quick], ["score", "duration", "prediction"], 100) == [quick, close]
    assert ranked([quick, close], ["score", "prediction", "duration"], 100) == [close, quick]


def test_no_prediction_ranks_after_any_prediction_and_without_a_true_answer_it_never_decides():
    given_one, missing = entry(1, prediction=900), entry(2, prediction=None)
    assert ranked([missing, given_one], ["score", "prediction"], 100) == [given_one, missing]
    assert places(ranked([missing, given_one], ["score", "prediction"], None), ["score", "prediction"], None) == [1, 1]


@pytest.mark.parametrize("chain, message", [
    (["score", "luck"], "không hợp lệ"), (["score", "duration", "duration"], "một lần"), (["duration"], "điểm")])
def test_invalid_chains_are_refused(chain, message):
    with pytest.raises(ChainError, match=message):
        validate_chain(chain)


def _store(round_id: int, result: RankedResult) -> RankedResult:
    citizen = Citizen(full_name=f"Người {result.attempt_id}", commune_code=COMMUNE_A)
    db.session.add(citizen)
    db.session.flush()
    attempt = Attempt(round_id=round_id, citizen_id=citizen.id, number=result.attempts_used, started_at=result.started_at,
                      deadline_at=result.submitted_at, submitted_at=result.submitted_at, score=result.score, max_score=20,
                      percent=result.score * 5, passed=result.score >= 16, duration_seconds=result.duration_seconds,
                      prediction=result.prediction)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(BestResult(round_id=round_id, citizen_id=citizen.id, attempt_id=attempt.id, score=result.score,
                              percent=attempt.percent, passed=attempt.passed, duration_seconds=result.duration_seconds,
                              submitted_at=result.submitted_at, first_completed_at=result.submitted_at,
                              attempts_count=result.attempts_used))
    return RankedResult(citizen.id, attempt.id, *[getattr(result, f) for f in
                        ("score", "duration_seconds", "prediction", "submitted_at", "started_at", "attempts_used")])


few = st.fixed_dictionaries({  # few distinct values, so that ties happen at every level
    "score": st.integers(18, 20), "duration": st.sampled_from([200, 300]),
    "prediction": st.sampled_from([None, 95, 100, 105]), "submitted": st.sampled_from([0, 60]),
    "started": st.sampled_from([0, 30]), "used": st.integers(1, 2)})
chains = st.permutations(sorted(CRITERIA)).flatmap(lambda order: st.integers(1, len(order)).map(
    lambda n: list(order[:n]) if "score" in order[:n] else ["score", *list(order[:n])]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(few, min_size=1, max_size=25), chains, st.one_of(st.none(), st.integers(90, 110)))
def test_the_database_orders_and_shares_places_exactly_like_the_pure_function(ctx, values, chain, answer):
    round_ = Round(name="Đợt thử thuộc tính", opens_at=T0, closes_at=T0, tiebreak_chain=chain, prediction_answer=answer)
    db.session.add(round_)
    db.session.flush()
    stored = [_store(round_.id, entry(0, **v)) for v in values]
    db.session.flush()
    refresh_round_rank_keys(round_)  # the stored rank key, as grading writes it
    db.session.commit()
    rows = round_ranking(round_, 1000)  # in the stored rank key's order
    expected = ranked(stored, chain, answer)
    assert [row.result for row in rows] == expected
    assert [row.result for row in ranking_rows(round_)] == expected  # in the ORDER BY of the columns
    assert [row.place for row in rows] == places(expected, chain, answer)
    assert [row.shared for row in rows] == [places(expected, chain, answer).count(p) > 1 for p in
                                            places(expected, chain, answer)]


def test_the_ranking_page_shows_the_chain_and_shared_places(app, client, contest):
    with app.app_context():
        make_staff()
        round_ = db.session.get(Round, contest.id)
        round_.tiebreak_chain = ["score", "attempts_used"]
        for number in (1, 2):
            _store(round_.id, entry(number, used=1))
        _store(round_.id, entry(3, used=2))
        db.session.flush()
        refresh_round_rank_keys(round_)
        db.session.commit()
    staff_login(client)
    html = client.get(f"/quan-tri/dot-thi/{contest.id}/xep-hang").get_data(as_text=True)
    assert "điểm cao hơn xếp trên; rồi dùng ít lượt thi hơn xếp trên" in html
    assert html.count("(đồng hạng)") == 2 and '<td class="num">3</td>' in html


def test_a_new_true_answer_rewrites_the_stored_rank_keys(ctx, contest):
    from quiz.contest.rounds import RoundDraft, update_round
    round_ = db.session.get(Round, contest.id)
    round_.tiebreak_chain = ["score", "prediction", "duration"]
    far, near = _store(round_.id, entry(1, prediction=500, duration=100)), _store(round_.id, entry(2, prediction=90))
    db.session.flush()
    refresh_round_rank_keys(round_)
    db.session.commit()
    assert [row.result for row in round_ranking(round_, 10)] == [far, near]  # no true answer yet: time decides
    draft = RoundDraft(**{name: getattr(round_, name) for name in RoundDraft.__dataclass_fields__})
    draft.prediction_answer, draft.prediction_question = 100, "Bao nhiêu?"
    update_round(round_.id, draft, None, confirmed=True)
    assert [row.result for row in round_ranking(db.session.get(Round, contest.id), 10)] == [near, far]
