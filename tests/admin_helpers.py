"""Shared set-up for admin tests: two communes with participants, an organizer and two commune admins."""
import random
from dataclasses import dataclass
from datetime import timedelta

from quiz import attempts, tallies
from quiz.clock import utcnow
from quiz.extensions import db
from quiz.models import Round
from tests.conftest import make_citizen, make_staff

GRACE = timedelta(seconds=30)
COMMUNE_A, COMMUNE_B = "10507", "10792"  # Phường Thành Đông, Xã An Thành


def take(round_, citizen_id, right, now=None):
    now = now or utcnow()
    attempt = attempts.start_attempt(citizen_id, round_, now, GRACE, random.Random(citizen_id))
    for item in attempt.items:
        shown = item.shown_correct if item.position < right else [p for p in range(4) if p not in item.shown_correct][:1]
        attempts.save_answer(attempt.id, citizen_id, item.position, shown, now, GRACE)
    outcome = attempts.submit_attempt(attempt.id, citizen_id, None, None, now, GRACE)
    tallies.record_submission(outcome)
    return outcome


@dataclass
class Scenario:
    round_id: int
    citizen_a: int
    citizen_b: int
    phone_a: str
    phone_b: str


def build_scenario(app, contest) -> Scenario:
    """Citizens in communes A and B (one passed, one not), and the three staff accounts."""
    with app.app_context():
        tallies.rebuild()
        round_ = db.session.get(Round, contest.id)
        a = make_citizen(COMMUNE_A, phone="0912000111", full_name="Phạm Thị Ánh")
        b = make_citizen(COMMUNE_B, phone="0987000222", full_name="Hoàng Văn Bình")
        take(round_, a.id, 18)
        take(round_, b.id, 7)
        make_staff("bantochuc")
        make_staff("xa-a", "commune_admin", COMMUNE_A)
        make_staff("xa-b", "commune_admin", COMMUNE_B)
        return Scenario(round_.id, a.id, b.id, a.phone, b.phone)
