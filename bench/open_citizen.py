"""One citizen of the open-loop benchmark: log in or register, press "Bắt đầu" (waiting in the admission
room if told to), answer 20 questions one by one with think time, submit, read the result."""
import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from bench.driver import CHOICES, token
from bench.http_client import ERRORS, Phone, Reply

ACTIONS = ("login", "register", "contest_page", "start", "quiz_page", "save_answer", "submit", "result")


@dataclass
class StepRecord:
    """Per action: latencies (ms), statuses and errors; per citizen: completed, time in the admission room."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: dict = field(default_factory=lambda: defaultdict(int))
    waits: list = field(default_factory=list)  # seconds from the first press of "Bắt đầu" to admission
    waiting_pages: int = 0
    arrived: int = 0
    completed: int = 0

    async def call(self, action: str, request) -> Reply:  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            response = await request
        except ERRORS as error:
            self.errors[action] += 1
            self.statuses[action][type(error).__name__] += 1
            raise
        self.latencies[action].append((time.perf_counter() - began) * 1000)
        self.statuses[action][response.status] += 1
        if response.resent:  # shown beside the statuses: a browser resends it too, the citizen sees no error
            self.statuses[action]["resent after an idle close"] += 1
        if response.status >= 400:
            self.errors[action] += 1
            raise RuntimeError(f"{action}: {response.status}")
        return response


@dataclass(frozen=True)
class Citizen:
    phone: str
    commune: str
    registered: bool  # True: logs in with the known password; False: registers first
    think_seconds: float


async def citizen(base: str, who: Citizen, rec: StepRecord, rng: random.Random, verify: bool = True) -> None:
    rec.arrived += 1
    # Browsers send a Referer on same-origin POSTs (Referrer-Policy: same-origin); over HTTPS the CSRF check needs it.
    async with Phone(base, timeout=60, verify=verify, headers={"Referer": f"{base}/"}) as client:
        await (log_in(client, who, rec) if who.registered else register(client, who, rec))
        page = await rec.call("contest_page", client.get("/thi"))
        attempt_url = await start(client, token(page.text), rec, rng)
        page = await rec.call("quiz_page", client.get(attempt_url))
        csrf, positions = token(page.text), sorted({int(p) for p, _ in CHOICES.findall(page.text)})
        for position in positions:
            await asyncio.sleep(rng.expovariate(1 / who.think_seconds))
            await rec.call("save_answer", client.post(f"{attempt_url}/tra-loi", headers={"X-CSRFToken": csrf},
                                                      json={"position": position, "choices": [0]}))
        form = {"csrf_token": csrf, **{f"q{position}": "0" for position in positions}}
        response = await rec.call("submit", client.post(f"{attempt_url}/nop", data=form))
        await rec.call("result", client.get(response.headers["location"]))
    rec.completed += 1


async def log_in(client: Phone, who: Citizen, rec: StepRecord) -> None:
    page = await client.get("/dang-nhap")
    form = {"csrf_token": token(page.text), "phone": who.phone, "password": "matkhau123"}
    response = await rec.call("login", client.post("/dang-nhap", data=form))
    if response.status != 302:
        rec.errors["login"] += 1
        raise RuntimeError("login refused")


async def register(client: Phone, who: Citizen, rec: StepRecord) -> None:
    page = await client.get("/dang-ky")
    form = {"csrf_token": token(page.text), "full_name": "Người Thử Tải", "birth_date": "01/01/1980",
            "phone": who.phone, "commune_code": who.commune, "password": "matkhau123", "consent": "y"}
    response = await rec.call("register", client.post("/dang-ky", data=form))
    if response.status != 302:
        rec.errors["register"] += 1
        raise RuntimeError("registration refused")


async def start(client: Phone, csrf: str, rec: StepRecord, rng: random.Random) -> str:
    """Press "Bắt đầu"; on the waiting page, come back after its Retry-After with jitter, as its script does."""
    first = time.perf_counter()
    while True:
        response = await rec.call("start", client.post("/thi/bat-dau", data={"csrf_token": csrf}))
        if response.status == 302:
            rec.waits.append(time.perf_counter() - first)
            return response.headers["location"]
        rec.waiting_pages += 1
        csrf = token(response.text)
        await asyncio.sleep(float(response.headers.get("Retry-After", "5")) * rng.uniform(0.9, 1.1))


