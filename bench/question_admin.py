"""Organizer pages' queries at scale: ranking top 50, statistics refresh and reads, bank search, import dry run.

Fills a database with BENCH_ATTEMPTS graded attempts of 20 items (default 20,000 = 400,000 items) over the
114 communes, then times each query. SQLite in a temporary folder, or BENCH_DATABASE_URL (an empty
PostgreSQL database you own: its tables are dropped at the end). Run: .venv/bin/python bench/question_admin.py
"""
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.contest.question_stats import (  # noqa: E402
    commune_stats,
    question_stats,
    refresh_stats,
    topic_stats,
)
from quiz.contest.ranking import refresh_round_rank_keys, round_ranking  # noqa: E402
from quiz.infra.clock import utcnow  # noqa: E402
from quiz.infra.extensions import db  # noqa: E402
from quiz.models import (  # noqa: E402
    Attempt,
    AttemptItem,
    BestResult,
    Citizen,
    Commune,
    Question,
    QuestionStatSnapshot,
    Round,
)
from quiz.people.communes import sync_communes  # noqa: E402
from quiz.questions.bank import load_sample_bank  # noqa: E402
from quiz.questions.editing import search_questions  # noqa: E402
from quiz.questions.transfer import preview_import  # noqa: E402

ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", 20_000))
REPEAT = int(os.environ.get("BENCH_REPEAT", 3))


def populate(round_id: int) -> None:
    """Citizens, one graded attempt each with 20 items, and their best results: bulk inserts."""
    rng = random.Random(4)
    codes = list(db.session.scalars(select(Commune.code)))
    versions = [(q.current_version_id, q.current_version.correct, len(q.current_version.choices))
                for q in db.session.scalars(select(Question))]
    now = utcnow()
    for start in range(0, ATTEMPTS, 2_000):
        batch = range(start, min(start + 2_000, ATTEMPTS))
        db.session.execute(insert(Citizen), [{"id": n + 1, "full_name": f"Người {n}", "commune_code": rng.choice(codes)}
                                             for n in batch])
        attempts, items, bests = [], [], []
        for n in batch:
            skill, served = rng.random(), rng.sample(versions, 20)
            rights = [rng.random() < 0.3 + 0.6 * skill for _ in served]
            when = now - timedelta(seconds=rng.randrange(86_400 * 10))
            duration = rng.randrange(120, 1_200)
            attempts.append({"id": n + 1, "round_id": round_id, "citizen_id": n + 1, "number": 1, "started_at": when,
                             "deadline_at": when, "submitted_at": when, "score": sum(rights), "max_score": 20,
                             "percent": sum(rights) * 5.0, "passed": sum(rights) >= 16, "duration_seconds": duration,
                             "prediction": rng.choice([None, rng.randrange(500)])})
            bests.append({"round_id": round_id, "citizen_id": n + 1, "attempt_id": n + 1, "score": sum(rights),
                          "percent": sum(rights) * 5.0, "passed": sum(rights) >= 16, "duration_seconds": duration,
                          "submitted_at": when, "first_completed_at": when, "attempts_count": 1})
            for position, ((version_id, correct, count), right) in enumerate(zip(served, rights)):
                selected = correct if right else [next(i for i in range(count) if i not in correct)]
                items.append({"attempt_id": n + 1, "position": position, "question_version_id": version_id,
                              "choice_order": list(range(count)), "selected": selected, "answered_at": when,
                              "is_correct": right})
        db.session.execute(insert(Attempt), attempts)
        db.session.execute(insert(AttemptItem), items)
        db.session.execute(insert(BestResult), bests)
        db.session.commit()


def timed(label: str, action) -> None:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    print(f"  {label:<52} median {statistics.median(timings):8.1f} ms   max {max(timings):8.1f} ms")


def import_file(rows: int) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["chu_de", "do_kho", "cau_hoi", "dap_an_1", "dap_an_2", "dap_an_3", "dap_an_dung", "giai_thich"])
    for n in range(rows):
        book.active.append(["lua-dao", 2, f"Câu hỏi thử số {n} về lừa đảo?", "Đúng", "Sai", "Không biết", 1, "Vì."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        sync_communes("31")
        load_sample_bank()
        round_ = Round(name="Đợt đo", opens_at=utcnow() - timedelta(days=11), closes_at=utcnow(), prediction_answer=250)
        db.session.add(round_)
        db.session.commit()
        start = time.perf_counter()
        populate(round_.id)
        refresh_round_rank_keys(round_)  # what grading writes with each result
        db.session.commit()
        print(f"{db.engine.dialect.name}: {ATTEMPTS:,} attempts, {ATTEMPTS * 20:,} items "
              f"(filled in {time.perf_counter() - start:.0f} s); {REPEAT} runs each")
        commune = db.session.scalar(select(Citizen.commune_code).limit(1))
        timed("ranking top 50, province", lambda: round_ranking(round_, 50))
        timed("ranking top 50, one commune", lambda: round_ranking(round_, 50, commune))
        timed("stats refresh: compute + store (province + communes)", lambda: refresh_stats(round_.id, utcnow()))
        print(f"  ({db.session.scalar(select(func.count(QuestionStatSnapshot.id)))} snapshot rows)")
        timed("stats page reads: questions+topics+communes, province", lambda: (
            question_stats(round_.id), topic_stats(round_.id), commune_stats(round_.id)))
        timed("stats page reads: questions+topics, one commune", lambda: (
            question_stats(round_.id, commune), topic_stats(round_.id, commune)))
        timed("bank search 'lua dao' (page 1)", lambda: search_questions("lua dao"))
        content = import_file(2_000)
        timed("import dry run, 2,000-row xlsx", lambda: preview_import(content, "xlsx"))
        if url.startswith("postgresql"):
            db.session.execute(Question.__table__.update().values(current_version_id=None))
            db.session.commit()
            db.drop_all()


if __name__ == "__main__":
    main()
