"""Launch-day load on loopback: the real citizen flow against two gunicorn servers sharing one database
and one Redis, the submit endpoint alone, and the same gunicorn serving a "hello" and a "skeleton"
endpoint for comparison; then a consistency check (nothing lost, nothing doubled, tallies = database).

Run: `make bench-load` (both SQLite and PostgreSQL). Bounded: BENCH_FLOW_CITIZENS (default 200),
BENCH_SUBMITS (default 7500), BENCH_ROUNDS (3) turns of BENCH_SECONDS (4) per endpoint, BENCH_CONCURRENCY (64). Uses Redis
database 8 and a PostgreSQL database `cds_bench` that it creates and drops.
"""
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import driver, prepare, wrk  # noqa: E402
from bench.apps import create_skeleton_table  # noqa: E402
from bench.servers import bench_env, gunicorn, postgres_database  # noqa: E402

FLOW_CITIZENS = int(os.environ.get("BENCH_FLOW_CITIZENS", 200))
SUBMITS = int(os.environ.get("BENCH_SUBMITS", 7500))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
SECONDS = int(os.environ.get("BENCH_SECONDS", 4))  # per endpoint and turn
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 64))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PORTS = {"app_a": 8101, "app_b": 8102, "hello": 8103, "skeleton": 8104}


def make_app(env: dict):  # type: ignore[no-untyped-def]
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")})
    from quiz import create_app
    return create_app("development", {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "REDIS_URL": env["REDIS_URL"],
                                      "SECRET_KEY": env["SECRET_KEY"], "RATELIMIT_ENABLED": False})


def flush_redis() -> None:
    import redis
    redis.Redis.from_url(REDIS_URL).flushdb()


async def mixed_flow(bases: list[str], codes: list[str], admin_cookie: str, accepted: list[int]) -> driver.Recorder:
    rec = driver.Recorder()
    stop = asyncio.Event()
    pollers = [asyncio.create_task(driver.admin_poller(bases[i % 2], {"session": admin_cookie}, rec, stop))
               for i in range(2)]
    rng = random.Random(1)
    jobs = [(lambda i=i: driver.citizen_flow(bases[i % 2], f"03{i:08d}", rng.choice(codes), rec, accepted))
            for i in range(FLOW_CITIZENS)]
    await driver.run_bounded(jobs, CONCURRENCY)
    rec.finished = time.perf_counter()
    stop.set()
    await asyncio.gather(*pollers)
    return rec


def submit_only(base: str, ready: list[prepare.ReadyAttempt], log: Path) -> wrk.WrkResult:
    """The real submit endpoint alone, each prepared attempt submitted once, at 64 connections.

    The form carries the 20 ticked answers, as the phone's quiz form does (the skeleton parses 20 too).
    One server, like hello and skeleton: the ratios compare one gunicorn with one gunicorn.
    """
    requests = [("POST", f"/thi/{r.attempt_id}/nop", f"session={r.cookie}", {"csrf_token": r.csrf, **r.answers})
                for r in ready]
    return wrk.run("submit", base, requests, CONCURRENCY, SECONDS, unique=True, log=log)


@dataclass(frozen=True)
class Turn:
    """The submit endpoint, hello and the skeleton, measured one after the other."""

    submit: wrk.WrkResult
    hello: wrk.WrkResult
    skeleton: wrk.WrkResult

    def ratios(self) -> tuple[float, float]:
        """submit/hello and submit/skeleton."""
        return self.submit.rps / self.hello.rps, self.submit.rps / self.skeleton.rps


def compare(app_base: str, hello_base: str, skeleton_base: str, ready: list[prepare.ReadyAttempt],
            codes: list[str], log: Path) -> list[Turn]:
    """ROUNDS turns of submit, hello (the floor) and skeleton (the ceiling), each one gunicorn via wrk.

    Taking turns puts the three measurements of a ratio seconds apart: this shared machine's speed
    drifts by tens of percent over minutes, which separate phases would read as a change in the ratio.
    """
    rng = random.Random(2)
    bodies = [{**{f"q{p}": str(rng.randrange(4)) for p in range(20)}, "commune": rng.choice(codes)} for _ in range(SUBMITS)]
    share = len(ready) // ROUNDS
    turns = []
    for turn in range(ROUNDS):
        submit = submit_only(app_base, ready[turn * share:(turn + 1) * share], log)
        hello = wrk.run("hello", hello_base, [("GET", "/hello", "", None)] * 1000, CONCURRENCY, SECONDS, log=log)
        skeleton = wrk.run("skeleton", skeleton_base, [("POST", "/submit", "", body) for body in bodies],
                           CONCURRENCY, SECONDS, log=log)
        turns.append(Turn(submit, hello, skeleton))
    return turns


