"""Certificates and public pages in Debian's Chromium on a 360-px phone: the offer, the share image, screenshots."""
import re

import pytest
from sqlalchemy import select, update

from quiz.certificates.issuing import issue_completion, revoke_certificate
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, Commune
from tests.admin_helpers import add_staff
from tests.browser.conftest import PHONE, screenshot, serious_accessibility_violations
from tests.certificate_helpers import close_round, passed_and_failed


def log_in(page, base: str, phone_number: str) -> None:
    page.goto(f"{base}/dang-nhap")
    page.fill("#phone", phone_number)
    page.fill("#password", "matkhau123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/thi$"))


def attempt_id_of(citizen_id: int) -> int:
    return db.session.scalar(select(Attempt.id).where(Attempt.citizen_id == citizen_id))


@pytest.fixture
def two_citizens(app, contest, redis):
    with app.app_context():
        from quiz import tallies
        tallies.rebuild()
        passed, failed = passed_and_failed(contest.id)
        return {"passed": (passed.phone, attempt_id_of(passed.id)), "failed": (failed.phone, attempt_id_of(failed.id))}


def test_result_page_offers_the_certificate_to_a_passed_citizen_and_the_share_image_renders(live_server, phone,
                                                                                            two_citizens):
    page = phone.new_page()
    phone_number, attempt_id = two_citizens["failed"]
    log_in(page, live_server, phone_number)
    page.goto(f"{live_server}/ket-qua/{attempt_id}")
    assert page.locator("text=Nhận giấy chứng nhận").count() == 0
    page.context.clear_cookies()
    phone_number, attempt_id = two_citizens["passed"]
    log_in(page, live_server, phone_number)
    page.goto(f"{live_server}/ket-qua/{attempt_id}")
    screenshot(page, "result-with-certificate-offer")
    page.click("text=Nhận giấy chứng nhận")
    page.wait_for_url(re.compile(r"/giay-chung-nhan/[0-9A-Z]{13}$"))
    image = page.locator("img.share-preview")
    image.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('img.share-preview').complete")
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1200, 630]
    assert page.locator("a[href^='https://zalo.me/']").count() == 1
    assert page.evaluate("() => [...document.scripts].filter(s => s.src && !s.src.startsWith(location.origin)).length") == 0
    screenshot(page, "certificate-page")
    code = page.url.rsplit("/", 1)[1]
    from tests.browser.conftest import ARTIFACTS
    png = page.request.get(f"{live_server}/xac-minh/{code}/anh-chia-se.png").body()
    (ARTIFACTS / "share-image.png").write_bytes(png)


@pytest.fixture
def published(app, contest, two_citizens):
    with app.app_context():
        db.session.execute(update(Commune).where(Commune.code.in_(["10507", "10792", "10891"]))
                           .values(adult_population=1200))
        db.session.commit()
        round_ = close_round(contest.id)
        passed_id = db.session.scalar(select(Attempt.citizen_id).where(Attempt.id == two_citizens["passed"][1]))
        valid = issue_completion(passed_id, round_.id, "Ban Tổ chức cuộc thi", utcnow()).code
        from quiz.certificates.issuing import issue_prize
        revoked = issue_prize(passed_id, round_, "Ban Tổ chức cuộc thi", utcnow())
        revoke_certificate(revoked.id, add_staff("bantochuc").id, "Cấp nhầm giải, đã cấp lại", utcnow())
        return {"valid": valid, "revoked": revoked.code}


def test_public_pages_on_a_phone(live_server, browser, published):
    context = browser.new_context(**PHONE, bypass_csp=True)  # bypass only so axe-core can be injected
    page = context.new_page()
    problems = {}
    pages = {"public-results": "/ket-qua-cong-khai", "public-winners": "/dat-giai",
             "public-lookup": "/tra-cuu-chung-nhan?ma=sai-ma", "verify-valid": f"/xac-minh/{published['valid']}",
             "verify-revoked": f"/xac-minh/{published['revoked']}", "verify-not-found": "/xac-minh/KHONGCOMA12345"}
    for name, path in pages.items():
        page.goto(live_server + path)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways"
        screenshot(page, name)
        problems[path] = serious_accessibility_violations(page)
    context.close()
    assert all(not found for found in problems.values()), problems
