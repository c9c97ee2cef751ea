"""The communes' collective ranking at 1,000,000 attempts: what it adds to the organizer dashboard.

Fills the database like bench/prizes.py (BENCH_ATTEMPTS, default 1,000,000: 333,334 citizens with a
best result in one period, over the 114 communes), rebuilds the Redis tallies, then times the ranking
of the period and its contest alone, the organizer dashboard page (which draws it) against its polled
JSON (which does not), and the Excel. SQLite in a temporary folder, or BENCH_DATABASE_URL (an empty
PostgreSQL database you own: its tables are dropped at the end); Redis from TEST_REDIS_URL.
Run: TEST_REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/commune_ranking.py
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.prizes import _fill, in_app, median_ms  # noqa: E402
from quiz import create_app, tallies  # noqa: E402
from quiz.infra.extensions import db  # noqa: E402
from quiz.models import Round  # noqa: E402
from quiz.reports.commune_ranking import commune_ranking  # noqa: E402


def main() -> None:
    from tests.conftest import staff_login
    folder = None if os.environ.get("BENCH_DATABASE_URL") else tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                                 "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    round_id, _ = _fill(app)
    in_app(app, tallies.rebuild)()
    contest_id = in_app(app, lambda: db.session.get(Round, round_id).contest_id)()
    client = app.test_client()
    staff_login(client, "do", "matkhau-do-luong")
    ranking_ms = median_ms(in_app(app, lambda: commune_ranking(db.session.get(Round, round_id), "31")), 5)
    page_ms = median_ms(lambda: client.get(f"/quan-tri/tong-quan?round={round_id}"), 5)
    json_ms = median_ms(lambda: client.get(f"/quan-tri/tong-quan.json?round={round_id}"), 5)
    excel_ms = median_ms(lambda: client.get(f"/quan-tri/cuoc-thi/{contest_id}?xuat=xlsx"), 3)
    print(f"  commune ranking, period + contest (2 × 114)    median {ranking_ms:8.1f} ms")
    print(f"  GET organizer dashboard (draws the ranking)    median {page_ms:8.1f} ms")
    print(f"  GET its polled JSON (no ranking)               median {json_ms:8.1f} ms")
    print(f"  GET ranking Excel (contest + 1 period)         median {excel_ms:8.1f} ms")
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
        db.engine.dispose()
    if folder:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