def report(turns: list[Turn]) -> list[str]:
    lines = []
    for number, turn in enumerate(turns, 1):
        to_hello, to_skeleton = turn.ratios()
        lines += [f"  turn {number}:", turn.submit.line(), turn.hello.line(), turn.skeleton.line(),
                  f"  ratios: submit/hello {to_hello:.3f}   submit/skeleton {to_skeleton:.3f}"]
    medians = [statistics.median(turn.ratios()[i] for turn in turns) for i in (0, 1)]
    lines.append(f"  median of {len(turns)} turns: submit/hello {medians[0]:.3f}   submit/skeleton {medians[1]:.3f}")
    return lines


def consistency(app, round_id: int, accepted: list[int], ready_ids: list[int],  # type: ignore[no-untyped-def]
                submits: list[wrk.WrkResult]) -> list[str]:
    """Every accepted submission is stored exactly once and graded; the tallies equal the database."""
    from sqlalchemy import func, select

    from quiz import tallies
    from quiz.infra.extensions import db
    from quiz.models import Attempt, BestResult
    with app.app_context():
        submitted = set(db.session.scalars(select(Attempt.id).where(Attempt.is_submitted)))
        lost = [a for a in accepted if a not in submitted]
        duplicates = db.session.scalar(select(func.count()).select_from(
            select(Attempt.citizen_id).where(Attempt.round_id == round_id).group_by(Attempt.citizen_id, Attempt.number)
            .having(func.count() > 1).subquery()))
        best = db.session.scalar(select(func.count(BestResult.id)))
        citizens_done = db.session.scalar(select(func.count(func.distinct(Attempt.citizen_id)))
                                          .where(Attempt.is_submitted))
        ready_submitted = len(submitted & set(ready_ids))
        differences = tallies.verify([round_id])
        db.session.remove()
    return [f"flow submissions accepted: {len(accepted)}, lost: {len(lost)}; duplicated attempts: {duplicates}; "
            f"best results {best} for {citizens_done} citizens",
            f"submit phase: wrk counted {sum(r.requests for r in submits)} successful submits, the database holds "
            f"{ready_submitted} (the difference: requests in flight when wrk stopped, "
            f"{sum(r.errors for r in submits)} socket errors)",
            f"tally differences: {len(differences)}"] + differences[:5]


def run_backend(name: str, database_url: str, log_dir: Path) -> None:
    flush_redis()
    env = bench_env(database_url, REDIS_URL, log_dir)
    app = make_app(env)
    round_id = prepare.build(app)
    codes = prepare.commune_codes(app)
    ready = prepare.ready_attempts(app, round_id, SUBMITS, phone_offset=10_000_000)
    admin_cookie = prepare.organizer_cookie(app)
    accepted: list[int] = []
    bases = [f"http://127.0.0.1:{PORTS['app_a']}", f"http://127.0.0.1:{PORTS['app_b']}"]
    access = Path(env["GUNICORN_ACCESS_LOG"])
    create_skeleton_table(database_url)
    with ExitStack() as servers:
        for spec, port in (("wsgi:app", "app_a"), ("wsgi:app", "app_b"), ("bench.apps:hello()", "hello"),
                           ("bench.apps:skeleton()", "skeleton")):
            servers.enter_context(gunicorn(spec, PORTS[port], env, log_dir))
        flow = asyncio.run(mixed_flow(bases, codes, admin_cookie, accepted))
        turns = compare(bases[0], f"http://127.0.0.1:{PORTS['hello']}", f"http://127.0.0.1:{PORTS['skeleton']}",
                        ready, codes, access)
    print(f"\n=== {name}: {FLOW_CITIZENS} citizens through the whole flow, two app servers, {CONCURRENCY} clients ===")
    print("\n".join(flow.report()))
    print(f"--- wrk, {CONCURRENCY} connections, one gunicorn each: the submit endpoint alone ({SUBMITS} ready attempts), "
          f"hello and the skeleton, {ROUNDS} turns of {SECONDS} s each ---")
    print("\n".join(report(turns)))
    print("--- consistency ---\n  " + "\n  ".join(
        consistency(app, round_id, accepted, [r.attempt_id for r in ready], [turn.submit for turn in turns])))
    with app.app_context():
        from quiz.infra.extensions import db
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="cds-bench-"))
    print(f"logs in {log_dir}; machine: {os.cpu_count()} cores")
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
    if "sqlite" in backends:
        run_backend("SQLite", f"sqlite:///{log_dir / 'bench.db'}", log_dir)
    if "postgresql" in backends:
        with postgres_database(PG_ADMIN_URL, "cds_bench") as url:
            run_backend("PostgreSQL", url, log_dir)
    flush_redis()


if __name__ == "__main__":
    main()
