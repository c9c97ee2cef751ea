"""Browser fixtures: the app served on a loopback port, and Debian's Chromium driven by Playwright.

Skipped, with the reason printed, when BROWSER_TESTS=skip or Chromium is not installed
(scripts/run_tests.sh installs it with apt-get when it can).
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    reason = None
    if os.environ.get("BROWSER_TESTS") == "skip":
        reason = "browser tests skipped (BROWSER_TESTS=skip: they run once, on the SQLite pass)"
    elif not Path(CHROMIUM).exists():
        reason = "browser tests skipped: Chromium is not installed (apt-get install chromium)"
    if reason:
        print(f"\n{reason}")
        for item in items:
            if "browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def live_server(app):
    """The test app on 127.0.0.1:<free port>, threaded, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    """A fresh phone-sized browser context (its own cookies and localStorage)."""
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def screenshot(page, name: str, full_page: bool = True) -> None:
    """A picture for people to look at; the quiz is shown as the phone's screen (its bar is sticky)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"


def serious_accessibility_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Run axe-core in the page; return the serious and critical violations."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


TAP_TARGETS = {  # what a finger must hit; "controls" leaves out links inside running text
    "all": "a, button, summary, label.choice, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select",
    "controls": "button, .button, summary, label.choice, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select",
}


def small_tap_targets(page, which: str = "all") -> list:  # type: ignore[no-untyped-def]
    """Visible tap targets under 48 px high (the skip link shows, 48 px, on focus only)."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
        .filter(e => e.offsetParent && !e.classList.contains('skip'))
        .map(e => [e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 20), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 47.5)""", TAP_TARGETS[which])
