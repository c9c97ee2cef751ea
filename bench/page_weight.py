"""Bytes of a cold first visit of every citizen page, fonts included, in Debian's Chromium.

Serves the app in this process (werkzeug on a free loopback port, a fresh SQLite database, the sample
bank and an open round), then opens each page in a new browser context (empty cache) at 360 × 740 and
adds up what went over the wire (Chromium's encodedDataLength: headers and compressed bodies) until the
network is idle. HTML and JSON are compressed by the app (Flask-Compress); static files are sent as they
are (nginx compresses them in production), so these figures are the worst case. Budget: 50 KB a page.
Run: `make bench-page-weight` (under `flock /tmp/fixed-ports.lock` when other people drive Chromium).
"""
import os
import re
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET = 50 * 1024
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
PUBLIC = {"home": "/", "register": "/dang-ky", "login": "/dang-nhap", "forgot password": "/quen-mat-khau?xa=11074",
          "rules": "/the-le", "guide": "/huong-dan-du-thi", "faq": "/cau-hoi-thuong-gap"}


def serve():  # type: ignore[no-untyped-def]
    from werkzeug.serving import make_server

    from quiz import create_app
    from quiz.infra.clock import utcnow
    from quiz.infra.extensions import db
    from quiz.models import Round
    from quiz.people.communes import sync_communes
    from quiz.people.consents import ensure_default_notice
    from quiz.questions.bank import load_sample_bank
    folder = Path(tempfile.mkdtemp(prefix="cds-weight-"))
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'weight.db'}",
                                     "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
                                     "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        sync_communes(app.config["PROVINCE_CODE"])
        load_sample_bank()
        ensure_default_notice()
        db.session.add(Round(name="Đợt đo", opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(days=7)))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def cold_visit(browser, url: str, cookies: list | None = None) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(bytes in all, bytes of fonts, requests) of one page opened with an empty cache."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  locale="vi-VN", service_workers="block")
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    types, sizes = {}, {}
    session.on("Network.responseReceived", lambda e: types.__setitem__(e["requestId"], e["type"]))
    session.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    context.close()
    fonts = sum(size for rid, size in sizes.items() if types.get(rid) == "Font")
    return sum(sizes.values()), fonts, len(sizes)


def citizen_session(browser, base: str) -> tuple[list, str, str]:  # type: ignore[no-untyped-def]
    """Register through the form, start and submit one attempt; the cookies and the quiz and result URLs."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/dang-ky")
    page.fill("#full_name", "Người Đo")
    page.fill("#birth_date", "01/01/1960")
    page.fill("#phone", "0912999888")
    page.fill("#commune-filter", "tu ky")
    page.fill("#password", "matkhau123")
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/thi$"))
    page.click("text=Bắt đầu làm bài")
    page.wait_for_url(re.compile(r"/thi/\d+$"))
    quiz = page.url.replace(base, "")
    cookies = context.cookies()
    context.close()
    return cookies, quiz, quiz.replace("/thi/", "/ket-qua/")


def submit(base: str, cookies: list, quiz: str) -> None:
    import httpx
    jar = {c["name"]: c["value"] for c in cookies}
    with httpx.Client(base_url=base, cookies=jar) as client:
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(quiz).text).group(1)
        client.post(quiz + "/nop", data={"csrf_token": token})


def main() -> None:
    import logging

    from playwright.sync_api import sync_playwright
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server, base = serve()
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for name, path in PUBLIC.items():
            rows.append((name, *cold_visit(browser, base + path)))
        cookies, quiz, result = citizen_session(browser, base)
        for name, path in (("contest", "/thi"), ("quiz", quiz)):
            rows.append((name, *cold_visit(browser, base + path, cookies)))
        submit(base, cookies, quiz)
        for name, path in (("result", result), ("my results", "/ket-qua"), ("my data", "/du-lieu-cua-toi")):
            rows.append((name, *cold_visit(browser, base + path, cookies)))
        browser.close()
    server.shutdown()
    print(f"Cold first visit per citizen page (Chromium, 360 px, empty cache; budget {BUDGET:,} B)")
    for name, total, fonts, requests in rows:
        verdict = "ok" if total <= BUDGET else "OVER"
        print(f"  {name:<16} {total:7,} B  (fonts {fonts:6,} B, {requests:2d} requests)  {verdict}")
    print(f"  largest: {max(r[1] for r in rows):,} B; all within budget: {all(r[1] <= BUDGET for r in rows)}")
    root = Path(__file__).resolve().parent.parent
    before = sum(p.stat().st_size for p in (root / "assets" / "fonts").glob("*.woff2"))
    after = sum(p.stat().st_size for p in (root / "static" / "vendor" / "fonts").glob("*.woff2"))
    print(f"  font files: {after:,} B served (2 weights, subset) against {before:,} B of the @fontsource files "
          f"they are cut from (ratio {after / before:.2f})")


if __name__ == "__main__":
    main()
