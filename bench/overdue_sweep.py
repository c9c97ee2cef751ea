"""The overdue sweep at scale: BENCH_OVERDUE attempts (default 100,000 × 20 items) past their deadline, closed.

The database holds BENCH_OVERDUE + BENCH_BASELINE overdue attempts: the baseline's are closed one by one
first, then the sweep closes exactly BENCH_OVERDUE.

Fills a database with citizens each holding one unsubmitted attempt whose deadline passed, with answers
saved before the deadline, after it (within the grace) and never; then
  1. the baseline: the per-attempt path (submit_attempt + tally, as a citizen's return graded it) on
     BENCH_BASELINE attempts (default 2,000), extrapolated;
  2. the sweep: `close_overdue` over all the others, in its batches;
and checks `tallies.verify` is empty afterwards. SQLite in a temporary folder, or BENCH_DATABASE_URL
(an empty PostgreSQL database you own: its tables are dropped at the end); Redis from BENCH_REDIS_URL.
Run: BENCH_REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/overdue_sweep.py
"""
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from quiz import create_app, tallies  # noqa: E402
from quiz.contest.attempts import submit_attempt  # noqa: E402
from quiz.contest.overdue import close_overdue  # noqa: E402
from quiz.infra.clock import utcnow  # noqa: E402
from quiz.infra.extensions import db  # noqa: E402
from quiz.infra.redis_client import get_redis  # noqa: E402
from quiz.models import Attempt, AttemptItem, Citizen, Commune, Question, Round  # noqa: E402
from quiz.people.communes import sync_communes  # noqa: E402
from quiz.questions.bank import load_sample_bank  # noqa: E402

OVERDUE = int(os.environ.get("BENCH_OVERDUE", 100_000))
BASELINE = int(os.environ.get("BENCH_BASELINE", 2_000))
GRACE = timedelta(seconds=30)
CHUNK = 2_000


def populate(round_id: int, time_limit: timedelta) -> None:
    """Citizens with one overdue attempt each: 20 items, about half answered in time, some late, some never."""
    rng = random.Random(14)
    codes = list(db.session.scalars(select(Commune.code)))
    versions = [(q.current_version_id, q.current_version.correct, len(q.current_version.choices))
                for q in db.session.scalars(select(Question))]
    now = utcnow()
    for start in range(0, OVERDUE + BASELINE, CHUNK):
        batch = range(start, min(start + CHUNK, OVERDUE + BASELINE))
        db.session.execute(insert(Citizen), [{"id": n + 1, "full_name": f"Người {n}", "phone": f"09{n:08d}",
                                              "commune_code": rng.choice(codes), "created_at": now - timedelta(days=3)}
                                             for n in batch])
        attempts, items = [], []
        for n in batch:
            started = now - timedelta(hours=2) - timedelta(seconds=rng.randrange(86_400))
            deadline = started + time_limit
            attempts.append({"id": n + 1, "round_id": round_id, "citizen_id": n + 1, "number": 1, "started_at": started,
                             "deadline_at": deadline, "max_score": 20})
            for position, (version_id, correct, count) in enumerate(rng.sample(versions, 20)):
                fate = rng.random()  # 30 % never answered, 2 % saved late (in the grace), the rest in time
                selected = correct if rng.random() < 0.6 else [next(i for i in range(count) if i not in correct)]
                answered = None if fate < 0.3 else deadline + timedelta(seconds=10) if fate < 0.32 else started
                items.append({"attempt_id": n + 1, "position": position, "question_version_id": version_id,
                              "choice_order": list(range(count)), "selected": selected if answered else None,
                              "answered_at": answered, "is_correct": (selected == correct) if answered else None})
        db.session.execute(insert(Attempt), attempts)
        _insert_items(items)
        db.session.commit()


def _insert_items(items: list[dict]) -> None:
    """Items by COPY on PostgreSQL (inserting two million rows otherwise takes a quarter of an hour here)."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(AttemptItem), items)
        return
    columns = ("attempt_id", "position", "question_version_id", "choice_order", "selected", "answered_at", "is_correct")
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY attempt_items ({', '.join(columns)}) FROM STDIN") as copy:
        for item in items:
            copy.write_row([json.dumps(item[c]) if c in ("choice_order", "selected") and item[c] is not None
                            else item[c] for c in columns])


def baseline(round_id: int) -> float:
    """Seconds per attempt for the per-attempt path (what a citizen's return did)."""
    ids = list(db.session.execute(select(Attempt.id, Attempt.citizen_id).where(Attempt.round_id == round_id)
                                  .order_by(Attempt.deadline_at).limit(BASELINE)))
    start = time.perf_counter()
    for attempt_id, citizen_id in ids:
        submit_attempt(attempt_id, citizen_id, None, None, utcnow(), GRACE)  # its tally event is sent on commit
    return (time.perf_counter() - start) / max(len(ids), 1)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url})
    with app.app_context():
        db.create_all()
        sync_communes("31")
        load_sample_bank()
        round_ = Round(name="Đợt đo", opens_at=utcnow() - timedelta(days=3), closes_at=utcnow() + timedelta(days=1))
        db.session.add(round_)
        db.session.commit()
        started = time.perf_counter()
        populate(round_.id, timedelta(seconds=round_.time_limit_seconds))
        print(f"{db.engine.dialect.name}: {OVERDUE + BASELINE:,} overdue attempts, {(OVERDUE + BASELINE) * 20:,} items "
              f"(filled in {time.perf_counter() - started:.0f} s)")
        tallies.rebuild()
        per_attempt = baseline(round_.id)
        print(f"  baseline, submit_attempt one by one: {per_attempt * 1000:.2f} ms an attempt "
              f"({BASELINE:,} timed; {OVERDUE:,} would take {per_attempt * OVERDUE:.0f} s)")
        started = time.perf_counter()
        closed = close_overdue(utcnow(), GRACE)
        seconds = time.perf_counter() - started
        print(f"  sweep, close_overdue: {closed:,} attempts in {seconds:.1f} s ({seconds / max(closed, 1) * 1000:.3f} ms "
              f"an attempt; {per_attempt * closed / seconds:.1f}× the baseline's rate)")
        left = db.session.scalar(select(func.count(Attempt.id)).where(Attempt.submitted_at.is_(None)))
        differences = tallies.verify([round_.id])
        print(f"  left unsubmitted: {left}; tallies.verify: {'empty' if not differences else differences[:5]}")
        if db.engine.dialect.name == "postgresql":
            db.session.remove()
            db.drop_all()
        get_redis().flushdb()


if __name__ == "__main__":
    main()
