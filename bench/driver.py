"""The load driver: asyncio + aiohttp playing citizens and admins on loopback, recording every latency.

Why not locust: on a 2-core machine the driver shares the CPU with the servers; one asyncio process with
aiohttp (bench/http_client.py) keeps the driver's own cost small and predictable, and the flows are plain Python.
"""
import asyncio
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from bench.http_client import ERRORS, Phone

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CHOICES = re.compile(r'name="q(\d+)" value="(\d+)"')


@dataclass
class Recorder:
    """Latencies (ms) and status counts per flow step."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def rps(self, name: str) -> float:
        return len(self.latencies[name]) / self.elapsed if self.latencies[name] else 0.0

    async def call(self, name: str, coro):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            response = await coro
        except ERRORS as error:
            self.statuses[name][type(error).__name__] += 1
            raise
        self.latencies[name].append((time.perf_counter() - start) * 1000)
        self.statuses[name][response.status] += 1
        return response

    def report(self, names: list[str] | None = None) -> list[str]:
        lines = []
        elapsed = self.elapsed
        for name in names or sorted(self.latencies):
            values = sorted(self.latencies[name])
            if not values:
                continue
            pick = lambda q, values=values: values[min(len(values) - 1, int(len(values) * q))]  # noqa: E731
            statuses = ", ".join(f"{k}:{v}" for k, v in sorted(self.statuses[name].items(), key=str))
            lines.append(f"  {name:<14} {len(values) / elapsed:8.1f} req/s  p50 {pick(0.5):6.1f}  p95 {pick(0.95):6.1f}  "
                         f"p99 {pick(0.99):6.1f} ms  n={len(values)}  [{statuses}]")
        return lines


def token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token in page")
    return match.group(1)


async def citizen_flow(base: str, phone: str, commune: str, rec: Recorder, accepted: list[int]) -> None:
    """Register, start, save every answer one by one, submit, view the result."""
    async with Phone(base, timeout=30) as client:
        page = await rec.call("register_page", client.get("/dang-ky"))
        form = {"csrf_token": token(page.text), "full_name": "Người Thử Tải", "birth_date": "01/01/1980",
                "phone": phone, "commune_code": commune, "password": "matkhau123", "consent": "y"}
        response = await rec.call("register", client.post("/dang-ky", data=form))
        if response.status != 302:
            return
        page = await rec.call("contest_page", client.get("/thi"))
        response = await rec.call("start", client.post("/thi/bat-dau", data={"csrf_token": token(page.text)}))
        attempt_url = response.headers["location"]
        page = await rec.call("quiz_page", client.get(attempt_url))
        csrf = token(page.text)
        positions = sorted({int(p) for p, _ in CHOICES.findall(page.text)})
        for position in positions:
            await rec.call("save_answer", client.post(f"{attempt_url}/tra-loi", json={"position": position, "choices": [0]},
                                                      headers={"X-CSRFToken": csrf}))
        form = {"csrf_token": csrf, **{f"q{position}": "0" for position in positions}}  # the ticks, as the form sends them
        response = await rec.call("submit", client.post(f"{attempt_url}/nop", data=form))
        if response.status == 302 and "/ket-qua/" in response.headers.get("location", ""):
            accepted.append(int(attempt_url.rsplit("/", 1)[1]))
            await rec.call("result", client.get(response.headers["location"]))


async def admin_poller(base: str, cookie: dict, rec: Recorder, stop: asyncio.Event) -> None:
    """An organizer's dashboard polling its JSON every second."""
    async with Phone(base, timeout=30, cookies=cookie) as client:
        while not stop.is_set():
            await rec.call("dashboard_json", client.get("/quan-tri/tong-quan.json"))
            await asyncio.sleep(1)


async def run_bounded(jobs, concurrency: int) -> None:  # type: ignore[no-untyped-def]
    """Run coroutine factories with at most `concurrency` in flight."""
    queue = list(jobs)
    lock = asyncio.Lock()

    async def worker() -> None:
        while True:
            async with lock:
                if not queue:
                    return
                job = queue.pop()
            try:
                await job()
            except (*ERRORS, RuntimeError, KeyError):
                pass  # counted by the recorder; the consistency check catches any loss

    await asyncio.gather(*(worker() for _ in range(concurrency)))
