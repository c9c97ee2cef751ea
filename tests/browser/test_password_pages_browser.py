"""Passwords on a 360 px phone in Debian's Chromium: "Đổi mật khẩu" from the menu, and "Quên mật khẩu"
(the commune's contact; with a fake SMS gateway configured, the reset by SMS code end to end)."""
import re

from playwright.sync_api import expect

from quiz.infra.clock import utcnow
from tests.browser.conftest import PHONE, screenshot, serious_accessibility_violations
from tests.browser.test_phone_experience import no_overflow
from tests.browser.test_phone_flow import register_on_phone
from tests.conftest import make_staff
from tests.test_phone_verification import TOKEN, gateway, messages, sent_code  # noqa: F401

NEW = "ba con meo nho"


def log_in(page, base: str, phone_number: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/dang-nhap")
    page.fill("#phone", phone_number)
    page.fill("#password", password)
    page.click("main button[type=submit]")


def test_a_citizen_changes_the_password_from_the_menu(live_server, phone, contest):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912360111")
    page.locator("header .menu summary").click()
    page.get_by_role("link", name="Đổi mật khẩu").click()
    page.wait_for_url(re.compile(r"/doi-mat-khau$"))
    page.fill("#current", "matkhau123")
    page.fill("#new", "ngan")
    page.fill("#confirm", "ngan")
    page.click("main button[type=submit]")
    expect(page.locator("#new-error")).to_contain_text("ít nhất 8 ký tự")
    expect(page.locator("#current-note")).to_contain_text("không được giữ lại")
    no_overflow(page)
    screenshot(page, "change-password-error")
    page.fill("#current", "matkhau123")
    page.fill("#new", NEW)
    page.fill("#confirm", NEW)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/thi$"))
    expect(page.locator(".flash-success")).to_contain_text("Đã đổi mật khẩu")
    screenshot(page, "change-password-done")
    phone.clear_cookies()
    log_in(page, live_server, "0912360111", NEW)
    page.wait_for_url(re.compile(r"/thi$"))


def test_forgotten_password_shows_the_contact_and_resets_by_sms(app, live_server, phone, contest, gateway,  # noqa: F811
                                                               monkeypatch):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"{gateway}/send")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", TOKEN)
    with app.app_context():
        from quiz.people.commune_contacts import ContactFields, save_commune_contact
        staff = make_staff("xa-tu-ky-2", "commune_admin", "11074")
        save_commune_contact("11074", ContactFields("Bộ phận một cửa UBND xã Tứ Kỳ", "0220 3747 111",
                                                    "Thôn Đông, xã Tứ Kỳ", "7:30–17:00, Thứ Hai – Thứ Sáu"),
                             staff.id, utcnow())
    page = phone.new_page()
    register_on_phone(page, live_server, "0912360222")
    phone.clear_cookies()
    page.goto(f"{live_server}/dang-nhap")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.fill("#commune-filter", "tu ky")
    page.get_by_role("button", name="Xem cách liên hệ").click()
    expect(page.locator("#commune-contact")).to_contain_text("0220 3747 111")
    expect(page.locator("#reset-by-sms")).to_be_visible()
    no_overflow(page)
    screenshot(page, "forgot-password-sms")
    page.fill("#phone", "0912 360 222")
    page.get_by_role("button", name="Gửi mã qua tin nhắn").click()
    page.wait_for_url(re.compile(r"/quen-mat-khau/dat-lai$"))
    expect(page.locator(".flash-success")).to_contain_text("Nếu số điện thoại này đã đăng ký")
    assert messages(gateway)[-1]["to"] == "+84912360222"
    page.fill("#code", sent_code(gateway))
    page.fill("#new", NEW)
    page.fill("#confirm", "ba con meo")  # mistyped
    page.click("main form button.button:not(.secondary)")
    expect(page.locator("#confirm-error")).to_contain_text("không khớp")
    assert page.input_value("#code") == sent_code(gateway) and page.input_value("#phone") == "0912360222"
    expect(page.locator("#new-note")).to_contain_text("nhập lại")
    no_overflow(page)
    screenshot(page, "reset-password-error")
    page.fill("#new", NEW)
    page.fill("#confirm", NEW)
    page.click("main form button.button:not(.secondary)")
    page.wait_for_url(re.compile(r"/dang-nhap$"))
    expect(page.locator(".flash-success")).to_contain_text("Đã đặt mật khẩu mới")
    assert page.input_value("#phone") == "0912360222"  # filled in: only the new password to type
    screenshot(page, "reset-password-done")
    page.fill("#password", NEW)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/thi$"))


def test_the_password_pages_pass_axe(app, live_server, browser, contest, gateway, monkeypatch):  # noqa: F811
    """axe-core on the change-password page and both SMS-reset pages (CSP bypassed so axe can be injected)."""
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"{gateway}/send")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", TOKEN)
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    problems = {}
    for name, path in (("forgot-with-sms", "/quen-mat-khau?xa=11074"), ("reset-by-code", "/quen-mat-khau/dat-lai")):
        page.goto(live_server + path)
        problems[name] = serious_accessibility_violations(page)
    register_on_phone(page, live_server, "0912360333")
    page.goto(live_server + "/doi-mat-khau")
    problems["change-password"] = serious_accessibility_violations(page)
    context.close()
    assert {k: v for k, v in problems.items() if v} == {}
