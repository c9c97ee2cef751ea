"""Running wrk (Debian package) over a prepared list of requests and reading its figures."""
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench import access_log

SCRIPT = Path(__file__).with_name("wrk_requests.lua")
THREADS = 2
USER_AGENT = "Mozilla/5.0 (Linux; Android 10; K) cds-bench"  # prepared sessions are bound to it, as at a login


@dataclass
class WrkResult:
    name: str
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    non2xx: int
    wrapped: bool = False
    in_server: tuple[int, int, int] | None = None  # p50, p95, p99 ms inside gunicorn, from its access log

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"  {self.name:<14} {self.rps:8.1f} req/s  p50 {self.p50:6.1f}  p95 {self.p95:6.1f}  p99 {self.p99:6.1f} ms"
                f"  n={self.requests}  socket errors={self.errors}  non-2xx/3xx={self.non2xx}"
                + ("  (RAN OUT of prepared requests: raise BENCH_SUBMITS)" if self.wrapped else "")
                + (f"\n  {'':<14} inside gunicorn: p50 {self.in_server[0]:4d}  p95 {self.in_server[1]:4d}  "
                   f"p99 {self.in_server[2]:4d} ms (the rest of the latency is waiting for a free worker)"
                   if self.in_server else ""))


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is needed for the benchmark: apt-get install wrk")
    return path


def run(name: str, base: str, requests: list[tuple[str, str, str, dict | None]], connections: int,
        seconds: int = 10, unique: bool = False, log: Path | None = None) -> WrkResult:
    """requests: (method, path, cookie header, form body), sent in order for `seconds` at `connections` concurrency.

    wrk cycles through the list; `unique` marks a list whose requests must not repeat (each submits
    another attempt), so running out of it is reported. `log`: the server's access log, for the
    time requests spent inside it.
    """
    since = access_log.mark(log) if log else 0
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        for method, path, cookie, body in requests:
            handle.write(f"{method}\t{path}\t{cookie}\t{urlencode(body) if body else ''}\n")
    command = [require_wrk(), "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds}s", "--latency",
               "-s", str(SCRIPT), base, "--", handle.name, str(THREADS), USER_AGENT]
    output = subprocess.run(command, capture_output=True, text=True, timeout=200).stdout
    Path(handle.name).unlink()
    figures = json.loads(output.split("WRKJSON ", 1)[1].splitlines()[0])
    in_server = access_log.percentiles(access_log.read_times(log, since)) if log else None
    return WrkResult(name=name, wrapped=unique and "WRAPPED" in output, in_server=in_server, **figures)
