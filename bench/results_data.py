"""Seeding a benchmark database for certificates and public pages: passed citizens written as rows."""
import random
from datetime import timedelta

from flask import Flask
from sqlalchemy import insert, select, update

from quiz import tallies
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Commune, Consent, PrivacyNotice, Round

FIRST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Đức", "Thu", "Minh", "Ngọc"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hằng", "Khoa", "Lụa", "Thuỷ", "Yến"]


def seed_results(app: Flask, round_id: int, count: int, seed: int = 7) -> None:
    """`count` citizens across the communes, each with one graded attempt (80 % pass), publication consent."""
    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        codes = list(db.session.scalars(select(Commune.code).where(Commune.province_code == app.config["PROVINCE_CODE"])))
        db.session.execute(update(Commune).values(adult_population=rng.randint(8_000, 40_000)))
        notice = db.session.scalar(select(PrivacyNotice))
        citizens = [{"full_name": f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                     "name_key": "x", "phone": f"09{7_000_000 + i:08d}", "commune_code": rng.choice(codes),
                     "created_at": now} for i in range(count)]
        db.session.execute(insert(Citizen), citizens)
        ids = list(db.session.scalars(select(Citizen.id).order_by(Citizen.id)))[-count:]
        scores = {cid: rng.randint(12, 20) for cid in ids}
        db.session.execute(insert(Attempt), [
            {"round_id": round_id, "citizen_id": cid, "number": 1, "started_at": now - timedelta(minutes=10),
             "deadline_at": now, "submitted_at": now, "score": s, "max_score": 20, "percent": 5.0 * s,
             "passed": s >= 16, "duration_seconds": rng.randint(60, 1200)} for cid, s in scores.items()])
        attempts = dict(db.session.execute(select(Attempt.citizen_id, Attempt.id).where(Attempt.round_id == round_id)).all())
        db.session.execute(insert(BestResult), [
            {"round_id": round_id, "citizen_id": cid, "attempt_id": attempts[cid], "score": s, "percent": 5.0 * s,
             "passed": s >= 16, "duration_seconds": 600, "submitted_at": now, "first_completed_at": now}
            for cid, s in scores.items()])
        db.session.execute(insert(Consent), [
            {"citizen_id": cid, "purpose": Consent.PUBLISH_WINNER, "notice_id": notice.id,
             "notice_sha256": notice.text_sha256, "given_at": now} for cid in ids])
        db.session.commit()
        tallies.rebuild()


def close(app: Flask, round_id: int) -> None:
    """Close the round so that its winners are published."""
    with app.app_context():
        db.session.get(Round, round_id).closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
