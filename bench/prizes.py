"""Winners of a period with 1,000,000 attempts, and the ranking page at that size.

Fills a database with BENCH_ATTEMPTS attempts (default 1,000,000: 3 per citizen, 333,334 citizens and
best results; 43 % of the counting results perfect, as in the Youth Union's weekly quiz, so the
tie-break chain decides every prize) over the 114 communes, closes the period and times:
the stored rank keys of every result (what the migration or a new true answer costs) and of one
result (what a submit adds), the ranking page (top 50 through the real app, the query alone, and
the query as it was before the rank key: the chain's ORDER BY of the columns) for one chain of each
kind, the winners' computation and freeze, and the checking spreadsheet. Baselines measured in the
same run: one COUNT over the period's results, and `/healthz` through the same app.

SQLite in a temporary folder, or BENCH_DATABASE_URL (an empty PostgreSQL database you own: its
tables are dropped at the end). Run: .venv/bin/python bench/prizes.py; BENCH_PRIZES_WINNERS_ONLY=1 times only the
winners (and the spreadsheet) on a table whose keys were written once, as at a real period's close.
"""
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.contest.prizes import TierDraft, compute_winners, recompute_winners, set_tiers, write_prize_sheet  # noqa: E402
from quiz.contest.ranking import (  # noqa: E402
    _ranking_statement,  # the ORDER BY of the columns: the page's query before the rank key
    refresh_rank_keys,
    refresh_round_rank_keys,
    round_ranking,
)
from quiz.contest.standings import citizen_standing, contest_standings, period_place  # noqa: E402
from quiz.infra.clock import utcnow  # noqa: E402
from quiz.infra.extensions import db  # noqa: E402
from quiz.models import Attempt, BestResult, Citizen, Commune, Round, StaffUser  # noqa: E402
from quiz.people.communes import sync_communes  # noqa: E402

ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", 1_000_000))
WINNERS_ONLY = os.environ.get("BENCH_PRIZES_WINNERS_ONLY") == "1"  # skip the eight rewrites of every key
PER_CITIZEN = 3
BATCH = 20_000
DEFAULT = ["score", "duration", "prediction", "submitted_at"]
ANSWER = 150_000  # a true answer typed by the organizer, for the chains where the prediction decides
EVERY = ["score", "prediction", "duration", "submitted_at", "started_at", "attempts_used"]
LIVE_CHAINS: dict[str, tuple[list[str], int | None]] = {  # label: (chain, the prediction's true answer)
    "default (score, time, prediction, submission)": (DEFAULT, None),
    "score, submission time": (["score", "submitted_at"], None),
    "score, start time": (["score", "started_at"], None),
    "score, attempts used": (["score", "attempts_used"], None),
    "score, prediction (answer known), time": (["score", "prediction", "duration"], ANSWER),
    "score alone": (["score"], None),
    "time taken, score (score not first)": (["duration", "score"], None),
    "all six criteria (answer known)": (EVERY, ANSWER),
}
PREDICTION_FIRST = ["score", "prediction", "duration"]


def _citizen_rows(start: int, stop: int, codes: list[str], rng: random.Random):  # type: ignore[no-untyped-def]
    return [{"id": n, "full_name": f"Người {n}", "commune_code": rng.choice(codes)} for n in range(start, stop)]


def _attempts_of(citizen_id: int, round_id: int, opens, rng: random.Random) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = []
    for number in range(1, PER_CITIZEN + 1):
        score = 20 if rng.random() < 0.43 else rng.randrange(8, 20)
        started = opens + timedelta(seconds=rng.randrange(6 * 86_400))
        duration = rng.randrange(60, 1_200)
        rows.append({"id": (citizen_id - 1) * PER_CITIZEN + number, "round_id": round_id, "citizen_id": citizen_id,
                     "number": number, "started_at": started, "deadline_at": started + timedelta(minutes=20),
                     "submitted_at": started + timedelta(seconds=duration), "score": score, "max_score": 20,
                     "percent": score * 5.0, "passed": score >= 16, "duration_seconds": duration,
                     "prediction": None if rng.random() < 0.1 else rng.randrange(100_000, 200_000)})
    return rows


def _best_of(rows: list[dict]) -> dict:
    best = max(rows, key=lambda r: (r["score"], -r["duration_seconds"]))
    return {"round_id": best["round_id"], "citizen_id": best["citizen_id"], "attempt_id": best["id"],
            "score": best["score"], "percent": best["percent"], "passed": best["passed"],
            "duration_seconds": best["duration_seconds"], "submitted_at": best["submitted_at"],
            "first_completed_at": min(r["submitted_at"] for r in rows), "attempts_count": len(rows)}


