"""Certificates and public pages read the frozen winners of issue 18: none before the freeze, none before publication."""
from datetime import timedelta

from quiz.contest.prizes import compute_winners, publish_winners, set_tiers
from quiz.contest.winners_source import round_winners, winners_published
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round
from tests.certificate_helpers import PRIZE_TIERS, passed_and_failed


def test_a_closed_round_without_a_frozen_list_has_no_winners(ctx, contest, redis):
    passed_and_failed(contest.id)
    round_ = db.session.get(Round, contest.id)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert round_winners(round_) == [] and not winners_published(round_, utcnow())


def test_frozen_winners_are_published_only_after_the_appeal_window(ctx, contest, redis):
    passed, _ = passed_and_failed(contest.id)
    round_ = db.session.get(Round, contest.id)
    round_.closes_at, round_.appeal_days = utcnow() - timedelta(minutes=1), 2
    db.session.commit()
    set_tiers(round_.id, PRIZE_TIERS, None)
    now = utcnow()
    compute_winners(round_.id, now, None)
    assert [(w.citizen_id, w.tier, w.rank) for w in round_winners(round_)] == [(passed.id, "Giải Nhất", 1)]
    assert not winners_published(round_, now + timedelta(days=3))  # frozen but not published
    publish_winners(round_.id, now + timedelta(days=2), None)
    assert not winners_published(round_, now + timedelta(days=1))
    assert winners_published(round_, now + timedelta(days=2))
