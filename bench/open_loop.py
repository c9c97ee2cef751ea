"""Open-loop load on one server: citizens arrive at a fixed rate (Poisson), each logs in or registers,
presses "Bắt đầu" (waiting in the admission room when told to), saves 20 answers with think time, submits
and reads the result. Two calibration steps measure the CPU-milliseconds one citizen costs (app workers,
PostgreSQL backends, Redis, from /proc): at a light rate, then at the capacity that gives; the second gives
the capacity (see calibrate); then a ladder of rates up to twice
that capacity, with the admission room set to it. Each step is bounded (arrivals, then a drain; ≤ 2 min).
Also printed: the machine's speed (a Flask "hello" via wrk), argon2id hashes/s against registrations/s,
and one step through nginx with deploy/'s configuration.

Run: `make bench-open` (PostgreSQL at BENCH_PG_URL; its own redis-server on a free port; database
cds_bench_open, created and dropped). BENCH_OPEN_STEPS (factors of capacity, default 0.35,0.7,1,1.4,2),
BENCH_OPEN_ARRIVAL_SECONDS (30), BENCH_OPEN_THINK_SECONDS (mean think time per answer, 1.0),
BENCH_OPEN_CALIBRATION_RATE (2 citizens/s), BENCH_OPEN_NGINX (1).
"""
import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import hash_ceiling, nginx_site, open_report, prepare, proc_cpu, wrk  # noqa: E402
from bench.open_citizen import Citizen, StepRecord, citizen  # noqa: E402
from bench.servers import bench_env, gunicorn, postgres_database  # noqa: E402

STEPS = [float(f) for f in os.environ.get("BENCH_OPEN_STEPS", "0.35,0.7,1,1.4,2").split(",")]
ARRIVAL_SECONDS = float(os.environ.get("BENCH_OPEN_ARRIVAL_SECONDS", 30))
STEP_LIMIT_SECONDS = 120.0
THINK_SECONDS = float(os.environ.get("BENCH_OPEN_THINK_SECONDS", 1.0))
CALIBRATION_RATE = float(os.environ.get("BENCH_OPEN_CALIBRATION_RATE", 2.0))
TARGET_UTILISATION = 0.8  # capacity: the rate that keeps the cores 80 % busy
WITH_NGINX = os.environ.get("BENCH_OPEN_NGINX", "1") == "1" and nginx_site.NGINX is not None
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
HASH_TURNS = 3
REGISTERED = 4000  # accounts for the log-ins (half the arrivals)


@contextmanager
def own_redis(log_dir: Path):  # type: ignore[no-untyped-def]
    """A redis-server of the benchmark's own on a free port, so its CPU is ours alone."""
    port = nginx_site.free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=open(log_dir / "redis.log", "w"))  # noqa: SIM115
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", process.pid
    finally:
        process.terminate()
        process.wait(10)


def make_app(env: dict):  # type: ignore[no-untyped-def]
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")})
    from quiz import create_app
    return create_app("development", {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "REDIS_URL": env["REDIS_URL"],
                                      "SECRET_KEY": env["SECRET_KEY"], "RATELIMIT_ENABLED": False})


def register_accounts(app, count: int) -> None:  # type: ignore[no-untyped-def]
    """Citizens who will log in: one argon2id hash at OWASP's cost shared by all (verifying costs the same)."""
    from quiz.infra.extensions import db
    from quiz.infra.passwords_hash import hash_password
    from quiz.models import Citizen as CitizenRow
    codes, stored = prepare.commune_codes(app), hash_password("matkhau123")
    with app.app_context():
        db.session.execute(CitizenRow.__table__.insert(), [
            {"full_name": "Người Dân", "name_key": "nguoi dan", "phone": f"091{i:07d}", "commune_code": codes[i % len(codes)],
             "password_hash": stored} for i in range(count)])
        db.session.commit()
        from quiz import tallies
        tallies.rebuild()


