"""What a citizen sees on a phone, in Debian's Chromium: register, answer offline and online, resume, submit."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, Citizen
from tests.browser.conftest import PHONE, screenshot, serious_accessibility_violations


def register_on_phone(page, base: str, phone_number: str = "0912345678") -> None:
    page.goto(f"{base}/dang-ky")
    page.fill("#full_name", "Trần Thị Lụa")
    page.fill("#birth_date", "12/03/1956")
    page.fill("#phone", phone_number)
    page.fill("#commune-filter", "tu ky")  # typed without accents
    assert page.eval_on_selector("#commune_code", "s => s.options[s.selectedIndex].text") == "Xã Tứ Kỳ"
    page.fill("#password", "matkhau123")
    assert not page.is_checked("#consent")  # never pre-ticked
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/thi$"))


def start_quiz(page) -> int:
    page.click("text=Bắt đầu làm bài")
    page.wait_for_url(re.compile(r"/thi/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def tap_submit(page, times: int = 1, confirm: bool = True) -> None:
    """Activate "Nộp bài" like a tap (a click event on the button; a double tap sends two); with questions
    unanswered, confirm in the dialog that lists them."""
    page.locator("#submit-button").scroll_into_view_if_needed()
    page.evaluate("(times) => { const b = document.getElementById('submit-button'); for (let i = 0; i < times; i++) b.click(); }",
                  times)
    if confirm and page.locator("#confirm-submit").evaluate("d => d.open"):
        page.evaluate("(times) => { const b = document.getElementById('submit-anyway'); for (let i = 0; i < times; i++) b.click(); }",
                      times)


def wait_for_saved(app, page, attempt_id: int, count: int, what: str) -> None:  # type: ignore[no-untyped-def]
    """Until `count` answers of the attempt are on the server (five seconds at most)."""
    for _ in range(50):
        with app.app_context():
            if db.session.scalar(select(func.count(AttemptItem.id)).where(
                    AttemptItem.attempt_id == attempt_id, AttemptItem.selected.is_not(None))) == count:
                return
        page.wait_for_timeout(100)
    raise AssertionError(f"{what} never reached the server")


def choose(page, position: int) -> None:
    page.locator(f"fieldset[data-position='{position}'] label.choice").first.click()


def test_offline_answers_survive_reload_and_are_graded(app, live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server)
    screenshot(page, "contest")
    attempt_id = start_quiz(page)
    for position in range(5):
        choose(page, position)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu")
    phone.set_offline(True)
    for position in range(5, 10):
        choose(page, position)
    expect(page.locator("#save-status")).to_contain_text("Mất kết nối")
    with app.app_context():
        saved = db.session.scalar(select(func.count(AttemptItem.id)).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.selected.is_not(None)))
        assert saved == 5  # the offline answers are only on the phone so far
    phone.set_offline(False)
    page.reload()
    expect(page.locator("#save-status")).to_contain_text(re.compile("Đã lưu|được lưu"))  # sent back online, or just now
    assert page.locator("input:checked").count() == 10
    wait_for_saved(app, page, attempt_id, 10, "the offline answers (before or after the reload)")
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "POST" and r.url.endswith("/tra-loi") else None)
    page.reload()  # everything is on the server now: nothing to send again (all ten were, on a slow link)
    expect(page.locator("#quiz-form")).to_be_visible()
    page.wait_for_timeout(1500)
    assert page.locator("input:checked").count() == 10 and saves == []
    screenshot(page, "quiz", full_page=False)
    tap_submit(page)
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"))
    screenshot(page, "result")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        answered = [item for item in attempt.items if item.selected is not None]
        assert attempt.submitted_at is not None and len(answered) == 10
        assert all(item.is_correct is not None for item in attempt.items)


def test_countdown_reaching_zero_submits_by_itself(app, live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000333")
    attempt_id = start_quiz(page)
    choose(page, 0)
    with app.app_context(), write_transaction():  # the server may be saving an answer right now
        db.session.get(Attempt, attempt_id).deadline_at = utcnow() + timedelta(seconds=3)
    page.reload()
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"), timeout=15000)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is not None


def test_double_tap_on_submit_records_one_attempt(app, live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000444")
    start_quiz(page)
    choose(page, 0)
    tap_submit(page, times=2)
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"))
    with app.app_context():
        citizen = db.session.scalar(select(Citizen).where(Citizen.phone == "0912000444"))
        assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.citizen_id == citizen.id)) == 1


@pytest.fixture
def audited(browser):
    """A phone context that lets axe-core be injected despite the strict CSP."""
    context = browser.new_context(**PHONE, bypass_csp=True)
    yield context
    context.close()


def test_citizen_pages_have_no_serious_accessibility_violations(live_server, audited, contest):
    page = audited.new_page()
    problems = {}
    for path in ("/", "/dang-ky", "/dang-nhap"):
        page.goto(live_server + path)
        problems[path] = serious_accessibility_violations(page)
    register_on_phone(page, live_server, "0912000555")
    problems["/thi"] = serious_accessibility_violations(page)
    start_quiz(page)
    problems["quiz"] = serious_accessibility_violations(page)
    tap_submit(page)
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"))
    problems["result"] = serious_accessibility_violations(page)
    page.goto(live_server + "/du-lieu-cua-toi")
    problems["my data"] = serious_accessibility_violations(page)
    assert {k: v for k, v in problems.items() if v} == {}


def test_registration_errors_are_announced_and_keep_what_was_typed(live_server, phone, contest):
    page = phone.new_page()
    page.goto(f"{live_server}/dang-ky")
    page.fill("#full_name", "Trần Thị Lụa")
    page.fill("#birth_date", "12/03/1956")
    page.fill("#phone", "12345")
    page.click("button[type=submit]")
    error = page.locator("#phone-error")
    assert "không hợp lệ" in error.inner_text()
    summary = page.locator("#error-summary")  # the one alert of the page, focused, linking to the field
    assert summary.get_attribute("role") == "alert" and page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.locator("a[href='#phone']").count() == 1
    assert page.input_value("#full_name") == "Trần Thị Lụa"
    assert page.get_attribute("#phone", "aria-describedby").endswith("phone-error")
    screenshot(page, "register-error")


def test_text_at_200_percent_still_fits_the_phone(live_server, browser, contest):
    context = browser.new_context(**{**PHONE, "device_scale_factor": 1})
    page = context.new_page()
    page.goto(f"{live_server}/dang-ky")
    page.evaluate("document.documentElement.style.fontSize = '225%'")  # 200% of our 112.5% base
    too_wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + '#' + e.id + '.' + e.className)""")
    assert too_wide == []
    sizes = page.evaluate("""() => [...document.querySelectorAll('button, .button, input:not([type=hidden]), select')]
        .filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)""")
    assert min(sizes) >= 44
    context.close()


