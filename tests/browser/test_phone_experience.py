"""The phone experience an elderly citizen manages alone, in Debian's Chromium at 320 and 360 px:
forgiving registration, the sticky quiz bar, the unanswered confirmation, offline reload and time-out,
the result page, forgotten password, text size, no overflow for any question of the bank."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quiz import create_app
from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db, limiter
from quiz.models import Attempt, Question, Round
from tests.browser.conftest import PHONE, screenshot, serious_accessibility_violations, small_tap_targets
from tests.browser.test_phone_flow import choose, register_on_phone, start_quiz, tap_submit
from tests.conftest import make_staff

WIDTHS = (320, 360)
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1);
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5).map(e => e.tagName + '.' + e.className)};
}"""


def at_width(browser, width: int, **extra):  # type: ignore[no-untyped-def]
    return browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 740}, **extra})


def no_overflow(page) -> None:  # type: ignore[no-untyped-def]
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["width"] and not found["wide"], found


def set_deadline(app, attempt_id: int, seconds: int) -> None:
    with app.app_context(), write_transaction():
        db.session.get(Attempt, attempt_id).deadline_at = utcnow() + timedelta(seconds=seconds)


@pytest.mark.parametrize("width", WIDTHS)
def test_registration_with_three_typical_mistakes_is_fixed_in_one_go(live_server, browser, contest, width):
    context = at_width(browser, width)
    page = context.new_page()
    page.goto(f"{live_server}/dang-ky")
    page.fill("#full_name", "Nguyễn Thị Mận")
    page.fill("#birth_date", "5/9/58")  # a two-digit year
    page.fill("#phone", f"09120{width}77")
    page.fill("#commune-filter", "an thanh")
    page.fill("#password", "123")  # too short
    page.click("button[type=submit]")  # and the consent left unticked
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") == "alert"
    assert sorted(a.get_attribute("href") for a in summary.locator("a").all()) == ["#birth_date", "#consent", "#password"]
    assert page.input_value("#full_name") == "Nguyễn Thị Mận" and page.input_value("#birth_date") == "5/9/58"
    assert "nhập lại mật khẩu" in page.locator("#password-note").inner_text()
    assert "4 chữ số" in page.locator("#birth_date-error").inner_text()
    no_overflow(page)
    if width == 360:
        screenshot(page, "register-errors")
    summary.locator("a[href='#consent']").click()
    expect(page.locator("#consent")).to_be_focused()
    page.check("#consent")
    expect(page.locator("#consent-error")).to_have_count(0)  # corrected: its message goes
    expect(summary.locator("a[href='#consent']")).to_have_count(0)
    page.fill("#birth_date", "05091958")  # typed on the numeric pad
    page.fill("#password", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/thi$"))
    context.close()


@pytest.fixture
def limited_server(app, redis):
    """A second live server whose app enforces the rate limits (the suite's app has them off)."""
    import threading

    from werkzeug.serving import make_server
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True})
    server = make_server("127.0.0.1", 0, limited, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    limiter.enabled = False
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_rate_limited_form_keeps_its_values_and_says_minutes(limited_server, phone, contest):
    page = phone.new_page()
    page.goto(f"{limited_server}/dang-ky")
    page.fill("#full_name", "Đỗ Văn Sáu")
    page.fill("#birth_date", "01/01/1950")
    page.fill("#phone", "0912000666")
    page.fill("#commune-filter", "tu ky")
    for _ in range(6):  # the consent forgotten six times within the hour
        page.fill("#password", "matkhau123")
        with page.expect_navigation():  # forms.js sends a form once: the next tap waits for the answer
            page.click("button[type=submit]")
    text = page.locator("#error-summary").inner_text()
    assert re.search(r"chờ khoảng (5\d|60) phút", text), text
    assert page.input_value("#full_name") == "Đỗ Văn Sáu" and page.input_value("#phone") == "0912000666"
    assert page.eval_on_selector("#commune_code", "s => s.options[s.selectedIndex].text") == "Xã Tứ Kỳ"
    screenshot(page, "register-rate-limited")


@pytest.fixture
def whole_bank(app, contest):
    """The open round draws every active question of the sample bank."""
    with app.app_context(), write_transaction():
        count = db.session.scalar(select(func.count(Question.id)).where(Question.active.is_(True)))
        db.session.get(Round, contest.id).question_count = count
    return count


@pytest.mark.parametrize("width", WIDTHS)
def test_no_question_of_the_bank_overflows_the_phone(live_server, browser, whole_bank, width):
    context = at_width(browser, width)
    page = context.new_page()
    register_on_phone(page, live_server, f"09125{width}00")
    start_quiz(page)
    assert page.locator("fieldset.question").count() == whole_bank
    no_overflow(page)
    assert "canhbao.khonggianmang.gov.vn" in page.content()
    hints = page.evaluate("() => [...document.querySelectorAll('legend')].map(l => (l.textContent.match(/chọn tất cả đáp án đúng/gi) || []).length)")
    assert max(hints) == 1  # said once, not twice
    inside = page.evaluate("""() => [...document.querySelectorAll('fieldset.question')].every(f => {
        const box = f.getBoundingClientRect(), legend = f.querySelector('legend').getBoundingClientRect();
        return legend.top >= box.top && legend.right <= box.right + 0.5; })""")
    assert inside  # a multi-line question stays inside its card
    context.close()


def test_the_sticky_bar_shows_progress_save_state_and_warnings(app, live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000777")
    attempt_id = start_quiz(page)
    bar = page.locator("#quizbar")
    expect(page.locator("#progress")).to_have_text("Đã trả lời 0/20")
    choose(page, 0)
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Đã lưu lúc \d\d:\d\d:\d\d"))
    expect(page.locator("#progress")).to_have_text("Đã trả lời 1/20")
    page.locator("fieldset[data-position='15']").scroll_into_view_if_needed()
    assert abs(bar.bounding_box()["y"]) < 1  # still at the top of the screen far down the page
    phone.set_offline(True)
    choose(page, 15)
    expect(page.locator("#save-status")).to_have_text("Mất kết nối – câu trả lời được giữ trên máy.")
    expect(page.locator("#progress")).to_have_text("Đã trả lời 2/20")
    screenshot(page, "quiz-offline", full_page=False)
    phone.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu lúc")
    assert page.locator("header .menu").evaluate("d => !d.open")  # Đăng xuất is behind the closed menu
    assert not page.get_by_role("button", name="Đăng xuất").is_visible()
    set_deadline(app, attempt_id, 302)
    page.reload()
    expect(page.locator("#save-status")).to_contain_text("Còn 5 phút", timeout=6000)
    assert "warn" in bar.get_attribute("class")
    set_deadline(app, attempt_id, 62)
    page.reload()
    expect(page.locator("#save-status")).to_contain_text("Còn 1 phút", timeout=6000)
    expect(page.locator("#time-announcer")).to_have_text(re.compile(r"Còn \d0 giây\."), timeout=12000)
    screenshot(page, "quiz-last-minute", full_page=False)


def test_submitting_with_unanswered_questions_asks_first_and_links_them(live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000888")
    start_quiz(page)
    choose(page, 0)
    choose(page, 1)
    tap_submit(page, confirm=False)
    dialog = page.locator("#confirm-submit")
    expect(dialog).to_be_visible()
    expect(page.locator("#unanswered-count")).to_have_text("18")
    links = dialog.locator("a")
    assert links.count() == 18 and links.first.inner_text() == "Câu 3"
    screenshot(page, "quiz-confirm-unanswered", full_page=False)
    links.first.click()
    expect(dialog).to_be_hidden()
    assert page.url.endswith("/thi/" + page.url.rsplit("/", 1)[1])  # still on the quiz
    expect(page.locator("#cau-3 input").first).to_be_focused()
    tap_submit(page, confirm=False)
    page.locator("#submit-anyway").click()
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"))


def wait_for_offline_shell(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.wait_for_function("caches.open('cds-quiz-pages-v1').then(c => c.match(location.href)).then(Boolean)")


def test_reload_and_time_out_while_offline_show_the_quiz_and_submit_later(app, live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912000999")
    attempt_id = start_quiz(page)
    set_deadline(app, attempt_id, 25)
    page.reload()
    wait_for_offline_shell(page)
    choose(page, 0)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu")
    phone.set_offline(True)
    choose(page, 1)
    page.reload()  # offline: the service worker's copy, not the browser's error page
    expect(page.locator("#quiz-form")).to_be_visible()
    assert page.locator("input:checked").count() == 2  # the offline answer came back from the phone
    expect(page.locator("#save-status")).to_contain_text("Mất kết nối")
    expect(page.locator("#save-status")).to_contain_text("Đã hết giờ. Bài sẽ tự nộp khi có mạng.", timeout=30000)
    assert page.locator("fieldset[data-position='2']").evaluate("f => f.inert")  # nothing more to tick at 0:00
    screenshot(page, "quiz-timeout-offline", full_page=False)
    phone.set_offline(False)
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"), timeout=15000)
    expect(page.locator("#timeout-explained")).to_contain_text("Hết giờ làm bài")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at is not None
        assert [bool(item.selected) for item in attempt.items][:2] == [True, True]  # sent within the grace


def test_the_result_page_says_what_next(app, live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912001000")
    start_quiz(page)
    for position in range(3):
        choose(page, position)
    tap_submit(page)
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"))
    card = page.locator(".result")
    expect(card).to_contain_text(re.compile(r"\d+/20 câu đúng"))
    expect(card).to_contain_text("Cần đúng từ 80% (16/20 câu) để đạt")
    expect(card).to_contain_text("còn 2 lượt")
    expect(page.locator(".counts")).to_contain_text("17chưa trả lời")
    assert page.get_by_role("button", name=re.compile("Thi lại")).is_visible()
    assert page.locator(".review").count() == 0  # the round reveals answers only after it closes
    no_overflow(page)
    screenshot(page, "result")
    with app.app_context(), write_transaction():
        db.session.get(Round, contest.id).reveal_answers = Round.REVEAL_AFTER_SUBMIT
    page.reload()
    assert page.locator(".review > li").count() == 20
    assert page.locator(".review > li.unanswered").count() == 17  # apart from the wrong ones
    screenshot(page, "result-revealed")
    page.get_by_role("button", name=re.compile("Thi lại")).click()
    page.wait_for_url(re.compile(r"/thi/\d+$"))


def test_forgotten_password_gives_the_communes_contact(app, live_server, phone, contest):
    with app.app_context():
        from quiz.people.commune_contacts import ContactFields, save_commune_contact
        staff = make_staff("xa-tu-ky", "commune_admin", "11074")
        save_commune_contact("11074", ContactFields("Bộ phận một cửa UBND xã Tứ Kỳ", "0220 3747 111",
                                                    "Thôn Đông, xã Tứ Kỳ", "7:30–17:00, Thứ Hai – Thứ Sáu"),
                             staff.id, utcnow())
    page = phone.new_page()
    page.goto(f"{live_server}/dang-nhap")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.fill("#commune-filter", "tu ky")
    page.get_by_role("button", name="Xem cách liên hệ").click()
    contact = page.locator("#commune-contact")
    for text in ("Bộ phận một cửa UBND xã Tứ Kỳ", "0220 3747 111", "Thôn Đông, xã Tứ Kỳ", "7:30–17:00"):
        expect(contact).to_contain_text(text)
    assert contact.locator("a[href='tel:02203747111']").count() == 1
    screenshot(page, "forgot-password")


def test_the_text_size_switch_and_contrast_are_remembered(live_server, phone, contest):
    page = phone.new_page()
    page.goto(f"{live_server}/")
    page.locator("header .menu summary").click()
    screenshot(page, "menu-open")
    page.locator("[data-text-size='3']").click()
    page.locator("#contrast-toggle").click()
    classes = "[...document.documentElement.classList].sort().join(' ')"
    assert page.evaluate(classes) == "contrast text-3"
    page.goto(f"{live_server}/dang-ky")  # another page, a new load: still large and contrasted
    assert page.evaluate(classes) == "contrast text-3"
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "24px"
    no_overflow(page)
    screenshot(page, "register-large-text-contrast")


def test_read_aloud_is_hidden_without_a_vietnamese_voice(live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912001100")
    start_quiz(page)
    has_voice = page.evaluate("speechSynthesis.getVoices().some(v => /^vi/i.test(v.lang))")
    assert page.locator("button.speak").first.is_visible() == has_voice


def test_tap_targets_are_at_least_48_px(live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912001200")
    start_quiz(page)
    assert small_tap_targets(page) == []


@pytest.fixture
def audited(browser):
    context = browser.new_context(**PHONE, bypass_csp=True)
    yield context
    context.close()


PUBLIC_PAGES = {"home": "/", "register": "/dang-ky", "login": "/dang-nhap", "forgot": "/quen-mat-khau?xa=11074",
                "rules": "/the-le", "guide": "/huong-dan-du-thi", "faq": "/cau-hoi-thuong-gap", "not-found": "/khong-co"}


def test_every_citizen_page_passes_axe_and_is_photographed(live_server, audited, contest):
    page = audited.new_page()
    problems = {}
    for name, path in PUBLIC_PAGES.items():
        page.goto(live_server + path)
        problems[name] = serious_accessibility_violations(page)
        no_overflow(page)
        screenshot(page, name)
    register_on_phone(page, live_server, "0912001300")
    for name, path in (("contest", "/thi"), ("home-logged-in", "/")):
        page.goto(live_server + path)
        problems[name] = serious_accessibility_violations(page)
        screenshot(page, name)
    page.goto(live_server + "/thi")
    start_quiz(page)
    choose(page, 0)
    problems["quiz"] = serious_accessibility_violations(page)
    screenshot(page, "quiz", full_page=False)
    tap_submit(page, confirm=False)
    problems["quiz-confirm"] = serious_accessibility_violations(page)
    page.locator("#submit-anyway").click()
    page.wait_for_url(re.compile(r"/ket-qua/\d+$"))
    problems["result"] = serious_accessibility_violations(page)
    for name, path in (("my-results", "/ket-qua"), ("my-data", "/du-lieu-cua-toi")):
        page.goto(live_server + path)
        problems[name] = serious_accessibility_violations(page)
        no_overflow(page)
        screenshot(page, name)
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_web_app_manifest_and_icons_let_it_be_added_to_the_home_screen(live_server, phone, contest):
    page = phone.new_page()
    page.goto(live_server + "/")
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["lang"] == "vi"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(live_server + icon["src"]).ok
    assert page.request.get(live_server + "/static/icons/favicon.svg").ok


def test_checkbox_labels_stay_beside_their_box_and_errors_go_below(live_server, phone, contest):
    page = phone.new_page()
    page.goto(f"{live_server}/dang-ky")
    page.click("button[type=submit]")
    box, label = page.locator("#consent").bounding_box(), page.locator("label[for=consent]").bounding_box()
    error = page.locator("#consent-error").bounding_box()
    assert label["x"] > box["x"] + box["width"] and abs(label["y"] - box["y"]) < box["height"]
    assert error["y"] >= label["y"] + label["height"] - 1


def test_the_commune_filter_chooses_only_a_single_match_and_says_what_it_found(live_server, phone, contest):
    """Walk-through: "hai" chose the first of 8 matches silently; "xyz" kept a hidden earlier choice."""
    page = phone.new_page()
    page.goto(f"{live_server}/dang-ky")
    page.click("button[type=submit]")  # every field empty: the commune's error shows
    page.fill("#commune-filter", "hai")
    assert page.input_value("#commune_code") == ""
    expect(page.locator("#commune-filter-status")).to_contain_text("tên khớp")
    page.fill("#commune-filter", "x")
    page.fill("#commune-filter", "xyz")
    assert page.input_value("#commune_code") == ""
    expect(page.locator("#commune-filter-status")).to_contain_text("Không tìm thấy")
    page.fill("#commune-filter", "tu ky")
    assert page.eval_on_selector("#commune_code", "s => s.options[s.selectedIndex].text") == "Xã Tứ Kỳ"
    expect(page.locator("#commune-filter-status")).to_contain_text("Đã chọn: Xã Tứ Kỳ")
    assert not page.locator("#commune_code-error").count()  # the choice cleared its error
    page.fill("#birth_date", "5-9-58")  # not readable yet: no guardian fields for an elderly citizen
    assert page.locator("fieldset.guardian").is_hidden()
    page.fill("#birth_date", "01/01/2015")
    assert page.locator("fieldset.guardian").is_visible()


def test_a_cleared_password_is_in_the_error_summary(live_server, phone, contest):
    page = phone.new_page()
    page.goto(f"{live_server}/dang-ky")
    page.fill("#full_name", "Nguyễn Văn Tư")
    page.fill("#password", "matkhau-rat-tot-123")
    page.click("button[type=submit]")  # other fields missing: the good password is cleared
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Mật khẩu: vui lòng nhập lại")
    assert "#password" in [a.get_attribute("href") for a in summary.locator("a").all()]