class Population:
    """Arrivals in order: every other one logs in with an existing account, the others register."""

    def __init__(self, codes: list[str]) -> None:
        self.codes, self.index, self.logins, self.new = codes, 0, 0, 0

    def next(self) -> Citizen:
        self.index += 1
        if self.index % 2 and self.logins < REGISTERED:
            self.logins += 1
            return Citizen(f"091{self.logins - 1:07d}", "", True, THINK_SECONDS)
        self.new += 1
        return Citizen(f"098{self.new:07d}", self.codes[self.new % len(self.codes)], False, THINK_SECONDS)


async def run_step(base: str, rate: float, population: Population, verify: bool = True) -> tuple[StepRecord, float, int]:
    """Poisson arrivals at `rate` for ARRIVAL_SECONDS, then wait for them (the step ends by STEP_LIMIT_SECONDS)."""
    rec, rng, tasks = StepRecord(), random.Random(int(rate * 1000)), []
    loop = asyncio.get_running_loop()
    began, offset = loop.time(), 0.0
    while True:
        offset += rng.expovariate(rate)
        if offset > ARRIVAL_SECONDS:
            break
        await asyncio.sleep(max(0.0, began + offset - loop.time()))
        tasks.append(asyncio.create_task(_guarded(citizen(base, population.next(), rec, random.Random(offset), verify))))
    _, pending = await asyncio.wait(tasks, timeout=max(1.0, began + STEP_LIMIT_SECONDS - loop.time()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return rec, loop.time() - began, len(pending)


async def _guarded(flow) -> None:  # type: ignore[no-untyped-def]
    try:
        await flow
    except Exception:  # noqa: BLE001 - counted by the recorder as errors; the step goes on
        pass


def driver_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pg_backends(app) -> list[int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from quiz.infra.extensions import db
    with app.app_context():
        pids = list(db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid()")))
        db.session.remove()
    return pids


def measured_step(app, master, redis_pid: int, base: str, rate: float, population: Population,  # type: ignore[no-untyped-def]
                  verify: bool = True) -> open_report.Step:
    groups = lambda: {"app": [master.pid, *proc_cpu.children(master.pid)], "postgres": pg_backends(app),  # noqa: E731
                      "redis": [redis_pid]}
    before = proc_cpu.sample(groups(), driver_cpu())
    rec, wall, unfinished = asyncio.run(run_step(base, rate, population, verify))
    after = proc_cpu.sample(groups(), driver_cpu())
    return open_report.Step(rate, rec, wall, unfinished, proc_cpu.used(before, after))


def machine_speed(env: dict, log_dir: Path) -> wrk.WrkResult:
    port = nginx_site.free_port()
    with gunicorn("bench.apps:hello()", port, env, log_dir):
        return wrk.run("hello", f"http://127.0.0.1:{port}", [("GET", "/hello", "", None)] * 1000, 64, 4)


def registration_ceiling(app, env: dict, log_dir: Path) -> list[open_report.CeilingTurn]:  # type: ignore[no-untyped-def]
    """Turns of hashes/s then registrations/s, seconds apart: this shared machine's speed drifts over minutes.
    Each turn also says what one registration cost the app's processes, PostgreSQL and the whole machine."""
    port, turns = nginx_site.free_port(), []
    codes = prepare.commune_codes(app)
    with gunicorn("wsgi:app", port, env, log_dir) as master:
        groups = lambda: {"app": [master.pid, *proc_cpu.children(master.pid)], "postgres": pg_backends(app)}  # noqa: E731
        for turn in range(HASH_TURNS):
            hashes = hash_ceiling.hashes_per_second(3.0)
            before = proc_cpu.sample(groups(), driver_cpu())
            registered = hash_ceiling.registrations(app, f"http://127.0.0.1:{port}", codes, 1500, 3,
                                                    Path(env["GUNICORN_ACCESS_LOG"]), turn)
            used = proc_cpu.used(before, proc_cpu.sample(groups(), driver_cpu()))
            count = max(1, registered.requests)
            turns.append(open_report.CeilingTurn(hashes, registered, {g: used[g] * 1000 / count
                                                                      for g in ("app", "postgres", "machine")}))
    return turns


def ladder(app, env: dict, log_dir: Path, redis_pid: int, capacity: float, population: Population) -> list:  # type: ignore[no-untyped-def]
    port = nginx_site.free_port()
    room = {**env, "ADMISSION_STARTS_PER_MINUTE": str(capacity * 60), "ADMISSION_DRAW_SECONDS": "0"}
    steps = []
    with gunicorn("wsgi:app", port, room, log_dir) as master:
        for factor in STEPS:
            steps.append(measured_step(app, master, redis_pid, f"http://127.0.0.1:{port}", capacity * factor, population))
            print(open_report.step_lines(steps[-1], capacity), flush=True)
        if WITH_NGINX:
            main, _, https_port = nginx_site.site_config(log_dir, port)
            with nginx_site.running(main):
                nginx_site_ready(https_port)
                steps.append(measured_step(app, master, redis_pid, f"https://127.0.0.1:{https_port}", capacity * 0.7,
                                           population, verify=False))
                steps[-1].label = "through nginx (TLS, deploy/nginx)"
                print(open_report.step_lines(steps[-1], capacity), flush=True)
    return steps


def nginx_site_ready(port: int) -> None:
    import httpx
    for _ in range(100):
        try:
            httpx.get(f"https://127.0.0.1:{port}/healthz", verify=False, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.05)


def calibrate(app, env: dict, log_dir: Path, redis_pid: int, population: Population) -> tuple[open_report.Step, float]:  # type: ignore[no-untyped-def]
    """The CPU one citizen costs, measured where it matters: first at CALIBRATION_RATE, which gives a first
    capacity, then again at that rate. A lightly loaded server spends more CPU a citizen (every request wakes an
    idle thread on cold caches; the workers' idle loops are shared by fewer citizens), so the first figure alone
    under-states the capacity; the second, measured near 80 % busy, is the one the ladder and the README use."""
    port, cores = nginx_site.free_port(), os.cpu_count() or 1
    with gunicorn("wsgi:app", port, {**env, "ADMISSION_STARTS_PER_MINUTE": "0"}, log_dir) as master:
        light = measured_step(app, master, redis_pid, f"http://127.0.0.1:{port}", CALIBRATION_RATE, population)
        first = light.capacity(cores, TARGET_UTILISATION)
        print(open_report.calibration_lines(light, first, cores, TARGET_UTILISATION), flush=True)
        near = measured_step(app, master, redis_pid, f"http://127.0.0.1:{port}", first, population)
    capacity = near.capacity(cores, TARGET_UTILISATION)
    print(open_report.calibration_lines(near, capacity, cores, TARGET_UTILISATION), flush=True)
    return near, capacity


def run(log_dir: Path) -> None:
    with own_redis(log_dir) as (redis_url, redis_pid), postgres_database(PG_ADMIN_URL, "cds_bench_open") as url:
        env = {**bench_env(url, redis_url, log_dir), "GUNICORN_ACCESS_LOG": str(log_dir / "access.log")}
        app = make_app(env)
        prepare.build(app)
        register_accounts(app, REGISTERED)
        population = Population(prepare.commune_codes(app))
        hello = machine_speed(env, log_dir)
        print(open_report.speed_lines(hello, registration_ceiling(app, env, log_dir)), flush=True)
        calibration, capacity = calibrate(app, env, log_dir, redis_pid, population)
        steps = ladder(app, env, log_dir, redis_pid, capacity, population)
        print(open_report.summary_lines(hello, calibration, capacity, steps), flush=True)
        with app.app_context():
            from quiz.infra.extensions import db
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="cds-open-"))
    print(f"logs in {log_dir}; machine: {os.cpu_count()} cores; think time {THINK_SECONDS} s per answer; "
          f"{ARRIVAL_SECONDS:.0f} s of arrivals per step, each step ≤ {STEP_LIMIT_SECONDS:.0f} s", flush=True)
    run(log_dir)


if __name__ == "__main__":
    main()
