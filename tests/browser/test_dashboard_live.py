"""The commune dashboard refreshes by itself when a citizen of that commune submits elsewhere."""
import re

from playwright.sync_api import expect

from quiz import tallies
from tests.browser.conftest import screenshot
from tests.browser.test_phone_flow import register_on_phone, start_quiz, tap_submit
from tests.conftest import make_staff

TU_KY = "11074"  # Xã Tứ Kỳ, the commune register_on_phone chooses


def staff_login(context, live_server: str, username: str, lands_on: str):  # type: ignore[no-untyped-def]
    """Log a staff member in on a new page of `context`; wait for the page the role lands on."""
    page = context.new_page()
    page.goto(f"{live_server}/quan-tri/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", "matkhau-quan-tri")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(lands_on))
    return page


def test_commune_dashboard_updates_after_a_submission(app, live_server, browser, contest, redis):
    with app.app_context():
        tallies.rebuild()
        make_staff("xa-tu-ky", "commune_admin", TU_KY)
        make_staff("bantochuc")
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    dashboard = staff_login(admin, live_server, "xa-tu-ky", r"/quan-tri/xa-phuong")
    completed = dashboard.locator("[data-field='figures.completed']")
    assert completed.inner_text() == "0"

    citizen = browser.new_context(viewport={"width": 360, "height": 740})
    page = citizen.new_page()
    register_on_phone(page, live_server, "0912000666")
    start_quiz(page)
    tap_submit(page)
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"))

    expect(completed).to_have_text("1", timeout=15000)  # polled, no reload
    assert dashboard.locator("[data-field='figures.registered']").inner_text() == "1"
    screenshot(dashboard, "commune-dashboard")
    organizer = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff_login(organizer, live_server, "bantochuc", r"/quan-tri/tong-quan")
    expect(page.locator("#commune-table tbody tr")).to_have_count(114)
    screenshot(page, "organizer-dashboard")
    for context in (admin, citizen, organizer):
        context.close()
