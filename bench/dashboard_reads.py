"""Dashboard read latency with tallies for 1,000 and for 1,000,000 attempts: it must not grow.

The tallies are written straight into Redis (database 9 by default) as if that many attempts had been
graded over 114 communes and 30 days; the database holds only the communes. Run: `make bench-dashboard`.
"""
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quiz import create_app, tallies  # noqa: E402
from quiz.infra.extensions import db  # noqa: E402
from quiz.infra.redis_client import get_redis  # noqa: E402
from quiz.people.communes import sync_communes  # noqa: E402
from quiz.tallies.figures import province_codes  # noqa: E402

READS = int(os.environ.get("BENCH_READS", 300))


def populate(attempt_total: int, round_id: int = 1) -> None:
    """Write a generation whose figures add up to `attempt_total` graded attempts."""
    client, rng = get_redis(), random.Random(attempt_total)
    client.flushdb()
    codes = province_codes("31")
    g = tallies.generation_key("1")
    share = [rng.random() for _ in codes]
    pipe = client.pipeline()
    for code, weight in zip(codes, share):
        attempts = int(attempt_total * weight / sum(share))
        completed = int(attempts * 0.8)
        pipe.hset(f"{g}:reg", code, int(completed * 1.6))
        pipe.hset(tallies.round_key(g, round_id, "attempts"), code, attempts)
        pipe.hset(tallies.round_key(g, round_id, "completed"), code, completed)
        pipe.hset(tallies.round_key(g, round_id, "passed"), code, int(completed * 0.6))
        pipe.hset(tallies.round_key(g, round_id, "score_sum"), code, completed * 16)
        for day in range(1, 31):
            pipe.hset(f"{g}:reg:day:{code}", f"2026-11-{day:02d}", completed // 20)
            pipe.hset(f"{tallies.round_key(g, round_id, 'day')}:{code}", f"2026-11-{day:02d}", completed // 30)
    for day in range(1, 31):
        pipe.hset(f"{g}:reg:day", f"2026-11-{day:02d}", attempt_total // 20)
        pipe.hset(tallies.round_key(g, round_id, "day"), f"2026-11-{day:02d}", attempt_total // 30)
    pipe.set(f"{tallies.prefix()}:gen", "1")
    pipe.execute()


def measure(round_id: int = 1) -> list[float]:
    timings = []
    for _ in range(READS):
        start = time.perf_counter()
        view = tallies.read_commune_figures(round_id)
        tallies.read_daily(round_id)
        tallies.read_daily(round_id, "10507")
        timings.append((time.perf_counter() - start) * 1000)
        assert not view.degraded
    return timings


def main() -> None:
    folder = tempfile.mkdtemp()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                                 "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")})
    with app.app_context():
        db.create_all()
        sync_communes("31")
        print(f"dashboard read = commune figures + city daily + one commune daily; {READS} reads each")
        for total in (1_000, 1_000_000):
            populate(total)
            timings = sorted(measure())
            total_seen = tallies.read_commune_figures(1).totals.attempts
            print(f"{total:>9,} attempts (tallied {total_seen:,}): p50 {statistics.median(timings):.2f} ms, "
                  f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms, max {timings[-1]:.2f} ms")
        get_redis().flushdb()


if __name__ == "__main__":
    main()