def test_a_session_ended_mid_quiz_says_so_keeps_the_answer_and_comes_back(app, live_server, phone, contest):
    """Walk-through: after a password change on another phone, saves got 404 and the bar said 'will retry'
    for ever; the submit led to 'Không tìm thấy trang'."""
    from quiz.people.password_change import end_sessions
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000444")
    attempt_id = start_quiz(page)
    choose(page, 0)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu")
    with app.app_context():
        end_sessions(db.session.scalar(select(Citizen).where(Citizen.phone == "0912000444")))
    choose(page, 1)
    status = page.locator("#save-status")
    expect(status).to_contain_text("Phiên đăng nhập đã hết")
    page.wait_for_timeout(4500)  # a retry must not replace the message
    expect(status).to_contain_text("Phiên đăng nhập đã hết")
    screenshot(page, "quiz-session-ended", full_page=False)
    status.locator("a").click()
    page.wait_for_url(re.compile(r"/dang-nhap"))
    page.fill("#phone", "0912000444")
    page.fill("#password", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/thi/{attempt_id}$"))
    wait_for_saved(app, page, attempt_id, 2, "the answer given after the session ended")


def test_a_new_answer_shows_saving_not_the_last_saved_time(live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000555")
    start_quiz(page)
    choose(page, 0)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu")
    page.route("**/tra-loi", lambda route: (page.wait_for_timeout(1500), route.continue_()))
    choose(page, 1)
    expect(page.locator("#save-status")).to_have_text("Đang lưu…")
    expect(page.locator("#save-status")).to_contain_text("Đã lưu", timeout=5000)


def test_time_up_offline_keeps_its_message_and_greys_the_questions(app, live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000666")
    attempt_id = start_quiz(page)
    with app.app_context(), write_transaction():
        db.session.get(Attempt, attempt_id).deadline_at = utcnow() + timedelta(seconds=3)
    page.reload()
    expect(page.locator("#quiz-form")).to_be_visible()
    phone.set_offline(True)
    choose(page, 0)  # a pending answer: the retries run while offline
    status = page.locator("#save-status")
    expect(status).to_contain_text("Đã hết giờ", timeout=8000)
    page.wait_for_timeout(5000)
    expect(status).to_contain_text("Đã hết giờ")
    assert float(page.locator("fieldset[data-position='1']").evaluate("f => getComputedStyle(f).opacity")) < 1
    phone.set_offline(False)
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"), timeout=15000)


def test_the_session_ended_message_goes_once_saving_works_again(app, live_server, phone, contest):
    """Review: logged in again in another tab, the first page kept saying 'Phiên đăng nhập đã hết' for good."""
    from quiz.people.password_change import end_sessions
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000777")
    start_quiz(page)
    choose(page, 0)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu")
    with app.app_context():
        end_sessions(db.session.scalar(select(Citizen).where(Citizen.phone == "0912000777")))
    choose(page, 1)
    expect(page.locator("#save-status")).to_contain_text("Phiên đăng nhập đã hết")
    other = phone.new_page()  # the same phone's other tab: the same cookies
    other.goto(f"{live_server}/dang-nhap")
    other.fill("#phone", "0912000777")
    other.fill("#password", "matkhau123")
    other.click("button[type=submit]")
    other.wait_for_url(re.compile(r"/thi"))
    choose(page, 2)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu", timeout=8000)
