"""The issue's own yardstick, in one run: the whole citizen flow in a closed loop of 64 clients (register,
contest page, start, quiz page, 20 answer saves, submit, result), against the code as it was when the 5.7
citizens/s were measured (BENCH_BASELINE_COMMIT, a git worktree) and against this tree, in turns.

Each version sets up its own PostgreSQL database with its own `flask db upgrade` and `flask setup` and is
served by its own gunicorn.conf.py (the baseline: 5 sync workers and scrypt; now: 3 gthread workers × 4 and
argon2id), one server each, one Redis of the benchmark's own. Both are driven by the same client
(bench/http_client.py). Printed per turn: citizens/s, and CPU-ms per citizen of the app, PostgreSQL, Redis
and the driver (from /proc); then the median ratio now ÷ baseline, and now against the issue's 5.7/s.

Run: `make bench-same` (BENCH_SAME_CITIZENS 150 a turn, BENCH_SAME_TURNS 3, BENCH_SAME_CONCURRENCY 64).
"""
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import driver, nginx_site, proc_cpu, servers, wrk  # noqa: E402
from bench.open_loop import PG_ADMIN_URL, driver_cpu, own_redis  # noqa: E402
from bench.open_report import CLOSED_LOOP_BASELINE  # noqa: E402

BASELINE_COMMIT = os.environ.get("BENCH_BASELINE_COMMIT", "881ede7")  # main on 2026-11-30, when 5.7/s was measured
CITIZENS = int(os.environ.get("BENCH_SAME_CITIZENS", 150))
TURNS = int(os.environ.get("BENCH_SAME_TURNS", 3))
CONCURRENCY = int(os.environ.get("BENCH_SAME_CONCURRENCY", 64))
WARM_UP = 20
ROOT = servers.ROOT


@dataclass
class Version:
    name: str
    tree: Path
    env: dict
    base: str = ""
    master: subprocess.Popen | None = None


@dataclass
class Turn:
    citizens_per_second: float
    ms_per_citizen: dict[str, float]
    completed: int


@contextmanager
def baseline_tree():  # type: ignore[no-untyped-def]
    """The baseline commit checked out beside this tree (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="cds-baseline-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-f", str(folder), BASELINE_COMMIT], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, capture_output=True)


def set_up(version: Version) -> None:
    """The version's own migrations and `flask setup` (communes, sample bank, notice, an open round)."""
    for command in (["db", "upgrade"], ["setup"]):
        subprocess.run([sys.executable, "-m", "flask", *command], cwd=version.tree, env=version.env, check=True,
                       capture_output=True)


async def flow(base: str, first_phone: int, count: int, codes: list[str]) -> tuple[driver.Recorder, int]:
    rec, accepted, rng = driver.Recorder(), [], random.Random(first_phone)
    jobs = [(lambda i=i: driver.citizen_flow(base, f"03{first_phone + i:08d}", rng.choice(codes), rec, accepted))
            for i in range(count)]
    await driver.run_bounded(jobs, CONCURRENCY)
    rec.finished = time.perf_counter()
    return rec, len(accepted)


def commune_codes(version: Version) -> list[str]:
    import sqlalchemy
    engine = sqlalchemy.create_engine(version.env["DATABASE_URL"])
    with engine.connect() as conn:
        codes = list(conn.scalars(sqlalchemy.text("SELECT code FROM communes")))
    engine.dispose()
    return codes


def pg_backends(database: str) -> list[int]:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
                          f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def measured_turn(version: Version, redis_pid: int, first_phone: int, codes: list[str]) -> Turn:
    assert version.master is not None
    database = version.env["DATABASE_URL"].rsplit("/", 1)[1]
    groups = lambda: {"app": [version.master.pid, *proc_cpu.children(version.master.pid)],  # noqa: E731
                      "postgres": pg_backends(database), "redis": [redis_pid]}
    before = proc_cpu.sample(groups(), driver_cpu())
    rec, completed = asyncio.run(flow(version.base, first_phone, CITIZENS, codes))
    after = proc_cpu.sample(groups(), driver_cpu())
    used = proc_cpu.used(before, after)
    return Turn(completed / rec.elapsed, {g: used[g] * 1000 / max(1, completed)
                                          for g in ("app", "postgres", "redis", "driver")}, completed)


