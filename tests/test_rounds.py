"""Rounds: validation, what a round with attempts may still change, ranking (ties included), statistics."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz.clock import utcnow
from quiz.extensions import db
from quiz.models import Attempt, BestResult, Round, Topic
from quiz.question_stats import question_stats, topic_stats
from quiz.ranking import round_ranking
from quiz.rounds import RoundDraft, RoundError, create_round, update_round
from tests.admin_helpers import take
from tests.conftest import make_citizen, make_staff


@pytest.fixture
def staff(ctx, contest):
    return make_staff()


def draft(**changes) -> RoundDraft:
    now = utcnow()
    values = dict(name="Đợt 2", opens_at=now, closes_at=now + timedelta(days=10))
    values.update(changes)
    return RoundDraft(**values)


@pytest.mark.parametrize("changes, field", [
    ({"name": " "}, "name"),
    ({"closes_at": utcnow() - timedelta(days=1)}, "closes_at"),
    ({"question_count": 0}, "question_count"),
    ({"question_count": 71}, "question_count"),  # the bank has 70 active questions
    ({"time_limit_seconds": 30}, "time_limit_seconds"),
    ({"attempts_allowed": 0}, "attempts_allowed"),
    ({"pass_percent": 101}, "pass_percent"),
    ({"reveal_answers": "never"}, "reveal_answers"),
])
def test_round_validation(staff, changes, field):
    with pytest.raises(RoundError) as error:
        create_round(draft(**changes), staff.id)
    assert error.value.field == field


def test_topic_quotas_must_be_met_and_add_up(staff):
    topics = db.session.scalars(select(Topic).order_by(Topic.id)).all()
    with pytest.raises(RoundError, match="Tổng số câu"):
        create_round(draft(question_count=5, topic_quotas={str(topics[0].id): 3}), staff.id)
    with pytest.raises(RoundError, match="không đủ 11 câu"):
        create_round(draft(question_count=11, topic_quotas={str(topics[0].id): 11}), staff.id)
    round_ = create_round(draft(question_count=5, topic_quotas={str(topics[0].id): 3, str(topics[1].id): 2}), staff.id)
    assert round_.topic_quotas == {str(topics[0].id): 3, str(topics[1].id): 2}


def test_a_round_with_attempts_keeps_its_rules(staff, contest):
    round_ = db.session.get(Round, contest.id)
    take(round_, make_citizen().id, 10)
    same = dict(name=round_.name, opens_at=round_.opens_at, closes_at=round_.closes_at)
    with pytest.raises(RoundError, match="đã có bài làm"):
        update_round(round_.id, draft(**same, pass_percent=50), staff.id, confirmed=True)
    with pytest.raises(RoundError, match="xác nhận"):
        update_round(round_.id, draft(**{**same, "closes_at": round_.closes_at + timedelta(days=3)}), staff.id)
    update_round(round_.id, draft(**{**same, "closes_at": round_.closes_at + timedelta(days=3), "name": "Đợt 1 (gia hạn)"}),
                 staff.id, confirmed=True)
    assert db.session.get(Round, round_.id).name == "Đợt 1 (gia hạn)"


def test_ranking_order_with_ties(staff, contest):
    round_ = db.session.get(Round, contest.id)
    round_.prediction_question, round_.prediction_answer = "Bao nhiêu người đạt điểm tuyệt đối?", 100
    db.session.commit()
    people = {name: make_citizen(full_name=name) for name in ("An", "Bình", "Cường", "Dũng", "Em")}
    for name, (score, duration, prediction) in {"An": (18, 300, 90), "Bình": (20, 400, None), "Cường": (18, 300, 99),
                                                 "Dũng": (18, 200, 10), "Em": (18, 300, 99)}.items():
        outcome = take(round_, people[name].id, score)
        attempt = db.session.get(Attempt, outcome.attempt.id)
        attempt.prediction = prediction
        best = db.session.scalar(select(BestResult).where(BestResult.attempt_id == attempt.id))
        best.duration_seconds = duration
        db.session.commit()
    order = [row.full_name for row in round_ranking(round_, 10)]
    # Bình scores highest; Dũng is fastest of the 18s; Cường and Em tie on prediction: Cường submitted first.
    assert order == ["Bình", "Dũng", "Cường", "Em", "An"]
    assert [row.place for row in round_ranking(round_, 3)] == [1, 2, 3]
    assert [r.full_name for r in round_ranking(round_, 10, "99999")] == []


def test_question_statistics(staff, contest):
    round_ = db.session.get(Round, contest.id)
    for right in (20, 18, 15, 10, 5, 0):
        take(round_, make_citizen().id, right)
    stats = question_stats(round_.id)
    assert sum(s.served for s in stats) == 120
    assert all(0 <= s.correct_share <= 1 for s in stats)
    assert any(s.discrimination is not None and s.discrimination > 0 for s in stats)
    assert any(s.top_wrong for s in stats)
    assert sum(n for _, n, _ in topic_stats(round_.id)) == 120
    assert question_stats(round_.id, "10792") == []
