"""Shared set-up for admin tests: two communes with participants, an organizer and two commune admins."""
import random
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from quiz import tallies
from quiz.contest import attempts
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.infra.passwords_hash import HashCost, hash_password
from quiz.models import Round, StaffUser
from tests.conftest import make_citizen

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


@cache
def _staff_password_hash() -> str:
    """Hashed once per session: hashing is slow on purpose, and every admin test logs staff in."""
    return hash_password("matkhau-quan-tri", HashCost(64, 1, 1))  # TestConfig's cost: no rehash at log-in


def add_staff(username: str, role: str = "organizer", commune_code: str | None = None) -> StaffUser:
    """A staff row with the tests' usual password (same as conftest.make_staff, without re-hashing)."""
    staff = StaffUser(username=username, role=role, commune_code=commune_code, must_change_password=False,
                      display_name=username, password_hash=_staff_password_hash())
    db.session.add(staff)
    db.session.commit()
    return staff


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
        add_staff("bantochuc")
        add_staff("xa-a", "commune_admin", COMMUNE_A)
        add_staff("xa-b", "commune_admin", COMMUNE_B)
        return Scenario(round_.id, a.id, b.id, a.phone, b.phone)