def line(name: str, number: int, turn: Turn) -> str:
    costs = ", ".join(f"{g} {v:.1f}" for g, v in turn.ms_per_citizen.items())
    return f"  turn {number} {name:<9} {turn.citizens_per_second:6.2f} citizens/s ({turn.completed}/{CITIZENS}); CPU-ms a citizen: {costs}"


def run(log_dir: Path) -> None:
    with ExitStack() as stack:
        redis_url, redis_pid = stack.enter_context(own_redis(log_dir))
        versions = []
        for number, (name, tree) in enumerate((("baseline", stack.enter_context(baseline_tree())), ("now", ROOT))):
            url = stack.enter_context(servers.postgres_database(PG_ADMIN_URL, f"cds_same_{name}"))
            env = {**servers.bench_env(url, redis_url.rsplit("/", 1)[0] + f"/{number + 1}", log_dir),
                   "PYTHONPATH": str(tree), "FLASK_APP": "wsgi:app", "GUNICORN_ACCESS_LOG": str(log_dir / f"{name}.log")}
            versions.append(Version(name, tree, env))
        for version in versions:
            set_up(version)
            port = nginx_site.free_port()
            servers.ROOT = version.tree  # its own gunicorn.conf.py and working directory
            version.master = stack.enter_context(servers.gunicorn("wsgi:app", port, version.env, log_dir))
            version.base = f"http://127.0.0.1:{port}"
        servers.ROOT = ROOT
        hello_port = nginx_site.free_port()
        with servers.gunicorn("bench.apps:hello()", hello_port, versions[1].env, log_dir):
            hello = wrk.run("hello", f"http://127.0.0.1:{hello_port}", [("GET", "/hello", "", None)] * 1000, 64, 4)
        print(f"machine speed: {hello.line().strip()}", flush=True)
        codes = {v.name: commune_codes(v) for v in versions}
        for index, version in enumerate(versions):
            asyncio.run(flow(version.base, 9_000_000 + index * 1000, WARM_UP, codes[version.name]))
        turns: dict[str, list[Turn]] = {v.name: [] for v in versions}
        for number in range(1, TURNS + 1):
            for index, version in enumerate(versions):
                turn = measured_turn(version, redis_pid, number * 100_000 + index * 10_000, codes[version.name])
                turns[version.name].append(turn)
                print(line(version.name, number, turn), flush=True)
        summary(turns, hello)


def summary(turns: dict[str, list[Turn]], hello: wrk.WrkResult) -> None:
    ratios = [n.citizens_per_second / b.citizens_per_second for b, n in zip(turns["baseline"], turns["now"], strict=True)]
    now = statistics.median(t.citizens_per_second for t in turns["now"])
    base = statistics.median(t.citizens_per_second for t in turns["baseline"])
    print(f"\n=== summary (hello {hello.rps:.0f} req/s in this run) ===")
    print(f"  whole flow, {CONCURRENCY} clients, one server: baseline {base:.2f} citizens/s, now {now:.2f} citizens/s")
    print(f"  now ÷ baseline, per turn: {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f} "
          f"(target ≥ 2: {'MET' if statistics.median(ratios) >= 2 else 'NOT MET'})")
    print(f"  now against the issue's {CLOSED_LOOP_BASELINE} citizens/s: × {now / CLOSED_LOOP_BASELINE:.2f}")


def main() -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="cds-same-"))
    print(f"logs in {log_dir}; baseline {BASELINE_COMMIT}; {CITIZENS} citizens a turn, {TURNS} turns, "
          f"{CONCURRENCY} clients", flush=True)
    run(log_dir)


if __name__ == "__main__":
    main()
