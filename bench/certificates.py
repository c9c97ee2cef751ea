"""Certificate rendering: one certificate (< 500 ms) and 1,000 in bulk into a zip (< 5 min).

Run: BENCH_REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/certificates.py
(BENCH_DATABASE_URL for PostgreSQL; BENCH_CERTIFICATES, default 1000). The baseline, measured in the
same run, is WeasyPrint laying out a one-line page with the same fonts: the ratio shows what our
template, QR code and database reads add.
"""
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402
from weasyprint import HTML  # noqa: E402

from bench.prepare import build  # noqa: E402
from bench.results_data import seed_results  # noqa: E402
from quiz import create_app  # noqa: E402
from quiz.certificates.bulk import BulkSettings, write_zip  # noqa: E402
from quiz.certificates.issuing import issue_completion  # noqa: E402
from quiz.certificates.pdf import _stylesheet, document_for, render_pdf, verification_url  # noqa: E402
from quiz.certificates.template import current_template  # noqa: E402
from quiz.infra.clock import utcnow  # noqa: E402
from quiz.infra.extensions import db  # noqa: E402
from quiz.models import BestResult, Round  # noqa: E402

COUNT = int(os.environ.get("BENCH_CERTIFICATES", "1000"))
SINGLE_RUNS = 40
BASE = "https://thi.example.vn"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(function, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cds-cert-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                                     "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")})
    round_id = build(app)
    seed_results(app, round_id, COUNT * 9 // 5)  # scores 12-20, pass at 16: about COUNT passed citizens
    with app.test_request_context():
        stylesheet, fonts = _stylesheet()
        baseline = timed(lambda: HTML(string="<p>Chứng nhận</p>").write_pdf(stylesheets=[stylesheet], font_config=fonts),
                         SINGLE_RUNS)
        passed = list(db.session.scalars(select(BestResult.citizen_id).where(BestResult.passed.is_(True)).limit(SINGLE_RUNS)))
        queue = iter(passed)

        def one() -> None:  # what a citizen's click costs: issue (a write), then build and render the PDF
            certificate = issue_completion(next(queue), round_id, "Ban Tổ chức", utcnow())
            render_pdf(document_for(certificate, current_template(), app.config["CONTEST_TITLE"],
                                    verification_url(BASE, certificate.code)))
        single = timed(one, len(passed))
        started = time.perf_counter()
        count = write_zip(db.session.get(Round, round_id), "completion", BulkSettings(app.config["CONTEST_TITLE"], BASE),
                          folder / "all.zip", utcnow())
        bulk_seconds = time.perf_counter() - started
    names = zipfile.ZipFile(folder / "all.zip").namelist()
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"baseline (one-line WeasyPrint page): p50 {statistics.median(baseline):6.1f} ms")
    print(f"one certificate (issue + render):    p50 {statistics.median(single):6.1f} ms  "
          f"p95 {percentile(single, .95):6.1f} ms  max {max(single):6.1f} ms  "
          f"({statistics.median(single) / statistics.median(baseline):.1f}× baseline; target < 500 ms)")
    print(f"bulk: {count} certificates into a zip in {bulk_seconds:6.1f} s "
          f"({count / bulk_seconds:.1f}/s, {len(names)} files; 1,000 would take {1000 * bulk_seconds / count:.1f} s; "
          f"target < 300 s)")


if __name__ == "__main__":
    main()