def populate(round_: Round) -> int:
    """Citizens, their attempts and best results, by bulk inserts; returns the number of attempts."""
    rng = random.Random(18)
    codes = list(db.session.scalars(select(Commune.code)))
    citizens = -(-ATTEMPTS // PER_CITIZEN)
    for start in range(1, citizens + 1, BATCH):
        stop = min(start + BATCH, citizens + 1)
        db.session.execute(insert(Citizen), _citizen_rows(start, stop, codes, rng))
        per_citizen = [_attempts_of(n, round_.id, round_.opens_at, rng) for n in range(start, stop)]
        db.session.execute(insert(Attempt), [row for rows in per_citizen for row in rows])
        db.session.execute(insert(BestResult), [_best_of(rows) for rows in per_citizen])
        db.session.commit()
    return citizens * PER_CITIZEN


def median_ms(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


CPU: dict[str, float] = {}  # process CPU seconds of the last timed action (this machine is shared: wall time drifts)


def seconds(action) -> float:  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    action()
    CPU["last"] = time.process_time() - cpu
    return time.perf_counter() - start


def _organizer() -> int:
    staff = StaffUser(username="do", role=StaffUser.ORGANIZER, must_change_password=False, display_name="do")
    staff.set_password("matkhau-do-luong")
    db.session.add(staff)
    db.session.commit()
    return staff.id


def _fill(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.create_all()
        sync_communes("31")
        now = utcnow()
        round_ = Round(name="Tuần đo", opens_at=now - timedelta(days=7), closes_at=now - timedelta(minutes=1),
                       prediction_question="Bao nhiêu người trả lời đúng tất cả?", prediction_kind="all_correct")
        db.session.add(round_)
        db.session.commit()
        took = seconds(lambda: populate(round_))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        results = db.session.scalar(select(func.count(BestResult.id)))
        print(f"{db.engine.dialect.name}: {ATTEMPTS:,} attempts, {results:,} ranked citizens (filled in {took:.0f} s)")
        staff_id = _organizer()
        set_tiers(round_.id, [TierDraft("Giải nhất", 1), TierDraft("Giải nhì", 2), TierDraft("Giải ba", 3),
                              TierDraft("Giải khuyến khích", 30)], staff_id)
        return round_.id, staff_id


def in_app(app, action):  # type: ignore[no-untyped-def]
    def run():  # type: ignore[no-untyped-def]
        with app.app_context():
            return action()
    return run


def _set_chain(round_id: int, chain: list[str], answer: int | None = None) -> None:
    """What the round form does (quiz.contest.rounds.update_round): the chain or answer, then the rank keys."""
    round_ = db.session.get(Round, round_id)
    round_.tiebreak_chain, round_.prediction_answer = chain, answer
    refresh_round_rank_keys(round_)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # what autovacuum does after rewriting a third of the table
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE best_results"))


def _before_the_rank_key(round_id: int) -> None:
    db.session.execute(_ranking_statement(db.session.get(Round, round_id), None).limit(51)).all()


def _ranking_figures(label: str, app, client, round_id: int, count_ms: float, health_ms: float,  # type: ignore[no-untyped-def]
                     before: bool = True) -> None:
    query_ms = median_ms(in_app(app, lambda: round_ranking(db.session.get(Round, round_id), 50)), 10)
    page_ms = median_ms(lambda: client.get(f"/quan-tri/dot-thi/{round_id}/xep-hang?top=50"), 10)
    print(f"  {label}:")
    print(f"    top 50, query                                median {query_ms:8.1f} ms ({query_ms / count_ms:5.1f} × COUNT)")
    print(f"    page top 50 (GET, organizer)                 median {page_ms:8.1f} ms ({page_ms / health_ms:5.1f} × /healthz)")
    if before:
        old_ms = median_ms(in_app(app, lambda: _before_the_rank_key(round_id)), 1)
        print(f"    before: ORDER BY of the columns, top 50      {old_ms:8.1f} ms ({old_ms / query_ms:5.0f} × the query now)")


def _rank_key_figures(app, round_id: int, read_s: float) -> None:  # type: ignore[no-untyped-def]
    every = seconds(in_app(app, lambda: _set_chain(round_id, DEFAULT)))
    print(f"  rank keys of every result (migration, new answer) {every:6.1f} s   ({every / read_s:4.1f} × the read)")
    one_ms = in_app(app, lambda: _one_rank_key_ms(round_id))()
    print(f"  rank key of one result (added to each submit)  mean   {one_ms:8.2f} ms (200 in one transaction)")


def _one_rank_key_ms(round_id: int) -> float:
    """What the rank key adds to a submit: its UPDATE inside an open write transaction (rolled back)."""
    refresh_rank_keys(round_id, DEFAULT, None, [1])  # the transaction is open and writing already
    start = time.perf_counter()
    for citizen_id in range(2, 202):
        refresh_rank_keys(round_id, DEFAULT, None, [citizen_id * 1_000])
    took = (time.perf_counter() - start) * 1000 / 200
    db.session.rollback()
    return took


def _standing_figures(app, client, round_id: int, count_ms: float) -> None:  # type: ignore[no-untyped-def]
    contest_id = in_app(app, lambda: db.session.get(Round, round_id).contest_id)()
    top_ms = median_ms(in_app(app, lambda: contest_standings(contest_id, 50)), 5)
    mine_ms = median_ms(in_app(app, lambda: citizen_standing(contest_id, 250_000)), 5)
    place_ms = median_ms(in_app(app, lambda: period_place(db.session.get(Round, round_id), 250_000)), 5)
    print("  whole-contest standing (one period here, every result in the GROUP BY):")
    print(f"    top 50, query                                median {top_ms:8.1f} ms ({top_ms / count_ms:5.1f} × COUNT)")
    print(f"    one citizen's contest place                  median {mine_ms:8.1f} ms ({mine_ms / count_ms:5.1f} × COUNT)")
    print(f"    one citizen's place in the period            median {place_ms:8.1f} ms ({place_ms / count_ms:5.1f} × COUNT)")


def main() -> None:
    from tests.conftest import staff_login
    folder = None if os.environ.get("BENCH_DATABASE_URL") else tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                                 "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    round_id, staff_id = _fill(app)
    client = app.test_client()
    staff_login(client, "do", "matkhau-do-luong")
    count_ms = median_ms(in_app(app, lambda: db.session.scalar(
        select(func.count(BestResult.id)).where(BestResult.round_id == round_id))), 5)
    health_ms = median_ms(lambda: client.get("/healthz"), 20)
    read_s = seconds(in_app(app, lambda: db.session.execute(
        select(BestResult.citizen_id, BestResult.attempt_id, BestResult.score, BestResult.duration_seconds,
               BestResult.submitted_at, BestResult.attempts_count, BestResult.passed)
        .where(BestResult.round_id == round_id)).all()))
    print(f"  baseline COUNT of the period's results        median {count_ms:8.1f} ms")
    print(f"  baseline read of all results into Python       {read_s:8.1f} s ({CPU['last']:.1f} s CPU)")
    print(f"  baseline GET /healthz                          median {health_ms:8.1f} ms")
    if WINNERS_ONLY:  # the period as it stands at its close: keys written once, at the submits
        in_app(app, lambda: _set_chain(round_id, DEFAULT))()
    else:
        _rank_key_figures(app, round_id, read_s)
        for label, (chain, answer) in LIVE_CHAINS.items():
            in_app(app, lambda chain=chain, answer=answer: _set_chain(round_id, chain, answer))()
            _ranking_figures(f"live ranking, chain {label}", app, client, round_id, count_ms, health_ms)
        in_app(app, lambda: _set_chain(round_id, DEFAULT))()
        _standing_figures(app, client, round_id, count_ms)
    first = seconds(in_app(app, lambda: compute_winners(round_id, utcnow(), staff_id)))
    answer = in_app(app, lambda: db.session.get(Round, round_id).prediction_answer)()
    print(f"  winners computed and frozen, default chain     {first:8.1f} s   ({first / read_s:4.1f} × the read; "
          f"{CPU['last']:.1f} s CPU in this process; computed prediction answer {answer:,})")
    _ranking_figures("frozen ranking (after the freeze)", app, client, round_id, count_ms, health_ms, before=False)
    in_app(app, lambda: _set_chain(round_id, PREDICTION_FIRST, answer))()
    redo = seconds(in_app(app, lambda: recompute_winners(round_id, utcnow(), staff_id, "Đo với dự đoán đứng trước")))
    redo_cpu = CPU["last"]
    print(f"  winners recomputed, chain score, prediction, time {redo:5.1f} s ({redo / read_s:4.1f} × the read; "
          f"{redo_cpu:.1f} s CPU)")
    sheet = seconds(in_app(app, lambda: write_prize_sheet(db.session.get(Round, round_id), io.BytesIO())))
    print(f"  checking spreadsheet, every ranked citizen     {sheet:8.1f} s")
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
        db.engine.dispose()
    if folder:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
